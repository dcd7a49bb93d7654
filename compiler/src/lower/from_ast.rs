//! Lowering a checked program to the word-level IR.
//!
//! What it does: evaluates the program symbolically from `main`, with every
//! value an IR value (aggregates are trees of scalars): calls are inlined,
//! loops unrolled (their bounds are constants by the time they are reached),
//! branches on constants taken, branches on anything else (secret, or public
//! but known only at run time) evaluated on both sides and merged with
//! multiplexers, arrays scalarised. A non-constant index reads through a
//! multiplexer tree over the index bits and writes through a one-hot decoder
//! of the index.
//!
//! What it needs: a [`Program`] from the checker (types and resolutions for
//! every expression of every instance).
//!
//! What it guarantees: the module computes exactly what the reference
//! interpreter computes, for every input.
//!
//! What it does not do: optimise beyond folding constants as it builds (the
//! passes do that), or open values: `reveal(e)` in expression position is the
//! identity here, so the circuit discloses only the outputs, which is never
//! more than the program allows.

use crate::diagnostic::Diagnostic;
use crate::frame::{in_declaration_order, Frame, FrameValue};
use crate::interp::{MAX_CALL_DEPTH, MAX_LOOP_ITERATIONS};
use crate::ir::builder::Builder;
use crate::ir::{self, BinOp as IrBin, InputDecl, Op, OutputDecl, UnOp as IrUn, ValueId};
use crate::sema::types::{IntTy, Ty};
use crate::sema::{Builtin, InstanceId, Program, Res};
use crate::span::Span;
use crate::syntax::ast::{BinOp, Block, Expr, ExprKind, StmtKind, UnOp};

/// Diagnostic code: recursion that does not stop while unrolling.
pub const RECURSION_TOO_DEEP: &str = "E0061";
/// How many calls unrolling may inline in all (a recursion that branches on
/// a run-time value would otherwise take exponential time to reach the depth limit).
const MAX_INLINED_CALLS: u64 = 10_000_000;

/// Diagnostic code: more loop iterations than a circuit could hold.
pub const TOO_MANY_ITERATIONS: &str = "E0063";

/// Diagnostic code: `return` under a condition known only at run time.
pub const RETURN_UNDER_RUNTIME_CONDITION: &str = "E0062";

/// A symbolic value: a tree of IR scalars shaped like the source type.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Sym {
    Scalar(ValueId),
    Array(Vec<Sym>),
    /// Tuples and structs (fields in declaration order).
    Tuple(Vec<Sym>),
}

impl Sym {
    fn unit() -> Sym {
        Sym::Tuple(Vec::new())
    }

    fn scalar(&self) -> Option<ValueId> {
        match self {
            Sym::Scalar(v) => Some(*v),
            _ => None,
        }
    }

    fn leaves(&self, out: &mut Vec<ValueId>) {
        match self {
            Sym::Scalar(v) => out.push(*v),
            Sym::Array(items) | Sym::Tuple(items) => items.iter().for_each(|s| s.leaves(out)),
        }
    }
}

impl FrameValue for Sym {
    fn unit() -> Self {
        Sym::unit()
    }

    fn into_items(self) -> Option<Vec<Self>> {
        match self {
            Sym::Tuple(items) => Some(items),
            _ => None,
        }
    }
}

/// Non-local control flow during lowering.
enum Ctrl {
    Return(Sym),
    Fail(Box<Diagnostic>),
}

type Lowered = Result<Sym, Ctrl>;

fn fail(d: Diagnostic) -> Ctrl {
    Ctrl::Fail(Box::new(d))
}

/// Lowers a checked program; `share` enables hash-consing in the builder.
pub fn lower_program(program: &Program, share: bool) -> Result<ir::Module, Box<Diagnostic>> {
    let parties = program.parties.iter().map(|p| p.name.clone()).collect();
    let mut lw = Lowerer {
        program,
        b: Builder::new(parties, share),
        depth: 0,
        calls: 0,
        iterations: 0,
        outputs: vec![None; program.outputs.len()],
    };
    let mut args = Vec::new();
    for input in &program.inputs {
        let group = lw.b.add_input(InputDecl {
            party: input.party,
            name: input.name.clone(),
            ty: input.value_type.clone(),
            public: input.public,
        });
        let mut bit = 0u32;
        args.push(lw.input_sym(&input.ty, group, &mut bit));
    }
    match lw.call(program.main, args, span_of_main(program)) {
        Ok(_) | Err(Ctrl::Return(_)) => {}
        Err(Ctrl::Fail(d)) => return Err(d),
    }
    for (o, value) in program.outputs.iter().zip(std::mem::take(&mut lw.outputs)) {
        let mut values = Vec::new();
        if let Some(v) = value {
            v.leaves(&mut values);
        }
        lw.b.add_output(OutputDecl {
            name: o.name.clone(),
            recipients: o.recipients.clone(),
            ty: o.value_type.clone(),
            values,
        });
    }
    Ok(lw.b.finish())
}

fn span_of_main(program: &Program) -> Span {
    program
        .fn_decl(program.instance(program.main).func)
        .name
        .span
}

struct Lowerer<'p> {
    program: &'p Program,
    b: Builder,
    depth: usize,
    /// Calls inlined so far (bounds the work of recursion that branches).
    calls: u64,
    /// Loop iterations unrolled so far.
    iterations: u64,
    outputs: Vec<Option<Sym>>,
}

fn width_of(ty: &Ty) -> u32 {
    match ty {
        Ty::Int(i, _) => i.bits,
        _ => 1,
    }
}

fn signed(ty: &Ty) -> bool {
    matches!(ty, Ty::Int(IntTy { signed: true, .. }, _))
}

impl<'p> Lowerer<'p> {
    fn input_sym(&mut self, ty: &Ty, group: u32, bit: &mut u32) -> Sym {
        match ty {
            Ty::Array(e, n) => Sym::Array((0..*n).map(|_| self.input_sym(e, group, bit)).collect()),
            Ty::Tuple(items) | Ty::Struct(_, items) => Sym::Tuple(
                items
                    .iter()
                    .map(|t| self.input_sym(t, group, bit))
                    .collect(),
            ),
            scalar => {
                let w = width_of(scalar);
                let v = self.b.push(Op::Input { group, bit: *bit }, w);
                *bit += w;
                Sym::Scalar(v)
            }
        }
    }

    fn zero(&mut self, ty: &Ty) -> Sym {
        match ty {
            Ty::Array(e, n) => {
                let z = self.zero(e);
                Sym::Array(vec![z; *n as usize])
            }
            Ty::Tuple(items) | Ty::Struct(_, items) => {
                Sym::Tuple(items.iter().map(|t| self.zero(t)).collect())
            }
            scalar => Sym::Scalar(self.b.konst(0, width_of(scalar))),
        }
    }

    fn konst(&self, v: &Sym) -> Option<u128> {
        v.scalar().and_then(|s| self.b.const_value(s))
    }

    fn bin(&mut self, op: IrBin, a: ValueId, b: ValueId) -> ValueId {
        let w = if op.is_comparison() {
            1
        } else {
            self.b.width(a)
        };
        self.b.push(Op::Binary(op, a, b), w)
    }

    /// `c ? a : b` leaf by leaf, skipping leaves that are already equal.
    fn mux(&mut self, c: ValueId, a: &Sym, b: &Sym) -> Sym {
        match (a, b) {
            (Sym::Scalar(x), Sym::Scalar(y)) if x == y => Sym::Scalar(*x),
            (Sym::Scalar(x), Sym::Scalar(y)) => {
                let w = self.b.width(*x);
                Sym::Scalar(self.b.push(Op::Mux(c, *x, *y), w))
            }
            (Sym::Array(xs), Sym::Array(ys)) => {
                Sym::Array(xs.iter().zip(ys).map(|(x, y)| self.mux(c, x, y)).collect())
            }
            (Sym::Tuple(xs), Sym::Tuple(ys)) => {
                Sym::Tuple(xs.iter().zip(ys).map(|(x, y)| self.mux(c, x, y)).collect())
            }
            (x, _) => x.clone(),
        }
    }

    fn call(&mut self, id: InstanceId, args: Vec<Sym>, at: Span) -> Lowered {
        let inst = self.program.instance(id);
        let decl = self.program.fn_decl(inst.func);
        self.calls += 1;
        if self.calls > MAX_INLINED_CALLS {
            return Err(fail(
                Diagnostic::error(
                    RECURSION_TOO_DEEP,
                    format!("unrolling makes more than {MAX_INLINED_CALLS} calls (the last to `{}`)", decl.name.name),
                    at,
                )
                .label("the circuit would be too large to build")
                .with_help("a recursion that branches on a secret or on a public input unrolls every path; make its condition a compile-time value"),
            ));
        }
        if self.depth >= MAX_CALL_DEPTH {
            return Err(fail(
                Diagnostic::error(
                    RECURSION_TOO_DEEP,
                    format!("recursion in `{}` does not stop while unrolling", decl.name.name),
                    at,
                )
                .label(format!("more than {MAX_CALL_DEPTH} nested calls"))
                .with_help("recursion must stop on values known at compile time; a condition on a secret or on a public input cannot stop it"),
            ));
        }
        self.depth += 1;
        let mut frame = Frame::new(inst, decl.params.iter().map(|p| p.name.name.as_str()), args);
        let result = match self.block(&mut frame, &decl.body) {
            Ok(v) | Err(Ctrl::Return(v)) => Ok(v),
            Err(fail) => Err(fail),
        };
        self.depth -= 1;
        result
    }

    fn block(&mut self, f: &mut Frame<'p, Sym>, b: &'p Block) -> Lowered {
        let mark = f.vars.len();
        let result = self.block_inner(f, b);
        f.vars.truncate(mark);
        result
    }

    fn block_inner(&mut self, f: &mut Frame<'p, Sym>, b: &'p Block) -> Lowered {
        for s in &b.stmts {
            match &s.kind {
                StmtKind::Error => {}
                StmtKind::Let { pattern, init, .. } => {
                    let v = self.expr(f, init)?;
                    f.bind(pattern, v);
                }
                StmtKind::Assign { place, op, value } => {
                    let v = self.expr(f, value)?;
                    let v = match op {
                        Some(op) => {
                            let old = self.expr(f, place)?;
                            let (lt, rt) = (f.ty(place).clone(), f.ty(value).clone());
                            self.binary(*op, &old, &v, &lt, &rt)
                        }
                        None => v,
                    };
                    self.store(f, place, v)?;
                }
                StmtKind::Output { name, value, .. } => {
                    let v = self.expr(f, value)?;
                    if let Some(i) = self
                        .program
                        .outputs
                        .iter()
                        .position(|o| o.name == name.name)
                    {
                        self.outputs[i] = Some(v);
                    }
                }
                StmtKind::Return(value) => {
                    let v = match value {
                        Some(e) => self.expr(f, e)?,
                        None => Sym::unit(),
                    };
                    return Err(Ctrl::Return(v));
                }
                StmtKind::For {
                    var,
                    start,
                    end,
                    inclusive,
                    body,
                } => {
                    let (lo, hi) = (self.expr(f, start)?, self.expr(f, end)?);
                    let ty = f.ty(start).clone();
                    let (Some(lo_c), Some(hi_c)) = (self.konst(&lo), self.konst(&hi)) else {
                        return Err(fail(
                            Diagnostic::error(
                                crate::sema::codes::UNKNOWN_LOOP_BOUND,
                                "a loop bound is not known at compile time",
                                start.span.to(end.span),
                            )
                            .label("only known when the program runs"),
                        ));
                    };
                    let it = ty.int().unwrap_or(IntTy::U32);
                    let count = crate::semantics::loop_count(lo_c, hi_c, it, *inclusive);
                    self.iterations = self
                        .iterations
                        .saturating_add(u64::try_from(count).unwrap_or(u64::MAX));
                    if self.iterations > MAX_LOOP_ITERATIONS {
                        return Err(fail(
                            Diagnostic::error(
                                TOO_MANY_ITERATIONS,
                                format!("unrolling takes more than {MAX_LOOP_ITERATIONS} loop iterations"),
                                start.span.to(end.span),
                            )
                            .label("this loop is too long to unroll into a circuit")
                            .with_help("MPC circuits are unrolled completely; process the data in several runs"),
                        ));
                    }
                    for i in crate::semantics::loop_values(lo_c, hi_c, it, *inclusive) {
                        let iv = self.b.konst(i, it.bits);
                        f.vars.push((var.name.as_str(), Sym::Scalar(iv)));
                        let r = self.block(f, body);
                        f.vars.pop();
                        r?;
                    }
                }
                StmtKind::Expr(e) => {
                    self.expr(f, e)?;
                }
            }
        }
        match &b.tail {
            Some(t) => self.expr(f, t),
            None => Ok(Sym::unit()),
        }
    }

    /// Writes `v` into a place. Constant indices select; other indices write
    /// through a one-hot decoder; out-of-range indices write nothing.
    fn store(&mut self, f: &mut Frame<'p, Sym>, place: &'p Expr, v: Sym) -> Result<(), Ctrl> {
        let mut path = Vec::new();
        let mut cur = place;
        loop {
            match &cur.kind {
                ExprKind::Index(a, i) => {
                    let idx = self.expr(f, i)?;
                    path.push(Step::Index(idx.scalar().unwrap_or(ValueId(0))));
                    cur = a;
                }
                ExprKind::Field(s, _) => {
                    let Some(Res::Field(n)) = f.inst.res.get(&cur.id) else {
                        return Ok(());
                    };
                    path.push(Step::Field(*n));
                    cur = s;
                }
                ExprKind::TupleField(t, n, _) => {
                    path.push(Step::Field(*n as usize));
                    cur = t;
                }
                ExprKind::Name(p) => {
                    let name = p.segments[0].name.as_str();
                    let Some(old) = f.slot(name).map(|s| s.clone()) else {
                        return Ok(());
                    };
                    path.reverse();
                    let new = self.update(&old, &path, v);
                    if let Some(slot) = f.slot(name) {
                        *slot = new;
                    }
                    return Ok(());
                }
                _ => return Ok(()),
            }
        }
    }

    fn update(&mut self, old: &Sym, path: &[Step], v: Sym) -> Sym {
        let Some((step, rest)) = path.split_first() else {
            return v;
        };
        match (step, old) {
            (Step::Field(n), Sym::Tuple(items)) => {
                let mut items = items.clone();
                if let Some(slot) = items.get(*n) {
                    let updated = self.update(slot, rest, v);
                    items[*n] = updated;
                }
                Sym::Tuple(items)
            }
            (Step::Index(idx), Sym::Array(items)) => {
                let mut items = items.clone();
                match self.b.const_value(*idx) {
                    Some(c) => {
                        if let Some(slot) = usize::try_from(c).ok().and_then(|c| items.get(c)) {
                            let updated = self.update(slot, rest, v);
                            items[c as usize] = updated;
                        }
                    }
                    None => {
                        let hot = self.decode(*idx, items.len());
                        for (i, sel) in hot.into_iter().enumerate() {
                            let updated = self.update(&items[i], rest, v.clone());
                            items[i] = self.mux(sel, &updated, &items[i]);
                        }
                    }
                }
                Sym::Array(items)
            }
            _ => old.clone(),
        }
    }

    /// One selector bit per element: bit i is set when `idx == i`
    /// (about two AND gates per element, sharing prefixes of the index bits).
    fn decode(&mut self, idx: ValueId, n: usize) -> Vec<ValueId> {
        let w = self.b.width(idx);
        let needed = usize::BITS - n.saturating_sub(1).leading_zeros();
        let used = needed.min(w);
        let mut sel = vec![self.b.konst(1, 1)];
        for bit in 0..used {
            let b = self.b.push(Op::Extract(idx, bit), 1);
            let nb = self.b.push(Op::Unary(IrUn::Not, b), 1);
            let mut next = Vec::with_capacity(sel.len() * 2);
            // Element k has bit `bit` of k: the low half keeps `!b`, the high half `b`.
            for &s in &sel {
                next.push(self.bin(IrBin::And, s, nb));
            }
            for &s in &sel {
                next.push(self.bin(IrBin::And, s, b));
            }
            sel = next;
        }
        // Bits were taken least significant first, each appending the half with
        // the bit set after the half without it, so position p selects index p.
        sel.truncate(n);
        let mut by_index = sel;
        if used < w {
            let in_range = self.high_bits_zero(idx, used);
            for s in by_index.iter_mut() {
                *s = self.bin(IrBin::And, *s, in_range);
            }
        }
        by_index
    }

    /// A bit that is set when bits `from..` of `v` are all zero.
    fn high_bits_zero(&mut self, v: ValueId, from: u32) -> ValueId {
        let w = self.b.width(v);
        if from >= w {
            return self.b.konst(1, 1);
        }
        let amount = self.b.konst(u128::from(from), 32);
        let shifted = self.bin(IrBin::LShr, v, amount);
        let zero = self.b.konst(0, w);
        self.bin(IrBin::Eq, shifted, zero)
    }

    /// Reads `items[idx]` through a multiplexer tree over the index bits;
    /// out of range reads zero.
    fn select(&mut self, items: &[Sym], idx: ValueId, elem_ty: &Ty) -> Sym {
        let n = items.len();
        let zero = self.zero(elem_ty);
        if n == 0 {
            return zero;
        }
        let w = self.b.width(idx);
        let needed = usize::BITS - n.saturating_sub(1).leading_zeros();
        let used = needed.min(w);
        let mut level: Vec<Sym> = items.to_vec();
        for bit in 0..used {
            let b = self.b.push(Op::Extract(idx, bit), 1);
            let mut next = Vec::with_capacity(level.len().div_ceil(2));
            for pair in level.chunks(2) {
                match pair {
                    [lo, hi] => next.push(self.mux(b, hi, lo)),
                    [lo] => next.push(self.mux(b, &zero, lo)),
                    _ => {}
                }
            }
            level = next;
        }
        // Positions between `n` and 2^used were filled with zero by the tree;
        // indices with higher bits set read zero too.
        let mut result = level.into_iter().next().unwrap_or_else(|| zero.clone());
        if used < w {
            let in_range = self.high_bits_zero(idx, used);
            result = self.mux(in_range, &result, &zero);
        }
        result
    }

    fn binary(&mut self, op: BinOp, a: &Sym, b: &Sym, at: &Ty, _bt: &Ty) -> Sym {
        let (Some(x), Some(y)) = (a.scalar(), b.scalar()) else {
            return a.clone();
        };
        let s = signed(at);
        let v = match op {
            BinOp::Add => self.bin(IrBin::Add, x, y),
            BinOp::Sub => self.bin(IrBin::Sub, x, y),
            BinOp::Mul => self.bin(IrBin::Mul, x, y),
            BinOp::Div => self.bin(if s { IrBin::SDiv } else { IrBin::UDiv }, x, y),
            BinOp::Rem => self.bin(if s { IrBin::SRem } else { IrBin::URem }, x, y),
            BinOp::BitAnd | BinOp::And => self.bin(IrBin::And, x, y),
            BinOp::BitOr | BinOp::Or => self.bin(IrBin::Or, x, y),
            BinOp::BitXor => self.bin(IrBin::Xor, x, y),
            BinOp::Shl => self.bin(IrBin::Shl, x, y),
            BinOp::Shr => self.bin(if s { IrBin::AShr } else { IrBin::LShr }, x, y),
            BinOp::Eq => self.bin(IrBin::Eq, x, y),
            BinOp::Ne => self.bin(IrBin::Ne, x, y),
            BinOp::Lt => self.bin(if s { IrBin::Slt } else { IrBin::Ult }, x, y),
            BinOp::Le => self.bin(if s { IrBin::Sle } else { IrBin::Ule }, x, y),
            BinOp::Gt => self.bin(if s { IrBin::Slt } else { IrBin::Ult }, y, x),
            BinOp::Ge => self.bin(if s { IrBin::Sle } else { IrBin::Ule }, y, x),
        };
        Sym::Scalar(v)
    }

    fn cast(&mut self, v: ValueId, from: &Ty, to: IntTy) -> ValueId {
        let fw = self.b.width(v);
        if fw == to.bits {
            v
        } else if fw > to.bits {
            self.b.push(Op::Trunc(v), to.bits)
        } else if signed(from) {
            self.b.push(Op::Sext(v), to.bits)
        } else {
            self.b.push(Op::Zext(v), to.bits)
        }
    }

    fn expr(&mut self, f: &mut Frame<'p, Sym>, e: &'p Expr) -> Lowered {
        Ok(match &e.kind {
            ExprKind::Error => Sym::unit(),
            ExprKind::Bool(b) => Sym::Scalar(self.b.konst(u128::from(*b), 1)),
            ExprKind::Int { value, .. } => Sym::Scalar(self.b.konst(*value, width_of(f.ty(e)))),
            ExprKind::Unary(UnOp::Neg, inner) if matches!(inner.kind, ExprKind::Int { .. }) => {
                let ExprKind::Int { value, .. } = &inner.kind else {
                    return Ok(Sym::unit());
                };
                Sym::Scalar(self.b.konst(value.wrapping_neg(), width_of(f.ty(e))))
            }
            ExprKind::Unary(op, x) => {
                let v = self.expr(f, x)?;
                let Some(s) = v.scalar() else { return Ok(v) };
                let w = self.b.width(s);
                let u = match op {
                    UnOp::Neg => IrUn::Neg,
                    UnOp::Not | UnOp::BitNot => IrUn::Not,
                };
                Sym::Scalar(self.b.push(Op::Unary(u, s), w))
            }
            ExprKind::Binary(op, a, b) => {
                let av = self.expr(f, a)?;
                let bv = self.expr(f, b)?;
                let (at, bt) = (f.ty(a).clone(), f.ty(b).clone());
                self.binary(*op, &av, &bv, &at, &bt)
            }
            ExprKind::Name(p) => match f.inst.res.get(&e.id) {
                Some(Res::Local) => f.get(&p.segments[0].name),
                Some(Res::Const(id)) => {
                    let c = &self.program.consts[id.0 as usize];
                    self.const_sym(&c.value)
                }
                Some(Res::Len(n)) => Sym::Scalar(self.b.konst(u128::from(*n), 32)),
                _ => Sym::unit(),
            },
            ExprKind::Call { args, .. } => {
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    vals.push(self.expr(f, a)?);
                }
                match f.inst.res.get(&e.id) {
                    Some(Res::Call(id)) => self.call(*id, vals, e.span)?,
                    Some(Res::Builtin(b)) => {
                        let arg_tys: Vec<Ty> = args.iter().map(|a| f.ty(a).clone()).collect();
                        let ty = f.ty(e).clone();
                        self.builtin(*b, &vals, &ty, &arg_tys)
                    }
                    _ => Sym::unit(),
                }
            }
            ExprKind::Reveal(x) => self.expr(f, x)?,
            ExprKind::Index(a, i) => self.index(f, e, a, i)?,
            ExprKind::Field(s, _) => {
                let sv = self.expr(f, s)?;
                match (sv, f.inst.res.get(&e.id)) {
                    (Sym::Tuple(items), Some(Res::Field(n))) => {
                        items.into_iter().nth(*n).unwrap_or_else(Sym::unit)
                    }
                    _ => Sym::unit(),
                }
            }
            ExprKind::TupleField(t, n, _) => match self.expr(f, t)? {
                Sym::Tuple(items) => items.into_iter().nth(*n as usize).unwrap_or_else(Sym::unit),
                _ => Sym::unit(),
            },
            ExprKind::Tuple(items) => Sym::Tuple(self.exprs(f, items)?),
            ExprKind::Array(items) => Sym::Array(self.exprs(f, items)?),
            ExprKind::ArrayRepeat(v, _) => {
                let v = self.expr(f, v)?;
                match f.ty(e) {
                    Ty::Array(_, n) => Sym::Array(vec![v; *n as usize]),
                    _ => Sym::unit(),
                }
            }
            ExprKind::StructLit { fields, .. } => {
                let mut written = Vec::with_capacity(fields.len());
                for (_, v) in fields {
                    written.push(self.expr(f, v)?);
                }
                match f.inst.res.get(&e.id) {
                    Some(Res::StructLit(order)) => Sym::Tuple(in_declaration_order(order, written)),
                    _ => Sym::unit(),
                }
            }
            ExprKind::Cast(x, _) => {
                let v = self.expr(f, x)?;
                let from = f.ty(x).clone();
                match (v.scalar(), f.ty(e)) {
                    (Some(s), Ty::Int(to, _)) => Sym::Scalar(self.cast(s, &from, *to)),
                    _ => v,
                }
            }
            ExprKind::If { cond, then, else_ } => {
                let c = self.expr(f, cond)?;
                let Some(cv) = c.scalar() else {
                    return Ok(Sym::unit());
                };
                match self.b.const_value(cv) {
                    Some(1) => self.block(f, then)?,
                    Some(_) => match else_ {
                        Some(x) => self.expr(f, x)?,
                        None => Sym::unit(),
                    },
                    None => {
                        // Both sides, then merge what they assigned.
                        let before = f.vars.clone();
                        let tv = self.branch(f, then_expr(then), cond.span)?;
                        let after_then = std::mem::replace(&mut f.vars, before);
                        let ev = match else_ {
                            Some(x) => self.branch(f, BranchBody::Expr(x), cond.span)?,
                            None => Sym::unit(),
                        };
                        for (slot, (_, then_value)) in f.vars.iter_mut().zip(&after_then) {
                            if slot.1 != *then_value {
                                slot.1 = self.mux(cv, then_value, &slot.1);
                            }
                        }
                        self.mux(cv, &tv, &ev)
                    }
                }
            }
            ExprKind::Block(b) => self.block(f, b)?,
        })
    }

    /// `a[i]`; a variable's array is read in place rather than copied, which
    /// keeps loops over large arrays linear.
    fn index(&mut self, f: &mut Frame<'p, Sym>, e: &'p Expr, a: &'p Expr, i: &'p Expr) -> Lowered {
        let idx = self.expr(f, i)?;
        let elem_ty = f.ty(e).clone();
        let Some(iv) = idx.scalar() else {
            return Ok(self.zero(&elem_ty));
        };
        if let (ExprKind::Name(p), Some(Res::Local)) = (&a.kind, f.inst.res.get(&a.id)) {
            let name = p.segments[0].name.as_str();
            if let Some(Sym::Array(items)) = f
                .vars
                .iter()
                .rev()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v)
            {
                return Ok(self.element(items, iv, &elem_ty));
            }
        }
        match self.expr(f, a)? {
            Sym::Array(items) => Ok(self.element(&items, iv, &elem_ty)),
            _ => Ok(self.zero(&elem_ty)),
        }
    }

    fn element(&mut self, items: &[Sym], idx: ValueId, elem_ty: &Ty) -> Sym {
        match self.b.const_value(idx) {
            Some(c) => match usize::try_from(c).ok().and_then(|c| items.get(c)) {
                Some(v) => v.clone(),
                None => self.zero(elem_ty),
            },
            None => self.select(items, idx, elem_ty),
        }
    }

    /// Lowers one side of a runtime branch, where an early `return` cannot be expressed.
    fn branch(&mut self, f: &mut Frame<'p, Sym>, body: BranchBody<'p>, cond: Span) -> Lowered {
        let r = match body {
            BranchBody::Block(b) => self.block(f, b),
            BranchBody::Expr(e) => self.expr(f, e),
        };
        match r {
            Err(Ctrl::Return(_)) => Err(fail(
                Diagnostic::error(
                    RETURN_UNDER_RUNTIME_CONDITION,
                    "`return` under a condition that is only known when the program runs",
                    cond,
                )
                .label("this condition is not a compile-time constant")
                .with_help(
                    "assign the result to a variable in both branches and return it after the `if`",
                ),
            )),
            other => other,
        }
    }

    fn exprs(&mut self, f: &mut Frame<'p, Sym>, items: &'p [Expr]) -> Result<Vec<Sym>, Ctrl> {
        items.iter().map(|x| self.expr(f, x)).collect()
    }

    fn const_sym(&mut self, v: &crate::semantics::Val) -> Sym {
        use crate::semantics::Val;
        match v {
            Val::Bool(b) => Sym::Scalar(self.b.konst(u128::from(*b), 1)),
            Val::Int(raw, t) => Sym::Scalar(self.b.konst(*raw, t.bits)),
            Val::Array(items) => Sym::Array(items.iter().map(|x| self.const_sym(x)).collect()),
            Val::Tuple(items) | Val::Struct(items) => {
                Sym::Tuple(items.iter().map(|x| self.const_sym(x)).collect())
            }
        }
    }

    fn builtin(&mut self, b: Builtin, args: &[Sym], ty: &Ty, arg_tys: &[Ty]) -> Sym {
        let scalar = |i: usize| args.get(i).and_then(Sym::scalar);
        match b {
            Builtin::Mux => match (scalar(0), args.get(1), args.get(2)) {
                (Some(c), Some(a), Some(x)) => self.mux(c, a, x),
                _ => Sym::unit(),
            },
            Builtin::Rotl | Builtin::Rotr => match (scalar(0), scalar(1)) {
                (Some(x), Some(n)) => Sym::Scalar(self.bin(
                    if b == Builtin::Rotl {
                        IrBin::Rotl
                    } else {
                        IrBin::Rotr
                    },
                    x,
                    n,
                )),
                _ => Sym::unit(),
            },
            Builtin::Bit => match (scalar(0), scalar(1)) {
                (Some(x), Some(i)) => Sym::Scalar(match self.b.const_value(i) {
                    Some(c) if c < u128::from(self.b.width(x)) => {
                        self.b.push(Op::Extract(x, c as u32), 1)
                    }
                    Some(_) => self.b.konst(0, 1),
                    None => {
                        let shifted = self.bin(IrBin::LShr, x, i);
                        self.b.push(Op::Extract(shifted, 0), 1)
                    }
                }),
                _ => Sym::unit(),
            },
            Builtin::Bits => match scalar(0) {
                Some(x) => {
                    let w = self.b.width(x);
                    Sym::Array(
                        (0..w)
                            .map(|k| Sym::Scalar(self.b.push(Op::Extract(x, k), 1)))
                            .collect(),
                    )
                }
                None => Sym::unit(),
            },
            Builtin::FromBits => match args.first() {
                Some(Sym::Array(items)) => {
                    let mut acc: Option<ValueId> = None;
                    for item in items {
                        let Some(bit) = item.scalar() else { continue };
                        acc = Some(match acc {
                            None => bit,
                            Some(lo) => {
                                let w = self.b.width(lo) + 1;
                                self.b.push(Op::Concat(lo, bit), w)
                            }
                        });
                    }
                    match acc {
                        Some(v) => Sym::Scalar(v),
                        None => Sym::Scalar(self.b.konst(0, width_of(ty))),
                    }
                }
                _ => Sym::unit(),
            },
            Builtin::Len => match arg_tys.first() {
                Some(Ty::Array(_, n)) => Sym::Scalar(self.b.konst(u128::from(*n), 32)),
                _ => Sym::Scalar(self.b.konst(0, 32)),
            },
            Builtin::Min | Builtin::Max => match (scalar(0), scalar(1)) {
                (Some(x), Some(y)) => {
                    let s = arg_tys.first().is_some_and(signed);
                    let less = self.bin(if s { IrBin::Slt } else { IrBin::Ult }, x, y);
                    let (a, c) = if b == Builtin::Min { (x, y) } else { (y, x) };
                    let w = self.b.width(x);
                    Sym::Scalar(self.b.push(Op::Mux(less, a, c), w))
                }
                _ => Sym::unit(),
            },
        }
    }
}

enum BranchBody<'p> {
    Block(&'p Block),
    Expr(&'p Expr),
}

fn then_expr(b: &Block) -> BranchBody<'_> {
    BranchBody::Block(b)
}

#[derive(Debug)]
enum Step {
    Index(ValueId),
    Field(usize),
}
