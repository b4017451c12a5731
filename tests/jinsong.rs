//! The embedded Jinsong plan is the district the report describes.

use geo::{Area, MinimumRotatedRect};
use renewal_planner::document::Document;
use renewal_planner::model::measure::area_m2;
use renewal_planner::model::stats::Progress;
use renewal_planner::model::{Category, Feature, FundingSource, Kind, Phase, Status, Summary};

fn doc() -> Document {
    let d = Document::jinsong();
    assert!(d.warnings().is_empty(), "{:?}", d.warnings());
    d
}

fn of_kind(d: &Document, kind: Kind) -> Vec<&Feature> {
    d.plan().iter().filter(|(_, f)| f.kind == kind).map(|(_, f)| f).collect()
}

#[test]
fn the_district_has_43_buildings_one_boundary_of_26_hectares_and_the_named_places() {
    let d = doc();
    assert_eq!(of_kind(&d, Kind::Building).len(), 43);
    let boundary = of_kind(&d, Kind::Boundary);
    assert_eq!(boundary.len(), 1);
    let ha = area_m2(&boundary[0].geometry) / 10_000.0;
    assert!((ha - 26.0).abs() <= 26.0 * 0.02, "boundary is {ha} ha");
    let names = |k: Kind| of_kind(&d, k).iter().filter_map(|f| f.name_zh().map(str::to_string)).collect::<Vec<_>>();
    assert!(names(Kind::Street).iter().any(|n| n == "劲松西街"));
    let gardens = names(Kind::Garden);
    assert!(gardens.iter().any(|n| n == "劲松园") && gardens.iter().any(|n| n.contains("209")));
    let cores = names(Kind::Core);
    assert!(cores.iter().any(|n| n.contains("居委会")) && cores.iter().any(|n| n.contains("物业")));
    let nodes = names(Kind::Node);
    assert!(nodes.len() >= 8, "{nodes:?}");
    for want in ["食堂", "卫生服务站", "美好会客厅", "车棚", "匠心工坊", "理发", "菜站", "副食"]
    {
        assert!(nodes.iter().any(|n| n.contains(want)), "no node named like {want}: {nodes:?}");
    }
}

#[test]
fn every_feature_has_a_kind_and_names_in_chinese_and_english() {
    let d = doc();
    for (_, f) in d.plan().iter() {
        assert!(f.properties.contains_key("kind"));
        assert!(f.name_zh().is_some_and(renewal_planner::model::has_cjk), "{:?}", f.properties);
        assert!(f.name_en().is_some(), "{:?}", f.properties);
    }
}

#[test]
fn buildings_are_numbered_late_1970s_brick_slabs_with_their_facts() {
    let d = doc();
    let mut slab_like = 0;
    for f in of_kind(&d, Kind::Building) {
        let n = f.number().expect("a number");
        assert!(n.len() == 3 && (n.starts_with('1') || n.starts_with('2')), "{n}");
        let floors = f.number_prop("floors").expect("floors");
        assert!((5.0..=6.0).contains(&floors));
        assert!(f.number_prop("households").expect("households") > 0.0);
        assert!(f.number_prop("floor_area_m2").expect("floor area") > 0.0);
        let year = f.number_prop("year_built").expect("year");
        assert!((1977.0..=1978.0).contains(&year));
        // Measure the footprint's minimum rotated rectangle in local metres.
        let rect = f.geometry.minimum_rotated_rect().expect("rect");
        let (mx, my) = renewal_planner::model::metres_per_degree(39.887);
        let c = rect.exterior().0.clone();
        let side = |a: geo::Coord<f64>, b: geo::Coord<f64>| ((b.x - a.x) * mx).hypot((b.y - a.y) * my);
        let (s1, s2) = (side(c[0], c[1]), side(c[1], c[2]));
        let (long, short) = (s1.max(s2), s1.min(s2));
        if (50.0..=90.0).contains(&long) && (10.0..=13.5).contains(&short) {
            slab_like += 1;
        }
        assert!(f.geometry.unsigned_area() > 0.0);
    }
    assert!(slab_like >= 25, "only {slab_like} buildings are 50–90 m × 10–13 m slabs");
}

#[test]
fn the_plan_says_its_geometry_is_schematic() {
    let d = doc();
    let note = d.plan().meta.note.as_deref().expect("a note");
    assert!(note.to_lowercase().contains("schematic") && note.contains("示意"), "{note}");
}

#[test]
fn the_summary_counts_the_district() {
    let d = doc();
    let s = Summary::of(d.plan(), &[]);
    assert_eq!(s.by_kind["building"], 43);
    assert_eq!(s.by_kind["boundary"], 1);
    assert!((s.area_ha - 26.0).abs() < 0.52);
    let b = s.bbox.expect("bbox");
    assert!(b[0] > 116.45 && b[2] < 116.465 && b[1] > 39.88 && b[3] < 39.895, "{b:?}");
    assert!(s.buildings.households > 2000);
}

#[test]
fn the_jinsong_dashboard_adds_up() {
    let plan = Document::jinsong().shared_plan();
    let p = Progress::of(&plan, &Phase::After);
    assert_eq!(p.items, plan.items.len());
    assert!(p.done > 0 && p.done < p.items);
    assert!(p.done_cost > 0 && p.done_cost < p.cost);
    assert_eq!(p.matrix.values().sum::<usize>(), p.items);
    assert_eq!(p.funding_total(), p.cost);
    assert!((p.share(FundingSource::SocialCapital) - 45.0).abs() < 0.5);
}

#[test]
fn progress_as_of_a_date_counts_each_item_at_its_status_then() {
    let plan = Document::jinsong().shared_plan();
    let date = "2019-06-30";
    let p = Progress::of(&plan, &Phase::AsOf(date.into()));
    // Counted independently from the histories: the last entry on or before the date.
    let then: Vec<Status> = plan
        .items
        .values()
        .filter_map(|i| i.history.iter().rfind(|c| c.date.as_str() <= date).map(|c| c.status))
        .collect();
    assert_eq!(p.items, then.len());
    assert!(p.items < plan.items.len(), "items proposed later are not counted");
    assert_eq!(p.done, then.iter().filter(|s| s.is_done()).count());
    for st in Status::ALL {
        let n: usize = Category::ALL.iter().map(|c| p.count(*c, st)).sum();
        assert_eq!(n, then.iter().filter(|s| **s == st).count(), "{st:?}");
    }
    assert!(p.done < Progress::of(&plan, &Phase::After).done);
    let before = Progress::of(&plan, &Phase::Before);
    assert_eq!((before.items, before.done), (plan.items.len(), 0), "before the renewal nothing is done");
}

#[test]
fn items_are_counted_at_their_status_in_the_phase() {
    let plan = Document::jinsong().shared_plan();
    let now = Summary::of(&plan, &[]);
    assert_eq!(now.items.total, plan.items.len());
    let mid = Summary::of_phase(&plan, &[], Some(&Phase::AsOf("2019-06-30".into())));
    assert_eq!(mid.items.by_status["completed"], 3);
    assert_eq!(mid.items.by_status["under_construction"], 28);
    assert_eq!(mid.items.total, mid.items.by_status.values().sum::<usize>());
    assert!(mid.items.total < now.items.total, "items proposed later are not counted");
    assert!(mid.money.total_yuan < now.money.total_yuan, "nor their money");
    let before = Summary::of_phase(&plan, &[], Some(&Phase::Before));
    assert_eq!(before.items.by_status["proposed"], plan.items.len());
    assert!(mid.to_text("jinsong").contains("under_construction 28"));
}

/// Jinsong's illustrative ledger: said to be illustrative, at least five of the report's formats,
/// investment = the items' social capital (30 M yuan), paying back within the operating terms in the
/// year the payback slide says, and the slide shows the chart on the space-use map.
#[test]
fn the_illustrative_ledger_repays_the_30_million_of_social_capital_within_the_terms_as_the_slide_says() {
    use renewal_planner::model::operations::{self, Scenario};
    use renewal_planner::model::story::SlideTheme;
    let d = doc();
    let plan = d.plan();
    let ops = &plan.operations;
    assert!(ops.illustrative && ops.note.as_deref().is_some_and(|n| n.contains("示意")), "{:?}", ops.note);
    assert!(ops.problems(plan).is_empty(), "{:?}", ops.problems(plan));
    let uses: std::collections::BTreeSet<&str> = ops.spaces.iter().map(|s| s.use_.as_str()).collect();
    let known = uses.iter().filter(|u| operations::USES.iter().any(|(c, _, _)| c == *u)).count();
    assert!(known >= 5, "{uses:?}");
    for s in &ops.spaces {
        assert!(plan.by_key(&s.feature).is_some(), "{} on a missing feature {}", s.id, s.feature);
    }
    let ledger = operations::compute(plan, &Scenario::default());
    let social: i64 = plan.items.values().map(|i| i.funding.social_capital).sum();
    assert_eq!(ledger.investment_yuan, 30_000_000);
    assert_eq!(ledger.investment_yuan, social);
    let payback = ledger.payback_year.expect("pays back");
    let term_end = ops.spaces.iter().map(|s| s.term_end).max().expect("spaces");
    assert!((2028..=term_end).contains(&payback), "{payback}");
    // A lower revenue never pays back earlier.
    let low = operations::compute(plan, &Scenario { revenue_scale: 0.9, ..Scenario::default() });
    assert!(low.payback_year.is_none_or(|y| y >= payback), "{:?}", low.payback_year);
    let slide = plan.stories[0].slides.iter().find(|s| s.payback_chart).expect("a payback slide");
    assert_eq!(slide.theme, SlideTheme::SpaceUse);
    assert!(slide.caption_zh.contains(&format!("于{payback}年收回")), "{}", slide.caption_zh);
    assert!(slide.caption_en.contains(&format!("in {payback}")), "{}", slide.caption_en);
    let at90 = low.payback_year.map_or("仍未回本".to_string(), |y| format!("{y}年回本"));
    assert!(slide.caption_zh.contains(&format!("九成，{at90}")), "{}", slide.caption_zh);
}
