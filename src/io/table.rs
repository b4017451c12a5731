//! Tables of points: CSV (comma, semicolon or tab; UTF-8 with or without BOM,
//! else GBK/GB18030 as Excel on Chinese Windows saves it) and Excel workbooks
//! (the first sheet with data). Each row is a point: its coordinates from the
//! columns the user names (`ReadOptions::columns`, `--columns X,Y`) or from
//! the header (经度/纬度, lon/lat, x/y …), the other columns its properties.
//! The rows then go through [`foreign::assemble`] like every other format, so
//! metres in a chosen system (or Gauss-Krüger with its zone prefix) become
//! degrees there.

use std::borrow::Cow;
use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader};
use encoding_rs::Encoding;
use geo::{Geometry, Point};
use serde_json::{Map, Value};

use super::foreign::{Collected, Found, assemble};
use super::{LoadError, Loaded, ReadOptions, Warning, clip, memory};

/// Names of the x (longitude, easting) column, compared lower-case without
/// spaces or a bracketed unit ("经度(°)", "X 坐标").
const X_NAMES: &[&str] =
    &["lon", "lng", "long", "longitude", "经度", "x", "easting", "东坐标", "x坐标", "point_x", "东经"];
/// Names of the y (latitude, northing) column, compared the same way.
const Y_NAMES: &[&str] = &["lat", "latitude", "纬度", "y", "northing", "北坐标", "y坐标", "point_y", "北纬"];

/// Rows whose coordinates cannot be used are named one by one up to this many; the rest in one summary.
const NAMED_BAD_ROWS: usize = 5;

/// The most a workbook may unpack to (its sheets' XML), so a small file cannot fill the memory.
const MAX_UNPACKED: u64 = 1 << 30;

/// The x and y columns of a table of points the user chose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Columns<'a> {
    /// By header name (`--columns 经度,纬度`); a name no column has may be a
    /// 1-based column number (`--columns 3,4`).
    Named(&'a str, &'a str),
    /// By position, 0-based (the column window: two columns may share a name, or have none).
    At(usize, usize),
}

/// Loads the points of a CSV file or an Excel workbook (told by its first bytes:
/// a zip or an OLE file is a workbook, anything else is read as CSV text, so a
/// "导出Excel" that is really CSV opens too).
pub fn load(path: &Path, opts: &ReadOptions) -> Result<Loaded, LoadError> {
    let size = std::fs::metadata(path)?.len();
    // The text (UTF-8 is not copied; GBK is decoded into a copy) and the rows as features with their
    // properties. Measured: a 28 MB UTF-8 CSV of 400,000 points peaks at 13× its size, the same rows in
    // GBK (23 MB) at 18×.
    memory::check_fits(size.saturating_mul(18))?;
    let bytes = std::fs::read(path)?;
    read(&bytes, opts)
}

/// Reads the points of CSV or workbook bytes.
pub fn read(bytes: &[u8], opts: &ReadOptions) -> Result<Loaded, LoadError> {
    if is_workbook(bytes) { read_workbook(bytes, opts) } else { read_csv(bytes, opts) }
}

/// One cell as read.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    /// Text, typed on the way into the properties ([`typed`]).
    Text(String),
    Number(f64),
    Bool(bool),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.clone(),
            Cell::Number(n) => n.to_string(),
            Cell::Bool(b) => b.to_string(),
        }
    }
}

/// Reads CSV bytes: decoded (BOM, UTF-8, else GB18030), the delimiter sniffed from the header.
pub fn read_csv(bytes: &[u8], opts: &ReadOptions) -> Result<Loaded, LoadError> {
    let (text, _) = decode_text(bytes, None);
    if text.trim().is_empty() {
        return Err(LoadError::Malformed { place: "the file".into(), message: "is empty".into() });
    }
    // Progress in bytes of the file: the decoded text may be longer than the GBK it came from.
    let scale = bytes.len() as f64 / text.len().max(1) as f64;
    let mut rows = csv_rows(&text, |at| opts.progress.is_none_or(|f| f((at as f64 * scale) as u64)));
    match header(&mut rows)? {
        Some(header) => points(&header, rows, opts),
        None => Err(LoadError::Malformed { place: "the file".into(), message: "is empty".into() }),
    }
}

/// The rows of CSV text, split at the delimiter its first line with a value
/// uses most (comma, semicolon or tab), each numbered as a spreadsheet shows
/// it ([`RowNumbers`]), with every cell. `go_on` is told, every megabyte, the
/// byte a row starts at, and says whether to go on.
fn csv_rows<'t>(
    text: &'t str,
    mut go_on: impl FnMut(u64) -> bool + 't,
) -> impl Iterator<Item = Result<Row, LoadError>> + 't {
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or_default();
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|&d| (first_line.bytes().filter(|&b| b == d).count(), d == b','))
        .unwrap_or(b',');
    let reader =
        csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut next_report = 0u64;
    let mut numbers = RowNumbers::default();
    reader.into_records().map(move |r| {
        let record = r.map_err(|e| LoadError::Malformed {
            place: e.position().map_or_else(|| "the table".to_string(), |p| format!("row {}", p.line())),
            message: clip(&e.to_string(), 200),
        })?;
        let at = record.position().map_or(0, |p| p.byte());
        if at >= next_report {
            next_report = at + (1 << 20);
            if !go_on(at) {
                return Err(LoadError::Cancelled);
            }
        }
        let number = numbers.of(text, &record);
        Ok((number, record.iter().map(|c| Cell::Text(c.to_string())).enumerate().collect::<Vec<_>>()))
    })
}

/// Numbers CSV records as a spreadsheet numbers its rows (1-based): every line
/// end before a record counts, a blank line's too (the csv crate skips blank
/// lines), but not one inside a quoted cell (the cell stays in its row). Line
/// ends are CRLF, LF or a lone CR, as the csv crate splits records. (The
/// crate's own line count counts every LF, those in cells too, and lags one
/// behind after a CRLF.) Records are numbered in order.
#[derive(Default)]
struct RowNumbers {
    /// Where the last record numbered starts.
    at: usize,
    /// Its number, less one.
    row: usize,
    /// The line ends inside its cells.
    inside: usize,
}

impl RowNumbers {
    fn of(&mut self, text: &str, record: &csv::StringRecord) -> usize {
        let bytes = text.as_bytes();
        let mut start = record.position().map_or(self.at, |p| p.byte() as usize).clamp(self.at, bytes.len());
        // A record's position may be on the line end before it (after a CR of a CRLF).
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        self.row += line_ends(&bytes[self.at..start]).saturating_sub(self.inside);
        self.at = start;
        self.inside = record.iter().map(|cell| line_ends(cell.as_bytes())).sum();
        self.row + 1
    }
}

/// How many line ends `text` holds: CRLF, LF, or a CR alone.
fn line_ends(text: &[u8]) -> usize {
    text.iter().enumerate().filter(|&(i, &b)| b == b'\n' || (b == b'\r' && text.get(i + 1) != Some(&b'\n'))).count()
}

/// A row: its number as the user sees it (1-based) and its cells by column (0-based, sparse).
pub type Row = (usize, Vec<(usize, Cell)>);

/// The first row with a value, as column names by column.
fn header(rows: &mut impl Iterator<Item = Result<Row, LoadError>>) -> Result<Option<Vec<String>>, LoadError> {
    for row in rows {
        let (_, cells) = row?;
        if cells.iter().any(|(_, c)| !c.is_empty()) {
            let width = cells.iter().map(|(i, _)| i + 1).max().unwrap_or(0);
            let mut names = vec![String::new(); width];
            for (i, c) in cells {
                if let Some(n) = names.get_mut(i) {
                    *n = c.text();
                }
            }
            return Ok(Some(names));
        }
    }
    Ok(None)
}

/// Reads an Excel workbook (`.xlsx`, `.xlsm`, `.xls`): the first sheet with data.
pub fn read_workbook(bytes: &[u8], opts: &ReadOptions) -> Result<Loaded, LoadError> {
    check_workbook(bytes)?;
    each_sheet(bytes, |mut rows| header(&mut rows).and_then(|h| h.map(|h| points(&h, rows, opts)).transpose()))
}

/// Refuses a workbook (a zip) that unpacks to more than the memory can hold, before calamine unpacks it.
fn check_workbook(bytes: &[u8]) -> Result<(), LoadError> {
    let bad = |place: &str, message: String| LoadError::Malformed { place: place.into(), message };
    if bytes.starts_with(b"PK") {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
            bad("the workbook", format!("is not a readable Excel file ({})", clip(&e.to_string(), 200)))
        })?;
        // The central directory's sizes (a lying size makes the unpacking fail, not grow).
        let unpacked =
            (0..zip.len()).filter_map(|i| zip.by_index_raw(i).ok().map(|f| f.size())).fold(0u64, u64::saturating_add);
        if unpacked > MAX_UNPACKED {
            return Err(bad("the workbook", format!("unpacks to {} MB, more than this app reads", unpacked >> 20)));
        }
        memory::check_fits(unpacked.saturating_mul(3))?;
    }
    Ok(())
}

/// The rows of a table as they are, for readers of other tables than points
/// (the residents' register): CSV (decoded and split as [`read_csv`] does) or
/// the first sheet with data of a workbook. Each row with its number as the
/// spreadsheet shows it (1-based) and its non-empty cells by column (0-based);
/// rows with no value are left out.
pub fn rows(bytes: &[u8]) -> Result<Vec<Row>, LoadError> {
    if is_workbook(bytes) {
        check_workbook(bytes)?;
        return each_sheet(bytes, |rows| with_values(rows).map(|out| (!out.is_empty()).then_some(out)));
    }
    let (text, _) = decode_text(bytes, None);
    with_values(csv_rows(&text, |_| true))
}

/// The rows with a value, each with only its cells that have one.
fn with_values(rows: impl Iterator<Item = Result<Row, LoadError>>) -> Result<Vec<Row>, LoadError> {
    let mut out = Vec::new();
    for row in rows {
        let (n, cells) = row?;
        let cells: Vec<(usize, Cell)> = cells.into_iter().filter(|(_, c)| !c.is_empty()).collect();
        if !cells.is_empty() {
            out.push((n, cells));
        }
    }
    Ok(out)
}

/// Whether the bytes are a workbook: a zip (`.xlsx`, `.xlsm`, `.xlsb`) or an OLE file (`.xls`).
fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xd0, 0xcf, 0x11, 0xe0])
}

/// The rows of a sheet, one at a time, for [`each_sheet`]'s reader.
type Rows<'a> = &'a mut dyn Iterator<Item = Result<Row, LoadError>>;

/// Opens a workbook's sheets in order and gives each one's rows to `take`
/// until it answers `Some` (the first sheet with data); a sheet that cannot be
/// opened is remembered and the next tried, a fault `take` returns is the error.
fn each_sheet<T>(bytes: &[u8], mut take: impl FnMut(Rows<'_>) -> Result<Option<T>, LoadError>) -> Result<T, LoadError> {
    let bad = |place: &str, message: String| LoadError::Malformed { place: place.into(), message };
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| bad("the workbook", format!("is not a readable Excel file ({})", clip(&e.to_string(), 200))))?;
    let mut first_fault = None;
    for name in book.sheet_names() {
        let sheet = format!("sheet “{}”", clip(&name, 40));
        let in_sheet = |e: LoadError| match e {
            LoadError::Malformed { place, message } => {
                LoadError::Malformed { place: format!("{sheet}, {place}"), message }
            }
            e => e,
        };
        let fault = |e: &dyn std::fmt::Display| bad(&sheet, format!("cannot be read ({})", clip(&e.to_string(), 200)));
        // A sheet that cannot be opened is remembered (the next may hold the data); a fault inside one is the error.
        let opened = match &mut book {
            // Cell by cell: memory follows the cells there are, not the rectangle they span
            // (calamine's `worksheet_range` allocates the rectangle: 550 GB for a cell in XFD1048576).
            calamine::Sheets::Xlsx(x) => x
                .worksheet_cells_reader(&name)
                .map(|mut c| {
                    let mut rows = CellRows {
                        next: move || c.next_cell().map(|c| c.map(owned)).map_err(|e| e.to_string()),
                        pending: None,
                        done: false,
                        last: 0,
                    };
                    take(&mut rows)
                })
                .map_err(|e| fault(&e)),
            calamine::Sheets::Xlsb(x) => x
                .worksheet_cells_reader(&name)
                .map(|mut c| {
                    let mut rows = CellRows {
                        next: move || c.next_cell().map(|c| c.map(owned)).map_err(|e| e.to_string()),
                        pending: None,
                        done: false,
                        last: 0,
                    };
                    take(&mut rows)
                })
                .map_err(|e| fault(&e)),
            // .xls and .ods: at most 65,536 × 256 cells, or capped by calamine.
            other => other
                .worksheet_range(&name)
                .map(|range| {
                    let (top, left) = range.start().unwrap_or_default();
                    let mut rows = range.rows().enumerate().map(|(i, r)| {
                        let cells = r
                            .iter()
                            .enumerate()
                            .map(|(j, d)| (left as usize + j, cell_of(d)))
                            .filter(|(_, c)| !c.is_empty())
                            .collect();
                        Ok((top as usize + i + 1, cells))
                    });
                    take(&mut rows)
                })
                .map_err(|e| fault(&e)),
        };
        let result = match opened {
            Ok(result) => result,
            Err(fault) => {
                first_fault.get_or_insert(fault);
                continue;
            }
        };
        match result {
            Ok(Some(found)) => return Ok(found),
            Ok(None) => {}
            Err(e) => return Err(in_sheet(e)),
        }
    }
    Err(first_fault.unwrap_or_else(|| bad("the workbook", "has no sheet with data".into())))
}

/// A workbook cell's position and value, owned.
fn owned(c: calamine::Cell<calamine::DataRef<'_>>) -> ((u32, u32), Cell) {
    (c.get_position(), cell_of(&Data::from(c.get_value().clone())))
}

/// The rows of a sheet from its cells in file order (`next` gives them), one row at a time.
struct CellRows<F> {
    next: F,
    /// The first cell of the next row, read while finishing the one before.
    pending: Option<(u32, usize, Cell)>,
    done: bool,
    /// The number of the last row given, for a fault's place.
    last: usize,
}

impl<F: FnMut() -> Result<Option<((u32, u32), Cell)>, String>> Iterator for CellRows<F> {
    type Item = Result<Row, LoadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let mut row: Option<(u32, Vec<(usize, Cell)>)> = self.pending.take().map(|(r, c, v)| (r, vec![(c, v)]));
        loop {
            let ((r, c), value) = match (self.next)() {
                Ok(Some(cell)) => cell,
                Ok(None) => {
                    self.done = true;
                    return row.map(|(r, cells)| Ok((r as usize + 1, cells)));
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(LoadError::Malformed {
                        place: format!("after row {}", self.last),
                        message: format!("cannot be read ({})", clip(&e, 200)),
                    }));
                }
            };
            if value.is_empty() {
                continue;
            }
            match &mut row {
                Some((current, cells)) if *current == r => cells.push((c as usize, value)),
                Some((current, _)) => {
                    self.last = *current as usize + 1;
                    self.pending = Some((r, c as usize, value));
                    return row.map(|(r, cells)| Ok((r as usize + 1, cells)));
                }
                None => row = Some((r, vec![(c as usize, value)])),
            }
        }
    }
}

/// A workbook cell as a [`Cell`]; dates as YYYY-MM-DD (with the time when it has one).
fn cell_of(d: &Data) -> Cell {
    match d {
        Data::Empty | Data::Error(_) => Cell::Empty,
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::DateTime(t) if t.is_datetime() => {
            let (y, mo, d, h, mi, s, _) = t.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                Cell::Text(format!("{y:04}-{mo:02}-{d:02}"))
            } else {
                Cell::Text(format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}"))
            }
        }
        Data::DateTime(t) => Cell::Number(t.as_f64()),
    }
}

/// Lower-case, without spaces and bracketed units: "经度 (°)" → "经度", "X坐标" → "x坐标".
fn normalise(header: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in header.chars() {
        match c {
            '(' | '（' | '[' | '【' | '{' => depth += 1,
            ')' | '）' | ']' | '】' | '}' => depth = depth.saturating_sub(1),
            c if depth == 0 && !c.is_whitespace() && c != '\u{feff}' => out.extend(c.to_lowercase()),
            _ => {}
        }
    }
    out
}

/// The index of the column `wanted` names (exactly, else as [`normalise`]
/// compares), else the column it numbers (1-based: "3", "#3"). A blank name names no column.
fn column_named(header: &[String], wanted: &str) -> Option<usize> {
    let wanted = wanted.trim();
    if wanted.is_empty() {
        return None;
    }
    header
        .iter()
        .position(|h| h.trim() == wanted)
        .or_else(|| header.iter().position(|h| normalise(h) == normalise(wanted)))
        .or_else(|| {
            let n: usize = wanted.strip_prefix('#').unwrap_or(wanted).parse().ok()?;
            (1..=header.len()).contains(&n).then(|| n - 1)
        })
}

/// The first column (in the order of `names`) whose header is one of `names`.
fn column_among(header: &[String], names: &[&str]) -> Option<usize> {
    let normalised: Vec<String> = header.iter().map(|h| normalise(h)).collect();
    names.iter().find_map(|n| normalised.iter().position(|h| h == n))
}

/// The columns, quoted, for messages (the first 30).
pub(crate) fn list_columns(header: &[String]) -> String {
    let mut shown: Vec<String> = header.iter().take(30).map(|h| format!("“{}”", clip(h.trim(), 40))).collect();
    if header.len() > 30 {
        shown.push(format!("… ({} columns)", header.len()));
    }
    shown.join(", ")
}

/// Makes points of the rows under `header`: coordinates from the chosen or
/// recognised columns, the other columns as properties.
fn points(
    header: &[String],
    rows: impl Iterator<Item = Result<Row, LoadError>>,
    opts: &ReadOptions,
) -> Result<Loaded, LoadError> {
    let (x, y) = match opts.columns {
        Some(chosen) => {
            let missing = |what: String| LoadError::Malformed {
                place: "the header".into(),
                message: format!("has no column {what}; the columns are {}", list_columns(header)),
            };
            let (x, y) = match chosen {
                Columns::Named(xn, yn) => {
                    let find = |n: &str| column_named(header, n).ok_or_else(|| missing(format!("“{}”", clip(n, 40))));
                    (find(xn)?, find(yn)?)
                }
                Columns::At(x, y) => {
                    let at = |i: usize| (i < header.len()).then_some(i).ok_or_else(|| missing(format!("{}", i + 1)));
                    (at(x)?, at(y)?)
                }
            };
            if x == y {
                return Err(LoadError::Malformed {
                    place: "the header".into(),
                    message: format!("column {} was chosen for both x and y; choose two different columns", x + 1),
                });
            }
            (x, y)
        }
        None => match (column_among(header, X_NAMES), column_among(header, Y_NAMES)) {
            (Some(x), Some(y)) if x != y => (x, y),
            _ => return Err(LoadError::NoCoordinateColumns { columns: header.to_vec() }),
        },
    };
    // Property names: the header's, an empty one "column N", a repeated one "name (2)".
    let mut names: Vec<String> = Vec::with_capacity(header.len());
    let mut taken = std::collections::HashSet::new();
    for (i, h) in header.iter().enumerate() {
        let base = match h.trim() {
            "" => format!("column {}", i + 1),
            t => t.to_string(),
        };
        let mut name = base.clone();
        let mut k = 2;
        while taken.contains(&name) {
            name = format!("{base} ({k})");
            k += 1;
        }
        taken.insert(name.clone());
        names.push(name);
    }
    let (x_name, y_name) = (names[x].clone(), names[y].clone());
    let mut features = Vec::new();
    let mut bad: Vec<(usize, String)> = Vec::new();
    for row in rows {
        let (number, cells) = row?;
        if cells.iter().all(|(_, c)| c.is_empty()) {
            continue;
        }
        let coordinate = |i: usize, name: &str| -> Result<f64, String> {
            match cells.iter().find(|(c, _)| *c == i).map(|(_, v)| v) {
                None | Some(Cell::Empty) => Err(format!("no {name}")),
                Some(Cell::Number(n)) if n.is_finite() => Ok(*n),
                Some(Cell::Text(t)) if t.trim().is_empty() => Err(format!("no {name}")),
                Some(Cell::Text(t)) => {
                    parse_degrees(t).ok_or_else(|| format!("{name} “{}” is not a number", clip(t.trim(), 40)))
                }
                Some(c) => Err(format!("{name} “{}” is not a number", clip(&c.text(), 40))),
            }
        };
        let (px, py) = match (coordinate(x, &x_name), coordinate(y, &y_name)) {
            (Ok(px), Ok(py)) => (px, py),
            (Err(m), _) | (_, Err(m)) => {
                bad.push((number, m));
                continue;
            }
        };
        let mut properties = Map::new();
        for (i, cell) in &cells {
            let i = *i;
            if i == x || i == y {
                continue;
            }
            let value = match cell {
                Cell::Empty => continue,
                Cell::Text(t) if t.trim().is_empty() => continue,
                Cell::Text(t) => typed(t),
                Cell::Number(n) => number_value(*n),
                Cell::Bool(b) => Value::Bool(*b),
            };
            let name = names.get(i).cloned().unwrap_or_else(|| format!("column {}", i + 1));
            properties.insert(name, value);
        }
        features.push(Found {
            geometry: Geometry::Point(Point::new(px, py)),
            properties,
            place: format!("row {number}"),
        });
    }
    if features.is_empty() {
        return Err(LoadError::Malformed {
            place: "the table".into(),
            message: match bad.first() {
                Some((n, m)) => format!("no row has usable coordinates (row {n}: {m})"),
                None => "has a header but no rows".into(),
            },
        });
    }
    let mut warnings: Vec<Warning> = bad
        .iter()
        .take(NAMED_BAD_ROWS)
        .map(|(n, m)| Warning { place: format!("row {n}"), message: format!("{m}; row left out") })
        .collect();
    if bad.len() > NAMED_BAD_ROWS {
        let rest = &bad[NAMED_BAD_ROWS..];
        let listed: Vec<String> = rest.iter().take(10).map(|(n, _)| n.to_string()).collect();
        warnings.push(Warning {
            place: format!("{} more rows", rest.len()),
            message: format!(
                "no usable coordinates (rows {}{}); left out",
                listed.join(", "),
                if rest.len() > 10 { ", …" } else { "" }
            ),
        });
    }
    assemble(Collected { features, warnings, crs: None }, opts.crs)
}

/// A number as JSON: an integer when it is one (and exact), else a float.
fn number_value(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

/// A text cell as a property: a plain decimal number becomes a number, but a
/// code with leading zeros ("0012"), more digits than a double keeps (an ID
/// number), or anything else stays the text.
pub(crate) fn typed(text: &str) -> Value {
    let t = text.trim();
    let digits = t.strip_prefix('-').unwrap_or(t);
    let (int, frac) = match digits.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (digits, None),
    };
    let plain = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
        && !(int.len() > 1 && int.starts_with('0'))
        && int.len() + frac.map_or(0, str::len) <= 15;
    if plain {
        if frac.is_none()
            && let Ok(i) = t.parse::<i64>()
        {
            return Value::from(i);
        }
        if let Ok(f) = t.parse::<f64>()
            && let Some(n) = serde_json::Number::from_f64(f)
        {
            return Value::Number(n);
        }
    }
    Value::String(t.to_string())
}

/// A coordinate as written in a table: a decimal number, or degrees with
/// minutes and seconds and a hemisphere ("116.46°", "116°27'36\"E",
/// "东经116度27分36秒", "39°54′N"). `None` when it is none of these.
pub fn parse_degrees(text: &str) -> Option<f64> {
    let t = text.trim();
    if let Ok(v) = t.parse::<f64>() {
        return v.is_finite().then_some(v);
    }
    let mut sign = 1.0;
    let mut body = t;
    for (word, s) in [("东经", 1.0), ("北纬", 1.0), ("西经", -1.0), ("南纬", -1.0)] {
        if let Some(rest) = body.strip_prefix(word) {
            body = rest;
            sign = s;
        }
    }
    let hemisphere = |c: char| match c.to_ascii_uppercase() {
        'N' | 'E' => Some(1.0),
        'S' | 'W' => Some(-1.0),
        _ => None,
    };
    if let Some(c) = body.chars().next()
        && let Some(s) = hemisphere(c)
    {
        sign = s;
        body = &body[c.len_utf8()..];
    }
    if let Some(c) = body.chars().last()
        && let Some(s) = hemisphere(c)
    {
        sign = s;
        body = &body[..body.len() - c.len_utf8()];
    }
    let body = body.trim();
    let (body, negative) = match body.strip_prefix('-') {
        Some(rest) => (rest, true),
        None => (body, false),
    };
    let mut parts: Vec<f64> = Vec::with_capacity(3);
    let mut number = String::new();
    for c in body.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
        } else if matches!(c, '°' | 'º' | '\'' | '′' | '’' | '"' | '″' | '”' | '度' | '分' | '秒' | ':' | ' ')
        {
            if !number.is_empty() {
                parts.push(number.parse().ok()?);
                number.clear();
            }
        } else {
            return None;
        }
    }
    let value = match parts[..] {
        [d] => d,
        [d, m] if m < 60.0 => d + m / 60.0,
        [d, m, s] if m < 60.0 && s < 60.0 => d + m / 60.0 + s / 3600.0,
        _ => return None,
    };
    let value = if negative { -value } else { value } * sign;
    value.is_finite().then_some(value)
}

/// Text from bytes: by a byte-order mark (left out), else by `declared` (an XML
/// declaration's encoding), else UTF-8 when it is valid, else GB18030 (which
/// reads GBK), as Chinese Windows writes it. Returns the encoding used. UTF-8
/// (and ASCII in any of these) is lent, not copied.
pub(crate) fn decode_text<'a>(
    bytes: &'a [u8],
    declared: Option<&'static Encoding>,
) -> (Cow<'a, str>, &'static Encoding) {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(bytes.get(bom..).unwrap_or_default());
        return (text, encoding);
    }
    if let Some(encoding) = declared.filter(|e| *e != encoding_rs::UTF_8 && e.is_ascii_compatible()) {
        let (text, _) = encoding.decode_without_bom_handling(bytes);
        return (text, encoding);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), encoding_rs::UTF_8),
        Err(_) => {
            let (text, _) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
            (text, encoding_rs::GB18030)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degrees_minutes_seconds_and_plain_numbers() {
        assert_eq!(parse_degrees("116.46"), Some(116.46));
        assert_eq!(parse_degrees(" 116.46° "), Some(116.46));
        let v = parse_degrees("116°27'36\"E").expect("dms");
        assert!((v - 116.46).abs() < 1e-9, "{v}");
        let v = parse_degrees("东经116度27分36秒").expect("chinese dms");
        assert!((v - 116.46).abs() < 1e-9, "{v}");
        let v = parse_degrees("33°52′S").expect("south");
        assert!((v + (33.0 + 52.0 / 60.0)).abs() < 1e-9, "{v}");
        assert_eq!(parse_degrees("-73.5"), Some(-73.5));
        for bad in ["abc", "", "116°75'", "NaN", "inf", "1.2.3", "116x", "E"] {
            assert_eq!(parse_degrees(bad), None, "{bad}");
        }
    }

    #[test]
    fn numbers_are_numbers_but_codes_stay_text() {
        assert_eq!(typed("12"), Value::from(12));
        assert_eq!(typed("-3.5"), Value::from(-3.5));
        assert_eq!(typed("0"), Value::from(0));
        assert_eq!(typed("0.25"), Value::from(0.25));
        assert_eq!(typed("0012"), Value::from("0012"));
        assert_eq!(typed("110101199003077777"), Value::from("110101199003077777"));
        assert_eq!(typed("1e5"), Value::from("1e5"));
        assert_eq!(typed("3号楼"), Value::from("3号楼"));
        assert_eq!(typed("12."), Value::from("12."));
    }

    #[test]
    fn headers_are_recognised_without_case_spaces_or_units() {
        let h = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let header = h(&["名称", "经度 (°)", "纬度（度）"]);
        assert_eq!(column_among(&header, X_NAMES), Some(1));
        assert_eq!(column_among(&header, Y_NAMES), Some(2));
        let header = h(&["ID", "X 坐标", "Y坐标"]);
        assert_eq!((column_among(&header, X_NAMES), column_among(&header, Y_NAMES)), (Some(1), Some(2)));
        let header = h(&["name", "Longitude", "LAT"]);
        assert_eq!((column_among(&header, X_NAMES), column_among(&header, Y_NAMES)), (Some(1), Some(2)));
        assert_eq!(column_named(&header, "longitude"), Some(1));
    }

    #[test]
    fn rows_are_numbered_as_a_spreadsheet_shows_them_whatever_the_line_ends() {
        let numbers = |text: &str| -> Vec<usize> { rows(text.as_bytes()).expect("rows").iter().map(|r| r.0).collect() };
        // CRLF (the csv crate's count lags a line), a blank line counting as a row.
        assert_eq!(numbers("a,b\r\n1,2\r\n\r\n3,4\r\n"), [1, 2, 4]);
        assert_eq!(numbers("\n\na,b\n1,2\n"), [3, 4]);
        // A line break inside a quoted cell stays in its row, with LF or CRLF.
        assert_eq!(numbers("名称,备注\n甲,\"第一行\n第二行\"\n乙,x\n丙,y"), [1, 2, 3, 4]);
        assert_eq!(numbers("a,b\r\n1,\"x\r\ny\r\nz\"\r\n\r\n2,w\r\n"), [1, 2, 4]);
        // A lone CR ends a row (older Mac spreadsheets).
        assert_eq!(numbers("a,b\r1,2\r\r3,4"), [1, 2, 4]);
        // The points reader names the same rows.
        let text = "经度,纬度,备注\r\n116.4,39.9,\"两\r\n行\"\r\n东边,39.9,x\r\n";
        let l = read_csv(text.as_bytes(), &ReadOptions::default()).expect("reads");
        assert!(l.warnings.iter().any(|w| w.place == "row 3"), "{:?}", l.warnings);
    }

    #[test]
    fn gbk_text_is_decoded_and_a_bom_is_honoured() {
        let (gbk, _, _) = encoding_rs::GBK.encode("经度,纬度,名称\n116.4,39.9,劲松");
        let (text, enc) = decode_text(&gbk, None);
        assert_eq!(enc, encoding_rs::GB18030);
        assert!(matches!(text, Cow::Owned(_)), "GBK is decoded into a copy");
        assert!(text.starts_with("经度,纬度,名称"), "{text}");
        let bom = [&[0xef, 0xbb, 0xbf][..], "名称".as_bytes()].concat();
        assert_eq!(decode_text(&bom, None).0, "名称");
        let utf8 = "经度,纬度\n116.4,39.9".as_bytes();
        assert!(
            matches!(decode_text(utf8, None), (Cow::Borrowed(t), _) if t.as_ptr() == utf8.as_ptr()),
            "UTF-8 is lent"
        );
    }
}
