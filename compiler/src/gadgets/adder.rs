//! Adders and subtractors: ripple-carry for size, Sklansky parallel prefix
//! for depth, plus increment, negation and conditional negation.
//!
//! Costs for `n`-bit operands (result mod 2^n, so the top carry is never
//! computed unless asked for):
//!
//! | gadget | [`Optimize::Size`] | [`Optimize::Depth`] |
//! |---|---|---|
//! | [`add`], [`sub`] | `n - 1` AND, depth `n - 1` | Sklansky: 159 AND, depth 5 at `n = 32` |
//! | [`add_carry`] (with carry out) | `n` AND | Sklansky over `n + 1` slots |
//! | [`increment`], [`neg`], [`cond_neg`] | `n - 1` AND (`n - 2` for [`neg`]) | prefix AND tree |
//!
//! The ripple full adder uses one AND per bit:
//! `c' = c ^ ((a ^ c) & (b ^ c))` (the majority of `a`, `b`, `c`), and
//! `s = a ^ b ^ c`.
//!
//! The prefix adder treats the carry-in as slot 0 of the prefix (generate =
//! carry-in, propagate = 0) and bit `i` as slot `i + 1`. Because slot 0's
//! generate has depth 0 while every other generate has depth 1, Sklansky's
//! recursive doubling then reaches carry `c_i` at depth `⌈log2(i + 1)⌉`,
//! one level less than the textbook layout, which is what the degree bound
//! allows (`c_31` has degree 32). Propagate terms that no carry needs are
//! left for dead-gate removal, so the emitted count is the minimum of this
//! layout.

use super::{Gates, Optimize};

/// `a + b mod 2^n`.
pub fn add<G: Gates>(g: &mut G, a: &[G::Bit], b: &[G::Bit], opt: Optimize) -> Vec<G::Bit> {
    let zero = g.constant(false);
    add_cin(g, a, b, zero, opt)
}

/// `a - b mod 2^n`, as `a + !b + 1`.
pub fn sub<G: Gates>(g: &mut G, a: &[G::Bit], b: &[G::Bit], opt: Optimize) -> Vec<G::Bit> {
    let nb = super::not_word(g, b);
    let one = g.constant(true);
    add_cin(g, a, &nb, one, opt)
}

/// `a + b + cin mod 2^n`.
pub fn add_cin<G: Gates>(
    g: &mut G,
    a: &[G::Bit],
    b: &[G::Bit],
    cin: G::Bit,
    opt: Optimize,
) -> Vec<G::Bit> {
    match opt {
        Optimize::Size => ripple(g, a, b, cin, false).0,
        Optimize::Depth => sklansky(g, a, b, cin, false).0,
    }
}

/// `a + b + cin` with the carry out of the top bit: `n` ANDs when ripple.
pub fn add_carry<G: Gates>(
    g: &mut G,
    a: &[G::Bit],
    b: &[G::Bit],
    cin: G::Bit,
    opt: Optimize,
) -> (Vec<G::Bit>, G::Bit) {
    let (sum, carry) = match opt {
        Optimize::Size => ripple(g, a, b, cin, true),
        Optimize::Depth => sklansky(g, a, b, cin, true),
    };
    let carry = match carry {
        Some(c) => c,
        None => g.constant(false),
    };
    (sum, carry)
}

/// One full adder's carry: the majority of `a`, `b`, `c` with one AND.
pub fn majority<G: Gates>(g: &mut G, a: G::Bit, b: G::Bit, c: G::Bit) -> G::Bit {
    let ac = g.xor(a, c);
    let bc = g.xor(b, c);
    let t = g.and(ac, bc);
    g.xor(c, t)
}

/// Ripple-carry addition; the carry out only when `want_carry`.
fn ripple<G: Gates>(
    g: &mut G,
    a: &[G::Bit],
    b: &[G::Bit],
    cin: G::Bit,
    want_carry: bool,
) -> (Vec<G::Bit>, Option<G::Bit>) {
    let n = a.len().min(b.len());
    let mut sum = Vec::with_capacity(n);
    let mut c = cin;
    for i in 0..n {
        let ac = g.xor(a[i], c);
        sum.push(g.xor(ac, b[i]));
        if i + 1 < n || want_carry {
            let bc = g.xor(b[i], c);
            let t = g.and(ac, bc);
            c = g.xor(c, t);
        }
    }
    (sum, want_carry.then_some(c))
}

/// Sklansky parallel-prefix addition with the carry-in as prefix slot 0
/// (see the module documentation).
fn sklansky<G: Gates>(
    g: &mut G,
    a: &[G::Bit],
    b: &[G::Bit],
    cin: G::Bit,
    want_carry: bool,
) -> (Vec<G::Bit>, Option<G::Bit>) {
    prefix_add(g, a, b, cin, want_carry, 0)
}

/// Parallel-prefix addition mod 2^n with `pairing` Ladner–Fischer levels:
/// each level first combines neighbouring slots in pairs, solves the prefix
/// problem on the odd slots (half as many), then fixes up the even ones.
/// Every level costs one more AND-depth and saves about a quarter of the
/// remaining combines; 0 is plain Sklansky. For operands whose high bits
/// arrive later than their low bits (the two rows a multiplier's column
/// reduction leaves), one level is free in depth: it gives 125 instead of
/// 159 ANDs at `n = 32`.
pub fn add_prefix<G: Gates>(
    g: &mut G,
    a: &[G::Bit],
    b: &[G::Bit],
    cin: G::Bit,
    pairing: u32,
) -> Vec<G::Bit> {
    prefix_add(g, a, b, cin, false, pairing).0
}

fn prefix_add<G: Gates>(
    g: &mut G,
    a: &[G::Bit],
    b: &[G::Bit],
    cin: G::Bit,
    want_carry: bool,
    pairing: u32,
) -> (Vec<G::Bit>, Option<G::Bit>) {
    let n = a.len().min(b.len());
    if n == 0 {
        return (Vec::new(), want_carry.then_some(cin));
    }
    // Slot 0 is the carry-in; slot i + 1 is bit i. Carries c_1..c_{n-1} need
    // slots up to n - 1; the carry out needs slot n as well.
    let slots = if want_carry { n + 1 } else { n };
    let zero = g.constant(false);
    let mut gen = Vec::with_capacity(slots);
    let mut prop = Vec::with_capacity(slots);
    gen.push(cin);
    prop.push(zero);
    for i in 0..slots - 1 {
        gen.push(g.and(a[i], b[i]));
        prop.push(g.xor(a[i], b[i]));
    }
    prefix_combine(g, &mut gen, &mut prop, pairing);
    let mut sum = Vec::with_capacity(n);
    for i in 0..n {
        let p = g.xor(a[i], b[i]);
        sum.push(g.xor(p, gen[i]));
    }
    (sum, want_carry.then(|| gen[n]))
}

/// `(G, P)` of a high group over `(G', P')` of the group just below it.
fn combine<G: Gates>(g: &mut G, hi: (G::Bit, G::Bit), lo: (G::Bit, G::Bit)) -> (G::Bit, G::Bit) {
    let t = g.and(hi.1, lo.0);
    (g.xor(hi.0, t), g.and(hi.1, lo.1))
}

/// In place over (generate, propagate) pairs: afterwards `gen[i]` is the
/// group generate of slots `0..=i`. Sklansky's recursive doubling after
/// `pairing` Ladner–Fischer levels (see [`add_prefix`]).
fn prefix_combine<G: Gates>(g: &mut G, gen: &mut [G::Bit], prop: &mut [G::Bit], pairing: u32) {
    let slots = gen.len();
    if pairing > 0 && slots > 2 {
        for j in (1..slots).step_by(2) {
            (gen[j], prop[j]) = combine(g, (gen[j], prop[j]), (gen[j - 1], prop[j - 1]));
        }
        let mut odd_gen: Vec<G::Bit> = gen.iter().skip(1).step_by(2).copied().collect();
        let mut odd_prop: Vec<G::Bit> = prop.iter().skip(1).step_by(2).copied().collect();
        prefix_combine(g, &mut odd_gen, &mut odd_prop, pairing - 1);
        for (k, j) in (1..slots).step_by(2).enumerate() {
            gen[j] = odd_gen[k];
            prop[j] = odd_prop[k];
        }
        for j in (2..slots).step_by(2) {
            (gen[j], prop[j]) = combine(g, (gen[j], prop[j]), (gen[j - 1], prop[j - 1]));
        }
        return;
    }
    let mut span = 1usize;
    while span < slots {
        for j in 0..slots {
            if j & span != 0 {
                // The last slot before j's current group; it is not updated
                // at this level (its `span` bit is clear).
                let p = (j & !(span - 1)) - 1;
                (gen[j], prop[j]) = combine(g, (gen[j], prop[j]), (gen[p], prop[p]));
            }
        }
        span <<= 1;
    }
}

/// Inclusive prefix ANDs: `out[i] = bits[0] & … & bits[i]`. A chain
/// (`n - 1` ANDs, depth `n - 1`) for size, Sklansky for depth.
pub fn prefix_and<G: Gates>(g: &mut G, bits: &[G::Bit], opt: Optimize) -> Vec<G::Bit> {
    let mut out: Vec<G::Bit> = bits.to_vec();
    match opt {
        Optimize::Size => {
            for i in 1..out.len() {
                out[i] = g.and(out[i - 1], out[i]);
            }
        }
        Optimize::Depth => {
            let mut span = 1usize;
            while span < out.len() {
                for j in 0..out.len() {
                    if j & span != 0 {
                        let p = (j & !(span - 1)) - 1;
                        out[j] = g.and(out[j], out[p]);
                    }
                }
                span <<= 1;
            }
        }
    }
    out
}

/// `a + cin mod 2^n`: the carry into bit `i` is `cin & a_0 & … & a_{i-1}`,
/// so `n - 1` ANDs.
pub fn increment<G: Gates>(g: &mut G, a: &[G::Bit], cin: G::Bit, opt: Optimize) -> Vec<G::Bit> {
    let n = a.len();
    if n == 0 {
        return Vec::new();
    }
    let mut chain = Vec::with_capacity(n);
    chain.push(cin);
    chain.extend_from_slice(&a[..n - 1]);
    let carries = prefix_and(g, &chain, opt);
    a.iter().zip(carries).map(|(&x, c)| g.xor(x, c)).collect()
}

/// Two's-complement negation `!a + 1`: `n - 2` ANDs (the carry into bit 1
/// is `!a_0`, free).
pub fn neg<G: Gates>(g: &mut G, a: &[G::Bit], opt: Optimize) -> Vec<G::Bit> {
    let na = super::not_word(g, a);
    let one = g.constant(true);
    increment(g, &na, one, opt)
}

/// `s ? -a : a` as `(a ^ s) + s`: `n - 1` ANDs.
pub fn cond_neg<G: Gates>(g: &mut G, a: &[G::Bit], s: G::Bit, opt: Optimize) -> Vec<G::Bit> {
    let flipped: Vec<G::Bit> = a.iter().map(|&x| g.xor(x, s)).collect();
    increment(g, &flipped, s, opt)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gadgets::testing::{binary, pack, unary, unpack, Rng};
    use crate::gadgets::PlainEval;
    use crate::ir::{BinOp, UnOp};

    const BOTH: [Optimize; 2] = [Optimize::Size, Optimize::Depth];

    type Gadget<'a> = &'a mut dyn FnMut(&mut PlainEval, &[u64], &[u64]) -> Vec<u64>;

    /// Runs `f` on every pair of `w`-bit values (or `count` random pairs
    /// when `w` is large) and compares lane by lane with `expect`.
    fn check_pairs(w: u32, f: Gadget<'_>, expect: &dyn Fn(u128, u128) -> u128) {
        let pairs: Vec<(u128, u128)> = if w <= 6 {
            (0..1u128 << w)
                .flat_map(|x| (0..1u128 << w).map(move |y| (x, y)))
                .collect()
        } else {
            let mut rng = Rng(u64::from(w) * 7919);
            (0..512).map(|_| (rng.value(w), rng.value(w))).collect()
        };
        for chunk in pairs.chunks(64) {
            let xs: Vec<u128> = chunk.iter().map(|p| p.0).collect();
            let ys: Vec<u128> = chunk.iter().map(|p| p.1).collect();
            let mut g = PlainEval::default();
            let out = f(&mut g, &pack(&xs, w as usize), &pack(&ys, w as usize));
            for (lane, &(x, y)) in chunk.iter().enumerate() {
                assert_eq!(unpack(&out, lane), expect(x, y), "w={w} x={x:#x} y={y:#x}");
            }
        }
    }

    #[test]
    fn add_and_sub_match_semantics() {
        for opt in BOTH {
            for w in [1, 2, 3, 4, 5, 6, 31, 32, 33, 64, 128] {
                check_pairs(w, &mut |g, a, b| add(g, a, b, opt), &|x, y| {
                    binary(BinOp::Add, x, w, y, w)
                });
                check_pairs(w, &mut |g, a, b| sub(g, a, b, opt), &|x, y| {
                    binary(BinOp::Sub, x, w, y, w)
                });
                for pairing in 1..4 {
                    check_pairs(
                        w,
                        &mut |g, a, b| {
                            let c = g.constant(opt == Optimize::Depth);
                            add_prefix(g, a, b, c, pairing)
                        },
                        &|x, y| {
                            let c = u128::from(opt == Optimize::Depth);
                            binary(BinOp::Add, x.wrapping_add(c), w, y, w)
                        },
                    );
                }
                if w == 128 {
                    continue;
                }
                check_pairs(
                    w,
                    &mut |g, a, b| {
                        let c = g.constant(true);
                        let (mut s, carry) = add_carry(g, a, b, c, opt);
                        s.push(carry);
                        s
                    },
                    &|x, y| x + y + 1,
                );
            }
        }
    }

    #[test]
    fn negations_match_semantics() {
        for opt in BOTH {
            for w in [1, 2, 3, 4, 5, 6, 32, 64, 128] {
                check_pairs(w, &mut |g, a, _| neg(g, a, opt), &|x, _| {
                    unary(UnOp::Neg, x, w)
                });
                check_pairs(w, &mut |g, a, b| cond_neg(g, a, b[0], opt), &|x, y| {
                    if y & 1 == 1 {
                        unary(UnOp::Neg, x, w)
                    } else {
                        x
                    }
                });
            }
        }
    }

    #[test]
    fn ripple_costs() {
        let mut g = PlainEval::default();
        let a = vec![0u64; 32];
        add(&mut g, &a, &a, Optimize::Size);
        assert_eq!(g.ands, 31);
        let mut g = PlainEval::default();
        sub(&mut g, &a, &a, Optimize::Size);
        assert_eq!(g.ands, 31);
        let mut g = PlainEval::default();
        cond_neg(&mut g, &a, 0, Optimize::Size);
        assert_eq!(g.ands, 31);
    }
}
