//! Exports for people without the app: the item schedule as CSV (UTF-8
//! with a BOM, so Excel shows Chinese correctly) and the plan of one phase
//! as GIS GeoJSON with flat, readable properties and simplestyle colours.

use serde_json::{Map, Value};

use crate::model::catalogue::lookup;
use crate::model::phase::{Presence, geometry_in, presence};
use crate::model::{FundingSource, Phase, Plan};
use crate::render::style::kind_style;

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// The item schedule, one row per item, as CSV text with a UTF-8 BOM.
pub fn schedule_csv(plan: &Plan, chinese: bool) -> String {
    let s = if chinese { &crate::i18n::ZH } else { &crate::i18n::EN };
    let mut header: Vec<String> = vec![
        "id".into(),
        s.items.into(),
        s.linked_features.into(),
        s.category.into(),
        s.class.into(),
        s.status.into(),
        s.planned_start.into(),
        s.planned_end.into(),
        s.estimated_cost.into(),
        s.actual_cost.into(),
    ];
    header.extend(FundingSource::ALL.iter().map(|f| s.source(*f).to_string()));
    header.extend([s.party.to_string(), s.operator.to_string(), s.operating_term.to_string()]);
    let mut out = String::from("\u{feff}");
    out.push_str(&header.iter().map(|h| csv_field(h)).collect::<Vec<_>>().join(","));
    out.push_str("\r\n");
    for item in plan.items.values() {
        let entry = lookup(&plan.catalogue_additions, &item.catalogue);
        let name = (if chinese { item.name_zh.as_deref() } else { item.name_en.as_deref() })
            .or_else(|| entry.map(|e| e.name(chinese)))
            .unwrap_or(&item.catalogue);
        let features = plan
            .features_of(item)
            .iter()
            .filter_map(|id| plan.get(*id).and_then(|f| f.name(chinese).map(str::to_string)))
            .collect::<Vec<_>>()
            .join("; ");
        let mut row: Vec<String> = vec![
            item.id.clone(),
            name.to_string(),
            features,
            entry.map(|e| s.category(e.category).to_string()).unwrap_or_default(),
            entry.map(|e| s.class(e.class).to_string()).unwrap_or_default(),
            s.status(item.status).to_string(),
            item.planned_start.clone().unwrap_or_default(),
            item.planned_end.clone().unwrap_or_default(),
            item.estimated_cost_yuan.map(|v| v.to_string()).unwrap_or_default(),
            item.actual_cost_yuan.map(|v| v.to_string()).unwrap_or_default(),
        ];
        row.extend(FundingSource::ALL.iter().map(|f| item.funding.get(*f).to_string()));
        row.extend([
            item.party.map(|p| s.party(p).to_string()).unwrap_or_default(),
            item.operator.clone().unwrap_or_default(),
            item.operating_term_years.map(|y| y.to_string()).unwrap_or_default(),
        ]);
        out.push_str(&row.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// The plan in one phase as RFC 7946 GeoJSON for GIS tools: every feature
/// that exists then, in its shape then, with flat properties (its own, its
/// items and their status and cost, its change) and simplestyle colours.
pub fn phase_geojson(plan: &Plan, phase: &Phase) -> String {
    let mut features = Vec::new();
    for (id, f) in plan.iter() {
        let p = presence(plan, f, phase);
        if p == Presence::Absent {
            continue;
        }
        let mut props = Map::new();
        for (k, v) in &f.properties {
            // Flat: nested values become text so every GIS tool shows them as a column.
            let v = match v {
                Value::Array(_) | Value::Object(_) => Value::String(v.to_string()),
                other => other.clone(),
            };
            props.insert(k.clone(), v);
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
        let items = plan.items_of(id);
        let names: Vec<String> = items
            .iter()
            .map(|i| {
                i.name_zh
                    .clone()
                    .or_else(|| lookup(&plan.catalogue_additions, &i.catalogue).map(|e| e.name_zh.clone()))
                    .unwrap_or_else(|| i.catalogue.clone())
            })
            .collect();
        props.insert("items".into(), Value::String(names.join("; ")));
        props.insert("items_count".into(), Value::from(items.len()));
        props.insert(
            "status".into(),
            items.iter().map(|i| i.status).min().map(|s| Value::String(s.as_str().into())).unwrap_or(Value::Null),
        );
        props.insert("cost_yuan".into(), Value::from(items.iter().map(|i| i.cost_basis()).sum::<i64>()));
        // simplestyle-spec: web viewers colour it like the app.
        let st = kind_style(f.kind);
        props.insert("stroke".into(), Value::String(st.stroke.color.hex()));
        props.insert("stroke-width".into(), Value::from(st.stroke.width as f64));
        if let Some(fill) = st.fill {
            props.insert("fill".into(), Value::String(fill.hex()));
            props.insert("fill-opacity".into(), Value::from((fill.0[3] as f64 / 255.0 * 100.0).round() / 100.0));
            props.insert("marker-color".into(), Value::String(fill.hex()));
        }
        let geometry = geojson::Geometry::new(geojson::GeometryValue::from(geometry_in(f, p)));
        let mut feature = Map::new();
        feature.insert("type".into(), Value::String("Feature".into()));
        if let Some(sid) = &f.source_id {
            feature.insert("id".into(), sid.clone());
        }
        feature.insert("properties".into(), Value::Object(props));
        feature.insert("geometry".into(), serde_json::to_value(geometry).unwrap_or(Value::Null));
        features.push(serde_json::to_string(&Value::Object(feature)).unwrap_or_default());
    }
    let name = plan.meta.name.clone().unwrap_or_default();
    let phase_name = match phase {
        Phase::Before => "before".to_string(),
        Phase::After => "after".to_string(),
        Phase::AsOf(d) => d.clone(),
    };
    format!(
        "{{\"type\":\"FeatureCollection\",\"name\":{},\"phase\":{},\"features\":[\n{}\n]}}\n",
        Value::String(name),
        Value::String(phase_name),
        features.join(",\n")
    )
}
