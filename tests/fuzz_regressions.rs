//! Replays the inputs kept from fuzzing (see fuzz/README.md): every file in
//! `fuzz/regressions/geojson` goes through `io::geojson::parse`, every file in
//! `fuzz/regressions/plan_file` through `io::gpkg::load` (from a temporary
//! file). None may panic; a plan that loads then goes through what the app
//! does next, exactly as in the fuzz targets (`fuzz/fuzz_targets/common.rs`);
//! a file that fails must fail with a one-line error.
//!
//! By name: `err-*` must fail, `ok-*` must load, anything else may do either.
//! `open-*` reproduces a reported finding outside the loaders that is not
//! fixed yet: those are replayed only by the ignored test
//! (`cargo test --test fuzz_regressions -- --ignored`); once it passes,
//! rename the file to `ok-*`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use renewal_planner::io::{LoadError, Loaded, geojson, gpkg};

#[path = "../fuzz/fuzz_targets/common.rs"]
mod common;

/// The inputs of a target, sorted: (open findings?, path).
fn inputs(target: &str) -> Vec<(bool, PathBuf)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions").join(target);
    let mut files: Vec<(bool, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|p| p.is_file())
        .map(|p| (p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("open-")), p))
        .collect();
    files.sort();
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

/// Replays the open findings (`open`) or the others of a target.
fn check(target: &str, open: bool, load: impl Fn(&[u8]) -> Result<Loaded, LoadError>) {
    let files: Vec<PathBuf> = inputs(target).into_iter().filter(|(o, _)| *o == open).map(|(_, p)| p).collect();
    assert!(open || !files.is_empty(), "fuzz/regressions/{target}: no inputs");
    let problems: Vec<String> = files.iter().filter_map(|p| replay(p, &load)).collect();
    assert!(problems.is_empty(), "fuzz/regressions/{target}:\n{}", problems.join("\n"));
}

fn load_plan_file(bytes: &[u8]) -> Result<Loaded, LoadError> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("input.gpkg");
    std::fs::write(&path, bytes).expect("write the input");
    gpkg::load(&path)
}

#[test]
fn geojson_regressions_load_or_fail_in_one_line() {
    check("geojson", false, geojson::parse);
}

#[test]
fn plan_file_regressions_load_or_fail_in_one_line() {
    check("plan_file", false, load_plan_file);
}

#[test]
#[ignore = "open findings: run with --ignored to see whether they are fixed"]
fn open_findings_are_fixed() {
    check("geojson", true, geojson::parse);
    check("plan_file", true, load_plan_file);
}
