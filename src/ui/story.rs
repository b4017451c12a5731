//! Stories in the interface: the stories window (slides captured from the
//! current view, edited, reordered, duplicated, deleted — all undoable) and
//! presentation mode (full screen, keyboard and clicker driven, the camera
//! gliding to each slide, large captions).

use eframe::egui::{self, Color32, Key, RichText};

use super::action::Action;
use super::app::{Compare, PlannerApp};
use super::view::View;
use crate::edit::{Edit, EditLabel};
use crate::model::{Kind, Phase, Slide, SlideCompare, Story};
use crate::render::kind_slot;
use crate::render::theme::ThemeMode;

/// Which story the window shows and which slide is being edited.
#[derive(Default)]
pub struct StoryState {
    pub story: usize,
    pub slide: Option<usize>,
    /// The slide being edited (committed when a field is left).
    draft: Option<(usize, usize, Slide)>,
    /// The working view to come back to when the presentation ends.
    saved: Option<WorkingView>,
    /// Where this frame's presentation puts its bands, its free map area and its legend.
    pub(super) layout: Option<PresentLayout>,
    /// The slide and free area the presentation camera was last framed for.
    framed: Option<(usize, usize, [i32; 4])>,
}

/// The screen of a presentation: the title band at the top, the caption band at
/// the bottom and the free map area between them, where the slide's view is
/// framed and the legend and scale bar sit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PresentLayout {
    pub title: egui::Rect,
    pub caption: egui::Rect,
    pub free: egui::Rect,
    /// The thematic legend, when the slide has one.
    pub legend: Option<egui::Rect>,
}

/// What the planner was looking at before presenting: all of it comes back on leaving.
struct WorkingView {
    camera: Option<crate::render::Camera>,
    phase: Phase,
    compare: Compare,
    swipe: f32,
    theme_mode: ThemeMode,
    consent_matter: Option<String>,
    theme: Option<std::sync::Arc<Vec<Option<crate::render::style::Rgba>>>>,
    selected: std::collections::BTreeSet<crate::model::FeatureId>,
    visible: [bool; 7],
    tool: super::draw::Tool,
    story: usize,
    slide: Option<usize>,
}

impl PlannerApp {
    /// The presentation's bands and free area, while presenting.
    pub fn presentation_layout(&self) -> Option<PresentLayout> {
        self.presenting.and(self.panels.story.layout)
    }
}

/// Keeps the working view before a presentation replaces it with slides.
pub(super) fn enter_presentation(app: &mut PlannerApp) {
    app.panels.story.saved = Some(WorkingView {
        camera: app.camera,
        phase: app.opts.phase.clone(),
        compare: app.compare,
        swipe: app.swipe,
        theme_mode: app.theme_mode,
        consent_matter: app.consent_matter.clone(),
        theme: app.opts.theme.clone(),
        selected: app.opts.selected.clone(),
        visible: app.opts.visible,
        tool: app.tool,
        story: app.panels.story.story,
        slide: app.panels.story.slide,
    });
    app.panels.story.framed = None;
}

/// Gives the working view back after a presentation.
pub(super) fn leave_presentation(app: &mut PlannerApp) {
    app.panels.story.layout = None;
    app.panels.story.framed = None;
    let Some(v) = app.panels.story.saved.take() else { return };
    if let Some(mut cam) = v.camera {
        // The window leaves full screen: keep the centre and scale, the size follows the map.
        if let Some(now) = app.camera {
            cam.size = now.size;
        }
        app.camera = Some(cam);
    }
    app.fly_to = None;
    app.opts.phase = v.phase;
    app.compare = v.compare;
    app.swipe = v.swipe;
    app.theme_mode = v.theme_mode;
    app.consent_matter = v.consent_matter;
    app.opts.theme = v.theme;
    app.opts.selected = v.selected;
    app.opts.visible = v.visible;
    app.tool = v.tool;
    app.panels.story.story = v.story;
    app.panels.story.slide = v.slide;
    app.opts.hovered = None;
    app.generation += 1;
}

/// The slide that captures the current view (with the photos of the item
/// whose form is open, if one is).
pub fn capture(v: &View, photo_item: Option<String>) -> Option<Slide> {
    let cam = v.camera?;
    let center = cam.screen_to_lonlat([cam.size[0] / 2.0, cam.size[1] / 2.0]);
    let phase = match &v.opts.phase {
        Phase::Before => "before".to_string(),
        Phase::After => "after".to_string(),
        Phase::AsOf(d) => d.clone(),
    };
    Some(Slide {
        title_zh: String::new(),
        title_en: String::new(),
        caption_zh: String::new(),
        caption_en: String::new(),
        center,
        ground_mpp: cam.ground_mpp(),
        view_px: Some(cam.size),
        phase,
        compare: v.compare.into(),
        swipe: v.swipe,
        layers: Kind::ALL.iter().filter(|k| v.opts.visible[kind_slot(**k)]).map(|k| k.as_str().to_string()).collect(),
        theme: v.theme_mode.into(),
        // A consent map keeps the matter it shows.
        consent_matter: (v.theme_mode == ThemeMode::Consent).then(|| v.consent_matter.map(str::to_string)).flatten(),
        // A map of operating spaces shows the payback chart with it.
        payback_chart: matches!(v.theme_mode, ThemeMode::SpaceUse | ThemeMode::TermLeft),
        highlight: v.opts.selected.iter().filter_map(|id| v.doc.plan().key(*id)).collect(),
        photo_item,
    })
}

/// Shows a slide: phase, comparison, layers, colours and highlights at once,
/// and the camera glides there.
pub fn restore(app: &mut PlannerApp, slide: &Slide) {
    app.opts.phase = Phase::parse(&slide.phase).unwrap_or(Phase::After);
    app.compare = slide.compare.into();
    app.swipe = slide.swipe.clamp(0.02, 0.98);
    if !slide.layers.is_empty() {
        for k in Kind::ALL {
            app.opts.visible[kind_slot(k)] = slide.layers.iter().any(|l| l == k.as_str());
        }
    }
    app.theme_mode = slide.theme.into();
    if app.theme_mode == ThemeMode::Consent {
        // The slide's matter comes into focus (the consent panel follows); absent: the plan's first.
        app.consent_matter = slide.consent_matter.clone();
    }
    app.sync_derived();
    app.opts.selected = slide.highlight.iter().filter_map(|k| app.doc.plan().by_key(k)).collect();
    app.playing = false;
    if let Some(cam) = app.camera {
        app.fly_to = Some(crate::render::camera::slide_camera(slide, cam.size));
    }
    app.generation += 1;
}

fn stories_edit(v: &View, story: usize, f: impl FnOnce(&mut Story), label: EditLabel) -> Action {
    let mut stories = v.doc.plan().stories.clone();
    if stories.is_empty() {
        stories.push(Story {
            id: "story-1".into(),
            name_zh: "方案演示".into(),
            name_en: "Plan presentation".into(),
            slides: vec![],
        });
    }
    let i = story.min(stories.len() - 1);
    f(&mut stories[i]);
    Action::Edit(Edit::SetStories { stories, label })
}

/// The stories window.
pub fn window(ctx: &egui::Context, st: &mut StoryState, v: &View, photo_item: Option<String>) -> Vec<Action> {
    let mut out = Vec::new();
    let s = v.lang.strings();
    let lang = v.lang;
    let mut open = true;
    let story_i = st.story.min(v.doc.plan().stories.len().saturating_sub(1));
    egui::Window::new(s.stories).open(&mut open).default_pos([260.0, 90.0]).default_size([420.0, 520.0]).show(
        ctx,
        |ui| {
            if v.doc.plan().stories.len() > 1 {
                egui::ComboBox::from_id_salt("story_pick")
                    .selected_text(v.doc.plan().stories[story_i].name(lang).to_string())
                    .show_ui(ui, |ui| {
                        for (i, story) in v.doc.plan().stories.iter().enumerate() {
                            ui.selectable_value(&mut st.story, i, story.name(lang));
                        }
                    });
            } else if let Some(st) = v.doc.plan().stories.first() {
                ui.label(RichText::new(st.name(lang)).strong());
            }
            ui.horizontal(|ui| {
                if ui.button(s.new_story).clicked() {
                    let mut stories = v.doc.plan().stories.clone();
                    let n = stories.len() + 1;
                    stories.push(Story {
                        id: format!("story-{n}"),
                        name_zh: format!("演示 {n}"),
                        name_en: format!("Story {n}"),
                        slides: Vec::new(),
                    });
                    st.story = stories.len() - 1;
                    st.slide = None;
                    out.push(Action::Edit(Edit::SetStories { stories, label: EditLabel::EditStory }));
                }
                if let Some(st) = v.doc.plan().stories.get(story_i) {
                    let mut name = if lang.is_chinese() { st.name_zh.clone() } else { st.name_en.clone() };
                    let l = ui.label(s.name);
                    let r = ui.add(egui::TextEdit::singleline(&mut name).desired_width(160.0)).labelled_by(l.id);
                    if r.lost_focus()
                        && name != if lang.is_chinese() { st.name_zh.as_str() } else { st.name_en.as_str() }
                    {
                        out.push(stories_edit(
                            v,
                            story_i,
                            |st| if lang.is_chinese() { st.name_zh = name } else { st.name_en = name },
                            EditLabel::EditStory,
                        ));
                    }
                }
            });
            ui.horizontal(|ui| {
                if ui.button(s.add_slide).clicked()
                    && let Some(slide) = capture(v, photo_item.clone())
                {
                    let at = st.slide.map(|i| i + 1);
                    out.push(stories_edit(
                        v,
                        story_i,
                        |st| {
                            let at = at.unwrap_or(st.slides.len()).min(st.slides.len());
                            st.slides.insert(at, slide);
                        },
                        EditLabel::AddSlide,
                    ));
                    st.slide = Some(at.unwrap_or(v.doc.plan().stories.get(story_i).map_or(0, |s| s.slides.len())));
                }
                let n = v.doc.plan().stories.get(story_i).map_or(0, |s| s.slides.len());
                if ui.add_enabled(n > 0, egui::Button::new(s.present)).on_hover_text("F5").clicked() {
                    out.push(Action::Present(Some((story_i, st.slide.unwrap_or(0)))));
                }
            });
            ui.separator();
            let Some(story) = v.doc.plan().stories.get(story_i).cloned() else {
                ui.label(RichText::new(s.no_slides).weak());
                return;
            };
            egui::ScrollArea::vertical().max_height(220.0).show(ui, |ui| {
                for (i, slide) in story.slides.iter().enumerate() {
                    ui.horizontal(|ui| {
                        let title = if slide.title(lang).is_empty() { s.untitled } else { slide.title(lang) };
                        if ui.selectable_label(st.slide == Some(i), format!("{}. {title}", i + 1)).clicked() {
                            st.slide = Some(i);
                            out.push(Action::GoToSlide(story_i, i));
                        }
                    });
                }
            });
            let Some(i) = st.slide.filter(|i| *i < story.slides.len()) else { return };
            ui.separator();
            ui.horizontal(|ui| {
                if ui.add_enabled(i > 0, egui::Button::new(s.move_up)).on_hover_text(s.action_move_slide).clicked() {
                    out.push(stories_edit(
                        v,
                        story_i,
                        |st| st.slides = crate::model::story::moved(&st.slides, i, i - 1),
                        EditLabel::MoveSlide,
                    ));
                    st.slide = Some(i - 1);
                }
                if ui
                    .add_enabled(i + 1 < story.slides.len(), egui::Button::new(s.move_down))
                    .on_hover_text(s.action_move_slide)
                    .clicked()
                {
                    out.push(stories_edit(
                        v,
                        story_i,
                        |st| st.slides = crate::model::story::moved(&st.slides, i, i + 1),
                        EditLabel::MoveSlide,
                    ));
                    st.slide = Some(i + 1);
                }
                if ui.button(s.duplicate).clicked() {
                    out.push(stories_edit(
                        v,
                        story_i,
                        |st| st.slides.insert(i + 1, st.slides[i].clone()),
                        EditLabel::DuplicateSlide,
                    ));
                    st.slide = Some(i + 1);
                }
                if ui.button(s.recapture).clicked()
                    && let Some(mut slide) = capture(v, photo_item.clone())
                {
                    let old = &story.slides[i];
                    slide.title_zh = old.title_zh.clone();
                    slide.title_en = old.title_en.clone();
                    slide.caption_zh = old.caption_zh.clone();
                    slide.caption_en = old.caption_en.clone();
                    out.push(stories_edit(v, story_i, |st| st.slides[i] = slide, EditLabel::EditSlide));
                }
                if ui.button(RichText::new(s.delete).color(super::theme::ERROR)).clicked() {
                    out.push(stories_edit(
                        v,
                        story_i,
                        |st| {
                            st.slides.remove(i);
                        },
                        EditLabel::DeleteSlide,
                    ));
                    st.slide = if i > 0 { Some(i - 1) } else { None };
                }
            });
            // Words: edited in a draft, one undo step when a field is left.
            let stored = story.slides[i].clone();
            let draft = match &mut st.draft {
                Some((si, di, d)) if *si == story_i && *di == i => d,
                slot => &mut slot.insert((story_i, i, stored.clone())).2,
            };
            if *draft != stored && !ui.ctx().egui_wants_keyboard_input() {
                *draft = stored.clone();
            }
            let mut ended = false;
            egui::Grid::new("slide_words").num_columns(2).show(ui, |ui| {
                for (label, text, multi) in [
                    (s.title_zh, &mut draft.title_zh, false),
                    (s.title_en, &mut draft.title_en, false),
                    (s.caption_zh, &mut draft.caption_zh, true),
                    (s.caption_en, &mut draft.caption_en, true),
                ] {
                    let l = ui.label(label);
                    let edit = if multi {
                        egui::TextEdit::multiline(text).desired_rows(2)
                    } else {
                        egui::TextEdit::singleline(text)
                    };
                    ended |= ui.add(edit.desired_width(280.0)).labelled_by(l.id).lost_focus();
                    ui.end_row();
                }
            });
            if ended && *draft != stored {
                let d = draft.clone();
                out.push(stories_edit(v, story_i, |st| st.slides[i] = d, EditLabel::EditSlide));
            }
        },
    );
    if !open {
        out.push(Action::ShowStories(false));
    }
    out
}

/// Presentation mode: the map fills the screen; title, caption and slide
/// counter are drawn over it; keys and clicks step through the slides.
pub fn presentation(ui: &mut egui::Ui, app: &mut PlannerApp) -> Vec<Action> {
    let mut out = Vec::new();
    let Some((story_i, slide_i)) = app.presenting else { return out };
    let Some(story) = app.doc.plan().stories.get(story_i).cloned() else {
        out.push(Action::Present(None));
        return out;
    };
    let n = story.slides.len();
    let ctx = ui.ctx().clone();
    ctx.input(|i| {
        let next = [Key::ArrowRight, Key::ArrowDown, Key::PageDown, Key::Space, Key::Enter, Key::N];
        let prev = [Key::ArrowLeft, Key::ArrowUp, Key::PageUp, Key::Backspace, Key::P];
        if next.iter().any(|k| i.key_pressed(*k)) {
            out.push(Action::Present(Some((story_i, (slide_i + 1).min(n.saturating_sub(1))))));
        }
        if prev.iter().any(|k| i.key_pressed(*k)) {
            out.push(Action::Present(Some((story_i, slide_i.saturating_sub(1)))));
        }
        if i.key_pressed(Key::Escape) {
            out.push(Action::Present(None));
        }
    });
    let Some(slide) = story.slides.get(slide_i).cloned() else {
        super::map_view::central(ui, app);
        return out;
    };
    let lang = app.lang;
    let rect = ctx.content_rect();
    // The bands first: the map is framed in what they leave free.
    let painter = ctx.layer_painter(egui::LayerId::new(egui::Order::Foreground, egui::Id::unique("presentation")));
    let galley = |text: &str, size: f32| {
        (!text.is_empty()).then(|| {
            painter.layout(text.to_string(), egui::FontId::proportional(size), Color32::WHITE, rect.width() - 120.0)
        })
    };
    // Sized for the back of a meeting room.
    let title = galley(slide.title(lang), 40.0);
    let caption = galley(slide.caption(lang), 30.0);
    let band_h = |g: &Option<std::sync::Arc<egui::Galley>>| g.as_ref().map_or(0.0, |g| g.size().y + 28.0);
    let title_band = egui::Rect::from_min_size(rect.min, egui::vec2(rect.width(), band_h(&title)));
    let caption_band = egui::Rect::from_min_max(egui::pos2(rect.left(), rect.bottom() - band_h(&caption)), rect.max);
    let free = egui::Rect::from_min_max(
        egui::pos2(rect.left(), title_band.bottom()),
        egui::pos2(rect.right(), caption_band.top().max(title_band.bottom() + 40.0)),
    );
    // A slide of operating spaces shows the payback chart in a panel at the right; the map is framed
    // in what is left.
    let chart_rect = slide.payback_chart.then(|| {
        let w = (free.width() * 0.42).min(560.0);
        egui::Rect::from_min_max(egui::pos2(free.right() - w, free.top()), free.right_bottom())
    });
    let free = chart_rect.map_or(free, |c| egui::Rect::from_min_max(free.min, egui::pos2(c.left(), free.bottom())));
    app.panels.story.layout = Some(PresentLayout { title: title_band, caption: caption_band, free, legend: None });
    frame_slide(app, (story_i, slide_i), &slide, rect, free);

    let map_actions = super::map_view::central(ui, app);
    // A click on the map moves on, as a clicker would.
    if map_actions.iter().any(|a| matches!(a, Action::Select(_) | Action::ToggleSelect(_))) {
        out.push(Action::Present(Some((story_i, (slide_i + 1).min(n.saturating_sub(1))))));
    }
    for (g, band) in [(title, title_band), (caption, caption_band)] {
        if let Some(g) = g {
            painter.rect_filled(band, 0.0, Color32::from_black_alpha(170));
            painter.galley(band.min + egui::vec2(60.0, 14.0), g, Color32::WHITE);
        }
    }
    painter.text(
        rect.right_bottom() - egui::vec2(24.0, 16.0),
        egui::Align2::RIGHT_BOTTOM,
        format!("{} / {n}", slide_i + 1),
        egui::FontId::proportional(18.0),
        Color32::from_white_alpha(230),
    );
    if let Some(item) = &slide.photo_item {
        photo_pair(&painter, free, app, item);
    }
    if let Some(r) = chart_rect {
        payback_panel(&ctx, r, app);
    }
    out
}

/// The payback chart of the plan's ledger (as planned), in a panel beside the map.
fn payback_panel(ctx: &egui::Context, r: egui::Rect, app: &mut PlannerApp) {
    let lang = app.lang;
    let worked = app.panels.operations.planned(app.doc.plan(), app.doc.stamp(), lang);
    let illustrative = app.doc.plan().operations.illustrative;
    egui::Area::new(egui::Id::unique("presentation_payback")).fixed_pos(r.min).order(egui::Order::Foreground).show(
        ctx,
        |ui| {
            egui::Frame::new().fill(Color32::from_white_alpha(240)).inner_margin(14.0).corner_radius(6.0).show(
                ui,
                |ui| {
                    ui.set_width(r.width() - 28.0);
                    let heading = match lang {
                        crate::model::Lang::Zh => "社会资本回本",
                        crate::model::Lang::En => "Payback of social capital",
                    };
                    ui.label(RichText::new(heading).size(22.0).strong().color(Color32::from_gray(30)));
                    let l = &worked.ledger;
                    let line = match lang {
                        crate::model::Lang::Zh => format!(
                            "投资 {} 元 · 回本 {}",
                            crate::model::item::format_yuan(l.investment_yuan),
                            super::operations::payback_text(l.payback_year, lang)
                        ),
                        crate::model::Lang::En => format!(
                            "Invested {} yuan · pays back {}",
                            crate::model::item::format_yuan(l.investment_yuan),
                            super::operations::payback_text(l.payback_year, lang)
                        ),
                    };
                    ui.label(RichText::new(line).size(16.0).color(Color32::from_gray(30)));
                    if illustrative {
                        ui.label(
                            RichText::new(match lang {
                                crate::model::Lang::Zh => "示意数据",
                                crate::model::Lang::En => "Illustrative figures",
                            })
                            .color(Color32::from_rgb(190, 110, 0)),
                        );
                    }
                    super::operations::plot(ui, &worked.chart, lang, (r.height() - 120.0).max(160.0));
                },
            );
        },
    );
}

/// Sends the camera to the slide's view framed in the free area (of each pane
/// when side by side), once per slide and screen layout.
fn frame_slide(app: &mut PlannerApp, at: (usize, usize), slide: &Slide, screen: egui::Rect, free: egui::Rect) {
    let key = (at.0, at.1, [screen.width(), free.right(), free.top(), free.bottom()].map(|v| v.round() as i32));
    if app.panels.story.framed.map(|k| (k.0, k.1, k.2)) == Some(key) {
        return;
    }
    app.panels.story.framed = Some(key);
    // The map's pane: the whole screen, or its half side by side (the camera is the pane's).
    let pane_w = if slide.compare == SlideCompare::SideBySide { screen.width() / 2.0 - 1.0 } else { screen.width() };
    let size = [pane_w, screen.height()];
    let free_px = [
        (free.left() - screen.left()).max(0.0),
        free.top() - screen.top(),
        (free.right() - screen.left()).min(pane_w),
        free.bottom() - screen.top(),
    ];
    app.fly_to = Some(crate::render::camera::framed_camera(slide, size, free_px));
}

/// A photo slide: the item's first before and after photos side by side.
fn photo_pair(painter: &egui::Painter, rect: egui::Rect, app: &mut PlannerApp, item: &str) {
    use crate::model::Side;
    let pair: Vec<_> = [Side::Before, Side::After]
        .iter()
        .filter_map(|side| app.doc.plan().photos_of(item, *side).first().map(|p| (*p).clone()))
        .collect();
    if pair.is_empty() {
        return;
    }
    let w = (rect.width() - 180.0) / 2.0;
    let h = rect.height() * 0.55;
    for (i, p) in pair.iter().enumerate() {
        let Some(t) = super::items::photo_texture(painter.ctx(), &mut app.panels.items.photo_textures, p, 1600) else {
            continue;
        };
        let size = t.size_vec2();
        let scale = (w / size.x).min(h / size.y);
        let r = egui::Rect::from_center_size(
            egui::pos2(rect.left() + 60.0 + w / 2.0 + i as f32 * (w + 60.0), rect.center().y),
            size * scale,
        );
        painter.rect_filled(r.expand(6.0), 4.0, Color32::WHITE);
        painter.image(t.id(), r, egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)), Color32::WHITE);
    }
}
