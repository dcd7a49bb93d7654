//! Oblivious transfer: the sender holds two messages, the receiver learns the
//! one it chooses, and neither learns anything else.
//!
//! The garbled-circuit backend needs one OT per input bit of the evaluator,
//! and OT-based Beaver triples need millions; public-key OT costs tens of
//! microseconds each, so we run a few of those and extend them with symmetric
//! crypto only:
//!
//! - [`base_send`] / [`base_receive`]: the "simplest OT" of Chou and Orlandi
//!   (LATINCRYPT 2015) over Ristretto255, batched (one sender point for the
//!   whole batch), keys derived with BLAKE3 over the transcript and the index.
//! - [`OtExtSender`] / [`OtExtReceiver`]: IKNP OT extension (Ishai, Kilian,
//!   Nissim, Petrank, CRYPTO 2003) with κ = 128 base OTs in reversed roles,
//!   outputs hashed with the tweakable circular-correlation-robust hash of
//!   Guo, Katz, Wang and Yu (S&P 2020), see [`crate::crypto::TccrHash`].
//!
//! Security: semi-honest (honest-but-curious) parties, like the rest of the
//! VM's backends; a malicious receiver can cheat IKNP (no consistency check as
//! in KOS15). What we do guarantee against any peer is that nothing it sends
//! makes us panic: bad points and hang-ups are typed errors.

mod base;
mod extension;
mod transpose;

pub use base::{base_receive, base_send};
pub use extension::{OtExtReceiver, OtExtSender};

use crate::net::NetError;

/// Why an oblivious transfer failed.
#[derive(Debug, thiserror::Error)]
pub enum OtError {
    /// The channel failed (hang-up, timeout).
    #[error(transparent)]
    Net(#[from] NetError),
    /// The peer sent bytes that cannot be a protocol message (e.g. a curve point
    /// that does not decode).
    #[error("party `{peer}` sent a malformed OT message: {why}")]
    Malformed { peer: String, why: String },
    /// The operating system could not provide randomness for secrets.
    #[error(transparent)]
    Randomness(#[from] crate::crypto::RandomnessError),
    /// An earlier batch on this OT extension failed halfway, so the two ends'
    /// generators are out of step: the extension must be set up again.
    #[error(
        "an earlier OT extension batch with party `{peer}` failed; set the extension up again"
    )]
    Desynchronized { peer: String },
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers shared by the OT tests: two parties on two threads.

    use std::time::Duration;

    use crate::net::local::pair;
    use crate::net::queue::QueueChannel;

    /// Runs `a` and `b` on two threads over a fresh local pair ("alice" runs `a`).
    pub fn run_pair<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
    where
        A: FnOnce(QueueChannel) -> RA + Send + 'static,
        B: FnOnce(QueueChannel) -> RB + Send + 'static,
        RA: Send + 'static,
        RB: Send + 'static,
    {
        let (ca, cb) = pair("alice", "bob", Duration::from_secs(20));
        let ta = std::thread::spawn(move || a(ca));
        let rb = b(cb);
        (ta.join().expect("thread a"), rb)
    }
}
