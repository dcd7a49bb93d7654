//! Binding users' `--input PARTY.NAME=VALUE` texts to a program's typed inputs.
//!
//! Both a checked program and a compiled circuit describe their inputs as
//! (owner party, name, type); this module matches what a user typed against
//! that list, so every backend reports the same clear errors for an
//! undeclared party, an unknown or missing input, a value given twice, or a
//! value that does not fit.

use thiserror::Error;

use crate::value::{Literal, Value, ValueError, ValueType};

/// One input a program or circuit expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputSlot {
    /// Index into the party list.
    pub party: usize,
    pub name: String,
    pub ty: ValueType,
}

/// One input as the user gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GivenInput {
    /// `None` when written without a party (`NAME=VALUE`, as `veil party` takes them).
    pub party: Option<String>,
    pub name: String,
    pub value: Literal,
}

/// Why the given inputs do not match the program's.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InputError {
    #[error("error[E0050]: `--input {given}`: `{party}` is not a party of this program (its parties are {known})")]
    UndeclaredParty {
        given: String,
        party: String,
        known: String,
    },
    #[error("error[E0051]: party `{party}` has no input named `{name}` (its inputs are {known})")]
    UnknownInput {
        party: String,
        name: String,
        known: String,
    },
    #[error("error[E0052]: missing input `{party}.{name}` of type {ty}: give it with `--input {party}.{name}=VALUE`")]
    Missing {
        party: String,
        name: String,
        ty: String,
    },
    #[error("error[E0053]: input `{party}.{name}`: {source}")]
    BadValue {
        party: String,
        name: String,
        #[source]
        source: ValueError,
    },
    #[error("error[E0054]: input `{party}.{name}` is given more than once")]
    Duplicate { party: String, name: String },
    #[error("error[E0055]: `--input {0}` is not of the form PARTY.NAME=VALUE")]
    Syntax(String),
    #[error("error[E0051]: input `{name}` is ambiguous: several parties have an input of that name; write PARTY.{name}")]
    Ambiguous { name: String },
}

/// Splits `PARTY.NAME=VALUE` (or `NAME=VALUE`) into its parts; the value text is returned raw
/// so that the caller can resolve `@file.csv` references before parsing.
pub fn split_input_arg(arg: &str) -> Result<(Option<String>, String, String), InputError> {
    let (lhs, value) = arg
        .split_once('=')
        .ok_or_else(|| InputError::Syntax(arg.to_string()))?;
    let lhs = lhs.trim();
    let (party, name) = match lhs.split_once('.') {
        Some((p, n)) => (Some(p.trim().to_string()), n.trim().to_string()),
        None => (None, lhs.to_string()),
    };
    if name.is_empty() || party.as_deref() == Some("") {
        return Err(InputError::Syntax(arg.to_string()));
    }
    Ok((party, name, value.trim().to_string()))
}

/// Matches the given inputs to the slots; returns one value per slot, in slot order.
pub fn bind_inputs(
    parties: &[String],
    slots: &[InputSlot],
    given: &[GivenInput],
) -> Result<Vec<Value>, InputError> {
    let mut values: Vec<Option<Value>> = vec![None; slots.len()];
    let known_parties = parties.join(", ");
    for g in given {
        let matches: Vec<usize> = match &g.party {
            Some(p) => {
                let Some(pi) = parties.iter().position(|q| q == p) else {
                    return Err(InputError::UndeclaredParty {
                        given: format!("{p}.{}", g.name),
                        party: p.clone(),
                        known: known_parties,
                    });
                };
                slots
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s.party == pi && s.name == g.name)
                    .map(|(i, _)| i)
                    .collect()
            }
            None => slots
                .iter()
                .enumerate()
                .filter(|(_, s)| s.name == g.name)
                .map(|(i, _)| i)
                .collect(),
        };
        let slot = match matches.as_slice() {
            [i] => *i,
            [] => {
                let party = g.party.clone().unwrap_or_default();
                let pi = parties.iter().position(|q| *q == party);
                let known: Vec<&str> = slots
                    .iter()
                    .filter(|s| Some(s.party) == pi || pi.is_none())
                    .map(|s| s.name.as_str())
                    .collect();
                return Err(InputError::UnknownInput {
                    party,
                    name: g.name.clone(),
                    known: if known.is_empty() {
                        "none".into()
                    } else {
                        known.join(", ")
                    },
                });
            }
            _ => {
                return Err(InputError::Ambiguous {
                    name: g.name.clone(),
                })
            }
        };
        let s = &slots[slot];
        let party = parties.get(s.party).cloned().unwrap_or_default();
        if values[slot].is_some() {
            return Err(InputError::Duplicate {
                party,
                name: s.name.clone(),
            });
        }
        let v = g
            .value
            .to_value(&s.ty)
            .map_err(|source| InputError::BadValue {
                party,
                name: s.name.clone(),
                source,
            })?;
        values[slot] = Some(v);
    }
    slots
        .iter()
        .zip(values)
        .map(|(s, v)| {
            v.ok_or_else(|| InputError::Missing {
                party: parties.get(s.party).cloned().unwrap_or_default(),
                name: s.name.clone(),
                ty: s.ty.to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (Vec<String>, Vec<InputSlot>) {
        let parties = vec!["alice".to_string(), "bob".to_string()];
        let u8t = ValueType::Int {
            signed: false,
            bits: 8,
        };
        let slots = vec![
            InputSlot {
                party: 0,
                name: "a".into(),
                ty: u8t.clone(),
            },
            InputSlot {
                party: 1,
                name: "b".into(),
                ty: u8t,
            },
        ];
        (parties, slots)
    }

    fn given(arg: &str) -> GivenInput {
        let (party, name, value) = split_input_arg(arg).unwrap();
        GivenInput {
            party,
            name,
            value: Literal::parse(&value).unwrap(),
        }
    }

    #[test]
    fn binds_in_slot_order() {
        let (p, s) = setup();
        let v = bind_inputs(&p, &s, &[given("bob.b=7"), given("alice.a=10")]).unwrap();
        assert_eq!(v[0].to_string(), "10");
        assert_eq!(v[1].to_string(), "7");
    }

    #[test]
    fn reports_each_mistake() {
        let (p, s) = setup();
        assert!(matches!(
            bind_inputs(&p, &s, &[given("carol.a=1")]),
            Err(InputError::UndeclaredParty { .. })
        ));
        assert!(matches!(
            bind_inputs(&p, &s, &[given("alice.z=1")]),
            Err(InputError::UnknownInput { .. })
        ));
        assert!(matches!(
            bind_inputs(&p, &s, &[given("alice.a=1")]),
            Err(InputError::Missing { .. })
        ));
        assert!(matches!(
            bind_inputs(&p, &s, &[given("alice.a=1"), given("alice.a=2")]),
            Err(InputError::Duplicate { .. })
        ));
        assert!(matches!(
            bind_inputs(&p, &s, &[given("alice.a=300"), given("bob.b=1")]),
            Err(InputError::BadValue { .. })
        ));
        assert!(matches!(
            split_input_arg("alice.a"),
            Err(InputError::Syntax(_))
        ));
        assert!(matches!(
            split_input_arg(".a=1"),
            Err(InputError::Syntax(_))
        ));
    }

    #[test]
    fn party_may_be_omitted_when_unambiguous() {
        let (p, s) = setup();
        let v = bind_inputs(&p, &s, &[given("a=1"), given("b=2")]).unwrap();
        assert_eq!(v.len(), 2);
    }
}
