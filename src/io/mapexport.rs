//! Print maps: PNG, SVG and PDF of the plan in a phase (or before and after
//! side by side), laid out with title, subtitle, legend, scale bar, north
//! arrow and source note. Drawn from the same [`Scene`] as the screen, as
//! one SVG document: resvg rasterises it, krilla makes it PDF. Output is
//! deterministic: no clock or random input goes into it.

use std::fmt::Write;

use crate::model::{Kind, Phase, Plan, SpatialIndex};
use crate::render::style::{self, kind_style};
use crate::render::svg::{FONT_FAMILY, esc, furniture, scene_group};
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
    pub chinese: bool,
    /// The area to show, `[west, south, east, north]`; `None`: the whole district.
    pub extent: Option<[f64; 4]>,
    /// What the map is coloured by (the legend follows).
    pub theme: crate::render::theme::ThemeMode,
}

/// A paper size by name: `A4`, `A3`, with `-landscape` or `-portrait` (the default).
pub fn paper(name: &str) -> Option<[f32; 2]> {
    let lower = name.to_ascii_lowercase();
    let (base, landscape) = match lower.split_once('-') {
        Some((b, "landscape")) => (b.to_string(), true),
        Some((b, "portrait")) => (b.to_string(), false),
        None => (lower.clone(), false),
        _ => return None,
    };
    let p = match base.as_str() {
        "a4" => [595.0, 842.0],
        "a3" => [842.0, 1191.0],
        _ => return None,
    };
    Some(if landscape { [p[1], p[0]] } else { p })
}

/// `1920x1080` → `[1920, 1080]`.
pub fn pixel_size(s: &str) -> Option<[f32; 2]> {
    let (w, h) = s.split_once(['x', 'X', '×'])?;
    let (w, h): (u32, u32) = (w.trim().parse().ok()?, h.trim().parse().ok()?);
    ((16..=16_384).contains(&w) && (16..=16_384).contains(&h)).then_some([w as f32, h as f32])
}

fn text(out: &mut String, x: f32, y: f32, size: f32, color: &str, anchor: &str, s: &str) {
    let _ = write!(
        out,
        r#"<text x="{x:.2}" y="{y:.2}" font-family="{FONT_FAMILY}" font-size="{size:.1}" fill="{color}" text-anchor="{anchor}">{}</text>"#,
        esc(s)
    );
}

fn phase_label(s: &crate::i18n::Strings, p: &Phase) -> String {
    match p {
        Phase::Before => s.phase_before.to_string(),
        Phase::After => s.phase_after.to_string(),
        Phase::AsOf(d) => format!("{} {d}", s.phase_as_of),
    }
}

/// The print layout as an SVG document.
pub fn layout_svg(plan: &Plan, index: &SpatialIndex, cache: &GeometryCache, spec: &MapSpec) -> String {
    let s = if spec.chinese { &crate::i18n::ZH } else { &crate::i18n::EN };
    let [w, h] = spec.size;
    let u = (w.min(h) / 595.0).max(0.4); // type scale: 1 on A4
    let margin = 28.0 * u;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}"><rect width="{w}" height="{h}" fill="white"/>"#
    );
    let title = plan.meta.name.clone().unwrap_or_else(|| "Renewal plan".into());
    text(&mut out, margin, margin + 18.0 * u, 20.0 * u, "#222222", "start", &title);
    let (first, last) = crate::model::phase::date_range(plan).unwrap_or_default();
    let subtitle = match &spec.phase {
        Some(Phase::Before) => format!("{} · {first}", s.phase_before),
        Some(Phase::After) => format!("{} · {last}", s.phase_after),
        Some(p @ Phase::AsOf(_)) => phase_label(s, p),
        None => format!("{} {first} · {} {last}", s.phase_before, s.phase_after),
    };
    text(&mut out, margin, margin + 36.0 * u, 11.0 * u, "#555555", "start", &subtitle);

    let top = margin + 48.0 * u;
    let bottom = h - margin - 30.0 * u;
    let (mx, mw, mh) = (margin, w - 2.0 * margin, (bottom - top).max(40.0));
    let panes: Vec<(f32, f32, Phase, Option<String>)> = match &spec.phase {
        Some(p) => vec![(mx, mw, p.clone(), None)],
        None => {
            let half = (mw - 8.0 * u) / 2.0;
            vec![
                (mx, half, Phase::Before, Some(s.phase_before.to_string())),
                (mx + half + 8.0 * u, half, Phase::After, Some(s.phase_after.to_string())),
            ]
        }
    };
    // Every pane frames the whole district at the same scale.
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
    let ext = spec.extent.unwrap_or(ext);
    let mut defs = String::from("<defs>");
    let mut ground_mpp = 1.0;
    for (n, (px, pw, phase, label)) in panes.iter().enumerate() {
        let cam = Camera::fit(ext, [*pw, mh], 12.0 * u);
        ground_mpp = cam.ground_mpp();
        let opts = SceneOptions {
            theme: crate::render::theme::feature_colors(plan, spec.theme, phase),
            phase: phase.clone(),
            chinese: spec.chinese,
            highlight_changes: *phase != Phase::Before,
            ghosts: spec.phase.is_none() && *phase != Phase::Before,
            ..SceneOptions::default()
        };
        let scene = Scene::build(plan, index, cache, &cam, &opts);
        let id = format!("pane{n}");
        let _ = write!(
            defs,
            r#"<clipPath id="{id}"><rect x="{px:.2}" y="{top:.2}" width="{pw:.2}" height="{mh:.2}"/></clipPath>"#
        );
        out.push_str(&scene_group(&scene, *px, top, &id));
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
    out.push_str(&defs);
    out.push_str(&furniture(mx, top, mw, mh, ground_mpp, [mx + mw - 24.0 * u, top + 26.0 * u]));

    // Legend: the thematic colours, or the kinds; and the changes when after is shown.
    let themed = crate::render::theme::legend(spec.theme);
    let mut entries: Vec<(String, String)> = if themed.is_empty() {
        [Kind::Boundary, Kind::Building, Kind::Street, Kind::Garden, Kind::Core, Kind::Node]
            .iter()
            .map(|k| (kind_style(*k).swatch.hex(), s.kind(*k).to_string()))
            .collect()
    } else {
        let mut e: Vec<(String, String)> =
            themed.iter().map(|(c, name)| (c.hex(), s.legend_label(name).to_string())).collect();
        e.push((crate::render::theme::NO_ITEMS.hex(), s.no_items.to_string()));
        e
    };
    if spec.phase.as_ref() != Some(&Phase::Before) {
        entries.push((style::GHOST_ADDED.hex(), s.added.to_string()));
        entries.push((style::GHOST_REMOVED.hex(), s.removed.to_string()));
    }
    let row = 13.0 * u;
    let (lw, lh) = (150.0 * u, 20.0 * u + row * entries.len() as f32);
    let (lx, ly) = (mx + mw - lw - 8.0 * u, top + mh - lh - 8.0 * u);
    let _ = write!(
        out,
        r#"<rect x="{lx:.2}" y="{ly:.2}" width="{lw:.2}" height="{lh:.2}" rx="3" fill="white" fill-opacity="0.9"/>"#
    );
    let legend_title = if themed.is_empty() { s.layers } else { s.theme_mode(spec.theme) };
    text(&mut out, lx + 8.0 * u, ly + 13.0 * u, 9.0 * u, "#222222", "start", legend_title);
    for (i, (c, name)) in entries.iter().enumerate() {
        let y = ly + 18.0 * u + row * i as f32;
        let _ = write!(
            out,
            r#"<rect x="{:.2}" y="{y:.2}" width="{:.2}" height="{:.2}" fill="{c}"/>"#,
            lx + 8.0 * u,
            12.0 * u,
            8.0 * u
        );
        text(&mut out, lx + 26.0 * u, y + 7.5 * u, 8.0 * u, "#222222", "start", name);
    }
    // Source note.
    let note = plan.meta.note.as_deref().and_then(|n| n.split(['。', '.']).next()).unwrap_or("");
    text(&mut out, margin, h - margin, 7.0 * u, "#777777", "start", note);
    text(&mut out, w - margin, h - margin, 7.0 * u, "#777777", "end", "Renewal Planner 更新规划");
    out.push_str("</svg>");
    out
}

/// Rasterises a layout to PNG bytes at `scale` pixels per unit.
pub fn png(svg: &str, scale: f32) -> Result<Vec<u8>, String> {
    let t = super::handout::svg_tree(svg)?;
    let size = t.size();
    let (w, h) = ((size.width() * scale).round() as u32, (size.height() * scale).round() as u32);
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w.max(1), h.max(1)).ok_or("the image is too large")?;
    resvg::render(&t, resvg::tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| e.to_string())
}

/// Writes a map of the plan as PNG, SVG or PDF (by the file's extension), atomically.
pub fn export(plan: &Plan, spec: &MapSpec, out: &std::path::Path) -> Result<(), String> {
    let index = SpatialIndex::build(plan);
    let cache = GeometryCache::build(plan);
    let svg = layout_svg(plan, &index, &cache, spec);
    let ext = out.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let bytes = match ext.as_str() {
        "svg" => svg.into_bytes(),
        "png" => png(&svg, spec.scale)?,
        "pdf" => super::handout::pdf_pages([svg])?,
        other => return Err(format!("cannot write a map as .{other}")),
    };
    super::write::save_atomic(out, &bytes).map_err(|e| e.to_string())
}
