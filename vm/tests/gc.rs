//! The garbled-circuit backend against the plaintext reference: the shared
//! known-answer vectors, random circuits, and the in-memory engine.

mod common;

use std::sync::Arc;

use common::*;
use proptest::prelude::*;
use veil_circuit::{IntValue, Value};
use veil_vm::backend::gc::Gc;
use veil_vm::BackendKind;

/// Every known-answer vector of `shared/circuits/vectors.json` under gc.
#[test]
fn shared_vectors_under_gc() {
    let Some(sets) = shared_vectors(|_| true) else {
        return;
    };
    let mut checked = 0;
    for set in &sets {
        for (i, (_, inputs, _)) in set.vectors.iter().enumerate() {
            set.check(i, &run(BackendKind::Gc, &set.circuit, inputs), "gc");
            checked += 1;
        }
    }
    assert!(checked >= 100, "only {checked} vectors checked");
}

#[test]
fn in_memory_engine_matches_the_reference_on_aes() {
    let Some(dir) = shared_circuits() else {
        eprintln!("skipping: ../shared/circuits is absent");
        return;
    };
    let circuit = bristol(&dir.join("bristol-fashion/aes_128.txt"), false);
    let gc = Gc::new(Arc::new(circuit.clone())).expect("gc accepts AES");
    let inputs: Vec<Value> = circuit
        .circuit()
        .inputs
        .iter()
        .enumerate()
        .map(|(i, g)| {
            hex_value(
                &g.ty,
                &format!("{:032x}", 0x0123_4567_89ab_cdef_u128 * (i as u128 + 3)),
            )
        })
        .collect();
    let words: Vec<Vec<u64>> = inputs
        .iter()
        .map(|v| v.to_bits().into_iter().map(u64::from).collect())
        .collect();
    let run = gc.in_memory(&words).expect("in-memory run");
    let want = veil_circuit::evaluate(&circuit, &inputs).expect("reference");
    let want_words: Vec<Vec<u64>> = want
        .iter()
        .map(|v| v.to_bits().into_iter().map(u64::from).collect())
        .collect();
    assert_eq!(run.outputs, want_words);
    assert_eq!(run.table_bytes, 32 * 6400);
    let _ = IntValue::from_u128_wrapping(false, 8, 0);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(48), ..ProptestConfig::default() })]

    /// Random circuits (secret and public inputs, constants, every gate kind,
    /// outputs to the garbler, the evaluator, both or neither): gc = clear.
    #[test]
    fn gc_equals_clear_on_random_circuits(rc in rand_circuit(2, 120)) {
        let got = run(BackendKind::Gc, &rc.circuit, &rc.inputs);
        let want = expected(&rc.circuit, &rc.inputs, 2);
        prop_assert_eq!(got, want);
    }

    /// A batch of instances (`--parallel`: one OT batch, a fresh Δ per
    /// instance, the garbler's output labels returned once at the end) gives,
    /// instance by instance, what separate runs and the reference give.
    /// Catches instances' labels or outputs mixed up, or a Δ shared wrongly.
    #[test]
    fn gc_batches_equal_separate_runs(
        rc in rand_circuit(2, 80),
        count in 1usize..7,
        seed in any::<u64>(),
    ) {
        let circuit = Arc::new(rc.circuit.clone());
        let protocol = veil_vm::prepare(BackendKind::Gc, Arc::clone(&circuit)).expect("gc");
        let mut state = seed | 1;
        let mut bit = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state & 1 == 1
        };
        let batch: Vec<Vec<Value>> = (0..count)
            .map(|_| {
                circuit
                    .circuit()
                    .inputs
                    .iter()
                    .map(|g| {
                        let bits: Vec<bool> = (0..g.wires.len()).map(|_| bit()).collect();
                        Value::from_bits(&g.ty, &bits).expect("value")
                    })
                    .collect()
            })
            .collect();
        check_batch(&protocol, &circuit, &batch, 1, "gc");
    }

    /// A one-party circuit runs with a helper evaluator that learns nothing.
    #[test]
    fn gc_runs_one_party_circuits(rc in rand_circuit(1, 60)) {
        let got = run(BackendKind::Gc, &rc.circuit, &rc.inputs);
        let want = expected(&rc.circuit, &rc.inputs, 1);
        prop_assert_eq!(&got[..1], &want[..]);
        prop_assert!(got[1].iter().all(Option::is_none));
    }
}
