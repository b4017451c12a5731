//! Print maps (PNG, SVG, PDF), each read back by an independent reader, with
//! the Chinese text intact and the same bytes every time.

use std::path::Path;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_renewal-planner"))
}

fn export(out: &Path, args: &[&str]) {
    let o = bin().args(["export", "jinsong", "-o"]).arg(out).args(args).output().expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn a_png_map_shows_the_district_in_its_colours() {
    let dir = tempfile::tempdir().expect("temp dir");
    let png = dir.path().join("jinsong.png");
    export(&png, &["--size", "1600x1000", "--phase", "after"]);
    let img = image::open(&png).expect("decodes").to_rgb8();
    assert_eq!(img.dimensions(), (1600, 1000));
    let brick = img.pixels().filter(|p| p.0 == [226, 160, 135]).count();
    let garden = img.pixels().filter(|p| p.0 == [184, 222, 160]).count();
    assert!(brick > 20_000, "building fill in the map: {brick} px");
    assert!(garden > 2_000, "garden fill in the map: {garden} px");
}

#[test]
fn svg_and_pdf_maps_carry_the_chinese_title_and_are_deterministic() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, args) in [("a.svg", vec!["--paper", "A3-landscape"]), ("a.pdf", vec!["--phase", "compare"])] {
        let (one, two) = (dir.path().join(format!("1-{name}")), dir.path().join(format!("2-{name}")));
        export(&one, &args);
        export(&two, &args);
        assert_eq!(
            std::fs::read(&one).expect("read"),
            std::fs::read(&two).expect("read"),
            "{name}: same plan, same bytes"
        );
    }
    let svg = std::fs::read_to_string(dir.path().join("1-a.svg")).expect("read");
    let tree = usvg::Tree::from_str(&svg, &usvg::Options::default()).expect("a valid SVG");
    assert!((tree.size().width() - 1191.0).abs() < 1.0, "A3 landscape");
    assert!(svg.contains("劲松一区、二区") && svg.contains("劲松西街"));
    if Command::new("pdftotext").arg("-v").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "CI must have pdftotext (poppler-utils)");
        return;
    }
    let text = Command::new("pdftotext").arg(dir.path().join("1-a.pdf")).arg("-").output().expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("劲松一区、二区") && text.contains("改造前") && text.contains("改造后"), "{text}");
}

#[test]
fn map_options_are_checked() {
    let dir = tempfile::tempdir().expect("temp dir");
    for args in [vec!["--size", "huge"], vec!["--paper", "B5"], vec!["--at", "2019-02-30"]] {
        let o =
            bin().args(["export", "jinsong", "-o"]).arg(dir.path().join("m.png")).args(&args).output().expect("runs");
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&o.stderr).trim_end().lines().count(), 1);
    }
}
