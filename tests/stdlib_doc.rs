//! `docs/stdlib.md` lists every standard-library function with its cost in
//! AND gates and AND-depth at typical sizes. The table is generated here from
//! the compiler (the same numbers `veil stats` prints), never typed by hand:
//! this test fails when the document and the compiler disagree, and
//! `VEIL_BLESS=1 cargo test --release --test stdlib_doc` rewrites the table.

use std::path::Path;

use veil_circuit::Stats;
use veil_compiler::driver::{check_source, compile_program, CompileOptions};

/// One row: the function as users call it, the size it is measured at, and
/// the body of a two-party program (`a` gives the arguments, `b` learns the
/// result) that calls it once.
struct Row {
    call: &'static str,
    size: &'static str,
    program: &'static str,
}

const ROWS: &[Row] = &[
    Row {
        call: "cmp::clamp(x, lo, hi)",
        size: "u32",
        program: "use std::cmp;\nfn main(x: u32 from a, lo: u32 from a, hi: u32 from a) { output r = reveal(cmp::clamp(x, lo, hi)) to b; }",
    },
    Row {
        call: "cmp::min_of(xs)",
        size: "32 × u32",
        program: "use std::cmp;\nfn main(xs: [u32; 32] from a) { output r = reveal(cmp::min_of(xs)) to b; }",
    },
    Row {
        call: "cmp::max_of(xs)",
        size: "32 × u32",
        program: "use std::cmp;\nfn main(xs: [u32; 32] from a) { output r = reveal(cmp::max_of(xs)) to b; }",
    },
    Row {
        call: "cmp::argmin(xs)",
        size: "32 × u32",
        program: "use std::cmp;\nfn main(xs: [u32; 32] from a) { output r = reveal(cmp::argmin(xs)) to b; }",
    },
    Row {
        call: "cmp::argmax(xs)",
        size: "32 × u32",
        program: "use std::cmp;\nfn main(xs: [u32; 32] from a) { output r = reveal(cmp::argmax(xs)) to b; }",
    },
    Row {
        call: "crypto::aes128(key, block)",
        size: "16 + 16 bytes",
        program: "use std::crypto;\nfn main(k: [u8; 16] from a, m: [u8; 16] from a) { output r = reveal(crypto::aes128(k, m)) to b; }",
    },
    Row {
        call: "crypto::sha256_compress(state, block)",
        size: "8 + 16 words",
        program: "use std::crypto;\nfn main(h: [u32; 8] from a, w: [u32; 16] from a) { output r = reveal(crypto::sha256_compress(h, w)) to b; }",
    },
    Row {
        call: "crypto::sbox(x)",
        size: "u8",
        program: "use std::crypto;\nfn main(x: u8 from a) { output r = reveal(crypto::sbox(x)) to b; }",
    },
    Row {
        call: "sort::sort(xs)",
        size: "32 × u32",
        program: "use std::sort;\nfn main(xs: [u32; 32] from a) { output r = reveal(sort::sort(xs)) to b; }",
    },
    Row {
        call: "sort::sort(xs)",
        size: "64 × u32",
        program: "use std::sort;\nfn main(xs: [u32; 64] from a) { output r = reveal(sort::sort(xs)) to b; }",
    },
    Row {
        call: "sort::sort_desc(xs)",
        size: "32 × u32",
        program: "use std::sort;\nfn main(xs: [u32; 32] from a) { output r = reveal(sort::sort_desc(xs)) to b; }",
    },
    Row {
        call: "sort::sort_by_key(keys, payload)",
        size: "32 × (u32, u32)",
        program: "use std::sort;\nfn main(k: [u32; 32] from a, p: [u32; 32] from a) { output r = reveal(sort::sort_by_key(k, p)) to b; }",
    },
    Row {
        call: "stats::sum(xs)",
        size: "32 × u32",
        program: "use std::stats;\nfn main(xs: [u32; 32] from a) { output r = reveal(stats::sum(xs)) to b; }",
    },
    Row {
        call: "stats::mean(xs)",
        size: "24 × u32",
        program: "use std::stats;\nfn main(xs: [u32; 24] from a) { output r = reveal(stats::mean(xs)) to b; }",
    },
    Row {
        call: "stats::mean_fixed(xs, 16)",
        size: "24 × u32",
        program: "use std::stats;\nfn main(xs: [u32; 24] from a) { output r = reveal(stats::mean_fixed(xs, 16)) to b; }",
    },
    Row {
        call: "stats::variance(xs)",
        size: "24 × u32",
        program: "use std::stats;\nfn main(xs: [u32; 24] from a) { output r = reveal(stats::variance(xs)) to b; }",
    },
    Row {
        call: "stats::median(xs)",
        size: "24 × u32",
        program: "use std::stats;\nfn main(xs: [u32; 24] from a) { output r = reveal(stats::median(xs)) to b; }",
    },
    Row {
        call: "stats::percentile(xs, 90)",
        size: "24 × u32",
        program: "use std::stats;\nfn main(xs: [u32; 24] from a) { output r = reveal(stats::percentile(xs, 90)) to b; }",
    },
    Row {
        call: "stats::histogram(xs, bounds)",
        size: "32 × u32, 4 public bounds",
        program: "use std::stats;\nfn main(xs: [u32; 32] from a) { output r = reveal(stats::histogram(xs, [0, 100, 200, 300])) to b; }",
    },
    Row {
        call: "stats::count_above(xs, t)",
        size: "32 × u32, secret t",
        program: "use std::stats;\nfn main(xs: [u32; 32] from a, t: u32 from a) { output r = reveal(stats::count_above(xs, t)) to b; }",
    },
    Row {
        call: "cmp::min_of_u64(xs)",
        size: "32 × u64",
        program: "use std::cmp;\nfn main(xs: [u64; 32] from a) { output r = reveal(cmp::min_of_u64(xs)) to b; }",
    },
    Row {
        call: "cmp::argmax_i32(xs)",
        size: "32 × i32",
        program: "use std::cmp;\nfn main(xs: [i32; 32] from a) { output r = reveal(cmp::argmax_i32(xs)) to b; }",
    },
    Row {
        call: "cmp::hamming(a, b)",
        size: "2 × u64",
        program: "use std::cmp;\nfn main(x: [u64; 2] from a, y: [u64; 2] from a) { output r = reveal(cmp::hamming(x, y)) to b; }",
    },
    Row {
        call: "set::intersection_size(a, b)",
        size: "64 × 64",
        program: "use std::set;\nfn main(x: [u32; 64] from a, y: [u32; 64] from a) { output r = reveal(set::intersection_size(x, y)) to b; }",
    },
    Row {
        call: "set::intersection_size_sorting(a, b)",
        size: "64 × 64",
        program: "use std::set;\nfn main(x: [u32; 64] from a, y: [u32; 64] from a) { output r = reveal(set::intersection_size_sorting(x, y)) to b; }",
    },
    Row {
        call: "set::contains_each(a, b)",
        size: "16 × 16",
        program: "use std::set;\nfn main(x: [u32; 16] from a, y: [u32; 16] from a) { output r = reveal(set::contains_each(x, y)) to b; }",
    },
    Row {
        call: "set::match_matrix(a, b)",
        size: "16 × 16",
        program: "use std::set;\nfn main(x: [u32; 16] from a, y: [u32; 16] from a) { output r = reveal(set::match_matrix(x, y)) to b; }",
    },
    Row {
        call: "fixed::add(a, b)",
        size: "Q47.16",
        program: "use std::fixed;\nfn main(x: i64 from a, y: i64 from a) { output r = reveal(fixed::add(x, y)) to b; }",
    },
    Row {
        call: "fixed::mul(a, b)",
        size: "Q47.16",
        program: "use std::fixed;\nfn main(x: i64 from a, y: i64 from a) { output r = reveal(fixed::mul(x, y)) to b; }",
    },
    Row {
        call: "fixed::div(a, b)",
        size: "Q47.16",
        program: "use std::fixed;\nfn main(x: i64 from a, y: i64 from a) { output r = reveal(fixed::div(x, y)) to b; }",
    },
    Row {
        call: "fixed::lt(a, b)",
        size: "Q47.16",
        program: "use std::fixed;\nfn main(x: i64 from a, y: i64 from a) { output r = reveal(fixed::lt(x, y)) to b; }",
    },
    Row {
        call: "fixed::round(x)",
        size: "Q47.16",
        program: "use std::fixed;\nfn main(x: i64 from a) { output r = reveal(fixed::round(x)) to b; }",
    },
];

const BEGIN: &str = "<!-- begin generated costs: tests/stdlib_doc.rs -->";
const END: &str = "<!-- end generated costs -->";

/// (AND gates, AND-depth) of a row's program, compiled as `veil stats` does.
fn cost(row: &Row) -> (u64, u64) {
    let text = format!("party a;\nparty b;\n{}\n", row.program);
    let checked = check_source(Path::new("stdlib_doc.mpc"), text);
    let program = checked
        .program
        .unwrap_or_else(|| panic!("`{}` does not check: {:?}", row.call, checked.diagnostics));
    let compiled = compile_program(&program, &CompileOptions::default())
        .unwrap_or_else(|e| panic!("`{}` does not compile: {e}", row.call));
    let s = Stats::of(&compiled.circuit);
    (s.and, s.and_depth)
}

fn table() -> String {
    let mut t = String::from("| call | size | AND gates | AND-depth |\n|---|---|---:|---:|\n");
    for row in ROWS {
        let (and, depth) = cost(row);
        t.push_str(&format!(
            "| `{}` | {} | {and} | {depth} |\n",
            row.call, row.size
        ));
    }
    t
}

#[test]
fn the_cost_table_in_docs_stdlib_md_is_what_the_compiler_produces() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/stdlib.md");
    let doc = std::fs::read_to_string(&path).expect("docs/stdlib.md exists");
    let (Some(b), Some(e)) = (doc.find(BEGIN), doc.find(END)) else {
        panic!("docs/stdlib.md has no generated section ({BEGIN} … {END})");
    };
    let fresh = format!("{}{BEGIN}\n{}{}", &doc[..b], table(), &doc[e..]);
    if std::env::var_os("VEIL_BLESS").is_some() {
        std::fs::write(&path, &fresh).expect("write docs/stdlib.md");
        return;
    }
    assert!(
        doc == fresh,
        "docs/stdlib.md's cost table is out of date: run `VEIL_BLESS=1 cargo test --release --test stdlib_doc`"
    );
}
