//! The DXF fuzz target's logic as a plain test (see fuzz/README.md): each
//! seed in `fuzz/seeds/dxf` (GDAL's, ours in R2010 and binary, a hand-made
//! GBK drawing with blocks and hatches), cut off at many points and with
//! bytes flipped at random (a fixed seed), goes through `io::dxf::read`.
//! Nothing may panic; a drawing that loads goes on through what the app does
//! next; one that fails says why in one line.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use renewal_planner::io::{ReadOptions, dxf};

#[path = "../fuzz/fuzz_targets/common.rs"]
mod common;

fn seeds() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/dxf");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "dxf"))
        .collect();
    v.sort();
    v
}

/// The message a panic inside the `dxf` crate becomes when the reader catches it.
const CAUGHT_PANIC: &str = "the drawing is damaged and cannot be read";

/// Reads `bytes` as the fuzz target does; the problem, if any: a panic, or
/// a panic in the `dxf` crate that the reader caught (those are avoided
/// before the crate reads, so one reaching it is a finding).
fn replay(bytes: &[u8]) -> Option<String> {
    let outcome = catch_unwind(AssertUnwindSafe(|| match dxf::read(bytes, "fuzz.dxf", &ReadOptions::default()) {
        Ok(loaded) => {
            common::exercise(&loaded);
            None
        }
        Err(e) => {
            common::check_error(&e, true);
            e.to_string().contains(CAUGHT_PANIC).then(|| format!("the dxf crate panicked: {e}"))
        }
    }));
    match outcome {
        Ok(caught) => caught,
        Err(p) => Some(
            p.downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default(),
        ),
    }
}

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

#[test]
fn every_seed_loads_and_no_cut_or_flipped_copy_panics() {
    let seeds = seeds();
    assert!(seeds.len() >= 4, "{seeds:?}");
    let mut rng = Rng(0x5eed_0dcf_2026);
    let mut problems = Vec::new();
    let mut tried = 0usize;
    for path in &seeds {
        let bytes = std::fs::read(path).expect("a seed");
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let plan = dxf::read(&bytes, &name, &ReadOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!plan.plan.is_empty(), "{name}");
        // Cut off: every byte of the first 64 and the last 64, and 128 points between.
        let n = bytes.len();
        let mut cuts: Vec<usize> = (0..64.min(n)).chain(n.saturating_sub(64)..n).collect();
        cuts.extend((0..128).map(|i| i * n / 128));
        for cut in cuts {
            tried += 1;
            if let Some(p) = replay(&bytes[..cut]) {
                problems.push(format!("{name} cut at {cut}: {p}"));
            }
        }
        // 300 copies with 1–8 bytes changed: random bytes, digits, line ends, NULs.
        for _ in 0..300 {
            let mut b = bytes.clone();
            let mut changed = Vec::new();
            for _ in 0..=rng.below(8) {
                let at = rng.below(n);
                let v = match rng.below(5) {
                    0 => b'\n',
                    1 => 0,
                    2 => b'0' + rng.below(10) as u8,
                    3 => b'-',
                    _ => rng.next() as u8,
                };
                if let Some(x) = b.get_mut(at) {
                    *x = v;
                }
                changed.push((at, v));
            }
            tried += 1;
            if let Some(p) = replay(&b) {
                problems.push(format!("{name} with {changed:?}: {p}"));
            }
        }
    }
    assert!(problems.is_empty(), "{} of {tried} inputs:\n{}", problems.len(), problems.join("\n"));
}

/// Inputs the fuzzer found (`fuzz/regressions/dxf`): none may panic, and none
/// may reach a panic inside the `dxf` crate that the reader only catches
/// (its "damaged" message): those are avoided before the crate reads.
#[test]
fn the_fuzzers_findings_read_without_reaching_a_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/dxf");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("an entry").path())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for f in files {
        let bytes = std::fs::read(&f).expect("a finding");
        if let Some(p) = replay(&bytes) {
            panic!("{}: {p}", f.display());
        }
    }
}
