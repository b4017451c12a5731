//! Renewal Planner: a desktop GIS for planning the renewal of old residential
//! communities (老旧小区改造), built around the Jinsong model (劲松模式).
//!
//! The library is layered so that everything but the window builds and tests
//! without egui (`--no-default-features`):
//! - [`model`] — the plan, features, kinds, measurement, spatial index;
//! - [`edit`] — every change as a value with an inverse, and the undo history;
//! - [`io`] — reading and writing plans (GeoJSON, GeoPackage) and the embedded Jinsong map;
//! - [`error`] — why a save or an export failed (typed), and out-of-memory;
//! - [`document`] — an open plan with its index and history;
//! - [`import`] — a file's features added to the open plan as one undoable edit;
//! - [`render`] — the backend-neutral description of the map (camera, styles,
//!   cached meshes, the per-frame scene) that the screen and exports draw from;
//! - [`export`] — print maps, handout, atlas, schedule and GIS data, from one
//!   [`export::Request`] the command line and the window both build;
//! - [`i18n`] — every user-visible string, in Chinese and English;
//! - [`cli`] — the command line (`info`, `export`);
//! - `ui` (feature `gui`) — the egui window.

pub mod basemap;
pub mod cli;
pub mod document;
pub mod edit;
pub mod error;
pub mod export;
pub mod i18n;
pub mod import;
pub mod io;
pub mod model;
pub mod render;
pub mod session;
#[cfg(feature = "gui")]
pub mod ui;
