//! Basemaps on screen through the real interface: an MBTiles file of tiles
//! over Jinsong is drawn under the features as textures (decoded by the
//! workers), in every compare mode; hiding, opacity, order and removal in the
//! layer list are undoable; a broken file is said once and the map works on.

use std::path::{Path, PathBuf};

use eframe::egui::{self, Modifiers, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use renewal_planner::basemap::mbtiles;
use renewal_planner::edit::Edit;
use renewal_planner::model::Basemap;
use renewal_planner::model::Kind;
use renewal_planner::model::basemaps::{MercView, tiles_covering};
use renewal_planner::model::mercator;
use renewal_planner::render::Op;
use renewal_planner::ui::{Action, Compare, PlannerApp};

mod common;

fn harness() -> Harness<'static, PlannerApp> {
    let mut h = common::harness(PlannerApp::new(), [1280.0, 800.0]);
    h.run_steps(3);
    h
}

/// A PNG tile of one colour.
fn tile(rgb: [u8; 3]) -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(256, 256, image::Rgba([rgb[0], rgb[1], rgb[2], 255]));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).expect("png");
    out
}

/// An MBTiles file of tiles of one colour over Jinsong (and a margin), zooms 14–18.
fn jinsong_mbtiles(dir: &Path, name: &str, rgb: [u8; 3]) -> PathBuf {
    let [x0, y0] = mercator::forward(116.445, 39.878);
    let [x1, y1] = mercator::forward(116.476, 39.897);
    let view = MercView { min: [x0, y0], max: [x1, y1], size: [256, 256] };
    let png = tile(rgb);
    let mut tiles = Vec::new();
    for z in 14..=18u8 {
        let (xs, ys) = tiles_covering(&view, z);
        for y in ys {
            for x in xs.clone() {
                tiles.push((z, x, y, png.clone()));
            }
        }
    }
    let path = dir.join(name);
    mbtiles::write(&path, name, &tiles).expect("write MBTiles");
    path
}

/// Frames, then the workers' pieces, then a frame that draws them.
fn settle(h: &mut Harness<'static, PlannerApp>) {
    for _ in 0..4 {
        h.run_steps(1);
        h.state_mut().wait_for_basemaps();
    }
    h.run_steps(1);
}

/// The alpha of the district boundary's fill in each pane.
fn boundary_fills(h: &Harness<'static, PlannerApp>) -> Vec<u8> {
    let app = h.state();
    let mut out = Vec::new();
    for (_, scene) in app.pane_scenes() {
        for item in &scene.items {
            let boundary = app.doc.plan().get(item.feature).is_some_and(|f| f.kind == Kind::Boundary);
            if let (true, Op::Area { fill, .. }) = (boundary, &item.op) {
                out.push(fill.0[3]);
            }
        }
    }
    out.dedup();
    out
}

fn basemaps(h: &Harness<'static, PlannerApp>) -> Vec<Basemap> {
    h.state().doc.plan().basemaps.clone()
}

fn set(h: &mut Harness<'static, PlannerApp>, list: Vec<Basemap>) {
    h.state_mut().apply(Action::Edit(Edit::SetBasemaps { basemaps: list }));
    h.run_steps(2);
}

#[test]
fn an_mbtiles_basemap_is_drawn_under_the_features_as_textures_in_every_pane() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = jinsong_mbtiles(dir.path(), "劲松影像.mbtiles", [200, 220, 180]);
    let mut h = harness();
    assert_eq!(h.state().basemap_pieces_drawn(), 0, "no basemap, nothing drawn");
    assert_eq!(boundary_fills(&h), vec![255], "without a basemap the district has its ground colour");
    set(&mut h, vec![Basemap::new(path.display().to_string())]);
    settle(&mut h);
    let drawn = h.state().basemap_pieces_drawn();
    assert!(drawn >= 2, "the pieces in view are textures: {drawn}");
    assert_eq!(h.state().basemap_pieces_missing(), 0, "every piece in view arrived");
    assert!(h.state().status_text().is_none_or(|t| !t.contains("底图无法显示")), "{:?}", h.state().status_text());
    // The features are still drawn over it; the district's ground is a thin veil, so the basemap shows —
    // the same rule as the exports (`render::style::DISTRICT_VEIL`).
    assert!(h.state().pane_scenes().iter().all(|(_, s)| !s.items.is_empty()));
    let veil = (255.0 * renewal_planner::render::style::DISTRICT_VEIL).round() as u8;
    assert_eq!(boundary_fills(&h), vec![veil]);
    // The layer list names it.
    assert!(h.query_by_label_contains("劲松影像.mbtiles").is_some());

    // Side by side: both panes draw their pieces.
    h.state_mut().apply(Action::SetCompare(Compare::SideBySide));
    settle(&mut h);
    let both = h.state().basemap_pieces_drawn();
    assert!(both >= 2 && h.state().basemap_pieces_missing() == 0, "{both}");
    h.state_mut().apply(Action::SetCompare(Compare::Swipe));
    settle(&mut h);
    // Swipe: each side asks for its own pieces without dropping the other's.
    assert!(h.state().basemap_pieces_drawn() >= 2);
    assert_eq!(h.state().basemap_pieces_missing(), 0);

    // Zooming in two steps asks for deeper tiles; they arrive too, and textures are reused, bounded.
    h.state_mut().apply(Action::SetCompare(Compare::Single));
    for _ in 0..3 {
        h.key_press(egui::Key::Plus);
        h.run_steps(1);
    }
    settle(&mut h);
    assert!(h.state().basemap_pieces_drawn() >= 1);
    assert_eq!(h.state().basemap_pieces_missing(), 0);
    assert!(h.state().basemap_textures() <= 384);

    // Far out, a file of fine tiles only would be thousands of one-pixel tiles: not drawn, nothing asked.
    let mut cam = h.state().camera.expect("camera");
    cam.mpp = 1500.0;
    h.state_mut().camera = Some(cam);
    h.run_steps(1);
    assert_eq!((h.state().basemap_pieces_drawn(), h.state().basemap_pieces_missing()), (0, 0));
    h.key_press(egui::Key::Home);
    settle(&mut h);
    assert!(h.state().basemap_pieces_drawn() >= 2, "back at the district, drawn again");
}

#[test]
fn a_missing_tile_is_drawn_from_its_parent_while_it_is_decoded() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = jinsong_mbtiles(dir.path(), "a.mbtiles", [90, 120, 200]);
    let mut h = harness();
    set(&mut h, vec![Basemap::new(path.display().to_string())]);
    settle(&mut h);
    assert_eq!(h.state().basemap_pieces_stood_in(), 0);
    // Zooming in crosses a tile level: in the frame that does, the deeper tiles
    // are not decoded yet and the coarser ones stand in, enlarged.
    let mut stood_in = 0;
    for _ in 0..3 {
        h.key_press(egui::Key::Plus);
        h.run_steps(1);
        stood_in = stood_in.max(h.state().basemap_pieces_stood_in());
    }
    assert!(stood_in >= 1, "a coarser tile stood in");
    settle(&mut h);
    assert_eq!(h.state().basemap_pieces_missing(), 0);
    assert_eq!(h.state().basemap_pieces_stood_in(), 0, "the tiles themselves, once decoded");
}

#[test]
fn a_basemap_file_added_through_the_add_window_is_drawn_and_undone_in_one_step() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = jinsong_mbtiles(dir.path(), "tiles.mbtiles", [230, 200, 160]);
    let mut h = harness();
    h.get_by_label("添加底图…").click();
    h.run_steps(3);
    assert!(h.state().basemap_add_open());
    // GCJ-02 is chosen before the file: the basemap is placed shifted.
    h.get_by_label("GCJ-02（高德、腾讯）").click();
    h.run_steps(2);
    h.get_by_label("选择文件…").click();
    h.run_steps(3);
    let label = "底图文件路径（.mbtiles、.pmtiles、.tif、.png、.jpg）";
    h.get_by_label(label).focus();
    h.run_steps(1);
    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::A);
    h.get_by_label(label).type_text(&path.display().to_string());
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    h.run_steps(3);
    let list = basemaps(&h);
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0].source, path.display().to_string());
    assert_eq!(list[0].shift, renewal_planner::model::basemaps::Shift::Gcj02);
    settle(&mut h);
    assert!(h.state().basemap_pieces_drawn() >= 1);
    // A junk path is said in the prompt, not added.
    h.get_by_label("选择文件…").click();
    h.run_steps(3);
    h.get_by_label(label).focus();
    h.run_steps(1);
    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::A);
    h.get_by_label(label).type_text(&dir.path().join("none.mbtiles").display().to_string());
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    h.run_steps(3);
    assert_eq!(basemaps(&h).len(), 1);
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    // Ctrl+Z takes it away again.
    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(3);
    assert!(basemaps(&h).is_empty());
    h.run_steps(1);
    assert_eq!(h.state().basemap_pieces_drawn(), 0);
}

#[test]
fn hiding_opacity_order_and_removal_are_each_one_undo_step() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = jinsong_mbtiles(dir.path(), "lower.mbtiles", [200, 200, 200]);
    let b = jinsong_mbtiles(dir.path(), "upper.mbtiles", [100, 160, 100]);
    let mut h = harness();
    set(&mut h, vec![Basemap::new(a.display().to_string()), Basemap::new(b.display().to_string())]);
    settle(&mut h);
    let both = h.state().basemap_pieces_drawn();
    assert!(both >= 4, "{both}");
    let undo = |h: &mut Harness<'static, PlannerApp>| {
        h.key_press_modifiers(Modifiers::COMMAND, egui::Key::Z);
        h.run_steps(3);
    };

    // Hide the upper one: half the pieces.
    h.get_by_label("upper.mbtiles").click();
    h.run_steps(2);
    assert!(!basemaps(&h)[1].visible && basemaps(&h)[0].visible);
    settle(&mut h);
    assert_eq!(h.state().basemap_pieces_drawn(), both / 2);
    undo(&mut h);
    assert!(basemaps(&h)[1].visible);

    // Order: the upper one (listed first) moves down.
    let downs = h.get_all_by_label("↓").count();
    assert_eq!(downs, 2);
    h.get_all_by_label("↓").next().expect("a down button").click();
    h.run_steps(2);
    assert_eq!(basemaps(&h)[0].name, "upper.mbtiles");
    undo(&mut h);
    assert_eq!(basemaps(&h)[0].name, "lower.mbtiles");

    // Opacity: a drag on the upper one's slider is one step, made when the drag ends.
    let slider = h.get_all_by_label("不透明度").next().expect("a slider").rect();
    let from = Pos2::new(slider.right() - 2.0, slider.center().y);
    h.hover_at(from);
    h.run_steps(1);
    h.drag_at(from);
    h.run_steps(1);
    for i in 1..=6 {
        h.hover_at(from - egui::vec2(8.0 * i as f32, 0.0));
        h.run_steps(1);
        assert_eq!(basemaps(&h)[1].opacity, 1.0, "nothing changes the plan during the drag");
    }
    h.drop_at(from - egui::vec2(48.0, 0.0));
    h.run_steps(2);
    let o = basemaps(&h)[1].opacity;
    assert!(o < 0.95 && o > 0.0, "{o}");
    undo(&mut h);
    assert_eq!(basemaps(&h)[1].opacity, 1.0, "one undo step restores it");

    // Remove the upper one.
    h.get_all_by_label("×").next().expect("a remove button").click();
    h.run_steps(2);
    assert_eq!(basemaps(&h).len(), 1);
    assert_eq!(basemaps(&h)[0].name, "lower.mbtiles");
    undo(&mut h);
    assert_eq!(basemaps(&h).len(), 2);
}

#[test]
fn a_junk_mbtiles_is_said_once_and_the_map_stays_usable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let junk = dir.path().join("坏的.mbtiles");
    std::fs::write(&junk, b"this is not a database at all, just text").expect("write");
    let good = jinsong_mbtiles(dir.path(), "good.mbtiles", [220, 220, 200]);
    let mut h = harness();
    set(&mut h, vec![Basemap::new(good.display().to_string()), Basemap::new(junk.display().to_string())]);
    settle(&mut h);
    let said = h.state().status_text().unwrap_or_default();
    assert!(said.contains("底图无法显示") && said.contains("坏的.mbtiles"), "{said}");
    // The fault is in the status bar and, in red, under the basemap in the layer list.
    assert_eq!(h.query_all_by_label_contains("not a readable MBTiles file").count(), 2);
    // Said once: another message stays in the status bar over many frames.
    h.state_mut().apply(Action::Status(renewal_planner::ui::message::Message::NothingToUndo));
    for _ in 0..5 {
        h.run_steps(1);
        h.state_mut().wait_for_basemaps();
    }
    assert!(!h.state().status_text().unwrap_or_default().contains("底图无法显示"));
    // The good basemap is drawn, the map pans and zooms.
    assert!(h.state().basemap_pieces_drawn() >= 1);
    let before = h.state().camera.expect("camera");
    h.key_press(egui::Key::Minus);
    h.run_steps(2);
    assert!(h.state().camera.expect("camera").mpp > before.mpp);
    assert!(h.state().pane_scenes().iter().all(|(_, s)| !s.items.is_empty()));
}

#[test]
fn a_tile_that_is_not_an_image_is_one_fault_worded_in_the_language_shown() {
    let dir = tempfile::tempdir().expect("temp dir");
    // An MBTiles whose tiles are not images.
    let path = dir.path().join("garbled.mbtiles");
    let [x, y] = mercator::forward(116.46, 39.8873);
    let view = MercView { min: [x - 2000.0, y - 2000.0], max: [x + 2000.0, y + 2000.0], size: [256, 256] };
    let mut tiles = Vec::new();
    for z in 14..=17u8 {
        let (xs, ys) = tiles_covering(&view, z);
        for ty in ys {
            for tx in xs.clone() {
                tiles.push((z, tx, ty, b"not a png".to_vec()));
            }
        }
    }
    mbtiles::write(&path, "garbled", &tiles).expect("write");
    let mut h = harness();
    set(&mut h, vec![Basemap::new(path.display().to_string())]);
    settle(&mut h);
    let said = h.state().status_text().unwrap_or_default();
    assert!(said.contains("底图无法显示") && said.contains("not an image"), "{said}");
    assert_eq!(h.state().basemap_pieces_drawn(), 0);
    assert_eq!(h.state().basemap_pieces_missing(), 0, "a piece that failed is not asked again every frame");
    h.state_mut().apply(Action::SetLang(renewal_planner::i18n::Lang::En));
    h.run_steps(2);
    assert!(h.state().status_text().unwrap_or_default().starts_with("Basemap cannot be drawn"));
}

#[test]
fn a_url_template_or_a_preset_is_added_from_the_window_and_a_bad_url_is_refused() {
    let mut h = harness();
    h.get_by_label("添加底图…").click();
    h.run_steps(3);
    let field = "切片地址模板";
    h.get_by_label(field).focus();
    h.run_steps(1);
    h.get_by_label(field).type_text("www.example.com/tiles.png");
    h.run_steps(1);
    h.get_by_label("添加此地址").click();
    h.run_steps(2);
    assert!(basemaps(&h).is_empty());
    assert!(h.query_by_label_contains("须以 http:// 或 https:// 开头").is_some());
    h.get_by_label(field).focus();
    h.run_steps(1);
    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::A);
    h.get_by_label(field).type_text("http://127.0.0.1:9/{z}/{x}/{-y}.png");
    h.run_steps(1);
    h.get_by_label("添加此地址").click();
    h.run_steps(2);
    assert_eq!(basemaps(&h).len(), 1);
    assert_eq!(basemaps(&h)[0].source, "http://127.0.0.1:9/{z}/{x}/{-y}.png");
    h.get_by_label("OpenStreetMap 标准地图").click();
    h.run_steps(2);
    let list = basemaps(&h);
    assert_eq!(list.len(), 2);
    assert_eq!(list[1].source, "https://tile.openstreetmap.org/{z}/{x}/{y}.png");
    assert_eq!(list[1].attribution.as_deref(), Some("© OpenStreetMap contributors"));
    // One undo step each.
    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(2);
    assert_eq!(basemaps(&h).len(), 1);
}

#[test]
fn the_attribution_of_a_drawn_basemap_is_shown() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = jinsong_mbtiles(dir.path(), "credit.mbtiles", [200, 200, 200]);
    let mut h = harness();
    let mut b = Basemap::new(path.display().to_string());
    b.attribution = Some("© 北京市测绘院".into());
    set(&mut h, vec![b.clone()]);
    settle(&mut h);
    assert_eq!(h.state().basemap_attributions(), vec!["© 北京市测绘院".to_string()]);
    b.visible = false;
    set(&mut h, vec![b]);
    assert!(h.state().basemap_attributions().is_empty(), "a hidden basemap is not credited");
}

#[test]
fn the_tianditu_key_is_kept_in_the_user_settings() {
    let home = tempfile::tempdir().expect("temp dir");
    let app = PlannerApp::new().with_session(home.path().to_path_buf());
    let mut h = common::harness(app, [1280.0, 800.0]);
    h.run_steps(3);
    h.get_by_label("添加底图…").click();
    h.run_steps(3);
    h.get_by_label("天地图密钥").focus();
    h.run_steps(1);
    h.get_by_label("天地图密钥").type_text("abc123密钥");
    h.run_steps(1);
    h.get_by_label("保存密钥").click();
    h.run_steps(2);
    let saved = std::fs::read_to_string(home.path().join("basemaps.json")).expect("settings written");
    assert!(saved.contains("abc123密钥"), "{saved}");
    assert_eq!(h.state().status_text().as_deref(), Some("密钥已保存"));
    let settings = renewal_planner::basemap::Settings::load(home.path());
    assert_eq!(settings.keys.get("tianditu").map(String::as_str), Some("abc123密钥"));
}
