//! Reading plans from files and from the embedded Jinsong map. No egui here.

pub mod crs;
pub mod dxf;
pub mod foreign;
pub mod geojson;
pub mod gpkg;
pub mod kml;
pub mod plan_items;
pub mod postgis;
pub mod qgis_style;
pub mod register;
pub mod repair;
pub mod shapefile;
pub mod stream;
pub mod table;
pub mod wkb;
pub mod write;

use std::path::Path;

pub use crate::error::SaveError;

pub use self::geojson::{Loaded, ReadOptions, Warning};

/// CAD drawings: the kind each layer's features take, by layer name (`None`: the layer is left out).
pub type LayerKinds = std::collections::BTreeMap<String, Option<crate::model::Kind>>;

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
    /// A table of points whose header names no coordinate columns the app
    /// recognises: the planner names them (`--columns X,Y`, or the window's
    /// column chooser, which these columns fill).
    #[error(
        "the header: names no coordinate columns (经度/纬度, lon/lat, x/y, easting/northing); the columns are {}; \
         name the two with --columns X,Y",
        table::list_columns(.columns)
    )]
    NoCoordinateColumns { columns: Vec<String> },
    /// The file does not fit in the memory left, or the machine ran low while
    /// reading it: not a fault of the file.
    #[error("{0}")]
    OutOfMemory(#[from] crate::error::OutOfMemory),
    /// A plan in PostgreSQL that could not be read (the server, the role, the plan).
    #[error("{0}")]
    Database(#[from] postgis::DbError),
}

/// Text from a file, made fit for a one-line message: at most `n` characters
/// (then "…"), control characters such as line breaks shown escaped.
pub(crate) fn clip(s: &str, n: usize) -> String {
    let mut out: String = s
        .chars()
        .take(n)
        .flat_map(|c| if c.is_control() { c.escape_debug().collect::<Vec<_>>() } else { vec![c] })
        .collect();
    if s.chars().count() > n {
        out.push('…');
    }
    out
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
pub fn save_geojson(plan: &crate::model::Plan, path: &Path) -> Result<(), SaveError> {
    write::save_atomic(path, write::to_geojson(plan)?.as_bytes())
}

/// Loads a plan from a file path: a GeoPackage (plan file or any GeoPackage),
/// or GeoJSON (optionally gzip-compressed).
pub fn load_path(path: &Path) -> Result<Loaded, LoadError> {
    load_path_with(path, &ReadOptions::default())
}

/// Loads a plan from a file path with a coordinate system and progress
/// reporting (bytes read so far; returning `false` cancels). GeoJSON is read
/// as a stream. A file that would not fit in the memory left is refused
/// before it is read, and a load that runs the machine low is stopped, with a
/// message either way rather than a crash.
pub fn load_path_with(path: &Path, opts: &ReadOptions) -> Result<Loaded, LoadError> {
    use std::io::Read;
    if postgis::is_uri(path) {
        let at = postgis::Location::parse(&path.to_string_lossy())?;
        return Ok(postgis::load(&at, None)?.loaded);
    }
    let mut file = std::fs::File::open(path)?;
    let mut head = [0u8; 16];
    let n = file.read(&mut head)?;
    match foreign::Format::of(path, &head[..n]) {
        foreign::Format::GeoJson => {}
        foreign::Format::GeoPackage => return gpkg::load(path),
        foreign::Format::Shapefile => return shapefile::load(path, opts),
        foreign::Format::Dxf => return dxf::load(path, opts),
        foreign::Format::Kml => return kml::load(path, opts),
        foreign::Format::Table => return table::load(path, opts),
        foreign::Format::Dwg => {
            return Err(LoadError::Malformed {
                place: "DWG".into(),
                message: "DWG is AutoCAD's closed format and cannot be read; save the drawing as DXF in AutoCAD, \
                          天正 or the free ODA File Converter (另存为 DXF) and open that"
                    .into(),
            });
        }
    }
    let size = file.metadata()?.len();
    let gzip = head.starts_with(&[0x1f, 0x8b]);
    memory::check_fits(memory::need_for_geojson(size, gzip))?;
    let file = std::fs::File::open(path)?;
    let low = std::cell::Cell::new(false);
    let watch = |done: u64| {
        if memory::running_low() {
            low.set(true);
            return false;
        }
        opts.progress.is_none_or(|f| f(done))
    };
    let result = geojson::read_sized(file, Some(size), &ReadOptions { progress: Some(&watch), ..*opts });
    match result {
        Err(LoadError::Cancelled) if low.get() => Err(memory::exhausted().into()),
        r => r,
    }
}

/// Memory checks for loading big files.
pub mod memory {
    use crate::error::OutOfMemory;

    /// The memory a GeoJSON file of `size` bytes takes open (plan, index and
    /// drawing cache), measured on generated cities: about 3 times the text.
    pub fn need_for_geojson(size: u64, gzip: bool) -> u64 {
        let text = if gzip { size.saturating_mul(6) } else { size };
        text.saturating_mul(3)
    }

    /// Bytes of memory this process can still use: the smallest of the
    /// system's available memory, the cgroup's limit and the address-space limit.
    pub fn available() -> Option<u64> {
        let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
        let field = |text: &str, name: &str| {
            text.lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        };
        let mut avail = field(&meminfo, "MemAvailable:")?.saturating_mul(1024);
        let cgroup = |f: &str| std::fs::read_to_string(format!("/sys/fs/cgroup/{f}")).ok();
        if let (Some(max), Some(cur)) = (cgroup("memory.max"), cgroup("memory.current"))
            && let (Ok(max), Ok(cur)) = (max.trim().parse::<u64>(), cur.trim().parse::<u64>())
        {
            avail = avail.min(max.saturating_sub(cur));
        }
        if let Ok(limits) = std::fs::read_to_string("/proc/self/limits")
            && let Some(line) = limits.lines().find(|l| l.starts_with("Max address space"))
            && let Some(Ok(limit)) = line.split_whitespace().nth(3).map(str::parse::<u64>)
            && let Ok(status) = std::fs::read_to_string("/proc/self/status")
            && let Some(size_kb) = field(&status, "VmSize:")
        {
            avail = avail.min(limit.saturating_sub(size_kb.saturating_mul(1024)));
        }
        Some(avail)
    }

    /// Refuses a load that needs more than the memory available.
    pub fn check_fits(need: u64) -> Result<(), OutOfMemory> {
        match available() {
            Some(avail) if need > avail => Err(OutOfMemory::Open { need_mb: need >> 20, available_mb: avail >> 20 }),
            _ => Ok(()),
        }
    }

    /// Refuses an image of `need` bytes (a raster export) that needs more than the memory available.
    pub fn check_image_fits(need: u64) -> Result<(), OutOfMemory> {
        match available() {
            Some(avail) if need > avail => Err(OutOfMemory::Image { need_mb: need >> 20, available_mb: avail >> 20 }),
            _ => Ok(()),
        }
    }

    /// True when less than 96 MB is left: a load should stop before the system does it for us.
    pub fn running_low() -> bool {
        available().is_some_and(|a| a < 96 << 20)
    }

    #[cfg(test)]
    #[test]
    fn a_file_larger_than_memory_is_refused_with_a_message() {
        let e = check_fits(u64::MAX / 2).expect_err("refused");
        assert!(e.to_string().contains("MB of memory"), "{e}");
        assert!(check_fits(1).is_ok());
        assert_eq!(need_for_geojson(100, false), 300);
    }

    /// Why a load stopped when the machine ran low.
    pub fn exhausted() -> OutOfMemory {
        OutOfMemory::RanLow
    }
}

/// Saves a plan: a GeoPackage for `.gpkg`, else plan GeoJSON. Atomic either way.
/// A database location is never written as a file (a stray file named
/// `postgresql:…`): publishing is `postgis::publish`.
pub fn save_path(plan: &crate::model::Plan, path: &Path) -> Result<(), SaveError> {
    if postgis::is_uri(path) {
        return Err(SaveError::NotAFile(postgis::redact(&path.to_string_lossy())));
    }
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gpkg")) {
        gpkg::save(plan, path)
    } else {
        save_geojson(plan, path)
    }
}
