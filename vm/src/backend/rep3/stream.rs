//! The pairwise correlated randomness and the message encoding of rep3.
//!
//! - [`WordStream`]: AES-128 in counter mode under a seed two parties share
//!   (the construction of [`crate::crypto::Prg`]), handing out 64-bit words
//!   in bulk, because every multiplication of every instance draws two.
//! - [`BitWriter`] / [`BitReader`]: shares go on the wire with exactly the
//!   bits that carry information (a ring element of a `k`-bit ring as `k`
//!   bits, a bit-sliced word of `n < 64` instances as `n` bits), so that a
//!   single-instance AND costs one bit, not eight bytes.

use aes::cipher::{BlockCipherEncrypt, KeyInit};
use aes::Aes128;
use zeroize::Zeroize;

/// AES blocks encrypted per call (enough for the pipelined AES units).
const BLOCKS: usize = 64;
/// Words produced per refill.
const WORDS: usize = 2 * BLOCKS;

/// A stream of pseudorandom words from a seed both ends of a pair know.
pub(crate) struct WordStream {
    cipher: Aes128,
    counter: u128,
    buf: [u64; WORDS],
    pos: usize,
}

impl std::fmt::Debug for WordStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WordStream(..)")
    }
}

impl Drop for WordStream {
    fn drop(&mut self) {
        self.buf.zeroize();
        self.counter.zeroize();
    }
}

impl WordStream {
    /// The stream of `seed` (deterministic: both holders derive the same words).
    pub fn new(seed: &[u8; 16]) -> WordStream {
        WordStream {
            cipher: Aes128::new(&(*seed).into()),
            counter: 0,
            buf: [0; WORDS],
            pos: WORDS,
        }
    }

    fn refill(&mut self) {
        let mut blocks = [aes::Block::default(); BLOCKS];
        for b in blocks.iter_mut() {
            *b = self.counter.to_le_bytes().into();
            self.counter = self.counter.wrapping_add(1);
        }
        self.cipher.encrypt_blocks(&mut blocks);
        for (pair, b) in self.buf.chunks_exact_mut(2).zip(blocks.iter_mut()) {
            let mut lo = [0u8; 8];
            let mut hi = [0u8; 8];
            lo.copy_from_slice(&b[..8]);
            hi.copy_from_slice(&b[8..]);
            pair[0] = u64::from_le_bytes(lo);
            pair[1] = u64::from_le_bytes(hi);
            b.as_mut_slice().zeroize();
        }
        self.pos = 0;
    }

    /// Fills `out` with the next words of the stream.
    pub fn fill(&mut self, mut out: &mut [u64]) {
        while !out.is_empty() {
            if self.pos == WORDS {
                self.refill();
            }
            let take = (WORDS - self.pos).min(out.len());
            let (head, rest) = out.split_at_mut(take);
            head.copy_from_slice(&self.buf[self.pos..self.pos + take]);
            self.pos += take;
            out = rest;
        }
    }
}

/// `bits` low bits set (`bits` in `1..=64`).
#[inline]
pub(crate) fn low_mask(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

/// Appends values of 1 to 64 bits to a byte string, least significant bit first.
#[derive(Debug, Default)]
pub(crate) struct BitWriter {
    pub bytes: Vec<u8>,
    acc: u64,
    fill: u32,
}

impl BitWriter {
    /// Starts a new message (keeping the buffer's capacity; its contents
    /// went to a peer, so they need no zeroising here).
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.acc = 0;
        self.fill = 0;
    }

    /// Appends the low `bits` bits of `v` (`v` must have no higher bit set).
    #[inline]
    pub fn put(&mut self, v: u64, bits: u32) {
        debug_assert!((1..=64).contains(&bits) && v & !low_mask(bits) == 0);
        self.acc |= v << self.fill;
        let total = self.fill + bits;
        if total >= 64 {
            self.bytes.extend_from_slice(&self.acc.to_le_bytes());
            self.acc = if self.fill == 0 {
                0
            } else {
                v >> (64 - self.fill)
            };
            self.fill = total - 64;
        } else {
            self.fill = total;
        }
    }

    /// Appends the low `bits` bits of every value of `vs` (higher bits are
    /// masked off), whole words at a time when the stream is word-aligned.
    #[inline]
    pub fn put_all(&mut self, vs: &[u64], bits: u32) {
        if bits == 64 && self.fill == 0 {
            let start = self.bytes.len();
            self.bytes.resize(start + 8 * vs.len(), 0);
            for (b, v) in self.bytes[start..].chunks_exact_mut(8).zip(vs) {
                b.copy_from_slice(&v.to_le_bytes());
            }
        } else {
            let m = low_mask(bits);
            for &v in vs {
                self.put(v & m, bits);
            }
        }
    }

    /// Appends the last partial word; the message is then complete.
    pub fn finish(&mut self) {
        let n = self.fill.div_ceil(8) as usize;
        self.bytes.extend_from_slice(&self.acc.to_le_bytes()[..n]);
        self.acc = 0;
        self.fill = 0;
    }
}

/// Reads what a [`BitWriter`] wrote, in the same order.
#[derive(Debug, Default)]
pub(crate) struct BitReader {
    pos: usize,
    acc: u64,
    avail: u32,
}

impl BitReader {
    /// Starts reading a new message.
    pub fn reset(&mut self) {
        self.pos = 0;
        self.acc = 0;
        self.avail = 0;
    }

    /// Fills `out` with the next values of `bits` bits, whole words at a
    /// time when the stream is word-aligned.
    #[inline]
    pub fn get_all(&mut self, bytes: &[u8], out: &mut [u64], bits: u32) {
        if bits == 64 && self.avail == 0 && self.pos + 8 * out.len() <= bytes.len() {
            let src = &bytes[self.pos..self.pos + 8 * out.len()];
            for (o, b) in out.iter_mut().zip(src.chunks_exact(8)) {
                let mut w = [0u8; 8];
                w.copy_from_slice(b);
                *o = u64::from_le_bytes(w);
            }
            self.pos += 8 * out.len();
        } else {
            for o in out {
                *o = self.get(bytes, bits);
            }
        }
    }

    /// The next `bits` bits of `bytes` (zero past the end).
    #[inline]
    pub fn get(&mut self, bytes: &[u8], bits: u32) -> u64 {
        if self.avail >= bits {
            // Here bits < 64, since avail < 64.
            let v = self.acc & low_mask(bits);
            self.acc >>= bits;
            self.avail -= bits;
            return v;
        }
        let mut word = [0u8; 8];
        let end = (self.pos + 8).min(bytes.len());
        if self.pos < end {
            word[..end - self.pos].copy_from_slice(&bytes[self.pos..end]);
        }
        self.pos += 8;
        let next = u64::from_le_bytes(word);
        let v = (self.acc | (next << self.avail)) & low_mask(bits);
        let used = bits - self.avail;
        self.acc = if used == 64 { 0 } else { next >> used };
        self.avail = 64 - used;
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_round_trip_for_every_width_mix() {
        let widths = [1u32, 64, 7, 13, 64, 32, 63, 1, 2, 64, 5];
        let mut w = BitWriter::default();
        let mut s = WordStream::new(&[7; 16]);
        let mut vals = vec![0u64; 200];
        s.fill(&mut vals);
        let mut total = 0usize;
        for (i, v) in vals.iter().enumerate() {
            let b = widths[i % widths.len()];
            w.put(v & low_mask(b), b);
            total += b as usize;
        }
        w.finish();
        assert_eq!(w.bytes.len(), total.div_ceil(8));
        let mut r = BitReader::default();
        for (i, v) in vals.iter().enumerate() {
            let b = widths[i % widths.len()];
            assert_eq!(r.get(&w.bytes, b), v & low_mask(b), "value {i}");
        }
    }

    #[test]
    fn bulk_and_single_values_interleave() {
        let mut s = WordStream::new(&[9; 16]);
        let mut vals = vec![0u64; 300];
        s.fill(&mut vals);
        let mut w = BitWriter::default();
        w.put_all(&vals[..100], 64);
        w.put_all(&vals[100..103], 5);
        w.put_all(&vals[103..200], 64);
        w.put(vals[200] & 1, 1);
        w.put_all(&vals[201..], 64);
        w.finish();
        let mut r = BitReader::default();
        let mut got = vec![0u64; 300];
        r.get_all(&w.bytes, &mut got[..100], 64);
        r.get_all(&w.bytes, &mut got[100..103], 5);
        r.get_all(&w.bytes, &mut got[103..200], 64);
        got[200] = r.get(&w.bytes, 1);
        r.get_all(&w.bytes, &mut got[201..], 64);
        for (i, (g, v)) in got.iter().zip(&vals).enumerate() {
            let bits = if (100..103).contains(&i) {
                5
            } else if i == 200 {
                1
            } else {
                64
            };
            assert_eq!(*g, v & low_mask(bits), "value {i}");
        }
    }

    #[test]
    fn streams_agree_across_fill_boundaries_and_differ_by_seed() {
        let mut a = WordStream::new(&[1; 16]);
        let mut b = WordStream::new(&[1; 16]);
        let mut c = WordStream::new(&[2; 16]);
        let mut x = vec![0u64; 1000];
        a.fill(&mut x);
        let mut y = vec![0u64; 1000];
        for chunk in y.chunks_mut(37) {
            b.fill(chunk);
        }
        let mut z = vec![0u64; 1000];
        c.fill(&mut z);
        assert_eq!(x, y);
        assert_ne!(x, z);
        let ones: u32 = x.iter().map(|v| v.count_ones()).sum();
        assert!((ones as f64 / 64_000.0 - 0.5).abs() < 0.01);
    }
}
