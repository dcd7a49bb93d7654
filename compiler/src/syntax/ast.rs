//! The abstract syntax tree of one `.mpc` file, exactly as written.
//!
//! Every node carries the byte span it was parsed from. Every expression also
//! carries an [`ExprId`], unique within its file, so that later phases keep
//! their results (types, labels, resolved names) in side tables instead of
//! mutating the tree. Nothing here is resolved or checked: names are strings,
//! types are as written, integer literals are not yet fitted to a type.
//!
//! Where the parser recovered from a syntax error it leaves an
//! [`ExprKind::Error`] (or drops the broken item), and the error is reported
//! separately; later phases stay quiet about such nodes.

use crate::span::Span;

/// Identifies one expression node within a file (dense, from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExprId(pub u32);

/// A name with its span.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// `a`, or `module::item` (at most a few segments).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Path {
    /// At least one segment.
    pub segments: Vec<Ident>,
    pub span: Span,
}

/// One parsed file.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceModule {
    pub items: Vec<Item>,
    /// One past the largest [`ExprId`] used in this file.
    pub expr_count: u32,
}

/// A top-level declaration.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `party NAME;`
    Party(Ident),
    Fn(FnDecl),
    Const(ConstDecl),
    Struct(StructDecl),
    Use(UseDecl),
}

/// `fn name(params) -> ret { body }`
#[derive(Debug, Clone, PartialEq)]
pub struct FnDecl {
    pub name: Ident,
    pub params: Vec<Param>,
    /// `None` when the function returns nothing (unit).
    pub ret: Option<TypeExpr>,
    pub body: Block,
    /// The whole declaration.
    pub span: Span,
}

/// `name: T`, `name: T from party` (only meaningful on `main`), `mut name: T`.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub mutable: bool,
    pub name: Ident,
    pub ty: TypeExpr,
    /// The providing party, for inputs of `main`.
    pub from: Option<Ident>,
    pub span: Span,
}

/// `const NAME: T = e;`
#[derive(Debug, Clone, PartialEq)]
pub struct ConstDecl {
    pub name: Ident,
    pub ty: TypeExpr,
    pub value: Expr,
    pub span: Span,
}

/// `struct S { f: T, … }`
#[derive(Debug, Clone, PartialEq)]
pub struct StructDecl {
    pub name: Ident,
    pub fields: Vec<(Ident, TypeExpr)>,
    pub span: Span,
}

/// `use std::NAME;` or `use "path.mpc";`
#[derive(Debug, Clone, PartialEq)]
pub struct UseDecl {
    pub target: UseTarget,
    pub span: Span,
}

/// What a `use` names.
#[derive(Debug, Clone, PartialEq)]
pub enum UseTarget {
    /// `std::a::b` → segments `["a", "b"]` (without `std`), loads `stdlib/a/b.mpc`;
    /// the module is then named by the last segment.
    Std(Vec<Ident>),
    /// `"path.mpc"`, relative to the importing file; named by the file stem.
    File { path: String, span: Span },
}

/// A privacy label written in source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LabelKw {
    Public,
    Secret,
}

/// A type as written.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeExpr {
    pub kind: TypeExprKind,
    pub span: Span,
}

/// The forms a written type takes.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeExprKind {
    /// `public T` / `secret T`.
    Labeled(LabelKw, Box<TypeExpr>),
    /// A name: `bool`, `u32`, `i7`, a struct name, or `module::Struct`.
    /// Integer type names are recognised during checking, not parsing.
    Named(Path),
    /// `[T; N]` where `N` is a constant expression (or a generic length name).
    Array(Box<TypeExpr>, Box<Expr>),
    /// `(T1, T2, …)`; `()` is the unit type.
    Tuple(Vec<TypeExpr>),
    /// Placeholder left by error recovery.
    Error,
}

/// `{ stmts; tail }`
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    /// The value of the block, if its last expression has no `;`.
    pub tail: Option<Box<Expr>>,
    pub span: Span,
}

/// A statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

/// The forms of statement.
#[derive(Debug, Clone, PartialEq)]
pub enum StmtKind {
    /// `let [mut] pat [: T] = e;`
    Let {
        pattern: Pattern,
        ty: Option<TypeExpr>,
        init: Expr,
    },
    /// `place = e;` or `place op= e;` (`op` is the binary operator of a compound assignment).
    Assign {
        place: Expr,
        op: Option<BinOp>,
        value: Expr,
    },
    /// `output NAME = e [to P, Q];`
    Output {
        name: Ident,
        value: Expr,
        /// `None` without `to` (every party receives it).
        recipients: Option<Vec<Ident>>,
    },
    /// `return [e];`
    Return(Option<Expr>),
    /// `for var in start..end { body }` or `..=`.
    For {
        var: Ident,
        start: Expr,
        end: Expr,
        inclusive: bool,
        body: Block,
    },
    /// An expression statement, `e;` or a block-like expression (`if`, `{}`) without `;`.
    Expr(Expr),
    /// A statement the parser could not read (the error is already reported).
    Error,
}

/// The left-hand side of `let`.
#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    /// `x` or `mut x`.
    Bind { mutable: bool, name: Ident },
    /// `(p1, p2, …)`.
    Tuple(Vec<Pattern>, Span),
    /// `_`.
    Wildcard(Span),
}

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub id: ExprId,
    pub kind: ExprKind,
    pub span: Span,
}

/// The forms of expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// An integer literal: its value (any size up to 128 bits; larger is a
    /// parse error) and an optional suffix such as `u8` or `i16`.
    Int {
        value: u128,
        suffix: Option<IntSuffix>,
    },
    Bool(bool),
    /// A variable, constant, or `module::CONST`.
    Name(Path),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `f(args)`, `module::f(args)`, or a builtin (`mux`, `min`, `len`, …).
    Call {
        callee: Path,
        args: Vec<Expr>,
    },
    /// `reveal(e)`.
    Reveal(Box<Expr>),
    /// `a[i]`.
    Index(Box<Expr>, Box<Expr>),
    /// `s.f`.
    Field(Box<Expr>, Ident),
    /// `t.0`.
    TupleField(Box<Expr>, u32, Span),
    /// `(a, b)`; `()` is unit. `(a)` is just `a` and does not appear here.
    Tuple(Vec<Expr>),
    /// `[a, b, c]`.
    Array(Vec<Expr>),
    /// `[e; N]`.
    ArrayRepeat(Box<Expr>, Box<Expr>),
    /// `S { f: e, … }`.
    StructLit {
        name: Path,
        fields: Vec<(Ident, Expr)>,
    },
    /// `e as T`.
    Cast(Box<Expr>, TypeExpr),
    /// `if c { … } else …`; `else_` is a block or another `if` expression.
    If {
        cond: Box<Expr>,
        then: Block,
        else_: Option<Box<Expr>>,
    },
    Block(Block),
    /// Placeholder left by error recovery.
    Error,
}

/// A literal suffix: `u8` is `{ signed: false, bits: 8 }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IntSuffix {
    pub signed: bool,
    pub bits: u32,
}

/// Prefix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnOp {
    /// `-e`
    Neg,
    /// `!e` (logical on `bool`, bitwise on integers)
    Not,
    /// `~e` (bitwise)
    BitNot,
}

/// Infix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "&&",
            BinOp::Or => "||",
        }
    }
}

impl UnOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            UnOp::Neg => "-",
            UnOp::Not => "!",
            UnOp::BitNot => "~",
        }
    }
}
