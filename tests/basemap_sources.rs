//! Tile sources without the internet: XYZ tiles from a server on 127.0.0.1
//! started here (fetched, drawn, cached, then drawn again with the server
//! stopped), its faults (unreachable, HTTP 500, HTML, a missing key), `{-y}`
//! and `{s}`, PMTiles written and read back, "keep this area offline" and the
//! `tiles` command.

#[path = "common/tileserver.rs"]
mod tileserver;

use std::path::Path;
use std::sync::Arc;

use renewal_planner::basemap::{self, BasemapError, Layer, Settings, pmtiles, xyz};
use renewal_planner::model::basemaps::{Basemap, MercView};
use renewal_planner::model::mercator;
use tileserver::{Answer, TileServer, color};

/// Jinsong, 1280 × 800 pixels.
const JINSONG: [f64; 4] = [116.455, 39.884, 116.466, 39.891];

fn view(bbox: [f64; 4], size: [u32; 2]) -> MercView {
    MercView { min: mercator::forward(bbox[0], bbox[1]), max: mercator::forward(bbox[2], bbox[3]), size }
}

fn settings(home: &Path) -> Settings {
    Settings::load(home)
}

fn compose(layer: &Arc<dyn Layer>, v: &MercView) -> basemap::Composed {
    basemap::compose(&[(layer.clone(), 1.0)], v)
}

/// Checks that the pixel at the middle of each piece (inside the view) has
/// the colour of the tile `expect(key)` names.
fn check_colours(
    layer: &Arc<dyn Layer>,
    v: &MercView,
    img: &image::RgbaImage,
    expect: impl Fn(u8, u32, u32) -> [u8; 3],
) {
    let mut checked = 0;
    for p in layer.pieces(v) {
        let [tl, tr, bl] = p.corners.map(|c| v.to_px(c));
        let mid = [(tr[0] + bl[0]) / 2.0, (tr[1] + bl[1]) / 2.0];
        let _ = tl;
        if mid[0] < 0.0 || mid[1] < 0.0 || mid[0] >= f64::from(v.size[0]) || mid[1] >= f64::from(v.size[1]) {
            continue;
        }
        let px = img.get_pixel(mid[0] as u32, mid[1] as u32).0;
        let want = expect(p.key.z, p.key.x, p.key.y);
        assert_eq!(px, [want[0], want[1], want[2], 255], "tile {:?} at {mid:?}", p.key);
        checked += 1;
    }
    assert!(checked >= 2, "some tiles are checked: {checked}");
}

#[test]
fn tiles_are_fetched_drawn_cached_and_drawn_again_with_the_server_stopped() {
    let home = tempfile::tempdir().expect("temp dir");
    // The server has zooms 0–16; the view wants 17, so those are 404 (nothing drawn) and over-zoomed from 16.
    let mut server = TileServer::start(0..=16);
    let b = Basemap::new(format!("{}/{{z}}/{{x}}/{{y}}.png?style=plain", server.url()));
    let v = view(JINSONG, [1280, 800]);
    let layer = basemap::open(&b, &settings(home.path())).expect("opens");
    assert_eq!(layer.pieces(&v)[0].key.z, 17);
    let first = compose(&layer, &v);
    assert!(first.faults.is_empty(), "{:?}", first.faults);
    check_colours(&layer, &v, &first.image, |z, x, y| color(z - 1, x / 2, y / 2));
    let asked = server.requests();
    assert!(asked > 4, "{asked}");
    assert!(server.paths().iter().all(|p| p.ends_with(".png?style=plain")), "query kept: {:?}", server.paths());
    assert!(server.user_agents().iter().all(|u| u.starts_with("renewal-planner/")), "{:?}", server.user_agents());

    // A new window (nothing in memory): the disk cache answers, the server is not asked.
    let again = compose(&basemap::open(&b, &settings(home.path())).expect("opens"), &v);
    assert_eq!(server.requests(), asked);
    assert!(again.faults.is_empty());
    assert_eq!(again.image, first.image);

    // The network gone: the district seen once still draws, and says nothing.
    server.stop();
    let layer = basemap::open(&b, &settings(home.path())).expect("opens");
    let offline = compose(&layer, &v);
    assert!(offline.faults.is_empty(), "{:?}", offline.faults);
    assert_eq!(offline.image, first.image);

    // Somewhere never seen: one fault for the basemap, not one a tile, and it names the server.
    let elsewhere = view([116.30, 39.95, 116.311, 39.957], [1280, 800]);
    let lost = compose(&layer, &elsewhere);
    assert_eq!(lost.faults.len(), 1, "{:?}", lost.faults);
    match &lost.faults[0] {
        BasemapError::Unreachable { url, .. } => assert!(url.starts_with(&server.url()), "{url}"),
        other => panic!("expected Unreachable, got {other:?}"),
    }
    assert!(!lost.faults[0].to_string().contains('\n'));

    // Offline by the settings: a cached view draws, nothing new is asked for.
    let mut off = settings(home.path());
    off.offline = true;
    let cached = compose(&basemap::open(&b, &off).expect("opens"), &v);
    assert!(cached.faults.is_empty());
    assert_eq!(cached.image, first.image);
}

#[test]
fn a_server_error_is_http_and_a_page_is_not_an_image_and_neither_is_cached() {
    let home = tempfile::tempdir().expect("temp dir");
    let server = TileServer::start(0..=18);
    let b = Basemap::new(format!("{}/{{z}}/{{x}}/{{y}}.png", server.url()));
    let v = view(JINSONG, [640, 400]);

    server.answer(Answer::Status(500));
    let c = compose(&basemap::open(&b, &settings(home.path())).expect("opens"), &v);
    assert_eq!(c.faults.len(), 1, "{:?}", c.faults);
    assert!(matches!(&c.faults[0], BasemapError::Http { status: 500, .. }), "{:?}", c.faults);
    assert!(c.image.pixels().all(|p| p.0[3] == 0), "nothing drawn");

    server.answer(Answer::Html);
    let layer = basemap::open(&b, &settings(home.path())).expect("opens");
    let c = compose(&layer, &v);
    assert_eq!(c.faults.len(), 1, "{:?}", c.faults);
    match &c.faults[0] {
        BasemapError::NotAnImage { reason, .. } => assert!(reason.contains("text/html"), "{reason}"),
        other => panic!("expected NotAnImage, got {other:?}"),
    }

    // A server that has no tile at all (a wrong address): one 404 fault, not a silent blank map.
    let nothing = TileServer::start(0..=0);
    let wrong = Basemap::new(format!("{}/{{z}}/{{x}}/{{y}}.png", nothing.url()));
    let c = compose(&basemap::open(&wrong, &settings(home.path())).expect("opens"), &v);
    assert_eq!(c.faults.len(), 1, "{:?}", c.faults);
    assert!(matches!(&c.faults[0], BasemapError::Http { status: 404, .. }), "{:?}", c.faults);

    // Neither answer was kept: once the server is right, the tiles come.
    server.answer(Answer::Tiles);
    let c = compose(&basemap::open(&b, &settings(home.path())).expect("opens"), &v);
    assert!(c.faults.is_empty(), "{:?}", c.faults);
    assert_eq!(c.image.get_pixel(320, 200).0[3], 255);
}

#[test]
fn tms_rows_and_subdomains_are_expanded() {
    let home = tempfile::tempdir().expect("temp dir");
    let server = TileServer::start(0..=18);
    // `{s:pq}` picks p or q by (x + y) % 2; the server reads `/tms/` rows from the bottom.
    let b = Basemap::new(format!("{}/{{s:pq}}/tms/{{z}}/{{x}}/{{-y}}.png", server.url()));
    let v = view(JINSONG, [1280, 800]);
    let layer = basemap::open(&b, &settings(home.path())).expect("opens");
    let c = compose(&layer, &v);
    assert!(c.faults.is_empty(), "{:?}", c.faults);
    check_colours(&layer, &v, &c.image, color);
    let paths = server.paths();
    assert!(!paths.is_empty());
    for p in &paths {
        let parts: Vec<&str> = p.trim_end_matches(".png").split('/').collect();
        let (z, x, row): (u32, u32, u32) =
            (parts[3].parse().expect("z"), parts[4].parse().expect("x"), parts[5].parse().expect("row"));
        let y = (1 << z) - 1 - row;
        assert_eq!(parts[1], if (x + y) % 2 == 0 { "p" } else { "q" }, "{p}");
    }
}

#[test]
fn a_template_with_a_key_needs_one_and_never_shows_or_stores_it() {
    let home = tempfile::tempdir().expect("temp dir");
    let server = TileServer::start(0..=18);
    let b = Basemap::new(format!("{}/{{z}}/{{x}}/{{y}}.png?tk={{key}}", server.url()));
    let mut s = settings(home.path());
    assert_eq!(basemap::open(&b, &s).err(), Some(BasemapError::NeedsKey("127.0.0.1".into())));
    s.keys.insert("127.0.0.1".into(), "sekrit".into());
    let v = view(JINSONG, [640, 400]);
    let c = compose(&basemap::open(&b, &s).expect("opens with the key"), &v);
    assert!(c.faults.is_empty(), "{:?}", c.faults);
    assert!(server.paths().iter().all(|p| p.ends_with("?tk=sekrit")), "{:?}", server.paths());
    // The cache is named without the key; a fault shows `{key}`, not the key.
    let src = xyz::Xyz::open(&b.source, &s, None).expect("opens");
    assert!(!src.cache_dir().to_string_lossy().contains("sekrit"));
    server.answer(Answer::Status(503));
    let c = compose(&basemap::open(&b, &s).expect("opens"), &view([100.0, 30.0, 100.01, 30.01], [640, 400]));
    assert_eq!(c.faults.len(), 1);
    let said = c.faults[0].to_string();
    assert!(said.contains("tk={key}") && !said.contains("sekrit") && said.contains("503"), "{said}");
}

/// Every tile of zooms 0–4, each its own colour.
fn pyramid_tiles() -> Vec<(u8, u32, u32, Vec<u8>)> {
    let mut tiles = Vec::new();
    for z in 0..=4u8 {
        for x in 0..1u32 << z {
            for y in 0..1u32 << z {
                tiles.push((z, x, y, tileserver::png(color(z, x, y))));
            }
        }
    }
    tiles
}

#[test]
fn pmtiles_written_and_read_back_draw_their_tiles() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("区域.pmtiles");
    let tiles = pyramid_tiles();
    pmtiles::write(&path, &tiles, Some("© 测试 contributors")).expect("write");
    let file = pmtiles::PmTiles::open(&path).expect("opens");
    use renewal_planner::basemap::TileSource;
    assert_eq!(file.zooms(), (0, 4));
    assert_eq!(file.attribution().as_deref(), Some("© 测试 contributors"));
    // 341 tiles: the root points at leaf directories, and every tile comes back as written.
    for (z, x, y, bytes) in &tiles {
        assert_eq!(file.tile(*z, *x, *y).expect("reads").as_ref(), Some(bytes), "{z}/{x}/{y}");
    }
    assert_eq!(file.tile(5, 0, 0).expect("reads"), None);
    assert_eq!(file.tile(2, 9, 0).expect("reads"), None);

    let layer = basemap::open(&Basemap::new(path.to_string_lossy()), &Settings::default()).expect("opens");
    // The world at zoom 3 (over 1024 px): drawn from the file's tiles.
    let h = mercator::HALF_SIDE;
    let v = MercView { min: [-h, -h], max: [h, h], size: [2048, 2048] };
    let c = compose(&layer, &v);
    assert!(c.faults.is_empty(), "{:?}", c.faults);
    assert_eq!(c.attributions, vec!["© 测试 contributors".to_string()]);
    check_colours(&layer, &v, &c.image, color);
    // Deeper than the file: over-zoomed from zoom 4.
    let deep = view(JINSONG, [1280, 800]);
    let c = compose(&layer, &deep);
    assert!(c.faults.is_empty());
    let pieces = layer.pieces(&deep);
    assert_eq!(pieces.len(), 1, "one over-zoomed tile covers Jinsong: {pieces:?}");
    let k = pieces[0].key;
    let d = k.z - 4;
    let want = color(4, k.x >> d, k.y >> d);
    assert_eq!(c.image.get_pixel(640, 400).0, [want[0], want[1], want[2], 255]);
}

#[test]
fn a_junk_or_cut_pmtiles_is_one_broken_error_naming_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let junk = dir.path().join("junk.pmtiles");
    std::fs::write(&junk, b"this is not a tile archive, only words that go on for a while and more").expect("write");
    let e = basemap::open(&Basemap::new(junk.to_string_lossy()), &Settings::default()).err().expect("refused");
    assert!(matches!(&e, BasemapError::Broken { path, .. } if path == &junk), "{e:?}");
    let said = e.to_string();
    assert!(said.contains("junk.pmtiles") && !said.contains('\n'), "{said}");

    let good = dir.path().join("good.pmtiles");
    pmtiles::write(&good, &pyramid_tiles(), None).expect("write");
    let bytes = std::fs::read(&good).expect("read");
    let cut = dir.path().join("cut.pmtiles");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
    assert!(matches!(pmtiles::PmTiles::open(&cut), Err(BasemapError::Broken { .. })));
    // A header that promises a directory that is noise.
    let mut noisy = bytes.clone();
    for b in &mut noisy[127..160] {
        *b = 0xff;
    }
    let noise = dir.path().join("noise.pmtiles");
    std::fs::write(&noise, &noisy).expect("write");
    assert!(matches!(pmtiles::PmTiles::open(&noise), Err(BasemapError::Broken { .. })));
    let missing = dir.path().join("missing.pmtiles");
    assert_eq!(pmtiles::PmTiles::open(&missing).err(), Some(BasemapError::NotFound(missing)));
}

#[test]
fn prefetch_refuses_above_its_limit_and_fills_the_cache_below_it() {
    let home = tempfile::tempdir().expect("temp dir");
    let server = TileServer::start(0..=18);
    let b = Basemap::new(format!("{}/{{z}}/{{x}}/{{y}}.png", server.url()));
    let s = settings(home.path());
    let estimate = xyz::estimate(JINSONG, 15..=18).expect("estimate");
    assert!(estimate > 10, "{estimate}");

    let refused = xyz::prefetch(&b, &s, JINSONG, 15..=18, estimate - 1, &mut |_, _| {});
    assert_eq!(refused, Err(xyz::PrefetchError::TooMany { estimate, limit: estimate - 1 }));
    assert_eq!(server.requests(), 0, "nothing is asked before the estimate is under the limit");

    let mut last = (0, 0);
    let done = xyz::prefetch(&b, &s, JINSONG, 15..=18, estimate, &mut |d, of| last = (d, of)).expect("fetched");
    assert_eq!(done, xyz::Prefetched { estimate, fetched: estimate, cached: 0, missing: 0 });
    assert_eq!(last, (estimate, estimate));
    assert_eq!(server.requests(), estimate);
    assert!(server.max_in_flight() <= xyz::IN_FLIGHT, "{}", server.max_in_flight());
    let src = xyz::Xyz::open(&b.source, &s, None).expect("opens");
    let v = view(JINSONG, [1, 1]);
    for z in 15..=18 {
        let (xs, ys) = renewal_planner::model::basemaps::tiles_covering(&v, z);
        for x in xs {
            for y in ys.clone() {
                assert!(src.cached(z, x, y), "{z}/{x}/{y}");
            }
        }
    }
    // Again: all cached, nothing asked.
    let again = xyz::prefetch(&b, &s, JINSONG, 15..=18, estimate, &mut |_, _| {}).expect("cached");
    assert_eq!(again, xyz::Prefetched { estimate, fetched: 0, cached: estimate, missing: 0 });
    assert_eq!(server.requests(), estimate);
    // Offline settings and files are refused, clearly.
    let off = Settings { offline: true, ..s.clone() };
    assert_eq!(xyz::prefetch(&b, &off, JINSONG, 15..=15, 10, &mut |_, _| {}), Err(xyz::PrefetchError::Offline));
    let file = Basemap::new("/data/area.mbtiles");
    assert!(matches!(
        xyz::prefetch(&file, &s, JINSONG, 15..=15, 10, &mut |_, _| {}),
        Err(xyz::PrefetchError::NotTiles(_))
    ));
}

#[test]
fn the_tiles_command_estimates_fetches_and_refuses_in_one_line() {
    let home = tempfile::tempdir().expect("temp dir");
    let server = TileServer::start(0..=18);
    let template = format!("{}/{{z}}/{{x}}/{{y}}.png", server.url());
    let bin = env!("CARGO_BIN_EXE_renewal-planner");
    let run = |args: &[&str]| {
        std::process::Command::new(bin).args(args).env("RENEWAL_PLANNER_HOME", home.path()).output().expect("runs")
    };
    let estimate = xyz::estimate(JINSONG, 16..=17).expect("estimate");
    let ok = run(&["tiles", &template, "--bbox", "116.455,39.884,116.466,39.891", "--zoom", "16-17"]);
    let out = String::from_utf8_lossy(&ok.stdout);
    assert!(ok.status.success(), "{out}{}", String::from_utf8_lossy(&ok.stderr));
    assert!(out.contains(&format!("{estimate} tiles at zoom 16-17")), "{out}");
    assert!(out.contains(&format!("{estimate}/{estimate}")), "{out}");
    assert!(
        out.contains(&format!("kept {estimate} tiles offline")) && out.contains(&format!("{estimate} fetched")),
        "{out}"
    );
    assert_eq!(server.requests(), estimate);
    let cache = home.path().join("tiles");
    assert!(cache.is_dir());

    let refused =
        run(&["tiles", &template, "--bbox", "116.455,39.884,116.466,39.891", "--zoom", "16-17", "--limit", "3"]);
    assert_eq!(refused.status.code(), Some(1));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(&format!("{estimate} tiles would be fetched, more than the limit of 3")), "{err}");

    for bad in [["--bbox", "116.4,39.8"], ["--zoom", "seventeen"]] {
        let mut args = vec!["tiles", template.as_str(), "--bbox", "116.455,39.884,116.466,39.891", "--zoom", "16-17"];
        let at = args.iter().position(|a| *a == bad[0]).expect("flag");
        args[at + 1] = bad[1];
        let r = run(&args);
        assert_eq!(r.status.code(), Some(1));
        let err = String::from_utf8_lossy(&r.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(bad[0]), "{err}");
    }
    let r = run(&["tiles", "tianditu-img", "--bbox", "116.455,39.884,116.466,39.891", "--zoom", "16"]);
    assert_eq!(r.status.code(), Some(1));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("needs a key") && err.lines().count() == 1, "{err}");
    assert_eq!(server.requests(), estimate);
}

#[test]
fn no_more_than_four_requests_are_in_flight_however_many_views_ask() {
    let home = tempfile::tempdir().expect("temp dir");
    let server = TileServer::start(0..=18);
    let b = Basemap::new(format!("{}/{{z}}/{{x}}/{{y}}.png", server.url()));
    let s = settings(home.path());
    // Eight windows of eight districts at once, each with its own layer, all uncached.
    std::thread::scope(|scope| {
        for i in 0..8 {
            let (b, s) = (&b, &s);
            scope.spawn(move || {
                let west = 116.0 + f64::from(i) * 0.05;
                let c =
                    compose(&basemap::open(b, s).expect("opens"), &view([west, 39.9, west + 0.01, 39.906], [640, 400]));
                assert!(c.faults.is_empty(), "{:?}", c.faults);
            });
        }
    });
    assert!(server.requests() >= 8 * 4, "{}", server.requests());
    let most = server.max_in_flight();
    assert!((2..=xyz::IN_FLIGHT).contains(&most), "{most} at once");
}

#[test]
fn no_content_is_an_empty_tile_not_a_fault() {
    let home = tempfile::tempdir().expect("temp dir");
    let server = TileServer::start(0..=18);
    server.answer(Answer::Status(204));
    let b = Basemap::new(format!("{}/{{z}}/{{x}}/{{y}}.png", server.url()));
    let c = compose(&basemap::open(&b, &settings(home.path())).expect("opens"), &view(JINSONG, [640, 400]));
    assert!(c.faults.is_empty(), "{:?}", c.faults);
    assert!(c.image.pixels().all(|p| p.0[3] == 0));
    // Remembered: asked once.
    let asked = server.requests();
    let _ = compose(&basemap::open(&b, &settings(home.path())).expect("opens"), &view(JINSONG, [640, 400]));
    assert_eq!(server.requests(), asked);
}

#[test]
fn offline_settings_never_ask_the_server() {
    let home = tempfile::tempdir().expect("temp dir");
    let server = TileServer::start(0..=18);
    let b = Basemap::new(format!("{}/{{z}}/{{x}}/{{y}}.png", server.url()));
    let mut s = settings(home.path());
    s.offline = true;
    let c = compose(&basemap::open(&b, &s).expect("opens"), &view(JINSONG, [640, 400]));
    assert_eq!(server.requests(), 0);
    assert_eq!(c.faults.len(), 1, "{:?}", c.faults);
    assert!(c.faults[0].to_string().contains("offline"), "{}", c.faults[0]);
}
