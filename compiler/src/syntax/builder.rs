//! AST construction for the grammar's actions, with a nesting-depth guard.
//!
//! Every node the grammar builds passes through a [`Builder`] method, which
//! also tracks the node's height (how deeply nested its subtree is). The
//! height travels beside the node in [`Deep`], so the guard costs O(1) per
//! node and needs no recursion. Invariant: no tree in memory is ever more than
//! [`MAX_DEPTH`] + 1 levels high. A node that would exceed the limit is
//! replaced by an error node at once (its children, at most [`MAX_DEPTH`]
//! levels high, are dropped), so dropping, printing or walking any tree the
//! parser ever holds stays within a bounded stack, whatever the input.
//!
//! Levels are counted for expressions, blocks, types and patterns; statements
//! and items add none.
//!
//! The builder also collects the syntax errors that the grammar's error
//! recovery reports, for [`super::parse`] to turn into diagnostics.

use std::cell::{Cell, RefCell};
use std::convert::Infallible;

use lalrpop_util::{ErrorRecovery, ParseError};

use crate::diagnostic::Diagnostic;
use crate::span::{FileId, Span};
use crate::syntax::ast::*;
use crate::syntax::lexer::{IntLit, Tok};

/// The deepest nesting of expressions, blocks, types and patterns a file may
/// have. Later phases recurse over the tree; the limit keeps them far from a
/// stack overflow.
pub const MAX_DEPTH: u32 = 1000;

/// The parser's error type, as lalrpop reports it.
pub(crate) type SyntaxError<'s> = ParseError<usize, Tok<'s>, Infallible>;

/// A node with the height of its subtree and the span of its deepest leaf.
#[derive(Debug)]
pub(crate) struct Deep<T> {
    pub(crate) node: T,
    height: u32,
    deepest: Span,
}

impl<T> Deep<T> {
    /// A node with no nested children that count.
    fn leaf(node: T, height: u32, span: Span) -> Self {
        Deep {
            node,
            height,
            deepest: span,
        }
    }
}

/// A statement as the grammar first reads it, before its block decides
/// whether a trailing block-like expression is the block's value.
#[derive(Debug)]
pub(crate) struct PStmt {
    /// `None` for a lone `;`, which keeps a preceding block-like expression
    /// from being the tail.
    stmt: Option<Deep<Stmt>>,
    /// An `if` or `{ … }` without `;` (a [`StmtKind::Expr`]): a statement, or
    /// the block's tail if it comes last.
    block_like: bool,
}

impl PStmt {
    /// A lone `;`.
    pub(crate) fn empty() -> Self {
        PStmt {
            stmt: None,
            block_like: false,
        }
    }
}

/// Gathers the heights of a node's children while unwrapping them.
#[derive(Debug, Default)]
struct Kids {
    height: u32,
    deepest: Option<Span>,
}

impl Kids {
    fn take<T>(&mut self, child: Deep<T>) -> T {
        if child.height > self.height || self.deepest.is_none() {
            self.height = self.height.max(child.height);
            self.deepest = Some(child.deepest);
        }
        child.node
    }

    fn take_opt<T>(&mut self, child: Option<Deep<T>>) -> Option<T> {
        child.map(|c| self.take(c))
    }

    fn take_all<T>(&mut self, children: Vec<Deep<T>>) -> Vec<T> {
        children.into_iter().map(|c| self.take(c)).collect()
    }
}

/// Builds AST nodes for the grammar's actions; see the module docs.
#[derive(Debug)]
pub(crate) struct Builder<'s> {
    file: FileId,
    text: &'s str,
    next_id: Cell<u32>,
    /// Syntax errors the grammar recovered from.
    errors: RefCell<Vec<SyntaxError<'s>>>,
    /// Other diagnostics found while building (bad `use`, bad tuple index).
    diags: RefCell<Vec<Diagnostic>>,
    /// Where nesting first exceeded [`MAX_DEPTH`].
    too_deep: Cell<Option<Span>>,
}

impl<'s> Builder<'s> {
    pub(crate) fn new(file: FileId, text: &'s str) -> Self {
        Builder {
            file,
            text,
            next_id: Cell::new(0),
            errors: RefCell::new(Vec::new()),
            diags: RefCell::new(Vec::new()),
            too_deep: Cell::new(None),
        }
    }

    /// The recovered syntax errors, other diagnostics, and where nesting
    /// first went too deep (if it did).
    pub(crate) fn finish(self) -> (Vec<SyntaxError<'s>>, Vec<Diagnostic>, Option<Span>) {
        (
            self.errors.into_inner(),
            self.diags.into_inner(),
            self.too_deep.get(),
        )
    }

    /// The span `lo..hi`, kept inside the file and in order whatever error
    /// recovery reports as the bounds of skipped text.
    pub(crate) fn span(&self, lo: usize, hi: usize) -> Span {
        let len = self.text.len();
        let (lo, hi) = (lo.min(len), hi.min(len));
        Span::new(self.file, lo.min(hi), hi.max(lo))
    }

    /// Records an error the grammar recovered from.
    pub(crate) fn recover(&self, e: ErrorRecovery<usize, Tok<'s>, Infallible>) {
        self.errors.borrow_mut().push(e.error);
    }

    fn fresh_id(&self) -> ExprId {
        let id = self.next_id.get();
        self.next_id.set(id.saturating_add(1));
        ExprId(id)
    }

    /// Wraps `node` one level above its children, unless that is too deep.
    fn level<T>(&self, kids: Kids, node: T, span: Span, error: impl FnOnce() -> T) -> Deep<T> {
        let height = kids.height + 1;
        let deepest = kids.deepest.unwrap_or(span);
        if height <= MAX_DEPTH {
            return Deep {
                node,
                height,
                deepest,
            };
        }
        if self.too_deep.get().is_none() {
            self.too_deep.set(Some(deepest));
        }
        drop(node);
        Deep {
            node: error(),
            height,
            deepest,
        }
    }

    fn expr(&self, kids: Kids, kind: ExprKind, span: Span) -> Deep<Expr> {
        let id = self.fresh_id();
        self.level(kids, Expr { id, kind, span }, span, || Expr {
            id,
            kind: ExprKind::Error,
            span,
        })
    }

    // ----- names -----

    pub(crate) fn ident(&self, name: &str, lo: usize, hi: usize) -> Ident {
        Ident {
            name: name.to_string(),
            span: self.span(lo, hi),
        }
    }

    pub(crate) fn path(&self, first: Ident, rest: Vec<Ident>) -> Path {
        let mut span = first.span;
        if let Some(last) = rest.last() {
            span = span.to(last.span);
        }
        let mut segments = Vec::with_capacity(rest.len() + 1);
        segments.push(first);
        segments.extend(rest);
        Path { segments, span }
    }

    // ----- expressions -----

    pub(crate) fn int(&self, lit: IntLit, lo: usize, hi: usize) -> Deep<Expr> {
        let kind = ExprKind::Int {
            value: lit.value,
            suffix: lit.suffix,
        };
        self.expr(Kids::default(), kind, self.span(lo, hi))
    }

    pub(crate) fn bool(&self, value: bool, lo: usize, hi: usize) -> Deep<Expr> {
        self.expr(Kids::default(), ExprKind::Bool(value), self.span(lo, hi))
    }

    pub(crate) fn name(&self, path: Path) -> Deep<Expr> {
        let span = path.span;
        self.expr(Kids::default(), ExprKind::Name(path), span)
    }

    pub(crate) fn unary(&self, op: UnOp, e: Deep<Expr>, lo: usize, hi: usize) -> Deep<Expr> {
        let mut k = Kids::default();
        let e = Box::new(k.take(e));
        self.expr(k, ExprKind::Unary(op, e), self.span(lo, hi))
    }

    pub(crate) fn binary(&self, op: BinOp, l: Deep<Expr>, r: Deep<Expr>) -> Deep<Expr> {
        let mut k = Kids::default();
        let (l, r) = (k.take(l), k.take(r));
        let span = l.span.to(r.span);
        self.expr(k, ExprKind::Binary(op, Box::new(l), Box::new(r)), span)
    }

    pub(crate) fn cast(&self, e: Deep<Expr>, ty: Deep<TypeExpr>) -> Deep<Expr> {
        let mut k = Kids::default();
        let (e, ty) = (k.take(e), k.take(ty));
        let span = e.span.to(ty.span);
        self.expr(k, ExprKind::Cast(Box::new(e), ty), span)
    }

    pub(crate) fn call(&self, callee: Path, args: Vec<Deep<Expr>>, hi: usize) -> Deep<Expr> {
        let mut k = Kids::default();
        let args = k.take_all(args);
        let span = self.span(callee.span.start as usize, hi);
        self.expr(k, ExprKind::Call { callee, args }, span)
    }

    pub(crate) fn reveal(&self, e: Deep<Expr>, lo: usize, hi: usize) -> Deep<Expr> {
        let mut k = Kids::default();
        let e = Box::new(k.take(e));
        self.expr(k, ExprKind::Reveal(e), self.span(lo, hi))
    }

    pub(crate) fn index(&self, base: Deep<Expr>, index: Deep<Expr>, hi: usize) -> Deep<Expr> {
        let mut k = Kids::default();
        let (base, index) = (k.take(base), k.take(index));
        let span = self.span(base.span.start as usize, hi);
        self.expr(k, ExprKind::Index(Box::new(base), Box::new(index)), span)
    }

    pub(crate) fn field(&self, base: Deep<Expr>, name: Ident) -> Deep<Expr> {
        let mut k = Kids::default();
        let base = k.take(base);
        let span = base.span.to(name.span);
        self.expr(k, ExprKind::Field(Box::new(base), name), span)
    }

    /// `t.0`. The index must be a plain decimal number without suffix.
    pub(crate) fn tuple_field(
        &self,
        base: Deep<Expr>,
        lit: IntLit,
        lo: usize,
        hi: usize,
    ) -> Deep<Expr> {
        let index_span = self.span(lo, hi);
        let text = self.text.get(lo..hi).unwrap_or("");
        let index = if text.bytes().all(|b| b.is_ascii_digit()) {
            text.parse::<u32>().ok()
        } else {
            None
        };
        let index = match index {
            Some(i) => i,
            None => {
                if lit.valid {
                    self.diags.borrow_mut().push(
                        Diagnostic::error(
                            "E0001",
                            format!("invalid tuple index `{text}`"),
                            index_span,
                        )
                        .label("expected a plain decimal number")
                        .with_help("tuple fields are numbered `.0`, `.1`, … without suffix"),
                    );
                }
                0
            }
        };
        let mut k = Kids::default();
        let base = k.take(base);
        let span = base.span.to(index_span);
        self.expr(
            k,
            ExprKind::TupleField(Box::new(base), index, index_span),
            span,
        )
    }

    /// `(e)` is `e` itself, its span widened to the parentheses.
    pub(crate) fn paren(&self, mut e: Deep<Expr>, lo: usize, hi: usize) -> Deep<Expr> {
        e.node.span = self.span(lo, hi);
        e
    }

    pub(crate) fn tuple(&self, elems: Vec<Deep<Expr>>, lo: usize, hi: usize) -> Deep<Expr> {
        let mut k = Kids::default();
        let elems = k.take_all(elems);
        self.expr(k, ExprKind::Tuple(elems), self.span(lo, hi))
    }

    /// `(first, rest…)`: a tuple of at least one element.
    pub(crate) fn tuple_of(
        &self,
        first: Deep<Expr>,
        mut rest: Vec<Deep<Expr>>,
        lo: usize,
        hi: usize,
    ) -> Deep<Expr> {
        rest.insert(0, first);
        self.tuple(rest, lo, hi)
    }

    pub(crate) fn array(&self, elems: Vec<Deep<Expr>>, lo: usize, hi: usize) -> Deep<Expr> {
        let mut k = Kids::default();
        let elems = k.take_all(elems);
        self.expr(k, ExprKind::Array(elems), self.span(lo, hi))
    }

    pub(crate) fn repeat(&self, e: Deep<Expr>, n: Deep<Expr>, lo: usize, hi: usize) -> Deep<Expr> {
        let mut k = Kids::default();
        let (e, n) = (k.take(e), k.take(n));
        self.expr(
            k,
            ExprKind::ArrayRepeat(Box::new(e), Box::new(n)),
            self.span(lo, hi),
        )
    }

    pub(crate) fn struct_lit(
        &self,
        name: Path,
        fields: Vec<(Ident, Deep<Expr>)>,
        hi: usize,
    ) -> Deep<Expr> {
        let mut k = Kids::default();
        let fields = fields.into_iter().map(|(f, e)| (f, k.take(e))).collect();
        let span = self.span(name.span.start as usize, hi);
        self.expr(k, ExprKind::StructLit { name, fields }, span)
    }

    pub(crate) fn if_(
        &self,
        cond: Deep<Expr>,
        then: Deep<Block>,
        else_: Option<Deep<Expr>>,
        lo: usize,
        hi: usize,
    ) -> Deep<Expr> {
        let mut k = Kids::default();
        let cond = Box::new(k.take(cond));
        let then = k.take(then);
        let else_ = k.take_opt(else_).map(Box::new);
        self.expr(k, ExprKind::If { cond, then, else_ }, self.span(lo, hi))
    }

    pub(crate) fn block_expr(&self, block: Deep<Block>) -> Deep<Expr> {
        let mut k = Kids::default();
        let block = k.take(block);
        let span = block.span;
        self.expr(k, ExprKind::Block(block), span)
    }

    // ----- blocks and statements -----

    /// `{ stmts tail }`. A block-like statement in last place without `;`
    /// becomes the tail, as in Rust.
    pub(crate) fn block(
        &self,
        stmts: Vec<PStmt>,
        tail: Option<Deep<Expr>>,
        lo: usize,
        hi: usize,
    ) -> Deep<Block> {
        let span = self.span(lo, hi);
        let mut k = Kids::default();
        let mut tail = k.take_opt(tail).map(Box::new);
        let count = stmts.len();
        let mut out = Vec::with_capacity(count);
        for (i, s) in stmts.into_iter().enumerate() {
            let Some(stmt) = s.stmt else { continue };
            let stmt = k.take(stmt);
            match stmt.kind {
                StmtKind::Expr(e) if s.block_like && i + 1 == count && tail.is_none() => {
                    tail = Some(Box::new(e));
                }
                kind => out.push(Stmt {
                    kind,
                    span: stmt.span,
                }),
            }
        }
        let block = Block {
            stmts: out,
            tail,
            span,
        };
        self.level(k, block, span, || Block {
            stmts: Vec::new(),
            tail: None,
            span,
        })
    }

    /// A statement: as high as its highest child (statements add no level).
    fn stmt(&self, kids: Kids, kind: StmtKind, lo: usize, hi: usize) -> PStmt {
        let span = self.span(lo, hi);
        PStmt {
            stmt: Some(Deep {
                node: Stmt { kind, span },
                height: kids.height,
                deepest: kids.deepest.unwrap_or(span),
            }),
            block_like: false,
        }
    }

    /// An `if` or block expression standing as a statement without `;`.
    pub(crate) fn block_like(&self, e: Deep<Expr>) -> PStmt {
        let span = e.node.span;
        let mut k = Kids::default();
        let e = k.take(e);
        let mut s = self.stmt(k, StmtKind::Expr(e), span.start as usize, span.end as usize);
        s.block_like = true;
        s
    }

    /// A statement the parser skipped after an error.
    pub(crate) fn error_stmt(&self, lo: usize, hi: usize) -> PStmt {
        self.stmt(Kids::default(), StmtKind::Error, lo, hi)
    }

    pub(crate) fn let_(
        &self,
        pattern: Deep<Pattern>,
        ty: Option<Deep<TypeExpr>>,
        init: Deep<Expr>,
        lo: usize,
        hi: usize,
    ) -> PStmt {
        let mut k = Kids::default();
        let pattern = k.take(pattern);
        let ty = k.take_opt(ty);
        let init = k.take(init);
        self.stmt(k, StmtKind::Let { pattern, ty, init }, lo, hi)
    }

    pub(crate) fn assign(
        &self,
        place: Deep<Expr>,
        op: Option<BinOp>,
        value: Deep<Expr>,
        lo: usize,
        hi: usize,
    ) -> PStmt {
        let mut k = Kids::default();
        let (place, value) = (k.take(place), k.take(value));
        self.stmt(k, StmtKind::Assign { place, op, value }, lo, hi)
    }

    pub(crate) fn output(
        &self,
        name: Ident,
        value: Deep<Expr>,
        recipients: Option<Vec<Ident>>,
        lo: usize,
        hi: usize,
    ) -> PStmt {
        let mut k = Kids::default();
        let value = k.take(value);
        let kind = StmtKind::Output {
            name,
            value,
            recipients,
        };
        self.stmt(k, kind, lo, hi)
    }

    pub(crate) fn return_(&self, e: Option<Deep<Expr>>, lo: usize, hi: usize) -> PStmt {
        let mut k = Kids::default();
        let e = k.take_opt(e);
        self.stmt(k, StmtKind::Return(e), lo, hi)
    }

    /// `for var in start..end body`; `range` is `(start, inclusive, end)`.
    pub(crate) fn for_(
        &self,
        var: Ident,
        range: (Deep<Expr>, bool, Deep<Expr>),
        body: Deep<Block>,
        lo: usize,
        hi: usize,
    ) -> PStmt {
        let (start, inclusive, end) = range;
        let mut k = Kids::default();
        let (start, end, body) = (k.take(start), k.take(end), k.take(body));
        let kind = StmtKind::For {
            var,
            start,
            end,
            inclusive,
            body,
        };
        self.stmt(k, kind, lo, hi)
    }

    pub(crate) fn expr_stmt(&self, e: Deep<Expr>, lo: usize, hi: usize) -> PStmt {
        let mut k = Kids::default();
        let e = k.take(e);
        self.stmt(k, StmtKind::Expr(e), lo, hi)
    }

    // ----- types -----

    fn ty(&self, kids: Kids, kind: TypeExprKind, span: Span) -> Deep<TypeExpr> {
        self.level(kids, TypeExpr { kind, span }, span, || TypeExpr {
            kind: TypeExprKind::Error,
            span,
        })
    }

    pub(crate) fn ty_named(&self, path: Path) -> Deep<TypeExpr> {
        let span = path.span;
        self.ty(Kids::default(), TypeExprKind::Named(path), span)
    }

    pub(crate) fn ty_labeled(
        &self,
        label: LabelKw,
        t: Deep<TypeExpr>,
        lo: usize,
        hi: usize,
    ) -> Deep<TypeExpr> {
        let mut k = Kids::default();
        let t = Box::new(k.take(t));
        self.ty(k, TypeExprKind::Labeled(label, t), self.span(lo, hi))
    }

    pub(crate) fn ty_array(
        &self,
        t: Deep<TypeExpr>,
        n: Deep<Expr>,
        lo: usize,
        hi: usize,
    ) -> Deep<TypeExpr> {
        let mut k = Kids::default();
        let (t, n) = (k.take(t), k.take(n));
        self.ty(
            k,
            TypeExprKind::Array(Box::new(t), Box::new(n)),
            self.span(lo, hi),
        )
    }

    pub(crate) fn ty_tuple(
        &self,
        elems: Vec<Deep<TypeExpr>>,
        lo: usize,
        hi: usize,
    ) -> Deep<TypeExpr> {
        let mut k = Kids::default();
        let elems = k.take_all(elems);
        self.ty(k, TypeExprKind::Tuple(elems), self.span(lo, hi))
    }

    /// `(T)` is `T` itself.
    pub(crate) fn ty_paren(&self, mut t: Deep<TypeExpr>, lo: usize, hi: usize) -> Deep<TypeExpr> {
        t.node.span = self.span(lo, hi);
        t
    }

    // ----- patterns -----

    pub(crate) fn pat_bind(
        &self,
        mutable: bool,
        name: Ident,
        lo: usize,
        hi: usize,
    ) -> Deep<Pattern> {
        Deep::leaf(Pattern::Bind { mutable, name }, 1, self.span(lo, hi))
    }

    pub(crate) fn pat_wildcard(&self, lo: usize, hi: usize) -> Deep<Pattern> {
        let span = self.span(lo, hi);
        Deep::leaf(Pattern::Wildcard(span), 1, span)
    }

    pub(crate) fn pat_tuple(
        &self,
        elems: Vec<Deep<Pattern>>,
        lo: usize,
        hi: usize,
    ) -> Deep<Pattern> {
        let span = self.span(lo, hi);
        let mut k = Kids::default();
        let elems = k.take_all(elems);
        self.level(k, Pattern::Tuple(elems, span), span, || {
            Pattern::Wildcard(span)
        })
    }

    // ----- items -----

    pub(crate) fn param(
        &self,
        mutable: bool,
        name: Ident,
        ty: Deep<TypeExpr>,
        from: Option<Ident>,
        lo: usize,
        hi: usize,
    ) -> Param {
        Param {
            mutable,
            name,
            ty: ty.node,
            from,
            span: self.span(lo, hi),
        }
    }

    pub(crate) fn fn_decl(
        &self,
        name: Ident,
        params: Vec<Param>,
        ret: Option<Deep<TypeExpr>>,
        body: Deep<Block>,
        lo: usize,
        hi: usize,
    ) -> Option<Item> {
        Some(Item::Fn(FnDecl {
            name,
            params,
            ret: ret.map(|t| t.node),
            body: body.node,
            span: self.span(lo, hi),
        }))
    }

    pub(crate) fn const_decl(
        &self,
        name: Ident,
        ty: Deep<TypeExpr>,
        value: Deep<Expr>,
        lo: usize,
        hi: usize,
    ) -> Option<Item> {
        Some(Item::Const(ConstDecl {
            name,
            ty: ty.node,
            value: value.node,
            span: self.span(lo, hi),
        }))
    }

    pub(crate) fn struct_decl(
        &self,
        name: Ident,
        fields: Vec<(Ident, Deep<TypeExpr>)>,
        lo: usize,
        hi: usize,
    ) -> Option<Item> {
        Some(Item::Struct(StructDecl {
            name,
            fields: fields.into_iter().map(|(f, t)| (f, t.node)).collect(),
            span: self.span(lo, hi),
        }))
    }

    /// `use std::a::b;`. Any other path is reported and the item dropped.
    pub(crate) fn use_std(&self, path: Path, lo: usize, hi: usize) -> Option<Item> {
        let span = self.span(lo, hi);
        let mut segments = path.segments.into_iter();
        let first = segments.next()?;
        let rest: Vec<Ident> = segments.collect();
        if first.name == "std" && !rest.is_empty() {
            return Some(Item::Use(UseDecl {
                target: UseTarget::Std(rest),
                span,
            }));
        }
        let (message, at) = if first.name == "std" {
            ("expected a module name after `std`".to_string(), first.span)
        } else {
            (
                format!("expected `std` or a file name, found `{}`", first.name),
                first.span,
            )
        };
        self.diags.borrow_mut().push(
            Diagnostic::error("E0001", message, at)
                .label("`use` imports a library module or a file")
                .with_help(
                    "write `use std::NAME;` for a standard-library module or \
                     `use \"file.mpc\";` for a local file",
                ),
        );
        None
    }

    /// `use "path.mpc";`
    pub(crate) fn use_file(
        &self,
        path: &str,
        plo: usize,
        phi: usize,
        lo: usize,
        hi: usize,
    ) -> Option<Item> {
        Some(Item::Use(UseDecl {
            target: UseTarget::File {
                path: path.to_string(),
                span: self.span(plo, phi),
            },
            span: self.span(lo, hi),
        }))
    }
}
