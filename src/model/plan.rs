//! The plan: a district's features and the plan-wide facts about it.

use serde_json::{Map, Value};

use super::feature::{Feature, FeatureId};

/// Plan-wide facts: its name, the note on where its data came from, and any
/// other top-level members of the file it was loaded from (kept for the
/// round trip).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlanMeta {
    pub name: Option<String>,
    pub note: Option<String>,
    pub foreign: Map<String, Value>,
}

/// A district plan. Features live in slots addressed by [`FeatureId`]; a
/// removed feature leaves an empty slot so that ids stay stable and undo can
/// restore it in place.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    pub meta: PlanMeta,
    features: Vec<Option<Feature>>,
}

impl Plan {
    pub fn new(meta: PlanMeta) -> Self {
        Plan {
            meta,
            features: Vec::new(),
        }
    }

    /// Adds a feature and returns its id.
    pub fn push(&mut self, feature: Feature) -> FeatureId {
        let id = FeatureId(u32::try_from(self.features.len()).unwrap_or(u32::MAX));
        self.features.push(Some(feature));
        id
    }

    pub fn get(&self, id: FeatureId) -> Option<&Feature> {
        self.features.get(id.index())?.as_ref()
    }

    pub(crate) fn get_mut(&mut self, id: FeatureId) -> Option<&mut Feature> {
        self.features.get_mut(id.index())?.as_mut()
    }

    /// The features that exist, with their ids, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (FeatureId, &Feature)> {
        self.features
            .iter()
            .enumerate()
            .filter_map(|(i, f)| Some((FeatureId(i as u32), f.as_ref()?)))
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
}
