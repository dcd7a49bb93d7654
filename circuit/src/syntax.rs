//! The token-level syntax shared by Veil's text formats (the circuit text
//! form here, and the compiler's IR text form): names quoted like Rust
//! strings when they are not plain words, types written as in the
//! language, one statement per line.

use std::fmt;

use crate::validate::MAX_TYPE_DEPTH;
use crate::value::ValueType;

pub fn is_bare(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

pub fn write_name(out: &mut impl fmt::Write, name: &str) -> fmt::Result {
    if is_bare(name) {
        return out.write_str(name);
    }
    out.write_char('"')?;
    for c in name.chars() {
        match c {
            '"' => out.write_str("\\\"")?,
            '\\' => out.write_str("\\\\")?,
            '\n' => out.write_str("\\n")?,
            '\t' => out.write_str("\\t")?,
            '\r' => out.write_str("\\r")?,
            c if c.is_control() => write!(out, "\\u{{{:x}}}", c as u32)?,
            c => out.write_char(c)?,
        }
    }
    out.write_char('"')
}

pub fn write_type(out: &mut impl fmt::Write, ty: &ValueType) -> fmt::Result {
    match ty {
        ValueType::Bool => out.write_str("bool"),
        ValueType::Int { signed, bits } => write!(out, "{}{bits}", if *signed { 'i' } else { 'u' }),
        ValueType::Array { elem, len } => {
            out.write_char('[')?;
            write_type(out, elem)?;
            write!(out, "; {len}]")
        }
        ValueType::Tuple(items) => {
            out.write_char('(')?;
            for (i, t) in items.iter().enumerate() {
                if i > 0 {
                    out.write_str(", ")?;
                }
                write_type(out, t)?;
            }
            if items.len() == 1 {
                out.write_char(',')?;
            }
            out.write_char(')')
        }
        ValueType::Struct { name, fields } => {
            out.write_str("struct ")?;
            write_name(out, name)?;
            out.write_str(" {")?;
            for (i, (n, t)) in fields.iter().enumerate() {
                out.write_str(if i > 0 { ", " } else { " " })?;
                write_name(out, n)?;
                out.write_str(": ")?;
                write_type(out, t)?;
            }
            out.write_str(if fields.is_empty() { "}" } else { " }" })
        }
    }
}

/// Runs of consecutive wires whose marks satisfy `pred`.
/// One token of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    Word(String),
    Str(String),
    Punct(char),
    /// `..=`
    RangeIncl,
    /// `..`
    RangeExcl,
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Word(w) => write!(f, "`{w}`"),
            Tok::Str(s) => write!(f, "{s:?}"),
            Tok::Punct(c) => write!(f, "`{c}`"),
            Tok::RangeIncl => f.write_str("`..=`"),
            Tok::RangeExcl => f.write_str("`..`"),
        }
    }
}

pub fn lex(line: &str) -> Result<Vec<Tok>, String> {
    let mut toks = Vec::new();
    let mut chars = line.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c.is_ascii_alphanumeric() || c == '_' {
            let mut end = i;
            while let Some(&(j, d)) = chars.peek() {
                if d.is_ascii_alphanumeric() || d == '_' {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            toks.push(Tok::Word(line[i..end].to_string()));
        } else if c == '"' {
            chars.next();
            let mut s = String::new();
            loop {
                match chars.next() {
                    None => return Err("unterminated string".into()),
                    Some((_, '"')) => break,
                    Some((_, '\\')) => match chars.next() {
                        Some((_, '"')) => s.push('"'),
                        Some((_, '\\')) => s.push('\\'),
                        Some((_, 'n')) => s.push('\n'),
                        Some((_, 't')) => s.push('\t'),
                        Some((_, 'r')) => s.push('\r'),
                        Some((_, 'u')) => {
                            if chars.next().map(|(_, c)| c) != Some('{') {
                                return Err("expected `{` after `\\u`".into());
                            }
                            let mut hex = String::new();
                            loop {
                                match chars.next() {
                                    Some((_, '}')) => break,
                                    Some((_, h)) if h.is_ascii_hexdigit() && hex.len() < 6 => {
                                        hex.push(h)
                                    }
                                    _ => return Err("bad `\\u{…}` escape".into()),
                                }
                            }
                            let ch = u32::from_str_radix(&hex, 16)
                                .ok()
                                .and_then(char::from_u32)
                                .ok_or("bad `\\u{…}` escape")?;
                            s.push(ch);
                        }
                        _ => return Err("unknown escape in string".into()),
                    },
                    Some((_, ch)) => s.push(ch),
                }
            }
            toks.push(Tok::Str(s));
        } else if c == '.' {
            chars.next();
            if chars.next().map(|(_, c)| c) != Some('.') {
                return Err("expected `..` or `..=`".into());
            }
            if chars.peek().map(|&(_, c)| c) == Some('=') {
                chars.next();
                toks.push(Tok::RangeIncl);
            } else {
                toks.push(Tok::RangeExcl);
            }
        } else if ":=[];(),{}#@".contains(c) {
            chars.next();
            toks.push(Tok::Punct(c));
        } else {
            return Err(format!("unexpected character `{c}`"));
        }
    }
    Ok(toks)
}

// ---------------------------------------------------------------- parsing

/// The tokens of one line and a cursor over them.
#[derive(Debug)]
pub struct Line {
    toks: Vec<Tok>,
    pos: usize,
}

impl Line {
    /// The tokens of one line, from the start.
    pub fn new(toks: Vec<Tok>) -> Self {
        Line { toks, pos: 0 }
    }

    /// Skips one token.
    pub fn advance(&mut self) {
        self.pos += 1;
    }

    pub fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    pub fn next_token(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }

    pub fn at_punct(&self, c: char) -> bool {
        self.peek() == Some(&Tok::Punct(c))
    }

    pub fn describe_next(&self) -> String {
        self.peek()
            .map_or_else(|| "the end of the line".to_string(), Tok::to_string)
    }

    pub fn expect(&mut self, c: char) -> Result<(), String> {
        if self.at_punct(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!("expected `{c}`, found {}", self.describe_next()))
        }
    }

    pub fn word(&mut self, what: &str) -> Result<String, String> {
        match self.peek() {
            Some(Tok::Word(w)) => {
                let w = w.clone();
                self.pos += 1;
                Ok(w)
            }
            _ => Err(format!("expected {what}, found {}", self.describe_next())),
        }
    }

    pub fn keyword(&mut self, kw: &str) -> Result<(), String> {
        match self.peek() {
            Some(Tok::Word(w)) if w == kw => {
                self.pos += 1;
                Ok(())
            }
            _ => Err(format!("expected `{kw}`, found {}", self.describe_next())),
        }
    }

    pub fn name(&mut self, what: &str) -> Result<String, String> {
        match self.peek() {
            Some(Tok::Word(w)) => {
                let w = w.clone();
                self.pos += 1;
                Ok(w)
            }
            Some(Tok::Str(s)) => {
                let s = s.clone();
                self.pos += 1;
                Ok(s)
            }
            _ => Err(format!("expected {what}, found {}", self.describe_next())),
        }
    }

    pub fn number<T: std::str::FromStr>(&mut self, what: &str) -> Result<T, String> {
        let w = self.word(what)?;
        if !w.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("expected {what}, found `{w}`"));
        }
        w.parse::<T>()
            .map_err(|_| format!("{what} `{w}` is out of range"))
    }

    pub fn end(&self) -> Result<(), String> {
        if self.at_end() {
            Ok(())
        } else {
            Err(format!(
                "unexpected {} at the end of the line",
                self.describe_next()
            ))
        }
    }

    pub fn ty(&mut self, depth: usize) -> Result<ValueType, String> {
        if depth >= MAX_TYPE_DEPTH {
            return Err(format!("types nest more than {MAX_TYPE_DEPTH} deep"));
        }
        match self.next_token() {
            Some(Tok::Word(w)) if w == "bool" => Ok(ValueType::Bool),
            Some(Tok::Word(w)) if w == "struct" => {
                let name = self.name("a struct name")?;
                self.expect('{')?;
                let mut fields = Vec::new();
                while !self.at_punct('}') {
                    let f = self.name("a field name")?;
                    self.expect(':')?;
                    fields.push((f, self.ty(depth + 1)?));
                    if self.at_punct(',') {
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
                self.expect('}')?;
                Ok(ValueType::Struct { name, fields })
            }
            Some(Tok::Word(w)) if w.starts_with(['u', 'i']) => {
                let bits = int_width(&w).ok_or_else(|| format!("unknown type `{w}`"))?;
                Ok(ValueType::Int {
                    signed: w.starts_with('i'),
                    bits,
                })
            }
            Some(Tok::Punct('[')) => {
                let elem = self.ty(depth + 1)?;
                self.expect(';')?;
                let len = self.number("an array length")?;
                self.expect(']')?;
                Ok(ValueType::Array {
                    elem: Box::new(elem),
                    len,
                })
            }
            Some(Tok::Punct('(')) => {
                let mut items = Vec::new();
                while !self.at_punct(')') {
                    items.push(self.ty(depth + 1)?);
                    if self.at_punct(',') {
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
                self.expect(')')?;
                Ok(ValueType::Tuple(items))
            }
            Some(t) => Err(format!("expected a type, found {t}")),
            None => Err("expected a type, found the end of the line".into()),
        }
    }
}

/// The width in `u8` / `i8` (the digits after the first letter).
pub fn int_width(word: &str) -> Option<u32> {
    let digits = word.get(1..)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}
