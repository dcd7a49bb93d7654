//! rep3 throughput: `cargo bench -p veil-vm --bench rep3`.
//!
//! Three parties in local mode (a thread each, in-memory channels). Prints,
//! per workload, the "evaluate" phase (the multiplication rounds and local
//! gates, without input sharing or output opening; the time of the party
//! that starts it last) in gates per second, and the whole run end to end
//! (medians over the runs):
//!
//! - AND gates per second on the Bristol AES-128 circuit from
//!   `../shared/circuits` (when present), 1 and 1024 instances per run;
//! - 64-bit MUL gates per second on 100 000 independent multiplications
//!   (one layer) built with `CircuitBuilder`, 1 and 16 instances per run.

use std::sync::Arc;
use std::time::Duration;

mod common;

use common::wide_muls;
use veil_circuit::{BristolOptions, ValidCircuit, Value};
use veil_vm::{prepare, run_local_batches, BackendKind, LocalOptions, LocalRun};

fn main() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/circuits/bristol-fashion");
    if dir.is_dir() {
        let text = std::fs::read_to_string(dir.join("aes_128.txt")).expect("circuit");
        let aes = veil_circuit::bristol::read(&text, &BristolOptions::default()).expect("valid");
        if only("aes") {
            for (instances, reps) in [(1usize, 300), (1024, 40)] {
                bench(
                    "aes_128",
                    "AND",
                    &aes,
                    instances,
                    reps,
                    common::zero_inputs(&aes),
                );
            }
        }
    } else {
        eprintln!("skipping AES: ../shared/circuits is absent");
    }
    if only("mul") {
        let (muls, inputs) = wide_muls(100_000);
        for (instances, reps) in [(1usize, 20), (16, 4)] {
            bench("100k mul64", "MUL", &muls, instances, reps, inputs.clone());
        }
    }
}

/// Whether workload `name` runs (`VEIL_BENCH=aes` or `mul` picks one).
fn only(name: &str) -> bool {
    std::env::var("VEIL_BENCH").map_or(true, |v| v == name)
}

/// The shortest time any party spent in phase `name`. Parties enter the
/// evaluation as soon as *their* input phase ends, so the others' times
/// include waiting for the last one; the last one's time is the evaluation's.
fn phase(run: &LocalRun, name: &str) -> Duration {
    run.reports
        .iter()
        .flat_map(|r| r.phases.iter())
        .filter(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .min()
        .unwrap_or_default()
}

/// Runs `reps` measured batches of `instances` instances (after one warm-up).
fn bench(
    name: &str,
    gate: &str,
    circuit: &ValidCircuit,
    instances: usize,
    reps: usize,
    inputs: Vec<Value>,
) {
    let circuit = Arc::new(circuit.clone());
    let protocol = prepare(BackendKind::Rep3, Arc::clone(&circuit)).expect("rep3");
    let gates = protocol.paid_gates() as f64 * instances as f64;
    let batch = vec![inputs; instances];
    // One warm-up run, then the measured ones, all among the same threads.
    let runs = vec![batch; reps + 1];
    let done = run_local_batches(&protocol, &circuit, &runs, LocalOptions::default()).expect("run");
    let mut evals: Vec<f64> = done[1..]
        .iter()
        .map(|r| phase(r, "evaluate").as_secs_f64())
        .collect();
    let mut walls: Vec<f64> = done[1..].iter().map(|r| r.wall.as_secs_f64()).collect();
    evals.sort_by(f64::total_cmp);
    walls.sort_by(f64::total_cmp);
    let (eval, wall) = (evals[evals.len() / 2], walls[walls.len() / 2]);
    let report = &done[1].reports[0];
    let median = |name: &str| {
        let mut ts: Vec<f64> = done[1..]
            .iter()
            .map(|r| phase(r, name).as_secs_f64())
            .collect();
        ts.sort_by(f64::total_cmp);
        ts[ts.len() / 2] * 1e3
    };
    eprintln!(
        "    phases (fastest party, median): inputs {:.3} ms, evaluate {:.3} ms, outputs {:.3} ms",
        median("inputs"),
        median("evaluate"),
        median("outputs")
    );
    println!(
        "{name:11} × {instances:4}: evaluate {:8.1} M {gate}/s ({:.3} ms)  end to end {:8.1} M {gate}/s ({:.3} ms)  {} rounds, {:.2} bits sent per {gate} per party",
        gates / eval / 1e6,
        eval * 1e3,
        gates / wall / 1e6,
        wall * 1e3,
        report.rounds(),
        report.bytes_sent() as f64 * 8.0 / gates,
    );
}
