//! Basemaps and underlays a plan draws under its features: where each comes
//! from, in which order, how opaque, and how it is placed. The plan remembers
//! these (never a service key: keys live in the user's settings); reading the
//! pixels is `crate::basemap`'s.
//!
//! Also the geometry every source shares: the Web Mercator tile pyramid, the
//! view a basemap is drawn for ([`MercView`]) and the [`Piece`]s that cover it.

use serde::{Deserialize, Serialize};

use super::mercator::HALF_SIDE;

/// One basemap or underlay.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Basemap {
    /// What the layer list calls it.
    pub name: String,
    /// A file path (MBTiles, PMTiles, GeoTIFF, PNG/JPEG with a world file or
    /// control points) or a tile URL template (`https://…/{z}/{x}/{y}.png`,
    /// `{s}` subdomains, `{-y}` for TMS rows, `{key}` for a service key).
    pub source: String,
    /// 0 (invisible) to 1 (opaque).
    #[serde(default = "one")]
    pub opacity: f32,
    #[serde(default = "yes")]
    pub visible: bool,
    /// The coordinate system of an image's pixels when its file does not say
    /// (a world file), as an EPSG code (e.g. 4527).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epsg: Option<u32>,
    /// Chinese web-map tiles (Amap, Tencent: GCJ-02; Baidu: BD-09) are drawn
    /// moved so that they line up with WGS 84 features.
    #[serde(default, skip_serializing_if = "Shift::is_none")]
    pub shift: Shift,
    /// Control points placing an image that carries no georeference.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub control_points: Vec<ControlPoint>,
    /// The credit the source requires to be shown with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution: Option<String>,
}

fn one() -> f32 {
    1.0
}

fn yes() -> bool {
    true
}

impl Basemap {
    /// A visible, opaque basemap from a source, named after it.
    pub fn new(source: impl Into<String>) -> Basemap {
        let source = source.into();
        let name = match source_kind(&source) {
            SourceKind::Xyz => source.split('/').nth(2).unwrap_or("tiles").to_string(),
            _ => std::path::Path::new(&source)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| source.clone()),
        };
        Basemap {
            name,
            source,
            opacity: 1.0,
            visible: true,
            epsg: None,
            shift: Shift::None,
            control_points: Vec::new(),
            attribution: None,
        }
    }

    pub fn kind(&self) -> SourceKind {
        source_kind(&self.source)
    }
}

/// The shift a Chinese web map's tiles carry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Shift {
    #[default]
    None,
    Gcj02,
    Bd09,
}

impl Shift {
    pub fn is_none(&self) -> bool {
        *self == Shift::None
    }
}

/// A point on an image (pixel column, row from the top-left) and where it is
/// on the ground (longitude, latitude).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ControlPoint {
    pub pixel: [f64; 2],
    pub lonlat: [f64; 2],
}

/// An affine map from image pixels (column, row from the top-left corner)
/// to a plane: `x = a·col + b·row + c`, `y = d·col + e·row + f`, stored
/// `[a, b, c, d, e, f]`.
pub type Affine = [f64; 6];

/// Applies an affine to a pixel position.
pub fn apply_affine(t: &Affine, px: [f64; 2]) -> [f64; 2] {
    [t[0] * px[0] + t[1] * px[1] + t[2], t[3] * px[0] + t[4] * px[1] + t[5]]
}

/// The inverse of an affine (plane → pixel), `None` when it flattens the image.
pub fn invert_affine(t: &Affine) -> Option<Affine> {
    let det = t[0] * t[4] - t[1] * t[3];
    if !det.is_finite() || det.abs() < 1e-300 {
        return None;
    }
    let (a, b, d, e) = (t[4] / det, -t[1] / det, -t[3] / det, t[0] / det);
    Some([a, b, -(a * t[2] + b * t[5]), d, e, -(d * t[2] + e * t[5])])
}

/// An image placed by its control points: the affine from pixels to Web
/// Mercator metres that fits them best (least squares), and how far each
/// point lands from where it was put, in ground metres.
#[derive(Clone, Debug, PartialEq)]
pub struct Fit {
    /// Pixels → Web Mercator metres.
    pub affine: Affine,
    /// Per control point, in order: the distance on the ground between where
    /// the fit puts its pixel and where it was placed on the map.
    pub residuals_m: Vec<f64>,
    /// The root mean square of the residuals.
    pub rms_m: f64,
}

/// Why control points cannot place an image.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum FitError {
    #[error("{0} control point(s): at least 3 are needed to place an image")]
    TooFew(usize),
    #[error("control point {0} is not a number")]
    NotFinite(usize),
    #[error("the control points on the image lie on one line: pick points spread over the image")]
    CollinearOnImage,
    #[error("the control points on the map lie on one line: pick points spread over the map")]
    CollinearOnMap,
}

/// Fits pixel → Web Mercator metres to control points by least squares
/// (Web Mercator is conformal, so a scanned plan of a district is close to
/// an affine of it). Three points fit exactly; more average out clicking
/// errors, and the residuals show which point is off.
pub fn fit_affine(points: &[ControlPoint]) -> Result<Fit, FitError> {
    use super::mercator;
    if points.len() < 3 {
        return Err(FitError::TooFew(points.len()));
    }
    let mut px = Vec::with_capacity(points.len());
    let mut xy = Vec::with_capacity(points.len());
    for (i, p) in points.iter().enumerate() {
        let m = mercator::forward(p.lonlat[0], p.lonlat[1]);
        if !(p.pixel.iter().chain(&p.lonlat).chain(&m).all(|v| v.is_finite()) && p.lonlat[1].abs() < 89.0) {
            return Err(FitError::NotFinite(i + 1));
        }
        px.push(p.pixel);
        xy.push(m);
    }
    // Centred for conditioning: Web Mercator metres are ~1e7, pixels ~1e3.
    let n = points.len() as f64;
    let mean = |v: &[[f64; 2]]| {
        let s = v.iter().fold([0.0, 0.0], |a, p| [a[0] + p[0], a[1] + p[1]]);
        [s[0] / n, s[1] / n]
    };
    let (pm, mm) = (mean(&px), mean(&xy));
    let (mut suu, mut suv, mut svv) = (0.0, 0.0, 0.0);
    let (mut sux, mut svx, mut suy, mut svy) = (0.0, 0.0, 0.0, 0.0);
    for (p, m) in px.iter().zip(&xy) {
        let (u, v) = (p[0] - pm[0], p[1] - pm[1]);
        let (x, y) = (m[0] - mm[0], m[1] - mm[1]);
        suu += u * u;
        suv += u * v;
        svv += v * v;
        sux += u * x;
        svx += v * x;
        suy += u * y;
        svy += v * y;
    }
    // The pixel spread's smaller principal variance against its larger one:
    // (nearly) zero when the points lie on a line.
    let det = suu * svv - suv * suv;
    let trace = suu + svv;
    if trace.is_nan() || trace <= 0.0 || det <= 1e-9 * trace * trace {
        return Err(FitError::CollinearOnImage);
    }
    let a = (sux * svv - svx * suv) / det;
    let b = (svx * suu - sux * suv) / det;
    let d = (suy * svv - svy * suv) / det;
    let e = (svy * suu - suy * suv) / det;
    // The map points on a line make the fitted image (nearly) a line too:
    // squeezed 10 000 : 1, no real plan is.
    if (a * e - b * d).abs() <= 1e-4 * (a * a + b * b + d * d + e * e) {
        return Err(FitError::CollinearOnMap);
    }
    let affine = [a, b, mm[0] - a * pm[0] - b * pm[1], d, e, mm[1] - d * pm[0] - e * pm[1]];
    let residuals_m: Vec<f64> = points
        .iter()
        .zip(&xy)
        .map(|(p, m)| {
            let f = apply_affine(&affine, p.pixel);
            // Web Mercator metres are 1/cos(latitude) ground metres.
            (f[0] - m[0]).hypot(f[1] - m[1]) * p.lonlat[1].to_radians().cos()
        })
        .collect();
    let rms_m = (residuals_m.iter().map(|r| r * r).sum::<f64>() / n).sqrt();
    Ok(Fit { affine, residuals_m, rms_m })
}

/// What kind of source a basemap's `source` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceKind {
    /// A tile URL template.
    Xyz,
    MbTiles,
    PmTiles,
    GeoTiff,
    /// A PNG or JPEG, placed by a world file or by control points.
    Image,
}

/// The kind of source a path or URL names (by its scheme or extension).
pub fn source_kind(source: &str) -> SourceKind {
    let lower = source.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return SourceKind::Xyz;
    }
    let ext = lower.rsplit('.').next().unwrap_or("");
    match ext {
        "mbtiles" => SourceKind::MbTiles,
        "pmtiles" => SourceKind::PmTiles,
        "tif" | "tiff" => SourceKind::GeoTiff,
        _ => SourceKind::Image,
    }
}

/// The side of a tile in pixels.
pub const TILE_PX: u32 = 256;

/// What a basemap is drawn for: a Web Mercator rectangle (metres) and the
/// pixels it fills. North is up: `min` is the south-west corner.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MercView {
    pub min: [f64; 2],
    pub max: [f64; 2],
    pub size: [u32; 2],
}

impl MercView {
    /// Ground metres (Web Mercator, not geodesic) per output pixel.
    pub fn mpp(&self) -> f64 {
        ((self.max[0] - self.min[0]) / self.size[0].max(1) as f64)
            .max((self.max[1] - self.min[1]) / self.size[1].max(1) as f64)
    }

    /// A Web Mercator point → output pixel (x right, y down).
    pub fn to_px(&self, p: [f64; 2]) -> [f64; 2] {
        let sx = self.size[0] as f64 / (self.max[0] - self.min[0]);
        let sy = self.size[1] as f64 / (self.max[1] - self.min[1]);
        [(p[0] - self.min[0]) * sx, (self.max[1] - p[1]) * sy]
    }
}

/// Which piece of a source: a tile (`z/x/y`, XYZ rows from the top) or a
/// window of an image at a reduction (`z` = halvings, `x`/`y` its block).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PieceKey {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

/// A piece of a basemap and where it goes: its image's top-left, top-right
/// and bottom-left corners in Web Mercator metres (an affine placement: a
/// tile is a square, a shifted tile a moved square, an image block may be
/// turned a little).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Piece {
    pub key: PieceKey,
    pub corners: [[f64; 2]; 3],
}

/// The bounds of tile `z/x/y` (XYZ rows from the top) in Web Mercator metres:
/// `[min_x, min_y, max_x, max_y]`.
pub fn tile_bounds(z: u8, x: u32, y: u32) -> [f64; 4] {
    let side = 2.0 * HALF_SIDE / f64::from(1u32 << z.min(31));
    let min_x = -HALF_SIDE + f64::from(x) * side;
    let max_y = HALF_SIDE - f64::from(y) * side;
    [min_x, max_y - side, min_x + side, max_y]
}

/// The tile zoom whose pixels are closest to, and not coarser than, `mpp`
/// metres a pixel (over-zoom beyond `max_zoom` is the caller's).
pub fn zoom_for(mpp: f64, max_zoom: u8) -> u8 {
    let z0 = 2.0 * HALF_SIDE / f64::from(TILE_PX);
    if mpp.is_nan() || mpp <= 0.0 {
        return max_zoom;
    }
    // Within 10 % of a level's resolution is that level: no blurry half step.
    let z = (z0 / mpp).log2() - 0.15;
    (z.ceil().max(0.0) as u32).min(u32::from(max_zoom)) as u8
}

/// The tiles of zoom `z` covering a view: `(x range, y range)`, inclusive,
/// clamped to the pyramid.
pub fn tiles_covering(view: &MercView, z: u8) -> (std::ops::RangeInclusive<u32>, std::ops::RangeInclusive<u32>) {
    let n = 1u32 << z.min(31);
    let side = 2.0 * HALF_SIDE / f64::from(n);
    let col = |x: f64| (((x + HALF_SIDE) / side).floor().max(0.0) as u32).min(n - 1);
    let row = |y: f64| (((HALF_SIDE - y) / side).floor().max(0.0) as u32).min(n - 1);
    (col(view.min[0])..=col(view.max[0] - 1e-9), row(view.max[1])..=row(view.min[1] + 1e-9))
}

/// The pieces of a tile pyramid covering a view at its resolution.
pub fn tile_pieces(view: &MercView, min_zoom: u8, max_zoom: u8) -> Vec<Piece> {
    let z = zoom_for(view.mpp(), max_zoom).max(min_zoom);
    let (xs, ys) = tiles_covering(view, z);
    let mut out = Vec::new();
    for y in ys {
        for x in xs.clone() {
            let [x0, y0, x1, y1] = tile_bounds(z, x, y);
            out.push(Piece { key: PieceKey { z, x, y }, corners: [[x0, y1], [x1, y1], [x0, y0]] });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_tile_the_square_and_zoom_follows_resolution() {
        assert_eq!(tile_bounds(0, 0, 0), [-HALF_SIDE, -HALF_SIDE, HALF_SIDE, HALF_SIDE]);
        let b = tile_bounds(1, 1, 0);
        assert_eq!(b, [0.0, 0.0, HALF_SIDE, HALF_SIDE]);
        // Zoom 17 is ~1.19 m a pixel.
        assert_eq!(zoom_for(1.19, 22), 17);
        assert_eq!(zoom_for(1.0, 22), 18);
        assert_eq!(zoom_for(1.0, 16), 16);
        // Jinsong at street scale: a handful of tiles, all covering the view.
        let [x0, y0] = super::super::mercator::forward(116.455, 39.884);
        let [x1, y1] = super::super::mercator::forward(116.466, 39.891);
        let view = MercView { min: [x0, y0], max: [x1, y1], size: [1280, 800] };
        let pieces = tile_pieces(&view, 0, 19);
        assert!(!pieces.is_empty() && pieces.len() < 40, "{}", pieces.len());
        let z = pieces[0].key.z;
        assert!(pieces.iter().all(|p| p.key.z == z));
        let (min_x, max_y) = (pieces[0].corners[0][0], pieces[0].corners[0][1]);
        assert!(min_x <= x0 && max_y >= y1);
    }

    #[test]
    fn a_source_is_known_by_its_scheme_or_extension_and_named_after_it() {
        assert_eq!(source_kind("https://tile.openstreetmap.org/{z}/{x}/{y}.png"), SourceKind::Xyz);
        assert_eq!(source_kind("/data/jinsong.MBTiles"), SourceKind::MbTiles);
        assert_eq!(source_kind("a.pmtiles"), SourceKind::PmTiles);
        assert_eq!(source_kind("ortho.tif"), SourceKind::GeoTiff);
        assert_eq!(source_kind("plan.jpg"), SourceKind::Image);
        assert_eq!(Basemap::new("/d/劲松.mbtiles").name, "劲松.mbtiles");
        assert_eq!(Basemap::new("https://tile.openstreetmap.org/{z}/{x}/{y}.png").name, "tile.openstreetmap.org");
    }

    fn points(affine: &Affine, pixels: &[[f64; 2]], noise: &[[f64; 2]]) -> Vec<ControlPoint> {
        use super::super::mercator;
        pixels
            .iter()
            .zip(noise.iter().chain(std::iter::repeat(&[0.0, 0.0])))
            .map(|(p, n)| {
                let m = apply_affine(affine, *p);
                let [lon, lat] = mercator::inverse(m[0] + n[0], m[1] + n[1]);
                ControlPoint { pixel: *p, lonlat: [lon, lat] }
            })
            .collect()
    }

    #[test]
    fn three_or_more_exact_points_give_the_affine_back_with_no_residual() {
        let [x, y] = super::super::mercator::forward(116.46, 39.888);
        // 0.3 m a pixel, turned a little, y down.
        let truth: Affine = [0.3, 0.02, x, 0.02, -0.3, y];
        for px in [
            vec![[0.0, 0.0], [4000.0, 0.0], [0.0, 3000.0]],
            vec![[10.0, 20.0], [3900.0, 50.0], [200.0, 2900.0], [3500.0, 2800.0]],
        ] {
            let fit = fit_affine(&points(&truth, &px, &[])).expect("fits");
            for (f, t) in fit.affine.iter().zip(truth) {
                assert!((f - t).abs() < 1e-5 * t.abs().max(1.0), "{:?} vs {truth:?}", fit.affine);
            }
            assert!(fit.rms_m < 1e-3 && fit.residuals_m.len() == px.len(), "{fit:?}");
        }
        let inv = invert_affine(&truth).expect("invertible");
        let p = apply_affine(&inv, apply_affine(&truth, [123.0, 456.0]));
        assert!((p[0] - 123.0).abs() < 1e-6 && (p[1] - 456.0).abs() < 1e-6, "{p:?}");
    }

    #[test]
    fn a_misplaced_point_stands_out_in_the_residuals() {
        let [x, y] = super::super::mercator::forward(116.46, 39.888);
        let truth: Affine = [0.5, 0.0, x, 0.0, -0.5, y];
        let px = [[0.0, 0.0], [2000.0, 0.0], [0.0, 2000.0], [2000.0, 2000.0], [1000.0, 1000.0]];
        // Four points clicked within a metre, the fifth 40 Mercator metres (~31 ground metres) off.
        let noise = [[0.5, -0.3], [-0.4, 0.6], [0.2, 0.4], [-0.6, -0.2], [40.0, 0.0]];
        let fit = fit_affine(&points(&truth, &px, &noise)).expect("fits");
        let worst = fit.residuals_m.iter().cloned().fold(0.0, f64::max);
        assert_eq!(fit.residuals_m.iter().position(|r| *r == worst), Some(4), "{fit:?}");
        assert!(worst > 20.0 && worst < 31.0, "{fit:?}");
        assert!(fit.residuals_m[..4].iter().all(|r| *r < 10.0), "{fit:?}");
        let rms = (fit.residuals_m.iter().map(|r| r * r).sum::<f64>() / 5.0).sqrt();
        assert!((fit.rms_m - rms).abs() < 1e-9);
        // The placement is still close: the image's centre within ~10 m.
        let c = apply_affine(&fit.affine, [1000.0, 1000.0]);
        assert!((c[0] - (x + 500.0)).abs() < 12.0 && (c[1] - (y - 500.0)).abs() < 12.0, "{c:?}");
    }

    #[test]
    fn too_few_or_collinear_points_are_refused_with_a_reason() {
        let [x, y] = super::super::mercator::forward(116.46, 39.888);
        let t: Affine = [0.5, 0.0, x, 0.0, -0.5, y];
        assert_eq!(fit_affine(&points(&t, &[[0.0, 0.0], [10.0, 0.0]], &[])), Err(FitError::TooFew(2)));
        let line = points(&t, &[[0.0, 0.0], [10.0, 10.0], [20.0, 20.0], [35.0, 35.0]], &[]);
        assert_eq!(fit_affine(&line), Err(FitError::CollinearOnImage));
        let mut flat = points(&t, &[[0.0, 0.0], [100.0, 0.0], [0.0, 100.0]], &[]);
        for (i, p) in flat.iter_mut().enumerate() {
            p.lonlat = [116.46 + 0.001 * i as f64, 39.888 + 0.001 * i as f64];
        }
        assert_eq!(fit_affine(&flat), Err(FitError::CollinearOnMap));
        let mut nan = points(&t, &[[0.0, 0.0], [100.0, 0.0], [0.0, 100.0]], &[]);
        nan[1].pixel[0] = f64::NAN;
        assert_eq!(fit_affine(&nan), Err(FitError::NotFinite(2)));
    }
}
