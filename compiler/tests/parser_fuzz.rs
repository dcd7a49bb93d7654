//! Property tests: the parser survives any input.
//!
//! Random bytes, random token soup, and valid programs mutated token by token
//! (deleted, duplicated, swapped tokens, inserted bytes, truncation) go to
//! `parse`. It must not panic; every diagnostic span must lie inside the file
//! on `char` boundaries, and so must every span of the tree (later phases
//! report at them); error nodes may appear only when an error is reported;
//! and expression ids must be dense. The valid seeds must parse
//! without any diagnostic.
//!
//! The case count is proptest's default (256 per property), overridable with
//! `PROPTEST_CASES`; the seed is fixed unless `PROPTEST_RNG_SEED` is set, so
//! a failure reproduces.

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::RngSeed;

use veil_compiler::diagnostic::Diagnostic;
use veil_compiler::span::{FileId, Span};
use veil_compiler::syntax::ast::*;
use veil_compiler::syntax::{parse, tokens};

const MILLIONAIRES: &str = "\
// examples/millionaires.mpc
party alice;
party bob;

fn main(a: u64 from alice, b: u64 from bob) {
    output richer = reveal(a > b);          // both parties learn one bit
    output gap    = reveal(a - b) to alice;  // only alice learns this
}
";

const AUCTION: &str = "\
// A sealed-bid auction: structs, arrays, loops, public and secret ifs.
party alice;
party bob;
party carol;

use std::crypto;

const N: u32 = 4;

struct Bid {
    amount: secret u32,
    bidder: secret u8,
}

fn max_bid(bids: [Bid; N]) -> Bid {
    let mut best = bids[0];
    for i in 1..N {
        if bids[i].amount > best.amount {   // secret condition: oblivious if
            best = bids[i];
        }
    }
    best
}

fn main(a: [u32; 2] from alice, b: [u32; 2] from bob, c: public u8 from carol) {
    let mut bids = [Bid { amount: 0, bidder: 0u8 }; N];
    for i in 0..=1 {
        bids[i] = Bid { amount: a[i], bidder: 0 };
        bids[i + 2] = Bid { amount: b[i], bidder: 1 };
    }
    let winner = max_bid(bids);
    let (x, _) = (winner.amount as u64, true);
    let mut total: secret u64 = 0;
    total += x << 1 | 0x1u64;
    let t = (1, (2, 3));
    let y = if c > 0u8 { t.1.0 } else if c == 1 { 2 } else { -1 /* nested /* comment */ */ };
    output price = reveal(winner.amount) to alice, bob;
    output who = reveal(winner.bidder);
    output flag = reveal(!(total == 0) && ~y != 0 || crypto::check(total));
}
";

const HELPERS: &str = "\
use \"lib/bits.mpc\";
use std::math::fixed;

party p0;
party p1;

const MASK: u16 = 0b1111_0000_1111_0000u16;

fn popcount(x: secret u16) -> secret u8 {
    let mut n: secret u8 = 0;
    for i in 0..16 {
        n += bit(x, i) as u8;
    }
    return n;
}

fn swap(pair: (u8, u8)) -> (u8, u8) {
    let (a, b) = pair;
    (b, a)
}

fn main(x: u16 from p0, mut y: u16 from p1) {
    y ^= MASK;
    y <<= 2;
    let z = {
        let w = x & y;
        mux(w > 0x0f, w, ~w) % 7 - -3
    };
    let arr: [secret u16; 3] = [x, y, z,];
    let s = swap((1u8, 2u8));
    if reveal(arr[2] >= arr[0]) {
        output big = reveal(popcount(z));
    } else {
        output small = reveal(s.0 as u16 * z / 2) to p1;
    }
}
";

const SEEDS: &[&str] = &[MILLIONAIRES, AUCTION, HELPERS];

/// Tokens and fragments for random token soup.
const SOUP: &[&str] = &[
    "party",
    "fn",
    "let",
    "mut",
    "const",
    "if",
    "else",
    "for",
    "in",
    "return",
    "output",
    "reveal",
    "to",
    "from",
    "secret",
    "public",
    "true",
    "false",
    "use",
    "struct",
    "as",
    "_",
    "x",
    "main",
    "u8",
    "std",
    "0",
    "7u8",
    "0xff",
    "\"f.mpc\"",
    "+",
    "-",
    "*",
    "/",
    "%",
    "&",
    "|",
    "^",
    "!",
    "~",
    "<<",
    ">>",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "&&",
    "||",
    "=",
    "+=",
    "<<=",
    "..",
    "..=",
    "->",
    "::",
    ":",
    ";",
    ",",
    ".",
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    "@",
    "/*",
    "*/",
    "//",
    "\n",
    "$",
];

fn config() -> ProptestConfig {
    let mut config = ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = RngSeed::Fixed(0x7e11_5eed);
    }
    config
}

// ---------------------------------------------------------------- mutations

/// One edit of a program, addressed by token (or byte) index.
#[derive(Debug, Clone)]
enum Edit {
    Delete(Index),
    Duplicate(Index),
    Swap(Index, Index),
    Insert(Index, Vec<u8>),
    Truncate(Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => any::<Index>().prop_map(Edit::Delete),
        2 => any::<Index>().prop_map(Edit::Duplicate),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Edit::Swap(a, b)),
        2 => (any::<Index>(), prop::collection::vec(any::<u8>(), 1..6))
            .prop_map(|(i, bytes)| Edit::Insert(i, bytes)),
        1 => any::<Index>().prop_map(Edit::Truncate),
    ]
}

fn apply(text: &str, edit: &Edit) -> String {
    let toks = tokens(FileId(0), text);
    if toks.is_empty() {
        return text.to_string();
    }
    let range = |i: &Index| toks[i.index(toks.len())].range();
    match edit {
        Edit::Delete(i) => {
            let r = range(i);
            format!("{}{}", &text[..r.start], &text[r.end..])
        }
        Edit::Duplicate(i) => {
            let r = range(i);
            format!("{} {}", &text[..r.end], &text[r.start..])
        }
        Edit::Swap(a, b) => {
            let (ra, rb) = (range(a), range(b));
            let (first, second) = if ra.start <= rb.start {
                (ra, rb)
            } else {
                (rb, ra)
            };
            if first.end > second.start || first == second {
                return text.to_string();
            }
            format!(
                "{}{}{}{}{}",
                &text[..first.start],
                &text[second.clone()],
                &text[first.end..second.start],
                &text[first.clone()],
                &text[second.end..]
            )
        }
        Edit::Insert(i, bytes) => {
            let at = char_boundary(text, i);
            format!(
                "{}{}{}",
                &text[..at],
                String::from_utf8_lossy(bytes),
                &text[at..]
            )
        }
        Edit::Truncate(i) => text[..char_boundary(text, i)].to_string(),
    }
}

/// A byte offset on a `char` boundary of `text`, chosen by `i`.
fn char_boundary(text: &str, i: &Index) -> usize {
    let boundaries: Vec<usize> = text
        .char_indices()
        .map(|(p, _)| p)
        .chain([text.len()])
        .collect();
    boundaries[i.index(boundaries.len())]
}

// ---------------------------------------------------------------- the property

fn check(text: &str) -> Result<(), TestCaseError> {
    let (module, diags) = parse(FileId(0), text);
    for d in &diags {
        for label in std::iter::once(&d.primary).chain(&d.secondary) {
            let s = label.span;
            prop_assert_eq!(s.file, FileId(0));
            prop_assert!(s.start <= s.end, "reversed span in {}", d);
            prop_assert!(s.end as usize <= text.len(), "span past the end in {}", d);
            prop_assert!(
                text.is_char_boundary(s.start as usize) && text.is_char_boundary(s.end as usize),
                "span not on char boundaries in {}",
                d
            );
        }
    }
    let mut walk = Walk {
        len: text.len(),
        ..Walk::default()
    };
    for item in &module.items {
        walk.item(item);
    }
    if !diags.iter().any(Diagnostic::is_error) {
        prop_assert_eq!(walk.error_nodes, 0, "error nodes without a diagnostic");
    }
    if diags.iter().any(|d| d.code == "E0005") {
        prop_assert!(module.items.is_empty());
    }
    prop_assert!(
        walk.bad_spans.is_empty(),
        "spans outside the file: {:?}",
        walk.bad_spans
    );
    walk.ids.sort_unstable();
    let expected: Vec<u32> = (0..module.expr_count).collect();
    prop_assert_eq!(walk.ids, expected, "expression ids are not dense");
    Ok(())
}

/// Collects expression ids, counts error nodes, and checks spans.
#[derive(Default)]
struct Walk {
    len: usize,
    ids: Vec<u32>,
    error_nodes: usize,
    bad_spans: Vec<Span>,
}

impl Walk {
    fn span(&mut self, s: Span) {
        if s.file != FileId(0) || s.start > s.end || s.end as usize > self.len {
            self.bad_spans.push(s);
        }
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Fn(f) => {
                for p in &f.params {
                    self.ty(&p.ty);
                }
                if let Some(t) = &f.ret {
                    self.ty(t);
                }
                self.block(&f.body);
            }
            Item::Const(c) => {
                self.ty(&c.ty);
                self.expr(&c.value);
            }
            Item::Struct(s) => {
                for (_, t) in &s.fields {
                    self.ty(t);
                }
            }
            Item::Party(_) | Item::Use(_) => {}
        }
    }

    fn ty(&mut self, t: &TypeExpr) {
        self.span(t.span);
        match &t.kind {
            TypeExprKind::Labeled(_, inner) => self.ty(inner),
            TypeExprKind::Array(elem, len) => {
                self.ty(elem);
                self.expr(len);
            }
            TypeExprKind::Tuple(elems) => elems.iter().for_each(|e| self.ty(e)),
            TypeExprKind::Named(_) => {}
            TypeExprKind::Error => self.error_nodes += 1,
        }
    }

    fn block(&mut self, b: &Block) {
        self.span(b.span);
        for s in &b.stmts {
            self.span(s.span);
            match &s.kind {
                StmtKind::Let { ty, init, .. } => {
                    if let Some(t) = ty {
                        self.ty(t);
                    }
                    self.expr(init);
                }
                StmtKind::Assign { place, value, .. } => {
                    self.expr(place);
                    self.expr(value);
                }
                StmtKind::Output { value, .. } => self.expr(value),
                StmtKind::Return(e) => {
                    if let Some(e) = e {
                        self.expr(e);
                    }
                }
                StmtKind::For {
                    start, end, body, ..
                } => {
                    self.expr(start);
                    self.expr(end);
                    self.block(body);
                }
                StmtKind::Expr(e) => self.expr(e),
                StmtKind::Error => self.error_nodes += 1,
            }
        }
        if let Some(t) = &b.tail {
            self.expr(t);
        }
    }

    fn expr(&mut self, e: &Expr) {
        self.ids.push(e.id.0);
        self.span(e.span);
        match &e.kind {
            ExprKind::Int { .. } | ExprKind::Bool(_) | ExprKind::Name(_) => {}
            ExprKind::Error => self.error_nodes += 1,
            ExprKind::Unary(_, x)
            | ExprKind::Reveal(x)
            | ExprKind::Field(x, _)
            | ExprKind::TupleField(x, _, _) => self.expr(x),
            ExprKind::Binary(_, l, r) | ExprKind::Index(l, r) | ExprKind::ArrayRepeat(l, r) => {
                self.expr(l);
                self.expr(r);
            }
            ExprKind::Call { args: xs, .. } | ExprKind::Tuple(xs) | ExprKind::Array(xs) => {
                xs.iter().for_each(|x| self.expr(x));
            }
            ExprKind::StructLit { fields, .. } => fields.iter().for_each(|(_, x)| self.expr(x)),
            ExprKind::Cast(x, t) => {
                self.expr(x);
                self.ty(t);
            }
            ExprKind::If { cond, then, else_ } => {
                self.expr(cond);
                self.block(then);
                if let Some(x) = else_ {
                    self.expr(x);
                }
            }
            ExprKind::Block(b) => self.block(b),
        }
    }
}

// ---------------------------------------------------------------- tests

#[test]
fn seeds_parse_without_errors() {
    for seed in SEEDS {
        let (module, diags) = parse(FileId(0), seed);
        let shown: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        assert!(shown.is_empty(), "{shown:#?}");
        assert!(!module.items.is_empty());
        check(seed).unwrap();
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_programs(seed in 0..SEEDS.len(), edits in prop::collection::vec(edit(), 1..8)) {
        let mut text = SEEDS[seed].to_string();
        for e in &edits {
            text = apply(&text, e);
        }
        check(&text)?;
    }

    #[test]
    fn random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        check(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn token_soup(parts in prop::collection::vec(prop::sample::select(SOUP), 0..300)) {
        check(&parts.join(" "))?;
    }
}
