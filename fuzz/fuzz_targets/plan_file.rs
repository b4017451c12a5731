//! The plan-file loader `io::gpkg::load` must never panic, whatever the
//! file; a plan it accepts must survive everything the app does next (see
//! `common`). The loader takes a path, so each input is written to a file
//! in memory (/dev/shm), one per fuzzing process.
//!
//! cargo +nightly fuzz run plan_file fuzz/corpus/plan_file fuzz/seeds/plan_file -- -max_len=1048576

#![no_main]

mod common;

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use renewal_planner::io::gpkg;

fn db_path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = std::path::Path::new("/dev/shm");
        let dir = if dir.is_dir() { dir.to_path_buf() } else { std::env::temp_dir() };
        let path = dir.join(format!("renewal-planner-fuzz-{}.gpkg", std::process::id()));
        unsafe extern "C" {
            fn atexit(f: extern "C" fn()) -> i32;
        }
        extern "C" fn remove() {
            if let Some(p) = PATH.get() {
                remove_files(p);
            }
        }
        // SAFETY: registers a plain function with the C runtime; it only removes files.
        unsafe { atexit(remove) };
        path
    })
}

/// The database and any journal SQLite may have left beside it, so that no
/// state carries over from one input to the next.
fn remove_files(path: &std::path::Path) {
    let _ = std::fs::remove_file(path);
    for suffix in ["-journal", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
}

fuzz_target!(|data: &[u8]| {
    let path = db_path();
    remove_files(path);
    std::fs::write(path, data).expect("write the input file");
    match gpkg::load(path) {
        Ok(loaded) => common::exercise(&loaded),
        Err(e) => common::check_error(&e, false),
    }
});
