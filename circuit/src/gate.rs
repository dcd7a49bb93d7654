//! Gates: the operations of a circuit, each a small `Copy` value.
//!
//! A gate reads wires that earlier gates (or inputs) wrote and writes fresh
//! wires. Boolean gates act on bits; arithmetic gates act on elements of the
//! ring Z_2^k, where `k` is the circuit's [`crate::Circuit::ring_bits`]
//! (1..=64, so one element fits a `u64` word); conversion gates move values
//! between the two domains. Gates hold no heap data: conversion gates name
//! runs of consecutive wires ([`WireRange`]) instead of vectors.

use std::fmt;

use crate::circuit::Domain;
use crate::wire::{RangeIter, Wire, WireRange};

/// One gate. Operands come before the output in every variant's fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gate {
    /// `out = a XOR b` (Boolean; free in most protocols).
    Xor { a: Wire, b: Wire, out: Wire },
    /// `out = a AND b` (Boolean; the gate protocols pay for).
    And { a: Wire, b: Wire, out: Wire },
    /// `out = NOT a` (Boolean).
    Not { a: Wire, out: Wire },
    /// `out = value` (Boolean constant, Bristol `EQ`).
    Const { value: bool, out: Wire },
    /// `out = a` (Boolean copy, Bristol `EQW`).
    Copy { a: Wire, out: Wire },
    /// `out = a + b mod 2^k`.
    Add { a: Wire, b: Wire, out: Wire },
    /// `out = a - b mod 2^k`.
    Sub { a: Wire, b: Wire, out: Wire },
    /// `out = a * b mod 2^k` (the arithmetic gate protocols pay for).
    Mul { a: Wire, b: Wire, out: Wire },
    /// `out = a + c mod 2^k` for a public constant `c < 2^k`.
    AddConst { a: Wire, c: u64, out: Wire },
    /// `out = a * c mod 2^k` for a public constant `c < 2^k`.
    MulConst { a: Wire, c: u64, out: Wire },
    /// `out = c` for a constant ring element `c < 2^k`.
    ArithConst { c: u64, out: Wire },
    /// `out = sum over i of bits[i] * 2^i mod 2^k`: composes a ring element
    /// from 1..=k Boolean wires, least significant first (zero-extending).
    BitsToArith { bits: WireRange, out: Wire },
    /// `outs[i] = bit i of input` for i < outs.len (1..=k): decomposes a
    /// ring element into its low bits, least significant first.
    ArithToBits { input: Wire, outs: WireRange },
}

/// The operation of a gate without its wires: what statistics count and
/// what the text form names. Each kind is the [`Gate`] variant of the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GateKind {
    /// [`Gate::Xor`].
    Xor,
    /// [`Gate::And`].
    And,
    /// [`Gate::Not`].
    Not,
    /// [`Gate::Const`].
    Const,
    /// [`Gate::Copy`].
    Copy,
    /// [`Gate::Add`].
    Add,
    /// [`Gate::Sub`].
    Sub,
    /// [`Gate::Mul`].
    Mul,
    /// [`Gate::AddConst`].
    AddConst,
    /// [`Gate::MulConst`].
    MulConst,
    /// [`Gate::ArithConst`].
    ArithConst,
    /// [`Gate::BitsToArith`].
    BitsToArith,
    /// [`Gate::ArithToBits`].
    ArithToBits,
}

impl GateKind {
    /// Every kind, in declaration order.
    pub const ALL: [GateKind; 13] = [
        GateKind::Xor,
        GateKind::And,
        GateKind::Not,
        GateKind::Const,
        GateKind::Copy,
        GateKind::Add,
        GateKind::Sub,
        GateKind::Mul,
        GateKind::AddConst,
        GateKind::MulConst,
        GateKind::ArithConst,
        GateKind::BitsToArith,
        GateKind::ArithToBits,
    ];

    /// The operation's name in the text encoding (`w5 = and w1 w3`).
    pub fn name(self) -> &'static str {
        match self {
            GateKind::Xor => "xor",
            GateKind::And => "and",
            GateKind::Not => "not",
            GateKind::Const => "const",
            GateKind::Copy => "copy",
            GateKind::Add => "add",
            GateKind::Sub => "sub",
            GateKind::Mul => "mul",
            GateKind::AddConst => "add_const",
            GateKind::MulConst => "mul_const",
            GateKind::ArithConst => "arith_const",
            GateKind::BitsToArith => "bits_to_arith",
            GateKind::ArithToBits => "arith_to_bits",
        }
    }

    /// The kind named `name` in the text encoding.
    pub fn from_name(name: &str) -> Option<GateKind> {
        GateKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The domain of the wires the gate reads (`None` for constants, which read none).
    pub fn input_domain(self) -> Option<Domain> {
        match self {
            GateKind::Xor
            | GateKind::And
            | GateKind::Not
            | GateKind::Copy
            | GateKind::BitsToArith => Some(Domain::Bool),
            GateKind::Add
            | GateKind::Sub
            | GateKind::Mul
            | GateKind::AddConst
            | GateKind::MulConst
            | GateKind::ArithToBits => Some(Domain::Arith),
            GateKind::Const | GateKind::ArithConst => None,
        }
    }

    /// The domain of the wires the gate writes.
    pub fn output_domain(self) -> Domain {
        match self {
            GateKind::Xor
            | GateKind::And
            | GateKind::Not
            | GateKind::Const
            | GateKind::Copy
            | GateKind::ArithToBits => Domain::Bool,
            GateKind::Add
            | GateKind::Sub
            | GateKind::Mul
            | GateKind::AddConst
            | GateKind::MulConst
            | GateKind::ArithConst
            | GateKind::BitsToArith => Domain::Arith,
        }
    }

    /// Whether the gate acts only on Boolean wires (exportable to Bristol).
    pub fn is_boolean(self) -> bool {
        matches!(
            self,
            GateKind::Xor | GateKind::And | GateKind::Not | GateKind::Const | GateKind::Copy
        )
    }
}

impl fmt::Display for GateKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Gate {
    /// The gate's operation.
    pub fn kind(&self) -> GateKind {
        match self {
            Gate::Xor { .. } => GateKind::Xor,
            Gate::And { .. } => GateKind::And,
            Gate::Not { .. } => GateKind::Not,
            Gate::Const { .. } => GateKind::Const,
            Gate::Copy { .. } => GateKind::Copy,
            Gate::Add { .. } => GateKind::Add,
            Gate::Sub { .. } => GateKind::Sub,
            Gate::Mul { .. } => GateKind::Mul,
            Gate::AddConst { .. } => GateKind::AddConst,
            Gate::MulConst { .. } => GateKind::MulConst,
            Gate::ArithConst { .. } => GateKind::ArithConst,
            Gate::BitsToArith { .. } => GateKind::BitsToArith,
            Gate::ArithToBits { .. } => GateKind::ArithToBits,
        }
    }

    /// The wires the gate reads, in operand order.
    pub fn inputs(&self) -> GateWires {
        match *self {
            Gate::Xor { a, b, .. }
            | Gate::And { a, b, .. }
            | Gate::Add { a, b, .. }
            | Gate::Sub { a, b, .. }
            | Gate::Mul { a, b, .. } => GateWires::fixed([a, b], 2),
            Gate::Not { a, .. }
            | Gate::Copy { a, .. }
            | Gate::AddConst { a, .. }
            | Gate::MulConst { a, .. } => GateWires::fixed([a, a], 1),
            Gate::ArithToBits { input, .. } => GateWires::fixed([input, input], 1),
            Gate::Const { .. } | Gate::ArithConst { .. } => GateWires::fixed([Wire(0); 2], 0),
            Gate::BitsToArith { bits, .. } => GateWires::Range(bits.iter()),
        }
    }

    /// The wires the gate writes, in order.
    pub fn outputs(&self) -> GateWires {
        match *self {
            Gate::Xor { out, .. }
            | Gate::And { out, .. }
            | Gate::Not { out, .. }
            | Gate::Const { out, .. }
            | Gate::Copy { out, .. }
            | Gate::Add { out, .. }
            | Gate::Sub { out, .. }
            | Gate::Mul { out, .. }
            | Gate::AddConst { out, .. }
            | Gate::MulConst { out, .. }
            | Gate::ArithConst { out, .. }
            | Gate::BitsToArith { out, .. } => GateWires::fixed([out, out], 1),
            Gate::ArithToBits { outs, .. } => GateWires::Range(outs.iter()),
        }
    }
}

impl fmt::Display for Gate {
    /// The gate's line in the text encoding, e.g. `w5 = and w1 w3`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let k = self.kind();
        match *self {
            Gate::Xor { a, b, out }
            | Gate::And { a, b, out }
            | Gate::Add { a, b, out }
            | Gate::Sub { a, b, out }
            | Gate::Mul { a, b, out } => write!(f, "{out} = {k} {a} {b}"),
            Gate::Not { a, out } | Gate::Copy { a, out } => write!(f, "{out} = {k} {a}"),
            Gate::Const { value, out } => write!(f, "{out} = {k} {}", u8::from(value)),
            Gate::AddConst { a, c, out } | Gate::MulConst { a, c, out } => {
                write!(f, "{out} = {k} {a} {c}")
            }
            Gate::ArithConst { c, out } => write!(f, "{out} = {k} {c}"),
            Gate::BitsToArith { bits, out } => write!(f, "{out} = {k} {bits}"),
            Gate::ArithToBits { input, outs } => write!(f, "{outs} = {k} {input}"),
        }
    }
}

/// Iterator over the wires a gate reads or writes; never allocates.
#[derive(Debug, Clone)]
pub enum GateWires {
    /// Up to two wires held inline.
    Fixed {
        /// The wires; only the first `len` are meaningful.
        wires: [Wire; 2],
        /// How many of `wires` are used.
        len: u8,
        /// The next position to yield.
        pos: u8,
    },
    /// A run of consecutive wires.
    Range(RangeIter),
}

impl GateWires {
    fn fixed(wires: [Wire; 2], len: u8) -> Self {
        GateWires::Fixed { wires, len, pos: 0 }
    }
}

impl Iterator for GateWires {
    type Item = Wire;
    fn next(&mut self) -> Option<Wire> {
        match self {
            GateWires::Fixed { wires, len, pos } => {
                if *pos < *len {
                    let w = wires.get(usize::from(*pos)).copied();
                    *pos += 1;
                    w
                } else {
                    None
                }
            }
            GateWires::Range(r) => r.next(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gates_stay_small() {
        // Boolean gates carry no heap data; the whole enum fits three words.
        assert!(std::mem::size_of::<Gate>() <= 24);
    }

    #[test]
    fn kinds_round_trip_through_names() {
        for k in GateKind::ALL {
            assert_eq!(GateKind::from_name(k.name()), Some(k));
        }
    }

    #[test]
    fn operands_and_results_are_listed() {
        let g = Gate::BitsToArith {
            bits: WireRange::new(Wire(2), 3),
            out: Wire(9),
        };
        assert_eq!(
            g.inputs().collect::<Vec<_>>(),
            vec![Wire(2), Wire(3), Wire(4)]
        );
        assert_eq!(g.outputs().collect::<Vec<_>>(), vec![Wire(9)]);
        let c = Gate::Const {
            value: true,
            out: Wire(1),
        };
        assert_eq!(c.inputs().count(), 0);
        assert_eq!(c.to_string(), "w1 = const 1");
        let x = Gate::Xor {
            a: Wire(0),
            b: Wire(0),
            out: Wire(1),
        };
        assert_eq!(x.inputs().count(), 2);
    }
}
