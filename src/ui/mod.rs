//! The egui window. Panels return [`Action`]s (intents); [`PlannerApp`]
//! applies them in one place. The map is drawn from the backend-neutral
//! [`crate::render::Scene`].

mod action;
mod app;
pub mod basemaps;
pub mod cad_layers;
mod consent;
mod dashboard;
pub mod database;
pub mod draw;
pub mod export;
pub mod files;
pub mod georef;
pub mod gpu;
mod items;
mod items_table;
pub mod live;
mod map_view;
pub mod message;
pub mod operations;
pub mod paint;
mod panels;
mod phase_bar;
mod scene_job;
pub mod story;
mod table_columns;
pub mod theme;
mod view;
mod vote_grid;

pub use action::Action;
pub use app::{Compare, PlannerApp};

use std::path::PathBuf;

/// The bundled Noto Sans SC subset (GB2312, OFL): no system ships a CJK font
/// we can count on, so Chinese always renders.
pub const CJK_FONT: &[u8] = crate::render::fonts::CJK_FONT;

/// Adds the CJK font as the last fallback of every family, keeping egui's
/// Latin fonts first.
pub fn install_fonts(ctx: &eframe::egui::Context) {
    use eframe::egui::{
        FontData, FontFamily,
        epaint::text::{FontInsert, FontPriority, InsertFontFamily},
    };
    ctx.add_font(FontInsert::new(
        "noto-sans-sc",
        FontData::from_static(CJK_FONT),
        vec![
            InsertFontFamily { family: FontFamily::Proportional, priority: FontPriority::Lowest },
            InsertFontFamily { family: FontFamily::Monospace, priority: FontPriority::Lowest },
        ],
    ));
}

/// Opens the window: with `file`, or the embedded Jinsong plan.
pub fn run(file: Option<PathBuf>, crs: Option<crate::io::crs::Crs>) -> eframe::Result<()> {
    let options = eframe::NativeOptions {
        viewport: eframe::egui::ViewportBuilder::default()
            .with_title("Renewal Planner 更新规划 — 劲松")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([640.0, 420.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    eframe::run_native(
        "Renewal Planner",
        options,
        Box::new(move |cc| {
            install_fonts(&cc.egui_ctx);
            theme::apply(&cc.egui_ctx);
            if cc.gl.is_some() {
                gpu::enable();
            }
            let mut app = PlannerApp::new().with_session(crate::session::data_dir()).with_file_dialogs();
            app.import_crs = crs;
            // A database plan (`postgresql://…?plan=NAME`) too: edited together once read (`ui::live`).
            if let Some(path) = file {
                app.open_path(path);
            }
            Ok(Box::new(app))
        }),
    )
}
