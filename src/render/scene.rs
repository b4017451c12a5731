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
use crate::model::{Change, ChangeKind, FeatureId, Kind, Phase, Plan, Presence, SpatialIndex};

/// One thing to draw.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// A filled area: triangles for rasterisers, rings for vector output.
    Area { verts: Range<u32>, tris: Range<u32>, rings: Range<u32>, fill: Rgba, stroke: Option<Stroke> },
    /// Open polylines.
    Line { parts: Range<u32>, stroke: Stroke },
    /// A round point marker.
    Marker { at: [f32; 2], radius: f32, fill: Rgba, stroke: Stroke },
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
    /// Left edge at the position (labels beside point markers).
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
}

/// What the view should show besides the plan itself.
#[derive(Clone, Debug)]
pub struct SceneOptions {
    pub visible: [bool; 7],
    /// Thematic colours by feature id (from [`super::theme::feature_colors`]), or none: colour by kind.
    pub theme: Option<std::sync::Arc<Vec<Option<Rgba>>>>,
    pub chinese: bool,
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
            chinese: true,
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
    Kind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
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
    dots: Vec<u32>,
}

/// Below this many pixels a feature is drawn as a dot, not as its outline.
const TINY_PX: f32 = 2.0;

impl Scene {
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
        let xf = Transform::new(camera, cache.origin);
        let mut label_candidates = Vec::new();
        // Draw in id order (stable, so overlapping features do not flicker). With
        // much of the plan in view, re-reading it in id order beats sorting.
        let in_view: usize = buckets.iter().map(Vec::len).sum();
        // Most features at full extent are dots of 4 points and 2 triangles.
        scene.items.reserve(in_view + opts.selected.len() + 8);
        scene.points.reserve(in_view * 4);
        scene.tris.reserve(in_view * 6);
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
            let color = if *kind == ChangeKind::Removed { style::GHOST_REMOVED } else { style::GHOST_ADDED };
            let stroke = Stroke { width: 2.0, color, dash: Some([6.0, 4.0]) };
            scene.push_outline(*id, cache, cache.get(*id), &xf, stroke, 6.0);
        }
        for id in &opts.selected {
            let p = plan.get(*id).map(|f| presence(plan, f, &opts.phase)).unwrap_or(Presence::AsBefore);
            scene.push_highlight(*id, cache, cache.get_in(*id, p), &xf, style::SELECTED, Some(style::SELECTED_FILL));
        }
        // Hovering the district boundary (which is everywhere) is not highlighted.
        let hovered = opts
            .hovered
            .filter(|h| !opts.selected.contains(h) && cache.get(*h).is_some_and(|e| e.kind != Kind::Boundary));
        if let Some(id) = hovered {
            let p = plan.get(id).map(|f| presence(plan, f, &opts.phase)).unwrap_or(Presence::AsBefore);
            scene.push_highlight(id, cache, cache.get_in(id, p), &xf, style::HOVER, None);
        }
        if opts.labels {
            scene.place_labels(&label_candidates, cache, &xf, opts.chinese);
        }
        scene.dots = Vec::new();
        scene
    }

    /// Pushes a feature's ops; returns its screen size in pixels if drawn.
    /// True if a dot of this colour is already on this pixel; else notes it.
    fn dot_drawn(&mut self, c: [f32; 2], color: Rgba) -> bool {
        let (w, h) = (self.size[0].max(1.0) as usize + 2, self.size[1].max(1.0) as usize + 2);
        if !(c[0] >= -1.0 && c[1] >= -1.0) || c[0] as usize + 1 >= w || c[1] as usize + 1 >= h {
            return false;
        }
        if self.dots.is_empty() {
            self.dots = vec![0; w * h];
        }
        let key = u32::from_le_bytes(color.0) | 1;
        let cell = &mut self.dots[(c[1] + 1.0) as usize * w + (c[0] + 1.0) as usize];
        std::mem::replace(cell, key) == key
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
        if !e.rings.is_empty() {
            let fill = st.fill.unwrap_or(style::BACKGROUND);
            if px < TINY_PX {
                // A dot keeps a crowded city visible at full extent without tessellating it.
                let c = [(b0[0] + b1[0]) / 2.0, (b0[1] + b1[1]) / 2.0];
                if self.dot_drawn(c, st.stroke.color) {
                    return Some(px);
                }
                let h = 0.75;
                let v = self.points.len() as u32;
                self.points.extend([
                    [c[0] - h, c[1] - h],
                    [c[0] + h, c[1] - h],
                    [c[0] + h, c[1] + h],
                    [c[0] - h, c[1] + h],
                ]);
                let t = self.tris.len() as u32;
                self.tris.extend([v, v + 1, v + 2, v, v + 2, v + 3]);
                self.items.push(Item {
                    feature: id,
                    layer: self.current_layer,
                    op: Op::Area { verts: v..v + 4, tris: t..t + 6, rings: 0..0, fill: st.stroke.color, stroke: None },
                });
            } else {
                let (verts, tris, rings) = self.push_area(cache, e, xf);
                let stroke = (px >= 6.0).then_some(st.stroke);
                self.items.push(Item {
                    feature: id,
                    layer: self.current_layer,
                    op: Op::Area { verts, tris, rings, fill, stroke },
                });
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
        self.push_markers(id, cache, e, xf, st.marker_radius, st.fill.unwrap_or(st.swatch), st.stroke);
        Some(px)
    }

    fn push_area(
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
            let (verts, tris, rings) = self.push_area(cache, e, xf);
            self.items.push(Item {
                feature: id,
                layer: self.current_layer,
                op: Op::Area { verts, tris, rings, fill: Rgba::new(0, 0, 0, 0), stroke: Some(stroke) },
            });
        }
        if !e.lines.is_empty() {
            let parts = self.push_parts(cache, e.lines.clone(), xf);
            self.items.push(Item { feature: id, layer: self.current_layer, op: Op::Line { parts, stroke } });
        }
        self.push_markers(id, cache, e, xf, marker_radius, Rgba::new(0, 0, 0, 0), stroke);
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
            let (verts, tris, rings) = self.push_area(cache, e, xf);
            self.items.push(Item {
                feature: id,
                layer: self.current_layer,
                // A selected district boundary is outlined, not tinted: it covers everything.
                op: Op::Area {
                    verts,
                    tris,
                    rings,
                    fill: fill.filter(|_| e.kind != Kind::Boundary).unwrap_or(Rgba::new(0, 0, 0, 0)),
                    stroke: Some(stroke),
                },
            });
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

    /// Places labels by priority, dropping any that would overlap one
    /// already placed: as the map zooms out, labels thin out instead of piling up.
    fn place_labels(&mut self, ids: &[(FeatureId, Presence)], cache: &GeometryCache, xf: &Transform, chinese: bool) {
        struct Cand<'a> {
            id: FeatureId,
            prio: u32,
            text: &'a str,
            pos: [f32; 2],
            size: f32,
            align: Align,
        }
        let mut cands = Vec::new();
        for (id, p) in ids {
            let Some(e) = cache.get_in(*id, *p) else { continue };
            let Some(texts) = e.label.as_deref() else {
                continue;
            };
            let text = if chinese { texts.0.as_str() } else { texts.1.as_str() };
            let b0 = xf.apply(&[e.bbox[0], e.bbox[3]]);
            let b1 = xf.apply(&[e.bbox[2], e.bbox[1]]);
            let (w, h) = (b1[0] - b0[0], b1[1] - b0[1]);
            let pos = xf.apply(&e.anchor);
            let (size, kind_prio, align, fits) = match e.kind {
                Kind::Node => (style::LABEL_SIZE_SMALL, 6, Align::Left, true),
                Kind::Core => {
                    (style::LABEL_SIZE, 7, if e.rings.is_empty() { Align::Left } else { Align::Center }, true)
                }
                Kind::Garden => (style::LABEL_SIZE, 5, Align::Center, w.max(h) > 40.0),
                Kind::Street => {
                    (style::LABEL_SIZE_SMALL, 4, Align::Center, w.max(h) > text_width(text, style::LABEL_SIZE_SMALL))
                }
                Kind::Building => (
                    style::LABEL_SIZE_SMALL,
                    3,
                    Align::Center,
                    w.max(h) > 0.7 * text_width(text, style::LABEL_SIZE_SMALL),
                ),
                Kind::Other => (
                    style::LABEL_SIZE_SMALL,
                    2,
                    Align::Center,
                    w.max(h) > 0.7 * text_width(text, style::LABEL_SIZE_SMALL),
                ),
                Kind::Boundary => (style::LABEL_SIZE_LARGE, 1, Align::Center, w.max(h) > 60.0 && w.max(h) < 400.0),
            };
            if !fits || pos[0] < -50.0 || pos[1] < -20.0 || pos[0] > xf.size[0] + 50.0 || pos[1] > xf.size[1] + 20.0 {
                continue;
            }
            let offset = if align == Align::Left { kind_style(e.kind).marker_radius + 3.0 } else { 0.0 };
            let prio = kind_prio * 1_000_000 + (w.max(h).min(999_999.0)) as u32;
            cands.push(Cand { id: *id, prio, text, pos: [pos[0] + offset, pos[1]], size, align });
        }
        cands.sort_by(|a, b| b.prio.cmp(&a.prio).then(a.id.cmp(&b.id)));
        let mut placed: Vec<[f32; 4]> = Vec::new();
        let mut grid = Grid::new(xf.size);
        for c in cands {
            let tw = text_width(c.text, c.size);
            let th = c.size * 1.25;
            let x0 = if c.align == Align::Left { c.pos[0] } else { c.pos[0] - tw / 2.0 };
            let rect = [x0 - 2.0, c.pos[1] - th / 2.0 - 1.0, x0 + tw + 2.0, c.pos[1] + th / 2.0 + 1.0];
            if grid.overlaps(&rect, &placed) {
                continue;
            }
            grid.insert(&rect, placed.len());
            placed.push(rect);
            self.labels.push(Label {
                feature: c.id,
                text: c.text.to_string(),
                pos: c.pos,
                size: c.size,
                align: c.align,
                color: style::LABEL_TEXT,
                halo: style::LABEL_HALO,
                rect,
            });
        }
    }
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
    use super::*;
    use crate::document::Document;

    fn jinsong_scene(zoom: f64) -> (Document, Scene, Camera) {
        let doc = Document::jinsong();
        let cache = GeometryCache::build(&doc.plan);
        let ext = doc.index.extent().expect("extent");
        let mut cam = Camera::fit(ext, [1280.0, 800.0], 30.0);
        cam.zoom_at(zoom, [640.0, 400.0]);
        let scene = Scene::build(&doc.plan, &doc.index, &cache, &cam, &SceneOptions::default());
        (doc, scene, cam)
    }

    #[test]
    fn streets_are_drawn_at_their_real_width_when_zoomed_in() {
        let (doc, scene, cam) = jinsong_scene(1.0);
        let id = doc.plan.iter().find(|(_, f)| f.name_zh() == Some("劲松西街")).map(|(id, _)| id).expect("street");
        let widest = scene
            .items
            .iter()
            .filter(|i| i.feature == id)
            .filter_map(|i| match &i.op {
                Op::Line { stroke, .. } => Some(stroke.width),
                _ => None,
            })
            .fold(0.0f32, f32::max);
        let expected = 14.0 / cam.ground_mpp() as f32;
        assert!(widest >= expected, "劲松西街 drawn {widest}px wide, expected at least {expected}px");
    }

    #[test]
    fn labels_thin_out_as_the_map_zooms_out_and_never_overlap() {
        let (_, near, _) = jinsong_scene(2.0);
        let (_, far, _) = jinsong_scene(0.2);
        assert!(near.labels.len() > far.labels.len(), "{} near vs {} far", near.labels.len(), far.labels.len());
        for scene in [&near, &far] {
            for (i, a) in scene.labels.iter().enumerate() {
                for b in &scene.labels[i + 1..] {
                    let overlap = a.rect[0] < b.rect[2]
                        && b.rect[0] < a.rect[2]
                        && a.rect[1] < b.rect[3]
                        && b.rect[1] < a.rect[3];
                    assert!(!overlap, "{} overlaps {}", a.text, b.text);
                }
            }
        }
    }

    #[test]
    fn a_frame_touches_only_what_is_in_view() {
        let (doc, near, _) = jinsong_scene(8.0);
        assert!(near.features_in_view < doc.plan.len(), "{} of {}", near.features_in_view, doc.plan.len());
    }
}
