//! Network mode: this process is one party, connected to the others over
//! mutually authenticated TLS (`veil party`). The protocol code is the same
//! as in local mode; only the channels differ.

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::{Duration, Instant};

use veil_circuit::{ValidCircuit, Value};

use crate::backend::{Protocol, Session};
use crate::error::VmError;
use crate::net::config::NetConfig;
use crate::net::connect::{connect_mesh, ConnectOptions, Security};
use crate::net::stream::peers_over;
use crate::net::DEFAULT_TIMEOUT;
use crate::party::{run_party_batch, PartyOutputs, PartyReport};

/// Options of a networked run.
#[derive(Debug, Clone)]
pub struct NetworkOptions {
    /// How long connecting to every peer may take (peers may start in any order).
    pub connect_deadline: Duration,
    /// How long this party waits for a silent peer once connected.
    pub timeout: Duration,
    /// TLS for every user-facing run; plain TCP only where a benchmark
    /// measures what TLS costs.
    pub security: Security,
    /// Advanced by the paid gates done, for a progress bar.
    pub progress: Option<Arc<AtomicU64>>,
}

impl Default for NetworkOptions {
    fn default() -> Self {
        NetworkOptions {
            connect_deadline: DEFAULT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            security: Security::Tls,
            progress: None,
        }
    }
}

/// What this party learned and measured.
#[derive(Debug, Clone)]
pub struct NetworkRun {
    /// This party's outputs, one entry per instance.
    pub instances: Vec<PartyOutputs>,
    /// Its counters per peer and time per phase (connecting included).
    pub report: PartyReport,
    /// Wall time from the first connection attempt to the last byte.
    pub wall: Duration,
}

/// What every party must agree on before any input is touched: the circuit,
/// the backend and its party list (which names the dealer or extra parties),
/// the number of instances and the Veil version (the wire format). Parties
/// exchange it first, so a mismatch is a clear error, not garbage.
pub fn session_digest(
    protocol: &dyn Protocol,
    circuit: &ValidCircuit,
    instances: usize,
) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(b"veil session v1\0");
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(&[0]);
    h.update(protocol.kind().name().as_bytes());
    h.update(&[0]);
    for p in protocol.parties() {
        h.update(&(p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    h.update(&(instances as u64).to_le_bytes());
    h.update(&veil_circuit::vc::encode(circuit.circuit()));
    *h.finalize().as_bytes()
}

/// Runs party `me` of `protocol` on a batch of instances (`own[i][g]`: its
/// value for input group `g` of instance `i`), connected to the other
/// parties as `config` says.
pub fn run_network(
    protocol: &Arc<dyn Protocol>,
    circuit: &Arc<ValidCircuit>,
    config: &NetConfig,
    me: &str,
    own: &[Vec<Option<Value>>],
    options: &NetworkOptions,
) -> Result<NetworkRun, VmError> {
    let names = protocol.parties().to_vec();
    let Some(index) = names.iter().position(|n| n == me) else {
        return Err(VmError::Input(format!(
            "`{me}` is not a party of this run (its parties are {})",
            names.join(", ")
        )));
    };
    let start = Instant::now();
    let digest = session_digest(protocol.as_ref(), circuit, own.len().max(1));
    log::debug!(
        "session digest {}",
        digest
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let connect = ConnectOptions {
        deadline: options.connect_deadline,
        io_timeout: options.timeout,
    };
    let links = connect_mesh(config, &names, index, &digest, options.security, &connect)?;
    let mut peers = peers_over(names, index, links, options.timeout)?;
    let connected = start.elapsed();
    log::debug!(
        "connected to every party in {:.1} ms",
        connected.as_secs_f64() * 1e3
    );
    let mut session = Session {
        progress: options.progress.clone(),
        ..Session::default()
    };
    let (instances, mut report) =
        run_party_batch(protocol.as_ref(), circuit, own, &mut peers, &mut session)?;
    if let Err(e) = peers.close_all() {
        // Everything this party needed has arrived; a peer that went away
        // before taking its last bytes is worth a warning, not a failure.
        log::warn!("closing the connections: {e}");
    }
    report.phases.insert(0, ("connect", connected));
    Ok(NetworkRun {
        instances,
        report,
        wall: start.elapsed(),
    })
}
