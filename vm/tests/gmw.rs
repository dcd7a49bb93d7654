//! The GMW backend against the plaintext reference (shared known-answer
//! vectors, random circuits for 2–4 parties, batches of instances), its round
//! count, what a party sees on the wire, and peers that hang up.

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
    VmError,
};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn gmw(circuit: &ValidCircuit, opts: &BackendOptions) -> (Arc<ValidCircuit>, Arc<dyn Protocol>) {
    let circuit = Arc::new(circuit.clone());
    let protocol =
        prepare_with(BackendKind::Gmw, Arc::clone(&circuit), opts).expect("gmw accepts it");
    (circuit, protocol)
}

/// Runs `opts`' gmw once in local mode: what each party received.
fn run_gmw(
    circuit: &ValidCircuit,
    inputs: &[Value],
    opts: &BackendOptions,
) -> Vec<Vec<Option<Value>>> {
    let (circuit, protocol) = gmw(circuit, opts);
    run_local(&protocol, &circuit, inputs, LocalOptions::default())
        .expect("run succeeds")
        .outputs
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
// 1. Known answers
// ---------------------------------------------------------------------------

/// Every known-answer vector of `shared/circuits/vectors.json` under gmw,
/// with two and with three parties (a helper), with triples from a dealer and
/// from OT; the vectors of one circuit run in one session.
#[test]
fn shared_vectors_under_gmw() {
    let Some(sets) = shared_vectors(|_| true) else {
        return;
    };
    let mut checked = 0;
    for set in &sets {
        let runs = set.runs();
        for parties in [None, Some(3)] {
            for mode in MODES {
                let (circ, protocol) = gmw(&set.circuit, &options(parties, mode));
                let done = run_local_many(&protocol, &circ, &runs, LocalOptions::default())
                    .unwrap_or_else(|e| {
                        panic!("{} with {parties:?} parties, {mode:?}: {e}", set.path)
                    });
                for (i, run) in done.iter().enumerate() {
                    set.check(i, &run.outputs, &format!("{parties:?} parties, {mode:?}"));
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 400, "only {checked} vector runs checked");
}

// ---------------------------------------------------------------------------
// 2. Random circuits
// ---------------------------------------------------------------------------

/// gmw among the circuit's parties plus `extra` helpers equals the
/// plaintext evaluator for every party; helpers and the dealer learn nothing.
fn check_random(
    rc: &RandCircuit,
    n: usize,
    extra: usize,
    mode: Preprocessing,
) -> Result<(), TestCaseError> {
    let opts = options((extra > 0).then_some(n + extra), mode);
    let got = run_gmw(&rc.circuit, &rc.inputs, &opts);
    let want = expected(&rc.circuit, &rc.inputs, n);
    let total = n + extra + usize::from(mode == Preprocessing::Dealer);
    prop_assert_eq!(got.len(), total);
    prop_assert_eq!(&got[..n], &want[..]);
    for other in &got[n..] {
        prop_assert!(other.iter().all(Option::is_none));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(24), ..ProptestConfig::default() })]

    /// Two parties (secret and public inputs, constants, every gate kind,
    /// outputs to any recipient set), with up to two helpers.
    #[test]
    fn gmw_equals_clear_two_parties(rc in rand_circuit(2, 120), extra in 0usize..3, dealer in any::<bool>()) {
        let mode = if dealer { Preprocessing::Dealer } else { Preprocessing::Ot };
        check_random(&rc, 2, extra, mode)?;
    }

    #[test]
    fn gmw_equals_clear_three_parties(rc in rand_circuit(3, 120), extra in 0usize..2, dealer in any::<bool>()) {
        let mode = if dealer { Preprocessing::Dealer } else { Preprocessing::Ot };
        check_random(&rc, 3, extra, mode)?;
    }

    #[test]
    fn gmw_equals_clear_four_parties(rc in rand_circuit(4, 120), dealer in any::<bool>()) {
        let mode = if dealer { Preprocessing::Dealer } else { Preprocessing::Ot };
        check_random(&rc, 4, 0, mode)?;
    }

    /// A one-party circuit runs with a helper, which learns nothing.
    #[test]
    fn gmw_runs_one_party_circuits(rc in rand_circuit(1, 60), dealer in any::<bool>()) {
        let mode = if dealer { Preprocessing::Dealer } else { Preprocessing::Ot };
        check_random(&rc, 1, 1, mode)?;
        let got = run_gmw(&rc.circuit, &rc.inputs, &options(None, mode));
        prop_assert_eq!(&got[..1], &expected(&rc.circuit, &rc.inputs, 1)[..]);
        prop_assert!(got[1].iter().all(Option::is_none));
    }
}

// ---------------------------------------------------------------------------
// 3. Batches of instances
// ---------------------------------------------------------------------------

/// p0's secret `a: u16` and public `k: u16`, p1's secret `b: u16`:
/// `s = (a + b) & k` to p0, `t = !(a ^ b) & (a + k)` to p1, `u = a & b` to both.
/// Public inputs, NOT and AND with a public wire exercise the padding bits
/// of the last word of a batch.
fn mixed() -> ValidCircuit {
    let mut b = CircuitBuilder::new(64);
    let p0 = b.party("p0");
    let p1 = b.party("p1");
    let a: Vec<Wire> = b
        .input(p0, "a", uint(16), false, Domain::Bool)
        .iter()
        .collect();
    let k: Vec<Wire> = b
        .input(p0, "k", uint(16), true, Domain::Bool)
        .iter()
        .collect();
    let x: Vec<Wire> = b
        .input(p1, "b", uint(16), false, Domain::Bool)
        .iter()
        .collect();
    let sum = add_bits(&mut b, &a, &x);
    let s: Vec<Wire> = sum.iter().zip(&k).map(|(&p, &q)| b.and(p, q)).collect();
    let ak = add_bits(&mut b, &a, &k);
    let t: Vec<Wire> = (0..16)
        .map(|i| {
            let e = b.xor(a[i], x[i]);
            let ne = b.not(e);
            b.and(ne, ak[i])
        })
        .collect();
    let u: Vec<Wire> = a.iter().zip(&x).map(|(&p, &q)| b.and(p, q)).collect();
    b.output("s", vec![0], uint(16), Domain::Bool, s);
    b.output("t", vec![1], uint(16), Domain::Bool, t);
    b.output("u", vec![0, 1], uint(16), Domain::Bool, u);
    b.finish().expect("valid mixed circuit")
}

/// A batch of 1, 63, 64, 65 and 130 instances gives, instance by instance,
/// what separate runs give (and what the plaintext evaluator gives), for two
/// and three parties and both preprocessing modes. Catches: wrong bit-slicing
/// of inputs or outputs, a lost last partial word, padding bits leaking into
/// results, triples reused across instances.
#[test]
fn batches_equal_separate_runs() {
    let circuit = mixed();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for parties in [None, Some(3)] {
        for mode in MODES {
            let (circ, protocol) = gmw(&circuit, &options(parties, mode));
            for count in [1usize, 63, 64, 65, 130] {
                let batch: Vec<Vec<Value>> = (0..count)
                    .map(|_| {
                        (0..3)
                            .map(|_| uv(16, u128::from(rng.next() & 0xffff)))
                            .collect()
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
// 4. Rounds
// ---------------------------------------------------------------------------

/// `depth` layers of 64 dependent ANDs: `x ← (x ∧ rot(y, l)) ⊕ x_{+1}`, to both.
fn deep(depth: usize) -> ValidCircuit {
    let mut b = CircuitBuilder::new(64);
    let p0 = b.party("p0");
    let p1 = b.party("p1");
    let mut x: Vec<Wire> = b
        .input(p0, "x", uint(64), false, Domain::Bool)
        .iter()
        .collect();
    let y: Vec<Wire> = b
        .input(p1, "y", uint(64), false, Domain::Bool)
        .iter()
        .collect();
    for l in 0..depth {
        x = (0..64)
            .map(|j| {
                let t = b.and(x[j], y[(j + l) % 64]);
                b.xor(t, x[(j + 1) % 64])
            })
            .collect();
    }
    b.output("x", vec![0, 1], uint(64), Domain::Bool, x);
    b.finish().expect("valid deep circuit")
}

/// The rounds a run reports are the AND-depth plus at most two (seeds for
/// the input shares, outputs; three with OT triples among three parties or
/// more, for the corrections), and not fewer than the depth, with a dealer
/// and with OT triples (after the session's OT set-up), for 2 and 3 parties.
/// Catches: one message per gate, extra rounds per layer, layers not batched.
#[test]
fn rounds_are_the_and_depth_plus_a_constant() {
    let depth = 12;
    let circuit = deep(depth);
    let stats = veil_circuit::Stats::of(&circuit);
    assert_eq!(stats.and_depth, depth as u64);
    let inputs = vec![uv(64, 0x0123_4567_89ab_cdef), uv(64, 0xfedc_ba98_7654_3210)];
    let want = expected(&circuit, &inputs, 2);
    for parties in [None, Some(3)] {
        for mode in MODES {
            let (circ, protocol) = gmw(&circuit, &options(parties, mode));
            let runs = run_local_many(
                &protocol,
                &circ,
                &[inputs.clone(), inputs.clone()],
                LocalOptions::default(),
            )
            .expect("runs");
            let second = &runs[1];
            assert_eq!(&second.outputs[..2], &want[..]);
            for report in &second.reports {
                if report.party == "dealer" {
                    continue;
                }
                let rounds = report.rounds();
                let extra = if mode == Preprocessing::Ot && parties.is_some() {
                    3
                } else {
                    2
                };
                assert!(
                    (stats.and_depth..=stats.and_depth + extra).contains(&rounds),
                    "party {} ran {rounds} rounds for AND-depth {} ({parties:?} parties, {mode:?})",
                    report.party,
                    stats.and_depth
                );
                let names: Vec<&str> = report.phases.iter().map(|(n, _)| *n).collect();
                assert_eq!(names, ["triples", "inputs", "evaluate", "outputs"]);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// 5. Privacy
// ---------------------------------------------------------------------------

/// The fraction of 1 bits.
fn balance(bits: &[bool]) -> f64 {
    bits.iter().filter(|&&b| b).count() as f64 / bits.len() as f64
}

/// p0's secret `x: u256` (as four u64) AND p1's secret `y`, to p0 only.
fn and_to_p0() -> ValidCircuit {
    let mut b = CircuitBuilder::new(64);
    let p0 = b.party("p0");
    let p1 = b.party("p1");
    let ty = ValueType::Array {
        elem: Box::new(uint(64)),
        len: 4,
    };
    let x: Vec<Wire> = b
        .input(p0, "x", ty.clone(), false, Domain::Bool)
        .iter()
        .collect();
    let y: Vec<Wire> = b
        .input(p1, "y", ty.clone(), false, Domain::Bool)
        .iter()
        .collect();
    let z: Vec<Wire> = x.iter().zip(&y).map(|(&p, &q)| b.and(p, q)).collect();
    b.output("z", vec![0], ty, Domain::Bool, z);
    b.finish().expect("valid circuit")
}

/// What p1 receives from p0 over many runs, with p0's input all zeros and all
/// ones: the same number of bytes (a seed for the input shares, then the
/// opened `d`, `e` shares of the 256 AND gates, and no output share, since
/// the output goes to p0 only). p1 knows its own share `r` of p0's input
/// (the AES-CTR stream of that seed), and so `d ⊕ r = x ⊕ a_0`, p0's share
/// of its input masked by its triple: those bits must be balanced and never
/// spell the input, whatever the input; likewise `e ⊕ r'` (p0's `b` share).
/// Catches: an input or its share sent in the clear, `d` not masked by a
/// triple (`d ⊕ r` would be the input), a triple or a seed reused across runs,
/// input-dependent message sizes.
#[test]
fn a_party_sees_uniform_shares_of_another_partys_input() {
    for mode in MODES {
        let (circuit, protocol) = gmw(&and_to_p0(), &options(None, mode));
        let runs_per_input = 60;
        let mut lengths = Vec::new();
        for x in [0u64, u64::MAX] {
            let runs: Vec<Vec<Value>> = (0..runs_per_input)
                .map(|i| vec![array4(x), array4(0x5555 * i as u64)])
                .collect();
            let sides = run_tapped(&protocol, &circuit, &runs, None, Duration::from_secs(10));
            let mut d_bits = Vec::new();
            let mut e_bits = Vec::new();
            let mut masked: Vec<Vec<bool>> = Vec::new();
            for (r, (outputs, views)) in sides[1].runs.iter().enumerate() {
                assert_eq!(outputs[0], None, "p1 is not a recipient");
                let view = &views[0];
                lengths.push(view.len());
                // After the OT (if any): the 16-byte seed, then d, e words per gate.
                let (seed, opened) = view[view.len() - 256 * 16 - 16..].split_at(16);
                let seed: [u8; 16] = seed.try_into().expect("16 bytes");
                // p1's shares: p0's 256 input wires, then its own 256, one word each.
                let mut shares = vec![0u64; 512];
                let mut prg = Prg::from_seed(Block::from_bytes(seed));
                veil_vm::preprocess::boolean::fill_words(&mut prg, &mut shares);
                let words: Vec<u64> = opened
                    .chunks_exact(8)
                    .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
                    .collect();
                let d: Vec<bool> = words
                    .chunks_exact(2)
                    .zip(&shares[..256])
                    .map(|(de, r)| (de[0] ^ r) & 1 == 1)
                    .collect();
                let e: Vec<bool> = words
                    .chunks_exact(2)
                    .zip(&shares[256..])
                    .map(|(de, r)| (de[1] ^ r) & 1 == 1)
                    .collect();
                assert!(
                    d.iter().any(|&b| b != (x & 1 == 1)),
                    "run {r}: p0's d, unmasked with p1's share, spells p0's input {x:#x}"
                );
                assert!(
                    !masked.contains(&d),
                    "run {r}: p0's masked input repeats an earlier run's (a reused triple)"
                );
                masked.push(d.clone());
                d_bits.extend(d);
                e_bits.extend(e);
                // p0's output is right.
                let want = expected(&circuit, &runs[r], 2);
                assert_eq!(sides[0].runs[r].0, want[0]);
            }
            for (what, bits) in [("d", &d_bits), ("e", &e_bits)] {
                let bal = balance(bits);
                assert!(
                    (0.46..=0.54).contains(&bal),
                    "{mode:?}, p0's input {x:#x}: bit balance {bal:.3} of p0's {what} ⊕ p1's share"
                );
            }
        }
        // (The first run of each session also sets up the OT extension.)
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
        let opened = 16 + 256 * 16;
        match mode {
            Preprocessing::Dealer => {
                assert_eq!(lengths[0], opened, "p1's view: a seed and the opened d, e")
            }
            // 256 triples: 256 OTs with p0 as receiver, whose IKNP columns
            // (16 bytes per OT) p1 receives.
            Preprocessing::Ot => assert_eq!(later[0], opened + 256 * 16),
        }
    }
}

/// `o` = a + b to `o_to`, `z` = a & b to everyone (three parties, u32 inputs of p0 and p1).
fn outputs_to(o_to: &[u32]) -> ValidCircuit {
    let mut b = CircuitBuilder::new(64);
    let ps: Vec<u32> = (0..3).map(|i| b.party(format!("p{i}"))).collect();
    let a: Vec<Wire> = b
        .input(ps[0], "a", uint(32), false, Domain::Bool)
        .iter()
        .collect();
    let x: Vec<Wire> = b
        .input(ps[1], "b", uint(32), false, Domain::Bool)
        .iter()
        .collect();
    let sum = add_bits(&mut b, &a, &x);
    let z: Vec<Wire> = a.iter().zip(&x).map(|(&p, &q)| b.and(p, q)).collect();
    b.output("o", o_to.to_vec(), uint(32), Domain::Bool, sum);
    b.output("z", ps, uint(32), Domain::Bool, z);
    b.finish().expect("valid circuit")
}

/// With output `o` to p0 only, p1 and p2 get `None` for it and receive, from
/// each peer, exactly the seed (from a lower party), the opened `d`, `e` and
/// the shares of `z`: no byte about `o`. Giving `o` to p1 too adds exactly
/// its 32 shares from each peer to p1's view, and nothing to p2's. Catches:
/// output shares broadcast to every party, outputs handed to non-recipients.
#[test]
fn a_non_recipient_receives_no_share_of_an_output() {
    let inputs = vec![uv(32, 0xdead_beef), uv(32, 0x1357_9bdf)];
    let (c0, p0) = gmw(&outputs_to(&[0]), &options(None, Preprocessing::Dealer));
    let (c1, p1) = gmw(&outputs_to(&[0, 1]), &options(None, Preprocessing::Dealer));
    assert_eq!(p0.paid_gates(), p1.paid_gates());
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
    let ands = p0.paid_gates() as usize;
    let share = 8; // one word per secret output wire and instance
    for me in 1..3 {
        for peer in (0..3).filter(|&q| q != me) {
            let view = base[me].runs[0].1[peer].len();
            let seed = if peer < me { 16 } else { 0 };
            assert_eq!(
                view,
                seed + 16 * ands + 32 * share,
                "party {me}'s view from party {peer}: seed, opened d/e and the shares of z only"
            );
            let grown = more[me].runs[0].1[peer].len() - view;
            let want_growth = if me == 1 { 32 * share } else { 0 };
            assert_eq!(grown, want_growth, "party {me} from {peer}");
        }
    }
}

// ---------------------------------------------------------------------------
// 6. Faults and refusals
// ---------------------------------------------------------------------------

/// A party that hangs up on a peer during the OT set-up, the triples, the
/// input seeds, the evaluation or the outputs: it fails with a disconnection,
/// and every other compute party either ends promptly (well before the
/// timeout) with an error naming a peer or, when the cut came after it had
/// all it needed, with the right outputs; none panics or hangs. Catches:
/// unwraps on channel errors, waits without a timeout, a party that keeps
/// waiting on a peer that has died, a wrong output after a fault.
#[test]
fn a_peer_that_hangs_up_is_an_error_not_a_panic_or_a_hang() {
    let timeout = Duration::from_secs(5);
    let circuit = deep(200);
    let inputs = vec![uv(64, 0x0123_4567_89ab_cdef), uv(64, 42)];
    let want = expected(&circuit, &inputs, 2);
    // (parties, preprocessing, the party that hangs up, on which peer)
    let cases = [
        (None, Preprocessing::Ot, 1, 0),
        (None, Preprocessing::Ot, 0, 1),
        (Some(3), Preprocessing::Ot, 1, 0),
        (Some(3), Preprocessing::Dealer, 1, 2),
        (Some(3), Preprocessing::Dealer, 2, 3),
    ];
    for (parties, mode, victim, from) in cases {
        let (circ, protocol) = gmw(&circuit, &options(parties, mode));
        let compute = parties.unwrap_or(2);
        let honest = run_tapped(
            &protocol,
            &circ,
            std::slice::from_ref(&inputs),
            None,
            timeout,
        );
        let total = honest[victim].runs[0].1[from].len() as u64;
        assert!(
            total > 1000,
            "a run carries {total} bytes from party {from} to {victim}"
        );
        for cut in [0, 1, total / 3, total / 2, total - 20, total - 1] {
            let what = format!("{parties:?} parties, {mode:?}, {victim} hangs up on {from} after {cut} of {total} bytes");
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

/// Arithmetic circuits, and fewer parties than the circuit has, are refused
/// as `Unsupported` (an input error).
#[test]
fn gmw_refuses_what_it_cannot_run() {
    let mut b = CircuitBuilder::new(64);
    let g = b.party("p0");
    let e = b.party("p1");
    let x = b.input(g, "x", uint(64), false, Domain::Arith);
    let y = b.input(e, "y", uint(64), false, Domain::Arith);
    let s = b.add(x.iter().next().expect("x"), y.iter().next().expect("y"));
    b.output("s", vec![0, 1], uint(64), Domain::Arith, [s]);
    let arith = Arc::new(b.finish().expect("valid arithmetic circuit"));
    let e = prepare_with(BackendKind::Gmw, arith, &BackendOptions::default())
        .expect_err("gmw must refuse arithmetic");
    assert!(matches!(e, VmError::Unsupported { .. }), "got {e}");
    assert!(
        e.to_string().contains("arith"),
        "no hint at the arithmetic backends: {e}"
    );

    let three = Arc::new(outputs_to(&[0]));
    for n in [1, 2] {
        let e = prepare_with(
            BackendKind::Gmw,
            Arc::clone(&three),
            &options(Some(n), Preprocessing::Ot),
        )
        .expect_err("fewer parties than the circuit has");
        assert!(e.is_input_error(), "got {e}");
    }
}

/// Helpers and the dealer get names that do not clash with the circuit's.
#[test]
fn helper_and_dealer_names_are_unique() {
    let mut b = CircuitBuilder::new(64);
    let p = b.party("helper1");
    let q = b.party("dealer");
    let x = b
        .input(p, "x", ValueType::Bool, false, Domain::Bool)
        .iter()
        .next()
        .expect("x");
    let y = b
        .input(q, "y", ValueType::Bool, false, Domain::Bool)
        .iter()
        .next()
        .expect("y");
    let z = b.and(x, y);
    b.output("z", vec![0, 1], ValueType::Bool, Domain::Bool, [z]);
    let circuit = b.finish().expect("valid");
    let (circ, protocol) = gmw(&circuit, &options(Some(4), Preprocessing::Dealer));
    assert_eq!(
        protocol.parties(),
        ["helper1", "dealer", "helper1_", "helper2", "dealer_"]
    );
    let inputs = vec![Value::Bool(true), Value::Bool(true)];
    let run = run_local(&protocol, &circ, &inputs, LocalOptions::default()).expect("run");
    assert_eq!(run.outputs[0][0], Some(Value::Bool(true)));
    assert_eq!(run.outputs[1][0], Some(Value::Bool(true)));
}
