//! The garbling schedule of a circuit, computed once and shared by garbler
//! and evaluator.
//!
//! - Wires known to every party (public inputs, constants, and anything
//!   computed from them alone) are evaluated in the clear first, never garbled.
//! - The remaining (secret) gates are reordered by AND-level within windows
//!   of consecutive gates, so that AND gates come in batches of independent
//!   gates: their hashes then go to AES together, which is what makes garbling
//!   fast. Windows keep the reordering local, so the number of live labels
//!   stays close to the circuit's own.
//! - Within a level, linear gates are ordered by their depth in the level,
//!   so that consecutive XORs are independent and overlap in the pipeline.
//! - Labels live in a register file indexed by plain integers, reused as soon
//!   as a wire is dead: memory follows the live wires, not the circuit's size.
//!
//! Invariants the engine relies on:
//! - no AND output overwrites an operand of the same AND batch (outputs are
//!   allocated before the batch's operands are freed), so a batch's gates can
//!   be hashed in any grouping;
//! - a register is freed after its wire's last use, and only then reused;
//! - registers [`ZERO`] and [`ONE`] hold constants and are never allocated,
//!   so NOT and copy are XORs and every linear gate is in an [`Op::Xors`] run;
//! - every register is below [`Plan::registers`].

use veil_circuit::{Circuit, Gate};

pub(crate) use crate::backend::registers::Src;
use crate::backend::registers::{Allocator, NONE};

/// Secret gates reordered together: bigger windows give bigger AND batches on
/// circuits whose parallelism is spread out, at the cost of more live labels.
/// 2¹⁸ holds SHA-256 (135k gates) whole: in 2¹⁶-gate windows its 1,607 AND
/// levels split into 2,156 smaller batches, for only 8% fewer live labels.
const WINDOW: usize = 1 << 18;

/// A gate on public bits, evaluated in the clear by every party.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PubOp {
    Xor { a: u32, b: u32, out: u32 },
    And { a: u32, b: u32, out: u32 },
    Not { a: u32, out: u32 },
    Const { value: bool, out: u32 },
    Copy { a: u32, out: u32 },
}

/// A secret AND gate: registers of its operands and output.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AndGate {
    pub a: u32,
    pub b: u32,
    pub out: u32,
}

/// A secret XOR gate: registers of its operands and output.
#[derive(Debug, Clone, Copy)]
pub(crate) struct XorGate {
    pub a: u32,
    pub b: u32,
    pub out: u32,
}

/// One step over label registers (`p` names a public slot).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Op {
    /// `xors[start..start + len]`, in order: `out = a ⊕ b` (free). Linear
    /// gates outnumber all others, so runs of them are dispatched once; NOT
    /// and copy are XORs with the constant registers [`ONE`] and [`ZERO`].
    Xors { start: u32, len: u32 },
    /// `out = a ⊕ p`: the garbler shifts by Δ when `p` is 1; the evaluator copies.
    XorPub { a: u32, p: u32, out: u32 },
    /// `out = a ∧ p`: `a`'s label when `p` is 1, the all-zero label of a known 0 otherwise.
    AndPub { a: u32, p: u32, out: u32 },
    /// `ands[start..start + len]`: AND gates independent of one another.
    Ands { start: u32, len: u32 },
}

/// The schedule (see the module documentation).
#[derive(Debug, Clone, Default)]
pub(crate) struct Plan {
    /// Size of the public bit table.
    pub pub_slots: u32,
    /// Gates on public bits, in order.
    pub pub_ops: Vec<PubOp>,
    /// Per input group, where each wire goes.
    pub inputs: Vec<Vec<Src>>,
    /// Size of the label register file.
    pub registers: u32,
    /// The secret steps, in order.
    pub ops: Vec<Op>,
    /// The AND gates that `Op::Ands` refer to, in schedule order.
    pub ands: Vec<AndGate>,
    /// The XOR gates that `Op::Xors` refer to, in schedule order.
    pub xors: Vec<XorGate>,
    /// Per output group, where each wire's value is.
    pub outputs: Vec<Vec<Src>>,
}

/// The register of the constant 0: label zero for both parties. `a ⊕ ZERO`
/// is a copy.
pub(crate) const ZERO: u32 = 0;
/// The register of the constant 1, with zero-label Δ: the garbler holds Δ,
/// the evaluator the active label 0. `a ⊕ ONE` is `¬a` (the garbler shifts
/// by Δ, the evaluator copies), so NOT gates join the XOR runs.
pub(crate) const ONE: u32 = 1;

/// A secret gate before scheduling: operands are wires (secret) or public slots.
#[derive(Clone, Copy)]
enum SecretGate {
    Xor(u32, u32, u32),
    XorPub(u32, u32, u32),
    Not(u32, u32),
    Copy(u32, u32),
    AndPub(u32, u32, u32),
    And(u32, u32, u32),
}

impl SecretGate {
    fn out(self) -> u32 {
        match self {
            SecretGate::Xor(_, _, o)
            | SecretGate::XorPub(_, _, o)
            | SecretGate::AndPub(_, _, o)
            | SecretGate::And(_, _, o)
            | SecretGate::Not(_, o)
            | SecretGate::Copy(_, o) => o,
        }
    }

    /// The secret operand wires (one or two; the second may repeat the first).
    fn secret_operands(self) -> (u32, Option<u32>) {
        match self {
            SecretGate::Xor(a, b, _) | SecretGate::And(a, b, _) => (a, Some(b)),
            SecretGate::XorPub(a, _, _)
            | SecretGate::AndPub(a, _, _)
            | SecretGate::Not(a, _)
            | SecretGate::Copy(a, _) => (a, None),
        }
    }
}

impl Plan {
    /// The schedule of a valid Boolean circuit.
    pub fn new(c: &Circuit) -> Plan {
        let n = c.wires.len();
        // Public slot of each known wire, NONE for secret wires.
        let mut slot = vec![NONE; n];
        let mut plan = Plan::default();
        let mut next_slot = 0u32;
        let mut new_slot = |w: usize, slot: &mut Vec<u32>| {
            slot[w] = next_slot;
            next_slot += 1;
            next_slot - 1
        };
        let mut secret_inputs: Vec<u32> = Vec::new();
        for g in &c.inputs {
            let mut srcs = Vec::with_capacity(g.wires.len() as usize);
            for w in g.wires.iter() {
                if g.public {
                    srcs.push(Src::Known(new_slot(w.index(), &mut slot)));
                } else {
                    // Registers are assigned below; remember the wire for now.
                    srcs.push(Src::Secret(w.0));
                    secret_inputs.push(w.0);
                }
            }
            plan.inputs.push(srcs);
        }
        let known = |w: veil_circuit::Wire, slot: &Vec<u32>| slot[w.index()] != NONE;
        let mut secret: Vec<SecretGate> = Vec::new();
        for gate in &c.gates {
            match *gate {
                Gate::Const { value, out } => {
                    let out = new_slot(out.index(), &mut slot);
                    plan.pub_ops.push(PubOp::Const { value, out });
                }
                Gate::Xor { a, b, out } | Gate::And { a, b, out } => {
                    let is_and = matches!(gate, Gate::And { .. });
                    match (known(a, &slot), known(b, &slot)) {
                        (true, true) => {
                            let (sa, sb) = (slot[a.index()], slot[b.index()]);
                            let out = new_slot(out.index(), &mut slot);
                            plan.pub_ops.push(if is_and {
                                PubOp::And { a: sa, b: sb, out }
                            } else {
                                PubOp::Xor { a: sa, b: sb, out }
                            });
                        }
                        (false, false) => secret.push(if is_and {
                            SecretGate::And(a.0, b.0, out.0)
                        } else {
                            SecretGate::Xor(a.0, b.0, out.0)
                        }),
                        (ka, _) => {
                            let (s, p) = if ka { (b, a) } else { (a, b) };
                            let p = slot[p.index()];
                            secret.push(if is_and {
                                SecretGate::AndPub(s.0, p, out.0)
                            } else {
                                SecretGate::XorPub(s.0, p, out.0)
                            });
                        }
                    }
                }
                Gate::Not { a, out } | Gate::Copy { a, out } => {
                    let is_not = matches!(gate, Gate::Not { .. });
                    if known(a, &slot) {
                        let sa = slot[a.index()];
                        let out = new_slot(out.index(), &mut slot);
                        plan.pub_ops.push(if is_not {
                            PubOp::Not { a: sa, out }
                        } else {
                            PubOp::Copy { a: sa, out }
                        });
                    } else {
                        secret.push(if is_not {
                            SecretGate::Not(a.0, out.0)
                        } else {
                            SecretGate::Copy(a.0, out.0)
                        });
                    }
                }
                // Arithmetic gates never reach here: `Gc::new` refuses non-Boolean circuits.
                _ => {}
            }
        }
        plan.pub_slots = next_slot;

        let order = schedule(&secret, n);
        plan.allocate(c, &secret, &order, &secret_inputs, &slot);
        plan
    }

    /// Assigns label registers along the scheduled order, freeing each
    /// register after its wire's last use, and emits the steps.
    fn allocate(
        &mut self,
        c: &Circuit,
        secret: &[SecretGate],
        order: &[(u32, u32)],
        secret_inputs: &[u32],
        slot: &[u32],
    ) {
        let reads = order.iter().enumerate().flat_map(|(pos, &(gi, _))| {
            let (a, b) = secret[gi as usize].secret_operands();
            std::iter::once((pos as u32, a)).chain(b.map(|b| (pos as u32, b)))
        });
        // ZERO and ONE are reserved, never freed.
        let mut regs = Allocator::new(c, slot, 2, reads);
        regs.inputs(secret_inputs, &mut self.inputs);
        let operands = |g: SecretGate| {
            let (a, b) = g.secret_operands();
            [a, b.unwrap_or(a)]
        };
        let mut pos = 0usize;
        while pos < order.len() {
            let (gi, key) = order[pos];
            let gate = secret[gi as usize];
            if let SecretGate::And(..) = gate {
                // A batch: the run of ANDs with the same key. Outputs first, then frees,
                // so no output overwrites an operand of the same batch.
                let end = order[pos..]
                    .iter()
                    .position(|&(g, k)| {
                        k != key || !matches!(secret[g as usize], SecretGate::And(..))
                    })
                    .map_or(order.len(), |d| pos + d);
                let start = self.ands.len() as u32;
                for &(g, _) in &order[pos..end] {
                    if let SecretGate::And(a, b, out) = secret[g as usize] {
                        let (a, b) = (regs.reg(a), regs.reg(b));
                        let out = regs.define(out);
                        self.ands.push(AndGate { a, b, out });
                    }
                }
                for (p, &(g, _)) in order.iter().enumerate().take(end).skip(pos) {
                    let g = secret[g as usize];
                    regs.after(p as u32, &operands(g), &[g.out()]);
                }
                self.ops.push(Op::Ands {
                    start,
                    len: (end - pos) as u32,
                });
                pos = end;
                continue;
            }
            let read = |w: u32| regs.reg(w);
            let (xor, op): (Option<(u32, u32)>, Option<Op>) = match gate {
                SecretGate::Xor(a, b, _) => (Some((read(a), read(b))), None),
                SecretGate::Not(a, _) => (Some((read(a), ONE)), None),
                SecretGate::Copy(a, _) => (Some((read(a), ZERO)), None),
                SecretGate::XorPub(a, p, _) => (
                    None,
                    Some(Op::XorPub {
                        a: read(a),
                        p,
                        out: 0,
                    }),
                ),
                SecretGate::AndPub(a, p, _) => (
                    None,
                    Some(Op::AndPub {
                        a: read(a),
                        p,
                        out: 0,
                    }),
                ),
                // Batched above.
                SecretGate::And(..) => (None, None),
            };
            let o = regs.define(gate.out());
            if let Some((a, b)) = xor {
                self.xors.push(XorGate { a, b, out: o });
                match self.ops.last_mut() {
                    Some(Op::Xors { len, .. }) => *len += 1,
                    _ => self.ops.push(Op::Xors {
                        start: self.xors.len() as u32 - 1,
                        len: 1,
                    }),
                }
            }
            self.ops.extend(op.map(|op| match op {
                Op::XorPub { a, p, .. } => Op::XorPub { a, p, out: o },
                Op::AndPub { a, p, .. } => Op::AndPub { a, p, out: o },
                other => other,
            }));
            regs.after(pos as u32, &operands(gate), &[gate.out()]);
            pos += 1;
        }
        self.registers = regs.count();
        self.outputs = regs.outputs(c, slot);
    }

    /// The number of secret AND gates (what garbling pays for).
    pub fn and_count(&self) -> u64 {
        self.ands.len() as u64
    }

    /// Evaluates the public gates on `bits` (one byte per public slot, 0 or 1).
    pub fn eval_public(&self, bits: &mut [u8]) {
        for op in &self.pub_ops {
            match *op {
                PubOp::Xor { a, b, out } => {
                    bits[out as usize] = bits[a as usize] ^ bits[b as usize]
                }
                PubOp::And { a, b, out } => {
                    bits[out as usize] = bits[a as usize] & bits[b as usize]
                }
                PubOp::Not { a, out } => bits[out as usize] = bits[a as usize] ^ 1,
                PubOp::Const { value, out } => bits[out as usize] = u8::from(value),
                PubOp::Copy { a, out } => bits[out as usize] = bits[a as usize],
            }
        }
    }
}

/// The evaluation order of the secret gates: `(gate index, bucket key)`,
/// where within each window gates are stably sorted by key (the linear gates
/// of AND-level L have key 2L, the AND gates of level L have key 2L − 1) and,
/// among the linear gates of a level, by their depth within the level. The
/// depth order puts independent XORs side by side: in circuit order, most
/// XORs use the one before, and each waits for it through memory.
fn schedule(secret: &[SecretGate], wires: usize) -> Vec<(u32, u32)> {
    let mut level = vec![0u32; wires];
    // Linear depth of each wire within its AND-level (0 for AND outputs and inputs).
    let mut depth = vec![0u32; wires];
    let mut order: Vec<(u32, u32)> = Vec::with_capacity(secret.len());
    let mut gate_depth: Vec<u32> = Vec::with_capacity(secret.len());
    for (i, g) in secret.iter().enumerate() {
        let (a, b) = g.secret_operands();
        let mut l = level[a as usize];
        if let Some(b) = b {
            l = l.max(level[b as usize]);
        }
        let (key, d) = if let SecretGate::And(..) = g {
            l += 1;
            (2 * l - 1, 0)
        } else {
            let at = |w: u32| {
                if level[w as usize] == l {
                    depth[w as usize]
                } else {
                    0
                }
            };
            (2 * l, 1 + at(a).max(b.map_or(0, at)))
        };
        level[g.out() as usize] = l;
        depth[g.out() as usize] = d;
        order.push((i as u32, key));
        gate_depth.push(d);
    }
    for window in order.chunks_mut(WINDOW) {
        window.sort_by_key(|&(g, key)| (key, gate_depth[g as usize]));
    }
    order
}
