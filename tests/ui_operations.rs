//! The operations ledger window (运营收益) driven through the real interface: opened by its shortcut
//! (Ctrl+O still opens files), a flow's amount edited in its form moves the payback year shown and
//! Ctrl+Z moves it back, a bad area is named in the form and keeps Save off, removing a space takes
//! its flows in one undo step, the sensitivity table and the chart agree with the model.

use eframe::egui::{self, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use renewal_planner::edit::EditLabel;
use renewal_planner::model::item::format_yuan;
use renewal_planner::model::operations::{Operations, Scenario, compute, sensitivity};
use renewal_planner::ui::operations::chart_label;
use renewal_planner::ui::{Action, PlannerApp};

mod common;
use common::{click_label as click, retype};

const TITLE: &str = "运营收益";

fn harness(app: PlannerApp) -> Harness<'static, PlannerApp> {
    common::harness(app, [1500.0, 1000.0])
}

/// Jinsong's illustrative ledger as `maps/jinsong.geojson` ships it (`renewal_plan.operations`).
fn jinsong_ledger() -> Operations {
    let doc: serde_json::Value = serde_json::from_str(renewal_planner::io::JINSONG_GEOJSON).expect("the embedded map");
    serde_json::from_value(doc["renewal_plan"]["operations"].clone()).expect("Jinsong ships a ledger")
}

/// Jinsong with its illustrative ledger (nine spaces, sixteen flows), the window opened by Ctrl+Shift+O.
fn opened() -> Harness<'static, PlannerApp> {
    let app = PlannerApp::new();
    // The embedded plan's reader keeps the ledger the file ships (no edit puts it in).
    assert_eq!(app.doc.plan().operations, jinsong_ledger());
    let mut h = harness(app);
    h.run_steps(2);
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, egui::Key::O);
    // A new window is measured invisibly in its first frame, then fades in.
    h.run_steps(12);
    h
}

fn text_of(node: &egui_kittest::Node<'_>) -> String {
    let n = node.accesskit_node();
    n.label().or_else(|| n.value()).unwrap_or_default()
}

/// The texts on the same row as the label `head`, right of it, left to right (a grid's cells).
fn row_after(h: &Harness<'static, PlannerApp>, head: &str) -> Vec<String> {
    let r = h.get_by_label(head).rect();
    let mut cells: Vec<(f32, String)> = h
        .query_all_by_role(egui::accesskit::Role::Label)
        .map(|n| (n.rect(), text_of(&n)))
        .filter(|(c, _)| (c.center().y - r.center().y).abs() < 3.0 && c.left() > r.right())
        .map(|(c, t)| (c.left(), t))
        .collect();
    cells.sort_by(|a, b| a.0.total_cmp(&b.0));
    cells.into_iter().map(|c| c.1).collect()
}

/// The payback year the results show.
fn shown_payback(h: &Harness<'static, PlannerApp>) -> String {
    row_after(h, "回本年份").first().cloned().unwrap_or_default()
}

fn model_payback(h: &Harness<'static, PlannerApp>) -> Option<i32> {
    compute(h.state().doc.plan(), &Scenario::default()).payback_year
}

#[test]
fn ctrl_shift_o_opens_the_window_and_ctrl_o_still_opens_a_file() {
    let mut h = harness(PlannerApp::new());
    h.run_steps(2);
    assert!(h.query_by_role_and_label(egui::accesskit::Role::Window, TITLE).is_none());
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, egui::Key::O);
    h.run_steps(12);
    assert!(h.state().shown.operations);
    assert!(h.query_by_role_and_label(egui::accesskit::Role::Window, TITLE).is_some());
    const OPEN: &str = "要打开的方案文件 (.gpkg / .geojson) 路径：";
    assert!(h.query_by_label(OPEN).is_none(), "Ctrl+Shift+O is not taken for Ctrl+O");
    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::O);
    h.run_steps(3);
    assert!(h.query_by_label(OPEN).is_some(), "Ctrl+O asks for a file");
    assert!(h.state().shown.operations, "and leaves the window open");
}

#[test]
fn editing_a_flows_amount_moves_the_payback_year_and_undo_brings_it_back() {
    let mut h = opened();
    let before = model_payback(&h).expect("Jinsong pays back");
    assert_eq!(shown_payback(&h), before.to_string());
    click(&mut h, "编辑 商铺租金");
    assert_eq!(h.get_by_label("每年金额（元）").value().as_deref(), Some("720,000"), "the amount as items show money");
    retype(&mut h, "每年金额（元）", "300万");
    click(&mut h, "保存现金流");
    let f = h.state().doc.plan().operations.flow("cf-bikeshed-rent").expect("still there").clone();
    assert_eq!(f.yuan_per_year, 3_000_000);
    assert_eq!(h.state().doc.undo_label(), Some(EditLabel::EditFlow));
    let after = model_payback(&h).expect("pays back");
    assert!(after < before, "more rent pays back sooner: {after} vs {before}");
    h.run_steps(2);
    assert_eq!(shown_payback(&h), after.to_string());
    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(3);
    assert_eq!(h.state().doc.plan().operations.flow("cf-bikeshed-rent").map(|f| f.yuan_per_year), Some(720_000));
    assert_eq!(shown_payback(&h), before.to_string());
}

#[test]
fn a_negative_area_is_named_in_the_form_and_save_stays_off() {
    let mut h = opened();
    click(&mut h, "编辑 自行车棚改建便民商铺");
    retype(&mut h, "面积 m²", "-5");
    assert!(h.query_by_label("面积 -5 m² 不能为负").is_some(), "the model's message, in words");
    assert!(h.query_by_label_contains("NegativeArea").is_none(), "never Debug text");
    let save = h.get_by_label("保存空间");
    assert!(save.accesskit_node().is_disabled(), "Save is off while the form has a problem");
    save.click();
    h.run_steps(3);
    assert_eq!(h.state().doc.plan().operations.space("sp-bikeshed").map(|s| s.area_m2), Some(480.0), "unchanged");
    retype(&mut h, "面积 m²", "abc");
    assert!(h.query_by_label("面积“abc”不是数字").is_some());
    retype(&mut h, "面积 m²", "150");
    assert!(!h.get_by_label("保存空间").accesskit_node().is_disabled());
    click(&mut h, "保存空间");
    assert_eq!(h.state().doc.plan().operations.space("sp-bikeshed").map(|s| s.area_m2), Some(150.0));
    assert_eq!(h.state().doc.undo_label(), Some(EditLabel::EditSpace));
}

#[test]
fn removing_a_space_removes_its_flows_and_one_undo_restores_both() {
    let mut h = opened();
    let before = h.state().doc.plan().operations.clone();
    click(&mut h, "删除 美好邻里食堂");
    let ops = &h.state().doc.plan().operations;
    assert!(ops.space("sp-canteen").is_none());
    assert!(ops.flow("cf-canteen-sales").is_none() && ops.flow("cf-canteen-cost").is_none(), "its flows went with it");
    assert!(ops.flow("cf-bikeshed-rent").is_some(), "another space's flow stays");
    assert_eq!(ops.flows.len(), before.flows.len() - 2);
    assert!(ops.problems(h.state().doc.plan()).is_empty(), "no flow is left on a missing space");
    assert_eq!(h.state().doc.undo_label(), Some(EditLabel::RemoveSpace));
    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(3);
    assert_eq!(h.state().doc.plan().operations, before, "one undo gives both back, in their places");
}

#[test]
fn the_sensitivity_cell_for_80_percent_revenue_is_the_models() {
    let h = opened();
    let s = sensitivity(h.state().doc.plan());
    let row = s.revenue_scales.iter().position(|r| (*r - 0.8).abs() < 1e-9).expect("an 80% row");
    let col = s.subsidy.iter().position(|c| c.label(renewal_planner::model::Lang::Zh) == "补贴 100%").expect("column");
    let want = s.payback[row][col].map_or("未回本".to_string(), |y| y.to_string());
    let cells = row_after(&h, "收入 80%");
    assert_eq!(cells.len(), s.subsidy.len(), "{cells:?}");
    assert_eq!(cells[col], want, "{cells:?}");
    // Lower revenue never pays back sooner than the plan as it is.
    let planned = model_payback(&h).expect("pays back");
    assert!(s.payback[row][col].is_none_or(|y| y >= planned));
}

#[test]
fn the_chart_is_drawn_and_the_what_if_sliders_change_the_view_not_the_plan() {
    let mut h = opened();
    let chart = h.get_by_label(chart_label(renewal_planner::model::Lang::Zh));
    assert!(chart.rect().width() > 200.0 && chart.rect().height() > 100.0, "{:?}", chart.rect());
    let plan = h.state().doc.plan().operations.clone();
    let revision = h.state().doc.stamp();
    // The revenue slider down to 80%: the payback shown is the model's under that scenario.
    h.get_by_role_and_label(egui::accesskit::Role::Slider, "收入比例").focus();
    h.run_steps(1);
    for _ in 0..4 {
        h.key_press(egui::Key::ArrowLeft);
        h.run_steps(1);
    }
    h.run_steps(2);
    let scale = h
        .get_by_role_and_label(egui::accesskit::Role::Slider, "收入比例")
        .accesskit_node()
        .numeric_value()
        .expect("the slider's value");
    assert!(scale < 1.0 - 1e-9, "the keys moved it down: {scale}");
    let low = Scenario { revenue_scale: scale, ..Scenario::default() };
    let want = compute(h.state().doc.plan(), &low).payback_year;
    assert_eq!(shown_payback(&h), want.map_or("表内年份中未回本".into(), |y| y.to_string()), "at {scale}");
    assert_eq!(h.state().doc.plan().operations, plan, "a view, not an edit");
    assert_eq!(h.state().doc.stamp(), revision);
    let said = format!("情景：收入 {:.0}%", scale * 100.0);
    assert!(h.query_by_label_contains(&said).is_some(), "the scenario is said beside the results: {said}");
}

#[test]
fn jinsong_says_its_figures_are_illustrative_and_invests_its_30_million_of_social_capital() {
    let h = opened();
    assert!(h.query_by_label("示意数据").is_some(), "the banner");
    assert!(h.query_by_label_contains("并非愿景集团的实际账目").is_some(), "the note");
    let plan = h.state().doc.plan();
    let social: i64 = plan.items.values().map(|i| i.funding.social_capital).sum();
    assert_eq!(social, 30_000_000);
    assert_eq!(row_after(&h, "社会资本投资"), vec![format!("{} 元", format_yuan(social))]);
    let l = compute(plan, &Scenario::default());
    let year = l.payback_year.expect("pays back");
    assert!((2029..=2031).contains(&year), "{year}");
    assert_eq!(shown_payback(&h), year.to_string());
    assert!(h.query_by_label_contains("Debug").is_none());
    assert!(plan.operations.problems(plan).is_empty(), "Jinsong's ledger has no problems");
}

#[test]
fn the_payback_slide_shows_the_chart_beside_the_map_when_presented() {
    let mut app = PlannerApp::new();
    let (story, slide) = app
        .doc
        .plan()
        .stories
        .iter()
        .enumerate()
        .find_map(|(i, s)| s.slides.iter().position(|x| x.payback_chart).map(|j| (i, j)))
        .expect("Jinsong has a payback slide");
    app.apply(Action::Present(Some((story, slide))));
    let mut h = harness(app);
    h.run_steps(10);
    let chart = h.get_by_label(chart_label(renewal_planner::model::Lang::Zh)).rect();
    let free = h.state().presentation_layout().expect("presenting").free;
    assert!(chart.left() >= free.right() - 1.0, "the chart {chart:?} is beside the map's free area {free:?}");
    assert!(chart.width() > 200.0 && chart.height() > 150.0, "{chart:?}");
    // Another slide has no chart.
    h.state_mut().apply(Action::Present(Some((story, if slide == 0 { 1 } else { 0 }))));
    h.run_steps(10);
    assert!(h.query_by_label(chart_label(renewal_planner::model::Lang::Zh)).is_none());
}
