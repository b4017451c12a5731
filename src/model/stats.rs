//! Progress and money over a plan's items: what the dashboard shows.

use std::collections::BTreeMap;

use super::catalogue::{Category, lookup};
use super::item::{FundingSource, Status};
use super::phase::{Phase, item_statuses};
use super::plan::Plan;

/// Counts and money of a plan's items, each item counted once.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Progress {
    pub items: usize,
    /// Completed or operating.
    pub done: usize,
    /// Sum of all items' costs (actual where known, else estimated), yuan.
    pub cost: i64,
    /// The cost of the completed and operating items, yuan.
    pub done_cost: i64,
    /// Items by category and status.
    pub matrix: BTreeMap<(Category, Status), usize>,
    /// Cost by category, yuan.
    pub cost_by_category: BTreeMap<Category, i64>,
    /// Funding by source, yuan.
    pub by_source: BTreeMap<FundingSource, i64>,
}

impl Progress {
    /// The plan's progress in a phase: each item at its status then
    /// ([`item_statuses`]); as of a date, items not yet recorded are not counted.
    pub fn of(plan: &Plan, phase: &Phase) -> Progress {
        let mut p = Progress::default();
        for (item, status) in item_statuses(plan, phase) {
            p.items += 1;
            let cost = item.cost_basis();
            // Money sums saturate: amounts come from files and may be absurd.
            p.cost = p.cost.saturating_add(cost);
            if status.is_done() {
                p.done += 1;
                p.done_cost = p.done_cost.saturating_add(cost);
            }
            if let Some(e) = lookup(&plan.catalogue_additions, &item.catalogue) {
                *p.matrix.entry((e.category, status)).or_default() += 1;
                let c = p.cost_by_category.entry(e.category).or_default();
                *c = c.saturating_add(cost);
            }
            for s in FundingSource::ALL {
                let v = p.by_source.entry(s).or_default();
                *v = v.saturating_add(item.funding.get(s));
            }
        }
        p
    }

    /// All funding, yuan.
    pub fn funding_total(&self) -> i64 {
        self.by_source.values().fold(0i64, |t, v| t.saturating_add(*v))
    }

    /// A source's share of all funding in percent.
    pub fn share(&self, s: FundingSource) -> f64 {
        let t = self.funding_total();
        if t == 0 { 0.0 } else { self.by_source.get(&s).copied().unwrap_or(0) as f64 * 100.0 / t as f64 }
    }

    pub fn count(&self, c: Category, s: Status) -> usize {
        self.matrix.get(&(c, s)).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Document;

    #[test]
    fn the_jinsong_dashboard_adds_up() {
        let plan = Document::jinsong().plan;
        let p = Progress::of(&plan, &Phase::After);
        assert_eq!(p.items, plan.items.len());
        assert!(p.done > 0 && p.done < p.items);
        assert!(p.done_cost > 0 && p.done_cost < p.cost);
        assert_eq!(p.matrix.values().sum::<usize>(), p.items);
        assert_eq!(p.funding_total(), p.cost);
        assert!((p.share(FundingSource::SocialCapital) - 45.0).abs() < 0.5);
    }

    #[test]
    fn progress_as_of_a_date_counts_each_item_at_its_status_then() {
        let plan = Document::jinsong().plan;
        let date = "2019-06-30";
        let p = Progress::of(&plan, &Phase::AsOf(date.into()));
        // Counted independently from the histories: the last entry on or before the date.
        let then: Vec<Status> = plan
            .items
            .values()
            .filter_map(|i| i.history.iter().rfind(|c| c.date.as_str() <= date).map(|c| c.status))
            .collect();
        assert_eq!(p.items, then.len());
        assert!(p.items < plan.items.len(), "items proposed later are not counted");
        assert_eq!(p.done, then.iter().filter(|s| s.is_done()).count());
        for st in Status::ALL {
            let n: usize = Category::ALL.iter().map(|c| p.count(*c, st)).sum();
            assert_eq!(n, then.iter().filter(|s| **s == st).count(), "{st:?}");
        }
        assert!(p.done < Progress::of(&plan, &Phase::After).done);
        let before = Progress::of(&plan, &Phase::Before);
        assert_eq!((before.items, before.done), (plan.items.len(), 0), "before the renewal nothing is done");
    }
}
