//! Privacy and robustness of the garbled-circuit backend, seen from the wire.
//!
//! The garbler (party 0) and the evaluator (party 1) run on two threads over
//! an in-memory [`local::pair`], each end wrapped in a [`Tap`]: a channel that
//! records every byte its party receives (the party's view) and sends, and can
//! inject a fault (a flipped bit, a hang-up, silence).
//!
//! - views: each party's view has a size independent of the other's input,
//!   looks random, never contains the other's plaintext input, and changes from
//!   run to run;
//! - outputs: a party that does not receive an output gets no information to
//!   decode it (checked byte-exactly against the message sizes);
//! - a lying evaluator, peers that hang up or fall silent, truncated tables:
//!   typed errors, never a wrong output, a panic or a hang;
//! - inputs and circuits the backend must refuse.
//!
//! Layout of the messages (see `vm/src/backend/gc/mod.rs`): after the OT, the
//! evaluator receives one 16-byte block per secret input bit (the garbler's
//! first), then 32 bytes per AND gate, then its outputs' decoding bits packed
//! eight to a byte; the garbler receives, after the OT, one 16-byte label per
//! bit of its secret outputs.

mod common;

use common::tap::lock;
use common::*;

use std::panic::AssertUnwindSafe;
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use veil_circuit::{CircuitBuilder, Domain, ValidCircuit, Value, ValueType, Wire};
use veil_vm::backend::Session;
use veil_vm::block::Block;
use veil_vm::net::{local, Channel, ChannelStats, NetError, Peers};
use veil_vm::ot::OtError;
use veil_vm::party::PartyOutputs;
use veil_vm::{prepare, run_local, run_party, BackendKind, LocalOptions, Protocol, VmError};

// ---------------------------------------------------------------------------
// Recording and fault-injecting channel
// ---------------------------------------------------------------------------

/// Everything one party received from and sent to the other.
#[derive(Debug, Default, Clone)]
struct Transcript {
    /// The bytes it received: its view of the run.
    received: Vec<u8>,
    /// The bytes it sent (as they left, after any injected fault).
    sent: Vec<u8>,
    /// When the injected hang-up or silence began.
    cut_at: Option<Instant>,
}

/// Where a silent party's connection is kept open (so that its peer sees
/// silence, not a hang-up) until the test drops it.
type Parking = Arc<Mutex<Vec<Box<dyn Channel>>>>;

/// A fault a [`Tap`] injects.
enum Fault {
    /// Behave.
    None,
    /// Flip bit `n` of the stream this party sends (byte `n / 8`, bit `n % 8`).
    FlipSentBit(u64),
    /// After receiving this many bytes, hang up: drop the connection (the
    /// peer sees a disconnection) and fail.
    HangUpAfterReceiving(u64),
    /// Deliver only the first this many bytes sent, then hang up and fail.
    HangUpAfterSending(u64),
    /// Deliver only the first this many bytes sent, then go quiet with the
    /// connection still open: later sends vanish, receives fail at once.
    SilentAfterSending(u64, Parking),
}

/// A [`Channel`] that forwards to `inner`, records both directions in `log`,
/// and injects `fault`.
struct Tap {
    peer: String,
    inner: Option<Box<dyn Channel>>,
    log: Arc<Mutex<Transcript>>,
    fault: Fault,
    sent: u64,
    received: u64,
    silent: bool,
}

impl Tap {
    fn new(peer: &str, inner: Box<dyn Channel>, fault: Fault) -> Tap {
        Tap {
            peer: peer.to_string(),
            inner: Some(inner),
            log: Arc::default(),
            fault,
            sent: 0,
            received: 0,
            silent: false,
        }
    }

    fn disconnected(&self) -> NetError {
        NetError::Disconnected {
            peer: self.peer.clone(),
        }
    }

    fn inner(&mut self) -> Result<&mut dyn Channel, NetError> {
        match self.inner.as_mut() {
            Some(c) => Ok(c.as_mut()),
            None => Err(NetError::Disconnected {
                peer: self.peer.clone(),
            }),
        }
    }

    /// Ends the connection: parked open when going silent, dropped otherwise.
    fn cut(&mut self) {
        lock(&self.log).cut_at = Some(Instant::now());
        let inner = self.inner.take();
        if let (Fault::SilentAfterSending(_, parking), Some(inner)) = (&self.fault, inner) {
            lock(parking).push(inner);
            self.silent = true;
        }
    }
}

impl Channel for Tap {
    fn peer(&self) -> &str {
        &self.peer
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), NetError> {
        if self.silent {
            return Ok(());
        }
        let start = self.sent;
        let end = start + bytes.len() as u64;
        self.sent = end;
        let mut bytes = bytes.to_vec();
        let limit = match self.fault {
            Fault::FlipSentBit(n) => {
                if (start..end).contains(&(n / 8)) {
                    bytes[(n / 8 - start) as usize] ^= 1 << (n % 8);
                }
                None
            }
            Fault::HangUpAfterSending(k) | Fault::SilentAfterSending(k, _) => Some(k),
            Fault::None | Fault::HangUpAfterReceiving(_) => None,
        };
        match limit {
            Some(k) if end > k => {
                bytes.truncate(k.saturating_sub(start) as usize);
                lock(&self.log).sent.extend_from_slice(&bytes);
                let inner = self.inner()?;
                inner.send(&bytes)?;
                inner.flush()?;
                self.cut();
                if self.silent {
                    Ok(())
                } else {
                    Err(self.disconnected())
                }
            }
            _ => {
                lock(&self.log).sent.extend_from_slice(&bytes);
                self.inner()?.send(&bytes)
            }
        }
    }

    fn flush(&mut self) -> Result<(), NetError> {
        if self.silent {
            return Ok(());
        }
        self.inner()?.flush()
    }

    fn recv(&mut self, buf: &mut [u8]) -> Result<(), NetError> {
        if self.silent {
            return Err(NetError::Timeout {
                peer: self.peer.clone(),
                waited: Duration::ZERO,
            });
        }
        let mut n = buf.len();
        let mut hang_up = false;
        if let Fault::HangUpAfterReceiving(k) = self.fault {
            if self.received + n as u64 > k {
                n = k.saturating_sub(self.received) as usize;
                hang_up = true;
            }
        }
        if n > 0 || !hang_up {
            self.inner()?.recv(&mut buf[..n])?;
        }
        self.received += n as u64;
        lock(&self.log).received.extend_from_slice(&buf[..n]);
        if hang_up {
            self.cut();
            return Err(self.disconnected());
        }
        Ok(())
    }

    fn stats(&self) -> ChannelStats {
        self.inner.as_ref().map(|c| c.stats()).unwrap_or_default()
    }
}

// ---------------------------------------------------------------------------
// Running the two parties
// ---------------------------------------------------------------------------

/// One party's run: what it learned (or why it failed), what it saw, how long it took.
#[derive(Debug)]
struct Side {
    outputs: Result<PartyOutputs, VmError>,
    transcript: Transcript,
    elapsed: Duration,
    /// When it returned.
    ended: Instant,
}

impl Side {
    fn ok(&self) -> &PartyOutputs {
        match &self.outputs {
            Ok(o) => o,
            Err(e) => panic!("the party failed: {e}"),
        }
    }

    fn err(&self) -> &VmError {
        match &self.outputs {
            Ok(o) => panic!("the party succeeded (with {o:?}) where it must fail"),
            Err(e) => e,
        }
    }
}

/// The default timeout of these runs: short, so that a hang shows quickly.
const TIMEOUT: Duration = Duration::from_secs(2);

/// How long a run may take in all before the test calls it a hang (every
/// wait on a channel has a timeout, so a run that ends cleanly ends well
/// before this, even on a loaded machine).
const WATCHDOG: Duration = Duration::from_secs(60);

/// Runs garbler and evaluator on two threads, each given only the inputs it
/// owns and a fresh session, with `faults[p]` injected on party `p`'s
/// channel. A party that panics or never ends fails the test.
fn run_pair(
    protocol: &Arc<dyn Protocol>,
    circuit: &Arc<ValidCircuit>,
    inputs: &[Value],
    faults: [Fault; 2],
    timeout: Duration,
) -> [Side; 2] {
    let names = protocol.parties().to_vec();
    assert_eq!(names.len(), 2);
    let (c0, c1) = local::pair(&names[0], &names[1], timeout);
    let ends: [Box<dyn Channel>; 2] = [Box::new(c0), Box::new(c1)];
    let (done_tx, done_rx) = mpsc::channel();
    for (me, (end, fault)) in ends.into_iter().zip(faults).enumerate() {
        let tap = Tap::new(&names[1 - me], end, fault);
        let log = Arc::clone(&tap.log);
        let names = names.clone();
        let own: Vec<Option<Value>> = circuit
            .circuit()
            .inputs
            .iter()
            .zip(inputs)
            .map(|(g, v)| (g.party as usize == me).then(|| v.clone()))
            .collect();
        let (protocol, circuit, done) =
            (Arc::clone(protocol), Arc::clone(circuit), done_tx.clone());
        // Detached (not scoped), so that a party that hangs cannot hang the test.
        std::thread::spawn(move || {
            let run = std::panic::catch_unwind(AssertUnwindSafe(|| {
                let mut channels: Vec<Option<Box<dyn Channel>>> = vec![None, None];
                channels[1 - me] = Some(Box::new(tap));
                let mut peers = Peers::new(me, names, channels);
                let mut session = Session::default();
                let start = Instant::now();
                let outputs =
                    run_party(protocol.as_ref(), &circuit, &own, &mut peers, &mut session)
                        .map(|(o, _)| o);
                let ended = Instant::now();
                drop(peers);
                Side {
                    outputs,
                    transcript: std::mem::take(&mut *lock(&log)),
                    elapsed: ended - start,
                    ended,
                }
            }));
            let _ = done.send((me, run.ok()));
        });
    }
    let deadline = Instant::now() + WATCHDOG;
    let mut sides: [Option<Side>; 2] = [None, None];
    for _ in 0..2 {
        let wait = deadline.saturating_duration_since(Instant::now());
        let (me, side) = done_rx
            .recv_timeout(wait)
            .unwrap_or_else(|_| panic!("a party still runs after {WATCHDOG:?}: it hangs"));
        let side = side.unwrap_or_else(|| panic!("party {me} panicked instead of failing cleanly"));
        sides[me] = Some(side);
    }
    sides.map(|s| s.expect("both parties reported"))
}

/// An honest run. Each party must read exactly the bytes its peer sends, so
/// that its recorded view is everything the peer told it (bytes sent but
/// never read would escape the checks on views).
fn run_honest(
    protocol: &Arc<dyn Protocol>,
    circuit: &Arc<ValidCircuit>,
    inputs: &[Value],
) -> [Side; 2] {
    let sides = run_pair(
        protocol,
        circuit,
        inputs,
        [Fault::None, Fault::None],
        TIMEOUT,
    );
    for p in 0..2 {
        assert!(
            sides[1 - p].transcript.sent == sides[p].transcript.received,
            "party {p} did not read exactly what its peer sent ({} bytes sent, {} read)",
            sides[1 - p].transcript.sent.len(),
            sides[p].transcript.received.len()
        );
    }
    sides
}

/// Asserts that each party received exactly the outputs it is entitled to, with the right values.
fn assert_correct(circuit: &ValidCircuit, inputs: &[Value], sides: &[Side; 2]) {
    let want = common::expected(circuit, inputs, 2);
    for (p, side) in sides.iter().enumerate() {
        assert_eq!(side.ok(), &want[p], "outputs of party {p}");
    }
}

// ---------------------------------------------------------------------------
// Circuits and values
// ---------------------------------------------------------------------------

fn u64v(x: u64) -> Value {
    Value::int(false, 64, u128::from(x))
}

fn u64_array(xs: &[u64]) -> Value {
    Value::Array(xs.iter().map(|&x| u64v(x)).collect())
}

fn rand_u64() -> u64 {
    Block::random().expect("OS randomness").to_u128() as u64
}

/// The bits of `x`, least significant first (wire order).
fn bits_of(x: u64) -> Vec<bool> {
    (0..64).map(|i| x >> i & 1 == 1).collect()
}

/// A two-party builder: garbler's secret `a: u64`, evaluator's secret `b`
/// of type `b_ty`; returns the builder and both inputs' wires.
fn two_parties(b_ty: ValueType) -> (CircuitBuilder, Vec<Wire>, Vec<Wire>) {
    let mut b = CircuitBuilder::new(64);
    let g = b.party("garbler");
    let e = b.party("evaluator");
    let a: Vec<Wire> = b
        .input(g, "a", uint(64), false, Domain::Bool)
        .iter()
        .collect();
    let x: Vec<Wire> = b.input(e, "b", b_ty, false, Domain::Bool).iter().collect();
    (b, a, x)
}

/// `a + b` of two 64-bit secrets, revealed to both parties.
fn adder() -> ValidCircuit {
    let (mut b, a, x) = two_parties(uint(64));
    let sum = add_bits(&mut b, &a, &x);
    b.output("sum", vec![0, 1], uint(64), Domain::Bool, sum);
    b.finish().expect("valid adder")
}

/// The garbler's `a: u64` against the evaluator's `b: [u64; 16]` (1024
/// bits): `XOR_i (b[i] AND a)`, revealed to both.
fn masked_fold() -> ValidCircuit {
    let ty = ValueType::Array {
        elem: Box::new(uint(64)),
        len: 16,
    };
    let (mut b, a, x) = two_parties(ty);
    let mut acc: Option<Vec<Wire>> = None;
    for row in x.chunks(64) {
        let t: Vec<Wire> = row.iter().zip(&a).map(|(&r, &s)| b.and(r, s)).collect();
        acc = Some(match acc {
            None => t,
            Some(acc) => acc.iter().zip(&t).map(|(&p, &q)| b.xor(p, q)).collect(),
        });
    }
    b.output(
        "fold",
        vec![0, 1],
        uint(64),
        Domain::Bool,
        acc.expect("rows"),
    );
    b.finish().expect("valid fold")
}

/// `sum = a + b` to `sum_to` and `and = a & b` to `and_to`.
fn split(sum_to: &[u32], and_to: &[u32]) -> ValidCircuit {
    let (mut b, a, x) = two_parties(uint(64));
    let sum = add_bits(&mut b, &a, &x);
    let and: Vec<Wire> = a.iter().zip(&x).map(|(&p, &q)| b.and(p, q)).collect();
    b.output("sum", sum_to.to_vec(), uint(64), Domain::Bool, sum);
    b.output("and", and_to.to_vec(), uint(64), Domain::Bool, and);
    b.finish().expect("valid split")
}

/// A circuit with 8 MiB of garbled tables (twice what the in-memory channel
/// holds in flight, so that the garbler is still sending when a fault hits):
/// 4096 rounds of `x_j ← (x_j ∧ b_{j+r}) ⊕ x_{j+1}` from `x = a`, to both.
fn big() -> &'static ValidCircuit {
    static BIG: OnceLock<ValidCircuit> = OnceLock::new();
    BIG.get_or_init(|| {
        let (mut b, a, y) = two_parties(uint(64));
        let mut x = a;
        for r in 0..4096 {
            x = (0..64)
                .map(|j| {
                    let t = b.and(x[j], y[(j + r) % 64]);
                    b.xor(t, x[(j + 1) % 64])
                })
                .collect();
        }
        b.output("x", vec![0, 1], uint(64), Domain::Bool, x);
        b.finish().expect("valid big circuit")
    })
}

fn gc(circuit: &ValidCircuit) -> (Arc<ValidCircuit>, Arc<dyn Protocol>) {
    let circuit = Arc::new(circuit.clone());
    let protocol = prepare(BackendKind::Gc, Arc::clone(&circuit)).expect("gc accepts it");
    (circuit, protocol)
}

// ---------------------------------------------------------------------------
// Transcript statistics and message sizes
// ---------------------------------------------------------------------------

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Asserts that `view` looks random and does not contain `secret` (an
/// input's 8-byte words, little- and big-endian).
fn assert_hides(view: &[u8], secret: &[u64], what: &str) {
    let bal = byte_balance(view);
    assert!(
        (0.45..=0.55).contains(&bal),
        "{what}: bit balance {bal:.4} of {} bytes is not that of random bytes",
        view.len()
    );
    for &w in secret {
        assert!(
            !contains(view, &w.to_le_bytes()) && !contains(view, &w.to_be_bytes()),
            "{what}: the plaintext word {w:#018x} appears in the view"
        );
    }
}

/// How many 16-byte blocks at the same offset two views share: fresh
/// randomness every run leaves none.
fn shared_blocks(x: &[u8], y: &[u8]) -> usize {
    x.chunks_exact(16)
        .zip(y.chunks_exact(16))
        .filter(|(p, q)| p == q)
        .count()
}

/// Bytes of a label, a correction block or an output label.
const LABEL: usize = 16;
/// Bytes of one garbled AND gate (two half-gate ciphertexts).
const AND_TABLE: usize = 32;
/// What the garbler receives in the OT for at most 128 evaluator input bits
/// (IKNP with κ = 128 over Chou–Orlandi base OTs on Ristretto255): as
/// extension sender and base-OT receiver, the point `A` (32 bytes) and the
/// 128 columns `u^i` of one 128-bit block each.
const OT_TO_GARBLER_128: usize = 32 + 128 * 16;
/// What the evaluator receives in the OT: the 128 base-OT points `B_i`.
const OT_TO_EVALUATOR: usize = 128 * 32;

/// What the evaluator receives after the OT: its `input_bits` labels and
/// corrections, the tables, and `decoded` packed decoding bits.
fn after_ot(protocol: &Arc<dyn Protocol>, input_bits: usize, decoded: usize) -> usize {
    LABEL * input_bits + AND_TABLE * protocol.paid_gates() as usize + decoded.div_ceil(8)
}

// ---------------------------------------------------------------------------
// 1. The evaluator's view
// ---------------------------------------------------------------------------

/// The evaluator's view has one size whatever the garbler's input, looks
/// random, contains neither the garbler's input bytes nor its bits as the
/// colours of its input labels. Catches: input-dependent message sizes, a
/// plaintext garbler input on the wire, labels whose point-and-permute colour
/// is the input bit (a zero-label with a fixed low bit), structured rather
/// than pseudorandom bytes on the wire (a skewed bit balance).
#[test]
fn evaluator_view_does_not_depend_on_the_garblers_input() {
    let (circuit, protocol) = gc(&adder());
    let b = 0x5a5a_0f0f_1234_9876;
    let mut sizes = Vec::new();
    for a in [0, u64::MAX, rand_u64(), 0x0123_4567_89ab_cdef] {
        let inputs = [u64v(a), u64v(b)];
        let sides = run_honest(&protocol, &circuit, &inputs);
        assert_correct(&circuit, &inputs, &sides);
        let view = &sides[1].transcript.received;
        sizes.push(view.len());
        assert_hides(
            view,
            &[a],
            &format!("evaluator's view, garbler input {a:#x}"),
        );

        // The garbler's 64 input labels open the part after the OT.
        let start = view.len() - after_ot(&protocol, 128, 64);
        let colours: Vec<bool> = view[start..start + 64 * LABEL]
            .chunks_exact(LABEL)
            .map(|l| l[0] & 1 == 1)
            .collect();
        let bits = bits_of(a);
        let flipped: Vec<bool> = bits.iter().map(|b| !b).collect();
        assert!(
            colours != bits && colours != flipped,
            "the colours of the garbler's input labels spell its input {a:#x}"
        );
    }
    assert!(
        sizes.windows(2).all(|w| w[0] == w[1]),
        "the evaluator's view has input-dependent sizes: {sizes:?}"
    );
}

/// Two runs with the same inputs look different in both directions. Catches:
/// a deterministic PRG, Δ or label seed, or OT state reused across sessions
/// (a view an observer could link across runs).
#[test]
fn every_run_uses_fresh_randomness() {
    let (circuit, protocol) = gc(&adder());
    let inputs = [u64v(0x0123_4567_89ab_cdef), u64v(42)];
    let first = run_honest(&protocol, &circuit, &inputs);
    let second = run_honest(&protocol, &circuit, &inputs);
    for p in 0..2 {
        let (x, y) = (&first[p].transcript, &second[p].transcript);
        assert_eq!(x.received.len(), y.received.len());
        assert_ne!(x.received, y.received, "party {p} saw the same bytes twice");
        assert_eq!(
            shared_blocks(&x.received, &y.received),
            0,
            "party {p}'s views of two runs share blocks"
        );
        assert_eq!(
            shared_blocks(&x.sent, &y.sent),
            0,
            "party {p} sent blocks that repeat across runs"
        );
    }
}

// ---------------------------------------------------------------------------
// 2. The garbler's view (the OT)
// ---------------------------------------------------------------------------

/// The garbler's view of the OT for 1024 evaluator input bits has one size,
/// looks random and contains none of the evaluator's input words. Catches:
/// choice bits sent in the clear or under a mask the garbler can remove,
/// input-dependent OT batches, a plaintext evaluator input.
#[test]
fn garbler_view_does_not_depend_on_the_evaluators_input() {
    let (circuit, protocol) = gc(&masked_fold());
    let a = rand_u64();
    let random: Vec<u64> = (0..16).map(|_| rand_u64()).collect();
    let mut sizes = Vec::new();
    for b in [vec![0; 16], vec![u64::MAX; 16], random] {
        let inputs = [u64v(a), u64_array(&b)];
        let sides = run_honest(&protocol, &circuit, &inputs);
        assert_correct(&circuit, &inputs, &sides);
        let view = &sides[0].transcript.received;
        sizes.push(view.len());
        assert_hides(view, &b, "garbler's view");
    }
    assert!(
        sizes.windows(2).all(|w| w[0] == w[1]),
        "the garbler's view has input-dependent sizes: {sizes:?}"
    );
    // 1024 OTs: the point A, 128 columns of 1024 bits; then 64 output labels.
    assert_eq!(sizes[0], 32 + 128 * 128 + 64 * LABEL);

    // Same inputs twice: different views.
    let inputs = [u64v(a), u64_array(&[7; 16])];
    let x = run_honest(&protocol, &circuit, &inputs);
    let y = run_honest(&protocol, &circuit, &inputs);
    assert_eq!(
        shared_blocks(&x[0].transcript.received, &y[0].transcript.received),
        0
    );
}

// ---------------------------------------------------------------------------
// 3. A non-recipient cannot decode
// ---------------------------------------------------------------------------

/// With `sum` to the garbler only and `and` to the evaluator only: each gets
/// its own output and `None` for the other's; the evaluator receives no
/// decoding bits for `sum` and the garbler no labels for `and`, checked
/// byte-exactly and against variants where the output goes to both.
/// Catches: decoding bits or output labels sent for every output (which lets
/// a non-recipient decode), outputs handed to non-recipients, miscounted
/// messages.
#[test]
fn non_recipients_get_nothing_to_decode_with() {
    let (a, b) = (0xdead_beef_0bad_f00d, 0x1357_9bdf_2468_ace0);
    let inputs = [u64v(a), u64v(b)];

    let (circuit, protocol) = gc(&split(&[0], &[1]));
    let base = run_honest(&protocol, &circuit, &inputs);
    assert_correct(&circuit, &inputs, &base);
    assert_eq!(base[0].ok()[0], Some(u64v(a.wrapping_add(b))));
    assert_eq!(base[0].ok()[1], None);
    assert_eq!(base[1].ok()[0], None);
    assert_eq!(base[1].ok()[1], Some(u64v(a & b)));

    // (b) The evaluator's view: OT, 128 input labels, the tables, and the
    // decoding bits of `and` (64 bits) only.
    let eval_view = base[1].transcript.received.len();
    assert_eq!(eval_view, OT_TO_EVALUATOR + after_ot(&protocol, 128, 64));
    let (c2, p2) = gc(&split(&[0, 1], &[1]));
    let sum_to_both = run_honest(&p2, &c2, &inputs);
    assert_correct(&c2, &inputs, &sum_to_both);
    assert_eq!(p2.paid_gates(), protocol.paid_gates());
    assert_eq!(
        sum_to_both[1].transcript.received.len() - eval_view,
        128 / 8 - 64 / 8,
        "the evaluator must get decoding bits for its own outputs only"
    );

    // (c) The garbler's view: the OT and the labels of `sum` only.
    let garbler_view = base[0].transcript.received.len();
    assert_eq!(garbler_view, OT_TO_GARBLER_128 + 64 * LABEL);
    let (c3, p3) = gc(&split(&[0], &[0, 1]));
    let and_to_both = run_honest(&p3, &c3, &inputs);
    assert_correct(&c3, &inputs, &and_to_both);
    assert_eq!(
        and_to_both[0].transcript.received.len() - garbler_view,
        64 * LABEL,
        "the garbler must get labels for its own outputs only"
    );
    // The evaluator's view does not change when the garbler also gets `and`.
    assert_eq!(and_to_both[1].transcript.received.len(), eval_view);
}

// ---------------------------------------------------------------------------
// 4. A lying evaluator
// ---------------------------------------------------------------------------

/// An evaluator that flips one bit of an output label it returns: the
/// garbler refuses the label (`VmError::Protocol`) instead of decoding a
/// wrong value. Catches: decoding by the colour bit alone, accepting any
/// label, or panicking on an unknown one.
#[test]
fn garbler_rejects_a_forged_output_label() {
    let (circuit, protocol) = gc(&adder());
    let inputs = [u64v(rand_u64()), u64v(rand_u64())];
    let honest = run_honest(&protocol, &circuit, &inputs);
    assert_correct(&circuit, &inputs, &honest);
    // The evaluator's last message: 64 labels of `sum`.
    let sent = honest[1].transcript.sent.len() as u64;
    let labels = sent - 64 * LABEL as u64;
    let last = sent - LABEL as u64;
    for bit in [8 * last, 8 * last + 77, 8 * sent - 1, 8 * labels + 1] {
        let sides = run_pair(
            &protocol,
            &circuit,
            &inputs,
            [Fault::None, Fault::FlipSentBit(bit)],
            TIMEOUT,
        );
        assert!(
            matches!(sides[0].err(), VmError::Protocol { .. }),
            "flipped bit {bit}: the garbler must reject the label, got {}",
            sides[0].err()
        );
        // The evaluator, honest but for the flip, still has its output.
        assert_eq!(sides[1].ok(), honest[1].ok());
    }
}

// ---------------------------------------------------------------------------
// 5. Faults
// ---------------------------------------------------------------------------

/// The garbler's and evaluator's byte counts in an honest run of [`big`].
fn big_sizes(
    protocol: &Arc<dyn Protocol>,
    circuit: &Arc<ValidCircuit>,
    inputs: &[Value],
) -> [u64; 2] {
    let honest = run_honest(protocol, circuit, inputs);
    assert_correct(circuit, inputs, &honest);
    [
        honest[0].transcript.sent.len() as u64,
        honest[1].transcript.received.len() as u64,
    ]
}

/// An evaluator that hangs up during the OT, the inputs, the tables or the
/// decoding bits: the garbler ends promptly with a disconnection error (plain
/// or inside the OT). Catches: a panic, a hang (waiting on a dead peer until
/// the timeout or forever), or an error masked as success.
#[test]
fn garbler_survives_an_evaluator_that_hangs_up() {
    let (circuit, protocol) = gc(big());
    let inputs = [u64v(rand_u64()), u64v(rand_u64())];
    let [_, total] = big_sizes(&protocol, &circuit, &inputs);
    let tables = (AND_TABLE as u64) * protocol.paid_gates();
    let ot = total - after_ot(&protocol, 128, 64) as u64;
    for cut in [
        0,
        ot - 100,
        ot + 40,
        ot + 128 * LABEL as u64 + tables / 2 + 5,
        total - 3,
    ] {
        let sides = run_pair(
            &protocol,
            &circuit,
            &inputs,
            [Fault::None, Fault::HangUpAfterReceiving(cut)],
            TIMEOUT,
        );
        let e = sides[0].err();
        assert!(
            matches!(
                e,
                VmError::Net(NetError::Disconnected { .. })
                    | VmError::Ot(OtError::Net(NetError::Disconnected { .. }))
            ),
            "hang-up after {cut} bytes: expected a disconnection, got {e}"
        );
        // (A disconnection, not a timeout: it noticed the hang-up at once
        // instead of waiting out the timeout; the watchdog catches a hang.)
        assert!(sides[1].outputs.is_err());
    }
}

/// A garbler that falls silent (connection open) before the OT or halfway
/// through the tables: the evaluator ends with a timeout error once the
/// timeout has passed, not much later. Catches: waits without a timeout,
/// retry loops, a panic.
#[test]
fn evaluator_times_out_on_a_silent_garbler() {
    let timeout = Duration::from_secs(1);
    let (circuit, protocol) = gc(big());
    let inputs = [u64v(rand_u64()), u64v(rand_u64())];
    let [sent, _] = big_sizes(&protocol, &circuit, &inputs);
    let tables = (AND_TABLE as u64) * protocol.paid_gates();
    for quiet in [0, sent - tables / 2] {
        let parking = Parking::default();
        let sides = run_pair(
            &protocol,
            &circuit,
            &inputs,
            [
                Fault::SilentAfterSending(quiet, Arc::clone(&parking)),
                Fault::None,
            ],
            timeout,
        );
        let e = sides[1].err();
        assert!(
            matches!(
                e,
                VmError::Net(NetError::Timeout { .. })
                    | VmError::Ot(OtError::Net(NetError::Timeout { .. }))
            ),
            "garbler silent after {quiet} bytes: expected a timeout, got {e}"
        );
        // It waited out the timeout, and gave up soon after the silence began
        // (the slack covers evaluating the tables still in flight).
        assert!(sides[1].elapsed >= timeout);
        let silent_at = sides[0]
            .transcript
            .cut_at
            .expect("the evaluator timed out before the garbler went silent");
        let took = sides[1].ended.saturating_duration_since(silent_at);
        assert!(
            took < timeout + Duration::from_secs(4),
            "garbler silent after {quiet} bytes: the evaluator gave up {took:?} later"
        );
        drop(parking);
    }
}

/// A garbler that hangs up halfway through the tables, just before their
/// last byte, or within the decoding bits: the evaluator ends promptly with
/// a disconnection error. Catches: evaluating zero-filled or partial tables
/// into an output, a panic on a short read, a hang.
#[test]
fn evaluator_rejects_truncated_tables() {
    let (circuit, protocol) = gc(big());
    let inputs = [u64v(rand_u64()), u64v(rand_u64())];
    let [sent, _] = big_sizes(&protocol, &circuit, &inputs);
    let tables = (AND_TABLE as u64) * protocol.paid_gates();
    let tables_end = sent - 64 / 8;
    for cut in [tables_end - tables / 2 + 7, tables_end - 1, sent - 3] {
        let sides = run_pair(
            &protocol,
            &circuit,
            &inputs,
            [Fault::HangUpAfterSending(cut), Fault::None],
            TIMEOUT,
        );
        let e = sides[1].err();
        assert!(
            matches!(e, VmError::Net(NetError::Disconnected { .. })),
            "garbler gone after {cut} of {sent} bytes: expected a disconnection, got {e}"
        );
        // (A disconnection, not a timeout: noticed at once.)
        assert!(sides[0].outputs.is_err());
    }
}

// ---------------------------------------------------------------------------
// 6. Inputs and circuits the backend refuses
// ---------------------------------------------------------------------------

fn local_options() -> LocalOptions {
    LocalOptions {
        timeout: TIMEOUT,
        ..LocalOptions::default()
    }
}

/// Values of the wrong type or width, or the wrong number of values: an
/// input error (exit code 1), not a protocol failure or a hang. Catches:
/// inputs truncated or padded to fit, or a failure reported as the other
/// party's hang-up.
#[test]
fn wrong_inputs_are_input_errors() {
    let (circuit, protocol) = gc(&masked_fold());
    let good_b = u64_array(&[1; 16]);
    let cases: Vec<(&str, Vec<Value>)> = vec![
        (
            "garbler's u64 as u32",
            vec![Value::int(false, 32, 5), good_b.clone()],
        ),
        (
            "garbler's u64 as i64",
            vec![Value::int(true, 64, 5), good_b.clone()],
        ),
        (
            "garbler's u64 as bool",
            vec![Value::Bool(true), good_b.clone()],
        ),
        (
            "evaluator's array too short",
            vec![u64v(5), u64_array(&[1; 15])],
        ),
        (
            "evaluator's array of u8",
            vec![
                u64v(5),
                Value::Array((0..16).map(|_| Value::int(false, 8, 1)).collect()),
            ],
        ),
        ("one value missing", vec![u64v(5)]),
    ];
    for (what, inputs) in cases {
        let start = Instant::now();
        match run_local(&protocol, &circuit, &inputs, local_options()) {
            Ok(_) => panic!("{what}: the run succeeded"),
            Err(e) => assert!(e.is_input_error(), "{what}: not an input error: {e}"),
        }
        assert!(start.elapsed() < TIMEOUT, "{what}: took the timeout");
    }

    // A party that gives another party's input.
    let names = protocol.parties().to_vec();
    let (c0, _c1) = local::pair(&names[0], &names[1], TIMEOUT);
    let mut peers = Peers::new(0, names, vec![None, Some(Box::new(c0))]);
    let own = [Some(u64v(5)), Some(good_b)];
    let e = run_party(
        protocol.as_ref(),
        &circuit,
        &own,
        &mut peers,
        &mut Session::default(),
    )
    .expect_err("the garbler gave the evaluator's input");
    assert!(e.is_input_error(), "not an input error: {e}");
}

/// Three parties: refused, as `Unsupported` (an input error).
#[test]
fn gc_refuses_three_parties() {
    let mut b = CircuitBuilder::new(64);
    let ps: Vec<u32> = (0..3).map(|i| b.party(format!("p{i}"))).collect();
    let ins: Vec<Wire> = ps
        .iter()
        .map(|&p| {
            b.input(p, format!("x{p}"), ValueType::Bool, false, Domain::Bool)
                .iter()
                .next()
                .expect("one wire")
        })
        .collect();
    let t = b.and(ins[0], ins[1]);
    let o = b.xor(t, ins[2]);
    b.output("o", ps, ValueType::Bool, Domain::Bool, [o]);
    let circuit = Arc::new(b.finish().expect("valid three-party circuit"));
    let e = prepare(BackendKind::Gc, circuit).expect_err("gc must refuse three parties");
    assert!(matches!(e, VmError::Unsupported { .. }), "got {e}");
    assert!(e.is_input_error());
}

/// An arithmetic circuit (one `add` over `Domain::Arith`): refused, as `Unsupported`.
#[test]
fn gc_refuses_arithmetic_circuits() {
    let mut b = CircuitBuilder::new(64);
    let g = b.party("garbler");
    let e = b.party("evaluator");
    let x = b.input(g, "x", uint(64), false, Domain::Arith);
    let y = b.input(e, "y", uint(64), false, Domain::Arith);
    let s = b.add(x.iter().next().expect("x"), y.iter().next().expect("y"));
    b.output("s", vec![0, 1], uint(64), Domain::Arith, [s]);
    let circuit = Arc::new(b.finish().expect("valid arithmetic circuit"));
    // The clear backend runs it, so the circuit itself is fine.
    assert!(prepare(BackendKind::Clear, Arc::clone(&circuit)).is_ok());
    let e = prepare(BackendKind::Gc, circuit).expect_err("gc must refuse arithmetic");
    assert!(matches!(e, VmError::Unsupported { .. }), "got {e}");
    assert!(e.is_input_error());
}
