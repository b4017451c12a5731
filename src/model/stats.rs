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
