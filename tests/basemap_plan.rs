//! Plans remember their basemaps: source, order, opacity, shown, coordinate
//! system, GCJ-02/BD-09 shift, control points and credit survive both plan
//! formats — never a service key — and the GeoPackage lists its basemap
//! table so QGIS still opens it.

use renewal_planner::document::Document;
use renewal_planner::edit::Edit;
use renewal_planner::io;
use renewal_planner::model::{Basemap, ControlPoint, Plan, Shift};

/// Jinsong with three basemaps, bottom to top, one of each sort of setting.
fn jinsong_with_basemaps() -> Plan {
    let mut plan = Document::jinsong().plan().clone();
    let mut tianditu = Basemap::new("https://t{s}.tianditu.gov.cn/img_w/wmts?tk={key}&x={x}&y={y}&l={z}");
    tianditu.name = "天地图 影像".into();
    tianditu.attribution = Some("© 天地图 国家地理信息公共服务平台".into());
    let mut amap = Basemap::new("https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}");
    amap.shift = Shift::Gcj02;
    amap.opacity = 0.45;
    amap.visible = false;
    let mut scan = Basemap::new("/数据/劲松 总平面图.jpg");
    scan.epsg = Some(4527);
    scan.control_points = vec![
        ControlPoint { pixel: [10.0, 20.0], lonlat: [116.455, 39.889] },
        ControlPoint { pixel: [900.5, 30.0], lonlat: [116.461, 39.889] },
        ControlPoint { pixel: [20.0, 700.25], lonlat: [116.455, 39.885] },
    ];
    Edit::SetBasemaps { basemaps: vec![tianditu, amap, scan] }.apply(&mut plan).expect("applies");
    plan
}

#[test]
fn basemaps_survive_geojson_to_gpkg_to_geojson() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = jinsong_with_basemaps();
    let geojson = dir.path().join("劲松.geojson");
    io::save_geojson(&plan, &geojson).expect("saves GeoJSON");
    let from_geojson = io::load_path(&geojson).expect("opens GeoJSON");
    assert!(from_geojson.warnings.is_empty(), "{:?}", from_geojson.warnings);
    assert_eq!(from_geojson.plan.basemaps, plan.basemaps, "GeoJSON keeps the basemaps in order");

    let gpkg = dir.path().join("劲松.gpkg");
    io::gpkg::save(&from_geojson.plan, &gpkg).expect("saves the plan file");
    let back = io::load_path(&gpkg).expect("opens the plan file");
    assert!(back.warnings.is_empty(), "{:?}", back.warnings);
    assert_eq!(back.plan.basemaps, plan.basemaps, "the GeoPackage keeps the basemaps in order");
    assert!(back.plan == plan, "the whole plan round-trips");
    assert_eq!(io::write::to_geojson(&back.plan), io::write::to_geojson(&plan), "GeoJSON → gpkg → GeoJSON is equal");
}

/// A row of `rp_basemaps`: seq, name, source, opacity, visible, epsg, shift.
type BasemapRow = (i64, String, String, f64, bool, Option<i64>, Option<String>);

#[test]
fn the_plan_file_lists_its_basemap_table_for_gis_tools_and_keeps_no_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let gpkg = dir.path().join("plan.gpkg");
    io::gpkg::save(&jinsong_with_basemaps(), &gpkg).expect("saves");
    let c = rusqlite::Connection::open(&gpkg).expect("opens");
    let kind: String = c
        .query_row("SELECT data_type FROM gpkg_contents WHERE table_name = 'rp_basemaps'", [], |r| r.get(0))
        .expect("rp_basemaps is listed in gpkg_contents");
    assert_eq!(kind, "attributes");
    let rows: Vec<BasemapRow> = c
        .prepare("SELECT seq, name, source, opacity, visible, epsg, shift FROM rp_basemaps ORDER BY seq")
        .expect("the table exists")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))
        .expect("reads")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].1, "天地图 影像", "readable columns for a GIS user");
    assert!(rows[0].2.contains("tk={key}"), "the URL keeps its {{key}} placeholder: {}", rows[0].2);
    assert_eq!((rows[1].3, rows[1].4, rows[1].6.as_deref()), (0.45f32 as f64, false, Some("gcj02")));
    assert_eq!(rows[2].5, Some(4527));
    let version: String =
        c.query_row("SELECT value FROM rp_meta WHERE key = 'schema_version'", [], |r| r.get(0)).expect("version");
    assert_eq!(version, io::gpkg::SCHEMA_VERSION.to_string());
}

#[test]
fn a_plan_file_from_before_basemaps_opens_with_none() {
    let dir = tempfile::tempdir().expect("temp dir");
    let gpkg = dir.path().join("old.gpkg");
    io::gpkg::save(&jinsong_with_basemaps(), &gpkg).expect("saves");
    {
        // What a schema-4 file looks like: no basemap table, version 4.
        let c = rusqlite::Connection::open(&gpkg).expect("opens");
        c.execute_batch(
            "DROP TABLE rp_basemaps; DELETE FROM gpkg_contents WHERE table_name = 'rp_basemaps';
             UPDATE rp_meta SET value = '4' WHERE key = 'schema_version';",
        )
        .expect("made old");
    }
    let back = io::load_path(&gpkg).expect("an older plan file opens");
    assert!(back.warnings.is_empty(), "{:?}", back.warnings);
    assert!(back.plan.basemaps.is_empty());
    assert_eq!(back.plan.len(), Document::jinsong().plan().len());
}

#[test]
fn a_basemap_row_that_cannot_be_read_is_a_warning_and_the_rest_are_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let gpkg = dir.path().join("plan.gpkg");
    io::gpkg::save(&jinsong_with_basemaps(), &gpkg).expect("saves");
    {
        let c = rusqlite::Connection::open(&gpkg).expect("opens");
        c.execute("UPDATE rp_basemaps SET basemap = '{\"name\": 3}' WHERE seq = 1", []).expect("spoiled");
    }
    let back = io::load_path(&gpkg).expect("opens");
    assert_eq!(back.warnings.len(), 1, "{:?}", back.warnings);
    assert!(back.warnings[0].to_string().contains("rp_basemaps row 1"), "{}", back.warnings[0]);
    assert_eq!(back.plan.basemaps.len(), 2);
}

#[test]
fn a_geojson_basemap_entry_that_cannot_be_read_is_a_warning_naming_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("plan.geojson");
    std::fs::write(
        &path,
        r#"{"type": "FeatureCollection", "renewal_plan": {"format": "renewal-planner", "version": 1,
            "basemaps": [{"name": "ok", "source": "/tiles/劲松.mbtiles"}, {"name": "bad"}]},
           "features": [{"type": "Feature", "properties": {"building": "yes"},
             "geometry": {"type": "Point", "coordinates": [116.457, 39.887]}}]}"#,
    )
    .expect("writes");
    let back = io::load_path(&path).expect("opens");
    assert_eq!(back.plan.basemaps.len(), 1);
    assert_eq!(back.plan.basemaps[0].source, "/tiles/劲松.mbtiles");
    assert!(back.plan.basemaps[0].visible && back.plan.basemaps[0].opacity == 1.0, "defaults: shown, opaque");
    assert_eq!(back.warnings.len(), 1, "{:?}", back.warnings);
    assert!(back.warnings[0].to_string().contains("renewal_plan.basemaps[1]"), "{}", back.warnings[0]);
}
