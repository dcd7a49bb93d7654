//! Property tests: random valid circuits survive every encoding with identical
//! evaluation, and corrupted encodings give errors, never panics.
//!
//! Circuits are built deterministically from a proptest-generated "recipe"
//! (plain numbers), so failures shrink to small recipes and the fixed RNG
//! seed makes every run check the same cases.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use veil_circuit::bristol::{self, BitOrder, BristolOptions};
use veil_circuit::{text, vc, CircuitBuilder, Domain, Evaluator, ValidCircuit, ValueType, Wire};

#[derive(Debug, Clone)]
struct Recipe {
    ring_bits: u32,
    parties: u8,
    /// (party, type choice, public, arithmetic)
    inputs: Vec<(u8, u8, bool, bool)>,
    /// (operation, operand a, operand b, constant)
    gates: Vec<(u8, u32, u32, u64)>,
    /// (arithmetic, recipients mask, wire picks)
    outputs: Vec<(bool, u8, Vec<u32>)>,
}

fn recipe() -> impl Strategy<Value = Recipe> {
    (
        prop_oneof![Just(1u32), Just(8), Just(13), Just(32), Just(64), 1u32..=64],
        0u8..4,
        prop::collection::vec(
            (any::<u8>(), any::<u8>(), any::<bool>(), any::<bool>()),
            1..5,
        ),
        prop::collection::vec(
            (any::<u8>(), any::<u32>(), any::<u32>(), any::<u64>()),
            0..60,
        ),
        prop::collection::vec(
            (
                any::<bool>(),
                any::<u8>(),
                prop::collection::vec(any::<u32>(), 1..12),
            ),
            1..4,
        ),
    )
        .prop_map(|(ring_bits, parties, inputs, gates, outputs)| Recipe {
            ring_bits,
            parties,
            inputs,
            gates,
            outputs,
        })
}

fn uint(bits: u32) -> ValueType {
    ValueType::Int {
        signed: false,
        bits,
    }
}

fn input_type(choice: u8, arith: bool, ring_bits: u32) -> ValueType {
    let small = 1 + u32::from(choice / 8) % ring_bits.min(16);
    match choice % 6 {
        0 => ValueType::Bool,
        1 => uint(small),
        2 => ValueType::Int {
            signed: true,
            bits: small,
        },
        3 => ValueType::Array {
            elem: Box::new(uint(small.min(3))),
            len: 2,
        },
        4 => ValueType::Tuple(vec![
            ValueType::Bool,
            ValueType::Int {
                signed: true,
                bits: small,
            },
        ]),
        _ if arith => uint(ring_bits),
        _ => ValueType::Struct {
            name: "S".into(),
            fields: vec![("a".into(), ValueType::Bool), ("b".into(), uint(small))],
        },
    }
}

/// Builds a valid circuit; `boolean_only` keeps it exportable to Bristol.
fn build(r: &Recipe, boolean_only: bool) -> ValidCircuit {
    let mut b = CircuitBuilder::new(r.ring_bits);
    let n = 1 + u32::from(r.parties % 3);
    for i in 0..n {
        b.party(format!("party{i}"));
    }
    let mut bools: Vec<Wire> = Vec::new();
    let mut ariths: Vec<Wire> = Vec::new();
    for (i, &(party, choice, public, arith)) in r.inputs.iter().enumerate() {
        let arith = arith && !boolean_only;
        let domain = if arith { Domain::Arith } else { Domain::Bool };
        let ty = input_type(choice, arith, r.ring_bits);
        let wires = b.input(u32::from(party) % n, format!("in{i}"), ty, public, domain);
        if arith {
            ariths.extend(wires.iter());
        } else {
            bools.extend(wires.iter());
        }
    }
    let pick = |list: &[Wire], i: u32| list[i as usize % list.len()];
    let ops = if boolean_only { 5 } else { 13 };
    for &(op, a, c2, k) in &r.gates {
        let op = op % ops;
        let needs_arith = matches!(op, 5..=9 | 12);
        let needs_bool = matches!(op, 0 | 1 | 2 | 4 | 11);
        if needs_bool && bools.is_empty() {
            let w = b.constant(k & 1 == 1);
            bools.push(w);
            continue;
        }
        if needs_arith && ariths.is_empty() {
            let w = b.arith_const(k);
            ariths.push(w);
            continue;
        }
        match op {
            0 => {
                let w = b.xor(pick(&bools, a), pick(&bools, c2));
                bools.push(w)
            }
            1 => {
                let w = b.and(pick(&bools, a), pick(&bools, c2));
                bools.push(w)
            }
            2 => {
                let w = b.not(pick(&bools, a));
                bools.push(w)
            }
            3 => {
                let w = b.constant(k & 1 == 1);
                bools.push(w)
            }
            4 => {
                let w = b.copy(pick(&bools, a));
                bools.push(w)
            }
            5 => {
                let w = b.add(pick(&ariths, a), pick(&ariths, c2));
                ariths.push(w)
            }
            6 => {
                let w = b.sub(pick(&ariths, a), pick(&ariths, c2));
                ariths.push(w)
            }
            7 => {
                let w = b.mul(pick(&ariths, a), pick(&ariths, c2));
                ariths.push(w)
            }
            8 => {
                let w = b.add_const(pick(&ariths, a), k);
                ariths.push(w)
            }
            9 => {
                let w = b.mul_const(pick(&ariths, a), k);
                ariths.push(w)
            }
            10 => {
                let w = b.arith_const(k);
                ariths.push(w)
            }
            11 => {
                let len = 1 + (k % u64::from(r.ring_bits)) as u32;
                let bits: Vec<Wire> = (0..len)
                    .map(|i| pick(&bools, a.wrapping_add(i.wrapping_mul(c2 | 1))))
                    .collect();
                let w = b.bits_to_arith(&bits);
                ariths.push(w)
            }
            _ => {
                let len = 1 + (k % u64::from(r.ring_bits)) as u32;
                let outs = b.arith_to_bits(pick(&ariths, a), len);
                bools.extend(outs.iter());
            }
        }
    }
    let everyone = b.all_parties();
    for (i, (arith, mask, picks)) in r.outputs.iter().enumerate() {
        let recipients: Vec<u32> = everyone
            .iter()
            .copied()
            .filter(|p| mask >> p & 1 == 1)
            .collect();
        if *arith && !ariths.is_empty() && !boolean_only {
            let wires: Vec<Wire> = picks.iter().map(|&p| pick(&ariths, p)).collect();
            let ty = ValueType::Array {
                elem: Box::new(uint(r.ring_bits)),
                len: wires.len() as u64,
            };
            b.output(format!("out{i}"), recipients, ty, Domain::Arith, wires);
        } else {
            if bools.is_empty() {
                let w = b.constant(false);
                bools.push(w);
            }
            let wires: Vec<Wire> = picks.iter().map(|&p| pick(&bools, p)).collect();
            let ty = uint(wires.len() as u32);
            b.output(format!("out{i}"), recipients, ty, Domain::Bool, wires);
        }
    }
    b.finish()
        .unwrap_or_else(|e| panic!("the generator built an invalid circuit: {e}"))
}

/// Deterministic input words for every input group, from `seed`.
fn inputs_for(c: &ValidCircuit, seed: u64) -> Vec<Vec<u64>> {
    let c = c.circuit();
    let mask = if c.ring_bits >= 64 {
        u64::MAX
    } else {
        (1u64 << c.ring_bits) - 1
    };
    let mut x = seed | 1;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    c.inputs
        .iter()
        .map(|g| {
            (0..g.wires.len())
                .map(|_| match g.domain {
                    Domain::Bool => next() & 1,
                    Domain::Arith => next() & mask,
                })
                .collect()
        })
        .collect()
}

fn run(c: &ValidCircuit, inputs: &[Vec<u64>]) -> Vec<Vec<u64>> {
    Evaluator::new(c)
        .run_words(inputs)
        .expect("inputs fit the circuit")
}

/// Zero inputs of the right widths: enough to run any circuit that decodes and validates.
fn zeros(c: &ValidCircuit) -> Vec<Vec<u64>> {
    c.circuit()
        .inputs
        .iter()
        .map(|g| vec![0; g.wires.len() as usize])
        .collect()
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(0x5eed_c1c0),
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn vc_and_text_round_trips_are_lossless(r in recipe(), seed in any::<u64>()) {
        let c = build(&r, false);
        let inputs = inputs_for(&c, seed);
        let want = run(&c, &inputs);

        let decoded = vc::decode(&vc::encode(c.circuit())).expect(".vc decodes");
        prop_assert_eq!(&decoded, c.circuit());
        let decoded = ValidCircuit::new(decoded).expect("valid");
        prop_assert_eq!(run(&decoded, &inputs), want.clone());

        let t = text::to_text(c.circuit());
        let parsed = text::parse(&t).expect("text parses");
        prop_assert_eq!(&parsed, c.circuit());
        let parsed = ValidCircuit::new(parsed).expect("valid");
        prop_assert_eq!(run(&parsed, &inputs), want);
    }

    #[test]
    fn bristol_round_trip_keeps_evaluation(r in recipe(), seed in any::<u64>(), msb in any::<bool>()) {
        let c = build(&r, true);
        let order = if msb { BitOrder::MsbFirst } else { BitOrder::LsbFirst };
        let inputs = inputs_for(&c, seed);
        let text = bristol::write(&c, order).expect("Boolean circuits export");
        let back = bristol::read(&text, &BristolOptions { bit_order: order, ..BristolOptions::default() })
            .expect("exported text reads back");
        prop_assert_eq!(back.circuit().inputs.len(), c.circuit().inputs.len());
        prop_assert_eq!(run(&back, &inputs), run(&c, &inputs));
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn corrupted_vc_never_panics(
        r in recipe(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let c = build(&r, false);
        let mut bytes = vc::encode(c.circuit());
        for (at, value) in &edits {
            let i = at.index(bytes.len());
            bytes[i] = *value;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len() + 1));
        }
        if let Ok(decoded) = vc::decode(&bytes) {
            if let Ok(valid) = ValidCircuit::new(decoded) {
                let _ = Evaluator::new(&valid).run_words(&zeros(&valid));
                let _ = veil_circuit::Stats::of(&valid);
            }
        }
    }

    #[test]
    fn corrupted_bristol_never_panics(
        r in recipe(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0usize..20), 0..6),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
        old in any::<bool>(),
    ) {
        const ALPHABET: &[u8] = b"0123456789 \n\rXORANDINVEQWM9";
        let c = build(&r, true);
        let mut text = bristol::write(&c, BitOrder::LsbFirst).expect("exports").into_bytes();
        for (at, ch) in &edits {
            let i = at.index(text.len());
            text[i] = ALPHABET[*ch % ALPHABET.len()];
        }
        if truncate {
            text.truncate(cut.index(text.len() + 1));
        }
        let text = String::from_utf8(text).expect("ASCII stays UTF-8");
        let opts = BristolOptions {
            format: old.then_some(bristol::BristolFormat::Old),
            ..BristolOptions::default()
        };
        if let Ok(valid) = bristol::read(&text, &opts) {
            let _ = Evaluator::new(&valid).run_words(&zeros(&valid));
            let _ = veil_circuit::Stats::of(&valid);
        }
    }

    #[test]
    fn corrupted_text_never_panics(
        r in recipe(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0usize..24), 0..6),
        cut in any::<prop::sample::Index>(),
    ) {
        const ALPHABET: &[u8] = b"w0123456789 .=:;[](){}#\"\n";
        let c = build(&r, false);
        let mut t = text::to_text(c.circuit()).into_bytes();
        for (at, ch) in &edits {
            let i = at.index(t.len());
            t[i] = ALPHABET[*ch % ALPHABET.len()];
        }
        t.truncate(cut.index(t.len() + 1).max(t.len() / 2));
        let t = String::from_utf8_lossy(&t).into_owned();
        if let Ok(parsed) = text::parse(&t) {
            if let Ok(valid) = ValidCircuit::new(parsed) {
                let _ = Evaluator::new(&valid).run_words(&zeros(&valid));
            }
        }
    }
}

#[test]
fn a_wire_mark_byte_flip_is_caught() {
    // Spot check beside the random ones: flipping a mark to public on a secret
    // wire decodes but fails validation.
    let r = Recipe {
        ring_bits: 8,
        parties: 1,
        inputs: vec![(0, 1, false, false)],
        gates: vec![(1, 0, 0, 0)],
        outputs: vec![(false, 3, vec![0])],
    };
    let c = build(&r, true);
    let mut bytes = vc::encode(c.circuit());
    let last = bytes.len() - 1;
    bytes[last] |= 1;
    let decoded = vc::decode(&bytes).expect("still well-formed");
    assert!(ValidCircuit::new(decoded).is_err());
}
