//! `reassociate`: rebalance long chains of one associative, commutative
//! operation.
//!
//! Unrolled loops produce `((((a + b) + c) + d) + …)`: n-1 operations in a
//! chain of depth n-1. Round-based protocols (GMW, secret sharing) pay one
//! round of communication per level of secret AND gates, so the same n-1
//! operations arranged as a balanced tree (depth ⌈log2 n⌉) run much faster.
//!
//! What it does: finds every maximal tree of one operation among
//! `add mul and or xor` at one width whose inner nodes are used only inside
//! the tree (a value used elsewhere is a leaf, so nothing is computed
//! twice), and rebuilds it when that makes it shallower, or saves secret
//! operations or constants. The rebuilt tree folds the constant leaves into
//! one, combines the public leaves (and that constant) first, as public
//! instructions that cost nothing at run time, and then combines the secret
//! leaves and that public part shallowest first (ties in source order),
//! which gives the least possible depth even when leaves arrive at
//! different depths. Depth counts secret binary operations and secret
//! multiplexers on the longest path (public work costs no rounds; unary and
//! bit-moving operations are free or cheap, and lowering decides the rest).
//!
//! Needs: a verified module. Guarantees: the same outputs for every input
//! (the operations are associative and commutative under wrapping
//! arithmetic, so any bracketing gives the same value); a rebuilt tree has
//! no more operations, and no more secret operations, than before, and is
//! no deeper.
//!
//! Deliberately does not: reassociate across different operations or widths
//! (`a - b + c`, or a sum whose parts were narrowed to different widths),
//! distribute (`a*b + a*c`), or touch trees whose inner nodes have other
//! users.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::rewrite::{canonical_operands, fold_constant, install, use_counts, Rewriter, UNMAPPED};
use super::{Pass, PassReport};
use crate::ir::{BinOp, Label, Module, Op, ValueId};

/// Rebalancing of associative-commutative chains.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reassociate;

impl Pass for Reassociate {
    fn name(&self) -> &'static str {
        "reassociate"
    }

    fn run(&self, m: &mut Module) -> PassReport {
        let depth = depths(m);
        let plans: Vec<TreePlan> = trees_of(m)
            .into_iter()
            .map(|t| TreePlan::new(m, t, &depth))
            .filter(|p| {
                p.tree.leaves.len() >= 3
                    && (p.new_depth < p.old_depth
                        || p.new_secret_ops < p.old_secret_ops
                        || p.consts >= 2)
            })
            .collect();
        let note = if plans.is_empty() {
            "no chain to rebalance".to_string()
        } else {
            let before = plans.iter().map(|p| p.old_depth).max().unwrap_or(0);
            let after = plans.iter().map(|p| p.new_depth).max().unwrap_or(0);
            format!(
                "rebalanced {} chains, deepest {before} -> {after}",
                plans.len()
            )
        };
        let rebuild = Rebuild::new(m, plans, &depth);
        let mut rw = Rewriter::new(m);
        for (id, inst) in m.ids().zip(&m.insts) {
            if let Some(new) = rebuild.visit(&mut rw, id) {
                if new != UNMAPPED {
                    rw.set(id, new);
                }
                continue;
            }
            let new = rw.push(rw.mapped(&inst.op), inst.width);
            rw.set(id, new);
        }
        let new = rw.finish();
        install(m, new, note)
    }
}

/// A tree and what rebuilding it would change.
#[derive(Debug, Clone)]
pub(super) struct TreePlan {
    pub tree: Tree,
    pub consts: usize,
    pub old_depth: u32,
    pub new_depth: u32,
    pub old_secret_ops: usize,
    pub new_secret_ops: usize,
}

impl TreePlan {
    /// Measures `tree` as it is and as [`balanced`] would rebuild it.
    pub fn new(m: &Module, tree: Tree, depth: &[u32]) -> Self {
        let is_public = |v: &ValueId| m.inst(*v).label == Label::Public;
        let consts = tree
            .leaves
            .iter()
            .filter(|v| matches!(m.inst(**v).op, Op::Const(_)))
            .count();
        let public = tree.leaves.iter().filter(|v| is_public(v)).count();
        let mut secret_depths: Vec<u32> = tree
            .leaves
            .iter()
            .filter(|v| !is_public(v))
            .map(|v| depth[v.index()])
            .collect();
        let secret = secret_depths.len();
        if public > 0 {
            secret_depths.push(0);
        }
        let old_secret_ops = tree
            .interior
            .iter()
            .chain(std::iter::once(&tree.root))
            .filter(|v| !is_public(v))
            .count();
        let new_secret_ops = if secret == 0 {
            0
        } else {
            secret - 1 + usize::from(public > 0)
        };
        TreePlan {
            consts,
            old_depth: depth[tree.root.index()],
            new_depth: if secret == 0 {
                0
            } else {
                balanced_depth(&secret_depths)
            },
            old_secret_ops,
            new_secret_ops,
            tree,
        }
    }
}

/// Rebuilding the chosen trees during a pass's walk over the old module.
#[derive(Debug)]
pub(super) struct Rebuild<'d> {
    absorbed: Vec<bool>,
    roots: Vec<Option<Tree>>,
    depth: &'d [u32],
}

impl<'d> Rebuild<'d> {
    /// Prepares to rebuild the trees of `plans` in `m`.
    pub fn new(m: &Module, plans: Vec<TreePlan>, depth: &'d [u32]) -> Self {
        let mut absorbed = vec![false; m.insts.len()];
        let mut roots = vec![None; m.insts.len()];
        for p in plans {
            for v in &p.tree.interior {
                absorbed[v.index()] = true;
            }
            let root = p.tree.root.index();
            roots[root] = Some(p.tree);
        }
        Rebuild {
            absorbed,
            roots,
            depth,
        }
    }

    /// Whether old value `id` belongs to a rebuilt tree: `Some(UNMAPPED)`
    /// for an inner node (it disappears), `Some(root)` for a root (the tree
    /// is rebuilt now), `None` for anything else.
    pub fn visit(&self, rw: &mut Rewriter<'_>, id: ValueId) -> Option<ValueId> {
        if self.absorbed[id.index()] {
            return Some(UNMAPPED);
        }
        let tree = self.roots[id.index()].as_ref()?;
        let leaves: Vec<(ValueId, u32)> = tree
            .leaves
            .iter()
            .map(|v| (rw.map(*v), self.depth[v.index()]))
            .collect();
        let width = rw.old().inst(id).width;
        // A tree has at least two leaves, so a root exists.
        Some(balanced(rw, tree.op, width, &leaves).unwrap_or(UNMAPPED))
    }
}

/// Whether `op` is associative and commutative under wrapping arithmetic.
pub(super) fn is_ac(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Add | BinOp::Mul | BinOp::And | BinOp::Or | BinOp::Xor
    )
}

/// A maximal tree of one associative-commutative operation.
#[derive(Debug, Clone)]
pub(super) struct Tree {
    pub root: ValueId,
    pub op: BinOp,
    /// Operands that are not part of the tree, left to right.
    pub leaves: Vec<ValueId>,
    /// Nodes below the root, each used exactly once, inside the tree.
    pub interior: Vec<ValueId>,
}

/// Every maximal tree of `m` with at least one inner node besides the root
/// (a lone operation is not a chain).
pub(super) fn trees_of(m: &Module) -> Vec<Tree> {
    let uses = use_counts(m);
    let mut claimed = vec![false; m.insts.len()];
    let mut out = Vec::new();
    for root in (0..m.insts.len() as u32).rev().map(ValueId) {
        let inst = m.inst(root);
        let Op::Binary(op, a, b) = inst.op else {
            continue;
        };
        if !is_ac(op) || claimed[root.index()] {
            continue;
        }
        let (mut leaves, mut interior) = (Vec::new(), Vec::new());
        let mut stack = vec![b, a];
        while let Some(v) = stack.pop() {
            let i = m.inst(v);
            match i.op {
                Op::Binary(o, x, y) if o == op && i.width == inst.width && uses[v.index()] == 1 => {
                    claimed[v.index()] = true;
                    interior.push(v);
                    stack.push(y);
                    stack.push(x);
                }
                _ => leaves.push(v),
            }
        }
        if !interior.is_empty() {
            out.push(Tree {
                root,
                op,
                leaves,
                interior,
            });
        }
    }
    out.reverse();
    out
}

/// The depth of every value: secret binary operations and secret
/// multiplexers count one; everything else counts zero.
pub(super) fn depths(m: &Module) -> Vec<u32> {
    let mut d: Vec<u32> = Vec::with_capacity(m.insts.len());
    for inst in &m.insts {
        let below = inst
            .op
            .operands()
            .map(|v| d.get(v.index()).copied().unwrap_or(0))
            .max()
            .unwrap_or(0);
        let own = u32::from(
            inst.label == Label::Secret && matches!(inst.op, Op::Binary(..) | Op::Mux(..)),
        );
        d.push(below + own);
    }
    d
}

/// The depth of the tree [`balanced`] builds over leaves of these depths.
pub(super) fn balanced_depth(leaves: &[u32]) -> u32 {
    let mut heap: BinaryHeap<Reverse<u32>> = leaves.iter().map(|&d| Reverse(d)).collect();
    while heap.len() > 1 {
        let (Some(Reverse(a)), Some(Reverse(b))) = (heap.pop(), heap.pop()) else {
            break;
        };
        heap.push(Reverse(a.max(b) + 1));
    }
    heap.peek().map_or(0, |r| r.0)
}

/// Combines `leaves` (new values, with their depths) with `op` at `width`:
/// constant leaves are folded into one; public leaves and that constant are
/// combined first, in leaf order, into one public value (free at run time);
/// then the secret leaves and that public value are combined two
/// shallowest at a time (ties in leaf order) until one is left. Operands
/// are put in canonical order. Returns the root, or `None` without leaves.
pub(super) fn balanced(
    rw: &mut Rewriter<'_>,
    op: BinOp,
    width: u32,
    leaves: &[(ValueId, u32)],
) -> Option<ValueId> {
    let combine = |rw: &mut Rewriter<'_>, a: ValueId, b: ValueId| {
        let (a, b) = canonical_operands(rw.module(), op, a, b);
        let combined = Op::Binary(op, a, b);
        match fold_constant(rw.module(), &combined, width) {
            Some(c) => rw.konst(c, width),
            None => rw.push(combined, width),
        }
    };
    let mut konst: Option<ValueId> = None;
    let mut public: Option<ValueId> = None;
    let mut secret = Vec::with_capacity(leaves.len());
    for &(v, d) in leaves {
        if rw.konst_of(v).is_some() {
            konst = Some(match konst {
                None => v,
                Some(k) => combine(rw, k, v),
            });
        } else if rw.inst(v).label == Label::Public {
            public = Some(match public {
                None => v,
                Some(p) => combine(rw, p, v),
            });
        } else {
            secret.push((v, d));
        }
    }
    let public = match (public, konst) {
        (Some(p), Some(k)) => Some(combine(rw, p, k)),
        (p, k) => p.or(k),
    };
    if let Some(p) = public {
        secret.push((p, 0));
    }
    let mut seq = 0u32;
    let mut heap: BinaryHeap<Reverse<(u32, u32, ValueId)>> = BinaryHeap::new();
    for (v, d) in secret {
        heap.push(Reverse((d, seq, v)));
        seq += 1;
    }
    loop {
        let Reverse((d1, _, a)) = heap.pop()?;
        let Some(Reverse((d2, _, b))) = heap.pop() else {
            return Some(a);
        };
        let v = combine(rw, a, b);
        heap.push(Reverse((d1.max(d2) + 1, seq, v)));
        seq += 1;
    }
}
