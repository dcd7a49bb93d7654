//! The `veil` command: the only place where errors become messages and exit codes.

fn main() {
    println!("veil");
}
