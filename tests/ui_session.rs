//! Autosave and recovery through the real interface.

use std::time::Duration;

use renewal_planner::edit::{Edit, EditLabel};
use renewal_planner::model::Item;
use renewal_planner::session;
use renewal_planner::ui::{Action, PlannerApp};

mod common;

#[test]
fn an_edit_is_autosaved_within_a_couple_of_seconds() {
    let dir = tempfile::tempdir().expect("temp dir");
    let app = PlannerApp::new().with_session(dir.path().to_path_buf());
    let mut h = common::harness(app, [1280.0, 800.0]);
    h.run_steps(3);
    assert!(session::pending_recovery(dir.path()).is_none(), "nothing to recover before an edit");
    let key = h.state().doc.plan().key(h.state().doc.plan().iter().next().expect("feature").0).expect("key");
    let item = Item::new("it-autosave".into(), "lighting".into(), vec![key], "2021-01-01", 1000);
    h.state_mut().apply(Action::Edit(Edit::PutItem {
        id: "it-autosave".into(),
        item: Some(Box::new(item)),
        label: EditLabel::AddItem,
    }));
    // Two seconds of frames, then wait for the background writer.
    for _ in 0..150 {
        h.step();
        std::thread::sleep(Duration::from_millis(2));
    }
    let start = std::time::Instant::now();
    while session::pending_recovery(dir.path()).is_none() || h.state().doc.revision() == 0 {
        assert!(start.elapsed() < Duration::from_secs(30), "autosave never happened");
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    let (path, _) = session::pending_recovery(dir.path()).expect("autosaved");
    let plan = renewal_planner::io::load_path(&path).expect("opens").plan;
    assert!(plan.items.contains_key("it-autosave"));
}

#[test]
fn work_left_by_a_crash_is_offered_and_recovered() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut plan = renewal_planner::document::Document::jinsong().plan().clone();
    let key = plan.key(plan.iter().next().expect("feature").0).expect("key");
    plan.items.insert("it-lost".into(), Item::new("it-lost".into(), "lighting".into(), vec![key], "2021-01-01", 1000));
    session::autosave(dir.path(), &plan, None).expect("autosaves");

    let app = PlannerApp::new().with_session(dir.path().to_path_buf());
    let mut h = common::harness(app, [1280.0, 800.0]);
    h.run_steps(12);
    use egui_kittest::kittest::Queryable;
    h.get_by_label("恢复").click();
    h.run_steps(3);
    let app = h.state();
    assert!(app.doc.plan().items.contains_key("it-lost"), "the lost item is back");
    assert!(app.doc.is_dirty(), "recovered work is unsaved until saved");
}

#[test]
fn discarding_the_offer_forgets_the_autosave() {
    let dir = tempfile::tempdir().expect("temp dir");
    session::autosave(dir.path(), renewal_planner::document::Document::jinsong().plan(), None).expect("autosaves");
    let app = PlannerApp::new().with_session(dir.path().to_path_buf());
    let mut h = common::harness(app, [1280.0, 800.0]);
    h.run_steps(12);
    use egui_kittest::kittest::Queryable;
    h.get_by_label("丢弃").click();
    h.run_steps(3);
    assert!(session::pending_recovery(dir.path()).is_none());
    assert!(!h.state().doc.is_dirty());
}

#[test]
fn a_save_writes_a_snapshot_and_edits_made_meanwhile_stay_unsaved() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut h = common::harness(PlannerApp::new(), [1280.0, 800.0]);
    h.run_steps(2);
    let key = h.state().doc.plan().key(h.state().doc.plan().iter().next().expect("feature").0).expect("key");
    let put = |id: &str| {
        Action::Edit(Edit::PutItem {
            id: id.into(),
            item: Some(Box::new(Item::new(id.into(), "lighting".into(), vec![key.clone()], "2021-01-01", 1000))),
            label: EditLabel::AddItem,
        })
    };
    h.state_mut().apply(put("it-before-save"));
    let path = dir.path().join("plan.gpkg");
    h.state_mut().apply(Action::SaveTo(path.clone()));
    assert!(h.state().is_saving());
    // An edit while the writer runs copies the plan; the file gets the snapshot.
    h.state_mut().apply(put("it-during-save"));
    h.state_mut().wait_for_save();
    h.run_steps(2);
    assert!(!h.state().is_saving());
    assert!(h.state().doc.is_dirty(), "the edit made during the save is not in the file");
    let saved = renewal_planner::io::load_path(&path).expect("opens").plan;
    assert!(saved.items.contains_key("it-before-save") && !saved.items.contains_key("it-during-save"));
    assert!(h.state().status_text().is_some_and(|t| t.contains("plan.gpkg")));
    // Saving again catches up.
    h.state_mut().apply(Action::Save);
    h.state_mut().wait_for_save();
    assert!(!h.state().doc.is_dirty());
    assert!(renewal_planner::io::load_path(&path).expect("opens").plan.items.contains_key("it-during-save"));
}
