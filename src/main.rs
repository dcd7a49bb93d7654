//! The `veil` command: the only place where errors become messages and exit codes.
//!
//! Exit codes (CLI.md): 0 success · 1 the program or an input is wrong
//! (diagnostics printed) · 2 bad command-line usage · 3 a protocol, network
//! or peer failure.

mod circuit_file;
mod inputs;
mod local;
mod logger;
mod output;
mod party;
mod pipeline;
mod render;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};
use veil_circuit::{Stats, ValidCircuit, Value};
use veil_compiler::driver::{self, Compilation};

use circuit_file::{BristolArgs, FileKind};
use pipeline::Emit;
use veil_compiler::driver::CompileOptions;
use veil_compiler::passes::{DumpAfter, OptLevel, Plan};

/// The program or an input is wrong.
const EXIT_INVALID: u8 = 1;
/// The command line is wrong.
const EXIT_USAGE: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "veil",
    version,
    about = "Veil: write privacy-typed programs, compile them to circuits, run them under MPC",
    long_about = None
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse and type-check programs; print their diagnostics.
    Check {
        /// The `.mpc` programs.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Compile a program to a circuit file (or print a stage of it with --emit).
    Compile(CompileArgs),
    /// Print a circuit's cost: gates by kind, AND-depth, wires, peak live wires, bits per party.
    Stats(StatsArgs),
    /// Run a program or circuit with every party in this one process (local mode).
    Run(RunArgs),
    /// Measure a backend's throughput on FILE with random inputs (local mode).
    Bench(BenchArgs),
    /// Run one party of a protocol in this process, connected to the others over mutually authenticated TLS.
    Party(party::PartyArgs),
    /// Write a self-signed certificate and key for every party of a configuration (a test network).
    Keygen(party::KeygenArgs),
}

/// How a `.mpc` file becomes a circuit (shared by compile, stats and run).
#[derive(Debug, Clone, clap::Args)]
struct BuildArgs {
    /// The circuit kind: Boolean, arithmetic over Z_2^64, or mixed.
    #[arg(long, value_enum)]
    target: Option<Target>,
    /// Optimisation level: `-O0`, `-O1` or `-O2` (the default).
    #[arg(short = 'O', value_name = "LEVEL", default_value = "2", value_parser = ["0", "1", "2"])]
    opt_level: String,
    /// Run exactly these IR passes, in this order (comma separated), instead of the level's pipeline.
    #[arg(long, value_delimiter = ',')]
    passes: Option<Vec<String>>,
    /// Print the IR (to stderr) after the named pass, or after every pass with `all`.
    #[arg(long, value_name = "PASS|all")]
    dump_after: Option<String>,
    /// What gadgets optimise for: fewest AND gates, or least AND-depth (for round-based protocols).
    #[arg(long, value_enum, default_value = "size")]
    optimize: Optimize,
    /// Print what each IR pass changed (to stderr).
    #[arg(long)]
    report: bool,
    #[command(flatten)]
    bristol: BristolFlags,
}

/// How a Bristol circuit is read.
#[derive(Debug, Clone, clap::Args)]
struct BristolFlags {
    /// Read FILE as a Bristol circuit whatever its name (Fashion or old format, by header).
    #[arg(long, value_parser = ["bristol"])]
    format: Option<String>,
    /// Bit order inside each Bristol value: `lsb` (bit i on wire i, the default) or `msb`.
    #[arg(long, value_parser = ["lsb", "msb"], default_value = "lsb")]
    bit_order: String,
    /// Bristol input value K belongs to PARTY (default: party `pK`).
    #[arg(long, value_name = "K=PARTY")]
    owner: Vec<String>,
}

#[derive(Debug, clap::Args)]
struct CompileArgs {
    /// The `.mpc` program.
    file: PathBuf,
    /// Where to write the result (default: the program's name with `.vc` for
    /// `--emit circuit`, standard output otherwise).
    #[arg(short = 'o', value_name = "OUT")]
    out: Option<PathBuf>,
    /// What to produce.
    #[arg(long, value_enum, default_value = "circuit")]
    emit: Emit,
    #[command(flatten)]
    build: BuildArgs,
}

#[derive(Debug, clap::Args)]
struct StatsArgs {
    /// A `.mpc` program, a `.vc` circuit, or a Bristol circuit.
    file: PathBuf,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    build: BuildArgs,
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// A `.mpc` program, a `.vc` circuit, or a Bristol circuit.
    file: PathBuf,
    /// How to run it: a protocol (`gc`), or a reference for testing with no
    /// privacy (`interp`, `clear`).
    #[arg(long, value_enum)]
    backend: Backend,
    /// An input: `PARTY.NAME=VALUE` (`K=VALUE` for Bristol circuits), where VALUE
    /// is an integer (decimal or 0x…), `true`/`false`, an array `[1,2,3]`, or
    /// `@file.csv[:COLUMN]`.
    #[arg(long = "input", value_name = "PARTY.NAME=VALUE")]
    inputs: Vec<String>,
    #[command(flatten)]
    output: OutputArgs,
    #[command(flatten)]
    protocol: ProtocolArgs,
    #[command(flatten)]
    build: BuildArgs,
}

/// How `run` and `party` print what a run produced.
#[derive(Debug, Clone, clap::Args)]
struct OutputArgs {
    /// Print one JSON object `{party: {output: value}}`.
    #[arg(long)]
    json: bool,
    /// Print integers as zero-padded hexadecimal of their width.
    #[arg(long)]
    hex: bool,
    /// After the run, print its measured cost to stderr: AND gates, bytes sent
    /// and received and rounds per party (and per peer), wall time per phase
    /// (JSON with `--json`).
    #[arg(long)]
    stats: bool,
}

#[derive(Debug, clap::Args)]
struct BenchArgs {
    /// A `.mpc` program, a `.vc` circuit, or a Bristol circuit.
    file: PathBuf,
    /// The protocol to measure.
    #[arg(long, value_enum)]
    backend: Backend,
    /// Measured runs, after one warm-up run that pays the set-up (base OTs).
    #[arg(long, default_value = "10", value_parser = clap::value_parser!(u32).range(1..))]
    repeat: u32,
    /// Print one JSON object (keys `and_per_s`, `bytes_per_and`, `rounds`, and
    /// for gc `garble_and_per_s`, `eval_and_per_s`).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    protocol: ProtocolArgs,
    #[command(flatten)]
    build: BuildArgs,
}

/// The kind of circuit to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Target {
    /// AND/XOR/NOT gates (garbled circuits, GMW).
    Bool,
    /// Additions and multiplications over Z_2^64 only (rejects programs that need bits).
    Arith,
    /// Arithmetic where it can, Boolean where it must, with conversion gates between them.
    Mixed,
}

/// What the gadgets optimise for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Optimize {
    /// Fewest AND gates (garbled circuits pay per AND).
    Size,
    /// Least AND-depth (secret sharing pays a round per AND layer).
    Depth,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Backend {
    /// The reference interpreter of the source program (plaintext, no protocol).
    Interp,
    /// The circuit evaluated in plaintext, each party sending its inputs to all (the reference for every protocol; no privacy).
    Clear,
    /// Yao's garbled circuits (half-gates, free-XOR, OT extension): two parties, semi-honest.
    Gc,
    /// GMW: XOR shares among N ≥ 2 parties, AND through Beaver triples; semi-honest.
    Gmw,
    /// Additive shares over Z_2^k among N ≥ 2 parties, MUL through Beaver triples; semi-honest.
    Arith,
    /// Replicated secret sharing among three parties, honest majority; semi-honest.
    Rep3,
}

impl Backend {
    /// The VM protocol, for the backends that run circuits among parties.
    fn protocol(self) -> Option<veil_vm::BackendKind> {
        match self {
            Backend::Interp => None,
            Backend::Clear => Some(veil_vm::BackendKind::Clear),
            Backend::Gc => Some(veil_vm::BackendKind::Gc),
            Backend::Gmw => Some(veil_vm::BackendKind::Gmw),
            Backend::Arith => Some(veil_vm::BackendKind::Arith),
            Backend::Rep3 => Some(veil_vm::BackendKind::Rep3),
        }
    }

    /// What a `.mpc` program compiles to for this backend (CLI.md).
    fn default_target(self) -> Target {
        match self {
            Backend::Arith | Backend::Rep3 => Target::Mixed,
            _ => Target::Bool,
        }
    }
}

/// Where Beaver triples come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PreprocessingArg {
    /// Oblivious transfer between every pair of parties (secure; the default).
    Ot,
    /// INSECURE: a trusted dealer generates the triples and could learn every secret (tests and online-only benchmarks).
    Dealer,
}

/// The protocol options shared by `run` and `bench`.
#[derive(Debug, Clone, clap::Args)]
struct ProtocolArgs {
    /// Run among N parties where the backend allows more than the circuit declares
    /// (gmw, arith); the extra parties compute but have no inputs or outputs.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=64))]
    parties: Option<u32>,
    /// Evaluate N independent instances in one pass (one round per layer for all).
    /// An input given as a list of N values (`@file.csv`) gives one value per
    /// instance; any other input is the same in every instance.
    #[arg(long, value_name = "N", default_value = "1", value_parser = clap::value_parser!(u32).range(1..=1_048_576))]
    parallel: u32,
    /// Where Beaver triples come from (gmw, arith).
    #[arg(long, value_enum, default_value = "ot")]
    preprocessing: PreprocessingArg,
}

impl ProtocolArgs {
    fn options(&self) -> veil_vm::BackendOptions {
        veil_vm::BackendOptions {
            parties: self.parties.map(|n| n as usize),
            preprocessing: match self.preprocessing {
                PreprocessingArg::Ot => veil_vm::preprocess::Preprocessing::Ot,
                PreprocessingArg::Dealer => veil_vm::preprocess::Preprocessing::Dealer,
            },
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check { files } => check_all(&files),
        Command::Compile(args) => compile(&args),
        Command::Stats(args) => stats(&args),
        Command::Run(args) => run(&args),
        Command::Bench(args) => bench(&args),
        Command::Party(args) => party::party(&args),
        Command::Keygen(args) => party::keygen(&args),
    };
    ExitCode::from(code)
}

fn color_on_stderr() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Loads and checks a program, printing diagnostics (errors, and warnings when asked).
fn load(file: &Path, show_warnings: bool) -> Result<Compilation, u8> {
    if file.extension().and_then(|e| e.to_str()) != Some("mpc") {
        eprintln!(
            "error: `{}` is not a Veil program (expected a `.mpc` file)",
            file.display()
        );
        return Err(EXIT_USAGE);
    }
    let compilation = match driver::check_file(file) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: cannot read `{}`: {e}", file.display());
            return Err(EXIT_INVALID);
        }
    };
    let shown: Vec<_> = compilation
        .diagnostics
        .iter()
        .filter(|d| show_warnings || d.is_error())
        .cloned()
        .collect();
    let mut err = std::io::stderr().lock();
    render::diagnostics(&mut err, &compilation.sources, &shown, color_on_stderr());
    if compilation.has_errors() || compilation.program.is_none() {
        let errors = compilation
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .count();
        let _ = writeln!(
            err,
            "error: `{}` has {}",
            file.display(),
            plural(errors, "error", "errors")
        );
        return Err(EXIT_INVALID);
    }
    Ok(compilation)
}

/// Checks every file; the exit code is the worst of them.
fn check_all(files: &[PathBuf]) -> u8 {
    files.iter().map(|f| check(f)).max().unwrap_or(0)
}

fn check(file: &Path) -> u8 {
    match load(file, true) {
        Ok(c) => {
            let warnings = c.diagnostics.len();
            if let Some(p) = &c.program {
                let mut parts = vec![
                    plural(p.parties.len(), "party", "parties"),
                    plural(p.inputs.len(), "input", "inputs"),
                    plural(p.outputs.len(), "output", "outputs"),
                ];
                if warnings > 0 {
                    parts.push(plural(warnings, "warning", "warnings"));
                }
                println!("ok: {} ({})", file.display(), parts.join(", "));
            }
            0
        }
        Err(code) => code,
    }
}

fn bristol_args(flags: &BristolFlags) -> Result<BristolArgs, u8> {
    let mut owners = Vec::new();
    for o in &flags.owner {
        match circuit_file::parse_owner(o) {
            Ok(pair) => owners.push(pair),
            Err(e) => {
                eprintln!("error: {e}");
                return Err(EXIT_USAGE);
            }
        }
    }
    Ok(BristolArgs {
        force: flags.format.is_some(),
        msb_first: flags.bit_order == "msb",
        owners,
    })
}

fn compile_options(build: &BuildArgs, default_target: Target) -> CompileOptions {
    let level = match build.opt_level.as_str() {
        "0" => OptLevel::O0,
        "1" => OptLevel::O1,
        _ => OptLevel::O2,
    };
    let mut plan = Plan::level(level);
    plan.passes = build.passes.clone();
    plan.dump_after = build.dump_after.as_deref().map(|p| {
        if p == "all" {
            DumpAfter::All
        } else {
            DumpAfter::Pass(p.to_string())
        }
    });
    CompileOptions {
        target: match build.target.unwrap_or(default_target) {
            Target::Bool => veil_compiler::driver::Target::Bool,
            Target::Arith => veil_compiler::driver::Target::Arith,
            Target::Mixed => veil_compiler::driver::Target::Mixed,
        },
        plan,
        optimize: match build.optimize {
            Optimize::Size => veil_compiler::lower::Optimize::Size,
            Optimize::Depth => veil_compiler::lower::Optimize::Depth,
        },
    }
}

/// The circuit for FILE: compiled from source, or read from a circuit file.
fn circuit_of(file: &Path, build: &BuildArgs) -> Result<ValidCircuit, u8> {
    circuit_for(file, build, Target::Bool)
}

/// The circuit for FILE, compiled for `default_target` unless `--target` says otherwise.
fn circuit_for(file: &Path, build: &BuildArgs, default_target: Target) -> Result<ValidCircuit, u8> {
    let bristol = bristol_args(&build.bristol)?;
    let kind = circuit_file::kind_of(file, &bristol).map_err(|e| {
        eprintln!("error: {e}");
        EXIT_INVALID
    })?;
    if kind == FileKind::Source {
        let compilation = load(file, false)?;
        let opts = compile_options(build, default_target);
        return pipeline::compile(&compilation, &opts, build.report).map(|c| c.circuit);
    }
    circuit_file::load(file, kind, &bristol).map_err(|e| {
        eprintln!("error: {e}");
        EXIT_INVALID
    })
}

fn compile(args: &CompileArgs) -> u8 {
    let compilation = match load(&args.file, false) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let opts = compile_options(&args.build, Target::Bool);
    let compiled = match pipeline::compile(&compilation, &opts, args.build.report) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let bytes = match pipeline::emit(&compiled, args.emit) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INVALID;
        }
    };
    let out = match (&args.out, args.emit) {
        (Some(path), _) => Some(path.clone()),
        (None, Emit::Circuit) => Some(args.file.with_extension("vc")),
        (None, _) => None,
    };
    match out {
        Some(path) => {
            if let Err(e) = std::fs::write(&path, &bytes) {
                eprintln!("error: cannot write `{}`: {e}", path.display());
                return EXIT_INVALID;
            }
            eprintln!("wrote {}", path.display());
        }
        None => {
            let _ = std::io::stdout().lock().write_all(&bytes);
        }
    }
    0
}

fn stats(args: &StatsArgs) -> u8 {
    let circuit = match circuit_of(&args.file, &args.build) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if args.json {
        println!("{}", Stats::of(&circuit).to_json());
    } else {
        print!("{}", pipeline::stats_report(&circuit));
    }
    0
}

fn run(args: &RunArgs) -> u8 {
    let given = match inputs::read_all(&args.inputs) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("{e}");
            return EXIT_INVALID;
        }
    };
    let mut stats = None;
    let (parties, names, received) = match args.backend.protocol() {
        None if args.protocol.parallel > 1 || args.protocol.parties.is_some() => {
            eprintln!(
                "error: `--parallel` and `--parties` apply to protocols; the interpreter runs the program once"
            );
            return EXIT_USAGE;
        }
        None => {
            let compilation = match load(&args.file, false) {
                Ok(c) => c,
                Err(code) => return code,
            };
            let Some(program) = &compilation.program else {
                return EXIT_INVALID;
            };
            let values = match driver::run_interp(program, &given) {
                Ok(v) => v,
                Err(e) => {
                    eprintln!("{e}");
                    return EXIT_INVALID;
                }
            };
            let parties = driver::party_names(program);
            let received: Vec<Vec<Option<Value>>> = (0..parties.len())
                .map(|p| {
                    program
                        .outputs
                        .iter()
                        .zip(&values)
                        .map(|(o, v)| o.recipients.contains(&p).then(|| v.clone()))
                        .collect()
                })
                .collect();
            let names: Vec<String> = program.outputs.iter().map(|o| o.name.clone()).collect();
            (parties, names, received)
        }
        Some(kind) => {
            let circuit = match circuit_for(&args.file, &args.build, args.backend.default_target())
            {
                Ok(c) => Arc::new(c),
                Err(code) => return code,
            };
            let n = args.protocol.parallel as usize;
            let instances = match local::bind_instances(&circuit, &given, n) {
                Ok(v) => v,
                Err(code) => return code,
            };
            let options = args.protocol.options();
            let (protocol, run) = match local::run(kind, &circuit, instances, &options) {
                Ok(r) => r,
                Err(code) => return code,
            };
            if args.output.stats {
                stats = Some(local::stats(protocol.as_ref(), &run, args.output.json));
            }
            let c = circuit.circuit();
            // Helper parties a protocol adds (gc's evaluator for a one-party
            // circuit, gmw's extra parties, the dealer) print nothing.
            let mut received = if n == 1 {
                run.outputs
            } else {
                local::instances_as_arrays(&run.instances, c.outputs.len())
            };
            received.truncate(c.parties.len());
            let names: Vec<String> = c.outputs.iter().map(|o| o.name.clone()).collect();
            (c.parties.clone(), names, received)
        }
    };
    let r = output::Received {
        parties: &parties,
        outputs: &names,
        received: &received,
    };
    let text = if args.output.json {
        output::json(&r, args.output.hex)
    } else {
        output::text(&r, args.output.hex)
    };
    print!("{text}");
    if let Some(stats) = stats {
        let _ = std::io::stdout().flush();
        eprint!("{stats}");
    }
    0
}

fn bench(args: &BenchArgs) -> u8 {
    let Some(kind) = args.backend.protocol() else {
        eprintln!(
            "error: `veil bench` measures protocols on circuits; `--backend interp` has no circuit"
        );
        return EXIT_USAGE;
    };
    let circuit = match circuit_for(&args.file, &args.build, args.backend.default_target()) {
        Ok(c) => Arc::new(c),
        Err(code) => return code,
    };
    let options = args.protocol.options();
    match local::bench(
        kind,
        &circuit,
        args.repeat as usize,
        args.protocol.parallel as usize,
        &options,
    ) {
        Ok(result) => {
            print!("{}", result.render(args.json));
            0
        }
        Err(code) => code,
    }
}
