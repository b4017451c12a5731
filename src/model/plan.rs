//! The plan: a district's features, the renewal items on them, and the
//! plan-wide facts about it.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use super::catalogue::CatalogueEntry;
use super::feature::{Feature, FeatureId};
use super::item::Item;

/// Plan-wide facts: its name, the note on where its data came from, and any
/// other top-level members of the file it was loaded from (kept for the
/// round trip).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlanMeta {
    pub name: Option<String>,
    pub note: Option<String>,
    pub foreign: Map<String, Value>,
    /// Who drew and checked the plan's drawings, and their sheet number.
    pub title_block: TitleBlock,
}

/// What the title block (图签) of a print map says about the drawing beyond
/// what the map itself knows: the sheet number (图号), who drew it (制图)
/// and who checked it (校核). Empty fields are left blank on the sheet.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct TitleBlock {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub sheet_number: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub drawn_by: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub checked_by: String,
}

impl TitleBlock {
    pub fn is_empty(&self) -> bool {
        self.sheet_number.is_empty() && self.drawn_by.is_empty() && self.checked_by.is_empty()
    }
}

/// A district plan. Features live in slots addressed by [`FeatureId`]; a
/// removed feature leaves an empty slot so that ids stay stable and undo can
/// restore it in place. Every feature has a unique string *key* (its GeoJSON
/// `id`, assigned when missing) by which items refer to it.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub meta: PlanMeta,
    features: Vec<Option<Feature>>,
    keys: HashMap<String, FeatureId>,
    /// Renewal items by id.
    pub items: BTreeMap<String, Item>,
    /// Catalogue entries this plan adds to the built-in catalogue.
    pub catalogue_additions: Vec<CatalogueEntry>,
    /// Before and after photos of items, by photo id.
    pub photos: BTreeMap<String, super::photo::Photo>,
    /// Stories (slide shows) for meetings.
    pub stories: Vec<super::story::Story>,
    /// Basemaps and underlays, bottom to top.
    pub basemaps: Vec<super::basemaps::Basemap>,
    /// The residents' register, the matters put to them and their votes.
    pub consent: super::consent::Consent,
    /// The operations ledger: operating spaces and cash flows.
    pub operations: super::operations::Operations,
}

impl PartialEq for Plan {
    fn eq(&self, other: &Self) -> bool {
        // `keys` is derived from the features; empty slots are not part of the plan.
        self.meta == other.meta
            && self.iter().eq(other.iter())
            && self.items == other.items
            && self.catalogue_additions == other.catalogue_additions
            && self.photos == other.photos
            && self.stories == other.stories
            && self.basemaps == other.basemaps
            && self.consent == other.consent
            && self.operations == other.operations
    }
}

/// The key a GeoJSON id gives: strings as they are, numbers as written.
pub fn key_of_id(id: &Value) -> Option<String> {
    match id {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl Plan {
    pub fn new(meta: PlanMeta) -> Self {
        Plan { meta, ..Plan::default() }
    }

    /// Makes room for `n` more features.
    pub fn reserve(&mut self, n: usize) {
        self.features.reserve(n);
        self.keys.reserve(n);
    }

    /// Makes room for `n` more features if memory allows (a guess, which may
    /// be too large, is only a hint: the plan grows as usual if it fails).
    pub fn try_reserve(&mut self, n: usize) {
        if self.features.try_reserve(n).is_ok() {
            let _ = self.keys.try_reserve(n);
        }
    }

    /// Adds a feature and returns its id. A feature without an id, or with an
    /// id another feature already has, is given a fresh one (`f12`).
    pub fn push(&mut self, mut feature: Feature) -> FeatureId {
        let id = FeatureId(u32::try_from(self.features.len()).unwrap_or(u32::MAX));
        let key = match feature.source_id.as_ref().and_then(key_of_id) {
            Some(k) if !self.keys.contains_key(&k) => k,
            _ => {
                let mut k = format!("f{}", id.0);
                let mut n = 1;
                while self.keys.contains_key(&k) {
                    n += 1;
                    k = format!("f{}-{n}", id.0);
                }
                feature.source_id = Some(Value::String(k.clone()));
                k
            }
        };
        self.keys.insert(key, id);
        self.features.push(Some(feature));
        id
    }

    pub fn get(&self, id: FeatureId) -> Option<&Feature> {
        self.features.get(id.index())?.as_ref()
    }

    pub(crate) fn get_mut(&mut self, id: FeatureId) -> Option<&mut Feature> {
        self.features.get_mut(id.index())?.as_mut()
    }

    /// Every slot, for passes over all features at once (e.g. on all cores).
    pub(crate) fn slots_mut(&mut self) -> &mut [Option<Feature>] {
        &mut self.features
    }

    /// Takes a feature out, leaving its slot empty (its key stays reserved).
    pub(crate) fn take(&mut self, id: FeatureId) -> Option<Feature> {
        self.features.get_mut(id.index())?.take()
    }

    /// Puts a feature into its slot, growing the plan if needed; its key
    /// (which must be set) now refers to it. Returns what was there.
    pub(crate) fn put(&mut self, id: FeatureId, feature: Feature) -> Option<Feature> {
        if self.features.len() <= id.index() {
            self.features.resize_with(id.index() + 1, || None);
        }
        if let Some(k) = feature.source_id.as_ref().and_then(key_of_id) {
            self.keys.insert(k, id);
        }
        self.features[id.index()].replace(feature)
    }

    /// The id the next new feature gets, and a key no feature has.
    pub fn next_feature(&self) -> (FeatureId, String) {
        let id = FeatureId(u32::try_from(self.features.len()).unwrap_or(u32::MAX));
        let mut key = format!("f{}", id.0);
        let mut n = 1;
        while self.keys.contains_key(&key) {
            n += 1;
            key = format!("f{}-{n}", id.0);
        }
        (id, key)
    }

    /// True if a feature has, or had, this key (a removed feature's key stays reserved for its undo).
    pub fn has_key(&self, key: &str) -> bool {
        self.keys.contains_key(key)
    }

    /// The key items use to refer to a feature.
    pub fn key(&self, id: FeatureId) -> Option<String> {
        self.get(id)?.source_id.as_ref().and_then(key_of_id)
    }

    /// The feature with a key.
    pub fn by_key(&self, key: &str) -> Option<FeatureId> {
        self.keys.get(key).copied().filter(|id| self.get(*id).is_some())
    }

    /// The features that exist, with their ids, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (FeatureId, &Feature)> {
        self.features.iter().enumerate().filter_map(|(i, f)| Some((FeatureId(i as u32), f.as_ref()?)))
    }

    /// Number of features that exist.
    /// How many features the plan has room for before it grows.
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.features.capacity()
    }

    pub fn len(&self) -> usize {
        self.features.iter().filter(|f| f.is_some()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// One past the largest id ever handed out.
    pub fn id_bound(&self) -> usize {
        self.features.len()
    }

    /// The items attached to a feature, in id order.
    pub fn items_of(&self, id: FeatureId) -> Vec<&Item> {
        let Some(key) = self.key(id) else {
            return Vec::new();
        };
        self.items.values().filter(|i| i.features.contains(&key)).collect()
    }

    /// The features an item is attached to (those that exist).
    pub fn features_of(&self, item: &Item) -> Vec<FeatureId> {
        item.features.iter().filter_map(|k| self.by_key(k)).collect()
    }

    /// The photos of an item on one side, in id order.
    pub fn photos_of(&self, item: &str, side: super::photo::Side) -> Vec<&super::photo::Photo> {
        self.photos.values().filter(|p| p.item == item && p.side == side).collect()
    }

    /// A fresh photo id.
    pub fn new_photo_id(&self) -> String {
        let mut n = self.photos.len() + 1;
        loop {
            let id = format!("ph-{n}");
            if !self.photos.contains_key(&id) {
                return id;
            }
            n += 1;
        }
    }

    /// A fresh item id starting with `stem`.
    pub fn new_item_id(&self, stem: &str) -> String {
        let mut n = self.items.len() + 1;
        loop {
            let id = format!("{stem}-{n}");
            if !self.items.contains_key(&id) {
                return id;
            }
            n += 1;
        }
    }
}
