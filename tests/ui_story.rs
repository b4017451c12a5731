//! Stories through the real interface: a slide captures the view and gives
//! it back; slides are edited with undo; presentation mode steps through them.

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use renewal_planner::document::{Document, Source};
use renewal_planner::model::{FeatureId, Kind, Phase, SlideCompare, SlideTheme};
use renewal_planner::render::theme::ThemeMode;
use renewal_planner::ui::{Action, Compare, PlannerApp};

mod common;

fn harness() -> Harness<'static, PlannerApp> {
    let mut loaded = renewal_planner::io::load_jinsong();
    loaded.plan.stories.clear();
    let app = PlannerApp::with_document(Document::new(loaded, Source::Jinsong));
    let mut h = common::harness(app, [1280.0, 800.0]);
    h.run_steps(3);
    h
}

fn b101(app: &PlannerApp) -> FeatureId {
    app.doc
        .plan()
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
        let story = &h.state().doc.plan().stories[0];
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
    assert!(h.state().doc.plan().stories.iter().all(|s| s.slides.is_empty()));
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
    let before = h.state().doc.plan().stories.clone();
    h.state_mut().apply(Action::GoToSlide(0, 0));
    h.run_steps(3);
    h.get_by_label("复制").click();
    h.run_steps(3);
    assert_eq!(h.state().doc.plan().stories[0].slides.len(), 3);
    h.get_by_label("删除").click();
    h.run_steps(3);
    assert_eq!(h.state().doc.plan().stories[0].slides.len(), 2);
    for _ in 0..2 {
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
        h.run_steps(2);
    }
    assert_eq!(h.state().doc.plan().stories, before);
}

#[test]
fn presentation_mode_steps_through_slides_with_keys_and_leaves_with_esc() {
    let mut h = common::harness(PlannerApp::new(), [1280.0, 800.0]);
    h.run_steps(3);
    let n = h.state().doc.plan().stories.first().map(|s| s.slides.len()).unwrap_or(0);
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
    let slide = h.state().doc.plan().stories[0].slides[2].clone();
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

/// The Jinsong plan presenting slide `i`, the camera settled on it.
fn presenting(i: usize) -> Harness<'static, PlannerApp> {
    let mut h = common::harness(PlannerApp::new(), [1280.0, 800.0]);
    h.run_steps(3);
    h.state_mut().apply(Action::Present(Some((0, i))));
    h.run_steps(150);
    h
}

/// A feature's screen box in each pane of the presentation (both halves when side by side).
fn screen_boxes(app: &PlannerApp, key: &str) -> Vec<egui::Rect> {
    let id = app.doc.plan().by_key(key).expect(key);
    let b = app.doc.plan().get(id).and_then(|f| f.bbox()).expect("bbox");
    let cam = app.camera.expect("camera");
    let p = [cam.lonlat_to_screen(b.min().x, b.min().y), cam.lonlat_to_screen(b.max().x, b.max().y)];
    let r = egui::Rect::from_two_pos(egui::pos2(p[0][0], p[0][1]), egui::pos2(p[1][0], p[1][1]));
    if app.compare == Compare::SideBySide { vec![r, r.translate(egui::vec2(cam.size[0] + 2.0, 0.0))] } else { vec![r] }
}

#[test]
fn each_jinsong_slide_frames_what_it_highlights_between_the_title_and_caption_bands() {
    let n = PlannerApp::new().doc.plan().stories[0].slides.len();
    for i in 0..n {
        let h = presenting(i);
        let app = h.state();
        let slide = app.doc.plan().stories[0].slides[i].clone();
        let l = app.presentation_layout().expect("a layout while presenting");
        assert!(l.title.height() > 40.0 && l.caption.height() > 40.0, "slide {}: both bands are drawn", i + 1);
        assert_eq!((l.free.top(), l.free.bottom()), (l.title.bottom(), l.caption.top()));
        let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1280.0, 800.0));
        let free = l.free.expand(1.0);
        for key in &slide.highlight {
            for b in screen_boxes(app, key) {
                // A street longer than the slide's view runs through it (slide 3 is "across" the
                // street): it must then cross the free area; what fits must lie inside it.
                if b.height() > screen.height() {
                    assert!(b.left() >= free.left() && b.right() <= free.right(), "slide {}: {key} {b:?}", i + 1);
                    assert!(b.top() < free.top() && b.bottom() > free.bottom(), "slide {}: {key} {b:?}", i + 1);
                } else {
                    assert!(free.contains_rect(b), "slide {}: {key} at {b:?} is outside the free area {free:?}", i + 1);
                }
            }
        }
        if slide.highlight.is_empty() {
            // A slide of the whole district shows all of it.
            for b in screen_boxes(app, "boundary") {
                assert!(free.contains_rect(b), "slide {}: the district {b:?} in {free:?}", i + 1);
            }
        }
        if slide.theme != SlideTheme::Kind {
            let legend = l.legend.expect("a thematic slide has a legend");
            assert!(!legend.intersects(l.caption) && !legend.intersects(l.title), "slide {}: legend {legend:?}", i + 1);
            assert!(l.free.contains_rect(legend), "slide {}: legend {legend:?}", i + 1);
        }
    }
}

#[test]
fn f5_starts_at_the_first_slide_unless_the_stories_window_has_one_selected() {
    let mut h = common::harness(PlannerApp::new(), [1280.0, 800.0]);
    h.run_steps(3);
    // A slide was looked at earlier, and the stories window closed again.
    h.state_mut().apply(Action::GoToSlide(0, 4));
    h.run_steps(3);
    h.key_press(egui::Key::F5);
    h.run_steps(3);
    assert_eq!(h.state().presenting, Some((0, 0)), "F5 starts at slide 1");
    h.key_press(egui::Key::Escape);
    h.run_steps(3);
    // With the window open and slide 5 selected there, F5 starts there.
    h.state_mut().apply(Action::ShowStories(true));
    h.state_mut().apply(Action::GoToSlide(0, 4));
    h.run_steps(3);
    h.key_press(egui::Key::F5);
    h.run_steps(3);
    assert_eq!(h.state().presenting, Some((0, 4)));
}

#[test]
fn hover_tooltips_are_off_while_presenting() {
    let mut h = presenting(0);
    let (id, p) = {
        let app = h.state();
        let id = b101(app);
        let f = app.doc.plan().get(id).expect("b101");
        let p = geo::InteriorPoint::interior_point(&f.geometry).expect("a point inside 101");
        (id, p)
    };
    let at = {
        let cam = h.state().camera.expect("camera");
        let s = cam.lonlat_to_screen(p.x(), p.y());
        egui::pos2(s[0], s[1])
    };
    h.hover_at(at);
    h.run_steps(4);
    assert_eq!(h.state().opts.hovered, None, "nothing is hovered while presenting");
    assert!(h.query_by_label_contains("砖混").is_none() && h.query_by_label_contains("面积").is_none(), "no tooltip");
    // The same building under the pointer in the working window is hovered (so the check above can fail).
    h.key_press(egui::Key::Escape);
    h.run_steps(3);
    let rect = {
        let app = h.state_mut();
        let mut cam = app.camera.expect("camera");
        cam.center = renewal_planner::render::camera::to_world(p.x(), p.y());
        app.camera = Some(cam);
        app.map_rect.expect("map")
    };
    h.run_steps(2);
    h.hover_at(rect.center());
    h.run_steps(4);
    assert_eq!(h.state().opts.hovered, Some(id), "the working window hovers");
}

#[test]
fn leaving_a_presentation_gives_back_the_working_view() {
    let mut h = common::harness(PlannerApp::new(), [1280.0, 800.0]);
    h.run_steps(3);
    let id = b101(h.state());
    {
        let app = h.state_mut();
        app.apply(Action::SetPhase(Phase::Before));
        app.apply(Action::SetCompare(Compare::SideBySide));
        app.apply(Action::SetTheme(ThemeMode::Funding));
        app.apply(Action::Select(Some(id)));
    }
    h.key_press(egui::Key::Plus);
    h.key_press(egui::Key::Plus);
    h.run_steps(3);
    h.state_mut().apply(Action::SetLayerVisible(Kind::Garden, false));
    h.run_steps(3);
    let (cam0, visible0, theme0) = {
        let app = h.state();
        (app.camera.expect("camera"), app.opts.visible, app.opts.theme.clone())
    };
    assert!(visible0.iter().any(|v| !v), "a layer is hidden");
    h.key_press(egui::Key::F5);
    h.run_steps(3);
    for _ in 0..6 {
        h.key_press(egui::Key::ArrowRight);
        h.run_steps(20);
    }
    assert_eq!(h.state().presenting, Some((0, 6)));
    assert_eq!(h.state().theme_mode, ThemeMode::Status, "slide 7 colours by status");
    h.key_press(egui::Key::Escape);
    h.run_steps(5);
    let app = h.state();
    assert_eq!(app.presenting, None);
    assert_eq!(app.opts.phase, Phase::Before);
    assert_eq!(app.compare, Compare::SideBySide);
    assert_eq!(app.theme_mode, ThemeMode::Funding);
    assert_eq!(app.opts.theme, theme0, "the working colours");
    assert_eq!(app.selected(), vec![id]);
    assert_eq!(app.opts.visible, visible0, "the working layers");
    let cam = app.camera.expect("camera");
    assert!((cam.mpp / cam0.mpp - 1.0).abs() < 1e-9, "the working zoom: {} vs {}", cam.mpp, cam0.mpp);
    assert!((cam.center[0] - cam0.center[0]).abs() < 1e-6 && (cam.center[1] - cam0.center[1]).abs() < 1e-6);
}
