//! What one edit costs the window, component by component, for generated cities of 10k and 100k
//! buildings (made with ../shared/tools/gen_city.py into target/bench-cities; `BENCH_SIZES=10000,100000,1000000`
//! to choose), one item on every 50th building. For each typical edit and its undo and redo it times
//! what the window does after it (`ui::app::edit_area`'s `after_edit` and the next frame):
//!
//! - `doc`: `Document::apply`, `undo` or `redo` (the plan, its index, the history);
//! - `cache`: the drawing cache for the touched features;
//! - `counts`: features by kind and changed (the layer list, the phase bar) — counted whole, as the
//!   window did before issue 19 (`whole`), and as it does now, the touched features only (`now`);
//! - `colours`: the thematic colours of the map (status mode) — worked out whole before, for the touched
//!   features now;
//! - `features`: the status bar's feature count each frame — `Plan::len` before, the counts' sum now;
//! - `legend`, `dates`, `dashboard`: the status legend's counts, the timeline's date range (the phase
//!   bar) and the dashboard's progress — passes over the items, not the features. Before they were
//!   worked out every frame (the dashboard while open); now once per edit (`ui::view::per_stamp`).
//!
//! `before` adds up what an edit cost before issue 19 (without the per-frame passes over the items);
//! `now` what it costs now, the items' passes included. Medians of 15 runs, milliseconds.
//! Run: `cargo bench --bench edit_cost`.

mod common;
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use renewal_planner::document::{Document, Source};
use renewal_planner::edit::{Edit, EditLabel};
use renewal_planner::model::{FeatureId, Item, Kind, Phase, Plan, Status, geom_edit, stats::Progress};
use renewal_planner::render::GeometryCache;
use renewal_planner::render::tally::Tally;
use renewal_planner::render::theme::{ThemeMode, feature_colors, legend_counts, update_feature_colors};

const RUNS: usize = 15;
const MODE: ThemeMode = ThemeMode::Status;

/// Milliseconds since `t`.
fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// The times of one edit, undo or redo, by component.
#[derive(Clone, Copy, Default)]
struct Times {
    doc: f64,
    cache: f64,
    counts_whole: f64,
    counts_now: f64,
    colours_whole: f64,
    colours_now: f64,
    features_whole: f64,
    features_now: f64,
    legend: f64,
    dates: f64,
    dashboard: f64,
}

impl Times {
    /// What the window paid per edit before: everything derived from the plan worked out whole.
    fn before(&self) -> f64 {
        self.doc + self.cache + self.counts_whole + self.colours_whole + self.features_whole
    }

    /// What it pays now, with the passes over the items once per edit (the dashboard only while open).
    fn now(&self) -> f64 {
        self.doc + self.cache + self.counts_now + self.colours_now + self.features_now + self.legend + self.dates
    }
}

/// What the window keeps derived from the plan, as the bench follows it.
struct Window {
    doc: Document,
    cache: GeometryCache,
    tally: Tally,
    colours: Vec<Option<renewal_planner::render::style::Rgba>>,
}

impl Window {
    /// Applies one step (`doc` times it) and times everything that follows it.
    fn step(&mut self, op: impl FnOnce(&mut Document) -> Vec<FeatureId>) -> Times {
        let mut t = Times::default();
        let s = Instant::now();
        let touched = op(&mut self.doc);
        t.doc = ms(s);
        let plan = self.doc.plan();
        let s = Instant::now();
        self.cache.update(plan, &touched);
        t.cache = ms(s);
        let s = Instant::now();
        let whole = std::hint::black_box(Tally::build(plan));
        t.counts_whole = ms(s);
        let s = Instant::now();
        self.tally.update(plan, &touched);
        t.counts_now = ms(s);
        assert!(self.tally == whole, "the counts kept equal a fresh count");
        let s = Instant::now();
        let fresh = std::hint::black_box(feature_colors(plan, MODE, None, &Phase::After));
        t.colours_whole = ms(s);
        let s = Instant::now();
        update_feature_colors(&mut self.colours, plan, self.doc.links(), MODE, &Phase::After, &touched);
        t.colours_now = ms(s);
        assert!(fresh.as_deref() == Some(&self.colours), "the colours kept equal fresh ones");
        let s = Instant::now();
        let n = std::hint::black_box(plan.len());
        t.features_whole = ms(s);
        let s = Instant::now();
        let m = std::hint::black_box(self.tally.features());
        t.features_now = ms(s);
        assert_eq!(n, m);
        let s = Instant::now();
        std::hint::black_box(legend_counts(plan, MODE, &Phase::After));
        t.legend = ms(s);
        let s = Instant::now();
        std::hint::black_box(renewal_planner::model::phase::date_range(plan));
        t.dates = ms(s);
        let s = Instant::now();
        std::hint::black_box(Progress::of(plan, &Phase::After));
        t.dashboard = ms(s);
        t
    }
}

/// Component by component, the median of each.
fn median(runs: &[Times]) -> Times {
    let m = |f: fn(&Times) -> f64| {
        let mut v: Vec<f64> = runs.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    Times {
        doc: m(|t| t.doc),
        cache: m(|t| t.cache),
        counts_whole: m(|t| t.counts_whole),
        counts_now: m(|t| t.counts_now),
        colours_whole: m(|t| t.colours_whole),
        colours_now: m(|t| t.colours_now),
        features_whole: m(|t| t.features_whole),
        features_now: m(|t| t.features_now),
        legend: m(|t| t.legend),
        dates: m(|t| t.dates),
        dashboard: m(|t| t.dashboard),
    }
}

/// A typical edit of the plan as it is, touching one building in the middle of the city.
fn edit(name: &str, plan: &Plan, at: FeatureId, item: &str, n: usize) -> Edit {
    let geometry = plan.get(at).map(|f| f.geometry.clone()).unwrap_or(geo::Point::new(0.0, 0.0).into());
    match name {
        "set property" => Edit::SetProperty { feature: at, key: "note".into(), value: Some(format!("n{n}").into()) },
        "add item" => {
            let id = plan.new_item_id("it-bench");
            let keys = plan.key(at).into_iter().collect();
            let item = Item::new(id.clone(), "elevator_retrofit".into(), keys, "2024-03-01", 600_000);
            Edit::PutItem { id, item: Some(Box::new(item)), label: EditLabel::AddItem }
        }
        "item status" => {
            let mut it = plan.items[item].clone();
            it.set_status(Status::ALL[n % Status::ALL.len()], "2025-05-01");
            Edit::PutItem { id: item.into(), item: Some(Box::new(it)), label: EditLabel::SetStatus }
        }
        "move feature" => Edit::SetGeometry {
            feature: at,
            geometry: Box::new(geom_edit::translate(&geometry, 0.00002, 0.00001)),
            label: EditLabel::MoveFeature,
        },
        "move vertex" => {
            let moved = geom_edit::vertices(&geometry)
                .first()
                .and_then(|(v, c)| geom_edit::move_vertex(&geometry, *v, geo::coord! { x: c.x + 0.00001, y: c.y }).ok())
                .unwrap_or(geometry);
            Edit::SetGeometry { feature: at, geometry: Box::new(moved), label: EditLabel::MoveVertex }
        }
        _ => {
            let change = renewal_planner::model::Change::new(renewal_planner::model::ChangeKind::Removed);
            Edit::SetChange { feature: at, change: Some(Box::new(change)), label: EditLabel::MarkRemoved }
        }
    }
}

const EDITS: [&str; 6] = ["set property", "add item", "item status", "move feature", "move vertex", "mark removed"];

fn run(n: u64) {
    let mut loaded = renewal_planner::io::load_path(&common::generated_city(n)).expect("loads");
    let buildings: Vec<FeatureId> =
        loaded.plan.iter().filter(|(_, f)| f.kind == Kind::Building).map(|(id, _)| id).collect();
    // An item on every 50th building, at every status.
    for (k, id) in buildings.iter().step_by(50).enumerate() {
        let item_id = format!("it-{k}");
        let keys = loaded.plan.key(*id).into_iter().collect();
        let mut item = Item::new(item_id.clone(), "elevator_retrofit".into(), keys, "2023-01-01", 500_000);
        item.set_status(Status::ALL[k % Status::ALL.len()], "2024-01-01");
        loaded.plan.items.insert(item_id, item);
    }
    let (doc, cache) = renewal_planner::document::open(loaded, Source::File(common::generated_city(n)));
    let plan = doc.plan();
    let (tally, colours) =
        (Tally::build(plan), feature_colors(plan, MODE, None, &Phase::After).map(|c| c.to_vec()).unwrap_or_default());
    let items = plan.items.len();
    let mut w = Window { doc, cache, tally, colours };
    let at = buildings.get(buildings.len() / 2).copied().unwrap_or(FeatureId(0));
    let item = "it-0".to_string();
    println!("\n{} features, {items} items: milliseconds per edit (median of {RUNS})", w.doc.plan().len());
    println!(
        "{:<20} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>9} | {:>8} {:>8}",
        "edit",
        "doc",
        "cache",
        "counts",
        "(now)",
        "colours",
        "(now)",
        "features",
        "(now)",
        "legend",
        "dates",
        "dashboard",
        "before",
        "now"
    );
    for name in EDITS {
        let (mut done, mut undone, mut redone) = (Vec::new(), Vec::new(), Vec::new());
        for k in 0..RUNS {
            let e = edit(name, w.doc.plan(), at, &item, k);
            done.push(w.step(|d| d.apply(e).expect("applies")));
            undone.push(w.step(|d| d.undo().and_then(Result::ok).unwrap_or_default()));
            redone.push(w.step(|d| d.redo().and_then(Result::ok).unwrap_or_default()));
            // Back to the plan as it was, untimed.
            w.step(|d| d.undo().and_then(Result::ok).unwrap_or_default());
        }
        for (what, runs) in [("", done), ("undo ", undone), ("redo ", redone)] {
            let t = median(&runs);
            println!(
                "{:<20} {:>7.3} {:>7.3} {:>8.3} {:>8.4} {:>8.3} {:>8.4} {:>8.3} {:>8.4} {:>8.3} {:>8.3} {:>9.3} | {:>8.3} {:>8.3}",
                format!("{what}{name}"),
                t.doc,
                t.cache,
                t.counts_whole,
                t.counts_now,
                t.colours_whole,
                t.colours_now,
                t.features_whole,
                t.features_now,
                t.legend,
                t.dates,
                t.dashboard,
                t.before(),
                t.now()
            );
        }
    }
}

fn main() {
    let sizes = std::env::var("BENCH_SIZES").unwrap_or_else(|_| "10000,100000".into());
    for n in sizes.split(',').filter_map(|s| s.trim().parse::<u64>().ok()) {
        run(n);
    }
}
