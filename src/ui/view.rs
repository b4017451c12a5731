//! What a panel may read: the open document and how the window shows it.
//!
//! A panel is a function of its own state (`&mut`) and a [`View`] (read-only),
//! returning [`super::Action`]s; only [`super::PlannerApp::apply`] changes the
//! document or the shared view settings. The view is built afresh for each
//! panel from the app's fields, so it is always what the last action left.

use std::path::PathBuf;

use crate::document::Document;
use crate::i18n::{Lang, Strings};
use crate::model::Phase;
use crate::render::theme::ThemeMode;
use crate::render::{Camera, SceneOptions};

use super::app::Compare;
use super::draw::Tool;
use super::message::Message;

/// Which of the window's optional panels and windows are open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shown {
    pub table: bool,
    pub dashboard: bool,
    pub changes: bool,
    pub stories: bool,
    pub export: bool,
    pub warnings: bool,
    pub shortcuts: bool,
    pub about: bool,
    /// The residents' consent panel (matters, results, register, vote grid).
    pub consent: bool,
    /// The operations ledger window (运营收益).
    pub operations: bool,
}

/// One of the windows [`Shown`] opens and closes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    Table,
    Dashboard,
    Changes,
    Stories,
    Export,
    Warnings,
    Shortcuts,
    About,
    Consent,
    Operations,
}

impl Shown {
    /// Opens or closes one window.
    pub fn set(&mut self, w: Window, open: bool) {
        *match w {
            Window::Table => &mut self.table,
            Window::Dashboard => &mut self.dashboard,
            Window::Changes => &mut self.changes,
            Window::Stories => &mut self.stories,
            Window::Export => &mut self.export,
            Window::Warnings => &mut self.warnings,
            Window::Shortcuts => &mut self.shortcuts,
            Window::About => &mut self.about,
            Window::Consent => &mut self.consent,
            Window::Operations => &mut self.operations,
        } = open;
    }
}

/// The document and the window's shared settings, read-only.
pub struct View<'a> {
    pub doc: &'a Document,
    pub lang: Lang,
    /// Phase, selection, visible layers, labels: what the map is drawn with.
    pub opts: &'a SceneOptions,
    pub theme_mode: ThemeMode,
    /// The residents' matter in focus (`PlannerApp::focused_matter`): the consent panel's, the vote grid's
    /// and the consent map's.
    pub consent_matter: Option<&'a str>,
    pub compare: Compare,
    /// Where the swipe divider is, as a fraction of the map's width.
    pub swipe: f32,
    pub shown: Shown,
    /// Counts of features by kind slot.
    pub counts: &'a [usize; 7],
    /// Features that differ between before and after.
    pub change_count: usize,
    /// Features in the plan (counted as `counts`, not by a pass over the plan each frame).
    pub feature_count: usize,
    pub camera: Option<Camera>,
    /// The pointer's longitude/latitude over the map.
    pub cursor: Option<[f64; 2]>,
    /// Features in the map's view when it was last drawn.
    pub in_view: usize,
    pub editing: bool,
    pub tool: Tool,
    pub playing: bool,
    /// The story shown in the stories window, and its selected slide.
    pub story: (usize, Option<usize>),
    pub recent: &'a [PathBuf],
    pub status: Option<&'a Message>,
    /// The coordinate system files are opened in when they do not say (`None`: detect).
    pub import_crs: Option<crate::io::crs::Crs>,
    /// The modal path prompt is open (its keys are its own).
    pub prompting: bool,
    /// Autosaved work offered for recovery.
    pub recovery: Option<&'a crate::session::RecoveryInfo>,
    /// The "unsaved changes" dialog is open.
    pub confirm_close: bool,
}

impl View<'_> {
    pub fn strings(&self) -> &'static Strings {
        self.lang.strings()
    }

    /// The phase the "after" side of a comparison shows: the as-of date if one is chosen.
    pub fn after_phase(&self) -> Phase {
        after_phase(&self.opts.phase)
    }

    /// The phase the map's only pane shows, or its after pane when comparing:
    /// what the legend and the dashboard count in.
    pub fn after_phase_shown(&self) -> Phase {
        after_phase_shown(self.compare, &self.opts.phase)
    }

    /// The selected features, in order.
    pub fn selected(&self) -> Vec<crate::model::FeatureId> {
        self.opts.selected.iter().copied().collect()
    }

    /// "Undo set kind" — the menu text for an edit label.
    pub fn action_name(&self, label: crate::edit::EditLabel) -> &'static str {
        self.strings().action(label)
    }
}

/// The phase the "after" side of a comparison shows when `phase` is chosen.
pub fn after_phase(phase: &Phase) -> Phase {
    match phase {
        Phase::AsOf(d) => Phase::AsOf(d.clone()),
        _ => Phase::After,
    }
}

/// What `make` works out for `key` — the document's stamp and whatever else it depends on —, worked out
/// once and kept in the context's temporary data under `name` until the key changes: a panel shown
/// every frame (the legend's counts, the dashboard) counts over the plan once per edit, not per frame.
pub fn per_stamp<K, T>(ctx: &eframe::egui::Context, name: &str, key: K, make: impl FnOnce() -> T) -> std::sync::Arc<T>
where
    K: PartialEq + Send + Sync + 'static,
    T: Send + Sync + 'static,
{
    let id = eframe::egui::Id::unique(("per_stamp", name));
    if let Some(kept) = ctx.data(|d| d.get_temp::<std::sync::Arc<(K, std::sync::Arc<T>)>>(id))
        && kept.0 == key
    {
        return kept.1.clone();
    }
    let made = std::sync::Arc::new(make());
    ctx.data_mut(|d| d.insert_temp(id, std::sync::Arc::new((key, made.clone()))));
    made
}

/// The phase the map's only pane shows, or its after pane when comparing.
pub fn after_phase_shown(compare: Compare, phase: &Phase) -> Phase {
    match compare {
        Compare::Single => phase.clone(),
        _ => after_phase(phase),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn what_is_kept_per_stamp_is_worked_out_again_only_when_the_stamp_changes() {
        let ctx = eframe::egui::Context::default();
        let mut made = 0;
        let mut count = |stamp: (u64, u64)| {
            *super::per_stamp(&ctx, "test", stamp, || {
                made += 1;
                stamp.1 * 10
            })
        };
        assert_eq!(count((1, 0)), 0);
        assert_eq!(count((1, 0)), 0);
        assert_eq!(count((1, 1)), 10);
        assert_eq!(count((2, 1)), 10);
        assert_eq!(count((2, 1)), 10);
        assert_eq!(made, 3, "once for each new stamp");
    }
}
