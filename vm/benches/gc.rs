//! Garbled-circuit throughput: `cargo bench -p veil-vm --bench gc`.
//!
//! Prints, for AES-128 and SHA-256 from `../shared/circuits` (when present):
//! garbling and evaluation in memory (no channel, no OT) in million AND
//! gates per second, and an end-to-end two-party run in local mode.
//!
//! In-memory figures are the median over many runs, with the first and third
//! quartiles: on a shared machine the mean follows whatever else runs, the
//! median follows the code. End to end is one session of back-to-back runs
//! (after the first, which sets up OT), timed as a whole.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use veil_circuit::{BristolOptions, ValidCircuit};
use veil_vm::backend::gc::Gc;
use veil_vm::{prepare, run_local_many, BackendKind, LocalOptions};

fn main() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/circuits/bristol-fashion");
    if !dir.is_dir() {
        eprintln!("skipping: ../shared/circuits is absent");
        return;
    }
    for name in ["aes_128.txt", "sha256.txt"] {
        let text = std::fs::read_to_string(dir.join(name)).expect("circuit");
        let circuit =
            veil_circuit::bristol::read(&text, &BristolOptions::default()).expect("valid");
        bench(name, &circuit);
    }
}

/// Million AND gates per second at the first quartile, median and third
/// quartile of `times` (sorted in place).
fn rates(ands: f64, times: &mut [Duration]) -> [f64; 3] {
    times.sort();
    let at = |q: usize| ands / times[(times.len() - 1) * q / 4].as_secs_f64() / 1e6;
    // The slowest quarter gives the lowest rate.
    [at(3), at(2), at(1)]
}

fn bench(name: &str, circuit: &ValidCircuit) {
    let circuit = Arc::new(circuit.clone());
    let gc = Gc::new(Arc::clone(&circuit)).expect("gc");
    let inputs = common::zero_inputs(&circuit);
    let words: Vec<Vec<u64>> = inputs
        .iter()
        .map(|v| v.to_bits().into_iter().map(u64::from).collect())
        .collect();
    let ands = veil_vm::Protocol::paid_gates(&gc) as f64;
    let reps = (20_000_000.0 / ands).max(10.0) as usize;
    let (mut g, mut e) = (Vec::with_capacity(reps), Vec::with_capacity(reps));
    for _ in 0..reps {
        let r = gc.in_memory(&words).expect("run");
        g.push(r.garble);
        e.push(r.evaluate);
    }
    let protocol = prepare(BackendKind::Gc, Arc::clone(&circuit)).expect("gc");
    let e2e_reps = (reps / 4).max(5);
    // One session: OT set-up once (the first run), then the measured runs.
    let runs = vec![inputs.clone(); e2e_reps + 1];
    let start = Instant::now();
    let done = run_local_many(&protocol, &circuit, &runs, LocalOptions::default()).expect("run");
    let total = start.elapsed().as_secs_f64();
    let e2e = (total - done[0].wall.as_secs_f64()) / e2e_reps as f64;
    let [g, e] = [rates(ands, &mut g), rates(ands, &mut e)];
    println!(
        "{name:12} {ands:>6} AND  garble {:5.1} M AND/s ({:.0}-{:.0})  evaluate {:5.1} ({:.0}-{:.0})  \
         end to end {:5.1} ({:.3} ms per run)",
        g[1],
        g[0],
        g[2],
        e[1],
        e[0],
        e[2],
        ands / e2e / 1e6,
        e2e * 1e3
    );
}
