//! The backend-neutral description of the map. Nothing here knows egui:
//! the screen and every export draw the same [`Scene`].
//!
//! - [`camera`] — the one projector: WGS84 → Web Mercator world metres → pixels;
//! - [`style`] — design tokens (colours, widths, label sizes);
//! - [`cache`] — per-feature prepared geometry (projected, triangulated) reused every frame;
//! - [`scene`] — what one frame shows: draw ops, placed labels;
//! - [`furniture`] — scale bar and north arrow geometry;
//! - [`fonts`] — the bundled CJK font the window and every export use.

pub mod cache;
pub mod camera;
pub mod fonts;
pub mod furniture;
pub mod scene;
pub mod style;
pub mod svg;
pub mod theme;

pub use cache::GeometryCache;

use crate::document::{Document, Source};
use crate::io::Loaded;

/// Opens a loaded plan for display: the spatial index and the geometry cache
/// are built at the same time on two threads (they only read the plan).
pub fn open(loaded: Loaded, source: Source) -> (Document, GeometryCache) {
    let Loaded { plan, warnings, crs } = loaded;
    let (index, cache) = std::thread::scope(|s| {
        let cache = s.spawn(|| GeometryCache::build(&plan));
        let index = crate::model::SpatialIndex::build(&plan);
        (index, cache.join().unwrap_or_else(|_| GeometryCache::build(&plan)))
    });
    let mut doc = Document::from_parts(plan, index, warnings, source);
    doc.crs = crs;
    (doc, cache)
}
pub use camera::Camera;
pub use scene::{Align, Item, Label, Op, Scene, SceneOptions, kind_slot};
