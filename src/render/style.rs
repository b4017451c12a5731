//! Design tokens: every colour and size the map is drawn with, in one place,
//! shared by the screen and the drawn exports. The kinds' colours and strokes
//! and the label colours are not defined here: they are `model::palette`'s,
//! re-exported (the plan file's QGIS styles take them from there too).
//! Colours are sRGB with straight (unmultiplied) alpha.

pub use crate::model::palette::{KindStyle, LABEL_HALO, LABEL_TEXT, Rgba, Stroke, kind_style};

/// The paper the map is drawn on.
pub const BACKGROUND: Rgba = Rgba::rgb(236, 234, 229);
/// Hover and selection highlights.
pub const HOVER: Stroke = Stroke::solid(3.0, Rgba::rgb(255, 170, 0));
pub const SELECTED: Stroke = Stroke::solid(3.5, Rgba::rgb(0, 102, 255));
pub const SELECTED_FILL: Rgba = Rgba::new(0, 102, 255, 60);
/// Ghosts of features absent in a phase: removed ones, and ones still to be added.
pub const GHOST_REMOVED: Rgba = Rgba::rgb(200, 50, 50);
pub const GHOST_ADDED: Rgba = Rgba::rgb(30, 150, 70);
/// Removed features: a red tint and outline crossed with a ✕ (lines: dotted
/// and crossed), unlike the district boundary's dark red dashes.
pub const REMOVED_FILL: Rgba = Rgba::new(215, 25, 25, 46);
pub const REMOVED_OUTLINE: Stroke = Stroke::solid(1.8, Rgba::rgb(215, 25, 25));
pub const REMOVED_CROSS: Stroke = Stroke::solid(2.0, Rgba::rgb(215, 25, 25));
pub const REMOVED_LINE: Stroke = Stroke { width: 2.5, color: Rgba::rgb(215, 25, 25), dash: Some([2.0, 4.0]) };
/// A change whose items have no category.
pub const CHANGE_DEFAULT: Rgba = Rgba::rgb(230, 90, 0);
/// Map furniture (scale bar, north arrow).
pub const FURNITURE: Rgba = Rgba::rgb(40, 40, 40);
pub const FURNITURE_BG: Rgba = Rgba::new(255, 255, 255, 235);

/// Interface text that reports a fault (a geometry problem, an amount that does
/// not parse) or marks a destructive button (delete), and text saying a check
/// passed. The window's colours for them are `ui::theme::ERROR` and `OK`.
pub const ERROR_TEXT: Rgba = Rgba::rgb(190, 30, 30);
pub const OK_TEXT: Rgba = Rgba::rgb(30, 130, 60);

/// Label font sizes in pixels.
pub const LABEL_SIZE: f32 = 13.0;
pub const LABEL_SIZE_SMALL: f32 = 11.5;
pub const LABEL_SIZE_LARGE: f32 = 15.0;

/// How much of the district's ground fill is kept over a basemap (on screen and in exports).
pub const DISTRICT_VEIL: f32 = 0.3;
