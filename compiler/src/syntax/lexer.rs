//! Source text to tokens, with a logos state machine.
//!
//! The lexer never stops at a bad character: every problem becomes a
//! [`Diagnostic`] and lexing goes on, so one run reports every lexical error
//! and the parser still sees a usable token stream. Invariants: tokens come in
//! source order, their spans are byte offsets on `char` boundaries of the
//! input, and comments and whitespace produce no tokens.
//!
//! Error codes defined here:
//! - **E0002** unrecognised character: a character that starts no token (for
//!   example `$` or a non-ASCII letter); adjacent ones are reported together
//!   and skipped.
//! - **E0003** unterminated block comment: a `/*` whose matching `*/` is
//!   missing (block comments nest, so each `/*` needs its own `*/`); the rest
//!   of the file is treated as comment.
//! - **E0004** bad integer literal: a value that does not fit in 128 bits, a
//!   digit that is not valid in the literal's base, a prefix without digits,
//!   or a suffix that is not `u`/`i` followed by a width in 1..=128. The
//!   literal still becomes a token (with value 0) so parsing goes on.
//! - **E0006** unterminated string literal: a `"` with no closing `"` before
//!   the end of the line. Strings have no escapes; they only name files in
//!   `use "path.mpc";`.

use logos::{Lexer, Logos};

use crate::diagnostic::Diagnostic;
use crate::span::{FileId, Span};
use crate::syntax::ast::IntSuffix;

/// An integer literal as lexed: its value and optional type suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntLit {
    pub value: u128,
    pub suffix: Option<IntSuffix>,
    /// `false` when the literal was malformed (already reported as E0004);
    /// the parser then stays quiet about it.
    pub valid: bool,
}

/// State the lexer carries while it runs: the file (for spans) and the
/// diagnostics its callbacks produce.
#[derive(Debug, Default)]
pub struct LexExtras {
    file: FileId,
    diags: Vec<Diagnostic>,
}

impl LexExtras {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }
}

/// One token of Veil source. Keywords are their own tokens; `u8`, `bool` and
/// `std` are plain identifiers.
#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq)]
#[logos(extras = LexExtras)]
#[logos(skip r"[ \t\r\n\f]+")]
#[logos(skip(r"//[^\n]*", allow_greedy = true))]
#[logos(skip("/\\*", block_comment))]
pub enum Tok<'s> {
    #[token("party")]
    Party,
    #[token("fn")]
    Fn,
    #[token("let")]
    Let,
    #[token("mut")]
    Mut,
    #[token("const")]
    Const,
    #[token("if")]
    If,
    #[token("else")]
    Else,
    #[token("for")]
    For,
    #[token("in")]
    In,
    #[token("return")]
    Return,
    #[token("output")]
    Output,
    #[token("reveal")]
    Reveal,
    #[token("to")]
    To,
    #[token("from")]
    From,
    #[token("secret")]
    Secret,
    #[token("public")]
    Public,
    #[token("true")]
    True,
    #[token("false")]
    False,
    #[token("use")]
    Use,
    #[token("struct")]
    Struct,
    #[token("as")]
    As,

    /// `_` alone: the wildcard pattern.
    #[token("_", priority = 10)]
    Underscore,
    #[regex("[A-Za-z_][A-Za-z0-9_]*", |lex| lex.slice())]
    Ident(&'s str),
    /// Greedy on letters and digits so that `12ab` is one (bad) literal, not
    /// a literal followed by a name.
    #[regex("[0-9][0-9A-Za-z_]*", int_literal)]
    Int(IntLit),
    /// The text between the quotes.
    #[token("\"", string_literal)]
    Str(&'s str),

    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("%")]
    Percent,
    #[token("&")]
    Amp,
    #[token("|")]
    Pipe,
    #[token("^")]
    Caret,
    #[token("!")]
    Bang,
    #[token("~")]
    Tilde,
    #[token("<<")]
    Shl,
    #[token(">>")]
    Shr,
    #[token("==")]
    EqEq,
    #[token("!=")]
    Ne,
    #[token("<")]
    Lt,
    #[token("<=")]
    Le,
    #[token(">")]
    Gt,
    #[token(">=")]
    Ge,
    #[token("&&")]
    AndAnd,
    #[token("||")]
    OrOr,
    #[token("=")]
    Eq,
    #[token("+=")]
    PlusEq,
    #[token("-=")]
    MinusEq,
    #[token("*=")]
    StarEq,
    #[token("/=")]
    SlashEq,
    #[token("%=")]
    PercentEq,
    #[token("^=")]
    CaretEq,
    #[token("&=")]
    AmpEq,
    #[token("|=")]
    PipeEq,
    #[token("<<=")]
    ShlEq,
    #[token(">>=")]
    ShrEq,
    #[token("..")]
    DotDot,
    #[token("..=")]
    DotDotEq,
    #[token("->")]
    Arrow,
    #[token("::")]
    ColonColon,
    #[token(":")]
    Colon,
    #[token(";")]
    Semi,
    #[token(",")]
    Comma,
    #[token(".")]
    Dot,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token("@")]
    At,
}

/// A token with its byte range, as the parser consumes it.
pub type Spanned<'s> = (usize, Tok<'s>, usize);

impl Tok<'_> {
    /// Whether the token is a reserved word (so it cannot name anything).
    pub fn is_keyword(self) -> bool {
        use Tok::*;
        matches!(
            self,
            Party
                | Fn
                | Let
                | Mut
                | Const
                | If
                | Else
                | For
                | In
                | Return
                | Output
                | Reveal
                | To
                | From
                | Secret
                | Public
                | True
                | False
                | Use
                | Struct
                | As
        )
    }
}

/// Lexes a whole file. Returns every token and every lexical diagnostic
/// (E0002, E0003, E0004, E0006), in source order.
pub fn lex(file: FileId, text: &str) -> (Vec<Spanned<'_>>, Vec<Diagnostic>) {
    let mut lexer = Tok::lexer_with_extras(
        text,
        LexExtras {
            file,
            diags: Vec::new(),
        },
    );
    let mut tokens = Vec::new();
    // Runs of unrecognised characters, merged so `€€€` is one diagnostic.
    let mut bad: Vec<std::ops::Range<usize>> = Vec::new();
    while let Some(result) = lexer.next() {
        let range = lexer.span();
        match result {
            Ok(tok) => tokens.push((range.start, tok, range.end)),
            Err(()) => match bad.last_mut() {
                Some(last) if last.end == range.start => last.end = range.end,
                _ => bad.push(range),
            },
        }
    }
    let mut diags = std::mem::take(&mut lexer.extras.diags);
    for range in bad {
        diags.push(unrecognised(file, text, range));
    }
    diags.sort_by_key(|d| (d.primary.span.start, d.primary.span.end));
    (tokens, diags)
}

/// E0002 for a run of characters that start no token.
fn unrecognised(file: FileId, text: &str, range: std::ops::Range<usize>) -> Diagnostic {
    let slice = text.get(range.clone()).unwrap_or("");
    let shown: String = slice
        .chars()
        .take(16)
        .flat_map(char::escape_debug)
        .collect();
    let plural = slice.chars().nth(1).is_some();
    let message = if plural {
        format!("unrecognised characters `{shown}`")
    } else {
        format!("unrecognised character `{shown}`")
    };
    let diag = Diagnostic::error("E0002", message, Span::new(file, range.start, range.end))
        .label("not part of any Veil token");
    let first = slice.chars().next();
    match first {
        Some('\'') => diag.with_help("Veil has no character literals; use an integer"),
        Some('#') => diag.with_help("comments start with `//` or `/*`"),
        Some(c) if !c.is_ascii() => {
            diag.with_help("identifiers and operators use ASCII characters only")
        }
        _ => diag,
    }
}

/// Skips a `/* … */` comment, counting nested `/*` and `*/` pairs. An
/// unclosed comment swallows the rest of the file and reports E0003.
fn block_comment<'s>(lex: &mut Lexer<'s, Tok<'s>>) {
    let rest = lex.remainder().as_bytes();
    let mut depth = 1usize;
    let mut i = 0;
    while i < rest.len() {
        if rest[i..].starts_with(b"/*") {
            depth += 1;
            i += 2;
        } else if rest[i..].starts_with(b"*/") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                lex.bump(i);
                return;
            }
        } else {
            i += 1;
        }
    }
    let open = lex.span();
    lex.bump(rest.len());
    let span = lex.extras.span(open.start, open.end);
    lex.extras.diags.push(
        Diagnostic::error("E0003", "unterminated block comment", span)
            .label("this comment is never closed")
            .with_help("add `*/`; block comments nest, so every `/*` needs its own `*/`"),
    );
}

/// Reads a string literal after its opening `"`: everything up to the next
/// `"` on the same line. Without one, reports E0006 and keeps the text up to
/// the end of the line.
fn string_literal<'s>(lex: &mut Lexer<'s, Tok<'s>>) -> &'s str {
    let rest = lex.remainder();
    match rest.find(['"', '\n']) {
        Some(i) if rest.as_bytes()[i] == b'"' => {
            lex.bump(i + 1);
            &rest[..i]
        }
        found => {
            let len = found.unwrap_or(rest.len());
            let content = rest[..len].trim_end_matches('\r');
            lex.bump(len);
            let start = lex.span().start;
            let span = lex.extras.span(start, start + 1 + content.len());
            lex.extras.diags.push(
                Diagnostic::error("E0006", "unterminated string literal", span)
                    .label("this string is never closed")
                    .with_help("close it with `\"` on the same line"),
            );
            content
        }
    }
}

/// Parses the text of an integer literal; on failure reports E0004 and
/// returns an invalid literal with value 0.
fn int_literal<'s>(lex: &mut Lexer<'s, Tok<'s>>) -> IntLit {
    let start = lex.span().start;
    match parse_int(lex.slice()) {
        Ok((value, suffix)) => IntLit {
            value,
            suffix,
            valid: true,
        },
        Err(err) => {
            let span = lex.extras.span(start + err.at.start, start + err.at.end);
            let mut diag = Diagnostic::error("E0004", err.message, span).label(err.label);
            if let Some(help) = err.help {
                diag = diag.with_help(help);
            }
            lex.extras.diags.push(diag);
            IntLit {
                value: 0,
                suffix: None,
                valid: false,
            }
        }
    }
}

/// Why an integer literal is malformed, relative to the literal's text.
#[derive(Debug)]
struct IntError {
    at: std::ops::Range<usize>,
    message: String,
    label: &'static str,
    help: Option<&'static str>,
}

/// Value and suffix of a literal such as `1_000`, `0xffu8` or `0b1010i4`.
fn parse_int(text: &str) -> Result<(u128, Option<IntSuffix>), IntError> {
    let (radix, base_name, prefix_len) = match text.get(..2) {
        Some("0x") => (16, "hexadecimal", 2),
        Some("0b") => (2, "binary", 2),
        Some("0o") => (8, "octal", 2),
        _ => (10, "decimal", 0),
    };
    let body = &text[prefix_len..];
    // The suffix starts at the first `u` or `i`; neither is a digit in any base.
    let digits_end = body.find(['u', 'i']).unwrap_or(body.len());
    let (digits, suffix_text) = body.split_at(digits_end);

    let mut value: u128 = 0;
    let mut any_digit = false;
    for (offset, c) in digits.char_indices() {
        if c == '_' {
            continue;
        }
        let Some(d) = c.to_digit(radix) else {
            let at = prefix_len + offset;
            return Err(IntError {
                at: at..at + c.len_utf8(),
                message: format!("invalid digit `{c}` in {base_name} literal"),
                label: "not a digit of this base",
                help: (radix == 10 && c.is_ascii_alphabetic()).then_some(
                    "names cannot start with a digit; hexadecimal literals start with `0x`",
                ),
            });
        };
        any_digit = true;
        value = match value
            .checked_mul(u128::from(radix))
            .and_then(|v| v.checked_add(u128::from(d)))
        {
            Some(v) => v,
            None => {
                return Err(IntError {
                    at: 0..text.len(),
                    message: "integer literal is too large: it does not fit in 128 bits".into(),
                    label: "larger than 2^128 - 1",
                    help: None,
                })
            }
        };
    }
    if !any_digit {
        return Err(IntError {
            at: 0..text.len(),
            message: format!("missing digits in {base_name} literal `{text}`"),
            label: "no digits",
            help: None,
        });
    }
    if suffix_text.is_empty() {
        return Ok((value, None));
    }
    let suffix_at = prefix_len + digits_end..text.len();
    let bad_suffix = || IntError {
        at: suffix_at.clone(),
        message: format!("invalid integer suffix `{suffix_text}`"),
        label: "not a type suffix",
        help: Some("a suffix is `u` or `i` followed by a width from 1 to 128, as in `7u8`"),
    };
    let signed = suffix_text.starts_with('i');
    let width = &suffix_text[1..];
    if width.is_empty() || !width.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad_suffix());
    }
    match width.parse::<u32>() {
        Ok(bits @ 1..=128) => Ok((value, Some(IntSuffix { signed, bits }))),
        _ => Err(bad_suffix()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Tok<'_>> {
        let (tokens, diags) = lex(FileId(0), text);
        assert!(diags.is_empty(), "unexpected diagnostics: {diags:?}");
        tokens.into_iter().map(|(_, t, _)| t).collect()
    }

    fn int(value: u128, suffix: Option<(bool, u32)>) -> Tok<'static> {
        Tok::Int(IntLit {
            value,
            suffix: suffix.map(|(signed, bits)| IntSuffix { signed, bits }),
            valid: true,
        })
    }

    fn codes(text: &str) -> Vec<(&'static str, std::ops::Range<usize>)> {
        lex(FileId(0), text)
            .1
            .into_iter()
            .map(|d| (d.code, d.primary.span.range()))
            .collect()
    }

    #[test]
    fn keywords_and_identifiers() {
        use Tok::*;
        assert_eq!(
            kinds("party fn let mut const if else for in return output reveal to from"),
            vec![Party, Fn, Let, Mut, Const, If, Else, For, In, Return, Output, Reveal, To, From]
        );
        assert_eq!(
            kinds("secret public true false use struct as"),
            vec![Secret, Public, True, False, Use, Struct, As]
        );
        assert_eq!(
            kinds("u8 i16 bool std _x x_1 _ partyx"),
            vec![
                Ident("u8"),
                Ident("i16"),
                Ident("bool"),
                Ident("std"),
                Ident("_x"),
                Ident("x_1"),
                Underscore,
                Ident("partyx")
            ]
        );
    }

    #[test]
    fn operators_take_the_longest_match() {
        use Tok::*;
        assert_eq!(
            kinds("+ - * / % & | ^ ! ~ << >> == != < <= > >= && || ="),
            vec![
                Plus, Minus, Star, Slash, Percent, Amp, Pipe, Caret, Bang, Tilde, Shl, Shr, EqEq,
                Ne, Lt, Le, Gt, Ge, AndAnd, OrOr, Eq
            ]
        );
        assert_eq!(
            kinds("+= -= *= /= %= ^= &= |= <<= >>= .. ..= -> :: : ; , . [ ] ( ) { } @"),
            vec![
                PlusEq, MinusEq, StarEq, SlashEq, PercentEq, CaretEq, AmpEq, PipeEq, ShlEq, ShrEq,
                DotDot, DotDotEq, Arrow, ColonColon, Colon, Semi, Comma, Dot, LBracket, RBracket,
                LParen, RParen, LBrace, RBrace, At
            ]
        );
        assert_eq!(kinds("a<<=b"), vec![Ident("a"), ShlEq, Ident("b")]);
        assert_eq!(kinds("0..=9"), vec![int(0, None), DotDotEq, int(9, None)]);
        assert_eq!(
            kinds("t.0.1"),
            vec![Ident("t"), Dot, int(0, None), Dot, int(1, None)]
        );
    }

    #[test]
    fn integer_literal_forms() {
        assert_eq!(kinds("42"), vec![int(42, None)]);
        assert_eq!(kinds("1_000i32"), vec![int(1000, Some((true, 32)))]);
        assert_eq!(kinds("7u8"), vec![int(7, Some((false, 8)))]);
        assert_eq!(kinds("0xffu8"), vec![int(255, Some((false, 8)))]);
        assert_eq!(kinds("0xFF_ff"), vec![int(0xffff, None)]);
        assert_eq!(kinds("0b1010_1010"), vec![int(0xaa, None)]);
        assert_eq!(kinds("0o777i16"), vec![int(0o777, Some((true, 16)))]);
        assert_eq!(
            kinds("1u1 1u128"),
            vec![int(1, Some((false, 1))), int(1, Some((false, 128)))]
        );
        assert_eq!(
            kinds("340282366920938463463374607431768211455"),
            vec![int(u128::MAX, None)]
        );
        assert_eq!(
            kinds("0xffffffffffffffffffffffffffffffff"),
            vec![int(u128::MAX, None)]
        );
    }

    #[test]
    fn bad_integer_literals_are_e0004_and_still_tokens() {
        assert_eq!(
            codes("340282366920938463463374607431768211456"),
            vec![("E0004", 0..39)]
        );
        assert_eq!(codes("1u0"), vec![("E0004", 1..3)]);
        assert_eq!(codes("1u129"), vec![("E0004", 1..5)]);
        assert_eq!(codes("1u"), vec![("E0004", 1..2)]);
        assert_eq!(codes("1u8x"), vec![("E0004", 1..4)]);
        assert_eq!(codes("0b102"), vec![("E0004", 4..5)]);
        assert_eq!(codes("12ab"), vec![("E0004", 2..3)]);
        assert_eq!(codes("0x"), vec![("E0004", 0..2)]);
        assert_eq!(codes("0x_"), vec![("E0004", 0..3)]);
        let (tokens, _) = lex(FileId(0), "x = 99999999999999999999999999999999999999999;");
        assert!(matches!(tokens[2].1, Tok::Int(IntLit { valid: false, .. })));
        assert_eq!(tokens.len(), 4);
    }

    #[test]
    fn comments_nest() {
        use Tok::*;
        assert_eq!(kinds("a // b c\nd"), vec![Ident("a"), Ident("d")]);
        assert_eq!(kinds("a /* b /* c */ d */ e"), vec![Ident("a"), Ident("e")]);
        assert_eq!(kinds("a /*/ b */ c"), vec![Ident("a"), Ident("c")]);
        assert_eq!(kinds("a/**/b"), vec![Ident("a"), Ident("b")]);
        assert_eq!(codes("a /* b /* c */ d"), vec![("E0003", 2..4)]);
        assert_eq!(codes("/*"), vec![("E0003", 0..2)]);
    }

    #[test]
    fn strings() {
        assert_eq!(
            kinds(r#"use "lib/x.mpc";"#),
            vec![Tok::Use, Tok::Str("lib/x.mpc"), Tok::Semi]
        );
        assert_eq!(codes("use \"abc\nx"), vec![("E0006", 4..8)]);
        assert_eq!(codes("\"abc"), vec![("E0006", 0..4)]);
    }

    #[test]
    fn unrecognised_characters_are_merged_and_skipped() {
        let text = "a $ b €€ c # d";
        let (tokens, diags) = lex(FileId(0), text);
        assert_eq!(tokens.len(), 4);
        let got: Vec<_> = diags
            .iter()
            .map(|d| (d.code, d.message.as_str(), d.primary.span.range()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("E0002", "unrecognised character `$`", 2..3),
                ("E0002", "unrecognised characters `€€`", 6..12),
                ("E0002", "unrecognised character `#`", 15..16),
            ]
        );
    }
}
