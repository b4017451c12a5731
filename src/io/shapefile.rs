//! Reading ESRI Shapefiles: the `.shp` (shapes) with its `.shx` (index),
//! `.dbf` (attributes), `.prj` (coordinate system) and `.cpg` (code page),
//! given the path of any of them, or a `.zip` holding one set or several
//! (then each feature gets a `layer` property naming its set).
//!
//! Shapes are read with the `shapefile` crate; every type (points,
//! multipoints, polylines, polygons and their Z/M forms) becomes 2D. Polygon
//! rings are grouped as the format defines them: clockwise rings are outer
//! rings, counter-clockwise ones holes, each hole belonging to the smallest
//! outer ring that contains it.
//!
//! The `.dbf` is read here rather than by the `dbase` crate, because its
//! text encoding can only be decided after looking at the bytes: the `.cpg`
//! when there is one, else the dBASE header's language driver id, else UTF-8
//! when every text is valid UTF-8, else GB18030 (a superset of GBK, what
//! Chinese shapefiles without a `.cpg` are written in).
//!
//! The `.prj` names the coordinate system: its EPSG code when the WKT has one,
//! else the system's name as ArcGIS and GDAL write it
//! (`CGCS2000_3_Degree_GK_Zone_39`, `WGS_1984_UTM_Zone_50N`, …). A system the
//! app does not know is one warning, and the coordinates are read by their numbers.
//!
//! Nothing in a file can crash the reader: the header is checked against the
//! file's size before the crate sees it, and, as the last resort, a panic in
//! the crate becomes a one-line error ([`std::panic::catch_unwind`]).

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use encoding_rs::Encoding;
use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
use serde_json::{Map, Value};

use super::crs::Crs;
use super::foreign::{Collected, Found, assemble};
use super::{LoadError, Loaded, ReadOptions, Warning};

/// The most a zip may unpack to (the members a shapefile needs), besides the memory check.
const MAX_UNZIPPED: u64 = 4 << 30;

/// One shapefile's files, read into memory.
#[derive(Default)]
struct Set {
    /// The file name without its extension, for messages and the `layer` property.
    name: String,
    shp: Option<Vec<u8>>,
    shx: Option<Vec<u8>>,
    dbf: Option<Vec<u8>>,
    prj: Option<Vec<u8>>,
    cpg: Option<Vec<u8>>,
    /// `NAME_fields.csv` as the app writes it: the full column names behind the 10-character ones.
    fields: Option<Vec<u8>>,
}

impl Set {
    fn slot(&mut self, ext: &str) -> Option<&mut Option<Vec<u8>>> {
        match ext {
            "shp" => Some(&mut self.shp),
            "shx" => Some(&mut self.shx),
            "dbf" => Some(&mut self.dbf),
            "prj" => Some(&mut self.prj),
            "cpg" => Some(&mut self.cpg),
            _ => None,
        }
    }
}

/// Loads a plan from a shapefile (any of its files) or a zip holding shapefiles.
pub fn load(path: &Path, opts: &ReadOptions) -> Result<Loaded, LoadError> {
    let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let bytes_head = {
        let mut head = [0u8; 4];
        let n = std::fs::File::open(path)?.read(&mut head)?;
        head[..n].to_vec()
    };
    // Progress is reported in bytes of the file opened, the window's total.
    let file_len = std::fs::metadata(path)?.len();
    let sets = if ext == "zip" || bytes_head.starts_with(b"PK") {
        let size = file_len;
        super::memory::check_fits(size.saturating_mul(4))?;
        let bytes = std::fs::read(path)?;
        match unzip(&bytes, &file_name(path))? {
            Unzipped::Sets(sets) => sets,
            Unzipped::Kml => return super::kml::load(path, opts),
        }
    } else {
        vec![siblings(path)?]
    };
    read_sets(sets, opts, file_len)
}

/// Reads a shapefile from bytes: a zip holding one or more sets, else a `.shp` alone
/// (no attributes, no coordinate system). For tests and fuzzing.
pub fn load_bytes(bytes: &[u8], opts: &ReadOptions) -> Result<Loaded, LoadError> {
    let sets = if bytes.starts_with(b"PK") {
        match unzip(bytes, "the zip")? {
            Unzipped::Sets(sets) => sets,
            Unzipped::Kml => {
                return Err(malformed("the zip", "holds a KML, not a shapefile: open it as a .kmz"));
            }
        }
    } else {
        vec![Set { name: "the .shp".into(), shp: Some(bytes.to_vec()), ..Default::default() }]
    };
    read_sets(sets, opts, bytes.len() as u64)
}

fn malformed(place: impl Into<String>, message: impl Into<String>) -> LoadError {
    LoadError::Malformed { place: place.into(), message: message.into() }
}

/// Text from a file shown in a message: control characters (a line break would split the
/// one-line message) become `?`, and at most 100 characters are kept.
fn printable(s: &str) -> String {
    s.chars().take(100).map(|c| if c.is_control() { '?' } else { c }).collect()
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}

/// The names a set's `_fields.csv` may have: `NAME_fields.csv`, or for `NAME_polygons` (lines, points)
/// the one the app writes beside the three.
fn fields_names(stem: &str) -> Vec<String> {
    let mut names = vec![format!("{stem}_fields.csv")];
    for suffix in ["_polygons", "_lines", "_points"] {
        if let Some(base) = stem.strip_suffix(suffix) {
            names.push(format!("{base}_fields.csv"));
        }
    }
    names
}

/// The files of the set `path` belongs to, found case-insensitively next to it (`A.SHP`, `a.dbf`).
fn siblings(path: &Path) -> Result<Set, LoadError> {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut found: Vec<(String, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(dir)?.flatten() {
        let p = entry.path();
        let same = p.file_stem().is_some_and(|s| s.to_string_lossy().eq_ignore_ascii_case(&stem));
        if let (true, Some(e)) = (same, p.extension()) {
            let e = e.to_string_lossy().to_ascii_lowercase();
            // Only the files read count for the memory check (not a `site.tif` beside `site.shp`).
            if matches!(e.as_str(), "shp" | "shx" | "dbf" | "prj" | "cpg") {
                found.push((e, p));
            }
        }
    }
    let total: u64 = found.iter().filter_map(|(_, p)| std::fs::metadata(p).ok()).map(|m| m.len()).sum();
    super::memory::check_fits(total.saturating_mul(4))?;
    let mut set = Set { name: stem.clone(), ..Default::default() };
    for (ext, p) in found {
        if let Some(slot) = set.slot(&ext) {
            *slot = Some(std::fs::read(&p)?);
        }
    }
    for name in fields_names(&stem) {
        let p = dir.join(name);
        if std::fs::metadata(&p).is_ok_and(|m| m.len() < 1 << 20) {
            set.fields = std::fs::read(&p).ok();
            break;
        }
    }
    if set.shp.is_none() {
        return Err(malformed(
            format!("{stem}.shp"),
            "is missing: a shapefile's shapes are in its .shp, which must lie next to the .dbf and .shx",
        ));
    }
    Ok(set)
}

enum Unzipped {
    Sets(Vec<Set>),
    /// No shapefile but a KML: a KMZ by another name.
    Kml,
}

/// The shapefile sets in a zip, each member read into memory (capped by its stated size and [`MAX_UNZIPPED`]).
fn unzip(bytes: &[u8], place: &str) -> Result<Unzipped, LoadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| malformed(place, format!("is not a readable zip ({e})")))?;
    let mut sets: Vec<Set> = Vec::new();
    let mut fields: Vec<(String, Vec<u8>)> = Vec::new();
    let mut kml = false;
    let mut unzipped = 0u64;
    for i in 0..zip.len() {
        let mut member = zip.by_index(i).map_err(|e| malformed(place, format!("member {}: {e}", i + 1)))?;
        if member.is_dir() {
            continue;
        }
        // Names from Chinese Windows are GBK without the UTF-8 flag.
        let raw = member.name_raw().to_vec();
        // Control characters (a line break would split a one-line message) become `?`.
        let name: String = match std::str::from_utf8(&raw) {
            Ok(s) => s.to_string(),
            Err(_) => encoding_rs::GB18030.decode(&raw).0.into_owned(),
        }
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
        if name.starts_with("__MACOSX/") || name.rsplit('/').next().is_some_and(|n| n.starts_with("._")) {
            continue;
        }
        let (base, ext) = match name.rsplit_once('.') {
            Some((b, e)) => (b.to_string(), e.to_ascii_lowercase()),
            None => continue,
        };
        if ext == "kml" {
            kml = true;
        }
        let is_fields = ext == "csv" && base.ends_with("_fields");
        if !matches!(ext.as_str(), "shp" | "shx" | "dbf" | "prj" | "cpg") && !is_fields {
            continue;
        }
        let size = member.size();
        unzipped = unzipped.saturating_add(size);
        if unzipped > MAX_UNZIPPED {
            return Err(malformed(place, format!("unpacks to more than {} GB", MAX_UNZIPPED >> 30)));
        }
        super::memory::check_fits(unzipped.saturating_mul(3))?;
        let mut data = Vec::new();
        (&mut member)
            .take(size.saturating_add(1))
            .read_to_end(&mut data)
            .map_err(|e| malformed(format!("{place}, {name}"), format!("cannot be unpacked ({e})")))?;
        if data.len() as u64 != size {
            return Err(malformed(format!("{place}, {name}"), "unpacks to another size than the zip says"));
        }
        if is_fields {
            fields.push((format!("{base}.csv").to_lowercase(), data));
            continue;
        }
        let key = base.to_lowercase();
        let idx = match sets.iter().position(|s| s.name.to_lowercase() == key) {
            Some(i) => i,
            None => {
                sets.push(Set { name: base.clone(), ..Default::default() });
                sets.len() - 1
            }
        };
        if let Some(slot) = sets[idx].slot(&ext) {
            *slot = Some(data);
        }
    }
    sets.retain(|s| s.shp.is_some());
    if sets.is_empty() {
        if kml {
            return Ok(Unzipped::Kml);
        }
        return Err(malformed(place, "holds no shapefile (.shp)"));
    }
    for s in &mut sets {
        let names = fields_names(&s.name.to_lowercase());
        s.fields = names.iter().find_map(|n| fields.iter().find(|(f, _)| f == n)).map(|(_, d)| d.clone());
    }
    // The layer name is the file's name without its folders, unless another set has that name too
    // (`2019/楼栋.shp`, `2020/楼栋.shp`): then the folders tell them apart.
    let short: Vec<String> =
        sets.iter().map(|s| s.name.rsplit('/').next().unwrap_or_default().to_lowercase()).collect();
    for (s, n) in sets.iter_mut().zip(&short) {
        if short.iter().filter(|m| *m == n).count() == 1
            && let Some((_, name)) = s.name.rsplit_once('/')
        {
            s.name = name.to_string();
        }
    }
    Ok(Unzipped::Sets(sets))
}

/// Reads every set and assembles one plan; several sets get a `layer` property each.
///
/// Each set is brought to WGS 84 on its own, as [`assemble`] brings any file: from the system
/// chosen, the one its `.prj` names, or the one its own numbers show. For one set the chosen
/// system wins over the `.prj` (as over a GeoJSON's `crs` member). In a zip of several sets,
/// which may each be in another system, a set whose `.prj` names a system the app knows keeps
/// it; the chosen system applies to the sets with no `.prj` or an unknown one.
///
/// Progress is reported in bytes of the file opened (`file_len`, the window's total): each set
/// its share of it, by how far into its `.shp` the reading is.
fn read_sets(sets: Vec<Set>, opts: &ReadOptions, file_len: u64) -> Result<Loaded, LoadError> {
    let n = sets.len() as f64;
    let report = |k: usize| {
        move |done: f64| {
            opts.progress.is_none_or(|p| p(((k as f64 + done.clamp(0.0, 1.0)) / n * file_len as f64) as u64))
        }
    };
    if sets.len() == 1 {
        let part = read_set(&sets[0], None, &report(0))?;
        return assemble(part, opts.crs);
    }
    let mut plan = crate::model::Plan::new(crate::model::PlanMeta::default());
    let mut warnings = Vec::new();
    let mut systems: Vec<Option<Crs>> = Vec::new();
    let mut first_error = None;
    for (k, set) in sets.iter().enumerate() {
        let part = read_set(set, Some(&set.name), &report(k))?;
        let chosen = part.crs.or(opts.crs);
        match assemble(part, chosen) {
            Ok(mut loaded) => {
                warnings.append(&mut loaded.warnings);
                systems.push(loaded.crs);
                for slot in loaded.plan.slots_mut() {
                    if let Some(f) = slot.take() {
                        plan.push(f);
                    }
                }
            }
            // A set with nothing usable is one warning; the others are read.
            Err(e @ LoadError::Malformed { .. }) => {
                warnings.push(Warning {
                    place: format!("layer {}", set.name),
                    message: format!("{e}; the layer is left out"),
                });
                first_error.get_or_insert(e);
            }
            Err(e) => return Err(e),
        }
    }
    if plan.is_empty() {
        return Err(first_error.unwrap_or_else(|| malformed("the zip", "holds no features")));
    }
    systems.dedup();
    // The system the sets were in: theirs when they share one, else (mixed) WGS 84, as the plan is now.
    let crs = match systems.as_slice() {
        [one] => *one,
        _ => Some(Crs::Wgs84),
    };
    Ok(Loaded { plan, warnings, crs })
}

/// The features of one set.
/// `progress` takes the share of the set read (0 to 1) and says whether to go on.
fn read_set(set: &Set, layer: Option<&str>, progress: &dyn Fn(f64) -> bool) -> Result<Collected, LoadError> {
    let name = set.name.as_str();
    let prefix = |what: &str| match layer {
        Some(l) => format!("layer {l}, {what}"),
        None => what.to_string(),
    };
    let mut out = Collected::default();
    let shp = set.shp.as_deref().unwrap_or_default();
    let shapes = read_shapes(shp, set.shx.as_deref(), &format!("{name}.shp"), &mut out.warnings, progress)?;
    let table = match set.dbf.as_deref() {
        Some(dbf) => {
            let enc = set.cpg.as_deref().and_then(|c| {
                let e = encoding_of_cpg(c);
                if e.is_none() {
                    out.warnings.push(Warning {
                        place: format!("{name}.cpg"),
                        message: format!(
                            "code page '{}' is not one the app knows; the text encoding is guessed",
                            printable(String::from_utf8_lossy(c).trim())
                        ),
                    });
                }
                e
            });
            let long = set.fields.as_deref().map(long_names).unwrap_or_default();
            Some(read_dbf(dbf, enc, &long, &format!("{name}.dbf"), &mut out.warnings)?)
        }
        None => {
            out.warnings.push(Warning {
                place: format!("{name}.dbf"),
                message: "is missing: the features are read without their attributes".into(),
            });
            None
        }
    };
    if let Some(t) = &table
        && t.records.len() != shapes.len()
    {
        out.warnings.push(Warning {
            place: format!("{name}.dbf"),
            message: format!(
                "has {} records and the .shp {} shapes; paired in order, the extra ones have no attributes or shape",
                t.records.len(),
                shapes.len()
            ),
        });
    }
    let mut nulls = 0usize;
    let mut records = table.map(|t| t.records.into_iter());
    for (i, shape) in shapes.into_iter().enumerate() {
        let place = prefix(&format!("record {}", i + 1));
        let record = records.as_mut().map(|r| r.next());
        let mut properties = match record {
            Some(Some(None)) => continue, // deleted in the .dbf
            Some(Some(Some(p))) => p,
            _ => Map::new(),
        };
        let Some(geometry) = shape else {
            nulls += 1;
            if nulls <= 5 {
                out.warnings.push(Warning { place, message: "has no shape (a null shape); left out".into() });
            }
            continue;
        };
        if let Some(l) = layer {
            properties.entry("layer").or_insert_with(|| Value::String(l.to_string()));
        }
        out.features.push(Found { geometry, properties, place });
    }
    if nulls > 5 {
        out.warnings.push(Warning {
            place: prefix(&format!("{} more records", nulls - 5)),
            message: "have no shape (null shapes); left out".into(),
        });
    }
    if let Some(prj) = &set.prj {
        let text = String::from_utf8_lossy(prj);
        match crs_of_prj(&text) {
            Ok(c) => out.crs = Some(c),
            Err(system) => out.warnings.push(Warning {
                place: format!("{name}.prj"),
                message: format!(
                    "coordinate system '{}' is not one the app knows; read by its numbers",
                    printable(&system)
                ),
            }),
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Shapes

/// The shapes of a `.shp` in record order, `None` for a null or unreadable shape.
fn read_shapes(
    shp: &[u8],
    shx: Option<&[u8]>,
    place: &str,
    warnings: &mut Vec<Warning>,
    progress: &dyn Fn(f64) -> bool,
) -> Result<Vec<Option<Geometry<f64>>>, LoadError> {
    check_header(shp, place)?;
    let stated = u64::from(u32::from_be_bytes([shp[24], shp[25], shp[26], shp[27]])) * 2;
    if stated > shp.len() as u64 {
        warnings.push(Warning {
            place: place.to_string(),
            message: format!(
                "ends at byte {} but its header says {stated}: the file is cut short, the shapes after the cut are missing",
                shp.len()
            ),
        });
    }
    // A usable index: a header and whole entries. Else the .shp is read in order.
    let shx = shx.filter(|x| {
        let ok = check_header(x, "").is_ok() && (x.len() - 100) % 8 == 0;
        if !ok {
            warnings.push(Warning {
                place: place.replace(".shp", ".shx"),
                message: "is not a usable index; the .shp is read in order instead".into(),
            });
        }
        ok
    });
    type Read = (Vec<Option<Geometry<f64>>>, Vec<Warning>);
    let run = || -> Result<Read, LoadError> {
        let mut shapes = Vec::new();
        let mut bad = Vec::new();
        let at = std::cell::Cell::new(0u64);
        let source = Tracked { inner: Cursor::new(shp), at: &at };
        let mut reader = match shx {
            Some(x) => shapefile::ShapeReader::with_shx(source, Cursor::new(x)),
            None => shapefile::ShapeReader::new(source),
        }
        .map_err(|e| malformed(place, format!("cannot be read ({e})")))?;
        let len = shp.len().max(1) as f64;
        for (i, shape) in reader.iter_shapes().enumerate() {
            if i % 1024 == 0 && !progress(at.get() as f64 / len) {
                return Err(LoadError::Cancelled);
            }
            match shape {
                Ok(s) => {
                    let (g, note) = geometry_of(s);
                    if let Some(message) = note {
                        bad.push(Warning { place: format!("{place}, record {}", i + 1), message });
                    }
                    shapes.push(g);
                }
                Err(e) => {
                    bad.push(Warning { place: format!("{place}, record {}", i + 1), message: format!("{e}") });
                    shapes.push(None);
                    if shx.is_none() {
                        // Reading in order, the next record's start is unknown after a bad one.
                        break;
                    }
                    if bad.len() > 1000 {
                        break;
                    }
                }
            }
        }
        Ok((shapes, bad))
    };
    let (shapes, bad) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run))
        .map_err(|_| malformed(place, "is damaged: reading its shapes failed unexpectedly"))??;
    let n = bad.len();
    warnings.extend(bad.into_iter().take(5));
    if n > 5 {
        warnings.push(Warning { place: format!("{place}: {} more records", n - 5), message: "cannot be read".into() });
    }
    if shapes.is_empty() && n > 0 {
        return Err(malformed(place, "is damaged: no shape in it can be read"));
    }
    Ok(shapes)
}

/// A reader that tells how far into the bytes it is, for progress.
struct Tracked<'a, 'b> {
    inner: Cursor<&'a [u8]>,
    at: &'b std::cell::Cell<u64>,
}

impl Read for Tracked<'_, '_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.at.set(self.inner.position());
        Ok(n)
    }
}

impl std::io::Seek for Tracked<'_, '_> {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        let p = self.inner.seek(pos)?;
        self.at.set(p);
        Ok(p)
    }
}

/// A `.shp`/`.shx` header: 100 bytes starting with the file code 9994, a known shape type.
fn check_header(b: &[u8], place: &str) -> Result<(), LoadError> {
    if b.len() < 100 {
        return Err(malformed(place, format!("is {} bytes, shorter than a shapefile's 100-byte header", b.len())));
    }
    if b[..4] != [0x00, 0x00, 0x27, 0x0a] {
        return Err(malformed(place, "is not a shapefile: it does not start with the file code 9994"));
    }
    let kind = i32::from_le_bytes([b[32], b[33], b[34], b[35]]);
    if !matches!(kind, 0 | 1 | 3 | 5 | 8 | 11 | 13 | 15 | 18 | 21 | 23 | 25 | 28 | 31) {
        return Err(malformed(place, format!("has an unknown shape type {kind}")));
    }
    Ok(())
}

fn xy<P: shapefile::record::traits::HasXY>(p: &P) -> Coord<f64> {
    Coord { x: p.x(), y: p.y() }
}

/// A shape as a 2D geometry (Z and M dropped), with a note when it is left out.
fn geometry_of(shape: shapefile::Shape) -> (Option<Geometry<f64>>, Option<String>) {
    use shapefile::Shape as S;
    fn points(pts: Vec<Coord<f64>>) -> Option<Geometry<f64>> {
        match pts.len() {
            0 => None,
            1 => Some(Point(pts[0]).into()),
            _ => Some(MultiPoint(pts.into_iter().map(Point).collect()).into()),
        }
    }
    fn lines(parts: Vec<Vec<Coord<f64>>>) -> Option<Geometry<f64>> {
        let mut parts: Vec<LineString<f64>> = parts.into_iter().filter(|p| !p.is_empty()).map(LineString).collect();
        match parts.len() {
            0 => None,
            1 => parts.pop().map(Geometry::LineString),
            _ => Some(MultiLineString(parts).into()),
        }
    }
    enum Kind {
        Points,
        Lines,
        Rings,
    }
    fn ring_parts<P: shapefile::record::traits::HasXY>(rings: &[shapefile::PolygonRing<P>]) -> Vec<Vec<Coord<f64>>> {
        rings.iter().map(|r| r.points().iter().map(xy).collect()).collect()
    }
    let (kind, parts): (Kind, Vec<Vec<Coord<f64>>>) = match shape {
        S::NullShape => return (None, None),
        S::Point(p) => (Kind::Points, vec![vec![xy(&p)]]),
        S::PointM(p) => (Kind::Points, vec![vec![xy(&p)]]),
        S::PointZ(p) => (Kind::Points, vec![vec![xy(&p)]]),
        S::Multipoint(m) => (Kind::Points, vec![m.points().iter().map(xy).collect()]),
        S::MultipointM(m) => (Kind::Points, vec![m.points().iter().map(xy).collect()]),
        S::MultipointZ(m) => (Kind::Points, vec![m.points().iter().map(xy).collect()]),
        S::Polyline(l) => (Kind::Lines, l.parts().iter().map(|p| p.iter().map(xy).collect()).collect()),
        S::PolylineM(l) => (Kind::Lines, l.parts().iter().map(|p| p.iter().map(xy).collect()).collect()),
        S::PolylineZ(l) => (Kind::Lines, l.parts().iter().map(|p| p.iter().map(xy).collect()).collect()),
        S::Polygon(p) => (Kind::Rings, ring_parts(p.rings())),
        S::PolygonM(p) => (Kind::Rings, ring_parts(p.rings())),
        S::PolygonZ(p) => (Kind::Rings, ring_parts(p.rings())),
        S::Multipatch(_) => {
            return (None, Some("is a multipatch (a 3D surface), which the app does not read; left out".into()));
        }
    };
    if parts.iter().flatten().any(|c| !(c.x.is_finite() && c.y.is_finite())) {
        return (None, Some("has a position that is not a number; left out".into()));
    }
    let g = match kind {
        Kind::Points => points(parts.into_iter().flatten().collect()),
        Kind::Lines => lines(parts),
        Kind::Rings => polygons(parts),
    };
    match g {
        Some(g) => (Some(g), None),
        None => (None, Some("has a shape with no points; left out".into())),
    }
}

/// Twice the signed area: positive when counter-clockwise (y up).
fn signed_area2(ring: &[Coord<f64>]) -> f64 {
    ring.windows(2).map(|w| w[0].x * w[1].y - w[1].x * w[0].y).sum()
}

fn inside(p: Coord<f64>, ring: &[Coord<f64>]) -> bool {
    let mut c = false;
    for w in ring.windows(2) {
        let (a, b) = (w[0], w[1]);
        if (a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x {
            c = !c;
        }
    }
    c
}

/// Groups rings into polygons: clockwise rings are outer rings, counter-clockwise ones holes of
/// the smallest outer ring holding them; a hole in no outer ring (or a file with no clockwise
/// ring at all) stands as a polygon of its own.
fn polygons(rings: Vec<Vec<Coord<f64>>>) -> Option<Geometry<f64>> {
    let rings: Vec<Vec<Coord<f64>>> = rings.into_iter().filter(|r| !r.is_empty()).collect();
    let areas: Vec<f64> = rings.iter().map(|r| signed_area2(r)).collect();
    let any_outer = areas.iter().any(|a| *a <= 0.0);
    let is_outer = |i: usize| !any_outer || areas[i] <= 0.0;
    let mut polys: Vec<(usize, Vec<LineString<f64>>)> =
        (0..rings.len()).filter(|i| is_outer(*i)).map(|i| (i, Vec::new())).collect();
    // The outer rings' boxes in an R-tree: a record of many rings is not searched ring by ring.
    use rstar::primitives::{GeomWithData, Rectangle};
    let boxes: Vec<GeomWithData<Rectangle<[f64; 2]>, usize>> = polys
        .iter()
        .enumerate()
        .map(|(k, (o, _))| {
            let r = &rings[*o];
            let (mut lo, mut hi) = ([f64::MAX; 2], [f64::MIN; 2]);
            for c in r {
                lo = [lo[0].min(c.x), lo[1].min(c.y)];
                hi = [hi[0].max(c.x), hi[1].max(c.y)];
            }
            GeomWithData::new(Rectangle::from_corners(lo, hi), k)
        })
        .collect();
    let tree = rstar::RTree::bulk_load(boxes);
    for (h, hole) in rings.iter().enumerate().filter(|(i, _)| !is_outer(*i)) {
        let probe = hole[0];
        let holder = tree
            .locate_all_at_point(&[probe.x, probe.y])
            .map(|b| b.data)
            .filter(|k| inside(probe, &rings[polys[*k].0]))
            .min_by(|a, b| areas[polys[*a].0].abs().total_cmp(&areas[polys[*b].0].abs()));
        match holder {
            Some(k) => polys[k].1.push(LineString(hole.clone())),
            None => polys.push((h, Vec::new())),
        }
    }
    // Counter-clockwise outer rings and clockwise holes, as RFC 7946 and the app draw them.
    use geo::orient::{Direction, Orient};
    let mut out: Vec<Polygon<f64>> = polys
        .into_iter()
        .map(|(o, holes)| Polygon::new(LineString(rings[o].clone()), holes).orient(Direction::Default))
        .collect();
    match out.len() {
        0 => None,
        1 => out.pop().map(Geometry::Polygon),
        _ => Some(MultiPolygon(out).into()),
    }
}

// ---------------------------------------------------------------------------------------------
// Attributes

struct Table {
    /// One per record; `None` when the record is marked deleted.
    records: Vec<Option<Map<String, Value>>>,
}

struct Field {
    name: Vec<u8>,
    kind: u8,
    len: usize,
    decimals: u8,
}

/// The encoding a `.cpg` names: `UTF-8`, `65001`, `GBK`, `CP936`, `936`, `GB18030`, `BIG5`, `950`,
/// `1252`, `ANSI 1252`, `ISO-8859-1`, … (any label `encoding_rs` knows).
pub fn encoding_of_cpg(cpg: &[u8]) -> Option<&'static Encoding> {
    let text = String::from_utf8_lossy(cpg);
    let t = text.trim().trim_start_matches('\u{feff}').to_ascii_uppercase();
    let code = t.trim_start_matches("ANSI").trim_start_matches("CP").trim_start_matches("OEM").trim();
    let by_number = match code {
        "65001" | "UTF8" => Some(encoding_rs::UTF_8),
        "936" => Some(encoding_rs::GBK),
        "54936" => Some(encoding_rs::GB18030),
        "950" => Some(encoding_rs::BIG5),
        "932" => Some(encoding_rs::SHIFT_JIS),
        "949" => Some(encoding_rs::EUC_KR),
        "874" => Some(encoding_rs::WINDOWS_874),
        "1250" => Some(encoding_rs::WINDOWS_1250),
        "1251" => Some(encoding_rs::WINDOWS_1251),
        "1252" | "28591" | "88591" => Some(encoding_rs::WINDOWS_1252),
        "1253" => Some(encoding_rs::WINDOWS_1253),
        "1254" => Some(encoding_rs::WINDOWS_1254),
        "1255" => Some(encoding_rs::WINDOWS_1255),
        "1256" => Some(encoding_rs::WINDOWS_1256),
        "1257" => Some(encoding_rs::WINDOWS_1257),
        "1258" => Some(encoding_rs::WINDOWS_1258),
        _ => None,
    };
    by_number.or_else(|| Encoding::for_label(t.as_bytes()))
}

/// The encoding a dBASE language driver id (header byte 29) names; `None` for none or
/// "ANSI" (0x57, the writer's system code page), which is then told from the bytes.
fn encoding_of_ldid(id: u8) -> Option<&'static Encoding> {
    Some(match id {
        0x03 | 0x58 | 0x59 => encoding_rs::WINDOWS_1252,
        0x4D | 0x7A => encoding_rs::GBK,
        0x4E | 0x79 => encoding_rs::EUC_KR,
        0x4F | 0x78 => encoding_rs::BIG5,
        0x13 | 0x7B => encoding_rs::SHIFT_JIS,
        0x7C => encoding_rs::WINDOWS_874,
        0xC8 => encoding_rs::WINDOWS_1250,
        0xC9 => encoding_rs::WINDOWS_1251,
        0xCA => encoding_rs::WINDOWS_1254,
        0xCB => encoding_rs::WINDOWS_1253,
        _ => return None,
    })
}

/// Reads a `.dbf`: text decoded with `enc` (the `.cpg`'s), else the language driver's, else
/// UTF-8 when all text is valid UTF-8, else GB18030 (or Windows-1252 when that does not decode either).
/// A column named in `long` (`short → long`, from `NAME_fields.csv`) gets its long name, unless
/// another column has that name.
fn read_dbf(
    b: &[u8],
    enc: Option<&'static Encoding>,
    long: &[(String, String)],
    place: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Table, LoadError> {
    if b.len() < 32 {
        return Err(malformed(place, format!("is {} bytes, shorter than a dBASE header", b.len())));
    }
    let count = u32::from_le_bytes([b[4], b[5], b[6], b[7]]) as usize;
    let header_len = usize::from(u16::from_le_bytes([b[8], b[9]]));
    let record_len = usize::from(u16::from_le_bytes([b[10], b[11]]));
    let ldid = b[29];
    if header_len < 33 || header_len > b.len() || record_len == 0 {
        return Err(malformed(place, "is not a dBASE table: its header lengths do not fit the file"));
    }
    let mut fields = Vec::new();
    let mut at = 32;
    while at + 32 <= header_len && b[at] != 0x0D {
        let d = &b[at..at + 32];
        let end = d[..11].iter().position(|c| *c == 0).unwrap_or(11);
        fields.push(Field { name: d[..end].to_vec(), kind: d[11], len: usize::from(d[16]), decimals: d[17] });
        at += 32;
    }
    let width: usize = 1 + fields.iter().map(|f| f.len).sum::<usize>();
    if width > record_len {
        return Err(malformed(
            place,
            format!("is damaged: its fields take {width} bytes but its records are {record_len}"),
        ));
    }
    let room = (b.len() - header_len) / record_len;
    if room < count {
        warnings.push(Warning {
            place: place.to_string(),
            message: format!("holds {room} whole records but its header says {count}: the file is cut short"),
        });
    }
    let rows = count.min(room);
    let record = |i: usize| &b[header_len + i * record_len..header_len + (i + 1) * record_len];
    let texty = |f: &Field| !matches!(f.kind, b'I' | b'O' | b'+' | b'@' | b'B' | b'Y' | b'T' | b'G' | b'M' | b'P');
    let enc = enc.or_else(|| encoding_of_ldid(ldid)).unwrap_or_else(|| {
        // Told from the bytes: UTF-8 when every name and text is valid UTF-8.
        let mut utf8 = fields.iter().all(|f| std::str::from_utf8(&f.name).is_ok());
        let mut gbk = true;
        'scan: for i in 0..rows {
            let r = record(i);
            let mut o = 1;
            for f in &fields {
                let v = &r[o..o + f.len];
                o += f.len;
                if texty(f) && v.iter().any(|c| *c >= 0x80) {
                    utf8 &= std::str::from_utf8(v).is_ok() || std::str::from_utf8(trim_cut(v)).is_ok();
                    gbk &= encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(v).is_some();
                    if !utf8 && !gbk {
                        break 'scan;
                    }
                }
            }
        }
        if utf8 {
            encoding_rs::UTF_8
        } else if gbk {
            encoding_rs::GB18030
        } else {
            encoding_rs::WINDOWS_1252
        }
    });
    let short: Vec<String> =
        fields.iter().map(|f| enc.decode_without_bom_handling(&f.name).0.trim().to_string()).collect();
    let mut names: Vec<String> = Vec::with_capacity(short.len());
    for s in &short {
        let name = match long.iter().find(|(k, _)| k == s) {
            Some((_, l)) if !short.contains(l) && !names.contains(l) => l.clone(),
            _ => s.clone(),
        };
        names.push(name);
    }
    let mut records = Vec::with_capacity(rows);
    for i in 0..rows {
        let r = record(i);
        if r[0] == b'*' {
            records.push(None);
            continue;
        }
        let mut props = Map::new();
        let mut o = 1;
        for (f, name) in fields.iter().zip(&names) {
            let v = &r[o..o + f.len];
            o += f.len;
            props.insert(name.clone(), value_of(f, v, enc));
        }
        records.push(Some(props));
    }
    Ok(Table { records })
}

/// The full column names `NAME_fields.csv` (`short,long,…`) records: `(short, long)` pairs.
fn long_names(csv_bytes: &[u8]) -> Vec<(String, String)> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(csv_bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(csv_bytes));
    reader
        .records()
        .flatten()
        .filter_map(|r| Some((r.get(0)?.to_string(), r.get(1)?.to_string())))
        .filter(|(s, l)| !s.is_empty() && !l.is_empty() && s != l)
        .collect()
}

/// A UTF-8 text cut at the field's width may end inside a character: drop the partial one.
fn trim_cut(v: &[u8]) -> &[u8] {
    let end = v.iter().rposition(|c| *c != b' ' && *c != 0).map_or(0, |p| p + 1);
    let v = &v[..end];
    match std::str::from_utf8(v) {
        Ok(_) => v,
        Err(e) if e.error_len().is_none() => &v[..e.valid_up_to()],
        Err(_) => v,
    }
}

fn value_of(f: &Field, v: &[u8], enc: &'static Encoding) -> Value {
    let text = || {
        let t = enc.decode_without_bom_handling(v).0;
        t.trim_end_matches([' ', '\0']).trim_start_matches('\0').to_string()
    };
    match f.kind {
        b'N' | b'F' => {
            let t = String::from_utf8_lossy(v);
            let t = t.trim_matches([' ', '\0']);
            if t.is_empty() || t.starts_with('*') {
                return Value::Null;
            }
            if f.decimals == 0
                && let Ok(n) = t.parse::<i64>()
            {
                return Value::from(n);
            }
            match t.parse::<f64>() {
                Ok(x) if x.is_finite() => Value::from(x),
                _ => Value::String(t.to_string()),
            }
        }
        b'D' => {
            let t = String::from_utf8_lossy(v);
            let t = t.trim_matches([' ', '\0']);
            if t.len() == 8 && t.bytes().all(|c| c.is_ascii_digit()) && t != "00000000" {
                Value::String(format!("{}-{}-{}", &t[..4], &t[4..6], &t[6..8]))
            } else if t.is_empty() || t == "00000000" {
                Value::Null
            } else {
                Value::String(t.to_string())
            }
        }
        b'L' => match v.first() {
            Some(b'T' | b't' | b'Y' | b'y') => Value::Bool(true),
            Some(b'F' | b'f' | b'N' | b'n') => Value::Bool(false),
            _ => Value::Null,
        },
        b'I' | b'+' if v.len() == 4 => Value::from(i32::from_le_bytes([v[0], v[1], v[2], v[3]])),
        b'O' if v.len() == 8 => {
            let x = f64::from_le_bytes([v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]]);
            if x.is_finite() { Value::from(x) } else { Value::Null }
        }
        b'M' | b'B' | b'G' | b'P' | b'I' | b'+' | b'O' | b'@' | b'T' | b'Y' => Value::Null,
        _ => {
            let t = text();
            if t.is_empty() { Value::Null } else { Value::String(t) }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Coordinate systems

/// The system a `.prj` (WKT) names, or the name of a system the app does not know.
pub fn crs_of_prj(wkt: &str) -> Result<Crs, String> {
    // The outermost authority is the last one in WKT1 (PROJCS[…, AUTHORITY["EPSG","4527"]]) and WKT2 (ID[…]).
    let lower = wkt.to_ascii_lowercase();
    let code = ["authority[\"epsg\",", "id[\"epsg\","]
        .iter()
        .filter_map(|k| lower.rfind(k).map(|at| (at, at + k.len())))
        .max()
        .and_then(|(_, from)| {
            let digits: String =
                lower[from..].chars().skip_while(|c| *c == '"' || *c == ' ').take_while(char::is_ascii_digit).collect();
            digits.parse::<u32>().ok()
        });
    // Only the outermost system's code counts: a PROJCS whose own code is missing has its GEOGCS's last.
    let outer_is_projected = lower.trim_start().starts_with("projcs") || lower.trim_start().starts_with("projcrs");
    let name = wkt
        .split_once('"')
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(n, _)| n.trim().to_string())
        .unwrap_or_else(|| wkt.chars().take(60).collect());
    if let Some(c) = code.and_then(Crs::from_epsg)
        && c.is_geographic() != outer_is_projected
    {
        return Ok(c);
    }
    if let Some(c) = crs_of_name(&name) {
        return Ok(c);
    }
    // Longitude/latitude under another name (GDAL's "WGS_1984_3D"): the datum says which.
    if !outer_is_projected {
        let datum = |d: &str| lower.contains(&format!("datum[\"{d}\""));
        if datum("d_wgs_1984") || datum("wgs_1984") || datum("world geodetic system 1984") {
            return Ok(Crs::Wgs84);
        }
        if datum("d_china_2000") || datum("china_2000") || datum("china 2000") {
            return Ok(Crs::Cgcs2000);
        }
    }
    Err(name)
}

/// A system by its ESRI or GDAL name: `CGCS2000_3_Degree_GK_Zone_39`, `CGCS2000 / 3-degree Gauss-Kruger CM 117E`,
/// `WGS_1984_UTM_Zone_50N`, `GCS_WGS_1984`, `WGS 84`, `GCS_China_Geodetic_Coordinate_System_2000`, `CGCS2000`,
/// `WGS_1984_Web_Mercator_Auxiliary_Sphere`, `WGS 84 / Pseudo-Mercator`.
fn crs_of_name(name: &str) -> Option<Crs> {
    let n: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect::<String>()
        .split('_')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    let number_after = |key: &str| -> Option<(u32, String)> {
        let at = n.find(key)? + key.len();
        let digits: String = n[at..].chars().take_while(char::is_ascii_digit).collect();
        let rest: String = n[at + digits.len()..].chars().take(1).collect();
        Some((digits.parse().ok()?, rest))
    };
    let cgcs =
        n.contains("cgcs2000") || n.contains("china_geodetic_coordinate_system_2000") || n.contains("china_2000");
    let gk = n.contains("gk") || n.contains("gauss");
    let wgs = n.contains("wgs_1984") || n.contains("wgs_84") || n.contains("wgs84");
    if cgcs && gk && (n.contains("3_degree") || n.contains("3_deg")) {
        if let Some((zone, _)) = number_after("zone_") {
            return (25..=45).contains(&zone).then(|| Crs::GaussKruger { epsg: (4488 + zone) as u16 });
        }
        if let Some((cm, _)) = number_after("cm_") {
            return ((75..=135).contains(&cm) && cm % 3 == 0)
                .then(|| Crs::GaussKruger { epsg: (4534 + (cm - 75) / 3) as u16 });
        }
        return None;
    }
    if wgs && n.contains("utm_zone_") {
        let (zone, hemi) = number_after("utm_zone_")?;
        return ((1..=60).contains(&zone) && (hemi == "n" || hemi == "s"))
            .then(|| Crs::Utm { zone: zone as u8, north: hemi == "n" });
    }
    if n.contains("web_mercator") || n.contains("pseudo_mercator") || n == "popular_visualisation_crs_mercator" {
        return Some(Crs::WebMercator);
    }
    if gk || n.contains("utm") || n.contains("mercator") || n.contains("albers") || n.contains("lambert") {
        return None;
    }
    if matches!(n.as_str(), "gcs_wgs_1984" | "wgs_84" | "wgs_1984" | "wgs84") {
        return Some(Crs::Wgs84);
    }
    if matches!(
        n.as_str(),
        "gcs_china_geodetic_coordinate_system_2000" | "china_geodetic_coordinate_system_2000" | "cgcs2000"
    ) {
        return Some(Crs::Cgcs2000);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prj_names_from_arcgis_and_gdal_are_known_and_others_are_named() {
        let gk = r#"PROJCS["CGCS2000_3_Degree_GK_Zone_39",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",39500000.0],UNIT["Meter",1.0]]"#;
        assert_eq!(crs_of_prj(gk), Ok(Crs::GaussKruger { epsg: 4527 }));
        let cm = gk.replace("Zone_39", "CM_117E");
        assert_eq!(crs_of_prj(&cm), Ok(Crs::GaussKruger { epsg: 4548 }));
        assert_eq!(
            crs_of_prj(r#"PROJCS["WGS_1984_UTM_Zone_50N",GEOGCS["GCS_WGS_1984"]]"#),
            Ok(Crs::Utm { zone: 50, north: true })
        );
        assert_eq!(crs_of_prj(r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984"]]"#), Ok(Crs::Wgs84));
        assert_eq!(crs_of_prj(r#"GEOGCS["WGS 84",AUTHORITY["EPSG","4326"]]"#), Ok(Crs::Wgs84));
        assert_eq!(crs_of_prj(r#"GEOGCS["GCS_China_Geodetic_Coordinate_System_2000"]"#), Ok(Crs::Cgcs2000));
        let gdal_3d = r#"GEOGCS["WGS_1984_3D",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433],LINUNIT["Meter",1.0]]"#;
        assert_eq!(crs_of_prj(gdal_3d), Ok(Crs::Wgs84));
        assert_eq!(
            crs_of_prj(r#"PROJCS["WGS_1984_Web_Mercator_Auxiliary_Sphere",GEOGCS["GCS_WGS_1984"]]"#),
            Ok(Crs::WebMercator)
        );
        assert_eq!(
            crs_of_prj(
                r#"PROJCS["CGCS2000 / 3-degree Gauss-Kruger zone 39",GEOGCS["China Geodetic Coordinate System 2000",AUTHORITY["EPSG","4490"]],AUTHORITY["EPSG","4527"]]"#
            ),
            Ok(Crs::GaussKruger { epsg: 4527 })
        );
        assert_eq!(
            crs_of_prj(r#"PROJCS["Xian_1980_3_Degree_GK_Zone_39",GEOGCS["GCS_Xian_1980"]]"#),
            Err("Xian_1980_3_Degree_GK_Zone_39".to_string())
        );
        // A projected system with only its GEOGCS's code is not taken for longitude/latitude.
        assert!(
            crs_of_prj(r#"PROJCS["Beijing_1954_GK_Zone_20",GEOGCS["GCS_Beijing_1954",AUTHORITY["EPSG","4214"]]]"#)
                .is_err()
        );
    }

    #[test]
    fn code_pages_from_cpg_and_language_ids() {
        assert_eq!(encoding_of_cpg(b"UTF-8"), Some(encoding_rs::UTF_8));
        assert_eq!(encoding_of_cpg(b"65001\r\n"), Some(encoding_rs::UTF_8));
        assert_eq!(encoding_of_cpg(b"GBK"), Some(encoding_rs::GBK));
        assert_eq!(encoding_of_cpg(b"CP936"), Some(encoding_rs::GBK));
        assert_eq!(encoding_of_cpg(b"936"), Some(encoding_rs::GBK));
        assert_eq!(encoding_of_cpg(b"GB18030"), Some(encoding_rs::GB18030));
        assert_eq!(encoding_of_cpg(b"BIG5"), Some(encoding_rs::BIG5));
        assert_eq!(encoding_of_cpg(b"950"), Some(encoding_rs::BIG5));
        assert_eq!(encoding_of_cpg(b"ANSI 1252"), Some(encoding_rs::WINDOWS_1252));
        assert_eq!(encoding_of_cpg(b"ISO-8859-1"), Some(encoding_rs::WINDOWS_1252));
        assert_eq!(encoding_of_cpg(b"KLINGON"), None);
        assert_eq!(encoding_of_ldid(0x4D), Some(encoding_rs::GBK));
        assert_eq!(encoding_of_ldid(0x7A), Some(encoding_rs::GBK));
        assert_eq!(encoding_of_ldid(0x57), None);
    }

    fn dbf(ldid: u8, values: &[&[u8]]) -> Vec<u8> {
        let len = 20usize;
        let mut b = vec![0u8; 32];
        b[0] = 3;
        b[4..8].copy_from_slice(&(values.len() as u32).to_le_bytes());
        b[8..10].copy_from_slice(&65u16.to_le_bytes());
        b[10..12].copy_from_slice(&(1 + len as u16).to_le_bytes());
        b[29] = ldid;
        let mut d = [0u8; 32];
        d[..4].copy_from_slice(b"name");
        d[11] = b'C';
        d[16] = len as u8;
        b.extend_from_slice(&d);
        b.push(0x0D);
        for v in values {
            b.push(b' ');
            let mut cell = v.to_vec();
            cell.resize(len, b' ');
            b.extend_from_slice(&cell);
        }
        b.push(0x1A);
        b
    }

    #[test]
    fn dbf_text_is_utf8_or_gbk_by_its_bytes_when_nothing_names_it() {
        let (gbk, _, _) = encoding_rs::GBK.encode("劲松一区1号楼");
        let mut w = Vec::new();
        let t = read_dbf(&dbf(0, &[&gbk, b"plain"]), None, &[], "t.dbf", &mut w).expect("reads");
        assert_eq!(t.records[0].as_ref().and_then(|r| r.get("name")), Some(&Value::String("劲松一区1号楼".into())));
        let t = read_dbf(&dbf(0x57, &["劲松二区".as_bytes()]), None, &[], "t.dbf", &mut w).expect("reads");
        assert_eq!(t.records[0].as_ref().and_then(|r| r.get("name")), Some(&Value::String("劲松二区".into())));
        let t = read_dbf(&dbf(0x4D, &[&gbk]), None, &[], "t.dbf", &mut w).expect("reads");
        assert_eq!(t.records[0].as_ref().and_then(|r| r.get("name")), Some(&Value::String("劲松一区1号楼".into())));
        let t = read_dbf(&dbf(0, &[b""]), None, &[], "t.dbf", &mut w).expect("reads");
        assert_eq!(t.records[0].as_ref().and_then(|r| r.get("name")), Some(&Value::Null));
        assert!(w.is_empty(), "{w:?}");
        // The long names of NAME_fields.csv, given once for the columns.
        let long = long_names("\u{feff}short,long,type\r\nname,name_full,text\r\n".as_bytes());
        assert_eq!(long, [("name".to_string(), "name_full".to_string())]);
        let t = read_dbf(&dbf(0, &[b"a", b"b"]), None, &long, "t.dbf", &mut w).expect("reads");
        let keys: Vec<Vec<&String>> = t.records.iter().flatten().map(|r| r.keys().collect()).collect();
        assert_eq!(keys, [["name_full"], ["name_full"]]);
        // Cut short: the whole records are read, with one warning.
        let mut cut = dbf(0, &[b"a", b"b", b"c"]);
        cut.truncate(65 + 21 * 2 + 5);
        let t = read_dbf(&cut, None, &[], "t.dbf", &mut w).expect("reads");
        assert_eq!(t.records.len(), 2);
        assert_eq!(w.len(), 1, "{w:?}");
    }

    #[test]
    fn values_become_json_numbers_dates_booleans_or_null() {
        let f = |kind: u8, decimals: u8| Field { name: b"v".to_vec(), kind, len: 10, decimals };
        let utf8 = encoding_rs::UTF_8;
        assert_eq!(value_of(&f(b'N', 0), b"        42", utf8), Value::from(42));
        assert_eq!(value_of(&f(b'N', 2), b"     -3.25", utf8), Value::from(-3.25));
        assert_eq!(value_of(&f(b'F', 3), b"    12.500", utf8), Value::from(12.5));
        assert_eq!(value_of(&f(b'N', 0), b"          ", utf8), Value::Null);
        assert_eq!(value_of(&f(b'N', 0), b"**********", utf8), Value::Null);
        assert_eq!(value_of(&f(b'D', 0), b"20190501", utf8), Value::String("2019-05-01".into()));
        assert_eq!(value_of(&f(b'D', 0), b"        ", utf8), Value::Null);
        assert_eq!(value_of(&f(b'L', 0), b"T", utf8), Value::Bool(true));
        assert_eq!(value_of(&f(b'L', 0), b"n", utf8), Value::Bool(false));
        assert_eq!(value_of(&f(b'L', 0), b"?", utf8), Value::Null);
        assert_eq!(value_of(&f(b'C', 0), "楼  ".as_bytes(), utf8), Value::String("楼".into()));
        assert_eq!(value_of(&f(b'I', 0), &7i32.to_le_bytes(), utf8), Value::from(7));
        assert_eq!(value_of(&f(b'O', 0), &1.5f64.to_le_bytes(), utf8), Value::from(1.5));
    }

    #[test]
    fn holes_go_to_the_outer_ring_holding_them() {
        let sq = |x0: f64, y0: f64, s: f64, cw: bool| {
            let mut r = vec![
                Coord { x: x0, y: y0 },
                Coord { x: x0 + s, y: y0 },
                Coord { x: x0 + s, y: y0 + s },
                Coord { x: x0, y: y0 + s },
                Coord { x: x0, y: y0 },
            ];
            if cw {
                r.reverse();
            }
            r
        };
        // Two outer squares; the hole listed first belongs to the second.
        let g = polygons(vec![sq(0.0, 0.0, 10.0, true), sq(21.0, 1.0, 2.0, false), sq(20.0, 0.0, 10.0, true)]);
        let Some(Geometry::MultiPolygon(mp)) = g else { panic!("{g:?}") };
        assert_eq!(mp.0.len(), 2);
        assert_eq!(mp.0[0].interiors().len(), 0);
        assert_eq!(mp.0[1].interiors().len(), 1);
        // Only counter-clockwise rings: each is a polygon of its own.
        let g = polygons(vec![sq(0.0, 0.0, 10.0, false)]);
        assert!(matches!(g, Some(Geometry::Polygon(_))), "{g:?}");
    }
}
