//! The formats planners receive besides GeoJSON and GeoPackage: Shapefile,
//! CAD drawings (DXF), KML/KMZ and tables of points (CSV/XLSX).
//!
//! Each reader only finds features: a geometry in the file's own coordinates,
//! the properties the file gives it, and a place ("record 12", "layer 建筑,
//! entity 5") for messages. [`assemble`] then makes them a plan exactly as
//! GeoJSON is made one: the geometry checked and safely repaired
//! ([`super::repair`]), the kind inferred from the properties, and the
//! coordinates brought to WGS 84 from the system the user chose, the file
//! names, or its numbers show ([`super::crs`]). So every format gets the same
//! repairs, warnings and coordinate handling, written once.

use std::path::Path;

use geo::Geometry;
use serde_json::{Map, Value};

use super::LoadError;
use super::crs::Crs;
use super::geojson::{Loaded, Tally, Warning, check_usable, settle_crs};
use super::repair::{Repairs, repair};
use crate::model::{Feature, Plan, PlanMeta, Props, infer_kind, shape_of};

/// A file format the app reads, told by the file's first bytes and its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// GeoJSON, plain or gzip-compressed (the default for anything unrecognised).
    GeoJson,
    /// A GeoPackage (SQLite).
    GeoPackage,
    /// An ESRI Shapefile (`.shp` with its `.dbf`, `.shx`, `.prj`, `.cpg`), or a `.zip` holding one.
    Shapefile,
    /// An AutoCAD DXF drawing, ASCII or binary.
    Dxf,
    /// An AutoCAD DWG drawing: a closed format, refused with what to do instead.
    Dwg,
    /// KML, or KMZ (a zip holding `doc.kml`).
    Kml,
    /// A table of points: CSV (or tab-separated) text, or an Excel workbook.
    Table,
}

impl Format {
    /// The format of a file from its first bytes (16 or more) and its name.
    pub fn of(path: &Path, head: &[u8]) -> Format {
        let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        if super::gpkg::is_sqlite(head) || ext == "gpkg" {
            return Format::GeoPackage;
        }
        if head.starts_with(b"AC10") || ext == "dwg" {
            return Format::Dwg;
        }
        if head.starts_with(b"AutoCAD Binary DXF") || ext == "dxf" {
            return Format::Dxf;
        }
        match ext.as_str() {
            "shp" | "dbf" | "shx" => Format::Shapefile,
            "kml" | "kmz" => Format::Kml,
            "csv" | "tsv" | "xlsx" | "xlsm" | "xlsb" | "xls" => Format::Table,
            // Text is a table, unless it is JSON: a GeoJSON saved as .txt still opens.
            "txt" if first_visible(head) == Some(b'{') => Format::GeoJson,
            "txt" => Format::Table,
            // A zip is a zipped Shapefile unless it holds a KML (then it is a KMZ by another name).
            "zip" => Format::Shapefile,
            _ if head.starts_with(&[0x00, 0x00, 0x27, 0x0a]) => Format::Shapefile,
            _ => Format::GeoJson,
        }
    }
}

/// The extensions File → Open and File → Import layer… offer, for file dialogs.
pub const OPEN_EXTENSIONS: &[&str] = &[
    "gpkg", "geojson", "json", "gz", "shp", "zip", "dxf", "dwg", "kml", "kmz", "csv", "tsv", "txt", "xlsx", "xlsm",
    "xlsb", "xls",
];

/// The first byte of text that is not white space (after a UTF-8 byte-order mark).
fn first_visible(head: &[u8]) -> Option<u8> {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    head.iter().copied().find(|b| !b.is_ascii_whitespace())
}

/// One feature as a reader found it.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    /// In the file's coordinates.
    pub geometry: Geometry<f64>,
    /// As the file gives them; a reader may add `kind` (e.g. from a CAD layer's mapping).
    pub properties: Map<String, Value>,
    /// Where in the file, for messages: "record 12", "layer 建筑, entity 5".
    pub place: String,
}

/// What a reader found in a file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Collected {
    pub features: Vec<Found>,
    /// Parts that could not be read, each in one line.
    pub warnings: Vec<Warning>,
    /// The system the file names (a Shapefile's `.prj`), when it names one the app knows.
    pub crs: Option<Crs>,
}

/// A file's name for messages (the path as given when it has none).
pub(crate) fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}

/// Makes a plan of what a reader found: geometry checked and repaired, kinds
/// inferred, coordinates brought to WGS 84 from `chosen`, else the system the
/// file names, else the one its numbers show. A feature that cannot be used
/// is left out with a warning; a file with no usable feature is an error.
pub fn assemble(found: Collected, chosen: Option<Crs>) -> Result<Loaded, LoadError> {
    let mut plan = Plan::new(PlanMeta::default());
    let mut places = Vec::with_capacity(found.features.len());
    let mut warnings = found.warnings;
    let mut tally = Tally::default();
    for f in found.features {
        let mut g = f.geometry;
        let mut repairs = Repairs::default();
        if let Err(message) = check_usable(&g).and_then(|()| repair(&mut g, &mut repairs)) {
            warnings.push(Warning { place: f.place, message });
            continue;
        }
        tally.add(|| f.place.clone(), || f.place.clone(), &repairs, &mut warnings);
        let props = Props::from_map(f.properties);
        let kind = infer_kind(&props, shape_of(&g));
        plan.push(Feature::new(kind, props, g));
        places.push(f.place);
    }
    tally.report(&mut warnings);
    if plan.is_empty() {
        return Err(match warnings.first() {
            Some(w) => {
                LoadError::Malformed { place: w.place.clone(), message: format!("no usable feature; {}", w.message) }
            }
            None => LoadError::Malformed { place: "the file".into(), message: "holds no features".into() },
        });
    }
    let place = |i: usize| places.get(i).cloned().unwrap_or_else(|| format!("feature {i}"));
    let crs = settle_crs(&mut plan, &place, chosen.or(found.crs), &mut warnings)?;
    Ok(Loaded { plan, warnings, crs })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Point, polygon};

    fn found(g: Geometry<f64>, props: serde_json::Value, place: &str) -> Found {
        Found { geometry: g, properties: props.as_object().cloned().unwrap_or_default(), place: place.into() }
    }

    /// Features without properties, each at its place.
    fn bare(features: &[(&Geometry<f64>, &str)]) -> Collected {
        let features = features.iter().map(|(g, place)| found((*g).clone(), serde_json::json!({}), place)).collect();
        Collected { features, ..Default::default() }
    }

    #[test]
    fn gauss_kruger_metres_become_degrees_with_kinds_inferred() {
        // Zone 39 (EPSG:4527, central meridian 117°E): the easting carries the zone prefix.
        let square = polygon![(x: 39_508_000.0, y: 4_415_000.0), (x: 39_508_040.0, y: 4_415_000.0),
            (x: 39_508_040.0, y: 4_415_030.0), (x: 39_508_000.0, y: 4_415_030.0)];
        let c = Collected {
            features: vec![
                found(square.into(), serde_json::json!({"kind": "building", "name": "1号楼"}), "record 1"),
                found(Point::new(39_508_020.0, 4_415_050.0).into(), serde_json::json!({}), "record 2"),
            ],
            ..Default::default()
        };
        let l = assemble(c, None).expect("reads");
        assert_eq!(l.crs, Some(Crs::GaussKruger { epsg: 4527 }));
        assert_eq!(l.plan.len(), 2);
        let (_, f) = l.plan.iter().next().expect("a feature");
        assert_eq!(f.kind, crate::model::Kind::Building);
        let c = geo::Centroid::centroid(&f.geometry).expect("centroid");
        assert!((117.09..117.1).contains(&c.x()) && (39.86..39.88).contains(&c.y()), "{c:?}");
    }

    #[test]
    fn repairs_are_reported_as_geojson_reports_them_naming_the_features() {
        // A repeated position, and clockwise (not RFC 7946) winding.
        let coords = [(116.46, 39.88), (116.46, 39.881), (116.46, 39.881), (116.461, 39.881), (116.461, 39.88)];
        let ring = geo::LineString::from(coords.to_vec());
        let square = Geometry::Polygon(geo::Polygon::new(ring, vec![]));
        let l = assemble(bare(&[(&square, "row 3"), (&square, "row 4")]), None).expect("reads");
        let said: Vec<String> = l.warnings.iter().map(ToString::to_string).collect();
        let text = coords.iter().map(|(x, y)| format!("[{x},{y}]")).collect::<Vec<_>>().join(",");
        let geojson = format!(
            r#"{{"type":"FeatureCollection","features":[
            {{"type":"Feature","properties":{{}},"geometry":{{"type":"Polygon","coordinates":[[{text},[116.46,39.88]]]}}}},
            {{"type":"Feature","properties":{{}},"geometry":{{"type":"Polygon","coordinates":[[{text},[116.46,39.88]]]}}}}]}}"#
        );
        let g = super::super::geojson::parse(geojson.as_bytes()).expect("reads");
        let expected: Vec<String> =
            g.warnings.iter().map(|w| w.to_string().replace("(0, 1)", "(row 3, row 4)")).collect();
        assert_eq!(said, expected, "the same warnings, naming rows instead of indices");
        assert_eq!(said.len(), 2, "{said:?}");
        assert!(said[0].starts_with("2 features (row 3, row 4): repeated consecutive positions"), "{said:?}");
    }

    #[test]
    fn tables_by_any_of_their_extensions_and_a_geojson_saved_as_text() {
        let of = |name: &str, head: &[u8]| Format::of(Path::new(name), head);
        for name in ["a.csv", "a.TSV", "a.xlsx", "a.xlsm", "a.xlsb", "a.XLS", "a.txt"] {
            assert_eq!(of(name, b"lon,lat\n116,39\n"), Format::Table, "{name}");
        }
        assert_eq!(of("a.txt", b"\xef\xbb\xbf \n{\"type\":"), Format::GeoJson, "JSON text is GeoJSON");
        assert_eq!(of("a.txt", b"{\"type\":\"Feature"), Format::GeoJson);
        assert_eq!(of("a.txt", b""), Format::Table);
        for ext in ["csv", "tsv", "txt", "xlsx", "xlsm", "xlsb", "xls"] {
            assert!(OPEN_EXTENSIONS.contains(&ext), "the dialogs offer .{ext}");
        }
    }

    #[test]
    fn an_unusable_feature_is_left_out_with_its_place_and_an_empty_file_is_one_error() {
        let bad = Geometry::LineString(geo::LineString::from(vec![(116.0, 39.0)]));
        let good = Geometry::Point(Point::new(116.4, 39.9));
        let l = assemble(bare(&[(&bad, "record 7"), (&good, "record 8")]), None).expect("reads");
        assert_eq!(l.plan.len(), 1);
        assert!(l.warnings.iter().any(|w| w.place == "record 7"), "{:?}", l.warnings);
        let Err(e) = assemble(bare(&[(&bad, "record 1")]), None) else { panic!("nothing usable") };
        assert!(e.to_string().starts_with("record 1: no usable feature"), "{e}");
        let Err(e) = assemble(Collected::default(), None) else { panic!("empty") };
        assert!(e.to_string().contains("holds no features"), "{e}");
    }
}
