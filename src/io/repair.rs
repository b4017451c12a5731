//! What the loader does with imperfect geometry: safe repairs are made and
//! counted, unusable parts are dropped and reported, and what cannot be made
//! safe keeps the feature out of the plan (a warning names it).
//!
//! Safe repairs: an unclosed ring is closed, repeated consecutive positions
//! are merged, rings are turned to RFC 7946 winding (outer counter-clockwise,
//! holes clockwise), a hole with fewer than 4 positions is dropped, and so is
//! a polygon part of a multipolygon that is too short. A self-intersecting
//! outline is kept as drawn (earcut fills it, measurement stays finite) and
//! reported, since no repair of it is safe without knowing the intent.

use geo::orient::{Direction, Orient};
use geo::{Coord, Geometry, LineString, Polygon};

/// The repairs made to one feature's geometry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Repairs {
    pub closed: bool,
    pub deduplicated: bool,
    pub reoriented: bool,
    pub dropped_holes: u32,
    pub dropped_parts: u32,
    pub self_intersects: bool,
}

impl Repairs {
    pub fn any(&self) -> bool {
        *self != Repairs::default()
    }
}

/// True if some ring of a GeoJSON polygon geometry does not end where it starts
/// (geo closes rings itself, so this must be asked before conversion).
pub fn has_unclosed_ring(v: &geojson::GeometryValue) -> bool {
    use geojson::GeometryValue as G;
    let open = |ring: &Vec<geojson::Position>| ring.len() >= 2 && ring.first() != ring.last();
    match v {
        G::Polygon { coordinates } => coordinates.iter().any(open),
        G::MultiPolygon { coordinates } => coordinates.iter().flatten().any(open),
        G::GeometryCollection { geometries } => geometries.iter().any(|g| has_unclosed_ring(&g.value)),
        _ => false,
    }
}

/// Repairs what is safe to repair; `Err` says why the geometry cannot be used.
pub fn repair(g: &mut Geometry<f64>, r: &mut Repairs) -> Result<(), String> {
    match g {
        Geometry::Polygon(p) => repair_polygon(p, r),
        Geometry::MultiPolygon(mp) => {
            keep_usable(&mut mp.0, r, repair_polygon).map_err(|m| format!("every polygon part is unusable: {m}"))
        }
        Geometry::LineString(l) => repair_line(l, r),
        Geometry::MultiLineString(ml) => keep_usable(&mut ml.0, r, repair_line),
        Geometry::GeometryCollection(c) => keep_usable(&mut c.0, r, repair),
        _ => Ok(()),
    }
}

/// Repairs each part and leaves out those that cannot be used (counted);
/// `Err` (the first part's fault) only when none is left.
fn keep_usable<T>(
    parts: &mut Vec<T>,
    r: &mut Repairs,
    mut repair_part: impl FnMut(&mut T, &mut Repairs) -> Result<(), String>,
) -> Result<(), String> {
    let before = parts.len();
    let mut first_fault = None;
    parts.retain_mut(|p| match repair_part(p, r) {
        Ok(()) => true,
        Err(m) => {
            first_fault.get_or_insert(m);
            false
        }
    });
    r.dropped_parts += (before - parts.len()) as u32;
    match first_fault {
        Some(m) if parts.is_empty() => Err(m),
        _ => Ok(()),
    }
}

fn repair_line(l: &mut LineString<f64>, r: &mut Repairs) -> Result<(), String> {
    r.deduplicated |= dedup_ring(l);
    if l.0.len() < 2 { Err("line has fewer than 2 distinct positions".into()) } else { Ok(()) }
}

fn repair_polygon(p: &mut Polygon<f64>, r: &mut Repairs) -> Result<(), String> {
    let mut too_short = false;
    let mut holes = 0;
    let mut deduped = false;
    p.exterior_mut(|ring| {
        deduped |= dedup_ring(ring);
        too_short = ring.0.len() < 4;
    });
    if too_short {
        return Err("polygon ring has fewer than 4 positions".into());
    }
    p.interiors_mut(|rings| {
        for ring in rings.iter_mut() {
            deduped |= dedup_ring(ring);
        }
    });
    // A hole needs 4 positions and must lie within its outer ring's box (one
    // reaching outside is invalid: it carves nothing there and breaks triangulation).
    let outer = geo::BoundingRect::bounding_rect(p.exterior());
    let usable = |h: &LineString<f64>| {
        h.0.len() >= 4
            && outer.is_some_and(|o| {
                h.0.iter().all(|c| c.x >= o.min().x && c.x <= o.max().x && c.y >= o.min().y && c.y <= o.max().y)
            })
    };
    if !p.interiors().iter().all(usable) {
        let kept: Vec<LineString<f64>> = p.interiors().iter().filter(|h| usable(h)).cloned().collect();
        holes = p.interiors().len() - kept.len();
        *p = Polygon::new(p.exterior().clone(), kept);
    }
    r.dropped_holes += holes as u32;
    r.deduplicated |= deduped;
    if !wound_as_rfc7946(p) {
        *p = p.orient(Direction::Default);
        r.reoriented = true;
    }
    r.self_intersects |= p.exterior().0.len() <= MAX_CHECKED_RING && crosses_itself(&p.exterior().0);
    Ok(())
}

fn wound_as_rfc7946(p: &Polygon<f64>) -> bool {
    use geo::Winding;
    // Degenerate rings have no winding and are left as they are.
    !p.exterior().is_cw() && p.interiors().iter().all(|h| !h.is_ccw())
}

/// Merges repeated consecutive positions; true if any were.
fn dedup_ring(ring: &mut LineString<f64>) -> bool {
    let n = ring.0.len();
    ring.0.dedup();
    ring.0.len() != n
}

/// Rings longer than this are not checked for self-intersection at load
/// (the check is quadratic); the inspector's validity check still covers them.
const MAX_CHECKED_RING: usize = 256;

/// True if two non-adjacent edges of a closed ring touch or cross.
pub fn crosses_itself(ring: &[Coord<f64>]) -> bool {
    let n = ring.len().saturating_sub(1); // edges
    if n < 4 {
        return false;
    }
    for i in 0..n {
        let (a, b) = (ring[i], ring[i + 1]);
        let (lo_x, hi_x) = (a.x.min(b.x), a.x.max(b.x));
        for j in i + 2..n {
            if i == 0 && j == n - 1 {
                continue; // the first and last edges share the closing vertex
            }
            let (c, d) = (ring[j], ring[j + 1]);
            if c.x.max(d.x) < lo_x || c.x.min(d.x) > hi_x {
                continue;
            }
            if geo::Intersects::intersects(&geo::Line::new(a, b), &geo::Line::new(c, d)) {
                return true;
            }
        }
    }
    false
}

/// Twice a ring's signed area: positive when counter-clockwise (y up).
pub(crate) fn signed_area2(ring: &[Coord<f64>]) -> f64 {
    ring.windows(2).map(|w| w[0].x * w[1].y - w[1].x * w[0].y).sum()
}

/// Whether `p` is inside the closed `ring` (even-odd crossings; a point on
/// the outline may go either way).
pub(crate) fn inside(p: Coord<f64>, ring: &[Coord<f64>]) -> bool {
    let mut c = false;
    for w in ring.windows(2) {
        let (a, b) = (w[0], w[1]);
        if (a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x {
            c = !c;
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{coord, polygon};

    #[test]
    fn clockwise_rings_are_turned_and_counted() {
        let mut g: Geometry<f64> = polygon![(x: 0., y: 0.), (x: 0., y: 1.), (x: 1., y: 1.), (x: 1., y: 0.)].into();
        let mut r = Repairs::default();
        repair(&mut g, &mut r).unwrap();
        assert!(r.reoriented);
        let Geometry::Polygon(p) = &g else { panic!() };
        assert!(geo::Winding::is_ccw(p.exterior()));
    }

    #[test]
    fn short_holes_and_parts_are_dropped_short_outlines_refused() {
        let outer = LineString::from(vec![(0., 0.), (4., 0.), (4., 4.), (0., 4.), (0., 0.)]);
        let hole = LineString::from(vec![(1., 1.), (1., 1.), (2., 2.)]);
        let mut g = Geometry::Polygon(Polygon::new(outer.clone(), vec![hole]));
        let mut r = Repairs::default();
        repair(&mut g, &mut r).unwrap();
        assert_eq!(r.dropped_holes, 1);
        let mut bad = Geometry::Polygon(Polygon::new(LineString::from(vec![(0., 0.), (1., 1.), (0., 0.)]), vec![]));
        assert!(repair(&mut bad, &mut Repairs::default()).is_err());
    }

    #[test]
    fn an_unusable_part_is_left_out_and_counted_and_none_left_is_a_fault() {
        let good = Polygon::new(LineString::from(vec![(0., 0.), (1., 0.), (1., 1.), (0., 0.)]), vec![]);
        let bad = Polygon::new(LineString::from(vec![(5., 5.), (5., 5.), (6., 6.), (5., 5.)]), vec![]);
        let mut g = Geometry::MultiPolygon(geo::MultiPolygon(vec![bad.clone(), good]));
        let mut r = Repairs::default();
        repair(&mut g, &mut r).unwrap();
        assert_eq!((r.dropped_parts, matches!(&g, Geometry::MultiPolygon(m) if m.0.len() == 1)), (1, true));
        let mut none_left = Geometry::MultiPolygon(geo::MultiPolygon(vec![bad]));
        let e = repair(&mut none_left, &mut Repairs::default()).expect_err("nothing usable");
        assert!(e.starts_with("every polygon part is unusable"), "{e}");
    }

    #[test]
    fn a_bow_tie_is_seen_to_cross_itself() {
        let bow = [
            coord! {x: 0., y: 0.},
            coord! {x: 1., y: 1.},
            coord! {x: 1., y: 0.},
            coord! {x: 0., y: 1.},
            coord! {x: 0., y: 0.},
        ];
        assert!(crosses_itself(&bow));
        let square = [
            coord! {x: 0., y: 0.},
            coord! {x: 1., y: 0.},
            coord! {x: 1., y: 1.},
            coord! {x: 0., y: 1.},
            coord! {x: 0., y: 0.},
        ];
        assert!(!crosses_itself(&square));
    }
}
