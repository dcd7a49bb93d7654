//! IR → arithmetic circuit over Z_2^k, optionally mixed with Boolean gadgets
//! behind explicit conversion gates.
//!
//! **Narrow values in a wide ring.** A `w`-bit value (`w <= k`) lives in a
//! ring element whose low `w` bits are the value; the bits above may be
//! anything. Addition, subtraction, negation, complement (`-1 - x`) and
//! multiplication never let high bits reach low ones, so they are exact in
//! the low `w` bits with no reduction at all, and so is everything that
//! reads only low bits: arithmetic output groups (the evaluator and every
//! backend read the low bits of the type's width), `arith_to_bits` of `w`
//! bits, and truncation (the same element). Only operations that look above
//! bit `w` need the high bits to be known, so each ring value carries what
//! is known about them (`Ext`): zero (after `bits_to_arith`, from unsigned
//! inputs and constants), copies of the sign bit (signed inputs), or
//! nothing. Zero extension of a zero-extended value and sign extension of a
//! sign-extended one are free; a multiplexer needs a condition that is
//! exactly 0 or 1; otherwise the value goes through bits.
//!
//! **Pure (`mixed = false`).** Every input and output group is arithmetic,
//! every value must fit the ring, and an operation that needs bits (a
//! comparison, a division, a secret shift, a zero extension of a value whose
//! high bits are unknown, …) is [`LowerError::NeedsBoolean`], which names
//! the operation and suggests `--target mixed`. Bitwise operations on 1-bit
//! values are arithmetic: `a & b = ab`, `a ^ b = a + b`,
//! `a | b = a + b - ab` in the low bit.
//!
//! **Mixed.** Each value may live in the ring, in bits, or both (each
//! conversion is made once per value and cached). Multiplications of two
//! secrets are always arithmetic; additions, subtractions, negations,
//! multiplexers and extensions are arithmetic when an operand already is, or
//! when their result feeds a multiplication (found by a backward pass);
//! everything else uses the Boolean gadgets of [`super::boolean`] (size
//! mode). An input group is arithmetic when one of its scalars feeds such an
//! arithmetic chain (and every scalar fits the ring), Boolean otherwise; an
//! output group is arithmetic when at least as many of its values live in
//! the ring as only in bits. Values wider than the ring stay Boolean.

use veil_circuit::{Domain, ValidCircuit, ValueType};

use super::boolean::WordLowering;
use super::cleanup::{self, OutItem, Plan, PlanInput, PlanOutput};
use super::net::{Lit, Net, RingId};
use super::{check_module, LowerError};
use crate::gadgets::Optimize;
use crate::ir::{BinOp, Inst, Module, Op, UnOp, ValueId};

/// What a ring element holds above its value's width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ext {
    /// Zeros: the element is the value, zero-extended.
    Zero,
    /// Copies of the value's sign bit: the value, sign-extended.
    Sign,
    /// Unknown bits.
    Dirty,
}

/// The forms a value is available in.
#[derive(Debug, Clone, Default)]
struct Slot {
    ring: Option<(RingId, Ext)>,
    bits: Option<Vec<Lit>>,
    /// A constant: both forms are free.
    constant: bool,
}

/// One scalar of a value type, located by bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Leaf {
    /// Index among the type's scalars.
    index: u64,
    /// First bit of the scalar in the type's bit layout.
    offset: u64,
    width: u32,
    signed: bool,
}

/// The scalar of `ty` that holds bit `bit`, without listing every scalar.
fn leaf_at(ty: &ValueType, bit: u64) -> Option<Leaf> {
    match ty {
        ValueType::Bool => (bit == 0).then_some(Leaf {
            index: 0,
            offset: 0,
            width: 1,
            signed: false,
        }),
        ValueType::Int { signed, bits } => (bit < u64::from(*bits)).then_some(Leaf {
            index: 0,
            offset: 0,
            width: *bits,
            signed: *signed,
        }),
        ValueType::Array { elem, len } => {
            let ew = elem.bit_width();
            if ew == 0 {
                return None;
            }
            let i = bit / ew;
            if i >= *len {
                return None;
            }
            let inner = leaf_at(elem, bit % ew)?;
            Some(Leaf {
                index: i * elem.scalar_count() + inner.index,
                offset: i * ew + inner.offset,
                ..inner
            })
        }
        ValueType::Tuple(items) => fields_leaf(items.iter(), bit),
        ValueType::Struct { fields, .. } => fields_leaf(fields.iter().map(|(_, t)| t), bit),
    }
}

fn fields_leaf<'t>(items: impl Iterator<Item = &'t ValueType>, bit: u64) -> Option<Leaf> {
    let (mut offset, mut index) = (0u64, 0u64);
    for t in items {
        let w = t.bit_width();
        if bit < offset + w {
            let inner = leaf_at(t, bit - offset)?;
            return Some(Leaf {
                index: index + inner.index,
                offset: offset + inner.offset,
                ..inner
            });
        }
        offset += w;
        index += t.scalar_count();
    }
    None
}

/// The widest integer scalar of a type (1 for booleans).
fn widest_scalar(ty: &ValueType) -> u32 {
    match ty {
        ValueType::Bool => 1,
        ValueType::Int { bits, .. } => *bits,
        ValueType::Array { elem, len } => {
            if *len == 0 {
                0
            } else {
                widest_scalar(elem)
            }
        }
        ValueType::Tuple(items) => items.iter().map(widest_scalar).max().unwrap_or(0),
        ValueType::Struct { fields, .. } => fields
            .iter()
            .map(|(_, t)| widest_scalar(t))
            .max()
            .unwrap_or(0),
    }
}

/// The operation's name for diagnostics.
fn op_name(op: &Op) -> String {
    match op {
        Op::Const(_) => "const".into(),
        Op::Input { .. } => "input".into(),
        Op::Unary(u, _) => u.to_string(),
        Op::Binary(b, _, _) => b.name().into(),
        Op::Mux(..) => "mux".into(),
        Op::Trunc(_) => "trunc".into(),
        Op::Zext(_) => "zext".into(),
        Op::Sext(_) => "sext".into(),
        Op::Extract(..) => "extract".into(),
        Op::Concat(..) => "concat".into(),
    }
}

/// Which values feed a secret × secret multiplication through ring-friendly
/// operations (so computing them in the ring saves conversions).
fn ring_demand(m: &Module, k: u32) -> Vec<bool> {
    let is_const = |v: ValueId| matches!(m.inst(v).op, Op::Const(_));
    let mut want = vec![false; m.insts.len()];
    for (i, inst) in m.insts.iter().enumerate().rev() {
        if let Op::Binary(BinOp::Mul, x, y) = inst.op {
            if !is_const(x) && !is_const(y) {
                want[i] = true;
            }
        }
        if !want[i] || inst.width > k {
            continue;
        }
        match inst.op {
            Op::Binary(BinOp::Add | BinOp::Sub | BinOp::Mul, x, y) | Op::Concat(x, y) => {
                want[x.index()] = true;
                want[y.index()] = true;
            }
            Op::Unary(_, a) | Op::Trunc(a) | Op::Zext(a) | Op::Sext(a) => {
                want[a.index()] = true;
            }
            Op::Mux(_, a, b) => {
                want[a.index()] = true;
                want[b.index()] = true;
            }
            _ => {}
        }
    }
    want
}

/// Lowers a verified module to an arithmetic circuit over Z_2^`ring_bits`
/// (see the module documentation); with `mixed`, operations without an
/// arithmetic form use Boolean gadgets behind conversion gates, otherwise
/// they are errors.
pub fn to_arith(m: &Module, mixed: bool, ring_bits: u32) -> Result<ValidCircuit, LowerError> {
    if !(1..=64).contains(&ring_bits) {
        return Err(LowerError::RingBits(ring_bits));
    }
    check_module(m)?;
    let k = ring_bits;
    let want = if mixed {
        ring_demand(m, k)
    } else {
        vec![true; m.insts.len()]
    };
    let mut domains = Vec::with_capacity(m.inputs.len());
    for (gi, d) in m.inputs.iter().enumerate() {
        let widest = widest_scalar(&d.ty);
        let fits = widest <= k;
        if !mixed && !fits {
            return Err(LowerError::TooWide {
                what: format!("a scalar of input `{}`", d.name),
                width: u64::from(widest),
                limit: format!("the arithmetic target's ring has {k} bits"),
            });
        }
        let demanded = m.insts.iter().enumerate().any(|(i, inst)| {
            want[i] && matches!(inst.op, Op::Input { group, .. } if group as usize == gi)
        });
        domains.push(if fits && (demanded || !mixed) {
            Domain::Arith
        } else {
            Domain::Bool
        });
    }
    let mut l = Lowering {
        m,
        k,
        mixed,
        want,
        domains,
        net: Net::new(k),
        slots: Vec::with_capacity(m.insts.len()),
        words: WordLowering::new(Optimize::Size),
    };
    for (i, inst) in m.insts.iter().enumerate() {
        let slot = l.inst(ValueId(i as u32), inst)?;
        l.slots.push(slot);
    }
    let outputs = l.outputs()?;
    let plan = Plan {
        parties: m.parties.clone(),
        ring_bits: k,
        inputs: m
            .inputs
            .iter()
            .zip(&l.domains)
            .map(|(d, &domain)| PlanInput {
                party: d.party as u32,
                name: d.name.clone(),
                ty: d.ty.clone(),
                public: d.public,
                domain,
            })
            .collect(),
        outputs,
    };
    l.net.stop_sharing();
    cleanup::emit(&l.net, &plan).map_err(LowerError::Circuit)
}

/// The state of one arithmetic lowering.
struct Lowering<'m> {
    m: &'m Module,
    k: u32,
    mixed: bool,
    want: Vec<bool>,
    domains: Vec<Domain>,
    net: Net,
    slots: Vec<Slot>,
    words: WordLowering<Lit>,
}

impl Lowering<'_> {
    fn width(&self, v: ValueId) -> u32 {
        self.m.inst(v).width
    }

    fn needs_boolean(&self, op: impl Into<String>, at: ValueId) -> LowerError {
        LowerError::NeedsBoolean { op: op.into(), at }
    }

    /// Whether `v` already lives in the ring (constants do not count: they
    /// are free in either form).
    fn ringy(&self, v: ValueId) -> bool {
        let s = &self.slots[v.index()];
        s.ring.is_some() && !s.constant
    }

    /// The ring element of `v` (converting its bits if needed, in mixed mode).
    fn ring(&mut self, v: ValueId, at: ValueId, op: &Op) -> Result<(RingId, Ext), LowerError> {
        if let Some(r) = self.slots[v.index()].ring {
            return Ok(r);
        }
        let w = self.width(v);
        match &self.slots[v.index()].bits {
            Some(bits) if self.mixed && w <= self.k => {
                let r = (self.net.bits_to_arith(bits), Ext::Zero);
                self.slots[v.index()].ring = Some(r);
                Ok(r)
            }
            _ => Err(self.needs_boolean(op_name(op), at)),
        }
    }

    /// The bits of `v` (converting its ring element if needed, in mixed mode).
    fn bits(&mut self, v: ValueId, at: ValueId, op: &Op) -> Result<(), LowerError> {
        if self.slots[v.index()].bits.is_some() {
            return Ok(());
        }
        let w = self.width(v);
        match self.slots[v.index()].ring {
            Some((r, _)) if self.mixed => {
                let bits = self.net.arith_to_bits(r, w);
                self.slots[v.index()].bits = Some(bits);
                Ok(())
            }
            _ => Err(self.needs_boolean(op_name(op), at)),
        }
    }

    /// `ext` when the value fills the ring (then every claim holds).
    fn ext_at(&self, w: u32, ext: Ext) -> Ext {
        if w >= self.k {
            Ext::Zero
        } else {
            ext
        }
    }

    fn is_zero_ext(&self, v: ValueId, ext: Ext) -> bool {
        ext == Ext::Zero || self.width(v) >= self.k
    }

    fn is_sign_ext(&self, v: ValueId, ext: Ext) -> bool {
        ext == Ext::Sign || self.width(v) >= self.k
    }

    fn inst(&mut self, v: ValueId, inst: &Inst) -> Result<Slot, LowerError> {
        let w = inst.width;
        if w > self.k && !self.mixed {
            return Err(LowerError::TooWide {
                what: format!("{v}"),
                width: u64::from(w),
                limit: format!(
                    "the arithmetic target's ring has {} bits (use `--target mixed`)",
                    self.k
                ),
            });
        }
        match inst.op {
            Op::Const(c) => {
                let ring = (w <= self.k).then(|| (self.net.ring_const(c as u64), Ext::Zero));
                let bits = crate::gadgets::constant_word(&mut self.net, c, w as usize);
                Ok(Slot {
                    ring,
                    bits: Some(bits),
                    constant: true,
                })
            }
            Op::Input { group, bit } => self.input(v, group, bit, w),
            op => {
                if w <= self.k {
                    if let Some(slot) = self.ring_op(v, &op, w)? {
                        return Ok(slot);
                    }
                }
                if !self.mixed {
                    return Err(self.needs_boolean(op_name(&op), v));
                }
                for o in op.operands() {
                    self.bits(o, v, &op)?;
                }
                let slots = &self.slots;
                let bits = self.words.lower(&mut self.net, &op, w, |o| {
                    slots[o.index()].bits.as_deref().unwrap_or(&[])
                });
                Ok(Slot {
                    bits: Some(bits),
                    ..Slot::default()
                })
            }
        }
    }

    fn input(&mut self, v: ValueId, group: u32, bit: u32, w: u32) -> Result<Slot, LowerError> {
        let g = group as usize;
        if self.domains[g] == Domain::Bool {
            let bits = (0..w).map(|i| self.net.input(group, bit + i)).collect();
            return Ok(Slot {
                bits: Some(bits),
                ..Slot::default()
            });
        }
        let m = self.m;
        let ty = &m.inputs[g].ty;
        let leaf = leaf_at(ty, u64::from(bit));
        if let Some(leaf) = leaf {
            if leaf.offset == u64::from(bit) && w <= leaf.width {
                let r = self.net.ring_input(group, leaf.index as u32);
                let ext = if w < leaf.width {
                    Ext::Dirty
                } else if leaf.signed {
                    Ext::Sign
                } else {
                    Ext::Zero
                };
                return Ok(Slot {
                    ring: Some((r, self.ext_at(w, ext))),
                    ..Slot::default()
                });
            }
        }
        if !self.mixed {
            return Err(self.needs_boolean("input bits that do not start a scalar", v));
        }
        // Bits from the middle of (or across) scalars: decompose each scalar.
        let mut bits = Vec::with_capacity(w as usize);
        for i in 0..w {
            let p = u64::from(bit + i);
            let lit = match leaf_at(ty, p) {
                Some(leaf) => {
                    let r = self.net.ring_input(group, leaf.index as u32);
                    let scalar = self.net.arith_to_bits(r, leaf.width);
                    scalar[(p - leaf.offset) as usize]
                }
                None => Lit::FALSE,
            };
            bits.push(lit);
        }
        Ok(Slot {
            bits: Some(bits),
            ..Slot::default()
        })
    }

    /// The ring form of a ring-friendly operation, when it is chosen; `None`
    /// sends the operation to bits (mixed) or to an error (pure).
    fn ring_op(&mut self, v: ValueId, op: &Op, w: u32) -> Result<Option<Slot>, LowerError> {
        let pure = !self.mixed;
        let prefer = |l: &Self, operands: &[ValueId]| {
            pure || l.want[v.index()] || operands.iter().any(|&o| l.ringy(o))
        };
        let k_mask = if self.k >= 64 {
            u64::MAX
        } else {
            (1u64 << self.k) - 1
        };
        let dirty = self.ext_at(w, Ext::Dirty);
        let slot = |ring: RingId, ext: Ext| {
            Some(Slot {
                ring: Some((ring, ext)),
                ..Slot::default()
            })
        };
        Ok(match *op {
            Op::Binary(bop @ (BinOp::Add | BinOp::Sub | BinOp::Mul), x, y) => {
                let secret_mul = bop == BinOp::Mul
                    && !self.slots[x.index()].constant
                    && !self.slots[y.index()].constant;
                if !(secret_mul || prefer(self, &[x, y])) {
                    return Ok(None);
                }
                let (a, _) = self.ring(x, v, op)?;
                let (b, _) = self.ring(y, v, op)?;
                let r = match bop {
                    BinOp::Add => self.net.ring_add(a, b),
                    BinOp::Sub => self.net.ring_sub(a, b),
                    _ => self.net.ring_mul(a, b),
                };
                slot(r, dirty)
            }
            Op::Unary(u, a) => {
                if !prefer(self, &[a]) {
                    return Ok(None);
                }
                let (x, _) = self.ring(a, v, op)?;
                let neg = self.net.ring_mul_const(x, u64::MAX);
                let r = match u {
                    UnOp::Neg => neg,
                    UnOp::Not => self.net.ring_add_const(neg, u64::MAX),
                };
                slot(r, dirty)
            }
            Op::Mux(c, a, b) => {
                if !prefer(self, &[a, b]) {
                    return Ok(None);
                }
                let clean = match self.slots[c.index()].ring {
                    Some((r, ext)) if self.is_zero_ext(c, ext) => Some(r),
                    _ => None,
                };
                let cr = match clean {
                    Some(r) => r,
                    None => {
                        // A 0/1 condition from its bit; bits first if needed.
                        if pure {
                            return Err(self.needs_boolean(
                                "mux on a condition that is not exactly 0 or 1",
                                v,
                            ));
                        }
                        self.bits(c, v, op)?;
                        let bit = self.slots[c.index()]
                            .bits
                            .as_deref()
                            .unwrap_or(&[])
                            .to_vec();
                        self.net.bits_to_arith(&bit)
                    }
                };
                let (ra, ea) = self.ring(a, v, op)?;
                let (rb, eb) = self.ring(b, v, op)?;
                let d = self.net.ring_sub(ra, rb);
                let t = self.net.ring_mul(cr, d);
                let r = self.net.ring_add(rb, t);
                let ext = if ea == eb { ea } else { Ext::Dirty };
                slot(r, self.ext_at(w, ext))
            }
            Op::Trunc(a) | Op::Extract(a, 0) => {
                if !(pure || self.ringy(a)) {
                    return Ok(None);
                }
                let (r, _) = self.ring(a, v, op)?;
                slot(r, dirty)
            }
            Op::Zext(a) | Op::Sext(a) => {
                let zext = matches!(op, Op::Zext(_));
                let Some((r, ext)) = self.slots[a.index()].ring else {
                    return Ok(None);
                };
                let ok = if zext {
                    self.is_zero_ext(a, ext)
                } else {
                    self.is_sign_ext(a, ext)
                };
                if !ok || !(pure || self.ringy(a)) {
                    return Ok(None);
                }
                slot(r, self.ext_at(w, if zext { Ext::Zero } else { Ext::Sign }))
            }
            Op::Concat(lo, hi) => {
                let (Some((rl, el)), Some((rh, eh))) =
                    (self.slots[lo.index()].ring, self.slots[hi.index()].ring)
                else {
                    return Ok(None);
                };
                if !self.is_zero_ext(lo, el) || !(pure || self.ringy(lo) || self.ringy(hi)) {
                    return Ok(None);
                }
                let wl = self.width(lo);
                let shifted = self.net.ring_mul_const(rh, (1u64 << wl) & k_mask);
                let r = self.net.ring_add(rl, shifted);
                let ext = match eh {
                    Ext::Zero if self.is_zero_ext(hi, eh) => Ext::Zero,
                    Ext::Sign => Ext::Sign,
                    _ if self.width(hi) >= self.k => Ext::Zero,
                    _ => Ext::Dirty,
                };
                slot(r, self.ext_at(w, ext))
            }
            Op::Binary(BinOp::Shl, x, y) => {
                let amount = match self.m.inst(y).op {
                    Op::Const(c) => c,
                    _ => return Ok(None),
                };
                if !(pure || self.ringy(x)) {
                    return Ok(None);
                }
                let (r, _) = self.ring(x, v, op)?;
                let factor = if amount >= u128::from(w) {
                    0
                } else {
                    (1u64 << amount) & k_mask
                };
                let out = self.net.ring_mul_const(r, factor);
                slot(out, if factor == 0 { Ext::Zero } else { dirty })
            }
            Op::Binary(
                bop @ (BinOp::And | BinOp::Or | BinOp::Xor | BinOp::Eq | BinOp::Ne),
                x,
                y,
            ) if self.width(x) == 1 => {
                if !(pure || (self.ringy(x) && self.ringy(y))) {
                    return Ok(None);
                }
                let (a, ea) = self.ring(x, v, op)?;
                let (b, eb) = self.ring(y, v, op)?;
                let clean = self.is_zero_ext(x, ea) && self.is_zero_ext(y, eb);
                let (r, ext) = match bop {
                    BinOp::And => (self.net.ring_mul(a, b), clean),
                    BinOp::Or => {
                        let s = self.net.ring_add(a, b);
                        let p = self.net.ring_mul(a, b);
                        (self.net.ring_sub(s, p), clean)
                    }
                    BinOp::Xor | BinOp::Ne => (self.net.ring_add(a, b), false),
                    _ => {
                        let s = self.net.ring_add(a, b);
                        (self.net.ring_add_const(s, 1), false)
                    }
                };
                slot(r, if ext { Ext::Zero } else { dirty })
            }
            _ => None,
        })
    }

    /// The output groups: arithmetic where the values line up with the
    /// type's scalars and mostly live in the ring (always, when pure).
    fn outputs(&mut self) -> Result<Vec<PlanOutput>, LowerError> {
        let m = self.m;
        let mut out = Vec::with_capacity(m.outputs.len());
        for o in &m.outputs {
            let mut aligned = true;
            let mut offset = 0u64;
            let (mut in_ring, mut in_bits) = (0usize, 0usize);
            for &v in &o.values {
                let w = self.width(v);
                match leaf_at(&o.ty, offset) {
                    Some(leaf) if leaf.offset == offset && leaf.width == w && w <= self.k => {}
                    _ => aligned = false,
                }
                offset += u64::from(w);
                if self.ringy(v) {
                    in_ring += 1;
                } else if self.slots[v.index()].ring.is_none() {
                    in_bits += 1;
                }
            }
            let arith = aligned && (!self.mixed || in_ring >= in_bits);
            if !self.mixed && !aligned {
                let at = o.values.first().copied().unwrap_or(ValueId(0));
                return Err(self.needs_boolean(
                    format!("output `{}` whose values do not match its scalars", o.name),
                    at,
                ));
            }
            let fake = Op::Const(0);
            let mut items = Vec::new();
            for &v in &o.values {
                if arith {
                    let (r, _) = self.ring(v, v, &fake)?;
                    items.push(OutItem::Ring(r));
                } else {
                    self.bits(v, v, &fake)?;
                    let bits = self.slots[v.index()].bits.as_deref().unwrap_or(&[]);
                    items.extend(bits.iter().map(|&l| OutItem::Bit(l)));
                }
            }
            out.push(PlanOutput {
                name: o.name.clone(),
                recipients: o.recipients.iter().map(|&p| p as u32).collect(),
                ty: o.ty.clone(),
                domain: if arith { Domain::Arith } else { Domain::Bool },
                items,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_are_found_by_bit() {
        let ty = ValueType::Tuple(vec![
            ValueType::Bool,
            ValueType::Array {
                elem: Box::new(ValueType::Int {
                    signed: true,
                    bits: 8,
                }),
                len: 3,
            },
            ValueType::Int {
                signed: false,
                bits: 16,
            },
        ]);
        assert_eq!(
            leaf_at(&ty, 0),
            Some(Leaf {
                index: 0,
                offset: 0,
                width: 1,
                signed: false
            })
        );
        assert_eq!(
            leaf_at(&ty, 12),
            Some(Leaf {
                index: 2,
                offset: 9,
                width: 8,
                signed: true
            })
        );
        assert_eq!(leaf_at(&ty, 25).map(|l| (l.index, l.offset)), Some((4, 25)));
        assert_eq!(leaf_at(&ty, 41), None);
        assert_eq!(widest_scalar(&ty), 16);
    }
}
