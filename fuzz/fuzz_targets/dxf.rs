//! `io::dxf::read` must never panic, whatever the bytes (ASCII or binary
//! DXF); a plan it accepts must survive everything the app does next (see
//! `common`). Under libFuzzer a panic aborts, so one inside the `dxf` crate
//! (which the reader otherwise turns into an error with `catch_unwind`) is
//! reported as a finding too.
//!
//! cargo +nightly fuzz run -s none dxf fuzz/corpus/dxf fuzz/seeds/dxf -- -max_len=65536

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use renewal_planner::io::{ReadOptions, dxf};

fuzz_target!(|data: &[u8]| {
    match dxf::read(data, "fuzz.dxf", &ReadOptions::default()) {
        Ok(loaded) => common::exercise(&loaded),
        Err(e) => common::check_error(&e, false),
    }
});
