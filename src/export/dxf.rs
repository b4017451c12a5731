//! The plan as an AutoCAD DXF drawing (R2010) for design institutes (issue 16).
//!
//! A drawing is in a projected system in metres (CGCS2000 Gauss-Krüger, as
//! Chinese survey drawings are), never degrees. Features go on one layer per
//! kind (`RP_建筑`, `RP_道路` …); in the after phase demolished and added ones
//! go on `RP_拆除_…` / `RP_新增_…` layers, so an institute sees at once what
//! the renewal removes and adds. Names are TEXT on `RP_标注` in a SimSun
//! (宋体) TrueType style. From R2007 a DXF's text is UTF-8 (AutoCAD, 天正
//! and ezdxf read it so); GDAL 3.6, and so QGIS, goes by `$DWGCODEPAGE`
//! only and needs `--config DXF_ENCODING UTF-8` to show the Chinese. The
//! layer names read back as the same kinds ([`crate::io::dxf::guess_kind`]).

use dxf::entities::{Entity, EntityType, LwPolyline, ModelPoint, Text};
use dxf::enums::{AcadVersion, HorizontalTextJustification, Units, VerticalTextJustification};
use dxf::tables::{Layer, Style};
use dxf::{Color, Drawing, LwPolylineVertex};
use geo::{BoundingRect, Coord, Geometry, InteriorPoint, LineString};

use super::progress::{EVERY, Stage, Watch, check};
use crate::error::ExportError;
use crate::io::crs::Crs;
use crate::model::phase::{Presence, geometry_in, presence};
use crate::model::{ChangeKind, Kind, Lang, Phase, Plan};

/// The layer of names.
const LABEL_LAYER: &str = "RP_标注";
/// The text style of names: SimSun (宋体), which AutoCAD and 天正 find on every Chinese Windows.
const TEXT_STYLE: &str = "RP_宋体";
/// Text height in metres (1:500 地形图 annotation is 2.5 mm on paper ≈ 1.25 m; names a little larger).
const TEXT_HEIGHT: f64 = 2.5;

/// The layer of a kind's features.
pub fn layer_of(kind: Kind) -> &'static str {
    match kind {
        Kind::Boundary => "RP_边界",
        Kind::Building => "RP_建筑",
        Kind::Street => "RP_道路",
        Kind::Garden => "RP_绿地",
        Kind::Core => "RP_居委物业",
        Kind::Node => "RP_服务设施",
        Kind::Other => "RP_其他",
    }
}

/// The AutoCAD colour index (ACI) closest to the app's colour of a kind.
fn colour_of(kind: Kind) -> u8 {
    match kind {
        Kind::Boundary => 1, // red, as 用地红线
        Kind::Building => 30,
        Kind::Street => 42,
        Kind::Garden => 3,
        Kind::Core => 5,
        Kind::Node => 32,
        Kind::Other => 8,
    }
}

/// The CGCS2000 3-degree Gauss-Krüger zone (with zone prefix) of the centre
/// of the plan's extent ([`Crs::gauss_kruger_at`]), for drawings asked for
/// without a system; `None` outside China's zones 25–45 or for an empty plan.
pub fn zone_of(plan: &Plan) -> Option<Crs> {
    let (west, east) = plan
        .iter()
        .filter_map(|(_, f)| f.bbox())
        .map(|r| (r.min().x, r.max().x))
        .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))?;
    Crs::gauss_kruger_at((west + east) / 2.0)
}

/// What a drawing holds, for the message that says it was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Drawn {
    /// Features drawn (a feature is one or more entities).
    pub features: usize,
}

/// The plan's `phase` as DXF R2010 bytes in `crs`, which must be projected.
pub fn to_dxf(plan: &Plan, phase: &Phase, crs: Crs, lang: Lang) -> Result<(Vec<u8>, Drawn), ExportError> {
    to_dxf_with(plan, phase, crs, lang, &super::progress::unwatched, plan.len())
}

/// [`to_dxf`], telling `watch` of every [`EVERY`]th feature drawn, of `total` steps; it may stop it.
pub fn to_dxf_with(
    plan: &Plan,
    phase: &Phase,
    crs: Crs,
    lang: Lang,
    watch: Watch,
    total: usize,
) -> Result<(Vec<u8>, Drawn), ExportError> {
    if crs.is_geographic() {
        return Err(ExportError::Drawing(format!(
            "CAD drawings need a projected system in metres, e.g. EPSG:4527 (Gauss-Krüger zone 39, Beijing), not {}",
            crs.code()
        )));
    }
    let projected = crate::io::write::reproject(plan, crs);
    let mut d = Drawing::new();
    d.header.version = AcadVersion::R2010;
    d.header.default_drawing_units = Units::Meters;
    d.header.text_style = TEXT_STYLE.into();
    let after = !matches!(phase, Phase::Before);
    let mut layers: Vec<(String, u8)> = Vec::new();
    let mut use_layer = |name: String, colour: u8| {
        if !layers.iter().any(|(n, _)| *n == name) {
            layers.push((name.clone(), colour));
        }
        name
    };
    let mut drawn = Drawn { features: 0 };
    let mut labels: Vec<(Coord, String)> = Vec::new();
    let (mut min, mut max) = (Coord { x: f64::MAX, y: f64::MAX }, Coord { x: f64::MIN, y: f64::MIN });
    for (i, (_, f)) in projected.iter().enumerate() {
        if i % EVERY == 0 {
            check(watch, i, total, Stage::Features)?;
        }
        let p = presence(&projected, f, phase);
        let change = f.change.as_ref().map(|c| c.kind);
        // After the renewal a demolished feature is still drawn, on its own layer.
        let (g, layer) = match (p, change) {
            (Presence::Absent, Some(ChangeKind::Removed)) if after => {
                (&f.geometry, use_layer(format!("RP_拆除_{}", kind_word(f.kind)), 6))
            }
            (Presence::Absent, _) => continue,
            (_, Some(ChangeKind::Added)) if after => {
                (geometry_in(f, p), use_layer(format!("RP_新增_{}", kind_word(f.kind)), 4))
            }
            _ => (geometry_in(f, p), use_layer(layer_of(f.kind).to_string(), colour_of(f.kind))),
        };
        if !add_geometry(&mut d, g, &layer) {
            continue;
        }
        drawn.features += 1;
        if let Some(r) = g.bounding_rect() {
            min = Coord { x: min.x.min(r.min().x), y: min.y.min(r.min().y) };
            max = Coord { x: max.x.max(r.max().x), y: max.y.max(r.max().y) };
        }
        // Its name, else a building's number as the language writes it (104楼, Building 104).
        let name = f.name(lang).map(str::to_string).or_else(|| crate::model::item::short_name(f, lang));
        if let (Some(name), Some(at)) = (name, g.interior_point()) {
            labels.push((at.0, name));
        }
    }
    if !labels.is_empty() {
        use_layer(LABEL_LAYER.into(), 7);
    }
    for (name, colour) in layers {
        d.add_layer(Layer { name, color: Color::from_index(colour), ..Default::default() });
    }
    d.add_style(Style {
        name: TEXT_STYLE.into(),
        primary_font_file_name: "simsun.ttc".into(),
        width_factor: 1.0,
        ..Default::default()
    });
    for (at, name) in labels {
        let location = dxf::Point::new(at.x, at.y, 0.0);
        let text = Text {
            location: location.clone(),
            second_alignment_point: location,
            text_height: TEXT_HEIGHT,
            value: name,
            text_style_name: TEXT_STYLE.into(),
            horizontal_text_justification: HorizontalTextJustification::Center,
            vertical_text_justification: VerticalTextJustification::Middle,
            relative_x_scale_factor: 1.0,
            ..Default::default()
        };
        let mut e = Entity::new(EntityType::Text(text));
        e.common.layer = LABEL_LAYER.into();
        d.add_entity(e);
    }
    if min.x <= max.x {
        d.header.minimum_drawing_extents = dxf::Point::new(min.x, min.y, 0.0);
        d.header.maximum_drawing_extents = dxf::Point::new(max.x, max.y, 0.0);
    }
    let mut bytes = Vec::new();
    d.save(&mut bytes).map_err(|e| ExportError::Drawing(format!("DXF: {e}")))?;
    Ok((bytes, drawn))
}

/// The Chinese word of a kind in layer names (read back by the DXF reader's guesses).
fn kind_word(kind: Kind) -> &'static str {
    layer_of(kind).trim_start_matches("RP_")
}

/// Adds a geometry's entities: polygons as closed LWPOLYLINEs (each hole its
/// own), lines as LWPOLYLINEs, points as POINTs. Whether any was added.
fn add_geometry(d: &mut Drawing, g: &Geometry, layer: &str) -> bool {
    let mut added = false;
    let mut put = |specific: EntityType| {
        let mut e = Entity::new(specific);
        e.common.layer = layer.into();
        d.add_entity(e);
        added = true;
    };
    let mut line = |ls: &LineString, closed: bool| {
        let mut pts: Vec<&Coord> = ls.0.iter().collect();
        if closed && pts.len() > 1 && pts.first() == pts.last() {
            pts.pop();
        }
        if pts.len() < 2 || pts.iter().any(|c| !c.x.is_finite() || !c.y.is_finite()) {
            return;
        }
        let mut p = LwPolyline {
            vertices: pts.iter().map(|c| LwPolylineVertex { x: c.x, y: c.y, ..Default::default() }).collect(),
            ..Default::default()
        };
        p.set_is_closed(closed);
        put(EntityType::LwPolyline(p));
    };
    let mut polygon = |p: &geo::Polygon| {
        line(p.exterior(), true);
        for h in p.interiors() {
            line(h, true);
        }
    };
    let point = |c: &Coord| {
        (c.x.is_finite() && c.y.is_finite())
            .then(|| EntityType::ModelPoint(ModelPoint::new(dxf::Point::new(c.x, c.y, 0.0))))
    };
    match g {
        Geometry::Polygon(p) => polygon(p),
        Geometry::MultiPolygon(mp) => mp.iter().for_each(&mut polygon),
        Geometry::Rect(r) => polygon(&r.to_polygon()),
        Geometry::Triangle(t) => polygon(&t.to_polygon()),
        Geometry::LineString(l) => line(l, false),
        Geometry::MultiLineString(ml) => ml.iter().for_each(|l| line(l, false)),
        Geometry::Line(l) => line(&LineString::from(vec![l.start, l.end]), false),
        Geometry::Point(p) => point(&p.0).into_iter().for_each(&mut put),
        Geometry::MultiPoint(mp) => mp.iter().filter_map(|p| point(&p.0)).for_each(&mut put),
        Geometry::GeometryCollection(c) => {
            for g in c {
                added |= add_geometry(d, g, layer);
            }
        }
    }
    added
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::ReadOptions;
    use crate::model::{Feature, PlanMeta};
    use geo::{line_string, polygon};
    use serde_json::json;

    fn plan() -> Plan {
        let mut plan = Plan::new(PlanMeta::default());
        let square = polygon![(x: 117.09, y: 39.87), (x: 117.0905, y: 39.87), (x: 117.0905, y: 39.8704), (x: 117.09, y: 39.8704)];
        let props = json!({"name": "1号楼"}).as_object().cloned().unwrap_or_default();
        plan.push(Feature::new(Kind::Building, props, square.into()));
        let road = line_string![(x: 117.089, y: 39.869), (x: 117.092, y: 39.869)];
        plan.push(Feature::new(Kind::Street, serde_json::Map::new(), road.into()));
        plan
    }

    #[test]
    fn an_unnamed_building_is_labelled_by_its_number_in_the_requests_language() {
        let mut p = plan();
        let square = polygon![(x: 117.091, y: 39.87), (x: 117.0915, y: 39.87), (x: 117.0915, y: 39.8704), (x: 117.091, y: 39.8704)];
        let props = json!({"number": "104"}).as_object().cloned().unwrap_or_default();
        p.push(Feature::new(Kind::Building, props, square.into()));
        let crs = Crs::GaussKruger { epsg: 4527 };
        let text = |lang| String::from_utf8(to_dxf(&p, &Phase::After, crs, lang).expect("drawn").0).expect("UTF-8");
        let (zh, en) = (text(Lang::Zh), text(Lang::En));
        assert!(zh.contains("\n104楼\r\n") || zh.contains("\n104楼\n"), "no 104楼");
        assert!(en.contains("Building 104") && !en.contains("104楼"), "no Building 104");
    }

    #[test]
    fn a_drawing_in_degrees_is_refused_in_one_line() {
        let Err(e) = to_dxf(&plan(), &Phase::After, Crs::Wgs84, Lang::Zh) else { panic!("degrees") };
        assert!(e.to_string().starts_with("CAD drawings need a projected system in metres"), "{e}");
    }

    #[test]
    fn the_plans_zone_is_its_centres_gauss_kruger_zone_and_a_drawing_reads_back_with_kinds_and_names() {
        let p = plan();
        assert_eq!(zone_of(&p), Some(Crs::GaussKruger { epsg: 4527 }));
        assert_eq!(zone_of(&Plan::new(PlanMeta::default())), None, "an empty plan has no zone");
        let mut london = Plan::new(PlanMeta::default());
        london.push(Feature::new(Kind::Other, serde_json::Map::new(), geo::Point::new(-0.1, 51.5).into()));
        assert_eq!(zone_of(&london), None, "outside China's zones");
        let (bytes, drawn) = to_dxf(&p, &Phase::After, Crs::GaussKruger { epsg: 4527 }, Lang::Zh).expect("drawn");
        assert_eq!(drawn, Drawn { features: 2 });
        let text = String::from_utf8(bytes.clone()).expect("UTF-8 (R2010)");
        assert!(text.contains("AC1024") && text.contains("RP_建筑") && text.contains("simsun.ttc"));
        let back = crate::io::dxf::read(&bytes, "out.dxf", &ReadOptions::default()).expect("reads back");
        assert_eq!(back.crs, Some(Crs::GaussKruger { epsg: 4527 }));
        let mut kinds: Vec<_> = back.plan.iter().map(|(_, f)| (f.kind, f.name(Lang::Zh).map(str::to_string))).collect();
        kinds.sort();
        assert_eq!(kinds, vec![(Kind::Building, Some("1号楼".into())), (Kind::Street, None)]);
    }
}
