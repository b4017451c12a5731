//! PMTiles v3 (one file of raster tiles addressed by a Hilbert-curve tile id),
//! read locally: the 127-byte header, the root directory and leaf directories
//! (varint columns, run lengths, gzip), the JSON metadata's attribution.
//! Written here rather than taken from the `pmtiles` crate, which needs an
//! async runtime. Also [`write`], for fixtures and offline packages.
//!
//! Spec: <https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md>.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::{BasemapError, TileSource};

const HEADER_LEN: usize = 127;
const WHAT: &str = "PMTiles file";
/// How deep leaf directories may nest before the file is taken as broken.
const MAX_DEPTH: usize = 4;
/// The deepest zoom a tile id is computed for (the spec's limit).
const MAX_Z: u8 = 26;
/// How many leaf directories are kept decoded.
const KEEP_LEAVES: usize = 64;

/// Compression of directories and tiles (header bytes 97, 98).
const NONE: u8 = 1;
const GZIP: u8 = 2;

/// One directory entry: a run of tiles (`run_length` ≥ 1) or a leaf directory (0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub tile_id: u64,
    pub offset: u64,
    pub length: u32,
    pub run_length: u32,
}

/// The parts of the header a reader needs.
#[derive(Clone, Copy, Debug)]
struct Header {
    root: (u64, u64),
    metadata: (u64, u64),
    leaves: (u64, u64),
    data: (u64, u64),
    internal_compression: u8,
    tile_compression: u8,
    min_zoom: u8,
    max_zoom: u8,
}

/// A PMTiles file opened for reading.
pub struct PmTiles {
    path: PathBuf,
    file: Mutex<File>,
    len: u64,
    header: Header,
    root: Vec<Entry>,
    leaves: Mutex<HashMap<u64, Arc<Vec<Entry>>>>,
    attribution: Option<String>,
}

impl PmTiles {
    /// Opens a PMTiles file: a missing file is [`BasemapError::NotFound`], one
    /// that is not PMTiles v3 raster tiles is one [`BasemapError::Broken`] naming why.
    pub fn open(path: &Path) -> Result<PmTiles, BasemapError> {
        if !path.is_file() {
            return Err(BasemapError::NotFound(path.to_path_buf()));
        }
        let broken = |reason: String| BasemapError::Broken { path: path.to_path_buf(), what: WHAT, reason };
        let mut file = File::open(path).map_err(|e| broken(e.to_string()))?;
        let len = file.metadata().map_err(|e| broken(e.to_string()))?.len();
        let mut h = [0u8; HEADER_LEN];
        if len < HEADER_LEN as u64 || file.read_exact(&mut h).is_err() {
            return Err(broken("it is too short for a PMTiles header".into()));
        }
        if &h[0..7] != b"PMTiles" {
            return Err(broken("it does not start with PMTiles".into()));
        }
        if h[7] != 3 {
            return Err(broken(format!("it is PMTiles version {}, this app reads version 3", h[7])));
        }
        let u64_at = |i: usize| u64::from_le_bytes(h[i..i + 8].try_into().unwrap_or([0; 8]));
        let header = Header {
            root: (u64_at(8), u64_at(16)),
            metadata: (u64_at(24), u64_at(32)),
            leaves: (u64_at(40), u64_at(48)),
            data: (u64_at(56), u64_at(64)),
            internal_compression: h[97],
            tile_compression: h[98],
            min_zoom: h[100],
            max_zoom: h[101],
        };
        match h[99] {
            0 | 2 | 3 => {}
            1 => return Err(broken("its tiles are vector tiles (MVT), not raster images".into())),
            4 => return Err(broken("its tiles are WebP, which this version does not read".into())),
            5 => return Err(broken("its tiles are AVIF, which this version does not read".into())),
            t => return Err(broken(format!("its tile type {t} is unknown"))),
        }
        if !matches!(header.internal_compression, NONE | GZIP) {
            return Err(broken(format!(
                "its directories are compressed as {}",
                compression_name(header.internal_compression)
            )));
        }
        if !matches!(header.tile_compression, 0 | NONE | GZIP) {
            return Err(broken(format!("its tiles are compressed as {}", compression_name(header.tile_compression))));
        }
        if header.min_zoom > header.max_zoom || header.max_zoom > MAX_Z {
            return Err(broken(format!("its zoom levels {}–{} are impossible", header.min_zoom, header.max_zoom)));
        }
        for (name, (off, n)) in [
            ("root directory", header.root),
            ("metadata", header.metadata),
            ("leaf directories", header.leaves),
            ("tile data", header.data),
        ] {
            if off.checked_add(n).is_none_or(|end| end > len) {
                return Err(broken(format!("its {name} lies beyond the end of the file")));
            }
        }
        let mut reader = PmTiles {
            path: path.to_path_buf(),
            file: Mutex::new(file),
            len,
            header,
            root: Vec::new(),
            leaves: Mutex::new(HashMap::new()),
            attribution: None,
        };
        let root_bytes = reader.read_section(header.root.0, header.root.1, header.internal_compression)?;
        reader.root = decode_directory(&root_bytes).map_err(|r| broken(format!("its root directory: {r}")))?;
        if reader.root.is_empty() {
            return Err(broken("it has no tiles".into()));
        }
        if header.metadata.1 > 0 {
            let meta = reader.read_section(header.metadata.0, header.metadata.1, header.internal_compression)?;
            // The metadata is optional JSON; a credit is taken from it when it has one.
            reader.attribution = serde_json::from_slice::<serde_json::Value>(&meta)
                .ok()
                .and_then(|v| v.get("attribution").and_then(|a| a.as_str()).map(str::to_string))
                .filter(|a| !a.trim().is_empty());
        }
        Ok(reader)
    }

    fn broken(&self, reason: String) -> BasemapError {
        BasemapError::Broken { path: self.path.clone(), what: WHAT, reason }
    }

    /// Reads `n` bytes at `offset`, uncompressed as `compression` says.
    fn read_section(&self, offset: u64, n: u64, compression: u8) -> Result<Vec<u8>, BasemapError> {
        if offset.checked_add(n).is_none_or(|end| end > self.len) {
            return Err(self.broken(format!("a part at byte {offset} lies beyond the end of the file")));
        }
        let mut buf = vec![0u8; n as usize];
        {
            let mut f = self.file.lock().map_err(|_| self.broken("a reader failed".into()))?;
            f.seek(SeekFrom::Start(offset))
                .and_then(|_| f.read_exact(&mut buf))
                .map_err(|e| self.broken(e.to_string()))?;
        }
        match compression {
            GZIP => {
                let mut out = Vec::new();
                // Bounded: a directory or tile that inflates past 64 MB is not a real one.
                flate2::read::GzDecoder::new(&buf[..])
                    .take(64 << 20)
                    .read_to_end(&mut out)
                    .map_err(|e| self.broken(format!("a gzip part at byte {offset}: {e}")))?;
                Ok(out)
            }
            _ => Ok(buf),
        }
    }

    fn leaf(&self, offset: u64, n: u64) -> Result<Arc<Vec<Entry>>, BasemapError> {
        if let Some(d) = self.leaves.lock().ok().and_then(|m| m.get(&offset).cloned()) {
            return Ok(d);
        }
        let start =
            self.header.leaves.0.checked_add(offset).ok_or_else(|| self.broken("a leaf offset overflows".into()))?;
        let bytes = self.read_section(start, n, self.header.internal_compression)?;
        let dir = Arc::new(decode_directory(&bytes).map_err(|r| self.broken(format!("a leaf directory: {r}")))?);
        if let Ok(mut m) = self.leaves.lock() {
            if m.len() >= KEEP_LEAVES {
                m.clear();
            }
            m.insert(offset, dir.clone());
        }
        Ok(dir)
    }

    /// The entry holding `tile_id`, following leaf directories.
    fn find(&self, tile_id: u64) -> Result<Option<Entry>, BasemapError> {
        let mut dir: Arc<Vec<Entry>> = Arc::new(self.root.clone());
        for _ in 0..MAX_DEPTH {
            let Some(e) = find_entry(&dir, tile_id) else { return Ok(None) };
            if e.run_length > 0 {
                return Ok(Some(e));
            }
            dir = self.leaf(e.offset, u64::from(e.length))?;
        }
        Err(self.broken(format!("its leaf directories nest deeper than {MAX_DEPTH}")))
    }
}

impl TileSource for PmTiles {
    fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>, BasemapError> {
        let Some(id) = tile_id(z, x, y) else { return Ok(None) };
        let Some(e) = self.find(id)? else { return Ok(None) };
        let start =
            self.header.data.0.checked_add(e.offset).ok_or_else(|| self.broken("a tile offset overflows".into()))?;
        self.read_section(start, u64::from(e.length), self.header.tile_compression).map(Some)
    }

    fn zooms(&self) -> (u8, u8) {
        (self.header.min_zoom, self.header.max_zoom)
    }

    fn attribution(&self) -> Option<String> {
        self.attribution.clone()
    }
}

fn compression_name(c: u8) -> String {
    match c {
        3 => "brotli, which this version does not read".into(),
        4 => "zstd, which this version does not read".into(),
        c => format!("an unknown kind ({c})"),
    }
}

/// The entry whose run holds `tile_id` (or the leaf that may), by binary search.
fn find_entry(dir: &[Entry], tile_id: u64) -> Option<Entry> {
    let i = dir.partition_point(|e| e.tile_id <= tile_id).checked_sub(1)?;
    let e = dir[i];
    if e.run_length == 0 || tile_id < e.tile_id.saturating_add(u64::from(e.run_length)) { Some(e) } else { None }
}

/// The tile id of `z/x/y`: the tiles of all shallower zooms, then the position on zoom `z`'s Hilbert curve.
pub fn tile_id(z: u8, x: u32, y: u32) -> Option<u64> {
    if z > MAX_Z {
        return None;
    }
    let n = 1u64 << z;
    if u64::from(x) >= n || u64::from(y) >= n {
        return None;
    }
    let acc = ((1u64 << (2 * u32::from(z))) - 1) / 3;
    let (mut x, mut y) = (u64::from(x), u64::from(y));
    let mut d = 0u64;
    let mut s = n / 2;
    while s > 0 {
        let rx = u64::from(x & s > 0);
        let ry = u64::from(y & s > 0);
        d += s * s * ((3 * rx) ^ ry);
        if ry == 0 {
            if rx == 1 {
                x = (s - 1).wrapping_sub(x);
                y = (s - 1).wrapping_sub(y);
            }
            std::mem::swap(&mut x, &mut y);
        }
        s /= 2;
    }
    Some(acc + d)
}

fn read_varint(bytes: &[u8], pos: &mut usize) -> Result<u64, String> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(*pos).ok_or("it ends inside a number")?;
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err("a number is longer than 64 bits".into())
}

fn write_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A directory from its (uncompressed) bytes: the entry count, then the
/// columns — tile id deltas, run lengths, lengths, offsets (0: right after the
/// previous entry, else offset + 1).
pub fn decode_directory(bytes: &[u8]) -> Result<Vec<Entry>, String> {
    let mut pos = 0;
    let n = read_varint(bytes, &mut pos)?;
    // Each entry takes at least four bytes: a count beyond that is not a directory.
    if n > (bytes.len() as u64) / 4 + 1 {
        return Err(format!("it claims {n} entries in {} bytes", bytes.len()));
    }
    let n = n as usize;
    let mut entries = vec![Entry { tile_id: 0, offset: 0, length: 0, run_length: 0 }; n];
    let mut id = 0u64;
    for e in &mut entries {
        id = id.checked_add(read_varint(bytes, &mut pos)?).ok_or("a tile id overflows")?;
        e.tile_id = id;
    }
    for e in &mut entries {
        e.run_length = u32::try_from(read_varint(bytes, &mut pos)?).map_err(|_| "a run length is too long")?;
    }
    for e in &mut entries {
        e.length = u32::try_from(read_varint(bytes, &mut pos)?).map_err(|_| "a length is too long")?;
        if e.length == 0 {
            return Err("an entry has no length".into());
        }
    }
    for i in 0..n {
        let v = read_varint(bytes, &mut pos)?;
        entries[i].offset = if v == 0 && i > 0 {
            entries[i - 1].offset.checked_add(u64::from(entries[i - 1].length)).ok_or("an offset overflows")?
        } else {
            v.checked_sub(1).ok_or("the first offset is missing")?
        };
    }
    Ok(entries)
}

/// A directory's bytes (uncompressed).
pub fn encode_directory(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    write_varint(&mut out, entries.len() as u64);
    let mut last = 0;
    for e in entries {
        write_varint(&mut out, e.tile_id - last);
        last = e.tile_id;
    }
    for e in entries {
        write_varint(&mut out, u64::from(e.run_length));
    }
    for e in entries {
        write_varint(&mut out, u64::from(e.length));
    }
    for (i, e) in entries.iter().enumerate() {
        let follows = i > 0 && e.offset == entries[i - 1].offset + u64::from(entries[i - 1].length);
        write_varint(&mut out, if follows { 0 } else { e.offset + 1 });
    }
    out
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes)?;
    enc.finish()
}

/// How many entries the root holds before the rest go to leaf directories (small, so fixtures test leaves).
const ROOT_ENTRIES: usize = 64;

/// Writes a PMTiles v3 file of PNG tiles (`z, x, y` XYZ rows, bytes), with
/// gzip directories, identical tiles stored once, and leaf directories when
/// there are more than a few dozen tiles. `attribution` goes in the metadata.
pub fn write(path: &Path, tiles: &[(u8, u32, u32, Vec<u8>)], attribution: Option<&str>) -> std::io::Result<()> {
    let bad = |m: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, m);
    let mut by_id: Vec<(u64, &Vec<u8>)> = tiles
        .iter()
        .map(|(z, x, y, b)| tile_id(*z, *x, *y).map(|id| (id, b)).ok_or_else(|| bad(format!("no tile {z}/{x}/{y}"))))
        .collect::<Result<_, _>>()?;
    by_id.sort_by_key(|(id, _)| *id);
    by_id.dedup_by_key(|(id, _)| *id);
    if by_id.is_empty() {
        return Err(bad("no tiles".into()));
    }
    // Tile data, each distinct content once; consecutive equal tiles become one run.
    let mut data = Vec::new();
    let mut stored: HashMap<&[u8], (u64, u32)> = HashMap::new();
    let mut entries: Vec<Entry> = Vec::new();
    for (id, bytes) in &by_id {
        let (offset, length) = *stored.entry(bytes.as_slice()).or_insert_with(|| {
            let at = (data.len() as u64, bytes.len() as u32);
            data.extend_from_slice(bytes);
            at
        });
        match entries.last_mut() {
            Some(e) if e.offset == offset && e.tile_id + u64::from(e.run_length) == *id => e.run_length += 1,
            _ => entries.push(Entry { tile_id: *id, offset, length, run_length: 1 }),
        }
    }
    let (root, leaves) = if entries.len() <= ROOT_ENTRIES {
        (entries.clone(), Vec::new())
    } else {
        let mut leaves = Vec::new();
        let mut root = Vec::new();
        for chunk in entries.chunks(ROOT_ENTRIES) {
            let bytes = gzip(&encode_directory(chunk))?;
            root.push(Entry {
                tile_id: chunk[0].tile_id,
                offset: leaves.len() as u64,
                length: bytes.len() as u32,
                run_length: 0,
            });
            leaves.extend_from_slice(&bytes);
        }
        (root, leaves)
    };
    let root = gzip(&encode_directory(&root))?;
    let mut meta_json = serde_json::json!({ "format": "png" });
    if let Some(a) = attribution {
        meta_json["attribution"] = serde_json::Value::from(a);
    }
    let meta = gzip(meta_json.to_string().as_bytes())?;
    let (min_z, max_z) = tiles.iter().fold((u8::MAX, 0u8), |(lo, hi), t| (lo.min(t.0), hi.max(t.0)));

    let root_off = HEADER_LEN as u64;
    let meta_off = root_off + root.len() as u64;
    let leaves_off = meta_off + meta.len() as u64;
    let data_off = leaves_off + leaves.len() as u64;
    let mut h = Vec::with_capacity(HEADER_LEN);
    h.extend_from_slice(b"PMTiles");
    h.push(3);
    for v in [
        root_off,
        root.len() as u64,
        meta_off,
        meta.len() as u64,
        leaves_off,
        leaves.len() as u64,
        data_off,
        data.len() as u64,
        by_id.len() as u64,
        entries.len() as u64,
        stored.len() as u64,
    ] {
        h.extend_from_slice(&v.to_le_bytes());
    }
    // Clustered, gzip directories, tiles not compressed, PNG, zooms.
    h.extend_from_slice(&[1, GZIP, NONE, 2, min_z, max_z]);
    for v in [-180_0000000i32, -85_0000000, 180_0000000, 85_0000000] {
        h.extend_from_slice(&v.to_le_bytes());
    }
    h.push(min_z);
    h.extend_from_slice(&0i32.to_le_bytes());
    h.extend_from_slice(&0i32.to_le_bytes());
    debug_assert_eq!(h.len(), HEADER_LEN);

    let mut bytes = h;
    bytes.extend_from_slice(&root);
    bytes.extend_from_slice(&meta);
    bytes.extend_from_slice(&leaves);
    bytes.extend_from_slice(&data);
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_ids_follow_the_hilbert_curve_zoom_by_zoom() {
        assert_eq!(tile_id(0, 0, 0), Some(0));
        assert_eq!(tile_id(1, 0, 0), Some(1));
        assert_eq!(tile_id(1, 0, 1), Some(2));
        assert_eq!(tile_id(1, 1, 1), Some(3));
        assert_eq!(tile_id(1, 1, 0), Some(4));
        assert_eq!(tile_id(2, 0, 0), Some(5));
        assert_eq!(tile_id(12, 3423, 1763), Some(19_078_479));
        assert_eq!(tile_id(1, 2, 0), None);
        // Every tile of a zoom has its own id, and they fill the zoom's range.
        let mut ids: Vec<u64> = (0..8).flat_map(|x| (0..8).map(move |y| tile_id(3, x, y).expect("id"))).collect();
        ids.sort_unstable();
        assert_eq!(ids, (21..85).collect::<Vec<u64>>());
    }

    #[test]
    fn directories_round_trip_and_junk_is_refused() {
        let entries = vec![
            Entry { tile_id: 0, offset: 0, length: 10, run_length: 1 },
            Entry { tile_id: 1, offset: 10, length: 5, run_length: 3 },
            Entry { tile_id: 9, offset: 0, length: 10, run_length: 1 },
            Entry { tile_id: 400, offset: 2000, length: 70, run_length: 0 },
        ];
        assert_eq!(decode_directory(&encode_directory(&entries)), Ok(entries.clone()));
        assert_eq!(find_entry(&entries, 3).map(|e| e.offset), Some(10));
        assert_eq!(find_entry(&entries, 5), None);
        assert_eq!(find_entry(&entries, 9999).map(|e| e.run_length), Some(0));
        assert!(decode_directory(&[0xff, 0xff, 0xff, 0xff, 0x0f]).is_err());
        assert!(decode_directory(&[3, 1]).is_err());
        assert!(decode_directory(&[]).is_err());
    }

    #[test]
    fn a_damaged_file_is_an_error_never_a_panic() {
        // 85 tiles over zooms 0–3 (leaf directories), each a few distinct bytes.
        let tiles: Vec<(u8, u32, u32, Vec<u8>)> = (0..=3u8)
            .flat_map(|z| {
                (0..1u32 << z).flat_map(move |x| (0..1u32 << z).map(move |y| (z, x, y, vec![z, x as u8, y as u8, 7])))
            })
            .collect();
        let dir = std::env::temp_dir().join(format!("rp-pmtiles-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let good = dir.join("good.pmtiles");
        write(&good, &tiles, Some("x")).expect("write");
        let reader = PmTiles::open(&good).expect("opens");
        for (z, x, y, b) in &tiles {
            assert_eq!(reader.tile(*z, *x, *y).expect("reads").as_ref(), Some(b));
        }
        let bytes = std::fs::read(&good).expect("read");
        let bad = dir.join("bad.pmtiles");
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut refused = 0;
        for round in 0..400 {
            let mut m = bytes.clone();
            for _ in 0..1 + round % 6 {
                let i = (next() % m.len() as u64) as usize;
                m[i] = next() as u8;
            }
            if round % 50 == 0 {
                m.truncate((next() % m.len() as u64) as usize);
            }
            std::fs::write(&bad, &m).expect("write");
            match PmTiles::open(&bad) {
                Ok(r) => {
                    for (z, x, y, _) in &tiles {
                        let _ = r.tile(*z, *x, *y);
                    }
                }
                Err(e) => {
                    assert!(matches!(e, BasemapError::Broken { .. }), "{e:?}");
                    refused += 1;
                }
            }
        }
        assert!(refused > 50, "most damage is noticed at once: {refused}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
