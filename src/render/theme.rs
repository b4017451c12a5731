//! Thematic colouring: features coloured by their items' status, category
//! or funding source, buildings by their residents' agreement to a matter,
//! or the operating spaces by use or years of operating right left,
//! with the legend that explains it. Shared by the screen and exports.

use std::sync::Arc;

use super::style::Rgba;
use crate::model::catalogue::lookup;
use crate::model::consent::{Base, tally_by};
use crate::model::phase::item_statuses;
use crate::model::{Category, FeatureId, FundingSource, ItemLinks, Phase, Plan, Status};

pub use crate::model::ThemeMode;
pub use crate::model::theme_mode::consent_matter;

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

/// The consent map's bins of a building's agreeing share, with their machine
/// names (`i18n` words them). Their edges are the rules' thresholds, met
/// exactly as the rules meet them: under ¼; ¼ up to and including ½ (not
/// "more than half"); more than ½ but under ⅔; ⅔ up to under ¾; ¾ or more. So a
/// building's colour says which of "more than half" (double majority, Civil
/// Code ordinary matters), "two thirds" and "three quarters" (Civil Code major
/// matters) its households reach.
pub const CONSENT_BINS: [(Rgba, &str); 5] = [
    (Rgba::rgb(215, 48, 39), "consent_under_quarter"),
    (Rgba::rgb(252, 141, 89), "consent_to_half"),
    (Rgba::rgb(254, 224, 139), "consent_over_half"),
    (Rgba::rgb(166, 217, 106), "consent_two_thirds"),
    (Rgba::rgb(26, 150, 65), "consent_three_quarters"),
];

/// A building in the matter's scope where nobody has voted yet.
pub const CONSENT_NO_VOTES: Rgba = Rgba::rgb(150, 170, 215);

/// The colours of the operating spaces' uses, in the order of `model::operations::USES`; a use the
/// app does not know is [`OTHER_USE`].
pub const USE_COLORS: [Rgba; 10] = [
    Rgba::rgb(242, 142, 43),
    Rgba::rgb(225, 87, 89),
    Rgba::rgb(176, 122, 161),
    Rgba::rgb(156, 117, 95),
    Rgba::rgb(89, 161, 79),
    Rgba::rgb(237, 201, 72),
    Rgba::rgb(255, 157, 167),
    Rgba::rgb(118, 183, 178),
    Rgba::rgb(78, 121, 167),
    Rgba::rgb(121, 112, 106),
];
/// A use the app does not know by name.
pub const OTHER_USE: Rgba = Rgba::rgb(186, 176, 172);

/// The term-left map's bins with their machine names: ended; 1–5 years left; 6–10; 11–15; more.
pub const TERM_BINS: [(Rgba, &str); 5] = [
    (Rgba::rgb(215, 48, 39), "term_ended"),
    (Rgba::rgb(252, 141, 89), "term_to_5"),
    (Rgba::rgb(254, 224, 139), "term_to_10"),
    (Rgba::rgb(145, 207, 96), "term_to_15"),
    (Rgba::rgb(26, 152, 80), "term_over_15"),
];

/// The bin (index into [`TERM_BINS`]) of a term with `left` years after the year of the map.
pub fn term_bin(left: i32) -> usize {
    match left {
        ..=0 => 0,
        1..=5 => 1,
        6..=10 => 2,
        11..=15 => 3,
        _ => 4,
    }
}

/// The year a phase stands in for the term-left map: a date's, else this year.
pub fn phase_year(phase: &Phase) -> i32 {
    let date = match phase {
        Phase::AsOf(d) => d.clone(),
        _ => crate::model::item::today(),
    };
    date.get(..4).and_then(|y| y.parse().ok()).unwrap_or(2000)
}

/// The colours of the ledger's operating spaces, by feature id: by use, or by the years of operating
/// right left after the phase's year ([`phase_year`]; a feature with several spaces takes the one
/// with the most left); everything else `None` (drawn muted).
pub fn space_colors(plan: &Plan, mode: ThemeMode, phase: &Phase) -> Vec<Option<Rgba>> {
    let mut colors = vec![None; plan.id_bound()];
    let mut best = vec![i32::MIN; plan.id_bound()];
    let year = phase_year(phase);
    for s in &plan.operations.spaces {
        let Some(id) = plan.by_key(&s.feature) else { continue };
        let i = id.index();
        let Some(slot) = colors.get_mut(i) else { continue };
        let left = s.years_left(year);
        if left <= best[i] {
            continue;
        }
        best[i] = left;
        *slot = Some(match mode {
            ThemeMode::TermLeft => TERM_BINS[term_bin(left)].0,
            _ => use_color(&s.use_),
        });
    }
    colors
}

/// A use's colour ([`USE_COLORS`], else [`OTHER_USE`]).
pub fn use_color(code: &str) -> Rgba {
    crate::model::operations::USES.iter().position(|(c, _, _)| *c == code).map_or(OTHER_USE, |i| USE_COLORS[i])
}

/// The bin (index into [`CONSENT_BINS`]) of `agree` out of `whole` households,
/// in exact integer arithmetic; `None` when `whole` is 0.
pub fn consent_bin(agree: u64, whole: u64) -> Option<usize> {
    if whole == 0 {
        return None;
    }
    let (a, w) = (u128::from(agree), u128::from(whole));
    Some(if 4 * a >= 3 * w {
        4
    } else if 3 * a >= 2 * w {
        3
    } else if 2 * a > w {
        2
    } else if 4 * a >= w {
        1
    } else {
        0
    })
}

/// The consent colours of the plan's matter `matter` (else its first, as
/// [`consent_matter`] chooses), by feature id: each building with households in
/// the matter's scope (for a matter put to 单元s, those 单元s' households) by
/// the bin of its agreeing households — of those in scope, or of those who took
/// part when the rule counts agreement among participants —, or
/// [`CONSENT_NO_VOTES`] when none of them has voted; everything else `None`
/// (drawn muted).
pub fn consent_colors(plan: &Plan, matter: Option<&str>) -> Vec<Option<Rgba>> {
    let mut colors = vec![None; plan.id_bound()];
    let consent = &plan.consent;
    let Some(m) = consent_matter(consent, matter) else { return colors };
    let base = consent.rule(&m.rule).map(|r| r.agree_of).unwrap_or_default();
    for g in tally_by(consent, m, false) {
        let Some(id) = plan.by_key(&g.building) else { continue };
        let t = &g.tally;
        let whole = match base {
            Base::Scope => t.scope.households,
            Base::Participants => t.voted.households,
        };
        let c = match consent_bin(t.agree.households, whole) {
            Some(bin) if t.voted.households > 0 => CONSENT_BINS[bin].0,
            _ => CONSENT_NO_VOTES,
        };
        if let Some(slot) = colors.get_mut(id.index()) {
            *slot = Some(c);
        }
    }
    colors
}

/// Per-feature colours of a thematic mode in a phase (indexed by feature id),
/// or `None` for [`ThemeMode::Kind`]. Items count at their status in the
/// phase ([`item_statuses`]): as of a date, an item not yet recorded then
/// neither colours its features nor adds to their money. `matter` is the
/// consent map's (see [`consent_colors`]; the other modes ignore it); the
/// residents' agreement does not change with the phase.
pub fn feature_colors(
    plan: &Plan,
    mode: ThemeMode,
    matter: Option<&str>,
    phase: &Phase,
) -> Option<Arc<Vec<Option<Rgba>>>> {
    match mode {
        ThemeMode::Kind => return None,
        ThemeMode::Consent => return Some(Arc::new(consent_colors(plan, matter))),
        ThemeMode::SpaceUse | ThemeMode::TermLeft => return Some(Arc::new(space_colors(plan, mode, phase))),
        _ => {}
    }
    let mut sums = vec![ItemSums::default(); plan.id_bound()];
    for (item, st) in item_statuses(plan, phase) {
        let cat = lookup(&plan.catalogue_additions, &item.catalogue).map(|e| e.category);
        for id in plan.features_of(item) {
            if let Some(s) = sums.get_mut(id.index()) {
                s.add(item, st, cat);
            }
        }
    }
    Some(Arc::new(sums.iter().map(|s| s.color(mode)).collect()))
}

/// Brings `colors` — [`feature_colors`] of the plan as it was, in the same mode and phase — in step
/// after an edit: only the features it touched are coloured again, each from its own items (`links`,
/// kept in step with the plan; the colours of the others cannot have changed: an edit touches the
/// features of every item it changes). Exactly what [`feature_colors`] gives now. Returns false,
/// leaving `colors` as they were, for the modes not coloured by items (consent, operating spaces,
/// kind): those are worked out whole.
pub fn update_feature_colors(
    colors: &mut Vec<Option<Rgba>>,
    plan: &Plan,
    links: &ItemLinks,
    mode: ThemeMode,
    phase: &Phase,
    touched: &[FeatureId],
) -> bool {
    if !matches!(mode, ThemeMode::Status | ThemeMode::Category | ThemeMode::Funding) {
        return false;
    }
    colors.resize(plan.id_bound(), None);
    for id in touched {
        let mut sums = ItemSums::default();
        for item in links.items_of(plan, *id) {
            if let Some(st) = item.status_in(phase) {
                sums.add(item, st, lookup(&plan.catalogue_additions, &item.catalogue).map(|e| e.category));
            }
        }
        if let Some(c) = colors.get_mut(id.index()) {
            *c = sums.color(mode);
        }
    }
    true
}

/// What a feature's items add up to in a phase, for the item modes' colours.
#[derive(Clone, Copy, Default)]
struct ItemSums {
    /// The least advanced status.
    status: Option<Status>,
    /// The category of the costliest item (the first of equals, in item id order) with its cost.
    category: Option<(i64, Category)>,
    /// Money by funding source, in the order of [`FundingSource::ALL`].
    money: [i64; 4],
}

impl ItemSums {
    /// Adds an item at its status `st`, of category `cat` (`None`: its catalogue entry is unknown).
    fn add(&mut self, item: &crate::model::Item, st: Status, cat: Option<Category>) {
        self.status = Some(self.status.map_or(st, |s| s.min(st)));
        if let Some(c) = cat
            && self.category.is_none_or(|(cost, _)| item.cost_basis() > cost)
        {
            self.category = Some((item.cost_basis(), c));
        }
        for (k, s) in FundingSource::ALL.iter().enumerate() {
            // Saturating: amounts come from files and may be absurd.
            self.money[k] = self.money[k].saturating_add(item.funding.get(*s));
        }
    }

    /// The feature's colour in an item mode (`None`: drawn muted, or not an item mode).
    fn color(&self, mode: ThemeMode) -> Option<Rgba> {
        match mode {
            ThemeMode::Kind | ThemeMode::Consent | ThemeMode::SpaceUse | ThemeMode::TermLeft => None,
            ThemeMode::Status => self.status.map(status_color),
            ThemeMode::Category => self.category.map(|(_, c)| category_color(c)),
            ThemeMode::Funding => {
                let best = (0..4).max_by_key(|k| (self.money[*k], -(*k as i64)))?;
                (self.money[best] > 0).then(|| source_color(FundingSource::ALL[best]))
            }
        }
    }
}

/// The legend of a mode: colours with their machine names (the UI and
/// exports translate them, `i18n::Strings::legend_label`), then the muted
/// entry's ([`muted_entry`]). The consent legend's heading — the matter, its
/// rule, passed or not with the counts — is `i18n::Strings::legend_heading`'s.
pub fn legend(mode: ThemeMode) -> Vec<(Rgba, &'static str)> {
    match mode {
        ThemeMode::Kind => Vec::new(),
        ThemeMode::Consent => {
            let mut v = CONSENT_BINS.to_vec();
            v.push((CONSENT_NO_VOTES, "consent_no_votes"));
            v
        }
        ThemeMode::SpaceUse => {
            let mut v: Vec<_> =
                crate::model::operations::USES.iter().zip(USE_COLORS).map(|((c, _, _), col)| (col, *c)).collect();
            v.push((OTHER_USE, "use_other"));
            v
        }
        ThemeMode::TermLeft => TERM_BINS.to_vec(),
        ThemeMode::Status => Status::ALL.iter().map(|s| (status_color(*s), s.as_str())).collect(),
        ThemeMode::Category => Category::ALL.iter().map(|c| (category_color(*c), c.as_str())).collect(),
        ThemeMode::Funding => FundingSource::ALL.iter().map(|s| (source_color(*s), s.as_str())).collect(),
    }
}

/// How many items each legend entry stands for in a phase (aligned with
/// [`legend`]): items by status then, or by category; operating spaces by use or by term left;
/// `None` for the
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
        ThemeMode::SpaceUse => {
            let uses = crate::model::operations::USES;
            let mut n = vec![0; uses.len() + 1];
            for s in &plan.operations.spaces {
                n[uses.iter().position(|(c, _, _)| *c == s.use_).unwrap_or(uses.len())] += 1;
            }
            Some(n)
        }
        ThemeMode::TermLeft => {
            let mut n = vec![0; TERM_BINS.len()];
            let year = phase_year(phase);
            for s in &plan.operations.spaces {
                n[term_bin(s.years_left(year))] += 1;
            }
            Some(n)
        }
        ThemeMode::Kind | ThemeMode::Funding | ThemeMode::Consent => None,
    }
}

/// The machine name of what a thematic map's muted features ([`NO_ITEMS`]) are:
/// features without items, or on the consent map those outside the matter's scope.
pub fn muted_entry(mode: ThemeMode) -> &'static str {
    match mode {
        ThemeMode::Consent => "consent_outside",
        ThemeMode::SpaceUse | ThemeMode::TermLeft => "no_space",
        _ => "no_items",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_bins_have_five_year_edges() {
        let bins: Vec<usize> = [-3, 0, 1, 5, 6, 10, 11, 15, 16, 40].iter().map(|y| term_bin(*y)).collect();
        assert_eq!(bins, [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
        assert_eq!(phase_year(&Phase::AsOf("2031-05-01".into())), 2031);
        assert_eq!(legend(ThemeMode::TermLeft).len(), TERM_BINS.len());
        assert_eq!(legend(ThemeMode::SpaceUse).last().map(|e| e.1), Some("use_other"));
    }

    #[test]
    fn the_bins_meet_the_rules_thresholds_exactly() {
        assert_eq!(consent_bin(0, 0), None);
        // ¼: under it, then at it.
        assert_eq!(consent_bin(2, 9), Some(0));
        assert_eq!(consent_bin(1, 4), Some(1));
        // ½ is not "more than half"; one more is.
        assert_eq!(consent_bin(6, 12), Some(1));
        assert_eq!(consent_bin(7, 12), Some(2));
        // ⅔ and ¾ are met at them.
        assert_eq!(consent_bin(7, 11), Some(2));
        assert_eq!(consent_bin(8, 12), Some(3));
        assert_eq!(consent_bin(8, 11), Some(3));
        assert_eq!(consent_bin(9, 12), Some(4));
        assert_eq!(consent_bin(12, 12), Some(4));
        assert_eq!(consent_bin(u64::MAX, u64::MAX), Some(4), "no overflow");
    }
}
