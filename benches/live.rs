//! Editing a database plan together (`ui::live`): how long an edit made in
//! one window takes to appear in another, both windows drawing frames as they
//! do when woken (headless, egui_kittest). Twenty renames, each of another
//! building; the median, the fastest and the slowest are printed.
//!
//! Needs a server: `export RP_TEST_PG=$(tools/pg_local.sh start)`, then
//! `cargo bench --bench live`. Without one it says so and measures nothing.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use renewal_planner::document::{Document, Source};
use renewal_planner::edit::Edit;
use renewal_planner::io::{self, postgis};
use renewal_planner::model::Kind;
use renewal_planner::ui::{Action, PlannerApp, install_fonts, theme};

const EDITS: usize = 20;

fn window(uri: &str) -> Harness<'static, PlannerApp> {
    let at = postgis::Location::parse(uri).expect("uri");
    let opened = postgis::load(&at, None).expect("opened");
    let mut app = PlannerApp::with_document(Document::new(opened.loaded, Source::File(uri.into())));
    app.start_live(at, None, opened.revision);
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .with_context_setup(|ctx| {
            install_fonts(ctx);
            theme::apply(ctx);
        })
        .build_ui_state(|ui, app: &mut PlannerApp| app.show(ui), app);
    h.run_steps(2);
    h
}

fn main() {
    let Some(base) = std::env::var("RP_TEST_PG").ok().filter(|s| !s.is_empty()) else {
        println!("live: no PostgreSQL test server (set RP_TEST_PG): nothing measured");
        return;
    };
    let at = postgis::Location::parse(&format!("{base}&plan=live_bench")).expect("uri");
    let mut c = postgis::connect(&at, None).expect("server");
    c.batch_execute("DROP SCHEMA IF EXISTS live_bench CASCADE").expect("drop");
    postgis::publish(&io::load_jinsong().plan, &at, &postgis::Publish::default()).expect("published");
    let uri = format!("{base}&plan=live_bench");
    let (mut a, mut b) = (window(&uri), window(&uri));
    let plan = a.state().doc.plan();
    let keys: Vec<String> =
        plan.iter().filter(|(_, f)| f.kind == Kind::Building).filter_map(|(id, _)| plan.key(id)).collect();
    let mut times = Vec::new();
    let mut frames = Vec::new();
    for n in 0..EDITS {
        let key = &keys[n % keys.len()];
        let name = format!("第{n}次改名");
        let id = a.state().doc.plan().by_key(key).expect("feature");
        let start = Instant::now();
        a.state_mut().apply(Action::Edit(Edit::SetProperty {
            feature: id,
            key: "name_zh".into(),
            value: Some(name.clone().into()),
        }));
        let mut drawn = 0;
        loop {
            a.run_steps(1);
            b.run_steps(1);
            drawn += 1;
            let seen = b.state().doc.plan().by_key(key).and_then(|id| b.state().doc.plan().get(id));
            if seen.and_then(|f| f.name_zh()) == Some(name.as_str()) {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(10), "edit {n} never arrived");
        }
        times.push(start.elapsed());
        frames.push(drawn);
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "live: an edit in one window seen in the other ({EDITS} edits): median {:.0} ms, min {:.0} ms, max {:.0} ms; \
         frames of both windows drawn meanwhile: median {}",
        ms(times[EDITS / 2]),
        ms(times[0]),
        ms(times[EDITS - 1]),
        {
            frames.sort();
            frames[EDITS / 2]
        }
    );
}
