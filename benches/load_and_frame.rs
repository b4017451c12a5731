//! Load + index the 113,087 real OSM buildings of lower Manhattan
//! (`../shared/data/nyc-buildings-osm.geojson.gz`) and prepare frames of the
//! map at full extent and at street zoom.
//!
//! Run: `cargo bench --bench load_and_frame`

mod common;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use renewal_planner::document::{Document, Source};
use renewal_planner::io;
use renewal_planner::render::{Camera, GeometryCache, Scene, SceneOptions};

fn data_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/nyc-buildings-osm.geojson.gz")
}

fn load(bytes: &[u8]) -> (Document, GeometryCache) {
    let loaded = io::geojson::parse(bytes).expect("the NYC file loads");
    renewal_planner::document::open(loaded, Source::File(data_path()))
}

fn benches(c: &mut Criterion) {
    let path = data_path();
    let Ok(bytes) = std::fs::read(&path) else {
        eprintln!("skipping: {} not found", path.display());
        return;
    };
    // One timed load to report the phases separately.
    let t = Instant::now();
    let mut text = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(&bytes[..]), &mut text).expect("gunzip");
    let t_gunzip = t.elapsed();
    let t = Instant::now();
    let loaded = io::geojson::parse(&text).expect("parse");
    let t_parse = t.elapsed();
    let t = Instant::now();
    let doc = Document::new(loaded, Source::Jinsong);
    let t_index = t.elapsed();
    let t = Instant::now();
    let cache = GeometryCache::build(doc.plan());
    let t_cache = t.elapsed();
    println!(
        "NYC: {} features, {} MB of GeoJSON; gunzip {:?}, parse {:?}, R-tree {:?}, meshes {:?}; total {:?}",
        doc.plan().len(),
        text.len() / 1_000_000,
        t_gunzip,
        t_parse,
        t_index,
        t_cache,
        t_gunzip + t_parse + t_index + t_cache
    );

    let mut g = c.benchmark_group("nyc_113k");
    g.sample_size(10);
    g.bench_function("load_and_index_gz", |b| b.iter(|| black_box(load(&bytes))));
    g.finish();

    let size = [1280.0, 800.0];
    let extent = doc.index().extent().expect("extent");
    let full = Camera::fit(extent, size, 10.0);
    let mut street = full;
    street.mpp *= 0.6 / street.ground_mpp(); // ~0.6 m a pixel: a few blocks
    street.center = renewal_planner::render::camera::to_world(-74.0060, 40.7128);
    let opts = SceneOptions::default();
    for (name, cam) in [("full extent", &full), ("street zoom", &street)] {
        let s = Scene::build(doc.plan(), doc.index(), &cache, cam, &opts);
        println!(
            "{name}: {} features in view, {} draw items, {} labels",
            s.features_in_view,
            s.items.len(),
            s.labels.len()
        );
    }
    // Editing one vertex of one building: only its index entry and mesh are rebuilt.
    let (mut doc, mut cache) = (doc, cache);
    let target = doc
        .plan()
        .iter()
        .find(|(_, f)| matches!(f.geometry, geo::Geometry::Polygon(_)))
        .map(|(id, _)| id)
        .expect("a building");
    let original = doc.plan().get(target).expect("building").geometry.clone();
    let (v, c0) = renewal_planner::model::geom_edit::vertices(&original)[0];
    let moved = renewal_planner::model::geom_edit::move_vertex(&original, v, geo::Coord { x: c0.x + 1e-5, y: c0.y })
        .expect("moves");
    let mut g = c.benchmark_group("edit_113k");
    g.bench_function("move_vertex_apply_and_undo", |b| {
        b.iter(|| {
            let edit = renewal_planner::edit::Edit::SetGeometry {
                feature: target,
                geometry: Box::new(moved.clone()),
                label: renewal_planner::edit::EditLabel::MoveVertex,
            };
            let touched = doc.apply(edit).expect("applies");
            cache.update(doc.plan(), &touched);
            let touched = doc.undo().expect("something to undo").expect("undoes");
            cache.update(doc.plan(), &touched);
        })
    });
    // File → Import layer…: the 113k buildings added to Jinsong as one edit (index and meshes follow), then undone.
    let mut jinsong = Document::jinsong();
    let mut jinsong_cache = GeometryCache::build(jinsong.plan());
    // Once, timed by phase: marking the features (the reader's thread), placing them
    // (ids and keys: the window), applying the edit (index), the meshes, the undo.
    let copy = doc.plan().clone();
    let t = Instant::now();
    let marked = renewal_planner::import::mark(copy, "nyc.geojson");
    let t_mark = t.elapsed();
    let t = Instant::now();
    let import = renewal_planner::import::place(jinsong.plan(), marked);
    let t_place = t.elapsed();
    let t = Instant::now();
    let touched = jinsong.apply(import.edit).expect("applies");
    let t_apply = t.elapsed();
    let t = Instant::now();
    jinsong_cache.update(jinsong.plan(), &touched);
    let t_cache = t.elapsed();
    let t = Instant::now();
    let touched = jinsong.undo().expect("something to undo").expect("undoes");
    jinsong_cache.update(jinsong.plan(), &touched);
    println!(
        "Import 113k into Jinsong: mark {t_mark:?} (reader's thread), place {t_place:?}, apply + index {t_apply:?}, meshes {t_cache:?}, undo {:?}",
        t.elapsed()
    );
    g.sample_size(10);
    g.bench_function("import_layer_113k_apply_and_undo", |b| {
        b.iter(|| {
            let import = renewal_planner::import::layer(jinsong.plan(), doc.plan().clone(), "nyc.geojson");
            let touched = jinsong.apply(import.edit).expect("applies");
            jinsong_cache.update(jinsong.plan(), &touched);
            let touched = jinsong.undo().expect("something to undo").expect("undoes");
            jinsong_cache.update(jinsong.plan(), &touched);
        })
    });
    g.finish();
    let (doc, cache) = (doc, cache);

    // The plan file: save the 113k buildings as a GeoPackage and open it again.
    let dir = std::env::temp_dir().join(format!("rp-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("nyc.gpkg");
    let t = Instant::now();
    io::gpkg::save(doc.plan(), &file).expect("saves");
    let t_save = t.elapsed();
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    let t = Instant::now();
    let reopened = io::load_path(&file).expect("opens");
    println!(
        "NYC plan file: {} MB; save {:?}, open {:?} ({} features)",
        size / 1_000_000,
        t_save,
        t.elapsed(),
        reopened.plan.len()
    );
    let mut g = c.benchmark_group("gpkg_113k");
    g.sample_size(10);
    g.bench_function("save", |b| b.iter(|| io::gpkg::save(doc.plan(), &file).expect("saves")));
    g.bench_function("open", |b| b.iter(|| black_box(io::load_path(&file).expect("opens"))));
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);

    // A 1920×1080 PNG map of all 113k buildings: the page laid out, the scene drawn straight into pixels.
    let spec = common::fhd_map();
    let t = Instant::now();
    let layout = renewal_planner::export::map::layout(doc.plan(), doc.index(), &cache, &spec, &Default::default())
        .expect("no basemap to fail");
    let t_layout = t.elapsed();
    let t = Instant::now();
    let png = layout.to_png(1.0).expect("renders");
    println!("NYC 1920x1080 PNG: layout {:?}, raster+encode {:?}, {} KB", t_layout, t.elapsed(), png.len() / 1000);
    let mut g = c.benchmark_group("export_113k");
    g.sample_size(10);
    g.bench_function("png_1920x1080", |b| {
        b.iter(|| {
            let layout =
                renewal_planner::export::map::layout(doc.plan(), doc.index(), &cache, &spec, &Default::default())
                    .expect("no basemap to fail");
            black_box(layout.to_png(1.0).expect("renders"))
        })
    });
    g.finish();

    let mut g = c.benchmark_group("frame_1280x800");
    g.bench_function("full_extent", |b| {
        b.iter(|| black_box(Scene::build(doc.plan(), doc.index(), &cache, &full, &opts)))
    });
    g.bench_function("street_zoom", |b| {
        b.iter(|| black_box(Scene::build(doc.plan(), doc.index(), &cache, &street, &opts)))
    });
    g.finish();
}

criterion_group!(load_and_frame, benches);
criterion_main!(load_and_frame);
