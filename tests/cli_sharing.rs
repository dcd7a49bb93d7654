//! End-to-end tests of the secret-sharing backends through the `veil`
//! command: the dealer is never silent, party counts are checked, batches
//! equal separate runs, and bench reports the online and offline rates.

mod common;

use common::*;

const THRESHOLD: [&str; 10] = [
    "run",
    "examples/threshold_sum.mpc",
    "--input",
    "alice.x=120",
    "--input",
    "bob.y=300",
    "--input",
    "carol.z=95",
    "--input",
    "carol.cap=500",
];

const EXPECTED: &str =
    "alice: over = true\nbob: over = true\ncarol: over = true\ncarol: total = 515\n";

#[test]
fn every_sharing_backend_runs_a_three_party_program() {
    for backend in [
        &["--backend", "gmw"][..],
        &["--backend", "gmw", "--preprocessing", "dealer"],
        &["--backend", "gmw", "--parties", "4"],
        &["--backend", "arith"],
        &["--backend", "arith", "--preprocessing", "dealer"],
        &["--backend", "rep3"],
    ] {
        let mut args = THRESHOLD.to_vec();
        args.extend_from_slice(backend);
        let o = veil(&args);
        assert!(o.status.success(), "{backend:?}: {}", stderr(&o));
        assert_eq!(stdout(&o), EXPECTED, "{backend:?}");
    }
}

#[test]
fn the_dealer_is_never_silent() {
    let mut args = THRESHOLD.to_vec();
    args.extend(["--backend", "gmw", "--preprocessing", "dealer"]);
    let o = veil(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("INSECURE"), "{}", stderr(&o));
    let o = veil(&[
        "bench",
        "examples/millionaires.mpc",
        "--backend",
        "arith",
        "--preprocessing",
        "dealer",
        "--repeat",
        "2",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("INSECURE"), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert!(v["preprocessing"]
        .as_str()
        .expect("marked")
        .contains("INSECURE"));
    // The help line says so too.
    let o = veil(&["run", "--help"]);
    assert!(stdout(&o).contains("INSECURE"), "{}", stdout(&o));
    // OT preprocessing prints no warning.
    let mut args = THRESHOLD.to_vec();
    args.extend(["--backend", "gmw"]);
    assert!(!stderr(&veil(&args)).contains("INSECURE"));
}

#[test]
fn the_interpreter_refuses_protocol_options() {
    let mut args = THRESHOLD.to_vec();
    args.extend(["--backend", "interp", "--parallel", "2"]);
    assert_eq!(veil(&args).status.code(), Some(2));
}

#[test]
fn party_counts_a_backend_cannot_run_exit_1() {
    for backend in [
        &["--backend", "rep3", "--parties", "4"][..],
        &["--backend", "gc"],
        &["--backend", "gmw", "--parties", "2"],
    ] {
        let mut args = THRESHOLD.to_vec();
        args.extend_from_slice(backend);
        let o = veil(&args);
        assert_eq!(o.status.code(), Some(1), "{backend:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    }
}

#[test]
fn batches_equal_separate_runs_under_every_backend() {
    let dir = std::env::temp_dir().join(format!("veil-cli-sharing-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (a, b) = (dir.join("a.csv"), dir.join("b.csv"));
    std::fs::write(&a, "10\n3\n7\n0\n99\n").expect("write");
    std::fs::write(&b, "5\n5\n8\n0\n1\n").expect("write");
    let a_arg = format!("alice.a=@{}", a.display());
    let b_arg = format!("bob.b=@{}", b.display());
    let pairs = [(10, 5), (3, 5), (7, 8), (0, 0), (99, 1)];
    for backend in ["gmw", "arith", "rep3"] {
        let o = veil(&[
            "run",
            "examples/millionaires.mpc",
            "--backend",
            backend,
            "--parallel",
            "5",
            "--json",
            "--input",
            &a_arg,
            "--input",
            &b_arg,
        ]);
        assert!(o.status.success(), "{backend}: {}", stderr(&o));
        let batch: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
        for (i, (x, y)) in pairs.into_iter().enumerate() {
            let (xa, yb) = (format!("alice.a={x}"), format!("bob.b={y}"));
            let single = veil(&[
                "run",
                "examples/millionaires.mpc",
                "--backend",
                backend,
                "--json",
                "--input",
                &xa,
                "--input",
                &yb,
            ]);
            let single: serde_json::Value = serde_json::from_str(&stdout(&single)).expect("json");
            for (party, outs) in single.as_object().expect("object") {
                for (name, v) in outs.as_object().expect("outputs") {
                    assert_eq!(
                        &batch[party][name][i], v,
                        "{backend}: instance {i}, {party}.{name}"
                    );
                }
            }
        }
    }
}

#[test]
fn bench_reports_online_and_offline_rates() {
    let o = veil(&[
        "bench",
        "examples/millionaires.mpc",
        "--backend",
        "gmw",
        "--repeat",
        "2",
        "--parallel",
        "64",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    for key in ["and_per_s", "online_and_per_s", "triples_per_s"] {
        assert!(v[key].as_f64().expect(key) > 0.0, "{key}: {v}");
    }
    assert!(v["rounds"].as_u64().expect("rounds") >= 1);
    assert!(v["mul_per_s"].as_f64().is_some());
}
