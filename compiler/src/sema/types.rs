//! Types with privacy labels.
//!
//! A checked type [`Ty`] carries a [`Label`] on every scalar leaf (arrays,
//! tuples and structs are labelled element-wise). A declared type
//! ([`DeclTy`]) may leave labels open (label-generic parameters, labels
//! inferred from initialisers) and array lengths generic; it becomes a `Ty`
//! when a call instantiates it.

use std::fmt;

use veil_circuit::value::ValueType;

/// Who may learn a value: everyone (`public`) or no single party (`secret`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Label {
    Public,
    Secret,
}

impl Label {
    /// The least upper bound: secret if either is.
    pub fn join(self, other: Label) -> Label {
        self.max(other)
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Label::Public => "public",
            Label::Secret => "secret",
        })
    }
}

/// An integer type: width 1..=128, signed or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IntTy {
    pub signed: bool,
    pub bits: u32,
}

impl IntTy {
    /// The default type of an integer literal with no context.
    pub const U32: IntTy = IntTy {
        signed: false,
        bits: 32,
    };

    /// The mask of the low `bits` bits.
    pub fn mask(self) -> u128 {
        if self.bits >= 128 {
            u128::MAX
        } else {
            (1u128 << self.bits) - 1
        }
    }
}

impl fmt::Display for IntTy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", if self.signed { 'i' } else { 'u' }, self.bits)
    }
}

/// Index of a struct declaration in the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StructId(pub u32);

/// A checked type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ty {
    Bool(Label),
    Int(IntTy, Label),
    Array(Box<Ty>, u64),
    /// `()` is the empty tuple.
    Tuple(Vec<Ty>),
    /// A struct with its field types (labels as constructed).
    Struct(StructId, Vec<Ty>),
    /// The type of an erroneous expression; never reported again.
    Error,
}

impl Ty {
    /// The unit type `()`.
    pub fn unit() -> Ty {
        Ty::Tuple(Vec::new())
    }

    /// Whether this is `Ty::Error` or contains it.
    pub fn is_error(&self) -> bool {
        match self {
            Ty::Error => true,
            Ty::Array(e, _) => e.is_error(),
            Ty::Tuple(items) | Ty::Struct(_, items) => items.iter().any(Ty::is_error),
            _ => false,
        }
    }

    /// Whether any leaf is secret.
    pub fn is_secret(&self) -> bool {
        match self {
            Ty::Bool(l) | Ty::Int(_, l) => *l == Label::Secret,
            Ty::Array(e, _) => e.is_secret(),
            Ty::Tuple(items) | Ty::Struct(_, items) => items.iter().any(Ty::is_secret),
            Ty::Error => false,
        }
    }

    /// The label of a scalar; for aggregates, secret if any leaf is.
    pub fn label(&self) -> Label {
        if self.is_secret() {
            Label::Secret
        } else {
            Label::Public
        }
    }

    /// The same type with every leaf relabelled.
    pub fn with_label(&self, label: Label) -> Ty {
        self.map_labels(&mut |_| label)
    }

    /// The same type with every leaf raised to at least `label`.
    pub fn raised(&self, label: Label) -> Ty {
        self.map_labels(&mut |l| l.join(label))
    }

    fn map_labels(&self, f: &mut impl FnMut(Label) -> Label) -> Ty {
        match self {
            Ty::Bool(l) => Ty::Bool(f(*l)),
            Ty::Int(i, l) => Ty::Int(*i, f(*l)),
            Ty::Array(e, n) => Ty::Array(Box::new(e.map_labels(f)), *n),
            Ty::Tuple(items) => Ty::Tuple(items.iter().map(|t| t.map_labels(f)).collect()),
            Ty::Struct(s, items) => Ty::Struct(*s, items.iter().map(|t| t.map_labels(f)).collect()),
            Ty::Error => Ty::Error,
        }
    }

    /// Whether both have the same shape and scalar types, ignoring labels.
    pub fn same_base(&self, other: &Ty) -> bool {
        match (self, other) {
            (Ty::Error, _) | (_, Ty::Error) => true,
            (Ty::Bool(_), Ty::Bool(_)) => true,
            (Ty::Int(a, _), Ty::Int(b, _)) => a == b,
            (Ty::Array(a, n), Ty::Array(b, m)) => n == m && a.same_base(b),
            (Ty::Tuple(a), Ty::Tuple(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_base(y))
            }
            (Ty::Struct(s, a), Ty::Struct(t, b)) => {
                s == t && a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_base(y))
            }
            _ => false,
        }
    }

    /// Leaf-wise join of two types of the same base (callers check `same_base` first).
    pub fn join(&self, other: &Ty) -> Ty {
        match (self, other) {
            (Ty::Error, t) | (t, Ty::Error) => t.clone(),
            (Ty::Bool(a), Ty::Bool(b)) => Ty::Bool(a.join(*b)),
            (Ty::Int(i, a), Ty::Int(_, b)) => Ty::Int(*i, a.join(*b)),
            (Ty::Array(a, n), Ty::Array(b, _)) => Ty::Array(Box::new(a.join(b)), *n),
            (Ty::Tuple(a), Ty::Tuple(b)) => {
                Ty::Tuple(a.iter().zip(b).map(|(x, y)| x.join(y)).collect())
            }
            (Ty::Struct(s, a), Ty::Struct(_, b)) => {
                Ty::Struct(*s, a.iter().zip(b).map(|(x, y)| x.join(y)).collect())
            }
            (a, _) => a.clone(),
        }
    }

    /// Whether a value of type `self` may flow into a place of type `to`
    /// (same base, and no leaf goes from secret to public).
    pub fn flows_into(&self, to: &Ty) -> bool {
        match (self, to) {
            (Ty::Error, _) | (_, Ty::Error) => true,
            (Ty::Bool(a), Ty::Bool(b)) | (Ty::Int(_, a), Ty::Int(_, b)) => a <= b,
            (Ty::Array(a, _), Ty::Array(b, _)) => a.flows_into(b),
            (Ty::Tuple(a), Ty::Tuple(b)) | (Ty::Struct(_, a), Ty::Struct(_, b)) => {
                a.iter().zip(b).all(|(x, y)| x.flows_into(y))
            }
            _ => false,
        }
    }

    /// How many scalars (bools and integers) a value of this type holds (saturating).
    pub fn scalar_count(&self) -> u64 {
        match self {
            Ty::Bool(_) | Ty::Int(..) | Ty::Error => 1,
            Ty::Array(e, n) => e.scalar_count().saturating_mul(*n),
            Ty::Tuple(items) | Ty::Struct(_, items) => items
                .iter()
                .map(Ty::scalar_count)
                .fold(0, u64::saturating_add),
        }
    }

    /// The integer type of a scalar integer, if it is one.
    pub fn int(&self) -> Option<IntTy> {
        match self {
            Ty::Int(i, _) => Some(*i),
            _ => None,
        }
    }

    /// The boundary value type (labels dropped), with struct names from `names`.
    pub fn value_type(&self, structs: &dyn Fn(StructId) -> (String, Vec<String>)) -> ValueType {
        match self {
            Ty::Bool(_) | Ty::Error => ValueType::Bool,
            Ty::Int(i, _) => ValueType::Int {
                signed: i.signed,
                bits: i.bits,
            },
            Ty::Array(e, n) => ValueType::Array {
                elem: Box::new(e.value_type(structs)),
                len: *n,
            },
            Ty::Tuple(items) => {
                ValueType::Tuple(items.iter().map(|t| t.value_type(structs)).collect())
            }
            Ty::Struct(s, items) => {
                let (name, fields) = structs(*s);
                ValueType::Struct {
                    name,
                    fields: fields
                        .into_iter()
                        .zip(items)
                        .map(|(f, t)| (f, t.value_type(structs)))
                        .collect(),
                }
            }
        }
    }

    /// Renders the type for messages; struct names from `names`.
    pub fn display<'a>(&'a self, names: &'a dyn Fn(StructId) -> String) -> TyDisplay<'a> {
        TyDisplay { ty: self, names }
    }
}

/// [`Ty`] rendered for a diagnostic (with struct names and labels).
pub struct TyDisplay<'a> {
    ty: &'a Ty,
    names: &'a dyn Fn(StructId) -> String,
}

impl fmt::Debug for TyDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for TyDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sub = |t| self.sub(t);
        match self.ty {
            Ty::Bool(l) => write!(f, "{l} bool"),
            Ty::Int(i, l) => write!(f, "{l} {i}"),
            Ty::Array(e, n) => write!(f, "[{}; {n}]", sub(e)),
            Ty::Tuple(items) => {
                write!(f, "(")?;
                for (i, t) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{}", sub(t))?;
                }
                if items.len() == 1 {
                    write!(f, ",")?;
                }
                write!(f, ")")
            }
            Ty::Struct(s, items) => {
                let label = if items.iter().all(|t| t.is_secret()) && !items.is_empty() {
                    "secret "
                } else if items.iter().any(Ty::is_secret) {
                    ""
                } else {
                    "public "
                };
                write!(f, "{label}{}", (self.names)(*s))
            }
            Ty::Error => write!(f, "{{unknown}}"),
        }
    }
}

impl<'a> TyDisplay<'a> {
    fn sub(&self, ty: &'a Ty) -> TyDisplay<'a> {
        TyDisplay {
            ty,
            names: self.names,
        }
    }
}

/// An array length in a declared type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Len {
    Known(u64),
    /// A name bound by the call (length-generic parameter).
    Generic(String),
}

/// A type as declared: labels may be open (`None`) and lengths generic.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DeclTy {
    Bool(Option<Label>),
    Int(IntTy, Option<Label>),
    Array(Box<DeclTy>, Len),
    Tuple(Vec<DeclTy>),
    /// Field types come from the struct declaration, with `label` applied to open leaves.
    Struct(StructId, Vec<DeclTy>),
    Error,
}

impl DeclTy {
    /// The same declared type with every open label set to `label`
    /// (`public T`/`secret T` applied to a whole aggregate).
    pub fn with_default_label(&self, label: Label) -> DeclTy {
        match self {
            DeclTy::Bool(l) => DeclTy::Bool(Some(l.unwrap_or(label))),
            DeclTy::Int(i, l) => DeclTy::Int(*i, Some(l.unwrap_or(label))),
            DeclTy::Array(e, n) => DeclTy::Array(Box::new(e.with_default_label(label)), n.clone()),
            DeclTy::Tuple(items) => {
                DeclTy::Tuple(items.iter().map(|t| t.with_default_label(label)).collect())
            }
            DeclTy::Struct(s, items) => DeclTy::Struct(
                *s,
                items.iter().map(|t| t.with_default_label(label)).collect(),
            ),
            DeclTy::Error => DeclTy::Error,
        }
    }

    /// How many scalars a value of this type holds (generic lengths count as 1, saturating).
    pub fn scalar_count(&self) -> u64 {
        match self {
            DeclTy::Bool(_) | DeclTy::Int(..) | DeclTy::Error => 1,
            DeclTy::Array(e, Len::Known(n)) => e.scalar_count().saturating_mul(*n),
            DeclTy::Array(e, Len::Generic(_)) => e.scalar_count(),
            DeclTy::Tuple(items) | DeclTy::Struct(_, items) => items
                .iter()
                .map(DeclTy::scalar_count)
                .fold(0, u64::saturating_add),
        }
    }

    /// Whether any label is open or any length generic.
    pub fn is_generic(&self) -> bool {
        match self {
            DeclTy::Bool(l) | DeclTy::Int(_, l) => l.is_none(),
            DeclTy::Array(e, n) => matches!(n, Len::Generic(_)) || e.is_generic(),
            DeclTy::Tuple(items) | DeclTy::Struct(_, items) => items.iter().any(DeclTy::is_generic),
            DeclTy::Error => false,
        }
    }
}
