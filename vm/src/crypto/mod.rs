//! The symmetric primitives every protocol shares: OS randomness, an AES-CTR
//! generator, and the fixed-key AES hashes that garbling and OT extension need.

mod fixed_key;
mod prg;

pub use fixed_key::{FixedKeyAes, TccrHash, BATCH};
pub use prg::Prg;

/// The operating system could not provide randomness.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random number generator failed: {0}")]
pub struct RandomnessError(String);

/// Fills `buf` from the operating system's generator (every seed comes from here).
pub fn os_random(buf: &mut [u8]) -> Result<(), RandomnessError> {
    getrandom::fill(buf).map_err(|e| RandomnessError(e.to_string()))
}
