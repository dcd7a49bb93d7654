//! End-to-end tests of `veil run --backend gc` and `veil bench`: outputs to
//! the right parties, cost reports, circuit files, and clear errors with the
//! exit codes of CLI.md for everything a user can get wrong.

mod common;

use common::*;

use std::path::{Path, PathBuf};

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("veil-cli-gc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

fn shared(path: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/circuits")
        .join(path);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: ../shared/circuits is absent");
        None
    }
}

const MILLIONAIRES: [&str; 6] = [
    "run",
    "examples/millionaires.mpc",
    "--input",
    "alice.a=10",
    "--input",
    "bob.b=7",
];

#[test]
fn millionaires_under_gc_delivers_each_output_to_its_recipients() {
    let mut args = MILLIONAIRES.to_vec();
    args.extend(["--backend", "gc"]);
    let o = veil(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "alice: richer = true\nalice: gap = 3\nbob: richer = true\n"
    );
    args.push("--json");
    let o = veil(&args);
    assert_eq!(
        stdout(&o),
        "{\"alice\": {\"richer\": true, \"gap\": 3}, \"bob\": {\"richer\": true}}\n"
    );
}

#[test]
fn stats_report_the_cost_per_party_on_stderr() {
    let mut args = MILLIONAIRES.to_vec();
    args.extend(["--backend", "gc", "--stats"]);
    let o = veil(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("backend gc"), "{err}");
    assert!(err.contains("AND gates"), "{err}");
    for party in ["alice", "bob"] {
        let line = err
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{party}:")))
            .unwrap_or_else(|| panic!("no line for {party} in {err}"));
        assert!(line.contains("bytes") && line.contains("rounds"), "{line}");
    }
    assert!(err.contains("garble") && err.contains("evaluate"), "{err}");
    // Outputs stay alone on stdout.
    assert_eq!(
        stdout(&o),
        "alice: richer = true\nalice: gap = 3\nbob: richer = true\n"
    );

    args.push("--json");
    let o = veil(&args);
    let v: serde_json::Value =
        serde_json::from_str(&stderr(&o)).expect("stats are one JSON object");
    assert_eq!(v["backend"], "gc");
    assert!(v["and"].as_u64().expect("and") > 0);
    let alice = &v["parties"]["alice"];
    assert!(alice["bytes_sent"].as_u64().expect("bytes") > 32 * v["and"].as_u64().expect("and"));
    assert!(alice["rounds"].as_u64().is_some());
    assert!(alice["phases_ms"]["garble"].as_f64().is_some());
    assert!(v["parties"]["bob"]["phases_ms"]["evaluate"]
        .as_f64()
        .is_some());
    let _: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("outputs are JSON");

    // With `--parallel 3`, the AND gates of all three instances are counted.
    let one = v["and"].as_u64().expect("and");
    args.extend(["--parallel", "3"]);
    let o = veil(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stderr(&o)).expect("JSON stats");
    assert_eq!(v["and"].as_u64(), Some(3 * one));
}

#[test]
fn bench_reports_the_documented_keys() {
    let o = veil(&[
        "bench",
        "examples/millionaires.mpc",
        "--backend",
        "gc",
        "--repeat",
        "3",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("one JSON object");
    for key in [
        "and_per_s",
        "garble_and_per_s",
        "eval_and_per_s",
        "bytes_per_and",
    ] {
        assert!(v[key].as_f64().expect(key) > 0.0, "{key}: {v}");
    }
    assert!(v["rounds"].as_u64().is_some());
    // 32 bytes per AND for the tables, plus OT and input labels on a small circuit.
    assert!(v["bytes_per_and"].as_f64().expect("bytes") >= 32.0);
    let o = veil(&[
        "bench",
        "examples/millionaires.mpc",
        "--backend",
        "gc",
        "--repeat",
        "2",
    ]);
    assert!(stdout(&o).contains("and_per_s"), "{}", stdout(&o));
    // interp has no circuit to measure: usage error.
    let o = veil(&["bench", "examples/millionaires.mpc", "--backend", "interp"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn compiled_vc_circuits_run_under_gc() {
    let vc = temp("millionaires.vc");
    let o = veil(&[
        "compile",
        "examples/millionaires.mpc",
        "-o",
        vc.to_str().expect("utf-8"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = veil(&[
        "run",
        vc.to_str().expect("utf-8"),
        "--backend",
        "gc",
        "--input",
        "alice.a=3",
        "--input",
        "bob.b=9",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "alice: richer = false\nalice: gap = 18446744073709551610\nbob: richer = false\n"
    );
}

#[test]
fn bristol_aes_under_gc_gives_the_fips_answer() {
    let Some(aes) = shared("bristol-fashion/aes_128.txt") else {
        return;
    };
    // FIPS-197 C.1 with the Bristol Fashion circuit's little-endian bit order
    // (the vector of shared/circuits/vectors.json).
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/circuits/vectors.json"),
    )
    .expect("vectors");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let vector = &v["circuits"]["bristol-fashion/aes_128.txt"]["vectors"][0];
    let a = format!("0=0x{}", vector["inputs"][0]["hex"].as_str().expect("hex"));
    let b = format!("1=0x{}", vector["inputs"][1]["hex"].as_str().expect("hex"));
    let o = veil(&[
        "run",
        aes.to_str().expect("utf-8"),
        "--backend",
        "gc",
        "--json",
        "--hex",
        "--input",
        &a,
        "--input",
        &b,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let want = vector["outputs"][0]["hex"].as_str().expect("hex");
    for party in ["p0", "p1"] {
        let got = out[party]["0"].as_str().expect("hex output");
        assert_eq!(got.trim_start_matches("0x"), want, "{party}");
    }
}

#[test]
fn one_input_bristol_circuits_run_between_p0_and_an_input_less_p1() {
    let Some(neg) = shared("bristol-fashion/neg64.txt") else {
        return;
    };
    let o = veil(&[
        "run",
        neg.to_str().expect("utf-8"),
        "--backend",
        "gc",
        "--input",
        "0=5",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "p0: 0 = 18446744073709551611\np1: 0 = 18446744073709551611\n"
    );
}

#[test]
fn gc_refuses_what_it_cannot_run_with_exit_code_1() {
    // Three parties.
    let o = veil(&[
        "run",
        "examples/threshold_sum.mpc",
        "--backend",
        "gc",
        "--input",
        "alice.x=1",
        "--input",
        "bob.y=2",
        "--input",
        "carol.z=3",
        "--input",
        "carol.cap=4",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("two parties"), "{}", stderr(&o));
    // An arithmetic circuit.
    let mut args = MILLIONAIRES.to_vec();
    args.extend(["--backend", "gc", "--target", "arith"]);
    let o = veil(&args);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}

#[test]
fn bad_inputs_and_bad_circuit_files_exit_1_without_a_panic() {
    // A value wider than the input.
    let o = veil(&[
        "run",
        "examples/millionaires.mpc",
        "--backend",
        "gc",
        "--input",
        "alice.a=0x1ffffffffffffffff",
        "--input",
        "bob.b=7",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // A missing input.
    let o = veil(&[
        "run",
        "examples/millionaires.mpc",
        "--backend",
        "gc",
        "--input",
        "alice.a=1",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("E0052"), "{}", stderr(&o));
    // A truncated and a corrupted .vc file.
    let vc = temp("cut.vc");
    let o = veil(&[
        "compile",
        "examples/millionaires.mpc",
        "-o",
        vc.to_str().expect("utf-8"),
    ]);
    assert!(o.status.success());
    let bytes = std::fs::read(&vc).expect("vc");
    std::fs::write(&vc, &bytes[..bytes.len() / 2]).expect("write");
    let run_vc = |path: &Path| {
        veil(&[
            "run",
            path.to_str().expect("utf-8"),
            "--backend",
            "gc",
            "--input",
            "alice.a=1",
            "--input",
            "bob.b=2",
        ])
    };
    let o = run_vc(&vc);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let mut corrupt = bytes.clone();
    let mid = corrupt.len() / 2;
    for b in &mut corrupt[mid..mid + 8] {
        *b ^= 0xa5;
    }
    let bad = temp("corrupt.vc");
    std::fs::write(&bad, &corrupt).expect("write");
    let o = run_vc(&bad);
    assert!(
        matches!(o.status.code(), Some(0) | Some(1)),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    // A truncated Bristol file.
    if let Some(aes) = shared("bristol-fashion/aes_128.txt") {
        let text = std::fs::read_to_string(aes).expect("aes");
        let cut = temp("aes_cut.txt");
        std::fs::write(&cut, &text[..text.len() / 3]).expect("write");
        let o = veil(&[
            "run",
            cut.to_str().expect("utf-8"),
            "--format",
            "bristol",
            "--backend",
            "gc",
            "--input",
            "0=1",
            "--input",
            "1=2",
        ]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    }
}

#[test]
fn parallel_instances_equal_separate_runs() {
    let a = temp("a.csv");
    let b = temp("b.csv");
    std::fs::write(&a, "10\n3\n7\n0\n").expect("write");
    std::fs::write(&b, "5\n5\n8\n0\n").expect("write");
    let a_arg = format!("alice.a=@{}", a.display());
    let b_arg = format!("bob.b=@{}", b.display());
    let o = veil(&[
        "run",
        "examples/millionaires.mpc",
        "--backend",
        "gc",
        "--parallel",
        "4",
        "--json",
        "--input",
        &a_arg,
        "--input",
        &b_arg,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let batch: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    for (i, (x, y)) in [(10, 5), (3, 5), (7, 8), (0, 0)].into_iter().enumerate() {
        let (xa, yb) = (format!("alice.a={x}"), format!("bob.b={y}"));
        let single = veil(&[
            "run",
            "examples/millionaires.mpc",
            "--backend",
            "gc",
            "--json",
            "--input",
            &xa,
            "--input",
            &yb,
        ]);
        let single: serde_json::Value = serde_json::from_str(&stdout(&single)).expect("json");
        for (party, outs) in single.as_object().expect("object") {
            for (name, v) in outs.as_object().expect("outputs") {
                assert_eq!(&batch[party][name][i], v, "instance {i}, {party}.{name}");
            }
        }
    }
    // A list of the wrong length is not split: the value does not fit a u64.
    let o = veil(&[
        "run",
        "examples/millionaires.mpc",
        "--backend",
        "gc",
        "--parallel",
        "3",
        "--input",
        &a_arg,
        "--input",
        "bob.b=1",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}
