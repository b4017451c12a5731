//! The consent map in the window: chosen from the theme list, recoloured when
//! another matter comes into focus (the matter list beside the theme, or
//! `Action::FocusMatter` from the consent panel), captured in a slide and
//! shown again by presentation mode.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use renewal_planner::document::{Document, Source};
use renewal_planner::model::{Phase, SlideTheme};
use renewal_planner::render::theme::{CONSENT_BINS, ThemeMode, feature_colors};
use renewal_planner::ui::{Action, PlannerApp};

mod common;

fn harness(app: PlannerApp) -> Harness<'static, PlannerApp> {
    let mut h = common::harness(app, [1400.0, 860.0]);
    h.run_steps(3);
    h
}

/// The colours the window's map is drawn with now.
fn shown(h: &Harness<'static, PlannerApp>) -> Vec<Option<renewal_planner::render::style::Rgba>> {
    h.state().opts.theme.as_ref().expect("a thematic map").to_vec()
}

fn consent_colours(app: &PlannerApp, matter: &str) -> Vec<Option<renewal_planner::render::style::Rgba>> {
    feature_colors(app.doc.plan(), ThemeMode::Consent, Some(matter), &Phase::After).expect("colours").to_vec()
}

#[test]
fn choosing_the_consent_theme_and_another_matter_recolours_the_map() {
    let mut h = harness(PlannerApp::new());
    // The theme list offers the consent map (Jinsong has matters).
    h.get_by_label("专题图").click();
    h.run_steps(3);
    h.get_by_label("按居民同意").click();
    h.run_steps(3);
    assert_eq!(h.state().theme_mode, ThemeMode::Consent);
    assert_eq!(h.state().focused_matter(), Some("m-property"), "the plan's first matter");
    assert_eq!(shown(&h), consent_colours(h.state(), "m-property"));
    assert_eq!(shown(&h).iter().flatten().count(), 43, "all 43 buildings vote on the property service");

    // The consent panel (or anything else) focuses another matter: the map follows.
    h.state_mut().apply(Action::FocusMatter(Some("m-elevator-202-2".into())));
    h.run_steps(2);
    let b202 = h.state().doc.plan().by_key("b202").expect("202").index();
    let now = shown(&h);
    assert_eq!(now, consent_colours(h.state(), "m-elevator-202-2"));
    assert_eq!(now.iter().flatten().count(), 1, "one building holds the 单元");
    assert_eq!(now[b202], Some(CONSENT_BINS[3].0), "7 of 10 taking part agree: two thirds, not three quarters");

    // The matter list beside the theme does the same.
    h.get_by_label("表决事项").click();
    h.run_steps(3);
    h.get_by_label("自行车棚改变用途（改建为便民服务空间）").click();
    h.run_steps(3);
    assert_eq!(h.state().focused_matter(), Some("m-bikeshed"));
    assert_eq!(shown(&h), consent_colours(h.state(), "m-bikeshed"));
    assert_eq!(shown(&h)[b202], None, "District 2 is outside the shed's scope");

    // A vote changed is an edit: the map is recoloured from the new count.
    let plan = h.state().doc.plan();
    let m = plan.consent.matter("m-bikeshed").expect("matter").clone();
    let b101 = plan.by_key("b101").expect("101").index();
    let households: Vec<String> = plan.consent.of_building("b101").iter().map(|h| h.id.clone()).collect();
    let before = shown(&h)[b101];
    h.state_mut().apply(Action::Edit(renewal_planner::edit::Edit::SetVotes {
        matter: m.id.clone(),
        votes: households
            .iter()
            .map(|id| {
                (
                    id.clone(),
                    Some(renewal_planner::model::consent::Vote {
                        vote: renewal_planner::model::consent::Choice::Disagree,
                        date: None,
                        method: None,
                    }),
                )
            })
            .collect(),
    }));
    h.run_steps(2);
    assert_ne!(shown(&h)[b101], before);
    assert_eq!(shown(&h)[b101], Some(CONSENT_BINS[0].0), "nobody in 101 agrees now");
}

#[test]
fn a_plan_without_matters_is_not_offered_the_consent_map() {
    let mut loaded = renewal_planner::io::load_jinsong();
    loaded.plan.consent = Default::default();
    let mut h = harness(PlannerApp::with_document(Document::new(loaded, Source::Jinsong)));
    h.get_by_label("专题图").click();
    h.run_steps(3);
    assert!(h.query_by_label("按项目状态").is_some(), "the list is open");
    assert!(h.query_by_label("按居民同意").is_none(), "no matters, no consent map");
}

#[test]
fn a_consent_slide_keeps_its_matter_and_presentation_mode_shows_it() {
    let mut loaded = renewal_planner::io::load_jinsong();
    let at = loaded.plan.stories[0].slides.iter().position(|s| s.theme == SlideTheme::Consent).expect("the slide");
    // Captured from the map: the theme and the matter in focus.
    loaded.plan.stories.truncate(1);
    let mut h = harness(PlannerApp::with_document(Document::new(loaded, Source::Jinsong)));
    {
        let app = h.state_mut();
        app.apply(Action::SetTheme(ThemeMode::Consent));
        app.apply(Action::FocusMatter(Some("m-elevator-107-2".into())));
        app.apply(Action::ShowStories(true));
    }
    h.run_steps(6);
    h.get_by_label("从当前视图添加幻灯片").click();
    h.run_steps(3);
    let slide = h.state().doc.plan().stories[0].slides.last().expect("added").clone();
    assert_eq!((slide.theme, slide.consent_matter.as_deref()), (SlideTheme::Consent, Some("m-elevator-107-2")));

    // Presenting Jinsong's consent slide brings its matter into focus, and leaving gives the working one back.
    h.state_mut().apply(Action::ShowStories(false));
    h.state_mut().apply(Action::Present(Some((0, at))));
    h.run_steps(30);
    {
        let app = h.state();
        assert_eq!(app.theme_mode, ThemeMode::Consent);
        assert_eq!(app.focused_matter(), Some("m-property"));
        assert_eq!(shown(&h), consent_colours(app, "m-property"));
        assert!(app.presentation_layout().and_then(|l| l.legend).is_some(), "the slide's legend is drawn");
    }
    h.state_mut().apply(Action::Present(None));
    h.run_steps(5);
    assert_eq!(h.state().focused_matter(), Some("m-elevator-107-2"), "the working matter is back");
    assert_eq!(shown(&h), consent_colours(h.state(), "m-elevator-107-2"));
}
