//! The validator: checks every invariant of [`crate::circuit`] and reports all problems at once.
//!
//! Like Cranelift's verifier it collects errors rather than stopping at the
//! first (up to [`MAX_REPORTED_ERRORS`](crate::validate::MAX_REPORTED_ERRORS); the rest are counted), so whoever
//! produced a broken circuit sees every mistake in one run. It never panics
//! and does work bounded by the size of the circuit, even on garbage: runs of
//! wires are range-checked as a whole before they are walked, and group
//! widths are capped by [`MAX_GROUP_WIRES`](crate::validate::MAX_GROUP_WIRES).
//!
//! It deliberately does not check what cannot be wrong in the format: unused
//! wires and gates are allowed (dead code is the compiler's business), and a
//! wire may appear in several output groups.

use std::collections::{HashMap, HashSet};
use std::fmt;

use thiserror::Error;

use crate::circuit::{Circuit, Domain, Visibility};
use crate::gate::Gate;
use crate::value::ValueType;
use crate::wire::{Wire, WireRange};

/// At most this many input wires, and this many output wires, in one circuit
/// (2^26: 8 MiB of bits). Readers check it before allocating, so a few bytes
/// of a corrupted or hostile file cannot make them allocate gigabytes.
pub const MAX_GROUP_WIRES: u64 = 1 << 26;

/// Value types may nest at most this deep (arrays of tuples of …), so that
/// recursive code over types cannot exhaust the stack.
pub const MAX_TYPE_DEPTH: usize = 64;

/// At most this many problems are listed; further ones are only counted.
pub const MAX_REPORTED_ERRORS: usize = 100;

/// Where in a circuit a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Site {
    /// The circuit as a whole (its header fields).
    Circuit,
    /// A party, by index.
    Party(usize),
    /// An input group, by index.
    Input(usize),
    /// An output group, by index.
    Output(usize),
    /// A gate, by index in evaluation order.
    Gate(usize),
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Site::Circuit => write!(f, "circuit"),
            Site::Party(i) => write!(f, "party {i}"),
            Site::Input(i) => write!(f, "input group {i}"),
            Site::Output(i) => write!(f, "output group {i}"),
            Site::Gate(i) => write!(f, "gate {i}"),
        }
    }
}

/// One thing wrong with a circuit.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ValidationError {
    #[error("circuit: ring width {bits} is not in 1..=64")]
    RingBits { bits: u32 },
    #[error("circuit: {count} wires, but wire ids are u32")]
    TooManyWires { count: u64 },
    #[error("{site}: the name `{name}` is already used by {first}")]
    DuplicateName {
        site: Site,
        name: String,
        first: Site,
    },
    #[error("{site}: party {party} does not exist (the circuit has {parties} parties)")]
    PartyOutOfRange {
        site: Site,
        party: u32,
        parties: usize,
    },
    #[error("{site}: party {party} is listed twice as a recipient")]
    DuplicateRecipient { site: Site, party: u32 },
    #[error("{site}: type {ty} is not allowed here: {why}")]
    BadType { site: Site, ty: String, why: String },
    #[error("{site}: `{name}` of type {ty} needs {expected} {domain} wires but lists {found}")]
    GroupWidth {
        site: Site,
        name: String,
        ty: String,
        domain: Domain,
        expected: u64,
        found: u64,
    },
    #[error("{site}: the {what} groups list {found} wires in all, more than the limit of {limit}")]
    TooManyGroupWires {
        site: Site,
        what: &'static str,
        found: u64,
        limit: u64,
    },
    #[error("{site}: w{wire} is out of range (the circuit has {wires} wires)")]
    WireOutOfRange { site: Site, wire: u64, wires: u64 },
    #[error("{site}: {wire} is read before any gate or input writes it")]
    ReadBeforeWrite { site: Site, wire: Wire },
    #[error("{site}: {wire} is written again (first written by {first})")]
    WrittenTwice { site: Site, wire: Wire, first: Site },
    #[error("{wire} is never written")]
    NeverWritten { wire: Wire },
    #[error("{site}: {wire} is a {found} wire where a {expected} wire is needed")]
    DomainMismatch {
        site: Site,
        wire: Wire,
        expected: Domain,
        found: Domain,
    },
    #[error("{site}: {wire} is marked public but depends on the secret {operand}")]
    PublicFromSecret {
        site: Site,
        wire: Wire,
        operand: Wire,
    },
    #[error("{site}: {wire} of a {group} input is marked {found}")]
    InputVisibility {
        site: Site,
        wire: Wire,
        group: Visibility,
        found: Visibility,
    },
    #[error("{site}: the constant {value} does not fit the {ring_bits}-bit ring")]
    ConstantTooWide {
        site: Site,
        value: u64,
        ring_bits: u32,
    },
    #[error("{site}: a conversion over {len} bits; it must be 1..={ring_bits} (the ring width)")]
    ConversionWidth {
        site: Site,
        len: u32,
        ring_bits: u32,
    },
}

/// Everything wrong with a circuit (at least one problem).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationErrors {
    /// The problems, in the order the validator met them.
    pub errors: Vec<ValidationError>,
    /// How many more problems were found but not listed.
    pub omitted: usize,
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.errors.len() + self.omitted;
        write!(
            f,
            "invalid circuit ({total} problem{})",
            if total == 1 { "" } else { "s" }
        )?;
        for e in &self.errors {
            write!(f, "\n  {e}")?;
        }
        if self.omitted > 0 {
            write!(f, "\n  … and {} more", self.omitted)?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// Checks every invariant of `circuit`, returning all problems found.
pub fn validate(circuit: &Circuit) -> Result<(), ValidationErrors> {
    let mut v = Validator {
        c: circuit,
        errors: Vec::new(),
        omitted: 0,
        writer: Vec::new(),
    };
    v.run();
    if v.errors.is_empty() && v.omitted == 0 {
        Ok(())
    } else {
        Err(ValidationErrors {
            errors: v.errors,
            omitted: v.omitted,
        })
    }
}

/// The ring mask for `ring_bits` (all ones for 64 and above).
pub fn ring_mask(ring_bits: u32) -> u64 {
    if ring_bits >= 64 {
        u64::MAX
    } else {
        (1u64 << ring_bits) - 1
    }
}

/// The first problem of a type used with `domain`, if any. Checks nesting
/// depth without recursion first, so the recursive checks after it are safe.
pub(crate) fn type_problem(ty: &ValueType, domain: Domain, ring_bits: u32) -> Option<String> {
    let mut stack = vec![(ty, 1usize)];
    while let Some((t, depth)) = stack.pop() {
        if depth > MAX_TYPE_DEPTH {
            return Some(format!("types may nest at most {MAX_TYPE_DEPTH} deep"));
        }
        match t {
            ValueType::Bool | ValueType::Int { .. } => {}
            ValueType::Array { elem, .. } => stack.push((elem, depth + 1)),
            ValueType::Tuple(items) => stack.extend(items.iter().map(|t| (t, depth + 1))),
            ValueType::Struct { fields, .. } => {
                stack.extend(fields.iter().map(|(_, t)| (t, depth + 1)))
            }
        }
    }
    shallow_type_problem(ty, domain, ring_bits)
}

fn shallow_type_problem(ty: &ValueType, domain: Domain, ring_bits: u32) -> Option<String> {
    match ty {
        ValueType::Bool => None,
        ValueType::Int { bits: 0, .. } => Some("an integer needs at least one bit".into()),
        ValueType::Int { bits, .. } if domain == Domain::Arith && *bits > ring_bits => Some(
            format!("a {bits}-bit integer does not fit the {ring_bits}-bit ring"),
        ),
        ValueType::Int { .. } => None,
        ValueType::Array { elem, len } => {
            if *len > 0 && elem.bit_width() == 0 {
                Some("array elements must occupy at least one wire".into())
            } else {
                shallow_type_problem(elem, domain, ring_bits)
            }
        }
        ValueType::Tuple(items) => items
            .iter()
            .find_map(|t| shallow_type_problem(t, domain, ring_bits)),
        ValueType::Struct { fields, .. } => fields
            .iter()
            .find_map(|(_, t)| shallow_type_problem(t, domain, ring_bits)),
    }
}

struct Validator<'c> {
    c: &'c Circuit,
    errors: Vec<ValidationError>,
    omitted: usize,
    /// Per wire: 0 = not yet written, 1 + i = input group i,
    /// 1 + inputs + g = gate g (saturating; only used for messages).
    writer: Vec<u32>,
}

impl Validator<'_> {
    fn push(&mut self, e: ValidationError) {
        if self.errors.len() < MAX_REPORTED_ERRORS {
            self.errors.push(e);
        } else {
            self.omitted += 1;
        }
    }

    fn writer_code(&self, site: Site) -> u32 {
        let code = match site {
            Site::Input(i) => 1 + i as u64,
            Site::Gate(g) => 1 + self.c.inputs.len() as u64 + g as u64,
            _ => 1,
        };
        u32::try_from(code).unwrap_or(u32::MAX)
    }

    fn writer_site(&self, code: u32) -> Site {
        let i = (code as usize).saturating_sub(1);
        if i < self.c.inputs.len() {
            Site::Input(i)
        } else {
            Site::Gate(i - self.c.inputs.len())
        }
    }

    /// Whether the whole range lies inside the wire table; reports the first wire outside.
    fn range_ok(&mut self, site: Site, run: WireRange) -> bool {
        let n = self.c.wires.len() as u64;
        if run.end() > n {
            let wire = u64::from(run.start.0).max(n);
            self.push(ValidationError::WireOutOfRange {
                site,
                wire,
                wires: n,
            });
            false
        } else {
            true
        }
    }

    fn check_read(&mut self, site: Site, w: Wire, domain: Option<Domain>) -> Option<Visibility> {
        let Some(info) = self.c.wires.get(w.index()).copied() else {
            self.push(ValidationError::WireOutOfRange {
                site,
                wire: u64::from(w.0),
                wires: self.c.wires.len() as u64,
            });
            return None;
        };
        if self.writer.get(w.index()).copied().unwrap_or(0) == 0 {
            self.push(ValidationError::ReadBeforeWrite { site, wire: w });
        }
        if let Some(expected) = domain {
            if info.domain != expected {
                self.push(ValidationError::DomainMismatch {
                    site,
                    wire: w,
                    expected,
                    found: info.domain,
                });
            }
        }
        Some(info.visibility)
    }

    /// Marks `w` written by `site`; returns its visibility if it is in range.
    fn check_write(&mut self, site: Site, w: Wire, domain: Domain) -> Option<Visibility> {
        let Some(info) = self.c.wires.get(w.index()).copied() else {
            self.push(ValidationError::WireOutOfRange {
                site,
                wire: u64::from(w.0),
                wires: self.c.wires.len() as u64,
            });
            return None;
        };
        let code = self.writer_code(site);
        match self.writer.get(w.index()).copied() {
            Some(0) => {
                if let Some(slot) = self.writer.get_mut(w.index()) {
                    *slot = code;
                }
            }
            Some(prev) => {
                let first = self.writer_site(prev);
                self.push(ValidationError::WrittenTwice {
                    site,
                    wire: w,
                    first,
                });
            }
            None => {}
        }
        if info.domain != domain {
            self.push(ValidationError::DomainMismatch {
                site,
                wire: w,
                expected: domain,
                found: info.domain,
            });
        }
        Some(info.visibility)
    }

    fn check_type(&mut self, site: Site, ty: &ValueType, domain: Domain) -> bool {
        match type_problem(ty, domain, self.c.ring_bits) {
            Some(why) => {
                self.push(ValidationError::BadType {
                    site,
                    ty: ty.to_string(),
                    why,
                });
                false
            }
            None => true,
        }
    }

    fn run(&mut self) {
        let c = self.c;
        if !(1..=64).contains(&c.ring_bits) {
            self.push(ValidationError::RingBits { bits: c.ring_bits });
        }
        let n = c.wires.len();
        if n as u64 > u64::from(u32::MAX) {
            self.push(ValidationError::TooManyWires { count: n as u64 });
            return;
        }
        self.writer = vec![0; n];

        let mut party_names: HashMap<&str, usize> = HashMap::new();
        for (i, p) in c.parties.iter().enumerate() {
            if let Some(&first) = party_names.get(p.as_str()) {
                self.push(ValidationError::DuplicateName {
                    site: Site::Party(i),
                    name: p.clone(),
                    first: Site::Party(first),
                });
            } else {
                party_names.insert(p, i);
            }
        }

        self.check_inputs();
        self.check_gates();
        self.check_outputs();

        for (i, &code) in self.writer.iter().enumerate() {
            if code == 0 {
                if self.errors.len() < MAX_REPORTED_ERRORS {
                    self.errors.push(ValidationError::NeverWritten {
                        wire: Wire(i as u32),
                    });
                } else {
                    self.omitted += 1;
                }
            }
        }
    }

    fn check_party(&mut self, site: Site, party: u32) {
        if party as usize >= self.c.parties.len() {
            self.push(ValidationError::PartyOutOfRange {
                site,
                party,
                parties: self.c.parties.len(),
            });
        }
    }

    /// Checks that a group's wires match its type, and adds them to the
    /// running `total`; `false` once the total passes the limit (stop there).
    fn check_group_width(
        &mut self,
        site: Site,
        name: &str,
        ty: &ValueType,
        domain: Domain,
        found: u64,
        total: &mut u64,
    ) -> bool {
        let what = if matches!(site, Site::Input(_)) {
            "input"
        } else {
            "output"
        };
        if self.check_type(site, ty, domain) {
            let expected = domain.width_of(ty);
            if expected != found {
                self.push(ValidationError::GroupWidth {
                    site,
                    name: name.to_string(),
                    ty: ty.to_string(),
                    domain,
                    expected,
                    found,
                });
            }
        }
        *total = total.saturating_add(found);
        if *total > MAX_GROUP_WIRES {
            self.push(ValidationError::TooManyGroupWires {
                site,
                what,
                found: *total,
                limit: MAX_GROUP_WIRES,
            });
            return false;
        }
        true
    }

    fn check_inputs(&mut self) {
        let c = self.c;
        let mut names: HashMap<(u32, &str), usize> = HashMap::new();
        let mut total = 0u64;
        for (i, g) in c.inputs.iter().enumerate() {
            let site = Site::Input(i);
            self.check_party(site, g.party);
            if let Some(&first) = names.get(&(g.party, g.name.as_str())) {
                self.push(ValidationError::DuplicateName {
                    site,
                    name: g.name.clone(),
                    first: Site::Input(first),
                });
            } else {
                names.insert((g.party, &g.name), i);
            }
            if !self.check_group_width(site, &g.name, &g.ty, g.domain, g.wires.len(), &mut total) {
                return;
            }
            let vis = if g.public {
                Visibility::Public
            } else {
                Visibility::Secret
            };
            for &run in g.wires.runs() {
                if !self.range_ok(site, run) {
                    continue;
                }
                for w in run.iter() {
                    if let Some(found) = self.check_write(site, w, g.domain) {
                        if found != vis {
                            self.push(ValidationError::InputVisibility {
                                site,
                                wire: w,
                                group: vis,
                                found,
                            });
                        }
                    }
                }
            }
        }
    }

    fn check_gates(&mut self) {
        let c = self.c;
        let mask = ring_mask(c.ring_bits);
        for (gi, gate) in c.gates.iter().enumerate() {
            let site = Site::Gate(gi);
            let kind = gate.kind();
            match *gate {
                Gate::AddConst { c: value, .. }
                | Gate::MulConst { c: value, .. }
                | Gate::ArithConst { c: value, .. }
                    if value & !mask != 0 =>
                {
                    self.push(ValidationError::ConstantTooWide {
                        site,
                        value,
                        ring_bits: c.ring_bits,
                    });
                }
                Gate::BitsToArith { bits: run, .. } | Gate::ArithToBits { outs: run, .. } => {
                    if run.len == 0 || run.len > c.ring_bits {
                        self.push(ValidationError::ConversionWidth {
                            site,
                            len: run.len,
                            ring_bits: c.ring_bits,
                        });
                        // A wrong width may be huge: do not walk its wires.
                        continue;
                    }
                    if !self.range_ok(site, run) {
                        continue;
                    }
                }
                _ => {}
            }
            let mut secret_operand = None;
            for w in gate.inputs() {
                if let Some(Visibility::Secret) = self.check_read(site, w, kind.input_domain()) {
                    secret_operand.get_or_insert(w);
                }
            }
            for w in gate.outputs() {
                if let Some(Visibility::Public) = self.check_write(site, w, kind.output_domain()) {
                    if let Some(operand) = secret_operand {
                        self.push(ValidationError::PublicFromSecret {
                            site,
                            wire: w,
                            operand,
                        });
                    }
                }
            }
        }
    }

    fn check_outputs(&mut self) {
        let c = self.c;
        let mut names: HashMap<&str, usize> = HashMap::new();
        let mut total = 0u64;
        for (i, g) in c.outputs.iter().enumerate() {
            let site = Site::Output(i);
            let mut seen = HashSet::new();
            for &p in &g.recipients {
                self.check_party(site, p);
                if !seen.insert(p) {
                    self.push(ValidationError::DuplicateRecipient { site, party: p });
                }
            }
            if let Some(&first) = names.get(g.name.as_str()) {
                self.push(ValidationError::DuplicateName {
                    site,
                    name: g.name.clone(),
                    first: Site::Output(first),
                });
            } else {
                names.insert(&g.name, i);
            }
            if !self.check_group_width(site, &g.name, &g.ty, g.domain, g.wires.len(), &mut total) {
                return;
            }
            for &run in g.wires.runs() {
                if !self.range_ok(site, run) {
                    continue;
                }
                for w in run.iter() {
                    self.check_read(site, w, Some(g.domain));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::circuit::{InputGroup, OutputGroup, WireInfo};
    use crate::wire::WireList;

    fn u(bits: u32) -> ValueType {
        ValueType::Int {
            signed: false,
            bits,
        }
    }

    /// Two 2-bit inputs, their AND and XOR; valid.
    fn base() -> Circuit {
        Circuit {
            parties: vec!["a".into(), "b".into()],
            ring_bits: 8,
            wires: vec![WireInfo::SECRET_BOOL; 6],
            gates: vec![
                Gate::And {
                    a: Wire(0),
                    b: Wire(2),
                    out: Wire(4),
                },
                Gate::Xor {
                    a: Wire(1),
                    b: Wire(3),
                    out: Wire(5),
                },
            ],
            inputs: vec![
                InputGroup {
                    party: 0,
                    name: "x".into(),
                    ty: u(2),
                    public: false,
                    domain: Domain::Bool,
                    wires: WireRange::new(Wire(0), 2).into(),
                },
                InputGroup {
                    party: 1,
                    name: "y".into(),
                    ty: u(2),
                    public: false,
                    domain: Domain::Bool,
                    wires: WireRange::new(Wire(2), 2).into(),
                },
            ],
            outputs: vec![OutputGroup {
                name: "z".into(),
                recipients: vec![0, 1],
                ty: u(2),
                domain: Domain::Bool,
                wires: WireRange::new(Wire(4), 2).into(),
            }],
        }
    }

    fn errors(c: &Circuit) -> Vec<ValidationError> {
        validate(c).err().map(|e| e.errors).unwrap_or_default()
    }

    fn has(c: &Circuit, pred: impl Fn(&ValidationError) -> bool) {
        let errs = errors(c);
        assert!(errs.iter().any(pred), "unexpected errors: {errs:#?}");
    }

    #[test]
    fn the_base_circuit_is_valid() {
        assert_eq!(errors(&base()), vec![]);
    }

    #[test]
    fn wire_out_of_range() {
        let mut c = base();
        c.gates[0] = Gate::And {
            a: Wire(0),
            b: Wire(99),
            out: Wire(4),
        };
        has(&c, |e| {
            matches!(
                e,
                ValidationError::WireOutOfRange {
                    site: Site::Gate(0),
                    wire: 99,
                    ..
                }
            )
        });
        let mut c = base();
        c.outputs[0].wires = WireRange::new(Wire(5), 3).into();
        has(&c, |e| {
            matches!(
                e,
                ValidationError::WireOutOfRange {
                    site: Site::Output(0),
                    ..
                }
            )
        });
    }

    #[test]
    fn read_before_write_and_written_twice() {
        let mut c = base();
        c.gates.swap(0, 1);
        c.gates[0] = Gate::Xor {
            a: Wire(4),
            b: Wire(3),
            out: Wire(5),
        };
        has(&c, |e| {
            matches!(e, ValidationError::ReadBeforeWrite { wire: Wire(4), .. })
        });
        let mut c = base();
        c.gates[1] = Gate::Xor {
            a: Wire(1),
            b: Wire(3),
            out: Wire(2),
        };
        has(&c, |e| {
            matches!(
                e,
                ValidationError::WrittenTwice {
                    wire: Wire(2),
                    first: Site::Input(1),
                    ..
                }
            )
        });
        has(&c, |e| {
            matches!(e, ValidationError::NeverWritten { wire: Wire(5) })
        });
    }

    #[test]
    fn domain_mismatch() {
        let mut c = base();
        c.wires.push(WireInfo::SECRET_BOOL);
        c.gates.push(Gate::Add {
            a: Wire(4),
            b: Wire(5),
            out: Wire(6),
        });
        has(&c, |e| {
            matches!(
                e,
                ValidationError::DomainMismatch {
                    expected: Domain::Arith,
                    found: Domain::Bool,
                    ..
                }
            )
        });
    }

    #[test]
    fn group_widths_types_and_parties() {
        let mut c = base();
        c.inputs[0].ty = u(3);
        has(&c, |e| {
            matches!(
                e,
                ValidationError::GroupWidth {
                    expected: 3,
                    found: 2,
                    ..
                }
            )
        });
        let mut c = base();
        c.inputs[1].party = 7;
        has(&c, |e| {
            matches!(e, ValidationError::PartyOutOfRange { party: 7, .. })
        });
        let mut c = base();
        c.outputs[0].recipients = vec![0, 2];
        has(&c, |e| {
            matches!(e, ValidationError::PartyOutOfRange { party: 2, .. })
        });
        let mut c = base();
        c.outputs[0].recipients = vec![1, 1];
        has(&c, |e| {
            matches!(e, ValidationError::DuplicateRecipient { party: 1, .. })
        });
        let mut c = base();
        c.outputs[0].ty = u(0);
        c.outputs[0].wires = WireList::new();
        has(&c, |e| matches!(e, ValidationError::BadType { .. }));
        let mut c = base();
        c.inputs[0].ty = ValueType::Array {
            elem: Box::new(ValueType::Tuple(vec![])),
            len: u64::MAX,
        };
        has(&c, |e| matches!(e, ValidationError::BadType { .. }));
        let mut c = base();
        let mut deep = ValueType::Bool;
        for _ in 0..100 {
            deep = ValueType::Tuple(vec![deep]);
        }
        c.outputs[0].ty = deep;
        has(&c, |e| matches!(e, ValidationError::BadType { .. }));
        let mut c = base();
        c.parties[1] = "a".into();
        c.inputs[1].name = "x".into();
        c.inputs[1].party = 0;
        has(&c, |e| {
            matches!(
                e,
                ValidationError::DuplicateName {
                    site: Site::Party(1),
                    ..
                }
            )
        });
        has(&c, |e| {
            matches!(
                e,
                ValidationError::DuplicateName {
                    site: Site::Input(1),
                    ..
                }
            )
        });
    }

    #[test]
    fn visibility_rules() {
        let mut c = base();
        c.wires[4].visibility = Visibility::Public;
        has(&c, |e| {
            matches!(e, ValidationError::PublicFromSecret { wire: Wire(4), .. })
        });
        let mut c = base();
        c.wires[0].visibility = Visibility::Public;
        has(&c, |e| {
            matches!(e, ValidationError::InputVisibility { wire: Wire(0), .. })
        });
    }

    #[test]
    fn arithmetic_rules() {
        let mut c = base();
        c.ring_bits = 0;
        has(&c, |e| matches!(e, ValidationError::RingBits { bits: 0 }));
        let mut c = base();
        c.wires
            .push(WireInfo::new(Domain::Arith, Visibility::Secret));
        c.wires.push(WireInfo::SECRET_BOOL);
        c.gates.push(Gate::BitsToArith {
            bits: WireRange::new(Wire(0), 9),
            out: Wire(6),
        });
        c.gates.push(Gate::ArithToBits {
            input: Wire(6),
            outs: WireRange::new(Wire(7), 1),
        });
        c.gates.push(Gate::ArithConst {
            c: 256,
            out: Wire(8),
        });
        c.wires
            .push(WireInfo::new(Domain::Arith, Visibility::Secret));
        has(&c, |e| {
            matches!(e, ValidationError::ConversionWidth { len: 9, .. })
        });
        has(&c, |e| {
            matches!(e, ValidationError::ConstantTooWide { value: 256, .. })
        });
        let mut c = base();
        c.inputs[0].domain = Domain::Arith;
        c.inputs[0].ty = u(16);
        has(&c, |e| matches!(e, ValidationError::BadType { .. }));
    }

    #[test]
    fn errors_are_capped_and_counted() {
        let mut c = base();
        c.wires = vec![WireInfo::SECRET_BOOL; 1000];
        let e = validate(&c).unwrap_err();
        assert_eq!(e.errors.len(), MAX_REPORTED_ERRORS);
        assert_eq!(e.errors.len() + e.omitted, 994);
        assert!(e.to_string().contains("994 problems"));
    }
}
