//! The "point table columns" window: a CSV or Excel table whose header names
//! no coordinate columns the app recognises (经度/纬度, lon/lat, x/y …) is not
//! an error to the planner but a question: which column is x (longitude or
//! easting) and which is y (latitude or northing)? The reader's
//! [`crate::io::LoadError::NoCoordinateColumns`] carries the header; "Open"
//! returns `Action::OpenTable`, and the table is read again in the background
//! with those columns by position (`--columns X,Y` on the command line names or numbers them).

use std::path::PathBuf;

use eframe::egui::{self, RichText};

use super::action::Action;
use super::view::View;

/// A table waiting for the planner's choice.
pub struct Pending {
    pub path: PathBuf,
    /// Added to the open plan (File → Import layer…) rather than opened in its place.
    pub import: bool,
    /// The header's column names, in order.
    pub columns: Vec<String>,
    /// The columns chosen for x and y (indices into `columns`).
    pub x: usize,
    pub y: usize,
}

/// The window's state: the table it asks about, while open.
#[derive(Default)]
pub struct TableColumnsState {
    pub pending: Option<Pending>,
}

impl TableColumnsState {
    /// Opens the window for a table with these header columns, the first two preselected.
    pub fn ask(&mut self, path: PathBuf, import: bool, columns: Vec<String>) {
        let y = usize::from(columns.len() > 1);
        self.pending = Some(Pending { path, import, columns, x: 0, y });
    }
}

/// Draws the window while a table waits; "Open" gives `Action::OpenTable`.
pub fn window(ctx: &egui::Context, state: &mut TableColumnsState, v: &View) -> Vec<Action> {
    let mut out = Vec::new();
    let Some(p) = state.pending.as_mut() else { return out };
    let w = v.strings();
    let mut open = true;
    let (mut go, mut cancel) = (false, false);
    let name = p.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    egui::Window::new(w.table_columns_title)
        .id(egui::Id::unique("table-columns-window"))
        .open(&mut open)
        .collapsible(false)
        .default_pos([420.0, 160.0])
        .show(ctx, |ui| {
            ui.label(RichText::new(&name).strong());
            ui.label(w.table_columns_hint);
            ui.separator();
            // A blank header shows its number, so `名称,,` offers "#2" and "#3", not two empty choices.
            let shown = |i: usize| match p.columns.get(i).map(|c| c.trim()) {
                None => "—".to_string(),
                Some("") => format!("#{}", i + 1),
                Some(c) => c.to_string(),
            };
            for (label, choice, salt) in
                [(w.table_x_column, &mut p.x, "table-x"), (w.table_y_column, &mut p.y, "table-y")]
            {
                ui.horizontal(|ui| {
                    ui.label(label);
                    egui::ComboBox::from_id_salt(salt).width(200.0).selected_text(shown(*choice)).show_ui(ui, |ui| {
                        for i in 0..p.columns.len() {
                            ui.selectable_value(choice, i, shown(i));
                        }
                    });
                });
            }
            if p.x == p.y {
                ui.colored_label(super::theme::ERROR, w.table_same_column);
            }
            ui.label(RichText::new(w.table_columns_crs).small());
            ui.separator();
            ui.horizontal(|ui| {
                go = ui.add_enabled(p.x != p.y, egui::Button::new(w.cad_open)).clicked();
                cancel = ui.button(w.cad_cancel).clicked();
            });
        });
    if go && let Some(p) = state.pending.take() {
        // By position: a header may repeat a name or leave columns blank (`名称,,`).
        out.push(Action::OpenTable { path: p.path, import: p.import, columns: (p.x, p.y) });
    } else if cancel || !open {
        state.pending = None;
    }
    out
}
