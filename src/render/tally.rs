//! The window's counts of the whole plan — features by kind (the layer list; their sum is the status
//! bar's feature count) and features changed by the renewal (the phase bar) — kept in step edit by
//! edit: each feature's last counted contribution is remembered, so an edit recounts only the
//! features it touched, whatever the size of the plan.

use crate::model::{FeatureId, Kind, Plan};

use super::kind_slot;

/// Features counted by kind slot and changed, with what each feature was counted as.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    counts: [usize; Kind::ALL.len()],
    changed: usize,
    /// By feature id: the kind slot it is counted in and whether it is counted as changed (`None`: not there).
    each: Vec<Option<(u8, bool)>>,
}

/// What one feature adds to the tally.
fn contribution(plan: &Plan, id: FeatureId) -> Option<(u8, bool)> {
    let f = plan.get(id)?;
    Some((kind_slot(f.kind) as u8, f.change.is_some()))
}

impl Tally {
    /// Counts a whole plan.
    pub fn build(plan: &Plan) -> Tally {
        let mut t = Tally { each: vec![None; plan.id_bound()], ..Tally::default() };
        for (id, _) in plan.iter() {
            t.set(id, contribution(plan, id));
        }
        t
    }

    /// Recounts the features an edit touched (as `Document::apply`, undo and redo return them).
    pub fn update(&mut self, plan: &Plan, touched: &[FeatureId]) {
        for id in touched {
            self.set(*id, contribution(plan, *id));
        }
    }

    /// Takes back what a feature was counted as and counts it as `now`.
    fn set(&mut self, id: FeatureId, now: Option<(u8, bool)>) {
        if self.each.len() <= id.index() {
            self.each.resize(id.index() + 1, None);
        }
        if let Some((slot, changed)) = self.each[id.index()] {
            // Never below zero: what is taken back was added before.
            self.counts[usize::from(slot)] = self.counts[usize::from(slot)].saturating_sub(1);
            self.changed = self.changed.saturating_sub(usize::from(changed));
        }
        if let Some((slot, changed)) = now {
            self.counts[usize::from(slot)] += 1;
            self.changed += usize::from(changed);
        }
        self.each[id.index()] = now;
    }

    /// Features by kind slot ([`kind_slot`]).
    pub fn counts(&self) -> &[usize; Kind::ALL.len()] {
        &self.counts
    }

    /// Every feature of the plan.
    pub fn features(&self) -> usize {
        self.counts.iter().sum()
    }

    /// Features that differ between before and after.
    pub fn changed(&self) -> usize {
        self.changed
    }
}
