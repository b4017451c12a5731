//! The bundled font, shared by the window and every export so both draw
//! Chinese with the same glyphs whatever the system has installed.

/// The bundled Noto Sans SC subset (GB2312, OFL): no system ships a CJK font
/// we can count on, so the window adds it as a fallback and every export
/// (SVG, PNG, PDF) embeds it.
pub const CJK_FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-gb2312.otf");

/// The bundled font, parsed once per process for shaping (PNG labels, `render::glyphs`).
pub fn shaper() -> Option<&'static rustybuzz::Face<'static>> {
    static FACE: std::sync::OnceLock<Option<rustybuzz::Face<'static>>> = std::sync::OnceLock::new();
    FACE.get_or_init(|| rustybuzz::Face::from_slice(CJK_FONT, 0)).as_ref()
}

/// The same parsed font's tables: glyph coverage, advance widths, outlines.
pub fn face() -> Option<&'static ttf_parser::Face<'static>> {
    shaper().map(|f| &**f)
}

/// Whether the bundled font draws `c` (white space and controls need no glyph).
pub fn has_glyph(c: char) -> bool {
    c.is_control() || face().is_some_and(|f| f.glyph_index(c).is_some())
}

/// What a character the bundled GB2312 subset lacks is written as: the dashes
/// become its horizontal bar (GB2312's dash, U+2015; an en dash of a range a
/// hyphen), the middle dot its
/// katakana middle dot, superscript digits plain ones. Anything else is kept
/// (and [`missing_glyphs`] names it).
fn substitute(c: char) -> Option<char> {
    match c {
        '\u{2014}' | '\u{2E3A}' => Some('\u{2015}'),
        '\u{2013}' | '\u{2012}' | '\u{2212}' | '\u{2010}' | '\u{2011}' => Some('-'),
        '\u{00B7}' | '\u{2027}' | '\u{2022}' => Some('\u{30FB}'),
        '\u{00B2}' => Some('2'),
        '\u{00B3}' => Some('3'),
        '\u{00A0}' | '\u{2009}' | '\u{202F}' => Some(' '),
        _ => None,
    }
}

/// `text` with every character the bundled font lacks replaced by one it has
/// that reads the same (`substitute`); applied to every exported SVG before
/// it is drawn, so a dash is never silently lost.
pub fn font_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().all(|c| c.is_ascii() || has_glyph(c)) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(
                |c| if c.is_ascii() || has_glyph(c) { c } else { substitute(c).filter(|s| has_glyph(*s)).unwrap_or(c) },
            )
            .collect(),
    )
}
