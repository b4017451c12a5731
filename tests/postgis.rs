//! Team plans in PostgreSQL/PostGIS against a real server: the throwaway
//! cluster `.ci/run` starts with `tools/pg_local.sh` (its URI in `RP_TEST_PG`).
//! Without one, each test prints a loud SKIPPED line; under `CI=true` it fails.

#[path = "common/pg.rs"]
mod pg;
#[path = "common/tools.rs"]
mod tools;

use std::path::Path;

use pg::{admin, drop_plan, server, uri};
use std::process::Command;
use std::time::{Duration, Instant};

use renewal_planner::io::{self, postgis};
use renewal_planner::model::Plan;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_renewal-planner"))
}

/// The plan without owners' names and phones: what a database plan holds.
fn without_personal(mut plan: Plan) -> Plan {
    for h in plan.consent.households.values_mut() {
        *h = h.without_personal();
    }
    plan
}

fn open(u: &str) -> Result<postgis::Opened, io::LoadError> {
    postgis::load(&postgis::Location::parse(u).expect("uri"), None)
}

#[test]
fn a_plan_round_trips_through_the_database_as_through_a_plan_file() {
    let Some(base) = server("round trip") else { return };
    drop_plan(&base, "rt_jinsong");
    let plan = io::load_jinsong().plan;
    let at = postgis::Location::parse(&uri(&base, "rt_jinsong", None)).expect("uri");
    let done = postgis::publish(&plan, &at, &postgis::Publish::default()).expect("published");
    assert!(!done.replaced && done.rows > 0, "{done:?}");
    let back = postgis::load(&at, None).expect("opened");
    assert!(!back.read_only);
    assert!(back.loaded.warnings.is_empty(), "{:?}", back.loaded.warnings);
    // The same plan as through a plan file (owners' names and phones never go to the database).
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("p.gpkg");
    io::gpkg::save(&without_personal(plan.clone()), &file).expect("saved");
    let via_file = io::gpkg::load(&file).expect("loaded").plan;
    assert!(back.loaded.plan == via_file, "the database plan differs from the plan file's");
    assert_eq!(back.loaded.plan.iter().count(), plan.iter().count());
    assert_eq!(back.loaded.plan.items, plan.items);
    assert_eq!(back.loaded.plan.stories, plan.stories);
    assert_eq!(back.loaded.plan.operations, plan.operations);

    // What QGIS sees: typed columns, PostGIS geometry in 4326, and a default style a layer.
    let mut c = admin(&base);
    let row = c
        .query_one(
            "SELECT count(*), min(ST_SRID(geom)), count(*) FILTER (WHERE kind = 'building') FROM rt_jinsong.after",
            &[],
        )
        .expect("after");
    let (n, srid, buildings): (i64, i32, i64) = (row.get(0), row.get(1), row.get(2));
    assert!(n > 40 && srid == 4326 && buildings >= 43, "{n} {srid} {buildings}");
    let styles = c
        .query(
            "SELECT f_table_name, useasdefault, xpath_exists('/qgis/renderer-v2', styleqml) FROM public.layer_styles \
             WHERE f_table_schema = 'rt_jinsong' ORDER BY 1",
            &[],
        )
        .expect("styles");
    let styles: Vec<(String, bool, bool)> = styles.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect();
    assert_eq!(styles, vec![("after".into(), true, true), ("before".into(), true, true)]);
    let log: Vec<(String, String)> = c
        .query("SELECT db_user, what FROM rt_jinsong.rp_edit_log ORDER BY seq", &[])
        .expect("log")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(log, vec![("postgres".to_string(), "publish".to_string())]);
}

#[test]
fn gdal_lists_the_plan_layers() {
    let Some(base) = server("GDAL's PostgreSQL driver") else { return };
    if !tools::have("ogrinfo", "GDAL's PostgreSQL driver reading a database plan") {
        return;
    }
    drop_plan(&base, "rt_gdal");
    let at = postgis::Location::parse(&uri(&base, "rt_gdal", None)).expect("uri");
    postgis::publish(&io::load_jinsong().plan, &at, &postgis::Publish::default()).expect("published");
    let param =
        |k: &str| base.split(['?', '&']).find_map(|p| p.strip_prefix(&format!("{k}="))).expect("param").to_string();
    let pg = format!("PG:dbname=rp host={} port={} user=postgres schemas=rt_gdal", param("host"), param("port"));
    let listed = tools::run("ogrinfo", &["-ro", "-q", &pg]);
    let layers: Vec<&str> = listed.lines().filter_map(|l| l.split_once(": ").map(|(_, name)| name)).collect();
    assert!(
        layers.iter().any(|l| l.starts_with("before")) && layers.iter().any(|l| l.starts_with("after")),
        "{listed}"
    );
    let after = tools::run("ogrinfo", &["-ro", "-so", &pg, "after"]);
    assert!(after.contains("Feature Count: "), "{after}");
    assert!(after.contains("EPSG\",4326") || after.contains("WGS 84"), "{after}");
    assert!(after.contains("name_zh: String") && after.contains("floors: Integer"), "{after}");
}

#[test]
fn publishing_over_a_plan_needs_replace_and_the_command_line_reads_it_back() {
    let Some(base) = server("publishing from the command line") else { return };
    drop_plan(&base, "cli_plan");
    let u = uri(&base, "cli_plan", None);
    let first = bin().args(["export", "jinsong", "-o", &u]).output().expect("runs");
    let said = String::from_utf8_lossy(&first.stdout);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert!(said.starts_with("published jinsong to postgresql://") && said.contains("features"), "{said}");
    let again = bin().args(["export", "jinsong", "-o", &u]).output().expect("runs");
    let err = String::from_utf8_lossy(&again.stderr);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("already in database rp") && err.contains("--replace"), "{err}");
    let replaced = bin().args(["export", "jinsong", "-o", &u, "--replace"]).output().expect("runs");
    assert!(replaced.status.success(), "{}", String::from_utf8_lossy(&replaced.stderr));
    assert!(String::from_utf8_lossy(&replaced.stdout).contains("replaced"));

    // `info` and `export URI -o FILE` read it as they read a file.
    let from_db = bin().args(["info", &u, "--json"]).output().expect("runs");
    let embedded = bin().args(["info", "jinsong", "--json"]).output().expect("runs");
    assert!(from_db.status.success(), "{}", String::from_utf8_lossy(&from_db.stderr));
    let a: serde_json::Value = serde_json::from_slice(&from_db.stdout).expect("json");
    let b: serde_json::Value = serde_json::from_slice(&embedded.stdout).expect("json");
    assert_eq!(a["features"], b["features"]);
    assert_eq!(a["by_kind"], b["by_kind"]);
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("from-db.gpkg");
    let exported = bin().args(["export", &u, "-o", &out.to_string_lossy()]).output().expect("runs");
    assert!(exported.status.success(), "{}", String::from_utf8_lossy(&exported.stderr));
    let file = io::gpkg::load(&out).expect("a plan file").plan;
    assert!(file == open(&u).expect("opened").loaded.plan);
    // --replace is for databases only.
    let x = dir.path().join("x.gpkg");
    let wrong = bin().args(["export", "jinsong", "-o", &x.to_string_lossy(), "--replace"]).output().expect("runs");
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("--replace: is for publishing to a database"));
    assert_eq!(wrong.status.code(), Some(1));
}

#[test]
fn racing_publishers_leave_one_whole_plan_and_readers_never_see_a_mix() {
    let Some(base) = server("racing publishers") else { return };
    drop_plan(&base, "race");
    let u = uri(&base, "race", None);
    let a = io::load_jinsong().plan;
    // Another plan: a third of the features fewer, no items.
    let mut b = Plan::new(renewal_planner::model::PlanMeta { name: Some("the other plan".into()), ..a.meta.clone() });
    for (_, f) in a.iter().filter(|(id, _)| id.0 % 3 != 0) {
        b.push(f.clone());
    }
    let at = postgis::Location::parse(&u).expect("uri");
    postgis::publish(&a, &at, &postgis::Publish::default()).expect("first");
    let (a, b) = (without_personal(a), without_personal(b));
    std::thread::scope(|s| {
        for p in [&a, &b] {
            let at = at.clone();
            s.spawn(move || {
                for _ in 0..4 {
                    postgis::publish(p, &at, &postgis::Publish { replace: true, ..Default::default() })
                        .expect("published");
                }
            });
        }
        s.spawn(|| {
            for _ in 0..8 {
                let seen = open(&u).expect("opened").loaded.plan;
                assert!(seen == a || seen == b, "a reader saw a mix of two plans");
            }
        });
    });
    let last = open(&u).expect("opened").loaded.plan;
    assert!(last == a || last == b);
}

#[test]
fn a_publisher_killed_mid_transaction_loses_nothing_committed() {
    let Some(base) = server("a publisher killed half way") else { return };
    drop_plan(&base, "killed");
    // Its own application name: other tests publishing meanwhile hold locks too.
    let u = uri(&base, "killed", None).replacen("?", "?application_name=rp_killed_test&", 1);
    let at = postgis::Location::parse(&u).expect("uri");
    let jinsong = without_personal(io::load_jinsong().plan);
    postgis::publish(&jinsong, &at, &postgis::Publish::default()).expect("published");
    let dir = tempfile::tempdir().expect("dir");
    let city = tools::gen_city(20_000, dir.path());
    let mut child = bin()
        .args(["export", &city.to_string_lossy(), "-o", &u, "--replace"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("runs");
    // Killed once it holds the plan's lock, inside its transaction.
    let mut c = admin(&base);
    let started = Instant::now();
    let mut inside = false;
    while started.elapsed() < Duration::from_secs(60) {
        let n: i64 = c
            .query_one(
                "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
                 WHERE l.locktype = 'advisory' AND l.granted AND l.mode = 'ExclusiveLock' \
                 AND a.application_name = 'rp_killed_test'",
                &[],
            )
            .expect("locks")
            .get(0);
        if n > 0 {
            inside = true;
            break;
        }
        if child.try_wait().expect("child").is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(inside, "the publisher never took the plan's lock");
    child.kill().expect("killed");
    child.wait().expect("reaped");
    let seen = open(&u).expect("opened").loaded.plan;
    assert!(seen == jinsong, "the plan changed after its publisher was killed");
}

#[test]
fn a_read_only_role_opens_the_plan_and_cannot_change_it() {
    let Some(base) = server("a read-only role") else { return };
    drop_plan(&base, "ro_plan");
    let at = postgis::Location::parse(&uri(&base, "ro_plan", None)).expect("uri");
    postgis::publish(&io::load_jinsong().plan, &at, &postgis::Publish::default()).expect("published");
    pg::grant_viewer(&base, "rp_viewer_test", "ro_plan");
    let mut c = admin(&base);
    let viewer = uri(&base, "ro_plan", Some("rp_viewer_test"));
    let opened = open(&viewer).expect("the viewer reads it");
    assert!(opened.read_only);
    let before = opened.revision;
    let out = bin().args(["export", "jinsong", "-o", &viewer, "--replace"]).output().expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("rp_viewer_test may not change plan ro_plan") && err.contains("read-only"), "{err}");
    assert_eq!(open(&uri(&base, "ro_plan", None)).expect("opened").revision, before, "nothing changed");
    // An editor (the README's grants) saves the plan it opened; it is not read-only.
    c.batch_execute(
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rp_editor_test') THEN \
         CREATE ROLE rp_editor_test LOGIN; END IF; END $$; \
         GRANT USAGE ON SCHEMA ro_plan TO rp_editor_test; \
         GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA ro_plan TO rp_editor_test; \
         GRANT USAGE ON ALL SEQUENCES IN SCHEMA ro_plan TO rp_editor_test; \
         GRANT SELECT, INSERT, DELETE ON public.layer_styles TO rp_editor_test; \
         GRANT USAGE ON SEQUENCE public.layer_styles_id_seq TO rp_editor_test;",
    )
    .expect("editor");
    let editor = postgis::Location::parse(&uri(&base, "ro_plan", Some("rp_editor_test"))).expect("uri");
    let mine = postgis::load(&editor, None).expect("the editor reads it");
    assert!(!mine.read_only);
    let mut edited = mine.loaded.plan.clone();
    edited.meta.note = Some("edited by the editor".into());
    let how = postgis::Publish { expect_revision: Some(mine.revision), ..Default::default() };
    let done = postgis::publish(&edited, &editor, &how).expect("the editor saves");
    assert!(done.notes.is_empty(), "{:?}", done.notes);
    let seen = postgis::load(&at, None).expect("opened");
    assert_eq!(seen.loaded.plan.meta.note.as_deref(), Some("edited by the editor"));
    let who: String =
        c.query_one("SELECT db_user FROM ro_plan.rp_edit_log ORDER BY seq DESC LIMIT 1", &[]).expect("log").get(0);
    assert_eq!(who, "rp_editor_test");
    // A replace keeps the grants: the viewer still reads the plan after it is published again.
    postgis::publish(&io::load_jinsong().plan, &at, &postgis::Publish { replace: true, ..Default::default() })
        .expect("replaced");
    assert!(open(&viewer).expect("the viewer still reads it").read_only);
    // Also when a table is made anew (its columns differ, as after an older schema), and for a role
    // whose name must be quoted: the old table's grants are given to the new one.
    admin(&base)
        .batch_execute(
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '居委会 Viewer') THEN \
             CREATE ROLE \"居委会 Viewer\" LOGIN; END IF; END $$; \
             GRANT SELECT ON ALL TABLES IN SCHEMA ro_plan TO \"居委会 Viewer\"; \
             GRANT USAGE ON SCHEMA ro_plan TO \"居委会 Viewer\"; \
             ALTER TABLE ro_plan.rp_meta ADD COLUMN older int",
        )
        .expect("an older table");
    postgis::publish(&io::load_jinsong().plan, &at, &postgis::Publish { replace: true, ..Default::default() })
        .expect("replaced, the table made anew");
    let granted: Vec<String> = admin(&base)
        .query(
            "SELECT grantee FROM information_schema.role_table_grants WHERE table_schema = 'ro_plan' \
             AND table_name = 'rp_meta' AND privilege_type = 'SELECT' ORDER BY 1",
            &[],
        )
        .expect("grants")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(
        granted.contains(&"居委会 Viewer".to_string()) && granted.contains(&"rp_viewer_test".to_string()),
        "{granted:?}"
    );
    assert!(open(&viewer).expect("the viewer still reads it").read_only);
}

#[test]
fn faults_are_one_clear_line_each() {
    let Some(base) = server("database faults") else { return };
    let line = |args: &[&str]| {
        let out = bin().args(args).env_remove("PGPASSWORD").output().expect("runs");
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(err.lines().count(), 1, "{err}");
        err
    };
    // Nobody listening.
    let dir = tempfile::tempdir().expect("dir");
    let nowhere = format!("postgresql://postgres@/rp?host={}&port=5999&plan=x", dir.path().display());
    let e = line(&["info", &nowhere]);
    assert!(e.contains("cannot reach the database server") && e.contains("port 5999"), "{e}");
    // No such database, no such plan.
    let e = line(&["info", &uri(&base, "x", None).replace("/rp?", "/rp_nosuch_db?")]);
    assert!(e.contains("there is no database rp_nosuch_db"), "{e}");
    drop_plan(&base, "faults_plan");
    let at = postgis::Location::parse(&uri(&base, "faults_plan", None)).expect("uri");
    postgis::publish(&io::load_jinsong().plan, &at, &postgis::Publish::default()).expect("published");
    let e = line(&["info", &uri(&base, "no_such_plan", None)]);
    assert!(
        e.contains("there is no plan no_such_plan in database rp (plans there: ") && e.contains("faults_plan"),
        "{e}"
    );
    // A schema from a newer version: not read, not replaced.
    let mut c = admin(&base);
    c.batch_execute("UPDATE faults_plan.rp_meta SET value = '99' WHERE key = 'schema_version'").expect("newer");
    let e = line(&["info", &uri(&base, "faults_plan", None)]);
    assert!(e.contains("newer Renewal Planner (plan schema 99)"), "{e}");
    let e = line(&["export", "jinsong", "-o", &uri(&base, "faults_plan", None), "--replace"]);
    assert!(e.contains("newer Renewal Planner (plan schema 99)") && e.contains("will not replace"), "{e}");
    // A schema that is not a plan is never touched.
    c.batch_execute(
        "DROP SCHEMA IF EXISTS not_a_plan CASCADE; CREATE SCHEMA not_a_plan; CREATE TABLE not_a_plan.t (x int); \
         INSERT INTO not_a_plan.t VALUES (1)",
    )
    .expect("schema");
    let e = line(&["export", "jinsong", "-o", &uri(&base, "not_a_plan", None), "--replace"]);
    assert!(e.contains("not a Renewal Planner plan") && e.contains("left alone"), "{e}");
    let left: i64 = c.query_one("SELECT count(*) FROM not_a_plan.t", &[]).expect("still there").get(0);
    assert_eq!(left, 1);
    // A database without PostGIS, and a role that may not add it.
    c.batch_execute(
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rp_plain_test') THEN \
         CREATE ROLE rp_plain_test LOGIN; END IF; END $$;",
    )
    .expect("role");
    let has_db: bool = c
        .query_one("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'rp_nopostgis_test')", &[])
        .expect("db")
        .get(0);
    if !has_db {
        c.batch_execute("CREATE DATABASE rp_nopostgis_test OWNER rp_plain_test").expect("db");
    }
    // A role given nothing on a plan is told it may not read it (not that it may not change it).
    let e = line(&["info", &uri(&base, "faults_plan", Some("rp_plain_test"))]);
    assert!(e.contains("database role rp_plain_test may not read plan faults_plan"), "{e}");
    let plain = uri(&base, "x", Some("rp_plain_test")).replace("/rp?", "/rp_nopostgis_test?");
    let e = line(&["export", "jinsong", "-o", &plain]);
    assert!(
        e.contains("PostGIS is not installed in database rp_nopostgis_test") && e.contains("CREATE EXTENSION"),
        "{e}"
    );
    // A bad location.
    let e = line(&["info", "postgresql://postgres@/rp"]);
    assert!(e.contains("?plan=jinsong"), "{e}");
}

#[test]
fn a_password_comes_from_pgpass_and_a_wrong_one_is_refused() {
    let Some(base) = server("passwords") else { return };
    drop_plan(&base, "pw_plan");
    let at = postgis::Location::parse(&uri(&base, "pw_plan", None)).expect("uri");
    postgis::publish(&io::load_jinsong().plan, &at, &postgis::Publish::default()).expect("published");
    pg::grant_password_role(&base, "pw_plan");
    let u = uri(&base, "pw_plan", Some("rp_password_test"));
    let dir = tempfile::tempdir().expect("dir");
    let pgpass = dir.path().join("pgpass");
    let run = |pass_line: Option<&str>| {
        let mut cmd = bin();
        cmd.args(["info", &u]).env_remove("PGPASSWORD").stdin(std::process::Stdio::null());
        match pass_line {
            Some(l) => {
                std::fs::write(&pgpass, format!("*:*:rp:rp_password_test:{l}\n")).expect("pgpass");
                set_mode(&pgpass, 0o600);
                cmd.env("PGPASSFILE", &pgpass);
            }
            None => {
                cmd.env("PGPASSFILE", dir.path().join("none"));
            }
        }
        cmd.output().expect("runs")
    };
    let ok = run(Some("right horse"));
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let wrong = run(Some("wrong"));
    let e = String::from_utf8_lossy(&wrong.stderr);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(e.contains("refused user rp_password_test") && e.contains("password authentication failed"), "{e}");
    assert!(!e.contains("wrong"), "the password is never shown: {e}");
    let none = run(None);
    let e = String::from_utf8_lossy(&none.stderr);
    assert!(e.contains("asks for the password of user rp_password_test") && e.contains("~/.pgpass"), "{e}");
    // The URI's own password works and is never shown.
    let with = u.replacen("rp_password_test@", "rp_password_test:right%20horse@", 1);
    let out = bin().args(["info", &with]).output().expect("runs");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!said.contains("horse"), "{said}");
}

#[cfg(unix)]
fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("mode");
}

#[test]
fn a_stale_save_is_a_conflict_not_an_overwrite() {
    let Some(base) = server("a stale save") else { return };
    drop_plan(&base, "stale");
    let at = postgis::Location::parse(&uri(&base, "stale", None)).expect("uri");
    let plan = io::load_jinsong().plan;
    postgis::publish(&plan, &at, &postgis::Publish::default()).expect("published");
    let mine = postgis::load(&at, None).expect("opened");
    // Someone else publishes meanwhile.
    postgis::publish(&plan, &at, &postgis::Publish { replace: true, ..Default::default() }).expect("theirs");
    let e = postgis::publish(
        &mine.loaded.plan,
        &at,
        &postgis::Publish { expect_revision: Some(mine.revision), ..Default::default() },
    )
    .expect_err("a conflict");
    assert!(e.to_string().contains("was changed in the database since it was opened here (postgres, "), "{e}");
    let fresh = postgis::load(&at, None).expect("opened");
    postgis::publish(
        &fresh.loaded.plan,
        &at,
        &postgis::Publish { expect_revision: Some(fresh.revision), ..Default::default() },
    )
    .expect("a save of the latest goes through");
}

#[test]
fn a_plan_published_before_editing_together_is_brought_up_to_date_by_a_publish() {
    let Some(base) = server("an older edit log") else { return };
    drop_plan(&base, "old_log");
    let at = postgis::Location::parse(&uri(&base, "old_log", None)).expect("uri");
    postgis::publish(&io::load_jinsong().plan, &at, &postgis::Publish::default()).expect("published");
    admin(&base).batch_execute("ALTER TABLE old_log.rp_edit_log DROP COLUMN touched").expect("older");
    let opened = postgis::load(&at, None).expect("an older plan still opens");
    let e = postgis::sync::Session::open(&at, None, opened.revision).err().expect("refused");
    assert!(e.to_string().contains("publish it again (export … --replace)"), "{e}");
    postgis::publish(&opened.loaded.plan, &at, &postgis::Publish { replace: true, ..Default::default() })
        .expect("republished");
    let opened = postgis::load(&at, None).expect("opened");
    postgis::sync::Session::open(&at, None, opened.revision).expect("now it can be edited together");
}

#[test]
fn the_command_line_asks_for_a_password_on_the_terminal_without_showing_it() {
    let Some(base) = server("the terminal's password prompt") else { return };
    // `script` (util-linux) gives the command a terminal, as a planner's shell does.
    let have = Command::new("script").arg("--version").output().is_ok_and(|o| o.status.success());
    if !have {
        assert!(std::env::var_os("CI").is_none(), "CI must have script (util-linux)");
        eprintln!("SKIPPED: the terminal's password prompt: script (util-linux) is not installed");
        return;
    }
    pg::fresh_jinsong(&base, "tty_plan");
    pg::grant_password_role(&base, "tty_plan");
    let u = uri(&base, "tty_plan", Some("rp_password_test"));
    let dir = tempfile::tempdir().expect("dir");
    let command = format!("{} info '{u}'", env!("CARGO_BIN_EXE_renewal-planner"));
    let mut child = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("PGPASSFILE", dir.path().join("none"))
        .env_remove("PGPASSWORD")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    let mut out = child.stdout.take().expect("stdout");
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    // The password is typed once the prompt is there, as a planner would.
    while !String::from_utf8_lossy(&seen).contains("Password for rp_password_test") {
        use std::io::Read;
        let n = out.read(&mut buf).expect("reads");
        assert!(n > 0, "no prompt: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(b"right horse\n").expect("typed");
    }
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).expect("reads");
    assert!(child.wait().expect("waits").success(), "{rest}");
    let all = String::from_utf8_lossy(&seen).to_string() + &rest;
    assert!(all.contains("features:   87"), "{all}");
    assert!(!all.contains("right horse"), "the password is never shown: {all}");
}
