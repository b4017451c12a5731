//! The plan summary printed by `renewal-planner info`: counts by kind, area,
//! extent and building totals.

use std::collections::BTreeMap;

use geo::Geometry;
use serde::Serialize;

use super::catalogue::{Category, lookup};
use super::item::{FundingSource, Status};
use super::kind::Kind;
use super::measure::area_m2;
use super::phase::{ChangeKind, Phase, Presence, item_statuses, presence};
use super::plan::Plan;

/// Totals over the buildings of a plan.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct BuildingTotals {
    pub floor_area_m2: f64,
    pub households: u64,
}

/// What [`Summary::of_phase`] counts of the features, for a block of them.
#[derive(Default)]
struct FeatureTotals {
    features: usize,
    /// In [`Kind::ALL`]'s order.
    by_kind: [usize; Kind::ALL.len()],
    bbox: Option<[f64; 4]>,
    boundary_m2: f64,
    has_boundary: bool,
    buildings: BuildingTotals,
    /// In [`ChangeKind::ALL`]'s order.
    changes: [usize; ChangeKind::ALL.len()],
}

impl FeatureTotals {
    fn add(&mut self, plan: &Plan, f: &super::feature::Feature, phase: Option<&Phase>) {
        if let Some(c) = &f.change {
            self.changes[ChangeKind::ALL.iter().position(|k| *k == c.kind).unwrap_or(0)] += 1;
        }
        if phase.is_some_and(|p| presence(plan, f, p) == Presence::Absent) {
            return;
        }
        self.features += 1;
        self.by_kind[f.kind.index()] += 1;
        if let Some(r) = f.bbox() {
            self.bbox = Some(union(self.bbox, [r.min().x, r.min().y, r.max().x, r.max().y]));
        }
        match f.kind {
            Kind::Boundary => {
                self.has_boundary = true;
                self.boundary_m2 += area_m2(&f.geometry);
            }
            Kind::Building => {
                let [floor_area, households] = f.properties.get_f64s(["floor_area_m2", "households"]);
                self.buildings.floor_area_m2 += floor_area.unwrap_or(0.0);
                let households = households.map(|h| h.max(0.0) as u64).unwrap_or(0);
                self.buildings.households = self.buildings.households.saturating_add(households);
            }
            _ => {}
        }
    }

    /// Both blocks' totals, `self` first.
    fn merge(mut self, other: FeatureTotals) -> FeatureTotals {
        self.features += other.features;
        for (a, b) in self.by_kind.iter_mut().zip(other.by_kind) {
            *a += b;
        }
        for (a, b) in self.changes.iter_mut().zip(other.changes) {
            *a += b;
        }
        if let Some(b) = other.bbox {
            self.bbox = Some(union(self.bbox, b));
        }
        self.boundary_m2 += other.boundary_m2;
        self.has_boundary |= other.has_boundary;
        self.buildings.floor_area_m2 += other.buildings.floor_area_m2;
        self.buildings.households = self.buildings.households.saturating_add(other.buildings.households);
        self
    }
}

/// The box holding `a` (if any) and `b`, both `[west, south, east, north]`.
fn union(a: Option<[f64; 4]>, b: [f64; 4]) -> [f64; 4] {
    match a {
        None => b,
        Some(a) => [a[0].min(b[0]), a[1].min(b[1]), a[2].max(b[2]), a[3].max(b[3])],
    }
}

/// Items by status and category.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ItemTotals {
    pub total: usize,
    pub by_status: BTreeMap<&'static str, usize>,
    pub by_category: BTreeMap<&'static str, usize>,
}

/// Money over all items (each counted once), in yuan.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MoneyTotals {
    /// The sum of the items' costs (actual where known, else estimated).
    pub total_yuan: i64,
    pub by_source: BTreeMap<&'static str, i64>,
}

impl MoneyTotals {
    /// A source's share of all funding, in percent.
    pub fn share_percent(&self, source: FundingSource) -> f64 {
        let all = self.by_source.values().fold(0i64, |t, v| t.saturating_add(*v));
        if all == 0 {
            0.0
        } else {
            self.by_source.get(source.as_str()).copied().unwrap_or(0) as f64 * 100.0 / all as f64
        }
    }
}

/// What `info` reports. Field names are the JSON contract of `info --json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub name: Option<String>,
    pub features: usize,
    pub by_kind: BTreeMap<&'static str, usize>,
    /// Geodesic area of the boundary features, or of the convex hull of all
    /// features when there is no boundary.
    pub area_ha: f64,
    /// `true` when `area_ha` came from the convex hull.
    pub area_from_hull: bool,
    /// `[west, south, east, north]` in WGS84, or null for an empty plan.
    pub bbox: Option<[f64; 4]>,
    pub buildings: BuildingTotals,
    pub items: ItemTotals,
    pub money: MoneyTotals,
    /// Features that differ between before and after, by kind of change.
    pub changes: BTreeMap<&'static str, usize>,
    /// The phase `features`, `by_kind` and `items` were counted in (`null`: every
    /// feature in the file, items at today's status).
    pub phase: Option<String>,
    /// The coordinate system the file was in when it was not WGS 84 (its
    /// coordinates were transformed on reading), e.g. `EPSG:4527`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_crs: Option<String>,
    /// The residents' register and each matter's count (`info --json`'s `consent`).
    pub consent: ConsentSummary,
    /// The operations ledger worked out (`info --json`'s `operations`); `null` when the plan has none.
    pub operations: Option<OperationsSummary>,
    pub warnings: Vec<String>,
}

/// The operations ledger as `info --json` tells it: the investment is the social capital of the
/// items counted in `money` (so it equals `money.by_source.social_capital`), placed in the years it
/// was paid; `by_year` are the ledger's rows under the planned scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OperationsSummary {
    pub investment_yuan: i64,
    pub spaces: Vec<SpaceSummary>,
    /// The first year whose cumulative is ≥ 0; `null`: never within the ledger's years.
    pub payback_year: Option<i32>,
    /// At the ledger's discount rate (`discount_rate`), to the first row's year.
    pub npv_yuan: f64,
    pub discount_rate: f64,
    /// `null` when there is none (the money never comes back, or nothing was invested).
    pub irr: Option<f64>,
    pub by_year: Vec<super::operations::YearRow>,
    /// The figures are illustrative, not the operator's books.
    pub illustrative: bool,
    /// What is wrong with the ledger, one line each (English).
    pub problems: Vec<String>,
}

/// One operating space.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpaceSummary {
    pub id: String,
    pub feature: String,
    pub name_zh: String,
    pub operator: String,
    #[serde(rename = "use")]
    pub use_: String,
    pub area_m2: f64,
    pub term_start: i32,
    pub term_end: i32,
}

impl OperationsSummary {
    /// The ledger of `plan` with investment from `items` (those the money totals count); `None` when
    /// the plan has no ledger.
    pub fn of<'a>(plan: &Plan, items: impl Iterator<Item = &'a super::Item>) -> Option<OperationsSummary> {
        use super::operations::{Scenario, compute_with};
        let ops = &plan.operations;
        if ops.is_empty() {
            return None;
        }
        let ledger = compute_with(plan, items, &Scenario::default());
        Some(OperationsSummary {
            investment_yuan: ledger.investment_yuan,
            spaces: ops
                .spaces
                .iter()
                .map(|s| SpaceSummary {
                    id: s.id.clone(),
                    feature: s.feature.clone(),
                    name_zh: s.name_zh.clone(),
                    operator: s.operator.clone(),
                    use_: s.use_.clone(),
                    area_m2: s.area_m2,
                    term_start: s.term_start,
                    term_end: s.term_end,
                })
                .collect(),
            payback_year: ledger.payback_year,
            npv_yuan: ledger.npv_yuan,
            discount_rate: ops.discount_rate,
            irr: ledger.irr,
            by_year: ledger.rows,
            illustrative: ops.illustrative,
            problems: ops.problems(plan).iter().map(|p| p.message(super::Lang::En)).collect(),
        })
    }
}

/// The register and each matter's count.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ConsentSummary {
    pub households: usize,
    pub area_m2: f64,
    pub matters: Vec<MatterSummary>,
}

/// One matter counted: voted = agree + disagree + abstain.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MatterSummary {
    pub id: String,
    pub title_zh: String,
    pub rule: String,
    pub scope_households: u64,
    pub scope_area_m2: f64,
    pub voted_households: u64,
    pub voted_area_m2: f64,
    pub agree_households: u64,
    pub agree_area_m2: f64,
    pub passed: bool,
}

impl ConsentSummary {
    pub fn of(consent: &super::Consent) -> ConsentSummary {
        ConsentSummary {
            households: consent.households.len(),
            area_m2: consent.total().area_m2(),
            matters: consent
                .matters
                .iter()
                .map(|m| {
                    let t = super::consent::tally(consent, m);
                    MatterSummary {
                        id: m.id.clone(),
                        title_zh: m.title_zh.clone(),
                        rule: m.rule.clone(),
                        scope_households: t.scope.households,
                        scope_area_m2: t.scope.area_m2(),
                        voted_households: t.voted.households,
                        voted_area_m2: t.voted.area_m2(),
                        agree_households: t.agree.households,
                        agree_area_m2: t.agree.area_m2(),
                        passed: t.passed,
                    }
                })
                .collect(),
        }
    }
}

impl Summary {
    pub fn of(plan: &Plan, warnings: &[String]) -> Summary {
        Self::of_phase(plan, warnings, None)
    }

    /// The summary with `features` and `by_kind` counting only the features
    /// that exist in `phase`, and items at their status in it
    /// ([`super::phase::item_statuses`]).
    pub fn of_phase(plan: &Plan, warnings: &[String], phase: Option<&Phase>) -> Summary {
        // The features are counted a block at a time on every core, then the
        // blocks are added up in order, so the sums are the same on any machine.
        let totals = super::par::blocks(plan.id_bound(), 8_192, |ids| {
            let mut t = FeatureTotals::default();
            for i in ids {
                if let Some(f) = plan.get(super::feature::FeatureId(i as u32)) {
                    t.add(plan, f, phase);
                }
            }
            t
        });
        let FeatureTotals { features, by_kind, bbox, boundary_m2, has_boundary, buildings, changes } =
            totals.into_iter().fold(FeatureTotals::default(), FeatureTotals::merge);
        let by_kind: BTreeMap<&'static str, usize> = Kind::ALL.iter().map(|k| k.as_str()).zip(by_kind).collect();
        let changes: BTreeMap<&'static str, usize> = ChangeKind::ALL.iter().map(|k| k.as_str()).zip(changes).collect();
        // Items at their status in the phase (today's when none is given); as
        // of a date, items not yet recorded then are not counted, nor their money.
        let item_phase = phase.cloned().unwrap_or(Phase::After);
        let mut items = ItemTotals {
            total: 0,
            by_status: Status::ALL.iter().map(|s| (s.as_str(), 0)).collect(),
            by_category: Category::ALL.iter().map(|c| (c.as_str(), 0)).collect(),
        };
        let mut money =
            MoneyTotals { total_yuan: 0, by_source: FundingSource::ALL.iter().map(|s| (s.as_str(), 0)).collect() };
        let mut counted = Vec::new();
        for (item, status) in item_statuses(plan, &item_phase) {
            counted.push(item);
            items.total += 1;
            *items.by_status.entry(status.as_str()).or_default() += 1;
            if let Some(entry) = lookup(&plan.catalogue_additions, &item.catalogue) {
                *items.by_category.entry(entry.category.as_str()).or_default() += 1;
            }
            // Money sums saturate: amounts come from files and may be absurd.
            money.total_yuan = money.total_yuan.saturating_add(item.cost_basis());
            for s in FundingSource::ALL {
                let v = money.by_source.entry(s.as_str()).or_default();
                *v = v.saturating_add(item.funding.get(s));
            }
        }
        let area_m2 = if has_boundary { boundary_m2 } else { hull_area_m2(plan) };
        Summary {
            name: plan.meta.name.clone(),
            features,
            by_kind,
            area_ha: round_to(area_m2 / 10_000.0, 4),
            area_from_hull: !has_boundary,
            bbox,
            buildings,
            items,
            money,
            changes,
            phase: phase.map(|p| match p {
                Phase::Before => "before".to_string(),
                Phase::After => "after".to_string(),
                Phase::AsOf(d) => d.clone(),
            }),
            source_crs: None,
            consent: ConsentSummary::of(&plan.consent),
            operations: OperationsSummary::of(plan, counted.into_iter()),
            warnings: warnings.to_vec(),
        }
    }

    /// The human-readable form printed by `info` without `--json`.
    pub fn to_text(&self, source: &str) -> String {
        use super::measure::group_thousands;
        let mut s = String::new();
        s.push_str(&format!("{}\n", self.name.as_deref().unwrap_or(source)));
        s.push_str(&format!("  source:     {source}\n"));
        if let Some(c) = &self.source_crs {
            s.push_str(&format!("  crs:        {c}, transformed to WGS 84\n"));
        }
        s.push_str(&format!("  features:   {}\n", self.features));
        for k in Kind::ALL {
            let n = self.by_kind.get(k.as_str()).copied().unwrap_or(0);
            if n > 0 {
                s.push_str(&format!("    {:<10}{n}\n", k.as_str()));
            }
        }
        let basis = if self.area_from_hull { "convex hull of all features" } else { "boundary" };
        s.push_str(&format!("  area:       {:.2} ha ({basis}, geodesic)\n", self.area_ha));
        if let Some(b) = self.bbox {
            s.push_str(&format!("  bbox:       {:.6}, {:.6} — {:.6}, {:.6} (W, S — E, N)\n", b[0], b[1], b[2], b[3]));
        }
        if self.by_kind.get("building").copied().unwrap_or(0) > 0 {
            s.push_str(&format!(
                "  buildings:  {} m² floor area, {} households\n",
                group_thousands(self.buildings.floor_area_m2),
                group_thousands(self.buildings.households as f64)
            ));
        }
        if let Some(p) = &self.phase {
            s.push_str(&format!("  phase:      {p} (features and items counted as they are then)\n"));
        }
        let changed: usize = self.changes.values().sum();
        if changed > 0 {
            s.push_str(&format!(
                "  changes:    {} modified, {} added, {} removed\n",
                self.changes.get("modified").copied().unwrap_or(0),
                self.changes.get("added").copied().unwrap_or(0),
                self.changes.get("removed").copied().unwrap_or(0)
            ));
        }
        if self.items.total > 0 {
            s.push_str(&format!("  items:      {}\n", self.items.total));
            let list = |m: &BTreeMap<&'static str, usize>, order: &[&'static str]| {
                order
                    .iter()
                    .filter_map(|k| m.get(k).filter(|n| **n > 0).map(|n| format!("{k} {n}")))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let statuses: Vec<&'static str> = Status::ALL.iter().map(|s| s.as_str()).collect();
            let categories: Vec<&'static str> = Category::ALL.iter().map(|c| c.as_str()).collect();
            s.push_str(&format!("    by status:   {}\n", list(&self.items.by_status, &statuses)));
            s.push_str(&format!("    by category: {}\n", list(&self.items.by_category, &categories)));
            s.push_str(&format!("  money:      {} yuan\n", group_thousands(self.money.total_yuan as f64)));
            for src in FundingSource::ALL {
                let v = self.money.by_source.get(src.as_str()).copied().unwrap_or(0);
                s.push_str(&format!(
                    "    {:<15}{:>14} yuan  {:5.1}%\n",
                    src.as_str(),
                    group_thousands(v as f64),
                    self.money.share_percent(src)
                ));
            }
        }
        if self.consent.households > 0 || !self.consent.matters.is_empty() {
            s.push_str(&format!(
                "  consent:    {} households, {} m²\n",
                self.consent.households,
                group_thousands(self.consent.area_m2)
            ));
            for m in &self.consent.matters {
                s.push_str(&format!(
                    "    {:<24}{:<20} {} of {} agree, {} voted  {}\n",
                    m.id,
                    m.rule,
                    m.agree_households,
                    m.scope_households,
                    m.voted_households,
                    if m.passed { "passed" } else { "not passed" }
                ));
            }
        }
        if let Some(o) = &self.operations {
            let yuan = |v: i64| group_thousands(v as f64);
            s.push_str(&format!(
                "  operations: {} spaces, {} yuan social capital invested{}\n",
                o.spaces.len(),
                yuan(o.investment_yuan),
                if o.illustrative { " (illustrative figures)" } else { "" }
            ));
            match o.payback_year {
                Some(y) => s.push_str(&format!("    payback:     {y}\n")),
                None => s.push_str("    payback:     never within the ledger's years\n"),
            }
            s.push_str(&format!(
                "    NPV:         {} yuan at {}%\n",
                group_thousands(o.npv_yuan.round()),
                round_to(o.discount_rate * 100.0, 2)
            ));
            match o.irr {
                Some(r) => s.push_str(&format!("    IRR:         {:.1}%\n", r * 100.0)),
                None => s.push_str("    IRR:         none\n"),
            }
            for p in &o.problems {
                s.push_str(&format!("    warning: {p}\n"));
            }
        }
        if !self.warnings.is_empty() {
            s.push_str(&format!("  warnings:   {}\n", self.warnings.len()));
            for w in self.warnings.iter().take(20) {
                s.push_str(&format!("    - {w}\n"));
            }
            if self.warnings.len() > 20 {
                s.push_str(&format!("    … and {} more (see --json)\n", self.warnings.len() - 20));
            }
        }
        s
    }
}

fn round_to(v: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (v * f).round() / f
}

fn hull_area_m2(plan: &Plan) -> f64 {
    use geo::CoordsIter;
    use geo::convex_hull::quick_hull;
    // The hull of all points is the hull of (the points so far' hull + the next
    // batch), so memory stays at one batch a core however big the plan is;
    // blocks of features are hulled a core each, then their hulls together.
    const BATCH: usize = 1 << 18;
    let hulls = super::par::blocks(plan.id_bound(), 1 << 16, |ids| {
        let mut points: Vec<geo::Coord<f64>> = Vec::new();
        for f in ids.filter_map(|i| plan.get(super::feature::FeatureId(i as u32))) {
            // A polygon's hull is its outer ring's: holes are inside it.
            match &f.geometry {
                Geometry::Polygon(p) => points.extend_from_slice(&p.exterior().0),
                Geometry::LineString(l) => points.extend_from_slice(&l.0),
                g => points.extend(g.exterior_coords_iter()),
            }
            if points.len() >= BATCH {
                let hull = quick_hull(&mut points);
                points.clear();
                points.extend(hull.0);
            }
        }
        if points.len() >= 3 { quick_hull(&mut points).0 } else { points }
    });
    let mut points = hulls.concat();
    if points.len() < 3 {
        return 0.0;
    }
    let hull = geo::Polygon::new(quick_hull(&mut points), vec![]);
    area_m2(&Geometry::Polygon(hull))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Feature, PlanMeta};
    use geo::polygon;
    use serde_json::json;

    /// A plan big enough to be counted a block a core: every feature's
    /// contribution is known, so the totals are checked against sums made
    /// here one feature at a time, and a plan with holes (removed features)
    /// is counted the same, as is one seen before the renewal.
    #[test]
    fn a_plan_counted_a_block_a_core_has_the_totals_of_one_pass() {
        let mut plan = Plan::new(PlanMeta::default());
        let (mut households, mut floor_area) = (0u64, 0.0f64);
        let mut west = f64::INFINITY;
        for i in 0..30_000u32 {
            let x = 116.0 + f64::from(i % 200) * 1e-4;
            let y = 39.0 + f64::from(i / 200) * 1e-4;
            let square = polygon![(x: x, y: y), (x: x + 5e-5, y: y), (x: x + 5e-5, y: y + 5e-5), (x: x, y: y + 5e-5)];
            let kind = if i % 7 == 0 { Kind::Garden } else { Kind::Building };
            let props = json!({"households": i % 13, "floor_area_m2": f64::from(i % 97) * 10.5});
            let mut f = Feature::new(kind, props.as_object().cloned().unwrap(), square.into());
            if i % 5003 == 1 {
                // New in the renewal: six of them, in five blocks; absent before.
                f.change = Some(Box::new(crate::model::Change::new(ChangeKind::Added)));
            }
            let id = plan.push(f);
            if i % 1000 == 999 {
                plan.take(id);
                continue;
            }
            west = west.min(x);
            if kind == Kind::Building {
                households += u64::from(i % 13);
                floor_area += f64::from(i % 97) * 10.5;
            }
        }
        let s = Summary::of(&plan, &[]);
        assert_eq!(s.features, 30_000 - 30);
        let gardens = (0..30_000u32).filter(|i| i % 7 == 0 && i % 1000 != 999).count();
        assert_eq!(s.by_kind["garden"], gardens);
        assert_eq!(s.by_kind["building"], 30_000 - 30 - gardens);
        assert_eq!(s.by_kind.len(), Kind::ALL.len(), "every kind listed, zeros too");
        assert_eq!(s.buildings.households, households);
        assert!(
            (s.buildings.floor_area_m2 - floor_area).abs() < 1e-6 * floor_area,
            "{} vs {floor_area}",
            s.buildings.floor_area_m2
        );
        let b = s.bbox.expect("a box");
        assert_eq!(b[0], west);
        assert_eq!((b[1], b[2], b[3]), (39.0, 116.0 + 199.0 * 1e-4 + 5e-5, 39.0 + 149.0 * 1e-4 + 5e-5));
        assert_eq!((s.changes["added"], s.changes["modified"], s.changes["removed"]), (6, 0, 0));
        let before = Summary::of_phase(&plan, &[], Some(&Phase::Before));
        assert_eq!(before.features, 30_000 - 30 - 6, "the added features are not there before");
        assert_eq!(before.by_kind.values().sum::<usize>(), before.features);
        assert_eq!(before.changes["added"], 6, "changes are counted whatever the phase");
        // The same plan summed again gives the same floats, bit for bit.
        assert_eq!(Summary::of(&plan, &[]).buildings.floor_area_m2.to_bits(), s.buildings.floor_area_m2.to_bits());
    }
}
