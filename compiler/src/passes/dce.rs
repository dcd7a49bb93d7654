//! `dce`: dead-code elimination.
//!
//! What it does: marks every value an output needs (transitively through
//! operands) and rebuilds the module with only those, renumbered densely
//! in their original order.
//!
//! Needs: a verified module. Guarantees: every instruction left is used by
//! an output, directly or not; values keep their relative order; outputs
//! compute the same thing.
//!
//! Deliberately does not: drop input declarations that nothing reads (they
//! are the program's interface: parties still provide them), or merge
//! duplicates (`cse`).

use super::rewrite::{install, Rewriter};
use super::{Pass, PassReport};
use crate::ir::Module;

/// Dead-code elimination with dense renumbering.
#[derive(Debug, Clone, Copy, Default)]
pub struct Dce;

impl Pass for Dce {
    fn name(&self) -> &'static str {
        "dce"
    }

    fn run(&self, m: &mut Module) -> PassReport {
        let mut live = vec![false; m.insts.len()];
        for o in &m.outputs {
            for v in &o.values {
                if let Some(l) = live.get_mut(v.index()) {
                    *l = true;
                }
            }
        }
        // Users come after their operands, so one backward sweep suffices.
        for (i, inst) in m.insts.iter().enumerate().rev() {
            if live[i] {
                for o in inst.op.operands() {
                    if let Some(l) = live.get_mut(o.index()) {
                        *l = true;
                    }
                }
            }
        }
        let mut rw = Rewriter::new(m);
        for (id, inst) in m.ids().zip(&m.insts) {
            if live[id.index()] {
                let new = rw.push(rw.mapped(&inst.op), inst.width);
                rw.set(id, new);
            }
        }
        let removed = live.iter().filter(|l| !**l).count();
        let new = rw.finish();
        install(m, new, format!("removed {removed} dead instructions"))
    }
}
