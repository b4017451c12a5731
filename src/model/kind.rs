//! Feature kinds — the planner's vocabulary for what a feature *is* — and how
//! they are inferred from the properties of arbitrary GeoJSON.

use super::feature::{FeatureId, shape_of};
use super::plan::Plan;
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

    /// The kind's place in [`Kind::ALL`]: its drawing order, and the index of
    /// per-kind tables (counts, symbols).
    pub fn index(self) -> usize {
        match self {
            Kind::Boundary => 0,
            Kind::Garden => 1,
            Kind::Other => 2,
            Kind::Street => 3,
            Kind::Building => 4,
            Kind::Core => 5,
            Kind::Node => 6,
        }
    }

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

/// A feature's inferred kind and the property that decided it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Classified<'a> {
    pub kind: Kind,
    /// The property (key, value) whose value gave the kind; `None` when no
    /// property did and the kind is `Other` by default.
    pub by: Option<(&'static str, &'a str)>,
}

/// Infers a feature's kind from its properties, in this order:
/// 1. an explicit `kind` (or `type`/`category`/`类型`) property naming a kind;
/// 2. OpenStreetMap tags: `boundary`/`place`/`landuse=residential` → boundary,
///    `building` → building, `highway` → street, green `leisure`/`landuse` →
///    garden, government offices and community centres → core, other
///    `amenity`/`shop`/`office`/`craft` → node;
/// 3. `other`.
pub fn infer_kind(props: &Props, shape: Shape) -> Kind {
    classify(props, shape).kind
}

/// [`infer_kind`], also saying which property decided the kind, so that
/// "every feature like this one" means every feature classified by the same
/// property with the same value (see [`alike`]).
pub fn classify(props: &Props, shape: Shape) -> Classified<'_> {
    let values = props.get_strs(KEYS);
    let get = |key: &str| KEYS.iter().position(|k| *k == key).and_then(|i| values[i]).filter(|s| !s.is_empty());
    // The first of `keys` that has a value passing `test`, as the deciding property.
    let first = |keys: &[&'static str], test: &dyn Fn(&str) -> bool| {
        keys.iter().find_map(|k| get(k).filter(|v| test(v)).map(|v| (*k, v)))
    };
    fn by<'a>(kind: Kind, by: (&'static str, &'a str)) -> Classified<'a> {
        Classified { kind, by: Some(by) }
    }
    for key in ["kind", "Kind", "KIND", "type", "category", "类型", "类别"] {
        if let Some(v) = get(key)
            && let Some(kind) = Kind::parse(v)
        {
            return by(kind, (key, v));
        }
    }
    let district = |v: &str| matches!(v, "neighbourhood" | "quarter" | "suburb");
    if let Some(p) = first(&["boundary"], &|_| true).or_else(|| first(&["place"], &district)) {
        return by(if shape == Shape::Area { Kind::Boundary } else { Kind::Other }, p);
    }
    if let Some(p) = first(&["building"], &|v| v != "no") {
        return by(Kind::Building, p);
    }
    if let Some(p) = first(&["highway"], &|_| true) {
        return by(Kind::Street, p);
    }
    let green = |v: &str| {
        matches!(
            v,
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
    };
    if let Some(p) = first(&["leisure", "landuse"], &green) {
        return by(Kind::Garden, p);
    }
    if let Some(p) = first(&["amenity"], &|v| matches!(v, "community_centre" | "townhall"))
        .or_else(|| first(&["office"], &|v| matches!(v, "government" | "property_management")))
    {
        return by(Kind::Core, p);
    }
    if let Some(p) = first(&["amenity", "shop", "office", "craft", "healthcare", "tourism"], &|_| true) {
        return by(Kind::Node, p);
    }
    if let Some(p) = first(&["landuse"], &|v| v == "residential")
        && shape == Shape::Area
    {
        return by(Kind::Boundary, p);
    }
    Classified { kind: Kind::Other, by: None }
}

/// Features classified by the same property with the same value as `id`
/// (every `building=yes`, every `amenity=cafe`), so one kind correction
/// fixes the whole mapping; just `id` when no property classified it.
pub fn alike(plan: &Plan, id: FeatureId) -> Vec<FeatureId> {
    let Some(f) = plan.get(id) else {
        return vec![id];
    };
    let Some((key, _)) = classify(&f.properties, shape_of(&f.geometry)).by else {
        return vec![id];
    };
    // Values are compared as JSON values: a property's text may be escaped
    // differently in one feature than in another.
    let value = f.properties.get(key);
    plan.iter()
        .filter(|(_, g)| {
            g.properties.get(key) == value
                && classify(&g.properties, shape_of(&g.geometry)).by.map(|b| b.0) == Some(key)
        })
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kinds_index_is_its_place_in_all() {
        for (i, k) in Kind::ALL.iter().enumerate() {
            assert_eq!(k.index(), i, "{k}");
        }
    }
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
    fn the_property_that_decided_the_kind_is_named() {
        let p = props(json!({"building": "no", "amenity": "cafe", "landuse": "retail"}));
        assert_eq!(classify(&p, Shape::Point), Classified { kind: Kind::Node, by: Some(("amenity", "cafe")) });
        let p = props(json!({"类型": "花园", "building": "yes"}));
        assert_eq!(classify(&p, Shape::Area).by, Some(("类型", "花园")));
        let p = props(json!({"landuse": "retail", "amenity": "community_centre"}));
        assert_eq!(
            classify(&p, Shape::Area),
            Classified { kind: Kind::Core, by: Some(("amenity", "community_centre")) }
        );
        assert_eq!(classify(&props(json!({"name": "x"})), Shape::Area), Classified { kind: Kind::Other, by: None });
    }

    #[test]
    fn a_feature_classified_by_amenity_is_grouped_by_amenity_not_by_another_key_it_has() {
        use crate::model::{Feature, PlanMeta};
        let mut plan = Plan::new(PlanMeta::default());
        fn add(plan: &mut Plan, v: serde_json::Value) -> FeatureId {
            let props = v.as_object().cloned().unwrap_or_default();
            let kind = infer_kind(&props.clone().into(), Shape::Point);
            plan.push(Feature::new(kind, props, geo::point!(x: 116.46, y: 39.88).into()))
        }
        // A café in a building mapped `building=no` (an OSM habit): amenity decides its kind.
        let cafe = add(&mut plan, json!({"building": "no", "amenity": "cafe"}));
        let other_cafe = add(&mut plan, json!({"amenity": "cafe"}));
        let bench = add(&mut plan, json!({"building": "no", "amenity": "bench"}));
        // A café inside a named building is classified by `building`, not `amenity`.
        let in_building = add(&mut plan, json!({"building": "yes", "amenity": "cafe"}));
        let explicit = add(&mut plan, json!({"kind": "node", "amenity": "cafe"}));
        assert_eq!(alike(&plan, cafe), vec![cafe, other_cafe]);
        assert_eq!(alike(&plan, bench), vec![bench]);
        assert_eq!(alike(&plan, in_building), vec![in_building]);
        assert_eq!(alike(&plan, explicit), vec![explicit]);
        let plain = add(&mut plan, json!({"name": "x"}));
        assert_eq!(alike(&plan, plain), vec![plain], "nothing classified it: only itself");
    }

    #[test]
    fn every_kind_name_round_trips() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
    }
}
