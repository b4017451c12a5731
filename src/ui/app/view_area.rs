//! The view area: what the map shows and how (selection, layers, phase, theme,
//! language, comparison, the timeline, slides), the drawing tools, and the
//! cameras that frame features.

use eframe::egui;

use super::{Changed, PlannerApp};
use crate::model::{FeatureId, Kind};
use crate::render::{Camera, kind_slot};
use crate::ui::action::Action;

impl PlannerApp {
    /// What the map shows and how: selection, layers, phase, theme, language, slides.
    pub(super) fn apply_view(&mut self, action: Action) -> Changed {
        match action {
            Action::GoToSlide(story, slide) => {
                if let Some(sl) = self.doc.plan().stories.get(story).and_then(|s| s.slides.get(slide)).cloned() {
                    self.panels.story.story = story;
                    self.panels.story.slide = Some(slide);
                    crate::ui::story::restore(self, &sl);
                }
            }
            Action::Present(None) => {
                if self.presenting.take().is_some() {
                    self.pending_fullscreen = Some(false);
                    crate::ui::story::leave_presentation(self);
                }
            }
            Action::Present(Some((story, slide))) => {
                let Some(sl) = self.doc.plan().stories.get(story).and_then(|s| s.slides.get(slide)).cloned() else {
                    return Changed::Panels;
                };
                if self.presenting.is_none() {
                    self.pending_fullscreen = Some(true);
                    crate::ui::story::enter_presentation(self);
                }
                if self.presenting != Some((story, slide)) {
                    self.presenting = Some((story, slide));
                    self.panels.story.story = story;
                    self.panels.story.slide = Some(slide);
                    self.tool = crate::ui::draw::Tool::Select;
                    crate::ui::story::restore(self, &sl);
                }
            }
            Action::FitDistrict => {
                if let (Some(ext), Some(cam)) = (self.district_extent(), self.camera) {
                    self.fly_to = Some(Camera::fit(ext, cam.size, 30.0));
                }
            }
            Action::Select(id) => {
                self.opts.selected.clear();
                self.opts.selected.extend(id);
            }
            Action::SelectAndFly(id) => {
                self.opts.selected.clear();
                self.opts.selected.insert(id);
                if let Some(cam) = self.camera {
                    self.fly_to = self.camera_for(id, cam.size);
                }
            }
            Action::SetLayerVisible(kind, v) => self.opts.visible[kind_slot(kind)] = v,
            Action::SetLang(lang) => {
                self.lang = lang;
                self.opts.lang = lang;
            }
            Action::SetLabels(v) => self.opts.labels = v,
            Action::ToggleSelect(id) => {
                if !self.opts.selected.remove(&id) {
                    self.opts.selected.insert(id);
                }
            }
            Action::SelectMany(ids) => {
                self.opts.selected.clear();
                self.opts.selected.extend(ids);
            }
            Action::SelectAndFlyMany(ids) => {
                self.opts.selected.clear();
                self.opts.selected.extend(ids.iter().copied());
                if let Some(cam) = self.camera {
                    self.fly_to = self.camera_for_all(&ids, cam.size);
                }
            }
            Action::SetTheme(mode) => self.theme_mode = mode,
            Action::FocusMatter(id) => self.consent_matter = id,
            Action::SetPhase(p) => {
                self.opts.phase = p;
                self.playing = false;
            }
            Action::TogglePhase => {
                self.opts.phase = if self.opts.phase == crate::model::Phase::Before {
                    self.after_phase()
                } else {
                    crate::model::Phase::Before
                };
            }
            Action::SetCompare(c) => self.compare = c,
            Action::Play(v) => {
                self.playing = v;
                self.play_clock = 0.0;
                if v {
                    let start = crate::model::phase::date_range(self.doc.plan()).map(|r| r.0).unwrap_or_default();
                    let restart = match &self.opts.phase {
                        crate::model::Phase::AsOf(d) => {
                            crate::model::phase::date_range(self.doc.plan()).is_some_and(|r| d.as_str() >= r.1.as_str())
                        }
                        _ => true,
                    };
                    if restart {
                        self.opts.phase = crate::model::Phase::AsOf(start);
                    }
                }
            }
            // `apply` routes only view actions here.
            _ => return Changed::Panels,
        }
        Changed::Map
    }

    /// The drawing tools and the edit toggle (the map's overlay follows).
    pub(super) fn apply_tool(&mut self, action: Action) -> Changed {
        match action {
            Action::SetTool(t) => {
                self.tool = t;
                // Drawing is editing: the toggle comes on with a drawing tool (and stays on).
                self.editing |= t != crate::ui::draw::Tool::Select && t != crate::ui::draw::Tool::Measure;
                self.sketch = Default::default();
                self.drag = None;
                self.snap = None;
            }
            Action::FinishSketch => {
                for a in crate::ui::draw::finish(self) {
                    self.apply(a);
                }
            }
            Action::CancelSketch => {
                if self.sketch.points.is_empty() {
                    self.tool = crate::ui::draw::Tool::Select;
                }
                self.sketch = Default::default();
                self.snap = None;
            }
            Action::UndoSketchPoint => {
                self.sketch.points.pop();
                self.sketch.done = false;
            }
            Action::SetEditing(on) => {
                self.editing = on;
                self.drag = None;
                self.snap = None;
                if !on && self.tool != crate::ui::draw::Tool::Measure {
                    self.tool = crate::ui::draw::Tool::Select;
                    self.sketch = Default::default();
                }
            }
            // `apply` routes only tool actions here.
            _ => return Changed::Panels,
        }
        Changed::Map
    }

    /// The extent to fit: the boundary if the plan has one, else everything.
    pub(in crate::ui) fn district_extent(&self) -> Option<[f64; 4]> {
        let mut b: Option<[f64; 4]> = None;
        for (_, f) in self.doc.plan().iter().filter(|(_, f)| f.kind == Kind::Boundary) {
            if let Some(r) = f.bbox() {
                let e = b.get_or_insert([f64::MAX, f64::MAX, f64::MIN, f64::MIN]);
                *e = [e[0].min(r.min().x), e[1].min(r.min().y), e[2].max(r.max().x), e[3].max(r.max().y)];
            }
        }
        b.or_else(|| self.doc.index().extent())
    }

    /// A camera that frames one feature, not closer than street level.
    pub(in crate::ui) fn camera_for(&self, id: FeatureId, size: [f32; 2]) -> Option<Camera> {
        let r = self.doc.plan().get(id)?.bbox()?;
        let mut cam = Camera::fit([r.min().x, r.min().y, r.max().x, r.max().y], size, size[0].min(size[1]) * 0.3);
        let min_ground = 0.25;
        if cam.ground_mpp() < min_ground {
            cam.mpp *= min_ground / cam.ground_mpp();
        }
        Some(cam)
    }

    /// A camera that frames several features.
    pub(in crate::ui) fn camera_for_all(&self, ids: &[FeatureId], size: [f32; 2]) -> Option<Camera> {
        let mut b: Option<[f64; 4]> = None;
        for r in ids.iter().filter_map(|id| self.doc.plan().get(*id)?.bbox()) {
            let e = b.get_or_insert([f64::MAX, f64::MAX, f64::MIN, f64::MIN]);
            *e = [e[0].min(r.min().x), e[1].min(r.min().y), e[2].max(r.max().x), e[3].max(r.max().y)];
        }
        let mut cam = Camera::fit(b?, size, size[0].min(size[1]) * 0.2);
        if cam.ground_mpp() < 0.25 {
            cam.mpp *= 0.25 / cam.ground_mpp();
        }
        Some(cam)
    }

    /// While playing, the as-of date moves a month every 0.3 s until the plan's last date.
    pub(super) fn advance_timeline(&mut self, ctx: &egui::Context) {
        if !self.playing {
            return;
        }
        ctx.request_repaint();
        self.play_clock += ctx.input(|i| i.stable_dt).min(0.1) as f64;
        if self.play_clock < 0.3 {
            return;
        }
        self.play_clock = 0.0;
        let Some((_, last)) = crate::model::phase::date_range(self.doc.plan()) else {
            self.playing = false;
            return;
        };
        let crate::model::Phase::AsOf(d) = &self.opts.phase else { return };
        let next =
            crate::model::phase::days_of(d).map(|n| crate::model::phase::date_of_days(n + 30)).unwrap_or(last.clone());
        if next >= last {
            self.opts.phase = crate::model::Phase::AsOf(last);
            self.playing = false;
        } else {
            self.opts.phase = crate::model::Phase::AsOf(next);
        }
        self.generation += 1;
    }

    /// The phase the "after" side of a comparison shows: the as-of date if one is chosen.
    pub fn after_phase(&self) -> crate::model::Phase {
        crate::ui::view::after_phase(&self.opts.phase)
    }

    /// The phase the map's only pane shows, or its after pane when comparing:
    /// what the legend and the dashboard count in.
    pub fn after_phase_shown(&self) -> crate::model::Phase {
        crate::ui::view::after_phase_shown(self.compare, &self.opts.phase)
    }
}
