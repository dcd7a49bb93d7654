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

use aes::cipher::{BlockCipherEncrypt, KeyInit};
use aes::Aes128;

use crate::block::Block;

/// Blocks hashed per AES batch call.
pub const BATCH: usize = 128;

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

/// `H(x, i) = π(π(x) ⊕ i) ⊕ π(x)`, evaluated in batches with reusable scratch space.
pub struct TccrHash {
    pi: FixedKeyAes,
    aes_buf: Box<[aes::Block; BATCH]>,
    first: Box<[Block; BATCH]>,
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
        for b in self.aes_buf.iter_mut() {
            *b = aes::Block::default();
        }
        zeroize::Zeroize::zeroize(&mut self.first[..]);
    }
}

impl TccrHash {
    /// A hasher with its scratch buffers.
    pub fn new() -> TccrHash {
        TccrHash {
            pi: FixedKeyAes::new(),
            aes_buf: Box::new([aes::Block::default(); BATCH]),
            first: Box::new([Block::ZERO; BATCH]),
        }
    }

    /// Replaces each `xs[k]` by `H(xs[k], tweaks[k])`; the slices must have the
    /// same length (any length: the work is split into batches).
    pub fn hash_in_place(&mut self, xs: &mut [Block], tweaks: &[Block]) {
        debug_assert_eq!(xs.len(), tweaks.len());
        for (xs, ts) in xs.chunks_mut(BATCH).zip(tweaks.chunks(BATCH)) {
            let n = xs.len().min(ts.len());
            let buf = &mut self.aes_buf[..n];
            for (a, x) in buf.iter_mut().zip(xs.iter()) {
                *a = x.0.into();
            }
            self.pi.permute(buf);
            for ((a, p), t) in buf.iter_mut().zip(self.first.iter_mut()).zip(ts) {
                *p = Block(a.0);
                *a = (*p ^ *t).0.into();
            }
            self.pi.permute(buf);
            for ((x, a), p) in xs.iter_mut().zip(buf.iter()).zip(self.first.iter()) {
                *x = Block(a.0) ^ *p;
            }
        }
    }

    /// `H(x, tweak)` for one block (tests and set-up; hot loops use batches).
    pub fn hash_one(&mut self, x: Block, tweak: Block) -> Block {
        let mut xs = [x];
        self.hash_in_place(&mut xs, &[tweak]);
        xs[0]
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
