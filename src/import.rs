//! Importing a layer: every feature of a file read on its own becomes a new
//! feature of the open plan, in one undoable edit. No egui here.
//!
//! The features keep their kind, geometry and properties; each gets the
//! property `source` (the file's name) so the planner can find them later.
//! Ids and keys never collide with the plan's: ids follow the plan's last
//! slot, and a key the plan already has (or had: a removed feature's key stays
//! reserved for its undo) is replaced by a fresh one, the file's own kept as
//! the property `source_id`. Before/after changes, items, stories, photos and
//! basemaps of the file are not merged: the import adds to the district as it
//! is, and [`LeftOut`] says what was left behind so the message can say so.

use std::collections::HashSet;

use serde_json::Value;

use crate::edit::{Edit, EditLabel};
use crate::model::{Feature, FeatureId, Kind, Plan};

/// The property naming the file an imported feature came from.
pub const SOURCE_PROPERTY: &str = "source";
/// The property keeping the file's own id of a feature whose key had to change.
pub const SOURCE_ID_PROPERTY: &str = "source_id";

/// What an imported file had that is not merged into the plan.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LeftOut {
    pub items: usize,
    pub stories: usize,
    pub basemaps: usize,
    pub photos: usize,
}

impl LeftOut {
    pub fn any(&self) -> bool {
        self.items + self.stories + self.basemaps + self.photos > 0
    }
}

/// An import ready to apply: the edit and what it adds.
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    /// One `Edit::Batch` labelled [`EditLabel::ImportLayer`] of `AddFeature`s.
    pub edit: Edit,
    /// The ids the new features get, in the file's order.
    pub ids: Vec<FeatureId>,
    /// How many features of each kind, most first (ties in drawing order).
    pub kinds: Vec<(Kind, usize)>,
    /// Longitude/latitude box of the imported features: min x, min y, max x, max y.
    pub extent: Option<[f64; 4]>,
    pub left_out: LeftOut,
}

/// A file's features made ready to import, before the plan they go into is
/// known: each marked with the file's name, changes dropped, counted by kind.
/// This is the costly part (every feature's properties are rewritten), so the
/// window does it on the reader's thread; [`place`] then only picks ids and keys.
#[derive(Clone, Debug, PartialEq)]
pub struct Marked {
    /// The features with the keys they had in the file.
    features: Vec<Feature>,
    kinds: Vec<(Kind, usize)>,
    extent: Option<[f64; 4]>,
    left_out: LeftOut,
}

impl Marked {
    /// How many features the file gave.
    pub fn len(&self) -> usize {
        self.features.len()
    }

    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }
}

/// Marks every feature of `source` (a file read on its own) with `source` = `file_name`.
pub fn mark(mut source: Plan, file_name: &str) -> Marked {
    let left_out = LeftOut {
        items: source.items.len(),
        stories: source.stories.len(),
        basemaps: source.basemaps.len(),
        photos: source.photos.len(),
    };
    let mut counts = [0usize; Kind::ALL.len()];
    let mut extent: Option<[f64; 4]> = None;
    let ids: Vec<FeatureId> = source.iter().map(|(id, _)| id).collect();
    let mut features = Vec::with_capacity(ids.len());
    for id in ids {
        // Moved out of the file's plan, not copied: a big layer is not held twice.
        let Some(mut f) = source.take(id) else { continue };
        let mut props = f.properties.to_map();
        props.insert(SOURCE_PROPERTY.into(), Value::String(file_name.into()));
        f.properties = props.into();
        // The district as it is: the file's own before/after changes are its plan's, not this one's.
        f.change = None;
        if let Some(slot) = Kind::ALL.iter().position(|k| *k == f.kind) {
            counts[slot] += 1;
        }
        if let Some(r) = f.bbox() {
            let e = extent.get_or_insert([f64::MAX, f64::MAX, f64::MIN, f64::MIN]);
            *e = [e[0].min(r.min().x), e[1].min(r.min().y), e[2].max(r.max().x), e[3].max(r.max().y)];
        }
        features.push(f);
    }
    let mut kinds: Vec<(Kind, usize)> =
        Kind::ALL.iter().zip(counts).filter(|(_, n)| *n > 0).map(|(k, n)| (*k, n)).collect();
    kinds.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    Marked { features, kinds, extent, left_out }
}

/// The edit that adds marked features to `plan`: ids after its last slot,
/// keys it never had (a taken key is replaced, the file's own kept as the
/// property `source_id`).
pub fn place(plan: &Plan, marked: Marked) -> Import {
    let Marked { features, kinds, extent, left_out } = marked;
    let first = plan.id_bound();
    let mut used: HashSet<String> = HashSet::new();
    let mut edits = Vec::with_capacity(features.len());
    let mut ids = Vec::with_capacity(features.len());
    for (n, mut f) in features.into_iter().enumerate() {
        let Some(id) = first.checked_add(n).and_then(|i| u32::try_from(i).ok()).map(FeatureId) else { break };
        let own = f.key().map(str::to_string);
        let free = |k: &str| !plan.has_key(k) && !used.contains(k);
        let key = match &own {
            Some(k) if free(k) => k.clone(),
            _ => {
                let mut k = format!("f{}", id.0);
                let mut i = 1;
                while !free(&k) {
                    i += 1;
                    k = format!("f{}-{i}", id.0);
                }
                k
            }
        };
        if let Some(own) = own.filter(|o| *o != key) {
            let mut props = f.properties.to_map();
            props.insert(SOURCE_ID_PROPERTY.into(), Value::String(own));
            f.properties = props.into();
        }
        used.insert(key.clone());
        f.source_id = Some(key.into());
        edits.push(Edit::AddFeature { id, feature: Box::new(f), label: EditLabel::ImportLayer });
        ids.push(id);
    }
    Import { edit: Edit::Batch { label: EditLabel::ImportLayer, edits }, ids, kinds, extent, left_out }
}

/// The edit that adds every feature of `source` (a file read on its own) to
/// `plan`, each marked with `source` = `file_name`: [`mark`] then [`place`].
pub fn layer(plan: &Plan, source: Plan, file_name: &str) -> Import {
    place(plan, mark(source, file_name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Item, PlanMeta};
    use geo::{Geometry, Point, polygon};

    fn feature(key: Option<&str>, kind: Kind, g: Geometry<f64>) -> Feature {
        let mut props = serde_json::Map::new();
        props.insert("name".into(), Value::String("新楼".into()));
        let mut f = Feature::new(kind, props, g);
        f.source_id = key.map(Into::into);
        f
    }

    #[test]
    fn imported_features_get_new_ids_and_keys_their_file_name_and_undo_together() {
        let mut plan = Plan::new(PlanMeta::default());
        plan.push(feature(Some("b1"), Kind::Building, Point::new(116.46, 39.88).into()));
        plan.push(feature(Some("f1"), Kind::Street, Point::new(116.461, 39.881).into()));
        let removed = plan.push(feature(Some("gone"), Kind::Other, Point::new(116.462, 39.882).into()));
        crate::edit::Edit::RemoveFeature { id: removed, label: EditLabel::DeleteFeature }
            .apply(&mut plan)
            .expect("removed");
        let before = plan.clone();
        let mut source = Plan::new(PlanMeta::default());
        let square = polygon![(x: 116.47, y: 39.89), (x: 116.471, y: 39.89), (x: 116.471, y: 39.891)];
        source.push(feature(Some("b1"), Kind::Building, square.clone().into()));
        source.push(feature(Some("gone"), Kind::Building, square.into()));
        source.push(feature(Some("new"), Kind::Garden, Point::new(116.48, 39.9).into()));
        source.push(feature(None, Kind::Building, Point::new(116.49, 39.91).into()));
        source.items.insert("it".into(), Item::new("it".into(), "x".into(), vec![], "2024-01-01", 0));
        let import = layer(&plan, source, "新建筑.shp");
        assert_eq!(import.kinds, vec![(Kind::Building, 3), (Kind::Garden, 1)]);
        assert_eq!(import.left_out, LeftOut { items: 1, ..LeftOut::default() });
        assert_eq!(import.ids, (3..7).map(FeatureId).collect::<Vec<_>>(), "after the plan's last slot");
        let e = import.extent.expect("an extent");
        assert!((e[0] - 116.47).abs() < 1e-9 && (e[3] - 39.91).abs() < 1e-9, "{e:?}");
        let inverse = import.edit.apply(&mut plan).expect("applies").inverse;
        assert_eq!(plan.len(), before.len() + 4);
        let mut keys = HashSet::new();
        for id in &import.ids {
            let f = plan.get(*id).expect("added");
            assert_eq!(f.properties.get(SOURCE_PROPERTY), Some(Value::String("新建筑.shp".into())));
            assert_eq!(f.properties.get("name"), Some(Value::String("新楼".into())), "Chinese kept");
            let key = plan.key(*id).expect("a key");
            assert!(keys.insert(key.clone()), "keys differ: {key}");
            assert_eq!(plan.by_key(&key), Some(*id));
        }
        assert_eq!(plan.by_key("b1").map(|id| id.0), Some(0), "the plan's own feature keeps its key");
        let renamed = plan.get(import.ids[0]).expect("added");
        assert_eq!(renamed.properties.get(SOURCE_ID_PROPERTY), Some(Value::String("b1".into())));
        assert_ne!(plan.key(import.ids[1]).as_deref(), Some("gone"), "a removed feature's key stays reserved");
        assert_eq!(plan.key(import.ids[2]).as_deref(), Some("new"), "a free key is kept");
        assert!(plan.get(import.ids[2]).expect("added").properties.get(SOURCE_ID_PROPERTY).is_none());
        assert!(plan.items.len() == before.items.len(), "items are not merged");
        inverse.apply(&mut plan).expect("undoes");
        assert_eq!(plan, before, "one undo takes the whole import back");
    }

    #[test]
    fn ids_and_keys_are_picked_against_the_plan_as_it_is_when_the_import_lands() {
        let mut source = Plan::new(PlanMeta::default());
        source.push(feature(Some("a"), Kind::Node, Point::new(116.48, 39.9).into()));
        // Marked while the file is read; meanwhile the planner draws a feature keyed "a".
        let marked = mark(source, "points.csv");
        assert_eq!(marked.len(), 1);
        let mut plan = Plan::new(PlanMeta::default());
        plan.push(feature(Some("a"), Kind::Building, Point::new(116.46, 39.88).into()));
        let import = place(&plan, marked);
        assert_eq!(import.ids, vec![FeatureId(1)]);
        import.edit.apply(&mut plan).expect("applies");
        assert_eq!(plan.key(FeatureId(1)).as_deref(), Some("f1"));
        let f = plan.get(FeatureId(1)).expect("added");
        assert_eq!(f.properties.get(SOURCE_ID_PROPERTY), Some(Value::String("a".into())));
        assert_eq!(f.properties.get(SOURCE_PROPERTY), Some(Value::String("points.csv".into())));
    }
}
