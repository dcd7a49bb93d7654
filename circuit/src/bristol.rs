//! Bristol Fashion and old Bristol Format: import of both, export of Bristol Fashion.
//!
//! See `shared/circuits/FORMAT.md` for the formats. Import gives the
//! circuit parties `p0`, `p1`, … where input value k belongs to party `pk`
//! (unless [`BristolOptions::owners`] says otherwise; for the old format the
//! `n1` wires are value 0 and the `n2` wires, when `n2 > 0`, value 1), names
//! inputs and outputs `0`, `1`, … by position, types every value as an
//! unsigned integer of its width, and sends every output to every party.
//! A value is the integer whose bit i sits on the value's i-th wire
//! ([`BitOrder::LsbFirst`]) or on its (w−1−i)-th wire ([`BitOrder::MsbFirst`],
//! for the old crypto circuits).
//!
//! Reading is tolerant of layout (blank lines, trailing spaces, `\r`, no
//! final newline) and strict about content: every malformed file gives a
//! [`BristolError`] naming its line, and no allocation is sized by a header
//! count before that count has been checked against the lines actually
//! present. Every wire must be written exactly once (by an input or a gate):
//! a header that declares more wires than the file can write is refused
//! before any per-wire table is allocated.

use std::fmt::Write as _;

use thiserror::Error;

use crate::circuit::{Circuit, Domain, InputGroup, OutputGroup, ValidCircuit, WireInfo};
use crate::gate::Gate;
use crate::validate::{ValidationErrors, MAX_GROUP_WIRES};
use crate::value::ValueType;
use crate::wire::{Wire, WireList, WireRange};

/// Which wire of a value carries its least significant bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BitOrder {
    /// Wire `off + i` carries bit i (SCALE-MAMBA circuits, old arithmetic circuits).
    #[default]
    LsbFirst,
    /// Wire `off + i` carries bit `w - 1 - i` (old Bristol crypto circuits).
    MsbFirst,
}

/// The two Bristol dialects, told apart by their headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BristolFormat {
    /// Bristol Fashion: `G W` / `niv widths…` / `nov widths…`.
    Fashion,
    /// The older Bristol Format: `G W` / `n1 n2 n3`.
    Old,
}

/// How to read a Bristol file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BristolOptions {
    /// Force a dialect instead of detecting it from the header.
    pub format: Option<BristolFormat>,
    /// The bit order inside every input and output value.
    pub bit_order: BitOrder,
    /// `(k, party)`: input value k belongs to `party` instead of `pk`
    /// (`veil run --owner k=PARTY`).
    pub owners: Vec<(usize, String)>,
    /// Add parties `p<i>` (names not yet taken) until there are at least this many.
    pub min_parties: usize,
}

/// Why a Bristol file could not be read or a circuit not written as one.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BristolError {
    #[error("the file is empty: expected the header line `GATES WIRES`")]
    Empty,
    #[error("line {line}: {message}")]
    Header { line: usize, message: String },
    #[error("line {line}: `{token}` is not a number")]
    BadNumber { line: usize, token: String },
    #[error("line {line}: the header declares {declared} gates, but {found} gate lines follow")]
    GateCount {
        line: usize,
        declared: u64,
        found: u64,
    },
    #[error("line {line}: expected {expected} tokens (two counts, the wires they count, the operation), found {found}")]
    TokenCount {
        line: usize,
        expected: u64,
        found: usize,
    },
    #[error(
        "line {line}: unknown operation `{op}` (expected XOR, AND, INV, NOT, EQ, EQW or MAND)"
    )]
    UnknownOp { line: usize, op: String },
    #[error("line {line}: `{op}` cannot take {nin} inputs and {nout} outputs")]
    Arity {
        line: usize,
        op: String,
        nin: u64,
        nout: u64,
    },
    #[error("line {line}: `EQ` needs the constant 0 or 1, found `{token}`")]
    BadConstant { line: usize, token: String },
    #[error("line {line}: wire {wire} is out of range (the header declares {wires} wires)")]
    WireOutOfRange { line: usize, wire: u64, wires: u64 },
    #[error("line {line}: wire {wire} is read before it is written")]
    ReadBeforeWrite { line: usize, wire: u64 },
    #[error("line {line}: wire {wire} is written a second time")]
    WrittenTwice { line: usize, wire: u64 },
    #[error("line {line}: the header declares {declared} wires, but the inputs and gates write only {definable}")]
    WireCount {
        line: usize,
        declared: u64,
        definable: u64,
    },
    #[error("line {line}: output wire {wire} is never written")]
    UnwrittenOutput { line: usize, wire: u64 },
    #[error(
        "line {line}: the {what} values have {found} wires in all, more than the limit of {limit}"
    )]
    TooManyGroupWires {
        line: usize,
        what: &'static str,
        found: u64,
        limit: u64,
    },
    #[error("owner of input value {value}: the circuit has only {values} input values")]
    Owner { value: usize, values: usize },
    #[error("cannot write Bristol Fashion: {0}")]
    NotExportable(String),
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
}

impl BristolError {
    /// The 1-based line of the file the error is about, if any.
    pub fn line(&self) -> Option<usize> {
        match self {
            BristolError::Header { line, .. }
            | BristolError::BadNumber { line, .. }
            | BristolError::GateCount { line, .. }
            | BristolError::TokenCount { line, .. }
            | BristolError::UnknownOp { line, .. }
            | BristolError::Arity { line, .. }
            | BristolError::BadConstant { line, .. }
            | BristolError::WireOutOfRange { line, .. }
            | BristolError::ReadBeforeWrite { line, .. }
            | BristolError::WrittenTwice { line, .. }
            | BristolError::WireCount { line, .. }
            | BristolError::UnwrittenOutput { line, .. }
            | BristolError::TooManyGroupWires { line, .. } => Some(*line),
            BristolError::Empty
            | BristolError::Owner { .. }
            | BristolError::NotExportable(_)
            | BristolError::Invalid(_) => None,
        }
    }
}

/// Non-empty lines with their 1-based line numbers, trimmed.
fn content_lines(text: &str) -> Vec<(usize, &str)> {
    text.split('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
        .collect()
}

fn detect_lines(lines: &[(usize, &str)]) -> Option<BristolFormat> {
    let (_, first) = lines.first()?;
    let header: Vec<&str> = first.split_ascii_whitespace().collect();
    if header.len() != 2 || header.iter().any(|t| t.parse::<u64>().is_err()) {
        return None;
    }
    Some(match lines.get(2) {
        // The old format's third line is already a gate, which ends in an operation name.
        Some((_, third)) => {
            if third
                .split_ascii_whitespace()
                .last()
                .is_some_and(|t| t.parse::<u64>().is_err())
            {
                BristolFormat::Old
            } else {
                BristolFormat::Fashion
            }
        }
        None => {
            if lines
                .get(1)
                .is_some_and(|(_, l)| l.split_ascii_whitespace().count() == 3)
            {
                BristolFormat::Old
            } else {
                BristolFormat::Fashion
            }
        }
    })
}

/// The dialect of `text`, or `None` if it does not start with a `GATES WIRES` line.
pub fn detect_format(text: &str) -> Option<BristolFormat> {
    // Only the first few content lines matter.
    let lines: Vec<(usize, &str)> = text
        .split('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
        .take(3)
        .collect();
    detect_lines(&lines)
}

fn number(line: usize, token: &str) -> Result<u64, BristolError> {
    token.parse::<u64>().map_err(|_| BristolError::BadNumber {
        line,
        token: token.to_string(),
    })
}

/// Reads `count widths…` from a header line.
fn widths(line: usize, text: &str, what: &str) -> Result<Vec<u64>, BristolError> {
    let tokens: Vec<&str> = text.split_ascii_whitespace().collect();
    let count = number(line, tokens.first().copied().unwrap_or(""))?;
    let listed = tokens.len().saturating_sub(1);
    if count != listed as u64 {
        return Err(BristolError::Header {
            line,
            message: format!("declares {count} {what} values but lists {listed} widths"),
        });
    }
    let mut out = Vec::with_capacity(listed);
    for (k, t) in tokens.iter().skip(1).enumerate() {
        let w = number(line, t)?;
        if w == 0 {
            return Err(BristolError::Header {
                line,
                message: format!("{what} value {k} has width 0"),
            });
        }
        out.push(w);
    }
    Ok(out)
}

/// Reads a Bristol Fashion or old Bristol Format circuit (see the module documentation).
pub fn read(text: &str, opts: &BristolOptions) -> Result<ValidCircuit, BristolError> {
    let lines = content_lines(text);
    let Some(&(first_no, first)) = lines.first() else {
        return Err(BristolError::Empty);
    };
    let header: Vec<&str> = first.split_ascii_whitespace().collect();
    if header.len() != 2 {
        return Err(BristolError::Header {
            line: first_no,
            message: format!("expected `GATES WIRES`, found {} tokens", header.len()),
        });
    }
    let declared_gates = number(first_no, header[0])?;
    let wires = number(first_no, header[1])?;
    if wires > u64::from(u32::MAX) {
        return Err(BristolError::Header {
            line: first_no,
            message: format!("{wires} wires is more than wire ids (u32) can number"),
        });
    }
    let format = opts
        .format
        .or_else(|| detect_lines(&lines))
        .unwrap_or(BristolFormat::Fashion);
    let missing = |what: &str| BristolError::Header {
        line: first_no,
        message: format!("the file ends before the {what} line"),
    };
    let (in_widths, out_widths, in_line, out_line, gates_from) = match format {
        BristolFormat::Fashion => {
            let &(l2, t2) = lines.get(1).ok_or_else(|| missing("input header"))?;
            let &(l3, t3) = lines.get(2).ok_or_else(|| missing("output header"))?;
            (
                widths(l2, t2, "input")?,
                widths(l3, t3, "output")?,
                l2,
                l3,
                3,
            )
        }
        BristolFormat::Old => {
            let &(l2, t2) = lines.get(1).ok_or_else(|| missing("`n1 n2 n3`"))?;
            let tokens: Vec<&str> = t2.split_ascii_whitespace().collect();
            if tokens.len() != 3 {
                return Err(BristolError::Header {
                    line: l2,
                    message: format!("expected `n1 n2 n3`, found {} tokens", tokens.len()),
                });
            }
            let n: Vec<u64> = tokens
                .iter()
                .map(|t| number(l2, t))
                .collect::<Result<_, _>>()?;
            let ins: Vec<u64> = n[..2].iter().copied().filter(|&w| w > 0).collect();
            let outs: Vec<u64> = n[2..].iter().copied().filter(|&w| w > 0).collect();
            (ins, outs, l2, l2, 2)
        }
    };
    let sum_in: u64 = in_widths.iter().fold(0u64, |a, &w| a.saturating_add(w));
    let sum_out: u64 = out_widths.iter().fold(0u64, |a, &w| a.saturating_add(w));
    for (what, sum, line) in [("input", sum_in, in_line), ("output", sum_out, out_line)] {
        if sum > MAX_GROUP_WIRES {
            return Err(BristolError::TooManyGroupWires {
                line,
                what,
                found: sum,
                limit: MAX_GROUP_WIRES,
            });
        }
        if sum > wires {
            return Err(BristolError::Header {
                line,
                message: format!(
                    "the {what} values need {sum} wires, but the header declares only {wires}"
                ),
            });
        }
    }

    let gate_lines = lines.get(gates_from..).unwrap_or(&[]);
    if gate_lines.len() as u64 != declared_gates {
        let line = if (gate_lines.len() as u64) < declared_gates {
            first_no
        } else {
            // The first line past the declared count.
            gate_lines
                .get(declared_gates as usize)
                .map_or(first_no, |&(l, _)| l)
        };
        return Err(BristolError::GateCount {
            line,
            declared: declared_gates,
            found: gate_lines.len() as u64,
        });
    }

    // Pass 1: parse gates (sized by the lines present), check wire ranges.
    let mut gates: Vec<Gate> = Vec::with_capacity(gate_lines.len());
    let mut gate_line: Vec<usize> = Vec::with_capacity(gate_lines.len());
    let mut definable = sum_in;
    let mut toks: Vec<&str> = Vec::new();
    for &(no, line) in gate_lines {
        toks.clear();
        toks.extend(line.split_ascii_whitespace());
        parse_gate(no, &toks, wires, &mut gates, &mut gate_line, &mut definable)?;
    }
    if wires > definable {
        return Err(BristolError::WireCount {
            line: first_no,
            declared: wires,
            definable,
        });
    }

    // Pass 2: order of writes and reads (the table is now bounded by the content).
    let mut written = vec![false; wires as usize];
    written
        .iter_mut()
        .take(sum_in as usize)
        .for_each(|w| *w = true);
    for (gate, &no) in gates.iter().zip(&gate_line) {
        for w in gate.inputs() {
            if !written[w.index()] {
                return Err(BristolError::ReadBeforeWrite {
                    line: no,
                    wire: u64::from(w.0),
                });
            }
        }
        for w in gate.outputs() {
            if std::mem::replace(&mut written[w.index()], true) {
                return Err(BristolError::WrittenTwice {
                    line: no,
                    wire: u64::from(w.0),
                });
            }
        }
    }
    let out_start = wires - sum_out;
    if let Some(w) = (out_start..wires).find(|&w| !written[w as usize]) {
        return Err(BristolError::UnwrittenOutput {
            line: out_line,
            wire: w,
        });
    }

    build(
        opts,
        wires as u32,
        gates,
        &in_widths,
        &out_widths,
        out_start as u32,
    )
}

fn parse_gate(
    no: usize,
    toks: &[&str],
    wires: u64,
    gates: &mut Vec<Gate>,
    gate_line: &mut Vec<usize>,
    definable: &mut u64,
) -> Result<(), BristolError> {
    if toks.len() < 3 {
        return Err(BristolError::TokenCount {
            line: no,
            expected: 3,
            found: toks.len(),
        });
    }
    let nin = number(no, toks[0])?;
    let nout = number(no, toks[1])?;
    let expected = nin.saturating_add(nout).saturating_add(3);
    if expected != toks.len() as u64 {
        return Err(BristolError::TokenCount {
            line: no,
            expected,
            found: toks.len(),
        });
    }
    let op = toks[toks.len() - 1];
    let args = &toks[2..toks.len() - 1];
    let wire = |t: &str| -> Result<Wire, BristolError> {
        let w = number(no, t)?;
        if w >= wires {
            return Err(BristolError::WireOutOfRange {
                line: no,
                wire: w,
                wires,
            });
        }
        Ok(Wire(w as u32))
    };
    let arity = |ok: bool| -> Result<(), BristolError> {
        if ok {
            Ok(())
        } else {
            Err(BristolError::Arity {
                line: no,
                op: op.to_string(),
                nin,
                nout,
            })
        }
    };
    let upper = op.to_ascii_uppercase();
    match upper.as_str() {
        "XOR" | "AND" => {
            arity(nin == 2 && nout == 1)?;
            let (a, b, out) = (wire(args[0])?, wire(args[1])?, wire(args[2])?);
            gates.push(if upper == "XOR" {
                Gate::Xor { a, b, out }
            } else {
                Gate::And { a, b, out }
            });
            gate_line.push(no);
        }
        "INV" | "NOT" | "EQW" => {
            arity(nin == 1 && nout == 1)?;
            let (a, out) = (wire(args[0])?, wire(args[1])?);
            gates.push(if upper == "EQW" {
                Gate::Copy { a, out }
            } else {
                Gate::Not { a, out }
            });
            gate_line.push(no);
        }
        "EQ" => {
            arity(nin == 1 && nout == 1)?;
            let value = match args[0] {
                "0" => false,
                "1" => true,
                t => {
                    return Err(BristolError::BadConstant {
                        line: no,
                        token: t.to_string(),
                    })
                }
            };
            gates.push(Gate::Const {
                value,
                out: wire(args[1])?,
            });
            gate_line.push(no);
        }
        "MAND" => {
            arity(nout >= 1 && nin == nout.saturating_mul(2))?;
            let n = nout as usize;
            for k in 0..n {
                let (a, b, out) = (wire(args[k])?, wire(args[n + k])?, wire(args[2 * n + k])?);
                gates.push(Gate::And { a, b, out });
                gate_line.push(no);
            }
        }
        _ => {
            return Err(BristolError::UnknownOp {
                line: no,
                op: op.to_string(),
            })
        }
    }
    *definable = definable.saturating_add(nout);
    Ok(())
}

fn value_wires(range: WireRange, order: BitOrder) -> WireList {
    let list = WireList::from(range);
    match order {
        BitOrder::LsbFirst => list,
        BitOrder::MsbFirst => list.reversed(),
    }
}

fn build(
    opts: &BristolOptions,
    wires: u32,
    gates: Vec<Gate>,
    in_widths: &[u64],
    out_widths: &[u64],
    out_start: u32,
) -> Result<ValidCircuit, BristolError> {
    let mut owner_names: Vec<String> = (0..in_widths.len()).map(|k| format!("p{k}")).collect();
    for (k, name) in &opts.owners {
        match owner_names.get_mut(*k) {
            Some(slot) => *slot = name.clone(),
            None => {
                return Err(BristolError::Owner {
                    value: *k,
                    values: in_widths.len(),
                })
            }
        }
    }
    let mut parties: Vec<String> = Vec::new();
    for name in &owner_names {
        if !parties.contains(name) {
            parties.push(name.clone());
        }
    }
    let mut i = 0;
    while parties.len() < opts.min_parties.max(1) {
        let name = format!("p{i}");
        if !parties.contains(&name) {
            parties.push(name);
        }
        i += 1;
    }
    let party_of = |name: &String| {
        parties
            .iter()
            .position(|p| p == name)
            .and_then(|i| u32::try_from(i).ok())
            .unwrap_or(0)
    };
    let everyone: Vec<u32> = (0..parties.len())
        .filter_map(|i| u32::try_from(i).ok())
        .collect();

    let mut offset = 0u32;
    let mut inputs = Vec::with_capacity(in_widths.len());
    for (k, &w) in in_widths.iter().enumerate() {
        let w = w as u32; // sums were checked against the wire count
        inputs.push(InputGroup {
            party: party_of(&owner_names[k]),
            name: k.to_string(),
            ty: ValueType::Int {
                signed: false,
                bits: w,
            },
            public: false,
            domain: Domain::Bool,
            wires: value_wires(WireRange::new(Wire(offset), w), opts.bit_order),
        });
        offset += w;
    }
    let mut offset = out_start;
    let mut outputs = Vec::with_capacity(out_widths.len());
    for (k, &w) in out_widths.iter().enumerate() {
        let w = w as u32;
        outputs.push(OutputGroup {
            name: k.to_string(),
            recipients: everyone.clone(),
            ty: ValueType::Int {
                signed: false,
                bits: w,
            },
            domain: Domain::Bool,
            wires: value_wires(WireRange::new(Wire(offset), w), opts.bit_order),
        });
        offset += w;
    }
    let mut circuit = Circuit {
        parties,
        ring_bits: 64,
        wires: vec![WireInfo::SECRET_BOOL; wires as usize],
        gates,
        inputs,
        outputs,
    };
    circuit.infer_visibility();
    Ok(ValidCircuit::new(circuit)?)
}

/// Writes a Boolean circuit as Bristol Fashion (basic gates only: XOR, AND,
/// INV, EQ, EQW), with every value's wires in `order`.
///
/// Bristol puts the inputs on the first wires and the outputs on the last,
/// so wires are renumbered: inputs first in group order, then the other gate
/// results in gate order, then the outputs in group order. An output wire
/// that no gate writes (an input passed through) or that appears twice gets
/// an `EQW` copy. Party ownership, names and types are not representable and
/// are dropped. Arithmetic circuits and empty values are refused.
pub fn write(circuit: &ValidCircuit, order: BitOrder) -> Result<String, BristolError> {
    let c = circuit.circuit();
    if !c.is_boolean() {
        return Err(BristolError::NotExportable(
            "the circuit has arithmetic wires or gates".into(),
        ));
    }
    for g in &c.inputs {
        if g.wires.is_empty() {
            return Err(BristolError::NotExportable(format!(
                "input `{}` has no wires, and Bristol values have at least one",
                g.name
            )));
        }
    }
    for g in &c.outputs {
        if g.wires.is_empty() {
            return Err(BristolError::NotExportable(format!(
                "output `{}` has no wires, and Bristol values have at least one",
                g.name
            )));
        }
    }
    let ordered = |l: &WireList| match order {
        BitOrder::LsbFirst => l.clone(),
        BitOrder::MsbFirst => l.reversed(),
    };
    let n = c.wires.len();
    const UNSET: u32 = u32::MAX;
    let mut num = vec![UNSET; n];
    let mut next: u64 = 0;
    let mut in_widths = Vec::with_capacity(c.inputs.len());
    for g in &c.inputs {
        for w in ordered(&g.wires).iter() {
            num[w.index()] = next as u32;
            next += 1;
        }
        in_widths.push(g.wires.len());
    }
    let mut by_gate = vec![false; n];
    for gate in &c.gates {
        for w in gate.outputs() {
            by_gate[w.index()] = true;
        }
    }
    let out_lists: Vec<WireList> = c.outputs.iter().map(|g| ordered(&g.wires)).collect();
    let out_widths: Vec<u64> = out_lists.iter().map(WireList::len).collect();
    // An output position is served directly by the first occurrence of a gate-written wire.
    let mut direct = vec![false; n];
    for w in out_lists.iter().flat_map(|l| l.iter()) {
        if by_gate[w.index()] && !direct[w.index()] {
            direct[w.index()] = true;
        }
    }
    for gate in &c.gates {
        for w in gate.outputs() {
            if !direct[w.index()] {
                num[w.index()] = next as u32;
                next += 1;
            }
        }
    }
    let middle_end = next;
    let mut copies: Vec<(u32, u64)> = Vec::new();
    let mut claimed = vec![false; n];
    for (j, w) in out_lists.iter().flat_map(|l| l.iter()).enumerate() {
        let pos = middle_end + j as u64;
        if direct[w.index()] && !claimed[w.index()] {
            claimed[w.index()] = true;
            num[w.index()] = pos as u32;
        } else {
            copies.push((w.0, pos));
        }
    }
    let total_out: u64 = out_widths.iter().sum();
    let total_wires = middle_end + total_out;
    if total_wires > u64::from(u32::MAX) {
        return Err(BristolError::NotExportable(format!(
            "{total_wires} wires after renumbering do not fit u32 ids"
        )));
    }
    let gate_count = c.gates.len() + copies.len();
    let mut s = String::new();
    let list = |ws: &[u64]| {
        let mut t = ws.len().to_string();
        for w in ws {
            t.push(' ');
            t.push_str(&w.to_string());
        }
        t
    };
    let _ = writeln!(s, "{gate_count} {total_wires}");
    let _ = writeln!(s, "{}", list(&in_widths));
    let _ = writeln!(s, "{}", list(&out_widths));
    s.push('\n');
    let m = |w: Wire| num[w.index()];
    for gate in &c.gates {
        let _ = match *gate {
            Gate::Xor { a, b, out } => writeln!(s, "2 1 {} {} {} XOR", m(a), m(b), m(out)),
            Gate::And { a, b, out } => writeln!(s, "2 1 {} {} {} AND", m(a), m(b), m(out)),
            Gate::Not { a, out } => writeln!(s, "1 1 {} {} INV", m(a), m(out)),
            Gate::Copy { a, out } => writeln!(s, "1 1 {} {} EQW", m(a), m(out)),
            Gate::Const { value, out } => writeln!(s, "1 1 {} {} EQ", u8::from(value), m(out)),
            // is_boolean() was checked above.
            _ => Ok(()),
        };
    }
    for (src, pos) in copies {
        let _ = writeln!(s, "1 1 {} {pos} EQW", num[src as usize]);
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::evaluate_bits;

    const FULL_ADDER: &str = "5 8\n3 1 1 1\n2 1 1\n\n2 1 0 1 3 XOR\n2 1 0 1 4 AND\n2 1 3 2 5 AND\n2 1 3 2 6 XOR\n2 1 4 5 7 XOR\n";
    const FULL_ADDER_MAND: &str =
        "4 8\n3 1 1 1\n2 1 1\n\n2 1 0 1 3 XOR\n4 2 0 3 1 2 4 5 MAND\n2 1 3 2 6 XOR\n2 1 4 5 7 XOR";
    const OTHER_GATES: &str =
        "4 6  \r\n1 2 \r\n1 2\r\n\r\n1 1 1 2 EQ\n1 1 0 3 INV\n1 1 3 4 EQW\n2 1 1 2 5 AND\n\n\n";

    fn read_default(text: &str) -> Result<ValidCircuit, BristolError> {
        read(text, &BristolOptions::default())
    }

    fn adder_table(c: &ValidCircuit) {
        for n in 0..8u8 {
            let bits: Vec<Vec<bool>> = (0..3).map(|i| vec![n >> i & 1 == 1]).collect();
            let total = (0..3).filter(|i| n >> i & 1 == 1).count();
            let out = evaluate_bits(c, &bits).unwrap();
            assert_eq!(out, vec![vec![total % 2 == 1], vec![total >= 2]], "n={n}");
        }
    }

    #[test]
    fn format_md_examples() {
        let c = read_default(FULL_ADDER).unwrap();
        assert_eq!(c.circuit().parties, vec!["p0", "p1", "p2"]);
        adder_table(&c);
        let m = read_default(FULL_ADDER_MAND).unwrap();
        assert_eq!(m.circuit().gates.len(), 5);
        adder_table(&m);
        let o = read_default(OTHER_GATES).unwrap();
        for x in 0..4u8 {
            let bits = vec![vec![x & 1 == 1, x & 2 == 2]];
            let out = evaluate_bits(&o, &bits).unwrap();
            assert_eq!(out, vec![vec![x & 1 == 0, x & 2 == 2]]);
        }
    }

    #[test]
    fn formats_are_detected() {
        assert_eq!(detect_format(FULL_ADDER), Some(BristolFormat::Fashion));
        assert_eq!(
            detect_format("1 5\n2 2 1\n\n2 1 0 1 4 AND\n"),
            Some(BristolFormat::Old)
        );
        assert_eq!(detect_format("veil-circuit 1\n"), None);
        // Old format: n1 to p0, n2 to p1, the output is the last n3 wires.
        let c = read_default("1 5\n2 2 1\n\n2 1 0 3 4 AND\n").unwrap();
        assert_eq!(c.circuit().inputs.len(), 2);
        assert_eq!(c.circuit().inputs[1].party, 1);
        let one_input = read_default("1 3  \n2   0 1\n2 1 0 1 2 XOR").unwrap();
        assert_eq!(one_input.circuit().parties, vec!["p0"]);
    }

    #[test]
    fn owners_and_bit_order() {
        let opts = BristolOptions {
            bit_order: BitOrder::MsbFirst,
            owners: vec![(1, "alice".into())],
            min_parties: 4,
            ..BristolOptions::default()
        };
        let c = read(FULL_ADDER, &opts).unwrap();
        assert_eq!(c.circuit().parties, vec!["p0", "alice", "p2", "p1"]);
        assert_eq!(c.circuit().inputs[1].party, 1);
        let opts = BristolOptions {
            bit_order: BitOrder::MsbFirst,
            min_parties: 2,
            ..BristolOptions::default()
        };
        let msb = read(OTHER_GATES, &opts).unwrap();
        assert_eq!(msb.circuit().parties, vec!["p0", "p1"]);
        assert_eq!(msb.circuit().inputs[0].wires.to_string(), "w1 w0");
        assert!(matches!(
            read(
                FULL_ADDER,
                &BristolOptions {
                    owners: vec![(3, "x".into())],
                    ..BristolOptions::default()
                }
            ),
            Err(BristolError::Owner { value: 3, .. })
        ));
    }

    fn err_line(text: &str) -> (BristolError, Option<usize>) {
        let e = read_default(text).unwrap_err();
        let l = e.line();
        (e, l)
    }

    #[test]
    fn malformed_files_name_their_line() {
        assert!(matches!(read_default(""), Err(BristolError::Empty)));
        assert!(matches!(read_default("\n \n"), Err(BristolError::Empty)));
        let cases: &[(&str, usize)] = &[
            // bad counts
            ("6 8\n3 1 1 1\n2 1 1\n\n2 1 0 1 3 XOR\n", 1),
            ("1 8\n3 1 1 1\n2 1 1\n2 1 0 1 3 XOR\n2 1 0 1 4 XOR\n", 5),
            ("1 4\n3 1 1\n1 1\n2 1 0 1 3 XOR\n", 2),
            // wire number out of range
            ("1 4\n2 1 1\n1 1\n2 1 0 9 3 XOR\n", 4),
            // unknown op, wrong arity, wrong token count
            ("1 4\n2 1 1\n1 1\n2 1 0 1 3 NAND\n", 4),
            ("1 4\n2 1 1\n1 1\n1 1 0 3 AND\n", 4),
            ("1 4\n2 1 1\n1 1\n2 1 0 1 3\n", 4),
            ("1 4\n2 1 1\n1 1\n2 1 0 1 3 4 XOR\n", 4),
            ("1 4\n2 1 1\n1 1\n2 1 0 1 3 4 XOR", 4),
            // not a number
            ("1 4\n2 1 1\n1 1\n2 1 0 x 3 XOR\n", 4),
            ("1 4x\n2 1 1\n1 1\n2 1 0 1 3 XOR\n", 1),
            // bad constant
            ("1 3\n2 1 1\n1 1\n1 1 2 2 EQ\n", 4),
            // read before write, written twice
            ("2 4\n2 1 1\n1 1\n2 1 0 2 3 XOR\n2 1 0 1 2 AND\n", 4),
            ("2 4\n2 1 1\n1 1\n2 1 0 1 3 XOR\n2 1 0 1 3 AND\n", 5),
            ("1 3\n2 1 1\n1 1\n2 1 0 1 1 XOR\n", 4),
            // huge declared counts, checked before allocating
            ("1 4000000000\n2 1 1\n1 1\n2 1 0 1 3 XOR\n", 1),
            ("18446744073709551615 4\n2 1 1\n1 1\n2 1 0 1 3 XOR\n", 1),
            ("1 99999999999\n2 1 1\n1 1\n2 1 0 1 3 XOR\n", 1),
            ("1 4\n2 1 4000000000\n1 1\n2 1 0 1 3 XOR\n", 2),
            ("1 4\n2 1 1\n1 9\n2 1 0 1 3 XOR\n", 3),
            ("1 4\n4000000000 1 1\n1 1\n2 1 0 1 3 XOR\n", 2),
            ("1 4\n2 1 1\n1 1\n18446744073709551615 1 0 1 3 XOR\n", 4),
            ("1 4\n2 1 1\n1 1\n2 18446744073709551615 0 1 3 XOR\n", 4),
            // zero width value
            ("1 4\n2 0 2\n1 1\n2 1 0 1 3 XOR\n", 2),
        ];
        for (text, line) in cases {
            let (e, l) = err_line(text);
            assert_eq!(l, Some(*line), "{text:?} gave {e}");
            assert!(e.to_string().starts_with(&format!("line {line}:")), "{e}");
        }
    }

    #[test]
    fn truncated_files_are_errors() {
        for cut in 0..FULL_ADDER.len() {
            let _ = read_default(&FULL_ADDER[..cut]);
        }
        assert!(matches!(
            read_default("5 8\n3 1 1 1\n2 1 1\n\n2 1 0 1 3 XOR\n2 1 0 1"),
            Err(BristolError::GateCount { .. })
        ));
    }

    #[test]
    fn export_renumbers_and_copies() {
        use crate::builder::CircuitBuilder;
        let mut b = CircuitBuilder::new(64);
        let p = b.party("p");
        let q = b.party("q");
        let u2 = ValueType::Int {
            signed: false,
            bits: 2,
        };
        let x = b.input(p, "x", u2.clone(), false, Domain::Bool);
        let y = b.input(q, "y", ValueType::Bool, false, Domain::Bool);
        let a = b.and(x.start, y.start);
        let one = b.constant(true);
        let n = b.xor(a, one);
        let x1 = x.get(1).unwrap();
        // Outputs: an input passed through, a gate result twice, and a reversed pair.
        b.output("o1", vec![p], u2.clone(), Domain::Bool, [x1, n]);
        b.output("o2", vec![q], u2, Domain::Bool, [n, a]);
        let c = b.finish().unwrap();
        for order in [BitOrder::LsbFirst, BitOrder::MsbFirst] {
            let text = write(&c, order).unwrap();
            let back = read(
                &text,
                &BristolOptions {
                    bit_order: order,
                    ..BristolOptions::default()
                },
            )
            .unwrap();
            for v in 0..8u8 {
                let ins = vec![vec![v & 1 == 1, v & 2 == 2], vec![v & 4 == 4]];
                assert_eq!(
                    evaluate_bits(&c, &ins).unwrap(),
                    evaluate_bits(&back, &ins).unwrap(),
                    "{text}"
                );
            }
        }
        let mut b = CircuitBuilder::new(8);
        let p = b.party("p");
        let x = b.input(p, "x", ValueType::Bool, false, Domain::Arith).start;
        b.output("x", vec![p], ValueType::Bool, Domain::Arith, [x]);
        assert!(matches!(
            write(&b.finish().unwrap(), BitOrder::LsbFirst),
            Err(BristolError::NotExportable(_))
        ));
    }
}
