//! Editing geometry vertex by vertex, in longitude/latitude. Every function
//! returns a new geometry (the edit keeps the old one as its inverse) and
//! never corrupts a ring: rings stay closed, a polygon ring keeps at least
//! three vertices and a line at least two, and holes and parts stay where
//! they are.

use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon, Validation};

use super::lang::Lang;

/// Where a vertex is: which part (polygon of a multipolygon, line of a
/// multiline, point of a multipoint), which ring (0 the exterior, 1.. holes),
/// and its index in the ring (the closing repeat of a ring is not a vertex).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VertexRef {
    pub part: usize,
    pub ring: usize,
    pub index: usize,
}

/// Why an edit was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GeomEditError {
    #[error("a polygon ring needs at least three vertices and a line two")]
    TooFewVertices,
    #[error("no such vertex")]
    NoSuchVertex,
    #[error("this kind of geometry cannot be edited vertex by vertex")]
    Unsupported,
}

/// The rings or lines of a geometry as (part, ring, coords, closed).
fn rings(g: &Geometry<f64>) -> Vec<(usize, usize, &[Coord<f64>], bool)> {
    let mut out = Vec::new();
    match g {
        Geometry::LineString(l) => out.push((0, 0, &l.0[..], false)),
        Geometry::MultiLineString(m) => m.0.iter().enumerate().for_each(|(i, l)| out.push((i, 0, &l.0[..], false))),
        Geometry::Polygon(p) => push_polygon(&mut out, 0, p),
        Geometry::MultiPolygon(m) => m.0.iter().enumerate().for_each(|(i, p)| push_polygon(&mut out, i, p)),
        _ => {}
    }
    out
}

fn push_polygon<'a>(out: &mut Vec<(usize, usize, &'a [Coord<f64>], bool)>, part: usize, p: &'a Polygon<f64>) {
    out.push((part, 0, open_ring(p.exterior()), true));
    for (i, r) in p.interiors().iter().enumerate() {
        out.push((part, i + 1, open_ring(r), true));
    }
}

/// A closed ring's coordinates without the closing repeat.
fn open_ring(r: &LineString<f64>) -> &[Coord<f64>] {
    let c = &r.0[..];
    if c.len() > 1 && c.first() == c.last() { &c[..c.len() - 1] } else { c }
}

/// Every vertex of a geometry with its position.
pub fn vertices(g: &Geometry<f64>) -> Vec<(VertexRef, Coord<f64>)> {
    match g {
        Geometry::Point(p) => vec![(VertexRef { part: 0, ring: 0, index: 0 }, p.0)],
        Geometry::MultiPoint(m) => {
            m.0.iter().enumerate().map(|(i, p)| (VertexRef { part: i, ring: 0, index: 0 }, p.0)).collect()
        }
        _ => rings(g)
            .into_iter()
            .flat_map(|(part, ring, c, _)| {
                c.iter().enumerate().map(move |(index, c)| (VertexRef { part, ring, index }, *c))
            })
            .collect(),
    }
}

/// The midpoint of every edge, with the vertex a new point there would follow.
pub fn midpoints(g: &Geometry<f64>) -> Vec<(VertexRef, Coord<f64>)> {
    let mut out = Vec::new();
    for (part, ring, c, closed) in rings(g) {
        let n = c.len();
        let edges = if closed { n } else { n.saturating_sub(1) };
        for i in 0..edges {
            let (a, b) = (c[i], c[(i + 1) % n]);
            out.push((VertexRef { part, ring, index: i }, Coord { x: (a.x + b.x) / 2.0, y: (a.y + b.y) / 2.0 }));
        }
    }
    out
}

/// An edit of one ring's open coordinate list.
type RingEdit<'a> = dyn FnMut(&mut Vec<Coord<f64>>) -> Result<(), GeomEditError> + 'a;

/// Applies `f` to the open coordinate list of one ring/line, rebuilding the geometry.
fn with_ring(
    g: &Geometry<f64>,
    part: usize,
    ring: usize,
    f: impl FnOnce(&mut Vec<Coord<f64>>, bool) -> Result<(), GeomEditError>,
) -> Result<Geometry<f64>, GeomEditError> {
    let edit_polygon = |p: &Polygon<f64>, f: &mut RingEdit| {
        let mut ext = open_ring(p.exterior()).to_vec();
        let mut holes: Vec<Vec<Coord<f64>>> = p.interiors().iter().map(|r| open_ring(r).to_vec()).collect();
        if ring == 0 {
            f(&mut ext)?;
        } else {
            f(holes.get_mut(ring - 1).ok_or(GeomEditError::NoSuchVertex)?)?;
        }
        if ext.len() < 3 || holes.iter().any(|h| h.len() < 3) {
            return Err(GeomEditError::TooFewVertices);
        }
        // Polygon::new closes the rings again.
        Ok(Polygon::new(LineString::new(ext), holes.into_iter().map(LineString::new).collect()))
    };
    let mut f = Some(f);
    let mut call = |c: &mut Vec<Coord<f64>>, closed: bool| (f.take().ok_or(GeomEditError::NoSuchVertex)?)(c, closed);
    match g {
        Geometry::LineString(l) if part == 0 && ring == 0 => {
            let mut c = l.0.clone();
            call(&mut c, false)?;
            if c.len() < 2 {
                return Err(GeomEditError::TooFewVertices);
            }
            Ok(Geometry::LineString(LineString::new(c)))
        }
        Geometry::MultiLineString(m) if ring == 0 => {
            let mut lines = m.0.clone();
            let l = lines.get_mut(part).ok_or(GeomEditError::NoSuchVertex)?;
            call(&mut l.0, false)?;
            if l.0.len() < 2 {
                return Err(GeomEditError::TooFewVertices);
            }
            Ok(Geometry::MultiLineString(MultiLineString::new(lines)))
        }
        Geometry::Polygon(p) if part == 0 => Ok(Geometry::Polygon(edit_polygon(p, &mut |c| call(c, true))?)),
        Geometry::MultiPolygon(m) => {
            let mut polys = m.0.clone();
            let p = polys.get(part).ok_or(GeomEditError::NoSuchVertex)?;
            polys[part] = edit_polygon(p, &mut |c| call(c, true))?;
            Ok(Geometry::MultiPolygon(MultiPolygon::new(polys)))
        }
        Geometry::LineString(_) | Geometry::MultiLineString(_) | Geometry::Polygon(_) => {
            Err(GeomEditError::NoSuchVertex)
        }
        _ => Err(GeomEditError::Unsupported),
    }
}

/// Moves one vertex.
pub fn move_vertex(g: &Geometry<f64>, v: VertexRef, to: Coord<f64>) -> Result<Geometry<f64>, GeomEditError> {
    match g {
        Geometry::Point(_) if v.part == 0 => Ok(Geometry::Point(Point(to))),
        Geometry::MultiPoint(m) => {
            let mut pts = m.0.clone();
            *pts.get_mut(v.part).ok_or(GeomEditError::NoSuchVertex)? = Point(to);
            Ok(Geometry::MultiPoint(MultiPoint::new(pts)))
        }
        _ => with_ring(g, v.part, v.ring, |c, _| {
            *c.get_mut(v.index).ok_or(GeomEditError::NoSuchVertex)? = to;
            Ok(())
        }),
    }
}

/// Inserts a vertex after `after` (on the edge from it to the next vertex).
pub fn insert_vertex(g: &Geometry<f64>, after: VertexRef, at: Coord<f64>) -> Result<Geometry<f64>, GeomEditError> {
    with_ring(g, after.part, after.ring, |c, _| {
        if after.index >= c.len() {
            return Err(GeomEditError::NoSuchVertex);
        }
        c.insert(after.index + 1, at);
        Ok(())
    })
}

/// Deletes a vertex, refusing when the ring or line would become too short.
pub fn delete_vertex(g: &Geometry<f64>, v: VertexRef) -> Result<Geometry<f64>, GeomEditError> {
    with_ring(g, v.part, v.ring, |c, closed| {
        if v.index >= c.len() {
            return Err(GeomEditError::NoSuchVertex);
        }
        if c.len() <= if closed { 3 } else { 2 } {
            return Err(GeomEditError::TooFewVertices);
        }
        c.remove(v.index);
        Ok(())
    })
}

/// Moves a whole geometry by a longitude/latitude offset.
pub fn translate(g: &Geometry<f64>, dlon: f64, dlat: f64) -> Geometry<f64> {
    use geo::MapCoords;
    g.map_coords(|c| Coord { x: c.x + dlon, y: c.y + dlat })
}

/// What is wrong with a geometry, for the inspector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GeomProblem {
    TooFewVertices,
    SelfIntersection,
    HoleOutside,
    RingsCross,
    Other(String),
}

impl GeomProblem {
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (GeomProblem::TooFewVertices, Lang::Zh) => "顶点太少（面至少 3 个，线至少 2 个）".into(),
            (GeomProblem::TooFewVertices, Lang::En) => "Too few vertices (3 for an area, 2 for a line)".into(),
            (GeomProblem::SelfIntersection, Lang::Zh) => "边界自相交".into(),
            (GeomProblem::SelfIntersection, Lang::En) => "The outline crosses itself".into(),
            (GeomProblem::HoleOutside, Lang::Zh) => "内环不在外环之内".into(),
            (GeomProblem::HoleOutside, Lang::En) => "A hole lies outside the outline".into(),
            (GeomProblem::RingsCross, Lang::Zh) => "环或部件相互交叉重叠".into(),
            (GeomProblem::RingsCross, Lang::En) => "Rings or parts cross or overlap".into(),
            (GeomProblem::Other(m), _) => m.clone(),
        }
    }
}

/// The validity problems of a geometry (empty when valid).
pub fn problems(g: &Geometry<f64>) -> Vec<GeomProblem> {
    use geo::algorithm::validation::{InvalidGeometry as G, InvalidLineString, InvalidMultiPolygon, InvalidPolygon};
    let poly = |p: &InvalidPolygon| match p {
        InvalidPolygon::TooFewPointsInRing(_) => GeomProblem::TooFewVertices,
        InvalidPolygon::SelfIntersection(_) => GeomProblem::SelfIntersection,
        InvalidPolygon::InteriorRingNotContainedInExteriorRing(_) => GeomProblem::HoleOutside,
        InvalidPolygon::IntersectingRingsOnALine(..) | InvalidPolygon::IntersectingRingsOnAnArea(..) => {
            GeomProblem::RingsCross
        }
        other => GeomProblem::Other(other.to_string()),
    };
    let mut out: Vec<GeomProblem> = g
        .validation_errors()
        .iter()
        .map(|e| match e {
            G::InvalidPolygon(p) => poly(p),
            G::InvalidMultiPolygon(InvalidMultiPolygon::InvalidPolygon(_, p)) => poly(p),
            G::InvalidMultiPolygon(_) => GeomProblem::RingsCross,
            G::InvalidLineString(InvalidLineString::TooFewPoints) => GeomProblem::TooFewVertices,
            other => GeomProblem::Other(other.to_string()),
        })
        .collect();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{coord, line_string, polygon};

    fn square_with_hole() -> Geometry<f64> {
        polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0)],
            interiors: [[(x: 4.0, y: 4.0), (x: 6.0, y: 4.0), (x: 6.0, y: 6.0), (x: 4.0, y: 6.0)]],
        )
        .into()
    }

    #[test]
    fn moving_the_first_vertex_keeps_the_ring_closed() {
        let g = move_vertex(&square_with_hole(), VertexRef { part: 0, ring: 0, index: 0 }, coord! {x: -1.0, y: -1.0})
            .expect("moves");
        let Geometry::Polygon(p) = &g else { panic!("a polygon") };
        assert_eq!(p.exterior().0.first(), Some(&coord! {x: -1.0, y: -1.0}));
        assert_eq!(p.exterior().0.first(), p.exterior().0.last());
        assert_eq!(p.interiors().len(), 1, "the hole is kept");
        assert!(problems(&g).is_empty());
    }

    #[test]
    fn a_vertex_is_inserted_on_the_edge_after_it_and_holes_are_edited_in_place() {
        let g = square_with_hole();
        let mids = midpoints(&g);
        assert_eq!(mids.len(), 8, "four edges on the outline and four on the hole");
        let (after, at) = mids[5];
        assert_eq!(after, VertexRef { part: 0, ring: 1, index: 1 });
        let g2 = insert_vertex(&g, after, at).expect("inserts");
        let Geometry::Polygon(p) = &g2 else { panic!("a polygon") };
        assert_eq!(p.interiors()[0].0.len(), 6, "five vertices and the closing one");
        assert_eq!(p.interiors()[0].0[2], at);
        assert_eq!(p.exterior().0.len(), 5, "the outline is untouched");
    }

    #[test]
    fn a_polygon_keeps_three_vertices_and_a_line_two() {
        let tri: Geometry<f64> = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 0.0, y: 1.0)].into();
        assert_eq!(delete_vertex(&tri, VertexRef { part: 0, ring: 0, index: 1 }), Err(GeomEditError::TooFewVertices));
        let line: Geometry<f64> = line_string![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0)].into();
        assert_eq!(delete_vertex(&line, VertexRef { part: 0, ring: 0, index: 0 }), Err(GeomEditError::TooFewVertices));
        let sq = square_with_hole();
        let g = delete_vertex(&sq, VertexRef { part: 0, ring: 0, index: 0 }).expect("deletes");
        let Geometry::Polygon(p) = &g else { panic!("a polygon") };
        assert_eq!(p.exterior().0.len(), 4);
        assert_eq!(p.exterior().0.first(), p.exterior().0.last());
    }

    #[test]
    fn parts_of_a_multipolygon_are_edited_alone() {
        let a = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)];
        let b = polygon![(x: 5.0, y: 0.0), (x: 6.0, y: 0.0), (x: 6.0, y: 1.0), (x: 5.0, y: 1.0)];
        let g: Geometry<f64> = MultiPolygon::new(vec![a.clone(), b]).into();
        let g2 = move_vertex(&g, VertexRef { part: 1, ring: 0, index: 2 }, coord! {x: 7.0, y: 2.0}).expect("moves");
        let Geometry::MultiPolygon(m) = &g2 else { panic!("a multipolygon") };
        assert_eq!(m.0[0], a);
        assert_eq!(m.0[1].exterior().0[2], coord! {x: 7.0, y: 2.0});
        assert_eq!(vertices(&g2).len(), 8);
    }

    #[test]
    fn a_bow_tie_is_reported_as_crossing_itself() {
        let bow: Geometry<f64> =
            polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 2.0), (x: 2.0, y: 0.0), (x: 0.0, y: 2.0)].into();
        assert!(problems(&bow).contains(&GeomProblem::SelfIntersection));
        let g = translate(&square_with_hole(), 1.0, 2.0);
        assert_eq!(vertices(&g)[0].1, coord! {x: 1.0, y: 2.0});
    }
}
