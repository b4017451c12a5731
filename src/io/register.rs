//! The residents' register read back from a spreadsheet (`consent import`):
//! the table `export --consent` writes (`household, building, unit, floor,
//! room, area_m2, owner_type`, optionally `owner_name, phone`, then one column
//! per matter id), as a planner edited it in Excel — CSV with or without a BOM,
//! GBK, or a workbook; numbers as numbers or as text.
//!
//! The file is the whole register: [`import`] makes the plan's consent from it
//! (households added, changed, removed with their votes; each matter column's
//! votes set) or refuses with one line naming the first bad row (its
//! spreadsheet number, the header being row 1) and the fault. Nothing is
//! written here: the caller saves the plan only when this succeeds.

use std::collections::{BTreeMap, HashMap};

use super::table::{self, Cell, Row};
use crate::model::consent::{Choice, Consent, Household, OwnerType, Vote};

/// The register's columns, in the order the export writes them.
pub const COLUMNS: [&str; 7] = ["household", "building", "unit", "floor", "room", "area_m2", "owner_type"];
/// The personal data columns, written only when the planner asks for them in the window.
pub const PERSONAL: [&str; 2] = ["owner_name", "phone"];
/// The columns a register must have (`owner_type` may be left out: kept, or private for a new household).
const REQUIRED: usize = 6;

/// What an import changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Imported {
    /// Households in the file.
    pub households: usize,
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    /// Votes set, changed or cleared by the matter columns.
    pub votes_set: usize,
    /// Matter columns read.
    pub matters: usize,
}

impl Imported {
    pub fn is_nothing(&self) -> bool {
        self.added == 0 && self.changed == 0 && self.removed == 0 && self.votes_set == 0
    }
}

/// A spreadsheet's column letter (0 → A, 26 → AA).
pub fn column_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// What a header column is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Col {
    /// One of [`COLUMNS`] then [`PERSONAL`], by index.
    Field(usize),
    /// A matter, by its index in the plan.
    Matter(usize),
}

/// A good row: its household, its votes by matter index (those in the matter's scope) and the
/// plan's id of the household when the row renumbers it.
type ReadRow = (Household, Vec<(usize, Option<Choice>)>, Option<String>);

/// Reads a register file's bytes (CSV or workbook) into rows.
pub fn read(bytes: &[u8]) -> Result<Vec<Row>, String> {
    table::rows(bytes).map_err(|e| e.to_string())
}

fn clip(s: &str) -> String {
    super::clip(s.trim(), 40)
}

/// The consent a register file makes of `consent`, with what changed; or the
/// one-line fault: `row N: …` (and how many more rows have faults).
/// `building_exists` says whether a building key is a feature of the plan;
/// `today` dates the votes that are new or changed.
pub fn import(
    consent: &Consent,
    rows: &[Row],
    building_exists: impl Fn(&str) -> bool,
    today: &str,
) -> Result<(Consent, Imported), String> {
    let Some((head_row, head)) = rows.first() else {
        return Err("the file is empty; a register has a header row (household, building, unit, floor, room, area_m2, owner_type, a column per matter)".into());
    };
    // The header: every named column a register column or a matter of the plan, each once.
    let mut cols: BTreeMap<usize, Col> = BTreeMap::new();
    let mut seen: HashMap<Col, usize> = HashMap::new();
    let all_fields: Vec<&str> = COLUMNS.iter().chain(PERSONAL.iter()).copied().collect();
    for (i, cell) in head {
        let name = cell.text().trim().trim_start_matches('\u{feff}').trim().to_string();
        let col = if let Some(k) = all_fields.iter().position(|f| f.eq_ignore_ascii_case(&name)) {
            Col::Field(k)
        } else if let Some(m) = consent.matters.iter().position(|m| m.id == name) {
            Col::Matter(m)
        } else {
            let ids: Vec<&str> = consent.matters.iter().map(|m| m.id.as_str()).collect();
            return Err(format!(
                "row {head_row}: column {} “{}” is neither a register column ({}) nor a matter of the plan ({})",
                column_letter(*i),
                clip(&name),
                COLUMNS.join(", "),
                if ids.is_empty() { "it has none".to_string() } else { ids.join(", ") }
            ));
        };
        if let Some(other) = seen.insert(col, *i) {
            return Err(format!(
                "row {head_row}: column “{}” is given twice (columns {} and {})",
                clip(&name),
                column_letter(other),
                column_letter(*i)
            ));
        }
        cols.insert(*i, col);
    }
    if let Some(missing) = COLUMNS[..REQUIRED].iter().enumerate().find(|(k, _)| !seen.contains_key(&Col::Field(*k))) {
        return Err(format!(
            "row {head_row}: no “{}” column; a register has the columns {} and one per matter",
            missing.1,
            COLUMNS.join(", ")
        ));
    }
    let field_col = |k: usize| seen.get(&Col::Field(k)).copied();
    let matter_cols: Vec<(usize, usize)> =
        cols.iter().filter_map(|(i, c)| if let Col::Matter(m) = c { Some((*i, *m)) } else { None }).collect();

    // Each flat of the plan's register, and the first row listing each household id: a row whose id is new
    // but whose flat is a household the file no longer lists is that household renumbered (its owner's name,
    // phone and votes carried over); a flat given to another id the plan or the file still has is refused.
    let plan_flats: HashMap<(&str, &str, &str), &Household> =
        consent.households.values().map(|h| ((h.building.as_str(), h.unit.as_str(), h.room.as_str()), h)).collect();
    let mut listed: HashMap<String, usize> = HashMap::new();
    for (n, cells) in &rows[1..] {
        if let Some((_, c)) = cells.iter().find(|(i, _)| Some(*i) == field_col(0)) {
            let id = c.text().trim().to_string();
            if !id.is_empty() {
                listed.entry(id).or_insert(*n);
            }
        }
    }
    let mut faults: Vec<(usize, String)> = Vec::new();
    let mut households: BTreeMap<String, Household> = BTreeMap::new();
    let mut row_of: HashMap<String, usize> = HashMap::new();
    // Households renumbered: (the plan's id, the file's).
    let mut renamed: Vec<(String, String)> = Vec::new();
    let mut rooms: HashMap<(String, String, String), usize> = HashMap::new();
    // Per matter index: household id → its vote in the file.
    let mut votes: Vec<BTreeMap<String, Option<Choice>>> = vec![BTreeMap::new(); consent.matters.len()];
    for (n, cells) in &rows[1..] {
        let n = *n;
        let get =
            |i: Option<usize>| -> Option<&Cell> { i.and_then(|i| cells.iter().find(|(c, _)| *c == i).map(|(_, v)| v)) };
        let text = |k: usize| get(field_col(k)).map(|c| c.text().trim().to_string()).unwrap_or_default();
        let row = (|| -> Result<ReadRow, String> {
            if let Some((i, _)) = cells.iter().find(|(i, c)| !cols.contains_key(i) && !c.is_empty()) {
                return Err(format!("column {} has a value but no header", column_letter(*i)));
            }
            let id = text(0);
            if id.is_empty() {
                return Err("no household id".into());
            }
            if let Some(other) = row_of.get(&id) {
                return Err(format!("household “{}” is listed twice (also row {other})", clip(&id)));
            }
            let building = text(1);
            if building.is_empty() {
                return Err(format!("household {}: no building", clip(&id)));
            }
            if !building_exists(&building) {
                return Err(format!("household {}: building “{}” is not in the plan", clip(&id), clip(&building)));
            }
            // Spreadsheets write whole numbers as "101.0": a 单元, floor or room is the number.
            let unit = whole(text(2));
            if unit.is_empty() {
                return Err(format!("household {}: no unit (单元)", clip(&id)));
            }
            let floor =
                match get(field_col(3)) {
                    Some(Cell::Number(f)) if f.fract() == 0.0 && f.abs() < 1e6 => *f as i32,
                    Some(c) => {
                        let t = whole(c.text());
                        t.trim().parse::<i32>().ok().filter(|f| f.abs() < 1_000_000).ok_or_else(|| {
                            format!("household {}: floor “{}” is not a whole number", clip(&id), clip(&t))
                        })?
                    }
                    None => return Err(format!("household {}: no floor", clip(&id))),
                };
            let room = whole(text(4));
            if room.is_empty() {
                return Err(format!("household {}: no room", clip(&id)));
            }
            let area_m2 =
                match get(field_col(5)) {
                    Some(Cell::Number(a)) => *a,
                    Some(c) => c.text().trim().parse::<f64>().map_err(|_| {
                        format!("household {}: area “{}” is not a number (m²)", clip(&id), clip(&c.text()))
                    })?,
                    None => return Err(format!("household {}: no area_m2", clip(&id))),
                };
            if !area_m2.is_finite() {
                return Err(format!("household {}: area “{area_m2}” is not a number (m²)", clip(&id)));
            }
            if area_m2 < 0.0 {
                return Err(format!("household {}: area {area_m2} m² is negative", clip(&id)));
            }
            let key = (building.as_str(), unit.as_str(), room.as_str());
            if let Some(other) = rooms.get(&(building.clone(), unit.clone(), room.clone())) {
                return Err(format!(
                    "household {}: room {} of {} 单元 {} is given twice (also row {other})",
                    clip(&id),
                    clip(&room),
                    clip(&building),
                    clip(&unit)
                ));
            }
            let by_id = consent.households.get(&id);
            let old = match plan_flats.get(&key) {
                Some(o) if o.id != id => {
                    let swapped = |what: String| {
                        format!(
                            "household {}: room {} of {} 单元 {} is household {} in the plan, {what}; a flat given to \
                             another household that is still there would move owners' names, phones and votes \
                             between flats: keep each household's id with its room",
                            clip(&id),
                            clip(&room),
                            clip(&building),
                            clip(&unit),
                            clip(&o.id)
                        )
                    };
                    if let Some(r) = listed.get(&o.id) {
                        return Err(swapped(format!("which row {r} lists too")));
                    }
                    if let Some(b) = by_id {
                        return Err(swapped(format!(
                            "and {} is room {} of {} 单元 {} there",
                            clip(&id),
                            clip(&b.room),
                            clip(&b.building),
                            clip(&b.unit)
                        )));
                    }
                    // Renumbered: the same flat under a new id.
                    Some(*o)
                }
                _ => by_id,
            };
            let owner_type = match text(6).as_str() {
                "" => old.map(|h| h.owner_type).unwrap_or_default(),
                t => OwnerType::parse(t).ok_or_else(|| {
                    format!(
                        "household {}: owner type “{}” is not private, public_tenant or institution (私有产权, 公房承租, 产权单位)",
                        clip(&id),
                        clip(t)
                    )
                })?,
            };
            // Personal data: as the file says when it has the column (the window's export with it asked for),
            // else kept as the plan has it.
            let personal = |k: usize, kept: Option<&String>| match field_col(k) {
                Some(_) => Some(text(k)).filter(|t| !t.is_empty()),
                None => kept.cloned(),
            };
            let h = Household {
                owner_name: personal(7, old.and_then(|h| h.owner_name.as_ref())),
                phone: personal(8, old.and_then(|h| h.phone.as_ref())),
                id: id.clone(),
                building,
                unit,
                floor,
                room,
                area_m2,
                owner_type,
            };
            let mut vs = Vec::new();
            for (i, m) in &matter_cols {
                let matter = &consent.matters[*m];
                let cell = get(Some(*i)).map(|c| c.text()).unwrap_or_default();
                let choice =
                    Choice::parse(&cell).map_err(|e| format!("household {}, matter {}: {e}", clip(&id), matter.id))?;
                if let Some(c) = choice
                    && !matter.scope.contains(&h)
                {
                    return Err(format!(
                        "household {} is outside the scope of matter {} but has the vote “{}”",
                        clip(&id),
                        matter.id,
                        c.as_str()
                    ));
                }
                if matter.scope.contains(&h) {
                    vs.push((*m, choice));
                }
            }
            Ok((h, vs, old.filter(|o| o.id != id).map(|o| o.id.clone())))
        })();
        match row {
            Ok((h, vs, from)) => {
                if let Some(from) = from {
                    renamed.push((from, h.id.clone()));
                }
                row_of.insert(h.id.clone(), n);
                rooms.insert((h.building.clone(), h.unit.clone(), h.room.clone()), n);
                for (m, c) in vs {
                    votes[m].insert(h.id.clone(), c);
                }
                households.insert(h.id.clone(), h);
            }
            Err(e) => {
                // The row is still remembered, so a second fault it causes is not counted for the next.
                let id = text(0);
                if !id.is_empty() {
                    row_of.entry(id).or_insert(n);
                }
                faults.push((n, e));
            }
        }
    }
    if let Some((n, e)) = faults.first() {
        let more = match faults.len() - 1 {
            0 => String::new(),
            1 => " (and 1 more row with a fault)".into(),
            k => format!(" (and {k} more rows with faults)"),
        };
        return Err(format!("row {n}: {e}{more}"));
    }
    if households.is_empty() && !consent.households.is_empty() {
        return Err(format!(
            "row {head_row}: the register has a header but no households; importing it would remove all {} households",
            consent.households.len()
        ));
    }

    let mut out = consent.clone();
    let mut done = Imported { households: households.len(), matters: matter_cols.len(), ..Imported::default() };
    for (id, h) in &households {
        match consent.households.get(id) {
            None if renamed.iter().any(|(_, new)| new == id) => done.changed += 1,
            None => done.added += 1,
            Some(old) if old != h => done.changed += 1,
            Some(_) => {}
        }
    }
    let removed: Vec<&String> = consent
        .households
        .keys()
        .filter(|id| !households.contains_key(*id) && !renamed.iter().any(|(old, _)| old == *id))
        .collect();
    done.removed = removed.len();
    for on in out.votes.values_mut() {
        for id in &removed {
            on.remove(*id);
        }
        // A renumbered household's votes, with their dates and methods, go with it.
        for (old, new) in &renamed {
            if let Some(v) = on.remove(old) {
                on.insert(new.clone(), v);
            }
        }
    }
    out.households = households;
    for (_, m) in &matter_cols {
        let matter = &consent.matters[*m];
        let on = out.votes.entry(matter.id.clone()).or_default();
        for (id, choice) in &votes[*m] {
            let old = on.get(id).map(|v| v.vote);
            if old == *choice {
                continue;
            }
            done.votes_set += 1;
            match choice {
                Some(c) => {
                    on.insert(id.clone(), Vote { vote: *c, date: Some(today.to_string()), method: None });
                }
                None => {
                    on.remove(id);
                }
            }
        }
    }
    // A matter left with no vote keeps no empty list (as a plan never had one).
    out.votes.retain(|m, on| !on.is_empty() || consent.votes.get(m).is_some_and(|v| v.is_empty()));
    Ok((out, done))
}

/// "101.0" or "101.00" (how spreadsheets and pandas write a whole number) as "101"; other text as it is.
fn whole(t: String) -> String {
    match t.split_once('.') {
        Some((int, frac))
            if !int.is_empty()
                && int.bytes().all(|b| b.is_ascii_digit())
                && !frac.is_empty()
                && frac.bytes().all(|b| b == b'0') =>
        {
            int.to_string()
        }
        _ => t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::consent::{Matter, Scope, UnitRef};

    fn consent() -> Consent {
        let mut c = Consent::default();
        for (id, unit, room) in [("h1", "1", "101"), ("h2", "1", "102"), ("h3", "2", "101")] {
            c.households.insert(
                id.into(),
                Household {
                    id: id.into(),
                    building: "b1".into(),
                    unit: unit.into(),
                    floor: 1,
                    room: room.into(),
                    area_m2: 50.0,
                    owner_type: OwnerType::Private,
                    owner_name: Some("张三丰".into()),
                    phone: None,
                },
            );
        }
        c.matters.push(Matter {
            id: "m1".into(),
            title_zh: "电梯".into(),
            title_en: String::new(),
            scope: Scope::Units { units: vec![UnitRef { building: "b1".into(), unit: "1".into() }] },
            rule: "civil_code_major".into(),
            opens: None,
            closes: None,
            items: vec![],
        });
        c.votes.entry("m1".into()).or_default().insert(
            "h1".into(),
            Vote {
                vote: Choice::Agree,
                date: Some("2019-01-01".into()),
                method: Some(crate::model::consent::Method::Paper),
            },
        );
        c
    }

    fn csv(text: &str) -> Vec<Row> {
        read(text.as_bytes()).expect("rows")
    }

    const HEAD: &str = "household,building,unit,floor,room,area_m2,owner_type,m1\n";

    #[test]
    fn whole_numbers_written_with_a_decimal_point_are_the_numbers() {
        assert_eq!(whole("101.0".into()), "101");
        assert_eq!(whole("3.00".into()), "3");
        assert_eq!(whole("101.5".into()), "101.5");
        assert_eq!(whole("A.0".into()), "A.0");
        assert_eq!(whole("101".into()), "101");
        assert_eq!(whole(".0".into()), ".0");
    }

    #[test]
    fn an_unchanged_register_changes_nothing_and_keeps_personal_data_and_vote_dates() {
        let c = consent();
        let rows =
            csv(&format!("{HEAD}h1,b1,1,1,101,50,private,agree\nh2,b1,1,1,102,50,private,none\nh3,b1,2,1,101,50,,\n"));
        let (out, done) = import(&c, &rows, |b| b == "b1", "2026-12-01").expect("imports");
        assert!(done.is_nothing(), "{done:?}");
        assert_eq!(out, c);
    }

    #[test]
    fn votes_households_and_removals_are_counted() {
        let c = consent();
        let rows = csv(&format!(
            "{HEAD}h1,b1,1,1,101,50,private,agree\nh2,b1,1,1,102,61.5,公房承租,disagree\nh4,b1,2,2,201,40,,\n"
        ));
        let (out, done) = import(&c, &rows, |b| b == "b1", "2026-12-01").expect("imports");
        assert_eq!((done.added, done.changed, done.removed, done.votes_set), (1, 1, 1, 1));
        assert_eq!(out.households["h2"].area_m2, 61.5);
        assert_eq!(out.households["h2"].owner_type, OwnerType::PublicTenant);
        assert_eq!(out.households["h2"].owner_name.as_deref(), Some("张三丰"), "kept");
        let v = out.vote("m1", "h2").expect("a vote");
        assert_eq!((v.vote, v.date.as_deref(), v.method), (Choice::Disagree, Some("2026-12-01"), None));
        assert_eq!(out.vote("m1", "h1").expect("kept").date.as_deref(), Some("2019-01-01"));
        assert!(!out.households.contains_key("h3"));
    }

    #[test]
    fn renumbered_households_keep_their_owners_and_vote_dates() {
        let c = consent();
        // h1 and h2 are renumbered (their flats, new ids), h3 is kept.
        let rows =
            csv(&format!("{HEAD}a1,b1,1,1,101,50,private,agree\na2,b1,1,1,102,50,private,\nh3,b1,2,1,101,50,,\n"));
        let (out, done) = import(&c, &rows, |b| b == "b1", "2026-12-01").expect("imports");
        assert_eq!((done.added, done.changed, done.removed, done.votes_set), (0, 2, 0, 0));
        assert_eq!(out.households.keys().collect::<Vec<_>>(), ["a1", "a2", "h3"]);
        assert_eq!(out.households["a1"].owner_name.as_deref(), Some("张三丰"));
        assert_eq!(out.households["a2"].owner_name.as_deref(), Some("张三丰"));
        let v = out.vote("m1", "a1").expect("carried over");
        assert_eq!((v.date.as_deref(), v.method), (Some("2019-01-01"), Some(crate::model::consent::Method::Paper)));
        assert!(out.vote("m1", "h1").is_none());
    }

    #[test]
    fn a_flat_given_to_another_household_still_there_is_refused() {
        let mut c = consent();
        c.households.get_mut("h2").expect("h2").owner_name = Some("李四".into());
        for (rows, want) in [
            // h1 and h2 swapped.
            (
                "h2,b1,1,1,101,50,private,agree\nh1,b1,1,1,102,50,private,\n",
                "row 2: household h2: room 101 of b1 单元 1 is household h1 in the plan, which row 3 lists too",
            ),
            // h2 left out and h1 given its flat: h2 renumbered, or h1 moved?
            (
                "h1,b1,1,1,102,50,private,\n",
                "row 2: household h1: room 102 of b1 单元 1 is household h2 in the plan, and h1 is room 101",
            ),
        ] {
            let e = import(&c, &csv(&format!("{HEAD}{rows}h3,b1,2,1,101,50,,\n")), |b| b == "b1", "d").expect_err(rows);
            assert!(e.starts_with(want), "{e}\nshould start with {want}");
        }
        // A household moved to a flat nobody has keeps its owner.
        let rows = csv(&format!("{HEAD}h1,b1,1,1,103,50,private,\nh2,b1,1,1,102,50,,\nh3,b1,2,1,101,50,,\n"));
        let (out, _) = import(&c, &rows, |b| b == "b1", "d").expect("imports");
        assert_eq!(out.households["h1"].owner_name.as_deref(), Some("张三丰"));
        assert_eq!(out.households["h2"].owner_name.as_deref(), Some("李四"));
    }

    #[test]
    fn each_bad_row_is_named_with_its_fault() {
        let c = consent();
        let ok = "h1,b1,1,1,101,50,private,agree\n";
        for (row, want) in [
            ("h2,b9,1,1,102,50,private,\n", "row 3: household h2: building “b9” is not in the plan"),
            ("h1,b1,1,1,102,50,private,\n", "row 3: household “h1” is listed twice (also row 2)"),
            ("h2,b1,1,1,101,50,private,\n", "row 3: household h2: room 101 of b1 单元 1 is given twice (also row 2)"),
            ("h2,b1,1,1,102,50,private,yes\n", "row 3: household h2, matter m1: vote \"yes\" is not agree"),
            ("h2,b1,1,1,102,abc,private,\n", "row 3: household h2: area “abc” is not a number"),
            ("h2,b1,1,1,102,-3,private,\n", "row 3: household h2: area -3 m² is negative"),
            ("h3,b1,2,1,101,50,private,agree\n", "row 3: household h3 is outside the scope of matter m1"),
            ("h2,b1,1,x,102,50,private,\n", "row 3: household h2: floor “x” is not a whole number"),
        ] {
            let e = import(&c, &csv(&format!("{HEAD}{ok}{row}")), |b| b == "b1", "2026-12-01").expect_err(row);
            assert!(e.starts_with(want), "{e}\nshould start with {want}");
            assert_eq!(e.lines().count(), 1);
        }
        let e = import(&c, &csv("household,building,unit,floor,room,owner_type\n"), |_| true, "x").expect_err("column");
        assert!(e.starts_with("row 1: no “area_m2” column"), "{e}");
        let e = import(&c, &csv(&format!("{}m9\n", HEAD.trim_end().to_owned() + ",")), |_| true, "x").expect_err("m9");
        assert!(e.starts_with("row 1: column I “m9” is neither a register column"), "{e}");
        assert!(e.contains("(m1)"), "{e}");
    }

    #[test]
    fn gbk_and_workbook_numbers_are_read() {
        let text = format!("{HEAD}h1,b1,1,1,101,50,私有产权,同意\nh2,b1,1,1,102,50,,\nh3,b1,2,1,101,50,,\n");
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        let (out, done) = import(&consent(), &read(&gbk).expect("rows"), |b| b == "b1", "d").expect("imports");
        assert!(done.is_nothing(), "{done:?}");
        assert_eq!(out.households["h1"].owner_type, OwnerType::Private);
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(27), "AB");
    }
}
#[cfg(test)]
mod line_tests {
    #[test]
    fn rows_are_numbered_as_the_spreadsheet_shows_them_whatever_the_line_ends() {
        for t in ["a,b\r\nc,d\r\n\r\ne,f\r\n", "a,b\nc,d\n\ne,f\n", "\u{feff}a,b\r\nc,d\r\n\r\ne,f"] {
            let rows = super::read(t.as_bytes()).expect("rows");
            assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 2, 4], "{t:?}");
        }
    }
}
