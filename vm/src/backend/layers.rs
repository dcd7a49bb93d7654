//! The round schedule shared by the secret-sharing backends (`gmw`, `arith`, `rep3`).
//!
//! Secret sharing pays one round of communication per layer of
//! multiplicative depth, so the circuit is cut into layers: layer `L` holds
//! the local (communication-free) gates of multiplicative level `L`, then the
//! interactive gates of level `L + 1` (AND, MUL, conversions), which a
//! backend opens together in one round. Within a layer, local gates keep the
//! circuit's order, which is topological.
//!
//! - Wires every party knows (public inputs, constants, and anything computed
//!   from them alone) are evaluated in the clear ([`PubOp`]); gates mixing a
//!   public and a secret wire are local (`XorPub`, `AndPub`, `AddPub`, …).
//! - Secret values live in registers, reused after a wire's last use, so
//!   memory follows the live wires. All outputs of an interactive batch are
//!   assigned before any operand of the batch is freed, so a backend may read
//!   operands and write outputs of one batch in any order.
//!
//! A register or public slot is one wire of one instance; a backend that
//! evaluates many instances at once (`--parallel`) keeps `instances` words per
//! register and per slot.

use veil_circuit::{Circuit, Gate, Wire, WireRange};

pub use super::registers::Src;
use super::registers::{Allocator, NONE};

/// A gate on public values (bits or ring elements), evaluated by every party.
#[derive(Debug, Clone, Copy)]
pub struct PubOp(pub Gate);

/// A local gate on shares (`a`, `b`, `out` registers; `p` a public slot).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalOp {
    /// `out = a ⊕ b`.
    Xor { a: u32, b: u32, out: u32 },
    /// `out = a ⊕ p` (one party adds the public bit).
    XorPub { a: u32, p: u32, out: u32 },
    /// `out = ¬a` (one party flips its share).
    Not { a: u32, out: u32 },
    /// `out = a`.
    Copy { a: u32, out: u32 },
    /// `out = a ∧ p` (every party masks its share).
    AndPub { a: u32, p: u32, out: u32 },
    /// `out = a + b`.
    Add { a: u32, b: u32, out: u32 },
    /// `out = a − b`.
    Sub { a: u32, b: u32, out: u32 },
    /// `out = a + p` (one party adds the public element).
    AddPub { a: u32, p: u32, out: u32 },
    /// `out = p − a` (`a − p` is `AddPub` of the negation, but `p` is only
    /// known at run time, so both orders exist).
    PubSub { p: u32, a: u32, out: u32 },
    /// `out = a − p`.
    SubPub { a: u32, p: u32, out: u32 },
    /// `out = a · p` (every party scales its share).
    MulPub { a: u32, p: u32, out: u32 },
    /// `out = a + c` for a constant `c` (one party adds it).
    AddConst { a: u32, c: u64, out: u32 },
    /// `out = a · c` for a constant `c` (every party scales its share).
    MulConst { a: u32, c: u64, out: u32 },
}

/// An operand that may be public (conversion gates mix them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operand {
    Secret(u32),
    Known(u32),
}

/// A gate that needs communication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Interactive {
    /// `out = a ∧ b` on Boolean shares.
    And { a: u32, b: u32, out: u32 },
    /// `out = a · b` on arithmetic shares.
    Mul { a: u32, b: u32, out: u32 },
    /// `out = Σ bits[i] · 2^i` from Boolean shares to an arithmetic share.
    BitsToArith { bits: Vec<Operand>, out: u32 },
    /// `outs[i] = bit i of input` from an arithmetic share to Boolean shares.
    ArithToBits { input: u32, outs: Vec<u32> },
}

/// One round: local gates, then the interactive gates opened together.
#[derive(Debug, Clone, Default)]
pub struct Layer {
    pub local: Vec<LocalOp>,
    pub interactive: Vec<Interactive>,
}

/// The schedule (see the module documentation).
#[derive(Debug, Clone, Default)]
pub struct Layers {
    /// The ring width of arithmetic wires.
    pub ring_bits: u32,
    /// Size of the public table.
    pub pub_slots: u32,
    /// Gates on public values, in order, on the circuit's wires.
    pub pub_ops: Vec<PubOp>,
    /// The public slot of each wire (`u32::MAX` for secret wires).
    pub slot_of: Vec<u32>,
    /// Size of the register file.
    pub registers: u32,
    /// Per input group, where each wire goes.
    pub inputs: Vec<Vec<Src>>,
    /// The rounds, in order.
    pub layers: Vec<Layer>,
    /// Per output group, where each wire's value is.
    pub outputs: Vec<Vec<Src>>,
    /// Interactive gates by kind: (AND, MUL, conversions).
    pub counts: (u64, u64, u64),
}

/// A secret gate before scheduling, on wires (secret) and slots (public).
#[derive(Debug, Clone)]
enum Pending {
    Local(LocalOp),
    Interactive(Interactive),
}

impl Pending {
    /// Every register-or-wire operand read (before renaming: wire numbers).
    fn reads(&self) -> Vec<u32> {
        match self {
            Pending::Local(op) => match *op {
                LocalOp::Xor { a, b, .. }
                | LocalOp::Add { a, b, .. }
                | LocalOp::Sub { a, b, .. } => {
                    vec![a, b]
                }
                LocalOp::XorPub { a, .. }
                | LocalOp::Not { a, .. }
                | LocalOp::Copy { a, .. }
                | LocalOp::AndPub { a, .. }
                | LocalOp::AddPub { a, .. }
                | LocalOp::PubSub { a, .. }
                | LocalOp::SubPub { a, .. }
                | LocalOp::MulPub { a, .. }
                | LocalOp::AddConst { a, .. }
                | LocalOp::MulConst { a, .. } => vec![a],
            },
            Pending::Interactive(g) => match g {
                Interactive::And { a, b, .. } | Interactive::Mul { a, b, .. } => vec![*a, *b],
                Interactive::BitsToArith { bits, .. } => bits
                    .iter()
                    .filter_map(|o| match o {
                        Operand::Secret(w) => Some(*w),
                        Operand::Known(_) => None,
                    })
                    .collect(),
                Interactive::ArithToBits { input, .. } => vec![*input],
            },
        }
    }

    /// Every wire written.
    fn writes(&self) -> Vec<u32> {
        match self {
            Pending::Local(op) => vec![local_out(op)],
            Pending::Interactive(g) => match g {
                Interactive::And { out, .. }
                | Interactive::Mul { out, .. }
                | Interactive::BitsToArith { out, .. } => vec![*out],
                Interactive::ArithToBits { outs, .. } => outs.clone(),
            },
        }
    }

    /// The same gate with every wire renamed by `read` (operands) and `write` (outputs).
    fn renamed(&self, read: &impl Fn(u32) -> u32, write: &mut impl FnMut(u32) -> u32) -> Pending {
        match self {
            Pending::Local(op) => {
                let out = write(local_out(op));
                Pending::Local(match *op {
                    LocalOp::Xor { a, b, .. } => LocalOp::Xor {
                        a: read(a),
                        b: read(b),
                        out,
                    },
                    LocalOp::Add { a, b, .. } => LocalOp::Add {
                        a: read(a),
                        b: read(b),
                        out,
                    },
                    LocalOp::Sub { a, b, .. } => LocalOp::Sub {
                        a: read(a),
                        b: read(b),
                        out,
                    },
                    LocalOp::XorPub { a, p, .. } => LocalOp::XorPub { a: read(a), p, out },
                    LocalOp::AndPub { a, p, .. } => LocalOp::AndPub { a: read(a), p, out },
                    LocalOp::AddPub { a, p, .. } => LocalOp::AddPub { a: read(a), p, out },
                    LocalOp::PubSub { p, a, .. } => LocalOp::PubSub { p, a: read(a), out },
                    LocalOp::SubPub { a, p, .. } => LocalOp::SubPub { a: read(a), p, out },
                    LocalOp::MulPub { a, p, .. } => LocalOp::MulPub { a: read(a), p, out },
                    LocalOp::Not { a, .. } => LocalOp::Not { a: read(a), out },
                    LocalOp::Copy { a, .. } => LocalOp::Copy { a: read(a), out },
                    LocalOp::AddConst { a, c, .. } => LocalOp::AddConst { a: read(a), c, out },
                    LocalOp::MulConst { a, c, .. } => LocalOp::MulConst { a: read(a), c, out },
                })
            }
            Pending::Interactive(g) => Pending::Interactive(match g {
                Interactive::And { a, b, out } => Interactive::And {
                    a: read(*a),
                    b: read(*b),
                    out: write(*out),
                },
                Interactive::Mul { a, b, out } => Interactive::Mul {
                    a: read(*a),
                    b: read(*b),
                    out: write(*out),
                },
                Interactive::BitsToArith { bits, out } => Interactive::BitsToArith {
                    bits: bits
                        .iter()
                        .map(|o| match *o {
                            Operand::Secret(w) => Operand::Secret(read(w)),
                            k => k,
                        })
                        .collect(),
                    out: write(*out),
                },
                Interactive::ArithToBits { input, outs } => Interactive::ArithToBits {
                    input: read(*input),
                    outs: outs.iter().map(|&w| write(w)).collect(),
                },
            }),
        }
    }
}

fn local_out(op: &LocalOp) -> u32 {
    match *op {
        LocalOp::Xor { out, .. }
        | LocalOp::XorPub { out, .. }
        | LocalOp::Not { out, .. }
        | LocalOp::Copy { out, .. }
        | LocalOp::AndPub { out, .. }
        | LocalOp::Add { out, .. }
        | LocalOp::Sub { out, .. }
        | LocalOp::AddPub { out, .. }
        | LocalOp::PubSub { out, .. }
        | LocalOp::SubPub { out, .. }
        | LocalOp::MulPub { out, .. }
        | LocalOp::AddConst { out, .. }
        | LocalOp::MulConst { out, .. } => out,
    }
}

fn range_wires(r: WireRange) -> impl Iterator<Item = u32> {
    r.iter().map(|w| w.0)
}

impl Layers {
    /// The schedule of a valid circuit.
    pub fn new(c: &Circuit) -> Layers {
        let n = c.wires.len();
        let mut slot = vec![NONE; n];
        let mut next_slot = 0u32;
        let mut new_slot = |w: u32, slot: &mut Vec<u32>| {
            slot[w as usize] = next_slot;
            next_slot += 1;
            next_slot - 1
        };
        let mut plan = Layers {
            ring_bits: c.ring_bits,
            ..Layers::default()
        };
        let mut secret_inputs = Vec::new();
        for g in &c.inputs {
            let srcs = g
                .wires
                .iter()
                .map(|w| {
                    if g.public {
                        Src::Known(new_slot(w.0, &mut slot))
                    } else {
                        secret_inputs.push(w.0);
                        Src::Secret(w.0)
                    }
                })
                .collect();
            plan.inputs.push(srcs);
        }
        let mut pending: Vec<Pending> = Vec::new();
        for gate in &c.gates {
            let known = |w: veil_circuit::Wire, slot: &Vec<u32>| slot[w.index()] != NONE;
            if gate.inputs().all(|w| known(w, &slot)) {
                // Entirely public: evaluated in the clear through `slot_of`.
                for w in gate.outputs() {
                    new_slot(w.0, &mut slot);
                }
                plan.pub_ops.push(PubOp(*gate));
                continue;
            }
            let k = |w: veil_circuit::Wire| slot[w.index()];
            let op = match *gate {
                Gate::Xor { a, b, out } | Gate::Add { a, b, out } | Gate::Sub { a, b, out }
                    if known(a, &slot) || known(b, &slot) =>
                {
                    let (s, p, pub_first) = if known(a, &slot) {
                        (b, k(a), true)
                    } else {
                        (a, k(b), false)
                    };
                    let (s, out) = (s.0, out.0);
                    Pending::Local(match gate {
                        Gate::Xor { .. } => LocalOp::XorPub { a: s, p, out },
                        Gate::Add { .. } => LocalOp::AddPub { a: s, p, out },
                        _ if pub_first => LocalOp::PubSub { p, a: s, out },
                        _ => LocalOp::SubPub { a: s, p, out },
                    })
                }
                Gate::And { a, b, out } | Gate::Mul { a, b, out }
                    if known(a, &slot) || known(b, &slot) =>
                {
                    let (s, p) = if known(a, &slot) {
                        (b, k(a))
                    } else {
                        (a, k(b))
                    };
                    Pending::Local(match gate {
                        Gate::And { .. } => LocalOp::AndPub {
                            a: s.0,
                            p,
                            out: out.0,
                        },
                        _ => LocalOp::MulPub {
                            a: s.0,
                            p,
                            out: out.0,
                        },
                    })
                }
                Gate::Xor { a, b, out } => Pending::Local(LocalOp::Xor {
                    a: a.0,
                    b: b.0,
                    out: out.0,
                }),
                Gate::Add { a, b, out } => Pending::Local(LocalOp::Add {
                    a: a.0,
                    b: b.0,
                    out: out.0,
                }),
                Gate::Sub { a, b, out } => Pending::Local(LocalOp::Sub {
                    a: a.0,
                    b: b.0,
                    out: out.0,
                }),
                Gate::And { a, b, out } => Pending::Interactive(Interactive::And {
                    a: a.0,
                    b: b.0,
                    out: out.0,
                }),
                Gate::Mul { a, b, out } => Pending::Interactive(Interactive::Mul {
                    a: a.0,
                    b: b.0,
                    out: out.0,
                }),
                Gate::Not { a, out } => Pending::Local(LocalOp::Not { a: a.0, out: out.0 }),
                Gate::Copy { a, out } => Pending::Local(LocalOp::Copy { a: a.0, out: out.0 }),
                Gate::AddConst { a, c, out } => Pending::Local(LocalOp::AddConst {
                    a: a.0,
                    c,
                    out: out.0,
                }),
                Gate::MulConst { a, c, out } => Pending::Local(LocalOp::MulConst {
                    a: a.0,
                    c,
                    out: out.0,
                }),
                Gate::BitsToArith { bits, out } => Pending::Interactive(Interactive::BitsToArith {
                    bits: range_wires(bits)
                        .map(|w| match slot[w as usize] {
                            NONE => Operand::Secret(w),
                            s => Operand::Known(s),
                        })
                        .collect(),
                    out: out.0,
                }),
                Gate::ArithToBits { input, outs } => {
                    Pending::Interactive(Interactive::ArithToBits {
                        input: input.0,
                        outs: range_wires(outs).collect(),
                    })
                }
                // Constants have no inputs, so they are public and handled above.
                Gate::Const { .. } | Gate::ArithConst { .. } => continue,
            };
            pending.push(op);
        }
        plan.pub_slots = next_slot;
        plan.schedule(c, pending, &secret_inputs, &slot);
        plan.slot_of = slot;
        plan
    }

    /// Evaluates the public gates of one instance: `vals` holds one word per
    /// public slot (bits as 0/1, ring elements reduced), inputs already set.
    pub fn eval_public(&self, vals: &mut [u64]) {
        let mask = veil_circuit::validate::ring_mask(self.ring_bits);
        let s = &self.slot_of;
        for PubOp(g) in &self.pub_ops {
            let out = |w: Wire| s[w.index()] as usize;
            match *g {
                Gate::Xor { a, b, out: o } => vals[out(o)] = pv(vals, s, a) ^ pv(vals, s, b),
                Gate::And { a, b, out: o } => vals[out(o)] = pv(vals, s, a) & pv(vals, s, b),
                Gate::Not { a, out: o } => vals[out(o)] = pv(vals, s, a) ^ 1,
                Gate::Const { value, out: o } => vals[out(o)] = u64::from(value),
                Gate::Copy { a, out: o } => vals[out(o)] = pv(vals, s, a),
                Gate::Add { a, b, out: o } => {
                    vals[out(o)] = pv(vals, s, a).wrapping_add(pv(vals, s, b)) & mask
                }
                Gate::Sub { a, b, out: o } => {
                    vals[out(o)] = pv(vals, s, a).wrapping_sub(pv(vals, s, b)) & mask
                }
                Gate::Mul { a, b, out: o } => {
                    vals[out(o)] = pv(vals, s, a).wrapping_mul(pv(vals, s, b)) & mask
                }
                Gate::AddConst { a, c, out: o } => {
                    vals[out(o)] = pv(vals, s, a).wrapping_add(c) & mask
                }
                Gate::MulConst { a, c, out: o } => {
                    vals[out(o)] = pv(vals, s, a).wrapping_mul(c) & mask
                }
                Gate::ArithConst { c, out: o } => vals[out(o)] = c & mask,
                Gate::BitsToArith { bits, out: o } => {
                    let mut acc = 0u64;
                    for (i, w) in bits.iter().enumerate() {
                        acc |= (pv(vals, s, w) & 1) << (i & 63);
                    }
                    vals[out(o)] = acc & mask;
                }
                Gate::ArithToBits { input, outs } => {
                    let x = pv(vals, s, input);
                    for (i, w) in outs.iter().enumerate() {
                        vals[out(w)] = (x >> (i & 63)) & 1;
                    }
                }
            }
        }
    }

    /// Orders the secret gates by layer and assigns registers.
    fn schedule(
        &mut self,
        c: &Circuit,
        pending: Vec<Pending>,
        secret_inputs: &[u32],
        slot: &[u32],
    ) {
        let n = c.wires.len();
        let mut level = vec![0u32; n];
        let mut keyed: Vec<(u32, usize)> = Vec::with_capacity(pending.len());
        let mut depth = 0u32;
        for (i, p) in pending.iter().enumerate() {
            let l = p
                .reads()
                .iter()
                .map(|&w| level[w as usize])
                .max()
                .unwrap_or(0);
            let (l, layer) = match p {
                // Interactive gates of level l + 1 run in layer l.
                Pending::Interactive(_) => (l + 1, l),
                Pending::Local(_) => (l, l),
            };
            for w in p.writes() {
                level[w as usize] = l;
            }
            depth = depth.max(layer + 1);
            keyed.push((layer, i));
        }
        // Stable: locals keep their order within a layer; interactive gates of
        // a layer follow its locals.
        keyed.sort_by_key(|&(layer, i)| (layer, matches!(pending[i], Pending::Interactive(_))));
        let order: Vec<usize> = keyed.iter().map(|&(_, i)| i).collect();

        let reads = order
            .iter()
            .enumerate()
            .flat_map(|(pos, &i)| pending[i].reads().into_iter().map(move |w| (pos as u32, w)));
        let mut regs = Allocator::new(c, slot, 0, reads);
        regs.inputs(secret_inputs, &mut self.inputs);
        self.layers = (0..depth).map(|_| Layer::default()).collect();
        let mut pos = 0;
        while pos < order.len() {
            // A run of positions in the same layer and of the same kind.
            let (layer, _) = keyed[pos];
            let interactive = matches!(pending[order[pos]], Pending::Interactive(_));
            let end = (pos..order.len())
                .find(|&q| {
                    keyed[q].0 != layer
                        || matches!(pending[order[q]], Pending::Interactive(_)) != interactive
                })
                .unwrap_or(order.len());
            let run = pos..if interactive { end } else { pos + 1 };
            // Outputs of the whole run first, then frees (see the module documentation).
            let mut renamed = Vec::with_capacity(run.len());
            for q in run.clone() {
                let p = &pending[order[q]];
                // Operands' registers first: `define` may not hand them out (they
                // are freed only after the run), but it borrows the allocator.
                let map: Vec<(u32, u32)> = p.reads().iter().map(|&w| (w, regs.reg(w))).collect();
                let read = |w: u32| map.iter().find(|&&(x, _)| x == w).map_or(NONE, |&(_, r)| r);
                renamed.push(p.renamed(&read, &mut |w| regs.define(w)));
            }
            for q in run.clone() {
                let p = &pending[order[q]];
                regs.after(q as u32, &p.reads(), &p.writes());
            }
            let l = &mut self.layers[layer as usize];
            for r in renamed {
                match r {
                    Pending::Local(op) => l.local.push(op),
                    Pending::Interactive(g) => {
                        match g {
                            Interactive::And { .. } => self.counts.0 += 1,
                            Interactive::Mul { .. } => self.counts.1 += 1,
                            _ => self.counts.2 += 1,
                        }
                        l.interactive.push(g);
                    }
                }
            }
            pos = run.end;
        }
        self.registers = regs.count();
        self.outputs = regs.outputs(c, slot);
    }

    /// The number of rounds (layers with interactive gates).
    pub fn rounds(&self) -> usize {
        self.layers
            .iter()
            .filter(|l| !l.interactive.is_empty())
            .count()
    }
}

/// The value of a public gate's operand `w`.
#[inline]
fn pv(vals: &[u64], slot_of: &[u32], w: Wire) -> u64 {
    vals[slot_of[w.index()] as usize]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use veil_circuit::{CircuitBuilder, Domain, Evaluator, ValidCircuit, ValueType};

    /// Runs the schedule with one "share" per wire equal to its value: what
    /// every backend computes, minus the sharing. Checks ordering and registers.
    fn run_plain(l: &Layers, inputs: &[Vec<u64>]) -> Vec<Vec<u64>> {
        let mask = veil_circuit::validate::ring_mask(l.ring_bits);
        let mut pubv = vec![0u64; l.pub_slots as usize];
        let mut reg = vec![0u64; l.registers as usize];
        for (srcs, words) in l.inputs.iter().zip(inputs) {
            for (s, &w) in srcs.iter().zip(words) {
                match *s {
                    Src::Known(k) => pubv[k as usize] = w,
                    Src::Secret(r) => reg[r as usize] = w,
                }
            }
        }
        l.eval_public(&mut pubv);
        for layer in &l.layers {
            for op in &layer.local {
                let (out, v) = match *op {
                    LocalOp::Xor { a, b, out } => (out, reg[a as usize] ^ reg[b as usize]),
                    LocalOp::XorPub { a, p, out } => (out, reg[a as usize] ^ pubv[p as usize]),
                    LocalOp::Not { a, out } => (out, reg[a as usize] ^ 1),
                    LocalOp::Copy { a, out } => (out, reg[a as usize]),
                    LocalOp::AndPub { a, p, out } => (out, reg[a as usize] & pubv[p as usize]),
                    LocalOp::Add { a, b, out } => {
                        (out, reg[a as usize].wrapping_add(reg[b as usize]) & mask)
                    }
                    LocalOp::Sub { a, b, out } => {
                        (out, reg[a as usize].wrapping_sub(reg[b as usize]) & mask)
                    }
                    LocalOp::AddPub { a, p, out } => {
                        (out, reg[a as usize].wrapping_add(pubv[p as usize]) & mask)
                    }
                    LocalOp::PubSub { p, a, out } => {
                        (out, pubv[p as usize].wrapping_sub(reg[a as usize]) & mask)
                    }
                    LocalOp::SubPub { a, p, out } => {
                        (out, reg[a as usize].wrapping_sub(pubv[p as usize]) & mask)
                    }
                    LocalOp::MulPub { a, p, out } => {
                        (out, reg[a as usize].wrapping_mul(pubv[p as usize]) & mask)
                    }
                    LocalOp::AddConst { a, c, out } => {
                        (out, reg[a as usize].wrapping_add(c) & mask)
                    }
                    LocalOp::MulConst { a, c, out } => {
                        (out, reg[a as usize].wrapping_mul(c) & mask)
                    }
                };
                reg[out as usize] = v;
            }
            // Read every operand of the batch before writing any output, as a round does.
            let mut results: Vec<(u32, u64)> = Vec::new();
            for g in &layer.interactive {
                match g {
                    Interactive::And { a, b, out } => {
                        results.push((*out, reg[*a as usize] & reg[*b as usize]))
                    }
                    Interactive::Mul { a, b, out } => {
                        results.push((*out, reg[*a as usize].wrapping_mul(reg[*b as usize]) & mask))
                    }
                    Interactive::BitsToArith { bits, out } => {
                        let mut acc = 0u64;
                        for (i, o) in bits.iter().enumerate() {
                            let bit = match *o {
                                Operand::Secret(r) => reg[r as usize],
                                Operand::Known(k) => pubv[k as usize],
                            };
                            acc |= (bit & 1) << i;
                        }
                        results.push((*out, acc & mask));
                    }
                    Interactive::ArithToBits { input, outs } => {
                        let x = reg[*input as usize];
                        for (i, &o) in outs.iter().enumerate() {
                            results.push((o, (x >> i) & 1));
                        }
                    }
                }
            }
            for (r, v) in results {
                reg[r as usize] = v;
            }
        }
        l.outputs
            .iter()
            .map(|srcs| {
                srcs.iter()
                    .map(|s| match *s {
                        Src::Known(k) => pubv[k as usize],
                        Src::Secret(r) => reg[r as usize],
                    })
                    .collect()
            })
            .collect()
    }

    /// A random mixed circuit: Boolean and arithmetic gates, conversions,
    /// public and secret inputs.
    fn mixed(ops: &[(u8, u16, u16, u64)], public: u8) -> ValidCircuit {
        let mut b = CircuitBuilder::new(16);
        let p = b.party("p");
        let q = b.party("q");
        let mut bits: Vec<Wire> = Vec::new();
        let mut ariths: Vec<Wire> = Vec::new();
        for i in 0..4u8 {
            let owner = if i % 2 == 0 { p } else { q };
            let is_pub = public >> i & 1 == 1;
            bits.extend(
                b.input(
                    owner,
                    format!("b{i}"),
                    ValueType::Int {
                        signed: false,
                        bits: 4,
                    },
                    is_pub,
                    Domain::Bool,
                )
                .iter(),
            );
            ariths.push(
                b.input(
                    owner,
                    format!("a{i}"),
                    ValueType::Int {
                        signed: false,
                        bits: 16,
                    },
                    is_pub,
                    Domain::Arith,
                )
                .start,
            );
        }
        for &(kind, x, y, c) in ops {
            let (bx, by) = (bits[x as usize % bits.len()], bits[y as usize % bits.len()]);
            let (ax, ay) = (
                ariths[x as usize % ariths.len()],
                ariths[y as usize % ariths.len()],
            );
            match kind % 12 {
                0 => bits.push(b.xor(bx, by)),
                1 => bits.push(b.and(bx, by)),
                2 => bits.push(b.not(bx)),
                3 => bits.push(b.constant(c & 1 == 1)),
                4 => ariths.push(b.add(ax, ay)),
                5 => ariths.push(b.sub(ax, ay)),
                6 => ariths.push(b.mul(ax, ay)),
                7 => ariths.push(b.add_const(ax, c & 0xffff)),
                8 => ariths.push(b.mul_const(ax, c & 0xffff)),
                9 => {
                    let n = bits.len();
                    let take: Vec<Wire> = (0..(c % 5 + 1) as usize)
                        .map(|i| bits[(x as usize + i) % n])
                        .collect();
                    ariths.push(b.bits_to_arith(&take));
                }
                10 => bits.extend(b.arith_to_bits(ax, (c % 16 + 1) as u32).iter()),
                _ => ariths.push(b.arith_const(c & 0xffff)),
            }
        }
        let all = b.all_parties();
        let nb = bits.len();
        let outs: Vec<Wire> = (0..8).map(|i| bits[(nb - 1 - i % nb) % nb]).collect();
        b.output(
            "bits",
            all.clone(),
            ValueType::Int {
                signed: false,
                bits: 8,
            },
            Domain::Bool,
            outs,
        );
        let na = ariths.len();
        let outs: Vec<Wire> = (0..3).map(|i| ariths[(na - 1 - i % na) % na]).collect();
        b.output(
            "ariths",
            all,
            ValueType::Array {
                elem: Box::new(ValueType::Int {
                    signed: false,
                    bits: 16,
                }),
                len: 3,
            },
            Domain::Arith,
            outs,
        );
        b.finish().expect("valid mixed circuit")
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        /// The schedule computes what the circuit computes, with interactive
        /// batches read before they are written and registers reused.
        #[test]
        fn layers_compute_the_circuit(
            ops in proptest::collection::vec((any::<u8>(), any::<u16>(), any::<u16>(), any::<u64>()), 0..150),
            public in any::<u8>(),
            raw in proptest::collection::vec(any::<u64>(), 8),
        ) {
            let circuit = mixed(&ops, public);
            let c = circuit.circuit();
            let inputs: Vec<Vec<u64>> = c.inputs.iter().zip(&raw).map(|(g, &r)| match g.domain {
                Domain::Bool => (0..g.wires.len()).map(|i| r >> i & 1).collect(),
                Domain::Arith => vec![r & 0xffff],
            }).collect();
            let want = Evaluator::new(&circuit).run_words(&inputs).expect("reference");
            let layers = Layers::new(c);
            prop_assert_eq!(run_plain(&layers, &inputs), want);
            // Rounds: at most the interactive depth.
            prop_assert!(layers.rounds() <= layers.layers.len());
        }
    }
}
