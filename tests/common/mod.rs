//! What the UI tests share: a harness that runs the real app with the
//! bundled CJK font and the app's theme.

use eframe::egui::Pos2;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
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

/// Scrolls a window to the widget named `label` and clicks it (a click is the pointer's: the widget
/// must be in view; scrolling is animated, so it settles first).
#[allow(dead_code)] // Not every test file clicks by label.
pub fn click_label(h: &mut Harness<'static, PlannerApp>, label: &str) {
    h.get_by_label(label).scroll_to_me();
    h.run_steps(15);
    h.get_by_label(label).click();
    h.run_steps(3);
}

/// Types `text` into the text field named `label`, over what it holds (as typing over a selection does).
#[allow(dead_code)] // Not every test file types.
pub fn retype(h: &mut Harness<'static, PlannerApp>, label: &str, text: &str) {
    h.get_by_label(label).scroll_to_me();
    h.run_steps(15);
    h.get_by_label(label).focus();
    h.run_steps(1);
    h.key_press_modifiers(eframe::egui::Modifiers::COMMAND, eframe::egui::Key::A);
    h.get_by_label(label).type_text(text);
    h.run_steps(2);
}
