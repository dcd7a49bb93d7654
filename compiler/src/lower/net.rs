//! The netlist that lowering writes into: an and-xor graph with complemented
//! literals, plus ring (arithmetic) nodes for mixed circuits.
//!
//! Two clean-up passes run online, gate by gate, as nodes are added:
//!
//! - **constant propagation**: an operand that is a known constant folds the
//!   gate away (`x & 0 = 0`, `x & 1 = x`, `x ^ 1 = !x`, ring `x + 0 = x`,
//!   …), as do identical or opposite operands (`x & x = x`, `x & !x = 0`,
//!   `x ^ x = 0`), and one level of absorption (`x & (x & y) = x & y`,
//!   `x ^ (x ^ y) = y`);
//! - **structural hashing**: commutative operands are put in a canonical
//!   order, complements are pushed out of XORs (`!x ^ y = !(x ^ y)`), and a
//!   gate identical to an earlier one returns the earlier node.
//!
//! Running them online is equivalent to running them to a fixpoint
//! afterwards: nodes are added in topological order and every rule only
//! looks at operands, which are final when the node is added. The other
//! passes (dead-gate removal, scheduling and wire numbering) need the whole
//! graph and live in [`super::cleanup`].
//!
//! A literal ([`Lit`]) is a node index and a complement flag, so NOT is free
//! here; [`super::cleanup`] materialises one NOT gate per node that is used
//! complemented. Node 0 is the constant false.

use crate::gadgets::Gates;

/// A node index and a complement flag: `2 * node + complemented`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Lit(u32);

impl Lit {
    /// The constant false (node 0, not complemented).
    pub const FALSE: Lit = Lit(0);
    /// The constant true (node 0, complemented).
    pub const TRUE: Lit = Lit(1);

    fn new(node: u32, complemented: bool) -> Lit {
        Lit((node << 1) | u32::from(complemented))
    }

    /// The node this literal reads.
    pub fn node(self) -> u32 {
        self.0 >> 1
    }

    /// Whether the literal is the node's complement.
    pub fn is_complemented(self) -> bool {
        self.0 & 1 == 1
    }

    /// The node read without complement.
    pub fn positive(self) -> Lit {
        Lit(self.0 & !1)
    }

    /// The value if the literal is a constant.
    pub fn constant(self) -> Option<bool> {
        (self.node() == 0).then_some(self.is_complemented())
    }

    /// This literal complemented when `flip`.
    pub fn flip_if(self, flip: bool) -> Lit {
        Lit(self.0 ^ u32::from(flip))
    }
}

impl std::ops::Not for Lit {
    type Output = Lit;
    fn not(self) -> Lit {
        Lit(self.0 ^ 1)
    }
}

/// A ring (arithmetic) node's index.
pub type RingId = u32;

/// One node of the netlist.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Node {
    /// The constant false (node 0 only).
    False,
    /// Bit `index` of Boolean input group `group`.
    Input {
        /// The input group.
        group: u32,
        /// The bit within the group.
        index: u32,
    },
    /// `a AND b`, operands ordered.
    And(Lit, Lit),
    /// `a XOR b`, operands positive and ordered.
    Xor(Lit, Lit),
    /// Scalar `index` of arithmetic input group `group`.
    RingInput {
        /// The input group.
        group: u32,
        /// The scalar within the group.
        index: u32,
    },
    /// A ring constant (reduced mod 2^k).
    RingConst(u64),
    /// `a + b`, operands ordered.
    Add(RingId, RingId),
    /// `a - b`.
    Sub(RingId, RingId),
    /// `a * b`, operands ordered.
    Mul(RingId, RingId),
    /// `a + c`.
    AddConst(RingId, u64),
    /// `a * c`.
    MulConst(RingId, u64),
    /// The ring element whose bits are `lits[start .. start + len]` of the
    /// netlist's literal table, least significant first.
    BitsToArith {
        /// The first literal in [`Net::lits`].
        start: u32,
        /// How many literals (1..=k).
        len: u32,
    },
    /// The low `len` bits of a ring element (bits are [`Node::Bit`] nodes).
    ArithToBits {
        /// The ring element.
        input: RingId,
        /// How many bits (1..=k).
        len: u32,
    },
    /// Bit `index` of the conversion node `conv`.
    Bit {
        /// The [`Node::ArithToBits`] node.
        conv: u32,
        /// The bit, least significant first.
        index: u32,
    },
}

impl Node {
    /// Two words that identify the node (its variant in the low byte), for
    /// structural hashing: cheaper to hash than the derived `Hash`.
    fn key(&self) -> (u64, u64) {
        let tag = |t: u64, x: u32| t | (u64::from(x) << 8);
        match *self {
            Node::False => (0, 0),
            Node::Input { group, index } => (tag(1, group), u64::from(index)),
            Node::And(a, b) => (tag(2, a.0), u64::from(b.0)),
            Node::Xor(a, b) => (tag(3, a.0), u64::from(b.0)),
            Node::RingInput { group, index } => (tag(4, group), u64::from(index)),
            Node::RingConst(c) => (5, c),
            Node::Add(a, b) => (tag(6, a), u64::from(b)),
            Node::Sub(a, b) => (tag(7, a), u64::from(b)),
            Node::Mul(a, b) => (tag(8, a), u64::from(b)),
            Node::AddConst(a, c) => (tag(9, a), c),
            Node::MulConst(a, c) => (tag(10, a), c),
            Node::BitsToArith { start, len } => (tag(11, start), u64::from(len)),
            Node::ArithToBits { input, len } => (tag(12, input), u64::from(len)),
            Node::Bit { conv, index } => (tag(13, conv), u64::from(index)),
        }
    }

    /// The nodes this node reads, in operand order (literals by node).
    pub fn for_each_operand(&self, lits: &[Lit], mut f: impl FnMut(u32)) {
        match *self {
            Node::False | Node::Input { .. } | Node::RingInput { .. } | Node::RingConst(_) => {}
            Node::And(a, b) | Node::Xor(a, b) => {
                f(a.node());
                f(b.node());
            }
            Node::Add(a, b) | Node::Sub(a, b) | Node::Mul(a, b) => {
                f(a);
                f(b);
            }
            Node::AddConst(a, _) | Node::MulConst(a, _) => f(a),
            Node::BitsToArith { start, len } => {
                for l in &lits[start as usize..(start + len) as usize] {
                    f(l.node());
                }
            }
            Node::ArithToBits { input, .. } => f(input),
            Node::Bit { conv, .. } => f(conv),
        }
    }
}

/// The structural-hashing table: open addressing over node ids, comparing
/// candidates with the node arena, so the node is stored once (in the
/// arena) and a slot is 8 bytes: the id and the low 32 bits of the hash,
/// which rule out most candidates without touching the arena and give the
/// home slot at any table size (up to 2^32 slots) without rehashing.
#[derive(Debug, Clone)]
struct NodeTable {
    /// `(node id, hash tag)`, or `(EMPTY, _)`; the length is a power of two.
    slots: Vec<(u32, u32)>,
    len: usize,
}

impl NodeTable {
    const EMPTY: u32 = u32::MAX;

    fn new() -> Self {
        NodeTable {
            slots: vec![(Self::EMPTY, 0); 1024],
            len: 0,
        }
    }

    fn hash(node: &Node) -> u64 {
        let (a, b) = node.key();
        let h = (a ^ b.rotate_left(29)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        h ^ (h >> 29)
    }

    /// The id of a node equal to `node`, or the slot (and hash) where it belongs.
    /// After [`NodeTable::release`] nothing is found and nothing is recorded.
    fn find(&self, nodes: &[Node], node: &Node) -> Result<u32, (usize, u64)> {
        if self.slots.is_empty() {
            return Err((usize::MAX, 0));
        }
        let mask = self.slots.len() - 1;
        let h = Self::hash(node);
        // The tag is also the home slot, so growing needs no rehashing.
        let tag = h as u32;
        let mut i = (tag as usize) & mask;
        loop {
            match self.slots[i] {
                (Self::EMPTY, _) => return Err((i, h)),
                (id, t) if t == tag && nodes[id as usize] == *node => return Ok(id),
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// Frees the table: no node will be shared from now on.
    fn release(&mut self) {
        self.slots = Vec::new();
        self.len = 0;
    }

    /// Records `id`, whose hash is `h`, in the free slot `at`.
    fn insert(&mut self, at: usize, h: u64, id: u32) {
        let Some(slot) = self.slots.get_mut(at) else {
            return;
        };
        *slot = (id, h as u32);
        self.len += 1;
        if self.len * 2 > self.slots.len() {
            let mut bigger = vec![(Self::EMPTY, 0u32); self.slots.len() * 2];
            let mask = bigger.len() - 1;
            for &(old, tag) in self.slots.iter().filter(|s| s.0 != Self::EMPTY) {
                let mut i = (tag as usize) & mask;
                while bigger[i].0 != Self::EMPTY {
                    i = (i + 1) & mask;
                }
                bigger[i] = (old, tag);
            }
            self.slots = bigger;
        }
    }
}

/// The netlist (see the module documentation).
#[derive(Debug, Clone)]
pub struct Net {
    nodes: Vec<Node>,
    depth: Vec<u32>,
    memo: NodeTable,
    lits: Vec<Lit>,
    ring_mask: u64,
}

impl Net {
    /// An empty netlist whose ring nodes live in Z_2^`ring_bits` (1..=64).
    pub fn new(ring_bits: u32) -> Net {
        let ring_mask = if ring_bits >= 64 {
            u64::MAX
        } else {
            (1u64 << ring_bits) - 1
        };
        Net {
            nodes: vec![Node::False],
            depth: vec![0],
            memo: NodeTable::new(),
            lits: Vec::new(),
            ring_mask,
        }
    }

    /// The nodes, in topological order.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The literal table that [`Node::BitsToArith`] nodes index.
    pub fn lits(&self) -> &[Lit] {
        &self.lits
    }

    /// Frees the structural-hashing table once no more gates will be added
    /// (before the circuit is emitted), which lowers peak memory; nodes
    /// added afterwards are no longer shared.
    pub fn stop_sharing(&mut self) {
        self.memo.release();
    }

    /// The AND/MUL depth of a node.
    pub fn node_depth(&self, node: u32) -> u32 {
        self.depth[node as usize]
    }

    /// The AND gates and the AND-depth of what `roots` need (after
    /// dead-gate removal): how gadgets are measured without building a circuit.
    pub fn cost(&self, roots: impl IntoIterator<Item = Lit>) -> (u64, u32) {
        let mut seen = vec![false; self.nodes.len()];
        let mut stack: Vec<u32> = Vec::new();
        let mut depth = 0;
        for r in roots {
            depth = depth.max(self.depth[r.node() as usize]);
            stack.push(r.node());
        }
        let mut ands = 0;
        while let Some(x) = stack.pop() {
            if std::mem::replace(&mut seen[x as usize], true) {
                continue;
            }
            let node = self.nodes[x as usize];
            ands += u64::from(matches!(node, Node::And(..)));
            node.for_each_operand(&self.lits, |o| stack.push(o));
        }
        (ands, depth)
    }

    fn intern(&mut self, node: Node, depth: u32) -> u32 {
        match self.memo.find(&self.nodes, &node) {
            Ok(id) => id,
            Err((slot, h)) => {
                let id = self.nodes.len() as u32;
                self.nodes.push(node);
                self.depth.push(depth);
                self.memo.insert(slot, h, id);
                id
            }
        }
    }

    fn get(&self, node: u32) -> Node {
        self.nodes[node as usize]
    }

    /// Bit `index` of Boolean input group `group`.
    pub fn input(&mut self, group: u32, index: u32) -> Lit {
        Lit::new(self.intern(Node::Input { group, index }, 0), false)
    }

    /// Scalar `index` of arithmetic input group `group`.
    pub fn ring_input(&mut self, group: u32, index: u32) -> RingId {
        self.intern(Node::RingInput { group, index }, 0)
    }

    /// The ring constant `c mod 2^k`.
    pub fn ring_const(&mut self, c: u64) -> RingId {
        self.intern(Node::RingConst(c & self.ring_mask), 0)
    }

    fn ring_value(&self, x: RingId) -> Option<u64> {
        match self.get(x) {
            Node::RingConst(c) => Some(c),
            _ => None,
        }
    }

    fn ring_depth(&self, a: RingId, b: RingId) -> u32 {
        self.depth[a as usize].max(self.depth[b as usize])
    }

    /// `a + b mod 2^k`.
    pub fn ring_add(&mut self, a: RingId, b: RingId) -> RingId {
        match (self.ring_value(a), self.ring_value(b)) {
            (_, Some(c)) => self.ring_add_const(a, c),
            (Some(c), _) => self.ring_add_const(b, c),
            _ => {
                let (a, b) = (a.min(b), a.max(b));
                let d = self.ring_depth(a, b);
                self.intern(Node::Add(a, b), d)
            }
        }
    }

    /// `a - b mod 2^k`.
    pub fn ring_sub(&mut self, a: RingId, b: RingId) -> RingId {
        if a == b {
            return self.ring_const(0);
        }
        match self.ring_value(b) {
            Some(c) => self.ring_add_const(a, c.wrapping_neg()),
            None => {
                let d = self.ring_depth(a, b);
                self.intern(Node::Sub(a, b), d)
            }
        }
    }

    /// `a * b mod 2^k` (a multiplication gate unless one side is constant).
    pub fn ring_mul(&mut self, a: RingId, b: RingId) -> RingId {
        match (self.ring_value(a), self.ring_value(b)) {
            (_, Some(c)) => self.ring_mul_const(a, c),
            (Some(c), _) => self.ring_mul_const(b, c),
            _ => {
                let (a, b) = (a.min(b), a.max(b));
                let d = self.ring_depth(a, b) + 1;
                self.intern(Node::Mul(a, b), d)
            }
        }
    }

    /// `a + c mod 2^k`.
    pub fn ring_add_const(&mut self, a: RingId, c: u64) -> RingId {
        let c = c & self.ring_mask;
        if c == 0 {
            return a;
        }
        match self.get(a) {
            Node::RingConst(x) => self.ring_const(x.wrapping_add(c)),
            Node::AddConst(x, d) => self.ring_add_const(x, d.wrapping_add(c)),
            _ => {
                let d = self.depth[a as usize];
                self.intern(Node::AddConst(a, c), d)
            }
        }
    }

    /// `a * c mod 2^k`.
    pub fn ring_mul_const(&mut self, a: RingId, c: u64) -> RingId {
        let c = c & self.ring_mask;
        if c == 1 {
            return a;
        }
        if c == 0 {
            return self.ring_const(0);
        }
        match self.get(a) {
            Node::RingConst(x) => self.ring_const(x.wrapping_mul(c)),
            Node::MulConst(x, d) => self.ring_mul_const(x, d.wrapping_mul(c)),
            _ => {
                let d = self.depth[a as usize];
                self.intern(Node::MulConst(a, c), d)
            }
        }
    }

    /// The ring element with `bits` (1..=k of them) as its low bits, zero above.
    pub fn bits_to_arith(&mut self, bits: &[Lit]) -> RingId {
        if bits.iter().all(|b| b.constant().is_some()) {
            let value = bits.iter().enumerate().fold(0u64, |acc, (i, b)| {
                acc | (u64::from(b.constant() == Some(true)) << (i & 63))
            });
            return self.ring_const(value);
        }
        let start = self.lits.len() as u32;
        self.lits.extend_from_slice(bits);
        let depth = bits
            .iter()
            .map(|b| self.depth[b.node() as usize])
            .max()
            .unwrap_or(0);
        let node = Node::BitsToArith {
            start,
            len: bits.len() as u32,
        };
        // Interned by position, so equal bit lists are not merged here;
        // lowering caches conversions per value instead.
        self.intern(node, depth)
    }

    /// The low `len` bits (1..=k) of a ring element.
    pub fn arith_to_bits(&mut self, x: RingId, len: u32) -> Vec<Lit> {
        if let Some(c) = self.ring_value(x) {
            return (0..len)
                .map(|i| {
                    if i < 64 && (c >> i) & 1 == 1 {
                        Lit::TRUE
                    } else {
                        Lit::FALSE
                    }
                })
                .collect();
        }
        // A conversion of bits straight back gives the same bits.
        if let Node::BitsToArith { start, len: n } = self.get(x) {
            let s = start as usize;
            return (0..len as usize)
                .map(|i| {
                    if i < n as usize {
                        self.lits[s + i]
                    } else {
                        Lit::FALSE
                    }
                })
                .collect();
        }
        let d = self.depth[x as usize];
        let conv = self.intern(Node::ArithToBits { input: x, len }, d);
        (0..len)
            .map(|index| Lit::new(self.intern(Node::Bit { conv, index }, d), false))
            .collect()
    }
}

impl Gates for Net {
    type Bit = Lit;

    fn xor(&mut self, a: Lit, b: Lit) -> Lit {
        let flip = a.is_complemented() ^ b.is_complemented();
        let (a, b) = (a.positive(), b.positive());
        if a == b {
            return Lit::FALSE.flip_if(flip);
        }
        if a == Lit::FALSE {
            return b.flip_if(flip);
        }
        if b == Lit::FALSE {
            return a.flip_if(flip);
        }
        // x ^ (x ^ y) = y, either way round.
        for (x, y) in [(a, b), (b, a)] {
            if let Node::Xor(p, q) = self.get(y.node()) {
                if p == x {
                    return q.flip_if(flip);
                }
                if q == x {
                    return p.flip_if(flip);
                }
            }
        }
        let (a, b) = (a.min(b), a.max(b));
        let d = self.depth[a.node() as usize].max(self.depth[b.node() as usize]);
        Lit::new(self.intern(Node::Xor(a, b), d), false).flip_if(flip)
    }

    fn and(&mut self, a: Lit, b: Lit) -> Lit {
        if a == Lit::FALSE || b == Lit::FALSE || a == !b {
            return Lit::FALSE;
        }
        if a == Lit::TRUE || a == b {
            return b;
        }
        if b == Lit::TRUE {
            return a;
        }
        // x & (x & y) = x & y and x & (!x & y) = 0, either way round.
        for (x, y) in [(a, b), (b, a)] {
            if !y.is_complemented() {
                if let Node::And(p, q) = self.get(y.node()) {
                    if p == x || q == x {
                        return y;
                    }
                    if p == !x || q == !x {
                        return Lit::FALSE;
                    }
                }
            }
        }
        let (a, b) = (a.min(b), a.max(b));
        let d = self.depth[a.node() as usize].max(self.depth[b.node() as usize]) + 1;
        Lit::new(self.intern(Node::And(a, b), d), false)
    }

    fn not(&mut self, a: Lit) -> Lit {
        !a
    }

    fn constant(&mut self, value: bool) -> Lit {
        if value {
            Lit::TRUE
        } else {
            Lit::FALSE
        }
    }

    fn known(&self, a: Lit) -> Option<bool> {
        a.constant()
    }

    fn depth(&self, a: Lit) -> u32 {
        self.depth[a.node() as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_and_hashing() {
        let mut n = Net::new(64);
        let x = n.input(0, 0);
        let y = n.input(0, 1);
        assert_eq!(n.and(x, Lit::FALSE), Lit::FALSE);
        assert_eq!(n.and(x, Lit::TRUE), x);
        assert_eq!(n.and(x, !x), Lit::FALSE);
        assert_eq!(n.xor(x, x), Lit::FALSE);
        assert_eq!(n.xor(x, !x), Lit::TRUE);
        assert_eq!(n.xor(x, Lit::TRUE), !x);
        let a = n.and(x, y);
        assert_eq!(n.and(y, x), a);
        assert_eq!(n.and(a, x), a);
        let na = n.and(!x, y);
        assert_eq!(n.and(na, x), Lit::FALSE);
        let e = n.xor(!x, y);
        assert_eq!(e, !n.xor(x, y));
        assert_eq!(n.xor(e, y), !x);
        assert_eq!(n.depth(a), 1);
        assert_eq!(n.nodes().len(), 6);
    }

    #[test]
    fn ring_folding() {
        let mut n = Net::new(8);
        let x = n.ring_input(0, 0);
        let k = n.ring_const(300);
        assert_eq!(n.nodes()[k as usize], Node::RingConst(300 & 0xff));
        let one = n.ring_const(1);
        assert_eq!(n.ring_mul(x, one), x);
        let s = n.ring_add(x, k);
        assert_eq!(n.nodes()[s as usize], Node::AddConst(x, 44));
        let s2 = n.ring_add_const(s, 256 - 44);
        assert_eq!(s2, x);
        assert_eq!(n.ring_sub(x, x), n.ring_const(0));
        let bits = n.arith_to_bits(k, 3);
        assert_eq!(bits, vec![Lit::FALSE, Lit::FALSE, Lit::TRUE]);
        let y = n.input(0, 0);
        let r = n.bits_to_arith(&[y, Lit::TRUE]);
        assert_eq!(n.arith_to_bits(r, 2), vec![y, Lit::TRUE]);
    }
}
