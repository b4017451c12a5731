//! Thematic colouring: features coloured by their items' status, category
//! or funding source, with the legend that explains it. Shared by the screen
//! and exports.

use std::sync::Arc;

use super::style::Rgba;
use crate::model::catalogue::lookup;
use crate::model::phase::item_statuses;
use crate::model::{Category, FundingSource, Phase, Plan, Status};

pub use crate::model::ThemeMode;

pub fn status_color(s: Status) -> Rgba {
    match s {
        Status::Proposed => Rgba::rgb(189, 189, 189),
        Status::Designed => Rgba::rgb(133, 185, 226),
        Status::Publicised => Rgba::rgb(253, 212, 120),
        Status::UnderConstruction => Rgba::rgb(246, 140, 60),
        Status::Completed => Rgba::rgb(116, 196, 118),
        Status::Operating => Rgba::rgb(35, 139, 69),
    }
}

pub fn category_color(c: Category) -> Rgba {
    match c {
        Category::PublicSpace => Rgba::rgb(78, 121, 167),
        Category::Smart => Rgba::rgb(176, 122, 161),
        Category::Service => Rgba::rgb(242, 142, 43),
        Category::Culture => Rgba::rgb(225, 87, 89),
    }
}

pub fn source_color(s: FundingSource) -> Rgba {
    match s {
        FundingSource::Government => Rgba::rgb(78, 121, 167),
        FundingSource::SocialCapital => Rgba::rgb(242, 142, 43),
        FundingSource::Residents => Rgba::rgb(89, 161, 79),
        FundingSource::PropertyUnit => Rgba::rgb(156, 117, 95),
    }
}

/// Features without items in a thematic map are drawn muted.
pub const NO_ITEMS: Rgba = Rgba::rgb(222, 219, 212);

/// Per-feature colours of a thematic mode in a phase (indexed by feature id),
/// or `None` for [`ThemeMode::Kind`]. Items count at their status in the
/// phase ([`item_statuses`]): as of a date, an item not yet recorded then
/// neither colours its features nor adds to their money.
pub fn feature_colors(plan: &Plan, mode: ThemeMode, phase: &Phase) -> Option<Arc<Vec<Option<Rgba>>>> {
    if mode == ThemeMode::Kind {
        return None;
    }
    let mut status: Vec<Option<Status>> = vec![None; plan.id_bound()];
    let mut category: Vec<Option<(i64, Category)>> = vec![None; plan.id_bound()];
    let mut money: Vec<[i64; 4]> = vec![[0; 4]; plan.id_bound()];
    for (item, st) in item_statuses(plan, phase) {
        let cat = lookup(&plan.catalogue_additions, &item.catalogue).map(|e| e.category);
        for id in plan.features_of(item) {
            let i = id.index();
            status[i] = Some(status[i].map_or(st, |s| s.min(st)));
            if let Some(c) = cat
                && category[i].is_none_or(|(cost, _)| item.cost_basis() > cost)
            {
                category[i] = Some((item.cost_basis(), c));
            }
            for (k, s) in FundingSource::ALL.iter().enumerate() {
                // Saturating: amounts come from files and may be absurd.
                money[i][k] = money[i][k].saturating_add(item.funding.get(*s));
            }
        }
    }
    let colors = (0..plan.id_bound())
        .map(|i| match mode {
            ThemeMode::Kind => None,
            ThemeMode::Status => status[i].map(status_color),
            ThemeMode::Category => category[i].map(|(_, c)| category_color(c)),
            ThemeMode::Funding => {
                let best = (0..4).max_by_key(|k| (money[i][*k], -(*k as i64)))?;
                (money[i][best] > 0).then(|| source_color(FundingSource::ALL[best]))
            }
        })
        .collect();
    Some(Arc::new(colors))
}

/// The legend of a mode: colours with their machine names (the UI and
/// exports translate them).
pub fn legend(mode: ThemeMode) -> Vec<(Rgba, &'static str)> {
    match mode {
        ThemeMode::Kind => Vec::new(),
        ThemeMode::Status => Status::ALL.iter().map(|s| (status_color(*s), s.as_str())).collect(),
        ThemeMode::Category => Category::ALL.iter().map(|c| (category_color(*c), c.as_str())).collect(),
        ThemeMode::Funding => FundingSource::ALL.iter().map(|s| (source_color(*s), s.as_str())).collect(),
    }
}

/// How many items each legend entry stands for in a phase (aligned with
/// [`legend`]): items by status then, or by category; `None` for the
/// funding and kind modes, whose entries are not counts of items.
pub fn legend_counts(plan: &Plan, mode: ThemeMode, phase: &Phase) -> Option<Vec<usize>> {
    match mode {
        ThemeMode::Status => {
            let mut n = vec![0; Status::ALL.len()];
            for (_, st) in item_statuses(plan, phase) {
                n[Status::ALL.iter().position(|s| *s == st).unwrap_or(0)] += 1;
            }
            Some(n)
        }
        ThemeMode::Category => {
            let mut n = vec![0; Category::ALL.len()];
            for (item, _) in item_statuses(plan, phase) {
                if let Some(e) = lookup(&plan.catalogue_additions, &item.catalogue) {
                    n[Category::ALL.iter().position(|c| *c == e.category).unwrap_or(0)] += 1;
                }
            }
            Some(n)
        }
        ThemeMode::Kind | ThemeMode::Funding => None,
    }
}
