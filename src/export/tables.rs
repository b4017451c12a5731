//! Exports for people without the app: the item schedule as CSV (UTF-8
//! with a BOM, so Excel shows Chinese correctly) and the plan of one phase
//! as GIS GeoJSON with flat, readable properties and simplestyle colours.

use serde_json::{Map, Value};

use super::progress::{EVERY, Stage, Watch, check};
use crate::model::catalogue::lookup;
use crate::model::phase::{Presence, geometry_in, presence};
use crate::model::{FundingSource, Lang, Phase, Plan};
use crate::render::style::kind_style;

/// A CSV cell: quoted when it holds a comma, quote or line break (the schedule and the shapefile fields file).
pub(super) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// A table as CSV text: a UTF-8 BOM (so Excel shows Chinese), cells quoted as needed, CRLF line ends
/// (the schedule and the residents' register).
pub(super) fn csv_text<R: IntoIterator<Item = C>, C: AsRef<str>>(rows: impl IntoIterator<Item = R>) -> String {
    let mut out = String::from("\u{feff}");
    for row in rows {
        let cells: Vec<String> = row.into_iter().map(|c| csv_field(c.as_ref())).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// A workbook's header cells (the schedule and the residents' register): bold on a light ground, ruled below.
pub(super) fn xlsx_head() -> rust_xlsxwriter::Format {
    rust_xlsxwriter::Format::new()
        .set_bold()
        .set_background_color(rust_xlsxwriter::Color::RGB(0xE8E3D8))
        .set_border_bottom(rust_xlsxwriter::FormatBorder::Thin)
}

/// The names of the features an item is attached to, `; `-separated.
fn feature_names(plan: &Plan, item: &crate::model::Item, lang: Lang) -> String {
    plan.features_of(item)
        .iter()
        .filter_map(|id| plan.get(*id).and_then(|f| f.name(lang).map(str::to_string)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The item schedule, one row per item, as CSV text with a UTF-8 BOM.
pub fn schedule_csv(plan: &Plan, lang: Lang) -> String {
    let s = lang.strings();
    let mut header: Vec<String> = vec![
        "id".into(),
        s.items.into(),
        s.linked_features.into(),
        s.category.into(),
        s.class.into(),
        s.status.into(),
        s.planned_start.into(),
        s.planned_end.into(),
        s.quantity.into(),
        s.unit.into(),
        s.unit_cost.into(),
        s.estimated_cost.into(),
        s.actual_cost.into(),
    ];
    header.extend(FundingSource::ALL.iter().map(|f| s.source(*f).to_string()));
    header.extend([s.party.to_string(), s.operator.to_string(), s.operating_term.to_string()]);
    let rows = plan.items.values().map(|item| {
        let entry = lookup(&plan.catalogue_additions, &item.catalogue);
        let name = item.display_name(plan, lang);
        let features = feature_names(plan, item, lang);
        let mut row: Vec<String> = vec![
            item.id.clone(),
            name.to_string(),
            features,
            entry.map(|e| s.category(e.category).to_string()).unwrap_or_default(),
            entry.map(|e| s.class(e.class).to_string()).unwrap_or_default(),
            s.status(item.status).to_string(),
            item.planned_start.clone().unwrap_or_default(),
            item.planned_end.clone().unwrap_or_default(),
            item.quantity.map(crate::model::item::format_quantity).unwrap_or_default(),
            item.unit.clone().unwrap_or_default(),
            item.unit_cost_yuan.map(|v| v.to_string()).unwrap_or_default(),
            item.estimated_cost_yuan.map(|v| v.to_string()).unwrap_or_default(),
            item.actual_cost_yuan.map(|v| v.to_string()).unwrap_or_default(),
        ];
        row.extend(FundingSource::ALL.iter().map(|f| item.funding.get(*f).to_string()));
        row.extend([
            item.party.map(|p| s.party(p).to_string()).unwrap_or_default(),
            item.operator.clone().unwrap_or_default(),
            item.operating_term_years.map(|y| y.to_string()).unwrap_or_default(),
        ]);
        row
    });
    csv_text(std::iter::once(header).chain(rows))
}

/// One feature as it stands in a phase, for the GIS exports (GeoJSON and Shapefile).
pub(crate) struct PhaseFeature<'a> {
    pub id: crate::model::FeatureId,
    pub feature: &'a crate::model::Feature,
    /// Flat: its own properties (nested values as text; after ones when it is shown as after),
    /// its kind, key and change, and its items with their status and cost in the phase.
    pub properties: Map<String, Value>,
    /// Its shape in the phase, in WGS 84.
    pub geometry: &'a geo::Geometry<f64>,
}

/// Every feature that exists in `phase`, in its shape then, with the flat properties of the GIS exports.
pub(crate) fn phase_features<'a>(plan: &'a Plan, phase: &'a Phase) -> impl Iterator<Item = PhaseFeature<'a>> + 'a {
    plan.iter().filter_map(move |(id, f)| {
        let p = presence(plan, f, phase);
        if p == Presence::Absent {
            return None;
        }
        let mut props = Map::new();
        for (k, v) in f.properties.iter() {
            // Flat: nested values become text so every GIS tool shows them as a column.
            let v = match v {
                Value::Array(_) | Value::Object(_) => Value::String(v.to_string()),
                other => other,
            };
            props.insert(k, v);
        }
        if p == Presence::AsAfter
            && let Some(c) = &f.change
        {
            props.extend(c.after_properties.clone());
        }
        props.insert("kind".into(), Value::String(f.kind.as_str().into()));
        if let Some(k) = plan.key(id) {
            props.insert("feature_key".into(), Value::String(k));
        }
        props.insert(
            "change".into(),
            f.change.as_ref().map(|c| Value::String(c.kind.as_str().into())).unwrap_or(Value::Null),
        );
        // The items as they stand in the phase (as of a date: those recorded by then, at their status then).
        let items: Vec<(&crate::model::Item, crate::model::Status)> =
            plan.items_of(id).into_iter().filter_map(|i| Some((i, i.status_in(phase)?))).collect();
        let names: Vec<_> = items.iter().map(|(i, _)| i.display_name(plan, Lang::Zh)).collect();
        props.insert("items".into(), Value::String(names.join("; ")));
        props.insert("items_count".into(), Value::from(items.len()));
        props.insert(
            "status".into(),
            items.iter().map(|(_, s)| *s).min().map(|s| Value::String(s.as_str().into())).unwrap_or(Value::Null),
        );
        props.insert(
            "cost_yuan".into(),
            Value::from(items.iter().fold(0i64, |t, (i, _)| t.saturating_add(i.cost_basis()))),
        );
        Some(PhaseFeature { id, feature: f, properties: props, geometry: geometry_in(f, p) })
    })
}

/// The plan in one phase as RFC 7946 GeoJSON for GIS tools: every feature
/// that exists then, in its shape then, with flat properties (its own, its
/// items and their status and cost, its change) and simplestyle colours.
/// `watch` hears of every [`EVERY`]th feature, of `total` steps, and may stop it.
pub fn phase_geojson(
    plan: &Plan,
    phase: &Phase,
    watch: Watch,
    total: usize,
) -> Result<String, crate::error::ExportError> {
    let mut features = Vec::new();
    for (i, PhaseFeature { id, feature: f, properties: mut props, geometry }) in phase_features(plan, phase).enumerate()
    {
        if i % EVERY == 0 {
            check(watch, i, total, Stage::Features)?;
        }
        // simplestyle-spec: web viewers colour it like the app.
        let st = kind_style(f.kind);
        props.insert("stroke".into(), Value::String(st.stroke.color.hex()));
        props.insert("stroke-width".into(), Value::from(st.stroke.width as f64));
        if let Some(fill) = st.fill {
            props.insert("fill".into(), Value::String(fill.hex()));
            props.insert("fill-opacity".into(), Value::from((fill.0[3] as f64 / 255.0 * 100.0).round() / 100.0));
            props.insert("marker-color".into(), Value::String(fill.hex()));
        }
        let geometry = geojson::Geometry::new(geojson::GeometryValue::from(geometry));
        let mut feature = Map::new();
        feature.insert("type".into(), Value::String("Feature".into()));
        if let Some(sid) = &f.source_id {
            feature.insert("id".into(), sid.to_json());
        }
        feature.insert("properties".into(), Value::Object(props));
        let column = format!("feature {}: geometry", id.0);
        feature.insert("geometry".into(), crate::error::json_value(&column, &geometry)?);
        features.push(Value::Object(feature).to_string());
    }
    let name = plan.meta.name.clone().unwrap_or_default();
    let phase_name = match phase {
        Phase::Before => "before".to_string(),
        Phase::After => "after".to_string(),
        Phase::AsOf(d) => d.clone(),
    };
    Ok(format!(
        "{{\"type\":\"FeatureCollection\",\"name\":{},\"phase\":{},\"features\":[\n{}\n]}}\n",
        Value::String(name),
        Value::String(phase_name),
        features.join(",\n")
    ))
}

/// The item schedule as an Excel workbook: a summary sheet, then one sheet
/// per category with a header row, sized columns and money formatted in yuan.
pub fn schedule_xlsx(plan: &Plan, lang: Lang) -> Result<Vec<u8>, crate::error::ExportError> {
    use rust_xlsxwriter::{Format, Workbook};
    let s = lang.strings();
    let err = crate::error::ExportError::Xlsx;
    let mut wb = Workbook::new();
    let head = xlsx_head();
    let money = Format::new().set_num_format("#,##0");
    let pct = Format::new().set_num_format("0.0%");

    // Summary: money by category and by source.
    let progress = crate::model::stats::Progress::of(plan, &Phase::After);
    let ws = wb.add_worksheet();
    ws.set_name(match lang {
        Lang::Zh => "汇总",
        Lang::En => "Summary",
    })
    .map_err(err)?;
    ws.write_string_with_format(0, 0, s.category, &head).map_err(err)?;
    ws.write_string_with_format(0, 1, s.items, &head).map_err(err)?;
    ws.write_string_with_format(0, 2, format!("{} ({})", s.estimated_cost, s.yuan), &head).map_err(err)?;
    for (r, c) in crate::model::Category::ALL.iter().enumerate() {
        let r = r as u32 + 1;
        let n: usize = crate::model::Status::ALL.iter().map(|st| progress.count(*c, *st)).sum();
        ws.write_string(r, 0, s.category(*c)).map_err(err)?;
        ws.write_number(r, 1, n as f64).map_err(err)?;
        ws.write_number_with_format(r, 2, progress.cost_by_category.get(c).copied().unwrap_or(0) as f64, &money)
            .map_err(err)?;
    }
    ws.write_string_with_format(6, 0, s.funding, &head).map_err(err)?;
    ws.write_string_with_format(6, 1, s.yuan, &head).map_err(err)?;
    ws.write_string_with_format(6, 2, "%", &head).map_err(err)?;
    for (r, src) in FundingSource::ALL.iter().enumerate() {
        let r = r as u32 + 7;
        ws.write_string(r, 0, s.source(*src)).map_err(err)?;
        ws.write_number_with_format(r, 1, progress.by_source.get(src).copied().unwrap_or(0) as f64, &money)
            .map_err(err)?;
        ws.write_number_with_format(r, 2, progress.share(*src) / 100.0, &pct).map_err(err)?;
    }
    ws.write_string_with_format(11, 0, s.total_investment, &head).map_err(err)?;
    ws.write_number_with_format(11, 1, progress.cost as f64, &money).map_err(err)?;
    ws.set_column_width(0, 22).map_err(err)?;
    ws.set_column_width(1, 16).map_err(err)?;
    ws.set_column_width(2, 18).map_err(err)?;

    let mut header: Vec<(String, f64)> = vec![
        ("id".into(), 24.0),
        (s.items.into(), 30.0),
        (s.linked_features.into(), 36.0),
        (s.class.into(), 10.0),
        (s.status.into(), 10.0),
        (s.planned_start.into(), 12.0),
        (s.planned_end.into(), 12.0),
        (s.quantity.into(), 8.0),
        (s.unit.into(), 6.0),
        (s.unit_cost.into(), 12.0),
        (s.estimated_cost.into(), 14.0),
        (s.actual_cost.into(), 14.0),
    ];
    header.extend(FundingSource::ALL.iter().map(|f| (s.source(*f).to_string(), 14.0)));
    header.extend([(s.party.to_string(), 12.0), (s.operator.to_string(), 24.0), (s.operating_term.to_string(), 10.0)]);
    for cat in crate::model::Category::ALL {
        let ws = wb.add_worksheet();
        ws.set_name(s.category(cat)).map_err(err)?;
        for (c, (h, w)) in header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &head).map_err(err)?;
            ws.set_column_width(c as u16, *w).map_err(err)?;
        }
        ws.set_freeze_panes(1, 0).map_err(err)?;
        let items = plan
            .items
            .values()
            .filter(|i| lookup(&plan.catalogue_additions, &i.catalogue).map(|e| e.category) == Some(cat));
        for (r, item) in items.enumerate() {
            let r = r as u32 + 1;
            let entry = lookup(&plan.catalogue_additions, &item.catalogue);
            let name = item.display_name(plan, lang);
            let features = feature_names(plan, item, lang);
            ws.write_string(r, 0, &item.id).map_err(err)?;
            ws.write_string(r, 1, name.as_ref()).map_err(err)?;
            ws.write_string(r, 2, features).map_err(err)?;
            ws.write_string(r, 3, entry.map(|e| s.class(e.class)).unwrap_or("")).map_err(err)?;
            ws.write_string(r, 4, s.status(item.status)).map_err(err)?;
            ws.write_string(r, 5, item.planned_start.as_deref().unwrap_or("")).map_err(err)?;
            ws.write_string(r, 6, item.planned_end.as_deref().unwrap_or("")).map_err(err)?;
            if let Some(q) = item.quantity {
                ws.write_number(r, 7, q).map_err(err)?;
            }
            ws.write_string(r, 8, item.unit.as_deref().unwrap_or("")).map_err(err)?;
            // Money from column 9 on: unit cost, estimate, actual, then the four sources.
            let amounts = [item.unit_cost_yuan, item.estimated_cost_yuan, item.actual_cost_yuan]
                .into_iter()
                .chain(FundingSource::ALL.iter().map(|src| Some(item.funding.get(*src))));
            for (k, v) in amounts.enumerate() {
                if let Some(v) = v {
                    ws.write_number_with_format(r, 9 + k as u16, v as f64, &money).map_err(err)?;
                }
            }
            ws.write_string(r, 16, item.party.map(|p| s.party(p)).unwrap_or("")).map_err(err)?;
            ws.write_string(r, 17, item.operator.as_deref().unwrap_or("")).map_err(err)?;
            if let Some(y) = item.operating_term_years {
                ws.write_number(r, 18, y as f64).map_err(err)?;
            }
        }
    }
    super::operations::schedule_sheet(&mut wb, plan, lang)?;
    wb.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Feature, Item, Kind, PlanMeta};

    #[test]
    fn the_schedule_lists_quantity_unit_and_unit_cost_and_names_unnamed_items_by_their_building() {
        let mut plan = Plan::new(PlanMeta::default());
        let mut props = serde_json::Map::new();
        props.insert("number".into(), Value::String("104".into()));
        let mut f = Feature::new(Kind::Building, props, geo::point!(x: 116.0, y: 39.0).into());
        f.source_id = Some("b104".into());
        plan.push(f);
        let item = Item::new("it-1".into(), "elevator_retrofit".into(), vec!["b104".into()], "2019-01-01", 0)
            .with_quantity(3.0, Some("部".into()), 600_000);
        plan.items.insert(item.id.clone(), item);
        let csv = schedule_csv(&plan, Lang::Zh);
        let rows: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
        let header: Vec<&str> = rows[0].split(',').collect();
        let row: Vec<&str> = rows[1].split(',').collect();
        let col = |name: &str| row[header.iter().position(|h| *h == name).expect(name)];
        assert_eq!(col("改造项目"), "104楼 加装电梯");
        assert_eq!((col("数量"), col("单位"), col("单价"), col("估算造价")), ("3", "部", "600000", "1800000"));
        assert_eq!(col("政府"), "1800000");
    }
}
