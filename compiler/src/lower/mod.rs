//! Lowering: from the checked program to the IR, and from the IR to circuits.

pub mod from_ast;
