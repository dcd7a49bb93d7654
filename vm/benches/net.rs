//! Network mode throughput: `cargo bench -p veil-vm --bench net`.
//!
//! Every party on its own thread of this process, but connected as separate
//! processes are: each builds its own mesh of TCP connections on 127.0.0.1
//! (`connect_mesh`) and talks through stream channels with their writer and
//! reader threads. Each workload runs twice: over mutually authenticated TLS
//! 1.3 (what `veil party` does) and over plain TCP (insecure, only to measure
//! what TLS costs). Per workload: the median wall time of a run after one
//! warm-up run (base OTs are paid once per session), as gates per second;
//! TLS and plain TCP alternate three times per workload so that both see the
//! same load, and the line ends with what TLS costs in throughput.
//!
//! Workloads (`VEIL_BENCH=gc|gmw|arith|rep3` picks one backend):
//! - gc: Bristol AES-128 ×1 (latency) and ×1000 per run (throughput);
//! - gmw: AES-128 ×1024 between two parties;
//! - arith: 100 000 independent 64-bit multiplications, three parties;
//! - rep3: AES-128 ×1024 and 100 000 multiplications, three parties.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use veil_circuit::{BristolOptions, ValidCircuit, Value};
use veil_vm::backend::Session;
use veil_vm::net::config::NetConfig;
use veil_vm::net::connect::{connect_mesh, ConnectOptions, Security};
use veil_vm::net::stream::peers_over;
use veil_vm::net::tls;
use veil_vm::{prepare, run_party_batch, session_digest, BackendKind, Protocol};

fn main() {
    let aes = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/circuits/bristol-fashion/aes_128.txt");
    let aes = std::fs::read_to_string(&aes).ok().map(|text| {
        veil_circuit::bristol::read(&text, &BristolOptions::default()).expect("valid AES")
    });
    if aes.is_none() {
        eprintln!("skipping AES: ../shared/circuits is absent");
    }
    let (muls, mul_inputs) = common::wide_muls(100_000);
    // TLS and plain TCP alternate, three times each, so that both see the
    // same machine load; each figure is the median of all its runs.
    let compare = |kind: BackendKind,
                   name: &str,
                   gate: &str,
                   circuit: &ValidCircuit,
                   inputs: &[Value],
                   n: usize,
                   reps: usize| {
        let mut tls = Vec::new();
        let mut plain = Vec::new();
        for _ in 0..3 {
            tls.extend(bench(kind, circuit, inputs, n, reps, Security::Tls));
            plain.extend(bench(
                kind,
                circuit,
                inputs,
                n,
                reps,
                Security::InsecurePlainTcp,
            ));
        }
        let (t, p) = (median(&mut tls), median(&mut plain));
        let prepared = prepare(kind, Arc::new(circuit.clone())).expect("backend");
        let gates = prepared.paid_gates() as f64 * n as f64;
        println!(
            "{:5} {name:11} × {n:4}: TLS {:8.2} M {gate}/s ({:8.3} ms), plain TCP {:8.2} M {gate}/s ({:8.3} ms): TLS costs {:4.1} %",
            kind.name(),
            gates / t / 1e6,
            t * 1e3,
            gates / p / 1e6,
            p * 1e3,
            (1.0 - p / t) * 100.0,
        );
    };
    if let Some(aes) = &aes {
        let zeros = common::zero_inputs(aes);
        if only("gc") {
            compare(BackendKind::Gc, "aes_128", "AND", aes, &zeros, 1, 200);
            compare(BackendKind::Gc, "aes_128", "AND", aes, &zeros, 1000, 5);
        }
        if only("gmw") {
            compare(BackendKind::Gmw, "aes_128", "AND", aes, &zeros, 1024, 5);
        }
        if only("rep3") {
            let three = three_party_aes(aes);
            compare(
                BackendKind::Rep3,
                "aes_128",
                "AND",
                &three,
                &zeros,
                1024,
                10,
            );
        }
    }
    if only("arith") {
        compare(
            BackendKind::Arith,
            "100k mul64",
            "MUL",
            &muls,
            &mul_inputs,
            1,
            3,
        );
    }
    if only("rep3") {
        compare(
            BackendKind::Rep3,
            "100k mul64",
            "MUL",
            &muls,
            &mul_inputs,
            1,
            10,
        );
    }
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Whether backend `name` runs (`VEIL_BENCH` picks one).
fn only(name: &str) -> bool {
    std::env::var("VEIL_BENCH").map_or(true, |v| v == name)
}

/// The AES circuit with a third party that only receives the output, as rep3 needs.
fn three_party_aes(aes: &ValidCircuit) -> ValidCircuit {
    let mut c = aes.circuit().clone();
    c.parties.push("p2".into());
    for o in &mut c.outputs {
        o.recipients = vec![2];
    }
    ValidCircuit::new(c).expect("valid")
}

/// A fresh configuration for `names` on free loopback ports, with certificates.
fn network(names: &[String]) -> NetConfig {
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "veil-bench-net-{}-{}",
        std::process::id(),
        names.join("-")
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let listeners: Vec<_> = names
        .iter()
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").expect("port"))
        .collect();
    let mut text = String::new();
    for (n, l) in names.iter().zip(&listeners) {
        let port = l.local_addr().expect("addr").port();
        text.push_str(&format!(
            "[[party]]\nname = \"{n}\"\naddress = \"127.0.0.1:{port}\"\n\n"
        ));
    }
    drop(listeners);
    let path = dir.join("parties.toml");
    std::fs::write(&path, text).expect("config");
    let config = NetConfig::load(Path::new(&path)).expect("config");
    tls::keygen(&config, true).expect("keygen");
    config
}

/// Runs `reps` measured batches of `instances` instances (after one warm-up)
/// with each party connected over its own sockets; returns each run's wall
/// time in seconds (the slowest party's).
fn bench(
    kind: BackendKind,
    circuit: &ValidCircuit,
    inputs: &[Value],
    instances: usize,
    reps: usize,
    security: Security,
) -> Vec<f64> {
    let circuit = Arc::new(circuit.clone());
    let protocol: Arc<dyn Protocol> = prepare(kind, Arc::clone(&circuit)).expect("backend");
    let names = protocol.parties().to_vec();
    let config = network(&names);
    let digest = session_digest(protocol.as_ref(), &circuit, instances);
    let times: Vec<Vec<Duration>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..names.len())
            .map(|me| {
                let (protocol, circuit, config, names) = (&protocol, &circuit, &config, &names);
                s.spawn(move || {
                    let options = ConnectOptions {
                        deadline: Duration::from_secs(30),
                        io_timeout: Duration::from_secs(60),
                    };
                    let links = connect_mesh(config, names, me, &digest, security, &options)
                        .expect("connect");
                    let mut peers = peers_over(names.clone(), me, links, Duration::from_secs(60))
                        .expect("channels");
                    let own: Vec<Vec<Option<Value>>> = (0..instances)
                        .map(|_| veil_vm::party::own_inputs(circuit, me, inputs))
                        .collect();
                    let mut session = Session::default();
                    let mut times = Vec::with_capacity(reps + 1);
                    for _ in 0..=reps {
                        let start = Instant::now();
                        run_party_batch(protocol.as_ref(), circuit, &own, &mut peers, &mut session)
                            .expect("run");
                        times.push(start.elapsed());
                    }
                    peers.close_all().expect("close");
                    times
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("party"))
            .collect()
    });
    // A run's time is its slowest party's; the first run pays the set-up.
    (1..=reps)
        .map(|r| times.iter().map(|t| t[r].as_secs_f64()).fold(0.0, f64::max))
        .collect()
}
