//! One feature of a plan: its kind, its properties exactly as they came in,
//! and its geometry in WGS84 longitude/latitude.

use geo::{BoundingRect, Geometry, Rect};
use serde_json::Value;

use super::kind::{Kind, Shape};
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

/// A feature: what it is, what it is called, and where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Feature {
    /// The GeoJSON `id` it was loaded with, kept for the round trip.
    pub source_id: Option<Value>,
    /// What the feature is in the plan (inferred on import, correctable).
    pub kind: Kind,
    /// Every property it was loaded with, in order; unknown ones are kept.
    pub properties: Props,
    /// WGS84 longitude/latitude (RFC 7946). For a modified feature, the before state.
    pub geometry: Geometry<f64>,
    /// How it differs after the renewal (`None`: unchanged).
    pub change: Option<Box<super::phase::Change>>,
}

fn non_empty_str<'a>(props: &'a Props, key: &str) -> Option<&'a str> {
    props.get_str(key).filter(|s| !s.trim().is_empty())
}

/// True if the text contains a CJK ideograph.
pub fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| matches!(c as u32, 0x3400..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F))
}

impl Feature {
    pub fn new(kind: Kind, properties: impl Into<Props>, geometry: Geometry<f64>) -> Self {
        Feature { source_id: None, kind, properties: properties.into(), geometry, change: None }
    }

    /// The Chinese name: `name_zh`, `name:zh`, `名称`, or a `name` written in Chinese.
    pub fn name_zh(&self) -> Option<&str> {
        let p = &self.properties;
        non_empty_str(p, "name_zh")
            .or_else(|| non_empty_str(p, "name:zh"))
            .or_else(|| non_empty_str(p, "名称"))
            .or_else(|| non_empty_str(p, "name").filter(|n| has_cjk(n)))
    }

    /// The English name: `name_en`, `name:en`, or a `name` not written in Chinese.
    pub fn name_en(&self) -> Option<&str> {
        let p = &self.properties;
        non_empty_str(p, "name_en")
            .or_else(|| non_empty_str(p, "name:en"))
            .or_else(|| non_empty_str(p, "name").filter(|n| !has_cjk(n)))
    }

    /// The best name for the language, falling back to the other language.
    pub fn name(&self, chinese: bool) -> Option<&str> {
        if chinese { self.name_zh().or_else(|| self.name_en()) } else { self.name_en().or_else(|| self.name_zh()) }
    }

    /// A building's number as Beijing writes it (`101` for 101楼), or an
    /// address house number.
    pub fn number(&self) -> Option<&str> {
        let p = &self.properties;
        non_empty_str(p, "number")
            .or_else(|| non_empty_str(p, "楼号"))
            .or_else(|| non_empty_str(p, "addr:housenumber"))
            .or_else(|| non_empty_str(p, "addr_housenumber"))
    }

    /// A numeric property, accepting numbers and numeric strings.
    pub fn number_prop(&self, key: &str) -> Option<f64> {
        self.properties.get_f64(key)
    }

    /// Point, line or area.
    pub fn shape(&self) -> Shape {
        shape_of(&self.geometry)
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
