//! Drawing and editing through the real interface: a polygon drawn by
//! clicking, a vertex dragged, a measurement that changes nothing, a delete.

use eframe::egui::{self, Modifiers, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use geo::{CoordsIter, Geometry};
use renewal_planner::edit::EditLabel;
use renewal_planner::model::{ChangeKind, FeatureId, Kind, Phase};
use renewal_planner::ui::{Action, PlannerApp};

mod common;

fn harness() -> Harness<'static, PlannerApp> {
    let mut h = common::harness(PlannerApp::new(), [1280.0, 800.0]);
    h.run_steps(3);
    // Zoom out so there is empty ground around the district.
    h.key_press(egui::Key::Minus);
    h.run_steps(2);
    h
}

use common::click;

fn screen(app: &PlannerApp, lon: f64, lat: f64) -> Pos2 {
    let cam = app.camera.expect("camera");
    let r = app.map_rect.expect("map");
    let s = cam.lonlat_to_screen(lon, lat);
    Pos2::new(r.left() + s[0], r.top() + s[1])
}

#[test]
fn a_polygon_drawn_by_clicking_is_in_the_plan_and_one_undo_step() {
    let mut h = harness();
    let before = h.state().doc.plan().len();
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
    assert_eq!(app.doc.plan().len(), before + 1);
    let id = *app.selected().first().expect("the new feature is selected");
    let f = app.doc.plan().get(id).expect("feature");
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
    assert_eq!(h.state().doc.plan().len(), before);
}

fn corner(g: &Geometry<f64>) -> geo::Coord<f64> {
    match g {
        Geometry::Polygon(p) => p.exterior().0[0],
        g => panic!("{g:?}"),
    }
}

fn drag(h: &mut Harness<'static, PlannerApp>, from: Pos2, to: Pos2) {
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
}

#[test]
fn dragging_a_corner_of_building_101_is_one_edit_of_the_phase_shown_that_the_index_follows() {
    let mut h = harness();
    let id: FeatureId = h
        .state()
        .doc
        .plan()
        .iter()
        .find(|(_, f)| f.kind == Kind::Building && f.number() == Some("101"))
        .map(|(id, _)| id)
        .expect("101");
    h.state_mut().apply(Action::SelectAndFly(id));
    h.state_mut().apply(Action::SetEditing(true));
    h.run_steps(90);
    let original = h.state().doc.plan().get(id).expect("101").geometry.clone();
    let c0 = corner(&original);

    // Looking at the plan after renewal, the drag reshapes the after state only.
    let from = screen(h.state(), c0.x, c0.y);
    let revision = h.state().doc.revision();
    drag(&mut h, from, from + egui::vec2(-40.0, 30.0));
    {
        let app = h.state();
        assert_eq!(app.doc.revision(), revision + 1, "one edit");
        assert_eq!(app.doc.undo_label(), Some(EditLabel::MoveVertex));
        let f = app.doc.plan().get(id).expect("101");
        assert_eq!(f.geometry, original, "the before state is untouched");
        let after = f.change.as_ref().and_then(|c| c.after_geometry.as_ref()).expect("an after geometry");
        let moved = corner(after);
        assert!(moved.x < c0.x && moved.y < c0.y, "the after corner moved west and south");
        let cam = app.camera.expect("camera");
        let hit = app.doc.index().hit_test_in(
            app.doc.plan(),
            moved.x + 1e-6,
            moved.y + 1e-6,
            2.0 * cam.ground_mpp(),
            &Phase::After,
        );
        assert_eq!(hit, Some(id), "the index follows the after shape");
    }

    // In the before phase the same gesture corrects the district as it is.
    h.state_mut().apply(Action::SetPhase(Phase::Before));
    h.run_steps(2);
    drag(&mut h, from, from + egui::vec2(30.0, -20.0));
    let app = h.state();
    assert_eq!(app.doc.revision(), revision + 2);
    let moved = corner(&app.doc.plan().get(id).expect("101").geometry);
    assert!(moved.x > c0.x && moved.y > c0.y, "the before corner moved east and north");
    let cam = app.camera.expect("camera");
    let hit = app.doc.index().hit_test(app.doc.plan(), moved.x - 1e-6, moved.y - 1e-6, 2.0 * cam.ground_mpp());
    assert_eq!(hit, Some(id));
}

#[test]
fn measuring_changes_nothing() {
    let mut h = harness();
    let before = h.state().doc.plan().clone();
    let revision = h.state().doc.revision();
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
    assert_eq!(h.state().doc.revision(), revision);
    assert!(*h.state().doc.plan() == before);
}

#[test]
fn delete_marks_removed_after_and_removes_before_and_undo_brings_it_back() {
    let mut h = harness();
    let id = h
        .state()
        .doc
        .plan()
        .iter()
        .find(|(_, f)| f.kind == Kind::Node && f.change.is_none())
        .map(|(id, _)| id)
        .expect("an unchanged node");
    let before = h.state().doc.plan().clone();
    h.state_mut().apply(Action::Select(Some(id)));
    h.run_steps(1);
    // Looking only: Delete says how to edit and changes nothing.
    h.key_press(egui::Key::Delete);
    h.run_steps(2);
    assert!(*h.state().doc.plan() == before);
    assert!(h.state().status_text().is_some_and(|t| t.contains('E')), "{:?}", h.state().status_text());
    h.key_press(egui::Key::E);
    h.run_steps(1);
    assert!(h.state().editing);
    h.key_press(egui::Key::Delete);
    h.run_steps(2);
    {
        let app = h.state();
        let f = app.doc.plan().get(id).expect("still in the plan");
        assert_eq!(f.change.as_ref().map(|c| c.kind), Some(ChangeKind::Removed));
        assert_eq!(app.doc.undo_label(), Some(EditLabel::MarkRemoved));
    }
    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(2);
    assert!(*h.state().doc.plan() == before);

    h.state_mut().apply(Action::SetPhase(Phase::Before));
    h.state_mut().apply(Action::Select(Some(id)));
    h.run_steps(2);
    h.key_press(egui::Key::Delete);
    h.run_steps(2);
    assert!(h.state().doc.plan().get(id).is_none());
    assert_eq!(h.state().doc.undo_label(), Some(EditLabel::DeleteFeature));
    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(2);
    assert!(*h.state().doc.plan() == before);
}

/// Building 101 selected and framed, its first corner on screen.
fn select_101(h: &mut Harness<'static, PlannerApp>) -> (FeatureId, geo::Coord<f64>) {
    let id: FeatureId = h
        .state()
        .doc
        .plan()
        .iter()
        .find(|(_, f)| f.kind == Kind::Building && f.number() == Some("101"))
        .map(|(id, _)| id)
        .expect("101");
    h.state_mut().apply(Action::SelectAndFly(id));
    h.run_steps(90);
    let c = corner(&h.state().doc.plan().get(id).expect("101").geometry);
    (id, c)
}

/// The shape of a feature as the after phase shows it.
fn after_shape(app: &PlannerApp, id: FeatureId) -> Geometry<f64> {
    let f = app.doc.plan().get(id).expect("feature");
    f.change.as_ref().and_then(|c| c.after_geometry.clone()).unwrap_or_else(|| f.geometry.clone())
}

#[test]
fn a_dragged_vertex_lands_where_it_is_dropped_and_the_map_stays_put() {
    let mut h = harness();
    let (id, c0) = select_101(&mut h);
    h.key_press(egui::Key::E);
    h.run_steps(2);
    let camera = h.state().camera.expect("camera");
    let from = screen(h.state(), c0.x, c0.y);
    // A drop point with nothing to snap to within the snap radius (10 px).
    let (to, ll) = [(-45.0, 35.0), (45.0, -35.0), (-35.0, -45.0), (35.0, 45.0), (-60.0, 0.0), (0.0, 60.0)]
        .into_iter()
        .map(|(dx, dy)| from + egui::vec2(dx, dy))
        .map(|to| {
            let r = h.state().map_rect.expect("map");
            (to, camera.screen_to_lonlat([to.x - r.left(), to.y - r.top()]))
        })
        .find(|(_, ll)| {
            let app = h.state();
            let tol = 12.0 * camera.ground_mpp();
            renewal_planner::model::snap::snap(app.doc.plan(), app.doc.index(), ll[0], ll[1], tol, Some(id)).is_none()
        })
        .expect("open ground near 101");
    drag(&mut h, from, to);
    let app = h.state();
    assert_eq!(app.camera.expect("camera").center, camera.center, "a drag on a handle does not pan");
    assert_eq!(app.doc.undo_label(), Some(EditLabel::MoveVertex));
    let moved = corner(&after_shape(app, id));
    let landed = screen(app, moved.x, moved.y);
    assert!(landed.distance(to) <= 1.0, "the vertex landed at {landed:?}, dropped at {to:?}");
    assert!((moved.x - ll[0]).abs() < 1e-7 && (moved.y - ll[1]).abs() < 1e-7);
}

#[test]
fn a_vertex_dropped_near_another_buildings_corner_snaps_onto_it() {
    let mut h = harness();
    let (id, c0) = select_101(&mut h);
    h.state_mut().apply(Action::SetEditing(true));
    h.run_steps(2);
    let app = h.state();
    let cam = app.camera.expect("camera");
    let from = screen(app, c0.x, c0.y);
    // The nearest corner of another feature on screen.
    let (target, at) = app
        .doc
        .plan()
        .iter()
        .filter(|(fid, f)| *fid != id && f.kind == Kind::Building)
        .flat_map(|(_, f)| geo::CoordsIter::coords_iter(&f.geometry).collect::<Vec<_>>())
        .map(|c| (c, screen(app, c.x, c.y)))
        .min_by(|a, b| a.1.distance(from).total_cmp(&b.1.distance(from)))
        .expect("another building");
    assert!(at.distance(from) > 20.0 && app.map_rect.expect("map").shrink(20.0).contains(at));
    // Dropped 6 px off it: within the 10 px snap radius.
    drag(&mut h, from, at + egui::vec2(4.0, -4.5));
    let app = h.state();
    assert_eq!(app.camera.expect("camera").center, cam.center);
    let moved = corner(&after_shape(app, id));
    assert!((moved.x - target.x).abs() < 1e-12 && (moved.y - target.y).abs() < 1e-12, "snapped onto the corner");
}

#[test]
fn with_editing_off_a_drag_on_the_selected_building_pans_and_changes_nothing() {
    let mut h = harness();
    let (id, c0) = select_101(&mut h);
    assert!(!h.state().editing, "clicking to look does not edit");
    let plan = h.state().doc.plan().clone();
    let camera = h.state().camera.expect("camera");
    let from = screen(h.state(), c0.x, c0.y);
    drag(&mut h, from, from + egui::vec2(-40.0, 30.0));
    {
        let app = h.state();
        assert!(*app.doc.plan() == plan, "nothing moved");
        assert_eq!(app.doc.undo_label(), None);
        assert_eq!(app.selected(), vec![id]);
        let c = app.camera.expect("camera");
        let moved = cam_shift(&camera, &c);
        assert!(
            (moved.x + 40.0).abs() < 1.0 && (moved.y - 30.0).abs() < 1.0,
            "the map followed the pointer: {moved:?}"
        );
    }
    // The toolbar's toggle turns editing on: the same gesture now reshapes 101, and the map stays.
    h.get_by_label("编辑要素").click();
    h.run_steps(2);
    assert!(h.state().editing);
    let camera = h.state().camera.expect("camera");
    let from = screen(h.state(), c0.x, c0.y);
    drag(&mut h, from, from + egui::vec2(-40.0, 30.0));
    let app = h.state();
    assert_eq!(app.camera.expect("camera").center, camera.center);
    assert_eq!(app.doc.undo_label(), Some(EditLabel::MoveVertex));
    assert_ne!(after_shape(app, id), plan.get(id).expect("101").geometry);
}

/// How far the map moved on screen between two cameras (pixels).
fn cam_shift(a: &renewal_planner::render::Camera, b: &renewal_planner::render::Camera) -> egui::Vec2 {
    let (before, after) = (a.world_to_screen(a.center), b.world_to_screen(a.center));
    egui::vec2(after[0] - before[0], after[1] - before[1])
}

#[test]
fn a_drawing_tool_turns_editing_on() {
    let mut h = harness();
    assert!(!h.state().editing);
    h.key_press(egui::Key::G);
    h.run_steps(1);
    assert!(h.state().editing, "drawing is editing");
    h.key_press(egui::Key::Escape);
    h.run_steps(1);
    assert_eq!(h.state().tool, renewal_planner::ui::draw::Tool::Select);
    assert!(h.state().editing, "the toggle stays on after drawing, as QGIS's does");
    h.key_press(egui::Key::E);
    h.run_steps(1);
    assert!(!h.state().editing);
}
