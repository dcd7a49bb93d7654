//! Protocols: each backend runs one party's side of a circuit over [`Peers`].
//!
//! A backend is built once per circuit ([`prepare`]), which is where it checks
//! that it can run the circuit and precomputes whatever its hot loop needs;
//! [`Protocol::run_party`] then runs any number of times. The session
//! ([`crate::party`]) has already checked the party's inputs and shared the
//! public ones, so a backend sees wire words only.

pub mod arith;
pub mod clear;
pub mod gc;
pub mod gmw;
pub mod layers;
mod registers;
pub mod rep3;

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::{Duration, Instant};

use veil_circuit::ValidCircuit;

use crate::error::VmError;
use crate::net::{Channel, Peers};
use crate::ot::{OtExtReceiver, OtExtSender};
use crate::preprocess::Preprocessing;

/// The protocols `veil run --backend` offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BackendKind {
    /// Plaintext: every party sends its inputs to every other (a reference, no privacy).
    Clear,
    /// Yao's garbled circuits, two parties, semi-honest.
    Gc,
    /// GMW: XOR shares among N ≥ 2 parties, AND through Beaver triples.
    Gmw,
    /// Additive shares over Z_2^k among N ≥ 2 parties, MUL through Beaver triples.
    Arith,
    /// Replicated secret sharing among three parties, honest majority.
    Rep3,
}

impl BackendKind {
    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Clear => "clear",
            BackendKind::Gc => "gc",
            BackendKind::Gmw => "gmw",
            BackendKind::Arith => "arith",
            BackendKind::Rep3 => "rep3",
        }
    }
}

/// Choices a user makes for a run beyond the backend itself.
#[derive(Debug, Clone, Default)]
pub struct BackendOptions {
    /// `--parties N`: run among N parties where the backend allows more than
    /// the circuit declares (extra parties compute but have no inputs or outputs).
    pub parties: Option<usize>,
    /// `--preprocessing ot|dealer` for the backends that need Beaver triples.
    pub preprocessing: Preprocessing,
}

/// Wire words of the inputs a party knows, one entry per input group: `Some`
/// for its own groups and for every public group, `None` for other parties'
/// secrets. With several instances, each entry holds every instance's words
/// one after the other (instance-major).
pub type KnownInputs = [Option<Vec<u64>>];

/// Wire words of the outputs a party received, one entry per output group
/// (`None` where it is not a recipient), instance-major like [`KnownInputs`].
pub type ReceivedOutputs = Vec<Option<Vec<u64>>>;

/// Wall time per named phase, in the order the phases ran.
#[derive(Debug, Clone, Default)]
pub struct Phases {
    done: Vec<(&'static str, Duration)>,
}

impl Phases {
    /// Runs `f` as phase `name`, adding its wall time.
    pub fn time<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        self.add(name, start.elapsed());
        out
    }

    /// Adds `time` to phase `name`.
    pub fn add(&mut self, name: &'static str, time: Duration) {
        match self.done.iter_mut().find(|(n, _)| *n == name) {
            Some((_, t)) => *t += time,
            None => self.done.push((name, time)),
        }
    }

    /// Every phase with its time.
    pub fn list(&self) -> &[(&'static str, Duration)] {
        &self.done
    }
}

/// State a party keeps across runs with the same peers: OT extension set up
/// once (base OTs cost public-key operations) serves every later run.
#[derive(Debug, Default)]
pub struct Session {
    /// OT extension where this party sends, by peer index.
    pub ot_senders: Vec<Option<OtExtSender>>,
    /// OT extension where this party receives, by peer index.
    pub ot_receivers: Vec<Option<OtExtReceiver>>,
    /// Where a backend may count the paid gates it has done (for a progress display).
    pub progress: Option<Arc<AtomicU64>>,
}

impl Session {
    /// The OT sender towards `peer`, set up over `ch` on first use.
    pub fn ot_sender(
        &mut self,
        peer: usize,
        ch: &mut dyn Channel,
    ) -> Result<&mut OtExtSender, VmError> {
        if self.ot_senders.len() <= peer {
            self.ot_senders.resize_with(peer + 1, || None);
        }
        let slot = &mut self.ot_senders[peer];
        if slot.is_none() {
            *slot = Some(OtExtSender::setup(ch)?);
        }
        slot.as_mut().ok_or(VmError::Crashed {
            party: String::new(),
            why: "OT sender missing after set-up".into(),
        })
    }

    /// The OT receiver towards `peer`, set up over `ch` on first use.
    pub fn ot_receiver(
        &mut self,
        peer: usize,
        ch: &mut dyn Channel,
    ) -> Result<&mut OtExtReceiver, VmError> {
        if self.ot_receivers.len() <= peer {
            self.ot_receivers.resize_with(peer + 1, || None);
        }
        let slot = &mut self.ot_receivers[peer];
        if slot.is_none() {
            *slot = Some(OtExtReceiver::setup(ch)?);
        }
        slot.as_mut().ok_or(VmError::Crashed {
            party: String::new(),
            why: "OT receiver missing after set-up".into(),
        })
    }
}

/// One party's side of a protocol over a prepared circuit.
pub trait Protocol: Send + Sync + std::fmt::Debug {
    /// The backend's name.
    fn kind(&self) -> BackendKind;

    /// Every party that takes part, in index order: the circuit's parties,
    /// plus any helper the protocol needs (gc adds an evaluator to a
    /// one-party circuit).
    fn parties(&self) -> &[String];

    /// The gates this protocol pays for per run (AND gates for Boolean protocols).
    fn paid_gates(&self) -> u64;

    /// Whether [`Protocol::run_party`] evaluates many instances in one pass
    /// (`--parallel`); otherwise the session runs instances one by one.
    fn batched(&self) -> bool {
        false
    }

    /// Runs party `peers.me()`'s side on `instances` instances (always 1 for
    /// protocols that are not [`Protocol::batched`]): `inputs` holds what it
    /// knows, the result what it is entitled to learn.
    fn run_party(
        &self,
        inputs: &KnownInputs,
        instances: usize,
        peers: &mut Peers,
        session: &mut Session,
        phases: &mut Phases,
    ) -> Result<ReceivedOutputs, VmError>;
}

/// The parties of an N-party sharing protocol (gmw, arith).
#[derive(Debug, Clone)]
pub(crate) struct SharingParties {
    /// Every party's name, in index order.
    pub names: Vec<String>,
    /// The compute parties: the circuit's own, then helpers.
    pub compute: usize,
    /// The dealer's index, when triples come from one.
    pub dealer: Option<usize>,
}

/// `name`, made unique among `taken` by appending `_`.
pub(crate) fn unique_name(mut name: String, taken: &[String]) -> String {
    while taken.contains(&name) {
        name.push('_');
    }
    name
}

/// The circuit's parties, compute-only helpers (`helper1`, …) up to
/// `options.parties` (at least two compute parties in all), then a `dealer`
/// with dealer preprocessing; `backend` names who refuses a bad count.
pub(crate) fn sharing_parties(
    backend: &'static str,
    c: &veil_circuit::Circuit,
    options: &BackendOptions,
) -> Result<SharingParties, VmError> {
    let own = c.parties.len();
    let unsupported = |why: String| VmError::Unsupported { backend, why };
    let compute = match options.parties {
        None => own.max(2),
        Some(n) if n < own => {
            return Err(unsupported(format!(
                "the circuit has {own} parties ({}), more than `--parties {n}`",
                c.parties.join(", ")
            )))
        }
        Some(n) if n < 2 => {
            return Err(unsupported(format!(
                "{backend} needs at least two parties, not `--parties {n}`"
            )))
        }
        Some(n) => n,
    };
    let mut names = c.parties.clone();
    for h in 1..=compute - own {
        let name = unique_name(format!("helper{h}"), &names);
        names.push(name);
    }
    let dealer = match options.preprocessing {
        Preprocessing::Dealer => {
            let name = unique_name("dealer".into(), &names);
            names.push(name);
            Some(compute)
        }
        Preprocessing::Ot => None,
    };
    Ok(SharingParties {
        names,
        compute,
        dealer,
    })
}

/// Builds backend `kind` for `circuit`, refusing circuits it cannot run.
pub fn prepare(
    kind: BackendKind,
    circuit: Arc<ValidCircuit>,
) -> Result<Arc<dyn Protocol>, VmError> {
    prepare_with(kind, circuit, &BackendOptions::default())
}

/// [`prepare`] with the user's options.
pub fn prepare_with(
    kind: BackendKind,
    circuit: Arc<ValidCircuit>,
    options: &BackendOptions,
) -> Result<Arc<dyn Protocol>, VmError> {
    let fixed_parties = |backend: &'static str| -> Result<(), VmError> {
        match options.parties {
            Some(n) if n != circuit.circuit().parties.len().max(2) => Err(VmError::Unsupported {
                backend,
                why: format!("it runs the circuit's own parties; `--parties {n}` does not apply"),
            }),
            _ => Ok(()),
        }
    };
    Ok(match kind {
        BackendKind::Clear => {
            fixed_parties("clear")?;
            Arc::new(clear::Clear::new(circuit))
        }
        BackendKind::Gc => {
            fixed_parties("gc")?;
            Arc::new(gc::Gc::new(circuit)?)
        }
        BackendKind::Gmw => Arc::new(gmw::Gmw::new(circuit, options)?),
        BackendKind::Arith => Arc::new(arith::Arith::new(circuit, options)?),
        BackendKind::Rep3 => Arc::new(rep3::Rep3::new(circuit, options)?),
    })
}
