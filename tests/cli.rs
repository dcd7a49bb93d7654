//! End-to-end tests of the `veil` command: outputs, exit codes, rendered
//! diagnostics, and robustness against hostile input.

mod common;

use common::*;

use std::path::Path;

#[test]
fn millionaires_prints_what_the_language_reference_says() {
    let o = veil(&[
        "run",
        "examples/millionaires.mpc",
        "--backend",
        "interp",
        "--input",
        "alice.a=10",
        "--input",
        "bob.b=7",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "alice: richer = true\nalice: gap = 3\nbob: richer = true\n"
    );
}

#[test]
fn json_and_hex_output() {
    let o = veil(&[
        "run",
        "examples/millionaires.mpc",
        "--backend",
        "interp",
        "--input",
        "alice.a=10",
        "--input",
        "bob.b=7",
        "--json",
    ]);
    assert_eq!(
        stdout(&o),
        "{\"alice\": {\"richer\": true, \"gap\": 3}, \"bob\": {\"richer\": true}}\n"
    );
    let o = veil(&[
        "run",
        "examples/millionaires.mpc",
        "--backend",
        "interp",
        "--input",
        "alice.a=10",
        "--input",
        "bob.b=7",
        "--hex",
    ]);
    assert_eq!(
        stdout(&o),
        "alice: richer = true\nalice: gap = 0x0000000000000003\nbob: richer = true\n"
    );
}

#[test]
fn every_example_checks_clean() {
    let mut n = 0;
    for entry in
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")).expect("examples")
    {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "mpc") {
            let o = veil(&["check", path.to_str().expect("utf-8 path")]);
            assert!(o.status.success(), "{}: {}", path.display(), stderr(&o));
            assert!(stdout(&o).starts_with("ok: "), "{}", stdout(&o));
            n += 1;
        }
    }
    assert!(n >= 4);
}

/// Each example states its exact command and output in its header comment;
/// run that command and compare.
#[test]
fn every_example_runs_as_its_header_says() {
    let examples = [
        (
            "examples/threshold_sum.mpc",
            vec!["alice.x=120", "bob.y=300", "carol.z=95", "carol.cap=500"],
            "alice: over = true\nbob: over = true\ncarol: over = true\ncarol: total = 515\n",
        ),
        (
            "examples/table_lookup.mpc",
            vec!["alice.item=3", "bob.prices=@examples/data/prices.csv:price"],
            "alice: price = 1250\n",
        ),
        (
            "examples/array_max.mpc",
            vec!["alice.xs=@examples/data/alice_bids.csv", "bob.ys=@examples/data/bob_bids.csv"],
            "alice: highest = 77\nalice: from_bob = true\nbob: highest = 77\nbob: from_bob = true\n",
        ),
    ];
    for (file, inputs, expected) in examples {
        let mut args = vec!["run", file, "--backend", "interp"];
        for i in &inputs {
            args.push("--input");
            args.push(i);
        }
        let o = veil(&args);
        assert!(o.status.success(), "{file}: {}", stderr(&o));
        assert_eq!(stdout(&o), expected, "{file}");
    }
}

#[test]
fn exit_codes() {
    // A program that breaks a rule: 1.
    let o = veil(&["check", "tests/ui/e0031_implicit_flow.mpc"]);
    assert_eq!(o.status.code(), Some(1));
    // Bad usage: 2.
    assert_eq!(veil(&["run"]).status.code(), Some(2));
    assert_eq!(
        veil(&["run", "examples/millionaires.mpc", "--backend", "nonsense"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(veil(&["check", "README.md"]).status.code(), Some(2));
    // A missing file is a wrong input: 1.
    assert_eq!(veil(&["check", "no/such/file.mpc"]).status.code(), Some(1));
}

#[test]
fn input_mistakes_are_explained() {
    let run = |inputs: &[&str]| {
        let mut args = vec!["run", "examples/millionaires.mpc", "--backend", "interp"];
        for i in inputs {
            args.push("--input");
            args.push(i);
        }
        veil(&args)
    };
    let cases: [(&[&str], &str); 6] = [
        (&["carol.a=1", "bob.b=2"], "E0050"),
        (&["alice.z=1", "bob.b=2"], "E0051"),
        (&["alice.a=1"], "E0052"),
        (&["alice.a=-1", "bob.b=2"], "E0053"),
        (&["alice.a=1", "alice.a=2", "bob.b=2"], "E0054"),
        (&["alice.a", "bob.b=2"], "E0055"),
    ];
    for (inputs, code) in cases {
        let o = run(inputs);
        assert_eq!(o.status.code(), Some(1), "{inputs:?}");
        assert!(stderr(&o).contains(code), "{inputs:?}: {}", stderr(&o));
    }
    let o = run(&["alice.a=@no/such.csv", "bob.b=2"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("E0056"), "{}", stderr(&o));
}

#[test]
fn rendered_diagnostics() {
    for name in [
        "e0031_implicit_flow",
        "e0030_secret_to_public",
        "e0021_width_mismatch",
        "e0001_syntax",
    ] {
        let o = veil(&["check", &format!("tests/ui/{name}.mpc")]);
        insta::assert_snapshot!(name, stderr(&o));
    }
}

#[test]
fn garbage_never_panics() {
    let dir = std::env::temp_dir().join(format!("veil-cli-garbage-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let inputs: [&[u8]; 5] = [
        b"\xff\xfe\x00\x01garbage",
        b"fn main( {{{{ ]]]] party party ;;;",
        b"party a; party b; fn main(x: u8 from a) { output o = reveal(x",
        b"/* /* */",
        b"",
    ];
    for (i, bytes) in inputs.iter().enumerate() {
        let path = dir.join(format!("g{i}.mpc"));
        std::fs::write(&path, bytes).expect("write");
        let o = veil(&["check", path.to_str().expect("utf-8")]);
        assert_eq!(o.status.code(), Some(1), "input {i}: {}", stderr(&o));
    }
}

fn shared_circuits() -> Option<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/circuits");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: ../shared/circuits is absent");
        None
    }
}

#[test]
fn compile_then_run_the_circuit_file() {
    let dir = std::env::temp_dir().join(format!("veil-cli-compile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let out = dir.join("m.vc");
    let o = veil(&[
        "compile",
        "examples/millionaires.mpc",
        "-o",
        out.to_str().expect("utf-8"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    for file in ["examples/millionaires.mpc", out.to_str().expect("utf-8")] {
        let o = veil(&[
            "run",
            file,
            "--backend",
            "clear",
            "--input",
            "alice.a=10",
            "--input",
            "bob.b=7",
        ]);
        assert!(o.status.success(), "{file}: {}", stderr(&o));
        assert_eq!(
            stdout(&o),
            "alice: richer = true\nalice: gap = 3\nbob: richer = true\n",
            "{file}"
        );
    }
    // A truncated circuit file is explained, not a crash.
    let bytes = std::fs::read(&out).expect("read .vc");
    let cut = dir.join("cut.vc");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
    let o = veil(&[
        "run",
        cut.to_str().expect("utf-8"),
        "--backend",
        "clear",
        "--input",
        "alice.a=1",
        "--input",
        "bob.b=2",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("cut.vc"), "{}", stderr(&o));
    // Every emitted form is produced; the text form and Bristol read back.
    for emit in ["text", "bristol", "ir", "stats", "dot"] {
        let o = veil(&["compile", "examples/millionaires.mpc", "--emit", emit]);
        assert!(o.status.success(), "--emit {emit}: {}", stderr(&o));
        assert!(!o.stdout.is_empty(), "--emit {emit} printed nothing");
    }
    let text = dir.join("m.txt");
    let o = veil(&[
        "compile",
        "examples/millionaires.mpc",
        "--emit",
        "text",
        "-o",
        text.to_str().expect("utf-8"),
    ]);
    assert!(o.status.success());
    let o = veil(&[
        "run",
        text.to_str().expect("utf-8"),
        "--backend",
        "clear",
        "--input",
        "alice.a=3",
        "--input",
        "bob.b=7",
    ]);
    assert_eq!(
        stdout(&o),
        "alice: richer = false\nalice: gap = 18446744073709551612\nbob: richer = false\n"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn stats_json_has_exactly_the_documented_keys() {
    let o = veil(&["stats", "tests/circuits/programs/add32.mpc", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    let keys: Vec<&str> = v
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    let mut keys = keys;
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "and",
            "and_depth",
            "gates",
            "inputs",
            "not",
            "outputs",
            "peak_live_wires",
            "wires",
            "xor"
        ]
    );
    assert_eq!(v["and"], 31);
    let o = veil(&[
        "stats",
        "tests/circuits/programs/mul32.mpc",
        "--target",
        "mixed",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    for key in ["add", "mul", "conversions"] {
        assert!(v.get(key).is_some(), "arithmetic stats lack `{key}`: {v}");
    }
}

#[test]
fn compile_options_are_checked() {
    let o = veil(&[
        "compile",
        "examples/millionaires.mpc",
        "--emit",
        "ir",
        "--passes",
        "no-such-pass",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("no-such-pass"));
    let o = veil(&[
        "compile",
        "examples/millionaires.mpc",
        "--emit",
        "ir",
        "--target",
        "arith",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("mixed"), "{}", stderr(&o));
    let o = veil(&[
        "compile",
        "examples/millionaires.mpc",
        "--emit",
        "ir",
        "-O0",
        "--dump-after",
        "all",
        "--passes",
        "dce",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains(";; IR after dce"), "{}", stderr(&o));
}

#[test]
fn bristol_circuits_run_under_clear() {
    let Some(dir) = shared_circuits() else { return };
    let adder = dir.join("bristol-fashion/adder64.txt");
    let o = veil(&[
        "run",
        adder.to_str().expect("utf-8"),
        "--backend",
        "clear",
        "--input",
        "0=5",
        "--input",
        "1=7",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "{\"p0\": {\"0\": 12}, \"p1\": {\"0\": 12}}\n");
    // --owner renames the party of an input value; --format bristol reads any file name.
    let copy = std::env::temp_dir().join(format!("veil-adder-{}.circuit", std::process::id()));
    std::fs::copy(&adder, &copy).expect("copy");
    let o = veil(&[
        "run",
        copy.to_str().expect("utf-8"),
        "--format",
        "bristol",
        "--owner",
        "1=alice",
        "--backend",
        "clear",
        "--input",
        "0=5",
        "--input",
        "alice.1=7",
        "--json",
    ]);
    let _ = std::fs::remove_file(&copy);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "{\"p0\": {\"0\": 12}, \"alice\": {\"0\": 12}}\n"
    );
    let o = veil(&[
        "run",
        adder.to_str().expect("utf-8"),
        "--owner",
        "one=alice",
        "--backend",
        "clear",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = veil(&["stats", adder.to_str().expect("utf-8"), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_eq!(v["and"], 63);
    // Every known-answer vector, through the command exactly as CLI.md
    // specifies it, under the reference and under every protocol.
    let tool = dir.join("../tools/bristol-vectors");
    let runs: [&[&str]; 4] = [
        &["--backend", "clear"],
        &["--backend", "gc"],
        &["--backend", "gmw"],
        &[
            "--backend",
            "gmw",
            "--",
            "--parties",
            "3",
            "--preprocessing",
            "dealer",
        ],
    ];
    for args in runs {
        let backend = args.join(" ");
        let o = std::process::Command::new("python3")
            .arg(&tool)
            .args(["--veil", env!("CARGO_BIN_EXE_veil")])
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output();
        match o {
            Ok(o) => {
                let out = stdout(&o);
                assert!(o.status.success(), "{backend}: {out}{}", stderr(&o));
                assert!(out.contains(" passed, 0 failed"), "{backend}: {out}");
            }
            Err(e) => eprintln!("skipping the vector script: python3 is not available ({e})"),
        }
    }
}

/// Programs that check but cannot be unrolled into a circuit: `veil check`
/// accepts them, `veil compile` explains why not, with the code and exit 1.
#[test]
fn compile_failures_are_explained() {
    for (file, code) in [
        ("tests/compile_fail/e0061_recursion_on_input.mpc", "E0061"),
        ("tests/compile_fail/e0062_return_under_input.mpc", "E0062"),
        ("tests/compile_fail/e0063_too_many_iterations.mpc", "E0063"),
    ] {
        assert!(
            veil(&["check", file]).status.success(),
            "{file} should check"
        );
        let o = veil(&["compile", file, "--emit", "stats"]);
        assert_eq!(o.status.code(), Some(1), "{file}: {}", stderr(&o));
        assert!(stderr(&o).contains(code), "{file}: {}", stderr(&o));
    }
    // The interpreter stops at the same limit.
    let o = veil(&[
        "run",
        "tests/compile_fail/e0063_too_many_iterations.mpc",
        "--backend",
        "interp",
        "--input",
        "a.x=1",
        "--input",
        "b.y=2",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("E0063"), "{}", stderr(&o));
}
