//! A frame of the map through the window's real paint path (issue 19's frame
//! rows): `Scene::build` for the camera, the scene made ready to paint once
//! (`ui::paint::Painted`: the crowded layers' dots drawn into images, each
//! layer tessellated into one mesh), painted into an egui context (the shapes
//! the window hands egui each frame), and egui's tessellation of those into
//! the meshes the GPU is sent. "built" is a frame that makes its scene (a
//! zoom, an edit, a pan's end); "reused" one that paints the last scene (the
//! pointer moving); "panned" one that paints it moved and scaled (a pan or
//! zoom of a scene slower than 12 ms to make). Only the GPU's own drawing is left out (it
//! needs a display). Cities: the 113k NYC buildings and generated
//! cities (`BIG_FILES`, default `1000000`, made by ../shared/tools/gen_city.py
//! into target/bench-cities as `benches/big_files.rs` does).
//!
//! Run: `cargo bench --bench frame`

mod common;
use std::path::{Path, PathBuf};
use std::time::Instant;

use eframe::egui;
use renewal_planner::render::{Camera, GeometryCache, Scene, SceneOptions};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The map pane of a 1280×800 window.
const SIZE: [f32; 2] = [1280.0, 800.0];

/// Best of `n` runs of `f`, in milliseconds.
fn best<T>(n: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut out = None;
    let mut ms = f64::INFINITY;
    for _ in 0..n {
        let t = Instant::now();
        let v = f();
        ms = ms.min(t.elapsed().as_secs_f64() * 1000.0);
        out = Some(v);
    }
    (ms, out.expect("n > 0"))
}

/// Times one frame of `cam`: scene, paint, tessellation; and counts what the GPU gets.
fn frame(
    name: &str,
    doc: &renewal_planner::document::Document,
    cache: &GeometryCache,
    cam: &Camera,
    ctx: &egui::Context,
) {
    let opts = SceneOptions::default();
    let (scene_ms, scene) = best(5, || Scene::build(doc.plan(), doc.index(), cache, cam, &opts));
    let dots = scene.items.iter().filter(|it| matches!(it.op, renewal_planner::render::Op::Dot { .. })).count();
    let input = || egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(SIZE[0], SIZE[1]))),
        ..Default::default()
    };
    // The dot images are made once a scene (with it); a frame that reuses the
    // scene (the pointer moving, a pan of a slow scene) only paints.
    // Made once a scene, with it: the dot images and each layer tessellated (`ui::paint::Painted`).
    let (made_ms, painted) = best(5, || renewal_planner::ui::paint::Painted::new(ctx, &scene, egui::Pos2::ZERO));
    let (paint_ms, output) = best(5, || {
        ctx.run_ui(input(), |ui| {
            let painter = ui.ctx().layer_painter(egui::LayerId::background());
            painted.paint(&painter, &scene, egui::Pos2::ZERO, egui::emath::TSTransform::IDENTITY);
        })
    });
    // A pan or zoom of a slow scene: the same meshes, moved and scaled.
    let (shift_ms, _) = best(5, || {
        let out = ctx.run_ui(input(), |ui| {
            let painter = ui.ctx().layer_painter(egui::LayerId::background());
            painted.paint(&painter, &scene, egui::Pos2::ZERO, egui::emath::TSTransform::new(egui::vec2(7.0, 5.0), 1.1));
        });
        ctx.tessellate(out.shapes, out.pixels_per_point)
    });
    let (tess_ms, prims) = best(5, || ctx.tessellate(output.shapes.clone(), output.pixels_per_point));
    let vertices: usize = prims
        .iter()
        .map(|p| match &p.primitive {
            egui::epaint::Primitive::Mesh(m) => m.vertices.len(),
            egui::epaint::Primitive::Callback(_) => 0,
        })
        .sum();
    println!(
        "{name:<30} {:>8} {:>8} {:>8} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>9.1} {:>9.1} {:>9.1} {:>9}",
        scene.features_in_view,
        dots,
        scene.points.len(),
        scene_ms,
        made_ms,
        paint_ms,
        tess_ms,
        scene_ms + made_ms + paint_ms + tess_ms,
        paint_ms + tess_ms,
        shift_ms,
        vertices
    );
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<(String, PathBuf, [f64; 2])> =
        vec![("NYC 113k".into(), root.join("../shared/data/nyc-buildings-osm.geojson.gz"), [-74.0060, 40.7128])];
    let sizes = std::env::var("BIG_FILES").unwrap_or_else(|_| "1000000".into());
    for n in sizes.split(',').filter_map(|s| s.trim().parse::<u64>().ok()) {
        let path = common::generated_city(n);
        files.push((format!("generated {n}"), path, [f64::NAN, f64::NAN]));
    }
    let ctx = egui::Context::default();
    renewal_planner::ui::install_fonts(&ctx);
    println!(
        "{:<30} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9}",
        "frame (1280×800)",
        "in view",
        "dots",
        "points",
        "scene ms",
        "made ms",
        "paint ms",
        "tess ms",
        "built ms",
        "reused ms",
        "panned ms",
        "vertices"
    );
    for (name, path, street_at) in files {
        let loaded = renewal_planner::io::load_path(&path).expect("loads");
        let (doc, cache) = renewal_planner::document::open(loaded, renewal_planner::document::Source::File(path));
        let extent = doc.index().extent().expect("extent");
        let full = Camera::fit(extent, SIZE, 10.0);
        let mut street = full;
        street.mpp *= 0.6 / street.ground_mpp(); // ~0.6 m a pixel: a few blocks
        if street_at[0].is_finite() {
            street.center = renewal_planner::render::camera::to_world(street_at[0], street_at[1]);
        }
        frame(&format!("{name}, full extent"), &doc, &cache, &full, &ctx);
        frame(&format!("{name}, street zoom"), &doc, &cache, &street, &ctx);
    }
}
