//! A pseudorandom generator: AES-128 in counter mode under a secret seed.
//!
//! Used to expand OS-random seeds into labels, Δ and OT columns, so that a
//! party draws on the OS once per run rather than once per gate.

use aes::cipher::{BlockCipherEncrypt, KeyInit};
use aes::Aes128;
use zeroize::Zeroize;

use crate::block::Block;
use crate::crypto::{os_random, RandomnessError};

/// Blocks produced per AES call: enough for the pipelined AES units.
const CHUNK: usize = 64;

/// AES-CTR keyed by a seed; the counter never repeats within one generator.
pub struct Prg {
    cipher: Aes128,
    counter: u128,
    buf: [aes::Block; CHUNK],
    pos: usize,
}

impl std::fmt::Debug for Prg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Prg(..)")
    }
}

impl Drop for Prg {
    fn drop(&mut self) {
        for b in &mut self.buf {
            b.as_mut_slice().zeroize();
        }
        self.counter.zeroize();
    }
}

impl Prg {
    /// A generator expanding `seed` (deterministic: both ends of a seeded
    /// correlation derive the same stream).
    pub fn from_seed(seed: Block) -> Prg {
        let key = seed.to_bytes();
        Prg {
            cipher: Aes128::new(&key.into()),
            counter: 0,
            buf: [aes::Block::default(); CHUNK],
            pos: CHUNK,
        }
    }

    /// A generator seeded from the operating system.
    pub fn from_os() -> Result<Prg, RandomnessError> {
        let mut seed = [0u8; 16];
        os_random(&mut seed)?;
        let prg = Prg::from_seed(Block::from_bytes(seed));
        seed.zeroize();
        Ok(prg)
    }

    fn refill(&mut self) {
        for b in self.buf.iter_mut() {
            *b = self.counter.to_le_bytes().into();
            self.counter = self.counter.wrapping_add(1);
        }
        self.cipher.encrypt_blocks(&mut self.buf);
        self.pos = 0;
    }

    /// The next pseudorandom block.
    #[inline]
    pub fn block(&mut self) -> Block {
        if self.pos == CHUNK {
            self.refill();
        }
        let mut a = [0u8; 16];
        a.copy_from_slice(&self.buf[self.pos]);
        self.buf[self.pos] = aes::Block::default();
        self.pos += 1;
        Block::from_bytes(a)
    }

    /// Fills `out` with pseudorandom blocks: the same stream as calls to
    /// [`Prg::block`], generated a whole AES batch at a time (OT extension
    /// expands its seeds with this).
    pub fn fill_blocks(&mut self, out: &mut [Block]) {
        // What is left of the buffer first, so that the stream does not change.
        let buffered = (CHUNK - self.pos).min(out.len());
        let (head, rest) = out.split_at_mut(buffered);
        for b in head {
            *b = self.block();
        }
        let mut chunks = rest.chunks_exact_mut(CHUNK);
        for chunk in &mut chunks {
            self.refill();
            for (o, b) in chunk.iter_mut().zip(&mut self.buf) {
                *o = Block(b.0);
            }
            self.pos = CHUNK;
        }
        if self.pos == CHUNK {
            // Consumed blocks are not kept: clear the last batch.
            for b in &mut self.buf {
                *b = aes::Block::default();
            }
        }
        for b in chunks.into_remainder() {
            *b = self.block();
        }
    }

    /// Fills `out` with pseudorandom bytes.
    pub fn fill_bytes(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(16) {
            let b = self.block().to_bytes();
            chunk.copy_from_slice(&b[..chunk.len()]);
        }
    }

    /// A pseudorandom bit.
    pub fn bit(&mut self) -> bool {
        self.block().lsb()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_different_seed_different_stream() {
        let mut a = Prg::from_seed(Block::from_u128(1));
        let mut b = Prg::from_seed(Block::from_u128(1));
        let mut c = Prg::from_seed(Block::from_u128(2));
        let xs: Vec<Block> = (0..200).map(|_| a.block()).collect();
        let ys: Vec<Block> = (0..200).map(|_| b.block()).collect();
        let zs: Vec<Block> = (0..200).map(|_| c.block()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
        let distinct: std::collections::HashSet<u128> = xs.iter().map(|b| b.to_u128()).collect();
        assert_eq!(distinct.len(), 200);
    }

    #[test]
    fn fill_blocks_is_the_block_stream() {
        let mut a = Prg::from_seed(Block::from_u128(9));
        let mut b = Prg::from_seed(Block::from_u128(9));
        let one: Vec<Block> = (0..700).map(|_| a.block()).collect();
        let mut bulk = vec![Block::ZERO; 700];
        // Odd splits: partly buffered, whole batches, remainders.
        let mut at = 0;
        for n in [3, 61, 64, 200, 1, 0, 371] {
            b.fill_blocks(&mut bulk[at..at + n]);
            at += n;
        }
        assert_eq!(at, 700);
        assert_eq!(one, bulk);
    }
}
