//! `std::sort` and `std::stats` against Rust references on random inputs
//! (random lengths, powers of two and not, many duplicates), through the
//! reference interpreter and through the compiled Boolean circuit (-O2, as
//! `veil compile` makes it) evaluated in plaintext, both in this process.
//!
//! Case counts are moderate by default; set `VEIL_PROPTEST_CASES` for more.

mod common;

use common::program::{cases, list, Prog};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use veil_circuit::value::Value;

/// Checks and compiles `src`, runs it on `inputs` (`(party, name, value)`)
/// under the interpreter and the compiled circuit, requires both to agree,
/// and returns the outputs with the circuit's AND count.
fn run(src: &str, inputs: &[(&str, &str, String)]) -> Result<(Vec<Value>, u64), TestCaseError> {
    let p = Prog::boolean(src);
    Ok((p.run(inputs)?, p.and_count()))
}

fn int(v: &Value) -> u128 {
    match v {
        Value::Int(i) => i.raw_u128(),
        other => panic!("not an integer: {other:?}"),
    }
}

fn ints(v: &Value) -> Vec<u32> {
    match v {
        Value::Array(items) => items.iter().map(|x| int(x) as u32).collect(),
        other => panic!("not an array: {other:?}"),
    }
}

fn pair(v: &Value) -> (Vec<u32>, Vec<u32>) {
    match v {
        Value::Tuple(items) if items.len() == 2 => (ints(&items[0]), ints(&items[1])),
        other => panic!("not a pair of arrays: {other:?}"),
    }
}

/// Arrays of 1 to 40 values, drawn from a small range (many duplicates),
/// the whole u32 range, or both with the extremes mixed in.
fn values() -> impl Strategy<Value = Vec<u32>> {
    let element = prop_oneof![
        0u32..8,
        any::<u32>(),
        prop_oneof![Just(0u32), Just(u32::MAX), Just(u32::MAX - 1), any::<u32>()],
    ];
    (1usize..=40).prop_flat_map(move |n| proptest::collection::vec(element.clone(), n))
}

/// The comparators of Batcher's odd-even merge sort for `n` elements, the
/// network for the next power of two without those touching index >= n.
fn batcher(n: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut p = 1;
    while p < n {
        let mut k = p;
        while k >= 1 {
            let mut j = k % p;
            while j + k < n {
                for i in 0..k {
                    let (lo, hi) = (i + j, i + j + k);
                    if hi < n && lo / (2 * p) == hi / (2 * p) {
                        out.push((lo, hi));
                    }
                }
                j += 2 * k;
            }
            k /= 2;
        }
        p *= 2;
    }
    out
}

#[test]
fn the_batcher_reference_network_sorts_every_zero_one_input() {
    // By the 0-1 principle a comparator network that sorts every 0-1 input
    // sorts every input.
    for n in 1..=16usize {
        let net = batcher(n);
        for bits in 0u32..(1 << n) {
            let mut a: Vec<u32> = (0..n).map(|i| (bits >> i) & 1).collect();
            for &(lo, hi) in &net {
                if a[lo] > a[hi] {
                    a.swap(lo, hi);
                }
            }
            assert!(a.windows(2).all(|w| w[0] <= w[1]), "n = {n}, {bits:#b}");
        }
    }
    assert_eq!(batcher(32).len(), 191);
    assert_eq!(batcher(64).len(), 543);
}

/// `sort` costs exactly 64 AND per compare-exchange of Batcher's network,
/// for every length up to 33 (the padding to a power of two is free).
#[test]
fn sort_costs_64_and_per_compare_exchange_for_every_length() {
    for n in 1..=33usize {
        let src = format!(
            "use std::sort;\nparty alice;\nparty bob;\n\
             fn main(xs: [u32; {n}] from alice, t: u32 from bob) {{\n\
             output s = reveal(sort::sort(xs));\n output t = reveal(t);\n}}\n"
        );
        let xs: Vec<u32> = (0..n as u32).rev().collect();
        let (out, and) = run(
            &src,
            &[("alice", "xs", list(&xs)), ("bob", "t", "0".into())],
        )
        .expect("runs");
        let mut want = xs.clone();
        want.sort_unstable();
        assert_eq!(ints(&out[0]), want, "n = {n}");
        assert_eq!(and, 64 * batcher(n).len() as u64, "n = {n}");
    }
}

fn check_sort(xs: &[u32], payload: &[u32]) -> Result<(), TestCaseError> {
    let n = xs.len();
    let src = format!(
        "use std::sort;\nparty alice;\nparty bob;\n\
         fn main(xs: [u32; {n}] from alice, ys: [u32; {n}] from bob) {{\n\
         output asc = reveal(sort::sort(xs));\n\
         output desc = reveal(sort::sort_desc(xs));\n\
         output by_key = reveal(sort::sort_by_key(xs, ys));\n\
         output by_key_desc = reveal(sort::sort_by_key_desc(xs, ys));\n}}\n"
    );
    let (out, _) = run(
        &src,
        &[("alice", "xs", list(xs)), ("bob", "ys", list(payload))],
    )?;
    let mut asc = xs.to_vec();
    asc.sort_unstable();
    let mut desc = asc.clone();
    desc.reverse();
    prop_assert_eq!(ints(&out[0]), asc.clone(), "sort of {:?}", xs);
    prop_assert_eq!(ints(&out[1]), desc.clone(), "sort_desc of {:?}", xs);
    // Not stable: the keys come out sorted, and the (key, payload) pairs are
    // the input's pairs, in some order.
    let mut pairs: Vec<(u32, u32)> = xs.iter().copied().zip(payload.iter().copied()).collect();
    pairs.sort_unstable();
    for (k, (want, name)) in [(2, (&asc, "sort_by_key")), (3, (&desc, "sort_by_key_desc"))] {
        let (keys, pay) = pair(&out[k]);
        prop_assert_eq!(&keys, want, "{} keys of {:?}", name, xs);
        let mut got: Vec<(u32, u32)> = keys.into_iter().zip(pay).collect();
        got.sort_unstable();
        prop_assert_eq!(&got, &pairs, "{} pairs of {:?} / {:?}", name, xs, payload);
    }
    Ok(())
}

/// Nearest rank: the element of rank ceil(p·n / 100) (1-based), p capped at
/// 100, rank 0 read as 1.
fn percentile_ref(sorted: &[u32], p: u32) -> u32 {
    let n = sorted.len() as u64;
    let rank = (u64::from(p.min(100)) * n).div_ceil(100).max(1);
    sorted[rank as usize - 1]
}

fn histogram_ref(xs: &[u32], bounds: &[u32]) -> Vec<u32> {
    (0..bounds.len())
        .map(|i| {
            xs.iter()
                .filter(|&&x| x >= bounds[i] && bounds.get(i + 1).is_none_or(|&hi| x < hi))
                .count() as u32
        })
        .collect()
}

fn check_stats(xs: &[u32], f: u32, p: u32, bounds: &[u32], t: u32) -> Result<(), TestCaseError> {
    let n = xs.len();
    let src = format!(
        "use std::stats;\nparty alice;\nparty bob;\n\
         fn main(xs: [u32; {n}] from alice, t: u32 from bob) {{\n\
         output sum = reveal(stats::sum(xs));\n\
         output mean = reveal(stats::mean(xs));\n\
         output mean_fixed = reveal(stats::mean_fixed(xs, {f}));\n\
         output variance = reveal(stats::variance(xs));\n\
         output median = reveal(stats::median(xs));\n\
         output percentile = reveal(stats::percentile(xs, {p}));\n\
         output histogram = reveal(stats::histogram(xs, {}));\n\
         output count_above = reveal(stats::count_above(xs, t));\n\
         output div = reveal(stats::udiv_const(stats::sum(xs) as u128 * 1000003, {}));\n}}\n",
        list(bounds),
        n as u64 * 7 + 3,
    );
    let (out, _) = run(
        &src,
        &[("alice", "xs", list(xs)), ("bob", "t", t.to_string())],
    )?;
    let big: Vec<u128> = xs.iter().map(|&x| u128::from(x)).collect();
    let len = n as u128;
    let sum: u128 = big.iter().sum();
    let squares: u128 = big.iter().map(|x| x * x).sum();
    let mut sorted = xs.to_vec();
    sorted.sort_unstable();
    prop_assert_eq!(int(&out[0]), sum, "sum of {:?}", xs);
    prop_assert_eq!(int(&out[1]), sum / len, "mean of {:?}", xs);
    prop_assert_eq!(
        int(&out[2]),
        (sum << f) / len,
        "mean_fixed({}) of {:?}",
        f,
        xs
    );
    prop_assert_eq!(
        int(&out[3]),
        (len * squares - sum * sum) / (len * len),
        "variance of {:?}",
        xs
    );
    prop_assert_eq!(
        int(&out[4]) as u32,
        sorted[(n - 1) / 2],
        "median of {:?}",
        xs
    );
    prop_assert_eq!(
        int(&out[5]) as u32,
        percentile_ref(&sorted, p),
        "percentile({}) of {:?}",
        p,
        xs
    );
    prop_assert_eq!(
        ints(&out[6]),
        histogram_ref(xs, bounds),
        "histogram({:?}) of {:?}",
        bounds,
        xs
    );
    prop_assert_eq!(
        int(&out[7]) as u32,
        xs.iter().filter(|&&x| x > t).count() as u32,
        "count_above({}) of {:?}",
        t,
        xs
    );
    prop_assert_eq!(
        int(&out[8]),
        sum * 1_000_003 / (len * 7 + 3),
        "udiv_const of {:?}",
        xs
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn sort_functions_agree_with_rust(
        (xs, payload) in values().prop_flat_map(|xs| {
            let n = xs.len();
            (Just(xs), proptest::collection::vec(any::<u32>(), n))
        }),
    ) {
        check_sort(&xs, &payload)?;
    }

    #[test]
    fn stats_functions_agree_with_rust(
        xs in values(),
        f in 0u32..=32,
        p in prop_oneof![0u32..=100, Just(0u32), Just(50u32), Just(100u32), 101u32..200],
        bounds in proptest::collection::vec(
            prop_oneof![0u32..10, any::<u32>()], 1..=5),
        sorted_bounds in any::<bool>(),
        t in prop_oneof![0u32..10, any::<u32>()],
    ) {
        let mut bounds = bounds;
        if sorted_bounds {
            bounds.sort_unstable();
        }
        check_stats(&xs, f, p, &bounds, t)?;
    }
}
