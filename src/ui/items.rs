//! Renewal items in the interface: the inspector's item list, the catalogue
//! picker and the item form. The form edits a draft and commits it as one
//! undo step when a gesture ends (a field loses focus, a drag stops, a choice
//! is made), so a dragged amount is one step, not fifty.

use std::collections::HashMap;

use eframe::egui::{self, Color32, RichText};

use super::action::Action;
use super::consent::tr;
use super::theme::{ERROR, OK, color};
use super::view::View;
use crate::edit::{Edit, EditLabel};
use crate::model::catalogue::{CatalogueEntry, builtin, lookup};
use crate::model::item::{format_quantity, format_wan, format_yuan, is_date, parse_yuan, today};
use crate::model::{Category, FeatureId, FundingSource, Item, Kind, NationalClass, Party, Status};
use crate::render::theme::status_color;

/// The items area's own state: the picker and the form when open, where
/// photos dropped on the form go, and the photo textures made so far.
#[derive(Default)]
pub struct ItemsState {
    pub picker: Option<Picker>,
    pub editor: Option<ItemEditor>,
    /// Where photos dropped on the open item form go (set while it is shown).
    pub photo_drop: Option<PhotoDrop>,
    /// Photo thumbnails and full views made into textures, by photo id and size.
    pub photo_textures: HashMap<(String, u32), egui::TextureHandle>,
    /// The item whose before/after photos are shown full size.
    pub photo_view: Option<String>,
}

/// Where photos dropped onto the open item form go.
pub struct PhotoDrop {
    pub item: String,
    /// The form's "before" column: drops there are before photos.
    pub before: egui::Rect,
}

/// The catalogue picker's state.
#[derive(Default)]
pub struct Picker {
    pub query: String,
    pub category: Option<Category>,
    new_entry: NewEntry,
}

struct NewEntry {
    id: String,
    name_zh: String,
    name_en: String,
    category: Category,
    class: NationalClass,
}

impl Default for NewEntry {
    fn default() -> Self {
        NewEntry {
            id: String::new(),
            name_zh: String::new(),
            name_en: String::new(),
            category: Category::PublicSpace,
            class: NationalClass::Improvement,
        }
    }
}

/// The item form's state: the item as last committed, and the draft being edited.
pub struct ItemEditor {
    pub id: String,
    base: Item,
    pub draft: Item,
    status_date: String,
    /// Money fields being typed into (or holding a refused entry), by field.
    money_text: HashMap<&'static str, String>,
    /// The residents' consent guard of moves past 公示.
    guard: ConsentGuard,
    /// A plan edited together: how many of others' pulls the window had applied when the form
    /// opened. Its save is checked against others' edits since then (`ui::live`), not since the save.
    pub live_pull: Option<u64>,
}

impl ItemEditor {
    pub fn new(item: Item) -> Self {
        ItemEditor {
            id: item.id.clone(),
            base: item.clone(),
            draft: item,
            status_date: today(),
            money_text: HashMap::new(),
            guard: ConsentGuard::default(),
            live_pull: None,
        }
    }
}

/// The inspector's items section for the selection.
pub fn inspector_section(ui: &mut egui::Ui, st: &mut ItemsState, v: &View, selected: &[FeatureId]) -> Vec<Action> {
    let mut out = Vec::new();
    let s = v.lang.strings();
    let lang = v.lang;
    let plan = v.doc.plan();
    let textures = &mut st.photo_textures;
    ui.horizontal(|ui| {
        ui.label(RichText::new(s.items).strong());
        if ui.button(s.add_item).clicked() {
            out.push(Action::OpenPicker);
        }
    });
    let mut items: Vec<&Item> = selected.iter().flat_map(|id| plan.items_of(*id)).collect();
    items.sort_by(|a, b| a.id.cmp(&b.id));
    items.dedup_by(|a, b| a.id == b.id);
    if items.is_empty() {
        ui.label(RichText::new(s.no_items).weak());
    }
    for item in items {
        ui.horizontal(|ui| {
            let chip = RichText::new(s.status(item.status))
                .small()
                .color(Color32::BLACK)
                .background_color(color(status_color(item.status)));
            ui.label(chip);
            let name = item.display_name(plan, lang);
            if ui.link(name).on_hover_text(s.edit).clicked() {
                out.push(Action::EditItem(item.id.clone()));
            }
            if !item.problems().is_empty() {
                ui.colored_label(ERROR, "!");
            }
        });
        // Its photos as thumbnails, before then after; a click shows them side by side.
        let photos: Vec<_> = [crate::model::Side::Before, crate::model::Side::After]
            .iter()
            .flat_map(|side| plan.photos_of(&item.id, *side))
            .take(6)
            .collect();
        if !photos.is_empty() {
            ui.horizontal_wrapped(|ui| {
                for p in photos {
                    if let Some(t) = photo_texture(ui.ctx(), textures, p, 160) {
                        let r = ui
                            .add(egui::Image::new(&t).max_height(44.0).sense(egui::Sense::click()))
                            .on_hover_text(&p.name);
                        if r.clicked() {
                            out.push(Action::ViewPhotos(Some(item.id.clone())));
                        }
                    }
                }
            });
        }
    }
    out
}

/// The picker and the item form, when open.
pub fn windows(ctx: &egui::Context, st: &mut ItemsState, v: &View) -> Vec<Action> {
    let mut out = Vec::new();
    if st.picker.is_some() {
        out.extend(picker_window(ctx, st, v));
    }
    if st.editor.is_some() {
        out.extend(editor_window(ctx, st, v));
    }
    out
}

fn picker_window(ctx: &egui::Context, st: &mut ItemsState, v: &View) -> Vec<Action> {
    let mut out = Vec::new();
    let s = v.lang.strings();
    let lang = v.lang;
    let selected: Vec<FeatureId> = v.selected();
    let kinds: Vec<Kind> = selected.iter().filter_map(|id| v.doc.plan().get(*id).map(|f| f.kind)).collect();
    let names: Vec<String> = selected
        .iter()
        .take(6)
        .filter_map(|id| v.doc.plan().get(*id).map(|f| f.name(lang).unwrap_or(s.kind(f.kind)).to_string()))
        .collect();
    let additions = v.doc.plan().catalogue_additions.clone();
    let Some(picker) = st.picker.as_mut() else { return out };
    let mut open = true;
    egui::Window::new(s.picker_title).open(&mut open).default_pos([250.0, 60.0]).default_size([460.0, 520.0]).show(
        ctx,
        |ui| {
            ui.label(format!("{} {}{}", s.picker_for, names.join("、"), if selected.len() > 6 { " …" } else { "" }));
            ui.horizontal(|ui| {
                let label = ui.label(s.picker_hint);
                ui.add(egui::TextEdit::singleline(&mut picker.query).desired_width(240.0)).labelled_by(label.id);
            });
            ui.horizontal_wrapped(|ui| {
                if ui.selectable_label(picker.category.is_none(), s.all).clicked() {
                    picker.category = None;
                }
                for c in Category::ALL {
                    if ui.selectable_label(picker.category == Some(c), s.category(c)).clicked() {
                        picker.category = Some(c);
                    }
                }
            });
            ui.separator();
            let q = picker.query.trim().to_lowercase();
            let mut entries: Vec<&CatalogueEntry> = additions
                .iter()
                .chain(builtin().iter().filter(|e| !additions.iter().any(|a| a.id == e.id)))
                .filter(|e| picker.category.is_none_or(|c| e.category == c))
                .filter(|e| {
                    q.is_empty()
                        || e.name_zh.to_lowercase().contains(&q)
                        || e.name_en.to_lowercase().contains(&q)
                        || e.id.contains(&q)
                })
                .collect();
            entries.sort_by_key(|e| !kinds.iter().any(|k| e.applies_to.contains(k)));
            egui::ScrollArea::vertical().max_height(340.0).show(ui, |ui| {
                for e in entries {
                    ui.horizontal(|ui| {
                        if ui.button(e.name(lang)).on_hover_text(e.name(lang.other())).clicked() {
                            out.push(Action::AddItem { catalogue: e.id.clone() });
                        }
                        ui.label(RichText::new(s.category(e.category)).small().weak());
                        ui.label(RichText::new(s.class(e.class)).small().weak());
                        if kinds.iter().any(|k| e.applies_to.contains(k)) {
                            ui.label(RichText::new(s.suits).small().color(OK));
                        }
                        if let Some(c) = e.unit_cost_yuan {
                            let unit = e.unit.as_deref().unwrap_or("");
                            ui.label(
                                RichText::new(format!(
                                    "{} {}/{unit}",
                                    crate::model::measure::group_thousands(c),
                                    s.yuan
                                ))
                                .small()
                                .weak(),
                            );
                        }
                    });
                }
            });
            ui.separator();
            ui.collapsing(s.new_entry, |ui| {
                let n = &mut picker.new_entry;
                egui::Grid::new("new_entry").num_columns(2).show(ui, |ui| {
                    ui.label(s.entry_id);
                    ui.text_edit_singleline(&mut n.id);
                    ui.end_row();
                    ui.label(s.name_zh);
                    ui.text_edit_singleline(&mut n.name_zh);
                    ui.end_row();
                    ui.label(s.name_en);
                    ui.text_edit_singleline(&mut n.name_en);
                    ui.end_row();
                    ui.label(s.category);
                    egui::ComboBox::from_id_salt("new_cat").selected_text(s.category(n.category)).show_ui(ui, |ui| {
                        for c in Category::ALL {
                            ui.selectable_value(&mut n.category, c, s.category(c));
                        }
                    });
                    ui.end_row();
                    ui.label(s.class);
                    egui::ComboBox::from_id_salt("new_class").selected_text(s.class(n.class)).show_ui(ui, |ui| {
                        for c in NationalClass::ALL {
                            ui.selectable_value(&mut n.class, c, s.class(c));
                        }
                    });
                    ui.end_row();
                });
                let id = n.id.trim().to_string();
                let valid = !id.is_empty()
                    && !n.name_zh.trim().is_empty()
                    && lookup(&additions, &id).is_none()
                    && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                if ui.add_enabled(valid, egui::Button::new(s.add)).clicked() {
                    let entry = CatalogueEntry {
                        id: id.clone(),
                        name_zh: n.name_zh.trim().to_string(),
                        name_en: if n.name_en.trim().is_empty() {
                            n.name_zh.trim().to_string()
                        } else {
                            n.name_en.trim().to_string()
                        },
                        category: n.category,
                        class: n.class,
                        applies_to: kinds.clone(),
                        unit: None,
                        unit_cost_yuan: None,
                        note_en: None,
                    };
                    out.push(Action::Edit(Edit::PutCatalogueEntry { id, entry: Some(Box::new(entry)) }));
                    *n = NewEntry::default();
                }
            });
        },
    );
    if !open {
        st.picker = None;
    }
    out
}

/// An item may not move past 公示 (publicised) while residents' matters linked to it have not passed,
/// unless the planner overrides that with a reason, recorded in the history entry of the move.
#[derive(Default)]
struct ConsentGuard {
    /// The status asked for and refused.
    refused: Option<Status>,
    /// The planner overrides the guard …
    override_consent: bool,
    /// … for this reason.
    reason: String,
}

impl ConsentGuard {
    /// Moves `d` to `status` on `date` unless linked matters have not passed (`holding`) and no override
    /// with a reason is given: then the move is refused and remembered. True when `d` moved.
    fn ask(&mut self, d: &mut Item, status: Status, date: &str, holding: bool) -> bool {
        let past = |s: Status| s > Status::Publicised;
        let held = past(status) && !past(d.status) && holding;
        let reason = self.reason.trim().to_string();
        if held && (!self.override_consent || reason.is_empty()) {
            self.refused = Some(status);
            return false;
        }
        d.set_status(status, date);
        if held && let Some(last) = d.history.last_mut() {
            last.override_note = Some(reason);
        }
        *self = ConsentGuard::default();
        true
    }
}

/// Why a move past 公示 is refused: the matters holding it up and what each misses.
fn consent_refusal(asked: Status, holding: &[(String, String)], lang: crate::model::Lang) -> String {
    let list: Vec<String> = holding
        .iter()
        .map(|(title, missing)| match (missing.is_empty(), lang) {
            (true, _) => title.clone(),
            (false, crate::model::Lang::Zh) => format!("{title}（{missing}）"),
            (false, crate::model::Lang::En) => format!("{title} ({missing})"),
        })
        .collect();
    let status = lang.strings().status(asked);
    match lang {
        crate::model::Lang::Zh => {
            format!("不能推进到「{status}」：关联的居民表决事项尚未通过：{}", list.join("；"))
        }
        crate::model::Lang::En => {
            format!("Cannot move to \"{status}\": linked residents' matters have not passed: {}", list.join("; "))
        }
    }
}

/// Did a widget just finish a gesture (so its change becomes one undo step)?
fn gesture_ended(r: &egui::Response) -> bool {
    r.lost_focus() || r.drag_stopped() || (r.changed() && !r.has_focus() && !r.dragged())
}

/// A money field labelled by `label`: shows the amount with thousands
/// separators (and in 万 beside it), takes what [`parse_yuan`] reads
/// (`1,200,000`, `120万`, `120 万元`) when the field is left or Enter is
/// pressed. A refused entry stays in red with the reason and leaves the
/// amount as it was. Returns true when a new amount was committed.
fn money_field(
    ui: &mut egui::Ui,
    texts: &mut HashMap<&'static str, String>,
    key: &'static str,
    v: &mut i64,
    s: &crate::i18n::Strings,
    label: egui::Id,
) -> bool {
    let editing = texts.get(key).cloned();
    let mut text = editing.clone().unwrap_or_else(|| format_yuan(*v));
    let mut committed = false;
    ui.vertical(|ui| {
        let mut error = None;
        ui.horizontal(|ui| {
            let refused = editing.as_deref().map(parse_yuan).and_then(Result::err);
            let mut edit = egui::TextEdit::singleline(&mut text).desired_width(120.0).hint_text("0");
            if refused.is_some() {
                edit = edit.text_color(ERROR);
            }
            let r = ui.add(edit).labelled_by(label).on_hover_text(s.amount_hint);
            ui.label(s.yuan);
            if let Some(w) = format_wan(*v).filter(|_| std::ptr::eq(s, &crate::i18n::ZH)) {
                ui.label(RichText::new(w).small().weak());
            }
            if r.changed() {
                texts.insert(key, text.clone());
            }
            if r.lost_focus()
                && let Ok(n) = parse_yuan(&text)
            {
                committed = n != *v;
                *v = n;
                texts.remove(key);
            }
            if !r.has_focus() {
                error = texts.get(key).and_then(|t| parse_yuan(t).err());
            }
        });
        if let Some(e) = error {
            ui.colored_label(ERROR, s.money_error(e));
        }
    });
    committed
}

fn date_field(ui: &mut egui::Ui, v: &mut Option<String>) -> egui::Response {
    let mut text = v.clone().unwrap_or_default();
    let bad = !text.is_empty() && !is_date(&text);
    let edit = egui::TextEdit::singleline(&mut text).hint_text("YYYY-MM-DD").desired_width(100.0);
    let edit = if bad { edit.text_color(ERROR) } else { edit };
    let r = ui.add(edit);
    if r.changed() {
        *v = if text.trim().is_empty() { None } else { Some(text.trim().to_string()) };
    }
    r
}

fn opt_text(ui: &mut egui::Ui, v: &mut Option<String>, multiline: bool) -> egui::Response {
    let mut text = v.clone().unwrap_or_default();
    let r = if multiline {
        ui.add(egui::TextEdit::multiline(&mut text).desired_rows(2).desired_width(260.0))
    } else {
        ui.add(egui::TextEdit::singleline(&mut text).desired_width(260.0))
    };
    if r.changed() {
        *v = if text.is_empty() { None } else { Some(text) };
    }
    r
}

fn editor_window(ctx: &egui::Context, st: &mut ItemsState, v: &View) -> Vec<Action> {
    let mut out = Vec::new();
    let s = v.lang.strings();
    let lang = v.lang;
    let selected = v.selected();
    let Some(ed) = st.editor.as_mut() else { return out };
    let Some(stored) = v.doc.plan().items.get(&ed.id) else {
        // Removed (deleted, or its addition undone).
        st.editor = None;
        return out;
    };
    if ed.draft == ed.base && *stored != ed.base {
        // Changed elsewhere (undo, redo): follow it.
        ed.base = stored.clone();
        ed.draft = stored.clone();
        ed.money_text.clear();
    }
    let additions = &v.doc.plan().catalogue_additions;
    let entry = lookup(additions, &ed.draft.catalogue).cloned();
    let title = ed.draft.display_name(v.doc.plan(), lang).to_string();
    let feature_names: Vec<(String, Option<FeatureId>, String)> = ed
        .draft
        .features
        .iter()
        .map(|k| {
            let id = v.doc.plan().by_key(k);
            let name = id
                .and_then(|id| v.doc.plan().get(id))
                .map(|f| f.name(lang).unwrap_or(s.kind(f.kind)).to_string())
                .unwrap_or_else(|| k.clone());
            (k.clone(), id, name)
        })
        .collect();
    let selected_keys: Vec<String> = selected.iter().filter_map(|id| v.doc.plan().key(*id)).collect();
    let mut open = true;
    let mut ended = false;
    let mut before_rect = None;
    let plan = v.doc.plan();
    let textures = &mut st.photo_textures;
    let mut delete = false;
    // The residents' matters linked to this item that have not passed, with what each still needs.
    // (`model::consent::holding_up`, from the tallies counted once per document state.)
    let counted = super::consent::counted(ctx, v);
    let holding: Vec<(String, String)> = plan
        .consent
        .matters
        .iter()
        .filter(|m| m.items.contains(&ed.id))
        .filter_map(|m| counted.tally(&m.id).filter(|t| !t.passed).map(|t| (m, t)))
        .map(|(m, t)| {
            let base = plan.consent.rule(&m.rule).map(|r| r.agree_of).unwrap_or_default();
            let missing: Vec<String> = t.missing.iter().map(|sf| lang.consent_words().shortfall(sf, base)).collect();
            (m.title(lang).to_string(), missing.join(tr(lang, "；", "; ")))
        })
        .collect();
    egui::Window::new(format!("{} — {}", s.edit, title))
        .id(egui::Id::unique("item_editor"))
        .open(&mut open)
        .default_pos([250.0, 60.0])
        .default_size([420.0, 640.0])
        .show(ctx, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                let d = &mut ed.draft;
                egui::Grid::new("item_form").num_columns(2).spacing([10.0, 6.0]).show(ui, |ui| {
                    if let Some(e) = &entry {
                        ui.label(s.category);
                        ui.label(format!("{} · {}", s.category(e.category), s.class(e.class)));
                        ui.end_row();
                    }
                    ui.label(s.name_zh);
                    ended |= gesture_ended(&opt_text(ui, &mut d.name_zh, false));
                    ui.end_row();
                    ui.label(s.name_en);
                    ended |= gesture_ended(&opt_text(ui, &mut d.name_en, false));
                    ui.end_row();

                    let status_date = if is_date(&ed.status_date) { ed.status_date.clone() } else { today() };
                    ui.label(s.status);
                    ui.horizontal_wrapped(|ui| {
                        let mut status = d.status;
                        for st in Status::ALL {
                            let r = ui.selectable_label(status == st, s.status(st));
                            if r.clicked() {
                                status = st;
                            }
                        }
                        if status != d.status {
                            // Past 公示 only once the linked residents' matters have passed, or with a reason.
                            ended |= ed.guard.ask(d, status, &status_date, !holding.is_empty());
                        }
                    });
                    ui.end_row();
                    if ed.guard.refused.is_none() && !holding.is_empty() && d.status <= Status::Publicised {
                        // Said before it is refused: what the residents have not yet decided.
                        ui.label("");
                        let names: Vec<&str> = holding.iter().map(|(t, _)| t.as_str()).collect();
                        ui.label(
                            RichText::new(format!(
                                "{}{}",
                                tr(lang, "待居民表决通过：", "Waiting for the residents: "),
                                names.join(tr(lang, "、", ", "))
                            ))
                            .small()
                            .color(Color32::from_rgb(190, 110, 0)),
                        );
                        ui.end_row();
                    }
                    if let Some(asked) = ed.guard.refused.filter(|_| !holding.is_empty()) {
                        ui.label("");
                        ui.vertical(|ui| {
                            ui.colored_label(ERROR, consent_refusal(asked, &holding, lang));
                            ui.checkbox(
                                &mut ed.guard.override_consent,
                                tr(
                                    lang,
                                    "仍要推进（须填写理由，记入历史）",
                                    "Go ahead anyway (give a reason; it is recorded in the history)",
                                ),
                            );
                            if ed.guard.override_consent {
                                let l = ui.label(tr(lang, "理由", "Reason"));
                                ui.add(
                                    egui::TextEdit::multiline(&mut ed.guard.reason)
                                        .desired_rows(2)
                                        .desired_width(260.0),
                                )
                                .labelled_by(l.id);
                                // The move asked for, with the override: no need to find the status again.
                                let name = s.status(asked);
                                let go = match lang {
                                    crate::model::Lang::Zh => format!("按此理由推进到「{name}」"),
                                    crate::model::Lang::En => format!("Move to \"{name}\" with this reason"),
                                };
                                let ready = !ed.guard.reason.trim().is_empty();
                                if ui
                                    .add_enabled(ready, egui::Button::new(go))
                                    .on_disabled_hover_text(tr(lang, "请先填写理由", "Give a reason first"))
                                    .clicked()
                                {
                                    ended |= ed.guard.ask(d, asked, &status_date, true);
                                }
                            }
                        });
                        ui.end_row();
                    }
                    ui.label(s.date);
                    let bad = !is_date(&ed.status_date);
                    let edit = egui::TextEdit::singleline(&mut ed.status_date).desired_width(90.0);
                    ui.add(if bad { edit.text_color(ERROR) } else { edit }).on_hover_text(s.status_date_hint);
                    ui.end_row();

                    ui.label(s.planned_start);
                    ended |= gesture_ended(&date_field(ui, &mut d.planned_start));
                    ui.end_row();
                    ui.label(s.planned_end);
                    ended |= gesture_ended(&date_field(ui, &mut d.planned_end));
                    ui.end_row();

                    // Quantity × unit cost; the estimate follows unless set by hand.
                    let label = ui.label(s.quantity);
                    ui.horizontal(|ui| {
                        let mut q = d.quantity.unwrap_or(0.0);
                        let r = ui.add(
                            egui::DragValue::new(&mut q)
                                .speed(0.1)
                                .range(0.0..=1.0e9)
                                .custom_formatter(|v, _| format_quantity((v * 100.0).round() / 100.0)),
                        );
                        let r = r.labelled_by(label.id);
                        if r.changed() {
                            d.quantity = Some(q);
                            d.follow_quantity();
                        }
                        ended |= gesture_ended(&r);
                        let mut unit = d.unit.clone().unwrap_or_default();
                        let r = ui.add(egui::TextEdit::singleline(&mut unit).desired_width(48.0).hint_text(s.unit));
                        let r = r.on_hover_text(s.unit);
                        if r.changed() {
                            d.unit = (!unit.trim().is_empty()).then(|| unit.trim().to_string());
                        }
                        ended |= gesture_ended(&r);
                    });
                    ui.end_row();
                    let label = ui.label(s.unit_cost);
                    let mut unit_cost = d.unit_cost_yuan.unwrap_or(0);
                    if money_field(ui, &mut ed.money_text, "unit_cost", &mut unit_cost, s, label.id) {
                        d.unit_cost_yuan = Some(unit_cost);
                        d.follow_quantity();
                        ended = true;
                    }
                    ui.end_row();

                    let label = ui.label(s.estimated_cost);
                    ui.vertical(|ui| {
                        let computed = d.computed_cost();
                        if let (false, Some(c)) = (d.cost_overridden, computed) {
                            ui.horizontal(|ui| {
                                ui.label(RichText::new(format!("{} {}", format_yuan(c), s.yuan)).strong());
                                ui.label(
                                    RichText::new(format!(
                                        "= {} {} × {} {}",
                                        format_quantity(d.quantity.unwrap_or(0.0)),
                                        d.unit.as_deref().unwrap_or(""),
                                        format_yuan(d.unit_cost_yuan.unwrap_or(0)),
                                        s.yuan
                                    ))
                                    .weak(),
                                );
                            });
                        } else {
                            let mut est = d.estimated_cost_yuan.unwrap_or(0);
                            if money_field(ui, &mut ed.money_text, "estimate", &mut est, s, label.id) {
                                d.estimated_cost_yuan = Some(est);
                                d.cost_overridden = computed.is_some();
                                ended = true;
                            }
                        }
                        if computed.is_some() {
                            let mut by_hand = d.cost_overridden;
                            if ui.checkbox(&mut by_hand, s.cost_override).changed() {
                                d.cost_overridden = by_hand;
                                d.follow_quantity();
                                ended = true;
                            }
                        }
                    });
                    ui.end_row();
                    let label = ui.label(s.actual_cost);
                    ui.horizontal(|ui| {
                        let mut known = d.actual_cost_yuan.is_some();
                        let r = ui.checkbox(&mut known, "");
                        if r.changed() {
                            d.actual_cost_yuan = known.then(|| d.estimated_cost_yuan.unwrap_or(0));
                        }
                        ended |= gesture_ended(&r);
                        if let Some(v) = d.actual_cost_yuan.as_mut() {
                            ended |= money_field(ui, &mut ed.money_text, "actual", v, s, label.id);
                        }
                    });
                    ui.end_row();
                });

                ui.separator();
                ui.label(RichText::new(s.funding).strong());
                egui::Grid::new("funding").num_columns(3).spacing([10.0, 4.0]).show(ui, |ui| {
                    let basis = d.cost_basis().max(1) as f64;
                    for src in FundingSource::ALL {
                        let label = ui.label(s.source(src));
                        ended |= money_field(ui, &mut ed.money_text, src.as_str(), d.funding.get_mut(src), s, label.id);
                        ui.label(RichText::new(format!("{:.1}%", d.funding.get(src) as f64 * 100.0 / basis)).weak());
                        ui.end_row();
                    }
                });
                let diff = d.cost_basis().saturating_sub(d.funding.total());
                if diff != 0 && ui.button(s.balance).clicked() {
                    d.funding.government = (d.funding.government + diff).max(0);
                    ended = true;
                }

                ui.separator();
                egui::Grid::new("operation").num_columns(2).spacing([10.0, 6.0]).show(ui, |ui| {
                    ui.label(s.party);
                    let before = d.party;
                    egui::ComboBox::from_id_salt("party")
                        .selected_text(d.party.map(|p| s.party(p)).unwrap_or(s.none))
                        .show_ui(ui, |ui| {
                            ui.selectable_value(&mut d.party, None, s.none);
                            for p in Party::ALL {
                                ui.selectable_value(&mut d.party, Some(p), s.party(p));
                            }
                        });
                    ended |= before != d.party;
                    ui.end_row();
                    ui.label(s.operator);
                    ended |= gesture_ended(&opt_text(ui, &mut d.operator, false));
                    ui.end_row();
                    ui.label(s.operating_term);
                    let mut term = d.operating_term_years.unwrap_or(0);
                    let r = ui.add(egui::DragValue::new(&mut term).range(0..=99).suffix(format!(" {}", s.years)));
                    if r.changed() {
                        d.operating_term_years = (term > 0).then_some(term);
                    }
                    ended |= gesture_ended(&r);
                    ui.end_row();
                    let (before_note, after_note) = if lang == crate::model::Lang::Zh {
                        (&mut d.before_note_zh, &mut d.after_note_zh)
                    } else {
                        (&mut d.before_note_en, &mut d.after_note_en)
                    };
                    ui.label(s.before_note);
                    ended |= gesture_ended(&opt_text(ui, before_note, true));
                    ui.end_row();
                    ui.label(s.after_note);
                    ended |= gesture_ended(&opt_text(ui, after_note, true));
                    ui.end_row();
                });

                ui.separator();
                ui.label(RichText::new(s.linked_features).strong());
                let mut detach = None;
                for (key, id, name) in &feature_names {
                    ui.horizontal(|ui| {
                        if ui.link(name).clicked()
                            && let Some(id) = id
                        {
                            out.push(Action::SelectAndFly(*id));
                        }
                        if feature_names.len() > 1 && ui.small_button(s.detach).clicked() {
                            detach = Some(key.clone());
                        }
                    });
                }
                if let Some(k) = detach {
                    d.features.retain(|f| *f != k);
                    ended = true;
                }
                let new_keys: Vec<&String> = selected_keys.iter().filter(|k| !d.features.contains(k)).collect();
                if !new_keys.is_empty() && ui.button(s.attach_selected).clicked() {
                    d.features.extend(new_keys.into_iter().cloned());
                    ended = true;
                }

                ui.separator();
                ui.collapsing(s.history, |ui| {
                    for c in &d.history {
                        ui.label(format!("{}  {}", c.date, s.status(c.status)));
                        if let Some(note) = &c.override_note {
                            ui.colored_label(
                                Color32::from_rgb(190, 110, 0),
                                format!(
                                    "    {}{note}",
                                    tr(
                                        lang,
                                        "未经居民表决通过而推进，理由：",
                                        "Went ahead before the residents' matters passed: "
                                    )
                                ),
                            );
                        }
                    }
                });
                ui.separator();
                before_rect = Some(photo_section(ui, s, plan, textures, &ed.id, &mut out));
                let problems = d.problems();
                if problems.is_empty() {
                    ui.colored_label(OK, s.consistent);
                } else {
                    for p in problems {
                        ui.colored_label(ERROR, p.message(lang));
                    }
                }
                ui.separator();
                if ui.button(RichText::new(s.delete_item).color(ERROR)).clicked() {
                    delete = true;
                }
            });
        });
    st.photo_drop = before_rect.map(|before| PhotoDrop { item: ed.id.clone(), before });
    if delete {
        out.push(Action::Edit(Edit::PutItem { id: ed.id.clone(), item: None, label: EditLabel::RemoveItem }));
        st.editor = None;
        return out;
    }
    if ended && ed.draft != ed.base {
        let label = if ed.draft.status != ed.base.status {
            EditLabel::SetStatus
        } else if ed.draft.funding != ed.base.funding {
            EditLabel::SetFunding
        } else if ed.draft.features != ed.base.features {
            EditLabel::AttachItem
        } else {
            EditLabel::EditItem
        };
        out.push(Action::Edit(Edit::PutItem { id: ed.id.clone(), item: Some(Box::new(ed.draft.clone())), label }));
        ed.base = ed.draft.clone();
    }
    if !open {
        st.editor = None;
    }
    out
}

/// A photo as a texture of at most `size` pixels a side, made once and kept.
pub fn photo_texture(
    ctx: &egui::Context,
    textures: &mut std::collections::HashMap<(String, u32), egui::TextureHandle>,
    photo: &crate::model::Photo,
    size: u32,
) -> Option<egui::TextureHandle> {
    let key = (photo.id.clone(), size);
    if let Some(t) = textures.get(&key) {
        return Some(t.clone());
    }
    let (w, h, px) = crate::model::photo::decode_rgba(photo, size)?;
    let image = egui::ColorImage::from_rgba_unmultiplied([w as usize, h as usize], &px);
    let t = ctx.load_texture(format!("photo-{}-{size}", photo.id), image, egui::TextureOptions::LINEAR);
    textures.insert(key, t.clone());
    Some(t)
}

/// The item form's photos: before and after columns of thumbnails, each
/// with an add button; returns the before column's rectangle (drop target).
fn photo_section(
    ui: &mut egui::Ui,
    s: &crate::i18n::Strings,
    plan: &crate::model::Plan,
    textures: &mut std::collections::HashMap<(String, u32), egui::TextureHandle>,
    item: &str,
    out: &mut Vec<Action>,
) -> egui::Rect {
    use crate::model::Side;
    ui.horizontal(|ui| {
        ui.label(RichText::new(s.photos).strong());
        let n = plan.photos.values().filter(|p| p.item == item).count();
        if n > 0 && ui.small_button(s.photo_compare).clicked() {
            out.push(Action::ViewPhotos(Some(item.to_string())));
        }
    });
    let mut before_rect = egui::Rect::NOTHING;
    ui.columns(2, |cols| {
        for (col, side, title) in [(0, Side::Before, s.phase_before), (1, Side::After, s.phase_after)] {
            let ui = &mut cols[col];
            let r = ui
                .vertical(|ui| {
                    ui.label(title);
                    for p in plan.photos_of(item, side) {
                        if let Some(t) = photo_texture(ui.ctx(), textures, p, 160) {
                            let img = egui::Image::new(&t).max_width(150.0).sense(egui::Sense::click());
                            let r = ui.add(img).on_hover_text(format!(
                                "{} ({}×{}, {} {}×{})",
                                p.name, p.width, p.height, s.original_size, p.original_width, p.original_height
                            ));
                            if r.clicked() {
                                out.push(Action::ViewPhotos(Some(item.to_string())));
                            }
                        }
                        if ui.small_button(s.detach).clicked() {
                            out.push(Action::Edit(crate::edit::Edit::PutPhoto { id: p.id.clone(), photo: None }));
                        }
                    }
                    if ui.button(s.add_photo).clicked() {
                        out.push(Action::PhotoDialog { item: item.to_string(), side });
                    }
                })
                .response
                .rect;
            if side == Side::Before {
                before_rect = r;
            }
        }
    });
    ui.label(RichText::new(s.photo_drop_hint).small().weak());
    before_rect
}

/// An item's before and after photos full size, side by side.
pub fn photo_window(ctx: &egui::Context, st: &mut ItemsState, v: &View) -> Vec<Action> {
    use crate::model::Side;
    let mut out = Vec::new();
    let Some(item) = st.photo_view.clone() else { return out };
    let s = v.lang.strings();
    let lang = v.lang;
    let plan = v.doc.plan();
    let title = plan.items.get(&item).map(|i| i.display_name(plan, lang).to_string()).unwrap_or_default();
    let textures = &mut st.photo_textures;
    let mut open = true;
    egui::Window::new(format!("{} — {title}", s.photo_compare)).open(&mut open).default_size([900.0, 520.0]).show(
        ctx,
        |ui| {
            ui.columns(2, |cols| {
                for (col, side, label) in [(0, Side::Before, s.phase_before), (1, Side::After, s.phase_after)] {
                    let ui = &mut cols[col];
                    ui.heading(label);
                    egui::ScrollArea::vertical().id_salt(label).show(ui, |ui| {
                        for p in plan.photos_of(&item, side) {
                            if let Some(t) = photo_texture(ctx, textures, p, 1600) {
                                ui.add(egui::Image::new(&t).max_width(ui.available_width()));
                                ui.label(RichText::new(&p.name).small().weak());
                            }
                        }
                    });
                }
            });
        },
    );
    if !open {
        out.push(Action::ViewPhotos(None));
    }
    out
}
