//! Circuit sizes and compile speed: `cargo bench -p veil-compiler --bench circuits`.
//!
//! Prints, as a Markdown table, the AND gates and AND-depth Veil reaches for
//! the programs of `tests/circuits/programs/` (size- and depth-optimised),
//! beside the best published figures and other compilers' (as given in the
//! issue tracker), then the compile speed on a large program. The output is
//! pasted into `docs/benchmarks.md`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use veil_circuit::Stats;
use veil_compiler::driver::{self, CompileOptions};
use veil_compiler::lower::Optimize;

/// (program, target, best published, MP-SPDZ, Garble)
const TABLE: &[(&str, &str, &str, &str, &str)] = &[
    ("add32", "≤ 31", "31", "94", "94"),
    ("lt32", "≤ 32", "32", "63", "185"),
    ("eq32", "≤ 31, depth ≤ 5", "31", "31", "31 (depth 31)"),
    ("mul32", "≤ 993", "993", "1,124", "3,967"),
    ("divrem32", "≤ 1,100", "1,268 (HyCC)", "—", "2,170"),
    ("hamming160", "≤ 180", "—", "181", "4,403"),
    ("min32", "≤ 64", "64", "—", "—"),
    ("addadd_unused", "≤ 31", "—", "—", "—"),
    ("matmul5", "≤ 127,225", "127,225", "149,900", "241,975"),
];

/// (program, depth-optimised target)
const DEPTH_TABLE: &[(&str, &str)] = &[
    ("add32", "depth ≤ 5, ≤ 159 AND"),
    ("lt32", "depth ≤ 6, ≤ 89 AND"),
    ("mul32", "depth ≤ 13, ≤ 1,118 AND"),
];

fn programs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/circuits/programs")
}

fn compile(path: &Path, optimize: Optimize) -> (Stats, f64) {
    let c = driver::check_file(path).expect("readable program");
    let program = c.program.expect("program checks");
    let opts = CompileOptions {
        optimize,
        ..CompileOptions::default()
    };
    let start = Instant::now();
    let compiled = driver::compile_program(&program, &opts).expect("program compiles");
    let secs = start.elapsed().as_secs_f64();
    (Stats::of(&compiled.circuit), secs)
}

fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn main() {
    println!(
        "| program | Veil AND | AND-depth | Veil must reach | best published | MP-SPDZ | Garble |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (name, target, best, spdz, garble) in TABLE {
        let (s, _) = compile(&programs().join(format!("{name}.mpc")), Optimize::Size);
        println!(
            "| {name} | {} | {} | {target} | {best} | {spdz} | {garble} |",
            s.and, s.and_depth
        );
    }
    println!();
    println!("| program (`--optimize depth`) | Veil AND | AND-depth | target |");
    println!("|---|---|---|---|");
    for (name, target) in DEPTH_TABLE {
        let (s, _) = compile(&programs().join(format!("{name}.mpc")), Optimize::Depth);
        println!("| {name} | {} | {} | {target} |", s.and, s.and_depth);
    }
    // Compile speed on a large program: a 20×20 matrix product of u32 (8,000 multiplications).
    let dir = std::env::temp_dir().join(format!("veil-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let big = dir.join("matmul20.mpc");
    std::fs::write(
        &big,
        "party alice;\nparty bob;\nfn main(a: [[u32; 20]; 20] from alice, b: [[u32; 20]; 20] from bob) {\n    let mut c: [[secret u32; 20]; 20] = [[0; 20]; 20];\n    for i in 0..20 { for j in 0..20 { let mut acc: secret u32 = 0; for k in 0..20 { acc += a[i][k] * b[k][j]; } c[i][j] = acc; } }\n    output c = reveal(c);\n}\n",
    )
    .expect("write program");
    let before = peak_rss_bytes().unwrap_or(0);
    let (s, secs) = compile(&big, Optimize::Size);
    let after = peak_rss_bytes().unwrap_or(0);
    println!();
    println!(
        "compile speed: matmul20 = {} AND in {:.2} s = {:.2} M AND/s; peak memory growth {:.1} bytes per gate",
        s.and,
        secs,
        s.and as f64 / secs / 1e6,
        after.saturating_sub(before) as f64 / s.gates.max(1) as f64
    );
    let _ = std::fs::remove_dir_all(&dir);
}
