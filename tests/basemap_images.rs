//! Georeferenced images as basemaps: GeoTIFFs (made with GDAL when it is
//! installed, and written here without it), PNGs with a world file, images
//! placed by control points; each checked by the colour composed at a known
//! longitude/latitude.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use image::{Rgba, RgbaImage};
use renewal_planner::basemap::{self, BasemapError, Layer, Settings, raster};
use renewal_planner::io::crs::Crs;
use renewal_planner::model::basemaps::{Basemap, ControlPoint, MercView, fit_affine};
use renewal_planner::model::mercator;

const RED: [u8; 4] = [220, 30, 30, 255];
const BLUE: [u8; 4] = [30, 60, 220, 255];
const GREY: [u8; 4] = [200, 200, 200, 255];

/// Jinsong, in CGCS2000 / Gauss-Krüger zone 39 (EPSG:4527, eastings with the zone prefix).
fn jinsong_gk() -> (f64, f64) {
    Crs::from_epsg(4527).expect("4527").from_wgs84(116.455, 39.892).expect("in zone 39")
}

/// An image of `w` × `h` grey pixels with a red block at `red` and a blue one at `blue` (`[x0, y0, x1, y1)`).
fn picture(w: u32, h: u32, red: [u32; 4], blue: [u32; 4]) -> RgbaImage {
    RgbaImage::from_fn(w, h, |x, y| {
        let inside = |r: [u32; 4]| x >= r[0] && x < r[2] && y >= r[1] && y < r[3];
        Rgba(if inside(red) {
            RED
        } else if inside(blue) {
            BLUE
        } else {
            GREY
        })
    })
}

/// The colour composed at a longitude/latitude, in a 400 × 400 px view `half` metres around it.
fn colour_at(layer: &Arc<dyn Layer>, lon: f64, lat: f64, half: f64) -> [u8; 4] {
    let [x, y] = mercator::forward(lon, lat);
    let view = MercView { min: [x - half, y - half], max: [x + half, y + half], size: [400, 400] };
    let c = basemap::compose(&[(layer.clone(), 1.0)], &view);
    assert!(c.faults.is_empty(), "{:?}", c.faults);
    c.image.get_pixel(200, 200).0
}

fn close(a: [u8; 4], b: [u8; 4]) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 12)
}

/// A GK pixel's centre → WGS 84.
fn gk_to_lonlat(e: f64, n: f64) -> (f64, f64) {
    Crs::from_epsg(4527).expect("4527").to_wgs84(e, n).expect("in zone 39")
}

fn open(b: &Basemap) -> Result<Arc<dyn Layer>, BasemapError> {
    basemap::open(b, &Settings::default())
}

/// GDAL's tool, or a loud SKIPPED (a failure on CI, where it must be installed).
fn gdal(tool: &str) -> Option<PathBuf> {
    let found = Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success());
    if found {
        return Some(PathBuf::from(tool));
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{tool} (GDAL, package gdal-bin) is needed on CI to make GeoTIFF fixtures");
    }
    eprintln!("\n*** SKIPPED: {tool} (GDAL, package gdal-bin) is not installed; this GeoTIFF test did not run ***\n");
    None
}

fn run(tool: &Path, args: &[&str]) {
    let out = Command::new(tool).args(args).output().expect("run GDAL");
    assert!(out.status.success(), "{} {args:?}: {}", tool.display(), String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_png_with_a_world_file_lands_where_the_world_file_says() {
    let dir = tempfile::tempdir().expect("tempdir");
    let png = dir.path().join("总平面图.png");
    picture(400, 300, [100, 80, 150, 120], [300, 200, 340, 240]).save(&png).expect("png");
    // 0.5 m a pixel in EPSG:4527; the world file names the top-left pixel's centre.
    let (e0, n0) = jinsong_gk();
    std::fs::write(png.with_extension("pgw"), format!("0.5\n0\n0\n-0.5\n{}\n{}\n", e0 + 0.25, n0 - 0.25)).expect("pgw");
    let mut b = Basemap::new(png.to_string_lossy());
    // Without a chosen system the image is not guessed at.
    let err = open(&b).err().expect("no system chosen");
    assert!(matches!(err, BasemapError::Unplaced { .. }) && err.to_string().contains("coordinate system"), "{err}");
    assert!(err.to_string().contains("总平面图.pgw"), "{err}");
    b.epsg = Some(4527);
    let layer = open(&b).expect("opens");
    let (lon, lat) = gk_to_lonlat(e0 + 125.0 * 0.5, n0 - 100.0 * 0.5);
    assert!(close(colour_at(&layer, lon, lat, 40.0), RED), "{:?}", colour_at(&layer, lon, lat, 40.0));
    let (lon, lat) = gk_to_lonlat(e0 + 320.0 * 0.5, n0 - 220.0 * 0.5);
    assert!(close(colour_at(&layer, lon, lat, 40.0), BLUE));
    let (lon, lat) = gk_to_lonlat(e0 + 30.0 * 0.5, n0 - 250.0 * 0.5);
    assert!(close(colour_at(&layer, lon, lat, 40.0), GREY));
    // Beyond the image there is nothing.
    let (lon, lat) = gk_to_lonlat(e0 - 100.0, n0 + 100.0);
    assert_eq!(colour_at(&layer, lon, lat, 20.0)[3], 0);
    // A system this app does not know is named.
    b.epsg = Some(2154);
    let err = open(&b).err().expect("unknown system");
    assert!(err.to_string().contains("EPSG:2154"), "{err}");
}

#[test]
fn an_image_placed_by_control_points_lands_on_them_and_the_fit_reports_residuals() {
    let dir = tempfile::tempdir().expect("tempdir");
    let jpg = dir.path().join("scan.png");
    picture(600, 400, [280, 180, 320, 220], [0, 0, 40, 40]).save(&jpg).expect("png");
    // No georeference at all: a clear error, naming what would place it.
    let mut b = Basemap::new(jpg.to_string_lossy());
    let err = open(&b).err().expect("not placed");
    assert!(err.to_string().contains("control points"), "{err}");
    // The image is 300 m × 200 m, north up, its top-left corner at a known place.
    let [x0, y0] = mercator::forward(116.455, 39.892);
    let k = 1.0 / 39.892f64.to_radians().cos(); // Web Mercator metres per ground metre
    let at = |px: f64, py: f64| {
        let [lon, lat] = mercator::inverse(x0 + px * 0.5 * k, y0 - py * 0.5 * k);
        [lon, lat]
    };
    b.control_points = [[0.0, 0.0], [600.0, 0.0], [0.0, 400.0], [600.0, 400.0]]
        .iter()
        .map(|p| ControlPoint { pixel: *p, lonlat: at(p[0], p[1]) })
        .collect();
    // One point clicked 3 m off on the ground.
    b.control_points[3].lonlat = at(606.0, 400.0);
    let fit = fit_affine(&b.control_points).expect("fits");
    assert_eq!(fit.residuals_m.len(), 4);
    assert!(fit.rms_m > 0.5 && fit.rms_m < 2.0, "{fit:?}");
    let layer = open(&b).expect("placed");
    let [lon, lat] = at(300.0, 200.0);
    assert!(close(colour_at(&layer, lon, lat, 30.0), RED), "{:?}", colour_at(&layer, lon, lat, 30.0));
    let [lon, lat] = at(20.0, 20.0);
    assert!(close(colour_at(&layer, lon, lat, 30.0), BLUE));
    // Two points cannot place it.
    b.control_points.truncate(2);
    let err = open(&b).err().expect("too few");
    assert!(err.to_string().contains("at least 3"), "{err}");
}

/// Writes a GeoTIFF without GDAL: 8-bit palette (index 1 red, 2 blue, 0 no-data), 1 m pixels in EPSG:4527.
fn write_palette_geotiff(path: &Path, w: u32, h: u32, epsg: Option<u16>) {
    write_palette_tiff(path, w, h, epsg, false);
}

/// As [`write_palette_geotiff`], placed by four ground control points at its corners instead of a scale.
fn write_palette_tiff(path: &Path, w: u32, h: u32, epsg: Option<u16>, gcps: bool) {
    use tiff::encoder::{TiffEncoder, colortype::Gray8};
    use tiff::tags::Tag;
    let (e0, n0) = jinsong_gk();
    let data: Vec<u8> = (0..h)
        .flat_map(|y| {
            (0..w).map(move |x| {
                if x < 10 {
                    0
                } else if y < h / 2 {
                    1
                } else {
                    2
                }
            })
        })
        .collect();
    let mut map = vec![0u16; 768];
    map[1] = RED[0] as u16 * 257;
    map[256 + 1] = RED[1] as u16 * 257;
    map[512 + 1] = RED[2] as u16 * 257;
    map[2] = BLUE[0] as u16 * 257;
    map[256 + 2] = BLUE[1] as u16 * 257;
    map[512 + 2] = BLUE[2] as u16 * 257;
    let file = std::fs::File::create(path).expect("create");
    let mut enc = TiffEncoder::new(std::io::BufWriter::new(file)).expect("encoder");
    let mut img = enc.new_image::<Gray8>(w, h).expect("image");
    let dir = img.encoder();
    dir.write_tag(Tag::PhotometricInterpretation, 3u16).expect("tag");
    dir.write_tag(Tag::ColorMap, &map[..]).expect("tag");
    dir.write_tag(Tag::GdalNodata, "0").expect("tag");
    if let Some(code) = epsg {
        if gcps {
            let (wf, hf) = (f64::from(w), f64::from(h));
            let mut tie = Vec::new();
            for (i, j) in [(0.0, 0.0), (wf, 0.0), (0.0, hf), (wf, hf)] {
                tie.extend([i, j, 0.0, e0 + i, n0 - j, 0.0]);
            }
            dir.write_tag(Tag::ModelTiepointTag, &tie[..]).expect("tag");
        } else {
            dir.write_tag(Tag::ModelPixelScaleTag, &[1.0f64, 1.0, 0.0][..]).expect("tag");
            dir.write_tag(Tag::ModelTiepointTag, &[0.0f64, 0.0, 0.0, e0, n0, 0.0][..]).expect("tag");
        }
        // Version 1.1.0, 3 keys: model type projected, raster type area, projected CRS.
        let keys = [1u16, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, code];
        dir.write_tag(Tag::GeoKeyDirectoryTag, &keys[..]).expect("tag");
    }
    img.write_data(&data).expect("data");
}

#[test]
fn a_palette_geotiff_written_without_gdal_is_coloured_placed_and_its_no_data_is_clear() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tif = dir.path().join("palette.tif");
    write_palette_geotiff(&tif, 200, 100, Some(4527));
    let layer = open(&Basemap::new(tif.to_string_lossy())).expect("opens");
    let (e0, n0) = jinsong_gk();
    let (lon, lat) = gk_to_lonlat(e0 + 100.5, n0 - 20.5);
    assert!(close(colour_at(&layer, lon, lat, 10.0), RED), "{:?}", colour_at(&layer, lon, lat, 10.0));
    let (lon, lat) = gk_to_lonlat(e0 + 100.5, n0 - 80.5);
    assert!(close(colour_at(&layer, lon, lat, 10.0), BLUE));
    // Index 0 is the no-data value: transparent.
    let (lon, lat) = gk_to_lonlat(e0 + 4.5, n0 - 50.5);
    assert_eq!(colour_at(&layer, lon, lat, 3.0)[3], 0);

    // The same image placed by ground control points (as QGIS's georeferencer leaves them) lands in the same place.
    let gcp = dir.path().join("gcps.tif");
    write_palette_tiff(&gcp, 200, 100, Some(4527), true);
    let layer = open(&Basemap::new(gcp.to_string_lossy())).expect("opens");
    let (lon, lat) = gk_to_lonlat(e0 + 100.5, n0 - 20.5);
    assert!(close(colour_at(&layer, lon, lat, 10.0), RED), "{:?}", colour_at(&layer, lon, lat, 10.0));
    let (lon, lat) = gk_to_lonlat(e0 + 180.5, n0 - 80.5);
    assert!(close(colour_at(&layer, lon, lat, 10.0), BLUE));
}

#[test]
fn a_tiff_with_no_georeference_or_a_junk_tif_is_one_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = dir.path().join("plain.tif");
    write_palette_geotiff(&plain, 50, 40, None);
    let err = open(&Basemap::new(plain.to_string_lossy())).err().expect("no georeference");
    assert!(matches!(err, BasemapError::Unplaced { .. }), "{err:?}");
    assert!(err.to_string().contains("plain.tif") && err.to_string().contains("not georeferenced"), "{err}");
    // The window can still show it, to place it by hand.
    let (preview, size) = raster::preview(&plain, 32).expect("preview");
    assert_eq!(size, (50, 40));
    assert!(preview.width() <= 32 && preview.height() <= 32);

    let junk = dir.path().join("junk.tif");
    std::fs::write(&junk, b"II*\0this is not really a tiff at all").expect("write");
    let err = open(&Basemap::new(junk.to_string_lossy())).err().expect("junk");
    assert!(matches!(err, BasemapError::Broken { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("junk.tif") && text.contains("GeoTIFF") && !text.contains('\n'), "{text}");
    let missing = dir.path().join("gone.tif");
    assert_eq!(open(&Basemap::new(missing.to_string_lossy())).err(), Some(BasemapError::NotFound(missing)));

    // 16-bit samples are named as not drawn, never a panic.
    let wide = dir.path().join("wide.tif");
    let file = std::fs::File::create(&wide).expect("create");
    let mut enc = tiff::encoder::TiffEncoder::new(file).expect("encoder");
    enc.write_image::<tiff::encoder::colortype::Gray16>(8, 8, &[1000u16; 64]).expect("write");
    let err = open(&Basemap::new(wide.to_string_lossy())).err().expect("16-bit");
    assert!(err.to_string().contains("8-bit"), "{err}");
}

#[test]
fn a_gdal_geotiff_in_epsg_4527_is_placed_by_its_own_tags() {
    let Some(translate) = gdal("gdal_translate") else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let png = dir.path().join("src.png");
    picture(1000, 800, [400, 300, 460, 360], [900, 700, 960, 760]).save(&png).expect("png");
    let (e0, n0) = jinsong_gk();
    // 0.25 m a pixel.
    let ullr = [e0, n0, e0 + 250.0, n0 - 200.0].map(|v| format!("{v:.3}"));
    let tif = dir.path().join("ortho.tif");
    let (src, dst) = (png.to_string_lossy().into_owned(), tif.to_string_lossy().into_owned());
    let mut args =
        vec!["-q", "-of", "GTiff", "-a_srs", "EPSG:4527", "-co", "TILED=YES", "-co", "COMPRESS=DEFLATE", "-a_ullr"];
    args.extend(ullr.iter().map(String::as_str));
    args.extend([src.as_str(), dst.as_str()]);
    run(&translate, &args);
    let b = Basemap::new(dst.clone());
    assert_eq!(b.epsg, None, "the file names its own system");
    let layer = open(&b).expect("opens");
    let (lon, lat) = gk_to_lonlat(e0 + 430.0 * 0.25, n0 - 330.0 * 0.25);
    assert!(close(colour_at(&layer, lon, lat, 8.0), RED), "{:?}", colour_at(&layer, lon, lat, 8.0));
    let (lon, lat) = gk_to_lonlat(e0 + 930.0 * 0.25, n0 - 730.0 * 0.25);
    assert!(close(colour_at(&layer, lon, lat, 8.0), BLUE));
    // Its pieces are slightly turned quads (Gauss-Krüger north is not Web Mercator north away from the meridian).
    let [x, y] = mercator::forward(lon, lat);
    let view = MercView { min: [x - 200.0, y - 200.0], max: [x + 200.0, y + 200.0], size: [400, 400] };
    let p = layer.pieces(&view);
    assert!(!p.is_empty());
    let [tl, tr, _] = p[0].corners;
    assert!((tr[1] - tl[1]).abs() > 1e-3, "a turn of about 0.35° at 116.455°E: {:?}", p[0].corners);
}

#[test]
fn a_big_tiled_geotiff_is_read_only_where_and_as_sharp_as_the_view_needs() {
    let (Some(translate), Some(addo)) = (gdal("gdal_translate"), gdal("gdaladdo")) else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let png = dir.path().join("src.png");
    picture(800, 600, [390, 290, 410, 310], [0, 0, 100, 100]).save(&png).expect("png");
    let (e0, n0) = jinsong_gk();
    // 8000 × 6000 pixels of 0.1 m.
    let ullr = [e0, n0, e0 + 800.0, n0 - 600.0].map(|v| format!("{v:.3}"));
    let tif = dir.path().join("big.tif");
    let (src, dst) = (png.to_string_lossy().into_owned(), tif.to_string_lossy().into_owned());
    let mut args = vec!["-q", "-of", "GTiff", "-a_srs", "EPSG:4527", "-outsize", "8000", "6000", "-r", "nearest"];
    args.extend(["-co", "TILED=YES", "-co", "COMPRESS=DEFLATE", "-a_ullr"]);
    args.extend(ullr.iter().map(String::as_str));
    args.extend([src.as_str(), dst.as_str()]);
    run(&translate, &args);
    let total = 8000u64 * 6000;

    // Close up: only the tiles under the view are decoded.
    let image = raster::open(&Basemap::new(dst.clone())).expect("opens");
    let layer: Arc<dyn Layer> = Arc::new(image);
    let (lon, lat) = gk_to_lonlat(e0 + 400.0, n0 - 300.0);
    assert!(close(colour_at(&layer, lon, lat, 20.0), RED));
    let image = raster::open(&Basemap::new(dst.clone())).expect("opens");
    let [x, y] = mercator::forward(lon, lat);
    let near = MercView { min: [x - 64.0, y - 40.0], max: [x + 64.0, y + 40.0], size: [1280, 800] };
    let pieces = image.pieces(&near);
    assert!(pieces.iter().all(|p| p.key.z == 0) && pieces.len() <= 9, "{pieces:?}");
    for p in &pieces {
        image.image(p.key).expect("read");
    }
    assert!(image.decoded_pixels() < total / 20, "{} of {total}", image.decoded_pixels());
    // At the bottom-right corner the tiles are cut short (8000 = 31 × 256 + 64): still grey, to the last pixel.
    let (lon, lat) = gk_to_lonlat(e0 + 799.95, n0 - 599.95);
    assert!(close(colour_at(&layer, lon, lat, 2.0), GREY), "{:?}", colour_at(&layer, lon, lat, 2.0));
    let (lon, lat) = gk_to_lonlat(e0 + 800.3, n0 - 599.95);
    assert_eq!(colour_at(&layer, lon, lat, 0.1)[3], 0, "nothing beyond the edge");

    // Far out, with overviews in the file: reduced blocks from an overview, not the full image.
    run(&addo, &["-q", "-r", "average", &dst, "2", "4", "8", "16"]);
    let image = raster::open(&Basemap::new(dst.clone())).expect("opens");
    let [cx, cy] = mercator::forward(116.46, 39.89);
    let far = MercView { min: [cx - 1600.0, cy - 1000.0], max: [cx + 1600.0, cy + 1000.0], size: [1280, 800] };
    let pieces = image.pieces(&far);
    assert!(!pieces.is_empty() && pieces.iter().all(|p| p.key.z >= 3) && pieces.len() <= 6, "{pieces:?}");
    for p in &pieces {
        image.image(p.key).expect("read");
    }
    assert!(image.decoded_pixels() <= total / 16, "{} of {total}", image.decoded_pixels());
    let far_layer: Arc<dyn Layer> = Arc::new(image);
    let c = basemap::compose(&[(far_layer, 1.0)], &far);
    assert!(c.faults.is_empty(), "{:?}", c.faults);
    // The blue corner block (10 m × 10 m of ground ~ 4 px here) is still there, averaged.
    let (lon, lat) = gk_to_lonlat(e0 + 5.0, n0 - 5.0);
    let p = far.to_px(mercator::forward(lon, lat));
    let px = c.image.get_pixel(p[0] as u32, p[1] as u32).0;
    assert!(px[2] > px[0] + 60, "{px:?}");
}

#[test]
fn damaged_geotiffs_are_errors_or_pictures_never_a_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = dir.path().join("good.tif");
    write_palette_geotiff(&good, 64, 48, Some(4527));
    let bytes = std::fs::read(&good).expect("read");
    let (e0, n0) = jinsong_gk();
    let (lon, lat) = gk_to_lonlat(e0 + 32.0, n0 - 24.0);
    let [x, y] = mercator::forward(lon, lat);
    let view = MercView { min: [x - 60.0, y - 60.0], max: [x + 60.0, y + 60.0], size: [64, 64] };
    // A fixed sequence of byte changes (xorshift), concentrated on the header and directory.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let (mut opened, mut refused) = (0, 0);
    for i in 0..300 {
        let mut b = bytes.clone();
        for _ in 0..1 + i % 4 {
            let r = next() as usize;
            let at = if r.is_multiple_of(2) { r / 2 % b.len().min(512) } else { r / 2 % b.len() };
            b[at] = (next() & 0xff) as u8;
        }
        let path = dir.path().join(format!("damaged-{i}.tif"));
        std::fs::write(&path, &b).expect("write");
        match open(&Basemap::new(path.to_string_lossy())) {
            Ok(layer) => {
                opened += 1;
                let c = basemap::compose(&[(layer, 1.0)], &view);
                assert!(c.faults.iter().all(|f| !f.to_string().contains('\n')));
            }
            Err(e) => {
                refused += 1;
                assert!(e.to_string().contains(&format!("damaged-{i}.tif")), "{e}");
            }
        }
    }
    assert!(opened > 0 && refused > 0, "{opened} opened, {refused} refused");
}

#[test]
fn a_striped_tiff_reads_a_row_of_blocks_in_one_pass_and_each_block_keeps_its_own_pixels() {
    use tiff::encoder::{TiffEncoder, colortype::RGB8};
    use tiff::tags::Tag;
    let dir = tempfile::tempdir().expect("tempdir");
    let tif = dir.path().join("bands.tif");
    let (w, h) = (1200u32, 300u32);
    // Three bands across three 512-px blocks: red, blue, grey, with their edges off the blocks' edges.
    let data: Vec<u8> = (0..h)
        .flat_map(|_| {
            (0..w).flat_map(|x| {
                let c = if x < 400 {
                    RED
                } else if x < 800 {
                    BLUE
                } else {
                    GREY
                };
                [c[0], c[1], c[2]]
            })
        })
        .collect();
    let (e0, n0) = jinsong_gk();
    {
        let file = std::fs::File::create(&tif).expect("create");
        let mut enc = TiffEncoder::new(std::io::BufWriter::new(file)).expect("encoder");
        let mut img = enc.new_image::<RGB8>(w, h).expect("image");
        img.rows_per_strip(16).expect("rows");
        let dir = img.encoder();
        dir.write_tag(Tag::ModelPixelScaleTag, &[0.5f64, 0.5, 0.0][..]).expect("tag");
        dir.write_tag(Tag::ModelTiepointTag, &[0.0f64, 0.0, 0.0, e0, n0, 0.0][..]).expect("tag");
        dir.write_tag(Tag::GeoKeyDirectoryTag, &[1u16, 1, 0, 1, 3072, 0, 1, 4527][..]).expect("tag");
        img.write_data(&data).expect("data");
    }
    let image = raster::open(&Basemap::new(tif.to_string_lossy())).expect("opens");
    let (lon, lat) = gk_to_lonlat(e0 + 300.0, n0 - 75.0);
    let [x, y] = mercator::forward(lon, lat);
    let view = MercView { min: [x - 450.0, y - 150.0], max: [x + 450.0, y + 150.0], size: [1200, 400] };
    let pieces = image.pieces(&view);
    assert!(pieces.len() == 3 && pieces.iter().all(|p| p.key.z == 0), "{pieces:?}");
    let first = image.image(pieces[1].key).expect("read").expect("a block");
    assert_eq!(first.get_pixel(100, 10).0, BLUE, "block 1 starts at x = 512: blue");
    // Every strip is decoded once for the three blocks.
    assert_eq!(image.decoded_pixels(), u64::from(w * h));
    let left = image.image(pieces[0].key).expect("read").expect("a block");
    let right = image.image(pieces[2].key).expect("read").expect("a block");
    assert_eq!(image.decoded_pixels(), u64::from(w * h));
    assert_eq!((left.width(), right.width()), (512, 1200 - 1024));
    assert_eq!(left.get_pixel(399, 0).0, RED);
    assert_eq!(left.get_pixel(400, 0).0, BLUE);
    assert_eq!(first.get_pixel(800 - 512 - 1, 299).0, BLUE);
    assert_eq!(first.get_pixel(800 - 512, 299).0, GREY);
    assert_eq!(right.get_pixel(0, 150).0, GREY);
    let layer: Arc<dyn Layer> = Arc::new(image);
    for (gx, c) in [(100.0, RED), (300.0, BLUE), (500.0, GREY)] {
        let (lon, lat) = gk_to_lonlat(e0 + gx, n0 - 75.0);
        assert!(close(colour_at(&layer, lon, lat, 20.0), c), "{gx}: {:?}", colour_at(&layer, lon, lat, 20.0));
    }
}
