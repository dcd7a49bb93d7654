//! Property tests for `std::set`, the `u64`/`i32`/Hamming additions to
//! `std::cmp`, and `std::fixed`: every function, called from a small program,
//! against a Rust reference on random inputs, through the reference
//! interpreter AND the compiled circuits (Boolean and mixed, default -O2)
//! evaluated in plaintext, all in this process.
//!
//! 16 cases per test by default; set `VEIL_PROPTEST_CASES` for more.

mod common;

use common::program::{list, runner, Prog};
use proptest::prelude::*;
use veil_circuit::value::Value;
use veil_compiler::driver::Target;

/// `src` checked and compiled to a Boolean and a mixed circuit.
fn prog(src: &str) -> Prog {
    Prog::new(
        std::path::Path::new("prop.mpc"),
        src.to_string(),
        &[Target::Bool, Target::Mixed],
    )
}

fn u32v(x: u32) -> Value {
    Value::int(false, 32, u128::from(x))
}

fn u64v(x: u64) -> Value {
    Value::int(false, 64, u128::from(x))
}

fn i32v(x: i32) -> Value {
    Value::int(true, 32, x as u128)
}

fn i64v(x: i64) -> Value {
    Value::int(true, 64, x as u128)
}

fn bools(xs: impl IntoIterator<Item = bool>) -> Value {
    Value::Array(xs.into_iter().map(Value::Bool).collect())
}

/// Distinct identifiers: a small domain (so the sets overlap) spread over
/// all of `u32` by an odd multiplier (a bijection, so they stay distinct).
fn ids(n: usize) -> impl Strategy<Value = Vec<u32>> {
    proptest::collection::hash_set(0u32..24, n)
        .prop_map(|s| s.into_iter().map(|x| x.wrapping_mul(0x9e37_79b1)).collect())
}

const SET: &str = "
use std::set;
party alice;
party bob;
fn main(a: [u32; 6] from alice, c: [u32; 1] from alice, b: [u32; 9] from bob) {
    output size = reveal(set::intersection_size(a, b));
    output each = reveal(set::contains_each(a, b));
    output matrix = reveal(set::match_matrix(a, b));
    output size_1 = reveal(set::intersection_size(c, a));
    output each_1 = reveal(set::contains_each(b, c));
}
";

#[test]
fn set_functions_match_the_reference() {
    let p = prog(SET);
    runner()
        .run(&(ids(6), ids(1), ids(9)), |(a, c, b)| {
            let inputs = [
                ("alice", "a", list(&a)),
                ("alice", "c", list(&c)),
                ("bob", "b", list(&b)),
            ];
            let each: Vec<bool> = a.iter().map(|x| b.contains(x)).collect();
            let want = vec![
                u32v(each.iter().filter(|&&e| e).count() as u32),
                bools(each.iter().copied()),
                Value::Array(a.iter().map(|x| bools(b.iter().map(|y| x == y))).collect()),
                u32v(u32::from(a.contains(&c[0]))),
                bools(b.iter().map(|y| *y == c[0])),
            ];
            p.check(&inputs, &want)
        })
        .unwrap();
}

const SET_LARGE: &str = "
use std::set;
party alice;
party bob;
fn main(a: [u32; 40] from alice, b: [u32; 30] from bob) {
    output size = reveal(set::intersection_size(a, b));
    output pairwise = reveal(set::intersection_size_pairwise(a, b));
    output sorting = reveal(set::intersection_size_sorting(a, b));
}
";

/// 40 × 30 = 1,200 pairs: `intersection_size` takes the sorting path; both
/// strategies, called directly, give the reference count too.
#[test]
fn both_intersection_strategies_match_the_reference() {
    let p = prog(SET_LARGE);
    let ids = |n: usize| {
        proptest::sample::subsequence((0u32..64).collect::<Vec<u32>>(), n)
            .prop_shuffle()
            .prop_map(|s| {
                s.into_iter()
                    .map(|x| x.wrapping_mul(0x9e37_79b1))
                    .collect::<Vec<u32>>()
            })
    };
    runner()
        .run(&(ids(40), ids(30)), |(a, b)| {
            let inputs = [("alice", "a", list(&a)), ("bob", "b", list(&b))];
            let n = u32v(a.iter().filter(|x| b.contains(x)).count() as u32);
            p.check(&inputs, &[n.clone(), n.clone(), n])
        })
        .unwrap();
}

const CMP: &str = "
use std::cmp;
party alice;
party bob;
fn main(xs: [u64; 5] from alice, ys: [i32; 5] from alice, zs: [u32; 5] from alice,
        h: [u64; 3] from alice, k: [u64; 3] from bob,
        x: u64 from alice, lo: u64 from bob, hi: u64 from bob,
        s: i32 from alice, slo: i32 from bob, shi: i32 from bob,
        ws: [u32; 8] from bob, one: [i32; 1] from bob) {
    output min_u64 = reveal(cmp::min_of_u64(xs));
    output max_u64 = reveal(cmp::max_of_u64(xs));
    output argmin_u64 = reveal(cmp::argmin_u64(xs));
    output argmax_u64 = reveal(cmp::argmax_u64(xs));
    output min_i32 = reveal(cmp::min_of_i32(ys));
    output max_i32 = reveal(cmp::max_of_i32(ys));
    output argmin_i32 = reveal(cmp::argmin_i32(ys));
    output argmax_i32 = reveal(cmp::argmax_i32(ys));
    output argmin_u32 = reveal(cmp::argmin(zs));
    output argmax_u32 = reveal(cmp::argmax(zs));
    output clamp_u64 = reveal(cmp::clamp_u64(x, lo, hi));
    output clamp_i32 = reveal(cmp::clamp_i32(s, slo, shi));
    output hamming = reveal(cmp::hamming(h, k));
    output min_8 = reveal(cmp::min_of(ws));
    output max_8 = reveal(cmp::max_of(ws));
    output argmin_8 = reveal(cmp::argmin(ws));
    output argmax_8 = reveal(cmp::argmax(ws));
    output argmax_1 = reveal(cmp::argmax_i32(one));
    output min_1 = reveal(cmp::min_of_i32(one));
}
";

/// The index of the first element for which `better(x, best)` never held
/// afterwards: the first extreme, as std::cmp resolves ties.
fn first_by<T: Copy>(xs: &[T], better: impl Fn(T, T) -> bool) -> u32 {
    let mut at = 0;
    for (i, &x) in xs.iter().enumerate() {
        if better(x, xs[at]) {
            at = i;
        }
    }
    at as u32
}

#[test]
fn cmp_additions_match_the_reference() {
    let p = prog(CMP);
    // Small values half of the time, so that ties and equal words occur.
    let u64s = || prop_oneof![0u64..4, any::<u64>()];
    let i32s = || prop_oneof![-2i32..2, any::<i32>()];
    let strategy = (
        proptest::collection::vec(u64s(), 5),
        proptest::collection::vec(i32s(), 5),
        proptest::collection::vec(0u32..4, 5),
        proptest::collection::vec(u64s(), 3),
        proptest::collection::vec(u64s(), 3),
        (u64s(), u64s(), u64s()),
        (i32s(), i32s(), i32s()),
        (proptest::collection::vec(0u32..3, 8), i32s()),
    );
    runner()
        .run(
            &strategy,
            |(xs, ys, zs, h, k, (x, l1, l2), (s, m1, m2), (ws, one))| {
                let (lo, hi) = (l1.min(l2), l1.max(l2));
                let (slo, shi) = (m1.min(m2), m1.max(m2));
                let inputs = [
                    ("alice", "xs", list(&xs)),
                    ("alice", "ys", list(&ys)),
                    ("alice", "zs", list(&zs)),
                    ("alice", "h", list(&h)),
                    ("bob", "k", list(&k)),
                    ("alice", "x", x.to_string()),
                    ("bob", "lo", lo.to_string()),
                    ("bob", "hi", hi.to_string()),
                    ("alice", "s", s.to_string()),
                    ("bob", "slo", slo.to_string()),
                    ("bob", "shi", shi.to_string()),
                    ("bob", "ws", list(&ws)),
                    ("bob", "one", format!("[{one}]")),
                ];
                let dist: u32 = h.iter().zip(&k).map(|(a, b)| (a ^ b).count_ones()).sum();
                let want = vec![
                    u64v(*xs.iter().min().unwrap()),
                    u64v(*xs.iter().max().unwrap()),
                    u32v(first_by(&xs, |a, b| a < b)),
                    u32v(first_by(&xs, |a, b| a > b)),
                    i32v(*ys.iter().min().unwrap()),
                    i32v(*ys.iter().max().unwrap()),
                    u32v(first_by(&ys, |a, b| a < b)),
                    u32v(first_by(&ys, |a, b| a > b)),
                    u32v(first_by(&zs, |a, b| a < b)),
                    u32v(first_by(&zs, |a, b| a > b)),
                    u64v(x.clamp(lo, hi)),
                    i32v(s.clamp(slo, shi)),
                    u32v(dist),
                    u32v(*ws.iter().min().unwrap()),
                    u32v(*ws.iter().max().unwrap()),
                    u32v(first_by(&ws, |a, b| a < b)),
                    u32v(first_by(&ws, |a, b| a > b)),
                    u32v(0),
                    i32v(one),
                ];
                p.check(&inputs, &want)
            },
        )
        .unwrap();
}

const FIXED: &str = "
use std::fixed;
party alice;
party bob;
fn main(a: i64 from alice, b: i64 from bob, n: i64 from alice) {
    output from_int = reveal(fixed::from_int(n));
    output to_int = reveal(fixed::to_int(a));
    output round = reveal(fixed::round(a));
    output frac = reveal(fixed::frac(a));
    output add = reveal(fixed::add(a, b));
    output sub = reveal(fixed::sub(a, b));
    output mul = reveal(fixed::mul(a, b));
    output div = reveal(fixed::div(a, b));
    output lt = reveal(fixed::lt(a, b));
    output le = reveal(fixed::le(a, b));
    output gt = reveal(fixed::gt(a, b));
    output ge = reveal(fixed::ge(a, b));
    output eq = reveal(fixed::eq(a, b));
    output one = reveal(fixed::mul(a, fixed::ONE));
}
";

/// Q47.16 multiplication, rounded half up, wrapping like `i64`.
fn fixed_mul(a: i64, b: i64) -> i64 {
    ((i128::from(a) * i128::from(b) + (1 << 15)) >> 16) as i64
}

/// Q47.16 division, truncated towards zero; -1 for a zero divisor.
fn fixed_div(a: i64, b: i64) -> i64 {
    if b == 0 {
        -1
    } else {
        ((i128::from(a) << 16) / i128::from(b)) as i64
    }
}

#[test]
fn fixed_point_matches_the_reference() {
    let p = prog(FIXED);
    // Values in a realistic range (|v| < 2^20, with fractions), exact halves
    // and integers (rounding edges), small divisors, zero, and any i64 (wrapping).
    let fx = || {
        prop_oneof![
            -(1i64 << 36)..(1i64 << 36),
            (-64i64..64).prop_map(|h| h << 15),
            -3i64..3,
            any::<i64>(),
        ]
    };
    let ints = || prop_oneof![-100_000i64..100_000, any::<i64>()];
    runner()
        .run(&(fx(), fx(), ints()), |(a, b, n)| {
            let inputs = [
                ("alice", "a", a.to_string()),
                ("bob", "b", b.to_string()),
                ("alice", "n", n.to_string()),
            ];
            let want = vec![
                i64v(n.wrapping_shl(16)),
                i64v(a >> 16),
                i64v(a.wrapping_add(1 << 15) >> 16),
                i64v(a & 0xffff),
                i64v(a.wrapping_add(b)),
                i64v(a.wrapping_sub(b)),
                i64v(fixed_mul(a, b)),
                i64v(fixed_div(a, b)),
                Value::Bool(a < b),
                Value::Bool(a <= b),
                Value::Bool(a > b),
                Value::Bool(a >= b),
                Value::Bool(a == b),
                i64v(a),
            ];
            p.check(&inputs, &want)
        })
        .unwrap();
}

#[test]
fn fixed_point_examples_from_the_documentation() {
    // 1.5 · -0.25 = -0.375; 1.5 / -0.25 = -6; to_int rounds down, round half up.
    let (x, y) = (98_304i64, -16_384i64);
    assert_eq!(fixed_mul(x, y), -24_576);
    assert_eq!(fixed_div(x, y), -6 << 16);
    assert_eq!(-98_304i64 >> 16, -2);
    assert_eq!((-163_840i64 + (1 << 15)) >> 16, -2);
    let p = prog(FIXED);
    let inputs = [
        ("alice", "a", x.to_string()),
        ("bob", "b", y.to_string()),
        ("alice", "n", "3".to_string()),
    ];
    let want = vec![
        i64v(3 << 16),
        i64v(1),
        i64v(2),
        i64v(32_768),
        i64v(x + y),
        i64v(x - y),
        i64v(-24_576),
        i64v(-6 << 16),
        Value::Bool(false),
        Value::Bool(false),
        Value::Bool(true),
        Value::Bool(true),
        Value::Bool(false),
        i64v(x),
    ];
    p.check(&inputs, &want).unwrap();
}
