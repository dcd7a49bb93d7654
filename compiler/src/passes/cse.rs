//! `cse`: common-subexpression elimination.
//!
//! What it does: rebuilds the module, and an instruction equal to an
//! earlier one (same operation, same operands after earlier merges, same
//! width) is replaced by the earlier value. Operands of commutative
//! operations (`add mul and or xor eq ne`) are first put in the canonical
//! order of [`super::rewrite::canonical_operands`] (constant on the right,
//! otherwise older value first), so `a + b` and `b + a` merge. Equal
//! constants and reads of the same input bits merge too.
//!
//! Needs: a verified module. Guarantees: no two instructions are identical;
//! outputs compute the same thing; the number of instructions does not grow.
//!
//! Deliberately does not: merge values that are equal only by algebra
//! (`a - b` and `a + (-b)`; `simplify` canonicalises some of those first),
//! or remove instructions that become dead (`dce`).

use std::collections::HashMap;

use super::rewrite::{canonical_operands, install, Rewriter};
use super::{Pass, PassReport};
use crate::ir::{Module, Op, ValueId};

/// Common-subexpression elimination by hash-consing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cse;

impl Pass for Cse {
    fn name(&self) -> &'static str {
        "cse"
    }

    fn run(&self, m: &mut Module) -> PassReport {
        let mut rw = Rewriter::new(m);
        let mut seen: HashMap<(Op, u32), ValueId> = HashMap::new();
        let mut merged = 0usize;
        for (id, inst) in m.ids().zip(&m.insts) {
            let mut op = rw.mapped(&inst.op);
            if let Op::Binary(b, x, y) = op {
                let (x, y) = canonical_operands(rw.module(), b, x, y);
                op = Op::Binary(b, x, y);
            }
            let new = match seen.get(&(op, inst.width)) {
                Some(&v) => {
                    merged += 1;
                    v
                }
                None => {
                    let v = rw.push(op, inst.width);
                    seen.insert((op, inst.width), v);
                    v
                }
            };
            rw.set(id, new);
        }
        let new = rw.finish();
        install(m, new, format!("merged {merged} duplicate instructions"))
    }
}
