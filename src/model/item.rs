//! Renewal items on features: what will be done where, how far it has come,
//! what it costs and who pays. An item is stored in the plan once, and lists
//! the keys of the features it is attached to.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::lang::Lang;

/// Where an item stands, from proposal to operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Proposed,
    Designed,
    Publicised,
    UnderConstruction,
    Completed,
    Operating,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Proposed,
        Status::Designed,
        Status::Publicised,
        Status::UnderConstruction,
        Status::Completed,
        Status::Operating,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Proposed => "proposed",
            Status::Designed => "designed",
            Status::Publicised => "publicised",
            Status::UnderConstruction => "under_construction",
            Status::Completed => "completed",
            Status::Operating => "operating",
        }
    }

    /// Completed or operating: the work is done.
    pub fn is_done(self) -> bool {
        self >= Status::Completed
    }
}

/// The five-party linkage (五方联动): who is responsible.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    District,
    Street,
    Community,
    Residents,
    Enterprise,
}

impl Party {
    pub const ALL: [Party; 5] = [Party::District, Party::Street, Party::Community, Party::Residents, Party::Enterprise];

    pub fn as_str(self) -> &'static str {
        match self {
            Party::District => "district",
            Party::Street => "street",
            Party::Community => "community",
            Party::Residents => "residents",
            Party::Enterprise => "enterprise",
        }
    }
}

/// The four sources of money ("四个一点").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FundingSource {
    Government,
    SocialCapital,
    Residents,
    PropertyUnit,
}

impl FundingSource {
    pub const ALL: [FundingSource; 4] = [
        FundingSource::Government,
        FundingSource::SocialCapital,
        FundingSource::Residents,
        FundingSource::PropertyUnit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FundingSource::Government => "government",
            FundingSource::SocialCapital => "social_capital",
            FundingSource::Residents => "residents",
            FundingSource::PropertyUnit => "property_unit",
        }
    }
}

/// Money by source, in whole yuan.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Funding {
    #[serde(default)]
    pub government: i64,
    #[serde(default)]
    pub social_capital: i64,
    #[serde(default)]
    pub residents: i64,
    #[serde(default)]
    pub property_unit: i64,
}

impl Funding {
    pub fn get(&self, s: FundingSource) -> i64 {
        match s {
            FundingSource::Government => self.government,
            FundingSource::SocialCapital => self.social_capital,
            FundingSource::Residents => self.residents,
            FundingSource::PropertyUnit => self.property_unit,
        }
    }

    pub fn get_mut(&mut self, s: FundingSource) -> &mut i64 {
        match s {
            FundingSource::Government => &mut self.government,
            FundingSource::SocialCapital => &mut self.social_capital,
            FundingSource::Residents => &mut self.residents,
            FundingSource::PropertyUnit => &mut self.property_unit,
        }
    }

    /// The sum of the sources (saturating: amounts come from files and may be absurd).
    pub fn total(&self) -> i64 {
        FundingSource::ALL.iter().fold(0i64, |t, s| t.saturating_add(self.get(*s)))
    }

    /// The source that pays the most (ties: the first in [`FundingSource::ALL`]).
    pub fn dominant(&self) -> Option<FundingSource> {
        let best = FundingSource::ALL.iter().copied().max_by_key(|s| (self.get(*s), -(*s as i64)))?;
        (self.get(best) > 0).then_some(best)
    }
}

/// One step in an item's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    pub status: Status,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Set when the item went past 公示 (publicised) although a residents' matter
    /// linked to it had not passed: what the planner recorded when overriding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_note: Option<String>,
}

/// A renewal item attached to one or more features.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Unique in the plan, stable (`it-elevator-101`).
    pub id: String,
    /// The catalogue entry it is an instance of.
    pub catalogue: String,
    /// A specific name ("101楼加装电梯"); the catalogue's name when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_zh: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    /// Keys (GeoJSON ids) of the features it is attached to.
    #[serde(default)]
    pub features: Vec<String>,
    pub status: Status,
    /// Every status change with its date, oldest first.
    #[serde(default)]
    pub history: Vec<StatusChange>,
    #[serde(default)]
    pub planned_start: Option<String>,
    #[serde(default)]
    pub planned_end: Option<String>,
    /// How many units the item is (3 for 加装电梯 × 3 部); `None`: not counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<f64>,
    /// The unit of the quantity (部, 处, m, m², 个), usually the catalogue entry's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Yuan per unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_cost_yuan: Option<i64>,
    /// True when the estimate was set by hand; otherwise it follows
    /// quantity × unit cost whenever both are known.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cost_overridden: bool,
    #[serde(default)]
    pub estimated_cost_yuan: Option<i64>,
    #[serde(default)]
    pub actual_cost_yuan: Option<i64>,
    #[serde(default)]
    pub funding: Funding,
    #[serde(default)]
    pub party: Option<Party>,
    #[serde(default)]
    pub operator: Option<String>,
    #[serde(default)]
    pub operating_term_years: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_note_zh: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_note_en: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_note_zh: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_note_en: Option<String>,
    /// Fields this version does not know, kept for the round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Something wrong with an item that the planner should fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The funding shares do not add up to the cost.
    FundingMismatch {
        funding: i64,
        cost: i64,
    },
    NegativeMoney,
    BadDate(String),
    EndBeforeStart,
    HistoryOutOfOrder,
    NoFeatures,
    /// A quantity below zero (or not a number).
    BadQuantity,
}

impl Problem {
    /// The message, in Chinese or English.
    pub fn message(&self, lang: Lang) -> String {
        use super::measure::group_thousands as g;
        match (self, lang) {
            (Problem::FundingMismatch { funding, cost }, Lang::Zh) => format!(
                "资金来源合计 {} 元，与造价 {} 元不符（差 {} 元）",
                g(*funding as f64),
                g(*cost as f64),
                g(cost.saturating_sub(*funding) as f64)
            ),
            (Problem::FundingMismatch { funding, cost }, Lang::En) => format!(
                "Funding adds up to {} yuan but the cost is {} yuan (difference {} yuan)",
                g(*funding as f64),
                g(*cost as f64),
                g(cost.saturating_sub(*funding) as f64)
            ),
            (Problem::NegativeMoney, Lang::Zh) => "金额不能为负".into(),
            (Problem::NegativeMoney, Lang::En) => "Amounts cannot be negative".into(),
            (Problem::BadDate(d), Lang::Zh) => format!("日期“{d}”不是 YYYY-MM-DD 格式"),
            (Problem::BadDate(d), Lang::En) => format!("\"{d}\" is not a date (YYYY-MM-DD)"),
            (Problem::EndBeforeStart, Lang::Zh) => "计划完成日期早于计划开始日期".into(),
            (Problem::EndBeforeStart, Lang::En) => "The planned end is before the planned start".into(),
            (Problem::HistoryOutOfOrder, Lang::Zh) => "状态记录的日期顺序不对".into(),
            (Problem::HistoryOutOfOrder, Lang::En) => "The status history is not in date order".into(),
            (Problem::NoFeatures, Lang::Zh) => "项目未关联任何要素".into(),
            (Problem::NoFeatures, Lang::En) => "The item is not attached to any feature".into(),
            (Problem::BadQuantity, Lang::Zh) => "数量不能为负".into(),
            (Problem::BadQuantity, Lang::En) => "The quantity cannot be negative".into(),
        }
    }
}

/// True for a real calendar date written `YYYY-MM-DD`.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|t| t.parse::<u32>().ok());
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=2200).contains(&y) && (1..=days).contains(&d)
}

impl Item {
    /// A new proposed item of a catalogue entry on some features.
    pub fn new(id: String, catalogue: String, features: Vec<String>, date: &str, cost: i64) -> Self {
        Item {
            id,
            catalogue,
            name_zh: None,
            name_en: None,
            features,
            status: Status::Proposed,
            history: vec![StatusChange { status: Status::Proposed, date: date.to_string(), override_note: None }],
            planned_start: None,
            planned_end: None,
            quantity: None,
            unit: None,
            unit_cost_yuan: None,
            cost_overridden: false,
            estimated_cost_yuan: Some(cost),
            actual_cost_yuan: None,
            funding: Funding { government: cost, ..Funding::default() },
            party: None,
            operator: None,
            operating_term_years: None,
            before_note_zh: None,
            before_note_en: None,
            after_note_zh: None,
            after_note_en: None,
            extra: Map::new(),
        }
    }

    /// The name shown for the item in every list, table and export: its own
    /// name; else where it is and what it is ("104楼 加装电梯": the first
    /// feature's number or name, then the catalogue entry's name); else the
    /// entry's name or id alone.
    pub fn display_name<'a>(&'a self, plan: &'a super::Plan, lang: Lang) -> std::borrow::Cow<'a, str> {
        use std::borrow::Cow;
        let own = match lang {
            Lang::Zh => self.name_zh.as_deref(),
            Lang::En => self.name_en.as_deref(),
        };
        if let Some(own) = own.filter(|n| !n.trim().is_empty()) {
            return Cow::Borrowed(own);
        }
        let what = super::catalogue::lookup(&plan.catalogue_additions, &self.catalogue)
            .map(|e| e.name(lang))
            .unwrap_or(self.catalogue.as_str());
        let mut features = self.features.iter().filter_map(|k| plan.by_key(k)).filter_map(|id| plan.get(id));
        let Some(first) = features.next().and_then(|f| short_name(f, lang)) else {
            return Cow::Borrowed(what);
        };
        Cow::Owned(match (lang, features.count()) {
            (Lang::Zh, 0) => format!("{first} {what}"),
            (Lang::Zh, n) => format!("{first}等{}处 {what}", n + 1),
            (Lang::En, 0) => format!("{first}: {what}"),
            (Lang::En, n) => format!("{first} and {n} more: {what}"),
        })
    }

    /// Quantity × unit cost in whole yuan, when both are known and the product is a sane amount.
    pub fn computed_cost(&self) -> Option<i64> {
        let v = (self.quantity? * self.unit_cost_yuan? as f64).round();
        (v.is_finite() && (0.0..=MAX_YUAN as f64).contains(&v)).then_some(v as i64)
    }

    /// Sets the estimate to quantity × unit cost, unless it was overridden by
    /// hand. Funding paid by one source that matched the cost keeps matching
    /// (3 elevators instead of 1 from the same budget); funding split between
    /// sources is left for the planner to rebalance (the form says it is off).
    pub fn follow_quantity(&mut self) {
        if self.cost_overridden {
            return;
        }
        let Some(c) = self.computed_cost() else { return };
        let matched = self.funding.total() == self.cost_basis();
        self.estimated_cost_yuan = Some(c);
        let paying: Vec<FundingSource> =
            FundingSource::ALL.iter().copied().filter(|s| self.funding.get(*s) != 0).collect();
        if matched && self.actual_cost_yuan.is_none() && paying.len() == 1 {
            *self.funding.get_mut(paying[0]) = c;
        }
    }

    /// The item counted in units: `quantity` of `unit` at `unit_cost` yuan
    /// each, the estimate (and the government's share) following.
    pub fn with_quantity(mut self, quantity: f64, unit: Option<String>, unit_cost: i64) -> Self {
        self.quantity = Some(quantity);
        self.unit = unit;
        self.unit_cost_yuan = Some(unit_cost);
        self.cost_overridden = false;
        self.follow_quantity();
        self.funding = Funding { government: self.estimated_cost_yuan.unwrap_or(0), ..Funding::default() };
        self
    }

    /// The cost the funding must add up to: the actual cost once known, else the estimate.
    pub fn cost_basis(&self) -> i64 {
        self.actual_cost_yuan.or(self.estimated_cost_yuan).unwrap_or(0)
    }

    /// Moves the item to a status on a date, recording it in the history.
    pub fn set_status(&mut self, status: Status, date: &str) {
        self.status = status;
        self.history.push(StatusChange { status, date: date.to_string(), override_note: None });
    }

    /// The status the item had on a date: its last history entry on or before
    /// `date` (the latest such date; entries on the same day, the later one).
    /// `None` when the item has no entry yet on that date: it was not part of
    /// the plan then. Entries whose date is not a date are ignored (they are
    /// reported by [`Item::problems`]).
    pub fn status_at(&self, date: &str) -> Option<Status> {
        let mut best: Option<&StatusChange> = None;
        for c in self.history.iter().filter(|c| is_date(&c.date) && c.date.as_str() <= date) {
            if best.is_none_or(|b| c.date >= b.date) {
                best = Some(c);
            }
        }
        best.map(|c| c.status)
    }

    /// The status the item has in a phase, `None` when it is not counted there.
    /// Before the renewal every item is a proposal (nothing is under way or
    /// done); after it, the item's current status; as of a date, its status on
    /// that date ([`Item::status_at`]).
    pub fn status_in(&self, phase: &super::phase::Phase) -> Option<Status> {
        match phase {
            super::phase::Phase::Before => Some(Status::Proposed),
            super::phase::Phase::After => Some(self.status),
            super::phase::Phase::AsOf(d) => self.status_at(d),
        }
    }

    /// The date the item reached `status` (the latest time it did).
    pub fn date_of(&self, status: Status) -> Option<&str> {
        self.history.iter().rev().find(|c| c.status == status).map(|c| c.date.as_str())
    }

    /// Everything the planner should fix, empty when the item is consistent.
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        let money = [self.estimated_cost_yuan.unwrap_or(0), self.actual_cost_yuan.unwrap_or(0)];
        if money.iter().copied().chain(FundingSource::ALL.iter().map(|s| self.funding.get(*s))).any(|v| v < 0) {
            out.push(Problem::NegativeMoney);
        }
        if self.funding.total() != self.cost_basis() {
            out.push(Problem::FundingMismatch { funding: self.funding.total(), cost: self.cost_basis() });
        }
        for d in [&self.planned_start, &self.planned_end].into_iter().flatten() {
            if !is_date(d) {
                out.push(Problem::BadDate(d.clone()));
            }
        }
        if let (Some(a), Some(b)) = (&self.planned_start, &self.planned_end)
            && is_date(a)
            && is_date(b)
            && b < a
        {
            out.push(Problem::EndBeforeStart);
        }
        for c in &self.history {
            if !is_date(&c.date) {
                out.push(Problem::BadDate(c.date.clone()));
            }
        }
        if self.history.windows(2).any(|w| w[1].date < w[0].date) {
            out.push(Problem::HistoryOutOfOrder);
        }
        if self.features.is_empty() {
            out.push(Problem::NoFeatures);
        }
        if self.quantity.is_some_and(|q| !(q >= 0.0 && q.is_finite())) {
            out.push(Problem::BadQuantity);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn funding_that_does_not_add_up_is_named_with_the_difference() {
        let mut item = Item::new("it-1".into(), "elevator_retrofit".into(), vec!["b101".into()], "2018-07-20", 600_000);
        assert!(item.problems().is_empty());
        item.funding.social_capital = 100_000;
        let p = item.problems();
        assert_eq!(p, vec![Problem::FundingMismatch { funding: 700_000, cost: 600_000 }]);
        assert!(p[0].message(Lang::En).contains("difference -100,000 yuan"), "{}", p[0].message(Lang::En));
        assert!(p[0].message(Lang::Zh).contains("资金来源合计 700,000 元"));
        item.actual_cost_yuan = Some(700_000);
        assert!(item.problems().is_empty(), "the actual cost is what funding must match");
    }

    #[test]
    fn status_changes_are_kept_with_their_dates() {
        let mut item = Item::new("it-1".into(), "x".into(), vec!["b101".into()], "2018-07-20", 0);
        item.set_status(Status::Designed, "2018-09-01");
        item.set_status(Status::Completed, "2019-06-30");
        assert_eq!(item.status, Status::Completed);
        assert_eq!(item.date_of(Status::Designed), Some("2018-09-01"));
        assert_eq!(item.history.len(), 3);
        item.set_status(Status::Operating, "2019-01-01");
        assert!(item.problems().contains(&Problem::HistoryOutOfOrder));
    }

    #[test]
    fn the_status_on_a_date_is_the_last_entry_on_or_before_it() {
        use crate::model::Phase;
        let mut item = Item::new("it-1".into(), "x".into(), vec!["b101".into()], "2018-07-20", 0);
        item.set_status(Status::UnderConstruction, "2019-03-01");
        item.set_status(Status::Completed, "2019-07-01");
        assert_eq!(item.status_at("2018-07-19"), None, "not part of the plan yet");
        assert_eq!(item.status_at("2018-07-20"), Some(Status::Proposed));
        assert_eq!(item.status_at("2019-06-30"), Some(Status::UnderConstruction));
        assert_eq!(item.status_at("2019-07-01"), Some(Status::Completed));
        assert_eq!(item.status_in(&Phase::AsOf("2019-06-30".into())), Some(Status::UnderConstruction));
        assert_eq!(item.status_in(&Phase::After), Some(Status::Completed));
        assert_eq!(item.status_in(&Phase::Before), Some(Status::Proposed));
        // A history out of order still answers by date; a bad date is ignored.
        item.history
            .insert(0, StatusChange { status: Status::Designed, date: "2018-09-01".into(), override_note: None });
        item.history.push(StatusChange { status: Status::Operating, date: "soon".into(), override_note: None });
        assert_eq!(item.status_at("2018-12-31"), Some(Status::Designed));
        assert_eq!(item.status_at("2099-01-01"), Some(Status::Completed));
    }

    #[test]
    fn dates_are_checked_as_calendar_dates() {
        assert!(is_date("2020-02-29"));
        assert!(!is_date("2019-02-29"));
        assert!(!is_date("2019-13-01"));
        assert!(!is_date("2019-1-1"));
    }
}

/// A feature as an unnamed item's place: a building by its number (`104楼`,
/// `Building 104`), anything else by its name.
pub fn short_name(f: &super::Feature, lang: Lang) -> Option<String> {
    if f.kind == super::Kind::Building
        && let Some(n) = f.names().number
    {
        return Some(match lang {
            Lang::Zh => format!("{n}楼"),
            Lang::En => format!("Building {n}"),
        });
    }
    f.name(lang).map(str::to_string)
}

/// The largest amount of money accepted: 10^15 yuan (a thousand trillion),
/// far above any plan, and small enough that sums and f64 stay exact.
pub const MAX_YUAN: i64 = 1_000_000_000_000_000;

/// Why a typed amount of money was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MoneyError {
    /// Nothing was typed.
    Empty,
    /// A negative amount.
    Negative,
    /// Not an amount this reads (letters, `1.2e6`, misplaced separators).
    NotAnAmount,
    /// Above [`MAX_YUAN`].
    TooLarge,
}

/// Reads an amount of money as planners type it, in whole yuan (rounded
/// half up): `1200000`, `1,200,000`, `¥1,200,000`, `1,200,000 元`, `120万`,
/// `120 万元`, `1.2万`, `0.5亿`. Thousands separators must fall every three
/// digits; scientific notation (`1.2e6`) and negatives are refused.
pub fn parse_yuan(text: &str) -> Result<i64, MoneyError> {
    let mut t = text.trim().replace('，', ",");
    for prefix in ['¥', '￥'] {
        if let Some(rest) = t.strip_prefix(prefix) {
            t = rest.trim_start().to_string();
        }
    }
    let mut t = t.trim_end_matches('元').trim_end().to_string();
    let mut scale: i128 = 1;
    for (suffix, s) in [('万', 10_000), ('亿', 100_000_000)] {
        if let Some(rest) = t.strip_suffix(suffix) {
            t = rest.trim_end().to_string();
            scale = s;
            break;
        }
    }
    if t.is_empty() {
        return if scale == 1 { Err(MoneyError::Empty) } else { Err(MoneyError::NotAnAmount) };
    }
    if t.starts_with(['-', '−']) {
        return Err(MoneyError::Negative);
    }
    let (int, frac) = match t.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (t.as_str(), None),
    };
    let groups: Vec<&str> = int.split(',').collect();
    let digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    let grouped_ok = (groups.len() == 1 && digits(groups[0]))
        || (groups.len() > 1
            && digits(groups[0])
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3 && digits(g)));
    if !grouped_ok || frac.is_some_and(|f| !digits(f)) {
        return Err(MoneyError::NotAnAmount);
    }
    let int_digits: String = groups.concat();
    let int_digits = int_digits.trim_start_matches('0');
    if int_digits.len() > 19 {
        return Err(MoneyError::TooLarge);
    }
    let whole: i128 = if int_digits.is_empty() { 0 } else { int_digits.parse().map_err(|_| MoneyError::TooLarge)? };
    let mut value = whole * scale;
    if let Some(f) = frac {
        // Only the digits that can matter at this scale (plus one for rounding).
        let keep = (scale.ilog10() as usize + 1).min(f.len());
        let f = &f[..keep];
        let num: i128 = f.parse().map_err(|_| MoneyError::NotAnAmount)?;
        let den = 10i128.pow(keep as u32);
        value += (num * scale * 2 + den) / (den * 2);
    }
    if value > MAX_YUAN as i128 {
        return Err(MoneyError::TooLarge);
    }
    Ok(value as i64)
}

/// An amount with thousands separators: `1234567` → `1,234,567`.
pub fn format_yuan(v: i64) -> String {
    let digits = v.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if v < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The amount in 万 (ten thousands) as Chinese budgets write it, for
/// amounts of at least 10,000: `1,200,000` → `120万`, `1,234,567` → `123.46万`.
pub fn format_wan(v: i64) -> Option<String> {
    if v < 10_000 {
        return None;
    }
    let w = v as f64 / 10_000.0;
    let text = format!("{w:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    Some(format!("{text}万"))
}

/// A quantity without needless decimals: `3`, `120.5`.
pub fn format_quantity(q: f64) -> String {
    if q.fract() == 0.0 && q.abs() < 1e15 { format!("{}", q as i64) } else { format!("{q}") }
}

#[cfg(test)]
mod money_tests {
    use super::*;

    #[test]
    fn amounts_are_read_as_planners_type_them() {
        assert_eq!(parse_yuan("1200000"), Ok(1_200_000));
        assert_eq!(parse_yuan("1,200,000"), Ok(1_200_000));
        assert_eq!(parse_yuan(" ¥1,200,000 元 "), Ok(1_200_000));
        assert_eq!(parse_yuan("120万"), Ok(1_200_000));
        assert_eq!(parse_yuan("120 万元"), Ok(1_200_000));
        assert_eq!(parse_yuan("1.2万"), Ok(12_000));
        assert_eq!(parse_yuan("0.5亿"), Ok(50_000_000));
        assert_eq!(parse_yuan("1，200"), Ok(1_200), "a full-width comma from a Chinese keyboard");
        assert_eq!(parse_yuan("0"), Ok(0));
        assert_eq!(parse_yuan("12.5"), Ok(13), "whole yuan, rounded half up");
        assert_eq!(parse_yuan("12.49"), Ok(12));
        assert_eq!(parse_yuan("1.23456万"), Ok(12_346));
    }

    #[test]
    fn junk_negatives_and_overflow_are_refused_with_a_reason() {
        assert_eq!(parse_yuan(""), Err(MoneyError::Empty));
        assert_eq!(parse_yuan("元"), Err(MoneyError::Empty));
        assert_eq!(parse_yuan("-5"), Err(MoneyError::Negative));
        assert_eq!(parse_yuan("−5万"), Err(MoneyError::Negative));
        assert_eq!(parse_yuan("1.2e6"), Err(MoneyError::NotAnAmount));
        assert_eq!(parse_yuan("abc"), Err(MoneyError::NotAnAmount));
        assert_eq!(parse_yuan("1,20,000"), Err(MoneyError::NotAnAmount), "separators every three digits");
        assert_eq!(parse_yuan("1234,567"), Err(MoneyError::NotAnAmount));
        assert_eq!(parse_yuan("1.2.3"), Err(MoneyError::NotAnAmount));
        assert_eq!(parse_yuan("万"), Err(MoneyError::NotAnAmount));
        assert_eq!(parse_yuan("99999999999999999999999999"), Err(MoneyError::TooLarge));
        assert_eq!(parse_yuan("9223372036854775807"), Err(MoneyError::TooLarge));
        assert_eq!(parse_yuan("10000001亿"), Err(MoneyError::TooLarge));
        assert_eq!(parse_yuan(&MAX_YUAN.to_string()), Ok(MAX_YUAN));
    }

    #[test]
    fn formatted_amounts_read_back_as_the_same_amount() {
        assert_eq!(format_yuan(1_234_567), "1,234,567");
        assert_eq!(format_yuan(0), "0");
        assert_eq!(format_yuan(999), "999");
        assert_eq!(format_yuan(1000), "1,000");
        assert_eq!(format_wan(1_200_000).as_deref(), Some("120万"));
        assert_eq!(format_wan(1_234_567).as_deref(), Some("123.46万"));
        assert_eq!(format_wan(9_999), None);
        for v in [0, 7, 999, 1000, 123_456, 1_200_000, 98_765_432_101, MAX_YUAN] {
            assert_eq!(parse_yuan(&format_yuan(v)), Ok(v));
            if let Some(w) = format_wan(v).filter(|w| !w.contains('.')) {
                assert_eq!(parse_yuan(&w), Ok(v));
            }
        }
    }

    #[test]
    fn the_estimate_follows_quantity_times_unit_cost_unless_overridden() {
        let mut item = Item::new("it-1".into(), "elevator_retrofit".into(), vec!["b104".into()], "2019-01-01", 0)
            .with_quantity(3.0, Some("部".into()), 600_000);
        assert_eq!(item.estimated_cost_yuan, Some(1_800_000));
        assert!(item.problems().is_empty(), "{:?}", item.problems());
        item.quantity = Some(2.0);
        item.follow_quantity();
        assert_eq!(item.estimated_cost_yuan, Some(1_200_000));
        assert_eq!(item.funding.government, 1_200_000, "one source that paid it all still does");
        item.funding = Funding { government: 700_000, residents: 500_000, ..Funding::default() };
        item.quantity = Some(3.0);
        item.follow_quantity();
        assert_eq!(item.funding.total(), 1_200_000, "a split is left for the planner to rebalance");
        assert!(matches!(item.problems()[..], [Problem::FundingMismatch { .. }]));
        item.funding = Funding { government: 1_200_000, ..Funding::default() };
        item.quantity = Some(2.0);
        item.follow_quantity();
        item.estimated_cost_yuan = Some(1_000_000);
        item.cost_overridden = true;
        item.quantity = Some(4.0);
        item.follow_quantity();
        assert_eq!(item.estimated_cost_yuan, Some(1_000_000), "an overridden estimate stays");
        item.cost_overridden = false;
        item.follow_quantity();
        assert_eq!(item.estimated_cost_yuan, Some(2_400_000));
        item.unit_cost_yuan = Some(MAX_YUAN);
        assert_eq!(item.computed_cost(), None, "an absurd product is not an estimate");
        item.quantity = Some(-1.0);
        assert!(item.problems().contains(&Problem::BadQuantity));
        // The item's JSON keeps them; an item without them reads as before.
        let back: Item = serde_json::from_str(&serde_json::to_string(&item).expect("json")).expect("reads");
        assert_eq!(back, item);
        let plain = Item::new("it-2".into(), "x".into(), vec![], "2019-01-01", 5);
        let text = serde_json::to_string(&plain).expect("json");
        assert!(!text.contains("quantity") && !text.contains("cost_overridden"), "{text}");
    }
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod date_tests {
    #[test]
    fn days_are_turned_into_calendar_dates() {
        assert_eq!(super::civil_from_days(0), (1970, 1, 1));
        assert_eq!(super::civil_from_days(18_321), (2020, 2, 29));
        assert!(super::is_date(&super::today()));
    }
}
