//! Random-OT throughput of IKNP extension over an in-memory channel, both
//! parties on their own thread (`cargo bench -p veil-vm --bench ot`).

use std::time::{Duration, Instant};

use veil_vm::crypto::Prg;
use veil_vm::net::local::pair;
use veil_vm::ot::{OtExtReceiver, OtExtSender};

/// OTs per batch (what one batch of Boolean triples would ask for).
const N: usize = 1 << 20;
/// Timed batches after one warm-up batch.
const BATCHES: usize = 10;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (mut a, mut b) = pair("sender", "receiver", Duration::from_secs(60));
    let mut prg = Prg::from_os()?;
    let choices: Vec<bool> = (0..N).map(|_| prg.bit()).collect();

    let sender = std::thread::spawn(move || -> Result<Vec<Duration>, String> {
        let t = Instant::now();
        let mut s = OtExtSender::setup(&mut b).map_err(|e| e.to_string())?;
        let mut times = vec![t.elapsed()];
        for _ in 0..=BATCHES {
            let t = Instant::now();
            let out = s.random(&mut b, N).map_err(|e| e.to_string())?;
            times.push(t.elapsed());
            std::hint::black_box(out);
        }
        Ok(times)
    });

    let t = Instant::now();
    let mut r = OtExtReceiver::setup(&mut a)?;
    let mut times = vec![t.elapsed()];
    for _ in 0..=BATCHES {
        let t = Instant::now();
        let out = r.random(&mut a, &choices)?;
        times.push(t.elapsed());
        std::hint::black_box(out);
    }
    let sender_times = sender.join().map_err(|_| "sender thread panicked")??;

    let report = |who: &str, times: &[Duration]| {
        let batches = &times[2..]; // skip set-up and warm-up
        let total: Duration = batches.iter().sum();
        let best = batches.iter().min().copied().unwrap_or_default();
        let rate = |d: Duration| (N as f64) / d.as_secs_f64() / 1e6;
        println!(
            "{who:>8}: set-up {:>6.2} ms; random OT, batches of {N}: {:>6.1} M OTs/s mean, {:>6.1} M OTs/s best",
            times[0].as_secs_f64() * 1e3,
            rate(total / batches.len() as u32),
            rate(best),
        );
    };
    report("sender", &sender_times);
    report("receiver", &times);
    Ok(())
}
