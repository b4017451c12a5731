//! The edit area: plan edits, undo and redo, items added from the catalogue,
//! features deleted; every edit goes through `Document::apply` and the cache follows.

use super::{Changed, PlannerApp};
use crate::edit::{Edit, EditLabel};
use crate::model::{FeatureId, Item, Kind};
use crate::ui::action::Action;
use crate::ui::message::Message;

impl PlannerApp {
    /// Plan edits, undo and redo: each edit that lands updates the cache and the scene (`after_edit`).
    pub(super) fn apply_edit(&mut self, action: Action) -> Changed {
        // A database plan this role may only view (`ui::live`).
        if self.live_refuses_edit() {
            return Changed::Panels;
        }
        match action {
            Action::AttachPhoto { item, side, path } => {
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let result = std::fs::read(&path)
                    .map_err(crate::model::photo::PhotoError::from)
                    .and_then(|b| crate::model::photo::import(&b, self.doc.plan().new_photo_id(), item, side, name));
                match result {
                    Ok(photo) => {
                        let id = photo.id.clone();
                        self.apply(Action::Edit(Edit::PutPhoto { id, photo: Some(Box::new(photo)) }));
                    }
                    Err(e) => self.say(Message::PhotoFailed { path, error: e.to_string().into() }),
                }
            }
            Action::Undo => match (self.doc.undo_label(), self.doc.undo()) {
                (label, Some(Ok(t))) => {
                    self.after_edit(&t);
                    if let Some(l) = label {
                        self.say(Message::Undone(l));
                    }
                }
                (_, Some(Err(e))) => self.say(Message::UndoFailed(e.to_string())),
                (_, None) => self.say(Message::NothingToUndo),
            },
            Action::Redo => match (self.doc.redo_label(), self.doc.redo()) {
                (label, Some(Ok(t))) => {
                    self.after_edit(&t);
                    if let Some(l) = label {
                        self.say(Message::Redone(l));
                    }
                }
                (_, Some(Err(e))) => self.say(Message::RedoFailed(e.to_string())),
                (_, None) => self.say(Message::NothingToRedo),
            },
            Action::SetKind { features, kind } => {
                let changes: Vec<(FeatureId, Kind)> = features
                    .into_iter()
                    .filter(|id| self.doc.plan().get(*id).is_some_and(|f| f.kind != kind))
                    .map(|id| (id, kind))
                    .collect();
                if !changes.is_empty() {
                    match self.doc.apply(Edit::SetKind { changes }) {
                        Ok(t) => self.after_edit(&t),
                        Err(e) => self.say(Message::EditRefused(e.to_string())),
                    }
                }
            }
            Action::AddItem { catalogue } => self.add_item(&catalogue),
            Action::Edit(edit) => match self.doc.apply(edit) {
                Ok(t) => self.after_edit(&t),
                Err(e) => self.say(Message::EditRefused(e.to_string())),
            },
            Action::DeleteSelected if !self.editing => {
                if !self.opts.selected.is_empty() {
                    self.say(Message::EditingIsOff);
                }
            }
            Action::DeleteSelected => {
                // In the before phase (and for features new after) deleting removes the feature;
                // looking at the after state it marks the feature removed by the renewal.
                let before = self.active_phase == crate::model::Phase::Before;
                let edits: Vec<Edit> = self
                    .opts
                    .selected
                    .iter()
                    .filter_map(|id| {
                        let f = self.doc.plan().get(*id)?;
                        let added = f.change.as_ref().is_some_and(|c| c.kind == crate::model::ChangeKind::Added);
                        Some(if before || added {
                            Edit::RemoveFeature { id: *id, label: EditLabel::DeleteFeature }
                        } else {
                            let mut c = f.change.clone().unwrap_or_else(|| {
                                Box::new(crate::model::Change::new(crate::model::ChangeKind::Removed))
                            });
                            c.kind = crate::model::ChangeKind::Removed;
                            c.after_geometry = None;
                            c.after_properties.clear();
                            Edit::SetChange { feature: *id, change: Some(c), label: EditLabel::MarkRemoved }
                        })
                    })
                    .collect();
                if !edits.is_empty() {
                    self.opts.selected.clear();
                    let label = edits.first().map(Edit::label).unwrap_or(EditLabel::DeleteFeature);
                    self.apply(Action::Edit(Edit::Batch { label, edits }));
                }
            }
            // `apply` routes only edit actions here.
            _ => return Changed::Panels,
        }
        Changed::Map
    }

    /// Adds an item of a catalogue entry to every selected feature (one undo step) and opens its form.
    pub(super) fn add_item(&mut self, catalogue: &str) {
        let plan = self.doc.plan();
        let keys: Vec<String> = self.opts.selected.iter().filter_map(|id| plan.key(*id)).collect();
        let Some(entry) = crate::model::catalogue::lookup(&plan.catalogue_additions, catalogue) else { return };
        if keys.is_empty() {
            return;
        }
        let id = plan.new_item_id(&format!("it-{catalogue}"));
        let cost = entry.unit_cost_yuan.unwrap_or(0.0).round() as i64;
        // One unit of the entry (1 部, 1 处…): the planner sets the quantity and the estimate follows.
        let mut item = Item::new(id.clone(), catalogue.to_string(), keys, &crate::model::item::today(), cost);
        if entry.unit_cost_yuan.is_some() {
            item = item.with_quantity(1.0, entry.unit.clone(), cost);
        }
        let edit = Edit::PutItem { id: id.clone(), item: Some(Box::new(item)), label: EditLabel::AddItem };
        if let Ok(t) = self.doc.apply(edit) {
            self.after_edit(&t);
            self.panels.items.picker = None;
            self.apply(Action::EditItem(id));
        }
    }

    /// After an edit, undo or redo: the drawing cache, the counts and the item modes' colours follow
    /// the touched features only (a plan of a million buildings costs an edit no more than a small one).
    pub(in crate::ui) fn after_edit(&mut self, touched: &[FeatureId]) {
        if !touched.is_empty() {
            // Copied first if a background scene build still reads it (`ui::scene_job`).
            std::sync::Arc::make_mut(&mut self.cache).update(self.doc.plan(), touched);
        }
        self.follow_derived(touched);
        self.sync_derived();
        self.generation += 1;
    }
}
