//! The plan model: what a district *is*, with no knowledge of any screen.
//!
//! Glossary:
//! - **plan** — one district under renewal: its features and plan-wide facts.
//! - **feature** — a thing on the map: the boundary, a building, a street, a
//!   garden, a *core* (the neighbourhood committee, the property centre) or a
//!   *node* (canteen, health station, bicycle shed, …).
//! - **kind** — which of those a feature is; inferred on import, correctable.

mod feature;
mod index;
mod kind;
pub mod measure;
mod plan;
pub mod search;
mod summary;

pub use feature::{Feature, FeatureId, has_cjk, shape_of};
pub use index::{SpatialIndex, metres_per_degree};
pub use kind::{Kind, Shape, infer_kind};
pub use plan::{Plan, PlanMeta};
pub use summary::{BuildingTotals, Summary};
