//! The map canvas: pan, zoom, hover, click — and drawing the scene.

use eframe::egui::{self, Key, Pos2, Sense, emath};

use super::action::Action;
use super::app::{Compare, PlannerApp, SceneMemo};
use super::paint::{paint_furniture, paint_scene};
use super::scene_job::{Inputs, Poll, SLOW_SCENE_MS, SceneJob, Want};
use super::theme::color;
use crate::model::Phase;
use crate::model::measure::{Measure, format_area, format_length, measure};
use crate::model::phase::date_range;
use crate::render::{Camera, Scene, style};

/// Hit-test tolerance in pixels.
const PICK_PX: f64 = 5.0;
/// Arrow-key pan speed in pixels per second.
const KEY_PAN_SPEED: f32 = 700.0;

/// Shows the map in the remaining space.
pub fn central(ui: &mut egui::Ui, app: &mut PlannerApp) -> Vec<Action> {
    let mut actions = Vec::new();
    egui::CentralPanel::no_frame().show(ui, |ui| {
        let full = ui.max_rect();
        let response = ui.allocate_rect(full, Sense::click_and_drag());
        let ctx = ui.ctx().clone();
        // The swipe divider sits on top of the map and takes its own drags.
        if app.compare == Compare::Swipe {
            let x = full.left() + full.width() * app.swipe;
            let handle = egui::Rect::from_center_size(Pos2::new(x, full.center().y), egui::vec2(18.0, full.height()));
            let r = ui.interact(handle, ui.scope_id().with("swipe_divider"), Sense::drag());
            if r.dragged() {
                app.swipe = (app.swipe + r.drag_delta().x / full.width().max(1.0)).clamp(0.02, 0.98);
            }
            if r.hovered() || r.dragged() {
                ctx.set_cursor_icon(egui::CursorIcon::ResizeHorizontal);
            }
        }
        let panes = panes(app, full);
        let pointer = response.hover_pos().or(response.interact_pointer_pos());
        let active =
            pointer.and_then(|p| panes.iter().position(|pane| pane.clip.contains(p))).unwrap_or(panes.len() - 1);
        let rect = panes[active].rect;
        app.active_phase = panes[active].phase.clone();
        let size = [rect.width(), rect.height()];
        app.map_rect = Some(rect);

        // First frame, or after opening a plan: fit the district.
        let mut cam = match app.camera {
            Some(mut c) => {
                c.size = size;
                c
            }
            None => app.district_extent().map(|e| Camera::fit(e, size, 30.0)).unwrap_or_else(|| Camera::new(size)),
        };
        if let Some(target) = &mut app.fly_to {
            target.size = size;
        }
        // Set when the map is dragged, zoomed or moved with the keys this frame.
        let mut moving = false;

        // The drawing tools and vertex editing come first; what they do not use pans.
        let (tool_actions, drag_used) = super::draw::interact(ui, &response, rect, &cam, app);
        actions.extend(tool_actions);
        let selecting = app.tool == super::draw::Tool::Select;

        // Shift+drag draws a selection box; a plain drag pans.
        let shift = ui.input(|i| i.modifiers.shift);
        if drag_used {
            app.fly_to = None;
        } else if response.drag_started() && shift && selecting {
            app.box_select = response.interact_pointer_pos();
        }
        if let (Some(start), true) = (app.box_select, response.drag_stopped()) {
            if let Some(end) = response.interact_pointer_pos().or(response.hover_pos()) {
                let a = cam.screen_to_lonlat([start.x - rect.left(), start.y - rect.top()]);
                let b = cam.screen_to_lonlat([end.x - rect.left(), end.y - rect.top()]);
                let r = [a[0].min(b[0]), a[1].min(b[1]), a[0].max(b[0]), a[1].max(b[1])];
                let mut ids: Vec<_> = app.opts.selected.iter().copied().collect();
                for id in app.doc.index().query(r) {
                    let keep = app.doc.plan().get(id).is_some_and(|f| {
                        f.kind != crate::model::Kind::Boundary && app.opts.visible[crate::render::kind_slot(f.kind)]
                    });
                    if keep && !ids.contains(&id) {
                        ids.push(id);
                    }
                }
                actions.push(Action::SelectMany(ids));
            }
            app.box_select = None;
        } else if response.dragged() && app.box_select.is_none() && !drag_used {
            // A drag the tools did not take (not on a handle, not moving the feature) pans.
            // egui recognises a drag only after the pointer has moved a few pixels; the first
            // frame pans from where the button went down, so the map stays under the pointer.
            let origin = ui.input(|i| i.pointer.press_origin());
            let d = match (response.drag_started(), origin, response.interact_pointer_pos()) {
                (true, Some(from), Some(now)) => now - from,
                _ => response.drag_delta(),
            };
            cam.pan_pixels(d.x, d.y);
            app.fly_to = None;
            moving = true;
        }
        // Zoom at the cursor: wheel, pinch (and ctrl+wheel).
        if response.hovered()
            && let Some(p) = response.hover_pos()
        {
            let (scroll, zoom) = ui.input(|i| (i.smooth_scroll_delta, i.zoom_delta()));
            let factor = (scroll.y as f64 * 0.0025).exp() * zoom as f64;
            if (factor - 1.0).abs() > 1e-6 {
                cam.zoom_at(factor, [p.x - rect.left(), p.y - rect.top()]);
                app.fly_to = None;
                moving = true;
            }
        }
        // Keyboard: arrows pan, + and − zoom at the centre (in a presentation the arrows step slides).
        // The vote grid moves its cursor with the arrows: the map does not pan under it.
        let grid_keys = app.shown.consent && app.panels.consent.grid.active;
        if !ctx.egui_wants_keyboard_input() && app.presenting.is_none() && !grid_keys {
            let (dt, l, r, u, d, plus, minus) = ui.input(|i| {
                (
                    i.stable_dt.min(0.1),
                    i.key_down(Key::ArrowLeft),
                    i.key_down(Key::ArrowRight),
                    i.key_down(Key::ArrowUp),
                    i.key_down(Key::ArrowDown),
                    i.key_pressed(Key::Plus) || i.key_pressed(Key::Equals),
                    i.key_pressed(Key::Minus),
                )
            });
            let step = KEY_PAN_SPEED * dt;
            let (dx, dy) = ((l as i32 - r as i32) as f32 * step, (u as i32 - d as i32) as f32 * step);
            if dx != 0.0 || dy != 0.0 {
                cam.pan_pixels(dx, dy);
                app.fly_to = None;
                moving = true;
                ctx.request_repaint();
            }
            let centre = [size[0] / 2.0, size[1] / 2.0];
            if plus {
                cam.zoom_at(1.5, centre);
                app.fly_to = None;
                moving = true;
            }
            if minus {
                cam.zoom_at(1.0 / 1.5, centre);
                app.fly_to = None;
                moving = true;
            }
        }
        // A flight in progress glides on.
        if let Some(target) = app.fly_to {
            let dt = ui.input(|i| i.stable_dt).min(0.1) as f64;
            if cam.glide_towards(&target, 1.0 - (-dt * 9.0).exp()) {
                app.fly_to = None;
            } else {
                ctx.request_repaint();
            }
        }
        cam.clamp_zoom();
        app.camera = Some(cam);

        // Hover and click, through the spatial index.
        let tol_m = PICK_PX * cam.ground_mpp();
        let hovered = response.hover_pos().and_then(|p| {
            let ll = cam.screen_to_lonlat([p.x - rect.left(), p.y - rect.top()]);
            app.cursor = Some(ll);
            app.doc.index().hit_test_in(app.doc.plan(), ll[0], ll[1], tol_m, &app.active_phase)
        });
        if response.hover_pos().is_none() {
            app.cursor = None;
        }
        // A presentation shows the slide, not what the pointer happens to rest on.
        let hovered = hovered.filter(|id| {
            app.presenting.is_none()
                && app.doc.plan().get(*id).is_some_and(|f| app.opts.visible[crate::render::kind_slot(f.kind)])
        });
        // The hover highlight is drawn over the pane's scene (`Scene::hover`), so it rebuilds nothing.
        app.opts.hovered = hovered;
        // The georeferencing window waiting for a point on the map takes the click.
        let georef_click = response.clicked() && app.panels.georef.as_ref().is_some_and(|g| g.waiting_for_map());
        if georef_click && let Some(ll) = app.cursor {
            actions.push(Action::GeorefMapClick(ll));
        }
        if response.clicked() && selecting && !georef_click {
            match (shift, hovered) {
                (true, Some(id)) => actions.push(Action::ToggleSelect(id)),
                (true, None) => {}
                (false, h) => actions.push(Action::Select(h)),
            }
        }

        // Build each pane's scene only when something it depends on changed. While the
        // map is being panned or zoomed, a scene that was slow to build is shown moved and
        // scaled instead (what comes into view stays empty) until the map has been still
        // for a moment, or has moved half a view or zoomed twofold. A slow scene is then made
        // again on another thread (`scene_job`) while the old one is still shown moved, so no
        // frame waits for it; a quick one is made here.
        let now = ui.input(|i| i.time);
        if moving || app.fly_to.is_some() {
            app.moved_at = now;
        }
        let settling = now - app.moved_at < SETTLE_S;
        if settling {
            ctx.request_repaint_after(std::time::Duration::from_secs_f64(SETTLE_S));
        }
        app.memos.resize_with(panes.len(), || None);
        app.scene_jobs.resize_with(panes.len(), || None);
        let mut waiting = false;
        for (i, pane) in panes.iter().enumerate() {
            let want = Want { generation: app.generation, phase: pane.phase.clone(), camera: cam };
            let current = |m: &SceneMemo| m.generation == want.generation && m.phase == want.phase;
            // A scene made on another thread is taken if it shows the plan as it is now (never
            // one of an older generation) and was asked for after the one shown.
            let mut failed = false;
            match app.scene_jobs[i].as_ref().map(SceneJob::poll) {
                None => {}
                Some(Poll::Pending) => {
                    waiting = true;
                    if let Some(j) = &app.scene_jobs[i]
                        && !(j.want.generation == want.generation && j.want.phase == want.phase)
                    {
                        j.supersede();
                    }
                }
                Some(Poll::Done(memo)) => {
                    app.scene_jobs[i] = None;
                    app.note_scene(true, memo.build_ms);
                    if current(&memo) && app.memos[i].as_ref().is_none_or(|m| !current(m) || m.request < memo.request) {
                        app.memos[i] = Some(*memo);
                    }
                }
                Some(Poll::Superseded) => app.scene_jobs[i] = None,
                Some(Poll::Failed) => {
                    app.scene_jobs[i] = None;
                    failed = true;
                }
            }
            let memo = app.memos[i].as_ref();
            let fresh = memo.is_some_and(|m| {
                current(m)
                    && (m.camera == cam
                        || settling && m.build_ms > SLOW_SCENE_MS && view_change(&m.camera, &cam).is_some())
            });
            if fresh {
                continue;
            }
            let slow = app.slow_scenes.of(memo, app.doc.plan().len());
            // STALE: after an edit, a selection or a phase change, a slow pane goes on showing its
            // previous scene — the previous colours, selection, phase — for the moment the new one
            // takes, but only where it was made for this very view (same centre and scale; the pane
            // may have changed size, as when the inspector opens on a selection), so it is never
            // moved. Moved, it would pass for the plan as it is now: then the new scene is made here.
            // (No scene yet — a big plan just opened — shows nothing wrong: the map is empty meanwhile.)
            let showable = memo.is_none_or(|m| current(m) || same_ground(&m.camera, &cam));
            if slow && showable && !failed {
                waiting = true;
                // One job a pane: a newer want waits for the running one (which cannot be stopped
                // half-way) and is asked for when it ends; its scene, if current, is shown meanwhile.
                if app.scene_jobs[i].is_some() {
                    continue;
                }
                app.scene_requests += 1;
                let (request, hold) = (app.scene_requests, app.scene_hold.clone());
                if let Some(job) = SceneJob::start(&ctx, want.clone(), request, scene_inputs(app, pane), hold) {
                    app.scene_jobs[i] = Some(job);
                    continue;
                }
                // No thread to be had: made here after all.
            }
            app.scene_requests += 1;
            let memo = super::scene_job::make(&ctx, &want, app.scene_requests, scene_inputs(app, pane));
            app.note_scene(false, memo.build_ms);
            app.memos[i] = Some(memo);
        }
        if waiting {
            // The job wakes the window when it ends, however it ends; this is only a safety net
            // (frames drawn meanwhile would take the cores the job needs).
            ctx.request_repaint_after(std::time::Duration::from_secs(1));
        }
        let painter = ui.painter_at(full);
        painter.rect_filled(full, 0.0, color(style::BACKGROUND));
        for (i, pane) in panes.iter().enumerate() {
            // The basemaps under the features, in every pane.
            app.basemaps.paint(&ui.painter_at(pane.clip), pane.rect, &cam);
            if let Some(m) = &app.memos[i] {
                let change = placement(&m.camera, &cam);
                m.painted.paint(&ui.painter_at(pane.clip), &m.scene, pane.rect.min, change);
            }
            if app.opts.hovered.is_some() {
                let hover = Scene::hover(app.doc.plan(), &app.cache, &cam, &app.opts, &pane.phase);
                paint_scene(&ui.painter_at(pane.clip), pane.rect.min, &hover);
            }
        }
        // While presenting, the furniture keeps to the free area between the title and caption bands
        // (and left of a slide's payback chart).
        let free = app.panels.story.layout.filter(|_| app.presenting.is_some()).map(|l| l.free);
        let furn = free.map_or(rect, |f| rect.intersect(f));
        paint_panes(&painter, full, free.map_or(full.top(), |f| f.top()), &panes, app);
        let painter = ui.painter_at(rect);
        super::draw::paint(&painter, rect, &cam, app);
        paint_furniture(&painter, furn, cam.ground_mpp());
        super::basemaps::paint_attribution(&ui.painter_at(full), full, &app.basemaps.attributions());
        if let (Some(start), Some(now)) = (app.box_select, response.hover_pos().or(response.interact_pointer_pos())) {
            let r = egui::Rect::from_two_pos(start, now);
            painter.rect_filled(r, 0.0, egui::Color32::from_rgba_unmultiplied(0, 102, 255, 30));
            painter.rect_stroke(
                r,
                0.0,
                egui::Stroke::new(1.5, egui::Color32::from_rgb(0, 102, 255)),
                egui::StrokeKind::Inside,
            );
        }
        if app.theme_mode != crate::render::theme::ThemeMode::Kind || app.compare != Compare::Single {
            let legend = paint_legend(&painter, furn, app);
            if let Some(l) = app.panels.story.layout.as_mut().filter(|_| app.presenting.is_some()) {
                l.legend = Some(legend);
            }
        }
        let badge = app.lang.strings().schematic_badge;
        if matches!(app.doc.source(), crate::document::Source::Jinsong) {
            painter.text(
                Pos2::new(rect.left() + 12.0, furn.top() + 10.0),
                egui::Align2::LEFT_TOP,
                badge,
                egui::FontId::proportional(12.0),
                egui::Color32::from_rgb(150, 40, 40),
            );
        }
        if let Some(fraction) = app.load_progress() {
            loading_panel(&ctx, rect, app, fraction);
        }
        if let Some(fraction) = app.export_progress() {
            exporting_panel(ui, rect, app, fraction);
        }
        if ctx.input(|i| !i.raw.hovered_files.is_empty()) {
            painter.rect_filled(rect.shrink(8.0), 12.0, egui::Color32::from_rgba_unmultiplied(0, 102, 255, 40));
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                app.lang.strings().drop_hint,
                egui::FontId::proportional(22.0),
                egui::Color32::from_rgb(0, 70, 180),
            );
        }

        if let Some(id) = hovered
            && selecting
            && app.drag.is_none()
            && !response.dragged()
            && let Some(f) = app.doc.plan().get(id)
        {
            let s = app.lang.strings();
            let lang = app.lang;
            response.on_hover_ui_at_pointer(|ui| {
                ui.strong(f.name(lang).unwrap_or(s.kind(f.kind)));
                if let Some(other) = f.name(lang.other()).filter(|o| Some(*o) != f.name(lang)) {
                    ui.label(other);
                }
                ui.label(format!("{}: {}", s.kind, s.kind(f.kind)));
                match measure(&f.geometry) {
                    Measure::Area { m2, .. } => ui.label(format!("{}: {}", s.area, format_area(m2))),
                    Measure::Length { m } => ui.label(format!("{}: {}", s.length, format_length(m))),
                    Measure::Point => match &f.geometry {
                        geo::Geometry::Point(p) => ui.label(format!("{}: {:.6}, {:.6}", s.position, p.x(), p.y())),
                        _ => ui.label(s.position),
                    },
                };
            });
        }
    });
    actions
}

/// What a pane's scene is made from: snapshots of the plan, its index and drawing cache,
/// and the options as the pane shows them.
pub(super) fn scene_inputs(app: &mut PlannerApp, pane: &Pane) -> Inputs {
    let mut opts = app.opts.clone();
    // Each pane is coloured by its items' status in its own phase.
    opts.theme = app.theme_in(&pane.phase);
    opts.phase = pane.phase.clone();
    opts.highlight_changes = pane.phase != Phase::Before;
    opts.ghosts = app.compare != Compare::Single && pane.phase != Phase::Before;
    Inputs {
        plan: app.doc.shared_plan(),
        index: app.doc.shared_index(),
        cache: std::sync::Arc::clone(&app.cache),
        opts,
        veil: app.doc.plan().basemaps.iter().any(|b| b.visible && b.opacity > 0.0),
        offset: pane.rect.min,
    }
}

/// How a legend entry is drawn.
enum Swatch {
    Fill(egui::Color32),
    /// A feature still to be added: a green dashed outline.
    Added,
    /// A removed feature: red, crossed out.
    Removed,
}

/// How long the map must be still (seconds) before a moved scene is made again.
const SETTLE_S: f64 = 0.2;

/// How the scene made for `built` must be moved and scaled, in the pane's own
/// pixels (its top-left at the origin), to show `now`: when both are the same
/// size, `now` is within a twofold zoom of it and its centre less than half a
/// view away.
fn view_change(built: &Camera, now: &Camera) -> Option<emath::TSTransform> {
    if built.size != now.size || now.mpp.is_nan() || now.mpp <= 0.0 {
        return None;
    }
    let change = placement(built, now);
    let d = change.translation + egui::vec2(now.size[0], now.size[1]) * (change.scaling - 1.0) / 2.0;
    let half = egui::vec2(now.size[0] / 2.0, now.size[1] / 2.0);
    let near = d.x.abs() < half.x && d.y.abs() < half.y && (0.5..=2.0).contains(&change.scaling);
    near.then_some(change)
}

/// Whether two cameras show the same ground at the same scale, each on its own pane size.
pub(super) fn same_ground(a: &Camera, b: &Camera) -> bool {
    a.center == b.center && a.mpp == b.mpp
}

/// How the scene made for `built` is moved and scaled to stand where `now` shows the same
/// ground, however far apart (the preview while a new scene is made on another thread; a
/// scene made for another pane size keeps its centre on the pane's).
fn placement(built: &Camera, now: &Camera) -> emath::TSTransform {
    if !(now.mpp > 0.0 && built.mpp > 0.0) {
        return emath::TSTransform::IDENTITY;
    }
    let scale = (built.mpp / now.mpp) as f32;
    let d = egui::vec2(
        ((built.center[0] - now.center[0]) / now.mpp) as f32,
        ((now.center[1] - built.center[1]) / now.mpp) as f32,
    );
    let (from, to) =
        (egui::vec2(built.size[0] / 2.0, built.size[1] / 2.0), egui::vec2(now.size[0] / 2.0, now.size[1] / 2.0));
    // p' = (p − from)·scale + to + d
    emath::TSTransform::new(to + d - from * scale, scale)
}

/// The legend, bottom-right: the thematic colours, and in the compare views
/// how added and removed features are drawn; returns where it went.
fn paint_legend(painter: &egui::Painter, rect: egui::Rect, app: &PlannerApp) -> egui::Rect {
    let s = app.lang.strings();
    let themed = app.theme_mode != crate::render::theme::ThemeMode::Kind;
    // Items each colour stands for, in the phase the (after) map shows.
    let key = (app.doc.stamp(), app.theme_mode, app.after_phase_shown());
    let counts = super::view::per_stamp(painter.ctx(), "legend_counts", key.clone(), || {
        crate::render::theme::legend_counts(app.doc.plan(), key.1, &key.2)
    });
    let counts = Option::as_ref(&counts);
    let mut entries: Vec<(Swatch, String)> = crate::render::theme::legend(app.theme_mode)
        .into_iter()
        .enumerate()
        .map(|(k, (c, name))| match counts.and_then(|n| n.get(k)) {
            Some(n) => (Swatch::Fill(color(c)), format!("{}  {n}", s.legend_label(name))),
            None => (Swatch::Fill(color(c)), s.legend_label(name).to_string()),
        })
        .collect();
    if themed {
        let muted = s.legend_label(crate::render::theme::muted_entry(app.theme_mode));
        entries.push((Swatch::Fill(color(crate::render::theme::NO_ITEMS)), muted.to_string()));
    }
    if app.compare != Compare::Single {
        entries.push((Swatch::Added, s.added.to_string()));
        entries.push((Swatch::Removed, s.removed.to_string()));
    }
    let row = 18.0;
    // The heading: the theme's name (the consent map's: the matter, its rule and its result), wrapped.
    let mut heading = if themed { app.legend_heading() } else { vec![s.legend_changes.to_string()] };
    if themed && counts.is_some() {
        heading[0] = format!("{}{}", heading[0], s.counts_note(app.theme_mode));
    }
    let w = if app.theme_mode == crate::render::theme::ThemeMode::Consent { 230.0 } else { 210.0 };
    // Wide enough for the longest entry (English use and term names with their counts), so none is clipped.
    let widest = entries
        .iter()
        .map(|(_, l)| {
            painter.layout_no_wrap(l.clone(), egui::FontId::proportional(12.0), color(style::FURNITURE)).size().x
        })
        .fold(0.0f32, f32::max);
    let w = f32::max(w, widest + 42.0).min(rect.width() * 0.5);
    let galleys: Vec<std::sync::Arc<egui::Galley>> = heading
        .into_iter()
        .enumerate()
        .map(|(k, line)| {
            let size = if k == 0 { 13.0 } else { 11.5 };
            painter.layout(line, egui::FontId::proportional(size), color(style::FURNITURE), w - 20.0)
        })
        .collect();
    let head_h: f32 = galleys.iter().map(|g| g.size().y + 2.0).sum::<f32>() + 8.0;
    let h = head_h + 6.0 + row * entries.len() as f32;
    let r = egui::Rect::from_min_size(Pos2::new(rect.right() - w - 12.0, rect.bottom() - h - 12.0), egui::vec2(w, h));
    painter.rect_filled(r, 6.0, color(style::FURNITURE_BG));
    let mut y = r.top() + 8.0;
    for g in galleys {
        let gh = g.size().y;
        painter.galley(Pos2::new(r.left() + 10.0, y), g, color(style::FURNITURE));
        y += gh + 2.0;
    }
    for (i, (sw, label)) in entries.iter().enumerate() {
        let y = r.top() + head_h + 6.0 + i as f32 * row;
        let b = egui::Rect::from_min_size(Pos2::new(r.left() + 10.0, y), egui::vec2(14.0, 12.0));
        match sw {
            Swatch::Fill(c) => {
                painter.rect_filled(b, 2.0, *c);
            }
            Swatch::Added => {
                let st = egui::Stroke::new(1.5, color(style::GHOST_ADDED));
                let mut pts = vec![b.left_top(), b.right_top(), b.right_bottom(), b.left_bottom(), b.left_top()];
                pts.dedup();
                painter.extend(egui::Shape::dashed_line(&pts, st, 3.0, 2.0));
            }
            Swatch::Removed => {
                painter.rect_filled(b, 0.0, color(style::REMOVED_FILL));
                painter.rect_stroke(
                    b,
                    0.0,
                    egui::Stroke::new(1.2, color(style::REMOVED_OUTLINE.color)),
                    egui::StrokeKind::Inside,
                );
                let st = egui::Stroke::new(1.5, color(style::REMOVED_CROSS.color));
                painter.line_segment([b.left_top(), b.right_bottom()], st);
                painter.line_segment([b.left_bottom(), b.right_top()], st);
            }
        }
        painter.text(
            Pos2::new(r.left() + 32.0, y + 6.0),
            egui::Align2::LEFT_CENTER,
            label,
            egui::FontId::proportional(12.0),
            color(style::FURNITURE),
        );
    }
    r
}

/// One view of the map: where it is drawn, what it is clipped to, and which phase it shows.
pub(super) struct Pane {
    pub rect: egui::Rect,
    pub clip: egui::Rect,
    pub phase: Phase,
}

/// The panes of the current compare mode, all sharing one camera.
fn panes(app: &PlannerApp, full: egui::Rect) -> Vec<Pane> {
    match app.compare {
        Compare::Single => vec![Pane { rect: full, clip: full, phase: app.opts.phase.clone() }],
        Compare::Swipe => {
            let x = full.left() + full.width() * app.swipe;
            let left = egui::Rect::from_min_max(full.min, Pos2::new(x, full.bottom()));
            let right = egui::Rect::from_min_max(Pos2::new(x, full.top()), full.max);
            vec![
                Pane { rect: full, clip: left, phase: Phase::Before },
                Pane { rect: full, clip: right, phase: app.after_phase() },
            ]
        }
        Compare::SideBySide => {
            let mid = full.center().x;
            let left = egui::Rect::from_min_max(full.min, Pos2::new(mid - 1.0, full.bottom()));
            let right = egui::Rect::from_min_max(Pos2::new(mid + 1.0, full.top()), full.max);
            vec![
                Pane { rect: left, clip: left, phase: Phase::Before },
                Pane { rect: right, clip: right, phase: app.after_phase() },
            ]
        }
    }
}

/// Phase labels on each pane, the swipe divider and the side-by-side gutter.
/// `top`: where the labels may start (below a presentation's title band).
fn paint_panes(painter: &egui::Painter, full: egui::Rect, top: f32, panes: &[Pane], app: &PlannerApp) {
    if panes.len() < 2 {
        return;
    }
    let s = app.lang.strings();
    let range = super::view::per_stamp(painter.ctx(), "date_range", app.doc.stamp(), || date_range(app.doc.plan()));
    let (first, last) = range.as_ref().clone().unwrap_or_default();
    for pane in panes {
        let text = match &pane.phase {
            Phase::Before => format!("{} · {first}", s.phase_before),
            Phase::After => format!("{} · {last}", s.phase_after),
            Phase::AsOf(d) => format!("{} · {d}", s.phase_as_of),
        };
        let galley = painter.layout_no_wrap(text, egui::FontId::proportional(15.0), egui::Color32::WHITE);
        let y = top.max(pane.clip.top()) + 30.0;
        let at = Pos2::new(pane.clip.left() + 12.0, y);
        let at = if pane.clip.left() > full.left() + 1.0 && app.compare == Compare::Swipe {
            Pos2::new(pane.clip.right() - galley.size().x - 60.0, y)
        } else {
            at
        };
        let bg = if pane.phase == Phase::Before {
            egui::Color32::from_rgb(110, 110, 110)
        } else {
            egui::Color32::from_rgb(30, 120, 70)
        };
        painter.rect_filled(egui::Rect::from_min_size(at, galley.size()).expand(5.0), 5.0, bg);
        painter.galley(at, galley, egui::Color32::WHITE);
    }
    let x = panes[1].clip.left();
    let line = egui::Stroke::new(3.0, egui::Color32::WHITE);
    painter.line_segment(
        [Pos2::new(x, full.top()), Pos2::new(x, full.bottom())],
        egui::Stroke::new(5.0, egui::Color32::from_black_alpha(90)),
    );
    painter.line_segment([Pos2::new(x, full.top()), Pos2::new(x, full.bottom())], line);
    if app.compare == Compare::Swipe {
        let c = Pos2::new(x, full.center().y);
        painter.circle(c, 14.0, egui::Color32::WHITE, egui::Stroke::new(1.5, egui::Color32::DARK_GRAY));
        let g = egui::Color32::DARK_GRAY;
        for dir in [-1.0f32, 1.0] {
            let tip = c + egui::vec2(dir * 9.0, 0.0);
            let back = c + egui::vec2(dir * 3.0, 0.0);
            painter.add(egui::Shape::convex_polygon(
                vec![tip, back + egui::vec2(0.0, -5.0), back + egui::vec2(0.0, 5.0)],
                g,
                egui::Stroke::NONE,
            ));
        }
    }
}

/// The progress of a background load with its Cancel button (Esc cancels too);
/// the map underneath stays usable.
fn loading_panel(ctx: &egui::Context, rect: egui::Rect, app: &mut PlannerApp, fraction: f32) {
    let s = app.lang.strings();
    let name = app.loading_path().and_then(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned());
    let what = format!("{} {}…", s.loading, name.unwrap_or_default());
    let note = (fraction >= 1.0).then_some(s.preparing_map);
    let cancel = egui::Area::new(egui::Id::unique("loading-panel"))
        .order(egui::Order::Foreground)
        .fixed_pos(rect.center() - egui::vec2(170.0, 44.0))
        .show(ctx, |ui| progress_panel(ui, &what, note, fraction, s.cancel))
        .inner;
    if cancel {
        app.cancel_load();
    }
}

/// The progress of a background export with its Cancel button (Esc cancels too), at the
/// foot of the map, which stays usable for panning and editing meanwhile. Laid out in the
/// map rather than in a floating area, so it shows from its first frame (a new area spends
/// its first frame invisible, measuring itself), however quick the export.
fn exporting_panel(ui: &mut egui::Ui, rect: egui::Rect, app: &mut PlannerApp, fraction: f32) {
    let s = app.lang.strings();
    let name = app.exporting_path().and_then(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned());
    let what = format!("{} {}…", s.exporting, name.unwrap_or_default());
    let at = egui::Rect::from_min_size(rect.center_bottom() - egui::vec2(170.0, 120.0), egui::vec2(340.0, 110.0));
    let cancel =
        ui.scope_builder(egui::UiBuilder::new().max_rect(at), |ui| progress_panel(ui, &what, None, fraction, s.cancel));
    if cancel.inner {
        app.cancel_export();
    }
}

/// A small framed panel saying `what` (and a `note`) over a progress bar with a Cancel button;
/// true when Cancel is clicked or Esc pressed.
fn progress_panel(ui: &mut egui::Ui, what: &str, note: Option<&str>, fraction: f32, cancel_label: &str) -> bool {
    let mut cancel = ui.input(|i| i.key_pressed(egui::Key::Escape));
    egui::Frame::popup(ui.style()).show(ui, |ui| {
        ui.set_width(340.0);
        ui.label(what);
        if let Some(note) = note {
            ui.label(egui::RichText::new(note).small().weak());
        }
        ui.add(egui::ProgressBar::new(fraction).show_percentage().animate(true));
        if ui.button(cancel_label).clicked() {
            cancel = true;
        }
    });
    cancel
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A point drawn at `s` by the scene made for `built` is where `now` draws it once moved and scaled.
    #[test]
    fn a_pan_or_zoom_moves_and_scales_the_scene_by_the_cameras_difference() {
        let built = Camera { center: [1_000.0, 2_000.0], mpp: 2.0, size: [800.0, 600.0] };
        let world = [1_100.0, 2_050.0];
        let mut panned = built;
        panned.pan_pixels(30.0, -20.0);
        let mut zoomed = panned;
        zoomed.zoom_at(1.4, [250.0, 420.0]);
        let mut out = zoomed;
        out.zoom_at(1.0 / 3.0, [400.0, 300.0]);
        for now in [built, panned, zoomed] {
            let change = view_change(&built, &now).expect("a pan or a small zoom");
            let a = built.world_to_screen(world);
            let moved = change * egui::pos2(a[0], a[1]);
            let b = now.world_to_screen(world);
            assert!((moved.x - b[0]).abs() < 1e-2 && (moved.y - b[1]).abs() < 1e-2, "{moved:?} vs {b:?}");
        }
        // Zoomed out beyond twofold, or panned half a view or more: the scene is made again.
        assert!(view_change(&built, &out).is_none());
        let mut far = built;
        far.pan_pixels(400.0, 0.0);
        assert!(view_change(&built, &far).is_none());
        assert!(view_change(&built, &Camera { size: [801.0, 600.0], ..built }).is_none());
    }
}
