//! What the map colours features by: a choice of the plan's reader, kept in
//! the model so the strings (`i18n`) and a slide (`story`) can name it without
//! knowing how it is drawn. The colours themselves are `render::theme`'s, which
//! re-exports [`ThemeMode`].

use super::consent::{Consent, Matter};
use super::story::SlideTheme;

/// What the map colours features by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ThemeMode {
    /// Colours by kind.
    #[default]
    Kind,
    /// The least advanced status of the feature's items (what holds the site up).
    Status,
    /// The category of the feature's costliest item.
    Category,
    /// The source that pays most for the feature's items.
    Funding,
    /// The residents' agreement to one matter (which one is said beside the mode:
    /// [`consent_matter`]), building by building.
    Consent,
    /// The operating spaces of the ledger by their use (业态).
    SpaceUse,
    /// The operating spaces by the years left of their operating right.
    TermLeft,
}

impl ThemeMode {
    /// Every mode; [`ThemeMode::Consent`] only means something in a plan with matters, the
    /// operating-space modes in a plan with a ledger (the window offers them only then).
    pub const ALL: [ThemeMode; 7] = [
        ThemeMode::Kind,
        ThemeMode::Status,
        ThemeMode::Category,
        ThemeMode::Funding,
        ThemeMode::Consent,
        ThemeMode::SpaceUse,
        ThemeMode::TermLeft,
    ];

    /// Whether the mode means something in this plan: consent needs matters, the space modes spaces.
    pub fn applies_to(self, plan: &super::Plan) -> bool {
        match self {
            ThemeMode::Consent => !plan.consent.matters.is_empty(),
            ThemeMode::SpaceUse | ThemeMode::TermLeft => !plan.operations.spaces.is_empty(),
            _ => true,
        }
    }
}

/// The matter a consent map shows: `id` when the plan has it, else the plan's first
/// (the window's matter in focus, a slide's, an export's `--matter`); `None` without matters.
pub fn consent_matter<'a>(consent: &'a Consent, id: Option<&str>) -> Option<&'a Matter> {
    id.and_then(|id| consent.matter(id)).or_else(|| consent.matters.first())
}

/// The colouring a slide asks for: the one mapping between a slide's saved
/// theme and the map's, used by the handout and the stories window alike.
impl From<SlideTheme> for ThemeMode {
    fn from(t: SlideTheme) -> ThemeMode {
        match t {
            SlideTheme::Kind => ThemeMode::Kind,
            SlideTheme::Status => ThemeMode::Status,
            SlideTheme::Category => ThemeMode::Category,
            SlideTheme::Funding => ThemeMode::Funding,
            SlideTheme::Consent => ThemeMode::Consent,
            SlideTheme::SpaceUse => ThemeMode::SpaceUse,
            SlideTheme::TermLeft => ThemeMode::TermLeft,
        }
    }
}

/// The theme a slide captured from the map saves.
impl From<ThemeMode> for SlideTheme {
    fn from(m: ThemeMode) -> SlideTheme {
        match m {
            ThemeMode::Kind => SlideTheme::Kind,
            ThemeMode::Status => SlideTheme::Status,
            ThemeMode::Category => SlideTheme::Category,
            ThemeMode::Funding => SlideTheme::Funding,
            ThemeMode::Consent => SlideTheme::Consent,
            ThemeMode::SpaceUse => SlideTheme::SpaceUse,
            ThemeMode::TermLeft => SlideTheme::TermLeft,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_theme_survives_a_slide_and_back() {
        for m in ThemeMode::ALL {
            assert_eq!(ThemeMode::from(SlideTheme::from(m)), m);
        }
        let names: Vec<String> = ThemeMode::ALL
            .iter()
            .map(|m| serde_json::to_string(&SlideTheme::from(*m)).expect("a slide theme serialises"))
            .collect();
        assert_eq!(
            names,
            [
                r#""kind""#,
                r#""status""#,
                r#""category""#,
                r#""funding""#,
                r#""consent""#,
                r#""space_use""#,
                r#""term_left""#
            ]
        );
    }

    #[test]
    fn a_consent_map_shows_the_matter_asked_for_else_the_first() {
        let m = |id: &str| Matter {
            id: id.into(),
            title_zh: id.into(),
            title_en: String::new(),
            scope: Default::default(),
            rule: "double_majority".into(),
            opens: None,
            closes: None,
            items: vec![],
        };
        let mut c = Consent::default();
        assert!(consent_matter(&c, Some("a")).is_none(), "no matters, no consent map");
        c.matters = vec![m("a"), m("b")];
        assert_eq!(consent_matter(&c, Some("b")).map(|m| m.id.as_str()), Some("b"));
        assert_eq!(consent_matter(&c, None).map(|m| m.id.as_str()), Some("a"));
        assert_eq!(consent_matter(&c, Some("gone")).map(|m| m.id.as_str()), Some("a"));
    }
}
