//! The renewal-item flow a planner goes through, driven through the real
//! interface: find building 101, add an elevator retrofit, set its status and
//! funding, see the dashboard and status map change, undo, save, reopen.

use eframe::egui::{self, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use renewal_planner::model::{FundingSource, Status};
use renewal_planner::render::theme::{ThemeMode, status_color};
use renewal_planner::ui::{Action, PlannerApp};

mod common;

fn harness(app: PlannerApp) -> Harness<'static, PlannerApp> {
    common::harness(app, [1400.0, 900.0])
}

fn find_101(h: &mut Harness<'static, PlannerApp>) -> renewal_planner::model::FeatureId {
    h.get_by_label("搜索").click();
    h.run_steps(1);
    h.get_by_label("搜索").type_text("101");
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    h.run_steps(3);
    let sel = h.state().selected();
    assert_eq!(sel.len(), 1);
    sel[0]
}

fn new_elevator(h: &Harness<'static, PlannerApp>, before: &[String]) -> String {
    let app = h.state();
    let new: Vec<&String> = app.doc.plan().items.keys().filter(|k| !before.contains(k)).collect();
    assert_eq!(new.len(), 1, "one item was added");
    new[0].clone()
}

#[test]
fn a_planner_adds_an_elevator_to_building_101_tracks_it_undoes_and_saves() {
    let mut h = harness(PlannerApp::new());
    h.run_steps(3);
    let b101 = find_101(&mut h);
    let before: Vec<String> = h.state().doc.plan().items.keys().cloned().collect();
    let done_before =
        renewal_planner::model::stats::Progress::of(h.state().doc.plan(), &renewal_planner::model::Phase::After).done;

    // Add item… → the picker → search 电梯 → 加装电梯.
    h.get_by_label("添加项目…").click();
    // A new window is measured invisibly in its first frame, then fades in.
    h.run_steps(12);
    h.get_by_label("搜索项目名称").type_text("电梯");
    h.run_steps(2);
    h.get_all_by_label("加装电梯").last().expect("the catalogue entry").click();
    h.run_steps(3);
    let id = new_elevator(&h, &before);
    {
        let app = h.state();
        let item = &app.doc.plan().items[&id];
        assert_eq!(item.catalogue, "elevator_retrofit");
        assert_eq!(app.doc.plan().features_of(item), vec![b101]);
        assert_eq!(item.status, Status::Proposed);
        assert!(item.problems().is_empty(), "a new item is consistent: {:?}", item.problems());
    }

    // Its form is open: mark it completed.
    // A new window fades in before it takes clicks.
    h.run_steps(12);
    h.get_by_role_and_label(egui::accesskit::Role::Window, "编辑 — 101楼 加装电梯").get_by_label("竣工").click();
    h.run_steps(3);
    assert_eq!(h.state().doc.plan().items[&id].status, Status::Completed);
    assert_eq!(h.state().doc.undo_label(), Some(renewal_planner::edit::EditLabel::SetStatus));

    // Funding: the residents pay 40% of the 600,000 yuan estimate; the form says it no longer adds up.
    {
        let app = h.state_mut();
        let cost = app.doc.plan().items[&id].cost_basis();
        let mut item = app.doc.plan().items[&id].clone();
        item.funding.residents = cost * 4 / 10;
        app.apply(Action::Edit(renewal_planner::edit::Edit::PutItem {
            id: id.clone(),
            item: Some(Box::new(item)),
            label: renewal_planner::edit::EditLabel::SetFunding,
        }));
    }
    h.run_steps(3);
    assert!(h.query_all_by_label_contains("资金来源合计").count() >= 1, "the mismatch is shown");
    h.get_by_label("差额计入政府").click();
    h.run_steps(3);
    {
        let item = &h.state().doc.plan().items[&id];
        assert!(item.problems().is_empty(), "{:?}", item.problems());
        assert_eq!(item.funding.get(FundingSource::Residents) + item.funding.government, item.cost_basis());
    }

    // The dashboard counts one more completed item.
    h.get_by_label("仪表盘").click();
    h.run_steps(12);
    let done_now =
        renewal_planner::model::stats::Progress::of(h.state().doc.plan(), &renewal_planner::model::Phase::After).done;
    assert_eq!(done_now, done_before + 1);
    let total = h.state().doc.plan().items.len();

    assert!(h.query_by_label(&format!("{done_now} / {total}")).is_some(), "the dashboard shows {done_now} / {total}");

    // The status map colours building 101 by its least advanced item.
    h.state_mut().apply(Action::SetTheme(ThemeMode::Status));
    h.run_steps(2);
    {
        let app = h.state();
        let colors = app.opts.theme.as_ref().expect("a thematic map");
        let least = app.doc.plan().items_of(b101).iter().map(|i| i.status).min().expect("items");
        assert_eq!(colors[b101.index()], Some(status_color(least)));
    }
    h.get_by_label("专题图");

    // Undo everything back to before the item, then redo it all.
    let edited = h.state().doc.plan().clone();
    for _ in 0..4 {
        h.key_press_modifiers(Modifiers::COMMAND, egui::Key::Z);
        h.run_steps(2);
    }
    assert!(!h.state().doc.plan().items.contains_key(&id), "undone back to before the item");
    for _ in 0..4 {
        h.key_press_modifiers(Modifiers::COMMAND, egui::Key::Y);
        h.run_steps(2);
    }
    assert!(*h.state().doc.plan() == edited, "redo gives the edited plan back");

    // Save, reopen, and everything is as it was.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("jinsong-plan.geojson");
    h.state_mut().apply(Action::SaveTo(path.clone()));
    assert!(h.state().doc.is_dirty(), "saving runs beside the window");
    h.state_mut().wait_for_save();
    h.run_steps(2);
    assert!(!h.state().doc.is_dirty());
    h.state_mut().open_path(path);
    h.state_mut().wait_for_load();
    h.run_steps(3);
    let app = h.state();
    assert!(app.doc.warnings().is_empty(), "{:?}", app.doc.warnings());
    assert_eq!(app.doc.plan().items, edited.items);
    assert_eq!(app.doc.plan().len(), edited.len());
}

#[test]
fn dragging_a_quantity_is_one_undo_step() {
    let mut h = harness(PlannerApp::new());
    h.run_steps(3);
    find_101(&mut h);
    let id = h.state().doc.plan().items_of(h.state().selected()[0])[0].id.clone();
    h.state_mut().apply(Action::EditItem(id.clone()));
    h.run_steps(3);
    let revision = h.state().doc.revision();
    // Drag the quantity (amounts are typed; the quantity is the form's draggable number).
    let gov = h.get_by_role_and_label(egui::accesskit::Role::SpinButton, "数量").rect().center();
    h.drag_at(gov);
    for i in 1..=20 {
        h.hover_at(gov + egui::vec2(i as f32 * 4.0, 0.0));
        h.run_steps(1);
    }
    h.drop_at(gov + egui::vec2(80.0, 0.0));
    h.run_steps(3);
    let app = h.state();
    assert_eq!(app.doc.revision(), revision + 1, "twenty frames of dragging made one edit");
    assert_eq!(app.doc.undo_label(), Some(renewal_planner::edit::EditLabel::EditItem));
    assert!(app.doc.plan().items[&id].quantity.is_some_and(|q| q > 0.0), "the quantity was dragged");
}
