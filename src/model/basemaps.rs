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
}
