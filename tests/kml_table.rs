//! KML/KMZ and tables of points (CSV, Excel): files GDAL writes from the
//! generated city, hand-written ones with what Google Earth and 奥维互动地图
//! put in theirs, the encodings and coordinate systems planners meet, and bad
//! input, which must be one line or a warning — never a panic.

#[path = "common/tools.rs"]
mod tools;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use geo::{BoundingRect, Geometry};
use renewal_planner::io::crs::Crs;
use renewal_planner::io::table::Columns;
use renewal_planner::io::{self, LoadError, Loaded, ReadOptions};
use renewal_planner::model::Kind;
use serde_json::Value;

fn load(path: &Path) -> Result<Loaded, LoadError> {
    io::load_path_with(path, &ReadOptions::default())
}

fn loaded(path: &Path) -> Loaded {
    load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn error_of(path: &Path) -> String {
    match load(path) {
        Ok(l) => panic!("{} loaded {} features; expected an error", path.display(), l.plan.len()),
        Err(e) => {
            let m = e.to_string();
            assert!(!m.contains('\n') && !m.trim().is_empty(), "not one line: {m:?}");
            m
        }
    }
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write fixture");
    p
}

fn type_name(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "Point",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::LineString(_) => "LineString",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::Polygon(_) => "Polygon",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        _ => "other",
    }
}

fn counts(l: &Loaded) -> BTreeMap<&'static str, usize> {
    let mut c = BTreeMap::new();
    for (_, f) in l.plan.iter() {
        *c.entry(type_name(&f.geometry)).or_insert(0) += 1;
    }
    c
}

fn bbox(l: &Loaded) -> [f64; 4] {
    let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    for (_, f) in l.plan.iter() {
        let r = f.geometry.bounding_rect().expect("a bounding box");
        b = [b[0].min(r.min().x), b[1].min(r.min().y), b[2].max(r.max().x), b[3].max(r.max().y)];
    }
    b
}

fn by_name<'a>(l: &'a Loaded, name: &str) -> Vec<&'a renewal_planner::model::Feature> {
    l.plan.iter().map(|(_, f)| f).filter(|f| f.properties.get_str("name") == Some(name)).collect()
}

fn kmz(dir: &Path, name: &str, entries: &[(&str, &[u8])]) -> PathBuf {
    let p = dir.join(name);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&p).expect("create kmz"));
    for (entry, bytes) in entries {
        zip.start_file(*entry, zip::write::SimpleFileOptions::default()).expect("entry");
        zip.write_all(bytes).expect("write entry");
    }
    zip.finish().expect("finish kmz");
    p
}

#[test]
fn gdal_kml_of_the_city_keeps_every_feature_its_names_and_fields_and_a_kmz_too() {
    if !tools::have("ogr2ogr", "reading KML written by GDAL") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let city = tools::gen_city(200, dir.path());
    let kml = dir.path().join("city.kml");
    tools::run("ogr2ogr", &["-f", "KML", &kml.to_string_lossy(), &city.to_string_lossy()]);
    let source = loaded(&city);
    let from_kml = loaded(&kml);
    assert_eq!(counts(&from_kml), counts(&source), "geometry types");
    assert_eq!(from_kml.plan.len(), 219);
    let (a, b) = (bbox(&from_kml), bbox(&source));
    for k in 0..4 {
        assert!((a[k] - b[k]).abs() < 2e-6, "bbox {a:?} vs {b:?}");
    }
    let holes = |l: &Loaded| {
        l.plan
            .iter()
            .map(|(_, f)| match &f.geometry {
                Geometry::Polygon(p) => p.interiors().len(),
                _ => 0,
            })
            .sum::<usize>()
    };
    assert!(holes(&source) > 0 && holes(&from_kml) == holes(&source), "the gardens' holes");
    assert_eq!(from_kml.crs, None, "KML is longitude/latitude");
    let first = by_name(&from_kml, "劲松西里1号楼");
    assert_eq!(first.len(), 1, "the Chinese name comes through");
    let f = first[0];
    assert_eq!(f.kind, Kind::Building);
    assert_eq!(f.properties.get("floors"), Some(Value::from(18)), "SimpleData typed as a number");
    assert_eq!(f.properties.get_str("block"), Some("B0-0"));
    assert!(f.properties.get_str("folder").is_some_and(|s| s.starts_with("city")), "the layer's Folder");
    // Kinds and names agree feature by feature with the GeoJSON read directly.
    let kinds = |l: &Loaded| {
        let mut v: Vec<(String, Kind)> = l
            .plan
            .iter()
            .map(|(_, f)| (f.properties.get_str("name").unwrap_or_default().to_string(), f.kind))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    };
    assert_eq!(kinds(&from_kml), kinds(&source));

    // The same KML zipped as a KMZ (with an image beside it, as Google Earth writes them).
    let text = std::fs::read(&kml).expect("kml");
    let zipped = kmz(dir.path(), "city.kmz", &[("files/icon.png", b"\x89PNG not really"), ("doc.kml", &text)]);
    let from_kmz = loaded(&zipped);
    assert_eq!(counts(&from_kmz), counts(&source));
    assert_eq!(by_name(&from_kmz, "劲松西里1号楼").len(), 1);
    // A KMZ whose KML is not called doc.kml.
    let other = kmz(dir.path(), "other.kmz", &[("layers/city.kml", &text)]);
    assert_eq!(loaded(&other).plan.len(), 219);
}

/// What Google Earth and 奥维互动地图 write: nested Folders, ExtendedData `<Data>`,
/// HTML descriptions, MultiGeometry, gx:Track, Chinese everywhere.
const HAND_KML: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">
<Document>
  <name>劲松改造.kml</name>
  <Style id="s1"><LineStyle><color>ff0000ff</color></LineStyle></Style>
  <Folder>
    <name>劲松</name>
    <Folder>
      <name>建筑</name>
      <Placemark>
        <name>104楼</name>
        <description><![CDATA[<table><tr><td>层数</td><td>6</td></tr><tr><td>产权</td><td>房管所 &amp; 单位</td></tr></table>]]></description>
        <styleUrl>#s1</styleUrl>
        <ExtendedData>
          <Data name="层数"><displayName>层数</displayName><value>6</value></Data>
          <Data name="编号"><value>0104</value></Data>
          <Data name="kind"><value>住宅楼</value></Data>
        </ExtendedData>
        <Polygon>
          <outerBoundaryIs><LinearRing><coordinates>
            116.4600,39.8800,0 116.4610,39.8800,0 116.4610,39.8806,0 116.4600,39.8806,0 116.4600,39.8800,0
          </coordinates></LinearRing></outerBoundaryIs>
          <innerBoundaryIs><LinearRing><coordinates>
            116.4603,39.8802 116.4605,39.8802 116.4605,39.8804 116.4603,39.8804 116.4603,39.8802
          </coordinates></LinearRing></innerBoundaryIs>
        </Polygon>
      </Placemark>
      <Placemark>
        <name>105楼（两栋）</name>
        <MultiGeometry>
          <Polygon><outerBoundaryIs><LinearRing><coordinates>116.462,39.88 116.463,39.88 116.463,39.8806 116.462,39.8806 116.462,39.88</coordinates></LinearRing></outerBoundaryIs></Polygon>
          <Polygon><outerBoundaryIs><LinearRing><coordinates>116.464,39.88 116.465,39.88 116.465,39.8806 116.464,39.8806 116.464,39.88</coordinates></LinearRing></outerBoundaryIs></Polygon>
        </MultiGeometry>
      </Placemark>
    </Folder>
    <Folder>
      <name>设施</name>
      <Placemark>
        <name>垃圾分类驿站</name>
        <Point><coordinates>116.4615,39.8812,0</coordinates></Point>
      </Placemark>
      <Placemark>
        <name>配电室</name>
        <MultiGeometry>
          <Point><coordinates>116.4617,39.8814</coordinates></Point>
          <Polygon><outerBoundaryIs><LinearRing><coordinates>116.4616,39.8813 116.4618,39.8813 116.4618,39.8815 116.4616,39.8815 116.4616,39.8813</coordinates></LinearRing></outerBoundaryIs></Polygon>
        </MultiGeometry>
      </Placemark>
      <Placemark>
        <name>坏坐标</name>
        <Point><coordinates>116.46,北纬</coordinates></Point>
      </Placemark>
      <Placemark>
        <name>只有名字</name>
      </Placemark>
    </Folder>
  </Folder>
  <Placemark>
    <name>巡查路线</name>
    <gx:Track>
      <when>2024-05-01T08:00:00Z</when><when>2024-05-01T08:05:00Z</when><when>2024-05-01T08:09:00Z</when>
      <gx:coord>116.4600 39.8790 0</gx:coord><gx:coord>116.4630 39.8790 0</gx:coord><gx:coord>116.4630 39.8820 0</gx:coord>
    </gx:Track>
  </Placemark>
  <Placemark>
    <name>劲松路</name>
    <ExtendedData><SchemaData schemaUrl="#roads"><SimpleData name="highway">residential</SimpleData><SimpleData name="lanes">2</SimpleData></SchemaData></ExtendedData>
    <LineString><tessellate>1</tessellate><coordinates>116.459,39.8795 116.466,39.8795</coordinates></LineString>
  </Placemark>
</Document>
</kml>
"##;

fn check_hand_kml(l: &Loaded) {
    let f = by_name(l, "104楼");
    assert_eq!(f.len(), 1);
    let f = f[0];
    assert_eq!(f.properties.get_str("folder"), Some("劲松 / 建筑"));
    assert_eq!(f.properties.get("层数"), Some(Value::from(6)));
    assert_eq!(f.properties.get_str("编号"), Some("0104"), "a code with a leading zero stays text");
    assert_eq!(f.properties.get_str("description"), Some("层数 6\n产权 房管所 & 单位"));
    assert_eq!(f.kind, Kind::Building, "kind 住宅楼 from ExtendedData");
    let Geometry::Polygon(p) = &f.geometry else { panic!("{:?}", f.geometry) };
    assert_eq!(p.interiors().len(), 1, "inner boundary");
    let two = by_name(l, "105楼（两栋）");
    assert!(matches!(two[0].geometry, Geometry::MultiPolygon(ref m) if m.0.len() == 2), "{:?}", two[0].geometry);
    let point = by_name(l, "垃圾分类驿站");
    assert!(matches!(point[0].geometry, Geometry::Point(_)));
    assert_eq!(point[0].properties.get_str("folder"), Some("劲松 / 设施"));
    // A MultiGeometry mixing a point and an area: one feature a part, same properties.
    let mixed = by_name(l, "配电室");
    assert_eq!(mixed.len(), 2);
    assert!(mixed.iter().any(|f| matches!(f.geometry, Geometry::Point(_))));
    assert!(mixed.iter().any(|f| matches!(f.geometry, Geometry::Polygon(_))));
    let track = by_name(l, "巡查路线");
    assert!(matches!(track[0].geometry, Geometry::LineString(ref ls) if ls.0.len() == 3));
    assert_eq!(track[0].properties.get_str("folder"), None, "outside every Folder");
    let road = by_name(l, "劲松路");
    assert_eq!(road[0].kind, Kind::Street);
    assert_eq!(road[0].properties.get("lanes"), Some(Value::from(2)));
    assert_eq!(l.plan.len(), 7, "eight placemarks: two left out, one split in two");
    let warnings: Vec<String> = l.warnings.iter().map(ToString::to_string).collect();
    assert!(
        warnings.iter().any(|w| w.starts_with("placemark 5 (line 49)") && w.contains("北纬")),
        "the bad coordinates named by line: {warnings:?}"
    );
    assert!(warnings.iter().any(|w| w.contains("placemark 6 (line 53)") && w.contains("no geometry")), "{warnings:?}");
}

#[test]
fn hand_written_kml_with_folders_multigeometry_extended_data_and_chinese() {
    let dir = tempfile::tempdir().expect("tempdir");
    let l = loaded(&write(dir.path(), "劲松.kml", HAND_KML));
    check_hand_kml(&l);

    // The same file saved as GBK, as its declaration says.
    let gbk_text = HAND_KML.replacen("encoding=\"UTF-8\"", "encoding=\"GBK\"", 1);
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&gbk_text);
    assert!(!unmappable);
    let l = loaded(&write(dir.path(), "gbk.kml", &gbk));
    check_hand_kml(&l);

    // Coordinates from a Chinese basemap: GCJ-02 chosen, shifted back to WGS 84 by a few hundred metres.
    let opts = ReadOptions { crs: Some(Crs::Gcj02), ..Default::default() };
    let shifted = io::load_path_with(&dir.path().join("劲松.kml"), &opts).expect("loads");
    let at = |l: &Loaded| match by_name(l, "垃圾分类驿站")[0].geometry {
        Geometry::Point(p) => p,
        ref g => panic!("{g:?}"),
    };
    let (w, g) = (at(&shifted), at(&l));
    assert!((g.x() - w.x()) > 0.004 && (g.x() - w.x()) < 0.008, "{w:?} {g:?}");
    assert_eq!(shifted.crs, Some(Crs::Gcj02));
}

#[test]
fn bad_kml_and_kmz_are_one_line_naming_the_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = error_of(&write(dir.path(), "not.kml", "hello, this is not XML at all"));
    assert!(m.contains("not KML"), "{m}");
    let m = error_of(&write(dir.path(), "empty.kml", ""));
    assert!(m.contains("empty"), "{m}");
    let m = error_of(&write(dir.path(), "mismatch.kml", "<kml>\n<Document>\n<Placemark></Folder>\n</kml>"));
    assert!(m.starts_with("line 3, column") && m.contains("bad XML"), "{m}");
    // Cut short inside a Placemark (the kml crate loops forever on this).
    let cut = &HAND_KML[..HAND_KML.find("<name>垃圾分类驿站").expect("in the text")];
    let m = error_of(&write(dir.path(), "cut.kml", cut));
    assert!(m.contains("cut short") && m.contains("<Placemark>") && m.starts_with("line 38,"), "{m}");
    let m = error_of(&write(dir.path(), "none.kml", "<kml><Document><name>空</name></Document></kml>"));
    assert!(m.contains("no Placemark"), "{m}");
    let no_kml = kmz(dir.path(), "nokml.kmz", &[("images/a.png", b"x"), ("readme.txt", b"hi")]);
    let m = error_of(&no_kml);
    assert!(m.contains("no .kml file") && m.contains("images/a.png") && m.contains("readme.txt"), "{m}");
    let m = error_of(&write(dir.path(), "broken.kmz", b"PK\x03\x04 and then nothing a zip needs"));
    assert!(m.contains("KMZ"), "{m}");
}

fn points(l: &Loaded) -> Vec<(String, f64, f64)> {
    let mut v: Vec<(String, f64, f64)> = l
        .plan
        .iter()
        .map(|(_, f)| match f.geometry {
            Geometry::Point(p) => {
                let name = f.properties.get_str("名称").or(f.properties.get_str("name")).unwrap_or_default();
                (name.to_string(), p.x(), p.y())
            }
            ref g => panic!("not a point: {g:?}"),
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

const SITES: [(&str, f64, f64); 3] =
    [("劲松八区3号楼", 116.4612, 39.8834), ("劲松一区垃圾站", 116.4587, 39.8801), ("农光里小广场", 116.4655, 39.8762)];

#[test]
fn csv_in_utf8_gbk_and_with_semicolons_reads_points_and_typed_fields() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::from("\u{feff}经度,纬度,名称,编号,层数,备注\n");
    for (i, (name, lon, lat)) in SITES.iter().enumerate() {
        text += &format!("{lon},{lat},{name},00{i},{},\"含逗号, 和引号\"\"\"\n", 6 + i);
    }
    let l = loaded(&write(dir.path(), "sites.csv", &text));
    assert_eq!(l.plan.len(), 3);
    let got = points(&l);
    for (name, lon, lat) in SITES {
        assert!(got.iter().any(|(n, x, y)| n == name && *x == lon && *y == lat), "{name}: {got:?}");
    }
    let f = by_name_of(&l, "名称", "劲松一区垃圾站");
    assert_eq!(f.properties.get_str("编号"), Some("001"));
    assert_eq!(f.properties.get("层数"), Some(Value::from(7)));
    assert_eq!(f.properties.get_str("备注"), Some("含逗号, 和引号\""));
    assert!(f.properties.get("经度").is_none(), "the coordinates are the geometry, not properties");

    // Excel on Chinese Windows: GBK, no BOM.
    let (gbk, _, _) = encoding_rs::GBK.encode(text.trim_start_matches('\u{feff}'));
    let l = loaded(&write(dir.path(), "gbk.csv", &gbk));
    assert_eq!(points(&l).iter().map(|p| p.0.clone()).collect::<Vec<_>>(), sorted_names());

    // Semicolons, English headers with units, degrees-minutes-seconds.
    let text = "name; Longitude (deg); Latitude [deg]\n甲;116°27'36\"E;39°52'48\"N\n乙;116.5;39.9\n";
    let l = loaded(&write(dir.path(), "semi.csv", text));
    let got = points(&l);
    assert_eq!(got.len(), 2);
    let jia = got.iter().find(|p| p.0 == "甲").expect("甲");
    assert!((jia.1 - 116.46).abs() < 1e-9 && (jia.2 - 39.88).abs() < 1e-9, "{jia:?}");
    // Tabs.
    let l = loaded(&write(dir.path(), "tabs.tsv", "lat\tlng\tname\n39.9\t116.4\t天安门\n"));
    assert_eq!(points(&l), vec![("天安门".to_string(), 116.4, 39.9)]);
}

fn sorted_names() -> Vec<String> {
    let mut v: Vec<String> = SITES.iter().map(|s| s.0.to_string()).collect();
    v.sort();
    v
}

fn by_name_of<'a>(l: &'a Loaded, key: &str, name: &str) -> &'a renewal_planner::model::Feature {
    l.plan.iter().map(|(_, f)| f).find(|f| f.properties.get_str(key) == Some(name)).expect(name)
}

#[test]
fn csv_in_metres_gauss_kruger_recognised_and_utm_chosen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let gk = Crs::GaussKruger { epsg: 4527 };
    let utm = Crs::parse("EPSG:32650").expect("UTM 50N");
    for (crs, header, chosen) in [(gk, "X坐标,Y坐标,名称", None), (utm, "easting,northing,名称", Some(utm))] {
        let mut text = format!("{header}\n");
        for (name, lon, lat) in SITES {
            let (x, y) = crs.from_wgs84(lon, lat).expect("projects");
            text += &format!("{x:.3},{y:.3},{name}\n");
        }
        let path = write(dir.path(), "metres.csv", &text);
        let l = io::load_path_with(&path, &ReadOptions { crs: chosen, ..Default::default() })
            .unwrap_or_else(|e| panic!("{header}: {e}"));
        assert_eq!(l.crs, Some(crs));
        let got = points(&l);
        for (name, lon, lat) in SITES {
            let p = got.iter().find(|p| p.0 == name).expect(name);
            assert!((p.1 - lon).abs() < 1e-7 && (p.2 - lat).abs() < 1e-7, "{header} {name}: {p:?}");
        }
    }
    // UTM without a chosen system looks like Gauss-Krüger without a prefix: refused, asking for the system.
    let m = error_of(&dir.path().join("metres.csv"));
    assert!(m.contains("--crs"), "{m}");
}

#[test]
fn gdal_csv_of_the_city_centroids_reads_every_point_with_its_chinese_name() {
    if !tools::have("ogr2ogr", "reading CSV written by GDAL") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let city = tools::gen_city(200, dir.path());
    let csv = dir.path().join("centroids.csv");
    let info = tools::run("ogrinfo", &["-so", &city.to_string_lossy()]);
    let layer = info.lines().find_map(|l| l.strip_prefix("1: ")).expect("the layer").split(' ').next().expect("name");
    let sql = format!("SELECT ST_Centroid(geometry) AS geometry, name, kind FROM \"{layer}\"");
    tools::run(
        "ogr2ogr",
        &[
            "-f",
            "CSV",
            &csv.to_string_lossy(),
            &city.to_string_lossy(),
            "-dialect",
            "sqlite",
            "-sql",
            &sql,
            "-lco",
            "GEOMETRY=AS_XY",
        ],
    );
    let header = std::fs::read_to_string(&csv).expect("csv");
    assert!(header.starts_with("X,Y,name"), "{}", &header[..40.min(header.len())]);
    let l = loaded(&csv);
    let source = loaded(&city);
    assert_eq!(l.plan.len(), source.plan.len());
    assert_eq!(by_name(&l, "劲松西里1号楼").len(), 1);
    assert_eq!(by_name(&l, "劲松西里1号楼")[0].kind, Kind::Building, "kind column");
    let (a, b) = (bbox(&l), bbox(&source));
    assert!(a[0] >= b[0] && a[1] >= b[1] && a[2] <= b[2] && a[3] <= b[3], "centroids inside the city: {a:?} {b:?}");
}

#[test]
fn an_excel_workbook_reads_its_first_sheet_with_data_dates_bools_and_codes() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("点位.xlsx");
    let mut book = Workbook::new();
    book.add_worksheet().set_name("说明").expect("name");
    let sheet = book.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in ["名称", "经度", "纬度", "建成日期", "加装电梯", "编号", "户数"].iter().enumerate()
    {
        sheet.write_string(2, c as u16, *h).expect("header");
    }
    for (i, (name, lon, lat)) in SITES.iter().enumerate() {
        let r = 3 + i as u32;
        sheet.write_string(r, 0, *name).expect("name");
        sheet.write_number(r, 1, *lon).expect("lon");
        if i == 2 {
            sheet.write_string(r, 2, format!("{lat}°")).expect("lat as text");
        } else {
            sheet.write_number(r, 2, *lat).expect("lat");
        }
        let d = ExcelDateTime::from_ymd(1985 + i as u16, 6, 1).expect("date");
        sheet.write_datetime_with_format(r, 3, &d, &date).expect("date");
        sheet.write_boolean(r, 4, i % 2 == 0).expect("bool");
        sheet.write_string(r, 5, format!("0{}", 10 + i)).expect("code");
        sheet.write_number(r, 6, 24.0 + i as f64).expect("households");
    }
    // A row with text in the longitude is left out with a warning naming its row.
    sheet.write_string(6, 0, "错行").expect("name");
    sheet.write_string(6, 1, "见备注").expect("bad lon");
    sheet.write_number(6, 2, 39.9).expect("lat");
    // A stray note in the sheet's far corner: read cell by cell, not as a 17-billion-cell rectangle.
    sheet.write_string(1_048_575, 16_383, "角落").expect("far cell");
    book.save(&path).expect("save xlsx");
    let l = loaded(&path);
    assert_eq!(l.plan.len(), 3);
    let f = by_name_of(&l, "名称", "劲松一区垃圾站");
    assert_eq!(f.properties.get_str("建成日期"), Some("1986-06-01"));
    assert_eq!(f.properties.get("加装电梯"), Some(Value::Bool(false)));
    assert_eq!(f.properties.get_str("编号"), Some("011"));
    assert_eq!(f.properties.get("户数"), Some(Value::from(25)));
    let got = points(&l);
    assert!(got.iter().any(|p| p.0 == "农光里小广场" && p.2 == 39.8762), "a latitude written 39.8762°: {got:?}");
    let warnings: Vec<String> = l.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings[0].starts_with("row 7:") && warnings[0].contains("见备注"), "{warnings:?}");
    assert!(warnings[1].starts_with("row 1048576: no 经度"), "{warnings:?}");
}

#[test]
fn tables_without_coordinates_bad_rows_and_chosen_columns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = error_of(&write(dir.path(), "nocoords.csv", "名称,地址,户数\n104楼,劲松一区,24\n"));
    assert!(m.contains("“名称”, “地址”, “户数”") && m.contains("--columns"), "{m}");
    let m = error_of(&write(dir.path(), "empty.csv", ""));
    assert!(m.contains("empty"), "{m}");
    let m = error_of(&write(dir.path(), "header.csv", "经度,纬度\n"));
    assert!(m.contains("no rows"), "{m}");

    // Rows with text or nothing for a coordinate: left out, each named; many summed up in one warning.
    let mut text = String::from("经度,纬度,名称\n116.46,39.88,好的\n东边,39.88,坏的\n116.47,,空的\n");
    for i in 0..20 {
        text += &format!("x{i},39.8,坏{i}\n");
    }
    let l = loaded(&write(dir.path(), "bad-rows.csv", &text));
    assert_eq!(l.plan.len(), 1);
    let warnings: Vec<String> = l.warnings.iter().map(ToString::to_string).collect();
    assert!(warnings[0].starts_with("row 3: 经度 “东边” is not a number"), "{warnings:?}");
    assert!(warnings[1].starts_with("row 4: no 纬度"), "{warnings:?}");
    assert!(warnings.len() == 6 && warnings[5].starts_with("17 more rows"), "{warnings:?}");
    let all_bad = error_of(&write(dir.path(), "all-bad.csv", "lon,lat\nabc,def\n"));
    assert!(all_bad.contains("row 2") && all_bad.contains("abc"), "{all_bad}");

    // Columns the header does not name as coordinates, chosen by the user.
    let path = write(dir.path(), "chosen.csv", "东西向,南北向,名称\n116.46,39.88,甲\n");
    let opts = ReadOptions { columns: Some(Columns::Named("东西向", "南北向")), ..Default::default() };
    let l = io::load_path_with(&path, &opts).expect("loads with the columns");
    assert_eq!(points(&l), vec![("甲".to_string(), 116.46, 39.88)]);
    let opts = ReadOptions { columns: Some(Columns::Named("东西", "南北向")), ..Default::default() };
    let Err(e) = io::load_path_with(&path, &opts) else { panic!("no such column") };
    assert!(e.to_string().contains("no column “东西”"), "{e}");
    // Named by number (1-based), as `--columns 1,2` may.
    let opts = ReadOptions { columns: Some(Columns::Named("1", "#2")), ..Default::default() };
    let l = io::load_path_with(&path, &opts).expect("loads with numbered columns");
    assert_eq!(points(&l), vec![("甲".to_string(), 116.46, 39.88)]);

    // The command line: `info --columns`.
    let out = renewal_planner::cli::info(&path, false, None, None, None, Some(("东西向", "南北向"))).expect("info");
    assert!(out.contains('1'), "{out}");
    let e = renewal_planner::cli::info(&path, false, None, None, None, None).expect_err("no columns named");
    assert!(e.contains("--columns") && e.contains("chosen.csv"), "{e}");
}

#[test]
fn columns_chosen_by_position_read_blank_and_repeated_headers_and_one_column_twice_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Two blank headers, then a repeated one: names cannot tell these columns apart, positions can.
    let path = write(dir.path(), "blank.csv", "名称,,,名称\n甲,116.46,39.88,乙\n");
    let at = |x, y| ReadOptions { columns: Some(Columns::At(x, y)), ..Default::default() };
    let l = io::load_path_with(&path, &at(1, 2)).expect("loads by position");
    let (_, f) = l.plan.iter().next().expect("a point");
    let Geometry::Point(p) = f.geometry else { panic!("a point") };
    assert!((p.x() - 116.46).abs() < 1e-9 && (p.y() - 39.88).abs() < 1e-9, "x and y from two columns: {p:?}");
    assert_eq!(f.properties.get_str("名称"), Some("甲"));
    assert_eq!(f.properties.get_str("名称 (2)"), Some("乙"), "the repeated header kept apart");
    // The same column for x and y: one line, however it was chosen.
    for opts in [at(1, 1), ReadOptions { columns: Some(Columns::Named("名称", "名称")), ..Default::default() }] {
        let Err(e) = io::load_path_with(&path, &opts) else { panic!("x = y refused") };
        let e = e.to_string();
        assert!(e.contains("both x and y") && !e.contains('\n'), "{e}");
    }
    // A blank name names no column (it used to find the first blank one).
    let opts = ReadOptions { columns: Some(Columns::Named("", " ")), ..Default::default() };
    let Err(e) = io::load_path_with(&path, &opts) else { panic!("blank names refused") };
    assert!(e.to_string().contains("no column"), "{e}");
    let Err(e) = io::load_path_with(&path, &at(1, 9)) else { panic!("no 10th column") };
    assert!(e.to_string().contains("no column 10"), "{e}");
}

#[test]
fn the_command_line_takes_columns_for_info_and_export() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = write(dir.path(), "点位.csv", "东西向,南北向,名称\n116.46,39.88,甲\n116.47,39.89,乙\n");
    let bin = env!("CARGO_BIN_EXE_renewal-planner");
    let run = |args: &[&str]| {
        let out =
            std::process::Command::new(bin).args(args).env("RENEWAL_PLANNER_HOME", dir.path()).output().expect("runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let csv_arg = csv.to_string_lossy().into_owned();
    let (ok, text) = run(&["info", &csv_arg, "--json", "--columns", "东西向,南北向"]);
    assert!(ok, "{text}");
    let summary: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(summary["features"], Value::from(2), "{text}");
    let (ok, text) = run(&["info", &csv_arg]);
    assert!(!ok && text.lines().count() == 1 && text.contains("--columns"), "{text}");
    let (ok, text) = run(&["info", &csv_arg, "--columns", "东西向"]);
    assert!(!ok && text.contains("--columns"), "{text}");
    let out = dir.path().join("out.geojson");
    let (ok, text) = run(&["export", &csv_arg, "--columns", "东西向,南北向", "-o", &out.to_string_lossy()]);
    assert!(ok, "{text}");
    let written = loaded(&out);
    assert_eq!(points(&written).iter().map(|p| p.0.as_str()).collect::<Vec<_>>(), ["乙", "甲"]);
}

#[test]
fn progress_is_reported_in_bytes_and_a_load_can_be_cancelled() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Enough Placemarks for several progress reports (one a megabyte).
    let mut kml = String::from("<kml><Document>\n");
    let mut csv = String::from("经度,纬度,名称,备注\n");
    for i in 0..40_000 {
        kml += &format!(
            "<Placemark><name>点{i}</name><Point><coordinates>116.{i:05},39.9</coordinates></Point></Placemark>\n"
        );
        csv += &format!("116.{i:05},39.9,点{i},这一栏只为让文件超过两兆字节\n");
    }
    kml += "</Document></kml>\n";
    for (name, text) in [("many.kml", kml), ("many.csv", csv)] {
        let path = write(dir.path(), name, &text);
        let seen = std::cell::RefCell::new(Vec::new());
        let record = |done: u64| {
            seen.borrow_mut().push(done);
            true
        };
        let l =
            io::load_path_with(&path, &ReadOptions { progress: Some(&record), ..Default::default() }).expect("loads");
        assert_eq!(l.plan.len(), 40_000);
        let seen = seen.into_inner();
        assert!(seen.len() >= 2 && seen.windows(2).all(|w| w[0] < w[1]), "{name}: {seen:?}");
        assert!(seen.iter().all(|&b| b <= text.len() as u64), "{name}: {seen:?}");
        let stop = |_: u64| false;
        let r = io::load_path_with(&path, &ReadOptions { progress: Some(&stop), ..Default::default() });
        assert!(matches!(r, Err(LoadError::Cancelled)), "{name}");
    }
}
