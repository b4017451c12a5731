//! Placing an image by control points through the real window: points
//! clicked on the image and then on the map, the fit shown, "Apply" one undo
//! step; the map's clicks go to the window while it waits, not to selection.

use eframe::egui::Pos2;
use egui_kittest::kittest::Queryable;
use renewal_planner::edit::{Edit, EditLabel};
use renewal_planner::model::Basemap;
use renewal_planner::ui::{Action, PlannerApp};

mod common;

use common::click;

#[test]
fn three_points_clicked_on_the_image_and_the_map_place_it_in_one_undoable_edit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let png = dir.path().join("总平面图扫描.png");
    image::RgbaImage::from_pixel(300, 200, image::Rgba([180, 190, 200, 255])).save(&png).expect("png");
    let mut h = common::harness(PlannerApp::new(), [1280.0, 800.0]);
    h.run_steps(3);
    let basemaps = vec![Basemap::new(png.to_string_lossy())];
    h.state_mut().apply(Action::Edit(Edit::SetBasemaps { basemaps }));
    // The layer list offers to place it once its file has been looked at (off the UI thread).
    h.run_steps(1);
    h.state_mut().wait_for_basemaps();
    h.run_steps(2);
    assert!(h.query_by_label("配准…").is_some(), "an image without georeference can be placed from the list");
    h.state_mut().apply(Action::Georeference(0));
    // The image is read on a background thread.
    for _ in 0..200 {
        h.run_steps(1);
        if h.query_by_label("待配准的图像").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let image = h.get_by_label("待配准的图像").rect();
    let map = h.state().map_rect.expect("map");
    assert!(map.left() + 70.0 < 560.0, "{map:?}");
    let on_image: [[f32; 2]; 3] = [[0.1, 0.1], [0.9, 0.1], [0.1, 0.9]];
    let on_map = [
        // Left of the window (which opens at x = 560, clear of the layer list).
        Pos2::new(map.left() + 15.0, map.top() + 60.0),
        Pos2::new(map.left() + 70.0, map.top() + 60.0),
        Pos2::new(map.left() + 15.0, map.top() + 300.0),
    ];
    let mut expected = Vec::new();
    for (f, m) in on_image.iter().zip(on_map) {
        click(&mut h, Pos2::new(image.left() + image.width() * f[0], image.top() + image.height() * f[1]));
        let cam = h.state().camera.expect("camera");
        expected.push(cam.screen_to_lonlat([m.x - map.left(), m.y - map.top()]));
        click(&mut h, m);
    }
    assert!(h.state().selected().is_empty(), "the map's clicks went to the window, not to selection");
    assert!(h.query_by_label_contains("中误差").is_some(), "the fit's error is shown");
    h.get_by_label("应用").click();
    h.run_steps(2);
    let app = h.state();
    let points = &app.doc.plan().basemaps[0].control_points;
    assert_eq!(points.len(), 3);
    for ((p, f), ll) in points.iter().zip(on_image).zip(&expected) {
        assert!(
            (p.pixel[0] - 300.0 * f64::from(f[0])).abs() < 2.0 && (p.pixel[1] - 200.0 * f64::from(f[1])).abs() < 2.0,
            "{p:?}"
        );
        assert!((p.lonlat[0] - ll[0]).abs() < 1e-5 && (p.lonlat[1] - ll[1]).abs() < 1e-5, "{p:?} vs {ll:?}");
    }
    assert_eq!(app.doc.undo_label(), Some(EditLabel::SetBasemaps));
    assert!(h.query_by_label("待配准的图像").is_none(), "applying closes the window");
    h.state_mut().apply(Action::Undo);
    assert!(h.state().doc.plan().basemaps[0].control_points.is_empty());
}
