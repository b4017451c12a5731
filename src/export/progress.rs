//! How far an export has got, and the planner's wish to stop it: an export
//! reports a [`Progress`] at each check to a [`Watch`], which answers whether
//! to go on. Without egui, so the window, the command line and tests watch
//! exports the same way.
//!
//! A check is made before the destination is touched and again between
//! writing the temporary file and renaming it into place, so a stopped export
//! leaves no file, no `.saving` file and an older file at its path as it was.

use std::path::{Path, PathBuf};

use crate::error::ExportError;

/// What an export is doing at a check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Building the index, the scenes or the basemaps a map needs.
    Preparing,
    /// Taking the plan's features, `done` of them so far.
    Features,
    /// Drawing pages (a handout's slides, an atlas's sites), `done` of them so far.
    Pages,
    /// Writing the file.
    Writing,
}

/// `done` of `total` steps of an export, now at `what`. `done / total` does not go down
/// during one export; `total` is at least 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
    pub what: Stage,
}

impl Progress {
    /// The share done, 0–1.
    pub fn fraction(&self) -> f32 {
        (self.done as f64 / self.total.max(1) as f64).clamp(0.0, 1.0) as f32
    }
}

/// Hears an export's progress; returning `false` stops it with [`ExportError::Cancelled`].
pub type Watch<'a> = &'a dyn Fn(Progress) -> bool;

/// Goes on unwatched (the command line, [`super::run`]).
pub fn unwatched(_: Progress) -> bool {
    true
}

/// How often a loop over features reports.
pub const EVERY: usize = 1024;

/// Reports `done` of `total` at `what`: `Err(Cancelled)` when the watcher says stop.
pub fn check(watch: Watch, done: usize, total: usize, what: Stage) -> Result<(), ExportError> {
    if watch(Progress { done: done.min(total), total: total.max(1), what }) {
        Ok(())
    } else {
        Err(ExportError::Cancelled)
    }
}

/// Renames the written temporary file `tmp` onto `out`, after a last check at `done` of `total`:
/// stopped there, or failing, the temporary file is removed and `out` is as it was.
pub fn commit(tmp: PathBuf, out: &Path, watch: Watch, done: usize, total: usize) -> Result<(), ExportError> {
    let result = check(watch, done, total, Stage::Writing)
        .and_then(|()| crate::io::write::commit_file(&tmp, out).map_err(ExportError::from));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes `bytes` to `out` atomically, checking before and after writing the temporary file
/// (at `done` of `total`): a stop leaves nothing behind and `out` untouched.
pub fn save(out: &Path, bytes: &[u8], watch: Watch, done: usize, total: usize) -> Result<(), ExportError> {
    check(watch, done, total, Stage::Writing)?;
    let tmp = crate::io::write::write_temp(out, bytes)?;
    commit(tmp, out, watch, done, total)
}
