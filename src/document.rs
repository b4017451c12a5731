//! A document is an open plan with everything that follows it: its spatial
//! index, its undo history, the warnings from loading it and where it came from.
//! All edits go through [`Document::apply`], which keeps the index and the item links in step.

use std::path::PathBuf;

use crate::edit::{Applied, Edit, EditError, EditLabel, History};
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
        let applied = edit.apply(std::sync::Arc::make_mut(&mut self.plan))?;
        let touched = self.follow(&applied);
        self.history.record(applied.inverse);
        self.revision += 1;
        Ok(touched)
    }

    /// Undoes the last edit; returns the touched features. `None`: nothing
    /// to undo; an error: the edit could not be applied, and stays to undo.
    pub fn undo(&mut self) -> Option<Result<Vec<FeatureId>, EditError>> {
        let applied = self.history.undo(std::sync::Arc::make_mut(&mut self.plan))?;
        Some(applied.map(|a| self.followed(&a)))
    }

    /// Redoes the last undone edit; returns the touched features. As `undo`.
    pub fn redo(&mut self) -> Option<Result<Vec<FeatureId>, EditError>> {
        let applied = self.history.redo(std::sync::Arc::make_mut(&mut self.plan))?;
        Some(applied.map(|a| self.followed(&a)))
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
