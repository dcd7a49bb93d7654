//! Local mode: every party on its own thread in this process, connected by
//! in-memory channels. The default for `veil run`, tests and examples.

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::{Duration, Instant};

use veil_circuit::{ValidCircuit, Value};

use crate::backend::{Protocol, Session};
use crate::error::VmError;
use crate::net::{local, DEFAULT_TIMEOUT};
use crate::party::{own_inputs, run_party_batch, PartyOutputs, PartyReport};

/// The result of a local run.
#[derive(Debug, Clone)]
pub struct LocalRun {
    /// Every party that took part (the circuit's, then any helper).
    pub parties: Vec<String>,
    /// What each party learned, by party index (the first instance's, the
    /// only one unless the run was parallel).
    pub outputs: Vec<PartyOutputs>,
    /// What each party learned in every instance: `[party][instance]`.
    pub instances: Vec<Vec<PartyOutputs>>,
    /// What each party measured, by party index.
    pub reports: Vec<PartyReport>,
    /// Wall time of the run (the slowest party's).
    pub wall: Duration,
}

/// Options of a local run.
#[derive(Debug, Clone)]
pub struct LocalOptions {
    /// How long a party waits for a silent peer.
    pub timeout: Duration,
    /// A counter the protocol advances by the paid gates it has done, so
    /// that a caller can show progress on long runs.
    pub progress: Option<Arc<AtomicU64>>,
}

impl Default for LocalOptions {
    fn default() -> Self {
        LocalOptions {
            timeout: DEFAULT_TIMEOUT,
            progress: None,
        }
    }
}

/// Runs `protocol` once with one value per input group (in group order),
/// each party given only the values it owns.
pub fn run_local(
    protocol: &Arc<dyn Protocol>,
    circuit: &Arc<ValidCircuit>,
    inputs: &[Value],
    options: LocalOptions,
) -> Result<LocalRun, VmError> {
    let mut runs = run_local_many(
        protocol,
        circuit,
        std::slice::from_ref(&inputs.to_vec()),
        options,
    )?;
    runs.pop().ok_or_else(|| VmError::Crashed {
        party: String::new(),
        why: "no run result".into(),
    })
}

/// Runs `protocol` once per entry of `runs` among the same party threads and
/// channels, so that set-up (OT extension's base OTs) is paid once: what a
/// benchmark of many runs measures. Each run's `wall` is the slowest party's
/// time for that run.
pub fn run_local_many(
    protocol: &Arc<dyn Protocol>,
    circuit: &Arc<ValidCircuit>,
    runs: &[Vec<Value>],
    options: LocalOptions,
) -> Result<Vec<LocalRun>, VmError> {
    let batches: Vec<Vec<Vec<Value>>> = runs.iter().map(|r| vec![r.clone()]).collect();
    run_local_batches(protocol, circuit, &batches, options)
}

/// Runs `protocol` once per batch of `runs`, each batch a list of independent
/// instances (`--parallel`: one value per input group per instance) that a
/// batched protocol evaluates in one pass.
pub fn run_local_batches(
    protocol: &Arc<dyn Protocol>,
    circuit: &Arc<ValidCircuit>,
    runs: &[Vec<Vec<Value>>],
    options: LocalOptions,
) -> Result<Vec<LocalRun>, VmError> {
    let c = circuit.circuit();
    for inputs in runs.iter().flatten() {
        if inputs.len() != c.inputs.len() {
            return Err(VmError::Input(format!(
                "expected {} input values (one per input group), got {}",
                c.inputs.len(),
                inputs.len()
            )));
        }
    }
    let names = protocol.parties().to_vec();
    let meshes = local::mesh(&names, options.timeout);
    let progress = &options.progress;
    type PartyRuns = Vec<(Vec<PartyOutputs>, PartyReport, Duration)>;
    let results: Vec<Result<PartyRuns, VmError>> = std::thread::scope(|s| {
        let handles: Vec<_> = meshes
            .into_iter()
            .enumerate()
            .map(|(me, mut peers)| {
                let protocol = Arc::clone(protocol);
                let name = names[me].clone();
                let handle = std::thread::Builder::new()
                    .name(format!("party {name}"))
                    .spawn_scoped(s, move || -> Result<PartyRuns, VmError> {
                        let mut session = Session {
                            progress: progress.clone(),
                            ..Session::default()
                        };
                        let mut done = Vec::with_capacity(runs.len());
                        for batch in runs {
                            let own: Vec<Vec<Option<Value>>> = batch
                                .iter()
                                .map(|inputs| own_inputs(circuit, me, inputs))
                                .collect();
                            let start = Instant::now();
                            let (o, r) = run_party_batch(
                                protocol.as_ref(),
                                circuit,
                                &own,
                                &mut peers,
                                &mut session,
                            )?;
                            done.push((o, r, start.elapsed()));
                        }
                        Ok(done)
                    });
                (name, handle)
            })
            .collect();
        handles
            .into_iter()
            .map(|(party, h)| match h {
                Ok(h) => h.join().unwrap_or_else(|_| {
                    Err(VmError::Crashed {
                        party,
                        why: "its thread panicked".into(),
                    })
                }),
                Err(e) => Err(VmError::Crashed {
                    party,
                    why: format!("cannot start its thread: {e}"),
                }),
            })
            .collect()
    });
    let mut per_party = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(runs) => per_party.push(runs),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        // Report the root cause, not the hang-ups it caused at the other parties.
        let pos = errors.iter().position(|e| !e.is_consequence()).unwrap_or(0);
        return Err(errors.swap_remove(pos));
    }
    let mut out: Vec<LocalRun> = (0..runs.len())
        .map(|_| LocalRun {
            parties: names.clone(),
            outputs: Vec::new(),
            instances: Vec::new(),
            reports: Vec::new(),
            wall: Duration::ZERO,
        })
        .collect();
    for party_runs in per_party {
        for (run, (o, r, t)) in out.iter_mut().zip(party_runs) {
            run.outputs.push(o.first().cloned().unwrap_or_default());
            run.instances.push(o);
            run.reports.push(r);
            run.wall = run.wall.max(t);
        }
    }
    Ok(out)
}
