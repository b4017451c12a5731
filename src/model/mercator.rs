//! Web Mercator (EPSG:3857): the one implementation of the spherical Mercator
//! projection that web maps use. The camera draws through it and the
//! coordinate-system reader (`io::crs`) reads and writes EPSG:3857 files
//! through it, so a file in Web Mercator and the map agree to the last digit.
//! It lives in `model` because both `render` and `io` may depend on `model`
//! and on nothing above it.

use std::f64::consts::PI;

/// The sphere's radius (WGS 84's semi-major axis), in metres.
pub const RADIUS: f64 = 6_378_137.0;

/// Half the side of the projection's square, π × R, in metres.
pub const HALF_SIDE: f64 = PI * RADIUS;

/// The latitude at which the square ends (the map's top and bottom edges).
pub const MAX_LATITUDE: f64 = 85.051_128_78;

/// Longitude/latitude in degrees → Web Mercator metres, not clamped: a
/// latitude past [`MAX_LATITUDE`] gives a `y` beyond the square (and ±90° an
/// infinite one); callers that must stay inside clamp first.
pub fn forward(lon: f64, lat: f64) -> [f64; 2] {
    [RADIUS * lon.to_radians(), RADIUS * (PI / 4.0 + lat.to_radians() / 2.0).tan().ln()]
}

/// Web Mercator metres → longitude/latitude in degrees.
pub fn inverse(x: f64, y: f64) -> [f64; 2] {
    [(x / RADIUS).to_degrees(), (2.0 * (y / RADIUS).exp().atan() - PI / 2.0).to_degrees()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_square_ends_at_its_documented_latitude_and_points_come_back() {
        let [x, y] = forward(180.0, MAX_LATITUDE);
        assert!((x - HALF_SIDE).abs() < 1e-6 && (y - HALF_SIDE).abs() < 1.0, "{x} {y}");
        for (lon, lat) in [(116.4612, 39.8875), (-73.98, 40.75), (0.0, 0.0), (151.2, -33.87)] {
            let [x, y] = forward(lon, lat);
            let [lon2, lat2] = inverse(x, y);
            assert!((lon - lon2).abs() < 1e-12 && (lat - lat2).abs() < 1e-12, "{lon},{lat} → {lon2},{lat2}");
        }
    }
}
