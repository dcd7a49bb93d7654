//! The plaintext meaning of every operation of the language.
//!
//! One definition serves the constant evaluator, the reference interpreter
//! and (later) constant folding in the IR, so that "what `a / b` means" is
//! written exactly once. Integers are held as their two's-complement bit
//! pattern masked to the type's width, in a `u128`.
//!
//! Rules that a trap would otherwise decide (a trap would leak a secret):
//! division by zero gives all ones for the quotient and the dividend for the
//! remainder; signed `MIN / -1` wraps to `MIN` (remainder 0); shifting by the
//! width or more gives 0 (or all sign bits for a signed right shift).

use veil_circuit::value::{IntValue, Value, ValueType};

use crate::sema::types::IntTy;
use crate::syntax::ast::{BinOp, UnOp};

/// A plaintext value during evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Val {
    Bool(bool),
    /// Masked two's-complement pattern and its type.
    Int(u128, IntTy),
    Array(Vec<Val>),
    Tuple(Vec<Val>),
    /// Field values in declaration order.
    Struct(Vec<Val>),
}

impl Val {
    /// The integer `raw` wrapped to `ty`.
    pub fn int(raw: u128, ty: IntTy) -> Val {
        Val::Int(raw & ty.mask(), ty)
    }

    /// The unit value `()`.
    pub fn unit() -> Val {
        Val::Tuple(Vec::new())
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Val::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The integer's numeric value (sign-extended when signed), if this is an integer.
    pub fn as_i128(&self) -> Option<i128> {
        match self {
            Val::Int(raw, ty) => Some(to_i128(*raw, *ty)),
            _ => None,
        }
    }

    /// The integer as an unsigned count (for lengths and indices); `None` if negative.
    pub fn as_u128(&self) -> Option<u128> {
        match self {
            Val::Int(raw, ty) if !(ty.signed && sign_bit(*raw, *ty)) => Some(*raw),
            _ => None,
        }
    }

    /// The all-zero value of a type shape given as a template value.
    pub fn zero_like(&self) -> Val {
        match self {
            Val::Bool(_) => Val::Bool(false),
            Val::Int(_, t) => Val::Int(0, *t),
            Val::Array(items) => Val::Array(items.iter().map(Val::zero_like).collect()),
            Val::Tuple(items) => Val::Tuple(items.iter().map(Val::zero_like).collect()),
            Val::Struct(items) => Val::Struct(items.iter().map(Val::zero_like).collect()),
        }
    }

    /// Converts a boundary value (from a party) into an evaluation value.
    pub fn from_value(v: &Value) -> Val {
        match v {
            Value::Bool(b) => Val::Bool(*b),
            Value::Int(i) => Val::Int(
                i.raw_u128(),
                IntTy {
                    signed: i.signed(),
                    bits: i.bits(),
                },
            ),
            Value::Array(items) => Val::Array(items.iter().map(Val::from_value).collect()),
            Value::Tuple(items) => Val::Tuple(items.iter().map(Val::from_value).collect()),
            Value::Struct(_, fields) => {
                Val::Struct(fields.iter().map(|(_, v)| Val::from_value(v)).collect())
            }
        }
    }

    /// Converts to a boundary value of type `ty` (for struct and field names).
    pub fn to_value(&self, ty: &ValueType) -> Value {
        match (self, ty) {
            (Val::Bool(b), _) => Value::Bool(*b),
            (Val::Int(raw, t), _) => {
                Value::Int(IntValue::from_u128_wrapping(t.signed, t.bits, *raw))
            }
            (Val::Array(items), ValueType::Array { elem, .. }) => {
                Value::Array(items.iter().map(|v| v.to_value(elem)).collect())
            }
            (Val::Tuple(items), ValueType::Tuple(tys)) => {
                Value::Tuple(items.iter().zip(tys).map(|(v, t)| v.to_value(t)).collect())
            }
            (Val::Struct(items), ValueType::Struct { name, fields }) => Value::Struct(
                name.clone(),
                items
                    .iter()
                    .zip(fields)
                    .map(|(v, (n, t))| (n.clone(), v.to_value(t)))
                    .collect(),
            ),
            // Shapes always agree for checked programs; fall back structurally.
            (Val::Array(items), _) => Value::Array(items.iter().map(|v| v.to_value(ty)).collect()),
            (Val::Tuple(items), _) | (Val::Struct(items), _) => {
                Value::Tuple(items.iter().map(|v| v.to_value(ty)).collect())
            }
        }
    }
}

fn sign_bit(raw: u128, ty: IntTy) -> bool {
    (raw >> (ty.bits - 1)) & 1 == 1
}

/// The numeric value of a masked pattern.
pub fn to_i128(raw: u128, ty: IntTy) -> i128 {
    if ty.signed && ty.bits < 128 && sign_bit(raw, ty) {
        (raw | !ty.mask()) as i128
    } else {
        raw as i128
    }
}

/// The values a `for` loop over `lo..hi` (or `lo..=hi`) of type `ty` takes,
/// as patterns, in order; empty when `lo` is not below the end.
pub fn loop_values(
    lo: u128,
    hi: u128,
    ty: IntTy,
    inclusive: bool,
) -> Box<dyn Iterator<Item = u128>> {
    if ty.signed {
        let (lo, hi) = (to_i128(lo, ty), to_i128(hi, ty));
        let mask = ty.mask();
        if inclusive {
            Box::new((lo..=hi).map(move |i| i as u128 & mask))
        } else {
            Box::new((lo..hi).map(move |i| i as u128 & mask))
        }
    } else if inclusive {
        Box::new(lo..=hi)
    } else {
        Box::new(lo..hi)
    }
}

/// How many values [`loop_values`] yields for the same bounds.
pub fn loop_count(lo: u128, hi: u128, ty: IntTy, inclusive: bool) -> u128 {
    let extra = u128::from(inclusive);
    if ty.signed {
        let (lo, hi) = (to_i128(lo, ty), to_i128(hi, ty));
        if hi < lo {
            0
        } else {
            (hi.abs_diff(lo)).saturating_add(extra)
        }
    } else if hi < lo {
        0
    } else {
        (hi - lo).saturating_add(extra)
    }
}

/// Whether `value` (a mathematical integer given as sign and magnitude) fits `ty`.
pub fn fits(negative: bool, magnitude: u128, ty: IntTy) -> bool {
    if ty.signed {
        let limit = 1u128 << (ty.bits - 1);
        if negative {
            magnitude <= limit
        } else {
            magnitude < limit
        }
    } else {
        (!negative || magnitude == 0) && magnitude <= ty.mask()
    }
}

/// The pattern of a literal `magnitude` (negated when `negative`) in `ty`.
pub fn literal(negative: bool, magnitude: u128, ty: IntTy) -> Val {
    let raw = if negative {
        magnitude.wrapping_neg()
    } else {
        magnitude
    };
    Val::int(raw, ty)
}

/// A prefix operator on a scalar.
pub fn unary(op: UnOp, v: &Val) -> Val {
    match (op, v) {
        (UnOp::Not, Val::Bool(b)) => Val::Bool(!b),
        (UnOp::Not | UnOp::BitNot, Val::Int(raw, ty)) => Val::int(!raw, *ty),
        (UnOp::Neg, Val::Int(raw, ty)) => Val::int(raw.wrapping_neg(), *ty),
        (_, other) => other.clone(),
    }
}

fn ord(a: u128, b: u128, ty: IntTy) -> std::cmp::Ordering {
    if ty.signed {
        to_i128(a, ty).cmp(&to_i128(b, ty))
    } else {
        a.cmp(&b)
    }
}

/// Quotient and remainder with the language's total semantics.
pub fn div_rem(a: u128, b: u128, ty: IntTy) -> (u128, u128) {
    if b == 0 {
        return (ty.mask(), a);
    }
    if ty.signed {
        let (x, y) = (to_i128(a, ty), to_i128(b, ty));
        // Wrapping covers MIN / -1 for 128-bit types; narrower types fit in i128.
        let q = x.wrapping_div(y);
        let r = x.wrapping_rem(y);
        (q as u128 & ty.mask(), r as u128 & ty.mask())
    } else {
        (a / b, a % b)
    }
}

/// A left or right shift by an unsigned amount.
pub fn shift(left: bool, raw: u128, ty: IntTy, amount: u128) -> u128 {
    if amount >= u128::from(ty.bits) {
        return if !left && ty.signed && sign_bit(raw, ty) {
            ty.mask()
        } else {
            0
        };
    }
    let n = amount as u32;
    if left {
        (raw << n) & ty.mask()
    } else if ty.signed {
        ((to_i128(raw, ty) >> n) as u128) & ty.mask()
    } else {
        raw >> n
    }
}

/// A rotation of `raw` by `amount` modulo the width.
pub fn rotate(left: bool, raw: u128, ty: IntTy, amount: u128) -> u128 {
    let w = u128::from(ty.bits);
    let n = (amount % w) as u32;
    if n == 0 {
        return raw;
    }
    let n = if left { n } else { ty.bits - n };
    ((raw << n) | (raw >> (ty.bits - n))) & ty.mask()
}

/// A binary operator on scalars of matching types (shift amounts may differ).
pub fn binary(op: BinOp, a: &Val, b: &Val) -> Val {
    match (a, b) {
        (Val::Bool(x), Val::Bool(y)) => Val::Bool(match op {
            BinOp::And | BinOp::BitAnd => *x && *y,
            BinOp::Or | BinOp::BitOr => *x || *y,
            BinOp::BitXor | BinOp::Ne => x != y,
            BinOp::Eq => x == y,
            BinOp::Lt => !*x && *y,
            BinOp::Le => !*x || *y,
            BinOp::Gt => *x && !*y,
            BinOp::Ge => *x || !*y,
            _ => false,
        }),
        (Val::Int(x, ty), Val::Int(y, _)) => {
            let (x, y, ty) = (*x, *y, *ty);
            match op {
                BinOp::Add => Val::int(x.wrapping_add(y), ty),
                BinOp::Sub => Val::int(x.wrapping_sub(y), ty),
                BinOp::Mul => Val::int(x.wrapping_mul(y), ty),
                BinOp::Div => Val::int(div_rem(x, y, ty).0, ty),
                BinOp::Rem => Val::int(div_rem(x, y, ty).1, ty),
                BinOp::BitAnd => Val::int(x & y, ty),
                BinOp::BitOr => Val::int(x | y, ty),
                BinOp::BitXor => Val::int(x ^ y, ty),
                BinOp::Shl => Val::int(shift(true, x, ty, y), ty),
                BinOp::Shr => Val::int(shift(false, x, ty, y), ty),
                BinOp::Eq => Val::Bool(x == y),
                BinOp::Ne => Val::Bool(x != y),
                BinOp::Lt => Val::Bool(ord(x, y, ty).is_lt()),
                BinOp::Le => Val::Bool(ord(x, y, ty).is_le()),
                BinOp::Gt => Val::Bool(ord(x, y, ty).is_gt()),
                BinOp::Ge => Val::Bool(ord(x, y, ty).is_ge()),
                BinOp::And | BinOp::Or => Val::Bool(false),
            }
        }
        // Aggregates compare for equality element-wise.
        (x, y) if matches!(op, BinOp::Eq) => Val::Bool(x == y),
        (x, y) if matches!(op, BinOp::Ne) => Val::Bool(x != y),
        (x, _) => x.clone(),
    }
}

/// `e as T` for scalars: truncate, or sign/zero extend by the source's signedness.
pub fn cast(v: &Val, to: IntTy) -> Val {
    match v {
        Val::Bool(b) => Val::int(u128::from(*b), to),
        Val::Int(raw, from) => {
            let extended = if from.signed {
                to_i128(*raw, *from) as u128
            } else {
                *raw
            };
            Val::int(extended, to)
        }
        other => other.clone(),
    }
}

/// `min`/`max` of two scalars of one type.
pub fn min_max(max: bool, a: &Val, b: &Val) -> Val {
    let less = binary(BinOp::Lt, a, b).as_bool().unwrap_or(false);
    if less == max {
        b.clone()
    } else {
        a.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const U8: IntTy = IntTy {
        signed: false,
        bits: 8,
    };
    const I8: IntTy = IntTy {
        signed: true,
        bits: 8,
    };

    fn i8v(x: i8) -> Val {
        Val::int(x as u8 as u128, I8)
    }

    #[test]
    fn wrapping_arithmetic() {
        assert_eq!(
            binary(BinOp::Add, &Val::int(200, U8), &Val::int(100, U8)),
            Val::int(44, U8)
        );
        assert_eq!(
            binary(BinOp::Sub, &Val::int(3, U8), &Val::int(10, U8)),
            Val::int(249, U8)
        );
        assert_eq!(binary(BinOp::Mul, &i8v(-128), &i8v(-1)), i8v(-128));
    }

    #[test]
    fn division_never_traps() {
        assert_eq!(
            binary(BinOp::Div, &Val::int(7, U8), &Val::int(0, U8)),
            Val::int(255, U8)
        );
        assert_eq!(
            binary(BinOp::Rem, &Val::int(7, U8), &Val::int(0, U8)),
            Val::int(7, U8)
        );
        assert_eq!(binary(BinOp::Div, &i8v(-7), &i8v(2)), i8v(-3));
        assert_eq!(binary(BinOp::Rem, &i8v(-7), &i8v(2)), i8v(-1));
        assert_eq!(binary(BinOp::Div, &i8v(-128), &i8v(-1)), i8v(-128));
        assert_eq!(binary(BinOp::Rem, &i8v(-128), &i8v(-1)), i8v(0));
        assert_eq!(binary(BinOp::Div, &i8v(5), &i8v(0)), i8v(-1));
    }

    #[test]
    fn shifts_and_rotations() {
        assert_eq!(shift(true, 0b1001, U8, 4), 0b1001_0000);
        assert_eq!(shift(true, 1, U8, 8), 0);
        assert_eq!(shift(false, 0x80, I8, 3), 0xf0);
        assert_eq!(shift(false, 0x80, I8, 100), 0xff);
        assert_eq!(shift(false, 0x80, U8, 100), 0);
        assert_eq!(rotate(true, 0x81, U8, 1), 0x03);
        assert_eq!(rotate(false, 0x81, U8, 9), 0xc0);
    }

    #[test]
    fn comparisons_respect_sign() {
        assert_eq!(binary(BinOp::Lt, &i8v(-1), &i8v(1)), Val::Bool(true));
        assert_eq!(
            binary(BinOp::Lt, &Val::int(255, U8), &Val::int(1, U8)),
            Val::Bool(false)
        );
    }

    #[test]
    fn casts_extend_by_source_sign() {
        let u16t = IntTy {
            signed: false,
            bits: 16,
        };
        assert_eq!(cast(&i8v(-1), u16t), Val::int(0xffff, u16t));
        assert_eq!(cast(&Val::int(255, U8), u16t), Val::int(255, u16t));
        assert_eq!(cast(&Val::int(0x1ff, u16t), U8), Val::int(0xff, U8));
        assert_eq!(cast(&Val::Bool(true), U8), Val::int(1, U8));
    }

    #[test]
    fn loop_counts_match_loop_values() {
        for (lo, hi, ty, inclusive) in [
            (0u128, 10u128, U8, false),
            (3, 3, U8, true),
            (5, 2, U8, false),
            (0xfe, 0x02, I8, false),
            (0x80, 0x7f, I8, true),
            (0, 255, U8, true),
        ] {
            let n = loop_values(lo, hi, ty, inclusive).count() as u128;
            assert_eq!(
                loop_count(lo, hi, ty, inclusive),
                n,
                "{lo}..{hi} {ty:?} {inclusive}"
            );
        }
    }

    #[test]
    fn literal_fit() {
        assert!(fits(true, 128, I8));
        assert!(!fits(true, 129, I8));
        assert!(!fits(false, 128, I8));
        assert!(fits(false, 255, U8));
        assert!(!fits(false, 256, U8));
        assert!(!fits(true, 1, U8));
        assert_eq!(literal(true, 3, I8), i8v(-3));
    }
}
