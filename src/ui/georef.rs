//! The georeferencing window: places an image that carries no georeference
//! (a photo of a paper master plan) by control points. The planner clicks a
//! point on the image, then the same point on the map (the map view hands its
//! next click to this window while it waits: `Action::GeorefMapClick`); after
//! three pairs the affine fit and each point's residual in metres are shown,
//! and "Apply" saves the points into the basemap as one undoable
//! `Edit::SetBasemaps`.
//!
//! Opened with `Action::Georeference(index of the basemap in the plan)`; the
//! layer list offers it for basemaps where [`can_georeference`] says so.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, TryRecvError, channel};

use eframe::egui::{self, Color32, RichText, Sense};

use super::action::Action;
use super::theme::{ERROR, color};
use super::view::View;
use crate::basemap::{BasemapError, raster};
use crate::edit::Edit;
use crate::model::Plan;
use crate::model::basemaps::{Basemap, ControlPoint, Fit, FitError, SourceKind, fit_affine};

/// Control points placed: the hover colour, as on the map.
const MARK: Color32 = color(crate::render::style::HOVER.color);
/// The image point waiting for its map point: the selection colour.
const WAITING: Color32 = color(crate::render::style::SELECTED.color);

/// The longest side of the image as the window decodes it.
const PREVIEW_PX: u32 = 1024;

/// Whether a basemap is an image the window can place: a PNG/JPEG, or a
/// TIFF without GeoTIFF tags, with no world file beside it. Reads the
/// file's header: ask when the basemap list changes, not every frame.
pub fn can_georeference(b: &Basemap) -> bool {
    let path = Path::new(&b.source);
    let no_world_file = raster::world_file(path).is_ok_and(|w| w.is_none());
    match b.kind() {
        SourceKind::Image => no_world_file,
        SourceKind::GeoTiff => {
            no_world_file && crate::basemap::geotiff::GeoTiff::open(path).is_ok_and(|t| t.georef().is_none())
        }
        _ => false,
    }
}

/// The image read for the window, and its full size.
type Preview = Result<(image::RgbaImage, (u32, u32)), BasemapError>;

/// The picture shown while placing.
enum Picture {
    Loading(Receiver<Preview>),
    Ready { texture: Option<egui::TextureHandle>, image: Option<image::RgbaImage>, size: (u32, u32) },
    Failed(String),
}

/// The window's own state: which basemap, the pairs made so far and the
/// image point waiting for its map point.
pub struct GeorefState {
    /// The basemap's index in the plan, and its source (to notice it was removed or replaced).
    pub index: usize,
    source: String,
    points: Vec<ControlPoint>,
    /// An image point (pixels) clicked, waiting for the map point.
    pending: Option<[f64; 2]>,
    picture: Picture,
}

impl GeorefState {
    /// Starts placing the plan's basemap `index` (its control points so far
    /// are kept); the image is decoded on a background thread.
    pub fn open(plan: &Plan, index: usize) -> Option<GeorefState> {
        let b = plan.basemaps.get(index)?;
        let (tx, rx) = channel();
        let path = PathBuf::from(&b.source);
        std::thread::spawn(move || {
            // The window may be closed before the image is read: nobody to tell then.
            let _ = tx.send(raster::preview(&path, PREVIEW_PX));
        });
        Some(GeorefState {
            index,
            source: b.source.clone(),
            points: b.control_points.clone(),
            pending: None,
            picture: Picture::Loading(rx),
        })
    }

    /// True while an image point waits for its point on the map: the map's next click is this window's.
    pub fn waiting_for_map(&self) -> bool {
        self.pending.is_some()
    }

    /// A point clicked on the image (pixels of the full image).
    pub fn image_click(&mut self, pixel: [f64; 2]) {
        self.pending = Some(pixel);
    }

    /// A point clicked on the map: with the waiting image point, a pair.
    pub fn map_click(&mut self, lonlat: [f64; 2]) {
        if let Some(pixel) = self.pending.take() {
            self.points.push(ControlPoint { pixel, lonlat });
        }
    }

    pub fn points(&self) -> &[ControlPoint] {
        &self.points
    }

    /// The fit of the pairs so far (`None` before there are three).
    pub fn fit(&self) -> Option<Result<Fit, FitError>> {
        (self.points.len() >= 3).then(|| fit_affine(&self.points))
    }

    /// The edit that saves the points into the basemap, if it is still there and they place it.
    pub fn apply(&self, plan: &Plan) -> Option<Action> {
        let b = plan.basemaps.get(self.index).filter(|b| b.source == self.source)?;
        if !matches!(self.fit(), Some(Ok(_))) || b.control_points == self.points {
            return None;
        }
        let mut basemaps = plan.basemaps.clone();
        basemaps[self.index].control_points = self.points.clone();
        Some(Action::Edit(Edit::SetBasemaps { basemaps }))
    }

    fn poll(&mut self) {
        if let Picture::Loading(rx) = &self.picture {
            self.picture = match rx.try_recv() {
                Ok(Ok((image, size))) => Picture::Ready { texture: None, image: Some(image), size },
                Ok(Err(e)) => Picture::Failed(e.to_string()),
                Err(TryRecvError::Empty) => return,
                Err(TryRecvError::Disconnected) => Picture::Failed("the image could not be read".into()),
            };
        }
    }
}

/// The window; closes itself (sets `state` to `None`) when closed.
pub fn window(ctx: &egui::Context, state: &mut Option<GeorefState>, v: &View) -> Vec<Action> {
    let mut out = Vec::new();
    let Some(st) = state.as_mut() else { return out };
    let w = v.strings();
    st.poll();
    if matches!(st.picture, Picture::Loading(_)) {
        ctx.request_repaint_after(std::time::Duration::from_millis(50));
    }
    let plan = v.doc.plan();
    let gone = plan.basemaps.get(st.index).is_none_or(|b| b.source != st.source);
    let mut open = true;
    let mut close = false;
    let name = plan.basemaps.get(st.index).map(|b| b.name.clone()).unwrap_or_default();
    egui::Window::new(format!("{} — {name}", w.georef_title))
        .id(egui::Id::unique("georef-window"))
        .open(&mut open)
        .default_pos([560.0, 80.0])
        .default_width(540.0)
        .show(ctx, |ui| {
            if gone {
                ui.colored_label(ERROR, w.georef_gone);
                return;
            }
            ui.label(
                RichText::new(if st.pending.is_some() { w.georef_click_map } else { w.georef_click_image }).strong(),
            );
            picture(ui, st, w);
            ui.separator();
            let fit = st.fit();
            let residuals = match &fit {
                Some(Ok(f)) => Some(f.residuals_m.clone()),
                _ => None,
            };
            let mut remove = None;
            egui::Grid::new("georef-points").striped(true).show(ui, |ui| {
                for h in [w.georef_point, w.georef_on_image, w.georef_on_map, w.georef_residual, ""] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for (i, p) in st.points.iter().enumerate() {
                    ui.label(format!("{}", i + 1));
                    ui.label(format!("{:.0}, {:.0}", p.pixel[0], p.pixel[1]));
                    ui.label(format!("{:.6}, {:.6}", p.lonlat[0], p.lonlat[1]));
                    match residuals.as_ref().and_then(|r| r.get(i)) {
                        Some(r) => ui.label(format!("{r:.2} m")),
                        None => ui.label("—"),
                    };
                    if ui.small_button(w.georef_remove).clicked() {
                        remove = Some(i);
                    }
                    ui.end_row();
                }
            });
            if let Some(i) = remove {
                st.points.remove(i);
            }
            match &fit {
                None => ui.label(format!("{} ({}/3)", w.georef_need_three, st.points.len())),
                Some(Ok(f)) => ui.label(RichText::new(format!("{} {:.2} m", w.georef_rms, f.rms_m)).strong()),
                Some(Err(e)) => ui.colored_label(ERROR, w.georef_fit_error(e)),
            };
            ui.horizontal(|ui| {
                let apply = st.apply(plan);
                if ui.add_enabled(apply.is_some(), egui::Button::new(w.georef_apply)).clicked()
                    && let Some(a) = apply
                {
                    out.push(a);
                    close = true;
                }
                if st.pending.is_some() && ui.button(w.georef_cancel_point).clicked() {
                    st.pending = None;
                }
                if ui.button(w.georef_close).clicked() {
                    close = true;
                }
            });
        });
    if !open || close {
        *state = None;
    }
    out
}

/// The image, scaled to the window; a click on it is an image point. Points
/// placed so far are numbered on it; the waiting one is a ring.
fn picture(ui: &mut egui::Ui, st: &mut GeorefState, w: &crate::i18n::Strings) {
    let (texture, size) = match &mut st.picture {
        Picture::Loading(_) => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(w.georef_loading);
            });
            return;
        }
        Picture::Failed(e) => {
            ui.colored_label(ERROR, e.as_str());
            return;
        }
        Picture::Ready { texture, image, size } => {
            if texture.is_none()
                && let Some(img) = image.take()
            {
                let c = egui::ColorImage::from_rgba_unmultiplied(
                    [img.width() as usize, img.height() as usize],
                    img.as_raw(),
                );
                *texture = Some(ui.ctx().load_texture("georef-image", c, egui::TextureOptions::LINEAR));
            }
            match texture {
                Some(t) => (t.clone(), *size),
                None => return,
            }
        }
    };
    let avail = ui.available_width().clamp(200.0, 720.0);
    let scale = (avail / size.0 as f32).min(420.0 / size.1 as f32);
    let shown = egui::vec2(size.0 as f32 * scale, size.1 as f32 * scale);
    let r = ui.add(egui::Image::new(&texture).fit_to_exact_size(shown).sense(Sense::click()).alt_text(w.georef_image));
    if r.clicked()
        && let Some(p) = r.interact_pointer_pos()
    {
        let px = [f64::from((p.x - r.rect.left()) / scale), f64::from((p.y - r.rect.top()) / scale)];
        st.image_click(px);
    }
    let painter = ui.painter_at(r.rect);
    let at = |px: [f64; 2]| r.rect.left_top() + egui::vec2(px[0] as f32 * scale, px[1] as f32 * scale);
    for (i, p) in st.points.iter().enumerate() {
        let c = at(p.pixel);
        painter.circle_filled(c, 4.0, MARK);
        painter.text(
            c + egui::vec2(6.0, -6.0),
            egui::Align2::LEFT_BOTTOM,
            format!("{}", i + 1),
            egui::FontId::proportional(13.0),
            MARK,
        );
    }
    if let Some(p) = st.pending {
        painter.circle_stroke(at(p), 7.0, egui::Stroke::new(2.0, WAITING));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::mercator;

    fn plan_with_image(dir: &Path) -> Plan {
        let png = dir.join("扫描总图.png");
        image::RgbaImage::from_pixel(300, 200, image::Rgba([200, 200, 200, 255])).save(&png).expect("png");
        let mut plan = Plan::default();
        plan.basemaps.push(Basemap::new(png.to_string_lossy()));
        plan
    }

    #[test]
    fn three_pairs_clicked_give_a_fit_and_an_undoable_edit_saving_them() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut plan = plan_with_image(dir.path());
        assert!(can_georeference(&plan.basemaps[0]));
        let mut st = GeorefState::open(&plan, 0).expect("opens");
        assert!(!st.waiting_for_map());
        let [x0, y0] = mercator::forward(116.455, 39.892);
        for px in [[0.0, 0.0], [300.0, 0.0], [0.0, 200.0]] {
            assert!(st.apply(&plan).is_none(), "not before three pairs");
            st.map_click([0.0, 0.0]); // a map click with no image point is no pair
            st.image_click(px);
            assert!(st.waiting_for_map());
            let [lon, lat] = mercator::inverse(x0 + px[0], y0 - px[1]);
            st.map_click([lon, lat]);
        }
        assert_eq!(st.points().len(), 3);
        let fit = st.fit().expect("three").expect("fits");
        assert!(fit.rms_m < 1e-3 && fit.residuals_m.len() == 3, "{fit:?}");
        let Some(Action::Edit(edit)) = st.apply(&plan) else { panic!("an edit") };
        let inverse = edit.apply(&mut plan).expect("applies").inverse;
        assert_eq!(plan.basemaps[0].control_points, st.points());
        inverse.apply(&mut plan).expect("undoes");
        assert!(plan.basemaps[0].control_points.is_empty());
        // A basemap replaced meanwhile is not overwritten.
        plan.basemaps[0] = Basemap::new("/elsewhere/other.png");
        assert!(st.apply(&plan).is_none());
    }

    #[test]
    fn an_image_already_placed_by_a_world_file_or_geotiff_tags_is_not_offered_for_placing_by_hand() {
        let dir = tempfile::tempdir().expect("tempdir");
        let plan = plan_with_image(dir.path());
        let path = PathBuf::from(&plan.basemaps[0].source);
        std::fs::write(path.with_extension("pgw"), "1\n0\n0\n-1\n500000\n4400000\n").expect("pgw");
        assert!(!can_georeference(&plan.basemaps[0]));
        assert!(!can_georeference(&Basemap::new("/d/missing.tif")));
        // A TIFF with no GeoTIFF tags is offered; with them it is not.
        let tif = dir.path().join("scan.tif");
        let file = std::fs::File::create(&tif).expect("create");
        let mut enc = tiff::encoder::TiffEncoder::new(file).expect("encoder");
        enc.write_image::<tiff::encoder::colortype::Gray8>(4, 4, &[9u8; 16]).expect("write");
        assert!(can_georeference(&Basemap::new(tif.to_string_lossy())));
        let geo = dir.path().join("geo.tif");
        let file = std::fs::File::create(&geo).expect("create");
        let mut enc = tiff::encoder::TiffEncoder::new(file).expect("encoder");
        let mut img = enc.new_image::<tiff::encoder::colortype::Gray8>(4, 4).expect("image");
        let t = [1.0f64, 0.0, 0.0, 5e5, 0.0, -1.0, 0.0, 4.4e6, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0];
        img.encoder().write_tag(tiff::tags::Tag::ModelTransformationTag, &t[..]).expect("tag");
        img.write_data(&[9u8; 16]).expect("write");
        assert!(!can_georeference(&Basemap::new(geo.to_string_lossy())));
    }
}
