//! The readable text form of a [`Module`]: printed by [`print()`] (and
//! `Display`), read back by [`parse`], losslessly in both directions.
//!
//! It exists so that passes can be tested on IR written by hand (file tests
//! under `compiler/tests/ir/`) and so that `--dump-after` shows something a
//! person can read and grep (`v12` in a log is `v12` in the dump).
//!
//! ```text
//! ; a comment line
//! parties alice bob
//! input 0 alice a: u64 secret
//! input 1 bob b: u64 secret
//! v0:u64 secret = input 0 @0
//! v1:u64 secret = input 1 @0
//! v2:u1 secret = ult v1 v0
//! v3:u64 public = const 7
//! output richer: bool to alice bob = v2
//! ```
//!
//! - `parties NAME…` declares the parties in index order (at most once; a
//!   module without the line has no parties). A party is referred to by its
//!   name, or as `#INDEX` (always possible, and how the printer writes a
//!   party whose name is not unique or an index with no party).
//! - `input INDEX PARTY NAME: TYPE public|secret` declares input group
//!   `INDEX`; groups are numbered 0, 1, 2, … in the order they appear.
//! - `vN:uW LABEL = OP OPERANDS` is instruction `N` of width `W`; instructions
//!   are numbered 0, 1, 2, … in the order they appear. OP is `const C`
//!   (decimal or `0x` hexadecimal), `input G @BIT`, `not`/`neg vA`, a binary
//!   operation by its [`BinOp::name`] (`add vA vB`, `ult vA vB`, …),
//!   `mux vC vA vB`, `trunc`/`zext`/`sext vA`, `extract vA N` or
//!   `concat vLO vHI`.
//! - `output NAME: TYPE to PARTY… = vA vB …` declares an output: its
//!   recipients, then its scalar leaves in value order.
//! - Types: `bool`, `u8`, `i32`, `[T; N]`, `(T, U)` (`(T,)` for one item),
//!   `struct NAME { FIELD: T, … }`. Names are bare when made of ASCII
//!   letters, digits and `_`, and quoted like Rust strings otherwise.
//! - Lines whose first non-blank character is `;` are comments; blank lines
//!   are ignored.
//!
//! Parsing checks the syntax only, not the module's invariants (operands
//! before users, widths, labels): run [`super::verify::verify`] for those.
//! So a broken module can be written down too, which the verifier's own
//! tests need. The parser never panics; every problem is a [`TextError`]
//! with its 1-based line.

use std::collections::HashMap;
use std::fmt::{self, Write as _};

use thiserror::Error;
use veil_circuit::syntax::{int_width, lex, write_name, write_type, Line};

use super::{BinOp, InputDecl, Inst, Label, Module, Op, OutputDecl, UnOp, ValueId};

/// Why IR text could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("line {line}: {message}")]
pub struct TextError {
    /// The 1-based line of the problem.
    pub line: usize,
    /// What is wrong there.
    pub message: String,
}

// ---------------------------------------------------------------- printing

fn write_const(out: &mut impl fmt::Write, c: u128) -> fmt::Result {
    if c <= u128::from(u32::MAX) {
        write!(out, "{c}")
    } else {
        write!(out, "{c:#x}")
    }
}

/// Writes one instruction's right-hand side (`add v1 v2`).
fn write_op(out: &mut impl fmt::Write, op: &Op) -> fmt::Result {
    match *op {
        Op::Const(c) => {
            out.write_str("const ")?;
            write_const(out, c)
        }
        Op::Input { group, bit } => write!(out, "input {group} @{bit}"),
        Op::Unary(u, a) => write!(out, "{u} {a}"),
        Op::Binary(b, x, y) => write!(out, "{b} {x} {y}"),
        Op::Mux(c, a, b) => write!(out, "mux {c} {a} {b}"),
        Op::Trunc(a) => write!(out, "trunc {a}"),
        Op::Zext(a) => write!(out, "zext {a}"),
        Op::Sext(a) => write!(out, "sext {a}"),
        Op::Extract(a, n) => write!(out, "extract {a} {n}"),
        Op::Concat(lo, hi) => write!(out, "concat {lo} {hi}"),
    }
}

/// Writes the text form of `m` (any module, valid or not).
pub fn write_module(m: &Module, out: &mut impl fmt::Write) -> fmt::Result {
    out.write_str("parties")?;
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for p in &m.parties {
        *seen.entry(p.as_str()).or_default() += 1;
        out.write_char(' ')?;
        write_name(out, p)?;
    }
    out.write_char('\n')?;
    let party = |out: &mut String, i: usize| -> fmt::Result {
        match m.parties.get(i) {
            Some(name) if seen.get(name.as_str()) == Some(&1) => write_name(out, name),
            _ => write!(out, "#{i}"),
        }
    };
    let mut line = String::new();
    for (i, d) in m.inputs.iter().enumerate() {
        line.clear();
        write!(line, "input {i} ")?;
        party(&mut line, d.party)?;
        line.push(' ');
        write_name(&mut line, &d.name)?;
        line.push_str(": ");
        write_type(&mut line, &d.ty)?;
        line.push_str(if d.public { " public" } else { " secret" });
        writeln!(out, "{line}")?;
    }
    for (i, inst) in m.insts.iter().enumerate() {
        write!(out, "v{i}:u{} {} = ", inst.width, inst.label)?;
        write_op(out, &inst.op)?;
        out.write_char('\n')?;
    }
    for o in &m.outputs {
        line.clear();
        line.push_str("output ");
        write_name(&mut line, &o.name)?;
        line.push_str(": ");
        write_type(&mut line, &o.ty)?;
        line.push_str(" to");
        for &p in &o.recipients {
            line.push(' ');
            party(&mut line, p)?;
        }
        line.push_str(" =");
        for v in &o.values {
            write!(line, " {v}")?;
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// The text form of `m`.
pub fn print(m: &Module) -> String {
    let mut s = String::new();
    // Writing into a `String` cannot fail.
    let _ = write_module(m, &mut s);
    s
}

impl fmt::Display for Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_module(self, f)
    }
}

// ---------------------------------------------------------------- parsing

/// The IR's own words on top of the shared tokens: value ids and labels.
trait IrSyntax {
    fn value(&mut self) -> Result<ValueId, String>;
    fn label(&mut self) -> Result<Label, String>;
}

impl IrSyntax for Line {
    /// A value reference `vN`.
    fn value(&mut self) -> Result<ValueId, String> {
        let w = self.word("a value (`v12`)")?;
        value_id(&w).ok_or_else(|| format!("expected a value (`v12`), found `{w}`"))
    }

    fn label(&mut self) -> Result<Label, String> {
        match self.word("`public` or `secret`")?.as_str() {
            "public" => Ok(Label::Public),
            "secret" => Ok(Label::Secret),
            other => Err(format!("expected `public` or `secret`, found `{other}`")),
        }
    }
}

fn value_id(word: &str) -> Option<ValueId> {
    let digits = word.strip_prefix('v')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().map(ValueId)
}

fn parse_const(word: &str) -> Result<u128, String> {
    let parsed = if let Some(hex) = word.strip_prefix("0x") {
        let hex: String = hex.chars().filter(|&c| c != '_').collect();
        if hex.is_empty() {
            None
        } else {
            u128::from_str_radix(&hex, 16).ok()
        }
    } else if word.bytes().all(|b| b.is_ascii_digit()) {
        word.parse().ok()
    } else {
        None
    };
    parsed.ok_or_else(|| format!("expected a constant (decimal or `0x…`), found `{word}`"))
}

fn binop(word: &str) -> Option<BinOp> {
    BinOp::ALL.into_iter().find(|b| b.name() == word)
}

struct Parser {
    module: Module,
    saw_parties: bool,
}

impl Parser {
    fn party_ref(&self, line: &mut Line) -> Result<usize, String> {
        if line.at_punct('#') {
            line.advance();
            return line.number("a party index");
        }
        let name = line.name("a party")?;
        let mut found = self
            .module
            .parties
            .iter()
            .enumerate()
            .filter(|(_, p)| **p == name);
        match (found.next(), found.next()) {
            (Some((i, _)), None) => Ok(i),
            (Some(_), Some(_)) => Err(format!(
                "party name `{name}` is not unique; write `#INDEX` instead"
            )),
            (None, _) => Err(format!(
                "unknown party `{name}` (declare it on the `parties` line, or write `#INDEX`)"
            )),
        }
    }

    fn statement(&mut self, line: &mut Line) -> Result<(), String> {
        let head = line.word("`parties`, `input`, `output` or a value (`v3`)")?;
        match head.as_str() {
            "parties" => {
                if self.saw_parties {
                    return Err("`parties` may appear only once".into());
                }
                self.saw_parties = true;
                while !line.at_end() {
                    let p = line.name("a party name")?;
                    self.module.parties.push(p);
                }
                Ok(())
            }
            "input" => {
                let index: usize = line.number("an input index")?;
                if index != self.module.inputs.len() {
                    return Err(format!(
                        "input {index} is out of order; expected input {}",
                        self.module.inputs.len()
                    ));
                }
                let party = self.party_ref(line)?;
                let name = line.name("an input name")?;
                line.expect(':')?;
                let ty = line.ty(0)?;
                let public = line.label()? == Label::Public;
                line.end()?;
                self.module.inputs.push(InputDecl {
                    party,
                    name,
                    ty,
                    public,
                });
                Ok(())
            }
            "output" => {
                let name = line.name("an output name")?;
                line.expect(':')?;
                let ty = line.ty(0)?;
                line.keyword("to")?;
                let mut recipients = Vec::new();
                while !line.at_punct('=') {
                    if line.at_end() {
                        return Err("expected `=` after the recipients".into());
                    }
                    recipients.push(self.party_ref(line)?);
                }
                line.expect('=')?;
                let mut values = Vec::new();
                while !line.at_end() {
                    values.push(line.value()?);
                }
                self.module.outputs.push(OutputDecl {
                    name,
                    recipients,
                    ty,
                    values,
                });
                Ok(())
            }
            word => {
                let id = value_id(word).ok_or_else(|| {
                    format!(
                        "expected `parties`, `input`, `output` or a value (`v3`), found `{word}`"
                    )
                })?;
                if id.index() != self.module.insts.len() {
                    return Err(format!(
                        "{id} is out of order; expected v{}",
                        self.module.insts.len()
                    ));
                }
                line.expect(':')?;
                let w = line.word("a width (`u8`)")?;
                let width = match w.strip_prefix('u') {
                    Some(_) => int_width(&w),
                    None => None,
                }
                .ok_or_else(|| format!("expected a width (`u8`), found `{w}`"))?;
                let label = line.label()?;
                line.expect('=')?;
                let op = op(line)?;
                line.end()?;
                self.module.insts.push(Inst { op, width, label });
                Ok(())
            }
        }
    }
}

fn op(line: &mut Line) -> Result<Op, String> {
    let name = line.word("an operation")?;
    Ok(match name.as_str() {
        "const" => {
            let w = line.word("a constant")?;
            Op::Const(parse_const(&w)?)
        }
        "input" => {
            let group = line.number("an input index")?;
            line.expect('@')?;
            let bit = line.number("a bit offset")?;
            Op::Input { group, bit }
        }
        "not" => Op::Unary(UnOp::Not, line.value()?),
        "neg" => Op::Unary(UnOp::Neg, line.value()?),
        "mux" => {
            let c = line.value()?;
            let a = line.value()?;
            Op::Mux(c, a, line.value()?)
        }
        "trunc" => Op::Trunc(line.value()?),
        "zext" => Op::Zext(line.value()?),
        "sext" => Op::Sext(line.value()?),
        "extract" => {
            let a = line.value()?;
            Op::Extract(a, line.number("a bit index")?)
        }
        "concat" => {
            let lo = line.value()?;
            Op::Concat(lo, line.value()?)
        }
        other => match binop(other) {
            Some(b) => {
                let x = line.value()?;
                Op::Binary(b, x, line.value()?)
            }
            None => return Err(format!("unknown operation `{other}`")),
        },
    })
}

/// Parses the text form; the result is not verified (see the module docs).
pub fn parse(text: &str) -> Result<Module, TextError> {
    let mut p = Parser {
        module: Module::default(),
        saw_parties: false,
    };
    for (i, raw) in text.lines().enumerate() {
        let trimmed = raw.trim_start();
        if trimmed.is_empty() || trimmed.starts_with(';') {
            continue;
        }
        let at = |message: String| TextError {
            line: i + 1,
            message,
        };
        let toks = lex(raw).map_err(at)?;
        let mut line = Line::new(toks);
        p.statement(&mut line).map_err(at)?;
    }
    Ok(p.module)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use veil_circuit::value::ValueType;

    const MILLIONAIRES: &str = "\
parties alice bob
input 0 alice a: u64 secret
input 1 bob b: u64 secret
v0:u64 secret = input 0 @0
v1:u64 secret = input 1 @0
v2:u1 secret = ult v1 v0
v3:u64 public = const 7
output richer: bool to alice bob = v2
";

    #[test]
    fn prints_what_it_parses() {
        let m = parse(MILLIONAIRES).unwrap();
        assert_eq!(m.parties, ["alice", "bob"]);
        assert_eq!(m.insts.len(), 4);
        assert_eq!(
            m.insts[2],
            Inst {
                op: Op::Binary(BinOp::Ult, ValueId(1), ValueId(0)),
                width: 1,
                label: Label::Secret
            }
        );
        assert_eq!(print(&m), MILLIONAIRES);
        assert_eq!(m.to_string(), MILLIONAIRES);
        assert!(super::super::verify::verify(&m).is_ok());
    }

    #[test]
    fn every_operation_round_trips() {
        let text = "\
parties p
input 0 p x: (u8, [i4; 2], bool) public
v0:u8 public = input 0 @0
v1:u4 public = input 0 @8
v2:u4 public = input 0 @12
v3:u1 public = input 0 @16
v4:u8 public = not v0
v5:u8 public = neg v0
v6:u8 public = mux v3 v4 v5
v7:u4 public = trunc v0
v8:u16 public = zext v0
v9:u16 public = sext v0
v10:u1 public = extract v0 7
v11:u8 public = concat v1 v2
v12:u128 public = const 0xffffffffffffffffffffffffffffffff
v13:u64 public = const 4294967296
output y: struct S { a: u8, \"b c\": (bool,) } to p = v4 v3
";
        let mut text = text.to_string();
        for b in BinOp::ALL {
            let i = 14 + b as usize;
            text.push_str(&format!(
                "v{i}:u{} public = {} v0 v4\n",
                if b.is_comparison() { 1 } else { 8 },
                b.name()
            ));
        }
        let m = parse(&text).unwrap();
        assert_eq!(m.insts.len(), 14 + BinOp::ALL.len());
        let again = parse(&print(&m)).unwrap();
        assert_eq!(again, m);
        assert_eq!(m.insts[13].op, Op::Const(1 << 32));
        assert_eq!(
            m.outputs[0].ty,
            ValueType::Struct {
                name: "S".into(),
                fields: vec![
                    (
                        "a".into(),
                        ValueType::Int {
                            signed: false,
                            bits: 8
                        }
                    ),
                    ("b c".into(), ValueType::Tuple(vec![ValueType::Bool])),
                ]
            }
        );
    }

    #[test]
    fn comments_and_party_indices() {
        let text = "; header\n\n  ; indented comment\nparties a a\ninput 0 #1 x: u8 secret\n";
        let m = parse(text).unwrap();
        assert_eq!(m.inputs[0].party, 1);
        assert_eq!(print(&m), "parties a a\ninput 0 #1 x: u8 secret\n");
    }

    fn err(text: &str) -> TextError {
        parse(text).unwrap_err()
    }

    #[test]
    fn errors_name_their_line() {
        assert_eq!(err("parties a\n\nv1:u8 public = const 1").line, 3);
        assert!(err("v0:u8 public = const 1\nv0:u8 public = const 2")
            .message
            .contains("out of order"));
        assert!(err("v0:u8 public = frob v1")
            .message
            .contains("unknown operation"));
        assert!(err("v0:i8 public = const 1").message.contains("width"));
        assert!(err("v0:u8 hidden = const 1").message.contains("public"));
        assert!(err("parties a a\ninput 0 a x: u8 secret")
            .message
            .contains("not unique"));
        assert!(err("input 0 nobody x: u8 secret")
            .message
            .contains("unknown party"));
        assert!(err("output o: u8 to").message.contains("`=`"));
        assert!(err("v0:u8 public = const 0x").message.contains("constant"));
        assert!(err("v0:u8 public = const 1 2")
            .message
            .contains("end of the line"));
        assert!(err("parties \"unterminated")
            .message
            .contains("unterminated"));
        assert!(err("parties\nparties").message.contains("only once"));
        assert!(
            err("v0:u8 public = const 340282366920938463463374607431768211456")
                .message
                .contains("constant")
        );
        let deep = format!("output o: {}u8{} to =", "[".repeat(100), "; 1]".repeat(100));
        assert!(err(&deep).message.contains("nest"));
    }

    fn arb_name() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z_][a-z0-9_]{0,6}",
            "[0-9]{1,3}",
            any::<String>().prop_map(|s| s.chars().take(8).collect()),
        ]
    }

    fn arb_type() -> impl Strategy<Value = ValueType> {
        let leaf = prop_oneof![
            Just(ValueType::Bool),
            (any::<bool>(), 0u32..200).prop_map(|(signed, bits)| ValueType::Int { signed, bits }),
        ];
        leaf.prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                (inner.clone(), 0u64..5).prop_map(|(e, len)| ValueType::Array {
                    elem: Box::new(e),
                    len
                }),
                prop::collection::vec(inner.clone(), 0..3).prop_map(ValueType::Tuple),
                (arb_name(), prop::collection::vec((arb_name(), inner), 0..3))
                    .prop_map(|(name, fields)| ValueType::Struct { name, fields }),
            ]
        })
    }

    fn arb_op() -> impl Strategy<Value = Op> {
        let v = || (0u32..40).prop_map(ValueId);
        prop_oneof![
            any::<u128>().prop_map(Op::Const),
            (0u128..100).prop_map(Op::Const),
            (any::<u32>(), any::<u32>()).prop_map(|(group, bit)| Op::Input { group, bit }),
            (any::<bool>(), v())
                .prop_map(|(n, a)| Op::Unary(if n { UnOp::Not } else { UnOp::Neg }, a)),
            (0..BinOp::ALL.len(), v(), v()).prop_map(|(i, a, b)| Op::Binary(BinOp::ALL[i], a, b)),
            (v(), v(), v()).prop_map(|(c, a, b)| Op::Mux(c, a, b)),
            v().prop_map(Op::Trunc),
            v().prop_map(Op::Zext),
            v().prop_map(Op::Sext),
            (v(), any::<u32>()).prop_map(|(a, n)| Op::Extract(a, n)),
            (v(), v()).prop_map(|(a, b)| Op::Concat(a, b)),
        ]
    }

    fn arb_module() -> impl Strategy<Value = Module> {
        let inst = (arb_op(), any::<u32>(), any::<bool>()).prop_map(|(op, width, s)| Inst {
            op,
            width,
            label: if s { Label::Secret } else { Label::Public },
        });
        let input = (0usize..4, arb_name(), arb_type(), any::<bool>()).prop_map(
            |(party, name, ty, public)| InputDecl {
                party,
                name,
                ty,
                public,
            },
        );
        let output = (
            arb_name(),
            prop::collection::vec(0usize..4, 0..3),
            arb_type(),
            prop::collection::vec((0u32..40).prop_map(ValueId), 0..4),
        )
            .prop_map(|(name, recipients, ty, values)| OutputDecl {
                name,
                recipients,
                ty,
                values,
            });
        (
            prop::collection::vec(arb_name(), 0..4),
            prop::collection::vec(input, 0..4),
            prop::collection::vec(inst, 0..20),
            prop::collection::vec(output, 0..3),
        )
            .prop_map(|(parties, inputs, insts, outputs)| Module {
                parties,
                insts,
                inputs,
                outputs,
            })
    }

    proptest! {
        #[test]
        fn print_then_parse_is_identity(m in arb_module()) {
            let text = print(&m);
            let back = parse(&text);
            prop_assert_eq!(back, Ok(m), "text:\n{}", text);
        }

        #[test]
        fn verify_never_panics_on_garbage(m in arb_module()) {
            let _ = super::super::verify::verify(&m);
        }

        #[test]
        fn parse_never_panics(text in any::<String>()) {
            let _ = parse(&text);
        }

        #[test]
        fn parse_never_panics_on_near_misses(
            lines in prop::collection::vec(
                prop_oneof![
                    "v[0-9]{1,3}:u[0-9]{1,3} (public|secret) = [a-z]{2,7}( v[0-9]{1,2}| [0-9]{1,3}| @[0-9]| 0x[0-9a-f]{0,4})*",
                    "input [0-9] (#[0-9]|[a-z]) [a-z]: [\\[\\](),;{} a-z0-9:]{0,20} (public|secret)",
                    "output [a-z]: [\\[\\](),;{} a-z0-9:]{0,20} to( #?[a-z0-9])* =( v[0-9])*",
                    "parties( [a-z\"#]{1,3})*",
                ],
                0..8,
            )
        ) {
            let _ = parse(&lines.join("\n"));
        }
    }
}
