//! PNG maps drawn straight from the scene (`Layout::to_png`) look as resvg's
//! rendering of the whole SVG layout did (`svg_png`, how PNGs were made
//! before): Jinsong in every phase and at paper size, and a generated city
//! whose buildings must be where the reference has them.

#[path = "common/tools.rs"]
mod tools;

use renewal_planner::document::Document;
use renewal_planner::export::map::{self, MapSpec};
use renewal_planner::io;
use renewal_planner::model::{FeatureId, Kind, Lang, Phase, Presence, SpatialIndex};
use renewal_planner::render::GeometryCache;
use renewal_planner::render::theme::{NO_ITEMS, ThemeMode};

fn spec(phase: Option<Phase>, size: [f32; 2], scale: f32, theme: ThemeMode) -> MapSpec {
    MapSpec {
        phase,
        size,
        scale,
        lang: Lang::Zh,
        extent: None,
        theme,
        matter: None,
        on_paper: scale != 1.0,
        date: "2026-01-01".into(),
    }
}

/// The new PNG and the reference (the whole SVG rasterised by resvg), decoded.
fn both(
    plan: &renewal_planner::model::Plan,
    index: &SpatialIndex,
    cache: &GeometryCache,
    spec: &MapSpec,
) -> (image::RgbaImage, image::RgbaImage) {
    let layout = map::layout(plan, index, cache, spec, &Default::default()).expect("lays out");
    let new = layout.to_png(spec.scale).expect("draws");
    let old = map::svg_png(&layout.to_svg(), spec.scale).expect("resvg draws");
    let decode = |b: &[u8]| image::load_from_memory(b).expect("a PNG").to_rgba8();
    (decode(&new), decode(&old))
}

/// Mean absolute difference per channel (0–255), and the share of pixels
/// that differ by more than 48 in some channel.
fn difference(a: &image::RgbaImage, b: &image::RgbaImage) -> (f64, f64) {
    assert_eq!(a.dimensions(), b.dimensions());
    let (mut sum, mut far) = (0u64, 0u64);
    for (p, q) in a.pixels().zip(b.pixels()) {
        let d: Vec<u64> = (0..4).map(|k| u64::from(p.0[k].abs_diff(q.0[k]))).collect();
        sum += d.iter().sum::<u64>();
        far += u64::from(d.iter().any(|v| *v > 48));
    }
    let n = u64::from(a.width()) * u64::from(a.height());
    (sum as f64 / (4 * n) as f64, far as f64 / n as f64)
}

#[test]
fn a_png_of_jinsong_looks_as_resvg_drew_the_whole_svg() {
    let doc = Document::jinsong();
    let cache = GeometryCache::build(doc.plan());
    for (what, spec) in [
        ("after, 1600×1000", spec(Some(Phase::After), [1600.0, 1000.0], 1.0, ThemeMode::Kind)),
        ("before, by status", spec(Some(Phase::Before), [1200.0, 900.0], 1.0, ThemeMode::Status)),
        ("compare on A4 landscape", spec(None, [842.0, 595.0], 2.0, ThemeMode::Kind)),
    ] {
        let (new, old) = both(doc.plan(), doc.index(), &cache, &spec);
        let (mean, far) = difference(&new, &old);
        eprintln!("{what}: mean difference {mean:.3}, {:.3}% of pixels far apart", far * 100.0);
        assert!(mean < 0.5, "{what}: mean difference {mean:.3} per channel");
        assert!(far < 0.002, "{what}: {:.3}% of pixels differ by more than 48", far * 100.0);
        // Not two blank pages: the buildings' fill is there (brick; muted grey on the status map).
        let fill = if spec.theme == ThemeMode::Kind { [226, 160, 135, 255] } else { NO_ITEMS.0 };
        let brick = new.pixels().filter(|p| p.0[..3] == fill[..3]).count();
        assert!(brick > 5_000, "{what}: building fill in the map: {brick} px");
    }
}

#[test]
fn a_generated_city_png_has_its_buildings_where_the_reference_has_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let city = tools::gen_city(10_000, dir.path());
    let plan = io::load_path(&city).expect("the city loads").plan;
    let index = SpatialIndex::build(&plan);
    let cache = GeometryCache::build(&plan);
    let spec = spec(Some(Phase::Before), [1920.0, 1080.0], 1.0, ThemeMode::Kind);
    let (new, old) = both(&plan, &index, &cache, &spec);
    let (mean, far) = difference(&new, &old);
    eprintln!("city: mean difference {mean:.3}, {:.3}% of pixels far apart", far * 100.0);
    assert!(mean < 1.0, "mean difference {mean:.3} per channel");
    // Where the buildings are: in each 24-pixel tile, the share of pixels inked
    // in the buildings' colours (fill, outline or dot) is the reference's.
    let building = |p: &image::Rgba<u8>| {
        let near = |c: [u8; 3]| (0..3).all(|k| p.0[k].abs_diff(c[k]) < 40);
        near([226, 160, 135]) || near([150, 70, 50])
    };
    let tile = 24;
    let (mut inked, mut off) = (0, 0.0f64);
    for ty in 0..new.height() / tile {
        for tx in 0..new.width() / tile {
            let share = |img: &image::RgbaImage| {
                let mut n = 0;
                for y in ty * tile..(ty + 1) * tile {
                    for x in tx * tile..(tx + 1) * tile {
                        n += usize::from(building(img.get_pixel(x, y)));
                    }
                }
                n as f64 / f64::from(tile * tile)
            };
            let (a, b) = (share(&new), share(&old));
            if b > 0.05 {
                inked += 1;
            }
            off = off.max((a - b).abs());
        }
    }
    assert!(inked > 500, "the city's buildings cover the map: {inked} tiles");
    assert!(off < 0.15, "a tile's share of building pixels is off the reference's by {off:.3}");
}

#[test]
fn a_plan_without_dates_is_titled_by_its_phase_alone() {
    // A generated city has no item histories, so no dates: the subtitle must not dangle a "·".
    let dir = tempfile::tempdir().expect("temp dir");
    let city = tools::gen_city(200, dir.path());
    let plan = io::load_path(&city).expect("the city loads").plan;
    let (index, cache) = GeometryCache::with_index(&plan);
    let svg = |phase| {
        let s = spec(phase, [1200.0, 800.0], 1.0, ThemeMode::Kind);
        map::layout(&plan, &index, &cache, &s, &Default::default()).expect("lays out").to_svg()
    };
    assert!(svg(Some(Phase::After)).contains(">改造后</text>"), "after: the phase alone");
    assert!(svg(Some(Phase::Before)).contains(">改造前</text>"), "before: the phase alone");
    assert!(svg(None).contains(">改造前 · 改造后</text>"), "compare: both phases");
    // Jinsong has dates: they stay.
    let doc = Document::jinsong();
    let cache = GeometryCache::build(doc.plan());
    let s = spec(Some(Phase::After), [1200.0, 800.0], 1.0, ThemeMode::Kind);
    let svg = map::layout(doc.plan(), doc.index(), &cache, &s, &Default::default()).expect("lays out").to_svg();
    assert!(svg.contains("改造后 · 20"), "a dated plan shows its date");
}

/// A map's cache made for its scale (`map::print_cache`) keeps many of a
/// city's buildings as boxes alone, and the map drawn from it is the map
/// drawn from every feature whole, in each phase; a cache too coarse for the
/// map's cameras is not drawn from (the map is the same again).
#[test]
fn a_map_drawn_from_its_scales_cache_is_the_map_drawn_from_every_feature_whole() {
    let dir = tempfile::tempdir().expect("temp dir");
    let city = tools::gen_city(10_000, dir.path());
    let plan = io::load_path(&city).expect("the city loads").plan;
    for phase in [None, Some(Phase::After)] {
        let spec = spec(phase.clone(), [640.0, 400.0], 1.0, ThemeMode::Kind);
        let (index, cache) = map::print_cache(&plan, &spec);
        // The SVG, and whether a cache of every feature whole had to be made for it.
        let svg = |cache: &GeometryCache| {
            let layout = map::layout(&plan, &index, cache, &spec, &Default::default()).expect("lays out");
            (layout.to_svg(), layout.drawn_whole())
        };
        let (scaled, remade) = svg(&cache);
        assert!(!remade, "{phase:?}: the scale's cache does not serve the map's cameras");
        // Some of each: the smaller buildings are dots at this size, the larger drawn as shapes.
        let boxed =
            plan.iter().filter(|(id, f)| f.kind == Kind::Building && cache.get(*id).is_some_and(|e| e.boxed)).count();
        assert!((1_000..9_000).contains(&boxed), "{boxed} of the city's 10,000 buildings kept as boxes alone");
        let (whole, _) = svg(&GeometryCache::for_print(&plan).1);
        assert!(scaled == whole, "{phase:?}: the map differs from the one drawn from every feature whole");
        let (coarse, remade) = svg(&GeometryCache::for_print_at(&plan, 1e12));
        assert!(remade && coarse == whole, "{phase:?}: drawn from a cache too coarse for its cameras");
    }
}

/// A print's cache (`GeometryCache::for_print`) is the window's without the
/// triangles: the same vertices, rings, boxes, labels and label anchors.
#[test]
fn a_print_cache_is_the_window_cache_without_triangles() {
    let plan = io::load_jinsong().plan;
    let (full, print) = (GeometryCache::build(&plan), GeometryCache::for_print(&plan).1);
    assert!(print.tris.is_empty() && !full.tris.is_empty());
    let mut after = 0;
    for (id, _) in plan.iter() {
        for p in [Presence::AsBefore, Presence::AsAfter] {
            let (Some(a), Some(b)) = (full.get_in(id, p), print.get_in(id, p)) else { panic!("{id:?} not prepared") };
            after += usize::from(p == Presence::AsAfter && a.verts != full.get(id).expect("prepared").verts);
            assert!(b.tris.is_empty());
            assert_eq!((&a.verts, &a.rings, &a.lines, &a.points), (&b.verts, &b.rings, &b.lines, &b.points), "{id:?}");
            assert_eq!(
                (a.bbox, a.anchor, &a.label, a.kind, a.width_m),
                (b.bbox, b.anchor, &b.label, b.kind, b.width_m)
            );
        }
    }
    assert!(after > 0, "Jinsong's modified features have an after state");
    assert_eq!((full.verts, full.parts), (print.verts, print.parts));
}

/// A print's index, the boxes without a tree, answers every question as the tree does.
#[test]
fn boxes_alone_answer_as_the_tree_does() {
    let plan = io::load_jinsong().plan;
    let (tree, flat) = (SpatialIndex::build(&plan), SpatialIndex::boxes_only(&plan));
    assert_eq!((flat.len(), flat.extent()), (tree.len(), tree.extent()));
    assert_eq!(flat.difference(&tree), None);
    let [w, s, e, n] = tree.extent().expect("an extent");
    let sorted = |ix: &SpatialIndex, r| {
        let mut v: Vec<FeatureId> = ix.query(r).collect();
        v.sort();
        v
    };
    // A grid of windows and of clicks over the district and a little beyond it.
    let mut hits = 0;
    for i in 0..=8 {
        for j in 0..=8 {
            let (x, y) = (w + (e - w) * (i as f64 - 0.5) / 7.0, s + (n - s) * (j as f64 - 0.5) / 7.0);
            let r = [x, y, x + (e - w) / 5.0, y + (n - s) / 5.0];
            assert_eq!(sorted(&flat, r), sorted(&tree, r), "window {r:?}");
            for tol in [1.0, 15.0] {
                let hit = tree.hit_test(&plan, x, y, tol);
                hits += usize::from(hit.is_some());
                assert_eq!(flat.hit_test(&plan, x, y, tol), hit, "click {x}, {y}");
            }
        }
    }
    assert!(hits > 20, "the clicks hit something ({hits})");
    assert_eq!(sorted(&flat, [w, s, e, n]).len(), plan.len());
}
