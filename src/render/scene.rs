//! The per-frame scene: the backend-neutral description of what the map
//! shows, in screen pixels. The screen (egui) and every export draw the same
//! [`Scene`], so what you print is what you see.
//!
//! Building a scene touches only the features the spatial index says are in
//! view, and only transforms geometry that [`GeometryCache`] prepared.

use std::collections::BTreeSet;
use std::ops::Range;

use super::cache::GeometryCache;
use super::camera::Camera;
use super::style::{self, Rgba, Stroke, kind_style};
use crate::model::catalogue::lookup;
use crate::model::phase::presence;
use crate::model::{Change, ChangeKind, FeatureId, Kind, Lang, Phase, Plan, Presence, SpatialIndex};

/// One thing to draw.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// A filled area: triangles for rasterisers, rings for vector output.
    Area { verts: Range<u32>, tris: Range<u32>, rings: Range<u32>, fill: Rgba, stroke: Option<Stroke> },
    /// Open polylines.
    Line { parts: Range<u32>, stroke: Stroke },
    /// A round point marker.
    Marker { at: [f32; 2], radius: f32, fill: Rgba, stroke: Stroke },
    /// A feature smaller than a pixel or two, drawn as a square dot
    /// [`DOT_PX`] wide centred at `at`, so a crowded city at full extent stays
    /// visible without tessellating it (and, many at once, as one image on screen).
    Dot { at: [f32; 2], color: Rgba },
}

/// The width of a dot ([`Op::Dot`]), in pixels.
pub const DOT_PX: f32 = 1.5;

/// A layer with at least this many dots has them drawn as one image, on
/// screen and in SVG/PDF alike, so what is drawn stays proportional to what
/// can be seen.
pub const DOTS_AS_IMAGE: usize = 2_048;

impl Scene {
    /// How many dots each layer holds.
    pub fn dots_by_layer(&self) -> [usize; 256] {
        let mut count = [0usize; 256];
        for it in &self.items {
            if matches!(it.op, Op::Dot { .. }) {
                count[it.layer as usize] += 1;
            }
        }
        count
    }
}

/// A draw operation and the feature it belongs to.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub feature: FeatureId,
    /// Drawing layer: fills of a layer go under its lines and markers.
    pub layer: u8,
    pub op: Op,
}

/// How a label sits on its position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Center,
    /// Left edge at the position.
    Left,
}

/// A placed label that survived thinning.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub feature: FeatureId,
    pub text: String,
    pub pos: [f32; 2],
    pub size: f32,
    pub align: Align,
    pub color: Rgba,
    pub halo: Rgba,
    /// The box it occupies (for tests and exports): `[x0, y0, x1, y1]`.
    pub rect: [f32; 4],
    /// A leader line from the feature to the label's box, when
    /// the label had to be led out of a crowded feature.
    pub leader: Option<[[f32; 2]; 2]>,
}

impl Label {
    /// Each line of the text with where it is placed: lines stacked
    /// [`LINE_HEIGHT`] apart, the block centred on `pos`.
    pub fn lines(&self) -> impl Iterator<Item = (&str, [f32; 2])> + '_ {
        let n = self.text.split('\n').count();
        let step = self.size * LINE_HEIGHT;
        self.text
            .split('\n')
            .enumerate()
            .map(move |(i, line)| (line, [self.pos[0], self.pos[1] + (i as f32 - (n - 1) as f32 / 2.0) * step]))
    }
}

/// What the view should show besides the plan itself.
#[derive(Clone, Debug)]
pub struct SceneOptions {
    pub visible: [bool; 7],
    /// Thematic colours by feature id (from [`super::theme::feature_colors`]), or none: colour by kind.
    pub theme: Option<std::sync::Arc<Vec<Option<Rgba>>>>,
    /// The language of the labels.
    pub lang: Lang,
    pub labels: bool,
    pub hovered: Option<FeatureId>,
    pub selected: BTreeSet<FeatureId>,
    /// Which state of the plan to draw.
    pub phase: Phase,
    /// Draw features absent in this phase as dashed ghosts (compare modes).
    pub ghosts: bool,
    /// Outline what the renewal changes in its item's category colour.
    pub highlight_changes: bool,
}

impl Default for SceneOptions {
    fn default() -> Self {
        SceneOptions {
            visible: [true; 7],
            theme: None,
            lang: Lang::Zh,
            labels: true,
            hovered: None,
            selected: BTreeSet::new(),
            phase: Phase::Before,
            ghosts: false,
            highlight_changes: false,
        }
    }
}

/// The index of a kind in [`SceneOptions::visible`].
pub fn kind_slot(kind: Kind) -> usize {
    kind.index()
}

/// Everything the map shows in one frame, in screen pixels.
#[derive(Clone, Debug, Default)]
pub struct Scene {
    pub size: [f32; 2],
    pub background: Rgba,
    /// Screen positions referenced by the ops.
    pub points: Vec<[f32; 2]>,
    /// Triangle indices into `points`.
    pub tris: Vec<u32>,
    /// Ranges of `points` forming rings or polylines.
    pub parts: Vec<[u32; 2]>,
    pub items: Vec<Item>,
    pub labels: Vec<Label>,
    /// Number of features the index returned for the view.
    pub features_in_view: usize,
    /// The layer new items go into while building.
    current_layer: u8,
    /// The colour of the dot last drawn on each pixel (0: none), so that a
    /// crowded city at full extent draws each visible dot once, not once per feature.
    /// A map while few pixels have a dot (a street-zoom frame has a handful, and zeroing
    /// a full-HD grid — 8 MB — cost more than the rest of such a frame), a grid once many do.
    dots: Vec<u32>,
    few_dots: std::collections::HashMap<usize, u32>,
    /// Point symbols already drawn at city scales: (cell, colour). A cell is about a
    /// symbol wide, so crowded points thin out as labels do instead of burying the map.
    marker_cells: std::collections::HashSet<(i32, i32, u32)>,
}

/// Pixels with a dot kept in a map before the grid is made.
const FEW_DOTS: usize = 16_384;

/// Above this many ground metres a pixel, point symbols shrink (with the square root of the
/// scale, to [`MIN_MARKER_SCALE`] of their size) and one per colour is drawn per symbol-wide cell.
const MARKER_FULL_MPP: f32 = 4.0;
const MIN_MARKER_SCALE: f32 = 0.35;

/// How much point symbols are shrunk at a scale (1: full size).
pub fn marker_scale(ground_mpp: f32) -> f32 {
    if ground_mpp <= MARKER_FULL_MPP || !ground_mpp.is_finite() {
        return 1.0;
    }
    (MARKER_FULL_MPP / ground_mpp).sqrt().max(MIN_MARKER_SCALE)
}

/// Below this many pixels a feature is drawn as a dot, not as its outline.
pub(crate) const TINY_PX: f32 = 2.0;

impl Scene {
    /// Lets a basemap under the map show through the district: the
    /// boundary's ground fill (paper-coloured) becomes a thin veil
    /// ([`super::style::DISTRICT_VEIL`]) while lines, buildings and labels keep
    /// their styles. The screen and every export call this one rule.
    pub fn veil_district_ground(&mut self, plan: &crate::model::Plan) {
        for item in &mut self.items {
            if let Op::Area { fill, .. } = &mut item.op
                && plan.get(item.feature).is_some_and(|f| f.kind == crate::model::Kind::Boundary)
            {
                fill.0[3] = (f32::from(fill.0[3]) * super::style::DISTRICT_VEIL).round() as u8;
            }
        }
    }

    /// Builds the scene for a camera.
    pub fn build(
        plan: &Plan,
        index: &SpatialIndex,
        cache: &GeometryCache,
        camera: &Camera,
        opts: &SceneOptions,
    ) -> Scene {
        let mut scene = Scene { size: camera.size, background: style::BACKGROUND, ..Scene::default() };
        // Query a little beyond the view so outlines and markers at the edge are whole.
        let margin = [-12.0, -12.0];
        let a = camera.screen_to_lonlat([margin[0], camera.size[1] - margin[1]]);
        let b = camera.screen_to_lonlat([camera.size[0] - margin[0], margin[1]]);
        let mut buckets: [Vec<(FeatureId, Presence)>; 7] = Default::default();
        let mut ghosts: Vec<(FeatureId, ChangeKind)> = Vec::new();
        for id in index.query([a[0], a[1], b[0], b[1]]) {
            scene.features_in_view += 1;
            let Some(e) = cache.get(id) else { continue };
            if !opts.visible[kind_slot(e.kind)] {
                continue;
            }
            // Most features do not change: only those that do need the phase worked out.
            if !e.changed {
                buckets[kind_slot(e.kind)].push((id, Presence::AsBefore));
                continue;
            }
            let Some(f) = plan.get(id) else { continue };
            match presence(plan, f, &opts.phase) {
                Presence::Absent => {
                    if opts.ghosts
                        && let Some(c) = &f.change
                    {
                        ghosts.push((id, c.kind));
                    }
                }
                p => buckets[kind_slot(f.kind)].push((id, p)),
            }
        }
        // Ghosts too are drawn in id order, whatever order the index gave them in.
        ghosts.sort_unstable_by_key(|(id, _)| *id);
        let xf = Transform::new(camera, cache.origin);
        let mut label_candidates = Vec::new();
        // Draw in id order (stable, so overlapping features do not flicker). With
        // much of the plan in view, re-reading it in id order beats sorting.
        let in_view: usize = buckets.iter().map(Vec::len).sum();
        // Most features at full extent are dots: an item each, no points.
        scene.items.reserve(in_view + opts.selected.len() + 8);
        if in_view > 4_096 && in_view > cache.id_bound() / 8 {
            let mut marks = vec![0u8; cache.id_bound()];
            for (id, p) in buckets.iter().flatten() {
                marks[id.index()] = if *p == Presence::AsAfter { 2 } else { 1 };
            }
            for b in buckets.iter_mut() {
                b.clear();
            }
            for (i, m) in marks.iter().enumerate() {
                if *m == 0 {
                    continue;
                }
                let id = FeatureId(i as u32);
                if let Some(e) = cache.get(id) {
                    buckets[kind_slot(e.kind)].push((id, if *m == 2 { Presence::AsAfter } else { Presence::AsBefore }));
                }
            }
        } else {
            for b in buckets.iter_mut() {
                b.sort_unstable_by_key(|(id, _)| *id);
            }
        }
        for (slot, ids) in buckets.iter_mut().enumerate() {
            let kind = Kind::ALL[slot];
            let base = kind_style(kind);
            scene.current_layer = slot as u8;
            if kind == Kind::Street {
                // All casings first, so crossing streets join cleanly.
                for (id, p) in ids.iter() {
                    if let Some(e) = cache.get_in(*id, *p) {
                        scene.push_feature(*id, cache, e, &xf, themed(base, kind, *id, opts), true);
                    }
                }
            }
            for (id, p) in ids.iter() {
                let Some(e) = cache.get_in(*id, *p) else { continue };
                let px = scene.push_feature(*id, cache, e, &xf, themed(base, kind, *id, opts), false);
                if opts.labels && px.is_some() {
                    label_candidates.push((*id, *p));
                }
            }
        }
        scene.current_layer = 7;
        // What the renewal changes: outlined in its item's category colour.
        if opts.highlight_changes {
            for (id, p) in buckets.iter().flatten() {
                let Some(f) = plan.get(*id) else { continue };
                let Some(c) = &f.change else { continue };
                if *p == Presence::AsAfter || c.kind == ChangeKind::Added {
                    let color = change_color(plan, c);
                    scene.push_outline(*id, cache, cache.get_in(*id, *p), &xf, Stroke::solid(3.0, color), 5.0);
                }
            }
        }
        for (id, kind) in &ghosts {
            if *kind == ChangeKind::Removed {
                // Removals are crossed out, as on a demolition plan: never mistaken for the dashed boundary.
                scene.push_removed(*id, cache, cache.get(*id), &xf);
            } else {
                let stroke = Stroke { width: 2.0, color: style::GHOST_ADDED, dash: Some([6.0, 4.0]) };
                scene.push_outline(*id, cache, cache.get(*id), &xf, stroke, 6.0);
            }
        }
        for id in &opts.selected {
            let p = plan.get(*id).map(|f| presence(plan, f, &opts.phase)).unwrap_or(Presence::AsBefore);
            scene.push_highlight(*id, cache, cache.get_in(*id, p), &xf, style::SELECTED, Some(style::SELECTED_FILL));
        }
        if opts.labels {
            scene.place_labels(&label_candidates, cache, &xf, opts.lang);
        }
        scene.dots = Vec::new();
        scene.few_dots = Default::default();
        scene.marker_cells = Default::default();
        scene
    }

    /// The highlight of the feature under the pointer (`opts.hovered`) in `phase`, alone
    /// on a clear background, to be drawn over the scene [`Scene::build`] made
    /// for the same camera: moving the pointer over a city of a million
    /// features redraws one outline, not the city.
    pub fn hover(plan: &Plan, cache: &GeometryCache, camera: &Camera, opts: &SceneOptions, phase: &Phase) -> Scene {
        let mut scene = Scene { size: camera.size, background: Rgba::new(0, 0, 0, 0), ..Scene::default() };
        // Hovering the district boundary (which is everywhere) is not highlighted; a selected feature shows as selected.
        let hovered = opts
            .hovered
            .filter(|h| !opts.selected.contains(h) && cache.get(*h).is_some_and(|e| e.kind != Kind::Boundary));
        if let Some(id) = hovered {
            let xf = Transform::new(camera, cache.origin);
            scene.current_layer = 7;
            let p = plan.get(id).map(|f| presence(plan, f, phase)).unwrap_or(Presence::AsBefore);
            scene.push_highlight(id, cache, cache.get_in(id, p), &xf, style::HOVER, None);
        }
        scene
    }

    /// Pushes a feature's ops; returns its screen size in pixels if drawn.
    /// True if a dot of this colour is already on this pixel; else notes it.
    fn dot_drawn(&mut self, c: [f32; 2], color: Rgba) -> bool {
        let (w, h) = (self.size[0].max(1.0) as usize + 2, self.size[1].max(1.0) as usize + 2);
        if !(c[0] >= -1.0 && c[1] >= -1.0) || c[0] as usize + 1 >= w || c[1] as usize + 1 >= h {
            return false;
        }
        let key = u32::from_le_bytes(color.0) | 1;
        let at = (c[1] + 1.0) as usize * w + (c[0] + 1.0) as usize;
        if self.dots.is_empty() {
            if self.few_dots.len() < FEW_DOTS {
                return self.few_dots.insert(at, key) == Some(key);
            }
            self.dots = vec![0; w * h];
            for (i, k) in self.few_dots.drain() {
                self.dots[i] = k;
            }
        }
        std::mem::replace(&mut self.dots[at], key) == key
    }

    fn push_feature(
        &mut self,
        id: FeatureId,
        cache: &GeometryCache,
        e: &super::cache::Entry,
        xf: &Transform,
        st: style::KindStyle,
        casing_only: bool,
    ) -> Option<f32> {
        let b0 = xf.apply(&[e.bbox[0], e.bbox[3]]);
        let b1 = xf.apply(&[e.bbox[2], e.bbox[1]]);
        let px = (b1[0] - b0[0]).max(b1[1] - b0[1]);
        // Streets are drawn at their real width once that is wider than the minimum.
        let true_px = e.width_m / xf.ground_mpp;
        if casing_only {
            if let Some(mut casing) = st.casing
                && !e.lines.is_empty()
            {
                casing.width = casing.width.max(true_px + 2.0);
                let parts = self.push_parts(cache, e.lines.clone(), xf);
                self.items.push(Item {
                    feature: id,
                    layer: self.current_layer,
                    op: Op::Line { parts, stroke: casing },
                });
            }
            return Some(px);
        }
        if e.boxed || !e.rings.is_empty() {
            let fill = st.fill.unwrap_or(style::BACKGROUND);
            // A boxed entry is a dot at every camera its cache serves (`GeometryCache::draws_at`).
            debug_assert!(!e.boxed || px < TINY_PX, "a boxed feature {px} px wide");
            if px < TINY_PX || e.boxed {
                // A dot keeps a crowded city visible at full extent without tessellating it.
                let c = [(b0[0] + b1[0]) / 2.0, (b0[1] + b1[1]) / 2.0];
                if self.dot_drawn(c, st.stroke.color) {
                    return Some(px);
                }
                self.items.push(Item {
                    feature: id,
                    layer: self.current_layer,
                    op: Op::Dot { at: c, color: st.stroke.color },
                });
            } else {
                let stroke = (px >= 6.0).then_some(st.stroke);
                self.push_area(id, cache, e, xf, fill, stroke);
            }
        }
        if !e.lines.is_empty() {
            let parts = self.push_parts(cache, e.lines.clone(), xf);
            let mut stroke = st.stroke;
            if st.casing.is_none() {
                stroke.width = stroke.width.max(1.5);
            } else {
                stroke.width = stroke.width.max(true_px);
            }
            self.items.push(Item { feature: id, layer: self.current_layer, op: Op::Line { parts, stroke } });
        }
        let scale = marker_scale(xf.ground_mpp);
        if scale < 1.0 {
            self.push_thinned_markers(id, cache, e, xf, &st, scale);
        } else {
            self.push_markers(id, cache, e, xf, st.marker_radius, st.fill.unwrap_or(st.swatch), st.stroke);
        }
        Some(px)
    }

    /// Point symbols at a city scale: shrunk by `scale`, and one of a colour per cell about a
    /// symbol wide (the first in drawing order), so thousands of service points show where they
    /// are without covering the streets.
    fn push_thinned_markers(
        &mut self,
        id: FeatureId,
        cache: &GeometryCache,
        e: &super::cache::Entry,
        xf: &Transform,
        st: &style::KindStyle,
        scale: f32,
    ) {
        let radius = (st.marker_radius * scale).max(1.5);
        let mut stroke = st.stroke;
        stroke.width = (stroke.width * scale).max(0.5);
        let fill = st.fill.unwrap_or(st.swatch);
        let cell = 2.0 * radius + 1.0;
        let colour = u32::from_le_bytes(fill.0);
        for v in &cache.verts[e.points.start as usize..e.points.end as usize] {
            let at = xf.apply(v);
            if !self.marker_cells.insert(((at[0] / cell).floor() as i32, (at[1] / cell).floor() as i32, colour)) {
                continue;
            }
            self.items.push(Item {
                feature: id,
                layer: self.current_layer,
                op: Op::Marker { at, radius, fill, stroke },
            });
        }
    }

    /// The feature's fill triangles and rings as one area item.
    fn push_area(
        &mut self,
        id: FeatureId,
        cache: &GeometryCache,
        e: &super::cache::Entry,
        xf: &Transform,
        fill: Rgba,
        stroke: Option<Stroke>,
    ) {
        let (verts, tris, rings) = self.area_ranges(cache, e, xf);
        self.items.push(Item {
            feature: id,
            layer: self.current_layer,
            op: Op::Area { verts, tris, rings, fill, stroke },
        });
    }

    fn area_ranges(
        &mut self,
        cache: &GeometryCache,
        e: &super::cache::Entry,
        xf: &Transform,
    ) -> (Range<u32>, Range<u32>, Range<u32>) {
        let base = self.points.len() as u32;
        let area_end =
            cache.parts[e.rings.start as usize..e.rings.end as usize].last().map(|p| p[1]).unwrap_or(e.verts.start);
        for v in &cache.verts[e.verts.start as usize..area_end as usize] {
            self.points.push(xf.apply(v));
        }
        let t0 = self.tris.len() as u32;
        let shift = base as i64 - e.verts.start as i64;
        self.tris
            .extend(cache.tris[e.tris.start as usize..e.tris.end as usize].iter().map(|i| (*i as i64 + shift) as u32));
        let r0 = self.parts.len() as u32;
        for p in &cache.parts[e.rings.start as usize..e.rings.end as usize] {
            self.parts.push([(p[0] as i64 + shift) as u32, (p[1] as i64 + shift) as u32]);
        }
        (base..self.points.len() as u32, t0..self.tris.len() as u32, r0..self.parts.len() as u32)
    }

    fn push_parts(&mut self, cache: &GeometryCache, parts: Range<u32>, xf: &Transform) -> Range<u32> {
        let r0 = self.parts.len() as u32;
        for p in &cache.parts[parts.start as usize..parts.end as usize] {
            let s = self.points.len() as u32;
            for v in &cache.verts[p[0] as usize..p[1] as usize] {
                self.points.push(xf.apply(v));
            }
            self.parts.push([s, self.points.len() as u32]);
        }
        r0..self.parts.len() as u32
    }

    /// A marker at each point of a feature.
    #[allow(clippy::too_many_arguments)]
    fn push_markers(
        &mut self,
        id: FeatureId,
        cache: &GeometryCache,
        e: &super::cache::Entry,
        xf: &Transform,
        radius: f32,
        fill: Rgba,
        stroke: Stroke,
    ) {
        for v in &cache.verts[e.points.start as usize..e.points.end as usize] {
            let at = xf.apply(v);
            self.items.push(Item {
                feature: id,
                layer: self.current_layer,
                op: Op::Marker { at, radius, fill, stroke },
            });
        }
    }

    /// An outline only (rings and lines stroked, points ringed): change
    /// highlights and ghosts of features absent in this phase.
    fn push_outline(
        &mut self,
        id: FeatureId,
        cache: &GeometryCache,
        e: Option<&super::cache::Entry>,
        xf: &Transform,
        stroke: Stroke,
        marker_radius: f32,
    ) {
        let Some(e) = e else { return };
        if !e.rings.is_empty() {
            self.push_area(id, cache, e, xf, Rgba::new(0, 0, 0, 0), Some(stroke));
        }
        if !e.lines.is_empty() {
            let parts = self.push_parts(cache, e.lines.clone(), xf);
            self.items.push(Item { feature: id, layer: self.current_layer, op: Op::Line { parts, stroke } });
        }
        self.push_markers(id, cache, e, xf, marker_radius, Rgba::new(0, 0, 0, 0), stroke);
    }

    /// A removed feature: a red tint and outline with a ✕ (drawn as lines) on
    /// areas and points, and a red dotted line crossed at its middle for lines.
    fn push_removed(&mut self, id: FeatureId, cache: &GeometryCache, e: Option<&super::cache::Entry>, xf: &Transform) {
        let Some(e) = e else { return };
        if !e.rings.is_empty() {
            self.push_area(id, cache, e, xf, style::REMOVED_FILL, Some(style::REMOVED_OUTLINE));
            let b0 = xf.apply(&[e.bbox[0], e.bbox[3]]);
            let b1 = xf.apply(&[e.bbox[2], e.bbox[1]]);
            // A ✕ centred on the label anchor (inside the shape), sized to fit in it.
            let half = (0.3 * (b1[0] - b0[0]).min(b1[1] - b0[1])).clamp(5.0, 40.0);
            self.push_cross(id, xf.apply(&e.anchor), half);
        }
        if !e.lines.is_empty() {
            let parts = self.push_parts(cache, e.lines.clone(), xf);
            let mids: Vec<[f32; 2]> = self.parts[parts.start as usize..parts.end as usize]
                .iter()
                .filter(|p| p[1] > p[0])
                .map(|p| {
                    let (a, b) = (
                        self.points[(p[0] + (p[1] - p[0] - 1) / 2) as usize],
                        self.points[(p[0] + (p[1] - p[0]) / 2) as usize],
                    );
                    [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0]
                })
                .collect();
            self.items.push(Item {
                feature: id,
                layer: self.current_layer,
                op: Op::Line { parts, stroke: style::REMOVED_LINE },
            });
            for m in mids {
                self.push_cross(id, m, 5.0);
            }
        }
        for i in e.points.clone() {
            let at = xf.apply(&cache.verts[i as usize]);
            self.push_cross(id, at, 6.0);
        }
    }

    /// A ✕ of half-size `half` pixels at `c`.
    fn push_cross(&mut self, id: FeatureId, c: [f32; 2], half: f32) {
        let r0 = self.parts.len() as u32;
        for (a, b) in [([-half, -half], [half, half]), ([-half, half], [half, -half])] {
            let s = self.points.len() as u32;
            self.points.push([c[0] + a[0], c[1] + a[1]]);
            self.points.push([c[0] + b[0], c[1] + b[1]]);
            self.parts.push([s, s + 2]);
        }
        self.items.push(Item {
            feature: id,
            layer: self.current_layer,
            op: Op::Line { parts: r0..self.parts.len() as u32, stroke: style::REMOVED_CROSS },
        });
    }

    fn push_highlight(
        &mut self,
        id: FeatureId,
        cache: &GeometryCache,
        e: Option<&super::cache::Entry>,
        xf: &Transform,
        stroke: Stroke,
        fill: Option<Rgba>,
    ) {
        let Some(e) = e else {
            return;
        };
        if !e.rings.is_empty() {
            // A selected district boundary is outlined, not tinted: it covers everything.
            let fill = fill.filter(|_| e.kind != Kind::Boundary).unwrap_or(Rgba::new(0, 0, 0, 0));
            self.push_area(id, cache, e, xf, fill, Some(stroke));
        }
        if !e.lines.is_empty() {
            let parts = self.push_parts(cache, e.lines.clone(), xf);
            let st = kind_style(e.kind);
            let w = st.casing.map(|c| c.width).unwrap_or(st.stroke.width).max(e.width_m / xf.ground_mpp + 2.0) + 3.0;
            self.items.push(Item {
                feature: id,
                layer: self.current_layer,
                op: Op::Line { parts, stroke: Stroke { width: w, color: stroke.color.with_alpha(170), dash: None } },
            });
        }
        let r = kind_style(e.kind).marker_radius + 3.0;
        self.push_markers(id, cache, e, xf, r, Rgba::new(0, 0, 0, 0), stroke);
    }

    /// Places labels by priority. Building numbers come first and are kept
    /// whenever the building is large enough to carry one: a number that
    /// collides is shrunk, slid along the building, and at last led out to a
    /// free spot with a leader line. Point labels then try positions around
    /// their symbol and are left out when none is free; everything else is
    /// dropped on overlap, so the map thins out as it zooms out. Labels stay
    /// inside the frame, and long names wrap to two lines at a bounded width.
    fn place_labels(&mut self, ids: &[(FeatureId, Presence)], cache: &GeometryCache, xf: &Transform, lang: Lang) {
        let mut cands = Vec::new();
        let mut obstacles: Vec<[f32; 4]> = Vec::new();
        for (id, p) in ids {
            let Some(e) = cache.get_in(*id, *p) else { continue };
            let b0 = xf.apply(&[e.bbox[0], e.bbox[3]]);
            let b1 = xf.apply(&[e.bbox[2], e.bbox[1]]);
            let (w, h) = (b1[0] - b0[0], b1[1] - b0[1]);
            let symbol = matches!(e.kind, Kind::Node | Kind::Core) && (e.rings.is_empty() || w.max(h) < 24.0);
            if symbol {
                // A point symbol (or a small area such as a ramp) is kept clear of labels.
                let r = if e.rings.is_empty() { kind_style(e.kind).marker_radius } else { 0.0 };
                obstacles.push([b0[0] - r, b0[1] - r, b1[0] + r, b1[1] + r]);
            }
            let Some(texts) = &e.label else {
                continue;
            };
            let text = match lang {
                Lang::Zh => texts.zh(),
                Lang::En => texts.en(),
            };
            let pos = xf.apply(&e.anchor);
            let inside = pos[0] >= 0.0 && pos[1] >= 0.0 && pos[0] <= xf.size[0] && pos[1] <= xf.size[1];
            if !inside {
                continue;
            }
            let small = style::LABEL_SIZE_SMALL;
            let (size, class, fits, max_w) = match e.kind {
                Kind::Building => (small, LabelClass::Number, w.max(h) > 0.7 * text_width(text, small), f32::MAX),
                Kind::Core | Kind::Node if symbol => {
                    let size = if e.kind == Kind::Core { style::LABEL_SIZE } else { small };
                    let r = if e.rings.is_empty() { kind_style(e.kind).marker_radius } else { 0.0 };
                    let bx = [b0[0] - r, b0[1] - r, b1[0] + r, b1[1] + r];
                    (size, LabelClass::Beside(bx), true, POINT_LABEL_EMS * size)
                }
                Kind::Core => (style::LABEL_SIZE, LabelClass::Area, true, w.max(6.0 * style::LABEL_SIZE)),
                Kind::Node => (small, LabelClass::Area, true, w.max(6.0 * small)),
                Kind::Garden => (style::LABEL_SIZE, LabelClass::Area, w.max(h) > 40.0, w.max(6.0 * style::LABEL_SIZE)),
                Kind::Street => (small, LabelClass::Area, w.max(h) > text_width(text, small), w.max(h)),
                Kind::Other => (small, LabelClass::Area, w.max(h) > 0.7 * text_width(text, small), w.max(h).max(40.0)),
                Kind::Boundary => {
                    let large = style::LABEL_SIZE_LARGE;
                    (large, LabelClass::Area, w.max(h) > 60.0 && w.max(h) < 400.0, 14.0 * large)
                }
            };
            if !fits {
                continue;
            }
            let kind_prio = match e.kind {
                Kind::Building => 7,
                Kind::Core => 6,
                Kind::Garden => 5,
                Kind::Street => 4,
                Kind::Node => 3,
                Kind::Other => 2,
                Kind::Boundary => 1,
            };
            let prio = kind_prio * 1_000_000 + (w.max(h).clamp(0.0, 999_999.0)) as u32;
            let lines = wrap(text, size, max_w);
            // Beside a symbol, a shorter form may fit where the full name does not.
            let mut shorter = Vec::new();
            if matches!(class, LabelClass::Beside(_)) {
                let short = drop_parenthesis(text);
                for v in [wrap(short, size, max_w), wrap(short, size, max_w * 0.55)] {
                    if v != lines && !shorter.contains(&v) {
                        shorter.push(v);
                    }
                }
            }
            cands.push(Cand { id: *id, prio, lines, shorter, pos, size, class, bbox: [b0[0], b0[1], b1[0], b1[1]] });
        }
        cands.sort_by(|a, b| b.prio.cmp(&a.prio).then(a.id.cmp(&b.id)));
        let mut placed: Vec<[f32; 4]> = Vec::new();
        let mut grid = Grid::new(xf.size);
        for o in obstacles {
            grid.insert(&o, placed.len());
            placed.push(o);
        }
        let frame = [0.0, 0.0, xf.size[0], xf.size[1]];
        for c in cands {
            let Some((pos, size, rect, leader, lines)) = c.place(&grid, &placed, frame) else { continue };
            grid.insert(&rect, placed.len());
            placed.push(rect);
            self.labels.push(Label {
                feature: c.id,
                text: lines.join("\n"),
                pos,
                size,
                align: Align::Center,
                color: style::LABEL_TEXT,
                halo: style::LABEL_HALO,
                rect,
                leader,
            });
        }
    }
}

/// How a label relates to its feature.
#[derive(Clone, Copy, Debug)]
enum LabelClass {
    /// A building number: on the building, shrunk, slid or led out, never dropped for lesser labels.
    Number,
    /// Beside a point symbol whose box (screen pixels) is given, or left out.
    Beside([f32; 4]),
    /// On its feature (kept inside the frame), or left out.
    Area,
}

/// A label waiting to be placed.
struct Cand {
    id: FeatureId,
    prio: u32,
    lines: Vec<String>,
    /// Shorter forms to try beside a symbol when the full name finds no room.
    shorter: Vec<Vec<String>>,
    /// The anchor on the feature.
    pos: [f32; 2],
    size: f32,
    class: LabelClass,
    /// The feature's box on screen.
    bbox: [f32; 4],
}

/// The widest a point label may be, in ems (longer names wrap to two lines).
pub const POINT_LABEL_EMS: f32 = 13.0;

/// The smallest a building number may be shrunk to, as a share of its size.
const MIN_SHRINK: f32 = 0.7;

impl Cand {
    /// The box of the text centred at `c` at font size `size`, with its halo.
    fn rect_at(&self, c: [f32; 2], size: f32) -> [f32; 4] {
        rect_of(&self.lines, c, size)
    }

    /// Where the label goes: its centre, size, box and leader line (from the
    /// feature to the label), and the lines it is set in; or `None` to leave it out.
    #[allow(clippy::type_complexity)]
    fn place(
        &self,
        grid: &Grid,
        placed: &[[f32; 4]],
        frame: [f32; 4],
    ) -> Option<([f32; 2], f32, [f32; 4], Option<[[f32; 2]; 2]>, Vec<String>)> {
        if let LabelClass::Beside(b) = self.class {
            let free = |r: &[f32; 4]| within(r, &frame) && !grid.overlaps(r, placed);
            for lines in std::iter::once(&self.lines).chain(&self.shorter) {
                let (tw, th) = text_box(lines, self.size);
                let (hw, hh) = (tw / 2.0 + 2.0, th / 2.0 + 1.0);
                let g = 2.0;
                let (cx, cy) = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
                // Right, left, above, below, then the corners (as cartographers rank them).
                let spots = [
                    [b[2] + g + hw, cy],
                    [b[0] - g - hw, cy],
                    [cx, b[1] - g - hh],
                    [cx, b[3] + g + hh],
                    [b[2] + g + hw, b[1] - hh],
                    [b[0] - g - hw, b[1] - hh],
                    [b[2] + g + hw, b[3] + hh],
                    [b[0] - g - hw, b[3] + hh],
                ];
                if let Some((c, r)) = spots.iter().map(|c| (*c, rect_of(lines, *c, self.size))).find(|(_, r)| free(r)) {
                    return Some((c, self.size, r, None, lines.clone()));
                }
            }
            return None;
        }
        self.place_on(grid, placed, frame).map(|(c, size, r, leader)| (c, size, r, leader, self.lines.clone()))
    }
}

/// The box of `lines` centred at `c` at font size `size`, with its halo.
fn rect_of(lines: &[String], c: [f32; 2], size: f32) -> [f32; 4] {
    let (tw, th) = text_box(lines, size);
    [c[0] - tw / 2.0 - 2.0, c[1] - th / 2.0 - 1.0, c[0] + tw / 2.0 + 2.0, c[1] + th / 2.0 + 1.0]
}

impl Cand {
    /// Where a label on its feature (an area's name, a building number) goes.
    #[allow(clippy::type_complexity)]
    fn place_on(
        &self,
        grid: &Grid,
        placed: &[[f32; 4]],
        frame: [f32; 4],
    ) -> Option<([f32; 2], f32, [f32; 4], Option<[[f32; 2]; 2]>)> {
        let free = |r: &[f32; 4]| within(r, &frame) && !grid.overlaps(r, placed);
        match self.class {
            LabelClass::Area => {
                let r = shift_into(self.rect_at(self.pos, self.size), &frame)?;
                let c = [(r[0] + r[2]) / 2.0, (r[1] + r[3]) / 2.0];
                (!grid.overlaps(&r, placed)).then_some((c, self.size, r, None))
            }
            // Placed by `place`.
            LabelClass::Beside(_) => None,
            LabelClass::Number => {
                let b = self.bbox;
                let (w, h) = (b[2] - b[0], b[3] - b[1]);
                // Along the building's long side, a little each way from its anchor.
                let along = |t: f32| {
                    if w >= h { [self.pos[0] + t * w, self.pos[1]] } else { [self.pos[0], self.pos[1] + t * h] }
                };
                for size in [self.size, self.size * 0.85, self.size * MIN_SHRINK] {
                    for t in [0.0, -0.12, 0.12, -0.24, 0.24, -0.36, 0.36] {
                        let c = along(t);
                        let r = self.rect_at(c, size);
                        if free(&r) {
                            return Some((c, size, r, None));
                        }
                    }
                }
                // Led out: the nearest free spot around the building, with a leader line.
                let size = self.size * MIN_SHRINK;
                let (tw, th) = text_box(&self.lines, size);
                let (hw, hh) = (tw / 2.0 + 2.0, th / 2.0 + 1.0);
                let (cx, cy) = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
                for gap in [4.0, 10.0, 18.0, 28.0] {
                    let spots = [
                        [cx, b[1] - gap - hh],
                        [cx, b[3] + gap + hh],
                        [b[2] + gap + hw, cy],
                        [b[0] - gap - hw, cy],
                        [b[2] + gap + hw, b[1] - gap - hh],
                        [b[0] - gap - hw, b[1] - gap - hh],
                        [b[2] + gap + hw, b[3] + gap + hh],
                        [b[0] - gap - hw, b[3] + gap + hh],
                    ];
                    for c in spots {
                        let r = self.rect_at(c, size);
                        if free(&r) {
                            // The leader runs from the anchor to the nearest point of the label's box.
                            let end = [self.pos[0].clamp(r[0], r[2]), self.pos[1].clamp(r[1], r[3])];
                            return Some((c, size, r, Some([self.pos, end])));
                        }
                    }
                }
                None
            }
        }
    }
}

/// True if `r` lies inside `frame`.
fn within(r: &[f32; 4], frame: &[f32; 4]) -> bool {
    r[0] >= frame[0] && r[1] >= frame[1] && r[2] <= frame[2] && r[3] <= frame[3]
}

/// `r` moved the least distance to lie inside `frame`, or `None` if it is larger than the frame.
fn shift_into(r: [f32; 4], frame: &[f32; 4]) -> Option<[f32; 4]> {
    if r[2] - r[0] > frame[2] - frame[0] || r[3] - r[1] > frame[3] - frame[1] {
        return None;
    }
    let dx = (frame[0] - r[0]).max(0.0) - (r[2] - frame[2]).max(0.0);
    let dy = (frame[1] - r[1]).max(0.0) - (r[3] - frame[3]).max(0.0);
    Some([r[0] + dx, r[1] + dy, r[2] + dx, r[3] + dy])
}

/// Line height of labels, as a share of the font size.
pub const LINE_HEIGHT: f32 = 1.25;

/// The width and height of a label's lines at `size`.
fn text_box(lines: &[String], size: f32) -> (f32, f32) {
    let w = lines.iter().map(|l| text_width(l, size)).fold(0.0, f32::max);
    (w, size * LINE_HEIGHT * lines.len().max(1) as f32)
}

/// Breaks text into lines no wider than `max_w` (at font size `size`): at
/// spaces for Latin text, between characters for Chinese. A single word wider
/// than `max_w` stays whole on its line.
pub fn break_lines(text: &str, size: f32, max_w: f32) -> Vec<String> {
    if text_width(text, size) <= max_w {
        return vec![text.to_string()];
    }
    // Words (Latin, each with its following space) or single wide characters.
    let mut tokens: Vec<String> = Vec::new();
    for word in text.split(' ') {
        let mut latin = String::new();
        for ch in word.chars() {
            if ch.is_ascii() {
                latin.push(ch);
            } else {
                if !latin.is_empty() {
                    tokens.push(std::mem::take(&mut latin));
                }
                tokens.push(ch.to_string());
            }
        }
        latin.push(' ');
        match tokens.last_mut() {
            Some(t) if latin == " " => t.push(' '),
            _ => tokens.push(latin),
        }
    }
    // Closing punctuation never begins a line (Chinese typesetting's 避头点): it stays on
    // the line before, a little past the measure.
    let closing = |t: &str| !t.is_empty() && t.chars().all(|c| "。，、；：！？）」』》〉】”’.,;:!?)".contains(c));
    let mut lines: Vec<String> = vec![String::new()];
    for t in tokens {
        let cur = lines.last_mut().expect("one line");
        let candidate = format!("{cur}{t}");
        if cur.trim().is_empty() || closing(t.trim_end()) || text_width(candidate.trim_end(), size) <= max_w {
            *cur = candidate;
        } else {
            lines.push(t);
        }
    }
    lines.into_iter().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect()
}

/// A label in at most two lines no wider than `max_w`: split where the two
/// lines come out most even; if it does not fit in two lines, a trailing
/// parenthesis is left out (`Community Canteen (Meihao …)` → `Community
/// Canteen`), and what still does not fit is cut with an ellipsis.
pub fn wrap(text: &str, size: f32, max_w: f32) -> Vec<String> {
    if text_width(text, size) <= max_w {
        return vec![text.to_string()];
    }
    if let Some(lines) = balanced_split(text, size, max_w) {
        return lines;
    }
    let short = drop_parenthesis(text);
    if short != text {
        return wrap(short, size, max_w);
    }
    let mut lines = break_lines(text, size, max_w);
    if lines.len() > 2 {
        let rest = lines[1..].join(" ");
        lines.truncate(1);
        lines.push(rest);
    }
    for l in lines.iter_mut() {
        if text_width(l, size) > max_w {
            let mut cut = String::new();
            for ch in l.chars() {
                if text_width(&format!("{cut}{ch}…"), size) > max_w {
                    break;
                }
                cut.push(ch);
            }
            *l = format!("{}…", cut.trim_end());
        }
    }
    lines
}

/// A name without its trailing parenthesis: `美好邻里食堂（社区食堂）` → `美好邻里食堂`.
pub fn drop_parenthesis(text: &str) -> &str {
    match text.rfind(['(', '（']) {
        Some(open) if open > 0 && text.trim_end().ends_with([')', '）']) => text[..open].trim_end(),
        _ => text,
    }
}

/// Two lines no wider than `max_w`, split at the space (or, in Chinese,
/// between the characters) that makes them most even; `None` if no split fits.
fn balanced_split(text: &str, size: f32, max_w: f32) -> Option<Vec<String>> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut best: Option<(f32, usize, usize)> = None;
    for (k, (i, c)) in chars.iter().enumerate().skip(1) {
        let prev = chars[k - 1].1;
        // Break at a space (dropped), or between two wide characters.
        let (end, start) = if *c == ' ' {
            (*i, i + 1)
        } else if !c.is_ascii() && !prev.is_ascii() && !matches!(c, '）' | '，' | '、' | '。') {
            (*i, *i)
        } else {
            continue;
        };
        let (l1, l2) = (text[..end].trim_end(), text[start..].trim_start());
        if l1.is_empty() || l2.is_empty() {
            continue;
        }
        let w = text_width(l1, size).max(text_width(l2, size));
        if w <= max_w && best.is_none_or(|(bw, _, _)| w < bw) {
            best = Some((w, end, start));
        }
    }
    best.map(|(_, end, start)| vec![text[..end].trim_end().to_string(), text[start..].trim_start().to_string()])
}

/// A kind's style recoloured by the thematic map: features with items take
/// their theme colour, the rest are muted. The boundary keeps its style.
fn themed(base: style::KindStyle, kind: Kind, id: FeatureId, opts: &SceneOptions) -> style::KindStyle {
    let Some(colors) = &opts.theme else { return base };
    if kind == Kind::Boundary {
        return base;
    }
    let c = colors.get(id.index()).copied().flatten();
    let mut st = base;
    if base.casing.is_some() {
        // Streets: the line takes the colour, the casing stays.
        st.stroke.color = c.unwrap_or(Rgba::rgb(240, 238, 233));
    } else if base.fill.is_some() {
        let fill = c.unwrap_or(super::theme::NO_ITEMS);
        st.fill = Some(fill);
        st.swatch = fill;
        if c.is_none() {
            st.stroke.color = Rgba::rgb(175, 172, 166);
        }
    } else {
        st.stroke.color = c.unwrap_or(super::theme::NO_ITEMS);
    }
    st
}

/// The colour of a change: the category of the first item that causes it.
fn change_color(plan: &Plan, c: &Change) -> Rgba {
    c.by_items
        .iter()
        .filter_map(|i| plan.items.get(i))
        .find_map(|i| lookup(&plan.catalogue_additions, &i.catalogue))
        .map(|e| super::theme::category_color(e.category))
        .unwrap_or(style::CHANGE_DEFAULT)
}

/// An estimate of a label's width in pixels: CJK glyphs are square, Latin ones about half as wide.
pub fn text_width(text: &str, size: f32) -> f32 {
    text.chars()
        .map(|c| if crate::model::has_cjk(c.encode_utf8(&mut [0; 4])) || !c.is_ascii() { 1.0 } else { 0.56 })
        .sum::<f32>()
        * size
}

/// World (cache-relative) → screen, precomputed for one frame.
struct Transform {
    off: [f64; 2],
    inv: f64,
    half: [f32; 2],
    size: [f32; 2],
    ground_mpp: f32,
}

impl Transform {
    fn new(cam: &Camera, origin: [f64; 2]) -> Self {
        Transform {
            off: [origin[0] - cam.center[0], origin[1] - cam.center[1]],
            inv: 1.0 / cam.mpp,
            half: [cam.size[0] / 2.0, cam.size[1] / 2.0],
            size: cam.size,
            ground_mpp: cam.ground_mpp() as f32,
        }
    }

    #[inline]
    fn apply(&self, v: &[f32; 2]) -> [f32; 2] {
        [
            ((v[0] as f64 + self.off[0]) * self.inv) as f32 + self.half[0],
            self.half[1] - ((v[1] as f64 + self.off[1]) * self.inv) as f32,
        ]
    }
}

/// A coarse grid over the screen to find overlapping label boxes quickly.
struct Grid {
    cell: f32,
    cols: usize,
    rows: usize,
    cells: Vec<Vec<usize>>,
}

impl Grid {
    fn new(size: [f32; 2]) -> Self {
        let cell = 64.0;
        let cols = (size[0] / cell).ceil().max(1.0) as usize + 2;
        let rows = (size[1] / cell).ceil().max(1.0) as usize + 2;
        Grid { cell, cols, rows, cells: vec![Vec::new(); cols * rows] }
    }

    fn range(&self, r: &[f32; 4]) -> (usize, usize, usize, usize) {
        let c = |v: f32, n: usize| (((v / self.cell).floor() as i64 + 1).clamp(0, n as i64 - 1)) as usize;
        (c(r[0], self.cols), c(r[1], self.rows), c(r[2], self.cols), c(r[3], self.rows))
    }

    fn overlaps(&self, r: &[f32; 4], placed: &[[f32; 4]]) -> bool {
        let (x0, y0, x1, y1) = self.range(r);
        (y0..=y1).any(|y| {
            (x0..=x1).any(|x| {
                self.cells[y * self.cols + x].iter().any(|i| {
                    placed[*i][0] < r[2] && r[0] < placed[*i][2] && placed[*i][1] < r[3] && r[1] < placed[*i][3]
                })
            })
        })
    }

    fn insert(&mut self, r: &[f32; 4], i: usize) {
        let (x0, y0, x1, y1) = self.range(r);
        for y in y0..=y1 {
            for x in x0..=x1 {
                self.cells[y * self.cols + x].push(i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn closing_punctuation_never_begins_a_line() {
        // A measure that fits the text but not its full stop, which would wrap alone.
        let text = "示意图，非测绘成果：四十三栋楼的位置均为示意";
        let size = 10.0;
        let max_w = text_width(text, size) + 0.01;
        let lines = break_lines(&format!("{text}。"), size, max_w);
        assert!(lines.iter().all(|l| !l.starts_with('。') && !l.starts_with('，')), "{lines:?}");
        assert_eq!(lines, vec![format!("{text}。")], "the stop stays on the line, past the measure");
        // Without closing punctuation the break is where the measure says.
        let plain = break_lines(&format!("{text}图"), size, max_w);
        assert_eq!(plain.last().map(String::as_str), Some("图"), "{plain:?}");
    }

    use super::*;

    #[test]
    fn a_dot_is_drawn_once_per_pixel_and_colour_before_and_after_the_grid_is_made() {
        let mut s = Scene { size: [1920.0, 1080.0], ..Scene::default() };
        let (red, blue) = (Rgba::new(200, 0, 0, 255), Rgba::new(0, 0, 200, 255));
        assert!(!s.dot_drawn([10.2, 20.7], red));
        assert!(s.dot_drawn([10.9, 20.1], red), "same pixel, same colour");
        assert!(!s.dot_drawn([10.5, 20.5], blue), "another colour on it");
        assert!(s.dots.is_empty(), "a handful of dots make no full-frame grid");
        // Many dots: the map becomes the grid and keeps what it knew.
        for i in 0..FEW_DOTS + 10 {
            let c = [(i % 1900) as f32 + 12.0, (i / 1900) as f32 + 30.0];
            assert!(!s.dot_drawn(c, red), "{i}");
        }
        assert!(!s.dots.is_empty() && s.few_dots.is_empty());
        assert!(s.dot_drawn([10.5, 20.5], blue) && !s.dot_drawn([10.5, 20.5], red));
        assert!(s.dot_drawn([12.0, 30.0], red));
        assert!(!s.dot_drawn([-5.0, 3.0], red), "off the frame is never 'drawn'");
    }

    #[test]
    fn a_crowded_number_is_slid_shrunk_or_led_out_not_dropped() {
        // Two buildings side by side, too close for two full-size numbers at their centres:
        // long slabs (a number can slide along) and small squares (it must shrink or be led out).
        use crate::model::{Feature, PlanMeta};
        use geo::{Geometry, polygon};
        for (bw, bh) in [(0.0001, 0.0004), (0.0001, 0.00008)] {
            let mut plan = Plan::new(PlanMeta::default());
            for i in 0..2 {
                let (x0, y0) = (116.45 + i as f64 * (bw + 0.00001), 39.88);
                let g = Geometry::Polygon(
                    polygon![(x: x0, y: y0), (x: x0 + bw, y: y0), (x: x0 + bw, y: y0 + bh), (x: x0, y: y0 + bh), (x: x0, y: y0)],
                );
                let props = serde_json::json!({"kind": "building", "number": format!("{}", 101 + i)});
                plan.push(Feature::new(Kind::Building, props.as_object().cloned().expect("object"), g));
            }
            let index = SpatialIndex::build(&plan);
            let cache = GeometryCache::build(&plan);
            let ext = index.extent().expect("extent");
            // A scale at which the two numbers, side by side at full size, would overlap.
            let step_m = (bw + 0.00001) * crate::model::metres_per_degree(39.88).0;
            let mut cam = Camera::fit(ext, [400.0, 400.0], 20.0);
            let want_mpp = step_m / (0.9 * text_width("101楼", style::LABEL_SIZE_SMALL) as f64);
            cam.zoom_at(cam.ground_mpp() / want_mpp, [200.0, 200.0]);
            let scene = Scene::build(&plan, &index, &cache, &cam, &SceneOptions::default());
            let texts: Vec<&str> = scene.labels.iter().map(|l| l.text.as_str()).collect();
            assert_eq!(texts.len(), 2, "{bw}×{bh}: both numbers kept: {texts:?}");
            let [a, b] = [&scene.labels[0], &scene.labels[1]];
            let overlap =
                a.rect[0] < b.rect[2] && b.rect[0] < a.rect[2] && a.rect[1] < b.rect[3] && b.rect[1] < a.rect[3];
            assert!(!overlap, "{bw}×{bh}: {a:?} overlaps {b:?}");
            let centre = |l: &Label| {
                let e = cache.get(l.feature).expect("entry");
                cam.world_to_screen([e.anchor[0] as f64 + cache.origin[0], e.anchor[1] as f64 + cache.origin[1]])
            };
            let gave_way = scene.labels.iter().any(|l| {
                let c = centre(l);
                l.size < style::LABEL_SIZE_SMALL || l.leader.is_some() || (l.pos[0] - c[0]).hypot(l.pos[1] - c[1]) > 1.0
            });
            assert!(gave_way, "{bw}×{bh}: one of them had to give way: {:?}", scene.labels);
        }
    }
}
