//! Renewal items: the Jinsong plan's items, undo of any edit sequence, and
//! the plan's GeoJSON round trip.

use renewal_planner::document::Document;
use renewal_planner::edit::{Edit, EditLabel, History};
use renewal_planner::io;
use renewal_planner::model::catalogue::lookup;
use renewal_planner::model::{
    CatalogueEntry, Category, FeatureId, FundingSource, Item, Kind, NationalClass, Plan, Status, Summary,
};

fn jinsong() -> Plan {
    let d = Document::jinsong();
    assert!(d.warnings().is_empty(), "{:?}", d.warnings());
    (*d.plan()).clone()
}

#[test]
fn the_jinsong_plan_carries_its_items_across_the_four_categories() {
    let plan = jinsong();
    assert!(plan.items.len() >= 30, "{} items", plan.items.len());
    for cat in Category::ALL {
        assert!(
            plan.items
                .values()
                .any(|i| lookup(&plan.catalogue_additions, &i.catalogue).map(|e| e.category) == Some(cat)),
            "{cat:?}"
        );
    }
    for item in plan.items.values() {
        assert!(item.problems().is_empty(), "{}: {:?}", item.id, item.problems());
        assert!(!plan.features_of(item).is_empty(), "{} is on a feature", item.id);
        assert!(item.history.iter().all(|c| ("2018".."2022").contains(&&c.date[..4])), "{}", item.id);
        assert_eq!(item.history.last().map(|c| c.status), Some(item.status));
    }
    let elevators: Vec<_> = plan.items.values().filter(|i| i.catalogue == "elevator_retrofit").collect();
    let buildings: std::collections::BTreeSet<_> = elevators.iter().flat_map(|i| plan.features_of(i)).collect();
    assert!(buildings.len() >= 3, "elevators on several buildings");
    assert!(buildings.iter().all(|id| plan.get(*id).map(|f| f.kind) == Some(Kind::Building)));
    let shed =
        plan.iter().find(|(_, f)| f.name_zh().is_some_and(|n| n.contains("车棚"))).map(|(id, _)| id).expect("shed");
    assert!(plan.items_of(shed).iter().any(|i| i.operator.is_some() && i.operating_term_years.is_some()));
}

#[test]
fn social_capital_is_30_million_yuan_and_45_percent_of_the_money() {
    let plan = jinsong();
    let s = Summary::of(&plan, &[]);
    assert_eq!(s.money.by_source["social_capital"], 30_000_000);
    let share = s.money.share_percent(FundingSource::SocialCapital);
    assert!((44.5..=45.5).contains(&share), "{share}%");
    let sources: i64 = s.money.by_source.values().sum();
    assert_eq!(sources, s.money.total_yuan, "funding adds up to the cost");
    assert!(s.items.by_status["completed"] > 0 && s.items.by_status["operating"] > 0);
}

/// A small deterministic generator (no randomness crate needed).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn random_edit(plan: &Plan, rng: &mut Lcg) -> Edit {
    let ids: Vec<FeatureId> = plan.iter().map(|(id, _)| id).collect();
    let item_ids: Vec<String> = plan.items.keys().cloned().collect();
    match rng.below(11) {
        10 => {
            use renewal_planner::model::{Change, ChangeKind};
            let id = ids[rng.below(ids.len())];
            let change = match rng.below(4) {
                0 => None,
                k => {
                    let mut c = Change::new([ChangeKind::Modified, ChangeKind::Added, ChangeKind::Removed][k - 1]);
                    c.by_items = item_ids.iter().take(rng.below(3)).cloned().collect();
                    c.after_properties.insert("use_zh".into(), serde_json::json!("便民商铺"));
                    Some(Box::new(c))
                }
            };
            Edit::SetChange { feature: id, change, label: EditLabel::SetAfter }
        }
        7 => {
            // Move, insert or delete a vertex of a random polygon feature.
            use renewal_planner::model::geom_edit;
            let id = ids[rng.below(ids.len())];
            let g = plan.get(id).map(|f| f.geometry.clone()).expect("feature");
            let verts = geom_edit::vertices(&g);
            let (v, c) = verts[rng.below(verts.len())];
            let moved = geo::Coord { x: c.x + 0.0001, y: c.y - 0.00005 };
            let (g2, label) = match rng.below(3) {
                0 => (geom_edit::move_vertex(&g, v, moved), EditLabel::MoveVertex),
                1 => (geom_edit::insert_vertex(&g, v, moved), EditLabel::InsertVertex),
                _ => (geom_edit::delete_vertex(&g, v), EditLabel::DeleteVertex),
            };
            let geometry = g2.unwrap_or_else(|_| geom_edit::translate(&g, 0.0001, 0.0001));
            Edit::SetGeometry { feature: id, geometry: Box::new(geometry), label }
        }
        8 => Edit::RemoveFeature { id: ids[rng.below(ids.len())], label: EditLabel::DeleteFeature },
        9 => {
            let (id, key) = plan.next_feature();
            let mut f = plan.get(ids[rng.below(ids.len())]).expect("feature").clone();
            f.source_id = Some(key.as_str().into());
            Edit::AddFeature { id, feature: Box::new(f), label: EditLabel::DrawFeature }
        }
        0 => Edit::SetKind { changes: vec![(ids[rng.below(ids.len())], Kind::ALL[rng.below(7)])] },
        1 => Edit::SetProperty {
            feature: ids[rng.below(ids.len())],
            key: ["name_zh", "floors", "note", "新属性"][rng.below(4)].into(),
            value: if rng.below(3) == 0 { None } else { Some(serde_json::json!(rng.below(100))) },
        },
        2 => {
            let key = plan.key(ids[rng.below(ids.len())]).unwrap_or_default();
            let id = plan.new_item_id("it-test");
            let item =
                Item::new(id.clone(), "elevator_retrofit".into(), vec![key], "2020-01-01", rng.below(1_000_000) as i64);
            Edit::PutItem { id, item: Some(Box::new(item)), label: EditLabel::AddItem }
        }
        3 if !item_ids.is_empty() => {
            Edit::PutItem { id: item_ids[rng.below(item_ids.len())].clone(), item: None, label: EditLabel::RemoveItem }
        }
        4 | 5 if !item_ids.is_empty() => {
            let id = item_ids[rng.below(item_ids.len())].clone();
            let mut item = plan.items[&id].clone();
            item.set_status(Status::ALL[rng.below(6)], "2021-05-01");
            *item.funding.get_mut(FundingSource::ALL[rng.below(4)]) += rng.below(50_000) as i64;
            Edit::PutItem { id, item: Some(Box::new(item)), label: EditLabel::SetStatus }
        }
        _ => {
            let id = format!("custom_{}", rng.below(5));
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
            Edit::PutCatalogueEntry { id, entry: if rng.below(4) == 0 { None } else { Some(Box::new(entry)) } }
        }
    }
}

#[test]
fn random_edit_sequences_undone_in_full_give_back_the_original_plan() {
    for seed in 1..=12u64 {
        let original = jinsong();
        let mut plan = original.clone();
        let mut history = History::default();
        let mut rng = Lcg(seed);
        for _ in 0..(20 + rng.below(40)) {
            let e = random_edit(&plan, &mut rng);
            let applied = e.apply(&mut plan).expect("a valid edit applies");
            history.record(applied.inverse);
        }
        let edited = plan.clone();
        while history.undo(&mut plan).is_some() {}
        assert!(plan == original, "seed {seed}: undo did not restore the plan");
        while history.redo(&mut plan).is_some() {}
        assert!(plan == edited, "seed {seed}: redo did not restore the edited plan");
    }
}

#[test]
fn the_plan_geojson_round_trips_with_nothing_lost() {
    let mut plan = jinsong();
    // A custom catalogue entry, a new item on two features, an unknown property, a corrected kind.
    let entry = CatalogueEntry {
        id: "jinsong_mural".into(),
        name_zh: "墙绘".into(),
        name_en: "Wall mural".into(),
        category: Category::Culture,
        class: NationalClass::Upgrading,
        applies_to: vec![Kind::Building],
        unit: Some("m²".into()),
        unit_cost_yuan: Some(120.0),
        note_en: None,
    };
    Edit::PutCatalogueEntry { id: entry.id.clone(), entry: Some(Box::new(entry)) }.apply(&mut plan).expect("applies");
    let b = |n: &str| plan.iter().find(|(_, f)| f.number() == Some(n)).map(|(id, _)| id).expect("building");
    let (b101, b102) = (b("101"), b("102"));
    let mut item = Item::new(
        "it-mural".into(),
        "jinsong_mural".into(),
        vec![plan.key(b101).expect("key"), plan.key(b102).expect("key")],
        "2020-03-01",
        240_000,
    );
    item.set_status(Status::Designed, "2020-04-02");
    item.funding =
        renewal_planner::model::Funding { government: 0, social_capital: 200_000, residents: 40_000, property_unit: 0 };
    item.extra.insert("x_future_field".into(), serde_json::json!({"kept": true}));
    Edit::PutItem { id: "it-mural".into(), item: Some(Box::new(item)), label: EditLabel::AddItem }
        .apply(&mut plan)
        .expect("applies");
    Edit::SetProperty { feature: b101, key: "x_unknown".into(), value: Some(serde_json::json!([1, "二"])) }
        .apply(&mut plan)
        .expect("applies");
    Edit::SetKind { changes: vec![(b102, Kind::Core)] }.apply(&mut plan).expect("applies");

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("劲松方案.geojson");
    io::save_geojson(&plan, &path).expect("saves");
    assert!(!dir.path().join("劲松方案.geojson.saving").exists(), "no temporary file is left");
    let back = io::load_path(&path).expect("loads");
    assert!(back.warnings.is_empty(), "{:?}", back.warnings);
    // SetKind wrote nothing to the properties; saving writes the kind, so compare after one save.
    let mut expected = plan.clone();
    Edit::SetProperty { feature: b102, key: "kind".into(), value: Some(serde_json::json!("core")) }
        .apply(&mut expected)
        .expect("applies");
    assert!(back.plan == expected, "the plan read back differs from the plan saved");
    assert_eq!(back.plan.items["it-mural"].extra["x_future_field"], serde_json::json!({"kept": true}));
    // Plain GIS tools see each feature's items in its properties.
    let text = std::fs::read_to_string(&path).expect("read");
    let fc: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let f101 =
        fc["features"].as_array().expect("features").iter().find(|f| f["properties"]["number"] == "101").expect("101");
    assert!(f101["properties"]["renewal_items"].as_array().expect("items").iter().any(|i| i["id"] == "it-mural"));
}

#[test]
fn a_failed_save_leaves_nothing_behind_and_the_old_file_intact() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("plan.geojson");
    std::fs::write(&path, "old").expect("write");
    let plan = jinsong();
    assert!(io::save_geojson(&plan, &dir.path().join("missing-dir/plan.geojson")).is_err());
    // A directory where the file should be: the rename fails, the temp file is cleaned up.
    let blocked = dir.path().join("blocked.geojson");
    std::fs::create_dir(&blocked).expect("mkdir");
    std::fs::write(blocked.join("x"), "x").expect("write");
    assert!(io::save_geojson(&plan, &blocked).is_err());
    assert!(!dir.path().join("blocked.geojson.saving").exists());
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "old");
    io::save_geojson(&plan, &path).expect("saves");
    assert!(std::fs::read_to_string(&path).expect("read").starts_with("{\"type\":\"FeatureCollection\""));
}

#[test]
fn items_referring_to_missing_features_are_reported() {
    let text = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","id":"a","properties":{"renewal_items":[{"id":"it-1","catalogue":"lighting","features":["a","zzz"],"status":"proposed","funding":{}}]},"geometry":{"type":"Point","coordinates":[116.45,39.88]}},
{"type":"Feature","id":"b","properties":{"renewal_items":[{"id":"it-2","status":"nonsense"}]},"geometry":{"type":"Point","coordinates":[116.45,39.88]}}
]}"#;
    let loaded = io::geojson::parse(text.as_bytes()).expect("loads");
    assert_eq!(loaded.plan.items.len(), 1);
    let w: Vec<String> = loaded.warnings.iter().map(|w| w.to_string()).collect();
    assert!(w.iter().any(|m| m.contains("feature b, item 0")), "{w:?}");
    assert!(w.iter().any(|m| m.contains("zzz")), "{w:?}");
}

/// Items and changes are found on every core, a block of features each: in a
/// plan of several blocks, those on features in every block are read, each
/// on its own feature, and their warnings name the features in file order.
#[test]
fn items_on_features_across_many_blocks_are_all_read_in_order() {
    let mut text = String::from(r#"{"type":"FeatureCollection","features":["#);
    let carrying = [3usize, 8_191, 8_192, 16_500, 29_999];
    for i in 0..30_000usize {
        let props = if carrying.contains(&i) {
            format!(
                r#"{{"renewal_items":[{{"id":"it-{i}","catalogue":"lighting","features":["f{i}"],"status":"proposed","funding":{{}}}},{{"id":"bad-{i}","status":"nonsense"}}]}}"#
            )
        } else {
            format!(r#"{{"name":"{i}号楼","kind":"building"}}"#)
        };
        let sep = if i == 0 { "" } else { ",\n" };
        text.push_str(&format!(
            r#"{sep}{{"type":"Feature","id":"f{i}","properties":{props},"geometry":{{"type":"Point","coordinates":[116.45,39.88]}}}}"#
        ));
    }
    text.push_str("]}");
    let loaded = io::geojson::parse(text.as_bytes()).expect("loads");
    let ids: Vec<&str> = loaded.plan.items.keys().map(String::as_str).collect();
    assert_eq!(ids, ["it-16500", "it-29999", "it-3", "it-8191", "it-8192"]);
    for i in carrying {
        let id = loaded.plan.by_key(&format!("f{i}")).expect("the feature");
        let items: Vec<&str> = loaded.plan.items_of(id).iter().map(|it| it.id.as_str()).collect();
        assert_eq!(items, [format!("it-{i}")], "f{i}");
        assert!(
            !loaded.plan.get(id).expect("f").properties.contains_key("renewal_items"),
            "taken out of f{i}'s properties"
        );
    }
    let bad: Vec<String> = loaded.warnings.iter().map(|w| w.to_string()).filter(|w| w.contains("item 1")).collect();
    assert_eq!(bad.len(), carrying.len(), "{bad:?}");
    for (w, i) in bad.iter().zip(carrying) {
        assert!(w.contains(&format!("f{i}")), "{w} names f{i}, in file order");
    }
}
