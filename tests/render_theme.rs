//! The thematic colours of the embedded Jinsong plan by item status, today
//! and as of a date. (Moved from the unit tests of `render::theme`: `render`
//! may not open a document.)

use renewal_planner::document::Document;
use renewal_planner::model::{Phase, Status};
use renewal_planner::render::theme::{ThemeMode, feature_colors, status_color};

#[test]
fn a_building_with_a_completed_and_a_proposed_item_shows_as_proposed() {
    let plan = Document::jinsong().shared_plan();
    let colors = feature_colors(&plan, ThemeMode::Status, None, &Phase::After).expect("colours");
    for (id, _) in plan.iter() {
        let items = plan.items_of(id);
        let expected = items.iter().map(|i| i.status).min().map(status_color);
        assert_eq!(colors[id.index()], expected);
    }
    assert!(colors.iter().flatten().count() > 20);
    assert!(feature_colors(&plan, ThemeMode::Kind, None, &Phase::After).is_none());
}

#[test]
fn as_of_a_date_a_site_is_coloured_by_its_items_then() {
    let plan = Document::jinsong().shared_plan();
    let date = "2019-06-30";
    let colors = feature_colors(&plan, ThemeMode::Status, None, &Phase::AsOf(date.into())).expect("colours");
    let then = |i: &renewal_planner::model::Item| i.history.iter().rfind(|c| c.date.as_str() <= date).map(|c| c.status);
    let mut done_sites = 0;
    for (id, _) in plan.iter() {
        let expected = plan.items_of(id).into_iter().filter_map(then).min();
        assert_eq!(colors[id.index()], expected.map(status_color), "{:?}", plan.key(id));
        done_sites += usize::from(expected.is_some_and(|s| s.is_done()));
    }
    let done = colors
        .iter()
        .flatten()
        .filter(|c| **c == status_color(Status::Completed) || **c == status_color(Status::Operating))
        .count();
    assert_eq!(done, done_sites);
    let today = feature_colors(&plan, ThemeMode::Status, None, &Phase::After).expect("colours");
    let done_today = today
        .iter()
        .flatten()
        .filter(|c| **c == status_color(Status::Completed) || **c == status_color(Status::Operating))
        .count();
    assert!(done < done_today / 2, "mid-2019 most sites were not done yet: {done} vs {done_today}");
    let before = feature_colors(&plan, ThemeMode::Status, None, &Phase::Before).expect("colours");
    assert!(before.iter().flatten().all(|c| *c == status_color(Status::Proposed)));
}
