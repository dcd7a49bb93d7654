//! Programs checked, compiled and run in-process, for the property tests of
//! the standard library: each case runs the reference interpreter and every
//! compiled circuit, which must agree (with each other and with the test's
//! own reference).

use std::path::Path;

use proptest::test_runner::{Config, TestCaseError, TestRunner};
use veil_circuit::binding::{bind_inputs, GivenInput};
use veil_circuit::value::{Literal, Value};
use veil_circuit::{Stats, ValidCircuit};
use veil_compiler::driver::{self, CompileOptions, Target};
use veil_compiler::sema::Program;

/// A checked program and its circuits (default options: -O2) for some targets.
pub struct Prog {
    pub src: String,
    pub program: Program,
    pub circuits: Vec<(Target, ValidCircuit)>,
}

/// An input as tests write it: (party, input name, literal text).
pub type Input<'a> = (&'a str, &'a str, String);

impl Prog {
    /// Checks `src` (named `path` in diagnostics) and compiles it for `targets`.
    pub fn new(path: &Path, src: String, targets: &[Target]) -> Prog {
        let c = driver::check_source(path, src.clone());
        let errors: Vec<String> = c
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(ToString::to_string)
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}\n{src}", path.display());
        let program = c.program.expect("the program checks");
        let circuits = targets
            .iter()
            .map(|&target| {
                let opts = CompileOptions {
                    target,
                    ..CompileOptions::default()
                };
                let compiled = driver::compile_program(&program, &opts).expect("compiles");
                (target, compiled.circuit)
            })
            .collect();
        Prog {
            src,
            program,
            circuits,
        }
    }

    /// [`Prog::new`] for a Boolean circuit only, from source text.
    pub fn boolean(src: &str) -> Prog {
        Prog::new(Path::new("prop.mpc"), src.to_string(), &[Target::Bool])
    }

    /// [`Prog::new`] for a file of the repository.
    pub fn file(path: &str, targets: &[Target]) -> Prog {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        let text = std::fs::read_to_string(&path).expect("the program reads");
        Prog::new(&path, text, targets)
    }

    /// The AND gates of the first circuit.
    pub fn and_count(&self) -> u64 {
        self.circuits.first().map_or(0, |(_, c)| Stats::of(c).and)
    }

    /// Runs the interpreter and every circuit on `inputs`; they must agree.
    /// Returns the outputs.
    pub fn run(&self, inputs: &[Input<'_>]) -> Result<Vec<Value>, TestCaseError> {
        let given = inputs
            .iter()
            .map(|(party, name, text)| {
                Ok(GivenInput {
                    party: Some((*party).to_string()),
                    name: (*name).to_string(),
                    value: Literal::parse(text)
                        .map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?,
                })
            })
            .collect::<Result<Vec<_>, TestCaseError>>()?;
        let interp = driver::run_interp(&self.program, &given)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{}", self.src)))?;
        let values = bind_inputs(
            &driver::party_names(&self.program),
            &driver::input_slots(&self.program),
            &given,
        )
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
        for (target, circuit) in &self.circuits {
            let got = veil_circuit::evaluate(circuit, &values)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            if got != interp {
                return Err(TestCaseError::fail(format!(
                    "the {target:?} circuit gives {got:?}, the interpreter {interp:?}, on {inputs:?}\n{}",
                    self.src
                )));
            }
        }
        Ok(interp)
    }

    /// [`Prog::run`], and the outputs must be `want`.
    pub fn check(&self, inputs: &[Input<'_>], want: &[Value]) -> Result<(), TestCaseError> {
        let got = self.run(inputs)?;
        if got != want {
            return Err(TestCaseError::fail(format!(
                "got {got:?}, want {want:?}, on {inputs:?}"
            )));
        }
        Ok(())
    }
}

/// Property-test cases: 16 by default (CI), more with `VEIL_PROPTEST_CASES`.
pub fn cases() -> u32 {
    std::env::var("VEIL_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16)
}

/// A runner with [`cases`] cases and no failure files.
pub fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    })
}

/// An array literal as `veil run` reads and prints it: `[1, 2, 3]`.
pub fn list<T: ToString>(xs: &[T]) -> String {
    let items: Vec<String> = xs.iter().map(ToString::to_string).collect();
    format!("[{}]", items.join(", "))
}
