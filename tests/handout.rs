//! The story handout: one PDF page per slide, Chinese text embedded and
//! extractable (read back with poppler's pdfinfo and pdftotext, installed by .ci/run).

use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_renewal-planner"))
}

fn poppler(tool: &str) -> bool {
    let ok = Command::new(tool).arg("-v").output().is_ok();
    assert!(ok || std::env::var_os("CI").is_none(), "CI must have {tool} (poppler-utils)");
    ok
}

#[test]
fn the_jinsong_story_handout_has_a_page_per_slide_with_its_chinese_words() {
    if !poppler("pdfinfo") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let pdf = dir.path().join("handout.pdf");
    let out = bin().args(["export", "jinsong", "-o"]).arg(&pdf).arg("--story").output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let plan = renewal_planner::document::Document::jinsong().plan;
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
    let plan = renewal_planner::document::Document::jinsong().plan;
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

#[test]
fn the_progress_slide_counts_items_as_of_its_date_like_its_caption() {
    if !poppler("pdftotext") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let pdf = dir.path().join("handout.pdf");
    let out = bin().args(["export", "jinsong", "-o"]).arg(&pdf).arg("--story").output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let plan = renewal_planner::document::Document::jinsong().plan;
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
