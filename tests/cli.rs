//! The command-line contract: `info` prints a summary or one line naming
//! the file and the place of the fault, and never panics.

use std::path::PathBuf;
use std::process::Command;

mod corpus;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_renewal-planner"))
}

#[test]
fn info_jinsong_json_has_the_contract_fields() {
    let out = bin().args(["info", "jinsong", "--json"]).output().expect("runs");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["features"].as_u64(), Some(87));
    for k in ["boundary", "building", "street", "garden", "core", "node", "other"] {
        assert!(v["by_kind"][k].is_u64(), "by_kind.{k}");
    }
    assert_eq!(v["by_kind"]["building"], 43);
    let area = v["area_ha"].as_f64().expect("area");
    assert!((area - 26.0).abs() < 0.52, "{area}");
    let bbox = v["bbox"].as_array().expect("bbox");
    assert_eq!(bbox.len(), 4);
    assert!(bbox[0].as_f64() < bbox[2].as_f64());
    assert!(v["buildings"]["floor_area_m2"].as_f64().expect("floor area") > 100_000.0);
    assert!(v["buildings"]["households"].as_u64().expect("households") > 2000);
    assert!(v["warnings"].as_array().expect("warnings").is_empty());
    assert!(v["items"]["total"].as_u64().expect("items") >= 30);
    for s in ["proposed", "designed", "publicised", "under_construction", "completed", "operating"] {
        assert!(v["items"]["by_status"][s].is_u64(), "by_status.{s}");
    }
    for c in ["public_space", "smart", "service", "culture"] {
        assert!(v["items"]["by_category"][c].as_u64().expect("count") > 0, "by_category.{c}");
    }
    assert_eq!(v["money"]["by_source"]["social_capital"], 30_000_000);
    let total = v["money"]["total_yuan"].as_f64().expect("total");
    assert!((30_000_000.0 / total - 0.45).abs() < 0.005, "45% of {total}");
    for s in ["government", "residents", "property_unit"] {
        assert!(v["money"]["by_source"][s].is_i64(), "by_source.{s}");
    }
}

#[test]
fn info_prints_a_human_summary() {
    let out = bin().args(["info", "jinsong"]).output().expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(text.contains("劲松"), "{text}");
    assert!(text.contains("building  43"), "{text}");
    assert!(text.contains("26.00 ha"), "{text}");
}

fn assert_one_line_error(args: &[&str], must_contain: &[&str]) {
    let out = bin().args(args).output().expect("runs");
    assert_eq!(out.status.code(), Some(1), "{args:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    for m in must_contain {
        assert!(err.contains(m), "{err} should contain {m}");
    }
    assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"), "{err}");
}

#[test]
fn bad_input_gets_one_line_naming_the_file_and_the_place() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path.to_string_lossy().into_owned()
    };
    assert_one_line_error(
        &["info", "/nonexistent/district.geojson"],
        &["/nonexistent/district.geojson", "cannot read"],
    );
    let not_json = p("notjson.geojson", "hello, planner");
    assert_one_line_error(&["info", &not_json], &["notjson.geojson", "line 1, column"]);
    let not_geojson = p("other.json", "{\"rows\": [1, 2]}");
    assert_one_line_error(&["info", &not_geojson], &["other.json", "not GeoJSON"]);
    let broken = p(
        "broken.geojson",
        "{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[1,2]]}}]}",
    );
    assert_one_line_error(&["info", &broken], &["broken.geojson", "feature 0 (line 2)"]);
}

#[test]
fn one_bad_feature_is_a_warning_in_the_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("mixed.geojson");
    std::fs::write(
        &path,
        "{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":\"Feature\",\"properties\":{\"building\":\"yes\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[116.4,39.9]}},\n{\"type\":\"Feature\",\"properties\":{},\"geometry\":null}\n]}",
    )
    .expect("write");
    let out = bin().args(["info", "--json"]).arg(&path).output().expect("runs");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["by_kind"]["building"], 1);
    let w = v["warnings"].as_array().expect("warnings");
    assert_eq!(w.len(), 1);
    assert!(w[0].as_str().expect("text").contains("feature 1 (line 3)"));
    // No boundary: the area is the convex hull's (a single point: 0).
    assert_eq!(v["area_ha"], 0.0);
}

/// Every file of the shared corpus (valid, tricky and malformed GeoJSON and
/// JSON): `info` either summarises it (exit 0) or prints one line naming the
/// file (exit 1). Never a panic, never a backtrace.
#[test]
fn info_handles_every_corpus_file_without_panicking() {
    let files = corpus::files();
    let chunks: Vec<Vec<PathBuf>> = files.chunks(files.len().div_ceil(4)).map(|c| c.to_vec()).collect();
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                s.spawn(move || {
                    let mut bad = Vec::new();
                    let (mut ok, mut refused) = (0, 0);
                    for f in chunk {
                        let out = bin().arg("info").arg(&f).output().expect("runs");
                        let err = String::from_utf8_lossy(&out.stderr);
                        match out.status.code() {
                            Some(0) => ok += 1,
                            Some(1)
                                if err.trim_end().lines().count() == 1
                                    && err.contains(
                                        &*f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                                    ) =>
                            {
                                refused += 1
                            }
                            code => bad.push(format!("{}: exit {code:?}: {err}", f.display())),
                        }
                    }
                    (bad, ok, refused)
                })
            })
            .collect();
        let mut all = Vec::new();
        let (mut ok, mut refused) = (0, 0);
        for h in handles {
            let (b, o, r) = h.join().expect("thread");
            all.extend(b);
            ok += o;
            refused += r;
        }
        eprintln!("corpus: {ok} summarised, {refused} refused with a one-line error");
        assert!(ok > 500 && refused > 300, "{ok} ok, {refused} refused");
        all
    });
    assert!(failures.is_empty(), "{} files mishandled:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn info_counts_the_features_of_a_phase_and_the_changes() {
    let run = |args: &[&str]| -> serde_json::Value {
        let out = bin().args(args).output().expect("runs");
        assert!(out.status.success(), "{args:?}");
        serde_json::from_slice(&out.stdout).expect("JSON")
    };
    let all = run(&["info", "jinsong", "--json"]);
    let before = run(&["info", "jinsong", "--json", "--phase", "before"]);
    let after = run(&["info", "jinsong", "--json", "--phase", "after"]);
    let c = &all["changes"];
    let (m, a, r) = (c["modified"].as_u64(), c["added"].as_u64(), c["removed"].as_u64());
    assert!(m > Some(0) && a > Some(0) && r > Some(0), "{c}");
    let n = |v: &serde_json::Value| v["features"].as_u64().expect("count");
    assert_eq!(n(&before), n(&all) - a.expect("added"), "added features do not exist before");
    assert_eq!(n(&after), n(&all) - r.expect("removed"), "removed features do not exist after");
    assert_eq!(before["by_kind"]["building"], 43);
    // Part-way through the renewal, some changes are in force and some are not.
    let mid = run(&["info", "jinsong", "--json", "--at", "2019-06-01"]);
    assert!(n(&mid) != n(&before) && n(&mid) != n(&after), "{} {} {}", n(&before), n(&mid), n(&after));
    assert_one_line_error(&["info", "jinsong", "--at", "2019-13-01"], &["--at 2019-13-01"]);
}

/// Items' statuses on a date, counted straight from the file's histories
/// (not through the model): the last entry on or before the date; an item
/// with none yet is not counted.
fn statuses_in_file_on(date: &str) -> std::collections::BTreeMap<String, u64> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("maps/jinsong.geojson");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).expect("the Jinsong map")).expect("JSON");
    let mut items = std::collections::BTreeMap::new();
    for f in v["features"].as_array().expect("features") {
        for it in f["properties"]["renewal_items"].as_array().into_iter().flatten() {
            items.insert(it["id"].as_str().expect("id").to_string(), it.clone());
        }
    }
    let mut counts = std::collections::BTreeMap::new();
    for it in items.values() {
        let mut last: Option<(&str, &str)> = None;
        for h in it["history"].as_array().expect("history") {
            let (d, s) = (h["date"].as_str().expect("date"), h["status"].as_str().expect("status"));
            if d <= date && last.is_none_or(|(ld, _)| d >= ld) {
                last = Some((d, s));
            }
        }
        if let Some((_, s)) = last {
            *counts.entry(s.to_string()).or_insert(0) += 1;
        }
    }
    counts
}

#[test]
fn info_at_a_date_counts_items_by_their_status_on_that_date() {
    let date = "2019-06-30";
    let out = bin().args(["info", "jinsong", "--json", "--at", date]).output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let expected = statuses_in_file_on(date);
    for s in ["proposed", "designed", "publicised", "under_construction", "completed", "operating"] {
        assert_eq!(v["items"]["by_status"][s].as_u64(), Some(expected.get(s).copied().unwrap_or(0)), "{s}: {v}");
    }
    // What slide 7 of the shipped story says: 3 of 46 done, 28 under construction.
    assert_eq!(v["items"]["by_status"]["completed"], 3);
    assert_eq!(v["items"]["by_status"]["operating"], 0);
    assert_eq!(v["items"]["by_status"]["under_construction"], 28);
    assert_eq!(
        v["items"]["total"].as_u64(),
        Some(expected.values().sum::<u64>()),
        "items not yet recorded are left out"
    );
    let text = bin().args(["info", "jinsong", "--at", date]).output().expect("runs");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("under_construction 28") && text.contains("completed 3"), "{text}");
    // Today (no date): the statuses the items have now.
    let now = run_json(&["info", "jinsong", "--json"]);
    assert!(now["items"]["by_status"]["completed"].as_u64() > Some(20), "{now}");
    assert_eq!(now["items"]["total"], 46);
}

fn run_json(args: &[&str]) -> serde_json::Value {
    let out = bin().args(args).output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn gis_data_at_a_date_carries_the_statuses_of_that_date() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("mid.geojson");
    let r = bin().args(["export", "jinsong", "-o"]).arg(&out).args(["--at", "2019-06-30"]).output().expect("runs");
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).expect("written")).expect("JSON");
    let plan = renewal_planner::document::Document::jinsong().shared_plan();
    let mut checked = 0;
    for f in v["features"].as_array().expect("features") {
        let Some(key) = f["properties"]["feature_key"].as_str() else { continue };
        let Some(id) = plan.by_key(key) else { continue };
        let then = plan
            .items_of(id)
            .into_iter()
            .filter_map(|i| i.history.iter().rfind(|c| c.date.as_str() <= "2019-06-30").map(|c| c.status))
            .min();
        assert_eq!(f["properties"]["status"].as_str(), then.map(|s| s.as_str()), "{key}");
        checked += usize::from(then.is_some());
    }
    assert!(checked > 10, "{checked} features with items");
}
