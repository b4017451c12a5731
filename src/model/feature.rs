//! One feature of a plan: its kind, its properties exactly as they came in,
//! and its geometry in WGS84 longitude/latitude.

use geo::{BoundingRect, Geometry, Rect};
use serde_json::Value;

use super::kind::{Kind, Shape};
use super::lang::Lang;
use super::props::Props;

/// A feature's handle in a [`Plan`](super::Plan). Stable for the life of the
/// plan: a removed feature leaves its slot empty, so undo can put it back
/// under the same id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FeatureId(pub u32);

impl FeatureId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A feature's GeoJSON `id` (RFC 7946: a string or a number), kept so that
/// the plan writes back the id it read, a number as a number. Its text is
/// the feature's key in the plan. Other JSON (an object, `true`) is no id:
/// the plan gives such a feature a key of its own.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SourceId {
    Text(Box<str>),
    /// A number as serde_json writes it (`7`, `7.5`).
    Number(Box<str>),
}

impl SourceId {
    /// The key items use to refer to the feature: a string as it is, a number as written.
    pub fn key(&self) -> &str {
        match self {
            SourceId::Text(s) | SourceId::Number(s) => s,
        }
    }

    /// The id a JSON value gives, if it is a string or a number.
    pub fn of_json(v: &Value) -> Option<SourceId> {
        match v {
            Value::String(s) => Some(SourceId::Text(s.as_str().into())),
            Value::Number(n) => Some(SourceId::number(n)),
            _ => None,
        }
    }

    pub fn number(n: &serde_json::Number) -> SourceId {
        SourceId::Number(n.to_string().into_boxed_str())
    }

    /// The id as JSON, as it was read.
    pub fn to_json(&self) -> Value {
        match self {
            SourceId::Text(s) => Value::String(s.to_string()),
            // Written by `number` from a Number, so it reads back as one.
            SourceId::Number(s) => s.parse().map(Value::Number).unwrap_or_else(|_| Value::String(s.to_string())),
        }
    }
}

impl From<String> for SourceId {
    fn from(s: String) -> Self {
        SourceId::Text(s.into_boxed_str())
    }
}

impl From<&str> for SourceId {
    fn from(s: &str) -> Self {
        SourceId::Text(s.into())
    }
}

/// A feature: what it is, what it is called, and where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Feature {
    /// The GeoJSON `id` it was loaded with, kept for the round trip.
    pub source_id: Option<SourceId>,
    /// What the feature is in the plan (inferred on import, correctable).
    pub kind: Kind,
    /// Every property it was loaded with, in order; unknown ones are kept.
    pub properties: Props,
    /// WGS84 longitude/latitude (RFC 7946). For a modified feature, the before state.
    pub geometry: Geometry<f64>,
    /// How it differs after the renewal (`None`: unchanged).
    pub change: Option<Box<super::phase::Change>>,
}

/// A feature's names and number (see [`Feature::names`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Names<'a> {
    pub zh: Option<&'a str>,
    pub en: Option<&'a str>,
    pub number: Option<&'a str>,
}

/// True if the text contains a CJK ideograph.
pub fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| matches!(c as u32, 0x3400..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F))
}

impl Feature {
    pub fn new(kind: Kind, properties: impl Into<Props>, geometry: Geometry<f64>) -> Self {
        Feature { source_id: None, kind, properties: properties.into(), geometry, change: None }
    }

    /// The names and number, read in one pass over the properties: the
    /// Chinese name (`name_zh`, `name:zh`, `名称`, or a `name` written in
    /// Chinese), the English name (`name_en`, `name:en`, or a `name` not
    /// written in Chinese) and the building or house number (`number`,
    /// `楼号`, `addr:housenumber`, `addr_housenumber`; `101` for 101楼).
    pub fn names(&self) -> Names<'_> {
        let [zh, zh2, zh3, name, en, en2, n, n2, n3, n4] = self.properties.get_strs([
            "name_zh",
            "name:zh",
            "名称",
            "name",
            "name_en",
            "name:en",
            "number",
            "楼号",
            "addr:housenumber",
            "addr_housenumber",
        ]);
        fn ok(s: Option<&str>) -> Option<&str> {
            s.filter(|s| !s.trim().is_empty())
        }
        let name = ok(name);
        Names {
            zh: ok(zh).or(ok(zh2)).or(ok(zh3)).or(name.filter(|n| has_cjk(n))),
            en: ok(en).or(ok(en2)).or(name.filter(|n| !has_cjk(n))),
            number: ok(n).or(ok(n2)).or(ok(n3)).or(ok(n4)),
        }
    }

    /// The Chinese name (see [`Feature::names`]).
    pub fn name_zh(&self) -> Option<&str> {
        self.names().zh
    }

    /// The English name (see [`Feature::names`]).
    pub fn name_en(&self) -> Option<&str> {
        self.names().en
    }

    /// The best name for the language, falling back to the other language.
    pub fn name(&self, lang: Lang) -> Option<&str> {
        let n = self.names();
        match lang {
            Lang::Zh => n.zh.or(n.en),
            Lang::En => n.en.or(n.zh),
        }
    }

    /// A building's number as Beijing writes it (`101` for 101楼), or an address house number.
    pub fn number(&self) -> Option<&str> {
        self.names().number
    }

    /// A numeric property, accepting numbers and numeric strings.
    pub fn number_prop(&self, key: &str) -> Option<f64> {
        self.properties.get_f64(key)
    }

    /// Point, line or area.
    pub fn shape(&self) -> Shape {
        shape_of(&self.geometry)
    }

    /// The key items use to refer to it (its `source_id`'s text; a feature
    /// in a plan always has one).
    pub fn key(&self) -> Option<&str> {
        self.source_id.as_ref().map(SourceId::key)
    }

    /// Bounding box in longitude/latitude, of the before and after states together.
    pub fn bbox(&self) -> Option<Rect<f64>> {
        match &self.change {
            None => self.geometry.bounding_rect(),
            Some(_) => super::phase::bbox_both(self),
        }
    }
}

/// The shape class of a geometry.
pub fn shape_of(g: &Geometry<f64>) -> Shape {
    match g {
        Geometry::Point(_) | Geometry::MultiPoint(_) => Shape::Point,
        Geometry::Line(_) | Geometry::LineString(_) | Geometry::MultiLineString(_) => Shape::Line,
        Geometry::Polygon(_) | Geometry::MultiPolygon(_) | Geometry::Rect(_) | Geometry::Triangle(_) => Shape::Area,
        Geometry::GeometryCollection(c) => {
            let mut shapes = c.iter().map(shape_of);
            match shapes.next() {
                Some(first) if shapes.all(|s| s == first) => first,
                _ => Shape::Mixed,
            }
        }
    }
}
