//! `narrow`: bit-width narrowing from known value ranges.
//!
//! Circuit cost grows with width (an adder costs one AND gate per bit, a
//! multiplier or divider far more), and programs are written with generous
//! types: a `u32` counter that sums 160 booleans never exceeds 160, so its
//! additions need at most 8 bits.
//!
//! What it does: a forward range analysis gives every value an unsigned
//! upper bound `ub` (the value, read as unsigned, is at most `ub`, so every
//! bit above `bits(ub)` is known zero): inputs and constants give the
//! obvious bounds, `zext` keeps its operand's bound, `add`/`mul` add or
//! multiply bounds when that cannot wrap, `and` takes the smaller bound,
//! `or`/`xor` the wider, `lshr`, `udiv`/`urem` and `trunc` only shrink,
//! `shl` by a constant shifts the bound when nothing is lost, `mux` takes
//! the larger arm, `concat` puts the high part's bound above the low part,
//! and signed operations on values whose sign bit is known zero behave like
//! their unsigned forms. Then the module is rebuilt with every value held
//! at its narrow width where the operation allows it:
//!
//! - `add mul and or xor mux lshr`, `shl` by a constant, `udiv` by a
//!   non-zero constant, `urem`, and `sdiv srem ashr` on non-negative
//!   operands (which become `udiv urem lshr`) are computed at
//!   `bits(ub)` bits (operands zero-extended or truncated to that width,
//!   which is exact because each operand's value fits);
//! - `eq ne ult ule`, and `slt sle` on non-negative operands (which become
//!   `ult ule`), compare at the width the wider operand needs; a comparison
//!   the bounds decide (`x <u c` with `ub(x) < c`, `x == c` with
//!   `c > ub(x)`, …) becomes a constant, as does any value with `ub = 0`;
//! - `zext`, `trunc` of a value that already fits, `concat` with a zero high
//!   part and `sext` of a non-negative value pass their operand's narrow
//!   form through; shift and rotation amounts use their narrow form;
//! - a narrow value used where the full width is needed (outputs, `sub`,
//!   `not`, …) is zero-extended back at its first such use, once.
//!
//! Needs: a verified module. Guarantees: every value used at its original
//! width is bit-for-bit what it was; no operation is made wider.
//!
//! Deliberately does not: track lower bounds or demanded bits (a `sub` or a
//! `not` is always computed at full width), narrow through `sub`/`neg`/
//! rotations, or remove what it makes dead (run `dce` after it; the
//! original-width extensions it keeps in place are dead when every user was
//! narrowed).

use std::collections::HashMap;

use super::rewrite::{bits_needed, install, mask, Rewriter};
use super::{Pass, PassReport};
use crate::ir::{BinOp, Inst, Module, Op, ValueId};

/// Bit-width narrowing from known ranges.
#[derive(Debug, Clone, Copy, Default)]
pub struct Narrow;

impl Pass for Narrow {
    fn name(&self) -> &'static str {
        "narrow"
    }

    fn run(&self, m: &mut Module) -> PassReport {
        let mut n = Narrower {
            rw: Rewriter::new(m),
            ub: Vec::with_capacity(m.insts.len()),
            rep: Vec::with_capacity(m.insts.len()),
            resized: HashMap::new(),
            narrowed: 0,
            saved_bits: 0,
        };
        for inst in &m.insts {
            let ub = n.bound(inst);
            let rep = n.emit(inst, ub);
            n.ub.push(ub);
            n.rep.push(rep);
        }
        for o in &m.outputs {
            for &v in &o.values {
                if v.index() < n.rep.len() {
                    let full = n.resize(v, m.inst(v).width);
                    n.rw.set(v, full);
                }
            }
        }
        let note = format!(
            "narrowed {} instructions, {} bits fewer",
            n.narrowed, n.saved_bits
        );
        let new = n.rw.finish();
        install(m, new, note)
    }
}

struct Narrower<'a> {
    rw: Rewriter<'a>,
    /// Per old value: its unsigned upper bound.
    ub: Vec<u128>,
    /// Per old value: a new value (and its width, at most the old width)
    /// whose zero extension is the old value.
    rep: Vec<(ValueId, u32)>,
    /// `(new value, width)` → the new value resized to that width.
    resized: HashMap<(ValueId, u32), ValueId>,
    narrowed: usize,
    saved_bits: u64,
}

impl Narrower<'_> {
    fn old(&self) -> &Module {
        self.rw.old()
    }

    fn w(&self, old: ValueId) -> u32 {
        self.old().inst(old).width
    }

    /// Old value `v` is known to be a constant (its new form is one).
    fn k(&self, v: ValueId) -> Option<u128> {
        self.rw.konst_of(self.rep[v.index()].0)
    }

    fn needs(&self, v: ValueId) -> u32 {
        bits_needed(self.ub[v.index()])
    }

    /// The sign bit of old value `v` is known zero.
    fn nonneg(&self, v: ValueId) -> bool {
        self.ub[v.index()] <= mask(self.w(v) - 1)
    }

    /// Old value `v` modulo `2^k`, as a new value of width `k`.
    fn resize(&mut self, v: ValueId, k: u32) -> ValueId {
        let (r, rw) = self.rep[v.index()];
        self.resize_new(r, rw, k)
    }

    fn resize_new(&mut self, r: ValueId, rw: u32, k: u32) -> ValueId {
        if rw == k {
            return r;
        }
        if let Some(&v) = self.resized.get(&(r, k)) {
            return v;
        }
        let v = match self.rw.konst_of(r) {
            Some(c) => self.rw.konst(c, k),
            None if rw < k => self.rw.push(Op::Zext(r), k),
            None => self.rw.push(Op::Trunc(r), k),
        };
        self.resized.insert((r, k), v);
        v
    }

    /// A comparison the bounds decide.
    fn decide(&self, b: BinOp, x: ValueId, y: ValueId) -> Option<bool> {
        let (ux, uy) = (self.ub[x.index()], self.ub[y.index()]);
        let (kx, ky) = (self.k(x), self.k(y));
        let b = match b {
            BinOp::Slt if self.nonneg(x) && self.nonneg(y) => BinOp::Ult,
            BinOp::Sle if self.nonneg(x) && self.nonneg(y) => BinOp::Ule,
            b => b,
        };
        match b {
            BinOp::Eq | BinOp::Ne => {
                let apart = kx.is_some_and(|c| c > uy) || ky.is_some_and(|c| c > ux);
                apart.then_some(b == BinOp::Ne)
            }
            BinOp::Ult => {
                if ky.is_some_and(|c| ux < c) {
                    Some(true)
                } else if kx.is_some_and(|c| c >= uy) {
                    Some(false)
                } else {
                    None
                }
            }
            BinOp::Ule => {
                if ky.is_some_and(|c| ux <= c) {
                    Some(true)
                } else if kx.is_some_and(|c| c > uy) {
                    Some(false)
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// The unsigned upper bound of an instruction, from its operands'.
    fn bound(&self, inst: &Inst) -> u128 {
        let w = inst.width;
        let full = mask(w);
        let ub = |v: ValueId| self.ub[v.index()];
        match inst.op {
            Op::Const(c) => c,
            Op::Input { .. } | Op::Unary(..) => full,
            Op::Binary(b, x, y) => {
                let (ux, uy, ky) = (ub(x), ub(y), self.k(y));
                let both_nonneg = self.nonneg(x) && self.nonneg(y);
                match b {
                    BinOp::Add => ux.checked_add(uy).filter(|&u| u <= full).unwrap_or(full),
                    BinOp::Mul => ux.checked_mul(uy).filter(|&u| u <= full).unwrap_or(full),
                    BinOp::UDiv => ky.filter(|&c| c != 0).map_or(full, |c| ux / c),
                    BinOp::SDiv if both_nonneg => ky.filter(|&c| c != 0).map_or(full, |c| ux / c),
                    BinOp::URem => ky.filter(|&c| c != 0).map_or(ux, |c| ux.min(c - 1)),
                    BinOp::SRem if both_nonneg => {
                        ky.filter(|&c| c != 0).map_or(ux, |c| ux.min(c - 1))
                    }
                    BinOp::And => ux.min(uy),
                    BinOp::Or | BinOp::Xor => mask(bits_needed(ux.max(uy))),
                    BinOp::Shl => match ky {
                        Some(c) if c >= u128::from(w) => 0,
                        Some(c) if ux <= full >> c => ux << c,
                        _ => full,
                    },
                    BinOp::LShr => shr_bound(ux, ky),
                    BinOp::AShr if self.nonneg(x) => shr_bound(ux, ky),
                    _ if b.is_comparison() => match self.decide(b, x, y) {
                        Some(false) => 0,
                        _ => 1,
                    },
                    _ => full,
                }
            }
            Op::Mux(_, a, b) => ub(a).max(ub(b)),
            Op::Trunc(a) => ub(a).min(full),
            Op::Zext(a) => ub(a),
            Op::Sext(a) if self.nonneg(a) => ub(a),
            Op::Sext(_) => full,
            Op::Extract(a, i) => u128::from(ub(a).checked_shr(i).unwrap_or(0) != 0),
            Op::Concat(lo, hi) => {
                let wl = self.w(lo);
                if ub(hi) == 0 {
                    ub(lo)
                } else {
                    (ub(hi) << wl) | ub(lo)
                }
            }
        }
    }

    /// Appends `op` at `k` bits, counting it as narrowed when `k < w`.
    fn push_at(&mut self, op: Op, k: u32, w: u32) -> (ValueId, u32) {
        if k < w {
            self.narrowed += 1;
            self.saved_bits += u64::from(w - k);
        }
        (self.rw.push(op, k), k)
    }

    /// Emits the new form of an instruction whose bound is `ub`; returns
    /// its representative (a new value and its width).
    fn emit(&mut self, inst: &Inst, ub: u128) -> (ValueId, u32) {
        let w = inst.width;
        if ub == 0 && !matches!(inst.op, Op::Const(_)) {
            return (self.rw.konst(0, 1), 1);
        }
        let k = bits_needed(ub);
        match inst.op {
            Op::Const(_) | Op::Input { .. } => (self.rw.push(inst.op, w), w),
            Op::Unary(u, a) => {
                let a = self.resize(a, w);
                (self.rw.push(Op::Unary(u, a), w), w)
            }
            Op::Binary(b, x, y) => self.binary(b, x, y, w, k),
            Op::Mux(c, a, b) => {
                let c = self.resize(c, 1);
                let (a, b) = (self.resize(a, k), self.resize(b, k));
                self.push_at(Op::Mux(c, a, b), k, w)
            }
            Op::Zext(a) => self.pass_through(a, w),
            Op::Sext(a) if self.nonneg(a) => {
                let (r, rw) = self.rep[a.index()];
                if rw == self.w(a) && self.rw.konst_of(r).is_none() {
                    // Keep the instruction as written; it equals `zext`.
                    let s = self.rw.push(Op::Sext(r), w);
                    self.resized.insert((r, w), s);
                    (r, rw)
                } else {
                    self.pass_through(a, w)
                }
            }
            Op::Sext(a) => {
                let a = self.resize(a, self.w(a));
                (self.rw.push(Op::Sext(a), w), w)
            }
            Op::Trunc(a) => {
                let (r, rw) = self.rep[a.index()];
                if rw <= w {
                    self.pass_through(a, w)
                } else {
                    self.push_at(Op::Trunc(r), k.min(w), w)
                }
            }
            Op::Extract(a, i) => {
                let (r, rw) = self.rep[a.index()];
                if i >= rw {
                    (self.rw.konst(0, 1), 1)
                } else {
                    (self.rw.push(Op::Extract(r, i), 1), 1)
                }
            }
            Op::Concat(lo, hi) => {
                if self.ub[hi.index()] == 0 {
                    self.pass_through(lo, w)
                } else {
                    let wl = self.w(lo);
                    let lo = self.resize(lo, wl);
                    let (h, hw) = self.rep[hi.index()];
                    self.push_at(Op::Concat(lo, h), wl + hw, w)
                }
            }
        }
    }

    /// The value is its operand's value: reuse the operand's narrow form,
    /// and keep a full-width extension in place for full-width users.
    fn pass_through(&mut self, a: ValueId, w: u32) -> (ValueId, u32) {
        let (r, rw) = self.rep[a.index()];
        if rw < w {
            self.resize_new(r, rw, w);
        }
        (r, rw.min(w))
    }

    fn binary(&mut self, b: BinOp, x: ValueId, y: ValueId, w: u32, k: u32) -> (ValueId, u32) {
        use BinOp::*;
        let (nx, ny) = (self.needs(x), self.needs(y));
        let both_nonneg = self.nonneg(x) && self.nonneg(y);
        let amount = self.rep[y.index()].0;
        let ky = self.k(y);
        // Signed forms on non-negative operands are their unsigned forms.
        let b = match b {
            SDiv if both_nonneg => UDiv,
            SRem if both_nonneg => URem,
            AShr if self.nonneg(x) => LShr,
            Slt if both_nonneg => Ult,
            Sle if both_nonneg => Ule,
            b => b,
        };
        let at = |s: &mut Self, k: u32| {
            let (x, y) = (s.resize(x, k), s.resize(y, k));
            s.push_at(Op::Binary(b, x, y), k, w)
        };
        match b {
            // The bound covers both operands (for `and`, truncating the
            // wider operand keeps exactly the bits that can be set).
            Add | Mul | And | Or | Xor => at(self, k),
            // Both operands must fit: the divisor is not bounded by the result.
            URem => at(self, nx.max(ny)),
            UDiv if ky.is_some_and(|c| c != 0) => at(self, nx.max(ny)),
            Shl if ky.is_some() => {
                let x = self.resize(x, k);
                self.push_at(Op::Binary(Shl, x, amount), k, w)
            }
            LShr => {
                let x = self.resize(x, nx);
                self.push_at(Op::Binary(LShr, x, amount), nx, w)
            }
            Shl | AShr | Rotl | Rotr => {
                let x = self.resize(x, w);
                (self.rw.push(Op::Binary(b, x, amount), w), w)
            }
            Eq | Ne | Ult | Ule | Slt | Sle => {
                if let Some(t) = self.decide(b, x, y) {
                    return (self.rw.konst(u128::from(t), 1), 1);
                }
                let wo = self.w(x);
                let kk = if matches!(b, Slt | Sle) {
                    wo
                } else {
                    nx.max(ny)
                };
                if kk < wo {
                    self.narrowed += 1;
                    self.saved_bits += u64::from(wo - kk);
                }
                let (x, y) = (self.resize(x, kk), self.resize(y, kk));
                (self.rw.push(Op::Binary(b, x, y), 1), 1)
            }
            _ => at(self, w),
        }
    }
}

/// The bound of a logical right shift of a value bounded by `ux`.
fn shr_bound(ux: u128, amount: Option<u128>) -> u128 {
    match amount {
        Some(c) => u32::try_from(c)
            .ok()
            .and_then(|c| ux.checked_shr(c))
            .unwrap_or(0),
        None => ux,
    }
}
