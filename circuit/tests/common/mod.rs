//! Helpers shared by the integration tests.

use std::path::PathBuf;

/// The shared circuits folder, or `None` (after saying so) when this checkout has none.
pub fn shared_circuits() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/circuits"
    ));
    if dir.join("vectors.json").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED: the shared circuits folder {} is absent, so the known-answer tests did not run",
            dir.display()
        );
        None
    }
}
