//! The operations ledger in the plan files, on the command line and in the exports: both plan
//! formats keep it exactly, a bad part is a warning and the rest opens, `info --json` tells the
//! contract's numbers and the exported cash-flow table recomputes to them.

use std::path::Path;
use std::process::Command;

use renewal_planner::document::Document;
use renewal_planner::io;
use renewal_planner::model::Plan;
use renewal_planner::model::operations::{Flow, FlowKind, Operations, Space};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_renewal-planner"))
}

fn space(id: &str, feature: &str, use_: &str, term: (i32, i32), items: &[&str]) -> Space {
    Space {
        id: id.into(),
        feature: feature.into(),
        name_zh: format!("{id} 空间"),
        name_en: if id.ends_with('a') { Some(format!("{id} space")) } else { None },
        operator: "愿景集团".into(),
        use_: use_.into(),
        area_m2: 123.45,
        term_start: term.0,
        term_end: term.1,
        items: items.iter().map(|s| s.to_string()).collect(),
    }
}

fn flow(id: &str, kind: FlowKind, space: Option<&str>, yuan: i64, years: (i32, i32)) -> Flow {
    Flow {
        id: id.into(),
        kind,
        name_zh: format!("{id} 流"),
        name_en: None,
        space: space.map(str::to_string),
        yuan_per_year: yuan,
        collection_rate: None,
        start_year: years.0,
        end_year: years.1,
        growth: 0.0,
    }
}

/// A ledger on Jinsong's features and items, with every optional part set somewhere.
fn ledger() -> Operations {
    let mut fee = flow("cf-fee", FlowKind::PropertyFee, None, 2_400_000, (2019, 2038));
    fee.collection_rate = Some(0.73);
    fee.growth = 0.021;
    fee.name_en = Some("Property fees".into());
    let mut rent = flow("cf-rent", FlowKind::Rent, Some("sp-a"), 1_100_000, (2018, 2040));
    rent.growth = 0.03;
    Operations {
        illustrative: true,
        note: Some("示意数据，非企业账目 / illustrative".into()),
        discount_rate: 0.055,
        early_subsidy_end: Some(2022),
        spaces: vec![
            space("sp-a", "node-livingroom", "living_room", (2019, 2038), &["it-culture-activities"]),
            space("sp-b", "core-property", "property", (2019, 2033), &[]),
            space("sp-c", "street-erqu-zhong", "parking", (2020, 2039), &["it-smart-parking"]),
        ],
        flows: vec![
            rent,
            fee,
            flow("cf-parking", FlowKind::Parking, Some("sp-c"), 600_000, (2020, 2039)),
            flow("cf-cost", FlowKind::Cost, None, 900_000, (2019, 2040)),
            flow("cf-subsidy", FlowKind::Subsidy, None, 500_000, (2019, 2026)),
        ],
    }
}

/// Jinsong with the ledger above (Jinsong's own, once it has one, replaced: the numbers here are known).
fn plan() -> Plan {
    let mut plan = Document::jinsong().plan().clone();
    plan.operations = ledger();
    plan
}

fn save_both(plan: &Plan, dir: &Path) -> [std::path::PathBuf; 2] {
    let (json, gpkg) = (dir.join("ledger.geojson"), dir.join("ledger.gpkg"));
    io::save_geojson(plan, &json).expect("GeoJSON saved");
    io::save_path(plan, &gpkg).expect("GeoPackage saved");
    [json, gpkg]
}

#[test]
fn both_plan_formats_keep_a_ledger_exactly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = plan();
    assert!(plan.operations.problems(&plan).is_empty(), "{:?}", plan.operations.problems(&plan));
    for file in save_both(&plan, dir.path()) {
        let back = io::load_path(&file).expect("opens");
        assert!(back.warnings.is_empty(), "{file:?}: {:?}", back.warnings);
        assert_eq!(back.plan.operations, plan.operations, "{file:?}");
        assert!(back.plan == plan, "{file:?}: the plan read back differs");
        let foreign = serde_json::Value::Object(back.plan.meta.foreign.clone()).to_string();
        assert!(!foreign.contains("operations"), "{file:?}: the ledger is not also kept as unknown data: {foreign}");
    }
    // The GeoJSON holds it as `renewal_plan.operations`, the GeoPackage as readable rows.
    let text = std::fs::read_to_string(dir.path().join("ledger.geojson")).expect("read");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(doc["renewal_plan"]["operations"]["flows"][1]["collection_rate"], 0.73);
    let c = rusqlite::Connection::open(dir.path().join("ledger.gpkg")).expect("db");
    let row: (String, String, f64, i32, i32, String) = c
        .query_row(
            "SELECT feature, \"use\", area_m2, term_start, term_end, items FROM rp_operating_spaces WHERE id = 'sp-c'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .expect("the space's row");
    assert_eq!(
        row,
        ("street-erqu-zhong".into(), "parking".into(), 123.45, 2020, 2039, "[\"it-smart-parking\"]".into())
    );
    let kinds: Vec<String> = c
        .prepare("SELECT kind FROM rp_cash_flows ORDER BY seq")
        .and_then(|mut q| q.query_map([], |r| r.get(0))?.collect())
        .expect("kinds");
    assert_eq!(kinds, ["rent", "property_fee", "parking", "cost", "subsidy"]);
    let registered: i64 = c
        .query_row(
            "SELECT count(*) FROM gpkg_contents WHERE data_type = 'attributes' AND table_name IN ('rp_operating_spaces', 'rp_cash_flows')",
            [],
            |r| r.get(0),
        )
        .expect("contents");
    assert_eq!(registered, 2, "GIS tools list both tables");
}

#[test]
fn an_empty_ledger_writes_nothing_and_reads_back_empty() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut plan = plan();
    plan.operations = Operations::default();
    for file in save_both(&plan, dir.path()) {
        let back = io::load_path(&file).expect("opens");
        assert!(back.plan.operations.is_empty(), "{file:?}");
    }
    let text = std::fs::read_to_string(dir.path().join("ledger.geojson")).expect("read");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert!(doc["renewal_plan"].get("operations").is_none());
}

#[test]
fn a_bad_ledger_in_a_plan_geojson_is_warnings_and_the_rest_is_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = plan();
    let [json, _] = save_both(&plan, dir.path());
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("read")).expect("JSON");
    let ops = &mut doc["renewal_plan"]["operations"];
    ops["spaces"][1]["term_start"] = "二〇一九".into();
    ops["flows"][3]["kind"] = "bribe".into();
    ops["discount_rate"] = "six percent".into();
    std::fs::write(&json, doc.to_string()).expect("write");
    let back = io::load_path(&json).expect("a bad ledger does not stop the plan opening");
    let places: Vec<&str> = back.warnings.iter().map(|w| w.place.as_str()).collect();
    assert_eq!(
        places,
        [
            "renewal_plan.operations.discount_rate",
            "renewal_plan.operations.spaces[1]",
            "renewal_plan.operations.flows[3]"
        ],
        "{:?}",
        back.warnings
    );
    let ops = &back.plan.operations;
    let ids = |v: Vec<&str>| v.join(",");
    assert_eq!(ids(ops.spaces.iter().map(|s| s.id.as_str()).collect()), "sp-a,sp-c");
    assert_eq!(ids(ops.flows.iter().map(|f| f.id.as_str()).collect()), "cf-rent,cf-fee,cf-parking,cf-subsidy");
    assert_eq!(ops.discount_rate, 0.06, "the default rate");
    assert!(ops.illustrative);
    // Not an object at all: one warning, no ledger.
    doc["renewal_plan"]["operations"] = serde_json::json!([1, 2]);
    std::fs::write(&json, doc.to_string()).expect("write");
    let back = io::load_path(&json).expect("opens");
    assert_eq!(back.warnings.len(), 1, "{:?}", back.warnings);
    assert_eq!(back.warnings[0].place, "renewal_plan.operations");
    assert!(back.plan.operations.is_empty());
}

#[test]
fn a_bad_row_of_the_ledger_tables_is_a_warning_and_the_rest_opens() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = plan();
    let [_, gpkg] = save_both(&plan, dir.path());
    {
        let c = rusqlite::Connection::open(&gpkg).expect("db");
        c.execute("UPDATE rp_operating_spaces SET term_end = '二〇三八' WHERE id = 'sp-a'", []).expect("sql");
        c.execute("UPDATE rp_operating_spaces SET items = 'it-a, it-b' WHERE id = 'sp-c'", []).expect("sql");
        c.execute("UPDATE rp_cash_flows SET kind = 'bribe' WHERE id = 'cf-cost'", []).expect("sql");
        c.execute("UPDATE rp_cash_flows SET yuan_per_year = 'lots' WHERE id = 'cf-fee'", []).expect("sql");
    }
    let back = io::load_path(&gpkg).expect("opens");
    let places: Vec<&str> = back.warnings.iter().map(|w| w.place.as_str()).collect();
    assert_eq!(
        places,
        ["rp_operating_spaces row 0", "rp_operating_spaces row 2", "rp_cash_flows row 1", "rp_cash_flows row 3"],
        "{:?}",
        back.warnings
    );
    assert!(back.warnings[0].message.contains("term_end “二〇三八”"), "{}", back.warnings[0].message);
    assert!(back.warnings[2].message.contains("yuan_per_year “lots”"), "{}", back.warnings[2].message);
    assert!(back.warnings[3].message.contains("\"bribe\""), "{}", back.warnings[3].message);
    let ops = &back.plan.operations;
    assert_eq!(ops.spaces.len(), 1);
    assert_eq!(ops.spaces[0], plan.operations.spaces[1]);
    assert_eq!(ops.flows.len(), 3);
    assert_eq!((ops.discount_rate, ops.early_subsidy_end), (0.055, Some(2022)), "the settings are read");
}

/// A schema-6 plan file (before the ledger) opens with an empty ledger and no warning; saving writes
/// schema 7.
#[test]
fn a_schema_6_plan_file_opens_with_an_empty_ledger() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut plan = plan();
    plan.operations = Operations::default();
    let gpkg = dir.path().join("v6.gpkg");
    io::save_path(&plan, &gpkg).expect("saved");
    {
        let c = rusqlite::Connection::open(&gpkg).expect("db");
        c.execute_batch(
            "DROP TABLE rp_operating_spaces; DROP TABLE rp_cash_flows; \
             DELETE FROM gpkg_contents WHERE table_name IN ('rp_operating_spaces', 'rp_cash_flows'); \
             UPDATE rp_meta SET value = '6' WHERE key = 'schema_version';",
        )
        .expect("sql");
    }
    let back = io::load_path(&gpkg).expect("opens");
    assert!(back.warnings.is_empty(), "{:?}", back.warnings);
    assert!(back.plan == plan, "the schema-6 plan reads as it was");
    // A schema-6 file saved from a plan GeoJSON whose ledger that build did not know kept it as unknown
    // data of the plan member: it is read from there now.
    {
        let c = rusqlite::Connection::open(&gpkg).expect("db");
        let foreign = serde_json::json!({"renewal_plan": {"operations": ledger()}}).to_string();
        c.execute("UPDATE rp_meta SET value = ?1 WHERE key = 'foreign'", [foreign]).expect("sql");
    }
    let back = io::load_path(&gpkg).expect("opens");
    assert!(back.warnings.is_empty(), "{:?}", back.warnings);
    assert_eq!(back.plan.operations, ledger());
    assert!(back.plan.meta.foreign.is_empty(), "{:?}", back.plan.meta.foreign);
    io::save_path(&back.plan, &gpkg).expect("saved again");
    let c = rusqlite::Connection::open(&gpkg).expect("db");
    let v: String =
        c.query_row("SELECT value FROM rp_meta WHERE key = 'schema_version'", [], |r| r.get(0)).expect("version");
    assert_eq!(v, io::gpkg::SCHEMA_VERSION.to_string());
    assert_eq!(io::gpkg::SCHEMA_VERSION, 7);
}

/// Runs the binary; its stdout, or panics with stderr.
fn run_ok(args: &[&std::ffi::OsStr]) -> String {
    let o = bin().args(args).output().expect("runs");
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).expect("UTF-8")
}

/// Runs the binary expecting a failure: its one line of stderr (exit 1).
fn run_err(args: &[&std::ffi::OsStr]) -> String {
    let o = bin().args(args).output().expect("runs");
    assert_eq!(o.status.code(), Some(1), "{args:?} should fail with exit 1");
    let e = String::from_utf8(o.stderr).expect("UTF-8");
    assert_eq!(e.trim_end().lines().count(), 1, "{args:?}: one line: {e}");
    e
}

fn info_json(file: &Path) -> serde_json::Value {
    serde_json::from_str(&run_ok(&["info".as_ref(), file.as_os_str(), "--json".as_ref()])).expect("JSON")
}

/// The rows of a cash-flow CSV as numbers (the header checked, the BOM skipped).
fn csv_rows(path: &Path) -> Vec<[i64; 7]> {
    let bytes = std::fs::read(path).expect("the CSV");
    assert!(bytes.starts_with(b"\xef\xbb\xbf"), "UTF-8 with a BOM");
    let text = String::from_utf8(bytes[3..].to_vec()).expect("UTF-8");
    let mut lines = text.split("\r\n").filter(|l| !l.is_empty());
    assert_eq!(
        lines.next().expect("a header"),
        "年份 year,社会资本投入（元） investment_yuan,经营收入（元） revenue_yuan,运营成本（元） cost_yuan,\
         政府购买服务（元） subsidy_yuan,净收益（元） net_yuan,累计（元） cumulative_yuan"
    );
    lines
        .map(|l| {
            let v: Vec<i64> = l.split(',').map(|c| c.parse().expect("a whole number")).collect();
            v.try_into().expect("seven columns")
        })
        .collect()
}

/// Recomputes from the CSV's yearly amounts: net and cumulative, and the payback year.
fn recompute(rows: &[[i64; 7]]) -> (Vec<i64>, Option<i64>) {
    let mut cum = 0i64;
    let mut out = Vec::new();
    for r in rows {
        let net = r[2] - r[3] + r[4];
        assert_eq!(net, r[5], "net = revenue − cost + subsidy in {}", r[0]);
        cum = cum + net - r[1];
        out.push(cum);
    }
    let payback = rows.iter().zip(&out).find(|(_, c)| **c >= 0).map(|(r, _)| r[0]);
    (out, payback)
}

fn export_csv(file: &Path, out: &Path, extra: &[&str]) {
    let mut args: Vec<&std::ffi::OsStr> =
        vec!["export".as_ref(), file.as_os_str(), "-o".as_ref(), out.as_os_str(), "--operations".as_ref()];
    args.extend(extra.iter().map(|a| -> &std::ffi::OsStr { a.as_ref() }));
    let said = run_ok(&args);
    assert!(said.starts_with("wrote ") && said.contains(" years)"), "{said}");
}

#[test]
fn info_json_tells_the_ledger_and_the_exported_csv_recomputes_to_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = plan();
    let [json, gpkg] = save_both(&plan, dir.path());
    let info = info_json(&gpkg);
    assert_eq!(info_json(&json)["operations"], info["operations"], "both plan formats tell the same ledger");
    let ops = &info["operations"];
    let investment = ops["investment_yuan"].as_i64().expect("investment");
    assert_eq!(Some(investment), info["money"]["by_source"]["social_capital"].as_i64());
    assert!(investment > 0);
    let by_year = ops["by_year"].as_array().expect("rows");
    let yearly: i64 = by_year.iter().map(|r| r["investment_yuan"].as_i64().expect("number")).sum();
    assert_eq!(yearly, investment, "the yearly investment sums to the total");
    let spaces = ops["spaces"].as_array().expect("spaces");
    assert_eq!(spaces.len(), 3);
    for key in ["feature", "operator", "use", "area_m2", "term_start", "term_end"] {
        assert!(!spaces[2][key].is_null(), "spaces[].{key}");
    }
    assert_eq!(spaces[2]["use"], "parking");
    assert!(ops["npv_yuan"].is_number() && ops["illustrative"] == true);
    assert_eq!(ops["problems"], serde_json::json!([]));

    let csv = dir.path().join("cashflow.csv");
    export_csv(&gpkg, &csv, &[]);
    let rows = csv_rows(&csv);
    assert_eq!(rows.len(), by_year.len());
    let (cum, payback) = recompute(&rows);
    for ((r, c), j) in rows.iter().zip(&cum).zip(by_year) {
        let want: Vec<i64> = ["year", "investment_yuan", "revenue_yuan", "cost_yuan", "subsidy_yuan", "net_yuan"]
            .iter()
            .map(|k| j[*k].as_i64().expect("number"))
            .collect();
        assert_eq!(&r[..6], &want[..], "the CSV's year {} is info's", r[0]);
        assert_eq!(Some(*c), j["cumulative_yuan"].as_i64(), "cumulative recomputed in {}", r[0]);
        assert_eq!(r[6], *c);
    }
    assert_eq!(payback, ops["payback_year"].as_i64(), "payback recomputed from the CSV = info's");
    assert!(payback.is_some(), "this ledger pays back");
    // Plain info says the same.
    let text = run_ok(&["info".as_ref(), gpkg.as_os_str()]);
    assert!(text.contains(&format!("payback:     {}", payback.unwrap())), "{text}");
    assert!(text.contains("(illustrative figures)") && text.contains("IRR:"), "{text}");
}

#[test]
fn a_lower_revenue_scale_never_pays_back_earlier() {
    let dir = tempfile::tempdir().expect("temp dir");
    let [_, gpkg] = save_both(&plan(), dir.path());
    let mut last: Option<i64> = None;
    for (k, scale) in ["1.5", "1.2", "1", "0.9", "0.8", "0.6", "0.3", "0"].iter().enumerate() {
        let csv = dir.path().join(format!("cf{k}.csv"));
        export_csv(&gpkg, &csv, &["--revenue-scale", scale]);
        let (_, payback) = recompute(&csv_rows(&csv));
        if let Some(before) = last {
            assert!(
                payback.unwrap_or(i64::MAX) >= before,
                "revenue at {scale} paid back in {payback:?}, earlier than {before} at a higher scale"
            );
        }
        last = Some(payback.unwrap_or(i64::MAX));
    }
    assert_eq!(last, Some(i64::MAX), "with no revenue at all it never pays back");
    // Subsidies scaled too.
    let csv = dir.path().join("sub.csv");
    export_csv(&gpkg, &csv, &["--subsidy-scale", "2", "--revenue-scale", "0.8"]);
    let rows = csv_rows(&csv);
    let plain = dir.path().join("plain.csv");
    export_csv(&gpkg, &plain, &["--revenue-scale", "0.8"]);
    let base = csv_rows(&plain);
    let sub = |rows: &[[i64; 7]]| rows.iter().map(|r| r[4]).sum::<i64>();
    assert_eq!(sub(&rows), 2 * sub(&base));
}

#[test]
fn the_cash_flow_workbook_and_the_schedule_sheet() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let dir = tempfile::tempdir().expect("temp dir");
    let [_, gpkg] = save_both(&plan(), dir.path());
    let info = info_json(&gpkg);
    let payback = info["operations"]["payback_year"].as_i64().expect("pays back");
    let xlsx = dir.path().join("cashflow.xlsx");
    export_csv(&gpkg, &xlsx, &["--revenue-scale", "0.8"]);
    let mut wb: Xlsx<_> = open_workbook(&xlsx).expect("calamine opens it");
    let range = wb.worksheet_range("现金流 Cash flow").expect("the sheet");
    let cells: Vec<String> = range.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
    assert!(cells.iter().any(|c| c == "示意数据 illustrative"), "{cells:?}");
    assert!(cells.iter().any(|c| c == "收入 80%，补贴 100%"), "the scenario is said");
    assert!(cells.iter().any(|c| c == "年份 year"));

    let schedule = dir.path().join("schedule.xlsx");
    run_ok(&["export".as_ref(), gpkg.as_os_str(), "-o".as_ref(), schedule.as_os_str()]);
    let mut wb: Xlsx<_> = open_workbook(&schedule).expect("calamine opens it");
    assert_eq!(wb.sheet_names().last().map(String::as_str), Some("运营收益"));
    let range = wb.worksheet_range("运营收益").expect("the sheet");
    let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
    let text = |r: &Vec<Data>, c: usize| r.get(c).map(|d| d.to_string()).unwrap_or_default();
    assert_eq!(text(&rows[0], 0), "示意数据 illustrative");
    let at = |label: &str| rows.iter().position(|r| text(r, 0) == label).unwrap_or_else(|| panic!("{label}"));
    assert_eq!(text(&rows[at("回本年份 payback year")], 1), payback.to_string());
    // The sensitivity table: revenue 100 % with subsidy 100 % is the ledger as planned.
    let head = at("敏感性：回本年份 sensitivity: payback year");
    let col = rows[head].iter().position(|c| matches!(c, Data::String(s) if s == "补贴 100%")).expect("the column");
    let row = rows.iter().position(|r| text(r, 0) == "收入 100%").expect("the row");
    assert_eq!(text(&rows[row], col), payback.to_string());
    assert!(rows[head].iter().any(|c| matches!(c, Data::String(s) if s == "补贴至 2022 年止")), "the early end case");
}

#[test]
fn command_line_faults_are_one_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let [_, gpkg] = save_both(&plan(), dir.path());
    let out = dir.path().join("cf.csv");
    let args = |extra: &[&str]| {
        let mut v: Vec<std::ffi::OsString> =
            vec!["export".into(), gpkg.clone().into(), "-o".into(), out.clone().into(), "--operations".into()];
        v.extend(extra.iter().map(|a| a.into()));
        v
    };
    for (extra, says) in [
        (&["--revenue-scale", "NaN"][..], "--revenue-scale NaN: give a number from 0 to 10"),
        (&["--revenue-scale", "-0.5"][..], "--revenue-scale -0.5: give a number from 0 to 10"),
        (&["--subsidy-scale", "11"][..], "--subsidy-scale 11: give a number from 0 to 10"),
        (&["--subsidy-scale", "inf"][..], "--subsidy-scale inf"),
        (&["--revenue-scale", "八成"][..], "--revenue-scale 八成"),
    ] {
        let a = args(extra);
        let e = run_err(&a.iter().map(|s| s.as_os_str()).collect::<Vec<_>>());
        assert!(e.contains(says), "{extra:?}: {e}");
        assert!(!out.exists(), "nothing written");
    }
    let pdf = dir.path().join("cf.pdf");
    let e = run_err(&["export".as_ref(), gpkg.as_os_str(), "-o".as_ref(), pdf.as_os_str(), "--operations".as_ref()]);
    assert!(e.contains("written as .csv or .xlsx"), "{e}");
    let e = run_err(&[
        "export".as_ref(),
        gpkg.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
        "--revenue-scale".as_ref(),
        "0.8".as_ref(),
    ]);
    assert!(e.contains("with --operations"), "{e}");
    // A plan without a ledger.
    let mut bare = plan();
    bare.operations = Operations::default();
    let bare_file = dir.path().join("bare.gpkg");
    io::save_path(&bare, &bare_file).expect("saved");
    let e =
        run_err(&["export".as_ref(), bare_file.as_os_str(), "-o".as_ref(), out.as_os_str(), "--operations".as_ref()]);
    assert!(e.contains("bare.gpkg: --operations: the plan has no operations ledger"), "{e}");
    assert!(!out.exists());
    assert!(info_json(&bare_file)["operations"].is_null(), "no ledger: null");
}

/// A ledger with problems still opens and is told: `info` names each problem.
#[test]
fn info_names_the_ledgers_problems() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut plan = plan();
    plan.operations.spaces[0].area_m2 = -5.0;
    plan.operations.flows[0].end_year = 2010;
    plan.operations.flows[2].space = Some("sp-gone".into());
    let [json, _] = save_both(&plan, dir.path());
    let info = info_json(&json);
    let problems: Vec<&str> =
        info["operations"]["problems"].as_array().expect("list").iter().filter_map(|p| p.as_str()).collect();
    assert_eq!(
        problems,
        [
            "sp-a: the area -5 m² is negative",
            "cf-rent: ends (2010) before it starts (2018)",
            "cf-parking: operating space sp-gone does not exist"
        ]
    );
    let text = run_ok(&["info".as_ref(), json.as_os_str()]);
    assert!(text.contains("warning: cf-parking: operating space sp-gone does not exist"), "{text}");
}

/// A poppler tool, or a loud SKIPPED (a failure on CI, which installs poppler-utils).
fn poppler(tool: &str) -> bool {
    let here = Command::new(tool).arg("-v").output().is_ok();
    assert!(here || std::env::var("CI").as_deref() != Ok("true"), "CI must have {tool} (poppler-utils)");
    if !here {
        eprintln!("SKIPPED: {tool} (poppler-utils) is not installed; the handout's payback chart is not checked");
    }
    here
}

#[test]
fn a_payback_slide_draws_the_chart_with_infos_payback_year() {
    if !poppler("pdftoppm") || !poppler("pdftotext") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut plan = plan();
    plan.stories[0].slides[0].payback_chart = true;
    let [_, gpkg] = save_both(&plan, dir.path());
    let payback = info_json(&gpkg)["operations"]["payback_year"].as_i64().expect("pays back");
    let pdf = dir.path().join("handout.pdf");
    run_ok(&["export".as_ref(), gpkg.as_os_str(), "-o".as_ref(), pdf.as_os_str(), "--story".as_ref()]);
    let page_text = |page: &str| {
        let o = Command::new("pdftotext").args(["-f", page, "-l", page]).arg(&pdf).arg("-").output().expect("runs");
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let first = page_text("1");
    assert!(first.contains(&format!("回本年份 {payback}")), "the chart names info's payback year: {first}");
    assert!(first.contains("示意数据 illustrative") && first.contains("万元"), "{first}");
    assert!(!page_text("2").contains("回本年份"), "only the slide that asks for it has the chart");
    let prefix = dir.path().join("page").to_string_lossy().into_owned();
    let o = Command::new("pdftoppm")
        .args(["-r", "60", "-png", "-singlefile", "-f", "1", "-l", "1"])
        .arg(&pdf)
        .arg(&prefix)
        .output()
        .expect("pdftoppm runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let img = image::open(format!("{prefix}.png")).expect("the page").to_rgb8();
    // At 60 dpi a point is 60/72 px: the chart's column starts at 530 pt.
    let near = |p: &image::Rgb<u8>, c: [u8; 3]| p.0.iter().zip(c).all(|(a, b)| a.abs_diff(b) < 40);
    let in_chart =
        |c: [u8; 3]| img.enumerate_pixels().filter(|(x, _, p)| *x as f32 > 530.0 * 60.0 / 72.0 && near(p, c)).count();
    assert!(in_chart([0x2F, 0x5D, 0x8A]) > 40, "the cumulative line is drawn");
    assert!(in_chart([0x4E, 0x8A, 0x5E]) > 20 || in_chart([0xB0, 0xD0, 0xB8]) > 20, "the term bands are drawn");
    assert!(in_chart([0xB0, 0x3A, 0x2E]) > 10, "the payback year is marked");
}

/// Jinsong's own illustrative ledger: read from the embedded plan with no warning, its investment the
/// 30 M yuan of social capital, paying back within the operating terms, the same through both plan
/// formats, and the story's payback slide draws it.
#[test]
fn jinsongs_ledger_pays_back_its_social_capital() {
    let loaded = io::load_jinsong();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let plan = loaded.plan;
    assert!(plan.operations.illustrative && plan.operations.spaces.len() >= 5, "Jinsong ships a ledger");
    assert!(plan.operations.problems(&plan).is_empty(), "{:?}", plan.operations.problems(&plan));
    let info: serde_json::Value =
        serde_json::from_str(&run_ok(&["info".as_ref(), "jinsong".as_ref(), "--json".as_ref()])).expect("JSON");
    let ops = &info["operations"];
    assert_eq!(ops["investment_yuan"], 30_000_000);
    assert_eq!(info["money"]["by_source"]["social_capital"], 30_000_000);
    let payback = ops["payback_year"].as_i64().expect("Jinsong pays back");
    assert!((2029..=2031).contains(&payback), "payback {payback}");
    let last_term = plan.operations.spaces.iter().map(|s| s.term_end).max().expect("spaces");
    assert!(payback <= i64::from(last_term), "within the operating terms");
    let dir = tempfile::tempdir().expect("temp dir");
    for file in save_both(&plan, dir.path()) {
        let back = io::load_path(&file).expect("opens");
        assert!(back.warnings.is_empty(), "{file:?}: {:?}", back.warnings);
        assert_eq!(back.plan.operations, plan.operations, "{file:?}");
        assert_eq!(info_json(&file)["operations"], *ops, "{file:?}");
    }
    let csv = dir.path().join("jinsong.csv");
    export_csv(Path::new("jinsong"), &csv, &[]);
    assert_eq!(recompute(&csv_rows(&csv)).1, Some(payback));
    // The story's payback slide.
    let at = plan.stories[0].slides.iter().position(|s| s.payback_chart).expect("a payback slide");
    if !poppler("pdftotext") {
        return;
    }
    let pdf = dir.path().join("story.pdf");
    run_ok(&["export".as_ref(), "jinsong".as_ref(), "-o".as_ref(), pdf.as_os_str(), "--story".as_ref()]);
    let page = (at + 1).to_string();
    let o = Command::new("pdftotext").args(["-f", &page, "-l", &page]).arg(&pdf).arg("-").output().expect("runs");
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains(&format!("回本年份 {payback}")), "page {page}: {text}");
}
