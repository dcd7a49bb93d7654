//! Division and remainder in one circuit, with the language's total
//! semantics ([`crate::semantics::div_rem`]): dividing by zero gives an
//! all-ones quotient and the dividend as remainder; signed `MIN / -1` wraps
//! to `MIN` with remainder 0; signed division truncates toward zero and the
//! remainder takes the dividend's sign.
//!
//! Unsigned division is non-restoring: an `(n + 1)`-bit partial remainder
//! `R` (in `[-b, b)`) is shifted left by one bit of the dividend and `b` is
//! subtracted when `R >= 0` or added when `R < 0` — one `(n + 1)`-bit adder
//! whose second operand is `b` XORed with the sign (`n` ANDs) — and the
//! quotient bit is the new sign, inverted. A final `R < 0 ? R + b : R`
//! restores the remainder (`2n - 1` ANDs). For `n = 32` that is
//! `32·32 + 63 = 1,087` ANDs for both results. Division by zero needs no
//! special case: `R` never goes negative, so every quotient bit is 1 and `R`
//! ends as the dividend.
//!
//! Signed division divides magnitudes (conditional negations, `n - 1` ANDs
//! each) and negates the results back; the quotient is negated only when the
//! signs differ and the divisor is nonzero (`n - 1` ANDs for the zero test),
//! so division by zero still gives all ones.

use super::adder;
use super::{Gates, Optimize};

/// Unsigned `(a / b, a % b)` for `n`-bit operands.
pub fn udivrem<G: Gates>(
    g: &mut G,
    a: &[G::Bit],
    b: &[G::Bit],
    opt: Optimize,
) -> (Vec<G::Bit>, Vec<G::Bit>) {
    let n = a.len().min(b.len());
    let zero = g.constant(false);
    // R has n + 1 bits, two's complement; R = 0 and its sign is 0 at first.
    let mut r: Vec<G::Bit> = vec![zero; n + 1];
    let mut b_ext: Vec<G::Bit> = b[..n].to_vec();
    b_ext.push(zero);
    let mut q = vec![zero; n];
    let mut sign = zero;
    let mut y = Vec::with_capacity(n + 1);
    let mut shifted = Vec::with_capacity(n + 1);
    for i in (0..n).rev() {
        // (2R + a_i) mod 2^(n+1): the result of the step lies in [-b, b),
        // which fits n + 1 bits, so dropping R's top bit is exact.
        shifted.clear();
        shifted.push(a[i]);
        shifted.extend_from_slice(&r[..n]);
        // R >= 0: add !b + 1 (subtract); R < 0: add b.
        let positive = g.not(sign);
        y.clear();
        for &bit in &b_ext {
            y.push(g.xor(bit, positive));
        }
        r = adder::add_cin(g, &shifted, &y, positive, opt);
        sign = r[n];
        q[i] = g.not(sign);
    }
    // R < 0: the remainder is R + b (it lies in [0, b), so n bits suffice).
    let fix: Vec<G::Bit> = b[..n].iter().map(|&x| g.and(x, sign)).collect();
    let rem = adder::add(g, &r[..n], &fix, opt);
    (q, rem)
}

/// Signed `(a / b, a % b)` for `n`-bit two's-complement operands.
pub fn sdivrem<G: Gates>(
    g: &mut G,
    a: &[G::Bit],
    b: &[G::Bit],
    opt: Optimize,
) -> (Vec<G::Bit>, Vec<G::Bit>) {
    let n = a.len().min(b.len());
    if n == 0 {
        return (Vec::new(), Vec::new());
    }
    let sa = a[n - 1];
    let sb = b[n - 1];
    let abs_a = adder::cond_neg(g, &a[..n], sa, opt);
    let abs_b = adder::cond_neg(g, &b[..n], sb, opt);
    let (q, r) = udivrem(g, &abs_a, &abs_b, opt);
    let nonzero = super::or_all(g, &b[..n]);
    let differ = g.xor(sa, sb);
    let negate_q = g.and(differ, nonzero);
    let q = adder::cond_neg(g, &q, negate_q, opt);
    let r = adder::cond_neg(g, &r, sa, opt);
    (q, r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gadgets::testing::{binary, pack, unpack, Rng};
    use crate::gadgets::PlainEval;
    use crate::ir::BinOp;

    fn check(w: u32, opt: Optimize) {
        let pairs: Vec<(u128, u128)> = if w <= 6 {
            (0..1u128 << w)
                .flat_map(|x| (0..1u128 << w).map(move |y| (x, y)))
                .collect()
        } else {
            let mut rng = Rng(u64::from(w) + 7);
            let mut v: Vec<(u128, u128)> = (0..384)
                .map(|i| {
                    let x = rng.value(w);
                    // Small divisors give long quotients.
                    let y = if i % 3 == 0 {
                        rng.value(w) % 7
                    } else {
                        rng.value(w)
                    };
                    (x, y)
                })
                .collect();
            let min = 1u128 << (w - 1);
            let all = if w == 128 {
                u128::MAX
            } else {
                (1u128 << w) - 1
            };
            v.extend([(min, all), (min, 0), (0, 0), (all, 0), (all, all), (min, 1)]);
            v
        };
        for chunk in pairs.chunks(64) {
            let xs: Vec<u128> = chunk.iter().map(|p| p.0).collect();
            let ys: Vec<u128> = chunk.iter().map(|p| p.1).collect();
            let (a, b) = (pack(&xs, w as usize), pack(&ys, w as usize));
            let mut g = PlainEval::default();
            let (uq, ur) = udivrem(&mut g, &a, &b, opt);
            let (sq, sr) = sdivrem(&mut g, &a, &b, opt);
            for (lane, &(x, y)) in chunk.iter().enumerate() {
                let ctx = format!("w={w} x={x:#x} y={y:#x} {opt:?}");
                assert_eq!(unpack(&uq, lane), binary(BinOp::UDiv, x, w, y, w), "{ctx}");
                assert_eq!(unpack(&ur, lane), binary(BinOp::URem, x, w, y, w), "{ctx}");
                assert_eq!(unpack(&sq, lane), binary(BinOp::SDiv, x, w, y, w), "{ctx}");
                assert_eq!(unpack(&sr, lane), binary(BinOp::SRem, x, w, y, w), "{ctx}");
            }
        }
    }

    #[test]
    fn division_matches_semantics() {
        for opt in [Optimize::Size, Optimize::Depth] {
            for w in [1, 2, 3, 4, 5, 6, 8, 32, 64, 128] {
                check(w, opt);
            }
        }
    }
}
