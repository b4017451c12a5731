//! Stories: ordered slides that present the plan at a meeting. A slide
//! remembers the view (where, which phase or comparison, which layers and
//! colours, what is highlighted) and the words (title and caption in Chinese
//! and English), and optionally an item whose before/after photos it shows.

use serde::{Deserialize, Serialize};

use super::lang::Lang;

/// How a slide compares before and after.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlideCompare {
    #[default]
    Single,
    Swipe,
    SideBySide,
}

/// How a slide colours the map.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlideTheme {
    #[default]
    Kind,
    Status,
    Category,
    Funding,
    /// The residents' agreement to the slide's [`Slide::consent_matter`].
    Consent,
    /// The operating spaces by use (业态).
    SpaceUse,
    /// The operating spaces by years of operating right left.
    TermLeft,
}

/// One slide.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Slide {
    #[serde(default)]
    pub title_zh: String,
    #[serde(default)]
    pub title_en: String,
    #[serde(default)]
    pub caption_zh: String,
    #[serde(default)]
    pub caption_en: String,
    /// Centre of the view, longitude/latitude.
    pub center: [f64; 2],
    /// Ground metres per pixel.
    pub ground_mpp: f64,
    /// The size in pixels of the map the slide was captured in (of one pane when
    /// side by side): with `ground_mpp` it is the ground the slide shows, which a
    /// presentation or a handout page frames whole in whatever space it has.
    /// Absent in older plans: the 1280 × 800 projector view (640 × 800 a pane).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view_px: Option<[f32; 2]>,
    /// `before`, `after` or a date.
    pub phase: String,
    #[serde(default)]
    pub compare: SlideCompare,
    /// Divider position for a swipe, 0–1.
    #[serde(default = "half")]
    pub swipe: f32,
    /// The kinds shown (machine names).
    #[serde(default)]
    pub layers: Vec<String>,
    #[serde(default)]
    pub theme: SlideTheme,
    /// The matter a consent-coloured slide shows (absent: the plan's first; older plans have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_matter: Option<String>,
    /// The slide shows the operations ledger's payback chart beside the map (the cumulative net
    /// crossing zero, the payback year, the operating terms): `model::operations::chart`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub payback_chart: bool,
    /// Keys of features highlighted.
    #[serde(default)]
    pub highlight: Vec<String>,
    /// An item whose before/after photos the slide shows.
    #[serde(default)]
    pub photo_item: Option<String>,
}

fn half() -> f32 {
    0.5
}

/// A named, ordered list of slides.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Story {
    pub id: String,
    #[serde(default)]
    pub name_zh: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub slides: Vec<Slide>,
}

impl Story {
    pub fn name(&self, lang: Lang) -> &str {
        in_lang(lang, &self.name_zh, &self.name_en)
    }
}

/// The projector view a slide without `view_px` was made for.
pub const DEFAULT_VIEW_PX: [f32; 2] = [1280.0, 800.0];

impl Slide {
    /// The pixel size of the view (one pane when side by side) the slide was captured in.
    pub fn view_size(&self) -> [f32; 2] {
        self.view_px.filter(|v| v[0] >= 1.0 && v[1] >= 1.0).unwrap_or(match self.compare {
            SlideCompare::SideBySide => [DEFAULT_VIEW_PX[0] / 2.0, DEFAULT_VIEW_PX[1]],
            _ => DEFAULT_VIEW_PX,
        })
    }

    /// The ground the slide shows (one pane when side by side): width and height in metres.
    pub fn ground_extent(&self) -> [f64; 2] {
        let v = self.view_size();
        [v[0] as f64 * self.ground_mpp, v[1] as f64 * self.ground_mpp]
    }

    pub fn title(&self, lang: Lang) -> &str {
        in_lang(lang, &self.title_zh, &self.title_en)
    }
    pub fn caption(&self, lang: Lang) -> &str {
        in_lang(lang, &self.caption_zh, &self.caption_en)
    }
}

/// The words in the language, else (left empty) in the other.
fn in_lang<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    let (wanted, other) = match lang {
        Lang::Zh => (zh, en),
        Lang::En => (en, zh),
    };
    if wanted.is_empty() { other } else { wanted }
}

/// Story edits are whole-list replacements: small, and their inverse is exact.
pub fn moved(slides: &[Slide], from: usize, to: usize) -> Vec<Slide> {
    let mut v = slides.to_vec();
    if from < v.len() && to < v.len() {
        let s = v.remove(from);
        v.insert(to, s);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slide(t: &str) -> Slide {
        Slide {
            title_zh: t.into(),
            title_en: String::new(),
            caption_zh: String::new(),
            caption_en: String::new(),
            center: [116.457, 39.887],
            ground_mpp: 0.6,
            view_px: None,
            phase: "after".into(),
            compare: SlideCompare::Single,
            swipe: 0.5,
            layers: vec![],
            theme: SlideTheme::Kind,
            consent_matter: None,
            payback_chart: false,
            highlight: vec![],
            photo_item: None,
        }
    }

    #[test]
    fn slides_move_within_their_story() {
        let s = vec![slide("a"), slide("b"), slide("c")];
        let m = moved(&s, 2, 0);
        assert_eq!(m.iter().map(|s| s.title_zh.as_str()).collect::<Vec<_>>(), ["c", "a", "b"]);
        assert_eq!(moved(&s, 5, 0), s, "out of range changes nothing");
    }

    #[test]
    fn a_slide_falls_back_to_the_other_language() {
        let s = slide("劲松西街");
        assert_eq!(s.title(Lang::En), "劲松西街");
        let json = serde_json::to_string(&s).expect("json");
        assert_eq!(serde_json::from_str::<Slide>(&json).expect("back"), s);
    }

    #[test]
    fn a_consent_slide_keeps_its_matter_and_an_older_slide_reads_without_one() {
        let mut s = slide("同意情况");
        let old = serde_json::to_string(&s).expect("json");
        assert!(!old.contains("consent_matter"), "nothing written when there is no matter: {old}");
        assert_eq!(serde_json::from_str::<Slide>(&old).expect("an older slide reads").consent_matter, None);
        s.theme = SlideTheme::Consent;
        s.consent_matter = Some("m-property".into());
        let json = serde_json::to_string(&s).expect("json");
        assert!(json.contains(r#""theme":"consent""#) && json.contains(r#""consent_matter":"m-property""#), "{json}");
        assert_eq!(serde_json::from_str::<Slide>(&json).expect("back"), s);
    }
}
