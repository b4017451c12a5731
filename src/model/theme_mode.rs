//! What the map colours features by: a choice of the plan's reader, kept in
//! the model so the strings (`i18n`) and a slide (`story`) can name it without
//! knowing how it is drawn. The colours themselves are `render::theme`'s, which
//! re-exports [`ThemeMode`].

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
}

impl ThemeMode {
    pub const ALL: [ThemeMode; 4] = [ThemeMode::Kind, ThemeMode::Status, ThemeMode::Category, ThemeMode::Funding];
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
        assert_eq!(names, [r#""kind""#, r#""status""#, r#""category""#, r#""funding""#]);
    }
}
