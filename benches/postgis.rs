//! Team plans in PostgreSQL/PostGIS: publishing a whole plan and opening it
//! again, for Jinsong and for the 113k NYC buildings (`../shared/data`).
//! Each is run three times; the median and the range are printed. Then the
//! latency of editing together: one client commits a feature's rename, and a
//! second, listening, is woken by the NOTIFY, pulls it and applies it to its
//! plan (20 edits; engine level — the window adds at most a frame).
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

/// 20 renames pushed by one session, each timed until the other session has applied it.
fn latency(name: &str, base: &str) {
    use renewal_planner::io::postgis::sync;
    let at = postgis::Location::parse(&format!("{base}&plan=bench_{name}")).expect("uri");
    let opened = postgis::load(&at, None).expect("opened");
    let mut plan = opened.loaded.plan;
    let mut b_plan = plan.clone();
    let mut a = sync::Session::open(&at, None, opened.revision).expect("session a");
    let mut b = sync::Session::open(&at, None, opened.revision).expect("session b");
    let (tx, rx) = std::sync::mpsc::channel::<Instant>();
    let rounds = 20;
    let listener = std::thread::spawn(move || {
        let mut got = 0;
        while got < rounds {
            if !b.wait(Duration::from_secs(5)).expect("waits") {
                continue;
            }
            if let sync::Pulled::Changes { entries, objects } = b.pull().expect("pulls") {
                sync::remote_edit(&b_plan, &objects).apply(&mut b_plan).expect("applies");
                got += entries.len();
                for _ in &entries {
                    tx.send(Instant::now()).expect("sent");
                }
            }
        }
    });
    let key = plan.iter().find_map(|(id, _)| plan.key(id)).expect("a feature");
    let id = plan.by_key(&key).expect("id");
    let (mut push, mut seen) = (Vec::new(), Vec::new());
    for i in 0..rounds {
        let edit = renewal_planner::edit::Edit::SetProperty {
            feature: id,
            key: "name_zh".into(),
            value: Some(serde_json::json!(format!("第{i}次改名"))),
        };
        let applied = edit.apply(&mut plan).expect("applies");
        let touched = sync::Touched::of(&plan, &applied, false, &[]);
        let t = Instant::now();
        a.push(&plan, &touched, "rename").expect("pushed");
        push.push(t.elapsed());
        let arrived = rx.recv_timeout(Duration::from_secs(10)).expect("the other client saw it");
        seen.push(arrived - t);
    }
    listener.join().expect("joined");
    show(&format!("{name}: push one edit (commit)"), push);
    show(&format!("{name}: edit → in the other client's plan"), seen);
}

fn main() {
    let Some(base) = std::env::var("RP_TEST_PG").ok().filter(|s| !s.is_empty()) else {
        println!(
            "postgis bench: no server; run `export RP_TEST_PG=$(tools/pg_local.sh start)` first. Nothing measured."
        );
        return;
    };
    measure("jinsong", &io::load_jinsong().plan, &base);
    latency("jinsong", &base);
    let nyc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/nyc-buildings-osm.geojson.gz");
    match io::load_path(&nyc) {
        Ok(l) => {
            measure("nyc", &l.plan, &base);
            latency("nyc", &base);
        }
        Err(e) => println!("nyc: {}: {e}", nyc.display()),
    }
}
