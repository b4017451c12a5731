//! Drawing and editing through the real interface: a polygon drawn by
//! clicking, a vertex dragged, a measurement that changes nothing, a delete.

use eframe::egui::{self, Modifiers, Pos2};
use egui_kittest::Harness;
use geo::{CoordsIter, Geometry};
use renewal_planner::edit::EditLabel;
use renewal_planner::model::{FeatureId, Kind};
use renewal_planner::ui::PlannerApp;

mod common;

fn harness() -> Harness<'static, PlannerApp> {
    let mut h = common::harness(PlannerApp::new(), [1280.0, 800.0]);
    h.run_steps(3);
    // Zoom out so there is empty ground around the district.
    h.key_press(egui::Key::Minus);
    h.run_steps(2);
    h
}

fn click(h: &mut Harness<'static, PlannerApp>, p: Pos2) {
    h.hover_at(p);
    h.run_steps(1);
    h.drag_at(p);
    h.drop_at(p);
    h.run_steps(2);
}

fn screen(app: &PlannerApp, lon: f64, lat: f64) -> Pos2 {
    let cam = app.camera.expect("camera");
    let r = app.map_rect.expect("map");
    let s = cam.lonlat_to_screen(lon, lat);
    Pos2::new(r.left() + s[0], r.top() + s[1])
}

#[test]
fn a_polygon_drawn_by_clicking_is_in_the_plan_and_one_undo_step() {
    let mut h = harness();
    let before = h.state().doc.plan.len();
    h.key_press(egui::Key::G);
    h.run_steps(1);
    let r = h.state().map_rect.expect("map");
    let (x, y) = (r.right() - 90.0, r.top() + 60.0);
    for p in [Pos2::new(x, y), Pos2::new(x + 60.0, y), Pos2::new(x + 60.0, y + 50.0), Pos2::new(x, y + 50.0)] {
        click(&mut h, p);
    }
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
    let app = h.state();
    assert_eq!(app.doc.plan.len(), before + 1);
    let id = *app.selected().first().expect("the new feature is selected");
    let f = app.doc.plan.get(id).expect("feature");
    let Geometry::Polygon(p) = &f.geometry else { panic!("a polygon: {:?}", f.geometry) };
    assert_eq!(p.exterior().coords_count(), 5, "four corners, closed");
    assert_eq!(app.doc.undo_label(), Some(EditLabel::DrawFeature));
    // It is found by clicking it (the index knows it).
    let c = screen(
        app,
        p.exterior().0[0].x * 0.5 + p.exterior().0[2].x * 0.5,
        p.exterior().0[0].y * 0.5 + p.exterior().0[2].y * 0.5,
    );
    h.key_press(egui::Key::Escape);
    h.run_steps(1);
    assert_eq!(h.state().tool, renewal_planner::ui::draw::Tool::Select);
    click(&mut h, c);
    assert_eq!(h.state().selected(), vec![id]);
    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().doc.plan.len(), before);
}

#[test]
fn dragging_a_corner_of_building_101_is_one_edit_that_the_index_follows() {
    let mut h = harness();
    let id: FeatureId = h
        .state()
        .doc
        .plan
        .iter()
        .find(|(_, f)| f.kind == Kind::Building && f.number() == Some("101"))
        .map(|(id, _)| id)
        .expect("101");
    h.state_mut().apply(renewal_planner::ui::Action::SelectAndFly(id));
    h.run_steps(90);
    let corner = match &h.state().doc.plan.get(id).expect("101").geometry {
        Geometry::Polygon(p) => p.exterior().0[0],
        g => panic!("{g:?}"),
    };
    let from = screen(h.state(), corner.x, corner.y);
    let to = from + egui::vec2(-40.0, 30.0);
    let revision = h.state().doc.revision;
    h.hover_at(from);
    h.run_steps(1);
    h.drag_at(from);
    h.run_steps(1);
    for i in 1..=10 {
        h.hover_at(from + (to - from) * (i as f32 / 10.0));
        h.run_steps(1);
    }
    h.drop_at(to);
    h.run_steps(2);
    let app = h.state();
    assert_eq!(app.doc.revision, revision + 1, "one edit");
    assert_eq!(app.doc.undo_label(), Some(EditLabel::MoveVertex));
    let moved = match &app.doc.plan.get(id).expect("101").geometry {
        Geometry::Polygon(p) => p.exterior().0[0],
        g => panic!("{g:?}"),
    };
    assert!(moved.x < corner.x && moved.y < corner.y, "the corner moved west and south");
    // The spatial index follows: the new corner area hits building 101.
    let cam = app.camera.expect("camera");
    let hit = app.doc.index.hit_test(&app.doc.plan, moved.x + 1e-6, moved.y + 1e-6, 2.0 * cam.ground_mpp());
    assert_eq!(hit, Some(id));
}

#[test]
fn measuring_changes_nothing() {
    let mut h = harness();
    let before = h.state().doc.plan.clone();
    let revision = h.state().doc.revision;
    h.key_press(egui::Key::M);
    h.run_steps(1);
    let r = h.state().map_rect.expect("map");
    for p in [
        Pos2::new(r.left() + 200.0, r.top() + 200.0),
        Pos2::new(r.left() + 400.0, r.top() + 220.0),
        Pos2::new(r.left() + 380.0, r.top() + 400.0),
    ] {
        click(&mut h, p);
    }
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
    assert_eq!(h.state().sketch.points.len(), 3);
    assert!(h.state().sketch.done);
    assert_eq!(h.state().doc.revision, revision);
    assert!(h.state().doc.plan == before);
}

#[test]
fn delete_removes_the_selected_feature_and_undo_brings_it_back() {
    let mut h = harness();
    let id = h.state().doc.plan.iter().find(|(_, f)| f.kind == Kind::Node).map(|(id, _)| id).expect("a node");
    let before = h.state().doc.plan.clone();
    h.state_mut().apply(renewal_planner::ui::Action::Select(Some(id)));
    h.run_steps(1);
    h.key_press(egui::Key::Delete);
    h.run_steps(2);
    assert!(h.state().doc.plan.get(id).is_none());
    assert_eq!(h.state().doc.undo_label(), Some(EditLabel::DeleteFeature));
    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(2);
    assert!(h.state().doc.plan == before);
}
