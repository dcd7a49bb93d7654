//! Pass file tests: every `tests/ir/**/*.ir` file is IR text with a header
//! naming the passes to run and, after a `; expect:` line, the IR the passes
//! must produce:
//!
//! ```text
//! ; passes: simplify, dce        (or `; passes: -O2` for a whole level)
//! parties a
//! …input IR…
//! ; expect:
//! …expected IR…
//! ```
//!
//! Expectations are compared after printing both sides in the canonical
//! text form, so comments and spacing in them do not matter. The passes run
//! with the verifier after each one. `VEIL_BLESS=1 cargo test --test
//! ir_passes` rewrites every expectation with what the passes produce now
//! (review the diff before committing it). Files live in one folder per
//! pass (named after it), plus `pipelines/` for whole levels; every
//! registered pass must have at least three.

use std::fs;
use std::path::{Path, PathBuf};

use veil_compiler::ir::text::{parse, print};
use veil_compiler::ir::Module;
use veil_compiler::passes::{pass_names, run_pipeline, OptLevel, Plan};

const EXPECT: &str = "; expect:";
const PASSES: &str = "; passes:";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("ir")
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "ir") {
            out.push(p);
        }
    }
}

fn files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    collect(&root(), &mut out);
    out.sort();
    out
}

/// One file split into its parts.
struct Case {
    plan: Plan,
    /// The text up to and including the `; expect:` line (kept when blessing).
    head: String,
    input: String,
    expected: String,
}

fn split(text: &str) -> Result<Case, String> {
    let mut plan = None;
    let mut head = String::new();
    let mut input = String::new();
    let mut lines = text.lines();
    let mut found = false;
    for line in lines.by_ref() {
        head.push_str(line);
        head.push('\n');
        let t = line.trim();
        if t == EXPECT {
            found = true;
            break;
        }
        if let Some(list) = t.strip_prefix(PASSES) {
            let names: Vec<String> = list
                .split([',', ' '])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            plan = Some(match names.as_slice() {
                [one] if one.starts_with("-O") => Plan::level(one.parse::<OptLevel>()?),
                _ => Plan::passes(names),
            });
        }
        input.push_str(line);
        input.push('\n');
    }
    if !found {
        return Err(format!("no `{EXPECT}` line"));
    }
    let mut plan = plan.ok_or_else(|| format!("no `{PASSES}` line"))?;
    plan.verify_each = true;
    let expected: String = lines.map(|l| format!("{l}\n")).collect();
    Ok(Case {
        plan,
        head,
        input,
        expected,
    })
}

fn run(case: &Case) -> Result<Module, String> {
    let mut m = parse(&case.input).map_err(|e| format!("input: {e}"))?;
    run_pipeline(&mut m, &case.plan, &mut |_, _| {}).map_err(|e| e.to_string())?;
    Ok(m)
}

fn diff(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let mut out = String::new();
    for i in 0..w.len().max(g.len()) {
        match (w.get(i), g.get(i)) {
            (Some(a), Some(b)) if a == b => out.push_str(&format!("   {a}\n")),
            (a, b) => {
                if let Some(a) = a {
                    out.push_str(&format!(" - {a}\n"));
                }
                if let Some(b) = b {
                    out.push_str(&format!(" + {b}\n"));
                }
            }
        }
    }
    out
}

#[test]
fn ir_file_tests() {
    let bless = std::env::var_os("VEIL_BLESS").is_some_and(|v| v == "1");
    let files = files();
    assert!(!files.is_empty(), "no .ir files under {}", root().display());
    let mut failures = Vec::new();
    for path in &files {
        let name = path
            .strip_prefix(root())
            .unwrap_or(path)
            .display()
            .to_string();
        let text = fs::read_to_string(path).unwrap();
        let case = match split(&text) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let got = match run(&case) {
            Ok(m) => print(&m),
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        if bless {
            fs::write(path, format!("{}{got}", case.head)).unwrap();
            continue;
        }
        let want = match parse(&case.expected) {
            Ok(m) => print(&m),
            Err(e) => {
                failures.push(format!("{name}: expectation: {e}"));
                continue;
            }
        };
        if want != got {
            failures.push(format!(
                "{name}: output differs (- expected, + got; VEIL_BLESS=1 to accept)\n{}",
                diff(&want, &got)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} IR file tests failed:\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn every_pass_has_file_tests() {
    for name in pass_names() {
        let mut files = Vec::new();
        collect(&root().join(name), &mut files);
        assert!(
            files.len() >= 3,
            "pass `{name}` has {} file tests in tests/ir/{name}/; write at least 3",
            files.len()
        );
        for f in &files {
            let text = fs::read_to_string(f).unwrap();
            assert!(
                text.lines().any(|l| l
                    .trim()
                    .strip_prefix(PASSES)
                    .is_some_and(|p| p.contains(name))),
                "{} is in the folder of `{name}` but does not run it",
                f.display()
            );
        }
    }
}
