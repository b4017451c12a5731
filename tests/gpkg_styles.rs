//! QGIS styles in the plan file: the `layer_styles` table as QGIS reads it,
//! one default style for `before` and one for `after`, each a categorized
//! renderer on `kind` in the colours the screen draws with.

#[path = "common/tools.rs"]
mod tools;

use std::collections::BTreeSet;

use renewal_planner::document::Document;
use renewal_planner::io;
use renewal_planner::io::qgis_style::qgis_color;
use renewal_planner::model::phase::presence;
use renewal_planner::model::{Kind, Phase, Plan, Presence};
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
    let defaults: BTreeSet<String> = c
        .prepare("SELECT f_table_name FROM layer_styles WHERE useAsDefault = 1")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("rows");
    assert_eq!(defaults, BTreeSet::from(["after".to_string(), "before".to_string()]), "one default a layer");
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
        assert_eq!(renderer.attribute("type"), Some("categorizedSymbol"));
        assert_eq!(renderer.attribute("attr"), Some("kind"));
        assert_eq!(renderer.attribute("symbollevels"), Some("1"), "drawn in the app's order");
        let present: BTreeSet<&str> = plan
            .iter()
            .filter(|(_, f)| presence(&plan, f, &phase) != Presence::Absent)
            .map(|(_, f)| f.kind.as_str())
            .collect();
        let categories: Vec<Node> = renderer.descendants().filter(|n| n.has_tag_name("category")).collect();
        let values: BTreeSet<&str> = categories.iter().filter_map(|n| n.attribute("value")).collect();
        assert_eq!(values, present, "one category a kind present in {table}");
        assert_eq!(categories.len(), present.len());
        let mut passes = std::collections::HashMap::new();
        for cat in &categories {
            let k = Kind::parse(cat.attribute("value").unwrap_or_default()).expect("a kind");
            let name = cat.attribute("symbol").expect("a symbol");
            let symbol = renderer
                .descendants()
                .find(|n| n.has_tag_name("symbol") && n.attribute("name") == Some(name))
                .unwrap_or_else(|| panic!("symbol {name}"));
            let layer = symbol.children().find(|n| n.has_tag_name("layer")).expect("a symbol layer");
            passes.insert(k, layer.attribute("pass").and_then(|p| p.parse::<u32>().ok()).expect("a pass"));
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
                    let lines: Vec<Node> = symbol.children().filter(|n| n.has_tag_name("layer")).collect();
                    let top = lines.last().expect("a line");
                    assert_eq!(prop(*top, "line_color"), Some(qgis_color(screen.stroke.color).as_str()));
                }
                Some("marker") => {
                    let fill = screen.fill.unwrap_or(screen.swatch);
                    assert_eq!(prop(layer, "color"), Some(qgis_color(fill).as_str()));
                }
                other => panic!("symbol type {other:?}"),
            }
        }
        if let (Some(g), Some(b)) = (passes.get(&Kind::Garden), passes.get(&Kind::Building)) {
            assert!(b > g, "buildings are drawn above gardens");
        }
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
        assert_eq!(rules, present.len() + 1, "a rule a kind, and the labels");
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
