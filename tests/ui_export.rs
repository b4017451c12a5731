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
    h.state_mut().wait_for_export();
    let img = image::open(&png).expect("a PNG").to_rgb8();
    assert_eq!(img.dimensions(), (1920, 1080));
    h.get_by_role_and_label(egui::accesskit::Role::Window, "导出…").get_by_label("项目表").click();
    h.run_steps(2);
    let xlsx = dir.path().join("schedule.xlsx");
    h.state_mut().apply(Action::ExportTo(xlsx.clone()));
    h.state_mut().wait_for_export();
    assert!(std::fs::read(&xlsx).expect("written").starts_with(b"PK"), "an XLSX (zip) file");
    assert!(h.state().status_text().is_some_and(|t| t.contains("schedule.xlsx")));
    // GIS data for Amap: GCJ-02 coordinates, which a GCJ-02 import brings back to where the district is.
    let window = h.get_by_role_and_label(egui::accesskit::Role::Window, "导出…");
    window.get_by_label("GIS 数据").click();
    h.run_steps(2);
    h.get_by_label("GCJ-02（高德、腾讯地图）").click();
    h.run_steps(2);
    let amap = dir.path().join("amap.geojson");
    h.state_mut().apply(Action::ExportTo(amap.clone()));
    h.state_mut().wait_for_export();
    let wgs = renewal_planner::io::load_jinsong().plan;
    let shifted = renewal_planner::io::load_path(&amap).expect("written").plan;
    let opts =
        renewal_planner::io::ReadOptions { crs: Some(renewal_planner::io::crs::Crs::Gcj02), ..Default::default() };
    let back = renewal_planner::io::load_path_with(&amap, &opts).expect("reads as GCJ-02").plan;
    let first = |p: &renewal_planner::model::Plan| {
        let f = p.iter().find(|(_, f)| f.number() == Some("101")).expect("101").1;
        geo::CoordsIter::coords_iter(&f.geometry).next().expect("a position")
    };
    let (w, s, b) = (first(&wgs), first(&shifted), first(&back));
    assert!((w.x - s.x).abs() > 1e-3, "GCJ-02 moves Beijing by hundreds of metres");
    assert!((w.x - b.x).abs() < 1e-8 && (w.y - b.y).abs() < 1e-8);
}

#[test]
fn the_export_dialog_sets_the_title_block_and_the_paper() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut h = common::harness(PlannerApp::new(), [1280.0, 800.0]);
    h.run_steps(3);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
    h.run_steps(12);
    // Who drew the sheet is typed once and kept in the plan, as one undoable edit.
    h.get_by_label("制图").click();
    h.run_steps(2);
    h.get_by_label("制图").type_text("李明");
    h.run_steps(2);
    h.key_press(egui::Key::Tab);
    h.run_steps(3);
    assert_eq!(h.state().doc.plan().meta.title_block.drawn_by, "李明");
    h.get_by_label("纵向").click();
    h.run_steps(2);
    let svg = dir.path().join("portrait.svg");
    h.state_mut().apply(Action::ExportTo(svg.clone()));
    h.state_mut().wait_for_export();
    let text = std::fs::read_to_string(&svg).expect("written");
    let tree = usvg::Tree::from_str(&text, &usvg::Options::default()).expect("a valid SVG");
    assert_eq!((tree.size().width(), tree.size().height()), (595.0, 842.0), "A4 portrait");
    assert!(text.contains("李明") && text.contains("制图") && text.contains("1:"), "the title block says who drew it");
    h.state_mut().apply(Action::Undo);
    h.run_steps(3);
    assert_eq!(h.state().doc.plan().meta.title_block.drawn_by, "", "undo takes the name back");
}

#[test]
fn the_export_dialog_writes_zipped_shapefiles_in_the_plans_gauss_kruger_zone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut h = common::harness(PlannerApp::new(), [1280.0, 800.0]);
    h.run_steps(3);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
    h.run_steps(12);
    h.get_by_label("Shapefile（.shp / .zip）").click();
    h.run_steps(2);
    h.get_by_label("CGCS2000 高斯-克吕格（本区所在 3° 带） EPSG:4527").click();
    h.run_steps(2);
    let zip = dir.path().join("劲松.zip");
    h.state_mut().apply(Action::ExportTo(zip.clone()));
    h.state_mut().wait_for_export();
    let back = renewal_planner::io::load_path(&zip).expect("the zip reads back");
    assert_eq!(back.crs, Some(renewal_planner::io::crs::Crs::GaussKruger { epsg: 4527 }));
    assert!(back.plan.iter().any(|(_, f)| f.properties.get_str("name_zh").is_some_and(|n| n.contains("劲松"))));
    assert!(h.state().status_text().is_some_and(|t| t.contains("劲松.zip")));
}

#[test]
fn the_residents_register_holds_names_and_phones_only_when_the_box_is_ticked_with_a_warning() {
    use renewal_planner::edit::{Edit, EditLabel};
    let dir = tempfile::tempdir().expect("temp dir");
    let mut h = common::harness(PlannerApp::new(), [1280.0, 800.0]);
    h.run_steps(3);
    // A household with personal data, entered as the planner would (one undoable edit).
    let mut household = h.state().doc.plan().consent.households["b101-1-101"].clone();
    household.owner_name = Some("张三丰".into());
    household.phone = Some("13800138000".into());
    let id = household.id.clone();
    h.state_mut().apply(Action::Edit(Edit::PutHousehold {
        id,
        household: Some(Box::new(household)),
        label: EditLabel::EditHousehold,
    }));
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
    h.run_steps(12);
    h.get_by_role_and_label(egui::accesskit::Role::Window, "导出…").get_by_label("住户登记").click();
    h.run_steps(2);
    let warning = "导出的文件将包含住户个人信息";
    assert!(h.query_by_label_contains(warning).is_none(), "no warning while the box is off");
    let plain = dir.path().join("register.csv");
    h.state_mut().apply(Action::ExportTo(plain.clone()));
    h.state_mut().wait_for_export();
    let text = std::fs::read_to_string(&plain).expect("written");
    assert!(text.starts_with("\u{feff}household,building,unit,floor,room,area_m2,owner_type,m-property"));
    assert!(!text.contains("张三丰") && !text.contains("13800138000"), "off by default");
    h.get_by_label("包含业主姓名和电话（个人信息）").click();
    h.run_steps(2);
    assert!(h.query_by_label_contains(warning).is_some(), "the warning shows when ticked");
    let personal = dir.path().join("register-personal.xlsx");
    h.state_mut().apply(Action::ExportTo(personal.clone()));
    h.state_mut().wait_for_export();
    let rows = renewal_planner::io::register::read(&std::fs::read(&personal).expect("written")).expect("rows");
    let cells: Vec<String> = rows[1].1.iter().map(|(_, c)| c.text()).collect();
    assert!(cells.contains(&"张三丰".to_string()) && cells.contains(&"13800138000".to_string()), "{cells:?}");
}

#[test]
fn an_export_runs_in_the_background_from_the_plan_as_it_was_and_says_when_it_is_written() {
    use egui::accesskit::Role;
    use renewal_planner::edit::Edit;
    use renewal_planner::export::{progress, tables};
    use renewal_planner::model::Phase;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut h = common::harness(PlannerApp::new(), [1280.0, 800.0]);
    h.run_steps(3);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
    h.run_steps(12);
    h.get_by_role_and_label(Role::Window, "导出…").get_by_label("GIS 数据").click();
    h.run_steps(2);
    let before = h.state().doc.shared_plan();
    let out = dir.path().join("劲松.geojson");
    h.state_mut().apply(Action::ExportTo(out.clone()));
    assert_eq!(h.state().exporting_path(), Some(out.as_path()), "running");
    assert!(h.state().export_progress().is_some_and(|f| (0.0..=1.0).contains(&f)));
    // A second export meanwhile is refused (not queued) and says why.
    let second = dir.path().join("second.geojson");
    h.state_mut().apply(Action::ExportTo(second.clone()));
    assert_eq!(h.state().status_text().as_deref(), Some("上一次导出还没有完成，请稍候或取消它"));
    // The planner goes on editing while it runs.
    let first = before.iter().next().map(|(id, _)| id).expect("a feature");
    let renamed = "导出时改的名字";
    h.state_mut().apply(Action::Edit(Edit::SetProperty {
        feature: first,
        key: "name_zh".into(),
        value: Some(renamed.into()),
    }));
    h.run_steps(1);
    // The panel names the file being written, with Cancel.
    h.get_by_label("正在导出 劲松.geojson…");
    h.state_mut().wait_for_export();
    h.run_steps(2);
    assert_eq!(h.state().exporting_path(), None);
    assert!(h.query_by_label("正在导出 劲松.geojson…").is_none(), "the panel is gone");
    assert_eq!(h.state().status_text(), Some(format!("已导出 {}", out.display())));
    // The file is the plan as it was when asked for: the edit made meanwhile is not in it.
    let text = std::fs::read_to_string(&out).expect("written");
    let unwatched = &progress::unwatched;
    assert_eq!(text, tables::phase_geojson(&before, &Phase::After, unwatched, 1).expect("the plan as it was"));
    let now = tables::phase_geojson(h.state().doc.plan(), &Phase::After, unwatched, 1).expect("the plan now");
    assert!(now.contains(renamed) && !text.contains(renamed));
    assert!(!second.exists(), "the refused export wrote nothing");
}

#[test]
fn esc_stops_an_export_and_then_nothing_is_written_unless_it_had_already_finished() {
    use egui::accesskit::Role;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut h = common::harness(PlannerApp::new(), [1280.0, 800.0]);
    h.run_steps(3);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
    h.run_steps(12);
    h.get_by_role_and_label(Role::Window, "导出…").get_by_label("图集").click();
    h.run_steps(2);
    let out = dir.path().join("atlas.pdf");
    std::fs::write(&out, b"an older atlas").expect("an older file");
    h.state_mut().apply(Action::ExportTo(out.clone()));
    h.key_press(egui::Key::Escape);
    h.run_steps(1);
    h.state_mut().wait_for_export();
    h.run_steps(2);
    // The export may have ended before Esc was read; either way the message says what is on disk.
    let status = h.state().status_text().expect("a message");
    let bytes = std::fs::read(&out).expect("a file at the path");
    if status.starts_with("已取消导出") {
        assert_eq!(status, format!("已取消导出，未写入文件： {}", out.display()));
        assert_eq!(bytes, b"an older atlas", "the older file stays as it was");
    } else {
        assert_eq!(status, format!("已导出 {}", out.display()));
        assert!(bytes.starts_with(b"%PDF-"));
    }
    let names: Vec<_> =
        std::fs::read_dir(dir.path()).expect("the folder").map(|e| e.expect("entry").file_name()).collect();
    assert_eq!(names, vec![std::ffi::OsString::from("atlas.pdf")], "no .saving file is left");
}
