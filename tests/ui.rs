//! UI tests: every program in `tests/ui/` reports exactly the diagnostics
//! written on its lines as `//~ ERROR CODE` or `//~ WARN CODE`.
//!
//! All errors must be annotated; warnings are compared only for the codes a
//! file annotates (so an unrelated "unused variable" does not fail a test).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use veil_compiler::diagnostic::Severity;
use veil_compiler::driver;

fn ui_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui")
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// `(file, line, severity, code)` for each annotation in `text`.
fn annotations(file: &str, text: &str) -> Vec<(String, usize, Severity, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some((_, rest)) = line.split_once("//~") else {
            continue;
        };
        let mut words = rest.split_whitespace();
        let severity = match words.next() {
            Some("ERROR") => Severity::Error,
            Some("WARN") => Severity::Warning,
            other => panic!("{file}:{}: bad annotation kind {other:?}", i + 1),
        };
        for code in words {
            out.push((file.to_string(), i + 1, severity, code.to_string()));
        }
    }
    out
}

#[test]
fn every_ui_program_reports_exactly_its_annotations() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(ui_dir())
        .expect("tests/ui exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "mpc"))
        .collect();
    files.sort();
    assert!(files.len() >= 30, "expected the full set of UI programs");
    let mut failures = Vec::new();
    let mut covered = BTreeSet::new();
    for path in &files {
        let c = driver::check_file(path).expect("readable");
        let mut expected = BTreeSet::new();
        for (_, f) in c.sources.files() {
            if f.path.starts_with(ui_dir()) {
                expected.extend(annotations(&f.path.display().to_string(), &f.text));
            }
        }
        let warned: BTreeSet<String> = expected
            .iter()
            .filter(|(_, _, s, _)| *s == Severity::Warning)
            .map(|(_, _, _, c)| c.clone())
            .collect();
        let actual: BTreeSet<_> = c
            .diagnostics
            .iter()
            .filter(|d| d.is_error() || warned.contains(d.code))
            .map(|d| {
                let f = c.sources.get(d.primary.span.file);
                (
                    f.path.display().to_string(),
                    line_of(&f.text, d.primary.span.start as usize),
                    d.severity,
                    d.code.to_string(),
                )
            })
            .collect();
        covered.extend(expected.iter().map(|(_, _, _, c)| c.clone()));
        if expected != actual {
            let shown: Vec<String> = c.diagnostics.iter().map(|d| format!("  {d}")).collect();
            failures.push(format!(
                "{}:\n expected {expected:?}\n actual   {actual:?}\n all diagnostics:\n{}",
                path.display(),
                shown.join("\n")
            ));
        }
        if c.has_errors() {
            assert!(
                c.program.is_none(),
                "{}: a program with errors must not be returned",
                path.display()
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // Every code has a program that triggers it, and every code is documented.
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/language.md"))
            .expect("docs/language.md exists");
    let codes = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("compiler/src/sema/codes.rs"),
    )
    .expect("codes.rs exists");
    for declared in codes
        .split('"')
        .filter(|w| w.len() == 5 && (w.starts_with('E') || w.starts_with('W')))
    {
        assert!(
            covered.contains(declared),
            "no UI program triggers {declared}"
        );
    }
    for code in &covered {
        assert!(
            docs.contains(code.as_str()),
            "{code} is not documented in docs/language.md"
        );
    }
}
