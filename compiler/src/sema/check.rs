//! The checker proper: item tables, constants, types, labels and flow rules.
//!
//! One [`Checker`] walks the program from `main`, checking each function body
//! once per distinct typing of its parameters (an [`Instance`]). Expression
//! results go into per-body side tables ([`BodyCx`]), which become the
//! instance's tables when the body is done.

use std::collections::HashMap;

use crate::diagnostic::Diagnostic;
use crate::semantics::{self, Val};
use crate::span::Span;
use crate::syntax::ast::{
    BinOp, Block, Expr, ExprKind, FnDecl, Ident, Item, LabelKw, Path, Pattern, Stmt, StmtKind,
    TypeExpr, TypeExprKind, UnOp,
};

use super::codes::*;
use super::types::{DeclTy, IntTy, Label, Len, StructId, Ty};
use super::{
    dedup_diagnostics, Builtin, ConstId, ConstInfo, FnId, FnInfo, Input, Instance, InstanceId,
    Module, ModuleId, Output, Party, Program, Res, StructInfo,
};

/// The most scalars one array may hold (2^26).
const MAX_SCALARS: u64 = 1 << 26;

/// How deep function instantiation may nest before it is called unbounded.
const MAX_INSTANTIATION_DEPTH: usize = 128;

/// Checks a whole program; module 0 is the main program.
pub fn check_program(modules: Vec<Module>) -> (Option<Program>, Vec<Diagnostic>) {
    let mut ck = Checker::new(&modules);
    ck.collect_items();
    let main = ck.check_main();
    let mut diags = std::mem::take(&mut ck.diags);
    dedup_diagnostics(&mut diags);
    let failed = diags.iter().any(Diagnostic::is_error);
    let program = match (main, failed) {
        (Some(main), false) => {
            let consts = ck
                .consts
                .iter()
                .filter_map(|c| match &c.state {
                    ConstState::Done(ty, v) => Some(ConstInfo {
                        module: c.module,
                        item: c.item,
                        name: c.name.clone(),
                        ty: ty.clone(),
                        value: v.clone(),
                    }),
                    _ => None,
                })
                .collect::<Vec<_>>();
            // Const ids must stay valid: only build the program when every const is done.
            if consts.len() != ck.consts.len() {
                return (None, diags);
            }
            let structs = ck
                .structs
                .iter()
                .map(|s| StructInfo {
                    module: s.module,
                    name: s.name.clone(),
                    fields: s.fields.clone().unwrap_or_default(),
                })
                .collect();
            Some(Program {
                fns: ck.fns.clone(),
                structs,
                consts,
                parties: ck.parties.clone(),
                inputs: ck.inputs.clone(),
                outputs: ck.outputs.clone(),
                instances: ck.instances.clone(),
                main,
                modules,
            })
        }
        _ => None,
    };
    (program, diags)
}

#[derive(Debug, Clone, Copy)]
enum ItemRef {
    Fn(FnId),
    Const(ConstId),
    Struct(StructId),
}

#[derive(Debug, Clone)]
enum ConstState {
    Pending,
    InProgress,
    Done(Ty, Val),
    Failed,
}

#[derive(Debug)]
struct ConstSlot {
    module: ModuleId,
    item: usize,
    name: String,
    state: ConstState,
}

#[derive(Debug)]
struct StructSlot {
    module: ModuleId,
    item: usize,
    name: String,
    in_progress: bool,
    fields: Option<Vec<(String, DeclTy)>>,
}

/// A function's declared signature.
#[derive(Debug, Clone)]
struct Sig {
    params: Vec<DeclTy>,
    /// `None`: returns unit.
    ret: Option<DeclTy>,
}

#[derive(Debug, Default, Clone)]
struct InstState {
    in_progress: bool,
    used_recursively: bool,
    /// A `reveal` in this function or one it calls.
    reveals: Option<Span>,
}

/// How array lengths in a type may be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LenMode {
    /// Constants only.
    Const,
    /// A bare unknown name introduces a generic length (function parameters).
    Generic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LocalKind {
    Let,
    Param,
    Input,
    Loop,
}

#[derive(Debug, Clone)]
struct Local {
    name: String,
    ty: Ty,
    mutable: bool,
    span: Span,
    used: bool,
    /// Known at compile time (a loop variable, or immutable and built from constants).
    ct: bool,
    /// How many secret conditions enclosed the declaration.
    secret_depth: usize,
    kind: LocalKind,
}

/// Why a value does not fit a declared type.
#[derive(Debug)]
enum FitError {
    Shape,
    Width,
    Flow,
}

/// Everything the checker tracks while inside one body (or one constant).
#[derive(Debug)]
struct BodyCx {
    module: ModuleId,
    instance: Option<InstanceId>,
    is_main: bool,
    tys: HashMap<crate::syntax::ast::ExprId, Ty>,
    res: HashMap<crate::syntax::ast::ExprId, Res>,
    scopes: Vec<Vec<Local>>,
    lens: Vec<(String, u64)>,
    /// Spans of the secret conditions around the current point, outermost first.
    secret_conds: Vec<Span>,
    /// Enclosing `if`s and loops (calls at depth 0 always happen).
    cond_depth: usize,
    /// Blocks nested inside the function body (0 = the body's top level).
    nesting: usize,
    /// The declared return type, with lengths resolved; `None` for unit.
    ret_decl: Option<DeclTy>,
    /// Types of returned values, for label inference.
    returned: Vec<Ty>,
    reveals: Option<Span>,
}

impl BodyCx {
    fn new(module: ModuleId) -> Self {
        BodyCx {
            module,
            instance: None,
            is_main: false,
            tys: HashMap::new(),
            res: HashMap::new(),
            scopes: vec![Vec::new()],
            lens: Vec::new(),
            secret_conds: Vec::new(),
            cond_depth: 0,
            nesting: 0,
            ret_decl: None,
            returned: Vec::new(),
            reveals: None,
        }
    }

    fn lookup(&mut self, name: &str) -> Option<&mut Local> {
        self.scopes
            .iter_mut()
            .rev()
            .flat_map(|s| s.iter_mut().rev())
            .find(|l| l.name == name)
    }

    fn len_of(&self, name: &str) -> Option<u64> {
        self.lens.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }
}

struct Checker<'m> {
    modules: &'m [Module],
    diags: Vec<Diagnostic>,
    items: Vec<HashMap<String, ItemRef>>,
    fns: Vec<FnInfo>,
    sigs: HashMap<FnId, Option<Sig>>,
    structs: Vec<StructSlot>,
    consts: Vec<ConstSlot>,
    instances: Vec<Instance>,
    inst_state: Vec<InstState>,
    memo: HashMap<(FnId, Vec<Ty>), InstanceId>,
    parties: Vec<Party>,
    inputs: Vec<Input>,
    outputs: Vec<Output>,
    /// Calls that happen whenever their caller runs: (caller, callee, call span).
    uncond_calls: Vec<(InstanceId, InstanceId, Span)>,
    depth: usize,
}

impl std::fmt::Debug for Checker<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checker")
            .field("diags", &self.diags.len())
            .finish()
    }
}

fn is_block_like(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::If { .. } | ExprKind::Block(_))
}

/// Whether an expression's type comes only from its context (an unsuffixed literal).
fn untyped(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Int { suffix: None, .. } => true,
        ExprKind::Unary(UnOp::Neg | UnOp::BitNot, x) => untyped(x),
        ExprKind::Binary(op, a, b) if is_arith(*op) || is_bitwise(*op) => untyped(a) && untyped(b),
        _ => false,
    }
}

fn is_arith(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem
    )
}

fn is_bitwise(op: BinOp) -> bool {
    matches!(op, BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor)
}

fn is_comparison(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
    )
}

fn path_str(p: &Path) -> String {
    p.segments
        .iter()
        .map(|s| s.name.as_str())
        .collect::<Vec<_>>()
        .join("::")
}

/// Parses `u8`/`i128` style type names.
fn int_type_name(name: &str) -> Option<(bool, Option<u32>)> {
    let (signed, digits) = match name.split_at_checked(1)? {
        ("u", d) => (false, d),
        ("i", d) => (true, d),
        _ => return None,
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let bits = digits.parse::<u32>().ok().filter(|b| (1..=128).contains(b));
    Some((signed, bits))
}

/// The edit distance, for "did you mean" suggestions.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

fn suggest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let limit = (name.len() / 3).max(1);
    candidates
        .filter(|c| *c != name)
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| format!("a name that exists is `{c}`"))
}

impl<'m> Checker<'m> {
    fn new(modules: &'m [Module]) -> Self {
        Checker {
            modules,
            diags: Vec::new(),
            items: Vec::new(),
            fns: Vec::new(),
            sigs: HashMap::new(),
            structs: Vec::new(),
            consts: Vec::new(),
            instances: Vec::new(),
            inst_state: Vec::new(),
            memo: HashMap::new(),
            parties: Vec::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            uncond_calls: Vec::new(),
            depth: 0,
        }
    }

    fn err(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn struct_name(&self, id: StructId) -> String {
        self.structs
            .get(id.0 as usize)
            .map_or_else(|| "?".into(), |s| s.name.clone())
    }

    fn show(&self, ty: &Ty) -> String {
        let names = |id: StructId| self.struct_name(id);
        ty.display(&names).to_string()
    }

    /// A type as the user would write it in a declaration, without labels.
    fn show_plain(&self, ty: &Ty) -> String {
        self.show(&ty.with_label(Label::Public))
            .replace("public ", "")
    }

    fn show_decl(&self, d: &DeclTy) -> String {
        let label = |l: &Option<Label>| l.map(|l| format!("{l} ")).unwrap_or_default();
        match d {
            DeclTy::Bool(l) => format!("{}bool", label(l)),
            DeclTy::Int(i, l) => format!("{}{i}", label(l)),
            DeclTy::Array(e, n) => match n {
                Len::Known(n) => format!("[{}; {n}]", self.show_decl(e)),
                Len::Generic(g) => format!("[{}; {g}]", self.show_decl(e)),
            },
            DeclTy::Tuple(items) => {
                let inner: Vec<String> = items.iter().map(|t| self.show_decl(t)).collect();
                format!("({})", inner.join(", "))
            }
            DeclTy::Struct(s, _) => self.struct_name(*s),
            DeclTy::Error => "{unknown}".into(),
        }
    }

    // ---------------------------------------------------------------- items

    fn collect_items(&mut self) {
        for (mi, module) in self.modules.iter().enumerate() {
            let mid = ModuleId(mi as u32);
            let mut table: HashMap<String, ItemRef> = HashMap::new();
            let mut first_span: HashMap<String, Span> = HashMap::new();
            for (ii, item) in module.ast.items.iter().enumerate() {
                let (name, r) = match item {
                    Item::Fn(f) => {
                        self.fns.push(FnInfo {
                            module: mid,
                            item: ii,
                            name: f.name.name.clone(),
                        });
                        (&f.name, ItemRef::Fn(FnId(self.fns.len() as u32 - 1)))
                    }
                    Item::Const(c) => {
                        self.consts.push(ConstSlot {
                            module: mid,
                            item: ii,
                            name: c.name.name.clone(),
                            state: ConstState::Pending,
                        });
                        (
                            &c.name,
                            ItemRef::Const(ConstId(self.consts.len() as u32 - 1)),
                        )
                    }
                    Item::Struct(s) => {
                        self.structs.push(StructSlot {
                            module: mid,
                            item: ii,
                            name: s.name.name.clone(),
                            in_progress: false,
                            fields: None,
                        });
                        (
                            &s.name,
                            ItemRef::Struct(StructId(self.structs.len() as u32 - 1)),
                        )
                    }
                    Item::Party(p) => {
                        if mi != 0 {
                            self.diags.push(
                                Diagnostic::error(
                                    PARTY_IN_LIBRARY,
                                    format!("party `{}` is declared in a library module", p.name),
                                    p.span,
                                )
                                .label("parties belong to the main program")
                                .with_help("declare parties only in the file you compile or run"),
                            );
                        } else if let Some(prev) = self.parties.iter().find(|q| q.name == p.name) {
                            let prev = prev.span;
                            self.diags.push(
                                Diagnostic::error(
                                    DUPLICATE_DEFINITION,
                                    format!("party `{}` is declared twice", p.name),
                                    p.span,
                                )
                                .label("declared again here")
                                .with_secondary(prev, "first declared here"),
                            );
                        } else {
                            self.parties.push(Party {
                                name: p.name.clone(),
                                span: p.span,
                            });
                        }
                        continue;
                    }
                    Item::Use(_) => continue,
                };
                if let Some(prev) = first_span.get(&name.name) {
                    self.diags.push(
                        Diagnostic::error(
                            DUPLICATE_DEFINITION,
                            format!("`{}` is defined more than once in this module", name.name),
                            name.span,
                        )
                        .label("defined again here")
                        .with_secondary(*prev, "first defined here")
                        .with_help("rename one of the definitions"),
                    );
                } else {
                    first_span.insert(name.name.clone(), name.span);
                    table.insert(name.name.clone(), r);
                }
            }
            self.items.push(table);
        }
        // Elaborate every struct and constant, so errors in unused ones are reported too.
        for i in 0..self.structs.len() {
            self.struct_fields(StructId(i as u32));
        }
        for i in 0..self.consts.len() {
            self.const_value(ConstId(i as u32));
        }
    }

    fn module_alias(&self, module: ModuleId, name: &str) -> Option<ModuleId> {
        self.modules[module.0 as usize]
            .imports
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, m, _)| *m)
    }

    /// Resolves `a::b::item` to the module holding `item` and the item's identifier.
    fn resolve_module_path<'p>(
        &mut self,
        module: ModuleId,
        path: &'p Path,
    ) -> Option<(ModuleId, &'p Ident)> {
        let (last, prefix) = path.segments.split_last()?;
        let mut m = module;
        for seg in prefix {
            match self.module_alias(m, &seg.name) {
                Some(next) => m = next,
                None => {
                    let known: Vec<String> = self.modules[m.0 as usize]
                        .imports
                        .iter()
                        .map(|(n, _, _)| n.clone())
                        .collect();
                    let mut d = Diagnostic::error(
                        UNKNOWN_NAME,
                        format!("no module named `{}`", seg.name),
                        seg.span,
                    )
                    .label("not imported");
                    d = d.with_help(match suggest(&seg.name, known.iter().map(String::as_str)) {
                        Some(s) => s,
                        None => format!("import it first with `use std::{};`", seg.name),
                    });
                    self.err(d);
                    return None;
                }
            }
        }
        Some((m, last))
    }

    fn lookup_item(&mut self, module: ModuleId, path: &Path) -> Option<(ItemRef, ModuleId)> {
        let (m, last) = self.resolve_module_path(module, path)?;
        self.items[m.0 as usize].get(&last.name).map(|r| (*r, m))
    }

    fn item_names(&self, module: ModuleId) -> Vec<String> {
        self.items[module.0 as usize].keys().cloned().collect()
    }

    // ---------------------------------------------------------------- types

    fn struct_fields(&mut self, id: StructId) -> Option<Vec<(String, DeclTy)>> {
        let slot = &self.structs[id.0 as usize];
        if let Some(f) = &slot.fields {
            return Some(f.clone());
        }
        if slot.in_progress {
            return None;
        }
        let (module, item) = (slot.module, slot.item);
        self.structs[id.0 as usize].in_progress = true;
        let decl = match &self.modules[module.0 as usize].ast.items[item] {
            Item::Struct(s) => s,
            _ => return None,
        };
        let mut fields: Vec<(String, DeclTy)> = Vec::new();
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for (name, te) in &decl.fields {
            if let Some(prev) = seen.get(name.name.as_str()) {
                let prev = *prev;
                self.err(
                    Diagnostic::error(
                        DUPLICATE_DEFINITION,
                        format!(
                            "field `{}` is declared twice in struct `{}`",
                            name.name, decl.name.name
                        ),
                        name.span,
                    )
                    .label("declared again here")
                    .with_secondary(prev, "first declared here"),
                );
                continue;
            }
            seen.insert(&name.name, name.span);
            let mut cx = BodyCx::new(module);
            let ty = self.elab_type(&mut cx, te, LenMode::Const);
            fields.push((name.name.clone(), ty));
        }
        let slot = &mut self.structs[id.0 as usize];
        slot.in_progress = false;
        slot.fields = Some(fields.clone());
        Some(fields)
    }

    /// Turns a written type into a declared type, evaluating array lengths.
    fn elab_type(&mut self, cx: &mut BodyCx, te: &TypeExpr, mode: LenMode) -> DeclTy {
        match &te.kind {
            TypeExprKind::Error => DeclTy::Error,
            TypeExprKind::Labeled(kw, inner) => {
                let label = match kw {
                    LabelKw::Public => Label::Public,
                    LabelKw::Secret => Label::Secret,
                };
                self.elab_type(cx, inner, mode).with_default_label(label)
            }
            TypeExprKind::Tuple(items) => {
                DeclTy::Tuple(items.iter().map(|t| self.elab_type(cx, t, mode)).collect())
            }
            TypeExprKind::Array(elem, len) => {
                let elem = self.elab_type(cx, elem, mode);
                let len = self.array_len(cx, len, mode);
                match len {
                    Some(len) => {
                        let ty = DeclTy::Array(Box::new(elem), len);
                        if self.too_large(ty.scalar_count(), te.span) {
                            DeclTy::Error
                        } else {
                            ty
                        }
                    }
                    None => DeclTy::Error,
                }
            }
            TypeExprKind::Named(path) => {
                if path.segments.len() == 1 {
                    let name = &path.segments[0].name;
                    if name == "bool" {
                        return DeclTy::Bool(None);
                    }
                    if let Some((signed, bits)) = int_type_name(name) {
                        return match bits {
                            Some(bits) => DeclTy::Int(IntTy { signed, bits }, None),
                            None => {
                                self.err(
                                    Diagnostic::error(
                                        BAD_TYPE,
                                        format!("`{name}` is not a valid integer type"),
                                        te.span,
                                    )
                                    .label("integer widths run from 1 to 128 bits")
                                    .with_help("use a width between `u1`/`i1` and `u128`/`i128`"),
                                );
                                DeclTy::Error
                            }
                        };
                    }
                }
                match self.lookup_item(cx.module, path) {
                    Some((ItemRef::Struct(id), _)) => match self.struct_fields(id) {
                        Some(fields) => {
                            DeclTy::Struct(id, fields.into_iter().map(|(_, t)| t).collect())
                        }
                        None => {
                            self.err(
                                Diagnostic::error(
                                    BAD_TYPE,
                                    format!("struct `{}` contains itself", path_str(path)),
                                    te.span,
                                )
                                .label("this makes the type infinitely large")
                                .with_help("a struct cannot contain itself, directly or through other structs"),
                            );
                            DeclTy::Error
                        }
                    },
                    Some(_) => {
                        self.err(
                            Diagnostic::error(
                                BAD_TYPE,
                                format!("`{}` is not a type", path_str(path)),
                                te.span,
                            )
                            .label("expected a type"),
                        );
                        DeclTy::Error
                    }
                    None => {
                        if path.segments.len() == 1
                            || self.resolve_module_path(cx.module, path).is_some()
                        {
                            let name = &path.segments[path.segments.len() - 1].name;
                            let mut d = Diagnostic::error(
                                UNKNOWN_NAME,
                                format!("unknown type `{}`", path_str(path)),
                                te.span,
                            )
                            .label("not defined");
                            let names = self.item_names(cx.module);
                            let builtin =
                                ["bool", "u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64"];
                            if let Some(s) =
                                suggest(name, names.iter().map(String::as_str).chain(builtin))
                            {
                                d = d.with_help(s);
                            } else {
                                d = d.with_help("types are `bool`, `uN`/`iN` (N from 1 to 128), arrays `[T; N]`, tuples and structs");
                            }
                            self.err(d);
                        }
                        DeclTy::Error
                    }
                }
            }
        }
    }

    /// Reports an array of more than [`MAX_SCALARS`] scalars (it could not be
    /// unrolled into a circuit, nor held in memory by the interpreter).
    fn too_large(&mut self, scalars: u64, span: Span) -> bool {
        if scalars <= MAX_SCALARS {
            return false;
        }
        self.err(
            Diagnostic::error(
                BAD_TYPE,
                format!("this array holds {scalars} values; the limit is {MAX_SCALARS}"),
                span,
            )
            .label("too large")
            .with_help("MPC circuits touch every element; split the data into several runs"),
        );
        true
    }

    fn array_len(&mut self, cx: &mut BodyCx, len: &Expr, mode: LenMode) -> Option<Len> {
        if let ExprKind::Name(p) = &len.kind {
            if p.segments.len() == 1 {
                let name = &p.segments[0].name;
                if let Some(v) = cx.len_of(name) {
                    return Some(Len::Known(v));
                }
                let is_const = matches!(
                    self.items[cx.module.0 as usize].get(name),
                    Some(ItemRef::Const(_))
                );
                if mode == LenMode::Generic && !is_const {
                    return Some(Len::Generic(name.clone()));
                }
            }
        }
        self.const_u64(cx, len, "an array length").map(Len::Known)
    }

    /// Evaluates an expression that must be a non-negative compile-time integer.
    fn const_u64(&mut self, cx: &mut BodyCx, e: &Expr, what: &str) -> Option<u64> {
        let ty = self.expr(cx, e, Some(&Ty::Int(IntTy::U32, Label::Public)));
        if ty.is_error() {
            return None;
        }
        if ty.int().is_none() {
            self.err(
                Diagnostic::error(
                    TYPE_MISMATCH,
                    format!("{what} must be an integer, found `{}`", self.show(&ty)),
                    e.span,
                )
                .label("expected an integer"),
            );
            return None;
        }
        match self.consteval(cx, e) {
            Ok(v) => match v.as_u128().and_then(|v| u64::try_from(v).ok()) {
                Some(n) => Some(n),
                None => {
                    self.err(
                        Diagnostic::error(
                            NOT_CONSTANT,
                            format!("{what} must not be negative"),
                            e.span,
                        )
                        .label("this is negative"),
                    );
                    None
                }
            },
            Err(at) => {
                self.err(
                    Diagnostic::error(
                        NOT_CONSTANT,
                        format!("{what} must be known at compile time"),
                        e.span,
                    )
                    .label("not a compile-time constant")
                    .with_secondary(
                        at,
                        "this part depends on values known only when the program runs",
                    )
                    .with_help("use literals, `const` items, generic lengths and `len(...)`"),
                );
                None
            }
        }
    }

    /// A declared type as an expectation for literals (labels and unknown lengths dropped).
    fn decl_expect(&self, d: &DeclTy, lens: &[(String, u64)]) -> Option<Ty> {
        Some(match d {
            DeclTy::Bool(_) => Ty::Bool(Label::Public),
            DeclTy::Int(i, _) => Ty::Int(*i, Label::Public),
            DeclTy::Array(e, n) => {
                let n = match n {
                    Len::Known(n) => *n,
                    Len::Generic(g) => lens.iter().find(|(n, _)| n == g)?.1,
                };
                Ty::Array(Box::new(self.decl_expect(e, lens)?), n)
            }
            DeclTy::Tuple(items) => Ty::Tuple(
                items
                    .iter()
                    .map(|t| self.decl_expect(t, lens))
                    .collect::<Option<_>>()?,
            ),
            DeclTy::Struct(s, items) => Ty::Struct(
                *s,
                items
                    .iter()
                    .map(|t| self.decl_expect(t, lens))
                    .collect::<Option<_>>()?,
            ),
            DeclTy::Error => return None,
        })
    }

    /// Fits a value's type to a declared type: open labels take the value's
    /// label, generic lengths are bound in `lens`.
    fn fit(ty: &Ty, decl: &DeclTy, lens: &mut Vec<(String, u64)>) -> Result<Ty, FitError> {
        let label = |d: &Option<Label>, a: Label| -> Result<Label, FitError> {
            match d {
                None => Ok(a),
                Some(Label::Secret) => Ok(Label::Secret),
                Some(Label::Public) if a == Label::Secret => Err(FitError::Flow),
                Some(Label::Public) => Ok(Label::Public),
            }
        };
        match (decl, ty) {
            (DeclTy::Error, _) | (_, Ty::Error) => Ok(Ty::Error),
            (DeclTy::Bool(d), Ty::Bool(a)) => Ok(Ty::Bool(label(d, *a)?)),
            (DeclTy::Int(i, d), Ty::Int(j, a)) => {
                if i != j {
                    return Err(FitError::Width);
                }
                Ok(Ty::Int(*i, label(d, *a)?))
            }
            (DeclTy::Array(e, n), Ty::Array(te, m)) => {
                match n {
                    Len::Known(n) if n != m => return Err(FitError::Shape),
                    Len::Known(_) => {}
                    Len::Generic(g) => match lens.iter().find(|(n, _)| n == g) {
                        Some((_, bound)) if bound != m => return Err(FitError::Shape),
                        Some(_) => {}
                        None => lens.push((g.clone(), *m)),
                    },
                }
                Ok(Ty::Array(Box::new(Self::fit(te, e, lens)?), *m))
            }
            (DeclTy::Tuple(ds), Ty::Tuple(ts)) if ds.len() == ts.len() => Ok(Ty::Tuple(
                ds.iter()
                    .zip(ts)
                    .map(|(d, t)| Self::fit(t, d, lens))
                    .collect::<Result<_, _>>()?,
            )),
            (DeclTy::Struct(s, ds), Ty::Struct(t, ts)) if s == t && ds.len() == ts.len() => {
                Ok(Ty::Struct(
                    *s,
                    ds.iter()
                        .zip(ts)
                        .map(|(d, t)| Self::fit(t, d, lens))
                        .collect::<Result<_, _>>()?,
                ))
            }
            _ => Err(FitError::Shape),
        }
    }

    /// [`Self::fit`] with the error reported at `span`; `what` names the place.
    fn fit_report(
        &mut self,
        ty: &Ty,
        decl: &DeclTy,
        lens: &mut Vec<(String, u64)>,
        span: Span,
        what: &str,
    ) -> Ty {
        match Self::fit(ty, decl, lens) {
            Ok(t) => t,
            Err(FitError::Flow) => {
                self.err(
                    Diagnostic::error(
                        SECRET_TO_PUBLIC,
                        format!("a secret value cannot flow into {what} of type `{}`", self.show_decl(decl)),
                        span,
                    )
                    .label(format!("this is `{}`", self.show(ty)))
                    .with_help("wrap it in `reveal(...)` if every party may learn it, or make the place secret"),
                );
                Ty::Error
            }
            Err(e) => {
                let code = if matches!(e, FitError::Width) {
                    WIDTH_MISMATCH
                } else {
                    TYPE_MISMATCH
                };
                let mut d = Diagnostic::error(
                    code,
                    format!(
                        "{what} expects `{}`, found `{}`",
                        self.show_decl(decl),
                        self.show(ty)
                    ),
                    span,
                )
                .label(format!("this is `{}`", self.show(ty)));
                if matches!(e, FitError::Width) {
                    let target = self
                        .show_decl(decl)
                        .replace("public ", "")
                        .replace("secret ", "");
                    d = d.with_help(format!("convert it with `as`: `(...) as {target}`"));
                }
                self.err(d);
                Ty::Error
            }
        }
    }

    // ------------------------------------------------------------ constants

    fn const_value(&mut self, id: ConstId) -> Option<(Ty, Val)> {
        let slot = &self.consts[id.0 as usize];
        match &slot.state {
            ConstState::Done(t, v) => return Some((t.clone(), v.clone())),
            ConstState::Failed => return None,
            ConstState::InProgress => {
                let (module, item) = (slot.module, slot.item);
                if let Item::Const(c) = &self.modules[module.0 as usize].ast.items[item] {
                    self.err(
                        Diagnostic::error(
                            NOT_CONSTANT,
                            format!("constant `{}` depends on itself", c.name.name),
                            c.name.span,
                        )
                        .label("its value needs its own value")
                        .with_help("break the cycle between the constants"),
                    );
                }
                self.consts[id.0 as usize].state = ConstState::Failed;
                return None;
            }
            ConstState::Pending => {}
        }
        let (module, item) = (slot.module, slot.item);
        self.consts[id.0 as usize].state = ConstState::InProgress;
        let Item::Const(c) = &self.modules[module.0 as usize].ast.items[item] else {
            return None;
        };
        let mut cx = BodyCx::new(module);
        let decl = self
            .elab_type(&mut cx, &c.ty, LenMode::Const)
            .with_default_label(Label::Public);
        let expect = self.decl_expect(&decl, &[]);
        let vt = self.expr(&mut cx, &c.value, expect.as_ref());
        let ty = self.fit_report(&vt, &decl, &mut Vec::new(), c.value.span, "the constant");
        if ty.is_error() || matches!(self.consts[id.0 as usize].state, ConstState::Failed) {
            self.consts[id.0 as usize].state = ConstState::Failed;
            return None;
        }
        match self.consteval(&cx, &c.value) {
            Ok(v) => {
                self.consts[id.0 as usize].state = ConstState::Done(ty.clone(), v.clone());
                Some((ty, v))
            }
            Err(at) => {
                self.err(
                    Diagnostic::error(
                        NOT_CONSTANT,
                        format!(
                            "the value of constant `{}` must be known at compile time",
                            c.name.name
                        ),
                        c.value.span,
                    )
                    .label("not a compile-time constant")
                    .with_secondary(at, "this cannot be evaluated at compile time")
                    .with_help(
                        "constants may use literals, other constants, operators, arrays and `len`",
                    ),
                );
                self.consts[id.0 as usize].state = ConstState::Failed;
                None
            }
        }
    }

    /// Evaluates a checked expression at compile time; `Err` names the part that cannot be.
    fn consteval(&self, cx: &BodyCx, e: &Expr) -> Result<Val, Span> {
        let ty_of = |e: &Expr| cx.tys.get(&e.id).cloned().unwrap_or(Ty::Error);
        let int_ty = |e: &Expr| ty_of(e).int().ok_or(e.span);
        match &e.kind {
            ExprKind::Int { value, .. } => Ok(Val::int(*value, int_ty(e)?)),
            ExprKind::Bool(b) => Ok(Val::Bool(*b)),
            ExprKind::Unary(UnOp::Neg, inner) if matches!(inner.kind, ExprKind::Int { .. }) => {
                let ExprKind::Int { value, .. } = inner.kind else {
                    return Err(e.span);
                };
                Ok(semantics::literal(true, value, int_ty(e)?))
            }
            ExprKind::Unary(op, x) => Ok(semantics::unary(*op, &self.consteval(cx, x)?)),
            ExprKind::Binary(op, a, b) => Ok(semantics::binary(
                *op,
                &self.consteval(cx, a)?,
                &self.consteval(cx, b)?,
            )),
            ExprKind::Name(_) => match cx.res.get(&e.id) {
                Some(Res::Const(id)) => match &self.consts[id.0 as usize].state {
                    ConstState::Done(_, v) => Ok(v.clone()),
                    _ => Err(e.span),
                },
                Some(Res::Len(n)) => Ok(Val::int(u128::from(*n), IntTy::U32)),
                _ => Err(e.span),
            },
            ExprKind::Cast(x, _) => Ok(semantics::cast(&self.consteval(cx, x)?, int_ty(e)?)),
            ExprKind::Tuple(items) => Ok(Val::Tuple(
                items
                    .iter()
                    .map(|x| self.consteval(cx, x))
                    .collect::<Result<_, _>>()?,
            )),
            ExprKind::Array(items) => Ok(Val::Array(
                items
                    .iter()
                    .map(|x| self.consteval(cx, x))
                    .collect::<Result<_, _>>()?,
            )),
            ExprKind::ArrayRepeat(v, _) => match ty_of(e) {
                Ty::Array(_, n) => Ok(Val::Array(vec![self.consteval(cx, v)?; n as usize])),
                _ => Err(e.span),
            },
            ExprKind::Index(a, i) => {
                let arr = self.consteval(cx, a)?;
                let idx = self.consteval(cx, i)?.as_u128().ok_or(i.span)?;
                match arr {
                    Val::Array(items) => items.get(idx as usize).cloned().ok_or(i.span),
                    _ => Err(e.span),
                }
            }
            ExprKind::TupleField(x, n, _) => match self.consteval(cx, x)? {
                Val::Tuple(items) => items.get(*n as usize).cloned().ok_or(e.span),
                _ => Err(e.span),
            },
            ExprKind::If { cond, then, else_ } => {
                let c = self.consteval(cx, cond)?.as_bool().ok_or(cond.span)?;
                if c {
                    self.consteval_block(cx, then)
                } else {
                    match else_ {
                        Some(x) => self.consteval(cx, x),
                        None => Ok(Val::unit()),
                    }
                }
            }
            ExprKind::Block(b) => self.consteval_block(cx, b),
            ExprKind::Call { args, .. } => match cx.res.get(&e.id) {
                Some(Res::Builtin(Builtin::Len)) => match args.first().map(ty_of) {
                    Some(Ty::Array(_, n)) => Ok(Val::int(u128::from(n), IntTy::U32)),
                    _ => Err(e.span),
                },
                Some(Res::Builtin(b @ (Builtin::Min | Builtin::Max))) if args.len() == 2 => {
                    Ok(semantics::min_max(
                        *b == Builtin::Max,
                        &self.consteval(cx, &args[0])?,
                        &self.consteval(cx, &args[1])?,
                    ))
                }
                _ => Err(e.span),
            },
            _ => Err(e.span),
        }
    }

    fn consteval_block(&self, cx: &BodyCx, b: &Block) -> Result<Val, Span> {
        if !b.stmts.is_empty() {
            return Err(b.span);
        }
        match &b.tail {
            Some(t) => self.consteval(cx, t),
            None => Ok(Val::unit()),
        }
    }

    /// Whether an expression (already checked in `cx`) is known at compile time during unrolling.
    fn is_ct(&self, cx: &mut BodyCx, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Int { .. } | ExprKind::Bool(_) => true,
            ExprKind::Name(p) => match cx.res.get(&e.id) {
                Some(Res::Const(_) | Res::Len(_)) => true,
                Some(Res::Local) => cx.lookup(&p.segments[0].name).is_some_and(|l| l.ct),
                _ => false,
            },
            ExprKind::Unary(_, x)
            | ExprKind::Cast(x, _)
            | ExprKind::TupleField(x, _, _)
            | ExprKind::Field(x, _) => self.is_ct(cx, x),
            ExprKind::Binary(_, a, b) | ExprKind::Index(a, b) => {
                self.is_ct(cx, a) && self.is_ct(cx, b)
            }
            ExprKind::Tuple(items) | ExprKind::Array(items) => {
                items.iter().all(|x| self.is_ct(cx, x))
            }
            ExprKind::ArrayRepeat(v, _) => self.is_ct(cx, v),
            ExprKind::Call { args, .. } => match cx.res.get(&e.id) {
                Some(Res::Builtin(Builtin::Len)) => true,
                Some(Res::Builtin(_)) => args.iter().all(|a| self.is_ct(cx, a)),
                _ => false,
            },
            ExprKind::If { cond, then, else_ } => {
                self.is_ct(cx, cond)
                    && then.stmts.is_empty()
                    && then.tail.as_ref().is_some_and(|t| self.is_ct(cx, t))
                    && else_.as_ref().is_some_and(|x| self.is_ct(cx, x))
            }
            ExprKind::Block(b) => {
                b.stmts.is_empty() && b.tail.as_ref().is_some_and(|t| self.is_ct(cx, t))
            }
            _ => false,
        }
    }

    // ------------------------------------------------------------ functions

    fn sig(&mut self, id: FnId) -> Option<Sig> {
        if let Some(s) = self.sigs.get(&id) {
            return s.clone();
        }
        let info = self.fns[id.0 as usize].clone();
        let Item::Fn(f) = &self.modules[info.module.0 as usize].ast.items[info.item] else {
            return None;
        };
        let mut cx = BodyCx::new(info.module);
        let mut seen: HashMap<&str, Span> = HashMap::new();
        let mut params = Vec::new();
        for p in &f.params {
            if let Some(prev) = seen.get(p.name.name.as_str()) {
                let prev = *prev;
                self.err(
                    Diagnostic::error(
                        DUPLICATE_DEFINITION,
                        format!("parameter `{}` is declared twice", p.name.name),
                        p.name.span,
                    )
                    .label("declared again here")
                    .with_secondary(prev, "first declared here"),
                );
            }
            seen.insert(&p.name.name, p.name.span);
            params.push(self.elab_type(&mut cx, &p.ty, LenMode::Generic));
        }
        let ret = f
            .ret
            .as_ref()
            .map(|t| self.elab_type(&mut cx, t, LenMode::Generic));
        let sig = Sig { params, ret };
        self.sigs.insert(id, Some(sig.clone()));
        Some(sig)
    }

    fn fn_decl(&self, id: FnId) -> &'m FnDecl {
        let info = &self.fns[id.0 as usize];
        match &self.modules[info.module.0 as usize].ast.items[info.item] {
            Item::Fn(f) => f,
            _ => unreachable!("FnInfo points at a non-function item"),
        }
    }

    fn check_main(&mut self) -> Option<InstanceId> {
        let root = ModuleId(0);
        let file = self.modules.first()?.file;
        let file_start = Span::new(file, 0, 0);
        if self.parties.len() < 2 {
            let span = self.parties.first().map_or(file_start, |p| p.span);
            self.err(
                Diagnostic::error(
                    TOO_FEW_PARTIES,
                    format!(
                        "a program needs at least two parties, this one declares {}",
                        self.parties.len()
                    ),
                    span,
                )
                .label("parties are declared here")
                .with_help(
                    "declare each party with `party NAME;` (e.g. `party alice; party bob;`)",
                ),
            );
        }
        let main = match self.items[0].get("main") {
            Some(ItemRef::Fn(id)) => *id,
            _ => {
                self.err(
                    Diagnostic::error(MISSING_MAIN, "the program has no `main` function", file_start)
                        .label("expected `fn main(...)` in this file")
                        .with_help("add `fn main(x: u32 from alice, y: u32 from bob) { output r = reveal(x < y); }`"),
                );
                return None;
            }
        };
        let f = self.fn_decl(main);
        if let Some(ret) = &f.ret {
            self.err(
                Diagnostic::error(BAD_MAIN, "`main` cannot return a value", ret.span)
                    .label("remove this return type")
                    .with_help("give results to parties with `output NAME = reveal(e);`"),
            );
        }
        let mut cx = BodyCx::new(root);
        cx.is_main = true;
        let mut params = Vec::new();
        for p in &f.params {
            let decl = self.elab_type(&mut cx, &p.ty, LenMode::Const);
            let ty = self.decl_expect(&decl, &[]).map_or(Ty::Error, |_| {
                // Open labels of inputs are secret: only the owner knows them.
                let d = decl.with_default_label(Label::Secret);
                Self::fit(
                    &self
                        .decl_expect(&d, &[])
                        .unwrap_or(Ty::Error)
                        .with_label(Label::Public),
                    &d,
                    &mut Vec::new(),
                )
                .unwrap_or(Ty::Error)
            });
            match &p.from {
                None => self.err(
                    Diagnostic::error(
                        BAD_MAIN,
                        format!(
                            "input `{}` does not say which party provides it",
                            p.name.name
                        ),
                        p.span,
                    )
                    .label("every parameter of `main` is an input of one party")
                    .with_help(format!(
                        "write `{}: {} from PARTY`",
                        p.name.name,
                        self.show_decl(&decl)
                    )),
                ),
                Some(party) => match self.parties.iter().position(|q| q.name == party.name) {
                    None => {
                        let mut d = Diagnostic::error(
                            UNKNOWN_PARTY,
                            format!("no party named `{}`", party.name),
                            party.span,
                        )
                        .label("not declared");
                        let names: Vec<&str> =
                            self.parties.iter().map(|q| q.name.as_str()).collect();
                        d = d.with_help(match suggest(&party.name, names.iter().copied()) {
                            Some(s) => s,
                            None => format!("declare it with `party {};`", party.name),
                        });
                        self.err(d);
                    }
                    Some(idx) => {
                        let names = |id: StructId| self.struct_shape(id);
                        let value_type = ty.value_type(&names);
                        self.inputs.push(Input {
                            party: idx,
                            name: p.name.name.clone(),
                            public: !ty.is_secret(),
                            ty: ty.clone(),
                            value_type,
                            span: p.name.span,
                        });
                    }
                },
            }
            params.push(ty);
        }
        let id = self.check_instance(main, params, true);
        if self.outputs.is_empty() && !self.diags.iter().any(Diagnostic::is_error) {
            self.err(
                Diagnostic::error(NO_OUTPUT, "the program has no output", f.name.span)
                    .label("`main` gives nothing to any party")
                    .with_help("add `output NAME = reveal(e);` (or `... to PARTY;`)"),
            );
        }
        self.check_unconditional_recursion();
        Some(id)
    }

    fn struct_shape(&self, id: StructId) -> (String, Vec<String>) {
        let s = &self.structs[id.0 as usize];
        let fields = s
            .fields
            .as_ref()
            .map(|f| f.iter().map(|(n, _)| n.clone()).collect())
            .unwrap_or_default();
        (s.name.clone(), fields)
    }

    fn check_unconditional_recursion(&mut self) {
        let edges = self.uncond_calls.clone();
        for (from, to, span) in &edges {
            // Does `to` reach `from` through calls that always happen?
            let mut stack = vec![*to];
            let mut seen = std::collections::HashSet::new();
            let mut cyclic = false;
            while let Some(n) = stack.pop() {
                if n == *from {
                    cyclic = true;
                    break;
                }
                if seen.insert(n) {
                    stack.extend(edges.iter().filter(|(a, _, _)| *a == n).map(|(_, b, _)| *b));
                }
            }
            if cyclic {
                let name = self.fns[self.instances[to.0 as usize].func.0 as usize]
                    .name
                    .clone();
                self.err(
                    Diagnostic::error(
                        UNBOUNDED_RECURSION,
                        format!("the call to `{name}` recurses without end"),
                        *span,
                    )
                    .label("this call happens every time, so the recursion never stops")
                    .with_help("guard the recursive call with a condition on a compile-time value"),
                );
            }
        }
    }

    /// Checks `func` for one typing of its parameters (memoised).
    fn check_instance(&mut self, func: FnId, params: Vec<Ty>, is_main: bool) -> InstanceId {
        let key = (func, params.clone());
        if let Some(id) = self.memo.get(&key) {
            let id = *id;
            if self.inst_state[id.0 as usize].in_progress {
                self.inst_state[id.0 as usize].used_recursively = true;
            }
            return id;
        }
        let sig = self.sig(func).unwrap_or(Sig {
            params: Vec::new(),
            ret: None,
        });
        let f = self.fn_decl(func);
        let mut lens = Vec::new();
        for (t, d) in params.iter().zip(&sig.params) {
            // Arguments were fitted by the caller; this only binds generic lengths.
            let _ = Self::fit(t, d, &mut lens);
        }
        let ret_decl = sig.ret.as_ref().map(|r| self.resolve_lens(r, &lens, f));
        let provisional = match &ret_decl {
            None => Ty::unit(),
            Some(d) => self.decl_expect(d, &lens).map_or(Ty::Error, |t| {
                Self::fit(&t, d, &mut lens.clone()).unwrap_or(Ty::Error)
            }),
        };
        let id = InstanceId(self.instances.len() as u32);
        self.instances.push(Instance {
            func,
            params: params.clone(),
            ret: provisional,
            lens: lens.clone(),
            tys: HashMap::new(),
            res: HashMap::new(),
        });
        self.inst_state.push(InstState {
            in_progress: true,
            ..InstState::default()
        });
        self.memo.insert(key, id);
        self.depth += 1;
        for _round in 0..8 {
            let diag_mark = self.diags.len();
            let output_mark = self.outputs.len();
            let (cx, ret) = self.check_body(id, f, &params, &lens, ret_decl.clone(), is_main);
            let inst = &mut self.instances[id.0 as usize];
            let changed = inst.ret != ret;
            inst.ret = ret;
            inst.tys = cx.tys;
            inst.res = cx.res;
            self.inst_state[id.0 as usize].reveals = cx.reveals;
            if !(changed && self.inst_state[id.0 as usize].used_recursively) {
                break;
            }
            // A recursive call saw a stale return type: check again with the new one.
            self.diags.truncate(diag_mark);
            self.outputs.truncate(output_mark);
            self.uncond_calls.retain(|(from, _, _)| *from != id);
        }
        self.depth -= 1;
        self.inst_state[id.0 as usize].in_progress = false;
        id
    }

    fn resolve_lens(&mut self, d: &DeclTy, lens: &[(String, u64)], f: &FnDecl) -> DeclTy {
        match d {
            DeclTy::Array(e, Len::Generic(g)) => match lens.iter().find(|(n, _)| n == g) {
                Some((_, v)) => {
                    DeclTy::Array(Box::new(self.resolve_lens(e, lens, f)), Len::Known(*v))
                }
                None => {
                    let span = f.ret.as_ref().map_or(f.name.span, |t| t.span);
                    self.err(
                        Diagnostic::error(UNKNOWN_NAME, format!("unknown length `{g}` in the return type"), span)
                            .label("not a constant, and no parameter binds it")
                            .with_help(format!("use `{g}` as an array length in a parameter type, or define `const {g}: u32 = ...;`")),
                    );
                    DeclTy::Error
                }
            },
            DeclTy::Array(e, n) => {
                DeclTy::Array(Box::new(self.resolve_lens(e, lens, f)), n.clone())
            }
            DeclTy::Tuple(items) => DeclTy::Tuple(
                items
                    .iter()
                    .map(|t| self.resolve_lens(t, lens, f))
                    .collect(),
            ),
            DeclTy::Struct(s, items) => DeclTy::Struct(
                *s,
                items
                    .iter()
                    .map(|t| self.resolve_lens(t, lens, f))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn check_body(
        &mut self,
        id: InstanceId,
        f: &FnDecl,
        params: &[Ty],
        lens: &[(String, u64)],
        ret_decl: Option<DeclTy>,
        is_main: bool,
    ) -> (BodyCx, Ty) {
        let module = self.fns[self.instances[id.0 as usize].func.0 as usize].module;
        let mut cx = BodyCx::new(module);
        cx.instance = Some(id);
        cx.is_main = is_main;
        cx.lens = lens.to_vec();
        cx.ret_decl = ret_decl.clone();
        for (p, t) in f.params.iter().zip(params) {
            cx.scopes[0].push(Local {
                name: p.name.name.clone(),
                ty: t.clone(),
                mutable: p.mutable,
                span: p.name.span,
                used: false,
                ct: false,
                secret_depth: 0,
                kind: if is_main {
                    LocalKind::Input
                } else {
                    LocalKind::Param
                },
            });
        }
        cx.scopes.push(Vec::new());
        for s in &f.body.stmts {
            self.stmt(&mut cx, s);
        }
        let expect = ret_decl.as_ref().and_then(|d| self.decl_expect(d, lens));
        let tail = f
            .body
            .tail
            .as_ref()
            .map(|t| (t, self.expr(&mut cx, t, expect.as_ref())));
        self.pop_scope(&mut cx);
        self.pop_scope(&mut cx);
        let ret = match (&ret_decl, tail) {
            (None, None) => Ty::unit(),
            (None, Some((t, ty))) => {
                if ty != Ty::unit() && !ty.is_error() {
                    self.err(
                        Diagnostic::error(
                            TYPE_MISMATCH,
                            format!(
                                "`{}` declares no return type, but its body ends with a value",
                                f.name.name
                            ),
                            t.span,
                        )
                        .label(format!("this is `{}`", self.show(&ty)))
                        .with_help(format!(
                            "add `-> {}` to the signature, or end the line with `;`",
                            self.show(&ty.with_label(Label::Public))
                                .replace("public ", "")
                        )),
                    );
                }
                Ty::unit()
            }
            (Some(d), tail) => {
                let mut lens = lens.to_vec();
                if let Some((t, ty)) = tail {
                    let fitted = self.fit_report(&ty, d, &mut lens, t.span, "the return value");
                    cx.returned.push(fitted);
                } else if !matches!(
                    f.body.stmts.last().map(|s| &s.kind),
                    Some(StmtKind::Return(_))
                ) {
                    let end = Span {
                        start: f.body.span.end.saturating_sub(1),
                        ..f.body.span
                    };
                    self.err(
                        Diagnostic::error(
                            TYPE_MISMATCH,
                            format!(
                                "`{}` must end with a value of type `{}`",
                                f.name.name,
                                self.show_decl(d)
                            ),
                            end,
                        )
                        .label("the body ends here without a value")
                        .with_help("end the body with an expression (no `;`) or a `return`"),
                    );
                }
                self.infer_ret(d, &cx.returned, &lens)
            }
        };
        (cx, ret)
    }

    /// The return type: declared labels where given, otherwise the join of the returned values.
    fn infer_ret(&self, d: &DeclTy, returned: &[Ty], lens: &[(String, u64)]) -> Ty {
        let Some(base) = self.decl_expect(d, lens) else {
            return Ty::Error;
        };
        let mut joined = base.with_label(Label::Public);
        for r in returned {
            if r.same_base(&joined) {
                joined = joined.join(r);
            }
        }
        Self::fit(&joined, d, &mut lens.to_vec()).unwrap_or(Ty::Error)
    }

    fn pop_scope(&mut self, cx: &mut BodyCx) {
        let Some(scope) = cx.scopes.pop() else { return };
        for l in scope {
            if l.used || l.name.starts_with('_') {
                continue;
            }
            let d = match l.kind {
                LocalKind::Input => Diagnostic::warning(
                    UNUSED_INPUT,
                    format!("input `{}` is never used", l.name),
                    l.span,
                )
                .label("its party provides it for nothing")
                .with_help(format!(
                    "remove it, or rename it `_{}` if that is intended",
                    l.name
                )),
                LocalKind::Loop => continue,
                _ => Diagnostic::warning(
                    UNUSED_VARIABLE,
                    format!("variable `{}` is never read", l.name),
                    l.span,
                )
                .label("defined here")
                .with_help(format!(
                    "remove it, or rename it `_{}` if that is intended",
                    l.name
                )),
            };
            self.diags.push(d);
        }
    }

    // ----------------------------------------------------------- statements

    fn stmt(&mut self, cx: &mut BodyCx, s: &Stmt) {
        match &s.kind {
            StmtKind::Error => {}
            StmtKind::Let { pattern, ty, init } => {
                let decl = ty.as_ref().map(|t| self.elab_type(cx, t, LenMode::Const));
                let expect = decl.as_ref().and_then(|d| self.decl_expect(d, &cx.lens));
                let it = self.expr(cx, init, expect.as_ref());
                let vt = match &decl {
                    Some(d) => {
                        let mut lens = cx.lens.clone();
                        self.fit_report(&it, d, &mut lens, init.span, "the variable")
                    }
                    None => it,
                };
                let ct = self.is_ct(cx, init);
                self.bind(cx, pattern, vt, ct, init.span);
            }
            StmtKind::Assign { place, op, value } => self.assign(cx, place, *op, value, s.span),
            StmtKind::Output {
                name,
                value,
                recipients,
            } => self.output(cx, name, value, recipients.as_deref(), s.span),
            StmtKind::Return(value) => self.ret(cx, value.as_ref(), s.span),
            StmtKind::For {
                var,
                start,
                end,
                inclusive: _,
                body,
            } => {
                let (st, et) = self.pair(cx, start, end, None);
                let mut var_ty = Ty::Error;
                if !st.is_error() && !et.is_error() {
                    match (st.int(), et.int()) {
                        (Some(a), Some(b)) if a == b => var_ty = Ty::Int(a, Label::Public),
                        (Some(_), Some(_)) => self.err(
                            Diagnostic::error(
                                WIDTH_MISMATCH,
                                format!(
                                    "loop bounds have different types `{}` and `{}`",
                                    self.show(&st),
                                    self.show(&et)
                                ),
                                start.span.to(end.span),
                            )
                            .label("both bounds must have one integer type")
                            .with_help("convert one bound with `as`"),
                        ),
                        _ => self.err(
                            Diagnostic::error(
                                BAD_OPERAND,
                                "loop bounds must be integers",
                                start.span.to(end.span),
                            )
                            .label(format!(
                                "found `{}` and `{}`",
                                self.show(&st),
                                self.show(&et)
                            )),
                        ),
                    }
                    for (b, t) in [(start, &st), (end, &et)] {
                        if t.is_secret() {
                            self.err(
                                Diagnostic::error(SECRET_LOOP_BOUND, "a loop bound cannot be secret", b.span)
                                    .label("this bound is secret")
                                    .with_help("loops are unrolled at compile time, so the number of iterations would reveal the secret; loop to a public maximum and use `if` inside"),
                            );
                            var_ty = Ty::Error;
                        } else if !self.is_ct(cx, b) {
                            self.err(
                                Diagnostic::error(UNKNOWN_LOOP_BOUND, "a loop bound must be known at compile time", b.span)
                                    .label("this bound is only known when the program runs")
                                    .with_help("use literals, `const` items, generic lengths, `len(...)` or outer loop variables"),
                            );
                            var_ty = Ty::Error;
                        }
                    }
                }
                cx.cond_depth += 1;
                cx.scopes.push(vec![Local {
                    name: var.name.clone(),
                    ty: var_ty,
                    mutable: false,
                    span: var.span,
                    used: false,
                    ct: true,
                    secret_depth: cx.secret_conds.len(),
                    kind: LocalKind::Loop,
                }]);
                let bt = self.block(cx, body, None);
                self.pop_scope(cx);
                cx.cond_depth -= 1;
                if bt != Ty::unit() && !bt.is_error() {
                    if let Some(t) = &body.tail {
                        self.err(
                            Diagnostic::error(
                                TYPE_MISMATCH,
                                "a loop body cannot end with a value",
                                t.span,
                            )
                            .label(format!("this is `{}`", self.show(&bt)))
                            .with_help("end the line with `;`"),
                        );
                    }
                }
            }
            StmtKind::Expr(e) => {
                let t = self.expr(cx, e, None);
                if matches!(e.kind, ExprKind::Reveal(_)) {
                    self.err(
                        Diagnostic::warning(
                            UNUSED_VALUE,
                            "the revealed value is thrown away",
                            e.span,
                        )
                        .label("every party still learns it")
                        .with_help("remove the `reveal`, or use its value"),
                    );
                } else if t != Ty::unit() && !t.is_error() && !is_block_like(e) {
                    self.err(
                        Diagnostic::warning(
                            UNUSED_VALUE,
                            "this value is computed and thrown away",
                            e.span,
                        )
                        .label(format!("a `{}` that nothing uses", self.show(&t)))
                        .with_help("bind it with `let`, or remove it"),
                    );
                }
            }
        }
    }

    fn bind(&mut self, cx: &mut BodyCx, pattern: &Pattern, ty: Ty, ct: bool, init_span: Span) {
        match pattern {
            Pattern::Wildcard(_) => {}
            Pattern::Bind { mutable, name } => {
                let local = Local {
                    name: name.name.clone(),
                    ty,
                    mutable: *mutable,
                    span: name.span,
                    used: false,
                    ct: ct && !*mutable,
                    secret_depth: cx.secret_conds.len(),
                    kind: LocalKind::Let,
                };
                if let Some(scope) = cx.scopes.last_mut() {
                    scope.push(local);
                }
            }
            Pattern::Tuple(items, span) => match ty {
                Ty::Tuple(tys) if tys.len() == items.len() => {
                    for (p, t) in items.iter().zip(tys) {
                        self.bind(cx, p, t, ct, init_span);
                    }
                }
                Ty::Error => {
                    for p in items {
                        self.bind(cx, p, Ty::Error, false, init_span);
                    }
                }
                other => {
                    self.err(
                        Diagnostic::error(
                            TYPE_MISMATCH,
                            format!(
                                "this pattern expects a tuple of {} items, found `{}`",
                                items.len(),
                                self.show(&other)
                            ),
                            *span,
                        )
                        .label("pattern")
                        .with_secondary(init_span, "value"),
                    );
                    for p in items {
                        self.bind(cx, p, Ty::Error, false, init_span);
                    }
                }
            },
        }
    }

    fn assign(
        &mut self,
        cx: &mut BodyCx,
        place: &Expr,
        op: Option<BinOp>,
        value: &Expr,
        span: Span,
    ) {
        let mut secret_index: Option<Span> = None;
        let Some((root, pt)) = self.place(cx, place, op.is_some(), &mut secret_index) else {
            self.expr(cx, value, None);
            return;
        };
        let vt = match op {
            Some(op) => {
                let vt = self.expr(
                    cx,
                    value,
                    if matches!(op, BinOp::Shl | BinOp::Shr) {
                        None
                    } else {
                        Some(&pt)
                    },
                );
                self.binary_result(op, &pt, &vt, place.span, value.span, span)
            }
            None => self.expr(cx, value, Some(&pt)),
        };
        if pt.is_error() || vt.is_error() {
            return;
        }
        if !vt.same_base(&pt) {
            let code = if vt.int().is_some() && pt.int().is_some() {
                WIDTH_MISMATCH
            } else {
                TYPE_MISMATCH
            };
            let mut d = Diagnostic::error(
                code,
                format!(
                    "cannot assign `{}` to a place of type `{}`",
                    self.show(&vt),
                    self.show(&pt)
                ),
                value.span,
            )
            .label(format!("this is `{}`", self.show(&vt)))
            .with_secondary(place.span, format!("this is `{}`", self.show(&pt)));
            if code == WIDTH_MISMATCH {
                d = d.with_help("convert it with `as`");
            }
            self.err(d);
            return;
        }
        let root_ty = cx.lookup(&root).map_or(Ty::Error, |l| l.ty.clone());
        if !vt.flows_into(&pt) {
            self.err(
                Diagnostic::error(
                    SECRET_TO_PUBLIC,
                    format!("cannot assign a secret value to `{root}`, which is public"),
                    value.span,
                )
                .label("this value is secret")
                .with_secondary(place.span, format!("`{root}` is `{}`", self.show(&pt)))
                .with_help(format!(
                    "declare it secret where it is defined (`let mut {root}: secret {} = ...;`), or wrap the value in `reveal(...)` if every party may learn it",
                    self.show_plain(&root_ty)
                )),
            );
            return;
        }
        let outer_secret = cx
            .lookup(&root)
            .map(|l| l.secret_depth)
            .and_then(|depth| cx.secret_conds.get(depth).copied());
        if let Some(cond) = outer_secret.or(secret_index) {
            if !vt.raised(Label::Secret).flows_into(&pt) {
                let (what, why) = if outer_secret.is_some() {
                    (
                        "this secret condition",
                        "the assignment happens only when a secret condition holds",
                    )
                } else {
                    (
                        "this index is secret",
                        "writing at a secret index changes which element is public",
                    )
                };
                self.err(
                    Diagnostic::error(
                        IMPLICIT_FLOW,
                        format!("implicit flow: assigning to public `{root}` here would reveal a secret"),
                        span,
                    )
                    .label(why)
                    .with_secondary(cond, what)
                    .with_help(format!(
                        "declare it secret where it is defined: `let mut {root}: secret {} = ...;`",
                        self.show_plain(&root_ty)
                    )),
                );
            }
        }
    }

    /// Types an assignment target; returns the root variable's name and the place's type.
    fn place(
        &mut self,
        cx: &mut BodyCx,
        e: &Expr,
        read: bool,
        secret_index: &mut Option<Span>,
    ) -> Option<(String, Ty)> {
        let result = match &e.kind {
            ExprKind::Name(p) if p.segments.len() == 1 => {
                let name = &p.segments[0].name;
                match cx.lookup(name) {
                    Some(l) => {
                        if read {
                            l.used = true;
                        }
                        let (mutable, ty, span) = (l.mutable, l.ty.clone(), l.span);
                        cx.res.insert(e.id, Res::Local);
                        if !mutable {
                            self.err(
                                Diagnostic::error(
                                    NOT_ASSIGNABLE,
                                    format!("cannot assign twice to immutable variable `{name}`"),
                                    e.span,
                                )
                                .label("assigned here")
                                .with_secondary(span, "declared without `mut`")
                                .with_help(format!("declare it `let mut {name}`")),
                            );
                            return None;
                        }
                        Some((name.clone(), ty))
                    }
                    None => {
                        self.expr(cx, e, None);
                        None
                    }
                }
            }
            ExprKind::Index(a, i) => {
                let (root, at) = self.place(cx, a, read, secret_index)?;
                let it = self.index_type(cx, i);
                if it.is_secret() && secret_index.is_none() {
                    *secret_index = Some(i.span);
                }
                match at {
                    Ty::Array(elem, n) => {
                        self.check_const_index(cx, i, &it, n);
                        Some((root, *elem))
                    }
                    Ty::Error => None,
                    other => {
                        self.err(
                            Diagnostic::error(
                                BAD_OPERAND,
                                format!("cannot index into `{}`", self.show(&other)),
                                a.span,
                            )
                            .label("not an array"),
                        );
                        None
                    }
                }
            }
            ExprKind::Field(s, f) => {
                let (root, st) = self.place(cx, s, read, secret_index)?;
                let ft = self.field_type(cx, e.id, &st, f)?;
                Some((root, ft))
            }
            ExprKind::TupleField(t, n, span) => {
                let (root, tt) = self.place(cx, t, read, secret_index)?;
                let ft = self.tuple_field_type(&tt, *n, *span)?;
                Some((root, ft))
            }
            _ => {
                self.expr(cx, e, None);
                self.err(
                    Diagnostic::error(NOT_ASSIGNABLE, "cannot assign to this expression", e.span)
                        .label("not a variable, element or field")
                        .with_help(
                            "assign to a `let mut` variable, an element `a[i]` or a field `s.f`",
                        ),
                );
                None
            }
        };
        if let Some((_, t)) = &result {
            cx.tys.insert(e.id, t.clone());
        }
        result
    }

    fn output(
        &mut self,
        cx: &mut BodyCx,
        name: &Ident,
        value: &Expr,
        recipients: Option<&[Ident]>,
        span: Span,
    ) {
        let vt = self.expr(cx, value, None);
        if !cx.is_main || cx.nesting > 0 || cx.cond_depth > 0 {
            let mut d = Diagnostic::error(MISPLACED_OUTPUT, "`output` must stand at the top level of `main`", span)
                .label(if cx.is_main { "inside a block, branch or loop" } else { "inside a function other than `main`" })
                .with_help("return the value to `main` and output it there; outputs are fixed, not conditional");
            if let Some(c) = cx.secret_conds.last() {
                d = d.with_secondary(*c, "under this secret condition");
            }
            self.err(d);
            return;
        }
        if recipients.is_some() && !matches!(value.kind, ExprKind::Reveal(_)) {
            self.err(
                Diagnostic::error(
                    TO_WITHOUT_REVEAL,
                    "`to` needs the output value to be `reveal(...)`",
                    value.span,
                )
                .label("not a `reveal`")
                .with_help("write `output NAME = reveal(e) to PARTY;`"),
            );
            return;
        }
        if vt.is_secret() {
            self.err(
                Diagnostic::error(SECRET_TO_PUBLIC, format!("output `{}` would reveal a secret value without `reveal`", name.name), value.span)
                    .label(format!("this is `{}`", self.show(&vt)))
                    .with_help("wrap it in `reveal(...)` if every party may learn it, or `reveal(...) to PARTY` for some"),
            );
            return;
        }
        let mut parties = Vec::new();
        match recipients {
            None => parties.extend(0..self.parties.len()),
            Some(list) => {
                for p in list {
                    match self.parties.iter().position(|q| q.name == p.name) {
                        Some(i) if !parties.contains(&i) => parties.push(i),
                        Some(_) => {}
                        None => {
                            let names: Vec<&str> =
                                self.parties.iter().map(|q| q.name.as_str()).collect();
                            let help = suggest(&p.name, names.iter().copied())
                                .unwrap_or_else(|| format!("the parties are {}", names.join(", ")));
                            self.err(
                                Diagnostic::error(
                                    UNKNOWN_PARTY,
                                    format!("no party named `{}`", p.name),
                                    p.span,
                                )
                                .label("not declared")
                                .with_help(help),
                            );
                        }
                    }
                }
            }
        }
        parties.sort_unstable();
        if let Some(prev) = self.outputs.iter().find(|o| o.name == name.name) {
            let prev = prev.span;
            self.err(
                Diagnostic::error(
                    DUPLICATE_OUTPUT,
                    format!("output `{}` is defined twice", name.name),
                    name.span,
                )
                .label("defined again here")
                .with_secondary(prev, "first defined here")
                .with_help("give each output its own name"),
            );
            return;
        }
        let names = |id: StructId| self.struct_shape(id);
        let value_type = vt.value_type(&names);
        self.outputs.push(Output {
            name: name.name.clone(),
            recipients: parties,
            value_type,
            span: name.span,
        });
    }

    fn ret(&mut self, cx: &mut BodyCx, value: Option<&Expr>, span: Span) {
        if cx.is_main {
            self.err(
                Diagnostic::error(BAD_MAIN, "`main` cannot `return`", span)
                    .label("remove this `return`")
                    .with_help("results leave `main` only through `output`"),
            );
            if let Some(v) = value {
                self.expr(cx, v, None);
            }
            return;
        }
        if let Some(cond) = cx.secret_conds.last().copied() {
            self.err(
                Diagnostic::error(
                    RETURN_IN_SECRET_BRANCH,
                    "`return` inside a secret branch",
                    span,
                )
                .label("returning here would reveal which branch ran")
                .with_secondary(cond, "this condition is secret")
                .with_help(
                    "assign the result to a variable in both branches and return it after the `if`",
                ),
            );
        }
        let decl = cx.ret_decl.clone();
        let expect = decl.as_ref().and_then(|d| self.decl_expect(d, &cx.lens));
        let vt = value.map(|v| self.expr(cx, v, expect.as_ref()));
        match (decl, vt) {
            (None, None) => {}
            (None, Some(t)) => {
                if t != Ty::unit() && !t.is_error() {
                    self.err(
                        Diagnostic::error(
                            TYPE_MISMATCH,
                            "this function declares no return type",
                            value.map_or(span, |v| v.span),
                        )
                        .label(format!("returns `{}`", self.show(&t)))
                        .with_help("add `-> T` to the signature"),
                    );
                }
            }
            (Some(d), None) => self.err(
                Diagnostic::error(
                    TYPE_MISMATCH,
                    format!("`return` needs a value of type `{}`", self.show_decl(&d)),
                    span,
                )
                .label("no value"),
            ),
            (Some(d), Some(t)) => {
                let mut lens = cx.lens.clone();
                let fitted = self.fit_report(
                    &t,
                    &d,
                    &mut lens,
                    value.map_or(span, |v| v.span),
                    "the return value",
                );
                cx.returned.push(fitted);
            }
        }
    }

    // ---------------------------------------------------------- expressions

    fn block(&mut self, cx: &mut BodyCx, b: &Block, expect: Option<&Ty>) -> Ty {
        cx.scopes.push(Vec::new());
        cx.nesting += 1;
        for s in &b.stmts {
            self.stmt(cx, s);
        }
        let ty = match &b.tail {
            Some(t) => self.expr(cx, t, expect),
            None => Ty::unit(),
        };
        cx.nesting -= 1;
        self.pop_scope(cx);
        ty
    }

    fn expr(&mut self, cx: &mut BodyCx, e: &Expr, expect: Option<&Ty>) -> Ty {
        let ty = self.expr_kind(cx, e, expect);
        cx.tys.insert(e.id, ty.clone());
        ty
    }

    /// Checks two operands that must share a type, letting a literal take the other's type.
    fn pair(&mut self, cx: &mut BodyCx, a: &Expr, b: &Expr, expect: Option<&Ty>) -> (Ty, Ty) {
        if untyped(a) && !untyped(b) {
            let bt = self.expr(cx, b, expect);
            let at = self.expr(cx, a, Some(&bt));
            (at, bt)
        } else {
            let at = self.expr(cx, a, expect);
            let bt = self.expr(cx, b, Some(&at));
            (at, bt)
        }
    }

    fn int_literal(&mut self, negative: bool, value: u128, ty: IntTy, span: Span) -> Ty {
        if !semantics::fits(negative, value, ty) {
            let shown = if negative {
                format!("-{value}")
            } else {
                value.to_string()
            };
            let help = if negative && !ty.signed {
                format!(
                    "`{ty}` has no negative values; use a signed type such as `i{}`",
                    ty.bits
                )
            } else {
                format!(
                    "use a wider type, e.g. `{shown}{}{}`",
                    if ty.signed { 'i' } else { 'u' },
                    (ty.bits * 2).min(128)
                )
            };
            self.err(
                Diagnostic::error(
                    LITERAL_OUT_OF_RANGE,
                    format!("the literal `{shown}` does not fit in `{ty}`"),
                    span,
                )
                .label(format!("`{ty}` holds {}", range_text(ty)))
                .with_help(help),
            );
            return Ty::Error;
        }
        Ty::Int(ty, Label::Public)
    }

    fn expr_kind(&mut self, cx: &mut BodyCx, e: &Expr, expect: Option<&Ty>) -> Ty {
        match &e.kind {
            ExprKind::Error => Ty::Error,
            ExprKind::Bool(_) => Ty::Bool(Label::Public),
            ExprKind::Int { value, suffix } => {
                let ty = match suffix {
                    Some(s) => IntTy {
                        signed: s.signed,
                        bits: s.bits,
                    },
                    None => expect.and_then(Ty::int).unwrap_or(IntTy::U32),
                };
                self.int_literal(false, *value, ty, e.span)
            }
            ExprKind::Unary(UnOp::Neg, inner) if matches!(inner.kind, ExprKind::Int { .. }) => {
                let ExprKind::Int { value, suffix } = &inner.kind else {
                    return Ty::Error;
                };
                let ty = match suffix {
                    Some(s) => IntTy {
                        signed: s.signed,
                        bits: s.bits,
                    },
                    None => expect.and_then(Ty::int).unwrap_or(IntTy::U32),
                };
                let t = self.int_literal(true, *value, ty, e.span);
                cx.tys.insert(inner.id, Ty::Int(ty, Label::Public));
                t
            }
            ExprKind::Unary(op, inner) => {
                let t = self.expr(cx, inner, expect);
                match (op, &t) {
                    (_, Ty::Error) => Ty::Error,
                    (UnOp::Neg, Ty::Int(..))
                    | (UnOp::Not | UnOp::BitNot, Ty::Int(..) | Ty::Bool(_)) => t,
                    _ => {
                        self.err(
                            Diagnostic::error(
                                BAD_OPERAND,
                                format!(
                                    "`{}` cannot be applied to `{}`",
                                    op.symbol(),
                                    self.show(&t)
                                ),
                                e.span,
                            )
                            .label(format!("this is `{}`", self.show(&t)))
                            .with_help(match op {
                                UnOp::Neg => "negation works on integers",
                                _ => "`!` and `~` work on `bool` and integers",
                            }),
                        );
                        Ty::Error
                    }
                }
            }
            ExprKind::Binary(op, a, b) => self.binary(cx, *op, a, b, expect, e.span),
            ExprKind::Name(p) => self.name(cx, e, p),
            ExprKind::Call { callee, args } => self.call(cx, e, callee, args, expect),
            ExprKind::Reveal(inner) => {
                let t = self.expr(cx, inner, expect);
                if let Some(cond) = cx.secret_conds.last().copied() {
                    self.err(
                        Diagnostic::error(
                            REVEAL_IN_SECRET_BRANCH,
                            "`reveal` inside a secret branch",
                            e.span,
                        )
                        .label("revealing here would tell every party which branch was taken")
                        .with_secondary(cond, "this condition is secret")
                        .with_help(
                            "compute the value in both branches and reveal it after the `if`",
                        ),
                    );
                }
                cx.reveals.get_or_insert(e.span);
                t.with_label(Label::Public)
            }
            ExprKind::Index(a, i) => {
                let at = self.expr(cx, a, None);
                let it = self.index_type(cx, i);
                match at {
                    Ty::Error => Ty::Error,
                    Ty::Array(elem, n) => {
                        if it.is_secret() {
                            self.err(
                                Diagnostic::warning(
                                    SECRET_INDEX_COST,
                                    format!("indexing with a secret index scans all {n} elements"),
                                    i.span,
                                )
                                .label("this index is secret")
                                .with_help(format!("each access costs O(N) = {n} element selections; index with a public value where possible")),
                            );
                        }
                        self.check_const_index(cx, i, &it, n);
                        elem.raised(it.label())
                    }
                    other => {
                        self.err(
                            Diagnostic::error(
                                BAD_OPERAND,
                                format!("cannot index into `{}`", self.show(&other)),
                                a.span,
                            )
                            .label("not an array"),
                        );
                        Ty::Error
                    }
                }
            }
            ExprKind::Field(s, f) => {
                let st = self.expr(cx, s, None);
                self.field_type(cx, e.id, &st, f).unwrap_or(Ty::Error)
            }
            ExprKind::TupleField(t, n, span) => {
                let tt = self.expr(cx, t, None);
                self.tuple_field_type(&tt, *n, *span).unwrap_or(Ty::Error)
            }
            ExprKind::Tuple(items) => {
                let expects: Vec<Option<Ty>> = match expect {
                    Some(Ty::Tuple(ts)) if ts.len() == items.len() => {
                        ts.iter().cloned().map(Some).collect()
                    }
                    _ => vec![None; items.len()],
                };
                Ty::Tuple(
                    items
                        .iter()
                        .zip(&expects)
                        .map(|(x, t)| self.expr(cx, x, t.as_ref()))
                        .collect(),
                )
            }
            ExprKind::Array(items) => {
                let elem_expect = match expect {
                    Some(Ty::Array(t, _)) => Some((**t).clone()),
                    _ => None,
                };
                let Some((first, rest)) = items.split_first() else {
                    return match elem_expect {
                        Some(t) => Ty::Array(Box::new(t), 0),
                        None => {
                            self.err(
                                Diagnostic::error(
                                    TYPE_MISMATCH,
                                    "cannot tell the element type of an empty array",
                                    e.span,
                                )
                                .label("empty array")
                                .with_help("annotate it, e.g. `let a: [u32; 0] = [];`"),
                            );
                            Ty::Error
                        }
                    };
                };
                let mut joined = self.expr(cx, first, elem_expect.as_ref());
                for x in rest {
                    let t = self.expr(cx, x, Some(&joined));
                    if t.same_base(&joined) {
                        joined = joined.join(&t);
                    } else {
                        self.err(
                            Diagnostic::error(
                                TYPE_MISMATCH,
                                format!(
                                    "array elements must have one type: expected `{}`, found `{}`",
                                    self.show(&joined),
                                    self.show(&t)
                                ),
                                x.span,
                            )
                            .label(format!("this is `{}`", self.show(&t)))
                            .with_secondary(first.span, "the first element sets the type"),
                        );
                        return Ty::Error;
                    }
                }
                Ty::Array(Box::new(joined), items.len() as u64)
            }
            ExprKind::ArrayRepeat(v, n) => {
                let elem_expect = match expect {
                    Some(Ty::Array(t, _)) => Some((**t).clone()),
                    _ => None,
                };
                let vt = self.expr(cx, v, elem_expect.as_ref());
                match self.const_u64(cx, n, "a repeat count") {
                    Some(n) if !self.too_large(vt.scalar_count().saturating_mul(n), e.span) => {
                        Ty::Array(Box::new(vt), n)
                    }
                    _ => Ty::Error,
                }
            }
            ExprKind::StructLit { name, fields } => self.struct_lit(cx, e, name, fields),
            ExprKind::Cast(inner, te) => {
                let t = self.expr(cx, inner, None);
                let d = self.elab_type(cx, te, LenMode::Const);
                match (&t, &d) {
                    (Ty::Error, _) | (_, DeclTy::Error) => Ty::Error,
                    (Ty::Int(_, l) | Ty::Bool(l), DeclTy::Int(to, dl)) => {
                        let label = match dl {
                            None => *l,
                            Some(Label::Secret) => Label::Secret,
                            Some(Label::Public) => {
                                if *l == Label::Secret {
                                    self.err(
                                        Diagnostic::error(
                                            SECRET_TO_PUBLIC,
                                            "a cast cannot make a secret value public",
                                            e.span,
                                        )
                                        .label("this value is secret")
                                        .with_help("use `reveal(...)` to declassify it"),
                                    );
                                    return Ty::Error;
                                }
                                Label::Public
                            }
                        };
                        Ty::Int(*to, label)
                    }
                    _ => {
                        self.err(
                            Diagnostic::error(
                                INVALID_CAST,
                                format!("cannot cast `{}` to `{}`", self.show(&t), self.show_decl(&d)),
                                e.span,
                            )
                            .label("invalid cast")
                            .with_help("`as` converts between integer types, and from `bool` to an integer; compare with `!= 0` to get a `bool`"),
                        );
                        Ty::Error
                    }
                }
            }
            ExprKind::If { cond, then, else_ } => {
                let ct = self.expr(cx, cond, Some(&Ty::Bool(Label::Public)));
                let secret = ct.is_secret();
                if !matches!(ct, Ty::Bool(_) | Ty::Error) {
                    self.err(
                        Diagnostic::error(
                            TYPE_MISMATCH,
                            format!(
                                "an `if` condition must be `bool`, found `{}`",
                                self.show(&ct)
                            ),
                            cond.span,
                        )
                        .label("expected `bool`")
                        .with_help("compare it, e.g. `x != 0`"),
                    );
                }
                cx.cond_depth += 1;
                if secret {
                    cx.secret_conds.push(cond.span);
                }
                let tt = self.block(cx, then, expect);
                let et = else_
                    .as_ref()
                    .map(|x| self.expr(cx, x, expect.or(Some(&tt))));
                if secret {
                    cx.secret_conds.pop();
                }
                cx.cond_depth -= 1;
                let ty = match et {
                    None => {
                        if tt != Ty::unit() && !tt.is_error() {
                            self.err(
                                Diagnostic::error(
                                    TYPE_MISMATCH,
                                    "`if` without `else` has no value",
                                    e.span,
                                )
                                .label(format!(
                                    "the `then` branch gives `{}` but there is no `else`",
                                    self.show(&tt)
                                ))
                                .with_help("add an `else` branch with a value of the same type, or end the branch's last expression with `;`"),
                            );
                            return Ty::Error;
                        }
                        Ty::unit()
                    }
                    Some(et) => {
                        if !tt.same_base(&et) {
                            let span = else_.as_ref().map_or(e.span, |x| x.span);
                            self.err(
                                Diagnostic::error(
                                    TYPE_MISMATCH,
                                    format!(
                                        "`if` and `else` have different types: `{}` and `{}`",
                                        self.show(&tt),
                                        self.show(&et)
                                    ),
                                    span,
                                )
                                .label(format!("this is `{}`", self.show(&et)))
                                .with_secondary(then.span, format!("this is `{}`", self.show(&tt))),
                            );
                            return Ty::Error;
                        }
                        tt.join(&et)
                    }
                };
                if secret {
                    ty.raised(Label::Secret)
                } else {
                    ty
                }
            }
            ExprKind::Block(b) => self.block(cx, b, expect),
        }
    }

    fn index_type(&mut self, cx: &mut BodyCx, i: &Expr) -> Ty {
        let it = self.expr(cx, i, None);
        match &it {
            Ty::Int(t, _) if !t.signed => {}
            Ty::Error => {}
            other => self.err(
                Diagnostic::error(
                    TYPE_MISMATCH,
                    format!(
                        "an array index must be an unsigned integer, found `{}`",
                        self.show(other)
                    ),
                    i.span,
                )
                .label("expected an unsigned integer")
                .with_help("convert it with `as u32`"),
            ),
        }
        it
    }

    fn check_const_index(&mut self, cx: &mut BodyCx, i: &Expr, it: &Ty, n: u64) {
        if it.is_secret() || it.is_error() || !self.is_ct(cx, i) {
            return;
        }
        if let Ok(v) = self.consteval(cx, i) {
            if let Some(idx) = v.as_u128() {
                if idx >= u128::from(n) {
                    self.err(
                        Diagnostic::error(
                            INDEX_OUT_OF_RANGE,
                            format!("index {idx} is out of range for an array of {n} elements"),
                            i.span,
                        )
                        .label(format!("valid indices are 0 to {}", n.saturating_sub(1)))
                        .with_help("public indices are checked at compile time"),
                    );
                }
            }
        }
    }

    fn field_type(
        &mut self,
        cx: &mut BodyCx,
        id: crate::syntax::ast::ExprId,
        st: &Ty,
        f: &Ident,
    ) -> Option<Ty> {
        match st {
            Ty::Error => None,
            Ty::Struct(sid, tys) => {
                let fields = self.struct_fields(*sid).unwrap_or_default();
                match fields.iter().position(|(n, _)| *n == f.name) {
                    Some(i) => {
                        cx.res.insert(id, Res::Field(i));
                        tys.get(i).cloned()
                    }
                    None => {
                        let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
                        let help = suggest(&f.name, names.iter().copied())
                            .unwrap_or_else(|| format!("its fields are {}", names.join(", ")));
                        self.err(
                            Diagnostic::error(
                                UNKNOWN_FIELD,
                                format!(
                                    "struct `{}` has no field `{}`",
                                    self.struct_name(*sid),
                                    f.name
                                ),
                                f.span,
                            )
                            .label("unknown field")
                            .with_help(help),
                        );
                        None
                    }
                }
            }
            other => {
                self.err(
                    Diagnostic::error(
                        UNKNOWN_FIELD,
                        format!("`{}` has no fields", self.show(other)),
                        f.span,
                    )
                    .label(format!("`.{}` needs a struct", f.name)),
                );
                None
            }
        }
    }

    fn tuple_field_type(&mut self, tt: &Ty, n: u32, span: Span) -> Option<Ty> {
        match tt {
            Ty::Error => None,
            Ty::Tuple(items) if (n as usize) < items.len() => Some(items[n as usize].clone()),
            other => {
                self.err(
                    Diagnostic::error(
                        UNKNOWN_FIELD,
                        format!("`{}` has no field `{n}`", self.show(other)),
                        span,
                    )
                    .label("no such tuple element"),
                );
                None
            }
        }
    }

    fn struct_lit(
        &mut self,
        cx: &mut BodyCx,
        e: &Expr,
        name: &Path,
        fields: &[(Ident, Expr)],
    ) -> Ty {
        let sid = match self.lookup_item(cx.module, name) {
            Some((ItemRef::Struct(id), _)) => id,
            other => {
                if other.is_some() || name.segments.len() == 1 {
                    self.err(
                        Diagnostic::error(
                            UNKNOWN_NAME,
                            format!("no struct named `{}`", path_str(name)),
                            name.span,
                        )
                        .label("not a struct"),
                    );
                }
                for (_, v) in fields {
                    self.expr(cx, v, None);
                }
                return Ty::Error;
            }
        };
        let decls = self.struct_fields(sid).unwrap_or_default();
        let mut order = vec![usize::MAX; decls.len()];
        let mut tys = vec![Ty::Error; decls.len()];
        let mut ok = true;
        for (wi, (fname, v)) in fields.iter().enumerate() {
            match decls.iter().position(|(n, _)| *n == fname.name) {
                None => {
                    self.expr(cx, v, None);
                    self.err(
                        Diagnostic::error(
                            UNKNOWN_FIELD,
                            format!(
                                "struct `{}` has no field `{}`",
                                self.struct_name(sid),
                                fname.name
                            ),
                            fname.span,
                        )
                        .label("unknown field"),
                    );
                    ok = false;
                }
                Some(di) if order[di] != usize::MAX => {
                    self.expr(cx, v, None);
                    self.err(
                        Diagnostic::error(
                            DUPLICATE_DEFINITION,
                            format!("field `{}` is given twice", fname.name),
                            fname.span,
                        )
                        .label("given again here"),
                    );
                    ok = false;
                }
                Some(di) => {
                    order[di] = wi;
                    let expect = self.decl_expect(&decls[di].1, &cx.lens);
                    let vt = self.expr(cx, v, expect.as_ref());
                    let mut lens = cx.lens.clone();
                    tys[di] = self.fit_report(
                        &vt,
                        &decls[di].1,
                        &mut lens,
                        v.span,
                        &format!("field `{}`", fname.name),
                    );
                }
            }
        }
        let missing: Vec<&str> = decls
            .iter()
            .zip(&order)
            .filter(|(_, o)| **o == usize::MAX)
            .map(|((n, _), _)| n.as_str())
            .collect();
        if !missing.is_empty() && ok {
            self.err(
                Diagnostic::error(
                    UNKNOWN_FIELD,
                    format!(
                        "missing field{} {} in `{}`",
                        if missing.len() > 1 { "s" } else { "" },
                        missing.join(", "),
                        self.struct_name(sid)
                    ),
                    e.span,
                )
                .label("every field must be given"),
            );
            ok = false;
        }
        if !ok {
            return Ty::Error;
        }
        cx.res.insert(e.id, Res::StructLit(order));
        Ty::Struct(sid, tys)
    }

    fn name(&mut self, cx: &mut BodyCx, e: &Expr, p: &Path) -> Ty {
        if p.segments.len() == 1 {
            let name = &p.segments[0].name;
            if let Some(l) = cx.lookup(name) {
                l.used = true;
                let ty = l.ty.clone();
                cx.res.insert(e.id, Res::Local);
                return ty;
            }
            if let Some(v) = cx.len_of(name) {
                cx.res.insert(e.id, Res::Len(v));
                return Ty::Int(IntTy::U32, Label::Public);
            }
        }
        match self.lookup_item(cx.module, p) {
            Some((ItemRef::Const(id), _)) => match self.const_value(id) {
                Some((ty, _)) => {
                    cx.res.insert(e.id, Res::Const(id));
                    ty
                }
                None => Ty::Error,
            },
            Some((ItemRef::Fn(_), _)) => {
                self.err(
                    Diagnostic::error(
                        BAD_OPERAND,
                        format!("`{}` is a function, not a value", path_str(p)),
                        e.span,
                    )
                    .label("functions can only be called")
                    .with_help(format!("call it: `{}(...)`", path_str(p))),
                );
                Ty::Error
            }
            Some((ItemRef::Struct(_), _)) => {
                self.err(
                    Diagnostic::error(
                        BAD_OPERAND,
                        format!("`{}` is a struct, not a value", path_str(p)),
                        e.span,
                    )
                    .label("expected a value")
                    .with_help(format!(
                        "build one with `{} {{ field: value, ... }}`",
                        path_str(p)
                    )),
                );
                Ty::Error
            }
            None => {
                if p.segments.len() == 1 || self.resolve_module_path(cx.module, p).is_some() {
                    let last = &p.segments[p.segments.len() - 1];
                    let mut candidates: Vec<String> =
                        cx.scopes.iter().flatten().map(|l| l.name.clone()).collect();
                    candidates.extend(self.item_names(cx.module));
                    let mut d = Diagnostic::error(
                        UNKNOWN_NAME,
                        format!("cannot find `{}` in this scope", path_str(p)),
                        e.span,
                    )
                    .label("not defined");
                    if let Some(s) = suggest(&last.name, candidates.iter().map(String::as_str)) {
                        d = d.with_help(s);
                    } else if self.parties.iter().any(|q| q.name == last.name) {
                        d = d.with_help(format!("`{}` is a party; its inputs are the parameters of `main` marked `from {}`", last.name, last.name));
                    }
                    self.err(d);
                }
                Ty::Error
            }
        }
    }

    fn binary(
        &mut self,
        cx: &mut BodyCx,
        op: BinOp,
        a: &Expr,
        b: &Expr,
        expect: Option<&Ty>,
        span: Span,
    ) -> Ty {
        let (at, bt) = match op {
            BinOp::Shl | BinOp::Shr => {
                let at = self.expr(cx, a, expect.filter(|t| t.int().is_some()));
                let bt = self.expr(cx, b, None);
                (at, bt)
            }
            _ if is_comparison(op) || matches!(op, BinOp::And | BinOp::Or) => {
                self.pair(cx, a, b, None)
            }
            _ => self.pair(
                cx,
                a,
                b,
                expect.filter(|t| t.int().is_some() || matches!(t, Ty::Bool(_))),
            ),
        };
        self.binary_result(op, &at, &bt, a.span, b.span, span)
    }

    /// The type of `a op b` given operand types, reporting misuse.
    fn binary_result(
        &mut self,
        op: BinOp,
        at: &Ty,
        bt: &Ty,
        a_span: Span,
        b_span: Span,
        span: Span,
    ) -> Ty {
        if at.is_error() || bt.is_error() {
            return Ty::Error;
        }
        let label = at.label().join(bt.label());
        let bad = |me: &mut Self, help: &str| {
            me.err(
                Diagnostic::error(
                    BAD_OPERAND,
                    format!(
                        "`{}` cannot be applied to `{}` and `{}`",
                        op.symbol(),
                        me.show(at),
                        me.show(bt)
                    ),
                    span,
                )
                .label("unsupported operand types")
                .with_help(help.to_string()),
            );
            Ty::Error
        };
        if matches!(op, BinOp::Shl | BinOp::Shr) {
            return match (at, bt) {
                (Ty::Int(t, _), Ty::Int(s, _)) if !s.signed => Ty::Int(*t, label),
                _ => bad(self, "shifts take an integer on the left and an unsigned integer amount on the right"),
            };
        }
        let same = match (at, bt) {
            (Ty::Int(x, _), Ty::Int(y, _)) if x != y => {
                self.err(
                    Diagnostic::error(
                        WIDTH_MISMATCH,
                        format!(
                            "`{}` needs operands of one type, found `{x}` and `{y}`",
                            op.symbol()
                        ),
                        span,
                    )
                    .label("the types differ")
                    .with_secondary(a_span, format!("this is `{x}`"))
                    .with_secondary(b_span, format!("this is `{y}`"))
                    .with_help(format!(
                        "convert one side with `as`, e.g. `(...) as {}`",
                        if x.bits >= y.bits { x } else { y }
                    )),
                );
                return Ty::Error;
            }
            (Ty::Int(..), Ty::Int(..)) | (Ty::Bool(_), Ty::Bool(_)) => true,
            _ => false,
        };
        let is_int = matches!(at, Ty::Int(..)) && same;
        let is_bool = matches!(at, Ty::Bool(_)) && same;
        match op {
            _ if is_arith(op) => {
                if is_int {
                    Ty::Int(at.int().unwrap_or(IntTy::U32), label)
                } else {
                    bad(self, "arithmetic works on integers of one type")
                }
            }
            _ if is_bitwise(op) => {
                if is_int {
                    Ty::Int(at.int().unwrap_or(IntTy::U32), label)
                } else if is_bool {
                    Ty::Bool(label)
                } else {
                    bad(
                        self,
                        "bitwise operators work on integers of one type, or on `bool`",
                    )
                }
            }
            BinOp::And | BinOp::Or => {
                if is_bool {
                    Ty::Bool(label)
                } else {
                    bad(
                        self,
                        "`&&` and `||` work on `bool`; for integers use `&` and `|`",
                    )
                }
            }
            BinOp::Eq | BinOp::Ne => {
                if is_int || is_bool {
                    Ty::Bool(label)
                } else if !same && at.same_base(bt) {
                    bad(
                        self,
                        "`==` compares integers or booleans; compare arrays element by element",
                    )
                } else {
                    bad(self, "both sides of a comparison must have one type")
                }
            }
            _ => {
                if is_int {
                    Ty::Bool(label)
                } else {
                    bad(self, "ordering comparisons work on integers of one type")
                }
            }
        }
    }

    fn call(
        &mut self,
        cx: &mut BodyCx,
        e: &Expr,
        callee: &Path,
        args: &[Expr],
        expect: Option<&Ty>,
    ) -> Ty {
        let user = match self.lookup_item(cx.module, callee) {
            Some((ItemRef::Fn(id), _)) => Some(id),
            Some(_) => {
                self.err(
                    Diagnostic::error(
                        BAD_OPERAND,
                        format!("`{}` is not a function", path_str(callee)),
                        callee.span,
                    )
                    .label("cannot be called"),
                );
                self.check_discarded(cx, args);
                return Ty::Error;
            }
            None => None,
        };
        let Some(fid) = user else {
            if callee.segments.len() == 1 {
                if let Some(b) = Builtin::from_name(&callee.segments[0].name) {
                    cx.res.insert(e.id, Res::Builtin(b));
                    return self.builtin(cx, e, b, args, expect);
                }
                let mut candidates = self.item_names(cx.module);
                candidates.extend(Builtin::ALL.map(|b| b.name().to_string()));
                let mut d = Diagnostic::error(
                    UNKNOWN_NAME,
                    format!("cannot find function `{}`", path_str(callee)),
                    callee.span,
                )
                .label("not defined");
                if let Some(s) = suggest(
                    &callee.segments[0].name,
                    candidates.iter().map(String::as_str),
                ) {
                    d = d.with_help(s);
                }
                self.err(d);
            } else if self.resolve_module_path(cx.module, callee).is_some() {
                self.err(
                    Diagnostic::error(
                        UNKNOWN_NAME,
                        format!("cannot find function `{}`", path_str(callee)),
                        callee.span,
                    )
                    .label("not defined in that module"),
                );
            }
            self.check_discarded(cx, args);
            return Ty::Error;
        };
        let f = self.fn_decl(fid);
        if f.name.name == "main" && self.fns[fid.0 as usize].module == ModuleId(0) {
            self.err(
                Diagnostic::error(BAD_MAIN, "`main` cannot be called", callee.span)
                    .label("called here")
                    .with_help("move the shared code into another function"),
            );
            return Ty::Error;
        }
        let Some(sig) = self.sig(fid) else {
            return Ty::Error;
        };
        if sig.params.len() != args.len() {
            self.err(
                Diagnostic::error(
                    ARGUMENT_COUNT,
                    format!(
                        "`{}` takes {} argument{}, but {} were given",
                        f.name.name,
                        sig.params.len(),
                        if sig.params.len() == 1 { "" } else { "s" },
                        args.len()
                    ),
                    e.span,
                )
                .label("wrong number of arguments")
                .with_secondary(f.name.span, "defined here"),
            );
            self.check_discarded(cx, args);
            return Ty::Error;
        }
        let mut lens = Vec::new();
        let mut param_tys = Vec::new();
        let mut ok = true;
        for (a, d) in args.iter().zip(&sig.params) {
            let expect = self.decl_expect(d, &lens);
            let at = self.expr(cx, a, expect.as_ref());
            let what = format!("this argument of `{}`", f.name.name);
            let t = self.fit_report(&at, d, &mut lens, a.span, &what);
            ok &= !t.is_error();
            param_tys.push(t);
        }
        if !ok {
            return Ty::Error;
        }
        if self.depth >= MAX_INSTANTIATION_DEPTH {
            self.err(
                Diagnostic::error(UNBOUNDED_RECURSION, format!("calls to `{}` nest too deeply", f.name.name), e.span)
                    .label(format!("more than {MAX_INSTANTIATION_DEPTH} nested instantiations"))
                    .with_help("recursion must stop on compile-time values; each call here creates a new function instance"),
            );
            return Ty::Error;
        }
        let id = self.check_instance(fid, param_tys, false);
        cx.res.insert(e.id, Res::Call(id));
        let reveals = self.inst_state[id.0 as usize].reveals;
        if let Some(at) = reveals {
            cx.reveals.get_or_insert(at);
            if let Some(cond) = cx.secret_conds.last().copied() {
                self.err(
                    Diagnostic::error(
                        REVEAL_IN_SECRET_BRANCH,
                        format!(
                            "`{}` reveals a value, and is called inside a secret branch",
                            f.name.name
                        ),
                        e.span,
                    )
                    .label("this call reveals")
                    .with_secondary(cond, "this condition is secret")
                    .with_secondary(at, "the reveal")
                    .with_help("call it outside the secret `if`"),
                );
            }
        }
        if cx.cond_depth == 0 {
            if let Some(caller) = cx.instance {
                self.uncond_calls.push((caller, id, e.span));
            }
        }
        self.instances[id.0 as usize].ret.clone()
    }

    /// Checks expressions whose values are not needed (the arguments of a
    /// call that already failed), so their own errors are still reported.
    fn check_discarded(&mut self, cx: &mut BodyCx, args: &[Expr]) {
        for a in args {
            self.expr(cx, a, None);
        }
    }

    fn builtin(
        &mut self,
        cx: &mut BodyCx,
        e: &Expr,
        b: Builtin,
        args: &[Expr],
        expect: Option<&Ty>,
    ) -> Ty {
        let arity = match b {
            Builtin::Mux => 3,
            Builtin::Bits | Builtin::FromBits | Builtin::Len => 1,
            _ => 2,
        };
        let name = b.name();
        if args.len() != arity {
            self.err(
                Diagnostic::error(
                    ARGUMENT_COUNT,
                    format!(
                        "`{name}` takes {arity} argument{}, but {} were given",
                        if arity == 1 { "" } else { "s" },
                        args.len()
                    ),
                    e.span,
                )
                .label("wrong number of arguments"),
            );
            self.check_discarded(cx, args);
            return Ty::Error;
        }
        let bad = |me: &mut Self, why: String, at: Span| {
            me.err(
                Diagnostic::error(BAD_OPERAND, why, at)
                    .label(format!("wrong argument to `{name}`")),
            );
            Ty::Error
        };
        match b {
            Builtin::Mux => {
                let ct = self.expr(cx, &args[0], Some(&Ty::Bool(Label::Public)));
                let (at, bt) = self.pair(cx, &args[1], &args[2], expect);
                if ct.is_error() || at.is_error() || bt.is_error() {
                    return Ty::Error;
                }
                if !matches!(ct, Ty::Bool(_)) {
                    return bad(
                        self,
                        format!(
                            "the condition of `mux` must be `bool`, found `{}`",
                            self.show(&ct)
                        ),
                        args[0].span,
                    );
                }
                if !at.same_base(&bt) {
                    return bad(
                        self,
                        format!(
                            "both arms of `mux` must have one type, found `{}` and `{}`",
                            self.show(&at),
                            self.show(&bt)
                        ),
                        e.span,
                    );
                }
                at.join(&bt).raised(ct.label())
            }
            Builtin::Rotl | Builtin::Rotr | Builtin::Bit => {
                let xt = self.expr(cx, &args[0], expect.filter(|_| b != Builtin::Bit));
                let nt = self.expr(cx, &args[1], None);
                if xt.is_error() || nt.is_error() {
                    return Ty::Error;
                }
                match (&xt, &nt) {
                    (Ty::Int(t, l), Ty::Int(s, m)) if !s.signed => {
                        let label = l.join(*m);
                        if b == Builtin::Bit {
                            Ty::Bool(label)
                        } else {
                            Ty::Int(*t, label)
                        }
                    }
                    _ => bad(
                        self,
                        format!(
                            "`{name}` takes an integer and an unsigned amount, found `{}` and `{}`",
                            self.show(&xt),
                            self.show(&nt)
                        ),
                        e.span,
                    ),
                }
            }
            Builtin::Bits => match self.expr(cx, &args[0], None) {
                Ty::Error => Ty::Error,
                Ty::Int(t, l) => Ty::Array(Box::new(Ty::Bool(l)), u64::from(t.bits)),
                other => bad(
                    self,
                    format!("`bits` takes an integer, found `{}`", self.show(&other)),
                    args[0].span,
                ),
            },
            Builtin::FromBits => match self.expr(cx, &args[0], None) {
                Ty::Error => Ty::Error,
                Ty::Array(elem, n) if matches!(*elem, Ty::Bool(_)) && (1..=128).contains(&n) => {
                    let signed = expect
                        .and_then(Ty::int)
                        .is_some_and(|t| t.signed && u64::from(t.bits) == n);
                    Ty::Int(
                        IntTy {
                            signed,
                            bits: n as u32,
                        },
                        elem.label(),
                    )
                }
                other => bad(
                    self,
                    format!(
                        "`from_bits` takes an array of 1 to 128 `bool`s, found `{}`",
                        self.show(&other)
                    ),
                    args[0].span,
                ),
            },
            Builtin::Len => match self.expr(cx, &args[0], None) {
                Ty::Error => Ty::Int(IntTy::U32, Label::Public),
                Ty::Array(..) => Ty::Int(IntTy::U32, Label::Public),
                other => bad(
                    self,
                    format!("`len` takes an array, found `{}`", self.show(&other)),
                    args[0].span,
                ),
            },
            Builtin::Min | Builtin::Max => {
                let (at, bt) = self.pair(cx, &args[0], &args[1], expect);
                if at.is_error() || bt.is_error() {
                    return Ty::Error;
                }
                match (&at, &bt) {
                    (Ty::Int(x, l), Ty::Int(y, m)) if x == y => Ty::Int(*x, l.join(*m)),
                    _ => bad(
                        self,
                        format!(
                            "`{name}` takes two integers of one type, found `{}` and `{}`",
                            self.show(&at),
                            self.show(&bt)
                        ),
                        e.span,
                    ),
                }
            }
        }
    }
}

fn range_text(ty: IntTy) -> String {
    if ty.signed {
        let lo = semantics::to_i128(1u128 << (ty.bits - 1), ty);
        let hi = (1u128 << (ty.bits - 1)) - 1;
        format!("{lo} to {hi}")
    } else {
        format!("0 to {}", ty.mask())
    }
}
