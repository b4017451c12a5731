//! Time to first full screen of tiles from the disk cache: a 1280 × 800 view
//! of Jinsong (116.455–116.466 E, 39.884–39.891 N) composed from an XYZ
//! basemap whose tiles are all cached — a fresh layer each time, so every
//! tile is read from disk and decoded, as when the app opens a plan.
//!
//! The cache is filled from a tile server on 127.0.0.1 (`tests/common/tileserver.rs`),
//! then each cached tile is replaced by a textured PNG at least as heavy as a
//! real street-map tile (a flat colour would decode unrealistically fast).
//!
//! Run: `cargo bench --bench basemap`

#[path = "../tests/common/tileserver.rs"]
#[allow(dead_code)]
mod tileserver;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use renewal_planner::basemap::{self, Settings, xyz};
use renewal_planner::model::basemaps::{Basemap, MercView};
use renewal_planner::model::mercator;

const JINSONG: [f64; 4] = [116.455, 39.884, 116.466, 39.891];

/// A 256 × 256 tile with blocks, streets and noise: ~80 KB as PNG, heavier to decode than a
/// typical street-map tile (20–40 KB), so the time measured errs on the slow side.
fn textured(z: u8, x: u32, y: u32) -> Vec<u8> {
    let seed = u32::from(z) * 7919 + x * 31 + y * 17;
    let img = image::RgbaImage::from_fn(256, 256, |px, py| {
        let street = px % 64 < 6 || py % 48 < 5;
        let block = ((px / 64 + py / 48 + seed) % 4) as u8;
        let h = (px.wrapping_mul(2_654_435_761) ^ py.wrapping_mul(40_503) ^ seed).rotate_left(13);
        let n = (h % 6) as u8;
        if street {
            image::Rgba([250, 250, 245, 255])
        } else {
            image::Rgba([220 - block * 12 + n, 215 - block * 8 + n, 200 + block * 5 + n, 255])
        }
    });
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).expect("encode");
    out
}

fn benches(c: &mut Criterion) {
    let home = tempfile::tempdir().expect("temp dir");
    let server = tileserver::TileServer::start(0..=19);
    let b = Basemap::new(format!("{}/{{z}}/{{x}}/{{y}}.png", server.url()));
    let settings = Settings::load(home.path());
    let view = MercView {
        min: mercator::forward(JINSONG[0], JINSONG[1]),
        max: mercator::forward(JINSONG[2], JINSONG[3]),
        size: [1280, 800],
    };
    // Warm the cache with exactly the tiles the view draws, then make them look real.
    let layer = basemap::open(&b, &settings).expect("opens");
    let pieces = layer.pieces(&view);
    let first = basemap::compose(&[(layer, 1.0)], &view);
    assert!(first.faults.is_empty(), "{:?}", first.faults);
    let src = xyz::Xyz::open(&b.source, &settings, None).expect("opens");
    let mut bytes = 0;
    for p in &pieces {
        let t = textured(p.key.z, p.key.x, p.key.y);
        bytes += t.len();
        let path = src.cache_dir().join(format!("{}/{}/{}.png", p.key.z, p.key.x, p.key.y));
        std::fs::write(path, t).expect("write a cached tile");
    }
    eprintln!(
        "Jinsong 1280x800: {} tiles at zoom {}, {} KB of PNG in the cache",
        pieces.len(),
        pieces[0].key.z,
        bytes / 1024
    );
    let asked = server.requests();
    let mut group = c.benchmark_group("basemap");
    group.sample_size(20);
    group.bench_function("first screen from the disk cache (1280x800, Jinsong)", |bench| {
        bench.iter(|| {
            let layer = basemap::open(&b, &settings).expect("opens");
            let out = basemap::compose(&[(layer, 1.0)], black_box(&view));
            assert!(out.faults.is_empty());
            black_box(out.image)
        })
    });
    let warm = basemap::open(&b, &settings).expect("opens");
    let _ = basemap::compose(&[(warm.clone(), 1.0)], &view);
    group.bench_function("compose again, tiles decoded in memory (1280x800)", |bench| {
        bench.iter(|| black_box(basemap::compose(&[(warm.clone(), 1.0)], black_box(&view)).image))
    });
    group.finish();
    assert_eq!(server.requests(), asked, "the benchmark never asked the server");
}

criterion_group!(basemap_benches, benches);
criterion_main!(basemap_benches);
