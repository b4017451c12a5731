//! The application: the document, the camera, the view settings and the
//! panels' state, and the one place where user intents are applied. Each
//! area's actions are handled in its own file: `file_area` (open, save,
//! autosave, export, close), `edit_area` (plan edits, undo, redo) and
//! `view_area` (what the map shows, the tools, the cameras).

use std::path::PathBuf;
use std::sync::Arc;

use eframe::egui;

use super::action::Action;
use super::files::{FileDialogs, PathPrompt};
use super::message::Message;
use super::view::{Shown, View};
use super::{map_view, panels};
use crate::document::Document;
use crate::i18n::Lang;
use crate::model::{FeatureId, SlideCompare};

mod basemap_area;
mod edit_area;
mod file_area;
mod view_area;

use crate::render::theme::ThemeMode;
use crate::render::{Camera, GeometryCache, Scene, SceneOptions};
use file_area::{Autosave, Exporting, Loading, Saving};

/// The last scene built, and what it was built for.
pub(super) struct SceneMemo {
    pub camera: Camera,
    pub generation: u64,
    pub phase: crate::model::Phase,
    pub scene: Scene,
    /// The scene made ready to paint (dot images, tessellated layers), made with it.
    pub painted: crate::ui::paint::Painted,
    /// How long the scene and its painting took to make.
    pub build_ms: f32,
    /// The number it was asked for under (`PlannerApp::scene_requests`): a later one replaces it.
    pub request: u64,
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
    /// The georeferencing window, while open.
    pub georef: Option<super::georef::GeorefState>,
    /// The "Add basemap" window's choices.
    pub basemap_add: super::basemaps::AddState,
    /// The "CAD layers" window, while a drawing waits for its layers' kinds.
    pub cad_layers: super::cad_layers::CadLayersState,
    pub table_columns: super::table_columns::TableColumnsState,
    /// The residents' consent panel: forms, the vote grid's cursor, results counted.
    pub consent: super::consent::ConsentState,
    /// The operations ledger window: its what-if sliders, forms and what was worked out.
    pub operations: super::operations::OperationsState,
    /// File → Open from database… / Save to database…, and the conflict window.
    pub database: super::database::DatabaseState,
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
    /// Shared, so a slow scene is built from a snapshot on another thread
    /// (`ui::scene_job`); an edit made meanwhile copies it first (`Arc::make_mut`).
    pub(super) cache: Arc<GeometryCache>,
    /// Features counted by kind slot and changed (derived: see [`PlannerApp::sync_derived`]; an edit
    /// recounts only what it touched, [`PlannerApp::after_edit`]).
    pub(super) tally: crate::render::tally::Tally,
    /// The document state `tally` and `themes` were derived from.
    derived_stamp: Option<(u64, u64)>,
    /// Thematic colours by mode, matter (the consent map's; `None` for the other modes) and
    /// phase, for the current document state (a few kept).
    themes: Vec<(ThemeMode, Option<String>, crate::model::Phase, ThemeColors)>,
    /// The map legend's heading (the consent map's: the matter, its rule, its count) and what it was
    /// worded for — the document state, mode, matter and language — so no frame counts the votes again.
    legend_heading: (Option<LegendKey>, Vec<String>),
    pub camera: Option<Camera>,
    /// Where the map was drawn in the last frame (screen points).
    pub map_rect: Option<egui::Rect>,
    pub(super) fly_to: Option<Camera>,
    /// When (egui's clock, seconds) the map last moved: a slow scene is shown
    /// moved and scaled until it has been still for a moment.
    pub(super) moved_at: f64,
    /// Frame times printed to stderr (`RENEWAL_PLANNER_FRAME_STATS`).
    frame_stats: Option<FrameStats>,
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
    /// The open plan being published to a database on a background thread.
    publishing: Option<file_area::Publishing>,
    /// The password typed for a database this run (memory only; never stored or shown).
    db_password: Option<file_area::Secret>,
    exporting: Option<Exporting>,
    /// The window's context, kept from the last frame, so a background export can
    /// wake the window when it ends (`None` until the first frame).
    repaint: Option<egui::Context>,
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
    /// The residents' matter the consent panel, vote grid and consent map show (`None`: the plan's first).
    pub consent_matter: Option<String>,
    /// Cursor position in longitude/latitude, when over the map.
    pub(super) cursor: Option<[f64; 2]>,
    /// Bumped whenever what the map shows may have changed.
    pub(super) generation: u64,
    pub(super) memos: Vec<Option<SceneMemo>>,
    /// Each pane's scene being built on another thread, if any (one a pane at a time).
    pub(super) scene_jobs: Vec<Option<crate::ui::scene_job::SceneJob>>,
    /// Numbers each scene asked for, so a job's result never replaces a scene asked for after it.
    pub(super) scene_requests: u64,
    /// Which scenes are made again on another thread (tests lower it to send the small
    /// Jinsong plan's scenes there).
    pub(super) slow_scenes: crate::ui::scene_job::Slow,
    /// Tests only: while this lock is held elsewhere, background scene builds wait before
    /// starting (and panic if it holds `true`).
    pub(super) scene_hold: Option<Arc<std::sync::Mutex<bool>>>,
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
    autosave: Autosave,
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
    /// The plan's basemaps as the screen draws them (layers, decoding, textures).
    pub(super) basemaps: super::basemaps::Basemaps,
    /// The user's basemap settings (keys, tile cache): kept in the session folder on a real run.
    pub(super) basemap_settings: crate::basemap::Settings,
    /// The "Add basemap" window is open.
    pub(super) basemap_add_open: bool,
    /// Editing a database plan together (`ui::live`), while on.
    pub(super) live: Option<super::live::Live>,
}

impl Default for PlannerApp {
    fn default() -> Self {
        Self::new()
    }
}

/// What the legend heading was worded for: the document state, the mode, the matter and the language.
type LegendKey = ((u64, u64), ThemeMode, Option<String>, crate::model::Lang);

/// The matter in focus: `chosen` if the plan still has it, else the plan's first (the choice every
/// consent map makes, `model::theme_mode::consent_matter`; a function of the document alone, so
/// [`PlannerApp::parts`] can borrow the panels beside it).
fn focused<'a>(doc: &'a Document, chosen: Option<&str>) -> Option<&'a str> {
    crate::model::theme_mode::consent_matter(&doc.plan().consent, chosen).map(|m| m.id.as_str())
}

impl PlannerApp {
    /// The app with the embedded Jinsong plan open.
    pub fn new() -> Self {
        Self::with_document(Document::jinsong())
    }

    pub fn with_document(doc: Document) -> Self {
        let cache = Arc::new(GeometryCache::build(doc.plan()));
        let mut app = PlannerApp {
            doc,
            cache,
            tally: Default::default(),
            derived_stamp: None,
            themes: Vec::new(),
            legend_heading: (None, Vec::new()),
            camera: None,
            map_rect: None,
            fly_to: None,
            moved_at: f64::NEG_INFINITY,
            frame_stats: FrameStats::from_env(),
            opts: SceneOptions { phase: crate::model::Phase::After, ..SceneOptions::default() },
            lang: Lang::Zh,
            shown: Shown::default(),
            panels: Panels::default(),
            status: None,
            alert: None,
            loading: None,
            saving: None,
            publishing: None,
            db_password: None,
            exporting: None,
            repaint: None,
            import_crs: None,
            path_prompt: None,
            file_dialogs: FileDialogs::Unavailable,
            last_dir: None,
            theme_mode: ThemeMode::Kind,
            consent_matter: None,
            cursor: None,
            generation: 0,
            memos: Vec::new(),
            scene_jobs: Vec::new(),
            scene_requests: 0,
            slow_scenes: crate::ui::scene_job::Slow::DEFAULT,
            scene_hold: None,
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
            basemaps: Default::default(),
            basemap_settings: basemap_area::test_settings(),
            basemap_add_open: false,
            live: None,
        };
        app.sync_derived();
        app
    }

    /// Brings everything derived from the plan (counts by kind, the number of
    /// changed features, thematic colours) in step with the document. The one
    /// place they are computed whole: it compares the document's stamp, so an
    /// open, import or recovery — whichever way the plan changed — is caught (an
    /// edit, undo or redo the window made has already been followed feature by
    /// feature by [`PlannerApp::after_edit`]). Called after every action and at
    /// the start of every frame.
    pub(super) fn sync_derived(&mut self) {
        let stamp = self.doc.stamp();
        if self.derived_stamp != Some(stamp) {
            self.derived_stamp = Some(stamp);
            self.tally = crate::render::tally::Tally::build(self.doc.plan());
            self.themes.clear();
            self.generation += 1;
        }
        let key = Some((stamp, self.theme_mode, self.focused_matter().map(str::to_string), self.lang));
        if self.legend_heading.0 != key {
            let heading = self.lang.strings().legend_heading(self.doc.plan(), self.theme_mode, self.focused_matter());
            self.legend_heading = (key, heading);
        }
        let phase = self.opts.phase.clone();
        let theme = self.theme_in(&phase);
        if !same_theme(&self.opts.theme, &theme) {
            self.opts.theme = theme;
            self.generation += 1;
        }
    }

    /// After one edit, undo or redo (the document one revision on from what was derived): the counts
    /// and the kept thematic colours of the item modes follow the touched features; the colours of the
    /// other modes are dropped and worked out whole when asked for. Anything else (derived from an
    /// older state, another document) is left to `sync_derived`, which rebuilds.
    fn follow_derived(&mut self, touched: &[FeatureId]) {
        let (id, revision) = self.doc.stamp();
        if self.derived_stamp.is_none() || self.derived_stamp != revision.checked_sub(1).map(|r| (id, r)) {
            return;
        }
        let (plan, links) = (self.doc.plan(), self.doc.links());
        self.tally.update(plan, touched);
        // Not shared with the map's options while updated, so the colours change in place, not copied.
        self.opts.theme = None;
        self.themes.retain_mut(|(mode, _, phase, colors)| match colors {
            None => true,
            Some(c) => {
                crate::render::theme::update_feature_colors(Arc::make_mut(c), plan, links, *mode, phase, touched)
            }
        });
        self.derived_stamp = Some((id, revision));
    }

    /// The map legend's heading, as of the last `sync_derived` (the start of this frame).
    pub(super) fn legend_heading(&self) -> Vec<String> {
        self.legend_heading.1.clone()
    }

    /// The thematic colours of the current mode in a phase: items at their
    /// status then (as of a date, the colours of that date).
    pub(super) fn theme_in(&mut self, phase: &crate::model::Phase) -> ThemeColors {
        if self.derived_stamp != Some(self.doc.stamp()) {
            self.sync_derived();
        }
        // The consent map is of the matter in focus; the other modes do not depend on it.
        let matter =
            (self.theme_mode == ThemeMode::Consent).then(|| self.focused_matter().map(str::to_string)).flatten();
        if let Some((.., t)) =
            self.themes.iter().find(|(m, id, p, _)| *m == self.theme_mode && *id == matter && p == phase)
        {
            return t.clone();
        }
        let t = crate::render::theme::feature_colors(self.doc.plan(), self.theme_mode, matter.as_deref(), phase);
        // A playing timeline asks for a new date every step: keep only the last few.
        if self.themes.len() >= 6 {
            self.themes.remove(0);
        }
        self.themes.push((self.theme_mode, matter, phase.clone(), t.clone()));
        t
    }

    /// Features that differ between before and after, as the window shows it.
    pub fn change_count(&self) -> usize {
        self.tally.changed()
    }

    /// Turns on what a real run has and tests do not: the recent files list,
    /// autosave into `dir`, and the offer to recover work a crash left there.
    pub fn with_session(mut self, dir: PathBuf) -> Self {
        self.recent = crate::session::recent(&dir);
        self.recovery_offer = crate::session::pending_recovery(&dir);
        self.basemap_settings = crate::basemap::Settings::load(&dir);
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

    /// The window's context, once a frame has been drawn (to wake it from another thread).
    pub(super) fn repaint_context(&self) -> Option<egui::Context> {
        self.repaint.clone()
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

    /// The matter in focus: the one chosen if the plan still has it, else the plan's first.
    pub fn focused_matter(&self) -> Option<&str> {
        focused(&self.doc, self.consent_matter.as_deref())
    }

    /// The read-only view every panel draws from, and the panels' own state
    /// beside it (borrowed apart, so a panel can change its state while reading the view).
    pub(super) fn parts(&mut self) -> (View<'_>, &mut Panels) {
        let view = View {
            doc: &self.doc,
            lang: self.lang,
            opts: &self.opts,
            theme_mode: self.theme_mode,
            consent_matter: focused(&self.doc, self.consent_matter.as_deref()),
            compare: self.compare,
            swipe: self.swipe,
            shown: self.shown,
            counts: self.tally.counts(),
            change_count: self.tally.changed(),
            feature_count: self.tally.features(),
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

    /// Applies one intent. The only place the app's state changes on the user's
    /// behalf: each area's handler says what it changed, and only a change to
    /// what the map draws rebuilds the thematic colours and the scene.
    pub fn apply(&mut self, action: Action) {
        // The item form's save: others' edits since the form opened are what it may conflict with.
        if let Action::Edit(crate::edit::Edit::PutItem { id, .. }) = &action
            && let Some(ed) = &self.panels.items.editor
            && ed.id == *id
            && let Some(pull) = ed.live_pull
        {
            self.live_based_on(pull);
        }
        let changed = match action {
            a @ (Action::OpenDialog
            | Action::OpenPathPrompt
            | Action::Open(..)
            | Action::ImportLayerDialog
            | Action::ImportLayer(..)
            | Action::OpenCad { .. }
            | Action::OpenTable { .. }
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
            | Action::ShowDatabase(..)
            | Action::ListPlans(..)
            | Action::OpenDatabase(..)
            | Action::PublishTo { .. }
            | Action::Conflict(..)
            | Action::ExportDialog
            | Action::ExportTo(..)
            | Action::ExportHandout
            | Action::ExportHandoutTo(..)
            | Action::ExportNotice(..)
            | Action::ExportNoticeTo { .. }
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
            | Action::FocusMatter(..)
            | Action::SetPhase(..)
            | Action::TogglePhase
            | Action::SetCompare(..)
            | Action::Play(..)
            | Action::GoToSlide(..)
            | Action::Present(..)) => self.apply_view(a),
            a @ (Action::ShowBasemapAdd(..)
            | Action::BasemapDialog { .. }
            | Action::AddBasemapFile { .. }
            | Action::SetServiceKey { .. }) => self.apply_basemap(a),
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
            | Action::ShowWindow(..)
            | Action::Georeference(..)
            | Action::GeorefMapClick(..)) => self.apply_panel(a),
            // What changes the plan goes through `after_edit`; the rest is the live bar and conflict window.
            Action::Live(a) => {
                self.apply_live(a);
                Changed::Panels
            }
        };
        if changed == Changed::Map {
            self.sync_derived();
            self.generation += 1;
        }
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
                    let mut editor = super::items::ItemEditor::new(item.clone());
                    editor.live_pull = self.live_pulls_applied();
                    self.panels.items.editor = Some(editor);
                }
            }
            Action::ShowTable(v) => self.shown.table = v,
            Action::ShowDashboard(v) => self.shown.dashboard = v,
            Action::Status(message) => self.say(message),
            Action::ShowChanges(v) => self.shown.changes = v,
            Action::Georeference(i) => self.panels.georef = super::georef::GeorefState::open(self.doc.plan(), i),
            Action::GeorefMapClick(lonlat) => self.panels.georef.iter_mut().for_each(|g| g.map_click(lonlat)),
            // `apply` routes only panel actions here.
            _ => return Changed::Panels,
        }
        Changed::Panels
    }

    /// Draws the whole interface into `ui` (the window, or a test harness).
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if self.repaint.is_none() {
            self.repaint = Some(ctx.clone());
        }
        self.poll_loading();
        self.live_tick(&ctx);
        self.poll_saving(&ctx);
        self.poll_publishing(&ctx);
        if self.loading.is_some() {
            ctx.request_repaint_after(std::time::Duration::from_millis(50));
        }
        self.advance_timeline(&ctx);
        // Whatever changed the plan or the phase since the last frame, derived state follows.
        self.sync_derived();
        self.basemaps_tick(&ctx);
        self.close_guard(&ctx);
        self.autosave_tick(&ctx);
        if let Some(full) = self.pending_fullscreen.take() {
            ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(full));
        }
        if self.presenting.is_some() {
            // Nothing but the map and the slide's words.
            let actions = super::story::presentation(ui, self);
            self.poll_exporting(&ctx);
            for a in actions {
                self.apply(a);
            }
            return;
        }
        let mut actions = Vec::new();
        let basemap_rows = self.basemaps.rows();
        let basemap_add_open = self.basemap_add_open;
        let live = self.live_view();
        {
            let (v, p) = self.parts();
            // The vote grid's keys first: A, D, Delete… set votes while it has the keyboard.
            actions.extend(super::vote_grid::keys(&ctx, &mut p.consent, &v));
            actions.extend(panels::shortcuts(&ctx, &mut p.search, &v));
            actions.extend(dropped_files(&ctx, p.items.photo_drop.as_ref()));
            actions.extend(panels::top_bar(ui, &mut p.search, &v));
            super::database::read_only_banner(ui, &v);
            if let Some(live) = &live {
                actions.extend(super::live::bar(ui, live, v.lang));
            }
            actions.extend(super::phase_bar::bar(ui, &v));
            actions.extend(panels::status_bar(ui, &v));
            if v.shown.table {
                // Across the whole window, under the layer list and the inspector:
                // a table is wide (money columns), and scrolls sideways when narrower.
                actions.extend(super::items_table::panel(ui, &mut p.table, &v));
            }
            actions.extend(panels::left_panel(ui, &v, &basemap_rows));
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
        if basemap_add_open {
            actions.extend(super::basemaps::add_window(&ctx, &mut p.basemap_add, &v));
        }
        if v.shown.stories {
            let photo_item = p.items.editor.as_ref().map(|e| e.id.clone());
            actions.extend(super::story::window(&ctx, &mut p.story, &v, photo_item));
        }
        actions.extend(super::georef::window(&ctx, &mut p.georef, &v));
        actions.extend(super::cad_layers::window(&ctx, &mut p.cad_layers, &v));
        actions.extend(super::table_columns::window(&ctx, &mut p.table_columns, &v));
        if v.shown.consent {
            actions.extend(super::consent::window(&ctx, &mut p.consent, &v));
        }
        if v.shown.operations {
            actions.extend(super::operations::window(&ctx, &mut p.operations, &v));
        }
        let (v, p) = self.parts();
        actions.extend(super::database::window(&ctx, &mut p.database, &v));
        actions.extend(super::database::conflict_window(&ctx, &mut p.database, &v));
        actions.extend(self.live_windows(&ctx));
        // Last, so the path prompt and the error window are on top.
        actions.extend(super::files::windows(&ctx, self));
        // After drawing and before this frame's actions: an export started by them is drawn
        // running in the next frame at least, and its end shows in the repaint asked for here.
        self.poll_exporting(&ctx);
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

/// Dropped files: photos onto an open item form attach to that item (on the
/// side of the form they were dropped on); anything else opens, by its format
/// (a plan, GeoJSON, Shapefile — once with its sidecars —, DXF, KML/KMZ,
/// CSV/XLSX; a DWG is refused by the reader with what to do).
fn dropped_files(ctx: &egui::Context, photo_drop: Option<&super::items::PhotoDrop>) -> Vec<Action> {
    let pointer = ctx.input(|i| i.pointer.latest_pos());
    let paths = ctx.input(|i| i.raw.dropped_files.iter().map(|f| f.path().to_path_buf()).collect::<Vec<_>>());
    let paths = if photo_drop.is_some() { paths } else { super::files::dropped_to_open(paths) };
    {
        paths
            .into_iter()
            .map(|path| {
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
    }
}

impl PlannerApp {
    /// Counts a scene made (`on_thread`: by a `ui::scene_job`) for the frame stats.
    pub(super) fn note_scene(&mut self, on_thread: bool, ms: f32) {
        if let Some(stats) = &mut self.frame_stats {
            let (n, max) = &mut stats.scenes[usize::from(on_thread)];
            *n += 1;
            *max = max.max(ms);
        }
    }
}

impl eframe::App for PlannerApp {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        self.show(ui);
        if let Some(stats) = &mut self.frame_stats {
            stats.add(ui.ctx(), frame.info().cpu_usage);
        }
    }
}

/// With `RENEWAL_PLANNER_FRAME_STATS` set, the window prints to stderr every two
/// seconds how many frames it drew, the time between them and the CPU time of
/// each (eframe's measure of the frame before): how smooth a big map pans here;
/// and the scenes made, in a frame and on another thread (`ui::scene_job`), with the longest.
pub(crate) struct FrameStats {
    since: f64,
    frames: u32,
    gaps: Vec<f32>,
    cpu: Vec<f32>,
    /// Scenes made in a frame and on another thread: how many, and the longest (ms).
    scenes: [(u32, f32); 2],
}

impl FrameStats {
    pub(crate) fn from_env() -> Option<FrameStats> {
        std::env::var_os("RENEWAL_PLANNER_FRAME_STATS").map(|_| FrameStats {
            since: 0.0,
            frames: 0,
            gaps: Vec::new(),
            cpu: Vec::new(),
            scenes: [(0, 0.0); 2],
        })
    }

    fn add(&mut self, ctx: &egui::Context, cpu_s: Option<f32>) {
        let (now, dt) = ctx.input(|i| (i.time, i.unstable_dt));
        self.frames += 1;
        self.gaps.push(dt * 1000.0);
        self.cpu.extend(cpu_s.map(|c| c * 1000.0));
        if now - self.since < 2.0 {
            return;
        }
        let stat = |v: &mut Vec<f32>| {
            v.sort_by(f32::total_cmp);
            let median = v.get(v.len() / 2).copied().unwrap_or(0.0);
            let p90 = v.get(v.len() * 9 / 10).copied().unwrap_or(0.0);
            (median, p90, v.last().copied().unwrap_or(0.0))
        };
        let (g50, g90, gmax) = stat(&mut self.gaps);
        let (c50, c90, cmax) = stat(&mut self.cpu);
        let [(fn_, fmax), (tn, tmax)] = self.scenes;
        eprintln!(
            "frames {:>4} in {:.1} s · between frames ms: median {g50:.1}, 90% {g90:.1}, max {gmax:.1} · cpu ms: median {c50:.1}, 90% {c90:.1}, max {cmax:.1} · scenes in frame {fn_} (max {fmax:.0} ms), on a thread {tn} (max {tmax:.0} ms)",
            self.frames,
            now - self.since
        );
        *self = FrameStats { since: now, frames: 0, gaps: Vec::new(), cpu: Vec::new(), scenes: [(0, 0.0); 2] };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::Edit;

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
    fn the_consent_legend_heading_follows_the_matter_the_votes_and_the_language() {
        let mut app = PlannerApp::new();
        app.apply(Action::SetTheme(ThemeMode::Consent));
        let fresh =
            |app: &PlannerApp| app.lang.strings().legend_heading(app.doc.plan(), app.theme_mode, app.focused_matter());
        assert_eq!(app.legend_heading(), fresh(&app));
        assert!(app.legend_heading()[0].contains("先尝后买"), "{:?}", app.legend_heading());
        app.apply(Action::FocusMatter(Some("m-elevator-107-2".into())));
        assert_eq!(app.legend_heading(), fresh(&app));
        assert!(app.legend_heading()[0].contains("107"));
        // A vote that makes 107-2 pass: the heading says so without anything else changing.
        let before = app.legend_heading();
        let c = &app.doc.plan().consent;
        let missing: Vec<String> = c
            .of_building("b107")
            .into_iter()
            .filter(|h| h.unit == "2" && c.vote("m-elevator-107-2", &h.id).is_none())
            .map(|h| h.id.clone())
            .collect();
        let vote = crate::model::consent::Vote { vote: crate::model::consent::Choice::Agree, date: None, method: None };
        let votes = missing.into_iter().map(|h| (h, Some(vote.clone()))).collect();
        app.apply(Action::Edit(crate::edit::Edit::SetVotes { matter: "m-elevator-107-2".into(), votes }));
        assert_ne!(app.legend_heading(), before);
        assert_eq!(app.legend_heading(), fresh(&app));
        app.apply(Action::SetLang(crate::model::Lang::En));
        assert_eq!(app.legend_heading(), fresh(&app));
    }

    #[test]
    fn edits_undos_and_redos_recount_and_recolour_only_what_they_touched_as_a_fresh_count_would() {
        let mut app = PlannerApp::new();
        app.apply(Action::SetTheme(ThemeMode::Status));
        let colors = |app: &PlannerApp| app.opts.theme.clone().expect("status colours");
        // Where the table is (not a share of it, which would make an update copy it).
        let kept = Arc::as_ptr(&colors(&app));
        let plan = app.doc.plan();
        let building = plan.iter().find(|(_, f)| f.kind == crate::model::Kind::Building).map(|(id, _)| id);
        let building = building.expect("a building");
        let (item_id, item) = plan.items.iter().next().map(|(id, i)| (id.clone(), i.clone())).expect("an item");
        let mut done = item.clone();
        done.set_status(crate::model::Status::Completed, "2024-05-01");
        let edits = [
            Action::Edit(Edit::SetProperty { feature: building, key: "note".into(), value: Some("x".into()) }),
            Action::Edit(Edit::PutItem {
                id: item_id.clone(),
                item: Some(Box::new(done)),
                label: crate::edit::EditLabel::SetStatus,
            }),
            Action::Select(Some(building)),
            Action::AddItem { catalogue: "elevator_retrofit".into() },
            Action::SetKind { features: vec![building], kind: crate::model::Kind::Garden },
            Action::Edit(Edit::PutItem { id: item_id, item: None, label: crate::edit::EditLabel::RemoveItem }),
            Action::Edit(Edit::RemoveFeature { id: building, label: crate::edit::EditLabel::DeleteFeature }),
            Action::Undo,
            Action::Undo,
            Action::Redo,
            Action::Undo,
            Action::Undo,
        ];
        for a in edits {
            let what = format!("{a:?}");
            app.apply(a);
            let plan = app.doc.plan();
            assert_eq!(app.tally, crate::render::tally::Tally::build(plan), "{what}");
            assert_eq!(app.tally.features(), plan.len(), "{what}");
            let fresh = crate::render::theme::feature_colors(plan, ThemeMode::Status, None, &app.opts.phase);
            assert_eq!(Some(colors(&app)), fresh, "{what}");
            // The same table, changed in place for the touched features, not worked out whole again.
            assert_eq!(Arc::as_ptr(&colors(&app)), kept, "{what}");
        }
        assert_ne!(app.doc.revision(), 0);
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
