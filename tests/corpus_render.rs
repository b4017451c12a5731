//! Every loadable corpus file goes through the whole map pipeline — index,
//! meshes, a frame at full extent and one zoomed in, hit-testing and
//! measurement — without a panic.

use renewal_planner::document::{Document, Source};
use renewal_planner::model::Summary;
use renewal_planner::model::measure::measure;
use renewal_planner::render::{Camera, GeometryCache, Scene, SceneOptions};

mod corpus;

#[test]
fn every_loadable_corpus_file_can_be_drawn_measured_and_clicked() {
    let all = corpus::files();
    let mut drawn = 0;
    for path in all {
        let Ok(loaded) = renewal_planner::io::load_path(&path) else {
            continue;
        };
        let doc = Document::new(loaded, Source::File(path.clone()));
        let cache = GeometryCache::build(doc.plan());
        let _ = Summary::of(doc.plan(), &[]);
        for (_, f) in doc.plan().iter() {
            let _ = measure(&f.geometry);
        }
        let Some(ext) = doc.index().extent() else {
            continue;
        };
        let opts = SceneOptions::default();
        let full = Camera::fit(ext, [800.0, 600.0], 10.0);
        let scene = Scene::build(doc.plan(), doc.index(), &cache, &full, &opts);
        assert!(scene.points.iter().all(|p| p[0].is_finite() && p[1].is_finite()), "{}", path.display());
        let mut close = full;
        close.zoom_at(50.0, [400.0, 300.0]);
        let _ = Scene::build(doc.plan(), doc.index(), &cache, &close, &opts);
        let c = full.screen_to_lonlat([400.0, 300.0]);
        let _ = doc.index().hit_test(doc.plan(), c[0], c[1], 5.0 * full.ground_mpp());
        drawn += 1;
    }
    assert!(drawn > 500, "only {drawn} files drawn");
}
