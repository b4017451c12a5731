//! The export dialog writes what it says, through the same code as the command line.

use eframe::egui;
use egui_kittest::kittest::Queryable;
use renewal_planner::ui::{Action, PlannerApp};

mod common;

#[test]
fn the_export_dialog_writes_a_map_of_the_current_view_and_the_schedule() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut h = common::harness(PlannerApp::new(), [1280.0, 800.0]);
    h.run_steps(3);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
    h.run_steps(12);
    h.get_by_label("当前视图").click();
    h.run_steps(2);
    h.get_by_label("像素").click();
    h.run_steps(2);
    let png = dir.path().join("view.png");
    h.state_mut().apply(Action::ExportTo(png.clone()));
    let img = image::open(&png).expect("a PNG").to_rgb8();
    assert_eq!(img.dimensions(), (1920, 1080));
    h.get_by_role_and_label(egui::accesskit::Role::Window, "导出…").get_by_label("项目表").click();
    h.run_steps(2);
    let xlsx = dir.path().join("schedule.xlsx");
    h.state_mut().apply(Action::ExportTo(xlsx.clone()));
    assert!(std::fs::read(&xlsx).expect("written").starts_with(b"PK"), "an XLSX (zip) file");
    assert!(h.state().status_text().is_some_and(|t| t.contains("schedule.xlsx")));
}
