//! A builder that appends gates to a circuit and hands out fresh wires.
//!
//! Lowering code and tests write `let s = b.xor(x, y);` instead of managing
//! wire numbers and marks by hand: every gate writes a fresh wire, whose
//! domain comes from the gate kind and whose visibility is public exactly
//! when all operands are public. Structural mistakes (a wire of the wrong
//! domain, an output naming a party that does not exist) are not checked
//! while building; [`CircuitBuilder::finish`] validates once at the end and
//! reports them all.

use crate::circuit::{
    Circuit, Domain, InputGroup, OutputGroup, ValidCircuit, Visibility, WireInfo,
};
use crate::gate::Gate;
use crate::validate::{ring_mask, ValidationErrors, MAX_GROUP_WIRES};
use crate::value::ValueType;
use crate::wire::{Wire, WireList, WireRange};

/// Builds a [`Circuit`] gate by gate.
#[derive(Debug, Clone)]
pub struct CircuitBuilder {
    c: Circuit,
}

impl CircuitBuilder {
    /// An empty circuit whose arithmetic wires live in Z_2^`ring_bits`.
    pub fn new(ring_bits: u32) -> Self {
        CircuitBuilder {
            c: Circuit {
                ring_bits,
                ..Circuit::default()
            },
        }
    }

    /// Adds a party and returns its index.
    pub fn party(&mut self, name: impl Into<String>) -> u32 {
        self.c.parties.push(name.into());
        u32::try_from(self.c.parties.len() - 1).unwrap_or(u32::MAX)
    }

    /// Adds an input group of fresh consecutive wires for `party`'s value
    /// `name` and returns them (in value order). A type wider than
    /// [`MAX_GROUP_WIRES`] gets no wires, and `finish` reports the mismatch.
    pub fn input(
        &mut self,
        party: u32,
        name: impl Into<String>,
        ty: ValueType,
        public: bool,
        domain: Domain,
    ) -> WireRange {
        let width = domain.width_of(&ty);
        let width = if width > MAX_GROUP_WIRES {
            0
        } else {
            width as u32
        };
        let vis = if public {
            Visibility::Public
        } else {
            Visibility::Secret
        };
        let start = self.next_wire();
        for _ in 0..width {
            self.c.wires.push(WireInfo::new(domain, vis));
        }
        let range = WireRange::new(start, width);
        self.c.inputs.push(InputGroup {
            party,
            name: name.into(),
            ty,
            public,
            domain,
            wires: range.into(),
        });
        range
    }

    /// Adds an output group revealing `wires` (in value order) to `recipients`.
    pub fn output(
        &mut self,
        name: impl Into<String>,
        recipients: Vec<u32>,
        ty: ValueType,
        domain: Domain,
        wires: impl IntoIterator<Item = Wire>,
    ) {
        self.c.outputs.push(OutputGroup {
            name: name.into(),
            recipients,
            ty,
            domain,
            wires: wires.into_iter().collect::<WireList>(),
        });
    }

    /// The indices of every party added so far.
    pub fn all_parties(&self) -> Vec<u32> {
        self.c.all_parties()
    }

    /// The circuit built so far (unvalidated).
    pub fn circuit(&self) -> &Circuit {
        &self.c
    }

    /// Validates and returns the circuit.
    pub fn finish(self) -> Result<ValidCircuit, ValidationErrors> {
        ValidCircuit::new(self.c)
    }

    /// The circuit without validation (for tests of invalid circuits, or to edit further).
    pub fn into_circuit(self) -> Circuit {
        self.c
    }

    fn next_wire(&self) -> Wire {
        // Past u32::MAX wires the id wraps; validation reports the wire count.
        Wire(self.c.wires.len() as u32)
    }

    fn visibility(&self, operands: &[Wire]) -> Visibility {
        let public = operands.iter().all(|w| {
            self.c
                .wires
                .get(w.index())
                .is_some_and(|i| i.visibility == Visibility::Public)
        });
        if public {
            Visibility::Public
        } else {
            Visibility::Secret
        }
    }

    fn fresh(&mut self, domain: Domain, operands: &[Wire]) -> Wire {
        let vis = self.visibility(operands);
        let w = self.next_wire();
        self.c.wires.push(WireInfo::new(domain, vis));
        w
    }

    fn mask(&self, c: u64) -> u64 {
        c & ring_mask(self.c.ring_bits)
    }

    /// `a XOR b`.
    pub fn xor(&mut self, a: Wire, b: Wire) -> Wire {
        let out = self.fresh(Domain::Bool, &[a, b]);
        self.c.gates.push(Gate::Xor { a, b, out });
        out
    }

    /// `a AND b`.
    pub fn and(&mut self, a: Wire, b: Wire) -> Wire {
        let out = self.fresh(Domain::Bool, &[a, b]);
        self.c.gates.push(Gate::And { a, b, out });
        out
    }

    /// `NOT a`.
    pub fn not(&mut self, a: Wire) -> Wire {
        let out = self.fresh(Domain::Bool, &[a]);
        self.c.gates.push(Gate::Not { a, out });
        out
    }

    /// A constant bit (a public wire).
    pub fn constant(&mut self, value: bool) -> Wire {
        let out = self.fresh(Domain::Bool, &[]);
        self.c.gates.push(Gate::Const { value, out });
        out
    }

    /// A copy of the bit `a`.
    pub fn copy(&mut self, a: Wire) -> Wire {
        let out = self.fresh(Domain::Bool, &[a]);
        self.c.gates.push(Gate::Copy { a, out });
        out
    }

    /// `a + b mod 2^k`.
    pub fn add(&mut self, a: Wire, b: Wire) -> Wire {
        let out = self.fresh(Domain::Arith, &[a, b]);
        self.c.gates.push(Gate::Add { a, b, out });
        out
    }

    /// `a - b mod 2^k`.
    pub fn sub(&mut self, a: Wire, b: Wire) -> Wire {
        let out = self.fresh(Domain::Arith, &[a, b]);
        self.c.gates.push(Gate::Sub { a, b, out });
        out
    }

    /// `a * b mod 2^k`.
    pub fn mul(&mut self, a: Wire, b: Wire) -> Wire {
        let out = self.fresh(Domain::Arith, &[a, b]);
        self.c.gates.push(Gate::Mul { a, b, out });
        out
    }

    /// `a + c mod 2^k` (`c` is reduced mod 2^k, so `u64::MAX` means −1).
    pub fn add_const(&mut self, a: Wire, c: u64) -> Wire {
        let c = self.mask(c);
        let out = self.fresh(Domain::Arith, &[a]);
        self.c.gates.push(Gate::AddConst { a, c, out });
        out
    }

    /// `a * c mod 2^k` (`c` is reduced mod 2^k).
    pub fn mul_const(&mut self, a: Wire, c: u64) -> Wire {
        let c = self.mask(c);
        let out = self.fresh(Domain::Arith, &[a]);
        self.c.gates.push(Gate::MulConst { a, c, out });
        out
    }

    /// The ring constant `c mod 2^k` (a public wire).
    pub fn arith_const(&mut self, c: u64) -> Wire {
        let c = self.mask(c);
        let out = self.fresh(Domain::Arith, &[]);
        self.c.gates.push(Gate::ArithConst { c, out });
        out
    }

    /// Composes a ring element from `bits`, least significant first. Bits
    /// that are not already consecutive wires are first copied into
    /// consecutive ones (copies are free in every protocol).
    pub fn bits_to_arith(&mut self, bits: &[Wire]) -> Wire {
        let consecutive = bits
            .windows(2)
            .all(|p| u64::from(p[0].0) + 1 == u64::from(p[1].0));
        let range = match bits.first() {
            Some(&first) if consecutive => {
                WireRange::new(first, u32::try_from(bits.len()).unwrap_or(u32::MAX))
            }
            _ => {
                let start = self.next_wire();
                for &b in bits {
                    self.copy(b);
                }
                WireRange::new(start, u32::try_from(bits.len()).unwrap_or(u32::MAX))
            }
        };
        let operands: Vec<Wire> = bits.to_vec();
        let out = self.fresh(Domain::Arith, &operands);
        self.c.gates.push(Gate::BitsToArith { bits: range, out });
        out
    }

    /// Decomposes `input` into its low `n` bits, least significant first.
    pub fn arith_to_bits(&mut self, input: Wire, n: u32) -> WireRange {
        let vis = self.visibility(&[input]);
        let start = self.next_wire();
        for _ in 0..n {
            self.c.wires.push(WireInfo::new(Domain::Bool, vis));
        }
        let outs = WireRange::new(start, n);
        self.c.gates.push(Gate::ArithToBits { input, outs });
        outs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_follow_operands() {
        let mut b = CircuitBuilder::new(8);
        let p = b.party("p");
        let x = b.input(p, "x", ValueType::Bool, true, Domain::Bool).start;
        let y = b.input(p, "y", ValueType::Bool, false, Domain::Bool).start;
        let k = b.constant(true);
        let pub_and = b.and(x, k);
        let sec = b.xor(pub_and, y);
        let c = b.circuit();
        assert_eq!(c.wires[pub_and.index()].visibility, Visibility::Public);
        assert_eq!(c.wires[sec.index()].visibility, Visibility::Secret);
    }

    #[test]
    fn scattered_bits_are_copied_into_a_run() {
        let mut b = CircuitBuilder::new(8);
        let p = b.party("p");
        let x = b.input(
            p,
            "x",
            ValueType::Int {
                signed: false,
                bits: 4,
            },
            false,
            Domain::Bool,
        );
        let bits: Vec<Wire> = x.iter().rev().collect();
        let a = b.bits_to_arith(&bits);
        b.output(
            "a",
            vec![p],
            ValueType::Int {
                signed: false,
                bits: 8,
            },
            Domain::Arith,
            [a],
        );
        let c = b.finish().unwrap();
        assert_eq!(c.circuit().gates.len(), 5);
    }
}
