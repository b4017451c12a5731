//! Plans in a database, in the window: File → Open from database… and Save to
//! database… (one small window: the location, an optional password, the
//! database's plans listed on a background thread to pick from), the banner
//! over a plan the database role may only read, and the window that asks what
//! to do when someone else published the plan since it was opened here.
//!
//! The window only returns what the planner asked for (`Action`); the app
//! connects, reads and publishes on background threads (`app::file_area`).
//! A password typed here is used for this run's connections only: it is never
//! written anywhere, never put in an `Action` and never shown (the field shows dots).

use std::sync::mpsc::Receiver;

use eframe::egui::{self, RichText};

use super::action::Action;
use super::message::Reason;
use super::view::View;
use crate::io::postgis::DbError;

/// What the database window is open for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbMode {
    /// Open a plan from the database (replacing the open one once read).
    Open,
    /// Publish the open plan to the database.
    Publish,
}

/// What the planner chose in the conflict window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConflictChoice {
    /// Open the plan as it now is in the database (unsaved edits are lost: asked first).
    OpenTheirs,
    /// Publish the open plan over theirs (`replace`).
    PublishMine,
    /// Save the open plan as a file first (the window stays, so theirs can be opened next).
    SaveMineAsFile,
    /// Close the window and go on editing; the plan stays unpublished.
    KeepEditing,
}

/// Someone else published the plan since it was opened here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    /// The plan's location (without any password).
    pub location: String,
    pub plan: String,
    /// Who published it, and when (from the plan's edit log).
    pub by: String,
    pub at: String,
    /// "Open theirs" was clicked with unsaved edits: the window asks to confirm.
    pub confirm_discard: bool,
}

/// The database window's and the conflict window's own state.
#[derive(Default)]
pub struct DatabaseState {
    /// The window is open, for this.
    pub mode: Option<DbMode>,
    /// The location typed (a password in it is never kept: see `app::file_area`).
    pub uri: String,
    /// Typed for this connection; cleared when the window closes.
    pub password: String,
    /// Save to database…: publish over a plan of the same name.
    pub replace: bool,
    /// The plans the database holds, once listed (or why they could not be).
    pub plans: Option<Result<Vec<String>, Reason>>,
    /// The listing running on a background thread.
    pub listing: Option<Receiver<Result<Vec<String>, DbError>>>,
    /// The server asked for a password: the window says so.
    pub asks_password: bool,
    /// Open or Publish was clicked without a location.
    pub missing_location: bool,
    /// Someone else published the plan: the conflict window is open.
    pub conflict: Option<Conflict>,
}

impl DatabaseState {
    /// Opens the window for `mode` with `uri` filled in.
    pub fn show(&mut self, mode: DbMode, uri: String) {
        self.mode = Some(mode);
        self.uri = uri;
        self.plans = None;
        self.listing = None;
        self.missing_location = false;
    }

    /// Closes the window and forgets the password typed in it.
    pub fn close(&mut self) {
        self.mode = None;
        self.password.clear();
        self.asks_password = false;
        self.listing = None;
    }

    /// The password typed, if any.
    pub fn typed_password(&self) -> Option<&str> {
        Some(self.password.as_str()).filter(|p| !p.is_empty())
    }

    /// Takes the listing's answer when it has come.
    fn poll(&mut self, ctx: &egui::Context) {
        let Some(rx) = &self.listing else { return };
        match rx.try_recv() {
            Ok(r) => {
                self.asks_password = matches!(r, Err(DbError::NeedsPassword { .. }));
                self.plans = Some(r.map_err(Reason::from));
                self.listing = None;
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => {
                ctx.request_repaint_after(std::time::Duration::from_millis(100));
            }
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                self.plans = Some(Err(Reason::Stopped));
                self.listing = None;
            }
        }
    }
}

/// The plan's name in a location (`plan=NAME`), if it has one.
fn plan_of(uri: &str) -> Option<&str> {
    let query = uri.split_once('?')?.1;
    query.split('&').find_map(|p| p.strip_prefix("plan="))
}

/// The same location naming another plan.
pub fn with_plan(uri: &str, plan: &str) -> String {
    let (base, query) = uri.split_once('?').unwrap_or((uri, ""));
    let mut kept: Vec<String> =
        query.split('&').filter(|p| !p.is_empty() && !p.starts_with("plan=")).map(str::to_string).collect();
    kept.push(format!("plan={plan}"));
    format!("{base}?{}", kept.join("&"))
}

/// File → Open from database… / Save to database….
pub fn window(ctx: &egui::Context, st: &mut DatabaseState, v: &View) -> Vec<Action> {
    let mut out = Vec::new();
    let Some(mode) = st.mode else { return out };
    st.poll(ctx);
    let s = v.lang.strings();
    let w = s.database_words();
    let title = match mode {
        DbMode::Open => w.open_db,
        DbMode::Publish => w.save_db,
    };
    let mut open = true;
    egui::Window::new(title)
        .id(egui::Id::unique("database_window"))
        .open(&mut open)
        .collapsible(false)
        .default_width(560.0)
        .anchor(egui::Align2::CENTER_TOP, [0.0, 60.0])
        .show(ctx, |ui| {
            ui.set_min_width(520.0);
            let label = ui.label(w.location);
            let r = ui
                .add(egui::TextEdit::singleline(&mut st.uri).hint_text(w.location_hint).desired_width(f32::INFINITY))
                .labelled_by(label.id);
            if r.changed() {
                st.missing_location = false;
            }
            let label = ui.label(w.password);
            ui.add(egui::TextEdit::singleline(&mut st.password).password(true).desired_width(f32::INFINITY))
                .labelled_by(label.id);
            if st.asks_password {
                ui.colored_label(ui.visuals().warn_fg_color, w.needs_password);
            }
            if st.missing_location {
                ui.colored_label(ui.visuals().error_fg_color, w.not_a_location);
            }
            ui.horizontal(|ui| {
                if ui.add_enabled(st.listing.is_none(), egui::Button::new(w.list)).clicked() {
                    if crate::io::postgis::is_uri(st.uri.trim()) {
                        out.push(Action::ListPlans(st.uri.trim().to_string()));
                    } else {
                        st.missing_location = true;
                    }
                }
                if st.listing.is_some() {
                    ui.spinner();
                    ui.label(w.listing);
                }
            });
            match &st.plans {
                Some(Ok(plans)) if plans.is_empty() => {
                    ui.label(RichText::new(w.no_plans).weak());
                }
                Some(Ok(plans)) => {
                    ui.label(w.plans_here);
                    let current = plan_of(&st.uri).map(str::to_string);
                    let mut picked = None;
                    ui.horizontal_wrapped(|ui| {
                        for p in plans {
                            if ui.selectable_label(current.as_deref() == Some(p.as_str()), p).clicked() {
                                picked = Some(p.clone());
                            }
                        }
                    });
                    if let Some(p) = picked {
                        st.uri = with_plan(st.uri.trim(), &p);
                    }
                }
                Some(Err(e)) => {
                    ui.colored_label(ui.visuals().error_fg_color, e.text(s));
                }
                None => {}
            }
            if mode == DbMode::Publish {
                ui.checkbox(&mut st.replace, w.replace);
            }
            ui.separator();
            ui.horizontal(|ui| {
                let go = match mode {
                    DbMode::Open => w.open_button,
                    DbMode::Publish => w.publish_button,
                };
                if ui.button(go).clicked() {
                    let uri = st.uri.trim().to_string();
                    if crate::io::postgis::is_uri(&uri) {
                        out.push(match mode {
                            DbMode::Open => Action::OpenDatabase(uri),
                            DbMode::Publish => Action::PublishTo { uri, replace: st.replace },
                        });
                    } else {
                        st.missing_location = true;
                    }
                }
                if ui.button(s.cancel).clicked() {
                    out.push(Action::ShowDatabase(None));
                }
            });
        });
    if !open {
        out.push(Action::ShowDatabase(None));
    }
    out
}

/// The window shown when someone else published the plan since it was opened here.
pub fn conflict_window(ctx: &egui::Context, st: &mut DatabaseState, v: &View) -> Vec<Action> {
    let mut out = Vec::new();
    let Some(c) = &mut st.conflict else { return out };
    let s = v.lang.strings();
    let w = s.database_words();
    egui::Window::new(w.conflict_title)
        .id(egui::Id::unique("conflict_window"))
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_TOP, [0.0, 80.0])
        .show(ctx, |ui| {
            ui.set_max_width(540.0);
            ui.colored_label(ui.visuals().warn_fg_color, w.changed(&c.plan, &c.by, &c.at));
            ui.label(RichText::new(&c.location).small().weak());
            ui.separator();
            if c.confirm_discard {
                ui.colored_label(ui.visuals().error_fg_color, w.discard_warning);
                ui.horizontal(|ui| {
                    if ui.button(w.save_mine_file).clicked() {
                        out.push(Action::Conflict(ConflictChoice::SaveMineAsFile));
                    }
                    if ui.button(w.discard_and_open).clicked() {
                        out.push(Action::Conflict(ConflictChoice::OpenTheirs));
                    }
                    if ui.button(w.back).clicked() {
                        c.confirm_discard = false;
                    }
                });
                return;
            }
            ui.horizontal(|ui| {
                if ui.button(w.save_mine_file).clicked() {
                    out.push(Action::Conflict(ConflictChoice::SaveMineAsFile));
                }
                if ui.button(w.open_theirs).clicked() {
                    if v.doc.is_dirty() {
                        c.confirm_discard = true;
                    } else {
                        out.push(Action::Conflict(ConflictChoice::OpenTheirs));
                    }
                }
                if ui.button(w.publish_mine).clicked() {
                    out.push(Action::Conflict(ConflictChoice::PublishMine));
                }
                if ui.button(w.keep_editing).clicked() {
                    out.push(Action::Conflict(ConflictChoice::KeepEditing));
                }
            });
        });
    out
}

/// The banner over a plan the database role may only read.
pub fn read_only_banner(ui: &mut egui::Ui, v: &View) {
    let Some(d) = v.doc.source().database().filter(|d| d.read_only) else { return };
    let text = v.lang.database_words().read_only(&d.user, &d.plan);
    egui::Panel::top("read_only_banner").show(ui, |ui| {
        ui.label(RichText::new(text).strong().color(ui.visuals().warn_fg_color));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picking_a_listed_plan_names_it_in_the_location() {
        let uri = "postgresql://ann@/rp?host=/tmp/s&port=5&plan=old";
        assert_eq!(with_plan(uri, "new"), "postgresql://ann@/rp?host=/tmp/s&port=5&plan=new");
        assert_eq!(with_plan("postgresql://ann@h/rp", "p"), "postgresql://ann@h/rp?plan=p");
        assert_eq!(plan_of(&with_plan(uri, "新方案")), Some("新方案"));
    }
}
