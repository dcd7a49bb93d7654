//! Typed values at the boundary between users and programs.
//!
//! Parties give inputs as text (`10`, `0xff`, `true`, `[1,2,3]`, a CSV column);
//! programs and circuits take typed values and give typed values back. This
//! module is the one place where text becomes a [`Value`] of a [`ValueType`]
//! and where values are printed, so the reference interpreter, the circuit
//! evaluator and every protocol backend read and print values identically.
//!
//! Invariant: an integer [`Value`] always holds exactly `bits` bits in two's
//! complement, little-endian 64-bit limbs, with the unused high bits of the
//! last limb zero. Integers may be wider than 128 bits (Bristol circuits have
//! 512-bit values); the language itself stops at 128.

use std::fmt;

use thiserror::Error;

/// The shape of a value a party provides or receives.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// One bit, printed `true`/`false`.
    Bool,
    /// An integer of `bits` bits, two's complement when `signed`.
    Int { signed: bool, bits: u32 },
    /// A fixed-length array.
    Array { elem: Box<ValueType>, len: u64 },
    /// A tuple, written and read like an array of mixed types.
    Tuple(Vec<ValueType>),
    /// A named record; values list the fields in declaration order.
    Struct {
        name: String,
        fields: Vec<(String, ValueType)>,
    },
}

impl ValueType {
    /// The number of wires (bits) a value of this type occupies in a circuit.
    pub fn bit_width(&self) -> u64 {
        match self {
            ValueType::Bool => 1,
            ValueType::Int { bits, .. } => u64::from(*bits),
            ValueType::Array { elem, len } => elem.bit_width().saturating_mul(*len),
            ValueType::Tuple(items) => items
                .iter()
                .fold(0u64, |acc, t| acc.saturating_add(t.bit_width())),
            ValueType::Struct { fields, .. } => fields
                .iter()
                .fold(0u64, |acc, (_, t)| acc.saturating_add(t.bit_width())),
        }
    }

    /// The number of scalars (booleans and integers) in a value of this type,
    /// saturating: an arithmetic circuit gives each scalar one ring element.
    pub fn scalar_count(&self) -> u64 {
        match self {
            ValueType::Bool | ValueType::Int { .. } => 1,
            ValueType::Array { elem, len } => elem.scalar_count().saturating_mul(*len),
            ValueType::Tuple(items) => items
                .iter()
                .fold(0u64, |acc, t| acc.saturating_add(t.scalar_count())),
            ValueType::Struct { fields, .. } => fields
                .iter()
                .fold(0u64, |acc, (_, t)| acc.saturating_add(t.scalar_count())),
        }
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueType::Bool => write!(f, "bool"),
            ValueType::Int { signed, bits } => {
                write!(f, "{}{bits}", if *signed { 'i' } else { 'u' })
            }
            ValueType::Array { elem, len } => write!(f, "[{elem}; {len}]"),
            ValueType::Tuple(items) => {
                write!(f, "(")?;
                for (i, t) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{t}")?;
                }
                if items.len() == 1 {
                    write!(f, ",")?;
                }
                write!(f, ")")
            }
            ValueType::Struct { name, .. } => write!(f, "{name}"),
        }
    }
}

/// An integer of a fixed width, stored as masked two's-complement limbs.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IntValue {
    signed: bool,
    bits: u32,
    limbs: Vec<u64>,
}

impl fmt::Debug for IntValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}({})",
            if self.signed { 'i' } else { 'u' },
            self.bits,
            self
        )
    }
}

fn limb_count(bits: u32) -> usize {
    (bits as usize).div_ceil(64).max(1)
}

impl IntValue {
    /// Zero of the given width; `bits` must be at least 1.
    pub fn zero(signed: bool, bits: u32) -> Self {
        IntValue {
            signed,
            bits: bits.max(1),
            limbs: vec![0; limb_count(bits)],
        }
    }

    /// The low `bits` bits of `raw` (wrapping, as the language's casts do).
    pub fn from_u128_wrapping(signed: bool, bits: u32, raw: u128) -> Self {
        let mut v = IntValue::zero(signed, bits);
        v.limbs[0] = raw as u64;
        if v.limbs.len() > 1 {
            v.limbs[1] = (raw >> 64) as u64;
        }
        v.mask();
        v
    }

    /// Builds a value from its bits, least significant first (`bits.len()` is the width).
    pub fn from_bits(signed: bool, bits: &[bool]) -> Self {
        let mut v = IntValue::zero(signed, bits.len() as u32);
        for (i, &b) in bits.iter().enumerate() {
            if b {
                v.limbs[i / 64] |= 1 << (i % 64);
            }
        }
        v
    }

    /// Whether the value is interpreted as two's complement.
    pub fn signed(&self) -> bool {
        self.signed
    }

    /// The width in bits.
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// Bit `i`, least significant first; bits past the width read as zero.
    pub fn bit(&self, i: u32) -> bool {
        i < self.bits && (self.limbs[(i / 64) as usize] >> (i % 64)) & 1 == 1
    }

    /// All bits, least significant first.
    pub fn to_bits(&self) -> Vec<bool> {
        (0..self.bits).map(|i| self.bit(i)).collect()
    }

    /// The low 128 bits of the two's-complement pattern.
    pub fn raw_u128(&self) -> u128 {
        let lo = u128::from(self.limbs[0]);
        let hi = self.limbs.get(1).map_or(0, |&h| u128::from(h));
        lo | (hi << 64)
    }

    /// The value as a signed 128-bit integer (sign-extended when signed); `None` if wider.
    pub fn to_i128(&self) -> Option<i128> {
        if self.bits > 128 {
            return None;
        }
        let raw = self.raw_u128();
        if self.signed && self.bits < 128 && self.bit(self.bits - 1) {
            Some((raw | (!0u128 << self.bits)) as i128)
        } else if self.signed {
            Some(raw as i128)
        } else if self.bits == 128 {
            None
        } else {
            Some(raw as i128)
        }
    }

    fn is_negative(&self) -> bool {
        self.signed && self.bit(self.bits - 1)
    }

    fn mask(&mut self) {
        let n = limb_count(self.bits);
        self.limbs.truncate(n);
        let rem = self.bits % 64;
        if rem != 0 {
            if let Some(last) = self.limbs.last_mut() {
                *last &= (1u64 << rem) - 1;
            }
        }
    }

    /// Lower-case hexadecimal of the bit pattern, zero-padded to the width.
    pub fn to_hex(&self) -> String {
        let digits = (self.bits as usize).div_ceil(4);
        let mut s = String::with_capacity(digits + 2);
        s.push_str("0x");
        for d in (0..digits).rev() {
            let mut nibble = 0u8;
            for b in 0..4 {
                if self.bit((d * 4 + b) as u32) {
                    nibble |= 1 << b;
                }
            }
            s.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
        s
    }
}

/// Divides a little-endian magnitude in place by `d`, returning the remainder.
fn div_small(mag: &mut [u64], d: u64) -> u64 {
    let mut rem: u128 = 0;
    for limb in mag.iter_mut().rev() {
        let cur = (rem << 64) | u128::from(*limb);
        *limb = (cur / u128::from(d)) as u64;
        rem = cur % u128::from(d);
    }
    rem as u64
}

fn magnitude_to_decimal(mut mag: Vec<u64>) -> String {
    const CHUNK: u64 = 10_000_000_000_000_000_000; // 10^19
    let mut parts = Vec::new();
    loop {
        let r = div_small(&mut mag, CHUNK);
        parts.push(r);
        if mag.iter().all(|&l| l == 0) {
            break;
        }
    }
    let mut s = parts.pop().map(|p| p.to_string()).unwrap_or_default();
    for p in parts.iter().rev() {
        s.push_str(&format!("{p:019}"));
    }
    s
}

impl fmt::Display for IntValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_negative() {
            // Two's complement negation of the pattern gives the magnitude.
            let mut mag: Vec<u64> = self.limbs.iter().map(|l| !l).collect();
            let mut carry = true;
            for limb in mag.iter_mut() {
                if carry {
                    let (v, c) = limb.overflowing_add(1);
                    *limb = v;
                    carry = c;
                }
            }
            let mut neg = IntValue {
                signed: false,
                bits: self.bits,
                limbs: mag,
            };
            neg.mask();
            write!(f, "-{}", magnitude_to_decimal(neg.limbs))
        } else {
            write!(f, "{}", magnitude_to_decimal(self.limbs.clone()))
        }
    }
}

/// A typed value given by or to a party.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Value {
    /// A bit.
    Bool(bool),
    /// A fixed-width integer.
    Int(IntValue),
    /// Array elements in index order.
    Array(Vec<Value>),
    /// Tuple items in order.
    Tuple(Vec<Value>),
    /// Struct fields in declaration order, with their names.
    Struct(String, Vec<(String, Value)>),
}

impl Value {
    /// Shorthand for an integer value from a two's-complement pattern.
    pub fn int(signed: bool, bits: u32, raw: u128) -> Value {
        Value::Int(IntValue::from_u128_wrapping(signed, bits, raw))
    }

    /// Prints the value; integers in zero-padded hexadecimal when `hex` is set.
    pub fn render(&self, hex: bool) -> String {
        let mut s = String::new();
        self.render_into(&mut s, hex);
        s
    }

    fn render_into(&self, out: &mut String, hex: bool) {
        match self {
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) if hex => out.push_str(&i.to_hex()),
            Value::Int(i) => out.push_str(&i.to_string()),
            Value::Array(items) | Value::Tuple(items) => {
                let (open, close) = if matches!(self, Value::Array(_)) {
                    ('[', ']')
                } else {
                    ('(', ')')
                };
                out.push(open);
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    v.render_into(out, hex);
                }
                if items.len() == 1 && close == ')' {
                    out.push(',');
                }
                out.push(close);
            }
            Value::Struct(name, fields) => {
                out.push_str(name);
                out.push_str(" { ");
                for (i, (n, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(n);
                    out.push_str(": ");
                    v.render_into(out, hex);
                }
                out.push_str(" }");
            }
        }
    }

    /// Whether the value has exactly the type `ty` (same shape, widths,
    /// signedness and names), so that its bits can fill wires typed `ty`.
    pub fn has_type(&self, ty: &ValueType) -> bool {
        match (self, ty) {
            (Value::Bool(_), ValueType::Bool) => true,
            (Value::Int(i), ValueType::Int { signed, bits }) => {
                i.signed() == *signed && i.bits() == *bits
            }
            (Value::Array(items), ValueType::Array { elem, len }) => {
                items.len() as u64 == *len && items.iter().all(|v| v.has_type(elem))
            }
            (Value::Tuple(items), ValueType::Tuple(types)) => {
                items.len() == types.len() && items.iter().zip(types).all(|(v, t)| v.has_type(t))
            }
            (
                Value::Struct(name, fields),
                ValueType::Struct {
                    name: tn,
                    fields: tf,
                },
            ) => {
                name == tn
                    && fields.len() == tf.len()
                    && fields
                        .iter()
                        .zip(tf)
                        .all(|((n, v), (tn, t))| n == tn && v.has_type(t))
            }
            _ => false,
        }
    }

    /// All bits of the value in wire order: integers least significant bit
    /// first, aggregates element after element.
    pub fn to_bits(&self) -> Vec<bool> {
        let mut out = Vec::new();
        self.push_bits(&mut out);
        out
    }

    fn push_bits(&self, out: &mut Vec<bool>) {
        match self {
            Value::Bool(b) => out.push(*b),
            Value::Int(i) => out.extend(i.to_bits()),
            Value::Array(items) | Value::Tuple(items) => {
                items.iter().for_each(|v| v.push_bits(out))
            }
            Value::Struct(_, fields) => fields.iter().for_each(|(_, v)| v.push_bits(out)),
        }
    }

    /// Rebuilds a value of type `ty` from bits in wire order (the inverse of [`Value::to_bits`]).
    pub fn from_bits(ty: &ValueType, bits: &[bool]) -> Result<Value, ValueError> {
        if bits.len() as u64 != ty.bit_width() {
            return Err(ValueError::BitCount {
                expected: ty.bit_width(),
                found: bits.len() as u64,
            });
        }
        let mut pos = 0;
        Ok(Self::take_bits(ty, bits, &mut pos))
    }

    fn take_bits(ty: &ValueType, bits: &[bool], pos: &mut usize) -> Value {
        match ty {
            ValueType::Bool => {
                *pos += 1;
                Value::Bool(bits[*pos - 1])
            }
            ValueType::Int { signed, bits: w } => {
                let start = *pos;
                *pos += *w as usize;
                Value::Int(IntValue::from_bits(*signed, &bits[start..*pos]))
            }
            ValueType::Array { elem, len } => Value::Array(
                (0..*len)
                    .map(|_| Self::take_bits(elem, bits, pos))
                    .collect(),
            ),
            ValueType::Tuple(items) => Value::Tuple(
                items
                    .iter()
                    .map(|t| Self::take_bits(t, bits, pos))
                    .collect(),
            ),
            ValueType::Struct { name, fields } => Value::Struct(
                name.clone(),
                fields
                    .iter()
                    .map(|(n, t)| (n.clone(), Self::take_bits(t, bits, pos)))
                    .collect(),
            ),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

/// Why a text value could not be read or does not fit its type.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ValueError {
    #[error("cannot read `{text}` as a value: {why}")]
    Syntax { text: String, why: String },
    #[error("{value} does not fit in {ty} (a value that does not fit is an error, not a wrap)")]
    OutOfRange { value: String, ty: String },
    #[error("expected {expected}, found {found}")]
    Mismatch { expected: String, found: String },
    #[error("expected an array of {expected} elements, found {found}")]
    Length { expected: u64, found: u64 },
    #[error("expected {expected} bits, found {found}")]
    BitCount { expected: u64, found: u64 },
    #[error("CSV: {0}")]
    Csv(String),
}

/// A value as written by a user, before its type is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Literal {
    /// An integer: sign and little-endian magnitude limbs (any size).
    Int { negative: bool, magnitude: Vec<u64> },
    /// `true` or `false`.
    Bool(bool),
    /// `[a, b, …]` (also fills tuples and structs, in order).
    List(Vec<Literal>),
}

impl Literal {
    /// Reads one literal: decimal, `0x`/`0o`/`0b` integers with optional `-`
    /// and `_` separators, `true`/`false`, or a bracketed list of literals.
    pub fn parse(text: &str) -> Result<Literal, ValueError> {
        let mut p = LiteralParser { text, pos: 0 };
        let lit = p.literal()?;
        p.skip_ws();
        if p.pos != text.len() {
            return Err(p.error("unexpected text after the value"));
        }
        Ok(lit)
    }

    /// Converts to a value of type `ty`, rejecting values that do not fit.
    pub fn to_value(&self, ty: &ValueType) -> Result<Value, ValueError> {
        match (ty, self) {
            (ValueType::Bool, Literal::Bool(b)) => Ok(Value::Bool(*b)),
            (
                ValueType::Bool,
                Literal::Int {
                    negative: false,
                    magnitude,
                },
            ) if magnitude.iter().skip(1).all(|&l| l == 0)
                && magnitude.first().copied().unwrap_or(0) <= 1 =>
            {
                Ok(Value::Bool(magnitude.first().copied().unwrap_or(0) == 1))
            }
            (
                ValueType::Int { signed, bits },
                Literal::Int {
                    negative,
                    magnitude,
                },
            ) => int_from_magnitude(*signed, *bits, *negative, magnitude).map(Value::Int),
            (ValueType::Array { elem, len }, Literal::List(items)) => {
                if items.len() as u64 != *len {
                    return Err(ValueError::Length {
                        expected: *len,
                        found: items.len() as u64,
                    });
                }
                items
                    .iter()
                    .map(|l| l.to_value(elem))
                    .collect::<Result<_, _>>()
                    .map(Value::Array)
            }
            (ValueType::Tuple(types), Literal::List(items)) => {
                if items.len() != types.len() {
                    return Err(ValueError::Length {
                        expected: types.len() as u64,
                        found: items.len() as u64,
                    });
                }
                types
                    .iter()
                    .zip(items)
                    .map(|(t, l)| l.to_value(t))
                    .collect::<Result<_, _>>()
                    .map(Value::Tuple)
            }
            (ValueType::Struct { name, fields }, Literal::List(items)) => {
                if items.len() != fields.len() {
                    return Err(ValueError::Length {
                        expected: fields.len() as u64,
                        found: items.len() as u64,
                    });
                }
                fields
                    .iter()
                    .zip(items)
                    .map(|((n, t), l)| Ok((n.clone(), l.to_value(t)?)))
                    .collect::<Result<_, _>>()
                    .map(|f| Value::Struct(name.clone(), f))
            }
            (ty, lit) => Err(ValueError::Mismatch {
                expected: ty.to_string(),
                found: lit.describe().to_string(),
            }),
        }
    }

    fn describe(&self) -> &'static str {
        match self {
            Literal::Int { .. } => "an integer",
            Literal::Bool(_) => "a boolean",
            Literal::List(_) => "a list",
        }
    }

    /// Reads a CSV file's text as a list: one value per line, or the column
    /// named `column` (first line is then the header).
    pub fn from_csv(text: &str, column: Option<&str>) -> Result<Literal, ValueError> {
        let mut lines = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'));
        let mut items = Vec::new();
        match column {
            None => {
                for line in lines {
                    let cell = line.trim_end_matches(',').trim();
                    if cell.contains(',') {
                        return Err(ValueError::Csv(format!(
                            "line `{line}` has several columns; name one with `@file.csv:COLUMN`"
                        )));
                    }
                    items.push(Literal::parse(cell)?);
                }
            }
            Some(col) => {
                let header = lines.next().ok_or_else(|| {
                    ValueError::Csv("the file is empty; expected a header line".into())
                })?;
                let names: Vec<&str> = header.split(',').map(str::trim).collect();
                let idx = names.iter().position(|n| *n == col).ok_or_else(|| {
                    ValueError::Csv(format!("no column `{col}` in the header `{header}`"))
                })?;
                for line in lines {
                    let cell = line.split(',').nth(idx).map(str::trim).ok_or_else(|| {
                        ValueError::Csv(format!("line `{line}` has no column {}", idx + 1))
                    })?;
                    items.push(Literal::parse(cell)?);
                }
            }
        }
        Ok(Literal::List(items))
    }
}

fn int_from_magnitude(
    signed: bool,
    bits: u32,
    negative: bool,
    magnitude: &[u64],
) -> Result<IntValue, ValueError> {
    let mag_bits = magnitude
        .iter()
        .enumerate()
        .rev()
        .find(|(_, &l)| l != 0)
        .map_or(0, |(i, &l)| i as u32 * 64 + (64 - l.leading_zeros()));
    let is_zero = mag_bits == 0;
    // Largest magnitude allowed: 2^bits - 1 unsigned; 2^(bits-1) - 1 or 2^(bits-1) (negative) signed.
    let fits = if negative && !is_zero {
        if !signed {
            false
        } else {
            // |v| <= 2^(bits-1): either fewer bits, or exactly the power of two.
            mag_bits < bits || (mag_bits == bits && is_power_of_two(magnitude))
        }
    } else if signed {
        mag_bits < bits
    } else {
        mag_bits <= bits
    };
    if !fits {
        let ty = format!("{}{bits}", if signed { 'i' } else { 'u' });
        let mut shown = magnitude_to_decimal(magnitude.to_vec());
        if negative {
            shown.insert(0, '-');
        }
        return Err(ValueError::OutOfRange { value: shown, ty });
    }
    let mut v = IntValue::zero(signed, bits);
    for (i, l) in v.limbs.iter_mut().enumerate() {
        *l = magnitude.get(i).copied().unwrap_or(0);
    }
    if negative {
        let mut carry = true;
        for l in v.limbs.iter_mut() {
            *l = !*l;
            if carry {
                let (n, c) = l.overflowing_add(1);
                *l = n;
                carry = c;
            }
        }
    }
    v.mask();
    Ok(v)
}

fn is_power_of_two(mag: &[u64]) -> bool {
    mag.iter().map(|l| l.count_ones()).sum::<u32>() == 1
}

struct LiteralParser<'a> {
    text: &'a str,
    pos: usize,
}

impl LiteralParser<'_> {
    fn error(&self, why: &str) -> ValueError {
        ValueError::Syntax {
            text: self.text.to_string(),
            why: why.to_string(),
        }
    }

    fn skip_ws(&mut self) {
        while self.text[self.pos..].starts_with(char::is_whitespace) {
            self.pos += self.text[self.pos..]
                .chars()
                .next()
                .map_or(1, char::len_utf8);
        }
    }

    fn literal(&mut self) -> Result<Literal, ValueError> {
        self.skip_ws();
        let rest = &self.text[self.pos..];
        if rest.starts_with('[') {
            self.pos += 1;
            let mut items = Vec::new();
            loop {
                self.skip_ws();
                if self.text[self.pos..].starts_with(']') {
                    self.pos += 1;
                    return Ok(Literal::List(items));
                }
                if !items.is_empty() {
                    if !self.text[self.pos..].starts_with(',') {
                        return Err(self.error("expected `,` or `]` in the list"));
                    }
                    self.pos += 1;
                    self.skip_ws();
                    if self.text[self.pos..].starts_with(']') {
                        self.pos += 1;
                        return Ok(Literal::List(items));
                    }
                }
                if self.pos >= self.text.len() {
                    return Err(self.error("the list is not closed with `]`"));
                }
                items.push(self.literal()?);
            }
        }
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '+'))
            .unwrap_or(rest.len());
        let word = &rest[..end];
        self.pos += end;
        match word {
            "true" => return Ok(Literal::Bool(true)),
            "false" => return Ok(Literal::Bool(false)),
            "" => return Err(self.error("expected a number, `true`, `false` or `[`")),
            _ => {}
        }
        let (negative, digits) = match word.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, word.strip_prefix('+').unwrap_or(word)),
        };
        let lower = digits.to_ascii_lowercase();
        let (radix, body) = if let Some(b) = lower.strip_prefix("0x") {
            (16, b)
        } else if let Some(b) = lower.strip_prefix("0b") {
            (2, b)
        } else if let Some(b) = lower.strip_prefix("0o") {
            (8, b)
        } else {
            (10, lower.as_str())
        };
        let mut magnitude: Vec<u64> = vec![0];
        let mut any = false;
        for c in body.chars() {
            if c == '_' {
                continue;
            }
            let d = c
                .to_digit(radix)
                .ok_or_else(|| self.error(&format!("`{c}` is not a base-{radix} digit")))?;
            any = true;
            // magnitude = magnitude * radix + d
            let mut carry = u128::from(d);
            for limb in magnitude.iter_mut() {
                let cur = u128::from(*limb) * u128::from(radix) + carry;
                *limb = cur as u64;
                carry = cur >> 64;
            }
            if carry != 0 {
                magnitude.push(carry as u64);
            }
        }
        if !any {
            return Err(self.error("expected digits"));
        }
        Ok(Literal::Int {
            negative,
            magnitude,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(bits: u32) -> ValueType {
        ValueType::Int {
            signed: false,
            bits,
        }
    }
    fn i(bits: u32) -> ValueType {
        ValueType::Int { signed: true, bits }
    }
    fn val(text: &str, ty: &ValueType) -> Result<Value, ValueError> {
        Literal::parse(text)?.to_value(ty)
    }

    #[test]
    fn integers_in_every_base() {
        assert_eq!(val("10", &u(8)).unwrap().to_string(), "10");
        assert_eq!(val("0xff", &u(8)).unwrap().to_string(), "255");
        assert_eq!(val("0b1010", &u(8)).unwrap().to_string(), "10");
        assert_eq!(val("0o17", &u(8)).unwrap().to_string(), "15");
        assert_eq!(val("1_000", &u(16)).unwrap().to_string(), "1000");
    }

    #[test]
    fn ranges_are_checked_not_wrapped() {
        assert!(val("256", &u(8)).is_err());
        assert!(val("-1", &u(8)).is_err());
        assert_eq!(val("-128", &i(8)).unwrap().to_string(), "-128");
        assert!(val("-129", &i(8)).is_err());
        assert!(val("128", &i(8)).is_err());
        assert_eq!(val("127", &i(8)).unwrap().to_string(), "127");
        assert_eq!(val("-0", &u(8)).unwrap().to_string(), "0");
    }

    #[test]
    fn wide_values_print_in_decimal_and_hex() {
        let ty = u(256);
        let v = val(
            "0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            &ty,
        )
        .unwrap();
        assert_eq!(
            v.render(true),
            "0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        );
        let big = val("340282366920938463463374607431768211456", &u(130)).unwrap();
        assert_eq!(big.to_string(), "340282366920938463463374607431768211456");
        assert_eq!(val("5", &u(12)).unwrap().render(true), "0x005");
    }

    #[test]
    fn arrays_tuples_and_bools() {
        let arr = ValueType::Array {
            elem: Box::new(u(8)),
            len: 3,
        };
        assert_eq!(val("[1, 2,3]", &arr).unwrap().to_string(), "[1, 2, 3]");
        assert!(matches!(val("[1,2]", &arr), Err(ValueError::Length { .. })));
        assert_eq!(val("true", &ValueType::Bool).unwrap(), Value::Bool(true));
        assert!(val("2", &ValueType::Bool).is_err());
        let tup = ValueType::Tuple(vec![ValueType::Bool, i(4)]);
        assert_eq!(val("[false, -3]", &tup).unwrap().to_string(), "(false, -3)");
        assert!(Literal::parse("[1,2").is_err());
        assert!(Literal::parse("12z").is_err());
        assert!(Literal::parse("").is_err());
    }

    #[test]
    fn bits_round_trip() {
        let ty = ValueType::Array {
            elem: Box::new(i(5)),
            len: 2,
        };
        let v = val("[-3, 7]", &ty).unwrap();
        let bits = v.to_bits();
        assert_eq!(bits.len(), 10);
        assert_eq!(Value::from_bits(&ty, &bits).unwrap(), v);
    }

    #[test]
    fn csv_columns() {
        let lit = Literal::from_csv("id,salary\n1, 100\n2,200\n", Some("salary")).unwrap();
        let ty = ValueType::Array {
            elem: Box::new(u(32)),
            len: 2,
        };
        assert_eq!(lit.to_value(&ty).unwrap().to_string(), "[100, 200]");
        assert!(Literal::from_csv("a,b\n1,2\n", Some("c")).is_err());
        let plain = Literal::from_csv("3\n4\n\n", None).unwrap();
        assert_eq!(
            plain,
            Literal::List(vec![
                Literal::parse("3").unwrap(),
                Literal::parse("4").unwrap()
            ])
        );
        assert!(Literal::from_csv("1,2\n", None).is_err());
    }

    #[test]
    fn to_i128_sign_extends() {
        let v = IntValue::from_u128_wrapping(true, 8, 0xff);
        assert_eq!(v.to_i128(), Some(-1));
        let v = IntValue::from_u128_wrapping(false, 8, 0xff);
        assert_eq!(v.to_i128(), Some(255));
    }
}
