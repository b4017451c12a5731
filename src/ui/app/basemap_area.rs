//! The basemap area: the "Add basemap" window opening and closing, a basemap
//! file chosen and added (one undo step, through `Document::apply`), service
//! keys kept in the user's settings, and each frame's bookkeeping of the
//! basemaps the map draws (opened when the plan's list changes, faults said once).

use eframe::egui;

use super::{Changed, PlannerApp};
use crate::basemap::Settings;
use crate::edit::Edit;
use crate::ui::action::Action;
use crate::ui::files::{FileTask, choose};
use crate::ui::message::{Message, Reason};

/// Settings for a run without a session (tests): nothing read or written
/// beside the user's real ones; tiles are cached in a folder of the system's
/// temporary directory.
pub(super) fn test_settings() -> Settings {
    Settings {
        home: std::env::temp_dir().join(format!("renewal-planner-{}", std::process::id())),
        ..Settings::default()
    }
}

impl PlannerApp {
    pub(super) fn apply_basemap(&mut self, action: Action) -> Changed {
        match action {
            Action::ShowBasemapAdd(open) => {
                if open && !self.basemap_add_open {
                    self.panels.basemap_add.tianditu_key =
                        self.basemap_settings.keys.get("tianditu").cloned().unwrap_or_default();
                }
                self.basemap_add_open = open;
                Changed::Panels
            }
            Action::BasemapDialog { epsg, shift } => {
                let chosen = choose(self, FileTask::Basemap { epsg, shift });
                for a in chosen {
                    self.apply(a);
                }
                Changed::Panels
            }
            Action::AddBasemapFile { path, epsg, shift } => {
                let mut list = self.doc.plan().basemaps.clone();
                list.push(crate::ui::basemaps::from_file(path, epsg, shift));
                match self.doc.apply(Edit::SetBasemaps { basemaps: list }) {
                    Ok(t) => self.after_edit(&t),
                    Err(e) => self.say(Message::EditRefused(e.to_string())),
                }
                Changed::Map
            }
            Action::SetServiceKey { service, key } => {
                let old = self.basemap_settings.keys.get(&service).cloned().unwrap_or_default();
                if old == key {
                    return Changed::Panels;
                }
                if key.is_empty() {
                    self.basemap_settings.keys.remove(&service);
                } else {
                    self.basemap_settings.keys.insert(service, key);
                }
                // Only a real run keeps settings; a test's stay in memory.
                if self.session.is_some() {
                    match self.basemap_settings.save() {
                        Ok(()) => self.say(Message::KeySaved),
                        Err(e) => self.say(Message::KeySaveFailed(Reason::from(e))),
                    }
                }
                let plan = self.doc.plan().basemaps.clone();
                self.basemaps.reopen(&plan, &self.basemap_settings);
                Changed::Map
            }
            // `apply` routes only basemap actions here.
            _ => Changed::Panels,
        }
    }

    /// Each frame: the basemaps follow the plan's list, decoded pieces become
    /// textures, and a basemap's first fault is said.
    pub(super) fn basemaps_tick(&mut self, ctx: &egui::Context) {
        // Known before a source is opened: its thread asks for a repaint when done.
        self.basemaps.set_context(ctx);
        self.basemaps.sync(&self.doc.plan().basemaps, &self.basemap_settings);
        self.basemaps.begin_frame(ctx);
        for (name, error) in self.basemaps.take_faults() {
            self.say(Message::BasemapFailed { name, error: error.to_string() });
        }
    }

    /// Waits until the pieces the last frame asked for are decoded and made
    /// textures (tests and benchmarks; the window never waits).
    pub fn wait_for_basemaps(&mut self) {
        self.basemaps.sync(&self.doc.plan().basemaps, &self.basemap_settings);
        self.basemaps.wait();
        for (name, error) in self.basemaps.take_faults() {
            self.say(Message::BasemapFailed { name, error: error.to_string() });
        }
    }

    /// Basemap pieces drawn with their own texture in the last frame (all panes).
    pub fn basemap_pieces_drawn(&self) -> usize {
        self.basemaps.pieces_drawn()
    }

    /// Basemap pieces in view still waiting for their texture in the last frame.
    pub fn basemap_pieces_missing(&self) -> usize {
        self.basemaps.pieces_missing()
    }

    /// Missing basemap pieces drawn from a coarser tile in the last frame.
    pub fn basemap_pieces_stood_in(&self) -> usize {
        self.basemaps.pieces_stood_in()
    }

    /// The credits shown at the map's bottom-right.
    pub fn basemap_attributions(&self) -> Vec<String> {
        self.basemaps.attributions()
    }

    /// Basemap textures kept on the GPU.
    pub fn basemap_textures(&self) -> usize {
        self.basemaps.textures_len()
    }

    /// Whether the "Add basemap" window is open.
    pub fn basemap_add_open(&self) -> bool {
        self.basemap_add_open
    }
}
