//! The language a plan is read in: a choice of the reader, kept in the model so
//! the model's own wording (a feature's name, an item's place, a slide's title)
//! can follow it without knowing about the strings. The interface strings of
//! each language are `i18n`'s (`Lang::strings`), which re-exports [`Lang`].

/// The interface language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn is_chinese(self) -> bool {
        self == Lang::Zh
    }
    /// The other language: where a name is shown beside its translation.
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}
