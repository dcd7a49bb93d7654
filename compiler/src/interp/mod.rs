//! The reference interpreter: runs a checked program on plaintext inputs.
//!
//! It is the oracle that every later stage (circuits at every optimisation
//! level, every protocol backend) is tested against, so it is written for
//! obviousness, not speed: it walks the checked AST with the types and
//! resolutions that [`crate::sema`] recorded, and every operation's meaning
//! comes from [`crate::semantics`].
//!
//! Semantics it fixes beyond the operators: an out-of-range index (secret, or
//! public but only known at run time) reads zero and writes nothing; a secret
//! `if` has the value of the branch its condition selects (both branches are
//! free of effects other than assignments, so this equals evaluating both and
//! multiplexing); a call chain deeper than [`MAX_CALL_DEPTH`] stops with an
//! error rather than overflowing.

use thiserror::Error;
use veil_circuit::value::Value;

use crate::frame::{in_declaration_order, Frame, FrameValue};
use crate::sema::types::Ty;
use crate::sema::{Builtin, InstanceId, Program, Res};
use crate::semantics::{self, Val};
use crate::span::Span;
use crate::syntax::ast::{Block, Expr, ExprKind, StmtKind, UnOp};

/// How deep calls may nest at run time (the compiler's unrolling uses the same limit).
pub const MAX_CALL_DEPTH: usize = 512;

/// How many loop iterations a whole run may take (the compiler's unrolling
/// uses the same limit): a circuit that large could never be built.
pub const MAX_LOOP_ITERATIONS: u64 = 1 << 24;

/// Why a run stopped without outputs.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RunError {
    /// Recursion deeper than [`MAX_CALL_DEPTH`].
    #[error("error[E0060]: recursion in `{function}` is deeper than {MAX_CALL_DEPTH} calls")]
    RecursionLimit { function: String, span: Span },
    /// More than [`MAX_LOOP_ITERATIONS`] loop iterations in one run.
    #[error("error[E0063]: the program runs more than {MAX_LOOP_ITERATIONS} loop iterations, too many to unroll into a circuit")]
    TooManyIterations { span: Span },
    /// The number of inputs given does not match the program.
    #[error("expected {expected} input values, got {found}")]
    InputCount { expected: usize, found: usize },
}

/// Runs `main` on one value per input (in the order of [`Program::inputs`]);
/// returns one value per output (in the order of [`Program::outputs`]).
pub fn run(program: &Program, inputs: &[Value]) -> Result<Vec<Value>, RunError> {
    if inputs.len() != program.inputs.len() {
        return Err(RunError::InputCount {
            expected: program.inputs.len(),
            found: inputs.len(),
        });
    }
    let mut it = Interp {
        program,
        depth: 0,
        iterations: 0,
        outputs: vec![None; program.outputs.len()],
    };
    let args = inputs.iter().map(Val::from_value).collect();
    match it.call(program.main, args) {
        Ok(_) | Err(Ctrl::Return(_)) => {}
        Err(Ctrl::Fail(e)) => return Err(e),
    }
    Ok(program
        .outputs
        .iter()
        .zip(it.outputs)
        .map(|(o, v)| v.unwrap_or_else(Val::unit).to_value(&o.value_type))
        .collect())
}

/// Non-local control flow: an early `return`, or a failure.
#[derive(Debug)]
enum Ctrl {
    Return(Val),
    Fail(RunError),
}

type Eval = Result<Val, Ctrl>;

struct Interp<'p> {
    program: &'p Program,
    depth: usize,
    iterations: u64,
    outputs: Vec<Option<Val>>,
}

impl FrameValue for Val {
    fn unit() -> Self {
        Val::unit()
    }

    fn into_items(self) -> Option<Vec<Self>> {
        match self {
            Val::Tuple(items) | Val::Struct(items) => Some(items),
            _ => None,
        }
    }
}

/// The zero value of a type (what an out-of-range read returns).
fn zero(ty: &Ty) -> Val {
    match ty {
        Ty::Bool(_) | Ty::Error => Val::Bool(false),
        Ty::Int(i, _) => Val::Int(0, *i),
        Ty::Array(e, n) => Val::Array(vec![zero(e); *n as usize]),
        Ty::Tuple(items) => Val::Tuple(items.iter().map(zero).collect()),
        Ty::Struct(_, items) => Val::Struct(items.iter().map(zero).collect()),
    }
}

fn int_of(v: &Val) -> u128 {
    match v {
        Val::Int(raw, _) => *raw,
        Val::Bool(b) => u128::from(*b),
        _ => 0,
    }
}

impl<'p> Interp<'p> {
    fn call(&mut self, id: InstanceId, args: Vec<Val>) -> Eval {
        let inst = self.program.instance(id);
        let decl = self.program.fn_decl(inst.func);
        if self.depth >= MAX_CALL_DEPTH {
            return Err(Ctrl::Fail(RunError::RecursionLimit {
                function: decl.name.name.clone(),
                span: decl.name.span,
            }));
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

    fn block(&mut self, f: &mut Frame<'p, Val>, b: &'p Block) -> Eval {
        let mark = f.vars.len();
        let result = self.block_inner(f, b);
        f.vars.truncate(mark);
        result
    }

    fn block_inner(&mut self, f: &mut Frame<'p, Val>, b: &'p Block) -> Eval {
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
                            semantics::binary(*op, &old, &v)
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
                        None => Val::unit(),
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
                    let Val::Int(_, ty) = lo else { continue };
                    let (lo, hi) = (int_of(&lo), int_of(&hi));
                    let count = semantics::loop_count(lo, hi, ty, *inclusive);
                    self.iterations = self
                        .iterations
                        .saturating_add(u64::try_from(count).unwrap_or(u64::MAX));
                    if self.iterations > MAX_LOOP_ITERATIONS {
                        return Err(Ctrl::Fail(RunError::TooManyIterations { span: s.span }));
                    }
                    for i in semantics::loop_values(lo, hi, ty, *inclusive) {
                        f.vars.push((var.name.as_str(), Val::Int(i, ty)));
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
            None => Ok(Val::unit()),
        }
    }

    /// Writes `v` into a place; out-of-range indices write nothing.
    fn store(&mut self, f: &mut Frame<'p, Val>, place: &'p Expr, v: Val) -> Result<(), Ctrl> {
        // Collect the access path from the root outwards.
        let mut path = Vec::new();
        let mut cur = place;
        loop {
            match &cur.kind {
                ExprKind::Index(a, i) => {
                    let idx = int_of(&self.expr(f, i)?);
                    path.push(Step::Index(idx));
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
                    let Some(mut slot) = f.slot(&p.segments[0].name) else {
                        return Ok(());
                    };
                    for step in path.iter().rev() {
                        let next = match (step, slot) {
                            (Step::Index(i), Val::Array(items)) => {
                                usize::try_from(*i).ok().and_then(|i| items.get_mut(i))
                            }
                            (Step::Field(n), Val::Tuple(items) | Val::Struct(items)) => {
                                items.get_mut(*n)
                            }
                            _ => None,
                        };
                        match next {
                            Some(s) => slot = s,
                            None => return Ok(()),
                        }
                    }
                    *slot = v;
                    return Ok(());
                }
                _ => return Ok(()),
            }
        }
    }

    fn expr(&mut self, f: &mut Frame<'p, Val>, e: &'p Expr) -> Eval {
        Ok(match &e.kind {
            ExprKind::Error => Val::unit(),
            ExprKind::Bool(b) => Val::Bool(*b),
            ExprKind::Int { value, .. } => match f.ty(e) {
                Ty::Int(t, _) => Val::int(*value, *t),
                _ => Val::unit(),
            },
            ExprKind::Unary(UnOp::Neg, inner) if matches!(inner.kind, ExprKind::Int { .. }) => {
                match (&inner.kind, f.ty(e)) {
                    (ExprKind::Int { value, .. }, Ty::Int(t, _)) => {
                        semantics::literal(true, *value, *t)
                    }
                    _ => Val::unit(),
                }
            }
            ExprKind::Unary(op, x) => semantics::unary(*op, &self.expr(f, x)?),
            ExprKind::Binary(op, a, b) => {
                let av = self.expr(f, a)?;
                // `&&`/`||` evaluate both sides: no short circuit, as in a circuit.
                let bv = self.expr(f, b)?;
                semantics::binary(*op, &av, &bv)
            }
            ExprKind::Name(p) => match f.inst.res.get(&e.id) {
                Some(Res::Local) => f.get(&p.segments[0].name),
                Some(Res::Const(id)) => self.program.consts[id.0 as usize].value.clone(),
                Some(Res::Len(n)) => Val::int(u128::from(*n), crate::sema::types::IntTy::U32),
                _ => Val::unit(),
            },
            ExprKind::Call { args, .. } => {
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    vals.push(self.expr(f, a)?);
                }
                match f.inst.res.get(&e.id) {
                    Some(Res::Call(id)) => self.call(*id, vals)?,
                    Some(Res::Builtin(b)) => {
                        builtin(*b, &vals, f.ty(e), args.first().map(|a| f.ty(a)))
                    }
                    _ => Val::unit(),
                }
            }
            ExprKind::Reveal(x) => self.expr(f, x)?,
            ExprKind::Index(a, i) => {
                let arr = self.expr(f, a)?;
                let idx = int_of(&self.expr(f, i)?);
                match arr {
                    Val::Array(items) => match usize::try_from(idx)
                        .ok()
                        .and_then(|i| items.into_iter().nth(i))
                    {
                        Some(v) => v,
                        None => zero(f.ty(e)),
                    },
                    _ => zero(f.ty(e)),
                }
            }
            ExprKind::Field(s, _) => {
                let sv = self.expr(f, s)?;
                match (sv, f.inst.res.get(&e.id)) {
                    (Val::Struct(items), Some(Res::Field(n))) => {
                        items.into_iter().nth(*n).unwrap_or_else(Val::unit)
                    }
                    _ => Val::unit(),
                }
            }
            ExprKind::TupleField(t, n, _) => match self.expr(f, t)? {
                Val::Tuple(items) => items.into_iter().nth(*n as usize).unwrap_or_else(Val::unit),
                _ => Val::unit(),
            },
            ExprKind::Tuple(items) => Val::Tuple(self.exprs(f, items)?),
            ExprKind::Array(items) => Val::Array(self.exprs(f, items)?),
            ExprKind::ArrayRepeat(v, _) => {
                let v = self.expr(f, v)?;
                match f.ty(e) {
                    Ty::Array(_, n) => Val::Array(vec![v; *n as usize]),
                    _ => Val::unit(),
                }
            }
            ExprKind::StructLit { fields, .. } => {
                let mut written = Vec::with_capacity(fields.len());
                for (_, v) in fields {
                    written.push(self.expr(f, v)?);
                }
                match f.inst.res.get(&e.id) {
                    Some(Res::StructLit(order)) => {
                        Val::Struct(in_declaration_order(order, written))
                    }
                    _ => Val::unit(),
                }
            }
            ExprKind::Cast(x, _) => {
                let v = self.expr(f, x)?;
                match f.ty(e) {
                    Ty::Int(t, _) => semantics::cast(&v, *t),
                    _ => v,
                }
            }
            ExprKind::If { cond, then, else_ } => {
                if self.expr(f, cond)?.as_bool().unwrap_or(false) {
                    self.block(f, then)?
                } else {
                    match else_ {
                        Some(x) => self.expr(f, x)?,
                        None => Val::unit(),
                    }
                }
            }
            ExprKind::Block(b) => self.block(f, b)?,
        })
    }

    fn exprs(&mut self, f: &mut Frame<'p, Val>, items: &'p [Expr]) -> Result<Vec<Val>, Ctrl> {
        items.iter().map(|x| self.expr(f, x)).collect()
    }
}

enum Step {
    Index(u128),
    Field(usize),
}

fn builtin(b: Builtin, args: &[Val], ty: &Ty, first_ty: Option<&Ty>) -> Val {
    let arg = |i: usize| args.get(i).cloned().unwrap_or_else(Val::unit);
    match b {
        Builtin::Mux => {
            if arg(0).as_bool().unwrap_or(false) {
                arg(1)
            } else {
                arg(2)
            }
        }
        Builtin::Rotl | Builtin::Rotr => match arg(0) {
            Val::Int(raw, t) => Val::Int(
                semantics::rotate(b == Builtin::Rotl, raw, t, int_of(&arg(1))),
                t,
            ),
            other => other,
        },
        Builtin::Bit => match arg(0) {
            Val::Int(raw, t) => {
                let i = int_of(&arg(1));
                Val::Bool(i < u128::from(t.bits) && (raw >> i) & 1 == 1)
            }
            _ => Val::Bool(false),
        },
        Builtin::Bits => match arg(0) {
            Val::Int(raw, t) => Val::Array(
                (0..t.bits)
                    .map(|i| Val::Bool((raw >> i) & 1 == 1))
                    .collect(),
            ),
            _ => Val::Array(Vec::new()),
        },
        Builtin::FromBits => match (arg(0), ty) {
            (Val::Array(items), Ty::Int(t, _)) => {
                let raw = items.iter().enumerate().fold(0u128, |acc, (i, v)| {
                    acc | (u128::from(v.as_bool().unwrap_or(false)) << i)
                });
                Val::int(raw, *t)
            }
            _ => Val::unit(),
        },
        Builtin::Len => match first_ty {
            Some(Ty::Array(_, n)) => Val::int(u128::from(*n), crate::sema::types::IntTy::U32),
            _ => Val::int(0, crate::sema::types::IntTy::U32),
        },
        Builtin::Min | Builtin::Max => semantics::min_max(b == Builtin::Max, &arg(0), &arg(1)),
    }
}
