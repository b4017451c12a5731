//! A tile pyramid as a [`Layer`]: the tiles covering a view at its zoom,
//! over-zoomed from the nearest coarser tile the source has, moved for a
//! Chinese web map's shift, decoded once and kept (a bounded memory cache).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use image::RgbaImage;

use super::{BasemapError, Layer};
use crate::model::basemaps::{MercView, Piece, PieceKey, Shift, TILE_PX, tile_pieces, zoom_for};

/// Where a pyramid's tiles come from.
pub trait TileSource: Send + Sync {
    /// The encoded tile `z/x/y` (XYZ rows from the top), or `None` if the source has none there.
    fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>, BasemapError>;
    /// The zoom levels the source has.
    fn zooms(&self) -> (u8, u8);
    /// The credit the source carries (MBTiles metadata, a preset's).
    fn attribution(&self) -> Option<String> {
        None
    }
}

/// How many decoded tiles a pyramid keeps (256 × 256 × 4 bytes each: ~64 MB).
const KEEP: usize = 256;

/// How many zoom levels a missing tile is looked for above it.
const OVERZOOM: u8 = 6;

/// How many levels coarser than its coarsest tiles a source is still drawn
/// (its tiles then at least 32 px): further out, thousands of tiny tiles a
/// view — a world view over a z14 file would be 268 million — so nothing.
const UNDERZOOM: u8 = 3;

/// A tile source drawn as a basemap.
pub struct Pyramid<S> {
    source: S,
    shift: Shift,
    attribution: Option<String>,
    decoded: Mutex<HashMap<PieceKey, Option<Arc<RgbaImage>>>>,
    /// Over-zoomed tiles made from a coarser one (an atlas page or a print asks for the same ones again).
    enlarged: Mutex<HashMap<PieceKey, Arc<RgbaImage>>>,
}

impl<S: TileSource> Pyramid<S> {
    pub fn new(source: S, shift: Shift, attribution: Option<String>) -> Self {
        Pyramid {
            source,
            shift,
            attribution,
            decoded: Mutex::new(HashMap::new()),
            enlarged: Mutex::new(HashMap::new()),
        }
    }

    pub fn source(&self) -> &S {
        &self.source
    }

    /// The tile `key` as the source has it, decoded (`None`: not there).
    fn decoded(&self, key: PieceKey) -> Result<Option<Arc<RgbaImage>>, BasemapError> {
        if let Some(t) = self.decoded.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(t);
        }
        let tile = match self.source.tile(key.z, key.x, key.y)? {
            Some(bytes) => Some(Arc::new(super::decode(&bytes).map_err(|reason| BasemapError::NotAnImage {
                url: format!("{}/{}/{}", key.z, key.x, key.y),
                reason,
            })?)),
            None => None,
        };
        if let Ok(mut m) = self.decoded.lock() {
            if m.len() >= KEEP {
                m.clear();
            }
            m.insert(key, tile.clone());
        }
        Ok(tile)
    }
}

impl<S: TileSource> Layer for Pyramid<S> {
    fn pieces(&self, view: &MercView) -> Vec<Piece> {
        let (min_z, max_z) = self.source.zooms();
        if zoom_for(view.mpp(), 30).saturating_add(UNDERZOOM) < min_z {
            return Vec::new();
        }
        let shifted = shift_view(view, self.shift);
        let mut pieces = tile_pieces(&shifted, min_z, max_z.saturating_add(OVERZOOM).min(22));
        if self.shift != Shift::None {
            for p in &mut pieces {
                let d = shift_offset(p.corners, self.shift);
                for c in &mut p.corners {
                    c[0] += d[0];
                    c[1] += d[1];
                }
            }
        }
        pieces
    }

    fn image(&self, key: PieceKey) -> Result<Option<Arc<RgbaImage>>, BasemapError> {
        let (min_z, max_z) = self.source.zooms();
        if let Some(t) = self.enlarged.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(Some(t));
        }
        // Over-zoom: the nearest coarser tile the source has, its quarter enlarged.
        let mut k = key;
        while k.z > max_z {
            k = PieceKey { z: k.z - 1, x: k.x / 2, y: k.y / 2 };
        }
        for _ in 0..=OVERZOOM {
            if let Some(t) = self.decoded(k)? {
                if k == key {
                    return Ok(Some(t));
                }
                let made = Arc::new(enlarge(&t, k, key));
                if let Ok(mut m) = self.enlarged.lock() {
                    if m.len() >= KEEP {
                        m.clear();
                    }
                    m.insert(key, made.clone());
                }
                return Ok(Some(made));
            }
            if k.z <= min_z {
                break;
            }
            k = PieceKey { z: k.z - 1, x: k.x / 2, y: k.y / 2 };
        }
        Ok(None)
    }

    fn attribution(&self) -> Option<String> {
        self.attribution.clone().or_else(|| self.source.attribution())
    }
}

/// The part of tile `coarse` that tile `fine` (deeper, inside it) covers, enlarged to a tile.
fn enlarge(t: &RgbaImage, coarse: PieceKey, fine: PieceKey) -> RgbaImage {
    let levels = u32::from(fine.z - coarse.z);
    let n = 1u32 << levels;
    let (w, h) = (t.width().max(1), t.height().max(1));
    let (sw, sh) = ((w / n).max(1), (h / n).max(1));
    let (ox, oy) = ((fine.x - (coarse.x << levels)) * sw, (fine.y - (coarse.y << levels)) * sh);
    let part = image::imageops::crop_imm(t, ox.min(w - sw), oy.min(h - sh), sw, sh).to_image();
    image::imageops::resize(&part, TILE_PX, TILE_PX, image::imageops::FilterType::Triangle)
}

/// The view in the shifted system the tiles are drawn in.
fn shift_view(view: &MercView, shift: Shift) -> MercView {
    if shift == Shift::None {
        return *view;
    }
    let d = shift_offset([view.min, [view.max[0], view.min[1]], [view.min[0], view.max[1]]], shift);
    MercView { min: [view.min[0] - d[0], view.min[1] - d[1]], max: [view.max[0] - d[0], view.max[1] - d[1]], ..*view }
}

/// How far (Web Mercator metres) a shifted source's content must move to
/// line up with WGS 84, at the middle of `corners` (the shift varies over
/// kilometres, so one offset a tile is enough).
fn shift_offset(corners: [[f64; 2]; 3], shift: Shift) -> [f64; 2] {
    use crate::io::crs::Crs;
    use crate::model::mercator;
    let crs = match shift {
        Shift::None => return [0.0, 0.0],
        Shift::Gcj02 => Crs::Gcj02,
        Shift::Bd09 => Crs::Bd09,
    };
    let mid = [(corners[1][0] + corners[2][0]) / 2.0, (corners[1][1] + corners[2][1]) / 2.0];
    let [lon, lat] = mercator::inverse(mid[0], mid[1]);
    // A point the tile draws at (lon, lat) in its own system is truly at to_wgs84(lon, lat).
    match crs.to_wgs84(lon, lat) {
        Some((tl, ta)) => {
            let [x, y] = mercator::forward(tl, ta);
            [x - mid[0], y - mid[1]]
        }
        None => [0.0, 0.0],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source with one coloured tile at zoom 2.
    struct One;
    impl TileSource for One {
        fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>, BasemapError> {
            if (z, x, y) != (2, 3, 1) {
                return Ok(None);
            }
            let mut img = RgbaImage::new(256, 256);
            for (px, py, p) in img.enumerate_pixels_mut() {
                p.0 = [if px < 128 { 255 } else { 0 }, if py < 128 { 255 } else { 0 }, 0, 255];
            }
            let mut out = Vec::new();
            img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).expect("png");
            Ok(Some(out))
        }
        fn zooms(&self) -> (u8, u8) {
            (0, 2)
        }
    }

    #[test]
    fn a_missing_deeper_tile_is_the_enlarged_quarter_of_its_parent() {
        let p = Pyramid::new(One, Shift::None, None);
        assert!(p.image(PieceKey { z: 2, x: 3, y: 1 }).expect("read").is_some());
        // z3 (7, 2) is the parent's top-right quarter: x odd → right half (blue-less, green on top).
        let t = p.image(PieceKey { z: 3, x: 7, y: 2 }).expect("read").expect("over-zoomed");
        assert_eq!((t.width(), t.height()), (256, 256));
        assert_eq!(t.get_pixel(128, 128).0, [0, 255, 0, 255]);
        let t = p.image(PieceKey { z: 3, x: 6, y: 3 }).expect("read").expect("over-zoomed");
        assert_eq!(t.get_pixel(128, 128).0, [255, 0, 0, 255]);
        assert!(p.image(PieceKey { z: 3, x: 0, y: 0 }).expect("read").is_none());
    }

    #[test]
    fn gcj02_tiles_move_by_the_local_offset_and_wgs84_ones_stay() {
        use crate::model::mercator;
        let [x, y] = mercator::forward(116.46, 39.888);
        let view = MercView { min: [x - 500.0, y - 500.0], max: [x + 500.0, y + 500.0], size: [800, 800] };
        let plain = Pyramid::new(One, Shift::None, None);
        let p0 = plain.pieces(&view);
        let moved = Pyramid::new(One, Shift::Gcj02, None);
        let p1 = moved.pieces(&view);
        assert!(!p0.is_empty() && !p1.is_empty());
        // In Beijing GCJ-02 is ~100-700 m off WGS 84: the tiles are drawn that far from their nominal place.
        let d = (p1[0].corners[0][0] - tile_x(p1[0].key), 0.0);
        assert!(d.0.abs() > 50.0 && d.0.abs() < 1500.0, "{d:?}");
        assert_eq!(p0[0].corners[0][0], tile_x(p0[0].key));
    }

    fn tile_x(k: PieceKey) -> f64 {
        crate::model::basemaps::tile_bounds(k.z, k.x, k.y)[0]
    }

    /// A source whose coarsest tiles are at zoom 14.
    struct Fine;
    impl TileSource for Fine {
        fn tile(&self, _: u8, _: u32, _: u32) -> Result<Option<Vec<u8>>, BasemapError> {
            Ok(None)
        }
        fn zooms(&self) -> (u8, u8) {
            (14, 18)
        }
    }

    #[test]
    fn far_out_a_fine_source_gives_no_pieces_rather_than_millions() {
        use crate::model::mercator::HALF_SIDE;
        let p = Pyramid::new(Fine, Shift::None, None);
        let world = MercView { min: [-HALF_SIDE, -HALF_SIDE], max: [HALF_SIDE, HALF_SIDE], size: [1280, 800] };
        assert!(p.pieces(&world).is_empty());
        // Three levels coarser than its tiles it is still drawn, a few hundred tiles at most.
        let [x, y] = crate::model::mercator::forward(116.46, 39.888);
        // Zoom 11: ~76.4 m a pixel, three levels coarser than the source's z14.
        let half = 1280.0 * 76.4 / 2.0;
        let city = MercView { min: [x - half, y - half * 0.625], max: [x + half, y + half * 0.625], size: [1280, 800] };
        let n = p.pieces(&city).len();
        assert!(n > 0 && n <= 1_500, "{n}");
    }
}
