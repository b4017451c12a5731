//! Residents decide: the household register (住户/产权登记), the matters put
//! to them (表决事项), the rules that decide a matter (data:
//! `assets/consent_rules.json`, plus any a plan adds) and the votes.
//!
//! [`tally`] counts a matter as the law does: households and exclusive floor
//! area in scope, taking part (agree, disagree or abstain — an abstention takes
//! part), agreeing, whether it passed and, when not, what is still missing.
//! Areas are counted in hundredths of a square metre, as integers, so a
//! threshold is met or not exactly (½ is not "more than half").
//!
//! Personal data (`owner_name`, `phone`) lives in the plan and its file only:
//! [`Household::without_personal`] is what every export takes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The built-in rules.
pub const RULES_JSON: &str = include_str!("../../assets/consent_rules.json");

/// The built-in rules, parsed once.
pub fn builtin_rules() -> &'static [Rule] {
    static RULES: std::sync::OnceLock<Vec<Rule>> = std::sync::OnceLock::new();
    RULES.get_or_init(|| serde_json::from_str(RULES_JSON).unwrap_or_default())
}

/// Who holds a household's flat.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnerType {
    /// A private owner (incl. flats bought under the housing reform, 房改房).
    #[default]
    Private,
    /// A tenant of public housing (公房承租人).
    PublicTenant,
    /// A work unit holding the property (产权单位).
    Institution,
}

impl OwnerType {
    pub const ALL: [OwnerType; 3] = [OwnerType::Private, OwnerType::PublicTenant, OwnerType::Institution];

    pub fn as_str(self) -> &'static str {
        match self {
            OwnerType::Private => "private",
            OwnerType::PublicTenant => "public_tenant",
            OwnerType::Institution => "institution",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            OwnerType::Private => "私有产权",
            OwnerType::PublicTenant => "公房承租",
            OwnerType::Institution => "产权单位",
        }
    }

    /// Reads the code or the Chinese name (as a register edited in Excel may hold).
    pub fn parse(s: &str) -> Option<OwnerType> {
        let s = s.trim();
        OwnerType::ALL.into_iter().find(|t| t.as_str() == s || t.name_zh() == s)
    }
}

/// One household of the register.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Household {
    /// Unique in the plan, stable (`b101-1-301`).
    pub id: String,
    /// The key of the building's feature.
    pub building: String,
    /// The 单元 (entrance), as the building names it (`1`).
    pub unit: String,
    pub floor: i32,
    /// The room (`301`).
    pub room: String,
    /// Exclusive floor area, m².
    pub area_m2: f64,
    #[serde(default)]
    pub owner_type: OwnerType,
    /// Personal data: kept in the plan, never exported unless the planner asks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_name: Option<String>,
    /// Personal data, as `owner_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl Household {
    /// The household as exports see it: no owner name, no phone.
    pub fn without_personal(&self) -> Household {
        Household { owner_name: None, phone: None, ..self.clone() }
    }

    pub fn has_personal(&self) -> bool {
        self.owner_name.is_some() || self.phone.is_some()
    }

    /// Area in hundredths of a square metre (negative or not a number: 0).
    fn area_centi(&self) -> i64 {
        centi(self.area_m2)
    }
}

fn centi(m2: f64) -> i64 {
    if m2.is_finite() && m2 > 0.0 { (m2 * 100.0).round().min(i64::MAX as f64 / 4.0) as i64 } else { 0 }
}

/// A household's answer to a matter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    Agree,
    Disagree,
    /// Takes part without agreeing or disagreeing.
    Abstain,
}

impl Choice {
    pub const ALL: [Choice; 3] = [Choice::Agree, Choice::Disagree, Choice::Abstain];

    pub fn as_str(self) -> &'static str {
        match self {
            Choice::Agree => "agree",
            Choice::Disagree => "disagree",
            Choice::Abstain => "abstain",
        }
    }

    /// `agree`, `disagree`, `abstain` (or 同意/不同意/反对/弃权); `none` and empty are no vote.
    /// Anything else is an error saying what a vote may be.
    pub fn parse(s: &str) -> Result<Option<Choice>, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "agree" | "同意" => Ok(Some(Choice::Agree)),
            "disagree" | "不同意" | "反对" => Ok(Some(Choice::Disagree)),
            "abstain" | "弃权" => Ok(Some(Choice::Abstain)),
            "" | "none" | "未表决" => Ok(None),
            _ => Err(format!("vote {:?} is not agree, disagree, abstain or none", s.trim())),
        }
    }

    /// The next answer when a grid cell is clicked: none → agree → disagree → abstain → none.
    pub fn cycle(v: Option<Choice>) -> Option<Choice> {
        match v {
            None => Some(Choice::Agree),
            Some(Choice::Agree) => Some(Choice::Disagree),
            Some(Choice::Disagree) => Some(Choice::Abstain),
            Some(Choice::Abstain) => None,
        }
    }
}

/// How a vote was cast.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Paper,
    InPerson,
    Online,
}

impl Method {
    pub const ALL: [Method; 3] = [Method::Paper, Method::InPerson, Method::Online];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Paper => "paper",
            Method::InPerson => "in_person",
            Method::Online => "online",
        }
    }
}

/// One household's vote on one matter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    pub vote: Choice,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<Method>,
}

/// A 单元 of a building.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct UnitRef {
    pub building: String,
    pub unit: String,
}

/// Who a matter is put to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Scope {
    /// Every household of the register.
    #[default]
    District,
    /// The households of these buildings (feature keys).
    Buildings { buildings: Vec<String> },
    /// The households of these 单元s.
    Units { units: Vec<UnitRef> },
}

impl Scope {
    pub fn contains(&self, h: &Household) -> bool {
        match self {
            Scope::District => true,
            Scope::Buildings { buildings } => buildings.contains(&h.building),
            Scope::Units { units } => units.iter().any(|u| u.building == h.building && u.unit == h.unit),
        }
    }
}

/// A matter put to the residents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matter {
    /// Unique in the plan, stable (`m-property`); a column of the register export.
    pub id: String,
    pub title_zh: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title_en: String,
    #[serde(default)]
    pub scope: Scope,
    /// The id of a rule: built in or the plan's own.
    pub rule: String,
    /// When voting opens and closes, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes: Option<String>,
    /// Items that may not go past 公示 (publicised) until the matter passes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<String>,
}

impl Matter {
    pub fn title(&self, lang: super::Lang) -> &str {
        match lang {
            super::Lang::En if !self.title_en.is_empty() => &self.title_en,
            _ => &self.title_zh,
        }
    }
}

/// A share: `num/den`, met by more than it (`strict`) or at least it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    pub num: u32,
    pub den: u32,
    #[serde(default)]
    pub strict: bool,
}

impl Share {
    /// True when `part` of `whole` meets the share (exact integer arithmetic).
    pub fn met(self, part: i64, whole: i64) -> bool {
        let (l, r) = (i128::from(part) * i128::from(self.den), i128::from(whole) * i128::from(self.num));
        if self.strict { l > r } else { l >= r }
    }

    /// The least `part` of `whole` that meets the share.
    pub fn least(self, whole: i64) -> i64 {
        let (n, d) = (i128::from(whole) * i128::from(self.num), i128::from(self.den.max(1)));
        let q = if self.strict { n / d + 1 } else { (n + d - 1) / d };
        q.clamp(0, i128::from(i64::MAX)) as i64
    }

    /// As a planner writes it: `> 1/2`, `≥ 2/3`.
    pub fn label(self) -> String {
        format!("{} {}/{}", if self.strict { ">" } else { "≥" }, self.num, self.den)
    }
}

/// What a rule's agreeing share is of.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Base {
    /// Every household (and all the area) in scope.
    #[default]
    Scope,
    /// The households (and area) that took part.
    Participants,
}

/// How a matter is decided: data, so a plan may add its own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub id: String,
    pub name_zh: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_zh: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_en: Option<String>,
    /// The share of households and of area in scope that must take part (both).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participation: Option<Share>,
    /// The share that must agree, by number and by area (both).
    pub agree: Share,
    #[serde(default)]
    pub agree_of: Base,
}

impl Rule {
    pub fn name(&self, lang: super::Lang) -> &str {
        match lang {
            super::Lang::En if !self.name_en.is_empty() => &self.name_en,
            _ => &self.name_zh,
        }
    }

    /// What is wrong with a rule a plan adds (empty: nothing).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.id.trim().is_empty() {
            out.push("a rule needs an id".to_string());
        }
        for (what, s) in [("agree", Some(self.agree)), ("participation", self.participation)] {
            if let Some(s) = s
                && (s.den == 0 || s.num > s.den)
            {
                out.push(format!("rule {}: {what} {}/{} is not a share between 0 and 1", self.id, s.num, s.den));
            }
        }
        out
    }
}

/// The residents' side of a plan: register, matters, the plan's own rules and the votes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Consent {
    /// By household id.
    #[serde(default, with = "by_id")]
    pub households: BTreeMap<String, Household>,
    /// In the order the planner keeps them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub matters: Vec<Matter>,
    /// Rules the plan adds to the built-in ones (same id: the plan's wins).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Rule>,
    /// By matter id, then household id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub votes: BTreeMap<String, BTreeMap<String, Vote>>,
    /// Where the register came from, said wherever it is shown (Jinsong's is illustrative).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Households are written as a list (a register reads top to bottom), kept by id.
mod by_id {
    use super::Household;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    pub fn serialize<S: Serializer>(m: &BTreeMap<String, Household>, s: S) -> Result<S::Ok, S::Error> {
        let mut v: Vec<&Household> = m.values().collect();
        v.sort_by(|a, b| super::register_order(a, b));
        v.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, Household>, D::Error> {
        let v = Vec::<Household>::deserialize(d)?;
        let mut m = BTreeMap::new();
        for h in v {
            let id = h.id.clone();
            if m.insert(id.clone(), h).is_some() {
                return Err(serde::de::Error::custom(format!("household {id} is listed twice")));
            }
        }
        Ok(m)
    }
}

/// Compares text as people number things: `2` before `10`, `b9` before `b10`.
pub fn natural(a: &str, b: &str) -> std::cmp::Ordering {
    fn parts(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        let bytes = s.as_bytes();
        for i in 1..=bytes.len() {
            if i == bytes.len() || bytes[i].is_ascii_digit() != bytes[i - 1].is_ascii_digit() {
                out.push((bytes[start].is_ascii_digit(), &s[start..i]));
                start = i;
            }
        }
        out
    }
    if a.is_empty() || b.is_empty() {
        return a.cmp(b);
    }
    let (pa, pb) = (parts(a), parts(b));
    for (x, y) in pa.iter().zip(&pb) {
        let o = match (x.0, y.0) {
            (true, true) => {
                let (tx, ty) = (x.1.trim_start_matches('0'), y.1.trim_start_matches('0'));
                tx.len().cmp(&ty.len()).then_with(|| tx.cmp(ty)).then_with(|| x.1.len().cmp(&y.1.len()))
            }
            _ => x.1.cmp(y.1),
        };
        if o.is_ne() {
            return o;
        }
    }
    pa.len().cmp(&pb.len())
}

/// The register's order: building, 单元, floor, room (numbers as numbers), then id.
pub fn register_order(a: &Household, b: &Household) -> std::cmp::Ordering {
    natural(&a.building, &b.building)
        .then_with(|| natural(&a.unit, &b.unit))
        .then_with(|| a.floor.cmp(&b.floor))
        .then_with(|| natural(&a.room, &b.room))
        .then_with(|| a.id.cmp(&b.id))
}

impl Consent {
    pub fn is_empty(&self) -> bool {
        self.households.is_empty() && self.matters.is_empty() && self.rules.is_empty() && self.votes.is_empty()
    }

    /// The households in register order.
    pub fn register(&self) -> Vec<&Household> {
        let mut v: Vec<&Household> = self.households.values().collect();
        v.sort_by(|a, b| register_order(a, b));
        v
    }

    /// The households of a building in register order.
    pub fn of_building(&self, building: &str) -> Vec<&Household> {
        let mut v: Vec<&Household> = self.households.values().filter(|h| h.building == building).collect();
        v.sort_by(|a, b| register_order(a, b));
        v
    }

    /// The 单元s of a building, in order.
    pub fn units_of(&self, building: &str) -> Vec<String> {
        let mut v: Vec<String> =
            self.households.values().filter(|h| h.building == building).map(|h| h.unit.clone()).collect();
        v.sort_by(|a, b| natural(a, b));
        v.dedup();
        v
    }

    pub fn matter(&self, id: &str) -> Option<&Matter> {
        self.matters.iter().find(|m| m.id == id)
    }

    /// A rule by id: the plan's own first, then the built-in ones.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id).or_else(|| builtin_rules().iter().find(|r| r.id == id))
    }

    /// Every rule a matter may take: built-in ones (unless the plan replaces one) then the plan's.
    pub fn all_rules(&self) -> Vec<&Rule> {
        let mut v: Vec<&Rule> = builtin_rules().iter().filter(|b| !self.rules.iter().any(|r| r.id == b.id)).collect();
        v.extend(self.rules.iter());
        v
    }

    pub fn vote(&self, matter: &str, household: &str) -> Option<&Vote> {
        self.votes.get(matter)?.get(household)
    }

    /// A fresh matter id.
    pub fn new_matter_id(&self) -> String {
        (self.matters.len() + 1..)
            .map(|n| format!("m-{n}"))
            .find(|id| self.matter(id).is_none())
            .unwrap_or_else(|| "m-new".into())
    }

    /// Every household of the register: how many, and their area.
    pub fn total(&self) -> Count {
        let mut c = Count::default();
        for h in self.households.values() {
            c.add(h);
        }
        c
    }
}

/// Households and area (hundredths of m²).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Count {
    pub households: u64,
    pub area_centi: i64,
}

impl Count {
    fn add(&mut self, h: &Household) {
        self.households += 1;
        self.area_centi = self.area_centi.saturating_add(h.area_centi());
    }

    pub fn area_m2(&self) -> f64 {
        self.area_centi as f64 / 100.0
    }
}

/// Which condition of a rule is not met.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Not enough households or area took part.
    Participation,
    /// Not enough agreed.
    Agreement,
}

/// What a matter still needs: so many more households and so much more area (either may be 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shortfall {
    pub stage: Stage,
    pub households: u64,
    pub area_centi: i64,
}

impl Shortfall {
    pub fn area_m2(&self) -> f64 {
        self.area_centi as f64 / 100.0
    }
}

/// A matter counted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// In scope.
    pub scope: Count,
    /// Took part: agree + disagree + abstain.
    pub voted: Count,
    pub agree: Count,
    pub disagree: Count,
    pub abstain: Count,
    pub passed: bool,
    /// Empty when passed, or when nobody is in scope (such a matter cannot pass).
    pub missing: Vec<Shortfall>,
    /// False when the matter names a rule the plan does not have (it cannot pass).
    pub rule_known: bool,
}

impl Tally {
    /// The agreeing share of households (0–1) the theme colours by: of the participants
    /// when the rule counts agreement among them, else of everyone in scope.
    pub fn agree_share(&self, base: Base) -> f64 {
        let whole = match base {
            Base::Scope => self.scope.households,
            Base::Participants => self.voted.households,
        };
        if whole == 0 { 0.0 } else { self.agree.households as f64 / whole as f64 }
    }
}

/// Households in ascending id order (as `Consent::households` keeps them), each with its vote: the
/// votes, kept in the same order, are walked beside them instead of looked up one by one.
fn with_votes<'a>(
    households: impl IntoIterator<Item = &'a Household>,
    votes: Option<&'a BTreeMap<String, Vote>>,
) -> impl Iterator<Item = (&'a Household, Option<Choice>)> {
    let mut on = votes.into_iter().flatten().peekable();
    households.into_iter().map(move |h| {
        while on.next_if(|(id, _)| id.as_str() < h.id.as_str()).is_some() {}
        (h, on.next_if(|(id, _)| **id == h.id).map(|(_, v)| v.vote))
    })
}

impl Tally {
    fn add(&mut self, h: &Household, vote: Option<Choice>) {
        self.scope.add(h);
        if let Some(c) = vote {
            self.voted.add(h);
            match c {
                Choice::Agree => self.agree.add(h),
                Choice::Disagree => self.disagree.add(h),
                Choice::Abstain => self.abstain.add(h),
            }
        }
    }
}

/// Whether the counted households pass `rule`, and what they miss.
fn decide(mut t: Tally, rule: Option<&Rule>) -> Tally {
    let Some(rule) = rule else { return t };
    if t.scope.households == 0 {
        return t;
    }
    let scope_h = t.scope.households as i64;
    let mut missing = Vec::new();
    if let Some(p) = rule.participation {
        let need_h = (p.least(scope_h) - t.voted.households as i64).max(0);
        let need_a = (p.least(t.scope.area_centi) - t.voted.area_centi).max(0);
        if need_h > 0 || need_a > 0 {
            missing.push(Shortfall { stage: Stage::Participation, households: need_h as u64, area_centi: need_a });
        }
    }
    let (need_h, need_a) = match rule.agree_of {
        Base::Scope => (
            (rule.agree.least(scope_h) - t.agree.households as i64).max(0),
            (rule.agree.least(t.scope.area_centi) - t.agree.area_centi).max(0),
        ),
        Base::Participants => (
            more_agreeing(rule.agree, t.agree.households as i64, t.voted.households as i64),
            more_agreeing(rule.agree, t.agree.area_centi, t.voted.area_centi),
        ),
    };
    if need_h > 0 || need_a > 0 {
        missing.push(Shortfall { stage: Stage::Agreement, households: need_h as u64, area_centi: need_a });
    }
    // Agreement among participants needs someone to take part at all.
    let nobody = rule.agree_of == Base::Participants && t.voted.households == 0;
    t.passed = missing.is_empty() && !nobody;
    if nobody && missing.is_empty() {
        missing.push(Shortfall { stage: Stage::Agreement, households: 1, area_centi: 0 });
    }
    t.missing = missing;
    t
}

/// How many more of those taking part must agree for `agree` of `voted` to meet `share`: the least
/// that can pass it, by participants who disagreed or abstained changing their answer (a household
/// not yet voting who comes to agree counts towards the participants too, so needs more).
fn more_agreeing(share: Share, agree: i64, voted: i64) -> i64 {
    (share.least(voted) - agree).max(0)
}

/// Counts a matter of a plan's consent.
pub fn tally(consent: &Consent, matter: &Matter) -> Tally {
    let rule = consent.rule(&matter.rule);
    let mut t = Tally { rule_known: rule.is_some(), ..Tally::default() };
    let in_scope = consent.households.values().filter(|h| matter.scope.contains(h));
    for (h, v) in with_votes(in_scope, consent.votes.get(&matter.id)) {
        t.add(h, v);
    }
    decide(t, rule)
}

/// A matter counted per building (`unit` `None`) or per 单元, for the consent map and the notice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupTally {
    pub building: String,
    pub unit: Option<String>,
    pub tally: Tally,
}

/// A matter counted per building of its scope, in register order; with `units`, per 单元.
pub fn tally_by(consent: &Consent, matter: &Matter, units: bool) -> Vec<GroupTally> {
    let rule = consent.rule(&matter.rule);
    let votes = consent.votes.get(&matter.id);
    // One walk over the register beside the votes, each household added to its group.
    let mut groups: std::collections::HashMap<(&str, Option<&str>), Tally> = Default::default();
    for (h, v) in with_votes(consent.households.values().filter(|h| matter.scope.contains(h)), votes) {
        groups.entry((h.building.as_str(), units.then_some(h.unit.as_str()))).or_default().add(h, v);
    }
    let mut out: Vec<GroupTally> = groups
        .into_iter()
        .map(|((building, unit), t)| GroupTally {
            building: building.to_string(),
            unit: unit.map(str::to_string),
            tally: decide(Tally { rule_known: rule.is_some(), ..t }, rule),
        })
        .collect();
    out.sort_by(|a, b| {
        natural(&a.building, &b.building)
            .then_with(|| natural(a.unit.as_deref().unwrap_or(""), b.unit.as_deref().unwrap_or("")))
    });
    out
}

/// The matters linked to an item that have not passed: while any is left, the
/// item may not go past 公示 (publicised) without a recorded override.
pub fn holding_up<'a>(consent: &'a Consent, item: &str) -> Vec<&'a Matter> {
    consent.matters.iter().filter(|m| m.items.iter().any(|i| i == item) && !tally(consent, m).passed).collect()
}

/// A building's size for generating its households: households, floors and 单元s.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BuildingSize {
    pub households: u32,
    pub floors: u32,
    /// `None`: about two households a floor in each 单元.
    pub units: Option<u32>,
    /// The building's floor area, m² (`None`: 55 m² a household).
    pub floor_area_m2: Option<f64>,
}

/// A starting register for one building, to be corrected: households spread
/// evenly over 单元 × floors (rooms `301`, `302` …), the floor area shared out
/// (alternate flats a little larger and smaller, as in 1970s slabs), owner
/// types mostly private with some public tenants and work units. Integer
/// arithmetic throughout, so `tools/make_jinsong.py` makes the same register.
pub fn generate(building: &str, size: BuildingSize) -> Vec<Household> {
    let h = size.households.min(100_000);
    if h == 0 {
        return Vec::new();
    }
    let floors = size.floors.clamp(1, 200);
    let units = size.units.unwrap_or((h + floors) / (2 * floors)).clamp(1, 1000);
    let slots = units * floors;
    let (base, extra) = (h / slots, h % slots);
    // Rooms 301, 302 …; a floor with 100 flats or more numbers them 3001 … so none repeats.
    let step = 10u32.pow((base + u32::from(extra > 0)).to_string().len().max(2) as u32);
    let mut out = Vec::with_capacity(h as usize);
    let mut weights = Vec::with_capacity(h as usize);
    for u in 1..=units {
        for f in 1..=floors {
            let s = (u - 1) * floors + (f - 1);
            let rooms = base + u32::from(s < extra);
            for n in 1..=rooms {
                let room = format!("{}", f * step + n);
                out.push(Household {
                    id: format!("{building}-{u}-{room}"),
                    building: building.to_string(),
                    unit: u.to_string(),
                    floor: f as i32,
                    room,
                    area_m2: 0.0,
                    owner_type: OwnerType::Private,
                    owner_name: None,
                    phone: None,
                });
                weights.push(if n % 2 == 1 { 11i64 } else { 9 });
            }
        }
    }
    // Areas in tenths of a square metre, summing to the building's exactly.
    let total = match size.floor_area_m2 {
        Some(a) if a.is_finite() && a > 0.0 => (a * 10.0).round().min(1e15) as i64,
        _ => i64::from(h) * 550,
    };
    let w: i64 = weights.iter().sum();
    let mut given = 0;
    let shares: Vec<i64> = weights.iter().map(|x| total * x / w).collect();
    given += shares.iter().sum::<i64>();
    let mut rest = total - given;
    for (i, (hh, share)) in out.iter_mut().zip(shares).enumerate() {
        let bump = i64::from(rest > 0);
        rest -= bump;
        hh.area_m2 = (share + bump) as f64 / 10.0;
        hh.owner_type = match i {
            i if i % 20 == 7 => OwnerType::Institution,
            i if i % 7 == 3 => OwnerType::PublicTenant,
            _ => OwnerType::Private,
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn households(areas: &[f64]) -> Vec<Household> {
        areas
            .iter()
            .enumerate()
            .map(|(i, a)| Household {
                id: format!("h{i}"),
                building: "b1".into(),
                unit: "1".into(),
                floor: 1,
                room: format!("{}", 101 + i),
                area_m2: *a,
                owner_type: OwnerType::Private,
                owner_name: None,
                phone: None,
            })
            .collect()
    }

    fn votes(choices: &[Option<Choice>]) -> BTreeMap<String, Vote> {
        choices
            .iter()
            .enumerate()
            .filter_map(|(i, c)| Some((format!("h{i}"), Vote { vote: (*c)?, date: None, method: None })))
            .collect()
    }

    fn rule(id: &str) -> &'static Rule {
        builtin_rules().iter().find(|r| r.id == id).expect("a built-in rule")
    }

    use Choice::{Abstain as X, Agree as A, Disagree as D};

    /// Counts `households` (those of a matter's scope) under `rule`, each vote looked up: what
    /// [`tally`]'s walk beside the votes must equal.
    fn count<'a>(
        households: impl IntoIterator<Item = &'a Household>,
        votes: Option<&BTreeMap<String, Vote>>,
        rule: Option<&Rule>,
    ) -> Tally {
        let mut t = Tally { rule_known: rule.is_some(), ..Tally::default() };
        for h in households {
            t.add(h, votes.and_then(|v| v.get(&h.id)).map(|v| v.vote));
        }
        decide(t, rule)
    }

    #[test]
    fn the_four_rules_are_built_in() {
        let ids: Vec<&str> = builtin_rules().iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["double_majority", "civil_code_general", "civil_code_major", "unanimous"]);
        assert!(builtin_rules().iter().all(|r| r.problems().is_empty()));
    }

    #[test]
    fn double_majority_needs_more_than_half_of_households_and_of_area() {
        let hs = households(&[50.0, 50.0, 50.0, 50.0]);
        let r = Some(rule("double_majority"));
        // Exactly half is not more than half.
        let t = count(&hs, Some(&votes(&[Some(A), Some(A), None, None])), r);
        assert!(!t.passed);
        assert_eq!(t.missing, [Shortfall { stage: Stage::Agreement, households: 1, area_centi: 1 }]);
        let t = count(&hs, Some(&votes(&[Some(A), Some(A), Some(A), None])), r);
        assert!(t.passed, "{t:?}");
        // Three of four households, but they hold only half the area.
        let hs = households(&[30.0, 30.0, 40.0, 100.0]);
        let t = count(&hs, Some(&votes(&[Some(A), Some(A), Some(A), Some(D)])), r);
        assert!(!t.passed);
        assert_eq!(t.missing, [Shortfall { stage: Stage::Agreement, households: 0, area_centi: 1 }]);
        assert_eq!((t.scope.area_m2(), t.agree.area_m2()), (200.0, 100.0));
    }

    #[test]
    fn civil_code_general_needs_two_thirds_taking_part_and_more_than_half_of_them() {
        let hs = households(&[60.0; 6]);
        let r = Some(rule("civil_code_general"));
        // 4 of 6 take part (exactly ⅔: enough), 3 of the 4 agree.
        let t = count(&hs, Some(&votes(&[Some(A), Some(A), Some(A), Some(D), None, None])), r);
        assert!(t.passed, "{t:?}");
        // 3 of 6 take part: one more household and 60 m² more must.
        let t = count(&hs, Some(&votes(&[Some(A), Some(A), Some(A), None, None, None])), r);
        assert!(!t.passed);
        assert_eq!(t.missing, [Shortfall { stage: Stage::Participation, households: 1, area_centi: 6000 }]);
        // 4 take part, 2 agree: half of the participants is not more than half; abstaining takes part.
        let t = count(&hs, Some(&votes(&[Some(A), Some(A), Some(X), Some(D), None, None])), r);
        assert!(!t.passed);
        assert_eq!(t.voted.households, 4);
        // One more of the four agreeing: 3 of 4.
        assert_eq!(t.missing, [Shortfall { stage: Stage::Agreement, households: 1, area_centi: 1 }]);
    }

    #[test]
    fn civil_code_major_needs_three_quarters_of_the_participants() {
        let hs = households(&[50.0; 8]);
        let r = Some(rule("civil_code_major"));
        // 8 take part, 6 agree: exactly ¾, which is enough.
        let t = count(&hs, Some(&votes(&[Some(A), Some(A), Some(A), Some(A), Some(A), Some(A), Some(D), Some(X)])), r);
        assert!(t.passed, "{t:?}");
        // 5 of 8 agree and everyone has voted: one of the others changing to agree makes 6 of 8 = ¾.
        let t = count(&hs, Some(&votes(&[Some(A), Some(A), Some(A), Some(A), Some(A), Some(D), Some(D), Some(X)])), r);
        assert!(!t.passed);
        assert_eq!(t.missing, [Shortfall { stage: Stage::Agreement, households: 1, area_centi: 5000 }]);
        // 5 of 8 take part (< ⅔ = 5.33): participation is short by one household.
        let t = count(&hs, Some(&votes(&[Some(A), Some(A), Some(A), Some(A), Some(A), None, None, None])), r);
        assert!(!t.passed);
        assert_eq!(t.missing, [Shortfall { stage: Stage::Participation, households: 1, area_centi: 1667 }]);
    }

    #[test]
    fn unanimous_needs_every_household() {
        let hs = households(&[50.0; 3]);
        let r = Some(rule("unanimous"));
        assert!(count(&hs, Some(&votes(&[Some(A), Some(A), Some(A)])), r).passed);
        let t = count(&hs, Some(&votes(&[Some(A), Some(A), Some(X)])), r);
        assert!(!t.passed);
        assert_eq!(t.missing, [Shortfall { stage: Stage::Agreement, households: 1, area_centi: 5000 }]);
    }

    #[test]
    fn nobody_in_scope_never_passes() {
        for r in builtin_rules() {
            let t = count(&[], None, Some(r));
            assert!(!t.passed, "{}", r.id);
            assert_eq!(t.scope, Count::default());
        }
        // An unknown rule cannot pass either.
        let hs = households(&[50.0]);
        let t = count(&hs, Some(&votes(&[Some(A)])), None);
        assert!(!t.passed && !t.rule_known);
    }

    #[test]
    fn shares_compare_exactly() {
        let half = Share { num: 1, den: 2, strict: true };
        assert!(!half.met(1, 2) && half.met(2, 3) && half.least(4) == 3 && half.least(5) == 3);
        let two_thirds = Share { num: 2, den: 3, strict: false };
        assert!(two_thirds.met(2, 3) && !two_thirds.met(3, 5) && two_thirds.least(6) == 4 && two_thirds.least(7) == 5);
        assert!(two_thirds.met(i64::MAX, i64::MAX), "no overflow");
        assert_eq!(centi(f64::NAN), 0);
        assert_eq!(centi(-3.0), 0);
    }

    #[test]
    fn generated_households_share_the_building_and_its_area() {
        let hs =
            generate("b101", BuildingSize { households: 101, floors: 6, units: None, floor_area_m2: Some(6050.0) });
        assert_eq!(hs.len(), 101);
        let units: std::collections::BTreeSet<&str> = hs.iter().map(|h| h.unit.as_str()).collect();
        assert_eq!(units.len(), 8, "about two flats a floor in each 单元");
        let total: i64 = hs.iter().map(|h| (h.area_m2 * 10.0).round() as i64).sum();
        assert_eq!(total, 60500);
        let ids: std::collections::BTreeSet<&str> = hs.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids.len(), 101);
        assert_eq!(hs[0].id, "b101-1-101");
        assert!(hs.iter().all(|h| (1..=6).contains(&h.floor)));
        assert!(hs.iter().any(|h| h.owner_type == OwnerType::PublicTenant));
        assert!(generate("x", BuildingSize { households: 0, floors: 6, units: None, floor_area_m2: None }).is_empty());
        // A floor of a 单元 with 100 flats or more: every room and household still its own.
        for (households, floors) in [(150, 1), (1000, 3), (99, 1), (100, 1)] {
            let hs = generate("x", BuildingSize { households, floors, units: Some(1), floor_area_m2: None });
            let rooms: std::collections::BTreeSet<&str> = hs.iter().map(|h| h.room.as_str()).collect();
            assert_eq!(rooms.len(), households as usize, "{households} on {floors} floors");
            assert!(hs.iter().all(|h| h.room.starts_with(&h.floor.to_string())), "the floor leads its rooms");
        }
        let one = generate("x", BuildingSize { households: 1, floors: 0, units: Some(0), floor_area_m2: None });
        assert_eq!((one.len(), one[0].area_m2), (1, 55.0));
    }

    #[test]
    fn counting_beside_the_votes_equals_looking_each_up() {
        let mut c = Consent::default();
        for b in ["b1", "b2", "b10"] {
            let size = BuildingSize { households: 37, floors: 5, units: None, floor_area_m2: Some(2000.0) };
            for h in generate(b, size) {
                c.households.insert(h.id.clone(), h);
            }
        }
        let ids: Vec<String> = c.households.keys().cloned().collect();
        let on = c.votes.entry("m".into()).or_default();
        for (i, id) in ids.iter().enumerate() {
            let vote = [Some(A), Some(D), None, Some(X), Some(A)][i % 5];
            if let Some(vote) = vote {
                on.insert(id.clone(), Vote { vote, date: None, method: None });
            }
        }
        // Votes of households no longer in the register, before, between and after them.
        for orphan in ["a", "b1-1-1015", "b2-0", "zz"] {
            on.insert(orphan.into(), Vote { vote: A, date: None, method: None });
        }
        for scope in [
            Scope::District,
            Scope::Buildings { buildings: vec!["b2".into()] },
            Scope::Units { units: vec![UnitRef { building: "b10".into(), unit: "2".into() }] },
        ] {
            let m = Matter {
                id: "m".into(),
                title_zh: "t".into(),
                title_en: String::new(),
                scope,
                rule: "civil_code_general".into(),
                opens: None,
                closes: None,
                items: Vec::new(),
            };
            let looked_up =
                count(c.households.values().filter(|h| m.scope.contains(h)), c.votes.get("m"), c.rule(&m.rule));
            assert_eq!(tally(&c, &m), looked_up, "{:?}", m.scope);
            assert!(looked_up.voted.households > 0);
            let by: u64 = tally_by(&c, &m, true).iter().map(|g| g.tally.agree.households).sum();
            assert_eq!(by, looked_up.agree.households);
        }
    }

    #[test]
    fn natural_order_counts_numbers_as_numbers() {
        assert!(natural("b9", "b10").is_lt());
        assert!(natural("2", "10").is_lt());
        assert!(natural("b101", "b101").is_eq());
        assert!(natural("", "1").is_lt());
    }

    #[test]
    fn a_vote_cycles_through_every_answer_and_back() {
        let mut v = None;
        let mut seen = Vec::new();
        for _ in 0..4 {
            v = Choice::cycle(v);
            seen.push(v);
        }
        assert_eq!(seen, [Some(A), Some(D), Some(X), None]);
        assert_eq!(Choice::parse("同意"), Ok(Some(A)));
        assert_eq!(Choice::parse(""), Ok(None));
        assert!(Choice::parse("yes").is_err());
    }
}
