//! Before and after through the real interface: toggle, swipe, side by
//! side, the timeline, and the list of what changed.

use eframe::egui::{self, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use renewal_planner::model::phase::presence;
use renewal_planner::model::{ChangeKind, FeatureId, Phase, Presence};
use renewal_planner::render::Scene;
use renewal_planner::ui::{Action, Compare, PlannerApp};

mod common;

fn harness() -> Harness<'static, PlannerApp> {
    let mut h = common::harness(PlannerApp::new(), [1280.0, 800.0]);
    h.run_steps(3);
    h
}

/// The first feature of the plan with a change of this kind.
fn changed(app: &PlannerApp, kind: ChangeKind, name_part: &str) -> FeatureId {
    app.doc
        .plan()
        .iter()
        .find(|(_, f)| {
            f.change.as_ref().is_some_and(|c| c.kind == kind) && f.name_zh().is_some_and(|n| n.contains(name_part))
        })
        .map(|(id, _)| id)
        .unwrap_or_else(|| panic!("a {kind:?} feature named like {name_part}"))
}

fn draws(scene: &Scene, id: FeatureId) -> bool {
    scene.items.iter().any(|i| i.feature == id)
}

#[test]
fn t_flips_between_before_and_after() {
    let mut h = harness();
    assert_eq!(h.state().opts.phase, Phase::After);
    h.key_press(egui::Key::T);
    h.run_steps(2);
    assert_eq!(h.state().opts.phase, Phase::Before);
    h.key_press(egui::Key::T);
    h.run_steps(2);
    assert_eq!(h.state().opts.phase, Phase::After);
}

#[test]
fn swiping_across_jinsongxi_street_shows_the_overhead_lines_before_and_the_new_ramps_after() {
    let mut h = harness();
    h.get_by_label("卷帘").click();
    h.run_steps(3);
    let app = h.state();
    assert_eq!(app.compare, Compare::Swipe);
    let lines = changed(app, ChangeKind::Removed, "架空线");
    let ramp = changed(app, ChangeKind::Added, "无障碍坡道");
    let scenes = app.pane_scenes();
    assert_eq!(scenes.len(), 2, "two panes");
    let (before, after) = (scenes[0], scenes[1]);
    assert_eq!(*before.0, Phase::Before);
    assert_eq!(*after.0, Phase::After);
    assert!(draws(before.1, lines), "the overhead lines are drawn before");
    assert!(!draws(before.1, ramp), "the ramp is not there before");
    assert!(draws(after.1, ramp), "the ramp stands out after");
    assert!(draws(after.1, lines), "the removed lines show as a ghost after");

    // Drag the divider 200 px to the left.
    let rect = app.map_rect.expect("map");
    let x = rect.left() + rect.width() * app.swipe;
    let swipe0 = app.swipe;
    let from = Pos2::new(x, rect.center().y + 100.0);
    h.hover_at(from);
    h.run_steps(1);
    h.drag_at(from);
    h.run_steps(1);
    for i in 1..=10 {
        h.hover_at(from - egui::vec2(20.0 * i as f32, 0.0));
        h.run_steps(1);
    }
    h.drop_at(from - egui::vec2(200.0, 0.0));
    h.run_steps(2);
    let moved = (swipe0 - h.state().swipe) * rect.width();
    assert!((moved - 200.0).abs() < 12.0, "the divider moved {moved} px");
    assert_eq!(h.state().camera.expect("camera").center, app_camera_center(&h), "dragging the divider does not pan");
}

fn app_camera_center(h: &Harness<'static, PlannerApp>) -> [f64; 2] {
    h.state().camera.expect("camera").center
}

#[test]
fn side_by_side_views_share_one_camera() {
    let mut h = harness();
    h.get_by_label("并排").click();
    h.run_steps(3);
    let scenes = h.state().pane_scenes();
    assert_eq!(scenes.len(), 2);
    let size0 = scenes[0].1.size;
    assert!((size0[0] - scenes[1].1.size[0]).abs() < 2.0, "two halves");
    let c0 = h.state().camera.expect("camera").center;
    h.key_press(egui::Key::Plus);
    h.run_steps(2);
    let scenes = h.state().pane_scenes();
    assert_eq!(scenes.len(), 2);
    assert_eq!(h.state().camera.expect("camera").center, c0);
}

#[test]
fn scrubbing_the_timeline_brings_changes_into_force_as_their_items_complete() {
    let mut h = harness();
    let (shed, lines) = {
        let app = h.state();
        (changed(app, ChangeKind::Added, "新建非机动车棚"), changed(app, ChangeKind::Removed, "架空线"))
    };
    let seen = |h: &Harness<'static, PlannerApp>, id: FeatureId| {
        let app = h.state();
        presence(app.doc.plan(), app.doc.plan().get(id).expect("feature"), &app.opts.phase)
    };
    h.state_mut().apply(Action::SetPhase(Phase::AsOf("2018-08-01".into())));
    h.run_steps(2);
    assert_eq!(seen(&h, shed), Presence::Absent);
    assert_eq!(seen(&h, lines), Presence::AsBefore);
    h.state_mut().apply(Action::SetPhase(Phase::AsOf("2021-01-01".into())));
    h.run_steps(2);
    assert_eq!(seen(&h, shed), Presence::AsBefore, "the new shed stands");
    assert_eq!(seen(&h, lines), Presence::Absent, "the lines are underground");
    // Play from the start: the date moves on by itself.
    h.state_mut().apply(Action::SetPhase(Phase::AsOf("2018-07-20".into())));
    h.get_by_label("播放").click();
    h.run_steps(60);
    let Phase::AsOf(d) = h.state().opts.phase.clone() else { panic!("as of a date") };
    assert!(d.as_str() > "2018-08-01", "the timeline played on to {d}");
}

#[test]
fn clicking_an_entry_in_what_changed_lands_on_it() {
    let mut h = harness();
    h.get_all_by_label_contains("变化清单").next().expect("the button").click();
    h.run_steps(12);
    // The first entry of the list (the change that came into force first).
    let name = {
        let window = h.get_by_role_and_label(egui::accesskit::Role::Window, "变化清单");
        let link = window.get_all_by_role(egui::accesskit::Role::Link).next().expect("an entry");
        let name = link.accesskit_node().label().expect("a name");
        link.click();
        name
    };
    let shed = h
        .state()
        .doc
        .plan()
        .iter()
        .find(|(_, f)| f.name_zh() == Some(name.as_str()))
        .map(|(id, _)| id)
        .expect("the feature");
    h.run_steps(90);
    let app = h.state();
    assert_eq!(app.selected(), vec![shed]);
    let cam = app.camera.expect("camera");
    let r = app.doc.plan().get(shed).and_then(|f| f.bbox()).expect("bbox");
    let c = cam.lonlat_to_screen(r.center().x, r.center().y);
    assert!((c[0] - cam.size[0] / 2.0).abs() < 40.0 && (c[1] - cam.size[1] / 2.0).abs() < 40.0, "centred: {c:?}");
}
