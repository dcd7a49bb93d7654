//! `simplify`: algebraic simplification, one instruction at a time.
//!
//! What it does: rebuilds the module and rewrites each instruction, looking
//! at the (already simplified) definitions of its operands, by identities
//! that hold exactly under [`crate::semantics`] for every width, including
//! wrapping, division by zero (quotient all ones, remainder the dividend),
//! `MIN / -1`, and shifts by the width or more. A rewrite's result is
//! simplified again (a bounded number of times). The rules:
//!
//! - all-constant operands: folded, as in `const-fold`;
//! - commutative operands in the canonical order (constant right), and
//!   constant chains merged: `(x op c1) op c2 → x op (c1 op c2)` for
//!   `add mul and or xor`;
//! - `x+0, x-0, x*1, x|0, x^0, x&ones, x<<0, x>>0, x/1, rotations by a
//!   multiple of the width → x`; `x*0, x&0, x-x, x^x, x%1, x%±1 → 0`;
//!   `x|ones → ones`; `x/0 → ones`, `x%0 → x`; `x&x, x|x → x`;
//!   `x & !x → 0`, `x | !x, x ^ !x → ones`;
//! - `x*2^k → x<<k`, `x/u 2^k → x>>k`, `x%u 2^k → x & (2^k-1)`,
//!   `x*ones → -x`, `x /s -1 → -x`, `x+x → x<<1`, `0-x → -x`,
//!   `x-c → x+(-c)`, `x+(-y) → x-y`, `x-(-y) → x+y`, `-(x-y) → y-x`,
//!   `x^ones → !x`, `!x ^ !y → x ^ y`, `!x ^ c → x ^ !c`, `!(x ^ c) → x ^ !c`;
//! - shifts: by the width or more → 0 (`ashr`: by width-1), of 0 → 0,
//!   `ashr` of all ones → all ones; `rotr` by a constant → `rotl`, rotations
//!   of 0 or all ones → themselves;
//! - comparisons: `x == x, x <= x → true`, `x != x, x < x → false`,
//!   `x <u 0, max <u x → false`, `x <=u max, 0 <=u x → true`,
//!   `x <u 1, x <=u 0 → x == 0`, `0 <u x → x != 0`, `max <=u x → x == max`,
//!   and the signed forms at MIN/MAX; `!x == c → x == !c`,
//!   `(x ^ c1) == c2 → x == c1 ^ c2`, `zext x == c` on the narrow value (or
//!   false when `c` does not fit), `zext a <op> zext b` on the narrow values;
//!   on 1-bit operands `eq → xnor` (`!(a ^ b)`), `ne → xor`, and the
//!   orderings become `and`/`or` with a `not`;
//! - multiplexers: constant condition → the arm, `mux(c, a, a) → a`,
//!   `mux(!c, a, b) → mux(c, b, a)`, an arm that is itself a multiplexer on
//!   the same condition is replaced by its own arm, and on width 1
//!   `mux(c,1,0) → c`, `mux(c,0,1) → !c`, `mux(c,x,0) → c&x`,
//!   `mux(c,1,x), mux(c,c,x) → c|x`, `mux(c,0,x) → !c&x`,
//!   `mux(c,x,1) → !c|x`, `mux(c,x,c) → c&x`;
//! - double negation `!!x → x`, `--x → x`, `-x → x` on width 1;
//! - width changes: `trunc(trunc x)`, `zext(zext x)`, `sext(sext x)` merge;
//!   `sext(zext x) → zext x`; `trunc(zext x)` / `trunc(sext x)` become `x`,
//!   a `trunc` or an extension of `x`; `trunc(concat lo hi)` of the low part
//!   is `lo` (or a `trunc` of it); `concat x 0 → zext x`; `extract` looks
//!   through `zext`, `sext`, `trunc` and `concat`, and bit 0 of a 1-bit
//!   value is the value.
//!
//! Needs: a verified module. Guarantees: the same outputs for every input;
//! a rule that looks through an operand replaces one instruction by one of
//! the same or lower cost (plus free `not`s and constants), so an operand
//! that stays in use elsewhere is never duplicated into an expensive copy
//! (the closest case is `-(x-y) → y-x`, a subtraction for a negation).
//!
//! Deliberately does not: remove dead instructions (`dce`), merge duplicates
//! (`cse`), use value ranges (`narrow`), or reassociate non-constant chains
//! (`reassociate`).

use super::rewrite::{amount_width, canonical_operands, fold_constant, install, mask, Rewriter};
use super::{Pass, PassReport};
use crate::ir::{BinOp, Module, Op, UnOp, ValueId};

/// Algebraic simplification.
#[derive(Debug, Clone, Copy, Default)]
pub struct Simplify;

impl Pass for Simplify {
    fn name(&self) -> &'static str {
        "simplify"
    }

    fn run(&self, m: &mut Module) -> PassReport {
        let mut s = Simplifier {
            rw: Rewriter::new(m),
            rewrites: 0,
        };
        for (id, inst) in m.ids().zip(&m.insts) {
            let op = s.rw.mapped(&inst.op);
            let new = s.value(op, inst.width, FUEL);
            s.rw.set(id, new);
        }
        let rewrites = s.rewrites;
        let new = s.rw.finish();
        install(m, new, format!("{rewrites} rewrites"))
    }
}

/// How many times a rewrite's result is simplified again.
const FUEL: u32 = 8;

/// The outcome of the rules for one instruction.
enum R {
    /// No rule applies: append this (possibly reordered) operation.
    Keep(Op),
    /// The instruction equals an existing value of the same width.
    Value(ValueId),
    /// The instruction is this constant.
    Const(u128),
    /// The instruction equals this operation (same width), to simplify again.
    Op(Op),
}

struct Simplifier<'a> {
    rw: Rewriter<'a>,
    rewrites: usize,
}

impl Simplifier<'_> {
    /// The simplified value of `op` at `width` (operands are new values).
    fn value(&mut self, op: Op, width: u32, fuel: u32) -> ValueId {
        match self.rule(op, width, fuel) {
            R::Keep(op) => self.rw.push(op, width),
            R::Value(v) => {
                self.rewrites += 1;
                v
            }
            R::Const(c) => {
                self.rewrites += 1;
                self.rw.konst(c, width)
            }
            R::Op(op) => {
                self.rewrites += 1;
                if fuel == 0 {
                    self.rw.push(op, width)
                } else {
                    self.value(op, width, fuel - 1)
                }
            }
        }
    }

    fn k(&self, v: ValueId) -> Option<u128> {
        self.rw.konst_of(v)
    }

    fn w(&self, v: ValueId) -> u32 {
        self.rw.width(v)
    }

    fn def(&self, v: ValueId) -> Op {
        self.rw.def(v)
    }

    /// `!v`, simplified (for rules that need a complement as an operand).
    fn not(&mut self, v: ValueId, fuel: u32) -> ValueId {
        let w = self.w(v);
        self.value(Op::Unary(UnOp::Not, v), w, fuel.saturating_sub(1))
    }

    /// Whether `a` is `!b` or `b` is `!a`.
    fn complements(&self, a: ValueId, b: ValueId) -> bool {
        self.def(a) == Op::Unary(UnOp::Not, b) || self.def(b) == Op::Unary(UnOp::Not, a)
    }

    fn rule(&mut self, op: Op, w: u32, fuel: u32) -> R {
        if let Some(c) = fold_constant(self.rw.module(), &op, w) {
            return R::Const(c);
        }
        match op {
            Op::Const(_) | Op::Input { .. } => R::Keep(op),
            Op::Unary(u, a) => self.unary(u, a, w),
            Op::Binary(b, x, y) => {
                let (x, y) = canonical_operands(self.rw.module(), b, x, y);
                if b.is_comparison() {
                    self.comparison(b, x, y, fuel)
                } else {
                    self.binary(b, x, y, w)
                }
            }
            Op::Mux(c, a, b) => self.mux(c, a, b, w, fuel),
            Op::Trunc(a) => self.trunc(a, w),
            Op::Zext(a) => match self.def(a) {
                Op::Zext(y) => R::Op(Op::Zext(y)),
                _ => R::Keep(op),
            },
            Op::Sext(a) => match self.def(a) {
                Op::Sext(y) => R::Op(Op::Sext(y)),
                Op::Zext(y) => R::Op(Op::Zext(y)),
                _ => R::Keep(op),
            },
            Op::Extract(a, n) => self.extract(a, n),
            Op::Concat(lo, hi) => {
                if self.k(hi) == Some(0) {
                    R::Op(Op::Zext(lo))
                } else {
                    R::Keep(op)
                }
            }
        }
    }

    fn unary(&mut self, u: UnOp, a: ValueId, w: u32) -> R {
        match (u, self.def(a)) {
            (UnOp::Not, Op::Unary(UnOp::Not, x)) => R::Value(x),
            (UnOp::Not, Op::Binary(BinOp::Xor, x, y)) => match self.k(y) {
                Some(c) => {
                    let nc = self.rw.konst(!c, w);
                    R::Op(Op::Binary(BinOp::Xor, x, nc))
                }
                None => R::Keep(Op::Unary(u, a)),
            },
            (UnOp::Neg, _) if w == 1 => R::Value(a),
            (UnOp::Neg, Op::Unary(UnOp::Neg, x)) => R::Value(x),
            (UnOp::Neg, Op::Binary(BinOp::Sub, x, y)) => R::Op(Op::Binary(BinOp::Sub, y, x)),
            _ => R::Keep(Op::Unary(u, a)),
        }
    }

    fn binary(&mut self, b: BinOp, x: ValueId, y: ValueId, w: u32) -> R {
        use BinOp::*;
        let m = mask(w);
        let (kx, ky) = (self.k(x), self.k(y));
        let keep = R::Keep(Op::Binary(b, x, y));
        // Constant chains: (x op c1) op c2 → x op (c1 op c2).
        if let (Add | Mul | And | Or | Xor, Some(c2)) = (b, ky) {
            if let Op::Binary(inner, x1, y1) = self.def(x) {
                if let (true, Some(c1)) = (inner == b, self.k(y1)) {
                    let c = match b {
                        Add => c1.wrapping_add(c2),
                        Mul => c1.wrapping_mul(c2),
                        And => c1 & c2,
                        Or => c1 | c2,
                        _ => c1 ^ c2,
                    };
                    let c = self.rw.konst(c, w);
                    return R::Op(Op::Binary(b, x1, c));
                }
            }
        }
        let pow2 = ky.filter(|c| c.is_power_of_two()).map(u128::trailing_zeros);
        match b {
            Add => {
                if ky == Some(0) {
                    return R::Value(x);
                }
                if x == y {
                    if w == 1 {
                        return R::Const(0);
                    }
                    let one = self.rw.konst(1, 1);
                    return R::Op(Op::Binary(Shl, x, one));
                }
                if let Op::Unary(UnOp::Neg, z) = self.def(y) {
                    return R::Op(Op::Binary(Sub, x, z));
                }
                if let Op::Unary(UnOp::Neg, z) = self.def(x) {
                    return R::Op(Op::Binary(Sub, y, z));
                }
                keep
            }
            Sub => {
                if ky == Some(0) {
                    return R::Value(x);
                }
                if x == y {
                    return R::Const(0);
                }
                if kx == Some(0) {
                    return R::Op(Op::Unary(UnOp::Neg, y));
                }
                if let Some(c) = ky {
                    let nc = self.rw.konst(c.wrapping_neg(), w);
                    return R::Op(Op::Binary(Add, x, nc));
                }
                if let Op::Unary(UnOp::Neg, z) = self.def(y) {
                    return R::Op(Op::Binary(Add, x, z));
                }
                keep
            }
            Mul => match ky {
                Some(0) => R::Const(0),
                Some(1) => R::Value(x),
                Some(c) if c == m => R::Op(Op::Unary(UnOp::Neg, x)),
                _ if pow2.is_some() => {
                    let k = u128::from(pow2.unwrap_or(0));
                    let amount = self.rw.konst(k, amount_width(k));
                    R::Op(Op::Binary(Shl, x, amount))
                }
                _ if w == 1 => R::Op(Op::Binary(And, x, y)),
                _ => keep,
            },
            UDiv => match ky {
                Some(0) => R::Const(m),
                Some(1) => R::Value(x),
                _ if pow2.is_some() => {
                    let k = u128::from(pow2.unwrap_or(0));
                    let amount = self.rw.konst(k, amount_width(k));
                    R::Op(Op::Binary(LShr, x, amount))
                }
                _ => keep,
            },
            URem => match ky {
                Some(0) => R::Value(x),
                Some(1) => R::Const(0),
                Some(c) if c.is_power_of_two() => {
                    let low = self.rw.konst(c - 1, w);
                    R::Op(Op::Binary(And, x, low))
                }
                _ => keep,
            },
            // Signed constants: `m` is -1; on width 1 the pattern 1 is -1.
            SDiv => match ky {
                Some(0) => R::Const(m),
                Some(c) if c == m => R::Op(Op::Unary(UnOp::Neg, x)),
                Some(1) => R::Value(x),
                _ => keep,
            },
            SRem => match ky {
                Some(0) => R::Value(x),
                Some(c) if c == 1 || c == m => R::Const(0),
                _ => keep,
            },
            And => {
                if ky == Some(0) || self.complements(x, y) {
                    R::Const(0)
                } else if ky == Some(m) || x == y {
                    R::Value(x)
                } else {
                    keep
                }
            }
            Or => {
                if ky == Some(m) || self.complements(x, y) {
                    R::Const(m)
                } else if ky == Some(0) || x == y {
                    R::Value(x)
                } else {
                    keep
                }
            }
            Xor => {
                if ky == Some(0) {
                    return R::Value(x);
                }
                if x == y {
                    return R::Const(0);
                }
                if self.complements(x, y) {
                    return R::Const(m);
                }
                if ky == Some(m) {
                    return R::Op(Op::Unary(UnOp::Not, x));
                }
                match (self.def(x), self.def(y), ky) {
                    (Op::Unary(UnOp::Not, a), Op::Unary(UnOp::Not, c), _) => {
                        R::Op(Op::Binary(Xor, a, c))
                    }
                    (Op::Unary(UnOp::Not, a), _, Some(c)) => {
                        let nc = self.rw.konst(!c, w);
                        R::Op(Op::Binary(Xor, a, nc))
                    }
                    _ => keep,
                }
            }
            Shl | LShr => {
                if ky == Some(0) {
                    R::Value(x)
                } else if kx == Some(0) || ky.is_some_and(|c| c >= u128::from(w)) {
                    R::Const(0)
                } else {
                    keep
                }
            }
            AShr => {
                if ky == Some(0) || kx == Some(0) || kx == Some(m) {
                    R::Value(x)
                } else if ky.is_some_and(|c| c >= u128::from(w)) {
                    if w == 1 {
                        return R::Value(x);
                    }
                    let k = u128::from(w - 1);
                    let amount = self.rw.konst(k, amount_width(k));
                    R::Op(Op::Binary(AShr, x, amount))
                } else {
                    keep
                }
            }
            Rotl | Rotr => {
                if kx == Some(0) || kx == Some(m) {
                    return R::Value(x);
                }
                match ky {
                    Some(c) if c % u128::from(w) == 0 => R::Value(x),
                    Some(c) if b == Rotr || c >= u128::from(w) => {
                        let r = c % u128::from(w);
                        let k = if b == Rotr { u128::from(w) - r } else { r };
                        let amount = self.rw.konst(k, amount_width(k));
                        R::Op(Op::Binary(Rotl, x, amount))
                    }
                    _ => keep,
                }
            }
            _ => keep,
        }
    }

    fn comparison(&mut self, b: BinOp, x: ValueId, y: ValueId, fuel: u32) -> R {
        use BinOp::*;
        let wo = self.w(x);
        let mo = mask(wo);
        let smin = 1u128 << (wo - 1);
        let smax = mo >> 1;
        let (kx, ky) = (self.k(x), self.k(y));
        let keep = R::Keep(Op::Binary(b, x, y));
        if x == y {
            return R::Const(u128::from(matches!(b, Eq | Ule | Sle)));
        }
        match b {
            Ult if ky == Some(0) || kx == Some(mo) => return R::Const(0),
            Ule if ky == Some(mo) || kx == Some(0) => return R::Const(1),
            Slt if ky == Some(smin) || kx == Some(smax) => return R::Const(0),
            Sle if ky == Some(smax) || kx == Some(smin) => return R::Const(1),
            Ult if ky == Some(1) || kx == Some(0) => {
                let (v, zero) = if ky == Some(1) { (x, 0) } else { (y, 0) };
                let z = self.rw.konst(zero, wo);
                let op = if ky == Some(1) { Eq } else { Ne };
                return R::Op(Op::Binary(op, v, z));
            }
            Ule if ky == Some(0) => {
                let z = self.rw.konst(0, wo);
                return R::Op(Op::Binary(Eq, x, z));
            }
            Ule if kx == Some(mo) => return R::Op(Op::Binary(Eq, y, x)),
            _ => {}
        }
        if let (Eq | Ne, Some(c)) = (b, ky) {
            match self.def(x) {
                Op::Unary(UnOp::Not, a) => {
                    let nc = self.rw.konst(!c, wo);
                    return R::Op(Op::Binary(b, a, nc));
                }
                Op::Binary(Xor, a, k1) => {
                    if let Some(c1) = self.k(k1) {
                        let nc = self.rw.konst(c ^ c1, wo);
                        return R::Op(Op::Binary(b, a, nc));
                    }
                }
                Op::Zext(a) => {
                    let wa = self.w(a);
                    if c > mask(wa) {
                        return R::Const(u128::from(b == Ne));
                    }
                    let nc = self.rw.konst(c, wa);
                    return R::Op(Op::Binary(b, a, nc));
                }
                _ => {}
            }
        }
        if let (Eq | Ne | Ult | Ule, Op::Zext(a), Op::Zext(c)) = (b, self.def(x), self.def(y)) {
            if self.w(a) == self.w(c) {
                return R::Op(Op::Binary(b, a, c));
            }
        }
        if wo == 1 {
            return match b {
                Eq => {
                    let v = self.value(Op::Binary(Xor, x, y), 1, fuel.saturating_sub(1));
                    R::Op(Op::Unary(UnOp::Not, v))
                }
                Ne => R::Op(Op::Binary(Xor, x, y)),
                Ult => {
                    let nx = self.not(x, fuel);
                    R::Op(Op::Binary(And, nx, y))
                }
                Ule => {
                    let nx = self.not(x, fuel);
                    R::Op(Op::Binary(Or, nx, y))
                }
                Slt => {
                    let ny = self.not(y, fuel);
                    R::Op(Op::Binary(And, x, ny))
                }
                _ => {
                    let ny = self.not(y, fuel);
                    R::Op(Op::Binary(Or, x, ny))
                }
            };
        }
        keep
    }

    fn mux(&mut self, c: ValueId, a: ValueId, b: ValueId, w: u32, fuel: u32) -> R {
        use BinOp::{And, Or};
        if let Some(k) = self.k(c) {
            return R::Value(if k & 1 == 1 { a } else { b });
        }
        if a == b || self.k(a).is_some_and(|ka| self.k(b) == Some(ka)) {
            return R::Value(a);
        }
        if let Op::Unary(UnOp::Not, nc) = self.def(c) {
            return R::Op(Op::Mux(nc, b, a));
        }
        if let Op::Mux(c2, a2, _) = self.def(a) {
            if c2 == c {
                return R::Op(Op::Mux(c, a2, b));
            }
        }
        if let Op::Mux(c2, _, b2) = self.def(b) {
            if c2 == c {
                return R::Op(Op::Mux(c, a, b2));
            }
        }
        if w == 1 {
            let (ka, kb) = (self.k(a), self.k(b));
            return match (ka, kb) {
                (Some(1), Some(0)) => R::Value(c),
                (Some(0), Some(1)) => R::Op(Op::Unary(UnOp::Not, c)),
                (_, Some(0)) => R::Op(Op::Binary(And, c, a)),
                (Some(1), _) => R::Op(Op::Binary(Or, c, b)),
                (Some(0), _) => {
                    let nc = self.not(c, fuel);
                    R::Op(Op::Binary(And, nc, b))
                }
                (_, Some(1)) => {
                    let nc = self.not(c, fuel);
                    R::Op(Op::Binary(Or, nc, a))
                }
                _ if a == c => R::Op(Op::Binary(Or, c, b)),
                _ if b == c => R::Op(Op::Binary(And, c, a)),
                _ => R::Keep(Op::Mux(c, a, b)),
            };
        }
        R::Keep(Op::Mux(c, a, b))
    }

    fn trunc(&mut self, a: ValueId, w: u32) -> R {
        match self.def(a) {
            Op::Trunc(y) => R::Op(Op::Trunc(y)),
            def @ (Op::Zext(y) | Op::Sext(y)) => {
                let wy = self.w(y);
                if wy == w {
                    R::Value(y)
                } else if wy > w {
                    R::Op(Op::Trunc(y))
                } else if matches!(def, Op::Zext(_)) {
                    R::Op(Op::Zext(y))
                } else {
                    R::Op(Op::Sext(y))
                }
            }
            Op::Concat(lo, _) => {
                let wl = self.w(lo);
                if wl == w {
                    R::Value(lo)
                } else if wl > w {
                    R::Op(Op::Trunc(lo))
                } else {
                    R::Keep(Op::Trunc(a))
                }
            }
            _ => R::Keep(Op::Trunc(a)),
        }
    }

    fn extract(&mut self, a: ValueId, n: u32) -> R {
        if self.w(a) == 1 && n == 0 {
            return R::Value(a);
        }
        match self.def(a) {
            Op::Zext(y) => {
                if n >= self.w(y) {
                    R::Const(0)
                } else {
                    R::Op(Op::Extract(y, n))
                }
            }
            Op::Sext(y) => R::Op(Op::Extract(y, n.min(self.w(y) - 1))),
            Op::Trunc(y) => R::Op(Op::Extract(y, n)),
            Op::Concat(lo, hi) => {
                let wl = self.w(lo);
                if n < wl {
                    R::Op(Op::Extract(lo, n))
                } else {
                    R::Op(Op::Extract(hi, n - wl))
                }
            }
            _ => R::Keep(Op::Extract(a, n)),
        }
    }
}
