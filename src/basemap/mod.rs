//! Reading basemaps: tile pyramids (XYZ URLs with a disk cache, MBTiles,
//! PMTiles) and georeferenced images (GeoTIFF, PNG/JPEG with a world file or
//! control points), each opened as a [`Layer`] that says which [`Piece`]s
//! cover a view and gives their pixels. The screen draws pieces as textures;
//! exports [`compose`] them into one image under the map. Stands on `model`
//! and `io` (coordinate systems); knows nothing of `render`, `export` or `ui`.

pub mod geotiff;
pub mod mbtiles;
pub mod pmtiles;
pub mod presets;
pub mod pyramid;
pub mod raster;
pub mod settings;
pub mod xyz;

use std::path::PathBuf;
use std::sync::Arc;

use image::RgbaImage;

use crate::model::basemaps::{Basemap, MercView, Piece, PieceKey, SourceKind};

pub use pyramid::{Pyramid, TileSource};
pub use settings::Settings;

/// Why a basemap could not be drawn. Worded once per basemap, not per tile.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BasemapError {
    #[error("{0}: no such file")]
    NotFound(PathBuf),
    #[error("{path}: not a readable {what} ({reason})")]
    Broken { path: PathBuf, what: &'static str, reason: String },
    #[error("{url}: the tile server cannot be reached ({reason}) and the tiles needed are not in the cache")]
    Unreachable { url: String, reason: String },
    #[error("{url}: the tile server answered {status}")]
    Http { url: String, status: u16 },
    #[error("{url}: the tile is not an image ({reason})")]
    NotAnImage { url: String, reason: String },
    #[error("{0}: this basemap needs a key (set it in the basemap settings)")]
    NeedsKey(String),
    #[error("{0}: not a basemap this app reads")]
    Unsupported(String),
    /// An image that cannot be placed on the ground (no georeference, no or an unknown coordinate system).
    #[error("{path}: {reason}")]
    Unplaced { path: PathBuf, reason: String },
}

/// A basemap opened for drawing.
pub trait Layer: Send + Sync {
    /// The pieces that cover `view` at its resolution, bottom to top.
    fn pieces(&self, view: &MercView) -> Vec<Piece>;
    /// A piece's pixels; `None` where the source has nothing there (sea, beyond the image).
    fn image(&self, key: PieceKey) -> Result<Option<Arc<RgbaImage>>, BasemapError>;
    /// The credit the source requires to be shown with it.
    fn attribution(&self) -> Option<String> {
        None
    }
}

/// Opens a basemap's source.
pub fn open(b: &Basemap, settings: &Settings) -> Result<Arc<dyn Layer>, BasemapError> {
    match b.kind() {
        SourceKind::MbTiles => {
            let src = mbtiles::MbTiles::open(std::path::Path::new(&b.source))?;
            Ok(Arc::new(Pyramid::new(src, b.shift, b.attribution.clone())))
        }
        SourceKind::Xyz => {
            let src = xyz::Xyz::open(&b.source, settings, b.attribution.clone())?;
            Ok(Arc::new(Pyramid::new(src, b.shift, None)))
        }
        SourceKind::PmTiles => {
            let src = pmtiles::PmTiles::open(std::path::Path::new(&b.source))?;
            Ok(Arc::new(Pyramid::new(src, b.shift, b.attribution.clone())))
        }
        SourceKind::GeoTiff | SourceKind::Image => Ok(Arc::new(raster::open(b)?)),
    }
}

/// What composing basemaps gave: the image (straight alpha, transparent where
/// nothing is), the credits to print with it, and the faults, one a basemap.
pub struct Composed {
    pub image: RgbaImage,
    pub attributions: Vec<String>,
    pub faults: Vec<BasemapError>,
}

/// Draws basemaps (bottom to top, each with its opacity) into one image of
/// `view`'s size. A piece that cannot be read is left out and its basemap's
/// first fault reported; the rest is drawn.
pub fn compose(layers: &[(Arc<dyn Layer>, f32)], view: &MercView) -> Composed {
    let (w, h) = (view.size[0].max(1), view.size[1].max(1));
    let mut canvas = match tiny_skia::Pixmap::new(w, h) {
        Some(p) => p,
        None => return Composed { image: RgbaImage::new(w, h), attributions: Vec::new(), faults: Vec::new() },
    };
    let mut attributions = Vec::new();
    let mut faults = Vec::new();
    for (layer, opacity) in layers {
        if *opacity <= 0.0 {
            continue;
        }
        if let Some(a) = layer.attribution().filter(|a| !attributions.contains(a)) {
            attributions.push(a);
        }
        let mut fault = None;
        for piece in layer.pieces(view) {
            match layer.image(piece.key) {
                Ok(Some(img)) => draw_piece(&mut canvas, view, &piece, &img, *opacity),
                Ok(None) => {}
                Err(e) => {
                    fault.get_or_insert(e);
                }
            }
        }
        faults.extend(fault);
    }
    Composed { image: unpremultiply(canvas), attributions, faults }
}

/// Draws one piece where its corners say, bilinear, with an opacity.
pub fn draw_piece(canvas: &mut tiny_skia::Pixmap, view: &MercView, piece: &Piece, img: &RgbaImage, opacity: f32) {
    let Some(src) = premultiplied(img) else { return };
    let [tl, tr, bl] = piece.corners.map(|c| view.to_px(c));
    let (iw, ih) = (img.width() as f64, img.height() as f64);
    // The affine map from image pixels to canvas pixels.
    let t = tiny_skia::Transform::from_row(
        ((tr[0] - tl[0]) / iw) as f32,
        ((tr[1] - tl[1]) / iw) as f32,
        ((bl[0] - tl[0]) / ih) as f32,
        ((bl[1] - tl[1]) / ih) as f32,
        tl[0] as f32,
        tl[1] as f32,
    );
    let paint = tiny_skia::PixmapPaint {
        opacity: opacity.clamp(0.0, 1.0),
        blend_mode: tiny_skia::BlendMode::SourceOver,
        quality: tiny_skia::FilterQuality::Bilinear,
    };
    canvas.draw_pixmap(0, 0, src.as_ref(), &paint, t, None);
}

fn premultiplied(img: &RgbaImage) -> Option<tiny_skia::Pixmap> {
    let mut p = tiny_skia::Pixmap::new(img.width(), img.height())?;
    for (dst, src) in p.pixels_mut().iter_mut().zip(img.pixels()) {
        let [r, g, b, a] = src.0;
        *dst = tiny_skia::ColorU8::from_rgba(r, g, b, a).premultiply();
    }
    Some(p)
}

fn unpremultiply(p: tiny_skia::Pixmap) -> RgbaImage {
    let (w, h) = (p.width(), p.height());
    let mut out = RgbaImage::new(w, h);
    for (dst, src) in out.pixels_mut().zip(p.pixels()) {
        let c = src.demultiply();
        dst.0 = [c.red(), c.green(), c.blue(), c.alpha()];
    }
    out
}

/// Decodes a tile or image file's bytes (PNG, JPEG) into RGBA.
pub fn decode(bytes: &[u8]) -> Result<RgbaImage, String> {
    image::load_from_memory(bytes).map(|i| i.to_rgba8()).map_err(|e| e.to_string())
}
