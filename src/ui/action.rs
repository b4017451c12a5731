//! What the user asked for, returned by panels and applied by the app in one place.

use std::path::PathBuf;

use crate::i18n::Lang;
use crate::model::{FeatureId, Kind};

/// An intent from the interface.
#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub enum Action {
    OpenDialog,
    OpenPathPrompt,
    Open(PathBuf),
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
    SetLabels(bool),
}
