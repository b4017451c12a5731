//! A table of points whose header the app does not recognise: the window asks
//! which columns hold the coordinates, then reads it with them — opened, or
//! imported into the open plan as one undo step.

mod common;

use eframe::egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use renewal_planner::ui::{Action, PlannerApp};

const TITLE: &str = "点表坐标列";

/// Three service points near Jinsong under headers no reader guesses.
fn table(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("站点.csv");
    let text = "站名,东西,南北,备注\n劲松菜站,116.4605,39.8838,早市\n便民理发,116.4612,39.8841,\n修车铺,116.4598,39.8830,周末\n";
    std::fs::write(&path, text).expect("writes");
    path
}

#[test]
fn unrecognised_columns_are_asked_for_and_the_table_opens_with_the_ones_chosen() {
    let dir = tempfile::tempdir().expect("a folder");
    let csv = table(dir.path());
    let mut h = common::harness(PlannerApp::new(), [1280.0, 800.0]);
    h.run_steps(2);
    let jinsong = h.state().doc.plan().len();
    h.state_mut().apply(Action::Open(csv.clone()));
    h.state_mut().wait_for_load();
    h.run_steps(3);
    {
        let window = h.get_by_role_and_label(Role::Window, TITLE);
        window.get_by_label("站点.csv");
        // The first two columns preselected: 站名 and 东西.
        window.get_by_value("站名");
        window.get_by_value("东西");
    }
    assert_eq!(h.state().doc.plan().len(), jinsong, "nothing opens before the choice");
    // x: 东西 (the combo showing 站名 is x), y: 南北.
    h.get_by_role_and_label(Role::Window, TITLE).get_by_value("站名").click();
    h.run_steps(2);
    h.get_all_by_label("东西").last().expect("东西 in the list").click();
    h.run_steps(2);
    // Both show 东西 now: Open is disabled and the window says why.
    h.get_by_role_and_label(Role::Window, TITLE).get_by_label("两列不能相同");
    // The y combo is the second showing 东西.
    h.get_by_role_and_label(Role::Window, TITLE).get_all_by_value("东西").last().expect("the y combo").click();
    h.run_steps(2);
    h.get_all_by_label("南北").last().expect("南北 in the list").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::Window, TITLE).get_by_label("打开").click();
    h.run_steps(2);
    h.state_mut().wait_for_load();
    h.run_steps(2);
    assert!(h.query_by_role_and_label(Role::Window, TITLE).is_none(), "the window closed");
    let plan = h.state().doc.plan();
    assert_eq!(plan.len(), 3, "the table replaced the plan");
    let mut names: Vec<String> =
        plan.iter().filter_map(|(_, f)| f.properties.get_str("站名").map(str::to_string)).collect();
    names.sort();
    assert_eq!(names, ["便民理发", "修车铺", "劲松菜站"]);
    let (_, f) = plan.iter().find(|(_, f)| f.properties.get_str("站名") == Some("修车铺")).expect("修车铺");
    let p = match &f.geometry {
        geo::Geometry::Point(p) => *p,
        g => panic!("a point, not {g:?}"),
    };
    assert!((p.x() - 116.4598).abs() < 1e-9 && (p.y() - 39.8830).abs() < 1e-9, "{p:?}");
}

#[test]
fn an_imported_table_asks_too_and_cancel_leaves_the_plan_as_it_is() {
    let dir = tempfile::tempdir().expect("a folder");
    let csv = table(dir.path());
    let mut h = common::harness(PlannerApp::new(), [1280.0, 800.0]);
    h.run_steps(2);
    let jinsong = h.state().doc.plan().len();
    h.state_mut().apply(Action::ImportLayer(csv.clone()));
    h.state_mut().wait_for_load();
    h.run_steps(3);
    h.get_by_role_and_label(Role::Window, TITLE).get_by_label("取消").click();
    h.run_steps(2);
    assert!(h.query_by_role_and_label(Role::Window, TITLE).is_none());
    assert_eq!(h.state().doc.plan().len(), jinsong, "cancel reads nothing");
    // Asked again, with the columns set directly: added to Jinsong, one undo step.
    h.state_mut().apply(Action::OpenTable { path: csv, import: true, columns: (1, 2) });
    h.state_mut().wait_for_load();
    h.run_steps(2);
    assert_eq!(h.state().doc.plan().len(), jinsong + 3, "three points added to the open plan");
    h.state_mut().apply(Action::Undo);
    h.run_steps(2);
    assert_eq!(h.state().doc.plan().len(), jinsong, "one undo takes the import back");
}
