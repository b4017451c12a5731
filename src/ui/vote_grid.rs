//! The vote grid: a building's 单元 × floor × room grid for the matter in
//! focus, each cell a household coloured by its vote. A click cycles the vote
//! (none → agree → disagree → abstain → none); with the grid holding the
//! keyboard (after a click in it), arrows move and A / D / X / 0 or Delete /
//! Space set the vote of the cell under the cursor. A whole row or 单元 can be
//! filled with "agree". Each change is one `Edit::SetVotes` (one undo step),
//! dated and with the method chosen above the grid.
//!
//! The building is the one selected on the map (or chosen in the list, which
//! selects it), so clicking a building on the map shows its grid.

use eframe::egui::{self, Color32, Key, Modifiers, RichText, Sense, Stroke, vec2};

use super::action::Action;
use super::consent::{Counted, building_name, passed_text, tr};
use super::view::View;
use crate::edit::Edit;
use crate::i18n::Lang;
use crate::model::consent::{Choice, Consent, Household, Matter, Method, Vote, natural};
use crate::model::item::{is_date, today};
use crate::model::{FeatureId, Kind};

/// The grid's own state.
pub struct GridState {
    /// The grid takes the keyboard (set by a click in it, cleared by Esc or closing the panel).
    pub active: bool,
    /// The household under the keyboard cursor.
    cursor: Option<String>,
    /// How the votes entered now were cast.
    method: Method,
    /// When (`YYYY-MM-DD`, today unless changed).
    date: String,
}

impl Default for GridState {
    fn default() -> Self {
        GridState { active: false, cursor: None, method: Method::Paper, date: today() }
    }
}

pub const AGREE: Color32 = Color32::from_rgb(67, 160, 71);
pub const DISAGREE: Color32 = Color32::from_rgb(211, 47, 47);
pub const ABSTAIN: Color32 = Color32::from_rgb(245, 166, 35);

fn choice_color(c: Option<Choice>) -> Color32 {
    match c {
        Some(Choice::Agree) => AGREE,
        Some(Choice::Disagree) => DISAGREE,
        Some(Choice::Abstain) => ABSTAIN,
        None => Color32::WHITE,
    }
}

fn choice_name(c: Option<Choice>, lang: Lang) -> &'static str {
    match c {
        Some(Choice::Agree) => tr(lang, "同意", "agree"),
        Some(Choice::Disagree) => tr(lang, "不同意", "disagree"),
        Some(Choice::Abstain) => tr(lang, "弃权", "abstain"),
        None => tr(lang, "未表决", "no vote"),
    }
}

fn method_name(m: Method, lang: Lang) -> &'static str {
    match m {
        Method::Paper => tr(lang, "纸质表决票", "paper"),
        Method::InPerson => tr(lang, "当面", "in person"),
        Method::Online => tr(lang, "线上", "online"),
    }
}

/// The grid's accessible name of a household's cell: `2单元301` / `Entrance 2 room 301`.
pub fn cell_label(h: &Household, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{}单元{}", h.unit, h.room),
        Lang::En => format!("Entrance {} room {}", h.unit, h.room),
    }
}

/// A building's households laid out: 单元s left to right, each with its floors top down, rooms in order.
type Layout<'a> = Vec<(String, Vec<(i32, Vec<&'a Household>)>)>;

fn layout<'a>(households: impl Iterator<Item = &'a Household>) -> Layout<'a> {
    let mut out: Layout<'a> = Vec::new();
    for h in households {
        if out.last().is_none_or(|(u, _)| *u != h.unit) {
            out.push((h.unit.clone(), Vec::new()));
        }
        let Some((_, floors)) = out.last_mut() else { continue };
        match floors.iter_mut().find(|(f, _)| *f == h.floor) {
            Some((_, rooms)) => rooms.push(h),
            None => floors.push((h.floor, vec![h])),
        }
    }
    // of_building may list a 单元 twice if its name sorts oddly; merge, then order floors top down.
    out.sort_by(|a, b| natural(&a.0, &b.0));
    let mut merged: Layout<'a> = Vec::new();
    for (u, floors) in out {
        match merged.last_mut() {
            Some((mu, mf)) if *mu == u => mf.extend(floors),
            _ => merged.push((u, floors)),
        }
    }
    for (_, floors) in merged.iter_mut() {
        floors.sort_by_key(|f| std::cmp::Reverse(f.0));
    }
    merged
}

/// Where a household is in the layout: (单元, row from the top, position in the row).
fn position(l: &Layout, id: &str) -> Option<(usize, usize, usize)> {
    for (u, (_, floors)) in l.iter().enumerate() {
        for (r, (_, rooms)) in floors.iter().enumerate() {
            if let Some(c) = rooms.iter().position(|h| h.id == id) {
                return Some((u, r, c));
            }
        }
    }
    None
}

fn at<'a>(l: &Layout<'a>, u: usize, r: usize, c: usize) -> Option<&'a Household> {
    let floors = &l.get(u)?.1;
    let rooms = &floors.get(r.min(floors.len().checked_sub(1)?))?.1;
    rooms.get(c.min(rooms.len().checked_sub(1)?)).copied()
}

/// The building the grid shows: the selected building, when it has households.
fn grid_building(v: &View, counted: &Counted) -> Option<(FeatureId, String)> {
    let plan = v.doc.plan();
    let id = *v.opts.selected.iter().next()?;
    let f = plan.get(id)?;
    if f.kind != Kind::Building {
        return None;
    }
    let key = plan.key(id)?;
    counted.has_households(&key).then_some((id, key))
}

/// The votes for `households` set to `choice` as one edit (households already so left out), or none.
fn set_votes(
    st: &GridState,
    matter: &Matter,
    consent: &Consent,
    households: &[&Household],
    choice: Option<Choice>,
) -> Option<Action> {
    let date = if is_date(st.date.trim()) { st.date.trim().to_string() } else { today() };
    let votes: Vec<(String, Option<Vote>)> = households
        .iter()
        .filter(|h| matter.scope.contains(h))
        .filter(|h| consent.vote(&matter.id, &h.id).map(|v| v.vote) != choice)
        .map(|h| (h.id.clone(), choice.map(|vote| Vote { vote, date: Some(date.clone()), method: Some(st.method) })))
        .collect();
    (!votes.is_empty()).then(|| Action::Edit(Edit::SetVotes { matter: matter.id.clone(), votes }))
}

/// While the grid holds the keyboard but shows no household of the matter (another building or matter
/// chosen since), its keys still go nowhere else: Delete must never delete the building, arrows never
/// pan. Esc gives the keyboard back.
fn swallow(ctx: &egui::Context, g: &mut GridState) {
    ctx.input_mut(|i| {
        if i.consume_key(Modifiers::NONE, Key::Escape) {
            g.active = false;
        }
        for key in [
            Key::ArrowUp,
            Key::ArrowDown,
            Key::ArrowLeft,
            Key::ArrowRight,
            Key::Delete,
            Key::Backspace,
            Key::Space,
            Key::A,
            Key::D,
            Key::X,
            Key::Num0,
        ] {
            i.consume_key(Modifiers::NONE, key);
        }
    });
}

/// The grid's keys, read before the window's shortcuts (so Delete clears a vote rather than deleting
/// the building): only while the consent panel is open, the grid holds the keyboard and no text field does.
pub fn keys(ctx: &egui::Context, st: &mut super::consent::ConsentState, v: &View) -> Vec<Action> {
    let g = &mut st.grid;
    let mut out = Vec::new();
    if !v.shown.consent || !g.active || v.prompting || ctx.text_edit_focused() {
        return out;
    }
    let consent = &v.doc.plan().consent;
    let counted = super::consent::counted(ctx, v);
    let (Some(matter), Some((_, building))) =
        (v.consent_matter.and_then(|id| consent.matter(id)), grid_building(v, &counted))
    else {
        swallow(ctx, g);
        return out;
    };
    let l = layout(counted.of_building(consent, &building));
    let Some(first) =
        l.iter().flat_map(|(_, f)| f.iter().flat_map(|(_, r)| r.iter())).find(|h| matter.scope.contains(h))
    else {
        swallow(ctx, g);
        return out;
    };
    let cur = g.cursor.as_deref().and_then(|id| position(&l, id)).or_else(|| position(&l, &first.id));
    let Some((u, r, c)) = cur else { return out };
    let mut next = (u, r, c);
    let mut choice: Option<Option<Choice>> = None;
    let mut cycle = false;
    ctx.input_mut(|i| {
        let mut k = |key: Key| i.consume_key(Modifiers::NONE, key);
        if k(Key::Escape) {
            g.active = false;
        }
        if k(Key::ArrowUp) {
            next.1 = r.saturating_sub(1);
        }
        if k(Key::ArrowDown) {
            next.1 = r + 1;
        }
        if k(Key::ArrowLeft) {
            if c > 0 {
                next.2 = c - 1;
            } else if u > 0 {
                next = (u - 1, r, usize::MAX);
            }
        }
        if k(Key::ArrowRight) {
            let row_len = l[u].1.get(r).map(|(_, rooms)| rooms.len()).unwrap_or(0);
            if c + 1 < row_len {
                next.2 = c + 1;
            } else if u + 1 < l.len() {
                next = (u + 1, r, 0);
            }
        }
        if k(Key::A) {
            choice = Some(Some(Choice::Agree));
        }
        if k(Key::D) {
            choice = Some(Some(Choice::Disagree));
        }
        if k(Key::X) {
            choice = Some(Some(Choice::Abstain));
        }
        if k(Key::Num0) | k(Key::Delete) | k(Key::Backspace) {
            choice = Some(None);
        }
        if k(Key::Space) {
            cycle = true;
        }
    });
    if !g.active {
        return out;
    }
    if let Some(h) = at(&l, next.0, next.1, next.2) {
        g.cursor = Some(h.id.clone());
    }
    let Some(h) = g.cursor.as_deref().and_then(|id| consent.households.get(id)) else { return out };
    let choice = match (choice, cycle) {
        (Some(c), _) => Some(c),
        (None, true) => Some(Choice::cycle(consent.vote(&matter.id, &h.id).map(|v| v.vote))),
        _ => None,
    };
    if let Some(c) = choice {
        out.extend(set_votes(g, matter, consent, &[h], c));
    }
    out
}

/// The grid section of the consent panel, for the matter in focus.
pub fn section(ui: &mut egui::Ui, g: &mut GridState, v: &View, matter: &Matter, counted: &Counted) -> Vec<Action> {
    let mut out = Vec::new();
    let lang = v.lang;
    let plan = v.doc.plan();
    let consent = &plan.consent;
    ui.label(RichText::new(tr(lang, "投票表", "Vote grid")).strong());
    let shown = grid_building(v, counted);
    ui.horizontal(|ui| {
        let l = ui.label(tr(lang, "楼", "Building"));
        let text = shown.as_ref().map(|(_, k)| building_name(plan, k, lang)).unwrap_or_else(|| "—".into());
        egui::ComboBox::from_id_salt("grid_building")
            .selected_text(text)
            .show_ui(ui, |ui| {
                // The buildings of the matter's scope (any building with households, for a district matter).
                let in_scope = |b: &&String| counted.of_building(consent, b).any(|h| matter.scope.contains(h));
                for b in counted.buildings.iter().filter(in_scope) {
                    let on = shown.as_ref().is_some_and(|(_, k)| k == b);
                    if ui.selectable_label(on, building_name(plan, b, lang)).clicked()
                        && let Some(id) = plan.by_key(b)
                    {
                        g.active = true;
                        out.push(Action::Select(Some(id)));
                    }
                }
            })
            .response
            .labelled_by(l.id);
        let l = ui.label(tr(lang, "方式", "Method"));
        egui::ComboBox::from_id_salt("grid_method")
            .selected_text(method_name(g.method, lang))
            .show_ui(ui, |ui| {
                for m in Method::ALL {
                    ui.selectable_value(&mut g.method, m, method_name(m, lang));
                }
            })
            .response
            .labelled_by(l.id);
        let l = ui.label(tr(lang, "日期", "Date"));
        let bad = !is_date(g.date.trim());
        let edit = egui::TextEdit::singleline(&mut g.date).desired_width(90.0).hint_text("YYYY-MM-DD");
        ui.add(if bad { edit.text_color(super::theme::ERROR) } else { edit }).labelled_by(l.id).on_hover_text(tr(
            lang,
            "此后录入的票记为这一天（默认今天）",
            "Votes entered now are dated this day (today unless changed)",
        ));
    });
    let Some((_, building)) = shown else {
        ui.label(
            RichText::new(tr(
                lang,
                "点击地图上的一栋楼（或在上面选择），显示它的单元 × 楼层 × 室号表。",
                "Click a building on the map (or choose it above) to see its 单元 × floor × room grid.",
            ))
            .weak(),
        );
        return out;
    };
    // The matter's live result, above the grid.
    let Some(t) = counted.tally(&matter.id) else { return out };
    let base = consent.rule(&matter.rule).map(|r| r.agree_of).unwrap_or_default();
    ui.horizontal_wrapped(|ui| {
        let words = match lang {
            Lang::Zh => format!(
                "{}：参与 {}/{} 户，同意 {} 户 — {}",
                matter.title(lang),
                t.voted.households,
                t.scope.households,
                t.agree.households,
                passed_text(t.passed, lang)
            ),
            Lang::En => format!(
                "{}: {}/{} households taking part, {} agreeing — {}",
                matter.title(lang),
                t.voted.households,
                t.scope.households,
                t.agree.households,
                passed_text(t.passed, lang)
            ),
        };
        ui.label(RichText::new(words).color(if t.passed { super::theme::OK } else { super::theme::ERROR }));
        for sf in &t.missing {
            ui.label(RichText::new(lang.consent_words().shortfall(sf, base)).color(Color32::from_rgb(190, 110, 0)));
        }
    });
    legend(ui, lang);
    let l = layout(counted.of_building(consent, &building));
    let cursor = g.cursor.clone().filter(|id| position(&l, id).is_some());
    let mut clicked: Option<&Household> = None;
    let mut fill: Option<Vec<&Household>> = None;
    egui::ScrollArea::horizontal().id_salt("vote_grid").show(ui, |ui| {
        ui.horizontal_top(|ui| {
            for (unit, floors) in &l {
                ui.vertical(|ui| {
                    ui.horizontal(|ui| {
                        ui.label(RichText::new(super::consent::unit_label(unit, lang)).strong());
                        let all: Vec<&Household> = floors.iter().flat_map(|(_, r)| r.iter().copied()).collect();
                        let name = match lang {
                            Lang::Zh => format!("{unit}单元全部同意"),
                            Lang::En => format!("All of entrance {unit} agree"),
                        };
                        let any = all.iter().any(|h| matter.scope.contains(h));
                        let b = egui::Button::new(RichText::new(tr(lang, "全部同意", "all agree")).small());
                        if ui.add_enabled(any, b).on_hover_text(&name).clicked() {
                            fill = Some(all);
                        }
                    });
                    for (floor, rooms) in floors {
                        ui.horizontal(|ui| {
                            ui.add_sized(
                                [34.0, 22.0],
                                egui::Label::new(RichText::new(format!("{floor}F")).small().weak()),
                            );
                            for h in rooms {
                                let r = cell(
                                    ui,
                                    h,
                                    matter,
                                    consent,
                                    lang,
                                    cursor.as_deref() == Some(h.id.as_str()) && g.active,
                                );
                                if r.clicked() {
                                    clicked = Some(h);
                                }
                            }
                            let hint = match lang {
                                Lang::Zh => format!("{unit}单元{floor}层全部同意"),
                                Lang::En => format!("All of entrance {unit}, floor {floor} agree"),
                            };
                            let any = rooms.iter().any(|h| matter.scope.contains(h));
                            if ui
                                .add_enabled(any, egui::Button::new(RichText::new("√").small()))
                                .on_hover_text(hint)
                                .clicked()
                            {
                                fill = Some(rooms.clone());
                            }
                        });
                    }
                });
                ui.add_space(12.0);
            }
        });
    });
    if let Some(h) = clicked {
        g.active = true;
        g.cursor = Some(h.id.clone());
        let next = Choice::cycle(consent.vote(&matter.id, &h.id).map(|v| v.vote));
        out.extend(set_votes(g, matter, consent, &[h], next));
    }
    if let Some(hs) = fill {
        g.active = true;
        out.extend(set_votes(g, matter, consent, &hs, Some(Choice::Agree)));
    }
    ui.label(
        RichText::new(if g.active {
            tr(lang, "键盘：方向键移动，A 同意，D 不同意，X 弃权，0 或 Delete 清除，空格轮换，Esc 退出。", "Keys: arrows move, A agree, D disagree, X abstain, 0 or Delete clear, Space cycles, Esc leaves the grid.")
        } else {
            tr(lang, "点击格子轮换表决（未表决 → 同意 → 不同意 → 弃权）；之后可用键盘录入。", "Click a cell to cycle its vote (none → agree → disagree → abstain); then the keyboard works too.")
        })
        .small()
        .weak(),
    );
    out
}

/// One household's cell: its room number on its vote's colour; outside the matter's scope, greyed and inert.
fn cell(
    ui: &mut egui::Ui,
    h: &Household,
    matter: &Matter,
    consent: &Consent,
    lang: Lang,
    cursor: bool,
) -> egui::Response {
    let in_scope = matter.scope.contains(h);
    let vote = consent.vote(&matter.id, &h.id).map(|v| v.vote);
    let (rect, r) = ui.allocate_exact_size(vec2(44.0, 22.0), if in_scope { Sense::click() } else { Sense::hover() });
    let label = cell_label(h, lang);
    r.widget_info(|| egui::WidgetInfo::labeled(egui::accesskit::Role::Button, in_scope, &label));
    let p = ui.painter();
    let (fill, text) = if in_scope {
        let fill = choice_color(vote);
        (fill, if vote.is_some() { Color32::WHITE } else { Color32::from_gray(40) })
    } else {
        (Color32::from_gray(232), Color32::from_gray(160))
    };
    p.rect_filled(rect, 3.0, fill);
    let stroke = if cursor {
        Stroke::new(2.5, Color32::from_rgb(25, 90, 200))
    } else if r.hovered() && in_scope {
        Stroke::new(1.5, Color32::from_gray(60))
    } else {
        Stroke::new(1.0, Color32::from_gray(190))
    };
    p.rect_stroke(rect, 3.0, stroke, egui::StrokeKind::Inside);
    p.text(rect.center(), egui::Align2::CENTER_CENTER, &h.room, egui::FontId::proportional(12.0), text);
    let hover = if in_scope {
        format!("{label}: {} · {} m²", choice_name(vote, lang), h.area_m2)
    } else {
        format!("{label}: {}", tr(lang, "不在本事项范围内", "outside this matter's scope"))
    };
    r.on_hover_text(hover)
}

fn legend(ui: &mut egui::Ui, lang: Lang) {
    ui.horizontal_wrapped(|ui| {
        for (c, name) in [
            (AGREE, tr(lang, "同意", "agree")),
            (DISAGREE, tr(lang, "不同意", "disagree")),
            (ABSTAIN, tr(lang, "弃权", "abstain")),
            (Color32::WHITE, tr(lang, "未表决", "no vote")),
            (Color32::from_gray(232), tr(lang, "不在范围内", "outside scope")),
        ] {
            let (r, _) = ui.allocate_exact_size(vec2(14.0, 14.0), Sense::hover());
            ui.painter().rect_filled(r, 2.0, c);
            ui.painter().rect_stroke(r, 2.0, Stroke::new(1.0, Color32::from_gray(170)), egui::StrokeKind::Inside);
            ui.label(RichText::new(name).small());
        }
    });
}
