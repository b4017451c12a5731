//! The operations ledger (运营收益): how social capital is paid back by operating rights.
//!
//! An enterprise puts money into a renewal (the items' `social_capital` funding) and is repaid over
//! the years by operating "sleeping" spaces of the community — shops in a bicycle shed, a canteen, a
//! barber —, by property fees, parking and the government's purchase of services. The ledger holds
//! the operating spaces ([`Space`]: a feature, operator, use, area, the term of the right and the
//! items whose completion opens it) and the yearly cash flows ([`Flow`]: revenue, cost or subsidy,
//! on a space or on the plan, over a span of years with a growth rate). [`compute`] turns them and
//! the plan's items into yearly rows — investment, revenue, cost, subsidy, net, cumulative — the
//! payback year, NPV and IRR, under a [`Scenario`] (revenue and subsidy scaled, a subsidy that stops
//! early); [`sensitivity`] is the table of payback years a meeting reads.
//!
//! Money is whole yuan in `i64`; each flow's amount in a year is rounded to the yuan once, and every
//! sum saturates, so an absurd amount read from a file never overflows.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::item::{Item, Status};
use super::lang::Lang;
use super::plan::Plan;

/// The earliest and latest years a ledger entry may name.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;
/// The largest yearly amount of one flow (10 billion yuan): more is a typing mistake.
pub const MAX_YUAN_PER_YEAR: i64 = 10_000_000_000;
/// The largest area of one space (10 km²).
pub const MAX_AREA_M2: f64 = 1e7;

/// What kind of money a flow is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowKind {
    /// Rent from a space let to a tenant (租金).
    Rent,
    /// Margin on services and goods sold (服务收入).
    Sales,
    /// Property fees (物业费), collected at a rate.
    PropertyFee,
    /// Parking fees (停车费).
    Parking,
    /// Operating cost: staff, upkeep, utilities (运营成本).
    Cost,
    /// The government's purchase of services, a subsidy (政府购买服务).
    Subsidy,
}

/// Which column of the ledger a flow adds to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Revenue,
    Cost,
    Subsidy,
}

impl FlowKind {
    pub const ALL: [FlowKind; 6] =
        [FlowKind::Rent, FlowKind::Sales, FlowKind::PropertyFee, FlowKind::Parking, FlowKind::Cost, FlowKind::Subsidy];

    pub fn as_str(self) -> &'static str {
        match self {
            FlowKind::Rent => "rent",
            FlowKind::Sales => "sales",
            FlowKind::PropertyFee => "property_fee",
            FlowKind::Parking => "parking",
            FlowKind::Cost => "cost",
            FlowKind::Subsidy => "subsidy",
        }
    }

    pub fn parse(s: &str) -> Option<FlowKind> {
        FlowKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn side(self) -> Side {
        match self {
            FlowKind::Cost => Side::Cost,
            FlowKind::Subsidy => Side::Subsidy,
            _ => Side::Revenue,
        }
    }

    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (FlowKind::Rent, Lang::Zh) => "租金",
            (FlowKind::Rent, Lang::En) => "Rent",
            (FlowKind::Sales, Lang::Zh) => "服务收入",
            (FlowKind::Sales, Lang::En) => "Service sales",
            (FlowKind::PropertyFee, Lang::Zh) => "物业费",
            (FlowKind::PropertyFee, Lang::En) => "Property fees",
            (FlowKind::Parking, Lang::Zh) => "停车费",
            (FlowKind::Parking, Lang::En) => "Parking",
            (FlowKind::Cost, Lang::Zh) => "运营成本",
            (FlowKind::Cost, Lang::En) => "Operating cost",
            (FlowKind::Subsidy, Lang::Zh) => "政府购买服务",
            (FlowKind::Subsidy, Lang::En) => "Government purchase of services",
        }
    }
}

/// The uses (业态) the app knows by name and colour; a space may name another, shown as "other".
pub const USES: [(&str, &str, &str); 10] = [
    ("shop", "便民商铺", "Shops"),
    ("canteen", "社区食堂", "Canteen"),
    ("barber", "理发", "Barber"),
    ("workshop", "匠心工坊", "Craft workshop"),
    ("food_station", "便民菜站", "Food station"),
    ("grocery", "副食店", "Grocery"),
    ("eldercare", "养老驿站", "Elderly care"),
    ("living_room", "社区会客厅", "Living room"),
    ("property", "物业服务", "Property services"),
    ("parking", "停车", "Parking"),
];

/// A use's name in a language (its code when the app does not know it).
pub fn use_name(code: &str, lang: Lang) -> &str {
    match USES.iter().find(|(c, _, _)| *c == code) {
        Some((_, zh, en)) => match lang {
            Lang::Zh => zh,
            Lang::En => en,
        },
        None => code,
    }
}

/// An operating space (经营性空间): a place the operator runs under a term of operating rights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Space {
    /// Unique in the ledger (`sp-bikeshed`).
    pub id: String,
    /// The key of the feature it is (a node, a building part, a new structure).
    pub feature: String,
    #[serde(default)]
    pub name_zh: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    /// Who runs it (愿景集团).
    #[serde(default)]
    pub operator: String,
    /// Its use (业态): a code of [`USES`] or the planner's own word.
    #[serde(rename = "use", default)]
    pub use_: String,
    #[serde(default)]
    pub area_m2: f64,
    /// The first and last year of the operating right (both included).
    pub term_start: i32,
    pub term_end: i32,
    /// Items whose completion opens it: its flows start no earlier than the year the last of them
    /// was completed (or is planned to be).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<String>,
}

/// A yearly cash flow.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Flow {
    /// Unique in the ledger (`cf-bikeshed-rent`).
    pub id: String,
    pub kind: FlowKind,
    #[serde(default)]
    pub name_zh: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    /// The space it belongs to (its id); `None`: the plan as a whole. A flow on a space counts only in
    /// the years of the space's term once its items are completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub space: Option<String>,
    /// The amount in its first year, in yuan, before the collection rate.
    pub yuan_per_year: i64,
    /// The share collected (property fees: 0.75 = 75 %); `None`: all of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection_rate: Option<f64>,
    pub start_year: i32,
    pub end_year: i32,
    /// Yearly growth of the amount (0.03 = 3 % a year).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub growth: f64,
}

fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

fn default_discount() -> f64 {
    0.06
}

/// The plan's operations ledger.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Operations {
    /// The figures are illustrative, not the operator's books (Jinsong's are): said wherever they show.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub illustrative: bool,
    /// Where the figures come from, in the planner's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The discount rate of the NPV (0.06 = 6 %).
    #[serde(default = "default_discount")]
    pub discount_rate: f64,
    /// The last year of subsidy in the sensitivity table's "subsidy stops early" case; `None`: the
    /// fifth year of the first subsidy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub early_subsidy_end: Option<i32>,
    #[serde(default)]
    pub spaces: Vec<Space>,
    #[serde(default)]
    pub flows: Vec<Flow>,
}

impl Default for Operations {
    fn default() -> Self {
        Operations {
            illustrative: false,
            note: None,
            discount_rate: default_discount(),
            early_subsidy_end: None,
            spaces: Vec::new(),
            flows: Vec::new(),
        }
    }
}

impl Operations {
    /// No spaces and no flows (and nothing else set): the plan has no ledger.
    pub fn is_empty(&self) -> bool {
        *self == Operations::default()
    }

    pub fn space(&self, id: &str) -> Option<&Space> {
        self.spaces.iter().find(|s| s.id == id)
    }

    pub fn flow(&self, id: &str) -> Option<&Flow> {
        self.flows.iter().find(|f| f.id == id)
    }

    /// The flows on a space.
    pub fn flows_of<'a>(&'a self, space: &'a str) -> impl Iterator<Item = &'a Flow> + 'a {
        self.flows.iter().filter(move |f| f.space.as_deref() == Some(space))
    }

    /// An id not used by any space or flow: `stem`, else `stem-2`, `stem-3`…
    pub fn new_id(&self, stem: &str) -> String {
        let taken = |id: &str| self.space(id).is_some() || self.flow(id).is_some();
        if !taken(stem) {
            return stem.to_string();
        }
        (2..).map(|n| format!("{stem}-{n}")).find(|id| !taken(id)).unwrap_or_default()
    }

    /// The year the "subsidy stops early" case stops: the one set, else the fifth year of the first
    /// subsidy; `None` when the ledger has no subsidy.
    pub fn early_end(&self) -> Option<i32> {
        let first = self.flows.iter().filter(|f| f.kind == FlowKind::Subsidy).map(|f| f.start_year).min()?;
        Some(self.early_subsidy_end.unwrap_or(first.saturating_add(4)))
    }

    /// Everything wrong with the ledger, against the plan it is in.
    pub fn problems(&self, plan: &Plan) -> Vec<Problem> {
        let mut out = Vec::new();
        if !self.discount_rate.is_finite() || !(-0.5..=1.0).contains(&self.discount_rate) {
            out.push(Problem::new("", Fault::DiscountRate(self.discount_rate)));
        }
        let mut seen = std::collections::BTreeSet::new();
        for s in &self.spaces {
            if !seen.insert(s.id.as_str()) {
                out.push(Problem::new(&s.id, Fault::DuplicateId));
            }
            out.extend(s.problems().into_iter().map(|f| Problem::new(&s.id, f)));
            if !plan.has_key(&s.feature) {
                out.push(Problem::new(&s.id, Fault::NoFeature(s.feature.clone())));
            }
            for i in &s.items {
                if !plan.items.contains_key(i) {
                    out.push(Problem::new(&s.id, Fault::NoItem(i.clone())));
                }
            }
        }
        for f in &self.flows {
            if !seen.insert(f.id.as_str()) {
                out.push(Problem::new(&f.id, Fault::DuplicateId));
            }
            out.extend(f.problems().into_iter().map(|x| Problem::new(&f.id, x)));
            if let Some(sp) = &f.space
                && self.space(sp).is_none()
            {
                out.push(Problem::new(&f.id, Fault::NoSpace(sp.clone())));
            }
        }
        out
    }
}

impl Space {
    /// What is wrong with the space on its own (not its references).
    pub fn problems(&self) -> Vec<Fault> {
        let mut out = Vec::new();
        if self.id.trim().is_empty() {
            out.push(Fault::NoId);
        }
        if !self.area_m2.is_finite() || self.area_m2 < 0.0 {
            out.push(Fault::NegativeArea(self.area_m2));
        } else if self.area_m2 > MAX_AREA_M2 {
            out.push(Fault::AbsurdArea(self.area_m2));
        }
        out.extend(years_fault(self.term_start, self.term_end));
        out
    }

    /// Years of the operating right left after `year` (0 once it has ended).
    pub fn years_left(&self, year: i32) -> i32 {
        (self.term_end.saturating_sub(year)).max(0)
    }
}

impl Flow {
    /// What is wrong with the flow on its own (not its space).
    pub fn problems(&self) -> Vec<Fault> {
        let mut out = Vec::new();
        if self.id.trim().is_empty() {
            out.push(Fault::NoId);
        }
        if self.yuan_per_year < 0 {
            out.push(Fault::NegativeAmount(self.yuan_per_year));
        } else if self.yuan_per_year > MAX_YUAN_PER_YEAR {
            out.push(Fault::AbsurdAmount(self.yuan_per_year));
        }
        if let Some(r) = self.collection_rate
            && (!r.is_finite() || !(0.0..=1.0).contains(&r))
        {
            out.push(Fault::CollectionRate(r));
        }
        if !self.growth.is_finite() || !(-0.5..=1.0).contains(&self.growth) {
            out.push(Fault::Growth(self.growth));
        }
        out.extend(years_fault(self.start_year, self.end_year));
        out
    }

    /// Its amount in a year under a scenario, rounded to the yuan (0 outside its years). The space's
    /// term and opening are not applied here ([`compute`] does).
    pub fn amount_in(&self, year: i32, scenario: &Scenario) -> i64 {
        if year < self.start_year || year > self.end_year {
            return 0;
        }
        let scale = match self.kind.side() {
            Side::Revenue => scenario.revenue_scale,
            Side::Subsidy => {
                if scenario.subsidy_until.is_some_and(|last| year > last) {
                    return 0;
                }
                scenario.subsidy_scale
            }
            Side::Cost => 1.0,
        };
        let n = year.saturating_sub(self.start_year);
        let v = self.yuan_per_year as f64 * (1.0 + self.growth).powi(n) * self.collection_rate.unwrap_or(1.0) * scale;
        // `as` saturates at i64's ends and makes NaN 0.
        v.round() as i64
    }
}

fn years_fault(start: i32, end: i32) -> Option<Fault> {
    if !YEARS.contains(&start) || !YEARS.contains(&end) {
        Some(Fault::YearOutOfRange(if YEARS.contains(&start) { end } else { start }))
    } else if end < start {
        Some(Fault::EndsBeforeStart { start, end })
    } else {
        None
    }
}

/// One thing wrong, and the space or flow it is on (`""`: the ledger itself).
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub id: String,
    pub fault: Fault,
}

impl Problem {
    fn new(id: &str, fault: Fault) -> Problem {
        Problem { id: id.to_string(), fault }
    }

    /// The problem in one line: `cf-rent: the term ends (2018) before it starts (2019)`.
    pub fn message(&self, lang: Lang) -> String {
        if self.id.is_empty() { self.fault.message(lang) } else { format!("{}: {}", self.id, self.fault.message(lang)) }
    }
}

/// What is wrong with an entry of the ledger.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    NoId,
    DuplicateId,
    NegativeArea(f64),
    AbsurdArea(f64),
    EndsBeforeStart { start: i32, end: i32 },
    YearOutOfRange(i32),
    NegativeAmount(i64),
    AbsurdAmount(i64),
    CollectionRate(f64),
    Growth(f64),
    DiscountRate(f64),
    NoFeature(String),
    NoSpace(String),
    NoItem(String),
}

impl Fault {
    pub fn message(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        match self {
            Fault::NoId => if zh { "没有编号" } else { "has no id" }.into(),
            Fault::DuplicateId => if zh { "编号重复" } else { "the id is used twice" }.into(),
            Fault::NegativeArea(a) => {
                if zh {
                    format!("面积 {a} m² 不能为负")
                } else {
                    format!("the area {a} m² is negative")
                }
            }
            Fault::AbsurdArea(a) => {
                if zh {
                    format!("面积 {a} m² 过大（上限 1000 万 m²）")
                } else {
                    format!("the area {a} m² is too large (at most 10,000,000 m²)")
                }
            }
            Fault::EndsBeforeStart { start, end } => {
                if zh {
                    format!("结束年份 {end} 早于开始年份 {start}")
                } else {
                    format!("ends ({end}) before it starts ({start})")
                }
            }
            Fault::YearOutOfRange(y) => {
                if zh {
                    format!("年份 {y} 不在 1900–2200 之间")
                } else {
                    format!("the year {y} is not between 1900 and 2200")
                }
            }
            Fault::NegativeAmount(v) => {
                if zh {
                    format!("金额 {v} 元不能为负（成本与补贴按类型计入）")
                } else {
                    format!("the amount {v} yuan is negative (costs and subsidies are counted by their kind)")
                }
            }
            Fault::AbsurdAmount(v) => {
                if zh {
                    format!("每年 {v} 元过大（上限 100 亿元）")
                } else {
                    format!("{v} yuan a year is too large (at most 10 billion)")
                }
            }
            Fault::CollectionRate(r) => {
                if zh {
                    format!("收缴率 {r} 应在 0 到 1 之间")
                } else {
                    format!("the collection rate {r} is not between 0 and 1")
                }
            }
            Fault::Growth(g) => {
                if zh {
                    format!("年增长率 {g} 应在 −0.5 到 1 之间")
                } else {
                    format!("the yearly growth {g} is not between −0.5 and 1")
                }
            }
            Fault::DiscountRate(r) => {
                if zh {
                    format!("折现率 {r} 应在 −0.5 到 1 之间")
                } else {
                    format!("the discount rate {r} is not between −0.5 and 1")
                }
            }
            Fault::NoFeature(k) => {
                if zh {
                    format!("要素 {k} 不在规划中")
                } else {
                    format!("feature {k} is not in the plan")
                }
            }
            Fault::NoSpace(s) => {
                if zh {
                    format!("经营空间 {s} 不存在")
                } else {
                    format!("operating space {s} does not exist")
                }
            }
            Fault::NoItem(i) => {
                if zh {
                    format!("项目 {i} 不存在")
                } else {
                    format!("item {i} does not exist")
                }
            }
        }
    }
}

/// What-if: revenue and subsidies scaled, subsidies stopped after a year.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scenario {
    pub revenue_scale: f64,
    pub subsidy_scale: f64,
    /// The last year a subsidy is paid; `None`: as the flows say.
    pub subsidy_until: Option<i32>,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario { revenue_scale: 1.0, subsidy_scale: 1.0, subsidy_until: None }
    }
}

/// One year of the ledger. `net = revenue − cost + subsidy`; `cumulative` = the previous year's
/// cumulative + net − investment. Field names are the `info --json` contract.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct YearRow {
    pub year: i32,
    pub investment_yuan: i64,
    pub revenue_yuan: i64,
    pub cost_yuan: i64,
    pub subsidy_yuan: i64,
    pub net_yuan: i64,
    pub cumulative_yuan: i64,
}

/// The ledger worked out.
#[derive(Clone, Debug, PartialEq)]
pub struct Ledger {
    /// Consecutive years from the first with any investment or cash flow to the last.
    pub rows: Vec<YearRow>,
    /// All social capital (the rows' investment summed).
    pub investment_yuan: i64,
    /// The first year whose cumulative is ≥ 0; `None`: never within the rows.
    pub payback_year: Option<i32>,
    /// Net present value of `net − investment` discounted to the first row's year.
    pub npv_yuan: f64,
    /// The rate at which that NPV is 0; `None` when there is none (the money never comes back, or
    /// nothing was invested).
    pub irr: Option<f64>,
}

impl Ledger {
    /// The yearly cash flow the NPV and IRR discount: net − investment.
    pub fn cash(&self) -> Vec<i64> {
        self.rows.iter().map(|r| r.net_yuan.saturating_sub(r.investment_yuan)).collect()
    }

    /// Totals of the rows (the year field is 0).
    pub fn totals(&self) -> YearRow {
        let mut t = YearRow::default();
        for r in &self.rows {
            t.investment_yuan = t.investment_yuan.saturating_add(r.investment_yuan);
            t.revenue_yuan = t.revenue_yuan.saturating_add(r.revenue_yuan);
            t.cost_yuan = t.cost_yuan.saturating_add(r.cost_yuan);
            t.subsidy_yuan = t.subsidy_yuan.saturating_add(r.subsidy_yuan);
            t.net_yuan = t.net_yuan.saturating_add(r.net_yuan);
        }
        t.cumulative_yuan = self.rows.last().map_or(0, |r| r.cumulative_yuan);
        t
    }
}

/// The year an item was paid for: the year its work began (the history's 施工), else its planned
/// start, else the year it was completed, else its planned end, else its first recorded status.
pub fn paid_year(item: &Item) -> Option<i32> {
    let year = |d: &str| d.get(..4).and_then(|y| y.parse::<i32>().ok()).filter(|y| YEARS.contains(y));
    item.date_of(Status::UnderConstruction)
        .and_then(year)
        .or_else(|| item.planned_start.as_deref().and_then(year))
        .or_else(|| item.date_of(Status::Completed).and_then(year))
        .or_else(|| item.date_of(Status::Operating).and_then(year))
        .or_else(|| item.planned_end.as_deref().and_then(year))
        .or_else(|| item.history.first().and_then(|h| year(&h.date)))
}

/// The year an item was (or is planned to be) completed.
fn done_year(item: &Item) -> Option<i32> {
    let year = |d: &str| d.get(..4).and_then(|y| y.parse::<i32>().ok()).filter(|y| YEARS.contains(y));
    item.date_of(Status::Completed)
        .or_else(|| item.date_of(Status::Operating))
        .and_then(year)
        .or_else(|| item.planned_end.as_deref().and_then(year))
}

/// The social capital of the given items by the year it was paid ([`paid_year`]). An item with no
/// date at all is put in `fallback` (the ledger's first year) so the years still add up to the total.
pub fn investment_by_year<'a>(items: impl Iterator<Item = &'a Item>, fallback: i32) -> BTreeMap<i32, i64> {
    let mut out = BTreeMap::new();
    for item in items {
        let v = item.funding.social_capital;
        if v == 0 {
            continue;
        }
        let e = out.entry(paid_year(item).unwrap_or(fallback)).or_insert(0i64);
        *e = e.saturating_add(v);
    }
    out
}

/// The years a space's flows count in: its term, from the year the last of its items is completed.
pub fn open_years(space: &Space, plan: &Plan) -> (i32, i32) {
    let opens = space.items.iter().filter_map(|i| plan.items.get(i)).filter_map(done_year).max();
    (opens.map_or(space.term_start, |y| y.max(space.term_start)), space.term_end)
}

/// Works out the ledger of `plan` under a scenario, with investment from all its items.
pub fn compute(plan: &Plan, scenario: &Scenario) -> Ledger {
    compute_with(plan, plan.items.values(), scenario)
}

/// Works out the ledger of `plan` with investment from `items` (the items `info` counts in a phase).
pub fn compute_with<'a>(plan: &Plan, items: impl Iterator<Item = &'a Item>, scenario: &Scenario) -> Ledger {
    let ops = &plan.operations;
    // The years each flow counts in: its own, within its space's open years (the first space of an id).
    let mut open: std::collections::HashMap<&str, (i32, i32)> = std::collections::HashMap::new();
    for s in &ops.spaces {
        open.entry(s.id.as_str()).or_insert_with(|| open_years(s, plan));
    }
    let spans: Vec<(&Flow, i32, i32)> = ops
        .flows
        .iter()
        .map(|f| {
            let (mut a, mut b) = (f.start_year.max(*YEARS.start()), f.end_year.min(*YEARS.end()));
            if let Some((s0, s1)) = f.space.as_deref().and_then(|id| open.get(id)) {
                a = a.max(*s0);
                b = b.min(*s1);
            }
            (f, a, b)
        })
        .filter(|(f, a, b)| a <= b && f.yuan_per_year != 0)
        .collect();
    let flow_first = spans.iter().map(|s| s.1).min();
    let fallback =
        flow_first.unwrap_or_else(|| super::item::today().get(..4).and_then(|y| y.parse().ok()).unwrap_or(2000));
    let investment = investment_by_year(items, fallback);
    let first = [flow_first, investment.keys().next().copied()].into_iter().flatten().min();
    let last = [spans.iter().map(|s| s.2).max(), investment.keys().next_back().copied()].into_iter().flatten().max();
    let (Some(first), Some(last)) = (first, last) else {
        return Ledger { rows: Vec::new(), investment_yuan: 0, payback_year: None, npv_yuan: 0.0, irr: None };
    };
    let mut rows = Vec::with_capacity((last - first + 1).max(0) as usize);
    let mut cumulative = 0i64;
    for year in first..=last {
        let mut r =
            YearRow { year, investment_yuan: investment.get(&year).copied().unwrap_or(0), ..YearRow::default() };
        for (f, a, b) in &spans {
            if year < *a || year > *b {
                continue;
            }
            let v = f.amount_in(year, scenario);
            let col = match f.kind.side() {
                Side::Revenue => &mut r.revenue_yuan,
                Side::Cost => &mut r.cost_yuan,
                Side::Subsidy => &mut r.subsidy_yuan,
            };
            *col = col.saturating_add(v);
        }
        r.net_yuan = r.revenue_yuan.saturating_sub(r.cost_yuan).saturating_add(r.subsidy_yuan);
        cumulative = cumulative.saturating_add(r.net_yuan).saturating_sub(r.investment_yuan);
        r.cumulative_yuan = cumulative;
        rows.push(r);
    }
    let investment_yuan = rows.iter().fold(0i64, |t, r| t.saturating_add(r.investment_yuan));
    let payback_year = rows.iter().find(|r| r.cumulative_yuan >= 0).map(|r| r.year);
    let mut ledger = Ledger { rows, investment_yuan, payback_year, npv_yuan: 0.0, irr: None };
    let cash = ledger.cash();
    ledger.npv_yuan = npv(&cash, ops.discount_rate);
    ledger.irr = irr(&cash);
    ledger
}

/// Net present value of yearly amounts, the first at year 0.
pub fn npv(cash: &[i64], rate: f64) -> f64 {
    let mut factor = 1.0;
    let mut sum = 0.0;
    for &c in cash {
        sum += c as f64 / factor;
        factor *= 1.0 + rate;
    }
    sum
}

/// The internal rate of return: the lowest rate above −99 % at which the NPV is 0, found by scanning
/// for a change of sign and bisecting. `None` when the amounts never change sign or no root lies
/// below 1000 % a year.
pub fn irr(cash: &[i64]) -> Option<f64> {
    if !(cash.iter().any(|c| *c > 0) && cash.iter().any(|c| *c < 0)) {
        return None;
    }
    // Rates from −0.99 upward in growing steps.
    let mut lo = -0.99;
    let mut f_lo = npv(cash, lo);
    let mut step = 0.01;
    while lo < 10.0 {
        let hi = lo + step;
        let f_hi = npv(cash, hi);
        if f_lo == 0.0 {
            return Some(lo);
        }
        if f_lo.signum() != f_hi.signum() && f_hi.is_finite() && f_lo.is_finite() {
            let (mut a, mut b, mut fa) = (lo, hi, f_lo);
            for _ in 0..200 {
                let m = 0.5 * (a + b);
                let fm = npv(cash, m);
                if fm == 0.0 || (b - a) < 1e-12 {
                    return Some(m);
                }
                if fm.signum() == fa.signum() {
                    a = m;
                    fa = fm;
                } else {
                    b = m;
                }
            }
            return Some(0.5 * (a + b));
        }
        lo = hi;
        f_lo = f_hi;
        if lo > 0.5 {
            step = 0.05;
        }
    }
    None
}

/// One column of the sensitivity table: how subsidies are taken.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SubsidyCase {
    /// Subsidies scaled.
    Scaled(f64),
    /// Subsidies as planned until this year, none after.
    StopsAfter(i32),
}

impl SubsidyCase {
    /// The case as a column heading: `补贴 80%`, `补贴至 2023 年止`.
    pub fn label(&self, lang: Lang) -> String {
        match (self, lang) {
            (SubsidyCase::Scaled(s), Lang::Zh) => format!("补贴 {}%", (s * 100.0).round()),
            (SubsidyCase::Scaled(s), Lang::En) => format!("subsidy {}%", (s * 100.0).round()),
            (SubsidyCase::StopsAfter(y), Lang::Zh) => format!("补贴至 {y} 年止"),
            (SubsidyCase::StopsAfter(y), Lang::En) => format!("subsidy stops after {y}"),
        }
    }
}

/// The payback year under each revenue scale (rows) and subsidy case (columns).
#[derive(Clone, Debug, PartialEq)]
pub struct Sensitivity {
    pub revenue_scales: Vec<f64>,
    pub subsidy: Vec<SubsidyCase>,
    /// `payback[row][column]`; `None`: never pays back.
    pub payback: Vec<Vec<Option<i32>>>,
}

/// The revenue scales of the sensitivity table.
pub const REVENUE_SCALES: [f64; 5] = [0.8, 0.9, 1.0, 1.1, 1.2];
/// The subsidy scales of the sensitivity table.
pub const SUBSIDY_SCALES: [f64; 3] = [0.8, 1.0, 1.2];

/// The sensitivity table: revenue at 80–120 % against subsidy at 80 %, 100 %, 120 % and stopping
/// early ([`Operations::early_end`], when the ledger has a subsidy).
pub fn sensitivity(plan: &Plan) -> Sensitivity {
    let mut subsidy: Vec<SubsidyCase> = SUBSIDY_SCALES.iter().map(|s| SubsidyCase::Scaled(*s)).collect();
    if let Some(y) = plan.operations.early_end() {
        subsidy.push(SubsidyCase::StopsAfter(y));
    }
    let payback = REVENUE_SCALES
        .iter()
        .map(|&r| {
            subsidy
                .iter()
                .map(|c| {
                    let scenario = match *c {
                        SubsidyCase::Scaled(s) => Scenario { revenue_scale: r, subsidy_scale: s, subsidy_until: None },
                        SubsidyCase::StopsAfter(y) => {
                            Scenario { revenue_scale: r, subsidy_scale: 1.0, subsidy_until: Some(y) }
                        }
                    };
                    compute(plan, &scenario).payback_year
                })
                .collect()
        })
        .collect();
    Sensitivity { revenue_scales: REVENUE_SCALES.to_vec(), subsidy, payback }
}

/// What the chart draws: the cumulative line, the payback year and each space's term as a band.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// `(year, cumulative yuan)` at the end of each year.
    pub cumulative: Vec<(i32, i64)>,
    pub payback_year: Option<i32>,
    /// `(name, first year, last year)` of each operating term, in ledger order; spaces whose terms run
    /// the same years share one (named by their count).
    pub terms: Vec<(String, i32, i32)>,
}

/// The chart of a worked-out ledger: the one description the window's plot and the slide's SVG draw.
pub fn chart(plan: &Plan, ledger: &Ledger, lang: Lang) -> Chart {
    // Spaces whose rights run the same years share one band ("9处经营空间"), so a district whose
    // operator holds every space on one term gets one readable band, not nine stacked slivers.
    let mut terms: Vec<(Vec<String>, i32, i32)> = Vec::new();
    for s in plan.operations.spaces.iter().filter(|s| s.term_start <= s.term_end) {
        let name = match lang {
            Lang::En => s.name_en.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| s.name_zh.clone()),
            Lang::Zh => s.name_zh.clone(),
        };
        let name = if name.is_empty() { s.id.clone() } else { name };
        match terms.iter_mut().find(|t| t.1 == s.term_start && t.2 == s.term_end) {
            Some(t) => t.0.push(name),
            None => terms.push((vec![name], s.term_start, s.term_end)),
        }
    }
    Chart {
        cumulative: ledger.rows.iter().map(|r| (r.year, r.cumulative_yuan)).collect(),
        payback_year: ledger.payback_year,
        terms: terms
            .into_iter()
            .map(|(mut names, a, b)| {
                let name = match (names.len(), lang) {
                    (1, _) => names.remove(0),
                    (n, Lang::Zh) => format!("{n}处经营空间 {a}–{b}"),
                    (n, Lang::En) => format!("{n} operating spaces {a}–{b}"),
                };
                (name, a, b)
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::item::{Funding, StatusChange};
    use crate::model::{Feature, Kind, PlanMeta};

    fn plan_with(investments: &[(i32, i64)], flows: Vec<Flow>) -> Plan {
        let mut plan = Plan::new(PlanMeta::default());
        let mut f =
            Feature::new(Kind::Node, serde_json::Map::new(), geo::Geometry::Point(geo::Point::new(116.46, 39.87)));
        f.source_id = Some("node-a".into());
        plan.push(f);
        for (i, (year, v)) in investments.iter().enumerate() {
            let mut item = Item::new(format!("it-{i}"), "parking".into(), vec!["node-a".into()], "2019-01-01", *v);
            item.funding = Funding { social_capital: *v, ..Funding::default() };
            item.history = vec![StatusChange {
                status: Status::UnderConstruction,
                date: format!("{year}-03-01"),
                override_note: None,
            }];
            item.planned_start = None;
            plan.items.insert(item.id.clone(), item);
        }
        plan.operations.flows = flows;
        plan
    }

    fn flow(id: &str, kind: FlowKind, v: i64, a: i32, b: i32) -> Flow {
        Flow {
            id: id.into(),
            kind,
            name_zh: String::new(),
            name_en: None,
            space: None,
            yuan_per_year: v,
            collection_rate: None,
            start_year: a,
            end_year: b,
            growth: 0.0,
        }
    }

    #[test]
    fn spaces_on_the_same_term_share_one_chart_band() {
        let mut plan = plan_with(&[(2020, 1000)], Vec::new());
        let space = |id: &str, zh: &str, a: i32, b: i32| Space {
            id: id.into(),
            feature: "node-a".into(),
            name_zh: zh.into(),
            name_en: None,
            operator: String::new(),
            use_: "shop".into(),
            area_m2: 10.0,
            term_start: a,
            term_end: b,
            items: Vec::new(),
        };
        plan.operations.spaces = vec![
            space("a", "商铺", 2020, 2039),
            space("b", "食堂", 2021, 2030),
            space("c", "理发", 2020, 2039),
            space("d", "", 2020, 2039),
        ];
        let l = compute(&plan, &Scenario::default());
        let c = chart(&plan, &l, Lang::Zh);
        assert_eq!(c.terms, vec![("3处经营空间 2020–2039".into(), 2020, 2039), ("食堂".into(), 2021, 2030)]);
        let c = chart(&plan, &l, Lang::En);
        assert_eq!(c.terms[0].0, "3 operating spaces 2020–2039");
        assert_eq!(c.terms[1].0, "食堂", "no English name: the Chinese one");
    }

    #[test]
    fn hand_computed_payback_npv_irr() {
        // 1000 invested in 2020, 300 a year net (400 rent − 100 cost) 2020–2024.
        let plan = plan_with(
            &[(2020, 1000)],
            vec![flow("r", FlowKind::Rent, 400, 2020, 2024), flow("c", FlowKind::Cost, 100, 2020, 2024)],
        );
        let l = compute(&plan, &Scenario::default());
        let cum: Vec<i64> = l.rows.iter().map(|r| r.cumulative_yuan).collect();
        assert_eq!(cum, vec![-700, -400, -100, 200, 500]);
        assert_eq!(l.payback_year, Some(2023));
        assert_eq!(l.investment_yuan, 1000);
        // NPV at 6 %: −700 + 300/1.06 + 300/1.06² + 300/1.06³ + 300/1.06⁴.
        let by_hand =
            -700.0 + 300.0 / 1.06 + 300.0 / 1.06f64.powi(2) + 300.0 / 1.06f64.powi(3) + 300.0 / 1.06f64.powi(4);
        assert!((l.npv_yuan - by_hand).abs() < 1e-9, "{} {by_hand}", l.npv_yuan);
        // IRR: −700 + 300·a(4, r) = 0, the annuity factor a(4, r) = 7/3 → r ≈ 0.2568.
        let r = l.irr.unwrap();
        let annuity = (1.0 - (1.0 + r).powi(-4)) / r;
        assert!((annuity - 7.0 / 3.0).abs() < 1e-9, "r {r}");
        assert!((r - 0.2568).abs() < 1e-4, "r {r}");
    }

    #[test]
    fn pays_back_in_the_first_year() {
        let plan = plan_with(&[(2020, 100)], vec![flow("r", FlowKind::Rent, 150, 2020, 2022)]);
        let l = compute(&plan, &Scenario::default());
        assert_eq!(l.rows[0].cumulative_yuan, 50);
        assert_eq!(l.payback_year, Some(2020));
        // Every year's cash is positive: no rate makes the NPV 0.
        assert_eq!(l.irr, None);
    }

    #[test]
    fn never_pays_back() {
        let plan = plan_with(
            &[(2019, 1_000_000)],
            vec![flow("r", FlowKind::Rent, 50_000, 2020, 2029), flow("s", FlowKind::Subsidy, 10_000, 2020, 2022)],
        );
        let l = compute(&plan, &Scenario::default());
        assert_eq!(l.payback_year, None);
        assert_eq!(l.rows.last().unwrap().cumulative_yuan, -1_000_000 + 500_000 + 30_000);
        assert!(l.npv_yuan < 0.0);
        // Cash changes sign, but the return is below −99 %? No: −1e6 then 530 000 in all; IRR is negative.
        let r = l.irr.unwrap();
        assert!(r < 0.0 && npv(&l.cash(), r).abs() < 1e-3, "r {r}");
        // Rows start at the first investment and run to the last flow.
        assert_eq!((l.rows[0].year, l.rows.last().unwrap().year), (2019, 2029));
    }

    #[test]
    fn growth_collection_and_scenarios() {
        let mut fee = flow("f", FlowKind::PropertyFee, 1000, 2020, 2022);
        fee.growth = 0.1;
        fee.collection_rate = Some(0.5);
        let plan = plan_with(&[], vec![fee, flow("s", FlowKind::Subsidy, 100, 2020, 2022)]);
        let l = compute(&plan, &Scenario::default());
        let rev: Vec<i64> = l.rows.iter().map(|r| r.revenue_yuan).collect();
        assert_eq!(rev, vec![500, 550, 605]);
        let low = compute(&plan, &Scenario { revenue_scale: 0.8, subsidy_scale: 0.5, subsidy_until: Some(2021) });
        let rev: Vec<i64> = low.rows.iter().map(|r| r.revenue_yuan).collect();
        assert_eq!(rev, vec![400, 440, 484]);
        let sub: Vec<i64> = low.rows.iter().map(|r| r.subsidy_yuan).collect();
        assert_eq!(sub, vec![50, 50, 0]);
    }

    #[test]
    fn a_space_bounds_its_flows_by_term_and_opening() {
        let mut plan = plan_with(&[(2019, 100)], vec![]);
        plan.items.get_mut("it-0").unwrap().history.push(StatusChange {
            status: Status::Completed,
            date: "2021-06-01".into(),
            override_note: None,
        });
        plan.operations.spaces.push(Space {
            id: "sp".into(),
            feature: "node-a".into(),
            name_zh: "商铺".into(),
            name_en: None,
            operator: "愿景".into(),
            use_: "shop".into(),
            area_m2: 50.0,
            term_start: 2020,
            term_end: 2023,
            items: vec!["it-0".into()],
        });
        let mut rent = flow("r", FlowKind::Rent, 10, 2018, 2030);
        rent.space = Some("sp".into());
        plan.operations.flows.push(rent);
        let l = compute(&plan, &Scenario::default());
        let by_year: Vec<(i32, i64)> = l.rows.iter().map(|r| (r.year, r.revenue_yuan)).collect();
        assert_eq!(by_year, vec![(2019, 0), (2020, 0), (2021, 10), (2022, 10), (2023, 10)]);
        assert!(plan.operations.problems(&plan).is_empty(), "{:?}", plan.operations.problems(&plan));
    }

    #[test]
    fn sums_saturate_and_absurd_input_is_named() {
        let plan = plan_with(
            &[(2020, i64::MAX)],
            vec![flow("r", FlowKind::Rent, i64::MAX, 2020, 2200), flow("c", FlowKind::Cost, i64::MAX, 2020, 2200)],
        );
        let l = compute(&plan, &Scenario { revenue_scale: 1e300, ..Scenario::default() });
        assert_eq!(l.rows.len(), 181);
        let msgs: Vec<String> = plan.operations.problems(&plan).iter().map(|p| p.message(Lang::En)).collect();
        assert!(msgs.iter().any(|m| m.starts_with("r: ") && m.contains("too large")), "{msgs:?}");
        let mut bad = plan.clone();
        bad.operations.flows = vec![Flow { space: Some("nowhere".into()), ..flow("x", FlowKind::Rent, 5, 2021, 2020) }];
        bad.operations.spaces = vec![Space {
            id: "s".into(),
            feature: "no-such".into(),
            name_zh: String::new(),
            name_en: None,
            operator: String::new(),
            use_: String::new(),
            area_m2: -3.0,
            term_start: 2020,
            term_end: 2030,
            items: vec!["it-none".into()],
        }];
        let msgs: Vec<String> = bad.operations.problems(&bad).iter().map(|p| p.message(Lang::En)).collect();
        assert_eq!(
            msgs,
            vec![
                "s: the area -3 m² is negative",
                "s: feature no-such is not in the plan",
                "s: item it-none does not exist",
                "x: ends (2020) before it starts (2021)",
                "x: operating space nowhere does not exist",
            ]
        );
        // A flow that ends before it starts counts in no year.
        assert!(compute(&bad, &Scenario::default()).rows.iter().all(|r| r.revenue_yuan == 0));
    }

    #[test]
    fn lower_revenue_never_pays_back_earlier() {
        let plan = plan_with(
            &[(2019, 5_000_000), (2021, 1_000_000)],
            vec![
                flow("r", FlowKind::Rent, 700_000, 2020, 2039),
                flow("c", FlowKind::Cost, 200_000, 2020, 2039),
                flow("s", FlowKind::Subsidy, 100_000, 2020, 2026),
            ],
        );
        let s = sensitivity(&plan);
        assert_eq!(s.subsidy.last(), Some(&SubsidyCase::StopsAfter(2024)));
        for col in 0..s.subsidy.len() {
            for row in 1..s.revenue_scales.len() {
                let (lower, higher) = (s.payback[row - 1][col], s.payback[row][col]);
                assert!(
                    lower.unwrap_or(i32::MAX) >= higher.unwrap_or(i32::MAX),
                    "revenue {} paid back in {lower:?}, {} in {higher:?}",
                    s.revenue_scales[row - 1],
                    s.revenue_scales[row]
                );
            }
        }
        assert_eq!(s.payback[2][1], compute(&plan, &Scenario::default()).payback_year);
    }
}
