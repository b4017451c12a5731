//! QGIS styles for the plan file's `before` and `after` layers, so a
//! planner opening the GeoPackage in QGIS sees the district as the app draws
//! it: a categorized renderer on `kind` with the app's own colours
//! (`model::palette`, the table the screen draws with), drawn in the app's
//! order (symbol levels: gardens under streets under buildings), the
//! boundary as an outline only, and labels from `name_zh` in a CJK font.
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
    /// The symbol for a kind whose features are mostly of this shape; a kind
    /// of mixed shapes takes what the kind usually is.
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
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
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

/// The kinds in drawing order (bottom first), each with its symbol type:
/// the kinds `present` lists, in the order `Kind::ALL` draws them.
fn ordered(present: &[(Kind, Shape)]) -> Vec<(Kind, SymbolType)> {
    Kind::ALL
        .iter()
        .filter_map(|k| present.iter().find(|(p, _)| p == k).map(|(_, s)| (*k, SymbolType::of(*k, *s))))
        .collect()
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

/// The QML style of a layer holding the kinds `present` (each with the
/// shape most of its features have).
pub fn qml(present: &[(Kind, Shape)]) -> String {
    let kinds = ordered(present);
    let mut out = String::with_capacity(8 << 10);
    out.push_str("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n");
    out.push_str(r#"<qgis version="3.28.0-Firenze" styleCategories="Symbology|Labeling" labelsEnabled="1">"#);
    out.push('\n');
    out.push_str(r#"  <renderer-v2 type="categorizedSymbol" attr="kind" symbollevels="1" enableorderby="0" forceraster="0" referencescale="-1">"#);
    out.push_str("\n    <categories>\n");
    for (i, (k, _)) in kinds.iter().enumerate() {
        let _ = writeln!(
            out,
            r#"      <category value="{}" symbol="{i}" label="{}" render="true" type="string"/>"#,
            k.as_str(),
            esc(category_label(*k))
        );
    }
    out.push_str("    </categories>\n    <symbols>\n");
    let mut pass = 0;
    for (i, (k, ty)) in kinds.iter().enumerate() {
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
    for (kind, ty) in ordered(present) {
        let st = kind_style(kind);
        let _ = write!(
            out,
            "        <se:Rule>\n          <se:Name>{}</se:Name>\n          <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>kind</ogc:PropertyName><ogc:Literal>{}</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>\n          ",
            esc(category_label(kind)),
            kind.as_str()
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

/// The kinds a set of features has, each with the shape most of its features have.
pub fn kinds_present<'a>(features: impl Iterator<Item = (Kind, &'a geo::Geometry<f64>)>) -> Vec<(Kind, Shape)> {
    // Counts of areas, lines, points and mixed collections, by kind.
    let mut counts = [[0usize; 4]; Kind::ALL.len()];
    for (kind, g) in features {
        let shape = crate::model::shape_of(g);
        let s = match shape {
            Shape::Area => 0,
            Shape::Line => 1,
            Shape::Point => 2,
            Shape::Mixed => 3,
        };
        if let Some(k) = Kind::ALL.iter().position(|x| *x == kind) {
            counts[k][s] += 1;
        }
    }
    Kind::ALL
        .iter()
        .zip(counts)
        .filter(|(_, c)| c.iter().sum::<usize>() > 0)
        .map(|(k, c)| {
            let most = (0..4).max_by_key(|i| (c[*i], std::cmp::Reverse(*i))).unwrap_or(3);
            (*k, [Shape::Area, Shape::Line, Shape::Point, Shape::Mixed][most])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_present_is_a_category_in_drawing_order_with_the_boundary_unfilled() {
        let q = qml(&[(Kind::Building, Shape::Area), (Kind::Boundary, Shape::Area), (Kind::Street, Shape::Line)]);
        let b = q.find(r#"value="boundary""#).expect("boundary");
        let s = q.find(r#"value="street""#).expect("street");
        let h = q.find(r#"value="building""#).expect("building");
        assert!(b < s && s < h, "bottom to top");
        assert!(!q.contains(r#"value="garden""#), "only kinds present");
        assert_eq!(q.matches(r#"<prop k="style" v="no"/>"#).count(), 1, "the boundary alone is unfilled");
        assert!(q.contains(&format!(
            r#"<prop k="color" v="{}"/>"#,
            qgis_color(kind_style(Kind::Building).fill.expect("fill"))
        )));
        assert_eq!(esc(r#"a<b & "c""#), "a&lt;b &amp; &quot;c&quot;");
        let sld = sld("after", &[(Kind::Node, Shape::Point)]);
        assert!(sld.contains("<ogc:Literal>node</ogc:Literal>") && sld.contains("PointSymbolizer"));
    }

    #[test]
    fn a_kind_takes_the_shape_most_of_its_features_have() {
        let p: geo::Geometry<f64> = geo::Point::new(1.0, 2.0).into();
        let l: geo::Geometry<f64> = geo::LineString::from(vec![(0.0, 0.0), (1.0, 1.0)]).into();
        let got =
            kinds_present([(Kind::Street, &l), (Kind::Street, &p), (Kind::Street, &l), (Kind::Node, &p)].into_iter());
        assert_eq!(got, vec![(Kind::Street, Shape::Line), (Kind::Node, Shape::Point)]);
        assert_eq!(SymbolType::of(Kind::Street, Shape::Mixed), SymbolType::Line);
    }
}
