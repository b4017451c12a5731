//! A document is an open plan with everything that follows it: its spatial
//! index, its undo history, the warnings from loading it and where it came from.
//! All edits go through [`Document::apply`], which keeps the index and the item links in step.

use std::path::PathBuf;

use crate::edit::{Applied, Edit, EditError, EditLabel, History};
use crate::io::postgis::sync::Touched;
use crate::io::{Loaded, Warning};
use crate::model::{FeatureId, ItemLinks, Plan, SpatialIndex};

/// Where the open plan came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// The Jinsong plan built into the app.
    Jinsong,
    File(PathBuf),
    /// A plan in PostgreSQL/PostGIS (`io::postgis`): Save publishes it back there.
    Database(DbPlan),
}

/// A plan opened from (or published to) a database, as the window keeps it:
/// never a password (`location` is the URI as `postgis::redact` shows it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DbPlan {
    /// The URI without any password: what the title, messages and recent plans show, and what Save publishes to.
    pub location: String,
    /// The plan's name (its schema).
    pub plan: String,
    /// The database's name.
    pub db: String,
    /// The role the connection logs in as.
    pub user: String,
    /// The plan's revision in the database when it was read or last published
    /// here: Save publishes only if it is still this (else someone else published meanwhile).
    pub revision: i64,
    /// The role may read the plan but not change it.
    pub read_only: bool,
}

impl DbPlan {
    /// The plan at `at`, read or published at `revision`.
    pub fn at(at: &crate::io::postgis::Location, revision: i64, read_only: bool) -> Self {
        DbPlan {
            location: at.to_string(),
            plan: at.plan.clone(),
            db: at.db().to_string(),
            user: at.user().to_string(),
            revision,
            read_only,
        }
    }
}

impl Source {
    pub fn display_name(&self) -> String {
        match self {
            Source::Jinsong => "jinsong (embedded)".into(),
            Source::File(p) => p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            Source::Database(d) => format!("{} @ {} (PostgreSQL)", d.plan, d.db),
        }
    }

    /// The database plan, if the plan came from one.
    pub fn database(&self) -> Option<&DbPlan> {
        match self {
            Source::Database(d) => Some(d),
            _ => None,
        }
    }
}

/// One change the planner made to the plan (an edit, an undo or a redo), by
/// what it touched: what a database plan edited together sends
/// (`ui::live` drains them with [`Document::take_changes`]).
#[derive(Clone, Debug, PartialEq)]
pub struct LocalChange {
    pub touched: Touched,
    /// The edit's label (for an undo or redo, the label of the edit undone or redone).
    pub label: EditLabel,
    /// Whether it was an undo or a redo, for the edit log's words.
    pub step: Step,
}

/// How a local change was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Edit,
    Undo,
    Redo,
}

/// An open plan.
pub struct Document {
    /// Shared, so that a save or autosave on another thread reads a snapshot
    /// without copying; an edit made meanwhile copies it first (`Arc::make_mut`).
    plan: std::sync::Arc<Plan>,
    /// Shared for the same reason: the map builds a slow scene on another thread
    /// from it; a geometry edit made meanwhile copies it first.
    index: std::sync::Arc<SpatialIndex>,
    /// Which items name which features, kept in step by every edit.
    links: ItemLinks,
    history: History,
    warnings: Vec<Warning>,
    source: Source,
    /// Bumped by every edit, undo and redo.
    revision: u64,
    /// The revision last saved (or loaded).
    saved_revision: u64,
    /// The coordinate system the file was read from, when not WGS 84 (the plan itself is always WGS 84).
    crs: Option<crate::io::crs::Crs>,
    /// Unique to this document in the process (see [`Document::stamp`]).
    id: u64,
    /// Local changes not yet taken, kept only while `tracking` (a plan edited
    /// together): otherwise nobody would take them.
    changes: Vec<LocalChange>,
    tracking: bool,
}

impl Document {
    pub fn new(loaded: Loaded, source: Source) -> Self {
        let index = SpatialIndex::build(&loaded.plan);
        let mut doc = Document::from_parts(loaded.plan, index, loaded.warnings, source);
        doc.crs = loaded.crs;
        doc
    }

    /// A document from a plan and an index already built for it.
    pub fn from_parts(plan: Plan, index: SpatialIndex, warnings: Vec<Warning>, source: Source) -> Self {
        Document {
            links: ItemLinks::build(&plan),
            plan: std::sync::Arc::new(plan),
            index: std::sync::Arc::new(index),
            history: History::default(),
            warnings,
            source,
            revision: 0,
            saved_revision: 0,
            crs: None,
            id: {
                static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
                NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            },
            changes: Vec::new(),
            tracking: false,
        }
    }

    /// The plan. It changes only through [`Document::apply`], undo and redo.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The plan, shared: a save or autosave on another thread reads this
    /// snapshot while the window goes on (an edit then copies the plan first).
    pub fn shared_plan(&self) -> std::sync::Arc<Plan> {
        std::sync::Arc::clone(&self.plan)
    }

    /// The spatial index of the plan, kept in step by every edit.
    pub fn index(&self) -> &SpatialIndex {
        &self.index
    }

    /// The spatial index, shared: the map's background scene builds read this
    /// snapshot while the window goes on (a geometry edit then copies it first).
    pub fn shared_index(&self) -> std::sync::Arc<SpatialIndex> {
        std::sync::Arc::clone(&self.index)
    }

    /// Which items name which features, kept in step by every edit.
    pub fn links(&self) -> &ItemLinks {
        &self.links
    }

    /// What loading the plan found wrong and worked around.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Where the plan came from.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// Bumped by every edit, undo and redo.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// The coordinate system the file was read from, when not WGS 84 (the plan itself is always WGS 84).
    pub fn crs(&self) -> Option<crate::io::crs::Crs> {
        self.crs
    }

    /// Marks a plan recovered from an autosave as unsaved work (its own file
    /// does not have these changes yet).
    pub fn mark_recovered(&mut self) {
        self.revision = self.saved_revision + 1;
    }

    /// Which plan this is and how far it has been edited: changes whenever the
    /// plan does (an edit, undo, redo) and differs between documents (open,
    /// recovery, import), so whatever is derived from the plan can tell it is stale.
    pub fn stamp(&self) -> (u64, u64) {
        (self.id, self.revision)
    }

    /// The embedded Jinsong plan.
    pub fn jinsong() -> Self {
        Self::new(crate::io::load_jinsong(), Source::Jinsong)
    }

    /// Applies a user's edit and records it for undo. Returns the touched features.
    pub fn apply(&mut self, edit: Edit) -> Result<Vec<FeatureId>, EditError> {
        let (label, parts) = (edit.label(), edit.touches_parts());
        let applied = edit.apply(std::sync::Arc::make_mut(&mut self.plan))?;
        self.note(&applied, parts, label, Step::Edit);
        let touched = self.follow(&applied);
        self.history.record(applied.inverse);
        self.revision += 1;
        Ok(touched)
    }

    /// Applies others' edit (pulled from a database plan edited together):
    /// not recorded for undo (Undo undoes the planner's own edits), not a
    /// local change to send, and not unsaved work (the database has it). Returns the touched features.
    pub fn apply_remote(&mut self, edit: Edit) -> Result<Vec<FeatureId>, EditError> {
        let applied = edit.apply(std::sync::Arc::make_mut(&mut self.plan))?;
        let clean = !self.is_dirty();
        self.revision += 1;
        if clean {
            self.saved_revision = self.revision;
        }
        Ok(self.follow(&applied))
    }

    /// Undoes the last edit; returns the touched features. `None`: nothing
    /// to undo; an error: the edit could not be applied, and stays to undo.
    pub fn undo(&mut self) -> Option<Result<Vec<FeatureId>, EditError>> {
        let (label, parts) = self.history.peek_undo().map(|e| (e.label(), e.touches_parts()))?;
        let applied = self.history.undo(std::sync::Arc::make_mut(&mut self.plan))?;
        Some(applied.map(|a| {
            self.note(&a, parts, label, Step::Undo);
            self.followed(&a)
        }))
    }

    /// Redoes the last undone edit; returns the touched features. As `undo`.
    pub fn redo(&mut self) -> Option<Result<Vec<FeatureId>, EditError>> {
        let (label, parts) = self.history.peek_redo().map(|e| (e.label(), e.touches_parts()))?;
        let applied = self.history.redo(std::sync::Arc::make_mut(&mut self.plan))?;
        Some(applied.map(|a| {
            self.note(&a, parts, label, Step::Redo);
            self.followed(&a)
        }))
    }

    /// Starts (or stops) keeping the local changes for [`Document::take_changes`].
    pub fn track_changes(&mut self, on: bool) {
        self.tracking = on;
        if !on {
            self.changes.clear();
        }
    }

    /// The local changes (edits, undos, redos) since the last call, oldest first.
    pub fn take_changes(&mut self) -> Vec<LocalChange> {
        std::mem::take(&mut self.changes)
    }

    /// Marks the plan as it is now as saved (a database plan edited together:
    /// every change has been committed there).
    pub fn mark_clean(&mut self) {
        self.saved_revision = self.revision;
    }

    /// Keeps what a local change touched, by key: a removed feature is named
    /// by the edit that would put it back.
    fn note(&mut self, applied: &Applied, parts: bool, label: EditLabel, step: Step) {
        if !self.tracking {
            return;
        }
        let mut touched = Touched::of(&self.plan, applied, parts, &[]);
        for id in &applied.touched {
            if self.plan.get(*id).is_none()
                && let Some(key) = applied.inverse.added_key(*id)
            {
                touched.features.insert(key);
            }
        }
        if !touched.is_empty() {
            self.changes.push(LocalChange { touched, label, step });
        }
    }

    /// After an undo or redo changed the plan: a new revision, the index following.
    fn followed(&mut self, applied: &Applied) -> Vec<FeatureId> {
        self.revision += 1;
        self.follow(applied)
    }

    /// True if there are edits not yet saved.
    pub fn is_dirty(&self) -> bool {
        self.revision != self.saved_revision
    }

    /// The file Save writes to: the plan's own GeoJSON file, if it has one.
    pub fn save_path(&self) -> Option<&std::path::Path> {
        match &self.source {
            Source::File(p) if p.extension().is_some_and(|e| e == "gpkg" || e == "geojson" || e == "json") => Some(p),
            _ => None,
        }
    }

    /// Saves the plan (a GeoPackage for `.gpkg`, else plan GeoJSON; atomically)
    /// and makes `path` its file.
    pub fn save_to(&mut self, path: &std::path::Path) -> Result<(), crate::error::SaveError> {
        crate::io::save_path(&self.plan, path)?;
        self.mark_saved(path, self.revision);
        Ok(())
    }

    /// Records that the plan as it was at `revision` (the document's) is now
    /// the database plan `at` (published from a snapshot on another thread);
    /// later edits stay unsaved.
    pub fn mark_published(&mut self, at: DbPlan, revision: u64) {
        self.source = Source::Database(at);
        self.saved_revision = revision;
    }

    /// Records that the plan as it was at `revision` is now in `path` (a save
    /// made on another thread from a snapshot); later edits stay unsaved.
    pub fn mark_saved(&mut self, path: &std::path::Path, revision: u64) {
        self.source = Source::File(path.to_path_buf());
        self.saved_revision = revision;
    }

    pub fn undo_label(&self) -> Option<EditLabel> {
        self.history.undo_label()
    }

    pub fn redo_label(&self) -> Option<EditLabel> {
        self.history.redo_label()
    }

    fn follow(&mut self, applied: &Applied) -> Vec<FeatureId> {
        if applied.geometry_changed && !applied.touched.is_empty() {
            let index = std::sync::Arc::make_mut(&mut self.index);
            for id in &applied.touched {
                index.update(&self.plan, *id);
            }
        }
        for item in &applied.items {
            self.links.update(&self.plan, item);
        }
        applied.touched.clone()
    }
}

/// Opens a loaded plan for display: the spatial index and the geometry cache
/// are built at the same time on two threads (they only read the plan).
pub fn open(loaded: Loaded, source: Source) -> (Document, crate::render::GeometryCache) {
    let Loaded { plan, warnings, crs } = loaded;
    let (index, cache) = crate::render::GeometryCache::with_index(&plan);
    let mut doc = Document::from_parts(plan, index, warnings, source);
    doc.crs = crs;
    (doc, cache)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;
    use serde_json::json;

    fn tracked() -> Document {
        let mut doc = Document::jinsong();
        doc.track_changes(true);
        doc
    }

    fn building(doc: &Document, n: usize) -> (FeatureId, String) {
        let plan = doc.plan();
        let id = plan.iter().filter(|(_, f)| f.kind == Kind::Building).nth(n).map(|(id, _)| id).expect("a building");
        (id, plan.key(id).expect("a key"))
    }

    #[test]
    fn edits_undos_and_redos_are_kept_as_what_they_touched_by_key_until_taken() {
        let mut doc = tracked();
        let (id, key) = building(&doc, 0);
        doc.apply(Edit::SetProperty { feature: id, key: "name_zh".into(), value: Some(json!("改名")) }).expect("edit");
        doc.undo().expect("something to undo").expect("undone");
        doc.redo().expect("something to redo").expect("redone");
        let changes = doc.take_changes();
        assert_eq!(changes.len(), 3);
        assert!(changes.iter().all(|c| c.touched.features == [key.clone()].into() && !c.touched.parts));
        assert_eq!(changes.iter().map(|c| c.step).collect::<Vec<_>>(), [Step::Edit, Step::Undo, Step::Redo]);
        assert!(changes.iter().all(|c| c.label == EditLabel::SetProperty));
        assert!(doc.take_changes().is_empty(), "taken once");
    }

    #[test]
    fn a_removed_feature_is_named_by_its_key_and_an_item_by_its_id() {
        let mut doc = tracked();
        let (id, key) = building(&doc, 1);
        doc.apply(Edit::RemoveFeature { id, label: EditLabel::DeleteFeature }).expect("removed");
        let (item_id, mut item) = doc.plan().items.iter().next().map(|(k, v)| (k.clone(), v.clone())).expect("item");
        let named = item.features.clone();
        item.name_zh = Some("新名字".into());
        doc.apply(Edit::PutItem { id: item_id.clone(), item: Some(Box::new(item)), label: EditLabel::EditItem })
            .expect("put");
        let changes = doc.take_changes();
        assert_eq!(changes[0].touched.features, [key].into());
        assert_eq!(changes[0].label, EditLabel::DeleteFeature);
        assert_eq!(changes[1].touched.items, [item_id].into());
        for k in named.iter().filter(|k| doc.plan().by_key(k).is_some()) {
            assert!(changes[1].touched.features.contains(k), "the item's features' status columns follow");
        }
    }

    #[test]
    fn the_plans_other_parts_are_marked_as_touched() {
        let mut doc = tracked();
        let mut stories = doc.plan().stories.clone();
        stories.truncate(1);
        doc.apply(Edit::SetStories { stories, label: EditLabel::EditStory }).expect("stories");
        let (id, _) = building(&doc, 2);
        let batch = Edit::Batch {
            label: EditLabel::SetProperty,
            edits: vec![
                Edit::SetProperty { feature: id, key: "note".into(), value: Some(json!("x")) },
                Edit::SetTitleBlock { block: Default::default() },
            ],
        };
        assert!(batch.touches_parts());
        doc.apply(batch).expect("batch");
        let changes = doc.take_changes();
        assert!(changes[0].touched.parts && changes[0].touched.features.is_empty());
        assert!(changes[1].touched.parts && changes[1].touched.features.len() == 1);
    }

    #[test]
    fn others_edits_are_neither_undone_nor_sent_nor_unsaved_work() {
        let mut doc = tracked();
        let (id, _) = building(&doc, 3);
        doc.apply_remote(Edit::SetProperty { feature: id, key: "name_zh".into(), value: Some(json!("他人改的")) })
            .expect("applied");
        assert!(doc.take_changes().is_empty(), "not a local change");
        assert!(doc.undo().is_none(), "not in the undo history");
        assert!(!doc.is_dirty(), "the database has it");
        assert_eq!(doc.plan().get(id).and_then(|f| f.name_zh()), Some("他人改的"));
        // With unsaved local work, it stays unsaved.
        let (other, _) = building(&doc, 4);
        doc.apply(Edit::SetProperty { feature: other, key: "note".into(), value: Some(json!("mine")) }).expect("mine");
        doc.apply_remote(Edit::SetProperty { feature: id, key: "note".into(), value: Some(json!("theirs")) })
            .expect("theirs");
        assert!(doc.is_dirty());
        assert_eq!(doc.undo_label(), Some(EditLabel::SetProperty));
        doc.undo().expect("undo").expect("undone");
        assert_eq!(doc.plan().get(other).and_then(|f| f.properties.get_str("note")), None);
        assert_eq!(doc.plan().get(id).and_then(|f| f.properties.get_str("note")), Some("theirs"), "theirs stays");
    }

    #[test]
    fn nothing_is_kept_unless_tracking() {
        let mut doc = Document::jinsong();
        let (id, _) = building(&doc, 0);
        doc.apply(Edit::SetProperty { feature: id, key: "note".into(), value: Some(json!("x")) }).expect("edit");
        assert!(doc.take_changes().is_empty());
    }
}
