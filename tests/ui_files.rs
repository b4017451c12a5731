//! Choosing files where the desktop has no file chooser (Xvfb, CI, a bare
//! window manager): every task that opens or writes a file asks in a prompt
//! labelled for it, with a path filled in; Enter takes it, Esc cancels, a bad
//! path is said in the prompt, and a failed write is shown, never swallowed.

use std::path::Path;

use eframe::egui::{self, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use renewal_planner::model::Side;
use renewal_planner::ui::files::FileDialogs;
use renewal_planner::ui::{Action, PlannerApp};

mod common;

/// The app as it runs where there is no desktop file chooser.
fn harness() -> Harness<'static, PlannerApp> {
    let app = PlannerApp::new();
    assert_eq!(app.file_dialogs, FileDialogs::Unavailable, "tests never open the system's chooser");
    let mut h = common::harness(app, [1280.0, 800.0]);
    h.run_steps(3);
    h
}

/// Replaces the prompt's path with `path` and presses Enter; an export it starts (on a
/// background thread) is waited for.
fn answer(h: &mut Harness<'static, PlannerApp>, label: &str, path: &str) {
    h.get_by_label(label).focus();
    h.run_steps(1);
    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::A);
    h.get_by_label(label).type_text(path);
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    h.run_steps(3);
    h.state_mut().wait_for_export();
    h.run_steps(2);
}

fn prompt_value(h: &Harness<'static, PlannerApp>, label: &str) -> String {
    h.get_by_label(label).value().unwrap_or_default()
}

fn is_pdf(path: &Path) -> bool {
    let bytes = std::fs::read(path).unwrap_or_default();
    bytes.starts_with(b"%PDF-") && bytes.len() > 10_000 && bytes.windows(5).rev().take(64).any(|w| w == b"%%EOF")
}

fn open_file_menu_item(h: &mut Harness<'static, PlannerApp>, item: &str) {
    h.get_by_label("文件").click();
    h.run_steps(2);
    h.get_by_label(item).click();
    h.run_steps(3);
}

/// The export dialog's kind, then its "export to file" button.
fn export_from_dialog(h: &mut Harness<'static, PlannerApp>, kind: &str) {
    if h.query_by_label("导出到文件…").is_none() {
        h.key_press_modifiers(Modifiers::COMMAND, egui::Key::E);
        h.run_steps(4);
    }
    h.get_by_role_and_label(egui::accesskit::Role::Window, "导出…").get_by_label(kind).click();
    h.run_steps(2);
    h.get_by_label("导出到文件…").click();
    h.run_steps(3);
}

const MAP: &str = "导出地图 (PNG / SVG / PDF) 路径：";
const ATLAS: &str = "导出图集 PDF 路径：";
const HANDOUT: &str = "导出讲义 PDF 路径：";
const OPEN: &str = "要打开的方案文件 (.gpkg / .geojson) 路径：";
const PHOTO: &str = "照片 (JPEG/PNG) 路径：";
const SAVE: &str = "方案文件 (.gpkg) 路径：";

#[test]
fn exporting_a_map_asks_for_its_path_and_enter_writes_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut h = harness();
    export_from_dialog(&mut h, "地图");
    // Labelled for what it writes, with a file name filled in.
    let filled = prompt_value(&h, MAP);
    assert!(Path::new(&filled).is_absolute() && filled.ends_with("map.png"), "{filled}");
    let svg = dir.path().join("district.svg");
    answer(&mut h, MAP, &svg.display().to_string());
    assert!(h.query_by_label(MAP).is_none(), "Enter closes the prompt");
    let text = std::fs::read_to_string(&svg).expect("the map is written");
    assert!(text.starts_with("<svg") || text.starts_with("<?xml"), "an SVG document");
    assert!(text.contains("101"), "the map carries the building numbers");
    assert_eq!(h.state().status_text(), Some(format!("已导出 {}", svg.display())));
}

#[test]
fn a_bad_path_is_said_in_the_prompt_and_esc_cancels() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut h = harness();
    let first = h.state().doc.plan().iter().next().map(|(id, _)| id).expect("a feature");
    h.state_mut().apply(Action::Select(Some(first)));
    export_from_dialog(&mut h, "地图");
    let missing = dir.path().join("no-such-folder").join("map.pdf");
    answer(&mut h, MAP, &missing.display().to_string());
    h.get_by_label("文件夹不存在");
    assert!(h.query_by_label(MAP).is_some(), "the prompt stays to correct the path");
    answer(&mut h, MAP, &dir.path().join("map.docx").display().to_string());
    h.get_by_label("文件类型应为 .png / .svg / .pdf");
    assert!(!missing.exists());
    h.key_press(egui::Key::Escape);
    h.run_steps(3);
    assert!(h.query_by_label(MAP).is_none(), "Esc cancels");
    assert_eq!(h.state().selected(), vec![first], "Esc cancels the prompt only, not the selection");
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0, "nothing written");
}

#[test]
fn a_write_that_fails_is_shown_in_the_status_bar_and_a_window() {
    let dir = tempfile::tempdir().expect("temp dir");
    // The file is written beside its name first; a folder in the way makes the write fail.
    std::fs::create_dir(dir.path().join("atlas.pdf.saving")).expect("mkdir");
    let mut h = harness();
    export_from_dialog(&mut h, "图集");
    let target = dir.path().join("atlas.pdf");
    answer(&mut h, ATLAS, &target.display().to_string());
    assert!(!target.exists());
    let status = h.state().status_text().expect("a message");
    assert!(status.starts_with(&format!("导出失败 {}", target.display())), "{status}");
    assert_eq!(h.state().alert_text(), Some(status.clone()));
    assert_eq!(h.get_all_by_label(&status).count(), 2, "said in the status bar and in a window");
    h.get_by_role_and_label(egui::accesskit::Role::Window, "出错了").get_by_label("确定").click();
    h.run_steps(3);
    assert!(h.query_by_role_and_label(egui::accesskit::Role::Window, "出错了").is_none());
    assert_eq!(h.get_all_by_label(&status).count(), 1, "the status bar keeps it");
}

#[test]
fn the_atlas_and_the_handout_are_written_where_the_prompt_says() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut h = harness();
    export_from_dialog(&mut h, "图集");
    assert!(prompt_value(&h, ATLAS).ends_with("atlas.pdf"));
    // No ending typed: the task's own is added.
    answer(&mut h, ATLAS, &dir.path().join("sites").display().to_string());
    assert!(is_pdf(&dir.path().join("sites.pdf")), "{:?}", h.state().status_text());

    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    open_file_menu_item(&mut h, "导出演示讲义 PDF…");
    let filled = prompt_value(&h, HANDOUT);
    // The next prompt starts in the folder used last.
    assert_eq!(Path::new(&filled), dir.path().join("handout.pdf"));
    answer(&mut h, HANDOUT, &dir.path().join("gone").join("handout.pdf").display().to_string());
    h.get_by_label("文件夹不存在");
    answer(&mut h, HANDOUT, &filled);
    assert!(is_pdf(&dir.path().join("handout.pdf")), "{:?}", h.state().status_text());
}

#[test]
fn opening_a_plan_by_path_reads_it_and_a_missing_file_is_said() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("park.geojson");
    std::fs::write(
        &file,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"leisure":"park","name":"日坛公园"},"geometry":{"type":"Polygon","coordinates":[[[116.44,39.91],[116.45,39.91],[116.45,39.92],[116.44,39.91]]]}}]}"#,
    )
    .expect("write");
    let mut h = harness();
    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::O);
    h.run_steps(3);
    answer(&mut h, OPEN, &dir.path().join("nothing.gpkg").display().to_string());
    h.get_by_label("找不到这个文件");
    answer(&mut h, OPEN, &file.display().to_string());
    h.state_mut().wait_for_load();
    h.run_steps(3);
    assert_eq!(h.state().doc.plan().len(), 1, "{:?}", h.state().status_text());
    assert!(h.query_by_label(OPEN).is_none());
}

#[test]
fn save_as_asks_for_a_plan_file_and_writes_a_geopackage() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut h = harness();
    h.key_press_modifiers(Modifiers::COMMAND.plus(Modifiers::SHIFT), egui::Key::S);
    h.run_steps(3);
    assert!(prompt_value(&h, SAVE).ends_with("jinsong.gpkg"));
    answer(&mut h, SAVE, &dir.path().join("劲松方案").display().to_string());
    h.state_mut().wait_for_save();
    h.run_steps(2);
    let saved = dir.path().join("劲松方案.gpkg");
    let back = renewal_planner::io::load_path(&saved).expect("a plan file");
    assert_eq!(back.plan.len(), h.state().doc.plan().len());
    assert!(!h.state().doc.is_dirty());
}

#[test]
fn adding_a_photo_asks_for_a_jpeg_or_png_and_attaches_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let photo = dir.path().join("before.jpg");
    image::RgbImage::from_fn(640, 480, |x, y| image::Rgb([(x % 250) as u8, (y % 250) as u8, 80]))
        .save(&photo)
        .expect("jpeg");
    let mut h = harness();
    let item = h.state().doc.plan().items.keys().next().expect("an item").clone();
    h.state_mut().apply(Action::EditItem(item.clone()));
    h.run_steps(3);
    h.get_all_by_label("添加照片…").next().expect("the before column's button").scroll_to_me();
    h.run_steps(3);
    h.get_all_by_label("添加照片…").next().expect("the before column's button").click();
    h.run_steps(3);
    answer(&mut h, PHOTO, &dir.path().join("notes.txt").display().to_string());
    h.get_by_label("找不到这个文件");
    answer(&mut h, PHOTO, &photo.display().to_string());
    let plan = &h.state().doc.plan();
    let attached = plan.photos_of(&item, Side::Before);
    assert_eq!(attached.len(), 1, "{:?}", h.state().status_text());
    assert_eq!((attached[0].width, attached[0].height), (640, 480));
}
