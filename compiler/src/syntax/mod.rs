//! Source text to AST: a logos lexer and a lalrpop grammar (`grammar/veil.lalrpop`).

pub mod ast;
