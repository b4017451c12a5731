//! What the benches share: peak memory of this process, the generated cities they read, and the 1920×1080 PNG map they time.

/// This process's peak resident memory (VmHWM), in MB.
#[allow(dead_code)] // Not every bench measures memory.
pub fn vm_hwm_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

/// A 1920×1080 PNG map of the plan after renewal, coloured by kind, in Chinese.
#[allow(dead_code)] // Not every bench draws a map.
pub fn fhd_map() -> renewal_planner::export::map::MapSpec {
    renewal_planner::export::map::MapSpec {
        phase: Some(renewal_planner::model::Phase::After),
        size: [1920.0, 1080.0],
        scale: 1.0,
        lang: renewal_planner::model::Lang::Zh,
        extent: None,
        theme: renewal_planner::render::theme::ThemeMode::Kind,
        matter: None,
        on_paper: false,
        date: "2026-01-01".into(),
    }
}

/// The generated city of `n` buildings in `target/bench-cities`, made with
/// `../shared/tools/gen_city.py` the first time it is asked for.
#[allow(dead_code)] // Not every bench reads a generated city.
pub fn generated_city(n: u64) -> std::path::PathBuf {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target/bench-cities");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let path = dir.join(format!("city_{n}.geojson"));
    if !path.exists() {
        let ok = std::process::Command::new("python3")
            .arg(root.join("../shared/tools/gen_city.py"))
            .arg(n.to_string())
            .arg(&path)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "gen_city.py {n} failed");
    }
    path
}
