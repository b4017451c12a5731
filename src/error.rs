//! Why a save or an export failed, as typed values (thiserror).
//!
//! Each variant says what failed — the file and the step (write, sync, rename),
//! the column that could not be encoded, the page that could not be drawn — so
//! an error is handled once: the command line prints it on one line after the
//! file's name, the window keeps it in a message worded when it is drawn.
//! Running out of memory is its own value ([`OutOfMemory`]), shared with
//! loading, so it is never reported as a malformed file and has its own words in
//! both languages (`i18n::Strings::out_of_memory`).

use std::path::PathBuf;

/// The machine had not enough memory for a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OutOfMemory {
    /// A file was refused before reading: it needs about `need_mb` and only `available_mb` are free.
    #[error(
        "opening this file needs about {need_mb} MB of memory and only {available_mb} MB are available; \
         close other programs or open a smaller extract"
    )]
    Open { need_mb: u64, available_mb: u64 },
    /// The machine ran low while a file was read; the load was stopped.
    #[error("the computer ran low on memory while reading this file; the load was stopped")]
    RanLow,
    /// The reader could not grow its window by `mb` megabytes.
    #[error("not enough memory to read {mb} MB more of the file")]
    Reading { mb: u64 },
    /// The database engine or the system ran out of memory while a file was written.
    #[error("the computer ran out of memory while writing this file; close other programs and save again")]
    Writing,
    /// An image was refused before drawing: it needs about `need_mb` and only `available_mb` are free.
    #[error(
        "this image needs about {need_mb} MB of memory and only {available_mb} MB are available; \
         choose a smaller size or paper"
    )]
    Image { need_mb: u64, available_mb: u64 },
}

/// A step of writing a file, for the message of an I/O error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    CreateFolder,
    Write,
    Sync,
    Rename,
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Step::CreateFolder => "create the folder",
            Step::Write => "write",
            Step::Sync => "flush to disk",
            Step::Rename => "rename into place",
        })
    }
}

/// Why a file could not be saved (a plan, an autosave, or an export's bytes).
/// The previous file at that path is intact.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// The file system refused a step, at `path` (the temporary `FILE.saving` or the file itself).
    #[error("cannot {step} {}: {source}", path.display())]
    Io {
        step: Step,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The GeoPackage database refused a write.
    #[error("{0}")]
    Db(rusqlite::Error),
    /// A value could not be encoded as JSON: the file would lose it, so nothing is written.
    #[error("{0}")]
    Encode(#[from] EncodeError),
    #[error("{0}")]
    OutOfMemory(OutOfMemory),
    /// A database location was given where a file is written (the location, without any password).
    #[error("{0} is a database location, not a file: publish to it (File → Save to database…, or export FILE -o URI)")]
    NotAFile(String),
}

impl SaveError {
    /// An I/O error of `step` at `path`; the system's own out-of-memory is [`SaveError::OutOfMemory`].
    pub fn io(step: Step, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        if source.kind() == std::io::ErrorKind::OutOfMemory {
            return SaveError::OutOfMemory(OutOfMemory::Writing);
        }
        SaveError::Io { step, path: path.into(), source }
    }

    /// The shortage of memory, when that is why.
    pub fn out_of_memory(&self) -> Option<OutOfMemory> {
        match self {
            SaveError::OutOfMemory(m) => Some(*m),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for SaveError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::OutOfMemory) => SaveError::OutOfMemory(OutOfMemory::Writing),
            _ => SaveError::Db(e),
        }
    }
}

/// A value of the plan that could not be encoded as JSON, named by where it
/// goes (a GeoPackage column, a GeoJSON member).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{column}: cannot be written as JSON: {message}")]
pub struct EncodeError {
    pub column: String,
    pub message: String,
}

impl EncodeError {
    pub fn new(column: impl Into<String>, e: serde_json::Error) -> Self {
        EncodeError { column: column.into(), message: e.to_string() }
    }
}

/// The JSON text of a value for a column that keeps it; an error names the column.
pub fn json_column<T: serde::Serialize + ?Sized>(column: &str, value: &T) -> Result<String, EncodeError> {
    serde_json::to_string(value).map_err(|e| EncodeError::new(column, e))
}

/// The JSON value of a part of the plan; an error names where it goes.
pub fn json_value<T: serde::Serialize + ?Sized>(column: &str, value: &T) -> Result<serde_json::Value, EncodeError> {
    serde_json::to_value(value).map_err(|e| EncodeError::new(column, e))
}

/// Why an export (print map, handout, atlas, schedule, GIS data) was not written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Writing the finished bytes failed.
    #[error("{0}")]
    Save(#[from] SaveError),
    /// A value could not be encoded as JSON (GIS GeoJSON).
    #[error("{0}")]
    Encode(#[from] EncodeError),
    /// The file's extension is not a format this export writes.
    #[error("cannot write {what} as .{ext}")]
    Format { what: &'static str, ext: String },
    /// An image size that is not WIDTHxHEIGHT pixels.
    #[error("{0}: use WIDTHxHEIGHT pixels")]
    Size(String),
    /// A CAD drawing that cannot be made as asked (a system in degrees).
    #[error("{0}")]
    Drawing(String),
    /// A paper name that is not A4–A0.
    #[error("{0}: use A4, A3, A2, A1 or A0")]
    Paper(String),
    /// A page (SVG) the renderer could not read, with the bundled font.
    #[error("page {page}: {message}")]
    Page { page: usize, message: String },
    /// A page the PDF writer could not draw.
    #[error("page {page}: could not draw")]
    Draw { page: usize },
    #[error("bad page size")]
    PageSize,
    /// The PDF writer failed to finish the document.
    #[error("PDF: {0}")]
    Pdf(String),
    /// The raster has more pixels than an image can hold.
    #[error("the image is too large")]
    ImageTooLarge,
    /// PNG encoding failed.
    #[error("PNG: {0}")]
    Png(String),
    /// The spreadsheet writer failed.
    #[error("{0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// A story handout was asked of a plan with no story.
    #[error("the plan has no story")]
    NoStory,
    /// The cash-flow table was asked of a plan with no operations ledger.
    #[error("the plan has no operations ledger (operating spaces and cash flows)")]
    NoOperations,
    #[error("story \"{0}\" has no slides")]
    NoSlides(String),
    /// A public notice of a matter the plan does not have; its matters are named.
    #[error("no matter \"{id}\" in the plan; its matters are: {}", if known.is_empty() { "none".to_string() } else { known.join(", ") })]
    NoMatter { id: String, known: Vec<String> },
    /// An atlas was asked of a plan where no feature carries an item.
    #[error("no feature carries an item")]
    NoSites,
    #[error("{0}")]
    OutOfMemory(OutOfMemory),
    /// The shapefile writer failed (a zip or shape it could not write).
    #[error("Shapefile: {0}")]
    Shapefile(String),
    /// A basemap the export was asked to draw could not be drawn (worded once, naming its file or server).
    #[error("basemap {0}")]
    Basemap(#[from] crate::basemap::BasemapError),
    /// The planner stopped the export; nothing was written (the window words it in its language).
    #[error("the export was cancelled; nothing was written")]
    Cancelled,
}

impl ExportError {
    /// The shortage of memory, when that is why.
    pub fn out_of_memory(&self) -> Option<OutOfMemory> {
        match self {
            ExportError::OutOfMemory(m) => Some(*m),
            ExportError::Save(e) => e.out_of_memory(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_that_cannot_be_encoded_is_an_error_naming_its_column_not_an_empty_string() {
        // JSON object keys must be strings: a map keyed by pairs cannot be written.
        let bad: std::collections::BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into();
        let e = json_column("rp_items.item", &bad).expect_err("refused");
        assert_eq!(e.column, "rp_items.item");
        let e = SaveError::from(e);
        assert!(e.to_string().starts_with("rp_items.item: cannot be written as JSON"), "{e}");
        assert!(json_value("renewal_plan.stories", &bad).is_err());
        assert_eq!(json_column("x", &[1, 2]).expect("encodes"), "[1,2]");
    }

    #[test]
    fn running_out_of_memory_is_its_own_error_not_an_io_or_database_fault() {
        let io = SaveError::io(Step::Write, "/tmp/x", std::io::Error::from(std::io::ErrorKind::OutOfMemory));
        assert_eq!(io.out_of_memory(), Some(OutOfMemory::Writing));
        let db = SaveError::from(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_NOMEM),
            None,
        ));
        assert_eq!(db.out_of_memory(), Some(OutOfMemory::Writing));
        assert!(db.to_string().contains("out of memory"), "{db}");
        let full = SaveError::io(Step::Sync, "/tmp/x.saving", std::io::Error::other("disk full"));
        assert_eq!(full.out_of_memory(), None);
        assert_eq!(full.to_string(), "cannot flush to disk /tmp/x.saving: disk full");
        let export = ExportError::from(db);
        assert_eq!(export.out_of_memory(), Some(OutOfMemory::Writing));
    }
}
