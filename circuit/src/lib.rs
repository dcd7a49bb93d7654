//! Veil's circuit format: the one waist shared by the compiler and the VM.
//!
//! The compiler writes circuits, the VM runs them, and neither depends on the
//! other; everything both must agree on (values, gates, wires, encodings)
//! lives here.
//!
//! The path of a circuit through this crate: build a [`Circuit`] (by hand,
//! with a [`CircuitBuilder`], or by reading `.vc`, text or Bristol), check it
//! into a [`ValidCircuit`], then evaluate it ([`evaluate`]), measure it
//! ([`Stats::of`]), or write it out ([`vc::encode`], [`text::to_text`],
//! [`bristol::write`]).

pub mod binding;
pub mod value;

/// Bristol Fashion and old Bristol Format import, Bristol Fashion export.
pub mod bristol;
/// A builder that appends gates and hands out fresh wires with the right marks.
pub mod builder;
/// The in-memory circuit, its wire marks and input/output groups, and [`ValidCircuit`].
pub mod circuit;
/// The plaintext evaluator, the reference every protocol backend is tested against.
pub mod eval;
/// Gates: Boolean, arithmetic over Z_2^k, and conversions between the two.
pub mod gate;
/// Statistics: gate counts, AND-depth, peak live wires, bits per party.
pub mod stats;
/// The token-level syntax shared by the text forms of circuits and of the compiler's IR.
pub mod syntax;
/// The readable, lossless text encoding (`w5 = and w1 w3`).
pub mod text;
/// The validator, which checks every invariant and reports all problems at once.
pub mod validate;
/// The versioned `.vc` binary encoding.
pub mod vc;
/// Wire ids, ranges of consecutive wires, and run-compressed wire lists.
pub mod wire;

pub use bristol::{BitOrder, BristolError, BristolFormat, BristolOptions};
pub use builder::CircuitBuilder;
pub use circuit::{Circuit, Domain, InputGroup, OutputGroup, ValidCircuit, Visibility, WireInfo};
pub use eval::{evaluate, evaluate_bits, input_words, output_value, EvalError, Evaluator};
pub use gate::{Gate, GateKind};
pub use stats::{ArithStats, Stats};
pub use text::{TextError, TextErrorKind};
pub use validate::{validate, Site, ValidationError, ValidationErrors};
pub use value::{IntValue, Literal, Value, ValueError, ValueType};
pub use vc::VcError;
pub use wire::{Wire, WireList, WireRange};
