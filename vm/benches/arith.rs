//! The arith backend: `cargo bench -p veil-vm --bench arith`.
//!
//! Online 64-bit MULs per second on a wide circuit (100k independent MULs,
//! one layer, dealer triples, two parties on two threads over in-memory
//! channels; the "evaluate" phase of the slower party), and arithmetic
//! triples per second from OT (Gilboa, what `--preprocessing ot` pays).

use std::sync::Arc;
use std::time::Duration;

use veil_circuit::{CircuitBuilder, Domain, Value, ValueType, Wire};
use veil_vm::preprocess::Preprocessing;
use veil_vm::{prepare_with, run_local_many, BackendKind, BackendOptions, LocalOptions};

fn main() {
    let n = 100_000usize;
    let ty = ValueType::Array {
        elem: Box::new(ValueType::Int {
            signed: false,
            bits: 64,
        }),
        len: n as u64,
    };
    let mut b = CircuitBuilder::new(64);
    let p0 = b.party("p0");
    let p1 = b.party("p1");
    let x: Vec<Wire> = b
        .input(p0, "x", ty.clone(), false, Domain::Arith)
        .iter()
        .collect();
    let y: Vec<Wire> = b
        .input(p1, "y", ty.clone(), false, Domain::Arith)
        .iter()
        .collect();
    let z: Vec<Wire> = x.iter().zip(&y).map(|(&p, &q)| b.mul(p, q)).collect();
    b.output("z", vec![0], ty, Domain::Arith, z);
    let circuit = Arc::new(b.finish().expect("valid circuit"));
    let value = |k: u64| {
        Value::Array(
            (0..n as u64)
                .map(|i| Value::int(false, 64, u128::from(i.wrapping_mul(k))))
                .collect(),
        )
    };
    let inputs = vec![value(0x9e37_79b9), value(0x7f4a_7c15)];
    for mode in [Preprocessing::Dealer, Preprocessing::Ot] {
        let opts = BackendOptions {
            parties: None,
            preprocessing: mode,
        };
        let protocol =
            prepare_with(BackendKind::Arith, Arc::clone(&circuit), &opts).expect("arith");
        let runs = 5;
        let done = run_local_many(
            &protocol,
            &circuit,
            &vec![inputs.clone(); runs],
            LocalOptions {
                timeout: Duration::from_secs(120),
                progress: None,
            },
        )
        .expect("runs");
        let phase = |name: &str| -> f64 {
            // The best run (after the first, which sets up OT), slower party.
            done.iter()
                .skip(1)
                .map(|run| {
                    run.reports
                        .iter()
                        .take(2)
                        .map(|r| {
                            r.phases
                                .iter()
                                .filter(|(p, _)| *p == name)
                                .map(|(_, t)| t.as_secs_f64())
                                .sum::<f64>()
                        })
                        .fold(0.0, f64::max)
                })
                .fold(f64::INFINITY, f64::min)
        };
        let (eval, triples) = (phase("evaluate"), phase("triples"));
        println!(
            "arith, {} preprocessing: {n} 64-bit MULs online in {:.2} ms = {:.1} M MUL/s; \
             triples phase {:.2} ms = {:.2} M triples/s",
            mode.name(),
            eval * 1e3,
            n as f64 / eval / 1e6,
            triples * 1e3,
            n as f64 / triples / 1e6
        );
    }
}
