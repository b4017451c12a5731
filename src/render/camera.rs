//! The camera and the one projector between WGS84 and the screen.
//!
//! The model stays in longitude/latitude. For display it is projected to Web
//! Mercator metres ("world" coordinates, as every web map does), and the
//! camera maps world metres to screen pixels. The scale bar uses ground
//! metres, which differ from Mercator metres by cos(latitude).

use crate::model::mercator;

use crate::model::Slide;

/// Longitude/latitude → Web Mercator metres (latitude clamped to the map's square).
pub fn to_world(lon: f64, lat: f64) -> [f64; 2] {
    mercator::forward(lon, lat.clamp(-mercator::MAX_LATITUDE, mercator::MAX_LATITUDE))
}

/// Web Mercator metres → longitude/latitude.
pub fn to_lonlat(w: [f64; 2]) -> [f64; 2] {
    mercator::inverse(w[0], w[1])
}

/// The smallest and largest ground metres per pixel the map allows: from a
/// few centimetres (one doorway fills the screen) to a whole province.
pub const MIN_GROUND_MPP: f64 = 0.02;
pub const MAX_GROUND_MPP: f64 = 2_000.0;

/// What part of the world the map shows, and how large.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Camera {
    /// World (Web Mercator) coordinates at the centre of the view.
    pub center: [f64; 2],
    /// World metres per screen pixel.
    pub mpp: f64,
    /// View size in pixels.
    pub size: [f32; 2],
}

impl Camera {
    pub fn new(size: [f32; 2]) -> Self {
        Camera { center: to_world(116.457, 39.8873), mpp: 1.0, size }
    }

    /// A camera that shows the box `[west, south, east, north]` with a margin.
    pub fn fit(bbox: [f64; 4], size: [f32; 2], margin_px: f32) -> Self {
        let a = to_world(bbox[0], bbox[1]);
        let b = to_world(bbox[2], bbox[3]);
        let w = (size[0] - 2.0 * margin_px).max(10.0) as f64;
        let h = (size[1] - 2.0 * margin_px).max(10.0) as f64;
        let mpp = ((b[0] - a[0]) / w).max((b[1] - a[1]) / h);
        let mut cam = Camera { center: [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0], mpp: mpp.max(1e-9), size };
        cam.clamp_zoom();
        cam
    }

    /// Ground metres per pixel at the centre of the view (what the scale bar shows).
    pub fn ground_mpp(&self) -> f64 {
        self.mpp * to_lonlat(self.center)[1].to_radians().cos()
    }

    /// Keeps the zoom inside [`MIN_GROUND_MPP`, `MAX_GROUND_MPP`].
    pub fn clamp_zoom(&mut self) {
        let c = to_lonlat(self.center)[1].to_radians().cos().max(1e-6);
        self.mpp = self.mpp.clamp(MIN_GROUND_MPP / c, MAX_GROUND_MPP / c);
    }

    /// World → screen pixels (origin at the view's top-left, y down).
    pub fn world_to_screen(&self, w: [f64; 2]) -> [f32; 2] {
        [
            ((w[0] - self.center[0]) / self.mpp) as f32 + self.size[0] / 2.0,
            ((self.center[1] - w[1]) / self.mpp) as f32 + self.size[1] / 2.0,
        ]
    }

    /// Screen pixels → world.
    pub fn screen_to_world(&self, p: [f32; 2]) -> [f64; 2] {
        [
            self.center[0] + (p[0] - self.size[0] / 2.0) as f64 * self.mpp,
            self.center[1] - (p[1] - self.size[1] / 2.0) as f64 * self.mpp,
        ]
    }

    pub fn lonlat_to_screen(&self, lon: f64, lat: f64) -> [f32; 2] {
        self.world_to_screen(to_world(lon, lat))
    }

    pub fn screen_to_lonlat(&self, p: [f32; 2]) -> [f64; 2] {
        to_lonlat(self.screen_to_world(p))
    }

    /// The visible area as `[west, south, east, north]` in longitude/latitude.
    pub fn view_lonlat(&self) -> [f64; 4] {
        let a = self.screen_to_lonlat([0.0, self.size[1]]);
        let b = self.screen_to_lonlat([self.size[0], 0.0]);
        [a[0], a[1], b[0], b[1]]
    }

    /// Moves the view by a screen-pixel delta (drag direction).
    pub fn pan_pixels(&mut self, dx: f32, dy: f32) {
        self.center[0] -= dx as f64 * self.mpp;
        self.center[1] += dy as f64 * self.mpp;
    }

    /// Zooms by `factor` (>1 zooms in) keeping the point under `anchor` fixed.
    pub fn zoom_at(&mut self, factor: f64, anchor: [f32; 2]) {
        if !(factor.is_finite() && factor > 0.0) {
            return;
        }
        let before = self.screen_to_world(anchor);
        self.mpp /= factor;
        self.clamp_zoom();
        let after = self.screen_to_world(anchor);
        self.center[0] += before[0] - after[0];
        self.center[1] += before[1] - after[1];
    }

    /// One step of a smooth flight towards `target`; returns true when arrived.
    pub fn glide_towards(&mut self, target: &Camera, t: f64) -> bool {
        let t = t.clamp(0.0, 1.0);
        let lz = self.mpp.ln() + (target.mpp.ln() - self.mpp.ln()) * t;
        self.mpp = lz.exp();
        self.center[0] += (target.center[0] - self.center[0]) * t;
        self.center[1] += (target.center[1] - self.center[1]) * t;
        let close = (self.mpp / target.mpp - 1.0).abs() < 1e-3
            && (self.center[0] - target.center[0]).abs() < 0.5 * self.mpp
            && (self.center[1] - target.center[1]).abs() < 0.5 * self.mpp;
        if close {
            self.center = target.center;
            self.mpp = target.mpp;
        }
        close
    }
}

/// The camera a slide shows in a view of `size` pixels: the ground the slide
/// was captured showing, whole and centred.
pub fn slide_camera(slide: &Slide, size: [f32; 2]) -> Camera {
    framed_camera(slide, size, [0.0, 0.0, size[0], size[1]])
}

/// The camera of a view of `size` pixels that frames the slide's ground
/// ([`Slide::ground_extent`]) whole inside `free` (`[x0, y0, x1, y1]` in the
/// view's pixels), its centre at the free rectangle's centre, aspect kept: what
/// is outside `free` (under a presentation's title and caption bands) is extra.
pub fn framed_camera(slide: &Slide, size: [f32; 2], free: [f32; 4]) -> Camera {
    let ext = slide.ground_extent();
    let (fw, fh) = (((free[2] - free[0]) as f64).max(1.0), ((free[3] - free[1]) as f64).max(1.0));
    let mut cam = Camera::new(size);
    let cos = slide.center[1].to_radians().cos().max(1e-6);
    let c = to_world(slide.center[0], slide.center[1]);
    cam.center = c;
    cam.mpp = (ext[0] / fw).max(ext[1] / fh) / cos;
    cam.clamp_zoom();
    let (fx, fy) = ((free[0] + free[2]) as f64 / 2.0, (free[1] + free[3]) as f64 / 2.0);
    cam.center = [c[0] - (fx - size[0] as f64 / 2.0) * cam.mpp, c[1] + (fy - size[1] as f64 / 2.0) * cam.mpp];
    cam
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn projection_round_trips() {
        let w = to_world(116.457, 39.887);
        let ll = to_lonlat(w);
        assert_relative_eq!(ll[0], 116.457, epsilon = 1e-9);
        assert_relative_eq!(ll[1], 39.887, epsilon = 1e-9);
    }

    #[test]
    fn zooming_at_the_cursor_keeps_the_point_under_it() {
        let mut cam = Camera::new([800.0, 600.0]);
        let anchor = [100.0, 500.0];
        let before = cam.screen_to_lonlat(anchor);
        cam.zoom_at(2.5, anchor);
        let after = cam.screen_to_lonlat(anchor);
        assert_relative_eq!(before[0], after[0], epsilon = 1e-9);
        assert_relative_eq!(before[1], after[1], epsilon = 1e-9);
    }

    #[test]
    fn zoom_stays_within_usable_limits() {
        let mut cam = Camera::new([800.0, 600.0]);
        cam.zoom_at(1e9, [400.0, 300.0]);
        assert!(cam.ground_mpp() >= MIN_GROUND_MPP * 0.999);
        cam.zoom_at(1e-12, [400.0, 300.0]);
        assert!(cam.ground_mpp() <= MAX_GROUND_MPP * 1.001);
    }

    #[test]
    fn fitting_shows_the_whole_box() {
        let bbox = [116.454, 39.885, 116.460, 39.8896];
        let cam = Camera::fit(bbox, [1000.0, 700.0], 20.0);
        let v = cam.view_lonlat();
        assert!(v[0] <= bbox[0] && v[1] <= bbox[1] && v[2] >= bbox[2] && v[3] >= bbox[3]);
    }
}
