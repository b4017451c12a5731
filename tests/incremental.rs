//! Incremental state: the spatial index, the drawing cache, the window's counts
//! by kind and the thematic colours of the item modes are updated only for the
//! features an edit touched. After any sequence of edits, undos and redos they
//! must hold exactly what a fresh build of the same plan holds. Seeded random
//! sequences of every kind of edit check that.

use geo::{Coord, Geometry, LineString, MultiPoint, MultiPolygon, Point, Polygon};
use serde_json::{Map, json};

use renewal_planner::document::{Document, Source};
use renewal_planner::edit::{Edit, EditLabel};
use renewal_planner::model::Phase;
use renewal_planner::model::{
    CatalogueEntry, Category, Change, ChangeKind, Feature, FeatureId, Item, ItemLinks, Kind, NationalClass, Plan,
    PlanMeta, SpatialIndex, Status, Story, TitleBlock,
};
use renewal_planner::render::GeometryCache;
use renewal_planner::render::style::Rgba;
use renewal_planner::render::tally::Tally;
use renewal_planner::render::theme::{ThemeMode, feature_colors, update_feature_colors};

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

/// A random shape of every geometry type the cache prepares differently:
/// points, lines, rectangles, L-shapes, polygons with a hole, several parts.
fn random_geometry(rng: &mut Rng, near: Coord<f64>) -> Geometry<f64> {
    let c = Coord { x: near.x + rng.unit() * 0.002, y: near.y + rng.unit() * 0.002 };
    let (w, h) = (0.0001 + rng.unit().abs() * 0.0004, 0.0001 + rng.unit().abs() * 0.0003);
    let rect = |c: Coord<f64>, w: f64, h: f64| {
        LineString::from(vec![(c.x, c.y), (c.x + w, c.y), (c.x + w, c.y + h), (c.x, c.y + h), (c.x, c.y)])
    };
    match rng.below(7) {
        0 => Point::from(c).into(),
        1 => MultiPoint::from(vec![Point::from(c), Point::new(c.x + w, c.y + h)]).into(),
        2 => LineString::from(vec![(c.x, c.y), (c.x + w, c.y + h / 2.0), (c.x + 2.0 * w, c.y - h)]).into(),
        3 => Polygon::new(rect(c, w, h), vec![]).into(),
        4 => Polygon::new(
            LineString::from(vec![
                (c.x, c.y),
                (c.x + w, c.y),
                (c.x + w, c.y + h / 3.0),
                (c.x + w / 3.0, c.y + h / 3.0),
                (c.x + w / 3.0, c.y + h),
                (c.x, c.y + h),
                (c.x, c.y),
            ]),
            vec![],
        )
        .into(),
        5 => Polygon::new(
            rect(c, w, h),
            vec![rect(Coord { x: c.x + w / 4.0, y: c.y + h / 4.0 }, w / 2.0, h / 2.0).into_iter().rev().collect()],
        )
        .into(),
        _ => MultiPolygon::new(vec![
            Polygon::new(rect(c, w, h), vec![]),
            Polygon::new(rect(Coord { x: c.x + 2.0 * w, y: c.y }, w, h), vec![]),
        ])
        .into(),
    }
}

/// Properties that change what the cache prepares: names (label texts), a
/// building number, a line width — and one that changes nothing drawn.
fn random_property(rng: &mut Rng) -> (String, Option<serde_json::Value>) {
    let key = *rng.pick(&["name", "name_zh", "name_en", "number", "楼号", "width_m", "floors", "note"]);
    let value = match (rng.below(4), key) {
        (0, _) => None,
        (_, "width_m" | "floors") => Some(json!(rng.below(30))),
        (_, "name" | "name_en") => Some(json!(format!("Lane {}", rng.below(50)))),
        _ => Some(json!(format!("{}号院", rng.below(50)))),
    };
    (key.to_string(), value)
}

fn random_change(rng: &mut Rng, plan: &Plan, at: Coord<f64>) -> Option<Box<Change>> {
    let kind = match rng.below(4) {
        0 => return None,
        1 => ChangeKind::Added,
        2 => ChangeKind::Removed,
        _ => ChangeKind::Modified,
    };
    let mut c = Change::new(kind);
    c.by_items = plan.items.keys().take(rng.below(3)).cloned().collect();
    if kind == ChangeKind::Modified {
        if rng.below(2) == 0 {
            c.after_geometry = Some(random_geometry(rng, at));
        }
        if rng.below(2) == 0 {
            let (key, value) = random_property(rng);
            c.after_properties.insert(key, value.unwrap_or(json!("改造后")));
        }
    }
    Some(Box::new(c))
}

fn centre(plan: &Plan, id: FeatureId) -> Coord<f64> {
    plan.get(id).and_then(|f| f.bbox()).map(|r| r.center()).unwrap_or(Coord { x: 116.46, y: 39.88 })
}

/// One random edit of any kind, valid for the plan as it is.
fn random_edit(plan: &Plan, rng: &mut Rng) -> Edit {
    let ids: Vec<FeatureId> = plan.iter().map(|(id, _)| id).collect();
    let item_ids: Vec<String> = plan.items.keys().cloned().collect();
    let any = |rng: &mut Rng| *rng.pick(&ids);
    match rng.below(15) {
        0 => {
            let changes = (0..1 + rng.below(3)).map(|_| (any(rng), *rng.pick(&Kind::ALL))).collect();
            Edit::SetKind { changes }
        }
        1 | 2 => {
            let (key, value) = random_property(rng);
            Edit::SetProperty { feature: any(rng), key, value }
        }
        3 => {
            let id = any(rng);
            let at = centre(plan, id);
            let geometry = if rng.below(2) == 0 {
                renewal_planner::model::geom_edit::translate(&plan.get(id).expect("feature").geometry, 0.0002, -0.0001)
            } else {
                random_geometry(rng, at)
            };
            Edit::SetGeometry { feature: id, geometry: Box::new(geometry), label: EditLabel::MoveFeature }
        }
        4 | 5 => {
            let id = any(rng);
            Edit::SetChange {
                feature: id,
                change: random_change(rng, plan, centre(plan, id)),
                label: EditLabel::SetAfter,
            }
        }
        6 => {
            let (id, key) = plan.next_feature();
            let at = centre(plan, any(rng));
            let mut props = Map::new();
            if rng.below(2) == 0 {
                props.insert("number".into(), json!(format!("{}", 100 + rng.below(100))));
            }
            let mut f = Feature::new(*rng.pick(&Kind::ALL), props, random_geometry(rng, at));
            f.source_id = Some(key.as_str().into());
            Edit::AddFeature { id, feature: Box::new(f), label: EditLabel::DrawFeature }
        }
        7 if ids.len() > 3 => Edit::RemoveFeature { id: any(rng), label: EditLabel::DeleteFeature },
        8 => {
            let features: Vec<String> = (0..1 + rng.below(3)).filter_map(|_| plan.key(any(rng))).collect();
            let id = plan.new_item_id("it-prop");
            let item = Item::new(id.clone(), "elevator_retrofit".into(), features, "2020-01-01", 500_000);
            Edit::PutItem { id, item: Some(Box::new(item)), label: EditLabel::AddItem }
        }
        9 if !item_ids.is_empty() => {
            let id = rng.pick(&item_ids).clone();
            if rng.below(3) == 0 {
                Edit::PutItem { id, item: None, label: EditLabel::RemoveItem }
            } else {
                let mut item = plan.items[&id].clone();
                item.set_status(*rng.pick(&Status::ALL), "2021-05-01");
                if let Some(key) = plan.key(any(rng)) {
                    item.features.push(key);
                }
                Edit::PutItem { id, item: Some(Box::new(item)), label: EditLabel::AttachItem }
            }
        }
        10 => {
            let id = format!("custom_{}", rng.below(3));
            let entry = CatalogueEntry {
                id: id.clone(),
                name_zh: "口袋花园".into(),
                name_en: "Pocket garden".into(),
                category: Category::PublicSpace,
                class: NationalClass::Improvement,
                applies_to: vec![Kind::Garden],
                unit: None,
                unit_cost_yuan: None,
                note_en: None,
            };
            Edit::PutCatalogueEntry { id, entry: (rng.below(4) != 0).then(|| Box::new(entry)) }
        }
        11 => {
            let mut stories = plan.stories.clone();
            match rng.below(3) {
                0 => stories.push(Story {
                    id: format!("story-{}", rng.below(100)),
                    name_zh: "改造前后".into(),
                    name_en: "Before and after".into(),
                    slides: Vec::new(),
                }),
                1 => stories.reverse(),
                _ => {
                    stories.pop();
                }
            }
            Edit::SetStories { stories, label: EditLabel::EditStory }
        }
        12 => Edit::SetTitleBlock {
            block: TitleBlock {
                sheet_number: format!("JS-{:02}", rng.below(20)),
                drawn_by: "王工".into(),
                checked_by: if rng.below(2) == 0 { String::new() } else { "李工".into() },
            },
        },
        13 if ids.len() > 6 => {
            // Deleting a selection, as the window does: features drawn for the renewal
            // are removed, others marked removed after it; one undo step.
            let mut selected: Vec<FeatureId> = (0..1 + rng.below(4)).map(|_| any(rng)).collect();
            selected.sort();
            selected.dedup();
            let edits = selected
                .into_iter()
                .map(|id| {
                    if rng.below(2) == 0 {
                        Edit::RemoveFeature { id, label: EditLabel::DeleteFeature }
                    } else {
                        let change = Change::new(ChangeKind::Removed);
                        Edit::SetChange { feature: id, change: Some(Box::new(change)), label: EditLabel::MarkRemoved }
                    }
                })
                .collect();
            Edit::Batch { label: EditLabel::DeleteFeature, edits }
        }
        _ => {
            // One gesture touching several features at once, undone together.
            let a = any(rng);
            let (key, value) = random_property(rng);
            let at = centre(plan, a);
            Edit::Batch {
                label: EditLabel::SetKind,
                edits: vec![
                    Edit::SetKind { changes: vec![(a, *rng.pick(&Kind::ALL)), (any(rng), Kind::Building)] },
                    Edit::SetProperty { feature: any(rng), key, value },
                    Edit::SetGeometry {
                        feature: a,
                        geometry: Box::new(random_geometry(rng, at)),
                        label: EditLabel::MoveVertex,
                    },
                    Edit::SetChange {
                        feature: any(rng),
                        change: random_change(rng, plan, at),
                        label: EditLabel::SetAfter,
                    },
                ],
            }
        }
    }
}

/// The item modes' colours in a few phases, as the window keeps them: by mode and phase.
type Themes = Vec<(ThemeMode, Phase, Vec<Option<Rgba>>)>;

/// Fresh colours of every item mode in before, after and two dates.
fn fresh_themes(plan: &Plan) -> Themes {
    let phases = [Phase::Before, Phase::After, Phase::AsOf("2020-06-01".into()), Phase::AsOf("2021-05-01".into())];
    let mut themes = Vec::new();
    for mode in [ThemeMode::Status, ThemeMode::Category, ThemeMode::Funding] {
        for phase in &phases {
            let colors = feature_colors(plan, mode, None, phase).map(|c| c.to_vec()).unwrap_or_default();
            themes.push((mode, phase.clone(), colors));
        }
    }
    themes
}

/// Runs `steps` random edits, undos and redos on the document, keeping a
/// drawing cache, the counts by kind and the item modes' colours in step as the
/// window does, and checks them all against fresh builds after every step.
fn edits_keep_the_index_and_cache_equal_to_fresh_builds(mut doc: Document, seed: u64, steps: usize) {
    let mut rng = Rng(seed);
    let mut cache = GeometryCache::build(doc.plan());
    let mut tally = Tally::build(doc.plan());
    let mut themes = fresh_themes(doc.plan());
    let mut kinds = [0usize; 3];
    for step in 0..steps {
        let (what, touched) = match rng.below(10) {
            0 | 1 => ("undo", doc.undo().map(|r| r.unwrap_or_else(|e| panic!("seed {seed} step {step}: undo: {e}")))),
            2 | 3 => ("redo", doc.redo().map(|r| r.unwrap_or_else(|e| panic!("seed {seed} step {step}: redo: {e}")))),
            _ => {
                let edit = random_edit(doc.plan(), &mut rng);
                let what = format!("{edit:?}");
                let touched = doc.apply(edit).unwrap_or_else(|e| panic!("seed {seed} step {step}: {e}: {what}"));
                ("edit", Some(touched))
            }
        };
        let Some(touched) = touched else { continue };
        kinds[["edit", "undo", "redo"].iter().position(|k| *k == what).unwrap_or(0)] += 1;
        cache.update(doc.plan(), &touched);
        if let Some(d) = doc.index().difference(&SpatialIndex::build(doc.plan())) {
            panic!("seed {seed} step {step} ({what}): the index differs from a fresh one: {d}");
        }
        if let Some(d) = cache.difference(&GeometryCache::build(doc.plan())) {
            panic!("seed {seed} step {step} ({what}): the drawing cache differs from a fresh one: {d}");
        }
        assert!(
            *doc.links() == ItemLinks::build(doc.plan()),
            "seed {seed} step {step} ({what}): the item links differ from fresh ones"
        );
        tally.update(doc.plan(), &touched);
        let fresh = Tally::build(doc.plan());
        assert_eq!(tally.counts(), fresh.counts(), "seed {seed} step {step} ({what}): counts by kind");
        assert_eq!(tally.changed(), fresh.changed(), "seed {seed} step {step} ({what}): changed features");
        assert_eq!(tally.features(), doc.plan().len(), "seed {seed} step {step} ({what}): features");
        assert_eq!(tally, fresh, "seed {seed} step {step} ({what}): each feature counted as a fresh count does");
        for ((mode, phase, colors), (_, _, fresh)) in themes.iter_mut().zip(fresh_themes(doc.plan())) {
            assert!(
                update_feature_colors(colors, doc.plan(), doc.links(), *mode, phase, &touched),
                "{mode:?} is an item mode"
            );
            assert!(
                *colors == fresh,
                "seed {seed} step {step} ({what}): {mode:?} colours {phase:?} differ from fresh ones"
            );
        }
    }
    assert!(kinds.iter().all(|n| *n > 0), "seed {seed}: edits, undos and redos all ran: {kinds:?}");
}

/// A small district: a boundary, numbered buildings (one with a courtyard,
/// one in two parts), a street, a garden and points, some changed after the
/// renewal and some with items.
fn small_plan() -> Plan {
    let mut plan = Plan::new(PlanMeta::default());
    let mut rng = Rng(0x5eed);
    let origin = Coord { x: 116.4612, y: 39.8875 };
    let mut props = Map::new();
    props.insert("name".into(), json!("劲松小区"));
    plan.push(Feature::new(
        Kind::Boundary,
        props,
        Polygon::new(
            LineString::from(vec![
                (116.458, 39.885),
                (116.464, 39.885),
                (116.464, 39.890),
                (116.458, 39.890),
                (116.458, 39.885),
            ]),
            vec![],
        )
        .into(),
    ));
    for i in 0..24 {
        let mut props = Map::new();
        props.insert("number".into(), json!(format!("{}", 101 + i)));
        let kind = [Kind::Building, Kind::Building, Kind::Street, Kind::Garden, Kind::Node, Kind::Core][i % 6];
        let mut f = Feature::new(kind, props, random_geometry(&mut rng, origin));
        if i % 5 == 0 {
            f.change = random_change(&mut rng, &plan, origin);
        }
        plan.push(f);
    }
    for i in 0..4 {
        let keys: Vec<String> = (0..2).filter_map(|k| plan.key(FeatureId(1 + i * 3 + k))).collect();
        let id = plan.new_item_id("it-small");
        plan.items.insert(id.clone(), Item::new(id, "elevator_retrofit".into(), keys, "2020-03-01", 800_000));
    }
    plan
}

#[test]
fn random_edits_undos_and_redos_of_the_jinsong_plan_keep_index_cache_counts_and_colours_as_fresh_builds() {
    for seed in [1, 2] {
        edits_keep_the_index_and_cache_equal_to_fresh_builds(Document::jinsong(), seed, 200);
    }
}

#[test]
fn random_edits_undos_and_redos_of_a_small_plan_keep_index_cache_counts_and_colours_as_fresh_builds() {
    for seed in [3, 4, 5] {
        let plan = small_plan();
        let index = SpatialIndex::build(&plan);
        let doc = Document::from_parts(plan, index, Vec::new(), Source::Jinsong);
        edits_keep_the_index_and_cache_equal_to_fresh_builds(doc, seed, 150);
    }
}

#[test]
fn counts_and_colours_not_told_about_a_touched_feature_differ_from_fresh_ones() {
    // The checks above must be able to fail: an edit followed for none of the features it touched.
    let mut doc = Document::jinsong();
    let tally = Tally::build(doc.plan());
    let mut colors = feature_colors(doc.plan(), ThemeMode::Status, None, &Phase::After).expect("colours").to_vec();
    let (id, item) = doc.plan().items.iter().next().map(|(id, i)| (id.clone(), i.clone())).expect("an item");
    doc.apply(Edit::PutItem { id, item: None, label: EditLabel::RemoveItem }).expect("removed");
    assert!(update_feature_colors(&mut colors, doc.plan(), doc.links(), ThemeMode::Status, &Phase::After, &[]));
    let fresh = feature_colors(doc.plan(), ThemeMode::Status, None, &Phase::After).expect("colours");
    assert!(*fresh != colors, "the removed item's features are no longer coloured by it: {:?}", item.features);
    let building = doc.plan().iter().find(|(_, f)| f.kind == Kind::Building).map(|(id, _)| id).expect("a building");
    doc.apply(Edit::SetKind { changes: vec![(building, Kind::Garden)] }).expect("kind set");
    assert_ne!(tally.counts(), Tally::build(doc.plan()).counts());
    // The modes not coloured by items are not followed feature by feature: the window works them out whole.
    for mode in [ThemeMode::Kind, ThemeMode::Consent, ThemeMode::SpaceUse, ThemeMode::TermLeft] {
        assert!(!update_feature_colors(&mut colors, doc.plan(), doc.links(), mode, &Phase::After, &[building]));
    }
}

#[test]
fn the_comparison_notices_a_feature_the_index_and_cache_were_not_told_about() {
    // The check must be able to fail: edit the plan behind the document's back.
    let plan = small_plan();
    let index = SpatialIndex::build(&plan);
    let cache = GeometryCache::build(&plan);
    let mut moved = plan.clone();
    let id = FeatureId(2);
    let shifted = renewal_planner::model::geom_edit::translate(&plan.get(id).expect("feature").geometry, 0.001, 0.0);
    Edit::SetGeometry { feature: id, geometry: Box::new(shifted), label: EditLabel::MoveFeature }
        .apply(&mut moved)
        .expect("moved");
    assert!(index.difference(&SpatialIndex::build(&moved)).is_some_and(|d| d.contains("feature 2")));
    assert!(cache.difference(&GeometryCache::build(&moved)).is_some_and(|d| d.contains("feature 2")));
    let mut renamed = plan.clone();
    // Feature 1 is a building: its number is its label.
    Edit::SetProperty { feature: FeatureId(1), key: "number".into(), value: Some(json!("999")) }
        .apply(&mut renamed)
        .expect("renamed");
    assert!(cache.difference(&GeometryCache::build(&renamed)).is_some_and(|d| d.contains("label")));
    assert!(index.difference(&SpatialIndex::build(&plan)).is_none());
    assert!(cache.difference(&GeometryCache::build(&plan)).is_none());
}
