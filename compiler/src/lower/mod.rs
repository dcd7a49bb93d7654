//! Lowering: the checked program to the word-level IR ([`from_ast`], step 3
//! of the compiler), and the IR to circuits (step 5).
//!
//! - [`to_boolean`] bit-blasts every instruction with the cheapest gadget of
//!   [`crate::gadgets`] (free-XOR aware: ANDs counted, XOR/NOT free), for
//!   garbled circuits and Boolean secret sharing;
//! - [`to_arith`] maps additions, subtractions and multiplications to
//!   arithmetic gates over Z_2^k and, when mixed, everything else to Boolean
//!   gadgets behind explicit conversion gates.
//!
//! Both write into a [`net::Net`], which folds constants and hash-conses
//! identical gates as they are added (so known-constant bits make gadgets
//! cheaper on the spot), then [`cleanup`] removes dead gates, picks a gate
//! order with a small peak of live wires, numbers the wires in that order,
//! and validates the result.
//!
//! Lowering takes any module, but checks it with [`crate::ir::verify`]
//! first: unverified IR never reaches code generation (naga's rule).
//! Failures are [`LowerError`]s, never panics.

pub mod arith;
pub mod boolean;
pub mod cleanup;
pub mod from_ast;
pub mod net;

#[cfg(test)]
mod tests;

use thiserror::Error;
use veil_circuit::validate::MAX_GROUP_WIRES;
use veil_circuit::ValidationErrors;

use crate::ir::verify::{verify, VerifyError};
use crate::ir::{Module, ValueId};

pub use crate::gadgets::Optimize;
pub use arith::to_arith;
pub use boolean::to_boolean;
pub use cleanup::optimize_circuit;

/// Options of [`to_boolean`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct BoolOptions {
    /// Fewest ANDs (garbled circuits) or least AND-depth (secret sharing).
    pub optimize: Optimize,
}

/// Why a module could not be lowered.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LowerError {
    /// The module breaks an IR invariant (a bug in an earlier stage).
    #[error("the IR does not verify: {}", describe(.0))]
    InvalidIr(Vec<VerifyError>),
    /// A value or group is wider than the target can hold.
    #[error("{what} is {width} bits wide; {limit}")]
    TooWide {
        /// What is too wide (a value, an input's scalar, all inputs).
        what: String,
        /// Its width in bits.
        width: u64,
        /// The limit, in words.
        limit: String,
    },
    /// The ring width is outside 1..=64.
    #[error("ring width {0} is not in 1..=64")]
    RingBits(u32),
    /// The pure arithmetic target cannot express an operation.
    #[error("`{op}` ({at}) needs Boolean gates, which the arithmetic target cannot express; compile with `--target mixed` to convert to bits where needed")]
    NeedsBoolean {
        /// The operation, by its IR name (`ult`, `udiv`, …) or a description.
        op: String,
        /// The instruction that needs it.
        at: ValueId,
    },
    /// The circuit built does not validate (a bug in Veil).
    #[error("the lowered circuit is invalid (a bug in Veil): {0}")]
    Circuit(ValidationErrors),
}

fn describe(errors: &[VerifyError]) -> String {
    match errors {
        [] => "no details".to_string(),
        [one] => one.to_string(),
        [first, rest @ ..] => format!("{first} (and {} more)", rest.len()),
    }
}

/// Verifies `m` and checks that its boundary fits a circuit.
fn check_module(m: &Module) -> Result<(), LowerError> {
    verify(m).map_err(LowerError::InvalidIr)?;
    let inputs: u64 = m
        .inputs
        .iter()
        .fold(0u64, |acc, d| acc.saturating_add(d.ty.bit_width()));
    let outputs: u64 = m
        .outputs
        .iter()
        .fold(0u64, |acc, d| acc.saturating_add(d.ty.bit_width()));
    for (what, width) in [
        ("the inputs together", inputs),
        ("the outputs together", outputs),
    ] {
        if width > MAX_GROUP_WIRES {
            return Err(LowerError::TooWide {
                what: what.to_string(),
                width,
                limit: format!("a circuit holds at most {MAX_GROUP_WIRES} bits of them"),
            });
        }
    }
    Ok(())
}
