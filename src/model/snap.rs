//! Snapping: while drawing or dragging, the cursor is pulled onto the
//! nearest vertex, or else the nearest edge, of nearby features, found
//! through the spatial index.

use geo::{Coord, CoordsIter, Geometry};

use super::feature::FeatureId;
use super::geom_edit;
use super::index::{SpatialIndex, metres_per_degree};
use super::plan::Plan;

/// What the cursor snapped to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SnapTarget {
    Vertex,
    Edge,
}

/// A snapped position.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Snap {
    pub at: Coord<f64>,
    pub target: SnapTarget,
    pub feature: FeatureId,
}

/// Snaps `(lon, lat)` within `tolerance_m` metres to a vertex (preferred) or
/// an edge of a feature, leaving out `exclude` (the feature being edited).
pub fn snap(
    plan: &Plan,
    index: &SpatialIndex,
    lon: f64,
    lat: f64,
    tolerance_m: f64,
    exclude: Option<FeatureId>,
) -> Option<Snap> {
    let (mx, my) = metres_per_degree(lat);
    let (dx, dy) = (tolerance_m / mx, tolerance_m / my);
    let dist = |c: Coord<f64>| ((c.x - lon) * mx).hypot((c.y - lat) * my);
    let mut best_vertex: Option<(f64, Snap)> = None;
    let mut best_edge: Option<(f64, Snap)> = None;
    for id in index.query([lon - dx, lat - dy, lon + dx, lat + dy]) {
        if Some(id) == exclude {
            continue;
        }
        let Some(f) = plan.get(id) else { continue };
        for c in f.geometry.coords_iter() {
            let d = dist(c);
            if d <= tolerance_m && best_vertex.is_none_or(|(bd, _)| d < bd) {
                best_vertex = Some((d, Snap { at: c, target: SnapTarget::Vertex, feature: id }));
            }
        }
        if best_vertex.is_none() {
            for (a, b) in edges(&f.geometry) {
                // Closest point on the segment, in local metres.
                let (ax, ay) = ((a.x - lon) * mx, (a.y - lat) * my);
                let (bx, by) = ((b.x - lon) * mx, (b.y - lat) * my);
                let (vx, vy) = (bx - ax, by - ay);
                let len2 = vx * vx + vy * vy;
                let t = if len2 > 0.0 { (-(ax * vx + ay * vy) / len2).clamp(0.0, 1.0) } else { 0.0 };
                let d = (ax + t * vx).hypot(ay + t * vy);
                if d <= tolerance_m && best_edge.is_none_or(|(bd, _)| d < bd) {
                    let at = Coord { x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y) };
                    best_edge = Some((d, Snap { at, target: SnapTarget::Edge, feature: id }));
                }
            }
        }
    }
    best_vertex.or(best_edge).map(|(_, s)| s)
}

fn edges(g: &Geometry<f64>) -> Vec<(Coord<f64>, Coord<f64>)> {
    let v = geom_edit::vertices(g);
    let mut out = Vec::new();
    for (i, (r, c)) in v.iter().enumerate() {
        if let Some((r2, c2)) = v.get(i + 1)
            && r2.part == r.part
            && r2.ring == r.ring
        {
            out.push((*c, *c2));
        }
    }
    // Closing edges of rings.
    if matches!(g, Geometry::Polygon(_) | Geometry::MultiPolygon(_)) {
        let mut start = 0;
        for i in 0..v.len() {
            let last_of_ring = v.get(i + 1).is_none_or(|(r2, _)| r2.part != v[i].0.part || r2.ring != v[i].0.ring);
            if last_of_ring {
                out.push((v[i].1, v[start].1));
                start = i + 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Feature, Kind, PlanMeta};
    use geo::polygon;
    use serde_json::Map;

    fn plan() -> (Plan, SpatialIndex, FeatureId) {
        let mut plan = Plan::new(PlanMeta::default());
        let id = plan.push(Feature::new(
            Kind::Building,
            Map::new(),
            polygon![(x: 116.0, y: 39.0), (x: 116.001, y: 39.0), (x: 116.001, y: 39.001), (x: 116.0, y: 39.001)].into(),
        ));
        let index = SpatialIndex::build(&plan);
        (plan, index, id)
    }

    #[test]
    fn the_cursor_snaps_to_a_nearby_corner_before_an_edge() {
        let (plan, index, id) = plan();
        // 2 m from the corner (116.001, 39.0).
        let s = snap(&plan, &index, 116.001 + 0.00002, 39.0, 5.0, None).expect("snaps");
        assert_eq!(s.target, SnapTarget::Vertex);
        assert_eq!(s.at, Coord { x: 116.001, y: 39.0 });
        assert_eq!(s.feature, id);
    }

    #[test]
    fn the_cursor_snaps_onto_an_edge_including_the_closing_one() {
        let (plan, index, _) = plan();
        // Near the middle of the west edge (the ring's closing edge), 2 m outside.
        let s = snap(&plan, &index, 116.0 - 0.00002, 39.0005, 5.0, None).expect("snaps");
        assert_eq!(s.target, SnapTarget::Edge);
        assert!((s.at.x - 116.0).abs() < 1e-12 && (s.at.y - 39.0005).abs() < 1e-9);
    }

    #[test]
    fn nothing_snaps_beyond_the_tolerance_or_to_the_feature_being_edited() {
        let (plan, index, id) = plan();
        assert!(snap(&plan, &index, 116.0005, 39.0005, 5.0, None).is_none(), "the middle is 40 m from any edge");
        assert!(snap(&plan, &index, 116.001, 39.0, 5.0, Some(id)).is_none());
    }
}
