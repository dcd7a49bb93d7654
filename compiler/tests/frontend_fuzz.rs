//! The whole front end (parse, load modules, check) on random and mutated
//! sources: it never panics, and it returns either a program or at least one
//! error, every diagnostic pointing inside its file.
//!
//! Case counts are moderate by default; set `PROPTEST_CASES` for more.

use std::path::Path;

use proptest::prelude::*;
use veil_compiler::driver;

const SEEDS: &[&str] = &[
    "party alice;\nparty bob;\n\nfn main(a: u64 from alice, b: u64 from bob) {\n    output richer = reveal(a > b);\n    output gap = reveal(a - b) to alice;\n}\n",
    "party a;\nparty b;\nstruct P { x: u32, y: secret u32 }\nconst T: [u8; 4] = [1, 2, 3, 4];\nfn f(xs: [u32; N], k: u32) -> u32 {\n    let mut acc = xs[0];\n    for i in 1..N { if xs[i] > k { acc += xs[i]; } else { acc ^= 1; } }\n    acc\n}\nfn main(xs: [u32; 3] from a, k: u32 from b, i: u8 from b) {\n    let p = P { x: 1, y: k };\n    let mut t: secret u8 = T[i];\n    if k > 3 { t = t + 1; }\n    output o = reveal(f(xs, k) + p.y) to a;\n    output q = reveal((t as u32, p.x));\n}\n",
    "use std::cmp;\nparty a;\nparty b;\nfn main(xs: [u32; 4] from a, y: u32 from b) {\n    let m = cmp::max_of(xs);\n    output r = reveal(mux(m > y, m, y) >> 2u8);\n    output s = reveal(rotl(y, 3u32) == -1i32 as u32);\n}\n",
];

fn tokens(src: &str) -> Vec<String> {
    // Word, number and punctuation pieces, keeping the whitespace between them.
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in src.chars() {
        let word = c.is_alphanumeric() || c == '_';
        if !cur.is_empty() && (!word || !cur.chars().all(|x| x.is_alphanumeric() || x == '_')) {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize),
    Duplicate(usize),
    Swap(usize, usize),
    InsertBytes(usize, Vec<u8>),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Delete),
        any::<usize>().prop_map(Mutation::Duplicate),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        (any::<usize>(), proptest::collection::vec(any::<u8>(), 1..6))
            .prop_map(|(a, b)| Mutation::InsertBytes(a, b)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(seed: &str, muts: &[Mutation]) -> String {
    let mut toks = tokens(seed);
    for m in muts {
        if toks.is_empty() {
            break;
        }
        let n = toks.len();
        match m {
            Mutation::Delete(i) => {
                toks.remove(i % n);
            }
            Mutation::Duplicate(i) => {
                let t = toks[i % n].clone();
                toks.insert(i % n, t);
            }
            Mutation::Swap(a, b) => toks.swap(a % n, b % n),
            Mutation::InsertBytes(i, bytes) => {
                toks.insert(i % n, String::from_utf8_lossy(bytes).into_owned())
            }
            Mutation::Truncate(i) => toks.truncate(i % n),
        }
    }
    toks.concat()
}

fn assert_well_formed(src: &str) {
    let c = driver::check_source(Path::new("fuzz.mpc"), src.to_string());
    if c.program.is_none() {
        assert!(c.has_errors(), "no program and no error for:\n{src}");
    } else {
        assert!(!c.has_errors(), "a program despite errors for:\n{src}");
    }
    for d in &c.diagnostics {
        let len = c.sources.get(d.primary.span.file).text.len() as u32;
        assert!(
            d.primary.span.start <= d.primary.span.end,
            "{d}: reversed span"
        );
        assert!(
            d.primary.span.end <= len,
            "{d}: span {:?} outside a file of {len} bytes",
            d.primary.span
        );
        for l in &d.secondary {
            let len = c.sources.get(l.span.file).text.len() as u32;
            assert!(l.span.end <= len, "{d}: secondary span outside its file");
        }
    }
}

#[test]
fn seeds_check_clean() {
    for s in SEEDS {
        let c = driver::check_source(Path::new("seed.mpc"), s.to_string());
        let errors: Vec<String> = c
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:?}\n{s}");
        assert!(c.program.is_some());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn mutated_sources_never_panic(seed in 0..SEEDS.len(), muts in proptest::collection::vec(mutation(), 1..6)) {
        assert_well_formed(&apply(SEEDS[seed], &muts));
    }

    #[test]
    fn random_text_never_panics(text in "\\PC{0,200}") {
        assert_well_formed(&text);
    }

    #[test]
    fn random_token_soup_never_panics(words in proptest::collection::vec(prop_oneof![
        Just("party"), Just("fn"), Just("main"), Just("("), Just(")"), Just("{"), Just("}"), Just("["), Just("]"),
        Just("x"), Just(":"), Just("u8"), Just("from"), Just("a"), Just("b"), Just(";"), Just("output"), Just("="),
        Just("reveal"), Just("if"), Just("else"), Just("for"), Just("in"), Just(".."), Just("1"), Just("+"),
        Just("<"), Just("let"), Just("mut"), Just("secret"), Just("public"), Just("to"), Just(","), Just("as"),
        Just("struct"), Just("const"), Just("return"), Just("->"), Just("use"), Just("std"), Just("::"),
    ], 0..60)) {
        assert_well_formed(&words.join(" "));
    }
}
