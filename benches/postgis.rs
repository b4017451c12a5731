//! Team plans in PostgreSQL/PostGIS: publishing a whole plan and opening it
//! again, for Jinsong and for the 113k NYC buildings (`../shared/data`).
//! Each is run three times; the median and the range are printed.
//!
//! Needs a server: `export RP_TEST_PG=$(tools/pg_local.sh start)`, then
//! `cargo bench --bench postgis`. Without one it says so and measures nothing.

use std::path::Path;
use std::time::{Duration, Instant};

use renewal_planner::io::{self, postgis};
use renewal_planner::model::Plan;

fn median(mut t: Vec<Duration>) -> (Duration, Duration, Duration) {
    t.sort();
    (t[t.len() / 2], t[0], t[t.len() - 1])
}

fn show(what: &str, t: Vec<Duration>) {
    let (m, lo, hi) = median(t);
    println!("{what:<48} median {:>8.3} s  (range {:.3}–{:.3} s)", m.as_secs_f64(), lo.as_secs_f64(), hi.as_secs_f64());
}

fn measure(name: &str, plan: &Plan, base: &str) {
    let at = postgis::Location::parse(&format!("{base}&plan=bench_{name}")).expect("uri");
    let features = plan.iter().count();
    println!("{name}: {features} features, {} items", plan.items.len());
    let mut publish = Vec::new();
    let mut open = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let done =
            postgis::publish(plan, &at, &postgis::Publish { replace: true, ..Default::default() }).expect("published");
        publish.push(t.elapsed());
        assert!(done.rows > 0);
        let t = Instant::now();
        let back = postgis::load(&at, None).expect("opened");
        open.push(t.elapsed());
        assert_eq!(back.loaded.plan.iter().count(), features);
    }
    show(&format!("{name}: publish (--replace, one transaction)"), publish);
    show(&format!("{name}: open (one snapshot)"), open);
}

fn main() {
    let Some(base) = std::env::var("RP_TEST_PG").ok().filter(|s| !s.is_empty()) else {
        println!(
            "postgis bench: no server; run `export RP_TEST_PG=$(tools/pg_local.sh start)` first. Nothing measured."
        );
        return;
    };
    measure("jinsong", &io::load_jinsong().plan, &base);
    let nyc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/nyc-buildings-osm.geojson.gz");
    match io::load_path(&nyc) {
        Ok(l) => measure("nyc", &l.plan, &base),
        Err(e) => println!("nyc: {}: {e}", nyc.display()),
    }
}
