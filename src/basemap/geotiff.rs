//! GeoTIFF images read in part: the GeoTIFF tags say where the pixels are,
//! and only the strips or tiles a piece needs are decoded, from the smallest
//! overview (a reduced copy GDAL's `gdaladdo` or `COPY_SRC_OVERVIEWS` puts in
//! the file) that is still as sharp as the piece.
//!
//! Glossary: a *level* is the full image or one of its overviews; a *chunk*
//! is a strip or a tile of a level, the unit TIFF compresses.

use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use image::RgbaImage;
use tiff::decoder::{Decoder, DecodingResult};
use tiff::tags::Tag;

use super::BasemapError;
use super::raster::{Accumulator, Pixels};
use crate::model::basemaps::Affine;

/// Where a GeoTIFF says its pixels are, and its coordinate system's EPSG
/// code when the file names one.
#[derive(Clone, Debug, PartialEq)]
pub struct Georef {
    pub place: Place,
    pub epsg: Option<u32>,
}

/// How a GeoTIFF's tags place its pixels.
#[derive(Clone, Debug, PartialEq)]
pub enum Place {
    /// Pixel (column, row from the top-left corner) → the coordinate system.
    Affine(Affine),
    /// Ground control points, `[column, row, x, y]` (pixel corners, as [`Place::Affine`]),
    /// as QGIS's georeferencer or `gdal_translate -gcp` leave them: the caller fits them.
    Gcps(Vec<[f64; 4]>),
}

/// How a level's samples make a colour.
#[derive(Clone, Debug, PartialEq)]
enum Colour {
    Gray,
    GrayA,
    Rgb,
    Rgba,
    /// Indices into a colour map (TIFF stores it as 16-bit red, green, blue lists).
    Palette(Vec<[u8; 3]>),
}

impl Colour {
    fn samples(&self) -> usize {
        match self {
            Colour::Gray | Colour::Palette(_) => 1,
            Colour::GrayA => 2,
            Colour::Rgb => 3,
            Colour::Rgba => 4,
        }
    }
}

/// The full image or one overview.
#[derive(Clone, Debug)]
struct Level {
    ifd: usize,
    width: u32,
    height: u32,
    /// A chunk's size: a tile, or the image's width × rows a strip.
    chunk: (u32, u32),
    colour: Colour,
}

impl Level {
    fn chunks_across(&self) -> u32 {
        self.width.div_ceil(self.chunk.0)
    }

    fn chunks_down(&self) -> u32 {
        self.height.div_ceil(self.chunk.1)
    }
}

/// How many bytes of decoded chunks are kept (a strip is decoded once for
/// every block beside it).
const KEEP_CHUNK_BYTES: usize = 96 << 20;

/// A GeoTIFF opened for reading in part.
pub struct GeoTiff {
    path: PathBuf,
    levels: Vec<Level>,
    georef: Option<Georef>,
    nodata: Option<f64>,
    reader: Mutex<Reader>,
    decoded: AtomicU64,
}

struct Reader {
    decoder: Decoder<Patched<BufReader<File>>>,
    ifd: usize,
    chunks: HashMap<(usize, u32), std::sync::Arc<RgbaImage>>,
    order: VecDeque<(usize, u32)>,
    bytes: usize,
}

impl GeoTiff {
    /// Opens a TIFF: its levels, colour kind and GeoTIFF tags. A file that is
    /// not a TIFF, or stores colours this app does not draw, is an error
    /// naming it.
    pub fn open(path: &Path) -> Result<GeoTiff, BasemapError> {
        let broken = |reason: String| BasemapError::Broken { path: path.to_path_buf(), what: "GeoTIFF", reason };
        let file = File::open(path).map_err(|e| broken(e.to_string()))?;
        let mut reader = BufReader::new(file);
        // A directory this walk cannot follow is the decoder's to report.
        let patches = palette_patches(&mut reader).unwrap_or_default();
        reader.seek(SeekFrom::Start(0)).map_err(|e| broken(e.to_string()))?;
        let patched = Patched { inner: reader, pos: 0, patches };
        let mut decoder = Decoder::new(patched).map_err(|e| broken(e.to_string()))?;
        let first = read_level(&mut decoder, 0, path)?;
        let georef = read_georef(&mut decoder).map_err(broken)?;
        let nodata = decoder
            .find_tag(Tag::GdalNodata)
            .ok()
            .flatten()
            .and_then(|v| v.into_string().ok())
            .and_then(|s| s.trim().trim_end_matches('\0').parse::<f64>().ok());
        let mut levels = vec![first];
        // Overviews follow the image; masks and unrelated pages are skipped.
        let mut ifd = 0;
        while decoder.more_images() && ifd < 64 {
            ifd += 1;
            if decoder.next_image().is_err() {
                break;
            }
            let subfile = decoder.find_tag_unsigned::<u32>(Tag::NewSubfileType).ok().flatten().unwrap_or(0);
            if subfile & 1 == 0 || subfile & 4 != 0 {
                continue;
            }
            if let Ok(level) = read_level(&mut decoder, ifd, path)
                && level.width < levels[0].width
                && level.height > 0
            {
                levels.push(level);
            }
        }
        levels.sort_by_key(|l| std::cmp::Reverse(l.width));
        decoder.seek_to_image(0).map_err(|e| broken(e.to_string()))?;
        Ok(GeoTiff {
            path: path.to_path_buf(),
            levels,
            georef,
            nodata,
            reader: Mutex::new(Reader { decoder, ifd: 0, chunks: HashMap::new(), order: VecDeque::new(), bytes: 0 }),
            decoded: AtomicU64::new(0),
        })
    }

    /// The georeference in the file's tags, if any.
    pub fn georef(&self) -> Option<Georef> {
        self.georef.clone()
    }

    /// How many overviews the file has.
    pub fn overviews(&self) -> usize {
        self.levels.len() - 1
    }

    fn broken(&self, reason: String) -> BasemapError {
        BasemapError::Broken { path: self.path.clone(), what: "GeoTIFF", reason }
    }

    /// Chunk `index` of level `l`, as RGBA.
    fn chunk(&self, reader: &mut Reader, l: usize, index: u32) -> Result<std::sync::Arc<RgbaImage>, BasemapError> {
        if let Some(c) = reader.chunks.get(&(l, index)) {
            return Ok(c.clone());
        }
        let level = &self.levels[l];
        if reader.ifd != level.ifd {
            reader.decoder.seek_to_image(level.ifd).map_err(|e| self.broken(e.to_string()))?;
            reader.ifd = level.ifd;
        }
        let (cx, cy) = (index % level.chunks_across(), index / level.chunks_across());
        let w = level.chunk.0.min(level.width - cx * level.chunk.0);
        let h = level.chunk.1.min(level.height - cy * level.chunk.1);
        let data = match reader.decoder.read_chunk(index).map_err(|e| self.broken(e.to_string()))? {
            DecodingResult::U8(v) => v,
            _ => return Err(self.broken("its samples are not 8-bit".into())),
        };
        let n = level.colour.samples();
        if data.len() != (w as usize) * (h as usize) * n {
            return Err(self.broken(format!("block {index} does not have the size its image says")));
        }
        self.decoded.fetch_add(u64::from(w) * u64::from(h), Ordering::Relaxed);
        let img = std::sync::Arc::new(to_rgba(&data, w, h, &level.colour, self.nodata));
        let bytes = img.as_raw().len();
        while reader.bytes + bytes > KEEP_CHUNK_BYTES
            && let Some(old) = reader.order.pop_front()
        {
            if let Some(c) = reader.chunks.remove(&old) {
                reader.bytes -= c.as_raw().len();
            }
        }
        reader.chunks.insert((l, index), img.clone());
        reader.order.push_back((l, index));
        reader.bytes += bytes;
        Ok(img)
    }
}

impl Pixels for GeoTiff {
    fn size(&self) -> (u32, u32) {
        (self.levels[0].width, self.levels[0].height)
    }

    fn read(&self, rect: [u32; 4], z: u8) -> Result<RgbaImage, BasemapError> {
        let mut blocks = self.read_many(&[rect], z)?;
        blocks.pop().ok_or_else(|| self.broken("nothing was read".into()))
    }

    fn whole_rows(&self) -> bool {
        self.levels.iter().any(|l| l.chunk.0 >= l.width)
    }

    /// Blocks side by side read in one pass over the chunks under them: a
    /// strip spans every block of its row, and is decoded once for all.
    fn read_many(&self, rects: &[[u32; 4]], z: u8) -> Result<Vec<RgbaImage>, BasemapError> {
        let mut accs: Vec<Accumulator> = rects.iter().map(|r| Accumulator::new(*r, z)).collect();
        let Some(&first) = rects.first() else { return Ok(Vec::new()) };
        let [x0, y0, x1, y1] =
            rects.iter().fold(first, |u, r| [u[0].min(r[0]), u[1].min(r[1]), u[2].max(r[2]), u[3].max(r[3])]);
        let full = self.levels[0].width as f64;
        let reduction = f64::from(1u32 << z.min(30));
        // The smallest level still at least as sharp as the piece.
        let l =
            (0..self.levels.len()).rev().find(|&l| full / self.levels[l].width as f64 <= reduction * 1.01).unwrap_or(0);
        let level = &self.levels[l];
        let fx = full / level.width as f64;
        let fy = self.levels[0].height as f64 / level.height as f64;
        // A full-resolution rectangle → the level's pixels under it.
        let to_level = |r: [u32; 4]| {
            [
                ((r[0] as f64 / fx).floor() as u32).min(level.width),
                ((r[1] as f64 / fy).floor() as u32).min(level.height),
                ((r[2] as f64 / fx).ceil() as u32).min(level.width),
                ((r[3] as f64 / fy).ceil() as u32).min(level.height),
            ]
        };
        let [lx0, ly0, lx1, ly1] = to_level([x0, y0, x1, y1]);
        let parts: Vec<[u32; 4]> = rects.iter().map(|r| to_level(*r)).collect();
        if lx0 >= lx1 || ly0 >= ly1 {
            return Ok(accs.into_iter().map(Accumulator::finish).collect());
        }
        let mut reader = self.reader.lock().map_err(|_| self.broken("a reader failed".into()))?;
        let (cw, ch) = level.chunk;
        for cy in ly0 / ch..=(ly1 - 1) / ch {
            for cx in lx0 / cw..=(lx1 - 1) / cw {
                let index = cy * level.chunks_across() + cx;
                if cy >= level.chunks_down() {
                    continue;
                }
                let chunk = self.chunk(&mut reader, l, index)?;
                let (ox, oy) = (cx * cw, cy * ch);
                // The part of the chunk inside each rectangle.
                for (acc, p) in accs.iter_mut().zip(&parts) {
                    let (sx0, sx1) = (p[0].max(ox), p[2].min(ox + chunk.width()));
                    let (sy0, sy1) = (p[1].max(oy), p[3].min(oy + chunk.height()));
                    if sx0 < sx1 && sy0 < sy1 {
                        acc.add(&chunk, [sx0 - ox, sy0 - oy, sx1 - ox, sy1 - oy], [ox, oy], [fx, fy]);
                    }
                }
            }
        }
        Ok(accs.into_iter().map(Accumulator::finish).collect())
    }

    fn decoded_pixels(&self) -> u64 {
        self.decoded.load(Ordering::Relaxed)
    }
}

/// A level's size, chunking and colours; what this app cannot draw is an error.
fn read_level<R: Read + Seek>(d: &mut Decoder<R>, ifd: usize, path: &Path) -> Result<Level, BasemapError> {
    let unsupported = |what: String| BasemapError::Broken {
        path: path.to_path_buf(),
        what: "GeoTIFF",
        reason: format!("{what}; 8-bit RGB, RGBA, grey (with alpha) and palette images are drawn"),
    };
    let broken =
        |e: tiff::TiffError| BasemapError::Broken { path: path.to_path_buf(), what: "GeoTIFF", reason: e.to_string() };
    let (width, height) = d.dimensions().map_err(broken)?;
    if width == 0 || height == 0 {
        return Err(unsupported("it has no pixels".into()));
    }
    let tag = |d: &mut Decoder<R>, t: Tag| d.find_tag_unsigned::<u32>(t).ok().flatten();
    if tag(d, Tag::PlanarConfiguration) == Some(2) {
        return Err(unsupported("its bands are stored apart (planar)".into()));
    }
    let chunk = match (tag(d, Tag::TileWidth), tag(d, Tag::TileLength)) {
        (Some(w), Some(h)) if w > 0 && h > 0 => (w, h),
        _ => (width, tag(d, Tag::RowsPerStrip).unwrap_or(height).clamp(1, height)),
    };
    let colour = match d.colortype() {
        Ok(tiff::ColorType::Gray(8)) if patched_palette(d) => {
            let map = d
                .find_tag(Tag::ColorMap)
                .ok()
                .flatten()
                .and_then(|v| v.into_u16_vec().ok())
                .filter(|m| m.len() >= 3 * 256)
                .ok_or_else(|| unsupported("its palette is missing".into()))?;
            let c = |v: u16| (v >> 8) as u8;
            Colour::Palette((0..256).map(|i| [c(map[i]), c(map[256 + i]), c(map[512 + i])]).collect())
        }
        Ok(tiff::ColorType::Gray(8)) => Colour::Gray,
        Ok(tiff::ColorType::Multiband { bit_depth: 8, num_samples: 2 }) => Colour::GrayA,
        Ok(tiff::ColorType::RGB(8)) => Colour::Rgb,
        Ok(tiff::ColorType::RGBA(8)) => Colour::Rgba,
        Ok(other) => return Err(unsupported(format!("its pixels are {other:?}"))),
        Err(e) => return Err(unsupported(e.to_string())),
    };
    Ok(Level { ifd, width, height, chunk, colour })
}

/// A palette image is read as grey (see [`Patched`]); its photometric tag
/// then says grey while a colour map is present.
fn patched_palette<R: Read + Seek>(d: &mut Decoder<R>) -> bool {
    d.find_tag(Tag::ColorMap).ok().flatten().is_some()
}

/// The GeoTIFF tags: a full transformation, a tie point and pixel scale, or
/// three or more tie points (ground control points); and the EPSG code from
/// the GeoKey directory.
fn read_georef<R: Read + Seek>(d: &mut Decoder<R>) -> Result<Option<Georef>, String> {
    let f64s = |d: &mut Decoder<R>, t: Tag| d.find_tag(t).ok().flatten().and_then(|v| v.into_f64_vec().ok());
    let transform = f64s(d, Tag::ModelTransformationTag);
    let scale = f64s(d, Tag::ModelPixelScaleTag);
    let tie = f64s(d, Tag::ModelTiepointTag);
    let keys = d.find_tag(Tag::GeoKeyDirectoryTag).ok().flatten().and_then(|v| v.into_u16_vec().ok());
    let key = |id: u16| -> Option<u16> {
        let k = keys.as_ref()?;
        let n = usize::from(*k.get(3)?);
        k.get(4..4 + 4 * n)?.chunks_exact(4).find(|e| e[0] == id && e[1] == 0).map(|e| e[3])
    };
    // GTRasterTypeGeoKey = PixelIsPoint: a tie point is a pixel's centre, not its corner.
    let point = key(1025) == Some(2);
    let code = |id| key(id).filter(|c| *c != 0 && *c != 32767).map(u32::from);
    // ProjectedCSTypeGeoKey, else GeographicTypeGeoKey.
    let epsg = code(3072).or_else(|| code(2048));
    let mut affine = match (transform, scale, tie) {
        (Some(t), _, _) if t.len() >= 16 => [t[0], t[1], t[3], t[4], t[5], t[7]],
        (_, Some(s), Some(t)) if s.len() >= 2 && t.len() >= 6 => {
            [s[0], 0.0, t[3] - t[0] * s[0], 0.0, -s[1], t[4] + t[1] * s[1]]
        }
        (_, None, Some(t)) if t.len() >= 18 => {
            let half = if point { 0.5 } else { 0.0 };
            let gcps: Vec<[f64; 4]> = t.chunks_exact(6).map(|g| [g[0] + half, g[1] + half, g[3], g[4]]).collect();
            if !gcps.iter().flatten().all(|v| v.is_finite()) {
                return Err("its ground control points are not numbers".into());
            }
            return Ok(Some(Georef { place: Place::Gcps(gcps), epsg }));
        }
        _ => return Ok(None),
    };
    if !affine.iter().all(|v| v.is_finite()) || (affine[0] * affine[4] - affine[1] * affine[3]).abs() < 1e-300 {
        return Err("its GeoTIFF placement is not a usable transformation".into());
    }
    if point {
        affine[2] -= 0.5 * (affine[0] + affine[1]);
        affine[5] -= 0.5 * (affine[3] + affine[4]);
    }
    Ok(Some(Georef { place: Place::Affine(affine), epsg }))
}

/// A chunk's samples as RGBA; a pixel equal to the no-data value in every
/// band is transparent.
fn to_rgba(data: &[u8], w: u32, h: u32, colour: &Colour, nodata: Option<f64>) -> RgbaImage {
    let nd = nodata.filter(|v| v.fract() == 0.0 && (0.0..=255.0).contains(v)).map(|v| v as u8);
    let n = colour.samples();
    let mut out = RgbaImage::new(w, h);
    for (dst, s) in out.pixels_mut().zip(data.chunks_exact(n)) {
        let empty = nd.is_some_and(|v| match colour {
            Colour::Gray | Colour::GrayA | Colour::Palette(_) => s[0] == v,
            Colour::Rgb | Colour::Rgba => s[..3].iter().all(|c| *c == v),
        });
        dst.0 = match colour {
            Colour::Gray => [s[0], s[0], s[0], 255],
            Colour::GrayA => [s[0], s[0], s[0], s[1]],
            Colour::Rgb => [s[0], s[1], s[2], 255],
            Colour::Rgba => [s[0], s[1], s[2], s[3]],
            Colour::Palette(map) => {
                let [r, g, b] = map[usize::from(s[0])];
                [r, g, b, 255]
            }
        };
        if empty {
            dst.0[3] = 0;
        }
    }
    out
}

/// A file reader that shows palette images' photometric tag as grey: the
/// `tiff` crate reads 8-bit grey but not palettes, so the indices are read as
/// grey values and looked up in the colour map here.
struct Patched<R> {
    inner: R,
    pos: u64,
    /// Byte positions and the bytes to show there.
    patches: Vec<(u64, [u8; 2])>,
}

impl<R: Read> Read for Patched<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let (start, end) = (self.pos, self.pos + n as u64);
        for (at, bytes) in &self.patches {
            for (i, b) in bytes.iter().enumerate() {
                let p = at + i as u64;
                if p >= start && p < end {
                    buf[(p - start) as usize] = *b;
                }
            }
        }
        self.pos = end;
        Ok(n)
    }
}

impl<R: Seek> Seek for Patched<R> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        self.pos = self.inner.seek(to)?;
        Ok(self.pos)
    }
}

/// Where each directory's PhotometricInterpretation says "palette" (3), to
/// be shown as "grey, black is zero" (1). Reads only the directories' entries.
fn palette_patches<R: Read + Seek>(r: &mut R) -> std::io::Result<Vec<(u64, [u8; 2])>> {
    let mut head = [0u8; 16];
    r.seek(SeekFrom::Start(0))?;
    let got = r.read(&mut head)?;
    let little = match &head[..2] {
        b"II" => true,
        b"MM" => false,
        _ => return Ok(Vec::new()),
    };
    if got < 8 {
        return Ok(Vec::new());
    }
    let u16_at = |b: &[u8]| if little { u16::from_le_bytes([b[0], b[1]]) } else { u16::from_be_bytes([b[0], b[1]]) };
    let u32_at = |b: &[u8]| {
        let a = [b[0], b[1], b[2], b[3]];
        if little { u32::from_le_bytes(a) } else { u32::from_be_bytes(a) }
    };
    let u64_at = |b: &[u8]| {
        let mut a = [0u8; 8];
        a.copy_from_slice(&b[..8]);
        if little { u64::from_le_bytes(a) } else { u64::from_be_bytes(a) }
    };
    let big = u16_at(&head[2..]) == 43;
    let mut next = if big { u64_at(&head[8..]) } else { u64::from(u32_at(&head[4..])) };
    let one = if little { [1, 0] } else { [0, 1] };
    let mut patches = Vec::new();
    let mut seen = Vec::new();
    while next != 0 && seen.len() < 64 && !seen.contains(&next) {
        seen.push(next);
        r.seek(SeekFrom::Start(next))?;
        let count = if big {
            let mut b = [0u8; 8];
            r.read_exact(&mut b)?;
            u64_at(&b)
        } else {
            let mut b = [0u8; 2];
            r.read_exact(&mut b)?;
            u64::from(u16_at(&b))
        };
        let size = if big { 20 } else { 12 };
        let start = next + if big { 8 } else { 2 };
        let mut entries = vec![0u8; (count.min(4096) * size) as usize];
        r.read_exact(&mut entries)?;
        for (i, e) in entries.chunks_exact(size as usize).enumerate() {
            // Tag 262, type SHORT, one value, stored in the entry itself.
            let value = if big { 12 } else { 8 };
            if u16_at(e) == 262 && u16_at(&e[2..]) == 3 && u16_at(&e[value..]) == 3 {
                patches.push((start + i as u64 * size + value as u64, one));
            }
        }
        let mut b = [0u8; 8];
        let n = if big { 8 } else { 4 };
        r.read_exact(&mut b[..n])?;
        next = if big { u64_at(&b) } else { u64::from(u32_at(&b)) };
    }
    r.seek(SeekFrom::Start(0))?;
    Ok(patches)
}
