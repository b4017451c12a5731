//! QGIS styles in the plan file: the `layer_styles` table as QGIS reads it,
//! one default style for `before` and one for `after`, each a rule-based
//! renderer with a rule, and a symbol of the matching type, for every kind
//! and geometry type the layer holds, in the colours the screen draws with.

#[path = "common/tools.rs"]
mod tools;

use std::collections::BTreeMap;

use renewal_planner::document::Document;
use renewal_planner::io;
use renewal_planner::io::qgis_style::{self, qgis_color};
use renewal_planner::model::phase::{geometry_in, presence};
use renewal_planner::model::{Kind, Phase, Plan, Presence, Shape};
use renewal_planner::render::style::kind_style;
use rusqlite::Connection;
use usvg::roxmltree::{Document as Xml, Node, ParsingOptions};

fn saved(plan: &Plan) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let gpkg = dir.path().join("劲松.gpkg");
    io::gpkg::save(plan, &gpkg).expect("saves");
    (dir, gpkg)
}

/// The style QGIS applies when it adds a layer: its query in `QgsOgrProviderMetadata::loadStyle`.
fn default_style(c: &Connection, table: &str, column: &str) -> Option<String> {
    c.query_row(
        "SELECT styleQML FROM layer_styles WHERE f_table_schema='' AND f_table_name=?1 AND f_geometry_column=?2 \
         ORDER BY CASE WHEN useAsDefault THEN 1 ELSE 2 END, update_time DESC LIMIT 1",
        [table, column],
        |r| r.get(0),
    )
    .ok()
}

fn prop<'a>(layer: Node<'a, 'a>, k: &str) -> Option<&'a str> {
    layer.children().find(|n| n.has_tag_name("prop") && n.attribute("k") == Some(k)).and_then(|n| n.attribute("v"))
}

#[test]
fn each_layer_has_a_default_qgis_style_by_kind_in_the_screens_colours() {
    let plan = Document::jinsong().plan().clone();
    let (_dir, gpkg) = saved(&plan);
    let c = Connection::open(&gpkg).expect("opens");
    let kind: String = c
        .query_row("SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'", [], |r| r.get(0))
        .expect("registered");
    assert_eq!(kind, "attributes");
    let defaults: Vec<(String, i64)> = c
        .prepare(
            "SELECT f_table_name, COUNT(*) FROM layer_styles WHERE useAsDefault = 1 GROUP BY f_table_name ORDER BY 1",
        )
        .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .expect("rows");
    assert_eq!(defaults, vec![("after".to_string(), 1), ("before".to_string(), 1)], "one default a layer");
    let layers: Vec<(String, String)> = c
        .prepare("SELECT table_name, column_name FROM gpkg_geometry_columns")
        .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .expect("rows");
    assert_eq!(layers.len(), 2);
    for (table, column) in layers {
        let phase = if table == "before" { Phase::Before } else { Phase::After };
        let qml = default_style(&c, &table, &column).unwrap_or_else(|| panic!("QGIS finds a style for {table}"));
        // QGIS writes (and reads) QML with its DOCTYPE line.
        let dtd = ParsingOptions { allow_dtd: true, ..ParsingOptions::default() };
        let xml = Xml::parse_with_options(&qml, dtd).unwrap_or_else(|e| panic!("{table}'s QML is XML: {e}"));
        let renderer = xml.descendants().find(|n| n.has_tag_name("renderer-v2")).expect("a renderer");
        assert_eq!(renderer.attribute("type"), Some("RuleRenderer"));
        assert_eq!(renderer.attribute("symbollevels"), Some("1"), "drawn in the app's order");
        // Every kind and geometry type the layer holds, as QGIS's geometry_type sees it.
        let mut present: Vec<(Kind, Shape)> = Vec::new();
        for (_, f) in plan.iter() {
            let p = presence(&plan, f, &phase);
            let pair = (f.kind, qgis_style::shape_of(geometry_in(f, p)));
            if p != Presence::Absent && !present.contains(&pair) {
                present.push(pair);
            }
        }
        // Jinsong's nodes are points and polygons (before, its other features are lines and polygons too).
        for pair in [(Kind::Node, Shape::Point), (Kind::Node, Shape::Area)] {
            assert!(present.contains(&pair), "{table} has {pair:?}: {present:?}");
        }
        if table == "before" {
            assert!(present.contains(&(Kind::Other, Shape::Line)) && present.contains(&(Kind::Other, Shape::Area)));
        }
        let rules: Vec<Node> = renderer.descendants().filter(|n| n.has_tag_name("rule")).collect();
        assert_eq!(rules.len(), present.len(), "one rule a kind and shape in {table}");
        // The rule for each (kind, shape), found by its filter.
        let mut by_filter: BTreeMap<String, Node> = BTreeMap::new();
        for rule in &rules {
            let filter = rule.attribute("filter").expect("a filter").to_string();
            assert!(by_filter.insert(filter.clone(), *rule).is_none(), "one rule for {filter}");
        }
        let mut passes: Vec<(Kind, Vec<u32>)> = Vec::new();
        for rule in &rules {
            let filter = rule.attribute("filter").unwrap_or_default();
            let (k, shape) = present
                .iter()
                .copied()
                .find(|(k, s)| qgis_style::rule_filter(*k, *s) == filter)
                .unwrap_or_else(|| panic!("{table}: rule {filter} is for a kind and shape the layer holds"));
            let name = rule.attribute("symbol").expect("a symbol");
            let symbol = renderer
                .descendants()
                .find(|n| n.has_tag_name("symbol") && n.attribute("name") == Some(name))
                .unwrap_or_else(|| panic!("symbol {name}"));
            let expected = match shape {
                Shape::Point => "marker",
                Shape::Line => "line",
                Shape::Area => "fill",
                Shape::Mixed => symbol.attribute("type").unwrap_or_default(),
            };
            assert_eq!(symbol.attribute("type"), Some(expected), "{table}: {k:?} {shape:?} drawn by a {expected}");
            let layers: Vec<Node> = symbol.children().filter(|n| n.has_tag_name("layer")).collect();
            let layer = *layers.first().expect("a symbol layer");
            passes.push((
                k,
                layers
                    .iter()
                    .map(|l| l.attribute("pass").and_then(|p| p.parse::<u32>().ok()).expect("a pass"))
                    .collect(),
            ));
            let screen = kind_style(k);
            match symbol.attribute("type") {
                Some("fill") if k == Kind::Boundary => {
                    assert_eq!(prop(layer, "style"), Some("no"), "the boundary is an outline only");
                    assert_eq!(prop(layer, "outline_color"), Some(qgis_color(screen.stroke.color).as_str()));
                }
                Some("fill") => {
                    let fill = screen.fill.expect("an area kind has a fill");
                    assert_eq!(prop(layer, "color"), Some(qgis_color(fill).as_str()), "{k:?} as on screen");
                    assert_eq!(prop(layer, "style"), Some("solid"));
                    assert_eq!(prop(layer, "outline_color"), Some(qgis_color(screen.stroke.color).as_str()));
                }
                Some("line") => {
                    let top = layers.last().expect("a line");
                    assert_eq!(prop(*top, "line_color"), Some(qgis_color(screen.stroke.color).as_str()));
                }
                Some("marker") => {
                    let fill = screen.fill.unwrap_or(screen.swatch);
                    assert_eq!(prop(layer, "color"), Some(qgis_color(fill).as_str()));
                }
                other => panic!("symbol type {other:?}"),
            }
        }
        // Every (kind, shape) the plan has in this layer has its rule.
        for (k, s) in &present {
            assert!(by_filter.contains_key(&qgis_style::rule_filter(*k, *s)), "{table}: no rule for {k:?} {s:?}");
        }
        // Drawn in the app's order: taken kind by kind in `Kind::ALL` order, every symbol layer's pass is above
        // the one before (a kind's shapes in the order of its rules).
        passes.sort_by_key(|(k, _)| k.index());
        let all: Vec<u32> = passes.iter().flat_map(|(_, p)| p.iter().copied()).collect();
        assert!(all.windows(2).all(|w| w[0] < w[1]), "{table}: passes strictly increase: {all:?}");
        let text = xml.descendants().find(|n| n.has_tag_name("text-style")).expect("labels");
        assert_eq!(text.attribute("fieldName"), Some("name_zh"));
        let font = text.attribute("fontFamily").unwrap_or_default();
        assert!(["YaHei", "CJK", "SC"].iter().any(|f| font.contains(f)), "a CJK font: {font}");
        assert_eq!(
            xml.descendants().find(|n| n.has_tag_name("labeling")).and_then(|n| n.attribute("type")),
            Some("simple")
        );
        let sld: String = c
            .query_row("SELECT styleSLD FROM layer_styles WHERE f_table_name = ?1", [&table], |r| r.get(0))
            .expect("an SLD");
        let sld = Xml::parse(&sld).unwrap_or_else(|e| panic!("{table}'s SLD is XML: {e}"));
        let rules = sld.descendants().filter(|n| n.has_tag_name("Rule")).count();
        assert_eq!(rules, present.len() + 1, "a rule a kind and shape, and the labels");
    }
    drop(c);
    let back = io::load_path(&gpkg).expect("opens");
    assert!(back.plan == plan && back.warnings.is_empty(), "loading ignores the styles");
}

#[test]
fn gdal_lists_the_styles_table_without_error() {
    if !tools::have("ogrinfo", "the layer_styles table read by GDAL") {
        return;
    }
    let plan = Document::jinsong().plan().clone();
    let (_dir, gpkg) = saved(&plan);
    let path = gpkg.to_string_lossy().to_string();
    let text = tools::run("ogrinfo", &["-ro", "-so", &path, "layer_styles"]);
    assert!(!text.contains("ERROR") && !text.to_lowercase().contains("warning"), "{text}");
    assert!(text.contains("Feature Count: 2"), "{text}");
    assert!(text.contains("useAsDefault: Integer(Boolean)"), "{text}");
    assert!(text.contains("update_time: DateTime") && text.contains("DEFAULT CURRENT_TIMESTAMP"), "{text}");
    let rows = tools::run("ogrinfo", &["-ro", "-q", &path, "-sql", "SELECT f_table_name, styleName FROM layer_styles"]);
    assert!(
        rows.contains("f_table_name (String) = before") && rows.contains("f_table_name (String) = after"),
        "{rows}"
    );
}
