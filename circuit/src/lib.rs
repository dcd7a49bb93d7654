//! Veil's circuit format: the one waist shared by the compiler and the VM.
//!
//! The compiler writes circuits, the VM runs them, and neither depends on the
//! other; everything both must agree on (values, gates, wires, encodings)
//! lives here.

pub mod binding;
pub mod value;
