//! What the app keeps between runs, outside any plan file: the recent files
//! list and the autosaved copy of unsaved work that lets the next start
//! recover it after a crash. No egui here.
//!
//! Everything lives in one folder: `$RENEWAL_PLANNER_HOME` if set, else
//! `$XDG_DATA_HOME/renewal-planner`, else `~/.local/share/renewal-planner`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{EncodeError, SaveError, Step};
use crate::model::Plan;

/// How many recent files are remembered.
pub const RECENT_MAX: usize = 8;

/// The folder the app keeps its own files in.
pub fn data_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("RENEWAL_PLANNER_HOME") {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(d).join("renewal-planner");
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    home.join(".local/share/renewal-planner")
}

fn recent_file(dir: &Path) -> PathBuf {
    dir.join("recent.json")
}

/// The recently opened or saved plan files, newest first (ones that still exist).
pub fn recent(dir: &Path) -> Vec<PathBuf> {
    let list: Vec<PathBuf> =
        std::fs::read(recent_file(dir)).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
    list.into_iter().filter(|p| p.exists()).take(RECENT_MAX).collect()
}

/// Puts a file at the top of the recent list.
pub fn remember(dir: &Path, path: &Path) -> Result<(), SaveError> {
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut list = recent(dir);
    list.retain(|p| *p != path);
    list.insert(0, path);
    list.truncate(RECENT_MAX);
    std::fs::create_dir_all(dir).map_err(|e| SaveError::io(Step::CreateFolder, dir, e))?;
    let bytes = serde_json::to_vec_pretty(&list).map_err(|e| EncodeError::new("recent.json", e))?;
    crate::io::write::save_atomic(&recent_file(dir), &bytes)
}

/// What the recovery file is a copy of.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RecoveryInfo {
    /// The plan file the work belongs to (none: the embedded plan or a new one).
    pub source: Option<PathBuf>,
    /// When it was written (seconds since 1970).
    pub saved_at: u64,
}

fn recovery_plan(dir: &Path) -> PathBuf {
    dir.join("recovery.gpkg")
}

fn recovery_info(dir: &Path) -> PathBuf {
    dir.join("recovery.json")
}

/// Writes unsaved work where the next start will find it. Atomic: a crash
/// while autosaving leaves the previous autosave.
pub fn autosave(dir: &Path, plan: &Plan, source: Option<&Path>) -> Result<(), SaveError> {
    std::fs::create_dir_all(dir).map_err(|e| SaveError::io(Step::CreateFolder, dir, e))?;
    crate::io::gpkg::save(plan, &recovery_plan(dir))?;
    let info = RecoveryInfo {
        source: source.map(Path::to_path_buf),
        saved_at: std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0),
    };
    let bytes = serde_json::to_vec_pretty(&info).map_err(|e| EncodeError::new("recovery.json", e))?;
    crate::io::write::save_atomic(&recovery_info(dir), &bytes)
}

/// Unsaved work left by a run that did not end cleanly, if any.
pub fn pending_recovery(dir: &Path) -> Option<(PathBuf, RecoveryInfo)> {
    let plan = recovery_plan(dir);
    if !plan.exists() {
        return None;
    }
    let info = std::fs::read(recovery_info(dir)).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
    Some((plan, info))
}

/// Forgets the autosaved work (after a save, a clean exit, or "discard").
pub fn clear_recovery(dir: &Path) {
    let _ = std::fs::remove_file(recovery_plan(dir));
    let _ = std::fs::remove_file(recovery_info(dir));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recent_list_keeps_the_newest_first_without_duplicates() {
        let dir = tempfile::tempdir().expect("temp dir");
        let files: Vec<PathBuf> = (0..3).map(|i| dir.path().join(format!("p{i}.gpkg"))).collect();
        for f in &files {
            std::fs::write(f, "x").expect("write");
            remember(dir.path(), f).expect("remembers");
        }
        remember(dir.path(), &files[0]).expect("remembers");
        let r = recent(dir.path());
        assert_eq!(r.len(), 3);
        assert!(r[0].ends_with("p0.gpkg") && r[1].ends_with("p2.gpkg"));
    }

    #[test]
    fn autosaved_work_is_found_and_can_be_discarded() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert!(pending_recovery(dir.path()).is_none());
        let plan = crate::document::Document::jinsong().shared_plan();
        autosave(dir.path(), &plan, Some(Path::new("/plans/劲松.gpkg"))).expect("autosaves");
        let (path, info) = pending_recovery(dir.path()).expect("pending");
        assert_eq!(info.source.as_deref(), Some(Path::new("/plans/劲松.gpkg")));
        assert!(crate::io::load_path(&path).expect("loads").plan == *plan);
        clear_recovery(dir.path());
        assert!(pending_recovery(dir.path()).is_none());
    }
}
