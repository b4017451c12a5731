//! A [`Scene`]'s drawing straight into pixels, with tiny-skia (the rasteriser
//! resvg itself draws with), for PNG output: no SVG text is written and parsed
//! back for the map's geometry, so a city of a million buildings costs its
//! scene and one pixmap, not a 150 MB document and its tree.
//!
//! Each op is painted as [`super::svg::scene_group`] writes it — areas filled
//! even-odd from their rings and then outlined, lines stroked with round joins
//! and caps and their dashes, markers as filled and ringed circles — so the
//! raster looks as resvg's rendering of the SVG does. Sub-pixel features, which
//! the scene already made one dot per pixel and colour, are not paths: each
//! dot's square is blended into the pixels it covers by its exact area.
//! Labels are text, drawn over the geometry by [`super::glyphs`].

use tiny_skia::{FillRule, LineCap, LineJoin, Mask, Paint, Path, PathBuilder, PixmapMut, Rect, StrokeDash, Transform};

use super::scene::{DOT_PX, Op, Scene};
use super::style::{Rgba, Stroke};

/// Draws the scene's background and geometry (not its labels) onto `pixmap`:
/// the scene's top-left at `at` page units, `scale` pixels per page unit,
/// only where `clip` (a mask of the pixmap's size) lets it.
pub fn draw_scene(scene: &Scene, pixmap: &mut PixmapMut, at: [f32; 2], scale: f32, clip: Option<&Mask>) {
    let ts = Transform::from_row(scale, 0.0, 0.0, scale, at[0] * scale, at[1] * scale);
    if scene.background.0[3] > 0
        && let Some(r) = Rect::from_xywh(0.0, 0.0, scene.size[0], scene.size[1])
    {
        let mut paint = Paint::default();
        paint.set_color_rgba8(
            scene.background.0[0],
            scene.background.0[1],
            scene.background.0[2],
            scene.background.0[3],
        );
        pixmap.fill_rect(r, &paint, ts, clip);
    }
    draw_geometry(scene, pixmap, at, scale, clip);
}

/// The scene's ops alone, over what the pixmap holds (no background): what the
/// window shows as one image when a scene is too large to hand the GPU as meshes.
pub fn draw_geometry(scene: &Scene, pixmap: &mut PixmapMut, at: [f32; 2], scale: f32, clip: Option<&Mask>) {
    let ts = Transform::from_row(scale, 0.0, 0.0, scale, at[0] * scale, at[1] * scale);
    let mut pen = Pen { builder: Some(PathBuilder::new()), paint: Paint::default() };
    let mut items = scene.items.iter().peekable();
    let mut runs = Vec::new();
    while let Some(item) = items.next() {
        match &item.op {
            Op::Dot { at: c, color } => {
                // Its square, axis-aligned, in device pixels.
                let h = DOT_PX / 2.0;
                let dev = |x: f32, o: f32| (x + o) * scale;
                let r = [dev(c[0] - h, at[0]), dev(c[1] - h, at[1]), dev(c[0] + h, at[0]), dev(c[1] + h, at[1])];
                blend_rect(pixmap, r, *color, clip);
            }
            Op::Area { rings, fill, stroke, .. } => {
                let path = pen.rings(scene, [&scene.parts[rings.start as usize..rings.end as usize]], true);
                if let Some(p) = &path
                    && fill.0[3] > 0
                {
                    pen.set(*fill);
                    pixmap.fill_path(p, &pen.paint, FillRule::EvenOdd, ts, clip);
                }
                if let Some(s) = stroke {
                    pen.stroke(pixmap, path.as_ref(), s, ts, clip);
                }
                pen.recycle(path);
            }
            Op::Line { parts, stroke } => {
                // Opaque solid lines in a row stroked alike (a city's street casings, then its
                // streets) are one path, stroked once: the same pixels but where two overlap,
                // whose edge is then one stroke's, as on screen. A dashed or translucent line is
                // drawn alone (its dashes start at its own start; where it overlaps, it darkens).
                runs.clear();
                runs.push(parts.clone());
                while stroke.dash.is_none() && stroke.color.0[3] == 255 {
                    match items.peek().map(|it| &it.op) {
                        Some(Op::Line { parts, stroke: next }) if next == stroke => {
                            runs.push(parts.clone());
                            items.next();
                        }
                        _ => break,
                    }
                }
                let parts = runs.iter().map(|r: &std::ops::Range<u32>| &scene.parts[r.start as usize..r.end as usize]);
                let path = pen.rings(scene, parts, false);
                pen.stroke(pixmap, path.as_ref(), stroke, ts, clip);
                pen.recycle(path);
            }
            Op::Marker { at: c, radius, fill, stroke } => {
                let path = PathBuilder::from_circle(c[0], c[1], *radius);
                if let Some(p) = &path
                    && fill.0[3] > 0
                {
                    pen.set(*fill);
                    pixmap.fill_path(p, &pen.paint, FillRule::Winding, ts, clip);
                }
                pen.stroke(pixmap, path.as_ref(), stroke, ts, clip);
            }
        }
    }
}

/// The paint and a path builder whose storage is reused from op to op.
struct Pen {
    builder: Option<PathBuilder>,
    paint: Paint<'static>,
}

impl Pen {
    fn set(&mut self, c: Rgba) {
        let [r, g, b, a] = c.0;
        self.paint.set_color_rgba8(r, g, b, a);
        self.paint.anti_alias = true;
    }

    /// The parts of `scene.points` as one path (each closed when `closed`).
    fn rings<'a>(
        &mut self,
        scene: &Scene,
        parts: impl IntoIterator<Item = &'a [[u32; 2]]>,
        closed: bool,
    ) -> Option<Path> {
        let mut b = self.builder.take().unwrap_or_default();
        for part in parts.into_iter().flatten() {
            let pts = &scene.points[part[0] as usize..part[1] as usize];
            let Some((first, rest)) = pts.split_first() else { continue };
            b.move_to(first[0], first[1]);
            for p in rest {
                b.line_to(p[0], p[1]);
            }
            if closed {
                b.close();
            }
        }
        // An empty builder is dropped; the next op starts a fresh one.
        b.finish()
    }

    /// Gives a finished path's storage back for the next op.
    fn recycle(&mut self, path: Option<Path>) {
        if let Some(p) = path {
            self.builder = Some(p.clear());
        }
    }

    fn stroke(&mut self, pixmap: &mut PixmapMut, path: Option<&Path>, s: &Stroke, ts: Transform, clip: Option<&Mask>) {
        let Some(path) = path else { return };
        if s.color.0[3] == 0 || s.width <= 0.0 {
            return;
        }
        self.set(s.color);
        let stroke = tiny_skia::Stroke {
            width: s.width,
            line_cap: LineCap::Round,
            line_join: LineJoin::Round,
            dash: s.dash.and_then(|[on, off]| StrokeDash::new(vec![on, off], 0.0)),
            ..tiny_skia::Stroke::default()
        };
        pixmap.stroke_path(path, &self.paint, &stroke, ts, clip);
    }
}

/// A layer's dots drawn alone, `scale` pixels a scene pixel, on a clear
/// background, each square blended by the share of each pixel it covers: what
/// the screen shows and SVG/PDF embed for a crowded layer; `None` if the pixmap cannot be made.
pub fn dots_pixmap(scene: &Scene, layer: u8, scale: f32) -> Option<tiny_skia::Pixmap> {
    let (w, h) = ((scene.size[0] * scale).ceil().max(1.0) as u32, (scene.size[1] * scale).ceil().max(1.0) as u32);
    let mut pixmap = tiny_skia::Pixmap::new(w, h)?;
    let half = DOT_PX / 2.0;
    for it in scene.items.iter().filter(|it| it.layer == layer) {
        if let Op::Dot { at, color } = it.op {
            let r = [(at[0] - half) * scale, (at[1] - half) * scale, (at[0] + half) * scale, (at[1] + half) * scale];
            blend_rect(&mut pixmap.as_mut(), r, color, None);
        }
    }
    Some(pixmap)
}

/// [`dots_pixmap`] as a PNG (what SVG and PDF embed).
pub fn dots_png(scene: &Scene, layer: u8, scale: f32) -> Option<Vec<u8>> {
    // Embedded in a file that is kept: the smaller encoding.
    encode_png(&dots_pixmap(scene, layer, scale)?, image::codecs::png::CompressionType::Default).ok()
}

/// A pixmap as PNG bytes: RGB when every pixel is opaque (a map on its white
/// page), else RGBA with straight alpha; filtered adaptively and deflated as
/// `compression` says (`Fast`, for a map PNG: about a third of tiny-skia's
/// default encoding time on a 1920×1080 map, for a file some 15 % larger).
pub fn encode_png(
    pixmap: &tiny_skia::Pixmap,
    compression: image::codecs::png::CompressionType,
) -> Result<Vec<u8>, String> {
    use image::ImageEncoder;
    use image::codecs::png::{FilterType, PngEncoder};
    let pixels = pixmap.pixels();
    let opaque = pixels.iter().all(|p| p.alpha() == 255);
    let (data, color): (Vec<u8>, _) = if opaque {
        (pixels.iter().flat_map(|p| [p.red(), p.green(), p.blue()]).collect(), image::ExtendedColorType::Rgb8)
    } else {
        let straight = pixels.iter().flat_map(|p| {
            let c = p.demultiply();
            [c.red(), c.green(), c.blue(), c.alpha()]
        });
        (straight.collect(), image::ExtendedColorType::Rgba8)
    };
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, compression, FilterType::Adaptive)
        .write_image(&data, pixmap.width(), pixmap.height(), color)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// Blends `color` over the pixels of the device rectangle `[x0, y0, x1, y1]`,
/// each by the share of it the rectangle covers (and the clip lets through).
fn blend_rect(pixmap: &mut PixmapMut, r: [f32; 4], color: Rgba, clip: Option<&Mask>) {
    let (w, h) = (pixmap.width() as i64, pixmap.height() as i64);
    if color.0[3] == 0 || !(r[0] < r[2] && r[1] < r[3]) {
        return;
    }
    let (cx0, cy0) = ((r[0].floor() as i64).max(0), (r[1].floor() as i64).max(0));
    let (cx1, cy1) = ((r[2].ceil() as i64).min(w), (r[3].ceil() as i64).min(h));
    let a = f32::from(color.0[3]) / 255.0;
    // Premultiplied source, 0–255.
    let src = [0, 1, 2].map(|k| f32::from(color.0[k]) * a);
    let mask = clip.map(|m| m.data());
    let data = pixmap.data_mut();
    for y in cy0..cy1 {
        let cov_y = (r[3].min(y as f32 + 1.0) - r[1].max(y as f32)).clamp(0.0, 1.0);
        for x in cx0..cx1 {
            let cov_x = (r[2].min(x as f32 + 1.0) - r[0].max(x as f32)).clamp(0.0, 1.0);
            let at = (y * w + x) as usize;
            let m = mask.map_or(1.0, |m| f32::from(m[at]) / 255.0);
            let k = cov_x * cov_y * m;
            if k <= 0.0 {
                continue;
            }
            let px = &mut data[at * 4..at * 4 + 4];
            let keep = 1.0 - a * k;
            // Rounded to the nearest: the values are never negative, and `as` stops at 255
            // (`f32::round` is a call into libm, 4 a pixel of every dot).
            let mix = |s: f32, d: u8| (s * k + f32::from(d) * keep + 0.5) as u8;
            px[0] = mix(src[0], px[0]);
            px[1] = mix(src[1], px[1]);
            px[2] = mix(src[2], px[2]);
            px[3] = mix(255.0 * a, px[3]);
        }
    }
}

/// Composites `layer` over `pixmap` (both premultiplied, top-left on top-left):
/// what tiny-skia's `draw_pixmap` does at the identity, to within one level
/// of 255, but a clear pixel of the layer (most of a map's label layer) costs
/// a test, not a trip through the blending pipeline (10–13 ms a 1920×1080 page).
pub fn composite_over(pixmap: &mut PixmapMut, layer: &tiny_skia::Pixmap) {
    // Both from their top-left corners, where they overlap.
    let (dw, sw) = (pixmap.width() as usize * 4, layer.width() as usize * 4);
    let w = dw.min(sw);
    for (drow, srow) in pixmap.data_mut().chunks_exact_mut(dw).zip(layer.data().chunks_exact(sw)) {
        for (d, s) in drow[..w].chunks_exact_mut(4).zip(srow[..w].chunks_exact(4)) {
            match s[3] {
                0 => {}
                255 => d.copy_from_slice(s),
                a => {
                    // s + d·(255 − a)/255; premultiplied, so it never passes 255.
                    for (d, s) in d.iter_mut().zip(s) {
                        *d = s.saturating_add(super::glyphs::mul(*d, 255 - a));
                    }
                }
            }
        }
    }
}

/// A mask of `size` pixels letting through the page rectangle `[x, y, w, h]`
/// at `scale` pixels per unit, edges anti-aliased as resvg clips a group.
pub fn clip_mask(size: [u32; 2], rect: [f32; 4], scale: f32) -> Option<Mask> {
    let mut mask = Mask::new(size[0], size[1])?;
    let r = Rect::from_xywh(rect[0], rect[1], rect[2], rect[3])?;
    mask.fill_path(&PathBuilder::from_rect(r), FillRule::Winding, true, Transform::from_scale(scale, scale));
    Some(mask)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dot_is_blended_by_the_share_of_each_pixel_it_covers() {
        let mut pm = tiny_skia::Pixmap::new(4, 4).expect("pixmap");
        pm.fill(tiny_skia::Color::WHITE);
        // 1.5 px square from (1.0, 1.0): pixel (1,1) whole, (2,1) and (1,2) half, (2,2) a quarter.
        blend_rect(&mut pm.as_mut(), [1.0, 1.0, 2.5, 2.5], Rgba::rgb(0, 0, 0), None);
        let g = |pm: &tiny_skia::Pixmap, x: u32, y: u32| pm.pixel(x, y).expect("in").red();
        let g0 = |x, y| g(&pm, x, y);
        assert_eq!((g0(1, 1), g0(2, 1), g0(1, 2), g0(2, 2), g0(0, 0), g0(3, 3)), (0, 128, 128, 191, 255, 255));
        // A clip that lets nothing through leaves the pixels alone.
        let closed = Mask::new(4, 4).expect("mask");
        blend_rect(&mut pm.as_mut(), [0.0, 0.0, 4.0, 4.0], Rgba::rgb(0, 0, 0), Some(&closed));
        assert_eq!(g(&pm, 3, 3), 255);
        // Half-transparent red over white, premultiplied and opaque.
        blend_rect(&mut pm.as_mut(), [3.0, 3.0, 4.0, 4.0], Rgba::new(255, 0, 0, 128), None);
        let p = pm.pixel(3, 3).expect("in");
        assert_eq!((p.red(), p.green(), p.alpha()), (255, 127, 255));
    }

    /// Opaque solid lines in a row stroked alike are stroked as one path: where
    /// they do not meet, every pixel is what each drawn alone gives; where two
    /// cross, only the crossing's edge differs, and a little. Dashed or
    /// translucent lines are each drawn alone, exactly as before.
    #[test]
    fn lines_in_a_row_stroked_alike_are_one_path_with_the_same_pixels() {
        use crate::render::scene::Item;
        let lines = |segments: &[[[f32; 2]; 2]], stroke: Stroke, apart: bool| {
            let mut scene = Scene::default();
            (scene.size, scene.background) = ([60.0, 40.0], Rgba::rgb(255, 255, 255));
            for seg in segments {
                let start = scene.points.len() as u32;
                scene.points.extend_from_slice(seg);
                scene.parts.push([start, start + 2]);
                let n = scene.parts.len() as u32;
                let op = Op::Line { parts: n - 1..n, stroke };
                scene.items.push(Item { feature: crate::model::FeatureId(0), layer: 0, op });
                if apart {
                    // Anything between two lines keeps them apart: a dot off the pixmap.
                    let op = Op::Dot { at: [-10.0, -10.0], color: stroke.color };
                    scene.items.push(Item { feature: crate::model::FeatureId(0), layer: 0, op });
                }
            }
            let mut pm = tiny_skia::Pixmap::new(60, 40).expect("pixmap");
            draw_scene(&scene, &mut pm.as_mut(), [0.0, 0.0], 1.0, None);
            pm
        };
        let differing = |a: &tiny_skia::Pixmap, b: &tiny_skia::Pixmap| {
            a.pixels().iter().zip(b.pixels()).filter(|(p, q)| p != q).count()
        };
        let solid = Stroke { width: 4.0, color: Rgba::rgb(185, 160, 115), dash: None };
        let parallel = [[[5.0, 10.0], [55.0, 10.5]], [[5.0, 30.0], [55.0, 29.0]]];
        assert_eq!(differing(&lines(&parallel, solid, false), &lines(&parallel, solid, true)), 0);
        let crossing = [[[5.0, 5.0], [55.0, 35.0]], [[5.0, 35.0], [55.0, 5.0]]];
        let (one, apart) = (lines(&crossing, solid, false), lines(&crossing, solid, true));
        let n = differing(&one, &apart);
        assert!(n > 0 && n < 20, "{n} pixels differ around the crossing");
        for stroke in
            [Stroke { dash: Some([3.0, 2.0]), ..solid }, Stroke { color: Rgba::new(185, 160, 115, 128), ..solid }]
        {
            assert_eq!(differing(&lines(&crossing, stroke, false), &lines(&crossing, stroke, true)), 0, "{stroke:?}");
        }
    }

    /// The layer composited as tiny-skia's `draw_pixmap` does, to one level.
    #[test]
    fn a_layer_is_composited_over_the_page_as_tiny_skia_would() {
        let mut page = tiny_skia::Pixmap::new(64, 8).expect("pixmap");
        page.fill(tiny_skia::Color::from_rgba8(240, 230, 200, 255));
        let mut layer = tiny_skia::Pixmap::new(64, 8).expect("pixmap");
        for x in 0..64u8 {
            // Clear, opaque and every share between, in three colours.
            let a = x.saturating_mul(5);
            let r = [1.0, 0.5, 0.0][usize::from(x % 3)];
            let color = tiny_skia::Color::from_rgba8((255.0 * r) as u8, 40, 90, a);
            let rect = tiny_skia::Rect::from_xywh(f32::from(x), 0.0, 1.0, 8.0).expect("rect");
            let mut paint = Paint::default();
            paint.set_color(color);
            paint.blend_mode = tiny_skia::BlendMode::Source;
            layer.fill_rect(rect, &paint, Transform::identity(), None);
        }
        let mut theirs = page.clone();
        theirs.draw_pixmap(0, 0, layer.as_ref(), &tiny_skia::PixmapPaint::default(), Transform::identity(), None);
        composite_over(&mut page.as_mut(), &layer);
        let worst = page.data().iter().zip(theirs.data()).map(|(a, b)| a.abs_diff(*b)).max();
        assert!(worst <= Some(1), "a channel differs by {worst:?}");
        assert_ne!(page.pixel(63, 0), page.pixel(0, 0), "the layer was drawn");
    }

    #[test]
    fn an_opaque_page_is_encoded_as_rgb_and_a_clear_one_with_straight_alpha() {
        let mut pm = tiny_skia::Pixmap::new(3, 2).expect("pixmap");
        pm.fill(tiny_skia::Color::WHITE);
        blend_rect(&mut pm.as_mut(), [1.0, 0.0, 2.0, 1.0], Rgba::rgb(200, 10, 30), None);
        let png = encode_png(&pm, image::codecs::png::CompressionType::Fast).expect("encodes");
        let img = image::load_from_memory(&png).expect("a PNG");
        assert_eq!(img.color(), image::ColorType::Rgb8);
        let rgb = img.to_rgb8();
        assert_eq!((rgb.get_pixel(1, 0).0, rgb.get_pixel(0, 1).0), ([200, 10, 30], [255, 255, 255]));

        // Half-transparent red on a clear pixmap: straight alpha, not premultiplied.
        let mut clear = tiny_skia::Pixmap::new(2, 1).expect("pixmap");
        blend_rect(&mut clear.as_mut(), [0.0, 0.0, 1.0, 1.0], Rgba::new(255, 0, 0, 128), None);
        let png = encode_png(&clear, image::codecs::png::CompressionType::Default).expect("encodes");
        let img = image::load_from_memory(&png).expect("a PNG");
        assert_eq!(img.color(), image::ColorType::Rgba8);
        let rgba = img.to_rgba8();
        assert_eq!((rgba.get_pixel(0, 0).0, rgba.get_pixel(1, 0).0[3]), ([255, 0, 0, 128], 0));
    }
}
