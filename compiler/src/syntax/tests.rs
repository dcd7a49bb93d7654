//! Parser tests through one `check`-style helper per boundary: source in,
//! a compact S-expression of the AST (and the diagnostics) out.

use super::ast::*;
use super::*;

// ---------------------------------------------------------------- printer

fn path(p: &Path) -> String {
    p.segments
        .iter()
        .map(|s| s.name.as_str())
        .collect::<Vec<_>>()
        .join("::")
}

fn ty(t: &TypeExpr) -> String {
    match &t.kind {
        TypeExprKind::Labeled(LabelKw::Public, inner) => format!("public {}", ty(inner)),
        TypeExprKind::Labeled(LabelKw::Secret, inner) => format!("secret {}", ty(inner)),
        TypeExprKind::Named(p) => path(p),
        TypeExprKind::Array(elem, n) => format!("[{}; {}]", ty(elem), expr(n)),
        TypeExprKind::Tuple(elems) => {
            let parts: Vec<_> = elems.iter().map(ty).collect();
            format!("({})", parts.join(", "))
        }
        TypeExprKind::Error => "<error>".into(),
    }
}

fn pat(p: &Pattern) -> String {
    match p {
        Pattern::Bind { mutable, name } => {
            format!("{}{}", if *mutable { "mut " } else { "" }, name.name)
        }
        Pattern::Tuple(ps, _) => {
            let parts: Vec<_> = ps.iter().map(pat).collect();
            format!("({})", parts.join(", "))
        }
        Pattern::Wildcard(_) => "_".into(),
    }
}

fn list(es: &[Expr]) -> String {
    es.iter().map(|e| format!(" {}", expr(e))).collect()
}

fn expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Int { value, suffix } => match suffix {
            None => value.to_string(),
            Some(s) => format!("{value}{}{}", if s.signed { "i" } else { "u" }, s.bits),
        },
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Name(p) => path(p),
        ExprKind::Unary(op, x) => format!("({} {})", op.symbol(), expr(x)),
        ExprKind::Binary(op, l, r) => format!("({} {} {})", op.symbol(), expr(l), expr(r)),
        ExprKind::Call { callee, args } => format!("(call {}{})", path(callee), list(args)),
        ExprKind::Reveal(x) => format!("(reveal {})", expr(x)),
        ExprKind::Index(a, i) => format!("(index {} {})", expr(a), expr(i)),
        ExprKind::Field(x, f) => format!("(. {} {})", expr(x), f.name),
        ExprKind::TupleField(x, i, _) => format!("(. {} {i})", expr(x)),
        ExprKind::Tuple(xs) => format!("(tuple{})", list(xs)),
        ExprKind::Array(xs) => format!("(array{})", list(xs)),
        ExprKind::ArrayRepeat(x, n) => format!("(repeat {} {})", expr(x), expr(n)),
        ExprKind::StructLit { name, fields } => {
            let fs: String = fields
                .iter()
                .map(|(f, x)| format!(" ({} {})", f.name, expr(x)))
                .collect();
            format!("(struct {}{fs})", path(name))
        }
        ExprKind::Cast(x, t) => format!("(as {} {})", expr(x), ty(t)),
        ExprKind::If { cond, then, else_ } => match else_ {
            None => format!("(if {} {})", expr(cond), block(then)),
            Some(x) => format!("(if {} {} else {})", expr(cond), block(then), expr(x)),
        },
        ExprKind::Block(b) => block(b),
        ExprKind::Error => "<error>".into(),
    }
}

fn block(b: &Block) -> String {
    let mut parts: Vec<String> = b.stmts.iter().map(stmt).collect();
    if let Some(t) = &b.tail {
        parts.push(format!("=> {}", expr(t)));
    }
    format!("{{{}}}", parts.join(" "))
}

fn stmt(s: &Stmt) -> String {
    match &s.kind {
        StmtKind::Let {
            pattern,
            ty: t,
            init,
        } => match t {
            None => format!("(let {} {})", pat(pattern), expr(init)),
            Some(t) => format!("(let {}: {} {})", pat(pattern), ty(t), expr(init)),
        },
        StmtKind::Assign { place, op, value } => {
            let op = op.map(|o| o.symbol()).unwrap_or("");
            format!("({op}= {} {})", expr(place), expr(value))
        }
        StmtKind::Output {
            name,
            value,
            recipients,
        } => {
            let to = match recipients {
                None => String::new(),
                Some(rs) => {
                    let names: Vec<_> = rs.iter().map(|r| r.name.as_str()).collect();
                    format!(" to {}", names.join(" "))
                }
            };
            format!("(output {} {}{to})", name.name, expr(value))
        }
        StmtKind::Return(None) => "(return)".into(),
        StmtKind::Return(Some(e)) => format!("(return {})", expr(e)),
        StmtKind::For {
            var,
            start,
            end,
            inclusive,
            body,
        } => format!(
            "(for {} {}{}{} {})",
            var.name,
            expr(start),
            if *inclusive { "..=" } else { ".." },
            expr(end),
            block(body)
        ),
        StmtKind::Expr(e) => format!("{};", expr(e)),
        StmtKind::Error => "<error>;".into(),
    }
}

fn item(i: &Item) -> String {
    match i {
        Item::Party(n) => format!("party {}", n.name),
        Item::Fn(f) => {
            let params: Vec<String> = f
                .params
                .iter()
                .map(|p| {
                    let m = if p.mutable { "mut " } else { "" };
                    let from = p
                        .from
                        .as_ref()
                        .map(|f| format!(" from {}", f.name))
                        .unwrap_or_default();
                    format!("{m}{}: {}{from}", p.name.name, ty(&p.ty))
                })
                .collect();
            let ret = f
                .ret
                .as_ref()
                .map(|t| format!(" -> {}", ty(t)))
                .unwrap_or_default();
            format!(
                "fn {}({}){ret} {}",
                f.name.name,
                params.join(", "),
                block(&f.body)
            )
        }
        Item::Const(c) => format!("const {}: {} = {}", c.name.name, ty(&c.ty), expr(&c.value)),
        Item::Struct(s) => {
            let fields: Vec<String> = s
                .fields
                .iter()
                .map(|(f, t)| format!("{}: {}", f.name, ty(t)))
                .collect();
            format!("struct {} {{{}}}", s.name.name, fields.join(", "))
        }
        Item::Use(u) => match &u.target {
            UseTarget::Std(segs) => {
                let names: Vec<_> = segs.iter().map(|s| s.name.as_str()).collect();
                format!("use std::{}", names.join("::"))
            }
            UseTarget::File { path, .. } => format!("use {path:?}"),
        },
    }
}

fn diag(d: &Diagnostic) -> String {
    let mut out = format!(
        "{}@{}..{}: {}",
        d.code, d.primary.span.start, d.primary.span.end, d.message
    );
    for s in &d.secondary {
        out += &format!(" [{}..{}: {}]", s.span.start, s.span.end, s.text);
    }
    if let Some(h) = &d.help {
        out += &format!(" (help: {h})");
    }
    out
}

// ---------------------------------------------------------------- helpers

/// The module, one item per line, then the diagnostics.
fn show(src: &str) -> String {
    let (module, diags) = parse(FileId(0), src);
    let mut out: Vec<String> = module.items.iter().map(item).collect();
    out.extend(diags.iter().map(diag));
    out.join("\n")
}

/// Parses a program that must be free of errors.
fn parse_ok(src: &str) -> SourceModule {
    let (module, diags) = parse(FileId(0), src);
    let shown: Vec<_> = diags.iter().map(diag).collect();
    assert!(
        shown.is_empty(),
        "unexpected diagnostics for {src:?}: {shown:#?}"
    );
    module
}

/// The items of a program that must be free of errors, one per line.
fn items(src: &str) -> String {
    let module = parse_ok(src);
    module.items.iter().map(item).collect::<Vec<_>>().join("\n")
}

/// The body of `fn f() { … }`, which must be free of errors.
fn body(src: &str) -> String {
    let module = parse_ok(&format!("fn f() {{ {src} }}"));
    match module.items.as_slice() {
        [Item::Fn(f)] => block(&f.body),
        other => panic!("expected one fn, got {other:?}"),
    }
}

/// The expression `src`, parsed as an initializer.
fn ex(src: &str) -> String {
    let module = parse_ok(&format!("const X: u32 = {src};"));
    match module.items.as_slice() {
        [Item::Const(c)] => expr(&c.value),
        other => panic!("expected one const, got {other:?}"),
    }
}

/// The diagnostics of a program, one per line.
fn errors(src: &str) -> Vec<String> {
    parse(FileId(0), src).1.iter().map(diag).collect()
}

const MILLIONAIRES: &str = "\
// examples/millionaires.mpc
party alice;
party bob;

fn main(a: u64 from alice, b: u64 from bob) {
    output richer = reveal(a > b);          // both parties learn one bit
    output gap    = reveal(a - b) to alice;  // only alice learns this
}
";

// ---------------------------------------------------------------- items

#[test]
fn millionaires() {
    insta::assert_snapshot!(items(MILLIONAIRES), @r"
    party alice
    party bob
    fn main(a: u64 from alice, b: u64 from bob) {(output richer (reveal (> a b))) (output gap (reveal (- a b)) to alice)}
    ");
}

#[test]
fn millionaires_full_tree() {
    insta::assert_debug_snapshot!(parse(FileId(0), MILLIONAIRES));
}

#[test]
fn items_of_every_kind() {
    insta::assert_snapshot!(items(r#"
        party alice;
        use std::crypto;
        use std::a::b;
        use "lib/helpers.mpc";
        const N: u32 = 16;
        const MASK: secret u8 = 0xffu8;
        struct Point { x: u32, y: secret i16, }
        struct Empty {}
        fn unit() {}
        fn add(mut x: u8, y: u8,) -> u8 { x + y }
        fn main(a: public u32 from alice, p: Point) -> (u8, bool) { (1, true) }
    "#), @r#"
    party alice
    use std::crypto
    use std::a::b
    use "lib/helpers.mpc"
    const N: u32 = 16
    const MASK: secret u8 = 255u8
    struct Point {x: u32, y: secret i16}
    struct Empty {}
    fn unit() {}
    fn add(mut x: u8, y: u8) -> u8 {=> (+ x y)}
    fn main(a: public u32 from alice, p: Point) -> (u8, bool) {=> (tuple 1 true)}
    "#);
}

#[test]
fn types_of_every_kind() {
    insta::assert_snapshot!(items("
        fn f(a: bool, b: [secret u8; 16], c: [[u8; 2]; N * 2], d: (u8, bool), e: (u8,),
             f: (), g: secret (u8), h: m::Point, i: public secret u1) {}
    "), @"fn f(a: bool, b: [secret u8; 16], c: [[u8; 2]; (* N 2)], d: (u8, bool), e: (u8), f: (), g: secret u8, h: m::Point, i: public secret u1) {}");
}

#[test]
fn bad_use_paths_are_reported_and_dropped() {
    insta::assert_snapshot!(show("use foo::bar;\nuse std;\nparty a;"), @r#"
    party a
    E0001@4..7: expected `std` or a file name, found `foo` (help: write `use std::NAME;` for a standard-library module or `use "file.mpc";` for a local file)
    E0001@18..21: expected a module name after `std` (help: write `use std::NAME;` for a standard-library module or `use "file.mpc";` for a local file)
    "#);
}

// ---------------------------------------------------------------- statements

#[test]
fn let_and_patterns() {
    insta::assert_snapshot!(body("
        let x = 1;
        let mut y: secret u8 = 2;
        let (a, mut b) = t;
        let (c,) = u;
        let ((d, _), e) = v;
        let _ = w;
        let () = ();
        let (p) = q;
    "), @"{(let x 1) (let mut y: secret u8 2) (let (a, mut b) t) (let (c) u) (let ((d, _), e) v) (let _ w) (let () (tuple)) (let p q)}");
}

#[test]
fn assignments() {
    insta::assert_snapshot!(body("
        x = 1; a[i] = 2; s.f = 3; t.0 = 4; a[i].f.1 = 5;
        x += 1; x -= 1; x *= 1; x /= 1; x %= 1;
        x ^= 1; x &= 1; x |= 1; x <<= 1; x >>= 1;
    "), @"{(= x 1) (= (index a i) 2) (= (. s f) 3) (= (. t 0) 4) (= (. (. (index a i) f) 1) 5) (+= x 1) (-= x 1) (*= x 1) (/= x 1) (%= x 1) (^= x 1) (&= x 1) (|= x 1) (<<= x 1) (>>= x 1)}");
}

#[test]
fn output_return_for() {
    insta::assert_snapshot!(body("
        output r = reveal(x);
        output s = reveal(x) to alice;
        output t = reveal(x) to alice, bob;
        for i in 0..n { x += i; }
        for _ in 0..=N - 1 { }
        return;
        return x + 1;
    "), @"{(output r (reveal x)) (output s (reveal x) to alice) (output t (reveal x) to alice bob) (for i 0..n {(+= x i)}) (for _ 0..=(- N 1) {}) (return) (return (+ x 1))}");
}

#[test]
fn block_like_statements_and_tails() {
    // A block-like expression ends its statement, as in Rust.
    assert_eq!(body("if c { x = 1; } -y"), "{(if c {(= x 1)}); => (- y)}");
    assert_eq!(body("{ 1 } [2]"), "{{=> 1}; => (array 2)}");
    // In last place it is the block's value ...
    assert_eq!(
        body("if c { 1 } else if d { 2 } else { 3 }"),
        "{=> (if c {=> 1} else (if d {=> 2} else {=> 3}))}"
    );
    assert_eq!(body("let x = 1; { x }"), "{(let x 1) => {=> x}}");
    // ... unless a `;` follows.
    assert_eq!(
        body("if c { 1 } else { 2 };"),
        "{(if c {=> 1} else {=> 2});}"
    );
    assert_eq!(body("{ 1 };;"), "{{=> 1};}");
    // Elsewhere it is an ordinary operand.
    assert_eq!(
        body("let x = if c { 1 } else { 2 } + 3;"),
        "{(let x (+ (if c {=> 1} else {=> 2}) 3))}"
    );
    assert_eq!(body("x = -{ 1 };"), "{(= x (- {=> 1}))}");
    assert_eq!(body("f(x); g(y)"), "{(call f x); => (call g y)}");
}

// ---------------------------------------------------------------- expressions

#[test]
fn literals_and_primaries() {
    assert_eq!(ex("7u8"), "7u8");
    assert_eq!(ex("-3i16"), "(- 3i16)");
    assert_eq!(ex("0b1010_1010"), "170");
    assert_eq!(ex("true != false"), "(!= true false)");
    assert_eq!(ex("m::X"), "m::X");
    assert_eq!(ex("m::f(1, 2,)"), "(call m::f 1 2)");
    assert_eq!(ex("f()"), "(call f)");
    assert_eq!(ex("reveal(a + b)"), "(reveal (+ a b))");
    assert_eq!(ex("()"), "(tuple)");
    assert_eq!(ex("(a)"), "a");
    assert_eq!(ex("(a,)"), "(tuple a)");
    assert_eq!(ex("(a, b, c,)"), "(tuple a b c)");
    assert_eq!(ex("[]"), "(array)");
    assert_eq!(ex("[a, b,]"), "(array a b)");
    assert_eq!(ex("[0u8; 16]"), "(repeat 0u8 16)");
    assert_eq!(ex("S { x: 1, y: a + b }"), "(struct S (x 1) (y (+ a b)))");
    assert_eq!(ex("m::S { }"), "(struct m::S)");
    assert_eq!(ex("S { x: 1 }.x"), "(. (struct S (x 1)) x)");
    assert_eq!(ex("t.0.1"), "(. (. t 0) 1)");
    assert_eq!(ex("a[i][j].f"), "(. (index (index a i) j) f)");
    assert_eq!(ex("{ let y = 1; y }"), "{(let y 1) => y}");
}

#[test]
fn precedence_follows_rust() {
    assert_eq!(ex("a || b && c"), "(|| a (&& b c))");
    assert_eq!(ex("a && b || c"), "(|| (&& a b) c)");
    assert_eq!(ex("a == b && c < d"), "(&& (== a b) (< c d))");
    assert_eq!(ex("a | b == c ^ d"), "(== (| a b) (^ c d))");
    assert_eq!(ex("a | b ^ c & d"), "(| a (^ b (& c d)))");
    assert_eq!(ex("a & b << c"), "(& a (<< b c))");
    assert_eq!(ex("a << b + c"), "(<< a (+ b c))");
    assert_eq!(ex("a + b * c - d"), "(- (+ a (* b c)) d)");
    assert_eq!(ex("a / b % c * d"), "(* (% (/ a b) c) d)");
    assert_eq!(ex("a * b as u16"), "(* a (as b u16))");
    assert_eq!(ex("a as u8 as u16"), "(as (as a u8) u16)");
    assert_eq!(ex("-a as u8"), "(as (- a) u8)");
    assert_eq!(ex("a as u8 < b"), "(< (as a u8) b)");
    assert_eq!(ex("x as secret u8 + 1"), "(+ (as x secret u8) 1)");
    assert_eq!(ex("!-~a"), "(! (- (~ a)))");
    assert_eq!(ex("-a[0].f"), "(- (. (index a 0) f))");
    assert_eq!(ex("--1"), "(- (- 1))");
    assert_eq!(ex("(a + b) * c"), "(* (+ a b) c)");
    assert_eq!(ex("a - b - c"), "(- (- a b) c)");
    assert_eq!(ex("a >> b >> c"), "(>> (>> a b) c)");
}

#[test]
fn comparisons_do_not_chain() {
    insta::assert_snapshot!(errors("const X: bool = a < b < c;").join("\n"), @"E0001@22..23: expected `;`, `|`, `&&` or `||`, found `<` (help: comparison operators cannot be chained; combine comparisons with `&&`)");
}

#[test]
fn struct_literals_are_not_allowed_in_conditions() {
    assert_eq!(body("if a { }"), "{=> (if a {})}");
    assert_eq!(
        body("if a == b { x } else { y }"),
        "{=> (if (== a b) {=> x} else {=> y})}"
    );
    assert_eq!(
        body("if (S { x: 1 }).x == 1 { }"),
        "{=> (if (== (. (struct S (x 1)) x) 1) {})}"
    );
    assert_eq!(
        body("if f(S { x: 1 }) { }"),
        "{=> (if (call f (struct S (x 1))) {})}"
    );
    assert_eq!(body("if { c } { }"), "{=> (if {=> c} {})}");
    assert_eq!(body("for i in 0..n { }"), "{(for i 0..n {})}");
    assert_eq!(
        body("for i in a.x..b[S { y: 2 }.y] { }"),
        "{(for i (. a x)..(index b (. (struct S (y 2)) y)) {})}"
    );
    assert_eq!(body("S { x: 1 };"), "{(struct S (x 1));}");
    assert_eq!(body("let s = S { x: 1 };"), "{(let s (struct S (x 1)))}");
    insta::assert_snapshot!(errors("fn f() { if a == S { x: 1 } { } }").join("\n"), @"E0001@22..23: expected `;`, `}`, `=`, `::`, `(`, `{` or an operator, found `:`");
}

#[test]
fn negative_literals_are_negations() {
    let module = parse_ok("const X: i8 = -128i8;");
    let Item::Const(c) = &module.items[0] else {
        panic!("not a const")
    };
    let ExprKind::Unary(UnOp::Neg, inner) = &c.value.kind else {
        panic!("not a negation: {:?}", c.value)
    };
    assert_eq!(
        inner.kind,
        ExprKind::Int {
            value: 128,
            suffix: Some(IntSuffix {
                signed: true,
                bits: 8
            })
        }
    );
}

#[test]
fn parentheses_widen_the_span() {
    let module = parse_ok("const X: u32 = (a + b) * c;");
    let Item::Const(c) = &module.items[0] else {
        panic!("not a const")
    };
    let ExprKind::Binary(BinOp::Mul, l, _) = &c.value.kind else {
        panic!("not a product")
    };
    assert_eq!(l.span.range(), 15..22);
    assert_eq!(c.value.span.range(), 15..26);
}

#[test]
fn expression_ids_are_dense_in_post_order() {
    let module = parse_ok("fn f(a: [u8; 4]) { let x = a[1] + 2; } const Y: u8 = -x;");
    assert_eq!(module.expr_count, 8);
    let Item::Fn(f) = &module.items[0] else {
        panic!("not a fn")
    };
    let TypeExprKind::Array(_, len) = &f.params[0].ty.kind else {
        panic!("not an array")
    };
    assert_eq!(len.id, ExprId(0));
    let StmtKind::Let { init, .. } = &f.body.stmts[0].kind else {
        panic!("not a let")
    };
    let ExprKind::Binary(_, l, r) = &init.kind else {
        panic!("not binary")
    };
    let ExprKind::Index(a, i) = &l.kind else {
        panic!("not an index")
    };
    let ids = [a.id, i.id, l.id, r.id, init.id];
    assert_eq!(ids, [ExprId(1), ExprId(2), ExprId(3), ExprId(4), ExprId(5)]);
    let Item::Const(c) = &module.items[1] else {
        panic!("not a const")
    };
    assert_eq!(c.value.id, ExprId(7));
}

#[test]
fn ids_stay_dense_after_recovery() {
    let (module, diags) = parse(FileId(0), "fn f() { let a = 1 + 2 + ; let b = 3; }");
    assert_eq!(diags.len(), 1);
    assert_eq!(module.expr_count, 1);
    assert_eq!(body_of(&module), "{<error>; (let b 3)}");
}

fn body_of(module: &SourceModule) -> String {
    match module.items.as_slice() {
        [Item::Fn(f)] => block(&f.body),
        other => panic!("expected one fn, got {other:?}"),
    }
}

// ---------------------------------------------------------------- errors

#[test]
fn several_errors_in_one_run() {
    let src = "\
party alice
party bob;
fn main(a: u64 from alice) {
    let x = 1 +;
    let y = x x;
    output r = reveal(y)
    let z = 3;
    z = ;
}
const C: u8 = ;
fn ok() -> u8 { 1 }
";
    insta::assert_snapshot!(show(src));
}

#[test]
fn missing_semicolon_points_at_the_line_end() {
    insta::assert_snapshot!(errors("fn f() {\n    let x = 1\n    let y = 2;\n}").join("\n"), @"E0001@27..30: expected `;` or an operator, found keyword `let` [22..22: `;` missing here] (help: add `;` at the end of the previous line)");
}

#[test]
fn keywords_are_not_names() {
    insta::assert_snapshot!(errors("fn f() { let output = 1; }").join("\n"), @r#"
        E0001@13..19: expected identifier, `mut`, `_` or `(`, found keyword `output` (help: `output` is a keyword and cannot be used as a name)
        E0001@20..21: expected identifier, found `=`
    "#);
}

#[test]
fn assignment_in_a_condition() {
    insta::assert_snapshot!(errors("fn f() { if a = b { } }").join("\n"), @"E0001@14..15: expected `(`, `{` or an operator, found `=` (help: use `==` to compare; `=` assigns and is a statement of its own)");
}

#[test]
fn end_of_file_errors_point_at_the_end() {
    let src = "fn main() {\n    let x = (1 + 2";
    let diags = errors(src);
    assert_eq!(diags.len(), 1, "{diags:?}");
    insta::assert_snapshot!(diags[0], @"E0001@30..30: expected `)`, `,` or an operator, found end of file [24..25: this `(` is never closed]");
    assert_eq!(
        errors("fn"),
        vec!["E0001@2..2: expected identifier, found end of file"]
    );
    assert_eq!(
        errors("party a; fn f() {"),
        vec!["E0001@17..17: expected `}` or a statement, found end of file [16..17: this `{` is never closed]"]
    );
}

#[test]
fn stray_tokens_at_top_level() {
    insta::assert_snapshot!(show("} party a; let x = 1; fn f() {}"), @r#"
        party a
        fn f() {}
        E0001@0..1: expected an item, found `}`
        E0001@11..14: expected an item, found keyword `let` (help: statements belong inside a function such as `fn main() { … }`)
    "#);
}

#[test]
fn lexical_and_syntax_errors_together() {
    insta::assert_snapshot!(show("party a; fn f() { let x = 1 $ + 2; let y = 0x; } /* open"), @r#"
        party a
        fn f() {(let x (+ 1 2)) (let y 0)}
        E0002@28..29: unrecognised character `$`
        E0004@43..45: missing digits in hexadecimal literal `0x`
        E0003@49..51: unterminated block comment (help: add `*/`; block comments nest, so every `/*` needs its own `*/`)
    "#);
}

#[test]
fn bad_tuple_indices() {
    insta::assert_snapshot!(errors("const X: u8 = t.0x1 + t.1u8 + t.99999999999 + t.1e3;").join("\n"), @r"
    E0001@16..19: invalid tuple index `0x1` (help: tuple fields are numbered `.0`, `.1`, … without suffix)
    E0001@24..27: invalid tuple index `1u8` (help: tuple fields are numbered `.0`, `.1`, … without suffix)
    E0001@32..43: invalid tuple index `99999999999` (help: tuple fields are numbered `.0`, `.1`, … without suffix)
    E0004@49..50: invalid digit `e` in decimal literal (help: names cannot start with a digit; hexadecimal literals start with `0x`)
    ");
}

#[test]
fn empty_and_comment_only_files() {
    assert_eq!(show(""), "");
    assert_eq!(show("// nothing\n/* at /* all */ */"), "");
}

// ---------------------------------------------------------------- depth limit

fn deep_codes(src: &str) -> (usize, Vec<&'static str>) {
    let (module, diags) = parse(FileId(0), src);
    (module.items.len(), diags.iter().map(|d| d.code).collect())
}

#[test]
fn deep_nesting_is_e0005_and_yields_an_empty_module() {
    let n = 5000;
    let cases = [
        format!("const X: u8 = {}1;", "-".repeat(n)),
        format!("const X: u8 = {}1{};", "(1 + ".repeat(n), ")".repeat(n)),
        format!("const X: u8 = 1{};", " + 1".repeat(n)),
        format!("const X: u8 = x{};", ".f".repeat(n)),
        format!("const X: u8 = x{};", " as u8".repeat(n)),
        format!("const X: u8 = {}1{};", "[".repeat(n), "]".repeat(n)),
        format!("fn f() {{ {}{} }}", "{".repeat(n), "}".repeat(n)),
        format!("fn f() {{ {} }}", "if c {} else ".repeat(n) + "{}"),
        format!(
            "fn f() {{ {}{} }}",
            "for i in 0..1 { ".repeat(n),
            "}".repeat(n)
        ),
        format!("const X: {}u8 = 1;", "secret ".repeat(n)),
        format!("const X: {}u8{} = 1;", "[".repeat(n), "; 1]".repeat(n)),
        format!("fn f() {{ let {}x{} = 1; }}", "(".repeat(n), ",)".repeat(n)),
    ];
    for src in &cases {
        assert_eq!(deep_codes(src), (0, vec!["E0005"]), "{}", &src[..60]);
    }
}

#[test]
fn deep_nesting_with_syntax_errors_is_safe() {
    let n = 20_000;
    // The sum is built (and cut off at the limit) before the error at `2`.
    let src = format!("fn f() {{ let x = 1{} 2; }}", " + 1".repeat(n));
    assert_eq!(deep_codes(&src), (0, vec!["E0005", "E0001"]));
    // This is never reduced, so it never nests: only a syntax error.
    let src = format!(
        "fn f() {{ let x = {}1 2 {}; }}",
        "-".repeat(5000),
        "@ ".repeat(5000)
    );
    assert_eq!(deep_codes(&src), (1, vec!["E0001"]));
    // Brackets nested too deeply are rejected before parsing.
    for src in [
        format!("fn g() {{ {}", "{".repeat(n)),
        format!("fn g() {{ {}", "if c { ".repeat(n)),
        format!("const X: u8 = {} $", "(".repeat(n)),
    ] {
        let (items, codes) = deep_codes(&src);
        assert_eq!(items, 0);
        assert!(codes.contains(&"E0005"), "{codes:?}");
        assert!(!codes.contains(&"E0001"), "{codes:?}");
    }
    let brackets = format!("const X: u8 = {}1{};", "(".repeat(1001), ")".repeat(1001));
    assert_eq!(errors(&brackets), vec![
        "E0005@1014..1015: program is nested too deeply (more than 1000 levels) (help: split the expression into `let` bindings or helper functions)"
    ]);
}

#[test]
fn nesting_below_the_limit_is_fine() {
    let n = 400;
    let src = format!("const X: u8 = {}1{};", "(1 + ".repeat(n), ")".repeat(n));
    let module = parse_ok(&src);
    assert_eq!(module.expr_count as usize, 2 * n + 1);
    // Parentheses alone add no level to the tree.
    let module = parse_ok(&format!(
        "const X: u8 = {}1{};",
        "(".repeat(1000),
        ")".repeat(1000)
    ));
    assert_eq!(module.expr_count, 1);
}

#[test]
fn common_mistakes_get_help() {
    let helps = |src: &str| -> Vec<String> {
        parse(FileId(0), src)
            .1
            .into_iter()
            .filter_map(|d| d.help)
            .collect()
    };
    assert_eq!(helps("fn f() { return 1 }"), vec!["add `;` before `}`"]);
    assert_eq!(
        helps("fn f() { let x = 1 let y = 2; }"),
        vec!["add `;` before keyword `let`"]
    );
    assert_eq!(
        helps("fn f() { while c { } }"),
        vec!["Veil has no `while` loops; loop with `for i in a..b { … }` over public bounds"]
    );
    assert_eq!(
        helps("output x = reveal(1);"),
        vec!["statements belong inside a function such as `fn main() { … }`"]
    );
    assert_eq!(
        errors("fn f() { a.b.; }"),
        vec!["E0001@13..14: expected identifier or integer, found `;`"]
    );
}
