//! Circuit statistics: what a circuit costs to run, as `veil stats` prints it.
//!
//! Definitions (stable: tests and `veil stats --json` rely on them):
//! - `and`, `xor`, `not`: Boolean gates of each kind. `gates`: every gate,
//!   including copies, constants and arithmetic gates.
//! - arithmetic circuits only: `add` counts the linear gates that every
//!   protocol evaluates locally (add, sub, add-constant, multiply-by-constant
//!   and ring constants); `mul` the secret × secret multiplications that need
//!   interaction; `conversions` the bits-to-ring and ring-to-bits gates.
//! - `and_depth`: the longest chain of AND and MUL gates from an input to an
//!   output (the multiplicative depth, which sets the round count of
//!   secret-sharing protocols). Other gates, conversions included, add 0.
//!   Chains that reach no output do not count, as in the published figures
//!   for the Bristol circuits (`udivide64.txt` has a dead chain one AND
//!   deeper than its outputs); removing dead gates is the compiler's job.
//! - `wires`: the size of the wire table.
//! - `peak_live_wires`: the most wires that must be held at once when the
//!   gates run in order. Input wires are defined before the first gate, a
//!   gate's outputs when it runs; a wire stays live up to the last gate that
//!   reads it (or only at its definition if nothing reads it), and output
//!   wires stay live to the end. A gate's operands and results count as live
//!   together at that gate.
//! - `inputs`, `outputs`: per party (by name, in party order), the bits of
//!   the values the party provides and the bits of the values it receives,
//!   measured as the values' types' bit widths in both domains (an `u32` in
//!   an arithmetic group counts 32, not one ring element).

use std::fmt;

use crate::circuit::{Domain, ValidCircuit};
use crate::gate::Gate;

/// Counts and measures of one circuit (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stats {
    /// AND gates.
    pub and: u64,
    /// XOR gates.
    pub xor: u64,
    /// NOT gates.
    pub not: u64,
    /// All gates.
    pub gates: u64,
    /// Multiplicative depth: AND and MUL gates on the longest path to an output.
    pub and_depth: u64,
    /// Wires in the wire table.
    pub wires: u64,
    /// Most wires live at once when evaluating in order.
    pub peak_live_wires: u64,
    /// Per party, in party order: (name, bits provided).
    pub inputs: Vec<(String, u64)>,
    /// Per party, in party order: (name, bits received).
    pub outputs: Vec<(String, u64)>,
    /// Arithmetic counts, present when the circuit has an arithmetic wire or gate.
    pub arith: Option<ArithStats>,
}

/// Gate counts of the arithmetic part of a circuit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ArithStats {
    /// Linear gates (add, sub, add/multiply by a constant, ring constants).
    pub add: u64,
    /// Secret × secret multiplications.
    pub mul: u64,
    /// Bits-to-ring and ring-to-bits conversions.
    pub conversions: u64,
}

impl Stats {
    /// Computes the statistics of `circuit` in two passes over the gates.
    pub fn of(circuit: &ValidCircuit) -> Stats {
        let c = circuit.circuit();
        let n = c.wires.len();
        let mut s = Stats {
            gates: c.gates.len() as u64,
            wires: n as u64,
            ..Stats::default()
        };
        let mut arith = ArithStats::default();
        let mut depth = vec![0u32; n];
        // Positions: 0 = before the first gate (inputs), i + 1 = gate i,
        // end = gates + 1 (outputs stay live to the end).
        let end = c.gates.len() + 1;
        let mut def = vec![0usize; n];
        let mut last = vec![0usize; n];
        for (i, gate) in c.gates.iter().enumerate() {
            let pos = i + 1;
            match gate {
                Gate::And { .. } => s.and += 1,
                Gate::Xor { .. } => s.xor += 1,
                Gate::Not { .. } => s.not += 1,
                Gate::Mul { .. } => arith.mul += 1,
                Gate::Add { .. }
                | Gate::Sub { .. }
                | Gate::AddConst { .. }
                | Gate::MulConst { .. }
                | Gate::ArithConst { .. } => arith.add += 1,
                Gate::BitsToArith { .. } | Gate::ArithToBits { .. } => arith.conversions += 1,
                Gate::Const { .. } | Gate::Copy { .. } => {}
            }
            let mut d = 0;
            for w in gate.inputs() {
                d = d.max(depth[w.index()]);
                last[w.index()] = pos;
            }
            if matches!(gate, Gate::And { .. } | Gate::Mul { .. }) {
                d += 1;
            }
            for w in gate.outputs() {
                depth[w.index()] = d;
                def[w.index()] = pos;
            }
        }
        for g in &c.outputs {
            for w in g.wires.iter() {
                last[w.index()] = end;
                s.and_depth = s.and_depth.max(u64::from(depth[w.index()]));
            }
        }
        // Sweep: +1 where a wire becomes live, -1 just after its last use.
        let mut delta = vec![0i64; end + 2];
        for w in 0..n {
            delta[def[w]] += 1;
            delta[last[w].max(def[w]) + 1] -= 1;
        }
        let mut live = 0i64;
        let mut peak = 0i64;
        for d in delta {
            live += d;
            peak = peak.max(live);
        }
        s.peak_live_wires = peak as u64;

        let has_arith = c.wires.iter().any(|w| w.domain == Domain::Arith)
            || c.gates.iter().any(|g| !g.kind().is_boolean());
        if has_arith {
            s.arith = Some(arith);
        }
        let mut inputs = vec![0u64; c.parties.len()];
        let mut outputs = vec![0u64; c.parties.len()];
        for g in &c.inputs {
            inputs[g.party as usize] += g.ty.bit_width();
        }
        for g in &c.outputs {
            for &p in &g.recipients {
                outputs[p as usize] += g.ty.bit_width();
            }
        }
        s.inputs = c.parties.iter().cloned().zip(inputs).collect();
        s.outputs = c.parties.iter().cloned().zip(outputs).collect();
        s
    }

    /// One JSON object with exactly the keys `and`, `xor`, `not`, (for
    /// arithmetic circuits `add`, `mul`, `conversions`,) `gates`,
    /// `and_depth`, `wires`, `peak_live_wires`, `inputs`, `outputs`, in that
    /// order; `inputs` and `outputs` map party names to bit counts in party
    /// order. Written by hand so the output is stable and needs no serde.
    pub fn to_json(&self) -> String {
        let mut s = String::from("{");
        s.push_str(&format!(
            "\"and\":{},\"xor\":{},\"not\":{}",
            self.and, self.xor, self.not
        ));
        if let Some(a) = &self.arith {
            s.push_str(&format!(
                ",\"add\":{},\"mul\":{},\"conversions\":{}",
                a.add, a.mul, a.conversions
            ));
        }
        s.push_str(&format!(
            ",\"gates\":{},\"and_depth\":{},\"wires\":{},\"peak_live_wires\":{}",
            self.gates, self.and_depth, self.wires, self.peak_live_wires
        ));
        for (key, map) in [("inputs", &self.inputs), ("outputs", &self.outputs)] {
            s.push_str(&format!(",\"{key}\":{{"));
            for (i, (party, bits)) in map.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                push_json_string(&mut s, party);
                s.push_str(&format!(":{bits}"));
            }
            s.push('}');
        }
        s.push('}');
        s
    }
}

fn push_json_string(out: &mut String, text: &str) {
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

impl fmt::Display for Stats {
    /// A human-readable summary, one measure per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "gates            {}", self.gates)?;
        writeln!(f, "  and            {}", self.and)?;
        writeln!(f, "  xor            {}", self.xor)?;
        writeln!(f, "  not            {}", self.not)?;
        if let Some(a) = &self.arith {
            writeln!(f, "  add            {}", a.add)?;
            writeln!(f, "  mul            {}", a.mul)?;
            writeln!(f, "  conversions    {}", a.conversions)?;
        }
        writeln!(f, "and depth        {}", self.and_depth)?;
        writeln!(f, "wires            {}", self.wires)?;
        writeln!(f, "peak live wires  {}", self.peak_live_wires)?;
        for (party, bits) in &self.inputs {
            writeln!(f, "input bits       {party}: {bits}")?;
        }
        for (party, bits) in &self.outputs {
            writeln!(f, "output bits      {party}: {bits}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builder::CircuitBuilder;
    use crate::value::ValueType;

    #[test]
    fn counts_depth_and_liveness() {
        let mut b = CircuitBuilder::new(64);
        let p = b.party("alice");
        let q = b.party("b\"ob");
        let x = b.input(p, "x", ValueType::Bool, false, Domain::Bool).start;
        let y = b.input(q, "y", ValueType::Bool, false, Domain::Bool).start;
        let a = b.and(x, y); // pos 1; x, y die here
        let n = b.not(a); // pos 2; a dies
        let c = b.and(n, n); // pos 3
        let d = b.xor(c, n); // pos 4
        b.output("d", vec![p, q], ValueType::Bool, Domain::Bool, [d]);
        let c = b.finish().unwrap();
        let s = Stats::of(&c);
        assert_eq!((s.and, s.xor, s.not, s.gates), (2, 1, 1, 4));
        assert_eq!(s.and_depth, 2);
        assert_eq!(s.wires, 6);
        // At gate 1: x, y, a live = 3.
        assert_eq!(s.peak_live_wires, 3);
        assert_eq!(s.arith, None);
        assert_eq!(
            s.to_json(),
            "{\"and\":2,\"xor\":1,\"not\":1,\"gates\":4,\"and_depth\":2,\"wires\":6,\
             \"peak_live_wires\":3,\"inputs\":{\"alice\":1,\"b\\\"ob\":1},\
             \"outputs\":{\"alice\":1,\"b\\\"ob\":1}}"
        );
    }

    #[test]
    fn arithmetic_counts() {
        let mut b = CircuitBuilder::new(32);
        let p = b.party("p");
        let ty = ValueType::Int {
            signed: false,
            bits: 32,
        };
        let x = b.input(p, "x", ty.clone(), false, Domain::Arith).start;
        let m = b.mul(x, x);
        let m2 = b.mul(m, x);
        let s = b.add_const(m2, 1);
        let bits = b.arith_to_bits(s, 32);
        b.output("o", vec![p], ty, Domain::Bool, bits.iter());
        let c = b.finish().unwrap();
        let st = Stats::of(&c);
        assert_eq!(
            st.arith,
            Some(ArithStats {
                add: 1,
                mul: 2,
                conversions: 1
            })
        );
        assert_eq!(st.and_depth, 2);
        assert_eq!(st.inputs, vec![("p".to_string(), 32)]);
        assert!(st
            .to_json()
            .contains("\"add\":1,\"mul\":2,\"conversions\":1"));
        // The 32 output bits are live to the end, plus s at the conversion.
        assert_eq!(st.peak_live_wires, 33);
    }
}
