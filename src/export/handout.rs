//! The story handout: one A4 landscape PDF page per slide — the map as the
//! slide shows it, title, caption, legend, scale bar, north arrow and the
//! item's before/after photos — with the Chinese font embedded. Each page is
//! an SVG drawn from the same [`Scene`] as the screen,
//! turned into PDF by krilla.

use std::fmt::Write;
use std::sync::Arc;

use crate::error::ExportError;
use crate::model::{Kind, Lang, Phase, Plan, Side, Slide, SlideCompare, Story};
use crate::render::camera::slide_camera;
use crate::render::fonts::CJK_FONT;
use crate::render::svg::{FONT_FAMILY, esc, furniture, scene_group};
use crate::render::theme::{ThemeMode, feature_colors, legend};
use crate::render::{Camera, GeometryCache, Scene, SceneOptions, kind_slot};

use super::progress::{Stage, Watch, check};
use super::underlay::Underlay;

/// A4 landscape in PDF points.
const PAGE: [f32; 2] = [842.0, 595.0];

/// The scene options a slide asks for, in a phase.
pub fn slide_options(plan: &Plan, slide: &Slide, phase: Phase, lang: Lang) -> SceneOptions {
    let mut visible = [true; 7];
    if !slide.layers.is_empty() {
        for k in Kind::ALL {
            visible[kind_slot(k)] = slide.layers.iter().any(|l| l == k.as_str());
        }
    }
    SceneOptions {
        visible,
        theme: feature_colors(plan, ThemeMode::from(slide.theme), slide.consent_matter.as_deref(), &phase),
        lang,
        labels: true,
        hovered: None,
        selected: slide.highlight.iter().filter_map(|k| plan.by_key(k)).collect(),
        highlight_changes: phase != Phase::Before,
        ghosts: slide.compare != SlideCompare::Single && phase != Phase::Before,
        phase,
    }
}

use crate::render::fonts::face;
pub use crate::render::fonts::{font_safe, has_glyph};

/// The characters of an SVG's text the bundled font cannot draw, each once, in order.
pub fn missing_glyphs(svg: &str) -> Vec<char> {
    let mut out = Vec::new();
    let Ok(doc) = usvg::roxmltree::Document::parse(svg) else { return out };
    for node in doc.descendants().filter(|n| n.is_text()) {
        for c in node.text().unwrap_or("").chars() {
            if !has_glyph(c) && !out.contains(&c) {
                out.push(c);
            }
        }
    }
    out
}

/// The advance width of `text` at `size` points in the bundled font (a missing
/// glyph counts as the font's box glyph).
pub fn text_width(text: &str, size: f32) -> f32 {
    let Some(f) = face() else { return crate::render::scene::text_width(text, size) };
    let upem = f.units_per_em().max(1) as f32;
    let units: u32 = text
        .chars()
        .map(|c| {
            let g = f.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
            f.glyph_hor_advance(g).unwrap_or(0) as u32
        })
        .sum();
    units as f32 * size / upem
}

/// A character that breaks like a CJK ideograph (a line may end before or after it).
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x2015)
}

/// CJK punctuation that must not start a line: it hangs at the end of the line before.
fn closes(c: char) -> bool {
    "，。、；：？！）》」』”’…%,.;:?!)".contains(c)
}

/// Splits text into lines no wider than `max` points at `size`, measured with
/// the bundled font's advances: Latin text breaks between words, CJK text
/// between characters (closing punctuation stays with the character before it);
/// a word longer than a line is broken where it must be.
pub fn wrap(text: &str, size: f32, max: f32) -> Vec<String> {
    let text = font_safe(text);
    let mut lines = Vec::new();
    for para in text.split('\n') {
        // Units: a CJK character, or a run of other non-space characters; with whether a space precedes it.
        let mut units: Vec<(bool, String)> = Vec::new();
        let mut space = false;
        for c in para.chars() {
            if c.is_whitespace() {
                space = true;
                continue;
            }
            let glue = !space
                && units.last().is_some_and(|(_, u)| {
                    let last = u.chars().last().unwrap_or(' ');
                    (!is_cjk(c) && !is_cjk(last)) || closes(c)
                });
            if glue && let Some((_, u)) = units.last_mut() {
                u.push(c);
            } else {
                units.push((space, c.to_string()));
            }
            space = false;
        }
        let mut line = String::new();
        for (space, unit) in units {
            let joined = if line.is_empty() {
                unit.clone()
            } else if space {
                format!("{line} {unit}")
            } else {
                format!("{line}{unit}")
            };
            if line.is_empty() || text_width(&joined, size) <= max {
                line = joined;
            } else {
                lines.push(std::mem::take(&mut line));
                line = unit;
            }
            // A word wider than the line is cut where it must be.
            while text_width(&line, size) > max && line.chars().count() > 1 {
                let mut head = String::new();
                for c in line.chars() {
                    if !head.is_empty() && text_width(&format!("{head}{c}"), size) > max {
                        break;
                    }
                    head.push(c);
                }
                line = line[head.len()..].to_string();
                lines.push(head);
            }
        }
        lines.push(line);
    }
    lines
}

fn text(out: &mut String, x: f32, y: f32, size: f32, color: &str, anchor: &str, s: &str) {
    svg_text(out, x, y, size, color, anchor, s);
}

/// A line of text in the bundled font, made drawable ([`font_safe`]) and escaped.
pub(super) fn svg_text(out: &mut String, x: f32, y: f32, size: f32, color: &str, anchor: &str, s: &str) {
    let _ = write!(
        out,
        r#"<text x="{x:.2}" y="{y:.2}" font-family="{FONT_FAMILY}" font-size="{size}" fill="{color}" text-anchor="{anchor}">{}</text>"#,
        esc(&font_safe(s))
    );
}

/// Where a page's map goes: each pane's box (`x, y, w, h` in points).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MapBox {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

/// The largest box of the slide's aspect (`aspect` = width / height) that fits `w × h`, at `(x, y)`.
fn fit_box(x: f32, y: f32, w: f32, h: f32, aspect: f32) -> MapBox {
    let bw = w.min(h * aspect);
    MapBox { x, y, w: bw, h: bw / aspect }
}

/// The map panes of a handout page: the slide's view (both panes when side by
/// side) as large as the space above the caption allows, aspect kept, so the
/// page shows the ground the screen showed.
pub fn page_map_boxes(slide: &Slide, lang: Lang, with_photos: bool) -> Vec<MapBox> {
    let caption_lines = wrap(slide.caption(lang), CAPTION_PT, PAGE[0] - 80.0).len().min(CAPTION_MAX_LINES) as f32;
    let top = 76.0;
    let bottom = PAGE[1] - 30.0 - NOTE_LEAD * NOTE_MAX_LINES as f32 - caption_lines * CAPTION_LEAD - 8.0;
    let avail_w = if with_photos { 480.0 } else { PAGE[0] - 80.0 };
    let v = slide.view_size();
    let aspect = v[0] / v[1].max(1.0);
    if slide.compare == SlideCompare::SideBySide {
        let b = fit_box(40.0, top, (avail_w - 8.0) / 2.0, bottom - top, aspect);
        vec![b, MapBox { x: b.x + b.w + 8.0, ..b }]
    } else {
        vec![fit_box(40.0, top, avail_w, bottom - top, aspect)]
    }
}

/// Drops the labels whose centre lies outside `[x0, y0, x1, y1]` (the part of
/// the map a page shows): clipped away they are invisible, but their text would
/// still be in the PDF, read out between the caption's words.
fn keep_labels_within(scene: &mut Scene, r: [f32; 4]) {
    scene.labels.retain(|l| {
        let c = [(l.rect[0] + l.rect[2]) / 2.0, (l.rect[1] + l.rect[3]) / 2.0];
        (r[0]..=r[2]).contains(&c[0]) && (r[1]..=r[3]).contains(&c[1])
    });
}

/// What one pane of a page's map shows: a phase over a share of its width
/// (`from`..`to`, 0–1: a swipe shows two), and the label naming it.
type PanePart = (Phase, f32, f32, &'static str);

/// The first sentence of a plan's note, from its Chinese or English half when
/// it has both (`中文… / English…`). A sentence ends at `。` or at a full stop
/// followed by a space — never at the point of a number such as 116.4540.
fn note_sentence(note: &str, lang: Lang) -> &str {
    let half = match note.split_once(" / ") {
        Some((zh, en)) => match lang {
            Lang::Zh => zh,
            Lang::En => en,
        },
        None => note,
    };
    let end = [half.find('。').map(|i| i + '。'.len_utf8()), half.find(". ").map(|i| i + 1)]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(half.len());
    half[..end].trim()
}

/// The source note on a handout page: size, line spacing, most lines.
const NOTE_PT: f32 = 6.5;
const NOTE_LEAD: f32 = 8.5;
const NOTE_MAX_LINES: usize = 3;

/// Caption size, line spacing and most lines on a handout page.
const CAPTION_PT: f32 = 12.5;
const CAPTION_LEAD: f32 = 17.0;
const CAPTION_MAX_LINES: usize = 8;

/// One page of the handout as SVG.
pub fn page_svg(
    plan: &Plan,
    cache: &GeometryCache,
    index: &crate::model::SpatialIndex,
    story: &Story,
    i: usize,
    lang: Lang,
    under: &Underlay,
) -> Result<String, ExportError> {
    let slide = &story.slides[i];
    let s = lang.strings();
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{}" height="{}" viewBox="0 0 {} {}">"#,
        PAGE[0], PAGE[1], PAGE[0], PAGE[1]
    );
    let _ = write!(out, r#"<rect width="{}" height="{}" fill="white"/>"#, PAGE[0], PAGE[1]);
    let title = slide.title(lang);
    let title_pt = (22.0 * (PAGE[0] - 80.0) / text_width(title, 22.0).max(1.0)).min(22.0);
    text(&mut out, 40.0, 46.0, title_pt, "#222222", "start", title);
    let plan_name = plan.meta.name.clone().unwrap_or_default();
    text(
        &mut out,
        40.0,
        64.0,
        9.0,
        "#666666",
        "start",
        &format!("{plan_name} · {} · {}/{}", story.name(lang), i + 1, story.slides.len()),
    );

    // Photos take the right column when the slide has them.
    let photos: Vec<_> = slide
        .photo_item
        .as_deref()
        .map(|item| {
            [Side::Before, Side::After]
                .iter()
                .filter_map(|side| plan.photos_of(item, *side).first().map(|p| (*side, (*p).clone())))
                .collect()
        })
        .unwrap_or_default();
    // The payback chart takes the right column when the slide asks for it and the plan has a ledger
    // (in place of photos: one column holds one of them).
    let chart = slide.payback_chart && !plan.operations.is_empty();
    let photos = if chart { Vec::new() } else { photos };
    let boxes = page_map_boxes(slide, lang, !photos.is_empty() || chart);
    let phase = Phase::parse(&slide.phase).unwrap_or(Phase::After);
    let after = match &phase {
        Phase::AsOf(d) => Phase::AsOf(d.clone()),
        _ => Phase::After,
    };
    // Each pane: its box, and the phases it shows with the share of its width each takes.
    let panes: Vec<(MapBox, Vec<PanePart>)> = match slide.compare {
        SlideCompare::Single => vec![(boxes[0], vec![(phase.clone(), 0.0, 1.0, "")])],
        SlideCompare::Swipe => {
            let d = slide.swipe.clamp(0.02, 0.98);
            vec![(boxes[0], vec![(Phase::Before, 0.0, d, s.phase_before), (after, d, 1.0, s.phase_after)])]
        }
        SlideCompare::SideBySide => vec![
            (boxes[0], vec![(Phase::Before, 0.0, 1.0, s.phase_before)]),
            (boxes[1], vec![(after, 0.0, 1.0, s.phase_after)]),
        ],
    };
    let mut defs = String::from("<defs>");
    let mut ground_mpp = 1.0;
    for (n, (b, parts)) in panes.iter().enumerate() {
        let cam = slide_camera(slide, [b.w, b.h]);
        ground_mpp = cam.ground_mpp();
        // The basemap once under the whole box; every part's scene shows it through.
        if !under.is_empty() {
            let id = format!("map{n}");
            let _ = write!(
                defs,
                r#"<clipPath id="{id}"><rect x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}"/></clipPath>"#,
                b.x, b.y, b.w, b.h
            );
            out.push_str(&under.backdrop(&cam, b.x, b.y, &id, crate::render::style::BACKGROUND)?);
        }
        for (k, (ph, from, to, label)) in parts.iter().enumerate() {
            let opts = slide_options(plan, slide, ph.clone(), lang);
            let mut scene = Scene::build(plan, index, cache, &cam, &opts);
            under.show_through(plan, &mut scene);
            keep_labels_within(&mut scene, [b.w * from, 0.0, b.w * to, b.h]);
            let id = format!("map{n}-{k}");
            let (cx, cw) = (b.x + b.w * from, b.w * (to - from));
            let _ = write!(
                defs,
                r#"<clipPath id="{id}"><rect x="{cx:.2}" y="{:.2}" width="{cw:.2}" height="{:.2}"/></clipPath>"#,
                b.y, b.h
            );
            out.push_str(&scene_group(&scene, b.x, b.y, &id));
            if !label.is_empty() {
                let lw = text_width(label, 10.0) + 16.0;
                // The left part's label at its left, the right part's at its right (clear of the north arrow).
                let lx = if *from > 0.0 { cx + cw - lw - 48.0 } else { cx + 8.0 };
                let _ = write!(
                    out,
                    r##"<rect x="{lx:.2}" y="{:.2}" width="{lw:.2}" height="18" rx="3" fill="#333333" fill-opacity="0.8"/>"##,
                    b.y + 8.0
                );
                text(&mut out, lx + lw / 2.0, b.y + 21.0, 10.0, "white", "middle", label);
            }
        }
        if parts.len() > 1 {
            let x = b.x + b.w * parts[1].1;
            let _ = write!(
                out,
                r##"<path d="M{x:.2} {:.2} V{:.2}" stroke="#333333" stroke-opacity="0.5" stroke-width="3.5"/><path d="M{x:.2} {:.2} V{:.2}" stroke="white" stroke-width="1.8"/>"##,
                b.y,
                b.y + b.h,
                b.y,
                b.y + b.h
            );
        }
        out.push_str(&under.credits_svg([b.x, b.y, b.w, b.h], 1.0));
        let _ = write!(
            out,
            r##"<rect x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}" fill="none" stroke="#888888" stroke-width="0.8"/>"##,
            b.x, b.y, b.w, b.h
        );
    }
    defs.push_str("</defs>");
    out.push_str(&defs);
    let first = boxes[0];
    let last = boxes[boxes.len() - 1];
    let map_right = last.x + last.w;
    out.push_str(&furniture(first.x, first.y, first.w, first.h, ground_mpp, [map_right - 24.0, first.y + 26.0]));

    // Legend of the slide's colours: beside the map when the page has room, else in its corner.
    let mode = ThemeMode::from(slide.theme);
    let mut entries = legend(mode);
    if !entries.is_empty() {
        if mode == ThemeMode::Consent {
            // The consent map says what its muted buildings are: outside the matter's scope.
            entries.push((crate::render::theme::NO_ITEMS, crate::render::theme::muted_entry(mode)));
        }
        let last_phase = &panes[panes.len() - 1].1.last().expect("a pane shows a phase").0;
        let counts = crate::render::theme::legend_counts(plan, mode, last_phase);
        // The heading: the theme's name, or the matter, its rule and its result, wrapped to the box
        // (as narrow as the other legends, so it stays in the margin beside a whole district).
        let lw: f32 = 122.0;
        let mut heading = s.legend_heading(plan, mode, slide.consent_matter.as_deref());
        if counts.is_some() {
            heading[0] = format!("{}{}", heading[0], s.counts_note(mode));
        }
        let heading: Vec<(f32, String)> = heading
            .iter()
            .enumerate()
            .flat_map(|(k, line)| {
                let size = if k == 0 { 8.0 } else { 7.0 };
                wrap(line, size, lw - 12.0).into_iter().map(move |l| (size, l))
            })
            .collect();
        let extra = 10.0 * (heading.len() as f32 - 1.0);
        let h = 14.0 * entries.len() as f32 + 20.0 + extra;
        let beside = photos.is_empty() && !chart && PAGE[0] - 40.0 - map_right >= lw + 14.0;
        let (lx, ly) = if beside {
            (map_right + 16.0, last.y + last.h - h + 16.0)
        } else {
            (map_right - lw - 8.0, last.y + last.h - h + 4.0)
        };
        let _ = write!(
            out,
            r#"<rect x="{:.2}" y="{:.2}" width="{lw:.2}" height="{h:.2}" rx="3" fill="white" fill-opacity="0.9"/>"#,
            lx - 6.0,
            ly - 16.0,
        );
        for (k, (size, line)) in heading.iter().enumerate() {
            text(&mut out, lx, ly - 4.0 + 10.0 * k as f32, *size, "#222222", "start", line);
        }
        for (k, (c, name)) in entries.iter().enumerate() {
            let y = ly + 4.0 + extra + 14.0 * k as f32;
            let _ = write!(out, r#"<rect x="{lx:.2}" y="{y:.2}" width="10" height="8" fill="{}"/>"#, c.hex());
            let label = match counts.as_ref().and_then(|n| n.get(k)) {
                Some(n) => format!("{} {n}", s.legend_label(name)),
                None => s.legend_label(name).to_string(),
            };
            text(&mut out, lx + 16.0, y + 7.5, 8.0, "#222222", "start", &label);
        }
    }

    if chart {
        let ledger = super::operations::ledger(plan, &crate::model::operations::Scenario::default());
        let h = (first.h).clamp(200.0, 372.0);
        out.push_str(&super::operations::payback_chart_svg(plan, &ledger, lang, [530.0, first.y, 272.0, h]));
    }

    // Photos, before above after.
    for (k, (side, p)) in photos.iter().enumerate() {
        use base64::Engine;
        let (x, y, w, h) = (540.0, first.y + k as f32 * 200.0, 262.0, 172.0);
        let data = base64::engine::general_purpose::STANDARD.encode(p.jpeg.as_slice());
        let _ = write!(
            out,
            r#"<image x="{x}" y="{y}" width="{w}" height="{h}" preserveAspectRatio="xMidYMid meet" xlink:href="data:image/jpeg;base64,{data}"/>"#
        );
        text(
            &mut out,
            x,
            y + h + 12.0,
            9.0,
            "#444444",
            "start",
            if *side == Side::Before { s.phase_before } else { s.phase_after },
        );
    }

    // The caption, wrapped by the font's own widths.
    let cap_y = first.y + first.h + 22.0;
    for (k, line) in wrap(slide.caption(lang), CAPTION_PT, PAGE[0] - 80.0).iter().enumerate().take(CAPTION_MAX_LINES) {
        text(&mut out, 40.0, cap_y + CAPTION_LEAD * k as f32, CAPTION_PT, "#222222", "start", line);
    }
    // The source note's first sentence, whole, in the page's language when the note has both.
    if let Some(note) = plan.meta.note.as_deref().map(|n| note_sentence(n, lang)).filter(|n| !n.is_empty()) {
        let lines = wrap(note, NOTE_PT, PAGE[0] - 140.0);
        let lines = &lines[..lines.len().min(NOTE_MAX_LINES)];
        for (k, line) in lines.iter().enumerate() {
            let y = PAGE[1] - 18.0 - NOTE_LEAD * (lines.len() - 1 - k) as f32;
            text(&mut out, 40.0, y, NOTE_PT, "#888888", "start", line);
        }
    }
    text(
        &mut out,
        PAGE[0] - 40.0,
        PAGE[1] - 18.0,
        8.0,
        "#888888",
        "end",
        &format!("{} / {}", i + 1, story.slides.len()),
    );
    out.push_str("</svg>");
    Ok(out)
}

/// A font database holding only the bundled font, so output never depends on system fonts.
/// Made once per process: every page and map piece shares it.
pub fn font_db() -> Arc<usvg::fontdb::Database> {
    static DB: std::sync::OnceLock<Arc<usvg::fontdb::Database>> = std::sync::OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_source(usvg::fontdb::Source::Binary(Arc::new(CJK_FONT)));
        db.set_sans_serif_family(FONT_FAMILY);
        Arc::new(db)
    })
    .clone()
}

/// Parses an SVG page with the bundled font only, so output never depends on system fonts.
pub fn svg_tree(svg: &str) -> Result<usvg::Tree, usvg::Error> {
    let opts = usvg::Options { fontdb: font_db(), font_family: FONT_FAMILY.to_string(), ..usvg::Options::default() };
    usvg::Tree::from_str(&font_safe(svg), &opts)
}

/// A PDF with one page per SVG page (each page as large as its SVG), text
/// embedded with the bundled font. The one way every PDF export is made.
pub fn pdf_pages(pages: impl IntoIterator<Item = String>) -> Result<Vec<u8>, ExportError> {
    pdf_pages_with(pages.into_iter().map(Ok), 1, &super::progress::unwatched)
}

/// [`pdf_pages`] of pages made one at a time (each built, then drawn, so only
/// one page's SVG is held), telling `watch` after each page of `total` steps
/// (the pages and what follows them); stopped between pages.
pub fn pdf_pages_with(
    pages: impl IntoIterator<Item = Result<String, ExportError>>,
    total: usize,
    watch: Watch,
) -> Result<Vec<u8>, ExportError> {
    use krilla_svg::{SurfaceExt, SvgSettings};
    let mut doc = krilla::Document::new();
    check(watch, 0, total, Stage::Pages)?;
    for (i, svg) in pages.into_iter().enumerate() {
        let page = i + 1;
        let tree = svg_tree(&svg?).map_err(|e| ExportError::Page { page, message: e.to_string() })?;
        let size =
            krilla::geom::Size::from_wh(tree.size().width(), tree.size().height()).ok_or(ExportError::PageSize)?;
        let mut sheet = doc.start_page_with(krilla::page::PageSettings::new(size));
        let mut surface = sheet.surface();
        surface.draw_svg(&tree, size, SvgSettings::default()).ok_or(ExportError::Draw { page })?;
        surface.finish();
        sheet.finish();
        check(watch, page, total, Stage::Pages)?;
    }
    doc.finish().map_err(|e| ExportError::Pdf(format!("{e:?}")))
}

/// The handout of a story as SVG pages, one a slide, each map over the basemaps of `under`.
pub fn story_pages(plan: &Plan, story: &Story, lang: Lang, under: &Underlay) -> Result<Vec<String>, ExportError> {
    if story.slides.is_empty() {
        return Err(ExportError::NoSlides(story.name(lang).to_string()));
    }
    let (index, cache) = GeometryCache::for_print(plan);
    (0..story.slides.len()).map(|i| page_svg(plan, &cache, &index, story, i, lang, under)).collect()
}

/// The handout of a story as PDF bytes, telling `watch` after each page of the
/// slides and one step more (writing the file, which follows).
pub fn story_pdf(
    plan: &Plan,
    story: &Story,
    lang: Lang,
    under: &Underlay,
    watch: Watch,
) -> Result<Vec<u8>, ExportError> {
    if story.slides.is_empty() {
        return Err(ExportError::NoSlides(story.name(lang).to_string()));
    }
    let total = story.slides.len() + 1;
    check(watch, 0, total, Stage::Preparing)?;
    let (index, cache) = GeometryCache::for_print(plan);
    let pages = (0..story.slides.len()).map(|i| page_svg(plan, &cache, &index, story, i, lang, under));
    pdf_pages_with(pages, total, watch)
}

/// The least ground an atlas site map spans across, in metres: a building with its neighbours and lanes.
const SITE_CONTEXT_M: f64 = 120.0;

/// One atlas page: a site (a feature carrying items) with its map, its items
/// and their status, its money by source and its before/after photos; page
/// `n` of `total`.
fn site_page_svg(
    plan: &Plan,
    cache: &GeometryCache,
    index: &crate::model::SpatialIndex,
    site: crate::model::FeatureId,
    (n, total): (usize, usize),
    lang: Lang,
    under: &Underlay,
) -> Result<String, ExportError> {
    let s = lang.strings();
    let Some(f) = plan.get(site) else { return Ok(String::new()) };
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{}" height="{}" viewBox="0 0 {} {}"><rect width="{}" height="{}" fill="white"/>"#,
        PAGE[0], PAGE[1], PAGE[0], PAGE[1], PAGE[0], PAGE[1]
    );
    let name = f.name(lang).unwrap_or(s.kind(f.kind)).to_string();
    text(&mut out, 40.0, 46.0, 22.0, "#222222", "start", &name);
    let plan_name = plan.meta.name.clone().unwrap_or_default();
    text(&mut out, 40.0, 64.0, 9.0, "#666666", "start", &format!("{plan_name} · {} · {n}/{total}", s.kind(f.kind)));

    // The site map: after the renewal, the site highlighted, framed with its surroundings; the left 60 % of the page.
    let (mx, my, mw, mh) = (40.0, 76.0, 480.0, 478.0);
    let r = f.bbox().map(|r| [r.min().x, r.min().y, r.max().x, r.max().y]).unwrap_or([0.0; 4]);
    // The site fills the map with a margin; a small one shows at least ~120 m of its surroundings.
    let mut cam = Camera::fit(r, [mw, mh], 60.0);
    let least = SITE_CONTEXT_M / mw as f64;
    if cam.ground_mpp() < least {
        cam.mpp *= least / cam.ground_mpp();
    }
    // A site the renewal removes (overhead lines, illegal structures) is not there after: it shows as removed.
    let removed = f.change.as_ref().is_some_and(|c| c.kind == crate::model::phase::ChangeKind::Removed);
    let opts = SceneOptions {
        phase: Phase::After,
        lang,
        highlight_changes: true,
        ghosts: removed,
        selected: std::iter::once(site).collect(),
        ..SceneOptions::default()
    };
    let mut scene = Scene::build(plan, index, cache, &cam, &opts);
    keep_labels_within(&mut scene, [0.0, 0.0, mw, mh]);
    let _ = write!(
        out,
        r#"<defs><clipPath id="site"><rect x="{mx}" y="{my}" width="{mw}" height="{mh}"/></clipPath></defs>"#
    );
    out.push_str(&under.lay_under(plan, &mut scene, &cam, mx, my, "site")?);
    out.push_str(&scene_group(&scene, mx, my, "site"));
    out.push_str(&under.credits_svg([mx, my, mw, mh], 1.0));
    let _ = write!(
        out,
        r##"<rect x="{mx}" y="{my}" width="{mw}" height="{mh}" fill="none" stroke="#888888" stroke-width="0.8"/>"##
    );
    out.push_str(&furniture(mx, my, mw, mh, cam.ground_mpp(), [mx + mw - 24.0, my + 26.0]));

    // The right column: the site's facts, its items, its money, its photos.
    let (cx, right) = (mx + mw + 22.0, PAGE[0] - 40.0);
    let col = right - cx;
    let mut y = 90.0;
    let facts = site_facts(f, lang);
    if !facts.is_empty() {
        let heading = if f.kind == Kind::Building { s.building_facts } else { s.site_facts };
        text(&mut out, cx, y, 12.0, "#222222", "start", heading);
        y += 17.0;
        let label_w = facts.iter().map(|(l, _)| text_width(l, 9.5)).fold(0.0, f32::max) + 12.0;
        for (label, value) in &facts {
            text(&mut out, cx, y, 9.5, "#666666", "start", label);
            for (k, line) in wrap(value, 9.5, col - label_w).iter().enumerate().take(2) {
                text(&mut out, cx + label_w, y + 12.0 * k as f32, 9.5, "#222222", "start", line);
                if k > 0 {
                    y += 12.0;
                }
            }
            y += 14.0;
        }
        y += 12.0;
    }
    let photo_item = plan.items_of(site).into_iter().find(|i| plan.photos.values().any(|p| p.item == i.id));
    // Items stop where the money (and the photos) must still fit.
    let items_end = PAGE[1] - 40.0 - 16.0 - 13.0 * 4.0 - 16.0 - if photo_item.is_some() { 112.0 } else { 0.0 };
    text(&mut out, cx, y, 12.0, "#222222", "start", s.items);
    y += 18.0;
    let items = plan.items_of(site);
    let mut by_source = [0i64; 4];
    let name_w = col - 150.0;
    let mut shown = 0;
    for item in &items {
        for (k, src) in crate::model::FundingSource::ALL.iter().enumerate() {
            by_source[k] = by_source[k].saturating_add(item.funding.get(*src));
        }
        let iname = item.display_name(plan, lang);
        let lines = wrap(&iname, 9.5, name_w);
        let lines = &lines[..lines.len().min(2)];
        if y + 12.0 * lines.len() as f32 > items_end {
            continue;
        }
        shown += 1;
        let color = crate::render::theme::status_color(item.status).hex();
        let _ = write!(out, r#"<rect x="{cx}" y="{:.1}" width="8" height="8" fill="{color}"/>"#, y - 7.5);
        for (k, line) in lines.iter().enumerate() {
            text(&mut out, cx + 14.0, y + 12.0 * k as f32, 9.5, "#222222", "start", line);
        }
        text(&mut out, cx + 20.0 + name_w, y, 9.0, "#444444", "start", s.status(item.status));
        text(
            &mut out,
            right,
            y,
            9.0,
            "#444444",
            "end",
            &crate::model::measure::group_thousands(item.cost_basis() as f64),
        );
        y += 12.0 * lines.len() as f32 + 4.0;
    }
    if shown < items.len() {
        text(&mut out, cx + 14.0, y, 9.0, "#666666", "start", &format!("… +{}", items.len() - shown));
        y += 14.0;
    }
    y += 10.0;
    text(&mut out, cx, y, 11.0, "#222222", "start", &format!("{} ({})", s.funding, s.yuan));
    y += 16.0;
    for (k, src) in crate::model::FundingSource::ALL.iter().enumerate() {
        text(&mut out, cx, y, 9.0, "#444444", "start", s.source(*src));
        text(&mut out, right, y, 9.0, "#444444", "end", &crate::model::measure::group_thousands(by_source[k] as f64));
        y += 13.0;
    }
    // Before and after photos of the site's first item that has any, at the foot of the column.
    if let Some(item) = photo_item {
        use base64::Engine;
        let pw = (col - 8.0) / 2.0;
        for (k, side) in [Side::Before, Side::After].iter().enumerate() {
            if let Some(p) = plan.photos_of(&item.id, *side).first() {
                let data = base64::engine::general_purpose::STANDARD.encode(p.jpeg.as_slice());
                let x = cx + k as f32 * (pw + 8.0);
                let top = PAGE[1] - 40.0 - 100.0;
                let _ = write!(
                    out,
                    r#"<image x="{x:.2}" y="{top:.2}" width="{pw:.2}" height="86" preserveAspectRatio="xMidYMid meet" xlink:href="data:image/jpeg;base64,{data}"/>"#
                );
                text(
                    &mut out,
                    x,
                    top + 98.0,
                    8.0,
                    "#444444",
                    "start",
                    if *side == Side::Before { s.phase_before } else { s.phase_after },
                );
            }
        }
    }
    text(&mut out, PAGE[0] - 40.0, PAGE[1] - 18.0, 8.0, "#888888", "end", &format!("{n} / {total}"));
    out.push_str("</svg>");
    Ok(out)
}

/// A site's facts from its properties, as label and value, only those it has:
/// floors, households, year built, structure, floor area — and, for an area,
/// its measured footprint.
pub fn site_facts(f: &crate::model::Feature, lang: Lang) -> Vec<(&'static str, String)> {
    let s = lang.strings();
    let mut out = Vec::new();
    let whole = |v: f64| crate::model::measure::group_thousands(v.round());
    if let Some(v) = f.number_prop("floors") {
        out.push((s.fact_floors, whole(v)));
    }
    if let Some(v) = f.number_prop("households") {
        out.push((s.fact_households, whole(v)));
    }
    if let Some(v) = f.number_prop("year_built") {
        out.push((s.fact_year_built, format!("{v:.0}")));
    }
    let text_prop = |keys: &[&str]| keys.iter().find_map(|k| f.properties.get_str(k).map(str::to_string));
    let structure = text_prop(match lang {
        Lang::Zh => &["structure_zh", "structure"],
        Lang::En => &["structure_en", "structure"],
    });
    if let Some(v) = structure.filter(|v| !v.trim().is_empty()) {
        out.push((s.fact_structure, v));
    }
    if let Some(v) = f.number_prop("floor_area_m2") {
        out.push((s.fact_floor_area, format!("{} {}", whole(v), s.square_metres)));
    }
    if let crate::model::measure::Measure::Area { m2, .. } = crate::model::measure::measure(&f.geometry)
        && m2 > 0.0
    {
        out.push((s.fact_footprint, format!("{} {}", whole(m2), s.square_metres)));
    }
    out
}

/// The atlas's sites, in page order: every feature that carries items (or only
/// those of the given kinds), by kind.
fn atlas_sites(plan: &Plan, kinds: Option<&[Kind]>) -> Result<Vec<crate::model::FeatureId>, ExportError> {
    let mut sites: Vec<crate::model::FeatureId> = plan
        .iter()
        .filter(|(id, f)| !plan.items_of(*id).is_empty() && kinds.is_none_or(|k| k.contains(&f.kind)))
        .map(|(id, _)| id)
        .collect();
    if sites.is_empty() {
        return Err(ExportError::NoSites);
    }
    sites.sort_by_key(|id| (plan.get(*id).map(|f| f.kind), *id));
    Ok(sites)
}

/// The atlas as SVG pages: one per site (every feature that carries items, or
/// only those of the given kinds), the sheet a site meeting needs.
/// Each site map is drawn over the basemaps of `under`.
pub fn atlas_pages(
    plan: &Plan,
    lang: Lang,
    kinds: Option<&[Kind]>,
    under: &Underlay,
) -> Result<Vec<String>, ExportError> {
    let sites = atlas_sites(plan, kinds)?;
    let (index, cache) = GeometryCache::for_print(plan);
    sites
        .iter()
        .enumerate()
        .map(|(i, site)| site_page_svg(plan, &cache, &index, *site, (i + 1, sites.len()), lang, under))
        .collect()
}

/// The atlas as PDF bytes and its number of pages, telling `watch` after each
/// site's page and one step more (writing the file, which follows).
pub fn atlas_pdf(
    plan: &Plan,
    lang: Lang,
    kinds: Option<&[Kind]>,
    under: &Underlay,
    watch: Watch,
) -> Result<(Vec<u8>, usize), ExportError> {
    let sites = atlas_sites(plan, kinds)?;
    let total = sites.len() + 1;
    check(watch, 0, total, Stage::Preparing)?;
    let (index, cache) = GeometryCache::for_print(plan);
    let pages = sites
        .iter()
        .enumerate()
        .map(|(i, site)| site_page_svg(plan, &cache, &index, *site, (i + 1, sites.len()), lang, under));
    Ok((pdf_pages_with(pages, total, watch)?, sites.len()))
}
