//! Veil's virtual machine: runs a circuit among mutually distrusting parties.
//!
//! The VM depends only on `veil-circuit` (never on the compiler). Its backends
//! (`clear`, `gc`, `gmw`, `arith`, `rep3`), channels and oblivious transfer are
//! built in later milestones; see `docs/architecture.md` for the plan. Until
//! then the crate only re-exports the value model it will consume, so that the
//! workspace layout of ARCHITECTURE.md exists from the start.

pub use veil_circuit::value;
