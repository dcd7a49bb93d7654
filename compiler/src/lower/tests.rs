//! Differential tests of lowering: random IR modules, lowered to Boolean
//! (size and depth), mixed and pure arithmetic circuits, must compute what
//! [`crate::ir::eval::evaluate`] computes on random inputs; plus unit tests
//! of errors, public wires and the clean-up passes.
//!
//! Modules are built deterministically from a proptest-generated recipe of
//! plain numbers, so failures shrink to small recipes. The case count is
//! moderate by default and follows `PROPTEST_CASES` when set; the seed is
//! fixed unless `PROPTEST_RNG_SEED` is set.

use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use veil_circuit::{evaluate, Domain, Stats, ValidCircuit, Value, ValueType, Visibility};

use super::*;
use crate::gadgets::testing::Rng;
use crate::ir::builder::Builder;
use crate::ir::{BinOp, InputDecl, Op, OutputDecl, UnOp};

fn config() -> ProptestConfig {
    let mut c = ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = 48;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        c.rng_seed = RngSeed::Fixed(0x10_3e_b1_75);
    }
    c
}

/// A random program as plain numbers.
#[derive(Debug, Clone)]
struct Recipe {
    share: bool,
    /// (party, width choice, signed, public, array)
    inputs: Vec<(u8, u8, bool, bool, bool)>,
    /// (operation, operand picks, parameter)
    insts: Vec<(u8, u16, u16, u16, u64)>,
    /// (value pick, recipients)
    outputs: Vec<(u16, u8)>,
}

fn recipe(max_insts: usize) -> impl Strategy<Value = Recipe> {
    (
        any::<bool>(),
        prop::collection::vec(
            (
                0u8..2,
                any::<u8>(),
                any::<bool>(),
                any::<bool>(),
                any::<bool>(),
            ),
            1..4,
        ),
        prop::collection::vec(
            (
                any::<u8>(),
                any::<u16>(),
                any::<u16>(),
                any::<u16>(),
                any::<u64>(),
            ),
            1..max_insts,
        ),
        prop::collection::vec((any::<u16>(), 1u8..4), 1..4),
    )
        .prop_map(|(share, inputs, insts, outputs)| Recipe {
            share,
            inputs,
            insts,
            outputs,
        })
}

const WIDTHS: [u32; 12] = [1, 1, 2, 3, 5, 8, 8, 13, 16, 32, 33, 64];

/// Which operations a recipe may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavour {
    /// Everything.
    All,
    /// Only what the pure arithmetic target expresses, within `u32` values.
    Ring,
}

struct Gen {
    b: Builder,
    values: Vec<ValueId>,
    flavour: Flavour,
    /// A `bool` input: the condition of every multiplexer of the ring
    /// flavour (the pure target needs conditions that are exactly 0 or 1).
    cond: Option<ValueId>,
}

impl Gen {
    fn width(&self, v: ValueId) -> u32 {
        self.b.width(v)
    }

    fn pick(&self, i: u16) -> ValueId {
        self.values[i as usize % self.values.len()]
    }

    /// A value of width `w` made from `v` (or a constant).
    fn adapt(&mut self, v: ValueId, w: u32, salt: u64) -> ValueId {
        let vw = self.width(v);
        if vw == w {
            v
        } else if self.flavour == Flavour::Ring {
            self.b.konst(u128::from(salt), w)
        } else if vw > w {
            self.b.push(Op::Trunc(v), w)
        } else if salt.is_multiple_of(2) {
            self.b.push(Op::Zext(v), w)
        } else {
            self.b.push(Op::Sext(v), w)
        }
    }

    /// A 1-bit condition from `v`.
    fn condition(&mut self, v: ValueId, salt: u64) -> ValueId {
        let w = self.width(v);
        if let Some(c) = self.cond {
            c
        } else if w == 1 {
            v
        } else {
            self.b.push(Op::Extract(v, (salt % u64::from(w)) as u32), 1)
        }
    }

    fn step(&mut self, (op, p, q, r, k): (u8, u16, u16, u16, u64)) {
        let x = self.pick(p);
        let w = self.width(x);
        let y0 = self.pick(q);
        let ring = self.flavour == Flavour::Ring;
        let choice = if ring { op % 9 } else { op % 22 };
        let v = match choice {
            0..=2 if !ring => {
                let ops = [BinOp::Add, BinOp::Sub, BinOp::Mul];
                let y = self.adapt(y0, w, k);
                self.b.push(Op::Binary(ops[choice as usize], x, y), w)
            }
            0 => {
                let y = self.adapt(y0, w, k);
                self.b.push(Op::Binary(BinOp::Add, x, y), w)
            }
            1 => {
                let y = self.adapt(y0, w, k);
                self.b.push(Op::Binary(BinOp::Sub, x, y), w)
            }
            2 => {
                let y = self.adapt(y0, w, k);
                self.b.push(Op::Binary(BinOp::Mul, x, y), w)
            }
            3 => {
                let u = if k % 2 == 0 { UnOp::Not } else { UnOp::Neg };
                self.b.push(Op::Unary(u, x), w)
            }
            4 => {
                let c = self.condition(self.pick(r), k);
                let y = self.adapt(y0, w, k);
                self.b.push(Op::Mux(c, x, y), w)
            }
            5 => {
                // A constant operand (multiplication by constants, folding).
                let c = self.b.konst(u128::from(k) * u128::from(k >> 7), w);
                let ops = [BinOp::Add, BinOp::Mul, BinOp::Sub];
                self.b.push(Op::Binary(ops[(k % 3) as usize], x, c), w)
            }
            6 if w > 1 => self.b.push(Op::Trunc(x), 1 + (k % u64::from(w - 1)) as u32),
            7 if ring => {
                let amount = self.b.konst(u128::from(k % u64::from(w + 1)), 8);
                self.b.push(Op::Binary(BinOp::Shl, x, amount), w)
            }
            8 if ring && w == 1 => {
                let y = self.adapt(y0, 1, k);
                let ops = [BinOp::And, BinOp::Or, BinOp::Xor, BinOp::Eq, BinOp::Ne];
                self.b.push(Op::Binary(ops[(k % 5) as usize], x, y), 1)
            }
            6..=8 if ring => return,
            6 => return,
            7 => {
                let ops = [BinOp::UDiv, BinOp::URem, BinOp::SDiv, BinOp::SRem];
                let y = self.adapt(y0, w, k);
                self.b.push(Op::Binary(ops[(k % 4) as usize], x, y), w)
            }
            8 => {
                let ops = [BinOp::And, BinOp::Or, BinOp::Xor];
                let y = self.adapt(y0, w, k);
                self.b.push(Op::Binary(ops[(k % 3) as usize], x, y), w)
            }
            9 | 10 => {
                // Shifts by a secret amount of any width, or by a constant.
                let ops = [
                    BinOp::Shl,
                    BinOp::LShr,
                    BinOp::AShr,
                    BinOp::Rotl,
                    BinOp::Rotr,
                ];
                let amount = if choice == 9 {
                    y0
                } else {
                    self.b.konst(u128::from(k % (2 * u64::from(w) + 3)), 7)
                };
                self.b.push(Op::Binary(ops[(k % 5) as usize], x, amount), w)
            }
            11 | 12 => {
                let ops = [
                    BinOp::Eq,
                    BinOp::Ne,
                    BinOp::Ult,
                    BinOp::Ule,
                    BinOp::Slt,
                    BinOp::Sle,
                ];
                let y = self.adapt(y0, w, k);
                self.b.push(Op::Binary(ops[(k % 6) as usize], x, y), 1)
            }
            13 if w < 128 => {
                let to = (w + 1 + (k % 40) as u32).min(128);
                self.b.push(Op::Zext(x), to)
            }
            14 if w < 128 => {
                let to = (w + 1 + (k % 40) as u32).min(128);
                self.b.push(Op::Sext(x), to)
            }
            15 => self.b.push(Op::Extract(x, (k % u64::from(w)) as u32), 1),
            16 if w + self.width(y0) <= 128 => {
                let y = y0;
                self.b.push(Op::Concat(x, y), w + self.width(y))
            }
            17 => self
                .b
                .konst(u128::from(k) | (u128::from(k) << 64), 1 + (k % 64) as u32),
            18 => {
                // min/max: a comparison and a multiplexer.
                let y = self.adapt(y0, w, k);
                let op = if k % 2 == 0 { BinOp::Ult } else { BinOp::Slt };
                let lt = self.b.push(Op::Binary(op, x, y), 1);
                self.b.push(Op::Mux(lt, x, y), w)
            }
            19 => {
                // Division and remainder of the same operands (one divider).
                let y = self.adapt(y0, w, k);
                let (d, m) = if k % 2 == 0 {
                    (BinOp::UDiv, BinOp::URem)
                } else {
                    (BinOp::SDiv, BinOp::SRem)
                };
                let q = self.b.push(Op::Binary(d, x, y), w);
                self.values.push(q);
                self.b.push(Op::Binary(m, x, y), w)
            }
            20 => {
                let y = self.adapt(y0, w, k);
                let s = self.b.push(Op::Binary(BinOp::Add, x, y), w);
                self.values.push(s);
                self.b.push(Op::Binary(BinOp::Mul, s, y), w)
            }
            _ => return,
        };
        self.values.push(v);
    }
}

/// Builds the module of a recipe.
fn build(r: &Recipe, flavour: Flavour) -> Module {
    let mut b = Builder::new(vec!["p0".into(), "p1".into(), "p2".into()], r.share);
    let mut values = Vec::new();
    let cond = (flavour == Flavour::Ring).then(|| {
        let g = b.add_input(InputDecl {
            party: 0,
            name: "cond".into(),
            ty: ValueType::Bool,
            public: false,
        });
        b.push(Op::Input { group: g, bit: 0 }, 1)
    });
    for (i, &(party, wc, signed, public, array)) in r.inputs.iter().enumerate() {
        let mut w = WIDTHS[wc as usize % WIDTHS.len()];
        if flavour == Flavour::Ring {
            w = w.min(32);
        }
        let scalar = if w == 1 && wc % 2 == 0 {
            ValueType::Bool
        } else {
            ValueType::Int { signed, bits: w }
        };
        let (ty, leaves) = if array {
            let ty = ValueType::Tuple(vec![
                scalar.clone(),
                ValueType::Array {
                    elem: Box::new(scalar.clone()),
                    len: 2,
                },
            ]);
            (ty, 3)
        } else {
            (scalar, 1)
        };
        let g = b.add_input(InputDecl {
            party: usize::from(party),
            name: format!("in{i}"),
            ty,
            public,
        });
        for leaf in 0..leaves {
            values.push(b.push(
                Op::Input {
                    group: g,
                    bit: leaf * w,
                },
                w,
            ));
        }
        if array && flavour == Flavour::All && w > 2 {
            // Bits from the middle of a scalar.
            values.push(b.push(
                Op::Input {
                    group: g,
                    bit: w + 1,
                },
                w - 1,
            ));
        }
    }
    let mut gen = Gen {
        b,
        values,
        flavour,
        cond,
    };
    for &step in &r.insts {
        gen.step(step);
    }
    for (i, &(pick, mask)) in r.outputs.iter().enumerate() {
        let v = gen.pick(pick);
        let w = gen.width(v);
        let ty = if w == 1 {
            ValueType::Bool
        } else {
            ValueType::Int {
                signed: pick % 2 == 0,
                bits: w,
            }
        };
        let recipients = (0..3).filter(|p| mask >> p & 1 == 1).collect();
        gen.b.add_output(OutputDecl {
            name: format!("out{i}"),
            recipients,
            ty,
            values: vec![v],
        });
    }
    gen.b.finish()
}

/// A random value of `ty`.
fn random_value(ty: &ValueType, rng: &mut Rng) -> Value {
    match ty {
        ValueType::Bool => Value::Bool(rng.next_u64() & 1 == 1),
        ValueType::Int { signed, bits } => Value::int(*signed, *bits, rng.value(*bits)),
        ValueType::Array { elem, len } => {
            Value::Array((0..*len).map(|_| random_value(elem, rng)).collect())
        }
        ValueType::Tuple(items) => {
            Value::Tuple(items.iter().map(|t| random_value(t, rng)).collect())
        }
        ValueType::Struct { name, fields } => Value::Struct(
            name.clone(),
            fields
                .iter()
                .map(|(n, t)| (n.clone(), random_value(t, rng)))
                .collect(),
        ),
    }
}

/// Evaluates `c` and the reference on `runs` random inputs.
fn agree(m: &Module, c: &ValidCircuit, seed: u64, runs: usize) -> Result<(), String> {
    let mut rng = Rng(seed);
    for _ in 0..runs {
        let inputs: Vec<Value> = m
            .inputs
            .iter()
            .map(|d| random_value(&d.ty, &mut rng))
            .collect();
        let want = crate::ir::eval::evaluate(m, &inputs);
        let got = evaluate(c, &inputs).map_err(|e| e.to_string())?;
        if got != want {
            return Err(format!(
                "inputs {inputs:?}: circuit gave {got:?}, reference {want:?}"
            ));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn boolean_lowering_matches_the_reference(r in recipe(24), seed in any::<u64>()) {
        let m = build(&r, Flavour::All);
        for optimize in [Optimize::Size, Optimize::Depth] {
            let c = to_boolean(&m, &BoolOptions { optimize });
            let c = c.map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(c.circuit().is_boolean());
            agree(&m, &c, seed, 6).map_err(TestCaseError::fail)?;
        }
    }

    #[test]
    fn mixed_lowering_matches_the_reference(r in recipe(24), seed in any::<u64>(), ring in 0usize..5) {
        let m = build(&r, Flavour::All);
        let k = [64, 32, 16, 8, 1][ring];
        let c = to_arith(&m, true, k).map_err(|e| TestCaseError::fail(e.to_string()))?;
        agree(&m, &c, seed, 6).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn pure_arithmetic_lowering_matches_the_reference(r in recipe(16), seed in any::<u64>(), ring in 0usize..3) {
        let m = build(&r, Flavour::Ring);
        let k = [64, 32, 33][ring];
        let c = to_arith(&m, false, k).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(Stats::of(&c).and, 0);
        prop_assert!(c.circuit().gates.iter().all(|g| !matches!(
            g.kind(),
            veil_circuit::GateKind::BitsToArith | veil_circuit::GateKind::ArithToBits
        )));
        agree(&m, &c, seed, 6).map_err(TestCaseError::fail)?;
    }
}

/// Two 32-bit inputs `a` (party 0) and `b` (party 1); `public` marks both.
fn pair(public: bool) -> (Builder, ValueId, ValueId) {
    let mut b = Builder::new(vec!["alice".into(), "bob".into()], true);
    let ty = ValueType::Int {
        signed: false,
        bits: 32,
    };
    let ga = b.add_input(InputDecl {
        party: 0,
        name: "a".into(),
        ty: ty.clone(),
        public,
    });
    let gb = b.add_input(InputDecl {
        party: 1,
        name: "b".into(),
        ty,
        public,
    });
    let x = b.push(Op::Input { group: ga, bit: 0 }, 32);
    let y = b.push(Op::Input { group: gb, bit: 0 }, 32);
    (b, x, y)
}

fn out(b: &mut Builder, v: ValueId) {
    let w = b.width(v);
    b.add_output(OutputDecl {
        name: format!("o{}", v.0),
        recipients: vec![0, 1],
        ty: if w == 1 {
            ValueType::Bool
        } else {
            ValueType::Int {
                signed: false,
                bits: w,
            }
        },
        values: vec![v],
    });
}

#[test]
fn pure_arithmetic_rejects_boolean_operations_by_name() {
    let (mut b, x, y) = pair(false);
    let lt = b.push(Op::Binary(BinOp::Ult, x, y), 1);
    out(&mut b, lt);
    let m = b.finish();
    match to_arith(&m, false, 64) {
        Err(LowerError::NeedsBoolean { op, at }) => {
            assert_eq!(op, "ult");
            assert_eq!(at, lt);
        }
        other => panic!("expected NeedsBoolean, got {other:?}"),
    }
    let msg = to_arith(&m, false, 64).unwrap_err().to_string();
    assert!(msg.contains("--target mixed"), "{msg}");
    // Mixed lowers it with conversions (or Boolean inputs).
    let c = to_arith(&m, true, 64).unwrap();
    assert_eq!(Stats::of(&c).and, 32);
}

#[test]
fn arithmetic_errors_are_typed() {
    let (mut b, x, y) = pair(false);
    let s = b.push(Op::Binary(BinOp::Add, x, y), 32);
    out(&mut b, s);
    let m = b.finish();
    assert_eq!(to_arith(&m, false, 0), Err(LowerError::RingBits(0)));
    assert_eq!(to_arith(&m, true, 65), Err(LowerError::RingBits(65)));
    assert!(matches!(
        to_arith(&m, false, 16),
        Err(LowerError::TooWide { width: 32, .. })
    ));
    // Narrow rings wrap exactly at the values' own width in mixed mode.
    let c = to_arith(&m, true, 16).unwrap();
    agree(&m, &c, 1, 20).unwrap();
    // A broken module is reported, not lowered.
    let mut broken = m.clone();
    broken.insts[2].width = 7;
    assert!(matches!(
        to_boolean(&broken, &BoolOptions::default()),
        Err(LowerError::InvalidIr(_))
    ));
}

#[test]
fn narrow_values_wrap_at_their_width_in_a_wide_ring() {
    // u8 arithmetic in Z_2^64: (a * b + a) then compared and zero-extended.
    let mut b = Builder::new(vec!["p".into(), "q".into()], true);
    let ty = ValueType::Int {
        signed: false,
        bits: 8,
    };
    let g = b.add_input(InputDecl {
        party: 0,
        name: "a".into(),
        ty: ty.clone(),
        public: false,
    });
    let h = b.add_input(InputDecl {
        party: 0,
        name: "b".into(),
        ty,
        public: false,
    });
    let x = b.push(Op::Input { group: g, bit: 0 }, 8);
    let y = b.push(Op::Input { group: h, bit: 0 }, 8);
    let p = b.push(Op::Binary(BinOp::Mul, x, y), 8);
    let s = b.push(Op::Binary(BinOp::Add, p, x), 8);
    let z = b.push(Op::Zext(s), 16);
    let zz = b.push(Op::Binary(BinOp::Mul, z, z), 16);
    let lt = b.push(Op::Binary(BinOp::Ult, s, x), 1);
    for v in [s, zz, lt] {
        out(&mut b, v);
    }
    let m = b.finish();
    let c = to_arith(&m, true, 64).unwrap();
    let st = Stats::of(&c);
    // Inputs and products in the ring; the sum goes to bits once (for the
    // zero extension and the comparison, whose other operand goes too) and
    // the extended value back once.
    let a = st.arith.unwrap();
    assert_eq!((a.mul, a.conversions), (2, 3));
    assert_eq!(st.and, 8);
    agree(&m, &c, 9, 200).unwrap();
    // The pure target cannot zero-extend a sum (its high ring bits are unknown).
    assert!(matches!(
        to_arith(&m, false, 64),
        Err(LowerError::NeedsBoolean { ref op, at }) if op == "zext" && at == z
    ));
}

#[test]
fn public_values_use_public_wires() {
    let (mut b, x, y) = pair(true);
    let s = b.push(Op::Binary(BinOp::Mul, x, y), 32);
    out(&mut b, s);
    let m = b.finish();
    let c = to_boolean(&m, &BoolOptions::default()).unwrap();
    let circuit = c.circuit();
    assert!(circuit
        .wires
        .iter()
        .all(|w| w.visibility == Visibility::Public));
    let c = to_arith(&m, false, 32).unwrap();
    assert!(c
        .circuit()
        .wires
        .iter()
        .all(|w| w.visibility == Visibility::Public && w.domain == Domain::Arith));
}

#[test]
fn dead_and_duplicate_gates_are_removed() {
    // Built without hash-consing: the IR holds two identical sums and a
    // dead product; the circuit holds one adder.
    let mut b = Builder::new(vec!["alice".into(), "bob".into()], false);
    let ty = ValueType::Int {
        signed: false,
        bits: 32,
    };
    let ga = b.add_input(InputDecl {
        party: 0,
        name: "a".into(),
        ty: ty.clone(),
        public: false,
    });
    let gb = b.add_input(InputDecl {
        party: 1,
        name: "b".into(),
        ty,
        public: false,
    });
    let x = b.push(Op::Input { group: ga, bit: 0 }, 32);
    let y = b.push(Op::Input { group: gb, bit: 0 }, 32);
    let s1 = b.push(Op::Binary(BinOp::Add, x, y), 32);
    let s2 = b.push(Op::Binary(BinOp::Add, y, x), 32);
    b.push(Op::Binary(BinOp::Mul, x, y), 32);
    out(&mut b, s1);
    out(&mut b, s2);
    let m = b.finish();
    let c = to_boolean(&m, &BoolOptions::default()).unwrap();
    assert_eq!(Stats::of(&c).and, 31);
    agree(&m, &c, 4, 20).unwrap();
}

#[test]
fn cleanup_passes_shrink_an_existing_circuit() {
    // A hand-written wasteful circuit: constants, a duplicate AND, a dead AND.
    let mut b = veil_circuit::CircuitBuilder::new(64);
    let p = b.party("p");
    let x = b.input(p, "x", ValueType::Bool, false, Domain::Bool).start;
    let y = b.input(p, "y", ValueType::Bool, false, Domain::Bool).start;
    let one = b.constant(true);
    let x1 = b.and(x, one);
    let a1 = b.and(x1, y);
    let a2 = b.and(y, x);
    let _dead = b.and(a1, a2);
    let r = b.xor(a1, a2);
    let r2 = b.xor(r, a1);
    b.output("r", vec![p], ValueType::Bool, Domain::Bool, [r2]);
    let c = b.finish().unwrap();
    assert_eq!(Stats::of(&c).and, 4);
    let o = optimize_circuit(&c).unwrap();
    assert_eq!(Stats::of(&o).and, 1);
    for bits in 0..4u8 {
        let inputs = [Value::Bool(bits & 1 == 1), Value::Bool(bits & 2 == 2)];
        assert_eq!(
            evaluate(&c, &inputs).unwrap(),
            evaluate(&o, &inputs).unwrap()
        );
    }
}

#[test]
fn scheduling_keeps_few_wires_live() {
    // A 32-bit product: created in order, all 528 partial products would
    // be live at once; the depth-first schedule computes them as needed.
    let (mut b, x, y) = pair(false);
    let p = b.push(Op::Binary(BinOp::Mul, x, y), 32);
    out(&mut b, p);
    let m = b.finish();
    let c = to_boolean(&m, &BoolOptions::default()).unwrap();
    let s = Stats::of(&c);
    assert!(s.peak_live_wires < 250, "{}", s.peak_live_wires);
}

/// Multi-operand additions, which [`to_boolean`] flattens into one column
/// compression: random sums of many narrow operands of mixed widths, joined
/// by `zext`s that make an inner sum flattenable (room for its carry) or not
/// (it wraps at its own width), `trunc`s, constants and reused values, must
/// compute what the reference computes, and most of them must be flattened.
#[test]
fn multi_operand_additions_match_the_reference() {
    let mut rng = Rng(0x00c0_ffee);
    let mut flattened = 0;
    for case in 0..60u64 {
        let mut b = Builder::new(vec!["alice".into(), "bob".into()], false);
        let mut pool = Vec::new();
        for j in 0..3 + rng.next_u64() % 24 {
            let w = [1, 1, 1, 2, 3, 5, 8][(rng.next_u64() % 7) as usize];
            let g = b.add_input(InputDecl {
                party: (j % 2) as usize,
                name: format!("x{j}"),
                ty: if w == 1 {
                    ValueType::Bool
                } else {
                    ValueType::Int {
                        signed: false,
                        bits: w,
                    }
                },
                public: false,
            });
            pool.push(b.push(Op::Input { group: g, bit: 0 }, w));
        }
        while pool.len() > 1 {
            let x = pool.swap_remove((rng.next_u64() % pool.len() as u64) as usize);
            let y = pool.swap_remove((rng.next_u64() % pool.len() as u64) as usize);
            // Room for the carry (flattenable), none (may wrap), or more.
            let w = b.width(x).max(b.width(y)) + [0, 1, 1, 2][(rng.next_u64() % 4) as usize];
            let widen = |b: &mut Builder, v: ValueId| {
                if b.width(v) < w {
                    b.push(Op::Zext(v), w)
                } else {
                    v
                }
            };
            let (x, y) = (widen(&mut b, x), widen(&mut b, y));
            let mut s = b.push(Op::Binary(BinOp::Add, x, y), w);
            match rng.next_u64() % 8 {
                0 => {
                    let k = b.konst(u128::from(rng.next_u64()), w);
                    s = b.push(Op::Binary(BinOp::Add, s, k), w);
                }
                1 if w > 1 => s = b.push(Op::Trunc(s), w - 1),
                // Used again: a leaf of every tree that reaches it.
                2 => pool.push(x),
                3 => out(&mut b, s),
                _ => {}
            }
            pool.push(s);
        }
        let root = pool[0];
        let w = b.width(root);
        let wide = b.push(Op::Zext(root), w + 3);
        let k = b.konst(u128::from(case), w + 3);
        let r = b.push(Op::Binary(BinOp::Add, wide, k), w + 3);
        out(&mut b, r);
        let m = b.finish();
        let trees = boolean::AddTrees::plan(&m);
        if (0..m.insts.len()).any(|i| trees.is_root(i) && trees.leaves(i).len() > 2) {
            flattened += 1;
        }
        for optimize in [Optimize::Size, Optimize::Depth] {
            let c = to_boolean(&m, &BoolOptions { optimize }).expect("lowers");
            agree(&m, &c, case, 24).unwrap_or_else(|e| panic!("case {case} ({optimize:?}): {e}"));
        }
    }
    assert!(
        flattened >= 40,
        "only {flattened} of 60 sums were flattened"
    );
}

/// A balanced tree of narrow sums of one-bit values is flattened into one
/// compression of all the bits, and a duplicated sum (identical instructions, which the
/// netlist shares) is not flattened twice.
#[test]
fn sums_of_bits_are_compressed_and_shared_sums_are_not_flattened() {
    let mut b = Builder::new(vec!["alice".into(), "bob".into()], false);
    let g = b.add_input(InputDecl {
        party: 0,
        name: "x".into(),
        ty: ValueType::Array {
            elem: Box::new(ValueType::Bool),
            len: 16,
        },
        public: false,
    });
    let mut level: Vec<ValueId> = (0..16)
        .map(|i| b.push(Op::Input { group: g, bit: i }, 1))
        .collect();
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|p| {
                let w = b.width(p[0]) + 1;
                let x = b.push(Op::Zext(p[0]), w);
                let y = b.push(Op::Zext(p[1]), w);
                b.push(Op::Binary(BinOp::Add, x, y), w)
            })
            .collect();
    }
    out(&mut b, level[0]);
    let m = b.finish();
    let trees = boolean::AddTrees::plan(&m);
    let root = level[0].index();
    assert!(trees.is_root(root));
    assert_eq!(trees.leaves(root).len(), 16);
    let c = to_boolean(&m, &BoolOptions::default()).expect("lowers");
    // 16 bits into 5: Dadda's full and half adders, then a short final
    // adder, 18 ANDs (a full adder removes one bit, so at least 11).
    assert!(Stats::of(&c).and <= 18, "{} ANDs", Stats::of(&c).and);
    agree(&m, &c, 7, 32).unwrap();

    let (mut b, x, y) = pair(false);
    let s1 = b.push(Op::Binary(BinOp::Add, x, y), 32);
    let s2 = b.push(Op::Binary(BinOp::Add, x, y), 32);
    let t = b.push(Op::Binary(BinOp::Add, s1, s2), 32);
    out(&mut b, t);
    let m = b.finish();
    assert!(!boolean::AddTrees::plan(&m).is_root(t.index()));
}
