//! Veil's virtual machine: runs a circuit among mutually distrusting parties.
//!
//! The VM depends only on `veil-circuit` (never on the compiler). A party's
//! session ([`party`]) binds its inputs to a circuit and runs a [`backend`]
//! over [`net`] channels; [`local`] runs every party on its own thread, [`network`]
//! runs this process as one party over TLS. The
//! backends share the [`crypto`] primitives, [`ot`] (oblivious transfer) and
//! [`preprocess`] (Beaver triples).

pub mod backend;
pub mod block;
pub mod crypto;
pub mod error;
pub mod local;
pub mod net;
pub mod network;
pub mod ot;
pub mod party;
pub mod preprocess;

pub use backend::{prepare, prepare_with, BackendKind, BackendOptions, Protocol};
pub use error::VmError;
pub use local::{run_local, run_local_batches, run_local_many, LocalOptions, LocalRun};
pub use network::{run_network, session_digest, NetworkOptions, NetworkRun};
pub use party::{run_party, run_party_batch, PartyReport};

pub use veil_circuit::value;
