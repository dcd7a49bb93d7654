//! One party's session: check its inputs against the circuit, share the
//! public ones, run the protocol, and decode the outputs it is entitled to.
//!
//! The same session runs in local mode (a thread per party) and, over TLS,
//! in a process per party; only the [`Peers`] differ.

use std::time::Duration;

use veil_circuit::{input_words, output_value, Domain, ValidCircuit, Value};

use crate::backend::{Phases, Protocol, ReceivedOutputs, Session};
use crate::error::VmError;
use crate::net::{ChannelStats, NetError, Peers};

/// What one party measured during a run.
#[derive(Debug, Clone)]
pub struct PartyReport {
    /// The party's name.
    pub party: String,
    /// Wall time per phase, in order.
    pub phases: Vec<(&'static str, Duration)>,
    /// Channel counters per peer (peer name, counters).
    pub peers: Vec<(String, ChannelStats)>,
}

impl PartyReport {
    /// Bytes this party sent to all peers.
    pub fn bytes_sent(&self) -> u64 {
        self.peers.iter().map(|(_, s)| s.bytes_sent).sum()
    }

    /// The most rounds this party started on any one channel.
    pub fn rounds(&self) -> u64 {
        self.peers.iter().map(|(_, s)| s.rounds).max().unwrap_or(0)
    }
}

/// What a party learns: one entry per output group, `Some` where it is a recipient.
pub type PartyOutputs = Vec<Option<Value>>;

/// Party `me`'s share of a full input assignment (one value per input
/// group): the values of the groups it owns, `None` elsewhere. Local mode,
/// tests and benchmarks hold every party's inputs and hand each its own.
pub fn own_inputs(circuit: &ValidCircuit, me: usize, inputs: &[Value]) -> Vec<Option<Value>> {
    circuit
        .circuit()
        .inputs
        .iter()
        .zip(inputs)
        .map(|(g, v)| (g.party as usize == me).then(|| v.clone()))
        .collect()
}

/// Runs party `peers.me()` on one instance: `own[g]` is its value for input
/// group `g` (it must give exactly the groups it owns).
pub fn run_party(
    protocol: &dyn Protocol,
    circuit: &ValidCircuit,
    own: &[Option<Value>],
    peers: &mut Peers,
    session: &mut Session,
) -> Result<(PartyOutputs, PartyReport), VmError> {
    let (mut outputs, report) = run_party_batch(
        protocol,
        circuit,
        std::slice::from_ref(&own.to_vec()),
        peers,
        session,
    )?;
    Ok((outputs.pop().unwrap_or_default(), report))
}

/// Runs party `peers.me()` on a batch of independent instances of the circuit
/// (`own[i][g]`: its value for group `g` of instance `i`). A batched protocol
/// evaluates them in one pass, one round per layer for all; others run them
/// one after the other. Returns the outputs per instance and one report.
pub fn run_party_batch(
    protocol: &dyn Protocol,
    circuit: &ValidCircuit,
    own: &[Vec<Option<Value>>],
    peers: &mut Peers,
    session: &mut Session,
) -> Result<(Vec<PartyOutputs>, PartyReport), VmError> {
    let c = circuit.circuit();
    let me = peers.me();
    let my_name = peers.names().get(me).cloned().unwrap_or_default();
    if peers.names() != protocol.parties() {
        return Err(VmError::Input(format!(
            "{} runs among the parties {}, but this session connects {}",
            protocol.kind().name(),
            protocol.parties().join(", "),
            peers.names().join(", ")
        )));
    }
    let mut phases = Phases::default();
    let mut known = own
        .iter()
        .map(|own| check_inputs(circuit, me, &my_name, own))
        .collect::<Result<Vec<_>, _>>()?;
    peers.start_run();
    let before = peers.stats();
    if c.inputs.iter().any(|g| g.public) {
        phases.time("public inputs", || -> Result<(), VmError> {
            for k in known.iter_mut() {
                share_public_inputs(circuit, k, peers)?;
            }
            Ok(())
        })?;
    }
    let words: Vec<ReceivedOutputs> = if protocol.batched() && known.len() > 1 {
        split_instances(
            protocol.run_party(
                &join_instances(&known),
                known.len(),
                peers,
                session,
                &mut phases,
            )?,
            known.len(),
        )
    } else {
        known
            .iter()
            .map(|k| protocol.run_party(k, 1, peers, session, &mut phases))
            .collect::<Result<_, _>>()?
    };
    peers.flush_all()?;
    let mut outputs = Vec::with_capacity(words.len());
    for instance in words {
        let mut values = Vec::with_capacity(c.outputs.len());
        for (g, w) in c.outputs.iter().zip(instance) {
            values.push(match w {
                Some(w) => Some(output_value(g, &w).map_err(|e| VmError::Protocol {
                    peer: "the protocol".into(),
                    why: e.to_string(),
                })?),
                None => None,
            });
        }
        outputs.push(values);
    }
    // Counters of this run only (a session may have carried earlier runs).
    let stats = peers.stats();
    let report = PartyReport {
        party: my_name,
        phases: phases.list().to_vec(),
        peers: peers
            .names()
            .iter()
            .zip(stats.into_iter().zip(before))
            .filter_map(|(n, (s, b))| Some((n.clone(), s?.minus(b.unwrap_or_default()))))
            .collect(),
    };
    Ok((outputs, report))
}

/// Per group, the words of every instance one after the other (instance-major).
fn join_instances(known: &[Vec<Option<Vec<u64>>>]) -> Vec<Option<Vec<u64>>> {
    let groups = known.first().map_or(0, Vec::len);
    (0..groups)
        .map(|g| {
            let mut all = Vec::new();
            for k in known {
                all.extend_from_slice(k[g].as_deref()?);
            }
            Some(all)
        })
        .collect()
}

/// The inverse of [`join_instances`] for outputs.
fn split_instances(joined: ReceivedOutputs, instances: usize) -> Vec<ReceivedOutputs> {
    let mut out: Vec<ReceivedOutputs> = (0..instances)
        .map(|_| Vec::with_capacity(joined.len()))
        .collect();
    for group in joined {
        match group {
            Some(words) => {
                let width = words.len() / instances.max(1);
                for (i, o) in out.iter_mut().enumerate() {
                    o.push(words.get(i * width..(i + 1) * width).map(<[u64]>::to_vec));
                }
            }
            None => out.iter_mut().for_each(|o| o.push(None)),
        }
    }
    out
}

/// The wire words of the party's own inputs, after checking that it gives
/// exactly the groups it owns, each of the right type.
fn check_inputs(
    circuit: &ValidCircuit,
    me: usize,
    my_name: &str,
    own: &[Option<Value>],
) -> Result<Vec<Option<Vec<u64>>>, VmError> {
    let c = circuit.circuit();
    if own.len() != c.inputs.len() {
        return Err(VmError::Input(format!(
            "party `{my_name}`: expected one entry per input group ({}), got {}",
            c.inputs.len(),
            own.len()
        )));
    }
    let mut known = Vec::with_capacity(own.len());
    for (g, v) in c.inputs.iter().zip(own) {
        let mine = g.party as usize == me;
        known.push(match (mine, v) {
            (true, Some(v)) => Some(
                input_words(g, v, c.ring_bits)
                    .map_err(|e| VmError::Input(format!("party `{my_name}`: {e}")))?,
            ),
            (true, None) => {
                return Err(VmError::Input(format!(
                    "party `{my_name}` must give its input `{}` of type {}",
                    g.name, g.ty
                )))
            }
            (false, Some(_)) => {
                return Err(VmError::Input(format!(
                    "party `{my_name}` gave input `{}`, which belongs to another party",
                    g.name
                )))
            }
            (false, None) => None,
        });
    }
    Ok(known)
}

/// Each public input travels from its owner to every other party, so that all
/// parties know every public wire (and check what they receive).
fn share_public_inputs(
    circuit: &ValidCircuit,
    known: &mut [Option<Vec<u64>>],
    peers: &mut Peers,
) -> Result<(), VmError> {
    let c = circuit.circuit();
    let me = peers.me();
    let limit = veil_circuit::validate::ring_mask(c.ring_bits);
    // All sends first, then all receives (see the clear backend for why).
    for (g, slot) in c.inputs.iter().zip(known.iter()) {
        if g.public && g.party as usize == me {
            let words = slot.as_deref().unwrap_or_default();
            for peer in (0..peers.len()).filter(|&p| p != me) {
                let ch = peers.channel(peer)?;
                for &w in words {
                    ch.send_u64(w)?;
                }
            }
        }
    }
    peers.flush_all()?;
    for (g, slot) in c.inputs.iter().zip(known.iter_mut()) {
        let owner = g.party as usize;
        if !g.public || owner == me {
            continue;
        }
        let ch = peers.channel(owner)?;
        let max = if g.domain == Domain::Bool { 1 } else { limit };
        let mut words = Vec::with_capacity(g.wires.len() as usize);
        for _ in 0..g.wires.len() {
            let w = ch.recv_u64()?;
            if w > max {
                return Err(NetError::Malformed {
                    peer: ch.peer().to_string(),
                    why: format!("public input `{}` has an out-of-range word {w}", g.name),
                }
                .into());
            }
            words.push(w);
        }
        *slot = Some(words);
    }
    Ok(())
}
