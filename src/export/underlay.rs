//! The basemaps an export draws under a map box: opened once per export
//! ([`Underlay::open`]), then composed by `basemap::compose` for each map
//! box's Web Mercator rectangle at the output's resolution and laid into the
//! page's SVG as one PNG `<image>` (resvg rasterises it, krilla embeds it in a
//! PDF), with the sources' credits in the box's corner.
//!
//! A basemap that cannot be opened, or whose pieces cannot be read, fails the
//! export with one [`ExportError::Basemap`] naming its file or server; tiles a
//! source has already cached are drawn without a word.

use std::fmt::Write;
use std::sync::Arc;

use crate::basemap::{self, Layer, Settings};
use crate::error::ExportError;
use crate::model::Plan;
use crate::model::basemaps::{Basemap, MercView};
use crate::render::style::Rgba;
use crate::render::svg::{FONT_FAMILY, esc};
use crate::render::{Camera, Scene};

/// Raster pixels per point for a basemap in an SVG or PDF: twice the box's
/// size, sharp on paper and on a zoomed screen.
pub const VECTOR_PX_PER_UNIT: f32 = 2.0;

/// The longest side of a basemap image in an SVG or PDF (an A0 sheet's map box at 2× would be ~6,000 px).
pub const VECTOR_MAX_SIDE: u32 = 4_096;

/// How much of the district's ground fill is kept over a basemap (the one rule, in `render::style`).
pub use crate::render::style::DISTRICT_VEIL;

/// The longest side of a basemap image under a PNG map: the PNG's own pixels, up to its limit.
pub const RASTER_MAX_SIDE: u32 = 16_384;

/// The basemaps an export draws, opened, and the resolution it draws them at.
pub struct Underlay {
    layers: Vec<(Arc<dyn Layer>, f32)>,
    credits: Vec<String>,
    px_per_unit: f32,
    max_side: u32,
}

impl Default for Underlay {
    /// No basemap: maps are drawn on the paper colour, as before basemaps.
    fn default() -> Self {
        Underlay { layers: Vec::new(), credits: Vec::new(), px_per_unit: VECTOR_PX_PER_UNIT, max_side: VECTOR_MAX_SIDE }
    }
}

impl Underlay {
    /// Opens the shown basemaps (visible, not fully transparent), bottom to
    /// top, for a vector page (SVG, PDF); the first that cannot be opened is the error.
    pub fn open(basemaps: &[Basemap], settings: &Settings) -> Result<Underlay, ExportError> {
        let mut u = Underlay::default();
        for b in basemaps.iter().filter(|b| b.visible && b.opacity > 0.0) {
            let layer = basemap::open(b, settings)?;
            if let Some(c) = layer.attribution().filter(|c| !c.trim().is_empty() && !u.credits.contains(c)) {
                u.credits.push(c);
            }
            u.layers.push((layer, b.opacity.min(1.0)));
        }
        Ok(u)
    }

    /// Draws for a raster of `scale` pixels per page unit (a PNG).
    pub fn for_raster(mut self, scale: f32) -> Underlay {
        self.px_per_unit = scale.max(0.01);
        self.max_side = RASTER_MAX_SIDE;
        self
    }

    /// True when there is no basemap to draw.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// The sources' credits, each once.
    pub fn credits(&self) -> &[String] {
        &self.credits
    }

    /// The pixel size of the image under a box of `size` page units.
    fn pixels(&self, size: [f32; 2]) -> [u32; 2] {
        let [w, h] = size.map(|s| (s.max(1.0) * self.px_per_unit) as f64);
        let shrink = (f64::from(self.max_side) / w.max(h)).min(1.0);
        [w, h].map(|s| ((s * shrink).round() as u32).max(1))
    }

    /// The basemap under a map box: an SVG fragment (clipped by `clip_id`) of
    /// the scene's paper colour and the composed basemap image, placed at
    /// `(x, y)` for the box `cam` frames; the scene's own background is made
    /// clear so the basemap shows between the features. Empty when there is
    /// no basemap.
    pub fn lay_under(
        &self,
        plan: &Plan,
        scene: &mut Scene,
        cam: &Camera,
        x: f32,
        y: f32,
        clip_id: &str,
    ) -> Result<String, ExportError> {
        let svg = self.backdrop(cam, x, y, clip_id, scene.background)?;
        self.show_through(plan, scene);
        Ok(svg)
    }

    /// The paper colour and the composed basemap image for the box `cam`
    /// frames, placed at `(x, y)` and clipped by `clip_id` (the page declares
    /// the `xlink` namespace, as every export page does); empty when there is no basemap.
    pub fn backdrop(&self, cam: &Camera, x: f32, y: f32, clip_id: &str, paper: Rgba) -> Result<String, ExportError> {
        if self.is_empty() {
            return Ok(String::new());
        }
        let [w, h] = cam.size;
        let min = cam.screen_to_world([0.0, h]);
        let max = cam.screen_to_world([w, 0.0]);
        let size = self.pixels([w, h]);
        // The composed image, its premultiplied twin while drawing, and the PNG being encoded.
        crate::io::memory::check_image_fits(u64::from(size[0]) * u64::from(size[1]) * 12)
            .map_err(ExportError::OutOfMemory)?;
        let composed = basemap::compose(&self.layers, &MercView { min, max, size });
        if let Some(fault) = composed.faults.into_iter().next() {
            return Err(fault.into());
        }
        let png = encode_png(&composed.image)?;
        use base64::Engine;
        let data = base64::engine::general_purpose::STANDARD.encode(png);
        let mut out = String::new();
        let _ = write!(out, r#"<g class="basemap" clip-path="url(#{clip_id})">"#);
        if paper.0[3] > 0 {
            let _ =
                write!(out, r#"<rect x="{x:.2}" y="{y:.2}" width="{w:.2}" height="{h:.2}" fill="{}"/>"#, paper.hex());
        }
        let _ = write!(
            out,
            r#"<image x="{x:.2}" y="{y:.2}" width="{w:.2}" height="{h:.2}" preserveAspectRatio="none" xlink:href="data:image/png;base64,{data}"/></g>"#
        );
        Ok(out)
    }

    /// Lets a basemap show through a scene: its background is made clear and
    /// the district's own ground (the boundary's paper-coloured fill) a thin
    /// veil, so imagery shows inside the district while its lines, buildings
    /// and labels keep their styles. Nothing changes without a basemap.
    pub fn show_through(&self, plan: &Plan, scene: &mut Scene) {
        if self.is_empty() {
            return;
        }
        scene.background = Rgba([0, 0, 0, 0]);
        scene.veil_district_ground(plan);
    }

    /// The credits as small text in the bottom-right corner of the box
    /// `[x, y, w, h]` (on a white band, readable over imagery), `u` the type scale.
    pub fn credits_svg(&self, [x, y, w, h]: [f32; 4], u: f32) -> String {
        if self.is_empty() || self.credits.is_empty() {
            return String::new();
        }
        let line = self.credits.join(" · ");
        let mut size = 5.5 * u;
        let mut tw = crate::render::scene::text_width(&line, size);
        if tw > w - 8.0 * u {
            size = (size * (w - 8.0 * u) / tw.max(1.0)).max(3.0 * u);
            tw = crate::render::scene::text_width(&line, size);
        }
        // Under 8u high: it fits below a legend set 8u above the box's foot.
        let pad = 1.2 * u;
        let (bx, by, bw, bh) = (x + w - tw - 2.0 * pad, y + h - size - 2.0 * pad, tw + 2.0 * pad, size + 2.0 * pad);
        format!(
            r#"<g class="basemap-credits"><rect x="{bx:.2}" y="{by:.2}" width="{bw:.2}" height="{bh:.2}" fill="white" fill-opacity="0.75"/><text x="{:.2}" y="{:.2}" font-family="{FONT_FAMILY}" font-size="{size:.2}" fill="{}" text-anchor="end">{}</text></g>"#,
            x + w - pad,
            y + h - pad - size * 0.18,
            crate::render::style::FURNITURE.hex(),
            esc(&line)
        )
    }
}

fn encode_png(img: &image::RgbaImage) -> Result<Vec<u8>, ExportError> {
    use image::ImageEncoder;
    let mut buf = Vec::new();
    image::codecs::png::PngEncoder::new_with_quality(
        &mut buf,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::Adaptive,
    )
    .write_image(img.as_raw(), img.width(), img.height(), image::ExtendedColorType::Rgba8)
    .map_err(|e| ExportError::Png(e.to_string()))?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_image_follows_the_box_at_the_resolution_asked_and_is_capped() {
        let u = Underlay::default();
        assert_eq!(u.pixels([300.0, 200.0]), [600, 400]);
        assert_eq!(u.pixels([3000.0, 1000.0]), [VECTOR_MAX_SIDE, 1365]);
        let r = Underlay::default().for_raster(1.0);
        assert_eq!(r.pixels([1920.0, 1080.0]), [1920, 1080]);
        assert!(u.credits_svg([0.0, 0.0, 100.0, 100.0], 1.0).is_empty(), "no basemap, no credits");
    }
}
