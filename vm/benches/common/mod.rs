//! Workloads shared by the benchmarks.
#![allow(dead_code)]

use veil_circuit::{CircuitBuilder, Domain, ValidCircuit, Value, ValueType};

/// `n` independent products of two parties' 64-bit secrets, revealed to the third.
pub fn wide_muls(n: u64) -> (ValidCircuit, Vec<Value>) {
    let mut b = CircuitBuilder::new(64);
    let p = b.party("p");
    let q = b.party("q");
    let r = b.party("r");
    let ty = ValueType::Array {
        elem: Box::new(ValueType::Int {
            signed: false,
            bits: 64,
        }),
        len: n,
    };
    let x = b.input(p, "x", ty.clone(), false, Domain::Arith);
    let y = b.input(q, "y", ty.clone(), false, Domain::Arith);
    let outs: Vec<_> = x.iter().zip(y.iter()).map(|(a, c)| b.mul(a, c)).collect();
    b.output("xy", vec![r], ty, Domain::Arith, outs);
    let values = |seed: u64| {
        Value::Array(
            (0..n)
                .map(|i| {
                    Value::int(
                        false,
                        64,
                        u128::from(i.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ seed),
                    )
                })
                .collect(),
        )
    };
    (b.finish().expect("valid"), vec![values(1), values(2)])
}

/// One all-zero value per input group (the benchmarks time protocols, not values).
pub fn zero_inputs(circuit: &ValidCircuit) -> Vec<Value> {
    circuit
        .circuit()
        .inputs
        .iter()
        .map(|g| Value::from_bits(&g.ty, &vec![false; g.wires.len() as usize]).expect("zero"))
        .collect()
}
