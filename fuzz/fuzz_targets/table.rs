//! `io::table::read` must never panic, whatever the bytes (CSV in any
//! encoding and delimiter; a zip or OLE file goes to the workbook reader); a
//! plan it accepts must survive everything the app does next (see `common`).
//!
//! cargo +nightly fuzz run table fuzz/corpus/table fuzz/seeds/table -- -max_len=65536

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use renewal_planner::io::{ReadOptions, table};

fuzz_target!(|data: &[u8]| {
    match table::read(data, &ReadOptions::default()) {
        Ok(loaded) => common::exercise(&loaded),
        Err(e) => common::check_error(&e, false),
    }
});
