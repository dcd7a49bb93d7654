//! Multipliers: truncated and full products, Karatsuba for wide operands,
//! and multiplication by constants with signed digits.
//!
//! Every secret × secret product forms the partial products `a_i & b_j` of
//! the columns it needs, reduces the columns to two rows with a Dadda tree
//! of full adders (one AND each; bits of the top column are only XORed,
//! because their carries fall off the result), and adds the two rows:
//! ripple-carry for [`Optimize::Size`], Sklansky for [`Optimize::Depth`].
//! Within a column the shallowest bits are combined first. For 32-bit
//! operands truncated to 32 bits this gives 528 + 465 = 993 ANDs at depth 31
//! (the schoolbook count), or 1,084 ANDs at depth 12 with a Ladner–Fischer
//! final adder (Sklansky's gives 1,118 at the same depth: the rows' low
//! columns are ready early, so Ladner–Fischer's extra level costs nothing;
//! where it would cost a level, Sklansky is kept).
//!
//! Karatsuba: a full `n × n` product from three half-size products, and a
//! truncated product from one full and two truncated half-size products
//! (`low(a·b) = a0·b0 + ((a1·b0 + a0·b1) mod 2^(n-h)) · 2^h`). Measured
//! (ANDs, columns vs Karatsuba): full 13×13 325 vs 332, 14×14 378 vs 363,
//! 32×32 2,016 vs 1,604; truncated 30 bits 871 vs 878, 31 bits 931 vs 912,
//! 32 bits 993 vs 975, 64 bits 4,033 vs 3,600. So size mode uses them from
//! 14 (full) and 31 (truncated) bits on;
//! `tests::karatsuba_thresholds_are_measured` fails if the thresholds stop
//! being the crossover. Depth mode never uses them (they are deeper).
//!
//! Multiplication by a constant `k` adds shifted copies of the operand, one
//! per nonzero digit of `k` in canonical signed-digit form (or of plain
//! binary, whichever the cost estimate prefers); shifted-in zeros make the
//! low positions of each adder free.

use super::adder;
use super::{Gates, Optimize};

/// Full products of at least this many bits per operand use Karatsuba (size mode).
pub const KARATSUBA_FULL_MIN: usize = 14;

/// Truncated products of at least this many bits use the Karatsuba split (size mode).
pub const KARATSUBA_LOW_MIN: usize = 31;

/// `a * b mod 2^n` for `n`-bit operands.
pub fn mul_low<G: Gates>(g: &mut G, a: &[G::Bit], b: &[G::Bit], opt: Optimize) -> Vec<G::Bit> {
    let n = a.len().min(b.len());
    if opt == Optimize::Size && n >= KARATSUBA_LOW_MIN {
        split_low(g, &a[..n], &b[..n])
    } else {
        columns(g, a, b, n, opt)
    }
}

/// The full product of an `n`-bit and an `m`-bit operand (`n + m` bits).
pub fn mul_full<G: Gates>(g: &mut G, a: &[G::Bit], b: &[G::Bit], opt: Optimize) -> Vec<G::Bit> {
    if opt == Optimize::Size && a.len() == b.len() && a.len() >= KARATSUBA_FULL_MIN {
        karatsuba(g, a, b)
    } else {
        columns(g, a, b, a.len() + b.len(), opt)
    }
}

/// The low `width` bits of `a * b` by partial products and column reduction.
fn columns<G: Gates>(
    g: &mut G,
    a: &[G::Bit],
    b: &[G::Bit],
    width: usize,
    opt: Optimize,
) -> Vec<G::Bit> {
    let mut cols: Vec<Vec<G::Bit>> = vec![Vec::new(); width];
    for (i, &x) in a.iter().enumerate().take(width) {
        for (j, &y) in b.iter().enumerate().take(width - i) {
            let p = g.and(x, y);
            cols[i + j].push(p);
        }
    }
    add_columns(g, cols, opt)
}

/// Adds `rows` (each of any width, least significant first) mod 2^width by
/// carry-save column compression: Dadda's full and half adders bring the
/// columns down to two rows, then one final adder. A row of one bit costs
/// about one full adder (one AND), where adding it with its own adder would
/// cost a carry chain.
pub fn sum_rows<G: Gates, R: AsRef<[G::Bit]>>(
    g: &mut G,
    rows: &[R],
    width: usize,
    opt: Optimize,
) -> Vec<G::Bit> {
    let mut cols: Vec<Vec<G::Bit>> = vec![Vec::new(); width];
    for row in rows {
        for (c, &bit) in row.as_ref().iter().enumerate().take(width) {
            cols[c].push(bit);
        }
    }
    add_columns(g, cols, opt)
}

/// The sum of every bit of column `c` weighted by `2^c`, mod 2^(columns).
fn add_columns<G: Gates>(g: &mut G, mut cols: Vec<Vec<G::Bit>>, opt: Optimize) -> Vec<G::Bit> {
    let width = cols.len();
    if width == 0 {
        return Vec::new();
    }
    for col in &mut cols {
        col.retain(|&b| g.known(b) != Some(false));
    }
    // Dadda's heights 2, 3, 4, 6, 9, 13, …: each stage brings every column
    // down to the next smaller height, using as few adders as possible.
    let tallest = cols[..width - 1].iter().map(Vec::len).max().unwrap_or(0);
    let mut heights = vec![2usize];
    while let Some(&h) = heights.last() {
        if h >= tallest {
            break;
        }
        heights.push(h * 3 / 2);
    }
    heights.pop();
    let mut stage_heights: Vec<usize> = heights.into_iter().rev().collect();
    stage_heights.push(2);
    let mut next: Vec<Vec<G::Bit>> = vec![Vec::new(); width];
    for d in stage_heights {
        loop {
            reduce_stage(g, &mut cols, &mut next, d);
            std::mem::swap(&mut cols, &mut next);
            if cols[..width - 1].iter().all(|c| c.len() <= d) {
                break;
            }
        }
    }
    let zero = g.constant(false);
    let top = cols[width - 1].iter().fold(zero, |acc, &b| g.xor(acc, b));
    cols[width - 1] = vec![top];
    let row0: Vec<G::Bit> = cols
        .iter()
        .map(|c| c.first().copied().unwrap_or(zero))
        .collect();
    let row1: Vec<G::Bit> = cols
        .iter()
        .map(|c| c.get(1).copied().unwrap_or(zero))
        .collect();
    match opt {
        Optimize::Size => adder::add(g, &row0, &row1, opt),
        Optimize::Depth => {
            // When the rows' low columns are ready levels before the high
            // ones (products), one Ladner–Fischer level is free in depth and
            // saves ANDs; when not (sums of shifted copies), Sklansky is
            // shallower. Build both and keep the better; the other is dead.
            let lf = adder::add_prefix(g, &row0, &row1, zero, 1);
            let sk = adder::add_prefix(g, &row0, &row1, zero, 0);
            let depth = |g: &G, s: &[G::Bit]| s.iter().map(|&b| g.depth(b)).max().unwrap_or(0);
            if depth(g, &lf) <= depth(g, &sk) {
                lf
            } else {
                sk
            }
        }
    }
}

/// One Dadda stage: every column but the top one ends with at most `d` bits
/// (counting the carries that arrive from the column below in this stage).
fn reduce_stage<G: Gates>(g: &mut G, cols: &mut [Vec<G::Bit>], next: &mut [Vec<G::Bit>], d: usize) {
    let width = cols.len();
    for col in next.iter_mut() {
        col.clear();
    }
    for c in 0..width {
        let mut col = std::mem::take(&mut cols[c]);
        if c + 1 == width {
            next[c].append(&mut col);
            continue;
        }
        col.sort_by_key(|&b| g.depth(b));
        let mut i = 0;
        loop {
            let left = col.len() - i;
            let height = left + next[c].len();
            if height <= d || left < 2 {
                break;
            }
            let (sum, carry) = if height - d >= 2 && left >= 3 {
                let (x, y, z) = (col[i], col[i + 1], col[i + 2]);
                i += 3;
                let xy = g.xor(x, y);
                (g.xor(xy, z), adder::majority(g, x, y, z))
            } else {
                let (x, y) = (col[i], col[i + 1]);
                i += 2;
                (g.xor(x, y), g.and(x, y))
            };
            next[c].push(sum);
            next[c + 1].push(carry);
        }
        next[c].extend_from_slice(&col[i..]);
        cols[c] = col;
        cols[c].clear();
    }
}

/// `bits` zero-extended or truncated to `width`.
fn resize<G: Gates>(g: &mut G, bits: &[G::Bit], width: usize) -> Vec<G::Bit> {
    let zero = g.constant(false);
    (0..width)
        .map(|i| bits.get(i).copied().unwrap_or(zero))
        .collect()
}

/// Karatsuba's full product of two `n`-bit operands:
/// `z0 + (z1 - z0 - z2)·2^h + z2·2^(2h)` with `z1 = (a0 + a1)(b0 + b1)`.
fn karatsuba<G: Gates>(g: &mut G, a: &[G::Bit], b: &[G::Bit]) -> Vec<G::Bit> {
    let n = a.len();
    let h = n / 2;
    let (a0, a1) = a.split_at(h);
    let (b0, b1) = b.split_at(h);
    let z0 = mul_full(g, a0, b0, Optimize::Size);
    let z2 = mul_full(g, a1, b1, Optimize::Size);
    let m = n - h;
    let zero = g.constant(false);
    let a0e = resize(g, a0, m);
    let b0e = resize(g, b0, m);
    let (mut sa, ca) = adder::add_carry(g, &a0e, a1, zero, Optimize::Size);
    sa.push(ca);
    let (mut sb, cb) = adder::add_carry(g, &b0e, b1, zero, Optimize::Size);
    sb.push(cb);
    let z1 = mul_full(g, &sa, &sb, Optimize::Size);
    // The middle term a0·b1 + a1·b0 is below 2^(n+1).
    let mw = n + 1;
    let z1 = resize(g, &z1, mw);
    let z0m = resize(g, &z0, mw);
    let z2m = resize(g, &z2, mw);
    let t = adder::sub(g, &z1, &z0m, Optimize::Size);
    let mid = adder::sub(g, &t, &z2m, Optimize::Size);
    // z0 has exactly 2h bits, so z0 and z2·2^(2h) do not overlap.
    let mut out = z0;
    out.extend_from_slice(&z2);
    let high = &out[h..];
    let mid = resize(g, &mid, 2 * n - h);
    let sum = adder::add(g, high, &mid, Optimize::Size);
    out.truncate(h);
    out.extend(sum);
    out
}

/// The truncated product by halves: one full and two truncated products.
fn split_low<G: Gates>(g: &mut G, a: &[G::Bit], b: &[G::Bit]) -> Vec<G::Bit> {
    let n = a.len();
    // The low half is the larger one, so that a1·b1·2^(2h) vanishes mod 2^n.
    let h = n.div_ceil(2);
    let m = n - h;
    let (a0, a1) = a.split_at(h);
    let (b0, b1) = b.split_at(h);
    let z0 = mul_full(g, a0, b0, Optimize::Size);
    let z0 = resize(g, &z0, n);
    let b0m = resize(g, b0, m);
    let a0m = resize(g, a0, m);
    let x = mul_low(g, a1, &b0m, Optimize::Size);
    let y = mul_low(g, &a0m, b1, Optimize::Size);
    let cross = adder::add(g, &x, &y, Optimize::Size);
    let high = adder::add(g, &z0[h..], &cross, Optimize::Size);
    let mut out = z0[..h].to_vec();
    out.extend(high);
    out
}

/// One term of a constant multiplication: `±(a << shift)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Term {
    shift: usize,
    negative: bool,
}

/// The nonzero digits of `k` (taken mod 2^width) in canonical signed-digit
/// form (no two adjacent nonzero digits), least significant first. A digit
/// at position `width` or above vanishes mod 2^width and is dropped.
fn csd_terms(k: u128, width: usize) -> Vec<Term> {
    let mut terms = Vec::new();
    // Work on k as a wide number held in (low, carry) so k + 1 cannot overflow.
    let mut k = k;
    let mut carry_bit = false;
    let mut shift = 0usize;
    while (k != 0 || carry_bit) && shift < width {
        if k & 1 == 1 {
            // Look at the two low bits: ...01 gives +1, ...11 gives -1.
            let negative = k & 2 == 2;
            terms.push(Term { shift, negative });
            if negative {
                // k + 1, with the overflow out of bit 127 remembered.
                let (sum, overflow) = k.overflowing_add(1);
                k = sum;
                carry_bit |= overflow;
            } else {
                k -= 1;
            }
        }
        k >>= 1;
        if carry_bit {
            k |= 1u128 << 127;
            carry_bit = false;
        }
        shift += 1;
    }
    terms
}

/// The nonzero bits of `k` mod 2^width, as positive terms.
fn binary_terms(k: u128, width: usize) -> Vec<Term> {
    (0..width.min(128))
        .filter(|&i| (k >> i) & 1 == 1)
        .map(|shift| Term {
            shift,
            negative: false,
        })
        .collect()
}

/// The ANDs a sequential shift-and-add over `terms` costs (size mode).
fn sequence_cost(terms: &[Term], width: usize) -> usize {
    let first_positive = terms.iter().position(|t| !t.negative);
    let mut cost = 0;
    for (i, t) in terms.iter().enumerate() {
        let per = width.saturating_sub(1 + t.shift);
        cost += match first_positive {
            Some(p) if p == i => 0,
            None if i == 0 => width.saturating_sub(2 + t.shift),
            _ => per,
        };
    }
    cost
}

/// `a * k mod 2^n` for a public constant `k`.
pub fn mul_const<G: Gates>(g: &mut G, a: &[G::Bit], k: u128, opt: Optimize) -> Vec<G::Bit> {
    let n = a.len();
    let k = if n >= 128 { k } else { k & ((1u128 << n) - 1) };
    let csd = csd_terms(k, n);
    let bin = binary_terms(k, n);
    let terms = if sequence_cost(&csd, n) <= sequence_cost(&bin, n) {
        csd
    } else {
        bin
    };
    if terms.is_empty() {
        return super::constant_word(g, 0, n);
    }
    let zero = g.constant(false);
    let shifted = |t: &Term| -> Vec<G::Bit> {
        (0..n)
            .map(|i| if i >= t.shift { a[i - t.shift] } else { zero })
            .collect()
    };
    match opt {
        Optimize::Size => {
            let first = terms.iter().position(|t| !t.negative).unwrap_or(0);
            let mut acc = shifted(&terms[first]);
            if terms[first].negative {
                acc = adder::neg(g, &acc, opt);
            }
            for (i, t) in terms.iter().enumerate() {
                if i == first {
                    continue;
                }
                let row = shifted(t);
                acc = if t.negative {
                    adder::sub(g, &acc, &row, opt)
                } else {
                    adder::add(g, &acc, &row, opt)
                };
            }
            acc
        }
        Optimize::Depth => {
            // -(a << s) = (!a << s) + 2^s: negated rows plus one constant row.
            let mut rows = Vec::with_capacity(terms.len() + 1);
            let mut constant = 0u128;
            for t in &terms {
                let row: Vec<G::Bit> = (0..n)
                    .map(|i| {
                        if i < t.shift {
                            zero
                        } else if t.negative {
                            g.not(a[i - t.shift])
                        } else {
                            a[i - t.shift]
                        }
                    })
                    .collect();
                if t.negative {
                    constant = constant.wrapping_add(1u128 << t.shift);
                }
                rows.push(row);
            }
            if constant != 0 {
                rows.push(super::constant_word(g, constant, n));
            }
            sum_rows(g, &rows, n, opt)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gadgets::testing::{binary, pack, unpack, Rng};
    use crate::gadgets::PlainEval;
    use crate::ir::BinOp;
    use crate::lower::net::{Lit, Net};

    fn check(w: u32, opt: Optimize) {
        let pairs: Vec<(u128, u128)> = if w <= 5 {
            (0..1u128 << w)
                .flat_map(|x| (0..1u128 << w).map(move |y| (x, y)))
                .collect()
        } else {
            let mut rng = Rng(u64::from(w) + 99);
            (0..192).map(|_| (rng.value(w), rng.value(w))).collect()
        };
        for chunk in pairs.chunks(64) {
            let xs: Vec<u128> = chunk.iter().map(|p| p.0).collect();
            let ys: Vec<u128> = chunk.iter().map(|p| p.1).collect();
            let (a, b) = (pack(&xs, w as usize), pack(&ys, w as usize));
            let mut g = PlainEval::default();
            let low = mul_low(&mut g, &a, &b, opt);
            let full = mul_full(&mut g, &a, &b, opt);
            for (lane, &(x, y)) in chunk.iter().enumerate() {
                assert_eq!(unpack(&low, lane), binary(BinOp::Mul, x, w, y, w), "w={w}");
                if w <= 64 {
                    assert_eq!(unpack(&full, lane), x * y, "full w={w}");
                }
            }
        }
    }

    #[test]
    fn products_match_semantics() {
        for opt in [Optimize::Size, Optimize::Depth] {
            for w in [1, 2, 3, 4, 5, 7, 16, 32, 33, 40, 47, 48, 64, 128] {
                check(w, opt);
            }
        }
    }

    #[test]
    fn constant_products_match_semantics() {
        let mut rng = Rng(5);
        for opt in [Optimize::Size, Optimize::Depth] {
            for w in [1u32, 2, 3, 4, 5, 8, 13, 32, 64, 128] {
                let mut ks: Vec<u128> = (0..(1u128 << w.min(5))).collect();
                ks.extend((0..20).map(|_| rng.value(w)));
                let xs: Vec<u128> = (0..64).map(|_| rng.value(w)).collect();
                let a = pack(&xs, w as usize);
                for &k in &ks {
                    let mut g = PlainEval::default();
                    let out = mul_const(&mut g, &a, k, opt);
                    for (lane, &x) in xs.iter().enumerate() {
                        assert_eq!(
                            unpack(&out, lane),
                            binary(BinOp::Mul, x, w, k, w),
                            "w={w} k={k:#x}"
                        );
                    }
                }
            }
        }
    }

    /// ANDs of a gadget on fresh secret operands, after folding and
    /// dead-gate removal.
    fn cost(wa: u32, wb: u32, f: impl FnOnce(&mut Net, &[Lit], &[Lit]) -> Vec<Lit>) -> u64 {
        let mut net = Net::new(64);
        let a: Vec<Lit> = (0..wa).map(|i| net.input(0, i)).collect();
        let b: Vec<Lit> = (0..wb).map(|i| net.input(1, i)).collect();
        let out = f(&mut net, &a, &b);
        net.cost(out).0
    }

    #[test]
    fn karatsuba_thresholds_are_measured() {
        let full = |n: u32, kara: bool| {
            cost(n, n, |g, a, b| {
                if kara {
                    karatsuba(g, a, b)
                } else {
                    columns(g, a, b, 2 * n as usize, Optimize::Size)
                }
            })
        };
        let low = |n: u32, split: bool| {
            cost(n, n, |g, a, b| {
                if split {
                    split_low(g, a, b)
                } else {
                    columns(g, a, b, n as usize, Optimize::Size)
                }
            })
        };
        // Each threshold is the width from which the Karatsuba form is
        // cheaper at every width measured (a few narrower widths win by one
        // or two ANDs and are not worth a table).
        let t = KARATSUBA_FULL_MIN as u32;
        assert!(full(t - 1, false) <= full(t - 1, true));
        for n in (t..=40).chain([48, 64, 65]) {
            assert!(full(n, true) < full(n, false), "full product at {n} bits");
        }
        let t = KARATSUBA_LOW_MIN as u32;
        assert!(low(t - 1, false) <= low(t - 1, true));
        for n in (t..=48).chain([63, 64, 96, 128]) {
            assert!(
                low(n, true) < low(n, false),
                "truncated product at {n} bits"
            );
        }
    }

    #[test]
    fn csd_digits_are_sparse_and_exact() {
        for k in 0u128..4096 {
            let terms = csd_terms(k, 16);
            let value = terms.iter().fold(0i128, |acc, t| {
                let d = 1i128 << t.shift;
                if t.negative {
                    acc - d
                } else {
                    acc + d
                }
            });
            assert_eq!(value.rem_euclid(1 << 16) as u128, k);
            assert!(terms.windows(2).all(|p| p[1].shift > p[0].shift + 1));
        }
        assert_eq!(csd_terms(u128::MAX, 128).len(), 1);
    }
}
