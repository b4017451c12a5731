//! The application state and the one place where user intents are applied.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, channel};

use eframe::egui;

use super::action::Action;
use super::files::{FileDialogs, FileTask, PathPrompt};
use super::message::Message;
use super::view::{Shown, View};
use super::{map_view, panels};
use crate::document::{Document, Source};
use crate::edit::{Edit, EditLabel};
use crate::error::SaveError;
use crate::i18n::Lang;
use crate::model::Item;
use crate::model::{FeatureId, Kind, SlideCompare};
use crate::render::theme::ThemeMode;
use crate::render::{Camera, GeometryCache, Scene, SceneOptions, kind_slot};

/// A plan being read on a background thread.
struct Loading {
    path: PathBuf,
    rx: Receiver<Result<(Document, GeometryCache), crate::io::LoadError>>,
    /// Bytes of the file read so far, of `total`.
    done: Arc<AtomicU64>,
    total: u64,
    /// Set to stop the reader; the open plan stays.
    cancel: Arc<AtomicBool>,
}

/// A save running on a background thread from a snapshot of the plan.
struct Saving {
    path: PathBuf,
    /// The revision the snapshot was taken at.
    revision: u64,
    rx: Receiver<Result<(), SaveError>>,
    /// Close the window when it succeeds (Save in the close dialog).
    close_after: bool,
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

/// The last scene built, and what it was built for.
pub(super) struct SceneMemo {
    pub camera: Camera,
    pub generation: u64,
    pub phase: crate::model::Phase,
    pub scene: Scene,
}

/// How before and after are compared on the map.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Compare {
    /// One map in the selected phase (T flips before/after).
    #[default]
    Single,
    /// Before left of a draggable divider, after right of it.
    Swipe,
    /// Before and after side by side, panning and zooming together.
    SideBySide,
}

/// The comparison a slide asks for: the one mapping between a slide's saved
/// comparison and the window's, used when a slide is shown.
impl From<SlideCompare> for Compare {
    fn from(c: SlideCompare) -> Compare {
        match c {
            SlideCompare::Single => Compare::Single,
            SlideCompare::Swipe => Compare::Swipe,
            SlideCompare::SideBySide => Compare::SideBySide,
        }
    }
}

/// The comparison a slide captured from the window saves.
impl From<Compare> for SlideCompare {
    fn from(c: Compare) -> SlideCompare {
        match c {
            Compare::Single => SlideCompare::Single,
            Compare::Swipe => SlideCompare::Swipe,
            Compare::SideBySide => SlideCompare::SideBySide,
        }
    }
}

/// The state each panel owns. A panel draws from its own part and a
/// read-only [`View`] of the rest, and returns actions.
#[derive(Default)]
pub(super) struct Panels {
    /// The search box: its text, whether the last search missed, focus asked for.
    pub search: super::panels::SearchState,
    /// The inspector's drafts (name, new after-attribute) and its "all alike" box.
    pub inspector: super::panels::InspectorState,
    /// The item picker, the item form, photo textures and the photo viewer.
    pub items: super::items::ItemsState,
    pub table: super::items_table::TableState,
    pub export: super::export::ExportState,
    /// The stories window's story and slide, its draft, and the presentation's layout.
    pub story: super::story::StoryState,
}

/// What an action changed: whether the map must be drawn anew.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Changed {
    /// Only panels and windows (a window opened, a message, a draft).
    Panels,
    /// What the map draws (the phase, selection, layers, theme, language, the
    /// drawing overlay, the plan): the thematic colours and the scene follow.
    Map,
}

/// The whole application.
pub struct PlannerApp {
    pub doc: Document,
    pub(super) cache: GeometryCache,
    /// Counts of features by kind slot (derived: see [`PlannerApp::sync_derived`]).
    pub(super) counts: [usize; 7],
    /// Features that differ between before and after (derived: see [`PlannerApp::sync_derived`]).
    pub(super) change_count: usize,
    /// The document state `counts`, `change_count` and `themes` were derived from.
    derived_stamp: Option<(u64, u64)>,
    /// Thematic colours by mode and phase, for the current document state (a few kept).
    themes: Vec<(ThemeMode, crate::model::Phase, ThemeColors)>,
    pub camera: Option<Camera>,
    /// Where the map was drawn in the last frame (screen points).
    pub map_rect: Option<egui::Rect>,
    pub(super) fly_to: Option<Camera>,
    pub opts: SceneOptions,
    pub lang: Lang,
    /// Which optional panels and windows are open.
    pub shown: Shown,
    /// Each panel's own state (drafts, filters, open forms): see [`Panels`].
    pub(super) panels: Panels,
    /// The status bar's message, worded in the current language when drawn.
    pub(super) status: Option<Message>,
    /// A failure shown in a window until the planner closes it.
    pub(super) alert: Option<Message>,
    loading: Option<Loading>,
    saving: Option<Saving>,
    /// The coordinate system files are opened in when they do not say (GCJ-02 and
    /// BD-09 from Chinese web maps must be chosen); `None`: detect.
    pub import_crs: Option<crate::io::crs::Crs>,
    /// The "type a path" prompt (where no file dialog is available).
    pub(super) path_prompt: Option<PathPrompt>,
    /// Whether the system's file chooser is used (see `ui::files`).
    pub file_dialogs: FileDialogs,
    /// The folder of the last file chosen, where the next chooser or prompt starts.
    pub(super) last_dir: Option<PathBuf>,
    pub theme_mode: ThemeMode,
    /// Cursor position in longitude/latitude, when over the map.
    pub(super) cursor: Option<[f64; 2]>,
    /// Bumped whenever what the map shows may have changed.
    pub(super) generation: u64,
    pub(super) memos: Vec<Option<SceneMemo>>,
    pub compare: Compare,
    /// Where the swipe divider is, as a fraction of the map's width.
    pub swipe: f32,
    /// The phase of the pane under the pointer (what clicks and edits act on).
    pub active_phase: crate::model::Phase,
    /// The timeline is playing (as-of date advancing).
    pub playing: bool,
    pub(super) play_clock: f64,
    /// The app's own folder (recent files, autosave) when running for real; tests leave it unset.
    pub(super) session: Option<PathBuf>,
    pub(super) recent: Vec<PathBuf>,
    /// Autosaved work from a run that crashed, offered for recovery.
    pub(super) recovery_offer: Option<(PathBuf, crate::session::RecoveryInfo)>,
    pub(super) autosave: Autosave,
    /// Closing was asked for with unsaved changes: the dialog is open.
    pub(super) confirm_close: bool,
    /// The user chose to close without saving.
    pub(super) allow_close: bool,
    /// Presenting: the story and slide on screen.
    pub presenting: Option<(usize, usize)>,
    /// Full screen to switch to at the next frame.
    pending_fullscreen: Option<bool>,
    pub tool: super::draw::Tool,
    /// The edit toggle: on, the selected feature shows its vertex handles and can be
    /// reshaped, moved and deleted; off, clicking only looks and a drag pans.
    pub editing: bool,
    pub sketch: super::draw::Sketch,
    pub(super) sketch_cursor: Option<[f64; 2]>,
    pub(super) drag: Option<super::draw::GeomDrag>,
    pub(super) snap: Option<crate::model::snap::Snap>,
    /// Where a Shift+drag selection box started.
    pub(super) box_select: Option<egui::Pos2>,
    pub(super) window_title: String,
}

impl Default for PlannerApp {
    fn default() -> Self {
        Self::new()
    }
}

impl PlannerApp {
    /// The app with the embedded Jinsong plan open.
    pub fn new() -> Self {
        Self::with_document(Document::jinsong())
    }

    pub fn with_document(doc: Document) -> Self {
        let cache = GeometryCache::build(doc.plan());
        let mut app = PlannerApp {
            doc,
            cache,
            counts: [0; 7],
            change_count: 0,
            derived_stamp: None,
            themes: Vec::new(),
            camera: None,
            map_rect: None,
            fly_to: None,
            opts: SceneOptions { phase: crate::model::Phase::After, ..SceneOptions::default() },
            lang: Lang::Zh,
            shown: Shown::default(),
            panels: Panels::default(),
            status: None,
            alert: None,
            loading: None,
            saving: None,
            import_crs: None,
            path_prompt: None,
            file_dialogs: FileDialogs::Unavailable,
            last_dir: None,
            theme_mode: ThemeMode::Kind,
            cursor: None,
            generation: 0,
            memos: Vec::new(),
            compare: Compare::Single,
            swipe: 0.5,
            active_phase: crate::model::Phase::After,
            playing: false,
            play_clock: 0.0,
            session: None,
            recent: Vec::new(),
            recovery_offer: None,
            autosave: Autosave::default(),
            confirm_close: false,
            allow_close: false,
            presenting: None,
            pending_fullscreen: None,
            box_select: None,
            tool: super::draw::Tool::Select,
            editing: false,
            sketch: Default::default(),
            sketch_cursor: None,
            drag: None,
            snap: None,
            window_title: String::new(),
        };
        app.sync_derived();
        app
    }

    /// Brings everything derived from the plan (counts by kind, the number of
    /// changed features, thematic colours) in step with the document. The one
    /// place they are computed: it compares the document's stamp, so an edit,
    /// undo, redo, open, import or recovery — whichever way the plan changed —
    /// is caught. Called after every action and at the start of every frame.
    pub(super) fn sync_derived(&mut self) {
        let stamp = self.doc.stamp();
        if self.derived_stamp != Some(stamp) {
            self.derived_stamp = Some(stamp);
            self.counts = [0; 7];
            self.change_count = 0;
            for (_, f) in self.doc.plan().iter() {
                self.counts[kind_slot(f.kind)] += 1;
                self.change_count += usize::from(f.change.is_some());
            }
            self.themes.clear();
            self.generation += 1;
        }
        let phase = self.opts.phase.clone();
        let theme = self.theme_in(&phase);
        if !same_theme(&self.opts.theme, &theme) {
            self.opts.theme = theme;
            self.generation += 1;
        }
    }

    /// The thematic colours of the current mode in a phase: items at their
    /// status then (as of a date, the colours of that date).
    pub(super) fn theme_in(&mut self, phase: &crate::model::Phase) -> ThemeColors {
        if self.derived_stamp != Some(self.doc.stamp()) {
            self.sync_derived();
        }
        if let Some((_, _, t)) = self.themes.iter().find(|(m, p, _)| *m == self.theme_mode && p == phase) {
            return t.clone();
        }
        let t = crate::render::theme::feature_colors(self.doc.plan(), self.theme_mode, phase);
        // A playing timeline asks for a new date every step: keep only the last few.
        if self.themes.len() >= 6 {
            self.themes.remove(0);
        }
        self.themes.push((self.theme_mode, phase.clone(), t.clone()));
        t
    }

    /// Features that differ between before and after, as the window shows it.
    pub fn change_count(&self) -> usize {
        self.change_count
    }

    /// Turns on what a real run has and tests do not: the recent files list,
    /// autosave into `dir`, and the offer to recover work a crash left there.
    pub fn with_session(mut self, dir: PathBuf) -> Self {
        self.recent = crate::session::recent(&dir);
        self.recovery_offer = crate::session::pending_recovery(&dir);
        self.session = Some(dir);
        self
    }

    /// Uses the desktop's file chooser (a real run); without this, and where the
    /// desktop has none, files are chosen by typing a path in a prompt.
    pub fn with_file_dialogs(mut self) -> Self {
        self.file_dialogs = FileDialogs::System;
        self
    }

    /// Tells the planner something in the status bar; a failed read or write
    /// also opens the error window.
    pub(super) fn say(&mut self, message: Message) {
        if message.needs_window() {
            self.alert = Some(message.clone());
        }
        self.status = Some(message);
    }

    /// Writes unsaved work to the session folder shortly after each edit, on a
    /// background thread, so an edit is on disk within a couple of seconds.
    fn autosave_tick(&mut self, ctx: &egui::Context) {
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
        let source = match &self.doc.source() {
            Source::File(p) => Some(p.clone()),
            Source::Jinsong => None,
        };
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let r = crate::session::autosave(&dir, &plan, source.as_deref());
            let _ = tx.send((rev, r));
        });
        self.autosave.running = Some(rx);
    }

    /// Opens the autosaved work offered for recovery, as unsaved changes to its plan.
    pub(super) fn recover(&mut self) {
        let Some((path, info)) = self.recovery_offer.take() else { return };
        match crate::io::load_path(&path) {
            Ok(loaded) => {
                let source = info.source.map(Source::File).unwrap_or(Source::Jinsong);
                let (mut doc, cache) = crate::document::open(loaded, source);
                doc.mark_recovered();
                self.replace_document(doc, cache);
                self.say(Message::Recovered);
            }
            Err(e) => self.say(Message::RecoverFailed(e.into())),
        }
    }

    /// Closing the window: ask first when there are unsaved changes.
    fn close_guard(&mut self, ctx: &egui::Context) {
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

    /// The phase the "after" side of a comparison shows: the as-of date if one is chosen.
    pub fn after_phase(&self) -> crate::model::Phase {
        super::view::after_phase(&self.opts.phase)
    }

    /// The phase the map's only pane shows, or its after pane when comparing:
    /// what the legend and the dashboard count in.
    pub fn after_phase_shown(&self) -> crate::model::Phase {
        super::view::after_phase_shown(self.compare, &self.opts.phase)
    }

    /// The scenes the map last drew, one a pane, with the phase each shows.
    pub fn pane_scenes(&self) -> Vec<(&crate::model::Phase, &Scene)> {
        self.memos.iter().flatten().map(|m| (&m.phase, &m.scene)).collect()
    }

    /// How many photo images have been made into textures (thumbnails and full views).
    pub fn photo_textures_len(&self) -> usize {
        self.panels.items.photo_textures.len()
    }

    /// True while a file is being read in the background.
    pub fn is_loading(&self) -> bool {
        self.loading.is_some()
    }

    /// The status bar message, if any, in the current language.
    pub fn status_text(&self) -> Option<String> {
        self.status.as_ref().map(|m| m.text(self.lang.strings()))
    }

    /// The error window's message, if it is open, in the current language.
    pub fn alert_text(&self) -> Option<String> {
        self.alert.as_ref().map(|m| m.text(self.lang.strings()))
    }

    /// The selected features.
    pub fn selected(&self) -> Vec<FeatureId> {
        self.opts.selected.iter().copied().collect()
    }

    /// Starts reading a file in the background; the open plan stays until it succeeds.
    pub fn open_path(&mut self, path: PathBuf) {
        if let Some(l) = &self.loading {
            l.cancel.store(true, Ordering::Relaxed);
        }
        let (tx, rx) = channel();
        let p = path.clone();
        let done = Arc::new(AtomicU64::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let total = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let (d, c, crs) = (done.clone(), cancel.clone(), self.import_crs);
        std::thread::spawn(move || {
            let watch = |n: u64| {
                d.store(n, Ordering::Relaxed);
                !c.load(Ordering::Relaxed)
            };
            let opts = crate::io::ReadOptions { crs, progress: Some(&watch) };
            let result = crate::io::load_path_with(&p, &opts)
                .map(|loaded| crate::document::open(loaded, Source::File(p.clone())));
            // The receiver may be gone if the app closed meanwhile; nothing to do then.
            let _ = tx.send(result);
        });
        self.loading = Some(Loading { path, rx, done, total, cancel });
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
            self.finish_load(l.path, r);
        }
    }

    fn poll_loading(&mut self) {
        let Some(l) = &self.loading else { return };
        match l.rx.try_recv() {
            Ok(r) => {
                if let Some(l) = self.loading.take() {
                    self.finish_load(l.path, r);
                }
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => {}
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                let path = self.loading.take().map(|l| l.path).unwrap_or_default();
                self.say(Message::ReaderStopped(path));
            }
        }
    }

    fn finish_load(&mut self, path: PathBuf, result: Result<(Document, GeometryCache), crate::io::LoadError>) {
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
                self.say(Message::Opened { path, features, warnings });
            }
            Err(crate::io::LoadError::Cancelled) => self.say(Message::OpenCancelled(path)),
            // The open plan is untouched.
            Err(e) => self.say(Message::OpenFailed { path, error: e.into() }),
        }
    }

    fn replace_document(&mut self, doc: Document, cache: GeometryCache) {
        self.doc = doc;
        self.cache = cache;
        self.opts.selected.clear();
        self.opts.hovered = None;
        self.camera = None;
        self.fly_to = None;
        self.memos.clear();
        self.panels.items.editor = None;
        self.panels.items.picker = None;
        self.sketch = Default::default();
        self.drag = None;
        self.snap = None;
        self.generation += 1;
        self.sync_derived();
    }

    /// The read-only view every panel draws from, and the panels' own state
    /// beside it (borrowed apart, so a panel can change its state while reading the view).
    pub(super) fn parts(&mut self) -> (View<'_>, &mut Panels) {
        let view = View {
            doc: &self.doc,
            lang: self.lang,
            opts: &self.opts,
            theme_mode: self.theme_mode,
            compare: self.compare,
            swipe: self.swipe,
            shown: self.shown,
            counts: &self.counts,
            change_count: self.change_count,
            camera: self.camera,
            cursor: self.cursor,
            in_view: self.memos.iter().flatten().map(|m| m.scene.features_in_view).max().unwrap_or(0),
            editing: self.editing,
            tool: self.tool,
            playing: self.playing,
            story: (self.panels.story.story, self.panels.story.slide),
            recent: &self.recent,
            status: self.status.as_ref(),
            import_crs: self.import_crs,
            prompting: self.path_prompt.is_some(),
            recovery: self.recovery_offer.as_ref().map(|(_, info)| info),
            confirm_close: self.confirm_close,
        };
        (view, &mut self.panels)
    }

    /// The extent to fit: the boundary if the plan has one, else everything.
    pub(super) fn district_extent(&self) -> Option<[f64; 4]> {
        let mut b: Option<[f64; 4]> = None;
        for (_, f) in self.doc.plan().iter().filter(|(_, f)| f.kind == Kind::Boundary) {
            if let Some(r) = f.bbox() {
                let e = b.get_or_insert([f64::MAX, f64::MAX, f64::MIN, f64::MIN]);
                *e = [e[0].min(r.min().x), e[1].min(r.min().y), e[2].max(r.max().x), e[3].max(r.max().y)];
            }
        }
        b.or_else(|| self.doc.index().extent())
    }

    /// A camera that frames one feature, not closer than street level.
    pub(super) fn camera_for(&self, id: FeatureId, size: [f32; 2]) -> Option<Camera> {
        let r = self.doc.plan().get(id)?.bbox()?;
        let mut cam = Camera::fit([r.min().x, r.min().y, r.max().x, r.max().y], size, size[0].min(size[1]) * 0.3);
        let min_ground = 0.25;
        if cam.ground_mpp() < min_ground {
            cam.mpp *= min_ground / cam.ground_mpp();
        }
        Some(cam)
    }

    /// Asks for a file (the system's chooser, else the labelled path prompt) and
    /// does what the task says with the files chosen in the chooser.
    fn choose_file(&mut self, task: FileTask) {
        for a in super::files::choose(self, task) {
            self.apply(a);
        }
    }

    /// Applies one intent. The only place the app's state changes on the user's
    /// behalf: each area's handler says what it changed, and only a change to
    /// what the map draws rebuilds the thematic colours and the scene.
    pub fn apply(&mut self, action: Action) {
        let changed = match action {
            a @ (Action::OpenDialog
            | Action::OpenPathPrompt
            | Action::Open(..)
            | Action::OpenJinsong
            | Action::Quit
            | Action::Recover
            | Action::DiscardRecovery
            | Action::CloseWithoutSaving
            | Action::SaveAndClose
            | Action::CancelClose
            | Action::Save
            | Action::SaveAs
            | Action::SaveTo(..)
            | Action::ExportDialog
            | Action::ExportTo(..)
            | Action::ExportHandout
            | Action::ExportHandoutTo(..)
            | Action::PhotoDialog { .. }
            | Action::SetImportCrs(..)) => self.apply_file(a),
            a @ (Action::Undo
            | Action::Redo
            | Action::Edit(..)
            | Action::SetKind { .. }
            | Action::AddItem { .. }
            | Action::DeleteSelected
            | Action::AttachPhoto { .. }) => self.apply_edit(a),
            a @ (Action::FitDistrict
            | Action::Select(..)
            | Action::SelectAndFly(..)
            | Action::ToggleSelect(..)
            | Action::SelectMany(..)
            | Action::SelectAndFlyMany(..)
            | Action::SetLayerVisible(..)
            | Action::SetLang(..)
            | Action::SetLabels(..)
            | Action::SetTheme(..)
            | Action::SetPhase(..)
            | Action::TogglePhase
            | Action::SetCompare(..)
            | Action::Play(..)
            | Action::GoToSlide(..)
            | Action::Present(..)) => self.apply_view(a),
            a @ (Action::SetTool(..)
            | Action::FinishSketch
            | Action::CancelSketch
            | Action::UndoSketchPoint
            | Action::SetEditing(..)) => self.apply_tool(a),
            a @ (Action::OpenPicker
            | Action::EditItem(..)
            | Action::ShowTable(..)
            | Action::ShowDashboard(..)
            | Action::ShowStories(..)
            | Action::ShowExport(..)
            | Action::ShowChanges(..)
            | Action::ViewPhotos(..)
            | Action::Status(..)
            | Action::ShowWindow(..)) => self.apply_panel(a),
        };
        if changed == Changed::Map {
            self.sync_derived();
            self.generation += 1;
        }
    }

    /// Files: open, recover, save, export, close. A new document brings its own scene (`replace_document`).
    fn apply_file(&mut self, action: Action) -> Changed {
        match action {
            Action::OpenDialog => self.choose_file(FileTask::OpenPlan),
            Action::OpenPathPrompt => super::files::prompt(self, FileTask::OpenPlan),
            Action::Open(p) => self.open_path(p),
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
                match &mut self.saving {
                    // The window closes when the save has succeeded.
                    Some(sv) => sv.close_after = true,
                    None if !self.doc.is_dirty() => self.allow_close = true,
                    None => {}
                }
            }
            Action::CancelClose => self.confirm_close = false,
            Action::PhotoDialog { item, side } => self.choose_file(FileTask::Photo { item, side }),
            Action::ExportDialog => self.choose_file(FileTask::Export(self.panels.export.kind)),
            Action::ExportTo(path) => {
                let (v, p) = self.parts();
                let result = super::export::write(&p.export, &v, &path);
                match result {
                    Ok(()) => self.say(Message::Exported(path)),
                    Err(error) => self.say(Message::ExportFailed { path, error: error.into() }),
                }
            }
            Action::ExportHandout => self.choose_file(FileTask::Handout),
            Action::SetImportCrs(crs) => self.import_crs = crs,
            Action::ExportHandoutTo(path) => {
                let i = self.panels.story.story.min(self.doc.plan().stories.len().saturating_sub(1));
                // The stories window's handout goes through the one export dispatch, as the dialog's does.
                let request = crate::export::Request {
                    what: crate::export::What::Handout { story: i },
                    phase: None,
                    theme: self.theme_mode,
                    lang: self.lang,
                    date: crate::model::item::today(),
                    out: path.clone(),
                };
                let result = crate::export::run(self.doc.plan(), &request);
                match result {
                    Ok(_) => self.say(Message::Exported(path)),
                    Err(error) => self.say(Message::ExportFailed { path, error: error.into() }),
                }
            }
            Action::Save => match self.doc.save_path().map(|p| p.to_path_buf()) {
                Some(p) => self.save_to(p),
                None => self.apply(Action::SaveAs),
            },
            Action::SaveAs => self.choose_file(FileTask::SavePlan),
            Action::SaveTo(p) => self.save_to(p),
            // `apply` routes only file actions here.
            _ => return Changed::Panels,
        }
        Changed::Panels
    }

    /// Plan edits, undo and redo: each edit that lands updates the cache and the scene (`after_edit`).
    fn apply_edit(&mut self, action: Action) -> Changed {
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
            Action::Undo => match self.doc.undo() {
                Some(Ok(t)) => self.after_edit(&t),
                Some(Err(e)) => self.say(Message::UndoFailed(e.to_string())),
                None => self.say(Message::NothingToUndo),
            },
            Action::Redo => match self.doc.redo() {
                Some(Ok(t)) => self.after_edit(&t),
                Some(Err(e)) => self.say(Message::RedoFailed(e.to_string())),
                None => self.say(Message::NothingToRedo),
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

    /// What the map shows and how: selection, layers, phase, theme, language, slides.
    fn apply_view(&mut self, action: Action) -> Changed {
        match action {
            Action::GoToSlide(story, slide) => {
                if let Some(sl) = self.doc.plan().stories.get(story).and_then(|s| s.slides.get(slide)).cloned() {
                    self.panels.story.story = story;
                    self.panels.story.slide = Some(slide);
                    super::story::restore(self, &sl);
                }
            }
            Action::Present(None) => {
                if self.presenting.take().is_some() {
                    self.pending_fullscreen = Some(false);
                    super::story::leave_presentation(self);
                }
            }
            Action::Present(Some((story, slide))) => {
                let Some(sl) = self.doc.plan().stories.get(story).and_then(|s| s.slides.get(slide)).cloned() else {
                    return Changed::Panels;
                };
                if self.presenting.is_none() {
                    self.pending_fullscreen = Some(true);
                    super::story::enter_presentation(self);
                }
                if self.presenting != Some((story, slide)) {
                    self.presenting = Some((story, slide));
                    self.panels.story.story = story;
                    self.panels.story.slide = Some(slide);
                    self.tool = super::draw::Tool::Select;
                    super::story::restore(self, &sl);
                }
            }
            Action::FitDistrict => {
                if let (Some(ext), Some(cam)) = (self.district_extent(), self.camera) {
                    self.fly_to = Some(Camera::fit(ext, cam.size, 30.0));
                }
            }
            Action::Select(id) => {
                self.opts.selected.clear();
                self.opts.selected.extend(id);
            }
            Action::SelectAndFly(id) => {
                self.opts.selected.clear();
                self.opts.selected.insert(id);
                if let Some(cam) = self.camera {
                    self.fly_to = self.camera_for(id, cam.size);
                }
            }
            Action::SetLayerVisible(kind, v) => self.opts.visible[kind_slot(kind)] = v,
            Action::SetLang(lang) => {
                self.lang = lang;
                self.opts.lang = lang;
            }
            Action::SetLabels(v) => self.opts.labels = v,
            Action::ToggleSelect(id) => {
                if !self.opts.selected.remove(&id) {
                    self.opts.selected.insert(id);
                }
            }
            Action::SelectMany(ids) => {
                self.opts.selected.clear();
                self.opts.selected.extend(ids);
            }
            Action::SelectAndFlyMany(ids) => {
                self.opts.selected.clear();
                self.opts.selected.extend(ids.iter().copied());
                if let Some(cam) = self.camera {
                    self.fly_to = self.camera_for_all(&ids, cam.size);
                }
            }
            Action::SetTheme(mode) => self.theme_mode = mode,
            Action::SetPhase(p) => {
                self.opts.phase = p;
                self.playing = false;
            }
            Action::TogglePhase => {
                self.opts.phase = if self.opts.phase == crate::model::Phase::Before {
                    self.after_phase()
                } else {
                    crate::model::Phase::Before
                };
            }
            Action::SetCompare(c) => self.compare = c,
            Action::Play(v) => {
                self.playing = v;
                self.play_clock = 0.0;
                if v {
                    let start = crate::model::phase::date_range(self.doc.plan()).map(|r| r.0).unwrap_or_default();
                    let restart = match &self.opts.phase {
                        crate::model::Phase::AsOf(d) => {
                            crate::model::phase::date_range(self.doc.plan()).is_some_and(|r| d.as_str() >= r.1.as_str())
                        }
                        _ => true,
                    };
                    if restart {
                        self.opts.phase = crate::model::Phase::AsOf(start);
                    }
                }
            }
            // `apply` routes only view actions here.
            _ => return Changed::Panels,
        }
        Changed::Map
    }

    /// The drawing tools and the edit toggle (the map's overlay follows).
    fn apply_tool(&mut self, action: Action) -> Changed {
        match action {
            Action::SetTool(t) => {
                self.tool = t;
                // Drawing is editing: the toggle comes on with a drawing tool (and stays on).
                self.editing |= t != super::draw::Tool::Select && t != super::draw::Tool::Measure;
                self.sketch = Default::default();
                self.drag = None;
                self.snap = None;
            }
            Action::FinishSketch => {
                for a in super::draw::finish(self) {
                    self.apply(a);
                }
            }
            Action::CancelSketch => {
                if self.sketch.points.is_empty() {
                    self.tool = super::draw::Tool::Select;
                }
                self.sketch = Default::default();
                self.snap = None;
            }
            Action::UndoSketchPoint => {
                self.sketch.points.pop();
                self.sketch.done = false;
            }
            Action::SetEditing(on) => {
                self.editing = on;
                self.drag = None;
                self.snap = None;
                if !on && self.tool != super::draw::Tool::Measure {
                    self.tool = super::draw::Tool::Select;
                    self.sketch = Default::default();
                }
            }
            // `apply` routes only tool actions here.
            _ => return Changed::Panels,
        }
        Changed::Map
    }

    /// Panels and windows opening and closing, messages: nothing the map draws.
    fn apply_panel(&mut self, action: Action) -> Changed {
        match action {
            Action::ViewPhotos(item) => self.panels.items.photo_view = item,
            Action::ShowWindow(w, open) => self.shown.set(w, open),
            Action::ShowStories(v) => self.shown.stories = v,
            Action::ShowExport(v) => self.shown.export = v,
            Action::OpenPicker => {
                if self.opts.selected.is_empty() {
                    self.say(Message::NothingSelected);
                } else {
                    self.panels.items.picker = Some(super::items::Picker::default());
                }
            }
            Action::EditItem(id) => {
                if let Some(item) = self.doc.plan().items.get(&id) {
                    self.panels.items.editor = Some(super::items::ItemEditor::new(item.clone()));
                }
            }
            Action::ShowTable(v) => self.shown.table = v,
            Action::ShowDashboard(v) => self.shown.dashboard = v,
            Action::Status(message) => self.say(message),
            Action::ShowChanges(v) => self.shown.changes = v,
            // `apply` routes only panel actions here.
            _ => return Changed::Panels,
        }
        Changed::Panels
    }

    /// Saves on a background thread from a snapshot of the plan (sharing it,
    /// not copying it), so a big plan does not freeze the window; edits made
    /// meanwhile stay unsaved.
    fn save_to(&mut self, path: PathBuf) {
        if self.saving.is_some() {
            self.say(Message::StillSaving);
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

    /// True while a save is running.
    pub fn is_saving(&self) -> bool {
        self.saving.is_some()
    }

    /// Blocks until a background save finishes (for tests and scripts).
    pub fn wait_for_save(&mut self) {
        if let Some(sv) = &self.saving
            && let Ok(r) = sv.rx.recv()
        {
            self.finish_save(r, None);
        }
    }

    fn poll_saving(&mut self, ctx: &egui::Context) {
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

    fn finish_save(&mut self, result: Result<(), SaveError>, ctx: Option<&egui::Context>) {
        let Some(sv) = self.saving.take() else { return };
        let path = sv.path;
        let message = match result {
            Ok(()) => {
                self.doc.mark_saved(&path, sv.revision);
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

    /// Adds an item of a catalogue entry to every selected feature (one undo step) and opens its form.
    fn add_item(&mut self, catalogue: &str) {
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

    /// A camera that frames several features.
    pub(super) fn camera_for_all(&self, ids: &[FeatureId], size: [f32; 2]) -> Option<Camera> {
        let mut b: Option<[f64; 4]> = None;
        for r in ids.iter().filter_map(|id| self.doc.plan().get(*id)?.bbox()) {
            let e = b.get_or_insert([f64::MAX, f64::MAX, f64::MIN, f64::MIN]);
            *e = [e[0].min(r.min().x), e[1].min(r.min().y), e[2].max(r.max().x), e[3].max(r.max().y)];
        }
        let mut cam = Camera::fit(b?, size, size[0].min(size[1]) * 0.2);
        if cam.ground_mpp() < 0.25 {
            cam.mpp *= 0.25 / cam.ground_mpp();
        }
        Some(cam)
    }

    fn after_edit(&mut self, touched: &[FeatureId]) {
        self.cache.update(self.doc.plan(), touched);
        self.sync_derived();
        self.generation += 1;
    }

    /// While playing, the as-of date moves a month every 0.3 s until the plan's last date.
    fn advance_timeline(&mut self, ctx: &egui::Context) {
        if !self.playing {
            return;
        }
        ctx.request_repaint();
        self.play_clock += ctx.input(|i| i.stable_dt).min(0.1) as f64;
        if self.play_clock < 0.3 {
            return;
        }
        self.play_clock = 0.0;
        let Some((_, last)) = crate::model::phase::date_range(self.doc.plan()) else {
            self.playing = false;
            return;
        };
        let crate::model::Phase::AsOf(d) = &self.opts.phase else { return };
        let next =
            crate::model::phase::days_of(d).map(|n| crate::model::phase::date_of_days(n + 30)).unwrap_or(last.clone());
        if next >= last {
            self.opts.phase = crate::model::Phase::AsOf(last);
            self.playing = false;
        } else {
            self.opts.phase = crate::model::Phase::AsOf(next);
        }
        self.generation += 1;
    }

    /// Draws the whole interface into `ui` (the window, or a test harness).
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.poll_loading();
        self.poll_saving(&ctx);
        if self.loading.is_some() {
            ctx.request_repaint_after(std::time::Duration::from_millis(50));
        }
        self.advance_timeline(&ctx);
        // Whatever changed the plan or the phase since the last frame, derived state follows.
        self.sync_derived();
        self.close_guard(&ctx);
        self.autosave_tick(&ctx);
        if let Some(full) = self.pending_fullscreen.take() {
            ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(full));
        }
        if self.presenting.is_some() {
            // Nothing but the map and the slide's words.
            let actions = super::story::presentation(ui, self);
            for a in actions {
                self.apply(a);
            }
            return;
        }
        let mut actions = Vec::new();
        {
            let (v, p) = self.parts();
            actions.extend(panels::shortcuts(&ctx, &mut p.search, &v));
            actions.extend(dropped_files(&ctx, p.items.photo_drop.as_ref()));
            actions.extend(panels::top_bar(ui, &mut p.search, &v));
            actions.extend(super::phase_bar::bar(ui, &v));
            actions.extend(panels::status_bar(ui, &v));
            if v.shown.table {
                // Across the whole window, under the layer list and the inspector:
                // a table is wide (money columns), and scrolls sideways when narrower.
                actions.extend(super::items_table::panel(ui, &mut p.table, &v));
            }
            actions.extend(panels::left_panel(ui, &v));
            actions.extend(panels::right_panel(ui, &mut p.inspector, &mut p.items, &v));
        }
        actions.extend(map_view::central(ui, self));
        let (v, p) = self.parts();
        actions.extend(panels::windows(&ctx, &v));
        p.items.photo_drop = None;
        actions.extend(super::items::windows(&ctx, &mut p.items, &v));
        actions.extend(super::items::photo_window(&ctx, &mut p.items, &v));
        if v.shown.dashboard {
            actions.extend(super::dashboard::window(&ctx, &v));
        }
        if v.shown.changes {
            actions.extend(super::phase_bar::changes_window(&ctx, &v));
        }
        if v.shown.export {
            actions.extend(super::export::window(&ctx, &mut p.export, &v));
        }
        if v.shown.stories {
            let photo_item = p.items.editor.as_ref().map(|e| e.id.clone());
            actions.extend(super::story::window(&ctx, &mut p.story, &v, photo_item));
        }
        // Last, so the path prompt and the error window are on top.
        actions.extend(super::files::windows(&ctx, self));
        for a in actions {
            let closing = matches!(a, Action::Quit | Action::CloseWithoutSaving | Action::SaveAndClose);
            self.apply(a);
            if closing && (self.allow_close || !self.doc.is_dirty()) {
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
        let title = format!(
            "{}{} — {}",
            if self.doc.is_dirty() { "*" } else { "" },
            self.doc.plan().meta.name.as_deref().unwrap_or("Renewal Planner"),
            self.doc.source().display_name()
        );
        if title != self.window_title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(format!("Renewal Planner 更新规划 — {title}")));
            self.window_title = title;
        }
    }
}

/// Dropped files: photos onto an open item form attach to that item (on the
/// side of the form they were dropped on); anything else opens as a plan.
/// Per-feature thematic colours (`None`: colour by kind).
type ThemeColors = Option<Arc<Vec<Option<crate::render::style::Rgba>>>>;

/// The same colours (the same shared table, or both none).
fn same_theme(a: &ThemeColors, b: &ThemeColors) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        (None, None) => true,
        _ => false,
    }
}

fn dropped_files(ctx: &egui::Context, photo_drop: Option<&super::items::PhotoDrop>) -> Vec<Action> {
    let pointer = ctx.input(|i| i.pointer.latest_pos());
    ctx.input(|i| {
        i.raw
            .dropped_files
            .iter()
            .map(|f| {
                let path = f.path().to_path_buf();
                let is_photo = path.extension().is_some_and(|e| {
                    ["jpg", "jpeg", "png"].contains(&e.to_string_lossy().to_ascii_lowercase().as_str())
                });
                match (photo_drop, is_photo) {
                    (Some(target), true) => {
                        let side = match pointer {
                            Some(p) if target.before.contains(p) => crate::model::Side::Before,
                            _ => crate::model::Side::After,
                        };
                        Action::AttachPhoto { item: target.item.clone(), side, path }
                    }
                    _ => Action::Open(path),
                }
            })
            .take(8)
            .collect()
    })
}

impl eframe::App for PlannerApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_compare_mode_is_saved_in_a_slide_as_itself_and_shown_back() {
        let pairs = [
            (Compare::Single, SlideCompare::Single),
            (Compare::Swipe, SlideCompare::Swipe),
            (Compare::SideBySide, SlideCompare::SideBySide),
        ];
        for (window, slide) in pairs {
            assert_eq!(SlideCompare::from(window), slide);
            assert_eq!(Compare::from(slide), window);
        }
    }

    #[test]
    fn only_actions_that_change_the_map_rebuild_its_scene() {
        let mut app = PlannerApp::new();
        let stamp = |app: &PlannerApp| app.generation;
        let g = stamp(&app);
        for a in [
            Action::ShowTable(true),
            Action::ShowDashboard(true),
            Action::ShowWindow(super::super::view::Window::About, true),
            Action::Status(Message::NothingSelected),
            Action::ShowExport(true),
        ] {
            app.apply(a);
        }
        assert_eq!(stamp(&app), g, "opening panels and saying something keep the scene");
        assert!(app.shown.table && app.shown.dashboard && app.shown.about && app.shown.export);
        app.apply(Action::SetTheme(ThemeMode::Status));
        assert!(stamp(&app) > g, "a new theme redraws the map");
        let g = stamp(&app);
        let id = app.doc.plan().iter().next().map(|(id, _)| id).expect("a feature");
        app.apply(Action::Select(Some(id)));
        assert!(stamp(&app) > g, "a selection redraws the map");
        let g = stamp(&app);
        app.apply(Action::Edit(Edit::SetProperty { feature: id, key: "note".into(), value: Some("x".into()) }));
        assert!(stamp(&app) > g, "an edit redraws the map");
    }
}
