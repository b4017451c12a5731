//! QGIS styles for the plan file's `before` and `after` layers, so a
//! planner opening the GeoPackage in QGIS sees the district as the app draws
//! it: a rule-based renderer with one rule for each kind and geometry type
//! the layer holds (`"kind" = 'node' AND geometry_type(@geometry) = 'Polygon'`:
//! QGIS skips a feature whose symbol is of another geometry type, so the
//! polygons of a kind that is mostly points need a fill of their own), in the
//! app's own colours (`model::palette`, the table the screen draws with),
//! drawn in the app's order (symbol levels: gardens under streets under
//! buildings), the boundary as an outline only, and labels from `name_zh` in a
//! CJK font.
//!
//! They go into the `layer_styles` table in QGIS's convention (the table
//! QGIS's OGR provider creates and reads: one row a style, `useAsDefault = 1`
//! for the one QGIS applies when the layer is added); an SLD of the same
//! rules is written beside the QML for other tools (GeoServer, ArcGIS).

use std::fmt::Write as _;

use crate::model::palette::{KindStyle, LABEL_HALO, LABEL_TEXT, Rgba, kind_style};
use crate::model::{Kind, Shape};

/// The style's name in QGIS's style manager (`styleName` holds 30 characters).
pub const STYLE_NAME: &str = "Renewal Planner";

/// The font labels are drawn in: a CJK font on Chinese Windows, then fallbacks
/// for macOS and Linux (QGIS 3.30+ reads the list; older ones take the first).
pub const LABEL_FONTS: [&str; 5] =
    ["Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "WenQuanYi Micro Hei"];

/// The column labels are taken from.
pub const LABEL_FIELD: &str = "name_zh";

/// How a kind's features are drawn in QGIS: a symbol is of one geometry type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolType {
    Fill,
    Line,
    Marker,
}

impl SymbolType {
    /// The symbol for a kind's features of this shape; a geometry collection
    /// (`Shape::Mixed`) takes what the kind usually is.
    pub fn of(kind: Kind, shape: Shape) -> SymbolType {
        match shape {
            Shape::Area => SymbolType::Fill,
            Shape::Line => SymbolType::Line,
            Shape::Point => SymbolType::Marker,
            Shape::Mixed => match kind {
                Kind::Street => SymbolType::Line,
                Kind::Node => SymbolType::Marker,
                _ => SymbolType::Fill,
            },
        }
    }

    fn name(self) -> &'static str {
        match self {
            SymbolType::Fill => "fill",
            SymbolType::Line => "line",
            SymbolType::Marker => "marker",
        }
    }
}

/// QGIS's colour text: `r,g,b,a`.
pub fn qgis_color(c: Rgba) -> String {
    format!("{},{},{},{}", c.0[0], c.0[1], c.0[2], c.0[3])
}

/// Text made safe inside an XML attribute or element.
fn esc(s: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(s)
}

/// The name a category shows in QGIS's legend: Chinese and English.
fn category_label(kind: Kind) -> &'static str {
    match kind {
        Kind::Boundary => "社区边界 Boundary",
        Kind::Building => "楼栋 Buildings",
        Kind::Street => "街巷 Streets",
        Kind::Garden => "花园绿地 Gardens",
        Kind::Core => "核心 Cores",
        Kind::Node => "节点 Nodes",
        Kind::Other => "其他 Other",
    }
}

/// The name a shape takes after its kind's in the legend, when the kind has several.
fn shape_label(shape: Shape) -> &'static str {
    match shape {
        Shape::Area => "面 areas",
        Shape::Line => "线 lines",
        Shape::Point => "点 points",
        Shape::Mixed => "混合 collections",
    }
}

/// A kind's symbols are drawn areas (and collections) under lines under points.
fn shape_slot(shape: Shape) -> usize {
    match shape {
        Shape::Area => 0,
        Shape::Mixed => 1,
        Shape::Line => 2,
        Shape::Point => 3,
    }
}

/// The (kind, shape) pairs `present` lists, in drawing order (bottom first):
/// kinds as `Kind::ALL` draws them, then areas under lines under points; each with
/// its symbol type and its legend label.
fn ordered(present: &[(Kind, Shape)]) -> Vec<(Kind, Shape, SymbolType, String)> {
    let mut pairs: Vec<(Kind, Shape)> = present.to_vec();
    pairs.sort_by_key(|(k, s)| (k.index(), shape_slot(*s)));
    pairs.dedup();
    pairs
        .iter()
        .map(|&(k, s)| {
            let several = pairs.iter().filter(|(p, _)| *p == k).count() > 1;
            let label = if several {
                format!("{} · {}", category_label(k), shape_label(s))
            } else {
                category_label(k).to_string()
            };
            (k, s, SymbolType::of(k, s), label)
        })
        .collect()
}

/// The QGIS expression a rule selects a kind's features of a shape with
/// (`geometry_type` says 'Point', 'Line' or 'Polygon'; a collection is none of them).
pub fn rule_filter(kind: Kind, shape: Shape) -> String {
    let geometry = match shape {
        Shape::Point => "geometry_type(@geometry) = 'Point'",
        Shape::Line => "geometry_type(@geometry) = 'Line'",
        Shape::Area => "geometry_type(@geometry) = 'Polygon'",
        Shape::Mixed => "geometry_type(@geometry) NOT IN ('Point', 'Line', 'Polygon')",
    };
    format!("\"kind\" = '{}' AND {geometry}", kind.as_str())
}

/// The OGC filter of the same rule for the SLD: GeoServer's `geometryType`
/// names the simple-features type (`MultiPolygon`, …), so each shape lists its own.
fn sld_filter(kind: Kind, shape: Shape) -> String {
    let types: &[&str] = match shape {
        Shape::Point => &["Point", "MultiPoint"],
        Shape::Line => &["LineString", "LinearRing", "MultiLineString"],
        Shape::Area => &["Polygon", "MultiPolygon"],
        Shape::Mixed => &["GeometryCollection"],
    };
    let mut out = String::from("<ogc:Filter><ogc:And>");
    let _ = write!(
        out,
        "<ogc:PropertyIsEqualTo><ogc:PropertyName>kind</ogc:PropertyName><ogc:Literal>{}</ogc:Literal></ogc:PropertyIsEqualTo>",
        kind.as_str()
    );
    if types.len() > 1 {
        out.push_str("<ogc:Or>");
    }
    for t in types {
        let _ = write!(
            out,
            "<ogc:PropertyIsEqualTo><ogc:Function name=\"geometryType\"><ogc:PropertyName>geom</ogc:PropertyName></ogc:Function><ogc:Literal>{t}</ogc:Literal></ogc:PropertyIsEqualTo>"
        );
    }
    if types.len() > 1 {
        out.push_str("</ogc:Or>");
    }
    out.push_str("</ogc:And></ogc:Filter>");
    out
}

fn prop(out: &mut String, k: &str, v: &str) {
    let _ = writeln!(out, r#"          <prop k="{k}" v="{}"/>"#, esc(v));
}

/// One symbol of a kind. `pass` is its first symbol level; returns the next free one.
fn symbol(out: &mut String, name: usize, kind: Kind, ty: SymbolType, pass: usize) -> usize {
    let st: KindStyle = kind_style(kind);
    let _ = writeln!(
        out,
        r#"      <symbol name="{name}" type="{}" alpha="1" clip_to_extent="1" force_rhr="0">"#,
        ty.name()
    );
    let open = |out: &mut String, class: &str, pass: usize| {
        let _ = writeln!(out, r#"        <layer class="{class}" enabled="1" locked="0" pass="{pass}">"#);
    };
    let dash = if st.stroke.dash.is_some() { "dash" } else { "solid" };
    let mut next = pass + 1;
    match ty {
        SymbolType::Fill => {
            open(out, "SimpleFill", pass);
            // The boundary is the district's outline: filled, it would hide everything under it in QGIS.
            let (fill, style) = match st.fill {
                Some(c) if kind != Kind::Boundary => (c, "solid"),
                _ => (Rgba::new(0, 0, 0, 0), "no"),
            };
            prop(out, "color", &qgis_color(fill));
            prop(out, "style", style);
            prop(out, "outline_color", &qgis_color(st.stroke.color));
            prop(out, "outline_style", dash);
            prop(out, "outline_width", &st.stroke.width.to_string());
            prop(out, "outline_width_unit", "Pixel");
            prop(out, "joinstyle", "miter");
            out.push_str("        </layer>\n");
        }
        SymbolType::Line => {
            let lines: Vec<_> = st.casing.into_iter().chain([st.stroke]).collect();
            for (i, s) in lines.iter().enumerate() {
                // The casings of all streets first, then their centres: crossings join.
                open(out, "SimpleLine", pass + i);
                prop(out, "line_color", &qgis_color(s.color));
                prop(out, "line_style", if s.dash.is_some() { "dash" } else { "solid" });
                prop(out, "line_width", &s.width.to_string());
                prop(out, "line_width_unit", "Pixel");
                prop(out, "capstyle", "round");
                prop(out, "joinstyle", "round");
                out.push_str("        </layer>\n");
            }
            next = pass + lines.len();
        }
        SymbolType::Marker => {
            open(out, "SimpleMarker", pass);
            prop(out, "name", "circle");
            prop(out, "color", &qgis_color(st.fill.unwrap_or(st.swatch)));
            prop(out, "outline_color", &qgis_color(st.stroke.color));
            prop(out, "outline_style", "solid");
            prop(out, "outline_width", &st.stroke.width.to_string());
            prop(out, "outline_width_unit", "Pixel");
            prop(out, "size", &(st.marker_radius * 2.0).to_string());
            prop(out, "size_unit", "Pixel");
            out.push_str("        </layer>\n");
        }
    }
    out.push_str("      </symbol>\n");
    next
}

/// The QML style of a layer holding the (kind, shape) pairs `present`:
/// one rule, and one symbol of the shape's type, for each.
pub fn qml(present: &[(Kind, Shape)]) -> String {
    let rules = ordered(present);
    let mut out = String::with_capacity(8 << 10);
    out.push_str("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n");
    out.push_str(r#"<qgis version="3.28.0-Firenze" styleCategories="Symbology|Labeling" labelsEnabled="1">"#);
    out.push('\n');
    out.push_str(
        r#"  <renderer-v2 type="RuleRenderer" symbollevels="1" enableorderby="0" forceraster="0" referencescale="-1">"#,
    );
    out.push_str("\n    <rules key=\"{renewal-planner-rules}\">\n");
    for (i, (k, shape, _, label)) in rules.iter().enumerate() {
        let _ = writeln!(
            out,
            r#"      <rule key="{{renewal-planner-{}-{}}}" filter="{}" symbol="{i}" label="{}"/>"#,
            k.as_str(),
            format!("{shape:?}").to_lowercase(),
            esc(&rule_filter(*k, *shape)),
            esc(label)
        );
    }
    out.push_str("    </rules>\n    <symbols>\n");
    let mut pass = 0;
    for (i, (k, _, ty, _)) in rules.iter().enumerate() {
        pass = symbol(&mut out, i, *k, *ty, pass);
    }
    out.push_str("    </symbols>\n  </renderer-v2>\n");
    label_settings(&mut out);
    out.push_str(
        "  <blendMode>0</blendMode>\n  <featureBlendMode>0</featureBlendMode>\n  <layerOpacity>1</layerOpacity>\n",
    );
    out.push_str("</qgis>\n");
    out
}

fn label_settings(out: &mut String) {
    let halo_opacity = f32::from(LABEL_HALO.0[3]) / 255.0;
    out.push_str("  <labeling type=\"simple\">\n    <settings calloutType=\"simple\">\n");
    let _ = writeln!(
        out,
        r#"      <text-style fieldName="{LABEL_FIELD}" isExpression="0" fontFamily="{}" namedStyle="Regular" fontSize="9" fontSizeUnit="Point" fontWeight="50" fontItalic="0" textColor="{}" textOpacity="1" multilineHeight="1" allowHtml="0" capitalization="0" blendMode="0" previewBkgrdColor="255,255,255,255" useSubstitutions="0" textOrientation="horizontal">"#,
        esc(LABEL_FONTS[0]),
        qgis_color(LABEL_TEXT.with_alpha(255))
    );
    out.push_str("        <families>\n");
    for f in LABEL_FONTS {
        let _ = writeln!(out, r#"          <family name="{}"/>"#, esc(f));
    }
    out.push_str("        </families>\n");
    let _ = writeln!(
        out,
        r#"        <text-buffer bufferDraw="1" bufferSize="1" bufferSizeUnits="MM" bufferColor="{}" bufferOpacity="{halo_opacity:.2}" bufferNoFill="1" bufferJoinStyle="128" bufferBlendMode="0"/>"#,
        qgis_color(LABEL_HALO.with_alpha(255))
    );
    out.push_str("      </text-style>\n");
    out.push_str(r#"      <text-format wrapChar="" autoWrapLength="0" multilineAlign="3" addDirectionSymbol="0" formatNumbers="0" plussign="0"/>"#);
    out.push('\n');
    // Over the centroid of an area, along a street, around a point; never two labels overlapping.
    out.push_str(r#"      <placement placement="1" placementFlags="10" centroidWhole="0" centroidInside="1" fitInPolygonOnly="0" dist="0" priority="5" overrunDistance="0" repeatDistance="0"/>"#);
    out.push('\n');
    out.push_str(r#"      <rendering obstacle="1" obstacleType="1" displayAll="0" upsidedownLabels="0" labelPerPart="0" mergeLines="1" minFeatureSize="0" limitNumLabels="0" scaleVisibility="0" drawLabels="1"/>"#);
    out.push_str("\n    </settings>\n  </labeling>\n");
}

/// The same rules as an OGC SLD 1.1 (Symbology Encoding), for tools other than QGIS.
pub fn sld(layer: &str, present: &[(Kind, Shape)]) -> String {
    let mut out = String::with_capacity(8 << 10);
    out.push_str(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    out.push('\n');
    out.push_str(r#"<StyledLayerDescriptor xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc" xmlns:se="http://www.opengis.net/se" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="1.1.0" xsi:schemaLocation="http://www.opengis.net/sld http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd">"#);
    let _ = write!(
        out,
        "\n  <NamedLayer>\n    <se:Name>{}</se:Name>\n    <UserStyle>\n      <se:Name>{STYLE_NAME}</se:Name>\n      <se:FeatureTypeStyle>\n",
        esc(layer)
    );
    let fill = |out: &mut String, c: Rgba| {
        let _ = write!(
            out,
            "<se:Fill><se:SvgParameter name=\"fill\">{}</se:SvgParameter><se:SvgParameter name=\"fill-opacity\">{:.2}</se:SvgParameter></se:Fill>",
            c.hex(),
            f32::from(c.0[3]) / 255.0
        );
    };
    let stroke = |out: &mut String, s: crate::model::palette::Stroke| {
        let _ = write!(
            out,
            "<se:Stroke><se:SvgParameter name=\"stroke\">{}</se:SvgParameter><se:SvgParameter name=\"stroke-width\">{}</se:SvgParameter>",
            s.color.hex(),
            s.width
        );
        if let Some([on, off]) = s.dash {
            let _ = write!(out, "<se:SvgParameter name=\"stroke-dasharray\">{on} {off}</se:SvgParameter>");
        }
        out.push_str("</se:Stroke>");
    };
    for (kind, shape, ty, label) in ordered(present) {
        let st = kind_style(kind);
        let _ = write!(
            out,
            "        <se:Rule>\n          <se:Name>{}</se:Name>\n          {}\n          ",
            esc(&label),
            sld_filter(kind, shape)
        );
        match ty {
            SymbolType::Fill => {
                out.push_str("<se:PolygonSymbolizer>");
                if let Some(c) = st.fill.filter(|_| kind != Kind::Boundary) {
                    fill(&mut out, c);
                }
                stroke(&mut out, st.stroke);
                out.push_str("</se:PolygonSymbolizer>");
            }
            SymbolType::Line => {
                for s in st.casing.into_iter().chain([st.stroke]) {
                    out.push_str("<se:LineSymbolizer>");
                    stroke(&mut out, s);
                    out.push_str("</se:LineSymbolizer>");
                }
            }
            SymbolType::Marker => {
                out.push_str("<se:PointSymbolizer><se:Graphic><se:Mark><se:WellKnownName>circle</se:WellKnownName>");
                fill(&mut out, st.fill.unwrap_or(st.swatch));
                stroke(&mut out, st.stroke);
                let _ = write!(
                    out,
                    "</se:Mark><se:Size>{}</se:Size></se:Graphic></se:PointSymbolizer>",
                    st.marker_radius * 2.0
                );
            }
        }
        out.push_str("\n        </se:Rule>\n");
    }
    let _ = write!(
        out,
        "        <se:Rule>\n          <se:Name>{LABEL_FIELD}</se:Name>\n          <se:TextSymbolizer><se:Label><ogc:PropertyName>{LABEL_FIELD}</ogc:PropertyName></se:Label><se:Font><se:SvgParameter name=\"font-family\">{}</se:SvgParameter><se:SvgParameter name=\"font-size\">12</se:SvgParameter></se:Font><se:Halo><se:Radius>1</se:Radius><se:Fill><se:SvgParameter name=\"fill\">{}</se:SvgParameter></se:Fill></se:Halo><se:Fill><se:SvgParameter name=\"fill\">{}</se:SvgParameter></se:Fill></se:TextSymbolizer>\n        </se:Rule>\n",
        esc(LABEL_FONTS[0]),
        LABEL_HALO.hex(),
        LABEL_TEXT.hex()
    );
    out.push_str("      </se:FeatureTypeStyle>\n    </UserStyle>\n  </NamedLayer>\n</StyledLayerDescriptor>\n");
    out
}

/// The shape QGIS sees a geometry as (`geometry_type`): a collection is
/// `Mixed` whatever its parts, since QGIS names no simple type for it.
pub fn shape_of(g: &geo::Geometry<f64>) -> Shape {
    match g {
        geo::Geometry::GeometryCollection(_) => Shape::Mixed,
        g => crate::model::shape_of(g),
    }
}

/// How many features of each kind and shape a layer holds: filled while the
/// layer is written, read for its style.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Shapes {
    counts: [[usize; 4]; Kind::ALL.len()],
}

impl Shapes {
    /// Counts one feature.
    pub fn add(&mut self, kind: Kind, g: &geo::Geometry<f64>) {
        self.counts[kind.index()][shape_slot(shape_of(g))] += 1;
    }

    /// The (kind, shape) pairs the layer holds, in drawing order.
    pub fn present(&self) -> Vec<(Kind, Shape)> {
        let shapes = [Shape::Area, Shape::Mixed, Shape::Line, Shape::Point];
        Kind::ALL
            .iter()
            .flat_map(|k| shapes.iter().map(move |s| (*k, *s)))
            .filter(|(k, s)| self.counts[k.index()][shape_slot(*s)] > 0)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_and_shape_present_is_a_rule_in_drawing_order_with_the_boundary_unfilled() {
        let q = qml(&[(Kind::Building, Shape::Area), (Kind::Boundary, Shape::Area), (Kind::Street, Shape::Line)]);
        let b = q.find("&quot;kind&quot; = &apos;boundary&apos;").expect("boundary");
        let s = q.find("&quot;kind&quot; = &apos;street&apos;").expect("street");
        let h = q.find("&quot;kind&quot; = &apos;building&apos;").expect("building");
        assert!(b < s && s < h, "bottom to top");
        assert!(!q.contains("&apos;garden&apos;"), "only kinds present");
        assert_eq!(q.matches(r#"<prop k="style" v="no"/>"#).count(), 1, "the boundary alone is unfilled");
        assert!(q.contains(&format!(
            r#"<prop k="color" v="{}"/>"#,
            qgis_color(kind_style(Kind::Building).fill.expect("fill"))
        )));
        assert_eq!(esc(r#"a<b & "c"'"#), "a&lt;b &amp; &quot;c&quot;&apos;");
        let sld = sld("after", &[(Kind::Node, Shape::Point)]);
        assert!(sld.contains("<ogc:Literal>node</ogc:Literal>") && sld.contains("PointSymbolizer"));
    }

    #[test]
    fn a_kind_of_two_shapes_gets_a_rule_and_a_symbol_of_each_type() {
        let q = qml(&[(Kind::Node, Shape::Point), (Kind::Node, Shape::Area)]);
        let area = q.find("geometry_type(@geometry) = &apos;Polygon&apos;").expect("a rule for the polygons");
        let point = q.find("geometry_type(@geometry) = &apos;Point&apos;").expect("a rule for the points");
        assert!(area < point, "areas under points");
        assert!(q.contains(r#"type="fill""#) && q.contains(r#"type="marker""#), "{q}");
        assert!(q.contains("节点 Nodes · 面 areas") && q.contains("节点 Nodes · 点 points"));
        let sld = sld("before", &[(Kind::Node, Shape::Point), (Kind::Node, Shape::Area)]);
        assert!(sld.contains("PolygonSymbolizer") && sld.contains("PointSymbolizer"));
        assert!(sld.contains("<ogc:Literal>MultiPolygon</ogc:Literal>"));
    }

    #[test]
    fn every_shape_of_a_kind_is_counted_and_a_collection_is_mixed() {
        let p: geo::Geometry<f64> = geo::Point::new(1.0, 2.0).into();
        let l: geo::Geometry<f64> = geo::LineString::from(vec![(0.0, 0.0), (1.0, 1.0)]).into();
        let c = geo::Geometry::GeometryCollection(geo::GeometryCollection::new_from(vec![p.clone()]));
        let mut shapes = Shapes::default();
        for (k, g) in [(Kind::Node, &p), (Kind::Street, &l), (Kind::Street, &p), (Kind::Street, &l), (Kind::Node, &c)] {
            shapes.add(k, g);
        }
        assert_eq!(
            shapes.present(),
            vec![
                (Kind::Street, Shape::Line),
                (Kind::Street, Shape::Point),
                (Kind::Node, Shape::Mixed),
                (Kind::Node, Shape::Point)
            ]
        );
        assert_eq!(SymbolType::of(Kind::Street, Shape::Mixed), SymbolType::Line);
    }
}
