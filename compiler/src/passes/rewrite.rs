//! Shared machinery for passes: rebuilding a module through a value map, and
//! small facts about values (constants, use counts, canonical operand order).
//!
//! Most passes walk the old module in order and append to a fresh one,
//! recording for every old value the new value that replaces it. Because
//! operands come before users, an operand is always mapped by the time its
//! user is visited, and because [`Rewriter::push`] derives every label from
//! the operands, the result keeps the module invariants by construction
//! (operands before users, labels the join of operand labels). A pass only
//! has to keep widths consistent and map every value an output names to a
//! value of the same width with the same meaning.

use super::PassReport;
use crate::ir::eval::fold;
use crate::ir::{BinOp, Inst, Label, Module, Op, ValueId};

/// The id an unmapped old value maps to: never a valid value, so a pass that
/// forgets to map something is caught by the verifier rather than silently
/// wired to the wrong value.
pub const UNMAPPED: ValueId = ValueId(u32::MAX);

/// The mask of the low `width` bits.
pub fn mask(width: u32) -> u128 {
    if width >= 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    }
}

/// The number of bits needed to hold `x` (at least 1, so it is a valid width).
pub fn bits_needed(x: u128) -> u32 {
    (128 - x.leading_zeros()).max(1)
}

/// The value's constant, if its instruction is one.
pub fn const_of(m: &Module, v: ValueId) -> Option<u128> {
    match m.insts.get(v.index())?.op {
        Op::Const(c) => Some(c),
        _ => None,
    }
}

/// The value of `op` at `width` if every operand is a constant in `m`
/// (`None` for inputs, constants themselves and anything not constant).
pub fn fold_constant(m: &Module, op: &Op, width: u32) -> Option<u128> {
    if matches!(op, Op::Const(_) | Op::Input { .. }) {
        return None;
    }
    if !op.operands().all(|v| const_of(m, v).is_some()) {
        return None;
    }
    fold(op, width, |v| {
        let i = &m.insts[v.index()];
        (const_of(m, v).unwrap_or(0), i.width)
    })
}

/// The operands of a commutative operation in canonical order: a constant
/// on the right, else a public value on the right of a secret one (so
/// lowering finds the cheap operand in one place), else the older value on
/// the left. Every pass that normalises operands uses this one order, so
/// passes never undo each other (which would keep a fixed-point loop from
/// converging).
pub fn canonical_operands(m: &Module, op: BinOp, a: ValueId, b: ValueId) -> (ValueId, ValueId) {
    if !op.is_commutative() {
        return (a, b);
    }
    let key = |v: ValueId| {
        let public = m
            .insts
            .get(v.index())
            .is_some_and(|i| i.label == Label::Public);
        (const_of(m, v).is_some(), public, v)
    };
    if key(b) < key(a) {
        (b, a)
    } else {
        (a, b)
    }
}

/// How many times each value is used, as an operand or an output leaf.
pub fn use_counts(m: &Module) -> Vec<u32> {
    let mut uses = vec![0u32; m.insts.len()];
    let mut note = |v: ValueId| {
        if let Some(u) = uses.get_mut(v.index()) {
            *u += 1;
        }
    };
    for inst in &m.insts {
        inst.op.operands().for_each(&mut note);
    }
    for o in &m.outputs {
        o.values.iter().copied().for_each(&mut note);
    }
    uses
}

/// The label an instruction with `op` must carry in `m`: public for
/// constants, the input's visibility for inputs, else the operands' join.
pub fn derive_label(m: &Module, op: &Op) -> Label {
    match *op {
        Op::Const(_) => Label::Public,
        Op::Input { group, .. } => match m.inputs.get(group as usize) {
            Some(d) if d.public => Label::Public,
            _ => Label::Secret,
        },
        _ => op
            .operands()
            .map(|v| m.insts.get(v.index()).map_or(Label::Secret, |i| i.label))
            .fold(Label::Public, Label::join),
    }
}

/// The smallest width that holds a shift amount of `k` (constants used as
/// shift and rotation amounts are given this width).
pub fn amount_width(k: u128) -> u32 {
    bits_needed(k)
}

/// Rebuilds a module: a new instruction list plus a map from old values to
/// new ones. Parties and inputs are kept as they are.
#[derive(Debug)]
pub struct Rewriter<'a> {
    old: &'a Module,
    new: Module,
    map: Vec<ValueId>,
}

impl<'a> Rewriter<'a> {
    /// A rewriter from `old` into an empty instruction list.
    pub fn new(old: &'a Module) -> Self {
        Rewriter {
            old,
            new: Module {
                parties: old.parties.clone(),
                insts: Vec::with_capacity(old.insts.len()),
                inputs: old.inputs.clone(),
                outputs: Vec::new(),
            },
            map: vec![UNMAPPED; old.insts.len()],
        }
    }

    /// The module being rewritten.
    pub fn old(&self) -> &'a Module {
        self.old
    }

    /// The new module built so far (its outputs are still empty).
    pub fn module(&self) -> &Module {
        &self.new
    }

    /// A new value's instruction.
    pub fn inst(&self, v: ValueId) -> &Inst {
        &self.new.insts[v.index()]
    }

    /// A new value's width.
    pub fn width(&self, v: ValueId) -> u32 {
        self.new.insts[v.index()].width
    }

    /// A new value's operation.
    pub fn def(&self, v: ValueId) -> Op {
        self.new.insts[v.index()].op
    }

    /// A new value's constant, if it is one.
    pub fn konst_of(&self, v: ValueId) -> Option<u128> {
        const_of(&self.new, v)
    }

    /// Appends `op` (operands are new values) with its derived label.
    pub fn push(&mut self, op: Op, width: u32) -> ValueId {
        let label = derive_label(&self.new, &op);
        let id = ValueId(self.new.insts.len() as u32);
        self.new.insts.push(Inst { op, width, label });
        id
    }

    /// Appends a constant of `width` bits (masked to the width).
    pub fn konst(&mut self, value: u128, width: u32) -> ValueId {
        self.push(Op::Const(value & mask(width)), width)
    }

    /// The new value standing for old value `v`.
    pub fn map(&self, v: ValueId) -> ValueId {
        self.map.get(v.index()).copied().unwrap_or(UNMAPPED)
    }

    /// Records that old value `old` is now `new`.
    pub fn set(&mut self, old: ValueId, new: ValueId) {
        if let Some(slot) = self.map.get_mut(old.index()) {
            *slot = new;
        }
    }

    /// `op` with every operand mapped to its new value.
    pub fn mapped(&self, op: &Op) -> Op {
        op.map_operands(|v| self.map(v))
    }

    /// The finished module, outputs mapped through the value map.
    pub fn finish(self) -> Module {
        let Rewriter { old, mut new, map } = self;
        new.outputs = old
            .outputs
            .iter()
            .map(|o| {
                let mut o = o.clone();
                for v in &mut o.values {
                    *v = map.get(v.index()).copied().unwrap_or(UNMAPPED);
                }
                o
            })
            .collect();
        new
    }
}

/// Replaces `m` by `new` and reports the difference (the usual last step of
/// a pass that rebuilt the module).
pub fn install(m: &mut Module, new: Module, note: String) -> PassReport {
    let report = PassReport::compare(m, &new, note);
    *m = new;
    report
}
