//! Multiplexers and the min/max built from a comparator and a multiplexer.
//!
//! A word multiplexer costs one AND per bit (`b ^ (c & (a ^ b))`, depth 1);
//! min/max cost the comparator plus the multiplexer: 32 + 32 = 64 ANDs for
//! 32-bit unsigned operands with ripple comparison.

use super::{compare, Gates, Optimize};

/// `c ? a : b`, bit by bit.
pub fn mux_word<G: Gates>(g: &mut G, c: G::Bit, a: &[G::Bit], b: &[G::Bit]) -> Vec<G::Bit> {
    a.iter().zip(b).map(|(&x, &y)| g.mux(c, x, y)).collect()
}

/// The smaller (`max = false`) or larger of two words, unsigned or signed.
pub fn min_max<G: Gates>(
    g: &mut G,
    a: &[G::Bit],
    b: &[G::Bit],
    signed: bool,
    max: bool,
    opt: Optimize,
) -> Vec<G::Bit> {
    let less = if signed {
        compare::lt_s(g, a, b, opt)
    } else {
        compare::lt_u(g, a, b, opt)
    };
    if max {
        mux_word(g, less, b, a)
    } else {
        mux_word(g, less, a, b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gadgets::testing::{pack, unpack, Rng};
    use crate::gadgets::PlainEval;
    use crate::ir::eval::fold;
    use crate::ir::{Op, ValueId};
    use crate::sema::types::IntTy;
    use crate::semantics::to_i128;

    #[test]
    fn min_max_exhaustive() {
        for w in 1..=5u32 {
            let pairs: Vec<(u128, u128)> = (0..1u128 << w)
                .flat_map(|x| (0..1u128 << w).map(move |y| (x, y)))
                .collect();
            for chunk in pairs.chunks(64) {
                let xs: Vec<u128> = chunk.iter().map(|p| p.0).collect();
                let ys: Vec<u128> = chunk.iter().map(|p| p.1).collect();
                let (a, b) = (pack(&xs, w as usize), pack(&ys, w as usize));
                for signed in [false, true] {
                    for max in [false, true] {
                        for opt in [Optimize::Size, Optimize::Depth] {
                            let mut g = PlainEval::default();
                            let out = min_max(&mut g, &a, &b, signed, max, opt);
                            let ty = IntTy { signed, bits: w };
                            for (lane, &(x, y)) in chunk.iter().enumerate() {
                                let (sx, sy) = (to_i128(x, ty), to_i128(y, ty));
                                let want = if (sx < sy) != max { x } else { y };
                                assert_eq!(unpack(&out, lane), want);
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn mux_and_min_max_random_wide() {
        let mut rng = Rng(11);
        for w in [32u32, 64, 128] {
            let xs: Vec<u128> = (0..64).map(|_| rng.value(w)).collect();
            let ys: Vec<u128> = (0..64).map(|_| rng.value(w)).collect();
            let cs: Vec<u128> = (0..64).map(|_| rng.value(1)).collect();
            let (a, b) = (pack(&xs, w as usize), pack(&ys, w as usize));
            let c = pack(&cs, 1)[0];
            let mut g = PlainEval::default();
            let m = mux_word(&mut g, c, &a, &b);
            for lane in 0..64 {
                let (x, y) = (xs[lane], ys[lane]);
                let want = fold(&Op::Mux(ValueId(0), ValueId(1), ValueId(2)), w, |v| {
                    [(cs[lane], 1), (x, w), (y, w)][v.index()]
                });
                assert_eq!(Some(unpack(&m, lane)), want);
            }
            for signed in [false, true] {
                for max in [false, true] {
                    let out = min_max(&mut g, &a, &b, signed, max, Optimize::Depth);
                    let ty = IntTy { signed, bits: w };
                    for lane in 0..64 {
                        let (x, y) = (xs[lane], ys[lane]);
                        let less = if signed {
                            to_i128(x, ty) < to_i128(y, ty)
                        } else {
                            x < y
                        };
                        let want = if less != max { x } else { y };
                        assert_eq!(unpack(&out, lane), want, "w={w} {x:#x} {y:#x}");
                    }
                }
            }
        }
    }

    #[test]
    fn mux_costs_one_and_per_bit() {
        let mut g = PlainEval::default();
        let a = vec![0u64; 32];
        let c = g.constant(true);
        mux_word(&mut g, c, &a, &a);
        assert_eq!(g.ands, 32);
        let mut g = PlainEval::default();
        min_max(&mut g, &a, &a, false, false, Optimize::Size);
        assert_eq!(g.ands, 64);
    }
}
