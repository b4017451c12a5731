//! Opening a CAD drawing through the window: the "CAD layers" dialog lists
//! the drawing's layers with their entity counts and guessed kinds; the
//! planner's choice decides the features' kinds and is offered again the
//! next time the same drawing is opened.

#[path = "common/tools.rs"]
mod tools;

mod common;

use std::path::{Path, PathBuf};

use eframe::egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use renewal_planner::model::Kind;
use renewal_planner::ui::{Action, PlannerApp};

/// Two buildings, a street and a garden near Jinsong, drawn by GDAL in Gauss-Krüger zone 39.
fn drawing(dir: &Path) -> PathBuf {
    let square = |x: f64, y: f64, d: f64| serde_json::json!([[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]);
    let f = |layer: &str, geometry: serde_json::Value| serde_json::json!({"type": "Feature", "properties": {"Layer": layer}, "geometry": geometry});
    let features = vec![
        f("建筑", serde_json::json!({"type": "Polygon", "coordinates": square(116.460, 39.880, 0.0004)})),
        f("建筑", serde_json::json!({"type": "Polygon", "coordinates": square(116.461, 39.880, 0.0004)})),
        f("道路", serde_json::json!({"type": "LineString", "coordinates": [[116.459, 39.879], [116.463, 39.879]]})),
        f("绿地", serde_json::json!({"type": "Polygon", "coordinates": square(116.462, 39.881, 0.0006)})),
    ];
    let src = dir.join("site.geojson");
    let fc = serde_json::json!({"type": "FeatureCollection", "features": features});
    std::fs::write(&src, fc.to_string()).expect("written");
    let out = dir.join("site.dxf");
    tools::run("ogr2ogr", &["-f", "DXF", &out.to_string_lossy(), &src.to_string_lossy(), "-t_srs", "EPSG:4527"]);
    out
}

fn kinds(app: &PlannerApp) -> Vec<Kind> {
    let mut v: Vec<Kind> = app.doc.plan().iter().map(|(_, f)| f.kind).collect();
    v.sort();
    v
}

#[test]
fn the_cad_layers_dialog_lists_counts_applies_the_choice_and_remembers_it() {
    if !tools::have("ogr2ogr", "the CAD layers dialog") {
        return;
    }
    let home = tempfile::tempdir().expect("a data folder");
    let files = tempfile::tempdir().expect("a folder");
    let dxf = drawing(files.path());
    let app = PlannerApp::new().with_session(home.path().to_path_buf());
    let mut h = common::harness(app, [1280.0, 800.0]);
    h.run_steps(2);
    let jinsong = h.state().doc.plan().len();
    h.state_mut().apply(Action::Open(dxf.clone()));
    // The layers are scanned by the reader's thread, not the window's.
    assert_eq!(h.state().loading_path(), Some(dxf.as_path()), "a background read");
    h.state_mut().wait_for_load();
    h.run_steps(3);
    {
        let window = h.get_by_role_and_label(Role::Window, "CAD 图层");
        for label in ["建筑", "道路", "绿地", "site.dxf"] {
            window.get_by_label(label);
        }
        // Entity counts: two buildings, one street, one garden.
        assert_eq!(window.get_all_by_label("2").count(), 1);
        assert_eq!(window.get_all_by_label("1").count(), 2);
        // Guessed from the names (a combo box shows its choice as its value).
        for kind in ["楼栋", "街巷", "花园绿地"] {
            window.get_by_value(kind);
        }
    }
    assert_eq!(h.state().doc.plan().len(), jinsong, "nothing opens before the choice");
    // The street layer: left out.
    h.get_by_role_and_label(Role::Window, "CAD 图层").get_by_value("街巷").click();
    h.run_steps(2);
    h.get_all_by_label("不导入").last().expect("the choice in the list").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::Window, "CAD 图层").get_by_label("打开").click();
    h.run_steps(2);
    h.state_mut().wait_for_load();
    h.run_steps(2);
    assert!(h.query_by_role_and_label(Role::Window, "CAD 图层").is_none(), "the dialog closed");
    assert_eq!(kinds(h.state()), vec![Kind::Building, Kind::Building, Kind::Garden]);
    // Opened again: the choice is offered, and Cancel leaves the plan as it is.
    h.state_mut().apply(Action::Open(dxf.clone()));
    h.state_mut().wait_for_load();
    h.run_steps(3);
    {
        let window = h.get_by_role_and_label(Role::Window, "CAD 图层");
        assert!(window.query_by_value("街巷").is_none(), "the street layer is not preselected as streets");
        window.get_by_value("不导入");
    }
    h.get_by_role_and_label(Role::Window, "CAD 图层").get_by_label("取消").click();
    h.run_steps(2);
    assert!(h.query_by_role_and_label(Role::Window, "CAD 图层").is_none());
    assert_eq!(kinds(h.state()), vec![Kind::Building, Kind::Building, Kind::Garden]);
    let saved = std::fs::read_to_string(home.path().join("cad_layers.json")).expect("remembered");
    assert!(saved.contains("道路") && saved.contains("null"), "{saved}");
}

#[test]
fn the_export_dialog_writes_a_drawing_in_the_plans_zone_or_the_one_chosen() {
    let dir = tempfile::tempdir().expect("a folder");
    let mut h = common::harness(PlannerApp::new(), [1280.0, 900.0]);
    h.run_steps(3);
    h.state_mut().apply(Action::ShowExport(true));
    h.run_steps(3);
    h.get_by_role_and_label(Role::Window, "导出…").get_by_label("DXF (CAD)").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::Window, "导出…").get_by_value("规划所在的高斯-克吕格带 (EPSG:4527)");
    let out = dir.path().join("jinsong.dxf");
    h.state_mut().apply(Action::ExportTo(out.clone()));
    h.state_mut().wait_for_export();
    assert!(h.state().status_text().is_some_and(|t| t.contains("jinsong.dxf")), "{:?}", h.state().status_text());
    let back = renewal_planner::io::load_path(&out).expect("reads back");
    assert_eq!(back.crs, Some(renewal_planner::io::crs::Crs::GaussKruger { epsg: 4527 }));
    assert_eq!(back.plan.iter().filter(|(_, f)| f.kind == Kind::Building).count(), 43);
    // Zone 38 (EPSG:4526) chosen instead.
    h.get_by_role_and_label(Role::Window, "导出…").get_by_value("规划所在的高斯-克吕格带 (EPSG:4527)").click();
    h.run_steps(2);
    let zone38 = "EPSG:4526 · 高斯-克吕格 3° 带 38 (114°E)";
    h.get_by_label(zone38).click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::Window, "导出…").get_by_value(zone38);
    h.state_mut().apply(Action::ExportTo(out.clone()));
    h.state_mut().wait_for_export();
    let back = renewal_planner::io::load_path(&out).expect("reads back");
    assert_eq!(back.crs, Some(renewal_planner::io::crs::Crs::GaussKruger { epsg: 4526 }));
}
