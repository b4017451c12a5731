//! `io::geojson::parse` must never panic, whatever the bytes; a plan it
//! accepts must survive everything the app does next (see `common`).
//!
//! cargo +nightly fuzz run geojson fuzz/corpus/geojson /work/shared/corpus -- -dict=fuzz/geojson.dict

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use renewal_planner::io::geojson;

fuzz_target!(|data: &[u8]| {
    match geojson::parse(data) {
        Ok(loaded) => common::exercise(&loaded),
        Err(e) => common::check_error(&e, false),
    }
});
