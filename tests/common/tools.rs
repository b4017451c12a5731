//! System tools the format tests lean on (GDAL's `ogr2ogr`/`ogrinfo`) and the
//! generated city they start from. Include with
//! `#[path = "common/tools.rs"] mod tools;` (no egui here).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// True when `tool` runs. When it does not: under `CI=true` the test fails
/// (CI installs it); elsewhere a loud SKIPPED line names what was not checked.
pub fn have(tool: &str, unchecked: &str) -> bool {
    let ok = Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success());
    if !ok {
        assert!(std::env::var_os("CI").is_none(), "CI must have {tool} (gdal-bin, installed by .ci/run)");
        eprintln!("SKIPPED: {tool} is not installed; {unchecked} was not checked");
    }
    ok
}

/// Runs `tool` with `args`; its stdout and stderr, panicking with both when it fails.
pub fn run(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| panic!("{tool}: {e}"));
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{tool} {args:?} failed:\n{text}");
    text
}

/// A generated city of `n` buildings (plus streets and gardens, Chinese names)
/// as GeoJSON in `dir`, from `../shared/tools/gen_city.py` with a fixed seed.
pub fn gen_city(n: usize, dir: &Path) -> PathBuf {
    let out = dir.join(format!("city{n}.geojson"));
    // `../shared` beside the checkout; a worktree nested a level deeper finds it further up.
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|d| d.join("shared/tools/gen_city.py"))
        .find(|p| p.exists())
        .expect("../shared/tools/gen_city.py beside the checkout");
    let n = n.to_string();
    run("python3", &[&script.to_string_lossy(), &n, &out.to_string_lossy(), "--seed", "7"]);
    out
}
