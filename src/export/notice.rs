//! The public notice (公示) of a matter's result, as PDF (`export --notice
//! MATTER`, `What::Notice`): A4 portrait pages with the matter (Chinese, and
//! English under it), the rule in words, the dates, the counts and shares —
//! households and area in scope, taking part, agreeing, disagreeing,
//! abstaining —, passed or not and what is still missing, then a table per
//! building (per 单元 for a matter put to 单元s) from
//! [`crate::model::consent::tally_by`], continued on further pages. No personal
//! data: only counts. Pages are SVG drawn with the bundled font and made PDF
//! by [`super::handout::pdf_pages`], as the handout's.

use std::fmt::Write;

use crate::error::ExportError;
use crate::model::consent::{Base, Count, Matter, Scope, Tally, tally, tally_by};
use crate::model::{Lang, Plan};
use crate::render::svg::{FONT_FAMILY, esc};

use super::handout::{font_safe, pdf_pages, text_width, wrap};

/// A4 portrait in PDF points.
const PAGE: [f32; 2] = [595.0, 842.0];
const MARGIN: f32 = 50.0;
/// The lowest a table row may reach before the page's footer.
const BOTTOM: f32 = PAGE[1] - 80.0;
const ROW: f32 = 17.0;

fn text(out: &mut String, x: f32, y: f32, size: f32, color: &str, anchor: &str, s: &str) {
    let _ = write!(
        out,
        r#"<text x="{x:.2}" y="{y:.2}" font-family="{FONT_FAMILY}" font-size="{size}" fill="{color}" text-anchor="{anchor}">{}</text>"#,
        esc(&font_safe(s))
    );
}

/// Wrapped text from `y` down; returns the y under it.
fn para(out: &mut String, x: f32, mut y: f32, size: f32, color: &str, s: &str, width: f32) -> f32 {
    for line in wrap(s, size, width) {
        y += size * 1.45;
        text(out, x, y, size, color, "start", &line);
    }
    y
}

/// A share as a percentage with one decimal, or "—" of nothing.
fn pct(part: i64, whole: i64) -> String {
    if whole <= 0 { "—".into() } else { format!("{:.1}%", part as f64 * 100.0 / whole as f64) }
}

/// A table: columns (title, width, right-aligned), rows of cells; the header on a grey band.
struct Table<'a> {
    columns: &'a [(&'a str, f32, bool)],
}

impl Table<'_> {
    fn row(&self, out: &mut String, y: f32, cells: &[String], head: bool) {
        let mut x = MARGIN;
        let width: f32 = self.columns.iter().map(|c| c.1).sum();
        if head {
            let _ = write!(
                out,
                r##"<rect x="{MARGIN}" y="{:.2}" width="{width:.2}" height="{ROW}" fill="#ECE7DC"/>"##,
                y - ROW + 4.5
            );
        }
        for ((_, w, right), cell) in self.columns.iter().zip(cells) {
            // A cell too long for its column is shrunk to fit.
            let size = (9.0f32 * (w - 8.0) / text_width(cell, 9.0).max(1.0)).min(9.0);
            if *right {
                text(out, x + w - 4.0, y, size, "#222222", "end", cell);
            } else {
                text(out, x + 4.0, y, size, "#222222", "start", cell);
            }
            x += w;
        }
        let _ = write!(
            out,
            r##"<line x1="{MARGIN}" y1="{:.2}" x2="{:.2}" y2="{:.2}" stroke="#C8C2B6" stroke-width="0.5"/>"##,
            y + 4.5,
            MARGIN + width,
            y + 4.5
        );
    }
}

fn page_head(out: &mut String) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}"><rect width="{w}" height="{h}" fill="white"/>"#,
        w = PAGE[0],
        h = PAGE[1]
    );
}

/// The name a group's building is shown by: `101楼` / `Building 101`, else its name, else its key.
fn building_name(plan: &Plan, key: &str, lang: Lang) -> String {
    plan.by_key(key)
        .and_then(|id| plan.get(id))
        .and_then(|f| crate::model::item::short_name(f, lang))
        .unwrap_or_else(|| key.to_string())
}

/// The notice of `matter` as SVG pages.
pub fn notice_pages(plan: &Plan, matter: &Matter, lang: Lang, date: &str) -> Vec<String> {
    let w = lang.consent_words();
    let consent = &plan.consent;
    let rule = consent.rule(&matter.rule);
    let t: Tally = tally(consent, matter);
    let inner = PAGE[0] - 2.0 * MARGIN;
    let mut pages: Vec<String> = Vec::new();
    let mut out = String::new();
    page_head(&mut out);

    // Title, plan, matter.
    let plan_name = plan.meta.name.clone().unwrap_or_default();
    text(&mut out, PAGE[0] / 2.0, 62.0, 20.0, "#222222", "middle", w.notice_title);
    if !plan_name.is_empty() {
        text(&mut out, PAGE[0] / 2.0, 82.0, 10.0, "#666666", "middle", &plan_name);
    }
    let mut y = 100.0;
    let title_pt = (15.0f32 * inner / text_width(&matter.title_zh, 15.0).max(1.0)).min(15.0);
    y += 18.0;
    text(&mut out, MARGIN, y, title_pt, "#222222", "start", &matter.title_zh);
    if !matter.title_en.is_empty() {
        y = para(&mut out, MARGIN, y, 10.0, "#555555", &matter.title_en, inner);
    }
    let _ = write!(
        out,
        r##"<text x="{:.2}" y="{:.2}" font-family="{FONT_FAMILY}" font-size="7" fill="#999999" text-anchor="end">{}</text>"##,
        PAGE[0] - MARGIN,
        100.0,
        esc(&matter.id)
    );

    // Rule, dates.
    y += 10.0;
    let rule_line = match rule {
        Some(r) => format!("{}：{}", w.rule, r.name(lang)).replace('：', if lang == Lang::Zh { "：" } else { ": " }),
        None => format!("{}: {} ({})", w.rule, matter.rule, w.unknown_rule),
    };
    y = para(&mut out, MARGIN, y, 10.5, "#222222", &rule_line, inner);
    if let Some(r) = rule {
        let desc = match lang {
            Lang::Zh => r.description_zh.as_deref(),
            Lang::En => r.description_en.as_deref().or(r.description_zh.as_deref()),
        };
        if let Some(d) = desc {
            y = para(&mut out, MARGIN, y, 9.0, "#444444", d, inner);
        }
        let sep = if lang == Lang::Zh { "：" } else { ": " };
        y = para(&mut out, MARGIN, y, 9.0, "#444444", &format!("{}{sep}{}", w.requires, w.rule_terms(r)), inner);
    }
    let sep = if lang == Lang::Zh { "：" } else { ": " };
    let gap = if lang == Lang::Zh { "　" } else { "; " };
    let period = match (&matter.opens, &matter.closes) {
        (Some(a), Some(b)) => format!("{}{sep}{a} {} {b}{gap}", w.period, w.period_to),
        (Some(a), None) => format!("{}{sep}{a}{gap}", w.period),
        (None, Some(b)) => format!("{}{sep}{} {b}{gap}", w.period, w.period_to),
        (None, None) => String::new(),
    };
    y = para(&mut out, MARGIN, y, 9.0, "#444444", &format!("{period}{}{sep}{date}", w.notice_date), inner);

    // The counts.
    y += 16.0;
    let counts = Table {
        columns: &[
            ("", 135.0, false),
            (w.households, 80.0, true),
            (w.share, 70.0, true),
            (w.area, 110.0, true),
            (w.share, 100.0, true),
        ],
    };
    let head: Vec<String> = counts.columns.iter().map(|c| c.0.to_string()).collect();
    counts.row(&mut out, y, &head, true);
    let base = rule.map(|r| r.agree_of).unwrap_or(Base::Scope);
    let of = |c: &Count, whole: &Count| {
        vec![
            c.households.to_string(),
            pct(c.households as i64, whole.households as i64),
            format!("{:.2}", c.area_m2()),
            pct(c.area_centi, whole.area_centi),
        ]
    };
    let among = if base == Base::Participants { t.voted } else { t.scope };
    for (name, c, whole) in [
        (w.in_scope, t.scope, t.scope),
        (w.taking_part, t.voted, t.scope),
        (w.agree, t.agree, among),
        (w.disagree, t.disagree, among),
        (w.abstain, t.abstain, among),
    ] {
        y += ROW;
        let mut cells = vec![name.to_string()];
        cells.extend(of(&c, &whole));
        counts.row(&mut out, y, &cells, false);
    }
    y = para(
        &mut out,
        MARGIN,
        y + 2.0,
        8.0,
        "#666666",
        if base == Base::Participants { w.shares_of_participants } else { w.shares_of_scope },
        inner,
    );

    // The result and what is missing.
    y += 24.0;
    let (word, color) = if t.passed { (w.passed, "#2E7D32") } else { (w.not_passed, "#C62828") };
    text(&mut out, MARGIN, y, 12.0, "#222222", "start", &format!("{}{sep}", w.result));
    let x = MARGIN + text_width(&format!("{}{sep}", w.result), 12.0) + 4.0;
    text(&mut out, x, y, 16.0, color, "start", word);
    if !t.passed {
        let mut lines: Vec<String> = t.missing.iter().map(|s| w.shortfall(s, base)).collect();
        if t.scope.households == 0 {
            lines.push(w.nobody_in_scope.to_string());
        }
        if !t.rule_known {
            lines.push(w.unknown_rule.to_string());
        }
        for l in lines {
            y = para(&mut out, MARGIN, y + 2.0, 10.0, "#C62828", &l, inner);
        }
    }

    // Per building or 单元, continued on further pages.
    let units = matches!(matter.scope, Scope::Units { .. });
    let groups = tally_by(consent, matter, units);
    let mut columns: Vec<(&str, f32, bool)> = vec![(w.building, 95.0, false)];
    if units {
        columns.push((w.unit, 50.0, false));
    }
    columns.extend([
        (w.households, 55.0, true),
        (w.taking_part, 60.0, true),
        (w.part_share, 55.0, true),
        (w.agree, 45.0, true),
        (w.agree_share_households, 67.0, true),
        (w.agree_share_area, 68.0, true),
    ]);
    if !units {
        // The building column takes the unit's width.
        columns[0].1 += 50.0;
    }
    let table = Table { columns: &columns };
    let head: Vec<String> = columns.iter().map(|c| c.0.to_string()).collect();
    let title = if units { w.by_unit } else { w.by_building };
    y += 30.0;
    if y + 3.0 * ROW > BOTTOM {
        pages.push(std::mem::take(&mut out));
        page_head(&mut out);
        y = 70.0;
    }
    text(&mut out, MARGIN, y, 12.0, "#222222", "start", title);
    y += ROW + 4.0;
    table.row(&mut out, y, &head, true);
    for g in &groups {
        if y + ROW > BOTTOM {
            pages.push(std::mem::take(&mut out));
            page_head(&mut out);
            y = 70.0;
            text(&mut out, MARGIN, y, 12.0, "#222222", "start", &format!("{title}{}", w.continued));
            y += ROW + 4.0;
            table.row(&mut out, y, &head, true);
        }
        y += ROW;
        let gt = &g.tally;
        let among = if base == Base::Participants { gt.voted } else { gt.scope };
        let mut cells = vec![building_name(plan, &g.building, lang)];
        if units {
            cells.push(g.unit.clone().unwrap_or_default());
        }
        cells.extend([
            gt.scope.households.to_string(),
            gt.voted.households.to_string(),
            pct(gt.voted.households as i64, gt.scope.households as i64),
            gt.agree.households.to_string(),
            pct(gt.agree.households as i64, among.households as i64),
            pct(gt.agree.area_centi, among.area_centi),
        ]);
        table.row(&mut out, y, &cells, false);
    }
    pages.push(out);

    // Footers: where the register came from, no personal data, the page.
    let n = pages.len();
    let note = consent.note.as_deref().map(|s| note_in(s, lang)).unwrap_or_default();
    pages
        .into_iter()
        .enumerate()
        .map(|(i, mut p)| {
            let mut fy = PAGE[1] - 62.0;
            let _ = write!(
                p,
                r##"<line x1="{MARGIN}" y1="{fy}" x2="{}" y2="{fy}" stroke="#C8C2B6" stroke-width="0.5"/>"##,
                PAGE[0] - MARGIN
            );
            let foot = if note.is_empty() { w.no_personal.to_string() } else { format!("{note} {}", w.no_personal) };
            for line in wrap(&foot, 7.5, inner - 70.0).into_iter().take(3) {
                fy += 11.0;
                text(&mut p, MARGIN, fy, 7.5, "#777777", "start", &line);
            }
            text(&mut p, PAGE[0] - MARGIN, PAGE[1] - 51.0, 8.0, "#777777", "end", &w.page(i + 1, n));
            p.push_str("</svg>");
            p
        })
        .collect()
}

/// The part of a bilingual note in `lang` (Jinsong's says it in Chinese, then English).
fn note_in(note: &str, lang: Lang) -> String {
    match note.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) if i > 0 && crate::model::has_cjk(&note[..i]) => match lang {
            Lang::Zh => note[..i].trim().to_string(),
            Lang::En => note[i..].trim().to_string(),
        },
        _ => note.to_string(),
    }
}

/// The notice of the matter `id` as PDF bytes; an unknown id is [`ExportError::NoMatter`].
pub fn notice_pdf(plan: &Plan, id: &str, lang: Lang, date: &str) -> Result<(Vec<u8>, usize), ExportError> {
    let matter = plan.consent.matter(id).ok_or_else(|| ExportError::NoMatter {
        id: id.to_string(),
        known: plan.consent.matters.iter().map(|m| m.id.clone()).collect(),
    })?;
    let pages = notice_pages(plan, matter, lang, date);
    let n = pages.len();
    Ok((pdf_pages(pages)?, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_says_the_tally_and_continues_long_tables() {
        let plan = crate::io::load_jinsong().plan;
        let m = plan.consent.matter("m-property").expect("a matter");
        let t = tally(&plan.consent, m);
        let pages = notice_pages(&plan, m, Lang::Zh, "2026-12-01");
        assert!(pages.len() >= 2, "43 buildings do not fit one page: {}", pages.len());
        let all = pages.concat();
        assert!(all.contains("引入专业物业"), "the matter in Chinese");
        assert!(all.contains("Bringing in a professional property service"), "and in English");
        assert!(all.contains(&format!(">{}<", t.agree.households)), "agreeing households");
        assert!(all.contains(&format!(">{:.2}<", t.agree.area_m2())), "agreeing area");
        assert!(all.contains(">通过<") && all.contains("双过半"));
        assert!(all.contains("续"), "the table continues");
        assert!(all.contains("第 2 / "));
        // An elevator matter not passed says what is missing, per 单元.
        let m = plan.consent.matter("m-elevator-107-2").expect("a matter");
        let all = notice_pages(&plan, m, Lang::En, "2026-12-01").concat();
        assert!(all.contains(">NOT PASSED<") && all.contains("needs"), "what is missing");
        assert!(all.contains("By entrance"));
        let e = notice_pdf(&plan, "m-nothing", Lang::Zh, "2026-12-01").expect_err("unknown");
        assert!(e.to_string().contains("m-property, m-bikeshed"), "{e}");
    }
}
