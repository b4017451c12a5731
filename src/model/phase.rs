//! Before and after: every feature has a state before the renewal and one
//! after it. A change (modified, added, removed) comes into force when the
//! items that cause it are completed, so the plan "as of" any date is well
//! defined.

use geo::{BoundingRect, Geometry, Rect};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::feature::{Feature, FeatureId};
use super::item::{Item, Status, StatusChange, civil_from_days, is_date};
use super::plan::Plan;

/// How a feature differs after the renewal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Geometry and/or attributes differ after (a change of use is a modification).
    Modified,
    /// Exists only after (a new ramp, a new bicycle shed).
    Added,
    /// Exists only before (a demolished illegal structure, overhead lines moved underground).
    Removed,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 3] = [ChangeKind::Modified, ChangeKind::Added, ChangeKind::Removed];

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Modified => "modified",
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
        }
    }
}

/// A feature's change. For `Added` the feature's own geometry and properties
/// are its after state; for `Removed` they are its before state; for
/// `Modified` they are the before state and the `after_*` fields say what differs.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub kind: ChangeKind,
    /// The items whose completion brings the change into force.
    pub by_items: Vec<String>,
    /// Properties whose value differs after (merged over the feature's own).
    pub after_properties: Map<String, Value>,
    /// The geometry after, when it differs.
    pub after_geometry: Option<Geometry<f64>>,
}

impl Change {
    pub fn new(kind: ChangeKind) -> Self {
        Change { kind, by_items: Vec::new(), after_properties: Map::new(), after_geometry: None }
    }
}

/// Which state of the plan to look at.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Phase {
    Before,
    #[default]
    After,
    /// The plan as of a date (`YYYY-MM-DD`): changes whose items were
    /// completed by then are in force.
    AsOf(String),
}

impl Phase {
    /// Parses `before`, `after` or a date.
    pub fn parse(s: &str) -> Option<Phase> {
        match s {
            "before" => Some(Phase::Before),
            "after" => Some(Phase::After),
            d if is_date(d) => Some(Phase::AsOf(d.to_string())),
            _ => None,
        }
    }
}

/// How a feature looks in a phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// Not there in this phase (ghost-able).
    Absent,
    /// There, in its before (or only) state.
    AsBefore,
    /// There, in its after state.
    AsAfter,
}

/// The date a change comes into force: the latest of the dates since which
/// each of its items has been done (completed or operating, without going
/// back since). `None` while any of them is not done now, or when it names no item.
pub fn in_force_from(plan: &Plan, change: &Change) -> Option<String> {
    if change.by_items.is_empty() {
        return None;
    }
    let mut latest: Option<String> = None;
    for id in &change.by_items {
        let item = plan.items.get(id)?;
        if !item.status.is_done() {
            return None;
        }
        let date = done_since(item)?;
        if latest.as_deref().is_none_or(|l| date > l) {
            latest = Some(date.to_string());
        }
    }
    latest
}

/// The first date of the item's last unbroken run of done entries (history in date order).
fn done_since(item: &Item) -> Option<&str> {
    let mut dated: Vec<&StatusChange> = item.history.iter().filter(|c| is_date(&c.date)).collect();
    dated.sort_by(|a, b| a.date.cmp(&b.date));
    let mut since = None;
    for c in dated {
        since = if c.status.is_done() { since.or(Some(c.date.as_str())) } else { None };
    }
    since
}

/// Is the feature's change in force in a phase? As of a date: when each of
/// its items was done on that date ([`Item::status_at`]).
fn in_force(plan: &Plan, change: &Change, phase: &Phase) -> bool {
    match phase {
        Phase::Before => false,
        Phase::After => true,
        Phase::AsOf(_) => {
            !change.by_items.is_empty()
                && change
                    .by_items
                    .iter()
                    .all(|id| plan.items.get(id).and_then(|i| i.status_in(phase)).is_some_and(|s| s.is_done()))
        }
    }
}

/// Every item counted in a phase, with its status then ([`Item::status_in`]):
/// as of a date, an item with no history entry yet on that date is left out.
/// Progress, the summary, thematic colours and exports all count through this.
pub fn item_statuses<'a>(plan: &'a Plan, phase: &'a Phase) -> impl Iterator<Item = (&'a Item, Status)> + 'a {
    plan.items.values().filter_map(move |i| Some((i, i.status_in(phase)?)))
}

/// How a feature appears in a phase.
pub fn presence(plan: &Plan, f: &Feature, phase: &Phase) -> Presence {
    let Some(change) = &f.change else { return Presence::AsBefore };
    let after = in_force(plan, change, phase);
    match (change.kind, after) {
        (ChangeKind::Added, false) | (ChangeKind::Removed, true) => Presence::Absent,
        (ChangeKind::Modified, true) => Presence::AsAfter,
        _ => Presence::AsBefore,
    }
}

/// The geometry a feature has in a presence.
pub fn geometry_in(f: &Feature, p: Presence) -> &Geometry<f64> {
    match (p, f.change.as_ref().and_then(|c| c.after_geometry.as_ref())) {
        (Presence::AsAfter, Some(g)) => g,
        _ => &f.geometry,
    }
}

/// A property's value in a presence (after properties override).
pub fn property_in(f: &Feature, key: &str, p: Presence) -> Option<Value> {
    if p == Presence::AsAfter
        && let Some(v) = f.change.as_ref().and_then(|c| c.after_properties.get(key))
    {
        return Some(v.clone());
    }
    f.properties.get(key)
}

/// The bounding box of both states of a feature.
pub fn bbox_both(f: &Feature) -> Option<Rect<f64>> {
    let a = f.geometry.bounding_rect();
    let b = f.change.as_ref().and_then(|c| c.after_geometry.as_ref()).and_then(|g| g.bounding_rect());
    match (a, b) {
        (Some(a), Some(b)) => Some(Rect::new(
            geo::coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
            geo::coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
        )),
        (a, b) => a.or(b),
    }
}

/// Every feature that differs between before and after, with its change.
pub fn changes(plan: &Plan) -> Vec<(FeatureId, &Change)> {
    plan.iter().filter_map(|(id, f)| Some((id, &**f.change.as_ref()?))).collect()
}

/// The span of the renewal's timeline: from the first date in the items'
/// histories to the last date an item was completed or went into operation —
/// the date "after" shows. Dates of items that are not done (a new proposal
/// made today, a design under way) are plans, not the renewal's result, so
/// they do not stretch it; a plan with nothing done yet spans its history.
pub fn date_range(plan: &Plan) -> Option<(String, String)> {
    // One pass over every history entry (the phase bar asks after every edit).
    let (mut first, mut last, mut last_done): (Option<&str>, Option<&str>, Option<&str>) = (None, None, None);
    for c in plan.items.values().flat_map(|i| i.history.iter()).filter(|c| is_date(&c.date)) {
        let d = c.date.as_str();
        first = Some(first.map_or(d, |f| f.min(d)));
        last = Some(last.map_or(d, |l| l.max(d)));
        if c.status.is_done() {
            last_done = Some(last_done.map_or(d, |l| l.max(d)));
        }
    }
    let (first, last) = (first?, last_done.or(last)?);
    Some((first.to_string(), last.max(first).to_string()))
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date.
pub fn days_of(date: &str) -> Option<i64> {
    if !is_date(date) {
        return None;
    }
    let y: i64 = date[0..4].parse().ok()?;
    let m: i64 = date[5..7].parse().ok()?;
    let d: i64 = date[8..10].parse().ok()?;
    // H. Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// `YYYY-MM-DD` of days since 1970-01-01.
pub fn date_of_days(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Item, Kind, PlanMeta};
    use geo::point;

    fn plan_with(kind: ChangeKind, item_done_on: Option<&str>) -> (Plan, FeatureId) {
        let mut plan = Plan::new(PlanMeta::default());
        let mut f = Feature::new(Kind::Node, Map::new(), point!(x: 116.0, y: 39.0).into());
        let mut c = Change::new(kind);
        c.by_items.push("it-1".into());
        c.after_properties.insert("use".into(), Value::String("shops".into()));
        f.change = Some(Box::new(c));
        let id = plan.push(f);
        let mut item =
            Item::new("it-1".into(), "bicycle_shed".into(), vec![plan.key(id).expect("key")], "2018-07-20", 0);
        if let Some(d) = item_done_on {
            item.set_status(Status::Completed, d);
        }
        plan.items.insert("it-1".into(), item);
        (plan, id)
    }

    #[test]
    fn a_change_comes_into_force_when_its_items_are_completed() {
        let (plan, id) = plan_with(ChangeKind::Added, Some("2019-06-30"));
        let f = plan.get(id).expect("feature");
        assert_eq!(presence(&plan, f, &Phase::Before), Presence::Absent);
        assert_eq!(presence(&plan, f, &Phase::After), Presence::AsBefore);
        assert_eq!(presence(&plan, f, &Phase::AsOf("2019-06-29".into())), Presence::Absent);
        assert_eq!(presence(&plan, f, &Phase::AsOf("2019-06-30".into())), Presence::AsBefore);
    }

    #[test]
    fn a_removal_is_undone_in_the_before_phase_and_a_change_of_use_shows_after() {
        let (plan, id) = plan_with(ChangeKind::Removed, Some("2019-01-10"));
        let f = plan.get(id).expect("feature");
        assert_eq!(presence(&plan, f, &Phase::Before), Presence::AsBefore);
        assert_eq!(presence(&plan, f, &Phase::After), Presence::Absent);
        let (plan, id) = plan_with(ChangeKind::Modified, Some("2019-01-10"));
        let f = plan.get(id).expect("feature");
        let p = presence(&plan, f, &Phase::AsOf("2020-01-01".into()));
        assert_eq!(p, Presence::AsAfter);
        assert_eq!(property_in(f, "use", p), Some(Value::String("shops".into())));
        assert_eq!(property_in(f, "use", Presence::AsBefore), None);
    }

    #[test]
    fn a_change_whose_items_are_not_done_is_not_in_force_on_any_date() {
        let (plan, id) = plan_with(ChangeKind::Added, None);
        let f = plan.get(id).expect("feature");
        assert_eq!(presence(&plan, f, &Phase::AsOf("2099-01-01".into())), Presence::Absent);
        assert_eq!(presence(&plan, f, &Phase::After), Presence::AsBefore, "the plan's after state includes it");
    }

    #[test]
    fn the_timeline_ends_at_the_last_completion_not_at_a_proposal_made_today() {
        let (mut plan, id) = plan_with(ChangeKind::Added, Some("2019-06-30"));
        assert_eq!(date_range(&plan), Some(("2018-07-20".into(), "2019-06-30".into())));
        let key = plan.key(id).expect("key");
        let mut later = Item::new("it-2".into(), "bicycle_shed".into(), vec![key], "2026-11-30", 0);
        plan.items.insert("it-2".into(), later.clone());
        assert_eq!(date_range(&plan), Some(("2018-07-20".into(), "2019-06-30".into())), "a proposal today");
        later.set_status(Status::UnderConstruction, "2026-12-01");
        plan.items.insert("it-2".into(), later.clone());
        assert_eq!(date_range(&plan).map(|r| r.1).as_deref(), Some("2019-06-30"), "work under way is not after");
        later.set_status(Status::Completed, "2027-03-01");
        plan.items.insert("it-2".into(), later);
        assert_eq!(date_range(&plan).map(|r| r.1).as_deref(), Some("2027-03-01"), "a completion is");
        // Nothing done yet: the timeline spans the recorded history.
        let (plan, _) = plan_with(ChangeKind::Added, None);
        assert_eq!(date_range(&plan), Some(("2018-07-20".into(), "2018-07-20".into())));
    }

    #[test]
    fn a_change_is_in_force_on_a_date_when_its_items_were_done_then() {
        let (mut plan, id) = plan_with(ChangeKind::Added, Some("2019-06-30"));
        // Reopened for repairs later, done again after: in force while done, from the last completion on.
        let item = plan.items.get_mut("it-1").expect("item");
        item.set_status(Status::UnderConstruction, "2020-01-01");
        item.set_status(Status::Completed, "2020-03-01");
        let f = plan.get(id).expect("feature");
        assert_eq!(presence(&plan, f, &Phase::AsOf("2019-07-01".into())), Presence::AsBefore);
        assert_eq!(presence(&plan, f, &Phase::AsOf("2020-02-01".into())), Presence::Absent);
        assert_eq!(presence(&plan, f, &Phase::AsOf("2020-03-01".into())), Presence::AsBefore);
        let change = f.change.as_deref().expect("change");
        assert_eq!(in_force_from(&plan, change).as_deref(), Some("2020-03-01"));
    }

    #[test]
    fn dates_convert_to_days_and_back() {
        assert_eq!(days_of("1970-01-01"), Some(0));
        assert_eq!(days_of("2020-02-29").map(date_of_days).as_deref(), Some("2020-02-29"));
        assert_eq!(Phase::parse("2019-13-01"), None);
    }
}
