//! Where the shared conformance data is: `$KUMA_MZS_SHARED`, `$SHARED`, or `<repo>/../shared`
//! (tests read it in place; it is never copied into the repository).

use std::path::{Path, PathBuf};

/// The shared folder (its `conformance/` holds upstream's cases and the real-world corpus).
pub fn shared_dir() -> PathBuf {
    for var in ["KUMA_MZS_SHARED", "SHARED"] {
        if let Ok(v) = std::env::var(var) {
            if !v.is_empty() {
                return PathBuf::from(v);
            }
        }
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}
