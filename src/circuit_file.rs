//! Reading circuit files given on the command line: Veil's binary `.vc`, its
//! text form, and Bristol Fashion or old Bristol Format (told apart by header).

use std::path::Path;

use veil_circuit::bristol::{self, BitOrder, BristolFormat, BristolOptions};
use veil_circuit::{text, vc, ValidCircuit};

/// What kind of file a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `.mpc` source.
    Source,
    /// Veil's binary circuit format.
    Vc,
    /// Veil's text circuit format (first line `veil-circuit 1`).
    Text,
    /// Bristol Fashion or old Bristol Format.
    Bristol,
}

/// How the user asked for a Bristol file to be read.
#[derive(Debug, Clone, Default)]
pub struct BristolArgs {
    /// `--format bristol`: read as Bristol whatever the header looks like.
    pub force: bool,
    pub msb_first: bool,
    /// `--owner k=PARTY`.
    pub owners: Vec<(usize, String)>,
}

/// Tells the kind of `path` from its extension, then from its first line.
pub fn kind_of(path: &Path, bristol: &BristolArgs) -> Result<FileKind, String> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("mpc") if !bristol.force => return Ok(FileKind::Source),
        Some("vc") if !bristol.force => return Ok(FileKind::Vc),
        _ => {}
    }
    if bristol.force {
        return Ok(FileKind::Bristol);
    }
    let text = std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    if text.starts_with(vc::MAGIC) {
        return Ok(FileKind::Vc);
    }
    let text = String::from_utf8_lossy(&text);
    if text.trim_start().starts_with("veil-circuit") {
        return Ok(FileKind::Text);
    }
    match bristol::detect_format(&text) {
        Some(_) => Ok(FileKind::Bristol),
        None => Err(format!(
            "`{}` is neither a Veil program (`.mpc`), a Veil circuit (`.vc` or text) nor a Bristol circuit; \
             use `--format bristol` to read it as Bristol anyway",
            path.display()
        )),
    }
}

/// Reads a circuit file of any kind but source.
pub fn load(path: &Path, kind: FileKind, bristol: &BristolArgs) -> Result<ValidCircuit, String> {
    let read_err = |e: std::io::Error| format!("cannot read `{}`: {e}", path.display());
    let circuit = match kind {
        FileKind::Source => return Err(format!("`{}` is source, not a circuit", path.display())),
        FileKind::Vc => {
            let bytes = std::fs::read(path).map_err(read_err)?;
            vc::decode(&bytes).map_err(|e| format!("`{}`: {e}", path.display()))?
        }
        FileKind::Text => {
            let t = std::fs::read_to_string(path).map_err(read_err)?;
            text::parse(&t).map_err(|e| format!("`{}`: {e}", path.display()))?
        }
        FileKind::Bristol => {
            let t = std::fs::read_to_string(path).map_err(read_err)?;
            let opts = BristolOptions {
                format: bristol
                    .force
                    .then(|| bristol::detect_format(&t).unwrap_or(BristolFormat::Fashion)),
                bit_order: if bristol.msb_first {
                    BitOrder::MsbFirst
                } else {
                    BitOrder::LsbFirst
                },
                owners: bristol.owners.clone(),
                min_parties: 2,
            };
            return bristol::read(&t, &opts).map_err(|e| format!("`{}`: {e}", path.display()));
        }
    };
    ValidCircuit::new(circuit)
        .map_err(|e| format!("`{}` is not a valid circuit: {e}", path.display()))
}

/// Parses `--owner k=PARTY`.
pub fn parse_owner(arg: &str) -> Result<(usize, String), String> {
    let (k, party) = arg
        .split_once('=')
        .ok_or_else(|| format!("`--owner {arg}` is not of the form K=PARTY"))?;
    let k = k
        .trim()
        .parse::<usize>()
        .map_err(|_| format!("`--owner {arg}`: `{k}` is not an input number"))?;
    Ok((k, party.trim().to_string()))
}
