//! Appends instructions to a module, deriving labels and folding constants.
//!
//! An instruction whose operands are all constants is evaluated on the spot
//! (unrolling needs loop counters and public conditions as constants at every
//! optimisation level). With `share` on, an instruction identical to an
//! earlier one returns the earlier value (hash-consing), which is cheap
//! common-subexpression elimination during construction.

use std::collections::HashMap;

use super::eval::fold;
use super::{InputDecl, Inst, Label, Module, Op, OutputDecl, ValueId};

/// Builds a [`Module`] in evaluation order.
#[derive(Debug)]
pub struct Builder {
    module: Module,
    share: bool,
    memo: HashMap<(Op, u32), ValueId>,
}

impl Builder {
    /// A builder for a program among `parties`; `share` enables hash-consing.
    pub fn new(parties: Vec<String>, share: bool) -> Self {
        Builder {
            module: Module {
                parties,
                ..Module::default()
            },
            share,
            memo: HashMap::new(),
        }
    }

    /// Declares an input group and returns its index (for [`Op::Input`]).
    pub fn add_input(&mut self, decl: InputDecl) -> u32 {
        self.module.inputs.push(decl);
        self.module.inputs.len() as u32 - 1
    }

    /// Declares an output.
    pub fn add_output(&mut self, decl: OutputDecl) {
        self.module.outputs.push(decl);
    }

    /// The width of a value.
    pub fn width(&self, v: ValueId) -> u32 {
        self.module.insts[v.index()].width
    }

    /// The label of a value.
    pub fn label(&self, v: ValueId) -> Label {
        self.module.insts[v.index()].label
    }

    /// The value's constant, if it is one.
    pub fn const_value(&self, v: ValueId) -> Option<u128> {
        match self.module.insts[v.index()].op {
            Op::Const(c) => Some(c),
            _ => None,
        }
    }

    /// A constant of `width` bits (masked).
    pub fn konst(&mut self, value: u128, width: u32) -> ValueId {
        let masked = if width >= 128 {
            value
        } else {
            value & ((1u128 << width) - 1)
        };
        self.append(Op::Const(masked), width, Label::Public)
    }

    /// Appends `op` producing `width` bits; folds it if every operand is constant.
    pub fn push(&mut self, op: Op, width: u32) -> ValueId {
        if let Op::Const(c) = op {
            // Constants are masked to their width, as `konst` does.
            return self.konst(c, width);
        }
        let insts = &self.module.insts;
        let all_const = op
            .operands()
            .all(|v| matches!(insts[v.index()].op, Op::Const(_)));
        if all_const && !matches!(op, Op::Input { .. } | Op::Const(_)) {
            let c = fold(&op, width, |v| {
                let i = &insts[v.index()];
                match i.op {
                    Op::Const(c) => (c, i.width),
                    _ => (0, i.width),
                }
            });
            if let Some(c) = c {
                return self.konst(c, width);
            }
        }
        let label = match op {
            Op::Input { group, .. } => {
                let public = self
                    .module
                    .inputs
                    .get(group as usize)
                    .is_some_and(|d| d.public);
                if public {
                    Label::Public
                } else {
                    Label::Secret
                }
            }
            _ => op
                .operands()
                .map(|v| insts[v.index()].label)
                .fold(Label::Public, Label::join),
        };
        self.append(op, width, label)
    }

    fn append(&mut self, op: Op, width: u32, label: Label) -> ValueId {
        if self.share {
            if let Some(v) = self.memo.get(&(op, width)) {
                return *v;
            }
        }
        let id = ValueId(self.module.insts.len() as u32);
        self.module.insts.push(Inst { op, width, label });
        if self.share {
            self.memo.insert((op, width), id);
        }
        id
    }

    /// The module built so far.
    pub fn module(&self) -> &Module {
        &self.module
    }

    /// The finished module.
    pub fn finish(self) -> Module {
        self.module
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pushed_constants_are_masked() {
        let mut b = Builder::new(vec!["a".into()], false);
        let v = b.push(Op::Const(0x1ff), 8);
        assert_eq!(b.const_value(v), Some(0xff));
        assert!(crate::ir::verify::verify(b.module()).is_ok());
    }
}
