//! IR → Boolean circuit: every instruction becomes the cheapest gadget for
//! its operation, width and known-constant operands.
//!
//! Choices, per instruction:
//! - `trunc`, `zext`, `sext`, `extract`, `concat`, `not`, shifts and
//!   rotations by constant amounts: rewiring only, no gate;
//! - `add`/`sub`/`neg`: ripple-carry (size) or Sklansky (depth); an operand
//!   with known bits makes its carries known where they are, which the
//!   netlist folds;
//! - `mul`: by a constant, signed-digit shift-and-add; otherwise Dadda
//!   column reduction (and Karatsuba for wide operands in size mode);
//! - `udiv`/`urem` (and the signed pair) on the same operands share one
//!   divider;
//! - comparisons: ripple (size) or tree (depth); equality is a balanced tree
//!   in both;
//! - `mux`: one AND per bit; shifts by secret amounts: barrel shifters.
//!
//! Public values need no special case: a gate whose operands are all public
//! writes a public wire (the circuit builder infers marks from operands), so
//! backends compute them in the clear.

use std::collections::HashMap;

use veil_circuit::{Domain, ValidCircuit};

use super::cleanup::{self, OutItem, Plan, PlanInput, PlanOutput};
use super::net::{Lit, Net};
use super::{check_module, BoolOptions, LowerError};
use crate::gadgets::shift::{self, ShiftKind};
use crate::gadgets::{self, adder, compare, div, mul, mux, Gates, Optimize};
use crate::ir::{BinOp, Module, Op, UnOp, ValueId};

/// Lowers a verified module to a Boolean circuit (see the module
/// documentation). The circuit has one Boolean input group per IR input and
/// one output group per IR output, with the IR's parties.
pub fn to_boolean(m: &Module, opts: &BoolOptions) -> Result<ValidCircuit, LowerError> {
    check_module(m)?;
    let mut net = Net::new(64);
    let mut words = WordLowering::new(opts.optimize);
    let mut bits: Vec<Vec<Lit>> = Vec::with_capacity(m.insts.len());
    for inst in &m.insts {
        let value = match inst.op {
            Op::Input { group, bit } => {
                (0..inst.width).map(|i| net.input(group, bit + i)).collect()
            }
            op => words.lower(&mut net, &op, inst.width, |v| &bits[v.index()]),
        };
        bits.push(value);
    }
    let plan = Plan {
        parties: m.parties.clone(),
        ring_bits: 64,
        inputs: m
            .inputs
            .iter()
            .map(|d| PlanInput {
                party: d.party as u32,
                name: d.name.clone(),
                ty: d.ty.clone(),
                public: d.public,
                domain: Domain::Bool,
            })
            .collect(),
        outputs: m
            .outputs
            .iter()
            .map(|o| PlanOutput {
                name: o.name.clone(),
                recipients: o.recipients.iter().map(|&p| p as u32).collect(),
                ty: o.ty.clone(),
                domain: Domain::Bool,
                items: o
                    .values
                    .iter()
                    .flat_map(|v| bits[v.index()].iter().map(|&l| OutItem::Bit(l)))
                    .collect(),
            })
            .collect(),
    };
    cleanup::emit(&net, &plan).map_err(LowerError::Circuit)
}

/// The value of a word whose bits are all known constants.
pub(crate) fn word_constant<G: Gates>(g: &G, bits: &[G::Bit]) -> Option<u128> {
    let mut value = 0u128;
    for (i, &b) in bits.iter().enumerate() {
        if g.known(b)? && i < 128 {
            value |= 1u128 << i;
        }
    }
    Some(value)
}

/// A division's operands (signed?, dividend, divisor) and its (quotient,
/// remainder) bits.
type Divisions<B> = HashMap<(bool, ValueId, ValueId), (Vec<B>, Vec<B>)>;

/// Bit-blasts single instructions given their operands' bits, over any
/// [`Gates`] implementation; shared by [`to_boolean`] and the mixed
/// arithmetic lowering. Remembers divisions so that `a / b` and `a % b` on
/// the same operands build one divider.
#[derive(Debug)]
pub(crate) struct WordLowering<B> {
    opt: Optimize,
    divisions: Divisions<B>,
}

impl<B: Copy> WordLowering<B> {
    pub(crate) fn new(opt: Optimize) -> Self {
        WordLowering {
            opt,
            divisions: HashMap::new(),
        }
    }

    /// The bits of `op` at `width`, given each operand's bits. Inputs are
    /// the caller's business (they name circuit input groups); for
    /// `Op::Input` this returns `width` zero bits.
    pub(crate) fn lower<'a, G>(
        &mut self,
        g: &mut G,
        op: &Op,
        width: u32,
        operand: impl Fn(ValueId) -> &'a [B],
    ) -> Vec<B>
    where
        G: Gates<Bit = B>,
        B: 'a,
    {
        let opt = self.opt;
        let w = width as usize;
        match *op {
            Op::Const(c) => gadgets::constant_word(g, c, w),
            Op::Input { .. } => gadgets::constant_word(g, 0, w),
            Op::Unary(UnOp::Not, a) => gadgets::not_word(g, operand(a)),
            Op::Unary(UnOp::Neg, a) => adder::neg(g, operand(a), opt),
            Op::Binary(bop, x, y) => {
                let (a, b) = (operand(x), operand(y));
                self.binary(g, bop, x, y, a, b)
            }
            Op::Mux(c, a, b) => {
                let c = operand(c)[0];
                mux::mux_word(g, c, operand(a), operand(b))
            }
            Op::Trunc(a) => operand(a)[..w].to_vec(),
            Op::Zext(a) => {
                let mut out = operand(a).to_vec();
                let zero = g.constant(false);
                out.resize(w, zero);
                out
            }
            Op::Sext(a) => {
                let a = operand(a);
                let mut out = a.to_vec();
                let sign = a[a.len() - 1];
                out.resize(w, sign);
                out
            }
            Op::Extract(a, n) => vec![operand(a)[n as usize]],
            Op::Concat(lo, hi) => {
                let mut out = operand(lo).to_vec();
                out.extend_from_slice(operand(hi));
                out
            }
        }
    }

    fn binary<G: Gates<Bit = B>>(
        &mut self,
        g: &mut G,
        op: BinOp,
        x: ValueId,
        y: ValueId,
        a: &[B],
        b: &[B],
    ) -> Vec<B> {
        let opt = self.opt;
        match op {
            BinOp::Add => adder::add(g, a, b, opt),
            BinOp::Sub => adder::sub(g, a, b, opt),
            BinOp::Mul => match (word_constant(g, a), word_constant(g, b)) {
                (_, Some(k)) => mul::mul_const(g, a, k, opt),
                (Some(k), _) => mul::mul_const(g, b, k, opt),
                _ => mul::mul_low(g, a, b, opt),
            },
            BinOp::UDiv | BinOp::URem | BinOp::SDiv | BinOp::SRem => {
                let signed = matches!(op, BinOp::SDiv | BinOp::SRem);
                let (q, r) = self
                    .divisions
                    .entry((signed, x, y))
                    .or_insert_with(|| {
                        if signed {
                            div::sdivrem(g, a, b, opt)
                        } else {
                            div::udivrem(g, a, b, opt)
                        }
                    })
                    .clone();
                if matches!(op, BinOp::UDiv | BinOp::SDiv) {
                    q
                } else {
                    r
                }
            }
            BinOp::And => gadgets::and_word(g, a, b),
            BinOp::Or => gadgets::or_word(g, a, b),
            BinOp::Xor => gadgets::xor_word(g, a, b),
            BinOp::Shl | BinOp::LShr | BinOp::AShr | BinOp::Rotl | BinOp::Rotr => {
                let kind = match op {
                    BinOp::Shl => ShiftKind::Shl,
                    BinOp::LShr => ShiftKind::LShr,
                    BinOp::AShr => ShiftKind::AShr,
                    BinOp::Rotl => ShiftKind::Rotl,
                    _ => ShiftKind::Rotr,
                };
                match word_constant(g, b) {
                    Some(k) => shift::by_constant(g, a, kind, k),
                    None => shift::by_amount(g, a, kind, b),
                }
            }
            BinOp::Eq => vec![compare::eq(g, a, b)],
            BinOp::Ne => vec![compare::ne(g, a, b)],
            BinOp::Ult => vec![compare::lt_u(g, a, b, opt)],
            BinOp::Ule => vec![compare::le_u(g, a, b, opt)],
            BinOp::Slt => vec![compare::lt_s(g, a, b, opt)],
            BinOp::Sle => vec![compare::le_s(g, a, b, opt)],
        }
    }
}
