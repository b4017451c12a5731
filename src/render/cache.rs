//! Geometry prepared for drawing, built once per feature and reused every
//! frame: vertices projected to world metres (relative to an origin, as f32),
//! polygons triangulated (earcut, so concave footprints fill correctly),
//! label anchors and texts chosen. Panning and zooming only transform these;
//! nothing is re-parsed or re-triangulated until an edit touches a feature.

use std::ops::Range;

use geo::{Geometry, LineString, Polygon};

use super::camera::to_world;
use crate::model::{Feature, FeatureId, Kind, Plan};

/// Where a feature's prepared geometry lives in the shared buffers.
#[derive(Clone, Debug, Default)]
pub struct Entry {
    /// Vertices of the feature (into [`GeometryCache::verts`]).
    pub verts: Range<u32>,
    /// Triangles of its areas (into [`GeometryCache::tris`]; absolute vertex indices).
    pub tris: Range<u32>,
    /// Area rings (into [`GeometryCache::parts`]; drawn closed).
    pub rings: Range<u32>,
    /// Line parts (into [`GeometryCache::parts`]; drawn open).
    pub lines: Range<u32>,
    /// Point vertices (into [`GeometryCache::verts`]).
    pub points: Range<u32>,
    /// World bounding box relative to the origin: `[min_x, min_y, max_x, max_y]`.
    pub bbox: [f32; 4],
    /// Where its label goes (world, relative to the origin).
    pub anchor: [f32; 2],
    /// Label texts: Chinese, English (short forms: a building shows its number).
    pub label: Option<LabelTexts>,
    pub kind: Kind,
    /// Real-world width of a line feature in metres (`width_m`/`width`), 0 if unknown.
    pub width_m: f32,
    /// The feature differs between before and after.
    pub changed: bool,
    /// Only its box was prepared (no vertices, label or width): a print's
    /// feature that every camera the cache serves draws as a dot
    /// ([`GeometryCache::for_print_at`]).
    pub boxed: bool,
}

/// A feature's label in Chinese and in English, kept in one allocation (a
/// million buildings' labels are a million small strings, not three million).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelTexts {
    /// The Chinese text, then the English one unless it is the same.
    text: Box<str>,
    zh_len: u32,
}

impl LabelTexts {
    pub fn new(zh: &str, en: &str) -> Self {
        let text = if zh == en { zh.into() } else { [zh, en].concat().into_boxed_str() };
        LabelTexts { text, zh_len: zh.len() as u32 }
    }

    pub fn zh(&self) -> &str {
        &self.text[..self.zh_len as usize]
    }

    pub fn en(&self) -> &str {
        match &self.text[self.zh_len as usize..] {
            "" => self.zh(),
            en => en,
        }
    }
}

/// Prepared geometry for every feature of a plan.
#[derive(Clone)]
pub struct GeometryCache {
    /// World coordinates of the cache's origin (vertices are relative to it,
    /// so f32 keeps millimetre precision across a city).
    pub origin: [f64; 2],
    pub verts: Vec<[f32; 2]>,
    pub tris: Vec<u32>,
    /// Vertex ranges of rings and line parts.
    pub parts: Vec<[u32; 2]>,
    entries: Vec<Option<Entry>>,
    /// The after state of modified features (geometry and/or labels differ).
    after: std::collections::BTreeMap<FeatureId, Entry>,
    /// Vertices no longer referenced (after updates), to know when to compact.
    garbage: usize,
    /// Areas are triangulated (for the GPU); a cache for one print holds
    /// outlines only, which is all a page draws.
    fills: bool,
    /// The finest scale (world metres per scene unit) the cache serves: a
    /// feature drawn as a dot at it and at every coarser scale keeps its box
    /// alone. 0 for a cache that serves every camera.
    least_mpp: f64,
}

/// A feature's box, once projected, must be this much under the scene's dot
/// size (`TINY_PX` scene units at the finest scale served) to be kept as a
/// box alone: the scene measures the box through its own rounding.
const BOXED_SHARE: f64 = 0.9;

impl GeometryCache {
    /// Prepares every feature of a plan, on all cores.
    pub fn build(plan: &Plan) -> Self {
        Self::build_at(plan, true, 0.0)
    }

    fn build_at(plan: &Plan, fills: bool, least_mpp: f64) -> Self {
        let origin =
            plan.iter().find_map(|(_, f)| f.bbox()).map(|r| to_world(r.center().x, r.center().y)).unwrap_or([0.0, 0.0]);
        // Each core prepares a run of ids into its own part of the entries and its own buffers.
        let mut entries = vec![None; plan.id_bound()];
        let parts = crate::model::par::chunks(&mut entries, 2_000, |first, slots| {
            Self::build_part(plan, first, slots, origin, fills, least_mpp)
        });
        // The first part becomes the whole, so its buffers are not copied.
        let mut all = Self::empty(origin, 0, fills, least_mpp);
        for (range, part) in parts {
            match part {
                Some(part) if range.start == 0 => all = part,
                Some(part) => all.append(part, &mut entries[range]),
                // A part that panicked is left unprepared: its features are not drawn.
                None => entries[range].fill(None),
            }
        }
        all.entries = entries;
        all
    }

    /// The plan's spatial index and its drawing cache, built side by side on
    /// two threads (they only read the plan): what every view of a plan needs.
    pub fn with_index(plan: &Plan) -> (crate::model::SpatialIndex, Self) {
        Self::index_and(plan, true)
    }

    /// [`GeometryCache::with_index`] for one print (a PNG, SVG or PDF page):
    /// areas are outlines only, not triangulated, as a page never fills
    /// triangles (a label's anchor is placed as it would be on screen), and
    /// the index is the features' boxes without a tree
    /// ([`SpatialIndex::boxes_only`](crate::model::SpatialIndex::boxes_only)).
    pub fn for_print(plan: &Plan) -> (crate::model::SpatialIndex, Self) {
        Self::index_and(plan, false)
    }

    /// [`GeometryCache::for_print`] for a print whose cameras are all at
    /// `least_mpp` world metres per scene unit or coarser ([`Camera::mpp`]):
    /// an area that every such camera draws as a dot (not a node or core,
    /// unchanged, its box under the dot size at `least_mpp`) keeps its box
    /// alone — no vertices, label or width —, which is all the scene draws of
    /// it. At a city's full extent that is most of its buildings. Check a
    /// camera with [`GeometryCache::draws_at`] before drawing with it.
    ///
    /// [`Camera::mpp`]: super::Camera
    pub fn for_print_at(plan: &Plan, least_mpp: f64) -> Self {
        Self::build_at(plan, false, least_mpp.max(0.0))
    }

    /// Whether a scene at this camera draws from this cache as from one
    /// holding every feature whole: its scale is no finer than the cache's least.
    pub fn draws_at(&self, camera: &super::Camera) -> bool {
        camera.mpp >= self.least_mpp
    }

    fn index_and(plan: &Plan, fills: bool) -> (crate::model::SpatialIndex, Self) {
        // A print queries its index once or twice: boxes suffice, no tree is built.
        let make = |plan| {
            if fills { crate::model::SpatialIndex::build(plan) } else { crate::model::SpatialIndex::boxes_only(plan) }
        };
        std::thread::scope(|s| {
            let index = s.spawn(|| make(plan));
            let cache = Self::build_at(plan, fills, 0.0);
            (index.join().unwrap_or_else(|_| make(plan)), cache)
        })
    }

    fn empty(origin: [f64; 2], n: usize, fills: bool, least_mpp: f64) -> Self {
        GeometryCache {
            origin,
            verts: Vec::new(),
            tris: Vec::new(),
            parts: Vec::new(),
            entries: vec![None; n],
            after: Default::default(),
            garbage: 0,
            fills,
            least_mpp,
        }
    }

    /// Prepares the features with ids from `first` on into `slots` (slot `i`
    /// is feature `first + i`); the vertices, parts, triangles and after
    /// states are the part's own, numbered from 0.
    fn build_part(
        plan: &Plan,
        first: usize,
        slots: &mut [Option<Entry>],
        origin: [f64; 2],
        fills: bool,
        least_mpp: f64,
    ) -> Self {
        let mut cache = Self::empty(origin, 0, fills, least_mpp);
        let ids = first..first + slots.len();
        let features = || ids.clone().filter_map(|i| Some((FeatureId(i as u32), plan.get(FeatureId(i as u32))?)));
        if least_mpp <= 0.0 {
            // Room for every vertex (a print at a city's scale keeps few of them).
            let n: usize = features().map(|(_, f)| geo::CoordsIter::coords_count(&f.geometry)).sum();
            cache.verts.reserve(n);
            if fills {
                cache.tris.reserve(n * 3);
            }
            cache.parts.reserve(slots.len() * 2);
        }
        let mut earcut = earcut::Earcut::new();
        let mut scratch = Vec::new();
        for (id, f) in features() {
            slots[id.index() - first] = Some(cache.prepare(f, &mut earcut, &mut scratch));
            if let Some(a) = after_state(f) {
                let e = cache.prepare(&a, &mut earcut, &mut scratch);
                cache.after.insert(id, e);
            }
        }
        cache
    }

    /// Moves a part's buffers (same origin) into this cache, renumbering the
    /// entries it prepared and its after states.
    fn append(&mut self, other: GeometryCache, entries: &mut [Option<Entry>]) {
        let (v, t, p) = (self.verts.len() as u32, self.tris.len() as u32, self.parts.len() as u32);
        self.verts.extend(other.verts);
        self.tris.extend(other.tris.iter().map(|i| i + v));
        self.parts.extend(other.parts.iter().map(|r| [r[0] + v, r[1] + v]));
        let shift = |r: &mut Range<u32>, by: u32| *r = r.start + by..r.end + by;
        let moved = |e: &mut Entry| {
            shift(&mut e.verts, v);
            shift(&mut e.points, v);
            shift(&mut e.tris, t);
            shift(&mut e.rings, p);
            shift(&mut e.lines, p);
        };
        entries.iter_mut().flatten().for_each(moved);
        for (id, mut e) in other.after {
            moved(&mut e);
            self.after.insert(id, e);
        }
    }

    /// Re-prepares the features an edit touched.
    pub fn update(&mut self, plan: &Plan, touched: &[FeatureId]) {
        let mut earcut = earcut::Earcut::new();
        let mut scratch = Vec::new();
        for id in touched {
            if self.entries.len() <= id.index() {
                self.entries.resize(id.index() + 1, None);
            }
            if let Some(old) = self.entries[id.index()].take() {
                self.garbage += old.verts.len();
            }
            self.entries[id.index()] = plan.get(*id).map(|f| self.prepare(f, &mut earcut, &mut scratch));
            if let Some(old) = self.after.remove(id) {
                self.garbage += old.verts.len();
            }
            if let Some(a) = plan.get(*id).and_then(after_state) {
                let e = self.prepare(&a, &mut earcut, &mut scratch);
                self.after.insert(*id, e);
            }
        }
        if self.garbage > self.verts.len() / 2 + 1024 {
            *self = GeometryCache::build_at(plan, self.fills, self.least_mpp);
        }
    }

    /// The first way this cache differs from `other`, compared feature by
    /// feature (the before entry and the after entry of each): kind, change
    /// mark, line width, label texts, the vertices, parts, points and
    /// triangles (as positions in world metres and indices within the
    /// feature, since the two caches may have different origins and buffer
    /// layouts), the bounding box and the label anchor. `None` when they
    /// prepare every feature alike: a cache kept up to date by
    /// [`GeometryCache::update`] must match a fresh [`GeometryCache::build`].
    pub fn difference(&self, other: &GeometryCache) -> Option<String> {
        let n = self.entries.len().max(other.entries.len());
        (0..n).find_map(|i| {
            let id = FeatureId(i as u32);
            let before = match (self.get(id), other.get(id)) {
                (None, None) => None,
                (Some(a), Some(b)) => self.entry_difference(a, other, b),
                (a, b) => Some(format!("prepared here: {}, there: {}", a.is_some(), b.is_some())),
            };
            let after = match (self.after.get(&id), other.after.get(&id)) {
                (None, None) => None,
                (Some(a), Some(b)) => self.entry_difference(a, other, b).map(|d| format!("after state: {d}")),
                (a, b) => Some(format!("after state here: {}, there: {}", a.is_some(), b.is_some())),
            };
            before.or(after).map(|d| format!("feature {i}: {d}"))
        })
    }

    fn entry_difference(&self, a: &Entry, other: &GeometryCache, b: &Entry) -> Option<String> {
        // A few millimetres: vertices are f32 relative to each cache's own origin.
        const TOLERANCE_M: f64 = 0.005;
        let world = |c: &GeometryCache, v: [f32; 2]| [c.origin[0] + v[0] as f64, c.origin[1] + v[1] as f64];
        let near = |p: [f32; 2], q: [f32; 2]| {
            let (p, q) = (world(self, p), world(other, q));
            (p[0] - q[0]).abs() <= TOLERANCE_M && (p[1] - q[1]).abs() <= TOLERANCE_M
        };
        // Ranges and indices made relative to the entry's first vertex / part.
        let within = |r: &Range<u32>, base: u32| r.start.wrapping_sub(base)..r.end.wrapping_sub(base);
        let parts = |c: &GeometryCache, e: &Entry, r: &Range<u32>| -> Vec<[u32; 2]> {
            c.parts[r.start as usize..r.end as usize]
                .iter()
                .map(|p| [p[0] - e.verts.start, p[1] - e.verts.start])
                .collect()
        };
        let tris = |c: &GeometryCache, e: &Entry| -> Vec<u32> {
            c.tris[e.tris.start as usize..e.tris.end as usize].iter().map(|t| t - e.verts.start).collect()
        };
        if (a.kind, a.changed, a.boxed, a.width_m, &a.label) != (b.kind, b.changed, b.boxed, b.width_m, &b.label) {
            return Some(format!(
                "kind/changed/boxed/width/label {:?} ≠ {:?}",
                (a.kind, a.changed, a.boxed, a.width_m, &a.label),
                (b.kind, b.changed, b.boxed, b.width_m, &b.label)
            ));
        }
        if a.verts.len() != b.verts.len() || within(&a.points, a.verts.start) != within(&b.points, b.verts.start) {
            return Some(format!("vertices {:?} points {:?} ≠ {:?} {:?}", a.verts, a.points, b.verts, b.points));
        }
        let va = &self.verts[a.verts.start as usize..a.verts.end as usize];
        let vb = &other.verts[b.verts.start as usize..b.verts.end as usize];
        if let Some(k) = (0..va.len()).find(|k| !near(va[*k], vb[*k])) {
            return Some(format!("vertex {k} at {:?} ≠ {:?}", world(self, va[k]), world(other, vb[k])));
        }
        if parts(self, a, &a.rings) != parts(other, b, &b.rings)
            || parts(self, a, &a.lines) != parts(other, b, &b.lines)
        {
            return Some("rings or line parts differ".into());
        }
        if tris(self, a) != tris(other, b) {
            return Some(format!("triangles {:?} ≠ {:?}", tris(self, a), tris(other, b)));
        }
        if va.is_empty() {
            // Nothing drawn: its box and anchor are placeholders at the origin.
            return None;
        }
        let (ba, bb) = (a.bbox, b.bbox);
        if !(near([ba[0], ba[1]], [bb[0], bb[1]]) && near([ba[2], ba[3]], [bb[2], bb[3]])) {
            return Some(format!("bounding box {ba:?} ≠ {bb:?} (relative to their origins)"));
        }
        if !near(a.anchor, b.anchor) {
            return Some(format!("label anchor {:?} ≠ {:?}", world(self, a.anchor), world(other, b.anchor)));
        }
        None
    }

    /// One past the largest feature id the cache has room for.
    pub fn id_bound(&self) -> usize {
        self.entries.len()
    }

    pub fn get(&self, id: FeatureId) -> Option<&Entry> {
        self.entries.get(id.index())?.as_ref()
    }

    /// The entry of a feature in a presence: its after state if it has one.
    pub fn get_in(&self, id: FeatureId, p: crate::model::Presence) -> Option<&Entry> {
        match p {
            crate::model::Presence::AsAfter => self.after.get(&id).or_else(|| self.get(id)),
            _ => self.get(id),
        }
    }

    fn to_rel(&self, x: f64, y: f64) -> [f32; 2] {
        let w = to_world(x, y);
        [(w[0] - self.origin[0]) as f32, (w[1] - self.origin[1]) as f32]
    }

    fn push_ring(&mut self, ring: &LineString<f64>) -> [u32; 2] {
        let start = self.verts.len() as u32;
        let coords = &ring.0;
        let n = if coords.len() > 1 && coords.first() == coords.last() { coords.len() - 1 } else { coords.len() };
        for c in &coords[..n] {
            let v = self.to_rel(c.x, c.y);
            self.verts.push(v);
        }
        [start, self.verts.len() as u32]
    }

    fn push_polygon(&mut self, p: &Polygon<f64>, earcut: &mut earcut::Earcut<f32>, scratch: &mut Vec<u32>) {
        let first = self.verts.len() as u32;
        let ext = self.push_ring(p.exterior());
        if ext[1] - ext[0] < 3 {
            return;
        }
        self.parts.push(ext);
        // earcut needs every hole inside the outer ring's box (it panics otherwise);
        // a hole reaching outside is invalid and carves nothing there, so it is left out.
        let mut bb = [f32::INFINITY, f32::INFINITY, f32::NEG_INFINITY, f32::NEG_INFINITY];
        for v in &self.verts[ext[0] as usize..ext[1] as usize] {
            bb = [bb[0].min(v[0]), bb[1].min(v[1]), bb[2].max(v[0]), bb[3].max(v[1])];
        }
        let mut holes = Vec::with_capacity(p.interiors().len());
        for ring in p.interiors() {
            let r = self.push_ring(ring);
            let inside = self.verts[r[0] as usize..r[1] as usize]
                .iter()
                .all(|v| v[0] >= bb[0] && v[0] <= bb[2] && v[1] >= bb[1] && v[1] <= bb[3]);
            if r[1] - r[0] >= 3 && inside {
                holes.push(r[0] - first);
                self.parts.push(r);
            } else {
                self.verts.truncate(r[0] as usize);
            }
        }
        if !self.fills {
            return;
        }
        let data = self.verts[first as usize..].iter().copied();
        earcut.earcut(data, &holes, scratch);
        self.tris.extend(scratch.iter().map(|i| i + first));
    }

    fn push_geometry(&mut self, g: &Geometry<f64>, earcut: &mut earcut::Earcut<f32>, s: &mut Vec<u32>) {
        match g {
            Geometry::Point(p) => {
                let v = self.to_rel(p.x(), p.y());
                self.verts.push(v);
            }
            Geometry::MultiPoint(mp) => {
                for p in mp {
                    let v = self.to_rel(p.x(), p.y());
                    self.verts.push(v);
                }
            }
            Geometry::Line(l) => {
                let r = self.push_ring(&LineString::new(vec![l.start, l.end]));
                self.parts.push(r);
            }
            Geometry::LineString(ls) => self.push_line(ls),
            Geometry::MultiLineString(m) => m.iter().for_each(|ls| self.push_line(ls)),
            Geometry::Polygon(p) => self.push_polygon(p, earcut, s),
            Geometry::MultiPolygon(m) => m.iter().for_each(|p| self.push_polygon(p, earcut, s)),
            Geometry::Rect(r) => self.push_polygon(&r.to_polygon(), earcut, s),
            Geometry::Triangle(t) => self.push_polygon(&t.to_polygon(), earcut, s),
            Geometry::GeometryCollection(c) => c.iter().for_each(|g| self.push_geometry(g, earcut, s)),
        }
    }

    fn push_line(&mut self, ls: &LineString<f64>) {
        let start = self.verts.len() as u32;
        for c in &ls.0 {
            let v = self.to_rel(c.x, c.y);
            self.verts.push(v);
        }
        self.parts.push([start, self.verts.len() as u32]);
    }

    fn prepare(&mut self, f: &Feature, earcut: &mut earcut::Earcut<f32>, scratch: &mut Vec<u32>) -> Entry {
        if let Some(e) = self.boxed(f) {
            return e;
        }
        let mut e = Entry { kind: f.kind, changed: f.change.is_some(), ..Entry::default() };
        let v0 = self.verts.len() as u32;
        let t0 = self.tris.len() as u32;
        let p0 = self.parts.len() as u32;
        // Areas first, then lines, then points, so each forms one contiguous range.
        let (areas, lines, points) = split(&f.geometry);
        for g in &areas {
            self.push_geometry(g, earcut, scratch);
        }
        let p1 = self.parts.len() as u32;
        for g in &lines {
            self.push_geometry(g, earcut, scratch);
        }
        let p2 = self.parts.len() as u32;
        let pt0 = self.verts.len() as u32;
        for g in &points {
            self.push_geometry(g, earcut, scratch);
        }
        let v1 = self.verts.len() as u32;
        e.verts = v0..v1;
        e.tris = t0..self.tris.len() as u32;
        e.rings = p0..p1;
        e.lines = p1..p2;
        e.points = pt0..v1;
        let mut b = [f32::INFINITY, f32::INFINITY, f32::NEG_INFINITY, f32::NEG_INFINITY];
        for v in &self.verts[v0 as usize..v1 as usize] {
            b = [b[0].min(v[0]), b[1].min(v[1]), b[2].max(v[0]), b[3].max(v[1])];
        }
        e.bbox = if v1 > v0 { b } else { [0.0; 4] };
        e.label = label_texts(f);
        // Only labelled features need an anchor (interior points are not cheap).
        e.anchor = if e.label.is_some() {
            self.anchor(&e, f)
        } else {
            [(e.bbox[0] + e.bbox[2]) / 2.0, (e.bbox[1] + e.bbox[3]) / 2.0]
        };
        let [width_m, width] = f.properties.get_f64s(["width_m", "width"]);
        e.width_m = width_m.or(width).unwrap_or(0.0).clamp(0.0, 200.0) as f32;
        e
    }

    /// The entry of a feature every camera this cache serves draws as a dot
    /// (see [`GeometryCache::for_print_at`]): its box, the same one its
    /// vertices would give (the projection keeps the order of longitudes and
    /// of latitudes, and a hole lies inside its outer ring), and nothing else.
    fn boxed(&self, f: &Feature) -> Option<Entry> {
        if self.least_mpp <= 0.0 || f.change.is_some() || matches!(f.kind, Kind::Node | Kind::Core) {
            return None;
        }
        let mut b = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
        let mut grow = |p: &Polygon<f64>| {
            for c in &p.exterior().0 {
                b = [b[0].min(c.x), b[1].min(c.y), b[2].max(c.x), b[3].max(c.y)];
            }
        };
        match &f.geometry {
            Geometry::Polygon(p) => grow(p),
            Geometry::MultiPolygon(m) => m.iter().for_each(grow),
            _ => return None,
        }
        if b[0] > b[2] || b[1] > b[3] {
            return None;
        }
        let (lo, hi) = (self.to_rel(b[0], b[1]), self.to_rel(b[2], b[3]));
        let side = f64::from((hi[0] - lo[0]).max(hi[1] - lo[1]));
        (side < BOXED_SHARE * f64::from(super::scene::TINY_PX) * self.least_mpp).then(|| Entry {
            kind: f.kind,
            bbox: [lo[0], lo[1], hi[0], hi[1]],
            anchor: [(lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0],
            boxed: true,
            ..Entry::default()
        })
    }

    fn anchor(&self, e: &Entry, f: &Feature) -> [f32; 2] {
        if e.rings.len() == 1
            && let Some(c) = self.centroid_inside(self.parts[e.rings.start as usize])
        {
            // One ring (most footprints): its centroid, when it lies inside.
            return c;
        }
        if !e.rings.is_empty() {
            // Else (holes, several parts, a centroid outside): the centre of the largest
            // triangle of its own fill, inside by construction. (geo's interior-point sweep
            // trips on self-intersecting rings, found by fuzzing, and redoes work done here.)
            if !self.fills {
                // Outlines only: the feature alone is triangulated to place its label.
                let mut filled = Self::empty(self.origin, 0, true, 0.0);
                return filled.prepare(f, &mut earcut::Earcut::new(), &mut Vec::new()).anchor;
            }
            if let Some(c) = self.largest_triangle_centre(e) {
                return c;
            }
        } else if !e.lines.is_empty() {
            // Halfway along the longest part.
            let parts = &self.parts[e.lines.start as usize..e.lines.end as usize];
            if let Some(part) = parts
                .iter()
                .max_by(|a, b| self.path_len(**a).partial_cmp(&self.path_len(**b)).unwrap_or(std::cmp::Ordering::Equal))
            {
                return self.point_along(*part, 0.5);
            }
        } else if !e.points.is_empty() {
            return self.verts[e.points.start as usize];
        }
        [(e.bbox[0] + e.bbox[2]) / 2.0, (e.bbox[1] + e.bbox[3]) / 2.0]
    }

    /// The centre of the largest triangle of a feature's fill.
    fn largest_triangle_centre(&self, e: &Entry) -> Option<[f32; 2]> {
        let tris = &self.tris[e.tris.start as usize..e.tris.end as usize];
        let area = |t: &[u32]| {
            let [a, b, c] = [0, 1, 2].map(|i| self.verts[t[i] as usize]);
            ((b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1])).abs()
        };
        // The first of the largest (within rounding): a rectangle's two halves are
        // equally large, and which one f32 rounding favours depends on the cache's
        // origin, so a strict maximum would move the label after an unrelated rebuild.
        let largest = tris.chunks_exact(3).map(area).fold(0.0f32, f32::max);
        let t = tris.chunks_exact(3).find(|t| area(t) >= largest * (1.0 - 1e-3))?;
        let [a, b, c] = [0, 1, 2].map(|i| self.verts[t[i] as usize]);
        Some([(a[0] + b[0] + c[0]) / 3.0, (a[1] + b[1] + c[1]) / 3.0])
    }

    /// The area centroid of a ring, if it lies inside the ring.
    fn centroid_inside(&self, ring: [u32; 2]) -> Option<[f32; 2]> {
        let v = &self.verts[ring[0] as usize..ring[1] as usize];
        let o = *v.first()?;
        let (mut a, mut cx, mut cy) = (0.0f64, 0.0f64, 0.0f64);
        for (p, q) in v.iter().zip(v.iter().cycle().skip(1)) {
            let (px, py) = ((p[0] - o[0]) as f64, (p[1] - o[1]) as f64);
            let (qx, qy) = ((q[0] - o[0]) as f64, (q[1] - o[1]) as f64);
            let cross = px * qy - qx * py;
            a += cross;
            cx += (px + qx) * cross;
            cy += (py + qy) * cross;
        }
        if a.abs() < 1e-9 {
            return None;
        }
        let c = [(cx / (3.0 * a)) as f32 + o[0], (cy / (3.0 * a)) as f32 + o[1]];
        // Even-odd test against the ring.
        let mut inside = false;
        for (p, q) in v.iter().zip(v.iter().cycle().skip(1)) {
            if (p[1] > c[1]) != (q[1] > c[1]) && c[0] < (q[0] - p[0]) * (c[1] - p[1]) / (q[1] - p[1]) + p[0] {
                inside = !inside;
            }
        }
        inside.then_some(c)
    }

    fn path_len(&self, part: [u32; 2]) -> f32 {
        let v = &self.verts[part[0] as usize..part[1] as usize];
        v.windows(2).map(|w| (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1])).sum()
    }

    fn point_along(&self, part: [u32; 2], t: f32) -> [f32; 2] {
        let v = &self.verts[part[0] as usize..part[1] as usize];
        let mut rest = self.path_len(part) * t;
        for w in v.windows(2) {
            let d = (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]);
            if d >= rest && d > 0.0 {
                let k = rest / d;
                return [w[0][0] + (w[1][0] - w[0][0]) * k, w[0][1] + (w[1][1] - w[0][1]) * k];
            }
            rest -= d;
        }
        v.first().copied().unwrap_or([0.0, 0.0])
    }
}

/// A modified feature's after state as a feature of its own (for preparing
/// its geometry and labels), or `None` when it has none.
fn after_state(f: &Feature) -> Option<Feature> {
    let c = f.change.as_ref().filter(|c| c.kind == crate::model::ChangeKind::Modified)?;
    let mut properties = f.properties.clone();
    if !c.after_properties.is_empty() {
        let mut map = properties.to_map();
        map.extend(c.after_properties.clone());
        properties = map.into();
    }
    let geometry = c.after_geometry.clone().unwrap_or_else(|| f.geometry.clone());
    Some(Feature { source_id: None, kind: f.kind, properties, geometry, change: None })
}

/// Splits a geometry into its areal, linear and point parts.
type Parts<'a> = Vec<&'a Geometry<f64>>;

fn split(g: &Geometry<f64>) -> (Parts<'_>, Parts<'_>, Parts<'_>) {
    let (mut a, mut l, mut p) = (Vec::new(), Vec::new(), Vec::new());
    fn walk<'a>(g: &'a Geometry<f64>, a: &mut Parts<'a>, l: &mut Parts<'a>, p: &mut Parts<'a>) {
        match g {
            Geometry::Point(_) | Geometry::MultiPoint(_) => p.push(g),
            Geometry::Line(_) | Geometry::LineString(_) | Geometry::MultiLineString(_) => l.push(g),
            Geometry::Polygon(_) | Geometry::MultiPolygon(_) | Geometry::Rect(_) | Geometry::Triangle(_) => a.push(g),
            Geometry::GeometryCollection(c) => c.iter().for_each(|g| walk(g, a, l, p)),
        }
    }
    walk(g, &mut a, &mut l, &mut p);
    (a, l, p)
}

/// Short label texts (Chinese, English). Buildings show their number, as on
/// a Beijing site plan; everything else its name.
fn label_texts(f: &Feature) -> Option<LabelTexts> {
    let names = f.names();
    if f.kind == Kind::Building
        && let Some(n) = names.number
    {
        return Some(LabelTexts::new(&format!("{n}楼"), n));
    }
    let zh = names.zh.or(names.en)?;
    let en = names.en.unwrap_or(zh);
    Some(LabelTexts::new(zh, en))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PlanMeta;
    use geo::polygon;
    use serde_json::Map;

    #[test]
    fn label_texts_keep_both_languages_in_one_string() {
        let both = LabelTexts::new("幸福北里1号楼", "Xingfu 1");
        assert_eq!((both.zh(), both.en()), ("幸福北里1号楼", "Xingfu 1"));
        let same = LabelTexts::new("104楼", "104楼");
        assert_eq!((same.zh(), same.en(), &*same.text), ("104楼", "104楼", "104楼"));
        let mut props = Map::new();
        props.insert("number".into(), "212".into());
        let building = Feature::new(Kind::Building, props, geo::Point::new(116.0, 39.0).into());
        let l = label_texts(&building).expect("a label");
        assert_eq!((l.zh(), l.en()), ("212楼", "212"));
    }

    #[test]
    fn a_label_anchor_is_in_the_fill_not_in_a_hole() {
        // A square garden with a square pond in the middle: its centroid is in the pond.
        let outer = geo::LineString::from(vec![(116.0, 39.0), (116.002, 39.0), (116.002, 39.002), (116.0, 39.002)]);
        let pond = geo::LineString::from(vec![
            (116.0005, 39.0005),
            (116.0015, 39.0005),
            (116.0015, 39.0015),
            (116.0005, 39.0015),
        ]);
        let mut props = Map::new();
        props.insert("name".into(), "花园".into());
        let mut plan = Plan::new(PlanMeta::default());
        let id = plan.push(Feature::new(Kind::Garden, props, geo::Polygon::new(outer, vec![pond]).into()));
        let cache = GeometryCache::build(&plan);
        let e = cache.get(id).expect("prepared");
        // A print's cache (outlines only) places the label at the same point.
        let (_, print) = GeometryCache::for_print(&plan);
        let p = print.get(id).expect("prepared");
        assert!(print.tris.is_empty() && p.tris.is_empty() && !e.tris.is_empty());
        assert_eq!((p.anchor, &p.verts, &p.rings), (e.anchor, &e.verts, &e.rings));
        let [x, y] = e.anchor;
        let pond_min = cache.to_rel(116.0005, 39.0005);
        let pond_max = cache.to_rel(116.0015, 39.0015);
        let in_pond = x > pond_min[0] && x < pond_max[0] && y > pond_min[1] && y < pond_max[1];
        let in_box = x > e.bbox[0] && x < e.bbox[2] && y > e.bbox[1] && y < e.bbox[3];
        assert!(in_box && !in_pond, "anchor {:?}", e.anchor);
    }

    #[test]
    fn a_label_anchor_does_not_depend_on_the_cache_origin() {
        // A courtyard building: its anchor is the centre of its largest fill triangle, and
        // its fill has several equally large ones. Which of them is picked must not depend on
        // where the cache's origin is (the first feature), or a label moves after a rebuild.
        let outer = geo::LineString::from(vec![(116.0, 39.0), (116.0004, 39.0), (116.0004, 39.0003), (116.0, 39.0003)]);
        let yard = geo::LineString::from(vec![
            (116.0001, 39.0001),
            (116.0001, 39.0002),
            (116.0003, 39.0002),
            (116.0003, 39.0001),
        ]);
        let mut props = Map::new();
        props.insert("name".into(), "四合院".into());
        let building = Feature::new(Kind::Building, props, geo::Polygon::new(outer, vec![yard]).into());
        let anchors: Vec<[f64; 2]> = [(116.0, 39.0), (116.3, 39.9), (116.47, 39.88), (115.9, 40.1), (116.46, 39.8875)]
            .into_iter()
            .map(|(x, y)| {
                let mut plan = Plan::new(PlanMeta::default());
                plan.push(Feature::new(Kind::Node, Map::new(), geo::point!(x: x, y: y).into()));
                let id = plan.push(building.clone());
                let cache = GeometryCache::build(&plan);
                let a = cache.get(id).expect("prepared").anchor;
                [cache.origin[0] + a[0] as f64, cache.origin[1] + a[1] as f64]
            })
            .collect();
        for a in &anchors {
            assert!((a[0] - anchors[0][0]).abs() < 0.01 && (a[1] - anchors[0][1]).abs() < 0.01, "{anchors:?}");
        }
    }

    #[test]
    fn a_hole_reaching_outside_its_polygon_does_not_break_triangulation() {
        // Found by fuzzing: earcut panicked on a hole outside the outer ring's box.
        let outer = geo::LineString::from(vec![(116.0, 39.0), (116.001, 39.0), (116.001, 39.001), (116.0, 39.0)]);
        let hole =
            geo::LineString::from(vec![(116.0002, 39.0001), (116.5, 38.0), (116.0004, 39.0002), (116.0002, 39.0001)]);
        let mut plan = Plan::new(PlanMeta::default());
        let id = plan.push(Feature::new(Kind::Building, Map::new(), geo::Polygon::new(outer, vec![hole]).into()));
        let cache = GeometryCache::build(&plan);
        assert_eq!(cache.get(id).expect("prepared").tris.len(), 3, "the outer triangle, without the hole");
    }

    #[test]
    fn an_l_shaped_footprint_is_triangulated_without_covering_its_notch() {
        // An L: 30 × 30 with the top-right 20 × 20 quarter missing.
        let l = polygon![
            (x: 116.0, y: 39.0), (x: 116.0003, y: 39.0), (x: 116.0003, y: 39.0001),
            (x: 116.0001, y: 39.0001), (x: 116.0001, y: 39.0003), (x: 116.0, y: 39.0003)
        ];
        let mut plan = Plan::new(PlanMeta::default());
        let id = plan.push(Feature::new(Kind::Building, Map::new(), l.into()));
        let cache = GeometryCache::build(&plan);
        let e = cache.get(id).expect("prepared");
        assert_eq!(e.tris.len(), 4 * 3, "an L of 6 corners makes 4 triangles");
        // No triangle's centroid lies in the notch.
        let notch = cache.to_rel(116.0002, 39.0002);
        for t in cache.tris[e.tris.start as usize..e.tris.end as usize].chunks(3) {
            let c = t.iter().fold([0.0f32; 2], |acc, i| {
                let v = cache.verts[*i as usize];
                [acc[0] + v[0] / 3.0, acc[1] + v[1] / 3.0]
            });
            assert!(!(c[0] > notch[0] - 8.0 && c[1] > notch[1] - 8.0), "triangle in the notch");
        }
    }

    /// A print cache made for a scale keeps the box alone of an area every
    /// camera it serves draws as a dot — the very box its vertices give — and
    /// prepares whole what the scene may draw otherwise: a node or core (a
    /// symbol, labelled), a changed feature (outlined), a line, an area of a
    /// few pixels or more.
    #[test]
    fn a_print_cache_for_a_scale_keeps_boxes_alone_for_its_dots() {
        let square = |x: f64, y: f64, d: f64| polygon![(x: x, y: y), (x: x + d, y: y), (x: x + d, y: y + d), (x: x, y: y + d), (x: x, y: y)];
        let mut plan = Plan::new(PlanMeta::default());
        let mut named = Map::new();
        named.insert("name".into(), "幸福北里1号楼".into());
        // About 10 m across: a dot at 50 world metres a unit.
        let tiny = plan.push(Feature::new(Kind::Building, named.clone(), square(116.40, 39.90, 0.0001).into()));
        let two = geo::MultiPolygon::new(vec![square(116.41, 39.90, 0.00005), square(116.4101, 39.90, 0.00005)]);
        let tiny_multi = plan.push(Feature::new(Kind::Other, Map::new(), two.into()));
        let node = plan.push(Feature::new(Kind::Node, named.clone(), square(116.42, 39.90, 0.0001).into()));
        let mut changed = Feature::new(Kind::Building, named.clone(), square(116.43, 39.90, 0.0001).into());
        changed.change = Some(Box::new(crate::model::Change::new(crate::model::ChangeKind::Modified)));
        let changed = plan.push(changed);
        // About 1 km: 20 units across.
        let big = plan.push(Feature::new(Kind::Garden, named.clone(), square(116.44, 39.90, 0.01).into()));
        let line = geo::LineString::from(vec![(116.45, 39.90), (116.45001, 39.90)]);
        let street = plan.push(Feature::new(Kind::Street, named, line.into()));
        let whole = GeometryCache::for_print(&plan).1;
        let at = GeometryCache::for_print_at(&plan, 50.0);
        for (id, boxed) in
            [(tiny, true), (tiny_multi, true), (node, false), (changed, false), (big, false), (street, false)]
        {
            let (w, a) = (whole.get(id).expect("whole"), at.get(id).expect("at a scale"));
            assert_eq!(a.boxed, boxed, "feature {id:?}");
            assert!(!w.boxed);
            assert_eq!((a.kind, a.changed), (w.kind, w.changed));
            if boxed {
                assert_eq!(a.bbox.map(f32::to_bits), w.bbox.map(f32::to_bits), "the box its vertices give");
                assert!(a.verts.is_empty() && a.rings.is_empty() && a.label.is_none() && !w.verts.is_empty());
            } else {
                let verts =
                    |c: &GeometryCache, e: &Entry| c.verts[e.verts.start as usize..e.verts.end as usize].to_vec();
                assert_eq!(verts(&at, a), verts(&whole, w));
                assert_eq!(
                    (a.rings.len(), a.lines.len(), &a.label, a.anchor),
                    (w.rings.len(), w.lines.len(), &w.label, w.anchor)
                );
            }
        }
        // A camera at the cache's scale or coarser draws from it; a finer one does not.
        let mut cam = super::super::Camera::fit([116.40, 39.89, 116.46, 39.91], [800.0, 600.0], 0.0);
        cam.mpp = 50.0;
        assert!(at.draws_at(&cam) && whole.draws_at(&cam));
        cam.mpp = 49.0;
        assert!(!at.draws_at(&cam) && whole.draws_at(&cam));
    }
}
