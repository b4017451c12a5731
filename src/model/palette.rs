//! The kinds' colours and strokes: one table that the map (`render::style`
//! re-exports it), the print maps, handouts and atlas, GIS GeoJSON's
//! simplestyle and the QGIS styles written into the plan file
//! (`io::qgis_style`) all take, so a building is the same red brick on screen,
//! on paper and in QGIS. The DXF drawing is the exception: its layers carry
//! AutoCAD colour indexes picked by hand to be near these (`export::dxf`).
//! Colours are sRGB with straight (unmultiplied) alpha.

use super::Kind;

/// An sRGB colour with straight alpha.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Rgba(pub [u8; 4]);

impl Rgba {
    pub const fn rgb(r: u8, g: u8, b: u8) -> Rgba {
        Rgba([r, g, b, 255])
    }
    pub const fn new(r: u8, g: u8, b: u8, a: u8) -> Rgba {
        Rgba([r, g, b, a])
    }
    pub fn with_alpha(self, a: u8) -> Rgba {
        Rgba([self.0[0], self.0[1], self.0[2], a])
    }
    /// `#rrggbb` for SVG and GeoJSON simplestyle.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0[0], self.0[1], self.0[2])
    }
}

/// A line's width in pixels and colour; `dash` draws it dashed (on, off).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stroke {
    pub width: f32,
    pub color: Rgba,
    pub dash: Option<[f32; 2]>,
}

impl Stroke {
    pub const fn solid(width: f32, color: Rgba) -> Stroke {
        Stroke { width, color, dash: None }
    }
}

/// How one kind of feature is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KindStyle {
    /// Area fill (areas only).
    pub fill: Option<Rgba>,
    /// Outline of areas, or the line itself for lines.
    pub stroke: Stroke,
    /// Lines: a wider casing drawn under the line.
    pub casing: Option<Stroke>,
    /// Points: marker radius in pixels.
    pub marker_radius: f32,
    /// Swatch colour for the layer list and legends.
    pub swatch: Rgba,
}

/// Label text and its halo.
pub const LABEL_TEXT: Rgba = Rgba::rgb(34, 34, 34);
pub const LABEL_HALO: Rgba = Rgba::new(255, 255, 255, 210);

/// The style of a kind.
pub fn kind_style(kind: Kind) -> KindStyle {
    match kind {
        Kind::Boundary => KindStyle {
            fill: Some(Rgba::new(250, 246, 236, 255)),
            stroke: Stroke { width: 2.5, color: Rgba::rgb(150, 40, 40), dash: Some([10.0, 5.0]) },
            casing: None,
            marker_radius: 4.0,
            swatch: Rgba::rgb(150, 40, 40),
        },
        Kind::Building => KindStyle {
            // Jinsong's slabs are the red-brick "朱红色老楼".
            fill: Some(Rgba::rgb(226, 160, 135)),
            stroke: Stroke::solid(1.0, Rgba::rgb(150, 70, 50)),
            casing: None,
            marker_radius: 4.0,
            swatch: Rgba::rgb(214, 135, 108),
        },
        Kind::Street => KindStyle {
            fill: None,
            stroke: Stroke::solid(4.0, Rgba::rgb(253, 241, 196)),
            casing: Some(Stroke::solid(6.0, Rgba::rgb(185, 160, 115))),
            marker_radius: 4.0,
            swatch: Rgba::rgb(230, 205, 140),
        },
        Kind::Garden => KindStyle {
            fill: Some(Rgba::rgb(184, 222, 160)),
            stroke: Stroke::solid(1.2, Rgba::rgb(90, 150, 70)),
            casing: None,
            marker_radius: 5.0,
            swatch: Rgba::rgb(120, 185, 95),
        },
        Kind::Core => KindStyle {
            fill: Some(Rgba::rgb(70, 120, 200)),
            stroke: Stroke::solid(1.5, Rgba::rgb(30, 60, 130)),
            casing: None,
            marker_radius: 7.0,
            swatch: Rgba::rgb(70, 120, 200),
        },
        Kind::Node => KindStyle {
            fill: Some(Rgba::rgb(235, 130, 30)),
            stroke: Stroke::solid(1.5, Rgba::rgb(255, 255, 255)),
            casing: None,
            marker_radius: 6.0,
            swatch: Rgba::rgb(235, 130, 30),
        },
        Kind::Other => KindStyle {
            fill: Some(Rgba::new(190, 190, 195, 200)),
            // Lines of other things (overhead cables, fences) must read against streets.
            stroke: Stroke::solid(2.0, Rgba::rgb(85, 85, 95)),
            casing: None,
            marker_radius: 4.0,
            swatch: Rgba::rgb(170, 170, 175),
        },
    }
}
