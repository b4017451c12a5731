//! Print maps: PNG, SVG and PDF of the plan in a phase (or before and after
//! side by side), laid out with title, subtitle, legend, scale bar, north
//! arrow and source note. Drawn from the same [`Scene`] as the screen, laid
//! out once as a [`Layout`]: the page's SVG pieces (paper, titles, basemaps,
//! labels, furniture, legend, title block) in drawing order around each map
//! pane's scene. SVG and PDF write it whole, the scenes as vector paths
//! (krilla makes the PDF); a PNG is drawn onto one pixmap in the same order —
//! the SVG pieces by resvg, each pane's geometry straight from its scene by
//! [`crate::render::raster`] — so no map geometry goes through SVG text for a
//! raster. Output is deterministic: no clock or random input goes into it.

use std::fmt::Write;

use super::progress::{Stage, Watch, check};
use super::underlay::Underlay;
use crate::error::ExportError;
use crate::model::{Kind, Lang, Phase, Plan, SpatialIndex};
use crate::render::style::{self, kind_style};
use crate::render::svg::{FONT_FAMILY, esc, furniture_scaled, scene_group};
use crate::render::{Camera, GeometryCache, Scene, SceneOptions};

/// What a map export shows.
#[derive(Clone, Debug, PartialEq)]
pub struct MapSpec {
    /// The phase, or `None` for before and after side by side.
    pub phase: Option<Phase>,
    /// Page size: points for PDF and SVG, pixels for PNG.
    pub size: [f32; 2],
    /// Pixels per unit of `size` when rasterising (2 for paper sizes, 1 for `--size`).
    pub scale: f32,
    /// The language of the title, legend and labels.
    pub lang: Lang,
    /// The area to show, `[west, south, east, north]`; `None`: the whole district.
    pub extent: Option<[f64; 4]>,
    /// What the map is coloured by (the legend follows).
    pub theme: crate::render::theme::ThemeMode,
    /// The consent map's matter (`None`: the plan's first).
    pub matter: Option<String>,
    /// True when `size` is paper (points): the map is drawn at a round
    /// numeric scale (1:N) that holds on the printed sheet, and says so.
    pub on_paper: bool,
    /// The date in the title block (YYYY-MM-DD); the caller chooses it, so
    /// the same spec always gives the same bytes.
    pub date: String,
}

/// The ISO 216 A sizes in points (1/72 inch), portrait.
const A_SIZES: [(&str, [f32; 2]); 5] = [
    ("a0", [2384.0, 3370.0]),
    ("a1", [1684.0, 2384.0]),
    ("a2", [1191.0, 1684.0]),
    ("a3", [842.0, 1191.0]),
    ("a4", [595.0, 842.0]),
];

/// The paper names the command line and the dialog offer.
pub const PAPERS: [&str; 5] = ["A4", "A3", "A2", "A1", "A0"];

/// A paper size by name: `A4` … `A0`, with `-landscape` or `-portrait` (the default).
pub fn paper(name: &str) -> Option<[f32; 2]> {
    let lower = name.to_ascii_lowercase();
    let (base, landscape) = match lower.split_once('-') {
        Some((b, "landscape")) => (b.to_string(), true),
        Some((b, "portrait")) => (b.to_string(), false),
        None => (lower.clone(), false),
        _ => return None,
    };
    let p = A_SIZES.iter().find(|(n, _)| *n == base)?.1;
    Some(if landscape { [p[1], p[0]] } else { p })
}

/// Pixels per point when a paper map is rasterised: 2 (144 dpi), less on
/// the largest sheets so that the image stays under 8,000 pixels a side.
pub fn raster_scale(size: [f32; 2]) -> f32 {
    (8_000.0 / size[0].max(size[1])).min(2.0)
}

/// `1920x1080` → `[1920, 1080]`.
pub fn pixel_size(s: &str) -> Option<[f32; 2]> {
    let (w, h) = s.split_once(['x', 'X', '×'])?;
    let (w, h): (u32, u32) = (w.trim().parse().ok()?, h.trim().parse().ok()?);
    ((16..=16_384).contains(&w) && (16..=16_384).contains(&h)).then_some([w as f32, h as f32])
}

/// Metres in one point (1/72 inch).
pub const METRES_PER_POINT: f64 = 0.0254 / 72.0;

/// The round scale denominator (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10ⁿ, as
/// planning drawings use: 1:500, 1:1000, 1:2000, 1:2500 …) at or just above `n`.
pub fn round_scale(n: f64) -> u64 {
    let n = n.max(1.0);
    let mut p = 10f64.powi(n.log10().floor() as i32);
    loop {
        for k in [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0] {
            if k * p >= n - 1e-6 {
                return (k * p).round() as u64;
            }
        }
        p *= 10.0;
    }
}

fn text(out: &mut String, x: f32, y: f32, size: f32, color: &str, anchor: &str, s: &str) {
    let _ = write!(
        out,
        r#"<text x="{x:.2}" y="{y:.2}" font-family="{FONT_FAMILY}" font-size="{size:.1}" fill="{color}" text-anchor="{anchor}">{}</text>"#,
        esc(s)
    );
}

/// Text shrunk (down to half its size) to fit `max_w`.
#[allow(clippy::too_many_arguments)]
fn fitted_text(out: &mut String, x: f32, y: f32, size: f32, max_w: f32, color: &str, anchor: &str, s: &str) {
    let w = crate::render::scene::text_width(s, size);
    let size = if w > max_w { (size * max_w / w).max(size * 0.5) } else { size };
    text(out, x, y, size, color, anchor, s);
}

fn phase_label(s: &crate::i18n::Strings, p: &Phase) -> String {
    match p {
        Phase::Before => s.phase_before.to_string(),
        Phase::After => s.phase_after.to_string(),
        Phase::AsOf(d) => format!("{} {d}", s.phase_as_of),
    }
}

/// The part of a bilingual note (`中文 / English`) in the sheet's language.
fn note_in(note: &str, lang: Lang) -> &str {
    match note.split_once(" / ") {
        Some((zh, en)) if crate::model::has_cjk(zh) && !crate::model::has_cjk(en) => match lang {
            Lang::Zh => zh.trim(),
            Lang::En => en.trim(),
        },
        _ => note.trim(),
    }
}

/// The sheet's title, by what it shows.
pub fn sheet_title(s: &crate::i18n::Strings, phase: Option<&Phase>) -> String {
    match phase {
        Some(Phase::Before) => s.sheet_before.to_string(),
        Some(Phase::After) => s.sheet_after.to_string(),
        Some(Phase::AsOf(d)) => format!("{} ({d})", s.sheet_as_of),
        None => s.sheet_compare.to_string(),
    }
}

/// The sheet number: the plan's, else one by what the sheet shows (总图 01–04).
pub fn sheet_number(plan: &Plan, phase: Option<&Phase>) -> String {
    let n = &plan.meta.title_block.sheet_number;
    if !n.is_empty() {
        return n.clone();
    }
    let k = match phase {
        Some(Phase::Before) => 1,
        Some(Phase::After) => 2,
        None => 3,
        Some(Phase::AsOf(_)) => 4,
    };
    format!("ZT-{k:02}")
}

/// The print layout as an SVG document, each map pane over the basemaps of
/// `under` (none: [`Underlay::default`]); a basemap that cannot be drawn is the error.
pub fn layout_svg(
    plan: &Plan,
    index: &SpatialIndex,
    cache: &GeometryCache,
    spec: &MapSpec,
    under: &Underlay,
) -> Result<String, ExportError> {
    Ok(layout(plan, index, cache, spec, under)?.to_svg())
}

/// The print layout: the page in drawing order, SVG pieces around the map
/// panes' scenes. [`Layout::to_svg`] writes it as one document,
/// [`Layout::to_png`] draws it into pixels.
pub struct Layout {
    size: [f32; 2],
    /// The panes' clip paths (`<defs>`), which every piece may refer to.
    defs: String,
    pieces: Vec<Piece>,
    /// A pane's camera was finer than the cache it was given serves, so the
    /// panes were drawn from a cache of every feature whole, made for it.
    drawn_whole: bool,
}

/// A piece of the page, in drawing order.
enum Piece {
    /// Page elements as SVG text (no map geometry).
    Svg(String),
    /// A map pane: its scene, the pane's top-left and size in page units, its clip path's id.
    Map { scene: Box<Scene>, rect: [f32; 4], clip_id: String },
}

impl Layout {
    fn head(&self) -> String {
        let [w, h] = self.size;
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{w}" height="{h}" viewBox="0 0 {w} {h}">"#
        )
    }

    /// Whether a pane's camera was finer than the cache given to [`layout`]
    /// serves ([`GeometryCache::draws_at`]), so that a cache of every feature
    /// whole had to be made: never for [`print_cache`]'s.
    pub fn drawn_whole(&self) -> bool {
        self.drawn_whole
    }

    /// The page as one SVG document, each scene as vector paths and text.
    pub fn to_svg(&self) -> String {
        let mut out = self.head();
        out.push_str(&self.defs);
        for piece in &self.pieces {
            match piece {
                Piece::Svg(text) => out.push_str(text),
                Piece::Map { scene, rect, clip_id } => out.push_str(&scene_group(scene, rect[0], rect[1], clip_id)),
            }
        }
        out.push_str("</svg>");
        out
    }

    /// The page as PNG bytes at `scale` pixels per unit: the SVG pieces under
    /// each pane drawn by resvg, the pane's geometry straight from its scene
    /// (clipped to the pane), then its labels and what lies over it by resvg.
    /// The layer over a pane (its labels with their halos: most of resvg's work)
    /// is drawn on a second thread into a clear pixmap while the pane's geometry
    /// is drawn, then laid over it. An image that would not fit in the memory
    /// left is refused before it is drawn.
    pub fn to_png(&self, scale: f32) -> Result<Vec<u8>, ExportError> {
        let (w, h) = ((self.size[0] * scale).round() as u32, (self.size[1] * scale).round() as u32);
        let (w, h) = (w.max(1), h.max(1));
        // The page, the layer over a pane, and about as much again for the PNG being encoded.
        crate::io::memory::check_image_fits(u64::from(w) * u64::from(h) * 12).map_err(ExportError::OutOfMemory)?;
        let mut pixmap = tiny_skia::Pixmap::new(w, h).ok_or(ExportError::ImageTooLarge)?;
        let mut under = String::new();
        let mut pieces = self.pieces.iter().peekable();
        while let Some(piece) = pieces.next() {
            let (scene, rect) = match piece {
                Piece::Svg(text) => {
                    under.push_str(text);
                    continue;
                }
                Piece::Map { scene, rect, .. } => (scene, rect),
            };
            self.draw_svg(&mut pixmap, &std::mem::take(&mut under), scale)?;
            // What lies over this pane: its labels, and the page's pieces up to the next pane.
            let mut over = String::new();
            while let Some(Piece::Svg(text)) = pieces.peek() {
                over.push_str(text);
                pieces.next();
            }
            let clip = crate::render::raster::clip_mask([w, h], *rect, scale);
            let layer = std::thread::scope(|s| {
                let layer = s.spawn(|| -> Result<Option<tiny_skia::Pixmap>, ExportError> {
                    if over.is_empty() && scene.labels.is_empty() {
                        return Ok(None);
                    }
                    let mut layer = tiny_skia::Pixmap::new(w, h).ok_or(ExportError::ImageTooLarge)?;
                    let at = [rect[0], rect[1]];
                    crate::render::glyphs::draw_labels(scene, &mut layer.as_mut(), at, scale, clip.as_ref());
                    self.draw_svg(&mut layer, &over, scale)?;
                    Ok(Some(layer))
                });
                crate::render::raster::draw_scene(
                    scene,
                    &mut pixmap.as_mut(),
                    [rect[0], rect[1]],
                    scale,
                    clip.as_ref(),
                );
                layer.join()
            });
            // A panic drawing the layer is this thread's panic too (drawing it again would only repeat it).
            let layer = match layer {
                Ok(layer) => layer?,
                Err(panic) => std::panic::resume_unwind(panic),
            };
            if let Some(layer) = layer {
                crate::render::raster::composite_over(&mut pixmap.as_mut(), &layer);
            }
        }
        self.draw_svg(&mut pixmap, &under, scale)?;
        crate::render::raster::encode_png(&pixmap, image::codecs::png::CompressionType::Fast).map_err(ExportError::Png)
    }

    /// Draws SVG page elements over what the pixmap holds.
    fn draw_svg(&self, pixmap: &mut tiny_skia::Pixmap, body: &str, scale: f32) -> Result<(), ExportError> {
        if body.is_empty() {
            return Ok(());
        }
        let svg = format!("{}{}{body}</svg>", self.head(), self.defs);
        let t = super::handout::svg_tree(&svg).map_err(|e| ExportError::Page { page: 1, message: e.to_string() })?;
        resvg::render(&t, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
        Ok(())
    }
}

/// How many panes a map has side by side: one phase, or before and after.
fn panes_across(spec: &MapSpec) -> f32 {
    if spec.phase.is_some() { 1.0 } else { 2.0 }
}

/// What every pane of a map frames: the spec's extent, else the boundary's
/// box, else the box of every feature.
fn district_extent(plan: &Plan, index: &SpatialIndex, spec: &MapSpec) -> [f64; 4] {
    let ext = index.extent().unwrap_or([116.454, 39.885, 116.46, 39.8896]);
    let ext = plan
        .iter()
        .filter(|(_, f)| f.kind == Kind::Boundary)
        .filter_map(|(_, f)| f.bbox())
        .fold(None::<[f64; 4]>, |acc, r| {
            let b = acc.unwrap_or([f64::MAX, f64::MAX, f64::MIN, f64::MIN]);
            Some([b[0].min(r.min().x), b[1].min(r.min().y), b[2].max(r.max().x), b[3].max(r.max().y)])
        })
        .unwrap_or(ext);
    spec.extent.unwrap_or(ext)
}

/// The index and the drawing cache a map of `spec` draws from, made for its
/// scale: no pane is larger than its share of the page (half its width when
/// before and after are side by side), and a map on paper only zooms out
/// from its fit, so every pane's camera is at least as coarse as that share
/// fitted to the district, and an area that is a dot there keeps its box
/// alone ([`GeometryCache::for_print_at`]; `layout` checks each camera).
pub fn print_cache(plan: &Plan, spec: &MapSpec) -> (SpatialIndex, GeometryCache) {
    let index = SpatialIndex::boxes_only(plan);
    let share = [spec.size[0] / panes_across(spec), spec.size[1]];
    let least = Camera::fit(district_extent(plan, &index, spec), share, 0.0).mpp;
    (index, GeometryCache::for_print_at(plan, least))
}

/// Lays out the print map: the panes' scenes and the page around them.
pub fn layout(
    plan: &Plan,
    index: &SpatialIndex,
    cache: &GeometryCache,
    spec: &MapSpec,
    under: &Underlay,
) -> Result<Layout, ExportError> {
    let s = spec.lang.strings();
    let [w, h] = spec.size;
    let u = (w.min(h) / 595.0).max(0.4); // type scale: 1 on A4
    let margin = 28.0 * u;
    let mut pieces = Vec::new();
    let mut out = String::new();
    let _ = write!(out, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let title = plan.meta.name.clone().unwrap_or_else(|| "Renewal plan".into());
    fitted_text(&mut out, margin, margin + 18.0 * u, 20.0 * u, w - 2.0 * margin, "#222222", "start", &title);
    let (first, last) = crate::model::phase::date_range(plan).unwrap_or_default();
    // A plan without dates (a city's buildings read from a file) shows the phases alone.
    let dated =
        |phase: &str, date: &str| if date.is_empty() { phase.to_string() } else { format!("{phase} · {date}") };
    let subtitle = match &spec.phase {
        Some(Phase::Before) => dated(s.phase_before, &first),
        Some(Phase::After) => dated(s.phase_after, &last),
        Some(p @ Phase::AsOf(_)) => phase_label(s, p),
        None if first.is_empty() && last.is_empty() => format!("{} · {}", s.phase_before, s.phase_after),
        None => format!("{} {first} · {} {last}", s.phase_before, s.phase_after),
    };
    text(&mut out, margin, margin + 36.0 * u, 11.0 * u, "#555555", "start", &subtitle);

    // The bottom band: the source note (wrapped, never cut) beside the title block.
    let row_h = 13.0 * u;
    let tb_rows = 5.0;
    let tb_w = (300.0 * u).min(w - 2.0 * margin);
    let tb_h = row_h * tb_rows;
    let note_w = (w - 2.0 * margin - tb_w - 14.0 * u).max(60.0 * u);
    let note = note_in(plan.meta.note.as_deref().unwrap_or(""), spec.lang);
    let mut note_size = 7.0 * u;
    let mut lines = crate::render::scene::break_lines(note, note_size, note_w * 0.94);
    // A long note is set smaller to fit beside the title block; if it still does not, the band grows.
    while (lines.len() as f32 + 1.0) * note_size * 1.35 > tb_h && note_size > 5.0 * u {
        note_size -= 0.5 * u;
        lines = crate::render::scene::break_lines(note, note_size, note_w * 0.94);
    }
    let note_h = (lines.len() as f32 + 1.0) * note_size * 1.35;
    let band_h = tb_h.max(note_h);

    let top = margin + 48.0 * u;
    let bottom = h - margin - band_h - 10.0 * u;
    let (mx, mw, mh) = (margin, w - 2.0 * margin, (bottom - top).max(40.0));
    // Every pane frames the whole district at the same scale.
    let ext = district_extent(plan, index, spec);
    // Legend: the thematic colours, or the kinds; and the changes when after is shown.
    let themed = crate::render::theme::legend(spec.theme);
    let mut entries: Vec<(Swatch, String)> = if themed.is_empty() {
        [Kind::Boundary, Kind::Building, Kind::Street, Kind::Garden, Kind::Core, Kind::Node]
            .iter()
            .map(|k| (Swatch::Fill(kind_style(*k).swatch.hex()), s.kind(*k).to_string()))
            .collect()
    } else {
        let mut e: Vec<(Swatch, String)> =
            themed.iter().map(|(c, name)| (Swatch::Fill(c.hex()), s.legend_label(name).to_string())).collect();
        let muted = s.legend_label(crate::render::theme::muted_entry(spec.theme));
        e.push((Swatch::Fill(crate::render::theme::NO_ITEMS.hex()), muted.to_string()));
        e
    };
    if spec.phase.as_ref() != Some(&Phase::Before) {
        if !matches!(spec.phase, Some(Phase::After)) {
            // Compare and as-of maps show what is still to be added as green dashes.
            entries.push((Swatch::Added, s.added.to_string()));
        }
        entries.push((Swatch::Removed, s.removed.to_string()));
    }
    let row = 13.0 * u;
    // The heading: "layers", the theme's name, or the consent map's matter, rule and result, wrapped.
    let legend_w = 150.0 * u;
    let heading: Vec<String> = if themed.is_empty() {
        vec![s.layers.to_string()]
    } else {
        s.legend_heading(plan, spec.theme, spec.matter.as_deref())
    };
    let heading: Vec<(f32, String)> = heading
        .iter()
        .enumerate()
        .flat_map(|(k, line)| {
            let size = if k == 0 { 9.0 * u } else { 7.5 * u };
            crate::render::scene::break_lines(line, size, legend_w - 16.0 * u).into_iter().map(move |l| (size, l))
        })
        .collect();
    let heading_h = 13.0 * u + 11.0 * u * (heading.len() as f32 - 1.0);
    let lh = heading_h + 7.0 * u + row * entries.len() as f32;
    // The legend goes beside the district when the map leaves room for it there;
    // else the map gives up a column (or, when that keeps the plan larger, a
    // strip along its foot) to it, so that it never covers the plan.
    let (a, b) = (crate::render::camera::to_world(ext[0], ext[1]), crate::render::camera::to_world(ext[2], ext[3]));
    let aspect = ((b[0] - a[0]) / (b[1] - a[1]).max(1e-9)) as f32;
    let gap = 8.0 * u;
    let panes_across = panes_across(spec);
    let district = |width: f32, height: f32| {
        let pane_w = (width - gap * (panes_across - 1.0)) / panes_across;
        (pane_w, (pane_w - 24.0 * u).min((height - 24.0 * u) * aspect))
    };
    let (pane_w, district_w) = district(mw, mh);
    let inside = (pane_w - district_w) / 2.0 >= legend_w + 16.0 * u;
    let (_, in_column) = district(mw - legend_w - gap, mh);
    let (_, in_strip) = district(mw, mh - lh - gap);
    enum Legend {
        Inside,
        Column,
        Strip,
    }
    let legend = if inside {
        Legend::Inside
    } else if in_strip > in_column {
        Legend::Strip
    } else {
        Legend::Column
    };
    let map_w = if matches!(legend, Legend::Column) { mw - legend_w - gap } else { mw };
    let mh = if matches!(legend, Legend::Strip) { mh - lh - gap } else { mh };
    let panes: Vec<(f32, f32, Phase, Option<String>)> = match &spec.phase {
        Some(p) => vec![(mx, map_w, p.clone(), None)],
        None => {
            let half = (map_w - gap) / 2.0;
            vec![
                (mx, half, Phase::Before, Some(s.phase_before.to_string())),
                (mx + half + gap, half, Phase::After, Some(s.phase_after.to_string())),
            ]
        }
    };
    let mut defs = String::from("<defs>");
    let mut whole: Option<GeometryCache> = None;
    let mut ground_mpp = 1.0;
    let mut ratio = None;
    for (n, (px, pw, phase, label)) in panes.iter().enumerate() {
        let mut cam = Camera::fit(ext, [*pw, mh], 12.0 * u);
        if spec.on_paper {
            // A round scale at or just smaller than the fit: the map fits, and 1:N holds on paper.
            let n = round_scale(cam.ground_mpp() / METRES_PER_POINT);
            cam.mpp *= n as f64 * METRES_PER_POINT / cam.ground_mpp();
            ratio = Some(n);
        }
        ground_mpp = cam.ground_mpp();
        let opts = SceneOptions {
            theme: crate::render::theme::feature_colors(plan, spec.theme, spec.matter.as_deref(), phase),
            phase: phase.clone(),
            lang: spec.lang,
            highlight_changes: *phase != Phase::Before,
            // What the renewal removes is shown crossed out on every map after it.
            ghosts: *phase != Phase::Before,
            ..SceneOptions::default()
        };
        // A camera finer than the cache serves (none of `print_cache`'s) draws from every feature whole.
        let cache = if cache.draws_at(&cam) {
            cache
        } else {
            &*whole.get_or_insert_with(|| GeometryCache::for_print_at(plan, 0.0))
        };
        let mut scene = Scene::build(plan, index, cache, &cam, &opts);
        let id = format!("pane{n}");
        let _ = write!(
            defs,
            r#"<clipPath id="{id}"><rect x="{px:.2}" y="{top:.2}" width="{pw:.2}" height="{mh:.2}"/></clipPath>"#
        );
        out.push_str(&under.lay_under(plan, &mut scene, &cam, *px, top, &id)?);
        pieces.push(Piece::Svg(std::mem::take(&mut out)));
        pieces.push(Piece::Map { scene: Box::new(scene), rect: [*px, top, *pw, mh], clip_id: id });
        out.push_str(&under.credits_svg([*px, top, *pw, mh], u));
        let _ = write!(
            out,
            r##"<rect x="{px:.2}" y="{top:.2}" width="{pw:.2}" height="{mh:.2}" fill="none" stroke="#888888" stroke-width="{:.2}"/>"##,
            0.8 * u
        );
        if let Some(l) = label {
            let _ = write!(
                out,
                r##"<rect x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}" rx="3" fill="#333333" fill-opacity="0.8"/>"##,
                px + 8.0 * u,
                top + 8.0 * u,
                64.0 * u,
                18.0 * u
            );
            text(&mut out, px + 40.0 * u, top + 21.0 * u, 10.0 * u, "white", "middle", l);
        }
    }
    defs.push_str("</defs>");
    out.push_str(&furniture_scaled(mx, top, map_w, mh, ground_mpp, [mx + map_w - 24.0 * u, top + 26.0 * u], ratio, u));

    let lw = legend_w;
    let (lx, ly) = match legend {
        Legend::Inside => (mx + mw - lw - 8.0 * u, top + mh - lh - 8.0 * u),
        Legend::Column => (mx + mw - lw, top + mh - lh),
        Legend::Strip => (mx + mw - lw, top + mh + gap),
    };
    let _ = write!(
        out,
        r#"<rect x="{lx:.2}" y="{ly:.2}" width="{lw:.2}" height="{lh:.2}" rx="3" fill="white" fill-opacity="0.9"/>"#
    );
    for (k, (size, line)) in heading.iter().enumerate() {
        text(&mut out, lx + 8.0 * u, ly + 13.0 * u + 11.0 * u * k as f32, *size, "#222222", "start", line);
    }
    for (i, (sw, name)) in entries.iter().enumerate() {
        let y = ly + heading_h + 5.0 * u + row * i as f32;
        let (x0, sw_w, sw_h) = (lx + 8.0 * u, 12.0 * u, 8.0 * u);
        match sw {
            Swatch::Fill(c) => {
                let _ =
                    write!(out, r#"<rect x="{x0:.2}" y="{y:.2}" width="{sw_w:.2}" height="{sw_h:.2}" fill="{c}"/>"#);
            }
            Swatch::Added => {
                let _ = write!(
                    out,
                    r#"<rect x="{x0:.2}" y="{y:.2}" width="{sw_w:.2}" height="{sw_h:.2}" fill="none" stroke="{}" stroke-width="{:.2}" stroke-dasharray="{:.2} {:.2}"/>"#,
                    style::GHOST_ADDED.hex(),
                    1.2 * u,
                    3.0 * u,
                    2.0 * u
                );
            }
            Swatch::Removed => {
                let (c, op) = (style::REMOVED_OUTLINE.color.hex(), style::REMOVED_FILL.0[3] as f32 / 255.0);
                let _ = write!(
                    out,
                    r#"<rect class="legend-removed" x="{x0:.2}" y="{y:.2}" width="{sw_w:.2}" height="{sw_h:.2}" fill="{c}" fill-opacity="{op:.3}" stroke="{c}" stroke-width="{:.2}"/><path d="M{x0:.2} {y:.2} L{:.2} {:.2} M{x0:.2} {:.2} L{:.2} {y:.2}" stroke="{c}" stroke-width="{:.2}"/>"#,
                    0.9 * u,
                    x0 + sw_w,
                    y + sw_h,
                    y + sw_h,
                    x0 + sw_w,
                    1.1 * u
                );
            }
        }
        text(&mut out, lx + 26.0 * u, y + 7.5 * u, 8.0 * u, "#222222", "start", name);
    }

    // The source note, whole, wrapped beside the title block.
    let band_top = h - margin - band_h;
    for (i, line) in lines.iter().enumerate() {
        let y = band_top + note_size * 1.35 * (i as f32 + 1.0);
        text(&mut out, margin, y, note_size, "#777777", "start", line);
    }
    text(
        &mut out,
        margin,
        band_top + note_size * 1.35 * (lines.len() as f32 + 1.0),
        note_size,
        "#999999",
        "start",
        "Renewal Planner 更新规划",
    );

    // The title block (图签), bottom right.
    let (tx, ty) = (w - margin - tb_w, h - margin - tb_h);
    let tb = &plan.meta.title_block;
    let scale_text = ratio.map(|n| format!("1:{n}")).unwrap_or_else(|| "—".into());
    let number = sheet_number(plan, spec.phase.as_ref());
    let sheet = sheet_title(s, spec.phase.as_ref());
    let lab = 44.0 * u;
    let half = (tb_w - 2.0 * lab) / 2.0;
    // Rows: (label, value, optional second label and value).
    let rows: [TitleRow; 5] = [
        (s.tb_project, title.as_str(), None),
        (s.tb_sheet, sheet.as_str(), None),
        (s.tb_sheet_number, number.as_str(), Some((s.tb_scale, scale_text.as_str()))),
        (s.tb_drawn_by, tb.drawn_by.as_str(), Some((s.tb_checked_by, tb.checked_by.as_str()))),
        (s.tb_date, spec.date.as_str(), None),
    ];
    let line = format!(r##" stroke="#444444" stroke-width="{:.2}""##, 0.6 * u);
    let _ = write!(out, r#"<rect x="{tx:.2}" y="{ty:.2}" width="{tb_w:.2}" height="{tb_h:.2}" fill="white"{line}/>"#);
    let fs = 7.5 * u;
    for (i, (l1, v1, second)) in rows.iter().enumerate() {
        let y = ty + row_h * i as f32;
        if i > 0 {
            let _ = write!(out, r#"<path d="M{tx:.2} {y:.2} H{:.2}" fill="none"{line}/>"#, tx + tb_w);
        }
        let base = y + row_h / 2.0 + fs * 0.35;
        let _ = write!(out, r#"<path d="M{:.2} {y:.2} V{:.2}" fill="none"{line}/>"#, tx + lab, y + row_h);
        text(&mut out, tx + lab / 2.0, base, fs, "#444444", "middle", l1);
        match second {
            None => fitted_text(&mut out, tx + lab + 5.0 * u, base, fs, tb_w - lab - 10.0 * u, "#111111", "start", v1),
            Some((l2, v2)) => {
                let x2 = tx + lab + half;
                fitted_text(&mut out, tx + lab + 5.0 * u, base, fs, half - 10.0 * u, "#111111", "start", v1);
                let _ = write!(
                    out,
                    r#"<path d="M{x2:.2} {y:.2} V{:.2} M{:.2} {y:.2} V{:.2}" fill="none"{line}/>"#,
                    y + row_h,
                    x2 + lab,
                    y + row_h
                );
                text(&mut out, x2 + lab / 2.0, base, fs, "#444444", "middle", l2);
                fitted_text(&mut out, x2 + lab + 5.0 * u, base, fs, half - 10.0 * u, "#111111", "start", v2);
            }
        }
    }
    pieces.push(Piece::Svg(out));
    Ok(Layout { size: spec.size, defs, pieces, drawn_whole: whole.is_some() })
}

/// A row of the title block: a label and its value, and maybe a second pair.
type TitleRow<'a> = (&'a str, &'a str, Option<(&'a str, &'a str)>);

/// How a legend entry of the print map is drawn.
enum Swatch {
    Fill(String),
    Added,
    Removed,
}

/// Rasterises a whole SVG document with resvg to PNG bytes at `scale` pixels
/// per unit: how PNG maps were made before [`Layout::to_png`], kept as the
/// reference a PNG is compared with. An image that would not fit in the
/// memory left is refused before it is drawn.
pub fn svg_png(svg: &str, scale: f32) -> Result<Vec<u8>, ExportError> {
    let t = super::handout::svg_tree(svg).map_err(|e| ExportError::Page { page: 1, message: e.to_string() })?;
    let size = t.size();
    let (w, h) = ((size.width() * scale).round() as u32, (size.height() * scale).round() as u32);
    // The pixels, and about as much again for the PNG being encoded.
    crate::io::memory::check_image_fits(u64::from(w.max(1)) * u64::from(h.max(1)) * 8)
        .map_err(ExportError::OutOfMemory)?;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w.max(1), h.max(1)).ok_or(ExportError::ImageTooLarge)?;
    resvg::render(&t, resvg::tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    crate::render::raster::encode_png(&pixmap, image::codecs::png::CompressionType::Fast).map_err(ExportError::Png)
}

/// Writes a map of the plan as PNG, SVG or PDF (by the file's extension),
/// atomically, over the basemaps of `under` (drawn at the PNG's pixels, or at
/// twice the map box's size in points for SVG and PDF). `watch` hears of its
/// three stages (laid out, drawn, written) and may stop it between them.
pub fn export(
    plan: &Plan,
    spec: &MapSpec,
    under: Underlay,
    out: &std::path::Path,
    watch: Watch,
) -> Result<(), ExportError> {
    const STEPS: usize = 3;
    let ext = out.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    if !matches!(ext.as_str(), "svg" | "png" | "pdf") {
        return Err(ExportError::Format { what: "a map", ext });
    }
    check(watch, 0, STEPS, Stage::Preparing)?;
    let under = if ext == "png" { under.for_raster(spec.scale) } else { under };
    let (index, cache) = print_cache(plan, spec);
    let layout = layout(plan, &index, &cache, spec, &under)?;
    // The index and cache are not needed once the scenes are built.
    drop((index, cache));
    check(watch, 1, STEPS, Stage::Pages)?;
    let bytes = match ext.as_str() {
        "svg" => layout.to_svg().into_bytes(),
        "png" => layout.to_png(spec.scale)?,
        "pdf" => super::handout::pdf_pages([layout.to_svg()])?,
        other => return Err(ExportError::Format { what: "a map", ext: other.to_string() }),
    };
    super::progress::save(out, &bytes, watch, 2, STEPS)
}
