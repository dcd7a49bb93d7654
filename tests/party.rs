//! End-to-end tests of `veil party` and `veil keygen`: one process per party
//! over mutually authenticated TLS on 127.0.0.1.
//!
//! Every run must equal local mode; strangers, plaintext clients and
//! impostors are refused; nothing secret crosses the wire in the clear; and
//! a party killed, stalled, lying about a frame's length or running another
//! session makes the others stop with exit code 3 and a message naming it.
//!
//! Each test has its own directory, ports (from the operating system) and
//! certificates, so tests run in parallel. Every wait is bounded: a process
//! still running after [`WATCHDOG`] is killed and the test fails.

mod common;

use common::*;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value as Json;

/// The longest any group of processes may run before the test kills them and fails.
const WATCHDOG: Duration = Duration::from_secs(120);
/// The longest a test waits for one log line.
const LINE_WAIT: Duration = Duration::from_secs(60);

const MILLIONAIRES: &str = "examples/millionaires.mpc";
const THRESHOLD: &str = "examples/threshold_sum.mpc";

// ------------------------------------------------ helpers

/// A fresh directory for one test (removed when the test passes; kept for
/// inspection when it fails).
struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("veil-party-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    fn join(&self, p: &str) -> PathBuf {
        self.0.join(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// `n` distinct ports the operating system reports free: all are held until
/// every one is known (so no two are equal), then released.
fn free_ports(n: usize) -> Vec<u16> {
    let held: Vec<TcpListener> = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("bind a free port"))
        .collect();
    held.iter()
        .map(|l| l.local_addr().expect("local address").port())
        .collect()
}

/// One `[[party]]` of a configuration.
struct Entry {
    name: String,
    address: String,
    listen: Option<String>,
}

/// Writes `parties.toml` in `dir` and runs `veil keygen` on it.
fn write_config(dir: &Path, entries: &[Entry]) -> PathBuf {
    let mut text = String::new();
    for e in entries {
        text.push_str(&format!(
            "[[party]]\nname = \"{}\"\naddress = \"{}\"\n",
            e.name, e.address
        ));
        if let Some(l) = &e.listen {
            text.push_str(&format!("listen = \"{l}\"\n"));
        }
        text.push('\n');
    }
    std::fs::create_dir_all(dir).expect("config dir");
    let path = dir.join("parties.toml");
    std::fs::write(&path, text).expect("write parties.toml");
    let o = veil(&["keygen", "--config", path.to_str().expect("utf-8")]);
    assert!(o.status.success(), "keygen: {}", stderr(&o));
    path
}

/// A configuration of `names` on free local ports, with fresh certificates.
fn network(dir: &Path, names: &[&str]) -> PathBuf {
    let entries: Vec<Entry> = names
        .iter()
        .zip(free_ports(names.len()))
        .map(|(n, port)| Entry {
            name: n.to_string(),
            address: format!("127.0.0.1:{port}"),
            listen: None,
        })
        .collect();
    write_config(dir, &entries)
}

/// A running `veil` process whose stderr is read line by line in a thread
/// (so the test can wait for a log line) and whose stdout is collected.
struct Proc {
    name: String,
    child: Child,
    lines: mpsc::Receiver<String>,
    err_text: Arc<Mutex<String>>,
    err_thread: Option<JoinHandle<()>>,
    out_thread: Option<JoinHandle<String>>,
    exited: Option<(Option<i32>, Instant)>,
}

impl Proc {
    fn spawn(name: &str, args: &[String]) -> Proc {
        let mut child = Command::new(env!("CARGO_BIN_EXE_veil"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("NO_COLOR", "1")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn veil");
        let mut out = child.stdout.take().expect("stdout");
        let out_thread = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = out.read_to_string(&mut s);
            s
        });
        let err = child.stderr.take().expect("stderr");
        let (tx, lines) = mpsc::channel();
        let err_text = Arc::new(Mutex::new(String::new()));
        let text = Arc::clone(&err_text);
        let err_thread = std::thread::spawn(move || {
            for line in BufReader::new(err).lines() {
                let Ok(line) = line else { break };
                text.lock()
                    .expect("stderr text")
                    .push_str(&format!("{line}\n"));
                let _ = tx.send(line);
            }
        });
        Proc {
            name: name.to_string(),
            child,
            lines,
            err_text,
            err_thread: Some(err_thread),
            out_thread: Some(out_thread),
            exited: None,
        }
    }

    fn pid(&self) -> String {
        self.child.id().to_string()
    }

    /// Everything on stderr so far.
    fn stderr_so_far(&self) -> String {
        self.err_text.lock().expect("stderr text").clone()
    }

    /// Waits until a line of stderr contains `needle`; returns the line.
    /// Fails (with everything said so far) if the process ends first or
    /// `limit` passes.
    fn wait_for(&mut self, needle: &str, limit: Duration) -> String {
        let until = Instant::now() + limit;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(mpsc::RecvTimeoutError::Timeout) => panic!(
                    "{} did not log `{needle}` within {limit:?}; stderr so far:\n{}",
                    self.name,
                    self.stderr_so_far()
                ),
                Err(mpsc::RecvTimeoutError::Disconnected) => panic!(
                    "{} ended without logging `{needle}`; stderr:\n{}",
                    self.name,
                    self.stderr_so_far()
                ),
            }
        }
    }

    /// Whether the process has exited (recording when it was first seen so).
    fn poll(&mut self) -> bool {
        if self.exited.is_none() {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                self.exited = Some((status.code(), Instant::now()));
            }
        }
        self.exited.is_some()
    }

    /// Sends a signal with `kill(1)` (STOP, CONT).
    fn signal(&self, sig: &str) {
        let s = Command::new("kill")
            .args([format!("-{sig}"), self.pid()])
            .status()
            .expect("kill(1) runs");
        assert!(s.success(), "kill -{sig} {}", self.pid());
    }

    /// SIGKILL, at once.
    fn kill(&mut self) {
        self.child.kill().expect("kill");
    }

    /// The finished process's code and output (after [`Proc::poll`] saw it exit).
    fn into_done(mut self) -> Done {
        let (code, at) = self.exited.expect("exited");
        let stdout = self
            .out_thread
            .take()
            .map(|t| t.join().expect("stdout thread"))
            .unwrap_or_default();
        if let Some(t) = self.err_thread.take() {
            t.join().expect("stderr thread");
        }
        Done {
            name: self.name.clone(),
            code,
            stdout,
            stderr: self.stderr_so_far(),
            at,
        }
    }
}

impl Drop for Proc {
    /// A process left running by a failing test is killed (SIGKILL also
    /// ends a stopped process).
    fn drop(&mut self) {
        if !self.poll() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A finished process.
/// Both parties of a `gc` run of the Bristol AES circuit with `opts`.
fn aes_pair(aes: &str, config: &Path, opts: &[&str]) -> (Proc, Proc) {
    let p0 = party(
        aes,
        config,
        "p0",
        "gc",
        &[opts, &["--input", "0=1"]].concat(),
    );
    let p1 = party(
        aes,
        config,
        "p1",
        "gc",
        &[opts, &["--input", "1=2"]].concat(),
    );
    (p0, p1)
}

#[derive(Debug)]
struct Done {
    name: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
    /// When it was seen to exit.
    at: Instant,
}

impl Done {
    /// The last `error:` line of stderr (the reason it stopped).
    fn error(&self) -> &str {
        self.stderr
            .lines()
            .rev()
            .find(|l| l.starts_with("error"))
            .unwrap_or("")
    }
}

/// Waits for every process to exit; past `limit`, kills them all and fails
/// with their stderr, so a hang fails the test instead of blocking CI.
fn wait_all(mut procs: Vec<Proc>, limit: Duration) -> Vec<Done> {
    let until = Instant::now() + limit;
    loop {
        let mut running = false;
        for p in procs.iter_mut() {
            running |= !p.poll();
        }
        if !running {
            break;
        }
        if Instant::now() >= until {
            let mut report = String::new();
            for p in procs.iter_mut() {
                let alive = !p.poll();
                if alive {
                    let _ = p.child.kill();
                }
                report.push_str(&format!(
                    "--- {} ({}):\n{}",
                    p.name,
                    if alive { "hung, killed" } else { "exited" },
                    p.stderr_so_far()
                ));
            }
            panic!("processes still running after {limit:?}:\n{report}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    procs.into_iter().map(Proc::into_done).collect()
}

/// Starts party `id` of `file` under `backend`; `extra` holds its inputs
/// and options. Unless `extra` says otherwise, it gives up on peers after
/// 20 s (connect) and 20 s (silence), well inside the watchdog.
fn party(file: &str, config: &Path, id: &str, backend: &str, extra: &[&str]) -> Proc {
    let mut args: Vec<String> = [
        "party",
        file,
        "--config",
        config.to_str().expect("utf-8"),
        "--id",
        id,
        "--backend",
        backend,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    for flag in ["--connect-timeout", "--timeout"] {
        if !extra.contains(&flag) {
            args.extend([flag.to_string(), "20".to_string()]);
        }
    }
    Proc::spawn(id, &args)
}

/// `veil run` (local mode) with the same program, backend, options and
/// inputs (`PARTY.NAME=VALUE`); fails unless it succeeds.
fn local_run(file: &str, backend: &str, opts: &[&str], inputs: &[String]) -> String {
    let mut args: Vec<&str> = vec!["run", file, "--backend", backend];
    args.extend(opts);
    for i in inputs {
        args.extend(["--input", i.as_str()]);
    }
    let o = veil(&args);
    assert!(o.status.success(), "veil {args:?}: {}", stderr(&o));
    stdout(&o)
}

/// Party `p`'s lines of `veil run`'s text output, without the `p: ` prefix.
fn own_lines(local: &str, p: &str) -> String {
    let prefix = format!("{p}: ");
    local
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The shared Bristol circuits (`../shared/circuits`), if present.
fn shared(path: &str) -> Option<String> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/circuits")
        .join(path);
    if p.exists() {
        Some(p.to_str().expect("utf-8").to_string())
    } else {
        eprintln!("skipping: ../shared/circuits/{path} is absent");
        None
    }
}

/// The first FIPS-197 vector of the Bristol AES-128 circuit: key, plaintext
/// and ciphertext in hex (`shared/circuits/vectors.json`).
fn aes_vector() -> Option<(String, String, String)> {
    shared("vectors.json")?;
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/circuits/vectors.json"),
    )
    .expect("vectors");
    let v: Json = serde_json::from_str(&text).expect("json");
    let vector = &v["circuits"]["bristol-fashion/aes_128.txt"]["vectors"][0];
    let hex = |x: &Json| x["hex"].as_str().expect("hex").to_string();
    Some((
        hex(&vector["inputs"][0]),
        hex(&vector["inputs"][1]),
        hex(&vector["outputs"][0]),
    ))
}

/// Runs every party of `file` as its own process (each with only its own
/// inputs) and checks that each prints exactly its lines of local mode.
/// `inputs` are `(party, NAME=VALUE)`; `helpers` are parties the backend
/// adds (they must print nothing). Returns the finished processes.
fn check_against_local(
    test: &str,
    file: &str,
    backend: &str,
    opts: &[&str],
    parties: &[&str],
    helpers: &[&str],
    inputs: &[(&str, &str)],
) -> Vec<Done> {
    let dir = TempDir::new(test);
    let all: Vec<&str> = parties.iter().chain(helpers).copied().collect();
    let config = network(dir.path(), &all);
    let procs: Vec<Proc> = all
        .iter()
        .map(|p| {
            let mut extra: Vec<&str> = opts.to_vec();
            for (_, i) in inputs.iter().filter(|(q, _)| q == p) {
                extra.extend(["--input", i]);
            }
            party(file, &config, p, backend, &extra)
        })
        .collect();
    let done = wait_all(procs, WATCHDOG);
    let qualified: Vec<String> = inputs.iter().map(|(p, i)| format!("{p}.{i}")).collect();
    let local = local_run(file, backend, opts, &qualified);
    for d in &done {
        assert_eq!(d.code, Some(0), "{} failed:\n{}", d.name, d.stderr);
        assert_eq!(
            d.stdout,
            own_lines(&local, &d.name),
            "{} under {backend} {opts:?}; local mode said:\n{local}",
            d.name
        );
        if parties.contains(&d.name.as_str()) {
            assert!(!d.stdout.is_empty(), "{} printed nothing", d.name);
            assert!(
                d.stderr.contains("info: connected to"),
                "{}: {}",
                d.name,
                d.stderr
            );
        }
    }
    done
}

// ------------------------------------------------ 1. every backend equals local mode

#[test]
fn gc_and_clear_between_two_processes_equal_local_mode() {
    for backend in ["gc", "clear"] {
        check_against_local(
            &format!("gc-clear-{backend}"),
            MILLIONAIRES,
            backend,
            &[],
            &["alice", "bob"],
            &[],
            &[("alice", "a=1000"), ("bob", "b=250")],
        );
    }
}

#[test]
fn sharing_backends_among_three_processes_equal_local_mode() {
    let inputs = [
        ("alice", "x=120"),
        ("bob", "y=300"),
        ("carol", "z=95"),
        ("carol", "cap=500"),
    ];
    for backend in ["gmw", "arith", "rep3"] {
        let done = check_against_local(
            &format!("sharing-{backend}"),
            THRESHOLD,
            backend,
            &[],
            &["alice", "bob", "carol"],
            &[],
            &inputs,
        );
        // carol alone learns the total.
        assert_eq!(done[2].stdout, "over = true\ntotal = 515\n", "{backend}");
        assert_eq!(done[0].stdout, "over = true\n", "{backend}");
    }
}

#[test]
fn gmw_with_a_dealer_process_equals_local_mode_and_warns() {
    let done = check_against_local(
        "dealer",
        THRESHOLD,
        "gmw",
        &["--preprocessing", "dealer"],
        &["alice", "bob", "carol"],
        &["dealer"],
        &[
            ("alice", "x=7"),
            ("bob", "y=8"),
            ("carol", "z=9"),
            ("carol", "cap=100"),
        ],
    );
    for d in &done {
        assert!(
            d.stderr.contains("INSECURE"),
            "{} did not warn about the dealer:\n{}",
            d.name,
            d.stderr
        );
    }
    let dealer = done.iter().find(|d| d.name == "dealer").expect("dealer");
    assert_eq!(dealer.stdout, "", "the dealer learns no output");
}

#[test]
fn json_output_of_each_party_is_its_part_of_local_json() {
    let dir = TempDir::new("json");
    let config = network(dir.path(), &["alice", "bob"]);
    let procs = vec![
        party(
            MILLIONAIRES,
            &config,
            "alice",
            "gmw",
            &["--json", "--input", "a=3"],
        ),
        party(
            MILLIONAIRES,
            &config,
            "bob",
            "gmw",
            &["--json", "--input", "b=40"],
        ),
    ];
    let done = wait_all(procs, WATCHDOG);
    let local: Json = serde_json::from_str(&local_run(
        MILLIONAIRES,
        "gmw",
        &["--json"],
        &["alice.a=3".into(), "bob.b=40".into()],
    ))
    .expect("local json");
    for d in &done {
        assert_eq!(d.code, Some(0), "{}", d.stderr);
        let got: Json = serde_json::from_str(&d.stdout).expect("party json");
        let mut want = serde_json::Map::new();
        want.insert(d.name.clone(), local[&d.name].clone());
        assert_eq!(got, Json::Object(want), "{}", d.name);
    }
    // 3 − 40 wraps around: alice's gap is 2^64 − 37.
    assert_eq!(
        serde_json::from_str::<Json>(&done[0].stdout).expect("json")["alice"]["gap"],
        serde_json::json!(18446744073709551579u64)
    );
}

// ------------------------------------------------ 2. Bristol AES

#[test]
fn bristol_aes_between_two_processes_gives_the_fips_ciphertext() {
    let (Some(aes), Some((key, plaintext, ciphertext))) =
        (shared("bristol-fashion/aes_128.txt"), aes_vector())
    else {
        return;
    };
    let dir = TempDir::new("aes");
    let config = network(dir.path(), &["p0", "p1"]);
    let k = format!("0=0x{key}");
    let m = format!("1=0x{plaintext}");
    let procs = vec![
        party(
            &aes,
            &config,
            "p0",
            "gc",
            &["--hex", "--json", "--input", &k],
        ),
        party(
            &aes,
            &config,
            "p1",
            "gc",
            &["--hex", "--json", "--input", &m],
        ),
    ];
    for d in wait_all(procs, WATCHDOG) {
        assert_eq!(d.code, Some(0), "{}: {}", d.name, d.stderr);
        let out: Json = serde_json::from_str(&d.stdout).expect("json");
        let got = out[&d.name]["0"].as_str().expect("hex output");
        assert_eq!(got.trim_start_matches("0x"), ciphertext, "{}", d.name);
        assert_eq!(out.as_object().expect("object").len(), 1, "{}", d.stdout);
    }
}

// ------------------------------------------------ 3. --parallel

#[test]
fn parallel_instances_equal_local_parallel_run() {
    let dir = TempDir::new("parallel");
    let config = network(dir.path(), &["alice", "bob"]);
    let csv = dir.join("b.csv");
    std::fs::write(&csv, "5\n5\n8\n").expect("csv");
    let b = format!("b=@{}", csv.display());
    let procs = vec![
        party(
            MILLIONAIRES,
            &config,
            "alice",
            "gmw",
            &["--parallel", "3", "--json", "--input", "a=[10,3,7]"],
        ),
        party(
            MILLIONAIRES,
            &config,
            "bob",
            "gmw",
            &["--parallel", "3", "--json", "--input", &b],
        ),
    ];
    let done = wait_all(procs, WATCHDOG);
    let local: Json = serde_json::from_str(&local_run(
        MILLIONAIRES,
        "gmw",
        &["--parallel", "3", "--json"],
        &["alice.a=[10,3,7]".into(), format!("bob.{b}")],
    ))
    .expect("local json");
    assert_eq!(
        local["alice"]["richer"],
        serde_json::json!([true, false, false])
    );
    for d in &done {
        assert_eq!(d.code, Some(0), "{}: {}", d.name, d.stderr);
        let got: Json = serde_json::from_str(&d.stdout).expect("json");
        assert_eq!(got[&d.name], local[&d.name], "{}", d.name);
        assert_eq!(got.as_object().expect("object").len(), 1);
    }
}

// ------------------------------------------------ 4. security

/// A second configuration with the same names and addresses as `real` (the
/// same ports) and its own keys, except that it pins the real alice's
/// certificate: the rogue bob of an attacker who knows alice's public
/// certificate but not her key. `rogue_listen` is where rogue bob binds;
/// `alice_address`, if given, replaces alice's (so rogue bob cannot reach her).
fn rogue_config(
    dir: &Path,
    real: &Path,
    rogue_listen: Option<String>,
    alice_address: Option<String>,
) -> PathBuf {
    let text = std::fs::read_to_string(real).expect("real config");
    let address = |name: &str| -> String {
        let t: toml::Table = toml::from_str(&text).expect("toml");
        t["party"]
            .as_array()
            .expect("parties")
            .iter()
            .find(|p| p["name"].as_str() == Some(name))
            .and_then(|p| p["address"].as_str())
            .expect("address")
            .to_string()
    };
    let rogue = write_config(
        &dir.join("rogue"),
        &[
            Entry {
                name: "alice".into(),
                address: alice_address.unwrap_or_else(|| address("alice")),
                listen: None,
            },
            Entry {
                name: "bob".into(),
                address: address("bob"),
                listen: rogue_listen,
            },
        ],
    );
    let certs = |c: &Path| c.parent().expect("dir").join("certs");
    std::fs::copy(
        certs(real).join("alice.pem"),
        certs(&rogue).join("alice.pem"),
    )
    .expect("copy alice's certificate");
    rogue
}

#[test]
fn a_party_with_a_certificate_not_in_the_configuration_is_rejected() {
    let dir = TempDir::new("stranger");
    let config = network(dir.path(), &["alice", "bob"]);
    // Rogue bob binds elsewhere: it can connect to alice, but alice's own
    // connection to bob's address finds nobody (an attacker who can reach
    // alice but not intercept her traffic).
    let listen = format!("127.0.0.1:{}", free_ports(1)[0]);
    let rogue = rogue_config(dir.path(), &config, Some(listen), None);
    let short = ["--connect-timeout", "3", "--timeout", "3"];
    let mut alice_args = vec!["--input", "a=5"];
    alice_args.extend(short);
    let mut bob_args = vec!["--input", "b=6"];
    bob_args.extend(short);
    let procs = vec![
        party(MILLIONAIRES, &config, "alice", "gc", &alice_args),
        party(MILLIONAIRES, &rogue, "bob", "gc", &bob_args),
    ];
    let done = wait_all(procs, WATCHDOG);
    let (alice, bob) = (&done[0], &done[1]);
    assert_eq!(alice.code, Some(3), "{}", alice.stderr);
    assert!(
        alice
            .stderr
            .contains("warning: rejected a connection from 127.0.0.1:")
            && alice
                .stderr
                .contains("its certificate is not one of the configured parties'"),
        "{}",
        alice.stderr
    );
    assert!(
        alice.error().contains("party `bob` never connected"),
        "{}",
        alice.stderr
    );
    assert_eq!(alice.stdout, "", "alice must print no output");
    assert!(
        !alice.stderr.contains("connected to bob"),
        "{}",
        alice.stderr
    );
    assert_ne!(bob.code, Some(0), "{}", bob.stderr);
    assert!(bob.error().contains("alice"), "{}", bob.stderr);
    assert_eq!(bob.stdout, "");
}

#[test]
fn an_impostor_at_a_partys_address_is_refused() {
    let dir = TempDir::new("impostor");
    let config = network(dir.path(), &["alice", "bob"]);
    // Rogue bob listens at bob's address with its own certificate (and
    // cannot reach alice, so that only her connection to it is tested).
    let nowhere = format!("127.0.0.1:{}", free_ports(1)[0]);
    let rogue = rogue_config(dir.path(), &config, None, Some(nowhere));
    let short = ["--connect-timeout", "5", "--timeout", "5"];
    let mut bob_args = vec!["--input", "b=6", "--log-level", "debug"];
    bob_args.extend(short);
    let mut bob = party(MILLIONAIRES, &rogue, "bob", "gc", &bob_args);
    // Rogue bob binds its listener before it dials (and logs) anything:
    // alice's first connection reaches it.
    bob.wait_for("not reached yet", LINE_WAIT);
    let mut alice_args = vec!["--input", "a=5"];
    alice_args.extend(short);
    let alice = party(MILLIONAIRES, &config, "alice", "gc", &alice_args);
    let alice = wait_all(vec![alice], WATCHDOG).remove(0);
    // Alice's connection reached rogue bob, which could not complete it.
    bob.wait_for("rejected a connection from 127.0.0.1:", LINE_WAIT);
    // Rogue bob would wait for its connect timeout; its fate does not matter.
    bob.kill();
    let bob = wait_all(vec![bob], WATCHDOG).remove(0);
    assert_eq!(alice.code, Some(3), "{}", alice.stderr);
    assert!(
        alice.error().contains("party `bob` at 127.0.0.1:")
            && alice
                .error()
                .contains("presented a certificate that is not the one in the configuration"),
        "{}",
        alice.stderr
    );
    assert_eq!(alice.stdout, "");
    assert_eq!(bob.stdout, "");
}

#[test]
fn a_plaintext_client_is_dropped_and_the_run_still_succeeds() {
    let dir = TempDir::new("plaintext");
    let config = network(dir.path(), &["alice", "bob"]);
    let mut alice = party(
        MILLIONAIRES,
        &config,
        "alice",
        "gc",
        &["--input", "a=77", "--log-level", "debug"],
    );
    // Alice binds her listener before dialing bob (who is not up yet).
    alice.wait_for("party `bob` not reached yet", LINE_WAIT);
    let text = std::fs::read_to_string(&config).expect("config");
    let t: toml::Table = toml::from_str(&text).expect("toml");
    let address = t["party"][0]["address"].as_str().expect("address");
    let mut sock = TcpStream::connect(address).expect("connect to alice");
    sock.write_all(b"GET / HTTP/1.1\r\nHost: alice\r\n\r\n")
        .expect("write");
    sock.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let start = Instant::now();
    let mut reply = Vec::new();
    let closed = loop {
        let mut buf = [0u8; 1024];
        match sock.read(&mut buf) {
            Ok(0) => break true,
            Ok(n) => reply.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                break false
            }
            Err(_) => break true, // reset: closed too
        }
    };
    assert!(
        closed,
        "alice kept a plaintext connection open for {:?}",
        start.elapsed()
    );
    // Whatever alice answered is a TLS alert, not an HTTP response.
    assert!(
        reply.is_empty() || reply[0] == 0x15,
        "alice answered {reply:?}"
    );
    alice.wait_for("rejected a connection from 127.0.0.1:", LINE_WAIT);
    let bob = party(MILLIONAIRES, &config, "bob", "gc", &["--input", "b=7"]);
    let done = wait_all(vec![alice, bob], WATCHDOG);
    assert_eq!(done[0].code, Some(0), "{}", done[0].stderr);
    assert_eq!(done[1].code, Some(0), "{}", done[1].stderr);
    assert_eq!(done[0].stdout, "richer = true\ngap = 70\n");
    assert_eq!(done[1].stdout, "richer = true\n");
}

/// What one direction of a proxied connection carried so far.
type Tape = Arc<Mutex<Vec<u8>>>;

/// A TCP proxy on its own port that forwards every connection to `target`
/// and records the bytes of each direction.
struct Recorder {
    port: u16,
    stop: Arc<AtomicBool>,
    /// (`name: client→server` or `name: server→client`, bytes)
    streams: Arc<Mutex<Vec<(String, Tape)>>>,
    pumps: Arc<Mutex<Vec<JoinHandle<()>>>>,
    acceptor: Option<JoinHandle<()>>,
}

impl Recorder {
    fn start(name: &str, target: String) -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let port = listener.local_addr().expect("address").port();
        listener.set_nonblocking(true).expect("nonblocking");
        let stop = Arc::new(AtomicBool::new(false));
        let streams: Arc<Mutex<Vec<(String, Tape)>>> = Arc::default();
        let pumps: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let acceptor = {
            let (stop, streams, pumps, name) = (
                Arc::clone(&stop),
                Arc::clone(&streams),
                Arc::clone(&pumps),
                name.to_string(),
            );
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let client = match listener.accept() {
                        Ok((c, _)) => c,
                        Err(_) => {
                            std::thread::sleep(Duration::from_millis(5));
                            continue;
                        }
                    };
                    client.set_nonblocking(false).expect("blocking");
                    let (target, streams, name) =
                        (target.clone(), Arc::clone(&streams), name.clone());
                    let all = Arc::clone(&pumps);
                    let forward =
                        std::thread::spawn(move || forward(client, &target, &name, &streams, &all));
                    pumps.lock().expect("pumps").push(forward);
                }
            })
        };
        Recorder {
            port,
            stop,
            streams,
            pumps,
            acceptor: Some(acceptor),
        }
    }

    /// Stops accepting, waits for the forwarded connections to end, and
    /// returns what each direction carried.
    fn finish(mut self) -> Vec<(String, Vec<u8>)> {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(a) = self.acceptor.take() {
            a.join().expect("acceptor");
        }
        // Joining a connection's thread may add its pumps: until none is left.
        loop {
            let threads: Vec<JoinHandle<()>> =
                std::mem::take(&mut *self.pumps.lock().expect("pumps"));
            if threads.is_empty() {
                break;
            }
            for t in threads {
                t.join().expect("proxy thread");
            }
        }
        self.streams
            .lock()
            .expect("streams")
            .iter()
            .map(|(n, b)| (n.clone(), b.lock().expect("bytes").clone()))
            .collect()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Forwards one accepted connection to `target`, recording both directions.
/// The party behind may not listen yet: the proxy keeps trying for a while,
/// so that the dialer sees a slow connection rather than one that closes
/// (which, unlike a refused connection, a plain TCP dialer takes as final).
fn forward(
    client: TcpStream,
    target: &str,
    name: &str,
    streams: &Mutex<Vec<(String, Tape)>>,
    pumps: &Mutex<Vec<JoinHandle<()>>>,
) {
    let until = Instant::now() + Duration::from_secs(10);
    let server = loop {
        match TcpStream::connect(target) {
            Ok(s) => break s,
            Err(_) if Instant::now() < until => std::thread::sleep(Duration::from_millis(10)),
            Err(_) => return,
        }
    };
    for (from, to, dir) in [
        (&client, &server, "client→server"),
        (&server, &client, "server→client"),
    ] {
        let log: Tape = Arc::default();
        streams
            .lock()
            .expect("streams")
            .push((format!("{name}: {dir}"), Arc::clone(&log)));
        let (from, to) = (
            from.try_clone().expect("clone"),
            to.try_clone().expect("clone"),
        );
        pumps
            .lock()
            .expect("pumps")
            .push(std::thread::spawn(move || pump(from, to, &log)));
    }
}

/// Copies `from` to `to`, recording every byte, until either side ends
/// (bounded: a silent connection ends after 30 s).
fn pump(mut from: TcpStream, mut to: TcpStream, log: &Mutex<Vec<u8>>) {
    let _ = from.set_read_timeout(Some(Duration::from_secs(30)));
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match from.read(&mut buf) {
            Ok(0) => {
                let _ = to.shutdown(Shutdown::Write);
                return;
            }
            Ok(n) => {
                log.lock().expect("log").extend_from_slice(&buf[..n]);
                if to.write_all(&buf[..n]).is_err() {
                    let _ = from.shutdown(Shutdown::Both);
                    return;
                }
            }
            Err(_) => {
                let _ = to.shutdown(Shutdown::Both);
                return;
            }
        }
    }
}

/// Every encoding of `v` a careless implementation might put on the wire:
/// 8 bytes little- and big-endian, decimal, and hex text in both cases.
fn encodings(v: u64) -> Vec<(String, Vec<u8>)> {
    vec![
        ("little-endian".into(), v.to_le_bytes().to_vec()),
        ("big-endian".into(), v.to_be_bytes().to_vec()),
        ("decimal".into(), v.to_string().into_bytes()),
        ("hex".into(), format!("{v:x}").into_bytes()),
        ("HEX".into(), format!("{v:X}").into_bytes()),
    ]
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The secret inputs of the wire tests (alice's is larger, so the gap she
/// learns is positive and reveals only a − b).
const SECRET_A: u64 = 0x5EC2_E7A1_B2C3_D4E5;
const SECRET_B: u64 = 0x1357_9BDF_2468_ACE0;

/// Alice and bob, each listening on a port of its own, dialed through a
/// recording proxy at its configured `address`.
fn proxied_network(dir: &Path) -> (PathBuf, Vec<Recorder>) {
    let listen = free_ports(2);
    let recorders: Vec<Recorder> = ["alice", "bob"]
        .iter()
        .zip(&listen)
        .map(|(n, port)| Recorder::start(n, format!("127.0.0.1:{port}")))
        .collect();
    let entries: Vec<Entry> = ["alice", "bob"]
        .iter()
        .zip(&listen)
        .zip(&recorders)
        .map(|((n, l), r)| Entry {
            name: n.to_string(),
            address: format!("127.0.0.1:{}", r.port),
            listen: Some(format!("127.0.0.1:{l}")),
        })
        .collect();
    (write_config(dir, &entries), recorders)
}

#[test]
fn no_input_crosses_the_wire_in_the_clear() {
    let a = format!("a={SECRET_A}");
    let b = format!("b={SECRET_B:#x}");
    let gap = SECRET_A - SECRET_B;
    // `clear` sends every input to every party as 8 little-endian bytes: only
    // TLS hides them, which makes it the sharpest test of the wire.
    for backend in ["gc", "gmw", "clear"] {
        let dir = TempDir::new(&format!("wire-{backend}"));
        let (config, recorders) = proxied_network(dir.path());
        let procs = vec![
            party(MILLIONAIRES, &config, "alice", backend, &["--input", &a]),
            party(MILLIONAIRES, &config, "bob", backend, &["--input", &b]),
        ];
        let done = wait_all(procs, WATCHDOG);
        assert_eq!(done[0].code, Some(0), "{}", done[0].stderr);
        assert_eq!(done[1].code, Some(0), "{}", done[1].stderr);
        assert_eq!(done[0].stdout, format!("richer = true\ngap = {gap}\n"));
        assert_eq!(done[1].stdout, "richer = true\n");
        let streams: Vec<(String, Vec<u8>)> =
            recorders.into_iter().flat_map(Recorder::finish).collect();
        // One connection per direction between the two parties (and no
        // other that carried data), both through the proxies.
        let used: Vec<&(String, Vec<u8>)> = streams.iter().filter(|(_, s)| !s.is_empty()).collect();
        assert_eq!(used.len(), 4, "{backend}: {:?}", names(&streams));
        let total: usize = used.iter().map(|(_, s)| s.len()).sum();
        assert!(total > 1024, "{backend}: only {total} bytes recorded");
        for (name, bytes) in &used {
            assert_eq!(
                &bytes[..2],
                &[0x16, 0x03],
                "{backend}: {name} does not start with a TLS handshake record"
            );
        }
        for (which, v) in [("alice's a", SECRET_A), ("bob's b", SECRET_B)] {
            for (how, needle) in encodings(v) {
                for (name, bytes) in &used {
                    assert!(
                        !contains(bytes, &needle),
                        "{backend}: {which} ({how}) is visible in {name}"
                    );
                }
            }
        }
    }
}

fn names(streams: &[(String, Vec<u8>)]) -> Vec<(String, usize)> {
    streams.iter().map(|(n, s)| (n.clone(), s.len())).collect()
}

/// The control of the test above: the same proxies and search find an input
/// sent without TLS (the library's plain TCP links, which only benchmarks
/// use), and find bytes planted in noise.
#[test]
fn the_wire_search_finds_an_input_sent_without_tls() {
    use veil_vm::net::config::NetConfig;
    use veil_vm::net::connect::{connect_mesh, ConnectOptions, Security};

    let mut noise: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    for (how, needle) in encodings(SECRET_A) {
        assert!(!contains(&noise, &needle), "{how} in the noise already");
    }
    for (how, needle) in encodings(SECRET_A) {
        let mut planted = noise.clone();
        planted.splice(1001..1001, needle.iter().copied());
        assert!(contains(&planted, &needle), "{how} not found");
    }
    noise.clear();

    let dir = TempDir::new("wire-control");
    let (path, recorders) = proxied_network(dir.path());
    let config = NetConfig::load(&path).expect("config");
    let parties = vec!["alice".to_string(), "bob".to_string()];
    let options = ConnectOptions {
        deadline: Duration::from_secs(20),
        io_timeout: Duration::from_secs(20),
    };
    let session = [7u8; 32];
    let received = std::thread::scope(|s| {
        let bob = s.spawn(|| {
            let mut links = connect_mesh(
                &config,
                &parties,
                1,
                &session,
                Security::InsecurePlainTcp,
                &options,
            )
            .expect("bob connects");
            let link = links[0].as_mut().expect("link to alice");
            let mut got = [0u8; 8];
            link.from_peer.read_exact(&mut got).expect("read");
            got
        });
        let mut links = connect_mesh(
            &config,
            &parties,
            0,
            &session,
            Security::InsecurePlainTcp,
            &options,
        )
        .expect("alice connects");
        let link = links[1].as_mut().expect("link to bob");
        link.to_peer
            .write_all(&SECRET_A.to_le_bytes())
            .expect("write");
        link.to_peer.close().expect("close");
        let got = bob.join().expect("bob");
        drop(links);
        got
    });
    assert_eq!(received, SECRET_A.to_le_bytes());
    let streams: Vec<(String, Vec<u8>)> =
        recorders.into_iter().flat_map(Recorder::finish).collect();
    let seen = streams
        .iter()
        .any(|(_, s)| contains(s, &SECRET_A.to_le_bytes()));
    assert!(
        seen,
        "the recording misses bytes sent in the clear: {:?}",
        names(&streams)
    );
    assert!(streams.iter().any(|(_, s)| s.starts_with(b"VEIL-NET")));
}

// ------------------------------------------------ 5. faults

/// How long after a victim connects the test waits before killing or
/// stopping it, so that the run is under way (the runs below take seconds).
const INTO_THE_RUN: Duration = Duration::from_millis(300);

#[test]
fn killing_one_of_two_gc_parties_stops_the_other_with_exit_3() {
    let Some(aes) = shared("bristol-fashion/aes_128.txt") else {
        return;
    };
    for victim in ["p1", "p0"] {
        let dir = TempDir::new(&format!("kill2-{victim}"));
        let config = network(dir.path(), &["p0", "p1"]);
        // AES ×20000 under gc moves 4 GB and takes seconds: still running
        // when the victim dies.
        let opts = ["--parallel", "20000", "--timeout", "30"];
        let (mut p0, mut p1) = aes_pair(&aes, &config, &opts);
        let (killed, survivor) = if victim == "p0" {
            (&mut p0, "p1")
        } else {
            (&mut p1, "p0")
        };
        killed.wait_for("connected to", LINE_WAIT);
        std::thread::sleep(INTO_THE_RUN);
        killed.kill();
        let killed_at = Instant::now();
        let done = wait_all(vec![p0, p1], WATCHDOG);
        let s = done.iter().find(|d| d.name == survivor).expect("survivor");
        eprintln!("killed {victim}: {survivor} said {}", s.error());
        assert_eq!(
            s.code,
            Some(3),
            "{survivor} (if 0, the run ended before the kill):\n{}",
            s.stderr
        );
        let after = s.at.saturating_duration_since(killed_at);
        assert!(
            after < Duration::from_secs(15),
            "{survivor} took {after:?} to notice"
        );
        assert!(
            s.error().contains(&format!("party `{victim}`")),
            "{survivor} does not name {victim}:\n{}",
            s.stderr
        );
        assert_eq!(s.stdout, "", "{survivor} printed partial outputs");
    }
}

#[test]
fn killing_one_of_three_gmw_parties_stops_both_others_with_exit_3() {
    let Some(aes) = shared("bristol-fashion/aes_128.txt") else {
        return;
    };
    let dir = TempDir::new("kill3");
    // `--parties 3` adds a compute party named `helper1` to p0 and p1.
    let config = network(dir.path(), &["p0", "p1", "helper1"]);
    // AES ×5000 among three processes takes about 10 s.
    let opts = ["--parties", "3", "--parallel", "5000", "--timeout", "30"];
    let p0 = party(
        &aes,
        &config,
        "p0",
        "gmw",
        &[&opts[..], &["--input", "0=1"]].concat(),
    );
    let p1 = party(
        &aes,
        &config,
        "p1",
        "gmw",
        &[&opts[..], &["--input", "1=2"]].concat(),
    );
    let mut helper = party(&aes, &config, "helper1", "gmw", &opts);
    helper.wait_for("connected to p1", LINE_WAIT);
    std::thread::sleep(INTO_THE_RUN);
    helper.kill();
    let killed_at = Instant::now();
    let done = wait_all(vec![p0, p1, helper], WATCHDOG);
    // The first survivor to fail can only have seen helper1's failure (the
    // other survivor is alive and talking then); the second may see either
    // helper1's or the first survivor's hang-up, whichever its protocol
    // waited on first. So: both exit 3 naming one of those, and at least
    // one names helper1.
    for (s, other) in [(&done[0], "p1"), (&done[1], "p0")] {
        eprintln!("killed helper1: {} said {}", s.name, s.error());
        assert_eq!(s.code, Some(3), "{}: {}", s.name, s.stderr);
        assert!(
            s.at.saturating_duration_since(killed_at) < Duration::from_secs(15),
            "{} took too long",
            s.name
        );
        assert!(
            s.error().contains("party `helper1`")
                || s.error().contains(&format!("party `{other}`")),
            "{}: {}",
            s.name,
            s.stderr
        );
        assert_eq!(s.stdout, "", "{} printed partial outputs", s.name);
    }
    assert!(
        done[..2]
            .iter()
            .any(|s| s.error().contains("party `helper1`")),
        "neither survivor names helper1:\n{}\n{}",
        done[0].stderr,
        done[1].stderr
    );
}

#[test]
fn a_stopped_party_makes_the_other_time_out_with_exit_3() {
    let Some(aes) = shared("bristol-fashion/aes_128.txt") else {
        return;
    };
    const TIMEOUT: u64 = 2;
    for victim in ["p1", "p0"] {
        let dir = TempDir::new(&format!("stall-{victim}"));
        let config = network(dir.path(), &["p0", "p1"]);
        let t = TIMEOUT.to_string();
        let opts = ["--parallel", "20000", "--timeout", &t];
        let (mut p0, mut p1) = aes_pair(&aes, &config, &opts);
        let (stopped, survivor) = if victim == "p0" {
            (&mut p0, &mut p1)
        } else {
            (&mut p1, &mut p0)
        };
        stopped.wait_for("connected to", LINE_WAIT);
        std::thread::sleep(INTO_THE_RUN);
        stopped.signal("STOP");
        let stopped_at = Instant::now();
        // Wait for the survivor alone; the stopped party cannot exit.
        let until = stopped_at + WATCHDOG;
        while !survivor.poll() && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(10));
        }
        let noticed = stopped_at.elapsed();
        stopped.signal("CONT");
        stopped.kill();
        let done = wait_all(vec![p0, p1], WATCHDOG);
        let s = done.iter().find(|d| d.name != victim).expect("survivor");
        eprintln!(
            "stopped {victim}: {} said after {noticed:?}: {}",
            s.name,
            s.error()
        );
        assert_eq!(
            s.code,
            Some(3),
            "{} (if 0, the run ended before the stop):\n{}",
            s.name,
            s.stderr
        );
        assert!(
            noticed < Duration::from_secs(TIMEOUT + 8),
            "{} noticed after {noticed:?}",
            s.name
        );
        let e = s.error();
        assert!(
            (e.contains("sent nothing for") || e.contains("stopped reading"))
                && e.contains(&format!("party `{victim}`")),
            "{}: {}",
            s.name,
            s.stderr
        );
        assert_eq!(s.stdout, "");
    }
}

#[test]
fn a_peer_announcing_a_4_gib_frame_is_refused_at_once() {
    use veil_vm::net::config::NetConfig;
    use veil_vm::net::connect::{connect_mesh, ConnectOptions, Security};

    let dir = TempDir::new("frame");
    let config_path = network(dir.path(), &["alice", "bob"]);
    // The fake bob needs the very circuit alice runs: a compiled `.vc` file
    // read the way `veil party` reads it.
    let vc = dir.join("millionaires.vc");
    let vc_arg = vc.to_str().expect("utf-8").to_string();
    let o = veil(&["compile", MILLIONAIRES, "-o", &vc_arg]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(&vc).expect("vc");
    let circuit = veil_circuit::ValidCircuit::new(veil_circuit::vc::decode(&bytes).expect("vc"))
        .expect("valid");
    let protocol =
        veil_vm::prepare(veil_vm::BackendKind::Gc, Arc::new(circuit.clone())).expect("gc");
    let digest = veil_vm::session_digest(protocol.as_ref(), &circuit, 1);
    let parties = protocol.parties().to_vec();
    assert_eq!(parties, ["alice", "bob"]);

    let mut alice = party(
        &vc_arg,
        &config_path,
        "alice",
        "gc",
        &["--input", "a=5", "--timeout", "30"],
    );
    let config = NetConfig::load(&config_path).expect("config");
    let options = ConnectOptions {
        deadline: Duration::from_secs(20),
        io_timeout: Duration::from_secs(30),
    };
    // Succeeds only if alice answered bob's hello with the same digest.
    let mut links =
        connect_mesh(&config, &parties, 1, &digest, Security::Tls, &options).expect("mesh");
    alice.wait_for("connected to bob", LINE_WAIT);
    let link = links[0].as_mut().expect("link to alice");
    link.to_peer
        .write_all(&(4u64 << 30).to_le_bytes())
        .expect("write the length");
    link.to_peer.flush().expect("flush");
    let sent = Instant::now();
    let done = wait_all(vec![alice], WATCHDOG);
    drop(links);
    let alice = &done[0];
    assert_eq!(alice.code, Some(3), "{}", alice.stderr);
    let e = alice.error();
    assert!(
        e.contains("party `bob` sent a malformed message") && e.contains("4294967296"),
        "{}",
        alice.stderr
    );
    let took = alice.at.saturating_duration_since(sent);
    assert!(
        took < Duration::from_secs(5),
        "alice took {took:?} (her timeout is 30 s)"
    );
    assert_eq!(alice.stdout, "");
}

/// Runs alice and bob with their own arguments; both must stop with exit 3
/// and an error naming the other and saying their sessions differ.
fn expect_mismatch(test: &str, alice: (&str, &str, &[&str]), bob: (&str, &str, &[&str])) {
    let dir = TempDir::new(test);
    let config = network(dir.path(), &["alice", "bob"]);
    let procs = vec![
        party(alice.0, &config, "alice", alice.1, alice.2),
        party(bob.0, &config, "bob", bob.1, bob.2),
    ];
    let done = wait_all(procs, WATCHDOG);
    for (d, other) in [(&done[0], "bob"), (&done[1], "alice")] {
        assert_eq!(d.code, Some(3), "{test}: {}: {}", d.name, d.stderr);
        let e = d.error();
        assert!(
            e.contains(&format!("party `{other}` runs a different session"))
                && e.contains("a different circuit, backend, party list or options"),
            "{test}: {}: {}",
            d.name,
            d.stderr
        );
        assert_eq!(d.stdout, "");
    }
}

#[test]
fn parties_running_different_sessions_stop_with_exit_3() {
    let dir = TempDir::new("mismatch-program");
    let other = dir.join("sum.mpc");
    std::fs::write(
        &other,
        "party alice;
party bob;

fn main(a: u64 from alice, b: u64 from bob) {
    output sum = reveal(a + b);
}
",
    )
    .expect("program");
    let other = other.to_str().expect("utf-8").to_string();
    expect_mismatch(
        "mismatch-circuit",
        (MILLIONAIRES, "gc", &["--input", "a=1"]),
        (&other, "gc", &["--input", "b=2"]),
    );
    expect_mismatch(
        "mismatch-backend",
        (MILLIONAIRES, "gc", &["--input", "a=1"]),
        (MILLIONAIRES, "gmw", &["--input", "b=2"]),
    );
    expect_mismatch(
        "mismatch-parallel",
        (MILLIONAIRES, "gmw", &["--input", "a=1", "--parallel", "2"]),
        (MILLIONAIRES, "gmw", &["--input", "b=2", "--parallel", "3"]),
    );
}

#[test]
fn configuration_and_usage_errors_exit_1_or_2_before_connecting() {
    let dir = TempDir::new("usage");
    let config = network(dir.path(), &["alice", "bob"]);
    let c = config.to_str().expect("utf-8");
    let run = |args: &[&str]| {
        let mut all = vec![
            "party",
            MILLIONAIRES,
            "--config",
            c,
            "--connect-timeout",
            "30",
        ];
        all.extend(args);
        let start = Instant::now();
        let o = veil(&all);
        // None of these may wait for a peer.
        assert!(start.elapsed() < Duration::from_secs(10), "{args:?}");
        assert_eq!(stdout(&o), "", "{args:?}");
        o
    };
    // Not a party of the program.
    let o = run(&["--id", "carol", "--backend", "gc"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("`carol` is not a party of this gc run (its parties are alice, bob)"),
        "{}",
        stderr(&o)
    );
    // Another party's input.
    let o = run(&["--id", "alice", "--backend", "gc", "--input", "bob.b=1"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("each party gives only its own inputs"),
        "{}",
        stderr(&o)
    );
    // The interpreter is not a protocol.
    let o = run(&["--id", "alice", "--backend", "interp"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("use `veil run`"), "{}", stderr(&o));
    // A party of the program missing from the configuration.
    let only_bob = dir.join("only-bob.toml");
    let text = std::fs::read_to_string(&config).expect("config");
    let bob_entry = &text[text.find("[[party]]\nname = \"bob\"").expect("bob")..];
    std::fs::write(&only_bob, bob_entry).expect("write");
    let o = veil(&[
        "party",
        MILLIONAIRES,
        "--config",
        only_bob.to_str().expect("utf-8"),
        "--id",
        "alice",
        "--backend",
        "gc",
        "--input",
        "a=1",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("has no entry for party `alice`"),
        "{}",
        stderr(&o)
    );
    // This party's key is missing.
    std::fs::remove_file(dir.join("certs/alice.key")).expect("remove key");
    let o = run(&["--id", "alice", "--backend", "gc", "--input", "a=1"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("alice.key"), "{}", stderr(&o));
}

// ------------------------------------------------ 6. keygen

#[test]
fn keygen_refuses_to_overwrite_without_force() {
    let dir = TempDir::new("keygen");
    let config = network(dir.path(), &["alice", "bob"]);
    let c = config.to_str().expect("utf-8");
    let pem = dir.join("certs/alice.pem");
    let key = dir.join("certs/bob.key");
    let before = (
        std::fs::read(&pem).expect("pem"),
        std::fs::read(&key).expect("key"),
    );
    let o = veil(&["keygen", "--config", c]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("alice.pem"), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    assert_eq!(
        (
            std::fs::read(&pem).expect("pem"),
            std::fs::read(&key).expect("key")
        ),
        before,
        "keygen without --force changed a file"
    );
    let o = veil(&["keygen", "--config", c, "--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["alice.pem", "alice.key", "bob.pem", "bob.key"] {
        assert!(stdout(&o).contains(f), "{}", stdout(&o));
    }
    let pem_after = std::fs::read(&pem).expect("pem");
    let key_after = std::fs::read(&key).expect("key");
    assert_ne!(
        pem_after, before.0,
        "--force did not write a new certificate"
    );
    assert_ne!(key_after, before.1, "--force did not write a new key");
    assert!(String::from_utf8_lossy(&pem_after).starts_with("-----BEGIN CERTIFICATE-----"));
    // The new certificates work.
    let procs = vec![
        party(MILLIONAIRES, &config, "alice", "clear", &["--input", "a=2"]),
        party(MILLIONAIRES, &config, "bob", "clear", &["--input", "b=1"]),
    ];
    for d in wait_all(procs, WATCHDOG) {
        assert_eq!(d.code, Some(0), "{}: {}", d.name, d.stderr);
    }
}

/// `--stats --json` prints the cost of the run on stderr as one JSON object
/// with the bytes and rounds per peer, and `--log-level warn` silences the
/// info lines (connections, summary) but not that report.
#[test]
fn stats_report_per_peer_and_the_log_level_filters() {
    let dir = TempDir::new("stats");
    let config = network(dir.path(), &["alice", "bob"]);
    let alice = party(
        MILLIONAIRES,
        &config,
        "alice",
        "gc",
        &["--input", "a=9", "--stats", "--json", "--log-level", "warn"],
    );
    let bob = party(MILLIONAIRES, &config, "bob", "gc", &["--input", "b=4"]);
    let done = wait_all(vec![alice, bob], WATCHDOG);
    assert_eq!(done[0].code, Some(0), "{}", done[0].stderr);
    assert!(!done[0].stderr.contains("info:"), "{}", done[0].stderr);
    assert!(
        done[1].stderr.contains("info: connected to alice"),
        "{}",
        done[1].stderr
    );
    let report: serde_json::Value =
        serde_json::from_str(done[0].stderr.trim()).expect("JSON report");
    let alice = &report["parties"]["alice"];
    assert_eq!(report["backend"], "gc");
    let to_bob = &alice["peers"]["bob"];
    assert!(to_bob["bytes_sent"].as_u64().expect("bytes") > 1000);
    assert_eq!(to_bob["bytes_sent"], alice["bytes_sent"]);
    assert!(alice["phases_ms"]["connect"].as_f64().is_some());
}
