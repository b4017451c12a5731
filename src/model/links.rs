//! Which items name which features, both ways. Kept in step with the plan by `Document` for the items an
//! edit put, so what a feature's items add up to (its thematic colour) is found without walking every
//! item of the plan.

use std::collections::HashMap;

use super::feature::FeatureId;
use super::item::Item;
use super::plan::Plan;

/// The links between a plan's items and the feature keys they name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ItemLinks {
    /// By feature key: the ids of the items naming it, in id order, an item once for each time it names it.
    of_feature: HashMap<String, Vec<String>>,
    /// By item id: the feature keys it names, as it names them.
    of_item: HashMap<String, Vec<String>>,
}

impl ItemLinks {
    /// The links of every item of a plan.
    pub fn build(plan: &Plan) -> ItemLinks {
        let mut links = ItemLinks::default();
        for (id, item) in &plan.items {
            links.link(id, &item.features);
        }
        links
    }

    /// After an item was added, changed or removed: its links follow (as the plan has it now).
    pub fn update(&mut self, plan: &Plan, item: &str) {
        if let Some(keys) = self.of_item.remove(item) {
            for k in keys {
                let Some(ids) = self.of_feature.get_mut(&k) else { continue };
                if let Some(p) = ids.iter().position(|i| i == item) {
                    ids.remove(p);
                }
                if ids.is_empty() {
                    self.of_feature.remove(&k);
                }
            }
        }
        if let Some(it) = plan.items.get(item) {
            self.link(item, &it.features);
        }
    }

    fn link(&mut self, item: &str, keys: &[String]) {
        for k in keys {
            let ids = self.of_feature.entry(k.clone()).or_default();
            let at = ids.partition_point(|i| i.as_str() <= item);
            ids.insert(at, item.to_string());
        }
        self.of_item.insert(item.to_string(), keys.to_vec());
    }

    /// The items naming a feature, in id order, an item once for each time it names it: as a pass over
    /// every item with [`Plan::features_of`] meets them (none when another feature holds its key).
    pub fn items_of<'a>(&'a self, plan: &'a Plan, id: FeatureId) -> impl Iterator<Item = &'a Item> + 'a {
        let key = plan.key(id).filter(|k| plan.by_key(k) == Some(id));
        let ids = key.and_then(|k| self.of_feature.get(&k)).map(Vec::as_slice).unwrap_or_default();
        ids.iter().filter_map(|i| plan.items.get(i))
    }
}
