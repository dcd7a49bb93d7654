//! The `--emit` forms of a compiled program, and the compile step with its
//! diagnostics rendered for the terminal.

use std::fmt::Write as _;

use clap::ValueEnum;
use veil_circuit::bristol::{self, BitOrder};
use veil_circuit::{text, vc, Stats, ValidCircuit};
use veil_compiler::driver::{self, Compilation, CompileError, CompileOptions, Compiled};
use veil_compiler::ir;
use veil_compiler::passes::PassError;

use crate::{color_on_stderr, render, EXIT_INVALID, EXIT_USAGE};

/// What `veil compile` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Emit {
    /// The binary `.vc` circuit.
    Circuit,
    /// The circuit's readable text form.
    Text,
    /// Bristol Fashion (Boolean circuits only).
    Bristol,
    /// The word-level IR after the passes.
    Ir,
    /// Gate counts, depth and what each party learns.
    Stats,
    /// The circuit as a Graphviz graph.
    Dot,
}

/// Compiles a checked program; prints what went wrong and returns the exit code on failure.
pub fn compile(
    compilation: &Compilation,
    opts: &CompileOptions,
    report: bool,
) -> Result<Compiled, u8> {
    let Some(program) = &compilation.program else {
        return Err(EXIT_INVALID);
    };
    let mut dump = |pass: &str, m: &ir::Module| {
        eprintln!(";; IR after {pass}");
        eprint!("{}", ir::text::print(m));
    };
    match driver::compile_program_with(program, opts, &mut dump) {
        Ok(c) => {
            if report {
                for (name, r) in &c.reports {
                    eprintln!("{name:>12}: {r}");
                }
                for (phase, time) in &c.phases {
                    eprintln!("{phase:>16}: {:.3} s", time.as_secs_f64());
                }
            }
            Ok(c)
        }
        Err(CompileError::Program(d)) => {
            render::diagnostics(
                &mut std::io::stderr().lock(),
                &compilation.sources,
                std::slice::from_ref(&*d),
                color_on_stderr(),
            );
            Err(EXIT_INVALID)
        }
        Err(
            e
            @ CompileError::Pass(PassError::UnknownPass { .. } | PassError::DumpPassNotRun { .. }),
        ) => {
            eprintln!("error: {e}");
            Err(EXIT_USAGE)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Err(EXIT_INVALID)
        }
    }
}

/// The bytes `--emit` asks for.
pub fn emit(c: &Compiled, what: Emit) -> Result<Vec<u8>, String> {
    Ok(match what {
        Emit::Circuit => vc::encode(c.circuit.circuit()),
        Emit::Text => text::to_text(c.circuit.circuit()).into_bytes(),
        Emit::Bristol => bristol::write(&c.circuit, BitOrder::LsbFirst)
            .map_err(|e| format!("{e} (Bristol holds Boolean circuits only; use --target bool)"))?
            .into_bytes(),
        Emit::Ir => ir::text::print(&c.ir).into_bytes(),
        Emit::Stats => stats_report(&c.circuit).into_bytes(),
        Emit::Dot => dot(&c.circuit).into_bytes(),
    })
}

/// Gate counts, then what each party learns (the leakage summary).
pub fn stats_report(c: &ValidCircuit) -> String {
    let circuit = c.circuit();
    let mut s = Stats::of(c).to_string();
    s.push_str("leakage (what each party learns besides its own inputs):\n");
    for o in &circuit.outputs {
        let to: Vec<&str> = o
            .recipients
            .iter()
            .map(|&p| circuit.parties[p as usize].as_str())
            .collect();
        let _ = writeln!(s, "  {}: {} to {}", o.name, o.ty, to.join(", "));
    }
    s
}

/// A Graphviz rendering: one node per gate, edges along wires.
fn dot(c: &ValidCircuit) -> String {
    let circuit = c.circuit();
    let mut s =
        String::from("digraph circuit {\n  rankdir=LR;\n  node [shape=box, fontname=monospace];\n");
    let mut writer: Vec<Option<String>> = vec![None; circuit.wires.len()];
    for g in &circuit.inputs {
        let node = format!("\"in {}.{}\"", circuit.parties[g.party as usize], g.name);
        let _ = writeln!(s, "  {node} [shape=ellipse];");
        for w in g.wires.iter() {
            if let Some(slot) = writer.get_mut(w.0 as usize) {
                *slot = Some(node.clone());
            }
        }
    }
    for (i, gate) in circuit.gates.iter().enumerate() {
        let node = format!("g{i}");
        let _ = writeln!(s, "  {node} [label=\"{}\"];", gate.kind().name());
        for w in gate.inputs() {
            if let Some(Some(from)) = writer.get(w.0 as usize) {
                let _ = writeln!(s, "  {from} -> {node} [label=\"{w}\"];");
            }
        }
        for w in gate.outputs() {
            if let Some(slot) = writer.get_mut(w.0 as usize) {
                *slot = Some(node.clone());
            }
        }
    }
    for o in &circuit.outputs {
        let node = format!("\"out {}\"", o.name);
        let _ = writeln!(s, "  {node} [shape=ellipse];");
        for w in o.wires.iter() {
            if let Some(Some(from)) = writer.get(w.0 as usize) {
                let _ = writeln!(s, "  {from} -> {node};");
            }
        }
    }
    s.push_str("}\n");
    s
}
