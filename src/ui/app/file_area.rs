//! The file area: opening plans on a background thread (with progress and
//! cancel), importing a file's features into the open plan the same way,
//! saving from a snapshot, exporting from a snapshot on a background thread
//! (with progress and cancel), autosave and crash recovery, closing with
//! unsaved work, and the file actions (open, import, save, export, recover).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, channel};

use eframe::egui;

use super::{Changed, PlannerApp};
use crate::document::{DbPlan, Document, Source};
use crate::error::{ExportError, SaveError};
use crate::io::postgis::{self, DbError};
use crate::render::GeometryCache;
use crate::ui::action::Action;
use crate::ui::database::{Conflict, ConflictChoice, DbMode};
use crate::ui::files::FileTask;
use crate::ui::message::{Message, Reason};

/// What a file is read for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Purpose {
    /// To replace the open plan.
    Open,
    /// To add its features to the open plan (File → Import layer…).
    Import,
}

/// What the background reader hands back.
enum Read {
    /// A plan to open, made a document with its drawing cache on the reader's thread.
    Plan(Box<(Document, GeometryCache)>),
    /// A file's features to add to the open plan, marked with the file's
    /// name on the reader's thread, and the number of warnings reading it gave.
    Layer(Box<crate::import::Marked>, usize),
    /// A CAD drawing read without the planner's choice of its layers: its
    /// layers (scanned on the reader's thread) and the kinds remembered for
    /// them, for the "CAD layers" window (`ui::cad_layers`).
    CadLayers(Vec<crate::io::dxf::CadLayer>, crate::io::LayerKinds),
}

/// What the planner said of a file in a window (a drawing's layers, a table's
/// columns), owned so it can go to the reader's thread, where
/// [`PlannerApp::start_read`] makes it read options with the File menu's coordinate system.
#[derive(Clone, Debug, Default)]
pub(super) struct ReadChoice {
    /// CAD drawings: the kind of each layer (`None`: guessed from the layers' names).
    layers: Option<crate::io::LayerKinds>,
    /// Tables of points: the x and y columns by position (`None`: picked from the header).
    columns: Option<(usize, usize)>,
}

/// What the reader's thread sends back.
struct Outcome {
    read: Result<Read, crate::io::LoadError>,
    /// The layers chosen for a drawing could not be remembered (`cad_layers.json`).
    unremembered: Option<SaveError>,
}

/// A plan being read on a background thread.
pub(super) struct Loading {
    path: PathBuf,
    purpose: Purpose,
    rx: Receiver<Outcome>,
    /// Bytes of the file read so far, of `total`.
    done: Arc<AtomicU64>,
    total: u64,
    /// Set to stop the reader; the open plan stays.
    cancel: Arc<AtomicBool>,
}

/// A save running on a background thread from a snapshot of the plan.
pub(super) struct Saving {
    path: PathBuf,
    /// The revision the snapshot was taken at.
    revision: u64,
    rx: Receiver<Result<(), SaveError>>,
    /// Close the window when it succeeds (Save in the close dialog).
    close_after: bool,
}

/// The open plan being published to a database on a background thread, from a snapshot.
pub(in crate::ui) struct Publishing {
    /// Where to (its `Display` never shows a password).
    at: postgis::Location,
    /// The document's revision the snapshot was taken at, and which document it was.
    revision: u64,
    doc_id: u64,
    rx: Receiver<Result<postgis::Published, DbError>>,
    /// Close the window when it succeeds (Save in the close dialog).
    close_after: bool,
}

/// A password typed in the database window, kept in memory for this run only,
/// for the server, database and role it was typed for. Never written, never
/// shown: its `Debug` prints no password.
pub(in crate::ui) struct Secret {
    key: String,
    password: String,
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret({}, ***)", self.key)
    }
}

/// Which connections a typed password is for: the server, the database and the role.
fn secret_key(at: &postgis::Location) -> String {
    format!("{} {} {}", at.server(), at.db(), at.user())
}

/// An export running on a background thread from a snapshot of the plan.
pub(super) struct Exporting {
    path: PathBuf,
    rx: Receiver<Result<crate::export::Written, ExportError>>,
    /// Steps done so far, of `total`, as the export reports them.
    done: Arc<AtomicUsize>,
    total: Arc<AtomicUsize>,
    /// Set to stop the export at its next check; nothing is written then.
    cancel: Arc<AtomicBool>,
}

/// Autosave state: what is on disk, when the next write is due, and the writer running.
#[derive(Default)]
pub(super) struct Autosave {
    pub written: u64,
    pub due: Option<f64>,
    pub running: Option<Receiver<(u64, Result<(), SaveError>)>>,
}

/// Seconds after the last edit before it is autosaved.
const AUTOSAVE_DELAY: f64 = 1.5;

/// Above this many features the plan is not autosaved (see `autosave_tick`).
const AUTOSAVE_MAX_FEATURES: usize = 250_000;

impl PlannerApp {
    /// Writes unsaved work to the session folder shortly after each edit, on a
    /// background thread, so an edit is on disk within a couple of seconds.
    pub(super) fn autosave_tick(&mut self, ctx: &egui::Context) {
        let Some(dir) = self.session.clone() else { return };
        let now = ctx.input(|i| i.time);
        if let Some(rx) = &self.autosave.running {
            match rx.try_recv() {
                Ok((rev, Ok(()))) => {
                    self.autosave.written = rev;
                    self.autosave.running = None;
                }
                Ok((_, Err(e))) => {
                    self.say(Message::AutosaveFailed(e.into()));
                    self.autosave.running = None;
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => return,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => self.autosave.running = None,
            }
        }
        if !self.doc.is_dirty() || self.autosave.written == self.doc.revision() || self.recovery_offer.is_some() {
            self.autosave.due = None;
            return;
        }
        let due = *self.autosave.due.get_or_insert(now + AUTOSAVE_DELAY);
        if now < due {
            ctx.request_repaint_after(std::time::Duration::from_secs_f64((due - now).max(0.05)));
            return;
        }
        self.autosave.due = None;
        if self.doc.plan().id_bound() > AUTOSAVE_MAX_FEATURES {
            // Autosave writes a snapshot shared with the window; for a city this size
            // each write takes seconds, and an edit made meanwhile copies the whole plan.
            self.autosave.written = self.doc.revision();
            self.say(Message::AutosaveOffBig);
            return;
        }
        let plan = self.doc.shared_plan();
        let rev = self.doc.revision();
        // A database plan is named by its location, which never holds a password (`DbPlan`).
        let (source, db_revision) = match &self.doc.source() {
            Source::File(p) => (Some(p.clone()), None),
            Source::Database(d) => (Some(PathBuf::from(&d.location)), Some(d.revision)),
            Source::Jinsong => (None, None),
        };
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let r = crate::session::autosave_of(&dir, &plan, source.as_deref(), db_revision);
            let _ = tx.send((rev, r));
        });
        self.autosave.running = Some(rx);
    }

    /// Opens the autosaved work offered for recovery, as unsaved changes to its plan.
    pub(in crate::ui) fn recover(&mut self) {
        let Some((path, info)) = self.recovery_offer.take() else { return };
        match crate::io::load_path(&path) {
            Ok(loaded) => {
                let source = match info.source {
                    // A database plan's work: Save publishes it back, and finds out if someone published meanwhile.
                    Some(p) if postgis::is_uri(&p) => postgis::Location::parse(&p.to_string_lossy())
                        .map(|at| Source::Database(DbPlan::at(&at, info.db_revision.unwrap_or(0), false)))
                        .unwrap_or(Source::Jinsong),
                    Some(p) => Source::File(p),
                    None => Source::Jinsong,
                };
                let (mut doc, cache) = crate::document::open(loaded, source);
                doc.mark_recovered();
                self.replace_document(doc, cache);
                self.say(Message::Recovered);
            }
            Err(e) => self.say(Message::RecoverFailed(e.into())),
        }
    }

    /// Closing the window: ask first when there are unsaved changes.
    pub(super) fn close_guard(&mut self, ctx: &egui::Context) {
        if !ctx.input(|i| i.viewport().close_requested()) {
            return;
        }
        if self.doc.is_dirty() && !self.allow_close {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.confirm_close = true;
        } else if let Some(dir) = &self.session {
            // A clean exit: the autosave is not needed.
            crate::session::clear_recovery(dir);
        }
    }

    /// Starts reading a file in the background; the open plan stays until it
    /// succeeds. A CAD drawing's layers are scanned there first and come back
    /// to ask what they are (`ui::cad_layers`); it is then read with the answer.
    pub fn open_path(&mut self, path: PathBuf) {
        self.start_read(path, Purpose::Open, ReadChoice::default());
    }

    /// Starts reading a file in the background whose features, once read, are
    /// added to the open plan as one undoable edit (File → Import layer…).
    /// A file that cannot be read leaves the plan untouched.
    pub fn import_path(&mut self, path: PathBuf) {
        self.start_read(path, Purpose::Import, ReadChoice::default());
    }

    /// Reads a file in the background with what the planner said of it (`asked`: a drawing's layers, a table's
    /// columns) in the coordinate system chosen in the File menu: the one place read options are built, for
    /// opening and importing alike.
    fn start_read(&mut self, path: PathBuf, purpose: Purpose, asked: ReadChoice) {
        if let Some(l) = &self.loading {
            l.cancel.store(true, Ordering::Relaxed);
        }
        let (tx, rx) = channel();
        let p = path.clone();
        // A database location: read with the password typed for it this run, and shown
        // (in progress, messages and recent plans) without any password.
        let database = postgis::is_uri(&path) && purpose == Purpose::Open;
        let password = match postgis::Location::parse(&path.to_string_lossy()) {
            Ok(at) if database => {
                // A password written in the URI: kept in memory (the path is shown and remembered without it),
                // so the live connection that follows the read has it too.
                if let Some(pw) = at.password() {
                    self.keep_password_for(&at, pw);
                }
                self.password_for(&at)
            }
            _ => None,
        };
        let path = if postgis::is_uri(&path) { PathBuf::from(postgis::redact(&path.to_string_lossy())) } else { path };
        let done = Arc::new(AtomicU64::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let total = if database { 0 } else { std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) };
        let (d, c, crs, choice) = (done.clone(), cancel.clone(), self.import_crs, asked);
        let data_dir = self.session.clone();
        std::thread::spawn(move || {
            if database {
                let read = read_database(&p, password.as_deref(), &c);
                let _ = tx.send(Outcome { read, unremembered: None });
                return;
            }
            let watch = |n: u64| {
                d.store(n, Ordering::Relaxed);
                !c.load(Ordering::Relaxed)
            };
            // A CAD drawing without a choice of its layers: scan them here, then ask.
            if choice.layers.is_none() && is_cad_drawing(&p) {
                let read = crate::io::dxf::layers_with(&p, Some(&watch)).map(|layers| {
                    let remembered =
                        data_dir.map(|dir| crate::ui::cad_layers::remembered(&dir, &p)).unwrap_or_default();
                    Read::CadLayers(layers, remembered)
                });
                let _ = tx.send(Outcome { read, unremembered: None });
                return;
            }
            // The layers chosen for a drawing are remembered here too, even if it then cannot be read.
            let unremembered = match (&choice.layers, &data_dir) {
                (Some(layers), Some(dir)) => crate::ui::cad_layers::remember(dir, &p, layers).err(),
                _ => None,
            };
            let opts = crate::io::ReadOptions {
                crs,
                progress: Some(&watch),
                layers: choice.layers.as_ref(),
                columns: choice.columns.map(|(x, y)| crate::io::table::Columns::At(x, y)),
            };
            let read = crate::io::load_path_with(&p, &opts).map(|loaded| match purpose {
                Purpose::Open => Read::Plan(Box::new(crate::document::open(loaded, Source::File(p.clone())))),
                Purpose::Import => {
                    let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    Read::Layer(Box::new(crate::import::mark(loaded.plan, &name)), loaded.warnings.len())
                }
            });
            // The receiver may be gone if the app closed meanwhile; nothing to do then.
            let _ = tx.send(Outcome { read, unremembered });
        });
        self.loading = Some(Loading { path, purpose, rx, done, total, cancel });
    }

    /// How far the background load has got (0–1), if one is running.
    pub fn load_progress(&self) -> Option<f32> {
        let l = self.loading.as_ref()?;
        let done = l.done.load(Ordering::Relaxed) as f64;
        Some(if l.total == 0 { 0.0 } else { (done / l.total as f64).clamp(0.0, 1.0) as f32 })
    }

    /// The file being loaded, if any.
    pub fn loading_path(&self) -> Option<&std::path::Path> {
        self.loading.as_ref().map(|l| l.path.as_path())
    }

    /// Stops the background load; the open plan stays as it is.
    pub fn cancel_load(&mut self) {
        if let Some(l) = &self.loading {
            l.cancel.store(true, Ordering::Relaxed);
        }
    }

    /// Blocks until a background load finishes (for tests and scripts).
    pub fn wait_for_load(&mut self) {
        if let Some(l) = self.loading.take()
            && let Ok(r) = l.rx.recv()
        {
            self.finish_read(l.path, l.purpose, r);
        }
    }

    pub(super) fn poll_loading(&mut self) {
        let Some(l) = &self.loading else { return };
        match l.rx.try_recv() {
            Ok(r) => {
                if let Some(l) = self.loading.take() {
                    self.finish_read(l.path, l.purpose, r);
                }
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => {}
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                let path = self.loading.take().map(|l| l.path).unwrap_or_default();
                self.say(Message::ReaderStopped(path));
            }
        }
    }

    fn finish_read(&mut self, path: PathBuf, purpose: Purpose, outcome: Outcome) {
        if let (Some(error), Some(dir)) = (outcome.unremembered, &self.session) {
            self.say(Message::SaveFailed { path: dir.join("cad_layers.json"), error: error.into() });
        }
        match (purpose, outcome.read) {
            (_, Ok(Read::Plan(opened))) => self.finish_load(path, Ok(*opened)),
            (_, Ok(Read::Layer(marked, warnings))) => self.finish_import(path, *marked, warnings),
            // A CAD drawing: ask what its layers are; it is then read with the choice (`Action::OpenCad`).
            (_, Ok(Read::CadLayers(layers, remembered))) => {
                self.panels.cad_layers.ask(path, purpose == Purpose::Import, layers, &remembered);
            }
            // A table whose coordinate columns are not recognised: ask which they are.
            (_, Err(crate::io::LoadError::NoCoordinateColumns { columns })) => {
                self.panels.table_columns.ask(path, purpose == Purpose::Import, columns);
            }
            // The server asks for a password: the database window asks for it, the location filled in.
            (Purpose::Open, Err(crate::io::LoadError::Database(DbError::NeedsPassword { .. }))) => {
                let location = path.to_string_lossy().into_owned();
                self.panels.database.show(DbMode::Open, location.clone());
                self.panels.database.asks_password = true;
                self.say(Message::NeedsPassword(location));
            }
            (Purpose::Open, Err(e)) => self.finish_load(path, Err(e)),
            (Purpose::Import, Err(crate::io::LoadError::Cancelled)) => self.say(Message::ImportCancelled(path)),
            // The open plan is untouched.
            (Purpose::Import, Err(e)) => self.say(Message::ImportFailed { path, error: e.into() }),
        }
    }

    /// Adds a file's features to the open plan: one `Edit::Batch` through
    /// `Document::apply`, so one Undo takes the whole import back. The view
    /// then frames the district and the imported features together.
    fn finish_import(&mut self, path: PathBuf, marked: crate::import::Marked, warnings: usize) {
        // Ids and keys are picked against the plan as it is now (it may have been edited while the file was read).
        let import = crate::import::place(self.doc.plan(), marked);
        if import.ids.is_empty() {
            self.say(Message::ImportFailed { path, error: Reason::ImportEmpty });
            return;
        }
        let features = import.ids.len();
        match self.doc.apply(import.edit) {
            Ok(touched) => {
                self.after_edit(&touched);
                let whole = match (self.district_extent(), import.extent) {
                    (Some(a), Some(b)) => Some([a[0].min(b[0]), a[1].min(b[1]), a[2].max(b[2]), a[3].max(b[3])]),
                    (a, b) => a.or(b),
                };
                if let (Some(ext), Some(cam)) = (whole, self.camera) {
                    self.fly_to = Some(crate::render::Camera::fit(ext, cam.size, 30.0));
                }
                self.say(Message::Imported {
                    path,
                    features,
                    kinds: import.kinds,
                    warnings,
                    left_out: import.left_out,
                });
            }
            Err(e) => self.say(Message::ImportFailed { path, error: e.to_string().into() }),
        }
    }

    pub(super) fn finish_load(
        &mut self,
        path: PathBuf,
        result: Result<(Document, GeometryCache), crate::io::LoadError>,
    ) {
        match result {
            Ok((doc, cache)) => {
                if let Some(dir) = &self.session {
                    let _ = crate::session::remember(dir, &path);
                    self.recent = crate::session::recent(dir);
                }
                let features = doc.plan().len();
                let warnings = doc.warnings().len();
                self.replace_document(doc, cache);
                self.shown.warnings |= warnings > 0;
                // A database plan is edited together from now on: each edit committed as made (`ui::live`).
                if let Some(d) = self.doc.source().database().cloned() {
                    // Its password, if one was typed or written in the URI, was kept for it when it was read.
                    if let Ok(at) = postgis::Location::parse(&d.location) {
                        let password = self.password_for(&at);
                        self.start_live_with(at, password, d.revision, d.read_only);
                    }
                }
                self.say(Message::Opened { path, features, warnings });
            }
            Err(crate::io::LoadError::Cancelled) => self.say(Message::OpenCancelled(path)),
            // The open plan is untouched.
            Err(e) => self.say(Message::OpenFailed { path, error: e.into() }),
        }
    }

    pub(in crate::ui) fn replace_document(&mut self, doc: Document, cache: GeometryCache) {
        // Another plan: editing the old one together ends (`ui::live`).
        self.stop_live();
        self.doc = doc;
        self.cache = Arc::new(cache);
        self.opts.selected.clear();
        self.opts.hovered = None;
        self.camera = None;
        self.fly_to = None;
        self.memos.clear();
        self.scene_jobs.clear();
        self.panels.items.editor = None;
        self.panels.items.picker = None;
        self.sketch = Default::default();
        self.drag = None;
        self.snap = None;
        self.generation += 1;
        self.sync_derived();
    }

    /// Asks for a file (the system's chooser, else the labelled path prompt) and
    /// does what the task says with the files chosen in the chooser.
    pub(super) fn choose_file(&mut self, task: FileTask) {
        for a in crate::ui::files::choose(self, task) {
            self.apply(a);
        }
    }

    /// Files: open, recover, save, export, close. A new document brings its own scene (`replace_document`).
    pub(super) fn apply_file(&mut self, action: Action) -> Changed {
        match action {
            Action::OpenDialog => self.choose_file(FileTask::OpenPlan),
            Action::OpenPathPrompt => crate::ui::files::prompt(self, FileTask::OpenPlan),
            Action::Open(p) => self.open_path(p),
            Action::ImportLayerDialog => self.choose_file(FileTask::ImportLayer),
            Action::ImportLayer(p) => self.import_path(p),
            // The choice is remembered on the reader's thread.
            Action::OpenCad { path, import, layers } => {
                let purpose = if import { Purpose::Import } else { Purpose::Open };
                self.start_read(path, purpose, ReadChoice { layers: Some(layers), ..ReadChoice::default() });
            }
            Action::OpenTable { path, import, columns } => {
                let purpose = if import { Purpose::Import } else { Purpose::Open };
                self.start_read(path, purpose, ReadChoice { columns: Some(columns), ..ReadChoice::default() });
            }
            Action::OpenJinsong => {
                let doc = Document::jinsong();
                let cache = GeometryCache::build(doc.plan());
                self.replace_document(doc, cache);
                self.say(Message::OpenedJinsong);
            }
            Action::Quit => {}
            Action::Recover => self.recover(),
            Action::DiscardRecovery => {
                if let (Some(dir), Some(_)) = (&self.session, self.recovery_offer.take()) {
                    crate::session::clear_recovery(dir);
                }
            }
            Action::CloseWithoutSaving => {
                self.allow_close = true;
                self.confirm_close = false;
                if let Some(dir) = &self.session {
                    crate::session::clear_recovery(dir);
                }
            }
            Action::SaveAndClose => {
                self.confirm_close = false;
                self.apply(Action::Save);
                match (&mut self.saving, &mut self.publishing) {
                    // The window closes when the save has succeeded.
                    (Some(sv), _) => sv.close_after = true,
                    (None, Some(pb)) => pb.close_after = true,
                    (None, None) if !self.doc.is_dirty() => self.allow_close = true,
                    (None, None) => {}
                }
            }
            Action::CancelClose => self.confirm_close = false,
            Action::PhotoDialog { item, side } => self.choose_file(FileTask::Photo { item, side }),
            Action::ExportDialog => self.choose_file(FileTask::Export(self.panels.export.kind)),
            Action::ExportTo(path) => {
                let (v, p) = self.parts();
                match crate::ui::export::request(&p.export, &v, &path) {
                    Ok(request) => self.start_export(request),
                    Err(error) => self.say(Message::ExportFailed { path, error: error.into() }),
                }
            }
            Action::ExportHandout => self.choose_file(FileTask::Handout),
            Action::ExportNotice(matter) => self.choose_file(FileTask::Notice { matter }),
            Action::ExportNoticeTo { matter, path } => {
                let request = crate::export::Request {
                    theme: self.theme_mode,
                    lang: self.lang,
                    ..crate::export::Request::new(crate::export::What::Notice { matter }, path)
                };
                self.start_export(request);
            }
            Action::SetImportCrs(crs) => self.import_crs = crs,
            Action::ExportHandoutTo(path) => {
                let i = self.panels.story.story.min(self.doc.plan().stories.len().saturating_sub(1));
                // The stories window's handout goes through the one export dispatch, as the dialog's does.
                let request = crate::export::Request {
                    theme: self.theme_mode,
                    matter: self.focused_matter().map(str::to_string),
                    lang: self.lang,
                    settings: crate::basemap::Settings::load(&crate::session::data_dir()),
                    ..crate::export::Request::new(crate::export::What::Handout { story: i }, path)
                };
                self.start_export(request);
            }
            Action::Save => match (self.doc.source().database().cloned(), self.doc.save_path()) {
                // Nothing is sent: the role may not change the plan.
                (Some(d), _) if d.read_only => self.say(Message::ReadOnlySave { user: d.user, plan: d.plan }),
                // Edited together: each edit is already in the database.
                (Some(_), _) if self.live.is_some() => self.save_live(),
                (Some(d), _) => self.start_publish(&d.location, false),
                (None, Some(p)) => self.save_to(p.to_path_buf()),
                (None, None) => self.apply(Action::SaveAs),
            },
            Action::ShowDatabase(Some(mode)) => {
                let uri = match self.doc.source().database() {
                    Some(d) => d.location.clone(),
                    None if !self.panels.database.uri.trim().is_empty() => self.panels.database.uri.clone(),
                    // The last location used, else the newest database plan among the recent ones.
                    None => self
                        .session
                        .as_deref()
                        .and_then(crate::session::last_location)
                        .or_else(|| {
                            self.recent.iter().find(|p| postgis::is_uri(p)).map(|p| p.to_string_lossy().into_owned())
                        })
                        .unwrap_or_default(),
                };
                self.panels.database.show(mode, uri);
            }
            Action::ShowDatabase(None) => self.panels.database.close(),
            Action::ListPlans(uri) => self.list_plans(&uri),
            Action::OpenDatabase(uri) => {
                self.keep_password(&uri);
                self.panels.database.close();
                self.open_path(PathBuf::from(uri));
            }
            Action::PublishTo { uri, replace } => {
                self.keep_password(&uri);
                self.panels.database.close();
                let own = self.doc.source().database().is_some_and(|d| postgis::redact(&uri) == d.location);
                if own && self.live.is_some() {
                    // Edited together there: every edit is already in it (a whole publish would replace it under us).
                    self.save_live();
                } else {
                    self.start_publish(&uri, replace);
                }
            }
            Action::Conflict(choice) => self.resolve_conflict(choice),
            Action::SaveAs => self.choose_file(FileTask::SavePlan),
            Action::SaveTo(p) => self.save_to(p),
            // `apply` routes only file actions here.
            _ => return Changed::Panels,
        }
        Changed::Panels
    }

    /// Saves on a background thread from a snapshot of the plan (sharing it,
    /// not copying it), so a big plan does not freeze the window; edits made
    /// meanwhile stay unsaved.
    pub(super) fn save_to(&mut self, path: PathBuf) {
        if self.saving.is_some() {
            self.say(Message::StillSaving);
            return;
        }
        // A database location typed where a file goes: said (without its password), nothing written.
        if postgis::is_uri(&path) {
            let shown = postgis::redact(&path.to_string_lossy());
            let error = SaveError::NotAFile(shown.clone()).into();
            self.say(Message::SaveFailed { path: PathBuf::from(shown), error });
            return;
        }
        let plan = self.doc.shared_plan();
        let (tx, rx) = channel();
        let p = path.clone();
        std::thread::spawn(move || {
            let _ = tx.send(crate::io::save_path(&plan, &p));
        });
        self.say(Message::Saving(path.clone()));
        self.saving = Some(Saving { path, revision: self.doc.revision(), rx, close_after: false });
    }

    /// Runs an export on a background thread from a snapshot of the plan (shared,
    /// not copied), so the window stays usable and edits made meanwhile are not in
    /// the file. One at a time: asked for while another runs, it is refused with a
    /// message (not queued: the planner chose the second file with the first still
    /// unwritten, and may want to cancel it first).
    pub(super) fn start_export(&mut self, request: crate::export::Request) {
        if self.exporting.is_some() {
            self.say(Message::StillExporting);
            return;
        }
        let plan = self.doc.shared_plan();
        let (tx, rx) = channel();
        let done = Arc::new(AtomicUsize::new(0));
        let total = Arc::new(AtomicUsize::new(1));
        let cancel = Arc::new(AtomicBool::new(false));
        let (d, t, c) = (done.clone(), total.clone(), cancel.clone());
        let path = request.out.clone();
        let repaint = self.repaint.clone();
        std::thread::spawn(move || {
            let watch = |p: crate::export::Progress| {
                d.store(p.done, Ordering::Relaxed);
                t.store(p.total, Ordering::Relaxed);
                !c.load(Ordering::Relaxed)
            };
            let result = crate::export::run_with(&plan, &request, &watch);
            // The receiver may be gone if the app closed meanwhile; nothing to do then.
            let _ = tx.send(result);
            // The message shows without waiting for the pointer to move.
            if let Some(ctx) = repaint {
                ctx.request_repaint();
            }
        });
        self.exporting = Some(Exporting { path, rx, done, total, cancel });
    }

    /// How far the background export has got (0–1), if one is running.
    pub fn export_progress(&self) -> Option<f32> {
        let e = self.exporting.as_ref()?;
        let (done, total) = (e.done.load(Ordering::Relaxed), e.total.load(Ordering::Relaxed));
        Some((done as f64 / total.max(1) as f64).clamp(0.0, 1.0) as f32)
    }

    /// The file being exported, if any.
    pub fn exporting_path(&self) -> Option<&std::path::Path> {
        self.exporting.as_ref().map(|e| e.path.as_path())
    }

    /// Stops the background export at its next check: no file is written, and a
    /// file already at its path stays as it was.
    pub fn cancel_export(&mut self) {
        if let Some(e) = &self.exporting {
            e.cancel.store(true, Ordering::Relaxed);
        }
    }

    /// Blocks until a background export finishes (for tests and scripts).
    pub fn wait_for_export(&mut self) {
        if let Some(e) = self.exporting.take() {
            match e.rx.recv() {
                Ok(result) => self.finish_export(e.path, result),
                Err(_) => self.say(Message::ExportFailed { path: e.path, error: Reason::Stopped }),
            }
        }
    }

    pub(super) fn poll_exporting(&mut self, ctx: &egui::Context) {
        let Some(e) = &self.exporting else { return };
        match e.rx.try_recv() {
            Ok(result) => {
                if let Some(e) = self.exporting.take() {
                    self.finish_export(e.path, result);
                }
                ctx.request_repaint();
            }
            // The bar moves on.
            Err(std::sync::mpsc::TryRecvError::Empty) => {
                ctx.request_repaint_after(std::time::Duration::from_millis(100))
            }
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                let path = self.exporting.take().map(|e| e.path).unwrap_or_default();
                self.say(Message::ExportFailed { path, error: Reason::Stopped });
            }
        }
    }

    fn finish_export(&mut self, path: PathBuf, result: Result<crate::export::Written, ExportError>) {
        self.say(match result {
            Ok(_) => Message::Exported(path),
            Err(ExportError::Cancelled) => Message::ExportCancelled(path),
            Err(error) => Message::ExportFailed { path, error: error.into() },
        });
    }

    /// True while a save (or a publish to a database) is running.
    pub fn is_saving(&self) -> bool {
        self.saving.is_some() || self.publishing.is_some()
    }

    /// Blocks until a background save or publish finishes (for tests and scripts).
    pub fn wait_for_save(&mut self) {
        if let Some(sv) = &self.saving
            && let Ok(r) = sv.rx.recv()
        {
            self.finish_save(r, None);
        }
        if let Some(pb) = &self.publishing {
            match pb.rx.recv() {
                Ok(r) => self.finish_publish(r, None),
                Err(_) => {
                    let location = self.publishing.take().map(|pb| pb.at.to_string()).unwrap_or_default();
                    self.say(Message::PublishFailed { location, error: Reason::Stopped });
                }
            }
        }
    }

    /// Keeps a password for `at`'s server, database and role, in memory for this run.
    pub(in crate::ui) fn keep_password_for(&mut self, at: &postgis::Location, password: String) {
        self.db_password = Some(Secret { key: secret_key(at), password });
    }

    /// The password typed for `at` this run, if any.
    fn password_for(&self, at: &postgis::Location) -> Option<String> {
        self.db_password.as_ref().filter(|s| s.key == secret_key(at)).map(|s| s.password.clone())
    }

    /// Keeps the password typed in the database window (in memory) for the
    /// connections to `uri`'s server, database and role, and the location
    /// (without any password) to fill the window in next time.
    fn keep_password(&mut self, uri: &str) {
        let Ok(at) = postgis::Location::parse(uri) else { return };
        if let Some(password) = self.panels.database.typed_password() {
            self.db_password = Some(Secret { key: secret_key(&at), password: password.to_string() });
        }
        if let Some(dir) = &self.session {
            // Only a convenience: a failure to keep it changes nothing the planner asked for.
            let _ = crate::session::remember_location(dir, uri);
        }
    }

    /// Lists the plans in the database at `uri` on a background thread, for the database window.
    fn list_plans(&mut self, uri: &str) {
        let at = match postgis::Location::parse(uri).or_else(|_| {
            // A location without a plan yet (to pick one from the list) is fine for listing.
            postgis::Location::parse(&crate::ui::database::with_plan(uri, "_any"))
        }) {
            Ok(at) => at,
            Err(e) => {
                self.panels.database.plans = Some(Err(e.into()));
                return;
            }
        };
        self.keep_password(uri);
        let password = self.password_for(&at);
        let (tx, rx) = channel();
        let repaint = self.repaint.clone();
        std::thread::spawn(move || {
            let _ = tx.send(postgis::list(&at, password.as_deref()));
            if let Some(ctx) = repaint {
                ctx.request_repaint();
            }
        });
        self.panels.database.plans = None;
        self.panels.database.listing = Some(rx);
    }

    /// Publishes the open plan to `uri` on a background thread from a snapshot
    /// (shared, not copied). To the plan's own location (Save), it publishes
    /// only if nobody else has published since it was opened here
    /// (`expect_revision`); elsewhere, over a plan of that name only with `replace`.
    pub(super) fn start_publish(&mut self, uri: &str, replace: bool) {
        if self.publishing.is_some() || self.saving.is_some() {
            self.say(Message::StillPublishing);
            return;
        }
        let at = match postgis::Location::parse(uri) {
            Ok(at) => at,
            Err(e) => {
                self.say(Message::PublishFailed { location: postgis::redact(uri), error: e.into() });
                return;
            }
        };
        let expect_revision = match self.doc.source().database() {
            Some(d) if !replace && d.location == at.to_string() => Some(d.revision),
            _ => None,
        };
        let password = self.password_for(&at);
        let plan = self.doc.shared_plan();
        let (tx, rx) = channel();
        let (to, repaint) = (at.clone(), self.repaint.clone());
        std::thread::spawn(move || {
            let how = postgis::Publish { replace, expect_revision, password: password.as_deref() };
            let _ = tx.send(postgis::publish(&plan, &to, &how));
            if let Some(ctx) = repaint {
                ctx.request_repaint();
            }
        });
        self.say(Message::Publishing(at.to_string()));
        let (doc_id, revision) = self.doc.stamp();
        self.publishing = Some(Publishing { at, revision, doc_id, rx, close_after: false });
    }

    pub(super) fn poll_publishing(&mut self, ctx: &egui::Context) {
        let Some(pb) = &self.publishing else { return };
        match pb.rx.try_recv() {
            Ok(r) => self.finish_publish(r, Some(ctx)),
            Err(std::sync::mpsc::TryRecvError::Empty) => {
                ctx.request_repaint_after(std::time::Duration::from_millis(100))
            }
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                let location = self.publishing.take().map(|pb| pb.at.to_string()).unwrap_or_default();
                self.say(Message::PublishFailed { location, error: Reason::Stopped });
            }
        }
    }

    fn finish_publish(&mut self, result: Result<postgis::Published, DbError>, ctx: Option<&egui::Context>) {
        let Some(pb) = self.publishing.take() else { return };
        let location = pb.at.to_string();
        let message = match result {
            Ok(published) => {
                // The plan published is the open one (not one opened meanwhile): it is now its database plan.
                if self.doc.stamp().0 == pb.doc_id {
                    self.doc.mark_published(DbPlan::at(&pb.at, published.revision, false), pb.revision);
                    // Now a database plan: edited together from here, as one opened from the database is
                    // (unless edits came after the snapshot published: those are only here, and Save sends them whole).
                    if !self.doc.is_dirty() {
                        let password = self.password_for(&pb.at);
                        self.start_live_with(pb.at.clone(), password, published.revision, false);
                    }
                    if let Some(dir) = &self.session {
                        if !self.doc.is_dirty() {
                            crate::session::clear_recovery(dir);
                        }
                        let _ = crate::session::remember(dir, std::path::Path::new(&location));
                        self.recent = crate::session::recent(dir);
                    }
                    self.panels.database.conflict = None;
                }
                if pb.close_after && !self.doc.is_dirty() {
                    self.allow_close = true;
                    if let Some(ctx) = ctx {
                        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                    }
                }
                Message::Published { location, revision: published.revision, notes: published.notes }
            }
            // Never a silent overwrite: the planner chooses (`ui::database::conflict_window`).
            Err(DbError::Changed { plan, by, at }) => {
                self.panels.database.conflict = Some(Conflict {
                    location,
                    plan: plan.clone(),
                    by: by.clone(),
                    at: at.clone(),
                    confirm_discard: false,
                });
                Message::PublishConflict { plan, by, at }
            }
            Err(DbError::NeedsPassword { .. }) => {
                self.panels.database.show(DbMode::Publish, location.clone());
                self.panels.database.asks_password = true;
                Message::NeedsPassword(location)
            }
            Err(e) => Message::PublishFailed { location, error: e.into() },
        };
        self.say(message);
    }

    /// What the planner chose in the conflict window.
    fn resolve_conflict(&mut self, choice: ConflictChoice) {
        match choice {
            ConflictChoice::OpenTheirs => {
                if let Some(c) = self.panels.database.conflict.take() {
                    self.open_path(PathBuf::from(c.location));
                }
            }
            ConflictChoice::PublishMine => {
                if let Some(c) = self.panels.database.conflict.take() {
                    self.start_publish(&c.location, true);
                }
            }
            // The window stays: theirs can be opened once mine is safe in a file.
            ConflictChoice::SaveMineAsFile => {
                if let Some(c) = &mut self.panels.database.conflict {
                    c.confirm_discard = false;
                }
                self.apply(Action::SaveAs);
            }
            ConflictChoice::KeepEditing => self.panels.database.conflict = None,
        }
    }

    pub(super) fn poll_saving(&mut self, ctx: &egui::Context) {
        let Some(sv) = &self.saving else { return };
        match sv.rx.try_recv() {
            Ok(r) => self.finish_save(r, Some(ctx)),
            Err(std::sync::mpsc::TryRecvError::Empty) => {
                ctx.request_repaint_after(std::time::Duration::from_millis(100))
            }
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                let path = sv.path.clone();
                self.saving = None;
                self.say(Message::WriterStopped(path));
            }
        }
    }

    pub(super) fn finish_save(&mut self, result: Result<(), SaveError>, ctx: Option<&egui::Context>) {
        let Some(sv) = self.saving.take() else { return };
        let path = sv.path;
        let message = match result {
            Ok(()) => {
                let was_database = self.doc.source().database().is_some();
                self.doc.mark_saved(&path, sv.revision);
                // Saved as a file: its edits are the file's now, no longer sent to the database.
                if was_database {
                    self.stop_live();
                }
                if let Some(dir) = &self.session {
                    // Saved: nothing to recover any more, unless edits came after the snapshot.
                    if !self.doc.is_dirty() {
                        crate::session::clear_recovery(dir);
                    }
                    let _ = crate::session::remember(dir, &path);
                    self.recent = crate::session::recent(dir);
                }
                if sv.close_after && !self.doc.is_dirty() {
                    self.allow_close = true;
                    if let Some(ctx) = ctx {
                        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                    }
                }
                Message::Saved(path)
            }
            Err(error) => Message::SaveFailed { path, error: error.into() },
        };
        self.say(message);
    }
}

/// Reads a plan from a database location on the reader's thread. A load
/// cancelled meanwhile (it cannot be stopped half way) is dropped, the open plan untouched.
fn read_database(
    uri: &std::path::Path,
    password: Option<&str>,
    cancel: &AtomicBool,
) -> Result<Read, crate::io::LoadError> {
    let at = postgis::Location::parse(&uri.to_string_lossy())?;
    let opened = postgis::load(&at, password)?;
    if cancel.load(Ordering::Relaxed) {
        return Err(crate::io::LoadError::Cancelled);
    }
    let source = Source::Database(DbPlan::at(&at, opened.revision, opened.read_only));
    Ok(Read::Plan(Box::new(crate::document::open(opened.loaded, source))))
}

/// Whether a file is a DXF drawing (by its first bytes and name, as `io` tells formats).
fn is_cad_drawing(path: &std::path::Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 32];
    let n = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)).unwrap_or(0);
    crate::io::foreign::Format::of(path, &head[..n]) == crate::io::foreign::Format::Dxf
}
