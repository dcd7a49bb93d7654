//! Stable diagnostic codes of the checker (syntax codes E0001–E0009 live in
//! `syntax`). Each is documented with an example in `docs/language.md`, and
//! `tests/ui/` holds one failing program per code.

/// A name (variable, constant, function, type, module item) is not defined.
pub const UNKNOWN_NAME: &str = "E0010";
/// A party named in `from` or `to` is not declared.
pub const UNKNOWN_PARTY: &str = "E0011";
/// A `use` names a module that cannot be found or read.
pub const UNKNOWN_MODULE: &str = "E0012";
/// A field that the struct does not have (or a tuple index out of range).
pub const UNKNOWN_FIELD: &str = "E0013";
/// Two definitions of one name in one scope (items, parties, parameters, fields).
pub const DUPLICATE_DEFINITION: &str = "E0014";

/// The type found is not the type required (including `if` without `else` used as a value).
pub const TYPE_MISMATCH: &str = "E0020";
/// Integer operands of different widths or signedness.
pub const WIDTH_MISMATCH: &str = "E0021";
/// An operator or builtin applied to a type it does not support.
pub const BAD_OPERAND: &str = "E0022";
/// An integer literal that does not fit its type.
pub const LITERAL_OUT_OF_RANGE: &str = "E0023";
/// A call with the wrong number of arguments.
pub const ARGUMENT_COUNT: &str = "E0024";
/// A cast between types that cannot be converted.
pub const INVALID_CAST: &str = "E0025";
/// Assignment to an immutable variable or to something that is not a place.
pub const NOT_ASSIGNABLE: &str = "E0026";
/// An integer type outside `u1..u128` / `i1..i128`, or an unknown type name.
pub const BAD_TYPE: &str = "E0027";

/// A secret value flows to a public place without `reveal`.
pub const SECRET_TO_PUBLIC: &str = "E0030";
/// An assignment to a public variable under a secret condition (an implicit flow).
pub const IMPLICIT_FLOW: &str = "E0031";
/// `reveal` (directly or in a called function) inside a secret branch.
pub const REVEAL_IN_SECRET_BRANCH: &str = "E0032";
/// `return` inside a secret branch.
pub const RETURN_IN_SECRET_BRANCH: &str = "E0033";
/// A loop bound that is secret.
pub const SECRET_LOOP_BOUND: &str = "E0034";
/// A loop bound that is public but not known at compile time.
pub const UNKNOWN_LOOP_BOUND: &str = "E0035";
/// A constant, array length or repeat count that cannot be evaluated at compile time.
pub const NOT_CONSTANT: &str = "E0036";
/// A compile-time index outside the array.
pub const INDEX_OUT_OF_RANGE: &str = "E0037";
/// Recursion that can never stop (or instantiates without bound).
pub const UNBOUNDED_RECURSION: &str = "E0038";

/// Two outputs with one name.
pub const DUPLICATE_OUTPUT: &str = "E0040";
/// The program has no `fn main`.
pub const MISSING_MAIN: &str = "E0041";
/// `output` anywhere but the top level of `main`'s body.
pub const MISPLACED_OUTPUT: &str = "E0042";
/// Fewer than two parties declared.
pub const TOO_FEW_PARTIES: &str = "E0043";
/// A program without any output.
pub const NO_OUTPUT: &str = "E0044";
/// A malformed `main`: a parameter without `from`, a return type, or a call to `main`.
pub const BAD_MAIN: &str = "E0045";
/// `to P` on an output whose value is not `reveal(…)`.
pub const TO_WITHOUT_REVEAL: &str = "E0046";
/// `party` declared outside the main program file.
pub const PARTY_IN_LIBRARY: &str = "E0047";

/// Indexing with a secret index: an oblivious scan of the whole array.
pub const SECRET_INDEX_COST: &str = "W0001";
/// A variable or parameter that is never read.
pub const UNUSED_VARIABLE: &str = "W0002";
/// An input of `main` that is never read: its party provides it for nothing.
pub const UNUSED_INPUT: &str = "W0003";
/// A value computed and thrown away, such as `reveal(x);` (it still leaks).
pub const UNUSED_VALUE: &str = "W0004";
