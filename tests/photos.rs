//! Before and after photos: kept inside the plan file, attached by dropping
//! them onto an item's form, shown side by side.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use eframe::egui;
use egui_kittest::kittest::{NodeT, Queryable};
use renewal_planner::document::Document;
use renewal_planner::io;
use renewal_planner::model::photo::import;
use renewal_planner::model::{Plan, Side};
use renewal_planner::ui::{Action, PlannerApp};

mod common;

fn png(path: &Path, w: u32, h: u32) {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 200) as u8, (y % 200) as u8, 90]));
    img.save(path).expect("png");
}

fn plan_with_photo(dir: &Path) -> (Plan, String) {
    let mut plan = Document::jinsong().plan().clone();
    let item = plan.items.keys().next().expect("an item").clone();
    let path = dir.join("before.png");
    png(&path, 2400, 1800);
    let photo =
        import(&std::fs::read(&path).expect("read"), "ph-1".into(), item.clone(), Side::Before, "before.png".into())
            .expect("imports");
    plan.photos.insert("ph-1".into(), photo);
    (plan, item)
}

#[test]
fn photos_are_kept_inside_the_plan_file_and_the_plan_geojson() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (plan, item) = plan_with_photo(dir.path());
    let p = &plan.photos["ph-1"];
    assert_eq!((p.width, p.height, p.original_width, p.original_height), (1600, 1200, 2400, 1800));
    for name in ["plan.gpkg", "plan.geojson"] {
        let file = dir.path().join(name);
        io::save_path(&plan, &file).expect("saves");
        let back = io::load_path(&file).expect("opens");
        assert!(back.warnings.is_empty(), "{:?}", back.warnings);
        assert!(back.plan == plan, "{name}: the plan read back differs");
        assert_eq!(back.plan.photos_of(&item, Side::Before).len(), 1);
    }
}

#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn photos_dropped_on_an_item_form_attach_before_or_after_and_undo() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (before, after) = (dir.path().join("shed-2018.png"), dir.path().join("shops-2020.jpg"));
    png(&before, 800, 600);
    image::RgbImage::from_fn(640, 480, |_, _| image::Rgb([200, 60, 60])).save(&after).expect("jpg");
    let mut h = common::harness(PlannerApp::new(), [1400.0, 900.0]);
    h.run_steps(3);
    let item = "it-bikeshed".to_string();
    h.state_mut().apply(Action::EditItem(item.clone()));
    h.run_steps(12);
    let drop_on = |h: &mut egui_kittest::Harness<'static, PlannerApp>, label: &str, file: &Path| {
        let at = {
            let window = h
                .get_all_by_role(egui::accesskit::Role::Window)
                .find(|w| w.accesskit_node().label().is_some_and(|l| l.contains("车棚")));
            let window = window.expect("the item form");
            let target = window.get_all_by_label(label).last().expect("the photo column title");
            let r = target.rect();
            r.center()
        };
        h.hover_at(at);
        h.run_steps(1);
        h.input_mut().dropped_files.push(Arc::new(Dropped(file.to_path_buf())));
        h.run_steps(3);
    };
    drop_on(&mut h, "改造前", &before);
    drop_on(&mut h, "改造后", &after);
    let plan = &h.state().doc.plan();
    assert_eq!(plan.photos_of(&item, Side::Before).len(), 1, "the 2018 photo is a before photo");
    assert_eq!(plan.photos_of(&item, Side::After).len(), 1, "the 2020 photo is an after photo");
    // The inspector shows the item's thumbnails when its feature is selected.
    let shed = h.state().doc.plan().by_key("node-bikeshed").expect("the shed");
    h.state_mut().apply(Action::Select(Some(shed)));
    h.run_steps(3);
    assert_eq!(h.state().photo_textures_len(), 2, "both photos made into thumbnails");
    let images = h.get_all_by_role(egui::accesskit::Role::Image).count();
    assert_eq!(images, 4, "two thumbnails in the item form and two in the inspector");
    // Shown side by side (the form's button, further down its scrolled list, does this).
    h.get_by_label("改造前后对比");
    h.state_mut().apply(Action::ViewPhotos(Some(item.clone())));
    h.run_steps(12);
    assert!(h.query_all_by_label_contains("改造前后对比 —").count() >= 1, "the comparison window is open");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().doc.plan().photos_of(&item, Side::After).len(), 0, "undo removes the last photo");
}
