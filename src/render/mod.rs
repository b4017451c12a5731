//! The backend-neutral description of the map. Nothing here knows egui:
//! the screen and every export draw the same [`Scene`].
//!
//! - [`camera`] — the one projector: WGS84 → Web Mercator world metres → pixels;
//! - [`style`] — design tokens (colours, widths, label sizes);
//! - [`cache`] — per-feature prepared geometry (projected, triangulated) reused every frame;
//! - [`scene`] — what one frame shows: draw ops, placed labels;
//! - [`furniture`] — scale bar and north arrow geometry;
//! - [`raster`] — a scene's geometry drawn straight into pixels (tiny-skia) for PNG output;
//! - [`glyphs`] — a scene's labels drawn straight into pixels, each glyph rasterised once;
//! - [`fonts`] — the bundled CJK font the window and every export use;
//! - [`theme`] — thematic colours and legends; [`tally`] — features counted by kind and changed, kept in step edit by edit.

pub mod cache;
pub mod camera;
pub mod fonts;
pub mod furniture;
pub mod glyphs;
pub mod raster;
pub mod scene;
pub mod style;
pub mod svg;
pub mod tally;
pub mod theme;

pub use cache::GeometryCache;

pub use camera::Camera;
pub use scene::{Align, Item, Label, Op, Scene, SceneOptions, kind_slot};
