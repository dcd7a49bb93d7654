//! A 128-bit block: a wire label, an AES block, an OT message.
//!
//! Kept as one `u128` so that XOR and the colour bit are single instructions;
//! converted to bytes only at the AES and network boundaries.

use zeroize::DefaultIsZeroes;

/// 128 bits, the unit of garbling and OT.
///
/// Stored as 16 aligned bytes rather than a `u128`: the compiler then keeps
/// blocks in vector registers and moves them to and from AES with single
/// 16-byte loads (a `u128` lives in two general registers, and reloading its
/// two halves as one vector stalls store forwarding on every hash).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
#[repr(C, align(16))]
pub struct Block(pub [u8; 16]);

impl DefaultIsZeroes for Block {}

impl std::fmt::Debug for Block {
    /// Blocks may be secrets: debug output shows no bits.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Block(..)")
    }
}

impl Block {
    /// The all-zero block.
    pub const ZERO: Block = Block([0; 16]);
    /// The size on the wire.
    pub const BYTES: usize = 16;

    /// The block whose little-endian bytes are `x`'s.
    #[inline(always)]
    pub const fn from_u128(x: u128) -> Block {
        Block(x.to_le_bytes())
    }

    /// The block as a little-endian integer.
    #[inline(always)]
    pub fn to_u128(self) -> u128 {
        u128::from_le_bytes(self.0)
    }

    /// The point-and-permute (colour) bit: the least significant bit.
    #[inline(always)]
    pub fn lsb(self) -> bool {
        self.0[0] & 1 == 1
    }

    /// The block with its colour bit forced to 1 (Δ must have it set).
    #[inline(always)]
    pub fn with_lsb_set(mut self) -> Block {
        self.0[0] |= 1;
        self
    }

    /// `self` if `bit`, else zero, without a branch on `bit`.
    #[inline(always)]
    pub fn and_bit(self, bit: bool) -> Block {
        let m = u8::from(bit).wrapping_neg();
        let mut out = [0u8; 16];
        for (o, x) in out.iter_mut().zip(self.0) {
            *o = x & m;
        }
        Block(out)
    }

    /// The little-endian bytes.
    #[inline(always)]
    pub fn to_bytes(self) -> [u8; 16] {
        self.0
    }

    /// The block of little-endian `bytes`.
    #[inline(always)]
    pub fn from_bytes(bytes: [u8; 16]) -> Block {
        Block(bytes)
    }

    /// A block of fresh OS randomness.
    pub fn random() -> Result<Block, crate::crypto::RandomnessError> {
        let mut b = [0u8; 16];
        crate::crypto::os_random(&mut b)?;
        Ok(Block::from_bytes(b))
    }
}

impl std::ops::BitXor for Block {
    type Output = Block;
    #[inline(always)]
    fn bitxor(self, rhs: Block) -> Block {
        let mut out = [0u8; 16];
        for ((o, a), b) in out.iter_mut().zip(self.0).zip(rhs.0) {
            *o = a ^ b;
        }
        Block(out)
    }
}

impl std::ops::BitXorAssign for Block {
    #[inline(always)]
    fn bitxor_assign(&mut self, rhs: Block) {
        *self = *self ^ rhs;
    }
}

impl std::ops::BitAnd for Block {
    type Output = Block;
    #[inline(always)]
    fn bitand(self, rhs: Block) -> Block {
        let mut out = [0u8; 16];
        for ((o, a), b) in out.iter_mut().zip(self.0).zip(rhs.0) {
            *o = a & b;
        }
        Block(out)
    }
}

/// Appends blocks to a byte buffer in wire order.
pub fn extend_bytes(out: &mut Vec<u8>, blocks: &[Block]) {
    out.reserve(blocks.len() * Block::BYTES);
    for b in blocks {
        out.extend_from_slice(&b.to_bytes());
    }
}

/// Reads blocks from bytes (`bytes.len()` must be a multiple of 16; extra bytes are ignored).
pub fn from_byte_chunks(bytes: &[u8], out: &mut Vec<Block>) {
    out.extend(bytes.chunks_exact(Block::BYTES).map(|c| {
        let mut a = [0u8; 16];
        a.copy_from_slice(c);
        Block::from_bytes(a)
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn and_bit_selects() {
        let b = Block::from_u128(0xdead_beef_u128 << 64 | 7);
        assert_eq!(b.and_bit(true), b);
        assert_eq!(b.and_bit(false), Block::ZERO);
        assert!(b.lsb());
        assert_eq!(Block::from_bytes(b.to_bytes()), b);
    }
}
