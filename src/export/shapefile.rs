//! The plan of one phase as ESRI Shapefiles, for design institutes and GIS
//! tools that take nothing else: one file set per geometry type present
//! (`NAME_polygons`, `NAME_lines`, `NAME_points`; just `NAME` when there is
//! one type), each a `.shp` + `.shx` + `.dbf` (UTF-8 text) + `.cpg` + `.prj`
//! (the ESRI WKT GDAL writes for the system), with `NAME_fields.csv` telling
//! the full column name behind each 10-character dBASE name. Or all of it in
//! one zip.
//!
//! The columns are those of the GIS GeoJSON export
//! ([`super::tables::phase_features`]), without its web-viewer colours; each geometry is
//! moved into the output system as it is written, with no copy of the plan. Text
//! columns are as wide as their longest value (at most 254 bytes; a longer
//! value is cut at a character boundary and the fields file says how many
//! were); columns holding only numbers are numeric, only true/false logical.
//!
//! Shapes are written with the `shapefile` crate; the `.dbf` here, to size
//! and name its columns as above. Every file is first written beside its
//! destination and renamed into place once all are written.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use geo::Geometry;
use serde_json::{Map, Value};

use super::progress::{EVERY, Stage, Watch, check};
use crate::error::ExportError;
use crate::io::crs::Crs;
use crate::model::{Phase, Plan};

/// The widest dBASE text column, in bytes.
const MAX_TEXT: usize = 254;

/// What was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    pub features: usize,
    /// Shapefile sets (one per geometry type).
    pub sets: usize,
}

/// The geometry types a shapefile holds one of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Group {
    Polygons,
    Lines,
    Points,
}

impl Group {
    fn suffix(self) -> &'static str {
        match self {
            Group::Polygons => "polygons",
            Group::Lines => "lines",
            Group::Points => "points",
        }
    }
}

/// A file's name and bytes.
type NamedFile = (String, Vec<u8>);

/// A set's `.shp` and `.shx`, and the rows whose shapes they hold.
type Shapes<'a> = (Vec<u8>, Vec<u8>, Vec<&'a Row>);

/// One feature as written: its columns and its geometry in the output system.
struct Row {
    props: Map<String, Value>,
    geometry: Geometry<f64>,
}

/// A dBASE column.
#[derive(Clone, Debug, PartialEq)]
struct Column {
    long: String,
    short: String,
    kind: ColumnKind,
    /// Values cut to fit [`MAX_TEXT`].
    cut: usize,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum ColumnKind {
    Text { width: usize },
    Number { width: usize, decimals: usize },
    Logical,
}

impl ColumnKind {
    fn width(self) -> usize {
        match self {
            ColumnKind::Text { width } | ColumnKind::Number { width, .. } => width,
            ColumnKind::Logical => 1,
        }
    }
}

/// Writes the plan in `phase` as shapefiles at `out` (`NAME.shp`, or all in one zip when `out` is
/// `NAME.zip`), in `crs` (WGS 84 when `None`). `date` (YYYY-MM-DD; empty: today) goes in the `.dbf` headers.
/// `watch` hears of every [`EVERY`]th feature taken and of the writing, and may stop it before anything is replaced.
pub fn write(
    plan: &Plan,
    phase: &Phase,
    crs: Option<Crs>,
    out: &Path,
    date: &str,
    watch: Watch,
) -> Result<Summary, ExportError> {
    let zip = out.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    // Every feature a step, and writing the last one.
    let total = plan.len() + 1;
    let rows = rows(plan, phase, crs, watch, total)?;
    let base = out.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "plan".into());
    let today;
    let date = if date.is_empty() {
        today = crate::model::item::today();
        today.as_str()
    } else {
        date
    };
    let (files, summary) = files(&rows, &base, crs, date)?;
    let dir = out.parent().filter(|p| !p.as_os_str().is_empty()).map(Path::to_path_buf).unwrap_or_default();
    if zip {
        let mut zw = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in &files {
            zw.start_file(name.as_str(), opts).map_err(|e| ExportError::Shapefile(format!("zip: {e}")))?;
            zw.write_all(bytes).map_err(|e| ExportError::Shapefile(format!("zip: {e}")))?;
        }
        let bytes = zw.finish().map_err(|e| ExportError::Shapefile(format!("zip: {e}")))?.into_inner();
        super::progress::save(out, &bytes, watch, total - 1, total)?;
    } else {
        save_all(&dir, &files, &|| check(watch, total - 1, total, Stage::Writing))?;
    }
    Ok(summary)
}

/// Writes every file beside its destination, then renames them all into place if `go_on`
/// (asked before and after writing) still agrees; on a failure or a stop the written
/// temporary files are removed and nothing is replaced.
fn save_all(
    dir: &Path,
    files: &[(String, Vec<u8>)],
    go_on: &dyn Fn() -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    go_on()?;
    let mut temps: Vec<(PathBuf, PathBuf)> = Vec::new();
    let remove = |temps: &[(PathBuf, PathBuf)]| {
        for (tmp, _) in temps {
            let _ = std::fs::remove_file(tmp);
        }
    };
    for (name, bytes) in files {
        let dest = dir.join(name);
        match crate::io::write::write_temp(&dest, bytes) {
            Ok(tmp) => temps.push((tmp, dest)),
            Err(e) => {
                remove(&temps);
                return Err(e.into());
            }
        }
    }
    if let Err(e) = go_on() {
        remove(&temps);
        return Err(e);
    }
    for (i, (tmp, dest)) in temps.iter().enumerate() {
        if let Err(e) = crate::io::write::commit_file(tmp, dest) {
            remove(&temps[i..]);
            return Err(e.into());
        }
    }
    Ok(())
}

/// The features of the GIS GeoJSON export (without its colours), each geometry moved into the
/// output system as it is taken (a position the system cannot take is left as it is).
/// `watch` hears of every [`EVERY`]th feature, of `total` steps.
fn rows(plan: &Plan, phase: &Phase, crs: Option<Crs>, watch: Watch, total: usize) -> Result<Vec<Row>, ExportError> {
    use geo::MapCoordsInPlace;
    let mut rows = Vec::new();
    for (i, f) in super::tables::phase_features(plan, phase).enumerate() {
        if i % EVERY == 0 {
            check(watch, i, total, Stage::Features)?;
        }
        let props = f.properties;
        let mut geometry = f.geometry.clone();
        if let Some(c) = crs.filter(|c| *c != Crs::Wgs84) {
            geometry.map_coords_in_place(|p| match c.from_wgs84(p.x, p.y) {
                Some((x, y)) => geo::Coord { x, y },
                None => p,
            });
        }
        // A collection's parts go to the files of their types, each with the feature's columns.
        match geometry {
            Geometry::GeometryCollection(gc) => {
                rows.extend(gc.0.into_iter().map(|geometry| Row { props: props.clone(), geometry }))
            }
            geometry => rows.push(Row { props, geometry }),
        }
    }
    Ok(rows)
}

fn group_of(g: &Geometry<f64>) -> Option<Group> {
    match g {
        Geometry::Point(_) | Geometry::MultiPoint(_) => Some(Group::Points),
        Geometry::Line(_) | Geometry::LineString(_) | Geometry::MultiLineString(_) => Some(Group::Lines),
        Geometry::Polygon(_) | Geometry::MultiPolygon(_) | Geometry::Rect(_) | Geometry::Triangle(_) => {
            Some(Group::Polygons)
        }
        Geometry::GeometryCollection(_) => None,
    }
}

/// Every file's name and bytes.
fn files(rows: &[Row], base: &str, crs: Option<Crs>, date: &str) -> Result<(Vec<NamedFile>, Summary), ExportError> {
    let mut columns = columns(rows);
    let mut groups: Vec<Group> = rows.iter().filter_map(|r| group_of(&r.geometry)).collect();
    groups.sort();
    groups.dedup();
    let mut files = Vec::new();
    let mut features = 0;
    for &group in &groups {
        let name = if groups.len() == 1 { base.to_string() } else { format!("{base}_{}", group.suffix()) };
        let mine: Vec<&Row> = rows.iter().filter(|r| group_of(&r.geometry) == Some(group)).collect();
        let (shp, shx, kept) = shapes(&mine, group)?;
        features += kept.len();
        // The set's columns: those any of its features has.
        let used: Vec<&Column> = columns
            .iter()
            .filter(|c| kept.iter().any(|r| r.props.get(&c.long).is_some_and(|v| !v.is_null())))
            .collect();
        let dbf = dbf(&kept, &used, date)?;
        files.push((format!("{name}.shp"), shp));
        files.push((format!("{name}.shx"), shx));
        files.push((format!("{name}.dbf"), dbf));
        files.push((format!("{name}.cpg"), b"UTF-8".to_vec()));
        if let Some(wkt) = wkt(crs.unwrap_or(Crs::Wgs84)) {
            files.push((format!("{name}.prj"), wkt.into_bytes()));
        }
    }
    // Cut values counted once per column, over all sets.
    for c in &mut columns {
        if !matches!(c.kind, ColumnKind::Text { .. }) {
            continue;
        }
        c.cut = rows.iter().filter_map(|r| r.props.get(&c.long)).filter(|v| text_of(v).len() > MAX_TEXT).count();
    }
    files.push((format!("{base}_fields.csv"), fields_csv(&columns).into_bytes()));
    Ok((files, Summary { features, sets: groups.len() }))
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The columns of all rows, in the order they first appear, typed and named for dBASE.
fn columns(rows: &[Row]) -> Vec<Column> {
    let mut longs: Vec<String> = Vec::new();
    for r in rows {
        for k in r.props.keys() {
            if !longs.contains(k) {
                longs.push(k.clone());
            }
        }
    }
    let mut taken: Vec<String> = Vec::new();
    longs
        .into_iter()
        .map(|long| {
            let values: Vec<&Value> = rows.iter().filter_map(|r| r.props.get(&long)).filter(|v| !v.is_null()).collect();
            let short = unique_short(&long, &mut taken);
            Column { kind: kind_of(&values), long, short, cut: 0 }
        })
        .collect()
}

fn kind_of(values: &[&Value]) -> ColumnKind {
    if !values.is_empty() && values.iter().all(|v| v.is_boolean()) {
        return ColumnKind::Logical;
    }
    if !values.is_empty() && values.iter().all(|v| v.is_number()) {
        let decimals = values.iter().map(|v| decimals_of(v)).max().unwrap_or(0);
        let width = values.iter().map(|v| number_text(v, decimals).len()).max().unwrap_or(1);
        if width <= 32 {
            return ColumnKind::Number { width: width.max(1), decimals };
        }
    }
    let width = values.iter().map(|v| text_of(v).len()).max().unwrap_or(1).clamp(1, MAX_TEXT);
    ColumnKind::Text { width }
}

/// Decimals a number needs to be written exactly (at most 15).
fn decimals_of(v: &Value) -> usize {
    match v.as_f64() {
        Some(x) if !(v.is_i64() || v.is_u64()) => {
            let s = format!("{x}");
            s.split_once('.').map_or(0, |(_, d)| d.len()).min(15)
        }
        _ => 0,
    }
}

fn number_text(v: &Value, decimals: usize) -> String {
    if let Some(i) = v.as_i64().filter(|_| decimals == 0) {
        return i.to_string();
    }
    if let Some(u) = v.as_u64().filter(|_| decimals == 0) {
        return u.to_string();
    }
    format!("{:.*}", decimals, v.as_f64().unwrap_or(0.0))
}

/// A name of at most 10 bytes: known long names shortened by hand, `_zh`/`_en` kept at the
/// end, units dropped, else cut; made unique (case-insensitively) with `_1`, `_2`, ….
fn unique_short(long: &str, taken: &mut Vec<String>) -> String {
    let mut short = short_name(long);
    let mut n = 1;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&short)) {
        let tail = format!("_{n}");
        short = format!("{}{tail}", cut(&short_name(long), 10 - tail.len()));
        n += 1;
    }
    taken.push(short.clone());
    short
}

fn short_name(long: &str) -> String {
    let long = if long.is_empty() { "field" } else { long };
    if long.len() <= 10 {
        return long.to_string();
    }
    let known = match long {
        "feature_key" => Some("feat_key"),
        "items_count" => Some("items_n"),
        "floor_area_m2" => Some("floor_area"),
        "rotation_deg" => Some("rotation"),
        "street_class" => Some("street_cls"),
        "structure_type" => Some("struct_typ"),
        "host_building" => Some("host_bldg"),
        "infrastructure" => Some("infra"),
        _ => None,
    };
    if let Some(k) = known {
        return k.to_string();
    }
    for suffix in ["_zh", "_en"] {
        if let Some(stem) = long.strip_suffix(suffix) {
            return format!("{}{suffix}", cut(stem, 10 - suffix.len()));
        }
    }
    for unit in ["_m2", "_m", "_deg", "_ha", "_yuan"] {
        if let Some(stem) = long.strip_suffix(unit)
            && stem.len() <= 10
        {
            return stem.to_string();
        }
    }
    cut(long, 10).to_string()
}

/// The longest start of `s` of at most `max` bytes that ends at a character boundary.
fn cut(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// `short,long,type,width,note` for every column, UTF-8 with a BOM (Excel).
fn fields_csv(columns: &[Column]) -> String {
    use super::tables::csv_field;
    let mut out = String::from("\u{feff}short,long,type,width,note\r\n");
    for c in columns {
        let (kind, width) = match c.kind {
            ColumnKind::Text { width } => ("text", width.to_string()),
            ColumnKind::Number { width, decimals } => ("number", format!("{width}.{decimals}")),
            ColumnKind::Logical => ("logical", "1".into()),
        };
        let note = match c.cut {
            0 => String::new(),
            1 => format!("1 value longer than {MAX_TEXT} bytes was cut"),
            n => format!("{n} values longer than {MAX_TEXT} bytes were cut"),
        };
        let row = [csv_field(&c.short), csv_field(&c.long), kind.into(), width, csv_field(&note)];
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The `.shp` and `.shx` of one set, and the rows whose shapes were written (a shape with no
/// usable part, e.g. a line of one point, is left out with its row).
fn shapes<'a>(rows: &[&'a Row], group: Group) -> Result<Shapes<'a>, ExportError> {
    use shapefile::{Multipoint, Point, Polygon, PolygonRing, Polyline};
    let pt = |c: &geo::Coord<f64>| Point::new(c.x, c.y);
    let err = |e: shapefile::Error| ExportError::Shapefile(e.to_string());
    let mut shp = Vec::new();
    let mut shx = Vec::new();
    let mut kept = Vec::new();
    {
        let mut w = shapefile::ShapeWriter::with_shx(Cursor::new(&mut shp), Cursor::new(&mut shx));
        match group {
            Group::Points => {
                let multi = rows.iter().any(|r| matches!(&r.geometry, Geometry::MultiPoint(m) if m.0.len() != 1));
                for r in rows {
                    let pts: Vec<Point> = match &r.geometry {
                        Geometry::Point(p) => vec![pt(&p.0)],
                        Geometry::MultiPoint(m) => m.0.iter().map(|p| pt(&p.0)).collect(),
                        _ => continue,
                    };
                    if pts.is_empty() {
                        continue;
                    }
                    if multi {
                        w.write_shape(&Multipoint::new(pts)).map_err(err)?;
                    } else {
                        w.write_shape(&pts[0]).map_err(err)?;
                    }
                    kept.push(*r);
                }
            }
            Group::Lines => {
                for r in rows {
                    let parts: Vec<Vec<Point>> = match &r.geometry {
                        Geometry::LineString(l) => vec![l.0.iter().map(pt).collect()],
                        Geometry::MultiLineString(m) => m.0.iter().map(|l| l.0.iter().map(pt).collect()).collect(),
                        Geometry::Line(l) => vec![vec![pt(&l.start), pt(&l.end)]],
                        _ => continue,
                    };
                    let parts: Vec<Vec<Point>> = parts.into_iter().filter(|p| p.len() >= 2).collect();
                    if parts.is_empty() {
                        continue;
                    }
                    w.write_shape(&Polyline::with_parts(parts)).map_err(err)?;
                    kept.push(*r);
                }
            }
            Group::Polygons => {
                for r in rows {
                    let polys: Vec<geo::Polygon<f64>> = match &r.geometry {
                        Geometry::Polygon(p) => vec![p.clone()],
                        Geometry::MultiPolygon(m) => m.0.clone(),
                        Geometry::Rect(x) => vec![x.to_polygon()],
                        Geometry::Triangle(t) => vec![t.to_polygon()],
                        _ => continue,
                    };
                    // Outer rings clockwise, holes counter-clockwise: `with_rings` orders them.
                    let mut rings = Vec::new();
                    for p in &polys {
                        if p.exterior().0.len() < 3 {
                            continue;
                        }
                        rings.push(PolygonRing::Outer(p.exterior().0.iter().map(pt).collect()));
                        for h in p.interiors().iter().filter(|h| h.0.len() >= 3) {
                            rings.push(PolygonRing::Inner(h.0.iter().map(pt).collect()));
                        }
                    }
                    if rings.is_empty() {
                        continue;
                    }
                    w.write_shape(&Polygon::with_rings(rings)).map_err(err)?;
                    kept.push(*r);
                }
            }
        }
        w.finalize().map_err(err)?;
    }
    Ok((shp, shx, kept))
}

/// A dBASE III table: UTF-8 text (no language driver id stands for UTF-8: byte 29 is 0, the
/// `.cpg` says it), one record per row.
fn dbf(rows: &[&Row], columns: &[&Column], date: &str) -> Result<Vec<u8>, ExportError> {
    let record_len = 1 + columns.iter().map(|c| c.kind.width()).sum::<usize>();
    let header_len = 32 + 32 * columns.len() + 1;
    if record_len > usize::from(u16::MAX) || header_len > usize::from(u16::MAX) {
        return Err(ExportError::Shapefile(format!(
            "{} columns of {record_len} bytes a record do not fit a dBASE table (at most 65,535 bytes)",
            columns.len()
        )));
    }
    let mut b = Vec::with_capacity(header_len + record_len * rows.len() + 1);
    b.push(0x03);
    let part = |r: std::ops::Range<usize>| date.get(r).and_then(|s| s.parse::<u16>().ok()).unwrap_or(0);
    b.push(part(0..4).saturating_sub(1900).min(255) as u8);
    b.push(part(5..7).min(12) as u8);
    b.push(part(8..10).min(31) as u8);
    b.extend_from_slice(&(rows.len() as u32).to_le_bytes());
    b.extend_from_slice(&(header_len.min(u16::MAX as usize) as u16).to_le_bytes());
    b.extend_from_slice(&(record_len.min(u16::MAX as usize) as u16).to_le_bytes());
    b.extend_from_slice(&[0u8; 20]);
    for c in columns {
        let mut d = [0u8; 32];
        let name = cut(&c.short, 10).as_bytes();
        d[..name.len()].copy_from_slice(name);
        let (kind, width, decimals) = match c.kind {
            ColumnKind::Text { width } => (b'C', width, 0),
            ColumnKind::Number { width, decimals } => (b'N', width, decimals),
            ColumnKind::Logical => (b'L', 1, 0),
        };
        d[11] = kind;
        d[16] = width as u8;
        d[17] = decimals as u8;
        b.extend_from_slice(&d);
    }
    b.push(0x0D);
    for r in rows {
        b.push(b' ');
        for c in columns {
            let v = r.props.get(&c.long).unwrap_or(&Value::Null);
            match c.kind {
                ColumnKind::Text { width } => {
                    let t = text_of(v);
                    let t = cut(&t, width).as_bytes();
                    b.extend_from_slice(t);
                    b.resize(b.len() + width - t.len(), b' ');
                }
                ColumnKind::Number { width, decimals } => {
                    let t = if v.is_number() { number_text(v, decimals) } else { String::new() };
                    b.resize(b.len() + width.saturating_sub(t.len()), b' ');
                    b.extend_from_slice(cut(&t, width).as_bytes());
                }
                ColumnKind::Logical => b.push(match v {
                    Value::Bool(true) => b'T',
                    Value::Bool(false) => b'F',
                    _ => b'?',
                }),
            }
        }
    }
    b.push(0x1A);
    Ok(b)
}

const GCS_WGS84: &str = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
const GCS_CGCS2000: &str = r#"GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;

/// The ESRI WKT GDAL writes in a `.prj` for a system; `None` for GCJ-02 and BD-09, which have none.
/// A transverse Mercator system's parameters are the ones the app projects with ([`Crs::transverse_mercator`]).
pub fn wkt(crs: Crs) -> Option<String> {
    let (name, gcs, projection) = match crs {
        Crs::Wgs84 => return Some(GCS_WGS84.to_string()),
        Crs::Cgcs2000 => return Some(GCS_CGCS2000.to_string()),
        Crs::WebMercator => {
            return Some(format!(
                r#"PROJCS["WGS_1984_Web_Mercator_Auxiliary_Sphere",{GCS_WGS84},PROJECTION["Mercator_Auxiliary_Sphere"],PARAMETER["False_Easting",0.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",0.0],PARAMETER["Standard_Parallel_1",0.0],PARAMETER["Auxiliary_Sphere_Type",0.0],UNIT["Meter",1.0]]"#
            ));
        }
        Crs::Gcj02 | Crs::Bd09 => return None,
        Crs::GaussKruger { .. } => {
            let tm = crs.transverse_mercator()?;
            let name = match crs.gauss_kruger_zone() {
                Some(zone) => format!("CGCS2000_3_Degree_GK_Zone_{zone}"),
                None => format!("CGCS2000_3_Degree_GK_CM_{:.0}E", tm.central_meridian),
            };
            (name, GCS_CGCS2000, "Gauss_Kruger")
        }
        Crs::Utm { zone, north } => {
            (format!("WGS_1984_UTM_Zone_{zone}{}", if north { 'N' } else { 'S' }), GCS_WGS84, "Transverse_Mercator")
        }
    };
    let tm = crs.transverse_mercator()?;
    Some(format!(
        r#"PROJCS["{name}",{gcs},PROJECTION["{projection}"],PARAMETER["False_Easting",{:?}],PARAMETER["False_Northing",{:?}],PARAMETER["Central_Meridian",{:?}],PARAMETER["Scale_Factor",{:?}],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#,
        tm.false_easting, tm.false_northing, tm.central_meridian, tm.scale
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_become_unique_ten_byte_names() {
        let mut taken = Vec::new();
        let mut s = |n: &str| unique_short(n, &mut taken);
        assert_eq!(s("feature_key"), "feat_key");
        assert_eq!(s("floor_area_m2"), "floor_area");
        assert_eq!(s("subdistrict_zh"), "subdist_zh");
        assert_eq!(s("subdistrict_en"), "subdist_en");
        assert_eq!(s("name"), "name");
        assert_eq!(s("NAME"), "NAME_1");
        assert_eq!(s("建筑面积平方米"), "建筑面");
        assert_eq!(s("建筑面积平方米二"), "建筑_1");
        assert_eq!(s("a_very_long_column"), "a_very_lon");
        assert_eq!(s("a_very_long_column_2"), "a_very_l_1");
    }

    #[test]
    fn prj_of_every_system_is_what_gdal_writes() {
        let gk = wkt(Crs::GaussKruger { epsg: 4527 }).expect("a prj");
        assert_eq!(
            gk,
            r#"PROJCS["CGCS2000_3_Degree_GK_Zone_39",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",39500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",117.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#
        );
        // Every written system reads back.
        for code in [4326, 4490, 3857, 4513, 4527, 4533, 4534, 4548, 4554, 32650, 32750, 32601] {
            let c = Crs::from_epsg(code).expect("known");
            let text = wkt(c).expect("a prj");
            assert_eq!(crate::io::shapefile::crs_of_prj(&text), Ok(c), "{code}: {text}");
        }
        assert_eq!(wkt(Crs::Gcj02), None);
    }

    #[test]
    fn numbers_text_and_logicals_are_sized_to_their_values_and_long_text_is_cut() {
        let row = |v: Value| Row {
            props: [("v".to_string(), v)].into_iter().collect(),
            geometry: geo::point!(x: 1.0, y: 2.0).into(),
        };
        let rows = [row(Value::from(12)), row(Value::from(3.25)), row(Value::Null)];
        let cols = columns(&rows);
        assert_eq!(cols[0].kind, ColumnKind::Number { width: 5, decimals: 2 });
        let rows = [row(Value::Bool(true)), row(Value::Bool(false))];
        assert_eq!(columns(&rows)[0].kind, ColumnKind::Logical);
        let long = "楼".repeat(100); // 300 bytes
        let rows = [row(Value::String(long)), row(Value::from(7))];
        let cols = columns(&rows);
        assert_eq!(cols[0].kind, ColumnKind::Text { width: MAX_TEXT });
        let refs: Vec<&Row> = rows.iter().collect();
        let col_refs: Vec<&Column> = cols.iter().collect();
        let table = dbf(&refs, &col_refs, "2026-01-02").expect("a table");
        // 252 bytes of whole characters, then padding: never half a character.
        let first = &table[32 + 32 + 1 + 1..32 + 32 + 1 + 1 + MAX_TEXT];
        assert_eq!(std::str::from_utf8(first).expect("UTF-8").trim_end(), "楼".repeat(84));
        assert_eq!(&table[1..4], &[126, 1, 2]);
    }
}
