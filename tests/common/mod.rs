//! What the UI tests share: a harness that runs the real app with the
//! bundled CJK font and the app's theme.

use eframe::egui::Pos2;
use egui_kittest::Harness;
use renewal_planner::ui::{PlannerApp, install_fonts, theme};

pub fn harness(app: PlannerApp, size: [f32; 2]) -> Harness<'static, PlannerApp> {
    Harness::builder()
        .with_size(size)
        .with_context_setup(|ctx| {
            install_fonts(ctx);
            theme::apply(ctx);
        })
        .build_ui_state(|ui, app: &mut PlannerApp| app.show(ui), app)
}

/// A click at a screen point, as the pointer does it: move there, press, release.
#[allow(dead_code)] // Not every test file clicks.
pub fn click(h: &mut Harness<'static, PlannerApp>, p: Pos2) {
    h.hover_at(p);
    h.run_steps(1);
    h.drag_at(p);
    h.drop_at(p);
    h.run_steps(2);
}
