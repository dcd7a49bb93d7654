//! Yao's garbled circuits for two parties, semi-honest: half-gates with
//! free-XOR over a fixed-key AES hash, evaluator inputs by OT extension.
//!
//! Roles: the circuit's first party garbles, the second evaluates. A circuit
//! with a single party runs with a helper evaluator that has no inputs and
//! receives no outputs (it learns nothing: it sees labels and tables only).
//!
//! Messages, in order (garbler → evaluator unless marked):
//! 1. OT extension set-up and one batch of random OTs for the evaluator's
//!    input bits (both directions; skipped when the evaluator has none);
//! 2. per evaluator input bit, one correction block turning the random OT
//!    into the labels `W, W ⊕ Δ`; per garbler input bit, its active label;
//! 3. the garbled tables, streamed in chunks as they are produced;
//! 4. the decoding bits of the secret output wires the evaluator receives;
//! 5. evaluator → garbler: the active labels of the secret output wires the
//!    garbler receives; the garbler decodes them and rejects any label that
//!    is neither of the wire's two labels.
//!
//! A batch of instances (`--parallel`) repeats 2–4 per instance, each with a
//! fresh Δ and fresh labels, after one OT batch for all of them; message 5
//! comes once, for every instance, at the end, so that the garbler streams
//! instance after instance without waiting for a round trip in between.
//!
//! A party that is not a recipient of an output never gets the information
//! to decode it: the evaluator gets no decoding bits for the garbler's
//! outputs, and the garbler gets no labels for the evaluator's.

mod engine;
mod plan;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use veil_circuit::ValidCircuit;
use zeroize::Zeroize;

use self::engine::{Evaluator, Garbler, SliceSource, TableSink, TableSource};
use self::plan::{Plan, Src};
use super::{BackendKind, KnownInputs, Phases, Protocol, ReceivedOutputs, Session};
use crate::block::Block;
use crate::crypto::Prg;
use crate::error::VmError;
use crate::net::{Channel, Peers};

/// The party index of the garbler.
pub const GARBLER: usize = 0;
/// The party index of the evaluator.
pub const EVALUATOR: usize = 1;

/// The garbled-circuit backend for one circuit.
#[derive(Debug)]
pub struct Gc {
    circuit: Arc<ValidCircuit>,
    plan: Plan,
    parties: Vec<String>,
}

impl Gc {
    /// Prepares `circuit`: it must be Boolean and have at most two parties.
    pub fn new(circuit: Arc<ValidCircuit>) -> Result<Gc, VmError> {
        let c = circuit.circuit();
        if !c.is_boolean() {
            return Err(VmError::Unsupported {
                backend: "gc",
                why: "it has arithmetic wires or gates; garbled circuits run Boolean circuits \
                      (compile with `--target bool`)"
                    .into(),
            });
        }
        if c.parties.len() > 2 {
            return Err(VmError::Unsupported {
                backend: "gc",
                why: format!(
                    "garbled circuits run two parties, and this circuit has {} ({})",
                    c.parties.len(),
                    c.parties.join(", ")
                ),
            });
        }
        let mut parties = c.parties.clone();
        while parties.len() < 2 {
            let mut name = if parties.is_empty() {
                "garbler"
            } else {
                "evaluator"
            }
            .to_string();
            while parties.contains(&name) {
                name.push('_');
            }
            parties.push(name);
        }
        let plan = Plan::new(c);
        Ok(Gc {
            circuit,
            plan,
            parties,
        })
    }

    /// The public wire values of instance `i` of a batch (`width` words per
    /// input group and instance).
    fn public_bits(&self, inputs: &KnownInputs, i: usize) -> Vec<u8> {
        let mut bits = vec![0u8; self.plan.pub_slots as usize];
        for (srcs, words) in self.plan.inputs.iter().zip(inputs) {
            if let Some(words) = words {
                let words = instance(words, srcs.len(), i);
                for (s, &w) in srcs.iter().zip(words) {
                    if let Src::Known(k) = *s {
                        bits[k as usize] = (w & 1) as u8;
                    }
                }
            }
        }
        self.plan.eval_public(&mut bits);
        bits
    }

    /// Who receives output group `g`: (garbler, evaluator).
    fn recipients(&self, g: usize) -> (bool, bool) {
        let r = &self.circuit.circuit().outputs[g].recipients;
        (
            r.contains(&(GARBLER as u32)),
            r.contains(&(EVALUATOR as u32)),
        )
    }

    fn owned_by(&self, party: usize) -> impl Iterator<Item = usize> + '_ {
        let c = self.circuit.circuit();
        (0..c.inputs.len())
            .filter(move |&g| c.inputs[g].party as usize == party && !c.inputs[g].public)
    }

    fn evaluator_input_bits(&self) -> usize {
        self.owned_by(EVALUATOR)
            .map(|g| secret_count(&self.plan.inputs[g]))
            .sum()
    }

    /// Output words of one instance, per group, joined instance-major into
    /// `joined` (the layout a batched run returns).
    fn join_outputs(joined: &mut ReceivedOutputs, one: ReceivedOutputs) {
        if joined.is_empty() {
            *joined = one;
            return;
        }
        for (all, o) in joined.iter_mut().zip(one) {
            if let (Some(all), Some(o)) = (all.as_mut(), o) {
                all.extend_from_slice(&o);
            }
        }
    }

    /// The garbler's side of a batch: every instance garbled with its own Δ
    /// and streamed back to back; the labels of the garbler's outputs come
    /// back once, after the last instance, so the pipeline never stalls on a
    /// round trip between instances.
    fn garble_side(
        &self,
        inputs: &KnownInputs,
        instances: usize,
        peers: &mut Peers,
        session: &mut Session,
        phases: &mut Phases,
    ) -> Result<ReceivedOutputs, VmError> {
        let mut prg = Prg::from_os()?;
        let ch = peers.channel(EVALUATOR)?;

        let n_eval = self.evaluator_input_bits();
        if n_eval > 0 {
            phases.time("set-up", || session.ot_sender(EVALUATOR, ch).map(|_| ()))?;
        }
        let ots = phases.time(
            "oblivious transfer",
            || -> Result<Vec<[Block; 2]>, VmError> {
                if n_eval == 0 {
                    return Ok(Vec::new());
                }
                let sender = session.ot_sender(EVALUATOR, ch)?;
                Ok(sender.random(ch, n_eval * instances)?)
            },
        )?;
        let ots = OtPairs(ots);
        // Per instance: Δ and the zero labels of the garbler's output wires.
        let mut kept: Vec<(Block, Vec<Block>)> = Vec::with_capacity(instances);
        let mut publics = Vec::with_capacity(instances);

        for i in 0..instances {
            let public = self.public_bits(inputs, i);
            let mut delta = prg.block();
            let mut garbler = Garbler::new(&self.plan, delta);
            delta.zeroize();
            let delta = garbler.delta;

            phases.time("inputs", || -> Result<(), VmError> {
                let mut out: Vec<Block> = Vec::new();
                for g in self.owned_by(GARBLER) {
                    let srcs = &self.plan.inputs[g];
                    let words = inputs[g].as_deref().unwrap_or_default();
                    for (s, &w) in srcs.iter().zip(instance(words, srcs.len(), i)) {
                        if let Src::Secret(r) = *s {
                            let w0 = prg.block();
                            garbler.labels.0[r as usize] = w0;
                            out.push(w0 ^ delta.and_bit(w & 1 == 1));
                        }
                    }
                }
                let mut k = i * n_eval;
                for g in self.owned_by(EVALUATOR) {
                    for s in &self.plan.inputs[g] {
                        if let Src::Secret(r) = *s {
                            let [m0, m1] = ots.0[k];
                            k += 1;
                            garbler.labels.0[r as usize] = m0;
                            out.push(m0 ^ m1 ^ delta);
                        }
                    }
                }
                ch.send_blocks(&out)?;
                out.zeroize();
                Ok(())
            })?;

            phases.time("garble", || {
                garbler.garble(&self.plan, &public, &mut ChannelSink(&mut *ch))
            })?;

            phases.time("outputs", || -> Result<(), VmError> {
                // Decoding bits for the evaluator's outputs.
                let mut bits = Vec::new();
                let mut mine = Vec::new();
                for (g, srcs) in self.plan.outputs.iter().enumerate() {
                    let (to_garbler, to_evaluator) = self.recipients(g);
                    for s in srcs {
                        if let Src::Secret(r) = *s {
                            let zero = garbler.labels.0[r as usize];
                            if to_evaluator {
                                bits.push(zero.lsb());
                            }
                            if to_garbler {
                                mine.push(zero);
                            }
                        }
                    }
                }
                ch.send(&pack_bits(&bits))?;
                kept.push((delta, mine));
                Ok(())
            })?;
            publics.push(public);
        }

        phases.time("outputs", || -> Result<ReceivedOutputs, VmError> {
            ch.flush()?;
            // Labels for the garbler's outputs, decoded here.
            let mut joined: ReceivedOutputs = Vec::new();
            for ((delta, mut zeros), public) in kept.into_iter().zip(&publics) {
                let mut zero = zeros.iter();
                let mut outputs = Vec::with_capacity(self.plan.outputs.len());
                for (g, srcs) in self.plan.outputs.iter().enumerate() {
                    if !self.recipients(g).0 {
                        outputs.push(None);
                        continue;
                    }
                    let labels = ch.recv_blocks(secret_count(srcs))?;
                    let mut labels = labels.into_iter();
                    let mut words = Vec::with_capacity(srcs.len());
                    for s in srcs {
                        words.push(match *s {
                            Src::Known(k) => u64::from(public[k as usize]),
                            Src::Secret(_) => {
                                let zero = zero.next().copied().unwrap_or_default();
                                let got = labels.next().unwrap_or_default();
                                if got == zero {
                                    0
                                } else if got == zero ^ delta {
                                    1
                                } else {
                                    return Err(VmError::Protocol {
                                        peer: ch.peer().to_string(),
                                        why: format!(
                                            "it sent a label for output `{}` that is neither of the wire's labels",
                                            self.circuit.circuit().outputs[g].name
                                        ),
                                    });
                                }
                            }
                        });
                    }
                    outputs.push(Some(words));
                }
                zeros.zeroize();
                Self::join_outputs(&mut joined, outputs);
            }
            Ok(joined)
        })
    }

    /// The evaluator's side of a batch: the labels of the garbler's outputs
    /// are kept and sent once, after the last instance (see [`Gc::garble_side`]).
    fn evaluate_side(
        &self,
        inputs: &KnownInputs,
        instances: usize,
        peers: &mut Peers,
        session: &mut Session,
        phases: &mut Phases,
    ) -> Result<ReceivedOutputs, VmError> {
        let ch = peers.channel(GARBLER)?;
        let n_eval = self.evaluator_input_bits();
        let mut choices = Vec::with_capacity(n_eval * instances);
        for i in 0..instances {
            for g in self.owned_by(EVALUATOR) {
                let srcs = &self.plan.inputs[g];
                let words = inputs[g].as_deref().unwrap_or_default();
                for (s, &w) in srcs.iter().zip(instance(words, srcs.len(), i)) {
                    if let Src::Secret(_) = s {
                        choices.push(w & 1 == 1);
                    }
                }
            }
        }
        if !choices.is_empty() {
            phases.time("set-up", || session.ot_receiver(GARBLER, ch).map(|_| ()))?;
        }
        let received = phases.time("oblivious transfer", || -> Result<Vec<Block>, VmError> {
            if choices.is_empty() {
                return Ok(Vec::new());
            }
            let receiver = session.ot_receiver(GARBLER, ch)?;
            Ok(receiver.random(ch, &choices)?)
        })?;
        let mut received = OtSingles(received);
        let garbler_bits: usize = self
            .owned_by(GARBLER)
            .map(|g| secret_count(&self.plan.inputs[g]))
            .sum();
        let mut back: Vec<Block> = Vec::new();
        let mut joined: ReceivedOutputs = Vec::new();
        let mut evaluator = Evaluator::new(&self.plan);

        for i in 0..instances {
            let public = self.public_bits(inputs, i);
            phases.time("inputs", || -> Result<(), VmError> {
                let mut blocks = ch.recv_blocks(garbler_bits + n_eval)?;
                let mut next = blocks.iter();
                for g in self.owned_by(GARBLER) {
                    for s in &self.plan.inputs[g] {
                        if let Src::Secret(r) = *s {
                            evaluator.labels.0[r as usize] =
                                next.next().copied().unwrap_or_default();
                        }
                    }
                }
                let mut k = i * n_eval;
                for g in self.owned_by(EVALUATOR) {
                    for s in &self.plan.inputs[g] {
                        if let Src::Secret(r) = *s {
                            let correction = next.next().copied().unwrap_or_default();
                            evaluator.labels.0[r as usize] =
                                received.0[k] ^ correction.and_bit(choices[k]);
                            k += 1;
                        }
                    }
                }
                blocks.zeroize();
                Ok(())
            })?;

            phases.time("evaluate", || {
                let mut source = ChannelSource {
                    ch: &mut *ch,
                    progress: session.progress.as_deref(),
                };
                evaluator.evaluate(&self.plan, &public, &mut source)
            })?;

            let outputs = phases.time("outputs", || -> Result<ReceivedOutputs, VmError> {
                let mut n_bits = 0;
                for (g, srcs) in self.plan.outputs.iter().enumerate() {
                    if self.recipients(g).1 {
                        n_bits += secret_count(srcs);
                    }
                }
                let mut packed = vec![0u8; n_bits.div_ceil(8)];
                ch.recv(&mut packed)?;
                let mut bit = 0;
                let mut outputs = Vec::with_capacity(self.plan.outputs.len());
                for (g, srcs) in self.plan.outputs.iter().enumerate() {
                    let (to_garbler, to_me) = self.recipients(g);
                    if to_garbler {
                        for s in srcs {
                            if let Src::Secret(r) = *s {
                                back.push(evaluator.labels.0[r as usize]);
                            }
                        }
                    }
                    if !to_me {
                        outputs.push(None);
                        continue;
                    }
                    let mut words = Vec::with_capacity(srcs.len());
                    for s in srcs {
                        words.push(match *s {
                            Src::Known(k) => u64::from(public[k as usize]),
                            Src::Secret(r) => {
                                let d = packed[bit / 8] >> (bit % 8) & 1;
                                bit += 1;
                                u64::from(evaluator.labels.0[r as usize].lsb()) ^ u64::from(d)
                            }
                        });
                    }
                    outputs.push(Some(words));
                }
                Ok(outputs)
            })?;
            Self::join_outputs(&mut joined, outputs);
        }
        received.0.zeroize();
        choices.zeroize();
        phases.time("outputs", || -> Result<(), VmError> {
            ch.send_blocks(&back)?;
            ch.flush()?;
            Ok(())
        })?;
        back.zeroize();
        Ok(joined)
    }

    /// Garbles and evaluates in memory, with no channel and no OT (labels are
    /// handed over directly): the speed of the two hot loops alone, for
    /// `veil bench`. `inputs` holds every input group's words. Returns the
    /// garbling time, the evaluation time and the output words.
    pub fn in_memory(&self, inputs: &[Vec<u64>]) -> Result<InMemoryRun, VmError> {
        let known: Vec<Option<Vec<u64>>> = inputs.iter().cloned().map(Some).collect();
        let public = self.public_bits(&known, 0);
        let mut prg = Prg::from_os()?;
        let mut garbler = Garbler::new(&self.plan, prg.block());
        let mut evaluator = Evaluator::new(&self.plan);
        let delta = garbler.delta;
        for (srcs, words) in self.plan.inputs.iter().zip(inputs) {
            for (s, &w) in srcs.iter().zip(words) {
                if let Src::Secret(r) = *s {
                    let w0 = prg.block();
                    garbler.labels.0[r as usize] = w0;
                    evaluator.labels.0[r as usize] = w0 ^ delta.and_bit(w & 1 == 1);
                }
            }
        }
        let mut tables: Vec<u8> = Vec::with_capacity(self.plan.ands.len() * engine::AND_BYTES);
        let start = Instant::now();
        garbler.garble(&self.plan, &public, &mut tables)?;
        let garble = start.elapsed();
        let start = Instant::now();
        evaluator.evaluate(
            &self.plan,
            &public,
            &mut SliceSource {
                bytes: &tables,
                pos: 0,
            },
        )?;
        let evaluate = start.elapsed();
        let outputs = self
            .plan
            .outputs
            .iter()
            .map(|srcs| {
                srcs.iter()
                    .map(|s| match *s {
                        Src::Known(k) => u64::from(public[k as usize]),
                        Src::Secret(r) => {
                            let d = garbler.labels.0[r as usize].lsb();
                            u64::from(evaluator.labels.0[r as usize].lsb() ^ d)
                        }
                    })
                    .collect()
            })
            .collect();
        Ok(InMemoryRun {
            garble,
            evaluate,
            table_bytes: tables.len() as u64,
            outputs,
        })
    }
}

/// The result of [`Gc::in_memory`].
#[derive(Debug, Clone)]
pub struct InMemoryRun {
    /// Time to garble every gate (tables written to memory).
    pub garble: Duration,
    /// Time to evaluate every gate (tables read from memory).
    pub evaluate: Duration,
    /// Bytes of garbled tables.
    pub table_bytes: u64,
    /// The output words, decoded (every output group).
    pub outputs: Vec<Vec<u64>>,
}

impl Protocol for Gc {
    fn kind(&self) -> BackendKind {
        BackendKind::Gc
    }

    fn parties(&self) -> &[String] {
        &self.parties
    }

    fn paid_gates(&self) -> u64 {
        self.plan.and_count()
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
        let instances = instances.max(1);
        match peers.me() {
            GARBLER => self.garble_side(inputs, instances, peers, session, phases),
            _ => self.evaluate_side(inputs, instances, peers, session, phases),
        }
    }
}

/// Instance `i`'s words of an input group of `width` words per instance.
fn instance(words: &[u64], width: usize, i: usize) -> &[u64] {
    words.get(i * width..(i + 1) * width).unwrap_or_default()
}

fn secret_count(srcs: &[Src]) -> usize {
    srcs.iter().filter(|s| matches!(s, Src::Secret(_))).count()
}

fn pack_bits(bits: &[bool]) -> Vec<u8> {
    let mut out = vec![0u8; bits.len().div_ceil(8)];
    for (i, &b) in bits.iter().enumerate() {
        out[i / 8] |= u8::from(b) << (i % 8);
    }
    out
}

/// Random OT pairs, zeroised when dropped.
struct OtPairs(Vec<[Block; 2]>);

impl Drop for OtPairs {
    fn drop(&mut self) {
        for p in &mut self.0 {
            p.zeroize();
        }
    }
}

/// Received OT messages, zeroised when dropped.
struct OtSingles(Vec<Block>);

impl Drop for OtSingles {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

struct ChannelSink<'a>(&'a mut dyn Channel);

impl TableSink for ChannelSink<'_> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), VmError> {
        Ok(self.0.send(bytes)?)
    }
}

/// Tables from the garbler; counts evaluated AND gates for a progress display.
struct ChannelSource<'a> {
    ch: &'a mut dyn Channel,
    progress: Option<&'a AtomicU64>,
}

impl TableSource for ChannelSource<'_> {
    fn take(&mut self, buf: &mut [u8]) -> Result<(), VmError> {
        self.ch.recv(buf)?;
        if let Some(p) = self.progress {
            p.fetch_add((buf.len() / engine::AND_BYTES) as u64, Ordering::Relaxed);
        }
        Ok(())
    }
}
