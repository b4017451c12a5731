//! Writing a plan as GeoJSON (RFC 7946) — the plan's text form — and saving
//! files atomically.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::plan_items::{CHANGE_PROPERTY, ITEMS_PROPERTY, PLAN_MEMBER, change_value, plan_member};
use crate::error::{EncodeError, SaveError, Step, json_value};
use crate::model::Plan;

/// The plan as a GeoJSON FeatureCollection, one feature per line. Every
/// feature keeps its properties (unknown ones included) with its `kind` and
/// its `renewal_items`; plan-wide data goes in the `renewal_plan` member. A
/// value that cannot be encoded is an error naming it, never left out.
pub fn to_geojson(plan: &Plan) -> Result<String, EncodeError> {
    let mut head = Map::new();
    head.insert("type".into(), Value::String("FeatureCollection".into()));
    if let Some(n) = &plan.meta.name {
        head.insert("name".into(), Value::String(n.clone()));
    }
    if let Some(n) = &plan.meta.note {
        head.insert("note".into(), Value::String(n.clone()));
    }
    for (k, v) in &plan.meta.foreign {
        // The loader no longer keeps a `crs` member (it is applied on reading); plan files saved as
        // GeoPackages before that hold one in their metadata, which named a system the plan is no longer in.
        if k != PLAN_MEMBER && k != "features" && k != "type" && k != "crs" {
            head.insert(k.clone(), v.clone());
        }
    }
    head.insert(PLAN_MEMBER.into(), plan_member(plan)?);
    let mut out = Value::Object(head).to_string();
    out.pop(); // the closing brace: features follow
    out.push_str(",\"features\":[\n");
    let mut first = true;
    for (id, f) in plan.iter() {
        let mut props = f.properties.to_map();
        props.insert("kind".into(), Value::String(f.kind.as_str().into()));
        if let Some(c) = &f.change {
            props.insert(CHANGE_PROPERTY.into(), change_value(c)?);
        }
        let items = plan.items_of(id);
        if !items.is_empty() {
            props.insert(ITEMS_PROPERTY.into(), json_value(&format!("feature {}: {ITEMS_PROPERTY}", id.0), &items)?);
        }
        let mut feature = Map::new();
        feature.insert("type".into(), Value::String("Feature".into()));
        if let Some(sid) = &f.source_id {
            feature.insert("id".into(), sid.to_json());
        }
        feature.insert("properties".into(), Value::Object(props));
        let geometry = geojson::Geometry::new(geojson::GeometryValue::from(&f.geometry));
        feature.insert("geometry".into(), json_value(&format!("feature {}: geometry", id.0), &geometry)?);
        if !first {
            out.push_str(",\n");
        }
        first = false;
        out.push_str(&Value::Object(feature).to_string());
    }
    out.push_str("\n]}\n");
    Ok(out)
}

/// Writes `bytes` to `path` atomically: into `PATH.saving` beside it, flushed
/// to disk, then renamed over the old file. A crash mid-way leaves the old
/// file as it was; a failed step is an error naming it and its path.
pub fn save_atomic(path: &Path, bytes: &[u8]) -> Result<(), SaveError> {
    let tmp = write_temp(path, bytes)?;
    let result = commit_file(&tmp, path);
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes `bytes` into `dest`'s temporary file ([`temp_path`]) and flushes it to disk, ready for
/// [`commit_file`]; returns its path. On a failure the temporary file is removed.
pub fn write_temp(dest: &Path, bytes: &[u8]) -> Result<PathBuf, SaveError> {
    let tmp = temp_path(dest);
    let result = (|| {
        let mut f = std::fs::File::create(&tmp).map_err(|e| SaveError::io(Step::Write, &tmp, e))?;
        f.write_all(bytes).map_err(|e| SaveError::io(Step::Write, &tmp, e))?;
        f.sync_all().map_err(|e| SaveError::io(Step::Sync, &tmp, e))
    })();
    match result {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Where a file is written before it replaces `path`: `PATH.saving`, beside it.
pub fn temp_path(path: &Path) -> PathBuf {
    let mut tmp = PathBuf::from(path);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "plan".into());
    tmp.set_file_name(format!("{name}.saving"));
    tmp
}

/// Flushes a finished temporary file to disk: it must be whole on disk before
/// a rename makes it the file, so a failure here is an error, never ignored.
pub fn sync_file(tmp: &Path) -> Result<(), SaveError> {
    std::fs::File::open(tmp).and_then(|f| f.sync_all()).map_err(|e| SaveError::io(Step::Sync, tmp, e))
}

/// Renames a complete, synced temporary file over `path`. Renaming over the
/// old file is atomic on one file system: a crash leaves the old or the new
/// file, never a mix.
pub fn commit_file(tmp: &Path, path: &Path) -> Result<(), SaveError> {
    std::fs::rename(tmp, path).map_err(|e| SaveError::io(Step::Rename, path, e))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(d) = std::fs::File::open(dir)
    {
        // Make the rename itself durable; not every platform or file system can
        // sync a directory, and the file's own data is already synced.
        let _ = d.sync_all();
    }
    Ok(())
}

/// A copy of the plan with every coordinate (before and after geometries)
/// moved from WGS 84 into `crs`, for use with Chinese web maps (GCJ-02, BD-09).
/// A coordinate the system cannot take is left as it is.
pub fn reproject(plan: &crate::model::Plan, crs: super::crs::Crs) -> crate::model::Plan {
    use geo::MapCoordsInPlace;
    let mut out = plan.clone();
    let shift = move |c: geo::Coord<f64>| match crs.from_wgs84(c.x, c.y) {
        Some((x, y)) => geo::Coord { x, y },
        None => c,
    };
    for slot in out.slots_mut().iter_mut().flatten() {
        slot.geometry.map_coords_in_place(shift);
        if let Some(g) = slot.change.as_mut().and_then(|c| c.after_geometry.as_mut()) {
            g.map_coords_in_place(shift);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rename_that_fails_is_an_error_naming_the_step_and_the_old_file_stays() {
        let dir = tempfile::tempdir().expect("temp dir");
        // A non-empty folder cannot be replaced by a file.
        let target = dir.path().join("plan.geojson");
        std::fs::create_dir(&target).expect("folder");
        std::fs::write(target.join("keep"), b"x").expect("file");
        let e = save_atomic(&target, b"{}").expect_err("refused");
        assert!(matches!(&e, SaveError::Io { step: Step::Rename, path, .. } if *path == target), "{e:?}");
        assert!(target.join("keep").exists(), "the old contents stay");
        assert!(!temp_path(&target).exists(), "the temporary file is removed");
    }

    #[test]
    fn a_flush_that_fails_is_an_error_not_ignored() {
        let dir = tempfile::tempdir().expect("temp dir");
        let e = sync_file(&dir.path().join("gone.saving")).expect_err("refused");
        assert!(matches!(&e, SaveError::Io { step: Step::Sync, .. }), "{e:?}");
        assert!(e.to_string().starts_with("cannot flush to disk"), "{e}");
        let e = commit_file(&dir.path().join("gone.saving"), &dir.path().join("plan.gpkg")).expect_err("refused");
        assert!(matches!(&e, SaveError::Io { step: Step::Rename, .. }), "{e:?}");
    }
}
