//! The egui look: light, calm, readable on a projector.

use eframe::egui::{self, Color32};

use crate::render::style::{self, Rgba};

/// An `egui` colour from a design token.
pub const fn color(c: Rgba) -> Color32 {
    Color32::from_rgba_unmultiplied_const(c.0[0], c.0[1], c.0[2], c.0[3])
}

/// Error text and destructive buttons ([`style::ERROR_TEXT`]).
pub const ERROR: Color32 = color(style::ERROR_TEXT);
/// Text saying a check passed ([`style::OK_TEXT`]).
pub const OK: Color32 = color(style::OK_TEXT);

/// Applies the app's visuals and options.
pub fn apply(ctx: &egui::Context) {
    ctx.set_visuals(egui::Visuals::light());
    ctx.options_mut(|o| {
        // + and − zoom the map, not the interface.
        o.zoom_with_keyboard = false;
    });
    ctx.global_style_mut(|s| {
        s.spacing.item_spacing = egui::vec2(8.0, 5.0);
    });
}
