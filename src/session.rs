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

/// The recently opened or saved plans, newest first: files that still exist,
/// and database locations (their URIs, never with a password).
pub fn recent(dir: &Path) -> Vec<PathBuf> {
    let list: Vec<PathBuf> =
        std::fs::read(recent_file(dir)).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
    list.into_iter()
        .filter(|p| p.exists() || crate::io::postgis::is_uri(p))
        .map(|p| {
            if crate::io::postgis::is_uri(&p) {
                PathBuf::from(crate::io::postgis::redact(&p.to_string_lossy()))
            } else {
                p
            }
        })
        .take(RECENT_MAX)
        .collect()
}

/// Puts a file (or a database location, without its password) at the top of the recent list.
pub fn remember(dir: &Path, path: &Path) -> Result<(), SaveError> {
    let path = if crate::io::postgis::is_uri(path) {
        PathBuf::from(crate::io::postgis::redact(&path.to_string_lossy()))
    } else {
        std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
    };
    let mut list = recent(dir);
    list.retain(|p| *p != path);
    list.insert(0, path);
    list.truncate(RECENT_MAX);
    std::fs::create_dir_all(dir).map_err(|e| SaveError::io(Step::CreateFolder, dir, e))?;
    let bytes = serde_json::to_vec_pretty(&list).map_err(|e| EncodeError::new("recent.json", e))?;
    crate::io::write::save_atomic(&recent_file(dir), &bytes)
}

fn location_file(dir: &Path) -> PathBuf {
    dir.join("database.txt")
}

/// The database location last used in File → Open from database… or Save to
/// database… (kept without any password), to fill the window in next time.
pub fn last_location(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(location_file(dir)).ok()?;
    let uri = text.trim();
    crate::io::postgis::is_uri(uri).then(|| crate::io::postgis::redact(uri))
}

/// Keeps a database location (without any password) for [`last_location`].
pub fn remember_location(dir: &Path, uri: &str) -> Result<(), SaveError> {
    std::fs::create_dir_all(dir).map_err(|e| SaveError::io(Step::CreateFolder, dir, e))?;
    crate::io::write::save_atomic(&location_file(dir), crate::io::postgis::redact(uri).as_bytes())
}

/// What the recovery file is a copy of.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RecoveryInfo {
    /// The plan file the work belongs to (none: the embedded plan or a new one),
    /// or its database location (the URI without any password).
    pub source: Option<PathBuf>,
    /// For a database plan: its revision when it was opened or last published,
    /// so a save of the recovered work still finds out if someone else published meanwhile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub db_revision: Option<i64>,
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
    autosave_of(dir, plan, source, None)
}

/// As [`autosave`], with the database plan's revision when `source` is a database location.
pub fn autosave_of(dir: &Path, plan: &Plan, source: Option<&Path>, db_revision: Option<i64>) -> Result<(), SaveError> {
    std::fs::create_dir_all(dir).map_err(|e| SaveError::io(Step::CreateFolder, dir, e))?;
    crate::io::gpkg::save(plan, &recovery_plan(dir))?;
    let source = source.map(|p| {
        if crate::io::postgis::is_uri(p) {
            PathBuf::from(crate::io::postgis::redact(&p.to_string_lossy()))
        } else {
            p.to_path_buf()
        }
    });
    let info = RecoveryInfo {
        source,
        db_revision,
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

    #[test]
    fn database_plans_are_recent_by_their_location_without_a_password() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("a.gpkg");
        std::fs::write(&file, "x").expect("write");
        remember(dir.path(), &file).expect("remembers");
        remember(dir.path(), Path::new("postgresql://ann:s3cret@db.example/rp?password=x&plan=jinsong"))
            .expect("remembers");
        let r = recent(dir.path());
        assert_eq!(r.len(), 2, "a location does not exist as a file and is kept: {r:?}");
        assert_eq!(r[0], PathBuf::from("postgresql://ann@db.example/rp?plan=jinsong"));
        let stored = std::fs::read_to_string(dir.path().join("recent.json")).expect("stored");
        assert!(!stored.contains("s3cret") && !stored.contains("password"), "{stored}");
    }

    #[test]
    fn the_last_database_location_is_kept_without_a_password() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert_eq!(last_location(dir.path()), None);
        remember_location(dir.path(), "postgresql://ann:s3cret@db.example/rp?plan=jinsong").expect("kept");
        assert_eq!(last_location(dir.path()).as_deref(), Some("postgresql://ann@db.example/rp?plan=jinsong"));
        let stored = std::fs::read_to_string(dir.path().join("database.txt")).expect("stored");
        assert!(!stored.contains("s3cret"), "{stored}");
    }

    #[test]
    fn the_autosave_of_a_database_plan_names_it_without_a_password() {
        let dir = tempfile::tempdir().expect("temp dir");
        let plan = crate::document::Document::jinsong().shared_plan();
        autosave_of(dir.path(), &plan, Some(Path::new("postgresql://ann:s3cret@h/rp?plan=p")), Some(7))
            .expect("autosaves");
        let (_, info) = pending_recovery(dir.path()).expect("pending");
        assert_eq!(info.source.as_deref(), Some(Path::new("postgresql://ann@h/rp?plan=p")));
        assert_eq!(info.db_revision, Some(7));
        let stored = std::fs::read_to_string(dir.path().join("recovery.json")).expect("stored");
        assert!(!stored.contains("s3cret"), "{stored}");
    }
}
