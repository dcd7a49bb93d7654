//! Reads `--input` arguments: `PARTY.NAME=VALUE`, where VALUE is a literal or
//! `@file.csv` / `@file.csv:COLUMN` for arrays.

use std::path::Path;

use veil_circuit::binding::{split_input_arg, GivenInput, InputError};
use veil_circuit::value::{Literal, ValueError};

/// Why an `--input` could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadInputError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("error[E0053]: `--input {arg}`: {source}")]
    Value {
        arg: String,
        #[source]
        source: ValueError,
    },
    #[error("error[E0056]: `--input {arg}`: cannot read `{path}`: {source}")]
    File {
        arg: String,
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Parses every `--input` argument, reading CSV files it names.
pub fn read_all(args: &[String]) -> Result<Vec<GivenInput>, ReadInputError> {
    args.iter().map(|a| read_one(a)).collect()
}

fn read_one(arg: &str) -> Result<GivenInput, ReadInputError> {
    let (party, name, text) = split_input_arg(arg)?;
    let value = match text.strip_prefix('@') {
        Some(reference) => {
            // `@file.csv:col` names a column; a `:` inside a Windows drive prefix is not one.
            let (path, column) = match reference.rsplit_once(':') {
                Some((p, c)) if !c.is_empty() && !c.contains(['/', '\\']) => (p, Some(c)),
                _ => (reference, None),
            };
            let content = std::fs::read_to_string(Path::new(path)).map_err(|source| {
                ReadInputError::File {
                    arg: arg.to_string(),
                    path: path.to_string(),
                    source,
                }
            })?;
            Literal::from_csv(&content, column)
        }
        None => Literal::parse(&text),
    }
    .map_err(|source| ReadInputError::Value {
        arg: arg.to_string(),
        source,
    })?;
    Ok(GivenInput { party, name, value })
}
