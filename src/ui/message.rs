//! Messages to the planner (status bar and the error window). A message is
//! kept as what happened, with its facts (a path, a count, the underlying
//! error), and put into words in the language of the interface each time it
//! is shown, so switching language also switches the message on screen.

use std::path::{Path, PathBuf};

use crate::i18n::Strings;

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
    /// A file could not be opened; the open plan is untouched.
    OpenFailed {
        path: PathBuf,
        error: String,
    },
    /// The background reader ended without an answer.
    ReaderStopped(PathBuf),
    Recovered,
    RecoverFailed(String),
    Saving(PathBuf),
    Saved(PathBuf),
    StillSaving,
    SaveFailed {
        path: PathBuf,
        error: String,
    },
    /// The background writer ended without an answer.
    WriterStopped(PathBuf),
    AutosaveFailed(String),
    AutosaveOffBig,
    Exported(PathBuf),
    ExportFailed {
        path: PathBuf,
        error: String,
    },
    PhotoFailed {
        path: PathBuf,
        error: String,
    },
    NothingToUndo,
    NothingToRedo,
    NothingSelected,
    /// An edit the plan refused (e.g. a geometry that would be invalid).
    EditRefused(String),
    CannotDeleteVertex(String),
    /// Something was asked that needs the edit toggle on.
    EditingIsOff,
}

impl Message {
    /// True for failures: shown in red, and those of file operations also in a window.
    pub fn is_error(&self) -> bool {
        use Message::*;
        matches!(
            self,
            OpenFailed { .. }
                | ReaderStopped(_)
                | RecoverFailed(_)
                | SaveFailed { .. }
                | WriterStopped(_)
                | AutosaveFailed(_)
                | ExportFailed { .. }
                | PhotoFailed { .. }
                | NothingSelected
                | EditRefused(_)
                | CannotDeleteVertex(_)
        )
    }

    /// A failure the planner must not miss: a file they asked for that was not
    /// written or read. (A failed autosave stays in the status bar: it would
    /// come back after every edit.)
    pub fn needs_window(&self) -> bool {
        use Message::*;
        matches!(
            self,
            OpenFailed { .. }
                | ReaderStopped(_)
                | RecoverFailed(_)
                | SaveFailed { .. }
                | WriterStopped(_)
                | ExportFailed { .. }
                | PhotoFailed { .. }
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
            OpenFailed { path, error } => format!("{}: {}: {error}", s.load_failed, d(path)),
            ReaderStopped(p) => format!("{}: {}: {}", s.load_failed, d(p), s.reader_stopped),
            Recovered => s.recovered.into(),
            RecoverFailed(e) => format!("{}: {e}", s.load_failed),
            Saving(p) => format!("{} {}…", s.saving, d(p)),
            Saved(p) => format!("{} {}", s.saved, d(p)),
            StillSaving => s.still_saving.into(),
            SaveFailed { path, error } => format!("{} {}: {error}", s.save_failed, d(path)),
            WriterStopped(p) => format!("{} {}: {}", s.save_failed, d(p), s.writer_stopped),
            AutosaveFailed(e) => format!("{}: {e}", s.autosave_failed),
            AutosaveOffBig => s.autosave_off_big.into(),
            Exported(p) => format!("{} {}", s.exported, d(p)),
            ExportFailed { path, error } => format!("{} {}: {error}", s.export_failed, d(path)),
            PhotoFailed { path, error } => format!("{} {}: {error}", s.photo_failed, d(path)),
            NothingToUndo => s.nothing_to_undo.into(),
            NothingToRedo => s.nothing_to_redo.into(),
            NothingSelected => s.nothing_selected.into(),
            EditRefused(e) => format!("{}: {e}", s.edit_refused),
            CannotDeleteVertex(e) => format!("{}: {e}", s.cannot_delete_vertex),
            EditingIsOff => s.editing_is_off.into(),
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
    fn failures_of_files_are_errors_that_open_a_window_and_hints_are_not() {
        let failed = Message::ExportFailed { path: "x.pdf".into(), error: "disk full".into() };
        assert!(failed.is_error() && failed.needs_window());
        assert!(failed.text(Lang::En.strings()).contains("disk full"));
        assert!(!Message::NothingToUndo.is_error() && !Message::NothingToUndo.needs_window());
        assert!(!Message::EditingIsOff.needs_window());
        let autosave = Message::AutosaveFailed("disk full".into());
        assert!(autosave.is_error() && !autosave.needs_window());
    }
}
