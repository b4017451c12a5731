//! The KML and table readers on broken input, without cargo-fuzz: every seed
//! of `fuzz/seeds/kml` and `fuzz/seeds/table`, cut short at many points and
//! with bytes flipped, dropped and repeated (a fixed seed, so a failure
//! repeats), goes through `io::kml::read` / `io::table::read`. None may
//! panic; a plan that loads goes through what the app does next
//! (`fuzz/fuzz_targets/common.rs`); a failure is one line.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use renewal_planner::io::{LoadError, Loaded, ReadOptions, kml, table};

#[path = "../fuzz/fuzz_targets/common.rs"]
mod common;

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

/// Bytes that matter to the readers, put in by the mutations.
const TOKENS: &[&[u8]] = &[
    b"<",
    b">",
    b"</",
    b"/>",
    b"\"",
    b",",
    b";",
    b"\t",
    b"\n",
    b"&amp;",
    b"&#x4E00;",
    b"&bogus;",
    b"<![CDATA[",
    b"]]>",
    b"<Placemark>",
    b"</Placemark>",
    b"<Point>",
    b"</Point>",
    b"<coordinates>",
    b"</coordinates>",
    b"<MultiGeometry>",
    b"<Polygon>",
    b"<outerBoundaryIs>",
    b"<LinearRing>",
    b"<gx:Track>",
    b"<gx:coord>",
    b"<Folder>",
    b"<name>",
    b"<SimpleData name=\"kind\">",
    b"1e308",
    b"-inf",
    b"NaN",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xb9\xfe",
    "°".as_bytes(),
    b"'",
    "经度".as_bytes(),
    b"0012",
    b"39539530.1",
];

fn mutate(seed: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut out = seed.to_vec();
    for _ in 0..1 + rng.below(6) {
        let at = rng.below(out.len() + 1);
        match rng.below(5) {
            0 if !out.is_empty() => {
                let i = at.min(out.len() - 1);
                out[i] ^= 1 << rng.below(8);
            }
            1 if !out.is_empty() => {
                let end = (at + 1 + rng.below(16)).min(out.len());
                out.drain(at.min(end)..end);
            }
            2 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                out.splice(at..at, t.iter().copied());
            }
            3 if !out.is_empty() => {
                let start = rng.below(out.len());
                let end = (start + 1 + rng.below(64)).min(out.len());
                let piece = out[start..end].to_vec();
                out.splice(at..at, piece);
            }
            _ => out.truncate(at),
        }
    }
    out
}

/// Reads one input as the app would; the problem, if any.
fn check(name: &str, bytes: &[u8], read: fn(&[u8], &ReadOptions) -> Result<Loaded, LoadError>) -> Option<String> {
    let outcome = catch_unwind(AssertUnwindSafe(|| match read(bytes, &ReadOptions::default()) {
        Ok(loaded) => common::exercise(&loaded),
        Err(e) => common::check_error(&e, true),
    }));
    outcome.err().map(|_| format!("{name}: panicked on {} bytes: {:?}", bytes.len(), String::from_utf8_lossy(bytes)))
}

fn run(target: &str, read: fn(&[u8], &ReadOptions) -> Result<Loaded, LoadError>) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds").join(target);
    let mut seeds: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file())
        .collect();
    seeds.sort();
    assert!(seeds.len() >= 3, "{}: the seeds", dir.display());
    let mut rng = Rng(0x5eed_16c0_ffee_0001);
    let mut problems = Vec::new();
    let mut inputs = 0;
    for path in &seeds {
        let seed = std::fs::read(path).expect("seed");
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let seed_loads = read(&seed, &ReadOptions::default()).is_ok();
        assert!(seed_loads, "{name}: the seed itself must load");
        // Cut short at 64 points spread over the file, and at every byte of its first 64.
        let cuts = (0..64).map(|k| k * seed.len() / 64).chain(0..64.min(seed.len()));
        for cut in cuts {
            inputs += 1;
            problems.extend(check(&format!("{name} cut at {cut}"), &seed[..cut], read));
        }
        for k in 0..1500 {
            let bytes = mutate(&seed, &mut rng);
            inputs += 1;
            problems.extend(check(&format!("{name} mutation {k}"), &bytes, read));
        }
    }
    assert!(problems.is_empty(), "{} of {inputs} inputs:\n{}", problems.len(), problems.join("\n"));
    inputs
}

#[test]
fn broken_kml_and_kmz_never_panic() {
    let n = run("kml", kml::read);
    assert!(n > 1000, "{n}");
}

#[test]
fn broken_tables_never_panic() {
    let n = run("table", table::read);
    assert!(n > 1000, "{n}");
}
