//! The residents' register on the command line: `export --consent` recomputed
//! by the four rules equals `info --json`; `consent import` round-trips and
//! applies edits; every bad row is refused with one line naming it and the
//! plan file left byte-identical; and personal data planted in a plan is in
//! no export the command line writes.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_renewal-planner"))
}

/// Runs the binary; stdout on success, panicking with stderr otherwise.
fn ok(args: &[&str]) -> String {
    let out = bin().args(args).output().expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?} failed: {err}");
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// Runs the binary expecting a refusal: exit 1 and one line on stderr, which is returned.
fn refused(args: &[&str]) -> String {
    let out = bin().args(args).output().expect("runs");
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// The CSV's rows (BOM stripped), as cells; the register has no quoted cells.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    text.trim_start_matches('\u{feff}')
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

fn write_csv(path: &Path, rows: &[Vec<String>]) {
    let text: String = rows.iter().map(|r| r.join(",") + "\r\n").collect();
    std::fs::write(path, format!("\u{feff}{text}")).expect("write");
}

/// A share `num/den` (strict: more than), met by `part` of `whole`.
fn met(share: &serde_json::Value, part: i64, whole: i64) -> bool {
    let (num, den) = (share["num"].as_i64().expect("num"), share["den"].as_i64().expect("den"));
    if share["strict"].as_bool().unwrap_or(false) { part * den > whole * num } else { part * den >= whole * num }
}

#[test]
fn the_exported_register_recomputed_by_the_four_rules_equals_info() {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("register.csv");
    let line = ok(&["export", "jinsong", "-o", &s(&csv), "--consent"]);
    assert!(line.contains("4285 households, 13 matters; no personal data"), "{line}");
    let bytes = std::fs::read(&csv).expect("the register");
    assert!(bytes.starts_with(b"\xef\xbb\xbf"), "UTF-8 with a BOM");
    let rows = csv_rows(&String::from_utf8(bytes).expect("UTF-8"));
    let head = &rows[0];
    assert_eq!(head[..7], ["household", "building", "unit", "floor", "room", "area_m2", "owner_type"]);
    let info: serde_json::Value = serde_json::from_str(&ok(&["info", "jinsong", "--json"])).expect("JSON");
    let consent = &info["consent"];
    let rules: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("../assets/consent_rules.json")).expect("the rules");
    let area = |r: &Vec<String>| (r[5].parse::<f64>().expect("an area") * 100.0).round() as i64;
    assert_eq!(rows.len() - 1, consent["households"].as_u64().expect("households") as usize);
    let total: i64 = rows[1..].iter().map(area).sum();
    assert_eq!(total, (consent["area_m2"].as_f64().expect("area") * 100.0).round() as i64);
    let matters = consent["matters"].as_array().expect("matters");
    assert_eq!(matters.len(), 13);
    assert_eq!(head.len(), 7 + matters.len());
    let mut passed = 0;
    for m in matters {
        let id = m["id"].as_str().expect("id");
        let col = head.iter().position(|h| h == id).unwrap_or_else(|| panic!("a column for {id}"));
        let (mut scope, mut voted, mut agree) = ((0i64, 0i64), (0i64, 0i64), (0i64, 0i64));
        for r in &rows[1..] {
            let cell = r.get(col).map(String::as_str).unwrap_or("");
            if cell.is_empty() {
                continue;
            }
            scope = (scope.0 + 1, scope.1 + area(r));
            match cell {
                "agree" => {
                    voted = (voted.0 + 1, voted.1 + area(r));
                    agree = (agree.0 + 1, agree.1 + area(r));
                }
                "disagree" | "abstain" => voted = (voted.0 + 1, voted.1 + area(r)),
                "none" => {}
                other => panic!("{id}: a vote {other:?}"),
            }
        }
        let centi = |k: &str| (m[k].as_f64().expect(k) * 100.0).round() as i64;
        assert_eq!(scope, (m["scope_households"].as_i64().expect("n"), centi("scope_area_m2")), "{id} in scope");
        assert_eq!(voted, (m["voted_households"].as_i64().expect("n"), centi("voted_area_m2")), "{id} taking part");
        assert_eq!(agree, (m["agree_households"].as_i64().expect("n"), centi("agree_area_m2")), "{id} agreeing");
        // The rule, recomputed from its definition.
        let rule = rules.iter().find(|r| r["id"] == m["rule"]).expect("a built-in rule");
        let taking_part = rule["participation"].is_null()
            || (met(&rule["participation"], voted.0, scope.0) && met(&rule["participation"], voted.1, scope.1));
        let base = if rule["agree_of"] == "participants" { voted } else { scope };
        let agreed = base.0 > 0 && met(&rule["agree"], agree.0, base.0) && met(&rule["agree"], agree.1, base.1);
        assert_eq!(taking_part && agreed && scope.0 > 0, m["passed"].as_bool().expect("passed"), "{id} passed");
        passed += usize::from(taking_part && agreed);
    }
    assert_eq!(passed, 10, "three elevator matters have not passed");
}

/// Jinsong as a plan file in `dir`.
fn jinsong_gpkg(dir: &Path) -> PathBuf {
    let plan = dir.join("jinsong.gpkg");
    ok(&["export", "jinsong", "-o", &s(&plan)]);
    plan
}

#[test]
fn an_exported_register_imports_back_unchanged_and_edits_show_in_info() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = jinsong_gpkg(dir.path());
    let before = std::fs::read(&plan).expect("the plan");
    let csv = dir.path().join("r.csv");
    let xlsx = dir.path().join("r.xlsx");
    ok(&["export", &s(&plan), "-o", &s(&csv), "--consent"]);
    ok(&["export", &s(&plan), "-o", &s(&xlsx), "--consent"]);
    for f in [&csv, &xlsx] {
        let line = ok(&["consent", "import", &s(&plan), &s(f)]);
        assert!(line.contains("nothing changed (4285 households, 13 matter columns)"), "{line}");
        assert_eq!(std::fs::read(&plan).expect("the plan"), before, "left as it was");
    }
    // Excel keeps numbers as text in a workbook the planner retyped: the same register.
    let rows = csv_rows(&std::fs::read_to_string(&csv).expect("csv"));
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, v).expect("a cell");
        }
    }
    let texts = dir.path().join("texts.xlsx");
    std::fs::write(&texts, wb.save_to_buffer().expect("a workbook")).expect("write");
    assert!(ok(&["consent", "import", &s(&plan), &s(&texts)]).contains("nothing changed"));

    // Edit: every household of 107楼 2单元 agrees, one area changes, one household leaves, one arrives.
    let head = rows[0].clone();
    let col = head.iter().position(|h| h == "m-elevator-107-2").expect("the column");
    let mut edited = vec![head.clone()];
    let mut set = 0;
    let mut moved = 0.0;
    for r in &rows[1..] {
        let mut r = r.clone();
        if r[0] == "b101-1-101" {
            continue; // leaves (65.6 m²)
        }
        if !r[col].is_empty() && r[col] != "agree" {
            r[col] = "agree".into();
            set += 1;
        }
        if r[0] == "b102-1-101" {
            moved = 70.25 - r[5].parse::<f64>().expect("area");
            r[5] = "70.25".into();
        }
        edited.push(r);
    }
    let mut new = vec!["b101-9-901".to_string(), "b101".into(), "9".into(), "9".into(), "901".into(), "48.5".into()];
    new.push("institution".into());
    new.extend(head[7..].iter().map(|m| if m == "m-property" { "agree".to_string() } else { String::new() }));
    // In the bicycle shed's buildings: "none" there, since it is in that matter's scope.
    let bike = head.iter().position(|h| h == "m-bikeshed").expect("bikeshed");
    new[bike] = "none".into();
    edited.push(new);
    let edited_csv = dir.path().join("edited.csv");
    write_csv(&edited_csv, &edited);
    let line = ok(&["consent", "import", &s(&plan), &s(&edited_csv)]);
    assert_eq!(
        line.trim(),
        format!(
            "{}: 1 households added, 1 changed, 1 removed; {} votes set (4285 households, 13 matter columns)",
            s(&plan),
            set + 1
        )
    );
    let info: serde_json::Value = serde_json::from_str(&ok(&["info", &s(&plan), "--json"])).expect("JSON");
    let c = &info["consent"];
    assert_eq!(c["households"], 4285);
    let area = c["area_m2"].as_f64().expect("area");
    assert!((area - (246846.0 - 65.6 + 48.5 + moved)).abs() < 0.005, "{area}");
    let m = c["matters"].as_array().expect("matters").iter().find(|m| m["id"] == "m-elevator-107-2").expect("matter");
    assert_eq!((m["agree_households"].as_u64(), m["passed"].as_bool()), (Some(12), Some(true)));
    // New votes are dated today, with no method; unchanged ones keep theirs.
    let loaded = renewal_planner::io::load_path(&plan).expect("the plan");
    let consent = &loaded.plan.consent;
    let today = renewal_planner::model::item::today();
    let changed = consent.votes["m-elevator-107-2"].values().filter(|v| v.date.as_deref() == Some(today.as_str()));
    assert_eq!(changed.count(), set);
    assert!(consent.votes["m-property"].get("b101-9-901").is_some_and(|v| v.method.is_none()));
    assert!(consent.votes.values().all(|on| !on.contains_key("b101-1-101")), "its votes left with it");
    let kept = consent.vote("m-property", "b101-1-102").expect("a vote");
    assert_ne!(kept.date.as_deref(), Some(today.as_str()), "an unchanged vote keeps its date");

    // A plan GeoJSON takes a register too.
    let gj = dir.path().join("plan.geojson");
    ok(&["export", "jinsong", "-o", &s(&gj)]);
    let line = ok(&["consent", "import", &s(&gj), &s(&edited_csv)]);
    assert!(line.contains("1 households added, 1 changed, 1 removed"), "{line}");
    let info: serde_json::Value = serde_json::from_str(&ok(&["info", &s(&gj), "--json"])).expect("JSON");
    assert_eq!(info["consent"], c.clone(), "the same register in either plan file");
}

#[test]
fn every_bad_row_is_one_line_naming_it_and_the_plan_is_left_byte_identical() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = jinsong_gpkg(dir.path());
    let csv = dir.path().join("r.csv");
    ok(&["export", &s(&plan), "-o", &s(&csv), "--consent"]);
    let before = std::fs::read(&plan).expect("the plan");
    let rows = csv_rows(&std::fs::read_to_string(&csv).expect("csv"));
    let head = rows[0].clone();
    let col = |name: &str| head.iter().position(|h| h == name).expect(name);
    // Row 11 of the sheet is rows[10], in 101楼 单元 1 (m-elevator-101-1 in scope; 101-2 not).
    let (id, id10, room10) = (rows[10][0].clone(), rows[9][0].clone(), rows[9][4].clone());
    assert!(id.starts_with("b101-1-") && id10.starts_with("b101-1-"), "{id} {id10}");
    let (property, other_unit) = (col("m-property"), col("m-elevator-101-2"));
    type Case = (&'static str, Box<dyn Fn(&mut Vec<Vec<String>>)>, String);
    let cases: Vec<Case> = vec![
        (
            "unknown building",
            Box::new(|r| r[10][1] = "b999".into()),
            format!("row 11: household {id}: building “b999” is not in the plan"),
        ),
        (
            "duplicate household",
            Box::new(|r| r[10][0] = r[9][0].clone()),
            format!("row 11: household “{id10}” is listed twice (also row 10)"),
        ),
        (
            "room twice",
            Box::new(|r| r[10][4] = r[9][4].clone()),
            format!("row 11: household {id}: room {room10} of b101 单元 1 is given twice (also row 10)"),
        ),
        (
            "bad vote",
            Box::new(move |r| r[10][property] = "yes".into()),
            format!("row 11: household {id}, matter m-property: vote \"yes\" is not agree"),
        ),
        (
            "non-numeric area",
            Box::new(|r| r[10][5] = "六十".into()),
            format!("row 11: household {id}: area “六十” is not a number"),
        ),
        (
            "negative area",
            Box::new(|r| r[10][5] = "-60".into()),
            format!("row 11: household {id}: area -60 m² is negative"),
        ),
        (
            "vote outside scope",
            Box::new(move |r| r[10][other_unit] = "agree".into()),
            format!("row 11: household {id} is outside the scope of matter m-elevator-101-2"),
        ),
        (
            "unknown matter column",
            Box::new(|r| r[0][8] = "m-nothing".into()),
            "row 1: column I “m-nothing” is neither a register column".to_string(),
        ),
        (
            "households' ids swapped",
            Box::new(|r| {
                let id = r[9][0].clone();
                r[9][0] = r[10][0].clone();
                r[10][0] = id;
            }),
            format!(
                "row 10: household {id}: room {room10} of b101 单元 1 is household {id10} in the plan, which row 11"
            ),
        ),
        (
            "missing column",
            Box::new(|r| {
                for row in r.iter_mut() {
                    row.remove(5);
                }
            }),
            "row 1: no “area_m2” column".to_string(),
        ),
    ];
    for (what, edit, want) in cases {
        let mut r = rows.clone();
        edit(&mut r);
        let bad = dir.path().join("bad.csv");
        write_csv(&bad, &r);
        let err = refused(&["consent", "import", &s(&plan), &s(&bad)]);
        assert!(err.contains(&format!("bad.csv: {want}")), "{what}: {err}\nshould hold {want}");
        assert_eq!(std::fs::read(&plan).expect("the plan"), before, "{what}: the plan is byte-identical");
        assert!(!dir.path().join("jinsong.gpkg.saving").exists(), "{what}: no temporary file left");
    }
    // Several bad rows: the first named, the others counted, still one line.
    let mut r = rows.clone();
    r[10][5] = "x".into();
    r[20][5] = "y".into();
    let bad = dir.path().join("bad.csv");
    write_csv(&bad, &r);
    let err = refused(&["consent", "import", &s(&plan), &s(&bad)]);
    assert!(err.contains("row 11:") && err.contains("(and 1 more row with a fault)"), "{err}");
    // A plan GeoJSON in Gauss-Krüger metres would come back in WGS 84: left alone.
    let gk = dir.path().join("gk.geojson");
    ok(&["export", "jinsong", "-o", &s(&gk), "--to-crs", "EPSG:4527"]);
    let gk_before = std::fs::read(&gk).expect("the plan");
    let err = refused(&["consent", "import", &s(&gk), &s(&csv)]);
    assert!(err.contains("its coordinates are in EPSG:4527"), "{err}");
    assert_eq!(std::fs::read(&gk).expect("the plan"), gk_before);
    // A plan file with a row read with a warning (a vote that is not one) would lose it: left alone.
    let warned = dir.path().join("warned.gpkg");
    std::fs::copy(&plan, &warned).expect("copy");
    rusqlite::Connection::open(&warned)
        .and_then(|c| c.execute("UPDATE rp_votes SET vote = 'yes' WHERE rowid = (SELECT min(rowid) FROM rp_votes)", []))
        .expect("a vote spoiled");
    let warned_before = std::fs::read(&warned).expect("the plan");
    let err = refused(&["consent", "import", &s(&warned), &s(&csv)]);
    assert!(err.contains("reading it gave 1 warning(s)") && err.contains("rp_votes"), "{err}");
    assert_eq!(std::fs::read(&warned).expect("the plan"), warned_before);
    // Not a plan file: refused before anything is read.
    let err = refused(&["consent", "import", &s(&csv), &s(&csv)]);
    assert!(err.contains("writes into a plan file"), "{err}");
    assert_eq!(std::fs::read(&plan).expect("the plan"), before);
}

/// Whether `pdftotext` runs; under `CI=true` it must (poppler-utils).
fn have_pdftotext() -> bool {
    let ok = Command::new("pdftotext").arg("-v").output().is_ok_and(|o| o.status.success());
    if !ok {
        assert!(std::env::var_os("CI").is_none(), "CI must have pdftotext (poppler-utils)");
        eprintln!(
            "SKIPPED: pdftotext is not installed; the text of the PDF exports was not searched for personal data"
        );
    }
    ok
}

/// Every text an export holds: its bytes, the members of a zip (XLSX, zipped shapefiles), a PDF's text.
fn texts_of(path: &Path, pdf_text: bool) -> Vec<(String, Vec<u8>)> {
    let bytes = std::fs::read(path).expect("an export");
    let name = s(path);
    let mut out = vec![(name.clone(), bytes.clone())];
    if bytes.starts_with(b"PK") {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).expect("a zip");
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).expect("a member");
            let mut b = Vec::new();
            f.read_to_end(&mut b).expect("unzipped");
            let member = f.name().map(|n| n.to_string()).unwrap_or_default();
            out.push((format!("{name}:{member}"), b));
        }
    }
    if pdf_text && bytes.starts_with(b"%PDF") {
        let t = Command::new("pdftotext").arg(path).arg("-").output().expect("pdftotext");
        assert!(t.status.success() && !t.stdout.is_empty(), "{name}: pdftotext read it");
        out.push((format!("{name} (text)"), t.stdout));
    }
    out
}

fn holds(hay: &[u8], needle: &str) -> bool {
    let n = needle.as_bytes();
    hay.windows(n.len()).any(|w| w == n)
}

#[test]
fn personal_data_planted_in_a_plan_is_in_no_export_of_the_command_line() {
    const NAME: &str = "张三丰";
    const PHONE: &str = "13800138000";
    let dir = tempfile::tempdir().expect("temp dir");
    let mut loaded = renewal_planner::io::load_jinsong();
    for h in loaded.plan.consent.households.values_mut().filter(|h| h.building == "b107") {
        h.owner_name = Some(NAME.into());
        h.phone = Some(PHONE.into());
    }
    let planted = loaded.plan.consent.households.values().filter(|h| h.has_personal()).count();
    assert!(planted > 10);
    // The window's save keeps it: it is the plan.
    let plan = dir.path().join("planted.gpkg");
    renewal_planner::io::gpkg::save(&loaded.plan, &plan).expect("saved");
    assert!(holds(&std::fs::read(&plan).expect("the plan"), NAME), "planted in the plan file");
    let p = s(&plan);
    let out = |name: &str| s(&dir.path().join(name));
    let exports: Vec<(String, Vec<String>)> = vec![
        (out("map.png"), vec!["--size".into(), "400x300".into()]),
        (out("map.svg"), vec![]),
        (out("map.pdf"), vec![]),
        (out("handout.pdf"), vec!["--story".into()]),
        (out("atlas.pdf"), vec!["--atlas".into()]),
        (out("schedule.csv"), vec![]),
        (out("schedule.xlsx"), vec![]),
        (out("gis.geojson"), vec!["--phase".into(), "after".into()]),
        (out("shapes.zip"), vec![]),
        (out("drawing.dxf"), vec![]),
        (out("plan.gpkg"), vec![]),
        (out("plan.geojson"), vec![]),
        (out("plan-gcj.geojson"), vec!["--to-crs".into(), "gcj02".into()]),
        (out("register.csv"), vec!["--consent".into()]),
        (out("register.xlsx"), vec!["--consent".into()]),
        (out("notice.pdf"), vec!["--notice".into(), "m-elevator-107-1".into()]),
    ];
    let pdf_text = have_pdftotext();
    for (o, extra) in &exports {
        let mut args = vec!["export".to_string(), p.clone(), "-o".into(), o.clone()];
        args.extend(extra.iter().cloned());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let line = ok(&args);
        if Path::new(o).file_name().is_some_and(|f| f.to_string_lossy().starts_with("plan")) {
            assert!(
                line.contains(&format!("personal data (owner names, phones) of {planted} households left out")),
                "{o}: says so: {line}"
            );
        }
        for (what, bytes) in texts_of(Path::new(o), pdf_text) {
            assert!(!holds(&bytes, NAME), "{what} holds the owner's name");
            assert!(!holds(&bytes, PHONE), "{what} holds the phone number");
        }
    }
    // The plan files written keep the register itself.
    let back = renewal_planner::io::load_path(Path::new(&out("plan.gpkg"))).expect("the plan written");
    assert_eq!(back.plan.consent.households.len(), loaded.plan.consent.households.len());
    assert!(back.plan.consent.households.values().all(|h| !h.has_personal()));
    // And a register imported into the planted plan keeps its personal data (the export never had it).
    let reg = out("register.csv");
    let line = ok(&["consent", "import", &p, &reg]);
    assert!(line.contains("nothing changed"), "{line}");
    let mut rows = csv_rows(&std::fs::read_to_string(&reg).expect("csv"));
    let col = rows[0].iter().position(|h| h == "m-property").expect("column");
    let row = rows.iter().position(|r| r[0].starts_with("b107-")).expect("a b107 row");
    rows[row][col] = if rows[row][col] == "agree" { "disagree" } else { "agree" }.into();
    let edited = dir.path().join("edited.csv");
    write_csv(&edited, &rows);
    assert!(ok(&["consent", "import", &p, &s(&edited)]).contains("1 votes set"));
    let back = renewal_planner::io::load_path(&plan).expect("the plan");
    assert_eq!(back.plan.consent.households.values().filter(|h| h.has_personal()).count(), planted, "kept");
}

/// A plan GeoJSON with one bad household, matter and vote opens with a warning naming each, the rest of
/// its register kept (before, one bad cell dropped the whole register).
#[test]
fn a_bad_household_matter_or_vote_in_a_plan_geojson_is_a_warning_and_the_rest_is_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let gj = dir.path().join("plan.geojson");
    ok(&["export", "jinsong", "-o", &s(&gj)]);
    let good = renewal_planner::io::load_path(&gj).expect("opens");
    assert!(good.warnings.is_empty(), "{:?}", good.warnings);
    let mut doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&gj).expect("read")).expect("JSON");
    let c = &mut doc["renewal_plan"]["consent"];
    c["households"][3]["floor"] = "三".into();
    let household = c["households"][3]["id"].as_str().expect("id").to_string();
    c["matters"][1]["rule"] = serde_json::Value::Null;
    let (matter, voter) = {
        let on = c["votes"]["m-property"].as_object_mut().expect("votes");
        let (h, v) = on.iter_mut().next().expect("a vote");
        v["vote"] = "yes".into();
        ("m-property".to_string(), h.clone())
    };
    std::fs::write(&gj, serde_json::to_vec(&doc).expect("JSON")).expect("write");
    let back = renewal_planner::io::load_path(&gj).expect("opens");
    let places: Vec<&str> = back.warnings.iter().map(|w| w.place.as_str()).collect();
    assert_eq!(
        places,
        [
            "renewal_plan.consent.households[3]".to_string(),
            "renewal_plan.consent.matters[1]".to_string(),
            format!("renewal_plan.consent.votes.{matter}.{voter}"),
        ],
        "{:?}",
        back.warnings
    );
    let (was, now) = (&good.plan.consent, &back.plan.consent);
    assert_eq!(now.households.len(), was.households.len() - 1);
    assert!(!now.households.contains_key(&household));
    assert_eq!(now.matters.len(), was.matters.len() - 1);
    assert_eq!(now.votes[&matter].len(), was.votes[&matter].len() - 1);
    assert_eq!(now.rules, was.rules);
    assert_eq!(now.note, was.note);
}
