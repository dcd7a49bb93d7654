//! Program tests: every `tests/run/NAME.mpc` runs with the inputs of each
//! case in `NAME.toml`, under each listed backend, through the `veil`
//! command, and must print exactly the expected output.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Spec {
    backends: Vec<String>,
    #[serde(rename = "case")]
    cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
struct Case {
    #[serde(default)]
    name: String,
    inputs: Vec<String>,
    output: String,
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_run_program_prints_its_expected_outputs() {
    let mut programs: Vec<PathBuf> = std::fs::read_dir(root().join("tests/run"))
        .expect("tests/run exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "mpc"))
        .collect();
    programs.sort();
    assert!(!programs.is_empty());
    let mut failures = Vec::new();
    let mut ran = 0;
    for program in &programs {
        let spec_path = program.with_extension("toml");
        let text = std::fs::read_to_string(&spec_path)
            .unwrap_or_else(|e| panic!("{}: {e}", spec_path.display()));
        let spec: Spec =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", spec_path.display()));
        for backend in &spec.backends {
            for case in &spec.cases {
                let mut cmd = Command::new(env!("CARGO_BIN_EXE_veil"));
                cmd.current_dir(root())
                    .arg("run")
                    .arg(program)
                    .args(["--backend", backend]);
                for i in &case.inputs {
                    cmd.args(["--input", i]);
                }
                let out = cmd.output().expect("veil runs");
                ran += 1;
                let stdout = String::from_utf8_lossy(&out.stdout);
                if !out.status.success() || stdout.trim() != case.output.trim() {
                    failures.push(format!(
                        "{} [{}] under {backend}: exit {:?}\n--- expected\n{}\n--- got\n{}\n--- stderr\n{}",
                        program.display(),
                        case.name,
                        out.status.code(),
                        case.output.trim(),
                        stdout.trim(),
                        String::from_utf8_lossy(&out.stderr)
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(ran >= programs.len());
}
