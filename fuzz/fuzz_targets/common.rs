//! What the app does with a plan it has just loaded, without the window: the
//! spatial index and the geometry cache (`document::open`), measurement of each
//! feature (the info panel), the `info` summary in every phase, the dashboard
//! and the item checks, one frame of the map, and the GeoJSON it would save.
//! Shared by the fuzz targets so that every input that loads goes on through
//! all of it. Each step is linear in the size of the plan, so iterations stay cheap.

use std::sync::OnceLock;

use renewal_planner::io::{LoadError, Loaded, write};
use renewal_planner::model::measure::{self, Measure};
use renewal_planner::model::stats::Progress;
use renewal_planner::model::{FundingSource, Lang, Phase, SpatialIndex, Summary};
use renewal_planner::render::theme::{ThemeMode, feature_colors};
use renewal_planner::render::{Camera, GeometryCache, Scene, SceneOptions};

/// A failed load must say why in one line (the command line's promise).
/// The fuzz targets check it only with `RP_FUZZ_STRICT=1`, so that a long
/// run is not stopped again and again by that cosmetic finding; the
/// regression test always checks it (`always`).
pub fn check_error(e: &LoadError, always: bool) {
    static STRICT: OnceLock<bool> = OnceLock::new();
    if always || *STRICT.get_or_init(|| std::env::var_os("RP_FUZZ_STRICT").is_some_and(|v| v == "1")) {
        let message = e.to_string();
        assert!(!message.contains('\n') && !message.trim().is_empty(), "a load error is not one line: {message:?}");
    }
}

pub fn exercise(loaded: &Loaded) {
    let plan = &loaded.plan;
    let index = SpatialIndex::build(plan);
    let cache = GeometryCache::build(plan);

    for (id, f) in plan.iter() {
        match measure::measure(&f.geometry) {
            Measure::Point => {}
            Measure::Length { m } => {
                std::hint::black_box(measure::format_length(m));
            }
            Measure::Area { m2, perimeter_m } => {
                std::hint::black_box((measure::format_area(m2), measure::format_length(perimeter_m)));
            }
        }
        std::hint::black_box((f.name(Lang::Zh), f.name(Lang::En), f.number(), plan.items_of(id).len()));
    }

    let warnings: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
    let phases = [None, Some(Phase::Before), Some(Phase::After), Some(Phase::AsOf("2019-06-30".into()))];
    for phase in &phases {
        let summary = Summary::of_phase(plan, &warnings, phase.as_ref());
        std::hint::black_box(summary.to_text("fuzz"));
        std::hint::black_box(serde_json::to_string(&summary).ok());
    }

    for phase in [Phase::Before, Phase::After, Phase::AsOf("2019-06-30".into())] {
        let progress = Progress::of(plan, &phase);
        std::hint::black_box((progress.funding_total(), progress.share(FundingSource::Government)));
    }
    for item in plan.items.values() {
        for p in item.problems() {
            std::hint::black_box((p.message(Lang::Zh), p.message(Lang::En)));
        }
        std::hint::black_box((item.display_name(plan, Lang::Zh), plan.features_of(item).len()));
    }

    let extent = index.extent();
    if let Some(extent) = extent {
        let (lon, lat) = ((extent[0] + extent[2]) / 2.0, (extent[1] + extent[3]) / 2.0);
        std::hint::black_box(index.hit_test(plan, lon, lat, 5.0));
        std::hint::black_box(index.query(extent).count());
    }
    if let Some(extent) = extent {
        let camera = Camera::fit(extent, [800.0, 600.0], 24.0);
        let before = SceneOptions { phase: Phase::Before, ..SceneOptions::default() };
        std::hint::black_box(Scene::build(plan, &index, &cache, &camera, &before).items.len());
        let after = SceneOptions {
            phase: Phase::After,
            ghosts: true,
            highlight_changes: true,
            lang: Lang::En,
            theme: feature_colors(plan, ThemeMode::Status, None, &Phase::After),
            ..SceneOptions::default()
        };
        std::hint::black_box(Scene::build(plan, &index, &cache, &camera, &after).items.len());
    }

    std::hint::black_box(write::to_geojson(plan).expect("a plan that was read can be written").len());
}
