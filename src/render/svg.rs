//! The map as SVG: the same [`Scene`] the screen draws, written as vector
//! paths, so a printed handout looks like the screen. Text uses the bundled
//! Noto Sans SC, embedded when the SVG becomes a PDF.

use std::fmt::Write;

use super::scene::{Align, Op, Scene};
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
    let _ = write!(
        out,
        r#"<rect x="0" y="0" width="{:.2}" height="{:.2}"{}/>"#,
        scene.size[0],
        scene.size[1],
        paint("fill", scene.background)
    );
    for item in &scene.items {
        match &item.op {
            Op::Area { verts, rings, fill, stroke: outline, .. } => {
                let mut d = String::new();
                if rings.is_empty() {
                    // A dot drawn as its quad.
                    path_of(&scene.points[verts.start as usize..verts.end as usize], true, &mut d);
                } else {
                    for part in &scene.parts[rings.start as usize..rings.end as usize] {
                        path_of(&scene.points[part[0] as usize..part[1] as usize], true, &mut d);
                    }
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
    for l in &scene.labels {
        let anchor = if l.align == Align::Center { "middle" } else { "start" };
        let _ = write!(
            out,
            r#"<text x="{:.2}" y="{:.2}" font-family="{FONT_FAMILY}" font-size="{:.1}" text-anchor="{anchor}" dominant-baseline="central" paint-order="stroke"{}{} stroke-width="3" stroke-linejoin="round">{}</text>"#,
            l.pos[0],
            l.pos[1],
            l.size,
            paint("fill", l.color),
            paint("stroke", l.halo),
            esc(&l.text)
        );
    }
    out.push_str("</g></g>");
    out
}

/// A scale bar and a north arrow for a map box at `(x, y, w, h)`.
pub fn furniture(x: f32, y: f32, _w: f32, h: f32, ground_mpp: f64, north_at: [f32; 2]) -> String {
    let bar = super::furniture::scale_bar(ground_mpp, 110.0);
    let c = super::style::FURNITURE.hex();
    let (bx, by) = (x + 12.0, y + h - 14.0);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<rect x="{:.2}" y="{:.2}" width="{:.2}" height="24" rx="3" fill="white" fill-opacity="0.85"/>"#,
        bx - 6.0,
        by - 18.0,
        bar.pixels + 12.0
    );
    let _ = write!(
        out,
        r#"<path d="M{bx:.2} {:.2} L{bx:.2} {by:.2} L{:.2} {by:.2} L{:.2} {:.2}" fill="none" stroke="{c}" stroke-width="1.5"/>"#,
        by - 4.0,
        bx + bar.pixels,
        bx + bar.pixels,
        by - 4.0
    );
    let _ = write!(
        out,
        r#"<text x="{bx:.2}" y="{:.2}" font-family="{FONT_FAMILY}" font-size="8" fill="{c}">{}</text>"#,
        by - 7.0,
        esc(&bar.label)
    );
    let pts = super::furniture::north_arrow(22.0);
    let mut d = String::new();
    for (i, p) in pts.iter().enumerate() {
        let _ = write!(d, "{}{:.2} {:.2} ", if i == 0 { 'M' } else { 'L' }, north_at[0] + p[0], north_at[1] + p[1]);
    }
    let _ = write!(
        out,
        r#"<circle cx="{:.2}" cy="{:.2}" r="16" fill="white" fill-opacity="0.85"/>"#,
        north_at[0], north_at[1]
    );
    let _ = write!(out, r#"<path d="{d}Z" fill="{c}"/>"#);
    let _ = write!(
        out,
        r#"<text x="{:.2}" y="{:.2}" font-family="{FONT_FAMILY}" font-size="7" text-anchor="middle" fill="{c}">N</text>"#,
        north_at[0],
        north_at[1] - 12.0
    );
    out
}
