//! The operations ledger window (运营收益): how the social capital of the plan is paid back by
//! operating rights (`model::operations`).
//!
//! It shows the results — investment, payback year, NPV, IRR — under a what-if [`Scenario`] set with
//! sliders (a view: nothing in the plan changes), the cumulative chart (egui_plot), the yearly rows,
//! the sensitivity table, the ledger's problems, and the lists of operating spaces and cash flows
//! with the forms that add, change and remove them. Like every panel it reads the document through
//! [`View`] and returns [`Action`]s: each change is one undoable edit (`PutSpace`, `PutFlow`,
//! `SetOperations`, a `Batch` when a space goes with its flows). Everything it shows is worked out
//! once per document state and scenario ([`Worked`]), never per frame.

use std::sync::Arc;

use eframe::egui::{self, Color32, RichText};
use egui_extras::{Column, TableBuilder};

use super::action::Action;
use super::theme::{ERROR, color};
use super::view::{View, Window};
use crate::edit::{Edit, EditLabel};
use crate::i18n::Lang;
use crate::model::item::{format_yuan, parse_yuan};
use crate::model::operations::{
    Chart, Flow, FlowKind, Ledger, Operations, Scenario, Sensitivity, Space, USES, chart, compute, sensitivity,
    use_name,
};
use crate::model::{FeatureId, Plan};

/// Chinese or English, as the window is shown (the consent window's words work the same way).
use super::consent::tr;

/// The window's title (menu, window).
pub fn title(lang: Lang) -> &'static str {
    tr(lang, "运营收益", "Operations")
}

/// The window's key, for Help → Shortcuts.
pub fn shortcuts_text(lang: Lang) -> &'static str {
    tr(lang, "Ctrl+Shift+O：运营收益（投资回收）", "Ctrl+Shift+O: operations (payback of social capital)")
}

/// The chart's accessible name (what a screen reader and a test find).
pub fn chart_label(lang: Lang) -> &'static str {
    tr(lang, "累计净现金流与回本年份图", "Cumulative net cash and payback year chart")
}

/// The ledger worked out for one document state, scenario and language.
pub struct Worked {
    stamp: (u64, u64),
    scenario: Scenario,
    lang: Lang,
    pub ledger: Ledger,
    pub chart: Chart,
    /// The whole ledger's problems, worded.
    pub problems: Vec<String>,
}

/// The sensitivity table of one document state (it does not depend on the sliders).
struct Sensed {
    stamp: (u64, u64),
    table: Sensitivity,
}

/// The window's own state: the what-if sliders, the open forms, what was worked out.
pub struct OperationsState {
    /// Revenue scaled (0.5–1.5).
    pub revenue_scale: f64,
    /// Subsidies scaled (0.5–1.5).
    pub subsidy_scale: f64,
    /// Subsidies stop after `stop_year`.
    pub stop_early: bool,
    pub stop_year: i32,
    space_form: Option<SpaceForm>,
    flow_form: Option<FlowForm>,
    settings: Option<SettingsForm>,
    worked: Option<Arc<Worked>>,
    sensed: Option<Arc<Sensed>>,
    /// The ledger as planned (no what-if) for a slide's chart.
    planned: Option<Arc<Worked>>,
}

impl Default for OperationsState {
    fn default() -> Self {
        OperationsState {
            revenue_scale: 1.0,
            subsidy_scale: 1.0,
            stop_early: false,
            stop_year: 2025,
            space_form: None,
            flow_form: None,
            settings: None,
            worked: None,
            sensed: None,
            planned: None,
        }
    }
}

impl OperationsState {
    /// The what-if the sliders set.
    pub fn scenario(&self) -> Scenario {
        Scenario {
            revenue_scale: self.revenue_scale,
            subsidy_scale: self.subsidy_scale,
            subsidy_until: self.stop_early.then_some(self.stop_year),
        }
    }

    /// The ledger under the sliders' scenario, worked out again only when the plan, the scenario or
    /// the language changed.
    pub fn worked(&mut self, plan: &Plan, stamp: (u64, u64), lang: Lang) -> Arc<Worked> {
        let scenario = self.scenario();
        cached(&mut self.worked, plan, stamp, scenario, lang)
    }

    /// The ledger as planned (a slide's chart), cached the same way.
    pub fn planned(&mut self, plan: &Plan, stamp: (u64, u64), lang: Lang) -> Arc<Worked> {
        cached(&mut self.planned, plan, stamp, Scenario::default(), lang)
    }

    fn sensitivity(&mut self, plan: &Plan, stamp: (u64, u64)) -> Arc<Sensed> {
        if let Some(s) = &self.sensed
            && s.stamp == stamp
        {
            return s.clone();
        }
        let s = Arc::new(Sensed { stamp, table: sensitivity(plan) });
        self.sensed = Some(s.clone());
        s
    }
}

fn cached(
    slot: &mut Option<Arc<Worked>>,
    plan: &Plan,
    stamp: (u64, u64),
    scenario: Scenario,
    lang: Lang,
) -> Arc<Worked> {
    if let Some(w) = slot
        && w.stamp == stamp
        && w.scenario == scenario
        && w.lang == lang
    {
        return w.clone();
    }
    let ledger = compute(plan, &scenario);
    let chart = chart(plan, &ledger, lang);
    let problems = plan.operations.problems(plan).iter().map(|p| p.message(lang)).collect();
    let w = Arc::new(Worked { stamp, scenario, lang, ledger, chart, problems });
    *slot = Some(w.clone());
    w
}

/// "2030" or "not within the rows".
pub fn payback_text(year: Option<i32>, lang: Lang) -> String {
    match year {
        Some(y) => y.to_string(),
        None => tr(lang, "表内年份中未回本", "not within the rows").to_string(),
    }
}

/// An NPV in yuan (whole yuan, thousands separated).
fn npv_text(v: f64) -> String {
    if v.is_finite() { format_yuan(v.round() as i64) } else { "—".into() }
}

fn irr_text(irr: Option<f64>, lang: Lang) -> String {
    match irr {
        Some(r) => format!("{:.1}%", r * 100.0),
        None => tr(lang, "无", "none").to_string(),
    }
}

/// A percentage field's text: `3` for 0.03.
fn pct_text(v: f64) -> String {
    let p = (v * 1e6).round() / 1e4;
    format!("{p}")
}

/// The operations window (View → 运营收益, Ctrl+Shift+O).
pub fn window(ctx: &egui::Context, st: &mut OperationsState, v: &View) -> Vec<Action> {
    let mut out = Vec::new();
    let lang = v.lang;
    let mut open = true;
    let screen = ctx.content_rect();
    let width = 640.0_f32.min(screen.width() - 16.0);
    egui::Window::new(title(lang))
        .id(egui::Id::unique("operations_window"))
        .open(&mut open)
        .default_pos([screen.right() - width - 8.0, 60.0])
        .default_size([width, (screen.height() - 110.0).clamp(420.0, 900.0)])
        .vscroll(true)
        .show(ctx, |ui| panel(ui, st, v, &mut out));
    if !open {
        out.push(Action::ShowWindow(Window::Operations, false));
    }
    out
}

fn panel(ui: &mut egui::Ui, st: &mut OperationsState, v: &View, out: &mut Vec<Action>) {
    let lang = v.lang;
    let plan = v.doc.plan();
    let ops = &plan.operations;
    if ops.illustrative {
        ui.label(
            RichText::new(tr(lang, "示意数据", "Illustrative figures"))
                .strong()
                .color(Color32::WHITE)
                .background_color(Color32::from_rgb(190, 110, 0)),
        );
    }
    if let Some(note) = ops.note.as_deref().filter(|n| !n.is_empty()) {
        ui.label(RichText::new(note).small().italics().color(Color32::from_rgb(150, 100, 0)));
    }
    let worked = st.worked(plan, v.doc.stamp(), lang);
    results(ui, &worked, ops, lang);
    ui.separator();
    if !st.stop_early
        && let Some(y) = ops.early_end()
    {
        // Until ticked, the stop year offered is the sensitivity table's.
        st.stop_year = y;
    }
    scenario_sliders(ui, st, lang);
    ui.separator();
    if worked.ledger.rows.is_empty() {
        ui.label(
            RichText::new(tr(
                lang,
                "还没有投资或现金流：添加经营空间与现金流，或为项目设社会资本出资。",
                "No investment or cash flow yet: add operating spaces and flows, or give items social capital.",
            ))
            .weak(),
        );
    } else {
        plot(ui, &worked.chart, lang, 300.0);
        egui::CollapsingHeader::new(tr(lang, "逐年明细", "Year by year"))
            .id_salt("ops_years")
            .default_open(false)
            .show(ui, |ui| year_table(ui, &worked.ledger, lang));
    }
    egui::CollapsingHeader::new(tr(lang, "敏感性分析（回本年份）", "Sensitivity (payback year)"))
        .id_salt("ops_sensitivity")
        .default_open(true)
        .show(ui, |ui| {
            let sensed = st.sensitivity(plan, v.doc.stamp());
            sensitivity_grid(ui, &sensed.table, lang);
        });
    if !worked.problems.is_empty() {
        ui.separator();
        ui.label(RichText::new(tr(lang, "台账问题", "Problems in the ledger")).strong().color(ERROR));
        for p in &worked.problems {
            ui.colored_label(ERROR, p);
        }
    }
    ui.separator();
    spaces_section(ui, st, v, out);
    ui.separator();
    flows_section(ui, st, v, out);
    ui.separator();
    settings_section(ui, st, v, out);
}

/// Investment, payback, NPV, IRR.
fn results(ui: &mut egui::Ui, w: &Worked, ops: &Operations, lang: Lang) {
    let l = &w.ledger;
    egui::Grid::new("ops_results").num_columns(2).spacing([16.0, 3.0]).show(ui, |ui| {
        ui.label(tr(lang, "社会资本投资", "Social capital invested"));
        ui.label(RichText::new(format!("{} {}", format_yuan(l.investment_yuan), tr(lang, "元", "yuan"))).strong());
        ui.end_row();
        ui.label(tr(lang, "回本年份", "Payback year"));
        ui.label(RichText::new(payback_text(l.payback_year, lang)).strong());
        ui.end_row();
        ui.label(format!("{} {}%", tr(lang, "净现值 NPV，折现率", "NPV at"), pct_text(ops.discount_rate)));
        ui.label(RichText::new(format!("{} {}", npv_text(l.npv_yuan), tr(lang, "元", "yuan"))).strong());
        ui.end_row();
        ui.label(tr(lang, "内部收益率 IRR", "IRR"));
        ui.label(RichText::new(irr_text(l.irr, lang)).strong());
        ui.end_row();
    });
    let s = w.scenario;
    if s != Scenario::default() {
        let until = s.subsidy_until.map(|y| format!(", {} {y}", tr(lang, "补贴止于", "subsidy stops after")));
        ui.label(
            RichText::new(format!(
                "{} {:.0}%, {} {:.0}%{}",
                tr(lang, "情景：收入", "Scenario: revenue"),
                s.revenue_scale * 100.0,
                tr(lang, "补贴", "subsidy"),
                s.subsidy_scale * 100.0,
                until.unwrap_or_default()
            ))
            .small()
            .color(Color32::from_rgb(150, 100, 0)),
        );
    }
}

/// The what-if sliders: a view of the ledger, never an edit.
fn scenario_sliders(ui: &mut egui::Ui, st: &mut OperationsState, lang: Lang) {
    ui.label(
        RichText::new(tr(lang, "情景（仅查看，不改台账）", "What if (a view; the ledger is not changed)")).strong(),
    );
    egui::Grid::new("ops_scenario").num_columns(2).show(ui, |ui| {
        let l = ui.label(tr(lang, "收入比例", "Revenue scale"));
        ui.add(egui::Slider::new(&mut st.revenue_scale, 0.5..=1.5).step_by(0.05).fixed_decimals(2)).labelled_by(l.id);
        ui.end_row();
        let l = ui.label(tr(lang, "补贴比例", "Subsidy scale"));
        ui.add(egui::Slider::new(&mut st.subsidy_scale, 0.5..=1.5).step_by(0.05).fixed_decimals(2)).labelled_by(l.id);
        ui.end_row();
        ui.checkbox(&mut st.stop_early, tr(lang, "补贴提前停止", "Subsidy stops early"));
        ui.horizontal(|ui| {
            let l = ui.label(tr(lang, "补贴最后一年", "Last year of subsidy"));
            ui.add_enabled(st.stop_early, egui::DragValue::new(&mut st.stop_year).range(1900..=2200)).labelled_by(l.id);
        });
        ui.end_row();
    });
    if ui.button(tr(lang, "恢复原计划", "Back to the plan as is")).clicked() {
        st.revenue_scale = 1.0;
        st.subsidy_scale = 1.0;
        st.stop_early = false;
    }
}

/// The cumulative net line crossing zero, the payback year marked and the operating terms as bands
/// under the line. Amounts in 万元.
pub fn plot(ui: &mut egui::Ui, c: &Chart, lang: Lang, height: f32) -> egui::Response {
    use egui_plot::{Corner, Legend, Line, Plot, PlotPoint, PlotPoints, Polygon, Text, VLine};
    let wan = |v: i64| v as f64 / 10_000.0;
    let (lo, hi) = c.cumulative.iter().fold((0.0f64, 0.0f64), |(lo, hi), (_, v)| (lo.min(wan(*v)), hi.max(wan(*v))));
    let span = (hi - lo).max(1.0);
    // The term bands sit in a strip under the line, a band a row, named inside (not in the legend,
    // which keeps to the line and the payback year and sits top left, where a payback line is low).
    let band = span * 0.06;
    let first = c.cumulative.first().map(|p| p.0).unwrap_or(2000) as f64;
    let last = c.cumulative.last().map(|p| p.0).unwrap_or(2000) as f64;
    let cumulative_name = tr(lang, "累计净现金流（万元）", "Cumulative net (10k yuan)");
    let payback_name = tr(lang, "回本年份", "Payback year");
    let terms = c.terms.clone();
    let points: Vec<[f64; 2]> = c.cumulative.iter().map(|(y, v)| [*y as f64, wan(*v)]).collect();
    let payback = c.payback_year;
    let grouped = |v: f64| crate::model::item::format_yuan(v.round() as i64);
    let r = Plot::new("ops_chart")
        .height(height)
        .legend(Legend::default().position(Corner::LeftTop))
        .allow_scroll(false)
        .allow_drag(false)
        .allow_zoom(false)
        .include_x(first - 0.5)
        .include_x(last + 0.5)
        .include_y(lo - band * (terms.len() as f64 + 0.8))
        .include_y(hi + band)
        .y_axis_min_width(48.0)
        .y_axis_formatter(move |m, _| grouped(m.value))
        .x_axis_formatter(|m, _| format!("{}", m.value.round() as i64))
        .x_axis_label(tr(lang, "年份", "Year"))
        .y_axis_label(tr(lang, "万元", "10k yuan"))
        .show(ui, move |p| {
            for (i, (name, a, b)) in terms.iter().enumerate() {
                let top = lo - band * (i as f64 + 0.5);
                let bottom = top - band * 0.85;
                let (a, b) = ((*a as f64 - 0.5).max(first - 0.5), (*b as f64 + 0.5).min(last + 0.5));
                if a > b {
                    continue;
                }
                let col = band_color(i);
                // Unnamed items stay out of the legend: the band carries its own words.
                p.polygon(
                    Polygon::new("", PlotPoints::new(vec![[a, bottom], [b, bottom], [b, top], [a, top]]))
                        .fill_color(col.gamma_multiply(0.35))
                        .stroke(egui::Stroke::new(1.0, col)),
                );
                p.text(
                    Text::new("", PlotPoint::new(a + 0.3, (top + bottom) / 2.0), RichText::new(name).small())
                        .anchor(egui::Align2::LEFT_CENTER)
                        .color(ui_text_color()),
                );
            }
            p.hline(egui_plot::HLine::new("", 0.0).color(Color32::GRAY).width(1.0));
            if let Some(y) = payback {
                p.vline(
                    VLine::new(format!("{payback_name} {y}"), y as f64)
                        .color(Color32::from_rgb(40, 150, 60))
                        .width(2.0)
                        .style(egui_plot::LineStyle::dashed_loose()),
                );
            }
            p.line(
                Line::new(cumulative_name, PlotPoints::new(points)).color(Color32::from_rgb(30, 100, 200)).width(2.5),
            );
        });
    let label = chart_label(lang);
    r.response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, label));
    r.response
}

/// The names of the term bands: dark enough on their light fill in either theme.
fn ui_text_color() -> Color32 {
    Color32::from_rgb(40, 40, 40)
}

/// The colours of the term bands, in turn.
fn band_color(i: usize) -> Color32 {
    let c = crate::render::theme::USE_COLORS;
    color(c[i % c.len()])
}

/// The yearly rows with their totals.
fn year_table(ui: &mut egui::Ui, l: &Ledger, lang: Lang) {
    let heads = [
        tr(lang, "年份", "Year"),
        tr(lang, "投资", "Investment"),
        tr(lang, "收入", "Revenue"),
        tr(lang, "成本", "Cost"),
        tr(lang, "补贴", "Subsidy"),
        tr(lang, "净额", "Net"),
        tr(lang, "累计", "Cumulative"),
    ];
    let totals = l.totals();
    ui.push_id("ops_year_table", |ui| {
        let mut t = TableBuilder::new(ui).striped(true).max_scroll_height(260.0).column(Column::exact(52.0));
        for _ in 1..heads.len() {
            t = t.column(Column::auto().at_least(80.0));
        }
        t.header(20.0, |mut h| {
            for head in heads {
                h.col(|ui| {
                    ui.strong(head);
                });
            }
        })
        .body(|mut body| {
            let money = |r: &crate::model::operations::YearRow| {
                [r.investment_yuan, r.revenue_yuan, r.cost_yuan, r.subsidy_yuan, r.net_yuan, r.cumulative_yuan]
            };
            for r in &l.rows {
                body.row(18.0, |mut row| {
                    row.col(|ui| {
                        let y = RichText::new(r.year.to_string());
                        ui.label(if Some(r.year) == l.payback_year { y.strong() } else { y });
                    });
                    for m in money(r) {
                        row.col(|ui| {
                            let t = RichText::new(format_yuan(m));
                            ui.label(if m < 0 { t.color(ERROR) } else { t });
                        });
                    }
                });
            }
            body.row(20.0, |mut row| {
                row.col(|ui| {
                    ui.strong(tr(lang, "合计", "Total"));
                });
                for m in money(&totals) {
                    row.col(|ui| {
                        ui.strong(format_yuan(m));
                    });
                }
            });
        });
    });
}

/// The payback year under each revenue scale (rows) and subsidy case (columns).
fn sensitivity_grid(ui: &mut egui::Ui, s: &Sensitivity, lang: Lang) {
    egui::Grid::new("ops_sensitivity_grid").striped(true).spacing([14.0, 3.0]).show(ui, |ui| {
        ui.label("");
        for c in &s.subsidy {
            ui.strong(c.label(lang));
        }
        ui.end_row();
        for (i, r) in s.revenue_scales.iter().enumerate() {
            ui.strong(format!("{} {:.0}%", tr(lang, "收入", "revenue"), r * 100.0));
            for y in &s.payback[i] {
                match y {
                    Some(y) => ui.label(y.to_string()),
                    None => ui.colored_label(ERROR, tr(lang, "未回本", "never")),
                };
            }
            ui.end_row();
        }
    });
}

/// A space's name as listed.
fn space_name(s: &Space, lang: Lang) -> &str {
    let en = s.name_en.as_deref().filter(|n| !n.is_empty());
    let name: &str = if lang == Lang::En { en.unwrap_or(&s.name_zh) } else { &s.name_zh };
    if name.is_empty() { &s.id } else { name }
}

fn flow_name(f: &Flow, lang: Lang) -> &str {
    let en = f.name_en.as_deref().filter(|n| !n.is_empty());
    let name: &str = if lang == Lang::En { en.unwrap_or(&f.name_zh) } else { &f.name_zh };
    if name.is_empty() { f.kind.name(lang) } else { name }
}

fn spaces_section(ui: &mut egui::Ui, st: &mut OperationsState, v: &View, out: &mut Vec<Action>) {
    let lang = v.lang;
    let plan = v.doc.plan();
    let ops = &plan.operations;
    ui.horizontal(|ui| {
        ui.label(RichText::new(tr(lang, "经营空间", "Operating spaces")).strong());
        if ui.button(tr(lang, "添加空间…", "Add space…")).clicked() {
            let selected = v.selected().first().and_then(|id: &FeatureId| plan.key(*id));
            st.space_form = Some(SpaceForm::new(ops, None, selected));
        }
    });
    egui::Grid::new("ops_spaces").striped(true).num_columns(5).show(ui, |ui| {
        for s in &ops.spaces {
            ui.label(space_name(s, lang));
            ui.label(use_name(&s.use_, lang));
            ui.label(format!("{} m²", s.area_m2));
            ui.label(format!("{}–{}", s.term_start, s.term_end));
            ui.horizontal(|ui| {
                let name = space_name(s, lang);
                if row_button(ui, tr(lang, "编辑", "Edit"), name, None).on_hover_text(&s.id).clicked() {
                    st.space_form = Some(SpaceForm::new(ops, Some(s), None));
                }
                let n = ops.flows_of(&s.id).count();
                let tip = match lang {
                    Lang::Zh => format!("删除 {} 及其 {n} 项现金流（一步撤销）", s.id),
                    Lang::En => format!("Remove {} and its {n} flow(s) (one undo step)", s.id),
                };
                if row_button(ui, tr(lang, "删除", "Remove"), name, Some(ERROR)).on_hover_text(tip).clicked() {
                    out.push(Action::Edit(remove_space(ops, &s.id)));
                    if st.space_form.as_ref().is_some_and(|f| f.editing.as_deref() == Some(&s.id)) {
                        st.space_form = None;
                    }
                }
            });
            ui.end_row();
        }
    });
    if ops.spaces.is_empty() {
        ui.label(RichText::new(tr(lang, "还没有经营空间。", "No operating spaces yet.")).weak());
    }
    if let Some(form) = st.space_form.as_mut() {
        let done = ui.group(|ui| space_form(ui, form, plan, lang)).inner;
        if let Some(done) = done {
            out.extend(done.map(Action::Edit));
            st.space_form = None;
        }
    }
}

/// A small button of a list row ("编辑"), named with the row for a screen reader ("编辑 社区食堂").
fn row_button(ui: &mut egui::Ui, text: &str, row: &str, colour: Option<Color32>) -> egui::Response {
    let t = RichText::new(text);
    let r = ui.small_button(colour.map_or(t.clone(), |c| t.color(c)));
    let name = format!("{text} {row}");
    let enabled = ui.is_enabled();
    r.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, enabled, &name));
    r
}

/// Removing a space removes its flows too, in one undo step.
pub fn remove_space(ops: &Operations, id: &str) -> Edit {
    let mut edits: Vec<Edit> = ops
        .flows_of(id)
        .map(|f| Edit::PutFlow { id: f.id.clone(), flow: None, pos: 0, label: EditLabel::RemoveFlow })
        .collect();
    edits.push(Edit::PutSpace { id: id.to_string(), space: None, pos: 0, label: EditLabel::RemoveSpace });
    Edit::Batch { label: EditLabel::RemoveSpace, edits }
}

fn flows_section(ui: &mut egui::Ui, st: &mut OperationsState, v: &View, out: &mut Vec<Action>) {
    let lang = v.lang;
    let plan = v.doc.plan();
    let ops = &plan.operations;
    ui.horizontal(|ui| {
        ui.label(RichText::new(tr(lang, "现金流", "Cash flows")).strong());
        if ui.button(tr(lang, "添加现金流…", "Add flow…")).clicked() {
            st.flow_form = Some(FlowForm::new(ops, None));
        }
    });
    egui::Grid::new("ops_flows").striped(true).num_columns(5).show(ui, |ui| {
        for f in &ops.flows {
            ui.label(flow_name(f, lang));
            ui.label(RichText::new(f.kind.name(lang)).small());
            ui.label(format!("{} {}", format_yuan(f.yuan_per_year), tr(lang, "元/年", "yuan/yr")));
            ui.label(format!("{}–{}", f.start_year, f.end_year));
            ui.horizontal(|ui| {
                let name = flow_name(f, lang);
                if row_button(ui, tr(lang, "编辑", "Edit"), name, None).on_hover_text(&f.id).clicked() {
                    st.flow_form = Some(FlowForm::new(ops, Some(f)));
                }
                if row_button(ui, tr(lang, "删除", "Remove"), name, Some(ERROR)).on_hover_text(&f.id).clicked() {
                    out.push(Action::Edit(Edit::PutFlow {
                        id: f.id.clone(),
                        flow: None,
                        pos: 0,
                        label: EditLabel::RemoveFlow,
                    }));
                    if st.flow_form.as_ref().is_some_and(|x| x.editing.as_deref() == Some(&f.id)) {
                        st.flow_form = None;
                    }
                }
            });
            ui.end_row();
        }
    });
    if ops.flows.is_empty() {
        ui.label(RichText::new(tr(lang, "还没有现金流。", "No cash flows yet.")).weak());
    }
    if let Some(form) = st.flow_form.as_mut() {
        let done = ui.group(|ui| flow_form(ui, form, plan, lang)).inner;
        if let Some(done) = done {
            out.extend(done.map(Action::Edit));
            st.flow_form = None;
        }
    }
}

/// A form row: a label and the one-line field it names.
fn text_row(ui: &mut egui::Ui, label: &str, text: &mut String, width: f32) -> egui::Response {
    let l = ui.label(label);
    let r = ui.add(egui::TextEdit::singleline(text).desired_width(width)).labelled_by(l.id);
    ui.end_row();
    r
}

/// A whole year typed into a form, or why it is not one.
fn parse_year(text: &str, what: &str, lang: Lang) -> Result<i32, String> {
    text.trim().parse::<i32>().map_err(|_| match lang {
        Lang::Zh => format!("{what}“{}”不是年份（如 2020）", text.trim()),
        Lang::En => format!("{what} \"{}\" is not a year (like 2020)", text.trim()),
    })
}

/// A number typed into a form (`1,200.5` and full-width commas read too).
fn parse_number(text: &str, what: &str, lang: Lang) -> Result<f64, String> {
    let t = text.trim().replace([',', '，'], "").replace('−', "-");
    t.trim_end_matches('%').trim().parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| match lang {
        Lang::Zh => format!("{what}“{}”不是数字", text.trim()),
        Lang::En => format!("{what} \"{}\" is not a number", text.trim()),
    })
}

/// The space form: add (`editing: None`) or change a space.
struct SpaceForm {
    editing: Option<String>,
    pos: usize,
    id: String,
    feature: String,
    name_zh: String,
    name_en: String,
    operator: String,
    use_: String,
    area: String,
    start: String,
    end: String,
    items: String,
}

impl SpaceForm {
    fn new(ops: &Operations, s: Option<&Space>, selected: Option<String>) -> SpaceForm {
        match s {
            Some(s) => SpaceForm {
                editing: Some(s.id.clone()),
                pos: ops.spaces.iter().position(|x| x.id == s.id).unwrap_or(ops.spaces.len()),
                id: s.id.clone(),
                feature: s.feature.clone(),
                name_zh: s.name_zh.clone(),
                name_en: s.name_en.clone().unwrap_or_default(),
                operator: s.operator.clone(),
                use_: s.use_.clone(),
                area: format!("{}", s.area_m2),
                start: s.term_start.to_string(),
                end: s.term_end.to_string(),
                items: s.items.join(", "),
            },
            None => {
                let year = crate::model::item::today().get(..4).and_then(|y| y.parse::<i32>().ok()).unwrap_or(2025);
                SpaceForm {
                    editing: None,
                    pos: ops.spaces.len(),
                    id: ops.new_id("sp"),
                    feature: selected.unwrap_or_default(),
                    name_zh: String::new(),
                    name_en: String::new(),
                    // The operator of the ledger's other spaces, as a start.
                    operator: ops.spaces.last().map(|s| s.operator.clone()).unwrap_or_default(),
                    use_: USES[0].0.to_string(),
                    area: String::new(),
                    start: year.to_string(),
                    end: (year + 19).to_string(),
                    items: String::new(),
                }
            }
        }
    }

    /// The space the form describes, or everything wrong with it, worded.
    fn build(&self, plan: &Plan, lang: Lang) -> Result<Space, Vec<String>> {
        let mut errs = Vec::new();
        let area = if self.area.trim().is_empty() {
            Ok(0.0)
        } else {
            parse_number(&self.area, tr(lang, "面积", "Area"), lang)
        };
        let start = parse_year(&self.start, tr(lang, "开始年份", "Term start"), lang);
        let end = parse_year(&self.end, tr(lang, "结束年份", "Term end"), lang);
        for e in [area.as_ref().err(), start.as_ref().err(), end.as_ref().err()].into_iter().flatten() {
            errs.push(e.clone());
        }
        let space = Space {
            id: self.id.trim().to_string(),
            feature: self.feature.trim().to_string(),
            name_zh: self.name_zh.trim().to_string(),
            name_en: Some(self.name_en.trim().to_string()).filter(|n| !n.is_empty()),
            operator: self.operator.trim().to_string(),
            use_: self.use_.trim().to_string(),
            area_m2: area.unwrap_or(0.0),
            term_start: start.unwrap_or(2000),
            term_end: end.unwrap_or(2000),
            items: self
                .items
                .split([',', '，', ' '])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
        };
        let mut faults = space.problems();
        if !errs.is_empty() {
            // A year that is not a number is named once, not again through the placeholder it was read as.
            faults.retain(|f| !matches!(f, crate::model::operations::Fault::EndsBeforeStart { .. }));
        }
        errs.extend(faults.iter().map(|f| f.message(lang)));
        if self.editing.is_none() && plan.operations.space(&space.id).is_some() {
            errs.push(crate::model::operations::Fault::DuplicateId.message(lang));
        }
        if space.feature.is_empty() {
            errs.push(
                tr(
                    lang,
                    "请填写要素（在地图上选中后再添加即自动填入）",
                    "Give the feature (select it on the map first to fill it in)",
                )
                .into(),
            );
        } else if !plan.has_key(&space.feature) {
            errs.push(crate::model::operations::Fault::NoFeature(space.feature.clone()).message(lang));
        }
        for i in &space.items {
            if !plan.items.contains_key(i) {
                errs.push(crate::model::operations::Fault::NoItem(i.clone()).message(lang));
            }
        }
        if errs.is_empty() { Ok(space) } else { Err(errs) }
    }
}

/// Draws the space form; `Some(edit)` when saved, `Some(None)` when cancelled.
fn space_form(ui: &mut egui::Ui, f: &mut SpaceForm, plan: &Plan, lang: Lang) -> Option<Option<Edit>> {
    ui.label(
        RichText::new(if f.editing.is_some() {
            tr(lang, "编辑经营空间", "Edit space")
        } else {
            tr(lang, "新经营空间", "New space")
        })
        .strong(),
    );
    egui::Grid::new("ops_space_form").num_columns(2).show(ui, |ui| {
        if f.editing.is_none() {
            text_row(ui, tr(lang, "空间编号", "Space id"), &mut f.id, 200.0);
        }
        text_row(ui, tr(lang, "要素", "Feature"), &mut f.feature, 200.0);
        text_row(ui, tr(lang, "名称", "Name"), &mut f.name_zh, 200.0);
        text_row(ui, tr(lang, "英文名称", "English name"), &mut f.name_en, 200.0);
        text_row(ui, tr(lang, "运营方", "Operator"), &mut f.operator, 200.0);
        let l = ui.label(tr(lang, "业态", "Use"));
        ui.horizontal(|ui| {
            egui::ComboBox::from_id_salt("ops_space_use")
                .selected_text(use_name(&f.use_, lang).to_string())
                .show_ui(ui, |ui| {
                    for (code, _, _) in USES {
                        ui.selectable_value(&mut f.use_, code.to_string(), use_name(code, lang));
                    }
                })
                .response
                .labelled_by(l.id);
            let o = ui.label(tr(lang, "或自填", "or type"));
            ui.add(egui::TextEdit::singleline(&mut f.use_).desired_width(100.0)).labelled_by(o.id);
        });
        ui.end_row();
        text_row(ui, tr(lang, "面积 m²", "Area m²"), &mut f.area, 100.0);
        text_row(ui, tr(lang, "经营权起始年", "Term start"), &mut f.start, 80.0);
        text_row(ui, tr(lang, "经营权结束年", "Term end"), &mut f.end, 80.0);
        text_row(ui, tr(lang, "开放所需项目（逗号分隔）", "Items that open it (comma separated)"), &mut f.items, 200.0);
    });
    form_footer(ui, f.build(plan, lang), tr(lang, "保存空间", "Save space"), lang, |space| {
        let label = if f.editing.is_some() { EditLabel::EditSpace } else { EditLabel::AddSpace };
        let id = f.editing.clone().unwrap_or_else(|| space.id.clone());
        Edit::PutSpace { id, space: Some(Box::new(space)), pos: f.pos, label }
    })
}

/// The end of a form: what is wrong with it, in words, then Save (off while anything is) and Cancel.
/// `Some(Some(edit))`: saved; `Some(None)`: cancelled; `None`: still open.
fn form_footer<T>(
    ui: &mut egui::Ui,
    built: Result<T, Vec<String>>,
    save: &str,
    lang: Lang,
    edit: impl FnOnce(T) -> Edit,
) -> Option<Option<Edit>> {
    if let Err(errs) = &built {
        for e in errs {
            ui.colored_label(ERROR, e);
        }
    }
    let mut done = None;
    ui.horizontal(|ui| {
        let clicked = ui.add_enabled(built.is_ok(), egui::Button::new(save)).clicked();
        let cancel = ui.button(tr(lang, "取消", "Cancel")).clicked();
        if clicked && let Ok(v) = built {
            done = Some(Some(edit(v)));
        } else if cancel {
            done = Some(None);
        }
    });
    done
}

/// The flow form: add (`editing: None`) or change a flow.
struct FlowForm {
    editing: Option<String>,
    pos: usize,
    id: String,
    kind: FlowKind,
    name_zh: String,
    name_en: String,
    space: Option<String>,
    yuan: String,
    rate: String,
    start: String,
    end: String,
    growth: String,
}

impl FlowForm {
    fn new(ops: &Operations, f: Option<&Flow>) -> FlowForm {
        match f {
            Some(f) => FlowForm {
                editing: Some(f.id.clone()),
                pos: ops.flows.iter().position(|x| x.id == f.id).unwrap_or(ops.flows.len()),
                id: f.id.clone(),
                kind: f.kind,
                name_zh: f.name_zh.clone(),
                name_en: f.name_en.clone().unwrap_or_default(),
                space: f.space.clone(),
                yuan: format_yuan(f.yuan_per_year),
                rate: f.collection_rate.map(pct_text).unwrap_or_default(),
                start: f.start_year.to_string(),
                end: f.end_year.to_string(),
                growth: pct_text(f.growth),
            },
            None => {
                let space = ops.spaces.first();
                FlowForm {
                    editing: None,
                    pos: ops.flows.len(),
                    id: ops.new_id("cf"),
                    kind: FlowKind::Rent,
                    name_zh: String::new(),
                    name_en: String::new(),
                    space: space.map(|s| s.id.clone()),
                    yuan: String::new(),
                    rate: String::new(),
                    start: space.map_or(2025, |s| s.term_start).to_string(),
                    end: space.map_or(2044, |s| s.term_end).to_string(),
                    growth: "0".into(),
                }
            }
        }
    }

    fn build(&self, plan: &Plan, lang: Lang) -> Result<Flow, Vec<String>> {
        let mut errs = Vec::new();
        let yuan = parse_yuan(&self.yuan)
            .map_err(|e| format!("{}: {}", tr(lang, "每年金额", "Yuan per year"), lang.strings().money_error(e)));
        let rate = if self.rate.trim().is_empty() {
            Ok(None)
        } else {
            parse_number(&self.rate, tr(lang, "收缴率", "Collection rate"), lang).map(|p| Some(p / 100.0))
        };
        let growth = if self.growth.trim().is_empty() {
            Ok(0.0)
        } else {
            parse_number(&self.growth, tr(lang, "年增长率", "Yearly growth"), lang).map(|p| p / 100.0)
        };
        let start = parse_year(&self.start, tr(lang, "开始年份", "Start year"), lang);
        let end = parse_year(&self.end, tr(lang, "结束年份", "End year"), lang);
        let parse_failed = yuan.is_err() || rate.is_err() || growth.is_err() || start.is_err() || end.is_err();
        for e in
            [yuan.as_ref().err(), rate.as_ref().err(), growth.as_ref().err(), start.as_ref().err(), end.as_ref().err()]
                .into_iter()
                .flatten()
        {
            errs.push(e.clone());
        }
        let flow = Flow {
            id: self.id.trim().to_string(),
            kind: self.kind,
            name_zh: self.name_zh.trim().to_string(),
            name_en: Some(self.name_en.trim().to_string()).filter(|n| !n.is_empty()),
            space: self.space.clone(),
            yuan_per_year: yuan.unwrap_or(0),
            collection_rate: rate.unwrap_or(None),
            start_year: start.unwrap_or(2000),
            end_year: end.unwrap_or(2000),
            growth: growth.unwrap_or(0.0),
        };
        let mut faults = flow.problems();
        if parse_failed {
            faults.retain(|f| !matches!(f, crate::model::operations::Fault::EndsBeforeStart { .. }));
        }
        errs.extend(faults.iter().map(|f| f.message(lang)));
        if self.editing.is_none() && plan.operations.flow(&flow.id).is_some() {
            errs.push(crate::model::operations::Fault::DuplicateId.message(lang));
        }
        if let Some(sp) = &flow.space
            && plan.operations.space(sp).is_none()
        {
            errs.push(crate::model::operations::Fault::NoSpace(sp.clone()).message(lang));
        }
        if errs.is_empty() { Ok(flow) } else { Err(errs) }
    }
}

/// Draws the flow form; `Some(edit)` when saved, `Some(None)` when cancelled.
fn flow_form(ui: &mut egui::Ui, f: &mut FlowForm, plan: &Plan, lang: Lang) -> Option<Option<Edit>> {
    let ops = &plan.operations;
    ui.label(
        RichText::new(if f.editing.is_some() {
            tr(lang, "编辑现金流", "Edit flow")
        } else {
            tr(lang, "新现金流", "New flow")
        })
        .strong(),
    );
    egui::Grid::new("ops_flow_form").num_columns(2).show(ui, |ui| {
        if f.editing.is_none() {
            text_row(ui, tr(lang, "现金流编号", "Flow id"), &mut f.id, 200.0);
        }
        let l = ui.label(tr(lang, "类型", "Kind"));
        egui::ComboBox::from_id_salt("ops_flow_kind")
            .selected_text(f.kind.name(lang))
            .show_ui(ui, |ui| {
                for k in FlowKind::ALL {
                    ui.selectable_value(&mut f.kind, k, k.name(lang));
                }
            })
            .response
            .labelled_by(l.id);
        ui.end_row();
        text_row(ui, tr(lang, "名称", "Name"), &mut f.name_zh, 200.0);
        text_row(ui, tr(lang, "英文名称", "English name"), &mut f.name_en, 200.0);
        let l = ui.label(tr(lang, "所属", "On"));
        let plan_word = tr(lang, "整个规划", "The plan as a whole");
        let shown = f.space.as_deref().map_or(plan_word.to_string(), |id| {
            ops.space(id).map_or(id.to_string(), |s| space_name(s, lang).to_string())
        });
        egui::ComboBox::from_id_salt("ops_flow_space")
            .selected_text(shown)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut f.space, None, plan_word);
                for s in &ops.spaces {
                    ui.selectable_value(&mut f.space, Some(s.id.clone()), space_name(s, lang));
                }
            })
            .response
            .labelled_by(l.id);
        ui.end_row();
        text_row(ui, tr(lang, "每年金额（元）", "Yuan per year"), &mut f.yuan, 140.0)
            .on_hover_text(lang.strings().amount_hint);
        text_row(ui, tr(lang, "收缴率 %（空：全额）", "Collection rate % (empty: all)"), &mut f.rate, 80.0);
        text_row(ui, tr(lang, "开始年份", "Start year"), &mut f.start, 80.0);
        text_row(ui, tr(lang, "结束年份", "End year"), &mut f.end, 80.0);
        text_row(ui, tr(lang, "年增长率 %", "Yearly growth %"), &mut f.growth, 80.0);
    });
    form_footer(ui, f.build(plan, lang), tr(lang, "保存现金流", "Save flow"), lang, |flow| {
        let label = if f.editing.is_some() { EditLabel::EditFlow } else { EditLabel::AddFlow };
        let id = f.editing.clone().unwrap_or_else(|| flow.id.clone());
        Edit::PutFlow { id, flow: Some(Box::new(flow)), pos: f.pos, label }
    })
}

/// The ledger's settings being changed.
struct SettingsForm {
    /// The settings it was filled from: when an edit or undo changes them, the form follows.
    from: (f64, bool, Option<String>, Option<i32>),
    discount: String,
    illustrative: bool,
    note: String,
    early_end: String,
}

fn settings_section(ui: &mut egui::Ui, st: &mut OperationsState, v: &View, out: &mut Vec<Action>) {
    let lang = v.lang;
    let ops = &v.doc.plan().operations;
    egui::CollapsingHeader::new(tr(lang, "台账设置", "Ledger settings")).id_salt("ops_settings").show(ui, |ui| {
        let now = (ops.discount_rate, ops.illustrative, ops.note.clone(), ops.early_subsidy_end);
        if st.settings.as_ref().is_some_and(|f| f.from != now) {
            st.settings = None;
        }
        let f = st.settings.get_or_insert_with(|| SettingsForm {
            from: now.clone(),
            discount: pct_text(ops.discount_rate),
            illustrative: ops.illustrative,
            note: ops.note.clone().unwrap_or_default(),
            early_end: ops.early_subsidy_end.map(|y| y.to_string()).unwrap_or_default(),
        });
        egui::Grid::new("ops_settings_form").num_columns(2).show(ui, |ui| {
            text_row(ui, tr(lang, "折现率 %", "Discount rate %"), &mut f.discount, 80.0);
            ui.label("");
            ui.checkbox(
                &mut f.illustrative,
                tr(lang, "示意数据（非运营方账目）", "Illustrative figures (not the operator's books)"),
            );
            ui.end_row();
            text_row(ui, tr(lang, "数据说明", "Note on the figures"), &mut f.note, 300.0);
            text_row(
                ui,
                tr(
                    lang,
                    "敏感性：补贴提前停止于（空：首笔补贴第五年）",
                    "Sensitivity: subsidy stops after (empty: 5th year of the first)",
                ),
                &mut f.early_end,
                80.0,
            );
        });
        let discount = parse_number(&f.discount, tr(lang, "折现率", "Discount rate"), lang).map(|p| p / 100.0);
        let early = if f.early_end.trim().is_empty() {
            Ok(None)
        } else {
            parse_year(&f.early_end, tr(lang, "补贴停止年份", "Subsidy stop year"), lang).and_then(|y| {
                if crate::model::operations::YEARS.contains(&y) {
                    Ok(Some(y))
                } else {
                    Err(crate::model::operations::Fault::YearOutOfRange(y).message(lang))
                }
            })
        };
        let mut errs: Vec<String> =
            [discount.as_ref().err(), early.as_ref().err()].into_iter().flatten().cloned().collect();
        if let Ok(d) = discount
            && (!d.is_finite() || !(-0.5..=1.0).contains(&d))
        {
            errs.push(crate::model::operations::Fault::DiscountRate(d).message(lang));
        }
        for e in &errs {
            ui.colored_label(ERROR, e);
        }
        let (apply, reset) = ui
            .horizontal(|ui| {
                let apply = ui.add_enabled(errs.is_empty(), egui::Button::new(tr(lang, "应用设置", "Apply settings")));
                (apply.clicked(), ui.button(tr(lang, "还原", "Reset")).clicked())
            })
            .inner;
        if apply && let (Ok(d), Ok(e)) = (discount, early) {
            let mut next = ops.clone();
            next.discount_rate = d;
            next.illustrative = f.illustrative;
            next.note = Some(f.note.trim().to_string()).filter(|n| !n.is_empty());
            next.early_subsidy_end = e;
            if next != *ops {
                out.push(Action::Edit(Edit::SetOperations {
                    operations: Box::new(next),
                    label: EditLabel::EditLedger,
                }));
            }
        }
        if apply || reset {
            st.settings = None;
        }
    });
}
