//! GMW throughput: `cargo bench -p veil-vm --bench gmw`.
//!
//! On Bristol AES-128 from `../shared/circuits` (when present), in local mode
//! (every party a thread, in-memory channels):
//!
//! - online AND gates per second, the "evaluate" phase of the slowest party,
//!   with triples from a dealer, for 2 and 3 parties and 1 and 1024
//!   instances per run (`--parallel`);
//! - Boolean triples per second from OT (the "triples" phase, the session's
//!   OT set-up excluded), for 2 and 3 parties.

mod common;

use std::sync::Arc;
use std::time::Duration;

use veil_circuit::{BristolOptions, ValidCircuit};
use veil_vm::preprocess::Preprocessing;
use veil_vm::{
    prepare_with, run_local_batches, BackendKind, BackendOptions, LocalOptions, LocalRun,
};

fn main() {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/circuits/bristol-fashion/aes_128.txt");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipping: ../shared/circuits is absent");
        return;
    };
    let circuit = Arc::new(
        veil_circuit::bristol::read(&text, &BristolOptions::default()).expect("valid AES"),
    );
    for parties in [2, 3] {
        for instances in [1usize, 1024] {
            online(&circuit, parties, instances);
        }
    }
    for parties in [2, 3] {
        triples(&circuit, parties);
    }
}

/// `reps + 1` runs of `instances` instances each in one session (the first
/// a warm-up, which also sets up OT extension).
fn runs(
    circuit: &Arc<ValidCircuit>,
    parties: usize,
    preprocessing: Preprocessing,
    instances: usize,
    reps: usize,
) -> (Vec<LocalRun>, u64) {
    let opts = BackendOptions {
        parties: Some(parties),
        preprocessing,
    };
    let protocol = prepare_with(BackendKind::Gmw, Arc::clone(circuit), &opts).expect("gmw");
    let batch = vec![common::zero_inputs(circuit); instances];
    let batches = vec![batch; reps + 1];
    let done =
        run_local_batches(&protocol, circuit, &batches, LocalOptions::default()).expect("runs");
    (done.into_iter().skip(1).collect(), protocol.paid_gates())
}

/// The slowest compute party's time in `phase`, per run.
fn per_run(runs: &[LocalRun], phase: &str) -> Vec<Duration> {
    runs.iter()
        .map(|r| {
            r.reports
                .iter()
                .filter(|p| p.party != "dealer")
                .flat_map(|p| {
                    p.phases
                        .iter()
                        .filter(|(n, _)| *n == phase)
                        .map(|(_, t)| *t)
                })
                .max()
                .unwrap_or_default()
        })
        .collect()
}

/// The slowest compute party's time in `phase`, summed over `runs`.
fn phase(runs: &[LocalRun], phase: &str) -> Duration {
    per_run(runs, phase).into_iter().sum()
}

/// The median and the best of per-run times, in seconds (the machine may be
/// shared: the best run shows what the code does undisturbed).
fn median_best(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    let best = times.first().copied().unwrap_or_default();
    (median.as_secs_f64(), best.as_secs_f64())
}

fn online(circuit: &Arc<ValidCircuit>, parties: usize, instances: usize) {
    let reps = if instances == 1 { 300 } else { 20 };
    let (done, ands) = runs(circuit, parties, Preprocessing::Dealer, instances, reps);
    let gates = (ands * instances as u64) as f64;
    let (median, best) = median_best(per_run(&done, "evaluate"));
    let wall: f64 = done.iter().map(|r| r.wall.as_secs_f64()).sum();
    let rounds = done[0]
        .reports
        .iter()
        .map(|r| r.rounds())
        .max()
        .unwrap_or(0);
    let ms = |name: &str| phase(&done, name).as_secs_f64() / reps as f64 * 1e3;
    println!(
        "AES-128 online, {parties} parties, {instances:>4} instance(s): {:8.1} M AND/s median, \
         {:8.1} best ({:.3} ms evaluating, {rounds} rounds; mean per run: triples {:.3} ms, \
         inputs {:.3} ms, outputs {:.3} ms, {:.3} ms end to end)",
        gates / median / 1e6,
        gates / best / 1e6,
        median * 1e3,
        ms("triples"),
        ms("inputs"),
        ms("outputs"),
        wall / reps as f64 * 1e3,
    );
}

fn triples(circuit: &Arc<ValidCircuit>, parties: usize) {
    let (instances, reps) = (1024, 7);
    let (done, ands) = runs(circuit, parties, Preprocessing::Ot, instances, reps);
    let count = (ands * instances as u64) as f64;
    let (median, best) = median_best(per_run(&done, "triples"));
    let bytes: u64 = done[0].reports.iter().map(|r| r.bytes_sent()).sum();
    println!(
        "Boolean triples from OT, {parties} parties: {:8.1} M triples/s median, {:8.1} best \
         ({:.1} M per run in {:.1} ms, {:.1} bytes sent per triple by all parties)",
        count / median / 1e6,
        count / best / 1e6,
        count / 1e6,
        median * 1e3,
        bytes as f64 / (ands * instances as u64) as f64,
    );
}
