//! One function's variables while a checked body is walked.
//!
//! The interpreter (plaintext values) and the lowering (IR values) walk the
//! same checked AST with their own meaning for every operation; what they
//! share is only this bookkeeping: variables in scope, looked up innermost
//! first, the instance's side tables, and tuple patterns.

use crate::sema::types::Ty;
use crate::sema::Instance;
use crate::syntax::ast::{Expr, Pattern};

/// A value a frame can hold: it has a unit and may be a tuple.
pub(crate) trait FrameValue: Clone {
    /// The value of `()`, also what a name the checker would have rejected reads.
    fn unit() -> Self;
    /// The items of a tuple (or struct), if this is one.
    fn into_items(self) -> Option<Vec<Self>>;
}

/// The variables of one call, innermost last, and the instance being run.
pub(crate) struct Frame<'p, V> {
    pub inst: &'p Instance,
    pub vars: Vec<(&'p str, V)>,
}

impl<'p, V: FrameValue> Frame<'p, V> {
    /// A frame with the parameters bound to the arguments.
    pub fn new(inst: &'p Instance, params: impl Iterator<Item = &'p str>, args: Vec<V>) -> Self {
        Frame {
            inst,
            vars: params.zip(args).collect(),
        }
    }

    /// The value of the innermost variable called `name`.
    pub fn get(&self, name: &str) -> V {
        self.lookup(name).cloned().unwrap_or_else(V::unit)
    }

    /// The innermost variable called `name`, borrowed.
    pub fn lookup(&self, name: &str) -> Option<&V> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }

    /// The innermost variable called `name`, for assignment.
    pub fn slot(&mut self, name: &str) -> Option<&mut V> {
        self.vars
            .iter_mut()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }

    /// The checked type of an expression of this instance.
    pub fn ty(&self, e: &Expr) -> &'p Ty {
        self.inst.tys.get(&e.id).unwrap_or(&Ty::Error)
    }

    /// Binds a `let` pattern to a value.
    pub fn bind(&mut self, pattern: &'p Pattern, v: V) {
        match pattern {
            Pattern::Wildcard(_) => {}
            Pattern::Bind { name, .. } => self.vars.push((name.name.as_str(), v)),
            Pattern::Tuple(items, _) => {
                if let Some(vals) = v.into_items() {
                    for (p, v) in items.iter().zip(vals) {
                        self.bind(p, v);
                    }
                }
            }
        }
    }
}

/// A struct literal's field values in declaration order: `order[i]` is the
/// position of declared field `i` among the values as written.
pub(crate) fn in_declaration_order<V: FrameValue>(order: &[usize], written: Vec<V>) -> Vec<V> {
    let mut written: Vec<Option<V>> = written.into_iter().map(Some).collect();
    order
        .iter()
        .map(|&w| {
            written
                .get_mut(w)
                .and_then(Option::take)
                .unwrap_or_else(V::unit)
        })
        .collect()
}
