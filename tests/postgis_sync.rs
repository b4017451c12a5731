//! Editing a database plan together (`io::postgis::sync`) against the real
//! test server `.ci/run` starts (`RP_TEST_PG`): two clients' edits to
//! different features merge, the same feature conflicts with both versions,
//! others' edits are announced by NOTIFY, and edits made while the connection
//! was down are sent on reconnecting. Without a server: SKIPPED (fails under CI).

use std::time::{Duration, Instant};

use renewal_planner::edit::Edit;
use renewal_planner::io::{postgis, postgis::sync};
use renewal_planner::model::Plan;
use serde_json::json;

#[path = "common/pg.rs"]
mod pg;
use pg::server;

/// A client: the plan as it opened it, and its session.
struct Client {
    plan: Plan,
    session: sync::Session,
}

fn client(at: &postgis::Location) -> Client {
    let opened = postgis::load(at, None).expect("opened");
    Client { plan: opened.loaded.plan, session: sync::Session::open(at, None, opened.revision).expect("session") }
}

impl Client {
    /// Applies a local edit and pushes what it touched.
    fn edit(&mut self, edit: Edit, what: &str) -> Result<i64, sync::PushError> {
        let items_before: Vec<String> = Vec::new();
        let applied = edit.apply(&mut self.plan).expect("applies");
        let touched = sync::Touched::of(&self.plan, &applied, false, &items_before);
        self.session.push(&self.plan, &touched, what)
    }

    /// Pulls others' edits into the plan.
    fn pull(&mut self) -> Vec<sync::Entry> {
        match self.session.pull().expect("pulled") {
            sync::Pulled::Nothing => Vec::new(),
            sync::Pulled::Changes { entries, objects } => {
                sync::remote_edit(&self.plan, &objects).apply(&mut self.plan).expect("their edit applies");
                entries
            }
            sync::Pulled::Republished { .. } => panic!("nobody republished"),
        }
    }
}

fn set_name(plan: &Plan, key: &str, name: &str) -> Edit {
    let id = plan.by_key(key).expect("feature");
    Edit::SetProperty { feature: id, key: "name_zh".into(), value: Some(json!(name)) }
}

fn building_keys(plan: &Plan) -> Vec<String> {
    plan.iter()
        .filter(|(_, f)| f.kind == renewal_planner::model::Kind::Building)
        .filter_map(|(id, _)| plan.key(id))
        .collect()
}

#[test]
fn two_clients_editing_different_features_merge() {
    let Some(base) = server("merging two clients' edits") else { return };
    let at = pg::fresh_jinsong(&base, "sync_merge");
    let (mut a, mut b) = (client(&at), client(&at));
    let keys = building_keys(&a.plan);
    let (k1, k2) = (&keys[0], &keys[1]);
    a.edit(set_name(&a.plan, k1, "一号楼（改）"), "rename").expect("a pushes");
    b.edit(set_name(&b.plan, k2, "二号楼（改）"), "rename").expect("b pushes: another feature, no conflict");
    let seen_by_a = a.pull();
    let seen_by_b = b.pull();
    assert_eq!(seen_by_a.len(), 1);
    assert_eq!(seen_by_b.len(), 1);
    assert_eq!(seen_by_a[0].user, "postgres");
    assert_eq!(seen_by_a[0].touched, vec![format!("feature:{k2}")]);
    assert!(a.plan == b.plan, "both clients hold both edits");
    let db = postgis::load(&at, None).expect("opened").loaded.plan;
    assert!(db == a.plan, "the database holds both edits");
    let name = |p: &Plan, k: &str| p.get(p.by_key(k).unwrap()).unwrap().name_zh().map(str::to_string);
    assert_eq!(name(&db, k1).as_deref(), Some("一号楼（改）"));
    assert_eq!(name(&db, k2).as_deref(), Some("二号楼（改）"));
    // The GIS layers follow: QGIS sees the new name in `after`.
    let mut c = postgis::connect(&at, None).expect("server");
    let shown: String =
        c.query_one("SELECT name_zh FROM sync_merge.after WHERE feature_key = $1", &[k1]).expect("row").get(0);
    assert_eq!(shown, "一号楼（改）");
    let rows: i64 =
        c.query_one("SELECT count(*) FROM sync_merge.rp_features WHERE feature_key = $1", &[k1]).expect("n").get(0);
    assert_eq!(rows, 1);
}

#[test]
fn the_same_feature_is_a_conflict_with_both_versions_never_an_overwrite() {
    let Some(base) = server("a conflict") else { return };
    let at = pg::fresh_jinsong(&base, "sync_conflict");
    let (mut a, mut b) = (client(&at), client(&at));
    let k = building_keys(&a.plan)[3].clone();
    a.edit(set_name(&a.plan, &k, "甲改的名字"), "rename").expect("a pushes");
    let e = b.edit(set_name(&b.plan, &k, "乙改的名字"), "rename").expect_err("the same feature");
    let sync::PushError::Conflict(conflict) = e else { panic!("not a conflict: {e}") };
    assert_eq!(conflict.theirs.len(), 1);
    assert_eq!(conflict.theirs[0].what, "rename");
    let theirs = conflict.objects.features.iter().find(|(key, _)| *key == k).and_then(|(_, f)| f.clone());
    assert_eq!(theirs.expect("their version").name_zh(), Some("甲改的名字"));
    let mine = b.plan.get(b.plan.by_key(&k).unwrap()).unwrap();
    assert_eq!(mine.name_zh(), Some("乙改的名字"), "mine is kept until the planner chooses");
    let db = postgis::load(&at, None).expect("opened").loaded.plan;
    assert_eq!(db.get(db.by_key(&k).unwrap()).unwrap().name_zh(), Some("甲改的名字"), "nothing overwritten");
    // Keep mine: b has now seen a's edit (pulled), and pushes again.
    let mut touched = sync::Touched::default();
    touched.features.insert(k.clone());
    let _ = b.session.pull().expect("pulled");
    b.session.push(&b.plan, &touched, "rename (kept mine)").expect("pushed after seeing theirs");
    a.pull();
    assert_eq!(a.plan.get(a.plan.by_key(&k).unwrap()).unwrap().name_zh(), Some("乙改的名字"));
}

#[test]
fn items_and_the_plans_other_parts_travel_too() {
    let Some(base) = server("items and parts") else { return };
    let at = pg::fresh_jinsong(&base, "sync_items");
    let (mut a, mut b) = (client(&at), client(&at));
    let (id, mut item) = a.plan.items.iter().next().map(|(k, v)| (k.clone(), v.clone())).expect("an item");
    item.name_zh = Some("改过的项目名".into());
    a.edit(
        Edit::PutItem {
            id: id.clone(),
            item: Some(Box::new(item.clone())),
            label: renewal_planner::edit::EditLabel::EditItem,
        },
        "edit item",
    )
    .expect("pushed");
    let mut stories = a.plan.stories.clone();
    stories.truncate(1);
    let applied = Edit::SetStories { stories, label: renewal_planner::edit::EditLabel::EditStory }
        .apply(&mut a.plan)
        .expect("applies");
    let touched = sync::Touched::of(&a.plan, &applied, true, &[]);
    a.session.push(&a.plan, &touched, "edit stories").expect("pushed");
    let entries = b.pull();
    assert_eq!(entries.len(), 2);
    assert_eq!(b.plan.items.get(&id), Some(&item));
    assert_eq!(b.plan.stories, a.plan.stories);
    assert!(b.plan == a.plan);
}

#[test]
fn others_edits_are_announced_within_two_seconds() {
    let Some(base) = server("notifications") else { return };
    let at = pg::fresh_jinsong(&base, "sync_notify");
    let (mut a, mut b) = (client(&at), client(&at));
    let k = building_keys(&a.plan)[5].clone();
    let waiter = std::thread::spawn(move || {
        let start = Instant::now();
        let came = b.session.wait(Duration::from_secs(5)).expect("waits");
        (came, start.elapsed(), b)
    });
    std::thread::sleep(Duration::from_millis(200));
    a.edit(set_name(&a.plan, &k, "通知"), "rename").expect("pushed");
    let (came, after, mut b) = waiter.join().expect("joined");
    assert!(came && after < Duration::from_secs(2), "{came} {after:?}");
    assert_eq!(b.pull().len(), 1);
}

#[test]
fn edits_made_offline_are_sent_on_reconnecting() {
    let Some(base) = server("reconnecting") else { return };
    let at = pg::fresh_jinsong(&base, "sync_offline");
    // a's connections are named, so the server can drop them.
    let a_at = postgis::Location::parse(&format!("{base}&application_name=client_a&plan=sync_offline")).expect("uri");
    let (mut a, mut b) = (client(&a_at), client(&at));
    let k = building_keys(&a.plan)[7].clone();
    assert_eq!(pg::drop_connections(&base, "client_a"), 1);
    // Offline: the push fails as unreachable, and the edit waits in the outbox.
    let applied = set_name(&a.plan, &k, "离线时改的").apply(&mut a.plan).expect("applies");
    let touched = sync::Touched::of(&a.plan, &applied, false, &[]);
    let e = a.session.push(&a.plan, &touched, "rename").expect_err("offline");
    assert!(e.is_offline(), "{e}");
    let mut outbox = sync::Outbox::default();
    outbox.add(&touched, "rename");
    // b edits another feature meanwhile.
    let other = building_keys(&b.plan)[8].clone();
    b.edit(set_name(&b.plan, &other, "乙在线改的"), "rename").expect("b pushes");
    // Reconnected: others' edits first, then what waited.
    let mut session = sync::Session::open(&a_at, None, a.session.seen()).expect("back");
    if let sync::Pulled::Changes { objects, .. } = session.pull().expect("pulled") {
        sync::remote_edit(&a.plan, &objects).apply(&mut a.plan).expect("applies");
    }
    let sent = outbox.send(&mut session, &a.plan).expect("sent");
    assert!(sent.is_some() && outbox.is_empty());
    b.pull();
    assert!(a.plan == b.plan);
    let db = postgis::load(&at, None).expect("opened").loaded.plan;
    assert_eq!(db.get(db.by_key(&k).unwrap()).unwrap().name_zh(), Some("离线时改的"));
    let what: String = pg::admin(&base)
        .query_one("SELECT what FROM sync_offline.rp_edit_log ORDER BY seq DESC LIMIT 1", &[])
        .expect("log")
        .get(0);
    assert_eq!(what, "rename (sent on reconnecting)");
}

#[test]
fn a_read_only_role_cannot_push_and_a_republish_asks_to_reopen() {
    let Some(base) = server("read-only pushes") else { return };
    let at = pg::fresh_jinsong(&base, "sync_ro");
    pg::grant_viewer(&base, "rp_viewer_test", "sync_ro");
    let viewer_at =
        postgis::Location::parse(&format!("{}&plan=sync_ro", base.replacen("postgres@", "rp_viewer_test@", 1)))
            .expect("uri");
    let mut viewer = client(&viewer_at);
    let k = building_keys(&viewer.plan)[0].clone();
    let e = viewer.edit(set_name(&viewer.plan, &k, "不许改"), "rename").expect_err("read-only");
    assert!(e.to_string().contains("rp_viewer_test may not change plan sync_ro"), "{e}");
    let db = postgis::load(&at, None).expect("opened").loaded.plan;
    assert_ne!(db.get(db.by_key(&k).unwrap()).unwrap().name_zh(), Some("不许改"));
    // A whole publish over the plan: a session is told to open it again.
    let mut a = client(&at);
    postgis::publish(&db, &at, &postgis::Publish { replace: true, ..Default::default() }).expect("republished");
    assert!(matches!(a.session.pull().expect("pulled"), sync::Pulled::Republished { .. }));
    let e = a.edit(set_name(&a.plan, &k, "x"), "rename").expect_err("conflicts with the publish");
    assert!(matches!(e, sync::PushError::Conflict(_)), "{e}");
}
