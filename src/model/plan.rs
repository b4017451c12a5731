//! The plan: a district's features, the renewal items on them, and the
//! plan-wide facts about it.

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

use hashbrown::HashTable;

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
    keys: Keys,
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

/// The features' keys: the ids of the features in the plan, in a table hashed
/// by each one's key (its `source_id`'s text), which is read from the feature
/// and never copied — a million keys as a million `String`s was 56 bytes a
/// feature. A key no feature in the plan has any more is kept in `retired`.
#[derive(Clone, Default)]
struct Keys {
    /// foldhash, seeded per process: several times SipHash's speed on short keys.
    hasher: hashbrown::DefaultHashBuilder,
    table: HashTable<FeatureId>,
    /// Keys that were a feature's: a removed one's (reserved for its undo),
    /// or the one a feature had before `put` replaced it.
    retired: HashMap<Box<str>, FeatureId>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys").field("features", &self.table.len()).field("retired", &self.retired).finish()
    }
}

/// The key of the feature in slot `id`, if there is one with a key.
fn key_at(features: &[Option<Feature>], id: FeatureId) -> Option<&str> {
    features.get(id.index())?.as_ref()?.key()
}

/// The key of the feature in slot `id` ("" for none: every feature in the
/// table has one, as only those are put in it).
fn key_in(features: &[Option<Feature>], id: FeatureId) -> &str {
    key_at(features, id).unwrap_or("")
}

/// How the table hashes an entry again when it grows: by its feature's key.
fn rehash<'a>(
    hasher: &'a hashbrown::DefaultHashBuilder,
    features: &'a [Option<Feature>],
) -> impl Fn(&FeatureId) -> u64 + 'a {
    move |&id| hasher.hash_one(key_in(features, id))
}

impl Keys {
    /// The feature in the plan with this key.
    fn find(&self, features: &[Option<Feature>], key: &str) -> Option<FeatureId> {
        self.find_hashed(features, self.hasher.hash_one(key), key)
    }

    /// `find`, the key's hash known.
    fn find_hashed(&self, features: &[Option<Feature>], hash: u64, key: &str) -> Option<FeatureId> {
        self.table.find(hash, |&id| key_in(features, id) == key).copied()
    }

    /// Whether a feature has, or had, this key (its hash known).
    fn taken(&self, features: &[Option<Feature>], hash: u64, key: &str) -> bool {
        self.find_hashed(features, hash, key).is_some() || self.retired.contains_key(key)
    }

    /// Indexes the feature now in slot `id` by its key (it takes the key
    /// from a feature that had it, as a map's insert does).
    fn insert(&mut self, features: &[Option<Feature>], id: FeatureId) {
        let Some(key) = key_at(features, id) else { return };
        if !self.retired.is_empty() {
            self.retired.remove(key);
        }
        let hash = self.hasher.hash_one(key);
        match self.table.find_mut(hash, |&other| key_in(features, other) == key) {
            Some(other) => *other = id,
            None => {
                self.table.insert_unique(hash, id, rehash(&self.hasher, features));
            }
        }
    }

    /// Takes the feature in slot `id` out of the table, before it leaves
    /// the slot, keeping its key as retired.
    fn retire(&mut self, features: &[Option<Feature>], id: FeatureId) {
        let Some(key) = key_at(features, id) else { return };
        if let Ok(entry) = self.table.find_entry(self.hasher.hash_one(key), |&other| other == id) {
            entry.remove();
        }
        self.retired.insert(key.into(), id);
    }
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

impl Plan {
    pub fn new(meta: PlanMeta) -> Self {
        Plan { meta, ..Plan::default() }
    }

    /// Makes room for `n` more features.
    pub fn reserve(&mut self, n: usize) {
        self.features.reserve(n);
        let Keys { hasher, table, .. } = &mut self.keys;
        table.reserve(n, rehash(hasher, &self.features));
    }

    /// Makes room for `n` more features if memory allows (a guess, which may
    /// be too large, is only a hint: the plan grows as usual if it fails).
    pub fn try_reserve(&mut self, n: usize) {
        if self.features.try_reserve(n).is_ok() {
            let Keys { hasher, table, .. } = &mut self.keys;
            let _ = table.try_reserve(n, rehash(hasher, &self.features));
        }
    }

    /// Adds a feature and returns its id. A feature without an id, or with an
    /// id another feature already has, is given a fresh one (`f12`).
    pub fn push(&mut self, mut feature: Feature) -> FeatureId {
        let id = FeatureId(u32::try_from(self.features.len()).unwrap_or(u32::MAX));
        // Loading pushes every feature on one thread: its key is hashed once.
        let free = feature.key().and_then(|key| {
            let hash = self.keys.hasher.hash_one(key);
            (!self.keys.taken(&self.features, hash, key)).then_some(hash)
        });
        let hash = free.unwrap_or_else(|| {
            let key = self.fresh_key(id);
            let hash = self.keys.hasher.hash_one(key.as_str());
            feature.source_id = Some(key.into());
            hash
        });
        self.features.push(Some(feature));
        let Keys { hasher, table, .. } = &mut self.keys;
        table.insert_unique(hash, id, rehash(hasher, &self.features));
        id
    }

    /// A key no feature has, nor had: `f12`, else `f12-2`, …
    fn fresh_key(&self, id: FeatureId) -> String {
        let mut key = format!("f{}", id.0);
        let mut n = 1;
        while self.has_key(&key) {
            n += 1;
            key = format!("f{}-{n}", id.0);
        }
        key
    }

    pub fn get(&self, id: FeatureId) -> Option<&Feature> {
        self.features.get(id.index())?.as_ref()
    }

    /// The feature to change in place. Its `source_id` must stay as it is
    /// (the key table finds features by it): a new key is a new feature, `put`.
    pub(crate) fn get_mut(&mut self, id: FeatureId) -> Option<&mut Feature> {
        self.features.get_mut(id.index())?.as_mut()
    }

    /// Every slot, for passes over all features at once (e.g. on all cores);
    /// as with `get_mut`, keys stay as they are.
    pub(crate) fn slots_mut(&mut self) -> &mut [Option<Feature>] {
        &mut self.features
    }

    /// Takes a feature out, leaving its slot empty (its key stays reserved).
    pub(crate) fn take(&mut self, id: FeatureId) -> Option<Feature> {
        self.keys.retire(&self.features, id);
        self.features.get_mut(id.index())?.take()
    }

    /// Puts a feature into its slot, growing the plan if needed; its key
    /// (which must be set) now refers to it. Returns what was there.
    pub(crate) fn put(&mut self, id: FeatureId, feature: Feature) -> Option<Feature> {
        if self.features.len() <= id.index() {
            self.features.resize_with(id.index() + 1, || None);
        }
        self.keys.retire(&self.features, id);
        let old = self.features[id.index()].replace(feature);
        self.keys.insert(&self.features, id);
        old
    }

    /// The id the next new feature gets, and a key no feature has.
    pub fn next_feature(&self) -> (FeatureId, String) {
        let id = FeatureId(u32::try_from(self.features.len()).unwrap_or(u32::MAX));
        (id, self.fresh_key(id))
    }

    /// True if a feature has, or had, this key (a removed feature's key stays reserved for its undo).
    pub fn has_key(&self, key: &str) -> bool {
        self.keys.taken(&self.features, self.keys.hasher.hash_one(key), key)
    }

    /// The key items use to refer to a feature.
    pub fn key(&self, id: FeatureId) -> Option<String> {
        self.get(id)?.key().map(str::to_string)
    }

    /// The feature with a key.
    pub fn by_key(&self, key: &str) -> Option<FeatureId> {
        self.keys.find(&self.features, key)
    }

    /// The features that exist, with their ids, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (FeatureId, &Feature)> {
        self.features.iter().enumerate().filter_map(|(i, f)| Some((FeatureId(i as u32), f.as_ref()?)))
    }

    /// How many features the plan has room for before it grows.
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.features.capacity()
    }

    /// Number of features that exist.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, SourceId};
    use geo::{Geometry, Point};

    fn feature(id: Option<SourceId>) -> Feature {
        let mut f = Feature::new(Kind::Building, serde_json::Map::new(), Geometry::Point(Point::new(116.46, 39.88)));
        f.source_id = id;
        f
    }

    #[test]
    fn keys_are_found_through_their_features_as_a_map_would_find_them() {
        let mut plan = Plan::default();
        let n = 20_000;
        // Text ids, number ids, none, and a repeated one: the table grows
        // (and rehashes through the features) many times on the way.
        for i in 0..n {
            let id = match i % 4 {
                0 => Some(SourceId::from(format!("b{i}"))),
                1 => Some(SourceId::number(&(i as u64).into())),
                2 => None,
                _ => Some(SourceId::from("dup")),
            };
            plan.push(feature(id));
        }
        for i in 0..n {
            let key = plan.key(FeatureId(i)).expect("every feature has a key");
            assert_eq!(plan.by_key(&key), Some(FeatureId(i)), "{key}");
        }
        assert_eq!(plan.key(FeatureId(1)).as_deref(), Some("1"));
        assert_eq!(plan.get(FeatureId(1)).unwrap().source_id, Some(SourceId::Number("1".into())));
        assert_eq!(plan.key(FeatureId(2)).as_deref(), Some("f2"));
        assert_eq!(plan.by_key("dup"), Some(FeatureId(3)), "the first keeps a repeated id");
        assert_eq!(plan.key(FeatureId(7)).as_deref(), Some("f7"));
        assert_eq!(plan.by_key("nowhere"), None);
        assert!(!plan.has_key("nowhere"));
    }

    #[test]
    fn a_removed_features_key_stays_reserved_until_it_is_put_back() {
        let mut plan = Plan::default();
        let a = plan.push(feature(Some("a".into())));
        let b = plan.push(feature(Some("b".into())));
        let taken = plan.take(a).expect("a");
        assert_eq!(plan.by_key("a"), None);
        assert!(plan.has_key("a"), "reserved for the undo");
        assert_eq!(plan.next_feature().1, "f2");
        let c = plan.push(feature(Some("a".into())));
        assert_eq!(plan.key(c).as_deref(), Some("f2"), "a new feature does not take a reserved key");
        plan.put(a, taken);
        assert_eq!(plan.by_key("a"), Some(a));
        assert_eq!(plan.by_key("b"), Some(b));

        // Replacing a feature by one with another key: the old key is no
        // longer found, and stays reserved.
        let old = plan.put(b, feature(Some("b2".into())));
        assert_eq!(old.and_then(|f| f.source_id), Some(SourceId::from("b")));
        assert_eq!((plan.by_key("b"), plan.by_key("b2")), (None, Some(b)));
        assert!(plan.has_key("b"));

        // A clone answers alike.
        let copy = plan.clone();
        assert_eq!((copy.by_key("a"), copy.by_key("b2"), copy.by_key("f2")), (Some(a), Some(b), Some(c)));
    }
}
