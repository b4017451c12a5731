//! The "CAD layers" window: before a DXF drawing opens, the planner says what
//! each of its layers is (楼栋, 街巷 … or "leave out"), with each layer's
//! entity count beside it. The choice starts from what was chosen for the
//! same file last time, else from the layer names ([`crate::io::dxf::guess_kind`]),
//! and is remembered per file (by its canonical path) in `cad_layers.json`
//! in the app's data folder, read and written on the reader's thread (never the
//! window's). "Open" returns `Action::OpenCad`; the drawing is then read in
//! the background like any file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use eframe::egui::{self, RichText};

use super::action::Action;
use super::view::View;
use crate::error::{EncodeError, SaveError, Step};
use crate::io::LayerKinds;
use crate::io::dxf::CadLayer;
use crate::model::Kind;

/// A drawing waiting for the planner's choice.
pub struct Pending {
    pub path: PathBuf,
    /// Added to the open plan (File → Import layer…) rather than opened in its place.
    pub import: bool,
    pub layers: Vec<CadLayer>,
    /// The kind chosen for each of `layers`, in order.
    pub choice: Vec<Option<Kind>>,
}

/// The window's state: the drawing it asks about, while open.
#[derive(Default)]
pub struct CadLayersState {
    pub pending: Option<Pending>,
}

impl CadLayersState {
    /// Opens the window for the drawing's `layers` (scanned by the reader's
    /// thread), each layer preselected as `remembered`, else as its name suggests.
    pub fn ask(&mut self, path: PathBuf, import: bool, layers: Vec<CadLayer>, remembered: &LayerKinds) {
        let choice = layers.iter().map(|l| remembered.get(&l.name).copied().unwrap_or(l.guess)).collect();
        self.pending = Some(Pending { path, import, layers, choice });
    }
}

/// Draws the window while a drawing waits; "Open" gives `Action::OpenCad`.
pub fn window(ctx: &egui::Context, state: &mut CadLayersState, v: &View) -> Vec<Action> {
    let mut out = Vec::new();
    let Some(p) = state.pending.as_mut() else { return out };
    let w = v.strings();
    let mut open = true;
    let (mut go, mut cancel) = (false, false);
    let name = p.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    egui::Window::new(w.cad_layers_title)
        .id(egui::Id::unique("cad-layers-window"))
        .open(&mut open)
        .collapsible(false)
        .default_pos([420.0, 120.0])
        .show(ctx, |ui| {
            ui.label(RichText::new(&name).strong());
            ui.label(w.cad_layers_hint);
            ui.separator();
            egui::ScrollArea::vertical().max_height(360.0).show(ui, |ui| {
                egui::Grid::new("cad-layers").striped(true).num_columns(3).show(ui, |ui| {
                    for h in [w.cad_layer, w.cad_entities, w.kind] {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.end_row();
                    for (i, (layer, choice)) in p.layers.iter().zip(p.choice.iter_mut()).enumerate() {
                        ui.label(&layer.name);
                        ui.label(layer.entities.to_string());
                        let shown = |k: Option<Kind>| k.map_or(w.cad_leave_out, |k| w.kind(k));
                        egui::ComboBox::from_id_salt(("cad-layer-kind", i)).selected_text(shown(*choice)).show_ui(
                            ui,
                            |ui| {
                                for k in Kind::ALL.into_iter().map(Some).chain([None]) {
                                    ui.selectable_value(choice, k, shown(k));
                                }
                            },
                        );
                        ui.end_row();
                    }
                });
            });
            ui.separator();
            ui.horizontal(|ui| {
                go = ui.button(w.cad_open).clicked();
                cancel = ui.button(w.cad_cancel).clicked();
            });
        });
    if go && let Some(p) = state.pending.take() {
        let layers = p.layers.into_iter().map(|l| l.name).zip(p.choice).collect();
        out.push(Action::OpenCad { path: p.path, import: p.import, layers });
    } else if cancel || !open {
        state.pending = None;
    }
    out
}

fn store(dir: &Path) -> PathBuf {
    dir.join("cad_layers.json")
}

/// The key a drawing is remembered by: its canonical path, else the path as given.
fn key(path: &Path) -> String {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()).to_string_lossy().into_owned()
}

/// Every remembered choice: drawing → layer → kind name, or `null` for "leave out".
type Store = BTreeMap<String, BTreeMap<String, Option<String>>>;

fn read_store(dir: &Path) -> Store {
    std::fs::read(store(dir)).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
}

/// The layers' kinds chosen for the drawing at `path` last time (empty: never opened).
pub fn remembered(dir: &Path, path: &Path) -> LayerKinds {
    let mut all = read_store(dir);
    all.remove(&key(path))
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(layer, kind)| match kind {
            None => Some((layer, None)),
            Some(k) => Kind::parse(&k).map(|k| (layer, Some(k))),
        })
        .collect()
}

/// Remembers the layers' kinds chosen for the drawing at `path`. Atomic.
pub fn remember(dir: &Path, path: &Path, layers: &LayerKinds) -> Result<(), SaveError> {
    let mut all = read_store(dir);
    let entry = layers.iter().map(|(l, k)| (l.clone(), k.map(|k| k.as_str().to_string()))).collect();
    all.insert(key(path), entry);
    std::fs::create_dir_all(dir).map_err(|e| SaveError::io(Step::CreateFolder, dir, e))?;
    let bytes = serde_json::to_vec_pretty(&all).map_err(|e| EncodeError::new("cad_layers.json", e))?;
    crate::io::write::save_atomic(&store(dir), &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drawings_choice_is_remembered_by_its_canonical_path() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let drawing = dir.path().join("site.dxf");
        std::fs::write(&drawing, b"0\nEOF\n").expect("written");
        assert!(remembered(dir.path(), &drawing).is_empty());
        let choice = BTreeMap::from([("道路".to_string(), None), ("建筑".to_string(), Some(Kind::Core))]);
        remember(dir.path(), &drawing, &choice).expect("remembered");
        let again = dir.path().join(".").join("site.dxf");
        assert_eq!(remembered(dir.path(), &again), choice);
        assert!(remembered(dir.path(), &dir.path().join("other.dxf")).is_empty());
    }
}
