//! What can go wrong when a circuit runs among parties.

use crate::crypto::RandomnessError;
use crate::net::connect::ConnectError;
use crate::net::NetError;
use crate::ot::OtError;

/// Why a run failed. The CLI maps [`VmError::is_input_error`] to exit code 1
/// (the user's circuit, inputs or network configuration) and everything
/// else to 3 (protocol, network or peer).
#[derive(Debug, thiserror::Error)]
pub enum VmError {
    /// The circuit does not suit the backend (wrong party count, arithmetic gates, …).
    #[error("the `{backend}` backend cannot run this circuit: {why}")]
    Unsupported { backend: &'static str, why: String },
    /// The party's own inputs do not match the circuit's input groups.
    #[error("{0}")]
    Input(String),
    /// A channel failed: a peer hung up, stalled, or sent something malformed.
    #[error(transparent)]
    Net(#[from] NetError),
    /// Connecting to the other parties failed (network mode).
    #[error(transparent)]
    Connect(#[from] ConnectError),
    /// Oblivious transfer failed.
    #[error(transparent)]
    Ot(#[from] OtError),
    /// A peer broke the protocol (for example sent an output label that is neither valid label).
    #[error("party `{peer}` broke the protocol: {why}")]
    Protocol { peer: String, why: String },
    /// The operating system's randomness failed.
    #[error(transparent)]
    Randomness(#[from] RandomnessError),
    /// A party's thread died unexpectedly (a bug; reported rather than propagated as a panic).
    #[error("party `{party}` stopped unexpectedly: {why}")]
    Crashed { party: String, why: String },
}

impl VmError {
    /// Whether the user's circuit or inputs are at fault (exit code 1), rather
    /// than the protocol or a peer (exit code 3).
    pub fn is_input_error(&self) -> bool {
        matches!(
            self,
            VmError::Unsupported { .. }
                | VmError::Input(_)
                | VmError::Connect(
                    ConnectError::Config(_)
                        | ConnectError::Tls(_)
                        | ConnectError::UnknownParties { .. }
                        | ConnectError::SameCertificate { .. }
                )
        )
    }

    /// Whether this error only echoes another party's failure (a hang-up
    /// seen from the other end); local mode reports the root cause instead.
    pub fn is_consequence(&self) -> bool {
        matches!(
            self,
            VmError::Net(NetError::Disconnected { .. })
                | VmError::Ot(OtError::Net(NetError::Disconnected { .. }))
        )
    }
}
