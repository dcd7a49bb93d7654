//! The `.vc` binary encoding: compact, versioned, and safe to read from untrusted bytes.
//!
//! Layout (all integers are unsigned LEB128 varints unless stated):
//!
//! ```text
//! magic      8 bytes  "VEILCIRC"
//! version    u32, 4 bytes little-endian (this build writes and reads 1)
//! ring_bits
//! wire_count
//! parties    count, then each a string
//! inputs     count, then each: party, name, flags, type, wire list
//! outputs    count, then each: name, flags, type, recipient count, recipients, wire list
//! gates      count, then each: opcode byte, operands (see below)
//! marks      run count, then each: length, flags; the lengths add up to wire_count
//! (end of file: trailing bytes are an error)
//!
//! string     byte length, UTF-8 bytes
//! flags      byte: bit 0 = public, bit 1 = arithmetic; other bits must be 0
//!            (output groups use only bit 1)
//! type       tag byte, then: 0 bool | 1 uN: bits | 2 iN: bits
//!            | 3 array: len, element type | 4 tuple: count, types
//!            | 5 struct: name, count, (field name, type)…
//! wire list  run count, then each run: start, length
//! gates      0 xor a b out | 1 and a b out | 2 not a out | 3 const-0 out
//!            | 4 const-1 out | 5 copy a out | 6 add a b out | 7 sub a b out
//!            | 8 mul a b out | 9 add_const a c out | 10 mul_const a c out
//!            | 11 arith_const c out | 12 bits_to_arith start len out
//!            | 13 arith_to_bits input start len
//! ```
//!
//! The wire marks come last so that the reader can check the declared wire
//! count against what the inputs and gates can actually write before it
//! allocates the wire table. Every other count is checked against the bytes
//! that remain before anything is allocated for it, types may nest at most
//! [`MAX_TYPE_DEPTH`](crate::validate::MAX_TYPE_DEPTH) deep, and input groups may hold at most
//! [`MAX_GROUP_WIRES`](crate::validate::MAX_GROUP_WIRES) wires, so a short corrupted or hostile file cannot
//! make the reader allocate much or recurse deeply. The reader never panics.
//!
//! Decoding checks the encoding, not the circuit: a decoded circuit still
//! goes through [`crate::ValidCircuit::new`] before it is run.

use thiserror::Error;

use crate::circuit::{Circuit, Domain, InputGroup, OutputGroup, Visibility, WireInfo};
use crate::gate::Gate;
use crate::validate::{MAX_GROUP_WIRES, MAX_TYPE_DEPTH};
use crate::value::ValueType;
use crate::wire::{Wire, WireList, WireRange};

/// The first eight bytes of every `.vc` file.
pub const MAGIC: &[u8; 8] = b"VEILCIRC";

/// The encoding version this build writes and reads.
pub const VERSION: u32 = 1;

/// Why bytes could not be decoded as a `.vc` circuit.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VcError {
    #[error("not a .vc circuit: the file does not start with `VEILCIRC`")]
    BadMagic,
    #[error("unsupported .vc version {found}; this build reads version {supported}")]
    Version { found: u32, supported: u32 },
    #[error("truncated .vc file: {what} at byte {offset} runs past the end")]
    Truncated { offset: usize, what: &'static str },
    #[error("corrupt .vc file at byte {offset}: {why}")]
    Corrupt { offset: usize, why: String },
}

const PUBLIC: u8 = 1;
const ARITH: u8 = 2;

fn flags(domain: Domain, visibility: Visibility) -> u8 {
    let mut f = 0;
    if visibility == Visibility::Public {
        f |= PUBLIC;
    }
    if domain == Domain::Arith {
        f |= ARITH;
    }
    f
}

/// Encodes any circuit, valid or not, losslessly.
pub fn encode(c: &Circuit) -> Vec<u8> {
    let mut w = Writer {
        out: Vec::with_capacity(16 + c.gates.len() * 5),
    };
    w.out.extend_from_slice(MAGIC);
    w.out.extend_from_slice(&VERSION.to_le_bytes());
    w.varint(u64::from(c.ring_bits));
    w.varint(c.wires.len() as u64);
    w.varint(c.parties.len() as u64);
    for p in &c.parties {
        w.string(p);
    }
    w.varint(c.inputs.len() as u64);
    for g in &c.inputs {
        w.varint(u64::from(g.party));
        w.string(&g.name);
        let vis = if g.public {
            Visibility::Public
        } else {
            Visibility::Secret
        };
        w.out.push(flags(g.domain, vis));
        w.ty(&g.ty);
        w.wires(&g.wires);
    }
    w.varint(c.outputs.len() as u64);
    for g in &c.outputs {
        w.string(&g.name);
        w.out.push(flags(g.domain, Visibility::Secret));
        w.ty(&g.ty);
        w.varint(g.recipients.len() as u64);
        for &r in &g.recipients {
            w.varint(u64::from(r));
        }
        w.wires(&g.wires);
    }
    w.varint(c.gates.len() as u64);
    for gate in &c.gates {
        w.gate(gate);
    }
    let mut runs: Vec<(u64, u8)> = Vec::new();
    for info in &c.wires {
        let f = flags(info.domain, info.visibility);
        match runs.last_mut() {
            Some((len, last)) if *last == f => *len += 1,
            _ => runs.push((1, f)),
        }
    }
    w.varint(runs.len() as u64);
    for (len, f) in runs {
        w.varint(len);
        w.out.push(f);
    }
    w.out
}

struct Writer {
    out: Vec<u8>,
}

impl Writer {
    fn varint(&mut self, mut v: u64) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.out.push(byte);
                return;
            }
            self.out.push(byte | 0x80);
        }
    }

    fn wire(&mut self, w: Wire) {
        self.varint(u64::from(w.0));
    }

    fn string(&mut self, s: &str) {
        self.varint(s.len() as u64);
        self.out.extend_from_slice(s.as_bytes());
    }

    fn wires(&mut self, list: &WireList) {
        self.varint(list.runs().len() as u64);
        for r in list.runs() {
            self.wire(r.start);
            self.varint(u64::from(r.len));
        }
    }

    fn ty(&mut self, ty: &ValueType) {
        match ty {
            ValueType::Bool => self.out.push(0),
            ValueType::Int { signed, bits } => {
                self.out.push(if *signed { 2 } else { 1 });
                self.varint(u64::from(*bits));
            }
            ValueType::Array { elem, len } => {
                self.out.push(3);
                self.varint(*len);
                self.ty(elem);
            }
            ValueType::Tuple(items) => {
                self.out.push(4);
                self.varint(items.len() as u64);
                for t in items {
                    self.ty(t);
                }
            }
            ValueType::Struct { name, fields } => {
                self.out.push(5);
                self.string(name);
                self.varint(fields.len() as u64);
                for (n, t) in fields {
                    self.string(n);
                    self.ty(t);
                }
            }
        }
    }

    fn gate(&mut self, gate: &Gate) {
        let (op, a, b, out): (u8, Option<u64>, Option<u64>, Option<u64>) = match *gate {
            Gate::Xor { a, b, out } => (0, Some(a.0.into()), Some(b.0.into()), Some(out.0.into())),
            Gate::And { a, b, out } => (1, Some(a.0.into()), Some(b.0.into()), Some(out.0.into())),
            Gate::Not { a, out } => (2, Some(a.0.into()), None, Some(out.0.into())),
            Gate::Const { value, out } => (3 + u8::from(value), None, None, Some(out.0.into())),
            Gate::Copy { a, out } => (5, Some(a.0.into()), None, Some(out.0.into())),
            Gate::Add { a, b, out } => (6, Some(a.0.into()), Some(b.0.into()), Some(out.0.into())),
            Gate::Sub { a, b, out } => (7, Some(a.0.into()), Some(b.0.into()), Some(out.0.into())),
            Gate::Mul { a, b, out } => (8, Some(a.0.into()), Some(b.0.into()), Some(out.0.into())),
            Gate::AddConst { a, c, out } => (9, Some(a.0.into()), Some(c), Some(out.0.into())),
            Gate::MulConst { a, c, out } => (10, Some(a.0.into()), Some(c), Some(out.0.into())),
            Gate::ArithConst { c, out } => (11, Some(c), None, Some(out.0.into())),
            Gate::BitsToArith { bits, out } => (
                12,
                Some(bits.start.0.into()),
                Some(bits.len.into()),
                Some(out.0.into()),
            ),
            Gate::ArithToBits { input, outs } => (
                13,
                Some(input.0.into()),
                Some(outs.start.0.into()),
                Some(outs.len.into()),
            ),
        };
        self.out.push(op);
        for v in [a, b, out].into_iter().flatten() {
            self.varint(v);
        }
    }
}

/// Decodes a `.vc` file (see the module documentation for the checks made).
pub fn decode(bytes: &[u8]) -> Result<Circuit, VcError> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(VcError::BadMagic);
    }
    let mut r = Reader {
        bytes,
        pos: MAGIC.len(),
    };
    let version = r.take(4, "the version")?;
    let version = u32::from_le_bytes([version[0], version[1], version[2], version[3]]);
    if version != VERSION {
        return Err(VcError::Version {
            found: version,
            supported: VERSION,
        });
    }
    let ring_bits = r.u32("the ring width")?;
    let wire_count_at = r.pos;
    let wire_count = r.varint("the wire count")?;
    if wire_count > u64::from(u32::MAX) {
        return Err(r.corrupt_at(
            wire_count_at,
            format!("{wire_count} wires do not fit u32 ids"),
        ));
    }

    let n = r.count("the party count", 1)?;
    let mut parties = Vec::with_capacity(n);
    for _ in 0..n {
        parties.push(r.string("a party name")?);
    }

    // Input group: party, name, flags, type, run count: at least 5 bytes.
    let n = r.count("the input count", 5)?;
    let mut inputs = Vec::with_capacity(n);
    let mut input_wires = 0u64;
    for _ in 0..n {
        let party = r.u32("an input's party")?;
        let name = r.string("an input's name")?;
        let (domain, vis) = r.flags(true)?;
        let ty = r.ty(0)?;
        let at = r.pos;
        let wires = r.wire_list()?;
        input_wires = input_wires.saturating_add(wires.len());
        if input_wires > MAX_GROUP_WIRES {
            return Err(r.corrupt_at(
                at,
                format!("the inputs list more than {MAX_GROUP_WIRES} wires"),
            ));
        }
        inputs.push(InputGroup {
            party,
            name,
            ty,
            public: vis == Visibility::Public,
            domain,
            wires,
        });
    }

    // Output group: name, flags, type, recipient count, run count: at least 5 bytes.
    let n = r.count("the output count", 5)?;
    let mut outputs = Vec::with_capacity(n);
    for _ in 0..n {
        let name = r.string("an output's name")?;
        let (domain, _) = r.flags(false)?;
        let ty = r.ty(0)?;
        let k = r.count("an output's recipient count", 1)?;
        let mut recipients = Vec::with_capacity(k);
        for _ in 0..k {
            recipients.push(r.u32("a recipient")?);
        }
        let wires = r.wire_list()?;
        outputs.push(OutputGroup {
            name,
            recipients,
            ty,
            domain,
            wires,
        });
    }

    let n = r.count("the gate count", 2)?;
    let mut gates = Vec::with_capacity(n);
    // Wires the inputs and gates can write; conversions count at most 64
    // results (the widest ring), so this stays proportional to the bytes read.
    let mut definable = input_wires;
    for _ in 0..n {
        let gate = r.gate()?;
        let outs = match gate {
            Gate::ArithToBits { outs, .. } => u64::from(outs.len.min(64)),
            _ => 1,
        };
        definable = definable.saturating_add(outs);
        gates.push(gate);
    }
    if wire_count > definable {
        return Err(r.corrupt_at(
            wire_count_at,
            format!(
                "{wire_count} wires declared, but the inputs and gates write at most {definable}"
            ),
        ));
    }

    let runs = r.count("the wire mark run count", 2)?;
    let mut wires = Vec::with_capacity(wire_count as usize);
    for _ in 0..runs {
        let at = r.pos;
        let len = r.varint("a wire mark run")?;
        let (domain, visibility) = r.flags(true)?;
        if len == 0 || len > wire_count - wires.len() as u64 {
            return Err(r.corrupt_at(
                at,
                format!("a wire mark run of {len} wires does not fit the {wire_count} wires"),
            ));
        }
        wires.extend(std::iter::repeat_n(
            WireInfo::new(domain, visibility),
            len as usize,
        ));
    }
    if wires.len() as u64 != wire_count {
        return Err(r.corrupt_at(
            r.pos,
            format!(
                "the wire marks cover {} of the {wire_count} wires",
                wires.len()
            ),
        ));
    }
    if r.pos != bytes.len() {
        return Err(r.corrupt_at(r.pos, "trailing bytes after the wire marks".into()));
    }
    Ok(Circuit {
        parties,
        ring_bits,
        wires,
        gates,
        inputs,
        outputs,
    })
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    fn corrupt_at(&self, offset: usize, why: String) -> VcError {
        VcError::Corrupt { offset, why }
    }

    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], VcError> {
        if n > self.remaining() {
            return Err(VcError::Truncated {
                offset: self.pos,
                what,
            });
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn byte(&mut self, what: &'static str) -> Result<u8, VcError> {
        Ok(self.take(1, what)?[0])
    }

    fn varint(&mut self, what: &'static str) -> Result<u64, VcError> {
        let start = self.pos;
        let mut v = 0u64;
        for i in 0..10 {
            let b = self.byte(what)?;
            if i == 9 && b > 1 {
                return Err(self.corrupt_at(start, format!("{what} overflows 64 bits")));
            }
            v |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(self.corrupt_at(start, format!("{what} overflows 64 bits")))
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, VcError> {
        let at = self.pos;
        let v = self.varint(what)?;
        u32::try_from(v).map_err(|_| self.corrupt_at(at, format!("{what} ({v}) does not fit u32")))
    }

    /// A count of items that each take at least `min_bytes`, checked against the bytes left.
    fn count(&mut self, what: &'static str, min_bytes: usize) -> Result<usize, VcError> {
        let at = self.pos;
        let v = self.varint(what)?;
        let max = self.remaining() / min_bytes.max(1);
        if v > max as u64 {
            return Err(self.corrupt_at(
                at,
                format!("{what} is {v}, but only {} bytes remain", self.remaining()),
            ));
        }
        Ok(v as usize)
    }

    fn string(&mut self, what: &'static str) -> Result<String, VcError> {
        let n = self.count(what, 1)?;
        let at = self.pos;
        let raw = self.take(n, what)?;
        String::from_utf8(raw.to_vec())
            .map_err(|_| self.corrupt_at(at, format!("{what} is not UTF-8")))
    }

    fn flags(&mut self, allow_public: bool) -> Result<(Domain, Visibility), VcError> {
        let at = self.pos;
        let f = self.byte("a flags byte")?;
        let allowed = if allow_public { PUBLIC | ARITH } else { ARITH };
        if f & !allowed != 0 {
            return Err(self.corrupt_at(at, format!("unknown flags {f:#04x}")));
        }
        let domain = if f & ARITH != 0 {
            Domain::Arith
        } else {
            Domain::Bool
        };
        let vis = if f & PUBLIC != 0 {
            Visibility::Public
        } else {
            Visibility::Secret
        };
        Ok((domain, vis))
    }

    fn wire(&mut self, what: &'static str) -> Result<Wire, VcError> {
        self.u32(what).map(Wire)
    }

    fn wire_list(&mut self) -> Result<WireList, VcError> {
        let n = self.count("a wire list's run count", 2)?;
        let mut list = WireList::new();
        for _ in 0..n {
            let start = self.wire("a wire run's start")?;
            let len = self.u32("a wire run's length")?;
            list.push_range(WireRange::new(start, len));
        }
        Ok(list)
    }

    fn ty(&mut self, depth: usize) -> Result<ValueType, VcError> {
        let at = self.pos;
        if depth >= MAX_TYPE_DEPTH {
            return Err(self.corrupt_at(at, format!("types nest more than {MAX_TYPE_DEPTH} deep")));
        }
        Ok(match self.byte("a type tag")? {
            0 => ValueType::Bool,
            tag @ (1 | 2) => ValueType::Int {
                signed: tag == 2,
                bits: self.u32("an integer width")?,
            },
            3 => {
                let len = self.varint("an array length")?;
                ValueType::Array {
                    elem: Box::new(self.ty(depth + 1)?),
                    len,
                }
            }
            4 => {
                let n = self.count("a tuple's length", 1)?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.ty(depth + 1)?);
                }
                ValueType::Tuple(items)
            }
            5 => {
                let name = self.string("a struct name")?;
                let n = self.count("a struct's field count", 2)?;
                let mut fields = Vec::with_capacity(n);
                for _ in 0..n {
                    let f = self.string("a field name")?;
                    fields.push((f, self.ty(depth + 1)?));
                }
                ValueType::Struct { name, fields }
            }
            t => return Err(self.corrupt_at(at, format!("unknown type tag {t}"))),
        })
    }

    fn gate(&mut self) -> Result<Gate, VcError> {
        let at = self.pos;
        let op = self.byte("a gate")?;
        let w = |r: &mut Self| r.wire("a gate's wire");
        Ok(match op {
            0 | 1 | 6 | 7 | 8 => {
                let (a, b, out) = (w(self)?, w(self)?, w(self)?);
                match op {
                    0 => Gate::Xor { a, b, out },
                    1 => Gate::And { a, b, out },
                    6 => Gate::Add { a, b, out },
                    7 => Gate::Sub { a, b, out },
                    _ => Gate::Mul { a, b, out },
                }
            }
            2 => {
                let (a, out) = (w(self)?, w(self)?);
                Gate::Not { a, out }
            }
            3 | 4 => Gate::Const {
                value: op == 4,
                out: w(self)?,
            },
            5 => {
                let (a, out) = (w(self)?, w(self)?);
                Gate::Copy { a, out }
            }
            9 | 10 => {
                let a = w(self)?;
                let c = self.varint("a constant")?;
                let out = w(self)?;
                if op == 9 {
                    Gate::AddConst { a, c, out }
                } else {
                    Gate::MulConst { a, c, out }
                }
            }
            11 => {
                let c = self.varint("a constant")?;
                Gate::ArithConst { c, out: w(self)? }
            }
            12 => {
                let start = w(self)?;
                let len = self.u32("a conversion width")?;
                Gate::BitsToArith {
                    bits: WireRange::new(start, len),
                    out: w(self)?,
                }
            }
            13 => {
                let input = w(self)?;
                let start = w(self)?;
                let len = self.u32("a conversion width")?;
                Gate::ArithToBits {
                    input,
                    outs: WireRange::new(start, len),
                }
            }
            _ => return Err(self.corrupt_at(at, format!("unknown gate opcode {op}"))),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builder::CircuitBuilder;

    fn sample() -> Circuit {
        let mut b = CircuitBuilder::new(16);
        let p = b.party("alice");
        let q = b.party("bøb");
        let ty = ValueType::Struct {
            name: "P".into(),
            fields: vec![
                (
                    "x".into(),
                    ValueType::Int {
                        signed: true,
                        bits: 8,
                    },
                ),
                ("f".into(), ValueType::Bool),
            ],
        };
        let x = b.input(p, "x", ty.clone(), false, Domain::Bool);
        let y = b.input(
            q,
            "y",
            ValueType::Int {
                signed: false,
                bits: 16,
            },
            true,
            Domain::Arith,
        );
        let a = b.bits_to_arith(&x.iter().take(8).collect::<Vec<_>>());
        let m = b.mul(a, y.start);
        let k = b.add_const(m, 5);
        let bits = b.arith_to_bits(k, 9);
        let t = b.and(bits.start, x.get(8).unwrap());
        let c = b.constant(false);
        let o = b.xor(t, c);
        let mut outs: Vec<Wire> = bits.iter().take(8).collect();
        outs.push(o);
        b.output("r", vec![p, q], ty, Domain::Bool, outs);
        b.finish().unwrap().into_inner()
    }

    #[test]
    fn round_trip() {
        let c = sample();
        let bytes = encode(&c);
        assert_eq!(&bytes[..8], MAGIC);
        assert_eq!(decode(&bytes).unwrap(), c);
    }

    #[test]
    fn other_versions_are_refused_by_number() {
        let mut bytes = encode(&sample());
        bytes[8..12].copy_from_slice(&7u32.to_le_bytes());
        let e = decode(&bytes).unwrap_err();
        assert_eq!(
            e,
            VcError::Version {
                found: 7,
                supported: 1
            }
        );
        assert!(e.to_string().contains("version 7") && e.to_string().contains("version 1"));
        assert_eq!(decode(b"VEILCIR"), Err(VcError::BadMagic));
        assert_eq!(decode(b"BRISTOL!\x01\0\0\0"), Err(VcError::BadMagic));
    }

    #[test]
    fn every_truncation_is_an_error() {
        let bytes = encode(&sample());
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut long = bytes.clone();
        long.push(0);
        assert!(matches!(decode(&long), Err(VcError::Corrupt { .. })));
    }

    #[test]
    fn huge_counts_are_refused_before_allocating() {
        let mut w = Writer { out: Vec::new() };
        w.out.extend_from_slice(MAGIC);
        w.out.extend_from_slice(&VERSION.to_le_bytes());
        w.varint(64);
        w.varint(u64::from(u32::MAX)); // wires
        w.varint(0); // parties
        w.varint(0); // inputs
        w.varint(0); // outputs
        w.varint(0); // gates
        w.varint(1);
        w.varint(u64::from(u32::MAX));
        w.out.push(0);
        let e = decode(&w.out).unwrap_err();
        assert!(e.to_string().contains("write at most 0"), "{e}");

        let mut w = Writer { out: Vec::new() };
        w.out.extend_from_slice(MAGIC);
        w.out.extend_from_slice(&VERSION.to_le_bytes());
        w.varint(64);
        w.varint(0);
        w.varint(u64::MAX); // parties
        assert!(matches!(decode(&w.out), Err(VcError::Corrupt { .. })));

        // A type nested deeper than allowed.
        let mut w = Writer { out: Vec::new() };
        w.out.extend_from_slice(MAGIC);
        w.out.extend_from_slice(&VERSION.to_le_bytes());
        w.varint(64);
        w.varint(0);
        w.varint(0);
        w.varint(1); // one input
        w.varint(0);
        w.string("x");
        w.out.push(0);
        for _ in 0..10_000 {
            w.out.push(3);
            w.varint(1);
        }
        w.out.push(0);
        w.varint(0);
        let e = decode(&w.out).unwrap_err();
        assert!(e.to_string().contains("nest"), "{e}");
    }
}
