//! Frame time while panning over a basemap: the real app in a headless egui
//! harness with the Jinsong plan and an MBTiles basemap of imagery-like tiles,
//! warmed up (its tiles decoded and on the GPU), the camera moving a few
//! pixels each frame. Compared with the same frames without a basemap. Also
//! the time to the first full screen of tiles from a local file.
//!
//! Run: `cargo bench --bench basemap_frame`

use std::path::Path;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use egui_kittest::Harness;
use renewal_planner::basemap::mbtiles;
use renewal_planner::edit::Edit;
use renewal_planner::model::Basemap;
use renewal_planner::model::basemaps::{MercView, tiles_covering};
use renewal_planner::model::mercator;
use renewal_planner::ui::{Action, PlannerApp, install_fonts, theme};

/// Tiles over Jinsong and a wide margin, zooms 13–18, each with a little texture (not one flat colour).
fn fixture(path: &Path) {
    let [x0, y0] = mercator::forward(116.43, 39.87);
    let [x1, y1] = mercator::forward(116.49, 39.905);
    let view = MercView { min: [x0, y0], max: [x1, y1], size: [256, 256] };
    let mut tiles = Vec::new();
    for z in 13..=18u8 {
        let (xs, ys) = tiles_covering(&view, z);
        for y in ys {
            for x in xs.clone() {
                let img = image::RgbaImage::from_fn(256, 256, |px, py| {
                    let n = (px.wrapping_mul(31) ^ py.wrapping_mul(17) ^ x ^ y) % 40;
                    image::Rgba([150 + n as u8, 160 + n as u8, 130 + (n / 2) as u8, 255])
                });
                let mut png = Vec::new();
                img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).expect("png");
                tiles.push((z, x, y, png));
            }
        }
    }
    mbtiles::write(path, "bench", &tiles).expect("MBTiles");
}

fn harness() -> Harness<'static, PlannerApp> {
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .with_context_setup(|ctx| {
            install_fonts(ctx);
            theme::apply(ctx);
        })
        .build_ui_state(|ui, app: &mut PlannerApp| app.show(ui), PlannerApp::new());
    h.run_steps(3);
    h
}

fn add(h: &mut Harness<'static, PlannerApp>, path: &Path) {
    let basemaps = vec![Basemap::new(path.display().to_string())];
    h.state_mut().apply(Action::Edit(Edit::SetBasemaps { basemaps }));
}

/// One frame with the camera moved a few pixels (back and forth, to stay over the tiles).
fn pan_frame(h: &mut Harness<'static, PlannerApp>, i: &mut u64) {
    *i += 1;
    let dx = if (*i / 150).is_multiple_of(2) { 3.0 } else { -3.0 };
    if let Some(c) = h.state_mut().camera.as_mut() {
        c.pan_pixels(dx, 1.0 - 2.0 * ((*i / 75) % 2) as f32);
    }
    h.step();
}

fn benches(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("rp-basemap-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("jinsong.mbtiles");
    fixture(&path);

    // Time to the first full screen of tiles, read and decoded by the workers while frames go on.
    let mut h = harness();
    let t = Instant::now();
    add(&mut h, &path);
    let mut frames = 0;
    loop {
        h.step();
        frames += 1;
        if h.state().basemap_pieces_drawn() > 0 && h.state().basemap_pieces_missing() == 0 {
            break;
        }
        assert!(t.elapsed().as_secs() < 60, "the tiles never all arrived: {:?}", h.state().status_text());
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    println!(
        "first full screen of tiles from MBTiles: {:?} ({frames} frames, {} pieces)",
        t.elapsed(),
        h.state().basemap_pieces_drawn()
    );

    let mut g = c.benchmark_group("basemap_frame");
    g.sample_size(30);
    let mut plain = harness();
    let mut i = 0;
    g.bench_function("pan_without_basemap", |b| b.iter(|| pan_frame(&mut plain, &mut i)));
    // Warm: every tile of the panned area decoded and kept.
    let mut i = 0;
    for _ in 0..300 {
        pan_frame(&mut h, &mut i);
        h.state_mut().wait_for_basemaps();
    }
    let mut i = 0;
    g.bench_function("pan_over_mbtiles_basemap", |b| b.iter(|| pan_frame(&mut h, &mut i)));
    g.finish();
    println!(
        "after panning: {} pieces drawn, {} missing, {} textures",
        h.state().basemap_pieces_drawn(),
        h.state().basemap_pieces_missing(),
        h.state().basemap_textures()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(group, benches);
criterion_main!(group);
