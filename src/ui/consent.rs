//! The residents' consent panel (居民表决): the plan's matters with their rules
//! and live results (households and area in scope, taking part, agreeing,
//! passed or not, and what is still missing, worded for a planner), the
//! forms that add and change matters and the plan's own rules, the register
//! of the selected building, and the vote grid (`ui::vote_grid`).
//!
//! Like every panel it reads the document through [`View`] and returns
//! [`Action`]s: each change is one undoable edit (`PutMatter`, `PutRule`,
//! `PutHousehold`, `SetConsent`, `SetVotes`). Its words are its own (`tr`),
//! Chinese and English side by side.

use eframe::egui::{self, Color32, RichText};

use super::action::Action;
use super::theme::{ERROR, OK};
use super::view::{View, Window};
use crate::edit::{Edit, EditLabel};
use crate::i18n::Lang;
use crate::model::consent::{
    Base, BuildingSize, Consent, Household, Matter, OwnerType, Rule, Scope, Share, Tally, UnitRef, generate, natural,
    register_order, tally,
};
use crate::model::item::{is_date, today};
use crate::model::{FeatureId, Kind, Plan};

/// Chinese or English, as the window is shown.
pub(super) fn tr(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// The panel's title (menu, window).
pub fn title(lang: Lang) -> &'static str {
    tr(lang, "居民表决", "Residents' consent")
}

/// What the consent window, the vote grid, the dashboard and the item guard read every frame, worked
/// out once per document state (an edit, undo or another plan works it out again) and shared through
/// the context's memory: a frame then costs the same with 100 households or 100,000.
pub(super) struct Counted {
    stamp: (u64, u64),
    /// Each matter's tally, in the plan's order of matters.
    tallies: Vec<(String, Tally)>,
    /// The register's floor area, hundredths of m².
    pub area_centi: i64,
    /// Each building's households (ids) in register order.
    households: std::collections::HashMap<String, Vec<String>>,
    /// The buildings with households, in natural order (`b2` before `b10`).
    pub buildings: Vec<String>,
}

impl Counted {
    fn new(stamp: (u64, u64), c: &Consent) -> Counted {
        let tallies = c.matters.iter().map(|m| (m.id.clone(), tally(c, m))).collect();
        let mut area_centi = 0;
        let mut of: std::collections::HashMap<&str, Vec<&Household>> = Default::default();
        for h in c.households.values() {
            area_centi += (h.area_m2.max(0.0) * 100.0).round() as i64;
            of.entry(h.building.as_str()).or_default().push(h);
        }
        let mut buildings: Vec<String> = of.keys().map(|b| b.to_string()).collect();
        buildings.sort_by(|a, b| natural(a, b));
        let households = of
            .into_iter()
            .map(|(b, mut hs)| {
                hs.sort_by(|a, b| register_order(a, b));
                (b.to_string(), hs.into_iter().map(|h| h.id.clone()).collect())
            })
            .collect();
        Counted { stamp, tallies, area_centi, households, buildings }
    }

    /// The matters' tallies, by matter id.
    pub fn tallies(&self) -> &[(String, Tally)] {
        &self.tallies
    }

    /// A matter's tally.
    pub fn tally(&self, matter: &str) -> Option<&Tally> {
        self.tallies.iter().find(|(id, _)| id == matter).map(|(_, t)| t)
    }

    /// A building's 单元s in order (`Consent::units_of`, without walking the register).
    pub fn units_of(&self, consent: &Consent, building: &str) -> Vec<String> {
        let mut units: Vec<String> = self.of_building(consent, building).map(|h| h.unit.clone()).collect();
        units.dedup();
        units
    }

    /// Whether a building has households.
    pub fn has_households(&self, building: &str) -> bool {
        self.households.contains_key(building)
    }

    /// A building's households in register order (`Consent::of_building`, without walking the register).
    pub fn of_building<'a>(&'a self, consent: &'a Consent, building: &str) -> impl Iterator<Item = &'a Household> {
        let ids = self.households.get(building).map(Vec::as_slice).unwrap_or_default();
        ids.iter().filter_map(|id| consent.households.get(id))
    }
}

/// The consent counts of the document shown ([`Counted`]), worked out when it has changed.
pub(super) fn counted(ctx: &egui::Context, v: &View) -> std::sync::Arc<Counted> {
    let id = egui::Id::unique("consent_counted");
    let stamp = v.doc.stamp();
    if let Some(c) = ctx.data(|d| d.get_temp::<std::sync::Arc<Counted>>(id))
        && c.stamp == stamp
    {
        return c;
    }
    let c = std::sync::Arc::new(Counted::new(stamp, &v.doc.plan().consent));
    ctx.data_mut(|d| d.insert_temp(id, c.clone()));
    c
}

/// The consent window's keys, for Help → Shortcuts.
pub fn shortcuts_text(lang: Lang) -> &'static str {
    tr(
        lang,
        "Ctrl+Shift+C：居民表决\n投票表（点过格子之后）：方向键移动，A 同意，D 不同意，X 弃权，0 / Delete 清除，空格轮换，Esc 退出",
        "Ctrl+Shift+C: residents' consent\nVote grid (after a click in it): arrows move, A agree, D disagree, X abstain, 0 / Delete clear, Space cycles, Esc leaves",
    )
}

/// The panel's own state.
#[derive(Default)]
pub struct ConsentState {
    pub grid: super::vote_grid::GridState,
    matter_form: Option<MatterForm>,
    rule_form: Option<RuleForm>,
    household_form: Option<HouseholdForm>,
    /// Owner names and phones are shown (never exported).
    show_personal: bool,
    /// What the last register action did ("made 108 households for 1 building").
    message: Option<String>,
}

pub(super) use crate::i18n::area_m2 as m2;

fn pct(part: i64, whole: i64) -> String {
    if whole <= 0 { "—".into() } else { format!("{:.1}%", part as f64 * 100.0 / whole as f64) }
}

/// A form row: a label and the one-line text field it names (the name a screen reader and a test find).
fn text_row(ui: &mut egui::Ui, label: &str, text: &mut String, width: f32) {
    let l = ui.label(label);
    ui.add(egui::TextEdit::singleline(text).desired_width(width)).labelled_by(l.id);
    ui.end_row();
}

/// The result lines of a tally, one a row: what the panel and the grid show.
pub(super) fn result_rows(
    t: &Tally,
    base: crate::model::consent::Base,
    lang: Lang,
) -> Vec<(&'static str, String, String)> {
    let row = |c: &crate::model::consent::Count| match lang {
        Lang::Zh => format!("{} 户 · {} m²", c.households, m2(c.area_centi)),
        Lang::En => {
            format!("{} household{} · {} m²", c.households, if c.households == 1 { "" } else { "s" }, m2(c.area_centi))
        }
    };
    let share = |c: &crate::model::consent::Count, of: &crate::model::consent::Count| {
        format!("{} / {}", pct(c.households as i64, of.households as i64), pct(c.area_centi, of.area_centi))
    };
    vec![
        (tr(lang, "范围内", "In scope"), row(&t.scope), String::new()),
        (tr(lang, "参与表决", "Taking part"), row(&t.voted), share(&t.voted, &t.scope)),
        // The agreeing share is of what the rule counts it of: everyone in scope (双过半) or the participants.
        (
            tr(lang, "同意", "Agree"),
            row(&t.agree),
            share(&t.agree, if base == crate::model::consent::Base::Scope { &t.scope } else { &t.voted }),
        ),
        (tr(lang, "不同意", "Disagree"), row(&t.disagree), share(&t.disagree, &t.voted)),
        (tr(lang, "弃权", "Abstain"), row(&t.abstain), share(&t.abstain, &t.voted)),
    ]
}

/// "通过" / "未通过".
pub(super) fn passed_text(passed: bool, lang: Lang) -> &'static str {
    if passed { tr(lang, "已通过", "Passed") } else { tr(lang, "未通过", "Not passed") }
}

/// A matter's live result: counts, shares, pass/fail and what is missing.
pub(super) fn result_block(ui: &mut egui::Ui, consent: &Consent, matter: &Matter, t: &Tally, lang: Lang) {
    let rule = consent.rule(&matter.rule);
    match rule {
        Some(r) => {
            ui.label(RichText::new(format!("{}: {}", tr(lang, "规则", "Rule"), r.name(lang))).strong());
            ui.label(RichText::new(lang.consent_words().rule_terms(r)).small().weak());
        }
        None => {
            ui.colored_label(ERROR, format!("{} {}", tr(lang, "没有这条规则：", "No such rule:"), matter.rule));
        }
    }
    egui::Grid::new(("consent_result", &matter.id)).num_columns(3).spacing([12.0, 2.0]).striped(true).show(ui, |ui| {
        let base = consent.rule(&matter.rule).map(|r| r.agree_of).unwrap_or_default();
        for (what, counts, share) in result_rows(t, base, lang) {
            ui.label(what);
            ui.label(counts);
            ui.label(RichText::new(share).weak());
            ui.end_row();
        }
    });
    let verdict = format!("{}{}", tr(lang, "表决结果：", "Result: "), passed_text(t.passed, lang));
    ui.label(RichText::new(verdict).strong().color(if t.passed { OK } else { ERROR }));
    let base = rule.map(|r| r.agree_of).unwrap_or_default();
    for sf in &t.missing {
        ui.colored_label(Color32::from_rgb(190, 110, 0), lang.consent_words().shortfall(sf, base));
    }
    if t.scope.households == 0 {
        ui.label(
            RichText::new(tr(
                lang,
                "范围内没有登记住户，不能通过。",
                "No registered household in scope: it cannot pass.",
            ))
            .weak(),
        );
    }
}

/// The consent panel (a window: View → 居民表决, Ctrl+Shift+C).
pub fn window(ctx: &egui::Context, st: &mut ConsentState, v: &View) -> Vec<Action> {
    let mut out = Vec::new();
    let lang = v.lang;
    let mut open = true;
    // Over the inspector, at the right: the map stays free for clicking the buildings whose grid it shows.
    let screen = ctx.content_rect();
    let width = 480.0_f32.min(screen.width() - 16.0);
    let shown = egui::Window::new(title(lang))
        .id(egui::Id::unique("consent_window"))
        .open(&mut open)
        .default_pos([screen.right() - width - 8.0, 60.0])
        .default_size([width, (screen.height() - 110.0).clamp(420.0, 900.0)])
        .vscroll(true)
        .show(ctx, |ui| panel(ui, st, v, &mut out));
    if shown.is_some_and(|r| r.inner.is_none()) {
        // Collapsed: the grid is out of sight, so its keys are the window's again.
        st.grid.active = false;
    }
    if !open {
        st.grid.active = false;
        out.push(Action::ShowWindow(Window::Consent, false));
    }
    out
}

fn panel(ui: &mut egui::Ui, st: &mut ConsentState, v: &View, out: &mut Vec<Action>) {
    let lang = v.lang;
    let plan = v.doc.plan();
    let consent = &plan.consent;
    if let Some(note) = &consent.note {
        ui.label(RichText::new(note).small().italics().color(Color32::from_rgb(150, 100, 0)));
    }
    let counted = counted(ui.ctx(), v);
    summary_line(ui, consent, &counted, lang);
    ui.separator();

    // The matters, each with its rule and whether it passed; a click puts one in focus.
    ui.horizontal(|ui| {
        ui.label(RichText::new(tr(lang, "表决事项", "Matters")).strong());
        if ui.button(tr(lang, "新建事项…", "New matter…")).clicked() {
            st.matter_form = Some(MatterForm::new(consent, None, v));
        }
    });
    egui::ScrollArea::vertical().id_salt("matters").max_height(150.0).show(ui, |ui| {
        for m in &consent.matters {
            let passed = counted.tally(&m.id).is_some_and(|t| t.passed);
            ui.horizontal_wrapped(|ui| {
                let chip = RichText::new(if passed {
                    tr(lang, "通过", "passed")
                } else {
                    tr(lang, "未通过", "not passed")
                })
                .small()
                .color(Color32::WHITE)
                .background_color(if passed { OK } else { ERROR });
                ui.label(chip);
                let focused = v.consent_matter == Some(m.id.as_str());
                if ui.selectable_label(focused, m.title(lang)).clicked() {
                    out.push(Action::FocusMatter(Some(m.id.clone())));
                }
                let rule = consent.rule(&m.rule).map(|r| r.name(lang).to_string()).unwrap_or_else(|| m.rule.clone());
                ui.label(RichText::new(rule).small().weak());
            });
        }
        if consent.matters.is_empty() {
            ui.label(RichText::new(tr(lang, "还没有表决事项。", "No matters yet.")).weak());
        }
    });
    ui.separator();

    // The matter in focus: its result, and the buttons that change it.
    let focused = v.consent_matter.and_then(|id| consent.matter(id));
    if let Some(m) = focused {
        ui.horizontal_wrapped(|ui| {
            ui.heading(m.title(lang));
            if ui.button(tr(lang, "编辑事项…", "Edit matter…")).clicked() {
                st.matter_form = Some(MatterForm::new(consent, Some(m), v));
            }
            if ui
                .button(tr(lang, "导出公示 PDF…", "Public notice PDF…"))
                .on_hover_text(tr(
                    lang,
                    "表决结果公示：规则、户数与面积、通过与否、各楼（单元）情况；不含个人信息",
                    "The result for a public notice: rule, households and area, passed or not, each building (单元); no personal data",
                ))
                .clicked()
            {
                out.push(Action::ExportNotice(m.id.clone()));
            }
        });
        ui.label(RichText::new(scope_text(&m.scope, plan, lang)).small());
        if m.opens.is_some() || m.closes.is_some() {
            ui.label(
                RichText::new(format!(
                    "{} {} — {}",
                    tr(lang, "表决期", "Voting"),
                    m.opens.as_deref().unwrap_or("…"),
                    m.closes.as_deref().unwrap_or("…")
                ))
                .small(),
            );
        }
        if !m.items.is_empty() {
            let names: Vec<String> = m
                .items
                .iter()
                .map(|i| {
                    plan.items.get(i).map(|it| it.display_name(plan, lang).to_string()).unwrap_or_else(|| i.clone())
                })
                .collect();
            ui.label(
                RichText::new(format!(
                    "{} {}",
                    tr(lang, "关联项目：", "Linked items:"),
                    names.join(tr(lang, "、", ", "))
                ))
                .small(),
            );
        }
    }
    if let Some(form) = st.matter_form.as_mut() {
        ui.separator();
        if matter_form(ui, form, v, &counted, out) {
            st.matter_form = None;
        }
        ui.separator();
    }
    if let Some(m) = focused
        && let Some(t) = counted.tally(&m.id)
    {
        result_block(ui, consent, m, t, lang);
    }
    ui.separator();
    // The vote grid of the selected building, for the matter in focus.
    if let Some(m) = focused {
        out.extend(super::vote_grid::section(ui, &mut st.grid, v, m, &counted));
        ui.separator();
    }
    egui::CollapsingHeader::new(tr(lang, "住户登记", "Register"))
        .id_salt("consent_register")
        .default_open(false)
        .show(ui, |ui| register_section(ui, st, v, &counted, out));
    egui::CollapsingHeader::new(tr(lang, "表决规则", "Rules"))
        .id_salt("consent_rules")
        .default_open(false)
        .show(ui, |ui| rules_section(ui, st, v, out));
}

/// Households and area registered, matters passed and not: the panel's first line and the dashboard's strip.
pub(super) fn summary_line(ui: &mut egui::Ui, consent: &Consent, counted: &Counted, lang: Lang) {
    let (tallies, area) = (counted.tallies(), counted.area_centi);
    let passed = tallies.iter().filter(|(_, t)| t.passed).count();
    let text = match lang {
        Lang::Zh => format!(
            "登记 {} 户 · {} m²；事项 {} 项：通过 {}，未通过 {}",
            consent.households.len(),
            m2(area),
            tallies.len(),
            passed,
            tallies.len() - passed
        ),
        Lang::En => format!(
            "{} households · {} m² registered; {} matters: {} passed, {} not passed",
            consent.households.len(),
            m2(area),
            tallies.len(),
            passed,
            tallies.len() - passed
        ),
    };
    ui.label(RichText::new(text).strong());
}

/// The dashboard's strip: households and area registered, matters passed and not.
pub(super) fn dashboard_strip(ui: &mut egui::Ui, v: &View) {
    let consent = &v.doc.plan().consent;
    if consent.is_empty() {
        return;
    }
    let lang = v.lang;
    let counted = counted(ui.ctx(), v);
    ui.label(RichText::new(title(lang)).strong());
    summary_line(ui, consent, &counted, lang);
    for m in &consent.matters {
        if let Some(t) = counted.tally(&m.id)
            && !t.passed
        {
            let base = consent.rule(&m.rule).map(|r| r.agree_of).unwrap_or_default();
            let missing: Vec<String> = t.missing.iter().map(|s| lang.consent_words().shortfall(s, base)).collect();
            let text = match lang {
                Lang::Zh => format!("{}：{}", m.title(lang), missing.join("；")),
                Lang::En => format!("{}: {}", m.title(lang), missing.join("; ")),
            };
            ui.label(RichText::new(text).small());
        }
    }
    if let Some(note) = &consent.note {
        ui.label(RichText::new(note).small().weak());
    }
}

/// Who a matter is put to, in words.
fn scope_text(scope: &Scope, plan: &Plan, lang: Lang) -> String {
    let name = |key: &str| building_name(plan, key, lang);
    match scope {
        Scope::District => tr(lang, "范围：全体住户", "Scope: every household").to_string(),
        Scope::Buildings { buildings } => {
            let names: Vec<String> = buildings.iter().map(|b| name(b)).collect();
            format!("{}{}", tr(lang, "范围：", "Scope: "), names.join(tr(lang, "、", ", ")))
        }
        Scope::Units { units } => {
            let names: Vec<String> = units.iter().map(|u| unit_name(plan, u, lang)).collect();
            format!("{}{}", tr(lang, "范围：", "Scope: "), names.join(tr(lang, "、", ", ")))
        }
    }
}

/// A building by its number (`107楼`), else its name, else its key.
pub(super) fn building_name(plan: &Plan, key: &str, lang: Lang) -> String {
    let Some(f) = plan.by_key(key).and_then(|id| plan.get(id)) else { return key.to_string() };
    match (f.number(), lang) {
        (Some(n), Lang::Zh) => format!("{n}楼"),
        (Some(n), Lang::En) => format!("Building {n}"),
        (None, _) => f.name(lang).unwrap_or(key).to_string(),
    }
}

pub(super) fn unit_name(plan: &Plan, u: &UnitRef, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{}{}单元", building_name(plan, &u.building, lang), u.unit),
        Lang::En => format!("{}, entrance {}", building_name(plan, &u.building, lang), u.unit),
    }
}

/// A 单元 as a heading: `2单元` / `Entrance 2`.
pub(super) fn unit_label(unit: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{unit}单元"),
        Lang::En => format!("Entrance {unit}"),
    }
}

/// The buildings selected on the map (feature keys), in order.
fn selected_buildings(v: &View) -> Vec<(FeatureId, String)> {
    let plan = v.doc.plan();
    v.selected()
        .into_iter()
        .filter(|id| plan.get(*id).is_some_and(|f| f.kind == Kind::Building))
        .filter_map(|id| plan.key(id).map(|k| (id, k)))
        .collect()
}

// --- Matters -----------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum ScopeKind {
    District,
    Buildings,
    Units,
}

/// The matter form's draft.
struct MatterForm {
    /// The matter changed, `None` for a new one.
    editing: Option<String>,
    id: String,
    title_zh: String,
    title_en: String,
    scope: ScopeKind,
    buildings: Vec<String>,
    units: Vec<UnitRef>,
    rule: String,
    opens: String,
    closes: String,
    items: Vec<String>,
    errors: Vec<String>,
}

impl MatterForm {
    fn new(consent: &Consent, m: Option<&Matter>, v: &View) -> MatterForm {
        match m {
            Some(m) => MatterForm {
                editing: Some(m.id.clone()),
                id: m.id.clone(),
                title_zh: m.title_zh.clone(),
                title_en: m.title_en.clone(),
                scope: match m.scope {
                    Scope::District => ScopeKind::District,
                    Scope::Buildings { .. } => ScopeKind::Buildings,
                    Scope::Units { .. } => ScopeKind::Units,
                },
                buildings: match &m.scope {
                    Scope::Buildings { buildings } => buildings.clone(),
                    _ => Vec::new(),
                },
                units: match &m.scope {
                    Scope::Units { units } => units.clone(),
                    _ => Vec::new(),
                },
                rule: m.rule.clone(),
                opens: m.opens.clone().unwrap_or_default(),
                closes: m.closes.clone().unwrap_or_default(),
                items: m.items.clone(),
                errors: Vec::new(),
            },
            None => MatterForm {
                editing: None,
                id: consent.new_matter_id(),
                title_zh: String::new(),
                title_en: String::new(),
                scope: if selected_buildings(v).is_empty() { ScopeKind::District } else { ScopeKind::Buildings },
                buildings: selected_buildings(v).into_iter().map(|(_, k)| k).collect(),
                units: Vec::new(),
                rule: "civil_code_major".into(),
                opens: today(),
                closes: String::new(),
                items: Vec::new(),
                errors: Vec::new(),
            },
        }
    }

    /// The matter the draft makes, or what is wrong with it.
    fn matter(&self, consent: &Consent, lang: Lang) -> Result<Matter, Vec<String>> {
        let mut errors = Vec::new();
        let id = self.id.trim().to_string();
        if id.is_empty() {
            errors.push(tr(lang, "事项需要编号。", "A matter needs an id.").to_string());
        } else if self.editing.as_deref() != Some(id.as_str()) && consent.matter(&id).is_some() {
            errors.push(format!("{} {id}", tr(lang, "已有此编号的事项：", "There is already a matter")));
        }
        if self.title_zh.trim().is_empty() {
            errors.push(tr(lang, "事项需要中文标题。", "A matter needs a Chinese title.").to_string());
        }
        for (what, d) in [(tr(lang, "开始日期", "Opens"), &self.opens), (tr(lang, "截止日期", "Closes"), &self.closes)]
        {
            if !d.trim().is_empty() && !is_date(d.trim()) {
                errors.push(format!(
                    "{what} {:?} {}",
                    d.trim(),
                    tr(lang, "不是 YYYY-MM-DD 日期", "is not a YYYY-MM-DD date")
                ));
            }
        }
        if is_date(self.opens.trim()) && is_date(self.closes.trim()) && self.closes.trim() < self.opens.trim() {
            errors.push(tr(lang, "截止日期早于开始日期。", "It closes before it opens.").to_string());
        }
        if consent.rule(&self.rule).is_none() {
            errors.push(format!("{} {}", tr(lang, "没有这条规则：", "No such rule:"), self.rule));
        }
        let scope = match self.scope {
            ScopeKind::District => Scope::District,
            ScopeKind::Buildings => Scope::Buildings { buildings: self.buildings.clone() },
            ScopeKind::Units => Scope::Units { units: self.units.clone() },
        };
        if matches!(self.scope, ScopeKind::Buildings) && self.buildings.is_empty()
            || matches!(self.scope, ScopeKind::Units) && self.units.is_empty()
        {
            errors.push(
                tr(lang, "范围是空的：请选择楼或单元。", "The scope is empty: choose buildings or 单元s.").to_string(),
            );
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        Ok(Matter {
            id,
            title_zh: self.title_zh.trim().to_string(),
            title_en: self.title_en.trim().to_string(),
            scope,
            rule: self.rule.clone(),
            opens: opt(&self.opens),
            closes: opt(&self.closes),
            items: self.items.clone(),
        })
    }
}

/// The matter form. Returns true when it is done (saved, deleted or cancelled).
fn matter_form(ui: &mut egui::Ui, f: &mut MatterForm, v: &View, counted: &Counted, out: &mut Vec<Action>) -> bool {
    let lang = v.lang;
    let plan = v.doc.plan();
    let consent = &plan.consent;
    let mut done = false;
    ui.label(
        RichText::new(if f.editing.is_some() {
            tr(lang, "编辑事项", "Edit matter")
        } else {
            tr(lang, "新建事项", "New matter")
        })
        .strong(),
    );
    egui::Grid::new("matter_form").num_columns(2).spacing([10.0, 4.0]).show(ui, |ui| {
        let l = ui.label(tr(lang, "编号", "Id"));
        let edit = egui::TextEdit::singleline(&mut f.id).desired_width(200.0);
        ui.add_enabled(f.editing.is_none(), edit).labelled_by(l.id);
        ui.end_row();
        text_row(ui, tr(lang, "标题（中文）", "Title (Chinese)"), &mut f.title_zh, 320.0);
        text_row(ui, tr(lang, "标题（英文）", "Title (English)"), &mut f.title_en, 320.0);
        let l = ui.label(tr(lang, "规则", "Rule"));
        let current = consent.rule(&f.rule).map(|r| r.name(lang).to_string()).unwrap_or_else(|| f.rule.clone());
        egui::ComboBox::from_id_salt("matter_rule")
            .selected_text(current)
            .width(320.0)
            .show_ui(ui, |ui| {
                for r in consent.all_rules() {
                    ui.selectable_value(&mut f.rule, r.id.clone(), r.name(lang))
                        .on_hover_text(lang.consent_words().rule_terms(r));
                }
            })
            .response
            .labelled_by(l.id);
        ui.end_row();
        let l = ui.label(tr(lang, "开始日期", "Opens"));
        date_edit(ui, &mut f.opens, l.id);
        ui.end_row();
        let l = ui.label(tr(lang, "截止日期", "Closes"));
        date_edit(ui, &mut f.closes, l.id);
        ui.end_row();
        ui.label(tr(lang, "范围", "Scope"));
        ui.horizontal(|ui| {
            ui.radio_value(&mut f.scope, ScopeKind::District, tr(lang, "全体住户", "Whole district"));
            ui.radio_value(&mut f.scope, ScopeKind::Buildings, tr(lang, "选定的楼", "Chosen buildings"));
            ui.radio_value(&mut f.scope, ScopeKind::Units, tr(lang, "选定的单元", "Chosen 单元s"));
        });
        ui.end_row();
    });
    let selected = selected_buildings(v);
    match f.scope {
        ScopeKind::District => {}
        ScopeKind::Buildings => {
            let names: Vec<String> = f.buildings.iter().map(|b| building_name(plan, b, lang)).collect();
            ui.label(format!(
                "{} ({}): {}",
                tr(lang, "楼", "Buildings"),
                names.len(),
                names.join(tr(lang, "、", ", "))
            ));
            if ui
                .add_enabled(
                    !selected.is_empty(),
                    egui::Button::new(tr(lang, "用地图上选中的楼", "Use the buildings selected on the map")),
                )
                .on_disabled_hover_text(tr(
                    lang,
                    "先在地图上选择楼（Shift+点击多选）",
                    "Select buildings on the map first (Shift+click for several)",
                ))
                .clicked()
            {
                f.buildings = selected.iter().map(|(_, k)| k.clone()).collect();
            }
        }
        ScopeKind::Units => {
            let mut remove = None;
            ui.horizontal_wrapped(|ui| {
                for (i, u) in f.units.iter().enumerate() {
                    if ui.small_button(format!("{} ✕", unit_name(plan, u, lang))).clicked() {
                        remove = Some(i);
                    }
                }
            });
            if let Some(i) = remove {
                f.units.remove(i);
            }
            match selected.first() {
                Some((_, key)) => {
                    ui.horizontal_wrapped(|ui| {
                        ui.label(format!("{}:", building_name(plan, key, lang)));
                        for unit in counted.units_of(consent, key) {
                            let u = UnitRef { building: key.clone(), unit: unit.clone() };
                            let mut on = f.units.contains(&u);
                            if ui.checkbox(&mut on, unit_label(&unit, lang)).changed() {
                                if on {
                                    f.units.push(u);
                                } else {
                                    f.units.retain(|x| *x != u);
                                }
                            }
                        }
                    });
                }
                None => {
                    ui.label(
                        RichText::new(tr(
                            lang,
                            "在地图上选择一栋楼，再勾选它的单元。",
                            "Select a building on the map, then tick its 单元s.",
                        ))
                        .weak(),
                    );
                }
            }
        }
    }
    ui.collapsing(format!("{} ({})", tr(lang, "关联项目", "Linked items"), f.items.len()), |ui| {
        ui.label(
            RichText::new(tr(
                lang,
                "事项未通过时，关联项目不能推进到公示之后。",
                "Until the matter passes, its linked items cannot go past publicised.",
            ))
            .small()
            .weak(),
        );
        egui::ScrollArea::vertical().id_salt("matter_items").max_height(160.0).show(ui, |ui| {
            let mut items: Vec<(&String, String)> =
                plan.items.iter().map(|(id, it)| (id, it.display_name(plan, lang).to_string())).collect();
            items.sort_by(|a, b| natural(&a.1, &b.1));
            for (id, name) in items {
                let mut on = f.items.contains(id);
                if ui.checkbox(&mut on, name).changed() {
                    if on {
                        f.items.push(id.clone());
                    } else {
                        f.items.retain(|x| x != id);
                    }
                }
            }
        });
    });
    for e in &f.errors {
        ui.colored_label(ERROR, e);
    }
    ui.horizontal(|ui| {
        if ui.button(tr(lang, "保存事项", "Save matter")).clicked() {
            match f.matter(consent, lang) {
                Ok(m) => {
                    let (pos, label) = match &f.editing {
                        Some(id) => (
                            consent.matters.iter().position(|x| x.id == *id).unwrap_or(consent.matters.len()),
                            EditLabel::EditMatter,
                        ),
                        None => (consent.matters.len(), EditLabel::AddMatter),
                    };
                    let changed = f.editing.as_ref().and_then(|id| consent.matter(id)) != Some(&m);
                    if changed {
                        let id = m.id.clone();
                        out.push(Action::Edit(Edit::PutMatter {
                            id: id.clone(),
                            matter: Some(Box::new(m)),
                            pos,
                            label,
                        }));
                        out.push(Action::FocusMatter(Some(id)));
                    }
                    done = true;
                }
                Err(e) => f.errors = e,
            }
        }
        if ui.button(tr(lang, "取消", "Cancel")).clicked() {
            done = true;
        }
        if let Some(id) = &f.editing
            && ui.button(RichText::new(tr(lang, "删除事项", "Delete matter")).color(ERROR)).clicked()
        {
            let pos = consent.matters.iter().position(|x| x.id == *id).unwrap_or(0);
            out.push(Action::Edit(Edit::PutMatter {
                id: id.clone(),
                matter: None,
                pos,
                label: EditLabel::RemoveMatter,
            }));
            done = true;
        }
    });
    done
}

/// A `YYYY-MM-DD` field, red while it is not a date.
fn date_edit(ui: &mut egui::Ui, text: &mut String, label: egui::Id) -> egui::Response {
    let bad = !text.trim().is_empty() && !is_date(text.trim());
    let edit = egui::TextEdit::singleline(text).hint_text("YYYY-MM-DD").desired_width(100.0);
    let edit = if bad { edit.text_color(ERROR) } else { edit };
    ui.add(edit).labelled_by(label)
}

// --- Rules -------------------------------------------------------------------------------------

struct RuleForm {
    /// The plan's rule changed, `None` for a new one.
    editing: Option<String>,
    rule: Rule,
    errors: Vec<String>,
}

fn rules_section(ui: &mut egui::Ui, st: &mut ConsentState, v: &View, out: &mut Vec<Action>) {
    let lang = v.lang;
    let consent = &v.doc.plan().consent;
    for r in consent.all_rules() {
        let own = consent.rules.iter().any(|x| x.id == r.id);
        ui.horizontal(|ui| {
            ui.label(RichText::new(r.name(lang)).strong());
            ui.label(RichText::new(format!("({})", r.id)).small().monospace());
            if own {
                ui.label(RichText::new(tr(lang, "本规划", "this plan's")).small().weak());
                if ui.small_button(tr(lang, "编辑", "Edit")).clicked() {
                    st.rule_form = Some(RuleForm { editing: Some(r.id.clone()), rule: r.clone(), errors: Vec::new() });
                }
            } else if ui.small_button(tr(lang, "以此为模板新建", "New from this")).clicked() {
                let mut rule = r.clone();
                rule.id = format!("{}_local", r.id);
                st.rule_form = Some(RuleForm { editing: None, rule, errors: Vec::new() });
            }
        });
        ui.label(RichText::new(lang.consent_words().rule_terms(r)).small());
    }
    if ui.button(tr(lang, "新建规则…", "New rule…")).clicked() {
        let rule = Rule {
            id: "my_rule".into(),
            name_zh: String::new(),
            name_en: String::new(),
            description_zh: None,
            description_en: None,
            participation: Some(Share { num: 2, den: 3, strict: false }),
            agree: Share { num: 1, den: 2, strict: true },
            agree_of: Base::Participants,
        };
        st.rule_form = Some(RuleForm { editing: None, rule, errors: Vec::new() });
    }
    if let Some(f) = st.rule_form.as_mut() {
        ui.separator();
        if rule_form(ui, f, v, out) {
            st.rule_form = None;
        }
    }
}

fn share_edit(ui: &mut egui::Ui, s: &mut Share, lang: Lang, salt: &str, what: &str) {
    ui.horizontal(|ui| {
        let l = ui.label(RichText::new(what).small());
        egui::ComboBox::from_id_salt(("strict", salt))
            .selected_text(if s.strict { ">" } else { "≥" })
            .width(40.0)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut s.strict, true, tr(lang, "> 多于", "> more than"));
                ui.selectable_value(&mut s.strict, false, tr(lang, "≥ 不少于", "≥ at least"));
            })
            .response
            .labelled_by(l.id);
        let n = ui.label(RichText::new(tr(lang, "分子", "numerator")).small().weak());
        ui.add(egui::DragValue::new(&mut s.num).range(0..=1000)).labelled_by(n.id);
        let d = ui.label(RichText::new(tr(lang, "分母", "denominator")).small().weak());
        ui.add(egui::DragValue::new(&mut s.den).range(0..=1000)).labelled_by(d.id);
    });
}

/// The rule form. Returns true when it is done.
fn rule_form(ui: &mut egui::Ui, f: &mut RuleForm, v: &View, out: &mut Vec<Action>) -> bool {
    let lang = v.lang;
    let consent = &v.doc.plan().consent;
    let mut done = false;
    let r = &mut f.rule;
    egui::Grid::new("rule_form").num_columns(2).spacing([10.0, 4.0]).show(ui, |ui| {
        let l = ui.label(tr(lang, "编号", "Id"));
        ui.add_enabled(f.editing.is_none(), egui::TextEdit::singleline(&mut r.id).desired_width(200.0))
            .labelled_by(l.id);
        ui.end_row();
        text_row(ui, tr(lang, "名称（中文）", "Name (Chinese)"), &mut r.name_zh, 280.0);
        text_row(ui, tr(lang, "名称（英文）", "Name (English)"), &mut r.name_en, 280.0);
        ui.label(tr(lang, "参与门槛", "Participation"));
        ui.vertical(|ui| {
            let mut on = r.participation.is_some();
            if ui
                .checkbox(
                    &mut on,
                    tr(lang, "要求参与比例（户数和面积）", "require a share taking part (households and area)"),
                )
                .changed()
            {
                r.participation = on.then_some(Share { num: 2, den: 3, strict: false });
            }
            if let Some(p) = r.participation.as_mut() {
                share_edit(ui, p, lang, "participation", tr(lang, "参与", "taking part"));
            }
        });
        ui.end_row();
        ui.label(tr(lang, "同意门槛", "Agreement"));
        ui.vertical(|ui| {
            share_edit(ui, &mut r.agree, lang, "agree", tr(lang, "同意", "agreeing"));
            ui.horizontal(|ui| {
                ui.radio_value(&mut r.agree_of, Base::Participants, tr(lang, "占参与者", "of those taking part"));
                ui.radio_value(&mut r.agree_of, Base::Scope, tr(lang, "占范围内全部", "of all in scope"));
            });
        });
        ui.end_row();
    });
    ui.label(RichText::new(lang.consent_words().rule_terms(r)).small());
    for e in &f.errors {
        ui.colored_label(ERROR, e);
    }
    ui.horizontal(|ui| {
        if ui.button(tr(lang, "保存规则", "Save rule")).clicked() {
            let mut rule = f.rule.clone();
            rule.id = rule.id.trim().to_string();
            let mut errors = rule.problems();
            if rule.name_zh.trim().is_empty() {
                errors.push(tr(lang, "规则需要中文名称。", "A rule needs a Chinese name.").to_string());
            }
            if f.editing.is_none() && consent.rules.iter().any(|x| x.id == rule.id) {
                errors.push(format!(
                    "{} {}",
                    tr(lang, "本规划已有此编号的规则：", "This plan already has a rule"),
                    rule.id
                ));
            }
            if errors.is_empty() {
                out.push(Action::Edit(Edit::PutRule {
                    id: rule.id.clone(),
                    rule: Some(Box::new(rule)),
                    pos: usize::MAX,
                }));
                done = true;
            } else {
                f.errors = errors;
            }
        }
        if ui.button(tr(lang, "取消", "Cancel")).clicked() {
            done = true;
        }
        if let Some(id) = &f.editing
            && ui.button(RichText::new(tr(lang, "删除规则", "Delete rule")).color(ERROR)).clicked()
        {
            let users: Vec<&str> = consent.matters.iter().filter(|m| m.rule == *id).map(|m| m.title(lang)).collect();
            let builtin = crate::model::consent::builtin_rules().iter().any(|b| b.id == *id);
            if users.is_empty() || builtin {
                out.push(Action::Edit(Edit::PutRule { id: id.clone(), rule: None, pos: usize::MAX }));
                done = true;
            } else {
                f.errors = vec![format!(
                    "{} {}",
                    tr(lang, "仍有事项使用此规则：", "Matters still use this rule:"),
                    users.join(tr(lang, "、", ", "))
                )];
            }
        }
    });
    done
}

// --- Register ----------------------------------------------------------------------------------

struct HouseholdForm {
    /// The household changed, `None` for a new one.
    editing: Option<String>,
    building: String,
    unit: String,
    floor: i32,
    room: String,
    area: String,
    owner_type: OwnerType,
    owner_name: String,
    phone: String,
    errors: Vec<String>,
}

impl HouseholdForm {
    fn of(h: &Household) -> HouseholdForm {
        HouseholdForm {
            editing: Some(h.id.clone()),
            building: h.building.clone(),
            unit: h.unit.clone(),
            floor: h.floor,
            room: h.room.clone(),
            area: format!("{}", h.area_m2),
            owner_type: h.owner_type,
            owner_name: h.owner_name.clone().unwrap_or_default(),
            phone: h.phone.clone().unwrap_or_default(),
            errors: Vec::new(),
        }
    }

    fn household(&self, consent: &Consent, lang: Lang) -> Result<Household, Vec<String>> {
        let mut errors = Vec::new();
        let (unit, room) = (self.unit.trim().to_string(), self.room.trim().to_string());
        if unit.is_empty() || room.is_empty() {
            errors.push(tr(lang, "住户需要单元和室号。", "A household needs a 单元 and a room.").to_string());
        }
        let area = self.area.trim().parse::<f64>().ok().filter(|a| a.is_finite() && *a > 0.0 && *a < 100_000.0);
        if area.is_none() {
            errors.push(format!(
                "{} {:?} {}",
                tr(lang, "面积", "Area"),
                self.area.trim(),
                tr(lang, "不是以 m² 计的面积", "is not an area in m²")
            ));
        }
        let taken = consent.households.values().any(|h| {
            Some(&h.id) != self.editing.as_ref() && h.building == self.building && h.unit == unit && h.room == room
        });
        if taken {
            errors.push(match lang {
                Lang::Zh => format!("{unit}单元{room}室已登记。"),
                Lang::En => format!("Entrance {unit} room {room} is already registered."),
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let id = match &self.editing {
            Some(id) => id.clone(),
            None => {
                let base = format!("{}-{unit}-{room}", self.building);
                (1..)
                    .map(|n| if n == 1 { base.clone() } else { format!("{base}-{n}") })
                    .find(|id| !consent.households.contains_key(id))
                    .unwrap_or(base)
            }
        };
        let personal = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        Ok(Household {
            id,
            building: self.building.clone(),
            unit,
            floor: self.floor,
            room,
            area_m2: area.unwrap_or(0.0),
            owner_type: self.owner_type,
            owner_name: personal(&self.owner_name),
            phone: personal(&self.phone),
        })
    }
}

fn register_section(ui: &mut egui::Ui, st: &mut ConsentState, v: &View, counted: &Counted, out: &mut Vec<Action>) {
    let lang = v.lang;
    let plan = v.doc.plan();
    let consent = &plan.consent;
    ui.horizontal(|ui| {
        if ui
            .button(tr(lang, "按楼栋属性生成住户", "Generate households from buildings"))
            .on_hover_text(tr(
                lang,
                "为还没有住户登记的楼，按其 households、floors、units、floor_area_m2 属性生成起始登记（之后请逐户核对）；已有住户不会被覆盖。",
                "For buildings with no household yet, a starting register from their households, floors, units and floor_area_m2 properties (then check it household by household); existing households are never overwritten.",
            ))
            .clicked()
        {
            let (new, buildings, made) = generate_missing(plan);
            st.message = Some(match (lang, made) {
                (Lang::Zh, 0) => "没有需要生成的：每栋有户数的楼都已有住户登记。".to_string(),
                (Lang::En, 0) => "Nothing to generate: every building with households already has a register.".to_string(),
                (Lang::Zh, _) => format!("已为 {buildings} 栋楼生成 {made} 户（示意，请核对）。"),
                (Lang::En, _) => format!("Made {made} households for {buildings} buildings (a starting point: check them)."),
            });
            if made > 0 {
                out.push(Action::Edit(Edit::SetConsent { consent: Box::new(new), label: EditLabel::GenerateRegister }));
            }
        }
    });
    if let Some(m) = &st.message {
        ui.label(RichText::new(m).small());
    }
    let chosen = selected_buildings(v);
    let Some((_, key)) = chosen.first() else {
        ui.label(
            RichText::new(tr(
                lang,
                "在地图上选择一栋楼，查看和编辑它的住户。",
                "Select a building on the map to see and edit its households.",
            ))
            .weak(),
        );
        return;
    };
    let households: Vec<&Household> = counted.of_building(consent, key).collect();
    let area: f64 = households.iter().map(|h| h.area_m2).sum();
    ui.label(
        RichText::new(match lang {
            Lang::Zh => format!("{}：{} 户 · {:.1} m²", building_name(plan, key, lang), households.len(), area),
            Lang::En => format!("{}: {} households · {:.1} m²", building_name(plan, key, lang), households.len(), area),
        })
        .strong(),
    );
    ui.checkbox(&mut st.show_personal, tr(lang, "显示个人信息（姓名、电话）", "Show personal data (names, phones)"));
    if st.show_personal {
        ui.label(
            RichText::new(tr(
                lang,
                "个人信息只保存在规划文件中，从不导出、打印或放进幻灯片。",
                "Personal data stays in the plan file: it is never exported, printed or put in a slide.",
            ))
            .small()
            .color(Color32::from_rgb(190, 110, 0)),
        );
    }
    let personal = st.show_personal;
    let mut edit = None;
    egui::ScrollArea::vertical().id_salt("register_rows").max_height(240.0).show(ui, |ui| {
        let cols = if personal { 8 } else { 6 };
        egui::Grid::new("register").num_columns(cols).striped(true).spacing([10.0, 2.0]).show(ui, |ui| {
            for h in [
                tr(lang, "单元", "Entrance"),
                tr(lang, "层", "Floor"),
                tr(lang, "室", "Room"),
                tr(lang, "面积 m²", "Area m²"),
                tr(lang, "产权", "Owner"),
            ] {
                ui.label(RichText::new(h).strong());
            }
            if personal {
                ui.label(RichText::new(tr(lang, "姓名", "Name")).strong());
                ui.label(RichText::new(tr(lang, "电话", "Phone")).strong());
            }
            ui.label("");
            ui.end_row();
            for h in &households {
                ui.label(&h.unit);
                ui.label(h.floor.to_string());
                ui.label(&h.room);
                ui.label(format!("{}", h.area_m2));
                ui.label(owner_type_name(h.owner_type, lang));
                if personal {
                    ui.label(h.owner_name.as_deref().unwrap_or(""));
                    ui.label(h.phone.as_deref().unwrap_or(""));
                }
                ui.horizontal(|ui| {
                    if ui.small_button(tr(lang, "编辑", "Edit")).clicked() {
                        edit = Some(HouseholdForm::of(h));
                    }
                    if ui.small_button(tr(lang, "删除", "Remove")).clicked() {
                        out.push(Action::Edit(Edit::PutHousehold {
                            id: h.id.clone(),
                            household: None,
                            label: EditLabel::RemoveHousehold,
                        }));
                    }
                });
                ui.end_row();
            }
        });
    });
    if let Some(f) = edit {
        st.household_form = Some(f);
    }
    if ui.button(tr(lang, "添加住户…", "Add household…")).clicked() {
        let last = households.last();
        st.household_form = Some(HouseholdForm {
            editing: None,
            building: key.clone(),
            unit: last.map(|h| h.unit.clone()).unwrap_or_else(|| "1".into()),
            floor: last.map(|h| h.floor).unwrap_or(1),
            room: String::new(),
            area: String::new(),
            owner_type: OwnerType::Private,
            owner_name: String::new(),
            phone: String::new(),
            errors: Vec::new(),
        });
    }
    let mut close = false;
    if let Some(f) = st.household_form.as_mut() {
        ui.separator();
        egui::Grid::new("household_form").num_columns(2).spacing([10.0, 4.0]).show(ui, |ui| {
            text_row(ui, tr(lang, "单元", "Entrance (单元)"), &mut f.unit, 60.0);
            let l = ui.label(tr(lang, "层", "Floor"));
            ui.add(egui::DragValue::new(&mut f.floor).range(-5..=200)).labelled_by(l.id);
            ui.end_row();
            text_row(ui, tr(lang, "室号", "Room"), &mut f.room, 60.0);
            text_row(ui, tr(lang, "专有面积 m²", "Exclusive area m²"), &mut f.area, 80.0);
            let l = ui.label(tr(lang, "产权类型", "Owner type"));
            egui::ComboBox::from_id_salt("owner_type")
                .selected_text(owner_type_name(f.owner_type, lang))
                .show_ui(ui, |ui| {
                    for t in OwnerType::ALL {
                        ui.selectable_value(&mut f.owner_type, t, owner_type_name(t, lang));
                    }
                })
                .response
                .labelled_by(l.id);
            ui.end_row();
            if personal {
                text_row(ui, tr(lang, "姓名（个人信息）", "Name (personal)"), &mut f.owner_name, 140.0);
                text_row(ui, tr(lang, "电话（个人信息）", "Phone (personal)"), &mut f.phone, 140.0);
            }
        });
        for e in &f.errors {
            ui.colored_label(ERROR, e);
        }
        ui.horizontal(|ui| {
            if ui.button(tr(lang, "保存住户", "Save household")).clicked() {
                match f.household(consent, lang) {
                    Ok(mut h) => {
                        if !personal && let Some(old) = f.editing.as_ref().and_then(|id| consent.households.get(id)) {
                            // Hidden fields keep what they held.
                            h.owner_name = old.owner_name.clone();
                            h.phone = old.phone.clone();
                        }
                        let label =
                            if f.editing.is_some() { EditLabel::EditHousehold } else { EditLabel::AddHousehold };
                        if consent.households.get(&h.id) != Some(&h) {
                            out.push(Action::Edit(Edit::PutHousehold {
                                id: h.id.clone(),
                                household: Some(Box::new(h)),
                                label,
                            }));
                        }
                        close = true;
                    }
                    Err(e) => f.errors = e,
                }
            }
            if ui.button(tr(lang, "取消", "Cancel")).clicked() {
                close = true;
            }
        });
    }
    if close {
        st.household_form = None;
    }
}

pub(super) fn owner_type_name(t: OwnerType, lang: Lang) -> &'static str {
    match (t, lang) {
        (_, Lang::Zh) => t.name_zh(),
        (OwnerType::Private, Lang::En) => "private",
        (OwnerType::PublicTenant, Lang::En) => "public-housing tenant",
        (OwnerType::Institution, Lang::En) => "work unit (产权单位)",
    }
}

/// The plan's consent with households generated for every building that has none yet (from its
/// `households`, `floors`, `units` and `floor_area_m2` properties), how many buildings got some and
/// how many households were made. Existing households are never touched.
pub(super) fn generate_missing(plan: &Plan) -> (Consent, usize, usize) {
    let mut consent = plan.consent.clone();
    let have: std::collections::HashSet<&str> = plan.consent.households.values().map(|h| h.building.as_str()).collect();
    let (mut buildings, mut made) = (0, 0);
    let mut keys: Vec<(String, BuildingSize)> = Vec::new();
    for (id, f) in plan.iter() {
        if f.kind != Kind::Building {
            continue;
        }
        let Some(key) = plan.key(id) else { continue };
        if have.contains(key.as_str()) {
            continue;
        }
        let whole =
            |k: &str| f.number_prop(k).filter(|x| x.is_finite() && *x >= 1.0).map(|x| x.round().min(1e6) as u32);
        let Some(households) = whole("households") else { continue };
        let size = BuildingSize {
            households,
            floors: whole("floors").unwrap_or(6),
            units: whole("units"),
            floor_area_m2: f.number_prop("floor_area_m2").filter(|a| a.is_finite() && *a > 0.0),
        };
        keys.push((key, size));
    }
    for (key, size) in keys {
        let mut n = 0;
        for h in generate(&key, size) {
            if !consent.households.contains_key(&h.id) {
                consent.households.insert(h.id.clone(), h);
                n += 1;
            }
        }
        if n > 0 {
            buildings += 1;
            made += n;
        }
    }
    (consent, buildings, made)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_counts_kept_for_the_frames_are_the_registers() {
        let plan = crate::io::load_jinsong().plan;
        let c = &plan.consent;
        let counted = Counted::new((0, 0), c);
        let area: i64 = c.households.values().map(|h| (h.area_m2 * 100.0).round() as i64).sum();
        assert_eq!(counted.area_centi, area);
        let mut buildings: Vec<&str> = c.households.values().map(|h| h.building.as_str()).collect();
        buildings.sort_by(|a, b| natural(a, b));
        buildings.dedup();
        assert_eq!(counted.buildings, buildings);
        assert!(counted.buildings.len() > 40, "Jinsong's 43 buildings have households");
        for b in &counted.buildings {
            let kept: Vec<&Household> = counted.of_building(c, b).collect();
            assert_eq!(kept, c.of_building(b), "{b}");
            assert_eq!(counted.units_of(c, b), c.units_of(b), "{b}");
            assert!(counted.has_households(b));
        }
        assert!(!counted.has_households("b999") && counted.of_building(c, "b999").next().is_none());
        for m in &c.matters {
            assert_eq!(counted.tally(&m.id), Some(&tally(c, m)), "{}", m.id);
        }
    }
}
