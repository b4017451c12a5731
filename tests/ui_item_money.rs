//! Items, money and properties as a planner meets them in the window: a kind
//! corrected in the inspector is what the property table and the saved file
//! say, known fields have Chinese names, an elevator is counted per entrance
//! (quantity × unit cost), amounts are typed and shown with separators and
//! 万, and the items table reaches every column.

use eframe::egui::{self, accesskit::Role};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use renewal_planner::model::{FeatureId, Kind};
use renewal_planner::ui::{Action, PlannerApp};

mod common;

fn harness(app: PlannerApp, size: [f32; 2]) -> Harness<'static, PlannerApp> {
    common::harness(app, size)
}

fn find(h: &mut Harness<'static, PlannerApp>, number: &str) -> FeatureId {
    h.get_by_label("搜索").click();
    h.run_steps(1);
    h.get_by_label("搜索").type_text(number);
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    h.run_steps(3);
    let sel = h.state().selected();
    assert_eq!(sel.len(), 1);
    sel[0]
}

fn save_and_reopen(h: &mut Harness<'static, PlannerApp>, path: std::path::PathBuf) {
    h.state_mut().apply(Action::SaveTo(path.clone()));
    h.state_mut().wait_for_save();
    h.run_steps(2);
    assert!(!h.state().doc.is_dirty(), "saved");
    h.state_mut().open_path(path);
    h.state_mut().wait_for_load();
    h.run_steps(3);
    assert!(h.state().doc.warnings().is_empty(), "{:?}", h.state().doc.warnings());
}

#[test]
fn a_kind_changed_in_the_inspector_is_what_the_property_table_and_both_plan_files_say() {
    let dir = tempfile::tempdir().expect("temp dir");
    for file in ["plan.gpkg", "plan.geojson"] {
        let mut h = harness(PlannerApp::new(), [1400.0, 900.0]);
        h.run_steps(3);
        let b101 = find(&mut h, "101");
        // Known fields have Chinese names; the raw name is on hover.
        for name in ["层数", "户数", "建成年份", "结构", "建筑面积（m²）", "楼号", "要素类型"] {
            assert_eq!(h.query_all_by_label(name).count(), 1, "the property table names {name}");
        }
        assert_eq!(h.query_all_by_label("floors").count() + h.query_all_by_label("year_built").count(), 0);
        // 核心 is in the layer list only, before the change.
        assert_eq!(h.query_all_by_label("核心（居委会·物业）").count(), 1);

        // The kind box: 楼栋 → 核心.
        h.get_by_role_and_label(Role::ComboBox, "类型").click();
        h.run_steps(2);
        h.get_by_role_and_label(Role::Button, "核心（居委会·物业）").click();
        h.run_steps(3);
        {
            let f = h.state().doc.plan().get(b101).expect("101");
            assert_eq!(f.kind, Kind::Core);
            assert_eq!(f.properties.get_str("kind"), Some("core"), "the property follows the kind");
        }
        // The property table's kind row says the new kind (the kind box shows it too).
        assert_eq!(
            h.query_all_by_label("核心（居委会·物业）").count(),
            2,
            "the property table's kind row shows the new kind (besides the layer list)"
        );

        save_and_reopen(&mut h, dir.path().join(file));
        let app = h.state();
        let id = app.doc.plan().by_key("b101").expect("101 after reopening");
        let f = app.doc.plan().get(id).expect("101");
        assert_eq!(f.kind, Kind::Core, "{file}: the kind is saved");
        assert_eq!(f.properties.get_str("kind"), Some("core"), "{file}: the `kind` property is the new kind");
    }
}

#[test]
fn an_elevator_per_entrance_costs_quantity_times_unit_cost_typed_in_wan() {
    let mut h = harness(PlannerApp::new(), [1400.0, 1000.0]);
    h.run_steps(3);
    let b104 = find(&mut h, "104");
    let before: Vec<String> = h.state().doc.plan().items.keys().cloned().collect();
    h.get_by_label("添加项目…").click();
    h.run_steps(12);
    h.get_by_label("搜索项目名称").type_text("电梯");
    h.run_steps(2);
    h.get_all_by_label("加装电梯").last().expect("the catalogue entry").click();
    h.run_steps(12);
    let id = {
        let plan = &h.state().doc.plan();
        let new: Vec<&String> = plan.items.keys().filter(|k| !before.contains(k)).collect();
        assert_eq!(new.len(), 1);
        let item = &plan.items[new[0]];
        assert_eq!(plan.features_of(item), vec![b104]);
        assert_eq!((item.quantity, item.unit.as_deref(), item.unit_cost_yuan), (Some(1.0), Some("部"), Some(600_000)));
        new[0].clone()
    };
    // The unnamed item is called by where and what it is, in the form's title and the inspector.
    let form = "编辑 — 104楼 加装电梯";
    assert!(h.query_by_role_and_label(Role::Window, form).is_some(), "the form is titled {form}");
    assert!(h.query_all_by_label("104楼 加装电梯").count() >= 1, "the inspector lists 104楼 加装电梯");

    // Three entrances: 3 部; the estimate follows.
    h.get_by_role_and_label(Role::SpinButton, "数量").set_value_accesskit(3.0);
    h.run_steps(3);
    assert_eq!(h.state().doc.plan().items[&id].estimated_cost_yuan, Some(1_800_000));
    assert!(h.query_by_label("1,800,000 元").is_some(), "the estimate is shown with separators");
    assert!(h.query_by_label_contains("= 3 部 × 600,000 元").is_some(), "and how it is made");

    // The unit cost typed as 55万: 3 × 550,000.
    let unit_cost = h.get_by_role_and_label(Role::TextInput, "单价");
    assert_eq!(unit_cost.value().as_deref(), Some("600,000"), "amounts show thousands separators");
    unit_cost.focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_role_and_label(Role::TextInput, "单价").type_text("55 万元");
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    h.run_steps(3);
    {
        let item = &h.state().doc.plan().items[&id];
        assert_eq!(item.unit_cost_yuan, Some(550_000));
        assert_eq!(item.estimated_cost_yuan, Some(1_650_000));
    }

    // Junk is refused with a reason and changes nothing.
    let revision = h.state().doc.revision();
    h.get_by_role_and_label(Role::TextInput, "单价").focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_role_and_label(Role::TextInput, "单价").type_text("1.2e6");
    h.key_press(egui::Key::Enter);
    h.run_steps(3);
    assert_eq!(h.state().doc.revision(), revision, "a refused amount is not an edit");
    assert!(h.query_by_label_contains("不是金额").is_some(), "the reason is shown");
    assert_eq!(h.state().doc.plan().items[&id].unit_cost_yuan, Some(550_000));

    // The estimate set by hand stays when the quantity changes.
    h.get_by_label("手动指定造价").click();
    h.run_steps(3);
    assert!(h.state().doc.plan().items[&id].cost_overridden);
    let estimate = h.get_by_role_and_label(Role::TextInput, "估算造价");
    estimate.focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_role_and_label(Role::TextInput, "估算造价").type_text("1,500,000");
    h.key_press(egui::Key::Enter);
    h.run_steps(3);
    h.get_by_role_and_label(Role::SpinButton, "数量").set_value_accesskit(4.0);
    h.run_steps(3);
    {
        let item = &h.state().doc.plan().items[&id];
        assert_eq!((item.quantity, item.estimated_cost_yuan, item.cost_overridden), (Some(4.0), Some(1_500_000), true));
    }
    // Every step was one edit: undo walks back to 3 部 at 1,650,000.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(2);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(2);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(2);
    {
        let item = &h.state().doc.plan().items[&id];
        assert_eq!(
            (item.quantity, item.estimated_cost_yuan, item.cost_overridden),
            (Some(3.0), Some(1_650_000), false)
        );
    }
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Y);
    h.run_steps(2);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Y);
    h.run_steps(2);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Y);
    h.run_steps(2);
    let edited = h.state().doc.plan().items[&id].clone();
    assert_eq!(edited.quantity, Some(4.0));

    // Saved in both plan formats.
    let dir = tempfile::tempdir().expect("temp dir");
    for file in ["plan.gpkg", "plan.geojson"] {
        save_and_reopen(&mut h, dir.path().join(file));
        assert_eq!(h.state().doc.plan().items[&id], edited, "{file} keeps quantity, unit, unit cost and the override");
    }
}

#[test]
fn the_items_table_spans_the_window_shows_yuan_with_separators_and_scrolls_to_every_column() {
    let mut h = harness(PlannerApp::new(), [1000.0, 800.0]);
    h.run_steps(3);
    h.get_by_label("项目表").click();
    h.run_steps(4);
    // Sorted by cost, most first: the costliest item's amount in yuan with separators.
    for header in ["估算造价", "估算造价 ↑"] {
        h.get_by_role_and_label(Role::Button, header).click();
        h.run_steps(2);
    }
    let plan = h.state().doc.plan().clone();
    let costliest = plan.items.values().map(|i| i.cost_basis()).max().expect("items");
    let cell = format!("¥{}", renewal_planner::model::item::format_yuan(costliest));
    assert!(cell.contains(','), "{cell}");
    assert!(h.query_all_by_label(&cell).count() >= 1, "the table shows {cell}");
    // Unnamed items are named by where they are.
    h.get_by_role_and_label(Role::TextInput, "按要素筛选").focus();
    h.run_steps(1);
    h.get_by_role_and_label(Role::TextInput, "按要素筛选").type_text("劲松西街");
    h.run_steps(3);
    assert_eq!(h.query_all_by_label("劲松西街等3处 排水改造、雨污分流").count(), 1);

    // The last column is beyond a 1000 px window until the table is scrolled sideways.
    let width = 1000.0;
    let right_edge =
        |h: &Harness<'static, PlannerApp>| h.get_by_role_and_label(Role::Button, "计划完成").rect().right();
    assert!(right_edge(&h) > width, "the table is wider than the window ({})", right_edge(&h));
    h.get_by_role_and_label(Role::Button, "计划完成").scroll_to_me();
    h.run_steps(3);
    assert!(right_edge(&h) <= width, "scrolled into view: {}", right_edge(&h));
}
