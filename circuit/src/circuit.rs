//! The in-memory circuit: parties, wires with their marks, gates in evaluation order, and
//! the input and output groups that connect wires to typed values.
//!
//! Invariants of a *valid* circuit (checked by [`crate::validate()`], and
//! guaranteed for every [`ValidCircuit`]):
//! - every wire is written exactly once, by an input group or by a gate, and
//!   gates appear in evaluation order (operands are written before the gate),
//!   so a circuit is acyclic by construction and runs in one pass;
//! - every wire has one [`Domain`] and one [`Visibility`]; gates read and
//!   write wires of the domains their kind requires, and a public wire is
//!   computed from public wires only;
//! - an input group lists `width` wires of its domain, where the width of a
//!   Boolean group is its type's bit width (bits laid out as
//!   [`crate::Value::to_bits`] lays them out) and the width of an arithmetic
//!   group is its type's scalar count (one ring element per integer or bool).
//!
//! A [`Circuit`] is plain data that anyone may build or edit; consumers that
//! need the invariants (evaluator, statistics, backends, Bristol export) take
//! a [`ValidCircuit`], which only validation produces.

use std::fmt;

use crate::gate::Gate;
use crate::validate::ValidationErrors;
use crate::value::ValueType;
use crate::wire::WireList;

/// Whether a wire carries a bit or a ring element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Domain {
    /// One bit.
    #[default]
    Bool,
    /// One element of Z_2^k (k = the circuit's `ring_bits`).
    Arith,
}

impl Domain {
    /// The number of wires a group of type `ty` occupies in this domain.
    pub fn width_of(self, ty: &ValueType) -> u64 {
        match self {
            Domain::Bool => ty.bit_width(),
            Domain::Arith => ty.scalar_count(),
        }
    }

    /// The domain's name in text and errors (`bool` or `arith`).
    pub fn name(self) -> &'static str {
        match self {
            Domain::Bool => "bool",
            Domain::Arith => "arith",
        }
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether every party may know a wire's value.
///
/// A backend may compute public wires in the clear; secret wires must stay
/// hidden (shared, garbled, …). Marking a wire secret is always safe; marking
/// it public is allowed only when everything it depends on is public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Visibility {
    /// Known only through the protocol.
    #[default]
    Secret,
    /// Known to every party.
    Public,
}

impl Visibility {
    /// The visibility's name in text and errors (`secret` or `public`).
    pub fn name(self) -> &'static str {
        match self {
            Visibility::Secret => "secret",
            Visibility::Public => "public",
        }
    }
}

impl fmt::Display for Visibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The marks of one wire: its domain and its visibility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct WireInfo {
    /// Bit or ring element.
    pub domain: Domain,
    /// Public or secret.
    pub visibility: Visibility,
}

impl WireInfo {
    /// A secret Boolean wire (the common case).
    pub const SECRET_BOOL: WireInfo = WireInfo {
        domain: Domain::Bool,
        visibility: Visibility::Secret,
    };

    /// A wire of `domain` with `visibility`.
    pub fn new(domain: Domain, visibility: Visibility) -> Self {
        WireInfo { domain, visibility }
    }
}

/// A value one party provides: which wires it fills and how to read it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InputGroup {
    /// Index into [`Circuit::parties`] of the party that provides the value.
    pub party: u32,
    /// The value's name, unique among the party's inputs (`--input PARTY.NAME=…`).
    pub name: String,
    /// The value's type.
    pub ty: ValueType,
    /// Provided in the clear: every party learns it (its wires are public).
    pub public: bool,
    /// Whether the wires are bits or ring elements.
    pub domain: Domain,
    /// The wires in value order (bit order of [`crate::Value::to_bits`] for
    /// Boolean groups; one wire per scalar for arithmetic groups).
    pub wires: WireList,
}

/// A value the circuit reveals to some parties.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OutputGroup {
    /// The value's name, unique among the outputs.
    pub name: String,
    /// Indices into [`Circuit::parties`] of the parties that learn the value
    /// (every index when the output goes to everyone).
    pub recipients: Vec<u32>,
    /// The value's type.
    pub ty: ValueType,
    /// Whether the wires are bits or ring elements.
    pub domain: Domain,
    /// The wires in value order; a wire may appear in several places.
    pub wires: WireList,
}

/// A circuit: the single format the compiler writes and the VM runs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Circuit {
    /// Party names, in index order; unique.
    pub parties: Vec<String>,
    /// `k` of the ring Z_2^k of arithmetic wires, 1..=64 (a `u64` word per
    /// element keeps evaluation fast); irrelevant to Boolean circuits.
    pub ring_bits: u32,
    /// The marks of every wire; the wire count is `wires.len()`.
    pub wires: Vec<WireInfo>,
    /// The gates in evaluation (topological) order.
    pub gates: Vec<Gate>,
    /// The inputs, in the order evaluators take their values.
    pub inputs: Vec<InputGroup>,
    /// The outputs, in the order evaluators return their values.
    pub outputs: Vec<OutputGroup>,
}

impl Default for Circuit {
    fn default() -> Self {
        Circuit {
            parties: Vec::new(),
            ring_bits: 64,
            wires: Vec::new(),
            gates: Vec::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
        }
    }
}

impl Circuit {
    /// The number of wires, saturated to `u32::MAX` (valid circuits fit).
    pub fn num_wires(&self) -> u32 {
        u32::try_from(self.wires.len()).unwrap_or(u32::MAX)
    }

    /// Whether the circuit has only Boolean wires and gates (what Bristol can hold).
    pub fn is_boolean(&self) -> bool {
        self.wires.iter().all(|w| w.domain == Domain::Bool)
            && self.gates.iter().all(|g| g.kind().is_boolean())
            && self.inputs.iter().all(|g| g.domain == Domain::Bool)
            && self.outputs.iter().all(|g| g.domain == Domain::Bool)
    }

    /// The index of the party named `name`.
    pub fn party_index(&self, name: &str) -> Option<u32> {
        self.parties
            .iter()
            .position(|p| p == name)
            .and_then(|i| u32::try_from(i).ok())
    }

    /// The index of `party`'s input named `name`.
    pub fn input_index(&self, party: u32, name: &str) -> Option<usize> {
        self.inputs
            .iter()
            .position(|g| g.party == party && g.name == name)
    }

    /// The index of the output named `name`.
    pub fn output_index(&self, name: &str) -> Option<usize> {
        self.outputs.iter().position(|g| g.name == name)
    }

    /// Every party index, for outputs that go to everyone.
    pub fn all_parties(&self) -> Vec<u32> {
        (0..self.parties.len())
            .filter_map(|i| u32::try_from(i).ok())
            .collect()
    }

    /// Recomputes every gate output's visibility as the least secret mark
    /// allowed: public exactly when all operands are public (constants are
    /// public). Input wires take their group's mark. Importers use this so
    /// that backends can compute constant-only parts in the clear.
    ///
    /// Wires out of range are skipped, so this never panics, even on an
    /// invalid circuit.
    pub fn infer_visibility(&mut self) {
        for g in &self.inputs {
            let vis = if g.public {
                Visibility::Public
            } else {
                Visibility::Secret
            };
            for w in g.wires.iter() {
                if let Some(info) = self.wires.get_mut(w.index()) {
                    info.visibility = vis;
                }
            }
        }
        for gate in &self.gates {
            let public = gate.inputs().all(|w| {
                self.wires
                    .get(w.index())
                    .is_some_and(|i| i.visibility == Visibility::Public)
            });
            let vis = if public {
                Visibility::Public
            } else {
                Visibility::Secret
            };
            for w in gate.outputs() {
                if let Some(info) = self.wires.get_mut(w.index()) {
                    info.visibility = vis;
                }
            }
        }
    }

    /// Checks every invariant, collecting all problems (see [`crate::validate()`]).
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        crate::validate::validate(self)
    }
}

impl fmt::Display for Circuit {
    /// The text encoding (see [`crate::text`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::text::write_text(self, f)
    }
}

/// A circuit that passed validation; the only way to reach the evaluator,
/// the statistics, Bristol export and the backends.
///
/// It gives out only shared references, so the invariants cannot be broken
/// after the check; take the circuit back with [`ValidCircuit::into_inner`]
/// to edit it, and validate again.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ValidCircuit {
    circuit: Circuit,
}

impl ValidCircuit {
    /// Validates `circuit`, returning every problem found if it is not valid.
    pub fn new(circuit: Circuit) -> Result<Self, ValidationErrors> {
        circuit.validate()?;
        Ok(ValidCircuit { circuit })
    }

    /// The circuit.
    pub fn circuit(&self) -> &Circuit {
        &self.circuit
    }

    /// The circuit, to edit (it must be validated again to come back).
    pub fn into_inner(self) -> Circuit {
        self.circuit
    }
}

impl AsRef<Circuit> for ValidCircuit {
    fn as_ref(&self) -> &Circuit {
        &self.circuit
    }
}

impl TryFrom<Circuit> for ValidCircuit {
    type Error = ValidationErrors;
    fn try_from(circuit: Circuit) -> Result<Self, ValidationErrors> {
        ValidCircuit::new(circuit)
    }
}

impl fmt::Display for ValidCircuit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.circuit, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{Wire, WireRange};

    #[test]
    fn visibility_is_inferred_from_operands() {
        let mut c = Circuit {
            parties: vec!["a".into()],
            wires: vec![WireInfo::SECRET_BOOL; 5],
            gates: vec![
                Gate::Const {
                    value: true,
                    out: Wire(2),
                },
                Gate::Xor {
                    a: Wire(1),
                    b: Wire(2),
                    out: Wire(3),
                },
                Gate::Xor {
                    a: Wire(0),
                    b: Wire(3),
                    out: Wire(4),
                },
            ],
            inputs: vec![
                InputGroup {
                    party: 0,
                    name: "x".into(),
                    ty: ValueType::Bool,
                    public: false,
                    domain: Domain::Bool,
                    wires: WireRange::new(Wire(0), 1).into(),
                },
                InputGroup {
                    party: 0,
                    name: "y".into(),
                    ty: ValueType::Bool,
                    public: true,
                    domain: Domain::Bool,
                    wires: WireRange::new(Wire(1), 1).into(),
                },
            ],
            ..Circuit::default()
        };
        c.infer_visibility();
        let vis: Vec<Visibility> = c.wires.iter().map(|w| w.visibility).collect();
        use Visibility::*;
        assert_eq!(vis, vec![Secret, Public, Public, Public, Secret]);
        assert!(c.is_boolean());
    }
}
