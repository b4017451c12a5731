//! The shared corpus (../shared/corpus: 1,600 valid, tricky and malformed
//! GeoJSON and JSON files), for the tests that sweep it.

use std::path::{Path, PathBuf};

/// Every file of the corpus, sorted. Fails if the corpus is not beside the checkout.
pub fn files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() { walk(&p, out) } else { out.push(p) }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let mut all = Vec::new();
    walk(&root, &mut all);
    all.sort();
    assert!(all.len() >= 1500, "the corpus is at {} ({} files)", root.display(), all.len());
    all
}
