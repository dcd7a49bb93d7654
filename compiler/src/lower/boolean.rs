//! IR → Boolean circuit: every instruction becomes the cheapest gadget for
//! its operation, width and known-constant operands.
//!
//! Choices, per instruction:
//! - `trunc`, `zext`, `sext`, `extract`, `concat`, `not`, shifts and
//!   rotations by constant amounts: rewiring only, no gate;
//! - `add`/`sub`/`neg`: ripple-carry (size) or Sklansky (depth); an operand
//!   with known bits makes its carries known where they are, which the
//!   netlist folds;
//! - a tree of `add`s (through `zext`s and `trunc`s that provably keep the
//!   sum exact, see `AddTrees`): all the leaves' bits in columns, reduced
//!   by carry-save full and half adders to two rows, then one final adder
//!   ([`mul::sum_rows`]);
//! - `mul`: by a constant, signed-digit shift-and-add; otherwise Dadda
//!   column reduction (and Karatsuba for wide operands in size mode);
//! - `udiv`/`urem` (and the signed pair) on the same operands share one
//!   divider;
//! - comparisons: ripple (size) or tree (depth); equality is a balanced tree
//!   in both;
//! - `mux`: one AND per bit; shifts by secret amounts: barrel shifters.
//!
//! Public values need no special case: a gate whose operands are all public
//! writes a public wire (the circuit builder infers marks from operands), so
//! backends compute them in the clear.

use std::collections::HashMap;

use veil_circuit::{Domain, ValidCircuit};

use super::cleanup::{self, OutItem, Plan, PlanInput, PlanOutput};
use super::net::{Lit, Net};
use super::{check_module, BoolOptions, LowerError};
use crate::gadgets::shift::{self, ShiftKind};
use crate::gadgets::{self, adder, compare, div, mul, mux, Gates, Optimize};
use crate::ir::{BinOp, Module, Op, UnOp, ValueId};

/// Lowers a verified module to a Boolean circuit (see the module
/// documentation). The circuit has one Boolean input group per IR input and
/// one output group per IR output, with the IR's parties.
pub fn to_boolean(m: &Module, opts: &BoolOptions) -> Result<ValidCircuit, LowerError> {
    check_module(m)?;
    let mut net = Net::new(64);
    let mut words = WordLowering::new(opts.optimize);
    let trees = AddTrees::plan(m);
    let mut bits: Vec<Vec<Lit>> = Vec::with_capacity(m.insts.len());
    for (i, inst) in m.insts.iter().enumerate() {
        let value = match inst.op {
            Op::Input { group, bit } => {
                (0..inst.width).map(|i| net.input(group, bit + i)).collect()
            }
            // Computed as part of the tree that absorbed it; nothing else
            // reads it.
            _ if trees.absorbed[i] => Vec::new(),
            _ if trees.is_root(i) => {
                let rows: Vec<&[Lit]> = trees
                    .leaves(i)
                    .iter()
                    .map(|v| bits[v.index()].as_slice())
                    .collect();
                mul::sum_rows(&mut net, &rows, inst.width as usize, opts.optimize)
            }
            op => words.lower(&mut net, &op, inst.width, |v| &bits[v.index()]),
        };
        bits.push(value);
    }
    let plan = Plan {
        parties: m.parties.clone(),
        ring_bits: 64,
        inputs: m
            .inputs
            .iter()
            .map(|d| PlanInput {
                party: d.party as u32,
                name: d.name.clone(),
                ty: d.ty.clone(),
                public: d.public,
                domain: Domain::Bool,
            })
            .collect(),
        outputs: m
            .outputs
            .iter()
            .map(|o| PlanOutput {
                name: o.name.clone(),
                recipients: o.recipients.iter().map(|&p| p as u32).collect(),
                ty: o.ty.clone(),
                domain: Domain::Bool,
                items: o
                    .values
                    .iter()
                    .flat_map(|v| bits[v.index()].iter().map(|&l| OutItem::Bit(l)))
                    .collect(),
            })
            .collect(),
    };
    net.stop_sharing();
    cleanup::emit(&net, &plan).map_err(LowerError::Circuit)
}

/// Multi-operand additions, found before bit-blasting so that they become
/// one carry-save compression instead of a tree of carry-propagating
/// adders: summing `n` one-bit values through a balanced tree of narrow
/// adders costs a carry chain per adder (hamming160: 310 ANDs), while
/// compressing all the bits in columns costs about one full adder per bit
/// (one AND each).
///
/// A root is an `add` not absorbed into a larger tree. From its operands,
/// the tree descends through values used only once (a value used elsewhere
/// is computed anyway, so flattening it would pay for it twice; it is a
/// leaf) that are:
/// - an `add` at the root's width or wider (it is the sum of its operands
///   mod 2^root-width, which is all the root keeps), or a narrower `add`
///   that provably does not wrap at its own width;
/// - a `zext` (the same integer);
/// - a `trunc` to the root's width or wider, or a narrower one that
///   provably drops only zero bits.
///
/// "Provably" uses an upper bound on each value's integer (see
/// [`AddTrees::plan`]). So every descended value is congruent to the sum of
/// its tree's leaves mod 2^root-width, and the root's result, the leaves
/// summed in columns with carries past the top column dropped, is the IR's.
/// A tree is only kept when it absorbs at least one `add`: a lone `add` (of
/// two leaves) keeps its dedicated adder.
#[derive(Debug)]
pub(super) struct AddTrees {
    /// Whether each value is computed inside another value's tree.
    absorbed: Vec<bool>,
    /// Per value, the range of `leaves` holding its tree's leaves (empty if
    /// it is not a root).
    ranges: Vec<(u32, u32)>,
    /// Every root's leaves, one root after another.
    leaves: Vec<ValueId>,
}

impl AddTrees {
    /// Finds the trees of `m` (see the type's documentation). The bound on
    /// each value's integer is computed forwards: an input's is its all-ones
    /// value, a constant's itself, a sum's the sum of its operands' bounds
    /// when that fits the width (the sum then cannot wrap), a `zext`'s its
    /// operand's, a `trunc`'s the smaller of its operand's and its all-ones
    /// value, a bitwise AND's the smaller operand bound, and anything else
    /// all ones. Roots are then found last to first, so each tree is taken
    /// whole from its outermost `add`.
    pub(super) fn plan(m: &Module) -> AddTrees {
        let n = m.insts.len();
        // Identical instructions are one value to the netlist (it shares
        // identical gates), so they are one value here too: each maps to
        // the first of its kind, and uses are counted on those. Otherwise
        // two copies of one sum, each used once, would be flattened into a
        // tree twice and lose the sharing.
        let mut first: HashMap<(Op, u32), ValueId> = HashMap::with_capacity(n);
        let mut canon: Vec<ValueId> = Vec::with_capacity(n);
        let mut ops: Vec<Op> = Vec::with_capacity(n);
        let mut uses = vec![0u32; n];
        for (i, inst) in m.insts.iter().enumerate() {
            let op = inst.op.map_operands(|v| canon[v.index()]);
            for v in op.operands() {
                uses[v.index()] += 1;
            }
            canon.push(*first.entry((op, inst.width)).or_insert(ValueId(i as u32)));
            ops.push(op);
        }
        for o in &m.outputs {
            for v in &o.values {
                uses[canon[v.index()].index()] += 1;
            }
        }
        let all_ones = |w: u32| {
            if w >= 128 {
                u128::MAX
            } else {
                (1u128 << w) - 1
            }
        };
        let mut bound: Vec<u128> = Vec::with_capacity(n);
        let mut no_wrap = vec![false; n];
        for (i, inst) in m.insts.iter().enumerate() {
            let top = all_ones(inst.width);
            let b = match inst.op {
                Op::Const(c) => c & top,
                Op::Binary(BinOp::Add, x, y) => {
                    match bound[x.index()].checked_add(bound[y.index()]) {
                        Some(s) if s <= top => {
                            no_wrap[i] = true;
                            s
                        }
                        _ => top,
                    }
                }
                Op::Binary(BinOp::And, x, y) => bound[x.index()].min(bound[y.index()]),
                Op::Zext(x) => bound[x.index()],
                Op::Trunc(x) => bound[x.index()].min(top),
                _ => top,
            };
            bound.push(b);
        }
        let mut trees = AddTrees {
            absorbed: vec![false; n],
            ranges: vec![(0, 0); n],
            leaves: Vec::new(),
        };
        let mut stack = Vec::new();
        let mut inner = Vec::new();
        for i in (0..n).rev() {
            let Op::Binary(BinOp::Add, x, y) = ops[i] else {
                continue;
            };
            if trees.absorbed[i] {
                continue;
            }
            let k = m.insts[i].width;
            let start = trees.leaves.len();
            let mut adds = 0usize;
            inner.clear();
            stack.clear();
            stack.extend([y, x]);
            while let Some(v) = stack.pop() {
                let vi = v.index();
                let width = m.insts[vi].width;
                let descend = uses[vi] == 1
                    && match ops[vi] {
                        Op::Binary(BinOp::Add, a, b) if k <= width || no_wrap[vi] => {
                            adds += 1;
                            stack.extend([b, a]);
                            true
                        }
                        Op::Zext(a) => {
                            stack.push(a);
                            true
                        }
                        Op::Trunc(a) if k <= width || bound[a.index()] <= all_ones(width) => {
                            stack.push(a);
                            true
                        }
                        _ => false,
                    };
                if descend {
                    inner.push(vi);
                } else {
                    trees.leaves.push(v);
                }
            }
            if adds == 0 {
                trees.leaves.truncate(start);
                continue;
            }
            for &vi in &inner {
                trees.absorbed[vi] = true;
            }
            trees.ranges[i] = (start as u32, trees.leaves.len() as u32);
        }
        trees
    }

    /// Whether value `i` is the root of a tree.
    pub(super) fn is_root(&self, i: usize) -> bool {
        let (start, end) = self.ranges[i];
        end > start
    }

    /// The leaves of root `i`'s tree.
    pub(super) fn leaves(&self, i: usize) -> &[ValueId] {
        let (start, end) = self.ranges[i];
        &self.leaves[start as usize..end as usize]
    }
}

/// The value of a word whose bits are all known constants.
pub(crate) fn word_constant<G: Gates>(g: &G, bits: &[G::Bit]) -> Option<u128> {
    let mut value = 0u128;
    for (i, &b) in bits.iter().enumerate() {
        if g.known(b)? && i < 128 {
            value |= 1u128 << i;
        }
    }
    Some(value)
}

/// A division's operands (signed?, dividend, divisor) and its (quotient,
/// remainder) bits.
type Divisions<B> = HashMap<(bool, ValueId, ValueId), (Vec<B>, Vec<B>)>;

/// Bit-blasts single instructions given their operands' bits, over any
/// [`Gates`] implementation; shared by [`to_boolean`] and the mixed
/// arithmetic lowering. Remembers divisions so that `a / b` and `a % b` on
/// the same operands build one divider.
#[derive(Debug)]
pub(crate) struct WordLowering<B> {
    opt: Optimize,
    divisions: Divisions<B>,
}

impl<B: Copy> WordLowering<B> {
    pub(crate) fn new(opt: Optimize) -> Self {
        WordLowering {
            opt,
            divisions: HashMap::new(),
        }
    }

    /// The bits of `op` at `width`, given each operand's bits. Inputs are
    /// the caller's business (they name circuit input groups); for
    /// `Op::Input` this returns `width` zero bits.
    pub(crate) fn lower<'a, G>(
        &mut self,
        g: &mut G,
        op: &Op,
        width: u32,
        operand: impl Fn(ValueId) -> &'a [B],
    ) -> Vec<B>
    where
        G: Gates<Bit = B>,
        B: 'a,
    {
        let opt = self.opt;
        let w = width as usize;
        match *op {
            Op::Const(c) => gadgets::constant_word(g, c, w),
            Op::Input { .. } => gadgets::constant_word(g, 0, w),
            Op::Unary(UnOp::Not, a) => gadgets::not_word(g, operand(a)),
            Op::Unary(UnOp::Neg, a) => adder::neg(g, operand(a), opt),
            Op::Binary(bop, x, y) => {
                let (a, b) = (operand(x), operand(y));
                self.binary(g, bop, x, y, a, b)
            }
            Op::Mux(c, a, b) => {
                let c = operand(c)[0];
                mux::mux_word(g, c, operand(a), operand(b))
            }
            Op::Trunc(a) => operand(a)[..w].to_vec(),
            Op::Zext(a) => {
                let mut out = operand(a).to_vec();
                let zero = g.constant(false);
                out.resize(w, zero);
                out
            }
            Op::Sext(a) => {
                let a = operand(a);
                let mut out = a.to_vec();
                let sign = a[a.len() - 1];
                out.resize(w, sign);
                out
            }
            Op::Extract(a, n) => vec![operand(a)[n as usize]],
            Op::Concat(lo, hi) => {
                let mut out = operand(lo).to_vec();
                out.extend_from_slice(operand(hi));
                out
            }
        }
    }

    fn binary<G: Gates<Bit = B>>(
        &mut self,
        g: &mut G,
        op: BinOp,
        x: ValueId,
        y: ValueId,
        a: &[B],
        b: &[B],
    ) -> Vec<B> {
        let opt = self.opt;
        match op {
            BinOp::Add => adder::add(g, a, b, opt),
            BinOp::Sub => adder::sub(g, a, b, opt),
            BinOp::Mul => match (word_constant(g, a), word_constant(g, b)) {
                (_, Some(k)) => mul::mul_const(g, a, k, opt),
                (Some(k), _) => mul::mul_const(g, b, k, opt),
                _ => mul::mul_low(g, a, b, opt),
            },
            BinOp::UDiv | BinOp::URem | BinOp::SDiv | BinOp::SRem => {
                let signed = matches!(op, BinOp::SDiv | BinOp::SRem);
                let (q, r) = self
                    .divisions
                    .entry((signed, x, y))
                    .or_insert_with(|| {
                        if signed {
                            div::sdivrem(g, a, b, opt)
                        } else {
                            div::udivrem(g, a, b, opt)
                        }
                    })
                    .clone();
                if matches!(op, BinOp::UDiv | BinOp::SDiv) {
                    q
                } else {
                    r
                }
            }
            BinOp::And => gadgets::and_word(g, a, b),
            BinOp::Or => gadgets::or_word(g, a, b),
            BinOp::Xor => gadgets::xor_word(g, a, b),
            BinOp::Shl | BinOp::LShr | BinOp::AShr | BinOp::Rotl | BinOp::Rotr => {
                let kind = match op {
                    BinOp::Shl => ShiftKind::Shl,
                    BinOp::LShr => ShiftKind::LShr,
                    BinOp::AShr => ShiftKind::AShr,
                    BinOp::Rotl => ShiftKind::Rotl,
                    _ => ShiftKind::Rotr,
                };
                match word_constant(g, b) {
                    Some(k) => shift::by_constant(g, a, kind, k),
                    None => shift::by_amount(g, a, kind, b),
                }
            }
            BinOp::Eq => vec![compare::eq(g, a, b)],
            BinOp::Ne => vec![compare::ne(g, a, b)],
            BinOp::Ult => vec![compare::lt_u(g, a, b, opt)],
            BinOp::Ule => vec![compare::le_u(g, a, b, opt)],
            BinOp::Slt => vec![compare::lt_s(g, a, b, opt)],
            BinOp::Sle => vec![compare::le_s(g, a, b, opt)],
        }
    }
}
