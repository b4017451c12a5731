//! Working out the operations ledger: what the ledger window, `info` and the exports pay each time a
//! space or flow is edited.
//!
//! - Jinsong's illustrative ledger as shipped: `compute` once and the sensitivity table (16 ledgers);
//! - a city operator's ledger: 2,000 spaces with 3 flows each (rent, sales, cost) over 20 years,
//!   plus plan-wide fees and a subsidy, against 2,000 items paid over 3 years.
//!
//! Run: `cargo bench --bench operations`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use renewal_planner::model::item::{Funding, StatusChange};
use renewal_planner::model::operations::{self, Flow, FlowKind, Scenario, Space};
use renewal_planner::model::{Feature, Item, Kind, Plan, PlanMeta, Status};

fn city(spaces: usize) -> Plan {
    let mut plan = Plan::new(PlanMeta::default());
    for i in 0..spaces {
        let key = format!("n{i}");
        let mut f = Feature::new(
            Kind::Node,
            serde_json::Map::new(),
            geo::Geometry::Point(geo::Point::new(116.4 + i as f64 * 1e-4, 39.9)),
        );
        f.source_id = Some(key.clone().into());
        plan.push(f);
        let year = 2019 + (i % 3) as i32;
        let mut item = Item::new(format!("it-{i}"), "parking".into(), vec![key.clone()], "2019-01-01", 1_000_000);
        item.funding = Funding { social_capital: 1_000_000, ..Funding::default() };
        item.planned_start = None;
        item.history = vec![
            StatusChange { status: Status::UnderConstruction, date: format!("{year}-03-01"), override_note: None },
            StatusChange { status: Status::Completed, date: format!("{year}-10-01"), override_note: None },
        ];
        plan.items.insert(item.id.clone(), item);
        let id = format!("sp-{i}");
        plan.operations.spaces.push(Space {
            id: id.clone(),
            feature: key,
            name_zh: format!("空间{i}"),
            name_en: None,
            operator: "运营方".into(),
            use_: operations::USES[i % operations::USES.len()].0.into(),
            area_m2: 80.0,
            term_start: year,
            term_end: year + 19,
            items: vec![format!("it-{i}")],
        });
        for (k, kind, v) in
            [("rent", FlowKind::Rent, 90_000), ("sales", FlowKind::Sales, 60_000), ("cost", FlowKind::Cost, 40_000)]
        {
            plan.operations.flows.push(Flow {
                id: format!("cf-{i}-{k}"),
                kind,
                name_zh: String::new(),
                name_en: None,
                space: Some(id.clone()),
                yuan_per_year: v,
                collection_rate: None,
                start_year: year,
                end_year: year + 19,
                growth: 0.02,
            });
        }
    }
    plan
}

fn bench(c: &mut Criterion) {
    let jinsong = renewal_planner::io::load_jinsong().plan;
    let l = operations::compute(&jinsong, &Scenario::default());
    println!(
        "Jinsong: {} spaces, {} flows, {} years, payback {:?}",
        jinsong.operations.spaces.len(),
        jinsong.operations.flows.len(),
        l.rows.len(),
        l.payback_year
    );
    c.bench_function("ledger: Jinsong compute", |b| {
        b.iter(|| black_box(operations::compute(&jinsong, &Scenario::default())))
    });
    c.bench_function("ledger: Jinsong sensitivity table", |b| b.iter(|| black_box(operations::sensitivity(&jinsong))));
    let big = city(2_000);
    let l = operations::compute(&big, &Scenario::default());
    println!(
        "city: {} spaces, {} flows, {} years, investment {} yuan, payback {:?}, IRR {:?}",
        big.operations.spaces.len(),
        big.operations.flows.len(),
        l.rows.len(),
        l.investment_yuan,
        l.payback_year,
        l.irr
    );
    let mut g = c.benchmark_group("city ledger");
    g.sample_size(10);
    g.bench_function("compute: 2,000 spaces, 6,000 flows", |b| {
        b.iter(|| black_box(operations::compute(&big, &Scenario::default())))
    });
    g.bench_function("sensitivity: 2,000 spaces, 6,000 flows", |b| b.iter(|| black_box(operations::sensitivity(&big))));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
