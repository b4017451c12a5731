//! `io::shapefile::load_bytes` must never panic, whatever the bytes: fed as
//! a `.shp` alone (no `.dbf`, `.shx` or `.prj`) and, when they start with
//! `PK`, as a zip of shapefiles (every member: `.shp`, `.shx`, `.dbf` in any
//! code page, `.prj`, `.cpg`, `_fields.csv`). A plan it accepts must survive
//! everything the app does next (see `common`).
//!
//! cargo +nightly fuzz run shapefile fuzz/corpus/shapefile fuzz/seeds/shapefile

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use renewal_planner::io::{ReadOptions, shapefile};

fuzz_target!(|data: &[u8]| {
    match shapefile::load_bytes(data, &ReadOptions::default()) {
        Ok(loaded) => common::exercise(&loaded),
        Err(e) => common::check_error(&e, false),
    }
});
