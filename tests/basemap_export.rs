//! Exports draw basemaps: the Jinsong print map (PNG, SVG, PDF), the story
//! handout and the site atlas show the basemap under the features, with its
//! credit in the map's corner; a plan file given `--basemap` keeps it and a
//! later export draws it; a basemap that cannot be drawn is one line and exit 1.
//!
//! Every fixture here is generated (no internet): an MBTiles file of tiles of
//! one colour covering Jinsong at z15–z18. Each test runs over [`fixtures`],
//! so another source (a GeoTIFF, tiles from a local server) is one more line there.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use renewal_planner::model::basemaps::{MercView, tiles_covering};
use renewal_planner::model::mercator;

/// A basemap the tests draw: the `--basemap` arguments, the colour it shows
/// on a print map (at the print's resolution), every colour it may show
/// (handout and atlas maps are at other scales), and its credit.
struct Fixture {
    args: Vec<String>,
    colour: [u8; 3],
    colours: &'static [[u8; 3]],
    credit: &'static str,
}

/// Pixels within a few steps of one of `colours` (renderers round differently).
fn near(img: &image::RgbImage, colours: &[[u8; 3]]) -> usize {
    let close = |p: &[u8; 3], c: &[u8; 3]| p.iter().zip(c).all(|(a, b)| (i16::from(*a) - i16::from(*b)).abs() <= 4);
    img.pixels().filter(|p| colours.iter().any(|c| close(&p.0, c))).count()
}

/// A basemap colour seen inside the district, through the district's thin veil.
fn veiled(c: [u8; 3]) -> [u8; 3] {
    use renewal_planner::render::style::kind_style;
    let fill = kind_style(renewal_planner::model::Kind::Boundary).fill.expect("the district has a ground fill");
    let a = f32::from(fill.0[3]) / 255.0 * renewal_planner::export::underlay::DISTRICT_VEIL;
    [0, 1, 2].map(|i| (f32::from(fill.0[i]) * a + f32::from(c[i]) * (1.0 - a)).round() as u8)
}

/// The colours a fixture may show, bare and through the district's veil.
fn seen(f: &Fixture) -> Vec<[u8; 3]> {
    f.colours.iter().flat_map(|c| [*c, veiled(*c)]).collect()
}

/// The basemaps every test draws, each made in `dir`.
fn fixtures(dir: &Path) -> Vec<Fixture> {
    vec![mbtiles(dir)]
}

/// Deep blue at z18 (what a print map draws, over-zoomed); a different blue
/// below it, so a map drawn from too coarse a level shows.
const TILE_BLUE: [u8; 3] = [30, 70, 160];
const COARSE_BLUE: [u8; 3] = [60, 110, 200];
const CREDIT: &str = "© 测试影像 Test imagery";

/// The building fill of a print map coloured by kind.
const BRICK: [u8; 3] = [226, 160, 135];

fn tile_png(c: [u8; 3]) -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(256, 256, image::Rgba([c[0], c[1], c[2], 255]));
    let mut bytes = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png).expect("encodes");
    bytes
}

/// Tiles of one colour a level covering Jinsong with a wide margin (a print
/// map shows more than the district), z15–z18, with a credit in the metadata.
fn mbtiles(dir: &Path) -> Fixture {
    let path = dir.join("劲松 影像.mbtiles");
    let [x0, y0] = mercator::forward(116.43, 39.87);
    let [x1, y1] = mercator::forward(116.49, 39.91);
    let view = MercView { min: [x0, y0], max: [x1, y1], size: [1, 1] };
    let (fine, coarse) = (tile_png(TILE_BLUE), tile_png(COARSE_BLUE));
    let mut tiles = Vec::new();
    for z in 15..=18u8 {
        let (xs, ys) = tiles_covering(&view, z);
        for y in ys {
            for x in xs.clone() {
                tiles.push((z, x, y, if z == 18 { fine.clone() } else { coarse.clone() }));
            }
        }
    }
    renewal_planner::basemap::mbtiles::write(&path, "劲松", &tiles).expect("writes the MBTiles");
    let db = rusqlite::Connection::open(&path).expect("opens");
    db.execute("INSERT INTO metadata VALUES ('attribution', ?1)", [CREDIT]).expect("credit");
    Fixture {
        args: vec!["--basemap".into(), path.to_string_lossy().into_owned()],
        colour: TILE_BLUE,
        colours: &[TILE_BLUE, COARSE_BLUE],
        credit: CREDIT,
    }
}

fn bin(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_renewal-planner"));
    // The app's data folder (basemap settings, tile cache) is the test's own.
    c.env("RENEWAL_PLANNER_HOME", dir.join("home"));
    c
}

fn export(dir: &Path, file: &str, out: &Path, args: &[String]) -> Output {
    bin(dir).args(["export", file, "-o"]).arg(out).args(args).output().expect("runs")
}

fn ok(o: Output) {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn count(img: &image::RgbImage, c: [u8; 3]) -> usize {
    img.pixels().filter(|p| p.0 == c).count()
}

/// A poppler tool, or a loud SKIPPED (a failure on CI, which installs poppler-utils).
fn poppler(tool: &str) -> bool {
    let here = Command::new(tool).arg("-v").output().is_ok();
    assert!(here || std::env::var("CI").as_deref() != Ok("true"), "CI must have {tool} (poppler-utils)");
    if !here {
        eprintln!("SKIPPED: {tool} (poppler-utils) is not installed; the PDF's basemap is not checked");
    }
    here
}

/// Page `page` of a PDF as an RGB image at 72 dpi.
fn pdf_page(pdf: &Path, page: u32) -> image::RgbImage {
    let prefix = pdf.with_extension("").to_string_lossy().into_owned() + "-page";
    let o = Command::new("pdftoppm")
        .args(["-r", "72", "-png", "-singlefile", "-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .arg(&prefix)
        .output()
        .expect("pdftoppm runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    image::open(prefix + ".png").expect("decodes the page").to_rgb8()
}

fn pdf_text(pdf: &Path) -> String {
    let o = Command::new("pdftotext").arg(pdf).arg("-").output().expect("pdftotext runs");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn the_jinsong_png_map_shows_the_basemap_under_the_buildings() {
    let dir = tempfile::tempdir().expect("temp dir");
    for f in fixtures(dir.path()) {
        let png = dir.path().join("jinsong.png");
        let mut args = f.args.clone();
        args.extend(["--size", "1600x1000", "--phase", "after"].map(String::from));
        ok(export(dir.path(), "jinsong", &png, &args));
        let img = image::open(&png).expect("decodes").to_rgb8();
        let basemap = count(&img, f.colour);
        // The map box is ~1540×830 px; the district's features cover part of it.
        assert!(basemap > 250_000, "{:?}: the basemap's colour between the features: {basemap} px", f.args);
        assert_eq!(count(&img, COARSE_BLUE), 0, "drawn from the print's zoom level, not a coarser one");
        let brick = count(&img, BRICK);
        assert!(brick > 20_000, "the buildings keep their fill over the basemap: {brick} px");
        let bg = renewal_planner::render::style::BACKGROUND.0;
        let paper = count(&img, [bg[0], bg[1], bg[2]]);
        assert!(paper < 1_000, "no bare map background where the basemap covers: {paper} px");
        let inside = near(&img, &[veiled(f.colour)]);
        assert!(inside > 100_000, "the basemap shows through the district's ground: {inside} px");
    }
}

#[test]
fn the_svg_map_carries_the_basemap_as_an_embedded_image_with_its_credit() {
    let dir = tempfile::tempdir().expect("temp dir");
    for f in fixtures(dir.path()) {
        let svg = dir.path().join("jinsong.svg");
        ok(export(dir.path(), "jinsong", &svg, &f.args));
        let text = std::fs::read_to_string(&svg).expect("reads");
        let image = text.find("<image").expect("an <image> element");
        assert!(text[image..].starts_with("<image x="), "placed at the map box");
        assert!(text.contains("xlink:href=\"data:image/png;base64,"), "a PNG data URI");
        let features = text.find("<path").expect("features");
        assert!(image < features, "the basemap is under the features");
        assert!(text.contains(f.credit), "the credit is in the map's corner");
        // resvg draws it: the rasterised SVG shows the basemap's colour.
        let tree = renewal_planner::export::handout::svg_tree(&text).expect("a valid SVG");
        let size = tree.size().to_int_size();
        let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).expect("pixmap");
        resvg::render(&tree, resvg::tiny_skia::Transform::identity(), &mut pixmap.as_mut());
        let drawn = pixmap.pixels().iter().filter(|p| [p.red(), p.green(), p.blue()] == f.colour).count();
        assert!(drawn > 50_000, "resvg draws the basemap: {drawn} px");
    }
}

#[test]
fn the_pdf_map_draws_the_basemap_and_its_credit() {
    let dir = tempfile::tempdir().expect("temp dir");
    if !poppler("pdftoppm") || !poppler("pdftotext") {
        return;
    }
    for f in fixtures(dir.path()) {
        let pdf = dir.path().join("jinsong.pdf");
        let mut args = f.args.clone();
        args.extend(["--paper", "A3"].map(String::from));
        ok(export(dir.path(), "jinsong", &pdf, &args));
        let page = pdf_page(&pdf, 1);
        let share = near(&page, &[f.colour]) as f64 / f64::from(page.width() * page.height());
        assert!(share > 0.3, "the basemap fills the map on the page: {:.0} % of it", share * 100.0);
        let text = pdf_text(&pdf);
        assert!(text.contains("测试影像") && text.contains("Test imagery"), "the credit: {text}");
    }
}

#[test]
fn a_plan_file_given_a_basemap_remembers_it_and_a_later_map_draws_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    for f in fixtures(dir.path()) {
        let gpkg = dir.path().join("劲松.gpkg");
        ok(export(dir.path(), "jinsong", &gpkg, &f.args));
        let plan = renewal_planner::io::load_path(&gpkg).expect("opens").plan;
        assert_eq!(plan.basemaps.len(), 1, "the plan file keeps the basemap");
        let png = dir.path().join("later.png");
        ok(export(dir.path(), gpkg.to_str().expect("utf-8"), &png, &["--size".into(), "1600x1000".into()]));
        let img = image::open(&png).expect("decodes").to_rgb8();
        assert!(count(&img, f.colour) > 250_000, "the remembered basemap is drawn");
        // And a plan without basemaps draws none.
        let bare = dir.path().join("bare.png");
        ok(export(dir.path(), "jinsong", &bare, &["--size".into(), "1600x1000".into()]));
        assert_eq!(count(&image::open(&bare).expect("decodes").to_rgb8(), f.colour), 0);
    }
}

#[test]
fn handout_and_atlas_pages_show_the_basemap() {
    let dir = tempfile::tempdir().expect("temp dir");
    if !poppler("pdftoppm") || !poppler("pdftotext") {
        return;
    }
    for f in fixtures(dir.path()) {
        // The atlas of the two gardens: every site page draws the same way, and two are quick to compose.
        for (name, extra) in [("handout.pdf", &["--story"][..]), ("atlas.pdf", &["--atlas", "--sites", "garden"][..])] {
            let pdf = dir.path().join(name);
            let mut args = f.args.clone();
            args.extend(extra.iter().map(|a| a.to_string()));
            ok(export(dir.path(), "jinsong", &pdf, &args));
            let page = pdf_page(&pdf, 1);
            let shown = near(&page, &seen(&f));
            assert!(shown > 10_000, "{name}: the first page's map shows the basemap ({shown} px)");
            assert!(pdf_text(&pdf).contains("测试影像"), "{name}: the credit is on the page");
        }
    }
}

#[test]
fn a_junk_mbtiles_is_one_line_naming_it_and_exit_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    let junk: PathBuf = dir.path().join("坏的.mbtiles");
    std::fs::write(&junk, b"this is not an SQLite database, just some words on a page").expect("writes");
    let missing = dir.path().join("nowhere.mbtiles");
    for (source, says) in [(&junk, "not a readable MBTiles file"), (&missing, "no such file")] {
        for out in ["m.png", "m.pdf", "m.svg"] {
            let out = dir.path().join(out);
            let o = export(dir.path(), "jinsong", &out, &["--basemap".into(), source.to_string_lossy().into_owned()]);
            assert_eq!(o.status.code(), Some(1));
            let err = String::from_utf8_lossy(&o.stderr);
            assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
            assert!(err.contains(&*source.to_string_lossy()) && err.contains(says), "{err}");
            assert!(!out.exists(), "nothing is written");
        }
    }
}

#[test]
fn basemap_options_go_with_the_basemap_before_them() {
    use renewal_planner::model::Shift;
    let s = |v: &[(usize, &str)]| v.iter().map(|(i, s)| (*i, s.to_string())).collect::<Vec<_>>();
    let b = renewal_planner::cli::pair_basemaps(
        &s(&[(2, "a.mbtiles"), (6, "https://x/{z}/{x}/{y}.png")]),
        &s(&[(4, "EPSG:4527")]),
        &s(&[(8, "gcj02")]),
    )
    .expect("paired");
    assert_eq!((b[0].epsg, b[0].shift), (Some(4527), Shift::None));
    assert_eq!((b[1].epsg, b[1].shift), (None, Shift::Gcj02));
    assert!(Path::new(&b[0].source).is_absolute(), "a file is kept by its absolute path");
    assert_eq!(b[1].source, "https://x/{z}/{x}/{y}.png", "a URL is kept as given");
    // Given before any basemap, twice for one, or an unknown system: a clear refusal.
    let e = renewal_planner::cli::pair_basemaps(&s(&[(4, "a.mbtiles")]), &s(&[(2, "4527")]), &[]).expect_err("no");
    assert!(e.contains("after the --basemap"), "{e}");
    let e = renewal_planner::cli::pair_basemaps(&s(&[(2, "a.mbtiles")]), &s(&[(4, "4527"), (6, "4528")]), &[])
        .expect_err("twice");
    assert!(e.contains("already has one"), "{e}");
    let e = renewal_planner::cli::pair_basemaps(&s(&[(2, "a.mbtiles")]), &s(&[(4, "12345")]), &[]).expect_err("??");
    assert!(e.contains("not a supported coordinate system"), "{e}");
    // And through the command line: the options land in the plan file.
    let dir = tempfile::tempdir().expect("temp dir");
    let gpkg = dir.path().join("p.gpkg");
    let args: Vec<String> =
        ["--basemap", "a.mbtiles", "--basemap-epsg", "4527", "--basemap", "b.mbtiles", "--basemap-shift", "bd09"]
            .map(String::from)
            .to_vec();
    ok(export(dir.path(), "jinsong", &gpkg, &args));
    let plan = renewal_planner::io::load_path(&gpkg).expect("opens").plan;
    let got: Vec<_> = plan.basemaps.iter().map(|b| (b.name.as_str(), b.epsg, b.shift)).collect();
    assert_eq!(got, [("a.mbtiles", Some(4527), Shift::None), ("b.mbtiles", None, Shift::Bd09)]);
    let o = export(dir.path(), "jinsong", &dir.path().join("s.csv"), &args[..2]);
    assert_eq!(o.status.code(), Some(1), "a schedule has no basemap");
}
