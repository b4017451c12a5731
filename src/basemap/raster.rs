//! Georeferenced images as a basemap: a GeoTIFF (placed by its own tags), a
//! PNG/JPEG (or TIFF) with a world file beside it and a chosen coordinate
//! system, or any image placed by the plan's control points.
//!
//! Pieces are blocks of the image: [`BLOCK`] × [`BLOCK`] pixels at a
//! reduction (`PieceKey.z` = halvings, chosen from the view's metres per
//! pixel; `x`/`y` = the block). Each block is placed by the affine of its
//! three corners, taken pixel → the image's system → WGS 84 → Web Mercator,
//! so a Gauss-Krüger image is drawn as slightly turned quads. Decoded blocks
//! are kept in a cache bounded in bytes.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use image::RgbaImage;

use super::geotiff::{GeoTiff, Place};
use super::{BasemapError, Layer};
use crate::io::crs::{Crs, SUPPORTED};
use crate::model::basemaps::{
    Affine, Basemap, ControlPoint, MercView, Piece, PieceKey, Shift, SourceKind, apply_affine, fit_affine,
    invert_affine,
};
use crate::model::mercator;

/// A block's side in output pixels.
pub const BLOCK: u32 = 512;

/// How many bytes of decoded blocks a layer keeps (~128 MB: 128 full blocks).
const KEEP_BYTES: usize = 128 << 20;

/// An image's pixels, read a rectangle at a time.
pub trait Pixels: Send + Sync {
    /// Width and height at full resolution.
    fn size(&self) -> (u32, u32);
    /// The full-resolution rectangle `[x0, y0, x1, y1)` reduced `z` times by
    /// half: an image of ⌈(x1 − x0) / 2^z⌉ × ⌈(y1 − y0) / 2^z⌉ pixels.
    fn read(&self, rect: [u32; 4], z: u8) -> Result<RgbaImage, BasemapError>;
    /// How many source pixels have been decoded so far (full image or overview).
    fn decoded_pixels(&self) -> u64;
    /// True when the source is stored in rows spanning the image (TIFF strips),
    /// so blocks side by side are cheaper read together with [`Pixels::read_many`].
    fn whole_rows(&self) -> bool {
        false
    }
    /// Several blocks at once (side by side, the same reduction).
    fn read_many(&self, rects: &[[u32; 4]], z: u8) -> Result<Vec<RgbaImage>, BasemapError> {
        rects.iter().map(|r| self.read(*r, z)).collect()
    }
}

/// The most blocks of one row read together from a striped source (each is
/// ~9 MB of sums while it is read).
const ROW_BLOCKS: u32 = 4;

/// Averages source pixels into the pixels of a reduced block (alpha-weighted,
/// so transparent no-data does not darken the edges).
pub struct Accumulator {
    origin: [u32; 2],
    z: u8,
    size: [u32; 2],
    sums: Vec<[u64; 4]>,
    counts: Vec<u32>,
}

impl Accumulator {
    /// An empty block for the full-resolution rectangle `rect` at reduction `z`.
    pub fn new(rect: [u32; 4], z: u8) -> Accumulator {
        let step = 1u32 << z.min(30);
        let size = [(rect[2].saturating_sub(rect[0])).div_ceil(step), (rect[3].saturating_sub(rect[1])).div_ceil(step)];
        let n = size[0] as usize * size[1] as usize;
        Accumulator { origin: [rect[0], rect[1]], z, size, sums: vec![[0; 4]; n], counts: vec![0; n] }
    }

    /// Adds the part `[x0, y0, x1, y1)` of `src`, whose top-left pixel is
    /// pixel `at` of a level where one pixel is `scale` full-resolution pixels.
    pub fn add(&mut self, src: &RgbaImage, part: [u32; 4], at: [u32; 2], scale: [f64; 2]) {
        let step = f64::from(1u32 << self.z.min(30));
        let cell = |p: u32, i: usize| -> Option<usize> {
            let full = (f64::from(at[i] + p) + 0.5) * scale[i];
            let o = ((full - f64::from(self.origin[i])) / step).floor();
            (o >= 0.0 && o < f64::from(self.size[i])).then_some(o as usize)
        };
        let cols: Vec<Option<usize>> = (part[0]..part[2]).map(|x| cell(x, 0)).collect();
        let w = self.size[0] as usize;
        for y in part[1]..part[3] {
            let Some(oy) = cell(y, 1) else { continue };
            for (x, ox) in (part[0]..part[2]).zip(&cols) {
                let Some(ox) = ox else { continue };
                let [r, g, b, a] = src.get_pixel(x, y).0;
                let i = oy * w + ox;
                let a64 = u64::from(a);
                let s = &mut self.sums[i];
                s[0] += u64::from(r) * a64;
                s[1] += u64::from(g) * a64;
                s[2] += u64::from(b) * a64;
                s[3] += a64;
                self.counts[i] += 1;
            }
        }
    }

    /// The block: each pixel the average of the source pixels added to it
    /// (transparent where none were).
    pub fn finish(self) -> RgbaImage {
        let mut out = RgbaImage::new(self.size[0], self.size[1]);
        for ((dst, s), n) in out.pixels_mut().zip(&self.sums).zip(&self.counts) {
            if *n > 0 && s[3] > 0 {
                let c = |v: u64| ((v + s[3] / 2) / s[3]) as u8;
                dst.0 = [c(s[0]), c(s[1]), c(s[2]), ((s[3] + u64::from(*n) / 2) / u64::from(*n)) as u8];
            }
        }
        out
    }
}

/// A PNG or JPEG, decoded whole once, with a pyramid of halvings: these
/// formats cannot be read in part cheaply (a PNG row depends on the one
/// above, a baseline JPEG has no index), so the halvings are what keeps a
/// far-out view from averaging the whole image every time.
pub struct Decoded {
    levels: Vec<RgbaImage>,
}

impl Decoded {
    /// Decodes an image file (within the `image` crate's memory limits).
    pub fn open(path: &Path) -> Result<Decoded, BasemapError> {
        let broken = |reason: String| BasemapError::Broken { path: path.to_path_buf(), what: "image", reason };
        let img = image::ImageReader::open(path)
            .map_err(|e| broken(e.to_string()))?
            .with_guessed_format()
            .map_err(|e| broken(e.to_string()))?
            .decode()
            .map_err(|e| broken(e.to_string()))?
            .to_rgba8();
        if img.width() == 0 || img.height() == 0 {
            return Err(broken("it has no pixels".into()));
        }
        let mut levels = vec![img];
        while let Some(last) = levels.last().filter(|l| l.width().max(l.height()) > BLOCK) {
            let half = image::imageops::resize(
                last,
                last.width().div_ceil(2),
                last.height().div_ceil(2),
                image::imageops::FilterType::Triangle,
            );
            levels.push(half);
        }
        Ok(Decoded { levels })
    }
}

impl Pixels for Decoded {
    fn size(&self) -> (u32, u32) {
        self.levels[0].dimensions()
    }

    fn read(&self, rect: [u32; 4], z: u8) -> Result<RgbaImage, BasemapError> {
        let l = usize::from(z).min(self.levels.len() - 1);
        let level = &self.levels[l];
        let k = 1u32 << l;
        let part = [
            (rect[0] / k).min(level.width()),
            (rect[1] / k).min(level.height()),
            rect[2].div_ceil(k).min(level.width()),
            rect[3].div_ceil(k).min(level.height()),
        ];
        let mut acc = Accumulator::new(rect, z);
        acc.add(level, part, [0, 0], [f64::from(k), f64::from(k)]);
        Ok(acc.finish())
    }

    fn decoded_pixels(&self) -> u64 {
        let (w, h) = self.size();
        u64::from(w) * u64::from(h)
    }
}

/// Where an image's pixels are: pixel (column, row from the top-left
/// corner) → the image's coordinate system by an affine, then → WGS 84.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placement {
    pub affine: Affine,
    pub crs: Crs,
}

impl Placement {
    /// A pixel position → Web Mercator metres (`None` outside the system's domain).
    pub fn to_merc(&self, px: [f64; 2]) -> Option<[f64; 2]> {
        let [x, y] = apply_affine(&self.affine, px);
        if self.crs == Crs::WebMercator {
            return (x.is_finite() && y.is_finite()).then_some([x, y]);
        }
        let (lon, lat) = self.crs.to_wgs84(x, y)?;
        Some(mercator::forward(lon, lat))
    }

    /// Web Mercator metres → a pixel position.
    pub fn from_merc(&self, m: [f64; 2]) -> Option<[f64; 2]> {
        let inv = invert_affine(&self.affine)?;
        let xy = if self.crs == Crs::WebMercator {
            m
        } else {
            let [lon, lat] = mercator::inverse(m[0], m[1]);
            let (x, y) = self.crs.from_wgs84(lon, lat)?;
            [x, y]
        };
        Some(apply_affine(&inv, xy))
    }
}

/// A georeferenced image opened as a basemap.
pub struct GeoImage {
    pixels: Box<dyn Pixels>,
    placement: Placement,
    /// The image's Web Mercator bounding box `[min_x, min_y, max_x, max_y]`.
    footprint: [f64; 4],
    /// Web Mercator metres a full-resolution pixel, at the image's middle.
    pixel_m: f64,
    /// The reduction at which the whole image is one block.
    max_z: u8,
    attribution: Option<String>,
    cache: Mutex<Blocks>,
}

#[derive(Default)]
struct Blocks {
    map: HashMap<PieceKey, Arc<RgbaImage>>,
    order: VecDeque<PieceKey>,
    bytes: usize,
}

/// Opens a basemap of kind GeoTIFF or image: its pixels and its placement
/// (the file's GeoTIFF tags, else a world file with the basemap's EPSG code,
/// else the basemap's control points).
pub fn open(b: &Basemap) -> Result<GeoImage, BasemapError> {
    let path = Path::new(&b.source);
    if !path.is_file() {
        return Err(BasemapError::NotFound(path.to_path_buf()));
    }
    let unplaced = |reason: String| BasemapError::Unplaced { path: path.to_path_buf(), reason };
    let crs_of = |code: u32| {
        let crs = Crs::from_epsg(code)
            .ok_or_else(|| unplaced(format!("EPSG:{code} is not a coordinate system this app knows ({SUPPORTED})")))?;
        // A longitude/latitude image declared shifted is in GCJ-02 or BD-09.
        Ok(match (b.shift, crs.is_geographic()) {
            (Shift::Gcj02, true) => Crs::Gcj02,
            (Shift::Bd09, true) => Crs::Bd09,
            _ => crs,
        })
    };
    let (pixels, own): (Box<dyn Pixels>, _) = match b.kind() {
        SourceKind::GeoTiff => {
            let t = GeoTiff::open(path)?;
            let g = t.georef();
            (Box::new(t), g)
        }
        _ => (Box::new(Decoded::open(path)?), None),
    };
    let placement = if let Some(g) = own {
        let code = b.epsg.or(g.epsg).ok_or_else(|| {
            unplaced("its GeoTIFF tags name no EPSG code: choose the coordinate system it is in".into())
        })?;
        let crs = crs_of(code)?;
        match g.place {
            Place::Affine(affine) => Placement { affine, crs },
            Place::Gcps(gcps) => {
                // Fitted in Web Mercator, as control points placed by hand are.
                let points = gcps
                    .iter()
                    .map(|&[col, row, x, y]| {
                        crs.to_wgs84(x, y).map(|(lon, lat)| ControlPoint { pixel: [col, row], lonlat: [lon, lat] })
                    })
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| {
                        unplaced(format!("its ground control points fall outside where {} is defined", crs.label()))
                    })?;
                let fit = fit_affine(&points).map_err(|e| unplaced(format!("its ground control points: {e}")))?;
                Placement { affine: fit.affine, crs: Crs::WebMercator }
            }
        }
    } else if let Some((wf, affine)) = world_file(path)? {
        let code = b.epsg.ok_or_else(|| {
            unplaced(format!("choose the coordinate system (EPSG code) its world file {} is in", wf.display()))
        })?;
        Placement { affine, crs: crs_of(code)? }
    } else if !b.control_points.is_empty() {
        let fit = fit_affine(&b.control_points).map_err(|e| unplaced(e.to_string()))?;
        Placement { affine: fit.affine, crs: Crs::WebMercator }
    } else {
        return Err(unplaced(
            "it is not georeferenced (no GeoTIFF tags, no world file such as .pgw/.jgw/.tfw/.wld beside it, \
             no control points): place it with control points"
                .into(),
        ));
    };
    GeoImage::new(pixels, placement, b.attribution.clone()).map_err(unplaced)
}

/// The world file beside an image (`.pgw`, `.pngw`, `.jgw`, `.tfw`, `.wld`, …)
/// as a pixel-corner affine, and its path.
pub fn world_file(path: &Path) -> Result<Option<(PathBuf, Affine)>, BasemapError> {
    let ext = path.extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default();
    let mut names = Vec::new();
    let mut chars = ext.chars();
    if let (Some(first), Some(last)) = (chars.next(), ext.chars().last()) {
        names.push(format!("{first}{last}w"));
    }
    names.push(format!("{ext}w"));
    names.push("wld".into());
    let candidates = names.iter().flat_map(|n| [n.to_ascii_lowercase(), n.to_ascii_uppercase()]);
    let Some(wf) = candidates.map(|n| path.with_extension(n)).find(|p| p.is_file()) else { return Ok(None) };
    let broken = |reason: String| BasemapError::Broken { path: wf.clone(), what: "world file", reason };
    let text = std::fs::read_to_string(&wf).map_err(|e| broken(e.to_string()))?;
    let v: Vec<f64> = text
        .split_whitespace()
        .take(6)
        .map(|t| t.parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|e| broken(format!("{e}: it must be six numbers, one a line (A D B E C F)")))?;
    let [a, d, b, e, c, f] = v[..] else {
        return Err(broken(format!("it has {} numbers, not six (A D B E C F)", v.len())));
    };
    if !v.iter().all(|x| x.is_finite()) || (a * e - b * d).abs() < 1e-300 {
        return Err(broken("its numbers do not place an image".into()));
    }
    // A world file names the centre of the top-left pixel; pieces use its corner.
    Ok(Some((wf, [a, b, c - 0.5 * (a + b), d, e, f - 0.5 * (d + e)])))
}

/// Reads an image file whole at a reduction fitting `max_side` (for the
/// georeferencing window): the picture and the full-resolution size.
pub fn preview(path: &Path, max_side: u32) -> Result<(RgbaImage, (u32, u32)), BasemapError> {
    if !path.is_file() {
        return Err(BasemapError::NotFound(path.to_path_buf()));
    }
    let pixels: Box<dyn Pixels> = match crate::model::basemaps::source_kind(&path.to_string_lossy()) {
        SourceKind::GeoTiff => Box::new(GeoTiff::open(path)?),
        _ => Box::new(Decoded::open(path)?),
    };
    let (w, h) = pixels.size();
    let mut z = 0u8;
    while (w.max(h) >> z) > max_side.max(1) && z < 30 {
        z += 1;
    }
    Ok((pixels.read([0, 0, w, h], z)?, (w, h)))
}

impl GeoImage {
    /// An image placed on the ground; `Err` says why it cannot be (it lies
    /// outside its system's domain).
    pub fn new(pixels: Box<dyn Pixels>, placement: Placement, attribution: Option<String>) -> Result<GeoImage, String> {
        let (w, h) = pixels.size();
        let (wf, hf) = (f64::from(w), f64::from(h));
        let mut footprint = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
        let outside =
            || format!("it falls outside where {} is defined: check its coordinate system", placement.crs.label());
        // The edges, sampled: a projected image's outline is slightly curved in Web Mercator.
        for i in 0..=8 {
            let t = f64::from(i) / 8.0;
            for p in [[t * wf, 0.0], [t * wf, hf], [0.0, t * hf], [wf, t * hf]] {
                let m = placement.to_merc(p).ok_or_else(outside)?;
                footprint =
                    [footprint[0].min(m[0]), footprint[1].min(m[1]), footprint[2].max(m[0]), footprint[3].max(m[1])];
            }
        }
        let c = [wf / 2.0, hf / 2.0];
        let (m0, mx, my) = match (
            placement.to_merc(c),
            placement.to_merc([c[0] + 1.0, c[1]]),
            placement.to_merc([c[0], c[1] + 1.0]),
        ) {
            (Some(a), Some(b), Some(d)) => (a, b, d),
            _ => return Err(outside()),
        };
        let pixel_m = ((mx[0] - m0[0]).hypot(mx[1] - m0[1]) * (my[0] - m0[0]).hypot(my[1] - m0[1])).sqrt();
        if !(pixel_m.is_finite() && pixel_m > 0.0) {
            return Err("its placement makes its pixels no size".into());
        }
        let mut max_z = 0u8;
        while (w.max(h) >> max_z) > BLOCK && max_z < 30 {
            max_z += 1;
        }
        Ok(GeoImage { pixels, placement, footprint, pixel_m, max_z, attribution, cache: Mutex::new(Blocks::default()) })
    }

    /// Width and height in pixels.
    pub fn size(&self) -> (u32, u32) {
        self.pixels.size()
    }

    pub fn placement(&self) -> &Placement {
        &self.placement
    }

    /// How many source pixels have been decoded so far.
    pub fn decoded_pixels(&self) -> u64 {
        self.pixels.decoded_pixels()
    }

    /// The reduction (halvings) whose pixels are closest to, and not coarser than, the view's.
    fn reduction(&self, view: &MercView) -> u8 {
        let ratio = view.mpp() / self.pixel_m;
        if !(ratio.is_finite() && ratio > 0.0) {
            return self.max_z;
        }
        // Within 10 % of a level's resolution is that level.
        ((ratio * 1.1).log2().floor().max(0.0) as u32).min(u32::from(self.max_z)) as u8
    }

    /// The full-resolution rectangle block `key` covers, and its size reduced.
    fn block(&self, key: PieceKey) -> Option<([u32; 4], [u32; 2])> {
        let (w, h) = self.pixels.size();
        if key.z > self.max_z {
            return None;
        }
        let span = u64::from(BLOCK) << key.z;
        let (x0, y0) = (u64::from(key.x) * span, u64::from(key.y) * span);
        if x0 >= u64::from(w) || y0 >= u64::from(h) {
            return None;
        }
        let (x1, y1) = ((x0 + span).min(u64::from(w)), (y0 + span).min(u64::from(h)));
        let step = 1u64 << key.z;
        let size = [(x1 - x0).div_ceil(step) as u32, (y1 - y0).div_ceil(step) as u32];
        Some(([x0 as u32, y0 as u32, x1 as u32, y1 as u32], size))
    }
}

impl Layer for GeoImage {
    fn pieces(&self, view: &MercView) -> Vec<Piece> {
        let f = self.footprint;
        let clip = [view.min[0].max(f[0]), view.min[1].max(f[1]), view.max[0].min(f[2]), view.max[1].min(f[3])];
        if !(clip[0] < clip[2] && clip[1] < clip[3]) {
            return Vec::new();
        }
        let z = self.reduction(view);
        let (w, h) = self.pixels.size();
        let span = f64::from(BLOCK) * f64::from(1u32 << z);
        // The pixels under the clipped view: its grid of points taken back to the image.
        let mut px = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
        for i in 0..=4 {
            for j in 0..=4 {
                let m = [
                    clip[0] + (clip[2] - clip[0]) * f64::from(i) / 4.0,
                    clip[1] + (clip[3] - clip[1]) * f64::from(j) / 4.0,
                ];
                match self.placement.from_merc(m) {
                    Some(p) => px = [px[0].min(p[0]), px[1].min(p[1]), px[2].max(p[0]), px[3].max(p[1])],
                    None => px = [0.0, 0.0, f64::from(w), f64::from(h)],
                }
            }
        }
        let cols = f64::from(w) / span;
        let rows = f64::from(h) / span;
        let range = |lo: f64, hi: f64, n: f64| {
            let a = (lo / span - 1.0).floor().clamp(0.0, (n.ceil() - 1.0).max(0.0)) as u32;
            let b = (hi / span + 1.0).floor().clamp(0.0, (n.ceil() - 1.0).max(0.0)) as u32;
            a..=b
        };
        let mut out = Vec::new();
        for y in range(px[1], px[3], rows) {
            for x in range(px[0], px[2], cols) {
                let key = PieceKey { z, x, y };
                let Some((rect, size)) = self.block(key) else { continue };
                let step = f64::from(1u32 << z);
                let (x0, y0) = (f64::from(rect[0]), f64::from(rect[1]));
                let (x1, y1) = (x0 + f64::from(size[0]) * step, y0 + f64::from(size[1]) * step);
                let corners = [[x0, y0], [x1, y0], [x0, y1]].map(|p| self.placement.to_merc(p));
                let [Some(tl), Some(tr), Some(bl)] = corners else { continue };
                let br = [tr[0] + bl[0] - tl[0], tr[1] + bl[1] - tl[1]];
                let xs = [tl[0], tr[0], bl[0], br[0]];
                let ys = [tl[1], tr[1], bl[1], br[1]];
                let (min_x, max_x) = (
                    xs.iter().cloned().fold(f64::INFINITY, f64::min),
                    xs.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
                );
                let (min_y, max_y) = (
                    ys.iter().cloned().fold(f64::INFINITY, f64::min),
                    ys.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
                );
                if max_x < view.min[0] || min_x > view.max[0] || max_y < view.min[1] || min_y > view.max[1] {
                    continue;
                }
                out.push(Piece { key, corners: [tl, tr, bl] });
            }
        }
        out
    }

    fn image(&self, key: PieceKey) -> Result<Option<Arc<RgbaImage>>, BasemapError> {
        if let Some(b) = self.cache.lock().ok().and_then(|c| c.map.get(&key).cloned()) {
            return Ok(Some(b));
        }
        let Some((rect, _)) = self.block(key) else { return Ok(None) };
        // A far-out view of a striped TIFF: the whole row of blocks from one pass over its strips.
        let span = u64::from(BLOCK) << key.z;
        let cols = u64::from(self.pixels.size().0).div_ceil(span) as u32;
        let row: Vec<(PieceKey, [u32; 4])> = if self.pixels.whole_rows() && (2..=ROW_BLOCKS).contains(&cols) {
            (0..cols)
                .filter_map(|x| self.block(PieceKey { x, ..key }).map(|(r, _)| (PieceKey { x, ..key }, r)))
                .collect()
        } else {
            vec![(key, rect)]
        };
        let rects: Vec<[u32; 4]> = row.iter().map(|(_, r)| *r).collect();
        let read = self.pixels.read_many(&rects, key.z)?.into_iter().map(Arc::new);
        let mut img = None;
        for ((k, _), block) in row.iter().zip(read) {
            if *k == key {
                img = Some(block.clone());
            }
            self.keep(*k, block);
        }
        match img {
            Some(img) => Ok(Some(img)),
            None => Ok(Some(Arc::new(self.pixels.read(rect, key.z)?))),
        }
    }

    fn attribution(&self) -> Option<String> {
        self.attribution.clone()
    }
}

impl GeoImage {
    /// Keeps a decoded block, dropping the oldest beyond the cache's bound.
    fn keep(&self, key: PieceKey, img: Arc<RgbaImage>) {
        if let Ok(mut c) = self.cache.lock() {
            let bytes = img.as_raw().len();
            while c.bytes + bytes > KEEP_BYTES
                && let Some(old) = c.order.pop_front()
            {
                if let Some(b) = c.map.remove(&old) {
                    c.bytes -= b.as_raw().len();
                }
            }
            if c.map.insert(key, img).is_none() {
                c.order.push_back(key);
                c.bytes += bytes;
            }
        }
    }
}
