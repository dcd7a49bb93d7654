//! Arithmetic Beaver triples from OT (Gilboa): `cargo bench -p veil-vm --bench triples`.
//!
//! Two parties on two threads over in-memory channels; OT extension set up
//! once, then batches of 64-bit triples; prints triples per second.

use std::time::{Duration, Instant};

use veil_vm::backend::Session;
use veil_vm::net::local;
use veil_vm::preprocess::arith::ot_triples;

fn main() {
    let names = vec!["p0".to_string(), "p1".to_string()];
    let n = 100_000;
    let batches = 5;
    let meshes = local::mesh(&names, Duration::from_secs(60));
    let times: Vec<f64> = std::thread::scope(|s| {
        let hs: Vec<_> = meshes
            .into_iter()
            .map(|mut peers| {
                s.spawn(move || {
                    let mut session = Session::default();
                    ot_triples(&mut peers, &mut session, 1, 64).expect("set-up");
                    let start = Instant::now();
                    for _ in 0..batches {
                        ot_triples(&mut peers, &mut session, n, 64).expect("triples");
                    }
                    start.elapsed().as_secs_f64()
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().expect("thread")).collect()
    });
    let t = times.iter().copied().fold(0.0, f64::max);
    println!(
        "arithmetic triples (64-bit, 2 parties, OT): {:.2} M/s ({} batches of {n})",
        (n * batches) as f64 / t / 1e6,
        batches
    );
}
