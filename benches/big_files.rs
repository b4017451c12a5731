//! Load + index time and peak memory for generated cities (10k, 100k, 1M
//! buildings, made with ../shared/tools/gen_city.py into target/bench-cities)
//! and the 113k real NYC buildings. Each file is loaded in a child process so
//! its peak RSS (VmHWM) is its own. Run: `cargo bench --bench big_files`
//! (`BIG_FILES=10000,100000` to choose the generated sizes).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn vm_hwm_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

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
    println!(
        "{} {load:.3} {index_s:.3} {hwm_doc:.0} {cache_s:.3} {:.0}",
        loaded.plan.len().min(index.len()),
        vm_hwm_mb()
    );
    drop(cache);
}

fn main() {
    if let Ok(p) = std::env::var("BIG_FILE_CHILD") {
        child(Path::new(&p));
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared");
    let dir = root.join("target/bench-cities");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let sizes = std::env::var("BIG_FILES").unwrap_or_else(|_| "10000,100000,1000000".into());
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for n in sizes.split(',').filter_map(|s| s.trim().parse::<u64>().ok()) {
        let path = dir.join(format!("city_{n}.geojson"));
        if !path.exists() {
            let ok = Command::new("python3")
                .arg(shared.join("tools/gen_city.py"))
                .arg(n.to_string())
                .arg(&path)
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "gen_city.py {n} failed");
        }
        files.push((format!("generated {n}"), path));
    }
    files.push(("NYC 113k (gz)".into(), shared.join("data/nyc-buildings-osm.geojson.gz")));
    println!(
        "{:<18} {:>9} {:>9} {:>8} {:>8} {:>10} {:>8} {:>10}",
        "file", "MB", "features", "load s", "index s", "peak MB", "cache s", "+cache MB"
    );
    for (name, path) in files {
        let mb = std::fs::metadata(&path).map(|m| m.len() as f64 / 1e6).unwrap_or(0.0);
        let out = Command::new(std::env::current_exe().expect("exe"))
            .env("BIG_FILE_CHILD", &path)
            .output()
            .expect("child runs");
        let text = String::from_utf8_lossy(&out.stdout);
        let v: Vec<&str> = text.split_whitespace().collect();
        if v.len() < 6 {
            println!("{name:<18} failed: {}", String::from_utf8_lossy(&out.stderr));
            continue;
        }
        println!("{name:<18} {mb:>9.1} {:>9} {:>8} {:>8} {:>10} {:>8} {:>10}", v[0], v[1], v[2], v[3], v[4], v[5]);
    }
}
