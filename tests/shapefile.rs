//! Shapefiles in and out (issue 16): files GDAL writes (Gauss-Krüger and WGS 84, GBK with and
//! without a `.cpg`, UTF-8, zipped) read with the right counts, places and Chinese names; the
//! app's own shapefiles read by GDAL (`ogrinfo`) and by the app again; damaged files are one-line
//! errors, never a panic; every fuzz seed, cut and flipped, goes through the reader safely.

#[path = "common/tools.rs"]
mod tools;

use std::collections::BTreeMap;
use std::path::Path;

use geo::BoundingRect;
use renewal_planner::export::shapefile as shapefile_export;
use renewal_planner::export::{Request, What, Written};
use renewal_planner::io::crs::Crs;
use renewal_planner::io::{LoadError, Loaded, ReadOptions, load_path, shapefile};
use renewal_planner::model::{Lang, Plan};
use serde_json::Value;

/// Features of the generated city by geometry type: (count, bbox, names).
struct Truth {
    count: usize,
    bbox: [f64; 4],
    names: Vec<String>,
}

fn truth(geojson: &Path, types: &[&str]) -> Truth {
    let doc: Value = serde_json::from_slice(&std::fs::read(geojson).expect("the city")).expect("JSON");
    let mut t = Truth { count: 0, bbox: [f64::MAX, f64::MAX, f64::MIN, f64::MIN], names: Vec::new() };
    for f in doc["features"].as_array().expect("features") {
        if !types.contains(&f["geometry"]["type"].as_str().unwrap_or("")) {
            continue;
        }
        t.count += 1;
        t.names.push(f["properties"]["name"].as_str().unwrap_or("").to_string());
        let mut walk = vec![&f["geometry"]["coordinates"]];
        while let Some(v) = walk.pop() {
            match v.as_array() {
                Some(a) if a.first().is_some_and(Value::is_number) => {
                    let (x, y) = (a[0].as_f64().expect("x"), a[1].as_f64().expect("y"));
                    t.bbox = [t.bbox[0].min(x), t.bbox[1].min(y), t.bbox[2].max(x), t.bbox[3].max(y)];
                }
                Some(a) => walk.extend(a.iter()),
                None => {}
            }
        }
    }
    t.names.sort();
    t
}

fn bbox(plan: &Plan) -> [f64; 4] {
    let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    for (_, f) in plan.iter() {
        let r = f.geometry.bounding_rect().expect("a bounding box");
        b = [b[0].min(r.min().x), b[1].min(r.min().y), b[2].max(r.max().x), b[3].max(r.max().y)];
    }
    b
}

fn names(plan: &Plan, key: &str) -> Vec<String> {
    let mut n: Vec<String> =
        plan.iter().map(|(_, f)| f.properties.get_str(key).unwrap_or_default().to_string()).collect();
    n.sort();
    n
}

fn assert_close(a: [f64; 4], b: [f64; 4], tol: f64) {
    for i in 0..4 {
        assert!((a[i] - b[i]).abs() < tol, "bbox {a:?} vs {b:?} (tolerance {tol})");
    }
}

fn ogr2ogr(args: &[&str]) {
    tools::run("ogr2ogr", args);
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn polygons_only() -> [&'static str; 2] {
    ["-where", "OGR_GEOMETRY='POLYGON'"]
}

#[test]
fn shapefiles_from_gdal_read_with_their_counts_places_and_chinese_names() {
    if !tools::have("ogr2ogr", "reading shapefiles written by GDAL") {
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    let city = tools::gen_city(200, dir.path());
    let polys = truth(&city, &["Polygon"]);
    let lines = truth(&city, &["LineString"]);
    assert!(polys.count > 200 && lines.count > 5);

    // (a) Gauss-Krüger zone 39, GBK text with a .cpg.
    let gbk = dir.path().join("gbk");
    std::fs::create_dir(&gbk).expect("a folder");
    let shp = gbk.join("楼房.shp");
    let w = polygons_only();
    ogr2ogr(&["-f", "ESRI Shapefile", "-t_srs", "EPSG:4527", "-lco", "ENCODING=GBK", w[0], w[1], &s(&shp), &s(&city)]);
    assert_eq!(std::fs::read_to_string(gbk.join("楼房.cpg")).expect("a .cpg"), "GBK");
    let check = |l: &Loaded, what: &str| {
        assert_eq!(l.plan.len(), polys.count, "{what}");
        assert_close(bbox(&l.plan), polys.bbox, 2e-6);
        assert_eq!(names(&l.plan, "name"), polys.names, "{what}");
    };
    let l = load_path(&shp).expect("reads");
    assert_eq!(l.crs, Some(Crs::GaussKruger { epsg: 4527 }));
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);
    check(&l, "GBK with .cpg");
    // Opened by its .dbf or .shx, the same set is read.
    assert_eq!(load_path(&gbk.join("楼房.dbf")).expect("reads").plan.len(), polys.count);
    // Kinds come from the `kind` column; numbers stay numbers.
    let (_, b) = l.plan.iter().find(|(_, f)| f.properties.get_str("kind") == Some("building")).expect("a building");
    assert_eq!(b.kind, renewal_planner::model::Kind::Building);
    assert!(b.properties.get_f64("floors").is_some_and(|f| f >= 1.0));

    // (b) The .cpg deleted: GBK told from the bytes (GDAL writes language id 0).
    std::fs::remove_file(gbk.join("楼房.cpg")).expect("removed");
    check(&load_path(&shp).expect("reads"), "GBK without .cpg");

    // (c) UTF-8 with a .cpg: the streets.
    let utf8 = dir.path().join("streets.shp");
    ogr2ogr(&[
        "-f",
        "ESRI Shapefile",
        "-lco",
        "ENCODING=UTF-8",
        "-where",
        "OGR_GEOMETRY='LINESTRING'",
        &s(&utf8),
        &s(&city),
    ]);
    let l = load_path(&utf8).expect("reads");
    assert_eq!(l.crs, Some(Crs::Wgs84));
    assert_eq!(l.plan.len(), lines.count);
    assert_eq!(names(&l.plan, "name"), lines.names);
    assert_close(bbox(&l.plan), lines.bbox, 1e-9);

    // (d) Zipped: two sets, each feature with its layer's name.
    let zip_path = dir.path().join("city.zip");
    {
        use std::io::Write;
        let mut z = zip::ZipWriter::new(std::fs::File::create(&zip_path).expect("the zip"));
        let opts = zip::write::SimpleFileOptions::default();
        for p in [gbk.join("楼房.shp"), gbk.join("楼房.shx"), gbk.join("楼房.dbf"), gbk.join("楼房.prj")] {
            z.start_file(format!("data/{}", p.file_name().expect("a name").to_string_lossy()), opts).expect("a member");
            z.write_all(&std::fs::read(&p).expect("the file")).expect("written");
        }
        for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
            z.start_file(format!("streets.{ext}"), opts).expect("a member");
            z.write_all(&std::fs::read(utf8.with_extension(ext)).expect("the file")).expect("written");
        }
        z.finish().expect("finished");
    }
    let l = load_path(&zip_path).expect("reads");
    assert_eq!(l.plan.len(), polys.count + lines.count);
    let layers: BTreeMap<String, usize> = l.plan.iter().fold(BTreeMap::new(), |mut m, (_, f)| {
        *m.entry(f.properties.get_str("layer").unwrap_or("?").to_string()).or_default() += 1;
        m
    });
    assert_eq!(layers, BTreeMap::from([("streets".to_string(), lines.count), ("楼房".to_string(), polys.count)]));
    // Two systems in one zip: each brought to WGS 84 on its own.
    assert_close(
        bbox(&l.plan),
        [
            polys.bbox[0].min(lines.bbox[0]),
            polys.bbox[1].min(lines.bbox[1]),
            polys.bbox[2].max(lines.bbox[2]),
            polys.bbox[3].max(lines.bbox[3]),
        ],
        2e-6,
    );

    // (e) WGS 84 polygons.
    let wgs = dir.path().join("wgs.shp");
    ogr2ogr(&[
        "-f",
        "ESRI Shapefile",
        "-t_srs",
        "EPSG:4326",
        "-lco",
        "ENCODING=UTF-8",
        w[0],
        w[1],
        &s(&wgs),
        &s(&city),
    ]);
    let l = load_path(&wgs).expect("reads");
    assert_eq!(l.crs, Some(Crs::Wgs84));
    check(&l, "WGS 84");

    // A system the app does not know: one warning naming it, read by its numbers (GK zone prefix).
    std::fs::write(
        gbk.join("楼房.prj"),
        r#"PROJCS["Xian_1980_3_Degree_GK_Zone_39",GEOGCS["GCS_Xian_1980",DATUM["D_Xian_1980",SPHEROID["Xian_1980",6378140.0,298.257]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",39500000.0],UNIT["Meter",1.0]]"#,
    )
    .expect("written");
    let l = load_path(&shp).expect("reads");
    let w: Vec<String> = l.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        w.iter().any(|w| w.contains(
            "coordinate system 'Xian_1980_3_Degree_GK_Zone_39' is not one the app knows; read by its numbers"
        )),
        "{w:?}"
    );
    assert_eq!(l.crs, Some(Crs::GaussKruger { epsg: 4527 }), "guessed from the zone prefix");
    assert_eq!(l.plan.len(), polys.count);
}

/// A `.shp` and `.shx` of points.
fn point_set(points: &[(f64, f64)]) -> (Vec<u8>, Vec<u8>) {
    let (mut shp, mut shx) = (Vec::new(), Vec::new());
    {
        let mut w = ::shapefile::ShapeWriter::with_shx(std::io::Cursor::new(&mut shp), std::io::Cursor::new(&mut shx));
        for &(x, y) in points {
            w.write_shape(&::shapefile::Point::new(x, y)).expect("a point");
        }
        w.finalize().expect("finished");
    }
    (shp, shx)
}

fn zip_of(members: &[(String, Vec<u8>)]) -> Vec<u8> {
    use std::io::Write;
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in members {
        z.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).expect("a member");
        z.write_all(bytes).expect("written");
    }
    z.finish().expect("finished").into_inner()
}

#[test]
fn a_zip_of_sets_in_different_systems_lands_every_set_where_it_lies() {
    // Around Jinsong (116.46E, 39.88N): the same three places in three sets.
    let places = [(116.458, 39.878), (116.462, 39.881), (116.466, 39.884)];
    let gk = Crs::GaussKruger { epsg: 4527 };
    let metres: Vec<(f64, f64)> = places.iter().map(|&(x, y)| gk.from_wgs84(x, y).expect("in zone 39")).collect();
    assert!(metres.iter().all(|(x, _)| (39.4e6..39.5e6).contains(x)), "zone-prefixed eastings: {metres:?}");
    let mut members = Vec::new();
    for (name, pts, prj) in [
        ("gk", &metres, shapefile_export::wkt(gk)),
        ("wgs", &places.to_vec(), shapefile_export::wkt(Crs::Wgs84)),
        ("noprj", &metres, None),
    ] {
        let (shp, shx) = point_set(pts);
        members.push((format!("{name}.shp"), shp));
        members.push((format!("{name}.shx"), shx));
        if let Some(p) = prj {
            members.push((format!("{name}.prj"), p.into_bytes()));
        }
    }
    let bytes = zip_of(&members);
    // With nothing chosen, and with Gauss-Krüger zone 39 chosen (it applies to the set without a .prj only).
    for chosen in [None, Some(gk)] {
        let l = shapefile::load_bytes(&bytes, &ReadOptions { crs: chosen, ..Default::default() }).expect("reads");
        assert_eq!(l.plan.len(), 9, "{chosen:?}: every feature kept: {:?}", l.warnings);
        for (_, f) in l.plan.iter() {
            let geo::Geometry::Point(p) = &f.geometry else { panic!("a point: {:?}", f.geometry) };
            let near = places.iter().any(|&(x, y)| (p.x() - x).abs() < 1e-6 && (p.y() - y).abs() < 1e-6);
            assert!(near, "{chosen:?}: layer {:?} at {p:?}", f.properties.get_str("layer"));
        }
        let mut layers: Vec<String> = names(&l.plan, "layer");
        layers.dedup();
        assert_eq!(layers, ["gk", "noprj", "wgs"]);
        assert_eq!(l.crs, Some(Crs::Wgs84), "mixed systems");
    }
    // Every set in zone 39 (one named, one not): the plan says so.
    let only_gk: Vec<(String, Vec<u8>)> = members.iter().filter(|(n, _)| !n.starts_with("wgs")).cloned().collect();
    let l = shapefile::load_bytes(&zip_of(&only_gk), &ReadOptions::default()).expect("reads");
    assert_eq!((l.plan.len(), l.crs), (6, Some(gk)));
}

#[test]
fn sets_of_the_same_name_in_different_folders_of_a_zip_are_told_apart() {
    let mut members = Vec::new();
    for (folder, x) in [("2019", 116.46), ("2020", 116.47), ("other", 116.48)] {
        let (shp, shx) = point_set(&[(x, 39.88)]);
        let name = if folder == "other" { "other/道路" } else { &*format!("{folder}/楼栋") };
        members.push((format!("{name}.shp"), shp));
        members.push((format!("{name}.shx"), shx));
    }
    let l = shapefile::load_bytes(&zip_of(&members), &ReadOptions::default()).expect("reads");
    // The folders stay where they tell two sets apart, and only there.
    assert_eq!(names(&l.plan, "layer"), ["2019/楼栋", "2020/楼栋", "道路"]);
}

#[test]
fn progress_runs_through_the_file_opened_in_its_own_bytes() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let points: Vec<(f64, f64)> = (0..5000).map(|i| (116.45 + f64::from(i) * 1e-6, 39.88)).collect();
    let (shp, shx) = point_set(&points);
    let path = dir.path().join("pts.shp");
    std::fs::write(&path, &shp).expect("written");
    std::fs::write(path.with_extension("shx"), &shx).expect("written");
    let len = shp.len() as u64;
    let seen = std::cell::RefCell::new(Vec::new());
    let progress = |done: u64| {
        seen.borrow_mut().push(done);
        true
    };
    let opts = ReadOptions { progress: Some(&progress), ..Default::default() };
    assert_eq!(shapefile::load(&path, &opts).expect("reads").plan.len(), 5000);
    let seen = seen.into_inner();
    // One report every 1024 records: 0, then about a fifth of the file each, never full before the end.
    assert!(seen.len() >= 5, "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "rising: {seen:?}");
    assert!(seen.iter().all(|d| *d < len), "within the {len} bytes: {seen:?}");
    let last = *seen.last().expect("a report") as f64 / len as f64;
    assert!((0.7..0.9).contains(&last), "record 4097 of 5000 is about 82% in: {last}");
}

#[test]
fn a_big_file_of_the_same_name_beside_a_shapefile_is_not_counted_as_read() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (shp, shx) = point_set(&[(116.46, 39.88)]);
    let path = dir.path().join("site.shp");
    std::fs::write(&path, &shp).expect("written");
    std::fs::write(path.with_extension("shx"), &shx).expect("written");
    // A 1 TB (sparse) image of the site: more than any machine's memory, and never read.
    let tif = std::fs::File::create(path.with_extension("tif")).expect("created");
    if tif.set_len(1 << 40).is_err() {
        eprintln!("skipped: this file system cannot hold a sparse 1 TB file");
        return;
    }
    assert_eq!(shapefile::load(&path, &ReadOptions::default()).expect("reads").plan.len(), 1);
}

#[test]
fn gdal_reads_our_prj_for_utm_and_gauss_kruger_cm_as_the_system_we_project_in() {
    if !tools::have("ogr2ogr", "our .prj read by GDAL") {
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    let jinsong = (116.46, 39.88);
    for (code, cm) in [(32650, "117"), (4548, "117")] {
        let crs = Crs::from_epsg(code).expect("known");
        let (x, y) = crs.from_wgs84(jinsong.0, jinsong.1).expect("in the system");
        // A point 0.54 degrees west of 117E: about 46 km west of the false easting of 500 km.
        assert!((450_000.0..460_000.0).contains(&x), "EPSG:{code}: {x}");
        let (shp, shx) = point_set(&[(x, y)]);
        let path = dir.path().join(format!("p{code}.shp"));
        std::fs::write(&path, &shp).expect("written");
        std::fs::write(path.with_extension("shx"), &shx).expect("written");
        std::fs::write(path.with_extension("prj"), shapefile_export::wkt(crs).expect("a .prj")).expect("written");
        let text = tools::run("ogrinfo", &["-al", "-so", &s(&path)]);
        let lower = text.to_ascii_lowercase();
        assert!(lower.contains("transverse_mercator") || lower.contains("transverse mercator"), "{text}");
        assert!(lower.contains(&format!("longitude of natural origin\",{cm},")), "EPSG:{code}: {text}");
        // GDAL tells the system by its parameters: the one of the code.
        assert!(text.contains(&format!("ID[\"EPSG\",{code}]]")), "EPSG:{code}: {text}");
        // GDAL brings the point back to longitude/latitude from our .prj: where our transform took it from.
        let out = dir.path().join(format!("p{code}.geojson"));
        ogr2ogr(&["-f", "GeoJSON", "-t_srs", "EPSG:4326", &s(&out), &s(&path)]);
        let doc: Value = serde_json::from_slice(&std::fs::read(&out).expect("GeoJSON")).expect("JSON");
        let c = &doc["features"][0]["geometry"]["coordinates"];
        let (lon, lat) = (c[0].as_f64().expect("lon"), c[1].as_f64().expect("lat"));
        assert!((lon - jinsong.0).abs() < 1e-7 && (lat - jinsong.1).abs() < 1e-7, "EPSG:{code}: {lon}, {lat}");
    }
}

fn export(plan: &Plan, out: &Path, crs: Option<Crs>) -> Written {
    let req = Request {
        what: What::Shapefile { crs },
        phase: None,
        theme: renewal_planner::render::theme::ThemeMode::Kind,
        matter: None,
        lang: Lang::Zh,
        date: "2026-03-04".into(),
        out: out.to_path_buf(),
        basemaps: None,
        settings: Default::default(),
    };
    renewal_planner::export::run(plan, &req).expect("written")
}

/// `ogrinfo -al -so`'s feature count, fields and extent of a file.
fn summary(path: &Path) -> (usize, Vec<String>, [f64; 4]) {
    let text = tools::run("ogrinfo", &["-al", "-so", &s(path)]);
    let count = text
        .lines()
        .find_map(|l| l.strip_prefix("Feature Count: "))
        .and_then(|n| n.trim().parse().ok())
        .expect("a feature count");
    let fields = text
        .lines()
        .filter_map(|l| l.split_once(": ").filter(|(_, t)| t.contains('(')).map(|(n, _)| n.to_string()))
        .filter(|n| !n.contains(' '))
        .collect();
    let ext = text.lines().find_map(|l| l.strip_prefix("Extent: ")).expect("an extent");
    let nums: Vec<f64> = ext
        .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .filter(|t| !t.is_empty() && *t != "-")
        .map(|t| t.parse().expect("a number"))
        .collect();
    (count, fields, [nums[0], nums[1], nums[2], nums[3]])
}

#[test]
fn the_apps_shapefiles_read_in_gdal_and_back_in_the_app() {
    if !tools::have("ogrinfo", "the app's shapefiles read by GDAL") {
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    let jinsong = renewal_planner::io::load_jinsong().plan;
    let city = load_path(&tools::gen_city(200, dir.path())).expect("the city").plan;
    for (name, plan) in [("jinsong", &jinsong), ("city", &city)] {
        // WGS 84: one set per geometry type.
        let out = dir.path().join(format!("{name}.shp"));
        let Written::Shapefile { features, sets } = export(plan, &out, None) else { panic!("shapefiles") };
        let mut sets_seen = 0;
        let mut total = 0;
        for group in ["polygons", "lines", "points"] {
            let shp = dir.path().join(format!("{name}_{group}.shp"));
            if !shp.exists() {
                continue;
            }
            sets_seen += 1;
            for ext in ["shx", "dbf", "prj", "cpg"] {
                assert!(shp.with_extension(ext).exists(), "{} has its .{ext}", shp.display());
            }
            assert_eq!(std::fs::read_to_string(shp.with_extension("cpg")).expect("cpg"), "UTF-8");
            let (count, fields, ext) = summary(&shp);
            total += count;
            assert!(fields.iter().any(|f| f == "feat_key") && fields.iter().any(|f| f == "kind"), "{fields:?}");
            assert!(fields.iter().all(|f| f.len() <= 10), "{fields:?}");
            assert!((116.0..117.0).contains(&ext[0]) && (39.0..40.0).contains(&ext[1]), "{ext:?}");
            // Read back by the app: the same features, names and places.
            let back = load_path(&shp).expect("reads back");
            assert_eq!(back.plan.len(), count);
            assert_eq!(back.crs, Some(Crs::Wgs84));
            assert!(back.warnings.is_empty(), "{:?}", back.warnings);
            let key = if name == "jinsong" { "name_zh" } else { "name" };
            // The full column names come back from the _fields.csv.
            for (_, f) in back.plan.iter() {
                let k = f.properties.get_str("feature_key").expect("feature_key restored");
                let (id, orig) = plan.iter().find(|(id, _)| plan.key(*id).as_deref() == Some(k)).expect("the feature");
                let _ = id;
                // A feature changed by the renewal is written as it is after; the others as they are.
                if orig.change.is_none() {
                    assert_eq!(f.properties.get_str(key), orig.properties.get_str(key));
                    let (a, b) =
                        (f.geometry.bounding_rect().expect("bbox"), orig.geometry.bounding_rect().expect("bbox"));
                    assert_close(
                        [a.min().x, a.min().y, a.max().x, a.max().y],
                        [b.min().x, b.min().y, b.max().x, b.max().y],
                        1e-6,
                    );
                }
            }
        }
        assert_eq!((sets_seen, total), (sets, features), "{name}");
        let fields = std::fs::read_to_string(dir.path().join(format!("{name}_fields.csv"))).expect("fields.csv");
        assert!(fields.contains("feat_key,feature_key,text"), "{fields}");
        // A Chinese name as GDAL reads it.
        let all = tools::run("ogrinfo", &["-al", &s(&dir.path().join(format!("{name}_polygons.shp")))]);
        let sample = if name == "jinsong" { "劲松" } else { "号楼" };
        assert!(all.contains(sample), "GDAL reads the Chinese names");

        // Gauss-Krüger zone 39: the .prj GDAL knows, eastings with the zone prefix.
        let gk = dir.path().join(format!("{name}_gk.shp"));
        export(plan, &gk, Some(Crs::GaussKruger { epsg: 4527 }));
        let poly = dir.path().join(format!("{name}_gk_polygons.shp"));
        let (_, _, ext) = summary(&poly);
        assert!((39.4e6..39.5e6).contains(&ext[0]) && (39.4e6..39.5e6).contains(&ext[2]), "{ext:?}");
        let text = tools::run("ogrinfo", &["-al", "-so", &s(&poly)]);
        assert!(text.contains("CGCS2000 / 3-degree Gauss-Kruger zone 39") || text.contains("EPSG\",4527"), "{text}");
        let back = load_path(&poly).expect("reads back");
        assert_eq!(back.crs, Some(Crs::GaussKruger { epsg: 4527 }));
        let wgs = load_path(&dir.path().join(format!("{name}_polygons.shp"))).expect("reads");
        assert_close(bbox(&back.plan), bbox(&wgs.plan), 1e-6);
    }
}

#[test]
fn a_zip_export_holds_every_file_and_reads_back() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let plan = renewal_planner::io::load_jinsong().plan;
    let out = dir.path().join("劲松.zip");
    let req = Request {
        what: What::Shapefile { crs: Some(Crs::Utm { zone: 50, north: true }) },
        phase: None,
        theme: renewal_planner::render::theme::ThemeMode::Kind,
        matter: None,
        lang: Lang::Zh,
        date: String::new(),
        out: out.clone(),
        basemaps: None,
        settings: Default::default(),
    };
    let Written::Shapefile { features, sets } = renewal_planner::export::run(&plan, &req).expect("written") else {
        panic!("shapefiles")
    };
    assert_eq!(sets, 3);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("listed")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["劲松.zip".to_string()], "only the zip, no temporary files");
    let z = zip::ZipArchive::new(std::fs::File::open(&out).expect("the zip")).expect("a zip");
    let mut members: Vec<String> = z.file_names().map(|n| n.expect("a name").into_owned()).collect();
    members.sort();
    assert_eq!(members.len(), 3 * 5 + 1, "{members:?}");
    let has = |n: &str| members.iter().any(|m| m == n);
    assert!(has("劲松_polygons.prj") && has("劲松_fields.csv"), "{members:?}");
    let back = load_path(&out).expect("reads back");
    assert_eq!(back.crs, Some(Crs::Utm { zone: 50, north: true }));
    assert_eq!(back.plan.len(), features);
    // Three layers, each feature told by its layer.
    assert!(back.plan.iter().all(|(_, f)| f.properties.get_str("layer").is_some_and(|l| l.starts_with("劲松_"))));
    let area = |p: &Plan| p.iter().filter_map(|(_, f)| f.properties.get_f64("floor_area_m2")).sum::<f64>();
    assert!(area(&back.plan) > 0.0, "floor_area_m2 restored from the fields file");
}

fn refuse(path: &Path) -> LoadError {
    match load_path(path) {
        Ok(l) => panic!("{} loaded {} features", path.display(), l.plan.len()),
        Err(e) => e,
    }
}

fn one_line(e: &LoadError) -> String {
    let m = e.to_string();
    assert!(!m.contains('\n') && !m.is_empty(), "{m:?}");
    m
}

fn seeds() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/shapefile");
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("the seeds")
        .flatten()
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).expect("a seed")))
        .collect();
    v.sort();
    assert!(v.len() >= 6, "{v:?}");
    v
}

#[test]
fn damaged_files_are_one_line_errors_or_partial_reads_with_a_warning() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let seeds = seeds();
    let zip = &seeds.iter().find(|(n, _)| n == "set_gk39_gbk.zip").expect("the zipped set").1;
    let l = shapefile::load_bytes(zip, &ReadOptions::default()).expect("the seed reads");
    assert_eq!(l.plan.len(), 2);
    assert_eq!(l.crs, Some(Crs::GaussKruger { epsg: 4527 }));
    assert_eq!(names(&l.plan, "name"), vec!["1号楼".to_string(), "花园".to_string()]);
    let two = &seeds.iter().find(|(n, _)| n == "two_layers.zip").expect("two layers").1;
    let l = shapefile::load_bytes(two, &ReadOptions::default()).expect("reads");
    assert_eq!(l.plan.len(), 4);
    let (_, gate) = l.plan.iter().find(|(_, f)| f.properties.get_str("name") == Some("南门")).expect("the gate");
    assert_eq!(gate.properties.get_str("built"), Some("2019-05-01"), "a date as YYYY-MM-DD");

    // Unzip the set to damage its files one by one.
    let set = dir.path().join("set");
    std::fs::create_dir(&set).expect("a folder");
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip.clone())).expect("a zip");
    z.extract(&set).expect("extracted");
    let shp = set.join("polygon_gk39.shp");
    let whole = std::fs::read(&shp).expect("the shp");

    // The header cut: one line naming the file.
    std::fs::write(&shp, &whole[..50]).expect("written");
    let m = one_line(&refuse(&shp));
    assert!(m.starts_with("polygon_gk39.shp: is 50 bytes"), "{m}");
    // Cut in the second record: the first is read, a warning says the rest is missing.
    std::fs::write(&shp, &whole[..whole.len() - 40]).expect("written");
    let l = load_path(&shp).expect("the whole records read");
    assert_eq!(l.plan.len(), 1);
    assert!(l.warnings.iter().any(|w| w.to_string().contains("cut short")), "{:?}", l.warnings);
    std::fs::write(&shp, &whole).expect("restored");

    // A .dbf of garbage: one line naming it.
    std::fs::write(set.join("polygon_gk39.dbf"), b"this is not a dBASE table, just words").expect("written");
    let m = one_line(&refuse(&shp));
    assert!(m.starts_with("polygon_gk39.dbf: "), "{m}");
    // No .dbf at all: the shapes without attributes, and a warning.
    std::fs::remove_file(set.join("polygon_gk39.dbf")).expect("removed");
    let l = load_path(&shp).expect("reads");
    assert_eq!(l.plan.len(), 2);
    assert!(l.warnings.iter().any(|w| w.to_string().contains("without their attributes")), "{:?}", l.warnings);
    // No .shx: read in order.
    std::fs::remove_file(set.join("polygon_gk39.shx")).expect("removed");
    assert_eq!(load_path(&shp).expect("reads").plan.len(), 2);
    // Only a .dbf: the .shp is missing.
    let lone = dir.path().join("lone.dbf");
    std::fs::write(&lone, b"x").expect("written");
    let m = one_line(&refuse(&lone));
    assert!(m.contains("lone.shp: is missing"), "{m}");

    // An empty zip, and one without a shapefile.
    let empty = dir.path().join("empty.zip");
    zip::ZipWriter::new(std::fs::File::create(&empty).expect("a zip")).finish().expect("finished");
    let m = one_line(&refuse(&empty));
    assert!(m.ends_with("holds no shapefile (.shp)"), "{m}");
    let other = dir.path().join("other.zip");
    {
        use std::io::Write;
        let mut z = zip::ZipWriter::new(std::fs::File::create(&other).expect("a zip"));
        z.start_file("readme.txt", zip::write::SimpleFileOptions::default()).expect("a member");
        z.write_all(b"no shapes here").expect("written");
        z.finish().expect("finished");
    }
    let m = one_line(&refuse(&other));
    assert!(m.ends_with("holds no shapefile (.shp)"), "{m}");
    // Not a zip at all, by its extension.
    let bad = dir.path().join("bad.zip");
    std::fs::write(&bad, b"PK but nothing more").expect("written");
    one_line(&refuse(&bad));
}

/// The fuzz target's logic over every seed, cut at every 16th byte and with random bytes flipped
/// (a fixed seed): a result or a one-line error, never a panic.
#[test]
fn every_seed_cut_and_flipped_reads_or_fails_in_one_line() {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
    // Inputs the fuzzer found, replayed whole (`fuzz/regressions/shapefile`).
    let found = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/shapefile");
    for e in std::fs::read_dir(&found).expect("the regression inputs").flatten() {
        inputs.push((e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).expect("an input")));
    }
    for (name, bytes) in seeds() {
        for cut in (0..bytes.len()).step_by(16) {
            inputs.push((format!("{name} cut at {cut}"), bytes[..cut].to_vec()));
        }
        for round in 0..200 {
            let mut b = bytes.clone();
            for _ in 0..1 + next() % 8 {
                let at = (next() % b.len() as u64) as usize;
                b[at] = match next() % 4 {
                    0 => 0xFF,
                    1 => 0x00,
                    2 => 0x7F,
                    _ => next() as u8,
                };
            }
            inputs.push((format!("{name} flipped, round {round}"), b));
        }
        inputs.push((name, bytes));
    }
    let (mut ok, mut failed) = (0, 0);
    for (what, bytes) in &inputs {
        let result = std::panic::catch_unwind(|| shapefile::load_bytes(bytes, &ReadOptions::default()));
        match result {
            Ok(Ok(_)) => ok += 1,
            Ok(Err(e)) => {
                let m = e.to_string();
                assert!(!m.contains('\n') && !m.is_empty(), "{what}: {m:?}");
                // The reader's last resort (a panic caught) must never be what answers.
                assert!(!m.contains("failed unexpectedly"), "{what}: a panic was caught: {m}");
                failed += 1;
            }
            Err(_) => panic!("{what}: the reader panicked"),
        }
    }
    assert!(ok > 0 && failed > 0, "{ok} read, {failed} refused");
}

fn rp(args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_renewal-planner")).args(args).output().expect("runs");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr))
}

#[test]
fn the_command_line_writes_shapefiles_zips_and_projected_geojson() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let shp = dir.path().join("js.shp");
    let (ok, text) = rp(&["export", "jinsong", "-o", &s(&shp), "--to-crs", "EPSG:4527", "--at", "2020-06-01"]);
    assert!(ok, "{text}");
    assert!(text.contains("features in 3 shapefiles, EPSG:4527"), "{text}");
    let (ok, text) = rp(&["info", &s(&dir.path().join("js_polygons.shp"))]);
    assert!(ok && text.contains("EPSG:4527"), "{text}");
    let zip = dir.path().join("js.zip");
    let (ok, text) = rp(&["export", "jinsong", "-o", &s(&zip), "--phase", "before", "--to-crs", "utm50n"]);
    assert!(!ok && text.contains("--to-crs") && text.contains("not a supported coordinate system"), "{text}");
    let (ok, text) = rp(&["export", "jinsong", "-o", &s(&zip), "--phase", "before", "--to-crs", "EPSG:32650"]);
    assert!(ok, "{text}");
    let (ok, text) = rp(&["info", &s(&zip)]);
    assert!(ok && text.contains("EPSG:32650"), "{text}");
    let (ok, text) = rp(&["export", "jinsong", "-o", &s(&dir.path().join("x.dwg"))]);
    assert!(!ok && text.contains(".shp, .zip (zipped shapefiles)"), "{text}");

    // GeoJSON in a projected system names it, so GDAL and the app place it right.
    let gis = dir.path().join("gis.geojson");
    let (ok, text) = rp(&["export", "jinsong", "-o", &s(&gis), "--phase", "after", "--to-crs", "EPSG:4527"]);
    assert!(ok, "{text}");
    let body = std::fs::read_to_string(&gis).expect("the GeoJSON");
    assert!(body.starts_with(
        r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4527"}}"#
    ));
    let plan_gk = dir.path().join("plan.geojson");
    let (ok, text) = rp(&["export", "jinsong", "-o", &s(&plan_gk), "--to-crs", "EPSG:4548"]);
    assert!(ok && text.contains("EPSG:4548"), "{text}");
    let back = load_path(&plan_gk).expect("reads back");
    assert_eq!(back.crs, Some(Crs::GaussKruger { epsg: 4548 }));
    let orig = renewal_planner::io::load_jinsong().plan;
    assert_close(bbox(&back.plan), bbox(&orig), 1e-6);
    // A plan saved again in WGS 84 does not keep the crs member it was read with.
    let again = dir.path().join("again.geojson");
    renewal_planner::io::save_geojson(&back.plan, &again).expect("saved");
    assert!(!std::fs::read_to_string(&again).expect("text").contains("urn:ogc:def:crs"));
    if tools::have("ogrinfo", "projected GeoJSON read by GDAL") {
        let (_, _, ext) = summary(&gis);
        assert!((39.4e6..39.5e6).contains(&ext[0]), "{ext:?}");
        let (_, _, ext) = summary(&plan_gk);
        assert!((4e5..6e5).contains(&ext[0]), "{ext:?}");
    }
}
