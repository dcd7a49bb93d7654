//! The `veil` command: the only place where errors become messages and exit codes.
//!
//! Exit codes (CLI.md): 0 success · 1 the program or an input is wrong
//! (diagnostics printed) · 2 bad command-line usage · 3 a protocol, network
//! or peer failure.

mod inputs;
mod output;
mod render;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use veil_compiler::driver::{self, Compilation};

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
    /// Run a program with every party in this one process (local mode).
    Run(RunArgs),
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// The `.mpc` program.
    file: PathBuf,
    /// How to run it: `interp` is the reference interpreter of the source
    /// (plaintext, no protocol: for testing programs, not for private data).
    #[arg(long, value_enum)]
    backend: Backend,
    /// An input: `PARTY.NAME=VALUE`, where VALUE is an integer (decimal or
    /// 0x…), `true`/`false`, an array `[1,2,3]`, or `@file.csv[:COLUMN]`.
    #[arg(long = "input", value_name = "PARTY.NAME=VALUE")]
    inputs: Vec<String>,
    /// Print one JSON object `{party: {output: value}}`.
    #[arg(long)]
    json: bool,
    /// Print integers as zero-padded hexadecimal of their width.
    #[arg(long)]
    hex: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Backend {
    /// The reference interpreter of the source program (plaintext, no protocol).
    Interp,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { files } => check_all(&files),
        Command::Run(args) => run(&args),
    }
}

fn color_on_stderr() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
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
            "error: `{}` has {errors} error{}",
            file.display(),
            if errors == 1 { "" } else { "s" }
        );
        return Err(EXIT_INVALID);
    }
    Ok(compilation)
}

/// Checks every file; the exit code is the worst of them.
fn check_all(files: &[PathBuf]) -> ExitCode {
    let mut worst = 0u8;
    for file in files {
        worst = worst.max(check(file));
    }
    ExitCode::from(worst)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
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

fn run(args: &RunArgs) -> ExitCode {
    let compilation = match load(&args.file, false) {
        Ok(c) => c,
        Err(code) => return ExitCode::from(code),
    };
    let Some(program) = &compilation.program else {
        return ExitCode::from(EXIT_INVALID);
    };
    let given = match inputs::read_all(&args.inputs) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(EXIT_INVALID);
        }
    };
    let values = match args.backend {
        Backend::Interp => match driver::run_interp(program, &given) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(EXIT_INVALID);
            }
        },
    };
    let parties = driver::party_names(program);
    let delivered: Vec<output::Delivered<'_>> = program
        .outputs
        .iter()
        .zip(&values)
        .map(|(o, v)| output::Delivered {
            name: &o.name,
            recipients: &o.recipients,
            value: v,
        })
        .collect();
    let text = if args.json {
        output::json(&parties, &delivered, args.hex)
    } else {
        output::text(&parties, &delivered, args.hex)
    };
    print!("{text}");
    ExitCode::SUCCESS
}
