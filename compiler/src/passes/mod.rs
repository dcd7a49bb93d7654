//! Optimisation passes over the word-level IR, and the pass manager that
//! runs them.
//!
//! Every AND gate of the final circuit costs bandwidth between the parties,
//! so the IR is shrunk before it is bit-blasted. A pass is a type
//! implementing [`Pass`]: a name and `run(&mut Module) -> PassReport`. The
//! manager ([`run_pipeline`]) runs a plain list of named passes per
//! optimisation level ([`OptLevel::pipeline`]), or an explicit list
//! (`--passes`), verifies the IR after every pass when asked (by default in
//! debug builds and tests), calls a dump callback after a named pass or
//! after all of them (`--dump-after`), and returns what every pass changed.
//!
//! Invariants: passes take and give modules that [`verify`] accepts, and
//! never change what any output computes for any input (under
//! [`crate::semantics`], as [`crate::ir::eval::evaluate`] implements it).
//! Labels only ever become more public (a secret value a pass proves
//! constant becomes a public constant), never more secret.
//!
//! Adding a pass: write `passes/my_pass.rs` with a unit struct implementing
//! [`Pass`], declare `mod my_pass;` below, add one line to `REGISTRY`, and
//! list its name in [`O2_PIPELINE`] (a test checks that `-O2` runs every
//! registered pass; add it to [`O1_PIPELINE`] too if it is cheap).
//! `docs/passes.md` walks through an example.

mod const_fold;
mod cse;
mod dce;
mod narrow;
mod public_eval;
mod reassociate;
pub mod rewrite;
mod simplify;

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use thiserror::Error;

pub use const_fold::ConstFold;
pub use cse::Cse;
pub use dce::Dce;
pub use narrow::Narrow;
pub use public_eval::PublicEval;
pub use reassociate::Reassociate;
pub use simplify::Simplify;

use crate::ir::verify::{verify, VerifyError};
use crate::ir::Module;

/// One transformation of a module.
pub trait Pass {
    /// The name used by `--passes`, `--dump-after` and reports (kebab-case).
    fn name(&self) -> &'static str;

    /// Transforms `m` in place, keeping its meaning, and says what changed.
    fn run(&self, m: &mut Module) -> PassReport;
}

/// What one run of a pass did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassReport {
    /// Instructions before the pass.
    pub insts_before: usize,
    /// Instructions after the pass.
    pub insts_after: usize,
    /// Whether the module differs in any way (the fixed-point loop stops
    /// when a whole round changes nothing).
    pub changed: bool,
    /// A short human note (`folded 3 instructions`).
    pub note: String,
    /// Wall time of the pass, filled in by the manager.
    pub elapsed: Duration,
}

impl PassReport {
    /// A report comparing the module before and after a pass.
    pub fn compare(before: &Module, after: &Module, note: String) -> Self {
        PassReport {
            insts_before: before.insts.len(),
            insts_after: after.insts.len(),
            changed: before != after,
            note,
            elapsed: Duration::ZERO,
        }
    }
}

impl fmt::Display for PassReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} -> {} instructions",
            self.insts_before, self.insts_after
        )?;
        if !self.changed {
            f.write_str(", unchanged")?;
        }
        if !self.note.is_empty() {
            write!(f, " ({})", self.note)?;
        }
        write!(f, " in {:.3} ms", self.elapsed.as_secs_f64() * 1e3)
    }
}

/// Every pass the manager knows, by name. One line per pass.
const REGISTRY: &[&dyn Pass] = &[
    &ConstFold,
    &Simplify,
    &Cse,
    &Dce,
    &Narrow,
    &Reassociate,
    &PublicEval,
];

/// `-O1`: cheap local clean-up, one round.
pub const O1_PIPELINE: &[&str] = &["const-fold", "simplify", "cse", "dce"];

/// `-O2`: every pass, in rounds until nothing changes (at most
/// [`O2_MAX_ROUNDS`]). Re-association comes before narrowing, so that
/// balanced sums of narrow values are narrowed level by level.
pub const O2_PIPELINE: &[&str] = &[
    "const-fold",
    "public-eval",
    "simplify",
    "reassociate",
    "cse",
    "narrow",
    "simplify",
    "cse",
    "dce",
];

/// The bound on `-O2` rounds (each rewrite shrinks or canonicalises, so in
/// practice two or three rounds reach the fixed point).
pub const O2_MAX_ROUNDS: usize = 8;

/// The names of every known pass, in registry order.
pub fn pass_names() -> &'static [&'static str] {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    NAMES.get_or_init(|| REGISTRY.iter().map(|p| p.name()).collect())
}

/// The pass called `name`, if there is one.
pub fn pass_by_name(name: &str) -> Option<&'static dyn Pass> {
    REGISTRY.iter().copied().find(|p| p.name() == name)
}

/// An optimisation level (`-O0`, `-O1`, `-O2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OptLevel {
    /// No passes: the IR as lowered (useful to debug lowering itself).
    O0,
    /// [`O1_PIPELINE`], once.
    O1,
    /// [`O2_PIPELINE`], to a fixed point. The CLI's default.
    #[default]
    O2,
}

impl OptLevel {
    /// The passes of this level, in order.
    pub fn pipeline(self) -> &'static [&'static str] {
        match self {
            OptLevel::O0 => &[],
            OptLevel::O1 => O1_PIPELINE,
            OptLevel::O2 => O2_PIPELINE,
        }
    }

    /// How many rounds of the pipeline may run.
    pub fn max_rounds(self) -> usize {
        match self {
            OptLevel::O0 | OptLevel::O1 => 1,
            OptLevel::O2 => O2_MAX_ROUNDS,
        }
    }
}

impl FromStr for OptLevel {
    type Err = String;

    /// `0`, `O0` or `-O0` (and likewise for 1 and 2).
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim_start_matches('-').trim_start_matches('O') {
            "0" => Ok(OptLevel::O0),
            "1" => Ok(OptLevel::O1),
            "2" => Ok(OptLevel::O2),
            _ => Err(format!(
                "unknown optimisation level `{s}` (use -O0, -O1 or -O2)"
            )),
        }
    }
}

/// When to call the dump callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DumpAfter {
    /// After every run of the named pass.
    Pass(String),
    /// After every pass.
    All,
}

impl FromStr for DumpAfter {
    type Err = std::convert::Infallible;

    /// `all`, or a pass name (checked when the plan runs).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(if s == "all" {
            DumpAfter::All
        } else {
            DumpAfter::Pass(s.to_string())
        })
    }
}

/// What to run: the CLI's `-O`, `--passes` and `--dump-after`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The level whose pipeline runs when `passes` is `None`.
    pub level: OptLevel,
    /// An explicit list of pass names, run once in this order instead of
    /// the level's pipeline.
    pub passes: Option<Vec<String>>,
    /// When to call the dump callback.
    pub dump_after: Option<DumpAfter>,
    /// Verify the IR after every pass (default: in debug builds, which
    /// includes `cargo test`). Tests that rely on it set it explicitly so
    /// that they also hold under `cargo test --release`.
    pub verify_each: bool,
}

impl Plan {
    /// The pipeline of `level`, no dumps, default verification.
    pub fn level(level: OptLevel) -> Self {
        Plan {
            level,
            passes: None,
            dump_after: None,
            verify_each: cfg!(debug_assertions),
        }
    }

    /// An explicit list of passes, run once.
    pub fn passes<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Self {
        Plan {
            passes: Some(names.into_iter().map(Into::into).collect()),
            ..Plan::level(OptLevel::O2)
        }
    }
}

impl Default for Plan {
    fn default() -> Self {
        Plan::level(OptLevel::default())
    }
}

/// Why the pass manager stopped.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PassError {
    /// `--passes` or `--dump-after` named a pass that does not exist.
    #[error("unknown pass `{name}`; known passes: {}", known.join(", "))]
    UnknownPass {
        name: String,
        known: Vec<&'static str>,
    },
    /// `--dump-after` named a real pass that this plan never runs.
    #[error(
        "--dump-after `{name}`: this pipeline does not run that pass (it runs: {})",
        if pipeline.is_empty() { "nothing".to_string() } else { pipeline.join(", ") }
    )]
    DumpPassNotRun { name: String, pipeline: Vec<String> },
    /// The module handed to the manager was already broken.
    #[error("the IR given to the passes is invalid: {}", list(errors))]
    InvalidInput { errors: Vec<VerifyError> },
    /// A pass produced IR the verifier rejects: a bug in that pass.
    #[error("pass `{pass}` broke the IR: {}", list(errors))]
    Verify {
        pass: String,
        errors: Vec<VerifyError>,
    },
}

fn list(errors: &[VerifyError]) -> String {
    const SHOWN: usize = 8;
    let mut s = errors
        .iter()
        .take(SHOWN)
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    if errors.len() > SHOWN {
        s.push_str(&format!("; and {} more", errors.len() - SHOWN));
    }
    s
}

/// Runs `plan` on `m`: the explicit pass list once, or the level's pipeline
/// (to a fixed point for `-O2`). Calls `dump(pass_name, module)` after the
/// passes `plan.dump_after` selects. Returns every pass run with its report,
/// in order. On error `m` holds the module as the last pass left it.
pub fn run_pipeline(
    m: &mut Module,
    plan: &Plan,
    dump: &mut dyn FnMut(&str, &Module),
) -> Result<Vec<(String, PassReport)>, PassError> {
    let unknown = |name: &str| PassError::UnknownPass {
        name: name.to_string(),
        known: pass_names().to_vec(),
    };
    let (names, rounds): (Vec<&str>, usize) = match &plan.passes {
        Some(list) => (list.iter().map(String::as_str).collect(), 1),
        None => (plan.level.pipeline().to_vec(), plan.level.max_rounds()),
    };
    let passes = names
        .iter()
        .map(|n| pass_by_name(n).ok_or_else(|| unknown(n)))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(DumpAfter::Pass(name)) = &plan.dump_after {
        if pass_by_name(name).is_none() {
            return Err(unknown(name));
        }
        if !names.contains(&name.as_str()) {
            return Err(PassError::DumpPassNotRun {
                name: name.clone(),
                pipeline: names.iter().map(ToString::to_string).collect(),
            });
        }
    }
    run_passes(
        m,
        &passes,
        rounds,
        plan.verify_each,
        plan.dump_after.as_ref(),
        dump,
    )
}

/// Runs `passes` in order, up to `rounds` times (stopping after a round
/// that changed nothing), verifying after each pass when `verify_each` is
/// set. The input is always verified first, since passes rely on its
/// invariants. This is [`run_pipeline`] without the name lookup, for
/// passes that are not in the registry (experiments, tests).
pub fn run_passes(
    m: &mut Module,
    passes: &[&dyn Pass],
    rounds: usize,
    verify_each: bool,
    dump_after: Option<&DumpAfter>,
    dump: &mut dyn FnMut(&str, &Module),
) -> Result<Vec<(String, PassReport)>, PassError> {
    verify(m).map_err(|errors| PassError::InvalidInput { errors })?;
    let mut reports = Vec::new();
    for _ in 0..rounds.max(1) {
        let mut changed = false;
        for pass in passes {
            let start = Instant::now();
            let mut report = pass.run(m);
            report.elapsed = start.elapsed();
            changed |= report.changed;
            if verify_each {
                verify(m).map_err(|errors| PassError::Verify {
                    pass: pass.name().to_string(),
                    errors,
                })?;
            }
            let wanted = match dump_after {
                Some(DumpAfter::All) => true,
                Some(DumpAfter::Pass(name)) => name == pass.name(),
                None => false,
            };
            if wanted {
                dump(pass.name(), m);
            }
            reports.push((pass.name().to_string(), report));
        }
        if !changed {
            break;
        }
    }
    Ok(reports)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::text::parse;
    use crate::ir::Label;

    const SMALL: &str = "\
parties a
input 0 a x: u8 secret
v0:u8 secret = input 0 @0
v1:u8 public = const 0
v2:u8 secret = add v0 v1
v3:u8 public = const 3
v4:u8 public = const 4
v5:u8 public = add v3 v4
output y: u8 to a = v2
";

    fn nothing(_: &str, _: &Module) {}

    #[test]
    fn registry_is_consistent() {
        let names = pass_names();
        for (i, n) in names.iter().enumerate() {
            assert!(!names[..i].contains(n), "duplicate pass name {n}");
            assert_eq!(pass_by_name(n).map(|p| p.name()), Some(*n));
        }
        for level in [OptLevel::O0, OptLevel::O1, OptLevel::O2] {
            for n in level.pipeline() {
                assert!(names.contains(n), "{level:?} names unknown pass {n}");
            }
        }
        for n in names {
            assert!(
                O2_PIPELINE.contains(n),
                "-O2 should run every pass; {n} missing"
            );
        }
    }

    #[test]
    fn o0_runs_nothing() {
        let mut m = parse(SMALL).unwrap();
        let before = m.clone();
        let reports = run_pipeline(&mut m, &Plan::level(OptLevel::O0), &mut nothing).unwrap();
        assert!(reports.is_empty());
        assert_eq!(m, before);
    }

    #[test]
    fn o2_reaches_a_fixed_point() {
        let mut m = parse(SMALL).unwrap();
        let reports = run_pipeline(&mut m, &Plan::level(OptLevel::O2), &mut nothing).unwrap();
        // The last round changed nothing, and the dead constants are gone.
        let last: Vec<_> = reports.iter().rev().take(O2_PIPELINE.len()).collect();
        assert!(last.iter().all(|(_, r)| !r.changed), "{reports:?}");
        assert_eq!(m.insts.len(), 1);
        assert_eq!(m.outputs[0].values, [crate::ir::ValueId(0)]);
    }

    #[test]
    fn unknown_pass_is_a_typed_error() {
        let mut m = parse(SMALL).unwrap();
        let err =
            run_pipeline(&mut m, &Plan::passes(["dce", "frobnicate"]), &mut nothing).unwrap_err();
        match &err {
            PassError::UnknownPass { name, known } => {
                assert_eq!(name, "frobnicate");
                assert_eq!(known, pass_names());
            }
            other => panic!("wrong error {other:?}"),
        }
        assert!(err.to_string().contains("const-fold, simplify"));
        let mut plan = Plan::passes(["dce"]);
        plan.dump_after = Some(DumpAfter::Pass("nope".into()));
        assert!(matches!(
            run_pipeline(&mut m, &plan, &mut nothing),
            Err(PassError::UnknownPass { .. })
        ));
        plan.dump_after = Some(DumpAfter::Pass("cse".into()));
        assert!(matches!(
            run_pipeline(&mut m, &plan, &mut nothing),
            Err(PassError::DumpPassNotRun { .. })
        ));
    }

    #[test]
    fn dumps_after_the_named_pass_or_all() {
        let mut m = parse(SMALL).unwrap();
        let mut seen = Vec::new();
        let mut plan = Plan::passes(["const-fold", "dce"]);
        plan.dump_after = Some("dce".parse().unwrap());
        let reports = run_pipeline(&mut m, &plan, &mut |name, m| {
            seen.push((name.to_string(), m.insts.len()))
        })
        .unwrap();
        // const-fold leaves `x + 0` to simplify; dce keeps x, 0 and the sum.
        assert_eq!(seen, [("dce".to_string(), 3)]);
        assert_eq!(reports.len(), 2);
        assert_eq!(reports[1].1.insts_before, 6);
        assert_eq!(reports[1].1.insts_after, 3);

        let mut m = parse(SMALL).unwrap();
        let mut names = Vec::new();
        plan.dump_after = Some(DumpAfter::All);
        run_pipeline(&mut m, &plan, &mut |name, _| names.push(name.to_string())).unwrap();
        assert_eq!(names, ["const-fold", "dce"]);
    }

    /// A deliberately wrong pass: it marks a secret value public.
    struct Leak;

    impl Pass for Leak {
        fn name(&self) -> &'static str {
            "leak"
        }

        fn run(&self, m: &mut Module) -> PassReport {
            let before = m.clone();
            for inst in &mut m.insts {
                inst.label = Label::Public;
            }
            PassReport::compare(&before, m, "declassified everything".into())
        }
    }

    #[test]
    fn the_verifier_names_a_pass_that_breaks_the_ir() {
        let mut m = parse(SMALL).unwrap();
        let err =
            run_passes(&mut m, &[&Dce, &Leak, &Cse], 1, true, None, &mut nothing).unwrap_err();
        match &err {
            PassError::Verify { pass, errors } => {
                assert_eq!(pass, "leak");
                assert!(errors
                    .iter()
                    .any(|e| e.message.contains("should be secret")));
            }
            other => panic!("wrong error {other:?}"),
        }
        assert!(err.to_string().starts_with("pass `leak` broke the IR"));
    }

    #[test]
    fn broken_input_is_refused_before_any_pass() {
        let mut m = parse("v0:u8 public = add v1 v1\n").unwrap();
        assert!(matches!(
            run_pipeline(&mut m, &Plan::level(OptLevel::O1), &mut nothing),
            Err(PassError::InvalidInput { .. })
        ));
    }

    #[test]
    fn levels_parse() {
        assert_eq!("-O0".parse(), Ok(OptLevel::O0));
        assert_eq!("O1".parse(), Ok(OptLevel::O1));
        assert_eq!("2".parse(), Ok(OptLevel::O2));
        assert!("-O3".parse::<OptLevel>().is_err());
    }
}
