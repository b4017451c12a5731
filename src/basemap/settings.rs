//! The user's basemap settings: where tiles are cached, service keys (never in
//! a plan file), and whether to stay off the network.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The user's basemap settings.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Settings {
    /// The app's data folder; tiles are cached under `tiles/` in it.
    #[serde(skip)]
    pub home: PathBuf,
    /// Service keys by service (`tianditu`).
    #[serde(default)]
    pub keys: BTreeMap<String, String>,
    /// Use only cached tiles: never ask a server.
    #[serde(default)]
    pub offline: bool,
}

impl Settings {
    /// The settings kept in `home` (`basemaps.json`), or defaults.
    pub fn load(home: &Path) -> Settings {
        let mut s: Settings = std::fs::read(home.join("basemaps.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        s.home = home.to_path_buf();
        s
    }

    /// Keeps the settings in `home` (atomically).
    pub fn save(&self) -> Result<(), crate::error::SaveError> {
        use crate::error::{EncodeError, SaveError, Step};
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| EncodeError::new("basemaps.json", e))?;
        std::fs::create_dir_all(&self.home).map_err(|e| SaveError::io(Step::CreateFolder, &self.home, e))?;
        crate::io::write::save_atomic(&self.home.join("basemaps.json"), &bytes)
    }

    /// Where tiles are cached.
    pub fn tile_cache(&self) -> PathBuf {
        self.home.join("tiles")
    }
}
