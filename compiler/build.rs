//! Generates the parser from `grammar/veil.lalrpop` into `OUT_DIR`.

use std::error::Error;

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=../grammar");
    lalrpop::Configuration::new()
        .set_in_dir("../grammar")
        .emit_rerun_directives(true)
        .process()
}
