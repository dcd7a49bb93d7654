//! `veil run` and `veil bench` on the VM's protocols in local mode (every
//! party on its own thread), with the cost reports of `--stats`.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use veil_circuit::binding::{bind_inputs, GivenInput, InputSlot};
use veil_circuit::Literal;
use veil_circuit::{input_words, ValidCircuit, Value};
use veil_vm::backend::gc::Gc;
use veil_vm::crypto::Prg;
use veil_vm::{
    prepare_with, run_local_batches, BackendKind, BackendOptions, LocalOptions, LocalRun,
    PartyReport, Protocol, VmError,
};

use crate::output::json_string;

/// The program or an input is wrong.
const EXIT_INVALID: u8 = 1;
/// A protocol, network or peer failure.
const EXIT_PROTOCOL: u8 = 3;

/// Prints a VM error and returns its exit code (1 for the user's circuit or
/// inputs, 3 for the protocol or a peer).
pub fn report_error(e: &VmError) -> u8 {
    eprintln!("error: {e}");
    if e.is_input_error() {
        EXIT_INVALID
    } else {
        EXIT_PROTOCOL
    }
}

/// Matches `--input` values to the input groups of party `only` (every
/// party's when `None`); the other groups stay `None`.
fn bind_for(
    circuit: &ValidCircuit,
    given: &[GivenInput],
    only: Option<usize>,
) -> Result<Vec<Option<Value>>, u8> {
    let c = circuit.circuit();
    let groups: Vec<usize> = (0..c.inputs.len())
        .filter(|&g| only.is_none_or(|p| c.inputs[g].party as usize == p))
        .collect();
    let slots: Vec<InputSlot> = groups
        .iter()
        .map(|&g| InputSlot {
            party: c.inputs[g].party as usize,
            name: c.inputs[g].name.clone(),
            ty: c.inputs[g].ty.clone(),
        })
        .collect();
    let values = bind_inputs(&c.parties, &slots, given).map_err(|e| {
        eprintln!("{e}");
        EXIT_INVALID
    })?;
    let mut all = vec![None; c.inputs.len()];
    for (g, v) in groups.into_iter().zip(values) {
        all[g] = Some(v);
    }
    Ok(all)
}

/// Matches `--input` values to the circuit's inputs for each of `n` instances:
/// a list of exactly `n` values that does not fit the input's type on its own
/// gives one value per instance; any other value is the same in every instance.
pub fn bind_instances(
    circuit: &ValidCircuit,
    given: &[GivenInput],
    n: usize,
) -> Result<Vec<Vec<Value>>, u8> {
    let all = bind_instances_for(circuit, given, n, None)?;
    Ok(all
        .into_iter()
        .map(|i| i.into_iter().flatten().collect())
        .collect())
}

/// [`bind_instances`] for the inputs of party `only` (every party's when
/// `None`): what `veil party` binds, each process holding only its own.
pub fn bind_instances_for(
    circuit: &ValidCircuit,
    given: &[GivenInput],
    n: usize,
    only: Option<usize>,
) -> Result<Vec<Vec<Option<Value>>>, u8> {
    if n == 1 {
        return Ok(vec![bind_for(circuit, given, only)?]);
    }
    let c = circuit.circuit();
    let per_instance = |g: &GivenInput| -> Option<Vec<Literal>> {
        let Literal::List(items) = &g.value else {
            return None;
        };
        let group = c.inputs.iter().find(|grp| {
            grp.name == g.name
                && g.party
                    .as_ref()
                    .is_none_or(|p| c.parties.get(grp.party as usize) == Some(p))
                && only.is_none_or(|p| grp.party as usize == p)
        })?;
        (items.len() == n && g.value.to_value(&group.ty).is_err()).then(|| items.clone())
    };
    let split: Vec<Option<Vec<Literal>>> = given.iter().map(per_instance).collect();
    (0..n)
        .map(|i| {
            let gi: Vec<GivenInput> = given
                .iter()
                .zip(&split)
                .map(|(g, s)| match s {
                    Some(items) => GivenInput {
                        value: items[i].clone(),
                        ..g.clone()
                    },
                    None => g.clone(),
                })
                .collect();
            bind_for(circuit, &gi, only)
        })
        .collect()
}

/// Per party, each output as an array over instances (`--parallel` output).
pub fn instances_as_arrays(
    instances: &[Vec<Vec<Option<Value>>>],
    outputs: usize,
) -> Vec<Vec<Option<Value>>> {
    instances
        .iter()
        .map(|per_instance| {
            (0..outputs)
                .map(|o| {
                    per_instance
                        .iter()
                        .map(|outs| outs.get(o).cloned().flatten())
                        .collect::<Option<Vec<Value>>>()
                        .map(Value::Array)
                })
                .collect()
        })
        .collect()
}

/// The protocol for `kind`, or the exit code after printing why it cannot run the circuit.
/// Insecure choices (the dealer) are announced here, for every run and benchmark.
pub fn protocol(
    kind: BackendKind,
    circuit: &Arc<ValidCircuit>,
    options: &BackendOptions,
) -> Result<Arc<dyn Protocol>, u8> {
    let protocol =
        prepare_with(kind, Arc::clone(circuit), options).map_err(|e| report_error(&e))?;
    if matches!(kind, BackendKind::Gmw | BackendKind::Arith) {
        if let Some(w) = options.preprocessing.warning() {
            eprintln!("{w}");
        }
    }
    Ok(protocol)
}

/// Runs one batch of instances in local mode; returns what each party received.
pub fn run(
    kind: BackendKind,
    circuit: &Arc<ValidCircuit>,
    instances: Vec<Vec<Value>>,
    options: &BackendOptions,
) -> Result<(Arc<dyn Protocol>, LocalRun), u8> {
    let protocol = protocol(kind, circuit, options)?;
    let total = protocol.paid_gates() * instances.len() as u64;
    let mut runs = with_progress(total, |progress| {
        let options = LocalOptions {
            progress,
            ..LocalOptions::default()
        };
        run_local_batches(&protocol, circuit, &[instances], options)
    })
    .map_err(|e| report_error(&e))?;
    let run = runs.pop().ok_or(EXIT_PROTOCOL)?;
    Ok((protocol, run))
}

/// Runs `f` with a gate counter and, when the run takes more than a second
/// and both stdout and stderr are terminals, draws a progress bar of `total`
/// gates on stderr (CLI.md: quiet when stdout is not a terminal).
pub fn with_progress<T>(total: u64, f: impl FnOnce(Option<Arc<AtomicU64>>) -> T) -> T {
    let interactive = std::io::stdout().is_terminal() && std::io::stderr().is_terminal();
    if !interactive || total == 0 {
        return f(None);
    }
    let counter = Arc::new(AtomicU64::new(0));
    let done = AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            let start = Instant::now();
            let mut shown = false;
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                if start.elapsed() < Duration::from_secs(1) {
                    continue;
                }
                let n = counter.load(Ordering::Relaxed).min(total);
                let filled = (n * 30 / total) as usize;
                eprint!(
                    "\r[{}{}] {:3}% of {total} AND gates",
                    "#".repeat(filled),
                    " ".repeat(30 - filled),
                    n * 100 / total
                );
                shown = true;
            }
            if shown {
                eprint!("\r{}\r", " ".repeat(72));
            }
        });
        let out = f(Some(Arc::clone(&counter)));
        done.store(true, Ordering::Relaxed);
        out
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The `--stats` report: cost of the run per party (text, or one JSON object).
pub fn stats(protocol: &dyn Protocol, run: &LocalRun, json: bool) -> String {
    let instances = run.instances.first().map_or(1, Vec::len);
    cost_report(
        protocol,
        run.parties.len(),
        instances,
        run.wall,
        &run.reports,
        json,
    )
}

/// The cost of a run from the reports of the parties that measured it (all
/// of them in local mode, this process's alone in network mode): text, or
/// one JSON object with the bytes and rounds per peer. AND gates count every
/// instance of a `--parallel` run.
pub fn cost_report(
    protocol: &dyn Protocol,
    parties: usize,
    instances: usize,
    wall: Duration,
    reports: &[PartyReport],
    json: bool,
) -> String {
    let kind = protocol.kind().name();
    let gates = protocol.paid_gates() * instances as u64;
    if json {
        let parties: Vec<String> = reports
            .iter()
            .map(|r| {
                let phases: Vec<String> = r
                    .phases
                    .iter()
                    .map(|(n, t)| format!("{}: {:.4}", json_string(n), ms(*t)))
                    .collect();
                let peers: Vec<String> = r
                    .peers
                    .iter()
                    .map(|(n, s)| {
                        format!(
                            "{}: {{\"bytes_sent\": {}, \"bytes_received\": {}, \"rounds\": {}}}",
                            json_string(n),
                            s.bytes_sent,
                            s.bytes_received,
                            s.rounds
                        )
                    })
                    .collect();
                format!(
                    "{}: {{\"bytes_sent\": {}, \"bytes_received\": {}, \"rounds\": {}, \"phases_ms\": {{{}}}, \"peers\": {{{}}}}}",
                    json_string(&r.party),
                    r.bytes_sent(),
                    r.peers.iter().map(|(_, s)| s.bytes_received).sum::<u64>(),
                    r.rounds(),
                    phases.join(", "),
                    peers.join(", ")
                )
            })
            .collect();
        return format!(
            "{{\"backend\": \"{kind}\", \"and\": {gates}, \"wall_ms\": {:.4}, \"parties\": {{{}}}}}\n",
            ms(wall),
            parties.join(", ")
        );
    }
    let mut s = format!(
        "stats: backend {kind}, {gates} AND gates, {parties} parties, {:.3} ms wall\n",
        ms(wall)
    );
    for r in reports {
        let phases: Vec<String> = r
            .phases
            .iter()
            .map(|(n, t)| format!("{n} {:.3} ms", ms(*t)))
            .collect();
        s.push_str(&format!(
            "  {}: sent {} bytes, received {} bytes, {} rounds; {}\n",
            r.party,
            r.bytes_sent(),
            r.peers.iter().map(|(_, s)| s.bytes_received).sum::<u64>(),
            r.rounds(),
            phases.join(", ")
        ));
        if reports.len() == 1 {
            for (peer, st) in &r.peers {
                s.push_str(&format!(
                    "    with {peer}: sent {} bytes, received {} bytes, {} rounds\n",
                    st.bytes_sent, st.bytes_received, st.rounds
                ));
            }
        }
    }
    s
}

/// Uniformly random inputs, one value per input group.
fn random_inputs(circuit: &ValidCircuit, prg: &mut Prg) -> Vec<Value> {
    circuit
        .circuit()
        .inputs
        .iter()
        .map(|g| {
            let bits: Vec<bool> = (0..g.ty.bit_width()).map(|_| prg.bit()).collect();
            Value::from_bits(&g.ty, &bits).unwrap_or(Value::Bool(false))
        })
        .collect()
}

/// What `veil bench` measured.
#[derive(Debug)]
pub struct BenchResult {
    pub backend: &'static str,
    /// Paid gates per run (all instances of the batch).
    pub and_gates: u64,
    pub repeat: usize,
    pub parallel: usize,
    /// Triples came from a trusted dealer: said in the report too.
    pub insecure_dealer: bool,
    pub setup_ms: f64,
    pub ms_per_run: f64,
    pub and_per_s: f64,
    pub bytes_per_and: f64,
    pub rounds: u64,
    /// (garble, evaluate) AND gates per second in memory, for `gc`.
    pub in_memory: Option<(f64, f64)>,
    /// Secret AND and MUL gates per second of the online phase ("evaluate"),
    /// for the secret-sharing backends.
    pub online: Option<(f64, f64)>,
    /// Beaver triples per second of the offline phase ("triples").
    pub triples_per_s: Option<f64>,
}

/// Runs the circuit `repeat` times (each a batch of `parallel` instances) on
/// random inputs in one local session, after one warm-up run that pays the
/// set-up, and measures throughput.
pub fn bench(
    kind: BackendKind,
    circuit: &Arc<ValidCircuit>,
    repeat: usize,
    parallel: usize,
    options: &BackendOptions,
) -> Result<BenchResult, u8> {
    let protocol = protocol(kind, circuit, options)?;
    let mut prg = Prg::from_os().map_err(|e| report_error(&VmError::from(e)))?;
    let runs: Vec<Vec<Vec<Value>>> = (0..=repeat)
        .map(|_| {
            (0..parallel)
                .map(|_| random_inputs(circuit, &mut prg))
                .collect()
        })
        .collect();
    let total = protocol.paid_gates() * (runs.len() * parallel) as u64;
    let done = with_progress(total, |progress| {
        let options = LocalOptions {
            progress,
            ..LocalOptions::default()
        };
        run_local_batches(&protocol, circuit, &runs, options)
    })
    .map_err(|e| report_error(&e))?;
    // Per run: every instance of the batch.
    let and_gates = protocol.paid_gates() * parallel as u64;
    let measured = &done[1..];
    let total: f64 = measured.iter().map(|r| r.wall.as_secs_f64()).sum();
    let per_run = total / repeat as f64;
    let bytes: u64 = measured
        .iter()
        .map(|r| r.reports.iter().map(|p| p.bytes_sent()).sum::<u64>())
        .sum::<u64>()
        / repeat as u64;
    let rounds = measured
        .iter()
        .flat_map(|r| r.reports.iter().map(|p| p.rounds()))
        .max()
        .unwrap_or(0);
    // Online and offline rates, from the slowest party's phase times.
    let phase = |name: &str| -> f64 {
        measured
            .iter()
            .map(|r| {
                r.reports
                    .iter()
                    .flat_map(|p| {
                        p.phases
                            .iter()
                            .filter(|(n, _)| *n == name)
                            .map(|(_, t)| t.as_secs_f64())
                    })
                    .fold(0.0, f64::max)
            })
            .sum()
    };
    let stats = veil_circuit::Stats::of(circuit);
    let muls = stats.arith.as_ref().map_or(0, |a| a.mul);
    let per_batch = |n: u64| (n * parallel as u64 * repeat as u64) as f64;
    let rate = |n: f64, t: f64| if t > 0.0 { n / t } else { 0.0 };
    let sharing = matches!(
        kind,
        BackendKind::Gmw | BackendKind::Arith | BackendKind::Rep3
    );
    let online = sharing.then(|| {
        let t = phase("evaluate");
        (rate(per_batch(stats.and), t), rate(per_batch(muls), t))
    });
    let triples_per_s = (matches!(kind, BackendKind::Gmw | BackendKind::Arith))
        .then(|| rate(per_batch(stats.and + muls), phase("triples")));
    let in_memory = match kind {
        BackendKind::Gc => {
            let flat: Vec<Vec<Value>> = runs[1..].iter().flatten().cloned().collect();
            Some(in_memory(circuit, &flat)?)
        }
        _ => None,
    };
    Ok(BenchResult {
        backend: kind.name(),
        and_gates,
        repeat,
        parallel,
        insecure_dealer: matches!(kind, BackendKind::Gmw | BackendKind::Arith)
            && options.preprocessing.warning().is_some(),
        setup_ms: done[0].wall.as_secs_f64() * 1e3,
        ms_per_run: per_run * 1e3,
        and_per_s: if per_run > 0.0 {
            and_gates as f64 / per_run
        } else {
            0.0
        },
        bytes_per_and: if and_gates > 0 {
            bytes as f64 / and_gates as f64
        } else {
            0.0
        },
        rounds,
        in_memory,
        online,
        triples_per_s,
    })
}

/// Garbling and evaluation speed with no channel and no OT.
fn in_memory(circuit: &Arc<ValidCircuit>, runs: &[Vec<Value>]) -> Result<(f64, f64), u8> {
    let gc = Gc::new(Arc::clone(circuit)).map_err(|e| report_error(&e))?;
    let c = circuit.circuit();
    let (mut garble, mut evaluate) = (0.0, 0.0);
    for values in runs {
        let words = c
            .inputs
            .iter()
            .zip(values)
            .map(|(g, v)| input_words(g, v, c.ring_bits))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| report_error(&VmError::Input(e.to_string())))?;
        let r = gc.in_memory(&words).map_err(|e| report_error(&e))?;
        garble += r.garble.as_secs_f64();
        evaluate += r.evaluate.as_secs_f64();
    }
    let ands = (gc.paid_gates() * runs.len() as u64) as f64;
    let rate = |t: f64| if t > 0.0 { ands / t } else { 0.0 };
    Ok((rate(garble), rate(evaluate)))
}

impl BenchResult {
    /// The report: `key = value` lines, or one JSON object (CLI.md keys).
    pub fn render(&self, json: bool) -> String {
        let mut fields: Vec<(&str, String)> = vec![
            ("backend", format!("\"{}\"", self.backend)),
            ("and_gates", self.and_gates.to_string()),
            ("repeat", self.repeat.to_string()),
            ("parallel", self.parallel.to_string()),
            ("setup_ms", format!("{:.3}", self.setup_ms)),
            ("ms_per_run", format!("{:.4}", self.ms_per_run)),
            ("and_per_s", format!("{:.0}", self.and_per_s)),
            ("bytes_per_and", format!("{:.3}", self.bytes_per_and)),
            ("rounds", self.rounds.to_string()),
        ];
        if self.insecure_dealer {
            fields.push((
                "preprocessing",
                "\"dealer (INSECURE: the dealer sees every triple)\"".into(),
            ));
        }
        if let Some((and, mul)) = self.online {
            fields.push(("online_and_per_s", format!("{and:.0}")));
            fields.push(("mul_per_s", format!("{mul:.0}")));
        }
        if let Some(t) = self.triples_per_s {
            fields.push(("triples_per_s", format!("{t:.0}")));
        }
        if let Some((g, e)) = self.in_memory {
            fields.push(("garble_and_per_s", format!("{g:.0}")));
            fields.push(("eval_and_per_s", format!("{e:.0}")));
        }
        if json {
            let body: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("\"{k}\": {v}"))
                .collect();
            format!("{{{}}}\n", body.join(", "))
        } else {
            fields
                .iter()
                .map(|(k, v)| format!("{k:<17} {}\n", v.trim_matches('"')))
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use veil_vm::net::NetError;

    #[test]
    fn peer_failures_exit_3_and_user_errors_exit_1() {
        let hangup = VmError::Net(NetError::Disconnected { peer: "bob".into() });
        assert_eq!(report_error(&hangup), EXIT_PROTOCOL);
        let timeout = VmError::Net(NetError::Timeout {
            peer: "bob".into(),
            waited: std::time::Duration::from_secs(60),
        });
        assert_eq!(report_error(&timeout), EXIT_PROTOCOL);
        let lie = VmError::Protocol {
            peer: "bob".into(),
            why: "bad label".into(),
        };
        assert_eq!(report_error(&lie), EXIT_PROTOCOL);
        assert_eq!(
            report_error(&VmError::Input("wrong width".into())),
            EXIT_INVALID
        );
        let unsupported = VmError::Unsupported {
            backend: "gc",
            why: "three parties".into(),
        };
        assert_eq!(report_error(&unsupported), EXIT_INVALID);
    }
}
