//! The [`Layers`] schedule typed for rep3: every register and public slot
//! split by domain, so that Boolean values live in bit-sliced files
//! (`ceil(instances / 64)` words per register) and ring elements in files of
//! one word per instance, and a register file never pays the wider stride for
//! the narrower domain.
//!
//! `Layers` reuses a register for wires of either domain; here register `r`
//! holding a Boolean value and register `r` holding a ring element are two
//! different slots (one per file), numbered densely per file. The domain of
//! each register at each point is tracked by walking the schedule in order.

use veil_circuit::{Circuit, Domain};

use super::convert::a2b_rounds;
use crate::backend::layers::{Interactive, Layers, LocalOp, Operand, Src};

const NONE: u32 = u32::MAX;

/// Where an input or output wire lives, by domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Loc {
    /// A slot of the Boolean share file.
    Bool(u32),
    /// A slot of the arithmetic share file.
    Arith(u32),
    /// A slot of the public Boolean table.
    PubBool(u32),
    /// A slot of the public arithmetic table.
    PubArith(u32),
}

/// A local gate on shares, operands resolved to the file of their domain
/// (`p`: a public table slot of the same domain).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Local {
    Xor { a: u32, b: u32, out: u32 },
    XorPub { a: u32, p: u32, out: u32 },
    Not { a: u32, out: u32 },
    CopyBool { a: u32, out: u32 },
    AndPub { a: u32, p: u32, out: u32 },
    CopyArith { a: u32, out: u32 },
    Add { a: u32, b: u32, out: u32 },
    Sub { a: u32, b: u32, out: u32 },
    AddPub { a: u32, p: u32, out: u32 },
    PubSub { p: u32, a: u32, out: u32 },
    SubPub { a: u32, p: u32, out: u32 },
    MulPub { a: u32, p: u32, out: u32 },
    AddConst { a: u32, c: u64, out: u32 },
    MulConst { a: u32, c: u64, out: u32 },
}

/// A bit operand of a conversion to arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bit {
    /// A Boolean share slot.
    Secret(u32),
    /// A public Boolean slot.
    Known(u32),
}

/// `out = Σ bits[i] · 2^i` (Boolean slots to an arithmetic slot).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct B2a {
    pub bits: Vec<Bit>,
    pub out: u32,
}

/// `outs[i] = bit i of input` (an arithmetic slot to Boolean slots).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct A2b {
    pub input: u32,
    pub outs: Vec<u32>,
}

/// One layer: local gates, then the interactive gates done together.
#[derive(Debug, Clone, Default)]
pub(crate) struct Layer {
    pub local: Vec<Local>,
    /// `[a, b, out]` Boolean slots, by the direction their resharing goes
    /// (0: to the previous party, 1: to the next; see `round::Io`).
    pub ands: [Vec<[u32; 3]>; 2],
    /// `[a, b, out]` arithmetic slots, by direction.
    pub muls: [Vec<[u32; 3]>; 2],
    pub b2a: Vec<B2a>,
    pub a2b: Vec<A2b>,
}

impl Layer {
    /// AND and MUL gates.
    pub fn mults(&self) -> usize {
        self.ands[0].len() + self.ands[1].len() + self.muls[0].len() + self.muls[1].len()
    }

    /// Whether the layer needs communication.
    pub fn interactive(&self) -> bool {
        self.mults() > 0 || !self.b2a.is_empty() || !self.a2b.is_empty()
    }

    /// The rounds the layer takes: one for its ANDs and MULs, more for its
    /// conversions (done alongside).
    pub fn rounds(&self) -> usize {
        let mut r = usize::from(self.mults() > 0);
        if !self.b2a.is_empty() {
            r = 2;
        }
        self.a2b
            .iter()
            .map(|g| a2b_rounds(g.outs.len()))
            .fold(r, usize::max)
    }
}

/// The typed schedule of one circuit.
#[derive(Debug, Clone)]
pub(crate) struct Program {
    /// The public part of the schedule (`eval_public`, `pub_slots`).
    pub layers_src: Layers,
    pub ring_bits: u32,
    /// Sizes of the two share files and the two public tables.
    pub bool_regs: u32,
    pub arith_regs: u32,
    pub pub_bool: u32,
    pub pub_arith: u32,
    /// Per public slot of `layers_src`: its domain's table and index there.
    pub slot_map: Vec<Loc>,
    pub inputs: Vec<Vec<Loc>>,
    pub outputs: Vec<Vec<Loc>>,
    pub layers: Vec<Layer>,
    /// AND and MUL gates per instance.
    pub ands: u64,
    pub muls: u64,
}

/// Dense per-domain numbering of `Layers` registers.
struct Files {
    bool_of: Vec<u32>,
    arith_of: Vec<u32>,
    bools: u32,
    ariths: u32,
    /// The domain each register holds now.
    dom: Vec<Domain>,
}

impl Files {
    fn bool(&mut self, r: u32) -> u32 {
        let slot = &mut self.bool_of[r as usize];
        if *slot == NONE {
            *slot = self.bools;
            self.bools += 1;
        }
        *slot
    }

    fn arith(&mut self, r: u32) -> u32 {
        let slot = &mut self.arith_of[r as usize];
        if *slot == NONE {
            *slot = self.ariths;
            self.ariths += 1;
        }
        *slot
    }

    fn write_bool(&mut self, r: u32) -> u32 {
        self.dom[r as usize] = Domain::Bool;
        self.bool(r)
    }

    fn write_arith(&mut self, r: u32) -> u32 {
        self.dom[r as usize] = Domain::Arith;
        self.arith(r)
    }

    fn at(&mut self, r: u32, domain: Domain) -> Loc {
        match domain {
            Domain::Bool => Loc::Bool(self.bool(r)),
            Domain::Arith => Loc::Arith(self.arith(r)),
        }
    }
}

impl Program {
    /// Types the schedule of `c`.
    pub fn new(c: &Circuit) -> Program {
        let src = Layers::new(c);
        // Public slots by domain.
        let mut slot_dom = vec![Domain::Bool; src.pub_slots as usize];
        for (w, &s) in src.slot_of.iter().enumerate() {
            if s != NONE {
                if let Some(info) = c.wires.get(w) {
                    slot_dom[s as usize] = info.domain;
                }
            }
        }
        let (mut pub_bool, mut pub_arith) = (0u32, 0u32);
        let slot_map: Vec<Loc> = slot_dom
            .iter()
            .map(|d| match d {
                Domain::Bool => {
                    pub_bool += 1;
                    Loc::PubBool(pub_bool - 1)
                }
                Domain::Arith => {
                    pub_arith += 1;
                    Loc::PubArith(pub_arith - 1)
                }
            })
            .collect();
        let pslot = |p: u32| match slot_map[p as usize] {
            Loc::PubBool(i) | Loc::PubArith(i) | Loc::Bool(i) | Loc::Arith(i) => i,
        };

        let regs = src.registers as usize;
        let mut f = Files {
            bool_of: vec![NONE; regs],
            arith_of: vec![NONE; regs],
            bools: 0,
            ariths: 0,
            dom: vec![Domain::Bool; regs],
        };
        let inputs: Vec<Vec<Loc>> = c
            .inputs
            .iter()
            .zip(&src.inputs)
            .map(|(g, srcs)| {
                srcs.iter()
                    .map(|s| match *s {
                        Src::Known(k) => slot_map[k as usize],
                        Src::Secret(r) => {
                            f.dom[r as usize] = g.domain;
                            f.at(r, g.domain)
                        }
                    })
                    .collect()
            })
            .collect();

        let mut layers = Vec::with_capacity(src.layers.len());
        for (index, l) in src.layers.iter().enumerate() {
            // Multiplications alternate directions, starting with the layer's
            // parity so that a layer of one gate uses the other link next time.
            let mut dir = index % 2;
            let mut lay = Layer::default();
            for op in &l.local {
                lay.local.push(match *op {
                    LocalOp::Xor { a, b, out } => Local::Xor {
                        a: f.bool(a),
                        b: f.bool(b),
                        out: f.write_bool(out),
                    },
                    LocalOp::XorPub { a, p, out } => Local::XorPub {
                        a: f.bool(a),
                        p: pslot(p),
                        out: f.write_bool(out),
                    },
                    LocalOp::Not { a, out } => Local::Not {
                        a: f.bool(a),
                        out: f.write_bool(out),
                    },
                    LocalOp::AndPub { a, p, out } => Local::AndPub {
                        a: f.bool(a),
                        p: pslot(p),
                        out: f.write_bool(out),
                    },
                    LocalOp::Copy { a, out } => match f.dom[a as usize] {
                        Domain::Bool => Local::CopyBool {
                            a: f.bool(a),
                            out: f.write_bool(out),
                        },
                        Domain::Arith => Local::CopyArith {
                            a: f.arith(a),
                            out: f.write_arith(out),
                        },
                    },
                    LocalOp::Add { a, b, out } => Local::Add {
                        a: f.arith(a),
                        b: f.arith(b),
                        out: f.write_arith(out),
                    },
                    LocalOp::Sub { a, b, out } => Local::Sub {
                        a: f.arith(a),
                        b: f.arith(b),
                        out: f.write_arith(out),
                    },
                    LocalOp::AddPub { a, p, out } => Local::AddPub {
                        a: f.arith(a),
                        p: pslot(p),
                        out: f.write_arith(out),
                    },
                    LocalOp::PubSub { p, a, out } => Local::PubSub {
                        p: pslot(p),
                        a: f.arith(a),
                        out: f.write_arith(out),
                    },
                    LocalOp::SubPub { a, p, out } => Local::SubPub {
                        a: f.arith(a),
                        p: pslot(p),
                        out: f.write_arith(out),
                    },
                    LocalOp::MulPub { a, p, out } => Local::MulPub {
                        a: f.arith(a),
                        p: pslot(p),
                        out: f.write_arith(out),
                    },
                    LocalOp::AddConst { a, c, out } => Local::AddConst {
                        a: f.arith(a),
                        c,
                        out: f.write_arith(out),
                    },
                    LocalOp::MulConst { a, c, out } => Local::MulConst {
                        a: f.arith(a),
                        c,
                        out: f.write_arith(out),
                    },
                });
            }
            // Operands first, outputs after: outputs of a batch never alias
            // its operands, but resolve reads before any domain changes.
            for g in &l.interactive {
                match g {
                    Interactive::And { a, b, out } => {
                        let (a, b) = (f.bool(*a), f.bool(*b));
                        lay.ands[dir].push([a, b, f.write_bool(*out)]);
                        dir ^= 1;
                    }
                    Interactive::Mul { a, b, out } => {
                        let (a, b) = (f.arith(*a), f.arith(*b));
                        lay.muls[dir].push([a, b, f.write_arith(*out)]);
                        dir ^= 1;
                    }
                    Interactive::BitsToArith { bits, out } => {
                        let bits = bits
                            .iter()
                            .map(|o| match *o {
                                Operand::Secret(r) => Bit::Secret(f.bool(r)),
                                Operand::Known(k) => Bit::Known(pslot(k)),
                            })
                            .collect();
                        lay.b2a.push(B2a {
                            bits,
                            out: f.write_arith(*out),
                        });
                    }
                    Interactive::ArithToBits { input, outs } => {
                        let input = f.arith(*input);
                        lay.a2b.push(A2b {
                            input,
                            outs: outs.iter().map(|&o| f.write_bool(o)).collect(),
                        });
                    }
                }
            }
            layers.push(lay);
        }

        let outputs = c
            .outputs
            .iter()
            .zip(&src.outputs)
            .map(|(g, srcs)| {
                srcs.iter()
                    .map(|s| match *s {
                        Src::Known(k) => slot_map[k as usize],
                        Src::Secret(r) => f.at(r, g.domain),
                    })
                    .collect()
            })
            .collect();

        Program {
            ring_bits: src.ring_bits,
            bool_regs: f.bools,
            arith_regs: f.ariths,
            pub_bool,
            pub_arith,
            slot_map,
            inputs,
            outputs,
            layers,
            ands: src.counts.0,
            muls: src.counts.1,
            layers_src: src,
        }
    }
}
