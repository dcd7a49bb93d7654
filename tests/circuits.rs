//! Gate-count and depth expectations: each row of `tests/circuits/costs.toml`
//! names a small two-party program built directly as IR (32-bit operands
//! from alice and bob unless stated) or, for the `.mpc` programs of
//! `tests/circuits/programs/`, through the driver at -O2, the lowering options, and the exact
//! AND count and AND-depth it must reach, plus the published target it must
//! stay within. A cost regression (or an improvement not yet recorded)
//! fails the test; the table of what was reached is printed either way
//! (`cargo test --test circuits -- --nocapture`).

use std::path::Path;

use serde::Deserialize;
use veil_circuit::{evaluate, Stats, ValidCircuit, Value, ValueType};
use veil_compiler::driver::{check_file, compile_program, CompileOptions};
use veil_compiler::ir::builder::Builder;
use veil_compiler::ir::{BinOp, InputDecl, Module, Op, OutputDecl, ValueId};
use veil_compiler::lower::{to_arith, to_boolean, BoolOptions, Optimize};

#[derive(Debug, Deserialize)]
struct Table {
    #[serde(rename = "case")]
    cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
struct Case {
    /// Which program (see `program`).
    program: String,
    /// `size` or `depth`.
    optimize: String,
    /// Exact AND count reached.
    and: u64,
    /// Exact AND-depth reached.
    depth: u64,
    /// The published target the count must stay within, if any.
    #[serde(default)]
    max_and: Option<u64>,
    /// The target the depth must stay within, if any.
    #[serde(default)]
    max_depth: Option<u64>,
}

fn int(signed: bool, bits: u32) -> ValueType {
    ValueType::Int { signed, bits }
}

/// A builder with alice's `a` and bob's `b`, both `width` bits.
fn two_party(width: u32, signed: bool) -> (Builder, ValueId, ValueId) {
    let mut b = Builder::new(vec!["alice".into(), "bob".into()], true);
    let ga = b.add_input(InputDecl {
        party: 0,
        name: "a".into(),
        ty: int(signed, width),
        public: false,
    });
    let gb = b.add_input(InputDecl {
        party: 1,
        name: "b".into(),
        ty: int(signed, width),
        public: false,
    });
    let a = b.push(Op::Input { group: ga, bit: 0 }, width);
    let y = b.push(Op::Input { group: gb, bit: 0 }, width);
    (b, a, y)
}

/// Declares `v` as an output to both parties.
fn output(b: &mut Builder, name: &str, v: ValueId, signed: bool) {
    let w = b.width(v);
    let ty = if w == 1 {
        ValueType::Bool
    } else {
        int(signed, w)
    };
    b.add_output(OutputDecl {
        name: name.into(),
        recipients: vec![0, 1],
        ty,
        values: vec![v],
    });
}

/// The programs of the table, by name.
fn program(name: &str) -> Module {
    let bin = |op: BinOp| {
        let (mut b, x, y) = two_party(32, false);
        let w = if op.is_comparison() { 1 } else { 32 };
        let r = b.push(Op::Binary(op, x, y), w);
        output(&mut b, "r", r, false);
        b.finish()
    };
    match name {
        "add" => bin(BinOp::Add),
        "sub" => bin(BinOp::Sub),
        "mul" => bin(BinOp::Mul),
        "lt_u" => bin(BinOp::Ult),
        "lt_s" => {
            let (mut b, x, y) = two_party(32, true);
            let r = b.push(Op::Binary(BinOp::Slt, x, y), 1);
            output(&mut b, "r", r, true);
            b.finish()
        }
        "eq" => bin(BinOp::Eq),
        "shl_secret" => bin(BinOp::Shl),
        "divrem_u" | "divrem_s" => {
            let signed = name == "divrem_s";
            let (mut b, x, y) = two_party(32, signed);
            let (d, r) = if signed {
                (BinOp::SDiv, BinOp::SRem)
            } else {
                (BinOp::UDiv, BinOp::URem)
            };
            let q = b.push(Op::Binary(d, x, y), 32);
            let r = b.push(Op::Binary(r, x, y), 32);
            output(&mut b, "q", q, signed);
            output(&mut b, "r", r, signed);
            b.finish()
        }
        "min_u" => {
            let (mut b, x, y) = two_party(32, false);
            let lt = b.push(Op::Binary(BinOp::Ult, x, y), 1);
            let m = b.push(Op::Mux(lt, x, y), 32);
            output(&mut b, "min", m, false);
            b.finish()
        }
        "sum_twice_dead_mul" => {
            // (a + b) + (a + b) with an unused product beside it; built
            // without hash-consing so the duplicate sum reaches lowering.
            let mut b = Builder::new(vec!["alice".into(), "bob".into()], false);
            let ga = b.add_input(InputDecl {
                party: 0,
                name: "a".into(),
                ty: int(false, 32),
                public: false,
            });
            let gb = b.add_input(InputDecl {
                party: 1,
                name: "b".into(),
                ty: int(false, 32),
                public: false,
            });
            let x = b.push(Op::Input { group: ga, bit: 0 }, 32);
            let y = b.push(Op::Input { group: gb, bit: 0 }, 32);
            let s1 = b.push(Op::Binary(BinOp::Add, x, y), 32);
            let s2 = b.push(Op::Binary(BinOp::Add, x, y), 32);
            let _unused = b.push(Op::Binary(BinOp::Mul, x, y), 32);
            let t = b.push(Op::Binary(BinOp::Add, s1, s2), 32);
            output(&mut b, "t", t, false);
            b.finish()
        }
        "mul_const_1000" => {
            let (mut b, x, _) = two_party(32, false);
            let k = b.konst(1000, 32);
            let r = b.push(Op::Binary(BinOp::Mul, x, k), 32);
            output(&mut b, "r", r, false);
            b.finish()
        }
        "add_const_1" => {
            let (mut b, x, _) = two_party(32, false);
            let k = b.konst(1, 32);
            let r = b.push(Op::Binary(BinOp::Add, x, k), 32);
            output(&mut b, "r", r, false);
            b.finish()
        }
        "mul64" => {
            let (mut b, x, y) = two_party(64, false);
            let r = b.push(Op::Binary(BinOp::Mul, x, y), 64);
            output(&mut b, "r", r, false);
            b.finish()
        }
        "hamming160" => mpc_program("hamming160"),
        "psi64" => mpc_program("psi64"),
        other => panic!("unknown program `{other}` in tests/circuits/costs.toml"),
    }
}

/// The IR of `tests/circuits/programs/NAME.mpc` after the default (-O2)
/// passes, as the driver leaves it for lowering.
fn mpc_program(name: &str) -> Module {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/circuits/programs")
        .join(format!("{name}.mpc"));
    let checked = check_file(&path).expect("the program file reads");
    let program = checked.program.expect("the program checks");
    compile_program(&program, &CompileOptions::default())
        .expect("the program compiles")
        .ir
}

fn lower(m: &Module, optimize: &str) -> ValidCircuit {
    let optimize = match optimize {
        "size" => Optimize::Size,
        "depth" => Optimize::Depth,
        other => panic!("unknown optimize `{other}`"),
    };
    to_boolean(m, &BoolOptions { optimize }).expect("lowers")
}

#[test]
fn gate_counts_and_depths_match_the_table() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/circuits/costs.toml");
    let text = std::fs::read_to_string(&path).expect("tests/circuits/costs.toml exists");
    let table: Table = toml::from_str(&text).expect("the table parses");
    println!(
        "{:<20} {:<6} {:>7} {:>6} {:>9} {:>6} {:>6} {:>6}",
        "program", "opt", "and", "depth", "target", "xor", "not", "peak"
    );
    let mut failures = Vec::new();
    for c in &table.cases {
        let circuit = lower(&program(&c.program), &c.optimize);
        let s = Stats::of(&circuit);
        println!(
            "{:<20} {:<6} {:>7} {:>6} {:>9} {:>6} {:>6} {:>6}",
            c.program,
            c.optimize,
            s.and,
            s.and_depth,
            match (c.max_and, c.max_depth) {
                (Some(a), Some(d)) => format!("{a}@{d}"),
                (Some(a), None) => a.to_string(),
                (None, Some(d)) => format!("@{d}"),
                (None, None) => "-".to_string(),
            },
            s.xor,
            s.not,
            s.peak_live_wires
        );
        if c.max_and.is_some_and(|a| s.and > a) || c.max_depth.is_some_and(|d| s.and_depth > d) {
            failures.push(format!(
                "{} ({}): {} AND at depth {} misses the target {:?} AND at depth {:?}",
                c.program, c.optimize, s.and, s.and_depth, c.max_and, c.max_depth
            ));
        }
        if (s.and, s.and_depth) != (c.and, c.depth) {
            failures.push(format!(
                "{} ({}): {} AND at depth {}, the table records {} at depth {}",
                c.program, c.optimize, s.and, s.and_depth, c.and, c.depth
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every program of the table still computes the right thing.
#[test]
fn table_programs_compute_the_reference_results() {
    let pairs: [(u128, u128); 6] = [
        (0, 0),
        (7, 3),
        (0xffff_ffff, 1),
        (0x8000_0000, 0xffff_ffff),
        (123_456_789, 0),
        (0xdead_beef, 0x1234),
    ];
    for name in [
        "add",
        "sub",
        "mul",
        "lt_u",
        "lt_s",
        "eq",
        "shl_secret",
        "divrem_u",
        "divrem_s",
        "min_u",
        "sum_twice_dead_mul",
        "mul_const_1000",
        "add_const_1",
    ] {
        let m = program(name);
        for optimize in ["size", "depth"] {
            let c = lower(&m, optimize);
            for &(x, y) in &pairs {
                let inputs: Vec<Value> = m
                    .inputs
                    .iter()
                    .zip([x, y])
                    .map(|(d, v)| match d.ty {
                        ValueType::Int { signed, bits } => Value::int(signed, bits, v),
                        _ => Value::Bool(v & 1 == 1),
                    })
                    .collect();
                let want = veil_compiler::ir::eval::evaluate(&m, &inputs);
                let got = evaluate(&c, &inputs).expect("evaluates");
                assert_eq!(got, want, "{name} ({optimize}) on {x:#x}, {y:#x}");
            }
        }
    }
    // hamming160 (a tree of narrow additions flattened into one column
    // compression) on random and extreme bit vectors.
    let m = program("hamming160");
    for optimize in ["size", "depth"] {
        let c = lower(&m, optimize);
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for run in 0..8 {
            let inputs: Vec<Value> = m
                .inputs
                .iter()
                .map(|_| {
                    Value::Array(
                        (0..160)
                            .map(|_| {
                                state ^= state << 13;
                                state ^= state >> 7;
                                state ^= state << 17;
                                Value::Bool(match run {
                                    0 => false,
                                    1 => true,
                                    _ => state & 1 == 1,
                                })
                            })
                            .collect(),
                    )
                })
                .collect();
            let want = veil_compiler::ir::eval::evaluate(&m, &inputs);
            let got = evaluate(&c, &inputs).expect("evaluates");
            assert_eq!(got, want, "hamming160 ({optimize}), run {run}");
        }
    }
    // The pure arithmetic target multiplies with one gate.
    let m = program("mul");
    let c = to_arith(&m, false, 32).expect("lowers");
    let s = Stats::of(&c);
    assert_eq!(s.arith.map(|a| a.mul), Some(1));
    assert_eq!(s.and, 0);
}
