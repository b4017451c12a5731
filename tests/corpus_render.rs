//! Every loadable corpus file goes through the whole map pipeline — index,
//! meshes, a frame at full extent and one zoomed in, hit-testing and
//! measurement — without a panic.

use std::path::{Path, PathBuf};

use renewal_planner::document::{Document, Source};
use renewal_planner::model::Summary;
use renewal_planner::model::measure::measure;
use renewal_planner::render::{Camera, GeometryCache, Scene, SceneOptions};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() { files(&p, out) } else { out.push(p) }
    }
}

#[test]
fn every_loadable_corpus_file_can_be_drawn_measured_and_clicked() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let mut all = Vec::new();
    files(&root, &mut all);
    all.sort();
    assert!(all.len() >= 1500, "corpus at {}", root.display());
    let mut drawn = 0;
    for path in all {
        let Ok(loaded) = renewal_planner::io::load_path(&path) else {
            continue;
        };
        let doc = Document::new(loaded, Source::File(path.clone()));
        let cache = GeometryCache::build(&doc.plan);
        let _ = Summary::of(&doc.plan, &[]);
        for (_, f) in doc.plan.iter() {
            let _ = measure(&f.geometry);
        }
        let Some(ext) = doc.index.extent() else {
            continue;
        };
        let opts = SceneOptions::default();
        let full = Camera::fit(ext, [800.0, 600.0], 10.0);
        let scene = Scene::build(&doc.plan, &doc.index, &cache, &full, &opts);
        assert!(scene.points.iter().all(|p| p[0].is_finite() && p[1].is_finite()), "{}", path.display());
        let mut close = full;
        close.zoom_at(50.0, [400.0, 300.0]);
        let _ = Scene::build(&doc.plan, &doc.index, &cache, &close, &opts);
        let c = full.screen_to_lonlat([400.0, 300.0]);
        let _ = doc.index.hit_test(&doc.plan, c[0], c[1], 5.0 * full.ground_mpp());
        drawn += 1;
    }
    assert!(drawn > 500, "only {drawn} files drawn");
}
