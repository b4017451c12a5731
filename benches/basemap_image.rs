//! Composing a 1280 × 800 view of an 8000 × 6000 GeoTIFF (0.1 m pixels in
//! EPSG:4527 over Jinsong): close up at full resolution and far out (the
//! whole image), with a cold layer (opened and decoded in the iteration) and
//! a warm one (blocks cached). Two fixtures: a striped RGB TIFF written here
//! with the `tiff` crate (no overviews: far out averages the whole image), and,
//! when GDAL is installed, the same image tiled with overviews (`gdaladdo`).
//! Run: `cargo bench --bench basemap_image`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use renewal_planner::basemap::{self, Layer, raster};
use renewal_planner::io::crs::Crs;
use renewal_planner::model::basemaps::{Basemap, MercView};
use renewal_planner::model::mercator;

const W: u32 = 8000;
const H: u32 = 6000;

fn origin() -> (f64, f64) {
    Crs::from_epsg(4527).expect("4527").from_wgs84(116.455, 39.892).expect("zone 39")
}

/// A striped RGB GeoTIFF of a coloured grid, 0.1 m pixels.
fn write_striped(path: &Path) {
    use tiff::encoder::{TiffEncoder, colortype::RGB8};
    use tiff::tags::Tag;
    let (e0, n0) = origin();
    let file = std::fs::File::create(path).expect("create");
    // Uncompressed: with Deflate, strips written one by one by tiff 0.11.3 read back as corrupt.
    let mut enc = TiffEncoder::new(std::io::BufWriter::new(file)).expect("encoder");
    let mut img = enc.new_image::<RGB8>(W, H).expect("image");
    img.rows_per_strip(64).expect("rows");
    let dir = img.encoder();
    dir.write_tag(Tag::ModelPixelScaleTag, &[0.1f64, 0.1, 0.0][..]).expect("tag");
    dir.write_tag(Tag::ModelTiepointTag, &[0.0f64, 0.0, 0.0, e0, n0, 0.0][..]).expect("tag");
    dir.write_tag(Tag::GeoKeyDirectoryTag, &[1u16, 1, 0, 2, 1024, 0, 1, 1, 3072, 0, 1, 4527][..]).expect("tag");
    let mut row = 0u32;
    while img.next_strip_sample_count() > 0 {
        let rows = (img.next_strip_sample_count() / (3 * u64::from(W))) as u32;
        let mut strip = Vec::with_capacity((rows * W * 3) as usize);
        for y in row..row + rows {
            for x in 0..W {
                let (cx, cy) = (x / 250, y / 250);
                strip.extend_from_slice(&[(cx * 31 % 256) as u8, (cy * 47 % 256) as u8, ((x ^ y) % 256) as u8]);
            }
        }
        img.write_strip(&strip).expect("strip");
        row += rows;
    }
    img.finish().expect("finish");
}

/// The same image tiled with overviews by GDAL, if it is installed.
fn gdal_tiled(striped: &Path, out: &Path) -> bool {
    let ok = |c: &mut Command| c.output().is_ok_and(|o| o.status.success());
    ok(Command::new("gdal_translate").args(["-q", "-co", "TILED=YES", "-co", "COMPRESS=DEFLATE"]).arg(striped).arg(out))
        && ok(Command::new("gdaladdo").args(["-q", "-r", "average"]).arg(out).args(["2", "4", "8", "16"]))
}

fn views() -> (MercView, MercView) {
    let (e0, n0) = origin();
    let (lon, lat) = Crs::from_epsg(4527).expect("4527").to_wgs84(e0 + 400.0, n0 - 300.0).expect("in zone");
    let [x, y] = mercator::forward(lon, lat);
    // 0.13 Web Mercator metres (0.1 ground metres) a pixel: full resolution.
    let near = MercView { min: [x - 83.0, y - 52.0], max: [x + 83.0, y + 52.0], size: [1280, 800] };
    // The whole image, ~1.3 km of Web Mercator across.
    let far = MercView { min: [x - 800.0, y - 500.0], max: [x + 800.0, y + 500.0], size: [1280, 800] };
    (near, far)
}

fn compose(layer: &Arc<dyn Layer>, view: &MercView) {
    let c = basemap::compose(&[(layer.clone(), 1.0)], view);
    assert!(c.faults.is_empty(), "{:?}", c.faults);
}

fn bench(c: &mut Criterion) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("basemap-image-bench");
    std::fs::create_dir_all(&dir).expect("dir");
    let striped = dir.join("striped.tif");
    if !striped.is_file() {
        write_striped(&striped);
    }
    let tiled = dir.join("tiled.tif");
    let mut fixtures = vec![("striped", striped.clone())];
    if tiled.is_file() || gdal_tiled(&striped, &tiled) {
        fixtures.push(("tiled+overviews", tiled));
    } else {
        eprintln!("*** gdal_translate/gdaladdo not installed: only the striped fixture is measured ***");
    }
    let (near, far) = views();
    let mut g = c.benchmark_group("image_8000x6000_1280x800");
    g.sample_size(10);
    for (name, path) in fixtures {
        let b = Basemap::new(path.to_string_lossy());
        for (which, view) in [("near", near), ("far", far)] {
            g.bench_function(format!("{name}/{which}/cold"), |bch| {
                bch.iter(|| {
                    let layer: Arc<dyn Layer> = Arc::new(raster::open(&b).expect("opens"));
                    compose(&layer, &view);
                })
            });
            let layer: Arc<dyn Layer> = Arc::new(raster::open(&b).expect("opens"));
            compose(&layer, &view);
            g.bench_function(format!("{name}/{which}/warm"), |bch| bch.iter(|| compose(&layer, &view)));
        }
        let image = raster::open(&b).expect("opens");
        for p in image.pieces(&far) {
            image.image(p.key).expect("reads");
        }
        eprintln!(
            "{name}: far view decodes {} of {} source pixels",
            image.decoded_pixels(),
            u64::from(W) * u64::from(H)
        );
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
