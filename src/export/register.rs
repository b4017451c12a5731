//! The residents' register as a table (`export --consent`, the window's
//! "Residents' register"): one row per household in register order —
//! `household, building, unit, floor, room, area_m2, owner_type` — then one
//! column per matter id holding `agree`, `disagree`, `abstain` or `none`, empty
//! where the household is outside the matter's scope. CSV (UTF-8 with a BOM,
//! so Excel shows Chinese) or XLSX. `io::register` reads it back.
//!
//! Personal data (`owner_name`, `phone`) is written only when `personal` is
//! asked for, which only the window does (with a warning); the command line never.

use crate::io::register::{COLUMNS, PERSONAL};
use crate::model::consent::{Consent, Household};

use super::tables::csv_text;

/// The header row.
pub fn header(consent: &Consent, personal: bool) -> Vec<String> {
    let mut out: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    if personal {
        out.extend(PERSONAL.iter().map(|c| c.to_string()));
    }
    out.extend(consent.matters.iter().map(|m| m.id.clone()));
    out
}

/// A household's vote cells, one per matter: its answer, `none`, or empty outside the matter's scope.
fn vote_cells<'a>(consent: &'a Consent, h: &'a Household) -> impl Iterator<Item = &'static str> + 'a {
    consent.matters.iter().map(move |m| {
        if !m.scope.contains(h) { "" } else { consent.vote(&m.id, &h.id).map_or("none", |v| v.vote.as_str()) }
    })
}

/// The households as exported: without personal data unless it is asked for.
fn households(consent: &Consent, personal: bool) -> Vec<Household> {
    consent.register().into_iter().map(|h| if personal { h.clone() } else { h.without_personal() }).collect()
}

/// The register as CSV text with a UTF-8 BOM and CRLF line ends.
pub fn register_csv(consent: &Consent, personal: bool) -> String {
    let rows = households(consent, personal).into_iter().map(|h| {
        let mut cells = vec![
            h.id.clone(),
            h.building.clone(),
            h.unit.clone(),
            h.floor.to_string(),
            h.room.clone(),
            h.area_m2.to_string(),
            h.owner_type.as_str().to_string(),
        ];
        if personal {
            cells.push(h.owner_name.clone().unwrap_or_default());
            cells.push(h.phone.clone().unwrap_or_default());
        }
        cells.extend(vote_cells(consent, &h).map(str::to_string));
        cells
    });
    csv_text(std::iter::once(header(consent, personal)).chain(rows))
}

/// The register as an Excel workbook: the register sheet (the header in row 1,
/// frozen; floors and areas as numbers, rooms and ids as text) and a sheet
/// naming each matter column's matter and rule.
pub fn register_xlsx(consent: &Consent, personal: bool) -> Result<Vec<u8>, crate::error::ExportError> {
    let err = crate::error::ExportError::Xlsx;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let head = super::tables::xlsx_head();
    let ws = wb.add_worksheet();
    ws.set_name("register").map_err(err)?;
    let header = header(consent, personal);
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &head).map_err(err)?;
        ws.set_column_width(c as u16, if c < 7 + 2 * usize::from(personal) { 12 } else { 18 }).map_err(err)?;
    }
    ws.set_freeze_panes(1, 1).map_err(err)?;
    for (r, h) in households(consent, personal).iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_string(r, 0, &h.id).map_err(err)?;
        ws.write_string(r, 1, &h.building).map_err(err)?;
        ws.write_string(r, 2, &h.unit).map_err(err)?;
        ws.write_number(r, 3, f64::from(h.floor)).map_err(err)?;
        ws.write_string(r, 4, &h.room).map_err(err)?;
        ws.write_number(r, 5, h.area_m2).map_err(err)?;
        ws.write_string(r, 6, h.owner_type.as_str()).map_err(err)?;
        let mut c = 7u16;
        if personal {
            ws.write_string(r, 7, h.owner_name.as_deref().unwrap_or("")).map_err(err)?;
            ws.write_string(r, 8, h.phone.as_deref().unwrap_or("")).map_err(err)?;
            c = 9;
        }
        for (k, v) in vote_cells(consent, h).enumerate() {
            if !v.is_empty() {
                ws.write_string(r, c + k as u16, v).map_err(err)?;
            }
        }
    }
    let ws = wb.add_worksheet();
    ws.set_name("matters").map_err(err)?;
    for (c, h) in ["id", "title_zh", "title_en", "rule", "opens", "closes"].iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &head).map_err(err)?;
    }
    for (r, m) in consent.matters.iter().enumerate() {
        let r = r as u32 + 1;
        let rule = consent.rule(&m.rule).map(|x| format!("{} {}", x.id, x.name_zh)).unwrap_or_else(|| m.rule.clone());
        for (c, v) in [
            m.id.as_str(),
            &m.title_zh,
            &m.title_en,
            &rule,
            m.opens.as_deref().unwrap_or(""),
            m.closes.as_deref().unwrap_or(""),
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(r, c as u16, *v).map_err(err)?;
        }
    }
    ws.set_column_width(0, 20).map_err(err)?;
    ws.set_column_width(1, 36).map_err(err)?;
    ws.set_column_width(2, 48).map_err(err)?;
    ws.set_column_width(3, 28).map_err(err)?;
    if let Some(note) = &consent.note {
        ws.write_string(consent.matters.len() as u32 + 2, 0, note).map_err(err)?;
    }
    wb.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planted() -> Consent {
        let mut c = crate::io::load_jinsong().plan.consent;
        for h in c.households.values_mut().take(5) {
            h.owner_name = Some("张三丰".into());
            h.phone = Some("13800138000".into());
        }
        c
    }

    /// The text of every member of a workbook, unzipped.
    fn xlsx_text(bytes: &[u8]) -> String {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
        let mut out = String::new();
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).expect("a member");
            let mut s = String::new();
            let _ = f.read_to_string(&mut s);
            out.push_str(&s);
        }
        out
    }

    #[test]
    fn personal_data_is_written_only_when_asked_for() {
        let c = planted();
        let without = register_csv(&c, false);
        assert!(!without.contains("张三丰") && !without.contains("13800138000"));
        assert!(!without.contains("owner_name"));
        let with = register_csv(&c, true);
        assert!(with.contains("张三丰") && with.contains("13800138000"));
        assert!(with.lines().next().expect("header").contains("owner_type,owner_name,phone,m-property"));
        let x = xlsx_text(&register_xlsx(&c, false).expect("xlsx"));
        assert!(!x.contains("张三丰") && !x.contains("13800138000"));
        let x = xlsx_text(&register_xlsx(&c, true).expect("xlsx"));
        assert!(x.contains("张三丰") && x.contains("13800138000"));
    }

    #[test]
    fn the_register_reads_back_to_the_same_consent() {
        let c = planted();
        for bytes in [register_csv(&c, false).into_bytes(), register_xlsx(&c, false).expect("xlsx")] {
            let rows = crate::io::register::read(&bytes).expect("rows");
            assert_eq!(rows.len(), c.households.len() + 1);
            let (back, done) = crate::io::register::import(&c, &rows, |_| true, "2026-12-01").expect("imports");
            assert!(done.is_nothing(), "{done:?}");
            assert_eq!(back, c, "personal data kept, votes with their dates");
        }
    }
}
