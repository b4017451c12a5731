//! Reading plans from files and from the embedded Jinsong map. No egui here.

pub mod geojson;
pub mod crs;
pub mod gpkg;
pub mod handout;
pub mod mapexport;
pub mod plan_items;
pub mod repair;
pub mod stream;
pub mod tables;
pub mod wkb;
pub mod write;

use std::path::Path;

pub use self::geojson::{Loaded, Warning};

/// Why a file could not be opened. Every variant names the place of the
/// fault so the one-line message tells the planner where to look.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("line {line}, column {column}: {message}")]
    Json { line: usize, column: usize, message: String },
    #[error("{place}: {message}")]
    Malformed { place: String, message: String },
    #[error("loading was cancelled")]
    Cancelled,
}

/// The embedded Jinsong plan (劲松一区、二区), so the app runs from any directory.
pub const JINSONG_GEOJSON: &str = include_str!("../../maps/jinsong.geojson");

/// Loads the embedded Jinsong plan.
pub fn load_jinsong() -> Loaded {
    match geojson::parse(JINSONG_GEOJSON.as_bytes()) {
        Ok(l) => l,
        // The embedded map is tested in CI; failing here is a build defect,
        // but the app still opens, empty, with the reason as a warning.
        Err(e) => Loaded {
            crs: None,
            plan: crate::model::Plan::default(),
            warnings: vec![Warning { place: "embedded Jinsong map".into(), message: e.to_string() }],
        },
    }
}

/// Saves a plan as GeoJSON, atomically.
pub fn save_geojson(plan: &crate::model::Plan, path: &Path) -> std::io::Result<()> {
    write::save_atomic(path, write::to_geojson(plan).as_bytes())
}

/// Loads a plan from a file path: a GeoPackage (plan file or any GeoPackage),
/// or GeoJSON (optionally gzip-compressed).
pub fn load_path(path: &Path) -> Result<Loaded, LoadError> {
    let mut head = [0u8; 16];
    let n = {
        use std::io::Read;
        std::fs::File::open(path)?.read(&mut head)?
    };
    if gpkg::is_sqlite(&head[..n]) || path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gpkg")) {
        return gpkg::load(path);
    }
    let bytes = std::fs::read(path)?;
    geojson::parse(&bytes)
}

/// Saves a plan: a GeoPackage for `.gpkg`, else plan GeoJSON. Atomic either way.
pub fn save_path(plan: &crate::model::Plan, path: &Path) -> Result<(), String> {
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gpkg")) {
        gpkg::save(plan, path).map_err(|e| e.to_string())
    } else {
        save_geojson(plan, path).map_err(|e| e.to_string())
    }
}
