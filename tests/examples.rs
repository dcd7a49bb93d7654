//! Every example runs as its header comment says, and gives the same outputs
//! under every backend that can run it as under the reference interpreter.
//!
//! The header of each `examples/*.mpc` holds the exact command to run it
//! (`//   veil run examples/X.mpc --backend B --input … \` continued on the
//! next comment lines) and, after `// prints:`, its exact output, one
//! indented comment line per output line; this test takes both from there,
//! so a new example is covered as soon as it is written.

mod common;

use common::*;

use std::path::Path;

/// The arguments of the `veil run` command in an example's header.
fn header_command(source: &str) -> Option<Vec<String>> {
    let mut text = String::new();
    let mut inside = false;
    for line in source.lines() {
        let Some(comment) = line.strip_prefix("//") else {
            break;
        };
        let comment = comment.trim();
        if comment.starts_with("veil run") {
            inside = true;
        }
        if inside {
            text.push_str(comment.trim_end_matches('\\'));
            text.push(' ');
            if !comment.ends_with('\\') {
                break;
            }
        }
    }
    let words: Vec<String> = text.split_whitespace().map(str::to_string).collect();
    (words.len() > 2).then(|| words[1..].to_vec())
}

/// The output lines listed after `// prints:` in an example's header.
fn header_output(source: &str) -> Option<String> {
    let mut lines = source.lines().map_while(|l| l.strip_prefix("//"));
    lines.find(|c| c.trim() == "prints:")?;
    let out: Vec<&str> = lines
        .map_while(|c| c.strip_prefix("   "))
        .map(str::trim)
        .collect();
    (!out.is_empty()).then(|| out.iter().map(|l| format!("{l}\n")).collect())
}

/// The command with its `--backend` replaced by `backend`.
fn with_backend(args: &[String], backend: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut skip = false;
    for a in args {
        if skip {
            skip = false;
            continue;
        }
        if a == "--backend" {
            skip = true;
            continue;
        }
        out.push(a.clone());
    }
    out.push("--backend".into());
    out.push(backend.into());
    out
}

#[test]
fn every_example_gives_the_same_outputs_under_every_backend_that_runs_it() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("examples") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "mpc") {
            continue;
        }
        let source = std::fs::read_to_string(&path).expect("example");
        let args = header_command(&source)
            .unwrap_or_else(|| panic!("{}: no `veil run` command in the header", path.display()));
        let reference = veil(&with_backend(&args, "interp"));
        assert!(
            reference.status.success(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&reference.stderr)
        );
        let expected = header_output(&source)
            .unwrap_or_else(|| panic!("{}: no `// prints:` block in the header", path.display()));
        assert_eq!(
            String::from_utf8_lossy(&reference.stdout),
            expected,
            "{}: the interpreter's output differs from the header's",
            path.display()
        );
        let parties = source.lines().filter(|l| l.starts_with("party ")).count();
        let mut backends = vec!["clear", "gmw", "arith"];
        if parties <= 3 {
            backends.push("rep3");
        }
        if parties <= 2 {
            backends.push("gc");
        }
        for backend in backends {
            let o = veil(&with_backend(&args, backend));
            assert!(
                o.status.success(),
                "{} under {backend}: {}",
                path.display(),
                String::from_utf8_lossy(&o.stderr)
            );
            assert_eq!(
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&reference.stdout),
                "{} under {backend}",
                path.display()
            );
        }
        // The header's own command (whatever backend it names) works as written.
        let own = veil(&args);
        assert!(
            own.status.success(),
            "{}: the header command fails",
            path.display()
        );
        checked += 1;
    }
    assert!(checked >= 4, "only {checked} examples");
}
