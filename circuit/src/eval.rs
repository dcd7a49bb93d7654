//! The plaintext evaluator: the reference (`clear` backend) every protocol is tested against.
//!
//! Every wire holds one `u64` word in a table indexed by wire id: a bit (0 or
//! 1) on Boolean wires, a ring element reduced mod 2^k on arithmetic wires.
//! Gates run in order in one pass with no allocation; the table is reused by
//! later runs of the same [`Evaluator`].
//!
//! Values cross the boundary as follows. A Boolean group's wires carry
//! [`Value::to_bits`] of the value. An arithmetic group's wires carry one
//! scalar each, in the same order: an integer of `w ≤ k` bits becomes its
//! two's-complement residue mod 2^k (sign-extended when signed), a bool 0 or
//! 1; reading back takes the low `w` bits (the low bit for a bool).

use thiserror::Error;

use crate::circuit::{Circuit, Domain, InputGroup, OutputGroup, ValidCircuit};
use crate::gate::Gate;
use crate::validate::ring_mask;
use crate::value::{IntValue, Value, ValueType};
use crate::wire::Wire;

/// Why a circuit could not be evaluated on the given inputs.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EvalError {
    #[error("expected {expected} input values (one per input group), got {found}")]
    InputCount { expected: usize, found: usize },
    #[error("input `{group}` has type {expected}, but the value given is {found}")]
    InputType {
        group: String,
        expected: String,
        found: String,
    },
    #[error("input `{group}` has {expected} wires, but {found} were given")]
    InputWidth {
        group: String,
        expected: u64,
        found: u64,
    },
    #[error("input `{group}`, wire {index}: {word} is not a {domain} wire value")]
    InputWord {
        group: String,
        index: u64,
        word: u64,
        domain: Domain,
    },
    #[error("output `{group}`: {why}")]
    Output { group: String, why: String },
}

/// A reusable plaintext evaluator for one circuit.
pub struct Evaluator<'c> {
    circuit: &'c Circuit,
    values: Vec<u64>,
    mask: u64,
}

impl std::fmt::Debug for Evaluator<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Evaluator")
            .field("wires", &self.values.len())
            .field("gates", &self.circuit.gates.len())
            .finish()
    }
}

impl<'c> Evaluator<'c> {
    /// An evaluator with a zeroed wire table for `circuit`.
    pub fn new(circuit: &'c ValidCircuit) -> Self {
        let circuit = circuit.circuit();
        Evaluator {
            circuit,
            values: vec![0; circuit.wires.len()],
            mask: ring_mask(circuit.ring_bits),
        }
    }

    /// Evaluates on one typed value per input group (in group order) and
    /// returns one typed value per output group.
    pub fn run(&mut self, inputs: &[Value]) -> Result<Vec<Value>, EvalError> {
        let c = self.circuit;
        if inputs.len() != c.inputs.len() {
            return Err(EvalError::InputCount {
                expected: c.inputs.len(),
                found: inputs.len(),
            });
        }
        for (g, v) in c.inputs.iter().zip(inputs) {
            let words = input_words(g, v, c.ring_bits)?;
            self.set_group(g, &words)?;
        }
        self.run_gates();
        c.outputs
            .iter()
            .map(|g| {
                let words: Vec<u64> = g.wires.iter().map(|w| self.value(w)).collect();
                output_value(g, &words)
            })
            .collect()
    }

    /// Evaluates on raw wire words, one slice per input group with one word
    /// per wire (0/1 for Boolean wires, a ring element for arithmetic ones),
    /// and returns the output groups' words the same way.
    pub fn run_words<S: AsRef<[u64]>>(&mut self, inputs: &[S]) -> Result<Vec<Vec<u64>>, EvalError> {
        let c = self.circuit;
        if inputs.len() != c.inputs.len() {
            return Err(EvalError::InputCount {
                expected: c.inputs.len(),
                found: inputs.len(),
            });
        }
        for (g, words) in c.inputs.iter().zip(inputs) {
            self.set_group(g, words.as_ref())?;
        }
        self.run_gates();
        Ok(c.outputs
            .iter()
            .map(|g| g.wires.iter().map(|w| self.value(w)).collect())
            .collect())
    }

    /// The value of `wire` after the last run (0 before any run; `None` out of range).
    pub fn wire(&self, wire: Wire) -> Option<u64> {
        self.values.get(wire.index()).copied()
    }

    fn value(&self, w: Wire) -> u64 {
        self.values.get(w.index()).copied().unwrap_or(0)
    }

    fn set_group(&mut self, g: &InputGroup, words: &[u64]) -> Result<(), EvalError> {
        let expected = g.wires.len();
        if words.len() as u64 != expected {
            return Err(EvalError::InputWidth {
                group: g.name.clone(),
                expected,
                found: words.len() as u64,
            });
        }
        let limit = match g.domain {
            Domain::Bool => 1,
            Domain::Arith => self.mask,
        };
        for (index, (w, &word)) in g.wires.iter().zip(words).enumerate() {
            if word > limit {
                return Err(EvalError::InputWord {
                    group: g.name.clone(),
                    index: index as u64,
                    word,
                    domain: g.domain,
                });
            }
            if let Some(slot) = self.values.get_mut(w.index()) {
                *slot = word;
            }
        }
        Ok(())
    }

    /// The hot loop: one pass over the gates, no allocation. Validity
    /// guarantees every index is in range and every operand already set.
    fn run_gates(&mut self) {
        let v = &mut self.values;
        let mask = self.mask;
        for gate in &self.circuit.gates {
            match *gate {
                Gate::Xor { a, b, out } => v[out.index()] = v[a.index()] ^ v[b.index()],
                Gate::And { a, b, out } => v[out.index()] = v[a.index()] & v[b.index()],
                Gate::Not { a, out } => v[out.index()] = v[a.index()] ^ 1,
                Gate::Const { value, out } => v[out.index()] = u64::from(value),
                Gate::Copy { a, out } => v[out.index()] = v[a.index()],
                Gate::Add { a, b, out } => {
                    v[out.index()] = v[a.index()].wrapping_add(v[b.index()]) & mask
                }
                Gate::Sub { a, b, out } => {
                    v[out.index()] = v[a.index()].wrapping_sub(v[b.index()]) & mask
                }
                Gate::Mul { a, b, out } => {
                    v[out.index()] = v[a.index()].wrapping_mul(v[b.index()]) & mask
                }
                Gate::AddConst { a, c, out } => {
                    v[out.index()] = v[a.index()].wrapping_add(c) & mask
                }
                Gate::MulConst { a, c, out } => {
                    v[out.index()] = v[a.index()].wrapping_mul(c) & mask
                }
                Gate::ArithConst { c, out } => v[out.index()] = c & mask,
                Gate::BitsToArith { bits, out } => {
                    let mut acc = 0u64;
                    for (i, w) in bits.iter().enumerate() {
                        acc |= (v[w.index()] & 1) << (i & 63);
                    }
                    v[out.index()] = acc & mask;
                }
                Gate::ArithToBits { input, outs } => {
                    let x = v[input.index()];
                    for (i, w) in outs.iter().enumerate() {
                        v[w.index()] = (x >> (i & 63)) & 1;
                    }
                }
            }
        }
    }
}

/// Evaluates `circuit` once on typed inputs (see [`Evaluator::run`]).
pub fn evaluate(circuit: &ValidCircuit, inputs: &[Value]) -> Result<Vec<Value>, EvalError> {
    Evaluator::new(circuit).run(inputs)
}

/// Evaluates a circuit whose groups are Boolean on raw bits in wire order,
/// one vector per input group, returning one vector per output group.
/// Arithmetic groups take and give ring elements' low bits only; use
/// [`Evaluator::run_words`] for them.
pub fn evaluate_bits(
    circuit: &ValidCircuit,
    inputs: &[Vec<bool>],
) -> Result<Vec<Vec<bool>>, EvalError> {
    let words: Vec<Vec<u64>> = inputs
        .iter()
        .map(|bits| bits.iter().map(|&b| u64::from(b)).collect())
        .collect();
    let out = Evaluator::new(circuit).run_words(&words)?;
    Ok(out
        .into_iter()
        .map(|ws| ws.into_iter().map(|w| w & 1 == 1).collect())
        .collect())
}

/// The wire words of `value` for input group `g` (one word per wire: a bit on
/// Boolean wires, a ring element mod 2^`ring_bits` on arithmetic ones); every
/// backend turns typed inputs into wire values this way.
pub fn input_words(g: &InputGroup, value: &Value, ring_bits: u32) -> Result<Vec<u64>, EvalError> {
    if !value.has_type(&g.ty) {
        return Err(EvalError::InputType {
            group: g.name.clone(),
            expected: g.ty.to_string(),
            found: value.to_string(),
        });
    }
    let mut words = Vec::new();
    match g.domain {
        Domain::Bool => words.extend(value.to_bits().into_iter().map(u64::from)),
        Domain::Arith => push_scalars(value, ring_mask(ring_bits), &mut words),
    }
    Ok(words)
}

/// The typed value of output group `g` from its wire words (the inverse of
/// [`input_words`]); backends decode what they reveal this way.
pub fn output_value(g: &OutputGroup, words: &[u64]) -> Result<Value, EvalError> {
    match g.domain {
        Domain::Bool => {
            let bits: Vec<bool> = words.iter().map(|&w| w & 1 == 1).collect();
            Value::from_bits(&g.ty, &bits).map_err(|e| EvalError::Output {
                group: g.name.clone(),
                why: e.to_string(),
            })
        }
        Domain::Arith => {
            let mut pos = 0;
            scalars_to_value(&g.ty, words, &mut pos).ok_or_else(|| EvalError::Output {
                group: g.name.clone(),
                why: "fewer wires than the type needs".into(),
            })
        }
    }
}

/// Appends one ring word per scalar of `v`, in [`Value::to_bits`] order.
fn push_scalars(v: &Value, mask: u64, out: &mut Vec<u64>) {
    match v {
        Value::Bool(b) => out.push(u64::from(*b)),
        Value::Int(i) => out.push(int_to_ring(i) & mask),
        Value::Array(items) | Value::Tuple(items) => {
            items.iter().for_each(|x| push_scalars(x, mask, out))
        }
        Value::Struct(_, fields) => fields.iter().for_each(|(_, x)| push_scalars(x, mask, out)),
    }
}

/// The residue of an integer of at most 64 bits, sign-extended to 64 bits when signed.
fn int_to_ring(i: &IntValue) -> u64 {
    let raw = i.raw_u128() as u64;
    let bits = i.bits();
    if i.signed() && bits < 64 && i.bit(bits - 1) {
        raw | (!0u64 << bits)
    } else {
        raw
    }
}

/// Rebuilds a value of type `ty` from ring words, one per scalar.
fn scalars_to_value(ty: &ValueType, words: &[u64], pos: &mut usize) -> Option<Value> {
    Some(match ty {
        ValueType::Bool => {
            let w = *words.get(*pos)?;
            *pos += 1;
            Value::Bool(w & 1 == 1)
        }
        ValueType::Int { signed, bits } => {
            let w = *words.get(*pos)?;
            *pos += 1;
            Value::Int(IntValue::from_u128_wrapping(*signed, *bits, u128::from(w)))
        }
        ValueType::Array { elem, len } => {
            let mut items = Vec::new();
            for _ in 0..*len {
                items.push(scalars_to_value(elem, words, pos)?);
            }
            Value::Array(items)
        }
        ValueType::Tuple(types) => Value::Tuple(
            types
                .iter()
                .map(|t| scalars_to_value(t, words, pos))
                .collect::<Option<_>>()?,
        ),
        ValueType::Struct { name, fields } => Value::Struct(
            name.clone(),
            fields
                .iter()
                .map(|(n, t)| Some((n.clone(), scalars_to_value(t, words, pos)?)))
                .collect::<Option<_>>()?,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builder::CircuitBuilder;

    fn int(signed: bool, bits: u32) -> ValueType {
        ValueType::Int { signed, bits }
    }

    #[test]
    fn boolean_full_adder() {
        let mut b = CircuitBuilder::new(64);
        let p = b.party("p");
        let x = b.input(p, "x", ValueType::Bool, false, Domain::Bool);
        let y = b.input(p, "y", ValueType::Bool, false, Domain::Bool);
        let cin = b.input(p, "c", ValueType::Bool, false, Domain::Bool);
        let (x, y, cin) = (x.start, y.start, cin.start);
        let t = b.xor(x, y);
        let sum = b.xor(t, cin);
        let g = b.and(x, y);
        let pr = b.and(t, cin);
        let carry = b.xor(g, pr);
        b.output("sum", vec![p], ValueType::Bool, Domain::Bool, [sum]);
        b.output("carry", vec![p], ValueType::Bool, Domain::Bool, [carry]);
        let c = b.finish().unwrap();
        for n in 0..8u8 {
            let bits: Vec<bool> = (0..3).map(|i| n >> i & 1 == 1).collect();
            let inputs: Vec<Vec<bool>> = bits.iter().map(|&b| vec![b]).collect();
            let out = evaluate_bits(&c, &inputs).unwrap();
            let total = bits.iter().filter(|&&b| b).count();
            assert_eq!(out, vec![vec![total % 2 == 1], vec![total >= 2]]);
        }
    }

    #[test]
    fn arithmetic_and_conversions() {
        let mut b = CircuitBuilder::new(16);
        let p = b.party("p");
        let q = b.party("q");
        let x = b.input(p, "x", int(true, 8), false, Domain::Arith).start;
        let y = b.input(q, "y", int(false, 16), false, Domain::Arith).start;
        let s = b.add(x, y);
        let d = b.sub(x, y);
        let m = b.mul(x, y);
        let m3 = b.mul_const(m, 3);
        let a7 = b.add_const(m3, 7);
        let bits = b.arith_to_bits(d, 16);
        let back = b.bits_to_arith(&bits.iter().collect::<Vec<_>>());
        let k = b.arith_const(0xffff);
        let k2 = b.add(k, back);
        b.output("s", vec![p, q], int(false, 16), Domain::Arith, [s]);
        b.output("m", vec![p], int(true, 16), Domain::Arith, [a7]);
        b.output("bits", vec![q], int(false, 16), Domain::Bool, bits.iter());
        b.output("k2", vec![q], int(false, 16), Domain::Arith, [k2]);
        let c = b.finish().unwrap();
        let xv = Value::int(true, 8, (-3i128) as u128);
        let yv = Value::int(false, 16, 1000);
        let out = evaluate(&c, &[xv, yv]).unwrap();
        assert_eq!(out[0].to_string(), "997");
        assert_eq!(out[1].to_string(), (-3 * 1000 * 3 + 7).to_string());
        let diff = (-3i64 - 1000) as u64 & 0xffff;
        assert_eq!(out[2].to_string(), diff.to_string());
        assert_eq!(out[3].to_string(), ((diff + 0xffff) & 0xffff).to_string());
    }

    #[test]
    fn inputs_are_checked() {
        let mut b = CircuitBuilder::new(8);
        let p = b.party("p");
        let x = b.input(p, "x", int(false, 4), false, Domain::Arith).start;
        b.output("x", vec![p], int(false, 4), Domain::Arith, [x]);
        let c = b.finish().unwrap();
        assert!(matches!(
            evaluate(&c, &[]),
            Err(EvalError::InputCount { .. })
        ));
        assert!(matches!(
            evaluate(&c, &[Value::int(true, 4, 1)]),
            Err(EvalError::InputType { .. })
        ));
        let mut e = Evaluator::new(&c);
        assert!(matches!(
            e.run_words(&[vec![256u64]]),
            Err(EvalError::InputWord { .. })
        ));
        assert!(matches!(
            e.run_words(&[vec![1u64, 2]]),
            Err(EvalError::InputWidth { .. })
        ));
        assert_eq!(e.run_words(&[vec![0x1fu64]]).unwrap(), vec![vec![0x1f]]);
        assert_eq!(
            e.run(&[Value::int(false, 4, 9)]).unwrap(),
            vec![Value::int(false, 4, 9)]
        );
    }
}
