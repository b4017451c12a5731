//! The operations ledger for people without the app (`export --operations`, the schedule workbook's
//! 运营收益 sheet): the yearly rows — investment, revenue, cost, subsidy, net, cumulative — under a
//! scenario as CSV (UTF-8 with a BOM) or XLSX, with the payback year, NPV and IRR, and the
//! sensitivity table a meeting reads. The investment is the social capital of the items `info`
//! counts (their status after the renewal), so the rows recompute to `info --json`'s.

use rust_xlsxwriter::{Format, Workbook, Worksheet};

use crate::error::ExportError;
use crate::model::operations::{Ledger, Scenario, compute_with, sensitivity};
use crate::model::phase::item_statuses;
use crate::model::{Lang, Phase, Plan};

use super::tables::{csv_text, xlsx_head};

/// The columns of the yearly table: Chinese, then the `info --json` name.
pub const COLUMNS: [(&str, &str); 7] = [
    ("年份", "year"),
    ("社会资本投入（元）", "investment_yuan"),
    ("经营收入（元）", "revenue_yuan"),
    ("运营成本（元）", "cost_yuan"),
    ("政府购买服务（元）", "subsidy_yuan"),
    ("净收益（元）", "net_yuan"),
    ("累计（元）", "cumulative_yuan"),
];

/// The ledger as `info` works it out (items at their status after the renewal), under a scenario.
pub fn ledger(plan: &Plan, scenario: &Scenario) -> Ledger {
    compute_with(plan, item_statuses(plan, &Phase::After).map(|(i, _)| i), scenario)
}

/// A header cell in both languages: `年份 year`.
fn head_cell((zh, en): (&str, &str)) -> String {
    format!("{zh} {en}")
}

fn cells(r: &crate::model::operations::YearRow) -> [i64; 7] {
    [i64::from(r.year), r.investment_yuan, r.revenue_yuan, r.cost_yuan, r.subsidy_yuan, r.net_yuan, r.cumulative_yuan]
}

/// The yearly rows as CSV text: a UTF-8 BOM, one header row (Chinese and English), a row a year.
pub fn cashflow_csv(ledger: &Ledger) -> String {
    let header = COLUMNS.iter().map(|c| head_cell(*c)).collect::<Vec<_>>();
    let rows = ledger.rows.iter().map(|r| cells(r).iter().map(|v| v.to_string()).collect::<Vec<_>>());
    csv_text(std::iter::once(header).chain(rows))
}

/// The scenario in words: `收入 80%，补贴 100%` / `revenue 80%, subsidy 100%, subsidy stops after 2023`.
pub fn scenario_words(s: &Scenario, lang: Lang) -> String {
    let pct = |v: f64| (v * 100.0).round();
    let mut out = match lang {
        Lang::Zh => format!("收入 {}%，补贴 {}%", pct(s.revenue_scale), pct(s.subsidy_scale)),
        Lang::En => format!("revenue {}%, subsidy {}%", pct(s.revenue_scale), pct(s.subsidy_scale)),
    };
    if let Some(y) = s.subsidy_until {
        out.push_str(&match lang {
            Lang::Zh => format!("，补贴至 {y} 年止"),
            Lang::En => format!(", subsidy stops after {y}"),
        });
    }
    out
}

/// The payback year in words (`2030`, `不回本` / `never`).
pub fn payback_words(year: Option<i32>, lang: Lang) -> String {
    match (year, lang) {
        (Some(y), _) => y.to_string(),
        (None, Lang::Zh) => "不回本".into(),
        (None, Lang::En) => "never".into(),
    }
}

/// The IRR in words (`12.3%`, `无` / `none`).
pub fn irr_words(irr: Option<f64>, lang: Lang) -> String {
    match (irr, lang) {
        (Some(r), _) => format!("{:.1}%", r * 100.0),
        (None, Lang::Zh) => "无".into(),
        (None, Lang::En) => "none".into(),
    }
}

/// The note every sheet of an illustrative ledger carries.
pub const ILLUSTRATIVE: &str = "示意数据 illustrative";

/// Writes the ledger onto a sheet from row `at`: the yearly table with its totals, then payback, NPV
/// and IRR. Returns the next free row.
fn write_ledger(ws: &mut Worksheet, plan: &Plan, ledger: &Ledger, lang: Lang, mut at: u32) -> Result<u32, ExportError> {
    let head = xlsx_head();
    let money = Format::new().set_num_format("#,##0");
    let bold_money = Format::new().set_num_format("#,##0").set_bold();
    let ops = &plan.operations;
    for (c, col) in COLUMNS.iter().enumerate() {
        ws.write_string_with_format(at, c as u16, head_cell(*col), &head)?;
        ws.set_column_width(c as u16, if c == 0 { 12 } else { 20 })?;
    }
    at += 1;
    for r in &ledger.rows {
        for (c, v) in cells(r).iter().enumerate() {
            if c == 0 {
                ws.write_number(at, 0, *v as f64)?;
            } else {
                ws.write_number_with_format(at, c as u16, *v as f64, &money)?;
            }
        }
        at += 1;
    }
    let t = ledger.totals();
    ws.write_string_with_format(at, 0, head_cell(("合计", "total")), &head)?;
    for (c, v) in cells(&t).iter().enumerate().skip(1) {
        ws.write_number_with_format(at, c as u16, *v as f64, &bold_money)?;
    }
    at += 2;
    let zh = lang == Lang::Zh;
    let lines: [(&str, String); 3] = [
        (if zh { "回本年份 payback year" } else { "payback year 回本年份" }, payback_words(ledger.payback_year, lang)),
        (
            if zh { "净现值 NPV（元）" } else { "NPV (yuan) 净现值" },
            format!(
                "{}（{} {}%）",
                crate::model::measure::group_thousands(ledger.npv_yuan.round()),
                if zh { "折现率" } else { "discount rate" },
                (ops.discount_rate * 10_000.0).round() / 100.0
            ),
        ),
        (if zh { "内部收益率 IRR" } else { "IRR 内部收益率" }, irr_words(ledger.irr, lang)),
    ];
    for (label, value) in lines {
        ws.write_string_with_format(at, 0, label, &head)?;
        ws.write_string(at, 1, value)?;
        at += 1;
    }
    Ok(at)
}

/// The header lines of a ledger sheet: the illustrative note and the ledger's own note.
fn write_notes(ws: &mut Worksheet, plan: &Plan, mut at: u32) -> Result<u32, ExportError> {
    let ops = &plan.operations;
    if ops.illustrative {
        let warn = Format::new().set_bold().set_font_color(rust_xlsxwriter::Color::RGB(0xB03A2E));
        ws.write_string_with_format(at, 0, ILLUSTRATIVE, &warn)?;
        at += 1;
    }
    if let Some(n) = ops.note.as_deref().filter(|n| !n.is_empty()) {
        ws.write_string(at, 0, n)?;
        at += 1;
    }
    Ok(at)
}

/// The cash-flow workbook (`export --operations -o cashflow.xlsx`): one sheet with the scenario, the
/// yearly rows and their totals, payback, NPV and IRR.
pub fn cashflow_xlsx(plan: &Plan, ledger: &Ledger, scenario: &Scenario, lang: Lang) -> Result<Vec<u8>, ExportError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("现金流 Cash flow")?;
    let mut at = write_notes(ws, plan, 0)?;
    ws.write_string(at, 0, scenario_words(scenario, lang))?;
    at += 2;
    write_ledger(ws, plan, ledger, lang, at)?;
    ws.set_freeze_panes(at + 1, 0)?;
    Ok(wb.save_to_buffer()?)
}

/// The 运营收益 sheet of the item schedule workbook: the ledger as planned, its totals, payback, NPV
/// and IRR, and the sensitivity table (payback year by revenue and subsidy). Nothing for a plan
/// with no ledger.
pub fn schedule_sheet(wb: &mut Workbook, plan: &Plan, lang: Lang) -> Result<(), ExportError> {
    if plan.operations.is_empty() {
        return Ok(());
    }
    let head = xlsx_head();
    let ws = wb.add_worksheet();
    ws.set_name("运营收益")?;
    let mut at = write_notes(ws, plan, 0)?;
    let l = ledger(plan, &Scenario::default());
    at = write_ledger(ws, plan, &l, lang, at)? + 1;
    let s = sensitivity(plan);
    let zh = lang == Lang::Zh;
    ws.write_string_with_format(
        at,
        0,
        if zh { "敏感性：回本年份 sensitivity: payback year" } else { "sensitivity: payback year 敏感性" },
        &head,
    )?;
    for (c, case) in s.subsidy.iter().enumerate() {
        ws.write_string_with_format(at, c as u16 + 1, case.label(lang), &head)?;
    }
    at += 1;
    for (r, scale) in s.revenue_scales.iter().enumerate() {
        let label = match lang {
            Lang::Zh => format!("收入 {}%", (scale * 100.0).round()),
            Lang::En => format!("revenue {}%", (scale * 100.0).round()),
        };
        ws.write_string_with_format(at, 0, label, &head)?;
        for (c, year) in s.payback[r].iter().enumerate() {
            match year {
                Some(y) => ws.write_number(at, c as u16 + 1, f64::from(*y))?,
                None => ws.write_string(at, c as u16 + 1, payback_words(None, lang))?,
            };
        }
        at += 1;
    }
    let problems = plan.operations.problems(plan);
    if !problems.is_empty() {
        at += 1;
        for p in problems {
            ws.write_string(at, 0, format!("⚠ {}", p.message(lang)))?;
            at += 1;
        }
    }
    Ok(())
}

/// A "nice" step for about `n` ticks over `span`: 1, 2 or 5 × 10^k.
fn nice_step(span: f64, n: f64) -> f64 {
    let raw = (span / n).max(1e-9);
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag)
}

/// The payback chart as SVG elements in the box `x, y, w, h` (points): the title with the payback
/// year, the cumulative net after investment as a line over the years, the zero line, the payback
/// year marked, each space's operating term as a band along the bottom, the years below and the
/// amounts in 万 yuan at the left; "示意数据 illustrative" when the ledger says so. Drawn from
/// [`crate::model::operations::chart`] of the ledger `info` prints.
pub fn payback_chart_svg(plan: &Plan, ledger: &Ledger, lang: Lang, [x, y, w, h]: [f32; 4]) -> String {
    use std::fmt::Write;
    let chart = crate::model::operations::chart(plan, ledger, lang);
    let zh = lang == Lang::Zh;
    let mut out = String::new();
    let text = |out: &mut String, tx: f32, ty: f32, size: f32, color: &str, anchor: &str, s: &str| {
        super::handout::svg_text(out, tx, ty, size, color, anchor, s)
    };
    let _ = write!(
        out,
        r##"<rect x="{x:.2}" y="{y:.2}" width="{w:.2}" height="{h:.2}" fill="white" stroke="#888888" stroke-width="0.8"/>"##
    );
    let title = if zh { "社会资本回本" } else { "Payback of social capital" };
    text(&mut out, x + 8.0, y + 16.0, 10.0, "#222222", "start", title);
    let payback = match (chart.payback_year, zh) {
        (Some(yr), true) => format!("回本年份 {yr}"),
        (Some(yr), false) => format!("payback year {yr}"),
        (None, true) => "不回本".into(),
        (None, false) => "never pays back".into(),
    };
    text(&mut out, x + 8.0, y + 30.0, 9.0, "#B03A2E", "start", &payback);
    if plan.operations.illustrative {
        text(&mut out, x + w - 8.0, y + 16.0, 7.5, "#B03A2E", "end", ILLUSTRATIVE);
    }
    let (Some(&(y0, _)), Some(&(y1, _))) = (chart.cumulative.first(), chart.cumulative.last()) else {
        text(
            &mut out,
            x + w / 2.0,
            y + h / 2.0,
            9.0,
            "#666666",
            "middle",
            if zh { "无逐年数据" } else { "no yearly rows" },
        );
        return out;
    };
    // The plot: room for the amounts at the left, the years and the term bands below.
    let bands = chart.terms.len().min(8) as f32;
    let band_h = 7.0;
    let (px, py) = (x + 40.0, y + 50.0);
    let (pw, ph) = (w - 48.0, (h - 50.0 - 30.0 - bands * (band_h + 1.5)).max(40.0));
    let lo = chart.cumulative.iter().map(|c| c.1).min().unwrap_or(0).min(0) as f64;
    let hi = chart.cumulative.iter().map(|c| c.1).max().unwrap_or(0).max(0) as f64;
    let step = nice_step((hi - lo).max(10_000.0), 4.0);
    let (lo, hi) = ((lo / step).floor() * step, (hi / step).ceil() * step);
    let span_years = (y1 - y0).max(1) as f32;
    let sx = |year: f32| px + (year - y0 as f32) / span_years * pw;
    let sy = |v: f64| py + ph - ((v - lo) / (hi - lo).max(1.0)) as f32 * ph;
    // Amounts (万 yuan) and grid.
    let mut v = lo;
    while v <= hi + step / 2.0 {
        let gy = sy(v);
        let _ = write!(out, r##"<path d="M{px:.2} {gy:.2} H{:.2}" stroke="#DDDDDD" stroke-width="0.5"/>"##, px + pw);
        let label = crate::model::measure::group_thousands(v / 10_000.0);
        text(&mut out, px - 3.0, gy + 2.5, 6.5, "#555555", "end", &label);
        v += step;
    }
    text(&mut out, px - 3.0, py - 6.0, 6.5, "#555555", "end", if zh { "万元" } else { "10k yuan" });
    // Zero line.
    let zy = sy(0.0);
    let _ = write!(
        out,
        r##"<path d="M{px:.2} {zy:.2} H{:.2}" stroke="#333333" stroke-width="0.8" stroke-dasharray="3 2"/>"##,
        px + pw
    );
    // Years.
    let year_step = nice_step(span_years as f64, 6.0).max(1.0) as i32;
    let mut yr = y0 - y0.rem_euclid(year_step);
    while yr <= y1 {
        if yr >= y0 {
            text(&mut out, sx(yr as f32), py + ph + 10.0, 6.5, "#555555", "middle", &yr.to_string());
        }
        yr += year_step;
    }
    // Terms as bands below the years.
    let by = py + ph + 15.0;
    for (k, (name, a, b)) in chart.terms.iter().take(8).enumerate() {
        let (a, b) = ((*a).max(y0) as f32, (*b).min(y1) as f32);
        if a > b {
            continue;
        }
        let ty = by + k as f32 * (band_h + 1.5);
        let _ = write!(
            out,
            r##"<rect x="{:.2}" y="{ty:.2}" width="{:.2}" height="{band_h}" fill="#4E8A5E" fill-opacity="0.45"><title>{}</title></rect>"##,
            sx(a),
            (sx(b) - sx(a)).max(1.0),
            crate::render::svg::esc(name)
        );
        // Named inside, as on screen (spaces on one term share a band: "9处经营空间 2019–2038").
        text(&mut out, sx(a) + 2.0, ty + band_h - 1.7, 5.2, "#1F3A28", "start", name);
    }
    if !chart.terms.is_empty() {
        let note = if zh { "绿色条：经营权期限" } else { "green bars: operating terms" };
        text(&mut out, px, y + h - 4.0, 6.0, "#555555", "start", note);
    }
    // The payback year marked.
    if let Some(p) = chart.payback_year {
        let mx = sx(p as f32);
        let _ = write!(
            out,
            r##"<path d="M{mx:.2} {py:.2} V{:.2}" stroke="#B03A2E" stroke-width="1" stroke-dasharray="2 2"/>"##,
            py + ph
        );
        let anchor = if mx > px + pw * 0.8 { "end" } else { "start" };
        let dx = if anchor == "end" { -3.0 } else { 3.0 };
        text(&mut out, mx + dx, py + 8.0, 7.0, "#B03A2E", anchor, &p.to_string());
    }
    // The cumulative line.
    let points: Vec<String> =
        chart.cumulative.iter().map(|(yr, c)| format!("{:.2},{:.2}", sx(*yr as f32), sy(*c as f64))).collect();
    let _ =
        write!(out, r##"<polyline points="{}" fill="none" stroke="#2F5D8A" stroke-width="1.6"/>"##, points.join(" "));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_and_results_in_words() {
        let s = Scenario { revenue_scale: 0.8, subsidy_scale: 1.0, subsidy_until: Some(2023) };
        assert_eq!(scenario_words(&s, Lang::Zh), "收入 80%，补贴 100%，补贴至 2023 年止");
        assert_eq!(scenario_words(&Scenario::default(), Lang::En), "revenue 100%, subsidy 100%");
        assert_eq!(payback_words(None, Lang::Zh), "不回本");
        assert_eq!(irr_words(Some(0.1234), Lang::En), "12.3%");
    }
}
