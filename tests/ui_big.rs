//! Big and foreign files through the real interface: the progress panel and
//! its Cancel button, and opening coordinates copied from a Chinese web map.

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use renewal_planner::io::crs::Crs;
use renewal_planner::ui::PlannerApp;

mod common;

fn harness(app: PlannerApp) -> Harness<'static, PlannerApp> {
    common::harness(app, [1280.0, 800.0])
}

#[test]
fn a_big_file_shows_progress_and_cancel_keeps_the_open_plan() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("city.geojson");
    let made = std::process::Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/tools/gen_city.py"))
        .arg("60000")
        .arg(&path)
        .output()
        .expect("python3 runs");
    assert!(made.status.success());
    let mut h = harness(PlannerApp::new());
    h.run_steps(2);
    let before = h.state().doc.plan().clone();
    h.state_mut().open_path(path);
    h.run_steps(2);
    assert!(h.state().is_loading());
    assert!(h.state().load_progress().is_some_and(|p| (0.0..=1.0).contains(&p)));
    assert!(h.query_by_label_contains("正在加载 city.geojson").is_some());
    // The map stays usable while the file is read: it still zooms.
    let mpp = h.state().camera.expect("camera").mpp;
    h.key_press(egui::Key::Plus);
    h.run_steps(2);
    assert!(h.state().is_loading(), "still reading");
    assert!(h.state().camera.expect("camera").mpp < mpp, "the view zoomed while the file was read");
    h.get_by_label("取消").click();
    h.run_steps(1);
    h.state_mut().wait_for_load();
    h.run_steps(2);
    assert!(!h.state().is_loading());
    assert!(*h.state().doc.plan() == before, "cancelling keeps the open plan");
    let status = h.state().status_text().expect("a message").to_string();
    assert!(status.contains("已取消打开"), "{status}");
}

#[test]
fn web_map_coordinates_open_in_the_system_chosen_in_the_file_menu() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("amap.geojson");
    let plan = renewal_planner::io::load_jinsong().plan;
    let shifted = renewal_planner::io::write::reproject(&plan, Crs::Gcj02);
    renewal_planner::io::save_geojson(&shifted, &path).expect("write");
    let mut h = harness(PlannerApp::new());
    h.run_steps(2);
    h.get_by_label("文件").click();
    h.run_steps(2);
    h.get_by_label("打开文件的坐标系").hover();
    h.run_steps(2);
    h.get_by_label("GCJ-02 longitude/latitude (Amap, Tencent) (GCJ-02)").click();
    h.run_steps(1);
    assert_eq!(h.state().import_crs, Some(Crs::Gcj02));
    h.state_mut().open_path(path);
    h.state_mut().wait_for_load();
    h.run_steps(2);
    assert_eq!(h.state().doc.crs(), Some(Crs::Gcj02));
    assert!(h.query_by_label("GCJ-02 → WGS 84").is_some());
    // Back where the district really is, to the centimetre.
    for ((_, a), (_, b)) in plan.iter().zip(h.state().doc.plan().iter()) {
        for (p, q) in geo::CoordsIter::coords_iter(&a.geometry).zip(geo::CoordsIter::coords_iter(&b.geometry)) {
            assert!((p.x - q.x).abs() < 1e-8 && (p.y - q.y).abs() < 1e-8);
        }
    }
}
