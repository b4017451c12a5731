//! Messages to the planner (status bar and the error window). A message is
//! kept as what happened, with its facts (a path, a count, the underlying
//! error), and put into words in the language of the interface each time it
//! is shown, so switching language also switches the message on screen.

use std::path::{Path, PathBuf};

use crate::error::{ExportError, OutOfMemory, SaveError};
use crate::i18n::Strings;
use crate::io::LoadError;

/// Why a file could not be read or written, kept as a value: a shortage of
/// memory, or a plan without slides, is worded in the language shown; other
/// errors keep the text of the error they came from.
#[derive(Clone, Debug, PartialEq)]
pub enum Reason {
    OutOfMemory(OutOfMemory),
    /// A handout was asked of a plan without slides.
    NoSlides,
    /// A file imported into the plan held no features.
    ImportEmpty,
    /// The thread writing a file ended without an answer.
    Stopped,
    /// A database fault worded in the language shown (`io::postgis::DbError`).
    Db(DbReason),
    Text(String),
}

/// The database faults a planner meets most, kept as facts so they are worded
/// in the language shown; others keep the text of their error.
#[derive(Clone, Debug, PartialEq)]
pub enum DbReason {
    NeedsPassword { server: String, user: String },
    NoPlan { plan: String, db: String, others: Vec<String> },
    Exists { plan: String, db: String },
    ReadOnly { user: String, plan: String },
    Changed { plan: String, by: String, at: String },
    Unreachable { server: String, why: String },
    Refused { server: String, user: String, why: String },
}

impl From<crate::io::postgis::DbError> for Reason {
    fn from(e: crate::io::postgis::DbError) -> Self {
        use crate::io::postgis::DbError as E;
        Reason::Db(match e {
            E::NeedsPassword { server, user } => DbReason::NeedsPassword { server, user },
            E::NoPlan { plan, db, others } => DbReason::NoPlan { plan, db, others },
            E::Exists { plan, db } => DbReason::Exists { plan, db },
            E::ReadOnly { user, plan, .. } => DbReason::ReadOnly { user, plan },
            E::Changed { plan, by, at } => DbReason::Changed { plan, by, at },
            E::Unreachable { server, why } => DbReason::Unreachable { server, why },
            E::Refused { server, user, why } => DbReason::Refused { server, user, why },
            E::Save(e) => return e.into(),
            e => return Reason::Text(e.to_string()),
        })
    }
}

impl Reason {
    /// The reason in the words of one language.
    pub fn text(&self, s: &Strings) -> String {
        match self {
            Reason::OutOfMemory(m) => s.out_of_memory(*m),
            Reason::NoSlides => s.no_slides.into(),
            Reason::ImportEmpty => s.import_empty.into(),
            Reason::Stopped => s.writer_stopped.into(),
            Reason::Db(r) => {
                let w = s.database_words();
                match r {
                    DbReason::NeedsPassword { server, user } => w.needs_password_of(server, user),
                    DbReason::NoPlan { plan, db, others } => w.no_plan(plan, db, others),
                    DbReason::Exists { plan, db } => w.exists(plan, db),
                    DbReason::ReadOnly { user, plan } => w.read_only_role(user, plan),
                    DbReason::Changed { plan, by, at } => w.changed(plan, by, at),
                    DbReason::Unreachable { server, why } => w.unreachable(server, why),
                    DbReason::Refused { server, user, why } => w.refused(server, user, why),
                }
            }
            Reason::Text(t) => t.clone(),
        }
    }
}

impl From<&str> for Reason {
    fn from(t: &str) -> Self {
        Reason::Text(t.into())
    }
}

impl From<String> for Reason {
    fn from(t: String) -> Self {
        Reason::Text(t)
    }
}

impl From<LoadError> for Reason {
    fn from(e: LoadError) -> Self {
        match e {
            LoadError::OutOfMemory(m) => Reason::OutOfMemory(m),
            LoadError::Database(e) => e.into(),
            e => Reason::Text(e.to_string()),
        }
    }
}

impl From<SaveError> for Reason {
    fn from(e: SaveError) -> Self {
        match e.out_of_memory() {
            Some(m) => Reason::OutOfMemory(m),
            None => Reason::Text(e.to_string()),
        }
    }
}

impl From<ExportError> for Reason {
    fn from(e: ExportError) -> Self {
        match (e.out_of_memory(), &e) {
            (Some(m), _) => Reason::OutOfMemory(m),
            (None, ExportError::NoStory) => Reason::NoSlides,
            (None, _) => Reason::Text(e.to_string()),
        }
    }
}

/// Something to tell the planner.
#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    /// A plan file was opened.
    Opened {
        path: PathBuf,
        features: usize,
        warnings: usize,
    },
    OpenedJinsong,
    OpenCancelled(PathBuf),
    /// File → Import layer… added a file's features to the plan (one undo step).
    Imported {
        path: PathBuf,
        features: usize,
        /// Features of each kind, most first.
        kinds: Vec<(crate::model::Kind, usize)>,
        /// Warnings from reading the file (features left out, repairs).
        warnings: usize,
        /// What the file had that is not merged.
        left_out: crate::import::LeftOut,
    },
    /// A file could not be imported; the plan is untouched.
    ImportFailed {
        path: PathBuf,
        error: Reason,
    },
    ImportCancelled(PathBuf),
    /// A file could not be opened; the open plan is untouched.
    OpenFailed {
        path: PathBuf,
        error: Reason,
    },
    /// The background reader ended without an answer.
    ReaderStopped(PathBuf),
    Recovered,
    RecoverFailed(Reason),
    Saving(PathBuf),
    Saved(PathBuf),
    StillSaving,
    SaveFailed {
        path: PathBuf,
        error: Reason,
    },
    /// The background writer ended without an answer.
    WriterStopped(PathBuf),
    AutosaveFailed(Reason),
    AutosaveOffBig,
    Exported(PathBuf),
    ExportFailed {
        path: PathBuf,
        error: Reason,
    },
    /// The planner stopped an export; nothing was written to the path.
    ExportCancelled(PathBuf),
    /// An export was asked for while another runs (the second is not queued).
    StillExporting,
    PhotoFailed {
        path: PathBuf,
        error: Reason,
    },
    /// This edit was undone or redone (so a message about the edit itself does not stay standing).
    Undone(crate::edit::EditLabel),
    Redone(crate::edit::EditLabel),
    NothingToUndo,
    NothingToRedo,
    /// The edit to undo or redo could not be applied; it stays to be tried again.
    UndoFailed(String),
    RedoFailed(String),
    NothingSelected,
    /// An edit the plan refused (e.g. a geometry that would be invalid).
    EditRefused(String),
    CannotDeleteVertex(String),
    /// Something was asked that needs the edit toggle on.
    EditingIsOff,
    /// A basemap cannot be drawn (its first fault, said once); the map stays usable.
    BasemapFailed {
        name: String,
        error: String,
    },
    KeySaved,
    KeySaveFailed(Reason),
    /// The open plan is being published to its database location (shown without any password).
    Publishing(String),
    /// The open plan was published; `notes`: what the planner should know (left out, …).
    Published {
        location: String,
        revision: i64,
        notes: Vec<String>,
    },
    /// A publish failed; the database and the open plan are untouched.
    PublishFailed {
        location: String,
        error: Reason,
    },
    /// A publish was asked for while another runs.
    StillPublishing,
    /// Save on a plan the database role may only read: nothing was done.
    ReadOnlySave {
        user: String,
        plan: String,
    },
    /// Someone else published the plan since it was opened here: the conflict window asks what to do.
    PublishConflict {
        plan: String,
        by: String,
        at: String,
    },
    /// The server asks for a password: the database window asks for it.
    NeedsPassword(String),
    /// Editing a database plan together: others' edits, a conflict, offline… (`ui::live`).
    Live(super::live::LiveNote),
}

impl Message {
    /// True for failures: shown in red (those that need a window among them).
    pub fn is_error(&self) -> bool {
        use Message::*;
        self.needs_window()
            || matches!(
                self,
                AutosaveFailed(_)
                    | UndoFailed(_)
                    | RedoFailed(_)
                    | NothingSelected
                    | EditRefused(_)
                    | CannotDeleteVertex(_)
                    | BasemapFailed { .. }
                    | KeySaveFailed(_)
                    | PublishConflict { .. }
                    | NeedsPassword(_)
                    | StillPublishing
            )
            || matches!(self, Live(n) if n.is_error())
    }

    /// A failure the planner must not miss: a file they asked for that was not
    /// written or read. (A failed autosave stays in the status bar: it would
    /// come back after every edit.)
    pub fn needs_window(&self) -> bool {
        use Message::*;
        matches!(
            self,
            OpenFailed { .. }
                | ImportFailed { .. }
                | ReaderStopped(_)
                | RecoverFailed(_)
                | SaveFailed { .. }
                | WriterStopped(_)
                | ExportFailed { .. }
                | PhotoFailed { .. }
                | PublishFailed { .. }
                | ReadOnlySave { .. }
        )
    }

    /// The message in the words of one language.
    pub fn text(&self, s: &Strings) -> String {
        use Message::*;
        let d = |p: &Path| p.display().to_string();
        match self {
            Opened { path, features, warnings } => {
                let mut t = format!("{} {} — {features} {}", s.loaded, d(path), s.features);
                if *warnings > 0 {
                    t.push_str(&format!(", {warnings} {}", s.warnings));
                }
                t
            }
            OpenedJinsong => format!("{} {}", s.loaded, s.jinsong_name),
            OpenCancelled(p) => format!("{} {}", s.load_cancelled, d(p)),
            Imported { path, features, kinds, warnings, left_out } => {
                let mut t = s.imported_features(*features, &d(path), kinds);
                if *warnings > 0 {
                    t.push_str(&format!("; {warnings} {}", s.warnings));
                }
                if left_out.any() {
                    let parts: Vec<String> = [
                        (left_out.items, s.items),
                        (left_out.stories, s.stories),
                        (left_out.basemaps, s.basemaps),
                        (left_out.photos, s.photos),
                    ]
                    .into_iter()
                    .filter(|(n, _)| *n > 0)
                    .map(|(n, what)| format!("{n} {}", what.to_lowercase()))
                    .collect();
                    t.push_str(&format!("; {} {}", s.import_not_merged, parts.join(", ")));
                }
                t
            }
            ImportFailed { path, error } => format!("{}: {}: {}", s.import_failed, d(path), error.text(s)),
            ImportCancelled(p) => format!("{} {}", s.import_cancelled, d(p)),
            OpenFailed { path, error } => format!("{}: {}: {}", s.load_failed, d(path), error.text(s)),
            ReaderStopped(p) => format!("{}: {}: {}", s.load_failed, d(p), s.reader_stopped),
            Recovered => s.recovered.into(),
            RecoverFailed(e) => format!("{}: {}", s.load_failed, e.text(s)),
            Saving(p) => format!("{} {}…", s.saving, d(p)),
            Saved(p) => format!("{} {}", s.saved, d(p)),
            StillSaving => s.still_saving.into(),
            SaveFailed { path, error } => format!("{} {}: {}", s.save_failed, d(path), error.text(s)),
            WriterStopped(p) => format!("{} {}: {}", s.save_failed, d(p), s.writer_stopped),
            AutosaveFailed(e) => format!("{}: {}", s.autosave_failed, e.text(s)),
            AutosaveOffBig => s.autosave_off_big.into(),
            Exported(p) => format!("{} {}", s.exported, d(p)),
            ExportFailed { path, error } => format!("{} {}: {}", s.export_failed, d(path), error.text(s)),
            ExportCancelled(p) => format!("{} {}", s.export_cancelled, d(p)),
            StillExporting => s.still_exporting.into(),
            PhotoFailed { path, error } => format!("{} {}: {}", s.photo_failed, d(path), error.text(s)),
            Undone(l) => format!("{}: {}", s.undone, s.action(*l)),
            Redone(l) => format!("{}: {}", s.redone, s.action(*l)),
            NothingToUndo => s.nothing_to_undo.into(),
            NothingToRedo => s.nothing_to_redo.into(),
            UndoFailed(e) => format!("{}: {e}", s.undo_failed),
            RedoFailed(e) => format!("{}: {e}", s.redo_failed),
            NothingSelected => s.nothing_selected.into(),
            EditRefused(e) => format!("{}: {e}", s.edit_refused),
            CannotDeleteVertex(e) => format!("{}: {e}", s.cannot_delete_vertex),
            EditingIsOff => s.editing_is_off.into(),
            BasemapFailed { name, error } => format!("{}: {name}: {error}", s.basemap_failed),
            KeySaved => s.key_saved.into(),
            KeySaveFailed(e) => format!("{}: {}", s.key_save_failed, e.text(s)),
            Publishing(at) => format!("{} {at}…", s.database_words().publishing),
            Published { location, revision, notes } => {
                let w = s.database_words();
                let mut t = format!("{} {location} ({} {revision})", w.published, w.revision);
                for n in notes {
                    t.push_str(&format!("; {n}"));
                }
                t
            }
            PublishFailed { location, error } => {
                format!("{} {location}: {}", s.database_words().publish_failed, error.text(s))
            }
            StillPublishing => s.database_words().still_publishing.into(),
            ReadOnlySave { user, plan } => s.database_words().read_only_save(user, plan),
            PublishConflict { plan, by, at } => s.database_words().changed(plan, by, at),
            NeedsPassword(at) => format!("{}: {at}", s.database_words().needs_password),
            Live(n) => {
                let lang = if std::ptr::eq(s, crate::i18n::Lang::Zh.strings()) {
                    crate::i18n::Lang::Zh
                } else {
                    crate::i18n::Lang::En
                };
                n.text(lang)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn a_message_is_worded_in_the_language_it_is_shown_in() {
        let m = Message::Saved(PathBuf::from("/tmp/plan.gpkg"));
        assert_eq!(m.text(Lang::Zh.strings()), "已保存 /tmp/plan.gpkg");
        assert_eq!(m.text(Lang::En.strings()), "Saved /tmp/plan.gpkg");
    }

    #[test]
    fn a_cancelled_export_is_said_in_both_languages_and_is_not_a_failure() {
        let m = Message::ExportCancelled(PathBuf::from("/tmp/atlas.pdf"));
        assert_eq!(m.text(Lang::Zh.strings()), "已取消导出，未写入文件： /tmp/atlas.pdf");
        assert_eq!(m.text(Lang::En.strings()), "Export cancelled, nothing written: /tmp/atlas.pdf");
        assert!(!m.is_error() && !m.needs_window());
        let stopped = Message::ExportFailed { path: "a.pdf".into(), error: Reason::Stopped };
        assert_eq!(stopped.text(Lang::En.strings()), "Export failed a.pdf: the writer stopped unexpectedly");
        assert!(stopped.needs_window());
    }

    #[test]
    fn failures_of_files_are_errors_that_open_a_window_and_hints_are_not() {
        let failed = Message::ExportFailed { path: "x.pdf".into(), error: "disk full".into() };
        assert!(failed.is_error() && failed.needs_window());
        assert!(failed.text(Lang::En.strings()).contains("disk full"));
        assert!(!Message::NothingToUndo.is_error() && !Message::NothingToUndo.needs_window());
        assert!(!Message::EditingIsOff.needs_window());
        let autosave = Message::AutosaveFailed("disk full".into());
        assert!(autosave.is_error() && !autosave.needs_window());
    }

    #[test]
    fn running_out_of_memory_is_said_in_the_language_shown_not_as_a_malformed_file() {
        let m = Message::OpenFailed {
            path: "big.geojson".into(),
            error: LoadError::from(crate::io::memory::exhausted()).into(),
        };
        let zh = m.text(Lang::Zh.strings());
        let en = m.text(Lang::En.strings());
        assert!(zh.contains("内存不足") && !zh.contains("ran low"), "{zh}");
        assert!(en.contains("ran low on memory") && !en.contains("memory:"), "{en}");
        let refused = Message::ExportFailed {
            path: "map.png".into(),
            error: ExportError::OutOfMemory(OutOfMemory::Image { need_mb: 900, available_mb: 300 }).into(),
        };
        assert!(refused.text(Lang::Zh.strings()).contains("约需 900 MB"), "{}", refused.text(Lang::Zh.strings()));
        assert!(refused.text(Lang::En.strings()).contains("about 900 MB"));
    }

    #[test]
    fn an_import_names_its_count_kinds_and_what_was_not_merged_in_both_languages() {
        use crate::model::Kind;
        let m = Message::Imported {
            path: "新建筑.shp".into(),
            features: 23,
            kinds: vec![(Kind::Building, 20), (Kind::Street, 3)],
            warnings: 0,
            left_out: crate::import::LeftOut { items: 2, ..Default::default() },
        };
        assert_eq!(
            m.text(Lang::En.strings()),
            "Imported 23 features from 新建筑.shp (kinds: 20 buildings, 3 streets); not merged from the file: 2 renewal items"
        );
        let zh = m.text(Lang::Zh.strings());
        assert!(zh.starts_with("已导入 新建筑.shp 的 23 个要素（楼栋 20、街巷 3）"), "{zh}");
        assert!(zh.contains("未合并") && zh.contains("2 改造项目"), "{zh}");
        let failed = Message::ImportFailed { path: "a.dxf".into(), error: "line 3: bad".into() };
        assert!(failed.needs_window() && failed.text(Lang::En.strings()).starts_with("Could not import: a.dxf"));
        // An empty file is worded when shown, so a language switch rewords it.
        let empty = Message::ImportFailed { path: "空.csv".into(), error: Reason::ImportEmpty };
        assert!(
            empty.text(Lang::En.strings()).ends_with("the file holds no features"),
            "{}",
            empty.text(Lang::En.strings())
        );
        assert!(empty.text(Lang::Zh.strings()).ends_with("文件中没有要素"), "{}", empty.text(Lang::Zh.strings()));
    }

    #[test]
    fn database_faults_are_worded_in_both_languages_without_a_password() {
        use crate::io::postgis::DbError;
        let m = Message::OpenFailed {
            path: crate::io::postgis::redact("postgresql://ann:s3cret@h/rp?plan=x").into(),
            error: LoadError::Database(DbError::NoPlan { plan: "x".into(), db: "rp".into(), others: vec!["a".into()] })
                .into(),
        };
        let (zh, en) = (m.text(Lang::Zh.strings()), m.text(Lang::En.strings()));
        assert!(zh.contains("数据库 rp 中没有方案 x（现有方案：a）") && !zh.contains("s3cret"), "{zh}");
        assert!(en.contains("there is no plan x in database rp (plans there: a)") && !en.contains("s3cret"), "{en}");
        assert!(m.needs_window());
        let ro = Message::ReadOnlySave { user: "viewer".into(), plan: "jinsong".into() };
        assert!(ro.needs_window());
        assert!(ro.text(Lang::Zh.strings()).contains("数据库角色 viewer 不能修改方案 jinsong"));
        assert!(ro.text(Lang::En.strings()).contains("database role viewer may not change plan jinsong"));
        let exists: Reason = DbError::Exists { plan: "p".into(), db: "rp".into() }.into();
        assert!(exists.text(Lang::En.strings()).contains("Replace the plan of that name"));
    }

    #[test]
    fn a_failed_undo_is_an_error_in_the_status_bar() {
        let m = Message::UndoFailed("feature FeatureId(2) does not exist".into());
        assert!(m.is_error() && !m.needs_window());
        assert!(m.text(Lang::En.strings()).starts_with("Cannot undo (the step is kept): feature"));
    }
}
