//! Draws a [`Scene`] with egui: the screen's side of "one description of the map".

use eframe::egui::{self, Color32, Mesh, Painter, Pos2, Shape, epaint::Vertex};

use super::theme::color;
use crate::render::scene::{DOT_PX, DOTS_AS_IMAGE};
use crate::render::{Align, Op, Scene, furniture, style};

fn pos(offset: Pos2, p: [f32; 2]) -> Pos2 {
    Pos2::new(offset.x + p[0], offset.y + p[1])
}

fn stroke(s: &style::Stroke) -> egui::Stroke {
    egui::Stroke::new(s.width, color(s.color))
}

/// A scene's dots as images, one a layer that has many ([`DOTS_AS_IMAGE`]):
/// made once when the scene is, kept with it, so a frame of a crowded city
/// at full extent sends the GPU one textured quad instead of a million.
#[derive(Default)]
pub struct DotImages {
    layers: Vec<(u8, egui::TextureHandle)>,
}

impl DotImages {
    /// Draws each crowded layer's dots into an image at the screen's pixel
    /// density, as SVG and PDF embed them (`render::raster::dots_pixmap`).
    pub fn new(ctx: &egui::Context, scene: &Scene) -> Self {
        let ppp = ctx.pixels_per_point();
        let layers = (0..=u8::MAX)
            .zip(scene.dots_by_layer())
            .filter(|(_, n)| *n >= DOTS_AS_IMAGE)
            .filter_map(|(layer, _)| {
                let pixmap = crate::render::raster::dots_pixmap(scene, layer, ppp)?;
                let size = [pixmap.width() as usize, pixmap.height() as usize];
                let image = egui::ColorImage::from_rgba_premultiplied(size, pixmap.data());
                Some((layer, ctx.load_texture(format!("map-dots-{layer}"), image, egui::TextureOptions::NEAREST)))
            })
            .collect();
        DotImages { layers }
    }

    fn of(&self, layer: u8) -> Option<&egui::TextureHandle> {
        self.layers.iter().find(|(l, _)| *l == layer).map(|(_, t)| t)
    }
}

/// One layer of a scene as egui shapes: the image of its dots (when crowded),
/// then its fills as one mesh, then its outlines, lines and markers in order.
struct Layer {
    image: Option<egui::TextureId>,
    fills: Mesh,
    shapes: Vec<Shape>,
}

/// The scene's layers as egui shapes, its top-left at `offset`.
fn layers(scene: &Scene, offset: Pos2, dots: Option<&DotImages>) -> Vec<Layer> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < scene.items.len() {
        let layer = scene.items[i].layer;
        let end = scene.items[i..].iter().position(|it| it.layer != layer).map_or(scene.items.len(), |n| i + n);
        let image = dots.and_then(|d| d.of(layer)).map(|t| t.id());
        let mut mesh = Mesh::default();
        let mut shapes = Vec::new();
        for item in &scene.items[i..end] {
            match &item.op {
                Op::Dot { .. } if image.is_some() => {}
                Op::Dot { at, color: c } => {
                    let h = DOT_PX / 2.0;
                    let r = egui::Rect::from_min_max(
                        pos(offset, [at[0] - h, at[1] - h]),
                        pos(offset, [at[0] + h, at[1] + h]),
                    );
                    mesh.add_colored_rect(r, color(*c));
                }
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
        out.push(Layer { image, fills: mesh, shapes });
        i = end;
    }
    out
}

const FULL_UV: egui::Rect = egui::Rect { min: Pos2::ZERO, max: Pos2 { x: 1.0, y: 1.0 } };

/// A scene made ready to paint once, when it is made: its crowded layers' dots
/// as images ([`DotImages`]) and each layer's fills, outlines, lines and markers
/// tessellated into one mesh, as egui would tessellate them every frame. A frame
/// that shows the same scene (the pointer moving, a pan of a slow scene) hands
/// egui these meshes, moved if the scene is shown shifted, and lays out its labels.
pub struct Painted {
    offset: Pos2,
    /// Each layer's dot image and its kept mesh (drawn from GPU buffers when
    /// the window has a GL context, [`super::gpu`]).
    layers: Vec<(Option<egui::TextureId>, std::sync::Arc<super::gpu::Kept>)>,
    /// Keeps the dot images' textures alive while the meshes refer to them.
    _dots: DotImages,
    /// The whole scene as one image, when it is too large for meshes.
    _overview: Option<egui::TextureHandle>,
}

/// A scene with more points than this is drawn as one image ([`Painted`]'s overview).
const OVERVIEW_POINTS: usize = 400_000;

impl Painted {
    pub fn new(ctx: &egui::Context, scene: &Scene, offset: Pos2) -> Self {
        if scene.points.len() > OVERVIEW_POINTS {
            return Painted::overview(ctx, scene, offset);
        }
        let dots = DotImages::new(ctx, scene);
        let options = ctx.options(|o| o.tessellation_options);
        // No text is tessellated here (labels are laid out each frame), so the font
        // texture's size is never used; small circles are tessellated as paths.
        let mut tess = egui::epaint::Tessellator::new(ctx.pixels_per_point(), options, [1024, 1024], Vec::new());
        let layers = layers(scene, offset, Some(&dots))
            .into_iter()
            .map(|l| {
                let mut mesh = Mesh::default();
                if !l.fills.is_empty() {
                    tess.tessellate_shape(Shape::mesh(l.fills), &mut mesh);
                }
                for shape in l.shapes {
                    tess.tessellate_shape(shape, &mut mesh);
                }
                (l.image, std::sync::Arc::new(super::gpu::Kept::new(mesh)))
            })
            .collect();
        Painted { offset, layers, _dots: dots, _overview: None }
    }

    /// A scene too large to hand the GPU as meshes every frame (a city's streets at
    /// full extent: millions of vertices, which software GL draws in half a second)
    /// drawn once into one image at the screen's pixel density by the rasteriser
    /// PNG maps use (`render::raster::draw_geometry`, so screen and print agree);
    /// each frame then draws one textured quad, and the labels.
    fn overview(ctx: &egui::Context, scene: &Scene, offset: Pos2) -> Self {
        let ppp = ctx.pixels_per_point();
        let (w, h) = ((scene.size[0] * ppp).ceil().max(1.0) as u32, (scene.size[1] * ppp).ceil().max(1.0) as u32);
        let texture = tiny_skia::Pixmap::new(w, h).map(|mut pixmap| {
            crate::render::raster::draw_geometry(scene, &mut pixmap.as_mut(), [0.0, 0.0], ppp, None);
            let image = egui::ColorImage::from_rgba_premultiplied([w as usize, h as usize], pixmap.data());
            ctx.load_texture("map-overview", image, egui::TextureOptions::LINEAR)
        });
        let layers = texture
            .iter()
            .map(|t| (Some(t.id()), std::sync::Arc::new(super::gpu::Kept::new(Mesh::default()))))
            .collect();
        Painted { offset, layers, _dots: DotImages::default(), _overview: texture }
    }

    /// Paints the scene this was made from with its top-left at `offset`, moved and
    /// scaled by `change` (in the scene's own pixels; identity: as made). Labels keep their size.
    pub fn paint(&self, painter: &Painter, scene: &Scene, offset: Pos2, change: egui::emath::TSTransform) {
        // From where the meshes were made to the screen: into the scene's pixels, changed, back out at `offset`.
        let s = change.scaling;
        let xf = egui::emath::TSTransform::new(offset.to_vec2() + change.translation - self.offset.to_vec2() * s, s);
        let place = |p: [f32; 2]| change * Pos2::new(p[0], p[1]) + offset.to_vec2();
        let gpu = super::gpu::enabled();
        for (image, kept) in &self.layers {
            if let Some(t) = image {
                let rect = egui::Rect::from_min_max(place([0.0, 0.0]), place(scene.size));
                painter.image(*t, rect, FULL_UV, Color32::WHITE);
            }
            let mesh = &kept.mesh;
            if mesh.is_empty() {
                continue;
            }
            if gpu {
                // Uploaded once, then moved and scaled on the GPU.
                painter.add(super::gpu::callback(kept.clone(), xf, painter.clip_rect()));
            } else if xf == egui::emath::TSTransform::IDENTITY {
                painter.add(Shape::Mesh(mesh.clone()));
            } else {
                let mut moved = Mesh::clone(mesh);
                moved.transform(xf);
                painter.add(Shape::mesh(moved));
            }
        }
        paint_labels(painter, scene, place);
    }
}

/// Paints the scene with its top-left at `offset` (its shapes made now: for a
/// small scene such as the pointer's highlight; the map's own is [`Painted`]).
pub fn paint_scene(painter: &Painter, offset: Pos2, scene: &Scene) {
    for l in layers(scene, offset, None) {
        if !l.fills.is_empty() {
            painter.add(Shape::mesh(l.fills));
        }
        painter.extend(l.shapes);
    }
    paint_labels(painter, scene, |p| pos(offset, p));
}

/// Paints the scene's labels (leaders, halos, text), each scene position put on the screen by `place`.
fn paint_labels(painter: &Painter, scene: &Scene, place: impl Fn([f32; 2]) -> Pos2) {
    for l in &scene.labels {
        if let Some([a, b]) = l.leader {
            painter.line_segment([place(a), place(b)], egui::Stroke::new(0.8, color(l.color)));
            painter.circle_filled(place(a), 1.5, color(l.color));
        }
        // One galley a line, each centred (or left-aligned) on the label's position.
        let lines: Vec<&str> = l.text.split('\n').collect();
        let step = l.size * crate::render::scene::LINE_HEIGHT;
        for (i, line) in lines.iter().enumerate() {
            let galley = painter.layout_no_wrap(line.to_string(), egui::FontId::proportional(l.size), color(l.color));
            let size = galley.size();
            let at = place(l.pos);
            let y = at.y + (i as f32 - (lines.len() - 1) as f32 / 2.0) * step - size.y / 2.0;
            let top_left = match l.align {
                Align::Center => Pos2::new(at.x - size.x / 2.0, y),
                Align::Left => Pos2::new(at.x, y),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A scene too large for meshes (a million buildings' streets at full extent) is
    /// one image and no vertices; a smaller one is meshes.
    #[test]
    fn a_huge_scene_is_painted_as_one_image() {
        use crate::render::{Item, style};
        let mut scene = Scene::default();
        scene.size = [800.0, 600.0];
        let n = OVERVIEW_POINTS as u32 + 1;
        scene.points = (0..n).map(|i| [(i % 800) as f32, (i / 800 % 600) as f32]).collect();
        let line = Op::Line { parts: 0..1, stroke: style::Stroke::solid(1.0, style::Rgba::new(40, 40, 40, 255)) };
        scene.parts = vec![[0, n]];
        scene.items = vec![Item { feature: crate::model::FeatureId(0), layer: 2, op: line }];
        let ctx = egui::Context::default();
        let big = Painted::new(&ctx, &scene, Pos2::ZERO);
        assert_eq!(big.layers.len(), 1);
        assert!(big.layers[0].0.is_some() && big.layers[0].1.mesh.vertices.is_empty(), "one image, no vertices");
        scene.points.truncate(1_000);
        scene.parts = vec![[0, 1_000]];
        let small = Painted::new(&ctx, &scene, Pos2::ZERO);
        assert!(small.layers.iter().all(|(image, _)| image.is_none()));
        assert!(small.layers.iter().map(|(_, m)| m.mesh.vertices.len()).sum::<usize>() > 1_000, "meshes");
    }

    /// The meshes made once a scene are what egui would have tessellated from the
    /// scene's shapes each frame: the same vertices (point symbols aside — egui draws
    /// small circles from its font atlas, the kept meshes as paths — so they are hidden here).
    #[test]
    fn a_painted_scene_is_what_painting_it_each_frame_gives() {
        use crate::render::{Camera, GeometryCache, SceneOptions, kind_slot};
        let doc = crate::document::Document::jinsong();
        let cache = GeometryCache::build(doc.plan());
        let cam = Camera::fit(doc.index().extent().expect("extent"), [1280.0, 800.0], 30.0);
        let mut opts = SceneOptions { phase: crate::model::Phase::After, ..SceneOptions::default() };
        for k in [crate::model::Kind::Node, crate::model::Kind::Core] {
            opts.visible[kind_slot(k)] = false;
        }
        let scene = Scene::build(doc.plan(), doc.index(), &cache, &cam, &opts);
        assert!(scene.items.len() > 50, "{} items", scene.items.len());
        let ctx = egui::Context::default();
        crate::ui::install_fonts(&ctx);
        // A screen larger than the scene, so egui culls nothing the kept meshes hold.
        let input = || egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(Pos2::ZERO, egui::vec2(3000.0, 3000.0))),
            ..Default::default()
        };
        let at = Pos2::new(20.0, 30.0);
        let vertices = |paint: &dyn Fn(&Painter)| {
            let mut out = ctx.run_ui(input(), |ui| paint(&ui.ctx().layer_painter(egui::LayerId::background())));
            out.textures_delta.clear();
            let mut v: Vec<(i64, i64, [u8; 4])> = ctx
                .tessellate(out.shapes, out.pixels_per_point)
                .iter()
                .filter_map(|p| match &p.primitive {
                    egui::epaint::Primitive::Mesh(m) => Some(m.vertices.clone()),
                    egui::epaint::Primitive::Callback(_) => None,
                })
                .flatten()
                .map(|v| ((v.pos.x * 100.0).round() as i64, (v.pos.y * 100.0).round() as i64, v.color.to_array()))
                .collect();
            v.sort_unstable();
            v
        };
        let each_frame = vertices(&|p| paint_scene(p, at, &scene));
        let painted = Painted::new(&ctx, &scene, at);
        let kept = vertices(&|p| painted.paint(p, &scene, at, egui::emath::TSTransform::IDENTITY));
        assert!(each_frame.len() > 1_000, "{} vertices", each_frame.len());
        assert_eq!(kept.len(), each_frame.len());
        assert!(kept == each_frame, "the same vertices");
        // Shown shifted (a pan), every vertex moves by the shift.
        let shift = egui::emath::TSTransform::from_translation(egui::vec2(7.0, -3.0));
        let moved = vertices(&|p| painted.paint(p, &scene, at, shift));
        let back: Vec<_> = moved.iter().map(|(x, y, c)| (x - 700, y + 300, *c)).collect();
        let mut back = back;
        back.sort_unstable();
        assert!(back == each_frame, "shifted by exactly the pan");
    }
}
