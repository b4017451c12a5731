//! Geodesic measurement on the WGS84 ellipsoid (Karney's algorithms via
//! `geo`). Degrees are never treated as lengths: a planner reads metres,
//! square metres and hectares.

use geo::{Distance, Geodesic, GeodesicArea, Geometry, Length, LineString, Point};

/// What a geometry measures as.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Measure {
    /// A point has a position only.
    Point,
    /// Lines: total geodesic length in metres.
    Length { m: f64 },
    /// Areas: geodesic area in square metres and perimeter in metres.
    Area { m2: f64, perimeter_m: f64 },
}

/// Geodesic area in m² (0 for points and lines). Rings are oriented first:
/// on the ellipsoid a clockwise exterior ring would otherwise enclose the
/// rest of the Earth.
pub fn area_m2(g: &Geometry<f64>) -> f64 {
    use geo::orient::{Direction, Orient};
    match g {
        Geometry::GeometryCollection(c) => c.iter().map(area_m2).sum(),
        Geometry::Polygon(p) => p.orient(Direction::Default).geodesic_area_unsigned(),
        Geometry::MultiPolygon(m) => m.orient(Direction::Default).geodesic_area_unsigned(),
        Geometry::Rect(_) | Geometry::Triangle(_) => g.geodesic_area_unsigned(),
        _ => 0.0,
    }
}

/// Geodesic length in metres of the lines of a geometry (0 for points and areas).
pub fn length_m(g: &Geometry<f64>) -> f64 {
    match g {
        Geometry::Line(l) => Geodesic.distance(Point(l.start), Point(l.end)),
        Geometry::LineString(ls) => line_length(ls),
        Geometry::MultiLineString(mls) => mls.iter().map(line_length).sum(),
        Geometry::GeometryCollection(c) => c.iter().map(length_m).sum(),
        _ => 0.0,
    }
}

fn line_length(ls: &LineString<f64>) -> f64 {
    Geodesic.length(ls)
}

/// Measures a geometry the way a planner would expect for its shape.
pub fn measure(g: &Geometry<f64>) -> Measure {
    match super::feature::shape_of(g) {
        super::Shape::Point => Measure::Point,
        super::Shape::Line => Measure::Length { m: length_m(g) },
        super::Shape::Area | super::Shape::Mixed => {
            let m2 = area_m2(g);
            if m2 > 0.0 {
                Measure::Area { m2, perimeter_m: perimeter_m(g) }
            } else {
                Measure::Length { m: length_m(g) }
            }
        }
    }
}

/// Formats an area: m² below a hectare, hectares above.
pub fn format_area(m2: f64) -> String {
    if m2 >= 10_000.0 { format!("{:.2} ha", m2 / 10_000.0) } else { format!("{} m²", group_thousands(m2.round())) }
}

/// Formats a length: metres below a kilometre, kilometres above.
pub fn format_length(m: f64) -> String {
    if m >= 1_000.0 { format!("{:.2} km", m / 1_000.0) } else { format!("{:.1} m", m) }
}

/// `1234567` → `1,234,567`.
pub fn group_thousands(v: f64) -> String {
    let neg = v < 0.0;
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if neg { format!("-{out}") } else { out }
}

/// Geodesic perimeter in metres of the areas of a geometry (0 for points and lines).
pub fn perimeter_m(g: &Geometry<f64>) -> f64 {
    match g {
        Geometry::GeometryCollection(c) => c.iter().map(perimeter_m).sum(),
        Geometry::Polygon(_) | Geometry::MultiPolygon(_) | Geometry::Rect(_) | Geometry::Triangle(_) => {
            GeodesicArea::geodesic_perimeter(g)
        }
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;
    use geo::{line_string, polygon};

    #[test]
    fn a_square_of_a_thousandth_of_a_degree_in_beijing_has_the_right_area() {
        // 0.001° × 0.001° at 39.887°N ≈ 85.4 m × 111.0 m.
        let p = polygon![(x: 116.455, y: 39.887), (x: 116.456, y: 39.887), (x: 116.456, y: 39.888), (x: 116.455, y: 39.888)];
        let a = area_m2(&Geometry::Polygon(p));
        assert_relative_eq!(a, 85.45 * 111.03, max_relative = 0.01);
    }

    #[test]
    fn a_clockwise_ring_has_the_same_area_as_a_counter_clockwise_one() {
        let ccw = polygon![(x: 116.455, y: 39.887), (x: 116.456, y: 39.887), (x: 116.456, y: 39.888), (x: 116.455, y: 39.888)];
        let cw = polygon![(x: 116.455, y: 39.887), (x: 116.455, y: 39.888), (x: 116.456, y: 39.888), (x: 116.456, y: 39.887)];
        assert_relative_eq!(area_m2(&Geometry::Polygon(cw)), area_m2(&Geometry::Polygon(ccw)), max_relative = 1e-9);
    }

    #[test]
    fn lines_are_measured_in_metres_not_degrees() {
        let l = line_string![(x: 116.455, y: 39.887), (x: 116.455, y: 39.888)];
        assert_relative_eq!(length_m(&Geometry::LineString(l)), 111.03, max_relative = 0.005);
    }

    #[test]
    fn numbers_are_formatted_for_people() {
        assert_eq!(group_thousands(1234567.0), "1,234,567");
        assert_eq!(format_area(260_000.0), "26.00 ha");
        assert_eq!(format_area(812.4), "812 m²");
        assert_eq!(format_length(1500.0), "1.50 km");
    }
}
