//! The plan file: an OGC GeoPackage (SQLite). GIS tools see two feature
//! layers, `before` and `after`, with readable columns (kind, names, change,
//! items, status); Renewal Planner reads its own tables (`rp_*`), which hold
//! the plan without loss: features with every property, items and their
//! status histories, catalogue additions, plan metadata and the schema version.
//!
//! Files are opened read-only, so a bad file is never damaged, and saved by
//! writing a new database beside the old one and renaming it over (atomic).
//! A GeoPackage written by another tool opens as a plain district: its
//! feature layers become features.

use std::path::Path;

use rusqlite::{Connection, OpenFlags, params, types::ValueRef};
use serde_json::{Map, Value};

use super::geojson::{Warning, check_geometry, geometry_from_value};
use super::plan_items::{change_value, read_change};
use super::wkb;
use super::{LoadError, Loaded};
use crate::model::phase::{Presence, geometry_in, presence};
use crate::model::{
    CatalogueEntry, Feature, Item, Kind, Lang, Phase, Photo, Plan, PlanMeta, Props, Side, infer_kind, shape_of,
};

/// The schema this build writes. Older schemas are migrated on open:
/// 1 → 2 added `rp_photos` (a schema-1 plan has no photos) and stores
/// `rp_features.geometry` as WKB instead of GeoJSON text; 2 → 3 added
/// `rp_stories` (older plans have no stories); 3 → 4 added typed columns to
/// the `before`/`after` layers (floors, households, floor_area_m2,
/// year_built, structure, use, registered in `gpkg_data_columns`) and the
/// quantity, unit, unit cost and override to `rp_items`. Those are derived
/// from the features' properties and the item JSON, which schema 3 already
/// holds, so a schema-3 plan reads unchanged; 4 → 5 added `rp_basemaps`
/// (the plan's basemaps, bottom to top; older plans have none); 5 → 6 added
/// the residents' register, matters, the plan's rules and the votes
/// (`rp_households`, `rp_matters`, `rp_consent_rules`, `rp_votes`; older plans have none); 6 → 7
/// added the operations ledger (`rp_operating_spaces`, `rp_cash_flows` and its settings as
/// `operations` in `rp_meta`; an older plan opens with an empty ledger).
pub const SCHEMA_VERSION: i64 = 7;

/// The typed columns of the `before` and `after` layers: (column, SQL type,
/// the properties it is read from in order, Chinese title, English description).
/// GIS users filter and style by these (MEDIUMINT: GDAL's 32-bit Integer); every property stays in `properties` too.
const TYPED_COLUMNS: [(&str, &str, &[&str], &str, &str); 6] = [
    ("floors", "MEDIUMINT", &["floors", "building:levels"], "层数", "Number of storeys"),
    ("households", "MEDIUMINT", &["households"], "户数", "Number of households"),
    ("floor_area_m2", "REAL", &["floor_area_m2"], "建筑面积（平方米）", "Gross floor area in square metres"),
    ("year_built", "MEDIUMINT", &["year_built"], "建成年份", "Year the building was completed"),
    ("structure", "TEXT", &["structure", "structure_type"], "结构", "Structure (brick-concrete, frame, …)"),
    ("use", "TEXT", &["use", "use_zh", "use_en"], "用途", "Use of the building or space"),
];

/// A typed column's value from a feature's properties (numbers may be numeric text).
fn typed_value(props: &Map<String, Value>, sql_type: &str, keys: &[&str]) -> rusqlite::types::Value {
    use rusqlite::types::Value as Sql;
    for k in keys {
        let Some(v) = props.get(*k) else { continue };
        let number = match v {
            Value::Number(n) => n.as_f64(),
            Value::String(t) => t.trim().parse::<f64>().ok(),
            _ => None,
        }
        .filter(|n| n.is_finite());
        let value = match sql_type {
            // GeoPackage MEDIUMINT is 32-bit: GDAL and QGIS show it as Integer (INTEGER would be Integer64).
            "MEDIUMINT" => {
                number.filter(|n| n.fract() == 0.0 && n.abs() <= f64::from(i32::MAX)).map(|n| Sql::Integer(n as i64))
            }
            "REAL" => number.map(Sql::Real),
            _ => match v {
                Value::String(t) if !t.trim().is_empty() => Some(Sql::Text(t.clone())),
                Value::Number(n) => Some(Sql::Text(n.to_string())),
                _ => None,
            },
        };
        if let Some(v) = value {
            return v;
        }
    }
    Sql::Null
}

/// A feature geometry as `rp_features` stores it.
enum StoredGeometry {
    None,
    Wkb(Vec<u8>),
    GeoJson(String),
}

/// True if the bytes start like an SQLite database.
pub fn is_sqlite(bytes: &[u8]) -> bool {
    bytes.starts_with(b"SQLite format 3\0")
}

fn db_error(e: rusqlite::Error) -> LoadError {
    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::OutOfMemory) {
        // Not a fault of the file: say so, not "malformed".
        return LoadError::OutOfMemory(crate::error::OutOfMemory::RanLow);
    }
    let m = e.to_string();
    let message = if m.contains("not a database") {
        "not a GeoPackage: the file is not an SQLite database".to_string()
    } else if m.contains("malformed") {
        "the GeoPackage is damaged or truncated (database disk image is malformed)".to_string()
    } else {
        m
    };
    LoadError::Malformed { place: "GeoPackage".into(), message }
}

fn has_table(c: &Connection, name: &str) -> Result<bool, rusqlite::Error> {
    c.query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1", [name], |r| r.get::<_, i64>(0))
        .map(|n| n > 0)
}

/// True when the file is a Renewal Planner plan file (a GeoPackage with the
/// `rp_*` tables), not another GeoPackage, which a save would replace.
pub fn is_plan(path: &Path) -> Result<bool, LoadError> {
    let c = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(db_error)?;
    has_table(&c, "rp_meta").map_err(db_error)
}

/// Opens a GeoPackage: a Renewal Planner plan, or any GeoPackage's layers.
pub fn load(path: &Path) -> Result<Loaded, LoadError> {
    let c = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(db_error)?;
    // A quick integrity look first: a truncated file fails here, not half-way.
    c.query_row("PRAGMA schema_version", [], |r| r.get::<_, i64>(0)).map_err(db_error)?;
    if has_table(&c, "rp_meta").map_err(db_error)? {
        load_plan(&c)
    } else if has_table(&c, "gpkg_contents").map_err(db_error)? {
        load_foreign(&c)
    } else {
        Err(LoadError::Malformed {
            place: "GeoPackage".into(),
            message: "an SQLite database without GeoPackage tables (gpkg_contents)".into(),
        })
    }
}

fn meta(c: &Connection, key: &str) -> Result<Option<String>, LoadError> {
    match c.query_row("SELECT value FROM rp_meta WHERE key = ?1", [key], |r| r.get::<_, Option<String>>(0)) {
        Ok(v) => Ok(v),
        Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
        Err(e) => Err(db_error(e)),
    }
}

fn load_plan(c: &Connection) -> Result<Loaded, LoadError> {
    let version: i64 = meta(c, "schema_version")?.and_then(|v| v.parse().ok()).unwrap_or(0);
    if version > SCHEMA_VERSION {
        return Err(LoadError::Malformed {
            place: "rp_meta.schema_version".into(),
            message: format!(
                "written by a newer Renewal Planner (plan schema {version}); this version reads schema {SCHEMA_VERSION} and older"
            ),
        });
    }
    let mut warnings = Vec::new();
    let json = |place: String, text: Option<String>| -> Result<Value, LoadError> {
        match text {
            None => Ok(Value::Null),
            Some(t) => serde_json::from_str(&t).map_err(|e| LoadError::Malformed { place, message: e.to_string() }),
        }
    };
    let foreign = match json("rp_meta.foreign".into(), meta(c, "foreign")?)? {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let title_block = match meta(c, "title_block")? {
        None => Default::default(),
        Some(t) => serde_json::from_str(&t)
            .map_err(|e| LoadError::Malformed { place: "rp_meta.title_block".into(), message: e.to_string() })?,
    };
    let mut plan = Plan::new(PlanMeta { name: meta(c, "name")?, note: meta(c, "note")?, foreign, title_block });

    let mut q = c
        .prepare("SELECT fid, source_id, kind, properties, geometry, change FROM rp_features ORDER BY slot, fid")
        .map_err(db_error)?;
    let rows = q
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                // Schema 2 stores WKB; schema 1 stored GeoJSON text.
                match r.get_ref(4)? {
                    ValueRef::Blob(b) => StoredGeometry::Wkb(b.to_vec()),
                    ValueRef::Text(t) => StoredGeometry::GeoJson(String::from_utf8_lossy(t).into_owned()),
                    _ => StoredGeometry::None,
                },
                r.get::<_, Option<String>>(5)?,
            ))
        })
        .map_err(db_error)?;
    for row in rows {
        let (fid, source_id, kind, props, geom, change) = row.map_err(db_error)?;
        let place = format!("rp_features row {fid}");
        let geometry = match geom {
            StoredGeometry::None => Err("has no geometry".to_string()),
            StoredGeometry::Wkb(b) => wkb::read(&b),
            StoredGeometry::GeoJson(t) => {
                json(place.clone(), Some(t)).map_err(|e| e.to_string()).and_then(geometry_from_value)
            }
        };
        let geometry = match geometry.and_then(|g| check_geometry(&g).map(|()| g)) {
            Ok(g) => g,
            Err(message) => {
                warnings.push(Warning { place, message });
                continue;
            }
        };
        let properties: Props = match json(place.clone(), props)? {
            Value::Object(m) => m.into(),
            _ => Props::default(),
        };
        let kind = Kind::parse(&kind).unwrap_or_else(|| infer_kind(&properties, shape_of(&geometry)));
        let mut properties = properties;
        if properties.get_str("kind").and_then(Kind::parse).is_some_and(|k| k != kind) {
            // Saved before a kind correction updated the `kind` property: one truth, the kind.
            properties.insert("kind".into(), Value::String(kind.as_str().into()));
        }
        let change = match json(place.clone(), change)? {
            Value::Null => None,
            v => match read_change(v) {
                Ok(c) => Some(c),
                Err(m) => {
                    warnings.push(Warning { place: place.clone(), message: format!("change {m}; ignored") });
                    None
                }
            },
        };
        let source_id = crate::model::SourceId::of_json(&json(place, source_id)?);
        plan.push(Feature { source_id, kind, properties, geometry, change: change.map(Box::new) });
    }

    for item in json_rows::<Item>(c, "SELECT id, item FROM rp_items ORDER BY id", "rp_items", &mut warnings)? {
        plan.items.insert(item.id.clone(), item);
    }
    plan.catalogue_additions = json_rows::<CatalogueEntry>(
        c,
        "SELECT id, entry FROM rp_catalogue_additions ORDER BY rowid",
        "rp_catalogue_additions",
        &mut warnings,
    )?;
    // Schema 3 added stories.
    if version >= 3 {
        plan.stories = json_rows(c, "SELECT id, story FROM rp_stories ORDER BY seq", "rp_stories", &mut warnings)?;
    }
    // Schema 5 added basemaps.
    if version >= 5 {
        plan.basemaps =
            json_rows(c, "SELECT seq, basemap FROM rp_basemaps ORDER BY seq", "rp_basemaps", &mut warnings)?;
    }
    // Schema 6 added the residents' register, matters and votes.
    if version >= 6 {
        plan.consent = read_consent(c, &mut warnings)?;
    }
    // Schema 7 added the operations ledger. An older file written from a plan GeoJSON that had one
    // kept it, unread, in the plan member's unknown parts: it is read from there.
    let kept = match plan.meta.foreign.get_mut(super::plan_items::PLAN_MEMBER) {
        Some(Value::Object(rp)) => {
            let kept = rp.remove("operations");
            if kept.is_some() && rp.is_empty() {
                plan.meta.foreign.remove(super::plan_items::PLAN_MEMBER);
            }
            kept
        }
        _ => None,
    };
    if version >= 7 {
        plan.operations = read_operations(c, &mut warnings)?;
    } else if let Some(Value::Object(o)) = kept {
        plan.operations = super::plan_items::read_operations(o, &mut warnings);
    }
    // Schema 2 added photos; a schema-1 plan simply has none.
    if version >= 2 {
        let mut q = c
            .prepare("SELECT id, item_id, side, name, width, height, original_width, original_height, data FROM rp_photos ORDER BY id")
            .map_err(db_error)?;
        let rows = q
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<u32>>(4)?,
                    r.get::<_, Option<u32>>(5)?,
                    r.get::<_, Option<u32>>(6)?,
                    r.get::<_, Option<u32>>(7)?,
                    r.get::<_, Vec<u8>>(8)?,
                ))
            })
            .map_err(db_error)?;
        for row in rows {
            let (id, item, side, name, w, h, ow, oh, data) = row.map_err(db_error)?;
            let side = match side.as_str() {
                "before" => Side::Before,
                "after" => Side::After,
                other => {
                    warnings
                        .push(Warning { place: format!("rp_photos {id}"), message: format!("unknown side {other}") });
                    continue;
                }
            };
            let (w, h) = (w.unwrap_or(0), h.unwrap_or(0));
            plan.photos.insert(
                id.clone(),
                Photo {
                    id,
                    item,
                    side,
                    name: name.unwrap_or_default(),
                    width: w,
                    height: h,
                    original_width: ow.unwrap_or(w),
                    original_height: oh.unwrap_or(h),
                    jpeg: std::sync::Arc::new(data),
                },
            );
        }
    }
    Ok(Loaded { plan, warnings, crs: None })
}

/// The names of the columns `SELECT * FROM table` returns, read from the
/// schema as bytes (a name that is not UTF-8 is read lossily: rusqlite's
/// `column_names` panics on it; found by fuzzing). `None` if they do not
/// match the statement's columns.
fn column_names(c: &Connection, table: &str, count: usize) -> Result<Option<Vec<String>>, rusqlite::Error> {
    let mut q = c.prepare("SELECT name FROM pragma_table_xinfo(?1) WHERE hidden <> 1 ORDER BY cid")?;
    let names = q
        .query_map([table], |r| {
            Ok(match r.get_ref(0)? {
                ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                _ => String::new(),
            })
        })?
        .collect::<Result<Vec<String>, _>>()?;
    Ok((names.len() == count).then_some(names))
}

fn load_foreign(c: &Connection) -> Result<Loaded, LoadError> {
    let mut warnings = Vec::new();
    let mut plan = Plan::new(PlanMeta::default());
    let layers: Vec<(String, String, i64)> = {
        let mut q = c
            .prepare(
                "SELECT c.table_name, g.column_name, g.srs_id FROM gpkg_contents c \
                 JOIN gpkg_geometry_columns g ON g.table_name = c.table_name WHERE c.data_type = 'features' ORDER BY c.table_name",
            )
            .map_err(db_error)?;
        let rows = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).map_err(db_error)?;
        rows.collect::<Result<_, _>>().map_err(db_error)?
    };
    if layers.is_empty() {
        return Err(LoadError::Malformed {
            place: "gpkg_contents".into(),
            message: "the GeoPackage has no feature layers".into(),
        });
    }
    for (table, geom_col, srs) in layers {
        if ![4326, 4490, 0, -1].contains(&srs) {
            warnings.push(Warning {
                place: format!("layer {table}"),
                message: format!("coordinate system EPSG:{srs} is read as longitude/latitude; features outside that range are left out"),
            });
        }
        let sql = format!("SELECT * FROM \"{}\"", table.replace('"', "\"\""));
        let mut q = c.prepare(&sql).map_err(db_error)?;
        let Some(names) = column_names(c, &table, q.column_count()).map_err(db_error)? else {
            warnings.push(Warning {
                place: format!("layer {table}"),
                message: "its columns cannot be read; left out".into(),
            });
            continue;
        };
        let mut rows = q.query([]).map_err(db_error)?;
        let mut n = 0usize;
        while let Some(row) = rows.next().map_err(db_error)? {
            n += 1;
            let place = format!("layer {table}, row {n}");
            let mut props = Map::new();
            props.insert("layer".into(), Value::String(table.clone()));
            let mut geometry = None;
            for (i, name) in names.iter().enumerate() {
                let v = row.get_ref(i).map_err(db_error)?;
                if *name == geom_col {
                    if let ValueRef::Blob(b) = v {
                        geometry = Some(wkb::read_gpkg_blob(b));
                    }
                    continue;
                }
                let value = match v {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(i) => Value::from(i),
                    ValueRef::Real(f) => serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null),
                    ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(_) => continue,
                };
                props.insert(name.clone(), value);
            }
            let g = match geometry {
                Some(Ok(g)) => g,
                Some(Err(m)) => {
                    warnings.push(Warning { place, message: m });
                    continue;
                }
                None => {
                    warnings.push(Warning { place, message: "has no geometry".into() });
                    continue;
                }
            };
            if let Err(m) = check_geometry(&g) {
                warnings.push(Warning { place, message: m });
                continue;
            }
            let props = Props::from_map(props);
            let kind = infer_kind(&props, shape_of(&g));
            plan.push(Feature::new(kind, props, g));
        }
    }
    if plan.is_empty()
        && let Some(w) = warnings.first()
    {
        return Err(LoadError::Malformed {
            place: w.place.clone(),
            message: format!("no usable feature; {}", w.message),
        });
    }
    Ok(Loaded { plan, warnings, crs: None })
}

const WGS84_WKT: &str = "GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563,AUTHORITY[\"EPSG\",\"7030\"]],AUTHORITY[\"EPSG\",\"6326\"]],PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],AXIS[\"Latitude\",NORTH],AXIS[\"Longitude\",EAST],AUTHORITY[\"EPSG\",\"4326\"]]";

const SCHEMA: &str = r#"
PRAGMA application_id = 1196444487;
PRAGMA user_version = 10300;
CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
CREATE TABLE "before" (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom GEOMETRY, feature_key TEXT, kind TEXT, name_zh TEXT,
  name_en TEXT, change TEXT, items TEXT, status TEXT, floors MEDIUMINT, households MEDIUMINT, floor_area_m2 REAL,
  year_built MEDIUMINT, structure TEXT, "use" TEXT, properties TEXT);
CREATE TABLE "after" (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom GEOMETRY, feature_key TEXT, kind TEXT, name_zh TEXT,
  name_en TEXT, change TEXT, items TEXT, status TEXT, floors MEDIUMINT, households MEDIUMINT, floor_area_m2 REAL,
  year_built MEDIUMINT, structure TEXT, "use" TEXT, properties TEXT);
CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,
  scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
CREATE TABLE gpkg_data_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, name TEXT, title TEXT, description TEXT,
  mime_type TEXT, constraint_name TEXT, CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name),
  CONSTRAINT gdc_tn UNIQUE (table_name, name));
CREATE TABLE gpkg_data_column_constraints (constraint_name TEXT NOT NULL, constraint_type TEXT NOT NULL, value TEXT,
  min NUMERIC, min_is_inclusive BOOLEAN, max NUMERIC, max_is_inclusive BOOLEAN, description TEXT,
  CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value));
CREATE TABLE rp_meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE rp_features (fid INTEGER PRIMARY KEY, slot INTEGER NOT NULL, feature_key TEXT, source_id TEXT, kind TEXT NOT NULL,
  properties TEXT, geometry BLOB, change TEXT);
CREATE TABLE rp_items (id TEXT PRIMARY KEY, catalogue TEXT, name_zh TEXT, name_en TEXT, status TEXT, planned_start TEXT,
  planned_end TEXT, estimated_cost_yuan INTEGER, actual_cost_yuan INTEGER, government INTEGER, social_capital INTEGER,
  residents INTEGER, property_unit INTEGER, party TEXT, operator TEXT, operating_term_years INTEGER, features TEXT, item TEXT NOT NULL,
  quantity REAL, unit TEXT, unit_cost_yuan INTEGER, cost_overridden INTEGER);
CREATE TABLE rp_item_history (item_id TEXT NOT NULL, seq INTEGER NOT NULL, status TEXT NOT NULL, date TEXT NOT NULL,
  PRIMARY KEY (item_id, seq));
CREATE TABLE rp_catalogue_additions (id TEXT PRIMARY KEY, name_zh TEXT, name_en TEXT, category TEXT, class TEXT, entry TEXT NOT NULL);
CREATE TABLE rp_stories (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, name_zh TEXT, name_en TEXT, slides INTEGER, story TEXT NOT NULL);
CREATE TABLE rp_photos (id TEXT PRIMARY KEY, item_id TEXT NOT NULL, side TEXT NOT NULL, name TEXT, mime TEXT NOT NULL,
  width INTEGER, height INTEGER, original_width INTEGER, original_height INTEGER, data BLOB NOT NULL);
CREATE TABLE rp_basemaps (seq INTEGER PRIMARY KEY, name TEXT, source TEXT, opacity REAL, visible INTEGER, epsg INTEGER,
  shift TEXT, basemap TEXT NOT NULL);
CREATE TABLE rp_households (id TEXT PRIMARY KEY, building TEXT NOT NULL, unit TEXT NOT NULL, floor INTEGER NOT NULL,
  room TEXT NOT NULL, area_m2 REAL NOT NULL, owner_type TEXT NOT NULL, owner_name TEXT, phone TEXT);
CREATE TABLE rp_matters (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, title_zh TEXT, title_en TEXT, rule TEXT,
  opens TEXT, closes TEXT, matter TEXT NOT NULL);
CREATE TABLE rp_consent_rules (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, name_zh TEXT, rule TEXT NOT NULL);
CREATE TABLE rp_votes (matter_id TEXT NOT NULL, household_id TEXT NOT NULL, vote TEXT NOT NULL, date TEXT, method TEXT,
  PRIMARY KEY (matter_id, household_id));
CREATE TABLE rp_operating_spaces (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, feature TEXT NOT NULL, name_zh TEXT,
  name_en TEXT, operator TEXT, "use" TEXT, area_m2 REAL, term_start INTEGER NOT NULL, term_end INTEGER NOT NULL, items TEXT);
CREATE TABLE rp_cash_flows (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, kind TEXT NOT NULL, name_zh TEXT, name_en TEXT,
  space TEXT, yuan_per_year INTEGER NOT NULL, collection_rate REAL, start_year INTEGER NOT NULL, end_year INTEGER NOT NULL,
  growth REAL);
CREATE TABLE layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, f_table_catalog TEXT(256), f_table_schema TEXT(256),
  f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT, useAsDefault BOOLEAN,
  description TEXT, owner TEXT(30), ui TEXT(30), update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));
"#;

pub use crate::error::SaveError;
use crate::error::json_column;

/// Saves a plan as a GeoPackage, atomically: a new database is written as
/// `FILE.saving` and renamed over `FILE` only when it is complete and on disk.
pub fn save(plan: &Plan, path: &Path) -> Result<(), SaveError> {
    let tmp = write_temp(plan, path)?;
    let result = super::write::commit_file(&tmp, path);
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes the plan as a complete GeoPackage at `dest`'s temporary file (`FILE.saving`),
/// ready for [`super::write::commit_file`]; returns its path. On a failure it is removed.
pub fn write_temp(plan: &Plan, dest: &Path) -> Result<std::path::PathBuf, SaveError> {
    let tmp = super::write::temp_path(dest);
    let _ = std::fs::remove_file(&tmp);
    match write_db(plan, &tmp) {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

fn status_summary(plan: &Plan, id: crate::model::FeatureId) -> (String, String) {
    let items = plan.items_of(id);
    let names = items
        .iter()
        .map(|i| format!("{} ({})", i.display_name(plan, Lang::Zh), i.status.as_str()))
        .collect::<Vec<_>>()
        .join("; ");
    let least = items.iter().map(|i| i.status).min().map(|s| s.as_str().to_string()).unwrap_or_default();
    (names, least)
}

fn write_db(plan: &Plan, path: &Path) -> Result<(), SaveError> {
    let mut c = Connection::open(path)?;
    write_into(&mut c, plan)?;
    c.close().map_err(|(_, e)| e)?;
    // Flush to disk before the rename makes this the plan file.
    super::write::sync_file(path)
}

/// The whole plan file in an SQLite database held in memory: what a database
/// plan is published from (`io::postgis`), table by table.
pub(crate) fn write_to_memory(plan: &Plan) -> Result<Connection, SaveError> {
    let mut c = Connection::open_in_memory()?;
    write_into(&mut c, plan)?;
    Ok(c)
}

/// An empty plan file's tables in memory, which a database plan is read back
/// into and then read by [`read_plan`] exactly as a file is.
pub(crate) fn empty_in_memory() -> Result<Connection, rusqlite::Error> {
    let c = Connection::open_in_memory()?;
    c.execute_batch(SCHEMA)?;
    Ok(c)
}

/// Reads a plan from a database holding the plan file's `rp_*` tables.
pub(crate) fn read_plan(c: &Connection) -> Result<Loaded, LoadError> {
    load_plan(c)
}

/// Writes the plan file's tables and rows into a new, empty database.
fn write_into(c: &mut Connection, plan: &Plan) -> Result<(), SaveError> {
    // One transaction: the file is complete or it is not renamed into place.
    c.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")?;
    c.execute_batch(SCHEMA)?;
    let tx = c.transaction()?;
    tx.execute(
        "INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'), \
         ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'), \
         ('WGS 84 geodetic', 4326, 'EPSG', 4326, ?1, 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid')",
        [WGS84_WKT],
    )?;
    let name = plan.meta.name.clone().unwrap_or_else(|| "Renewal plan".into());
    let mut ext = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
    for (_, f) in plan.iter() {
        if let Some(r) = f.bbox() {
            ext = [ext[0].min(r.min().x), ext[1].min(r.min().y), ext[2].max(r.max().x), ext[3].max(r.max().y)];
        }
    }
    if !ext[0].is_finite() {
        ext = [0.0; 4];
    }
    for (table, what) in [("before", "before renewal"), ("after", "after renewal")] {
        tx.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id) \
             VALUES (?1, 'features', ?2, ?3, ?4, ?5, ?6, ?7, 4326)",
            params![table, format!("{name} — {what}"), format!("Renewal Planner: the plan {what}"), ext[0], ext[1], ext[2], ext[3]],
        )?;
        tx.execute("INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', 'GEOMETRY', 4326, 0, 0)", [table])?;
        for (column, _, _, title, description) in TYPED_COLUMNS {
            tx.execute(
                "INSERT INTO gpkg_data_columns (table_name, column_name, name, title, description) VALUES (?1, ?2, ?3, ?3, ?4)",
                params![table, column, title, description],
            )?;
        }
    }
    for table in ["gpkg_data_columns", "gpkg_data_column_constraints"] {
        tx.execute(
            "INSERT INTO gpkg_extensions VALUES (?1, NULL, 'gpkg_schema', 'http://www.geopackage.org/spec121/#extension_schema', 'read-write')",
            [table],
        )?;
    }
    for (table, what) in [
        ("rp_items", "renewal items"),
        ("rp_item_history", "item status history"),
        ("rp_catalogue_additions", "plan catalogue entries"),
        ("rp_meta", "plan metadata"),
        ("rp_photos", "before and after photos"),
        ("rp_stories", "stories (slides for meetings)"),
        ("rp_basemaps", "basemaps and underlays"),
        ("rp_households", "residents' register (households)"),
        ("rp_matters", "matters put to the residents"),
        ("rp_consent_rules", "the plan's own voting rules"),
        ("rp_votes", "residents' votes"),
        ("rp_operating_spaces", "operating spaces (operations ledger)"),
        ("rp_cash_flows", "yearly cash flows (operations ledger)"),
    ] {
        tx.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) VALUES (?1, 'attributes', ?2, ?3)",
            params![table, format!("{name} — {what}"), format!("Renewal Planner: {what}")],
        )?;
    }
    // The kinds and shapes each layer holds, counted as its rows are written: its style's rules.
    let mut shapes = [super::qgis_style::Shapes::default(), super::qgis_style::Shapes::default()];
    {
        let mut m = tx.prepare("INSERT INTO rp_meta VALUES (?1, ?2)")?;
        m.execute(params!["schema_version", SCHEMA_VERSION.to_string()])?;
        m.execute(params!["app", format!("renewal-planner {}", env!("CARGO_PKG_VERSION"))])?;
        m.execute(params!["name", plan.meta.name])?;
        m.execute(params!["note", plan.meta.note])?;
        m.execute(params!["foreign", Value::Object(plan.meta.foreign.clone()).to_string()])?;
        if !plan.meta.title_block.is_empty() {
            m.execute(params!["title_block", json_column("rp_meta.title_block", &plan.meta.title_block)?])?;
        }

        let mut feat = tx.prepare(
            "INSERT INTO rp_features (slot, feature_key, source_id, kind, properties, geometry, change) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let mut before = tx.prepare(
            "INSERT INTO \"before\" (geom, feature_key, kind, name_zh, name_en, change, items, status, floors, households, floor_area_m2, year_built, structure, \"use\", properties) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )?;
        let mut after = tx.prepare(
            "INSERT INTO \"after\" (geom, feature_key, kind, name_zh, name_en, change, items, status, floors, households, floor_area_m2, year_built, structure, \"use\", properties) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )?;
        for (id, f) in plan.iter() {
            let key = plan.key(id);
            let mut geometry_wkb = Vec::new();
            wkb::write(&mut geometry_wkb, &f.geometry);
            feat.execute(params![
                id.0,
                key,
                f.source_id.as_ref().map(|v| v.to_json().to_string()),
                f.kind.as_str(),
                f.properties.json().into_owned(),
                geometry_wkb,
                f.change.as_deref().map(change_value).transpose()?.map(|v| v.to_string()),
            ])?;
            let (items, status) = status_summary(plan, id);
            let change = f.change.as_ref().map(|c| c.kind.as_str());
            for ((stmt, phase), shapes) in
                [(&mut before, Phase::Before), (&mut after, Phase::After)].into_iter().zip(&mut shapes)
            {
                let p = presence(plan, f, &phase);
                if p == Presence::Absent {
                    continue;
                }
                shapes.add(f.kind, geometry_in(f, p));
                let mut props = f.properties.to_map();
                if p == Presence::AsAfter
                    && let Some(c) = &f.change
                {
                    props.extend(c.after_properties.clone());
                }
                let s = |k: &str| props.get(k).and_then(|v| v.as_str()).map(str::to_string);
                let [floors, households, area, year, structure, use_] =
                    TYPED_COLUMNS.map(|(_, ty, keys, _, _)| typed_value(&props, ty, keys));
                stmt.execute(params![
                    wkb::gpkg_blob(geometry_in(f, p), 4326),
                    key,
                    f.kind.as_str(),
                    s("name_zh").or_else(|| f.name_zh().map(str::to_string)),
                    s("name_en").or_else(|| f.name_en().map(str::to_string)),
                    change,
                    items,
                    status,
                    floors,
                    households,
                    area,
                    year,
                    structure,
                    use_,
                    Value::Object(props.clone()).to_string(),
                ])?;
            }
        }
        let mut item = tx.prepare(
            "INSERT INTO rp_items VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
        )?;
        let mut hist = tx.prepare("INSERT INTO rp_item_history VALUES (?1, ?2, ?3, ?4)")?;
        for i in plan.items.values() {
            item.execute(params![
                i.id,
                i.catalogue,
                i.name_zh,
                i.name_en,
                i.status.as_str(),
                i.planned_start,
                i.planned_end,
                i.estimated_cost_yuan,
                i.actual_cost_yuan,
                i.funding.government,
                i.funding.social_capital,
                i.funding.residents,
                i.funding.property_unit,
                i.party.map(|p| p.as_str()),
                i.operator,
                i.operating_term_years,
                i.features.join(","),
                json_column(&format!("rp_items.item ({})", i.id), i)?,
                i.quantity,
                i.unit,
                i.unit_cost_yuan,
                i.cost_overridden,
            ])?;
            for (seq, h) in i.history.iter().enumerate() {
                hist.execute(params![i.id, seq as i64, h.status.as_str(), h.date])?;
            }
        }
        let mut photo =
            tx.prepare("INSERT INTO rp_photos VALUES (?1, ?2, ?3, ?4, 'image/jpeg', ?5, ?6, ?7, ?8, ?9)")?;
        for p in plan.photos.values() {
            photo.execute(params![
                p.id,
                p.item,
                p.side.as_str(),
                p.name,
                p.width,
                p.height,
                p.original_width,
                p.original_height,
                p.jpeg.as_slice()
            ])?;
        }
        let mut story = tx.prepare("INSERT INTO rp_stories VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
        for (i, st) in plan.stories.iter().enumerate() {
            story.execute(params![
                i as i64,
                st.id,
                st.name_zh,
                st.name_en,
                st.slides.len() as i64,
                json_column(&format!("rp_stories.story ({})", st.id), st)?
            ])?;
        }
        // Keys are never in a basemap (they are the user's settings): a URL template keeps `{key}`.
        let mut basemap = tx.prepare("INSERT INTO rp_basemaps VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")?;
        for (i, b) in plan.basemaps.iter().enumerate() {
            let shift = match b.shift {
                crate::model::Shift::None => None,
                crate::model::Shift::Gcj02 => Some("gcj02"),
                crate::model::Shift::Bd09 => Some("bd09"),
            };
            basemap.execute(params![
                i as i64,
                b.name,
                b.source,
                f64::from(b.opacity),
                b.visible,
                b.epsg,
                shift,
                json_column(&format!("rp_basemaps.basemap ({})", b.name), b)?
            ])?;
        }
        write_consent(&tx, &plan.consent)?;
        write_operations(&tx, &plan.operations)?;
        let mut cat = tx.prepare("INSERT INTO rp_catalogue_additions VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
        for e in &plan.catalogue_additions {
            cat.execute(params![
                e.id,
                e.name_zh,
                e.name_en,
                e.category.as_str(),
                e.class.as_str(),
                json_column(&format!("rp_catalogue_additions.entry ({})", e.id), e)?
            ])?;
        }
    }
    write_styles(&tx, &shapes)?;
    tx.commit()?;
    Ok(())
}

/// QGIS's `layer_styles` table (as QGIS's OGR provider writes it, registered
/// as attributes like GDAL does): one default style a layer, a rule for each
/// kind and shape `shapes` counted in it (`before`, `after`), in the app's
/// colours (`io::qgis_style`). Loading never reads it.
fn write_styles(tx: &rusqlite::Transaction, shapes: &[super::qgis_style::Shapes; 2]) -> Result<(), SaveError> {
    tx.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS layer styles')",
        [],
    )?;
    for (table, shapes) in ["before", "after"].into_iter().zip(shapes) {
        let present = shapes.present();
        tx.execute(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, owner) \
             VALUES ('', '', ?1, 'geom', ?2, ?3, ?4, 1, ?5, '')",
            params![
                table,
                super::qgis_style::STYLE_NAME,
                super::qgis_style::qml(&present),
                super::qgis_style::sld(table, &present),
                format!("Renewal Planner: {table} renewal, by kind as the app draws it"),
            ],
        )?;
    }
    Ok(())
}

/// The residents' register, matters, the plan's rules and votes, as readable
/// tables: a household a row (owner name and phone are personal data: in the
/// plan file only), a vote a row; a matter and a rule are also kept whole as JSON.
fn write_consent(tx: &rusqlite::Transaction, consent: &crate::model::Consent) -> Result<(), SaveError> {
    let mut h = tx.prepare("INSERT INTO rp_households VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")?;
    for x in consent.register() {
        h.execute(params![
            x.id,
            x.building,
            x.unit,
            x.floor,
            x.room,
            x.area_m2,
            x.owner_type.as_str(),
            x.owner_name,
            x.phone
        ])?;
    }
    let mut m = tx.prepare("INSERT INTO rp_matters VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")?;
    for (i, x) in consent.matters.iter().enumerate() {
        m.execute(params![
            i as i64,
            x.id,
            x.title_zh,
            x.title_en,
            x.rule,
            x.opens,
            x.closes,
            json_column(&format!("rp_matters.matter ({})", x.id), x)?
        ])?;
    }
    let mut r = tx.prepare("INSERT INTO rp_consent_rules VALUES (?1, ?2, ?3, ?4)")?;
    for (i, x) in consent.rules.iter().enumerate() {
        r.execute(params![i as i64, x.id, x.name_zh, json_column(&format!("rp_consent_rules.rule ({})", x.id), x)?])?;
    }
    let mut v = tx.prepare("INSERT INTO rp_votes VALUES (?1, ?2, ?3, ?4, ?5)")?;
    for (matter, on) in &consent.votes {
        for (household, x) in on {
            v.execute(params![matter, household, x.vote.as_str(), x.date, x.method.map(|m| m.as_str())])?;
        }
    }
    if let Some(note) = &consent.note {
        tx.execute("INSERT INTO rp_meta VALUES ('consent_note', ?1)", [note])?;
    }
    Ok(())
}

/// The ledger's settings as `rp_meta.operations` (JSON: illustrative, note, discount rate, the
/// early subsidy end), its spaces and flows a row each in readable columns. Nothing is written for
/// a plan with no ledger.
fn write_operations(tx: &rusqlite::Transaction, ops: &crate::model::operations::Operations) -> Result<(), SaveError> {
    if ops.is_empty() {
        return Ok(());
    }
    let settings = serde_json::json!({
        "illustrative": ops.illustrative,
        "note": ops.note,
        "discount_rate": ops.discount_rate,
        "early_subsidy_end": ops.early_subsidy_end,
    });
    tx.execute("INSERT INTO rp_meta VALUES ('operations', ?1)", [json_column("rp_meta.operations", &settings)?])?;
    let mut s = tx.prepare("INSERT INTO rp_operating_spaces VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")?;
    for (i, x) in ops.spaces.iter().enumerate() {
        s.execute(params![
            i as i64,
            x.id,
            x.feature,
            x.name_zh,
            x.name_en,
            x.operator,
            x.use_,
            x.area_m2,
            x.term_start,
            x.term_end,
            json_column(&format!("rp_operating_spaces.items ({})", x.id), &x.items)?
        ])?;
    }
    let mut f = tx.prepare("INSERT INTO rp_cash_flows VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")?;
    for (i, x) in ops.flows.iter().enumerate() {
        f.execute(params![
            i as i64,
            x.id,
            x.kind.as_str(),
            x.name_zh,
            x.name_en,
            x.space,
            x.yuan_per_year,
            x.collection_rate,
            x.start_year,
            x.end_year,
            x.growth
        ])?;
    }
    Ok(())
}

/// Reads what [`write_operations`] wrote. A row that cannot be read (a year that is not a number, a
/// kind the app does not know) is a warning naming it, and is left out; settings that cannot be read
/// are a warning and the defaults.
fn read_operations(
    c: &Connection,
    warnings: &mut Vec<Warning>,
) -> Result<crate::model::operations::Operations, LoadError> {
    use crate::model::operations::{Flow, FlowKind, Operations, Space};
    let mut ops = Operations::default();
    if let Some(text) = meta(c, "operations")? {
        #[derive(serde::Deserialize)]
        struct Settings {
            #[serde(default)]
            illustrative: bool,
            #[serde(default)]
            note: Option<String>,
            discount_rate: Option<f64>,
            #[serde(default)]
            early_subsidy_end: Option<i32>,
        }
        match serde_json::from_str::<Settings>(&text) {
            Ok(s) => {
                ops.illustrative = s.illustrative;
                ops.note = s.note;
                if let Some(r) = s.discount_rate {
                    ops.discount_rate = r;
                }
                ops.early_subsidy_end = s.early_subsidy_end;
            }
            Err(e) => warnings.push(Warning {
                place: "rp_meta.operations".into(),
                message: format!("{e}; the ledger's settings are the defaults"),
            }),
        }
    }
    let mut q = c
        .prepare(
            "SELECT seq, id, feature, name_zh, name_en, operator, \"use\", area_m2, term_start, term_end, items \
             FROM rp_operating_spaces ORDER BY seq",
        )
        .map_err(db_error)?;
    let rows = q
        .query_map([], |r| {
            let cells = || -> rusqlite::Result<(Space, Option<String>)> {
                Ok((
                    Space {
                        id: r.get(1)?,
                        feature: r.get(2)?,
                        name_zh: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                        name_en: r.get(4)?,
                        operator: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
                        use_: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
                        area_m2: r.get::<_, Option<f64>>(7)?.unwrap_or(0.0),
                        term_start: r.get(8)?,
                        term_end: r.get(9)?,
                        items: Vec::new(),
                    },
                    r.get(10)?,
                ))
            };
            Ok((r.get::<_, rusqlite::types::Value>(0)?, cells().map_err(|e| cell_fault(r, e))))
        })
        .map_err(db_error)?;
    for row in rows {
        let (key, cells) = row.map_err(db_error)?;
        let place = || format!("rp_operating_spaces {}", key_text(key.clone()));
        let (mut space, items) = match cells {
            Ok(x) => x,
            Err(e) => {
                warnings.push(Warning { place: place(), message: format!("{e}; the space is left out") });
                continue;
            }
        };
        match items.as_deref().map(serde_json::from_str::<Vec<String>>) {
            None => {}
            Some(Ok(items)) => space.items = items,
            Some(Err(e)) => {
                warnings.push(Warning {
                    place: place(),
                    message: format!("items are not a list of item ids ({e}); the space is left out"),
                });
                continue;
            }
        }
        ops.spaces.push(space);
    }
    let mut q = c
        .prepare(
            "SELECT seq, id, kind, name_zh, name_en, space, yuan_per_year, collection_rate, start_year, end_year, growth \
             FROM rp_cash_flows ORDER BY seq",
        )
        .map_err(db_error)?;
    let rows = q
        .query_map([], |r| {
            let cells = || -> rusqlite::Result<(String, Flow)> {
                Ok((
                    r.get(2)?,
                    Flow {
                        id: r.get(1)?,
                        kind: FlowKind::Rent,
                        name_zh: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                        name_en: r.get(4)?,
                        space: r.get(5)?,
                        yuan_per_year: r.get(6)?,
                        collection_rate: r.get(7)?,
                        start_year: r.get(8)?,
                        end_year: r.get(9)?,
                        growth: r.get::<_, Option<f64>>(10)?.unwrap_or(0.0),
                    },
                ))
            };
            Ok((r.get::<_, rusqlite::types::Value>(0)?, cells().map_err(|e| cell_fault(r, e))))
        })
        .map_err(db_error)?;
    for row in rows {
        let (key, cells) = row.map_err(db_error)?;
        let place = || format!("rp_cash_flows {}", key_text(key.clone()));
        let (kind, mut flow) = match cells {
            Ok(x) => x,
            Err(e) => {
                warnings.push(Warning { place: place(), message: format!("{e}; the flow is left out") });
                continue;
            }
        };
        match FlowKind::parse(&kind) {
            Some(k) => flow.kind = k,
            None => {
                warnings.push(Warning {
                    place: place(),
                    message: format!(
                        "kind {kind:?} is not rent, sales, property_fee, parking, cost or subsidy; the flow is left out"
                    ),
                });
                continue;
            }
        }
        ops.flows.push(flow);
    }
    Ok(ops)
}

/// A row's key as a warning names it: its text, or `row N` for a number (`rp_basemaps row 2`).
fn key_text(v: rusqlite::types::Value) -> String {
    use rusqlite::types::Value as Sql;
    match v {
        Sql::Text(t) => t,
        Sql::Integer(n) => format!("row {n}"),
        Sql::Real(x) => format!("row {x}"),
        Sql::Null | Sql::Blob(_) => "(no id)".into(),
    }
}

/// Why a row's cells could not be read, as a planner reads it: `floor “三” is not of its column's type`.
fn cell_fault(r: &rusqlite::Row, e: rusqlite::Error) -> String {
    use rusqlite::types::Value as Sql;
    let rusqlite::Error::InvalidColumnType(i, name, _) = &e else { return e.to_string() };
    let value = match r.get::<_, Sql>(*i) {
        Ok(Sql::Text(t)) => format!("“{}”", super::clip(&t, 40)),
        Ok(Sql::Integer(n)) => n.to_string(),
        Ok(Sql::Real(x)) => x.to_string(),
        Ok(Sql::Null) => "empty".into(),
        Ok(Sql::Blob(_)) | Err(_) => "binary data".into(),
    };
    format!("{name} {value} is not of its column's type")
}

/// Reads the rows of `sql` — a key, then a value as JSON — into values: a row that cannot be
/// read is a warning naming the table and its key (`rp_stories s1: …`) and is left out.
fn json_rows<T: serde::de::DeserializeOwned>(
    c: &Connection,
    sql: &str,
    table: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<T>, LoadError> {
    let mut q = c.prepare(sql).map_err(db_error)?;
    let rows = q
        .query_map([], |r| Ok((r.get::<_, rusqlite::types::Value>(0)?, r.get::<_, Option<String>>(1))))
        .map_err(db_error)?;
    let mut out = Vec::new();
    for row in rows {
        let (key, text) = row.map_err(db_error)?;
        let value = match text {
            Ok(Some(t)) => serde_json::from_str::<T>(&t).map_err(|e| e.to_string()),
            Ok(None) => Err("no value".into()),
            Err(e) => Err(e.to_string()),
        };
        match value {
            Ok(x) => out.push(x),
            Err(message) => warnings.push(Warning { place: format!("{table} {}", key_text(key)), message }),
        }
    }
    Ok(out)
}

/// Reads what [`write_consent`] wrote. A row that cannot be read (a cell of the wrong type, JSON
/// that is not a matter) is a warning naming it, and is left out.
fn read_consent(c: &Connection, warnings: &mut Vec<Warning>) -> Result<crate::model::Consent, LoadError> {
    use crate::model::consent::{Choice, Household, Method, OwnerType, Vote};
    let mut consent = crate::model::Consent::default();
    let mut q = c
        .prepare("SELECT id, building, unit, floor, room, area_m2, owner_type, owner_name, phone FROM rp_households")
        .map_err(db_error)?;
    let rows = q
        .query_map([], |r| {
            let cells = || -> rusqlite::Result<(Household, String)> {
                Ok((
                    Household {
                        id: r.get(0)?,
                        building: r.get(1)?,
                        unit: r.get(2)?,
                        floor: r.get(3)?,
                        room: r.get(4)?,
                        area_m2: r.get(5)?,
                        owner_type: OwnerType::Private,
                        owner_name: r.get(7)?,
                        phone: r.get(8)?,
                    },
                    r.get(6)?,
                ))
            };
            Ok((r.get::<_, rusqlite::types::Value>(0)?, cells().map_err(|e| cell_fault(r, e))))
        })
        .map_err(db_error)?;
    for row in rows {
        let (key, cells) = row.map_err(db_error)?;
        let place = || format!("rp_households {}", key_text(key.clone()));
        let (mut h, owner) = match cells {
            Ok(x) => x,
            Err(e) => {
                warnings.push(Warning { place: place(), message: format!("{e}; the household is left out") });
                continue;
            }
        };
        match OwnerType::parse(&owner) {
            Some(t) => h.owner_type = t,
            None => warnings.push(Warning {
                place: place(),
                message: format!("owner type {owner:?} is not private, public_tenant or institution; read as private"),
            }),
        }
        consent.households.insert(h.id.clone(), h);
    }
    consent.matters = json_rows(c, "SELECT id, matter FROM rp_matters ORDER BY seq", "rp_matters", warnings)?;
    consent.rules = json_rows(c, "SELECT id, rule FROM rp_consent_rules ORDER BY seq", "rp_consent_rules", warnings)?;
    let mut q = c.prepare("SELECT matter_id, household_id, vote, date, method FROM rp_votes").map_err(db_error)?;
    let rows = q
        .query_map([], |r| {
            let cells = || -> rusqlite::Result<_> {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            };
            Ok((
                r.get::<_, rusqlite::types::Value>(0)?,
                r.get::<_, rusqlite::types::Value>(1)?,
                cells().map_err(|e| cell_fault(r, e)),
            ))
        })
        .map_err(db_error)?;
    for row in rows {
        let (m, h, cells) = row.map_err(db_error)?;
        let (matter, household, vote, date, method) = match cells {
            Ok(x) => x,
            Err(e) => {
                warnings.push(Warning {
                    place: format!("rp_votes {} {}", key_text(m), key_text(h)),
                    message: format!("{e}; the vote is left out"),
                });
                continue;
            }
        };
        let place = || format!("rp_votes {matter} {household}");
        let choice = match Choice::parse(&vote) {
            Ok(Some(c)) => c,
            _ => {
                warnings.push(Warning {
                    place: place(),
                    message: format!("vote {vote:?} is not agree, disagree or abstain"),
                });
                continue;
            }
        };
        let method = match method.as_deref() {
            None => None,
            Some(m) => match Method::ALL.into_iter().find(|x| x.as_str() == m) {
                Some(x) => Some(x),
                None => {
                    warnings.push(Warning {
                        place: place(),
                        message: format!("method {m:?} is not paper, in_person or online"),
                    });
                    None
                }
            },
        };
        consent.votes.entry(matter).or_default().insert(household, Vote { vote: choice, date, method });
    }
    consent.note = meta(c, "consent_note")?;
    Ok(consent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_running_out_of_memory_is_not_a_damaged_file() {
        let nomem = rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_NOMEM), None);
        assert!(matches!(db_error(nomem), LoadError::OutOfMemory(_)));
        let corrupt = rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT), None);
        assert!(matches!(db_error(corrupt), LoadError::Malformed { .. }));
    }

    #[test]
    fn a_plan_that_cannot_be_renamed_into_place_is_not_saved_and_says_why() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("plan.gpkg");
        std::fs::create_dir(&target).expect("folder");
        std::fs::write(target.join("keep"), b"x").expect("file");
        let e = save(&Plan::default(), &target).expect_err("refused");
        assert!(matches!(&e, SaveError::Io { step: crate::error::Step::Rename, .. }), "{e:?}");
        assert!(!super::super::write::temp_path(&target).exists(), "the temporary database is removed");
        assert!(target.join("keep").exists());
    }
}
