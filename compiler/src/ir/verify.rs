//! The IR verifier: checks every invariant of [`super::Module`] and reports
//! all violations, so a pass that breaks one is caught at that pass.

use std::fmt;

use super::{Label, Module, Op, ValueId};

/// One broken invariant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyError {
    /// The offending instruction, if the problem is in one.
    pub at: Option<ValueId>,
    pub message: String,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            Some(v) => write!(f, "{v}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Checks the module; `Err` lists every problem found.
pub fn verify(m: &Module) -> Result<(), Vec<VerifyError>> {
    let mut errors = Vec::new();
    let mut err = |at: Option<ValueId>, message: String| errors.push(VerifyError { at, message });
    for (i, inst) in m.insts.iter().enumerate() {
        let id = ValueId(i as u32);
        if !(1..=128).contains(&inst.width) {
            err(Some(id), format!("width {} outside 1..=128", inst.width));
        }
        let mut ok = true;
        for o in inst.op.operands() {
            if o.index() >= i {
                err(
                    Some(id),
                    format!("operand {o} is not defined before its use"),
                );
                ok = false;
            }
        }
        if !ok {
            continue;
        }
        let w = |v: ValueId| m.insts[v.index()].width;
        let expect_label = match inst.op {
            Op::Const(_) => Label::Public,
            Op::Input { group, bit } => match m.inputs.get(group as usize) {
                None => {
                    err(Some(id), format!("input group {group} does not exist"));
                    continue;
                }
                Some(d) => {
                    if u64::from(bit) + u64::from(inst.width) > d.ty.bit_width() {
                        err(
                            Some(id),
                            format!("bits {bit}.. reach past input `{}`", d.name),
                        );
                    }
                    if d.public {
                        Label::Public
                    } else {
                        Label::Secret
                    }
                }
            },
            op => op
                .operands()
                .map(|v| m.insts[v.index()].label)
                .fold(Label::Public, Label::join),
        };
        if inst.label != expect_label {
            err(
                Some(id),
                format!("label {} should be {expect_label}", inst.label),
            );
        }
        let bad = match inst.op {
            Op::Const(c) => inst.width < 128 && c >> inst.width != 0,
            Op::Input { .. } => false,
            Op::Unary(_, a) => w(a) != inst.width,
            Op::Binary(b, x, y) if b.is_comparison() => w(x) != w(y) || inst.width != 1,
            Op::Binary(b, x, _) if b.is_shift() => w(x) != inst.width,
            Op::Binary(_, x, y) => w(x) != inst.width || w(y) != inst.width,
            Op::Mux(c, a, b) => w(c) != 1 || w(a) != inst.width || w(b) != inst.width,
            Op::Trunc(a) => w(a) <= inst.width,
            Op::Zext(a) | Op::Sext(a) => w(a) >= inst.width,
            Op::Extract(a, n) => inst.width != 1 || n >= w(a),
            Op::Concat(a, b) => u64::from(w(a)) + u64::from(w(b)) != u64::from(inst.width),
        };
        if bad {
            err(
                Some(id),
                format!(
                    "widths do not fit `{:?}` producing {} bits",
                    inst.op, inst.width
                ),
            );
        }
    }
    for o in &m.outputs {
        let mut total = 0u64;
        for v in &o.values {
            match m.insts.get(v.index()) {
                Some(i) => total += u64::from(i.width),
                None => err(
                    None,
                    format!("output `{}` names {v}, which does not exist", o.name),
                ),
            }
        }
        if total != o.ty.bit_width() {
            err(
                None,
                format!(
                    "output `{}` has {total} bits, its type {} needs {}",
                    o.name,
                    o.ty,
                    o.ty.bit_width()
                ),
            );
        }
        if o.recipients.iter().any(|&p| p >= m.parties.len()) {
            err(
                None,
                format!("output `{}` names a party that does not exist", o.name),
            );
        }
    }
    for d in &m.inputs {
        if d.party >= m.parties.len() {
            err(
                None,
                format!("input `{}` belongs to a party that does not exist", d.name),
            );
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::text::parse;

    #[test]
    fn huge_widths_are_reported_not_overflowed() {
        let m = parse(
            "v0:u4294967295 public = const 0\n\
             v1:u4294967295 public = const 0\n\
             v2:u5 public = concat v0 v1\n",
        )
        .unwrap();
        let errors = verify(&m).unwrap_err();
        assert!(errors.iter().any(|e| e.at == Some(ValueId(2))));
    }
}
