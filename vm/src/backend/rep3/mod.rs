//! Replicated secret sharing among three parties (honest majority,
//! semi-honest), for Boolean, arithmetic and mixed circuits.
//!
//! # Sharing
//!
//! A secret `x` is split into three shares, `x = x_0 ⊕ x_1 ⊕ x_2` for bits
//! and `x = x_0 + x_1 + x_2 mod 2^k` for ring elements (`k` the circuit's
//! `ring_bits`); party `i` holds `(x_i, x_{i+1})` (indices mod 3). Any two
//! parties together know all three shares; any one alone sees two uniformly
//! random values. Boolean values are bit-sliced over instances (instance `t`
//! at bit `t % 64` of word `t / 64`), ring elements take one word per
//! instance, and arithmetic is done mod 2^64 (reduction to `k` bits commutes
//! with `+` and `·`): shares are reduced to `k` bits whenever they travel.
//!
//! A circuit with fewer than three parties runs with helpers (`helper1`, …)
//! that have no inputs and receive no outputs; more than three is refused.
//!
//! # Correlated randomness, no preprocessing
//!
//! At the start of a run each pair of parties agrees on a 16-byte seed (the
//! lower-indexed party draws it from the OS and sends it). Party `i` expands
//! the seeds it shares with `i + 1` and `i − 1` with AES-128-CTR into words
//! `r_next`, `r_prev`; both ends of a pair draw the same words in the same
//! order, so `α_i = r_next − r_prev` (XOR for bits) sums to zero over the
//! parties, and no party knows the others' `α`.
//!
//! # Gates and message flow
//!
//! - XOR / ADD / SUB of shares, scaling by a public value or constant: each
//!   party on its own two shares. A public value is *added* to share 0 only
//!   (party 0's first share, party 2's second), so it is added once.
//! - AND / MUL: party `i` computes `t_i = x_i y_i + x_i y_{i+1} + x_{i+1} y_i +
//!   α_i` (a 3-out-of-3 sharing of `x · y`) and sends it to one neighbour to
//!   make it replicated again: one element per party per multiplication,
//!   every multiplication of a layer in one message, so rounds = the
//!   multiplicative depth plus a constant. Multiplications alternate between
//!   being sent to the previous party (kept as first share) and to the next
//!   (kept as second share), which loads both directions of every link.
//! - `BitsToArith`: each bit's three shares `b_j` are trivially shared as ring
//!   elements, then `T = b_0 + b_1 − 2 b_0 b_1` and `b = T + b_2 − 2 T b_2`
//!   (two multiplication rounds, every bit of the layer together).
//! - `ArithToBits`: the three summands `x_j` are trivially Boolean-shared; a
//!   carry-save adder (one AND round: the carry `maj(x_0, x_1, x_2)` has the
//!   3-out-of-3 share `x_i ∧ x_{i+1}`) reduces them to two, and a
//!   Kogge–Stone adder adds those in `1 + ⌈log₂(m − 2)⌉` more rounds for `m`
//!   bits. Conversions are extra rounds inside their layer, batched over
//!   every conversion of the layer.
//!
//! Messages of a run, in order: the seeds (lower index → higher); the input
//! shares (the owner `o` takes shares `o` and `o + 1` from its two streams,
//! which the parties sharing them derive too, and sends the third share,
//! `x` minus both, to both others); one exchange with each neighbour per
//! multiplication round; for the outputs, party `i` sends to party `i − 1`
//! its second share of each output `i − 1` receives — the one share that
//! party lacks — and nothing for outputs `i − 1` does not receive.
//!
//! # Security
//!
//! Semi-honest, one corrupted party out of three. Every value a party
//! receives is masked by a stream word it does not know: a resharing `t_j`
//! by `α_j`, which contains the stream of the two *other* parties; an input
//! share by the share of `x` that comes from a stream the receiver does not
//! hold. The output share a non-recipient would need is never sent to it.
//! Shares, seeds and stream buffers are zeroised when dropped (the buffers
//! a backend keeps for its next run, before they are kept). Nothing is
//! checked against a malicious party (a lying peer changes outputs
//! undetected); a peer that hangs up or stalls ends the run with an error
//! naming it.

mod convert;
mod engine;
mod program;
mod round;
mod stream;

use std::sync::{Arc, Mutex, PoisonError};

use veil_circuit::ValidCircuit;
use zeroize::Zeroize;

use self::engine::{Buffers, Engine};
use self::program::Program;
use self::stream::WordStream;
use super::{BackendKind, BackendOptions, KnownInputs, Phases, Protocol, ReceivedOutputs, Session};
use crate::crypto::os_random;
use crate::error::VmError;
use crate::net::Peers;

/// The number of parties replicated sharing runs among.
pub const PARTIES: usize = 3;

/// The rep3 backend for one circuit.
#[derive(Debug)]
pub struct Rep3 {
    circuit: Arc<ValidCircuit>,
    program: Program,
    parties: Vec<String>,
    /// Each party's buffers between runs (zeroised), see [`Buffers`].
    pool: Mutex<[Option<Buffers>; PARTIES]>,
}

impl Rep3 {
    /// Prepares `circuit` (Boolean, arithmetic or mixed, at most three
    /// parties); `options.parties` may only say 3.
    pub fn new(circuit: Arc<ValidCircuit>, options: &BackendOptions) -> Result<Rep3, VmError> {
        if let Some(n) = options.parties {
            if n != PARTIES {
                return Err(VmError::Unsupported {
                    backend: "rep3",
                    why: format!(
                        "replicated secret sharing runs exactly three parties; `--parties {n}` \
                         does not apply (use `gmw` or `arith` for other counts)"
                    ),
                });
            }
        }
        let c = circuit.circuit();
        if c.parties.len() > PARTIES {
            return Err(VmError::Unsupported {
                backend: "rep3",
                why: format!(
                    "replicated secret sharing runs three parties, and this circuit has {} ({}); \
                     use `gmw` (Boolean) or `arith` (arithmetic) for more",
                    c.parties.len(),
                    c.parties.join(", ")
                ),
            });
        }
        let mut parties = c.parties.clone();
        let mut k = 1;
        while parties.len() < PARTIES {
            let name = format!("helper{k}");
            k += 1;
            if !parties.contains(&name) {
                parties.push(name);
            }
        }
        let program = Program::new(c);
        Ok(Rep3 {
            circuit,
            program,
            parties,
            pool: Mutex::default(),
        })
    }

    /// Multiplication rounds of one run (conversions included), for reports
    /// and tests: what a run costs in latency beyond its constant rounds.
    pub fn rounds(&self) -> usize {
        self.program.layers.iter().map(|l| l.rounds()).sum()
    }
}

/// Agrees on a seed with each other party (the lower index draws it) and
/// returns the streams shared with the next and the previous party.
fn pair_streams(peers: &mut Peers) -> Result<(WordStream, WordStream), VmError> {
    let me = peers.me();
    let mut seeds = [[0u8; 16]; PARTIES];
    for (p, seed) in seeds.iter_mut().enumerate().skip(me + 1) {
        os_random(seed)?;
        peers.channel(p)?.send(seed)?;
    }
    peers.flush_all()?;
    for (p, seed) in seeds.iter_mut().enumerate().take(me) {
        peers.channel(p)?.recv(seed)?;
    }
    let next = WordStream::new(&seeds[(me + 1) % PARTIES]);
    let prev = WordStream::new(&seeds[(me + 2) % PARTIES]);
    seeds.zeroize();
    Ok((next, prev))
}

impl Protocol for Rep3 {
    fn kind(&self) -> BackendKind {
        BackendKind::Rep3
    }

    fn parties(&self) -> &[String] {
        &self.parties
    }

    /// AND plus MUL gates per instance. Conversions are not counted: each
    /// costs a few rounds and about one multiplication per bit, see the
    /// module documentation.
    fn paid_gates(&self) -> u64 {
        self.program.ands + self.program.muls
    }

    fn batched(&self) -> bool {
        true
    }

    fn run_party(
        &self,
        inputs: &KnownInputs,
        instances: usize,
        peers: &mut Peers,
        session: &mut Session,
        phases: &mut Phases,
    ) -> Result<ReceivedOutputs, VmError> {
        let me = peers.me();
        let c = self.circuit.circuit();
        if peers.len() != PARTIES || me >= PARTIES {
            return Err(VmError::Crashed {
                party: peers.names().get(me).cloned().unwrap_or_default(),
                why: format!("rep3 runs among three parties, not {}", peers.len()),
            });
        }
        if instances == 0 {
            return Ok(c
                .outputs
                .iter()
                .map(|g| g.recipients.contains(&(me as u32)).then(Vec::new))
                .collect());
        }
        let pool = || self.pool.lock().unwrap_or_else(PoisonError::into_inner);
        let buffers = pool()[me].take().unwrap_or_default();
        let mut engine = phases.time("inputs", || -> Result<Engine<'_>, VmError> {
            let streams = pair_streams(peers)?;
            let mut engine = Engine::new(&self.program, me, instances, streams, buffers);
            engine.public(c, inputs)?;
            engine.inputs(c, inputs, peers)?;
            Ok(engine)
        })?;
        let progress = session.progress.as_deref().filter(|_| me == 0);
        phases.time("evaluate", || engine.evaluate(peers, progress))?;
        let outputs = phases.time("outputs", || engine.outputs(c, peers))?;
        pool()[me] = Some(engine.take_buffers());
        Ok(outputs)
    }
}
