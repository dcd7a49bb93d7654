//! Bit-level gadgets (adders, comparators, multiplexers, multipliers,
//! dividers, shifters), written once against the [`Gates`] trait.
//!
//! Following swanky's fancy-garbling, every gadget is generic over a small
//! trait of primitive Boolean gates: the circuit emitter of
//! [`crate::lower`] implements it to record gates, and [`PlainEval`]
//! implements it to compute results directly, so the unit tests check each
//! gadget against [`crate::semantics`] without building circuits, and any
//! later protocol that implements the four primitives inherits every gadget.
//!
//! Cost model (free XOR): XOR and NOT cost nothing, an AND costs one garbled
//! table or one round trip. Every gadget documents its AND count for `n`-bit
//! operands and its AND-depth; [`Optimize`] chooses between the fewest ANDs
//! and the least AND-depth where the two differ.
//!
//! Conventions: a word is a slice of bits, least significant first; operands
//! of a binary gadget have equal widths unless stated; results are fresh
//! `Vec`s. Gadgets never look at bit values except through the optional
//! hints [`Gates::known`] and [`Gates::depth`], which may change the shape of
//! what is built (and so its cost) but never its meaning.

pub mod adder;
pub mod compare;
pub mod div;
pub mod mul;
pub mod mux;
pub mod shift;

/// The primitive gates every gadget is written against.
///
/// Implementations must be faithful to the Boolean meaning of each
/// operation; they may simplify (fold constants, share identical gates),
/// since gadgets only rely on the values computed.
pub trait Gates {
    /// A handle to one bit: a wire, a literal, or a plaintext value.
    type Bit: Copy + std::fmt::Debug;

    /// `a XOR b` (free).
    fn xor(&mut self, a: Self::Bit, b: Self::Bit) -> Self::Bit;
    /// `a AND b` (the gate that costs).
    fn and(&mut self, a: Self::Bit, b: Self::Bit) -> Self::Bit;
    /// `NOT a` (free).
    fn not(&mut self, a: Self::Bit) -> Self::Bit;
    /// The constant `value` (free).
    fn constant(&mut self, value: bool) -> Self::Bit;

    /// The bit's value if it is a known constant. A hint: the default knows
    /// nothing, and gadgets must compute the same function either way.
    fn known(&self, _a: Self::Bit) -> Option<bool> {
        None
    }

    /// The AND-depth of the bit so far. A hint for depth-aware gadgets
    /// (which bits to combine first); the default treats every bit as depth 0.
    fn depth(&self, _a: Self::Bit) -> u32 {
        0
    }

    /// `a OR b` as `NOT(NOT a AND NOT b)`: one AND.
    fn or(&mut self, a: Self::Bit, b: Self::Bit) -> Self::Bit {
        let na = self.not(a);
        let nb = self.not(b);
        let t = self.and(na, nb);
        self.not(t)
    }

    /// `c ? a : b` as `b XOR (c AND (a XOR b))`: one AND.
    fn mux(&mut self, c: Self::Bit, a: Self::Bit, b: Self::Bit) -> Self::Bit {
        let d = self.xor(a, b);
        let t = self.and(c, d);
        self.xor(b, t)
    }
}

/// Which cost a gadget choice minimises where AND count and AND-depth trade
/// off (adders, comparators, multipliers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Optimize {
    /// Fewest AND gates (garbled circuits: bytes on the wire).
    #[default]
    Size,
    /// Least AND-depth at a moderate AND overhead (secret sharing: rounds).
    Depth,
}

/// The `width` low bits of `value` as constant bits (bits past 128 are 0).
pub fn constant_word<G: Gates>(g: &mut G, value: u128, width: usize) -> Vec<G::Bit> {
    (0..width)
        .map(|i| g.constant(i < 128 && (value >> i) & 1 == 1))
        .collect()
}

/// Bitwise NOT (free).
pub fn not_word<G: Gates>(g: &mut G, a: &[G::Bit]) -> Vec<G::Bit> {
    a.iter().map(|&x| g.not(x)).collect()
}

/// Bitwise XOR (free).
pub fn xor_word<G: Gates>(g: &mut G, a: &[G::Bit], b: &[G::Bit]) -> Vec<G::Bit> {
    a.iter().zip(b).map(|(&x, &y)| g.xor(x, y)).collect()
}

/// Bitwise AND: `n` ANDs, depth 1.
pub fn and_word<G: Gates>(g: &mut G, a: &[G::Bit], b: &[G::Bit]) -> Vec<G::Bit> {
    a.iter().zip(b).map(|(&x, &y)| g.and(x, y)).collect()
}

/// Bitwise OR: `n` ANDs, depth 1.
pub fn or_word<G: Gates>(g: &mut G, a: &[G::Bit], b: &[G::Bit]) -> Vec<G::Bit> {
    a.iter().zip(b).map(|(&x, &y)| g.or(x, y)).collect()
}

/// The AND of all bits in a balanced tree: `n - 1` ANDs, depth `⌈log2 n⌉`
/// (true for no bits). Balanced rather than a chain because the count is
/// the same and the depth is logarithmic.
pub fn and_all<G: Gates>(g: &mut G, bits: &[G::Bit]) -> G::Bit {
    let mut level: Vec<G::Bit> = bits.to_vec();
    if level.is_empty() {
        return g.constant(true);
    }
    while level.len() > 1 {
        let mut next = Vec::with_capacity(level.len().div_ceil(2));
        for pair in level.chunks(2) {
            next.push(if pair.len() == 2 {
                g.and(pair[0], pair[1])
            } else {
                pair[0]
            });
        }
        level = next;
    }
    level[0]
}

/// The OR of all bits in a balanced tree (De Morgan over [`and_all`]):
/// `n - 1` ANDs, depth `⌈log2 n⌉` (false for no bits).
pub fn or_all<G: Gates>(g: &mut G, bits: &[G::Bit]) -> G::Bit {
    let negated = not_word(g, bits);
    let all = and_all(g, &negated);
    g.not(all)
}

/// A plaintext evaluator of 64 independent inputs at once: bit `j` of every
/// `u64` belongs to the `j`-th input ("bit slicing"). Tests use it to run
/// gadgets exhaustively on small widths quickly; it also counts the ANDs it
/// was asked for (before any sharing), which bounds a gadget's cost.
#[derive(Debug, Clone, Default)]
pub struct PlainEval {
    /// AND gates requested so far.
    pub ands: u64,
}

impl Gates for PlainEval {
    type Bit = u64;

    fn xor(&mut self, a: u64, b: u64) -> u64 {
        a ^ b
    }

    fn and(&mut self, a: u64, b: u64) -> u64 {
        self.ands += 1;
        a & b
    }

    fn not(&mut self, a: u64) -> u64 {
        !a
    }

    fn constant(&mut self, value: bool) -> u64 {
        if value {
            u64::MAX
        } else {
            0
        }
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers shared by the gadget tests: bit-sliced packing of test
    //! vectors and the reference results from [`crate::ir::eval::fold`].

    use crate::ir::eval::fold;
    use crate::ir::{BinOp, Op, UnOp, ValueId};

    /// Packs up to 64 integers of `width` bits into bit-sliced words.
    pub fn pack(values: &[u128], width: usize) -> Vec<u64> {
        (0..width)
            .map(|i| {
                values.iter().enumerate().fold(0u64, |acc, (lane, &v)| {
                    acc | (u64::from((v >> i) & 1 == 1) << lane)
                })
            })
            .collect()
    }

    /// Lane `lane` of bit-sliced words as an integer.
    pub fn unpack(word: &[u64], lane: usize) -> u128 {
        word.iter().enumerate().fold(0u128, |acc, (i, &w)| {
            acc | (u128::from((w >> lane) & 1) << i)
        })
    }

    fn mask(width: u32) -> u128 {
        if width >= 128 {
            u128::MAX
        } else {
            (1u128 << width) - 1
        }
    }

    /// The reference result of `x op y` (operands of widths `wx`, `wy`).
    pub fn binary(op: BinOp, x: u128, wx: u32, y: u128, wy: u32) -> u128 {
        let width = if op.is_comparison() { 1 } else { wx };
        let vals = [(x & mask(wx), wx), (y & mask(wy), wy)];
        fold(
            &Op::Binary(op, ValueId(0), ValueId(1)),
            width,
            |v: ValueId| vals[v.index()],
        )
        .unwrap_or(0)
    }

    /// The reference result of a unary operation.
    pub fn unary(op: UnOp, x: u128, w: u32) -> u128 {
        fold(&Op::Unary(op, ValueId(0)), w, |_| (x & mask(w), w)).unwrap_or(0)
    }

    /// A small deterministic generator (SplitMix64) for random test vectors.
    #[derive(Debug)]
    pub struct Rng(pub u64);

    impl Rng {
        pub fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        /// A value of `width` bits, biased towards edge cases (0, 1, all
        /// ones, the sign bit alone) one time in four.
        pub fn value(&mut self, width: u32) -> u128 {
            let r = (u128::from(self.next_u64()) << 64) | u128::from(self.next_u64());
            let m = mask(width);
            match self.next_u64() % 16 {
                0 => 0,
                1 => 1 & m,
                2 => m,
                3 => 1u128 << (width - 1),
                4 => (r % 8) & m,
                5 => m ^ (1u128 << (width - 1)),
                _ => r & m,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{pack, unpack};
    use super::*;

    #[test]
    fn reductions_and_words() {
        let mut g = PlainEval::default();
        let values: Vec<u128> = (0..16).collect();
        let x = pack(&values, 4);
        let all = and_all(&mut g, &x);
        let any = or_all(&mut g, &x);
        assert_eq!(g.ands, 6);
        for (lane, &v) in values.iter().enumerate() {
            assert_eq!((all >> lane) & 1 == 1, v == 15);
            assert_eq!((any >> lane) & 1 == 1, v != 0);
        }
        let k = constant_word(&mut g, 0b1010, 4);
        let o = or_word(&mut g, &x, &k);
        let a = and_word(&mut g, &x, &k);
        let n = not_word(&mut g, &x);
        let e = xor_word(&mut g, &x, &k);
        for (lane, &v) in values.iter().enumerate() {
            assert_eq!(unpack(&o, lane), v | 0b1010);
            assert_eq!(unpack(&a, lane), v & 0b1010);
            assert_eq!(unpack(&n, lane), !v & 15);
            assert_eq!(unpack(&e, lane), v ^ 0b1010);
        }
        let t = and_all(&mut g, &[]);
        let f = or_all(&mut g, &[]);
        assert_eq!((t, f), (u64::MAX, 0));
    }
}
