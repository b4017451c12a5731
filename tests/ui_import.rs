//! File → Import layer…: a file's features are added to the open plan in the
//! background, as one undo step, each marked with the file it came from; a
//! file that cannot be read leaves the plan untouched and says why. Dropped
//! files open by their format, a Shapefile once with its sidecars.

#[path = "common/tools.rs"]
mod tools;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use eframe::egui::{self, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use renewal_planner::edit::EditLabel;
use renewal_planner::ui::{Action, PlannerApp};
use serde_json::Value;

mod common;

const IMPORT: &str = "要导入到本方案的文件 (.shp / .zip / .dxf / .kml / .kmz / .csv / .xlsx / .gpkg / .geojson) 路径：";

fn harness() -> Harness<'static, PlannerApp> {
    let mut h = common::harness(PlannerApp::new(), [1280.0, 800.0]);
    h.run_steps(3);
    h
}

/// Asks to import `path` through the prompt (Ctrl+Shift+I), and waits for the reader.
fn import(h: &mut Harness<'static, PlannerApp>, path: &Path) {
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, egui::Key::I);
    h.run_steps(3);
    h.get_by_label(IMPORT).focus();
    h.run_steps(1);
    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::A);
    h.get_by_label(IMPORT).type_text(&path.display().to_string());
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
    assert!(h.query_by_label(IMPORT).is_none(), "Enter takes the path");
    h.state_mut().wait_for_load();
    h.run_steps(3);
}

/// A small layer near Jinsong: three buildings, a garden and a street, named in Chinese.
fn small_layer(dir: &Path) -> PathBuf {
    let path = dir.join("新增设施.geojson");
    let square = |x: f64, y: f64| serde_json::json!({"type": "Polygon", "coordinates": [[[x, y], [x + 0.0004, y], [x + 0.0004, y + 0.0003], [x, y + 0.0003], [x, y]]]});
    let features = vec![
        serde_json::json!({"type": "Feature", "id": "101", "properties": {"kind": "building", "name": "新建一号楼"}, "geometry": square(116.4600, 39.8800)}),
        serde_json::json!({"type": "Feature", "properties": {"kind": "building", "name": "新建二号楼"}, "geometry": square(116.4610, 39.8800)}),
        serde_json::json!({"type": "Feature", "properties": {"kind": "楼栋", "name": "新建三号楼"}, "geometry": square(116.4620, 39.8800)}),
        serde_json::json!({"type": "Feature", "properties": {"kind": "garden", "name": "口袋公园"}, "geometry": square(116.4630, 39.8800)}),
        serde_json::json!({"type": "Feature", "properties": {"kind": "street", "name": "新辟小路"},
            "geometry": {"type": "LineString", "coordinates": [[116.4600, 39.8795], [116.4640, 39.8795]]}}),
    ];
    let doc = serde_json::json!({"type": "FeatureCollection", "features": features});
    std::fs::write(&path, doc.to_string()).expect("write");
    path
}

#[test]
fn importing_a_layer_adds_its_features_as_one_undo_step_and_names_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let layer = small_layer(dir.path());
    let mut h = harness();
    let before = h.state().doc.plan().clone();
    let before_keys: HashSet<String> = before.iter().filter_map(|(id, _)| before.key(id)).collect();
    import(&mut h, &layer);
    let plan = h.state().doc.plan().clone();
    assert_eq!(plan.len(), before.len() + 5, "five features added");
    assert_eq!(
        h.state().status_text(),
        Some(format!("已导入 {} 的 5 个要素（楼栋 3、花园绿地 1、街巷 1）", layer.display())),
        "the message names the count and the kinds"
    );
    let added: Vec<_> = plan.iter().filter(|(id, _)| before.get(*id).is_none()).collect();
    assert_eq!(added.len(), 5);
    let mut keys = HashSet::new();
    for (id, f) in &added {
        assert_eq!(f.properties.get("source"), Some(Value::String("新增设施.geojson".into())));
        let key = plan.key(*id).expect("a key");
        assert!(!before_keys.contains(&key) && keys.insert(key.clone()), "a key of its own: {key}");
    }
    let names: HashSet<String> = added.iter().filter_map(|(_, f)| f.name_zh().map(str::to_string)).collect();
    assert!(names.contains("新建一号楼") && names.contains("新辟小路"), "Chinese names come through: {names:?}");
    for (id, f) in before.iter() {
        assert_eq!(plan.get(id), Some(f), "the plan's own features are unchanged");
    }
    assert_eq!(h.state().doc.undo_label(), Some(EditLabel::ImportLayer));
    assert!(h.state().doc.is_dirty());

    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(2);
    assert!(h.state().doc.plan() == &before, "one Undo takes the whole import back");
    // The status bar no longer says "imported": it says what was undone.
    assert_eq!(h.state().status_text().as_deref(), Some("已撤销: 导入图层"));
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, egui::Key::Z);
    h.run_steps(2);
    assert!(h.state().doc.plan() == &plan, "Redo brings it back, the same features under the same ids");
    assert_eq!(h.state().status_text().as_deref(), Some("已重做: 导入图层"));
}

#[test]
fn a_file_that_cannot_be_read_leaves_the_plan_untouched_and_says_why() {
    let dir = tempfile::tempdir().expect("temp dir");
    let broken = dir.path().join("坏文件.geojson");
    std::fs::write(&broken, "{\"type\": \"FeatureCollection\", \"features\": [").expect("write");
    let mut h = harness();
    let before = h.state().doc.plan().clone();
    import(&mut h, &broken);
    assert!(h.state().doc.plan() == &before, "the plan is untouched");
    assert!(!h.state().doc.is_dirty(), "nothing to save");
    assert_eq!(h.state().doc.undo_label(), None, "nothing to undo");
    let alert = h.state().alert_text().expect("the error window is open");
    assert!(alert.starts_with(&format!("无法导入: {}: line ", broken.display())), "{alert}");
}

#[test]
fn a_generated_city_is_imported_from_the_file_menu_and_undone_whole() {
    let dir = tempfile::tempdir().expect("temp dir");
    if !tools::have("python3", "importing a generated city") {
        return;
    }
    let city = tools::gen_city(40, dir.path());
    let expected = renewal_planner::io::load_path(&city).expect("the city reads").plan.len();
    assert!(expected >= 40, "{expected}");
    let mut h = harness();
    let before = h.state().doc.plan().clone();
    h.get_by_label("文件").click();
    h.run_steps(2);
    h.get_by_label("导入图层到本方案… Ctrl+Shift+I").click();
    h.run_steps(3);
    assert!(h.query_by_label(IMPORT).is_some(), "the menu asks for the file");
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    h.state_mut().apply(Action::ImportLayer(city.clone()));
    h.state_mut().wait_for_load();
    h.run_steps(3);
    assert_eq!(h.state().doc.plan().len(), before.len() + expected);
    let status = h.state().status_text().unwrap_or_default();
    assert!(status.contains(&format!("的 {expected} 个要素")) && status.contains("楼栋"), "{status}");
    h.state_mut().apply(Action::Undo);
    assert!(h.state().doc.plan() == &before, "Undo removes all {expected}");
    h.state_mut().apply(Action::Redo);
    assert_eq!(h.state().doc.plan().len(), before.len() + expected, "Redo brings them back");
}

/// A file dropped on the window, as the windowing system hands it over.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

fn drop_files(h: &mut Harness<'static, PlannerApp>, paths: &[PathBuf]) {
    for p in paths {
        h.input_mut().dropped_files.push(std::sync::Arc::new(Dropped(p.clone())));
    }
    h.run_steps(1);
    h.state_mut().wait_for_load();
    h.run_steps(2);
}

#[test]
fn a_shapefile_dropped_with_its_sidecars_is_read_once_and_a_dwg_says_what_to_do() {
    let dir = tempfile::tempdir().expect("temp dir");
    let parts: Vec<PathBuf> =
        ["楼栋.dbf", "楼栋.shp", "楼栋.shx", "楼栋.prj", "楼栋.cpg"].iter().map(|f| dir.path().join(f)).collect();
    for p in &parts {
        std::fs::write(p, b"not really").expect("write");
    }
    let mut h = harness();
    let before = h.state().doc.plan().clone();
    drop_files(&mut h, &parts);
    // Whatever the Shapefile reader makes of these bytes, it is asked about the .shp alone.
    let status = h.state().status_text().unwrap_or_default();
    assert!(status.contains("楼栋.shp") && !status.contains(".dbf") && !status.contains(".prj"), "{status}");
    assert!(h.state().doc.plan() == &before, "a file that cannot be read changes nothing");

    let dwg = dir.path().join("总平面.dwg");
    std::fs::write(&dwg, b"AC1032 and then some bytes").expect("write");
    drop_files(&mut h, std::slice::from_ref(&dwg));
    let alert = h.state().alert_text().expect("DWG is not silence");
    assert!(alert.contains("总平面.dwg") && alert.contains("DXF"), "{alert}");
}
