//! KML and KMZ (Google Earth, 奥维互动地图, GDAL, 91卫图…): every Placemark
//! with a Point, LineString, LinearRing, Polygon (outer and inner
//! boundaries), MultiGeometry or gx:Track / gx:MultiTrack becomes a feature,
//! with its `name`, its `description` as plain text, every ExtendedData field
//! (`<Data name><value>` and `<SchemaData><SimpleData name>`) and `folder`,
//! the path of Folders it sits in ("劲松 / 建筑"). KML is longitude/latitude
//! (altitude dropped); a file taken from a Chinese basemap in GCJ-02 is the
//! user's `--crs gcj02`, applied by [`foreign::assemble`] like every format.
//!
//! Read with quick-xml as one forward pass over the events, not with the
//! `kml` crate: that crate loops forever on a file cut short inside a
//! Placemark, panics on an empty `<Point>`, drops the whole file for one bad
//! coordinate and gives no line for an error. Here nesting is a stack on the
//! heap (no recursion, so no depth can overflow the thread's stack), a
//! Placemark that cannot be used is a warning naming its line, and bad XML is
//! one error naming its line and column.

use std::io::{Cursor, Read};
use std::path::Path;

use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
use quick_xml::events::{BytesStart, Event};
use serde_json::{Map, Value};

use super::foreign::{Collected, Found, assemble};
use super::table::{decode_text, typed};
use super::{LoadError, Loaded, ReadOptions, Warning, clip, memory};

/// The largest KML text read, a KMZ's included.
const MAX_TEXT: u64 = 1 << 30;

/// Loads the Placemarks of a KML or KMZ file.
pub fn load(path: &Path, opts: &ReadOptions) -> Result<Loaded, LoadError> {
    let size = std::fs::metadata(path)?.len();
    // The text (a decoded copy only when it is not UTF-8) and the features. Measured: a 28 MB KML of
    // 150,000 points peaks at 6× its size.
    memory::check_fits(size.saturating_mul(8))?;
    let bytes = std::fs::read(path)?;
    read(&bytes, opts)
}

/// Reads KML text or KMZ bytes (a zip, told by its first bytes).
pub fn read(bytes: &[u8], opts: &ReadOptions) -> Result<Loaded, LoadError> {
    let unzipped;
    let kml = if bytes.starts_with(b"PK") {
        unzipped = unzip(bytes)?;
        &unzipped[..]
    } else {
        bytes
    };
    if kml.iter().all(u8::is_ascii_whitespace) {
        return Err(LoadError::Malformed { place: "the file".into(), message: "is empty".into() });
    }
    let declared = declared_encoding(kml);
    let (text, encoding) = decode_text(kml, declared);
    let mut collected = collect(&text, bytes.len() as u64, opts)?;
    if encoding == encoding_rs::GB18030 && declared.is_none_or(|e| e == encoding_rs::UTF_8) {
        collected.warnings.push(Warning {
            place: "the file".into(),
            message: "is not UTF-8 as KML should be; read as GBK/GB18030".into(),
        });
    }
    assemble(collected, opts.crs)
}

/// The KML inside a KMZ: `doc.kml` at its root, else its first `.kml`.
fn unzip(bytes: &[u8]) -> Result<Vec<u8>, LoadError> {
    let bad = |message: String| LoadError::Malformed { place: "the KMZ".into(), message };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| bad(format!("is not a readable zip archive ({})", clip(&e.to_string(), 200))))?;
    let mut names = Vec::new();
    let mut chosen = None;
    for i in 0..zip.len() {
        let Ok(f) = zip.by_index_raw(i) else { continue };
        let name = clip(&String::from_utf8_lossy(f.name_raw()), 60);
        let is_kml = !f.is_dir() && name.to_ascii_lowercase().ends_with(".kml");
        if is_kml && (chosen.is_none() || name.eq_ignore_ascii_case("doc.kml")) {
            chosen = Some((i, name.clone()));
        }
        names.push(name);
    }
    let Some((index, name)) = chosen else {
        let mut listed: Vec<String> = names.iter().take(10).map(|n| format!("“{n}”")).collect();
        if names.len() > 10 {
            listed.push(format!("… ({} entries)", names.len()));
        }
        return Err(bad(if names.is_empty() {
            "holds no files".into()
        } else {
            format!("holds no .kml file (it holds {})", listed.join(", "))
        }));
    };
    let entry =
        zip.by_index(index).map_err(|e| bad(format!("{name} cannot be unpacked ({})", clip(&e.to_string(), 200))))?;
    let declared = entry.size();
    if declared > MAX_TEXT {
        return Err(bad(format!("{name} unpacks to {} MB, more than this app reads", declared >> 20)));
    }
    memory::check_fits(declared.saturating_mul(8))?;
    let mut text = Vec::with_capacity(declared.min(64 << 20) as usize);
    entry
        .take(MAX_TEXT + 1)
        .read_to_end(&mut text)
        .map_err(|e| bad(format!("{name} cannot be unpacked ({})", clip(&e.to_string(), 200))))?;
    if text.len() as u64 > MAX_TEXT {
        return Err(bad(format!("{name} unpacks to more than {} MB", MAX_TEXT >> 20)));
    }
    Ok(text)
}

/// The encoding an XML declaration names (`<?xml version="1.0" encoding="GBK"?>`).
fn declared_encoding(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = bytes.get(..bytes.len().min(256))?;
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let decl = head.strip_prefix(b"<?xml")?;
    let decl = &decl[..decl.windows(2).position(|w| w == b"?>")?];
    let at = decl.windows(8).position(|w| w == b"encoding")?;
    let rest = decl.get(at + 8..)?;
    let rest = rest.get(rest.iter().position(|&b| b == b'"' || b == b'\'')?..)?;
    let quote = *rest.first()?;
    let rest = rest.get(1..)?;
    let label = &rest[..rest.iter().position(|&b| b == quote)?];
    encoding_rs::Encoding::for_label(label)
}

/// A geometry being built from nested elements.
enum Building {
    /// MultiGeometry or gx:MultiTrack: the parts so far.
    Multi(Vec<Geometry<f64>>),
    Polygon {
        outer: Option<LineString<f64>>,
        inner: Vec<LineString<f64>>,
    },
    /// gx:Track: its `gx:coord`s.
    Track(Vec<Coord<f64>>),
}

/// A Placemark being read.
#[derive(Default)]
struct Mark {
    /// Its depth in `State::open` (a Placemark inside it, which KML does not allow, is read as part of it).
    depth: usize,
    number: usize,
    line: usize,
    name: Option<String>,
    description: Option<String>,
    data: Map<String, Value>,
    parts: Vec<Geometry<f64>>,
    /// The first reason its geometry cannot be used.
    fault: Option<String>,
}

impl Mark {
    fn fail(&mut self, message: String) {
        self.fault.get_or_insert(message);
    }
}

/// The reader's state between events.
#[derive(Default)]
struct State {
    /// Open elements: local name and the byte where each opened.
    open: Vec<(String, usize)>,
    /// Open Folders: their depth in `open` and their name once read.
    folders: Vec<(usize, String)>,
    mark: Option<Mark>,
    building: Vec<Building>,
    /// The last `<coordinates>` read, for the Point/LineString/LinearRing around it.
    coords: Option<Result<Vec<Coord<f64>>, String>>,
    /// Text being gathered: the depth of the element it belongs to and the text so far.
    text: Option<(usize, String)>,
    /// The name of the `<Data>` or `<SimpleData>` being read.
    data_name: Option<String>,
    placemarks: usize,
    /// Placemarks with no geometry: how many and the first's place.
    empty: (usize, String),
    found: Vec<Found>,
    warnings: Vec<Warning>,
}

/// Elements whose text is gathered.
fn gathers_text(name: &str) -> bool {
    matches!(name, "name" | "description" | "coordinates" | "value" | "SimpleData" | "displayName" | "coord")
}

/// Line and column (1-based, in characters) of byte `pos` of `text`.
fn line_column(text: &str, pos: usize) -> (usize, usize) {
    let mut pos = pos.min(text.len());
    while !text.is_char_boundary(pos) {
        pos -= 1;
    }
    let before = &text[..pos];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Counts lines incrementally: the line of each Placemark without rescanning the text.
struct Lines<'a> {
    text: &'a [u8],
    pos: usize,
    line: usize,
}

impl Lines<'_> {
    fn at(&mut self, pos: usize) -> usize {
        let pos = pos.min(self.text.len());
        if pos >= self.pos {
            self.line += self.text[self.pos..pos].iter().filter(|&&b| b == b'\n').count();
            self.pos = pos;
        }
        self.line
    }
}

/// Finds the Placemarks of KML text. `file_len` scales the progress reported.
fn collect(text: &str, file_len: u64, opts: &ReadOptions) -> Result<Collected, LoadError> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut s = State::default();
    let mut lines = Lines { text: text.as_bytes(), pos: 0, line: 1 };
    let total = text.len().max(1) as u64;
    let mut next_report = 0usize;
    loop {
        let at = reader.buffer_position() as usize;
        if at >= next_report {
            next_report = at + (1 << 20);
            if opts.progress.is_some_and(|f| !f((at as f64 / total as f64 * file_len as f64) as u64)) {
                return Err(LoadError::Cancelled);
            }
        }
        let event = reader.read_event().map_err(|e| {
            let (line, column) = line_column(text, reader.error_position() as usize);
            LoadError::Malformed {
                place: format!("line {line}, column {column}"),
                message: format!("bad XML: {}", clip(&e.to_string(), 200)),
            }
        })?;
        match event {
            Event::Start(e) => {
                let name = local_name(&e);
                s.start(&name, &e, at, &mut lines);
                s.open.push((name, at));
            }
            Event::Empty(e) => {
                let name = local_name(&e);
                s.start(&name, &e, at, &mut lines);
                s.open.push((name, at));
                s.end();
            }
            Event::End(_) => s.end(),
            Event::Text(t) => s.push_text(&t.decode().map_err(|e| xml_fault(text, at, e))?),
            Event::CData(t) => s.push_text(&t.decode().map_err(|e| xml_fault(text, at, e))?),
            Event::GeneralRef(r) if s.text.is_some() => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => {
                        let name = r.decode().map_err(|e| xml_fault(text, at, e))?;
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .map_or_else(|| format!("&{name};"), str::to_string)
                    }
                };
                s.push_text(&resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some((name, at)) = s.open.last() {
        let (line, column) = line_column(text, *at);
        return Err(LoadError::Malformed {
            place: format!("line {line}, column {column}"),
            message: format!("the file ends inside <{name}>, opened here: it is cut short"),
        });
    }
    if s.placemarks == 0 {
        return Err(LoadError::Malformed {
            place: "the file".into(),
            message: if text.contains("<kml") {
                "is KML with no Placemark".into()
            } else {
                "is not KML: it holds no <kml> element and no Placemark".into()
            },
        });
    }
    if s.empty.0 > 0 {
        let (n, first) = std::mem::take(&mut s.empty);
        s.warnings.push(Warning {
            place: if n == 1 { first } else { format!("{n} placemarks (the first: {first})") },
            message: "no geometry (a Point, line or polygon); left out".into(),
        });
    }
    Ok(Collected { features: s.found, warnings: s.warnings, crs: None })
}

fn xml_fault(text: &str, at: usize, e: impl std::fmt::Display) -> LoadError {
    let (line, column) = line_column(text, at);
    LoadError::Malformed {
        place: format!("line {line}, column {column}"),
        message: format!("bad XML: {}", clip(&e.to_string(), 200)),
    }
}

fn local_name(e: &BytesStart) -> String {
    String::from_utf8_lossy(e.local_name().as_ref()).into_owned()
}

/// The value of attribute `key`, unescaped when it can be.
fn attribute(e: &BytesStart, key: &str) -> Option<String> {
    e.attributes().flatten().find(|a| a.key.local_name().as_ref() == key.as_bytes()).map(|a| {
        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map(|v| v.into_owned())
            .unwrap_or_else(|_| String::from_utf8_lossy(&a.value).into_owned())
    })
}

impl State {
    fn push_text(&mut self, t: &str) {
        if let Some((_, text)) = &mut self.text {
            text.push_str(t);
        }
    }

    /// The local name of the element `up` levels above the innermost open one.
    fn parent(&self, up: usize) -> &str {
        self.open.len().checked_sub(1 + up).and_then(|i| self.open.get(i)).map_or("", |(n, _)| n.as_str())
    }

    fn start(&mut self, name: &str, e: &BytesStart, at: usize, lines: &mut Lines) {
        if self.text.is_none() && gathers_text(name) {
            self.text = Some((self.open.len(), String::new()));
        }
        match name {
            "Folder" => self.folders.push((self.open.len(), String::new())),
            "Placemark" if self.mark.is_none() => {
                self.placemarks += 1;
                self.mark = Some(Mark {
                    depth: self.open.len(),
                    number: self.placemarks,
                    line: lines.at(at),
                    ..Default::default()
                });
                self.building.clear();
                self.coords = None;
            }
            _ => {}
        }
        if self.mark.is_none() {
            return;
        }
        match name {
            "MultiGeometry" | "MultiTrack" => self.building.push(Building::Multi(Vec::new())),
            "Polygon" => self.building.push(Building::Polygon { outer: None, inner: Vec::new() }),
            "Track" => self.building.push(Building::Track(Vec::new())),
            "Point" | "LineString" | "LinearRing" => self.coords = None,
            "Data" | "SimpleData" => self.data_name = attribute(e, "name"),
            _ => {}
        }
    }

    /// Closes the innermost open element.
    fn end(&mut self) {
        let Some((name, _)) = self.open.pop() else { return };
        let depth = self.open.len();
        let text = match &self.text {
            Some((d, _)) if *d == depth => self.text.take().map(|(_, t)| t),
            _ => None,
        };
        let parent = self.parent(0).to_string();
        if name == "name" && parent == "Folder" {
            if let (Some(folder), Some(t)) = (self.folders.last_mut(), &text) {
                folder.1 = t.trim().to_string();
            }
            return;
        }
        if name == "Folder" {
            if self.folders.last().is_some_and(|(d, _)| *d == depth) {
                self.folders.pop();
            }
            return;
        }
        let Some(mark) = &mut self.mark else { return };
        let text = text.unwrap_or_default();
        match name.as_str() {
            "name" if parent == "Placemark" => mark.name = Some(text.trim().to_string()),
            "description" if parent == "Placemark" => mark.description = Some(plain_text(&text)),
            "displayName" if parent == "Data" && self.data_name.is_none() => {
                self.data_name = Some(text.trim().to_string())
            }
            "value" if parent == "Data" => {
                if let Some(key) = self.data_name.clone().filter(|k| !k.is_empty()) {
                    mark.data.insert(key, typed(&text));
                }
            }
            "SimpleData" => {
                if let Some(key) = self.data_name.take().filter(|k| !k.is_empty()) {
                    mark.data.insert(key, typed(&text));
                }
            }
            "Data" => self.data_name = None,
            "coordinates" => self.coords = Some(parse_coordinates(&text)),
            "coord" => match (self.building.last_mut(), parse_track_coord(&text)) {
                (Some(Building::Track(coords)), Ok(c)) => coords.push(c),
                (Some(Building::Track(_)), Err(m)) => mark.fail(m),
                _ => {}
            },
            "Point" => match self.coords.take() {
                Some(Ok(c)) if !c.is_empty() => emit(&mut self.building, mark, Point(c[0]).into()),
                Some(Err(m)) => mark.fail(m),
                _ => mark.fail("a Point without coordinates".into()),
            },
            "LineString" => match self.coords.take() {
                Some(Ok(c)) => emit(&mut self.building, mark, LineString::new(c).into()),
                Some(Err(m)) => mark.fail(m),
                None => mark.fail("a LineString without coordinates".into()),
            },
            "LinearRing" => match self.coords.take() {
                Some(Ok(c)) => {
                    let ring = LineString::new(c);
                    let boundary = match parent.as_str() {
                        "outerBoundaryIs" => Some(true),
                        "innerBoundaryIs" => Some(false),
                        _ => None,
                    };
                    if let (Some(Building::Polygon { outer, inner }), Some(is_outer)) =
                        (self.building.last_mut(), boundary)
                    {
                        if is_outer {
                            *outer = Some(ring);
                        } else {
                            inner.push(ring);
                        }
                    } else {
                        emit(&mut self.building, mark, ring.into());
                    }
                }
                Some(Err(m)) => mark.fail(m),
                None => mark.fail("a LinearRing without coordinates".into()),
            },
            "Polygon" => {
                if let Some(Building::Polygon { outer, inner }) = self.building.pop() {
                    match outer {
                        Some(outer) => emit(&mut self.building, mark, Polygon::new(outer, inner).into()),
                        None => mark.fail("a Polygon without an outer boundary".into()),
                    }
                }
            }
            "MultiGeometry" | "MultiTrack" => {
                if let Some(Building::Multi(parts)) = self.building.pop() {
                    for part in parts {
                        emit(&mut self.building, mark, part);
                    }
                }
            }
            "Track" => {
                if let Some(Building::Track(coords)) = self.building.pop() {
                    match coords.len() {
                        0 => mark.fail("a gx:Track without gx:coord".into()),
                        1 => emit(&mut self.building, mark, Point(coords[0]).into()),
                        _ => emit(&mut self.building, mark, LineString::new(coords).into()),
                    }
                }
            }
            "Placemark" if mark.depth == depth => self.finish(),
            _ => {}
        }
    }

    /// Makes the Placemark just closed one feature (or one a part, when its MultiGeometry mixes kinds).
    fn finish(&mut self) {
        let Some(mark) = self.mark.take() else { return };
        self.building.clear();
        let place = format!("placemark {} (line {})", mark.number, mark.line);
        if let Some(fault) = mark.fault {
            self.warnings.push(Warning { place, message: format!("{fault}; left out") });
            return;
        }
        let mut properties = Map::new();
        if let Some(name) = mark.name.filter(|n| !n.is_empty()) {
            properties.insert("name".into(), Value::String(name));
        }
        if let Some(d) = mark.description.filter(|d| !d.is_empty()) {
            properties.insert("description".into(), Value::String(d));
        }
        for (k, v) in mark.data {
            properties.entry(k).or_insert(v);
        }
        let folder: Vec<&str> = self.folders.iter().map(|(_, n)| n.as_str()).filter(|n| !n.is_empty()).collect();
        if !folder.is_empty() {
            properties.entry("folder").or_insert_with(|| Value::String(folder.join(" / ")));
        }
        let parts = mark.parts;
        if parts.is_empty() {
            self.empty.0 += 1;
            if self.empty.0 == 1 {
                self.empty.1 = place;
            }
            return;
        }
        match combine(parts) {
            Ok(geometry) => self.found.push(Found { geometry, properties, place }),
            // Points, lines and areas mixed: one feature a part, each with the Placemark's properties.
            Err(parts) => {
                for (k, part) in parts.into_iter().enumerate() {
                    self.found.push(Found {
                        geometry: part,
                        properties: properties.clone(),
                        place: format!("{place}, part {}", k + 1),
                    });
                }
            }
        }
    }
}

/// One geometry of a Placemark's parts: the part itself, or a Multi* of parts
/// of one kind; `Err` with the parts when they mix points, lines and areas.
fn combine(mut parts: Vec<Geometry<f64>>) -> Result<Geometry<f64>, Vec<Geometry<f64>>> {
    if parts.len() == 1
        && let Some(g) = parts.pop()
    {
        return Ok(g);
    }
    if parts.iter().all(|g| matches!(g, Geometry::Point(_))) {
        return Ok(MultiPoint::new(parts.into_iter().filter_map(|g| Point::try_from(g).ok()).collect()).into());
    }
    if parts.iter().all(|g| matches!(g, Geometry::LineString(_))) {
        return Ok(
            MultiLineString::new(parts.into_iter().filter_map(|g| LineString::try_from(g).ok()).collect()).into()
        );
    }
    if parts.iter().all(|g| matches!(g, Geometry::Polygon(_))) {
        return Ok(MultiPolygon::new(parts.into_iter().filter_map(|g| Polygon::try_from(g).ok()).collect()).into());
    }
    Err(parts)
}
/// Puts a finished geometry into what encloses it: a MultiGeometry being built, else the Placemark.
fn emit(building: &mut [Building], mark: &mut Mark, g: Geometry<f64>) {
    match building.last_mut() {
        Some(Building::Multi(parts)) => parts.push(g),
        // A geometry inside a Polygon or a Track is not KML; it is left out.
        Some(_) => {}
        None => mark.parts.push(g),
    }
}

/// `lon,lat[,alt]` tuples separated by white space (spaces beside the commas tolerated); altitude dropped.
fn parse_coordinates(text: &str) -> Result<Vec<Coord<f64>>, String> {
    let mut joined = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space && c != ',' && !joined.is_empty() && !joined.ends_with(',') {
                joined.push(' ');
            }
            space = false;
            joined.push(c);
        }
    }
    joined
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(|tuple| {
            let mut it = tuple.split(',').map(|v| v.parse::<f64>().ok().filter(|v| v.is_finite()));
            match (it.next().flatten(), it.next().flatten()) {
                (Some(x), Some(y)) => Ok(Coord { x, y }),
                _ => Err(format!("coordinates “{}” are not longitude,latitude", clip(tuple, 40))),
            }
        })
        .collect()
}

/// A `gx:coord`: `lon lat [alt]` separated by spaces.
fn parse_track_coord(text: &str) -> Result<Coord<f64>, String> {
    let mut it = text.split_whitespace().map(|v| v.parse::<f64>().ok().filter(|v| v.is_finite()));
    match (it.next().flatten(), it.next().flatten()) {
        (Some(x), Some(y)) => Ok(Coord { x, y }),
        _ => Err(format!("gx:coord “{}” is not longitude latitude", clip(text.trim(), 40))),
    }
}

/// A description as plain text: HTML tags dropped (a line break for `<br>`,
/// `<p>`, `<div>`, `<tr>`, `<li>`; a space for a table cell), the common
/// entities decoded, spaces collapsed, blank lines dropped (HTML) or
/// collapsed to one (plain text).
fn plain_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut html = false;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let is_tag = after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!');
        match after.find('>') {
            Some(j) if is_tag => {
                html = true;
                let tag: String = after[..j]
                    .trim_start_matches('/')
                    .chars()
                    .take_while(char::is_ascii_alphanumeric)
                    .collect::<String>()
                    .to_ascii_lowercase();
                match tag.as_str() {
                    "br" | "p" | "div" | "tr" | "li" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "table" => {
                        out.push('\n')
                    }
                    "td" | "th" => out.push(' '),
                    _ => {}
                }
                rest = &after[j + 1..];
            }
            _ => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    let out = decode_entities(&out);
    let mut lines: Vec<String> = Vec::new();
    for line in out.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        // Tags make the lines (a table's rows end twice); in plain text one blank line is kept.
        if !line.is_empty() || (!html && lines.last().is_some_and(|l| !l.is_empty())) {
            lines.push(line);
        }
    }
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines.join("\n")
}

/// `&nbsp;` `&amp;` `&lt;` `&gt;` `&quot;` `&apos;` `&#NN;` `&#xHH;`; anything else kept as written.
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let entity = after.find(';').filter(|&j| j <= 10).map(|j| (&after[..j], &after[j + 1..]));
        let decoded = entity.and_then(|(name, tail)| {
            let c = match name {
                "nbsp" => Some(' '),
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                n => n
                    .strip_prefix("#x")
                    .or_else(|| n.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| n.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, tail))
        });
        match decoded {
            Some((c, tail)) => {
                out.push(c);
                rest = tail;
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_tolerate_spaces_and_drop_altitude() {
        let c = parse_coordinates(" 116.1,39.9,0\n\t116.2, 39.8 116.3 ,39.7,12 ").expect("reads");
        assert_eq!(c, vec![Coord { x: 116.1, y: 39.9 }, Coord { x: 116.2, y: 39.8 }, Coord { x: 116.3, y: 39.7 }]);
        assert!(parse_coordinates("116.1,abc").is_err());
        assert!(parse_coordinates("116.1").is_err());
        assert_eq!(parse_coordinates("  ").expect("empty"), vec![]);
    }

    #[test]
    fn descriptions_lose_their_html() {
        let d = plain_text("<table><tr><td>楼号</td><td>3号楼</td></tr><tr><td>层数</td><td>6</td></tr></table>");
        assert_eq!(d, "楼号 3号楼\n层数 6");
        assert_eq!(plain_text("a &amp; b&nbsp;c &#x4E00; x<3 &bogus;"), "a & b c 一 x<3 &bogus;");
        assert_eq!(plain_text("  plain  text \n\n\n second"), "plain text\n\nsecond");
    }

    #[test]
    fn tracks_rings_and_nested_multigeometry() {
        let text = r#"<kml xmlns:gx="http://www.google.com/kml/ext/2.2"><Document>
<Placemark><name>两段</name><gx:MultiTrack>
  <gx:Track><gx:coord>116.46 39.879 0</gx:coord><gx:coord>116.463 39.879 0</gx:coord></gx:Track>
  <gx:Track><gx:coord>116.47 39.88</gx:coord><gx:coord>116.471 39.881</gx:coord></gx:Track>
</gx:MultiTrack></Placemark>
<Placemark><name>环 &amp; 线</name><LinearRing><coordinates>116.46,39.88 116.47,39.88 116.47,39.89 116.46,39.88</coordinates></LinearRing></Placemark>
<Placemark><name>嵌套</name><MultiGeometry><Point><coordinates>116.4,39.8</coordinates></Point>
  <MultiGeometry><Point><coordinates>116.5,39.9</coordinates></Point></MultiGeometry></MultiGeometry></Placemark>
<Placemark/>
</Document></kml>"#;
        let l = read(text.as_bytes(), &ReadOptions::default()).expect("reads");
        let by = |n: &str| {
            l.plan.iter().find(|(_, f)| f.properties.get_str("name") == Some(n)).map(|(_, f)| f.geometry.clone())
        };
        assert!(matches!(by("两段"), Some(Geometry::MultiLineString(m)) if m.0.len() == 2));
        assert!(matches!(by("环 & 线"), Some(Geometry::LineString(r)) if r.0.len() == 4));
        assert!(matches!(by("嵌套"), Some(Geometry::MultiPoint(m)) if m.0.len() == 2));
        assert_eq!(l.plan.len(), 3);
        assert!(l.warnings.iter().any(|w| w.place == "placemark 4 (line 9)"), "{:?}", l.warnings);
    }

    #[test]
    fn an_xml_declaration_names_the_encoding() {
        assert_eq!(declared_encoding(b"<?xml version=\"1.0\" encoding=\"GBK\"?><kml/>"), Some(encoding_rs::GBK));
        assert_eq!(declared_encoding(b"<?xml version='1.0' encoding='utf-8'?>"), Some(encoding_rs::UTF_8));
        assert_eq!(declared_encoding(b"<?xml version=\"1.0\"?><kml/>"), None);
        assert_eq!(declared_encoding(b"<kml/>"), None);
    }
}
