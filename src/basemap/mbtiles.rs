//! MBTiles (a SQLite file of tiles, TMS rows from the bottom): opened read-only.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::{BasemapError, TileSource};

/// An MBTiles file opened for reading.
pub struct MbTiles {
    path: PathBuf,
    db: Mutex<Connection>,
    zooms: (u8, u8),
    attribution: Option<String>,
}

impl MbTiles {
    /// Opens an MBTiles file; a file that is not one is an error naming it.
    pub fn open(path: &Path) -> Result<MbTiles, BasemapError> {
        if !path.is_file() {
            return Err(BasemapError::NotFound(path.to_path_buf()));
        }
        let broken = |reason: String| BasemapError::Broken { path: path.to_path_buf(), what: "MBTiles file", reason };
        let db = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(|e| broken(e.to_string()))?;
        let meta = |name: &str| -> Result<Option<String>, BasemapError> {
            db.query_row("SELECT value FROM metadata WHERE name = ?1", [name], |r| r.get::<_, String>(0))
                .optional()
                .map_err(|e| broken(e.to_string()))
        };
        let format = meta("format")?;
        if let Some(f) = format.as_deref().filter(|f| !matches!(*f, "png" | "jpg" | "jpeg" | "webp")) {
            return Err(broken(format!("its tiles are {f}, not raster images")));
        }
        let (lo, hi): (Option<i64>, Option<i64>) = db
            .query_row("SELECT min(zoom_level), max(zoom_level) FROM tiles", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| broken(e.to_string()))?;
        let zooms = match (lo, hi) {
            (Some(lo), Some(hi)) => (lo.clamp(0, 30) as u8, hi.clamp(0, 30) as u8),
            _ => return Err(broken("it has no tiles".into())),
        };
        let attribution = meta("attribution")?;
        Ok(MbTiles { path: path.to_path_buf(), db: Mutex::new(db), zooms, attribution })
    }
}

impl TileSource for MbTiles {
    fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>, BasemapError> {
        let Some(row) = (1u32 << z).checked_sub(1).and_then(|n| n.checked_sub(y)) else { return Ok(None) };
        let db = self.db.lock().map_err(|_| BasemapError::Broken {
            path: self.path.clone(),
            what: "MBTiles file",
            reason: "a reader failed".into(),
        })?;
        db.query_row(
            "SELECT tile_data FROM tiles WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3",
            (i64::from(z), i64::from(x), i64::from(row)),
            |r| r.get::<_, Vec<u8>>(0),
        )
        .optional()
        .map_err(|e| BasemapError::Broken {
            path: self.path.clone(),
            what: "MBTiles file",
            reason: e.to_string(),
        })
    }

    fn zooms(&self) -> (u8, u8) {
        self.zooms
    }

    fn attribution(&self) -> Option<String> {
        self.attribution.clone()
    }
}

/// Writes an MBTiles file of the given tiles (`z, x, y` XYZ, PNG bytes): for
/// tests and for "keep this area offline".
pub fn write(path: &Path, name: &str, tiles: &[(u8, u32, u32, Vec<u8>)]) -> Result<(), rusqlite::Error> {
    let mut db = Connection::open(path)?;
    // One transaction: thousands of tiles are one write, not one each.
    let tx = db.transaction()?;
    tx.execute_batch(
        "CREATE TABLE metadata (name TEXT, value TEXT);
         CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
         CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);",
    )?;
    tx.execute("INSERT INTO metadata VALUES ('name', ?1), ('format', 'png')", [name])?;
    {
        let mut insert = tx.prepare("INSERT INTO tiles VALUES (?1, ?2, ?3, ?4)")?;
        for (z, x, y, data) in tiles {
            let row = (1u32 << z) - 1 - y;
            insert.execute((i64::from(*z), i64::from(*x), i64::from(row), data))?;
        }
    }
    tx.commit()
}
