//! Before and after in the interface: the phase bar (before / after / as of
//! a date on a timeline that can play, and the compare modes) and the "what
//! changed" list.

use eframe::egui::{self, RichText};

use super::action::Action;
use super::app::Compare;
use super::theme::color;
use super::view::View;
use crate::model::phase::{changes, date_of_days, date_range, days_of, in_force_from};
use crate::model::{ChangeKind, Phase};

/// The phase bar under the menu.
pub fn bar(ui: &mut egui::Ui, v: &View) -> Vec<Action> {
    let mut out = Vec::new();
    let s = v.lang.strings();
    // A pass over every item's history: once per document state, not per frame.
    let range = super::view::per_stamp(ui.ctx(), "date_range", v.doc.stamp(), || date_range(v.doc.plan()));
    let range = Option::as_ref(&range);
    egui::Panel::top("phase_bar").show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label(RichText::new(s.phase).strong());
            let phase = v.opts.phase.clone();
            if ui.selectable_label(phase == Phase::Before, s.phase_before).on_hover_text(s.toggle_hint).clicked() {
                out.push(Action::SetPhase(Phase::Before));
            }
            if ui.selectable_label(phase == Phase::After, s.phase_after).on_hover_text(s.toggle_hint).clicked() {
                out.push(Action::SetPhase(Phase::After));
            }
            let as_of = matches!(phase, Phase::AsOf(_));
            if let Some((first, last)) = &range {
                if ui.selectable_label(as_of, s.phase_as_of).clicked() && !as_of {
                    out.push(Action::SetPhase(Phase::AsOf(last.clone())));
                }
                if let (Phase::AsOf(d), Some(lo), Some(hi)) = (&phase, days_of(first), days_of(last)) {
                    let mut day = days_of(d).unwrap_or(hi).clamp(lo, hi);
                    let slider = egui::Slider::new(&mut day, lo..=hi).show_value(false).trailing_fill(true);
                    let r = ui.add_sized([260.0, 18.0], slider).on_hover_text(s.phase_as_of);
                    if r.changed() {
                        out.push(Action::SetPhase(Phase::AsOf(date_of_days(day))));
                    }
                    ui.monospace(d.as_str());
                    let play = if v.playing { s.pause } else { s.play };
                    if ui.button(play).clicked() {
                        out.push(Action::Play(!v.playing));
                    }
                }
            }
            ui.separator();
            ui.label(RichText::new(s.compare).strong());
            for (c, name) in [
                (Compare::Single, s.compare_none),
                (Compare::Swipe, s.compare_swipe),
                (Compare::SideBySide, s.compare_side),
            ] {
                if ui.selectable_label(v.compare == c, name).clicked() {
                    out.push(Action::SetCompare(c));
                }
            }
            ui.separator();
            let n = v.change_count;
            if ui.selectable_label(v.shown.changes, format!("{} ({n})", s.what_changed)).clicked() {
                out.push(Action::ShowChanges(!v.shown.changes));
            }
            if v.theme_mode == crate::render::theme::ThemeMode::Consent {
                // The consent map's matter, chosen here (the top bar has no room for a title).
                ui.separator();
                out.extend(super::panels::matter_choice(ui, v));
            }
        });
    });
    out
}

/// The name of a kind of change.
pub fn change_name(s: &crate::i18n::Strings, k: ChangeKind) -> &'static str {
    match k {
        ChangeKind::Modified => s.modified,
        ChangeKind::Added => s.added,
        ChangeKind::Removed => s.removed,
    }
}

/// The colour a kind of change is listed in.
fn change_color(k: ChangeKind) -> egui::Color32 {
    match k {
        ChangeKind::Modified => egui::Color32::from_rgb(200, 120, 0),
        ChangeKind::Added => color(crate::render::style::GHOST_ADDED),
        ChangeKind::Removed => color(crate::render::style::GHOST_REMOVED),
    }
}

/// Every feature that differs, with the kind of change, when it comes into
/// force and the items that cause it; clicking one flies to it.
pub fn changes_window(ctx: &egui::Context, v: &View) -> Vec<Action> {
    let mut out = Vec::new();
    let s = v.lang.strings();
    let lang = v.lang;
    let plan = v.doc.plan();
    // A pass over every feature: once per document state while the window is open, not per frame.
    let list = super::view::per_stamp(ctx, "changes", v.doc.stamp(), || {
        let mut list: Vec<_> = changes(plan)
            .into_iter()
            .map(|(id, c)| (in_force_from(plan, c).unwrap_or_else(|| "9999".into()), id))
            .collect();
        list.sort();
        list
    });
    let mut open = true;
    egui::Window::new(s.what_changed).open(&mut open).default_pos([260.0, 120.0]).default_size([460.0, 480.0]).show(
        ctx,
        |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                egui::Grid::new("changes").num_columns(4).striped(true).spacing([10.0, 4.0]).show(ui, |ui| {
                    ui.label(RichText::new(s.change).strong());
                    ui.label(RichText::new(s.name).strong());
                    ui.label(RichText::new(s.in_force_from).strong());
                    ui.label(RichText::new(s.by_items).strong());
                    ui.end_row();
                    for (date, id) in list.iter() {
                        let Some((f, c)) = plan.get(*id).and_then(|f| Some((f, f.change.as_deref()?))) else {
                            continue;
                        };
                        ui.colored_label(change_color(c.kind), change_name(s, c.kind));
                        if ui.link(f.name(lang).unwrap_or(s.kind(f.kind))).clicked() {
                            out.push(Action::SelectAndFly(*id));
                        }
                        ui.label(if date.as_str() == "9999" { s.not_in_force } else { date.as_str() });
                        let items: Vec<_> = c
                            .by_items
                            .iter()
                            .filter_map(|i| plan.items.get(i))
                            .map(|i| i.display_name(plan, lang))
                            .collect();
                        ui.label(items.join("、"));
                        ui.end_row();
                    }
                });
            });
        },
    );
    if !open {
        out.push(Action::ShowChanges(false));
    }
    out
}

/// The inspector's before/after section for one feature: its change, what
/// causes it, when it comes into force, and its after attributes.
pub fn inspector_section(
    ui: &mut egui::Ui,
    draft: &mut (String, String),
    v: &View,
    id: crate::model::FeatureId,
) -> Vec<Action> {
    use crate::edit::{Edit, EditLabel};
    use crate::model::Change;
    let mut out = Vec::new();
    let s = v.lang.strings();
    let lang = v.lang;
    let plan = v.doc.plan();
    let Some(f) = plan.get(id) else { return out };
    let set =
        |c: Option<Box<Change>>, label: EditLabel| Action::Edit(Edit::SetChange { feature: id, change: c, label });
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(s.change).strong());
        match &f.change {
            Some(c) => ui.colored_label(change_color(c.kind), change_name(s, c.kind)),
            None => ui.label(RichText::new(s.unchanged).weak()),
        };
    });
    ui.horizontal_wrapped(|ui| {
        let kind = f.change.as_ref().map(|c| c.kind);
        let with_kind = |k: ChangeKind| {
            let mut c = f.change.clone().unwrap_or_else(|| Box::new(Change::new(k)));
            c.kind = k;
            if k != ChangeKind::Modified {
                c.after_geometry = None;
                c.after_properties.clear();
            }
            c
        };
        if kind != Some(ChangeKind::Removed) && ui.small_button(s.mark_removed).clicked() {
            out.push(set(Some(with_kind(ChangeKind::Removed)), EditLabel::MarkRemoved));
        }
        if kind != Some(ChangeKind::Added) && ui.small_button(s.mark_added).clicked() {
            out.push(set(Some(with_kind(ChangeKind::Added)), EditLabel::MarkAdded));
        }
        if kind != Some(ChangeKind::Modified) && ui.small_button(s.mark_modified).clicked() {
            out.push(set(Some(with_kind(ChangeKind::Modified)), EditLabel::SetAfter));
        }
        if kind.is_some() && ui.small_button(s.clear_change).clicked() {
            out.push(set(None, EditLabel::ClearChange));
        }
    });
    let Some(change) = &f.change else { return out };
    ui.label(format!(
        "{}: {}",
        s.in_force_from,
        in_force_from(plan, change).unwrap_or_else(|| s.not_in_force.to_string())
    ));
    let items = plan.items_of(id);
    if !items.is_empty() {
        ui.label(RichText::new(s.by_items).small());
        for item in items {
            let mut on = change.by_items.contains(&item.id);
            if ui.checkbox(&mut on, item.display_name(plan, lang)).changed() {
                let mut c = change.clone();
                if on {
                    c.by_items.push(item.id.clone());
                } else {
                    c.by_items.retain(|i| *i != item.id);
                }
                out.push(set(Some(c), EditLabel::SetAfter));
            }
        }
    }
    if change.kind == ChangeKind::Modified {
        ui.label(RichText::new(s.after_properties).small());
        egui::Grid::new("after_props").num_columns(3).show(ui, |ui| {
            for (k, v) in &change.after_properties {
                ui.label(RichText::new(k).monospace().weak());
                ui.label(match v {
                    serde_json::Value::String(t) => t.clone(),
                    other => other.to_string(),
                });
                if ui.small_button(s.detach).clicked() {
                    let mut c = change.clone();
                    c.after_properties.shift_remove(k);
                    out.push(set(Some(c), EditLabel::SetAfter));
                }
                ui.end_row();
            }
        });
        let (key, value) = draft;
        ui.horizontal(|ui| {
            let kl = ui.label(s.key);
            ui.add(egui::TextEdit::singleline(key).desired_width(80.0)).labelled_by(kl.id);
            let vl = ui.label(s.value);
            ui.add(egui::TextEdit::singleline(value).desired_width(110.0)).labelled_by(vl.id);
            let ok = !key.trim().is_empty() && key.trim() != "kind";
            if ui.add_enabled(ok, egui::Button::new(s.add)).on_hover_text(s.add_after_property).clicked() {
                let mut c = change.clone();
                c.after_properties.insert(key.trim().to_string(), serde_json::Value::String(value.trim().to_string()));
                out.push(set(Some(c), EditLabel::SetAfter));
                key.clear();
                value.clear();
            }
        });
    }
    out
}
