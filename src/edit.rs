//! Edits: every change to a plan is a value that, applied, gives back its
//! inverse. Undo applies the inverse; one user gesture is one edit.

use serde_json::Value;

use geo::Geometry;

use crate::model::{CatalogueEntry, Change, Feature, FeatureId, Item, Kind, Plan};

/// The property that names a feature's kind in files; [`Edit::SetKind`] keeps it in step.
pub const KIND_PROPERTY: &str = "kind";

/// One change to a plan.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// Give features a kind (correcting how an import classified them); their
    /// `kind` property is set to the kind's name too.
    SetKind { changes: Vec<(FeatureId, Kind)> },
    /// Set (`Some`) or remove (`None`) one property of a feature.
    SetProperty { feature: FeatureId, key: String, value: Option<Value> },
    /// Put an item in the plan (`Some`), replacing the one with that id, or
    /// remove it (`None`). Adding, removing and every change to an item
    /// (status, money, dates, features) is this edit with a different label.
    PutItem { id: String, item: Option<Box<Item>>, label: EditLabel },
    /// Add, change (`Some`) or remove (`None`) a plan-specific catalogue entry.
    PutCatalogueEntry { id: String, entry: Option<Box<CatalogueEntry>> },
    /// Replace a feature's geometry (a vertex moved, inserted or deleted, the feature moved).
    SetGeometry { feature: FeatureId, geometry: Box<Geometry<f64>>, label: EditLabel },
    /// Set how a feature differs after the renewal (`None`: unchanged).
    SetChange { feature: FeatureId, change: Option<Box<Change>>, label: EditLabel },
    /// Replace the plan's stories (slides added, edited, moved, deleted).
    SetStories { stories: Vec<crate::model::Story>, label: EditLabel },
    /// Set what the print map's title block says (sheet number, drawn by, checked by).
    SetTitleBlock { block: crate::model::TitleBlock },
    /// Replace the plan's basemaps (added, removed, reordered, opacity, shown, placed).
    SetBasemaps { basemaps: Vec<crate::model::Basemap> },
    /// Attach (`Some`) or remove (`None`) a photo.
    PutPhoto { id: String, photo: Option<Box<crate::model::Photo>> },
    /// Put a new (or restored) feature into its slot.
    AddFeature { id: FeatureId, feature: Box<Feature>, label: EditLabel },
    /// Take a feature out of the plan.
    RemoveFeature { id: FeatureId, label: EditLabel },
    /// Set (`Some`) or clear (`None`) households' votes on one matter.
    SetVotes { matter: String, votes: Vec<(String, Option<crate::model::consent::Vote>)> },
    /// Add, change (`Some`) or remove (`None`) a household; removing one removes its votes too.
    PutHousehold { id: String, household: Option<Box<crate::model::consent::Household>>, label: EditLabel },
    /// Add, change (`Some`) or remove (`None`) a matter, at `pos` in the list when added
    /// (the end when past it); removing one removes its votes too.
    PutMatter { id: String, matter: Option<Box<crate::model::consent::Matter>>, pos: usize, label: EditLabel },
    /// Add, change (`Some`) or remove (`None`) one of the plan's own rules, at `pos` in the list when
    /// added (the end when past it).
    PutRule { id: String, rule: Option<Box<crate::model::consent::Rule>>, pos: usize },
    /// Replace the whole register, matters and votes (a register generated or read from a file).
    SetConsent { consent: Box<crate::model::Consent>, label: EditLabel },
    /// Add, change (`Some`) or remove (`None`) an operating space, at `pos` in the ledger when added
    /// (the end when past it). Flows on a removed space stay (the ledger names them as a problem);
    /// the window removes them in the same batch.
    PutSpace { id: String, space: Option<Box<crate::model::operations::Space>>, pos: usize, label: EditLabel },
    /// Add, change (`Some`) or remove (`None`) a cash flow, at `pos` when added.
    PutFlow { id: String, flow: Option<Box<crate::model::operations::Flow>>, pos: usize, label: EditLabel },
    /// Replace the whole ledger (its settings changed, an illustrative ledger put in).
    SetOperations { operations: Box<crate::model::Operations>, label: EditLabel },
    /// Several edits made by one gesture, undone together.
    Batch { label: EditLabel, edits: Vec<Edit> },
}

/// What an edit did, named for the Undo/Redo menu entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditLabel {
    SetKind,
    SetProperty,
    AddItem,
    RemoveItem,
    SetStatus,
    SetFunding,
    EditItem,
    AttachItem,
    AddCatalogueEntry,
    DrawFeature,
    DeleteFeature,
    MoveVertex,
    InsertVertex,
    DeleteVertex,
    MoveFeature,
    MarkRemoved,
    MarkAdded,
    SetAfter,
    ClearChange,
    AddPhoto,
    RemovePhoto,
    AddSlide,
    EditSlide,
    MoveSlide,
    DeleteSlide,
    DuplicateSlide,
    EditStory,
    EditTitleBlock,
    SetBasemaps,
    /// File → Import layer…: a file's features added to the plan.
    ImportLayer,
    /// Votes entered, changed or cleared.
    SetVotes,
    AddHousehold,
    EditHousehold,
    RemoveHousehold,
    AddMatter,
    EditMatter,
    RemoveMatter,
    EditRule,
    /// Households generated from the buildings' households, floors and 单元s.
    GenerateRegister,
    /// A register read back from a spreadsheet.
    ImportRegister,
    /// Others' edits to a database plan, pulled into the open plan (`io::postgis::sync`).
    FromDatabase,
    AddSpace,
    EditSpace,
    RemoveSpace,
    AddFlow,
    EditFlow,
    RemoveFlow,
    /// The ledger's settings (discount rate, note, early subsidy end) or the whole ledger.
    EditLedger,
}

/// Why an edit could not be applied. The plan is unchanged when this is returned.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum EditError {
    #[error("feature {0:?} does not exist")]
    NoSuchFeature(FeatureId),
    #[error("feature {0:?} already exists")]
    FeatureExists(FeatureId),
}

/// The result of applying an edit.
#[derive(Debug)]
pub struct Applied {
    /// The edit that undoes this one.
    pub inverse: Edit,
    /// Features whose geometry or appearance may have changed.
    pub touched: Vec<FeatureId>,
    /// True if any touched feature's geometry changed (the index must follow).
    pub geometry_changed: bool,
    /// Items put: added, changed or removed (the item links must follow).
    pub items: Vec<String>,
}

impl Edit {
    /// The name of the action, for "Undo …" menu entries.
    pub fn label(&self) -> EditLabel {
        match self {
            Edit::SetKind { .. } => EditLabel::SetKind,
            Edit::SetProperty { .. } => EditLabel::SetProperty,
            Edit::PutItem { label, .. } => *label,
            Edit::PutCatalogueEntry { .. } => EditLabel::AddCatalogueEntry,
            Edit::PutPhoto { photo: Some(_), .. } => EditLabel::AddPhoto,
            Edit::PutPhoto { photo: None, .. } => EditLabel::RemovePhoto,
            Edit::SetStories { label, .. } => *label,
            Edit::SetTitleBlock { .. } => EditLabel::EditTitleBlock,
            Edit::SetBasemaps { .. } => EditLabel::SetBasemaps,
            Edit::SetGeometry { label, .. } | Edit::SetChange { label, .. } => *label,
            Edit::AddFeature { label, .. } | Edit::RemoveFeature { label, .. } => *label,
            Edit::Batch { label, .. } => *label,
            Edit::SetVotes { .. } => EditLabel::SetVotes,
            Edit::PutHousehold { label, .. } | Edit::PutMatter { label, .. } | Edit::SetConsent { label, .. } => *label,
            Edit::PutRule { .. } => EditLabel::EditRule,
            Edit::PutSpace { label, .. } | Edit::PutFlow { label, .. } | Edit::SetOperations { label, .. } => *label,
        }
    }

    /// True if the edit changes the plan's parts other than features and items
    /// (stories, title block, basemaps, photos, catalogue additions, the
    /// residents' register, matters, rules and votes, the operations ledger):
    /// a database plan writes those whole (`io::postgis::sync::Touched::parts`).
    pub fn touches_parts(&self) -> bool {
        match self {
            Edit::SetKind { .. }
            | Edit::SetProperty { .. }
            | Edit::PutItem { .. }
            | Edit::SetGeometry { .. }
            | Edit::SetChange { .. }
            | Edit::AddFeature { .. }
            | Edit::RemoveFeature { .. } => false,
            Edit::PutCatalogueEntry { .. }
            | Edit::SetStories { .. }
            | Edit::SetTitleBlock { .. }
            | Edit::SetBasemaps { .. }
            | Edit::PutPhoto { .. }
            | Edit::SetVotes { .. }
            | Edit::PutHousehold { .. }
            | Edit::PutMatter { .. }
            | Edit::PutRule { .. }
            | Edit::SetConsent { .. }
            | Edit::PutSpace { .. }
            | Edit::PutFlow { .. }
            | Edit::SetOperations { .. } => true,
            Edit::Batch { edits, .. } => edits.iter().any(Edit::touches_parts),
        }
    }

    /// The key of feature `id` as this edit would put it back (an
    /// `AddFeature` of it, in a batch or alone): how a removed feature is named.
    pub fn added_key(&self, id: FeatureId) -> Option<String> {
        match self {
            Edit::AddFeature { id: added, feature, .. } if *added == id => feature.key().map(str::to_string),
            Edit::Batch { edits, .. } => edits.iter().find_map(|e| e.added_key(id)),
            _ => None,
        }
    }

    /// Checks the edit can be applied without changing anything.
    fn check(&self, plan: &Plan) -> Result<(), EditError> {
        let exists = |id: FeatureId| plan.get(id).map(|_| ()).ok_or(EditError::NoSuchFeature(id));
        match self {
            Edit::SetKind { changes } => changes.iter().try_for_each(|(id, _)| exists(*id)),
            Edit::SetProperty { feature, .. } => exists(*feature),
            Edit::PutItem { .. } | Edit::PutCatalogueEntry { .. } | Edit::PutPhoto { .. } | Edit::SetStories { .. } => {
                Ok(())
            }
            Edit::SetTitleBlock { .. } | Edit::SetBasemaps { .. } => Ok(()),
            Edit::SetVotes { .. }
            | Edit::PutHousehold { .. }
            | Edit::PutMatter { .. }
            | Edit::PutRule { .. }
            | Edit::SetConsent { .. } => Ok(()),
            Edit::PutSpace { .. } | Edit::PutFlow { .. } | Edit::SetOperations { .. } => Ok(()),
            Edit::SetGeometry { feature, .. }
            | Edit::SetChange { feature, .. }
            | Edit::RemoveFeature { id: feature, .. } => exists(*feature),
            Edit::AddFeature { id, .. } => match plan.get(*id) {
                Some(_) => Err(EditError::FeatureExists(*id)),
                None => Ok(()),
            },
            Edit::Batch { edits, .. } => edits.iter().try_for_each(|e| e.check(plan)),
        }
    }

    /// Applies the edit and returns its inverse. Either the whole edit
    /// applies or (on error) nothing does.
    pub fn apply(self, plan: &mut Plan) -> Result<Applied, EditError> {
        self.check(plan)?;
        Ok(self.apply_checked(plan))
    }

    fn apply_checked(self, plan: &mut Plan) -> Applied {
        match self {
            Edit::SetKind { changes } => {
                // The `kind` property follows the kind, so the property table,
                // the GeoJSON and the GeoPackage say the same thing; the
                // inverse restores the property exactly as it was (or absent).
                let mut old = Vec::with_capacity(changes.len());
                let mut old_props = Vec::with_capacity(changes.len());
                let mut touched = Vec::with_capacity(changes.len());
                for (id, kind) in changes {
                    if let Some(f) = plan.get_mut(id) {
                        old.push((id, std::mem::replace(&mut f.kind, kind)));
                        let was = f.properties.insert(KIND_PROPERTY.into(), Value::String(kind.as_str().into()));
                        old_props.push(Edit::SetProperty { feature: id, key: KIND_PROPERTY.into(), value: was });
                        touched.push(id);
                    }
                }
                old.reverse();
                old_props.reverse();
                let mut edits = vec![Edit::SetKind { changes: old }];
                edits.extend(old_props);
                Applied {
                    inverse: Edit::Batch { label: EditLabel::SetKind, edits },
                    touched,
                    geometry_changed: false,
                    items: Vec::new(),
                }
            }
            Edit::SetProperty { feature, key, value } => {
                let old = plan.get_mut(feature).and_then(|f| match value {
                    Some(v) => f.properties.insert(key.clone(), v),
                    None => f.properties.shift_remove(&key),
                });
                Applied {
                    inverse: Edit::SetProperty { feature, key, value: old },
                    touched: vec![feature],
                    geometry_changed: false,
                    items: Vec::new(),
                }
            }
            Edit::PutItem { id, item, label } => {
                let mut touched: Vec<FeatureId> = Vec::new();
                if let Some(old) = plan.items.get(&id) {
                    touched.extend(plan.features_of(old));
                }
                if let Some(new) = &item {
                    touched.extend(plan.features_of(new));
                }
                let old = match item {
                    Some(new) => plan.items.insert(id.clone(), *new),
                    None => plan.items.remove(&id),
                };
                touched.sort();
                touched.dedup();
                Applied {
                    items: vec![id.clone()],
                    inverse: Edit::PutItem { id, item: old.map(Box::new), label },
                    touched,
                    geometry_changed: false,
                }
            }
            Edit::PutCatalogueEntry { id, entry } => {
                let pos = plan.catalogue_additions.iter().position(|e| e.id == id);
                let old = match (pos, entry) {
                    (Some(i), Some(new)) => Some(std::mem::replace(&mut plan.catalogue_additions[i], *new)),
                    (Some(i), None) => Some(plan.catalogue_additions.remove(i)),
                    (None, Some(new)) => {
                        plan.catalogue_additions.push(*new);
                        None
                    }
                    (None, None) => None,
                };
                // Items of this entry may change category colour.
                let touched =
                    plan.items.values().filter(|i| i.catalogue == id).flat_map(|i| plan.features_of(i)).collect();
                Applied {
                    inverse: Edit::PutCatalogueEntry { id, entry: old.map(Box::new) },
                    touched,
                    geometry_changed: false,
                    items: Vec::new(),
                }
            }
            Edit::SetGeometry { feature, geometry, label } => {
                let old = plan.get_mut(feature).map(|f| std::mem::replace(&mut f.geometry, *geometry));
                Applied {
                    inverse: Edit::SetGeometry {
                        feature,
                        geometry: Box::new(old.unwrap_or(Geometry::GeometryCollection(Default::default()))),
                        label,
                    },
                    touched: vec![feature],
                    geometry_changed: true,
                    items: Vec::new(),
                }
            }
            Edit::SetStories { stories, label } => {
                let old = std::mem::replace(&mut plan.stories, stories);
                Applied {
                    inverse: Edit::SetStories { stories: old, label },
                    touched: Vec::new(),
                    geometry_changed: false,
                    items: Vec::new(),
                }
            }
            Edit::SetTitleBlock { block } => {
                let old = std::mem::replace(&mut plan.meta.title_block, block);
                Applied {
                    inverse: Edit::SetTitleBlock { block: old },
                    touched: Vec::new(),
                    geometry_changed: false,
                    items: Vec::new(),
                }
            }
            Edit::SetBasemaps { basemaps } => {
                let old = std::mem::replace(&mut plan.basemaps, basemaps);
                Applied {
                    inverse: Edit::SetBasemaps { basemaps: old },
                    touched: Vec::new(),
                    geometry_changed: false,
                    items: Vec::new(),
                }
            }
            Edit::PutPhoto { id, photo } => {
                let old = match photo {
                    Some(p) => plan.photos.insert(id.clone(), *p),
                    None => plan.photos.remove(&id),
                };
                Applied {
                    inverse: Edit::PutPhoto { id, photo: old.map(Box::new) },
                    touched: Vec::new(),
                    geometry_changed: false,
                    items: Vec::new(),
                }
            }
            Edit::SetChange { feature, change, label } => {
                let old = plan.get_mut(feature).and_then(|f| std::mem::replace(&mut f.change, change));
                Applied {
                    inverse: Edit::SetChange { feature, change: old, label },
                    touched: vec![feature],
                    geometry_changed: true,
                    items: Vec::new(),
                }
            }
            Edit::AddFeature { id, feature, label } => {
                plan.put(id, *feature);
                Applied {
                    inverse: Edit::RemoveFeature { id, label },
                    touched: vec![id],
                    geometry_changed: true,
                    items: Vec::new(),
                }
            }
            Edit::RemoveFeature { id, label } => {
                let inverse = match plan.take(id) {
                    Some(f) => Edit::AddFeature { id, feature: Box::new(f), label },
                    None => Edit::Batch { label, edits: Vec::new() },
                };
                Applied { inverse, touched: vec![id], geometry_changed: true, items: Vec::new() }
            }
            Edit::SetVotes { matter, votes } => {
                let buildings: Vec<String> = votes
                    .iter()
                    .filter_map(|(h, _)| plan.consent.households.get(h).map(|h| h.building.clone()))
                    .collect();
                let on = plan.consent.votes.entry(matter.clone()).or_default();
                let mut old = Vec::with_capacity(votes.len());
                for (h, v) in votes {
                    let was = match v {
                        Some(v) => on.insert(h.clone(), v),
                        None => on.remove(&h),
                    };
                    old.push((h, was));
                }
                if on.is_empty() {
                    plan.consent.votes.remove(&matter);
                }
                // Undone in the reverse order, so a household named twice ends as it was.
                old.reverse();
                Applied {
                    inverse: Edit::SetVotes { matter, votes: old },
                    touched: buildings_touched(plan, buildings),
                    geometry_changed: false,
                    items: Vec::new(),
                }
            }
            Edit::PutHousehold { id, household, label } => {
                let mut buildings: Vec<String> = household.iter().map(|h| h.building.clone()).collect();
                let old = match household {
                    Some(h) => plan.consent.households.insert(id.clone(), *h),
                    None => plan.consent.households.remove(&id),
                };
                buildings.extend(old.iter().map(|h| h.building.clone()));
                let added = old.is_none() && plan.consent.households.contains_key(&id);
                let removed = old.is_some() && !plan.consent.households.contains_key(&id);
                let mut inverse = Edit::PutHousehold { id: id.clone(), household: old.map(Box::new), label };
                if removed {
                    // Its votes go with it, and come back on undo.
                    let mut restore = Vec::new();
                    for (m, on) in plan.consent.votes.iter_mut() {
                        if let Some(v) = on.remove(&id) {
                            restore.push(Edit::SetVotes { matter: m.clone(), votes: vec![(id.clone(), Some(v))] });
                        }
                    }
                    // A matter left with no vote keeps no empty list (as `SetVotes` leaves none).
                    for e in &restore {
                        if let Edit::SetVotes { matter, .. } = e
                            && plan.consent.votes.get(matter).is_some_and(|on| on.is_empty())
                        {
                            plan.consent.votes.remove(matter);
                        }
                    }
                    inverse = with_votes_back(inverse, restore, label);
                } else if added {
                    // Votes its id already had (a household removed outside this history, a register
                    // reread) stay after the undo, which removes the household with its votes.
                    let restore = plan
                        .consent
                        .votes
                        .iter()
                        .filter_map(|(m, on)| {
                            on.get(&id).map(|v| Edit::SetVotes {
                                matter: m.clone(),
                                votes: vec![(id.clone(), Some(v.clone()))],
                            })
                        })
                        .collect();
                    inverse = with_votes_back(inverse, restore, label);
                }
                Applied {
                    inverse,
                    touched: buildings_touched(plan, buildings),
                    geometry_changed: false,
                    items: Vec::new(),
                }
            }
            Edit::PutMatter { id, matter, pos, label } => {
                let at = plan.consent.matters.iter().position(|m| m.id == id);
                let (old, old_pos) = match (at, matter) {
                    (Some(i), Some(new)) => (Some(std::mem::replace(&mut plan.consent.matters[i], *new)), i),
                    (Some(i), None) => (Some(plan.consent.matters.remove(i)), i),
                    (None, Some(new)) => {
                        let p = pos.min(plan.consent.matters.len());
                        plan.consent.matters.insert(p, *new);
                        (None, p)
                    }
                    (None, None) => (None, pos),
                };
                let removed = at.is_some() && plan.consent.matter(&id).is_none();
                let added = at.is_none() && plan.consent.matter(&id).is_some();
                let inverse = Edit::PutMatter { id: id.clone(), matter: old.map(Box::new), pos: old_pos, label };
                // Removed: its votes go with it and come back on undo. Added: votes its id already had stay
                // after the undo, which removes the matter with its votes.
                let votes = match (removed, added) {
                    (true, _) => plan.consent.votes.remove(&id),
                    (_, true) => plan.consent.votes.get(&id).cloned(),
                    _ => None,
                };
                let restore = votes.map(|on| Edit::SetVotes {
                    matter: id,
                    votes: on.into_iter().map(|(h, v)| (h, Some(v))).collect(),
                });
                let inverse = with_votes_back(inverse, restore.into_iter().collect(), label);
                // Every building may change colour on the consent map.
                Applied { inverse, touched: all_buildings(plan), geometry_changed: false, items: Vec::new() }
            }
            Edit::PutRule { id, rule, pos } => {
                let at = plan.consent.rules.iter().position(|r| r.id == id);
                let (old, old_pos) = match (at, rule) {
                    (Some(i), Some(new)) => (Some(std::mem::replace(&mut plan.consent.rules[i], *new)), i),
                    (Some(i), None) => (Some(plan.consent.rules.remove(i)), i),
                    (None, Some(new)) => {
                        let p = pos.min(plan.consent.rules.len());
                        plan.consent.rules.insert(p, *new);
                        (None, p)
                    }
                    (None, None) => (None, pos),
                };
                Applied {
                    inverse: Edit::PutRule { id, rule: old.map(Box::new), pos: old_pos },
                    touched: all_buildings(plan),
                    geometry_changed: false,
                    items: Vec::new(),
                }
            }
            Edit::SetConsent { consent, label } => {
                let old = std::mem::replace(&mut plan.consent, *consent);
                Applied {
                    inverse: Edit::SetConsent { consent: Box::new(old), label },
                    touched: all_buildings(plan),
                    geometry_changed: false,
                    items: Vec::new(),
                }
            }
            Edit::PutSpace { id, space, pos, label } => {
                let mut keys: Vec<String> = space.iter().map(|s| s.feature.clone()).collect();
                let (old, old_pos) = put_at(&mut plan.operations.spaces, |s| s.id == id, space.map(|b| *b), pos);
                keys.extend(old.iter().map(|s| s.feature.clone()));
                Applied {
                    inverse: Edit::PutSpace { id, space: old.map(Box::new), pos: old_pos, label },
                    touched: buildings_touched(plan, keys),
                    geometry_changed: false,
                    items: Vec::new(),
                }
            }
            Edit::PutFlow { id, flow, pos, label } => {
                let (old, old_pos) = put_at(&mut plan.operations.flows, |f| f.id == id, flow.map(|b| *b), pos);
                Applied {
                    inverse: Edit::PutFlow { id, flow: old.map(Box::new), pos: old_pos, label },
                    touched: Vec::new(),
                    geometry_changed: false,
                    items: Vec::new(),
                }
            }
            Edit::SetOperations { operations, label } => {
                let old = std::mem::replace(&mut plan.operations, *operations);
                let keys = old.spaces.iter().chain(&plan.operations.spaces).map(|s| s.feature.clone()).collect();
                Applied {
                    inverse: Edit::SetOperations { operations: Box::new(old), label },
                    touched: buildings_touched(plan, keys),
                    geometry_changed: false,
                    items: Vec::new(),
                }
            }
            Edit::Batch { label, edits } => {
                let mut inverses = Vec::with_capacity(edits.len());
                let mut touched = Vec::new();
                let mut geometry_changed = false;
                let mut items = Vec::new();
                for e in edits {
                    let a = e.apply_checked(plan);
                    inverses.push(a.inverse);
                    touched.extend(a.touched);
                    geometry_changed |= a.geometry_changed;
                    items.extend(a.items);
                }
                inverses.reverse();
                touched.sort();
                touched.dedup();
                items.sort();
                items.dedup();
                Applied { inverse: Edit::Batch { label, edits: inverses }, touched, geometry_changed, items }
            }
        }
    }
}

/// The features of buildings named by key, for an edit that may recolour them.
/// Puts `new` in place of the entry `is` finds (or removes it, `None`), or inserts it at `pos` (the end
/// when past it); returns the old entry and where it was, or `pos` as placed.
fn put_at<T>(list: &mut Vec<T>, is: impl Fn(&T) -> bool, new: Option<T>, pos: usize) -> (Option<T>, usize) {
    match (list.iter().position(is), new) {
        (Some(i), Some(new)) => (Some(std::mem::replace(&mut list[i], new)), i),
        (Some(i), None) => (Some(list.remove(i)), i),
        (None, Some(new)) => {
            let p = pos.min(list.len());
            list.insert(p, new);
            (None, p)
        }
        (None, None) => (None, pos),
    }
}

/// `inverse` followed by the edits that put votes back, as one batch when there are any.
fn with_votes_back(inverse: Edit, restore: Vec<Edit>, label: EditLabel) -> Edit {
    if restore.is_empty() {
        return inverse;
    }
    let mut edits = vec![inverse];
    edits.extend(restore);
    Edit::Batch { label, edits }
}

fn buildings_touched(plan: &Plan, mut keys: Vec<String>) -> Vec<FeatureId> {
    keys.sort();
    keys.dedup();
    keys.iter().filter_map(|k| plan.by_key(k)).collect()
}

/// Every building of the plan.
fn all_buildings(plan: &Plan) -> Vec<FeatureId> {
    plan.iter().filter(|(_, f)| f.kind == Kind::Building).map(|(id, _)| id).collect()
}

/// Undo and redo stacks of inverse edits. Not part of the saved plan.
#[derive(Default)]
pub struct History {
    undo: Vec<Edit>,
    redo: Vec<Edit>,
}

impl History {
    /// Records the inverse of an edit the user just made; a new edit clears redo.
    pub fn record(&mut self, inverse: Edit) {
        self.undo.push(inverse);
        self.redo.clear();
    }

    /// What Undo would undo.
    pub fn undo_label(&self) -> Option<EditLabel> {
        self.undo.last().map(Edit::label)
    }

    /// What Redo would redo.
    pub fn redo_label(&self) -> Option<EditLabel> {
        self.redo.last().map(Edit::label)
    }

    /// The edit Undo would apply (the inverse of the last edit).
    pub fn peek_undo(&self) -> Option<&Edit> {
        self.undo.last()
    }

    /// The edit Redo would apply.
    pub fn peek_redo(&self) -> Option<&Edit> {
        self.redo.last()
    }

    /// Undoes the last edit; returns what it touched. `None`: nothing to
    /// undo. An edit that cannot be applied to the plan as it is stays on the
    /// stack, the plan unchanged, and the error says why.
    pub fn undo(&mut self, plan: &mut Plan) -> Option<Result<Applied, EditError>> {
        Self::step(&mut self.undo, &mut self.redo, plan)
    }

    /// Redoes the last undone edit; returns what it touched. As `undo`, a
    /// failing edit keeps its place and says why.
    pub fn redo(&mut self, plan: &mut Plan) -> Option<Result<Applied, EditError>> {
        Self::step(&mut self.redo, &mut self.undo, plan)
    }

    /// Applies the top of `from` and moves its inverse to `to`, or leaves both as they are.
    fn step(from: &mut Vec<Edit>, to: &mut Vec<Edit>, plan: &mut Plan) -> Option<Result<Applied, EditError>> {
        if let Err(e) = from.last()?.check(plan) {
            return Some(Err(e));
        }
        let applied = from.pop()?.apply_checked(plan);
        to.push(applied.inverse.clone());
        Some(Ok(applied))
    }

    pub fn clear(&mut self) {
        self.undo.clear();
        self.redo.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Feature, PlanMeta};
    use geo::point;
    use serde_json::json;

    fn plan() -> Plan {
        let mut p = Plan::new(PlanMeta::default());
        for i in 0..5 {
            let mut props = serde_json::Map::new();
            props.insert("name".into(), json!(format!("n{i}")));
            p.push(Feature::new(Kind::Other, props, point!(x: 116.0 + i as f64 * 0.001, y: 39.0).into()));
        }
        p
    }

    #[test]
    fn undo_gives_back_the_plan_exactly_and_redo_the_edited_one() {
        let original = plan();
        let mut p = original.clone();
        let mut h = History::default();
        let edits = vec![
            Edit::SetKind { changes: vec![(FeatureId(0), Kind::Building), (FeatureId(3), Kind::Node)] },
            Edit::SetProperty { feature: FeatureId(1), key: "name".into(), value: Some(json!("劲松园")) },
            Edit::SetProperty { feature: FeatureId(2), key: "name".into(), value: None },
            Edit::SetProperty { feature: FeatureId(4), key: "floors".into(), value: Some(json!(6)) },
        ];
        for e in edits {
            let a = e.apply(&mut p).expect("applies");
            h.record(a.inverse);
        }
        let edited = p.clone();
        assert_ne!(edited, original);
        while h.undo(&mut p).is_some() {}
        assert_eq!(p, original);
        while h.redo(&mut p).is_some() {}
        assert_eq!(p, edited);
    }

    #[test]
    fn an_edit_of_a_missing_feature_changes_nothing() {
        let mut p = plan();
        let before = p.clone();
        let e = Edit::Batch {
            label: EditLabel::SetKind,
            edits: vec![
                Edit::SetKind { changes: vec![(FeatureId(0), Kind::Building)] },
                Edit::SetKind { changes: vec![(FeatureId(99), Kind::Building)] },
            ],
        };
        assert_eq!(e.apply(&mut p).err(), Some(EditError::NoSuchFeature(FeatureId(99))));
        assert_eq!(p, before);
    }

    #[test]
    fn a_kind_correction_updates_the_kind_property_and_undo_restores_it_exactly() {
        let mut p = plan();
        let original = p.clone();
        let a = Edit::SetKind { changes: vec![(FeatureId(0), Kind::Building), (FeatureId(1), Kind::Garden)] }
            .apply(&mut p)
            .expect("applies");
        assert_eq!(a.inverse.label(), EditLabel::SetKind);
        for (id, name) in [(0, "building"), (1, "garden")] {
            let f = p.get(FeatureId(id)).expect("feature");
            assert_eq!(f.properties.get_str("kind"), Some(name), "the property table says what the kind is");
        }
        let edited = p.clone();
        let redo = a.inverse.apply(&mut p).expect("undo");
        assert_eq!(p, original, "undo removes the added property again");
        assert!(p.get(FeatureId(0)).expect("feature").properties.get("kind").is_none());
        redo.inverse.apply(&mut p).expect("redo");
        assert_eq!(p, edited);
    }

    #[test]
    fn a_new_edit_clears_redo() {
        let mut p = plan();
        let mut h = History::default();
        let a = Edit::SetKind { changes: vec![(FeatureId(0), Kind::Garden)] }.apply(&mut p).expect("applies");
        h.record(a.inverse);
        h.undo(&mut p);
        assert!(h.redo_label().is_some());
        let a = Edit::SetKind { changes: vec![(FeatureId(1), Kind::Garden)] }.apply(&mut p).expect("applies");
        h.record(a.inverse);
        assert!(h.redo_label().is_none());
    }

    #[test]
    fn an_undo_that_cannot_apply_keeps_its_entry_and_says_why() {
        let mut p = plan();
        let mut h = History::default();
        let a = Edit::SetKind { changes: vec![(FeatureId(2), Kind::Garden)] }.apply(&mut p).expect("applies");
        h.record(a.inverse);
        // The feature the undo would restore is gone (e.g. a plan replaced under the history).
        let mut other = Plan::new(PlanMeta::default());
        let e = h.undo(&mut other).expect("something to undo").expect_err("cannot apply");
        assert_eq!(e, EditError::NoSuchFeature(FeatureId(2)));
        assert_eq!(h.undo_label(), Some(EditLabel::SetKind), "the entry is kept");
        assert_eq!(h.redo_label(), None);
        // On the plan it belongs to, the same entry still undoes.
        h.undo(&mut p).expect("something to undo").expect("applies");
        assert_eq!(p.get(FeatureId(2)).map(|f| f.kind), Some(Kind::Other));
        let e = h.redo(&mut other).expect("something to redo").expect_err("cannot apply");
        assert_eq!(e, EditError::NoSuchFeature(FeatureId(2)));
        assert_eq!(h.redo_label(), Some(EditLabel::SetKind), "the redo entry is kept");
        assert!(h.redo(&mut p).expect("something to redo").is_ok());
        assert_eq!(p.get(FeatureId(2)).map(|f| f.kind), Some(Kind::Garden));
    }

    /// Every consent edit, in random sequences from a register with orphan votes (of households and
    /// matters no longer there): undoing them all gives the consent back exactly, and redoing them the
    /// edited one, at every step.
    #[test]
    fn random_consent_edits_undo_and_redo_exactly() {
        use crate::model::consent::{Choice, Household, Matter, Method, Rule, Scope, Share, Vote};
        struct Rng(u64);
        impl Rng {
            fn next(&mut self, n: usize) -> usize {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                (self.0 % n as u64) as usize
            }
        }
        let ids = ["h1", "h2", "h3", "h4", "h5", "h6"];
        let matters = ["m1", "m2", "m3", "m4"];
        let household = |r: &mut Rng, id: &str| Household {
            id: id.into(),
            building: ["b1", "b2"][r.next(2)].into(),
            unit: (1 + r.next(2)).to_string(),
            floor: 1 + r.next(6) as i32,
            room: (101 + r.next(4)).to_string(),
            area_m2: 40.0 + r.next(30) as f64,
            owner_type: Default::default(),
            owner_name: (r.next(2) == 0).then(|| "张三".into()),
            phone: None,
        };
        let matter = |r: &mut Rng, id: &str| Matter {
            id: id.into(),
            title_zh: format!("事项{}", r.next(100)),
            title_en: String::new(),
            scope: if r.next(2) == 0 { Scope::District } else { Scope::Buildings { buildings: vec!["b1".into()] } },
            rule: ["double_majority", "mine", "r2"][r.next(3)].into(),
            opens: None,
            closes: None,
            items: Vec::new(),
        };
        let rule = |r: &mut Rng, id: &str| Rule {
            id: id.into(),
            name_zh: format!("规则{}", r.next(100)),
            name_en: String::new(),
            description_zh: None,
            description_en: None,
            participation: None,
            agree: Share { num: 1 + r.next(2) as u32, den: 3, strict: r.next(2) == 0 },
            agree_of: Default::default(),
        };
        let vote = |r: &mut Rng| {
            (r.next(4) > 0).then(|| Vote {
                vote: Choice::ALL[r.next(3)],
                date: (r.next(2) == 0).then(|| "2026-01-01".into()),
                method: (r.next(2) == 0).then_some(Method::Paper),
            })
        };
        for seed in 1..=200u64 {
            let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
            let mut p = plan();
            let c = &mut p.consent;
            for id in &ids[..4] {
                c.households.insert(id.to_string(), household(&mut r, id));
            }
            for id in &matters[..2] {
                c.matters.push(matter(&mut r, id));
            }
            c.rules = vec![rule(&mut r, "mine"), rule(&mut r, "r2"), rule(&mut r, "r3")];
            // Votes of every id and matter, those not in the register or not a matter among them.
            for _ in 0..12 {
                let v = Vote { vote: Choice::ALL[r.next(3)], date: None, method: None };
                c.votes.entry(matters[r.next(4)].into()).or_default().insert(ids[r.next(6)].into(), v);
            }
            let mut states = vec![p.consent.clone()];
            let mut inverses = Vec::new();
            for _ in 0..12 {
                let edit = match r.next(5) {
                    0 => Edit::SetVotes {
                        matter: matters[r.next(4)].into(),
                        votes: (0..1 + r.next(3)).map(|_| (ids[r.next(6)].to_string(), vote(&mut r))).collect(),
                    },
                    1 => {
                        let id = ids[r.next(6)];
                        let h = (r.next(3) > 0).then(|| Box::new(household(&mut r, id)));
                        Edit::PutHousehold { id: id.into(), household: h, label: EditLabel::EditHousehold }
                    }
                    2 => {
                        let id = matters[r.next(4)];
                        let m = (r.next(3) > 0).then(|| Box::new(matter(&mut r, id)));
                        Edit::PutMatter { id: id.into(), matter: m, pos: r.next(4), label: EditLabel::EditMatter }
                    }
                    3 => {
                        let id = ["mine", "r2", "r3", "r4"][r.next(4)];
                        let x = (r.next(2) > 0).then(|| Box::new(rule(&mut r, id)));
                        Edit::PutRule { id: id.into(), rule: x, pos: r.next(5) }
                    }
                    _ => {
                        let mut c = p.consent.clone();
                        c.households.remove(ids[r.next(6)]);
                        c.note = Some("reread".into());
                        Edit::SetConsent { consent: Box::new(c), label: EditLabel::ImportRegister }
                    }
                };
                let a = edit.apply(&mut p).expect("a consent edit applies");
                inverses.push(a.inverse);
                states.push(p.consent.clone());
            }
            let mut redos = Vec::new();
            while let Some(inverse) = inverses.pop() {
                redos.push(inverse.apply(&mut p).expect("undoes").inverse);
                assert_eq!(p.consent, states[inverses.len()], "seed {seed}: undone to step {}", inverses.len());
            }
            for (k, redo) in redos.into_iter().rev().enumerate() {
                redo.apply(&mut p).expect("redoes");
                assert_eq!(p.consent, states[k + 1], "seed {seed}: redone to step {}", k + 1);
            }
        }
    }

    /// Ledger edits in random sequences: undoing them all gives the ledger back exactly, redoing them
    /// the edited one, at every step.
    #[test]
    fn random_ledger_edits_undo_and_redo_exactly() {
        use crate::model::operations::{Flow, FlowKind, Space};
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..200 {
            let mut p = plan();
            let mut states = vec![p.operations.clone()];
            let mut inverses = Vec::new();
            for _ in 0..10 {
                let edit = match next(3) {
                    0 => {
                        let id = ["s1", "s2", "s3"][next(3)];
                        let space = (next(3) > 0).then(|| {
                            Box::new(Space {
                                id: id.into(),
                                feature: ["a", "b"][next(2)].into(),
                                name_zh: format!("空间{}", next(100)),
                                name_en: None,
                                operator: "愿景".into(),
                                use_: "shop".into(),
                                area_m2: next(500) as f64 / 4.0,
                                term_start: 2019,
                                term_end: 2020 + next(30) as i32,
                                items: Vec::new(),
                            })
                        });
                        Edit::PutSpace { id: id.into(), space, pos: next(4), label: EditLabel::EditSpace }
                    }
                    1 => {
                        let id = ["f1", "f2", "f3", "f4"][next(4)];
                        let flow = (next(3) > 0).then(|| {
                            Box::new(Flow {
                                id: id.into(),
                                kind: FlowKind::ALL[next(6)],
                                name_zh: String::new(),
                                name_en: None,
                                space: (next(2) == 0).then(|| "s1".into()),
                                yuan_per_year: next(1_000_000) as i64,
                                collection_rate: (next(2) == 0).then_some(0.75),
                                start_year: 2019,
                                end_year: 2039,
                                growth: next(5) as f64 / 100.0,
                            })
                        });
                        Edit::PutFlow { id: id.into(), flow, pos: next(5), label: EditLabel::EditFlow }
                    }
                    _ => {
                        let mut o = p.operations.clone();
                        o.discount_rate = next(10) as f64 / 100.0;
                        o.note = (next(2) == 0).then(|| "示意".into());
                        o.flows.truncate(next(3));
                        Edit::SetOperations { operations: Box::new(o), label: EditLabel::EditLedger }
                    }
                };
                inverses.push(edit.apply(&mut p).expect("a ledger edit applies").inverse);
                states.push(p.operations.clone());
            }
            let mut redos = Vec::new();
            while let Some(inverse) = inverses.pop() {
                redos.push(inverse.apply(&mut p).expect("undoes").inverse);
                assert_eq!(p.operations, states[inverses.len()], "undone to step {}", inverses.len());
            }
            for (k, redo) in redos.into_iter().rev().enumerate() {
                redo.apply(&mut p).expect("redoes");
                assert_eq!(p.operations, states[k + 1], "redone to step {}", k + 1);
            }
        }
    }
}
