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
    // GIS data for Amap: GCJ-02 coordinates, which a GCJ-02 import brings back to where the district is.
    let window = h.get_by_role_and_label(egui::accesskit::Role::Window, "导出…");
    window.get_by_label("GIS 数据").click();
    h.run_steps(2);
    h.get_by_label("GCJ-02（高德、腾讯地图）").click();
    h.run_steps(2);
    let amap = dir.path().join("amap.geojson");
    h.state_mut().apply(Action::ExportTo(amap.clone()));
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
    let text = std::fs::read_to_string(&plain).expect("written");
    assert!(text.starts_with("\u{feff}household,building,unit,floor,room,area_m2,owner_type,m-property"));
    assert!(!text.contains("张三丰") && !text.contains("13800138000"), "off by default");
    h.get_by_label("包含业主姓名和电话（个人信息）").click();
    h.run_steps(2);
    assert!(h.query_by_label_contains(warning).is_some(), "the warning shows when ticked");
    let personal = dir.path().join("register-personal.xlsx");
    h.state_mut().apply(Action::ExportTo(personal.clone()));
    let rows = renewal_planner::io::register::read(&std::fs::read(&personal).expect("written")).expect("rows");
    let cells: Vec<String> = rows[1].1.iter().map(|(_, c)| c.text()).collect();
    assert!(cells.contains(&"张三丰".to_string()) && cells.contains(&"13800138000".to_string()), "{cells:?}");
}
