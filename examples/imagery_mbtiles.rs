//! Writes an MBTiles file of imagery-like tiles over Jinsong (zooms 14–18):
//! trees, lawns and paved ground from value noise in ground coordinates, so
//! tiles join up and every zoom shows the same ground. For trying basemaps
//! and for the README's screenshot; nothing real is depicted.
//!
//! Run: `cargo run --example imagery_mbtiles -- OUT.mbtiles`

use renewal_planner::model::basemaps::{MercView, tile_bounds, tiles_covering};
use renewal_planner::model::mercator;

/// A repeatable pseudo-random value in [0, 1) for a lattice point.
fn hash(ix: i64, iy: i64, seed: u64) -> f64 {
    let mut h =
        (ix as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (iy as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F) ^ seed;
    h ^= h >> 31;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^= h >> 29;
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// Smooth value noise at (x, y) metres with cells of `cell` metres.
fn noise(x: f64, y: f64, cell: f64, seed: u64) -> f64 {
    let (fx, fy) = (x / cell, y / cell);
    let (ix, iy) = (fx.floor() as i64, fy.floor() as i64);
    let (tx, ty) = (fx - fx.floor(), fy - fy.floor());
    let (sx, sy) = (tx * tx * (3.0 - 2.0 * tx), ty * ty * (3.0 - 2.0 * ty));
    let a = hash(ix, iy, seed) + (hash(ix + 1, iy, seed) - hash(ix, iy, seed)) * sx;
    let b = hash(ix, iy + 1, seed) + (hash(ix + 1, iy + 1, seed) - hash(ix, iy + 1, seed)) * sx;
    a + (b - a) * sy
}

/// The colour of the ground at (x, y) Web Mercator metres.
fn ground(x: f64, y: f64) -> [u8; 3] {
    let green = 0.55 * noise(x, y, 60.0, 1) + 0.3 * noise(x, y, 18.0, 2) + 0.15 * noise(x, y, 6.0, 3);
    let grain = noise(x, y, 1.5, 4) * 0.6 + noise(x, y, 0.6, 5) * 0.4;
    let mix = |a: [f64; 3], b: [f64; 3], t: f64| [0, 1, 2].map(|i| a[i] + (b[i] - a[i]) * t);
    let c = if green > 0.6 {
        // Tree crowns: dark, clumpy.
        let t = ((green - 0.6) / 0.25).clamp(0.0, 1.0);
        mix([88.0, 112.0, 70.0], [48.0, 72.0, 44.0], t * 0.7 + grain * 0.3)
    } else if green > 0.5 {
        // Lawn and bare soil.
        mix([132.0, 142.0, 100.0], [150.0, 140.0, 112.0], grain)
    } else {
        // Paving and roofs: greys with a little warmth.
        let roofs = noise(x, y, 25.0, 6);
        let base = if roofs > 0.55 { [176.0, 170.0, 160.0] } else { [150.0, 150.0, 148.0] };
        mix(base, [196.0, 190.0, 178.0], grain * 0.6)
    };
    c.map(|v| v.clamp(0.0, 255.0) as u8)
}

fn main() {
    let out = std::env::args().nth(1).unwrap_or_else(|| "jinsong-imagery.mbtiles".into());
    let out = std::path::Path::new(&out);
    if out.exists() {
        eprintln!("{}: already exists; give a new file name", out.display());
        std::process::exit(1);
    }
    let [x0, y0] = mercator::forward(116.440, 39.876);
    let [x1, y1] = mercator::forward(116.478, 39.898);
    let view = MercView { min: [x0, y0], max: [x1, y1], size: [256, 256] };
    let mut tiles = Vec::new();
    for z in 14..=18u8 {
        let (xs, ys) = tiles_covering(&view, z);
        for ty in ys {
            for tx in xs.clone() {
                let [bx0, _, bx1, by1] = tile_bounds(z, tx, ty);
                let step = (bx1 - bx0) / 256.0;
                let img = image::RgbaImage::from_fn(256, 256, |px, py| {
                    let x = bx0 + (f64::from(px) + 0.5) * step;
                    let y = by1 - (f64::from(py) + 0.5) * step;
                    let [r, g, b] = ground(x, y);
                    image::Rgba([r, g, b, 255])
                });
                let mut png = Vec::new();
                if let Err(e) = img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png) {
                    eprintln!("tile {z}/{tx}/{ty}: {e}");
                    std::process::exit(1);
                }
                tiles.push((z, tx, ty, png));
            }
        }
    }
    match renewal_planner::basemap::mbtiles::write(out, "Jinsong imagery-like fixture", &tiles) {
        Ok(()) => println!("{}: {} tiles", out.display(), tiles.len()),
        Err(e) => {
            eprintln!("{}: {e}", out.display());
            std::process::exit(1);
        }
    }
}
