//! The arith backend against the plaintext reference: random arithmetic
//! (rings of 64 and 16 bits) and mixed circuits with 2 and 3 parties and
//! both preprocessing modes, batches of instances, shared Bristol vectors;
//! what a party sees on the wire, and peers that hang up.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::tap::*;
use common::*;
use proptest::prelude::*;
use veil_circuit::{CircuitBuilder, Domain, ValidCircuit, Value, ValueType, Wire};
use veil_vm::block::Block;
use veil_vm::crypto::Prg;
use veil_vm::preprocess::Preprocessing;
use veil_vm::{
    prepare_with, run_local, run_local_many, BackendKind, BackendOptions, LocalOptions, Protocol,
};

fn arith(circuit: &ValidCircuit, opts: &BackendOptions) -> (Arc<ValidCircuit>, Arc<dyn Protocol>) {
    let circuit = Arc::new(circuit.clone());
    let protocol =
        prepare_with(BackendKind::Arith, Arc::clone(&circuit), opts).expect("arith accepts it");
    (circuit, protocol)
}

fn run_arith(
    circuit: &ValidCircuit,
    inputs: &[Value],
    opts: &BackendOptions,
) -> Vec<Vec<Option<Value>>> {
    let (circuit, protocol) = arith(circuit, opts);
    run_local(&protocol, &circuit, inputs, LocalOptions::default())
        .expect("run succeeds")
        .outputs
}

fn mask(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1 << bits) - 1
    }
}

/// A small deterministic generator for test inputs (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

const MODES: [Preprocessing; 2] = [Preprocessing::Dealer, Preprocessing::Ot];

// ---------------------------------------------------------------------------
// 1. Random circuits
// ---------------------------------------------------------------------------

/// A random circuit over Z_2^`ring` (as in the schedule's tests): Boolean
/// and arithmetic gates and conversions (only arithmetic gates if
/// `arith_only`), public and secret inputs of two parties; returns it with
/// inputs drawn from `raw`.
fn mixed(
    ops: &[(u8, u16, u16, u64)],
    public: u8,
    ring: u32,
    arith_only: bool,
    raw: &[u64],
) -> (ValidCircuit, Vec<Value>) {
    let m = mask(ring);
    let mut b = CircuitBuilder::new(ring);
    let p = b.party("p");
    let q = b.party("q");
    let mut bits: Vec<Wire> = Vec::new();
    let mut ariths: Vec<Wire> = Vec::new();
    let mut values = Vec::new();
    for i in 0..4u8 {
        let owner = if i % 2 == 0 { p } else { q };
        let is_pub = public >> i & 1 == 1;
        bits.extend(
            b.input(owner, format!("b{i}"), uint(4), is_pub, Domain::Bool)
                .iter(),
        );
        values.push(uv(4, u128::from(raw[2 * i as usize] & 0xf)));
        ariths.push(
            b.input(owner, format!("a{i}"), uint(ring), is_pub, Domain::Arith)
                .start,
        );
        values.push(uv(ring, u128::from(raw[2 * i as usize + 1] & m)));
    }
    for &(kind, x, y, c) in ops {
        let (bx, by) = (bits[x as usize % bits.len()], bits[y as usize % bits.len()]);
        let (ax, ay) = (
            ariths[x as usize % ariths.len()],
            ariths[y as usize % ariths.len()],
        );
        let kind = if arith_only {
            [4, 5, 6, 6, 6, 7, 8, 11][kind as usize % 8]
        } else {
            kind % 12
        };
        match kind {
            0 => bits.push(b.xor(bx, by)),
            1 => bits.push(b.and(bx, by)),
            2 => bits.push(b.not(bx)),
            3 => bits.push(b.constant(c & 1 == 1)),
            4 => ariths.push(b.add(ax, ay)),
            5 => ariths.push(b.sub(ax, ay)),
            6 => ariths.push(b.mul(ax, ay)),
            7 => ariths.push(b.add_const(ax, c & m)),
            8 => ariths.push(b.mul_const(ax, c & m)),
            9 => {
                let n = bits.len();
                let take: Vec<Wire> = (0..(c % 5 + 1) as usize)
                    .map(|i| bits[(x as usize + i) % n])
                    .collect();
                ariths.push(b.bits_to_arith(&take));
            }
            10 => bits.extend(b.arith_to_bits(ax, (c % u64::from(ring) + 1) as u32).iter()),
            _ => ariths.push(b.arith_const(c & m)),
        }
    }
    let nb = bits.len();
    let outs: Vec<Wire> = (0..8).map(|i| bits[(nb - 1 - i % nb) % nb]).collect();
    b.output("bits", vec![0, 1], uint(8), Domain::Bool, outs);
    let na = ariths.len();
    let outs: Vec<Wire> = (0..3).map(|i| ariths[(na - 1 - i % na) % na]).collect();
    let ty = ValueType::Array {
        elem: Box::new(uint(ring)),
        len: 3,
    };
    b.output("ariths", vec![0], ty, Domain::Arith, outs);
    let last: Vec<Wire> = vec![ariths[na - 1]];
    b.output("last", vec![1], uint(ring), Domain::Arith, last);
    (b.finish().expect("valid mixed circuit"), values)
}

/// arith among 2 or 3 parties (a helper) equals the plaintext evaluator for
/// every party; helpers and the dealer get nothing.
fn check(
    circuit: &ValidCircuit,
    inputs: &[Value],
    three: bool,
    mode: Preprocessing,
) -> Result<(), TestCaseError> {
    let got = run_arith(circuit, inputs, &options(three.then_some(3), mode));
    let want = expected(circuit, inputs, 2);
    prop_assert_eq!(&got[..2], &want[..]);
    for other in &got[2..] {
        prop_assert!(other.iter().all(Option::is_none));
    }
    Ok(())
}

fn ops() -> impl Strategy<Value = Vec<(u8, u16, u16, u64)>> {
    proptest::collection::vec(
        (any::<u8>(), any::<u16>(), any::<u16>(), any::<u64>()),
        0..80,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(12), ..ProptestConfig::default() })]

    /// Arithmetic circuits over Z_2^64 and Z_2^16.
    #[test]
    fn arith_circuits_equal_clear(
        ops in ops(), public in any::<u8>(), raw in proptest::collection::vec(any::<u64>(), 8),
        small in any::<bool>(), three in any::<bool>(), dealer in any::<bool>(),
    ) {
        let ring = if small { 16 } else { 64 };
        let (c, inputs) = mixed(&ops, public, ring, true, &raw);
        let mode = if dealer { Preprocessing::Dealer } else { Preprocessing::Ot };
        check(&c, &inputs, three, mode)?;
    }

    /// Mixed circuits: Boolean gates, MUL, AND and both conversions.
    #[test]
    fn mixed_circuits_equal_clear(
        ops in ops(), public in any::<u8>(), raw in proptest::collection::vec(any::<u64>(), 8),
        small in any::<bool>(), three in any::<bool>(), dealer in any::<bool>(),
    ) {
        let ring = if small { 16 } else { 64 };
        let (c, inputs) = mixed(&ops, public, ring, false, &raw);
        let mode = if dealer { Preprocessing::Dealer } else { Preprocessing::Ot };
        check(&c, &inputs, three, mode)?;
    }
}

/// Every combination once, on a fixed circuit with every gate kind (so that
/// a small `VEIL_PROPTEST_CASES` still covers them all).
#[test]
fn every_mode_and_party_count_on_a_fixed_mixed_circuit() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let ops: Vec<(u8, u16, u16, u64)> = (0..120)
        .map(|_| {
            let r = rng.next();
            (r as u8, (r >> 8) as u16, (r >> 24) as u16, rng.next())
        })
        .collect();
    let raw: Vec<u64> = (0..8).map(|_| rng.next()).collect();
    for ring in [64, 16] {
        for arith_only in [true, false] {
            let (c, inputs) = mixed(&ops, 0b0010_0100, ring, arith_only, &raw);
            for three in [false, true] {
                for mode in MODES {
                    check(&c, &inputs, three, mode).unwrap_or_else(|e| {
                        panic!("ring {ring}, {arith_only}, {three}, {mode:?}: {e}")
                    });
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// 2. Batches
// ---------------------------------------------------------------------------

/// A batch of 1, 63, 64 and 65 instances gives, instance by instance, what
/// separate runs and the plaintext evaluator give (mixed circuit, 2 and 3
/// parties, both modes). Catches: wrong instance layout, material reused
/// across instances.
#[test]
fn batches_equal_separate_runs() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let ops: Vec<(u8, u16, u16, u64)> = (0..60)
        .map(|_| {
            let r = rng.next();
            (r as u8, (r >> 8) as u16, (r >> 24) as u16, rng.next())
        })
        .collect();
    let (circuit, _) = mixed(&ops, 0b0100, 16, false, &[0; 8]);
    for parties in [None, Some(3)] {
        for mode in MODES {
            let (circ, protocol) = arith(&circuit, &options(parties, mode));
            for count in [1usize, 63, 64, 65] {
                let batch: Vec<Vec<Value>> = (0..count)
                    .map(|_| {
                        let raw: Vec<u64> = (0..8).map(|_| rng.next()).collect();
                        mixed(&ops, 0b0100, 16, false, &raw).1
                    })
                    .collect();
                check_batch(
                    &protocol,
                    &circ,
                    &batch,
                    1,
                    &format!("{parties:?} parties, {mode:?}"),
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------
// 3. Shared Bristol vectors
// ---------------------------------------------------------------------------

/// A few Boolean known-answer circuits under arith (Boolean wires), two
/// parties, both modes.
#[test]
fn shared_vectors_under_arith() {
    let keep = [
        "bristol-fashion/adder64.txt",
        "bristol-fashion/zero_equal.txt",
        "bristol/comparator_32bit_signed_lt.txt",
        "bristol/comparator_32bit_unsigned_lteq.txt",
    ];
    let Some(sets) = shared_vectors(|p| keep.contains(&p)) else {
        return;
    };
    let mut checked = 0;
    for set in &sets {
        let runs = set.runs();
        for mode in MODES {
            let (circ, protocol) = arith(&set.circuit, &options(None, mode));
            let done = run_local_many(&protocol, &circ, &runs, LocalOptions::default())
                .unwrap_or_else(|e| panic!("{}, {mode:?}: {e}", set.path));
            for (i, run) in done.iter().enumerate() {
                set.check(i, &run.outputs, &format!("{mode:?}"));
                checked += 1;
            }
        }
    }
    assert!(checked >= 30, "only {checked} vector runs checked");
}

// ---------------------------------------------------------------------------
// 4. Privacy
// ---------------------------------------------------------------------------

/// p0's secret `x` (four u64 ring elements) times p1's `y`, to p0 only.
fn mul_to_p0() -> ValidCircuit {
    let mut b = CircuitBuilder::new(64);
    let p0 = b.party("p0");
    let p1 = b.party("p1");
    let ty = ValueType::Array {
        elem: Box::new(uint(64)),
        len: 4,
    };
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
    b.finish().expect("valid circuit")
}

/// What p1 receives from p0 over many runs, with p0's input 0 and 2^64 − 1:
/// a seed for the input shares, then p0's shares of the opened `d`, `e`
/// (and nothing after: the output goes to p0 only). p1 knows its own share
/// `s` of p0's input (the seed's stream), so `d_0 + s = x − a_0`: its bits
/// must be balanced and never spell the input, whatever the input. Catches:
/// an input or its share sent in the clear, `d` not masked by a triple, a
/// triple reused across runs, input-dependent message sizes.
#[test]
fn a_party_sees_uniform_shares_of_another_partys_input() {
    for mode in MODES {
        let (circuit, protocol) = arith(&mul_to_p0(), &options(None, mode));
        let runs_per_input = 50;
        let mut lengths = Vec::new();
        for x in [0u64, u64::MAX] {
            let runs: Vec<Vec<Value>> = (0..runs_per_input)
                .map(|i| vec![array4(x), array4(0x5555 * i as u64)])
                .collect();
            let sides = run_tapped(&protocol, &circuit, &runs, None, Duration::from_secs(10));
            let mut ones = 0usize;
            let mut total = 0usize;
            let mut seen: Vec<Vec<u64>> = Vec::new();
            for (r, (outputs, views)) in sides[1].runs.iter().enumerate() {
                assert_eq!(outputs[0], None, "p1 is not a recipient");
                let view = &views[0];
                lengths.push(view.len());
                let (seed, opened) = view[view.len() - 4 * 16 - 16..].split_at(16);
                let seed: [u8; 16] = seed.try_into().expect("16 bytes");
                let mut shares = vec![0u64; 8];
                let mut prg = Prg::from_seed(Block::from_bytes(seed));
                veil_vm::preprocess::boolean::fill_words(&mut prg, &mut shares);
                let words: Vec<u64> = opened
                    .chunks_exact(8)
                    .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
                    .collect();
                let masked: Vec<u64> = words
                    .chunks_exact(2)
                    .zip(&shares[..4])
                    .map(|(de, s)| de[0].wrapping_add(*s))
                    .collect();
                assert!(
                    masked.iter().all(|&m| m != x),
                    "run {r}: p0's d, unmasked with p1's share, is p0's input {x:#x}"
                );
                assert!(!seen.contains(&masked), "run {r}: a masked input repeats");
                for m in &masked {
                    ones += m.count_ones() as usize;
                    total += 64;
                }
                seen.push(masked);
                let want = expected(&circuit, &runs[r], 2);
                assert_eq!(sides[0].runs[r].0, want[0]);
            }
            let bal = ones as f64 / total as f64;
            assert!(
                (0.45..=0.55).contains(&bal),
                "{mode:?}, input {x:#x}: bit balance {bal:.3} of p0's masked input"
            );
        }
        let later: Vec<usize> = lengths
            .iter()
            .enumerate()
            .filter(|&(i, _)| i % runs_per_input != 0)
            .map(|(_, &l)| l)
            .collect();
        assert!(
            later.windows(2).all(|w| w[0] == w[1]),
            "{mode:?}: view sizes vary: {lengths:?}"
        );
        if mode == Preprocessing::Dealer {
            assert_eq!(
                lengths[0],
                16 + 4 * 16,
                "p1's view: a seed and the opened d, e"
            );
        }
    }
}

/// `o = a·b` to `o_to`, `z = a + b` to everyone (three parties, ring 64).
fn outputs_to(o_to: &[u32]) -> ValidCircuit {
    let mut b = CircuitBuilder::new(64);
    let ps: Vec<u32> = (0..3).map(|i| b.party(format!("p{i}"))).collect();
    let a = b.input(ps[0], "a", uint(64), false, Domain::Arith).start;
    let x = b.input(ps[1], "b", uint(64), false, Domain::Arith).start;
    let o = b.mul(a, x);
    let z = b.add(a, x);
    b.output("o", o_to.to_vec(), uint(64), Domain::Arith, [o]);
    b.output("z", ps, uint(64), Domain::Arith, [z]);
    b.finish().expect("valid circuit")
}

/// With `o` to p0 only, p1 and p2 get `None` for it and receive from each
/// peer exactly the seed (from a lower party), the opened `d`, `e` and the
/// share of `z`; giving `o` to p1 too adds exactly one share from each peer
/// to p1's view and nothing to p2's. Catches: output shares broadcast.
#[test]
fn a_non_recipient_receives_no_share_of_an_output() {
    let inputs = vec![uv(64, 0xdead_beef), uv(64, 0x1357_9bdf)];
    let (c0, p0) = arith(&outputs_to(&[0]), &options(None, Preprocessing::Dealer));
    let (c1, p1) = arith(&outputs_to(&[0, 1]), &options(None, Preprocessing::Dealer));
    let base = run_tapped(
        &p0,
        &c0,
        std::slice::from_ref(&inputs),
        None,
        Duration::from_secs(10),
    );
    let more = run_tapped(
        &p1,
        &c1,
        std::slice::from_ref(&inputs),
        None,
        Duration::from_secs(10),
    );
    let want = expected(&c0, &inputs, 3);
    for (p, side) in base.iter().enumerate().take(3) {
        assert_eq!(side.runs[0].0, want[p], "party {p}");
    }
    assert_eq!(base[1].runs[0].0[0], None);
    assert_eq!(base[2].runs[0].0[0], None);
    assert_eq!(more[1].runs[0].0[0], want[0][0]);
    for me in 1..3 {
        for peer in (0..3).filter(|&q| q != me) {
            let view = base[me].runs[0].1[peer].len();
            let seed = if peer < me { 16 } else { 0 };
            assert_eq!(view, seed + 16 + 8, "party {me}'s view from party {peer}");
            let grown = more[me].runs[0].1[peer].len() - view;
            assert_eq!(grown, if me == 1 { 8 } else { 0 }, "party {me} from {peer}");
        }
    }
}

// ---------------------------------------------------------------------------
// 5. Faults and refusals
// ---------------------------------------------------------------------------

/// `depth` layers of 8 dependent MULs and a conversion each, to both.
fn deep(depth: usize) -> ValidCircuit {
    let mut b = CircuitBuilder::new(64);
    let p0 = b.party("p0");
    let p1 = b.party("p1");
    let ty = ValueType::Array {
        elem: Box::new(uint(64)),
        len: 8,
    };
    let mut x: Vec<Wire> = b
        .input(p0, "x", ty.clone(), false, Domain::Arith)
        .iter()
        .collect();
    let y: Vec<Wire> = b
        .input(p1, "y", ty.clone(), false, Domain::Arith)
        .iter()
        .collect();
    for l in 0..depth {
        x = (0..8)
            .map(|j| {
                let t = b.mul(x[j], y[(j + l) % 8]);
                b.add(t, x[(j + 1) % 8])
            })
            .collect();
        if l % 10 == 0 {
            let bits: Vec<Wire> = b.arith_to_bits(x[0], 4).iter().collect();
            x[0] = b.bits_to_arith(&bits);
        }
    }
    b.output("x", vec![0, 1], ty, Domain::Arith, x);
    b.finish().expect("valid deep circuit")
}

/// A party that hangs up on a peer at any point: it fails with a
/// disconnection, every other compute party ends promptly with an error
/// naming a peer or (if the cut came late) the right outputs; none panics
/// or hangs.
#[test]
fn a_peer_that_hangs_up_is_an_error_not_a_panic_or_a_hang() {
    let timeout = Duration::from_secs(5);
    let circuit = deep(60);
    let x = Value::Array((0..8).map(|i| uv(64, 3 + i)).collect());
    let y = Value::Array((0..8).map(|i| uv(64, 0x0001_2345_6789 * (i + 1))).collect());
    let inputs = vec![x, y];
    let want = expected(&circuit, &inputs, 2);
    let cases = [
        (None, Preprocessing::Ot, 1, 0),
        (None, Preprocessing::Ot, 0, 1),
        (Some(3), Preprocessing::Ot, 1, 0),
        (Some(3), Preprocessing::Dealer, 1, 2),
        (Some(3), Preprocessing::Dealer, 2, 3),
    ];
    for (parties, mode, victim, from) in cases {
        let (circ, protocol) = arith(&circuit, &options(parties, mode));
        let compute = parties.unwrap_or(2);
        let honest = run_tapped(
            &protocol,
            &circ,
            std::slice::from_ref(&inputs),
            None,
            timeout,
        );
        assert_eq!(honest[0].runs[0].0, want[0]);
        let total = honest[victim].runs[0].1[from].len() as u64;
        assert!(
            total > 1000,
            "a run carries {total} bytes from {from} to {victim}"
        );
        for cut in [0, 1, total / 3, total / 2, total - 20, total - 1] {
            let what = format!(
                "{parties:?} parties, {mode:?}, {victim} hangs up on {from} after {cut} of {total} bytes"
            );
            let sides = run_tapped(
                &protocol,
                &circ,
                std::slice::from_ref(&inputs),
                Some((victim, from, cut)),
                timeout,
            );
            let e = sides[victim]
                .error
                .as_ref()
                .unwrap_or_else(|| panic!("{what}: it succeeded"));
            assert!(is_disconnection(e), "{what}: {e}");
            for (p, side) in sides.iter().enumerate().take(compute) {
                match &side.error {
                    Some(e) => {
                        assert!(
                            e.to_string().contains('`'),
                            "{what}: party {p}'s error names no party: {e}"
                        );
                        assert!(
                            side.elapsed < timeout,
                            "{what}: party {p} waited out the timeout ({e})"
                        );
                    }
                    None => {
                        assert!(cut > total / 2, "{what}: party {p} succeeded");
                        if p < 2 {
                            assert_eq!(side.runs[0].0, want[p], "{what}: party {p}'s output");
                        }
                    }
                }
            }
        }
    }
}

/// Fewer parties than the circuit has are refused as an input error.
#[test]
fn arith_refuses_too_few_parties() {
    let three = Arc::new(outputs_to(&[0]));
    for n in [1, 2] {
        let e = prepare_with(
            BackendKind::Arith,
            Arc::clone(&three),
            &options(Some(n), Preprocessing::Ot),
        )
        .expect_err("fewer parties than the circuit has");
        assert!(e.is_input_error(), "got {e}");
    }
}
