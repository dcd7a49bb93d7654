//! Ties the phases together for the CLI and tests: load every module a
//! program uses, parse, check, run the reference interpreter, and compile to
//! a circuit (lower, run the passes, lower to gates).
//!
//! The front end runs on a thread with a large stack: the phases recurse over
//! the syntax tree, whose depth the parser bounds but a user's source decides.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use veil_circuit::binding::{bind_inputs, GivenInput, InputError, InputSlot};
use veil_circuit::value::Value;
use veil_circuit::ValidCircuit;

use crate::diagnostic::Diagnostic;
use crate::interp::{self, RunError};
use crate::ir;
use crate::lower::from_ast::lower_program;
use crate::lower::{to_arith, to_boolean, BoolOptions, LowerError, Optimize};
use crate::passes::{run_pipeline, OptLevel, PassError, PassReport, Plan};
use crate::sema::{self, codes, Module, ModuleId, Program};
use crate::span::{FileId, SourceMap};
use crate::stdlib;
use crate::syntax::{self, ast};

/// Stack size for the front end and the interpreter.
const STACK_BYTES: usize = 256 << 20;

/// The result of checking a program: its sources (for rendering), the
/// diagnostics, and the program when there were no errors.
#[derive(Debug)]
pub struct Compilation {
    pub sources: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
    pub program: Option<Program>,
}

impl Compilation {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Reads and checks the program at `path`; only reading the file itself can fail.
pub fn check_file(path: &Path) -> std::io::Result<Compilation> {
    let text = std::fs::read_to_string(path)?;
    Ok(check_source(path, text))
}

/// Checks a program given as text (its `use "file"` items are read relative to `path`).
pub fn check_source(path: &Path, text: String) -> Compilation {
    let path = path.to_path_buf();
    on_big_stack(move || check_on_this_thread(&path, text))
}

fn on_big_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .stack_size(STACK_BYTES)
            .spawn_scoped(scope, f);
        match handle.map(|h| h.join()) {
            Ok(Ok(v)) => v,
            // A panic here is a bug in Veil: let it surface as one.
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(e) => panic!("cannot start the compiler thread: {e}"),
        }
    })
}

fn check_on_this_thread(path: &Path, text: String) -> Compilation {
    let mut sources = SourceMap::new();
    let mut diagnostics = Vec::new();
    let root = sources.add(path, text);
    let mut modules: Vec<Module> = Vec::new();
    let mut queue = VecDeque::new();
    modules.push(parse_module(
        &sources,
        root,
        module_name(path),
        &mut diagnostics,
    ));
    queue.push_back(ModuleId(0));
    // Canonical location of each loaded module, so each file is loaded once.
    let mut keys: Vec<String> = vec![format!("file:{}", path.display())];
    while let Some(mid) = queue.pop_front() {
        // A module with syntax errors may name broken paths: load nothing more.
        if diagnostics.iter().any(Diagnostic::is_error) {
            break;
        }
        let uses: Vec<ast::UseDecl> = modules[mid.0 as usize]
            .ast
            .items
            .iter()
            .filter_map(|i| match i {
                ast::Item::Use(u) => Some(u.clone()),
                _ => None,
            })
            .collect();
        let importer = sources.get(modules[mid.0 as usize].file).path.clone();
        for u in uses {
            let Some((key, alias, loaded)) = load_use(&u, &importer, &mut diagnostics) else {
                continue;
            };
            let target = match keys.iter().position(|k| *k == key) {
                Some(i) => ModuleId(i as u32),
                None => {
                    let (file_path, text) = loaded;
                    let file = sources.add(&file_path, text);
                    modules.push(parse_module(
                        &sources,
                        file,
                        alias.clone(),
                        &mut diagnostics,
                    ));
                    keys.push(key);
                    let id = ModuleId(modules.len() as u32 - 1);
                    queue.push_back(id);
                    id
                }
            };
            let imports = &mut modules[mid.0 as usize].imports;
            if let Some((_, _, prev)) = imports.iter().find(|(n, _, _)| *n == alias) {
                diagnostics.push(
                    Diagnostic::error(
                        codes::DUPLICATE_DEFINITION,
                        format!("a module named `{alias}` is imported twice"),
                        u.span,
                    )
                    .label("imported again here")
                    .with_secondary(*prev, "first imported here"),
                );
            } else {
                imports.push((alias, target, u.span));
            }
        }
    }
    // Checking a tree the parser had to repair would mostly report the repairs.
    if diagnostics.iter().any(Diagnostic::is_error) {
        sema::dedup_diagnostics(&mut diagnostics);
        return Compilation {
            sources,
            program: None,
            diagnostics,
        };
    }
    let (program, mut sema_diags) = sema::check_program(modules);
    diagnostics.append(&mut sema_diags);
    sema::dedup_diagnostics(&mut diagnostics);
    Compilation {
        sources,
        program,
        diagnostics,
    }
}

fn module_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "main".into())
}

fn parse_module(
    sources: &SourceMap,
    file: FileId,
    name: String,
    diags: &mut Vec<Diagnostic>,
) -> Module {
    let (ast, mut d) = syntax::parse(file, &sources.get(file).text);
    diags.append(&mut d);
    Module {
        name,
        file,
        ast,
        imports: Vec::new(),
    }
}

/// Finds a `use`'s source: its identity key, its alias, and (path, text).
fn load_use(
    u: &ast::UseDecl,
    importer: &Path,
    diags: &mut Vec<Diagnostic>,
) -> Option<(String, String, (PathBuf, String))> {
    match &u.target {
        ast::UseTarget::Std(segments) => {
            let names: Vec<String> = segments.iter().map(|s| s.name.clone()).collect();
            let alias = names.last()?.clone();
            match stdlib::load(&names) {
                Some(found) => Some((format!("std:{}", names.join("/")), alias, found)),
                None => {
                    let known: Vec<&str> = stdlib::names().collect();
                    diags.push(
                        Diagnostic::error(
                            codes::UNKNOWN_MODULE,
                            format!("there is no standard module `std::{}`", names.join("::")),
                            u.span,
                        )
                        .label("not in the standard library")
                        .with_help(format!("the standard modules are: {}", known.join(", "))),
                    );
                    None
                }
            }
        }
        ast::UseTarget::File { path, span } => {
            let base = importer.parent().unwrap_or(Path::new("."));
            let full = base.join(path);
            let alias = module_name(&full);
            match std::fs::read_to_string(&full) {
                Ok(text) => {
                    let key = std::fs::canonicalize(&full).unwrap_or_else(|_| full.clone());
                    Some((format!("file:{}", key.display()), alias, (full, text)))
                }
                Err(e) => {
                    diags.push(
                        Diagnostic::error(codes::UNKNOWN_MODULE, format!("cannot read `{}`: {e}", full.display()), *span)
                            .label("this file")
                            .with_help("paths in `use \"...\"` are relative to the file that contains the `use`"),
                    );
                    None
                }
            }
        }
    }
}

/// The program's inputs as binding slots (owner, name, type).
pub fn input_slots(program: &Program) -> Vec<InputSlot> {
    program
        .inputs
        .iter()
        .map(|i| InputSlot {
            party: i.party,
            name: i.name.clone(),
            ty: i.value_type.clone(),
        })
        .collect()
}

/// The parties' names in declaration order.
pub fn party_names(program: &Program) -> Vec<String> {
    program.parties.iter().map(|p| p.name.clone()).collect()
}

/// Why an interpreter run failed.
#[derive(Debug, thiserror::Error)]
pub enum InterpError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Run(#[from] RunError),
}

/// Binds the given inputs and runs the reference interpreter; returns one value per output.
pub fn run_interp(program: &Program, given: &[GivenInput]) -> Result<Vec<Value>, InterpError> {
    let values = bind_inputs(&party_names(program), &input_slots(program), given)?;
    Ok(on_big_stack(|| interp::run(program, &values))?)
}

/// The kind of circuit to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Target {
    /// AND/XOR/NOT gates (garbled circuits, GMW).
    #[default]
    Bool,
    /// Additions and multiplications over Z_2^64 only.
    Arith,
    /// Arithmetic where it can, Boolean where it must, with conversion gates between them.
    Mixed,
}

/// Everything that decides how a checked program becomes a circuit.
#[derive(Debug, Clone)]
pub struct CompileOptions {
    pub target: Target,
    pub plan: Plan,
    pub optimize: Optimize,
}

impl Default for CompileOptions {
    fn default() -> Self {
        CompileOptions {
            target: Target::Bool,
            plan: Plan::default(),
            optimize: Optimize::Size,
        }
    }
}

/// A compiled program: the IR after the passes, the circuit, and what each pass did.
#[derive(Debug)]
pub struct Compiled {
    pub ir: ir::Module,
    pub circuit: ValidCircuit,
    pub reports: Vec<(String, PassReport)>,
    /// Wall time of each phase, for `--report`.
    pub phases: Vec<(&'static str, Duration)>,
}

/// Why compilation to a circuit failed.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    /// A problem in the program found while unrolling (rendered with its source).
    #[error("{0}")]
    Program(Box<Diagnostic>),
    #[error(transparent)]
    Pass(#[from] PassError),
    #[error(transparent)]
    Lower(#[from] LowerError),
}

/// Lowers a checked program, runs the pass plan and lowers to the target circuit;
/// `dump` sees the IR after the passes the plan names.
pub fn compile_program_with(
    program: &Program,
    opts: &CompileOptions,
    dump: &mut dyn FnMut(&str, &ir::Module),
) -> Result<Compiled, CompileError> {
    let share = opts.plan.level != OptLevel::O0;
    let start = Instant::now();
    let mut module =
        on_big_stack(|| lower_program(program, share)).map_err(CompileError::Program)?;
    let lowered = Instant::now();
    let reports = run_pipeline(&mut module, &opts.plan, dump)?;
    let optimised = Instant::now();
    let circuit = match opts.target {
        Target::Bool => to_boolean(
            &module,
            &BoolOptions {
                optimize: opts.optimize,
            },
        )?,
        Target::Arith => to_arith(&module, false, 64)?,
        Target::Mixed => to_arith(&module, true, 64)?,
    };
    let done = Instant::now();
    Ok(Compiled {
        ir: module,
        circuit,
        reports,
        phases: vec![
            ("lower to IR", lowered - start),
            ("IR passes", optimised - lowered),
            ("lower to circuit", done - optimised),
        ],
    })
}

/// [`compile_program_with`] without dumps.
pub fn compile_program(program: &Program, opts: &CompileOptions) -> Result<Compiled, CompileError> {
    compile_program_with(program, opts, &mut |_, _| {})
}
