//! What the UI tests share: a harness that runs the real app with the
//! bundled CJK font and the app's theme.

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
