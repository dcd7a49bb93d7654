//! `public-eval`: move work out of the secret part of the program.
//!
//! Public values cost nothing at run time: every party computes them in the
//! clear. Secret operations cost gates and communication. This pass makes
//! the secret part as small as the public part allows.
//!
//! What it does, in one walk over the module:
//!
//! 1. Everything computable at compile time is folded: an instruction whose
//!    operands are all constants becomes a constant, and a multiplexer with
//!    a constant condition becomes its arm (as `const-fold` does; repeated
//!    here so that the pass stands alone).
//! 2. Public leaves are hoisted out of secret chains: in a tree of one
//!    associative, commutative operation (`add mul and or xor`, one width,
//!    inner nodes used only inside the tree) whose result is secret, when
//!    that saves secret operations, the constant leaves are folded into one
//!    and the public leaves are combined first, as public instructions;
//!    that public value then joins the secret leaves, combined shallowest
//!    first (the tree builder `reassociate` uses, so the two passes agree on
//!    the shape). `(s + p) + q` becomes `s + (p + q)`: one secret addition
//!    instead of two; `s * 3 * 5` becomes `s * 15`.
//! 3. Operands of commutative operations are put in the canonical order of
//!    [`super::rewrite::canonical_operands`]: a constant, else a public
//!    operand, on the right of a secret one, so lowering finds the constant
//!    (for a constant multiplier or adder) or the public value in one place.
//!
//! What it leaves alone, on purpose: public instructions that depend on
//! public inputs stay public instructions (they cannot be evaluated before
//! the inputs exist, and they cost nothing at run time); a multiplexer with
//! a secret condition stays even when both arms are public (choosing between
//! public values is still secret work); secret instructions with no public
//! leaf to hoist are unchanged.
//!
//! Needs: a verified module. Guarantees: the same outputs for every input;
//! no secret operation is added; a hoisted tree has fewer secret operations.
//!
//! Deliberately does not: apply algebraic identities (`simplify`), hoist
//! through different operations (`(s + p) - q`), or remove dead code
//! (`dce`).

use super::reassociate::{depths, trees_of, Rebuild, TreePlan};
use super::rewrite::{canonical_operands, fold_constant, install, Rewriter, UNMAPPED};
use super::{Pass, PassReport};
use crate::ir::{Label, Module, Op};

/// Compile-time evaluation of public work and hoisting of public operands.
#[derive(Debug, Clone, Copy, Default)]
pub struct PublicEval;

impl Pass for PublicEval {
    fn name(&self) -> &'static str {
        "public-eval"
    }

    fn run(&self, m: &mut Module) -> PassReport {
        let depth = depths(m);
        let plans: Vec<TreePlan> = trees_of(m)
            .into_iter()
            .map(|t| TreePlan::new(m, t, &depth))
            .filter(|p| {
                m.inst(p.tree.root).label == Label::Secret && p.new_secret_ops < p.old_secret_ops
            })
            .collect();
        let hoisted: usize = plans
            .iter()
            .map(|p| p.old_secret_ops - p.new_secret_ops)
            .sum();
        let rebuild = Rebuild::new(m, plans, &depth);
        let mut rw = Rewriter::new(m);
        let mut folded = 0usize;
        for (id, inst) in m.ids().zip(&m.insts) {
            if let Some(new) = rebuild.visit(&mut rw, id) {
                if new != UNMAPPED {
                    rw.set(id, new);
                }
                continue;
            }
            let w = inst.width;
            let op = rw.mapped(&inst.op);
            let new = if let Some(c) = fold_constant(rw.module(), &op, w) {
                folded += 1;
                rw.konst(c, w)
            } else {
                match op {
                    Op::Mux(c, a, b) => match rw.konst_of(c) {
                        Some(k) => {
                            folded += 1;
                            if k & 1 == 1 {
                                a
                            } else {
                                b
                            }
                        }
                        None => rw.push(op, w),
                    },
                    Op::Binary(b, x, y) => {
                        let (x, y) = canonical_operands(rw.module(), b, x, y);
                        rw.push(Op::Binary(b, x, y), w)
                    }
                    _ => rw.push(op, w),
                }
            };
            rw.set(id, new);
        }
        let new = rw.finish();
        install(
            m,
            new,
            format!("folded {folded} instructions, {hoisted} secret operations fewer"),
        )
    }
}
