//! What the user asked for, returned by panels and applied by the app in one place.

use std::path::PathBuf;

use crate::edit::Edit;
use crate::i18n::Lang;
use crate::model::{FeatureId, Kind};
use crate::render::theme::ThemeMode;

use super::app::Compare;
use super::draw::Tool;
use crate::model::Phase;

/// An intent from the interface.
#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub enum Action {
    OpenDialog,
    OpenPathPrompt,
    Open(PathBuf),
    /// File → Import layer…: choose a file whose features are added to the open plan.
    ImportLayerDialog,
    /// Read a file in the background and add its features to the open plan (one undo step).
    ImportLayer(PathBuf),
    /// Read a table of points with these x and y columns (0-based positions: two may share a name, or have
    /// none), chosen in the "point table columns" window.
    /// With `import`, its features are added to the open plan (File → Import layer…).
    OpenTable {
        path: PathBuf,
        import: bool,
        columns: (usize, usize),
    },
    /// Open a CAD drawing with the kinds chosen for its layers in the "CAD layers" window (`None`: left out).
    /// With `import`, its features are added to the open plan (File → Import layer…).
    OpenCad {
        path: PathBuf,
        import: bool,
        layers: crate::io::LayerKinds,
    },
    OpenJinsong,
    Quit,
    Undo,
    Redo,
    FitDistrict,
    /// Select one feature (or clear with `None`).
    Select(Option<FeatureId>),
    /// Select a feature and fly the map to it.
    SelectAndFly(FeatureId),
    /// Correct the kind of features.
    SetKind {
        features: Vec<FeatureId>,
        kind: Kind,
    },
    SetLayerVisible(Kind, bool),
    SetLang(Lang),
    /// The coordinate system files are opened in when they do not say (`None`: detect).
    SetImportCrs(Option<crate::io::crs::Crs>),
    /// Open or close one of the small windows (warnings, shortcuts, about…).
    ShowWindow(super::view::Window, bool),
    SetLabels(bool),
    /// Add a feature to the selection, or take it out.
    ToggleSelect(FeatureId),
    /// Replace the selection.
    SelectMany(Vec<FeatureId>),
    /// Select features and fly the map to them.
    SelectAndFlyMany(Vec<FeatureId>),
    OpenPicker,
    /// Add an item of a catalogue entry to the selected features.
    AddItem {
        catalogue: String,
    },
    /// Open the edit form of an item.
    EditItem(String),
    /// Apply a plan edit (one undo step).
    Edit(Edit),
    SetTheme(ThemeMode),
    /// Put a residents' matter in focus (the consent panel, vote grid and consent map follow).
    FocusMatter(Option<String>),
    ShowTable(bool),
    ShowDashboard(bool),
    Save,
    SaveAs,
    SaveTo(PathBuf),
    /// Open File → Open from database… or Save to database… (`None` closes it).
    ShowDatabase(Option<super::database::DbMode>),
    /// List the plans in the database at this location (on a background thread), for the database window.
    ListPlans(String),
    /// Open the plan at a database location (the password typed in the database window, if any, goes with it).
    OpenDatabase(String),
    /// Publish the open plan to a database location; `replace`: over a plan of the same name.
    PublishTo {
        uri: String,
        replace: bool,
    },
    /// What the planner chose when someone else had published the plan meanwhile.
    Conflict(super::database::ConflictChoice),
    SetTool(Tool),
    /// Finish the shape being drawn (Enter, double-click).
    FinishSketch,
    /// Drop the shape being drawn (Esc).
    CancelSketch,
    /// Remove the last point drawn (Backspace).
    UndoSketchPoint,
    /// Delete the selected features (one undo step).
    DeleteSelected,
    /// Show a message in the status bar (worded in the language shown).
    Status(super::message::Message),
    /// Turn the edit toggle on or off (E).
    SetEditing(bool),
    SetPhase(Phase),
    /// Flip between before and after (T).
    TogglePhase,
    SetCompare(Compare),
    ShowChanges(bool),
    Play(bool),
    /// Open the work a crash left behind.
    Recover,
    DiscardRecovery,
    CloseWithoutSaving,
    SaveAndClose,
    CancelClose,
    /// Import a photo file and attach it to an item.
    AttachPhoto {
        item: String,
        side: crate::model::Side,
        path: PathBuf,
    },
    /// Choose photo files for an item.
    PhotoDialog {
        item: String,
        side: crate::model::Side,
    },
    /// Show an item's before and after photos full size (`None` closes).
    ViewPhotos(Option<String>),
    ShowStories(bool),
    ShowExport(bool),
    /// Ask where to write the export chosen in the dialog.
    ExportDialog,
    ExportTo(PathBuf),
    /// Write the current story's handout PDF (file dialog, or the path prompt).
    ExportHandout,
    ExportHandoutTo(PathBuf),
    /// Choose where a matter's public notice (公示) PDF goes.
    ExportNotice(String),
    /// Write a matter's public notice PDF.
    ExportNoticeTo {
        matter: String,
        path: PathBuf,
    },
    /// Show a slide's view (story index, slide index).
    GoToSlide(usize, usize),
    /// Present from a slide (full screen), or leave presentation (`None`).
    Present(Option<(usize, usize)>),
    /// Open the georeferencing window for the plan's basemap at this index (`ui::georef`).
    Georeference(usize),
    /// A point clicked on the map while the georeferencing window waits for one.
    GeorefMapClick([f64; 2]),
    /// Open or close the "Add basemap" window.
    ShowBasemapAdd(bool),
    /// Choose a basemap file (chooser or path prompt), to be placed as given.
    BasemapDialog {
        epsg: Option<u32>,
        shift: crate::model::basemaps::Shift,
    },
    /// Add a basemap file on top of the plan's (one undo step).
    AddBasemapFile {
        path: PathBuf,
        epsg: Option<u32>,
        shift: crate::model::basemaps::Shift,
    },
    /// Keep a service key (天地图) in the user's settings, never in the plan.
    SetServiceKey {
        service: String,
        key: String,
    },
    /// Editing a database plan together: a conflict's answer, the live bar's buttons (`ui::live`).
    Live(super::live::LiveAction),
}
