//! The bundled font, shared by the window and every export so both draw
//! Chinese with the same glyphs whatever the system has installed.

/// The bundled Noto Sans SC subset (GB2312, OFL): no system ships a CJK font
/// we can count on, so the window adds it as a fallback and every export
/// (SVG, PNG, PDF) embeds it.
pub const CJK_FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-gb2312.otf");
