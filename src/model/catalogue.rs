//! The catalogue of renewal items (改造项目): what can be done to a district,
//! in the four Jinsong categories and the three national classes. The
//! built-in catalogue is data (`assets/catalogue.json`); a plan may add its own entries.

use serde::{Deserialize, Serialize};

use super::kind::Kind;
use super::lang::Lang;

/// Jinsong's four categories of special operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    PublicSpace,
    Smart,
    Service,
    Culture,
}

impl Category {
    pub const ALL: [Category; 4] = [Category::PublicSpace, Category::Smart, Category::Service, Category::Culture];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::PublicSpace => "public_space",
            Category::Smart => "smart",
            Category::Service => "service",
            Category::Culture => "culture",
        }
    }
}

/// The national classes of the 2020 State Council guideline (基础 / 完善 / 提升).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NationalClass {
    Basic,
    Improvement,
    Upgrading,
}

impl NationalClass {
    pub const ALL: [NationalClass; 3] = [NationalClass::Basic, NationalClass::Improvement, NationalClass::Upgrading];

    pub fn as_str(self) -> &'static str {
        match self {
            NationalClass::Basic => "basic",
            NationalClass::Improvement => "improvement",
            NationalClass::Upgrading => "upgrading",
        }
    }
}

/// One kind of renewal work.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CatalogueEntry {
    /// Stable id, never reused (`elevator_retrofit`).
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub category: Category,
    #[serde(rename = "class")]
    pub class: NationalClass,
    /// Feature kinds it usually applies to.
    #[serde(default)]
    pub applies_to: Vec<Kind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_cost_yuan: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note_en: Option<String>,
}

impl CatalogueEntry {
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.name_zh,
            Lang::En => &self.name_en,
        }
    }
}

#[derive(Deserialize)]
struct CatalogueFile {
    items: Vec<CatalogueEntry>,
}

/// The built-in catalogue's JSON.
pub const BUILTIN_JSON: &str = include_str!("../../assets/catalogue.json");

/// The built-in catalogue entries.
pub fn builtin() -> &'static [CatalogueEntry] {
    static BUILTIN: std::sync::OnceLock<Vec<CatalogueEntry>> = std::sync::OnceLock::new();
    BUILTIN.get_or_init(|| serde_json::from_str::<CatalogueFile>(BUILTIN_JSON).map(|f| f.items).unwrap_or_default())
}

/// Looks an entry up in the plan's additions, then the built-in catalogue.
pub fn lookup<'a>(additions: &'a [CatalogueEntry], id: &str) -> Option<&'a CatalogueEntry> {
    additions.iter().find(|e| e.id == id).or_else(|| builtin().iter().find(|e| e.id == id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalogue_has_at_least_40_distinct_items_in_all_categories_and_classes() {
        let c = builtin();
        assert!(c.len() >= 40, "{}", c.len());
        let mut ids: Vec<&str> = c.iter().map(|e| e.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), c.len(), "ids are unique");
        for cat in Category::ALL {
            assert!(c.iter().any(|e| e.category == cat), "{cat:?}");
        }
        for cls in NationalClass::ALL {
            assert!(c.iter().any(|e| e.class == cls), "{cls:?}");
        }
        let elevator = lookup(&[], "elevator_retrofit").expect("elevator retrofit");
        assert_eq!(elevator.name_zh, "加装电梯");
        assert!(c.iter().all(|e| !e.name_zh.is_empty() && !e.name_en.is_empty()));
    }
}
