//! The clean-up passes that need the whole netlist, and the export to a
//! [`ValidCircuit`]: dead-gate removal, scheduling, and wire numbering.
//!
//! Constant propagation and structural hashing have already run while the
//! netlist was built ([`super::net`]). Here:
//!
//! 1. **dead-gate removal** keeps only nodes that an output reaches;
//! 2. **scheduling** picks the gate order with the smallest peak of live
//!    wires (as [`veil_circuit::Stats`] measures it: a wire is live from the
//!    gate that writes it to the last gate that reads it; inputs from the
//!    start, outputs to the end) among a few candidates — the order the
//!    gates were created in, depth-first orders from the outputs, which
//!    compute each operand just before its use so that, for example, a
//!    multiplier's partial products do not all wait at once, and a greedy
//!    list schedule that always runs the ready gate freeing the most wires.
//!    No single heuristic wins on every circuit, and measuring a candidate
//!    costs one linear pass;
//! 3. **wire numbering** follows the schedule: the circuit builder hands out
//!    wire ids in the order gates are emitted, so wires that are live
//!    together are numbered close together. Complemented literals become one
//!    NOT gate per node, emitted just before the first gate that needs it,
//!    and constants one `const` gate per value, only if an output or a
//!    conversion needs a constant wire.
//!
//! [`optimize_circuit`] runs the same passes on any existing circuit.

use veil_circuit::{
    CircuitBuilder, Domain, Gate, ValidCircuit, ValidationErrors, ValueType, Wire, WireRange,
};

use super::net::{Lit, Net, Node, RingId};
use crate::gadgets::Gates;

/// One input group of the circuit to build; its wires are [`Node::Input`]
/// (Boolean) or [`Node::RingInput`] (arithmetic) nodes of the group's index.
#[derive(Debug, Clone)]
pub struct PlanInput {
    /// The providing party's index.
    pub party: u32,
    /// The value's name.
    pub name: String,
    /// The value's type.
    pub ty: ValueType,
    /// Provided in the clear (its wires, and what only they feed, are public).
    pub public: bool,
    /// Bits, or one ring element per scalar.
    pub domain: Domain,
}

/// One wire of an output group: a bit or a ring element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutItem {
    /// A bit of a Boolean group.
    Bit(Lit),
    /// A scalar of an arithmetic group.
    Ring(RingId),
}

/// One output group of the circuit to build.
#[derive(Debug, Clone)]
pub struct PlanOutput {
    /// The value's name.
    pub name: String,
    /// The parties that learn it.
    pub recipients: Vec<u32>,
    /// The value's type.
    pub ty: ValueType,
    /// Bits, or one ring element per scalar.
    pub domain: Domain,
    /// The group's wires, in value order.
    pub items: Vec<OutItem>,
}

/// The boundary of the circuit: parties, input and output groups. The
/// netlist says what is computed; the plan says what the outside sees.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Party names, in index order.
    pub parties: Vec<String>,
    /// `k` of the ring Z_2^k of arithmetic wires.
    pub ring_bits: u32,
    /// The input groups, in order.
    pub inputs: Vec<PlanInput>,
    /// The output groups, in order.
    pub outputs: Vec<PlanOutput>,
}

const NONE: u32 = u32::MAX;

/// Whether a node becomes a gate of its own in the schedule (inputs exist
/// before any gate; a conversion's bits are written by the conversion).
fn scheduled(node: &Node) -> bool {
    !matches!(
        node,
        Node::False | Node::Input { .. } | Node::RingInput { .. } | Node::Bit { .. }
    )
}

fn roots(plan: &Plan) -> impl Iterator<Item = u32> + '_ {
    plan.outputs.iter().flat_map(|o| {
        o.items.iter().map(|item| match *item {
            OutItem::Bit(l) => l.node(),
            OutItem::Ring(r) => r,
        })
    })
}

/// Marks every node an output reaches.
fn live_nodes(net: &Net, plan: &Plan) -> Vec<bool> {
    let nodes = net.nodes();
    let mut live = vec![false; nodes.len()];
    let mut stack: Vec<u32> = roots(plan).collect();
    while let Some(x) = stack.pop() {
        if live[x as usize] {
            continue;
        }
        live[x as usize] = true;
        nodes[x as usize].for_each_operand(net.lits(), |o| {
            if !live[o as usize] {
                stack.push(o);
            }
        });
    }
    live
}

/// The live gates in creation order.
fn creation_order(net: &Net, live: &[bool]) -> Vec<u32> {
    net.nodes()
        .iter()
        .enumerate()
        .filter(|(i, n)| live[*i] && scheduled(n))
        .map(|(i, _)| i as u32)
        .collect()
}

/// The live gates in depth-first post-order from the outputs; among a
/// gate's operands, the deeper one first when `deeper_first` (it tends to
/// need more wires while it is computed, as in Sethi–Ullman numbering).
fn dfs_order(net: &Net, plan: &Plan, deeper_first: bool) -> Vec<u32> {
    let nodes = net.nodes();
    let mut visited = vec![false; nodes.len()];
    let mut order = Vec::new();
    let mut stack: Vec<(u32, bool)> = Vec::new();
    let mut operands: Vec<u32> = Vec::new();
    for root in roots(plan) {
        stack.push((root, false));
        while let Some((x, expanded)) = stack.pop() {
            let node = nodes[x as usize];
            if expanded {
                if scheduled(&node) {
                    order.push(x);
                }
                continue;
            }
            if visited[x as usize] {
                continue;
            }
            visited[x as usize] = true;
            stack.push((x, true));
            operands.clear();
            node.for_each_operand(net.lits(), |o| operands.push(o));
            if deeper_first
                && operands.len() == 2
                && net.node_depth(operands[1]) > net.node_depth(operands[0])
            {
                operands.swap(0, 1);
            }
            // Pushed in reverse, so the first operand is expanded first.
            for &o in operands.iter().rev() {
                if !visited[o as usize] {
                    stack.push((o, false));
                }
            }
        }
    }
    order
}

/// A greedy list schedule: among the gates whose operands are all computed,
/// run the one that frees the most wires (operands it is the last reader
/// of) minus the wires it writes; ties go to the gate that became ready
/// last, which keeps related gates together.
fn greedy_order(net: &Net, plan: &Plan, live: &[bool]) -> Vec<u32> {
    let mut g = Greedy::new(net, plan, live);
    g.run();
    g.order
}

/// The state of [`greedy_order`].
struct Greedy<'n> {
    net: &'n Net,
    /// `users[start[x]..start[x + 1]]` read node `x` (once per reference).
    start: Vec<u32>,
    users: Vec<u32>,
    /// References to each node by gates not yet run (outputs hold on forever).
    remaining: Vec<u32>,
    /// Operand references of each node not yet computed.
    waiting: Vec<u32>,
    done: Vec<bool>,
    heap: std::collections::BinaryHeap<(i64, u64, u32)>,
    clock: u64,
    /// Nodes computed without a gate of their own, to complete.
    free: Vec<u32>,
    operands: Vec<u32>,
    order: Vec<u32>,
}

impl<'n> Greedy<'n> {
    fn new(net: &'n Net, plan: &Plan, live: &[bool]) -> Self {
        let nodes = net.nodes();
        let n = nodes.len();
        let mut count = vec![0u32; n];
        let mut waiting = vec![0u32; n];
        for (i, node) in nodes.iter().enumerate() {
            if live[i] {
                node.for_each_operand(net.lits(), |o| {
                    count[o as usize] += 1;
                    waiting[i] += 1;
                });
            }
        }
        let mut start = vec![0u32; n + 1];
        for i in 0..n {
            start[i + 1] = start[i] + count[i];
        }
        let mut users = vec![0u32; start[n] as usize];
        let mut fill = start.clone();
        for (i, node) in nodes.iter().enumerate() {
            if live[i] {
                node.for_each_operand(net.lits(), |o| {
                    users[fill[o as usize] as usize] = i as u32;
                    fill[o as usize] += 1;
                });
            }
        }
        let mut remaining = count;
        for r in roots(plan) {
            remaining[r as usize] = u32::MAX / 2;
        }
        let free = nodes
            .iter()
            .enumerate()
            .filter(|(i, node)| {
                live[*i]
                    && matches!(
                        node,
                        Node::False | Node::Input { .. } | Node::RingInput { .. }
                    )
            })
            .map(|(i, _)| i as u32)
            .collect();
        let mut g = Greedy {
            net,
            start,
            users,
            remaining,
            waiting,
            done: vec![false; n],
            heap: std::collections::BinaryHeap::new(),
            clock: 0,
            free,
            operands: Vec::new(),
            order: Vec::new(),
        };
        // Gates without operands (ring constants) are ready from the start.
        for (i, node) in nodes.iter().enumerate() {
            if live[i] && scheduled(node) && g.waiting[i] == 0 {
                g.push(i as u32);
            }
        }
        g
    }

    fn users_of(&self, x: u32) -> std::ops::Range<usize> {
        self.start[x as usize] as usize..self.start[x as usize + 1] as usize
    }

    /// Wires freed minus wires written if `x` ran now.
    fn score(&self, x: u32) -> i64 {
        let node = self.net.nodes()[x as usize];
        let written = match node {
            Node::ArithToBits { len, .. } => i64::from(len),
            _ => 1,
        };
        let freed = match node {
            Node::And(a, b) | Node::Xor(a, b) => {
                i64::from(self.remaining[a.node() as usize] == 1)
                    + i64::from(self.remaining[b.node() as usize] == 1)
            }
            Node::Add(a, b) | Node::Sub(a, b) | Node::Mul(a, b) => {
                i64::from(self.remaining[a as usize] == 1)
                    + i64::from(self.remaining[b as usize] == 1)
            }
            Node::AddConst(a, _) | Node::MulConst(a, _) | Node::ArithToBits { input: a, .. } => {
                i64::from(self.remaining[a as usize] == 1)
            }
            _ => 0,
        };
        freed - written
    }

    fn push(&mut self, u: u32) {
        self.clock += 1;
        let s = self.score(u);
        self.heap.push((s, self.clock, u));
    }

    /// Marks `x` computed and readies its users.
    fn complete(&mut self, x: u32) {
        self.done[x as usize] = true;
        for k in self.users_of(x) {
            let u = self.users[k];
            self.waiting[u as usize] -= 1;
            if self.waiting[u as usize] == 0 {
                if scheduled(&self.net.nodes()[u as usize]) {
                    self.push(u);
                } else {
                    // A conversion's bit: computed with the conversion.
                    self.free.push(u);
                }
            }
        }
    }

    fn run(&mut self) {
        loop {
            while let Some(x) = self.free.pop() {
                if !self.done[x as usize] {
                    self.complete(x);
                }
            }
            let Some((s, _, x)) = self.heap.pop() else {
                break;
            };
            if self.done[x as usize] {
                continue;
            }
            if self.score(x) != s {
                self.push(x);
                continue;
            }
            self.order.push(x);
            let mut operands = std::mem::take(&mut self.operands);
            operands.clear();
            self.net.nodes()[x as usize].for_each_operand(self.net.lits(), |o| operands.push(o));
            for &o in &operands {
                self.remaining[o as usize] -= 1;
            }
            self.complete(x);
            // An operand down to its last reader makes that reader more attractive.
            for &o in &operands {
                if self.remaining[o as usize] == 1 {
                    for k in self.users_of(o) {
                        let u = self.users[k];
                        if !self.done[u as usize]
                            && self.waiting[u as usize] == 0
                            && scheduled(&self.net.nodes()[u as usize])
                        {
                            self.push(u);
                        }
                    }
                }
            }
            self.operands = operands;
        }
    }
}

/// The peak number of live wires if the gates run in `order` (NOT and
/// constant gates and input wires nobody reads are left out: they are the
/// same for every order).
fn peak_live(net: &Net, plan: &Plan, order: &[u32]) -> usize {
    let nodes = net.nodes();
    let end = order.len() + 1;
    let mut def = vec![0usize; nodes.len()];
    let mut last = vec![0usize; nodes.len()];
    for (i, &x) in order.iter().enumerate() {
        def[x as usize] = i + 1;
    }
    for (i, node) in nodes.iter().enumerate() {
        if let Node::Bit { conv, .. } = node {
            def[i] = def[*conv as usize];
        }
    }
    for (i, &x) in order.iter().enumerate() {
        nodes[x as usize].for_each_operand(net.lits(), |o| last[o as usize] = i + 1);
    }
    for r in roots(plan) {
        last[r as usize] = end;
    }
    let mut delta = vec![0i64; end + 2];
    for (i, node) in nodes.iter().enumerate() {
        let has_wire = !matches!(node, Node::False | Node::ArithToBits { .. });
        let used = last[i] > 0 || def[i] > 0;
        if has_wire && used {
            delta[def[i]] += 1;
            delta[last[i].max(def[i]) + 1] -= 1;
        }
    }
    let mut live = 0i64;
    let mut peak = 0i64;
    for d in delta {
        live += d;
        peak = peak.max(live);
    }
    peak as usize
}

/// Writes gates into the circuit builder, materialising complements and
/// constants on demand.
struct Emitter<'n> {
    net: &'n Net,
    b: CircuitBuilder,
    wire: Vec<u32>,
    not_wire: Vec<u32>,
    consts: [Option<Wire>; 2],
    bits: Vec<Wire>,
}

impl Emitter<'_> {
    fn node_wire(&self, node: u32) -> Wire {
        match self.net.nodes()[node as usize] {
            Node::Bit { conv, index } => Wire(self.wire[conv as usize].wrapping_add(index)),
            _ => Wire(self.wire[node as usize]),
        }
    }

    fn lit(&mut self, l: Lit) -> Wire {
        if let Some(value) = l.constant() {
            let slot = usize::from(value);
            return match self.consts[slot] {
                Some(w) => w,
                None => {
                    let w = self.b.constant(value);
                    self.consts[slot] = Some(w);
                    w
                }
            };
        }
        let node = l.node();
        let w = self.node_wire(node);
        if !l.is_complemented() {
            return w;
        }
        let memo = self.not_wire[node as usize];
        if memo != NONE {
            return Wire(memo);
        }
        let nw = self.b.not(w);
        self.not_wire[node as usize] = nw.0;
        nw
    }

    fn emit(&mut self, x: u32) {
        let node = self.net.nodes()[x as usize];
        let out = match node {
            Node::False | Node::Input { .. } | Node::RingInput { .. } | Node::Bit { .. } => return,
            Node::And(a, b) => {
                let (wa, wb) = (self.lit(a), self.lit(b));
                self.b.and(wa, wb)
            }
            Node::Xor(a, b) => {
                let (wa, wb) = (self.lit(a), self.lit(b));
                self.b.xor(wa, wb)
            }
            Node::RingConst(c) => self.b.arith_const(c),
            Node::Add(a, b) => {
                let (wa, wb) = (self.node_wire(a), self.node_wire(b));
                self.b.add(wa, wb)
            }
            Node::Sub(a, b) => {
                let (wa, wb) = (self.node_wire(a), self.node_wire(b));
                self.b.sub(wa, wb)
            }
            Node::Mul(a, b) => {
                let (wa, wb) = (self.node_wire(a), self.node_wire(b));
                self.b.mul(wa, wb)
            }
            Node::AddConst(a, c) => {
                let wa = self.node_wire(a);
                self.b.add_const(wa, c)
            }
            Node::MulConst(a, c) => {
                let wa = self.node_wire(a);
                self.b.mul_const(wa, c)
            }
            Node::BitsToArith { start, len } => {
                let mut bits = std::mem::take(&mut self.bits);
                bits.clear();
                for i in start..start + len {
                    let l = self.net.lits()[i as usize];
                    bits.push(self.lit(l));
                }
                let w = self.b.bits_to_arith(&bits);
                self.bits = bits;
                w
            }
            Node::ArithToBits { input, len } => {
                let wi = self.node_wire(input);
                self.b.arith_to_bits(wi, len).start
            }
        };
        self.wire[x as usize] = out.0;
    }
}

/// Above this many nodes only the two cheapest schedules are tried.
const LARGE_NET: usize = 1 << 20;

/// Runs dead-gate removal and scheduling on `net` and builds the circuit
/// described by `plan`.
pub fn emit(net: &Net, plan: &Plan) -> Result<ValidCircuit, ValidationErrors> {
    let live = live_nodes(net, plan);
    let mut candidates = vec![creation_order(net, &live), dfs_order(net, plan, false)];
    // The other two schedules cost more time than they save wires on large
    // circuits, where compile speed matters more (millions of gates).
    if net.nodes().len() <= LARGE_NET {
        candidates.push(dfs_order(net, plan, true));
        candidates.push(greedy_order(net, plan, &live));
    }
    let mut best = 0;
    let mut best_peak = usize::MAX;
    for (i, order) in candidates.iter().enumerate() {
        // Every candidate schedules every live gate (`tests::
        // every_schedule_runs_every_gate`); a shorter one would be a bug in
        // its heuristic, and is never chosen.
        if order.len() != candidates[0].len() {
            continue;
        }
        let p = peak_live(net, plan, order);
        if p < best_peak {
            best_peak = p;
            best = i;
        }
    }
    // Keep only the chosen order alive while the circuit is built.
    let order = candidates.swap_remove(best);
    drop(candidates);
    let order = &order;

    let n = net.nodes().len();
    let mut e = Emitter {
        net,
        b: CircuitBuilder::new(plan.ring_bits),
        wire: vec![NONE; n],
        not_wire: vec![NONE; n],
        consts: [None, None],
        bits: Vec::new(),
    };
    for p in &plan.parties {
        e.b.party(p.clone());
    }
    let ranges: Vec<WireRange> = plan
        .inputs
        .iter()
        .map(|g| {
            e.b.input(g.party, g.name.clone(), g.ty.clone(), g.public, g.domain)
        })
        .collect();
    for (i, node) in net.nodes().iter().enumerate() {
        if let Node::Input { group, index } | Node::RingInput { group, index } = *node {
            if let Some(w) = ranges.get(group as usize).and_then(|r| r.get(index)) {
                e.wire[i] = w.0;
            }
        }
    }
    for &x in order {
        e.emit(x);
    }
    for o in &plan.outputs {
        let mut wires = Vec::with_capacity(o.items.len());
        for item in &o.items {
            wires.push(match *item {
                OutItem::Bit(l) => e.lit(l),
                OutItem::Ring(r) => e.node_wire(r),
            });
        }
        e.b.output(
            o.name.clone(),
            o.recipients.clone(),
            o.ty.clone(),
            o.domain,
            wires,
        );
    }
    e.b.finish()
}

/// Runs every clean-up pass on an existing circuit (for example one imported
/// from Bristol): constant propagation, structural hashing, dead-gate
/// removal and rescheduling. The result computes the same outputs from the
/// same input groups.
pub fn optimize_circuit(c: &ValidCircuit) -> Result<ValidCircuit, ValidationErrors> {
    let c = c.circuit();
    let mut net = Net::new(c.ring_bits);
    #[derive(Clone, Copy)]
    enum Val {
        Bit(Lit),
        Ring(RingId),
    }
    let mut val = vec![Val::Bit(Lit::FALSE); c.wires.len()];
    for (gi, g) in c.inputs.iter().enumerate() {
        for (i, w) in g.wires.iter().enumerate() {
            val[w.index()] = match g.domain {
                Domain::Bool => Val::Bit(net.input(gi as u32, i as u32)),
                Domain::Arith => Val::Ring(net.ring_input(gi as u32, i as u32)),
            };
        }
    }
    let bit = |val: &[Val], w: Wire| match val[w.index()] {
        Val::Bit(l) => l,
        Val::Ring(_) => Lit::FALSE,
    };
    let ring = |val: &[Val], w: Wire| match val[w.index()] {
        Val::Ring(r) => r,
        Val::Bit(_) => 0,
    };
    let mut bits = Vec::new();
    for gate in &c.gates {
        match *gate {
            Gate::Xor { a, b, out } => {
                val[out.index()] = Val::Bit(net.xor(bit(&val, a), bit(&val, b)));
            }
            Gate::And { a, b, out } => {
                val[out.index()] = Val::Bit(net.and(bit(&val, a), bit(&val, b)));
            }
            Gate::Not { a, out } => val[out.index()] = Val::Bit(!bit(&val, a)),
            Gate::Const { value, out } => val[out.index()] = Val::Bit(net.constant(value)),
            Gate::Copy { a, out } => val[out.index()] = val[a.index()],
            Gate::Add { a, b, out } => {
                val[out.index()] = Val::Ring(net.ring_add(ring(&val, a), ring(&val, b)));
            }
            Gate::Sub { a, b, out } => {
                val[out.index()] = Val::Ring(net.ring_sub(ring(&val, a), ring(&val, b)));
            }
            Gate::Mul { a, b, out } => {
                val[out.index()] = Val::Ring(net.ring_mul(ring(&val, a), ring(&val, b)));
            }
            Gate::AddConst { a, c: k, out } => {
                val[out.index()] = Val::Ring(net.ring_add_const(ring(&val, a), k));
            }
            Gate::MulConst { a, c: k, out } => {
                val[out.index()] = Val::Ring(net.ring_mul_const(ring(&val, a), k));
            }
            Gate::ArithConst { c: k, out } => val[out.index()] = Val::Ring(net.ring_const(k)),
            Gate::BitsToArith { bits: range, out } => {
                bits.clear();
                bits.extend(range.iter().map(|w| bit(&val, w)));
                val[out.index()] = Val::Ring(net.bits_to_arith(&bits));
            }
            Gate::ArithToBits { input, outs } => {
                let lits = net.arith_to_bits(ring(&val, input), outs.len);
                for (w, l) in outs.iter().zip(lits) {
                    val[w.index()] = Val::Bit(l);
                }
            }
        }
    }
    let plan = Plan {
        parties: c.parties.clone(),
        ring_bits: c.ring_bits,
        inputs: c
            .inputs
            .iter()
            .map(|g| PlanInput {
                party: g.party,
                name: g.name.clone(),
                ty: g.ty.clone(),
                public: g.public,
                domain: g.domain,
            })
            .collect(),
        outputs: c
            .outputs
            .iter()
            .map(|g| PlanOutput {
                name: g.name.clone(),
                recipients: g.recipients.clone(),
                ty: g.ty.clone(),
                domain: g.domain,
                items: g
                    .wires
                    .iter()
                    .map(|w| match val[w.index()] {
                        Val::Bit(l) => OutItem::Bit(l),
                        Val::Ring(r) => OutItem::Ring(r),
                    })
                    .collect(),
            })
            .collect(),
    };
    emit(&net, &plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schedule_runs_every_gate() {
        // Boolean and ring gates, ring constants (gates without operands),
        // conversions, and an output that is a constant.
        let mut net = Net::new(16);
        let x = net.input(0, 0);
        let y = net.input(0, 1);
        let r = net.ring_input(1, 0);
        let k = net.ring_const(5);
        let k2 = net.ring_const(7);
        let m = net.ring_mul(r, r);
        let s = net.ring_add(m, k2);
        let a = net.and(x, y);
        let bits = net.arith_to_bits(s, 3);
        let t = net.xor(bits[1], a);
        let back = net.bits_to_arith(&[t, !x]);
        let plan = Plan {
            parties: vec!["p".into()],
            ring_bits: 16,
            inputs: vec![
                PlanInput {
                    party: 0,
                    name: "x".into(),
                    ty: ValueType::Int {
                        signed: false,
                        bits: 2,
                    },
                    public: false,
                    domain: Domain::Bool,
                },
                PlanInput {
                    party: 0,
                    name: "r".into(),
                    ty: ValueType::Int {
                        signed: false,
                        bits: 16,
                    },
                    public: false,
                    domain: Domain::Arith,
                },
            ],
            outputs: vec![PlanOutput {
                name: "o".into(),
                recipients: vec![0],
                ty: ValueType::Tuple(vec![
                    ValueType::Int {
                        signed: false,
                        bits: 16,
                    };
                    3
                ]),
                domain: Domain::Arith,
                items: vec![OutItem::Ring(k), OutItem::Ring(back), OutItem::Ring(s)],
            }],
        };
        let live = live_nodes(&net, &plan);
        let all = creation_order(&net, &live);
        // k, m, s (k2 folds into an add-constant), a, the conversion, t, back.
        assert_eq!(all.len(), 7);
        for order in [
            dfs_order(&net, &plan, false),
            dfs_order(&net, &plan, true),
            greedy_order(&net, &plan, &live),
        ] {
            let mut sorted = order.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, all);
        }
        assert!(emit(&net, &plan).is_ok());
    }
}
