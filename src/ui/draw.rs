//! Drawing and editing on the map: the tools (select, point, line, polygon,
//! rectangle, measure), vertex handles, snapping and the live preview. The
//! plan changes only when a gesture ends: a finished shape is one
//! `AddFeature` edit, a vertex drag one `SetGeometry` edit.

use eframe::egui::{self, Color32, Pos2, Response, Stroke};
use geo::{Coord, Geometry, LineString, Point, Polygon};

use super::action::Action;
use super::app::PlannerApp;
use super::message::Message;
use crate::edit::{Edit, EditLabel};
use crate::model::geom_edit::{self, VertexRef};
use crate::model::measure::{area_m2, format_area, format_length, length_m};
use crate::model::phase::{geometry_in, presence};
use crate::model::snap::{SnapTarget, snap};
use crate::model::{Change, ChangeKind, FeatureId, Kind, Phase, Presence};
use crate::render::Camera;

/// The active map tool.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tool {
    #[default]
    Select,
    Point,
    Line,
    Polygon,
    Rect,
    /// Distance and area, changing nothing.
    Measure,
}

impl Tool {
    pub const ALL: [Tool; 6] = [Tool::Select, Tool::Point, Tool::Line, Tool::Polygon, Tool::Rect, Tool::Measure];

    /// The key that picks the tool.
    pub fn key(self) -> egui::Key {
        match self {
            Tool::Select => egui::Key::S,
            Tool::Point => egui::Key::P,
            Tool::Line => egui::Key::L,
            Tool::Polygon => egui::Key::G,
            Tool::Rect => egui::Key::R,
            Tool::Measure => egui::Key::M,
        }
    }

    pub fn name(self, s: &crate::i18n::Strings) -> &'static str {
        match self {
            Tool::Select => s.tool_select,
            Tool::Point => s.tool_point,
            Tool::Line => s.tool_line,
            Tool::Polygon => s.tool_polygon,
            Tool::Rect => s.tool_rect,
            Tool::Measure => s.tool_measure,
        }
    }
}

/// What a drag in the select tool is doing to the selected feature.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DragKind {
    Vertex(VertexRef),
    /// Dragging an edge's midpoint inserts a vertex after this one.
    Midpoint(VertexRef),
    /// The whole feature, from where the drag started (lon, lat).
    Move([f64; 2]),
}

/// A drag on the selected feature, with the geometry it would make.
#[derive(Clone, Debug)]
pub struct GeomDrag {
    pub feature: FeatureId,
    pub kind: DragKind,
    pub preview: Option<Geometry<f64>>,
}

/// The shape being drawn or measured, in longitude/latitude.
#[derive(Clone, Debug, Default)]
pub struct Sketch {
    pub points: Vec<[f64; 2]>,
    /// A finished measurement stays on screen until the next click.
    pub done: bool,
}

/// Handle pick radius and snapping tolerance, in pixels.
const HANDLE_PX: f32 = 8.0;
const SNAP_PX: f64 = 10.0;
const ACCENT: Color32 = Color32::from_rgb(230, 90, 0);

fn to_screen(cam: &Camera, rect: egui::Rect, ll: [f64; 2]) -> Pos2 {
    let p = cam.lonlat_to_screen(ll[0], ll[1]);
    Pos2::new(rect.left() + p[0], rect.top() + p[1])
}

fn to_lonlat(cam: &Camera, rect: egui::Rect, p: Pos2) -> [f64; 2] {
    cam.screen_to_lonlat([p.x - rect.left(), p.y - rect.top()])
}

/// The cursor position, snapped unless Alt is held.
fn snapped(
    app: &mut PlannerApp,
    cam: &Camera,
    rect: egui::Rect,
    p: Pos2,
    alt: bool,
    exclude: Option<FeatureId>,
) -> [f64; 2] {
    let ll = to_lonlat(cam, rect, p);
    app.snap = None;
    if alt {
        return ll;
    }
    let s = snap(app.doc.plan(), app.doc.index(), ll[0], ll[1], SNAP_PX * cam.ground_mpp(), exclude);
    app.snap = s;
    s.map(|s| [s.at.x, s.at.y]).unwrap_or(ll)
}

/// The geometry a sketch makes for a tool (None if too few points).
pub fn sketch_geometry(tool: Tool, pts: &[[f64; 2]]) -> Option<Geometry<f64>> {
    let c = |p: &[f64; 2]| Coord { x: p[0], y: p[1] };
    match tool {
        Tool::Point => pts.first().map(|p| Geometry::Point(Point(c(p)))),
        Tool::Line if pts.len() >= 2 => Some(Geometry::LineString(LineString::new(pts.iter().map(c).collect()))),
        Tool::Polygon if pts.len() >= 3 => {
            Some(Geometry::Polygon(Polygon::new(LineString::new(pts.iter().map(c).collect()), vec![])))
        }
        Tool::Rect if pts.len() >= 2 => {
            let (a, b) = (pts[0], pts[pts.len() - 1]);
            let ring = vec![c(&a), c(&[b[0], a[1]]), c(&b), c(&[a[0], b[1]])];
            Some(Geometry::Polygon(Polygon::new(LineString::new(ring), vec![])))
        }
        _ => None,
    }
}

/// Finishes the sketch: a new feature (one undo step), or a kept measurement.
pub fn finish(app: &mut PlannerApp) -> Vec<Action> {
    if app.tool == Tool::Measure {
        app.sketch.done = true;
        return Vec::new();
    }
    let geometry = sketch_geometry(app.tool, &app.sketch.points);
    app.sketch = Sketch::default();
    let Some(geometry) = geometry else { return Vec::new() };
    let kind = match app.tool {
        Tool::Point => Kind::Node,
        Tool::Line => Kind::Street,
        _ => Kind::Other,
    };
    let (id, key) = app.doc.plan().next_feature();
    let mut props = serde_json::Map::new();
    props.insert("kind".into(), serde_json::Value::String(kind.as_str().into()));
    // Drawn while looking at the plan after renewal, it is new in the after state;
    // drawn in the before phase, it corrects the district as it is.
    let change = (app.active_phase != Phase::Before).then(|| Change::new(ChangeKind::Added));
    let feature = crate::model::Feature {
        source_id: Some(key.into()),
        kind,
        properties: props.into(),
        geometry,
        change: change.map(Box::new),
    };
    vec![
        Action::Edit(Edit::AddFeature { id, feature: Box::new(feature), label: EditLabel::DrawFeature }),
        Action::Select(Some(id)),
    ]
}

/// The edit that gives a feature a new geometry in the phase being edited:
/// its own geometry in the before phase (and for features new in the after
/// state), otherwise its after geometry (making it modified).
pub fn geometry_edit(app: &PlannerApp, feature: FeatureId, geometry: Geometry<f64>, label: EditLabel) -> Edit {
    let change = app.doc.plan().get(feature).and_then(|f| f.change.clone());
    let own = app.active_phase == Phase::Before || change.as_ref().is_some_and(|c| c.kind == ChangeKind::Added);
    if own {
        return Edit::SetGeometry { feature, geometry: Box::new(geometry), label };
    }
    let mut c = change
        .filter(|c| c.kind == ChangeKind::Modified)
        .unwrap_or_else(|| Box::new(Change::new(ChangeKind::Modified)));
    c.after_geometry = Some(geometry);
    Edit::SetChange { feature, change: Some(c), label }
}

/// The geometry of a feature as the phase being edited shows it.
fn shown_geometry(app: &PlannerApp, f: &crate::model::Feature) -> Geometry<f64> {
    match presence(app.doc.plan(), f, &app.active_phase) {
        Presence::Absent => f.geometry.clone(),
        p => geometry_in(f, p).clone(),
    }
}

/// Pointer input for the drawing tools. Returns the actions and whether it
/// used the drag (so the map does not pan).
pub fn interact(
    ui: &egui::Ui,
    response: &Response,
    rect: egui::Rect,
    cam: &Camera,
    app: &mut PlannerApp,
) -> (Vec<Action>, bool) {
    let mut out = Vec::new();
    let alt = ui.input(|i| i.modifiers.alt);
    match app.tool {
        Tool::Select => return select_tool(ui, response, rect, cam, app),
        tool => {
            let hover = response.hover_pos().map(|p| snapped(app, cam, rect, p, alt, None));
            app.sketch_cursor = hover;
            if response.double_clicked() {
                // The double-click's first click already added this point.
                out.extend(finish(app));
            } else if response.clicked()
                && let Some(ll) = hover
            {
                if app.sketch.done {
                    app.sketch = Sketch::default();
                }
                if app.sketch.points.last() != Some(&ll) {
                    app.sketch.points.push(ll);
                }
                let complete = match tool {
                    Tool::Point => true,
                    Tool::Rect => app.sketch.points.len() >= 2,
                    _ => false,
                };
                if complete {
                    out.extend(finish(app));
                }
            }
        }
    }
    (out, false)
}

/// True when the selected feature shows handles and can be reshaped: the edit
/// toggle is on (never while presenting).
pub fn editing(app: &PlannerApp) -> bool {
    app.editing && app.presenting.is_none()
}

/// The select tool: handles of the selected feature, vertex drags, moves and
/// deletes, with the edit toggle on. Returns whether the drag was used: a drag
/// that starts on a handle or the feature is the edit's, never the map's pan.
fn select_tool(
    ui: &egui::Ui,
    response: &Response,
    rect: egui::Rect,
    cam: &Camera,
    app: &mut PlannerApp,
) -> (Vec<Action>, bool) {
    let mut out = Vec::new();
    let alt = ui.input(|i| i.modifiers.alt);
    let shift = ui.input(|i| i.modifiers.shift);
    let selected = app.selected();
    let target = (selected.len() == 1 && editing(app)).then(|| selected[0]);
    let Some(fid) = target else {
        app.drag = None;
        return (out, false);
    };
    let Some(geom) = app.doc.plan().get(fid).map(|f| shown_geometry(app, f)) else { return (out, false) };
    let near = |p: Pos2, list: &[(VertexRef, Coord<f64>)]| {
        list.iter()
            .map(|(v, c)| (*v, to_screen(cam, rect, [c.x, c.y]).distance(p)))
            .filter(|(_, d)| *d <= HANDLE_PX)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(v, _)| v)
    };
    let verts = geom_edit::vertices(&geom);
    let mids = geom_edit::midpoints(&geom);

    // Right-click on a vertex deletes it.
    if response.secondary_clicked()
        && let Some(p) = response.interact_pointer_pos()
        && let Some(v) = near(p, &verts)
    {
        match geom_edit::delete_vertex(&geom, v) {
            Ok(g) => out.push(Action::Edit(geometry_edit(app, fid, g, EditLabel::DeleteVertex))),
            Err(e) => out.push(Action::Status(Message::CannotDeleteVertex(e.to_string()))),
        }
        return (out, true);
    }

    // Where the button went down, not where the drag was recognised a few pixels later.
    let press = ui.input(|i| i.pointer.press_origin());
    if response.drag_started()
        && !shift
        && let Some(p) = press.or(response.interact_pointer_pos())
    {
        let kind = if let Some(v) = near(p, &verts) {
            Some(DragKind::Vertex(v))
        } else if let Some(v) = near(p, &mids) {
            Some(DragKind::Midpoint(v))
        } else {
            let ll = to_lonlat(cam, rect, p);
            let hit =
                app.doc.index().hit_test_in(app.doc.plan(), ll[0], ll[1], 5.0 * cam.ground_mpp(), &app.active_phase);
            (hit == Some(fid)).then_some(DragKind::Move(ll))
        };
        app.drag = kind.map(|kind| GeomDrag { feature: fid, kind, preview: None });
    }
    let Some(drag) = app.drag.clone() else { return (out, false) };
    if let Some(p) = response.interact_pointer_pos().or(response.hover_pos()) {
        let preview = match drag.kind {
            DragKind::Vertex(v) => {
                let ll = snapped(app, cam, rect, p, alt, Some(fid));
                geom_edit::move_vertex(&geom, v, Coord { x: ll[0], y: ll[1] }).ok()
            }
            DragKind::Midpoint(v) => {
                let ll = snapped(app, cam, rect, p, alt, Some(fid));
                geom_edit::insert_vertex(&geom, v, Coord { x: ll[0], y: ll[1] }).ok()
            }
            DragKind::Move(start) => {
                let ll = to_lonlat(cam, rect, p);
                Some(geom_edit::translate(&geom, ll[0] - start[0], ll[1] - start[1]))
            }
        };
        if let Some(d) = app.drag.as_mut() {
            d.preview = preview;
        }
    }
    if response.drag_stopped() {
        if let Some(GeomDrag { feature, kind, preview: Some(g) }) = app.drag.take()
            && g != geom
        {
            let label = match kind {
                DragKind::Vertex(_) => EditLabel::MoveVertex,
                DragKind::Midpoint(_) => EditLabel::InsertVertex,
                DragKind::Move(_) => EditLabel::MoveFeature,
            };
            out.push(Action::Edit(geometry_edit(app, feature, g, label)));
        }
        app.drag = None;
        app.snap = None;
    }
    (out, true)
}

/// Draws the sketch, the measurement, the handles of the selected feature,
/// the drag preview and the snap marker.
pub fn paint(painter: &egui::Painter, rect: egui::Rect, cam: &Camera, app: &PlannerApp) {
    let s = app.lang.strings();
    let line = Stroke::new(2.0, ACCENT);
    let font = egui::FontId::proportional(13.0);
    // The sketch, with the cursor as its next point.
    if app.tool != Tool::Select && !app.sketch.points.is_empty() {
        let mut pts = app.sketch.points.clone();
        if !app.sketch.done
            && let Some(c) = app.sketch_cursor
        {
            pts.push(c);
        }
        let shape_tool = if app.tool == Tool::Measure { Tool::Polygon } else { app.tool };
        let screen: Vec<Pos2> = if app.tool == Tool::Rect && pts.len() >= 2 {
            match sketch_geometry(Tool::Rect, &pts) {
                Some(Geometry::Polygon(p)) => p.exterior().0.iter().map(|c| to_screen(cam, rect, [c.x, c.y])).collect(),
                _ => Vec::new(),
            }
        } else {
            pts.iter().map(|p| to_screen(cam, rect, *p)).collect()
        };
        painter.add(egui::Shape::line(screen.clone(), line));
        if screen.len() >= 3 && matches!(shape_tool, Tool::Polygon) {
            painter.extend(egui::Shape::dashed_line(&[screen[screen.len() - 1], screen[0]], line, 6.0, 4.0));
        }
        for p in &screen {
            painter.circle(*p, 3.5, Color32::WHITE, line);
        }
        // Length and area as you draw.
        let mut text = Vec::new();
        if pts.len() >= 2 && app.tool != Tool::Rect {
            let l = length_m(&Geometry::LineString(LineString::new(
                pts.iter().map(|p| Coord { x: p[0], y: p[1] }).collect(),
            )));
            text.push(format!("{} {}", s.distance, format_length(l)));
        }
        if let Some(g) = sketch_geometry(if app.tool == Tool::Measure { Tool::Polygon } else { app.tool }, &pts)
            && matches!(g, Geometry::Polygon(_))
        {
            text.push(format!("{} {}", s.area, format_area(area_m2(&g))));
        }
        if let Some(last) = screen.last()
            && !text.is_empty()
        {
            let galley = painter.layout_no_wrap(text.join("  "), font.clone(), Color32::BLACK);
            let at = *last + egui::vec2(12.0, -24.0);
            painter.rect_filled(
                egui::Rect::from_min_size(at, galley.size()).expand(4.0),
                4.0,
                Color32::from_white_alpha(230),
            );
            painter.galley(at, galley, Color32::BLACK);
        }
    }
    // Handles of the selected feature (select tool, edit toggle on).
    if app.tool == Tool::Select
        && editing(app)
        && let [fid] = app.selected()[..]
        && let Some(f) = app.doc.plan().get(fid)
    {
        let g = app.drag.as_ref().and_then(|d| d.preview.clone()).unwrap_or_else(|| shown_geometry(app, f));
        if let Some(d) = &app.drag
            && d.preview.is_some()
        {
            for ring in outline(&g) {
                let pts: Vec<Pos2> = ring.iter().map(|c| to_screen(cam, rect, [c.x, c.y])).collect();
                painter.add(egui::Shape::line(pts, Stroke::new(2.0, ACCENT)));
            }
        }
        let many = geom_edit::vertices(&g).len() > 2000;
        if !many {
            for (_, c) in geom_edit::midpoints(&g) {
                painter.circle(
                    to_screen(cam, rect, [c.x, c.y]),
                    3.0,
                    Color32::from_white_alpha(200),
                    Stroke::new(1.0, ACCENT),
                );
            }
            for (_, c) in geom_edit::vertices(&g) {
                let p = to_screen(cam, rect, [c.x, c.y]);
                painter.rect(
                    egui::Rect::from_center_size(p, egui::vec2(8.0, 8.0)),
                    1.0,
                    Color32::WHITE,
                    Stroke::new(1.5, ACCENT),
                    egui::StrokeKind::Middle,
                );
            }
        }
    }
    // Where the cursor snapped.
    if let Some(sn) = app.snap {
        let p = to_screen(cam, rect, [sn.at.x, sn.at.y]);
        let c = Color32::from_rgb(220, 0, 120);
        match sn.target {
            SnapTarget::Vertex => {
                painter.rect_stroke(
                    egui::Rect::from_center_size(p, egui::vec2(12.0, 12.0)),
                    0.0,
                    Stroke::new(2.0, c),
                    egui::StrokeKind::Middle,
                );
            }
            SnapTarget::Edge => {
                painter.line_segment([p - egui::vec2(6.0, 6.0), p + egui::vec2(6.0, 6.0)], Stroke::new(2.0, c));
                painter.line_segment([p - egui::vec2(6.0, -6.0), p + egui::vec2(6.0, -6.0)], Stroke::new(2.0, c));
            }
        }
    }
}

/// The closed rings and open lines of a geometry, for drawing a preview.
fn outline(g: &Geometry<f64>) -> Vec<Vec<Coord<f64>>> {
    let mut out = Vec::new();
    let mut polygon = |p: &Polygon<f64>| {
        out.push(p.exterior().0.clone());
        out.extend(p.interiors().iter().map(|r| r.0.clone()));
    };
    match g {
        Geometry::Polygon(p) => polygon(p),
        Geometry::MultiPolygon(m) => m.0.iter().for_each(polygon),
        Geometry::LineString(l) => out.push(l.0.clone()),
        Geometry::MultiLineString(m) => out.extend(m.0.iter().map(|l| l.0.clone())),
        _ => {}
    }
    out
}
