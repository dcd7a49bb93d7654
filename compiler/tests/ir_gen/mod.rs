//! Random well-formed IR modules and inputs, for the differential and
//! round-trip property tests.
//!
//! A module is described by plain numbers (so proptest can shrink it): a
//! list of input declarations and a list of instruction recipes. Building
//! turns each recipe into a valid instruction over the values made so far,
//! choosing operands of the right widths (making a constant when none
//! exists), and biased towards recent values so that chains (counters,
//! sums, nested multiplexers) appear.

#![allow(dead_code)]

use proptest::prelude::*;
use veil_circuit::value::{Value, ValueType};
use veil_compiler::ir::{BinOp, InputDecl, Inst, Label, Module, Op, OutputDecl, UnOp, ValueId};

/// One input: a type choice, visibility and owner.
#[derive(Debug, Clone)]
pub struct InputSpec {
    pub ty: u8,
    pub public: bool,
    pub party: bool,
}

/// One instruction: a kind and raw numbers that pick operands and details.
#[derive(Debug, Clone)]
pub struct Recipe {
    pub kind: u8,
    pub a: u16,
    pub b: u16,
    pub c: u16,
    pub k: u128,
}

/// A module description.
#[derive(Debug, Clone)]
pub struct Spec {
    pub inputs: Vec<InputSpec>,
    pub recipes: Vec<Recipe>,
    pub outputs: Vec<(u16, bool)>,
}

pub fn input_type(choice: u8) -> ValueType {
    let int = |signed, bits| ValueType::Int { signed, bits };
    match choice % 10 {
        0 => ValueType::Bool,
        1 => int(false, 8),
        2 => int(true, 8),
        3 => int(false, 16),
        4 => int(true, 32),
        5 => int(false, 64),
        6 => int(false, 128),
        7 => int(true, 3),
        8 => ValueType::Array {
            elem: Box::new(int(false, 4)),
            len: 3,
        },
        _ => ValueType::Tuple(vec![ValueType::Bool, int(true, 12)]),
    }
}

/// The scalar leaf widths of a type, in order.
fn leaves(ty: &ValueType, out: &mut Vec<u32>) {
    match ty {
        ValueType::Bool => out.push(1),
        ValueType::Int { bits, .. } => out.push(*bits),
        ValueType::Array { elem, len } => {
            for _ in 0..*len {
                leaves(elem, out);
            }
        }
        ValueType::Tuple(items) => items.iter().for_each(|t| leaves(t, out)),
        ValueType::Struct { fields, .. } => fields.iter().for_each(|(_, t)| leaves(t, out)),
    }
}

pub fn arb_spec(max_insts: usize) -> impl Strategy<Value = Spec> {
    let input = (any::<u8>(), any::<bool>(), any::<bool>()).prop_map(|(ty, public, party)| {
        InputSpec {
            ty,
            // Mostly secret, as in real programs.
            public: public && ty % 3 == 0,
            party,
        }
    });
    let k = prop_oneof![
        any::<u128>(),
        0u128..4,
        (0u32..128).prop_map(|s| 1u128 << s),
        (0u32..128).prop_map(|s| (1u128 << s).wrapping_sub(1)),
    ];
    let recipe = (any::<u8>(), any::<u16>(), any::<u16>(), any::<u16>(), k)
        .prop_map(|(kind, a, b, c, k)| Recipe { kind, a, b, c, k });
    (
        prop::collection::vec(input, 1..5),
        prop::collection::vec(recipe, 1..max_insts),
        prop::collection::vec((any::<u16>(), any::<bool>()), 1..4),
    )
        .prop_map(|(inputs, recipes, outputs)| Spec {
            inputs,
            recipes,
            outputs,
        })
}

struct Gen {
    m: Module,
}

impl Gen {
    fn width(&self, v: ValueId) -> u32 {
        self.m.insts[v.index()].width
    }

    fn push(&mut self, op: Op, width: u32) -> ValueId {
        let label = match op {
            Op::Const(_) => Label::Public,
            Op::Input { group, .. } => {
                if self.m.inputs[group as usize].public {
                    Label::Public
                } else {
                    Label::Secret
                }
            }
            _ => op
                .operands()
                .map(|v| self.m.insts[v.index()].label)
                .fold(Label::Public, Label::join),
        };
        let mask = if width >= 128 {
            u128::MAX
        } else {
            (1u128 << width) - 1
        };
        let op = match op {
            Op::Const(c) => Op::Const(c & mask),
            op => op,
        };
        self.m.insts.push(Inst { op, width, label });
        ValueId(self.m.insts.len() as u32 - 1)
    }

    /// A value, biased towards recent ones.
    fn pick(&self, r: u16) -> ValueId {
        let n = self.m.insts.len();
        let i = if r.is_multiple_of(2) {
            n - 1 - (usize::from(r / 2) % n.min(6))
        } else {
            usize::from(r / 2) % n
        };
        ValueId(i as u32)
    }

    /// A value of width `w`, or a new constant of that width.
    fn pick_width(&mut self, r: u16, w: u32, k: u128) -> ValueId {
        let n = self.m.insts.len();
        let same: Vec<usize> = (0..n).filter(|&i| self.m.insts[i].width == w).collect();
        if same.is_empty() || r.is_multiple_of(7) {
            return self.push(Op::Const(k), w);
        }
        let i = if r.is_multiple_of(2) {
            same[same.len() - 1 - (usize::from(r / 2) % same.len().min(4))]
        } else {
            same[usize::from(r / 2) % same.len()]
        };
        ValueId(i as u32)
    }

    fn recipe(&mut self, r: &Recipe) {
        let a = self.pick(r.a);
        let w = self.width(a);
        match r.kind % 18 {
            0 => {
                let widths = [1, 3, 8, 16, 32, 64, 128];
                let w = widths[usize::from(r.b) % widths.len()];
                self.push(Op::Const(r.k), w);
            }
            1 => {
                let u = if r.b.is_multiple_of(2) {
                    UnOp::Not
                } else {
                    UnOp::Neg
                };
                self.push(Op::Unary(u, a), w);
            }
            2..=7 => {
                let op = BinOp::ALL[(usize::from(r.b) + usize::from(r.kind)) % BinOp::ALL.len()];
                if op.is_shift() {
                    let amount = if r.c.is_multiple_of(3) {
                        self.pick(r.c / 3)
                    } else {
                        let width = 1 + u32::from(r.c % 9);
                        self.push(Op::Const(r.k % u128::from(w + 3)), width)
                    };
                    self.push(Op::Binary(op, a, amount), w);
                } else {
                    let b = self.pick_width(r.c, w, r.k);
                    let width = if op.is_comparison() { 1 } else { w };
                    self.push(Op::Binary(op, a, b), width);
                }
            }
            8 => {
                let c = self.pick_width(r.c, 1, r.k);
                let b = self.pick_width(r.b, w, r.k >> 1);
                self.push(Op::Mux(c, a, b), w);
            }
            9 => {
                if w > 1 {
                    let to = 1 + (r.k % u128::from(w - 1)) as u32;
                    self.push(Op::Trunc(a), to);
                }
            }
            10 | 11 => {
                if w < 128 {
                    let span = 128 - w;
                    let to = w
                        + 1
                        + (r.k
                            % u128::from(span.min(if r.c.is_multiple_of(4) { span } else { 16 })))
                            as u32;
                    let op = if r.kind % 18 == 10 {
                        Op::Zext(a)
                    } else {
                        Op::Sext(a)
                    };
                    self.push(op, to);
                }
            }
            12 => {
                self.push(Op::Extract(a, (r.k % u128::from(w)) as u32), 1);
            }
            13 => {
                let b = self.pick(r.b);
                let wb = self.width(b);
                if w + wb <= 128 {
                    self.push(Op::Concat(a, b), w + wb);
                }
            }
            14 => {
                // A counter step: sum += zext(bit).
                let bit = self.pick_width(r.b, 1, r.k);
                let width = if w == 1 { 8 } else { w };
                let z = self.push(Op::Zext(bit), width);
                let acc = self.pick_width(r.c, width, 0);
                self.push(Op::Binary(BinOp::Add, acc, z), width);
            }
            _ => {
                // A chain step with one of the associative operations,
                // usually continuing the newest value.
                let ops = [BinOp::Add, BinOp::Xor, BinOp::And, BinOp::Or, BinOp::Mul];
                let newest = self.m.insts[self.m.insts.len() - 1].op;
                let op = match newest {
                    Op::Binary(op, ..) if ops.contains(&op) && !r.b.is_multiple_of(4) => op,
                    _ => ops[usize::from(r.b) % ops.len()],
                };
                let a = if r.a.is_multiple_of(4) {
                    a
                } else {
                    ValueId(self.m.insts.len() as u32 - 1)
                };
                let w = self.width(a);
                let b = self.pick_width(r.c, w, r.k);
                let (a, b) = if r.c.is_multiple_of(2) {
                    (a, b)
                } else {
                    (b, a)
                };
                self.push(Op::Binary(op, a, b), w);
            }
        }
    }
}

/// Builds the module a spec describes (always valid).
pub fn build(spec: &Spec) -> Module {
    let mut g = Gen {
        m: Module {
            parties: vec!["alice".into(), "bob".into()],
            ..Module::default()
        },
    };
    for (i, s) in spec.inputs.iter().enumerate() {
        let ty = input_type(s.ty);
        g.m.inputs.push(InputDecl {
            party: usize::from(s.party),
            name: format!("in{i}"),
            ty: ty.clone(),
            public: s.public,
        });
        let mut ws = Vec::new();
        leaves(&ty, &mut ws);
        let mut bit = 0;
        for w in ws {
            g.push(
                Op::Input {
                    group: i as u32,
                    bit,
                },
                w,
            );
            bit += w;
        }
    }
    for r in &spec.recipes {
        g.recipe(r);
    }
    // Outputs: the newest value, a few chosen ones, and values nothing uses
    // (so that most of the module is live).
    let n = g.m.insts.len();
    let mut picks: Vec<ValueId> = vec![ValueId(n as u32 - 1)];
    for &(r, _) in &spec.outputs {
        picks.push(g.pick(r));
    }
    let mut used = vec![false; n];
    for inst in &g.m.insts {
        inst.op.operands().for_each(|v| used[v.index()] = true);
    }
    picks.extend(
        (0..n)
            .rev()
            .filter(|&i| !used[i] && !matches!(g.m.insts[i].op, Op::Const(_) | Op::Input { .. }))
            .take(4)
            .map(|i| ValueId(i as u32)),
    );
    let as_bool = spec.outputs.iter().map(|o| o.1);
    for (i, (v, as_bool)) in picks
        .into_iter()
        .zip(
            std::iter::once(true)
                .chain(as_bool)
                .chain(std::iter::repeat(false)),
        )
        .enumerate()
    {
        let w = g.width(v);
        let ty = if w == 1 && as_bool {
            ValueType::Bool
        } else {
            ValueType::Int {
                signed: as_bool,
                bits: w,
            }
        };
        g.m.outputs.push(OutputDecl {
            name: format!("out{i}"),
            recipients: if i % 2 == 0 { vec![0] } else { vec![0, 1] },
            ty,
            values: vec![v],
        });
    }
    g.m
}

/// A deterministic generator of input values (splitmix64).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// Random values for every input of `m`: uniformly random bits, or (one
/// time in four each) all zeros, all ones, or only the top bit of each leaf.
pub fn random_inputs(m: &Module, rng: &mut Rng) -> Vec<Value> {
    m.inputs
        .iter()
        .map(|d| {
            let n = d.ty.bit_width() as usize;
            let mode = rng.next() % 4;
            let mut ws = Vec::new();
            leaves(&d.ty, &mut ws);
            let mut tops = vec![false; n];
            let mut at = 0usize;
            for w in ws {
                at += w as usize;
                tops[at - 1] = true;
            }
            let bits: Vec<bool> = (0..n)
                .map(|i| match mode {
                    0 => false,
                    1 => true,
                    2 => tops[i],
                    _ => rng.next() & 1 == 1,
                })
                .collect();
            Value::from_bits(&d.ty, &bits).expect("bit count matches the type")
        })
        .collect()
}
