//! Renewal items on features: what will be done where, how far it has come,
//! what it costs and who pays. An item is stored in the plan once, and lists
//! the keys of the features it is attached to.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

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
}

impl Problem {
    /// The message, in Chinese or English.
    pub fn message(&self, chinese: bool) -> String {
        use super::measure::group_thousands as g;
        match (self, chinese) {
            (Problem::FundingMismatch { funding, cost }, true) => format!(
                "资金来源合计 {} 元，与造价 {} 元不符（差 {} 元）",
                g(*funding as f64),
                g(*cost as f64),
                g(cost.saturating_sub(*funding) as f64)
            ),
            (Problem::FundingMismatch { funding, cost }, false) => format!(
                "Funding adds up to {} yuan but the cost is {} yuan (difference {} yuan)",
                g(*funding as f64),
                g(*cost as f64),
                g(cost.saturating_sub(*funding) as f64)
            ),
            (Problem::NegativeMoney, true) => "金额不能为负".into(),
            (Problem::NegativeMoney, false) => "Amounts cannot be negative".into(),
            (Problem::BadDate(d), true) => format!("日期“{d}”不是 YYYY-MM-DD 格式"),
            (Problem::BadDate(d), false) => format!("\"{d}\" is not a date (YYYY-MM-DD)"),
            (Problem::EndBeforeStart, true) => "计划完成日期早于计划开始日期".into(),
            (Problem::EndBeforeStart, false) => "The planned end is before the planned start".into(),
            (Problem::HistoryOutOfOrder, true) => "状态记录的日期顺序不对".into(),
            (Problem::HistoryOutOfOrder, false) => "The status history is not in date order".into(),
            (Problem::NoFeatures, true) => "项目未关联任何要素".into(),
            (Problem::NoFeatures, false) => "The item is not attached to any feature".into(),
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
            history: vec![StatusChange { status: Status::Proposed, date: date.to_string() }],
            planned_start: None,
            planned_end: None,
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

    /// The name shown for the item: its own, else its catalogue entry's, else the entry id.
    pub fn display_name<'a>(&'a self, additions: &'a [super::catalogue::CatalogueEntry], chinese: bool) -> &'a str {
        let own = if chinese { self.name_zh.as_deref() } else { self.name_en.as_deref() };
        own.or_else(|| super::catalogue::lookup(additions, &self.catalogue).map(|e| e.name(chinese)))
            .unwrap_or(self.catalogue.as_str())
    }

    /// The cost the funding must add up to: the actual cost once known, else the estimate.
    pub fn cost_basis(&self) -> i64 {
        self.actual_cost_yuan.or(self.estimated_cost_yuan).unwrap_or(0)
    }

    /// Moves the item to a status on a date, recording it in the history.
    pub fn set_status(&mut self, status: Status, date: &str) {
        self.status = status;
        self.history.push(StatusChange { status, date: date.to_string() });
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
        assert!(p[0].message(false).contains("difference -100,000 yuan"), "{}", p[0].message(false));
        assert!(p[0].message(true).contains("资金来源合计 700,000 元"));
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
        item.history.insert(0, StatusChange { status: Status::Designed, date: "2018-09-01".into() });
        item.history.push(StatusChange { status: Status::Operating, date: "soon".into() });
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
