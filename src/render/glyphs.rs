//! A scene's labels drawn straight into pixels, as resvg draws the
//! `<text>` the SVG export writes for them ([`super::svg`]): shaped by
//! rustybuzz with the bundled font, each glyph's outline filled over its halo
//! (the outline stroked 3 page units wide with round joins, `paint-order:
//! stroke`), the whole label's halo blended once and its text over it.
//!
//! What makes it fast is that a city's labels repeat their glyphs ("路", "段",
//! digits): each glyph is filled and its halo stroked once per size, on a grid
//! of 8×8 samples a pixel, and its two coverage masks (fill and halo) at each
//! eighth-pixel offset are counted from those samples, then only blended;
//! resvg parses the text, lays it out, flattens every glyph to a path and
//! strokes each halo again, label after label. At 100,000 buildings that was
//! most of a PNG's drawing time, and filling each glyph anew at each of its
//! offsets still was 60–85 ms of a 1920×1080 map's 350 labels.

use std::collections::HashMap;
use std::sync::OnceLock;

use tiny_skia::{FillRule, LineJoin, Mask, Paint, PathBuilder, PixmapMut, Transform};

use super::scene::{Align, Label, Scene};
use super::style::Rgba;

/// The halo's width in page units (the SVG's `stroke-width="3"`).
pub const HALO_WIDTH: f32 = 3.0;

/// A glyph's origin is rounded to this many steps a pixel, each way: at
/// most 1/16 pixel off, which the comparison with resvg does not tell (4
/// steps drift visibly from resvg's text). It is also the glyph's grid of
/// samples ([`Fine`]), so each of its at most 64 offsets is a whole number of samples.
const STEPS: f32 = 8.0;

/// The bundled font ([`super::fonts::shaper`]) and its metrics.
struct Font {
    face: &'static rustybuzz::Face<'static>,
    upem: f32,
    /// How far below a `dominant-baseline="central"` position the baseline
    /// lies, per unit of font size: half of ascender + descender, as usvg has it.
    central: f32,
}

fn font() -> Option<&'static Font> {
    static FONT: OnceLock<Option<Font>> = OnceLock::new();
    FONT.get_or_init(|| {
        let face = super::fonts::shaper()?;
        let upem = face.units_per_em() as f32;
        let central = (f32::from(face.ascender()) + f32::from(face.descender())) / 2.0 / upem;
        Some(Font { face, upem, central })
    })
    .as_ref()
}

/// One glyph at one size and sub-pixel offset: its fill's and its halo's
/// coverage, `w`×`h` bytes each, whose top-left pixel is `at` from the
/// pixel the glyph's origin falls in.
struct GlyphMask {
    at: [i32; 2],
    w: usize,
    h: usize,
    fill: Vec<u8>,
    halo: Vec<u8>,
}

/// Glyph id, font size and halo width in device pixels (as bits), sub-pixel steps.
type Key = (u16, u32, u32, u8, u8);

/// Glyph id, font size and halo width in device pixels (as bits).
type Outline = (u16, u32, u32);

/// Draws labels, keeping every glyph it has rasterised for the next label.
#[derive(Default)]
pub struct LabelPainter {
    glyphs: HashMap<Key, Option<GlyphMask>>,
    /// Each glyph's fine samples, from which its masks at every offset are counted.
    fine: HashMap<Outline, Option<Fine>>,
    /// One label's coverage (its box), reused from label to label.
    fill: Vec<u8>,
    halo: Vec<u8>,
    placed: Vec<(Key, [i32; 2])>,
}

/// Draws the scene's labels (leaders, halos and text) over what `pixmap`
/// holds: the scene's top-left at `at` page units, `scale` pixels per page
/// unit, only where `clip` (a mask of the pixmap's size) lets it.
pub fn draw_labels(scene: &Scene, pixmap: &mut PixmapMut, at: [f32; 2], scale: f32, clip: Option<&Mask>) {
    let mut painter = LabelPainter::default();
    for label in &scene.labels {
        painter.draw(label, pixmap, at, scale, clip);
    }
}

impl LabelPainter {
    /// Draws one label (its leader first, then each line's halo and text).
    pub fn draw(&mut self, label: &Label, pixmap: &mut PixmapMut, at: [f32; 2], scale: f32, clip: Option<&Mask>) {
        if let Some([a, b]) = label.leader {
            leader(pixmap, [a, b], label.color, at, scale, clip);
        }
        let Some(font) = font() else { return };
        for (line, pos) in label.lines() {
            // The line's glyphs placed, then their union blended where the pixmap and the clip let it.
            if let Some(bounds) = self.place(font, line, pos, label, at, scale) {
                self.composite(bounds, label, pixmap, clip);
            }
        }
    }

    /// Shapes one line of `label` at `pos` (page units; the scene's top-left
    /// at `at`, `scale` pixels a unit), rasterising the glyphs not seen
    /// before, and lists where each goes in `placed`; the line's box in
    /// pixels, `None` for a line with nothing to draw.
    fn place(
        &mut self,
        font: &Font,
        text: &str,
        pos: [f32; 2],
        label: &Label,
        at: [f32; 2],
        scale: f32,
    ) -> Option<[i32; 4]> {
        // What the SVG draws: characters the font lacks as ones it has that read the same.
        let text = super::fonts::font_safe(text);
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        // The sizes the SVG states (font size to a tenth).
        let size = (label.size * 10.0).round() / 10.0;
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.set_direction(rustybuzz::Direction::LeftToRight);
        let shaped = rustybuzz::shape(font.face, &[], buffer);
        let s = size / font.upem;
        let width: f32 = shaped.glyph_positions().iter().map(|p| p.x_advance as f32 * s).sum();
        let x0 = match label.align {
            Align::Center => pos[0] - width / 2.0,
            Align::Left => pos[0],
        };
        let baseline = pos[1] + font.central * size;
        let (size_px, halo_px) = (size * scale, HALO_WIDTH * scale);
        // Where each glyph goes, and the label's box in pixels.
        self.placed.clear();
        let mut pen = x0;
        let mut bounds = [i32::MAX, i32::MAX, i32::MIN, i32::MIN];
        for (info, p) in shaped.glyph_infos().iter().zip(shaped.glyph_positions()) {
            let gx = (pen + p.x_offset as f32 * s + at[0]) * scale;
            let gy = (baseline - p.y_offset as f32 * s + at[1]) * scale;
            pen += p.x_advance as f32 * s;
            // The origin to the nearest step: a whole pixel and the steps past it.
            let (qx, qy) = ((gx * STEPS).round() / STEPS, (gy * STEPS).round() / STEPS);
            let (ix, iy) = (qx.floor(), qy.floor());
            let (sx, sy) = (((qx - ix) * STEPS) as u8, ((qy - iy) * STEPS) as u8);
            let Ok(gid) = u16::try_from(info.glyph_id) else { continue };
            let key = (gid, size_px.to_bits(), halo_px.to_bits(), sx, sy);
            let fine = &mut self.fine;
            let mask = self.glyphs.entry(key).or_insert_with(|| {
                let fine = fine.entry((gid, key.1, key.2)).or_insert_with(|| Fine::of(font, gid, size_px, halo_px));
                fine.as_ref().map(|f| f.mask(sx, sy))
            });
            let Some(m) = mask else { continue };
            let origin = [ix as i32 + m.at[0], iy as i32 + m.at[1]];
            bounds = [
                bounds[0].min(origin[0]),
                bounds[1].min(origin[1]),
                bounds[2].max(origin[0] + m.w as i32),
                bounds[3].max(origin[1] + m.h as i32),
            ];
            self.placed.push((key, origin));
        }
        (!self.placed.is_empty()).then_some(bounds)
    }

    /// Blends the glyphs [`LabelPainter::place`] placed, within `bounds`, onto
    /// the pixmap: their halos united first, then their fills, in the label's colours.
    fn composite(&mut self, bounds: [i32; 4], label: &Label, pixmap: &mut PixmapMut, clip: Option<&Mask>) {
        // Only what lies on the pixmap.
        let (pw, ph) = (pixmap.width() as i32, pixmap.height() as i32);
        let [bx0, by0] = [bounds[0].max(0), bounds[1].max(0)];
        let [bx1, by1] = [bounds[2].min(pw), bounds[3].min(ph)];
        if bx0 >= bx1 || by0 >= by1 {
            return;
        }
        let (bw, bh) = ((bx1 - bx0) as usize, (by1 - by0) as usize);
        // The union of the glyphs' coverage, so overlapping halos are blended once, as one stroked path is.
        self.fill.clear();
        self.fill.resize(bw * bh, 0);
        self.halo.clear();
        self.halo.resize(bw * bh, 0);
        for (key, origin) in &self.placed {
            let Some(Some(m)) = self.glyphs.get(key) else { continue };
            for row in 0..m.h {
                let y = origin[1] + row as i32;
                if y < by0 || y >= by1 {
                    continue;
                }
                let dst = (y - by0) as usize * bw;
                for col in 0..m.w {
                    let x = origin[0] + col as i32;
                    if x < bx0 || x >= bx1 {
                        continue;
                    }
                    let (i, j) = (dst + (x - bx0) as usize, row * m.w + col);
                    self.fill[i] = self.fill[i].max(m.fill[j]);
                    self.halo[i] = self.halo[i].max(m.halo[j]);
                }
            }
        }
        let stride = pw as usize;
        let clip = clip.map(|c| (c.data(), c.width() as usize));
        let data = pixmap.data_mut();
        for row in 0..bh {
            let y = by0 as usize + row;
            for col in 0..bw {
                let x = bx0 as usize + col;
                let (f, h) = (self.fill[row * bw + col], self.halo[row * bw + col]);
                if f == 0 && h == 0 {
                    continue;
                }
                let k = clip.map_or(255, |(c, cw)| c[y * cw + x]);
                if k == 0 {
                    continue;
                }
                let px = &mut data[(y * stride + x) * 4..][..4];
                blend(px, label.halo, mul(h, k));
                blend(px, label.color, mul(f, k));
            }
        }
    }
}

/// `a`·`b` / 255, rounded.
pub(super) fn mul(a: u8, b: u8) -> u8 {
    let t = u32::from(a) * u32::from(b) + 128;
    ((t + (t >> 8)) >> 8) as u8
}

/// Source-over of `color` at `coverage` onto one premultiplied RGBA pixel.
fn blend(px: &mut [u8], color: Rgba, coverage: u8) {
    if coverage == 0 {
        return;
    }
    let a = mul(color.0[3], coverage);
    let keep = 255 - a;
    for (d, c) in px.iter_mut().zip(color.0).take(3) {
        *d = mul(c, a).saturating_add(mul(*d, keep));
    }
    px[3] = a.saturating_add(mul(px[3], keep));
}

/// One glyph at one size sampled [`STEPS`] times a pixel each way, a bit a
/// sample (its centre inside or not): its fill and its halo, `h` rows of
/// `words` words, whose first sample is `at` samples from the glyph's origin.
///
/// A glyph is drawn at up to 64 sub-pixel offsets; filling and stroking its
/// outline anew at each (tiny-skia's anti-aliasing) was nearly all the time
/// a city map's labels took. The offsets are whole samples of this grid, so
/// each offset's coverage is a count of the samples in each pixel: a box
/// filter of 64 samples a pixel.
struct Fine {
    at: [i32; 2],
    w: usize,
    h: usize,
    words: usize,
    fill: Vec<u64>,
    halo: Vec<u64>,
}

/// Steps a pixel as a whole number (the grid's samples a pixel each way).
const N: i32 = STEPS as i32;

impl Fine {
    /// `None` for a glyph with no outline (a space).
    fn of(font: &Font, gid: u16, size_px: f32, halo_px: f32) -> Option<Fine> {
        let mut outline = OutlinePath(PathBuilder::new());
        font.face.outline_glyph(ttf_parser::GlyphId(gid), &mut outline)?;
        let s = size_px * STEPS / font.upem;
        let path = outline.0.finish()?.transform(Transform::from_row(s, 0.0, 0.0, -s, 0.0, 0.0))?;
        let stroke =
            tiny_skia::Stroke { width: halo_px * STEPS, line_join: LineJoin::Round, ..tiny_skia::Stroke::default() };
        let halo = path.stroke(&stroke, 1.0);
        let b = halo.as_ref().map_or(path.bounds(), |h| h.bounds());
        let (x0, y0) = (b.left().floor() as i32 - 1, b.top().floor() as i32 - 1);
        let (w, h) = ((b.right().ceil() as i32 + 1 - x0) as u32, (b.bottom().ceil() as i32 + 1 - y0) as u32);
        let to_mask = Transform::from_translate(-x0 as f32, -y0 as f32);
        let mut mask = Mask::new(w, h)?;
        let words = (w as usize).div_ceil(64);
        let bits = |mask: &Mask| {
            let mut out = vec![0u64; words * h as usize];
            for (row, samples) in mask.data().chunks_exact(w as usize).enumerate() {
                for (k, _) in samples.iter().enumerate().filter(|(_, v)| **v != 0) {
                    out[row * words + k / 64] |= 1 << (k % 64);
                }
            }
            out
        };
        mask.fill_path(&path, FillRule::Winding, false, to_mask);
        let fill = bits(&mask);
        mask.clear();
        if let Some(halo) = &halo {
            mask.fill_path(halo, FillRule::Winding, false, to_mask);
        }
        let halo = bits(&mask);
        Some(Fine { at: [x0, y0], w: w as usize, h: h as usize, words, fill, halo })
    }

    /// The glyph's coverage with its origin `sx`, `sy` steps into a pixel.
    fn mask(&self, sx: u8, sy: u8) -> GlyphMask {
        let (sx, sy) = (i32::from(sx), i32::from(sy));
        // The pixels, from the origin's, that hold the first and the last samples.
        let (px0, py0) = ((self.at[0] + sx).div_euclid(N), (self.at[1] + sy).div_euclid(N));
        let px1 = (self.at[0] + self.w as i32 - 1 + sx).div_euclid(N);
        let py1 = (self.at[1] + self.h as i32 - 1 + sy).div_euclid(N);
        let (w, h) = ((px1 - px0 + 1) as usize, (py1 - py0 + 1) as usize);
        // Pixel column c holds the samples from `first(c)` (in the grid, clamped to it).
        let first = |c: usize| ((px0 + c as i32) * N - sx - self.at[0]).max(0) as usize;
        let mut fill = vec![0u8; w * h];
        let mut halo = vec![0u8; w * h];
        // Each pixel column's samples, the same for every row.
        let cols: Vec<(usize, usize)> = (0..w).map(|c| (first(c), first(c + 1).min(self.w))).collect();
        let mut sums = vec![[0u32; 2]; w];
        for r in 0..h {
            sums.iter_mut().for_each(|s| *s = [0, 0]);
            let top = (py0 + r as i32) * N - sy - self.at[1];
            for row in top.max(0)..(top + N).min(self.h as i32) {
                let at = row as usize * self.words;
                let (f, g) = (&self.fill[at..at + self.words], &self.halo[at..at + self.words]);
                for (sum, &(lo, hi)) in sums.iter_mut().zip(&cols) {
                    *sum = [sum[0] + ones(f, lo, hi), sum[1] + ones(g, lo, hi)];
                }
            }
            for (c, sum) in sums.iter().enumerate() {
                // 64 samples a pixel: 255 at all of them, rounded.
                let cov = |n: u32| ((n * 255 + 32) / (N * N) as u32).min(255) as u8;
                (fill[r * w + c], halo[r * w + c]) = (cov(sum[0]), cov(sum[1]));
            }
        }
        GlyphMask { at: [px0, py0], w, h, fill, halo }
    }
}

/// The set bits `lo..hi` of a row of words (`hi - lo` at most 64).
fn ones(row: &[u64], lo: usize, hi: usize) -> u32 {
    if lo >= hi {
        return 0;
    }
    let (word, bit, n) = (lo / 64, lo % 64, hi - lo);
    let mut v = row[word] >> bit;
    if bit + n > 64 {
        v |= row[word + 1] << (64 - bit);
    }
    let keep = if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
    (v & keep).count_ones()
}

/// A glyph's outline into a tiny-skia path.
struct OutlinePath(PathBuilder);

impl ttf_parser::OutlineBuilder for OutlinePath {
    fn move_to(&mut self, x: f32, y: f32) {
        self.0.move_to(x, y);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.0.line_to(x, y);
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        self.0.quad_to(x1, y1, x, y);
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        self.0.cubic_to(x1, y1, x2, y2, x, y);
    }
    fn close(&mut self) {
        self.0.close();
    }
}

/// A leader from a crowded feature to its label: a line 0.8 wide and a dot
/// of radius 1.3 at the feature, in the label's colour.
fn leader(pixmap: &mut PixmapMut, [a, b]: [[f32; 2]; 2], color: Rgba, at: [f32; 2], scale: f32, clip: Option<&Mask>) {
    let ts = Transform::from_row(scale, 0.0, 0.0, scale, at[0] * scale, at[1] * scale);
    let mut paint = Paint::default();
    paint.set_color_rgba8(color.0[0], color.0[1], color.0[2], color.0[3]);
    let mut line = PathBuilder::new();
    line.move_to(a[0], a[1]);
    line.line_to(b[0], b[1]);
    if let Some(p) = line.finish() {
        let stroke = tiny_skia::Stroke { width: 0.8, ..tiny_skia::Stroke::default() };
        pixmap.stroke_path(&p, &paint, &stroke, ts, clip);
    }
    if let Some(dot) = PathBuilder::from_circle(a[0], a[1], 1.3) {
        pixmap.fill_path(&dot, &paint, FillRule::Winding, ts, clip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FeatureId;
    use crate::render::style::{LABEL_HALO, LABEL_TEXT};

    const W: u32 = 160;
    const H: u32 = 60;

    fn label(text: &str, pos: [f32; 2], size: f32, align: Align) -> Label {
        Label {
            feature: FeatureId(0),
            text: text.into(),
            pos,
            size,
            align,
            color: LABEL_TEXT,
            halo: LABEL_HALO,
            rect: [0.0; 4],
            leader: None,
        }
    }

    /// The label drawn by the painter and by resvg from the SVG the export writes, on a brick ground.
    fn both(l: &Label, at: [f32; 2], scale: f32) -> (tiny_skia::Pixmap, tiny_skia::Pixmap) {
        let mut ours = tiny_skia::Pixmap::new(W, H).expect("pixmap");
        ours.fill(tiny_skia::Color::from_rgba8(200, 100, 80, 255));
        let mut theirs = ours.clone();
        LabelPainter::default().draw(l, &mut ours.as_mut(), at, scale, None);
        let mut scene = Scene::default();
        scene.size = [W as f32, H as f32];
        scene.labels.push(l.clone());
        let svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}"><defs><clipPath id="c"><rect width="{W}" height="{H}"/></clipPath></defs>{}</svg>"#,
            crate::render::svg::scene_group(&scene, at[0], at[1], "c")
        );
        let mut db = usvg::fontdb::Database::new();
        db.load_font_source(usvg::fontdb::Source::Binary(std::sync::Arc::new(super::super::fonts::CJK_FONT)));
        let opts = usvg::Options { fontdb: std::sync::Arc::new(db), ..usvg::Options::default() };
        let tree = usvg::Tree::from_str(&super::super::fonts::font_safe(&svg), &opts).expect("the SVG parses");
        resvg::render(&tree, Transform::from_scale(scale, scale), &mut theirs.as_mut());
        (ours, theirs)
    }

    /// Mean difference per channel, and each image's ink (darkness of green) with its centroid.
    fn compare(a: &tiny_skia::Pixmap, b: &tiny_skia::Pixmap) -> (f64, [f64; 3], [f64; 3]) {
        let ink = |p: &tiny_skia::Pixmap| {
            let (mut sx, mut sy, mut s) = (0.0, 0.0, 0.0);
            for (i, px) in p.pixels().iter().enumerate() {
                let v = 255.0 - f64::from(px.green());
                sx += v * (i % W as usize) as f64;
                sy += v * (i / W as usize) as f64;
                s += v;
            }
            [s, sx / s, sy / s]
        };
        let d: u64 = a.data().iter().zip(b.data()).map(|(x, y)| u64::from(x.abs_diff(*y))).sum();
        (d as f64 / f64::from(W * H * 4), ink(a), ink(b))
    }

    #[test]
    fn a_label_is_drawn_where_and_as_resvg_draws_its_text() {
        for (text, align, at, scale) in [
            ("113楼", Align::Center, [3.37, 1.81], 1.0),
            ("一区中路", Align::Left, [0.0, 0.0], 1.0),
            ("美好会客厅\n养老驿站", Align::Center, [10.5, -4.25], 1.0),
            ("212楼", Align::Left, [1.0, 2.0], 2.0),
            // An em dash the font lacks is drawn as the bar it has, as the SVG is.
            ("一区—二区", Align::Center, [0.0, 0.0], 1.0),
        ] {
            let pos = if scale > 1.0 { [15.3, 12.6] } else { [60.42, 27.68] };
            let l = label(text, pos, 11.5, align);
            let (ours, theirs) = both(&l, at, scale);
            let (mean, a, b) = compare(&ours, &theirs);
            // The ground's darkness is the same in both; what differs is the text's. Our
            // glyphs are a box filter of 8×8 samples a pixel, resvg's tiny-skia's own
            // anti-aliasing: 0.17–0.79 of 255 apart on average (it was 0.08–0.45 when
            // each glyph was filled by tiny-skia too), the ink and its centre as close.
            assert!(mean < 1.0, "{text}: mean difference {mean:.3} per channel");
            assert!((a[0] - b[0]).abs() < 0.01 * b[0], "{text}: ink {:.0} against resvg's {:.0}", a[0], b[0]);
            for k in [1, 2] {
                assert!((a[k] - b[k]).abs() < 0.05, "{text}: centroid {a:?} against resvg's {b:?}");
            }
        }
    }

    /// A glyph counted at any of the 64 offsets has the same ink (the same
    /// samples, only binned into other pixels), and its pixels are the
    /// samples each holds: the offset (3, 5) put back on the grid.
    #[test]
    fn a_glyph_at_every_offset_holds_the_same_samples() {
        let font = font().expect("the bundled font");
        let gid = font.face.glyph_index('路').expect("the font has 路").0;
        let fine = Fine::of(font, gid, 15.0, 3.0).expect("an outline");
        let set = |bits: &[u64]| bits.iter().map(|w| w.count_ones()).sum::<u32>();
        let (fill_n, halo_n) = (set(&fine.fill), set(&fine.halo));
        assert!(fill_n > 1000 && halo_n > fill_n, "{fill_n} fill samples, {halo_n} halo samples");
        for sx in 0..8 {
            for sy in 0..8 {
                let m = fine.mask(sx, sy);
                for (got, n) in [(&m.fill, fill_n), (&m.halo, halo_n)] {
                    // Each pixel's share of 255 is rounded: at most half a sample off a pixel.
                    let ink: f64 = got.iter().map(|&c| f64::from(c) * 64.0 / 255.0).sum();
                    let within = 0.5 * got.iter().filter(|&&c| c > 0 && c < 255).count() as f64 + 1.0;
                    assert!((ink - f64::from(n)).abs() <= within, "({sx}, {sy}): {ink:.0} samples of {n}");
                }
            }
        }
        let m = fine.mask(3, 5);
        for (py, row) in m.fill.chunks(m.w).enumerate() {
            for (px, &c) in row.iter().enumerate() {
                // The samples of this pixel: grid positions from the origin, less the offset.
                let gx = (m.at[0] + px as i32) * N - 3 - fine.at[0];
                let gy = (m.at[1] + py as i32) * N - 5 - fine.at[1];
                let mut n = 0;
                for y in gy.max(0)..(gy + N).min(fine.h as i32) {
                    for x in gx.max(0)..(gx + N).min(fine.w as i32) {
                        let (y, x) = (y as usize, x as usize);
                        n += (fine.fill[y * fine.words + x / 64] >> (x % 64)) as u32 & 1;
                    }
                }
                assert_eq!(c, ((n * 255 + 32) / 64) as u8, "pixel ({px}, {py})");
            }
        }
    }

    #[test]
    fn a_label_off_the_pixmap_or_clipped_away_draws_nothing() {
        let blank = || {
            let mut p = tiny_skia::Pixmap::new(W, H).expect("pixmap");
            p.fill(tiny_skia::Color::from_rgba8(200, 100, 80, 255));
            p
        };
        let mut p = blank();
        LabelPainter::default().draw(
            &label("113楼", [-80.0, 20.0], 11.5, Align::Center),
            &mut p.as_mut(),
            [0.0; 2],
            1.0,
            None,
        );
        assert_eq!(p.data(), blank().data(), "a label left of the pixmap");
        let clip = tiny_skia::Mask::new(W, H).expect("an empty clip");
        let mut p = blank();
        LabelPainter::default().draw(
            &label("113楼", [60.0, 20.0], 11.5, Align::Center),
            &mut p.as_mut(),
            [0.0; 2],
            1.0,
            Some(&clip),
        );
        assert_eq!(p.data(), blank().data(), "a label outside its clip");
        // Half-way across the right edge: drawn up to the edge, no panic.
        let mut p = blank();
        LabelPainter::default().draw(
            &label("113楼", [W as f32 - 5.0, 20.0], 11.5, Align::Center),
            &mut p.as_mut(),
            [0.0; 2],
            1.0,
            None,
        );
        assert_ne!(p.data(), blank().data());
    }

    #[test]
    fn a_leader_is_drawn_in_the_labels_colour() {
        let mut l = label("113楼", [100.0, 30.0], 11.5, Align::Center);
        l.leader = Some([[20.0, 50.0], [80.0, 30.0]]);
        let (ours, theirs) = both(&l, [0.0; 2], 1.0);
        let (mean, a, b) = compare(&ours, &theirs);
        assert!(mean < 0.6, "mean difference {mean:.3}");
        assert!((a[0] - b[0]).abs() < 0.01 * b[0], "ink {a:?} against resvg's {b:?}");
        // The dot at the feature is the label's colour.
        let px = ours.pixel(20, 50).expect("in the pixmap");
        assert!(px.green() < 80, "the leader's dot at the feature: {px:?}");
    }
}
