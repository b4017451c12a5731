//! Feature kinds — the planner's vocabulary for what a feature *is* — and how
//! they are inferred from the properties of arbitrary GeoJSON.

use super::props::Props;
use serde::{Deserialize, Serialize};

/// What a feature is in the plan. The Jinsong model organises a district as
/// "one street, two gardens, two cores, many nodes" inside a boundary, with the
/// residential buildings around them; everything else is `Other`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Boundary,
    Building,
    Street,
    Garden,
    Core,
    Node,
    #[default]
    Other,
}

impl Kind {
    /// All kinds, in drawing order from bottom to top.
    pub const ALL: [Kind; 7] =
        [Kind::Boundary, Kind::Garden, Kind::Other, Kind::Street, Kind::Building, Kind::Core, Kind::Node];

    /// The machine name used in files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Boundary => "boundary",
            Kind::Building => "building",
            Kind::Street => "street",
            Kind::Garden => "garden",
            Kind::Core => "core",
            Kind::Node => "node",
            Kind::Other => "other",
        }
    }

    /// Parses a machine name, a common synonym, or a Chinese word for a kind.
    pub fn parse(s: &str) -> Option<Kind> {
        let s = s.trim().to_ascii_lowercase();
        Some(match s.as_str() {
            "boundary" | "outline" | "community" | "district" | "neighbourhood" | "neighborhood" | "边界"
            | "社区边界" | "小区边界" | "社区" | "小区" => Kind::Boundary,
            "building"
            | "buildings"
            | "building_part"
            | "house"
            | "residential_building"
            | "建筑"
            | "楼"
            | "楼栋"
            | "住宅楼"
            | "房屋" => Kind::Building,
            "street" | "road" | "lane" | "path" | "way" | "highway" | "footway" | "道路" | "街道" | "街" | "路"
            | "巷" => Kind::Street,
            "garden" | "park" | "green" | "greenspace" | "green_space" | "playground" | "绿地" | "花园" | "公园"
            | "小花园" | "游园" => Kind::Garden,
            "core" | "committee" | "property_centre" | "property_center" | "核心" | "居委会" | "物业" | "物业中心" => {
                Kind::Core
            }
            "node" | "poi" | "amenity" | "shop" | "service" | "节点" | "服务点" => Kind::Node,
            "other" | "其他" => Kind::Other,
            _ => return None,
        })
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The shape class of a geometry, as far as kind inference cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Point,
    Line,
    Area,
    Mixed,
}

/// The properties `infer_kind` looks at, read in one pass.
const KEYS: [&str; 19] = [
    "kind",
    "Kind",
    "KIND",
    "type",
    "category",
    "类型",
    "类别",
    "boundary",
    "place",
    "building",
    "highway",
    "leisure",
    "landuse",
    "amenity",
    "office",
    "shop",
    "craft",
    "healthcare",
    "tourism",
];

/// Infers a feature's kind from its properties, in this order:
/// 1. an explicit `kind` (or `type`/`category`/`类型`) property naming a kind;
/// 2. OpenStreetMap tags: `boundary`/`place`/`landuse=residential` → boundary,
///    `building` → building, `highway` → street, green `leisure`/`landuse` →
///    garden, government offices and community centres → core, other
///    `amenity`/`shop`/`office`/`craft` → node;
/// 3. `other`.
pub fn infer_kind(props: &Props, shape: Shape) -> Kind {
    let values = props.get_strs(KEYS);
    let get = |key: &str| KEYS.iter().position(|k| *k == key).and_then(|i| values[i]).filter(|s| !s.is_empty());
    for key in ["kind", "Kind", "KIND", "type", "category", "类型", "类别"] {
        if let Some(kind) = get(key).and_then(Kind::parse) {
            return kind;
        }
    }
    if get("boundary").is_some() || matches!(get("place"), Some("neighbourhood" | "quarter" | "suburb")) {
        return if shape == Shape::Area { Kind::Boundary } else { Kind::Other };
    }
    if let Some(b) = get("building")
        && b != "no"
    {
        return Kind::Building;
    }
    if get("highway").is_some() {
        return Kind::Street;
    }
    let green = |v: Option<&str>| {
        matches!(
            v,
            Some(
                "park"
                    | "garden"
                    | "playground"
                    | "pitch"
                    | "recreation_ground"
                    | "grass"
                    | "village_green"
                    | "meadow"
                    | "forest"
                    | "nature_reserve"
                    | "common"
            )
        )
    };
    if green(get("leisure")) || green(get("landuse")) {
        return Kind::Garden;
    }
    if matches!(get("amenity"), Some("community_centre" | "townhall"))
        || matches!(get("office"), Some("government" | "property_management"))
    {
        return Kind::Core;
    }
    if ["amenity", "shop", "office", "craft", "healthcare", "tourism"].iter().any(|k| get(k).is_some()) {
        return Kind::Node;
    }
    if get("landuse") == Some("residential") && shape == Shape::Area {
        return Kind::Boundary;
    }
    Kind::Other
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn props(v: serde_json::Value) -> Props {
        v.as_object().cloned().unwrap_or_default().into()
    }

    #[test]
    fn an_explicit_kind_property_wins() {
        assert_eq!(infer_kind(&props(json!({"kind": "garden", "building": "yes"})), Shape::Area), Kind::Garden);
        assert_eq!(infer_kind(&props(json!({"kind": "Building"})), Shape::Area), Kind::Building);
        assert_eq!(infer_kind(&props(json!({"类型": "花园"})), Shape::Area), Kind::Garden);
    }

    #[test]
    fn osm_tags_are_understood() {
        assert_eq!(infer_kind(&props(json!({"building": "residential"})), Shape::Area), Kind::Building);
        assert_eq!(infer_kind(&props(json!({"building": "no", "amenity": "cafe"})), Shape::Point), Kind::Node);
        assert_eq!(infer_kind(&props(json!({"highway": "residential"})), Shape::Line), Kind::Street);
        assert_eq!(infer_kind(&props(json!({"leisure": "park"})), Shape::Area), Kind::Garden);
        assert_eq!(infer_kind(&props(json!({"landuse": "grass"})), Shape::Area), Kind::Garden);
        assert_eq!(infer_kind(&props(json!({"amenity": "community_centre"})), Shape::Point), Kind::Core);
        assert_eq!(infer_kind(&props(json!({"shop": "bakery"})), Shape::Point), Kind::Node);
        assert_eq!(infer_kind(&props(json!({"landuse": "residential"})), Shape::Area), Kind::Boundary);
        assert_eq!(infer_kind(&props(json!({"boundary": "administrative"})), Shape::Area), Kind::Boundary);
    }

    #[test]
    fn unknown_properties_fall_back_to_other() {
        assert_eq!(infer_kind(&props(json!({"name": "x", "kind": "volcano"})), Shape::Area), Kind::Other);
        assert_eq!(infer_kind(&Props::default(), Shape::Point), Kind::Other);
    }

    #[test]
    fn every_kind_name_round_trips() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
    }
}
