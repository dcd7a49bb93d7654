//! Semantic analysis: from parsed modules to a checked, fully typed program.
//!
//! What it does: resolves names across modules, evaluates constants (array
//! lengths, `const` items), gives every expression a type with privacy labels,
//! instantiates label-generic and length-generic functions once per distinct
//! argument typing, and enforces the flow rules of the language (no secret
//! reaches a public place without `reveal`; no implicit flows, reveals,
//! outputs or returns under a secret condition; loop bounds known at compile
//! time). It collects every error it can find in one run.
//!
//! What it guarantees: a [`Program`] is only returned when no error was
//! reported; then every expression reachable from `main` has a type in its
//! [`Instance`], every name and call a resolution, and the program's inputs
//! and outputs are listed with their parties.
//!
//! What it does not do: evaluate anything that depends on inputs, or decide
//! whether recursion guarded by a condition terminates (the interpreter and
//! the lowering stop at a depth limit).

mod check;
pub mod codes;
pub mod types;

use std::collections::HashMap;

use veil_circuit::value::ValueType;

use crate::diagnostic::Diagnostic;
use crate::semantics::Val;
use crate::span::{FileId, Span};
use crate::syntax::ast::{ExprId, FnDecl, Item, SourceModule};
use types::{DeclTy, StructId, Ty};

pub use check::check_program;

/// Index of a module (a source file) in the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModuleId(pub u32);

/// Index of a function declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FnId(pub u32);

/// Index of a `const` item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConstId(pub u32);

/// Index of a checked function instance (one per distinct argument typing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstanceId(pub u32);

/// One parsed source file and the modules its `use` items name.
#[derive(Debug, Clone)]
pub struct Module {
    /// The name other modules use for it (`crypto` for `std::crypto`).
    pub name: String,
    pub file: FileId,
    pub ast: SourceModule,
    /// `use` aliases visible in this module, with the span of the `use`.
    pub imports: Vec<(String, ModuleId, Span)>,
}

/// A declared party; its index is its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub name: String,
    pub span: Span,
}

/// A private (or public) input of `main`, provided by one party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub party: usize,
    pub name: String,
    pub ty: Ty,
    pub value_type: ValueType,
    /// Provided in the clear (`x: public T from P`).
    pub public: bool,
    pub span: Span,
}

/// An `output` of `main` and who receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub name: String,
    /// Party indices, ascending.
    pub recipients: Vec<usize>,
    pub value_type: ValueType,
    pub span: Span,
}

/// A builtin function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Builtin {
    Mux,
    Rotl,
    Rotr,
    Bit,
    Bits,
    FromBits,
    Len,
    Min,
    Max,
}

impl Builtin {
    /// Every builtin, for suggestions and documentation.
    pub const ALL: [Builtin; 9] = [
        Builtin::Mux,
        Builtin::Rotl,
        Builtin::Rotr,
        Builtin::Bit,
        Builtin::Bits,
        Builtin::FromBits,
        Builtin::Len,
        Builtin::Min,
        Builtin::Max,
    ];

    /// The name a program calls it by.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Mux => "mux",
            Builtin::Rotl => "rotl",
            Builtin::Rotr => "rotr",
            Builtin::Bit => "bit",
            Builtin::Bits => "bits",
            Builtin::FromBits => "from_bits",
            Builtin::Len => "len",
            Builtin::Min => "min",
            Builtin::Max => "max",
        }
    }

    /// The builtin called `name`, if any.
    pub fn from_name(name: &str) -> Option<Builtin> {
        Self::ALL.into_iter().find(|b| b.name() == name)
    }
}

/// What a name, call, field or struct literal resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Res {
    /// A local variable, parameter or loop variable (looked up by name in scope).
    Local,
    /// A `const` item.
    Const(ConstId),
    /// A generic array length bound by the instance, with its value.
    Len(u64),
    /// A call to a checked function instance.
    Call(InstanceId),
    /// A call to a builtin.
    Builtin(Builtin),
    /// A struct field access, by declaration index.
    Field(usize),
    /// A struct literal: for each declared field, the index of its initialiser as written.
    StructLit(Vec<usize>),
}

/// A function checked for one typing of its parameters.
#[derive(Debug, Clone)]
pub struct Instance {
    pub func: FnId,
    pub params: Vec<Ty>,
    pub ret: Ty,
    /// Generic array lengths bound by this instance.
    pub lens: Vec<(String, u64)>,
    /// The type of every expression of the body.
    pub tys: HashMap<ExprId, Ty>,
    /// Resolutions of names, calls, fields and struct literals.
    pub res: HashMap<ExprId, Res>,
}

/// A function declaration's place in the program.
#[derive(Debug, Clone)]
pub struct FnInfo {
    pub module: ModuleId,
    pub item: usize,
    pub name: String,
}

/// A struct declaration with its field types.
#[derive(Debug, Clone)]
pub struct StructInfo {
    pub module: ModuleId,
    pub name: String,
    pub fields: Vec<(String, DeclTy)>,
}

/// A `const` item with its checked type and value.
#[derive(Debug, Clone)]
pub struct ConstInfo {
    pub module: ModuleId,
    pub item: usize,
    pub name: String,
    pub ty: Ty,
    pub value: Val,
}

/// A checked program: the oracle's and the lowering's input.
#[derive(Debug, Clone)]
pub struct Program {
    /// Module 0 is the main program.
    pub modules: Vec<Module>,
    pub fns: Vec<FnInfo>,
    pub structs: Vec<StructInfo>,
    pub consts: Vec<ConstInfo>,
    pub parties: Vec<Party>,
    /// In the order of `main`'s parameters.
    pub inputs: Vec<Input>,
    /// In source order.
    pub outputs: Vec<Output>,
    pub instances: Vec<Instance>,
    pub main: InstanceId,
}

impl Program {
    /// The declaration of a function.
    pub fn fn_decl(&self, id: FnId) -> &FnDecl {
        let info = &self.fns[id.0 as usize];
        match &self.modules[info.module.0 as usize].ast.items[info.item] {
            Item::Fn(f) => f,
            // FnInfo is only ever built from a function item.
            _ => unreachable!("FnInfo points at a non-function item"),
        }
    }

    /// An instance by id.
    pub fn instance(&self, id: InstanceId) -> &Instance {
        &self.instances[id.0 as usize]
    }

    /// The index of a party by name.
    pub fn party_index(&self, name: &str) -> Option<usize> {
        self.parties.iter().position(|p| p.name == name)
    }

    /// A struct's name and field names, for printing values and types.
    pub fn struct_shape(&self, id: StructId) -> (String, Vec<String>) {
        let s = &self.structs[id.0 as usize];
        (
            s.name.clone(),
            s.fields.iter().map(|(n, _)| n.clone()).collect(),
        )
    }
}

/// Sorts diagnostics by position and removes exact duplicates (a generic
/// function checked several times reports each problem once).
pub fn dedup_diagnostics(diags: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    diags.retain(|d| seen.insert((d.code, d.primary.span, d.message.clone())));
    diags.sort_by_key(|d| (d.primary.span.file, d.primary.span.start, d.severity));
}
