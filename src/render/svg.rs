//! The map as SVG: the same [`Scene`] the screen draws, written as vector
//! paths, so a printed handout looks like the screen. Text uses the bundled
//! Noto Sans SC, embedded when the SVG becomes a PDF.

use std::fmt::Write;

use super::scene::{Align, DOT_PX, DOTS_AS_IMAGE, Op, Scene};
use super::style::{Rgba, Stroke};

/// The font family exports ask for (the bundled Noto Sans SC subset).
pub const FONT_FAMILY: &str = "Noto Sans CJK SC";

/// Escapes text for XML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn paint(attr: &str, c: Rgba) -> String {
    if c.0[3] == 0 {
        return format!(r#" {attr}="none""#);
    }
    let mut s = format!(r#" {attr}="{}""#, c.hex());
    if c.0[3] < 255 {
        let _ = write!(s, r#" {attr}-opacity="{:.3}""#, c.0[3] as f32 / 255.0);
    }
    s
}

fn stroke(s: &Stroke) -> String {
    let mut out = paint("stroke", s.color);
    let _ = write!(out, r#" stroke-width="{:.2}" stroke-linejoin="round" stroke-linecap="round""#, s.width);
    if let Some([on, off]) = s.dash {
        let _ = write!(out, r#" stroke-dasharray="{on} {off}""#);
    }
    out
}

fn path_of(points: &[[f32; 2]], closed: bool, out: &mut String) {
    for (i, p) in points.iter().enumerate() {
        let _ = write!(out, "{}{:.2} {:.2} ", if i == 0 { 'M' } else { 'L' }, p[0], p[1]);
    }
    if closed {
        out.push('Z');
    }
}

/// The scene's drawing as an SVG group, its top-left at `(x, y)`, clipped to
/// `w × h` (the caller defines the clip path `clip_id`).
pub fn scene_group(scene: &Scene, x: f32, y: f32, clip_id: &str) -> String {
    let mut out = String::new();
    let _ = write!(out, r#"<g clip-path="url(#{clip_id})"><g transform="translate({x:.2} {y:.2})">"#);
    scene_geometry(scene, &mut out);
    label_elements(scene, &mut out);
    out.push_str("</g></g>");
    out
}

/// The background and the ops, in drawing order.
fn scene_geometry(scene: &Scene, out: &mut String) {
    let _ = write!(
        out,
        r#"<rect x="0" y="0" width="{:.2}" height="{:.2}"{}/>"#,
        scene.size[0],
        scene.size[1],
        paint("fill", scene.background)
    );
    // A crowded layer's dots are one image at twice the scene's resolution, put where the layer begins.
    let crowded = scene.dots_by_layer().map(|n| n >= DOTS_AS_IMAGE);
    let mut layer = None;
    for item in &scene.items {
        if crowded[item.layer as usize]
            && layer != Some(item.layer)
            && let Some(png) = super::raster::dots_png(scene, item.layer, 2.0)
        {
            use base64::Engine;
            let data = base64::engine::general_purpose::STANDARD.encode(png);
            let _ = write!(
                out,
                r#"<image x="0" y="0" width="{:.2}" height="{:.2}" preserveAspectRatio="none" xlink:href="data:image/png;base64,{data}"/>"#,
                scene.size[0], scene.size[1]
            );
        }
        layer = Some(item.layer);
        match &item.op {
            Op::Dot { .. } if crowded[item.layer as usize] => {}
            Op::Dot { at, color } => {
                let h = DOT_PX / 2.0;
                let _ = write!(
                    out,
                    r#"<rect x="{:.1}" y="{:.1}" width="{DOT_PX}" height="{DOT_PX}"{}/>"#,
                    at[0] - h,
                    at[1] - h,
                    paint("fill", *color)
                );
            }
            Op::Area { rings, fill, stroke: outline, .. } => {
                let mut d = String::new();
                for part in &scene.parts[rings.start as usize..rings.end as usize] {
                    path_of(&scene.points[part[0] as usize..part[1] as usize], true, &mut d);
                }
                let s = outline.as_ref().map(stroke).unwrap_or_else(|| " stroke=\"none\"".into());
                let _ = write!(out, r#"<path d="{d}" fill-rule="evenodd"{}{s}/>"#, paint("fill", *fill));
            }
            Op::Line { parts, stroke: s } => {
                let mut d = String::new();
                for part in &scene.parts[parts.start as usize..parts.end as usize] {
                    path_of(&scene.points[part[0] as usize..part[1] as usize], false, &mut d);
                }
                let _ = write!(out, r#"<path d="{d}" fill="none"{}/>"#, stroke(s));
            }
            Op::Marker { at, radius, fill, stroke: s } => {
                let _ = write!(
                    out,
                    r#"<circle cx="{:.2}" cy="{:.2}" r="{radius:.2}"{}{}/>"#,
                    at[0],
                    at[1],
                    paint("fill", *fill),
                    stroke(s)
                );
            }
        }
    }
}

/// Each label's leader (if any) and its lines of text, haloed.
fn label_elements(scene: &Scene, out: &mut String) {
    for l in &scene.labels {
        if let Some([a, b]) = l.leader {
            let _ = write!(
                out,
                r#"<path d="M{:.2} {:.2} L{:.2} {:.2}" fill="none" stroke-width="0.8"{}/><circle cx="{:.2}" cy="{:.2}" r="1.3"{}/>"#,
                a[0],
                a[1],
                b[0],
                b[1],
                paint("stroke", l.color),
                a[0],
                a[1],
                paint("fill", l.color)
            );
        }
        let anchor = if l.align == Align::Center { "middle" } else { "start" };
        for (line, [x, y]) in l.lines() {
            let _ = write!(
                out,
                r#"<text x="{:.2}" y="{:.2}" font-family="{FONT_FAMILY}" font-size="{:.1}" text-anchor="{anchor}" dominant-baseline="central" paint-order="stroke"{}{} stroke-width="3" stroke-linejoin="round">{}</text>"#,
                x,
                y,
                l.size,
                paint("fill", l.color),
                paint("stroke", l.halo),
                esc(line)
            );
        }
    }
}

/// A scale bar and a north arrow for a map box at `(x, y, w, h)`.
pub fn furniture(x: f32, y: f32, w: f32, h: f32, ground_mpp: f64, north_at: [f32; 2]) -> String {
    furniture_scaled(x, y, w, h, ground_mpp, north_at, None, 1.0)
}

/// A scale bar (with the numeric scale `1:N` beside it when given) and a
/// north arrow for a map box at `(x, y, w, h)`, sized by `u` (1 on A4).
/// The bar's path carries `class="scale-bar"`, its label `class="scale-bar-label"`.
#[allow(clippy::too_many_arguments)]
pub fn furniture_scaled(
    x: f32,
    y: f32,
    _w: f32,
    h: f32,
    ground_mpp: f64,
    north_at: [f32; 2],
    ratio: Option<u64>,
    u: f32,
) -> String {
    let bar = super::furniture::scale_bar(ground_mpp, 110.0 * u);
    let c = super::style::FURNITURE.hex();
    let (bx, by) = (x + 12.0 * u, y + h - 14.0 * u);
    let ratio_text = ratio.map(|n| format!("1:{n}"));
    let ratio_w = ratio_text.as_deref().map(|t| super::scene::text_width(t, 9.0 * u) + 10.0 * u).unwrap_or(0.0);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<rect x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}" rx="3" fill="white" fill-opacity="0.85"/>"#,
        bx - 6.0 * u,
        by - 18.0 * u,
        bar.pixels + 12.0 * u + ratio_w,
        24.0 * u
    );
    let _ = write!(
        out,
        r#"<path class="scale-bar" d="M{bx:.3} {:.3} L{bx:.3} {by:.3} L{:.3} {by:.3} L{:.3} {:.3}" fill="none" stroke="{c}" stroke-width="{:.2}"/>"#,
        by - 4.0 * u,
        bx + bar.pixels,
        bx + bar.pixels,
        by - 4.0 * u,
        1.5 * u
    );
    let _ = write!(
        out,
        r#"<text class="scale-bar-label" x="{bx:.2}" y="{:.2}" font-family="{FONT_FAMILY}" font-size="{:.1}" fill="{c}">{}</text>"#,
        by - 7.0 * u,
        8.0 * u,
        esc(&bar.label)
    );
    if let Some(t) = ratio_text {
        let _ = write!(
            out,
            r#"<text class="scale-ratio" x="{:.2}" y="{:.2}" font-family="{FONT_FAMILY}" font-size="{:.1}" fill="{c}">{t}</text>"#,
            bx + bar.pixels + 8.0 * u,
            by - 2.0 * u,
            9.0 * u
        );
    }
    let pts = super::furniture::north_arrow(22.0 * u);
    let mut d = String::new();
    for (i, p) in pts.iter().enumerate() {
        let _ = write!(d, "{}{:.2} {:.2} ", if i == 0 { 'M' } else { 'L' }, north_at[0] + p[0], north_at[1] + p[1]);
    }
    let _ = write!(
        out,
        r#"<circle cx="{:.2}" cy="{:.2}" r="{:.2}" fill="white" fill-opacity="0.85"/>"#,
        north_at[0],
        north_at[1],
        16.0 * u
    );
    let _ = write!(out, r#"<path d="{d}Z" fill="{c}"/>"#);
    let _ = write!(
        out,
        r#"<text x="{:.2}" y="{:.2}" font-family="{FONT_FAMILY}" font-size="{:.1}" text-anchor="middle" fill="{c}">N</text>"#,
        north_at[0],
        north_at[1] - 12.0 * u,
        7.0 * u
    );
    out
}
