//! Helpers shared by the end-to-end tests of the `veil` command.
#![allow(dead_code)]

pub mod program;

use std::ffi::OsStr;
use std::process::{Command, Output};

/// Runs the `veil` binary from the project root, without colours.
pub fn veil<S: AsRef<OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_veil"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("veil runs")
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
