//! Comparators: equality and unsigned/signed order.
//!
//! Costs for `n`-bit operands:
//!
//! | gadget | [`Optimize::Size`] | [`Optimize::Depth`] |
//! |---|---|---|
//! | [`eq`], [`ne`] | `n - 1` AND, depth `⌈log2 n⌉` | the same |
//! | [`lt_u`], [`le_u`], [`lt_s`], [`le_s`] | `n` AND, depth `n` | tree: 89 AND, depth 6 at `n = 32` |
//!
//! The ripple comparator is the carry chain of `a + !b + 1`, whose carry out
//! is `a >= b`. The tree comparator combines per-bit (less, equal) pairs:
//! for a high part `H` over a low part `L`, `less = less_H ^ (eq_H & less_L)`
//! (the two terms exclude each other, so XOR is OR) and
//! `eq = eq_H & eq_L`. A part needs its `eq` only when it is a high part or
//! lies inside one, so dead-gate removal keeps `n` leaf ANDs, `n - 1` for
//! `less` and 26 for `eq` at `n = 32` (89 in all). The depth, 6 at `n = 32`,
//! is the least possible: `a < b` has degree 33 there. Signed order is
//! unsigned order with both sign bits flipped (free).

use super::{Gates, Optimize};

/// `a == b`: XNOR per bit (free), then a balanced AND tree.
pub fn eq<G: Gates>(g: &mut G, a: &[G::Bit], b: &[G::Bit]) -> G::Bit {
    let same: Vec<G::Bit> = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| {
            let d = g.xor(x, y);
            g.not(d)
        })
        .collect();
    super::and_all(g, &same)
}

/// `a != b`.
pub fn ne<G: Gates>(g: &mut G, a: &[G::Bit], b: &[G::Bit]) -> G::Bit {
    let e = eq(g, a, b);
    g.not(e)
}

/// Unsigned `a < b`.
pub fn lt_u<G: Gates>(g: &mut G, a: &[G::Bit], b: &[G::Bit], opt: Optimize) -> G::Bit {
    match opt {
        Optimize::Size => {
            // The carry of a + !b + 1 is a >= b.
            let mut c = g.constant(true);
            for (&x, &y) in a.iter().zip(b) {
                let ny = g.not(y);
                c = super::adder::majority(g, x, ny, c);
            }
            g.not(c)
        }
        Optimize::Depth => {
            let n = a.len().min(b.len());
            if n == 0 {
                return g.constant(false);
            }
            tree(g, &a[..n], &b[..n]).0
        }
    }
}

/// The (less, equal) pair of a range of bits, split in balanced halves.
fn tree<G: Gates>(g: &mut G, a: &[G::Bit], b: &[G::Bit]) -> (G::Bit, G::Bit) {
    if a.len() == 1 {
        let na = g.not(a[0]);
        let less = g.and(na, b[0]);
        let d = g.xor(a[0], b[0]);
        let equal = g.not(d);
        return (less, equal);
    }
    let mid = a.len() / 2;
    let (less_lo, eq_lo) = tree(g, &a[..mid], &b[..mid]);
    let (less_hi, eq_hi) = tree(g, &a[mid..], &b[mid..]);
    let t = g.and(eq_hi, less_lo);
    let less = g.xor(less_hi, t);
    let equal = g.and(eq_hi, eq_lo);
    (less, equal)
}

/// Unsigned `a <= b`, as `!(b < a)`.
pub fn le_u<G: Gates>(g: &mut G, a: &[G::Bit], b: &[G::Bit], opt: Optimize) -> G::Bit {
    let gt = lt_u(g, b, a, opt);
    g.not(gt)
}

/// Both words with the sign bit flipped: signed order becomes unsigned order.
fn flip_signs<G: Gates>(g: &mut G, a: &[G::Bit]) -> Vec<G::Bit> {
    let mut out = a.to_vec();
    if let Some(top) = out.last_mut() {
        *top = g.not(*top);
    }
    out
}

/// Signed `a < b`.
pub fn lt_s<G: Gates>(g: &mut G, a: &[G::Bit], b: &[G::Bit], opt: Optimize) -> G::Bit {
    let fa = flip_signs(g, a);
    let fb = flip_signs(g, b);
    lt_u(g, &fa, &fb, opt)
}

/// Signed `a <= b`.
pub fn le_s<G: Gates>(g: &mut G, a: &[G::Bit], b: &[G::Bit], opt: Optimize) -> G::Bit {
    let fa = flip_signs(g, a);
    let fb = flip_signs(g, b);
    le_u(g, &fa, &fb, opt)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gadgets::testing::{binary, pack, Rng};
    use crate::gadgets::PlainEval;
    use crate::ir::BinOp;

    type Cmp = fn(&mut PlainEval, &[u64], &[u64], Optimize) -> u64;

    fn cases(w: u32) -> Vec<(u128, u128)> {
        if w <= 6 {
            (0..1u128 << w)
                .flat_map(|x| (0..1u128 << w).map(move |y| (x, y)))
                .collect()
        } else {
            let mut rng = Rng(u64::from(w));
            (0..1024)
                .map(|i| {
                    let x = rng.value(w);
                    // Every fourth pair is close, so high bits often tie.
                    let y = if i % 4 == 0 {
                        x ^ (rng.value(w) & 3)
                    } else {
                        rng.value(w)
                    };
                    (x, y)
                })
                .collect()
        }
    }

    #[test]
    fn comparisons_match_semantics() {
        let ops: [(BinOp, Cmp); 6] = [
            (BinOp::Eq, |g, a, b, _| eq(g, a, b)),
            (BinOp::Ne, |g, a, b, _| ne(g, a, b)),
            (BinOp::Ult, lt_u),
            (BinOp::Ule, le_u),
            (BinOp::Slt, lt_s),
            (BinOp::Sle, le_s),
        ];
        for opt in [Optimize::Size, Optimize::Depth] {
            for w in [1, 2, 3, 4, 5, 6, 7, 31, 32, 64, 128] {
                for chunk in cases(w).chunks(64) {
                    let xs: Vec<u128> = chunk.iter().map(|p| p.0).collect();
                    let ys: Vec<u128> = chunk.iter().map(|p| p.1).collect();
                    let (a, b) = (pack(&xs, w as usize), pack(&ys, w as usize));
                    for (op, f) in ops {
                        let mut g = PlainEval::default();
                        let out = f(&mut g, &a, &b, opt);
                        for (lane, &(x, y)) in chunk.iter().enumerate() {
                            assert_eq!(
                                u128::from((out >> lane) & 1),
                                binary(op, x, w, y, w),
                                "{op} w={w} x={x:#x} y={y:#x} {opt:?}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn costs() {
        let a = vec![0u64; 32];
        let mut g = PlainEval::default();
        lt_u(&mut g, &a, &a, Optimize::Size);
        assert_eq!(g.ands, 32);
        let mut g = PlainEval::default();
        eq(&mut g, &a, &a);
        assert_eq!(g.ands, 31);
    }
}
