//! Renewal items in GeoJSON: each item is written into the `renewal_items`
//! property of every feature it is attached to (so plain GIS tools see a
//! feature's items) and read back once; plan-wide data (catalogue additions)
//! lives in the top-level `renewal_plan` member.

use serde_json::{Map, Value};

use super::geojson::Warning;
use crate::error::{EncodeError, json_value};
use crate::model::{CatalogueEntry, Change, ChangeKind, FeatureId, Item, Plan};

/// The property that carries a feature's items.
pub const ITEMS_PROPERTY: &str = "renewal_items";
/// The property that carries a feature's before/after change.
pub const CHANGE_PROPERTY: &str = "renewal_change";
/// The top-level member that carries plan-wide data.
pub const PLAN_MEMBER: &str = "renewal_plan";
/// The plan-data format version this build writes.
pub const FORMAT_VERSION: u64 = 1;

fn warn(warnings: &mut Vec<Warning>, place: String, message: String) {
    warnings.push(Warning { place, message });
}

/// A list in `renewal_plan.{part}.{what}` read entry by entry: an entry that cannot be read is a
/// warning naming it (`renewal_plan.consent.households[3]`) and is left out, the rest kept.
fn list<T: serde::de::DeserializeOwned>(
    v: Option<Value>,
    part: &str,
    what: &str,
    warnings: &mut Vec<Warning>,
) -> Vec<T> {
    let place = |i: Option<usize>| match i {
        Some(i) => format!("{PLAN_MEMBER}.{part}.{what}[{i}]"),
        None => format!("{PLAN_MEMBER}.{part}.{what}"),
    };
    match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .into_iter()
            .enumerate()
            .filter_map(|(i, v)| {
                serde_json::from_value(v).map_err(|e| warn(warnings, place(Some(i)), e.to_string())).ok()
            })
            .collect(),
        Some(_) => {
            warn(warnings, place(None), "is not a list".into());
            Vec::new()
        }
    }
}

/// The residents' side of a plan, read part by part: a household, matter, rule or vote that cannot be
/// read (a floor "三", a vote "yes") is a warning naming it and is left out, the rest kept — as the plan
/// file's tables are read.
fn read_consent(mut c: Map<String, Value>, warnings: &mut Vec<Warning>) -> crate::model::Consent {
    use crate::model::consent::{Household, Matter, Rule, Vote};
    let mut out = crate::model::Consent::default();
    for h in list::<Household>(c.remove("households"), "consent", "households", warnings) {
        if out.households.contains_key(&h.id) {
            warn(
                warnings,
                format!("{PLAN_MEMBER}.consent.households"),
                format!("household {} is listed twice; the first kept", h.id),
            );
            continue;
        }
        out.households.insert(h.id.clone(), h);
    }
    out.matters = list::<Matter>(c.remove("matters"), "consent", "matters", warnings);
    out.rules = list::<Rule>(c.remove("rules"), "consent", "rules", warnings);
    match c.remove("votes") {
        None | Some(Value::Null) => {}
        Some(Value::Object(by_matter)) => {
            for (m, on) in by_matter {
                let Value::Object(on) = on else {
                    warn(warnings, format!("{PLAN_MEMBER}.consent.votes.{m}"), "is not an object".into());
                    continue;
                };
                let mut kept = std::collections::BTreeMap::new();
                for (h, v) in on {
                    match serde_json::from_value::<Vote>(v) {
                        Ok(v) => {
                            kept.insert(h, v);
                        }
                        Err(e) => warn(warnings, format!("{PLAN_MEMBER}.consent.votes.{m}.{h}"), e.to_string()),
                    }
                }
                out.votes.insert(m, kept);
            }
        }
        Some(_) => warn(warnings, format!("{PLAN_MEMBER}.consent.votes"), "is not an object".into()),
    }
    match c.remove("note") {
        None | Some(Value::Null) => {}
        Some(Value::String(n)) => out.note = Some(n),
        Some(_) => warn(warnings, format!("{PLAN_MEMBER}.consent.note"), "is not text".into()),
    }
    out
}

/// The operations ledger, read part by part as the residents' side is: a space or flow that cannot be
/// read is a warning naming it (`renewal_plan.operations.spaces[2]`) and is left out, the rest kept.
pub(super) fn read_operations(
    mut o: Map<String, Value>,
    warnings: &mut Vec<Warning>,
) -> crate::model::operations::Operations {
    use crate::model::operations::{Flow, Operations, Space};
    let place = |k: &str| format!("{PLAN_MEMBER}.operations.{k}");
    let mut out = Operations::default();
    match o.remove("illustrative") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(b)) => out.illustrative = b,
        Some(_) => warn(warnings, place("illustrative"), "is not true or false".into()),
    }
    match o.remove("note") {
        None | Some(Value::Null) => {}
        Some(Value::String(n)) => out.note = Some(n),
        Some(_) => warn(warnings, place("note"), "is not text".into()),
    }
    match o.remove("discount_rate") {
        None | Some(Value::Null) => {}
        Some(v) => match v.as_f64() {
            Some(r) => out.discount_rate = r,
            None => warn(warnings, place("discount_rate"), "is not a number; 0.06 taken".into()),
        },
    }
    match o.remove("early_subsidy_end") {
        None | Some(Value::Null) => {}
        Some(v) => match v.as_i64().and_then(|y| i32::try_from(y).ok()) {
            Some(y) => out.early_subsidy_end = Some(y),
            None => warn(warnings, place("early_subsidy_end"), "is not a year".into()),
        },
    }
    out.spaces = list::<Space>(o.remove("spaces"), "operations", "spaces", warnings);
    out.flows = list::<Flow>(o.remove("flows"), "operations", "flows", warnings);
    for k in o.keys() {
        warn(warnings, place(k), "is not part of the ledger; left out".into());
    }
    out
}

/// Moves items and plan-wide data out of a freshly read plan's properties
/// into the model, reporting anything unusable as a warning.
pub fn extract(plan: &mut Plan, warnings: &mut Vec<Warning>) {
    if let Some(Value::Object(mut rp)) = plan.meta.foreign.remove(PLAN_MEMBER) {
        if let Some(v) = rp.get("version").and_then(Value::as_u64)
            && v > FORMAT_VERSION
        {
            warn(
                warnings,
                PLAN_MEMBER.into(),
                format!(
                    "written by a newer version (format {v}); parts this version does not know are kept as they are"
                ),
            );
        }
        match rp.remove("catalogue_additions") {
            Some(Value::Array(entries)) => {
                for (i, e) in entries.into_iter().enumerate() {
                    match serde_json::from_value::<CatalogueEntry>(e) {
                        Ok(entry) => plan.catalogue_additions.push(entry),
                        Err(err) => warn(warnings, format!("{PLAN_MEMBER}.catalogue_additions[{i}]"), err.to_string()),
                    }
                }
            }
            None | Some(Value::Null) => {}
            Some(_) => warn(warnings, PLAN_MEMBER.into(), "catalogue_additions is not a list".into()),
        }
        match rp.remove("title_block") {
            None | Some(Value::Null) => {}
            Some(v) => match serde_json::from_value::<crate::model::TitleBlock>(v) {
                Ok(t) => plan.meta.title_block = t,
                Err(err) => warn(warnings, format!("{PLAN_MEMBER}.title_block"), err.to_string()),
            },
        }
        if let Some(Value::Array(items)) = rp.remove("unattached_items") {
            for (i, v) in items.into_iter().enumerate() {
                match serde_json::from_value::<Item>(v) {
                    Ok(item) => {
                        plan.items.insert(item.id.clone(), item);
                    }
                    Err(err) => warn(warnings, format!("{PLAN_MEMBER}.unattached_items[{i}]"), err.to_string()),
                }
            }
        }
        if let Some(Value::Array(stories)) = rp.remove("stories") {
            for (i, v) in stories.into_iter().enumerate() {
                match serde_json::from_value::<crate::model::Story>(v) {
                    Ok(s) => plan.stories.push(s),
                    Err(e) => warn(warnings, format!("{PLAN_MEMBER}.stories[{i}]"), e.to_string()),
                }
            }
        }
        match rp.remove("basemaps") {
            None | Some(Value::Null) => {}
            Some(Value::Array(basemaps)) => {
                for (i, v) in basemaps.into_iter().enumerate() {
                    match serde_json::from_value::<crate::model::Basemap>(v) {
                        Ok(b) => plan.basemaps.push(b),
                        Err(e) => warn(warnings, format!("{PLAN_MEMBER}.basemaps[{i}]"), e.to_string()),
                    }
                }
            }
            Some(_) => warn(warnings, PLAN_MEMBER.into(), "basemaps is not a list".into()),
        }
        match rp.remove("consent") {
            None | Some(Value::Null) => {}
            Some(Value::Object(c)) => plan.consent = read_consent(c, warnings),
            Some(_) => warn(warnings, format!("{PLAN_MEMBER}.consent"), "is not an object".into()),
        }
        match rp.remove("operations") {
            None | Some(Value::Null) => {}
            Some(Value::Object(o)) => plan.operations = read_operations(o, warnings),
            Some(_) => warn(warnings, format!("{PLAN_MEMBER}.operations"), "is not an object".into()),
        }
        if let Some(Value::Array(photos)) = rp.remove("photos") {
            for (i, v) in photos.into_iter().enumerate() {
                match read_photo(v) {
                    Ok(p) => {
                        plan.photos.insert(p.id.clone(), p);
                    }
                    Err(m) => warn(warnings, format!("{PLAN_MEMBER}.photos[{i}]"), m),
                }
            }
        }
        rp.remove("format");
        rp.remove("version");
        if !rp.is_empty() {
            plan.meta.foreign.insert(PLAN_MEMBER.into(), Value::Object(rp));
        }
    }

    // The features that carry a change or items, found in one pass over each
    // one's properties, a block of features a core (on one thread, a million
    // features' walks were about 0.2 s of `info`).
    let carrying: Vec<(FeatureId, [bool; 2])> = crate::model::par::blocks(plan.id_bound(), 8_192, |ids| {
        ids.filter_map(|i| {
            let id = FeatureId(i as u32);
            let has = plan.get(id)?.properties.has_keys([CHANGE_PROPERTY, ITEMS_PROPERTY]);
            (has[0] || has[1]).then_some((id, has))
        })
        .collect::<Vec<_>>()
    })
    .concat();
    for id in carrying.iter().filter(|(_, has)| has[0]).map(|(id, _)| *id) {
        let key = plan.key(id).unwrap_or_default();
        let Some(raw) = plan.get_mut(id).and_then(|f| f.properties.shift_remove(CHANGE_PROPERTY)) else { continue };
        match read_change(raw) {
            Ok(c) => {
                if let Some(f) = plan.get_mut(id) {
                    f.change = Some(Box::new(c));
                }
            }
            Err(m) => warn(warnings, format!("feature {key}"), format!("\"{CHANGE_PROPERTY}\" {m}; ignored")),
        }
    }
    for id in carrying.iter().filter(|(_, has)| has[1]).map(|(id, _)| *id) {
        let key = plan.key(id).unwrap_or_default();
        let Some(raw) = plan.get_mut(id).and_then(|f| f.properties.shift_remove(ITEMS_PROPERTY)) else {
            continue;
        };
        let Value::Array(list) = raw else {
            warn(warnings, format!("feature {key}"), format!("\"{ITEMS_PROPERTY}\" is not a list; ignored"));
            continue;
        };
        for (i, v) in list.into_iter().enumerate() {
            let mut item = match serde_json::from_value::<Item>(v) {
                Ok(item) => item,
                Err(err) => {
                    warn(warnings, format!("feature {key}, item {i}"), format!("unusable item: {err}"));
                    continue;
                }
            };
            if !item.features.contains(&key) {
                item.features.push(key.clone());
            }
            match plan.items.get_mut(&item.id) {
                None => {
                    plan.items.insert(item.id.clone(), item);
                }
                Some(existing) => {
                    for k in &item.features {
                        if !existing.features.contains(k) {
                            existing.features.push(k.clone());
                        }
                    }
                    let mut a = existing.clone();
                    let mut b = item;
                    a.features.clear();
                    b.features.clear();
                    if a != b {
                        warn(
                            warnings,
                            format!("feature {key}, item {i}"),
                            format!("item {} differs from its copy on another feature; the first copy is kept", a.id),
                        );
                    }
                }
            }
        }
    }
    let missing: Vec<(String, String)> = plan
        .items
        .values()
        .flat_map(|item| {
            item.features
                .iter()
                .filter(|k| plan.by_key(k).is_none())
                .map(|k| (item.id.clone(), k.clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    for (item, key) in missing {
        warn(warnings, format!("item {item}"), format!("refers to feature {key}, which is not in the file"));
    }
}

/// The top-level `renewal_plan` member for a plan.
/// A value that cannot be encoded is an error, never left out.
pub fn plan_member(plan: &Plan) -> Result<Value, EncodeError> {
    let mut rp = match plan.meta.foreign.get(PLAN_MEMBER) {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    };
    rp.insert("format".into(), Value::String("renewal-planner".into()));
    rp.insert("version".into(), Value::from(FORMAT_VERSION));
    rp.insert("catalogue_additions".into(), json_value("renewal_plan.catalogue_additions", &plan.catalogue_additions)?);
    if !plan.meta.title_block.is_empty() {
        rp.insert("title_block".into(), json_value("renewal_plan.title_block", &plan.meta.title_block)?);
    }
    if !plan.stories.is_empty() {
        rp.insert("stories".into(), json_value("renewal_plan.stories", &plan.stories)?);
    }
    if !plan.basemaps.is_empty() {
        // Keys are not in a basemap: a URL template keeps its `{key}`.
        rp.insert("basemaps".into(), json_value("renewal_plan.basemaps", &plan.basemaps)?);
    }
    if !plan.consent.is_empty() {
        rp.insert("consent".into(), json_value("renewal_plan.consent", &plan.consent)?);
    }
    if !plan.operations.is_empty() {
        rp.insert("operations".into(), json_value("renewal_plan.operations", &plan.operations)?);
    }
    if !plan.photos.is_empty() {
        use base64::Engine;
        let photos: Vec<Value> = plan
            .photos
            .values()
            .map(|p| {
                serde_json::json!({
                    "id": p.id, "item": p.item, "side": p.side.as_str(), "name": p.name,
                    "width": p.width, "height": p.height,
                    "original_width": p.original_width, "original_height": p.original_height,
                    "jpeg_base64": base64::engine::general_purpose::STANDARD.encode(p.jpeg.as_slice()),
                })
            })
            .collect();
        rp.insert("photos".into(), Value::Array(photos));
    }
    let unattached: Vec<&Item> =
        plan.items.values().filter(|i| i.features.iter().all(|k| plan.by_key(k).is_none())).collect();
    if !unattached.is_empty() {
        rp.insert("unattached_items".into(), json_value("renewal_plan.unattached_items", &unattached)?);
    }
    Ok(Value::Object(rp))
}

/// Reads a feature's `renewal_change` property.
pub(super) fn read_change(v: Value) -> Result<Change, String> {
    let Value::Object(mut m) = v else { return Err("is not an object".into()) };
    let kind = match m.remove("change") {
        Some(k) => serde_json::from_value::<ChangeKind>(k).map_err(|_| "has an unknown \"change\"".to_string())?,
        None => return Err("has no \"change\"".into()),
    };
    let by_items = match m.remove("by_items") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => serde_json::from_value::<Vec<String>>(v).map_err(|_| "\"by_items\" is not a list of item ids")?,
    };
    let after_properties = match m.remove("after_properties") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(p)) => p,
        Some(_) => return Err("\"after_properties\" is not an object".into()),
    };
    let after_geometry = match m.remove("after_geometry") {
        None | Some(Value::Null) => None,
        Some(g) => Some(super::geojson::geometry_from_value(g)?),
    };
    Ok(Change { kind, by_items, after_properties, after_geometry })
}

/// A feature's `renewal_change` property.
pub fn change_value(c: &Change) -> Result<Value, EncodeError> {
    let mut m = Map::new();
    m.insert("change".into(), Value::String(c.kind.as_str().into()));
    m.insert("by_items".into(), Value::Array(c.by_items.iter().cloned().map(Value::String).collect()));
    if !c.after_properties.is_empty() {
        m.insert("after_properties".into(), Value::Object(c.after_properties.clone()));
    }
    if let Some(g) = &c.after_geometry {
        let gj = geojson::Geometry::new(geojson::GeometryValue::from(g));
        m.insert("after_geometry".into(), json_value("renewal_change.after_geometry", &gj)?);
    }
    Ok(Value::Object(m))
}

/// Reads a photo from the plan member (JPEG as base64).
fn read_photo(v: Value) -> Result<crate::model::Photo, String> {
    use base64::Engine;
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let n = |k: &str| v.get(k).and_then(Value::as_u64).map(|x| x as u32).unwrap_or(0);
    let side = match s("side").as_deref() {
        Some("before") => crate::model::Side::Before,
        Some("after") => crate::model::Side::After,
        _ => return Err("unknown side".into()),
    };
    let jpeg = base64::engine::general_purpose::STANDARD
        .decode(s("jpeg_base64").ok_or("no jpeg_base64")?)
        .map_err(|e| format!("bad photo data: {e}"))?;
    Ok(crate::model::Photo {
        id: s("id").ok_or("no id")?,
        item: s("item").ok_or("no item")?,
        side,
        name: s("name").unwrap_or_default(),
        width: n("width"),
        height: n("height"),
        original_width: n("original_width"),
        original_height: n("original_height"),
        jpeg: std::sync::Arc::new(jpeg),
    })
}
