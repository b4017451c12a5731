//! The window's own furniture: the search box's dropdown of suggestions and
//! status-bar messages that follow the interface language.

use eframe::egui::{self, Modifiers, accesskit::Role};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use renewal_planner::model::FeatureId;
use renewal_planner::model::search::search;
use renewal_planner::ui::{Action, PlannerApp};

mod common;

fn harness() -> Harness<'static, PlannerApp> {
    let mut h = common::harness(PlannerApp::new(), [1280.0, 800.0]);
    h.run_steps(3);
    h
}

/// The suggestion buttons on screen, top to bottom: (label, rect).
fn suggestions(h: &Harness<'static, PlannerApp>, query: &str) -> Vec<(String, egui::Rect)> {
    let mut v: Vec<(String, egui::Rect)> = h
        .query_all_by(|n| n.role() == Role::Button && n.label().is_some_and(|l| l.contains(query)))
        .map(|n| (n.accesskit_node().label().unwrap_or_default(), n.rect()))
        .collect();
    v.sort_by(|a, b| a.1.top().total_cmp(&b.1.top()));
    v
}

fn type_search(h: &mut Harness<'static, PlannerApp>, text: &str) {
    h.get_by_label("搜索").click();
    h.run_steps(1);
    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::A);
    h.get_by_label("搜索").type_text(text);
    h.run_steps(3);
}

fn hits(h: &Harness<'static, PlannerApp>, query: &str) -> Vec<FeatureId> {
    search(h.state().doc.plan(), query, 8)
}

#[test]
fn search_suggestions_drop_down_below_the_box_and_arrows_and_enter_pick_one() {
    let mut h = harness();
    type_search(&mut h, "10");
    let field = h.get_by_label("搜索").rect();
    let list = suggestions(&h, "10");
    let expected = hits(&h, "10");
    assert!(list.len() >= 3 && list.len() == expected.len(), "{list:?}");
    let mut last_top = field.bottom() - 1.0;
    for (label, r) in &list {
        // A list under the box, as wide as it: not across the toolbar's buttons.
        assert!(r.top() >= last_top, "{label} at {r:?} is below {last_top} (box {field:?})");
        assert!(r.left() >= field.left() - 2.0 && r.right() <= field.right() + 2.0, "{label} {r:?} in {field:?}");
        assert!(r.height() < 40.0, "one line each");
        last_top = r.bottom() - 1.0;
    }
    assert!(list[0].0.contains("101"), "the best match first: {list:?}");
    // ↓ ↓ Enter: the third suggestion.
    h.key_press(egui::Key::ArrowDown);
    h.run_steps(1);
    h.key_press(egui::Key::ArrowDown);
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    h.run_steps(3);
    assert_eq!(h.state().selected(), vec![expected[2]]);
    assert!(suggestions(&h, "10").len() <= 1, "the list closes once a suggestion is taken");
}

#[test]
fn clicking_a_suggestion_selects_that_feature() {
    let mut h = harness();
    type_search(&mut h, "20");
    let expected = hits(&h, "20");
    let list = suggestions(&h, "20");
    assert_eq!(list.len(), expected.len(), "{list:?}");
    let (_, r) = &list[1];
    h.hover_at(r.center());
    h.run_steps(1);
    h.drag_at(r.center());
    h.drop_at(r.center());
    h.run_steps(3);
    assert_eq!(h.state().selected(), vec![expected[1]]);
}

#[test]
fn a_status_message_is_shown_in_the_language_switched_to() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("plan.gpkg");
    let mut h = harness();
    h.state_mut().apply(Action::SaveTo(path.clone()));
    h.state_mut().wait_for_save();
    h.run_steps(2);
    let zh = format!("已保存 {}", path.display());
    h.get_by_label(&zh);
    h.get_by_label("EN").click();
    h.run_steps(2);
    h.get_by_label(&format!("Saved {}", path.display()));
    assert!(h.query_by_label(&zh).is_none(), "no Chinese message left in the English interface");
    // Another message, and back to Chinese.
    h.state_mut().apply(Action::Undo);
    h.run_steps(1);
    h.get_by_label("Nothing to undo");
    h.get_by_label("中文").click();
    h.run_steps(2);
    h.get_by_label("没有可撤销的操作");
}
