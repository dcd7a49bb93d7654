//! Veil's compiler: `.mpc` source to checked programs, IR and circuits.
//!
//! Phases, each in its own module: [`syntax`] (lexing and parsing to an AST
//! with spans), [`sema`] (names, constants, types and privacy labels, flow
//! rules), [`interp`] (the reference interpreter, the oracle every later stage
//! is tested against), [`lower`] (the checked program to the word-level
//! [`ir`], and the IR to circuits through [`gadgets`]), [`passes`] (IR
//! optimisations). [`driver`] ties them together for the CLI.

pub mod diagnostic;
pub mod driver;
mod frame;
pub mod gadgets;
pub mod interp;
pub mod ir;
pub mod lower;
pub mod passes;
pub mod sema;
pub mod semantics;
pub mod span;
pub mod stdlib;
pub mod syntax;
