//! A date in force through the real interface: the dashboard and the status
//! map as of a date count each item at its status then; the timeline's end
//! is the renewal's last completion, not a proposal made today; and the
//! count of what changed follows every way the plan changes.

use std::collections::{BTreeMap, BTreeSet};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use renewal_planner::edit::{Edit, EditLabel};
use renewal_planner::model::phase::presence;
use renewal_planner::model::{Change, ChangeKind, FeatureId, Item, Phase, Plan, Presence, Status};
use renewal_planner::render::scene::Op;
use renewal_planner::render::style::Rgba;
use renewal_planner::render::theme::{ThemeMode, status_color};
use renewal_planner::session;
use renewal_planner::ui::{Action, Compare, PlannerApp};

mod common;

const DATE: &str = "2019-06-30";

fn harness(app: PlannerApp) -> Harness<'static, PlannerApp> {
    let mut h = common::harness(app, [1280.0, 800.0]);
    h.run_steps(3);
    h
}

/// An item's status on a date read straight off its history (not through the model's functions).
fn then(item: &Item, date: &str) -> Option<Status> {
    item.history.iter().filter(|c| c.date.as_str() <= date).max_by(|a, b| a.date.cmp(&b.date)).map(|c| c.status)
}

fn by_status(plan: &Plan, date: &str) -> BTreeMap<Status, usize> {
    let mut m = BTreeMap::new();
    for s in plan.items.values().filter_map(|i| then(i, date)) {
        *m.entry(s).or_insert(0) += 1;
    }
    m
}

#[test]
fn the_dashboard_as_of_a_date_shows_the_items_at_their_status_then() {
    let mut h = harness(PlannerApp::new());
    let counts = by_status(h.state().doc.plan(), DATE);
    let counted: usize = counts.values().sum();
    let done = counts.iter().filter(|(s, _)| s.is_done()).map(|(_, n)| n).sum::<usize>();
    assert_eq!((done, counts.get(&Status::UnderConstruction).copied()), (3, Some(28)), "what slide 7 says");
    let total = h.state().doc.plan().items.len();

    h.state_mut().apply(Action::SetPhase(Phase::AsOf(DATE.into())));
    h.state_mut().apply(Action::ShowDashboard(true));
    h.run_steps(12);
    assert!(h.query_by_label(&format!("进度截至 {DATE}")).is_some(), "the dashboard says which date it counts");
    assert!(h.query_by_label(&format!("{done} / {counted}")).is_some(), "{done} / {counted} completed as of {DATE}");
    assert!(h.query_by_label(&format!("{} 项在该日期尚无记录，未计入", total - counted)).is_some());
    assert!(h.query_by_label(&format!("{done} / {total}")).is_none());

    // Today: every item at its status now.
    h.state_mut().apply(Action::SetPhase(Phase::After));
    h.run_steps(3);
    let done_now = h.state().doc.plan().items.values().filter(|i| i.status.is_done()).count();
    assert!(h.query_by_label(&format!("{done_now} / {total}")).is_some(), "{done_now} / {total} today");
    assert!(h.query_by_label("目前进度（改造后）").is_some());
}

/// Features the pane's scene fills in one of the colours (any colour when none given).
fn filled_in(scene: &renewal_planner::render::Scene, colors: &[Rgba]) -> BTreeSet<FeatureId> {
    scene
        .items
        .iter()
        .filter(|i| matches!(&i.op, Op::Area { fill, .. } if colors.is_empty() || colors.contains(fill)))
        .map(|i| i.feature)
        .collect()
}

/// Of the filled features standing on `date` (not ghosts of removed ones), those whose items
/// recorded by then were all done, from the histories.
fn done_then(plan: &Plan, areas: &BTreeSet<FeatureId>, date: &str) -> BTreeSet<FeatureId> {
    let phase = Phase::AsOf(date.into());
    areas
        .iter()
        .copied()
        .filter(|id| plan.get(*id).is_some_and(|f| presence(plan, f, &phase) != Presence::Absent))
        .filter(|id| plan.items_of(*id).into_iter().filter_map(|i| then(i, date)).min().is_some_and(|s| s.is_done()))
        .collect()
}

#[test]
fn the_status_map_as_of_a_date_colours_each_site_by_its_items_then() {
    let mut h = harness(PlannerApp::new());
    h.state_mut().apply(Action::SetTheme(ThemeMode::Status));
    h.state_mut().apply(Action::SetPhase(Phase::AsOf(DATE.into())));
    h.run_steps(3);
    let done = [status_color(Status::Completed), status_color(Status::Operating)];
    let app = h.state();
    let scenes = app.pane_scenes();
    assert_eq!(scenes.len(), 1);
    assert_eq!(*scenes[0].0, Phase::AsOf(DATE.into()));
    let expected = done_then(app.doc.plan(), &filled_in(scenes[0].1, &[]), DATE);
    let shown = filled_in(scenes[0].1, &done);
    assert!(!expected.is_empty());
    assert_eq!(shown, expected, "sites coloured done as of {DATE} are those whose items were done then");
    let under_way = filled_in(scenes[0].1, &[status_color(Status::UnderConstruction)]);
    assert!(under_way.len() > shown.len(), "mid-2019 most sites were under construction");

    // Swipe: the after side is the date, the before side the plan before the renewal.
    h.state_mut().apply(Action::SetCompare(Compare::Swipe));
    h.run_steps(3);
    let scenes = h.state().pane_scenes();
    assert_eq!(filled_in(scenes[1].1, &done), done_then(h.state().doc.plan(), &filled_in(scenes[1].1, &[]), DATE));
    assert!(filled_in(scenes[0].1, &done).is_empty(), "before the renewal nothing is done");

    // Today most sites are done.
    h.state_mut().apply(Action::SetCompare(Compare::Single));
    h.state_mut().apply(Action::SetPhase(Phase::After));
    h.run_steps(3);
    assert!(filled_in(h.state().pane_scenes()[0].1, &done).len() > 2 * expected.len());
}

#[test]
fn an_item_proposed_today_does_not_stretch_the_timeline_or_the_after_date() {
    let mut h = harness(PlannerApp::new());
    let range0 = renewal_planner::model::phase::date_range(h.state().doc.plan()).expect("a timeline");
    let last_done = h
        .state()
        .doc
        .plan()
        .items
        .values()
        .flat_map(|i| i.history.iter())
        .filter(|c| c.status.is_done())
        .map(|c| c.date.clone())
        .max()
        .expect("completions");
    assert_eq!(range0.1, last_done, "the timeline ends at the last completion");
    // A new elevator for building 102, proposed today.
    let b102 = h.state().doc.plan().by_key("b102").expect("102楼");
    h.state_mut().apply(Action::Select(Some(b102)));
    h.state_mut().apply(Action::AddItem { catalogue: "elevator_retrofit".into() });
    h.run_steps(3);
    let today = renewal_planner::model::item::today();
    assert!(h.state().doc.plan().items.values().any(|i| i.history.iter().any(|c| c.date == today)), "added today");
    assert_eq!(renewal_planner::model::phase::date_range(h.state().doc.plan()), Some(range0.clone()));
    // The phase bar's "as of" starts at the timeline's end: still the last completion, not today.
    h.get_by_label("按日期").click();
    h.run_steps(3);
    assert_eq!(h.state().opts.phase, Phase::AsOf(range0.1.clone()));
}

/// The 变化清单 button's label with its count.
fn changes_button(h: &Harness<'static, PlannerApp>, n: usize) -> bool {
    h.query_by_label(&format!("变化清单 ({n})")).is_some()
}

#[test]
fn the_count_of_what_changed_follows_edits_undo_and_recovery() {
    let mut h = harness(PlannerApp::new());
    let n0 = h.state().doc.plan().iter().filter(|(_, f)| f.change.is_some()).count();
    assert_eq!(n0, 29);
    assert!(changes_button(&h, 29));
    // 102楼 did not change: marking it removed makes 30 features that differ.
    let b102 = h.state().doc.plan().by_key("b102").expect("102楼");
    h.state_mut().apply(Action::SetEditing(true));
    h.state_mut().apply(Action::Select(Some(b102)));
    h.state_mut().apply(Action::DeleteSelected);
    h.run_steps(2);
    assert_eq!(h.state().change_count(), 30);
    assert!(changes_button(&h, 30));
    h.state_mut().apply(Action::Undo);
    h.run_steps(2);
    assert!(changes_button(&h, 29));
    h.state_mut().apply(Action::Redo);
    h.run_steps(2);
    assert!(changes_button(&h, 30));
    // 101楼 already changes (its elevator): removing it turns that change into a removal, still 30.
    let b101 = h.state().doc.plan().by_key("b101").expect("101楼");
    h.state_mut().apply(Action::Select(Some(b101)));
    h.state_mut().apply(Action::DeleteSelected);
    h.run_steps(2);
    assert_eq!(
        h.state().doc.plan().get(b101).and_then(|f| f.change.as_ref()).map(|c| c.kind),
        Some(ChangeKind::Removed)
    );
    assert!(changes_button(&h, 30));

    // The plan left by a crash (102楼 and 101楼 removed) replaces the open one on recovery.
    let dir = tempfile::tempdir().expect("temp dir");
    session::autosave(dir.path(), h.state().doc.plan(), None).expect("autosaves");
    let mut h = harness(PlannerApp::new().with_session(dir.path().to_path_buf()));
    h.run_steps(9);
    assert!(changes_button(&h, 29), "the embedded plan before recovering");
    h.get_by_label("恢复").click();
    h.run_steps(3);
    assert!(h.state().doc.plan().by_key("b102").is_some_and(|id| {
        h.state().doc.plan().get(id).is_some_and(|f| f.change.as_ref().is_some_and(|c| c.kind == ChangeKind::Removed))
    }));
    assert_eq!(h.state().change_count(), 30);
    assert!(changes_button(&h, 30), "the count follows the recovered plan");
    // And an edit made by any path, even straight on the document, is caught at the next frame.
    let b104 = h.state().doc.plan().by_key("b104").expect("104楼");
    let edit = Edit::SetChange {
        feature: b104,
        change: Some(Box::new(Change::new(ChangeKind::Removed))),
        label: EditLabel::MarkRemoved,
    };
    h.state_mut().doc.apply(edit).expect("applies");
    h.run_steps(2);
    assert!(changes_button(&h, 31));
}
