//! Exports watched and stopped (`export::run_with`): the progress only goes up and the file is the
//! unwatched export's, and a stop at any check leaves no file, no `.saving` file and an older file as it was.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;

use renewal_planner::error::ExportError;
use renewal_planner::export::{MapSize, Progress, Request, Stage, What, run, run_with};
use renewal_planner::io::crs::Crs;
use renewal_planner::model::Plan;

fn jinsong() -> Plan {
    renewal_planner::io::load_jinsong().plan
}

fn request(what: What, out: &Path) -> Request {
    Request { date: "2026-01-02".into(), ..Request::new(what, out) }
}

/// The exports tried, with the file name each writes to.
fn exports() -> Vec<(What, &'static str)> {
    vec![
        (What::Handout { story: 0 }, "handout.pdf"),
        (What::Atlas { kinds: None }, "atlas.pdf"),
        (What::Gis { crs: None }, "plan.geojson"),
        (What::Gis { crs: Some(Crs::Gcj02) }, "amap.geojson"),
        (What::Shapefile { crs: None }, "plan.zip"),
        (What::Shapefile { crs: None }, "plan.shp"),
        (What::Dxf { crs: Crs::GaussKruger { epsg: 4527 } }, "plan.dxf"),
        (What::Plan { crs: None }, "plan.geojson"),
        (What::Plan { crs: None }, "plan.gpkg"),
        (What::Schedule, "schedule.xlsx"),
        (What::Map { size: MapSize::Pixels([400.0, 300.0]), extent: None }, "map.png"),
    ]
}

/// Every file in `dir` by name, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("the folder")
        .map(|e| {
            let e = e.expect("an entry");
            (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).expect("readable"))
        })
        .collect()
}

/// The files with the lines of a CAD drawing that are a fresh GUID each time it is written
/// (`$FINGERPRINTGUID`, `$VERSIONGUID`) blanked, and workbooks as their parts without their time.
fn without_guids(files: BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    let is_guid = |l: &str| l.len() == 36 && l.matches('-').count() == 4;
    files
        .into_iter()
        .map(|(name, bytes)| if name.ends_with(".xlsx") { (name, xlsx_parts(&bytes)) } else { (name, bytes) })
        .map(|(name, bytes)| match String::from_utf8(bytes) {
            Ok(text) if name.ends_with(".dxf") => {
                let lines: Vec<&str> = text.lines().map(|l| if is_guid(l.trim()) { "" } else { l }).collect();
                (name, lines.join("\n").into_bytes())
            }
            Ok(text) => (name, text.into_bytes()),
            Err(e) => (name, e.into_bytes()),
        })
        .collect()
}

/// A workbook's parts, name and text, without `docProps/core.xml`: it holds
/// the time the workbook was made, to the second, so two exports a moment
/// apart may differ there and nowhere else.
fn xlsx_parts(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a workbook is a zip");
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).expect("a part");
        let name = part.name().expect("a part's name").to_string();
        if name == "docProps/core.xml" {
            continue;
        }
        out.extend_from_slice(name.as_bytes());
        part.read_to_end(&mut out).expect("the part reads");
    }
    out
}

/// Runs `req` watched, returning what it wrote and every progress it reported.
fn watched(plan: &Plan, req: &Request) -> (Result<(), ExportError>, Vec<Progress>) {
    let seen = RefCell::new(Vec::new());
    let watch = |p: Progress| {
        seen.borrow_mut().push(p);
        true
    };
    let result = run_with(plan, req, &watch).map(|_| ());
    (result, seen.into_inner())
}

#[test]
fn a_watched_export_reports_rising_progress_and_writes_the_same_file_as_an_unwatched_one() {
    let plan = jinsong();
    for (what, name) in exports() {
        // A GeoPackage holds the time it was written; the plan GeoJSON is compared instead.
        if name.ends_with(".gpkg") {
            continue;
        }
        let (a, b) = (tempfile::tempdir().expect("a folder"), tempfile::tempdir().expect("a folder"));
        run(&plan, &request(what.clone(), &a.path().join(name))).expect("written unwatched");
        let (result, seen) = watched(&plan, &request(what.clone(), &b.path().join(name)));
        result.expect("written watched");
        assert_eq!(without_guids(files(a.path())), without_guids(files(b.path())), "{what:?}: the same files");
        assert!(seen.len() >= 2, "{what:?}: {seen:?}");
        for pair in seen.windows(2) {
            assert!(pair[1].fraction() >= pair[0].fraction(), "{what:?}: progress never goes back: {seen:?}");
        }
        assert!(seen.iter().all(|p| p.total >= 1 && p.done <= p.total), "{what:?}: {seen:?}");
        assert_eq!(seen.last().map(|p| p.what), Some(Stage::Writing), "{what:?}: writing is checked last");
    }
}

#[test]
fn a_handout_and_an_atlas_report_each_page() {
    let plan = jinsong();
    let slides = plan.stories[0].slides.len();
    assert!(slides > 1, "the Jinsong story has slides");
    let dir = tempfile::tempdir().expect("a folder");
    for (what, pages) in [(What::Handout { story: 0 }, Some(slides)), (What::Atlas { kinds: None }, None)] {
        let (result, seen) = watched(&plan, &request(what.clone(), &dir.path().join("out.pdf")));
        result.expect("written");
        let page_reports: Vec<usize> = seen.iter().filter(|p| p.what == Stage::Pages).map(|p| p.done).collect();
        let n = pages.unwrap_or(page_reports.len() - 1);
        assert!(n > 1, "{what:?}: more than one page");
        assert_eq!(page_reports, (0..=n).collect::<Vec<_>>(), "{what:?}: before the first page, then after each");
        assert!(seen.iter().all(|p| p.total == n + 1), "{what:?}: the pages and the writing: {seen:?}");
    }
}

#[test]
fn an_export_stopped_at_any_check_is_cancelled_and_leaves_no_file_and_an_older_file_as_it_was() {
    let plan = jinsong();
    for (what, name) in exports() {
        let counted = tempfile::tempdir().expect("a folder");
        let (result, seen) = watched(&plan, &request(what.clone(), &counted.path().join(name)));
        result.expect("written");
        let checks = seen.len();
        // Before it starts, half way, before writing and between writing and renaming into place.
        let mut stops = vec![0, checks / 2, checks.saturating_sub(2), checks - 1];
        stops.sort_unstable();
        stops.dedup();
        // A folder with the files an earlier export wrote at the path.
        let earlier = tempfile::tempdir().expect("a folder");
        run(&plan, &request(what.clone(), &earlier.path().join(name))).expect("the earlier export");
        let before = files(earlier.path());
        for stop in stops {
            let empty = tempfile::tempdir().expect("a folder");
            for dir in [empty.path(), earlier.path()] {
                let count = RefCell::new(0);
                let watch = |_: Progress| {
                    let mut n = count.borrow_mut();
                    *n += 1;
                    *n <= stop
                };
                let e = run_with(&plan, &request(what.clone(), &dir.join(name)), &watch).expect_err("stopped");
                assert!(matches!(e, ExportError::Cancelled), "{what:?} stopped at check {stop}: {e}");
                assert_eq!(*count.borrow(), stop + 1, "{what:?}: stops at the check that said so");
            }
            assert!(files(empty.path()).is_empty(), "{what:?} stopped at check {stop}: nothing written");
            assert!(files(earlier.path()) == before, "{what:?} stopped at check {stop}: the earlier files untouched");
        }
    }
}
