//! The schedule of [`Layers`] compiled for bit-sliced Boolean evaluation:
//! flat arrays of small operations, so that the hot loops index registers
//! and never allocate or branch on gate kinds they cannot meet.

use veil_circuit::Gate;

use crate::backend::layers::{Interactive, Layers, LocalOp, PubOp};

/// A gate on public slots (every party evaluates it on its own copy).
#[derive(Debug, Clone, Copy)]
pub(crate) enum PubGate {
    Xor { a: u32, b: u32, out: u32 },
    And { a: u32, b: u32, out: u32 },
    Not { a: u32, out: u32 },
    Const { value: bool, out: u32 },
    Copy { a: u32, out: u32 },
}

/// A local gate on shares (`a`, `b`, `out` registers, `p` a public slot).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Op {
    /// `out = a ⊕ b`.
    Xor { a: u32, b: u32, out: u32 },
    /// `out = a ⊕ p` (party 0 adds the public bit, the others copy).
    XorPub { a: u32, p: u32, out: u32 },
    /// `out = ¬a` (party 0 flips its share, the others copy).
    Not { a: u32, out: u32 },
    /// `out = a`.
    Copy { a: u32, out: u32 },
    /// `out = a ∧ p` (every party masks its share).
    AndPub { a: u32, p: u32, out: u32 },
}

/// An AND gate on shares: `[a, b, out]` registers.
pub(crate) type And = [u32; 3];

/// One round: local ops `ops[..ops_end]` (from the previous layer's end),
/// then AND gates `ands[..ands_end]` opened together.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LayerEnd {
    pub ops_end: u32,
    pub ands_end: u32,
}

/// The compiled schedule.
#[derive(Debug, Clone)]
pub(crate) struct Program {
    pub pub_gates: Vec<PubGate>,
    pub ops: Vec<Op>,
    pub ands: Vec<And>,
    pub layers: Vec<LayerEnd>,
    /// The most AND gates in one layer (sizes the message buffers).
    pub max_ands: usize,
}

impl Program {
    /// Compiles `l`; `Err` names the first gate that is not Boolean.
    pub fn new(l: &Layers) -> Result<Program, String> {
        let s = |w: veil_circuit::Wire| l.slot_of[w.index()];
        let mut pub_gates = Vec::with_capacity(l.pub_ops.len());
        for PubOp(g) in &l.pub_ops {
            pub_gates.push(match *g {
                Gate::Xor { a, b, out } => PubGate::Xor {
                    a: s(a),
                    b: s(b),
                    out: s(out),
                },
                Gate::And { a, b, out } => PubGate::And {
                    a: s(a),
                    b: s(b),
                    out: s(out),
                },
                Gate::Not { a, out } => PubGate::Not {
                    a: s(a),
                    out: s(out),
                },
                Gate::Const { value, out } => PubGate::Const { value, out: s(out) },
                Gate::Copy { a, out } => PubGate::Copy {
                    a: s(a),
                    out: s(out),
                },
                other => return Err(format!("a public `{}` gate", other.kind())),
            });
        }
        let mut ops = Vec::new();
        let mut ands = Vec::new();
        let mut layers = Vec::with_capacity(l.layers.len());
        let mut max_ands = 0;
        for layer in &l.layers {
            for op in &layer.local {
                ops.push(match *op {
                    LocalOp::Xor { a, b, out } => Op::Xor { a, b, out },
                    LocalOp::XorPub { a, p, out } => Op::XorPub { a, p, out },
                    LocalOp::Not { a, out } => Op::Not { a, out },
                    LocalOp::Copy { a, out } => Op::Copy { a, out },
                    LocalOp::AndPub { a, p, out } => Op::AndPub { a, p, out },
                    other => return Err(format!("an arithmetic operation ({other:?})")),
                });
            }
            for g in &layer.interactive {
                match *g {
                    Interactive::And { a, b, out } => ands.push([a, b, out]),
                    ref other => {
                        return Err(format!("an arithmetic or conversion gate ({other:?})"))
                    }
                }
            }
            max_ands = max_ands.max(layer.interactive.len());
            layers.push(LayerEnd {
                ops_end: ops.len() as u32,
                ands_end: ands.len() as u32,
            });
        }
        Ok(Program {
            pub_gates,
            ops,
            ands,
            layers,
            max_ands,
        })
    }
}
