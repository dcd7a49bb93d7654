//! Plaintext meaning of IR instructions: constant folding and a reference
//! evaluator of whole modules, both built on [`crate::semantics`].

use veil_circuit::value::Value;

use super::{BinOp, Module, Op, UnOp};
use crate::sema::types::IntTy;
use crate::semantics::{self, Val};

fn ty(width: u32, signed: bool) -> IntTy {
    IntTy {
        signed,
        bits: width,
    }
}

fn mask(width: u32) -> u128 {
    ty(width, false).mask()
}

fn raw(v: &Val) -> u128 {
    match v {
        Val::Int(r, _) => *r,
        Val::Bool(b) => u128::from(*b),
        _ => 0,
    }
}

/// The value of `op` at `width`, given each operand's value and width.
/// Returns `None` for `Input` (not a constant).
pub fn fold(op: &Op, width: u32, operand: impl Fn(super::ValueId) -> (u128, u32)) -> Option<u128> {
    let u = |v: super::ValueId| {
        let (x, w) = operand(v);
        Val::int(x, ty(w, false))
    };
    let s = |v: super::ValueId| {
        let (x, w) = operand(v);
        Val::int(x, ty(w, true))
    };
    let out = match *op {
        Op::Const(c) => c & mask(width),
        Op::Input { .. } => return None,
        Op::Unary(UnOp::Not, a) => raw(&semantics::unary(crate::syntax::ast::UnOp::BitNot, &u(a))),
        Op::Unary(UnOp::Neg, a) => raw(&semantics::unary(crate::syntax::ast::UnOp::Neg, &u(a))),
        Op::Binary(b, x, y) => {
            use crate::syntax::ast::BinOp as A;
            let amount = || operand(y).0;
            let (xw, xv) = (operand(x).1, operand(x).0);
            match b {
                BinOp::Add => raw(&semantics::binary(A::Add, &u(x), &u(y))),
                BinOp::Sub => raw(&semantics::binary(A::Sub, &u(x), &u(y))),
                BinOp::Mul => raw(&semantics::binary(A::Mul, &u(x), &u(y))),
                BinOp::UDiv => raw(&semantics::binary(A::Div, &u(x), &u(y))),
                BinOp::URem => raw(&semantics::binary(A::Rem, &u(x), &u(y))),
                BinOp::SDiv => raw(&semantics::binary(A::Div, &s(x), &s(y))),
                BinOp::SRem => raw(&semantics::binary(A::Rem, &s(x), &s(y))),
                BinOp::And => raw(&semantics::binary(A::BitAnd, &u(x), &u(y))),
                BinOp::Or => raw(&semantics::binary(A::BitOr, &u(x), &u(y))),
                BinOp::Xor => raw(&semantics::binary(A::BitXor, &u(x), &u(y))),
                BinOp::Shl => semantics::shift(true, xv, ty(xw, false), amount()),
                BinOp::LShr => semantics::shift(false, xv, ty(xw, false), amount()),
                BinOp::AShr => semantics::shift(false, xv, ty(xw, true), amount()),
                BinOp::Rotl => semantics::rotate(true, xv, ty(xw, false), amount()),
                BinOp::Rotr => semantics::rotate(false, xv, ty(xw, false), amount()),
                BinOp::Eq => raw(&semantics::binary(A::Eq, &u(x), &u(y))),
                BinOp::Ne => raw(&semantics::binary(A::Ne, &u(x), &u(y))),
                BinOp::Ult => raw(&semantics::binary(A::Lt, &u(x), &u(y))),
                BinOp::Ule => raw(&semantics::binary(A::Le, &u(x), &u(y))),
                BinOp::Slt => raw(&semantics::binary(A::Lt, &s(x), &s(y))),
                BinOp::Sle => raw(&semantics::binary(A::Le, &s(x), &s(y))),
            }
        }
        Op::Mux(c, a, b) => {
            if operand(c).0 & 1 == 1 {
                operand(a).0
            } else {
                operand(b).0
            }
        }
        Op::Trunc(a) | Op::Zext(a) => operand(a).0 & mask(width),
        Op::Sext(a) => raw(&semantics::cast(&s(a), ty(width, false))),
        Op::Extract(a, n) => {
            let (v, w) = operand(a);
            u128::from(n < w && (v >> n) & 1 == 1)
        }
        Op::Concat(lo, hi) => {
            let (l, lw) = operand(lo);
            let (h, _) = operand(hi);
            if lw >= 128 {
                l
            } else {
                l | (h << lw)
            }
        }
    };
    Some(out & mask(width))
}

/// Evaluates a module on one value per input; returns one value per output.
/// The reference for every later stage of lowering.
pub fn evaluate(m: &Module, inputs: &[Value]) -> Vec<Value> {
    let bits: Vec<Vec<bool>> = inputs.iter().map(Value::to_bits).collect();
    let mut vals: Vec<u128> = Vec::with_capacity(m.insts.len());
    for inst in &m.insts {
        let v = match inst.op {
            Op::Input { group, bit } => {
                let g = bits.get(group as usize).map(Vec::as_slice).unwrap_or(&[]);
                (0..inst.width).fold(0u128, |acc, i| {
                    acc | (u128::from(g.get(bit as usize + i as usize).copied().unwrap_or(false))
                        << i)
                })
            }
            op => fold(&op, inst.width, |v| {
                (vals[v.index()], m.insts[v.index()].width)
            })
            .unwrap_or(0),
        };
        vals.push(v);
    }
    m.outputs
        .iter()
        .map(|o| {
            let mut out_bits = Vec::new();
            for v in &o.values {
                let w = m.insts[v.index()].width;
                out_bits.extend((0..w).map(|i| (vals[v.index()] >> i) & 1 == 1));
            }
            Value::from_bits(&o.ty, &out_bits).unwrap_or(Value::Bool(false))
        })
        .collect()
}
