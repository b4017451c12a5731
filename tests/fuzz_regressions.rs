//! Replays the inputs kept from fuzzing (see fuzz/README.md): every file in
//! `fuzz/regressions/geojson` goes through `io::geojson::parse`, every file in
//! `fuzz/regressions/plan_file` through `io::gpkg::load` (from a temporary
//! file). None may panic; a plan that loads then goes through what the app
//! does next, exactly as in the fuzz targets (`fuzz/fuzz_targets/common.rs`);
//! a file that fails must fail with a one-line error. By name: `err-*` must
//! fail, `ok-*` must load, anything else may do either.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use renewal_planner::io::{LoadError, Loaded, geojson, gpkg};

#[path = "../fuzz/fuzz_targets/common.rs"]
mod common;

fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{}: no inputs", dir.display());
    files
}

/// Loads one input and goes on as the app would; the problem, if any.
fn replay(path: &Path, load: impl FnOnce(&[u8]) -> Result<Loaded, LoadError>) -> Option<String> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let result = load(&bytes);
        match &result {
            Ok(loaded) => common::exercise(loaded),
            Err(e) => common::check_error(e, true),
        }
        result.map(|_| ()).map_err(|e| e.to_string())
    }));
    match outcome {
        Err(_) => Some(format!("{name}: panicked (message above)")),
        Ok(Ok(())) if name.starts_with("err-") => Some(format!("{name}: loaded, but must fail")),
        Ok(Err(e)) if name.starts_with("ok-") => Some(format!("{name}: must load, failed: {e}")),
        Ok(_) => None,
    }
}

fn check(target: &str, load: impl Fn(&[u8]) -> Result<Loaded, LoadError>) {
    let problems: Vec<String> = inputs(target).iter().filter_map(|p| replay(p, &load)).collect();
    assert!(problems.is_empty(), "fuzz/regressions/{target}:\n{}", problems.join("\n"));
}

#[test]
fn geojson_regressions_load_or_fail_in_one_line() {
    check("geojson", geojson::parse);
}

#[test]
fn plan_file_regressions_load_or_fail_in_one_line() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("input.gpkg");
    check("plan_file", |bytes| {
        std::fs::write(&path, bytes).expect("write the input");
        gpkg::load(&path)
    });
}
