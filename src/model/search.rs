//! Finding features by what a planner types: a building number (`101`,
//! `101楼`) or a name, in Chinese or English.

use super::feature::FeatureId;
use super::plan::Plan;

/// Features matching `query`, best first: exact number, exact name, name
/// prefix, then name containing the query (case-insensitive).
pub fn search(plan: &Plan, query: &str, limit: usize) -> Vec<FeatureId> {
    let q = query.trim();
    if q.is_empty() {
        return Vec::new();
    }
    let ql = q.to_lowercase();
    let q_number = ql.trim_end_matches('楼').trim_end_matches("号楼").trim_start_matches('#').trim();
    let mut hits: Vec<(u8, FeatureId)> = Vec::new();
    for (id, f) in plan.iter() {
        let mut best = u8::MAX;
        if let Some(n) = f.number()
            && n.to_lowercase() == q_number
        {
            best = 0;
        }
        for name in [f.name_zh(), f.name_en()].into_iter().flatten() {
            let nl = name.to_lowercase();
            let rank = if nl == ql {
                1
            } else if nl.starts_with(&ql) {
                2
            } else if nl.contains(&ql) {
                3
            } else {
                continue;
            };
            best = best.min(rank);
        }
        if best != u8::MAX {
            hits.push((best, id));
        }
    }
    hits.sort();
    hits.into_iter().take(limit).map(|(_, id)| id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Feature, Kind, PlanMeta};
    use geo::point;
    use serde_json::json;

    fn feature(props: serde_json::Value) -> Feature {
        Feature::new(Kind::Building, props.as_object().cloned().unwrap_or_default(), point!(x: 116.0, y: 39.0).into())
    }

    #[test]
    fn a_building_is_found_by_its_number_with_or_without_lou() {
        let mut plan = Plan::new(PlanMeta::default());
        let _a = plan.push(feature(json!({"number": "1101", "name_zh": "1101楼"})));
        let b = plan.push(feature(json!({"number": "101", "name_zh": "劲松一区101楼"})));
        assert_eq!(search(&plan, "101", 5).first(), Some(&b));
        assert_eq!(search(&plan, "101楼", 5).first(), Some(&b));
    }

    #[test]
    fn names_are_found_in_chinese_and_english_ignoring_case() {
        let mut plan = Plan::new(PlanMeta::default());
        let g = plan.push(feature(json!({"name_zh": "劲松园", "name_en": "Jinsong Garden"})));
        assert_eq!(search(&plan, "劲松园", 5), vec![g]);
        assert_eq!(search(&plan, "jinsong garden", 5), vec![g]);
        assert_eq!(search(&plan, "garden", 5), vec![g]);
        assert!(search(&plan, "公园", 5).is_empty());
    }
}
