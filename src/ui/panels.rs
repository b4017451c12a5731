//! The panels around the map: menu and search, layers, inspector, status
//! bar, and the small windows. Each returns the user's intents.

use eframe::egui::{self, Key, KeyboardShortcut, Modifiers, RichText};

use super::action::Action;
use super::draw::Tool;
use super::items::ItemsState;
use super::theme::color;
use super::view::{View, Window};
use crate::i18n::Lang;
use crate::model::measure::{Measure, format_area, format_length, measure};
use crate::model::search;
use crate::model::{FeatureId, Kind};
use crate::render::theme::ThemeMode;
use crate::render::{kind_slot, style};

const UNDO: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Z);
const REDO: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::Z);
const REDO_Y: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Y);
const OPEN: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::O);
const SAVE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::S);
const SAVE_AS: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::S);
const EXPORT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::E);
const FIND: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::F);
const IMPORT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::I);
/// Opens or closes the residents' consent panel (居民表决).
pub const CONSENT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::C);

/// Opens or closes the operations ledger window (运营收益). Checked before Ctrl+O, which would
/// otherwise take it (a shortcut without Shift matches with Shift held).
pub const OPERATIONS: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::O);

/// The search box's own state.
#[derive(Default)]
pub struct SearchState {
    pub text: String,
    /// The last Enter found nothing.
    pub missed: bool,
    /// Ctrl+F asked for the box to take the keyboard.
    pub focus: bool,
}

/// The inspector's own state.
#[derive(Default)]
pub struct InspectorState {
    /// The name field while it is edited: feature, property, text.
    pub name_draft: Option<(FeatureId, String, String)>,
    /// The new after-attribute (key, value) being typed.
    pub after_prop_draft: (String, String),
    /// "Set the kind of every feature alike" is ticked.
    pub kind_apply_alike: bool,
}

/// Keyboard shortcuts that work anywhere.
pub fn shortcuts(ctx: &egui::Context, search: &mut SearchState, v: &View) -> Vec<Action> {
    let mut out = Vec::new();
    ctx.input_mut(|i| {
        if i.consume_shortcut(&REDO) || i.consume_shortcut(&REDO_Y) {
            out.push(Action::Redo);
        }
        if i.consume_shortcut(&UNDO) {
            out.push(Action::Undo);
        }
        if i.consume_shortcut(&EXPORT) {
            out.push(Action::ShowExport(true));
        }
        if i.consume_shortcut(&SAVE_AS) {
            out.push(Action::SaveAs);
        }
        if i.consume_shortcut(&SAVE) {
            out.push(Action::Save);
        }
        if i.consume_shortcut(&OPERATIONS) {
            out.push(Action::ShowWindow(Window::Operations, !v.shown.operations));
        }
        if i.consume_shortcut(&OPEN) {
            out.push(Action::OpenDialog);
        }
        if i.consume_shortcut(&IMPORT) {
            out.push(Action::ImportLayerDialog);
        }
        if i.consume_shortcut(&FIND) {
            search.focus = true;
        }
        if i.consume_shortcut(&CONSENT) {
            out.push(Action::ShowWindow(Window::Consent, !v.shown.consent));
        }
    });
    // The path prompt is modal: its keys (Esc cancels it) are its own.
    if !ctx.egui_wants_keyboard_input() && !v.prompting {
        let drawing = v.tool != Tool::Select;
        ctx.input(|i| {
            if i.key_pressed(Key::Home) {
                out.push(Action::FitDistrict);
            }
            if i.key_pressed(Key::Escape) {
                out.push(if drawing { Action::CancelSketch } else { Action::Select(None) });
            }
            if drawing && i.key_pressed(Key::Enter) {
                out.push(Action::FinishSketch);
            }
            if drawing && i.key_pressed(Key::Backspace) {
                out.push(Action::UndoSketchPoint);
            }
            if i.key_pressed(Key::F5) && !v.doc.plan().stories.is_empty() {
                // From the slide selected in the open stories window, else from the first.
                let from = if v.shown.stories { v.story.1.unwrap_or(0) } else { 0 };
                out.push(Action::Present(Some((v.story.0, from))));
            }
            if i.key_pressed(Key::T) && i.modifiers.is_none() {
                out.push(Action::TogglePhase);
            }
            if !drawing && i.key_pressed(Key::Delete) {
                out.push(Action::DeleteSelected);
            }
            if i.key_pressed(Key::E) && i.modifiers.is_none() {
                out.push(Action::SetEditing(!v.editing));
            }
            if i.modifiers.is_none() {
                for t in Tool::ALL {
                    if i.key_pressed(t.key()) {
                        out.push(Action::SetTool(t));
                    }
                }
            }
        });
    }
    out
}

/// The menu bar, fit button, language switch and search box.
pub fn top_bar(ui: &mut egui::Ui, search: &mut SearchState, v: &View) -> Vec<Action> {
    let mut out = Vec::new();
    let s = v.lang.strings();
    egui::Panel::top("top_bar").show(ui, |ui| {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button(s.menu_file, |ui| {
                if ui.add(egui::Button::new(s.open).shortcut_text(ui.ctx().format_shortcut(&OPEN))).clicked() {
                    out.push(Action::OpenDialog);
                }
                if ui.button(s.open_path).clicked() {
                    out.push(Action::OpenPathPrompt);
                }
                if ui.button(s.open_jinsong).clicked() {
                    out.push(Action::OpenJinsong);
                }
                if ui.button(v.lang.database_words().open_db).clicked() {
                    out.push(Action::ShowDatabase(Some(super::database::DbMode::Open)));
                }
                if ui.add(egui::Button::new(s.import_layer).shortcut_text(ui.ctx().format_shortcut(&IMPORT))).clicked()
                {
                    out.push(Action::ImportLayerDialog);
                }
                ui.menu_button(s.import_crs, |ui| {
                    use crate::io::crs::Crs;
                    let mut crs = v.import_crs;
                    ui.radio_value(&mut crs, None, s.crs_detect);
                    for c in [
                        Crs::Gcj02,
                        Crs::Bd09,
                        Crs::WebMercator,
                        Crs::Cgcs2000,
                        Crs::GaussKruger { epsg: 4527 },
                        Crs::GaussKruger { epsg: 4548 },
                        Crs::Utm { zone: 50, north: true },
                    ] {
                        ui.radio_value(&mut crs, Some(c), c.label());
                    }
                    if crs != v.import_crs {
                        out.push(Action::SetImportCrs(crs));
                    }
                });
                if !v.recent.is_empty() {
                    ui.menu_button(s.recent_files, |ui| {
                        for p in v.recent {
                            let name = recent_name(p);
                            if ui.button(name).on_hover_text(p.display().to_string()).clicked() {
                                out.push(Action::Open(p.clone()));
                            }
                        }
                    });
                }
                ui.separator();
                if ui.add(egui::Button::new(s.save).shortcut_text(ui.ctx().format_shortcut(&SAVE))).clicked() {
                    out.push(Action::Save);
                }
                if ui.add(egui::Button::new(s.save_as).shortcut_text(ui.ctx().format_shortcut(&SAVE_AS))).clicked() {
                    out.push(Action::SaveAs);
                }
                if ui.button(v.lang.database_words().save_db).clicked() {
                    out.push(Action::ShowDatabase(Some(super::database::DbMode::Publish)));
                }
                ui.separator();
                if ui.add(egui::Button::new(s.export).shortcut_text(ui.ctx().format_shortcut(&EXPORT))).clicked() {
                    out.push(Action::ShowExport(true));
                }
                if ui.add_enabled(!v.doc.plan().stories.is_empty(), egui::Button::new(s.export_handout)).clicked() {
                    out.push(Action::ExportHandout);
                }
                ui.separator();
                if ui.button(s.quit).clicked() {
                    out.push(Action::Quit);
                }
            });
            ui.menu_button(s.menu_edit, |ui| {
                let undo = match v.doc.undo_label() {
                    Some(l) => format!("{} {}", s.undo, v.action_name(l)),
                    None => s.undo.to_string(),
                };
                let b = egui::Button::new(undo).shortcut_text(ui.ctx().format_shortcut(&UNDO));
                if ui.add_enabled(v.doc.undo_label().is_some(), b).clicked() {
                    out.push(Action::Undo);
                }
                let redo = match v.doc.redo_label() {
                    Some(l) => format!("{} {}", s.redo, v.action_name(l)),
                    None => s.redo.to_string(),
                };
                let b = egui::Button::new(redo).shortcut_text(ui.ctx().format_shortcut(&REDO));
                if ui.add_enabled(v.doc.redo_label().is_some(), b).clicked() {
                    out.push(Action::Redo);
                }
            });
            ui.menu_button(s.menu_view, |ui| {
                if ui.add(egui::Button::new(s.fit_district).shortcut_text("Home")).clicked() {
                    out.push(Action::FitDistrict);
                }
                let mut labels = v.opts.labels;
                if ui.checkbox(&mut labels, s.show_labels).changed() {
                    out.push(Action::SetLabels(labels));
                }
                // The residents' consent window: here and Ctrl+Shift+C only (the tool bar has no room left
                // for it beside the search box in English).
                let consent = super::consent::title(v.lang);
                let b = egui::Button::selectable(v.shown.consent, consent)
                    .shortcut_text(ui.ctx().format_shortcut(&CONSENT));
                if ui.add(b).clicked() {
                    out.push(Action::ShowWindow(Window::Consent, !v.shown.consent));
                }
                let ops = super::operations::title(v.lang);
                let b = egui::Button::selectable(v.shown.operations, ops)
                    .shortcut_text(ui.ctx().format_shortcut(&OPERATIONS));
                if ui.add(b).clicked() {
                    out.push(Action::ShowWindow(Window::Operations, !v.shown.operations));
                }
                ui.separator();
                ui.label(s.language);
                if ui.radio(v.lang == Lang::Zh, "中文").clicked() {
                    out.push(Action::SetLang(Lang::Zh));
                }
                if ui.radio(v.lang == Lang::En, "English").clicked() {
                    out.push(Action::SetLang(Lang::En));
                }
            });
            ui.menu_button(s.menu_help, |ui| {
                if ui.button(s.shortcuts).clicked() {
                    out.push(Action::ShowWindow(Window::Shortcuts, true));
                }
                if ui.button(s.about).clicked() {
                    out.push(Action::ShowWindow(Window::About, true));
                }
            });
            ui.separator();
            if ui.button(s.fit_district).on_hover_text("Home").clicked() {
                out.push(Action::FitDistrict);
            }
            ui.separator();
            if ui.selectable_label(v.lang == Lang::Zh, "中文").clicked() {
                out.push(Action::SetLang(Lang::Zh));
            }
            if ui.selectable_label(v.lang == Lang::En, "EN").clicked() {
                out.push(Action::SetLang(Lang::En));
            }
            ui.separator();
            // The edit toggle (QGIS's pencil): off, clicking only looks.
            let pencil = RichText::new(s.edit_toggle);
            let pencil = if v.editing { pencil.strong() } else { pencil };
            if ui.add(egui::Button::selectable(v.editing, pencil)).on_hover_text(s.edit_toggle_hint).clicked() {
                out.push(Action::SetEditing(!v.editing));
            }
            for t in Tool::ALL {
                let key = format!("{:?}", t.key());
                if ui.selectable_label(v.tool == t, t.name(s)).on_hover_text(key).clicked() {
                    out.push(Action::SetTool(t));
                }
            }
            ui.separator();
            let label = ui.label(s.theme);
            let mut mode = v.theme_mode;
            egui::ComboBox::from_id_salt("theme_mode")
                .selected_text(s.theme_mode(mode))
                .show_ui(ui, |ui| {
                    // The consent map is offered when the plan has matters to vote on, the
                    // operating-space maps when it has a ledger with spaces.
                    for m in ThemeMode::ALL.into_iter().filter(|m| m.applies_to(v.doc.plan())) {
                        ui.selectable_value(&mut mode, m, s.theme_mode(m));
                    }
                })
                .response
                .labelled_by(label.id);
            if mode != v.theme_mode {
                out.push(Action::SetTheme(mode));
            }
            if ui.selectable_label(v.shown.table, s.items_table).clicked() {
                out.push(Action::ShowTable(!v.shown.table));
            }
            if ui.selectable_label(v.shown.dashboard, s.dashboard).clicked() {
                out.push(Action::ShowDashboard(!v.shown.dashboard));
            }
            if ui.selectable_label(v.shown.stories, s.stories).clicked() {
                out.push(Action::ShowStories(!v.shown.stories));
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                search_box(ui, search, v, &mut out);
            });
        });
    });
    out
}

/// The search box: a dropdown of suggestions below it as you type (↑ ↓ pick,
/// Enter or a click goes there, Esc hides them); Enter with no list takes the best match.
fn search_box(ui: &mut egui::Ui, search: &mut SearchState, v: &View, out: &mut Vec<Action>) {
    let s = v.lang.strings();
    let lang = v.lang;
    let label = ui.label(s.search);
    let plan = v.doc.plan();
    let mut hits: Vec<(FeatureId, String)> = Vec::new();
    let edit = egui::TextEdit::singleline(&mut search.text).hint_text(s.search_hint).desired_width(300.0);
    let output = egui::CompletionPopup::new(egui::Id::unique("search"))
        // The whole text is the query, spaces and all.
        .word_boundary(|_| false)
        .align(egui::RectAlign::BOTTOM_START)
        .max_height(320.0)
        .show(ui, edit, |q| {
            hits = suggestions(plan, q.text, lang, s);
            hits.iter()
                .map(|(id, text)| {
                    let kind = plan.get(*id).map(|f| s.kind(f.kind)).unwrap_or_default();
                    egui::Suggestion::new(text.clone()).description(kind)
                })
                .collect()
        });
    let r = output.text_edit.response.response.labelled_by(label.id);
    if search.focus {
        r.request_focus();
        search.focus = false;
    }
    if r.changed() {
        search.missed = false;
    }
    if let Some(chosen) = output.accepted {
        if let Some((id, _)) = hits.iter().find(|(_, text)| *text == chosen.insert) {
            out.push(Action::SelectAndFly(*id));
        }
        r.surrender_focus();
    } else if r.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
        match search::search(v.doc.plan(), &search.text, 1).first() {
            Some(id) => out.push(Action::SelectAndFly(*id)),
            None => search.missed = true,
        }
    }
    if search.missed {
        ui.colored_label(ui.visuals().error_fg_color, s.search_none);
    }
}

/// The search's best matches as the list shows them: the name in the language
/// shown, else the building number, else the kind; the same text twice is
/// numbered so each line names one feature.
fn suggestions(
    plan: &crate::model::Plan,
    query: &str,
    lang: Lang,
    s: &crate::i18n::Strings,
) -> Vec<(FeatureId, String)> {
    let mut out: Vec<(FeatureId, String)> = Vec::new();
    for id in search::search(plan, query, 8) {
        let Some(f) = plan.get(id) else { continue };
        let base = match (f.name(lang), f.number()) {
            (Some(n), _) => n.to_string(),
            (None, Some(n)) if lang == Lang::Zh => format!("{n}楼"),
            (None, Some(n)) => format!("{} {n}", s.kind(f.kind)),
            (None, None) => s.kind(f.kind).to_string(),
        };
        let mut text = base.clone();
        let mut n = 1;
        while out.iter().any(|(_, t)| *t == text) {
            n += 1;
            text = format!("{base} ({n})");
        }
        out.push((id, text));
    }
    out
}

/// How a recent plan is listed: a file by its name, a database plan by its
/// plan and database (its location, which never holds a password, on hover).
fn recent_name(p: &std::path::Path) -> String {
    if crate::io::postgis::is_uri(p) {
        let uri = p.to_string_lossy();
        return match crate::io::postgis::Location::parse(&uri) {
            Ok(at) => format!("{} @ {} (PostgreSQL)", at.plan, at.db()),
            Err(_) => crate::io::postgis::redact(&uri),
        };
    }
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Cursor position, scale and counts.
pub fn status_bar(ui: &mut egui::Ui, v: &View) -> Vec<Action> {
    let s = v.lang.strings();
    egui::Panel::bottom("status_bar").show(ui, |ui| {
        ui.horizontal(|ui| {
            match v.cursor {
                Some([lon, lat]) => ui.monospace(format!("{} {lon:.6}°E {lat:.6}°N", s.lon_lat)),
                None => ui.monospace(format!("{} —", s.lon_lat)),
            };
            ui.separator();
            if let Some(cam) = v.camera {
                // 1:N at 96 dpi (0.2646 mm a pixel).
                let n = cam.ground_mpp() / 0.000_264_6;
                ui.monospace(format!("{} 1:{}", s.scale, crate::model::measure::group_thousands(n)));
                ui.separator();
            }
            let hint = match v.tool {
                Tool::Select if v.opts.selected.len() == 1 && v.editing => Some(s.edit_hint),
                Tool::Select if v.opts.selected.len() == 1 => Some(s.view_hint),
                Tool::Select => None,
                Tool::Rect => Some(s.rect_hint),
                Tool::Measure => Some(s.measure_hint),
                _ => Some(s.draw_hint),
            };
            if let Some(h) = hint {
                ui.label(RichText::new(h).small().weak());
                ui.separator();
            }
            if let Some(c) = v.doc.crs() {
                ui.label(RichText::new(format!("{} → WGS 84", c.code())).small()).on_hover_text(c.label());
                ui.separator();
            }
            let in_view = v.in_view;
            ui.label(format!("{} {} ({} {in_view})", s.feature_count, v.feature_count, s.in_view));
            if let Some(m) = v.status {
                ui.separator();
                let c = if m.is_error() { ui.visuals().error_fg_color } else { ui.visuals().text_color() };
                // Worded now, in the language shown now.
                ui.colored_label(c, m.text(s));
            }
        });
    });
    Vec::new()
}

/// Plan facts and the layer list.
pub fn left_panel(ui: &mut egui::Ui, v: &View, basemap_rows: &[super::basemaps::Row]) -> Vec<Action> {
    let mut out = Vec::new();
    let s = v.lang.strings();
    egui::Panel::left("layers").default_size(230.0).size_range(180.0..=400.0).resizable(true).show(ui, |ui| {
        ui.heading(s.plan);
        if let Some(name) = &v.doc.plan().meta.name {
            ui.label(RichText::new(name).strong());
        }
        ui.label(RichText::new(v.doc.source().display_name()).small().weak());
        if let Some(note) = &v.doc.plan().meta.note {
            ui.collapsing(s.schematic_badge, |ui| {
                ui.label(RichText::new(note).small());
            });
        }
        if !v.doc.warnings().is_empty()
            && ui
                .button(
                    RichText::new(format!("{} {}", v.doc.warnings().len(), s.warnings))
                        .color(egui::Color32::from_rgb(190, 110, 0)),
                )
                .clicked()
        {
            out.push(Action::ShowWindow(Window::Warnings, true));
        }
        ui.separator();
        ui.heading(s.layers);
        for kind in [Kind::Boundary, Kind::Building, Kind::Street, Kind::Garden, Kind::Core, Kind::Node, Kind::Other] {
            let n = v.counts[kind_slot(kind)];
            ui.horizontal(|ui| {
                let mut v = v.opts.visible[kind_slot(kind)];
                let (r, _) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::hover());
                ui.painter().rect_filled(r, 3.0, color(style::kind_style(kind).swatch));
                if ui.checkbox(&mut v, s.kind(kind)).changed() {
                    out.push(Action::SetLayerVisible(kind, v));
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    ui.label(RichText::new(n.to_string()).weak());
                });
            });
        }
        out.extend(super::basemaps::section(ui, v, basemap_rows));
    });
    out
}

/// The inspector for the selected feature.
pub fn right_panel(ui: &mut egui::Ui, ins: &mut InspectorState, items: &mut ItemsState, v: &View) -> Vec<Action> {
    let mut out = Vec::new();
    let s = v.lang.strings();
    egui::Panel::right("inspector").default_size(320.0).size_range(240.0..=520.0).resizable(true).show(ui, |ui| {
        ui.heading(s.inspector);
        ui.separator();
        // The whole inspector scrolls: a feature with many items and a change is long.
        egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| inspector(ui, ins, items, v, &mut out));
    });
    out
}

/// The inspector's contents for the selection.
fn inspector(ui: &mut egui::Ui, ins: &mut InspectorState, items: &mut ItemsState, v: &View, out: &mut Vec<Action>) {
    let s = v.lang.strings();
    {
        let selected = v.selected();
        let Some(id) = selected.first().copied() else {
            ui.label(RichText::new(s.nothing_selected).weak());
            ui.label(RichText::new(s.shift_hint).small().weak());
            return;
        };
        if selected.len() > 1 {
            let lang = v.lang;
            ui.label(RichText::new(format!("{} {}", s.selected_features, selected.len())).size(18.0).strong());
            egui::ScrollArea::vertical().id_salt("multi").max_height(180.0).show(ui, |ui| {
                for fid in &selected {
                    if let Some(f) = v.doc.plan().get(*fid)
                        && ui.link(f.name(lang).unwrap_or(s.kind(f.kind))).clicked()
                    {
                        out.push(Action::SelectAndFly(*fid));
                    }
                }
            });
            ui.separator();
            out.extend(super::items::inspector_section(ui, items, v, &selected));
            return;
        }
        let Some(f) = v.doc.plan().get(id).cloned() else {
            return;
        };
        let f = &f;
        let lang = v.lang;
        ui.label(RichText::new(f.name(lang).unwrap_or(s.kind(f.kind))).size(18.0).strong());
        if let Some(other) = f.name(lang.other()).filter(|o| Some(*o) != f.name(lang)) {
            ui.label(other);
        }
        ui.add_space(4.0);
        // The name, editable (one undo step when the field is left).
        let key = if lang == Lang::Zh { "name_zh" } else { "name_en" };
        let current = f.properties.get_str(key).unwrap_or("").to_string();
        if ins.name_draft.as_ref().is_none_or(|(fid, k, _)| *fid != id || k != key) {
            ins.name_draft = Some((id, key.to_string(), current.clone()));
        }
        ui.horizontal(|ui| {
            let label = ui.label(s.name);
            if let Some((_, _, text)) = ins.name_draft.as_mut() {
                let r = ui.add(egui::TextEdit::singleline(text).desired_width(200.0)).labelled_by(label.id);
                if !r.has_focus() && !r.lost_focus() && *text != current {
                    // Changed elsewhere (undo): follow the plan.
                    *text = current.clone();
                } else if r.lost_focus() && *text != current {
                    let value = (!text.trim().is_empty()).then(|| serde_json::Value::String(text.trim().to_string()));
                    out.push(Action::Edit(crate::edit::Edit::SetProperty { feature: id, key: key.into(), value }));
                }
            }
        });
        egui::Grid::new("facts").num_columns(2).spacing([12.0, 4.0]).show(ui, |ui| {
            let label = ui.label(s.kind);
            let mut kind = f.kind;
            let combo = egui::ComboBox::from_id_salt("kind_combo").selected_text(s.kind(kind)).show_ui(ui, |ui| {
                for k in Kind::ALL {
                    ui.selectable_value(&mut kind, k, s.kind(k));
                }
            });
            let _ = combo.response.labelled_by(label.id);
            if kind != f.kind {
                let features = if ins.kind_apply_alike { crate::model::alike(v.doc.plan(), id) } else { vec![id] };
                out.push(Action::SetKind { features, kind });
            }
            ui.end_row();
            match measure(&f.geometry) {
                Measure::Area { m2, perimeter_m } => {
                    ui.label(s.area);
                    ui.label(format!(
                        "{} m²  ({:.4} ha)",
                        crate::model::measure::group_thousands(m2.round()),
                        m2 / 10_000.0
                    ));
                    ui.end_row();
                    ui.label(s.perimeter);
                    ui.label(format_length(perimeter_m));
                    ui.end_row();
                }
                Measure::Length { m } => {
                    ui.label(s.length);
                    ui.label(format_length(m));
                    ui.end_row();
                }
                Measure::Point => {
                    if let geo::Geometry::Point(p) = &f.geometry {
                        ui.label(s.position);
                        ui.monospace(format!("{:.6}, {:.6}", p.x(), p.y()));
                        ui.end_row();
                    }
                }
            }
            let _ = format_area;
        });
        ui.checkbox(&mut ins.kind_apply_alike, s.set_kind_all_like);
        let problems = crate::model::geom_edit::problems(&f.geometry);
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(s.validity).strong());
            if problems.is_empty() {
                ui.colored_label(super::theme::OK, s.valid);
            }
        });
        for p in &problems {
            ui.colored_label(super::theme::ERROR, p.message(lang));
        }
        ui.separator();
        out.extend(super::phase_bar::inspector_section(ui, &mut ins.after_prop_draft, v, id));
        ui.separator();
        out.extend(super::items::inspector_section(ui, items, v, &selected));
        ui.separator();
        ui.label(RichText::new(s.properties).strong());
        egui::Grid::new("props").num_columns(2).striped(true).spacing([12.0, 3.0]).show(ui, |ui| {
            // Known fields by their names in the interface language (the
            // raw field name on hover, as QGIS shows aliases); unknown ones as they are.
            for (k, v) in f.properties.iter() {
                match s.field_name(&k) {
                    Some(name) => ui.label(RichText::new(name).weak()).on_hover_text(RichText::new(&k).monospace()),
                    None => ui.label(RichText::new(&k).monospace().weak()),
                };
                let text = match v {
                    // The kind is the plan's kind (the edit keeps the property in step), named as the kind box names it.
                    serde_json::Value::String(t) if k == crate::edit::KIND_PROPERTY => {
                        Kind::parse(&t).map(|kind| s.kind(kind).to_string()).unwrap_or(t)
                    }
                    serde_json::Value::String(t) => t,
                    other => other.to_string(),
                };
                ui.add(egui::Label::new(text).wrap());
                ui.end_row();
            }
        });
    }
}

/// Warnings, shortcuts and about (the path prompt is `files::windows`).
pub fn windows(ctx: &egui::Context, v: &View) -> Vec<Action> {
    let mut out = Vec::new();
    let s = v.lang.strings();
    if let Some(info) = v.recovery {
        egui::Modal::new(egui::Id::unique("recovery")).show(ctx, |ui| {
            ui.heading(s.recover_title);
            ui.label(s.recover_text);
            let when = crate::model::phase::date_of_days((info.saved_at / 86_400) as i64);
            let secs = info.saved_at % 86_400;
            let what = info.source.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| s.open_jinsong.into());
            ui.monospace(format!("{what}  {when} {:02}:{:02} UTC", secs / 3600, secs / 60 % 60));
            ui.horizontal(|ui| {
                if ui.button(s.recover).clicked() {
                    out.push(Action::Recover);
                }
                if ui.button(s.discard).clicked() {
                    out.push(Action::DiscardRecovery);
                }
            });
        });
    }
    if v.confirm_close {
        egui::Modal::new(egui::Id::unique("confirm_close")).show(ctx, |ui| {
            ui.heading(s.unsaved_title);
            ui.label(s.unsaved_text);
            ui.horizontal(|ui| {
                if ui.button(s.save).clicked() {
                    out.push(Action::SaveAndClose);
                }
                if ui.button(s.dont_save).clicked() {
                    out.push(Action::CloseWithoutSaving);
                }
                if ui.button(s.cancel).clicked() {
                    out.push(Action::CancelClose);
                }
            });
        });
    }
    if v.shown.warnings {
        let mut open = true;
        egui::Window::new(s.warnings).open(&mut open).default_size([520.0, 300.0]).show(ctx, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                for w in v.doc.warnings().iter().take(2000) {
                    ui.label(w.to_string());
                }
                if v.doc.warnings().len() > 2000 {
                    ui.label(format!("… {}", v.doc.warnings().len() - 2000));
                }
            });
        });
        if !open {
            out.push(Action::ShowWindow(Window::Warnings, false));
        }
    }
    if v.shown.shortcuts {
        let mut open = true;
        egui::Window::new(s.shortcuts).open(&mut open).show(ctx, |ui| {
            ui.label(s.shortcuts_text);
            ui.label(super::consent::shortcuts_text(v.lang));
            ui.label(super::operations::shortcuts_text(v.lang));
        });
        if !open {
            out.push(Action::ShowWindow(Window::Shortcuts, false));
        }
    }
    if v.shown.about {
        let mut open = true;
        egui::Window::new(s.about).open(&mut open).show(ctx, |ui| {
            ui.label(s.about_text);
            ui.label(format!("v{}", env!("CARGO_PKG_VERSION")));
        });
        if !open {
            out.push(Action::ShowWindow(Window::About, false));
        }
    }
    out
}

/// The consent map's matter (in the phase bar, under the theme list, while the map
/// is coloured by consent): the matter in focus, shared with the consent panel and
/// the vote grid (`Action::FocusMatter`).
pub(super) fn matter_choice(ui: &mut egui::Ui, v: &View) -> Option<Action> {
    let consent = &v.doc.plan().consent;
    let focused = crate::model::theme_mode::consent_matter(consent, v.consent_matter)?;
    let label = ui.label(v.lang.strings().consent_matter_label());
    let mut chosen = focused.id.clone();
    // A long title is cut short in the bar (whole in the list and on hover), so the search box keeps its room.
    let title = focused.title(v.lang);
    let short: String =
        if title.chars().count() > 24 { title.chars().take(23).chain(['…']).collect() } else { title.to_string() };
    egui::ComboBox::from_id_salt("consent_matter")
        .selected_text(short)
        .show_ui(ui, |ui| {
            for m in &consent.matters {
                ui.selectable_value(&mut chosen, m.id.clone(), m.title(v.lang));
            }
        })
        .response
        .labelled_by(label.id)
        .on_hover_text(title);
    (chosen != focused.id).then_some(Action::FocusMatter(Some(chosen)))
}
