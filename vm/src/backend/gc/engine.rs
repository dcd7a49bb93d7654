//! The hot loops: half-gates garbling and evaluation over a [`Plan`].
//!
//! Half-gates (Zahur, Rosulek and Evans, Eurocrypt 2015) with free-XOR and
//! point-and-permute: a wire's labels are `W` and `W ⊕ Δ` (Δ's low bit is 1,
//! so a label's low bit is its colour), XOR and NOT cost nothing, and an AND
//! costs two ciphertexts (32 bytes) and four hashes to garble, two to
//! evaluate. The hash is [`TccrHash`] with the tweaks `2j` and `2j + 1` for
//! the `j`-th AND gate, so no tweak repeats within a run.
//!
//! AND gates come in batches of independent gates ([`Plan`]); each chunk of
//! a batch is hashed in one call, and its ciphertexts go to a [`TableSink`]
//! (a channel, or memory for benchmarks) in large chunks as they are made.
//! Nothing is allocated per gate.

use zeroize::Zeroize;

use super::plan::{AndGate, Op, Plan, XorGate};
use crate::block::Block;
use crate::crypto::TccrHash;
use crate::error::VmError;

/// AND gates hashed together.
const CHUNK: usize = 64;
/// Garbled-table bytes gathered before they are handed to the sink.
const TABLE_BUFFER: usize = 1 << 16;
/// Bytes of one garbled AND gate.
pub(crate) const AND_BYTES: usize = 32;

/// A run of free XOR gates: the same code for garbler and evaluator.
#[inline(always)]
fn xor_run(l: &mut [Block], gates: &[XorGate]) {
    for g in gates {
        l[g.out as usize] = l[g.a as usize] ^ l[g.b as usize];
    }
}

/// Where garbled tables go.
pub(crate) trait TableSink {
    /// Takes the next bytes of the table stream.
    fn put(&mut self, bytes: &[u8]) -> Result<(), VmError>;
}

/// Where garbled tables come from.
pub(crate) trait TableSource {
    /// Fills `buf` with the next bytes of the table stream.
    fn take(&mut self, buf: &mut [u8]) -> Result<(), VmError>;
}

impl TableSink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), VmError> {
        self.extend_from_slice(bytes);
        Ok(())
    }
}

/// Tables already in memory (benchmarks and tests).
pub(crate) struct SliceSource<'a> {
    pub bytes: &'a [u8],
    pub pos: usize,
}

impl TableSource for SliceSource<'_> {
    fn take(&mut self, buf: &mut [u8]) -> Result<(), VmError> {
        let end = self.pos + buf.len();
        let src = self
            .bytes
            .get(self.pos..end)
            .ok_or_else(|| VmError::Protocol {
                peer: "garbler".into(),
                why: "the garbled tables ended early".into(),
            })?;
        buf.copy_from_slice(src);
        self.pos = end;
        Ok(())
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
    xs: Vec<Block>,
    tweaks: Vec<Block>,
    table: Vec<u8>,
}

impl Drop for Garbler {
    fn drop(&mut self) {
        self.delta.zeroize();
        self.xs.zeroize();
        self.table.zeroize();
    }
}

impl Garbler {
    /// A garbler with secret `delta` (its low bit must be 1) for `plan`.
    pub fn new(plan: &Plan, delta: Block) -> Garbler {
        Garbler {
            delta: delta.with_lsb_set(),
            labels: Labels(vec![Block::ZERO; plan.registers as usize]),
            hash: TccrHash::new(),
            xs: vec![Block::ZERO; 4 * CHUNK],
            tweaks: vec![Block::ZERO; 4 * CHUNK],
            table: Vec::with_capacity(TABLE_BUFFER + CHUNK * AND_BYTES),
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
                Op::Not { a, out } => l[out as usize] = l[a as usize] ^ delta,
                Op::Copy { a, out } => l[out as usize] = l[a as usize],
                Op::AndPub { a, p, out } => {
                    l[out as usize] = l[a as usize].and_bit(public[p as usize] == 1)
                }
                Op::Ands { start, len } => {
                    let gates = &plan.ands[start as usize..(start + len) as usize];
                    for chunk in gates.chunks(CHUNK) {
                        self.garble_chunk(chunk, gate_index);
                        gate_index += chunk.len() as u64;
                        if self.table.len() >= TABLE_BUFFER {
                            sink.put(&self.table)?;
                            self.table.clear();
                        }
                    }
                }
            }
        }
        if !self.table.is_empty() {
            sink.put(&self.table)?;
            self.table.clear();
        }
        Ok(())
    }

    #[inline]
    fn garble_chunk(&mut self, gates: &[AndGate], first: u64) {
        let delta = self.delta;
        let n = gates.len();
        let l = &mut self.labels.0;
        for (k, g) in gates.iter().enumerate() {
            let a0 = l[g.a as usize];
            let b0 = l[g.b as usize];
            let j = u128::from(first + k as u64) << 1;
            self.xs[4 * k] = a0;
            self.xs[4 * k + 1] = a0 ^ delta;
            self.xs[4 * k + 2] = b0;
            self.xs[4 * k + 3] = b0 ^ delta;
            self.tweaks[4 * k] = Block::from_u128(j);
            self.tweaks[4 * k + 1] = Block::from_u128(j);
            self.tweaks[4 * k + 2] = Block::from_u128(j | 1);
            self.tweaks[4 * k + 3] = Block::from_u128(j | 1);
        }
        self.hash
            .hash_in_place(&mut self.xs[..4 * n], &self.tweaks[..4 * n]);
        for (k, g) in gates.iter().enumerate() {
            let a0 = l[g.a as usize];
            let b0 = l[g.b as usize];
            let (pa, pb) = (a0.lsb(), b0.lsb());
            let (ha0, ha1, hb0, hb1) = (
                self.xs[4 * k],
                self.xs[4 * k + 1],
                self.xs[4 * k + 2],
                self.xs[4 * k + 3],
            );
            // Garbler half: a ∧ pb, with pb known to the garbler.
            let tg = ha0 ^ ha1 ^ delta.and_bit(pb);
            let wg = ha0 ^ tg.and_bit(pa);
            // Evaluator half: a ∧ (b ⊕ pb), with b ⊕ pb the colour the evaluator sees.
            let te = hb0 ^ hb1 ^ a0;
            let we = hb0 ^ (te ^ a0).and_bit(pb);
            l[g.out as usize] = wg ^ we;
            self.table.extend_from_slice(&tg.to_bytes());
            self.table.extend_from_slice(&te.to_bytes());
        }
    }
}

/// The evaluator's side: one active label per register, and scratch space.
pub(crate) struct Evaluator {
    pub labels: Labels,
    hash: TccrHash,
    xs: Vec<Block>,
    tweaks: Vec<Block>,
    table: Vec<u8>,
}

impl Drop for Evaluator {
    fn drop(&mut self) {
        self.xs.zeroize();
    }
}

impl Evaluator {
    /// An evaluator for `plan`.
    pub fn new(plan: &Plan) -> Evaluator {
        Evaluator {
            labels: Labels(vec![Block::ZERO; plan.registers as usize]),
            hash: TccrHash::new(),
            xs: vec![Block::ZERO; 2 * CHUNK],
            tweaks: vec![Block::ZERO; 2 * CHUNK],
            table: vec![0u8; CHUNK * AND_BYTES],
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
        let mut gate_index: u64 = 0;
        for op in &plan.ops {
            let l = &mut self.labels.0;
            match *op {
                Op::Xors { start, len } => {
                    xor_run(l, &plan.xors[start as usize..(start + len) as usize])
                }
                Op::XorPub { a, out, .. } | Op::Not { a, out } | Op::Copy { a, out } => {
                    l[out as usize] = l[a as usize]
                }
                Op::AndPub { a, p, out } => {
                    l[out as usize] = l[a as usize].and_bit(public[p as usize] == 1)
                }
                Op::Ands { start, len } => {
                    let gates = &plan.ands[start as usize..(start + len) as usize];
                    for chunk in gates.chunks(CHUNK) {
                        source.take(&mut self.table[..chunk.len() * AND_BYTES])?;
                        self.evaluate_chunk(chunk, gate_index);
                        gate_index += chunk.len() as u64;
                    }
                }
            }
        }
        Ok(())
    }

    #[inline]
    fn evaluate_chunk(&mut self, gates: &[AndGate], first: u64) {
        let n = gates.len();
        let l = &mut self.labels.0;
        for (k, g) in gates.iter().enumerate() {
            let j = u128::from(first + k as u64) << 1;
            self.xs[2 * k] = l[g.a as usize];
            self.xs[2 * k + 1] = l[g.b as usize];
            self.tweaks[2 * k] = Block::from_u128(j);
            self.tweaks[2 * k + 1] = Block::from_u128(j | 1);
        }
        self.hash
            .hash_in_place(&mut self.xs[..2 * n], &self.tweaks[..2 * n]);
        for (k, g) in gates.iter().enumerate() {
            let a = l[g.a as usize];
            let b = l[g.b as usize];
            let t = &self.table[k * AND_BYTES..(k + 1) * AND_BYTES];
            let tg = Block::from_bytes(t[..16].try_into().unwrap_or_default());
            let te = Block::from_bytes(t[16..].try_into().unwrap_or_default());
            let wg = self.xs[2 * k] ^ tg.and_bit(a.lsb());
            let we = self.xs[2 * k + 1] ^ (te ^ a).and_bit(b.lsb());
            l[g.out as usize] = wg ^ we;
        }
    }
}
