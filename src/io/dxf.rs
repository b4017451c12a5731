//! Reading AutoCAD DXF drawings (issue 16): the 地形图 and site plans
//! planners receive from surveyors and design institutes.
//!
//! The `dxf` crate reads the drawing (ASCII or binary, R12 to current).
//! A small group-code reader of our own ([`Pairs`]) does what the crate
//! cannot: it reads the header's `$ACADVER`/`$DWGCODEPAGE` first, so text is
//! decoded in the drawing's code page (GBK for ANSI_936, UTF-8 from R2007),
//! counts entities per layer for the "CAD layers" dialog ([`layers`]), and
//! reads HATCH boundaries, which the crate has no entity for.
//!
//! Glossary: a *layer* (图层) groups a drawing's entities; its name says what
//! they are (建筑, 道路 …) and becomes the features' kind ([`guess_kind`] or the
//! planner's mapping). A *block* is a named group of entities placed by an
//! INSERT (moved, scaled, rotated, repeated in rows and columns). *OCS* is an
//! entity's own coordinate system; only the flat ones (normal ±Z) are read.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use dxf::entities::{Entity, EntityType};
use dxf::{Block, Drawing};
use encoding_rs::Encoding;
use geo::{BoundingRect, Contains, Coord, Distance, Euclidean, Geometry, LineString, MultiPolygon, Point, Polygon};
use serde_json::{Map, Value};

use super::foreign::{Collected, Found, assemble, file_name};
use super::geojson::Warning;
use super::repair::{inside, signed_area2};
use super::{LoadError, Loaded, ReadOptions, clip};
use crate::model::Kind;

/// A layer of a drawing, for the "CAD layers" dialog.
#[derive(Clone, Debug, PartialEq)]
pub struct CadLayer {
    /// The layer's name in the drawing (图层名).
    pub name: String,
    /// How many entities on it the reader reads: model space (not paper
    /// space), and in block definitions (once each) those not on layer 0
    /// (which take the layer of the INSERT placing them).
    pub entities: usize,
    /// The kind its name suggests; `None`: an annotation layer, left out.
    pub guess: Option<Kind>,
}

/// The kind a layer's name suggests (English or Chinese, case-insensitive,
/// by what the name contains); `None` for annotation layers (texts,
/// dimensions, frames, axes, `0`, `Defpoints`), which make no features.
pub fn guess_kind(layer: &str) -> Option<Kind> {
    let name = layer.trim().to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| name.contains(w));
    if name == "0" || name == "defpoints" || has(&["text", "标注", "注记", "anno", "dim", "尺寸", "图框", "轴线"])
    {
        return None;
    }
    Some(if has(&["boundary", "红线", "用地", "边界", "范围"]) {
        Kind::Boundary
    } else if has(&["core", "物业", "居委"]) {
        Kind::Core
    } else if has(&["node", "服务", "设施", "poi"]) {
        Kind::Node
    } else if has(&["green", "绿地", "绿化", "花园", "公园", "garden", "park"]) {
        Kind::Garden
    } else if has(&["road", "street", "道路", "街巷", "路", "巷", "道"]) {
        Kind::Street
    } else if has(&["building", "bldg", "建筑", "房屋", "楼", "住宅"]) {
        Kind::Building
    } else {
        Kind::Other
    })
}

/// The layers of the drawing at `path` with the counts of their entities the
/// reader reads ([`CadLayer::entities`]) and guessed kinds, in the order of
/// their names. A quick read: the drawing itself is not built.
pub fn layers(path: &Path) -> Result<Vec<CadLayer>, LoadError> {
    layers_with(path, None)
}

/// [`layers`], reporting the bytes scanned to `progress` (returning `false`
/// cancels: [`LoadError::Cancelled`]). A file that would not fit in the
/// memory left is refused before it is read.
pub fn layers_with(path: &Path, progress: Option<&dyn Fn(u64) -> bool>) -> Result<Vec<CadLayer>, LoadError> {
    let size = std::fs::metadata(path)?.len();
    // The file and the HATCHes' group codes kept by the scan: about 3 times the file.
    super::memory::check_fits(size.saturating_mul(3))?;
    let go_on = |done: u64| progress.is_none_or(|f| f(done));
    if !go_on(0) {
        return Err(LoadError::Cancelled);
    }
    let bytes = std::fs::read(path)?;
    if !go_on(size / 2) {
        return Err(LoadError::Cancelled);
    }
    let layers = layers_of(&bytes, &file_name(path))?;
    if !go_on(size) {
        return Err(LoadError::Cancelled);
    }
    Ok(layers)
}

/// The layers of a drawing's bytes; `place` names it in messages.
fn layers_of(bytes: &[u8], place: &str) -> Result<Vec<CadLayer>, LoadError> {
    let malformed = |message: String| LoadError::Malformed { place: place.to_string(), message };
    let scan = scan(bytes).map_err(|m| malformed(clip(&m, 300)))?;
    let enc = scan.encoding();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (raw, n) in &scan.layer_counts {
        *counts.entry(unescape(&decode(raw, enc))).or_default() += n;
    }
    if counts.is_empty() {
        return Err(malformed("the drawing has no entities".into()));
    }
    Ok(counts.into_iter().map(|(name, entities)| CadLayer { guess: guess_kind(&name), name, entities }).collect())
}

/// Loads a plan from a DXF drawing (ASCII or binary).
pub fn load(path: &Path, opts: &ReadOptions) -> Result<Loaded, LoadError> {
    let size = std::fs::metadata(path)?.len();
    // The drawing, its entities and the features made of them: about 8 times the file.
    super::memory::check_fits(size.saturating_mul(8))?;
    let bytes = std::fs::read(path)?;
    read(&bytes, &file_name(path), opts)
}

/// Reads a plan from the bytes of a DXF drawing; `place` names it in messages.
pub fn read(bytes: &[u8], place: &str, opts: &ReadOptions) -> Result<Loaded, LoadError> {
    let collected = collect(bytes, place, opts)?;
    assemble(collected, opts.crs)
}

/// The features of a drawing in its own coordinates, with their layers and kinds.
fn collect(bytes: &[u8], place: &str, opts: &ReadOptions) -> Result<Collected, LoadError> {
    let malformed = |message: String| LoadError::Malformed { place: place.to_string(), message: clip(&message, 300) };
    // Progress in bytes of the file: the crate's load stands for the first half, the entities for the second.
    let size = bytes.len() as u64;
    let go_on = |done: u64| opts.progress.is_none_or(|f| f(done.min(size)));
    let scan = scan(bytes).map_err(malformed)?;
    if !go_on(size / 10) {
        return Err(LoadError::Cancelled);
    }
    let enc = scan.encoding();
    // The crate has been seen to panic on hostile input (e.g. out-of-range
    // indices while reading); as a last resort a panic becomes one message.
    let given = for_crate(bytes, &scan);
    let drawing = std::panic::catch_unwind(|| Drawing::load_with_encoding(&mut &given[..], enc))
        .map_err(|_| malformed("the drawing is damaged and cannot be read".into()))?
        .map_err(|e| malformed(format!("the drawing cannot be read: {e}")))?;
    if !go_on(size / 2) {
        return Err(LoadError::Cancelled);
    }
    let total = drawing.entities().count().max(1) as u64;
    let mut reader = Reader::new(&drawing, &scan, enc);
    for (i, e) in drawing.entities().enumerate() {
        if i % 4096 == 4095 && !go_on(size / 2 + (size / 2).saturating_mul(i as u64 + 1) / total) {
            return Err(LoadError::Cancelled);
        }
        if e.common.is_in_paper_space {
            reader.skipped.paper += 1;
            continue;
        }
        reader.entity(e, &ID, None, 0, &mut Vec::new());
    }
    for h in &scan.hatches {
        reader.hatch(h, &ID, None);
    }
    if !go_on(size) {
        return Err(LoadError::Cancelled);
    }
    Ok(reader.finish(opts))
}

// ---------------------------------------------------------------------------
// Group codes: our own reader, ASCII and binary.

const BINARY_SENTINEL: &[u8] = b"AutoCAD Binary DXF\r\n\x1a\0";

/// One group code and its value: the value's bytes as the file holds them
/// (text) or its number (binary files).
#[derive(Clone, Copy, Debug)]
struct Pair<'a> {
    code: i32,
    raw: &'a [u8],
    num: Option<f64>,
}

impl Pair<'_> {
    fn num(&self) -> Option<f64> {
        self.num.or_else(|| std::str::from_utf8(self.raw).ok()?.trim().parse().ok()).filter(|v: &f64| v.is_finite())
    }
}

/// The group codes of a DXF file, in order. A fault ends the sequence and is kept in `fault`.
struct Pairs<'a> {
    data: &'a [u8],
    pos: usize,
    line: usize,
    binary: bool,
    two_byte_codes: bool,
    fault: Option<String>,
}

impl<'a> Pairs<'a> {
    fn new(data: &'a [u8]) -> Self {
        if data.starts_with(BINARY_SENTINEL) {
            let p = BINARY_SENTINEL.len();
            // From R13 codes take two bytes: the first code (0, SECTION) then starts with two zero bytes.
            let two = data.get(p) == Some(&0) && data.get(p + 1) == Some(&0);
            Pairs { data, pos: p, line: 0, binary: true, two_byte_codes: two, fault: None }
        } else {
            let pos = if data.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
            Pairs { data, pos, line: 0, binary: false, two_byte_codes: false, fault: None }
        }
    }

    fn fail(&mut self, message: String) -> Option<Pair<'a>> {
        self.fault = Some(message);
        self.pos = self.data.len();
        None
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.data.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(s)
    }

    fn text_line(&mut self) -> Option<&'a [u8]> {
        let rest = self.data.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        self.pos += (end + 1).min(rest.len());
        self.line += 1;
        let line = rest.get(..end)?;
        Some(line.strip_suffix(b"\r").unwrap_or(line))
    }

    fn next_text(&mut self) -> Option<Pair<'a>> {
        let code_line = loop {
            let l = self.text_line()?;
            // Blank lines between pairs (e.g. at the end of the file) are tolerated.
            if !l.trim_ascii().is_empty() {
                break l;
            }
        };
        let line = self.line;
        let Some(code) = std::str::from_utf8(code_line).ok().and_then(|s| s.trim().parse::<i32>().ok()) else {
            let shown = String::from_utf8_lossy(code_line.get(..code_line.len().min(20)).unwrap_or_default());
            return self.fail(format!("line {line}: a group code was expected, found “{}”", shown.trim()));
        };
        let Some(raw) = self.text_line() else {
            return self.fail(format!("line {line}: the file ends after group code {code}, without its value"));
        };
        Some(Pair { code, raw, num: None })
    }

    fn next_binary(&mut self) -> Option<Pair<'a>> {
        let at = self.pos;
        if at >= self.data.len() {
            return None;
        }
        let truncated = |s: &mut Self| s.fail(format!("byte {at}: the file ends inside a group code"));
        let code = if self.two_byte_codes {
            match self.take(2) {
                Some(&[lo, hi]) => i32::from(u16::from_le_bytes([lo, hi])),
                _ => return truncated(self),
            }
        } else {
            match self.take(1) {
                Some(&[255]) => match self.take(2) {
                    Some(&[lo, hi]) => i32::from(i16::from_le_bytes([lo, hi])),
                    _ => return truncated(self),
                },
                Some(&[c]) => i32::from(c),
                _ => return truncated(self),
            }
        };
        let number = |s: &mut Self, n: usize| -> Option<(f64, &'a [u8])> {
            let b = s.take(n)?;
            Some((
                match *b {
                    [a] => f64::from(a),
                    [a, b] => f64::from(i16::from_le_bytes([a, b])),
                    [a, b, c, d] => f64::from(i32::from_le_bytes([a, b, c, d])),
                    [a, b, c, d, e, f, g, h] if n == 8 && is_double(code) => {
                        f64::from_le_bytes([a, b, c, d, e, f, g, h])
                    }
                    [a, b, c, d, e, f, g, h] => i64::from_le_bytes([a, b, c, d, e, f, g, h]) as f64,
                    _ => return None,
                },
                b,
            ))
        };
        let width = match code {
            c if is_double(c) => Some(8),
            60..=79 | 170..=179 | 270..=289 | 370..=389 | 400..=409 | 1060..=1070 => Some(2),
            90..=99 | 420..=429 | 440..=459 | 1071 => Some(4),
            160..=169 => Some(8),
            290..=299 => Some(if self.two_byte_codes { 1 } else { 2 }),
            _ => None,
        };
        if let Some(n) = width {
            return match number(self, n) {
                Some((v, raw)) => Some(Pair { code, raw, num: Some(v) }),
                None => truncated(self),
            };
        }
        match code {
            310..=319 | 1004 => {
                let Some(&[n]) = self.take(1) else { return truncated(self) };
                match self.take(usize::from(n)) {
                    Some(raw) => Some(Pair { code, raw, num: None }),
                    None => truncated(self),
                }
            }
            0..=9
            | 100..=102
            | 105
            | 300..=309
            | 320..=369
            | 390..=399
            | 410..=419
            | 430..=439
            | 470..=481
            | 999..=1009 => {
                let rest = self.data.get(self.pos..).unwrap_or_default();
                let Some(end) = rest.iter().position(|&b| b == 0) else { return truncated(self) };
                self.pos += end + 1;
                Some(Pair { code, raw: rest.get(..end).unwrap_or_default(), num: None })
            }
            _ => self.fail(format!("byte {at}: unknown group code {code}")),
        }
    }
}

fn is_double(code: i32) -> bool {
    matches!(code, 10..=59 | 110..=149 | 210..=239 | 460..=469 | 1010..=1059)
}

impl<'a> Iterator for Pairs<'a> {
    type Item = Pair<'a>;

    fn next(&mut self) -> Option<Pair<'a>> {
        if self.binary { self.next_binary() } else { self.next_text() }
    }
}

/// What the quick pass over the group codes finds.
#[derive(Default)]
struct Scan<'a> {
    version: String,
    codepage: String,
    binary: bool,
    /// The file's bytes (text files only), for telling UTF-8 and GBK from the code page the header claims.
    text: &'a [u8],
    /// Model-space entities per layer (the name's bytes as in the file).
    layer_counts: BTreeMap<&'a [u8], usize>,
    /// HATCH entities of the ENTITIES section, as group codes.
    hatches: Vec<Vec<Pair<'a>>>,
    /// HATCH entities inside blocks, by the block's name bytes.
    block_hatches: HashMap<&'a [u8], Vec<Vec<Pair<'a>>>>,
    /// Where header dates and timers hold numbers the `dxf` crate would
    /// panic on (chrono out of range): byte ranges of their values, to be
    /// set to 0 before the crate reads the drawing.
    bad_dates: Vec<std::ops::Range<usize>>,
}

/// Header variables the `dxf` crate turns into dates or durations.
const DATE_VARIABLES: [&[u8]; 6] =
    [b"$TDCREATE", b"$TDUCREATE", b"$TDUPDATE", b"$TDUUPDATE", b"$TDINDWG", b"$TDUSRTIMER"];

/// The bytes the `dxf` crate is given: the file, with out-of-range header
/// dates set to 0 (same length: spaces after a `0` in text, a 0.0 double in binary).
fn for_crate<'b>(bytes: &'b [u8], scan: &Scan<'_>) -> std::borrow::Cow<'b, [u8]> {
    if scan.bad_dates.is_empty() {
        return std::borrow::Cow::Borrowed(bytes);
    }
    let mut copy = bytes.to_vec();
    for r in &scan.bad_dates {
        if let Some(v) = copy.get_mut(r.clone()) {
            v.fill(if scan.binary { 0 } else { b' ' });
            if !scan.binary
                && let Some(first) = v.first_mut()
            {
                *first = b'0';
            }
        }
    }
    std::borrow::Cow::Owned(copy)
}

impl Scan<'_> {
    /// How the drawing's text is encoded: UTF-8 from R2007 (AC1021), else its
    /// code page. Many writers (GDAL among them) put UTF-8 or, on Chinese
    /// systems, GBK text in a drawing that says ANSI_1252: text that is
    /// valid UTF-8, or else valid GBK, is read as such.
    fn encoding(&self) -> &'static Encoding {
        if self.version.as_str() >= "AC1021" {
            return encoding_rs::UTF_8;
        }
        let declared = self.declared();
        if declared == encoding_rs::WINDOWS_1252 && !self.text.is_ascii() {
            if std::str::from_utf8(self.text).is_ok() {
                return encoding_rs::UTF_8;
            }
            if valid_in(encoding_rs::GBK, self.text) {
                return encoding_rs::GBK;
            }
        }
        declared
    }

    /// The code page the header names.
    fn declared(&self) -> &'static Encoding {
        let cp = self.codepage.trim().to_ascii_uppercase();
        match cp.as_str() {
            "ANSI_936" | "GB2312" | "GBK" => encoding_rs::GBK,
            "ANSI_950" | "BIG5" => encoding_rs::BIG5,
            "ANSI_932" => encoding_rs::SHIFT_JIS,
            "ANSI_949" => encoding_rs::EUC_KR,
            "UTF-8" | "UTF8" => encoding_rs::UTF_8,
            _ => cp
                .strip_prefix("ANSI_")
                .and_then(|n| Encoding::for_label(format!("windows-{n}").as_bytes()))
                .unwrap_or(encoding_rs::WINDOWS_1252),
        }
    }
}

/// Whether `bytes` are valid text in `enc`, decoded through a small buffer
/// (the file is never held decoded).
fn valid_in(enc: &'static Encoding, bytes: &[u8]) -> bool {
    let mut decoder = enc.new_decoder_without_bom_handling();
    let mut buf = [0u8; 16 * 1024];
    let mut src = bytes;
    loop {
        let (result, read, _) = decoder.decode_to_utf8_without_replacement(src, &mut buf, true);
        match result {
            encoding_rs::DecoderResult::InputEmpty => return true,
            encoding_rs::DecoderResult::OutputFull => src = src.get(read..).unwrap_or_default(),
            encoding_rs::DecoderResult::Malformed(..) => return false,
        }
    }
}

/// The quick pass: header variables, entities per layer, HATCHes. A file
/// that is not DXF at all, or breaks before its entities, is an error.
fn scan(bytes: &[u8]) -> Result<Scan<'_>, String> {
    let binary = bytes.starts_with(BINARY_SENTINEL);
    let mut s = Scan { binary, text: if binary { &[] } else { bytes }, ..Default::default() };
    let mut pairs = Pairs::new(bytes);
    let mut section: &[u8] = b"";
    let mut seen_section = false;
    let mut header_var: &[u8] = b"";
    let mut block_name: &[u8] = b"";
    // The entity being read: its type, and its pairs when it is a HATCH.
    let mut entity: &[u8] = b"";
    let mut hatch: Option<Vec<Pair>> = None;
    fn finish<'a>(s: &mut Scan<'a>, hatch: &mut Option<Vec<Pair<'a>>>, section: &[u8], block: &'a [u8]) {
        if let Some(h) = hatch.take() {
            if section == b"BLOCKS" {
                s.block_hatches.entry(block).or_default().push(h);
            } else {
                s.hatches.push(h);
            }
        }
    }
    // The entity being counted for its layer: (layer, in paper space), counted when it ends.
    let mut counted: Option<(&[u8], bool)> = None;
    let mut previous_code = -1;
    for p in pairs.by_ref() {
        if p.code == 0 {
            finish(&mut s, &mut hatch, section, block_name);
            // The reader leaves paper space out, and entities on layer 0 of a block take the INSERT's layer.
            if let Some((layer, paper)) = counted.take()
                && !paper
                && (section == b"ENTITIES" || (section == b"BLOCKS" && layer != b"0" && !block_never_read(block_name)))
            {
                *s.layer_counts.entry(layer).or_default() += 1;
            }
            entity = p.raw.trim_ascii();
            if (section == b"ENTITIES" || section == b"BLOCKS")
                && !matches!(entity, b"VERTEX" | b"SEQEND" | b"ATTRIB" | b"BLOCK" | b"ENDBLK" | b"ENDSEC")
            {
                counted = Some((b"", false));
            }
            if entity == b"SECTION" {
                seen_section = true;
            } else if entity == b"ENDSEC" {
                section = b"";
            } else if entity == b"EOF" {
                break;
            }
            if entity == b"HATCH" && (section == b"ENTITIES" || section == b"BLOCKS") {
                hatch = Some(Vec::new());
            }
        } else if p.code == 2 && entity == b"SECTION" && previous_code == 0 {
            section = p.raw.trim_ascii();
        } else if let Some(h) = hatch.as_mut() {
            // A HATCH's codes; capped so a hostile file cannot grow one without end.
            if h.len() < 4_000_000 {
                h.push(p);
            }
        }
        if section == b"HEADER" {
            if p.code == 9 {
                header_var = p.raw.trim_ascii();
            } else if header_var == b"$ACADVER" && p.code == 1 {
                s.version = String::from_utf8_lossy(p.raw.trim_ascii()).into_owned();
            } else if header_var == b"$DWGCODEPAGE" && p.code == 3 {
                s.codepage = String::from_utf8_lossy(p.raw.trim_ascii()).into_owned();
            } else if DATE_VARIABLES.contains(&header_var)
                && !p.num().is_some_and(|v| (0.0..=5.0e6).contains(&v))
                && let Some(start) = (p.raw.as_ptr() as usize).checked_sub(bytes.as_ptr() as usize)
                && !p.raw.is_empty()
            {
                // Julian days up to 5 million (the year 8977) and timers as long are safe.
                s.bad_dates.push(start..start + p.raw.len());
            }
        }
        if section == b"BLOCKS" && entity == b"BLOCK" && p.code == 2 {
            block_name = p.raw.trim_ascii();
        }
        if let Some((layer, paper)) = counted.as_mut() {
            match p.code {
                8 => *layer = p.raw.trim_ascii(),
                67 => *paper = p.num() == Some(1.0),
                _ => {}
            }
        }
        previous_code = p.code;
    }
    finish(&mut s, &mut hatch, section, block_name);
    s.layer_counts.remove(&b""[..]);
    if !seen_section {
        return Err(match pairs.fault {
            Some(f) => format!("not a DXF drawing ({f})"),
            None => "not a DXF drawing: it has no SECTION".into(),
        });
    }
    Ok(s)
}

/// Blocks whose entities never become features: model and paper space
/// (`*Model_Space`, `*Paper_Space…`) and dimensions' pictures (`*D…`).
fn block_never_read(name: &[u8]) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with(b"*model_space") || lower.starts_with(b"*paper_space") || lower.starts_with(b"*d")
}

fn decode(raw: &[u8], enc: &'static Encoding) -> String {
    enc.decode_without_bom_handling(raw).0.into_owned()
}

// ---------------------------------------------------------------------------
// Text.

/// Decodes `\U+XXXX` escapes (how AutoCAD and GDAL write characters the code
/// page lacks) and `\M+NXXXX` double-byte escapes.
fn unescape(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let ahead = |from: usize, n: usize| chars.get(from..from + n).map(|h| h.iter().collect::<String>());
        if c == '\\' {
            let tag = ahead(i + 1, 2);
            if tag.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("U+"))
                && let Some(ch) =
                    ahead(i + 3, 4).and_then(|h| u32::from_str_radix(&h, 16).ok()).and_then(char::from_u32)
            {
                out.push(ch);
                i += 7;
                continue;
            }
            if tag.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("M+"))
                && let Some(ch) = ahead(i + 3, 5).and_then(|h| mbcs(&h))
            {
                out.push_str(&ch);
                i += 8;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// `\M+NXXXX`: a double-byte character XXXX in code page N (1 Shift-JIS, 2 Big5, 3 Korean, 5 GBK).
fn mbcs(h: &str) -> Option<String> {
    let enc = match h.get(..1)? {
        "1" => encoding_rs::SHIFT_JIS,
        "2" => encoding_rs::BIG5,
        "3" => encoding_rs::EUC_KR,
        "5" => encoding_rs::GBK,
        _ => return None,
    };
    let v = u16::from_str_radix(h.get(1..)?, 16).ok()?.to_be_bytes();
    let (s, _, bad) = enc.decode(&v);
    (!bad).then(|| s.into_owned())
}

/// A TEXT's value as plain text: `%%d` °, `%%p` ±, `%%c` ⌀, `%%%` %, underline/overline toggles dropped.
fn plain_text(s: &str) -> String {
    let s = unescape(s);
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    while let Some(i) = rest.find("%%") {
        out.push_str(rest.get(..i).unwrap_or_default());
        let after = rest.get(i + 2..).unwrap_or_default();
        let mut cs = after.chars();
        match cs.next().map(|c| c.to_ascii_lowercase()) {
            Some('d') => out.push('°'),
            Some('p') => out.push('±'),
            Some('c') => out.push('⌀'),
            Some('%') => out.push('%'),
            Some('u' | 'o' | 'k') => {}
            Some(c) => {
                out.push_str("%%");
                out.push(c);
            }
            None => out.push_str("%%"),
        }
        rest = cs.as_str();
    }
    out.push_str(rest);
    out.trim().to_string()
}

/// An MTEXT's value as plain text: formatting codes (`\P` new line, `{\f宋体;…}`,
/// `\A1;`, `\H2.5x;`, stacked `\S1^2;` …) removed, escapes decoded.
fn plain_mtext(s: &str) -> String {
    let s = unescape(s);
    let mut out = String::with_capacity(s.len());
    let mut cs = s.chars().peekable();
    while let Some(c) = cs.next() {
        match c {
            '{' | '}' => {}
            '\\' => match cs.next() {
                Some('P' | 'n') => out.push('\n'),
                Some('~') => out.push(' '),
                Some(c @ ('\\' | '{' | '}')) => out.push(c),
                // Codes with a value up to ';'. A stacked fraction keeps its parts: 1^2 → 1/2.
                Some('S') => {
                    for c in cs.by_ref().take_while(|&c| c != ';') {
                        out.push(if matches!(c, '^' | '#') { '/' } else { c });
                    }
                }
                Some('f' | 'F' | 'H' | 'W' | 'Q' | 'T' | 'A' | 'C' | 'c' | 'p') => {
                    for _ in cs.by_ref().take_while(|&c| c != ';') {}
                }
                // On/off codes: underline, overline, strike-through.
                Some('L' | 'l' | 'O' | 'o' | 'K' | 'k') => {}
                Some(c) => {
                    out.push('\\');
                    out.push(c);
                }
                None => out.push('\\'),
            },
            c => out.push(c),
        }
    }
    let text = plain_text(&out);
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n")
}

// ---------------------------------------------------------------------------
// Geometry.

/// An affine map: x' = a·x + b·y + c, y' = d·x + e·y + f.
type Xf = [f64; 6];
const ID: Xf = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0];
const MIRROR_X: Xf = [-1.0, 0.0, 0.0, 0.0, 1.0, 0.0];

fn apply(t: &Xf, x: f64, y: f64) -> Coord {
    let [a, b, c, d, e, f] = *t;
    Coord { x: a * x + b * y + c, y: d * x + e * y + f }
}

/// `outer` after `inner`.
fn compose(outer: &Xf, inner: &Xf) -> Xf {
    let [a, b, c, d, e, f] = *outer;
    let [p, q, r, s, t, u] = *inner;
    [a * p + b * s, a * q + b * t, a * r + b * u + c, d * p + e * s, d * q + e * t, d * r + e * u + f]
}

/// The map from an entity's OCS to the drawing's for a normal: the identity
/// for +Z, a mirror for −Z (AutoCAD's mirrored entities); `None` for a 3D normal.
fn ocs(n: &dxf::Vector) -> Option<Xf> {
    if n.x.abs() > 1e-9 || n.y.abs() > 1e-9 {
        None
    } else if n.z < 0.0 {
        Some(MIRROR_X)
    } else {
        Some(ID)
    }
}

/// Points on the arc around (cx, cy) of radius r from angle a0 sweeping
/// `sweep` radians (positive: anticlockwise), a segment every 10° or less,
/// both ends included.
fn arc(cx: f64, cy: f64, r: f64, a0: f64, sweep: f64, max_step: f64) -> Vec<Coord> {
    let n = ((sweep.abs() / max_step).ceil() as usize).clamp(1, 720);
    (0..=n)
        .map(|i| {
            let a = a0 + sweep * i as f64 / n as f64;
            Coord { x: cx + r * a.cos(), y: cy + r * a.sin() }
        })
        .collect()
}

const STEP: f64 = std::f64::consts::PI / 18.0;

/// The points of a polyline whose segments may bulge into arcs (DXF bulge:
/// tan of a quarter of the included angle), without the closing segment
/// unless `closed`.
fn bulged(vertices: &[(f64, f64, f64)], closed: bool) -> Vec<Coord> {
    let mut out = Vec::with_capacity(vertices.len() + 1);
    let n = vertices.len();
    let segments = if closed { n } else { n.saturating_sub(1) };
    if let Some(&(x, y, _)) = vertices.first() {
        out.push(Coord { x, y });
    }
    for i in 0..segments {
        let (Some(&(x0, y0, b)), Some(&(x1, y1, _))) = (vertices.get(i), vertices.get((i + 1) % n)) else { break };
        let chord = ((x1 - x0).powi(2) + (y1 - y0).powi(2)).sqrt();
        if b.abs() > 1e-9 && b.abs() < 1e6 && chord > 0.0 {
            let theta = 4.0 * b.atan();
            let h = chord / (2.0 * (theta / 2.0).tan());
            let (mx, my) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
            let (nx, ny) = (-(y1 - y0) / chord, (x1 - x0) / chord);
            let (cx, cy) = (mx + nx * h, my + ny * h);
            let r = ((x0 - cx).powi(2) + (y0 - cy).powi(2)).sqrt();
            let a0 = (y0 - cy).atan2(x0 - cx);
            let pts = arc(cx, cy, r, a0, theta, STEP);
            out.extend(pts.iter().skip(1).take(pts.len().saturating_sub(2)));
        }
        out.push(Coord { x: x1, y: y1 });
    }
    out
}

/// A line through `pts`, or a polygon when `closed` (or its ends meet) and it encloses something.
fn line_or_ring(pts: Vec<Coord>, closed: bool, t: &Xf) -> Option<Geometry> {
    let mut pts: Vec<Coord> = pts.into_iter().map(|c| apply(t, c.x, c.y)).collect();
    pts.dedup();
    if pts.len() < 2 {
        return None;
    }
    let ends_meet = pts.len() > 3 && pts.first() == pts.last();
    if (closed || ends_meet) && pts.len() >= 3 {
        if pts.first() != pts.last()
            && let Some(&first) = pts.first()
        {
            pts.push(first);
        }
        if pts.len() >= 4 {
            return Some(Polygon::new(LineString::from(pts), vec![]).into());
        }
    }
    Some(LineString::from(pts).into())
}

/// Polygons of rings: the largest rings are outlines, a ring inside an outline
/// is its hole, a ring inside a hole an outline again (islands).
fn polygons_of_rings(mut rings: Vec<Vec<Coord>>) -> Option<Geometry> {
    rings.retain(|r| r.len() >= 4 && signed_area2(r).abs() > 0.0);
    rings.sort_by(|a, b| signed_area2(b).abs().total_cmp(&signed_area2(a).abs()));
    // For each outline: (outline, holes).
    let mut polys: Vec<(Vec<Coord>, Vec<Vec<Coord>>)> = Vec::new();
    for r in rings {
        let probe = r[0];
        let at =
            polys.iter().rposition(|(outer, holes)| inside(probe, outer) && !holes.iter().any(|h| inside(probe, h)));
        match at {
            Some(i) => polys[i].1.push(r),
            None => polys.push((r, Vec::new())),
        }
    }
    let mut out: Vec<Polygon> = polys
        .into_iter()
        .map(|(outer, holes)| Polygon::new(outer.into(), holes.into_iter().map(LineString::from).collect()))
        .collect();
    match out.len() {
        0 => None,
        1 => out.pop().map(Geometry::Polygon),
        _ => Some(MultiPolygon(out).into()),
    }
}

// ---------------------------------------------------------------------------
// The drawing's entities as features.

/// What an entity becomes before its layer's kind is applied.
enum Shape {
    Geometry(Geometry),
    Text { at: Coord, text: String },
}

struct Item {
    shape: Shape,
    layer: String,
    entity: &'static str,
    handle: String,
}

#[derive(Default)]
struct Skipped {
    paper: usize,
    three_d: usize,
    other: BTreeMap<&'static str, usize>,
}

/// Most features the blocks of one drawing may expand to (arrays of arrays of blocks).
const MAX_EXPANDED: usize = 1_000_000;
/// Most positions blocks may expand to (about 320 MB of coordinates): a
/// block of a large polyline placed in a large array stops here.
const MAX_EXPANDED_COORDS: usize = 20_000_000;
/// Deepest nesting of blocks followed.
const MAX_DEPTH: usize = 8;

struct Reader<'d> {
    blocks: HashMap<String, &'d Block>,
    block_hatches: HashMap<String, &'d Vec<Vec<Pair<'d>>>>,
    /// Binary files: strings come from the crate one char per byte; re-decoded here.
    binary: bool,
    enc: &'static Encoding,
    items: Vec<Item>,
    skipped: Skipped,
    warnings: Vec<Warning>,
    expanded: usize,
    /// Positions of the features made from blocks.
    expanded_coords: usize,
}

impl<'d> Reader<'d> {
    fn new(drawing: &'d Drawing, scan: &'d Scan<'d>, enc: &'static Encoding) -> Self {
        let mut r = Reader {
            blocks: HashMap::new(),
            block_hatches: HashMap::new(),
            binary: scan.binary,
            enc,
            items: Vec::new(),
            skipped: Skipped::default(),
            warnings: Vec::new(),
            expanded: 0,
            expanded_coords: 0,
        };
        for b in drawing.blocks() {
            let name = r.text(&b.name);
            r.blocks.insert(name, b);
        }
        for (name, hs) in &scan.block_hatches {
            r.block_hatches.insert(unescape(&decode(name, enc)), hs);
        }
        r
    }

    /// A string from the crate as the drawing meant it.
    fn text(&self, s: &str) -> String {
        if self.binary && !s.is_ascii() {
            let bytes: Option<Vec<u8>> = s.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect();
            if let Some(b) = bytes {
                return unescape(&decode(&b, self.enc));
            }
        }
        unescape(s)
    }

    fn push(&mut self, shape: Shape, layer: &str, entity: &'static str, handle: String) {
        if self.expanded > 0 {
            self.expanded_coords += match &shape {
                Shape::Geometry(g) => geo::CoordsIter::coords_count(g),
                Shape::Text { .. } => 1,
            };
        }
        self.items.push(Item { shape, layer: layer.to_string(), entity, handle });
    }

    /// Reads one entity through `t` (the transform of the blocks it sits in);
    /// `inherit`: the layer of the INSERT, taken by entities on layer 0.
    fn entity(&mut self, e: &'d Entity, t: &Xf, inherit: Option<&str>, depth: usize, stack: &mut Vec<String>) {
        let own = self.text(&e.common.layer);
        let layer = match inherit {
            Some(l) if own == "0" => l.to_string(),
            _ => own,
        };
        let handle = if e.common.handle.is_empty() { String::new() } else { e.common.handle.as_string() };
        let in_ocs = |n: &dxf::Vector| ocs(n).map(|o| compose(t, &o));
        match &e.specific {
            EntityType::Line(l) => {
                let pts = vec![apply(t, l.p1.x, l.p1.y), apply(t, l.p2.x, l.p2.y)];
                if let Some(g) = line_or_ring(pts, false, &ID) {
                    self.push(Shape::Geometry(g), &layer, "LINE", handle);
                }
            }
            EntityType::LwPolyline(p) => {
                let Some(t) = in_ocs(&p.extrusion_direction) else { return self.skipped.three_d += 1 };
                let v: Vec<_> = p.vertices.iter().map(|v| (v.x, v.y, v.bulge)).collect();
                let closed = p.flags & 1 != 0;
                if let Some(g) = line_or_ring(bulged(&v, closed), closed, &t) {
                    self.push(Shape::Geometry(g), &layer, "LWPOLYLINE", handle);
                }
            }
            EntityType::Polyline(p) => {
                // 8: 3D polyline, 16: 3D mesh, 64: polyface mesh.
                if p.flags & (8 | 16 | 64) != 0 {
                    return self.skipped.three_d += 1;
                }
                let Some(t) = in_ocs(&p.normal) else { return self.skipped.three_d += 1 };
                let v: Vec<_> = p
                    .vertices()
                    .filter(|v| v.flags & 16 == 0) // spline frame control points
                    .map(|v| (v.location.x, v.location.y, v.bulge))
                    .collect();
                let closed = p.flags & 1 != 0;
                if let Some(g) = line_or_ring(bulged(&v, closed), closed, &t) {
                    self.push(Shape::Geometry(g), &layer, "POLYLINE", handle);
                }
            }
            EntityType::Circle(c) => {
                let Some(t) = in_ocs(&c.normal) else { return self.skipped.three_d += 1 };
                let pts = arc(c.center.x, c.center.y, c.radius.abs(), 0.0, std::f64::consts::TAU, STEP / 2.0);
                if c.radius.abs() > 0.0
                    && let Some(g) = line_or_ring(pts, true, &t)
                {
                    self.push(Shape::Geometry(g), &layer, "CIRCLE", handle);
                }
            }
            EntityType::Arc(a) => {
                let Some(t) = in_ocs(&a.normal) else { return self.skipped.three_d += 1 };
                let (a0, a1) = (a.start_angle.to_radians(), a.end_angle.to_radians());
                let mut sweep = (a1 - a0).rem_euclid(std::f64::consts::TAU);
                if sweep == 0.0 {
                    sweep = std::f64::consts::TAU;
                }
                if let Some(g) = line_or_ring(arc(a.center.x, a.center.y, a.radius, a0, sweep, STEP), false, &t) {
                    self.push(Shape::Geometry(g), &layer, "ARC", handle);
                }
            }
            EntityType::Ellipse(el) => {
                let Some(t) = in_ocs(&el.normal).map(|_| *t) else { return self.skipped.three_d += 1 };
                let (mx, my) = (el.major_axis.x, el.major_axis.y);
                let r = el.minor_axis_ratio;
                let (p0, p1) = (el.start_parameter, el.end_parameter);
                let mut sweep = (p1 - p0).rem_euclid(std::f64::consts::TAU);
                if sweep < 1e-9 {
                    sweep = std::f64::consts::TAU;
                }
                let full = (sweep - std::f64::consts::TAU).abs() < 1e-6;
                let n = ((sweep / STEP).ceil() as usize).clamp(1, 72);
                // Parametric: centre + cos(p)·major + sin(p)·minor, minor = ratio · major turned 90° (normal +Z).
                let flip = if el.normal.z < 0.0 { -1.0 } else { 1.0 };
                let pts = (0..=n)
                    .map(|i| {
                        let p = p0 + sweep * i as f64 / n as f64;
                        let (c, s) = (p.cos(), p.sin() * flip);
                        Coord { x: el.center.x + c * mx - s * r * my, y: el.center.y + c * my + s * r * mx }
                    })
                    .collect();
                if let Some(g) = line_or_ring(pts, full, &t) {
                    self.push(Shape::Geometry(g), &layer, "ELLIPSE", handle);
                }
            }
            EntityType::Spline(s) => {
                // The curve passes through its fit points; without them its control polygon stands for it.
                let src = if s.fit_points.len() >= 2 { &s.fit_points } else { &s.control_points };
                let pts = src.iter().map(|p| apply(t, p.x, p.y)).collect();
                if let Some(g) = line_or_ring(pts, s.flags & 1 != 0, &ID) {
                    self.push(Shape::Geometry(g), &layer, "SPLINE", handle);
                }
            }
            EntityType::Solid(s) => {
                let Some(t) = in_ocs(&s.extrusion_direction) else { return self.skipped.three_d += 1 };
                // A SOLID's corners run 1, 2, 4, 3 around its outline.
                let pts = [&s.first_corner, &s.second_corner, &s.fourth_corner, &s.third_corner]
                    .iter()
                    .map(|p| Coord { x: p.x, y: p.y })
                    .collect();
                if let Some(g) = line_or_ring(pts, true, &t) {
                    self.push(Shape::Geometry(g), &layer, "SOLID", handle);
                }
            }
            EntityType::ModelPoint(p) => {
                let c = apply(t, p.location.x, p.location.y);
                self.push(Shape::Geometry(Point::from(c).into()), &layer, "POINT", handle);
            }
            EntityType::Text(x) => {
                let Some(t) = in_ocs(&x.normal) else { return self.skipped.three_d += 1 };
                // Aligned texts are placed by their second point.
                let p = if x.horizontal_text_justification as i32 != 0 || x.vertical_text_justification as i32 != 0 {
                    &x.second_alignment_point
                } else {
                    &x.location
                };
                let text = plain_text(&self.text(&x.value));
                if !text.is_empty() {
                    self.push(Shape::Text { at: apply(&t, p.x, p.y), text }, &layer, "TEXT", handle);
                }
            }
            EntityType::MText(m) => {
                let mut raw: String = m.extended_text.iter().map(|s| self.text(s)).collect();
                raw.push_str(&self.text(&m.text));
                let text = plain_mtext(&raw);
                if !text.is_empty() {
                    let at = apply(t, m.insertion_point.x, m.insertion_point.y);
                    self.push(Shape::Text { at, text }, &layer, "MTEXT", handle);
                }
            }
            EntityType::Insert(ins) => self.insert(ins, t, &layer, depth, stack),
            EntityType::Face3D(_)
            | EntityType::Solid3D(_)
            | EntityType::Body(_)
            | EntityType::Region(_)
            | EntityType::Helix(_)
            | EntityType::Light(_)
            | EntityType::Section(_) => self.skipped.three_d += 1,
            EntityType::Seqend(_) | EntityType::Vertex(_) | EntityType::Attribute(_) => {}
            other => *self.skipped.other.entry(entity_name(other)).or_default() += 1,
        }
    }

    fn insert(&mut self, ins: &'d dxf::entities::Insert, t: &Xf, layer: &str, depth: usize, stack: &mut Vec<String>) {
        let name = self.text(&ins.name);
        if stack.contains(&name) {
            self.warnings.push(Warning {
                place: format!("block {name}"),
                message: "inserts itself (directly or through other blocks); left out".into(),
            });
            return;
        }
        if depth >= MAX_DEPTH {
            self.warnings.push(Warning {
                place: format!("block {name}"),
                message: format!("blocks nested deeper than {MAX_DEPTH} levels; the deeper ones are left out"),
            });
            return;
        }
        let Some(block) = self.blocks.get(&name).copied() else {
            self.warnings.push(Warning { place: format!("block {name}"), message: "is not in the drawing".into() });
            return;
        };
        let Some(o) = ocs(&ins.extrusion_direction) else { return self.skipped.three_d += 1 };
        let (sx, sy) = (finite_or(ins.x_scale_factor, 1.0), finite_or(ins.y_scale_factor, 1.0));
        let rot = finite_or(ins.rotation, 0.0).to_radians();
        let (c, s) = (rot.cos(), rot.sin());
        let (bx, by) = (block.base_point.x, block.base_point.y);
        let cols = i32::from(ins.column_count).max(1);
        let rows = i32::from(ins.row_count).max(1);
        let hatches = self.block_hatches.get(&name).copied();
        stack.push(name);
        'grid: for row in 0..rows {
            for col in 0..cols {
                let (dx, dy) = (f64::from(col) * ins.column_spacing, f64::from(row) * ins.row_spacing);
                // Scale about the base point, shift by the array cell, rotate, move to the insertion point.
                let local = [sx, 0.0, -sx * bx + dx, 0.0, sy, -sy * by + dy];
                let placed = compose(&[c, -s, ins.location.x, s, c, ins.location.y], &local);
                let xf = compose(t, &compose(&o, &placed));
                for e in &block.entities {
                    if self.expanded >= MAX_EXPANDED || self.expanded_coords >= MAX_EXPANDED_COORDS {
                        break 'grid;
                    }
                    self.expanded += 1;
                    self.entity(e, &xf, Some(layer), depth + 1, stack);
                }
                for h in hatches.into_iter().flatten() {
                    self.hatch(h, &xf, Some(layer));
                }
            }
        }
        stack.pop();
        let full = self.expanded >= MAX_EXPANDED || self.expanded_coords >= MAX_EXPANDED_COORDS;
        if full && !self.warnings.iter().any(|w| w.place == "blocks") {
            self.warnings.push(Warning {
                place: "blocks".into(),
                message: format!(
                    "expand to more than {MAX_EXPANDED} entities or {MAX_EXPANDED_COORDS} positions; the rest are left out"
                ),
            });
        }
    }

    /// A HATCH, from its group codes: its boundary paths become a polygon with holes.
    fn hatch(&mut self, pairs: &[Pair<'_>], t: &Xf, inherit: Option<&str>) {
        let mut layer = String::new();
        let mut handle = String::new();
        let mut normal = dxf::Vector::z_axis();
        let mut paper = false;
        let mut i = 0;
        let get = |i: usize| pairs.get(i);
        let mut rings = Vec::new();
        while let Some(p) = get(i) {
            i += 1;
            match p.code {
                8 => layer = unescape(&decode(p.raw.trim_ascii(), self.enc)),
                5 => handle = String::from_utf8_lossy(p.raw.trim_ascii()).into_owned(),
                67 => paper = p.num() == Some(1.0),
                210 => normal.x = p.num().unwrap_or(0.0),
                220 => normal.y = p.num().unwrap_or(0.0),
                230 => normal.z = p.num().unwrap_or(1.0),
                91 => {
                    let paths = p.num().unwrap_or(0.0).clamp(0.0, 1e6) as usize;
                    for _ in 0..paths {
                        match boundary_path(pairs, &mut i) {
                            Some(r) => rings.push(r),
                            None => break,
                        }
                    }
                }
                _ => {}
            }
        }
        if paper && inherit.is_none() {
            return self.skipped.paper += 1;
        }
        let Some(o) = ocs(&normal) else { return self.skipped.three_d += 1 };
        let xf = compose(t, &o);
        let rings: Vec<Vec<Coord>> = rings
            .into_iter()
            .map(|r| {
                let mut r: Vec<Coord> = r.into_iter().map(|c| apply(&xf, c.x, c.y)).collect();
                r.dedup();
                if r.first() != r.last()
                    && let Some(&f) = r.first()
                {
                    r.push(f);
                }
                r
            })
            .collect();
        let layer = match inherit {
            Some(l) if layer == "0" => l.to_string(),
            _ => layer,
        };
        match polygons_of_rings(rings) {
            Some(g) => self.push(Shape::Geometry(g), &layer, "HATCH", handle),
            None => *self.skipped.other.entry("HATCH without a boundary").or_default() += 1,
        }
    }

    /// The features: kinds from the layers, texts inside buildings naming them.
    fn finish(mut self, opts: &ReadOptions) -> Collected {
        let kind_of = |layer: &str| match opts.layers.and_then(|m| m.get(layer)) {
            Some(k) => *k,
            None => guess_kind(layer),
        };
        merge_holes(&mut self.items);
        let mut left_out: BTreeMap<String, usize> = BTreeMap::new();
        let mut shapes: Vec<(Item, Kind)> = Vec::new();
        // Texts of every layer: those of left-out (annotation) layers may still name a building.
        let mut texts: Vec<(Item, Option<Kind>)> = Vec::new();
        for item in std::mem::take(&mut self.items) {
            match kind_of(&item.layer) {
                k if matches!(item.shape, Shape::Text { .. }) => texts.push((item, k)),
                None => *left_out.entry(item.layer).or_default() += 1,
                Some(k) => shapes.push((item, k)),
            }
        }
        let names = name_buildings(&shapes, &texts);
        let mut features = Vec::with_capacity(shapes.len() + texts.len());
        for (i, (item, kind)) in shapes.into_iter().enumerate() {
            let here = place(&item);
            let Shape::Geometry(g) = item.shape else { continue };
            let mut props = props_of(&item.layer, item.entity, &item.handle, kind);
            if let Some(ns) = names.by_building.get(&i) {
                let mut ns = ns.iter();
                if let Some(first) = ns.next() {
                    props.insert("name".into(), Value::String(first.replace('\n', " ")));
                }
                let more: Vec<&String> = ns.collect();
                if !more.is_empty() {
                    let joined = more.iter().map(|s| s.replace('\n', " ")).collect::<Vec<_>>().join(" / ");
                    props.insert("texts".into(), Value::String(joined));
                }
            }
            features.push(Found { geometry: g, properties: props, place: here });
        }
        for (j, (item, kind)) in texts.into_iter().enumerate() {
            if names.used.contains(&j) {
                continue;
            }
            let Some(kind) = kind else {
                *left_out.entry(item.layer).or_default() += 1;
                continue;
            };
            let here = place(&item);
            let Shape::Text { at, text } = item.shape else { continue };
            let mut props = props_of(&item.layer, item.entity, &item.handle, kind);
            props.insert("name".into(), Value::String(text.replace('\n', " ")));
            props.insert("label".into(), Value::String(text));
            features.push(Found { geometry: Point::from(at).into(), properties: props, place: here });
        }
        let mut warnings = self.warnings;
        let s = &self.skipped;
        let mut parts = Vec::new();
        if s.three_d > 0 {
            parts.push(format!("{} 3D", s.three_d));
        }
        if s.paper > 0 {
            parts.push(format!("{} in paper space (布局)", s.paper));
        }
        parts.extend(s.other.iter().map(|(k, n)| format!("{n} {k}")));
        if !parts.is_empty() {
            warnings.push(Warning { place: "the drawing".into(), message: format!("left out: {}", parts.join(", ")) });
        }
        if !left_out.is_empty() {
            let list: Vec<String> = left_out.iter().map(|(l, n)| format!("{l} ({n})")).collect();
            warnings.push(Warning {
                place: "layers".into(),
                message: format!("left out as annotation or by your choice: {}", list.join(", ")),
            });
        }
        Collected { features, warnings, crs: None }
    }
}

/// Closed outlines drawn inside another closed outline of the same layer
/// become its holes (a courtyard in a building, a pond in a garden drawn as
/// two polylines, as our own drawings write holes); an outline inside a hole
/// stays a feature of its own. HATCHes have their holes already.
fn merge_holes(items: &mut Vec<Item>) {
    use rstar::{AABB, RTree, primitives::GeomWithData};
    let area = |it: &Item| match &it.shape {
        Shape::Geometry(Geometry::Polygon(p)) if it.entity != "HATCH" && p.interiors().is_empty() => {
            Some(geo::Area::unsigned_area(p))
        }
        _ => None,
    };
    // Largest first, so an outline meets the ones it may hold after itself.
    let mut order: Vec<(usize, f64)> = items.iter().enumerate().filter_map(|(i, it)| Some((i, area(it)?))).collect();
    if order.len() < 2 {
        return;
    }
    order.sort_by(|a, b| b.1.total_cmp(&a.1));
    let envelope =
        |p: &Polygon| p.bounding_rect().map(|r| AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]));
    let mut outers: RTree<GeomWithData<rstar::primitives::Rectangle<[f64; 2]>, usize>> = RTree::new();
    // hole index → the outline it belongs to.
    let mut holes: Vec<(usize, usize)> = Vec::new();
    let mut is_hole = std::collections::HashSet::new();
    // Outlines drawn on top of each other (copies, arrays without spacing) are looked at once:
    // otherwise every copy would meet every other, quadratic in their number.
    let mut seen = std::collections::HashSet::new();
    for &(i, _) in &order {
        let Some(Item { shape: Shape::Geometry(Geometry::Polygon(p)), layer, .. }) = items.get(i) else { continue };
        let Some(env) = envelope(p) else { continue };
        let key = (layer.as_str(), env.lower().map(f64::to_bits), env.upper().map(f64::to_bits));
        if !seen.insert(key) {
            continue;
        }
        // The smallest outline of the same layer around it; a hole when that one is an outline, not a hole.
        let around = outers
            .locate_in_envelope_intersecting(&env)
            .filter_map(|o| {
                let Some(Item { shape: Shape::Geometry(Geometry::Polygon(q)), layer: l, .. }) = items.get(o.data)
                else {
                    return None;
                };
                (l == layer && o.data != i && q.contains(p)).then_some((o.data, geo::Area::unsigned_area(q)))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1));
        match around {
            Some((o, _)) if !is_hole.contains(&o) => {
                holes.push((i, o));
                is_hole.insert(i);
            }
            _ => {}
        }
        outers.insert(GeomWithData::new(rstar::primitives::Rectangle::from_corners(env.lower(), env.upper()), i));
    }
    if holes.is_empty() {
        return;
    }
    for &(h, o) in &holes {
        let ring = match items.get(h) {
            Some(Item { shape: Shape::Geometry(Geometry::Polygon(p)), .. }) => p.exterior().clone(),
            _ => continue,
        };
        if let Some(Item { shape: Shape::Geometry(Geometry::Polygon(p)), .. }) = items.get_mut(o) {
            p.interiors_push(ring);
        }
    }
    let mut i = 0;
    items.retain(|_| {
        i += 1;
        !is_hole.contains(&(i - 1))
    });
}

fn finite_or(v: f64, or: f64) -> f64 {
    if v.is_finite() { v } else { or }
}

fn place(item: &Item) -> String {
    if item.handle.is_empty() {
        format!("layer {}, {}", item.layer, item.entity)
    } else {
        format!("layer {}, {} {}", item.layer, item.entity, item.handle)
    }
}

fn props_of(layer: &str, entity: &str, handle: &str, kind: Kind) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("layer".into(), Value::String(layer.to_string()));
    m.insert("entity".into(), Value::String(entity.to_string()));
    if !handle.is_empty() {
        m.insert("handle".into(), Value::String(handle.to_string()));
    }
    m.insert("kind".into(), Value::String(kind.as_str().to_string()));
    m
}

/// Which texts name which buildings.
struct Names {
    /// Building (index in the shapes) → its texts, in drawing order.
    by_building: HashMap<usize, Vec<String>>,
    /// The texts (index) that named a building.
    used: std::collections::HashSet<usize>,
}

/// A text inside a building's outline, or within 2 m of it, names it (the
/// first such text; later ones are kept as `texts`); the nearest building
/// when several are that close. Texts of annotation layers name buildings
/// too, as 地形图 put them there, but never become features of their own.
fn name_buildings(shapes: &[(Item, Kind)], texts: &[(Item, Option<Kind>)]) -> Names {
    use rstar::{AABB, RTree, primitives::GeomWithData, primitives::Rectangle};
    let mut names = Names { by_building: HashMap::new(), used: Default::default() };
    let buildings: Vec<GeomWithData<Rectangle<[f64; 2]>, usize>> = shapes
        .iter()
        .enumerate()
        .filter(|(_, (it, k))| {
            *k == Kind::Building
                && matches!(&it.shape, Shape::Geometry(Geometry::Polygon(_) | Geometry::MultiPolygon(_)))
        })
        .filter_map(|(i, (it, _))| {
            let Shape::Geometry(g) = &it.shape else { return None };
            let r = g.bounding_rect()?;
            Some(GeomWithData::new(Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]), i))
        })
        .collect();
    if buildings.is_empty() {
        return names;
    }
    // 2 m; in a drawing in degrees, about 2 m of latitude.
    let degrees = buildings.iter().all(|b| {
        let e = b.geom().upper();
        e[0].abs() <= 180.0 && e[1].abs() <= 90.0
    });
    let near = if degrees { 2.0 / 111_000.0 } else { 2.0 };
    let tree = RTree::bulk_load(buildings);
    for (j, (item, _)) in texts.iter().enumerate() {
        let Shape::Text { at, text } = &item.shape else { continue };
        let p = Point::from(*at);
        let probe = AABB::from_corners([at.x - near, at.y - near], [at.x + near, at.y + near]);
        let best = tree
            .locate_in_envelope_intersecting(&probe)
            .filter_map(|b| {
                let i = b.data;
                let Some((Item { shape: Shape::Geometry(g), .. }, _)) = shapes.get(i) else { return None };
                let d = if g.contains(&p) { 0.0 } else { Euclidean.distance(&p, g) };
                (d <= near).then_some((d, i))
            })
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        if let Some((_, i)) = best {
            names.by_building.entry(i).or_default().push(text.clone());
            names.used.insert(j);
        }
    }
    names
}

fn entity_name(e: &EntityType) -> &'static str {
    match e {
        EntityType::ArcAlignedText(_) => "ARCALIGNEDTEXT",
        EntityType::AttributeDefinition(_) => "ATTDEF",
        EntityType::RotatedDimension(_)
        | EntityType::RadialDimension(_)
        | EntityType::DiameterDimension(_)
        | EntityType::AngularThreePointDimension(_)
        | EntityType::OrdinateDimension(_) => "DIMENSION",
        EntityType::Image(_) => "IMAGE",
        EntityType::Leader(_) => "LEADER",
        EntityType::MLine(_) => "MLINE",
        EntityType::OleFrame(_) | EntityType::Ole2Frame(_) => "OLEFRAME",
        EntityType::Ray(_) => "RAY",
        EntityType::XLine(_) => "XLINE",
        EntityType::RText(_) => "RTEXT",
        EntityType::Shape(_) => "SHAPE",
        EntityType::Tolerance(_) => "TOLERANCE",
        EntityType::Trace(_) => "TRACE",
        EntityType::Wipeout(_) => "WIPEOUT",
        EntityType::DgnUnderlay(_) | EntityType::DwfUnderlay(_) | EntityType::PdfUnderlay(_) => "UNDERLAY",
        EntityType::ProxyEntity(_) => "proxy entity",
        _ => "other entity",
    }
}

/// One boundary path of a HATCH from `pairs[*i..]` (just after its 92 code
/// is expected), in the hatch's OCS; `None` when the codes break off.
fn boundary_path(pairs: &[Pair<'_>], i: &mut usize) -> Option<Vec<Coord>> {
    // Finds the next pair with `code`, not looking past `stop` codes (the next path, the end of the paths).
    let find = |i: &mut usize, code: i32| -> Option<f64> {
        while let Some(p) = pairs.get(*i) {
            *i += 1;
            if p.code == code {
                return p.num();
            }
            if matches!(p.code, 92 | 75 | 76) && code != p.code {
                *i -= 1;
                return None;
            }
        }
        None
    };
    let flags = find(i, 92)? as i64;
    let mut pts = Vec::new();
    if flags & 2 != 0 {
        // Polyline path: 72 has bulges, 73 closed, 93 vertices, each 10/20 (42).
        let has_bulge = find(i, 72)? != 0.0;
        let _closed = find(i, 73)?;
        let n = find(i, 93)?.clamp(0.0, pairs.len() as f64) as usize;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            let x = find(i, 10)?;
            let y = find(i, 20)?;
            let b = if has_bulge && pairs.get(*i).is_some_and(|p| p.code == 42) { find(i, 42)? } else { 0.0 };
            v.push((x, y, b));
        }
        pts = bulged(&v, true);
    } else {
        let edges = find(i, 93)?.clamp(0.0, pairs.len() as f64) as usize;
        for _ in 0..edges {
            let kind = find(i, 72)? as i64;
            match kind {
                1 => {
                    let (x0, y0, x1, y1) = (find(i, 10)?, find(i, 20)?, find(i, 11)?, find(i, 21)?);
                    pts.push(Coord { x: x0, y: y0 });
                    pts.push(Coord { x: x1, y: y1 });
                }
                2 => {
                    let (cx, cy, r) = (find(i, 10)?, find(i, 20)?, find(i, 40)?);
                    let (a0, a1) = (find(i, 50)?.to_radians(), find(i, 51)?.to_radians());
                    let ccw = find(i, 73)? != 0.0;
                    let mut sweep = (a1 - a0).rem_euclid(std::f64::consts::TAU);
                    if sweep < 1e-12 {
                        sweep = std::f64::consts::TAU;
                    }
                    // Clockwise arcs give their angles mirrored.
                    let (a0, sweep) = if ccw { (a0, sweep) } else { (-a0, -sweep) };
                    pts.extend(arc(cx, cy, r, a0, sweep, STEP));
                }
                3 => {
                    let (cx, cy, mx, my) = (find(i, 10)?, find(i, 20)?, find(i, 11)?, find(i, 21)?);
                    let ratio = find(i, 40)?;
                    let (a0, a1) = (find(i, 50)?.to_radians(), find(i, 51)?.to_radians());
                    let ccw = find(i, 73)? != 0.0;
                    let mut sweep = (a1 - a0).rem_euclid(std::f64::consts::TAU);
                    if sweep < 1e-12 {
                        sweep = std::f64::consts::TAU;
                    }
                    let (a0, sweep) = if ccw { (a0, sweep) } else { (-a0, -sweep) };
                    let n = ((sweep.abs() / STEP).ceil() as usize).clamp(1, 72);
                    pts.extend((0..=n).map(|k| {
                        let a = a0 + sweep * k as f64 / n as f64;
                        let (c, s) = (a.cos(), a.sin());
                        Coord { x: cx + c * mx - s * ratio * my, y: cy + c * my + s * ratio * mx }
                    }));
                }
                4 => {
                    // Spline edge: degree, rational, periodic, knots, control points (+ weights), fit points.
                    let _degree = find(i, 94)?;
                    let knots = find(i, 95)?.clamp(0.0, pairs.len() as f64) as usize;
                    let controls = find(i, 96)?.clamp(0.0, pairs.len() as f64) as usize;
                    for _ in 0..knots {
                        find(i, 40)?;
                    }
                    for _ in 0..controls {
                        pts.push(Coord { x: find(i, 10)?, y: find(i, 20)? });
                    }
                }
                _ => return None,
            }
        }
    }
    // Source boundary objects: 97 count, then 330 handles; skipped by the next path's search.
    pts.retain(|c| c.x.is_finite() && c.y.is_finite());
    Some(pts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_names_in_english_and_chinese_guess_their_kinds() {
        assert_eq!(guess_kind("建筑"), Some(Kind::Building));
        assert_eq!(guess_kind("JZ-房屋"), Some(Kind::Building));
        assert_eq!(guess_kind("BLDG_Outline"), Some(Kind::Building));
        assert_eq!(guess_kind("道路中线"), Some(Kind::Street));
        assert_eq!(guess_kind("Road"), Some(Kind::Street));
        assert_eq!(guess_kind("绿化"), Some(Kind::Garden));
        assert_eq!(guess_kind("用地红线"), Some(Kind::Boundary));
        assert_eq!(guess_kind("物业用房"), Some(Kind::Core));
        assert_eq!(guess_kind("服务设施"), Some(Kind::Node));
        assert_eq!(guess_kind("建筑标注"), None);
        assert_eq!(guess_kind("0"), None);
        assert_eq!(guess_kind("Defpoints"), None);
        assert_eq!(guess_kind("DIM"), None);
        assert_eq!(guess_kind("管线"), Some(Kind::Other));
        // "0" is a name, not a part of one.
        assert_eq!(guess_kind("10号楼"), Some(Kind::Building));
    }

    #[test]
    fn mtext_formatting_and_escapes_become_plain_text() {
        assert_eq!(plain_mtext(r"{\f宋体|b0|i0|c134;1号楼}\P6层"), "1号楼\n6层");
        assert_eq!(plain_mtext(r"\A1;{\H2.5x;\C1;劲松}\~小区"), "劲松 小区");
        assert_eq!(plain_mtext(r"\U+5EFA\U+7B51"), "建筑");
        assert_eq!(plain_mtext(r"\S1^2;层 \L下划线\l"), "1/2层 下划线");
        assert_eq!(plain_mtext(r"a\\b\{c\}"), r"a\b{c}");
        assert_eq!(plain_text("%%c600 45%%d %%p0.5 100%%%"), "⌀600 45° ±0.5 100%");
        assert_eq!(unescape(r"\M+5BDA8"), "建");
        // Broken codes at the end never panic.
        for s in [r"\", r"\U+12", r"\S1^", r"{\f", "%%", r"\M+5"] {
            let _ = plain_mtext(s);
        }
    }

    #[test]
    fn text_is_checked_against_an_encoding_past_a_buffers_length() {
        let chinese = encoding_rs::GBK.encode(&"建筑".repeat(20_000)).0.into_owned();
        assert!(valid_in(encoding_rs::GBK, &chinese));
        let mut broken = chinese.clone();
        broken.push(0x81); // a lead byte with nothing after it
        assert!(!valid_in(encoding_rs::GBK, &broken));
        broken.pop();
        broken.insert(50_001, 0xFF);
        assert!(!valid_in(encoding_rs::GBK, &broken));
        assert!(valid_in(encoding_rs::GBK, b""));
    }

    #[test]
    fn a_bulge_of_one_is_a_half_circle() {
        let pts = bulged(&[(0.0, 0.0, 1.0), (2.0, 0.0, 0.0)], false);
        assert_eq!(pts.first(), Some(&Coord { x: 0.0, y: 0.0 }));
        assert_eq!(pts.last(), Some(&Coord { x: 2.0, y: 0.0 }));
        // Anticlockwise from (0,0) to (2,0) about (1,0): through (1,-1), every 10° or less.
        assert!(pts.len() >= 19, "{}", pts.len());
        assert!(pts.iter().all(|c| ((c.x - 1.0).powi(2) + c.y.powi(2) - 1.0).abs() < 1e-9 && c.y <= 1e-12));
    }

    #[test]
    fn rings_inside_rings_are_holes_and_islands_are_outlines() {
        let sq = |a: f64, b: f64| {
            vec![
                Coord { x: a, y: a },
                Coord { x: b, y: a },
                Coord { x: b, y: b },
                Coord { x: a, y: b },
                Coord { x: a, y: a },
            ]
        };
        let g = polygons_of_rings(vec![sq(2.0, 8.0), sq(0.0, 10.0), sq(4.0, 6.0)]).expect("polygons");
        let Geometry::MultiPolygon(mp) = g else { panic!("{g:?}") };
        assert_eq!(mp.0.len(), 2);
        assert_eq!(mp.0[0].interiors().len(), 1);
        assert_eq!(mp.0[1].interiors().len(), 0);
    }

    fn ascii(body: &str) -> Vec<u8> {
        let mut s =
            String::from("0\nSECTION\n2\nHEADER\n9\n$ACADVER\n1\nAC1015\n9\n$DWGCODEPAGE\n3\nANSI_936\n0\nENDSEC\n");
        s.push_str("0\nSECTION\n2\nENTITIES\n");
        s.push_str(body);
        s.push_str("0\nENDSEC\n0\nEOF\n");
        s.into_bytes()
    }

    fn gbk(s: &[u8]) -> Vec<u8> {
        let text = String::from_utf8_lossy(s);
        encoding_rs::GBK.encode(&text).0.into_owned()
    }

    #[test]
    fn a_gbk_drawing_with_a_hatch_a_closed_polyline_and_a_text_inside_reads_with_chinese_names() {
        let body = "0\nLWPOLYLINE\n5\n2A\n8\n建筑\n90\n4\n70\n1\n10\n0\n20\n0\n10\n40\n20\n0\n10\n40\n20\n30\n10\n0\n20\n30\n\
                    0\nTEXT\n5\n2B\n8\n建筑\n10\n20\n20\n15\n40\n2.5\n1\n1号楼\n\
                    0\nTEXT\n5\n2C\n8\n建筑\n10\n100\n20\n100\n40\n2.5\n1\n门卫\n\
                    0\nTEXT\n5\n2D\n8\n注记\n10\n10\n20\n10\n40\n2.5\n1\n砖4\n\
                    0\nHATCH\n5\n2E\n8\n绿地\n10\n0\n20\n0\n30\n0\n210\n0\n220\n0\n230\n1\n2\nSOLID\n70\n1\n71\n0\n91\n2\n\
                    92\n2\n72\n0\n73\n1\n93\n4\n10\n100\n20\n0\n10\n200\n20\n0\n10\n200\n20\n100\n10\n100\n20\n100\n97\n0\n\
                    92\n1\n93\n4\n72\n1\n10\n120\n20\n20\n11\n180\n21\n20\n72\n1\n10\n180\n20\n20\n11\n180\n21\n80\n\
                    72\n1\n10\n180\n20\n80\n11\n120\n21\n80\n72\n1\n10\n120\n20\n80\n11\n120\n21\n20\n97\n0\n\
                    75\n0\n76\n1\n98\n0\n";
        let bytes = gbk(&ascii(body));
        let c = collect(&bytes, "t.dxf", &ReadOptions::default()).expect("reads");
        let names: Vec<_> =
            c.features.iter().map(|f| (f.properties["entity"].clone(), f.properties.get("name").cloned())).collect();
        assert_eq!(c.features.len(), 3, "{names:?}");
        let b = &c.features[0];
        assert_eq!(b.properties["name"], "1号楼");
        // The annotation layer's text inside names it too, after the first.
        assert_eq!(b.properties["texts"], "砖4");
        assert_eq!(b.properties["layer"], "建筑");
        assert_eq!(b.properties["kind"], "building");
        assert_eq!(b.properties["handle"], "2A");
        assert!(matches!(b.geometry, Geometry::Polygon(_)));
        let h = &c.features[1];
        assert_eq!(h.properties["kind"], "garden");
        let Geometry::Polygon(p) = &h.geometry else { panic!("{:?}", h.geometry) };
        assert_eq!(p.interiors().len(), 1);
        // A text outside any building stays a labelled point.
        assert_eq!(c.features[2].properties["label"], "门卫");
        assert!(matches!(c.features[2].geometry, Geometry::Point(_)));
        // The planner's mapping wins: 绿地 left out, 建筑 as other.
        let map = BTreeMap::from([("绿地".to_string(), None), ("建筑".to_string(), Some(Kind::Other))]);
        let c = collect(&bytes, "t.dxf", &ReadOptions { layers: Some(&map), ..Default::default() }).expect("reads");
        assert_eq!(c.features.len(), 3);
        assert!(c.features.iter().all(|f| f.properties["kind"] == "other"));
        // With no building to name, the annotation layer's text is left out, with a warning.
        assert!(
            c.warnings.iter().any(|w| w.message.contains("注记 (1)") && w.message.contains("绿地 (1)")),
            "{:?}",
            c.warnings
        );
        // Without buildings the texts stay points.
        assert!(c.features.iter().any(|f| f.properties.get("label").is_some_and(|l| l == "1号楼")));
    }

    #[test]
    fn blocks_are_placed_scaled_rotated_and_repeated_and_a_self_insert_is_refused() {
        let blocks = "0\nSECTION\n2\nBLOCKS\n0\nBLOCK\n8\n0\n2\nHOUSE\n70\n0\n10\n0\n20\n0\n30\n0\n3\nHOUSE\n\
                      0\nLWPOLYLINE\n8\n0\n90\n4\n70\n1\n10\n0\n20\n0\n10\n10\n20\n0\n10\n10\n20\n5\n10\n0\n20\n5\n0\nENDBLK\n8\n0\n\
                      0\nBLOCK\n8\n0\n2\nLOOP\n70\n0\n10\n0\n20\n0\n30\n0\n3\nLOOP\n0\nINSERT\n8\n0\n2\nLOOP\n10\n0\n20\n0\n0\nENDBLK\n8\n0\n\
                      0\nENDSEC\n";
        let body = "0\nINSERT\n8\n住宅\n2\nHOUSE\n10\n100\n20\n200\n41\n2\n42\n2\n50\n90\n70\n2\n71\n3\n44\n20\n45\n10\n\
                    0\nINSERT\n8\n住宅\n2\nLOOP\n10\n0\n20\n0\n";
        let mut bytes = ascii(body);
        let pattern = b"0\nSECTION\n2\nENTITIES";
        let at = bytes.windows(pattern.len()).position(|w| w == pattern).expect("entities");
        bytes.splice(at..at, blocks.bytes());
        let bytes = gbk(&bytes);
        let c = collect(&bytes, "t.dxf", &ReadOptions::default()).expect("reads");
        assert_eq!(c.features.len(), 6, "2 columns × 3 rows");
        assert!(
            c.features.iter().all(|f| f.properties["layer"] == "住宅" && f.properties["kind"] == "building"),
            "{:?}",
            c.features[0].properties
        );
        // The first copy: scaled 2×, turned 90°: (0,0)-(20,0)-(20,10) → (100,200)-(100,220)-(90,220).
        let Geometry::Polygon(p) = &c.features[0].geometry else { panic!() };
        let r = p.bounding_rect().expect("rect");
        assert!((r.min().x - 90.0).abs() < 1e-9 && (r.max().y - 220.0).abs() < 1e-9, "{r:?}");
        assert!(c.warnings.iter().any(|w| w.place == "block LOOP" && w.message.contains("inserts itself")));
    }

    fn square(layer: &str, a: f64, b: f64, extra: &str) -> String {
        format!(
            "0\nLWPOLYLINE\n8\n{layer}\n90\n4\n70\n1\n10\n{a}\n20\n{a}\n10\n{b}\n20\n{a}\n10\n{b}\n20\n{b}\n10\n{a}\n20\n{b}\n{extra}"
        )
    }

    #[test]
    fn the_layer_counts_are_what_is_read_paper_space_left_out_and_blocks_layers_listed() {
        let blocks = "0\nSECTION\n2\nBLOCKS\n0\nBLOCK\n8\n0\n2\nHOUSE\n70\n0\n10\n0\n20\n0\n30\n0\n3\nHOUSE\n\
                      0\nLWPOLYLINE\n8\n0\n90\n4\n70\n1\n10\n0\n20\n0\n10\n10\n20\n0\n10\n10\n20\n5\n10\n0\n20\n5\n\
                      0\nLINE\n8\n围墙\n10\n0\n20\n0\n11\n10\n21\n0\n0\nENDBLK\n8\n0\n\
                      0\nBLOCK\n8\n0\n2\n*Paper_Space\n70\n0\n10\n0\n20\n0\n30\n0\n3\n*Paper_Space\n\
                      0\nLINE\n8\n图签\n67\n1\n10\n0\n20\n0\n11\n10\n21\n0\n0\nENDBLK\n8\n0\n0\nENDSEC\n";
        let body = "0\nINSERT\n8\n住宅\n2\nHOUSE\n10\n100\n20\n200\n\
                    0\nLINE\n8\n道路\n10\n0\n20\n0\n11\n50\n21\n0\n\
                    0\nLINE\n8\n道路\n67\n1\n10\n0\n20\n0\n11\n50\n21\n0\n";
        let mut bytes = ascii(body);
        let pattern = b"0\nSECTION\n2\nENTITIES";
        let at = bytes.windows(pattern.len()).position(|w| w == pattern).expect("entities");
        bytes.splice(at..at, blocks.bytes());
        let bytes = gbk(&bytes);
        let listed: Vec<(String, usize)> =
            layers_of(&bytes, "t.dxf").expect("layers").into_iter().map(|l| (l.name, l.entities)).collect();
        let c = collect(&bytes, "t.dxf", &ReadOptions::default()).expect("reads");
        let mut read: BTreeMap<String, usize> = BTreeMap::new();
        for f in &c.features {
            *read.entry(f.properties["layer"].as_str().unwrap_or_default().to_string()).or_default() += 1;
        }
        // The INSERT on 住宅 is one feature there (its layer-0 outline); 围墙 is only in the block.
        assert_eq!(read, BTreeMap::from([("住宅".into(), 1), ("围墙".into(), 1), ("道路".into(), 1)]));
        assert_eq!(listed, read.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn an_outline_inside_another_of_its_layer_is_a_hole_and_a_mirrored_one_is_flipped() {
        let body = [
            square("建筑", 0.0, 100.0, ""),
            square("建筑", 20.0, 80.0, ""),
            // An island in the courtyard, and an outline of another layer inside: both their own features.
            square("建筑", 40.0, 60.0, ""),
            square("绿地", 30.0, 35.0, ""),
            // Normal −Z: AutoCAD's mirrored entity, x turned over.
            square("绿地", 200.0, 210.0, "210\n0\n220\n0\n230\n-1\n"),
        ]
        .concat();
        let bytes = gbk(&ascii(&body));
        let c = collect(&bytes, "t.dxf", &ReadOptions::default()).expect("reads");
        let polys: Vec<(String, usize, geo::Rect)> = c
            .features
            .iter()
            .map(|f| match &f.geometry {
                Geometry::Polygon(p) => (
                    f.properties["layer"].as_str().unwrap_or_default().to_string(),
                    p.interiors().len(),
                    p.bounding_rect().expect("a box"),
                ),
                g => panic!("{g:?}"),
            })
            .collect();
        assert_eq!(polys.len(), 4, "{polys:?}");
        assert_eq!((polys[0].0.as_str(), polys[0].1), ("建筑", 1));
        assert_eq!((polys[1].1, polys[1].2.min().x), (0, 40.0));
        assert_eq!((polys[2].0.as_str(), polys[2].1), ("绿地", 0));
        assert_eq!((polys[3].2.min().x, polys[3].2.max().x), (-210.0, -200.0));
    }

    #[test]
    fn a_load_reports_its_progress_in_bytes_and_stops_when_told() {
        // More than 4096 entities, so progress is reported while they are read too.
        let body: String = (0..10_000).map(|i| format!("0\nPOINT\n8\n建筑\n10\n{i}\n20\n0\n")).collect();
        let bytes = gbk(&ascii(&body));
        let seen = std::cell::RefCell::new(Vec::new());
        let watch = |n: u64| {
            seen.borrow_mut().push(n);
            true
        };
        let c = collect(&bytes, "t.dxf", &ReadOptions { progress: Some(&watch), ..Default::default() }).expect("reads");
        assert_eq!(c.features.len(), 10_000);
        let seen = seen.into_inner();
        assert!(seen.len() >= 4, "{seen:?}");
        assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
        assert_eq!(seen.last(), Some(&(bytes.len() as u64)));
        let no = |_: u64| false;
        match collect(&bytes, "t.dxf", &ReadOptions { progress: Some(&no), ..Default::default() }) {
            Err(LoadError::Cancelled) => {}
            other => panic!("{:?}", other.map(|c| c.features.len())),
        }
        // Cancelled while the entities are read.
        let calls = std::cell::Cell::new(0);
        let later = |_: u64| {
            calls.set(calls.get() + 1);
            calls.get() < 3
        };
        assert!(matches!(
            collect(&bytes, "t.dxf", &ReadOptions { progress: Some(&later), ..Default::default() }),
            Err(LoadError::Cancelled)
        ));
        assert_eq!(calls.get(), 3);
    }

    #[test]
    fn garbage_and_truncated_drawings_are_one_line_errors() {
        for bad in [&b"hello"[..], b"", b"0\nSECTION\n2\nENTITIES\n0\nLINE\n8\n", b"AutoCAD Binary DXF\r\n\x1a\0\x00"] {
            match collect(bad, "bad.dxf", &ReadOptions::default()) {
                Err(LoadError::Malformed { place, message }) => {
                    assert_eq!(place, "bad.dxf");
                    assert!(!message.contains('\n'), "{message}");
                }
                Ok(c) => panic!("{:?} read as {} features", String::from_utf8_lossy(bad), c.features.len()),
                Err(e) => panic!("{e}"),
            }
        }
    }
}
