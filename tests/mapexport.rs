//! Print maps (PNG, SVG, PDF), each read back by an independent reader, with
//! the Chinese text intact and the same bytes every time.

use std::path::Path;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_renewal-planner"))
}

fn export(out: &Path, args: &[&str]) {
    let o = bin().args(["export", "jinsong", "-o"]).arg(out).args(args).output().expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn a_png_map_shows_the_district_in_its_colours() {
    let dir = tempfile::tempdir().expect("temp dir");
    let png = dir.path().join("jinsong.png");
    export(&png, &["--size", "1600x1000", "--phase", "after"]);
    let img = image::open(&png).expect("decodes").to_rgb8();
    assert_eq!(img.dimensions(), (1600, 1000));
    let brick = img.pixels().filter(|p| p.0 == [226, 160, 135]).count();
    let garden = img.pixels().filter(|p| p.0 == [184, 222, 160]).count();
    assert!(brick > 20_000, "building fill in the map: {brick} px");
    assert!(garden > 2_000, "garden fill in the map: {garden} px");
}

#[test]
fn svg_and_pdf_maps_carry_the_chinese_title_and_are_deterministic() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, args) in [("a.svg", vec!["--paper", "A3-landscape"]), ("a.pdf", vec!["--phase", "compare"])] {
        let (one, two) = (dir.path().join(format!("1-{name}")), dir.path().join(format!("2-{name}")));
        export(&one, &args);
        export(&two, &args);
        assert_eq!(
            std::fs::read(&one).expect("read"),
            std::fs::read(&two).expect("read"),
            "{name}: same plan, same bytes"
        );
    }
    let svg = std::fs::read_to_string(dir.path().join("1-a.svg")).expect("read");
    let tree = usvg::Tree::from_str(&svg, &usvg::Options::default()).expect("a valid SVG");
    assert!((tree.size().width() - 1191.0).abs() < 1.0, "A3 landscape");
    assert!(svg.contains("劲松一区、二区") && svg.contains("劲松西街"));
    if Command::new("pdftotext").arg("-v").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "CI must have pdftotext (poppler-utils)");
        eprintln!("SKIPPED: pdftotext (poppler-utils) is not installed; the PDF's text is not checked");
        return;
    }
    let text = Command::new("pdftotext").arg(dir.path().join("1-a.pdf")).arg("-").output().expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("劲松一区、二区") && text.contains("改造前") && text.contains("改造后"), "{text}");
}

#[test]
fn a_map_coloured_by_funding_has_the_funding_legend() {
    let dir = tempfile::tempdir().expect("temp dir");
    let svg = dir.path().join("funding.svg");
    export(&svg, &["--theme", "funding"]);
    let text = std::fs::read_to_string(&svg).expect("read");
    assert!(text.contains("按资金来源") && text.contains("社会资本"), "the legend names the sources");
    let social = renewal_planner::render::theme::source_color(renewal_planner::model::FundingSource::SocialCapital);
    assert!(text.contains(&social.hex()));
}

#[test]
fn map_options_are_checked() {
    let dir = tempfile::tempdir().expect("temp dir");
    for args in [vec!["--size", "huge"], vec!["--paper", "B5"], vec!["--at", "2019-02-30"]] {
        let o =
            bin().args(["export", "jinsong", "-o"]).arg(dir.path().join("m.png")).args(&args).output().expect("runs");
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&o.stderr).trim_end().lines().count(), 1);
    }
}

#[test]
fn the_item_schedule_is_a_csv_excel_opens_with_chinese_intact() {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("schedule.csv");
    export(&csv, &[]);
    let bytes = std::fs::read(&csv).expect("read");
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 with a BOM");
    let text = String::from_utf8(bytes[3..].to_vec()).expect("UTF-8");
    let plan = renewal_planner::document::Document::jinsong().shared_plan();
    let rows: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(rows.len(), plan.items.len() + 1, "a header and a row per item");
    assert!(rows[0].starts_with("id,改造项目,关联要素,类别"));
    assert!(text.contains("101楼加装电梯") && text.contains("社会资本"));
    // Money columns add up to the plan's social capital.
    let header: Vec<&str> = rows[0].split(',').collect();
    let col = header.iter().position(|h| *h == "社会资本").expect("column");
    let total: i64 = rows[1..]
        .iter()
        .map(|r| {
            // Names never contain commas in Jinsong, so a plain split is enough here.
            r.split(',').nth(col).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0)
        })
        .sum();
    assert_eq!(total, 30_000_000);
}

#[test]
fn gis_geojson_of_a_phase_has_flat_columns_and_simplestyle() {
    let dir = tempfile::tempdir().expect("temp dir");
    let before = dir.path().join("before.geojson");
    let after = dir.path().join("after.geojson");
    export(&before, &["--phase", "before"]);
    export(&after, &["--phase", "after"]);
    let b = renewal_planner::io::load_path(&before).expect("the project's loader reads it");
    let a = renewal_planner::io::load_path(&after).expect("reads");
    let plan = renewal_planner::document::Document::jinsong().shared_plan();
    let count = |p: renewal_planner::model::Phase| {
        plan.iter()
            .filter(|(_, f)| {
                renewal_planner::model::phase::presence(&plan, f, &p) != renewal_planner::model::Presence::Absent
            })
            .count()
    };
    assert_eq!(b.plan.len(), count(renewal_planner::model::Phase::Before));
    assert_eq!(a.plan.len(), count(renewal_planner::model::Phase::After));
    let (_, f) = a.plan.iter().find(|(_, f)| f.number() == Some("101")).expect("101");
    for key in ["items", "status", "cost_yuan", "fill", "stroke", "kind", "change"] {
        assert!(f.properties.contains_key(key), "{key}");
    }
    assert!(f.properties.get_str("items").is_some_and(|s| s.contains("加装电梯")));
    if Command::new("ogrinfo").arg("--version").output().is_ok() {
        let o = Command::new("ogrinfo").args(["-ro", "-so", "-al"]).arg(&after).output().expect("ogrinfo");
        let t = String::from_utf8_lossy(&o.stdout);
        assert!(t.contains(&format!("Feature Count: {}", a.plan.len())), "{t}");
        assert!(t.contains("items: String"), "{t}");
    }
}

#[test]
fn the_item_schedule_is_a_real_workbook() {
    use calamine::{DataType, Reader, Xlsx, open_workbook};
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("schedule.xlsx");
    export(&path, &[]);
    let mut wb: Xlsx<_> = open_workbook(&path).expect("calamine opens it");
    let names = wb.sheet_names().to_vec();
    assert_eq!(names, vec!["汇总", "公共空间", "智能化", "服务业态", "社区文化", "运营收益"]);
    let plan = renewal_planner::document::Document::jinsong().shared_plan();
    let mut rows = 0;
    let mut social = 0.0;
    for name in &names[1..5] {
        let range = wb.worksheet_range(name).expect("sheet");
        let header: Vec<String> = range.rows().next().expect("header").iter().map(|c| c.to_string()).collect();
        assert_eq!(header[1], "改造项目");
        let col = header.iter().position(|h| h == "社会资本").expect("column");
        for r in range.rows().skip(1) {
            rows += 1;
            social += r[col].as_f64().unwrap_or(0.0);
        }
    }
    assert_eq!(rows, plan.items.len(), "every item once, on its category's sheet");
    assert_eq!(social, 30_000_000.0, "money is numbers, not text");
    let summary = wb.worksheet_range("汇总").expect("summary");
    assert!(summary.rows().any(|r| r.iter().any(|c| c.get_string() == Some("社会资本"))));
}

#[test]
fn the_atlas_has_a_page_per_site() {
    if Command::new("pdfinfo").arg("-v").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "CI must have pdfinfo (poppler-utils)");
        eprintln!("SKIPPED: pdfinfo (poppler-utils) is not installed; the atlas PDF is not checked");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let pdf = dir.path().join("atlas.pdf");
    export(&pdf, &["--atlas"]);
    let plan = renewal_planner::document::Document::jinsong().shared_plan();
    let sites = plan.iter().filter(|(id, _)| !plan.items_of(*id).is_empty()).count();
    let info = Command::new("pdfinfo").arg(&pdf).output().expect("pdfinfo");
    assert!(String::from_utf8_lossy(&info.stdout).contains(&format!("Pages:           {sites}")));
    let text = Command::new("pdftotext").arg(&pdf).arg("-").output().expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("劲松一区101楼") && text.contains("101楼加装电梯") && text.contains("资金来源"));
    // A filtered atlas: only the buildings.
    let buildings = dir.path().join("buildings.pdf");
    export(&buildings, &["--atlas", "--sites", "building"]);
    let n = plan
        .iter()
        .filter(|(id, f)| f.kind == renewal_planner::model::Kind::Building && !plan.items_of(*id).is_empty())
        .count();
    let info = Command::new("pdfinfo").arg(&buildings).output().expect("pdfinfo");
    assert!(String::from_utf8_lossy(&info.stdout).contains(&format!("Pages:           {n}")));
}

/// The text of a PDF by poppler's `pdftotext`, or `None` (with a loud SKIPPED line; a failure under CI) without it.
fn pdf_text(pdf: &Path, layout: bool) -> Option<String> {
    if Command::new("pdftotext").arg("-v").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "CI must have pdftotext (poppler-utils)");
        eprintln!("SKIPPED: pdftotext (poppler-utils) is not installed; the PDF's text is not checked");
        return None;
    }
    let mut cmd = Command::new("pdftotext");
    if layout {
        cmd.arg("-layout");
    }
    let o = cmd.arg(pdf).arg("-").output().expect("pdftotext");
    assert!(o.status.success());
    Some(String::from_utf8_lossy(&o.stdout).into_owned())
}

/// Jinsong's building numbers as the map labels them, from the plan itself.
fn building_labels() -> Vec<String> {
    let plan = renewal_planner::document::Document::jinsong().shared_plan();
    let mut n: Vec<String> = plan
        .iter()
        .filter(|(_, f)| f.kind == renewal_planner::model::Kind::Building)
        .filter_map(|(_, f)| f.number().map(|n| format!("{n}楼")))
        .collect();
    n.sort();
    n
}

#[test]
fn every_building_number_is_on_the_print_map_in_both_phases() {
    let numbers = building_labels();
    assert_eq!(numbers.len(), 43, "Jinsong has 43 residential buildings");
    assert!(numbers.contains(&"122楼".to_string()) && numbers.contains(&"221楼".to_string()));
    let dir = tempfile::tempdir().expect("temp dir");
    for (phase, paper) in [
        ("before", vec![]),
        ("after", vec![]),
        ("before", vec!["--paper", "A4", "--portrait"]),
        ("after", vec!["--paper", "A4", "--portrait"]),
        ("after", vec!["--paper", "A3"]),
    ] {
        let pdf = dir.path().join(format!("{phase}-{}.pdf", paper.len()));
        let mut args = vec!["--phase", phase];
        args.extend(&paper);
        export(&pdf, &args);
        let Some(text) = pdf_text(&pdf, false) else { return };
        // Each number is a word of its own (a ramp's name such as 无障碍坡道（101楼1单元） does not count).
        let words: std::collections::BTreeSet<&str> = text.split_whitespace().collect();
        let missing: Vec<&String> = numbers.iter().filter(|n| !words.contains(n.as_str())).collect();
        assert!(missing.is_empty(), "{phase} {paper:?}: missing {missing:?}");
    }
}

#[test]
fn the_source_note_is_printed_whole() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = renewal_planner::document::Document::jinsong().shared_plan();
    let note = plan.meta.note.clone().expect("Jinsong has a source note");
    let (zh, en) = note.split_once(" / ").expect("a Chinese and an English part");
    for (lang, part, paper) in
        [("zh", zh, "A4"), ("en", en, "A4"), ("zh", zh, "A4-portrait"), ("en", en, "A1-portrait")]
    {
        let pdf = dir.path().join(format!("{lang}-{paper}.pdf"));
        export(&pdf, &["--lang", lang, "--paper", paper]);
        let Some(text) = pdf_text(&pdf, false) else { return };
        let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        // Dashes the bundled font lacks are drawn with ones it has (`font_safe`), never dropped.
        let part = renewal_planner::export::handout::font_safe(part);
        assert!(squash(&text).contains(&squash(&part)), "{lang} {paper}: the note is cut:\n{text}");
    }
}

#[test]
fn the_print_map_has_a_title_block_from_the_plan() {
    let dir = tempfile::tempdir().expect("temp dir");
    // The plan's title block is kept in its file: set it in GeoJSON, read it through a GeoPackage.
    let geojson = dir.path().join("plan.geojson");
    export(&geojson, &[]);
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&geojson).expect("read")).expect("JSON");
    doc["renewal_plan"]["title_block"] =
        serde_json::json!({"sheet_number": "JS-ZT-07", "drawn_by": "李明", "checked_by": "王芳"});
    std::fs::write(&geojson, doc.to_string()).expect("write");
    let gpkg = dir.path().join("plan.gpkg");
    let o = bin().args(["export"]).arg(&geojson).arg("-o").arg(&gpkg).output().expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let back = renewal_planner::io::load_path(&gpkg).expect("opens");
    assert_eq!(back.plan.meta.title_block.drawn_by, "李明");
    assert_eq!(back.plan.meta.title_block.checked_by, "王芳");
    // And back to GeoJSON, unchanged.
    let again = dir.path().join("again.geojson");
    let o = bin().args(["export"]).arg(&gpkg).arg("-o").arg(&again).output().expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let again = renewal_planner::io::load_path(&again).expect("reads");
    assert_eq!(again.plan.meta.title_block, back.plan.meta.title_block);
    assert_eq!(again.plan.meta.title_block.sheet_number, "JS-ZT-07");

    let pdf = dir.path().join("a2.pdf");
    let o = bin()
        .args(["export"])
        .arg(&gpkg)
        .arg("-o")
        .arg(&pdf)
        .args(["--paper", "A2", "--phase", "after", "--date", "2026-11-30"])
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let Some(text) = pdf_text(&pdf, false) else { return };
    for want in [
        "项目",
        "图名",
        "改造后总平面图",
        "图号",
        "JS-ZT-07",
        "制图",
        "李明",
        "校核",
        "王芳",
        "日期",
        "2026-11-30",
        "比例",
    ] {
        assert!(text.contains(want), "title block lacks {want}:\n{text}");
    }
    assert!(text.matches("1:").count() >= 2, "the numeric scale, in the title block and by the scale bar:\n{text}");
    // In English the block is in English too.
    let en = dir.path().join("en.pdf");
    export(&en, &["--lang", "en", "--phase", "before", "--date", "2026-11-30"]);
    let text = pdf_text(&en, false).expect("pdftotext");
    for want in ["Project", "Site plan before renewal", "Sheet no.", "ZT-01", "Drawn by", "Checked by", "Scale"] {
        assert!(text.contains(want), "English title block lacks {want}:\n{text}");
    }
}

#[test]
fn paper_sizes_a4_to_a0_portrait_and_landscape() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (args, w, h) in [
        (vec![], 842.0, 595.0),
        (vec!["--paper", "A3", "--portrait"], 842.0, 1191.0),
        (vec!["--paper", "A2", "--landscape"], 1684.0, 1191.0),
        (vec!["--paper", "a1-portrait"], 1684.0, 2384.0),
        (vec!["--paper", "A0"], 3370.0, 2384.0),
    ] {
        let svg = dir.path().join("sheet.svg");
        export(&svg, &args);
        let tree = usvg::Tree::from_str(&std::fs::read_to_string(&svg).expect("read"), &usvg::Options::default())
            .expect("a valid SVG");
        assert_eq!((tree.size().width(), tree.size().height()), (w, h), "{args:?}");
    }
    let o = bin()
        .args(["export", "jinsong", "-o"])
        .arg(dir.path().join("x.pdf"))
        .args(["--paper", "A4", "--portrait", "--landscape"])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2), "portrait and landscape at once is refused");
}

#[test]
fn the_numeric_scale_is_true_on_paper() {
    let dir = tempfile::tempdir().expect("temp dir");
    for args in
        [vec!["--paper", "A4"], vec!["--paper", "A1", "--portrait"], vec!["--paper", "A3", "--phase", "compare"]]
    {
        let path = dir.path().join("scale.svg");
        export(&path, &args);
        let svg = std::fs::read_to_string(&path).expect("read");
        let attr = |tag_class: &str| -> String {
            let at = svg.find(&format!("class=\"{tag_class}\"")).unwrap_or_else(|| panic!("{tag_class} in {args:?}"));
            svg[at..].to_string()
        };
        // The bar's length in points (1/72 inch) from its path.
        let bar = attr("scale-bar");
        let d = &bar[bar.find(" d=\"").expect("d") + 4..];
        let d = &d[..d.find('"').expect("end")];
        let xs: Vec<f64> = d
            .split(['M', 'L'])
            .filter(|p| !p.trim().is_empty())
            .map(|p| p.split_whitespace().next().expect("x").parse().expect("number"))
            .collect();
        let len_pt = xs.iter().cloned().fold(f64::MIN, f64::max) - xs.iter().cloned().fold(f64::MAX, f64::min);
        let len_mm = len_pt * 25.4 / 72.0;
        let text_of = |class: &str| {
            let t = attr(class);
            let t = &t[t.find('>').expect(">") + 1..];
            t[..t.find('<').expect("<")].to_string()
        };
        let label = text_of("scale-bar-label");
        let metres: f64 = match label.split_once(' ') {
            Some((v, "m")) => v.parse().expect("metres"),
            Some((v, "km")) => v.parse::<f64>().expect("km") * 1000.0,
            other => panic!("scale bar label {other:?}"),
        };
        let ratio = text_of("scale-ratio");
        let n: f64 = ratio.strip_prefix("1:").expect("1:N").parse().expect("N");
        let ground = len_mm * n / 1000.0;
        assert!(
            (ground - metres).abs() < metres * 1e-4,
            "{args:?}: {len_mm:.3} mm × {n} = {ground:.3} m, bar says {metres} m"
        );
        // The title block states the same scale.
        assert!(svg.matches(&ratio).count() >= 2, "{args:?}: {ratio} in the title block");
    }
}

#[test]
fn removals_have_their_own_legend_entry() {
    let dir = tempfile::tempdir().expect("temp dir");
    let svg = dir.path().join("after.svg");
    export(&svg, &["--phase", "after"]);
    let text = std::fs::read_to_string(&svg).expect("read");
    assert!(text.contains("class=\"legend-removed\""), "the legend explains the ✕");
    let cross = renewal_planner::render::style::REMOVED_CROSS.color.hex();
    // The removed illegal structures and overhead lines are drawn crossed out on the after map: one ✕ each.
    let plan = renewal_planner::document::Document::jinsong().shared_plan();
    let removed = plan
        .iter()
        .filter(|(_, f)| {
            f.change.as_ref().is_some_and(|c| c.kind == renewal_planner::model::phase::ChangeKind::Removed)
        })
        .count();
    assert!(removed > 0);
    assert_eq!(text.matches(&format!("stroke=\"{cross}\" stroke-width=\"2.00\"")).count(), removed, "a ✕ per removal");
    let before = dir.path().join("before.svg");
    export(&before, &["--phase", "before"]);
    let text = std::fs::read_to_string(&before).expect("read");
    assert!(!text.contains("legend-removed"), "nothing is removed before the renewal");
}
