//! Stories through the real interface: a slide captures the view and gives
//! it back; slides are edited with undo; presentation mode steps through them.

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use renewal_planner::model::{FeatureId, Kind, Phase, SlideCompare, SlideTheme};
use renewal_planner::render::theme::ThemeMode;
use renewal_planner::ui::{Action, Compare, PlannerApp};

mod common;

fn harness() -> Harness<'static, PlannerApp> {
    let mut app = PlannerApp::new();
    std::sync::Arc::make_mut(&mut app.doc.plan).stories.clear();
    let mut h = common::harness(app, [1280.0, 800.0]);
    h.run_steps(3);
    h
}

fn b101(app: &PlannerApp) -> FeatureId {
    app.doc
        .plan
        .iter()
        .find(|(_, f)| f.kind == Kind::Building && f.number() == Some("101"))
        .map(|(id, _)| id)
        .expect("101")
}

#[test]
fn a_slide_captures_the_view_and_restores_it() {
    let mut h = harness();
    let id = b101(h.state());
    {
        let app = h.state_mut();
        app.apply(Action::SetPhase(Phase::Before));
        app.apply(Action::SetCompare(Compare::Swipe));
        app.apply(Action::SetTheme(ThemeMode::Status));
        app.apply(Action::Select(Some(id)));
        app.apply(Action::ShowStories(true));
    }
    h.run_steps(12);
    h.get_by_label("从当前视图添加幻灯片").click();
    h.run_steps(3);
    {
        let story = &h.state().doc.plan.stories[0];
        assert_eq!(story.slides.len(), 1);
        let s = &story.slides[0];
        assert_eq!(s.phase, "before");
        assert_eq!(s.compare, SlideCompare::Swipe);
        assert_eq!(s.theme, SlideTheme::Status);
        assert_eq!(s.highlight, vec!["b101".to_string()]);
    }
    let cam0 = h.state().camera.expect("camera");
    {
        let app = h.state_mut();
        app.apply(Action::SetPhase(Phase::After));
        app.apply(Action::SetCompare(Compare::Single));
        app.apply(Action::SetTheme(ThemeMode::Kind));
        app.apply(Action::Select(None));
    }
    h.key_press(egui::Key::Minus);
    h.run_steps(3);
    h.state_mut().apply(Action::GoToSlide(0, 0));
    h.run_steps(120);
    let app = h.state();
    assert_eq!(app.opts.phase, Phase::Before);
    assert_eq!(app.compare, Compare::Swipe);
    assert_eq!(app.theme_mode, ThemeMode::Status);
    assert_eq!(app.selected(), vec![id]);
    let cam = app.camera.expect("camera");
    assert!((cam.mpp / cam0.mpp - 1.0).abs() < 0.01, "the zoom came back");
    // Adding the slide is one undo step.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(2);
    assert!(h.state().doc.plan.stories.iter().all(|s| s.slides.is_empty()));
}

#[test]
fn slides_are_duplicated_moved_and_deleted_with_undo() {
    let mut h = harness();
    h.state_mut().apply(Action::ShowStories(true));
    h.run_steps(12);
    for _ in 0..2 {
        h.get_by_label("从当前视图添加幻灯片").click();
        h.run_steps(3);
    }
    let before = h.state().doc.plan.stories.clone();
    h.state_mut().apply(Action::GoToSlide(0, 0));
    h.run_steps(3);
    h.get_by_label("复制").click();
    h.run_steps(3);
    assert_eq!(h.state().doc.plan.stories[0].slides.len(), 3);
    h.get_by_label("删除").click();
    h.run_steps(3);
    assert_eq!(h.state().doc.plan.stories[0].slides.len(), 2);
    for _ in 0..2 {
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
        h.run_steps(2);
    }
    assert_eq!(h.state().doc.plan.stories, before);
}

#[test]
fn presentation_mode_steps_through_slides_with_keys_and_leaves_with_esc() {
    let mut h = common::harness(PlannerApp::new(), [1280.0, 800.0]);
    h.run_steps(3);
    let n = h.state().doc.plan.stories.first().map(|s| s.slides.len()).unwrap_or(0);
    assert!(n >= 8, "the Jinsong plan ships with a story ({n} slides)");
    h.key_press(egui::Key::F5);
    h.run_steps(3);
    assert_eq!(h.state().presenting, Some((0, 0)));
    assert!(h.query_by_label("图层").is_none(), "no panels while presenting");
    h.key_press(egui::Key::ArrowRight);
    h.run_steps(2);
    h.key_press(egui::Key::PageDown);
    h.run_steps(2);
    h.key_press(egui::Key::Space);
    h.run_steps(2);
    assert_eq!(h.state().presenting, Some((0, 3)));
    h.key_press(egui::Key::PageUp);
    h.run_steps(90);
    assert_eq!(h.state().presenting, Some((0, 2)));
    // The camera glided to the slide's view.
    let slide = h.state().doc.plan.stories[0].slides[2].clone();
    let cam = h.state().camera.expect("camera");
    let c = cam.screen_to_lonlat([cam.size[0] / 2.0, cam.size[1] / 2.0]);
    assert!(
        (c[0] - slide.center[0]).abs() < 2e-4 && (c[1] - slide.center[1]).abs() < 2e-4,
        "{c:?} vs {:?}",
        slide.center
    );
    h.key_press(egui::Key::Escape);
    h.run_steps(3);
    assert_eq!(h.state().presenting, None);
    h.get_by_label("图层");
}
