//! Reading GeoJSON (RFC 7946, plus gzip-compressed files) into a [`Plan`].
//!
//! The whole document must be JSON and a GeoJSON object, or loading fails
//! with an error naming the line and column. Inside a FeatureCollection each
//! feature is read on its own: a feature that cannot be used (bad structure,
//! no geometry, coordinates that are not longitude/latitude) is left out
//! and reported as a [`Warning`] naming its index and line, so one bad
//! feature never costs the planner the rest of the file.
//!
//! The file is read as a stream ([`super::stream`]): features are parsed in
//! batches on all cores while the rest is still being read, and go into the
//! plan in file order, so memory follows the plan, not the file. Geometry is
//! read straight into `geo` types, repaired where that is safe
//! ([`super::repair`]), and brought to WGS 84 from the system the user
//! chose, the file's `crs` member names or its numbers show ([`super::crs`]).

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::rc::Rc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use geo::{
    Coord, CoordsIter, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint, MultiPolygon, Point,
    Polygon,
};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::LoadError;
use super::crs::{self, Crs};
use super::repair::Repairs;
use super::stream::Scanner;
use crate::model::{Feature, FeatureId, Plan, PlanMeta, Props, SourceId, infer_kind, shape_of};

/// A problem with part of the input that did not stop the load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// Where: e.g. `feature 12 (line 40)`.
    pub place: String,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.place, self.message)
    }
}

/// A plan read from a file, with the warnings about what was left out.
pub struct Loaded {
    pub plan: Plan,
    pub warnings: Vec<Warning>,
    /// The coordinate system the file was in, when it was not WGS 84
    /// longitude/latitude (its coordinates were transformed to WGS 84).
    pub crs: Option<Crs>,
}

/// A feature as written, before its geometry is checked.
#[derive(Deserialize)]
struct RawFeature<'a> {
    #[serde(rename = "type")]
    ty: Cow<'a, str>,
    #[serde(default)]
    id: AnyId,
    #[serde(default, borrow)]
    properties: Option<&'a RawValue>,
    #[serde(default, borrow)]
    geometry: Option<&'a RawValue>,
}

fn json_error(e: serde_json::Error) -> LoadError {
    if e.is_eof() {
        LoadError::Json {
            line: e.line(),
            column: e.column(),
            message: "the file ends in the middle of the JSON (truncated?)".into(),
        }
    } else {
        let msg = e.to_string();
        // serde_json appends " at line L column C"; we report the place ourselves.
        let message = msg.rsplit_once(" at line ").map(|(m, _)| m.to_string()).unwrap_or(msg);
        LoadError::Json { line: e.line(), column: e.column(), message }
    }
}

/// How to read a file: the coordinate system and progress reporting.
#[derive(Default, Clone, Copy)]
pub struct ReadOptions<'a> {
    /// The coordinate system the user says the file is in (GCJ-02 and BD-09
    /// cannot be told from the numbers); `None`: what the file's `crs`
    /// member says, or what its coordinates show.
    pub crs: Option<Crs>,
    /// Called now and then with the number of bytes of the file read so far;
    /// returning `false` cancels the load ([`LoadError::Cancelled`]).
    pub progress: Option<&'a dyn Fn(u64) -> bool>,
    /// CAD drawings: the kind each layer's features take (`None` in the map:
    /// the layer is left out); `None`: the kinds guessed from the layers' names.
    pub layers: Option<&'a super::LayerKinds>,
    /// Tables of points: the columns holding x (longitude) and y (latitude),
    /// by name or position; `None`: picked from the header (经度/纬度, lon/lat, x/y …).
    pub columns: Option<super::table::Columns<'a>>,
}

/// Parses GeoJSON text (or gzip of it) into a plan.
pub fn parse(bytes: &[u8]) -> Result<Loaded, LoadError> {
    read(bytes, &ReadOptions::default())
}

/// Reads GeoJSON (or gzip of it) from a stream into a plan, holding only a
/// window of the text at a time: memory follows the features kept, not the
/// size of the file.
pub fn read(src: impl Read, opts: &ReadOptions) -> Result<Loaded, LoadError> {
    read_sized(src, None, opts)
}

/// [`read`] of a source of `size` bytes (a file's length): the plan's storage
/// is reserved once from the first batch's features a byte, not grown by
/// doubling (each step a copy into freshly zeroed pages).
pub(crate) fn read_sized(src: impl Read, size: Option<u64>, opts: &ReadOptions) -> Result<Loaded, LoadError> {
    let counted = Rc::new(Cell::new(0u64));
    let mut src = BufReader::with_capacity(1 << 16, Counting { inner: src, read: counted.clone() });
    let gzip = src.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    let src: Box<dyn Read> = if gzip { Box::new(flate2::bufread::MultiGzDecoder::new(src)) } else { Box::new(src) };
    let progress = || opts.progress.is_none_or(|f| f(counted.get()));
    // A gzip file's size says little of its text's.
    read_document(Scanner::new(src), &progress, opts.crs, size.filter(|_| !gzip))
}

/// Counts the bytes read from the file (compressed bytes for gzip), for progress.
struct Counting<R> {
    inner: R,
    read: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

/// A top-level member other than `features`, kept as text with its place.
struct Member {
    key: String,
    text: Vec<u8>,
    line: usize,
    column: usize,
}

impl Member {
    fn value(&self) -> Result<Value, LoadError> {
        serde_json::from_slice(&self.text).map_err(|e| json_error_at(e, self.line, self.column))
    }
}

/// One element of the `features` array, read.
struct Read1 {
    line: usize,
    result: Result<(Feature, Repairs), String>,
}

const TRUNCATED: &str = "the file ends in the middle of the JSON (truncated?)";

fn read_document<R: Read>(
    mut sc: Scanner<R>,
    progress: &dyn Fn() -> bool,
    chosen: Option<Crs>,
    size: Option<u64>,
) -> Result<Loaded, LoadError> {
    sc.skip_bom()?;
    match sc.peek()? {
        None => return Err(LoadError::Malformed { place: "line 1".into(), message: "the file is empty".into() }),
        Some(b'{') => sc.advance(1),
        Some(_) => {
            // Not an object: let serde_json say what it is (or where it breaks).
            let (line, column) = sc.place();
            let rest = sc.read_rest(64 << 20)?;
            return Err(match serde_json::from_slice::<IgnoredAny>(rest) {
                Err(e) => json_error_at(e, line, column),
                Ok(_) => LoadError::Malformed {
                    place: "top level".into(),
                    message: "not GeoJSON: the top level is not an object".into(),
                },
            });
        }
    }
    let mut members: Vec<Member> = Vec::new();
    let mut has_features = false;
    let mut plan = Plan::default();
    let mut warnings = Vec::new();
    let mut first_fault = None;
    let mut tally = Tally::default();
    let mut count = 0;
    // Where each feature kept came from: its index in the file and its line.
    let mut origins: Vec<(u32, u32)> = Vec::new();
    // How many features the file holds, guessed once its first batch is cut.
    let expect = Cell::new(None);
    let mut sink = |read: Read1| {
        if let Some(n) = expect.take() {
            plan.try_reserve(n);
            let _ = origins.try_reserve(n);
        }
        match read.result {
            Ok((f, repairs)) => {
                tally.add(
                    || count.to_string(),
                    || format!("feature {count} (line {})", read.line),
                    &repairs,
                    &mut warnings,
                );
                plan.push(f);
                origins.push((count as u32, read.line as u32));
            }
            Err(message) => {
                let w = Warning { place: format!("feature {count} (line {})", read.line), message };
                first_fault.get_or_insert_with(|| w.clone());
                warnings.push(w);
            }
        }
        count += 1;
    };
    if sc.peek()? == Some(b'}') {
        sc.advance(1);
    } else {
        loop {
            match sc.peek()? {
                Some(b'"') => {}
                Some(_) => return Err(sc.error("expected a member name in double quotes")),
                None => return Err(sc.error(TRUNCATED)),
            }
            let (line, column) = sc.place();
            let n = sc.value_len()?;
            let key: String = serde_json::from_slice(&sc.rest()[..n]).map_err(|e| json_error_at(e, line, column))?;
            sc.advance(n);
            sc.expect(b':', "`:` after a member name")?;
            match sc.peek()? {
                None => return Err(sc.error(TRUNCATED)),
                Some(b'[') if key == "features" => {
                    let guess = Guess { size, expect: &expect };
                    read_features(&mut sc, progress, guess, &mut sink)?;
                    has_features = true;
                }
                Some(_) => {
                    let (line, column) = sc.place();
                    let n = sc.value_len()?;
                    members.push(Member { key, text: sc.rest()[..n].to_vec(), line, column });
                    sc.advance(n);
                    sc.compact();
                }
            }
            match sc.peek()? {
                Some(b',') => sc.advance(1),
                Some(b'}') => {
                    sc.advance(1);
                    break;
                }
                Some(_) => return Err(sc.error("expected `,` or `}` after a member")),
                None => return Err(sc.error(TRUNCATED)),
            }
        }
    }
    if sc.peek()?.is_some() {
        return Err(sc.error("trailing characters after the JSON document"));
    }
    // Every member must be JSON even if it is not used. A feature's or a
    // geometry's own members are only checked here (they are read into geo
    // types below): a tree of their values would cost ~20× their text.
    let mut values: Vec<(String, Value)> = Vec::with_capacity(members.len());
    for m in &members {
        if GEOJSON_MEMBERS.contains(&m.key.as_str()) && m.key != "type" {
            serde_json::from_slice::<IgnoredAny>(&m.text).map_err(|e| json_error_at(e, m.line, m.column))?;
        } else {
            values.push((m.key.clone(), m.value()?));
        }
    }
    let ty = match values.iter().find(|(k, _)| k == "type") {
        None => {
            return Err(LoadError::Malformed {
                place: "top level".into(),
                message: "not GeoJSON: the object has no \"type\" member".into(),
            });
        }
        Some((_, Value::String(t))) => t.clone(),
        Some(_) => {
            let line = members.iter().find(|m| m.key == "type").map_or(1, |m| m.line);
            return Err(LoadError::Malformed {
                place: format!("line {line}"),
                message: "not GeoJSON: \"type\" is not a string".into(),
            });
        }
    };

    let mut meta = PlanMeta::default();
    for (k, value) in &values {
        // `crs` is applied below (the plan is WGS 84 once loaded), so it is not kept to be written again.
        if GEOJSON_MEMBERS.contains(&k.as_str()) {
            continue;
        }
        match (k.as_str(), value) {
            ("name", Value::String(s)) => meta.name = Some(s.clone()),
            ("note", Value::String(s)) => meta.note = Some(s.clone()),
            _ => {
                meta.foreign.insert(k.clone(), value.clone());
            }
        }
    }
    plan.meta = meta;
    let named = match members.iter().find(|m| m.key == "crs") {
        Some(m) => crs::from_geojson_crs(&m.value()?)
            .map_err(|message| LoadError::Malformed { place: format!("\"crs\" (line {})", m.line), message })?,
        None => None,
    };
    if origins.is_empty() {
        origins.push((0, 1));
    }

    match ty.as_str() {
        "FeatureCollection" => {
            if !has_features {
                if let Some(m) = members.iter().find(|m| m.key == "features") {
                    return Err(LoadError::Json {
                        line: m.line,
                        column: m.column,
                        message: "\"features\" is not an array".into(),
                    });
                }
                return Err(LoadError::Malformed {
                    place: "top level".into(),
                    message: "FeatureCollection has no \"features\" member".into(),
                });
            }
            tally.report(&mut warnings);
            if plan.is_empty()
                && let Some(w) = first_fault
            {
                return Err(LoadError::Malformed {
                    place: w.place,
                    message: format!("no usable feature; {}", w.message),
                });
            }
        }
        "Feature" => {
            let (f, repairs) = lone_feature(&members)
                .map_err(|message| LoadError::Malformed { place: "feature (line 1)".into(), message })?;
            tally.add(|| "0".into(), || "feature 0 (line 1)".into(), &repairs, &mut warnings);
            tally.report(&mut warnings);
            plan.push(f);
        }
        "Point" | "MultiPoint" | "LineString" | "MultiLineString" | "Polygon" | "MultiPolygon"
        | "GeometryCollection" => {
            let text = object_text(&members);
            let mut repairs = Repairs::default();
            let g = read_geometry(std::str::from_utf8(&text).unwrap_or_default(), &mut repairs)
                .map_err(|message| LoadError::Malformed { place: "geometry".into(), message })?;
            let kind = infer_kind(&Props::default(), shape_of(&g));
            plan.push(Feature::new(kind, Map::new(), g));
        }
        other => {
            return Err(LoadError::Malformed {
                place: "top level".into(),
                message: format!("not GeoJSON: \"type\" is \"{}\"", super::clip(other, 40)),
            });
        }
    }
    let place = |i: usize| {
        let (n, line) = origins.get(i).copied().unwrap_or((i as u32, 0));
        format!("feature {n} (line {line})")
    };
    let crs = settle_crs(&mut plan, &place, chosen.or(named), &mut warnings)?;
    super::plan_items::extract(&mut plan, &mut warnings);
    Ok(Loaded { plan, warnings, crs })
}

/// Brings every feature to WGS 84 longitude/latitude: from the system chosen
/// or named, else from the one its coordinates show. A feature that cannot be
/// brought (or, in a longitude/latitude file, a stray one in metres) is left
/// out with a warning. Returns the system transformed from, if any.
pub(crate) fn settle_crs(
    plan: &mut Plan,
    place: &dyn Fn(usize) -> String,
    crs: Option<Crs>,
    warnings: &mut Vec<Warning>,
) -> Result<Option<Crs>, LoadError> {
    // The features whose coordinates are not longitude/latitude, by position
    // (the plan is fresh: position i is FeatureId(i)), looked for a block of
    // features a core (a million buildings' coordinates took about 0.1 s on one).
    let strays = |plan: &Plan| -> Vec<(usize, String)> {
        crate::model::par::blocks(plan.id_bound(), 8_192, |ids| {
            ids.filter_map(|i| check_degrees(&plan.get(FeatureId(i as u32))?.geometry).err().map(|m| (i, m)))
                .collect::<Vec<_>>()
        })
        .concat()
    };
    let (crs, faults) = match crs {
        Some(c @ (Crs::Wgs84 | Crs::Cgcs2000)) => (Some(c), strays(plan)),
        Some(c) => (Some(c), transform_all(plan, c)),
        None => {
            let stray = strays(plan);
            if stray.len() * 2 <= plan.len() {
                // A longitude/latitude file with a few features in metres: those are faults.
                (None, stray)
            } else {
                let c = guess_crs(plan, &stray)?;
                (Some(c), transform_all(plan, c))
            }
        }
    };
    for (i, message) in &faults {
        plan.take(FeatureId(*i as u32));
        warnings.push(Warning { place: place(*i), message: message.clone() });
    }
    if plan.is_empty()
        && let Some((i, m)) = faults.first()
    {
        return Err(LoadError::Malformed { place: place(*i), message: format!("no usable feature; {m}") });
    }
    Ok(crs)
}

/// The coordinate system the features not in degrees show, or why there is none.
fn guess_crs(plan: &Plan, stray: &[(usize, String)]) -> Result<Crs, LoadError> {
    let mut bbox = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
    for r in
        stray.iter().filter_map(|(i, _)| geo::BoundingRect::bounding_rect(&plan.get(FeatureId(*i as u32))?.geometry))
    {
        bbox = [bbox[0].min(r.min().x), bbox[1].min(r.min().y), bbox[2].max(r.max().x), bbox[3].max(r.max().y)];
    }
    let message = match crs::guess(bbox[0], bbox[1], bbox[2], bbox[3]) {
        crs::Guess::Known(c) => return Ok(c),
        crs::Guess::ProjectedUnknown => format!(
            "projected (metres, e.g. {:.0}, {:.0}) but the file does not say in which coordinate system, and UTM and \
             Gauss-Krüger zones look alike; open it with the system chosen (e.g. --crs EPSG:32650)",
            bbox[0], bbox[1]
        ),
        crs::Guess::Degrees | crs::Guess::Unrecognised => format!(
            "({}, {}) is neither longitude/latitude nor in a known coordinate system; supported: {}",
            bbox[0],
            bbox[1],
            crs::SUPPORTED
        ),
    };
    Err(LoadError::Malformed { place: "coordinates".into(), message })
}

/// Transforms every feature's geometry to WGS 84 on all cores; returns the
/// features (by position) that could not be.
fn transform_all(plan: &mut Plan, crs: Crs) -> Vec<(usize, String)> {
    use geo::MapCoordsInPlace;
    let slots = plan.slots_mut();
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 8);
    let chunk = slots.len().div_ceil(threads).max(1);
    let label = crs.label();
    let faults: Vec<Vec<(usize, String)>> = std::thread::scope(|s| {
        let handles: Vec<_> = slots
            .chunks_mut(chunk)
            .enumerate()
            .map(|(part, slots)| {
                let label = &label;
                s.spawn(move || {
                    let mut faults = Vec::new();
                    for (j, f) in slots.iter_mut().enumerate() {
                        let Some(f) = f else { continue };
                        let bad = Cell::new(None);
                        let bad_ref = &bad;
                        f.geometry.map_coords_in_place(move |c| match crs.to_wgs84(c.x, c.y) {
                            Some((x, y)) => geo::Coord { x, y },
                            None => {
                                if bad_ref.get().is_none() {
                                    bad_ref.set(Some(c));
                                }
                                c
                            }
                        });
                        if let Some(c) = bad.get() {
                            faults
                                .push((part * chunk + j, format!("coordinate ({}, {}) is outside {label}", c.x, c.y)));
                        }
                    }
                    faults
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
    });
    faults.into_iter().flatten().collect()
}

/// Top-level members that are GeoJSON's own (read as a feature or geometry, or
/// applied as the coordinate system), never kept as the plan's foreign members.
const GEOJSON_MEMBERS: [&str; 8] =
    ["type", "features", "geometry", "properties", "id", "geometries", "coordinates", "crs"];

/// A lone Feature read from its members' texts as [`RawFeature`] reads one
/// (unknown members ignored, a repeated one refused), without putting the
/// object's text together again: its geometry may be most of a large file.
fn lone_feature(members: &[Member]) -> Result<(Feature, Repairs), String> {
    let mut seen = [false; 4];
    let mut rf = RawFeature { ty: Cow::Borrowed("Feature"), id: AnyId(None), properties: None, geometry: None };
    for m in members {
        let Some(i) = ["type", "id", "properties", "geometry"].iter().position(|k| *k == m.key) else { continue };
        if std::mem::replace(&mut seen[i], true) {
            return Err(format!("duplicate field `{}`", m.key));
        }
        let raw = || serde_json::from_slice::<Option<&RawValue>>(&m.text).map_err(clean);
        match i {
            1 => rf.id = serde_json::from_slice::<AnyId>(&m.text).map_err(clean)?,
            2 => rf.properties = raw()?,
            3 => rf.geometry = raw()?,
            _ => {}
        }
    }
    feature_of(rf)
}

/// The members put back together as one JSON object (for a lone geometry).
fn object_text(members: &[Member]) -> Vec<u8> {
    let mut out = b"{".to_vec();
    for (i, m) in members.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend(serde_json::to_vec(&m.key).unwrap_or_default());
        out.push(b':');
        out.extend(&m.text);
    }
    out.push(b'}');
    out
}

/// Safe repairs counted over a file, reported as a few warnings (one a kind of
/// repair, naming the first five features) rather than one a feature. Every format reports through it.
#[derive(Default)]
pub(super) struct Tally {
    closed: Listed,
    deduplicated: Listed,
    reoriented: Listed,
    dropped: Listed,
}

/// The features a repair was made to: how many, and the first five by name.
#[derive(Default)]
struct Listed {
    count: usize,
    first: Vec<String>,
}

impl Listed {
    fn add(&mut self, name: impl Fn() -> String) {
        self.count += 1;
        if self.first.len() < 5 {
            self.first.push(name());
        }
    }
}

impl Tally {
    /// Counts one feature's repairs. `name`: the feature in a list ("12", "row 12");
    /// `place`: where it is, for the warning a self-crossing outline gets on its own.
    pub(super) fn add(
        &mut self,
        name: impl Fn() -> String,
        place: impl FnOnce() -> String,
        r: &Repairs,
        warnings: &mut Vec<Warning>,
    ) {
        if !r.any() {
            return;
        }
        if r.closed {
            self.closed.add(&name);
        }
        if r.deduplicated {
            self.deduplicated.add(&name);
        }
        if r.reoriented {
            self.reoriented.add(&name);
        }
        if r.dropped_holes + r.dropped_parts > 0 {
            self.dropped.add(&name);
        }
        if r.self_intersects {
            warnings.push(Warning {
                place: place(),
                message: "its outline crosses itself; kept as drawn, so its measured area may be wrong".into(),
            });
        }
    }

    /// The warnings: one for each kind of repair made.
    pub(super) fn report(self, warnings: &mut Vec<Warning>) {
        let mut say = |which: Listed, what: &str| {
            if which.count == 0 {
                return;
            }
            let mut list = which.first;
            if which.count > list.len() {
                list.push("…".into());
            }
            let noun = if which.count == 1 { "feature" } else { "features" };
            warnings
                .push(Warning { place: format!("{} {noun} ({})", which.count, list.join(", ")), message: what.into() });
        };
        say(self.closed, "rings that did not end where they started were closed");
        say(self.deduplicated, "repeated consecutive positions were merged");
        say(self.reoriented, "rings were turned to the RFC 7946 winding (outer counter-clockwise, holes clockwise)");
        say(
            self.dropped,
            "holes or parts with too few positions, or holes reaching outside their polygon, were left out",
        );
    }
}

/// Reads the elements of the `features` array (the scanner is on its `[`),
/// parsing them on all cores in batches while the file is still being read,
/// and hands them to `sink` in file order as they are ready.
/// Where [`scan_elements`] leaves its guess of the number of features: a
/// file of `size` bytes holds about as many a byte as its first batch.
#[derive(Clone, Copy)]
struct Guess<'a> {
    size: Option<u64>,
    expect: &'a Cell<Option<usize>>,
}

fn read_features<R: Read>(
    sc: &mut Scanner<R>,
    progress: &dyn Fn() -> bool,
    guess: Guess,
    sink: &mut dyn FnMut(Read1),
) -> Result<(), LoadError> {
    sc.advance(1);
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 8);
    let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(threads * 2);
    let rx = Mutex::new(rx);
    let done: Mutex<BTreeMap<usize, Result<Vec<Read1>, LoadError>>> = Mutex::new(BTreeMap::new());
    let failed = AtomicBool::new(false);
    // Batches' buffers go back to the scanner once parsed: a fresh megabyte a
    // batch would be faulted in (zeroed by the kernel) again and again.
    let spare: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
    let mut next = 0;
    let mut fault = None;
    // Hands over the batches that are ready, in order.
    let mut drain = |fault: &mut Option<LoadError>| {
        loop {
            let ready = done.lock().ok().and_then(|mut d| d.remove(&next));
            match ready {
                Some(Ok(reads)) if fault.is_none() => reads.into_iter().for_each(&mut *sink),
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    fault.get_or_insert(e);
                }
                None => return,
            }
            next += 1;
        }
    };
    let scanned = std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let next = rx.lock().map(|r| r.recv());
                    let Ok(Ok(batch)) = next else { break };
                    let result = batch.parse();
                    if result.is_err() {
                        failed.store(true, Ordering::Relaxed);
                    }
                    if let Ok(mut d) = done.lock() {
                        d.insert(batch.index, result);
                    }
                    if let Ok(mut s) = spare.lock() {
                        let mut bytes = batch.bytes;
                        bytes.clear();
                        s.push(bytes);
                    }
                }
            });
        }
        let r = scan_elements(sc, &tx, progress, guess, &failed, &spare, &mut || drain(&mut fault));
        drop(tx);
        r
    });
    drain(&mut fault);
    // The first fault in file order wins, whether a worker or the scanner found it.
    match fault {
        Some(e) => Err(e),
        None => scanned,
    }
}

/// Elements of the features array, copied out of the scanner's window.
struct Batch {
    index: usize,
    bytes: Vec<u8>,
    /// Start, length, line and column of each element in `bytes`.
    elems: Vec<(usize, usize, usize, usize)>,
}

impl Batch {
    fn parse(&self) -> Result<Vec<Read1>, LoadError> {
        self.elems
            .iter()
            .map(|&(start, len, line, column)| {
                let text = &self.bytes[start..start + len];
                let quick = serde_json::from_slice::<QuickFeature>(text).ok().and_then(QuickFeature::finish);
                if let Some(result) = quick {
                    return Ok(Read1 { line, result });
                }
                match serde_json::from_slice::<RawFeature>(text) {
                    Ok(rf) => Ok(Read1 { line, result: feature_of(rf) }),
                    Err(e) if e.is_syntax() || e.is_eof() => Err(json_error_at(e, line, column)),
                    Err(e) => {
                        // Valid JSON that is not a feature is a warning; broken JSON is not.
                        serde_json::from_slice::<IgnoredAny>(text).map_err(|e| json_error_at(e, line, column))?;
                        Ok(Read1 { line, result: Err(clean(e)) })
                    }
                }
            })
            .collect()
    }
}

/// How many bytes of features go to a worker at a time.
const BATCH_BYTES: u64 = 1 << 20;

fn scan_elements<R: Read>(
    sc: &mut Scanner<R>,
    tx: &std::sync::mpsc::SyncSender<Batch>,
    progress: &dyn Fn() -> bool,
    guess: Guess,
    failed: &AtomicBool,
    spare: &Mutex<Vec<Vec<u8>>>,
    drain: &mut dyn FnMut(),
) -> Result<(), LoadError> {
    let mut index = 0;
    let mut start = sc.offset();
    let mut elems = Vec::new();
    let mut flush = |sc: &mut Scanner<R>, elems: &mut Vec<(usize, usize, usize, usize)>, start: &mut u64| {
        let len = (sc.offset() - *start) as usize;
        if index == 0
            && let Some(size) = guess.size
            && len > 0
        {
            // A tenth over, so that a file a little denser later is not grown
            // again; never more than the shortest feature's 50 bytes allow.
            let rest = size.saturating_sub(*start) as f64 / len as f64;
            let most = (size / 50) as f64;
            guess.expect.set(Some((elems.len() as f64 * rest * 1.1).min(most) as usize));
        }
        let mut bytes = spare.lock().ok().and_then(|mut s| s.pop()).unwrap_or_default();
        bytes.extend_from_slice(sc.slice(*start, len));
        let batch = Batch { index, bytes, elems: std::mem::take(elems) };
        index += 1;
        *start = sc.offset();
        sc.compact();
        tx.send(batch).is_ok()
    };
    if sc.peek()? == Some(b']') {
        sc.advance(1);
        return Ok(());
    }
    loop {
        match sc.peek()? {
            None => return Err(sc.error(TRUNCATED)),
            Some(b']') => return Err(sc.error("a trailing comma before `]`")),
            Some(_) => {}
        }
        let (line, column) = sc.place();
        let at = (sc.offset() - start) as usize;
        let n = sc.value_len()?;
        elems.push((at, n, line, column));
        sc.advance(n);
        match sc.peek()? {
            Some(b',') => sc.advance(1),
            Some(b']') => {
                sc.advance(1);
                flush(sc, &mut elems, &mut start);
                return Ok(());
            }
            Some(_) => return Err(sc.error("expected `,` or `]` after a feature")),
            None => return Err(sc.error(TRUNCATED)),
        }
        if sc.offset() - start >= BATCH_BYTES {
            if !flush(sc, &mut elems, &mut start) || failed.load(Ordering::Relaxed) {
                return Ok(());
            }
            if !progress() {
                return Err(LoadError::Cancelled);
            }
            drain();
        }
    }
}

/// A serde_json error inside a value that starts at `line`, `column` of the file.
fn json_error_at(e: serde_json::Error, line: usize, column: usize) -> LoadError {
    let (l, c) = (e.line(), e.column());
    match json_error(e) {
        LoadError::Json { message, .. } => LoadError::Json {
            line: line + l.saturating_sub(1),
            column: if l <= 1 { column + c.saturating_sub(1) } else { c },
            message,
        },
        other => other,
    }
}

/// A serde_json message without its own " at line L column C" (we name the place).
fn clean(e: serde_json::Error) -> String {
    let m = e.to_string();
    m.rsplit_once(" at line ").map(|(m, _)| m.to_string()).unwrap_or(m)
}

fn feature_of(rf: RawFeature) -> Result<(Feature, Repairs), String> {
    if rf.ty != "Feature" {
        return Err(format!("\"type\" is \"{}\", expected \"Feature\"", super::clip(&rf.ty, 40)));
    }
    let Some(geometry) = rf.geometry.filter(|g| g.get() != "null") else {
        return Err("has no geometry".into());
    };
    let mut repairs = Repairs::default();
    let geometry = read_geometry(geometry.get(), &mut repairs)?;
    finish_feature(rf.id.0, rf.properties, geometry, repairs)
}

/// A feature of a read geometry, its properties and id.
fn finish_feature(
    id: Option<SourceId>,
    properties: Option<&RawValue>,
    geometry: Geometry<f64>,
    repairs: Repairs,
) -> Result<(Feature, Repairs), String> {
    let properties = match properties {
        Some(p) => Props::from_valid_json(p.get())?,
        None => Props::default(),
    };
    let kind = infer_kind(&properties, shape_of(&geometry));
    Ok((Feature { source_id: id, kind, properties, geometry, change: None }, repairs))
}

/// A feature's `id` member, whatever JSON it holds: a string or a number is
/// its [`SourceId`]; `null`, an object, an array or a boolean is no id (read
/// through and dropped, as the plan would drop it for a key of its own).
#[derive(Default)]
struct AnyId(Option<SourceId>);

impl<'de> Deserialize<'de> for AnyId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = AnyId;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E>(self, s: &str) -> Result<AnyId, E> {
                Ok(AnyId(Some(s.into())))
            }
            fn visit_string<E>(self, s: String) -> Result<AnyId, E> {
                Ok(AnyId(Some(s.into())))
            }
            fn visit_u64<E>(self, n: u64) -> Result<AnyId, E> {
                Ok(AnyId(Some(SourceId::number(&n.into()))))
            }
            fn visit_i64<E>(self, n: i64) -> Result<AnyId, E> {
                Ok(AnyId(Some(SourceId::number(&n.into()))))
            }
            fn visit_f64<E>(self, n: f64) -> Result<AnyId, E> {
                Ok(AnyId(serde_json::Number::from_f64(n).map(|n| SourceId::number(&n))))
            }
            fn visit_bool<E>(self, _: bool) -> Result<AnyId, E> {
                Ok(AnyId(None))
            }
            fn visit_unit<E>(self) -> Result<AnyId, E> {
                Ok(AnyId(None))
            }
            fn visit_none<E>(self) -> Result<AnyId, E> {
                Ok(AnyId(None))
            }
            fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<AnyId, D::Error> {
                d.deserialize_any(V)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<AnyId, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(AnyId(None))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<AnyId, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(AnyId(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// A feature read in one pass, its geometry's coordinates with it, when it
/// is written the usual way: `"type": "Feature"`, each member once, a
/// geometry whose type comes before its coordinates. Anything else (and any
/// fault) is read the long way, [`RawFeature`], which words it.
enum QuickFeature<'a> {
    Read { id: Option<SourceId>, properties: Option<&'a RawValue>, shape: Shape },
    LongWay,
}

impl QuickFeature<'_> {
    /// What [`feature_of`] makes of the same text.
    fn finish(self) -> Option<Result<(Feature, Repairs), String>> {
        let QuickFeature::Read { id, properties, shape } = self else { return None };
        let mut repairs = Repairs::default();
        Some(
            shape
                .into_geometry(&mut repairs)
                .and_then(|g| usable_and_repaired(g, &mut repairs))
                .and_then(|g| finish_feature(id, properties, g, repairs)),
        )
    }
}

impl<'de> Deserialize<'de> for QuickFeature<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(field_identifier, rename_all = "lowercase")]
        enum Field {
            Type,
            Id,
            Properties,
            Geometry,
            #[serde(other)]
            Other,
        }
        /// The one type a feature may have.
        #[derive(Deserialize)]
        enum Tag {
            Feature,
        }
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = QuickFeature<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a feature")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<QuickFeature<'de>, A::Error> {
                let (mut seen, mut twice) = ([false; 4], false);
                let (mut id, mut properties, mut shape) = (None, None, None);
                while let Some(field) = map.next_key::<Field>()? {
                    let i = match field {
                        Field::Type => {
                            map.next_value::<Tag>()?;
                            0
                        }
                        Field::Id => {
                            id = map.next_value::<AnyId>()?.0;
                            1
                        }
                        Field::Properties => {
                            properties = map.next_value::<Option<&'de RawValue>>()?;
                            2
                        }
                        Field::Geometry => {
                            shape = match map.next_value::<OnePass<'de>>()? {
                                OnePass::Read(s) => Some(s),
                                _ => None,
                            };
                            3
                        }
                        Field::Other => {
                            map.next_value::<IgnoredAny>()?;
                            continue;
                        }
                    };
                    twice |= std::mem::replace(&mut seen[i], true);
                }
                Ok(match shape {
                    Some(shape) if seen[0] && !twice => QuickFeature::Read { id, properties, shape },
                    _ => QuickFeature::LongWay,
                })
            }
        }
        d.deserialize_map(V)
    }
}

/// Reads a GeoJSON geometry and checks it is usable as longitude/latitude.
fn read_geometry(text: &str, repairs: &mut Repairs) -> Result<Geometry<f64>, String> {
    usable_and_repaired(geometry_of(text, repairs, 0)?, repairs)
}

/// A geometry checked usable as longitude/latitude, then repaired.
fn usable_and_repaired(mut g: Geometry<f64>, repairs: &mut Repairs) -> Result<Geometry<f64>, String> {
    check_usable(&g)?;
    super::repair::repair(&mut g, repairs)?;
    Ok(g)
}

/// A GeoJSON geometry given as a JSON value (e.g. inside a property).
pub fn geometry_from_value(v: Value) -> Result<Geometry<f64>, String> {
    read_geometry(&v.to_string(), &mut Repairs::default())
}

/// A geometry as written: its coordinates are read once its type is known.
#[derive(Deserialize)]
struct RawGeometry<'a> {
    #[serde(rename = "type")]
    ty: Cow<'a, str>,
    #[serde(default, borrow)]
    coordinates: Option<&'a RawValue>,
    #[serde(default, borrow)]
    geometries: Option<Vec<&'a RawValue>>,
}

/// A position: longitude and latitude (or easting and northing); an altitude or more is ignored.
#[derive(Clone, Copy)]
struct Pos(Coord<f64>);

thread_local! {
    /// The positions of the run being read, kept between runs.
    static RUN: Cell<Vec<Pos>> = const { Cell::new(Vec::new()) };
}

/// A run of positions — a ring, a line, a multipoint's points — read into a
/// buffer its thread keeps, then copied out at its exact size: one
/// allocation a run, where a growing Vec made three (a building's five
/// corners: room for four, then eight, then five). A long run (a GPS track)
/// is the buffer itself, handed over, so it is never held twice.
struct Run(Vec<Pos>);

impl<'de> Deserialize<'de> for Run {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        const LONG: usize = 4096;
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Run;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                // As serde's own Vec says: messages are the same either way.
                f.write_str("a sequence")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Run, A::Error> {
                let mut run = RUN.take();
                run.clear();
                while let Some(p) = seq.next_element::<Pos>()? {
                    run.push(p);
                }
                if run.len() >= LONG {
                    return Ok(Run(run));
                }
                let out = run.to_vec();
                RUN.set(run);
                Ok(Run(out))
            }
        }
        d.deserialize_seq(V)
    }
}

impl<'de> Deserialize<'de> for Pos {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Pos;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a position of at least two numbers")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Pos, A::Error> {
                use serde::de::Error;
                let x: f64 = seq.next_element()?.ok_or_else(|| A::Error::invalid_length(0, &self))?;
                let y: f64 = seq.next_element()?.ok_or_else(|| A::Error::invalid_length(1, &self))?;
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Pos(Coord { x, y }))
            }
        }
        d.deserialize_seq(V)
    }
}

/// The positions as a line, in a block of exactly their size (a short run
/// is already; a long one is shrunk).
fn line(Run(ps): Run) -> LineString<f64> {
    let mut coords: Vec<Coord<f64>> = ps.into_iter().map(|p| p.0).collect();
    coords.shrink_to_fit();
    LineString(coords)
}

fn polygon(rings: Vec<Run>, repairs: &mut Repairs) -> Option<Polygon<f64>> {
    let mut rings = rings.into_iter();
    let exterior = rings.next()?;
    let mut close = |Run(r): &Run| repairs.closed |= r.len() >= 2 && r.first().map(|p| p.0) != r.last().map(|p| p.0);
    close(&exterior);
    // Pushed into a Vec of their own: collected from `rings`, the holes would
    // reuse its block (room for four rings), which every polygon without a
    // hole would then keep for nothing — 97 MB of a million buildings.
    let mut interiors: Vec<LineString<f64>> = Vec::with_capacity(rings.len());
    for r in rings {
        close(&r);
        interiors.push(line(r));
    }
    Some(Polygon::new(line(exterior), interiors))
}

/// Reads a GeoJSON geometry object straight into `geo` types.
///
/// Nearly every writer puts `"type"` before `"coordinates"`, so the
/// coordinates are first read in the same pass as the object ([`OnePass`]);
/// anything else — the type after them, a collection, any fault — is read
/// the long way ([`RawGeometry`], then the coordinates by type), which is
/// also what words every error, so a message never depends on the shortcut.
fn geometry_of(text: &str, repairs: &mut Repairs, depth: usize) -> Result<Geometry<f64>, String> {
    let quick = match serde_json::from_str::<OnePass>(text) {
        Ok(OnePass::Read(shape)) => Some(shape),
        Ok(OnePass::Later(ty, raw)) => shape_of_text(ty, raw.get()).ok(),
        Ok(OnePass::LongWay) | Err(_) => None,
    };
    if let Some(shape) = quick {
        return shape.into_geometry(repairs);
    }
    let bad = |e: serde_json::Error| format!("bad geometry: {}", clean(e));
    let rg: RawGeometry = serde_json::from_str(text).map_err(bad)?;
    if rg.ty == "GeometryCollection" {
        if depth > 16 {
            return Err("bad geometry: geometry collections nested too deeply".into());
        }
        let parts = rg.geometries.ok_or("bad geometry: GeometryCollection has no \"geometries\"")?;
        let parts: Vec<Geometry<f64>> =
            parts.iter().map(|g| geometry_of(g.get(), repairs, depth + 1)).collect::<Result<_, _>>()?;
        return Ok(Geometry::GeometryCollection(GeometryCollection(parts)));
    }
    let raw =
        rg.coordinates.ok_or_else(|| format!("bad geometry: {} has no \"coordinates\"", super::clip(&rg.ty, 40)))?;
    match GeomType::of(&rg.ty) {
        Some(ty) => shape_of_text(ty, raw.get()).map_err(bad)?.into_geometry(repairs),
        None => Err(format!("bad geometry: unknown type \"{}\"", super::clip(&rg.ty, 40))),
    }
}

/// The geometry types that have coordinates.
#[derive(Clone, Copy, Deserialize)]
#[serde(field_identifier)]
enum GeomType {
    Point,
    MultiPoint,
    LineString,
    MultiLineString,
    Polygon,
    MultiPolygon,
    /// A collection, or a type GeoJSON does not have.
    #[serde(other)]
    Other,
}

impl GeomType {
    fn of(name: &str) -> Option<GeomType> {
        serde_json::from_value::<GeomType>(Value::String(name.into())).ok().filter(|t| !matches!(t, GeomType::Other))
    }
}

/// The coordinates of a geometry as written, by type.
enum Shape {
    Point(Pos),
    MultiPoint(Run),
    LineString(Run),
    MultiLineString(Vec<Run>),
    Polygon(Vec<Run>),
    MultiPolygon(Vec<Vec<Run>>),
}

impl Shape {
    fn into_geometry(self, repairs: &mut Repairs) -> Result<Geometry<f64>, String> {
        Ok(match self {
            Shape::Point(p) => Geometry::Point(Point(p.0)),
            Shape::MultiPoint(ps) => Geometry::MultiPoint(MultiPoint(line(ps).into_points())),
            Shape::LineString(ps) => Geometry::LineString(line(ps)),
            Shape::MultiLineString(ls) => {
                let mut lines = Vec::with_capacity(ls.len());
                lines.extend(ls.into_iter().map(line));
                Geometry::MultiLineString(MultiLineString(lines))
            }
            Shape::Polygon(rings) => {
                Geometry::Polygon(polygon(rings, repairs).ok_or("bad geometry: the polygon has no ring")?)
            }
            Shape::MultiPolygon(polys) => {
                let n = polys.len();
                let mut parts: Vec<Polygon<f64>> = Vec::with_capacity(n);
                parts.extend(polys.into_iter().filter_map(|p| polygon(p, repairs)));
                repairs.dropped_parts += (n - parts.len()) as u32;
                Geometry::MultiPolygon(MultiPolygon(parts))
            }
        })
    }
}

/// Reads coordinates of a known type (`Other` is never asked for).
struct ShapeSeed(GeomType);

impl<'de> serde::de::DeserializeSeed<'de> for ShapeSeed {
    type Value = Shape;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Shape, D::Error> {
        Ok(match self.0 {
            GeomType::Point => Shape::Point(Pos::deserialize(d)?),
            GeomType::MultiPoint => Shape::MultiPoint(Deserialize::deserialize(d)?),
            GeomType::LineString => Shape::LineString(Deserialize::deserialize(d)?),
            GeomType::MultiLineString => Shape::MultiLineString(Deserialize::deserialize(d)?),
            GeomType::Polygon => Shape::Polygon(Deserialize::deserialize(d)?),
            GeomType::MultiPolygon | GeomType::Other => Shape::MultiPolygon(Deserialize::deserialize(d)?),
        })
    }
}

/// Coordinates of a known type read from their own text.
fn shape_of_text(ty: GeomType, text: &str) -> Result<Shape, serde_json::Error> {
    use serde::de::DeserializeSeed;
    let mut de = serde_json::Deserializer::from_str(text);
    let shape = ShapeSeed(ty).deserialize(&mut de)?;
    de.end()?;
    Ok(shape)
}

/// A geometry object read in one pass where it can be.
enum OnePass<'a> {
    /// `"type"` came first: the coordinates are read.
    Read(Shape),
    /// The coordinates came before the type, kept as text.
    Later(GeomType, &'a RawValue),
    /// A collection, an unknown or missing type, missing coordinates, a member twice.
    LongWay,
}

impl<'de> Deserialize<'de> for OnePass<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(field_identifier, rename_all = "lowercase")]
        enum Field {
            Type,
            Coordinates,
            Geometries,
            #[serde(other)]
            Other,
        }
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = OnePass<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a geometry object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<OnePass<'de>, A::Error> {
                let (mut ty, mut shape, mut raw, mut twice, mut geometries) = (None, None, None, false, false);
                while let Some(field) = map.next_key::<Field>()? {
                    match field {
                        Field::Type => {
                            twice |= ty.is_some();
                            ty = Some(map.next_value::<GeomType>()?);
                        }
                        Field::Coordinates => {
                            twice |= shape.is_some() || raw.is_some();
                            match ty {
                                Some(t @ GeomType::Point)
                                | Some(t @ GeomType::MultiPoint)
                                | Some(t @ GeomType::LineString)
                                | Some(t @ GeomType::MultiLineString)
                                | Some(t @ GeomType::Polygon)
                                | Some(t @ GeomType::MultiPolygon) => shape = Some(map.next_value_seed(ShapeSeed(t))?),
                                _ => raw = Some(map.next_value::<&'de RawValue>()?),
                            }
                        }
                        Field::Geometries => {
                            twice |= geometries;
                            geometries = true;
                            map.next_value::<Option<Vec<&'de RawValue>>>()?;
                        }
                        Field::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(match (ty, shape, raw) {
                    _ if twice => OnePass::LongWay,
                    (Some(GeomType::Other) | None, _, _) => OnePass::LongWay,
                    (Some(_), Some(shape), None) => OnePass::Read(shape),
                    (Some(t), None, Some(raw)) => OnePass::Later(t, raw),
                    _ => OnePass::LongWay,
                })
            }
        }
        d.deserialize_map(V)
    }
}

/// Rejects geometries that cannot be drawn or measured as longitude/latitude.
pub fn check_geometry(g: &Geometry<f64>) -> Result<(), String> {
    check_usable(g)?;
    check_degrees(g)
}

/// Rejects geometries with non-finite numbers, no positions, or too few for their type.
pub(crate) fn check_usable(g: &Geometry<f64>) -> Result<(), String> {
    let mut n = 0usize;
    each_run(g, &mut |run| {
        n += run.len();
        match run.iter().all(|c| c.x.is_finite() && c.y.is_finite()) {
            true => Ok(()),
            false => Err("a coordinate is not a finite number".to_string()),
        }
    })?;
    if n == 0 {
        return Err("the geometry is empty".into());
    }
    match g {
        Geometry::Polygon(p) if p.exterior().0.len() < 4 => Err("polygon ring has fewer than 4 positions".into()),
        Geometry::MultiPolygon(mp) if mp.iter().all(|p| p.exterior().0.len() < 4) => {
            Err("every polygon ring has fewer than 4 positions".into())
        }
        Geometry::LineString(l) if l.0.len() < 2 => Err("line has fewer than 2 positions".into()),
        _ => Ok(()),
    }
}

/// Rejects coordinates outside longitude/latitude.
pub fn check_degrees(g: &Geometry<f64>) -> Result<(), String> {
    each_run(
        g,
        &mut |run| match run.iter().find(|c| !(-180.0..=180.0).contains(&c.x) || !(-90.0..=90.0).contains(&c.y)) {
            Some(c) => Err(format!(
                "coordinate ({}, {}) is not a longitude/latitude (projected data needs a coordinate system)",
                c.x, c.y
            )),
            None => Ok(()),
        },
    )
}

/// Calls `f` with each run of a geometry's coordinates — a line, a ring, a
/// point's one — in `coords_iter`'s order, stopping at the first error: the
/// checks then loop over slices, not an iterator matching the type at every
/// coordinate (a million buildings are eight million coordinates).
fn each_run<E>(g: &Geometry<f64>, f: &mut impl FnMut(&[Coord<f64>]) -> Result<(), E>) -> Result<(), E> {
    fn polygon<E>(p: &Polygon<f64>, f: &mut impl FnMut(&[Coord<f64>]) -> Result<(), E>) -> Result<(), E> {
        f(&p.exterior().0)?;
        p.interiors().iter().try_for_each(|r| f(&r.0))
    }
    match g {
        Geometry::Point(p) => f(std::slice::from_ref(&p.0)),
        Geometry::LineString(l) => f(&l.0),
        Geometry::Polygon(p) => polygon(p, f),
        Geometry::MultiLineString(m) => m.iter().try_for_each(|l| f(&l.0)),
        Geometry::MultiPolygon(m) => m.iter().try_for_each(|p| polygon(p, f)),
        Geometry::GeometryCollection(c) => c.iter().try_for_each(|g| each_run(g, f)),
        g => g.coords_iter().try_for_each(|c| f(std::slice::from_ref(&c))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    #[test]
    fn a_feature_collection_loads_with_kinds_and_names() {
        let text = r#"{"type":"FeatureCollection","name":"测试","features":[
            {"type":"Feature","properties":{"kind":"building","name":"101楼"},"geometry":{"type":"Polygon","coordinates":[[[116.0,39.0],[116.001,39.0],[116.001,39.001],[116.0,39.0]]]}},
            {"type":"Feature","properties":{"highway":"residential"},"geometry":{"type":"LineString","coordinates":[[116.0,39.0],[116.1,39.0]]}}
        ]}"#;
        let loaded = parse(text.as_bytes()).expect("loads");
        assert_eq!(loaded.plan.len(), 2);
        assert!(loaded.warnings.is_empty());
        assert_eq!(loaded.plan.meta.name.as_deref(), Some("测试"));
        let kinds: Vec<Kind> = loaded.plan.iter().map(|(_, f)| f.kind).collect();
        assert_eq!(kinds, vec![Kind::Building, Kind::Street]);
    }

    #[test]
    fn a_bad_feature_is_a_warning_naming_its_line_not_a_failed_load() {
        let text = "{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":\"Feature\",\"properties\":null,\"geometry\":{\"type\":\"Point\",\"coordinates\":[116,39]}},\n{\"type\":\"Feature\",\"properties\":null,\"geometry\":{\"type\":\"Point\",\"coordinates\":\"x\"}}\n]}";
        let loaded = parse(text.as_bytes()).expect("loads");
        assert_eq!(loaded.plan.len(), 1);
        assert_eq!(loaded.warnings.len(), 1);
        assert_eq!(loaded.warnings[0].place, "feature 1 (line 3)");
    }

    #[test]
    fn broken_json_names_line_and_column() {
        let err = parse(b"{\"type\":\"FeatureCollection\",\n \"features\": [,]}").err().expect("fails");
        let msg = err.to_string();
        assert!(msg.starts_with("line 2, column"), "{msg}");
    }

    #[test]
    fn json_that_is_not_geojson_is_refused() {
        assert!(parse(b"[1,2,3]").is_err());
        assert!(parse(b"{\"a\":1}").is_err());
        assert!(parse(b"{\"type\":\"Topology\"}").is_err());
        assert!(parse(b"").is_err());
    }

    #[test]
    fn projected_coordinates_are_not_taken_for_degrees() {
        // Web Mercator is recognised from the numbers and brought to longitude/latitude.
        let text =
            r#"{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[12958000.0,4825000.0]}}"#;
        let loaded = parse(text.as_bytes()).expect("loads");
        assert_eq!(loaded.crs, Some(Crs::WebMercator));
        let Some(Geometry::Point(p)) = loaded.plan.iter().next().map(|(_, f)| f.geometry.clone()) else { panic!() };
        assert!((p.x() - 116.405).abs() < 0.01 && (p.y() - 39.72).abs() < 0.05, "{p:?}");
        // UTM-like metres without a named system cannot be placed: a clear error, not a guess.
        let utm =
            r#"{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[448000.0,4418000.0]}}"#;
        let e = parse(utm.as_bytes()).err().expect("refused").to_string();
        assert!(e.contains("--crs"), "{e}");
        // Named in the legacy crs member: Beijing's Gauss-Krüger zone 39.
        let gk = r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4548"}},
            "features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[448000.0,4418000.0]}}]}"#;
        let loaded = parse(gk.as_bytes()).expect("loads");
        assert_eq!(loaded.crs, Some(Crs::GaussKruger { epsg: 4548 }));
        // Applied, so not kept to be saved again (a GeoPackage would store it in rp_meta).
        assert!(!loaded.plan.meta.foreign.contains_key("crs"), "{:?}", loaded.plan.meta.foreign);
        let Some(Geometry::Point(p)) = loaded.plan.iter().next().map(|(_, f)| f.geometry.clone()) else { panic!() };
        assert!((p.x() - 116.39).abs() < 0.01 && (p.y() - 39.90).abs() < 0.01, "{p:?}");
        // One stray projected feature in a longitude/latitude file is a warning, not a reprojection.
        let mixed = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[116.4,39.9]}},
            {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[116.41,39.91]}},
            {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1e300,39.9]}}]}"#;
        let loaded = parse(mixed.as_bytes()).expect("loads");
        assert_eq!((loaded.plan.len(), loaded.crs), (2, None));
        assert_eq!(loaded.warnings[0].place, "feature 2 (line 4)");
    }

    #[test]
    fn chosen_web_map_coordinates_are_converted() {
        let text = r#"{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[116.41024449916938,39.91640428150164]}}"#;
        let opts = ReadOptions { crs: Some(Crs::Gcj02), ..Default::default() };
        let loaded = read(text.as_bytes(), &opts).expect("loads");
        let Some(Geometry::Point(p)) = loaded.plan.iter().next().map(|(_, f)| f.geometry.clone()) else { panic!() };
        assert!((p.x() - 116.404).abs() < 1e-5 && (p.y() - 39.915).abs() < 1e-5, "{p:?}");
    }

    #[test]
    fn a_repair_made_to_many_features_names_the_first_five_and_counts_them_all() {
        let clockwise = r#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[116,39],[116,39.001],[116.001,39.001],[116.001,39],[116,39]]]}}"#;
        let text = format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, [clockwise; 7].join(","));
        let loaded = parse(text.as_bytes()).expect("loads");
        let all: Vec<String> = loaded.warnings.iter().map(|w| w.to_string()).collect();
        assert_eq!(all.len(), 1, "{all:?}");
        assert!(all[0].starts_with("7 features (0, 1, 2, 3, 4, …): rings were turned"), "{all:?}");
        let one = format!(r#"{{"type":"FeatureCollection","features":[{clockwise}]}}"#);
        let all: Vec<String> = parse(one.as_bytes()).expect("loads").warnings.iter().map(|w| w.to_string()).collect();
        assert!(all[0].starts_with("1 feature (0): rings were turned"), "{all:?}");
    }

    #[test]
    fn imperfect_rings_are_repaired_and_reported() {
        let text = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[116,39],[116,39.001],[116.001,39.001],[116.001,39],[116.001,39]]]}},
            {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[116,39],[116.001,39.001],[116.001,39],[116,39.001],[116,39]]]}},
            {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[116,39],[116.001,39],[116,39]]]}},
            {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[]}}]}"#;
        let loaded = parse(text.as_bytes()).expect("loads");
        assert_eq!(loaded.plan.len(), 2);
        let all: Vec<String> = loaded.warnings.iter().map(|w| w.to_string()).collect();
        let has = |s: &str| all.iter().any(|w| w.contains(s));
        assert!(has("rings that did not end where they started were closed"), "{all:?}");
        assert!(has("RFC 7946 winding"), "{all:?}");
        assert!(has("merged"), "{all:?}");
        assert!(has("feature 1 (line 3): its outline crosses itself"), "{all:?}");
        assert!(has("feature 2 (line 4)") && has("feature 3 (line 5)"), "{all:?}");
        // Everything kept can be measured.
        for (_, f) in loaded.plan.iter() {
            assert!(crate::model::measure::area_m2(&f.geometry).is_finite());
        }
    }

    #[test]
    fn a_progress_callback_can_cancel_a_load() {
        let mut text = String::from("{\"type\":\"FeatureCollection\",\"features\":[");
        for i in 0..40_000 {
            if i > 0 {
                text.push(',');
            }
            text.push_str(r#"{"type":"Feature","properties":{"name":"楼"},"geometry":{"type":"Point","coordinates":[116.4,39.9]}}"#);
        }
        text.push_str("]}");
        let calls = Cell::new(0);
        let cancel = |_: u64| {
            calls.set(calls.get() + 1);
            false
        };
        let opts = ReadOptions { progress: Some(&cancel), ..Default::default() };
        assert!(matches!(read(text.as_bytes(), &opts), Err(LoadError::Cancelled)));
        assert_eq!(calls.get(), 1);
        let seen = Cell::new(0u64);
        let watch = |n: u64| {
            seen.set(n);
            true
        };
        let opts = ReadOptions { progress: Some(&watch), ..Default::default() };
        assert_eq!(read(text.as_bytes(), &opts).expect("loads").plan.len(), 40_000);
        assert!(seen.get() > 0 && seen.get() <= text.len() as u64);
    }

    #[test]
    fn a_bare_geometry_is_a_one_feature_plan() {
        let loaded = parse(br#"{"type":"LineString","coordinates":[[116,39],[116.1,39.1]]}"#).expect("loads");
        assert_eq!(loaded.plan.len(), 1);
    }

    /// The one-pass reading of a geometry and the long way give the same
    /// geometry, repairs and message, whatever the order or fault.
    #[test]
    fn a_geometry_reads_the_same_in_one_pass_and_the_long_way() {
        let long_way = |text: &str| {
            let mut r = Repairs::default();
            let rg: RawGeometry = serde_json::from_str(text).expect("an object");
            let ty = GeomType::of(&rg.ty).expect("a known type");
            let g = shape_of_text(ty, rg.coordinates.expect("coordinates").get())
                .map_err(|e| e.to_string())
                .and_then(|s| s.into_geometry(&mut r));
            (g, r.closed)
        };
        let quick = |text: &str| {
            let mut r = Repairs::default();
            (geometry_of(text, &mut r, 0), r.closed)
        };
        for text in [
            r#"{"type":"Point","coordinates":[116.4,39.9,12]}"#,
            r#"{"coordinates":[[116.4,39.9],[116.5,39.9]],"type":"LineString"}"#,
            r#"{"type":"Polygon","coordinates":[[[116.4,39.9],[116.5,39.9],[116.5,40],[116.4,39.95]]]}"#,
            r#"{"type":"MultiPolygon","bbox":[0,0,1,1],"coordinates":[[[[1,1],[2,1],[2,2],[1,1]]],[]]}"#,
            r#"{"type":"MultiLineString","coordinates":[[[1,1],[2,2]],[[3,3],[4,4]]],"geometries":null}"#,
        ] {
            let (a, b) = (quick(text), long_way(text));
            assert_eq!(a.0, b.0, "{text}");
            assert_eq!(a.1, b.1, "{text}");
        }
        // Faults and rare forms go the long way, which words them as before.
        let err = |text: &str| geometry_of(text, &mut Repairs::default(), 0).expect_err(text);
        assert_eq!(
            err(r#"{"type":"Point","type":"Point","coordinates":[1,2]}"#),
            "bad geometry: duplicate field `type`"
        );
        assert_eq!(err(r#"{"type":"Pointy","coordinates":[1,2]}"#), "bad geometry: unknown type \"Pointy\"");
        assert!(err(r#"{"type":"Point","coordinates":["a",2]}"#).starts_with("bad geometry: invalid type: string"));
        assert!(
            err(r#"{"type":"Point","coordinates":[1,2],"geometries":5}"#)
                .starts_with("bad geometry: invalid type: integer `5`")
        );
        let gc = r#"{"type":"GeometryCollection","geometries":[{"coordinates":[1,2],"type":"Point"}]}"#;
        assert!(matches!(geometry_of(gc, &mut Repairs::default(), 0), Ok(Geometry::GeometryCollection(_))));
    }

    #[test]
    fn a_lone_feature_is_read_from_its_members() {
        let text = r#"{"properties":{"name":"1号楼"},"id":7,"geometry":{"coordinates":[[116,39],[116.1,39.1]],"type":"LineString"},"type":"Feature","note":"n"}"#;
        let loaded = parse(text.as_bytes()).expect("loads");
        assert_eq!(loaded.plan.len(), 1);
        let f = loaded.plan.iter().next().expect("a feature").1;
        assert_eq!(f.properties.get_str("name"), Some("1号楼"));
        assert_eq!(f.source_id, Some(SourceId::Number("7".into())));
        assert_eq!(loaded.plan.meta.note.as_deref(), Some("n"));
        let twice = parse(br#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"geometry":null}"#);
        assert_eq!(twice.err().map(|e| e.to_string()).as_deref(), Some("feature (line 1): duplicate field `geometry`"));
    }

    #[test]
    fn the_checks_name_the_first_bad_coordinate_in_coords_iter_order() {
        use geo::polygon;
        let ok = polygon![(x: 116.0, y: 39.0), (x: 116.1, y: 39.0), (x: 116.1, y: 39.1), (x: 116.0, y: 39.0)];
        let holed = Polygon::new(
            ok.exterior().clone(),
            vec![LineString::from(vec![(116.01, 39.01), (500.0, 39.02), (700.0, 39.03), (116.01, 39.01)])],
        );
        let g = Geometry::GeometryCollection(GeometryCollection(vec![
            Geometry::Point(Point::new(116.0, 39.0)),
            Geometry::MultiPolygon(MultiPolygon(vec![ok.clone(), holed])),
            Geometry::Point(Point::new(900.0, 0.0)),
        ]));
        let first = g.coords_iter().find(|c| c.x > 180.0).expect("a bad one");
        assert_eq!(first.x, 500.0);
        assert_eq!(
            check_degrees(&g).err().as_deref(),
            Some("coordinate (500, 39.02) is not a longitude/latitude (projected data needs a coordinate system)")
        );
        assert_eq!(check_usable(&g), Ok(()));
        let nan = Geometry::MultiLineString(MultiLineString(vec![LineString::from(vec![(1.0, 2.0), (f64::NAN, 0.0)])]));
        assert_eq!(check_usable(&nan).err().as_deref(), Some("a coordinate is not a finite number"));
        let empty = Geometry::MultiPolygon(MultiPolygon(vec![]));
        assert_eq!(check_usable(&empty).err().as_deref(), Some("the geometry is empty"));
    }

    #[test]
    fn geometries_keep_no_room_they_do_not_use() {
        let ring = "[[116,39],[116.1,39],[116.1,39.1],[116,39.1],[116,39]]";
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[
            {{"type":"Feature","properties":{{}},"geometry":{{"type":"Polygon","coordinates":[{ring}]}}}},
            {{"type":"Feature","properties":{{}},"geometry":{{"coordinates":[{ring}],"type":"Polygon"}}}},
            {{"type":"Feature","properties":{{}},"geometry":{{"type":"MultiPolygon","coordinates":[[{ring}]]}}}},
            {{"type":"Feature","properties":{{}},"geometry":{{"type":"MultiLineString","coordinates":[{ring}]}}}},
            {{"type":"Feature","properties":{{}},"geometry":{{"type":"MultiPoint","coordinates":{ring}}}}}]}}"#
        );
        let mut plan = parse(text.as_bytes()).expect("loads").plan;
        // Taken out of the plan whole, so each Vec's own room can be seen.
        let tight = |p: Polygon<f64>| {
            let (exterior, interiors) = p.into_inner();
            assert_eq!((exterior.0.capacity(), interiors.capacity()), (5, 0));
        };
        for id in (0..5).map(FeatureId) {
            match plan.take(id).expect("a feature").geometry {
                Geometry::Polygon(p) => tight(p),
                Geometry::MultiPolygon(mut m) => {
                    assert_eq!(m.0.capacity(), 1);
                    tight(m.0.remove(0));
                }
                Geometry::MultiLineString(m) => assert_eq!((m.0.capacity(), m.0[0].0.capacity()), (1, 5)),
                Geometry::MultiPoint(m) => assert_eq!(m.0.capacity(), 5),
                g => panic!("{g:?}"),
            }
        }
    }

    #[test]
    fn an_id_is_kept_as_written_and_anything_else_is_no_id() {
        // The usual way (one pass), members out of order (the long way), and a lone feature.
        let ids = [
            r#""b7""#,
            "7",
            "-3",
            "7.5",
            "1e3",
            "18446744073709551616",
            r#""\u697c""#,
            "null",
            "true",
            "[1]",
            r#"{"a":{"b":[]}}"#,
        ];
        let want = ["b7", "7", "-3", "7.5", "1000.0", "1.8446744073709552e+19", "楼", "f7", "f8", "f9", "f10"];
        let quick: Vec<String> = ids
            .iter()
            .map(|id| format!(r#"{{"type":"Feature","id":{id},"properties":{{}},"geometry":{{"type":"Point","coordinates":[116,39]}}}}"#))
            .collect();
        let long: Vec<String> = ids
            .iter()
            .map(|id| format!(r#"{{"geometry":{{"coordinates":[116,39],"type":"Point"}},"properties":{{}},"id":{id},"type":"Feature"}}"#))
            .collect();
        for features in [quick, long] {
            let text = format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(","));
            let plan = parse(text.as_bytes()).expect("loads").plan;
            let keys: Vec<String> = plan.iter().map(|(id, _)| plan.key(id).expect("a key")).collect();
            assert_eq!(keys, want);
            let f = |i| plan.get(FeatureId(i)).and_then(|f| f.source_id.as_ref()).map(|s| s.to_json());
            assert_eq!((f(0), f(1), f(3)), (Some(Value::from("b7")), Some(Value::from(7)), Some(Value::from(7.5))));
        }
        let lone = parse(
            br#"{"type":"Feature","id":{"x":1},"geometry":{"type":"Point","coordinates":[1,2]},"properties":null}"#,
        );
        assert_eq!(lone.expect("loads").plan.key(FeatureId(0)).as_deref(), Some("f0"));
    }

    #[test]
    fn the_size_of_a_file_only_reserves_room_for_its_features() {
        let features: Vec<String> = (0..3000)
            .map(|i| format!(r#"{{"type":"Feature","id":{i},"properties":{{"name":"{i}号楼"}},"geometry":{{"type":"Point","coordinates":[116,39]}}}}"#))
            .collect();
        let text = format!("{{\"type\":\"FeatureCollection\",\"features\":[\n{}\n]}}", features.join(",\n"));
        let plain = read(text.as_bytes(), &Default::default()).expect("reads");
        // The file's own size, one far too small and one absurdly large (whose
        // room cannot be had): the same plan each time.
        for size in [text.len() as u64, 10, u64::MAX / 4] {
            let sized = read_sized(text.as_bytes(), Some(size), &Default::default()).expect("reads");
            assert_eq!(sized.plan.len(), 3000);
            assert!(sized.plan.iter().zip(plain.plan.iter()).all(|(a, b)| a.1 == b.1));
        }
        let exact = read_sized(text.as_bytes(), Some(text.len() as u64), &Default::default()).expect("reads");
        // Room for the file's features (a tenth over) at once, not grown by doubling to 4,096.
        let room = exact.plan.capacity();
        assert!((3000..4096).contains(&room), "room for {room}");
    }
}
