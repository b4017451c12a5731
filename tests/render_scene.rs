//! The map scene drawn from the embedded Jinsong plan: streets, labels,
//! building numbers, removed features, what a frame touches. (Moved from the
//! unit tests of `render::scene`: `render` may not open a document.)

use std::collections::BTreeSet;

use renewal_planner::document::Document;
use renewal_planner::model::{ChangeKind, FeatureId, Kind, Lang, Phase};
use renewal_planner::render::scene::{POINT_LABEL_EMS, break_lines, text_width, wrap};
use renewal_planner::render::style::{self, kind_style};
use renewal_planner::render::{Camera, GeometryCache, Op, Scene, SceneOptions};

fn jinsong_scene(zoom: f64) -> (Document, Scene, Camera) {
    let doc = Document::jinsong();
    let cache = GeometryCache::build(doc.plan());
    let ext = doc.index().extent().expect("extent");
    let mut cam = Camera::fit(ext, [1280.0, 800.0], 30.0);
    cam.zoom_at(zoom, [640.0, 400.0]);
    let scene = Scene::build(doc.plan(), doc.index(), &cache, &cam, &SceneOptions::default());
    (doc, scene, cam)
}

#[test]
fn streets_are_drawn_at_their_real_width_when_zoomed_in() {
    let (doc, scene, cam) = jinsong_scene(1.0);
    let id = doc.plan().iter().find(|(_, f)| f.name_zh() == Some("劲松西街")).map(|(id, _)| id).expect("street");
    let widest = scene
        .items
        .iter()
        .filter(|i| i.feature == id)
        .filter_map(|i| match &i.op {
            Op::Line { stroke, .. } => Some(stroke.width),
            _ => None,
        })
        .fold(0.0f32, f32::max);
    let expected = 14.0 / cam.ground_mpp() as f32;
    assert!(widest >= expected, "劲松西街 drawn {widest}px wide, expected at least {expected}px");
}

#[test]
fn labels_thin_out_as_the_map_zooms_out_and_never_overlap() {
    let (_, near, _) = jinsong_scene(2.0);
    let (_, far, _) = jinsong_scene(0.2);
    assert!(near.labels.len() > far.labels.len(), "{} near vs {} far", near.labels.len(), far.labels.len());
    for scene in [&near, &far] {
        for (i, a) in scene.labels.iter().enumerate() {
            for b in &scene.labels[i + 1..] {
                let overlap =
                    a.rect[0] < b.rect[2] && b.rect[0] < a.rect[2] && a.rect[1] < b.rect[3] && b.rect[1] < a.rect[3];
                assert!(!overlap, "{} overlaps {}", a.text, b.text);
            }
        }
    }
}

/// The numbers of Jinsong's buildings, from the plan.
fn building_numbers(doc: &Document) -> Vec<String> {
    let mut n: Vec<String> = doc
        .plan()
        .iter()
        .filter(|(_, f)| f.kind == Kind::Building)
        .filter_map(|(_, f)| f.number().map(|n| format!("{n}楼")))
        .collect();
    n.sort();
    n
}

fn scene_at(doc: &Document, size: [f32; 2], opts: &SceneOptions) -> Scene {
    let cache = GeometryCache::build(doc.plan());
    let cam = Camera::fit(doc.index().extent().expect("extent"), size, 30.0);
    Scene::build(doc.plan(), doc.index(), &cache, &cam, opts)
}

#[test]
fn every_building_keeps_its_number_at_fit_zoom_in_both_phases() {
    let doc = Document::jinsong();
    let numbers = building_numbers(&doc);
    assert_eq!(numbers.len(), 43);
    // The map area of the default 1280×800 window (between the layer list and the
    // inspector, under the tool and phase bars), and a full-screen map.
    for size in [[730.0, 690.0], [1280.0, 800.0]] {
        for phase in [Phase::Before, Phase::After] {
            let opts = SceneOptions { phase: phase.clone(), highlight_changes: true, ..SceneOptions::default() };
            let scene = scene_at(&doc, size, &opts);
            let shown: BTreeSet<&str> = scene.labels.iter().map(|l| l.text.as_str()).collect();
            let missing: Vec<&String> = numbers.iter().filter(|n| !shown.contains(n.as_str())).collect();
            assert!(missing.is_empty(), "{phase:?} at {size:?}: {missing:?} missing");
            // And point labels were still placed (beside their symbols), not all given up.
            let points =
                scene.labels.iter().filter(|l| doc.plan().get(l.feature).is_some_and(|f| f.kind == Kind::Node)).count();
            assert!(points > 0, "{phase:?}: no facility labels at all");
        }
    }
}

#[test]
fn point_labels_sit_beside_their_symbol_and_inside_the_frame() {
    let doc = Document::jinsong();
    let size = [1280.0, 800.0];
    let opts = SceneOptions { phase: Phase::After, lang: Lang::En, ..SceneOptions::default() };
    let scene = scene_at(&doc, size, &opts);
    let cache = GeometryCache::build(doc.plan());
    let cam = Camera::fit(doc.index().extent().expect("extent"), size, 30.0);
    let mut beside = 0;
    for l in &scene.labels {
        assert!(
            l.rect[0] >= 0.0 && l.rect[1] >= 0.0 && l.rect[2] <= size[0] && l.rect[3] <= size[1],
            "{} runs off the map: {:?}",
            l.text,
            l.rect
        );
        let Some(e) = cache.get(l.feature) else { continue };
        if e.kind == Kind::Node && e.rings.is_empty() {
            let b = doc.plan().get(l.feature).and_then(|f| f.bbox()).expect("point");
            let c = cam.lonlat_to_screen(b.min().x, b.min().y);
            let r = kind_style(Kind::Node).marker_radius;
            let covers = l.rect[0] < c[0] + r && c[0] - r < l.rect[2] && l.rect[1] < c[1] + r && c[1] - r < l.rect[3];
            assert!(!covers, "{} covers its own symbol", l.text);
            beside += 1;
        }
    }
    assert!(beside > 0, "some point labels are placed");
}

#[test]
fn long_english_labels_wrap_to_two_lines_within_their_width() {
    let text = "Barrier-free ramp (Building 101, stairway 1)";
    let max = POINT_LABEL_EMS * style::LABEL_SIZE_SMALL;
    // Too long for two lines: the parenthesis is left out.
    assert_eq!(wrap(text, style::LABEL_SIZE_SMALL, max), vec!["Barrier-free ramp".to_string()]);
    let lines = wrap("Community Health Service Station", style::LABEL_SIZE_SMALL, max);
    assert_eq!(lines, vec!["Community Health".to_string(), "Service Station".to_string()]);
    let canteen = wrap("Community Canteen (Meihao Neighbourhood Canteen of Jinsong)", style::LABEL_SIZE_SMALL, max);
    assert_eq!(canteen, vec!["Community Canteen".to_string()]);
    let long = wrap(
        "Community Canteen and Meihao Neighbourhood Canteen of Jinsong District One",
        style::LABEL_SIZE_SMALL,
        max,
    );
    assert_eq!(long.len(), 2);
    assert!(long[1].ends_with('…'), "{long:?}");
    for l in lines.iter().chain(&long) {
        assert!(text_width(l, style::LABEL_SIZE_SMALL) <= max, "{l}");
    }
    // Chinese breaks between characters; short labels stay as they are.
    assert_eq!(wrap("101楼", 11.5, 100.0), vec!["101楼".to_string()]);
    assert_eq!(break_lines("劲松一区二区", 10.0, 30.0), vec!["劲松一", "区二区"]);
    assert_eq!(wrap("劲松一区二区", 10.0, 40.0), vec!["劲松一", "区二区"]);
    // In the English map no label is wider than its bound.
    let doc = Document::jinsong();
    let scene = scene_at(&doc, [1280.0, 800.0], &SceneOptions { lang: Lang::En, ..SceneOptions::default() });
    for l in &scene.labels {
        assert!(l.text.lines().count() <= 2, "{}", l.text);
        assert!(l.rect[2] - l.rect[0] <= 14.0 * style::LABEL_SIZE_LARGE + 4.0, "{}", l.text);
    }
}

#[test]
fn removed_features_are_crossed_out_not_dashed_like_the_boundary() {
    let doc = Document::jinsong();
    let removed: Vec<FeatureId> = doc
        .plan()
        .iter()
        .filter(|(_, f)| f.change.as_ref().is_some_and(|c| c.kind == ChangeKind::Removed))
        .map(|(id, _)| id)
        .collect();
    assert!(!removed.is_empty());
    let opts = SceneOptions { phase: Phase::After, ghosts: true, ..SceneOptions::default() };
    let scene = scene_at(&doc, [1280.0, 800.0], &opts);
    for id in &removed {
        let ops: Vec<&Op> = scene.items.iter().filter(|i| i.feature == *id).map(|i| &i.op).collect();
        let crossed = ops.iter().any(|op| matches!(op, Op::Line { stroke, .. } if *stroke == style::REMOVED_CROSS));
        assert!(crossed, "{id:?} is not crossed out: {ops:?}");
        let boundary = kind_style(Kind::Boundary).stroke;
        let like_boundary = ops.iter().any(|op| match op {
            Op::Line { stroke, .. } | Op::Area { stroke: Some(stroke), .. } => {
                stroke.dash == boundary.dash && stroke.color == boundary.color
            }
            _ => false,
        });
        assert!(!like_boundary, "{id:?} looks like the boundary");
    }
}

#[test]
fn a_frame_touches_only_what_is_in_view() {
    let (doc, near, _) = jinsong_scene(8.0);
    assert!(near.features_in_view < doc.plan().len(), "{} of {}", near.features_in_view, doc.plan().len());
}

/// A city's service points (here 20,000 on a 10 km square) at city zoom: symbols shrink and thin
/// out to about one a symbol-wide cell instead of burying the streets; at street zoom each is drawn
/// at full size. The same scene is every export's, so print maps thin them the same way.
#[test]
fn crowded_points_shrink_and_thin_out_at_city_scales_and_are_whole_at_street_zoom() {
    use renewal_planner::model::{Feature, Plan, PlanMeta, SpatialIndex};
    use renewal_planner::render::scene::marker_scale;
    let mut plan = Plan::new(PlanMeta::default());
    let mut seed = 7u64;
    let mut next = || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    for _ in 0..20_000 {
        let p = geo::Point::new(116.40 + next() * 0.12, 39.88 + next() * 0.09);
        plan.push(Feature::new(Kind::Node, serde_json::Map::new(), geo::Geometry::Point(p)));
    }
    let index = SpatialIndex::build(&plan);
    let doc = Document::from_parts(plan, index, Vec::new(), renewal_planner::document::Source::Jinsong);
    let cache = GeometryCache::build(doc.plan());
    let opts = SceneOptions { labels: false, ..SceneOptions::default() };
    let cam = Camera::fit(doc.index().extent().expect("extent"), [1280.0, 800.0], 0.0);
    let city = Scene::build(doc.plan(), doc.index(), &cache, &cam, &opts);
    let full = kind_style(Kind::Node).marker_radius;
    let markers = marker_radii(&city);
    assert!(cam.ground_mpp() > 8.0, "city zoom: {} m/px", cam.ground_mpp());
    let scale = marker_scale(cam.ground_mpp() as f32);
    assert!(scale < 0.8, "{scale}");
    assert!(markers.iter().all(|r| (*r - (full * scale).max(1.5)).abs() < 1e-4), "{:?}", &markers[..3]);
    // About one symbol per cell: far fewer than 20,000, and at most one per cell of the frame.
    let cell = 2.0 * (full * scale).max(1.5) + 1.0;
    let cells = ((1280.0 / cell).ceil() * (800.0 / cell).ceil()) as usize;
    assert!(markers.len() <= cells && markers.len() < 20_000 * 3 / 4, "{} markers, {cells} cells", markers.len());
    assert!(markers.len() > cells / 4, "the points still show where they are: {} of {cells} cells", markers.len());

    let mut street = cam;
    street.zoom_at(40.0, [640.0, 400.0]);
    assert!(street.ground_mpp() <= 4.0, "{}", street.ground_mpp());
    let near = Scene::build(doc.plan(), doc.index(), &cache, &street, &opts);
    let near_markers = marker_radii(&near);
    assert_eq!(near_markers.len(), near.features_in_view, "every point in view is drawn at street zoom");
    assert!(near_markers.iter().all(|r| *r == full));
}

/// The radius of every point symbol a scene draws.
fn marker_radii(scene: &Scene) -> Vec<f32> {
    scene
        .items
        .iter()
        .filter_map(|i| match i.op {
            Op::Marker { radius, .. } => Some(radius),
            _ => None,
        })
        .collect()
}

/// The pointer's highlight is its own small scene over the map's (moving the
/// pointer over a city rebuilds nothing): the hovered building's outline in
/// the hover colour, nothing for the district boundary or a selected feature,
/// and the map's own scene carries no hover highlight at all.
#[test]
fn the_hover_highlight_is_drawn_over_the_scene_not_in_it() {
    let doc = Document::jinsong();
    let cache = GeometryCache::build(doc.plan());
    let cam = Camera::fit(doc.index().extent().expect("extent"), [1280.0, 800.0], 30.0);
    let find = |kind: Kind| doc.plan().iter().find(|(_, f)| f.kind == kind).map(|(id, _)| id).expect("a feature");
    let building = find(Kind::Building);
    let hovering = |id: FeatureId, selected: BTreeSet<FeatureId>| SceneOptions {
        hovered: Some(id),
        selected,
        ..SceneOptions::default()
    };
    let hover_strokes = |s: &Scene| {
        s.items
            .iter()
            .filter(|it| match &it.op {
                Op::Line { stroke, .. } | Op::Area { stroke: Some(stroke), .. } => stroke.color == style::HOVER.color,
                _ => false,
            })
            .map(|it| it.feature)
            .collect::<BTreeSet<_>>()
    };
    let over = Scene::hover(doc.plan(), &cache, &cam, &hovering(building, BTreeSet::new()), &Phase::After);
    assert_eq!(hover_strokes(&over), BTreeSet::from([building]));
    assert_eq!(over.background.0[3], 0, "a clear background, so the map shows through");
    let map = Scene::build(doc.plan(), doc.index(), &cache, &cam, &hovering(building, BTreeSet::new()));
    assert!(hover_strokes(&map).is_empty(), "the map's scene does not depend on the pointer");
    let boundary =
        Scene::hover(doc.plan(), &cache, &cam, &hovering(find(Kind::Boundary), BTreeSet::new()), &Phase::After);
    assert!(boundary.items.is_empty());
    let selected =
        Scene::hover(doc.plan(), &cache, &cam, &hovering(building, BTreeSet::from([building])), &Phase::After);
    assert!(selected.items.is_empty(), "a selected feature shows as selected");
}

/// A scene of `n` buildings 10 m across on a grid `cols` wide, a few hundred metres apart, at full extent.
fn tiny_buildings(n: usize, cols: usize, size: [f32; 2]) -> Scene {
    use renewal_planner::model::{Feature, Plan, PlanMeta, SpatialIndex};
    let mut plan = Plan::new(PlanMeta::default());
    for i in 0..n {
        let (x, y) = (116.40 + (i % cols) as f64 * 0.005, 39.88 + (i / cols) as f64 * 0.004);
        let ring = vec![(x, y), (x + 0.0001, y), (x + 0.0001, y + 0.0001), (x, y + 0.0001), (x, y)];
        let poly = geo::Polygon::new(geo::LineString::from(ring), vec![]);
        plan.push(Feature::new(Kind::Building, serde_json::Map::new(), geo::Geometry::Polygon(poly)));
    }
    let index = SpatialIndex::build(&plan);
    let doc = Document::from_parts(plan, index, Vec::new(), renewal_planner::document::Source::Jinsong);
    let cache = GeometryCache::build(doc.plan());
    let cam = Camera::fit(doc.index().extent().expect("extent"), size, 10.0);
    Scene::build(doc.plan(), doc.index(), &cache, &cam, &SceneOptions::default())
}

/// Features smaller than a pixel or two are dots (one item, no geometry) that every
/// output draws the same: the raster puts their colour on the pixel under them.
#[test]
fn sub_pixel_features_are_dots_every_output_draws() {
    let scene = tiny_buildings(400, 20, [400.0, 300.0]);
    let dots: Vec<[f32; 2]> = scene
        .items
        .iter()
        .filter_map(|it| match it.op {
            Op::Dot { at, color } => {
                assert_eq!(color, kind_style(Kind::Building).stroke.color);
                Some(at)
            }
            _ => None,
        })
        .collect();
    assert_eq!(dots.len(), 400, "each 10 m building a few km apart is a dot of its own");
    let svg = renewal_planner::render::svg::scene_group(&scene, 0.0, 0.0, "c");
    assert_eq!(svg.matches("<rect").count(), 401, "the background and a square a dot");
    let mut pixmap = tiny_skia::Pixmap::new(400, 300).expect("pixmap");
    renewal_planner::render::raster::draw_scene(&scene, &mut pixmap.as_mut(), [0.0, 0.0], 1.0, None);
    let bg = style::BACKGROUND.0;
    for at in dots {
        let p = pixmap.pixel(at[0] as u32, at[1] as u32).expect("inside");
        assert_ne!([p.red(), p.green(), p.blue()], [bg[0], bg[1], bg[2]], "a dot at {at:?}");
    }
}

/// A crowded layer's dots go into SVG (and so PDF) as one image, not a square each, so a
/// city's file stays proportional to what can be seen; the image shows each dot.
#[test]
fn a_crowded_layers_dots_are_one_image_in_svg() {
    use base64::Engine;
    let scene = tiny_buildings(3_000, 60, [900.0, 600.0]);
    let dots: Vec<[f32; 2]> = scene
        .items
        .iter()
        .filter_map(|it| match it.op {
            Op::Dot { at, .. } => Some(at),
            _ => None,
        })
        .collect();
    assert_eq!(dots.len(), 3_000);
    let svg = renewal_planner::render::svg::scene_group(&scene, 0.0, 0.0, "c");
    assert_eq!(svg.matches("<image").count(), 1, "one image for the layer");
    assert_eq!(svg.matches("<rect").count(), 1, "the background only: no square a dot");
    assert!(svg.len() < 200_000, "{} bytes for 3,000 dots", svg.len());
    let data = svg.split("base64,").nth(1).and_then(|t| t.split('"').next()).expect("the image's data");
    let png = base64::engine::general_purpose::STANDARD.decode(data).expect("base64");
    let image = tiny_skia::Pixmap::decode_png(&png).expect("a PNG");
    assert_eq!((image.width(), image.height()), (1800, 1200), "twice the scene's resolution");
    let want = kind_style(Kind::Building).stroke.color.0;
    for at in dots {
        let p = image.pixel((at[0] * 2.0) as u32, (at[1] * 2.0) as u32).expect("inside");
        assert!(p.alpha() > 128 && p.red().abs_diff(want[0]) < 40, "a dot at {at:?}: {p:?}");
    }
}
