//! Reading GeoJSON (RFC 7946, plus gzip-compressed files) into a [`Plan`].
//!
//! The whole document must be JSON and a GeoJSON object, or loading fails
//! with an error naming the line and column. Inside a FeatureCollection each
//! feature is read on its own: a feature that cannot be used (bad structure,
//! no geometry, coordinates that are not longitude/latitude) is left out
//! and reported as a [`Warning`] naming its index and line, so one bad
//! feature never costs the planner the rest of the file.

use std::borrow::Cow;
use std::fmt;

use geo::{CoordsIter, Geometry};
use serde::Deserialize;
use serde::de::{MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::LoadError;
use crate::model::{Feature, Plan, PlanMeta, infer_kind, shape_of};

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
}

/// The top-level object's members, each kept as unparsed JSON text; the
/// features of a collection are split out in the same pass.
struct Members<'a>(Vec<(String, &'a RawValue)>, Option<Vec<&'a RawValue>>);

impl<'de: 'a, 'a> Deserialize<'de> for Members<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Members<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a GeoJSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                let mut features = None;
                while let Some(k) = map.next_key::<String>()? {
                    if k == "features" {
                        features = Some(map.next_value::<Vec<&'de RawValue>>()?);
                    } else {
                        out.push((k, map.next_value::<&'de RawValue>()?));
                    }
                }
                Ok(Members(out, features))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

impl<'a> Members<'a> {
    fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }
}

/// A feature as written, before its geometry is checked.
#[derive(Deserialize)]
struct RawFeature<'a> {
    #[serde(rename = "type")]
    ty: Cow<'a, str>,
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    properties: Option<Map<String, Value>>,
    #[serde(default, borrow)]
    geometry: Option<&'a RawValue>,
}

/// Maps byte offsets in the input to line numbers, built on first use.
struct Lines<'a> {
    text: &'a [u8],
    starts: Option<Vec<usize>>,
}

impl<'a> Lines<'a> {
    fn line_of(&mut self, raw: &RawValue) -> usize {
        let offset = (raw.get().as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize);
        let text = self.text;
        let starts = self.starts.get_or_insert_with(|| {
            std::iter::once(0)
                .chain(text.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1))
                .collect()
        });
        starts.partition_point(|s| *s <= offset)
    }
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

/// Decompresses gzip input (`.geojson.gz`) when the bytes say it is gzip.
pub fn maybe_gunzip(bytes: &[u8]) -> Result<Cow<'_, [u8]>, LoadError> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        use std::io::Read;
        let mut out = Vec::with_capacity(bytes.len() * 5);
        flate2::read::MultiGzDecoder::new(bytes)
            .read_to_end(&mut out)
            .map_err(|e| LoadError::Malformed { place: "gzip stream".into(), message: e.to_string() })?;
        Ok(Cow::Owned(out))
    } else {
        Ok(Cow::Borrowed(bytes))
    }
}

/// Parses GeoJSON text (or gzip of it) into a plan.
pub fn parse(bytes: &[u8]) -> Result<Loaded, LoadError> {
    let bytes = maybe_gunzip(bytes)?;
    let text: &[u8] = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    if text.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(LoadError::Malformed { place: "line 1".into(), message: "the file is empty".into() });
    }
    let mut members: Members = serde_json::from_slice(text).map_err(json_error)?;
    let mut lines = Lines { text, starts: None };
    let mut warnings = Vec::new();

    let ty = match members.get("type") {
        None => {
            return Err(LoadError::Malformed {
                place: "top level".into(),
                message: "not GeoJSON: the object has no \"type\" member".into(),
            });
        }
        Some(raw) => match serde_json::from_str::<String>(raw.get()) {
            Ok(t) => t,
            Err(_) => {
                return Err(LoadError::Malformed {
                    place: format!("line {}", lines.line_of(raw)),
                    message: "not GeoJSON: \"type\" is not a string".into(),
                });
            }
        },
    };

    let mut meta = PlanMeta::default();
    for (k, v) in &members.0 {
        if matches!(k.as_str(), "type" | "features" | "geometry" | "properties" | "id" | "geometries" | "coordinates") {
            continue;
        }
        let value: Value = serde_json::from_str(v.get()).unwrap_or(Value::Null);
        match (k.as_str(), &value) {
            ("name", Value::String(s)) => meta.name = Some(s.clone()),
            ("note", Value::String(s)) => meta.note = Some(s.clone()),
            _ => {
                meta.foreign.insert(k.clone(), value);
            }
        }
    }
    let mut plan = Plan::new(meta);

    match ty.as_str() {
        "FeatureCollection" => {
            let Some(features) = members.1.take() else {
                return Err(LoadError::Malformed {
                    place: "top level".into(),
                    message: "FeatureCollection has no \"features\" member".into(),
                });
            };
            let mut first_fault = None;
            let read = read_features_parallel(&features);
            for (i, (raw, result)) in features.iter().zip(read).enumerate() {
                match result {
                    Ok(f) => {
                        plan.push(f);
                    }
                    Err(message) => {
                        let w = Warning { place: format!("feature {i} (line {})", lines.line_of(raw)), message };
                        first_fault.get_or_insert_with(|| w.clone());
                        warnings.push(w);
                    }
                }
            }
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
            let raw: &RawValue = serde_json::from_slice(text).map_err(json_error)?;
            let f = read_feature(raw)
                .map_err(|message| LoadError::Malformed { place: "feature (line 1)".into(), message })?;
            plan.push(f);
        }
        "Point" | "MultiPoint" | "LineString" | "MultiLineString" | "Polygon" | "MultiPolygon"
        | "GeometryCollection" => {
            let text = std::str::from_utf8(text)
                .map_err(|e| LoadError::Malformed { place: "top level".into(), message: e.to_string() })?;
            let g =
                read_geometry(text).map_err(|message| LoadError::Malformed { place: "geometry".into(), message })?;
            let kind = infer_kind(&Map::new(), shape_of(&g));
            plan.push(Feature::new(kind, Map::new(), g));
        }
        other => {
            return Err(LoadError::Malformed {
                place: "top level".into(),
                message: format!("not GeoJSON: \"type\" is \"{}\"", truncate(other, 40)),
            });
        }
    }
    super::plan_items::extract(&mut plan, &mut warnings);
    Ok(Loaded { plan, warnings })
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { format!("{}…", s.chars().take(n).collect::<String>()) }
}

/// Reads features on all cores (each feature is independent), keeping their order.
fn read_features_parallel(features: &[&RawValue]) -> Vec<Result<Feature, String>> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(8);
    if threads <= 1 || features.len() < 2_000 {
        return features.iter().map(|raw| read_feature(raw)).collect();
    }
    let chunk = features.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = features
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(|raw| read_feature(raw)).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join().unwrap_or_else(|_| vec![Err("the reader failed on this part of the file".into()); chunk])
            })
            .collect()
    })
}

/// Reads one feature; `Err` says why it cannot be used.
fn read_feature(raw: &RawValue) -> Result<Feature, String> {
    let rf: RawFeature = serde_json::from_str(raw.get()).map_err(|e| {
        let m = e.to_string();
        m.rsplit_once(" at line ").map(|(m, _)| m.to_string()).unwrap_or(m)
    })?;
    if rf.ty != "Feature" {
        return Err(format!("\"type\" is \"{}\", expected \"Feature\"", truncate(&rf.ty, 40)));
    }
    let Some(geometry) = rf.geometry.filter(|g| g.get() != "null") else {
        return Err("has no geometry".into());
    };
    let geometry = read_geometry(geometry.get())?;
    let properties = rf.properties.unwrap_or_default();
    let kind = infer_kind(&properties, shape_of(&geometry));
    Ok(Feature { source_id: rf.id, kind, properties, geometry, change: None })
}

/// Reads a GeoJSON geometry and checks it is usable as longitude/latitude.
fn read_geometry(text: &str) -> Result<Geometry<f64>, String> {
    let gj: geojson::Geometry = serde_json::from_str(text).map_err(|e| {
        let m = e.to_string();
        let m = m.rsplit_once(" at line ").map(|(m, _)| m.to_string()).unwrap_or(m);
        format!("bad geometry: {m}")
    })?;
    checked_geometry(gj)
}

/// A GeoJSON geometry given as a JSON value (e.g. inside a property).
pub fn geometry_from_value(v: Value) -> Result<Geometry<f64>, String> {
    let gj: geojson::Geometry = serde_json::from_value(v).map_err(|e| format!("bad geometry: {e}"))?;
    checked_geometry(gj)
}

fn checked_geometry(gj: geojson::Geometry) -> Result<Geometry<f64>, String> {
    check_positions(&gj.value)?;
    let g: Geometry<f64> = Geometry::try_from(gj).map_err(|e| format!("bad geometry: {e}"))?;
    check_geometry(&g)?;
    Ok(g)
}

/// Every position must have at least two numbers (the converter indexes them blindly).
fn check_positions(v: &geojson::GeometryValue) -> Result<(), String> {
    use geojson::GeometryValue as G;
    let ok = |p: &geojson::Position| p.len() >= 2;
    let all = match v {
        G::Point { coordinates } => ok(coordinates),
        G::MultiPoint { coordinates } | G::LineString { coordinates } => coordinates.iter().all(ok),
        G::MultiLineString { coordinates } | G::Polygon { coordinates } => coordinates.iter().flatten().all(ok),
        G::MultiPolygon { coordinates } => coordinates.iter().flatten().flatten().all(ok),
        G::GeometryCollection { geometries } => {
            return geometries.iter().try_for_each(|g| check_positions(&g.value));
        }
    };
    if all { Ok(()) } else { Err("bad geometry: a position has fewer than two numbers".into()) }
}

/// Rejects geometries that cannot be drawn or measured as longitude/latitude.
pub fn check_geometry(g: &Geometry<f64>) -> Result<(), String> {
    let mut n = 0usize;
    for c in g.coords_iter() {
        n += 1;
        if !c.x.is_finite() || !c.y.is_finite() {
            return Err("a coordinate is not a finite number".into());
        }
        if !(-180.0..=180.0).contains(&c.x) || !(-90.0..=90.0).contains(&c.y) {
            return Err(format!(
                "coordinate ({}, {}) is not a longitude/latitude (projected data needs a coordinate system)",
                c.x, c.y
            ));
        }
    }
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
        let text =
            r#"{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[12958000.0,4825000.0]}}"#;
        assert!(parse(text.as_bytes()).is_err());
    }

    #[test]
    fn a_bare_geometry_is_a_one_feature_plan() {
        let loaded = parse(br#"{"type":"LineString","coordinates":[[116,39],[116.1,39.1]]}"#).expect("loads");
        assert_eq!(loaded.plan.len(), 1);
    }
}
