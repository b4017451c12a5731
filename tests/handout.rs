//! The story handout: one PDF page per slide, Chinese text embedded and
//! extractable (read back with poppler's pdfinfo and pdftotext, installed by .ci/run).

use std::process::Command;

use renewal_planner::model::Lang;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_renewal-planner"))
}

fn poppler(tool: &str) -> bool {
    let ok = Command::new(tool).arg("-v").output().is_ok();
    assert!(ok || std::env::var_os("CI").is_none(), "CI must have {tool} (poppler-utils)");
    if !ok {
        eprintln!("SKIPPED: {tool} (poppler-utils) is not installed; the handout PDF is not checked");
    }
    ok
}

/// The Jinsong story handout written by the command line into `dir`.
fn jinsong_handout(dir: &std::path::Path) -> std::path::PathBuf {
    let pdf = dir.join("handout.pdf");
    let out = bin().args(["export", "jinsong", "-o"]).arg(&pdf).arg("--story").output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    pdf
}

#[test]
fn the_jinsong_story_handout_has_a_page_per_slide_with_its_chinese_words() {
    if !poppler("pdfinfo") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let pdf = jinsong_handout(dir.path());
    let plan = renewal_planner::document::Document::jinsong().shared_plan();
    let story = &plan.stories[0];
    let info = Command::new("pdfinfo").arg(&pdf).output().expect("pdfinfo");
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.contains(&format!("Pages:           {}", story.slides.len())), "{info}");
    assert!(info.contains("842 x 595 pts (A4)"), "{info}");
    let text = Command::new("pdftotext").arg(&pdf).arg("-").output().expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout);
    for slide in &story.slides {
        assert!(text.contains(&slide.title_zh), "the title {} is in the PDF text", slide.title_zh);
    }
    assert!(text.contains("劲松西街"), "map labels are text too");
    let fonts = Command::new("pdffonts").arg(&pdf).output().expect("pdffonts");
    assert!(String::from_utf8_lossy(&fonts.stdout).contains("NotoSansCJK"), "the CJK font is embedded");
}

#[test]
fn an_english_handout_and_clear_errors() {
    if !poppler("pdftotext") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let pdf = dir.path().join("handout-en.pdf");
    let out = bin()
        .args(["export", "jinsong", "-o"])
        .arg(&pdf)
        .args(["--story", "jinsong-story", "--lang", "en"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = Command::new("pdftotext").arg(&pdf).arg("-").output().expect("pdftotext");
    let plan = renewal_planner::document::Document::jinsong().shared_plan();
    assert!(String::from_utf8_lossy(&text.stdout).contains(&plan.stories[0].slides[0].title_en));
    let bad = bin()
        .args(["export", "jinsong", "-o"])
        .arg(dir.path().join("x.pdf"))
        .args(["--story", "nope"])
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no story named"));
}

/// The text of a PDF, whitespace removed for Chinese, collapsed for English.
fn pdf_text(pdf: &std::path::Path) -> String {
    let out = Command::new("pdftotext").arg(pdf).arg("-").output().expect("pdftotext");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn normalised(text: &str, lang: Lang) -> String {
    let text = renewal_planner::export::handout::font_safe(text);
    match lang {
        Lang::Zh => text.chars().filter(|c| !c.is_whitespace()).collect(),
        Lang::En => text.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

#[test]
fn both_handouts_carry_every_caption_whole() {
    if !poppler("pdftotext") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = renewal_planner::document::Document::jinsong().shared_plan();
    for (code, lang) in [("zh", Lang::Zh), ("en", Lang::En)] {
        let pdf = dir.path().join(format!("handout-{code}.pdf"));
        let out =
            bin().args(["export", "jinsong", "-o"]).arg(&pdf).args(["--lang", code, "--story"]).output().expect("runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = normalised(&pdf_text(&pdf), lang);
        for (i, slide) in plan.stories[0].slides.iter().enumerate() {
            let caption = normalised(slide.caption(lang), lang);
            assert!(text.contains(&caption), "{code} slide {}: the caption {caption:?} is whole in\n{text}", i + 1);
        }
        // The source note's first sentence is whole too (it was cut at the point of "116.4540").
        let note = plan.meta.note.as_deref().expect("a note");
        let (note_zh, note_en) = note.split_once(" / ").expect("both languages");
        let first = match lang {
            Lang::Zh => &note_zh[..note_zh.find('。').expect("a sentence") + '。'.len_utf8()],
            Lang::En => &note_en[..note_en.find(". ").expect("a sentence") + 1],
        };
        assert!(first.contains("116.4540"), "{first}");
        assert!(text.contains(&normalised(first, lang)), "{code}: the note {first:?} is whole");
    }
}

#[test]
fn the_dash_of_1977_1978_is_drawn_with_a_glyph_the_font_has() {
    use renewal_planner::export::handout::{font_safe, has_glyph};
    let caption = renewal_planner::document::Document::jinsong().plan().stories[0].slides[0].caption_zh.clone();
    assert!(caption.contains("1977—1978"), "the source text has an em dash");
    assert!(!has_glyph('—'), "the GB2312 subset has no U+2014");
    let drawn = font_safe(&caption);
    assert!(drawn.contains("1977―1978"), "drawn with GB2312's dash, U+2015: {drawn}");
    assert!(drawn.chars().all(has_glyph));
}

#[test]
fn every_character_a_handout_or_atlas_page_writes_has_a_glyph_in_the_bundled_font() {
    use renewal_planner::export::handout::{atlas_pages, font_safe, missing_glyphs, story_pages};
    let plan = renewal_planner::document::Document::jinsong().shared_plan();
    for lang in [Lang::Zh, Lang::En] {
        let none = Default::default();
        let pages = story_pages(&plan, &plan.stories[0], lang, &none).expect("handout").into_iter();
        for (i, page) in pages.chain(atlas_pages(&plan, lang, None, &none).expect("atlas")).enumerate() {
            let missing = missing_glyphs(&font_safe(&page));
            assert!(
                missing.is_empty(),
                "page {} ({}) draws {missing:?} with no glyph",
                i + 1,
                if lang.is_chinese() { "zh" } else { "en" }
            );
        }
    }
}

#[test]
fn slide_1s_page_map_shows_the_whole_district_with_the_slides_proportions() {
    use renewal_planner::export::handout::page_map_boxes;
    use renewal_planner::render::camera::slide_camera;
    let plan = renewal_planner::document::Document::jinsong().shared_plan();
    let slide = &plan.stories[0].slides[0];
    let boundary = plan.get(plan.by_key("boundary").expect("boundary")).and_then(|f| f.bbox()).expect("bbox");
    for lang in [Lang::Zh, Lang::En] {
        let b = page_map_boxes(slide, lang, false)[0];
        let v = slide.view_size();
        assert!((b.w / b.h - v[0] / v[1]).abs() < 1e-3, "the map box keeps the slide's aspect: {b:?}");
        assert!(b.w > 500.0 && b.h > 300.0, "a large map: {b:?}");
        let cam = slide_camera(slide, [b.w, b.h]);
        for (x, y) in [(boundary.min().x, boundary.min().y), (boundary.max().x, boundary.max().y)] {
            let p = cam.lonlat_to_screen(x, y);
            assert!((0.0..=b.w).contains(&p[0]) && (0.0..=b.h).contains(&p[1]), "corner {p:?} in {b:?}");
        }
        // The same ground as the screen's slide: the box shows the slide's whole extent, no less.
        let ext = slide.ground_extent();
        let shown = [b.w as f64 * cam.ground_mpp(), b.h as f64 * cam.ground_mpp()];
        assert!(
            (shown[0] / ext[0] - 1.0).abs() < 1e-3 && (shown[1] / ext[1] - 1.0).abs() < 1e-3,
            "{shown:?} vs {ext:?}"
        );
    }
}

#[test]
fn an_atlas_building_page_lists_the_buildings_facts() {
    if !poppler("pdftotext") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    for (lang, facts) in [
        ("zh", ["层数6", "户数101", "建成年份1977", "结构砖混", "建筑面积6,050平方米", "占地面积"]),
        (
            "en",
            [
                "Floors 6",
                "Households 101",
                "Year built 1977",
                "Structure 砖混 brick-concrete",
                "Floor area 6,050 m2",
                "Footprint",
            ],
        ),
    ] {
        let pdf = dir.path().join(format!("atlas-{lang}.pdf"));
        let out =
            bin().args(["export", "jinsong", "-o"]).arg(&pdf).args(["--atlas", "--lang", lang]).output().expect("runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = Command::new("pdftotext").arg("-layout").arg(&pdf).arg("-").output().expect("pdftotext");
        let text = String::from_utf8_lossy(&text.stdout).into_owned();
        let name = if lang == "zh" { "劲松一区101楼" } else { "Building 101, Jinsong District 1" };
        let page = text.split('\x0c').find(|p| p.lines().take(3).any(|l| l.contains(name))).expect("b101's page");
        let flat: String = if lang == "zh" {
            page.chars().filter(|c| !c.is_whitespace()).collect()
        } else {
            page.split_whitespace().collect::<Vec<_>>().join(" ")
        };
        for fact in facts {
            let fact: String =
                if lang == "zh" { fact.to_string() } else { fact.split_whitespace().collect::<Vec<_>>().join(" ") };
            assert!(flat.contains(&fact), "{lang}: {fact:?} on the page of 101:\n{page}");
        }
        assert!(page.contains(if lang == "zh" { "加装电梯" } else { "Elevator retrofit" }), "its items: {page}");
    }
}

#[test]
fn the_progress_slide_counts_items_as_of_its_date_like_its_caption() {
    if !poppler("pdftotext") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let pdf = jinsong_handout(dir.path());
    let plan = renewal_planner::document::Document::jinsong().shared_plan();
    let n = 1 + plan.stories[0].slides.iter().position(|s| s.phase == "2019-06-30").expect("the progress slide");
    let text = Command::new("pdftotext")
        .args(["-f", &n.to_string(), "-l", &n.to_string(), "-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("2019年6月底的进度"), "page {n} is the progress slide: {text}");
    // The caption says 3 of 46 completed and 28 under construction; the legend, counted from the items'
    // histories as of the slide's date, says the same — not today's 27 completed and 14 operating.
    let words: Vec<&str> = text.split_whitespace().collect();
    let count_after =
        |label: &str| words.windows(2).find_map(|w| if w[0] == label { w[1].parse::<usize>().ok() } else { None });
    assert_eq!(count_after("竣工"), Some(3), "{text}");
    assert_eq!(count_after("施工"), Some(28), "{text}");
    assert_eq!(count_after("运营"), Some(0), "{text}");
}
