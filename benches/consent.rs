//! Counting residents' votes: what the consent panel and the consent map pay
//! each time a vote is entered.
//!
//! - Jinsong: its 13 matters over 4,285 households (as shipped);
//! - a city office's register: 1,000,000 households in 10,000 buildings, one
//!   district-wide double-majority matter with 80 % of households voting, and
//!   the same counted per building (the consent map's colours).
//!
//! Run: `cargo bench --bench consent`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use renewal_planner::model::Consent;
use renewal_planner::model::consent::{self, BuildingSize, Choice, Matter, Scope, Vote};

fn city(buildings: usize, households: u32) -> Consent {
    let mut c = Consent::default();
    for b in 0..buildings {
        let key = format!("b{b}");
        let size = BuildingSize { households, floors: 6, units: None, floor_area_m2: None };
        for h in consent::generate(&key, size) {
            c.households.insert(h.id.clone(), h);
        }
    }
    let matter = Matter {
        id: "m".into(),
        title_zh: "引入物业".into(),
        title_en: String::new(),
        scope: Scope::District,
        rule: "double_majority".into(),
        opens: None,
        closes: None,
        items: Vec::new(),
    };
    let on = c.votes.entry(matter.id.clone()).or_default();
    for (i, id) in c.households.keys().enumerate() {
        let vote = match i % 10 {
            0..=5 => Choice::Agree,
            6 => Choice::Disagree,
            7..=8 => continue,
            _ => Choice::Abstain,
        };
        on.insert(id.clone(), Vote { vote, date: None, method: None });
    }
    c.matters.push(matter);
    c
}

fn bench(c: &mut Criterion) {
    let jinsong = renewal_planner::io::load_jinsong().plan.consent;
    c.bench_function("tally: Jinsong's 13 matters (4,285 households)", |b| {
        b.iter(|| jinsong.matters.iter().map(|m| consent::tally(&jinsong, m).passed as u32).sum::<u32>())
    });
    let big = city(10_000, 100);
    let m = &big.matters[0];
    let t = consent::tally(&big, m);
    println!(
        "city: {} households, {} voted, {} agree, passed {}",
        t.scope.households, t.voted.households, t.agree.households, t.passed
    );
    let mut g = c.benchmark_group("city register");
    g.sample_size(10);
    g.bench_function("tally: one matter over 1,000,000 households", |b| b.iter(|| black_box(consent::tally(&big, m))));
    g.bench_function("tally_by building: 10,000 buildings", |b| {
        b.iter(|| black_box(consent::tally_by(&big, m, false).len()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
