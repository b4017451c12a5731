//! Editing a database plan together, in the window (issue 20): each local
//! change (edit, undo, redo) is sent as it is made, others' edits appear as
//! they commit, with who made them, and a conflict is shown with both versions
//! for the planner to choose — never a silent overwrite.
//!
//! A worker thread owns the database session (`io::postgis::sync::Session`)
//! and an [`Outbox`]; the window sends it each change (`Document::take_changes`
//! with a snapshot of the plan) and applies what it sends back once a frame
//! (`PlannerApp::live_tick`). The worker handles one command at a time, in
//! order, and between commands waits (50 ms at a time) for the plan's NOTIFY and pulls.
//!
//! Glossary: *uncommitted* — what this window changed that the database does
//! not have yet (sent and not answered, waiting offline, or held by a
//! conflict); pulled objects among them are not applied over the planner's
//! version: the worker turns the push that follows into a conflict instead.
//! *pull number* — each pull the worker sends is numbered; a change carries the
//! number of the last pull the window had applied when it was made, so the
//! worker can tell a change made on a plan older than what it has pulled.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use eframe::egui;

use super::action::Action;
use super::app::PlannerApp;
use super::message::Message;
use crate::document::{LocalChange, Step};
use crate::edit::{Edit, EditLabel};
use crate::i18n::live::LiveStrings;
use crate::io::postgis::sync::{Conflict, Entry, Objects, Outbox, Pulled, PushError, Session, Touched, remote_edit};
use crate::io::postgis::{DbError, Location};
use crate::model::{Feature, Item, Lang, Plan};

/// How long the worker waits for a notification before looking at the window's commands.
const WAIT: Duration = Duration::from_millis(50);
/// How often the worker tries to reconnect after the connection dropped.
const RETRY: Duration = Duration::from_millis(2500);
/// A pull even without a notification, in case one was missed.
const PULL_ANYWAY: Duration = Duration::from_secs(5);
/// Pulls kept for telling stale changes (a change is answered long before this many pulls).
const PULLS_KEPT: usize = 64;

/// What the planner can do about editing together.
#[derive(Clone, Debug, PartialEq)]
pub enum LiveAction {
    /// Send my version of what conflicted (after seeing theirs).
    KeepMine,
    /// Make the open plan hold their version of what conflicted.
    TakeTheirs,
    /// Apply the chosen fields (the conflict window's choices) and send the result.
    MergeFields,
    /// Choose mine (`false`) or theirs (`true`) for one field in the conflict window.
    Choose { field: String, theirs: bool },
    /// Open (or close) the conflict window.
    ShowConflict(bool),
    /// Open the plan again from the database (after a whole publish over it).
    Reopen,
}

/// Something about editing together to tell the planner, worded when drawn.
#[derive(Clone, Debug, PartialEq)]
pub enum LiveNote {
    /// Others' edits pulled in: who, what (their words), the first object's name in both languages, how many more.
    ChangedBy {
        user: String,
        what: String,
        object: [String; 2],
        more: usize,
    },
    ReadOnly,
    Conflict,
    KeptMine,
    Merged,
    TookTheirs,
    Republished,
    BackOnline,
    /// Save asked for: every edit is already in the database.
    AllSent,
    /// Save asked for while edits wait to be sent.
    StillWaiting,
    Failed(String),
}

impl LiveNote {
    pub fn text(&self, lang: Lang) -> String {
        let s = lang.live();
        match self {
            LiveNote::ChangedBy { user, what, object, more } => {
                s.changed_by(user, &object[usize::from(lang == Lang::En)], what, *more)
            }
            LiveNote::ReadOnly => s.read_only_refused.into(),
            LiveNote::Conflict => s.conflict_waits.into(),
            LiveNote::KeptMine => s.kept_mine.into(),
            LiveNote::Merged => s.merged.into(),
            LiveNote::TookTheirs => s.took_theirs.into(),
            LiveNote::Republished => s.republished.into(),
            LiveNote::BackOnline => s.back_online.into(),
            LiveNote::AllSent => s.all_sent.into(),
            LiveNote::StillWaiting => s.still_waiting.into(),
            LiveNote::Failed(e) => format!("{}: {e}", s.failed),
        }
    }

    pub fn is_error(&self) -> bool {
        matches!(self, LiveNote::ReadOnly | LiveNote::Conflict | LiveNote::Failed(_))
    }
}

/// The window's commands to the worker.
enum ToWorker {
    /// A local change: the plan after it, what it touched, its words, the last pull applied when it was made.
    Change {
        plan: Arc<Plan>,
        touched: Touched,
        what: String,
        pulls: u64,
    },
    /// The planner kept (or merged into) their version: pull, then send `touched` and what waited.
    KeepMine {
        plan: Arc<Plan>,
        touched: Touched,
        what: String,
        known: i64,
    },
    /// The planner took their version: pull, then send what waited.
    TakeTheirs {
        plan: Arc<Plan>,
        known: i64,
    },
    Stop,
}

/// Edits the worker keeps until it can send them (offline, a conflict waiting, a republish).
#[derive(Clone, Debug, Default, PartialEq)]
struct Waiting {
    touched: Touched,
    count: usize,
}

/// How a command (or a reconnect's sending) ended.
enum Outcome {
    Pushed,
    /// Kept in the outbox (offline, a conflict waiting, or the plan republished).
    Held,
    Conflict {
        conflict: Box<Conflict>,
        touched: Touched,
        what: String,
    },
    Failed(String),
}

/// What the worker tells the window.
enum FromWorker {
    Pulled {
        no: u64,
        entries: Vec<Entry>,
        objects: Box<Objects>,
    },
    /// `ack`: the answer to one command (else what waited, sent on reconnecting).
    Done {
        ack: bool,
        outcome: Outcome,
        waiting: Waiting,
    },
    Online,
    Offline(Waiting),
    Republished,
    /// A pull failed for a reason other than the connection.
    Trouble(String),
}

/// The window's side of editing together.
pub struct Live {
    tx: Sender<ToWorker>,
    rx: Receiver<FromWorker>,
    wake: Arc<Mutex<Option<egui::Context>>>,
    thread: Option<std::thread::JoinHandle<()>>,
    pub(crate) at: Location,
    password: Option<String>,
    pub(crate) read_only: bool,
    online: bool,
    /// Touched by each command sent and not yet answered, oldest first.
    in_flight: VecDeque<Touched>,
    waiting: Waiting,
    pulls_applied: u64,
    /// The next change was made from what the window held at this pull (a form opened then), not at the last.
    based_on: Option<u64>,
    pub(crate) conflict: Option<ConflictState>,
    republished: bool,
    /// The conflict window is open.
    pub(crate) show_conflict: bool,
}

/// A conflict waiting for the planner.
pub struct ConflictState {
    pub conflict: Box<Conflict>,
    /// What my conflicting change touched, and its words.
    pub touched: Touched,
    pub what: String,
    /// Fields set to theirs (by row id); the others stay mine.
    pub theirs: BTreeSet<String>,
}

impl ConflictState {
    /// The last edit log entry of theirs the planner has seen here.
    fn known(&self) -> i64 {
        self.conflict.theirs.iter().map(|e| e.seq).max().unwrap_or(0)
    }
}

/// What the live bar shows: read from [`Live`] before the panels borrow the app.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveView {
    pub plan: String,
    pub user: String,
    pub read_only: bool,
    pub online: bool,
    pub sending: bool,
    pub waiting: usize,
    pub conflict: bool,
    pub republished: bool,
}

impl Live {
    fn view(&self) -> LiveView {
        LiveView {
            plan: self.at.plan.clone(),
            user: self.at.user().to_string(),
            read_only: self.read_only,
            online: self.online,
            sending: !self.in_flight.is_empty(),
            // Offline, a command not yet answered waits too.
            waiting: self.waiting.count + if self.online { 0 } else { self.in_flight.len() },
            conflict: self.conflict.is_some(),
            republished: self.republished,
        }
    }

    /// What this window changed that the database does not have yet.
    fn uncommitted(&self) -> Touched {
        let mut t = self.waiting.touched.clone();
        for f in &self.in_flight {
            t.merge(f);
        }
        if let Some(c) = &self.conflict {
            t.merge(&c.touched);
        }
        t
    }

    fn send(&mut self, cmd: ToWorker, touched: Touched) {
        if self.tx.send(cmd).is_ok() {
            self.in_flight.push_back(touched);
        }
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        let _ = self.tx.send(ToWorker::Stop);
        // The worker ends within one wait; not joined, so closing never hangs on a slow server.
        drop(self.thread.take());
    }
}

impl PlannerApp {
    /// Starts editing the open plan together with others: it was read from
    /// `at` at edit log entry `revision` (`postgis::Opened::revision`).
    pub fn start_live(&mut self, at: Location, password: Option<String>, revision: i64) {
        self.start_live_with(at, password, revision, false);
    }

    /// As [`PlannerApp::start_live`]; `read_only` (`postgis::Opened::read_only`):
    /// this role may not change the plan, so the window refuses edits (with one
    /// clear message) and only shows others' edits.
    pub fn start_live_with(&mut self, at: Location, password: Option<String>, revision: i64, read_only: bool) {
        self.stop_live();
        let (tx, worker_rx) = channel();
        let (worker_tx, rx) = channel();
        let wake = Arc::new(Mutex::new(self.repaint_context()));
        let worker = Worker {
            at: at.clone(),
            password: password.clone(),
            session: None,
            seen: revision,
            outbox: Outbox::default(),
            outbox_pulls: u64::MAX,
            conflict: None,
            latest: None,
            pulls: VecDeque::new(),
            pull_no: 0,
            tx: worker_tx,
            wake: Arc::clone(&wake),
            republished: false,
            online: true,
            lang: self.lang,
        };
        let thread = std::thread::Builder::new().name("live".into()).spawn(move || worker.run(worker_rx)).ok();
        // Kept read-only too: a change made by a path that does not ask first (a basemap, an import) is told.
        self.doc.track_changes(true);
        self.doc.take_changes();
        self.live = Some(Live {
            tx,
            rx,
            wake,
            thread,
            at,
            password,
            read_only,
            online: true,
            in_flight: VecDeque::new(),
            waiting: Waiting::default(),
            pulls_applied: 0,
            based_on: None,
            conflict: None,
            republished: false,
            show_conflict: false,
        });
    }

    /// Stops editing together (the open plan stays, as it is).
    pub fn stop_live(&mut self) {
        if self.live.take().is_some() {
            self.doc.track_changes(false);
        }
    }

    /// Opens the database plan at `at` again (after someone published over it),
    /// on the background reader as any plan; editing together starts when it is read.
    fn reopen(&mut self, at: &Location, password: Option<String>) {
        if let Some(password) = password {
            self.keep_password_for(at, password);
        }
        self.open_path(std::path::PathBuf::from(at.to_string()));
    }

    /// Save on a plan edited together: nothing to publish, each edit is committed as made.
    pub(super) fn save_live(&mut self) {
        let waiting = self.live.as_ref().map(|l| l.view()).is_some_and(|v| v.waiting > 0 || v.conflict);
        self.say(Message::Live(if waiting { LiveNote::StillWaiting } else { LiveNote::AllSent }));
    }

    /// What the live bar shows (`None`: the plan is not edited together).
    pub fn live_view(&self) -> Option<LiveView> {
        self.live.as_ref().map(Live::view)
    }

    /// How many of others' pulls the window has applied (a plan edited together), for a form opened now.
    pub fn live_pulls_applied(&self) -> Option<u64> {
        self.live.as_ref().map(|l| l.pulls_applied)
    }

    /// The next change was made from what the window held at pull `pull` (a form opened then):
    /// others' edits pulled since then to the same objects make it a conflict.
    pub(super) fn live_based_on(&mut self, pull: u64) {
        if let Some(live) = &mut self.live {
            live.based_on = Some(live.based_on.map_or(pull, |b| b.min(pull)));
        }
    }

    /// True while a conflict waits for the planner.
    pub fn live_conflict(&self) -> bool {
        self.live.as_ref().is_some_and(|l| l.conflict.is_some())
    }

    /// Refuses an edit when the plan is edited together by a read-only role: true if refused.
    pub(super) fn live_refuses_edit(&mut self) -> bool {
        if self.live.as_ref().is_some_and(|l| l.read_only) {
            self.say(Message::Live(LiveNote::ReadOnly));
            return true;
        }
        false
    }

    /// Once a frame: local changes out, the worker's news in.
    pub(super) fn live_tick(&mut self, ctx: &egui::Context) {
        let Some(live) = &mut self.live else { return };
        if let Ok(mut w) = live.wake.lock()
            && w.is_none()
        {
            *w = Some(ctx.clone());
        }
        let changes = self.doc.take_changes();
        // Never sent when this role may not change the plan: the change stays in this window only.
        let refused = live.read_only && !changes.is_empty();
        if !refused && !changes.is_empty() {
            let plan = self.doc.shared_plan();
            let lang = self.lang;
            let pulls = live.based_on.take().map_or(live.pulls_applied, |b| b.min(live.pulls_applied));
            for c in changes {
                let what = words(&c, lang);
                live.send(
                    ToWorker::Change { plan: Arc::clone(&plan), touched: c.touched.clone(), what, pulls },
                    c.touched,
                );
            }
        }
        let mut news = Vec::new();
        let mut disconnected = false;
        loop {
            match live.rx.try_recv() {
                Ok(m) => news.push(m),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    news.push(FromWorker::Trouble("the live worker stopped".into()));
                    disconnected = true;
                    break;
                }
            }
        }
        if refused {
            self.say(Message::Live(LiveNote::ReadOnly));
        }
        for m in news {
            self.live_news(m);
        }
        if disconnected {
            self.stop_live();
            return;
        }
        if let Some(live) = &self.live
            && live.in_flight.is_empty()
            && live.waiting.count == 0
            && live.conflict.is_none()
            && !live.republished
            && !live.read_only
            && self.doc.is_dirty()
        {
            // Every change is in the database (a read-only role's refused changes are not: they stay unsaved).
            self.doc.mark_clean();
        }
    }

    fn live_news(&mut self, m: FromWorker) {
        let Some(live) = &mut self.live else { return };
        match m {
            FromWorker::Pulled { no, entries, objects } => {
                live.pulls_applied = no;
                let mine = live.uncommitted();
                // What differs here: the message names what changed, not rows rewritten alongside it.
                let objects = without(*objects, &mine).differing(self.doc.plan());
                let edit = remote_edit(self.doc.plan(), &objects);
                let names = first_name(self.doc.plan(), &objects);
                let empty = matches!(&edit, Edit::Batch { edits, .. } if edits.is_empty());
                if !empty {
                    match self.doc.apply_remote(edit) {
                        Ok(t) => self.after_edit(&t),
                        Err(e) => self.say(Message::Live(LiveNote::Failed(e.to_string()))),
                    }
                }
                if let (Some(last), Some(object)) = (entries.last(), names) {
                    let users: BTreeSet<&str> = entries.iter().map(|e| e.user.as_str()).collect();
                    let more = objects.features.len() + objects.items.len() + usize::from(objects.parts.is_some());
                    self.say(Message::Live(LiveNote::ChangedBy {
                        user: users.into_iter().collect::<Vec<_>>().join(", "),
                        what: last.what.clone(),
                        object,
                        more: more.saturating_sub(1),
                    }));
                }
            }
            FromWorker::Done { ack, outcome, waiting } => {
                if ack {
                    live.in_flight.pop_front();
                }
                // What waited offline went through (not a conflict).
                let back = !ack && waiting.count == 0 && matches!(outcome, Outcome::Pushed);
                live.waiting = waiting;
                match outcome {
                    Outcome::Pushed | Outcome::Held => {}
                    Outcome::Conflict { conflict, touched, what } => {
                        live.conflict = Some(ConflictState { conflict, touched, what, theirs: BTreeSet::new() });
                        live.show_conflict = true;
                        self.say(Message::Live(LiveNote::Conflict));
                    }
                    Outcome::Failed(e) => self.say(Message::Live(LiveNote::Failed(e))),
                }
                if back {
                    self.say(Message::Live(LiveNote::BackOnline));
                }
            }
            FromWorker::Online => live.online = true,
            FromWorker::Offline(waiting) => {
                live.online = false;
                live.waiting = waiting;
            }
            FromWorker::Republished => {
                live.republished = true;
                self.say(Message::Live(LiveNote::Republished));
            }
            FromWorker::Trouble(e) => self.say(Message::Live(LiveNote::Failed(e))),
        }
    }

    /// The planner's answer to a conflict, and the live bar's buttons.
    pub(super) fn apply_live(&mut self, action: LiveAction) {
        let Some(live) = &mut self.live else { return };
        match action {
            LiveAction::Choose { field, theirs } => {
                if let Some(c) = &mut live.conflict {
                    if theirs {
                        c.theirs.insert(field);
                    } else {
                        c.theirs.remove(&field);
                    }
                }
            }
            LiveAction::ShowConflict(open) => live.show_conflict = open && live.conflict.is_some(),
            LiveAction::KeepMine => {
                let Some(c) = live.conflict.take() else { return };
                live.show_conflict = false;
                let what = self.lang.live().noted(&c.what, self.lang.live().keep_mine);
                let known = c.known();
                let plan = self.doc.shared_plan();
                live.send(ToWorker::KeepMine { plan, touched: c.touched.clone(), what, known }, c.touched);
                self.say(Message::Live(LiveNote::KeptMine));
            }
            LiveAction::TakeTheirs => {
                let Some(c) = live.conflict.take() else { return };
                live.show_conflict = false;
                let known = c.known();
                let edit = remote_edit(self.doc.plan(), &c.conflict.objects);
                match self.doc.apply_remote(edit) {
                    Ok(t) => self.after_edit(&t),
                    Err(e) => self.say(Message::Live(LiveNote::Failed(e.to_string()))),
                }
                let plan = self.doc.shared_plan();
                if let Some(live) = &mut self.live {
                    live.send(ToWorker::TakeTheirs { plan, known }, Touched::default());
                }
                self.say(Message::Live(LiveNote::TookTheirs));
            }
            LiveAction::MergeFields => {
                let Some(c) = live.conflict.take() else { return };
                live.show_conflict = false;
                let edit = merged(self.doc.plan(), &c);
                let mut touched = c.touched.clone();
                if let Some(edit) = edit {
                    match self.doc.apply(edit) {
                        Ok(t) => self.after_edit(&t),
                        Err(e) => self.say(Message::Live(LiveNote::Failed(e.to_string()))),
                    }
                }
                // The merge (and anything not yet sent) goes with my version.
                for change in self.doc.take_changes() {
                    touched.merge(&change.touched);
                }
                let what = self.lang.live().noted(&c.what, self.lang.live().merge_fields);
                let known = c.known();
                let plan = self.doc.shared_plan();
                if let Some(live) = &mut self.live {
                    live.send(ToWorker::KeepMine { plan, touched: touched.clone(), what, known }, touched);
                }
                self.say(Message::Live(LiveNote::Merged));
            }
            LiveAction::Reopen => {
                let (at, password) = (live.at.clone(), live.password.clone());
                self.reopen(&at, password);
            }
        }
    }

    /// The conflict window, while the planner has it open.
    pub(super) fn live_windows(&mut self, ctx: &egui::Context) -> Vec<Action> {
        let Some(live) = &self.live else { return Vec::new() };
        let Some(c) = live.conflict.as_ref().filter(|_| live.show_conflict) else { return Vec::new() };
        conflict_window(ctx, self.doc.plan(), c, self.lang)
    }
}

/// The words of a local change for the edit log, in the planner's language.
fn words(c: &LocalChange, lang: Lang) -> String {
    let action = lang.strings().action(c.label);
    let s = lang.live();
    match c.step {
        Step::Edit => action.to_string(),
        Step::Undo => format!("{} {action}", s.undo_prefix),
        Step::Redo => format!("{} {action}", s.redo_prefix),
    }
}

/// `objects` less what `mine` names (the planner's version stays until they choose).
fn without(objects: Objects, mine: &Touched) -> Objects {
    Objects {
        features: objects.features.into_iter().filter(|(k, _)| !mine.features.contains(k)).collect(),
        items: objects.items.into_iter().filter(|(i, _)| !mine.items.contains(i)).collect(),
        parts: objects.parts.filter(|_| !mine.parts),
    }
}

/// The name of the first object, in Chinese and English (a feature's name or
/// number, else its key; an item's display name; else "the plan's other parts").
fn first_name(plan: &Plan, objects: &Objects) -> Option<[String; 2]> {
    let feature_name = |key: &str, f: Option<&Feature>, lang: Lang| {
        let f = f.or_else(|| plan.by_key(key).and_then(|id| plan.get(id)));
        f.and_then(|f| f.name(lang).or(f.number()).map(str::to_string)).unwrap_or_else(|| key.to_string())
    };
    if let Some((k, f)) = objects.features.first() {
        return Some([Lang::Zh, Lang::En].map(|l| feature_name(k, f.as_ref(), l)));
    }
    if let Some((id, i)) = objects.items.first() {
        let item = i.as_ref().or_else(|| plan.items.get(id));
        return Some(
            [Lang::Zh, Lang::En].map(|l| item.map(|i| i.display_name(plan, l).into_owned()).unwrap_or(id.clone())),
        );
    }
    objects.parts.as_ref().map(|_| [Lang::Zh.live().other_parts.into(), Lang::En.live().other_parts.into()])
}

/// The thin bar under the menus: "Live · up to date", and the banners (offline, conflict, republished).
pub(super) fn bar(ui: &mut egui::Ui, v: &LiveView, lang: Lang) -> Vec<Action> {
    let s = lang.live();
    let mut out = Vec::new();
    egui::Panel::top("live_bar").show(ui, |ui| {
        ui.horizontal(|ui| {
            let status = if v.read_only {
                s.read_only_badge
            } else if v.sending {
                s.sending
            } else {
                s.up_to_date
            };
            let dot = if v.online { egui::Color32::from_rgb(40, 160, 70) } else { ui.visuals().warn_fg_color };
            ui.colored_label(dot, "●");
            ui.label(egui::RichText::new(if v.online { status } else { s.live }).small())
                .on_hover_text(format!("{} · {}", v.plan, v.user));
            if !v.online {
                ui.separator();
                ui.colored_label(ui.visuals().warn_fg_color, s.offline(v.waiting));
            }
            if v.conflict {
                ui.separator();
                ui.colored_label(ui.visuals().error_fg_color, s.conflict_waits);
                if v.waiting > 0 {
                    ui.label(egui::RichText::new(s.held(v.waiting)).small());
                }
                if ui.button(s.show_conflict).clicked() {
                    out.push(Action::Live(LiveAction::ShowConflict(true)));
                }
            }
            if v.republished {
                ui.separator();
                ui.colored_label(ui.visuals().warn_fg_color, s.republished);
                if ui.button(s.reopen).clicked() {
                    out.push(Action::Live(LiveAction::Reopen));
                }
            }
        });
    });
    out
}

/// One row of the conflict window: a field that differs.
struct Row {
    /// Stable id of the field (what a choice is kept under).
    id: String,
    field: String,
    mine: String,
    theirs: String,
}

/// The rows of one object (a feature, an item, the plan's other parts) that differ, under its heading.
fn rows(plan: &Plan, c: &ConflictState, lang: Lang) -> Vec<(String, Vec<Row>)> {
    let s = lang.live();
    let mut out = Vec::new();
    for (key, theirs) in &c.conflict.objects.features {
        let mine = plan.by_key(key).and_then(|id| plan.get(id));
        let name = mine.or(theirs.as_ref()).and_then(|f| f.name(lang).or(f.number())).unwrap_or(key.as_str());
        let heading = format!("{} {name} ({key})", s.feature);
        out.push((heading, feature_rows(key, mine, theirs.as_ref(), lang)));
    }
    for (id, theirs) in &c.conflict.objects.items {
        let mine = plan.items.get(id);
        let name = mine.or(theirs.as_ref()).map(|i| i.display_name(plan, lang).into_owned()).unwrap_or(id.clone());
        out.push((format!("{} {name}", s.item), item_rows(plan, id, mine, theirs.as_ref(), lang)));
    }
    if c.conflict.objects.parts.is_some() {
        let row =
            Row { id: "parts".into(), field: s.other_parts_hint.into(), mine: s.mine.into(), theirs: s.theirs.into() };
        out.push((s.other_parts.into(), vec![row]));
    }
    out
}

fn show_value(v: Option<&serde_json::Value>, s: &LiveStrings) -> String {
    let text = match v {
        None | Some(serde_json::Value::Null) => return s.absent.into(),
        Some(serde_json::Value::String(t)) => t.clone(),
        Some(v) => v.to_string(),
    };
    if text.chars().count() > 60 { format!("{}…", text.chars().take(60).collect::<String>()) } else { text }
}

fn feature_rows(key: &str, mine: Option<&Feature>, theirs: Option<&Feature>, lang: Lang) -> Vec<Row> {
    let s = lang.live();
    let names = lang.strings();
    let (mine, theirs) = match (mine, theirs) {
        (Some(m), Some(t)) => (m, t),
        (m, t) => {
            let state = |f: Option<&Feature>| if f.is_some() { s.feature.to_string() } else { s.removed.to_string() };
            return vec![Row {
                id: format!("f:{key}:whole"),
                field: s.feature.into(),
                mine: state(m),
                theirs: state(t),
            }];
        }
    };
    let mut rows = Vec::new();
    if mine.kind != theirs.kind {
        rows.push(Row {
            id: format!("f:{key}:kind"),
            field: s.kind.into(),
            mine: names.kind(mine.kind).into(),
            theirs: names.kind(theirs.kind).into(),
        });
    }
    let (a, b) = (mine.properties.to_map(), theirs.properties.to_map());
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for k in keys {
        if a.get(k) != b.get(k) {
            rows.push(Row {
                id: format!("f:{key}:p:{k}"),
                field: k.clone(),
                mine: show_value(a.get(k), s),
                theirs: show_value(b.get(k), s),
            });
        }
    }
    if mine.geometry != theirs.geometry {
        use geo::CoordsIter;
        rows.push(Row {
            id: format!("f:{key}:geometry"),
            field: format!("{} ({})", s.geometry, s.geometry_changed),
            mine: format!("{} {}", mine.geometry.coords_count(), s.vertices),
            theirs: format!("{} {}", theirs.geometry.coords_count(), s.vertices),
        });
    }
    if mine.change != theirs.change {
        let change = |c: &Option<Box<crate::model::Change>>| match c {
            None => s.absent.to_string(),
            Some(c) => s.change_kinds[c.kind as usize].to_string(),
        };
        rows.push(Row {
            id: format!("f:{key}:change"),
            field: s.change.into(),
            mine: change(&mine.change),
            theirs: change(&theirs.change),
        });
    }
    rows
}

/// The item fields a conflict shows and merges one by one, as the items panel names them.
const ITEM_FIELDS: [&str; 6] = ["name", "status", "estimated", "actual", "funding", "features"];

fn item_field(plan: &Plan, item: &Item, field: &str, lang: Lang) -> String {
    let s = lang.live();
    let money = |v: Option<i64>| match v {
        Some(v) => format!("{} {}", crate::model::measure::group_thousands(v as f64), s.yuan),
        None => s.none.into(),
    };
    match field {
        "name" => item.display_name(plan, lang).into_owned(),
        "status" => lang.strings().status(item.status).into(),
        "estimated" => money(item.estimated_cost_yuan),
        "actual" => money(item.actual_cost_yuan),
        "funding" => {
            let f = &item.funding;
            let parts: Vec<String> = [f.government, f.social_capital, f.residents, f.property_unit]
                .iter()
                .zip(s.funding_parts)
                .filter(|(v, _)| **v != 0)
                .map(|(v, name)| format!("{name} {}", crate::model::measure::group_thousands(*v as f64)))
                .collect();
            if parts.is_empty() { s.none.into() } else { parts.join(", ") }
        }
        "features" => item.features.join(", "),
        _ => String::new(),
    }
}

fn item_field_name(field: &str, s: &LiveStrings) -> &'static str {
    match field {
        "name" => s.name,
        "status" => s.status,
        "estimated" => s.estimated_cost,
        "actual" => s.actual_cost,
        "funding" => s.funding,
        "features" => s.features,
        _ => s.other_fields,
    }
}

/// Copies one field (as [`ITEM_FIELDS`] names them) from `from` into `to`.
fn copy_item_field(to: &mut Item, from: &Item, field: &str) {
    match field {
        "name" => {
            to.name_zh = from.name_zh.clone();
            to.name_en = from.name_en.clone();
        }
        "status" => {
            to.status = from.status;
            to.history = from.history.clone();
        }
        "estimated" => {
            to.estimated_cost_yuan = from.estimated_cost_yuan;
            to.cost_overridden = from.cost_overridden;
            to.quantity = from.quantity;
            to.unit = from.unit.clone();
            to.unit_cost_yuan = from.unit_cost_yuan;
        }
        "actual" => to.actual_cost_yuan = from.actual_cost_yuan,
        "funding" => to.funding = from.funding,
        "features" => to.features = from.features.clone(),
        _ => {}
    }
}

fn item_rows(plan: &Plan, id: &str, mine: Option<&Item>, theirs: Option<&Item>, lang: Lang) -> Vec<Row> {
    let s = lang.live();
    let (mine, theirs) = match (mine, theirs) {
        (Some(m), Some(t)) => (m, t),
        (m, t) => {
            let state =
                |i: Option<&Item>| i.map(|i| i.display_name(plan, lang).into_owned()).unwrap_or(s.removed.into());
            return vec![Row { id: format!("i:{id}:whole"), field: s.item.into(), mine: state(m), theirs: state(t) }];
        }
    };
    let mut rows: Vec<Row> = ITEM_FIELDS
        .iter()
        .filter(|f| item_field(plan, mine, f, lang) != item_field(plan, theirs, f, lang))
        .map(|f| Row {
            id: format!("i:{id}:{f}"),
            field: item_field_name(f, s).into(),
            mine: item_field(plan, mine, f, lang),
            theirs: item_field(plan, theirs, f, lang),
        })
        .collect();
    // Whatever else differs (dates, party, notes, history…), as one field.
    let mut rest_mine = mine.clone();
    for f in ITEM_FIELDS {
        copy_item_field(&mut rest_mine, theirs, f);
    }
    if rest_mine != *theirs {
        rows.push(Row {
            id: format!("i:{id}:other"),
            field: s.other_fields.into(),
            mine: s.mine.into(),
            theirs: s.theirs.into(),
        });
    }
    rows
}

/// The edit that makes the open plan hold the fields chosen as theirs (`None`: all mine).
fn merged(plan: &Plan, c: &ConflictState) -> Option<Edit> {
    let theirs = |id: &str| c.theirs.contains(id);
    let mut edits = Vec::new();
    for (key, their) in &c.conflict.objects.features {
        let fid = plan.by_key(key);
        let mine = fid.and_then(|id| plan.get(id));
        match (fid, mine, their) {
            (Some(fid), Some(mine), Some(their)) => {
                if mine.kind != their.kind && theirs(&format!("f:{key}:kind")) {
                    edits.push(Edit::SetKind { changes: vec![(fid, their.kind)] });
                }
                let (a, b) = (mine.properties.to_map(), their.properties.to_map());
                let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
                for k in keys {
                    if a.get(k) != b.get(k) && theirs(&format!("f:{key}:p:{k}")) {
                        edits.push(Edit::SetProperty { feature: fid, key: k.clone(), value: b.get(k).cloned() });
                    }
                }
                if mine.geometry != their.geometry && theirs(&format!("f:{key}:geometry")) {
                    edits.push(Edit::SetGeometry {
                        feature: fid,
                        geometry: Box::new(their.geometry.clone()),
                        label: EditLabel::FromDatabase,
                    });
                }
                if mine.change != their.change && theirs(&format!("f:{key}:change")) {
                    edits.push(Edit::SetChange {
                        feature: fid,
                        change: their.change.clone(),
                        label: EditLabel::FromDatabase,
                    });
                }
            }
            _ if theirs(&format!("f:{key}:whole")) => {
                let one = Objects { features: vec![(key.clone(), their.clone())], ..Objects::default() };
                edits.push(remote_edit(plan, &one));
            }
            _ => {}
        }
    }
    for (id, their) in &c.conflict.objects.items {
        match (plan.items.get(id), their) {
            (Some(mine), Some(their)) => {
                let mut item = if theirs(&format!("i:{id}:other")) { their.clone() } else { mine.clone() };
                for f in ITEM_FIELDS {
                    let from = if theirs(&format!("i:{id}:{f}")) { their } else { mine };
                    copy_item_field(&mut item, from, f);
                }
                if item != *mine {
                    edits.push(Edit::PutItem {
                        id: id.clone(),
                        item: Some(Box::new(item)),
                        label: EditLabel::EditItem,
                    });
                }
            }
            _ if theirs(&format!("i:{id}:whole")) => {
                edits.push(Edit::PutItem {
                    id: id.clone(),
                    item: their.clone().map(Box::new),
                    label: EditLabel::EditItem,
                });
            }
            _ => {}
        }
    }
    if let Some(parts) = &c.conflict.objects.parts
        && theirs("parts")
    {
        let one = Objects { parts: Some(parts.clone()), ..Objects::default() };
        edits.push(remote_edit(plan, &one));
    }
    (!edits.is_empty()).then_some(Edit::Batch { label: EditLabel::FromDatabase, edits })
}

/// The conflict window: who changed what, then each differing field with mine and theirs side by side.
fn conflict_window(ctx: &egui::Context, plan: &Plan, c: &ConflictState, lang: Lang) -> Vec<Action> {
    let s = lang.live();
    let mut out = Vec::new();
    let mut open = true;
    egui::Window::new(s.conflict_title).default_pos([420.0, 110.0]).open(&mut open).collapsible(false).show(
        ctx,
        |ui| {
            ui.label(s.conflict_intro);
            for e in &c.conflict.theirs {
                ui.label(egui::RichText::new(s.conflict_with(&e.user, &e.at, &e.what)).strong());
            }
            ui.separator();
            egui::ScrollArea::vertical().max_height(360.0).show(ui, |ui| {
                for (heading, rows) in rows(plan, c, lang) {
                    ui.label(egui::RichText::new(heading).strong());
                    egui::Grid::new(("live_conflict_rows", ui.next_auto_id())).striped(true).show(ui, |ui| {
                        ui.label(egui::RichText::new(s.field).weak());
                        ui.label(egui::RichText::new(s.mine).weak());
                        ui.label(egui::RichText::new(s.theirs).weak());
                        ui.end_row();
                        for r in rows {
                            let chose_theirs = c.theirs.contains(&r.id);
                            ui.label(&r.field);
                            if ui.radio(!chose_theirs, &r.mine).clicked() {
                                out.push(Action::Live(LiveAction::Choose { field: r.id.clone(), theirs: false }));
                            }
                            if ui.radio(chose_theirs, &r.theirs).clicked() {
                                out.push(Action::Live(LiveAction::Choose { field: r.id.clone(), theirs: true }));
                            }
                            ui.end_row();
                        }
                    });
                    ui.add_space(6.0);
                }
            });
            ui.label(egui::RichText::new(s.merge_hint).small().weak());
            ui.horizontal(|ui| {
                if ui.button(s.keep_mine).clicked() {
                    out.push(Action::Live(LiveAction::KeepMine));
                }
                if ui.button(s.take_theirs).clicked() {
                    out.push(Action::Live(LiveAction::TakeTheirs));
                }
                if ui.button(s.merge_fields).clicked() {
                    out.push(Action::Live(LiveAction::MergeFields));
                }
            });
        },
    );
    if !open {
        out.push(Action::Live(LiveAction::ShowConflict(false)));
    }
    out
}

/// The thread that owns the session.
struct Worker {
    at: Location,
    password: Option<String>,
    session: Option<Session>,
    /// The last edit log entry seen (kept for opening a session again).
    seen: i64,
    /// Changes not sent: offline, held while a conflict waits, or after a republish.
    outbox: Outbox,
    /// The oldest pull number among the outbox's changes.
    outbox_pulls: u64,
    /// While a conflict waits: the pull number of the change that conflicted.
    conflict: Option<u64>,
    /// The window's plan as of its last command.
    latest: Option<Arc<Plan>>,
    /// Recent pulls, to tell a change made before the window applied them.
    pulls: VecDeque<(u64, Vec<Entry>, Objects)>,
    pull_no: u64,
    tx: Sender<FromWorker>,
    wake: Arc<Mutex<Option<egui::Context>>>,
    republished: bool,
    online: bool,
    /// The planner's language, for the words of what is sent on reconnecting.
    lang: Lang,
}

impl Worker {
    fn run(mut self, rx: Receiver<ToWorker>) {
        self.connect();
        let mut retry = Instant::now() + RETRY;
        let mut pulled = Instant::now();
        loop {
            loop {
                match rx.try_recv() {
                    Ok(ToWorker::Stop) | Err(TryRecvError::Disconnected) => return,
                    Ok(cmd) => self.handle(cmd),
                    Err(TryRecvError::Empty) => break,
                }
            }
            if self.session.is_none() {
                if Instant::now() >= retry {
                    self.connect();
                    retry = Instant::now() + RETRY;
                }
                match rx.recv_timeout(WAIT) {
                    Ok(ToWorker::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                    Ok(cmd) => self.handle(cmd),
                    Err(RecvTimeoutError::Timeout) => {}
                }
                continue;
            }
            let notified = match self.session.as_mut().map(|s| s.wait(WAIT)) {
                Some(Ok(n)) => n,
                Some(Err(e)) => {
                    self.trouble(e);
                    false
                }
                None => false,
            };
            if (notified || pulled.elapsed() >= PULL_ANYWAY) && !self.republished {
                self.pull();
                pulled = Instant::now();
            }
        }
    }

    fn say(&self, m: FromWorker) {
        if self.tx.send(m).is_ok()
            && let Ok(w) = self.wake.lock()
            && let Some(ctx) = w.as_ref()
        {
            ctx.request_repaint();
        }
    }

    fn waiting(&self) -> Waiting {
        Waiting { touched: self.outbox.touched.clone(), count: self.outbox.what.len() }
    }

    /// Opens a session (at start and after the connection dropped): others' edits first, then what waited.
    fn connect(&mut self) {
        match Session::open(&self.at, self.password.as_deref(), self.seen) {
            Ok(s) => {
                self.session = Some(s);
                if !self.online {
                    self.online = true;
                    self.say(FromWorker::Online);
                }
                self.pull();
                if self.conflict.is_none() && !self.republished && !self.outbox.is_empty() {
                    let Outbox { touched, what } = std::mem::take(&mut self.outbox);
                    let since = std::mem::replace(&mut self.outbox_pulls, u64::MAX);
                    let s = self.lang.live();
                    let what = s.noted(&what.join("; "), s.sent_on_reconnecting);
                    let outcome = self.push_checked(touched, what, since, 0);
                    self.say(FromWorker::Done { ack: false, outcome, waiting: self.waiting() });
                }
            }
            Err(e) => {
                if self.online {
                    self.online = false;
                    self.say(FromWorker::Offline(self.waiting()));
                }
                if !matches!(e, DbError::Unreachable { .. }) {
                    self.say(FromWorker::Trouble(e.to_string()));
                }
            }
        }
    }

    fn offline(&mut self) {
        if let Some(s) = self.session.take() {
            self.seen = s.seen();
        }
        self.online = false;
        self.say(FromWorker::Offline(self.waiting()));
    }

    fn trouble(&mut self, e: DbError) {
        if matches!(e, DbError::Unreachable { .. }) {
            self.offline();
        } else {
            self.say(FromWorker::Trouble(e.to_string()));
        }
    }

    fn pull(&mut self) {
        let Some(s) = self.session.as_mut() else { return };
        let result = s.pull();
        self.seen = s.seen();
        match result {
            Ok(Pulled::Nothing) => {}
            Ok(Pulled::Changes { entries, objects }) => {
                self.pull_no += 1;
                self.pulls.push_back((self.pull_no, entries.clone(), objects.clone()));
                if self.pulls.len() > PULLS_KEPT {
                    self.pulls.pop_front();
                }
                self.say(FromWorker::Pulled { no: self.pull_no, entries, objects: Box::new(objects) });
            }
            Ok(Pulled::Republished { .. }) => {
                if !self.republished {
                    self.republished = true;
                    self.say(FromWorker::Republished);
                }
            }
            Err(e) => self.trouble(e),
        }
    }

    fn hold(&mut self, touched: &Touched, what: &str, pulls: u64) -> Outcome {
        self.outbox.add(touched, what);
        self.outbox_pulls = self.outbox_pulls.min(pulls);
        Outcome::Held
    }

    fn handle(&mut self, cmd: ToWorker) {
        let outcome = match cmd {
            ToWorker::Stop => return,
            ToWorker::Change { plan, touched, what, pulls } => {
                self.latest = Some(plan);
                if self.conflict.is_some() || self.republished || self.session.is_none() {
                    self.hold(&touched, &what, pulls)
                } else {
                    self.push_checked(touched, what, pulls, 0)
                }
            }
            ToWorker::KeepMine { plan, mut touched, what, known } => {
                self.latest = Some(plan);
                let since = self.conflict.take().unwrap_or(u64::MAX).min(self.outbox_pulls);
                let held = std::mem::take(&mut self.outbox);
                self.outbox_pulls = u64::MAX;
                touched.merge(&held.touched);
                let what = std::iter::once(what).chain(held.what).collect::<Vec<_>>().join("; ");
                if self.session.is_none() || self.republished {
                    self.hold(&touched, &what, since)
                } else {
                    self.pull();
                    self.push_checked(touched, what, since, known)
                }
            }
            ToWorker::TakeTheirs { plan, known } => {
                self.latest = Some(plan);
                let since = self.conflict.take().unwrap_or(u64::MAX).min(self.outbox_pulls);
                if self.session.is_none() || self.republished {
                    Outcome::Held
                } else {
                    self.pull();
                    if self.outbox.is_empty() {
                        Outcome::Pushed
                    } else {
                        let Outbox { touched, what } = std::mem::take(&mut self.outbox);
                        self.outbox_pulls = u64::MAX;
                        self.push_checked(touched, what.join("; "), since, known)
                    }
                }
            }
        };
        // The window's plan is shared with it: let go of it when nothing waits, so its next edit need not copy it.
        if self.outbox.is_empty() && self.conflict.is_none() {
            self.latest = None;
        }
        self.say(FromWorker::Done { ack: true, outcome, waiting: self.waiting() });
    }

    /// Sends a change unless others' edits pulled after pull `since` (and
    /// after entry `known`) touched the same objects: then it is a conflict,
    /// as the database would have said had the change been sent before the pull.
    fn push_checked(&mut self, touched: Touched, what: String, since: u64, known: i64) -> Outcome {
        let stale = self.stale(&touched, since, known);
        if let Some(conflict) = stale {
            self.conflict = Some(since);
            return Outcome::Conflict { conflict: Box::new(conflict), touched, what };
        }
        let (Some(plan), Some(session)) = (self.latest.clone(), self.session.as_mut()) else {
            return self.hold(&touched, &what, since);
        };
        let result = session.push(&plan, &touched, &what);
        self.seen = session.seen();
        match result {
            Ok(_) => Outcome::Pushed,
            Err(PushError::Conflict(conflict)) => {
                self.conflict = Some(since);
                Outcome::Conflict { conflict, touched, what }
            }
            Err(e) if e.is_offline() => {
                let held = self.hold(&touched, &what, since);
                self.offline();
                held
            }
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }

    /// Others' entries pulled after pull `since` and after entry `known` that touched what `touched` names,
    /// with the latest pulled version of what both touched.
    fn stale(&self, touched: &Touched, since: u64, known: i64) -> Option<Conflict> {
        let mut theirs = Vec::new();
        let mut features: BTreeMap<String, Option<Feature>> = BTreeMap::new();
        let mut items: BTreeMap<String, Option<Item>> = BTreeMap::new();
        let mut parts: Option<Box<Plan>> = None;
        for (_, entries, objects) in self.pulls.iter().filter(|(no, ..)| *no > since) {
            let hits: Vec<&Entry> = entries.iter().filter(|e| e.seq > known && overlaps(e, touched)).collect();
            if hits.is_empty() {
                continue;
            }
            theirs.extend(hits.into_iter().cloned());
            for (k, f) in &objects.features {
                if touched.features.contains(k) {
                    features.insert(k.clone(), f.clone());
                }
            }
            for (i, item) in &objects.items {
                if touched.items.contains(i) {
                    items.insert(i.clone(), item.clone());
                }
            }
            if touched.parts && objects.parts.is_some() {
                parts = objects.parts.clone();
            }
        }
        if theirs.is_empty() {
            return None;
        }
        Some(Conflict {
            theirs,
            objects: Objects { features: features.into_iter().collect(), items: items.into_iter().collect(), parts },
        })
    }
}

/// True if an edit log entry touched something `touched` names (a whole publish touches everything).
fn overlaps(e: &Entry, touched: &Touched) -> bool {
    e.is_publish()
        || e.touched.iter().any(|t| {
            if let Some(k) = t.strip_prefix("feature:") {
                touched.features.contains(k)
            } else if let Some(i) = t.strip_prefix("item:") {
                touched.items.contains(i)
            } else {
                t == "parts" && touched.parts
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64, touched: &[&str]) -> Entry {
        Entry {
            seq,
            user: "u".into(),
            at: "2026-01-01 00:00:00".into(),
            what: "w".into(),
            touched: touched.iter().map(|t| t.to_string()).collect(),
        }
    }

    #[test]
    fn an_entry_overlaps_what_names_the_same_feature_item_or_parts() {
        let mut t = Touched::default();
        t.features.insert("b1".into());
        assert!(overlaps(&entry(1, &["feature:b1"]), &t));
        assert!(!overlaps(&entry(1, &["feature:b2", "item:x"]), &t));
        assert!(!overlaps(&entry(1, &["parts"]), &t));
        t.parts = true;
        assert!(overlaps(&entry(1, &["parts"]), &t));
        assert!(overlaps(&entry(1, &["plan"]), &Touched::default()), "a publish touches everything");
    }

    #[test]
    fn pulled_objects_the_planner_changed_and_has_not_sent_stay_the_planners() {
        let objects = Objects {
            features: vec![("b1".into(), None), ("b2".into(), None)],
            items: vec![("i1".into(), None)],
            parts: Some(Box::default()),
        };
        let mut mine = Touched::default();
        mine.features.insert("b1".into());
        mine.items.insert("i1".into());
        let left = without(objects, &mine);
        assert_eq!(left.features.len(), 1);
        assert_eq!(left.features[0].0, "b2");
        assert!(left.items.is_empty() && left.parts.is_some());
    }
}
