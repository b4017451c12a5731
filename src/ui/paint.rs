//! Draws a [`Scene`] with egui: the screen's side of "one description of the map".

use eframe::egui::{self, Color32, Mesh, Painter, Pos2, Shape, epaint::Vertex};

use super::theme::color;
use crate::render::{Align, Op, Scene, furniture, style};

fn pos(offset: Pos2, p: [f32; 2]) -> Pos2 {
    Pos2::new(offset.x + p[0], offset.y + p[1])
}

fn stroke(s: &style::Stroke) -> egui::Stroke {
    egui::Stroke::new(s.width, color(s.color))
}

/// Paints the scene with its top-left at `offset`.
pub fn paint_scene(painter: &Painter, offset: Pos2, scene: &Scene) {
    let mut i = 0;
    while i < scene.items.len() {
        // One layer at a time: its fills as one mesh, then its lines and markers in order.
        let layer = scene.items[i].layer;
        let end = scene.items[i..].iter().position(|it| it.layer != layer).map_or(scene.items.len(), |n| i + n);
        let mut mesh = Mesh::default();
        let mut shapes = Vec::new();
        for item in &scene.items[i..end] {
            match &item.op {
                Op::Area { verts, tris, rings, fill, stroke: outline } => {
                    if fill.0[3] > 0 {
                        let base = mesh.vertices.len() as u32;
                        let c = color(*fill);
                        mesh.vertices.extend(
                            scene.points[verts.start as usize..verts.end as usize].iter().map(|p| Vertex {
                                pos: pos(offset, *p),
                                uv: egui::epaint::WHITE_UV,
                                color: c,
                            }),
                        );
                        mesh.indices.extend(
                            scene.tris[tris.start as usize..tris.end as usize].iter().map(|t| t - verts.start + base),
                        );
                    }
                    if let Some(s) = outline {
                        for part in &scene.parts[rings.start as usize..rings.end as usize] {
                            let pts: Vec<Pos2> = scene.points[part[0] as usize..part[1] as usize]
                                .iter()
                                .map(|p| pos(offset, *p))
                                .collect();
                            push_path(&mut shapes, pts, s, true);
                        }
                    }
                }
                Op::Line { parts, stroke: s } => {
                    for part in &scene.parts[parts.start as usize..parts.end as usize] {
                        let pts: Vec<Pos2> =
                            scene.points[part[0] as usize..part[1] as usize].iter().map(|p| pos(offset, *p)).collect();
                        push_path(&mut shapes, pts, s, false);
                    }
                }
                Op::Marker { at, radius, fill, stroke: s } => {
                    shapes.push(Shape::circle_filled(pos(offset, *at), *radius, color(*fill)));
                    shapes.push(Shape::circle_stroke(pos(offset, *at), *radius, stroke(s)));
                }
            }
        }
        if !mesh.is_empty() {
            painter.add(Shape::mesh(mesh));
        }
        painter.extend(shapes);
        i = end;
    }
    for l in &scene.labels {
        if let Some([a, b]) = l.leader {
            painter.line_segment([pos(offset, a), pos(offset, b)], egui::Stroke::new(0.8, color(l.color)));
            painter.circle_filled(pos(offset, a), 1.5, color(l.color));
        }
        // One galley a line, each centred (or left-aligned) on the label's position.
        let lines: Vec<&str> = l.text.split('\n').collect();
        let step = l.size * crate::render::scene::LINE_HEIGHT;
        for (i, line) in lines.iter().enumerate() {
            let galley = painter.layout_no_wrap(line.to_string(), egui::FontId::proportional(l.size), color(l.color));
            let size = galley.size();
            let y = offset.y + l.pos[1] + (i as f32 - (lines.len() - 1) as f32 / 2.0) * step - size.y / 2.0;
            let top_left = match l.align {
                Align::Center => Pos2::new(offset.x + l.pos[0] - size.x / 2.0, y),
                Align::Left => Pos2::new(offset.x + l.pos[0], y),
            };
            let halo = color(l.halo);
            for d in [egui::vec2(-1.0, 0.0), egui::vec2(1.0, 0.0), egui::vec2(0.0, -1.0), egui::vec2(0.0, 1.0)] {
                painter.galley_with_override_text_color(top_left + d, galley.clone(), halo);
            }
            painter.galley(top_left, galley, color(l.color));
        }
    }
}

fn push_path(shapes: &mut Vec<Shape>, mut pts: Vec<Pos2>, s: &style::Stroke, closed: bool) {
    if pts.len() < 2 {
        return;
    }
    match s.dash {
        Some([on, off]) => {
            if closed {
                pts.push(pts[0]);
            }
            shapes.extend(Shape::dashed_line(&pts, stroke(s), on, off));
        }
        None if closed => shapes.push(Shape::closed_line(pts, stroke(s))),
        None => shapes.push(Shape::line(pts, stroke(s))),
    }
}

/// Draws the scale bar (bottom-left) and north arrow (top-right) inside `rect`.
pub fn paint_furniture(painter: &Painter, rect: egui::Rect, ground_mpp: f64) {
    let bar = furniture::scale_bar(ground_mpp, 140.0);
    let fg = color(style::FURNITURE);
    let bg = color(style::FURNITURE_BG);
    let origin = Pos2::new(rect.left() + 16.0, rect.bottom() - 18.0);
    let font = egui::FontId::proportional(12.0);
    let label = painter.layout_no_wrap(bar.label.clone(), font, fg);
    let box_rect = egui::Rect::from_min_max(
        Pos2::new(origin.x - 8.0, origin.y - 22.0),
        Pos2::new(origin.x + bar.pixels.max(label.size().x) + 8.0, origin.y + 8.0),
    );
    painter.rect_filled(box_rect, 4.0, bg);
    let s = egui::Stroke::new(2.0, fg);
    let end = Pos2::new(origin.x + bar.pixels, origin.y);
    painter.line_segment([origin, end], s);
    painter.line_segment([origin, origin - egui::vec2(0.0, 6.0)], s);
    painter.line_segment([end, end - egui::vec2(0.0, 6.0)], s);
    let half = Pos2::new(origin.x + bar.pixels / 2.0, origin.y);
    painter.line_segment([half, half - egui::vec2(0.0, 4.0)], egui::Stroke::new(1.0, fg));
    painter.galley(Pos2::new(origin.x, origin.y - 21.0), label, fg);

    let c = Pos2::new(rect.right() - 30.0, rect.top() + 38.0);
    painter.circle_filled(c, 22.0, bg);
    let pts: Vec<Pos2> = furniture::north_arrow(26.0).iter().map(|p| Pos2::new(c.x + p[0], c.y + p[1] + 3.0)).collect();
    painter.add(Shape::convex_polygon(vec![pts[0], pts[1], pts[2]], fg, egui::Stroke::NONE));
    painter.add(Shape::convex_polygon(vec![pts[0], pts[2], pts[3]], Color32::from_gray(140), egui::Stroke::NONE));
    painter.text(Pos2::new(c.x, c.y - 14.0), egui::Align2::CENTER_BOTTOM, "N", egui::FontId::proportional(11.0), fg);
}
