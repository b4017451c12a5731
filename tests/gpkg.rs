//! The plan file (GeoPackage): lossless round trip, other GIS tools can read
//! it, bad files get a clear message and are never damaged.

use std::path::Path;
use std::process::Command;

use geo::polygon;

use renewal_planner::document::Document;
use renewal_planner::io;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_renewal-planner"))
}

fn jinsong() -> renewal_planner::model::Plan {
    Document::jinsong().plan().clone()
}

#[test]
fn every_part_of_a_plan_survives_geojson_to_gpkg_to_geojson() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = jinsong();
    let gpkg = dir.path().join("劲松.gpkg");
    io::gpkg::save(&plan, &gpkg).expect("saves");
    assert!(!io::write::temp_path(&gpkg).exists(), "no temporary file is left");
    let back = io::load_path(&gpkg).expect("opens");
    assert!(back.warnings.is_empty(), "{:?}", back.warnings);
    assert!(back.plan == plan, "the plan read back from the GeoPackage differs");
    assert_eq!(io::write::to_geojson(&back.plan), io::write::to_geojson(&plan), "GeoJSON → gpkg → GeoJSON is equal");
}

/// A bad cell or JSON in any of the plan's own tables is one warning naming the row, which is left out:
/// the plan still opens with everything else.
#[test]
fn a_bad_row_of_the_plans_tables_is_a_warning_and_the_rest_opens() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = jinsong();
    let gpkg = dir.path().join("bad-rows.gpkg");
    io::gpkg::save(&plan, &gpkg).expect("saves");
    let some = |table: &str, key: &str| {
        let c = rusqlite::Connection::open(&gpkg).expect("db");
        c.query_row(&format!("SELECT {key} FROM {table} ORDER BY {key} LIMIT 1"), [], |r| r.get::<_, String>(0))
            .expect("a row")
    };
    let (household, matter) = (some("rp_households", "id"), some("rp_matters", "id"));
    let (vote_m, vote_h) = {
        let c = rusqlite::Connection::open(&gpkg).expect("db");
        c.query_row("SELECT matter_id, household_id FROM rp_votes LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("a vote")
    };
    let (vote_m, vote_h): (String, String) = (vote_m, vote_h);
    {
        let c = rusqlite::Connection::open(&gpkg).expect("db");
        c.execute("UPDATE rp_households SET floor = '三' WHERE id = ?1", [&household]).expect("sql");
        c.execute("UPDATE rp_matters SET matter = '{' WHERE id = ?1", [&matter]).expect("sql");
        c.execute("UPDATE rp_votes SET date = X'00FF' WHERE matter_id = ?1 AND household_id = ?2", [&vote_m, &vote_h])
            .expect("sql");
    }
    let back = io::load_path(&gpkg).expect("opens");
    let places: Vec<String> = back.warnings.iter().map(|w| w.place.clone()).collect();
    let w = back.warnings.iter().find(|w| w.place == format!("rp_households {household}")).expect("named");
    assert_eq!(w.message, "floor “三” is not of its column's type; the household is left out");
    assert!(places.contains(&format!("rp_matters {matter}")), "{places:?}");
    assert!(places.contains(&format!("rp_votes {vote_m} {vote_h}")), "{places:?}");
    let c = &back.plan.consent;
    assert_eq!(c.households.len(), plan.consent.households.len() - 1);
    assert!(!c.households.contains_key(&household));
    assert_eq!(c.matters.len(), plan.consent.matters.len() - 1);
    assert!(c.vote(&vote_m, &vote_h).is_none());
    assert_eq!(back.plan.len(), plan.len());
}

#[test]
fn the_command_line_converts_geojson_to_a_plan_file_and_reads_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let geojson = dir.path().join("district.geojson");
    io::save_geojson(&jinsong(), &geojson).expect("saves");
    let gpkg = dir.path().join("plan.gpkg");
    let out = bin().arg("export").arg(&geojson).arg("-o").arg(&gpkg).output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let info = |p: &Path| {
        let o = bin().arg("info").arg("--json").arg(p).output().expect("runs");
        assert!(o.status.success());
        let mut v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
        v.as_object_mut().map(|m| m.remove("name"));
        v
    };
    assert_eq!(info(&gpkg), info(&geojson));
    let bad = bin().arg("export").arg(&geojson).arg("-o").arg(dir.path().join("x.docx")).output().expect("runs");
    assert_eq!(bad.status.code(), Some(1));
}

/// GDAL's `ogrinfo` (Debian gdal-bin, installed by .ci/run) reads the plan
/// file without errors and sees the before and after layers.
#[test]
fn gdal_reads_the_plan_file() {
    let Ok(probe) = Command::new("ogrinfo").arg("--version").output() else {
        assert!(std::env::var_os("CI").is_none(), "CI must have ogrinfo (gdal-bin)");
        eprintln!("SKIPPED: ogrinfo (gdal-bin) is not installed; the plan file was not checked by GDAL");
        return;
    };
    assert!(probe.status.success());
    let dir = tempfile::tempdir().expect("temp dir");
    let gpkg = dir.path().join("plan.gpkg");
    io::gpkg::save(&jinsong(), &gpkg).expect("saves");
    let out = Command::new("ogrinfo").args(["-ro", "-al", "-q"]).arg(&gpkg).output().expect("runs");
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(!text.contains("ERROR"), "{text}");
    assert!(!text.to_lowercase().contains("warning"), "{text}");
    assert!(text.contains("Layer name: before") && text.contains("Layer name: after"));
    assert!(text.contains("劲松一区101楼"), "Chinese names survive");
    let summary = Command::new("ogrinfo").args(["-ro", "-so"]).arg(&gpkg).arg("after").output().expect("runs");
    let s = String::from_utf8_lossy(&summary.stdout);
    let plan = jinsong();
    let after = plan
        .iter()
        .filter(|(_, f)| {
            renewal_planner::model::phase::presence(&plan, f, &renewal_planner::model::Phase::After)
                != renewal_planner::model::Presence::Absent
        })
        .count();
    assert!(s.contains(&format!("Feature Count: {after}")), "{s}");
}

fn sha(p: &Path) -> Vec<u8> {
    std::fs::read(p).expect("read")
}

#[test]
fn bad_plan_files_get_a_clear_message_and_are_left_as_they_were() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = dir.path().join("good.gpkg");
    io::gpkg::save(&jinsong(), &good).expect("saves");

    let not_sqlite = dir.path().join("not.gpkg");
    std::fs::write(&not_sqlite, b"this is not a database at all, just text").expect("write");
    let truncated = dir.path().join("truncated.gpkg");
    std::fs::write(&truncated, &sha(&good)[..8192]).expect("write");
    let plain_sqlite = dir.path().join("plain.gpkg");
    {
        let c = rusqlite::Connection::open(&plain_sqlite).expect("db");
        c.execute_batch("CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1);").expect("sql");
    }
    let newer = dir.path().join("newer.gpkg");
    std::fs::copy(&good, &newer).expect("copy");
    {
        let c = rusqlite::Connection::open(&newer).expect("db");
        c.execute("UPDATE rp_meta SET value = '99' WHERE key = 'schema_version'", []).expect("sql");
    }
    for (file, expect) in [
        (&not_sqlite, "not an SQLite database"),
        (&truncated, "damaged or truncated"),
        (&plain_sqlite, "without GeoPackage tables"),
        (&newer, "newer Renewal Planner"),
    ] {
        let before = sha(file);
        let err = io::load_path(file).err().expect("refused").to_string();
        assert!(err.contains(expect), "{}: {err}", file.display());
        assert_eq!(sha(file), before, "{} was not changed", file.display());
        let out = bin().arg("info").arg(file).output().expect("runs");
        assert_eq!(out.status.code(), Some(1));
        let e = String::from_utf8_lossy(&out.stderr);
        assert_eq!(e.trim_end().lines().count(), 1, "{e}");
    }
}

#[test]
fn a_geopackage_from_another_tool_opens_as_a_plain_district() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("osm.gpkg");
    {
        let c = rusqlite::Connection::open(&path).expect("db");
        c.execute_batch(
            "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY, organization TEXT, organization_coordsys_id INTEGER, definition TEXT, description TEXT);
             INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84', 4326, 'EPSG', 4326, 'x', NULL);
             CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT, identifier TEXT, description TEXT, last_change TEXT, min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER);
             INSERT INTO gpkg_contents VALUES ('buildings', 'features', 'buildings', '', '', 0, 0, 0, 0, 4326);
             CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, geometry_type_name TEXT, srs_id INTEGER, z TINYINT, m TINYINT);
             INSERT INTO gpkg_geometry_columns VALUES ('buildings', 'geometry', 'POLYGON', 4326, 0, 0);
             CREATE TABLE buildings (fid INTEGER PRIMARY KEY, geometry BLOB, building TEXT, name TEXT, levels INTEGER);",
        )
        .expect("schema");
        let poly: geo::Geometry<f64> =
            polygon![(x: 116.45, y: 39.88), (x: 116.451, y: 39.88), (x: 116.451, y: 39.881), (x: 116.45, y: 39.881)]
                .into();
        let blob = io::wkb::gpkg_blob(&poly, 4326);
        c.execute("INSERT INTO buildings VALUES (1, ?1, 'yes', '东区3号楼', 6)", [&blob]).expect("row");
        c.execute("INSERT INTO buildings VALUES (2, X'00', 'yes', 'broken', 5)", []).expect("row");
    }
    let loaded = io::load_path(&path).expect("opens");
    assert_eq!(loaded.plan.len(), 1);
    let (_, f) = loaded.plan.iter().next().expect("a feature");
    assert_eq!(f.kind, renewal_planner::model::Kind::Building);
    assert_eq!(f.name_zh(), Some("东区3号楼"));
    assert_eq!(f.properties.get("levels"), Some(serde_json::json!(6)));
    assert_eq!(loaded.warnings.len(), 1, "the broken row is a warning: {:?}", loaded.warnings);
    assert!(loaded.warnings[0].place.contains("layer buildings, row 2"));
}

/// A schema-1 plan file (geometry as GeoJSON text, no photos table) opens
/// as the same plan; saving writes the current schema.
#[test]
fn an_older_plan_file_is_migrated_on_open() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = jinsong();
    let file = dir.path().join("old.gpkg");
    io::gpkg::save(&plan, &file).expect("saves");
    {
        let c = rusqlite::Connection::open(&file).expect("db");
        let rows: Vec<(i64, Vec<u8>)> = {
            let mut q = c.prepare("SELECT fid, geometry FROM rp_features").expect("sql");
            q.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).expect("rows").collect::<Result<_, _>>().expect("rows")
        };
        for (fid, blob) in rows {
            let g = io::wkb::read(&blob).expect("wkb");
            let text = serde_json::to_string(&geojson::Geometry::new(geojson::GeometryValue::from(&g))).expect("json");
            c.execute("UPDATE rp_features SET geometry = ?1 WHERE fid = ?2", rusqlite::params![text, fid])
                .expect("sql");
        }
        c.execute_batch(
            "DROP TABLE rp_photos; DROP TABLE rp_stories; DROP TABLE rp_households; DROP TABLE rp_matters; \
             DROP TABLE rp_votes; DROP TABLE rp_consent_rules; DROP TABLE rp_operating_spaces; DROP TABLE rp_cash_flows; \
             DELETE FROM rp_meta WHERE key = 'operations'; UPDATE rp_meta SET value = '1' WHERE key = 'schema_version';",
        )
        .expect("sql");
    }
    let back = io::load_path(&file).expect("opens");
    assert!(back.warnings.is_empty(), "{:?}", back.warnings);
    // A schema-1 plan could hold no stories, photos, residents' register or operations ledger.
    let mut expected = plan.clone();
    expected.stories.clear();
    expected.photos.clear();
    expected.consent = Default::default();
    expected.operations = Default::default();
    assert!(back.plan == expected);
    let resaved = dir.path().join("new.gpkg");
    io::gpkg::save(&back.plan, &resaved).expect("saves");
    let c = rusqlite::Connection::open(&resaved).expect("db");
    let v: String =
        c.query_row("SELECT value FROM rp_meta WHERE key = 'schema_version'", [], |r| r.get(0)).expect("version");
    assert_eq!(v, io::gpkg::SCHEMA_VERSION.to_string());
}

/// `ogrinfo`'s output, or `None` (with a loud SKIPPED line) where GDAL is not installed; CI must have it.
fn ogrinfo(args: &[&str], file: &Path, layer: Option<&str>) -> Option<String> {
    let Ok(out) = Command::new("ogrinfo").args(args).arg(file).args(layer).output() else {
        assert!(std::env::var_os("CI").is_none(), "CI must have ogrinfo (gdal-bin)");
        eprintln!(
            "SKIPPED: ogrinfo (gdal-bin) is not installed; the GeoPackage's typed columns were not checked by GDAL"
        );
        return None;
    };
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    Some(text)
}

/// A QGIS user filters and styles the `before`/`after` layers by typed
/// columns (floors, households, floor area, year, structure, use), not by
/// digging in a JSON text column.
#[test]
fn gdal_sees_typed_building_columns_with_jinsong_values() {
    let dir = tempfile::tempdir().expect("temp dir");
    let gpkg = dir.path().join("plan.gpkg");
    let plan = jinsong();
    io::gpkg::save(&plan, &gpkg).expect("saves");
    for layer in ["before", "after"] {
        let Some(summary) = ogrinfo(&["-ro", "-so"], &gpkg, Some(layer)) else { return };
        for field in [
            "floors: Integer (",
            "households: Integer (",
            "floor_area_m2: Real (",
            "year_built: Integer (",
            "structure: String (",
            "use: String (",
            "properties: String (",
        ] {
            assert!(summary.contains(field), "{layer} has {field}…; Integer, not Integer64:\n{summary}");
        }
        assert!(!summary.to_lowercase().contains("warning"), "{summary}");
    }
    let id = plan.by_key("b104").expect("104");
    let f = plan.get(id).expect("104");
    let (floors, households) =
        (f.number_prop("floors").expect("floors"), f.number_prop("households").expect("households"));
    let Some(row) = ogrinfo(&["-ro", "-q", "-where", "feature_key = 'b104'"], &gpkg, Some("before")) else { return };
    assert!(row.contains(&format!("floors (Integer) = {floors}")), "{row}");
    assert!(row.contains(&format!("households (Integer) = {households}")), "{row}");
    assert!(row.contains("year_built (Integer) = 1977"), "{row}");
    assert!(row.contains("floor_area_m2 (Real) = 4321"), "{row}");
    // A numeric filter, as a QGIS expression would make it, counts the plan's six-storey buildings.
    let six = plan
        .iter()
        .filter(|(_, f)| f.kind == renewal_planner::model::Kind::Building && f.number_prop("floors") == Some(6.0))
        .count();
    let Some(count) = ogrinfo(
        &["-ro", "-q", "-sql", "SELECT count(*) AS n FROM \"before\" WHERE kind = 'building' AND floors = 6"],
        &gpkg,
        None,
    ) else {
        return;
    };
    assert!(six > 0 && count.contains(&format!("n (Integer) = {six}")), "{six} six-storey buildings:\n{count}");
}

/// A schema-3 plan (no typed layer columns, no quantity columns) opens as
/// the same plan (the item JSON holds quantities); saving writes schema 4.
#[test]
fn a_schema_3_plan_file_opens_and_is_saved_in_the_current_schema() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = jinsong();
    let file = dir.path().join("v3.gpkg");
    io::gpkg::save(&plan, &file).expect("saves");
    {
        let c = rusqlite::Connection::open(&file).expect("db");
        for table in ["before", "after"] {
            for col in ["floors", "households", "floor_area_m2", "year_built", "structure", "use"] {
                c.execute_batch(&format!("ALTER TABLE \"{table}\" DROP COLUMN \"{col}\"")).expect("drop");
            }
        }
        for col in ["quantity", "unit", "unit_cost_yuan", "cost_overridden"] {
            c.execute_batch(&format!("ALTER TABLE rp_items DROP COLUMN {col}")).expect("drop");
        }
        c.execute_batch(
            "DROP TABLE gpkg_data_columns; DROP TABLE gpkg_data_column_constraints; DROP TABLE gpkg_extensions; \
             DROP TABLE rp_households; DROP TABLE rp_matters; DROP TABLE rp_votes; DROP TABLE rp_consent_rules; \
             DROP TABLE rp_operating_spaces; DROP TABLE rp_cash_flows; DELETE FROM rp_meta WHERE key = 'operations'; \
             UPDATE rp_meta SET value = '3' WHERE key = 'schema_version';",
        )
        .expect("sql");
    }
    let back = io::load_path(&file).expect("opens");
    assert!(back.warnings.is_empty(), "{:?}", back.warnings);
    // Schema 6 added the register, schema 7 the operations ledger: an older plan has neither.
    let mut plan = plan;
    plan.consent = Default::default();
    plan.operations = Default::default();
    // The item JSON is the source of truth: quantities (Jinsong counts its elevators in 部) come through
    // even without the derived quantity columns.
    assert!(plan.items.values().any(|i| i.quantity.is_some()), "the test needs items with quantities");
    assert!(back.plan == plan);
    let resaved = dir.path().join("v4.gpkg");
    io::gpkg::save(&back.plan, &resaved).expect("saves");
    let c = rusqlite::Connection::open(&resaved).expect("db");
    let v: String =
        c.query_row("SELECT value FROM rp_meta WHERE key = 'schema_version'", [], |r| r.get(0)).expect("version");
    assert_eq!(v, io::gpkg::SCHEMA_VERSION.to_string());
    let floors: i64 = c
        .query_row("SELECT floors FROM \"before\" WHERE feature_key = 'b104'", [], |r| r.get(0))
        .expect("typed column");
    assert_eq!(floors, 6);
}
