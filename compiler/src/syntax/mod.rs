//! Source text to AST: a logos lexer and a lalrpop grammar (`grammar/veil.lalrpop`).
//!
//! [`parse`] is tolerant: it reports every lexical and syntax error it can
//! find in one run and returns whatever it could read, leaving an
//! [`ast::StmtKind::Error`] where it skipped part of a block and dropping
//! items it could not read. It guarantees: it never panics; every span it
//! produces (in diagnostics and in the tree) lies within the file; error
//! nodes appear only alongside an error diagnostic; expression ids are dense
//! from 0 in post-order (operands before the expressions that use them); and
//! the tree is at most [`MAX_DEPTH`] levels deep, so later recursive phases
//! cannot overflow the stack (a deeper file is reported as E0005 and yields
//! an empty module).
//!
//! It does not resolve names, check types, or fit literals to types: `-128i8`
//! is a negation of `128i8`, and `u8` is just a name.
//!
//! Error codes defined here (the lexer, `lexer.rs`, defines E0002–E0004 and E0006):
//! - **E0001** syntax error: an unexpected token or an unexpected end of
//!   file ("expected …, found …"), an invalid tuple index, or a `use` that
//!   names neither `std::…` nor a file.
//! - **E0005** nested too deeply: brackets, or expressions, blocks, types
//!   and patterns in the tree, nested more than [`MAX_DEPTH`] levels.

pub mod ast;
mod builder;
mod lexer;

use lalrpop_util::ParseError;

use crate::diagnostic::Diagnostic;
use crate::span::{FileId, Span};
use ast::{Block, Expr, ExprKind, Item, SourceModule, Stmt, StmtKind, TypeExpr, TypeExprKind};
pub use builder::MAX_DEPTH;
use builder::{Builder, SyntaxError};
use lexer::{Spanned, Tok};

lalrpop_util::lalrpop_mod!(
    #[allow(
        clippy::all,
        clippy::pedantic,
        clippy::unwrap_used,
        unused,
        unused_qualifications,
        unreachable_pub,
        missing_debug_implementations,
        rust_2018_idioms,
        trivial_casts
    )]
    grammar,
    "/veil.rs"
);

/// Parses one file. Returns the module and every diagnostic (lexical and
/// syntax errors), sorted by position. See the module docs for guarantees.
pub fn parse(file: FileId, text: &str) -> (SourceModule, Vec<Diagnostic>) {
    let (tokens, mut diags) = lexer::lex(file, text);
    // Brackets nested beyond the limit would only make an over-deep tree,
    // and the parser's error recovery slows down with the depth of its
    // stack; so such a file is rejected before parsing.
    if let Some(at) = too_deeply_bracketed(&tokens) {
        diags.push(too_deep_diagnostic(Span::new(file, at.0, at.1)));
        diags.sort_by_key(|d| (d.primary.span.start, d.primary.span.end));
        return (empty_module(), diags);
    }
    let builder = Builder::new(file, text);
    let result =
        grammar::ModuleParser::new().parse(&builder, tokens.iter().map(|&t| Ok::<_, _>(t)));
    let (items, fatal) = match result {
        Ok(items) => (items, None),
        Err(e) => (Vec::new(), Some(e)),
    };
    let (errors, build_diags, too_deep) = builder.finish();
    let ctx = ErrorContext {
        file,
        text,
        tokens: &tokens,
    };
    diags.extend(errors.into_iter().chain(fatal).map(|e| ctx.diagnostic(e)));
    diags.extend(build_diags);
    if let Some(at) = too_deep {
        diags.push(too_deep_diagnostic(at));
    }
    diags.sort_by_key(|d| (d.primary.span.start, d.primary.span.end));
    diags.dedup();

    if too_deep.is_some() {
        return (empty_module(), diags);
    }

    let mut module = SourceModule {
        items,
        expr_count: 0,
    };
    module.expr_count = renumber(&mut module.items);
    (module, diags)
}

fn empty_module() -> SourceModule {
    SourceModule {
        items: Vec::new(),
        expr_count: 0,
    }
}

/// E0005 at the point where nesting exceeds [`MAX_DEPTH`].
fn too_deep_diagnostic(at: Span) -> Diagnostic {
    Diagnostic::error(
        "E0005",
        format!("program is nested too deeply (more than {MAX_DEPTH} levels)"),
        at,
    )
    .label("nesting exceeds the limit here")
    .with_help("split the expression into `let` bindings or helper functions")
}

/// The first opening bracket nested more than [`MAX_DEPTH`] deep, if any.
fn too_deeply_bracketed(tokens: &[Spanned<'_>]) -> Option<(usize, usize)> {
    let mut depth = 0u32;
    for &(lo, tok, hi) in tokens {
        match tok {
            Tok::LParen | Tok::LBracket | Tok::LBrace => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some((lo, hi));
                }
            }
            Tok::RParen | Tok::RBracket | Tok::RBrace => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// The spans of a file's tokens, in order (comments and whitespace excluded).
/// Lexical errors are ignored here; [`parse`] reports them. Useful to edit a
/// program token by token (the parser's fuzz tests) or to highlight it.
pub fn tokens(file: FileId, text: &str) -> Vec<Span> {
    lexer::lex(file, text)
        .0
        .into_iter()
        .map(|(lo, _, hi)| Span::new(file, lo, hi))
        .collect()
}

// ---------------------------------------------------------------- ids

/// Gives every expression a dense id in post-order (children first, left to
/// right) and returns the count. Error recovery may drop expressions after
/// they got a provisional id, so the ids are assigned afresh here. Recursion
/// is bounded by [`MAX_DEPTH`].
fn renumber(items: &mut [Item]) -> u32 {
    let mut next = 0u32;
    for item in items {
        match item {
            Item::Fn(f) => {
                for p in &mut f.params {
                    renumber_type(&mut p.ty, &mut next);
                }
                if let Some(t) = &mut f.ret {
                    renumber_type(t, &mut next);
                }
                renumber_block(&mut f.body, &mut next);
            }
            Item::Const(c) => {
                renumber_type(&mut c.ty, &mut next);
                renumber_expr(&mut c.value, &mut next);
            }
            Item::Struct(s) => {
                for (_, t) in &mut s.fields {
                    renumber_type(t, &mut next);
                }
            }
            Item::Party(_) | Item::Use(_) => {}
        }
    }
    next
}

fn renumber_type(t: &mut TypeExpr, next: &mut u32) {
    match &mut t.kind {
        TypeExprKind::Labeled(_, inner) => renumber_type(inner, next),
        TypeExprKind::Array(elem, len) => {
            renumber_type(elem, next);
            renumber_expr(len, next);
        }
        TypeExprKind::Tuple(elems) => {
            for e in elems {
                renumber_type(e, next);
            }
        }
        TypeExprKind::Named(_) | TypeExprKind::Error => {}
    }
}

fn renumber_block(b: &mut Block, next: &mut u32) {
    for s in &mut b.stmts {
        renumber_stmt(s, next);
    }
    if let Some(t) = &mut b.tail {
        renumber_expr(t, next);
    }
}

fn renumber_stmt(s: &mut Stmt, next: &mut u32) {
    match &mut s.kind {
        StmtKind::Let { ty, init, .. } => {
            if let Some(t) = ty {
                renumber_type(t, next);
            }
            renumber_expr(init, next);
        }
        StmtKind::Assign { place, value, .. } => {
            renumber_expr(place, next);
            renumber_expr(value, next);
        }
        StmtKind::Output { value, .. } => renumber_expr(value, next),
        StmtKind::Return(e) => {
            if let Some(e) = e {
                renumber_expr(e, next);
            }
        }
        StmtKind::For {
            start, end, body, ..
        } => {
            renumber_expr(start, next);
            renumber_expr(end, next);
            renumber_block(body, next);
        }
        StmtKind::Expr(e) => renumber_expr(e, next),
        StmtKind::Error => {}
    }
}

fn renumber_expr(e: &mut Expr, next: &mut u32) {
    match &mut e.kind {
        ExprKind::Int { .. } | ExprKind::Bool(_) | ExprKind::Name(_) | ExprKind::Error => {}
        ExprKind::Unary(_, x)
        | ExprKind::Reveal(x)
        | ExprKind::Field(x, _)
        | ExprKind::TupleField(x, _, _) => renumber_expr(x, next),
        ExprKind::Binary(_, l, r) | ExprKind::Index(l, r) | ExprKind::ArrayRepeat(l, r) => {
            renumber_expr(l, next);
            renumber_expr(r, next);
        }
        ExprKind::Call { args: xs, .. } | ExprKind::Tuple(xs) | ExprKind::Array(xs) => {
            for x in xs {
                renumber_expr(x, next);
            }
        }
        ExprKind::StructLit { fields, .. } => {
            for (_, x) in fields {
                renumber_expr(x, next);
            }
        }
        ExprKind::Cast(x, t) => {
            renumber_expr(x, next);
            renumber_type(t, next);
        }
        ExprKind::If { cond, then, else_ } => {
            renumber_expr(cond, next);
            renumber_block(then, next);
            if let Some(x) = else_ {
                renumber_expr(x, next);
            }
        }
        ExprKind::Block(b) => renumber_block(b, next),
    }
    e.id = ast::ExprId(*next);
    *next = next.saturating_add(1);
}

// ---------------------------------------------------------------- syntax errors

/// What turning a lalrpop error into a diagnostic needs to know.
struct ErrorContext<'a, 's> {
    file: FileId,
    text: &'s str,
    tokens: &'a [Spanned<'s>],
}

impl<'s> ErrorContext<'_, 's> {
    fn span(&self, lo: usize, hi: usize) -> Span {
        let len = self.text.len();
        Span::new(self.file, lo.min(len), hi.min(len).max(lo.min(len)))
    }

    /// E0001 from a lalrpop error: "expected …, found …", with a help line
    /// for the common mistakes.
    fn diagnostic(&self, err: SyntaxError<'_>) -> Diagnostic {
        match err {
            ParseError::UnrecognizedToken {
                token: (lo, tok, hi),
                expected,
            } => self.unexpected_token(lo, tok, hi, &expected),
            ParseError::ExtraToken {
                token: (lo, tok, hi),
            } => self.unexpected_token(lo, tok, hi, &[]),
            ParseError::UnrecognizedEof { expected, .. } => self.unexpected_eof(&expected),
            ParseError::InvalidToken { location } => {
                Diagnostic::error("E0001", "invalid token", self.span(location, location))
                    .label("not expected here")
            }
            ParseError::User { error } => match error {},
        }
    }

    fn unexpected_token(
        &self,
        lo: usize,
        tok: Tok<'_>,
        hi: usize,
        expected: &[String],
    ) -> Diagnostic {
        let names = friendly_expected(expected);
        let found = self.describe(tok, lo, hi);
        let message = if names.is_empty() {
            format!("unexpected {found}")
        } else {
            format!("expected {}, found {found}", join_alternatives(&names))
        };
        let mut diag = Diagnostic::error("E0001", message, self.span(lo, hi))
            .label(format!("unexpected {found}"));
        let expects = |s: &str| expected.iter().any(|e| e == s);

        let previous = self.previous_token(lo);
        if expects("\";\"") && tok != Tok::Semi {
            // A missing `;` is best shown where it belongs: at the end of the
            // previous line, or before a `}` or a new statement.
            if let Some((_, _, prev_end)) = previous {
                let gap = self.text.get(prev_end..lo).unwrap_or("");
                let starts_statement = matches!(
                    tok,
                    Tok::RBrace | Tok::Let | Tok::Output | Tok::Return | Tok::For
                );
                if gap.contains('\n') || starts_statement {
                    let help = if gap.contains('\n') {
                        "add `;` at the end of the previous line".to_string()
                    } else {
                        format!("add `;` before {found}")
                    };
                    diag = diag
                        .with_secondary(self.span(prev_end, prev_end), "`;` missing here")
                        .with_help(help);
                }
            }
        }
        let comparison = matches!(
            tok,
            Tok::EqEq | Tok::Ne | Tok::Lt | Tok::Le | Tok::Gt | Tok::Ge
        );
        if comparison && !expects("\"==\"") {
            diag = diag
                .with_help("comparison operators cannot be chained; combine comparisons with `&&`");
        } else if tok == Tok::Eq && expects("\"==\"") {
            diag = diag.with_help("use `==` to compare; `=` assigns and is a statement of its own");
        } else if let Some((_, Tok::Ident(word @ ("while" | "loop")), _)) = previous {
            diag = diag.with_help(format!(
                "Veil has no `{word}` loops; loop with `for i in a..b {{ … }}` over public bounds"
            ));
        } else if expects("\"fn\"")
            && matches!(
                tok,
                Tok::Let | Tok::Output | Tok::Return | Tok::For | Tok::If
            )
        {
            diag = diag.with_help("statements belong inside a function such as `fn main() { … }`");
        } else if tok.is_keyword() && expects("Ident") {
            diag = diag.with_help(format!(
                "`{}` is a keyword and cannot be used as a name",
                self.text.get(lo..hi).unwrap_or("")
            ));
        }
        diag
    }

    fn unexpected_eof(&self, expected: &[String]) -> Diagnostic {
        let names = friendly_expected(expected);
        let end = self.text.len();
        let message = if names.is_empty() {
            "unexpected end of file".to_string()
        } else {
            format!("expected {}, found end of file", join_alternatives(&names))
        };
        let mut diag =
            Diagnostic::error("E0001", message, self.span(end, end)).label("the file ends here");
        if let Some((lo, hi, open)) = self.unclosed_delimiter() {
            diag = diag.with_secondary(self.span(lo, hi), format!("this `{open}` is never closed"));
        }
        diag
    }

    /// How a token is named in "found …".
    fn describe(&self, tok: Tok<'_>, lo: usize, hi: usize) -> String {
        let text = self.text.get(lo..hi).unwrap_or("");
        let short: String = text.chars().take(24).collect();
        let ellipsis = if short.len() < text.len() { "…" } else { "" };
        match tok {
            Tok::Ident(_) => format!("identifier `{short}{ellipsis}`"),
            Tok::Int(_) => format!("integer `{short}{ellipsis}`"),
            Tok::Str(_) => format!("string {short}{ellipsis}"),
            t if t.is_keyword() => format!("keyword `{short}`"),
            _ => format!("`{short}`"),
        }
    }

    /// The token just before offset `lo`.
    fn previous_token(&self, lo: usize) -> Option<Spanned<'s>> {
        let i = self.tokens.partition_point(|&(start, _, _)| start < lo);
        i.checked_sub(1).and_then(|p| self.tokens.get(p).copied())
    }

    /// The last opening bracket without its closing partner, if any.
    fn unclosed_delimiter(&self) -> Option<(usize, usize, &'static str)> {
        let mut stack: Vec<(usize, usize, Tok<'_>)> = Vec::new();
        for &(lo, tok, hi) in self.tokens {
            let opener = match tok {
                Tok::LParen | Tok::LBracket | Tok::LBrace => {
                    stack.push((lo, hi, tok));
                    continue;
                }
                Tok::RParen => Tok::LParen,
                Tok::RBracket => Tok::LBracket,
                Tok::RBrace => Tok::LBrace,
                _ => continue,
            };
            // Pop to the matching opener; an unmatched closer is ignored.
            if let Some(pos) = stack.iter().rposition(|&(_, _, t)| t == opener) {
                stack.truncate(pos);
            }
        }
        stack.pop().map(|(lo, hi, tok)| {
            let open = match tok {
                Tok::LParen => "(",
                Tok::LBracket => "[",
                _ => "{",
            };
            (lo, hi, open)
        })
    }
}

/// Groups of tokens named together when all (or the telling ones) are expected.
struct Group {
    /// Present in the expected set when the group applies; a token that
    /// only ever starts (or, for operators, continues) that construct.
    trigger: &'static str,
    /// Terminals the group's name replaces.
    members: &'static [&'static str],
    name: &'static str,
    /// Where the name goes in the list (lower comes first).
    rank: u8,
}

const EXPR_START: &[&str] = &[
    "Ident", "Int", "true", "false", "(", "[", "{", "-", "!", "~", "reveal", "if",
];

const GROUPS: &[Group] = &[
    Group {
        trigger: "let",
        members: &[
            "let", "output", "return", "for", ";", "Ident", "Int", "true", "false", "(", "[", "{",
            "-", "!", "~", "reveal", "if",
        ],
        name: "a statement",
        rank: 10,
    },
    Group {
        trigger: "reveal",
        members: EXPR_START,
        name: "an expression",
        rank: 11,
    },
    Group {
        trigger: "secret",
        members: &["secret", "public", "Ident", "(", "["],
        name: "a type",
        rank: 12,
    },
    Group {
        trigger: "fn",
        members: &["party", "fn", "const", "struct", "use"],
        name: "an item",
        rank: 13,
    },
    Group {
        trigger: "+",
        members: &[
            "+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", "==", "!=", "<", "<=", ">", ">=",
            "&&", "||", "as", ".", "[", "+=", "-=", "*=", "/=", "%=", "^=", "&=", "|=", "<<=",
            ">>=",
        ],
        name: "an operator",
        rank: 14,
    },
];

/// Turns lalrpop's expected-terminal list (`"\";\""`, `"Ident"`, …) into a
/// short, deduplicated list of names for a message.
fn friendly_expected(expected: &[String]) -> Vec<String> {
    let mut raw: Vec<&str> = expected
        .iter()
        .map(|e| {
            e.strip_prefix('"')
                .and_then(|e| e.strip_suffix('"'))
                .unwrap_or(e)
        })
        .collect();
    let mut named: Vec<(u8, String)> = Vec::new();
    for g in GROUPS {
        if raw.contains(&g.trigger) {
            raw.retain(|t| !g.members.contains(t));
            named.push((g.rank, g.name.to_string()));
        }
    }
    for t in raw {
        let (rank, name) = match t {
            ";" => (0, "`;`".to_string()),
            "}" => (1, "`}`".to_string()),
            ")" => (2, "`)`".to_string()),
            "]" => (3, "`]`".to_string()),
            "," => (4, "`,`".to_string()),
            "=" => (5, "`=`".to_string()),
            ":" => (6, "`:`".to_string()),
            "Ident" => (7, "identifier".to_string()),
            "Int" => (8, "integer".to_string()),
            "Str" => (9, "string".to_string()),
            other => (9, format!("`{other}`")),
        };
        named.push((rank, name));
    }
    named.sort_by_key(|(rank, _)| *rank);
    let mut names: Vec<String> = Vec::new();
    for (_, n) in named {
        if !names.contains(&n) {
            names.push(n);
        }
    }
    const SHOWN: usize = 8;
    if names.len() > SHOWN {
        names.truncate(SHOWN - 1);
        names.push("…".to_string());
    }
    names
}

/// `a`, `a or b`, `a, b or c`; a list cut short ends in `, …`.
fn join_alternatives(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] if last == "…" => format!("{}, …", init.join(", ")),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests;
