//! The standard library's sources, compiled into the binary.
//!
//! Users run `veil` from anywhere, so `use std::NAME;` must not depend on
//! the current directory. Setting `VEIL_STDLIB` to a folder loads
//! `NAME.mpc` from there instead (for working on the library itself).

use std::path::PathBuf;

/// Every standard module: its name and source text.
const MODULES: &[(&str, &str)] = &[
    ("cmp", include_str!("../../stdlib/cmp.mpc")),
    ("crypto", include_str!("../../stdlib/crypto.mpc")),
    ("sort", include_str!("../../stdlib/sort.mpc")),
    ("stats", include_str!("../../stdlib/stats.mpc")),
    ("set", include_str!("../../stdlib/set.mpc")),
    ("fixed", include_str!("../../stdlib/fixed.mpc")),
];

/// The path shown in diagnostics and the source of `std::NAME` (`segments` joined by `/`).
pub fn load(segments: &[String]) -> Option<(PathBuf, String)> {
    let rel = segments.join("/");
    if let Some(dir) = std::env::var_os("VEIL_STDLIB") {
        let path = PathBuf::from(dir).join(format!("{rel}.mpc"));
        return std::fs::read_to_string(&path).ok().map(|t| (path, t));
    }
    MODULES
        .iter()
        .find(|(name, _)| *name == rel)
        .map(|(name, text)| {
            (
                PathBuf::from(format!("<std>/{name}.mpc")),
                (*text).to_string(),
            )
        })
}

/// The names of all standard modules, for suggestions.
pub fn names() -> impl Iterator<Item = &'static str> {
    MODULES.iter().map(|(n, _)| *n)
}
