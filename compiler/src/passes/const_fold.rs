//! `const-fold`: constant folding and propagation.
//!
//! What it does: walks the module in order; an instruction whose operands
//! are all constants (after earlier folding) becomes a constant, computed by
//! [`crate::ir::eval::fold`], so exactly as [`crate::semantics`] says
//! (wrapping, division by zero, shifts past the width). A multiplexer whose
//! condition is constant becomes the chosen arm, whatever the arms are, so
//! constants propagate through every kind of instruction.
//!
//! Needs: a verified module. Guarantees: the same outputs for every input;
//! no instruction with all-constant operands is left; the number of
//! instructions does not grow.
//!
//! Deliberately does not: simplify instructions with only some constant
//! operands (`x + 0` is `simplify`'s job), remove the instructions it made
//! dead (`dce`), or merge equal constants (`cse`).

use super::rewrite::{fold_constant, install, Rewriter};
use super::{Pass, PassReport};
use crate::ir::{Module, Op};

/// Constant folding and propagation.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConstFold;

impl Pass for ConstFold {
    fn name(&self) -> &'static str {
        "const-fold"
    }

    fn run(&self, m: &mut Module) -> PassReport {
        let mut rw = Rewriter::new(m);
        let (mut folded, mut muxes) = (0usize, 0usize);
        for (id, inst) in m.ids().zip(&m.insts) {
            let op = rw.mapped(&inst.op);
            let new = if let Some(c) = fold_constant(rw.module(), &op, inst.width) {
                folded += 1;
                rw.konst(c, inst.width)
            } else if let Op::Mux(c, a, b) = op {
                match rw.konst_of(c) {
                    Some(k) => {
                        muxes += 1;
                        if k & 1 == 1 {
                            a
                        } else {
                            b
                        }
                    }
                    None => rw.push(op, inst.width),
                }
            } else {
                rw.push(op, inst.width)
            };
            rw.set(id, new);
        }
        let new = rw.finish();
        install(
            m,
            new,
            format!("folded {folded} instructions, resolved {muxes} multiplexers"),
        )
    }
}
