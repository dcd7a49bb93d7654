//! The readable text encoding: one gate per line, parsed back losslessly.
//!
//! ```text
//! veil-circuit 1
//! ring 8
//! wires 8
//! party alice
//! party bob
//! public w5
//! arith w2 w4..=w7
//! input alice x: u2 secret bool = w0..=w1
//! input bob y: u8 secret arith = w2
//! output z: bool bool to alice bob = w3
//! output s: u8 arith to bob = w7
//! w3 = and w0 w1
//! w4 = bits_to_arith w0..=w1
//! w5 = arith_const 3
//! w6 = mul w4 w2
//! w7 = add w6 w5
//! ```
//!
//! - The first line (after blank lines and `#` comment lines) is
//!   `veil-circuit VERSION`; other versions are refused by number.
//! - `ring K` (default 64) and `wires N` (default: one past the highest wire
//!   named) may each appear once. Wires are bool and secret unless listed on
//!   `public` and `arith` lines, in increasing order without repeats.
//! - `party NAME` declares the parties in index order; a party is referred
//!   to by name, or as `#INDEX` when its name is not unique.
//! - `input PARTY NAME: TYPE public|secret bool|arith = WIRES` and
//!   `output NAME: TYPE bool|arith to PARTY… = WIRES`, where WIRES are items
//!   `w3`, `w3..=w7` (inclusive) or `w3..w8` (exclusive) in value order.
//! - Types: `bool`, `u8`, `i32`, `[T; N]`, `(T, U)` (`(T,)` for one item),
//!   `struct NAME { FIELD: T, … }`. Names are written bare when they are
//!   made of ASCII letters, digits and `_`, else quoted like Rust strings.
//! - Gates: `wO = OP OPERANDS` with OP one of `xor and not const copy add
//!   sub mul add_const mul_const arith_const bits_to_arith arith_to_bits`
//!   (see [`crate::Gate`]'s `Display`); `arith_to_bits` writes a range.
//!
//! Header lines may come in any order, except that a party must be declared
//! before it is named; gates keep their order. Parsing checks the syntax and
//! the same allocation limits as the binary reader, not the circuit's
//! invariants (use [`crate::ValidCircuit::new`]).

use std::collections::HashMap;
use std::fmt;

use thiserror::Error;

use crate::circuit::{Circuit, Domain, InputGroup, OutputGroup, Visibility, WireInfo};
use crate::gate::{Gate, GateKind};
use crate::syntax::{lex, write_name, write_type, Line, Tok};
use crate::validate::MAX_GROUP_WIRES;
use crate::wire::{Wire, WireList, WireRange};

/// The text encoding version this build writes and reads.
pub const TEXT_VERSION: u32 = 1;

/// Why a text circuit could not be parsed, with its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("line {line}: {kind}")]
pub struct TextError {
    /// The line of the problem.
    pub line: usize,
    /// What is wrong.
    pub kind: TextErrorKind,
}

/// What is wrong in a text circuit.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TextErrorKind {
    #[error("expected `veil-circuit {TEXT_VERSION}` as the first line")]
    MissingVersion,
    #[error("unsupported text version {found}; this build reads version {supported}")]
    Version { found: String, supported: u32 },
    #[error("{0}")]
    Syntax(String),
    #[error("unknown gate `{0}`")]
    UnknownGate(String),
    #[error("unknown party `{0}` (declare it first with `party`, or write `#INDEX`)")]
    UnknownParty(String),
    #[error("`{0}` may appear only once")]
    Duplicate(&'static str),
    #[error("{0}")]
    Limit(String),
}

// ---------------------------------------------------------------- printing

fn mark_runs(c: &Circuit, pred: impl Fn(&WireInfo) -> bool) -> WireList {
    let mut list = WireList::new();
    for (i, info) in c.wires.iter().enumerate() {
        if pred(info) {
            list.push(Wire(i as u32));
        }
    }
    list
}

/// Writes the text encoding of `c` (any circuit, valid or not).
pub fn write_text(c: &Circuit, out: &mut impl fmt::Write) -> fmt::Result {
    writeln!(out, "veil-circuit {TEXT_VERSION}")?;
    writeln!(out, "ring {}", c.ring_bits)?;
    writeln!(out, "wires {}", c.wires.len())?;
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for p in &c.parties {
        *seen.entry(p.as_str()).or_default() += 1;
        out.write_str("party ")?;
        write_name(out, p)?;
        out.write_char('\n')?;
    }
    let party = |out: &mut dyn fmt::Write, i: u32| -> fmt::Result {
        match c.parties.get(i as usize) {
            Some(name) if seen.get(name.as_str()) == Some(&1) => {
                let mut s = String::new();
                write_name(&mut s, name)?;
                out.write_str(&s)
            }
            _ => write!(out, "#{i}"),
        }
    };
    for (keyword, list) in [
        (
            "public",
            mark_runs(c, |w| w.visibility == Visibility::Public),
        ),
        ("arith", mark_runs(c, |w| w.domain == Domain::Arith)),
    ] {
        for chunk in list.runs().chunks(32) {
            out.write_str(keyword)?;
            for r in chunk {
                write!(out, " {r}")?;
            }
            out.write_char('\n')?;
        }
    }
    for g in &c.inputs {
        out.write_str("input ")?;
        party(out, g.party)?;
        out.write_char(' ')?;
        write_name(out, &g.name)?;
        out.write_str(": ")?;
        write_type(out, &g.ty)?;
        let vis = if g.public { "public" } else { "secret" };
        write!(out, " {vis} {} =", g.domain)?;
        for r in g.wires.runs() {
            write!(out, " {r}")?;
        }
        out.write_char('\n')?;
    }
    for g in &c.outputs {
        out.write_str("output ")?;
        write_name(out, &g.name)?;
        out.write_str(": ")?;
        write_type(out, &g.ty)?;
        write!(out, " {} to", g.domain)?;
        for &p in &g.recipients {
            out.write_char(' ')?;
            party(out, p)?;
        }
        out.write_str(" =")?;
        for r in g.wires.runs() {
            write!(out, " {r}")?;
        }
        out.write_char('\n')?;
    }
    for gate in &c.gates {
        writeln!(out, "{gate}")?;
    }
    Ok(())
}

/// The text encoding of `c` as a string.
pub fn to_text(c: &Circuit) -> String {
    let mut s = String::new();
    let _ = write_text(c, &mut s);
    s
}

// ---------------------------------------------------------------- lexing

/// The wire syntax of the circuit text form, on top of the shared tokens.
trait WireSyntax {
    fn wire(&mut self) -> Result<Wire, String>;
    fn range(&mut self) -> Result<WireRange, String>;
    fn wire_list(&mut self) -> Result<WireList, String>;
}

impl WireSyntax for Line {
    fn wire(&mut self) -> Result<Wire, String> {
        let w = self.word("a wire (`w12`)")?;
        let id = wire_id(&w).ok_or_else(|| format!("expected a wire (`w12`), found `{w}`"))?;
        u32::try_from(id)
            .map(Wire)
            .map_err(|_| format!("wire `{w}` does not fit u32"))
    }

    /// `wA`, `wA..=wB` or `wA..wB`.
    fn range(&mut self) -> Result<WireRange, String> {
        let start = self.wire()?;
        let inclusive = match self.peek() {
            Some(Tok::RangeIncl) => true,
            Some(Tok::RangeExcl) => false,
            _ => return Ok(WireRange::new(start, 1)),
        };
        self.advance();
        let w = self.word("the end of a wire range")?;
        let end = wire_id(&w).ok_or_else(|| format!("expected a wire (`w12`), found `{w}`"))?;
        let end = if inclusive {
            end.checked_add(1)
        } else {
            Some(end)
        };
        let len = end
            .and_then(|e| e.checked_sub(u64::from(start.0)))
            .and_then(|l| u32::try_from(l).ok())
            .ok_or_else(|| format!("bad wire range `{start}..{w}`"))?;
        Ok(WireRange::new(start, len))
    }

    fn wire_list(&mut self) -> Result<WireList, String> {
        let mut list = WireList::new();
        while !self.at_end() {
            list.push_range(self.range()?);
        }
        Ok(list)
    }
}

fn wire_id(word: &str) -> Option<u64> {
    let digits = word.strip_prefix('w')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn domain(word: &str) -> Result<Domain, String> {
    match word {
        "bool" => Ok(Domain::Bool),
        "arith" => Ok(Domain::Arith),
        w => Err(format!("expected `bool` or `arith`, found `{w}`")),
    }
}

struct Parser {
    ring_bits: Option<u32>,
    wires: Option<u64>,
    parties: Vec<String>,
    party_names: HashMap<String, Option<u32>>,
    public: WireList,
    arith: WireList,
    inputs: Vec<InputGroup>,
    outputs: Vec<OutputGroup>,
    gates: Vec<Gate>,
    input_wires: u64,
    /// Wires that inputs and gates can write (conversions count at most 64).
    definable: u64,
    /// One past the highest wire named anywhere.
    max_wire: u64,
}

impl Parser {
    fn party_ref(&self, line: &mut Line) -> Result<u32, TextErrorKind> {
        if line.peek() == Some(&Tok::Punct('#')) {
            line.advance();
            let n = line
                .number::<u64>("a party index")
                .map_err(TextErrorKind::Syntax)?;
            return u32::try_from(n)
                .map_err(|_| TextErrorKind::Syntax(format!("party index {n} does not fit u32")));
        }
        let name = line.name("a party").map_err(TextErrorKind::Syntax)?;
        match self.party_names.get(&name) {
            Some(Some(i)) => Ok(*i),
            Some(None) => Err(TextErrorKind::Syntax(format!(
                "party name `{name}` is not unique; write `#INDEX`"
            ))),
            None => Err(TextErrorKind::UnknownParty(name)),
        }
    }

    fn note_list(&mut self, list: &WireList) {
        if let Some(end) = list.runs().iter().map(|r| r.end()).max() {
            self.max_wire = self.max_wire.max(end);
        }
    }

    fn note_gate(&mut self, gate: &Gate) {
        let mut top = 0u64;
        for w in gate.inputs().take(2).chain(gate.outputs().take(1)) {
            top = top.max(u64::from(w.0) + 1);
        }
        match gate {
            Gate::BitsToArith { bits: r, .. } | Gate::ArithToBits { outs: r, .. } => {
                top = top.max(r.end())
            }
            _ => {}
        }
        self.max_wire = self.max_wire.max(top);
    }

    fn statement(&mut self, line: &mut Line) -> Result<(), TextErrorKind> {
        let syn = TextErrorKind::Syntax;
        let first = match line.peek() {
            Some(Tok::Word(w)) => w.clone(),
            _ => {
                return Err(syn(format!(
                    "expected a statement, found {}",
                    line.describe_next()
                )))
            }
        };
        if wire_id(&first).is_some() {
            let gate = gate(line)?;
            self.note_gate(&gate);
            let outs = match gate {
                Gate::ArithToBits { outs, .. } => u64::from(outs.len.min(64)),
                _ => 1,
            };
            self.definable = self.definable.saturating_add(outs);
            self.gates.push(gate);
            return Ok(());
        }
        line.advance();
        match first.as_str() {
            "ring" => {
                let k = line.number::<u64>("the ring width").map_err(syn)?;
                line.end().map_err(syn)?;
                if self.ring_bits.is_some() {
                    return Err(TextErrorKind::Duplicate("ring"));
                }
                self.ring_bits = Some(u32::try_from(k).map_err(|_| {
                    TextErrorKind::Syntax(format!("ring width {k} does not fit u32"))
                })?);
            }
            "wires" => {
                let n = line.number::<u64>("the wire count").map_err(syn)?;
                line.end().map_err(syn)?;
                if self.wires.is_some() {
                    return Err(TextErrorKind::Duplicate("wires"));
                }
                if n > u64::from(u32::MAX) {
                    return Err(TextErrorKind::Limit(format!(
                        "{n} wires do not fit u32 ids"
                    )));
                }
                self.wires = Some(n);
            }
            "party" => {
                let name = line.name("a party name").map_err(syn)?;
                line.end().map_err(syn)?;
                let index = u32::try_from(self.parties.len()).ok();
                self.party_names
                    .entry(name.clone())
                    .and_modify(|i| *i = None)
                    .or_insert(index);
                self.parties.push(name);
            }
            "public" | "arith" => {
                let list = line.wire_list().map_err(syn)?;
                self.note_list(&list);
                let target = if first == "public" {
                    &mut self.public
                } else {
                    &mut self.arith
                };
                for &r in list.runs() {
                    // Increasing and disjoint, so applying them costs at most one pass.
                    let last_end = target.runs().last().map_or(0, |l| l.end());
                    if !target.is_empty() && u64::from(r.start.0) < last_end {
                        return Err(syn(format!(
                            "`{first}` wires must be listed in increasing order without repeats"
                        )));
                    }
                    target.push_range(r);
                }
            }
            "input" => {
                let party = self.party_ref(line)?;
                let name = line.name("an input name").map_err(syn)?;
                line.expect(':').map_err(syn)?;
                let ty = line.ty(0).map_err(syn)?;
                let public = match line.word("`public` or `secret`").map_err(syn)?.as_str() {
                    "public" => true,
                    "secret" => false,
                    w => return Err(syn(format!("expected `public` or `secret`, found `{w}`"))),
                };
                let domain = domain(&line.word("`bool` or `arith`").map_err(syn)?).map_err(syn)?;
                line.expect('=').map_err(syn)?;
                let wires = line.wire_list().map_err(syn)?;
                self.input_wires = self.input_wires.saturating_add(wires.len());
                if self.input_wires > MAX_GROUP_WIRES {
                    return Err(TextErrorKind::Limit(format!(
                        "the inputs list more than {MAX_GROUP_WIRES} wires"
                    )));
                }
                self.definable = self.definable.saturating_add(wires.len());
                self.note_list(&wires);
                self.inputs.push(InputGroup {
                    party,
                    name,
                    ty,
                    public,
                    domain,
                    wires,
                });
            }
            "output" => {
                let name = line.name("an output name").map_err(syn)?;
                line.expect(':').map_err(syn)?;
                let ty = line.ty(0).map_err(syn)?;
                let domain = domain(&line.word("`bool` or `arith`").map_err(syn)?).map_err(syn)?;
                line.keyword("to").map_err(syn)?;
                let mut recipients = Vec::new();
                while line.peek() != Some(&Tok::Punct('=')) {
                    if line.at_end() {
                        return Err(syn("expected `=` before the output's wires".into()));
                    }
                    recipients.push(self.party_ref(line)?);
                }
                line.expect('=').map_err(syn)?;
                let wires = line.wire_list().map_err(syn)?;
                self.note_list(&wires);
                self.outputs.push(OutputGroup {
                    name,
                    recipients,
                    ty,
                    domain,
                    wires,
                });
            }
            other => {
                return Err(syn(format!("unknown statement `{other}`")));
            }
        }
        Ok(())
    }
}

fn gate(line: &mut Line) -> Result<Gate, TextErrorKind> {
    let syn = TextErrorKind::Syntax;
    let outs = line.range().map_err(syn)?;
    line.expect('=').map_err(syn)?;
    let op = line.word("a gate operation").map_err(syn)?;
    let kind = GateKind::from_name(&op).ok_or(TextErrorKind::UnknownGate(op))?;
    let single = |r: WireRange| -> Result<Wire, TextErrorKind> {
        if r.len == 1 {
            Ok(r.start)
        } else {
            Err(TextErrorKind::Syntax(format!(
                "`{}` writes one wire, not `{r}`",
                kind.name()
            )))
        }
    };
    let g = match kind {
        GateKind::Xor | GateKind::And | GateKind::Add | GateKind::Sub | GateKind::Mul => {
            let out = single(outs)?;
            let a = line.wire().map_err(syn)?;
            let b = line.wire().map_err(syn)?;
            match kind {
                GateKind::Xor => Gate::Xor { a, b, out },
                GateKind::And => Gate::And { a, b, out },
                GateKind::Add => Gate::Add { a, b, out },
                GateKind::Sub => Gate::Sub { a, b, out },
                _ => Gate::Mul { a, b, out },
            }
        }
        GateKind::Not | GateKind::Copy => {
            let out = single(outs)?;
            let a = line.wire().map_err(syn)?;
            if kind == GateKind::Not {
                Gate::Not { a, out }
            } else {
                Gate::Copy { a, out }
            }
        }
        GateKind::Const => {
            let out = single(outs)?;
            let value = match line.number::<u64>("0 or 1").map_err(syn)? {
                0 => false,
                1 => true,
                n => return Err(syn(format!("a Boolean constant is 0 or 1, not {n}"))),
            };
            Gate::Const { value, out }
        }
        GateKind::AddConst | GateKind::MulConst => {
            let out = single(outs)?;
            let a = line.wire().map_err(syn)?;
            let c = line.number::<u64>("a constant").map_err(syn)?;
            if kind == GateKind::AddConst {
                Gate::AddConst { a, c, out }
            } else {
                Gate::MulConst { a, c, out }
            }
        }
        GateKind::ArithConst => {
            let out = single(outs)?;
            let c = line.number::<u64>("a constant").map_err(syn)?;
            Gate::ArithConst { c, out }
        }
        GateKind::BitsToArith => {
            let out = single(outs)?;
            let bits = line.range().map_err(syn)?;
            Gate::BitsToArith { bits, out }
        }
        GateKind::ArithToBits => {
            let input = line.wire().map_err(syn)?;
            Gate::ArithToBits { input, outs }
        }
    };
    line.end().map_err(syn)?;
    Ok(g)
}

/// Parses the text encoding back into a circuit (see the module documentation).
pub fn parse(text: &str) -> Result<Circuit, TextError> {
    let mut lines = text
        .split('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
    let err = |line: usize, kind: TextErrorKind| TextError { line, kind };
    let (first_no, first) = lines
        .next()
        .ok_or_else(|| err(1, TextErrorKind::MissingVersion))?;
    let head: Vec<&str> = first.split_whitespace().collect();
    match head.as_slice() {
        ["veil-circuit", v] if *v == TEXT_VERSION.to_string() => {}
        ["veil-circuit", v] => {
            return Err(err(
                first_no,
                TextErrorKind::Version {
                    found: v.to_string(),
                    supported: TEXT_VERSION,
                },
            ))
        }
        _ => return Err(err(first_no, TextErrorKind::MissingVersion)),
    }
    let mut p = Parser {
        ring_bits: None,
        wires: None,
        parties: Vec::new(),
        party_names: HashMap::new(),
        public: WireList::new(),
        arith: WireList::new(),
        inputs: Vec::new(),
        outputs: Vec::new(),
        gates: Vec::new(),
        input_wires: 0,
        definable: 0,
        max_wire: 0,
    };
    let mut last_no = first_no;
    let mut wires_line = first_no;
    for (no, text) in lines {
        last_no = no;
        let toks = lex(text).map_err(|m| err(no, TextErrorKind::Syntax(m)))?;
        let mut line = Line::new(toks);
        if matches!(line.peek(), Some(Tok::Word(w)) if w == "wires") {
            wires_line = no;
        }
        p.statement(&mut line).map_err(|k| err(no, k))?;
    }
    let count = p.wires.unwrap_or(p.max_wire);
    if count > p.definable {
        return Err(err(
            if p.wires.is_some() {
                wires_line
            } else {
                last_no
            },
            TextErrorKind::Limit(format!(
                "{count} wires, but the inputs and gates write at most {}",
                p.definable
            )),
        ));
    }
    let mut wires = vec![WireInfo::SECRET_BOOL; count as usize];
    for (list, public) in [(&p.public, true), (&p.arith, false)] {
        for r in list.runs() {
            if r.end() > count {
                return Err(err(
                    last_no,
                    TextErrorKind::Syntax(format!("marked wires {r} lie past the {count} wires")),
                ));
            }
            for w in r.iter() {
                if let Some(info) = wires.get_mut(w.index()) {
                    if public {
                        info.visibility = Visibility::Public;
                    } else {
                        info.domain = Domain::Arith;
                    }
                }
            }
        }
    }
    Ok(Circuit {
        parties: p.parties,
        ring_bits: p.ring_bits.unwrap_or(64),
        wires,
        gates: p.gates,
        inputs: p.inputs,
        outputs: p.outputs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builder::CircuitBuilder;
    use crate::value::ValueType;

    #[test]
    fn the_module_example_parses_and_round_trips() {
        let text = "veil-circuit 1\nring 8\nwires 8\nparty alice\nparty bob\npublic w5\n\
                    arith w2 w4..=w7\ninput alice x: u2 secret bool = w0..=w1\n\
                    input bob y: u8 secret arith = w2\n\
                    output z: bool bool to alice bob = w3\noutput s: u8 arith to bob = w7\n\
                    w3 = and w0 w1\nw4 = bits_to_arith w0..=w1\nw5 = arith_const 3\n\
                    w6 = mul w4 w2\nw7 = add w6 w5\n";
        let c = parse(text).unwrap();
        assert_eq!(c.wires.len(), 8);
        assert_eq!(c.wires[4].domain, Domain::Arith);
        assert_eq!(c.wires[5].visibility, Visibility::Public);
        let valid = crate::ValidCircuit::new(c.clone()).unwrap();
        let out = crate::evaluate(
            &valid,
            &[
                crate::Value::int(false, 2, 3),
                crate::Value::int(false, 8, 100),
            ],
        )
        .unwrap();
        assert_eq!(out[0], crate::Value::Bool(true));
        assert_eq!(out[1], crate::Value::int(false, 8, 47)); // 3 * 100 + 3 mod 256
        assert_eq!(to_text(&c), text);
        assert_eq!(parse(&to_text(&c)).unwrap(), c);
    }

    #[test]
    fn odd_names_types_and_parties_round_trip() {
        let mut b = CircuitBuilder::new(12);
        let p = b.party("al ice");
        let q = b.party("dup");
        let r = b.party("dup");
        let ty = ValueType::Tuple(vec![
            ValueType::Struct {
                name: "S\"q\\".into(),
                fields: vec![
                    (
                        "a\n".into(),
                        ValueType::Array {
                            elem: Box::new(ValueType::Int {
                                signed: true,
                                bits: 3,
                            }),
                            len: 2,
                        },
                    ),
                    ("é".into(), ValueType::Tuple(vec![ValueType::Bool])),
                ],
            },
            ValueType::Tuple(vec![]),
            ValueType::Struct {
                name: "E".into(),
                fields: vec![],
            },
        ]);
        let x = b.input(q, "x\u{1}", ty.clone(), false, Domain::Bool);
        let y = b.input(
            r,
            "y",
            ValueType::Int {
                signed: false,
                bits: 12,
            },
            true,
            Domain::Arith,
        );
        let k = b.arith_const(4095);
        let s = b.add(k, y.start);
        let bits = b.arith_to_bits(s, 7);
        b.output("", vec![p, r], ty, Domain::Bool, bits.iter());
        let c = b.into_circuit();
        let text = to_text(&c);
        assert!(text.contains("#1") && text.contains("#2"), "{text}");
        assert_eq!(parse(&text).unwrap(), c, "{text}");
        let _ = x;
    }

    #[test]
    fn wire_count_is_inferred_and_checked() {
        let c = parse(
            "veil-circuit 1\n# a comment\ninput #0 x: u2 secret bool = w0 w1\nw2 = xor w0 w1\n",
        )
        .unwrap();
        assert_eq!(c.wires.len(), 3);
        assert_eq!(c.ring_bits, 64);
        let e = parse("veil-circuit 1\nwires 4000000000\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(matches!(e.kind, TextErrorKind::Limit(_)));
    }

    #[test]
    fn errors_name_their_line() {
        let cases: &[(&str, usize)] = &[
            ("", 1),
            ("circuit\n", 1),
            ("veil-circuit 2\n", 1),
            ("veil-circuit 1\nw3 = nand w1 w2\n", 2),
            ("veil-circuit 1\n\nring 8\nring 8\n", 4),
            ("veil-circuit 1\ninput bob x: bool secret bool = w0\n", 2),
            ("veil-circuit 1\ninput #0 x: [bool; 2 secret bool = w0\n", 2),
            ("veil-circuit 1\nw1 = xor w0\n", 2),
            ("veil-circuit 1\nw1..=w3 = xor w0 w0\n", 2),
            ("veil-circuit 1\nw1 = const 2\n", 2),
            ("veil-circuit 1\nw1 = copy w0 w0\n", 2),
            ("veil-circuit 1\nw1 = copy w99999999999\n", 2),
            ("veil-circuit 1\npublic w5 w2\n", 2),
            ("veil-circuit 1\nparty \"x\n", 2),
            ("veil-circuit 1\nparty x!\n", 2),
            (
                "veil-circuit 1\ninput #0 x: u8 secret bool = w0..=w99999999\n",
                2,
            ),
            ("veil-circuit 1\noutput o: bool bool to #0 w0\n", 2),
        ];
        for (text, line) in cases {
            let e = parse(text).unwrap_err();
            assert_eq!(e.line, *line, "{text:?}: {e}");
        }
        let e = parse("veil-circuit 7\n").unwrap_err();
        assert!(e.to_string().contains("version 7") && e.to_string().contains("version 1"));
    }
}
