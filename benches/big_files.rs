//! Load + index time and peak memory for generated cities (10k, 100k, 1M
//! buildings, made with ../shared/tools/gen_city.py into target/bench-cities)
//! and the 113k real NYC buildings. Each file is loaded in a child process so
//! its peak RSS (VmHWM) is its own. Run: `cargo bench --bench big_files`
//! (`BIG_FILES=10000,100000` to choose the generated sizes).

mod common;
use common::vm_hwm_mb;
use std::path::{Path, PathBuf};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::Command;
use std::time::Instant;

/// In the child: load and index one file, print `features load_s index_s cache_s peak_mb`.
fn child(path: &Path) {
    let t = Instant::now();
    let loaded = renewal_planner::io::load_path(path).expect("loads");
    let load = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let index = renewal_planner::model::SpatialIndex::build(&loaded.plan);
    let index_s = t.elapsed().as_secs_f64();
    let hwm_doc = vm_hwm_mb();
    let t = Instant::now();
    let cache = renewal_planner::render::GeometryCache::build(&loaded.plan);
    let cache_s = t.elapsed().as_secs_f64();
    // One 1280×800 frame of the whole city (the slowest view), best of three.
    let cam = renewal_planner::render::Camera::fit(index.extent().expect("extent"), [1280.0, 800.0], 10.0);
    let opts = renewal_planner::render::SceneOptions::default();
    let frame_ms = (0..3)
        .map(|_| {
            let t = Instant::now();
            let s = renewal_planner::render::Scene::build(&loaded.plan, &index, &cache, &cam, &opts);
            std::hint::black_box(s);
            t.elapsed().as_secs_f64() * 1000.0
        })
        .fold(f64::INFINITY, f64::min);
    println!(
        "{} {load:.3} {index_s:.3} {hwm_doc:.0} {cache_s:.3} {:.0} {frame_ms:.1}",
        loaded.plan.len().min(index.len()),
        vm_hwm_mb()
    );
}

/// In the child: what `renewal-planner info FILE` does (read, summarise, word
/// it); prints `seconds peak_mb`.
fn info_child(path: &Path) {
    let t = Instant::now();
    let text = renewal_planner::cli::info(path, false, None, None, None, None).expect("info");
    std::hint::black_box(text);
    println!("{:.3} {:.0}", t.elapsed().as_secs_f64(), vm_hwm_mb());
}

/// Seconds and peak MB of `cmd` (the slowest part of a peer's comparison), by GNU time.
fn timed(cmd: &mut Command) -> Option<(f64, f64)> {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%e %M"])
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .output()
        .ok()?;
    let err = String::from_utf8_lossy(&out.stderr);
    let v: Vec<f64> = err.lines().last()?.split_whitespace().filter_map(|x| x.parse().ok()).collect();
    (out.status.success() && v.len() == 2).then(|| (v[0], v[1] / 1024.0))
}

/// `info` of each file beside GDAL reading it into memory (`ogr2ogr -f Memory`),
/// when GDAL is installed: issue 19's `info` rows, ours and the peer's in one run.
fn info_table(files: &[(String, PathBuf)]) {
    let gdal = Command::new("ogr2ogr").arg("--version").output().is_ok_and(|o| o.status.success());
    println!("\n{:<18} {:>8} {:>8} {:>9} {:>9} {:>7}", "info", "ours s", "ours MB", "GDAL s", "GDAL MB", "ratio");
    for (name, path) in files {
        let ours = Command::new(std::env::current_exe().expect("exe")).env("BIG_FILE_INFO", path).output();
        let ours: Vec<f64> = ours
            .map(|o| String::from_utf8_lossy(&o.stdout).split_whitespace().filter_map(|x| x.parse().ok()).collect())
            .unwrap_or_default();
        let [secs, mb] = ours[..] else {
            println!("{name:<18} failed");
            continue;
        };
        let peer = gdal
            .then(|| {
                let input = if path.extension().is_some_and(|e| e == "gz") {
                    format!("/vsigzip/{}", path.display())
                } else {
                    path.display().to_string()
                };
                timed(Command::new("ogr2ogr").args(["-f", "Memory", "/vsimem/bench", &input]))
            })
            .flatten();
        match peer {
            Some((g, gmb)) => {
                println!("{name:<18} {secs:>8.3} {mb:>8.0} {g:>9.2} {gmb:>9.0} {:>6.1}×", g / secs)
            }
            None => println!("{name:<18} {secs:>8.3} {mb:>8.0} {:>9} {:>9} {:>7}", "—", "—", "—"),
        }
    }
}

fn main() {
    if let Ok(p) = std::env::var("BIG_FILE_CHILD") {
        child(Path::new(&p));
        return;
    }
    if let Ok(p) = std::env::var("BIG_FILE_INFO") {
        info_child(Path::new(&p));
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared");
    let sizes = std::env::var("BIG_FILES").unwrap_or_else(|_| "10000,100000,1000000".into());
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for n in sizes.split(',').filter_map(|s| s.trim().parse::<u64>().ok()) {
        let path = common::generated_city(n);
        files.push((format!("generated {n}"), path));
    }
    files.push(("NYC 113k (gz)".into(), shared.join("data/nyc-buildings-osm.geojson.gz")));
    println!(
        "{:<18} {:>7} {:>9} {:>7} {:>8} {:>8} {:>8} {:>10} {:>9}",
        "file", "MB", "features", "load s", "index s", "peak MB", "cache s", "+cache MB", "frame ms"
    );
    for (name, path) in &files {
        let mb = std::fs::metadata(path).map(|m| m.len() as f64 / 1e6).unwrap_or(0.0);
        let out = Command::new(std::env::current_exe().expect("exe"))
            .env("BIG_FILE_CHILD", path)
            .output()
            .expect("child runs");
        let text = String::from_utf8_lossy(&out.stdout);
        let v: Vec<&str> = text.split_whitespace().collect();
        if v.len() < 7 {
            println!("{name:<18} failed: {}", String::from_utf8_lossy(&out.stderr));
            continue;
        }
        println!(
            "{name:<18} {mb:>7.1} {:>9} {:>7} {:>8} {:>8} {:>8} {:>10} {:>9}",
            v[0], v[1], v[2], v[3], v[4], v[5], v[6]
        );
    }
    info_table(&files);
}
