//! The hot loops: half-gates garbling and evaluation over a [`Plan`].
//!
//! Half-gates (Zahur, Rosulek and Evans, Eurocrypt 2015) with free-XOR and
//! point-and-permute: a wire's labels are `W` and `W ⊕ Δ` (Δ's low bit is 1,
//! so a label's low bit is its colour), XOR and NOT cost nothing, and an AND
//! costs two ciphertexts (32 bytes) and four hashes to garble, two to
//! evaluate. The hash is [`TccrHash`] with the tweaks `2j` and `2j + 1` for
//! the `j`-th AND gate, so no tweak repeats within a run.
//!
//! AND gates come in batches of independent gates ([`Plan`]). A batch is one
//! [`TccrHash::hash_gates`] job: the hasher calls back into [`GarbleJob`] /
//! [`EvalJob`] per AES batch, which read labels straight from the register
//! file into the hasher's AES buffers and write outputs and table rows
//! straight from them. Tables go to a [`TableSink`] (a channel, or memory for
//! benchmarks) in chunks small enough for the evaluator to start early.
//! Nothing is allocated per gate.
//!
//! The gate code is written for the vectoriser (no `unsafe`, no intrinsics):
//! register indices are masked rather than bounds-checked ([`at`]), colour
//! bits select with masks rather than branches ([`colour_mask`]).

use zeroize::Zeroize;

use super::plan::{AndGate, Op, Plan, XorGate, ONE};
use crate::block::Block;
use crate::crypto::TccrHash;
use crate::error::VmError;

/// Bytes of one garbled AND gate.
pub(crate) const AND_BYTES: usize = 32;

/// The index of register `r` in the register file `l`. Register files are a
/// power of two long ([`register_file`]), so the mask keeps every index in
/// bounds and the compiler drops the bounds checks from the hot loops; plan
/// registers are below the length, so the mask never changes them.
#[inline(always)]
fn at(l: &[Block], r: u32) -> usize {
    r as usize & l.len().wrapping_sub(1)
}

/// A zeroed register file for `plan` (with the length [`at`] relies on).
fn register_file(plan: &Plan) -> Vec<Block> {
    let n = (plan.registers as usize).max(ONE as usize + 1);
    vec![Block::ZERO; n.next_power_of_two()]
}

/// A run of free XOR gates: the same code for garbler and evaluator.
#[inline(always)]
fn xor_run(l: &mut [Block], gates: &[XorGate]) {
    if l.is_empty() {
        return;
    }
    // Unrolled by four: the loop is a dozen instructions per gate.
    let (fours, rest) = gates.as_chunks::<4>();
    for four in fours {
        for g in four {
            l[at(l, g.out)] = l[at(l, g.a)] ^ l[at(l, g.b)];
        }
    }
    for g in rest {
        l[at(l, g.out)] = l[at(l, g.a)] ^ l[at(l, g.b)];
    }
}

/// All ones if `label`'s colour bit is 1, else zero: `x & mask` selects
/// without a branch. The byte goes through `black_box`: recognising it as a
/// `bool`, LLVM would branch on it (mispredicted half the time on random
/// colours) or scatter the gate's vector code into byte shuffles.
#[inline(always)]
fn colour_mask(label: Block) -> Block {
    let m = std::hint::black_box(((label.0[0] << 7) as i8 >> 7) as u8);
    Block([m; 16])
}

/// Where garbled tables go.
pub(crate) trait TableSink {
    /// Takes the next bytes of the table stream.
    fn put(&mut self, bytes: &[u8]) -> Result<(), VmError>;

    /// The next `len` bytes of the stream, to be written in place, for sinks
    /// that keep the tables in memory (the garbler then writes its rows there
    /// rather than copying them in); `None`, every time, for sinks that send
    /// them on.
    fn extend_in_place(&mut self, _len: usize) -> Option<&mut [u8]> {
        None
    }
}

/// Where garbled tables come from.
pub(crate) trait TableSource {
    /// Fills `buf` with the next bytes of the table stream.
    fn take(&mut self, buf: &mut [u8]) -> Result<(), VmError>;

    /// The next `buf.len()` bytes of the stream: in `buf`, or where the
    /// source already holds them (tables in memory are then not copied).
    fn next_bytes<'s>(&'s mut self, buf: &'s mut [u8]) -> Result<&'s [u8], VmError> {
        self.take(buf)?;
        Ok(buf)
    }
}

impl TableSink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), VmError> {
        self.extend_from_slice(bytes);
        Ok(())
    }

    fn extend_in_place(&mut self, len: usize) -> Option<&mut [u8]> {
        let at = self.len();
        self.resize(at + len, 0);
        Some(&mut self[at..])
    }
}

/// Tables already in memory (benchmarks and tests).
pub(crate) struct SliceSource<'a> {
    pub bytes: &'a [u8],
    pub pos: usize,
}

impl SliceSource<'_> {
    fn next(&mut self, len: usize) -> Result<&[u8], VmError> {
        let end = self.pos + len;
        let src = self
            .bytes
            .get(self.pos..end)
            .ok_or_else(|| VmError::Protocol {
                peer: "garbler".into(),
                why: "the garbled tables ended early".into(),
            })?;
        self.pos = end;
        Ok(src)
    }
}

impl TableSource for SliceSource<'_> {
    fn take(&mut self, buf: &mut [u8]) -> Result<(), VmError> {
        buf.copy_from_slice(self.next(buf.len())?);
        Ok(())
    }

    fn next_bytes<'s>(&'s mut self, buf: &'s mut [u8]) -> Result<&'s [u8], VmError> {
        self.next(buf.len())
    }
}

/// A label register file, zeroised on drop.
pub(crate) struct Labels(pub Vec<Block>);

impl Drop for Labels {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// The garbler's side: zero-labels in registers, Δ, and scratch space.
pub(crate) struct Garbler {
    pub delta: Block,
    pub labels: Labels,
    hash: TccrHash,
    /// Garbled rows not yet handed to the sink: `table[..filled]`.
    table: Box<[[[u8; 16]; 2]]>,
    filled: usize,
}

impl Drop for Garbler {
    /// Δ is the garbler's secret (the table rows are not: they are sent).
    fn drop(&mut self) {
        self.delta.zeroize();
    }
}

impl Garbler {
    /// A garbler with secret `delta` (its low bit must be 1) for `plan`.
    pub fn new(plan: &Plan, delta: Block) -> Garbler {
        let delta = delta.with_lsb_set();
        let mut labels = register_file(plan);
        labels[ONE as usize] = delta;
        Garbler {
            delta,
            labels: Labels(labels),
            hash: TccrHash::new(),
            table: vec![[[0; 16]; 2]; TABLE_GATES].into_boxed_slice(),
            filled: 0,
        }
    }

    /// Garbles every secret gate of `plan` (input labels already in their
    /// registers), streaming the tables to `sink`.
    pub fn garble(
        &mut self,
        plan: &Plan,
        public: &[u8],
        sink: &mut impl TableSink,
    ) -> Result<(), VmError> {
        let delta = self.delta;
        let mut gate_index: u64 = 0;
        for op in &plan.ops {
            let l = &mut self.labels.0;
            match *op {
                Op::Xors { start, len } => {
                    xor_run(l, &plan.xors[start as usize..(start + len) as usize])
                }
                Op::XorPub { a, p, out } => {
                    l[out as usize] = l[a as usize] ^ delta.and_bit(public[p as usize] == 1)
                }
                Op::AndPub { a, p, out } => {
                    l[out as usize] = l[a as usize].and_bit(public[p as usize] == 1)
                }
                Op::Ands { start, len } => {
                    let mut gates = &plan.ands[start as usize..(start + len) as usize];
                    let n = gates.len();
                    if let Some(room) = sink.extend_in_place(n * AND_BYTES) {
                        // (A sink answers alike every time: nothing is buffered.)
                        debug_assert_eq!(self.filled, 0);
                        let rows = room.as_chunks_mut::<16>().0.as_chunks_mut::<2>().0;
                        self.hash.hash_gates(
                            n,
                            gate_index,
                            &mut GarbleJob {
                                l,
                                gates,
                                delta,
                                table: rows,
                            },
                            GarbleJob::inputs,
                            GarbleJob::outputs,
                        );
                        gate_index += n as u64;
                        continue;
                    }
                    while !gates.is_empty() {
                        let n = gates.len().min(TABLE_GATES - self.filled);
                        let (now, rest) = gates.split_at(n);
                        self.hash.hash_gates(
                            n,
                            gate_index,
                            &mut GarbleJob {
                                l,
                                gates: now,
                                delta,
                                table: &mut self.table[self.filled..self.filled + n],
                            },
                            GarbleJob::inputs,
                            GarbleJob::outputs,
                        );
                        self.filled += n;
                        gate_index += n as u64;
                        gates = rest;
                        if self.filled == TABLE_GATES {
                            flush(&self.table, &mut self.filled, sink)?;
                        }
                    }
                }
            }
        }
        flush(&self.table, &mut self.filled, sink)
    }
}

/// Hands `table[..*filled]` to `sink` and empties it.
fn flush(
    table: &[[[u8; 16]; 2]],
    filled: &mut usize,
    sink: &mut impl TableSink,
) -> Result<(), VmError> {
    if *filled > 0 {
        sink.put(table[..*filled].as_flattened().as_flattened())?;
        *filled = 0;
    }
    Ok(())
}

/// Table rows per sink hand-over (16 KiB): small enough that the evaluator
/// starts soon after the garbler, large enough for few channel messages.
const TABLE_GATES: usize = 512;
/// Table rows per source read on the evaluator's side (as for [`TABLE_GATES`]).
const EVAL_GATES: usize = 512;

/// Garbling one run of independent AND gates, as the hasher's job.
struct GarbleJob<'a> {
    l: &'a mut [Block],
    gates: &'a [AndGate],
    delta: Block,
    table: &'a mut [[[u8; 16]; 2]],
}

impl GarbleJob<'_> {
    /// Hash inputs of `gates[first..]`: `A₀, A₀ ⊕ Δ, B₀, B₀ ⊕ Δ`.
    #[inline(never)]
    fn inputs(&mut self, first: usize, out: &mut [[[u8; 16]; 4]]) {
        let (l, d) = (&*self.l, self.delta);
        if l.is_empty() {
            // Never (the constant registers): tells the compiler that `at` is in bounds.
            return;
        }
        for (o, g) in out.iter_mut().zip(&self.gates[first..]) {
            let (a0, b0) = (l[at(l, g.a)], l[at(l, g.b)]);
            *o = [a0.0, (a0 ^ d).0, b0.0, (b0 ^ d).0];
        }
    }

    /// The two half gates of `gates[first..]`, from their hashes.
    #[inline(never)]
    fn outputs(&mut self, first: usize, hashes: &[[[u8; 16]; 4]]) {
        let (l, d) = (&mut *self.l, self.delta);
        if l.is_empty() {
            return;
        }
        let rows = &mut self.table[first..];
        for ((g, h), row) in self.gates[first..].iter().zip(hashes).zip(rows) {
            let [ha0, ha1, hb0, hb1] = h.map(Block);
            let (a0, b0) = (l[at(l, g.a)], l[at(l, g.b)]);
            let (pa, pb) = (colour_mask(a0), colour_mask(b0));
            // Garbler half: a ∧ pb, with pb known to the garbler.
            let tg = ha0 ^ ha1 ^ (d & pb);
            let wg = ha0 ^ (tg & pa);
            // Evaluator half: a ∧ (b ⊕ pb), with b ⊕ pb the colour the evaluator sees.
            let te = hb0 ^ hb1 ^ a0;
            let we = hb0 ^ ((te ^ a0) & pb);
            l[at(l, g.out)] = wg ^ we;
            *row = [tg.0, te.0];
        }
    }
}

/// Evaluating one run of independent AND gates, as the hasher's job.
struct EvalJob<'a> {
    l: &'a mut [Block],
    gates: &'a [AndGate],
    table: &'a [[[u8; 16]; 2]],
}

impl EvalJob<'_> {
    /// Hash inputs of `gates[first..]`: the active labels `A`, `B`.
    #[inline(never)]
    fn inputs(&mut self, first: usize, out: &mut [[[u8; 16]; 2]]) {
        let l = &*self.l;
        if l.is_empty() {
            return;
        }
        for (o, g) in out.iter_mut().zip(&self.gates[first..]) {
            *o = [l[at(l, g.a)].0, l[at(l, g.b)].0];
        }
    }

    /// The output labels of `gates[first..]`, from their hashes and rows.
    #[inline(never)]
    fn outputs(&mut self, first: usize, hashes: &[[[u8; 16]; 2]]) {
        let l = &mut *self.l;
        if l.is_empty() {
            return;
        }
        let rows = &self.table[first..];
        for ((g, h), row) in self.gates[first..].iter().zip(hashes).zip(rows) {
            let [ha, hb] = h.map(Block);
            let [tg, te] = row.map(Block);
            let (a, b) = (l[at(l, g.a)], l[at(l, g.b)]);
            let wg = ha ^ (tg & colour_mask(a));
            let we = hb ^ ((te ^ a) & colour_mask(b));
            l[at(l, g.out)] = wg ^ we;
        }
    }
}

/// The evaluator's side: one active label per register, and scratch space.
pub(crate) struct Evaluator {
    pub labels: Labels,
    hash: TccrHash,
    /// Garbled rows read ahead, for sources that copy them.
    table: Box<[[[u8; 16]; 2]]>,
}

impl Evaluator {
    /// An evaluator for `plan`.
    pub fn new(plan: &Plan) -> Evaluator {
        Evaluator {
            labels: Labels(register_file(plan)),
            hash: TccrHash::new(),
            table: vec![[[0; 16]; 2]; EVAL_GATES].into_boxed_slice(),
        }
    }

    /// Evaluates every secret gate of `plan` (input labels already in their
    /// registers), reading the tables from `source`.
    pub fn evaluate(
        &mut self,
        plan: &Plan,
        public: &[u8],
        source: &mut impl TableSource,
    ) -> Result<(), VmError> {
        let Evaluator {
            labels,
            hash,
            table,
        } = self;
        let mut gate_index: u64 = 0;
        // Rows read ahead and not used yet.
        let mut rows: &[[[u8; 16]; 2]] = &[];
        for op in &plan.ops {
            let l = &mut labels.0;
            match *op {
                Op::Xors { start, len } => {
                    xor_run(l, &plan.xors[start as usize..(start + len) as usize])
                }
                Op::XorPub { a, out, .. } => l[out as usize] = l[a as usize],
                Op::AndPub { a, p, out } => {
                    l[out as usize] = l[a as usize].and_bit(public[p as usize] == 1)
                }
                Op::Ands { start, len } => {
                    let mut gates = &plan.ands[start as usize..(start + len) as usize];
                    while !gates.is_empty() {
                        if rows.is_empty() {
                            // Rows for this and the following batches: one read
                            // per buffer rather than one per batch.
                            let left = plan.ands.len() - gate_index as usize;
                            let buf = &mut table[..left.min(EVAL_GATES)];
                            let bytes =
                                source.next_bytes(buf.as_flattened_mut().as_flattened_mut())?;
                            rows = bytes.as_chunks::<16>().0.as_chunks::<2>().0;
                            if rows.is_empty() {
                                return Err(VmError::Protocol {
                                    peer: "garbler".into(),
                                    why: "the garbled tables ended early".into(),
                                });
                            }
                        }
                        let n = gates.len().min(rows.len());
                        let (now, rest) = gates.split_at(n);
                        let (these, later) = rows.split_at(n);
                        hash.hash_gates(
                            n,
                            gate_index,
                            &mut EvalJob {
                                l,
                                gates: now,
                                table: these,
                            },
                            EvalJob::inputs,
                            EvalJob::outputs,
                        );
                        gate_index += n as u64;
                        gates = rest;
                        rows = later;
                    }
                }
            }
        }
        Ok(())
    }
}
