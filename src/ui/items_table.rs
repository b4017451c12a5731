//! The items table: every item of the plan, sortable by any column and
//! filtered by category, status, party and feature; clicking a row flies the
//! map to the item's features, double-clicking opens its form.

use eframe::egui::{self, RichText};
use egui_extras::{Column, TableBuilder};

use super::action::Action;
use super::view::View;
use crate::model::catalogue::lookup;
use crate::model::item::{format_quantity, format_yuan};
use crate::model::{Category, Item, Party, Status};

/// A column of the table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Col {
    #[default]
    Name,
    Category,
    Class,
    Status,
    Features,
    Party,
    Quantity,
    UnitCost,
    Cost,
    SocialCapital,
    PlannedEnd,
}

const COLS: [Col; 11] = [
    Col::Name,
    Col::Category,
    Col::Class,
    Col::Status,
    Col::Features,
    Col::Party,
    Col::Quantity,
    Col::UnitCost,
    Col::Cost,
    Col::SocialCapital,
    Col::PlannedEnd,
];

/// An amount as the table shows it: `¥1,234,567`.
pub fn yuan_cell(v: i64) -> String {
    format!("¥{}", format_yuan(v))
}

/// Sorting and filters, kept while the table is closed.
#[derive(Default)]
pub struct TableState {
    pub sort: Col,
    pub descending: bool,
    pub category: Option<Category>,
    pub status: Option<Status>,
    pub party: Option<Party>,
    pub feature: String,
}

fn header_text(s: &crate::i18n::Strings, c: Col) -> &'static str {
    match c {
        Col::Name => s.items,
        Col::Category => s.category,
        Col::Class => s.class,
        Col::Status => s.status,
        Col::Features => s.linked_features,
        Col::Party => s.party,
        Col::Quantity => s.quantity,
        Col::UnitCost => s.unit_cost,
        Col::Cost => s.estimated_cost,
        Col::SocialCapital => s.source(crate::model::FundingSource::SocialCapital),
        Col::PlannedEnd => s.planned_end,
    }
}

/// A filter: "all", or one of `values`.
fn filter_combo<T: Copy + PartialEq>(
    ui: &mut egui::Ui,
    id: &str,
    value: &mut Option<T>,
    values: &[T],
    name: impl Fn(T) -> &'static str,
    all: &str,
) {
    egui::ComboBox::from_id_salt(id).selected_text(value.map(&name).unwrap_or(all)).show_ui(ui, |ui| {
        ui.selectable_value(value, None, all);
        for v in values {
            ui.selectable_value(value, Some(*v), name(*v));
        }
    });
}

/// The bottom panel with the table.
pub fn panel(ui: &mut egui::Ui, t: &mut TableState, v: &View) -> Vec<Action> {
    let mut out = Vec::new();
    let s = v.lang.strings();
    let lang = v.lang;
    egui::Panel::bottom("items_table").resizable(true).default_size(280.0).size_range(120.0..=900.0).show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label(RichText::new(s.items_table).strong());
            ui.separator();
            filter_combo(ui, "f_cat", &mut t.category, &Category::ALL, |c| s.category(c), s.all);
            filter_combo(ui, "f_status", &mut t.status, &Status::ALL, |c| s.status(c), s.all);
            filter_combo(ui, "f_party", &mut t.party, &Party::ALL, |c| s.party(c), s.all);
            let label = ui.label(s.filter_feature);
            ui.add(egui::TextEdit::singleline(&mut t.feature).desired_width(140.0)).labelled_by(label.id);
        });
        let plan = v.doc.plan();
        let additions = &plan.catalogue_additions;
        let feature_text = |item: &Item| {
            plan.features_of(item)
                .iter()
                .filter_map(|id| plan.get(*id).map(|f| f.name(lang).unwrap_or(s.kind(f.kind)).to_string()))
                .collect::<Vec<_>>()
                .join("、")
        };
        let q = t.feature.trim().to_lowercase();
        let mut rows: Vec<(&Item, String)> = plan
            .items
            .values()
            .filter(|i| t.status.is_none_or(|st| i.status == st))
            .filter(|i| t.party.is_none_or(|p| i.party == Some(p)))
            .filter(|i| t.category.is_none_or(|c| lookup(additions, &i.catalogue).map(|e| e.category) == Some(c)))
            .map(|i| (i, feature_text(i)))
            .filter(|(i, f)| q.is_empty() || f.to_lowercase().contains(&q) || i.features.iter().any(|k| k.contains(&q)))
            .collect();
        let key = |i: &Item, f: &str, c: Col| -> (i64, String) {
            let e = lookup(additions, &i.catalogue);
            match c {
                Col::Name => (0, i.display_name(plan, lang).into_owned()),
                Col::Category => (e.map(|e| e.category as i64).unwrap_or(-1), String::new()),
                Col::Class => (e.map(|e| e.class as i64).unwrap_or(-1), String::new()),
                Col::Status => (i.status as i64, String::new()),
                Col::Features => (0, f.to_string()),
                Col::Party => (i.party.map(|p| p as i64).unwrap_or(-1), String::new()),
                Col::Quantity => ((i.quantity.unwrap_or(-1.0) * 1000.0) as i64, String::new()),
                Col::UnitCost => (i.unit_cost_yuan.unwrap_or(-1), String::new()),
                Col::Cost => (i.cost_basis(), String::new()),
                Col::SocialCapital => (i.funding.social_capital, String::new()),
                Col::PlannedEnd => (0, i.planned_end.clone().unwrap_or_default()),
            }
        };
        rows.sort_by(|a, b| key(a.0, &a.1, t.sort).cmp(&key(b.0, &b.1, t.sort)).then(a.0.id.cmp(&b.0.id)));
        if t.descending {
            rows.reverse();
        }
        let mut sort_click = None;
        // Every column is reachable: the table scrolls sideways when the window is narrower than it.
        egui::ScrollArea::horizontal().id_salt("items_table_h").auto_shrink([false, false]).show(ui, |ui| {
            let mut table = TableBuilder::new(ui).striped(true).resizable(true).sense(egui::Sense::click());
            for c in COLS {
                table = table.column(match c {
                    Col::Name => Column::initial(220.0).at_least(80.0).clip(true),
                    Col::Features => Column::initial(180.0).at_least(80.0).clip(true),
                    Col::Cost | Col::SocialCapital | Col::UnitCost => Column::initial(110.0).at_least(80.0),
                    _ => Column::auto().at_least(60.0),
                });
            }
            table
                .header(22.0, |mut header| {
                    for c in COLS {
                        header.col(|ui| {
                            // Arrows the bundled font has (it lacks ▼, which showed as a box).
                            let arrow = if t.sort == c { if t.descending { " ↓" } else { " ↑" } } else { "" };
                            if ui.button(format!("{}{arrow}", header_text(s, c))).clicked() {
                                sort_click = Some(c);
                            }
                        });
                    }
                })
                .body(|body| {
                    body.rows(20.0, rows.len(), |mut row| {
                        let (item, features) = &rows[row.index()];
                        let e = lookup(additions, &item.catalogue);
                        row.col(|ui| {
                            ui.label(item.display_name(plan, lang));
                        });
                        row.col(|ui| {
                            ui.label(e.map(|e| s.category(e.category)).unwrap_or("?"));
                        });
                        row.col(|ui| {
                            ui.label(e.map(|e| s.class(e.class)).unwrap_or("?"));
                        });
                        row.col(|ui| {
                            ui.label(s.status(item.status));
                        });
                        row.col(|ui| {
                            ui.label(features.as_str());
                        });
                        row.col(|ui| {
                            ui.label(item.party.map(|p| s.party(p)).unwrap_or(""));
                        });
                        row.col(|ui| {
                            if let Some(q) = item.quantity {
                                ui.label(format!("{} {}", format_quantity(q), item.unit.as_deref().unwrap_or("")));
                            }
                        });
                        // Amounts right-aligned, so their digits line up.
                        let right = egui::Layout::right_to_left(egui::Align::Center);
                        row.col(|ui| {
                            if let Some(c) = item.unit_cost_yuan {
                                ui.with_layout(right, |ui| ui.label(yuan_cell(c)));
                            }
                        });
                        row.col(|ui| {
                            ui.with_layout(right, |ui| ui.label(yuan_cell(item.cost_basis())));
                        });
                        row.col(|ui| {
                            ui.with_layout(right, |ui| ui.label(yuan_cell(item.funding.social_capital)));
                        });
                        row.col(|ui| {
                            ui.label(item.planned_end.as_deref().unwrap_or(""));
                        });
                        let r = row.response();
                        if r.double_clicked() {
                            out.push(Action::EditItem(item.id.clone()));
                        } else if r.clicked() {
                            out.push(Action::SelectAndFlyMany(plan.features_of(item)));
                        }
                    });
                });
        });
        if let Some(c) = sort_click {
            if t.sort == c {
                t.descending = !t.descending;
            } else {
                t.sort = c;
                t.descending = false;
            }
        }
    });
    out
}
