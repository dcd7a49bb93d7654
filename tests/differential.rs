//! Differential property test: random well-typed programs and random inputs;
//! the reference interpreter and every compiled form must agree.
//!
//! Case counts are moderate by default; set `PROPTEST_CASES` for more.

use std::path::Path;
use veil_vm::BackendKind;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use veil_circuit::binding::GivenInput;
use veil_circuit::bristol::{self, BitOrder, BristolOptions};
use veil_circuit::value::{Literal, Value};
use veil_circuit::{vc, ValidCircuit};
use veil_compiler::driver::{self, CompileOptions, Target};
use veil_compiler::ir;
use veil_compiler::lower::from_ast::lower_program;
use veil_compiler::lower::{to_arith, to_boolean, BoolOptions, Optimize};
use veil_compiler::passes::{OptLevel, Plan};

/// A scalar type of the generated programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum T {
    Bool,
    U(u32),
    I(u32),
}

impl T {
    fn name(self) -> String {
        match self {
            T::Bool => "bool".into(),
            T::U(w) => format!("u{w}"),
            T::I(w) => format!("i{w}"),
        }
    }
}

const INT_TYPES: [T; 6] = [T::U(8), T::U(16), T::U(32), T::I(8), T::I(16), T::U(64)];

/// An input of a generated program: party, name, scalar type, array length.
type InputSpec = (String, String, T, Option<u32>);

/// Generates a program as text from a stream of random choices.
struct Gen<'a> {
    rand: &'a [u32],
    pos: usize,
    vars: Vec<(String, T)>,
    arrays: Vec<(String, T, u32)>,
    out: String,
    counter: usize,
}

impl Gen<'_> {
    fn pick(&mut self, n: usize) -> usize {
        let r = self.rand[self.pos % self.rand.len()] as usize;
        self.pos += 1;
        if n == 0 {
            0
        } else {
            r % n
        }
    }

    fn literal(&mut self, t: T) -> String {
        let r = self.rand[self.pos % self.rand.len()];
        self.pos += 1;
        match t {
            T::Bool => (r % 2 == 1).to_string(),
            T::U(w) => format!("{}u{w}", u64::from(r) & ((1u64 << w.min(63)) - 1)),
            T::I(w) => {
                let half = 1i64 << (w - 1);
                let v = i64::from(r) % half;
                let v = if r.is_multiple_of(3) { -v } else { v };
                if v < 0 {
                    format!("({v}i{w})")
                } else {
                    format!("{v}i{w}")
                }
            }
        }
    }

    fn var_of(&mut self, t: T) -> Option<String> {
        let candidates: Vec<String> = self
            .vars
            .iter()
            .filter(|(_, vt)| *vt == t)
            .map(|(n, _)| n.clone())
            .collect();
        if candidates.is_empty() {
            None
        } else {
            let i = self.pick(candidates.len());
            Some(candidates[i].clone())
        }
    }

    fn expr(&mut self, t: T, depth: u32) -> String {
        let leaf = depth == 0 || self.pick(4) == 0;
        if leaf {
            return match self.var_of(t) {
                Some(v) if self.pick(4) != 0 => v,
                _ => self.literal(t),
            };
        }
        let d = depth - 1;
        match t {
            T::Bool => match self.pick(6) {
                0 => {
                    let it = INT_TYPES[self.pick(INT_TYPES.len())];
                    let op = ["==", "!=", "<", "<=", ">", ">="][self.pick(6)];
                    format!("({} {op} {})", self.expr(it, d), self.expr(it, d))
                }
                1 => format!("({} && {})", self.expr(T::Bool, d), self.expr(T::Bool, d)),
                2 => format!("({} || {})", self.expr(T::Bool, d), self.expr(T::Bool, d)),
                3 => format!("!{}", self.expr(T::Bool, d)),
                4 => format!("({} ^ {})", self.expr(T::Bool, d), self.expr(T::Bool, d)),
                _ => {
                    let it = INT_TYPES[self.pick(INT_TYPES.len())];
                    let w = match it {
                        T::U(w) | T::I(w) => w,
                        T::Bool => 1,
                    };
                    format!(
                        "bit({}, {}u32)",
                        self.expr(it, d),
                        self.pick(w as usize + 2)
                    )
                }
            },
            T::U(w) | T::I(w) => match self.pick(12) {
                0..=3 => {
                    let op = ["+", "-", "*", "/", "%", "&", "|", "^"][self.pick(8)];
                    format!("({} {op} {})", self.expr(t, d), self.expr(t, d))
                }
                4 => {
                    let op = ["<<", ">>"][self.pick(2)];
                    let amount = if self.pick(2) == 0 {
                        format!("{}u8", self.pick(w as usize + 3))
                    } else {
                        self.expr(T::U(8), d)
                    };
                    format!("({} {op} {amount})", self.expr(t, d))
                }
                5 => {
                    let from = INT_TYPES[self.pick(INT_TYPES.len())];
                    format!("({} as {})", self.expr(from, d), t.name())
                }
                6 => format!(
                    "mux({}, {}, {})",
                    self.expr(T::Bool, d),
                    self.expr(t, d),
                    self.expr(t, d)
                ),
                7 => format!(
                    "(if {} {{ {} }} else {{ {} }})",
                    self.expr(T::Bool, d),
                    self.expr(t, d),
                    self.expr(t, d)
                ),
                8 => format!(
                    "{}({}, {})",
                    ["min", "max"][self.pick(2)],
                    self.expr(t, d),
                    self.expr(t, d)
                ),
                9 => match (t, self.pick(2)) {
                    (T::I(_), 0) => format!("-({})", self.expr(t, d)),
                    (_, 0) => format!("(0{} - {})", t.name(), self.expr(t, d)),
                    _ => format!("~({})", self.expr(t, d)),
                },
                10 => {
                    let arrays: Vec<(String, u32)> = self
                        .arrays
                        .iter()
                        .filter(|(_, at, _)| *at == t)
                        .map(|(n, _, l)| (n.clone(), *l))
                        .collect();
                    if arrays.is_empty() {
                        self.expr(t, d)
                    } else {
                        let (name, len) = arrays[self.pick(arrays.len())].clone();
                        let idx = if self.pick(2) == 0 {
                            format!("{}u32", self.pick(len as usize))
                        } else {
                            self.secret_index(d)
                        };
                        format!("{name}[{idx}]")
                    }
                }
                _ => format!(
                    "{}({}, {}u8)",
                    ["rotl", "rotr"][self.pick(2)],
                    self.expr(t, d),
                    self.pick(70)
                ),
            },
        }
    }

    /// An index that depends on an input (so it is not a compile-time
    /// constant), in or out of range.
    fn secret_index(&mut self, depth: u32) -> String {
        format!("((xs[0] as u8) ^ {})", self.expr(T::U(8), depth))
    }

    fn fresh(&mut self) -> String {
        self.counter += 1;
        format!("v{}", self.counter)
    }

    fn program(&mut self) -> (String, Vec<InputSpec>) {
        let mut inputs = Vec::new();
        let mut params = Vec::new();
        for (i, party) in ["alice", "bob"].iter().enumerate() {
            for k in 0..2 {
                let t = if self.pick(5) == 0 {
                    T::Bool
                } else {
                    INT_TYPES[self.pick(INT_TYPES.len())]
                };
                let name = format!("{}{}", ["a", "b"][i], k);
                params.push(format!("{name}: {} from {party}", t.name()));
                self.vars.push((name.clone(), t));
                inputs.push((party.to_string(), name, t, None));
            }
        }
        let at = INT_TYPES[self.pick(INT_TYPES.len())];
        params.push(format!("xs: [{}; 5] from alice", at.name()));
        self.arrays.push(("xs".into(), at, 5));
        inputs.push(("alice".into(), "xs".into(), at, Some(5)));
        self.out.push_str("party alice;\nparty bob;\n\nfn main(");
        self.out.push_str(&params.join(", "));
        self.out.push_str(") {\n");
        let stmts = 2 + self.pick(5);
        for _ in 0..stmts {
            match self.pick(5) {
                0 => {
                    // A secret accumulator updated in a loop under a condition.
                    let t = INT_TYPES[self.pick(INT_TYPES.len())];
                    let name = self.fresh();
                    let init = self.expr(t, 1);
                    let cond = self.expr(T::Bool, 2);
                    let step = self.expr(t, 2);
                    let n = 1 + self.pick(3);
                    self.out.push_str(&format!(
                        "    let mut {name}: secret {} = {init};\n    for i in 0..{n} {{\n        if {cond} {{ {name} = {name} + {step}; }} else {{ {name} = {name} ^ (i as {}); }}\n    }}\n",
                        t.name(),
                        t.name()
                    ));
                    self.vars.push((name, t));
                }
                1 => {
                    // A write through a (possibly secret) index.
                    let (arr, t, len) = self.arrays[0].clone();
                    let copy = self.fresh();
                    let idx = if self.pick(2) == 0 {
                        format!("{}u32", self.pick(len as usize))
                    } else {
                        self.secret_index(1)
                    };
                    let val = self.expr(t, 2);
                    self.out.push_str(&format!("    let mut {copy}: [secret {}; {len}] = {arr};\n    {copy}[{idx}] = {val};\n", t.name()));
                    self.arrays.push((copy, t, len));
                }
                _ => {
                    let t = if self.pick(4) == 0 {
                        T::Bool
                    } else {
                        INT_TYPES[self.pick(INT_TYPES.len())]
                    };
                    let name = self.fresh();
                    let e = self.expr(t, 3);
                    self.out.push_str(&format!("    let {name} = {e};\n"));
                    self.vars.push((name, t));
                }
            }
        }
        for (k, (name, _)) in self.vars.clone().iter().rev().take(4).enumerate() {
            self.out
                .push_str(&format!("    output o{k} = reveal({name});\n"));
        }
        let last_array = self
            .arrays
            .last()
            .map(|(n, _, _)| n.clone())
            .unwrap_or_default();
        self.out.push_str(&format!(
            "    output arr = reveal({last_array}) to bob;\n}}\n"
        ));
        (std::mem::take(&mut self.out), inputs)
    }
}

fn input_text(t: T, r: u64) -> String {
    match t {
        T::Bool => (r % 2 == 1).to_string(),
        T::U(64) => r.to_string(),
        T::U(w) => (r & ((1u64 << w) - 1)).to_string(),
        T::I(w) => {
            let v = (r & ((1u64 << w) - 1)) as i64 - (1i64 << (w - 1));
            v.to_string()
        }
    }
}

fn fail(e: &dyn std::fmt::Display, src: &str) -> TestCaseError {
    TestCaseError::fail(format!("{e}\n{src}"))
}

/// The circuit gives the same outputs after a `.vc` round trip and after a
/// Bristol export and import (which keeps only bits).
fn check_round_trips(
    circuit: &ValidCircuit,
    values: &[Value],
    expected: &[Value],
    src: &str,
) -> Result<(), TestCaseError> {
    let decoded = vc::decode(&vc::encode(circuit.circuit())).map_err(|e| fail(&e, src))?;
    let decoded = ValidCircuit::new(decoded).map_err(|e| fail(&e, src))?;
    let got = veil_circuit::evaluate(&decoded, values).map_err(|e| fail(&e, src))?;
    prop_assert_eq!(&got, expected, ".vc round trip differs on\n{}", src);
    let text = bristol::write(circuit, BitOrder::LsbFirst).map_err(|e| fail(&e, src))?;
    let reread = bristol::read(&text, &BristolOptions::default()).map_err(|e| fail(&e, src))?;
    let flat: Vec<bool> = values.iter().flat_map(Value::to_bits).collect();
    let mut split = Vec::new();
    let mut at = 0;
    for g in &reread.circuit().inputs {
        let w = g.ty.bit_width() as usize;
        split.push(flat[at..at + w].to_vec());
        at += w;
    }
    let got_bits = veil_circuit::evaluate_bits(&reread, &split).map_err(|e| fail(&e, src))?;
    let want_bits: Vec<bool> = expected.iter().flat_map(Value::to_bits).collect();
    prop_assert_eq!(
        got_bits.concat(),
        want_bits,
        "Bristol round trip differs on\n{}",
        src
    );
    Ok(())
}

fn check(rand: &[u32], values: &[u64]) -> Result<(), TestCaseError> {
    let mut g = Gen {
        rand,
        pos: 0,
        vars: Vec::new(),
        arrays: Vec::new(),
        out: String::new(),
        counter: 0,
    };
    let (src, inputs) = g.program();
    let c = driver::check_source(Path::new("random.mpc"), src.clone());
    let errors: Vec<String> = c
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.to_string())
        .collect();
    prop_assert!(
        errors.is_empty(),
        "generated program does not check: {errors:?}\n{src}"
    );
    let Some(program) = c.program else {
        return Err(TestCaseError::fail("no program"));
    };
    let mut vi = 0;
    let mut next = || {
        vi += 1;
        values[vi % values.len()].wrapping_mul(0x9e37_79b9_7f4a_7c15 ^ vi as u64)
    };
    let given: Vec<GivenInput> = inputs
        .iter()
        .map(|(party, name, t, len)| {
            let text = match len {
                None => input_text(*t, next()),
                Some(n) => format!(
                    "[{}]",
                    (0..*n)
                        .map(|_| input_text(*t, next()))
                        .collect::<Vec<_>>()
                        .join(",")
                ),
            };
            GivenInput {
                party: Some(party.clone()),
                name: name.clone(),
                value: Literal::parse(&text).expect("valid literal"),
            }
        })
        .collect();
    let expected = driver::run_interp(&program, &given)
        .map_err(|e| TestCaseError::fail(format!("{e}\n{src}")))?;
    let slots = driver::input_slots(&program);
    let values: Vec<Value> =
        veil_circuit::binding::bind_inputs(&driver::party_names(&program), &slots, &given)
            .expect("inputs bind");
    for share in [false, true] {
        let module = lower_program(&program, share).map_err(|d| fail(&d, &src))?;
        if let Err(errs) = ir::verify::verify(&module) {
            return Err(fail(&format!("IR does not verify: {errs:?}"), &src));
        }
        let got = ir::eval::evaluate(&module, &values);
        prop_assert_eq!(
            &got,
            &expected,
            "IR (share={}) differs from the interpreter on\n{}",
            share,
            src
        );
        for optimize in [Optimize::Size, Optimize::Depth] {
            let circuit =
                to_boolean(&module, &BoolOptions { optimize }).map_err(|e| fail(&e, &src))?;
            let got = veil_circuit::evaluate(&circuit, &values).map_err(|e| fail(&e, &src))?;
            prop_assert_eq!(
                &got,
                &expected,
                "Boolean circuit ({:?}) differs on\n{}",
                optimize,
                src
            );
            check_round_trips(&circuit, &values, &expected, &src)?;
        }
        let mixed = to_arith(&module, true, 64).map_err(|e| fail(&e, &src))?;
        let got = veil_circuit::evaluate(&mixed, &values).map_err(|e| fail(&e, &src))?;
        prop_assert_eq!(&got, &expected, "mixed circuit differs on\n{}", src);
    }
    // The whole pipeline, with the IR passes, at every level and for every target.
    for level in [OptLevel::O0, OptLevel::O1, OptLevel::O2] {
        for target in [Target::Bool, Target::Mixed] {
            let mut plan = Plan::level(level);
            plan.verify_each = true;
            let opts = CompileOptions {
                target,
                plan,
                ..CompileOptions::default()
            };
            let compiled = driver::compile_program(&program, &opts).map_err(|e| fail(&e, &src))?;
            prop_assert_eq!(
                &ir::eval::evaluate(&compiled.ir, &values),
                &expected,
                "IR after {:?} differs on\n{}",
                level,
                src
            );
            let got =
                veil_circuit::evaluate(&compiled.circuit, &values).map_err(|e| fail(&e, &src))?;
            prop_assert_eq!(
                &got,
                &expected,
                "{:?} circuit at {:?} differs on\n{}",
                target,
                level,
                src
            );
            if target == Target::Bool {
                check_round_trips(&compiled.circuit, &values, &expected, &src)?;
            }
            if target == Target::Mixed && level == OptLevel::O2 {
                for kind in [BackendKind::Arith, BackendKind::Rep3] {
                    check_protocol(kind, &compiled.circuit, &values, &expected, &src)?;
                }
            }
            if target == Target::Bool && level == OptLevel::O2 {
                check_protocol(BackendKind::Gc, &compiled.circuit, &values, &expected, &src)?;
                check_protocol(
                    BackendKind::Gmw,
                    &compiled.circuit,
                    &values,
                    &expected,
                    &src,
                )?;
            }
        }
    }
    Ok(())
}

/// Runs a protocol in local mode: each party must receive exactly its outputs,
/// equal to the interpreter's.
fn check_protocol(
    kind: BackendKind,
    circuit: &veil_circuit::ValidCircuit,
    values: &[Value],
    expected: &[Value],
    src: &str,
) -> Result<(), TestCaseError> {
    let circuit = std::sync::Arc::new(circuit.clone());
    let protocol =
        veil_vm::prepare(kind, std::sync::Arc::clone(&circuit)).map_err(|e| fail(&e, src))?;
    let run = veil_vm::run_local(
        &protocol,
        &circuit,
        values,
        veil_vm::LocalOptions::default(),
    )
    .map_err(|e| fail(&e, src))?;
    for (p, got) in run.outputs.iter().enumerate() {
        let want: Vec<Option<Value>> = circuit
            .circuit()
            .outputs
            .iter()
            .zip(expected)
            .map(|(g, v)| g.recipients.contains(&(p as u32)).then(|| v.clone()))
            .collect();
        prop_assert_eq!(
            got,
            &want,
            "{} differs for party {} on\n{}",
            kind.name(),
            p,
            src
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn compiled_forms_agree_with_the_interpreter(
        rand in proptest::collection::vec(any::<u32>(), 64..256),
        values in proptest::collection::vec(any::<u64>(), 4..16),
    ) {
        check(&rand, &values)?;
    }
}
