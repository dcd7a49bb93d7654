//! Veil's virtual machine: runs a circuit among mutually distrusting parties.
//!
//! The VM depends only on `veil-circuit` (never on the compiler). A
//! [`session`] binds each party's inputs to a circuit and runs a [`backend`]
//! over [`net`] channels; the backends share the [`crypto`] primitives and
//! [`ot`] (oblivious transfer).

pub mod block;
pub mod crypto;
pub mod net;
pub mod ot;

pub use veil_circuit::value;
