//! The window against a plan in PostgreSQL/PostGIS as against a file: File →
//! Open from database…, Save publishing back (and a conflict, never a silent
//! overwrite, when someone else published meanwhile), a read-only role's
//! banner and refused Save, and a failed open leaving the open plan untouched.
//!
//! Each test needs the test server: `tools/pg_local.sh start DIR` prints its
//! URI; set `RP_TEST_PG` to it. Without it a test says SKIPPED (and fails under CI).

use std::path::PathBuf;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use renewal_planner::document::Source;
use renewal_planner::edit::Edit;
use renewal_planner::io::{self, postgis};
use renewal_planner::model::FeatureId;
use renewal_planner::ui::{Action, PlannerApp};

mod common;
#[path = "common/pg.rs"]
mod pg;
use pg::{server, uri};

fn at(uri: &str) -> postgis::Location {
    postgis::Location::parse(uri).expect("uri")
}

/// Publishes the Jinsong plan as `plan` (over one left by an earlier run).
fn publish_jinsong(base: &str, plan: &str) -> postgis::Published {
    let how = postgis::Publish { replace: true, ..Default::default() };
    postgis::publish(&io::load_jinsong().plan, &at(&uri(base, plan, None)), &how).expect("published")
}

fn harness() -> Harness<'static, PlannerApp> {
    let mut h = common::harness(PlannerApp::new(), [1280.0, 800.0]);
    h.run_steps(3);
    h
}

/// Opens a database plan through the window's action, on the background reader.
fn open(h: &mut Harness<'static, PlannerApp>, uri: &str) {
    h.state_mut().apply(Action::Open(PathBuf::from(uri)));
    h.state_mut().wait_for_load();
    h.run_steps(3);
}

/// Opens a database plan as one not edited together — a plan recovered from
/// the autosave opens so —, whose Save publishes it whole, only if nobody
/// published since (opened through File → Open it is edited together, `tests/ui_live.rs`).
fn open_whole(h: &mut Harness<'static, PlannerApp>, uri: &str) {
    open(h, uri);
    assert!(h.state().live_view().is_some(), "a database plan opens edited together");
    h.state_mut().stop_live();
    h.run_steps(2);
}

/// An edit the planner would notice: a property of the first feature.
fn edit(h: &mut Harness<'static, PlannerApp>, text: &str) -> FeatureId {
    let id = h.state().doc.plan().iter().next().map(|(id, _)| id).expect("a feature");
    h.state_mut().apply(Action::Edit(Edit::SetProperty {
        feature: id,
        key: "ui_note".into(),
        value: Some(serde_json::json!(text)),
    }));
    assert!(h.state().doc.is_dirty());
    id
}

/// Whether the window's live connection comes online within about two seconds.
fn goes_online(h: &mut Harness<'static, PlannerApp>) -> bool {
    for _ in 0..200 {
        h.run_steps(1);
        if h.state().live_view().is_some_and(|v| v.online) {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    false
}

fn note_in(uri: &str, id: FeatureId) -> Option<serde_json::Value> {
    let opened = postgis::load(&at(uri), None).expect("loads");
    opened.loaded.plan.get(id).and_then(|f| f.properties.get("ui_note"))
}

fn save(h: &mut Harness<'static, PlannerApp>) {
    h.state_mut().apply(Action::Save);
    h.state_mut().wait_for_save();
    h.run_steps(3);
}

#[test]
fn a_published_plan_opens_through_file_open_from_database() {
    let Some(base) = server("open from database") else { return };
    let published = publish_jinsong(&base, "ui_open");
    let mut h = harness();
    h.get_by_label("文件").click();
    h.run_steps(2);
    h.get_by_label("从数据库打开…").click();
    h.run_steps(3);
    // The plan is picked from the database's list, not typed.
    common::retype(&mut h, "位置 (URI)：", &base);
    common::click_label(&mut h, "列出方案");
    for _ in 0..100 {
        if h.query_by_label("ui_open").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        h.run_steps(1);
    }
    common::click_label(&mut h, "ui_open");
    assert_eq!(h.get_by_label("位置 (URI)：").value().unwrap_or_default(), uri(&base, "ui_open", None));
    common::click_label(&mut h, "打开");
    h.state_mut().wait_for_load();
    h.run_steps(3);
    let app = h.state();
    assert_eq!(app.doc.plan().len(), io::load_jinsong().plan.len(), "{:?}", app.status_text());
    let Source::Database(d) = app.doc.source() else { panic!("a database plan: {:?}", app.doc.source()) };
    assert_eq!((d.plan.as_str(), d.revision, d.read_only), ("ui_open", published.revision, false));
    assert_eq!(d.location, uri(&base, "ui_open", None));
    assert!(app.doc.source().display_name().contains("ui_open @ rp"), "{}", app.doc.source().display_name());
    let status = app.status_text().unwrap_or_default();
    assert!(status.starts_with("已打开") && status.contains("plan=ui_open"), "{status}");
    assert!(h.query_by_label("从数据库打开…").is_none(), "the window closed");
}

#[test]
fn a_plan_that_is_not_there_leaves_the_open_plan_untouched_with_a_message() {
    let Some(base) = server("a missing plan") else { return };
    publish_jinsong(&base, "ui_there");
    let mut h = harness();
    let before = h.state().doc.plan().len();
    // A password in the URI is used for the connection, never shown.
    let missing = uri(&base, "ui_not_there", None).replacen("postgres@", "postgres:s3cret@", 1);
    open(&mut h, &missing);
    let app = h.state();
    assert_eq!(app.doc.source(), &Source::Jinsong, "the open plan stays");
    assert_eq!(app.doc.plan().len(), before);
    let alert = app.alert_text().expect("a message");
    assert!(alert.contains("数据库 rp 中没有方案 ui_not_there") && alert.contains("ui_there"), "{alert}");
    assert!(alert.contains("plan=ui_not_there") && !alert.contains("s3cret"), "{alert}");
}

#[test]
fn save_publishes_the_edit_back_and_the_plan_is_clean() {
    let Some(base) = server("save round trip") else { return };
    let first = publish_jinsong(&base, "ui_save");
    let u = uri(&base, "ui_save", None);
    let mut h = harness();
    open_whole(&mut h, &u);
    let id = edit(&mut h, "改在窗口里");
    save(&mut h);
    let app = h.state();
    assert!(!app.doc.is_dirty(), "{:?}", app.status_text());
    let d = app.doc.source().database().expect("still the database plan");
    assert!(d.revision > first.revision, "the new revision is kept");
    assert!(app.status_text().unwrap_or_default().starts_with("已发布到"), "{:?}", app.status_text());
    assert_eq!(note_in(&u, id), Some(serde_json::json!("改在窗口里")), "another reader sees the edit");
    // Published, it is edited together from now on: the next edit goes in as it is made.
    assert!(h.state().live_view().is_some(), "a published plan is edited together");
    edit(&mut h, "second");
    let start = std::time::Instant::now();
    while h.state().doc.is_dirty() {
        assert!(start.elapsed() < std::time::Duration::from_secs(5), "the edit is sent: {:?}", h.state().live_view());
        h.run_steps(1);
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert_eq!(note_in(&u, id), Some(serde_json::json!("second")));
    // Saving it as a file ends editing together: the file's edits are its own.
    let dir = tempfile::tempdir().expect("dir");
    h.state_mut().apply(Action::SaveTo(dir.path().join("mine.gpkg")));
    h.state_mut().wait_for_save();
    h.run_steps(2);
    assert!(h.state().live_view().is_none() && h.state().doc.source().database().is_none());
    edit(&mut h, "only in the file");
    h.run_steps(3);
    assert_eq!(note_in(&u, id), Some(serde_json::json!("second")), "never sent to the database");
}

#[test]
fn a_stale_save_is_a_conflict_and_never_overwrites_theirs() {
    let Some(base) = server("stale save") else { return };
    publish_jinsong(&base, "ui_stale");
    let u = uri(&base, "ui_stale", None);
    let mut h = harness();
    open_whole(&mut h, &u);
    // Someone else publishes meanwhile.
    publish_jinsong(&base, "ui_stale");
    let theirs = postgis::load(&at(&u), None).expect("loads").revision;
    let id = edit(&mut h, "mine");
    save(&mut h);
    assert!(h.state().doc.is_dirty(), "not saved");
    assert_eq!(note_in(&u, id), None, "theirs stays");
    assert_eq!(postgis::load(&at(&u), None).expect("loads").revision, theirs);
    assert!(h.query_by_label("方案已被他人更改").is_some(), "the conflict window");
    let status = h.state().status_text().unwrap_or_default();
    assert!(status.contains("方案 ui_stale 在您打开后已被他人在数据库中更改"), "{status}");
    // Open theirs asks first: the unsaved edit would be lost.
    common::click_label(&mut h, "打开他们的版本");
    assert!(h.query_by_label("打开他们的版本会丢失您未保存的修改。").is_some());
    common::click_label(&mut h, "返回");
    // Publishing mine over theirs is the planner's choice.
    common::click_label(&mut h, "用我的版本覆盖他们的");
    h.state_mut().wait_for_save();
    h.run_steps(3);
    assert!(!h.state().doc.is_dirty(), "{:?}", h.state().alert_text());
    assert_eq!(note_in(&u, id), Some(serde_json::json!("mine")));
    assert!(h.query_by_label("方案已被他人更改").is_none());
}

#[test]
fn a_read_only_role_sees_the_banner_and_save_changes_nothing() {
    let Some(base) = server("read-only role in the window") else { return };
    let published = publish_jinsong(&base, "ui_ro");
    pg::grant_viewer(&base, "rp_ui_viewer", "ui_ro");
    let mut h = harness();
    open_whole(&mut h, &uri(&base, "ui_ro", Some("rp_ui_viewer")));
    assert!(h.state().doc.source().database().is_some_and(|d| d.read_only), "{:?}", h.state().alert_text());
    h.get_by_label("只读：数据库角色 rp_ui_viewer 不能修改方案 ui_ro（仍可另存为文件）");
    edit(&mut h, "viewer");
    save(&mut h);
    let alert = h.state().alert_text().expect("one clear message");
    assert!(alert.contains("数据库角色 rp_ui_viewer 不能修改方案 ui_ro"), "{alert}");
    assert!(h.state().doc.is_dirty());
    let now = postgis::load(&at(&uri(&base, "ui_ro", None)), None).expect("loads");
    assert_eq!(now.revision, published.revision, "nothing changed");
    // Save as a file still works.
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("viewer.gpkg");
    h.state_mut().apply(Action::SaveTo(file.clone()));
    h.state_mut().wait_for_save();
    assert!(file.exists() && !h.state().doc.is_dirty());
}

#[test]
fn save_to_database_publishes_a_file_plan_and_asks_before_replacing() {
    let Some(base) = server("save to database") else { return };
    publish_jinsong(&base, "ui_new");
    let u = uri(&base, "ui_new", None);
    let mut h = harness();
    edit(&mut h, "from the window");
    h.state_mut().apply(Action::PublishTo { uri: u.clone(), replace: false });
    h.state_mut().wait_for_save();
    h.run_steps(3);
    let alert = h.state().alert_text().expect("exists");
    assert!(alert.contains("数据库 rp 中已有方案 ui_new") && alert.contains("替换同名方案"), "{alert}");
    assert!(h.state().doc.is_dirty());
    h.state_mut().apply(Action::ShowDatabase(Some(renewal_planner::ui::database::DbMode::Publish)));
    h.run_steps(3);
    common::retype(&mut h, "位置 (URI)：", &u);
    common::click_label(&mut h, "替换同名方案");
    common::click_label(&mut h, "发布");
    h.state_mut().wait_for_save();
    h.run_steps(3);
    assert!(!h.state().doc.is_dirty(), "{:?}", h.state().alert_text());
    assert!(h.state().doc.source().database().is_some_and(|d| d.plan == "ui_new"));
    let id = h.state().doc.plan().iter().next().map(|(id, _)| id).expect("a feature");
    assert_eq!(note_in(&u, id), Some(serde_json::json!("from the window")));
}

#[test]
fn a_database_location_is_never_saved_as_a_file() {
    let mut h = harness();
    h.state_mut().apply(Action::SaveTo(PathBuf::from("postgresql://ann:s3cret@h/rp?plan=p")));
    h.state_mut().wait_for_save();
    h.run_steps(2);
    let alert = h.state().alert_text().expect("a message");
    assert!(alert.contains("is a database location, not a file") && !alert.contains("s3cret"), "{alert}");
    assert!(!std::path::Path::new("postgresql:").exists(), "no stray file");
    assert!(h.state().doc.source() == &Source::Jinsong && !h.state().is_saving());
}

#[test]
fn a_server_that_asks_for_a_password_gets_it_in_the_database_window() {
    let Some(base) = server("a password asked for in the window") else { return };
    publish_jinsong(&base, "ui_pw");
    // A role that must give its password (tools/pg_local.sh asks it of rp_password_test).
    pg::grant_password_role(&base, "ui_pw");
    if std::env::var_os("PGPASSWORD").is_some() || std::env::var_os("PGPASSFILE").is_some() {
        eprintln!("SKIPPED: a password asked for in the window: PGPASSWORD or PGPASSFILE is set for this run");
        return;
    }
    let u = uri(&base, "ui_pw", Some("rp_password_test"));
    let mut h = harness();
    open(&mut h, &u);
    // Not opened: the window asks for the password, the location filled in.
    assert_eq!(h.state().doc.source(), &Source::Jinsong, "the open plan stays");
    h.get_by_label("服务器要求输入密码：请在下方输入密码后重试");
    assert_eq!(h.get_by_label("位置 (URI)：").value().unwrap_or_default(), u);
    common::retype(&mut h, "密码（可选，仅用于本次连接，不会保存）：", "right horse");
    common::click_label(&mut h, "打开");
    h.state_mut().wait_for_load();
    h.run_steps(3);
    let app = h.state();
    assert!(app.doc.source().database().is_some_and(|d| d.plan == "ui_pw" && d.read_only), "{:?}", app.alert_text());
    let shown = format!("{:?} {:?}", app.status_text(), app.alert_text());
    assert!(!shown.contains("right horse"), "the password is never shown: {shown}");
    // Edited together with the typed password: the live connection got in too.
    let online = goes_online(&mut h);
    assert!(online, "{:?}", h.state().live_view());
}

#[test]
fn a_password_written_in_the_location_serves_the_live_connection_too() {
    let Some(base) = server("a password in the URI") else { return };
    publish_jinsong(&base, "ui_pw_uri");
    pg::grant_password_role(&base, "ui_pw_uri");
    let u = uri(&base, "ui_pw_uri", Some("rp_password_test")).replacen(
        "rp_password_test@",
        "rp_password_test:right%20horse@",
        1,
    );
    let mut h = harness();
    open(&mut h, &u);
    assert!(h.state().doc.source().database().is_some(), "{:?}", h.state().alert_text());
    let online = goes_online(&mut h);
    assert!(online, "the live connection logs in with the URI's password: {:?}", h.state().live_view());
    let shown = format!("{:?} {:?} {:?}", h.state().status_text(), h.state().alert_text(), h.state().doc.source());
    assert!(!shown.contains("horse"), "{shown}");
}
