//! Fixed-key AES as a public random permutation π, and the tweakable
//! circular-correlation-robust hash built from it.
//!
//! Garbling and OT extension need a hash `H(x, i)` that stays secure when its
//! inputs are correlated by the secret Δ (`x` and `x ⊕ Δ` are both hashed).
//! The cheap `π(x) ⊕ x` is only correlation robust, and garbling schemes that
//! used it with gate-index tweaks were shown attackable; Guo, Katz, Wang and Yu
//! ("Efficient and Secure Multiparty Computation from Fixed-Key Block
//! Ciphers", S&P 2020, §7) prove that
//!
//! ```text
//! H(x, i) = π(π(x) ⊕ i) ⊕ π(x)
//! ```
//!
//! is tweakable circular correlation robust when π is modelled as a random
//! permutation. It costs two AES calls per hash, which we make in batches:
//! one AES call per block is ten times slower than pipelined calls.
//! [`TccrHash::hash_gates`] takes a garbled circuit's AND batch through both
//! AES levels with the caller writing and reading the AES buffers directly,
//! since conversions and extra passes otherwise cost as much as the AES.

use aes::cipher::array::Array;
use aes::cipher::consts::U16;
use aes::cipher::typenum::Unsigned;
use aes::cipher::{
    BlockCipherEncBackend, BlockCipherEncClosure, BlockCipherEncrypt, BlockSizeUser, KeyInit,
    ParBlocks,
};
use aes::Aes128;

use crate::block::Block;

/// Blocks staged per pipelined AES call: at least the widest backend's
/// parallel width (64 blocks with VAES-512); narrower backends use a prefix.
pub const BATCH: usize = 64;

/// A partial batch at least this long is padded and encrypted as a full
/// parallel batch; shorter ones go block by block (the break-even point
/// between one padded 64-block VAES call and single-block AES-NI calls).
const PAD_MIN: usize = 24;

/// The public key of π: the first 128 fractional bits of π, so that nobody
/// chose it (the key is public by design; security rests on AES as a permutation).
const FIXED_KEY: u128 = 0x243F_6A88_85A3_08D3_1319_8A2E_0370_7344;

/// AES-128 under a fixed public key: a public random permutation.
#[derive(Clone)]
pub struct FixedKeyAes {
    cipher: Aes128,
}

impl std::fmt::Debug for FixedKeyAes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FixedKeyAes")
    }
}

impl Default for FixedKeyAes {
    fn default() -> Self {
        FixedKeyAes::new()
    }
}

impl FixedKeyAes {
    /// π with the fixed key (the `aes` crate picks AES-NI/VAES at run time).
    pub fn new() -> FixedKeyAes {
        FixedKeyAes {
            cipher: Aes128::new(&FIXED_KEY.to_le_bytes().into()),
        }
    }

    /// Applies π to every block in place.
    #[inline]
    pub fn permute(&self, blocks: &mut [aes::Block]) {
        self.cipher.encrypt_blocks(blocks);
    }
}

/// Hash inputs made and consumed by the batch, `W` blocks per group.
trait Job<const W: usize> {
    /// Writes the inputs of groups `first..first + out.len()` to `out`.
    fn inputs(&mut self, first: usize, out: &mut [[[u8; 16]; W]]);
    /// `out = pis ⊕ tweaks` for groups `first..first + out.len()`.
    fn add_tweaks(&self, first: usize, pis: &[[[u8; 16]; W]], out: &mut [[[u8; 16]; W]]);
    /// Takes the hashes of groups `first..first + hashes.len()`.
    fn outputs(&mut self, first: usize, hashes: &[[[u8; 16]; W]]);
}

/// `x ⊕ (hi · 2⁶⁴ + lo)` for a little-endian block `x`, in 64-bit lanes (the
/// vectoriser packs them; built as a byte vector, a tweak costs a shuffle per byte).
#[inline(always)]
fn xor_halves(x: [u8; 16], lo: u64, hi: u64) -> [u8; 16] {
    let (l, h) = x.split_at(8);
    let l = u64::from_le_bytes(l.try_into().unwrap_or_default()) ^ lo;
    let h = u64::from_le_bytes(h.try_into().unwrap_or_default()) ^ hi;
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&l.to_le_bytes());
    out[8..].copy_from_slice(&h.to_le_bytes());
    out
}

/// [`TccrHash::hash_gates`]'s arguments as a [`Job`].
struct Gates<'a, S, I, O> {
    state: &'a mut S,
    /// Index of the first gate.
    index: u64,
    inputs: I,
    outputs: O,
}

impl<const W: usize, S, I, O> Job<W> for Gates<'_, S, I, O>
where
    I: FnMut(&mut S, usize, &mut [[[u8; 16]; W]]),
    O: FnMut(&mut S, usize, &[[[u8; 16]; W]]),
{
    #[inline(always)]
    fn inputs(&mut self, first: usize, out: &mut [[[u8; 16]; W]]) {
        (self.inputs)(self.state, first, out)
    }

    #[inline(never)]
    fn add_tweaks(&self, first: usize, pis: &[[[u8; 16]; W]], out: &mut [[[u8; 16]; W]]) {
        let j0 = self.index + first as u64;
        for ((x, p), j) in out.iter_mut().zip(pis).zip(j0..) {
            // 2j and 2j + 1 as 128-bit integers. The barrier keeps the loop
            // vectoriser off (across gates it gathers and scatters); each
            // gate's lanes are packed into one vector instead.
            let j = std::hint::black_box(j);
            let (lo, hi) = (j << 1, j >> 63);
            for i in 0..W {
                x[i] = xor_halves(p[i], lo | u64::from(2 * i >= W), hi);
            }
        }
    }

    #[inline(always)]
    fn outputs(&mut self, first: usize, hashes: &[[[u8; 16]; W]]) {
        (self.outputs)(self.state, first, hashes)
    }
}

/// `H(x, i) = π(π(x) ⊕ i) ⊕ π(x)`, evaluated in batches with reusable scratch space.
pub struct TccrHash {
    pi: FixedKeyAes,
    /// Inputs, then `π(x) ⊕ i`, then hashes.
    xs: Box<[[u8; 16]; BATCH]>,
    /// `π(x)`.
    first: Box<[[u8; 16]; BATCH]>,
}

impl std::fmt::Debug for TccrHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TccrHash")
    }
}

impl Default for TccrHash {
    fn default() -> Self {
        TccrHash::new()
    }
}

impl Drop for TccrHash {
    /// The scratch space held hash inputs (labels); clear it.
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(self.xs.as_flattened_mut());
        zeroize::Zeroize::zeroize(self.first.as_flattened_mut());
    }
}

impl TccrHash {
    /// A hasher with its scratch buffers.
    pub fn new() -> TccrHash {
        TccrHash {
            pi: FixedKeyAes::new(),
            xs: Box::new([[0; 16]; BATCH]),
            first: Box::new([[0; 16]; BATCH]),
        }
    }

    /// The hashes of `gates` garbled gates of `W` blocks each (`W` even),
    /// which the caller writes straight into the hasher's AES buffers and
    /// reads back from them, batch by batch: no staging copies, no tweak
    /// array, one pass per step, round keys set up once.
    ///
    /// Gate `k` is the `j`-th of the run with `j = index + k`: its first
    /// `W / 2` blocks are hashed with tweak `2j`, the others with `2j + 1`
    /// (half-gates: the garbler's `A₀, A₁ | B₀, B₁`, the evaluator's `A | B`).
    /// Per batch of gates `first..first + n`, `inputs(state, first, xs)`
    /// writes their inputs to `xs` (`n` gates) and `outputs(state, first, hs)`
    /// receives their hashes. Blocks are little-endian bytes, as in
    /// [`Block`]. Batches come in order; the gates of a batch must be
    /// independent of each other (all inputs are read before any output).
    #[inline]
    pub fn hash_gates<const W: usize, S>(
        &mut self,
        gates: usize,
        index: u64,
        state: &mut S,
        inputs: impl FnMut(&mut S, usize, &mut [[[u8; 16]; W]]),
        outputs: impl FnMut(&mut S, usize, &[[[u8; 16]; W]]),
    ) {
        const { assert!(W.is_multiple_of(2)) };
        let mut job = Gates {
            state,
            index,
            inputs,
            outputs,
        };
        self.run(gates, &mut job);
    }

    #[inline]
    fn run<const W: usize, J: Job<W>>(&mut self, groups: usize, job: &mut J) {
        if groups == 0 {
            return;
        }
        let TccrHash { pi, xs, first } = self;
        pi.cipher.encrypt_with_backend(Fused::<J, W> {
            job,
            groups,
            scratch: [&mut xs[..], &mut first[..]],
        });
    }

    /// Replaces each `xs[k]` by `H(xs[k], tweaks[k])`; the slices must have the
    /// same length (any length: the work is split into batches).
    pub fn hash_in_place(&mut self, xs: &mut [Block], tweaks: &[Block]) {
        debug_assert_eq!(xs.len(), tweaks.len());
        let n = xs.len().min(tweaks.len());
        self.run(n, &mut SliceJob { xs, tweaks });
    }

    /// `H(x, tweak)` for one block (tests and set-up; hot loops use batches).
    pub fn hash_one(&mut self, x: Block, tweak: Block) -> Block {
        let mut xs = [x];
        self.hash_in_place(&mut xs, &[tweak]);
        xs[0]
    }
}

/// [`TccrHash::hash_in_place`] as a job of one block per group.
struct SliceJob<'a> {
    xs: &'a mut [Block],
    tweaks: &'a [Block],
}

impl Job<1> for SliceJob<'_> {
    #[inline(always)]
    fn inputs(&mut self, first: usize, out: &mut [[[u8; 16]; 1]]) {
        for (o, x) in out.iter_mut().zip(&self.xs[first..]) {
            *o = [x.0];
        }
    }
    #[inline(always)]
    fn add_tweaks(&self, first: usize, pis: &[[[u8; 16]; 1]], out: &mut [[[u8; 16]; 1]]) {
        for ((x, p), t) in out.iter_mut().zip(pis).zip(&self.tweaks[first..]) {
            *x = [(Block(p[0]) ^ *t).0];
        }
    }
    #[inline(always)]
    fn outputs(&mut self, first: usize, hashes: &[[[u8; 16]; 1]]) {
        for (x, h) in self.xs[first..].iter_mut().zip(hashes) {
            *x = Block(h[0]);
        }
    }
}

/// The whole job as one closure over the AES backend, so that the backend's
/// round keys are set up once per job.
struct Fused<'a, J, const W: usize> {
    job: &'a mut J,
    groups: usize,
    scratch: [&'a mut [[u8; 16]]; 2],
}

impl<J, const W: usize> BlockSizeUser for Fused<'_, J, W> {
    type BlockSize = U16;
}

impl<const W: usize, J: Job<W>> BlockCipherEncClosure for Fused<'_, J, W> {
    #[inline(always)]
    fn call<B: BlockCipherEncBackend<BlockSize = Self::BlockSize>>(self, backend: &B) {
        drive(&Backend(backend), self.job, self.groups, self.scratch);
    }
}

/// π through one AES backend, for [`drive`]: whole parallel batches, or a
/// short tail block by block.
trait Pi {
    /// The backend's parallel width in blocks.
    fn width(&self) -> usize;
    /// `dst[k] = π(src[k])` for `k < n`: one parallel call when the slices
    /// are the backend's width and `n` is worth it, else block by block.
    fn encrypt(&self, src: &[[u8; 16]], dst: &mut [[u8; 16]], n: usize);
    /// `blocks[k] = π(blocks[k])` for `k < n`, likewise.
    fn encrypt_in_place(&self, blocks: &mut [[u8; 16]], n: usize);
}

struct Backend<'a, B>(&'a B);

impl<B: BlockCipherEncBackend<BlockSize = U16>> Pi for Backend<'_, B> {
    #[inline(always)]
    fn width(&self) -> usize {
        B::ParBlocksSize::USIZE
    }

    #[inline]
    fn encrypt(&self, src: &[[u8; 16]], dst: &mut [[u8; 16]], n: usize) {
        let worth = n == self.width() || n >= PAD_MIN;
        match (par_ref::<B>(src), par_mut::<B>(dst)) {
            (Some(s), Some(d)) if worth => self.0.encrypt_par_blocks((s, d).into()),
            _ => {
                for (s, d) in src[..n].iter().zip(&mut dst[..n]) {
                    let mut a = aes::Block::from(*s);
                    self.0.encrypt_block_inplace(&mut a);
                    *d = a.0;
                }
            }
        }
    }

    #[inline]
    fn encrypt_in_place(&self, blocks: &mut [[u8; 16]], n: usize) {
        let worth = n == self.width() || n >= PAD_MIN;
        match par_mut::<B>(blocks) {
            Some(b) if worth => self.0.encrypt_par_blocks_inplace(b),
            _ => {
                for b in &mut blocks[..n] {
                    let mut a = aes::Block::from(*b);
                    self.0.encrypt_block_inplace(&mut a);
                    *b = a.0;
                }
            }
        }
    }
}

/// `blocks` as one parallel batch of `B` (its length must be `B`'s width).
#[inline(always)]
fn par_ref<B: BlockCipherEncBackend<BlockSize = U16>>(
    blocks: &[[u8; 16]],
) -> Option<&ParBlocks<B>> {
    <&ParBlocks<B>>::try_from(Array::cast_slice_from_core(blocks)).ok()
}

/// `blocks` as one mutable parallel batch of `B` (its length must be `B`'s width).
#[inline(always)]
fn par_mut<B: BlockCipherEncBackend<BlockSize = U16>>(
    blocks: &mut [[u8; 16]],
) -> Option<&mut ParBlocks<B>> {
    <&mut ParBlocks<B>>::try_from(Array::cast_slice_from_core_mut(blocks)).ok()
}

/// `dst ^= src`, bytewise over whole slices (one vectorised loop).
#[inline(always)]
fn xor_into(dst: &mut [[u8; 16]], src: &[[u8; 16]]) {
    for (d, s) in dst.as_flattened_mut().iter_mut().zip(src.as_flattened()) {
        *d ^= s;
    }
}

/// The job loop: per batch of the backend's width, the job writes inputs,
/// π, the job writes tweaks, `⊕`, π, `⊕ π(x)`, the job reads the hashes.
#[inline(always)]
fn drive<const W: usize, J: Job<W>>(
    pi: &impl Pi,
    job: &mut J,
    groups: usize,
    [xs, first]: [&mut [[u8; 16]]; 2],
) {
    const { assert!(W > 0 && W <= BATCH) };
    let per_batch = (pi.width().min(BATCH) / W).max(1);
    let blocks = per_batch * W;
    let (xs, first) = (&mut xs[..blocks], &mut first[..blocks]);
    let mut g = 0;
    while g < groups {
        let n = (groups - g).min(per_batch);
        let m = n * W;
        job.inputs(g, &mut xs.as_chunks_mut::<W>().0[..n]);
        pi.encrypt(xs, first, m);
        job.add_tweaks(
            g,
            &first.as_chunks::<W>().0[..n],
            &mut xs.as_chunks_mut::<W>().0[..n],
        );
        pi.encrypt_in_place(xs, m);
        xor_into(&mut xs[..m], &first[..m]);
        job.outputs(g, &xs.as_chunks::<W>().0[..n]);
        g += n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_equals_one_by_one_and_matches_the_definition() {
        let mut h = TccrHash::new();
        let xs: Vec<Block> = (0..300u128)
            .map(|i| Block::from_u128(i * 0x9E37_79B9_7F4A_7C15))
            .collect();
        let ts: Vec<Block> = (0..300u128).map(|i| Block::from_u128(i / 2)).collect();
        let mut batch = xs.clone();
        h.hash_in_place(&mut batch, &ts);
        let pi = FixedKeyAes::new();
        let perm = |b: Block| {
            let mut a = [aes::Block::from(b.to_bytes())];
            pi.permute(&mut a);
            Block(a[0].0)
        };
        for k in 0..300 {
            assert_eq!(batch[k], h.hash_one(xs[k], ts[k]));
            let p = perm(xs[k]);
            assert_eq!(batch[k], perm(p ^ ts[k]) ^ p);
        }
        // The tweak matters, and so does the input.
        assert_ne!(
            h.hash_one(Block::from_u128(5), Block::from_u128(0)),
            h.hash_one(Block::from_u128(5), Block::from_u128(1))
        );
        assert_ne!(
            h.hash_one(Block::from_u128(5), Block::from_u128(0)),
            h.hash_one(Block::from_u128(6), Block::from_u128(0))
        );
    }

    /// `hash_gates` with `W` blocks per gate against the definition, for runs
    /// that fill whole batches, pad partial ones, or go block by block, and
    /// for gate indices whose doubled tweak crosses into the high 64 bits.
    fn gates_match_the_definition<const W: usize>() {
        let mut h = TccrHash::new();
        let pi = FixedKeyAes::new();
        let perm = |b: Block| {
            let mut a = [aes::Block::from(b.to_bytes())];
            pi.permute(&mut a);
            Block(a[0].0)
        };
        for (gates, index) in [(1, 0), (5, 7), (16, 0), (17, 3), (40, 100), (300, 9)]
            .into_iter()
            .chain([(33, (1u64 << 63) - 20), (3, u64::MAX - 40)])
        {
            let xs: Vec<[Block; W]> = (0..gates as u128)
                .map(|g| {
                    std::array::from_fn(|i| Block::from_u128((g * 7 + i as u128) * 0x9E37_79B9))
                })
                .collect();
            let mut out = vec![[Block::ZERO; W]; gates];
            let mut state = (&xs, &mut out);
            h.hash_gates(
                gates,
                index,
                &mut state,
                |(xs, _), first, dst: &mut [[[u8; 16]; W]]| {
                    for (d, x) in dst.iter_mut().zip(&xs[first..]) {
                        *d = x.map(|b| b.0);
                    }
                },
                |(_, out), first, hs: &[[[u8; 16]; W]]| {
                    for (o, h) in out[first..].iter_mut().zip(hs) {
                        *o = h.map(Block);
                    }
                },
            );
            for (g, (x, o)) in xs.iter().zip(&out).enumerate() {
                let j = u128::from(index) + g as u128;
                for i in 0..W {
                    let t = Block::from_u128(2 * j + u128::from(2 * i >= W));
                    let p = perm(x[i]);
                    assert_eq!(o[i], perm(p ^ t) ^ p, "gate {g} block {i} of {gates}");
                }
            }
        }
    }

    #[test]
    fn garbler_and_evaluator_hashes_match_the_definition() {
        gates_match_the_definition::<4>();
        gates_match_the_definition::<2>();
    }

    #[test]
    fn fixed_key_is_aes_128() {
        // FIPS-197 C.1 uses another key; check π against the `aes` crate directly.
        let pi = FixedKeyAes::new();
        let mut a = [aes::Block::default()];
        pi.permute(&mut a);
        let c = Aes128::new(&FIXED_KEY.to_le_bytes().into());
        let mut b = aes::Block::default();
        c.encrypt_block(&mut b);
        assert_eq!(a[0], b);
    }
}
