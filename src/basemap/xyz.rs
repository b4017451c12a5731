//! Tiles from a URL template (`https://…/{z}/{x}/{y}.png`) fetched over HTTP
//! and kept in a disk cache, so a district seen once works offline.
//!
//! A template may carry `{z}` `{x}` `{y}`, `{-y}` (a TMS row, counted from the
//! bottom), `{s}` (a subdomain: `a`, `b`, `c`, or the ones it names as
//! `{s:abc}` or `{s:t0,t1}`; chosen by `(x + y) % n` so a tile always comes
//! from the same host) and `{key}` (the user's key for the service, from
//! [`Settings::keys`]; never in a plan file, nor in the cache's name). Other
//! query parameters are kept as they are.
//!
//! Being a good client of a tile server: a real User-Agent, timeouts, at most
//! [`IN_FLIGHT`] requests at once for the whole process, a cached tile never
//! asked for again, [`Settings::offline`] never asking at all, and no bulk
//! fetching except [`prefetch`] ("keep this area offline"), which estimates the
//! tile count first and refuses above a limit.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::{BasemapError, Settings, TileSource};
use crate::model::basemaps::{Basemap, MercView, SourceKind, tiles_covering};

/// The User-Agent every tile request carries (tile servers' usage policies ask for one that names the app).
pub const USER_AGENT: &str = concat!(
    "renewal-planner/",
    env!("CARGO_PKG_VERSION"),
    " (desktop GIS for old-residential-community renewal; contact: see the README, \"Basemap tiles\")"
);

/// At most this many tile requests are in flight at once, for the whole process.
pub const IN_FLIGHT: usize = 4;

/// The deepest zoom asked of a tile server; deeper views are over-zoomed from it.
pub const MAX_ZOOM: u8 = 19;

/// After a server could not be reached, how long a source stops asking it
/// (tiles in the cache are still drawn): one fault, not one timeout a tile.
const BACK_OFF: Duration = Duration::from_secs(30);

/// After this many 404s and not one tile, the template is taken as wrong (a fault), not as the edge of coverage.
const NOTHING_THERE: usize = 4;

/// Tiles a prefetch may fetch unless told otherwise.
pub const PREFETCH_LIMIT: usize = 5_000;

/// A tile URL template with its disk cache.
pub struct Xyz {
    /// The template as the plan has it (with `{key}`, never the key).
    template: String,
    /// The user's key for `{key}`.
    key: Option<String>,
    subdomains: Vec<String>,
    /// `Settings::tile_cache()/<hash of the template>`.
    cache: PathBuf,
    ext: String,
    offline: bool,
    attribution: Option<String>,
    /// Requests sent to the server (not cache hits).
    requests: AtomicUsize,
    /// Tiles the server said it does not have (404), counted.
    missing: AtomicUsize,
    /// Tiles had, from the cache or the server.
    found: AtomicUsize,
    first_fault: Mutex<Option<BasemapError>>,
    /// Until when the server is not asked again, after it could not be reached.
    down_until: Mutex<Option<Instant>>,
}

impl Xyz {
    /// A template opened with the user's settings: its key looked up (a
    /// template with `{key}` and no key for its service is [`BasemapError::NeedsKey`]).
    pub fn open(template: &str, settings: &Settings, attribution: Option<String>) -> Result<Xyz, BasemapError> {
        let lower = template.to_ascii_lowercase();
        if !(lower.starts_with("http://") || lower.starts_with("https://")) {
            return Err(BasemapError::Unsupported(template.to_string()));
        }
        if !(template.contains("{z}")
            && template.contains("{x}")
            && (template.contains("{y}") || template.contains("{-y}")))
        {
            return Err(BasemapError::Broken {
                path: PathBuf::from(template),
                what: "tile URL template",
                reason: "it needs {z}, {x} and {y} (or {-y})".into(),
            });
        }
        let key = if template.contains("{key}") {
            let service = service(template);
            match settings.keys.get(&service).map(|k| k.trim()).filter(|k| !k.is_empty()) {
                Some(k) => Some(k.to_string()),
                None => return Err(BasemapError::NeedsKey(service)),
            }
        } else {
            None
        };
        let subdomains = subdomains(template);
        let path_part = template.split(['?', '#']).next().unwrap_or("");
        let last = path_part.rsplit('/').next().unwrap_or("");
        let ext = match last.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()) {
            Some(e) if matches!(e.as_str(), "png" | "jpg" | "jpeg" | "webp") => e,
            _ => "tile".to_string(),
        };
        Ok(Xyz {
            template: template.to_string(),
            key,
            subdomains,
            cache: settings.tile_cache().join(format!("{:016x}", fnv1a(template.as_bytes()))),
            ext,
            offline: settings.offline,
            attribution,
            requests: AtomicUsize::new(0),
            missing: AtomicUsize::new(0),
            found: AtomicUsize::new(0),
            first_fault: Mutex::new(None),
            down_until: Mutex::new(None),
        })
    }

    /// The folder this template's tiles are cached in.
    pub fn cache_dir(&self) -> &Path {
        &self.cache
    }

    /// How many requests went to the server (cache hits are not requests).
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }

    /// How many tiles the server said it does not have (HTTP 404).
    pub fn missing(&self) -> usize {
        self.missing.load(Ordering::Relaxed)
    }

    /// The first fault this source met, to be said once.
    pub fn first_fault(&self) -> Option<BasemapError> {
        self.first_fault.lock().ok().and_then(|f| f.clone())
    }

    /// The URL of tile `z/x/y`, with the key (to send) or with `{key}` left in (to show).
    pub fn url(&self, z: u8, x: u32, y: u32, with_key: bool) -> String {
        expand(&self.template, z, x, y, &self.subdomains, if with_key { self.key.as_deref() } else { None })
    }

    fn tile_path(&self, z: u8, x: u32, y: u32) -> PathBuf {
        self.cache.join(z.to_string()).join(x.to_string()).join(format!("{y}.{}", self.ext))
    }

    /// Where a 404 is remembered, so the tile is not asked for again and offline knows it is not there.
    fn none_path(&self, z: u8, x: u32, y: u32) -> PathBuf {
        self.cache.join(z.to_string()).join(x.to_string()).join(format!("{y}.none"))
    }

    /// Whether tile `z/x/y` is in the cache (as a tile or as "none there").
    pub fn cached(&self, z: u8, x: u32, y: u32) -> bool {
        self.tile_path(z, x, y).is_file() || self.none_path(z, x, y).is_file()
    }

    fn fault(&self, e: BasemapError) -> BasemapError {
        if let Ok(mut f) = self.first_fault.lock() {
            f.get_or_insert_with(|| e.clone());
        }
        e
    }

    /// Asks the server for tile `z/x/y` and caches the answer.
    fn fetch(&self, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>, BasemapError> {
        let shown = self.url(z, x, y, false);
        if self.offline {
            return Err(BasemapError::Unreachable {
                url: shown,
                reason: "working offline, from the cache only".into(),
            });
        }
        if let Some(until) = self.down_until.lock().ok().and_then(|d| *d)
            && Instant::now() < until
        {
            return Err(BasemapError::Unreachable { url: shown, reason: "it did not answer a moment ago".into() });
        }
        let _slot = Slot::take();
        self.requests.fetch_add(1, Ordering::Relaxed);
        let mut response = match agent().get(&self.url(z, x, y, true)).call() {
            Ok(r) => r,
            Err(e) => {
                if let Ok(mut d) = self.down_until.lock() {
                    *d = Some(Instant::now() + BACK_OFF);
                }
                return Err(BasemapError::Unreachable {
                    url: shown,
                    reason: redact(&e.to_string(), self.key.as_deref()),
                });
            }
        };
        let status = response.status().as_u16();
        if status == 404 {
            let missing = self.missing.fetch_add(1, Ordering::Relaxed) + 1;
            // A few tiles missing is the edge of the server's coverage; only ever 404 is a wrong address.
            if missing >= NOTHING_THERE && self.found.load(Ordering::Relaxed) == 0 {
                return Err(BasemapError::Http { url: shown, status });
            }
            // Remembered (best effort): the next look, online or not, knows nothing is there.
            let _ = write_atomic(&self.none_path(z, x, y), b"");
            return Ok(None);
        }
        if status == 204 {
            // "No content": the server's way of saying the tile is empty (sea, beyond its data).
            let _ = write_atomic(&self.none_path(z, x, y), b"");
            return Ok(None);
        }
        if status != 200 {
            return Err(BasemapError::Http { url: shown, status });
        }
        let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_string);
        let body = response.body_mut().read_to_vec().map_err(|e| BasemapError::Unreachable {
            url: shown.clone(),
            reason: redact(&e.to_string(), self.key.as_deref()),
        })?;
        if image::guess_format(&body).is_err() {
            let reason = match content_type {
                Some(t) => format!("the server sent {t}"),
                None => format!("{} bytes of something else", body.len()),
            };
            return Err(BasemapError::NotAnImage { url: shown, reason });
        }
        // A tile that cannot be cached is still drawn; the cache is a convenience here.
        let _ = write_atomic(&self.tile_path(z, x, y), &body);
        self.found.fetch_add(1, Ordering::Relaxed);
        Ok(Some(body))
    }
}

impl TileSource for Xyz {
    fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>, BasemapError> {
        if let Ok(bytes) = std::fs::read(self.tile_path(z, x, y)) {
            self.found.fetch_add(1, Ordering::Relaxed);
            return Ok(Some(bytes));
        }
        if self.none_path(z, x, y).is_file() {
            return Ok(None);
        }
        self.fetch(z, x, y).map_err(|e| self.fault(e))
    }

    fn zooms(&self) -> (u8, u8) {
        (0, MAX_ZOOM)
    }

    fn attribution(&self) -> Option<String> {
        self.attribution.clone()
    }
}

/// The service a template's `{key}` is for, by its host: `tianditu` for
/// `*.tianditu.gov.cn`, else the host itself.
pub fn service(template: &str) -> String {
    let host = host(template);
    if host == "tianditu.gov.cn" || host.ends_with(".tianditu.gov.cn") { "tianditu".to_string() } else { host }
}

/// The host a template names, lower-case, without a port.
fn host(template: &str) -> String {
    let rest = template.split_once("://").map(|(_, r)| r).unwrap_or(template);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    // `{s:abc}.host:8080` → drop the port, keep the subdomain placeholder out of the way.
    let host = match host.rfind(':') {
        Some(i) if host[i + 1..].chars().all(|c| c.is_ascii_digit()) && !host[i + 1..].is_empty() => &host[..i],
        _ => host,
    };
    host.to_ascii_lowercase()
}

/// The subdomains a template's `{s}` picks from.
fn subdomains(template: &str) -> Vec<String> {
    if let Some(start) = template.find("{s:")
        && let Some(len) = template[start..].find('}')
    {
        let list = &template[start + 3..start + len];
        let subs: Vec<String> = if list.contains(',') {
            list.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
        } else {
            list.chars().map(String::from).collect()
        };
        if !subs.is_empty() {
            return subs;
        }
    }
    vec!["a".into(), "b".into(), "c".into()]
}

/// A template with `z/x/y`, the subdomain and the key filled in (`{key}` left as it is without one).
pub fn expand(template: &str, z: u8, x: u32, y: u32, subdomains: &[String], key: Option<&str>) -> String {
    let tms = (1u64 << z.min(31)).saturating_sub(1).saturating_sub(u64::from(y));
    let mut out = template
        .replace("{z}", &z.to_string())
        .replace("{x}", &x.to_string())
        .replace("{-y}", &tms.to_string())
        .replace("{y}", &y.to_string());
    if !subdomains.is_empty() {
        let s = &subdomains[((u64::from(x) + u64::from(y)) % subdomains.len() as u64) as usize];
        if let Some(start) = out.find("{s:")
            && let Some(len) = out[start..].find('}')
        {
            out.replace_range(start..start + len + 1, s);
        }
        out = out.replace("{s}", s);
    }
    if let Some(k) = key {
        out = out.replace("{key}", k);
    }
    out
}

/// A message with the key taken out (a transport error may quote the URL).
fn redact(msg: &str, key: Option<&str>) -> String {
    match key {
        Some(k) if !k.is_empty() => msg.replace(k, "{key}"),
        _ => msg.to_string(),
    }
}

/// A stable 64-bit hash (FNV-1a): a cache folder's name must not change between runs or versions.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Writes a cache file whole or not at all: a temporary file beside it, then a rename.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    static SEQ: AtomicUsize = AtomicUsize::new(0);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.{}.part", std::process::id(), SEQ.fetch_add(1, Ordering::Relaxed)));
    let result = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The one HTTP client of the process: its User-Agent and timeouts.
fn agent() -> &'static ureq::Agent {
    static AGENT: OnceLock<ureq::Agent> = OnceLock::new();
    AGENT.get_or_init(|| {
        ureq::Agent::config_builder()
            .user_agent(USER_AGENT)
            .timeout_connect(Some(Duration::from_secs(5)))
            .timeout_global(Some(Duration::from_secs(20)))
            .http_status_as_error(false)
            .build()
            .new_agent()
    })
}

/// A place among the [`IN_FLIGHT`] requests allowed at once, held while a request runs.
struct Slot;

static SLOTS: (Mutex<usize>, Condvar) = (Mutex::new(0), Condvar::new());

impl Slot {
    fn take() -> Slot {
        let (lock, cv) = &SLOTS;
        let mut n = lock.lock().unwrap_or_else(|e| e.into_inner());
        while *n >= IN_FLIGHT {
            n = cv.wait(n).unwrap_or_else(|e| e.into_inner());
        }
        *n += 1;
        Slot
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let (lock, cv) = &SLOTS;
        let mut n = lock.lock().unwrap_or_else(|e| e.into_inner());
        *n = n.saturating_sub(1);
        cv.notify_one();
    }
}

/// Why "keep this area offline" did not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PrefetchError {
    #[error(
        "{estimate} tiles would be fetched, more than the limit of {limit}; choose a smaller area or fewer zoom levels (or raise --limit)"
    )]
    TooMany { estimate: usize, limit: usize },
    #[error("{0}: only tile URLs are fetched; a file is already offline")]
    NotTiles(String),
    #[error("working offline: tiles cannot be fetched (turn offline off in the basemap settings)")]
    Offline,
    #[error("not an area: {0}")]
    BadArea(String),
    #[error("zoom {0}: tiles are fetched for zoom 0 to {MAX_ZOOM}")]
    BadZoom(u8),
    #[error(transparent)]
    Source(#[from] BasemapError),
}

/// What a prefetch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Prefetched {
    /// Tiles covering the area at the zooms asked.
    pub estimate: usize,
    /// Fetched from the server now.
    pub fetched: usize,
    /// Already in the cache.
    pub cached: usize,
    /// The server has none there (404).
    pub missing: usize,
}

/// The tiles covering `bbox_lonlat` (`[west, south, east, north]`) at each of `zooms`.
pub fn estimate(bbox_lonlat: [f64; 4], zooms: std::ops::RangeInclusive<u8>) -> Result<usize, PrefetchError> {
    Ok(area_tiles(bbox_lonlat, zooms)?.into_iter().map(|(_, xs, ys)| xs.count() * ys.count()).sum())
}

type Ranges = Vec<(u8, std::ops::RangeInclusive<u32>, std::ops::RangeInclusive<u32>)>;

fn area_tiles(bbox: [f64; 4], zooms: std::ops::RangeInclusive<u8>) -> Result<Ranges, PrefetchError> {
    use crate::model::mercator;
    let [w, s, e, n] = bbox;
    if !bbox.iter().all(|v| v.is_finite()) || w >= e || s >= n {
        return Err(PrefetchError::BadArea(format!(
            "{w},{s},{e},{n} (give west,south,east,north, west < east, south < north)"
        )));
    }
    if w < -180.0 || e > 180.0 || s < -85.06 || n > 85.06 {
        return Err(PrefetchError::BadArea(format!(
            "{w},{s},{e},{n} is beyond the map (longitude -180 to 180, latitude -85 to 85)"
        )));
    }
    if let Some(z) = [*zooms.start(), *zooms.end()].into_iter().find(|z| *z > MAX_ZOOM) {
        return Err(PrefetchError::BadZoom(z));
    }
    let min = mercator::forward(w, s);
    let max = mercator::forward(e, n);
    let view = MercView { min, max, size: [1, 1] };
    Ok(zooms
        .map(|z| {
            let (xs, ys) = tiles_covering(&view, z);
            (z, xs, ys)
        })
        .collect())
}

/// "Keep this area offline": fetches every tile of `b` covering `bbox_lonlat`
/// (`[west, south, east, north]`) at `zooms` into the disk cache. Refuses
/// before asking anything when the estimate is above `limit`. `progress` is
/// told (done, estimate) as tiles come in. Tiles already cached are not
/// fetched again; the first fault stops it (what was fetched stays cached).
pub fn prefetch(
    b: &Basemap,
    settings: &Settings,
    bbox_lonlat: [f64; 4],
    zooms: std::ops::RangeInclusive<u8>,
    limit: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Prefetched, PrefetchError> {
    if b.kind() != SourceKind::Xyz {
        return Err(PrefetchError::NotTiles(b.source.clone()));
    }
    let ranges = area_tiles(bbox_lonlat, zooms)?;
    let estimate: usize = ranges.iter().map(|(_, xs, ys)| xs.clone().count() * ys.clone().count()).sum();
    if estimate > limit {
        return Err(PrefetchError::TooMany { estimate, limit });
    }
    if settings.offline {
        return Err(PrefetchError::Offline);
    }
    let src = Xyz::open(&b.source, settings, b.attribution.clone())?;
    let mut todo = Vec::new();
    let mut done = Prefetched { estimate, ..Prefetched::default() };
    for (z, xs, ys) in ranges {
        for x in xs {
            for y in ys.clone() {
                if src.cached(z, x, y) {
                    done.cached += 1;
                } else {
                    todo.push((z, x, y));
                }
            }
        }
    }
    progress(done.cached, estimate);
    let next = AtomicUsize::new(0);
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (tx, rx) = std::sync::mpsc::channel::<Result<bool, BasemapError>>();
    std::thread::scope(|scope| {
        for _ in 0..IN_FLIGHT.min(todo.len()) {
            let tx = tx.clone();
            let (src, todo, next, stop) = (&src, &todo, &next, &stop);
            scope.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let Some(&(z, x, y)) = todo.get(next.fetch_add(1, Ordering::Relaxed)) else { break };
                    let r = src.tile(z, x, y).map(|t| t.is_some());
                    if tx.send(r).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut fault = None;
        for r in rx {
            match r {
                Ok(true) => done.fetched += 1,
                Ok(false) => done.missing += 1,
                Err(e) => {
                    stop.store(true, Ordering::Relaxed);
                    fault.get_or_insert(e);
                }
            }
            progress(done.cached + done.fetched + done.missing, estimate);
        }
        match fault {
            Some(e) => Err(PrefetchError::Source(e)),
            None => Ok(done),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subs(t: &str) -> Vec<String> {
        subdomains(t)
    }

    #[test]
    fn templates_expand_rows_subdomains_and_keys() {
        let t = "https://{s}.tile.example.org/{z}/{x}/{y}.png?style=1";
        assert_eq!(expand(t, 3, 2, 5, &subs(t), None), "https://b.tile.example.org/3/2/5.png?style=1");
        assert_eq!(expand(t, 3, 2, 6, &subs(t), None), "https://c.tile.example.org/3/2/6.png?style=1");
        let tms = "http://h/{z}/{x}/{-y}.png";
        assert_eq!(expand(tms, 3, 2, 1, &subs(tms), None), "http://h/3/2/6.png");
        let named = "https://t{s:01234567}.tianditu.gov.cn/img_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}";
        assert_eq!(subs(named).len(), 8);
        assert_eq!(
            expand(named, 10, 3, 2, &subs(named), Some("K")),
            "https://t5.tianditu.gov.cn/img_w/wmts?TILEMATRIX=10&TILEROW=2&TILECOL=3&tk=K"
        );
        let list = "http://{s:m1,m2}.example.com:8080/{z}/{x}/{y}";
        assert_eq!(expand(list, 1, 1, 0, &subs(list), None), "http://m2.example.com:8080/1/1/0");
        assert_eq!(service(named), "tianditu");
        assert_eq!(service(list), "{s:m1,m2}.example.com");
    }

    #[test]
    fn a_template_needs_its_key_and_the_cache_is_named_without_it() {
        let t = "https://t{s:01234567}.tianditu.gov.cn/vec_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}";
        let mut settings = Settings { home: PathBuf::from("/nowhere"), ..Settings::default() };
        assert_eq!(Xyz::open(t, &settings, None).err(), Some(BasemapError::NeedsKey("tianditu".into())));
        settings.keys.insert("tianditu".into(), "secret".into());
        let a = Xyz::open(t, &settings, None).expect("opens with a key");
        settings.keys.insert("tianditu".into(), "other".into());
        let b = Xyz::open(t, &settings, None).expect("opens with another key");
        assert_eq!(a.cache_dir(), b.cache_dir());
        assert!(!a.cache_dir().to_string_lossy().contains("secret"));
        assert!(a.url(1, 0, 0, false).contains("{key}") && a.url(1, 0, 0, true).contains("tk=secret"));
        assert!(matches!(Xyz::open("https://h/{z}/{x}.png", &settings, None), Err(BasemapError::Broken { .. })));
    }

    #[test]
    fn the_estimate_counts_tiles_and_bad_areas_are_refused() {
        // One tile at zoom 0, the whole world.
        assert_eq!(estimate([-180.0, -85.0, 180.0, 85.0], 0..=0).expect("world"), 1);
        assert_eq!(estimate([-180.0, -85.0, 180.0, 85.0], 0..=1).expect("world"), 5);
        let jinsong = [116.455, 39.884, 116.466, 39.891];
        let n = estimate(jinsong, 15..=17).expect("jinsong");
        assert!((3..200).contains(&n), "{n}");
        assert!(matches!(estimate([116.5, 39.8, 116.4, 39.9], 1..=2), Err(PrefetchError::BadArea(_))));
        assert!(matches!(estimate([f64::NAN, 39.8, 116.4, 39.9], 1..=2), Err(PrefetchError::BadArea(_))));
        assert_eq!(estimate(jinsong, 15..=25).err(), Some(PrefetchError::BadZoom(25)));
    }
}
