//! The word-level IR: a straight-line DAG of operations on bit-vectors.
//!
//! Lowering from the checked program inlines every call, unrolls every loop,
//! turns secret `if`s into multiplexers and scalarises arrays, so what is left
//! is a list of [`Inst`]s, each producing one value of a known bit width
//! (`bool` is width 1). Instructions live in one arena, referred to by
//! [`ValueId`] (printed `v3`); operands always come before their users, so the
//! order is an evaluation order and the graph is acyclic by construction.
//!
//! Every instruction carries a [`Label`]: public when it depends only on
//! constants and public inputs (every party can compute it in the clear),
//! secret otherwise. Labels are derived from the operands, never guessed.
//!
//! Invariants (checked by [`verify::verify`]): operand ids are smaller than
//! the instruction's own; widths are 1..=128 and agree with the operation;
//! labels are the join of the operands' labels (public for constants);
//! outputs name existing values whose widths match their types.

pub mod builder;
pub mod eval;
pub mod text;
pub mod verify;

use std::fmt;

use veil_circuit::value::ValueType;

pub use crate::sema::types::Label;

/// An instruction's result, by position in the arena.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ValueId(pub u32);

impl ValueId {
    /// The arena index.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for ValueId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}

/// One-operand operations (result width = operand width).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnOp {
    /// Bitwise complement (`!` on `bool`).
    Not,
    /// Two's-complement negation.
    Neg,
}

/// Two-operand operations.
///
/// Arithmetic and bitwise operations take operands of the result's width.
/// Shifts and rotations take an amount of any width (unsigned). Comparisons
/// take operands of one width and give width 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    UDiv,
    SDiv,
    URem,
    SRem,
    And,
    Or,
    Xor,
    Shl,
    /// Logical right shift.
    LShr,
    /// Arithmetic right shift.
    AShr,
    Rotl,
    Rotr,
    Eq,
    Ne,
    /// Unsigned `<`.
    Ult,
    /// Unsigned `<=`.
    Ule,
    /// Signed `<`.
    Slt,
    /// Signed `<=`.
    Sle,
}

impl BinOp {
    /// Whether the result is one bit (a comparison).
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Eq | BinOp::Ne | BinOp::Ult | BinOp::Ule | BinOp::Slt | BinOp::Sle
        )
    }

    /// Whether the right operand is a shift or rotation amount of any width.
    pub fn is_shift(self) -> bool {
        matches!(
            self,
            BinOp::Shl | BinOp::LShr | BinOp::AShr | BinOp::Rotl | BinOp::Rotr
        )
    }

    /// Whether `a op b == b op a`.
    pub fn is_commutative(self) -> bool {
        matches!(
            self,
            BinOp::Add | BinOp::Mul | BinOp::And | BinOp::Or | BinOp::Xor | BinOp::Eq | BinOp::Ne
        )
    }

    /// The name in the text form.
    pub fn name(self) -> &'static str {
        match self {
            BinOp::Add => "add",
            BinOp::Sub => "sub",
            BinOp::Mul => "mul",
            BinOp::UDiv => "udiv",
            BinOp::SDiv => "sdiv",
            BinOp::URem => "urem",
            BinOp::SRem => "srem",
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::Xor => "xor",
            BinOp::Shl => "shl",
            BinOp::LShr => "lshr",
            BinOp::AShr => "ashr",
            BinOp::Rotl => "rotl",
            BinOp::Rotr => "rotr",
            BinOp::Eq => "eq",
            BinOp::Ne => "ne",
            BinOp::Ult => "ult",
            BinOp::Ule => "ule",
            BinOp::Slt => "slt",
            BinOp::Sle => "sle",
        }
    }

    /// Every operation, for parsers and tests.
    pub const ALL: [BinOp; 21] = [
        BinOp::Add,
        BinOp::Sub,
        BinOp::Mul,
        BinOp::UDiv,
        BinOp::SDiv,
        BinOp::URem,
        BinOp::SRem,
        BinOp::And,
        BinOp::Or,
        BinOp::Xor,
        BinOp::Shl,
        BinOp::LShr,
        BinOp::AShr,
        BinOp::Rotl,
        BinOp::Rotr,
        BinOp::Eq,
        BinOp::Ne,
        BinOp::Ult,
        BinOp::Ule,
        BinOp::Slt,
        BinOp::Sle,
    ];
}

/// What an instruction computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// A constant (the low `width` bits).
    Const(u128),
    /// Bits `bit .. bit + width` of input group `group` (one scalar leaf of the input's value).
    Input {
        group: u32,
        bit: u32,
    },
    Unary(UnOp, ValueId),
    Binary(BinOp, ValueId, ValueId),
    /// `cond ? a : b`; `cond` has width 1.
    Mux(ValueId, ValueId, ValueId),
    /// The low bits of a wider value.
    Trunc(ValueId),
    /// Zero extension to a wider value.
    Zext(ValueId),
    /// Sign extension to a wider value.
    Sext(ValueId),
    /// Bit `n` of a value (width 1).
    Extract(ValueId, u32),
    /// `lo` in the low bits, `hi` above it (width = sum of widths).
    Concat(ValueId, ValueId),
}

impl Op {
    /// The operands, in order.
    pub fn operands(&self) -> impl Iterator<Item = ValueId> {
        let (a, b, c) = match *self {
            Op::Const(_) | Op::Input { .. } => (None, None, None),
            Op::Unary(_, a) | Op::Trunc(a) | Op::Zext(a) | Op::Sext(a) | Op::Extract(a, _) => {
                (Some(a), None, None)
            }
            Op::Binary(_, a, b) | Op::Concat(a, b) => (Some(a), Some(b), None),
            Op::Mux(c, a, b) => (Some(c), Some(a), Some(b)),
        };
        a.into_iter().chain(b).chain(c)
    }

    /// The same operation with every operand mapped.
    pub fn map_operands(&self, mut f: impl FnMut(ValueId) -> ValueId) -> Op {
        match *self {
            Op::Const(_) | Op::Input { .. } => *self,
            Op::Unary(u, a) => Op::Unary(u, f(a)),
            Op::Binary(b, x, y) => Op::Binary(b, f(x), f(y)),
            Op::Mux(c, a, b) => Op::Mux(f(c), f(a), f(b)),
            Op::Trunc(a) => Op::Trunc(f(a)),
            Op::Zext(a) => Op::Zext(f(a)),
            Op::Sext(a) => Op::Sext(f(a)),
            Op::Extract(a, n) => Op::Extract(f(a), n),
            Op::Concat(a, b) => Op::Concat(f(a), f(b)),
        }
    }
}

/// One instruction: an operation, its result width and its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Inst {
    pub op: Op,
    pub width: u32,
    pub label: Label,
}

/// An input of the program, provided by one party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputDecl {
    pub party: usize,
    pub name: String,
    pub ty: ValueType,
    /// Provided in the clear.
    pub public: bool,
}

/// An output: its scalar leaves in value order (as `Value::to_bits` lays them out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputDecl {
    pub name: String,
    /// Party indices, ascending.
    pub recipients: Vec<usize>,
    pub ty: ValueType,
    pub values: Vec<ValueId>,
}

/// A whole program in IR form.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Module {
    pub parties: Vec<String>,
    pub insts: Vec<Inst>,
    pub inputs: Vec<InputDecl>,
    pub outputs: Vec<OutputDecl>,
}

impl Module {
    /// The instruction producing `v`.
    pub fn inst(&self, v: ValueId) -> &Inst {
        &self.insts[v.index()]
    }

    /// Every value id, in order.
    pub fn ids(&self) -> impl Iterator<Item = ValueId> {
        (0..self.insts.len() as u32).map(ValueId)
    }
}

impl fmt::Display for UnOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UnOp::Not => "not",
            UnOp::Neg => "neg",
        })
    }
}

impl fmt::Display for BinOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
