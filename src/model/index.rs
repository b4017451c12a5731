//! The spatial index: an R-tree of feature bounding boxes in longitude/latitude.
//! Every per-frame query (what is in view, what is under the cursor) goes
//! through it; nothing scans the whole plan.

use geo::{Contains, Coord, Geometry, LineString, Point, Polygon, Rect};
use rstar::{AABB, RTree, primitives::GeomWithData, primitives::Rectangle};

use super::feature::FeatureId;
use super::kind::Kind;
use super::phase::{Phase, Presence, geometry_in, presence};
use super::plan::Plan;

type Entry = GeomWithData<Rectangle<[f64; 2]>, FeatureId>;

/// An R-tree over the features of one plan. Kept in step with the plan by
/// [`SpatialIndex::update`] for exactly the features an edit touched.
#[derive(Clone, Default)]
pub struct SpatialIndex {
    tree: RTree<Entry>,
    /// The box each feature was indexed under, so it can be removed again.
    boxes: Vec<Option<[f64; 4]>>,
    /// Boxes only, no tree ([`SpatialIndex::boxes_only`]): queries scan them.
    flat: bool,
}

fn entry(id: FeatureId, b: [f64; 4]) -> Entry {
    GeomWithData::new(Rectangle::from_corners([b[0], b[1]], [b[2], b[3]]), id)
}

fn bbox_of(rect: Rect<f64>) -> Option<[f64; 4]> {
    let b = [rect.min().x, rect.min().y, rect.max().x, rect.max().y];
    b.iter().all(|v| v.is_finite()).then_some(b)
}

impl SpatialIndex {
    /// Bulk-loads the index for a whole plan.
    pub fn build(plan: &Plan) -> Self {
        let mut boxes = vec![None; plan.id_bound()];
        let entries: Vec<Entry> = plan
            .iter()
            .filter_map(|(id, f)| {
                let b = bbox_of(f.bbox()?)?;
                boxes[id.index()] = Some(b);
                Some(entry(id, b))
            })
            .collect();
        SpatialIndex { tree: RTree::bulk_load(entries), boxes, flat: false }
    }

    /// The features' boxes without the tree, for a plan read once and shown
    /// once (a print from the command line): the page's one query scans every
    /// box, far less work than bulk-loading a tree of a million boxes for it.
    /// Answers every question as [`SpatialIndex::build`]'s index does.
    pub fn boxes_only(plan: &Plan) -> Self {
        let mut boxes = vec![None; plan.id_bound()];
        super::par::chunks(&mut boxes, 4_000, |first, chunk| {
            for (k, b) in chunk.iter_mut().enumerate() {
                *b = plan.get(FeatureId((first + k) as u32)).and_then(|f| f.bbox()).and_then(bbox_of);
            }
        });
        SpatialIndex { tree: RTree::new(), boxes, flat: true }
    }

    /// The indexed features whose boxes meet `aabb`, with their boxes.
    fn meeting(&self, aabb: AABB<[f64; 2]>) -> impl Iterator<Item = (FeatureId, [f64; 4])> + '_ {
        let tree = (!self.flat).then(move || self.tree.locate_in_envelope_intersecting(&aabb)).into_iter().flatten();
        let tree = tree.map(|e| {
            let (lo, hi) = (e.geom().lower(), e.geom().upper());
            (e.data, [lo[0], lo[1], hi[0], hi[1]])
        });
        let (lo, hi) = (aabb.lower(), aabb.upper());
        let scan = self.flat.then(|| self.entries()).into_iter().flatten();
        let scan = scan.filter(move |(_, b)| b[0] <= hi[0] && b[2] >= lo[0] && b[1] <= hi[1] && b[3] >= lo[1]);
        tree.chain(scan)
    }

    /// Re-indexes one feature after an edit (added, moved, reshaped or removed).
    pub fn update(&mut self, plan: &Plan, id: FeatureId) {
        if let Some(Some(old)) = self.boxes.get(id.index()).copied()
            && !self.flat
        {
            self.tree.remove(&entry(id, old));
        }
        if self.boxes.len() <= id.index() {
            self.boxes.resize(id.index() + 1, None);
        }
        let new = plan.get(id).and_then(|f| bbox_of(f.bbox()?));
        if let Some(b) = new
            && !self.flat
        {
            self.tree.insert(entry(id, b));
        }
        self.boxes[id.index()] = new;
    }

    /// The first way this index differs from `other`, compared feature by
    /// feature (which features are indexed and under which box), or `None`
    /// when both hold the same entries. Also checks that each index's R-tree
    /// holds exactly the boxes it records, so an index kept up to date by
    /// [`SpatialIndex::update`] can be checked against a fresh
    /// [`SpatialIndex::build`] of the same plan.
    pub fn difference(&self, other: &SpatialIndex) -> Option<String> {
        for (name, index) in [("this index", self), ("the other index", other)] {
            if index.flat {
                continue;
            }
            let mut in_tree: Vec<(FeatureId, [f64; 4])> = index
                .tree
                .iter()
                .map(|e| {
                    let (lo, hi) = (e.geom().lower(), e.geom().upper());
                    (e.data, [lo[0], lo[1], hi[0], hi[1]])
                })
                .collect();
            in_tree.sort_by_key(|(id, _)| *id);
            let recorded: Vec<(FeatureId, [f64; 4])> = index.entries().collect();
            if in_tree != recorded {
                return Some(format!("{name}: its tree holds {in_tree:?} but it records {recorded:?}"));
            }
        }
        let n = self.boxes.len().max(other.boxes.len());
        (0..n).find_map(|i| {
            let a = self.boxes.get(i).copied().flatten();
            let b = other.boxes.get(i).copied().flatten();
            (a != b).then(|| format!("feature {i}: indexed under {a:?}, not {b:?}"))
        })
    }

    /// The recorded (feature, box) pairs in id order.
    fn entries(&self) -> impl Iterator<Item = (FeatureId, [f64; 4])> + '_ {
        self.boxes.iter().enumerate().filter_map(|(i, b)| Some((FeatureId(i as u32), (*b)?)))
    }

    /// Number of indexed features.
    pub fn len(&self) -> usize {
        if self.flat { self.entries().count() } else { self.tree.size() }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The features whose bounding boxes meet the rectangle `[west, south, east, north]`.
    pub fn query(&self, rect: [f64; 4]) -> impl Iterator<Item = FeatureId> + '_ {
        let aabb = AABB::from_corners([rect[0], rect[1]], [rect[2], rect[3]]);
        self.meeting(aabb).map(|(id, _)| id)
    }

    /// The bounding box of everything indexed, `[west, south, east, north]`.
    pub fn extent(&self) -> Option<[f64; 4]> {
        if self.flat {
            return self
                .entries()
                .map(|(_, b)| b)
                .reduce(|a, b| [a[0].min(b[0]), a[1].min(b[1]), a[2].max(b[2]), a[3].max(b[3])]);
        }
        if self.tree.size() == 0 {
            return None;
        }
        let env = self.tree.root().envelope();
        Some([env.lower()[0], env.lower()[1], env.upper()[0], env.upper()[1]])
    }

    /// The feature a click at `(lon, lat)` means, within `tolerance_m` metres:
    /// points before lines before areas, and among areas the smallest, so a
    /// node on a building wins over the building and a building over the
    /// district boundary.
    pub fn hit_test(&self, plan: &Plan, lon: f64, lat: f64, tolerance_m: f64) -> Option<FeatureId> {
        self.hit(plan, lon, lat, tolerance_m, None)
    }

    /// [`hit_test`](Self::hit_test) as the plan looks in a phase: absent
    /// features are not hit, modified ones are hit in their after shape.
    pub fn hit_test_in(&self, plan: &Plan, lon: f64, lat: f64, tolerance_m: f64, phase: &Phase) -> Option<FeatureId> {
        self.hit(plan, lon, lat, tolerance_m, Some(phase))
    }

    fn hit(&self, plan: &Plan, lon: f64, lat: f64, tolerance_m: f64, phase: Option<&Phase>) -> Option<FeatureId> {
        let (mx, my) = metres_per_degree(lat);
        let (dx, dy) = (tolerance_m / mx, tolerance_m / my);
        let probe = AABB::from_corners([lon - dx, lat - dy], [lon + dx, lat + dy]);
        let mut best: Option<(u8, f64, FeatureId)> = None;
        for (id, b) in self.meeting(probe) {
            let Some(f) = plan.get(id) else { continue };
            let geometry = match phase.map(|p| presence(plan, f, p)) {
                None => &f.geometry,
                Some(Presence::Absent) => continue,
                Some(p) => geometry_in(f, p),
            };
            let Some(rank) = hit_rank(geometry, f.kind, lon, lat, tolerance_m) else {
                continue;
            };
            let size = (b[2] - b[0]) * (b[3] - b[1]);
            let better = match best {
                None => true,
                Some((r, s, bid)) => (rank, size, id) < (r, s, bid),
            };
            if better {
                best = Some((rank, size, id));
            }
        }
        best.map(|(_, _, id)| id)
    }
}

/// Metres per degree of longitude and of latitude at a latitude.
pub fn metres_per_degree(lat: f64) -> (f64, f64) {
    let phi = lat.to_radians();
    (
        111_412.84 * phi.cos() - 93.5 * (3.0 * phi).cos(),
        111_132.92 - 559.82 * (2.0 * phi).cos() + 1.175 * (4.0 * phi).cos(),
    )
}

/// `Some(rank)` if the geometry is hit (lower rank = picked first).
fn hit_rank(g: &Geometry<f64>, kind: Kind, lon: f64, lat: f64, tol_m: f64) -> Option<u8> {
    let (mx, my) = metres_per_degree(lat);
    let to_m = |c: Coord<f64>| ((c.x - lon) * mx, (c.y - lat) * my);
    let near_line = |ls: &LineString<f64>| {
        ls.lines().any(|l| seg_dist(to_m(l.start), to_m(l.end)) <= tol_m)
            || (ls.0.len() == 1 && {
                let (x, y) = to_m(ls.0[0]);
                x.hypot(y) <= tol_m
            })
    };
    let hit_polygon = |p: &Polygon<f64>| p.contains(&Point::new(lon, lat)) || near_line(p.exterior());
    let point_rank = if kind == Kind::Node || kind == Kind::Core { 0 } else { 1 };
    match g {
        Geometry::Point(p) => {
            let (x, y) = to_m(p.0);
            (x.hypot(y) <= tol_m).then_some(point_rank)
        }
        Geometry::MultiPoint(mp) => mp
            .iter()
            .any(|p| {
                let (x, y) = to_m(p.0);
                x.hypot(y) <= tol_m
            })
            .then_some(point_rank),
        Geometry::Line(l) => (seg_dist(to_m(l.start), to_m(l.end)) <= tol_m).then_some(2),
        Geometry::LineString(ls) => near_line(ls).then_some(2),
        Geometry::MultiLineString(m) => m.iter().any(near_line).then_some(2),
        Geometry::Polygon(p) => hit_polygon(p).then_some(area_rank(kind)),
        Geometry::MultiPolygon(m) => m.iter().any(hit_polygon).then_some(area_rank(kind)),
        Geometry::Rect(r) => hit_polygon(&r.to_polygon()).then_some(area_rank(kind)),
        Geometry::Triangle(t) => hit_polygon(&t.to_polygon()).then_some(area_rank(kind)),
        Geometry::GeometryCollection(c) => c.iter().filter_map(|g| hit_rank(g, kind, lon, lat, tol_m)).min(),
    }
}

fn area_rank(kind: Kind) -> u8 {
    if kind == Kind::Boundary { 4 } else { 3 }
}

/// Distance from the origin to the segment a–b (plane metres).
fn seg_dist(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (vx, vy) = (b.0 - a.0, b.1 - a.1);
    let len2 = vx * vx + vy * vy;
    let t = if len2 > 0.0 { (-(a.0 * vx + a.1 * vy) / len2).clamp(0.0, 1.0) } else { 0.0 };
    (a.0 + t * vx).hypot(a.1 + t * vy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Feature, PlanMeta};
    use geo::{line_string, point, polygon};
    use serde_json::Map;

    fn plan() -> (Plan, FeatureId, FeatureId, FeatureId, FeatureId) {
        let mut plan = Plan::new(PlanMeta::default());
        let boundary = plan.push(Feature::new(
            Kind::Boundary,
            Map::new(),
            polygon![(x: 116.0, y: 39.0), (x: 116.01, y: 39.0), (x: 116.01, y: 39.01), (x: 116.0, y: 39.01)].into(),
        ));
        let building = plan.push(Feature::new(
            Kind::Building,
            Map::new(),
            polygon![(x: 116.002, y: 39.002), (x: 116.003, y: 39.002), (x: 116.003, y: 39.0022), (x: 116.002, y: 39.0022)]
                .into(),
        ));
        let node = plan.push(Feature::new(Kind::Node, Map::new(), point!(x: 116.0025, y: 39.0021).into()));
        let street = plan.push(Feature::new(
            Kind::Street,
            Map::new(),
            line_string![(x: 116.0, y: 39.005), (x: 116.01, y: 39.005)].into(),
        ));
        (plan, boundary, building, node, street)
    }

    #[test]
    fn a_click_picks_the_most_specific_feature_under_the_cursor() {
        let (plan, boundary, building, node, street) = plan();
        let index = SpatialIndex::build(&plan);
        assert_eq!(index.hit_test(&plan, 116.0025, 39.0021, 3.0), Some(node));
        assert_eq!(index.hit_test(&plan, 116.0022, 39.0021, 3.0), Some(building));
        assert_eq!(index.hit_test(&plan, 116.005, 39.00502, 5.0), Some(street));
        assert_eq!(index.hit_test(&plan, 116.008, 39.008, 3.0), Some(boundary));
        assert_eq!(index.hit_test(&plan, 117.0, 39.008, 3.0), None);
    }

    #[test]
    fn the_index_follows_an_edit_of_one_feature() {
        let (mut plan, _, building, _, _) = plan();
        let mut index = SpatialIndex::build(&plan);
        let moved = polygon![(x: 116.2, y: 39.2), (x: 116.3, y: 39.2), (x: 116.3, y: 39.3)];
        if let Some(f) = plan.get_mut(building) {
            f.geometry = moved.into();
        }
        index.update(&plan, building);
        assert_eq!(index.len(), 4);
        assert!(index.query([116.25, 39.21, 116.26, 39.22]).any(|id| id == building));
        assert!(!index.query([116.002, 39.002, 116.003, 39.0022]).any(|id| id == building));
    }
}
