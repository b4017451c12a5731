//! Choosing a file to open or write: the one way in for opening a plan, Save
//! As, exports (maps, the item schedule, GIS data, the atlas), the story
//! handout and photos.
//!
//! The system's file chooser is used where the desktop has one. Where it has
//! none (no XDG portal: Xvfb, CI, a bare window manager) rfd answers
//! "cancelled" at once; the app then asks for a path in a prompt labelled for
//! what it opens or writes, with a sensible path filled in. The path is
//! checked before the prompt closes (a missing file or folder, a wrong file
//! type is said in the prompt), and a failure of the write or read itself is
//! shown in the status bar and an error window: nothing fails silently.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eframe::egui::{self, Key, RichText};

use super::action::Action;
use super::app::PlannerApp;
use super::export::ExportKind;
use crate::document::Source;
use crate::i18n::Strings;

/// What a file is being chosen for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileTask {
    /// Open a plan (GeoPackage or GeoJSON) or a file of the GIS formats the app reads.
    OpenPlan,
    /// A file whose features are added to the open plan (File → Import layer…).
    ImportLayer,
    /// Save the plan as (GeoPackage or plan GeoJSON).
    SavePlan,
    /// A photo to attach to an item, on one side.
    Photo { item: String, side: crate::model::Side },
    /// The current story's handout PDF (File menu).
    Handout,
    /// A residents' matter's public notice (公示) PDF (the consent window).
    Notice { matter: String },
    /// What the export dialog has chosen.
    Export(ExportKind),
    /// A basemap file (tiles or an image), placed as the add window says.
    Basemap { epsg: Option<u32>, shift: crate::model::basemaps::Shift },
}

impl FileTask {
    /// True when the task writes the file (else it reads one).
    pub fn writes(&self) -> bool {
        !matches!(self, FileTask::OpenPlan | FileTask::ImportLayer | FileTask::Photo { .. } | FileTask::Basemap { .. })
    }

    /// True when any file may be chosen besides those the filter lists (the
    /// chooser offers "*" too, and the prompt takes any ending): the reader
    /// tells a file's format by its first bytes as well as its name.
    pub fn any_file(&self) -> bool {
        matches!(self, FileTask::OpenPlan | FileTask::ImportLayer)
    }

    /// The chooser's filter: a name and the file name endings it allows.
    /// An empty list means any file.
    pub fn filter(&self) -> (&'static str, &'static [&'static str]) {
        match self {
            FileTask::OpenPlan | FileTask::ImportLayer => {
                ("GeoPackage / GeoJSON / Shapefile / DXF / KML / CSV / Excel", crate::io::foreign::OPEN_EXTENSIONS)
            }
            FileTask::SavePlan => ("GeoPackage / GeoJSON", &["gpkg", "geojson"]),
            FileTask::Photo { .. } => ("JPEG / PNG", &["jpg", "jpeg", "png"]),
            FileTask::Handout | FileTask::Notice { .. } => ("PDF", &["pdf"]),
            FileTask::Basemap { .. } => (
                "MBTiles / PMTiles / GeoTIFF / PNG / JPEG",
                &["mbtiles", "pmtiles", "tif", "tiff", "png", "jpg", "jpeg"],
            ),
            FileTask::Export(k) => {
                let (name, exts, _) = super::export::extensions(*k);
                (name, exts)
            }
        }
    }

    /// The prompt's label: what is asked for.
    pub fn label(&self, s: &Strings) -> &'static str {
        match self {
            FileTask::OpenPlan => s.path_prompt,
            FileTask::ImportLayer => s.import_prompt,
            FileTask::SavePlan => s.save_prompt,
            FileTask::Photo { .. } => s.photo_prompt,
            FileTask::Handout | FileTask::Export(ExportKind::Handout) => s.handout_prompt,
            FileTask::Export(ExportKind::Map) => s.prompt_map,
            FileTask::Export(ExportKind::Schedule) => s.prompt_schedule,
            FileTask::Export(ExportKind::CashFlow) => s.prompt_cashflow,
            FileTask::Export(ExportKind::Gis) => s.prompt_gis,
            FileTask::Export(ExportKind::Shapefile) => s.prompt_shapefile,
            FileTask::Export(ExportKind::Atlas) => s.prompt_atlas,
            FileTask::Export(ExportKind::Dxf) => s.prompt_dxf,
            FileTask::Export(ExportKind::Register) => s.consent_words().prompt_register,
            FileTask::Notice { .. } => s.consent_words().prompt_notice,
            FileTask::Basemap { .. } => s.basemap_prompt,
        }
    }

    /// The prompt window's title.
    pub fn title(&self, s: &Strings) -> &'static str {
        match self {
            FileTask::OpenPlan => s.open,
            FileTask::ImportLayer => s.import_layer,
            FileTask::SavePlan => s.save_as,
            FileTask::Photo { .. } => s.add_photo,
            FileTask::Handout => s.export_handout,
            FileTask::Export(_) | FileTask::Notice { .. } => s.export,
            FileTask::Basemap { .. } => s.add_basemap_title,
        }
    }

    /// The file name offered for a new file.
    fn default_name(&self, source: &Source) -> Option<String> {
        match self {
            FileTask::OpenPlan | FileTask::ImportLayer | FileTask::Photo { .. } | FileTask::Basemap { .. } => None,
            FileTask::SavePlan => Some(match source {
                Source::File(p) => p
                    .file_stem()
                    .map(|s| format!("{}.gpkg", s.to_string_lossy().trim_end_matches(".geojson")))
                    .unwrap_or_else(|| "plan.gpkg".into()),
                Source::Jinsong => "jinsong.gpkg".into(),
                Source::Database(d) => format!("{}.gpkg", d.plan),
            }),
            FileTask::Handout => Some("handout.pdf".into()),
            FileTask::Notice { matter } => Some(format!("notice-{matter}.pdf")),
            FileTask::Export(k) => Some(super::export::extensions(*k).2.into()),
        }
    }

    /// What to do with the chosen file.
    pub fn action(&self, path: PathBuf) -> Action {
        match self {
            FileTask::OpenPlan => Action::Open(path),
            FileTask::ImportLayer => Action::ImportLayer(path),
            FileTask::SavePlan => Action::SaveTo(path),
            FileTask::Photo { item, side } => Action::AttachPhoto { item: item.clone(), side: *side, path },
            FileTask::Handout => Action::ExportHandoutTo(path),
            FileTask::Notice { matter } => Action::ExportNoticeTo { matter: matter.clone(), path },
            FileTask::Export(_) => Action::ExportTo(path),
            FileTask::Basemap { epsg, shift } => Action::AddBasemapFile { path, epsg: *epsg, shift: *shift },
        }
    }
}

/// The files of a Shapefile besides its `.shp` (attributes, index, projection, code page…).
const SHAPEFILE_SIDECARS: [&str; 9] = ["dbf", "shx", "prj", "cpg", "qix", "sbn", "sbx", "qmd", "xml"];

/// Files dropped together, as the files to open: a Shapefile's sidecars
/// (`.dbf`, `.shx`, `.prj`, `.cpg`…) dropped with its `.shp`, or lying beside
/// it, stand for that one `.shp`, so it is opened once, not once a part.
/// Order is kept; each file once.
pub fn dropped_to_open(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    for path in paths {
        let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        let path = if SHAPEFILE_SIDECARS.contains(&ext.as_str()) {
            // `a.shp.xml` is the metadata of `a.shp`; `a.dbf` belongs to `a.shp` (or `a.SHP`).
            let stem = if ext == "xml" { path.with_extension("") } else { path.clone() };
            // Without its `.shp` beside it, a file is opened as it is (the reader says what it lacks).
            ["shp", "SHP"].iter().map(|e| stem.with_extension(e)).find(|s| s.is_file()).unwrap_or(path)
        } else {
            path
        };
        if !out.contains(&path) {
            out.push(path);
        }
    }
    out
}

/// Whether the system's file chooser is used.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FileDialogs {
    /// The desktop's chooser (rfd); if it turns out to be missing, the prompt from then on.
    System,
    /// Always the path prompt: no desktop chooser (and in tests, which must never open one).
    #[default]
    Unavailable,
}

/// The "type a path" prompt.
#[derive(Clone, Debug, PartialEq)]
pub struct PathPrompt {
    pub task: FileTask,
    pub text: String,
    /// Why the last path was not taken.
    pub error: Option<PathError>,
    /// Give the text field the keyboard (the first frame).
    focus: bool,
}

/// Why a typed path cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathError {
    Empty,
    NotFound,
    NoFolder,
    IsFolder,
    /// The file name must end in one of these.
    FileType(&'static [&'static str]),
}

impl PathError {
    pub fn text(&self, s: &Strings) -> String {
        match self {
            PathError::Empty => s.prompt_empty.into(),
            PathError::NotFound => s.prompt_not_found.into(),
            PathError::NoFolder => s.prompt_no_folder.into(),
            PathError::IsFolder => s.prompt_is_folder.into(),
            PathError::FileType(exts) => {
                let list: Vec<String> = exts.iter().map(|e| format!(".{e}")).collect();
                format!("{} {}", s.prompt_file_type, list.join(" / "))
            }
        }
    }
}

/// The path a planner typed, made usable: `~` is the home folder, a file to
/// write without an ending gets the task's first one. Checked against the
/// disk: a file to read must exist, a file to write needs its folder.
pub fn check(task: &FileTask, text: &str) -> Result<PathBuf, PathError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(PathError::Empty);
    }
    let mut path = match (text.strip_prefix("~/"), home()) {
        (Some(rest), Some(h)) => h.join(rest),
        _ if text == "~" => home().unwrap_or_default(),
        _ => PathBuf::from(text),
    };
    let (_, exts) = task.filter();
    let ending = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase());
    if !task.writes() {
        if path.is_dir() {
            return Err(PathError::IsFolder);
        }
        if !path.is_file() {
            return Err(PathError::NotFound);
        }
        if !exts.is_empty() && !task.any_file() && !ending.is_some_and(|e| exts.contains(&e.as_str())) {
            return Err(PathError::FileType(exts));
        }
        return Ok(path);
    }
    if path.is_dir() || text.ends_with('/') || text.ends_with(std::path::MAIN_SEPARATOR) {
        return Err(PathError::IsFolder);
    }
    match ending {
        None => {
            if let Some(first) = exts.first() {
                path.set_extension(first);
            }
        }
        Some(e) if !exts.is_empty() && !exts.contains(&e.as_str()) => return Err(PathError::FileType(exts)),
        Some(_) => {}
    }
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => Err(PathError::NoFolder),
        _ => Ok(path),
    }
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME").filter(|h| !h.is_empty()).map(PathBuf::from)
}

/// The folder a chooser or prompt starts in: the last one used, else the open
/// plan's, else the home folder, else the working folder.
fn start_folder(app: &PlannerApp) -> PathBuf {
    let plan_dir = match &app.doc.source() {
        Source::File(p) => p.parent().filter(|d| !d.as_os_str().is_empty()).map(Path::to_path_buf),
        Source::Jinsong | Source::Database(_) => None,
    };
    app.last_dir
        .clone()
        .or(plan_dir)
        .or_else(home)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The path the prompt starts with: the folder, and for a new file its name.
pub fn default_path(app: &PlannerApp, task: &FileTask) -> String {
    let dir = start_folder(app);
    match task.default_name(app.doc.source()) {
        Some(name) => dir.join(name).display().to_string(),
        None => format!("{}{}", dir.display().to_string().trim_end_matches(std::path::MAIN_SEPARATOR), '/'),
    }
}

/// Opens the prompt for a task, with its default path.
pub fn prompt(app: &mut PlannerApp, task: FileTask) {
    let text = default_path(app, &task);
    app.path_prompt = Some(PathPrompt { task, text, error: None, focus: true });
}

/// A chooser that answers within this long was not shown: no one cancels a dialog that fast.
const NO_CHOOSER: Duration = Duration::from_millis(400);

/// Asks for a file for `task`: the system's chooser, else the prompt. Returns
/// what to do with the files chosen in the chooser (the prompt answers later).
pub fn choose(app: &mut PlannerApp, task: FileTask) -> Vec<Action> {
    if app.file_dialogs == FileDialogs::Unavailable {
        prompt(app, task);
        return Vec::new();
    }
    let (name, exts) = task.filter();
    let name = if task.any_file() { app.lang.strings().filter_plans_gis } else { name };
    let mut dialog = rfd::FileDialog::new().set_directory(start_folder(app));
    if !exts.is_empty() {
        dialog = dialog.add_filter(name, exts);
    }
    let asked = Instant::now();
    let picked: Option<Vec<PathBuf>> = match &task {
        FileTask::OpenPlan | FileTask::ImportLayer => dialog.add_filter("*", &["*"]).pick_file().map(|p| vec![p]),
        FileTask::Basemap { .. } => dialog.pick_file().map(|p| vec![p]),
        FileTask::Photo { .. } => dialog.pick_files(),
        _ => {
            if let Some(n) = task.default_name(app.doc.source()) {
                dialog = dialog.set_file_name(n);
            }
            dialog.save_file().map(|p| vec![p])
        }
    };
    match picked {
        Some(paths) => {
            if let Some(dir) = paths.first().and_then(|p| p.parent()) {
                app.last_dir = Some(dir.to_path_buf());
            }
            paths.into_iter().map(|p| task.action(p)).collect()
        }
        None if asked.elapsed() < NO_CHOOSER => {
            // No chooser on this desktop: ask in the window from now on.
            app.file_dialogs = FileDialogs::Unavailable;
            prompt(app, task);
            Vec::new()
        }
        // The planner cancelled the chooser.
        None => Vec::new(),
    }
}

/// The path prompt (Enter takes the path, Esc cancels) and the error window.
pub fn windows(ctx: &egui::Context, app: &mut PlannerApp) -> Vec<Action> {
    let mut out = Vec::new();
    let s = app.lang.strings();
    if let Some(mut p) = app.path_prompt.take() {
        let mut keep = true;
        let modal = egui::Modal::new(egui::Id::unique("path_prompt")).show(ctx, |ui| {
            ui.set_width(520.0);
            ui.heading(p.task.title(s));
            let label = ui.label(p.task.label(s));
            let r = ui.add(egui::TextEdit::singleline(&mut p.text).desired_width(f32::INFINITY)).labelled_by(label.id);
            if p.focus {
                r.request_focus();
                p.focus = false;
            }
            if r.changed() {
                p.error = None;
            }
            let enter = r.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
            if let Some(e) = &p.error {
                ui.colored_label(ui.visuals().error_fg_color, RichText::new(e.text(s)));
            }
            let (name, exts) = p.task.filter();
            if !exts.is_empty() {
                ui.label(RichText::new(name).small().weak());
            }
            ui.horizontal(|ui| {
                let ok = ui.button(s.ok).clicked();
                if ui.button(s.cancel).clicked() {
                    keep = false;
                }
                if ok || enter {
                    match check(&p.task, &p.text) {
                        Ok(path) => {
                            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                                app.last_dir = Some(dir.to_path_buf());
                            }
                            out.push(p.task.action(path));
                            keep = false;
                        }
                        Err(e) => {
                            p.error = Some(e);
                            p.focus = true;
                        }
                    }
                }
            });
        });
        if modal.should_close() {
            keep = false;
        }
        if keep {
            app.path_prompt = Some(p);
        }
    }
    if let Some(m) = app.alert.clone() {
        let mut open = true;
        let mut ok = false;
        egui::Window::new(s.error_title)
            .id(egui::Id::unique("error_window"))
            .collapsible(false)
            .resizable(false)
            .open(&mut open)
            .anchor(egui::Align2::CENTER_TOP, [0.0, 80.0])
            .show(ctx, |ui| {
                ui.set_max_width(520.0);
                ui.colored_label(ui.visuals().error_fg_color, m.text(s));
                ok = ui.button(s.ok).clicked();
            });
        if !open || ok {
            app.alert = None;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_to_write_gets_its_ending_and_needs_its_folder() {
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path().display();
        let t = FileTask::Export(ExportKind::Atlas);
        assert_eq!(check(&t, &format!("{d}/atlas")), Ok(dir.path().join("atlas.pdf")));
        assert_eq!(check(&t, &format!(" {d}/a.PDF ")), Ok(dir.path().join("a.PDF")));
        assert_eq!(check(&t, &format!("{d}/missing/a.pdf")), Err(PathError::NoFolder));
        assert_eq!(check(&t, &format!("{d}/a.docx")), Err(PathError::FileType(&["pdf"])));
        assert_eq!(check(&t, &format!("{d}")), Err(PathError::IsFolder));
        assert_eq!(check(&t, "  "), Err(PathError::Empty));
        assert_eq!(check(&FileTask::SavePlan, &format!("{d}/plan")), Ok(dir.path().join("plan.gpkg")));
    }

    #[test]
    fn a_file_to_read_must_be_there() {
        let dir = tempfile::tempdir().expect("temp dir");
        let f = dir.path().join("a.geojson");
        std::fs::write(&f, "{}").expect("write");
        assert_eq!(check(&FileTask::OpenPlan, &f.display().to_string()), Ok(f.clone()));
        assert_eq!(check(&FileTask::OpenPlan, &dir.path().display().to_string()), Err(PathError::IsFolder));
        let photo = FileTask::Photo { item: "x".into(), side: crate::model::Side::Before };
        assert_eq!(check(&photo, &f.display().to_string()), Err(PathError::FileType(&["jpg", "jpeg", "png"])));
        assert_eq!(check(&photo, &dir.path().join("no.jpg").display().to_string()), Err(PathError::NotFound));
    }

    #[test]
    fn a_shapefile_dropped_with_its_sidecars_is_opened_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        for f in ["楼栋.shp", "楼栋.dbf", "楼栋.shx", "楼栋.prj", "楼栋.cpg", "楼栋.shp.xml", "b.geojson"] {
            std::fs::write(d.join(f), b"x").expect("write");
        }
        let dropped = ["楼栋.dbf", "楼栋.shp", "楼栋.prj", "楼栋.shx", "楼栋.cpg", "楼栋.shp.xml", "b.geojson"]
            .iter()
            .map(|f| d.join(f))
            .collect();
        assert_eq!(dropped_to_open(dropped), vec![d.join("楼栋.shp"), d.join("b.geojson")]);
        // Sidecars alone, their .shp beside them: the .shp; a .dbf with no .shp is opened as it is.
        assert_eq!(dropped_to_open(vec![d.join("楼栋.prj"), d.join("楼栋.cpg")]), vec![d.join("楼栋.shp")]);
        assert_eq!(dropped_to_open(vec![d.join("other.dbf")]), vec![d.join("other.dbf")]);
        assert_eq!(
            dropped_to_open(vec![d.join("a.dwg")]),
            vec![d.join("a.dwg")],
            "DWG goes to the reader, which says why not"
        );
    }

    #[test]
    fn opening_and_importing_offer_every_format_read_and_take_any_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let f = dir.path().join("plan.data");
        std::fs::write(&f, "{}").expect("write");
        for task in [FileTask::OpenPlan, FileTask::ImportLayer] {
            let (_, exts) = task.filter();
            for e in ["shp", "zip", "dxf", "kml", "kmz", "csv", "xlsx", "gpkg", "geojson"] {
                assert!(exts.contains(&e), "{task:?} offers .{e}");
            }
            assert_eq!(check(&task, &f.display().to_string()), Ok(f.clone()), "any ending is taken");
        }
        assert_eq!(FileTask::ImportLayer.action(f.clone()), Action::ImportLayer(f));
    }

    #[test]
    fn every_prompt_says_what_it_asks_for_in_both_languages() {
        use crate::i18n::Lang;
        let tasks = [
            FileTask::OpenPlan,
            FileTask::ImportLayer,
            FileTask::SavePlan,
            FileTask::Photo { item: "x".into(), side: crate::model::Side::After },
            FileTask::Handout,
            FileTask::Export(ExportKind::Map),
            FileTask::Export(ExportKind::Schedule),
            FileTask::Export(ExportKind::Gis),
            FileTask::Export(ExportKind::Shapefile),
            FileTask::Export(ExportKind::Atlas),
            FileTask::Export(ExportKind::Dxf),
            FileTask::Export(ExportKind::Register),
            FileTask::Notice { matter: "m".into() },
            FileTask::Basemap { epsg: None, shift: crate::model::basemaps::Shift::None },
        ];
        for lang in [Lang::Zh, Lang::En] {
            let labels: Vec<&str> = tasks.iter().map(|t| t.label(lang.strings())).collect();
            let mut unique = labels.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), labels.len(), "{labels:?}");
        }
        assert!(FileTask::SavePlan.label(Lang::Zh.strings()).contains(".gpkg"));
    }
}
