//! Flows through the real interface, driven headless by egui_kittest.

use eframe::egui::{self, Modifiers, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use geo::InteriorPoint;
use renewal_planner::model::{FeatureId, Kind};
use renewal_planner::ui::{Action, PlannerApp};

mod common;

fn harness(app: PlannerApp) -> Harness<'static, PlannerApp> {
    common::harness(app, [1280.0, 800.0])
}

fn building(app: &PlannerApp, number: &str) -> FeatureId {
    app.doc
        .plan()
        .iter()
        .find(|(_, f)| f.kind == Kind::Building && f.number() == Some(number))
        .map(|(id, _)| id)
        .unwrap_or_else(|| panic!("building {number} exists"))
}

/// Where a feature's interior point is on the screen.
fn screen_pos(app: &PlannerApp, id: FeatureId) -> Pos2 {
    let f = app.doc.plan().get(id).expect("feature");
    let p = f.geometry.interior_point().expect("interior point");
    let cam = app.camera.expect("the map has a camera after the first frame");
    let rect = app.map_rect.expect("the map was drawn");
    let s = cam.lonlat_to_screen(p.x(), p.y());
    Pos2::new(rect.left() + s[0], rect.top() + s[1])
}

#[test]
fn clicking_building_101_shows_it_in_the_inspector() {
    let mut h = harness(PlannerApp::new());
    h.run_steps(3);
    let id = building(h.state(), "101");
    let pos = screen_pos(h.state(), id);
    h.hover_at(pos);
    h.run_steps(2);
    h.drag_at(pos);
    h.drop_at(pos);
    h.run_steps(2);
    h.remove_cursor();
    h.run_steps(2);
    assert_eq!(h.state().selected(), vec![id]);
    // The inspector shows the building's name and its number property.
    assert!(h.query_all_by_label("劲松一区101楼").count() >= 1);
    assert!(h.query_all_by_label("101").count() >= 1);
}

#[test]
fn searching_a_name_selects_it_and_flies_there() {
    let mut h = harness(PlannerApp::new());
    h.run_steps(3);
    let before = h.state().camera.expect("camera");
    h.get_by_label("搜索").click();
    h.run_steps(1);
    h.get_by_label("搜索").type_text("劲松园");
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    h.run_steps(60);
    let app = h.state();
    let garden = app.doc.plan().iter().find(|(_, f)| f.name_zh() == Some("劲松园")).map(|(id, _)| id).expect("劲松园");
    assert_eq!(app.selected(), vec![garden]);
    let after = app.camera.expect("camera");
    assert!(after.mpp < before.mpp, "the map zoomed in on the garden");
    let p = screen_pos(app, garden);
    let rect = app.map_rect.expect("map rect");
    assert!(rect.shrink(100.0).contains(p), "the garden is in the middle of the map: {p:?} in {rect:?}");
}

#[test]
fn searching_a_building_number_selects_the_building() {
    let mut h = harness(PlannerApp::new());
    h.run_steps(3);
    h.get_by_label("搜索").click();
    h.run_steps(1);
    h.get_by_label("搜索").type_text("209");
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    h.run_steps(5);
    let id = building(h.state(), "209");
    assert_eq!(h.state().selected(), vec![id]);
}

#[test]
fn the_interface_switches_to_english_and_back() {
    let mut h = harness(PlannerApp::new());
    h.run_steps(2);
    h.get_by_label("图层");
    h.get_by_label("EN").click();
    h.run_steps(2);
    h.get_by_label("Layers");
    h.get_by_label("Inspector");
    assert!(h.query_by_label("图层").is_none());
    h.get_by_label("中文").click();
    h.run_steps(2);
    h.get_by_label("图层");
}

#[test]
fn a_kind_correction_is_undone_with_ctrl_z() {
    let mut h = harness(PlannerApp::new());
    h.run_steps(2);
    let id = building(h.state(), "115");
    h.state_mut().apply(Action::SetKind { features: vec![id], kind: Kind::Core });
    h.run_steps(1);
    assert_eq!(h.state().doc.plan().get(id).map(|f| f.kind), Some(Kind::Core));
    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().doc.plan().get(id).map(|f| f.kind), Some(Kind::Building));
    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::Y);
    h.run_steps(2);
    assert_eq!(h.state().doc.plan().get(id).map(|f| f.kind), Some(Kind::Core));
}

#[test]
fn a_file_that_fails_to_load_leaves_the_open_plan_untouched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("broken.geojson");
    std::fs::write(&bad, "{\"type\":\"FeatureCollection\",\"features\":[{").expect("write");
    let mut h = harness(PlannerApp::new());
    h.run_steps(2);
    let before = h.state().doc.plan().clone();
    h.state_mut().open_path(bad);
    h.state_mut().wait_for_load();
    h.run_steps(2);
    assert_eq!(*h.state().doc.plan(), before);
    let status = h.state().status_text().expect("a message").to_string();
    assert!(status.contains("broken.geojson") && status.contains("line 1"), "{status}");
}

#[test]
fn another_geojson_opens_and_replaces_the_plan() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("park.geojson");
    std::fs::write(
        &file,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"leisure":"park","name":"日坛公园"},"geometry":{"type":"Polygon","coordinates":[[[116.44,39.91],[116.45,39.91],[116.45,39.92],[116.44,39.91]]]}}]}"#,
    )
    .expect("write");
    let mut h = harness(PlannerApp::new());
    h.run_steps(2);
    h.state_mut().open_path(file);
    h.state_mut().wait_for_load();
    h.run_steps(3);
    let app = h.state();
    assert_eq!(app.doc.plan().len(), 1);
    assert_eq!(app.doc.plan().iter().next().map(|(_, f)| f.kind), Some(Kind::Garden));
}
