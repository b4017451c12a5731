//! `io::kml::read` must never panic, whatever the bytes (KML text in any
//! encoding, or a KMZ zip); a plan it accepts must survive everything the app
//! does next (see `common`).
//!
//! cargo +nightly fuzz run kml fuzz/corpus/kml fuzz/seeds/kml -- -max_len=65536

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use renewal_planner::io::{ReadOptions, kml};

fuzz_target!(|data: &[u8]| {
    match kml::read(data, &ReadOptions::default()) {
        Ok(loaded) => common::exercise(&loaded),
        Err(e) => common::check_error(&e, false),
    }
});
