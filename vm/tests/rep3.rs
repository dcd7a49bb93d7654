//! The rep3 backend (replicated secret sharing, three parties) against the
//! plaintext reference: the shared known-answer vectors, random Boolean and
//! mixed circuits, batches of instances, rounds; and, seen from the wire,
//! that input shares look uniform, that non-recipients of an output get
//! nothing for it, and that a peer hanging up or falling silent ends the run with an error
//! (over the shared recording channels of `common/tap.rs`).

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::tap::{run_faulty, Fault, Side};
use common::*;
use proptest::prelude::*;
use veil_circuit::{CircuitBuilder, Domain, ValidCircuit, Value, ValueType, Wire};
use veil_vm::backend::rep3::Rep3;
use veil_vm::net::NetError;
use veil_vm::party::PartyOutputs;
use veil_vm::{
    prepare, prepare_with, run_local, run_local_batches, BackendKind, BackendOptions, LocalOptions,
    Protocol, VmError,
};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn rep3(circuit: &ValidCircuit) -> (Arc<ValidCircuit>, Arc<dyn Protocol>) {
    let circuit = Arc::new(circuit.clone());
    let protocol = prepare(BackendKind::Rep3, Arc::clone(&circuit)).expect("rep3 accepts it");
    (circuit, protocol)
}

/// Runs rep3 and checks every party's outputs against the reference (the
/// helpers must receive nothing).
fn check(circuit: &ValidCircuit, inputs: &[Value]) -> Result<(), TestCaseError> {
    let got = run(BackendKind::Rep3, circuit, inputs);
    let parties = circuit.circuit().parties.len();
    let want = expected(circuit, inputs, parties);
    prop_assert_eq!(got.len(), 3);
    prop_assert_eq!(&got[..parties], &want[..]);
    for helper in &got[parties..] {
        prop_assert!(helper.iter().all(Option::is_none));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Known answers
// ---------------------------------------------------------------------------

/// Every known-answer vector of `shared/circuits/vectors.json` under rep3
/// (the Bristol circuits have one or two parties: helpers make up three).
#[test]
fn shared_vectors_under_rep3() {
    let Some(sets) = shared_vectors(|_| true) else {
        return;
    };
    let mut checked = 0;
    for set in &sets {
        let (circuit, protocol) = rep3(&set.circuit);
        assert_eq!(protocol.parties().len(), 3);
        for (i, (_, inputs, _)) in set.vectors.iter().enumerate() {
            let got = run_local(&protocol, &circuit, inputs, LocalOptions::default())
                .expect("run")
                .outputs;
            set.check(i, &got, "rep3");
            checked += 1;
        }
    }
    assert!(checked >= 100, "only {checked} vectors checked");
}

// ---------------------------------------------------------------------------
// Random mixed circuits
// ---------------------------------------------------------------------------

/// A random mixed circuit over three parties: Boolean and arithmetic gates,
/// both conversions (up to the full ring width), public and secret inputs,
/// outputs to random recipient sets, over a `ring`-bit ring.
#[derive(Debug, Clone)]
struct Mixed {
    circuit: ValidCircuit,
    inputs: Vec<Value>,
}

type Op = (u8, u16, u16, u64);

fn mixed(ring: u32, ops: &[Op], public: u16, recipients: (u32, u32), raw: &[u64]) -> Mixed {
    let mask = if ring >= 64 {
        u64::MAX
    } else {
        (1u64 << ring) - 1
    };
    let mut b = CircuitBuilder::new(ring);
    let ps = [b.party("p"), b.party("q"), b.party("r")];
    let mut bits: Vec<Wire> = Vec::new();
    let mut ariths: Vec<Wire> = Vec::new();
    let mut values = Vec::new();
    for i in 0..6usize {
        let owner = ps[i % 3];
        let is_pub = public >> i & 1 == 1;
        bits.extend(
            b.input(owner, format!("b{i}"), uint(4), is_pub, Domain::Bool)
                .iter(),
        );
        values.push(Value::int(false, 4, u128::from(raw[2 * i] & 0xf)));
        let is_pub = public >> (6 + i) & 1 == 1;
        ariths.push(
            b.input(owner, format!("a{i}"), uint(ring), is_pub, Domain::Arith)
                .start,
        );
        values.push(Value::int(false, ring, u128::from(raw[2 * i + 1] & mask)));
    }
    for &(kind, x, y, c) in ops {
        let (bx, by) = (bits[x as usize % bits.len()], bits[y as usize % bits.len()]);
        let (ax, ay) = (
            ariths[x as usize % ariths.len()],
            ariths[y as usize % ariths.len()],
        );
        match kind % 13 {
            0 => bits.push(b.xor(bx, by)),
            1 | 12 => bits.push(b.and(bx, by)),
            2 => bits.push(b.not(bx)),
            3 => bits.push(b.constant(c & 1 == 1)),
            4 => ariths.push(b.add(ax, ay)),
            5 => ariths.push(b.sub(ax, ay)),
            6 => ariths.push(b.mul(ax, ay)),
            7 => ariths.push(b.add_const(ax, c & mask)),
            8 => ariths.push(b.mul_const(ax, c & mask)),
            9 => {
                let n = bits.len();
                let take: Vec<Wire> = (0..(c % u64::from(ring.min(6)) + 1) as usize)
                    .map(|i| bits[(x as usize + i) % n])
                    .collect();
                ariths.push(b.bits_to_arith(&take));
            }
            10 => bits.extend(b.arith_to_bits(ax, (c % u64::from(ring)) as u32 + 1).iter()),
            _ => ariths.push(b.arith_const(c & mask)),
        }
    }
    let to = |m: u32| (0..3u32).filter(|p| m >> p & 1 == 1).collect::<Vec<_>>();
    let nb = bits.len();
    let outs: Vec<Wire> = (0..8).map(|i| bits[(nb - 1 - i % nb) % nb]).collect();
    b.output("bits", to(recipients.0), uint(8), Domain::Bool, outs);
    let na = ariths.len();
    let outs: Vec<Wire> = (0..3).map(|i| ariths[(na - 1 - i % na) % na]).collect();
    b.output(
        "ariths",
        to(recipients.1),
        ValueType::Array {
            elem: Box::new(uint(ring)),
            len: 3,
        },
        Domain::Arith,
        outs,
    );
    Mixed {
        circuit: b.finish().expect("valid mixed circuit"),
        inputs: values,
    }
}

fn mixed_strategy(max_ops: usize) -> impl Strategy<Value = Mixed> {
    (
        prop::sample::select(vec![64u32, 16, 8, 37, 1]),
        prop::collection::vec(
            (any::<u8>(), any::<u16>(), any::<u16>(), any::<u64>()),
            0..max_ops,
        ),
        any::<u16>(),
        (1u32..8, 1u32..8),
        prop::collection::vec(any::<u64>(), 12),
    )
        .prop_map(|(ring, ops, public, rec, raw)| mixed(ring, &ops, public, rec, &raw))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(24), ..ProptestConfig::default() })]

    /// Random Boolean circuits of one, two and three parties: rep3 = clear.
    #[test]
    fn rep3_equals_clear_on_random_boolean_circuits(
        one in rand_circuit(1, 60),
        two in rand_circuit(2, 120),
        three in rand_circuit(3, 120),
    ) {
        check(&one.circuit, &one.inputs)?;
        check(&two.circuit, &two.inputs)?;
        check(&three.circuit, &three.inputs)?;
    }

    /// Random mixed circuits (conversions both ways, public and secret
    /// inputs, several ring widths): rep3 = clear for each recipient.
    #[test]
    fn rep3_equals_clear_on_random_mixed_circuits(m in mixed_strategy(120)) {
        check(&m.circuit, &m.inputs)?;
    }
}

/// A full-width conversion round trip over the 64-bit ring, on values whose
/// shares wrap around (the adder's carries must reach the top bit).
#[test]
fn conversions_are_exact_at_full_width() {
    let mut b = CircuitBuilder::new(64);
    let p = b.party("p");
    let q = b.party("q");
    let x = b.input(p, "x", uint(64), false, Domain::Arith).start;
    let y = b.input(q, "y", uint(64), false, Domain::Arith).start;
    let s = b.add(x, y);
    let bits: Vec<Wire> = b.arith_to_bits(s, 64).iter().collect();
    let back = b.bits_to_arith(&bits);
    let prod = b.mul(back, y);
    b.output("bits", vec![0, 1], uint(64), Domain::Bool, bits);
    b.output("prod", vec![0, 1], uint(64), Domain::Arith, vec![prod]);
    let c = b.finish().expect("valid");
    for (x, y) in [
        (0u64, 0u64),
        (u64::MAX, 1),
        (u64::MAX, u64::MAX),
        (0x8000_0000_0000_0000, 0x7fff_ffff_ffff_ffff),
        (0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210),
    ] {
        let inputs = [
            Value::int(false, 64, u128::from(x)),
            Value::int(false, 64, u128::from(y)),
        ];
        check(&c, &inputs).expect("rep3 = clear");
    }
}

// ---------------------------------------------------------------------------
// Batches
// ---------------------------------------------------------------------------

/// Every kind of interactive gate on the path to every output: MUL, a
/// full-width A2B, ANDs, a B2A, public inputs mixed in; outputs to
/// different recipient sets.
fn rich() -> ValidCircuit {
    let mut b = CircuitBuilder::new(64);
    let p = b.party("p");
    let q = b.party("q");
    let r = b.party("r");
    let x = b.input(p, "x", uint(64), false, Domain::Arith).start;
    let a: Vec<Wire> = b
        .input(p, "a", uint(8), false, Domain::Bool)
        .iter()
        .collect();
    let y = b.input(q, "y", uint(64), false, Domain::Arith).start;
    let c: Vec<Wire> = b
        .input(q, "c", uint(8), true, Domain::Bool)
        .iter()
        .collect();
    let z = b.input(r, "z", uint(64), true, Domain::Arith).start;
    let d: Vec<Wire> = b
        .input(r, "d", uint(8), false, Domain::Bool)
        .iter()
        .collect();
    let xy = b.mul(x, y);
    let m = b.add(xy, z);
    let bits: Vec<Wire> = b.arith_to_bits(m, 64).iter().collect();
    let anded: Vec<Wire> = (0..16)
        .map(|i| {
            let t = b.and(bits[i], a[i % 8]);
            let u = b.xor(t, c[i % 8]);
            b.and(u, d[(i + 3) % 8])
        })
        .collect();
    let back = b.bits_to_arith(&anded);
    let out = b.mul(back, x);
    b.output("m", vec![0, 1, 2], uint(64), Domain::Arith, vec![m]);
    b.output("back", vec![0, 2], uint(64), Domain::Arith, vec![out]);
    b.output(
        "bits",
        vec![1],
        uint(16),
        Domain::Bool,
        bits[48..64].to_vec(),
    );
    b.output("anded", vec![2], uint(16), Domain::Bool, anded);
    b.finish().expect("valid")
}

fn rich_inputs(next: &mut impl FnMut() -> u64) -> Vec<Value> {
    vec![
        Value::int(false, 64, u128::from(next())),
        Value::int(false, 8, u128::from(next() & 0xff)),
        Value::int(false, 64, u128::from(next())),
        Value::int(false, 8, u128::from(next() & 0xff)),
        Value::int(false, 64, u128::from(next())),
        Value::int(false, 8, u128::from(next() & 0xff)),
    ]
}

/// `--parallel`: batches of 1, 63, 64, 65 and 130 instances (around the
/// 64-instance words of bit-slicing) give what separate runs give.
#[test]
fn batches_equal_separate_runs() {
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let c = rich();
    let (circuit, protocol) = rep3(&c);
    for count in [1usize, 63, 64, 65, 130] {
        let instances: Vec<Vec<Value>> = (0..count).map(|_| rich_inputs(&mut next)).collect();
        check_batch(&protocol, &circuit, &instances, 16, "rep3");
    }
}

/// The same for random mixed circuits (a few shapes, 150 gates each).
#[test]
fn batches_of_random_mixed_circuits_equal_separate_runs() {
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    for shape in 0..6u16 {
        let ring = [64u32, 16, 37][shape as usize % 3];
        let ops: Vec<Op> = (0..150)
            .map(|_| (next() as u8, next() as u16, next() as u16, next()))
            .collect();
        let public = (next() as u16) & 0b1100_0011_1000;
        let to = (shape as u32 % 7 + 1, (shape as u32 + 3) % 7 + 1);
        let raw: Vec<u64> = (0..12).map(|_| next()).collect();
        let (circuit, protocol) = rep3(&mixed(ring, &ops, public, to, &raw).circuit);
        for count in [1usize, 63, 64, 65, 130] {
            let instances: Vec<Vec<Value>> = (0..count)
                .map(|_| {
                    let raw: Vec<u64> = (0..12).map(|_| next()).collect();
                    mixed(ring, &ops, public, to, &raw).inputs
                })
                .collect();
            check_batch(
                &protocol,
                &circuit,
                &instances,
                32,
                &format!("shape {shape}"),
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Rounds
// ---------------------------------------------------------------------------

/// A Boolean circuit of AND depth `depth`, four ANDs wide.
fn and_chain(depth: usize) -> ValidCircuit {
    let mut b = CircuitBuilder::new(64);
    let p = b.party("p");
    let q = b.party("q");
    let r = b.party("r");
    let x: Vec<Wire> = b
        .input(p, "x", uint(4), false, Domain::Bool)
        .iter()
        .collect();
    let y: Vec<Wire> = b
        .input(q, "y", uint(4), false, Domain::Bool)
        .iter()
        .collect();
    let z: Vec<Wire> = b
        .input(r, "z", uint(4), false, Domain::Bool)
        .iter()
        .collect();
    let mut cur = x.clone();
    for d in 0..depth {
        let other = if d % 2 == 0 { &y } else { &z };
        cur = (0..4)
            .map(|i| {
                let t = b.and(cur[i], other[(i + d) % 4]);
                b.xor(t, x[i])
            })
            .collect();
    }
    b.output("out", vec![0, 1, 2], uint(4), Domain::Bool, cur);
    b.finish().expect("valid chain")
}

/// Reported rounds = AND depth + a small constant (seeds, inputs, outputs),
/// for a single run and for a batch.
#[test]
fn rounds_follow_the_and_depth() {
    for depth in [1usize, 7, 40] {
        let c = and_chain(depth);
        let (circuit, protocol) = rep3(&c);
        let plan = Rep3::new(Arc::clone(&circuit), &BackendOptions::default()).expect("rep3");
        assert_eq!(plan.rounds(), depth);
        let inputs = [
            Value::int(false, 4, 5),
            Value::int(false, 4, 9),
            Value::int(false, 4, 14),
        ];
        let run = run_local(&protocol, &circuit, &inputs, LocalOptions::default()).expect("run");
        assert_eq!(run.outputs, expected(&c, &inputs, 3));
        let rounds = run.reports.iter().map(|r| r.rounds()).max().unwrap_or(0) as usize;
        assert!(
            rounds >= depth && rounds <= depth + 3,
            "depth {depth}: {rounds} rounds reported"
        );
        let batch = vec![inputs.to_vec(); 100];
        let runs = run_local_batches(
            &protocol,
            &circuit,
            std::slice::from_ref(&batch),
            LocalOptions::default(),
        )
        .expect("batch");
        let rounds = runs[0]
            .reports
            .iter()
            .map(|r| r.rounds())
            .max()
            .unwrap_or(0) as usize;
        assert!(
            rounds >= depth && rounds <= depth + 3,
            "depth {depth}, 100 instances: {rounds} rounds reported"
        );
    }
}

/// Bytes per AND gate: one bit per party for a single instance, 64 bits per
/// 64 instances (nothing wasted on padding words).
#[test]
fn one_bit_per_party_per_and_gate() {
    let depth = 40;
    let c = and_chain(depth);
    let (circuit, protocol) = rep3(&c);
    let inputs = [
        Value::int(false, 4, 5),
        Value::int(false, 4, 9),
        Value::int(false, 4, 14),
    ];
    let batch = vec![inputs.to_vec(); 640];
    let runs = run_local_batches(
        &protocol,
        &circuit,
        std::slice::from_ref(&batch),
        LocalOptions::default(),
    )
    .expect("batch");
    let ands = protocol.paid_gates() as usize;
    assert_eq!(ands, 4 * depth);
    for r in &runs[0].reports {
        // ands × 640 bits, plus seeds, inputs (4 × 10 words to each), outputs.
        let sent = r.bytes_sent() as usize;
        let per_and = ands * 640 / 8;
        assert!(
            sent >= per_and && sent <= per_and + 32 + 2 * 4 * 80 + 4 * 80,
            "{sent} bytes sent for {ands} ANDs × 640 instances"
        );
    }
}

// ---------------------------------------------------------------------------
// Refusals and helpers
// ---------------------------------------------------------------------------

#[test]
fn refuses_four_parties_and_other_party_counts() {
    let mut b = CircuitBuilder::new(64);
    let ps: Vec<u32> = (0..4).map(|i| b.party(format!("p{i}"))).collect();
    let mut ws = Vec::new();
    for &p in &ps {
        ws.push(b.input(p, "x", uint(1), false, Domain::Bool).start);
    }
    let x = b.xor(ws[0], ws[1]);
    b.output("x", vec![0], uint(1), Domain::Bool, vec![x]);
    let four = Arc::new(b.finish().expect("valid"));
    match prepare(BackendKind::Rep3, Arc::clone(&four)) {
        Err(e @ VmError::Unsupported { .. }) => {
            let text = e.to_string();
            assert!(text.contains("gmw") && text.contains("arith"), "{text}");
        }
        other => panic!("four parties accepted: {other:?}"),
    }
    let two = Arc::new(and_chain(2));
    for n in [2usize, 4] {
        let options = BackendOptions {
            parties: Some(n),
            ..BackendOptions::default()
        };
        assert!(matches!(
            prepare_with(BackendKind::Rep3, Arc::clone(&two), &options),
            Err(VmError::Unsupported { .. })
        ));
    }
    let options = BackendOptions {
        parties: Some(3),
        ..BackendOptions::default()
    };
    assert!(prepare_with(BackendKind::Rep3, two, &options).is_ok());
}

#[test]
fn helpers_get_unique_names() {
    let mut b = CircuitBuilder::new(64);
    let p = b.party("helper1");
    let x = b.input(p, "x", uint(8), false, Domain::Bool);
    let ws: Vec<Wire> = x.iter().collect();
    let y = b.and(ws[0], ws[1]);
    b.output("y", vec![0], uint(1), Domain::Bool, vec![y]);
    let c = b.finish().expect("valid");
    let rep3 = Rep3::new(Arc::new(c.clone()), &BackendOptions::default()).expect("rep3");
    assert_eq!(rep3.parties(), ["helper1", "helper2", "helper3"]);
    check(&c, &[Value::int(false, 8, 3)]).expect("rep3 = clear");
}

// ---------------------------------------------------------------------------
// The wire: recording channels, faults
// ---------------------------------------------------------------------------

/// Runs the three parties on one instance over recording channels;
/// `faults[p]`: what party `p` does wrong (on each of its channels).
fn run_three(
    protocol: &Arc<dyn Protocol>,
    circuit: &Arc<ValidCircuit>,
    inputs: &[Value],
    faults: [Option<Fault>; 3],
    timeout: Duration,
) -> Vec<Side> {
    run_faulty(
        protocol,
        circuit,
        &[inputs.to_vec()],
        |me, _| faults[me],
        timeout,
    )
}

/// What a party that succeeded learned, and what it received per peer.
fn ok(side: &Side) -> &(PartyOutputs, Vec<Vec<u8>>) {
    match (&side.error, side.runs.first()) {
        (None, Some(run)) => run,
        (e, _) => panic!("the party failed: {e:?}"),
    }
}

/// Party 0's 4096-bit secret XOR party 1's, ANDed with party 2's (a few
/// ANDs), revealed to `to`.
fn wide_input_circuit(to: Vec<u32>) -> ValidCircuit {
    let mut b = CircuitBuilder::new(64);
    let p = b.party("p");
    let q = b.party("q");
    let r = b.party("r");
    let arr = |bits: u32| ValueType::Array {
        elem: Box::new(uint(64)),
        len: u64::from(bits / 64),
    };
    let x: Vec<Wire> = b
        .input(p, "x", arr(4096), false, Domain::Bool)
        .iter()
        .collect();
    let y: Vec<Wire> = b
        .input(q, "y", uint(64), false, Domain::Bool)
        .iter()
        .collect();
    let z: Vec<Wire> = b
        .input(r, "z", uint(64), false, Domain::Bool)
        .iter()
        .collect();
    let out: Vec<Wire> = (0..64)
        .map(|i| {
            let t = b.xor(x[i], y[i]);
            b.and(t, z[i])
        })
        .collect();
    b.output("out", to, uint(64), Domain::Bool, out);
    b.finish().expect("valid")
}

fn wide_inputs(x_bit: bool, y: u64, z: u64) -> Vec<Value> {
    let word = if x_bit { u64::MAX } else { 0 };
    vec![
        Value::Array(
            (0..64)
                .map(|_| Value::int(false, 64, u128::from(word)))
                .collect(),
        ),
        Value::int(false, 64, u128::from(y)),
        Value::int(false, 64, u128::from(z)),
    ]
}

/// The shares parties 1 and 2 receive of party 0's input are uniform
/// whatever the input: over many runs, all-zeros and all-ones inputs give
/// views of the same length and bit balance ~0.5 (the bytes after the 16-byte
/// seed are the 512 bytes of the third share of the 4096-bit input).
#[test]
fn input_shares_look_uniform_whatever_the_input() {
    let c = wide_input_circuit(vec![0]);
    let (circuit, protocol) = rep3(&c);
    // (party, view length) over every run of both inputs: one length per party.
    let mut lengths = std::collections::HashSet::new();
    for x_bit in [false, true] {
        let inputs = wide_inputs(x_bit, 0x5555, 0xffff_0000);
        let mut shares: [Vec<u8>; 2] = [Vec::new(), Vec::new()];
        let mut first_share: Option<Vec<u8>> = None;
        for _ in 0..40 {
            let sides = run_three(
                &protocol,
                &circuit,
                &inputs,
                [None; 3],
                Duration::from_secs(5),
            );
            assert_eq!(&ok(&sides[0]).0, &expected(&c, &inputs, 3)[0]);
            for (k, p) in [1usize, 2].into_iter().enumerate() {
                let view = &ok(&sides[p]).1[0];
                lengths.insert((p, view.len()));
                let share = &view[16..16 + 512];
                if p == 1 {
                    if let Some(prev) = &first_share {
                        assert_ne!(prev, share, "the same share twice: no fresh randomness");
                    }
                    first_share = Some(share.to_vec());
                }
                shares[k].extend_from_slice(share);
            }
        }
        for (k, s) in shares.iter().enumerate() {
            let b = byte_balance(s);
            assert!(
                (b - 0.5).abs() < 0.01,
                "input {x_bit}: party {}'s shares have bit balance {b}",
                k + 1
            );
        }
    }
    assert_eq!(
        lengths.len(),
        2,
        "view lengths vary with the input: {lengths:?}"
    );
}

/// A non-recipient of an output never receives the share it lacks: with
/// the output going to party 0 only, parties 1 and 2 receive exactly as many
/// bytes as with no output share for them at all, and adding party 2 as a
/// recipient adds exactly the 8 bytes of its missing share (64 bits, one
/// instance), sent by party 0, to party 2's view only.
#[test]
fn non_recipients_never_receive_the_missing_share() {
    let inputs = wide_inputs(true, 0x1234, u64::MAX);
    let lens = |to: Vec<u32>| -> Vec<Vec<usize>> {
        let c = wide_input_circuit(to);
        let (circuit, protocol) = rep3(&c);
        let sides = run_three(
            &protocol,
            &circuit,
            &inputs,
            [None; 3],
            Duration::from_secs(5),
        );
        let want = expected(&c, &inputs, 3);
        for (p, s) in sides.iter().enumerate() {
            assert_eq!(&ok(s).0, &want[p]);
        }
        sides
            .iter()
            .map(|s| ok(s).1.iter().map(Vec::len).collect())
            .collect()
    };
    let only_0 = lens(vec![0]);
    let also_2 = lens(vec![0, 2]);
    let also_1 = lens(vec![0, 1]);
    // Party 0 gets its missing share from party 1 in every case.
    assert_eq!(only_0[0], also_2[0]);
    // Party 2's view grows by 8 bytes from party 0 exactly when it receives.
    assert_eq!(also_2[2][0], only_0[2][0] + 8);
    assert_eq!(also_2[2][1], only_0[2][1]);
    // Party 1 receives the same bytes either way, until it is a recipient
    // (then 8 more, from party 2).
    assert_eq!(only_0[1], also_2[1]);
    assert_eq!(also_1[1][2], only_0[1][2] + 8);
    assert_eq!(also_1[1][0], only_0[1][0]);
}

/// A party that hangs up mid-run (inside the multiplication rounds) makes
/// every other party fail with an error naming it (or the hang-up it
/// caused), quickly, with no panic and no hang.
#[test]
fn a_peer_hanging_up_mid_run_is_an_error() {
    faulty_runs(|_| Fault::HangUp(20), Duration::from_secs(2));
}

/// A party that falls silent mid-run, its connections open, makes the others
/// time out with an error rather than wait forever.
#[test]
fn a_silent_peer_mid_run_is_a_timeout() {
    let errors = faulty_runs(
        |_| Fault::Stall(20, Duration::from_millis(1500)),
        Duration::from_millis(300),
    );
    for (culprit, errs) in errors.iter().enumerate() {
        assert!(
            errs.iter().any(|e| matches!(
                e,
                VmError::Net(NetError::Timeout { peer, .. }) if peer.as_str() == ["p", "q", "r"][culprit]
            )),
            "nobody timed out waiting for party {culprit}: {errs:?}"
        );
    }
}

/// Runs an AND chain with `fault` injected at each party in turn; every
/// party must fail, the others naming the culprit or a hang-up. Returns the
/// other parties' errors, per culprit.
fn faulty_runs(fault: impl Fn(usize) -> Fault, timeout: Duration) -> Vec<Vec<VmError>> {
    let mut errors = Vec::new();
    let c = and_chain(30);
    let (circuit, protocol) = rep3(&c);
    let inputs = [
        Value::int(false, 4, 5),
        Value::int(false, 4, 9),
        Value::int(false, 4, 14),
    ];
    for culprit in 0..3 {
        // Seeds (16 bytes from each lower party) and input shares (a byte)
        // come first; 20 bytes is inside the multiplication rounds on
        // every channel.
        let mut faults = [None; 3];
        faults[culprit] = Some(fault(culprit));
        let sides = run_three(&protocol, &circuit, &inputs, faults, timeout);
        for (p, side) in sides.iter().enumerate() {
            let Some(err) = &side.error else {
                panic!(
                    "party {p} succeeded with {:?} although party {culprit} failed",
                    side.runs
                );
            };
            if p != culprit {
                let text = err.to_string();
                assert!(
                    text.contains(&protocol.parties()[culprit])
                        || matches!(err, VmError::Net(NetError::Disconnected { .. })),
                    "party {p}: {text}"
                );
            }
            assert!(
                side.elapsed < Duration::from_secs(10),
                "party {p} took too long"
            );
        }
        errors.push(
            sides
                .into_iter()
                .enumerate()
                .filter(|&(p, _)| p != culprit)
                .filter_map(|(_, s)| s.error)
                .collect(),
        );
    }
    errors
}
