//! DXF in and out (issue 16), against GDAL: a generated city written as a
//! drawing by `ogr2ogr` (layers 建筑/道路/绿地, building names as MTEXT,
//! polygons as HATCH, Gauss-Krüger zone 39 metres) opens with the right kinds,
//! names and place; the same city written by us (R2010) reads in `ogrinfo`
//! with its Chinese names and reads back in the app; a binary DXF reads as
//! the ASCII one; DWG, damaged and cut-off drawings are one-line errors.

#[path = "common/tools.rs"]
mod tools;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use geo::{BoundingRect, InteriorPoint};
use renewal_planner::io::{self, LoadError, ReadOptions};
use renewal_planner::model::{Kind, Lang, Plan};
use serde_json::{Value, json};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_renewal-planner"))
}

/// The city as GeoJSON with GDAL's `Layer` field per kind and one label point
/// (MTEXT in the drawing, at the building's interior point) per building.
fn layered(city: &Path, dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(city).expect("the city");
    let v: Value = serde_json::from_str(&text).expect("JSON");
    let plan = io::load_path(city).expect("the city loads").plan;
    let mut out = Vec::new();
    for (f, (_, pf)) in v["features"].as_array().expect("features").iter().zip(plan.iter()) {
        let kind = f["properties"]["kind"].as_str().unwrap_or_default();
        let layer = match kind {
            "building" => "建筑",
            "street" => "道路",
            _ => "绿地",
        };
        out.push(json!({"type": "Feature", "properties": {"Layer": layer}, "geometry": f["geometry"]}));
        if kind == "building" {
            let name = f["properties"]["name"].as_str().expect("a name");
            let at = pf.geometry.interior_point().expect("a point");
            out.push(json!({"type": "Feature",
                "properties": {"Layer": "建筑注记", "OGR_STYLE": format!("LABEL(f:\"SimSun\",t:\"{name}\",s:2.5g)")},
                "geometry": {"type": "Point", "coordinates": [at.x(), at.y()]}}));
        }
    }
    let path = dir.join("layered.geojson");
    std::fs::write(&path, json!({"type": "FeatureCollection", "features": out}).to_string()).expect("written");
    path
}

/// The generated city (30 buildings, 7 streets, a garden with two ponds) drawn by GDAL in EPSG:4527.
fn gdal_drawing(dir: &Path) -> (Plan, PathBuf) {
    let city = tools::gen_city(30, dir);
    let source = io::load_path(&city).expect("the city loads").plan;
    let layered = layered(&city, dir);
    let dxf = dir.join("city.dxf");
    tools::run("ogr2ogr", &["-f", "DXF", &dxf.to_string_lossy(), &layered.to_string_lossy(), "-t_srs", "EPSG:4527"]);
    (source, dxf)
}

fn counts(plan: &Plan) -> BTreeMap<Kind, usize> {
    let mut m = BTreeMap::new();
    for (_, f) in plan.iter() {
        *m.entry(f.kind).or_default() += 1;
    }
    m
}

fn names(plan: &Plan, kind: Kind) -> Vec<String> {
    let mut v: Vec<String> =
        plan.iter().filter(|(_, f)| f.kind == kind).filter_map(|(_, f)| f.name(Lang::Zh).map(str::to_string)).collect();
    v.sort();
    v
}

fn bbox(plan: &Plan) -> [f64; 4] {
    let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    for (_, f) in plan.iter() {
        let r = f.geometry.bounding_rect().expect("a box");
        b = [b[0].min(r.min().x), b[1].min(r.min().y), b[2].max(r.max().x), b[3].max(r.max().y)];
    }
    b
}

#[test]
fn a_city_drawn_by_gdal_opens_with_its_kinds_names_holes_and_place() {
    if !tools::have("ogr2ogr", "reading a GDAL DXF") {
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (source, dxf) = gdal_drawing(dir.path());
    let layers = io::dxf::layers(&dxf).expect("layers");
    let listed: Vec<(&str, usize, Option<Kind>)> =
        layers.iter().map(|l| (l.name.as_str(), l.entities, l.guess)).collect();
    assert_eq!(
        listed,
        vec![
            ("建筑", 30, Some(Kind::Building)),
            ("建筑注记", 30, None),
            ("绿地", 1, Some(Kind::Garden)),
            ("道路", 7, Some(Kind::Street))
        ]
    );
    let loaded = io::load_path(&dxf).expect("the drawing opens");
    assert_eq!(loaded.crs, Some(renewal_planner::io::crs::Crs::GaussKruger { epsg: 4527 }));
    assert_eq!(counts(&loaded.plan), counts(&source));
    assert_eq!(counts(&loaded.plan)[&Kind::Building], 30);
    // Every building is named by the text inside it, in Chinese.
    assert_eq!(names(&loaded.plan, Kind::Building), names(&source, Kind::Building));
    assert!(
        names(&loaded.plan, Kind::Building).iter().all(|n| n.contains('楼')),
        "{:?}",
        names(&loaded.plan, Kind::Building)
    );
    let (a, b) = (bbox(&loaded.plan), bbox(&source));
    for i in 0..4 {
        assert!((a[i] - b[i]).abs() < 2e-6, "bbox {a:?} vs {b:?}");
    }
    // The garden's HATCH keeps its two ponds as holes.
    let garden = loaded.plan.iter().find(|(_, f)| f.kind == Kind::Garden).expect("the garden").1;
    let geo::Geometry::Polygon(p) = &garden.geometry else { panic!("{:?}", garden.geometry) };
    assert_eq!(p.interiors().len(), 2);
    assert_eq!(garden.properties.get("entity"), Some(Value::String("HATCH".into())));
    // The planner's mapping: streets left out, the garden as other.
    let map = BTreeMap::from([("道路".to_string(), None), ("绿地".to_string(), Some(Kind::Other))]);
    let chosen = io::load_path_with(&dxf, &ReadOptions { layers: Some(&map), ..Default::default() }).expect("opens");
    let c = counts(&chosen.plan);
    assert_eq!((c.get(&Kind::Street), c.get(&Kind::Other), c.get(&Kind::Building)), (None, Some(&1), Some(&30)));
}

#[test]
fn our_drawing_reads_in_gdal_with_chinese_names_in_zone_39_metres_and_back_in_the_app() {
    if !tools::have("ogrinfo", "our DXF in GDAL") {
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    let city = tools::gen_city(30, dir.path());
    let source = io::load_path(&city).expect("the city").plan;
    let out = dir.path().join("out.dxf");
    let o = bin()
        .args(["export", &city.to_string_lossy(), "-o", &out.to_string_lossy(), "--to-crs", "EPSG:4527"])
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8_lossy(&o.stdout), format!("wrote {} (38 features in EPSG:4527)\n", out.display()));
    // Entities: one closed polyline per ring, one per street, one TEXT per named feature.
    let rings: usize = source
        .iter()
        .map(|(_, f)| match &f.geometry {
            geo::Geometry::Polygon(p) => 1 + p.interiors().len(),
            _ => 1,
        })
        .sum();
    let named = source.iter().filter(|(_, f)| f.name(Lang::Zh).is_some()).count();
    // GDAL 3.6 decodes by $DWGCODEPAGE only, not by the R2007+ rule that text is UTF-8.
    let utf8 = ["--config", "DXF_ENCODING", "UTF-8"];
    let summary = tools::run("ogrinfo", &[&utf8[..], &["-al", "-so", &out.to_string_lossy()]].concat());
    assert!(summary.contains(&format!("Feature Count: {}", rings + named)), "{summary}");
    let extent = summary.lines().find(|l| l.starts_with("Extent:")).expect("an extent");
    let numbers: Vec<f64> =
        extent.split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-')).filter_map(|s| s.parse().ok()).collect();
    assert_eq!(numbers.len(), 4, "{extent}");
    assert!((39.4e6..39.5e6).contains(&numbers[0]) && (39.4e6..39.5e6).contains(&numbers[2]), "{extent}");
    assert!((4.3e6..4.5e6).contains(&numbers[1]), "{extent}");
    let all = tools::run("ogrinfo", &[&utf8[..], &["-al", &out.to_string_lossy()]].concat());
    for name in names(&source, Kind::Building).iter().take(5) {
        assert!(all.contains(&format!("Text (String) = {name}")), "{name} not in ogrinfo");
    }
    assert!(all.contains("Layer (String) = RP_建筑"));
    // Back in the app: the same kinds, counts and names.
    let back = io::load_path(&out).expect("reads back").plan;
    assert_eq!(counts(&back), counts(&source));
    assert_eq!(names(&back, Kind::Building), names(&source, Kind::Building));
    let (a, b) = (bbox(&back), bbox(&source));
    for i in 0..4 {
        assert!((a[i] - b[i]).abs() < 2e-6, "bbox {a:?} vs {b:?}");
    }
}

#[test]
fn without_a_system_the_drawing_takes_the_plans_zone_and_degrees_are_refused_in_one_line() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = dir.path().join("j.dxf");
    let o = bin().args(["export", "jinsong", "-o", &out.to_string_lossy()]).output().expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(said.contains("in EPSG:4527)") && said.contains("zone 39"), "{said}");
    assert_eq!(io::load_path(&out).expect("reads back").crs, Some(io::crs::Crs::GaussKruger { epsg: 4527 }));
    let before = dir.path().join("before.dxf");
    let o =
        bin().args(["export", "jinsong", "-o", &before.to_string_lossy(), "--phase", "before"]).output().expect("runs");
    assert!(o.status.success());
    let o = bin()
        .args(["export", "jinsong", "-o", &dir.path().join("d.dxf").to_string_lossy(), "--to-crs", "EPSG:4326"])
        .output()
        .expect("runs");
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("CAD drawings need a projected system in metres, e.g. --to-crs EPSG:4527"), "{err}");
    assert!(!dir.path().join("d.dxf").exists());
}

#[test]
fn a_binary_drawing_reads_as_its_ascii_twin() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let ascii = dir.path().join("j.dxf");
    let o = bin()
        .args(["export", "jinsong", "-o", &ascii.to_string_lossy(), "--to-crs", "EPSG:4527"])
        .output()
        .expect("runs");
    assert!(o.status.success());
    let drawing = dxf::Drawing::load_file(&ascii).expect("the crate reads ours");
    let binary = dir.path().join("b.dxf");
    drawing.save_file_binary(&binary).expect("binary");
    assert!(std::fs::read(&binary).expect("bytes").starts_with(b"AutoCAD Binary DXF"));
    let (a, b) = (io::load_path(&ascii).expect("ascii").plan, io::load_path(&binary).expect("binary").plan);
    assert_eq!(counts(&a), counts(&b));
    assert_eq!(names(&a, Kind::Building), names(&b, Kind::Building));
    assert!(names(&b, Kind::Building).iter().any(|n| n.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))));
    assert_eq!(
        io::dxf::layers(&binary).expect("layers").iter().map(|l| l.entities).sum::<usize>(),
        io::dxf::layers(&ascii).expect("layers").iter().map(|l| l.entities).sum::<usize>()
    );
}

#[test]
fn dwg_and_damaged_drawings_are_one_line_errors_that_say_what_to_do() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let dwg = dir.path().join("site.dwg");
    std::fs::write(&dwg, b"AC1032\0\0\0\0\0\x01\x02\x03\x04\x05\x06\x07").expect("written");
    let o = bin().args(["info", &dwg.to_string_lossy()]).output().expect("runs");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("DWG") && err.contains("DXF"), "{err}");
    let good = dir.path().join("j.dxf");
    assert!(bin().args(["export", "jinsong", "-o", &good.to_string_lossy()]).status().expect("runs").success());
    let bytes = std::fs::read(&good).expect("bytes");
    let cut = dir.path().join("cut.dxf");
    // Lines alternate group code and value: cut just after a code line past the middle, so its value is missing.
    let mut line_ends = bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1);
    let after_code =
        line_ends.by_ref().step_by(2).find(|&end| end > bytes.len() / 2).expect("a code line past the middle");
    let code = String::from_utf8_lossy(&bytes[..after_code]).lines().last().unwrap_or_default().trim().to_string();
    assert!(code.parse::<i32>().is_ok(), "{code:?} is a group code");
    // Cut in the header, and with a group code left without its value.
    for n in [100, after_code] {
        std::fs::write(&cut, &bytes[..n]).expect("written");
        let o = bin().args(["info", &cut.to_string_lossy()]).output().expect("runs");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "cut at {n}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    match io::load_path(&dir.path().join("nothing.dxf")) {
        Err(LoadError::Io(_)) => {}
        other => panic!("{:?}", other.map(|l| l.plan.len())),
    }
}

/// The entities a geometry is drawn as: a closed polyline per ring, a polyline per line, a POINT per point.
fn entities_of(g: &geo::Geometry) -> usize {
    use geo::Geometry as G;
    match g {
        G::Polygon(p) => 1 + p.interiors().len(),
        G::MultiPolygon(mp) => mp.iter().map(|p| 1 + p.interiors().len()).sum(),
        G::MultiLineString(ml) => ml.0.len(),
        G::MultiPoint(mp) => mp.0.len(),
        G::GeometryCollection(c) => c.iter().map(entities_of).sum(),
        _ => 1,
    }
}

#[test]
fn after_the_renewal_removed_and_added_features_are_on_their_own_layers_and_before_it_on_none() {
    use renewal_planner::export::dxf::{layer_of, to_dxf};
    use renewal_planner::model::phase::{geometry_in, presence};
    use renewal_planner::model::{Change, ChangeKind, Phase, Plan, PlanMeta, Presence};
    // Jinsong adds service points and removes sheds (其他); three of its buildings are demolished here too.
    let jinsong = io::load_jinsong().plan;
    let mut plan = Plan::new(PlanMeta::default());
    let mut demolished = 0;
    for (_, f) in jinsong.iter() {
        let mut f = f.clone();
        if f.kind == Kind::Building && f.change.is_none() && demolished < 3 {
            f.change = Some(Box::new(Change::new(ChangeKind::Removed)));
            demolished += 1;
        }
        plan.push(f);
    }
    let crs = io::crs::Crs::GaussKruger { epsg: 4527 };
    let word = |k: Kind| layer_of(k).trim_start_matches("RP_").to_string();
    // From the plan's changes: each removed feature on RP_拆除_<kind>, each added one on RP_新增_<kind>.
    let mut expected: BTreeMap<String, usize> = BTreeMap::new();
    for (_, f) in plan.iter() {
        let p = presence(&plan, f, &Phase::After);
        match (f.change.as_ref().map(|c| c.kind), p) {
            (Some(ChangeKind::Removed), Presence::Absent) => {
                *expected.entry(format!("RP_拆除_{}", word(f.kind))).or_default() += entities_of(&f.geometry);
            }
            (Some(ChangeKind::Added), p) if p != Presence::Absent => {
                *expected.entry(format!("RP_新增_{}", word(f.kind))).or_default() += entities_of(geometry_in(f, p));
            }
            _ => {}
        }
    }
    assert!(expected.get("RP_拆除_建筑").is_some_and(|n| *n >= 3), "{expected:?}");
    assert!(expected.get("RP_拆除_其他").is_some_and(|n| *n > 0), "{expected:?}");
    assert!(expected.get("RP_新增_服务设施").is_some_and(|n| *n > 0), "{expected:?}");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let layers_in = |phase: Phase, name: &str| {
        let (bytes, _) = to_dxf(&plan, &phase, crs, Lang::Zh).expect("drawn");
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("written");
        io::dxf::layers(&path).expect("layers")
    };
    let after = layers_in(Phase::After, "after.dxf");
    let changed: BTreeMap<String, usize> = after
        .iter()
        .filter(|l| l.name.starts_with("RP_拆除_") || l.name.starts_with("RP_新增_"))
        .map(|l| (l.name.clone(), l.entities))
        .collect();
    assert_eq!(changed, expected);
    // Each reads back as its kind.
    for l in &after {
        if let Some(k) = Kind::ALL.into_iter().find(|&k| l.name.ends_with(&word(k))) {
            assert_eq!(l.guess, Some(k), "{}", l.name);
        }
    }
    let before = layers_in(Phase::Before, "before.dxf");
    assert!(before.iter().any(|l| l.name == "RP_建筑"), "{before:?}");
    assert!(!before.iter().any(|l| l.name.starts_with("RP_拆除_") || l.name.starts_with("RP_新增_")), "{before:?}");
}

#[test]
fn every_kinds_layer_name_reads_back_as_that_kind() {
    use renewal_planner::export::dxf::layer_of;
    for k in Kind::ALL {
        let word = layer_of(k).trim_start_matches("RP_");
        for name in [layer_of(k).to_string(), format!("RP_拆除_{word}"), format!("RP_新增_{word}")] {
            assert_eq!(io::dxf::guess_kind(&name), Some(k), "{name}");
        }
    }
    assert_eq!(io::dxf::guess_kind("RP_标注"), None, "the names' layer is annotation");
}
