//! The plan model: what a district *is*, with no knowledge of any screen.
//!
//! Glossary:
//! - **plan** — one district under renewal: its features, the renewal items on
//!   them, and plan-wide facts.
//! - **feature** — a thing on the map: the boundary, a building, a street, a
//!   garden, a *core* (the neighbourhood committee, the property centre) or a
//!   *node* (canteen, health station, bicycle shed, …).
//! - **kind** — which of those a feature is; inferred on import, correctable.
//! - **item** — one piece of renewal work (an elevator, a garden renewal) on
//!   one or more features, with its status, dates, cost and funding.
//! - **household**, **matter**, **vote** — the residents' register, what is put
//!   to them, and their answers, decided by a **rule** (双过半, the Civil Code).
//! - **catalogue** — the kinds of item there are, in Jinsong's four categories
//!   and the national basic / improvement / upgrading classes.

pub mod basemaps;
pub mod catalogue;
pub mod consent;
mod feature;
pub mod geom_edit;
mod index;
pub mod item;
mod kind;
mod lang;
mod links;
pub mod measure;
pub mod mercator;
pub mod operations;
pub mod palette;
pub mod par;
pub mod phase;
pub mod photo;
mod plan;
pub mod props;
pub mod search;
pub mod snap;
pub mod stats;
pub mod story;
mod summary;
pub mod theme_mode;

pub use basemaps::{Basemap, ControlPoint, Shift};
pub use catalogue::{CatalogueEntry, Category, NationalClass};
pub use consent::Consent;
pub use feature::{Feature, FeatureId, Names, SourceId, has_cjk, shape_of};
pub use index::{SpatialIndex, metres_per_degree};
pub use item::{Funding, FundingSource, Item, Party, Status};
pub use kind::{Classified, Kind, Shape, alike, classify, infer_kind};
pub use lang::Lang;
pub use links::ItemLinks;
pub use operations::Operations;
pub use phase::{Change, ChangeKind, Phase, Presence};
pub use photo::{Photo, Side};
pub use plan::{Plan, PlanMeta, TitleBlock};
pub use props::Props;
pub use story::{Slide, SlideCompare, SlideTheme, Story};
pub use summary::{BuildingTotals, ConsentSummary, ItemTotals, MatterSummary, MoneyTotals, Summary};
pub use theme_mode::ThemeMode;
