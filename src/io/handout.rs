//! The story handout: one A4 landscape PDF page per slide — the map as the
//! slide shows it, title, caption, legend, scale bar, north arrow and the
//! item's before/after photos — with the Chinese font embedded. Each page is
//! an SVG drawn from the same [`Scene`](crate::render::Scene) as the screen,
//! turned into PDF by krilla.

use std::fmt::Write;
use std::sync::Arc;

use crate::model::{Kind, Phase, Plan, Side, Slide, SlideCompare, SlideTheme, Story};
use crate::render::svg::{FONT_FAMILY, esc, furniture, scene_group};
use crate::render::theme::{ThemeMode, feature_colors, legend};
use crate::render::{Camera, GeometryCache, Scene, SceneOptions, kind_slot};

/// The bundled Noto Sans SC subset (GB2312, OFL), used by every export.
pub const CJK_FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-gb2312.otf");

/// A4 landscape in PDF points.
const PAGE: [f32; 2] = [842.0, 595.0];

fn theme_mode(t: SlideTheme) -> ThemeMode {
    match t {
        SlideTheme::Kind => ThemeMode::Kind,
        SlideTheme::Status => ThemeMode::Status,
        SlideTheme::Category => ThemeMode::Category,
        SlideTheme::Funding => ThemeMode::Funding,
    }
}

/// The camera a slide shows, for a view of `size` pixels.
pub fn slide_camera(slide: &Slide, size: [f32; 2]) -> Camera {
    let mut cam = Camera::new(size);
    cam.center = crate::render::camera::to_world(slide.center[0], slide.center[1]);
    cam.mpp = slide.ground_mpp / slide.center[1].to_radians().cos().max(1e-6);
    cam.clamp_zoom();
    cam
}

/// The scene options a slide asks for, in a phase.
pub fn slide_options(plan: &Plan, slide: &Slide, phase: Phase, chinese: bool) -> SceneOptions {
    let mut visible = [true; 7];
    if !slide.layers.is_empty() {
        for k in Kind::ALL {
            visible[kind_slot(k)] = slide.layers.iter().any(|l| l == k.as_str());
        }
    }
    SceneOptions {
        visible,
        theme: feature_colors(plan, theme_mode(slide.theme), &phase),
        chinese,
        labels: true,
        hovered: None,
        selected: slide.highlight.iter().filter_map(|k| plan.by_key(k)).collect(),
        highlight_changes: phase != Phase::Before,
        ghosts: slide.compare != SlideCompare::Single && phase != Phase::Before,
        phase,
    }
}

/// Splits text into lines of at most `max` estimated pixels.
fn wrap(text: &str, size: f32, max: f32) -> Vec<String> {
    let mut lines = vec![String::new()];
    let mut w = 0.0;
    for c in text.chars() {
        let cw = crate::render::scene::text_width(c.encode_utf8(&mut [0; 4]), size);
        if w + cw > max && !lines.last().is_some_and(|l| l.is_empty()) {
            lines.push(String::new());
            w = 0.0;
        }
        if let Some(l) = lines.last_mut() {
            l.push(c);
        }
        w += cw;
    }
    lines
}

fn text(out: &mut String, x: f32, y: f32, size: f32, color: &str, anchor: &str, s: &str) {
    let _ = write!(
        out,
        r#"<text x="{x:.2}" y="{y:.2}" font-family="{FONT_FAMILY}" font-size="{size}" fill="{color}" text-anchor="{anchor}">{}</text>"#,
        esc(s)
    );
}

/// One page of the handout as SVG.
pub fn page_svg(
    plan: &Plan,
    cache: &GeometryCache,
    index: &crate::model::SpatialIndex,
    story: &Story,
    i: usize,
    chinese: bool,
) -> String {
    let slide = &story.slides[i];
    let s = if chinese { &crate::i18n::ZH } else { &crate::i18n::EN };
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{}" height="{}" viewBox="0 0 {} {}">"#,
        PAGE[0], PAGE[1], PAGE[0], PAGE[1]
    );
    let _ = write!(out, r#"<rect width="{}" height="{}" fill="white"/>"#, PAGE[0], PAGE[1]);
    text(&mut out, 40.0, 46.0, 22.0, "#222222", "start", slide.title(chinese));
    let plan_name = plan.meta.name.clone().unwrap_or_default();
    text(
        &mut out,
        40.0,
        64.0,
        9.0,
        "#666666",
        "start",
        &format!("{plan_name} · {} · {}/{}", story.name(chinese), i + 1, story.slides.len()),
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
    let (mx, my, mw, mh) = (40.0, 76.0, if photos.is_empty() { 762.0 } else { 480.0 }, 390.0);
    let phase = Phase::parse(&slide.phase).unwrap_or(Phase::After);
    let after = match &phase {
        Phase::AsOf(d) => Phase::AsOf(d.clone()),
        _ => Phase::After,
    };
    let panes: Vec<(f32, f32, Phase, Option<&str>)> = if slide.compare == SlideCompare::Single {
        vec![(mx, mw, phase.clone(), None)]
    } else {
        let half = (mw - 8.0) / 2.0;
        vec![(mx, half, Phase::Before, Some(s.phase_before)), (mx + half + 8.0, half, after, Some(s.phase_after))]
    };
    let mut defs = String::from("<defs>");
    let mut ground_mpp = 1.0;
    for (n, (px, pw, ph, label)) in panes.iter().enumerate() {
        let cam = slide_camera(slide, [*pw, mh]);
        ground_mpp = cam.ground_mpp();
        let opts = slide_options(plan, slide, ph.clone(), chinese);
        let scene = Scene::build(plan, index, cache, &cam, &opts);
        let id = format!("map{n}");
        let _ = write!(
            defs,
            r#"<clipPath id="{id}"><rect x="{px:.2}" y="{my:.2}" width="{pw:.2}" height="{mh:.2}"/></clipPath>"#
        );
        out.push_str(&scene_group(&scene, *px, my, &id));
        let _ = write!(
            out,
            r##"<rect x="{px:.2}" y="{my:.2}" width="{pw:.2}" height="{mh:.2}" fill="none" stroke="#888888" stroke-width="0.8"/>"##
        );
        if let Some(l) = label {
            let _ = write!(
                out,
                r##"<rect x="{:.2}" y="{:.2}" width="64" height="18" rx="3" fill="#333333" fill-opacity="0.8"/>"##,
                px + 8.0,
                my + 8.0
            );
            text(&mut out, px + 40.0, my + 21.0, 10.0, "white", "middle", l);
        }
    }
    defs.push_str("</defs>");
    out.push_str(&defs);
    out.push_str(&furniture(mx, my, mw, mh, ground_mpp, [mx + mw - 24.0, my + 26.0]));

    // Legend of the slide's colours, with the items each stands for in the slide's (after) phase.
    let entries = legend(theme_mode(slide.theme));
    if !entries.is_empty() {
        let counts = crate::render::theme::legend_counts(plan, theme_mode(slide.theme), &panes[panes.len() - 1].2);
        let (lx, ly) = (mx + mw - 130.0, my + mh - 16.0 - 14.0 * entries.len() as f32);
        let _ = write!(
            out,
            r#"<rect x="{:.2}" y="{:.2}" width="122" height="{:.2}" rx="3" fill="white" fill-opacity="0.9"/>"#,
            lx - 6.0,
            ly - 16.0,
            14.0 * entries.len() as f32 + 20.0
        );
        let title = s.theme_mode(theme_mode(slide.theme));
        let title = if counts.is_some() { format!("{title}{}", s.legend_counts_note) } else { title.to_string() };
        text(&mut out, lx, ly - 4.0, 8.0, "#222222", "start", &title);
        for (k, (c, name)) in entries.iter().enumerate() {
            let y = ly + 4.0 + 14.0 * k as f32;
            let _ = write!(out, r#"<rect x="{lx:.2}" y="{y:.2}" width="10" height="8" fill="{}"/>"#, c.hex());
            let label = match counts.as_ref().and_then(|n| n.get(k)) {
                Some(n) => format!("{} {n}", s.legend_label(name)),
                None => s.legend_label(name).to_string(),
            };
            text(&mut out, lx + 16.0, y + 7.5, 8.0, "#222222", "start", &label);
        }
    }

    // Photos, before above after.
    for (k, (side, p)) in photos.iter().enumerate() {
        use base64::Engine;
        let (x, y, w, h) = (540.0, my + k as f32 * 200.0, 262.0, 172.0);
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

    // The caption, wrapped.
    for (k, line) in wrap(slide.caption(chinese), 13.0, 762.0).iter().enumerate().take(6) {
        text(&mut out, 40.0, my + mh + 24.0 + 18.0 * k as f32, 13.0, "#222222", "start", line);
    }
    if let Some(note) = &plan.meta.note {
        let first = note.split(['。', '.']).next().unwrap_or("");
        text(&mut out, 40.0, PAGE[1] - 18.0, 7.0, "#888888", "start", first);
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
    out
}

/// A font database holding only the bundled font, so output never depends on system fonts.
pub fn font_db() -> Arc<usvg::fontdb::Database> {
    let mut db = usvg::fontdb::Database::new();
    db.load_font_data(CJK_FONT.to_vec());
    db.set_sans_serif_family(FONT_FAMILY);
    Arc::new(db)
}

/// Parses an SVG page with the bundled font only, so output never depends on system fonts.
pub fn svg_tree(svg: &str) -> Result<usvg::Tree, String> {
    let opts = usvg::Options { fontdb: font_db(), font_family: FONT_FAMILY.to_string(), ..usvg::Options::default() };
    usvg::Tree::from_str(svg, &opts).map_err(|e| e.to_string())
}

/// A PDF with one page per SVG page (each page as large as its SVG), text
/// embedded with the bundled font. The one way every PDF export is made.
pub fn pdf_pages(pages: impl IntoIterator<Item = String>) -> Result<Vec<u8>, String> {
    use krilla_svg::{SurfaceExt, SvgSettings};
    let mut doc = krilla::Document::new();
    for (i, svg) in pages.into_iter().enumerate() {
        let tree = svg_tree(&svg).map_err(|e| format!("page {}: {e}", i + 1))?;
        let size = krilla::geom::Size::from_wh(tree.size().width(), tree.size().height()).ok_or("bad page size")?;
        let mut page = doc.start_page_with(krilla::page::PageSettings::new(size));
        let mut surface = page.surface();
        surface.draw_svg(&tree, size, SvgSettings::default()).ok_or(format!("page {}: could not draw", i + 1))?;
        surface.finish();
        page.finish();
    }
    doc.finish().map_err(|e| format!("{e:?}"))
}

/// The handout of a story as PDF bytes.
pub fn story_pdf(plan: &Plan, story: &Story, chinese: bool) -> Result<Vec<u8>, String> {
    if story.slides.is_empty() {
        return Err(format!("story \"{}\" has no slides", story.name(chinese)));
    }
    let index = crate::model::SpatialIndex::build(plan);
    let cache = GeometryCache::build(plan);
    let pages = (0..story.slides.len()).map(|i| page_svg(plan, &cache, &index, story, i, chinese));
    pdf_pages(pages)
}

/// One atlas page: a site (a feature carrying items) with its map, its items
/// and their status, its money by source and its before/after photos.
fn site_page_svg(
    plan: &Plan,
    cache: &GeometryCache,
    index: &crate::model::SpatialIndex,
    site: crate::model::FeatureId,
    n: usize,
    total: usize,
    chinese: bool,
) -> String {
    let s = if chinese { &crate::i18n::ZH } else { &crate::i18n::EN };
    let Some(f) = plan.get(site) else { return String::new() };
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{}" height="{}" viewBox="0 0 {} {}"><rect width="{}" height="{}" fill="white"/>"#,
        PAGE[0], PAGE[1], PAGE[0], PAGE[1], PAGE[0], PAGE[1]
    );
    let name = f.name(chinese).unwrap_or(s.kind(f.kind)).to_string();
    text(&mut out, 40.0, 46.0, 22.0, "#222222", "start", &name);
    let plan_name = plan.meta.name.clone().unwrap_or_default();
    text(&mut out, 40.0, 64.0, 9.0, "#666666", "start", &format!("{plan_name} · {} · {n}/{total}", s.kind(f.kind)));

    // The site map: after the renewal, the site highlighted, framed with its surroundings.
    let (mx, my, mw, mh) = (40.0, 76.0, 470.0, 440.0);
    let r = f.bbox().map(|r| [r.min().x, r.min().y, r.max().x, r.max().y]).unwrap_or([0.0; 4]);
    let mut cam = Camera::fit(r, [mw, mh], 120.0);
    if cam.ground_mpp() < 0.15 {
        cam.mpp *= 0.15 / cam.ground_mpp();
    }
    let opts = SceneOptions {
        phase: Phase::After,
        chinese,
        highlight_changes: true,
        selected: std::iter::once(site).collect(),
        ..SceneOptions::default()
    };
    let scene = Scene::build(plan, index, cache, &cam, &opts);
    let _ = write!(
        out,
        r#"<defs><clipPath id="site"><rect x="{mx}" y="{my}" width="{mw}" height="{mh}"/></clipPath></defs>"#
    );
    out.push_str(&scene_group(&scene, mx, my, "site"));
    let _ = write!(
        out,
        r##"<rect x="{mx}" y="{my}" width="{mw}" height="{mh}" fill="none" stroke="#888888" stroke-width="0.8"/>"##
    );
    out.push_str(&furniture(mx, my, mw, mh, cam.ground_mpp(), [mx + mw - 24.0, my + 26.0]));

    // Items, status and money.
    let (cx, mut y) = (530.0, 90.0);
    text(&mut out, cx, y, 12.0, "#222222", "start", s.items);
    y += 18.0;
    let items = plan.items_of(site);
    let mut by_source = [0i64; 4];
    for item in &items {
        let iname = item.display_name(plan, chinese);
        let color = crate::render::theme::status_color(item.status).hex();
        let _ = write!(out, r#"<rect x="{cx}" y="{:.1}" width="8" height="8" fill="{color}"/>"#, y - 7.5);
        for (k, line) in wrap(&iname, 9.5, 150.0).iter().enumerate().take(2) {
            text(&mut out, cx + 14.0, y + 12.0 * k as f32, 9.5, "#222222", "start", line);
        }
        text(&mut out, cx + 170.0, y, 9.0, "#444444", "start", s.status(item.status));
        text(
            &mut out,
            PAGE[0] - 40.0,
            y,
            9.0,
            "#444444",
            "end",
            &crate::model::measure::group_thousands(item.cost_basis() as f64),
        );
        y += if wrap(&iname, 9.5, 150.0).len() > 1 { 26.0 } else { 15.0 };
        for (k, src) in crate::model::FundingSource::ALL.iter().enumerate() {
            by_source[k] = by_source[k].saturating_add(item.funding.get(*src));
        }
        if y > 330.0 {
            break;
        }
    }
    y += 8.0;
    text(&mut out, cx, y, 11.0, "#222222", "start", &format!("{} ({})", s.funding, s.yuan));
    y += 16.0;
    for (k, src) in crate::model::FundingSource::ALL.iter().enumerate() {
        text(&mut out, cx, y, 9.0, "#444444", "start", s.source(*src));
        text(
            &mut out,
            PAGE[0] - 40.0,
            y,
            9.0,
            "#444444",
            "end",
            &crate::model::measure::group_thousands(by_source[k] as f64),
        );
        y += 13.0;
    }
    // Before and after photos of the site's first item that has any.
    if let Some(item) = items.iter().find(|i| plan.photos.values().any(|p| p.item == i.id)) {
        use base64::Engine;
        for (k, side) in [Side::Before, Side::After].iter().enumerate() {
            if let Some(p) = plan.photos_of(&item.id, *side).first() {
                let data = base64::engine::general_purpose::STANDARD.encode(p.jpeg.as_slice());
                let x = cx + k as f32 * 140.0;
                let _ = write!(
                    out,
                    r#"<image x="{x}" y="430" width="132" height="86" preserveAspectRatio="xMidYMid meet" xlink:href="data:image/jpeg;base64,{data}"/>"#
                );
                text(
                    &mut out,
                    x,
                    528.0,
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
    out
}

/// The atlas: one page per site (every feature that carries items, or only
/// those of the given kinds), the sheet a site meeting needs.
pub fn atlas_pdf(plan: &Plan, chinese: bool, kinds: Option<&[Kind]>) -> Result<Vec<u8>, String> {
    let mut sites: Vec<crate::model::FeatureId> = plan
        .iter()
        .filter(|(id, f)| !plan.items_of(*id).is_empty() && kinds.is_none_or(|k| k.contains(&f.kind)))
        .map(|(id, _)| id)
        .collect();
    if sites.is_empty() {
        return Err("no feature carries an item".into());
    }
    sites.sort_by_key(|id| (plan.get(*id).map(|f| f.kind), *id));
    let index = crate::model::SpatialIndex::build(plan);
    let cache = GeometryCache::build(plan);
    let pages = sites
        .iter()
        .enumerate()
        .map(|(i, site)| site_page_svg(plan, &cache, &index, *site, i + 1, sites.len(), chinese));
    pdf_pages(pages)
}
