//! The plaintext reference as a protocol: every party sends its secret inputs
//! to every other party, and each evaluates the circuit and keeps its outputs.
//!
//! It has no privacy at all. It exists so that the session, the channels and
//! the reports are exercised exactly as the real protocols exercise them, and
//! so that every protocol has a reference with the same interface.

use std::sync::Arc;

use veil_circuit::{Evaluator, ValidCircuit};

use super::{BackendKind, KnownInputs, Phases, Protocol, ReceivedOutputs, Session};
use crate::error::VmError;
use crate::net::Peers;

/// The plaintext backend.
#[derive(Debug)]
pub struct Clear {
    circuit: Arc<ValidCircuit>,
    parties: Vec<String>,
    paid: u64,
}

impl Clear {
    /// The backend for `circuit` (any circuit, any number of parties).
    pub fn new(circuit: Arc<ValidCircuit>) -> Clear {
        let parties = circuit.circuit().parties.clone();
        let paid = veil_circuit::Stats::of(&circuit).and;
        Clear {
            circuit,
            parties,
            paid,
        }
    }
}

impl Protocol for Clear {
    fn kind(&self) -> BackendKind {
        BackendKind::Clear
    }

    fn parties(&self) -> &[String] {
        &self.parties
    }

    fn paid_gates(&self) -> u64 {
        self.paid
    }

    fn run_party(
        &self,
        inputs: &KnownInputs,
        _instances: usize,
        peers: &mut Peers,
        _session: &mut Session,
        phases: &mut Phases,
    ) -> Result<ReceivedOutputs, VmError> {
        let c = self.circuit.circuit();
        let me = peers.me();
        let mut all: Vec<Vec<u64>> = Vec::with_capacity(c.inputs.len());
        phases.time("inputs", || -> Result<(), VmError> {
            // All sends first, then all receives: one round, and no party
            // ever waits on a peer whose message sits in an unflushed buffer.
            for (g, words) in c.inputs.iter().zip(inputs) {
                if let (Some(words), false) = (words, g.public) {
                    for peer in (0..peers.len()).filter(|&p| p != me) {
                        let ch = peers.channel(peer)?;
                        for &w in words {
                            ch.send_u64(w)?;
                        }
                    }
                }
            }
            peers.flush_all()?;
            for (g, words) in c.inputs.iter().zip(inputs) {
                all.push(match words {
                    Some(w) => w.clone(),
                    None => {
                        let ch = peers.channel(g.party as usize)?;
                        let mut words = Vec::with_capacity(g.wires.len() as usize);
                        for _ in 0..g.wires.len() {
                            words.push(ch.recv_u64()?);
                        }
                        words
                    }
                });
            }
            Ok(())
        })?;
        let outputs = phases.time("evaluate", || {
            Evaluator::new(&self.circuit)
                .run_words(&all)
                .map_err(|e| VmError::Protocol {
                    peer: "a peer".into(),
                    why: e.to_string(),
                })
        })?;
        let me32 = me as u32;
        Ok(c.outputs
            .iter()
            .zip(outputs)
            .map(|(g, words)| g.recipients.contains(&me32).then_some(words))
            .collect())
    }
}
