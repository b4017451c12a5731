//! The dashboard: how far the plan has come and who pays for it, drawn as
//! charts a planner would put on a slide.

use eframe::egui::{self, Color32, Pos2, Rect, RichText, Stroke, vec2};

use super::action::Action;
use super::theme::color;
use super::view::View;
use crate::model::measure::group_thousands;
use crate::model::stats::Progress;
use crate::model::{Category, FundingSource, Lang, Phase, Status};
use crate::render::theme::{source_color, status_color};

fn wan(yuan: i64, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{:.1} 万元", yuan as f64 / 10_000.0),
        Lang::En => format!("{} yuan", group_thousands(yuan as f64)),
    }
}

/// The dashboard window.
pub fn window(ctx: &egui::Context, v: &View) -> Vec<Action> {
    let mut out = Vec::new();
    let s = v.lang.strings();
    let lang = v.lang;
    // The dashboard counts as the map shows: as of its date, before or today.
    let phase = v.after_phase_shown();
    let p =
        super::view::per_stamp(ctx, "dashboard", (v.doc.stamp(), phase.clone()), || Progress::of(v.doc.plan(), &phase));
    let unrecorded = v.doc.plan().items.len().saturating_sub(p.items);
    let mut open = true;
    egui::Window::new(s.dashboard).open(&mut open).default_pos([700.0, 60.0]).default_size([560.0, 620.0]).show(
        ctx,
        |ui| {
            match &phase {
                Phase::AsOf(d) => {
                    ui.label(RichText::new(format!("{} {d}", s.progress_as_of)).strong());
                    if unrecorded > 0 {
                        ui.label(RichText::new(format!("{unrecorded} {}", s.not_yet_recorded)).small().weak());
                    }
                }
                Phase::Before => {
                    ui.label(RichText::new(s.progress_before).strong());
                }
                Phase::After => {
                    ui.label(RichText::new(s.progress_after).strong());
                }
            }
            ui.horizontal(|ui| {
                big_number(ui, s.total_investment, &wan(p.cost, lang));
                big_number(ui, s.done_items, &format!("{} / {}", p.done, p.items));
                big_number(ui, s.done_cost, &wan(p.done_cost, lang));
            });
            let pct = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
            ui.add(egui::ProgressBar::new(pct(p.done as f64, p.items as f64) as f32).text(format!(
                "{} {:.0}%",
                s.done_items,
                100.0 * pct(p.done as f64, p.items as f64)
            )));
            ui.add(egui::ProgressBar::new(pct(p.done_cost as f64, p.cost as f64) as f32).text(format!(
                "{} {:.0}%",
                s.done_cost,
                100.0 * pct(p.done_cost as f64, p.cost as f64)
            )));
            ui.separator();
            // Residents' consent: households and area registered, matters passed and not.
            if !v.doc.plan().consent.is_empty() {
                super::consent::dashboard_strip(ui, v);
                ui.separator();
            }

            ui.label(RichText::new(s.funding_split).strong());
            let (rect, _) = ui.allocate_exact_size(vec2(ui.available_width(), 34.0), egui::Sense::hover());
            let total = p.funding_total().max(1) as f32;
            let mut x = rect.left();
            for src in FundingSource::ALL {
                let w = rect.width() * p.by_source.get(&src).copied().unwrap_or(0) as f32 / total;
                let r = Rect::from_min_size(Pos2::new(x, rect.top()), vec2(w, rect.height()));
                ui.painter().rect_filled(r, 0.0, color(source_color(src)));
                if w > 60.0 {
                    ui.painter().text(
                        r.center(),
                        egui::Align2::CENTER_CENTER,
                        format!("{:.0}%", p.share(src)),
                        egui::FontId::proportional(14.0),
                        Color32::WHITE,
                    );
                }
                x += w;
            }
            egui::Grid::new("sources").num_columns(4).spacing([14.0, 4.0]).show(ui, |ui| {
                for src in FundingSource::ALL {
                    swatch(ui, color(source_color(src)));
                    ui.label(s.source(src));
                    ui.label(wan(p.by_source.get(&src).copied().unwrap_or(0), lang));
                    ui.label(format!("{:.1}%", p.share(src)));
                    ui.end_row();
                }
            });
            ui.separator();

            ui.label(RichText::new(s.category_status).strong());
            egui::Grid::new("matrix").num_columns(Status::ALL.len() + 2).spacing([6.0, 4.0]).show(ui, |ui| {
                ui.label("");
                for st in Status::ALL {
                    ui.label(RichText::new(s.status(st)).small());
                }
                ui.label(RichText::new(s.estimated_cost).small());
                ui.end_row();
                for c in Category::ALL {
                    ui.label(s.category(c));
                    for st in Status::ALL {
                        let n = p.count(c, st);
                        let (r, _) = ui.allocate_exact_size(vec2(40.0, 20.0), egui::Sense::hover());
                        if n > 0 {
                            ui.painter().rect_filled(r, 3.0, color(status_color(st)));
                        } else {
                            ui.painter().rect_stroke(
                                r,
                                3.0,
                                Stroke::new(1.0, Color32::from_gray(210)),
                                egui::StrokeKind::Inside,
                            );
                        }
                        ui.painter().text(
                            r.center(),
                            egui::Align2::CENTER_CENTER,
                            n.to_string(),
                            egui::FontId::proportional(13.0),
                            if n > 0 { Color32::BLACK } else { Color32::from_gray(170) },
                        );
                    }
                    ui.label(wan(p.cost_by_category.get(&c).copied().unwrap_or(0), lang));
                    ui.end_row();
                }
            });
            ui.separator();
            // Items by category, stacked by status.
            let max = Category::ALL
                .iter()
                .map(|c| Status::ALL.iter().map(|s| p.count(*c, *s)).sum::<usize>())
                .max()
                .unwrap_or(1)
                .max(1);
            for c in Category::ALL {
                ui.horizontal(|ui| {
                    ui.add_sized([90.0, 18.0], egui::Label::new(s.category(c)));
                    let (rect, _) =
                        ui.allocate_exact_size(vec2(ui.available_width() - 10.0, 18.0), egui::Sense::hover());
                    let mut x = rect.left();
                    for st in Status::ALL {
                        let w = rect.width() * p.count(c, st) as f32 / max as f32;
                        ui.painter().rect_filled(
                            Rect::from_min_size(Pos2::new(x, rect.top()), vec2(w, rect.height())),
                            0.0,
                            color(status_color(st)),
                        );
                        x += w;
                    }
                });
            }
            ui.horizontal_wrapped(|ui| {
                for st in Status::ALL {
                    swatch(ui, color(status_color(st)));
                    ui.label(RichText::new(s.status(st)).small());
                }
            });
        },
    );
    if !open {
        out.push(Action::ShowDashboard(false));
    }
    out
}

fn big_number(ui: &mut egui::Ui, label: &str, value: &str) {
    ui.vertical(|ui| {
        ui.label(RichText::new(label).small().weak());
        ui.label(RichText::new(value).size(20.0).strong());
    });
    ui.add_space(16.0);
}

fn swatch(ui: &mut egui::Ui, c: Color32) {
    let (r, _) = ui.allocate_exact_size(vec2(12.0, 12.0), egui::Sense::hover());
    ui.painter().rect_filled(r, 2.0, c);
}
