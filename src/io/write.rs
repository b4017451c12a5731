//! Writing a plan as GeoJSON (RFC 7946) — the plan's text form — and saving
//! files atomically.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::plan_items::{CHANGE_PROPERTY, ITEMS_PROPERTY, PLAN_MEMBER, change_value, plan_member};
use crate::model::Plan;

/// The plan as a GeoJSON FeatureCollection, one feature per line. Every
/// feature keeps its properties (unknown ones included) with its `kind` and
/// its `renewal_items`; plan-wide data goes in the `renewal_plan` member.
pub fn to_geojson(plan: &Plan) -> String {
    let mut head = Map::new();
    head.insert("type".into(), Value::String("FeatureCollection".into()));
    if let Some(n) = &plan.meta.name {
        head.insert("name".into(), Value::String(n.clone()));
    }
    if let Some(n) = &plan.meta.note {
        head.insert("note".into(), Value::String(n.clone()));
    }
    for (k, v) in &plan.meta.foreign {
        if k != PLAN_MEMBER && k != "features" && k != "type" {
            head.insert(k.clone(), v.clone());
        }
    }
    head.insert(PLAN_MEMBER.into(), plan_member(plan));
    let mut out = serde_json::to_string(&Value::Object(head)).unwrap_or_else(|_| "{".into());
    out.pop(); // the closing brace: features follow
    out.push_str(",\"features\":[\n");
    let mut first = true;
    for (id, f) in plan.iter() {
        let mut props = f.properties.to_map();
        props.insert("kind".into(), Value::String(f.kind.as_str().into()));
        if let Some(c) = &f.change {
            props.insert(CHANGE_PROPERTY.into(), change_value(c));
        }
        let items = plan.items_of(id);
        if !items.is_empty() {
            props.insert(ITEMS_PROPERTY.into(), serde_json::to_value(items).unwrap_or(Value::Null));
        }
        let mut feature = Map::new();
        feature.insert("type".into(), Value::String("Feature".into()));
        if let Some(sid) = &f.source_id {
            feature.insert("id".into(), sid.clone());
        }
        feature.insert("properties".into(), Value::Object(props));
        let geometry = geojson::Geometry::new(geojson::GeometryValue::from(&f.geometry));
        feature.insert("geometry".into(), serde_json::to_value(geometry).unwrap_or(Value::Null));
        if !first {
            out.push_str(",\n");
        }
        first = false;
        out.push_str(&serde_json::to_string(&Value::Object(feature)).unwrap_or_default());
    }
    out.push_str("\n]}\n");
    out
}

/// Writes `bytes` to `path` atomically: into `PATH.saving` beside it, flushed
/// to disk, then renamed over the old file. A crash mid-way leaves the old
/// file as it was.
pub fn save_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = temp_path(path);
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        commit_file(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Where a file is written before it replaces `path`: `PATH.saving`, beside it.
pub fn temp_path(path: &Path) -> PathBuf {
    let mut tmp = PathBuf::from(path);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "plan".into());
    tmp.set_file_name(format!("{name}.saving"));
    tmp
}

/// Renames a complete, synced temporary file over `path`. Renaming over the
/// old file is atomic on one file system: a crash leaves the old or the new
/// file, never a mix.
pub fn commit_file(tmp: &Path, path: &Path) -> std::io::Result<()> {
    std::fs::rename(tmp, path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(d) = std::fs::File::open(dir)
    {
        // Make the rename itself durable; not every platform can sync a directory.
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
