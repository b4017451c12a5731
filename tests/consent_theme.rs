//! The consent map (`ThemeMode::Consent`): each building in a matter's scope
//! coloured by the bin of its agreeing share, counted here again from the
//! register and the votes; the legend's result and counts are the tally's; a
//! consent slide keeps its matter through both plan formats, and its handout
//! page colours the buildings as the map does (pixels sampled inside them).

use std::collections::BTreeMap;

use geo::Contains;
use renewal_planner::document::Document;
use renewal_planner::model::consent::{Base, Choice, Matter, Scope, tally};
use renewal_planner::model::{Kind, Lang, Phase, Plan, SlideTheme};
use renewal_planner::render::style::Rgba;
use renewal_planner::render::theme::{CONSENT_BINS, CONSENT_NO_VOTES, NO_ITEMS, ThemeMode, feature_colors, legend};

fn jinsong() -> Plan {
    renewal_planner::io::load_jinsong().plan
}

/// Households per building in the matter's scope: (in scope, took part, agree), counted by hand.
fn by_building(plan: &Plan, m: &Matter) -> BTreeMap<String, (usize, usize, usize)> {
    let votes = plan.consent.votes.get(&m.id);
    let mut out: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for h in plan.consent.households.values() {
        let in_scope = match &m.scope {
            Scope::District => true,
            Scope::Buildings { buildings } => buildings.contains(&h.building),
            Scope::Units { units } => units.iter().any(|u| u.building == h.building && u.unit == h.unit),
        };
        if !in_scope {
            continue;
        }
        let c = out.entry(h.building.clone()).or_default();
        c.0 += 1;
        if let Some(v) = votes.and_then(|v| v.get(&h.id)) {
            c.1 += 1;
            c.2 += usize::from(v.vote == Choice::Agree);
        }
    }
    out
}

/// The bin of a share, in floating point (the app counts in integers): under ¼, up to ½, over ½, ⅔, ¾.
fn bin_of(agree: usize, whole: usize) -> usize {
    let s = agree as f64 / whole as f64;
    if s < 0.25 {
        0
    } else if s <= 0.5 {
        1
    } else if s < 2.0 / 3.0 {
        2
    } else if s < 0.75 {
        3
    } else {
        4
    }
}

/// The colour each feature should have on the consent map of `m`, by key (absent: muted).
fn expected(plan: &Plan, m: &Matter) -> BTreeMap<String, Rgba> {
    let base = plan.consent.rule(&m.rule).expect("a known rule").agree_of;
    by_building(plan, m)
        .into_iter()
        .map(|(b, (n, voted, agree))| {
            let whole = if base == Base::Participants { voted } else { n };
            let c = if voted == 0 { CONSENT_NO_VOTES } else { CONSENT_BINS[bin_of(agree, whole)].0 };
            (b, c)
        })
        .collect()
}

#[test]
fn every_building_of_every_jinsong_matter_has_the_colour_of_its_share_and_the_rest_are_muted() {
    let plan = jinsong();
    assert_eq!(plan.consent.matters.len(), 13);
    let mut bins_seen = std::collections::BTreeSet::new();
    for m in &plan.consent.matters {
        let want = expected(&plan, m);
        assert!(!want.is_empty(), "{}: buildings in scope", m.id);
        let colors = feature_colors(&plan, ThemeMode::Consent, Some(&m.id), &Phase::After).expect("colours");
        let mut coloured = 0;
        for (id, f) in plan.iter() {
            let key = plan.key(id).expect("a key");
            let got = colors[id.index()];
            match want.get(&key) {
                Some(c) => {
                    assert_eq!(got, Some(*c), "{}: {key}", m.id);
                    coloured += 1;
                    bins_seen.insert(CONSENT_BINS.iter().position(|(b, _)| b == c));
                }
                None => assert_eq!(got, None, "{}: {key} ({:?}) is outside the scope: muted", m.id, f.kind),
            }
        }
        assert_eq!(coloured, want.len(), "{}", m.id);
        // The map's phase does not change the residents' votes.
        let before = feature_colors(&plan, ThemeMode::Consent, Some(&m.id), &Phase::Before).expect("colours");
        assert_eq!(before, colors, "{}", m.id);
    }
    assert!(bins_seen.len() >= 3, "Jinsong's matters show several bins: {bins_seen:?}");

    // Spot checks against `info`: the property service is put to all 43 buildings; 202's 2nd 单元 had
    // 7 of 10 participants agree (⅔ up to ¾: not enough for a major matter); District 2 is outside the shed's scope.
    let key_of = |k: &str| plan.by_key(k).expect(k).index();
    let property = feature_colors(&plan, ThemeMode::Consent, Some("m-property"), &Phase::After).expect("colours");
    assert_eq!(property.iter().flatten().count(), 43);
    assert_eq!(property[key_of("b109")], Some(CONSENT_BINS[4].0), "109: 75 of 97 households agree");
    let e = feature_colors(&plan, ThemeMode::Consent, Some("m-elevator-202-2"), &Phase::After).expect("colours");
    assert_eq!(e[key_of("b202")], Some(CONSENT_BINS[3].0));
    assert_eq!(e.iter().flatten().count(), 1, "one building holds the 单元");
    let shed = feature_colors(&plan, ThemeMode::Consent, Some("m-bikeshed"), &Phase::After).expect("colours");
    assert!(shed[key_of("b101")].is_some() && shed[key_of("b201")].is_none());
    // No matter named: the plan's first.
    assert_eq!(feature_colors(&plan, ThemeMode::Consent, None, &Phase::After), Some(property));
}

#[test]
fn a_building_in_scope_with_no_votes_yet_has_its_own_look_and_a_plan_without_matters_is_all_muted() {
    let mut plan = jinsong();
    let mut m = plan.consent.matters[2].clone();
    m.id = "m-new".into();
    m.scope = Scope::Buildings { buildings: vec!["b110".into(), "b111".into()] };
    plan.consent.matters.push(m);
    let colors = feature_colors(&plan, ThemeMode::Consent, Some("m-new"), &Phase::After).expect("colours");
    for k in ["b110", "b111"] {
        assert_eq!(colors[plan.by_key(k).expect(k).index()], Some(CONSENT_NO_VOTES), "{k}");
    }
    assert_eq!(colors.iter().flatten().count(), 2);
    assert!(!CONSENT_BINS.iter().any(|(c, _)| *c == CONSENT_NO_VOTES || *c == NO_ITEMS), "distinct looks");

    plan.consent = Default::default();
    let colors = feature_colors(&plan, ThemeMode::Consent, Some("m-property"), &Phase::After).expect("colours");
    assert!(colors.iter().all(Option::is_none), "no matters: everything muted");
    assert_eq!(Lang::Zh.strings().legend_heading(&plan, ThemeMode::Consent, None).len(), 2, "and the legend says so");
}

#[test]
fn the_legend_says_each_matters_result_and_counts_as_the_tally_does() {
    let plan = jinsong();
    let entries = legend(ThemeMode::Consent);
    assert_eq!(entries.len(), 6, "five bins and no votes yet");
    for m in &plan.consent.matters {
        let t = tally(&plan.consent, m);
        let zh = Lang::Zh.strings().legend_heading(&plan, ThemeMode::Consent, Some(&m.id));
        assert_eq!(zh[0], m.title_zh);
        assert!(zh[1].starts_with(plan.consent.rule(&m.rule).expect("rule").name_zh.as_str()), "{zh:?}");
        let (a, v, n) = (t.agree.households, t.voted.households, t.scope.households);
        let result = if t.passed { "通过" } else { "未通过" };
        assert_eq!(zh[2], format!("{result}：同意{a}户，参与{v}户，共{n}户"), "{}", m.id);
        let en = Lang::En.strings().legend_heading(&plan, ThemeMode::Consent, Some(&m.id));
        let result = if t.passed { "PASSED" } else { "NOT PASSED" };
        assert_eq!(en[2], format!("{result}: {a} agree, {v} voted, of {n} households"), "{}", m.id);
        for name in entries.iter().map(|e| e.1).chain(["consent_outside"]) {
            for lang in [Lang::Zh, Lang::En] {
                assert!(!lang.strings().legend_label(name).is_empty(), "{name} is worded");
            }
        }
    }
    // What `info` says of Jinsong.
    let passed: Vec<bool> = plan
        .consent
        .matters
        .iter()
        .map(|m| Lang::En.strings().legend_heading(&plan, ThemeMode::Consent, Some(&m.id))[2].starts_with("PASSED"))
        .collect();
    assert_eq!(passed.iter().filter(|p| !**p).count(), 3, "107-2, 202-2 and 202-3 have not passed");
}

#[test]
fn a_print_map_coloured_by_consent_has_the_matters_legend() {
    use renewal_planner::export::{MapSize, Request, What, run};
    let plan = jinsong();
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (matter, lang, says, not) in [
        ("m-elevator-107-2", Lang::Zh, ["107楼2单元加装电梯", "未通过", "不在表决范围"], ">通过："),
        ("m-property", Lang::Zh, ["引入专业物业", ">通过：同意2880户", "双过半"], "未通过"),
        ("m-bikeshed", Lang::En, ["bicycle shed", ">PASSED: 1647 agree", "Not in the matter"], "NOT PASSED"),
    ] {
        let out = dir.path().join(format!("{matter}.svg"));
        let req = Request {
            what: What::Map { size: MapSize::Pixels([1600.0, 1100.0]), extent: None },
            phase: Some(Phase::After),
            theme: ThemeMode::Consent,
            matter: Some(matter.into()),
            lang,
            date: "2026-12-01".into(),
            out: out.clone(),
            basemaps: Some(vec![]),
            settings: Default::default(),
        };
        run(&plan, &req).expect("written");
        let svg = std::fs::read_to_string(&out).expect("the map");
        for s in says {
            assert!(svg.contains(s), "{matter}: the legend says {s}");
        }
        assert!(!svg.contains(not), "{matter}: not {not}");
        // The scene's fills are the consent colours of the matter's buildings.
        let c = feature_colors(&plan, ThemeMode::Consent, Some(matter), &Phase::After).expect("colours");
        for col in c.iter().flatten() {
            assert!(svg.contains(&format!("fill=\"{}\"", col.hex())), "{matter}: {} drawn", col.hex());
        }
    }
}

#[test]
fn a_consent_slide_keeps_its_matter_through_plan_geojson_and_the_geopackage() {
    let mut plan = jinsong();
    let at =
        plan.stories[0].slides.iter().position(|s| s.theme == SlideTheme::Consent).expect("Jinsong's consent slide");
    assert_eq!(plan.stories[0].slides[at].consent_matter.as_deref(), Some("m-property"));
    plan.stories[0].slides[at].consent_matter = Some("m-elevator-202-2".into());
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (json, gpkg) = (dir.path().join("p.geojson"), dir.path().join("p.gpkg"));
    renewal_planner::io::save_geojson(&plan, &json).expect("saved");
    renewal_planner::io::save_path(&plan, &gpkg).expect("saved");
    for file in [json, gpkg] {
        let back = renewal_planner::io::load_path(&file).expect("opens").plan;
        let s = &back.stories[0].slides[at];
        assert_eq!((s.theme, s.consent_matter.as_deref()), (SlideTheme::Consent, Some("m-elevator-202-2")), "{file:?}");
        assert_eq!(back.stories, plan.stories, "{file:?}");
    }
}

/// The most frequent colour of the page's pixels inside a feature's polygon, away from the labels
/// (`labels`: their rectangles in the map box) and the outline.
fn colour_inside(
    img: &resvg::tiny_skia::Pixmap,
    scale: f32,
    b: &renewal_planner::export::handout::MapBox,
    cam: &renewal_planner::render::Camera,
    poly: &geo::Geometry,
    labels: &[[f32; 4]],
) -> Option<[u8; 3]> {
    let on_label = |x: f32, y: f32| {
        labels.iter().any(|r| x >= r[0] - 3.0 && x <= r[2] + 3.0 && y >= r[1] - 3.0 && y <= r[3] + 3.0)
    };
    let rect = geo::BoundingRect::bounding_rect(poly)?;
    let p0 = cam.lonlat_to_screen(rect.min().x, rect.max().y);
    let p1 = cam.lonlat_to_screen(rect.max().x, rect.min().y);
    let mut seen: BTreeMap<[u8; 3], usize> = BTreeMap::new();
    let (mut y, mut n) = (p0[1], 0);
    while y <= p1[1] {
        let mut x = p0[0];
        while x <= p1[0] {
            let inside = |dx: f32, dy: f32| {
                let ll = cam.screen_to_lonlat([x + dx, y + dy]);
                poly.contains(&geo::Point::new(ll[0], ll[1]))
            };
            if (0.0..b.w).contains(&x)
                && (0.0..b.h).contains(&y)
                && !on_label(x, y)
                && inside(0.0, 0.0)
                && [(-1.5, 0.0), (1.5, 0.0), (0.0, -1.5), (0.0, 1.5)].iter().all(|(dx, dy)| inside(*dx, *dy))
            {
                let (px, py) = (((b.x + x) * scale) as u32, ((b.y + y) * scale) as u32);
                if let Some(c) = img.pixel(px, py) {
                    *seen.entry([c.red(), c.green(), c.blue()]).or_default() += 1;
                    n += 1;
                }
            }
            x += 1.0;
        }
        y += 1.0;
    }
    (n >= 6).then(|| seen.into_iter().max_by_key(|(_, k)| *k).map(|(c, _)| c)).flatten()
}

#[test]
fn the_handout_page_of_a_consent_slide_colours_the_buildings_as_the_map_does() {
    use renewal_planner::export::handout::{page_map_boxes, page_svg, svg_tree};
    use renewal_planner::render::camera::slide_camera;
    let doc = Document::jinsong();
    let mut plan = doc.plan().clone();
    let at = plan.stories[0].slides.iter().position(|s| s.theme == SlideTheme::Consent).expect("the consent slide");
    let cache = renewal_planner::render::cache::GeometryCache::build(&plan);
    // The shipped slide (the property service, every building) and the same slide of the shed (District 1 only).
    for matter in ["m-property", "m-bikeshed"] {
        plan.stories[0].slides[at].consent_matter = Some(matter.into());
        let slide = plan.stories[0].slides[at].clone();
        let svg = page_svg(&plan, &cache, doc.index(), &plan.stories[0], at, Lang::Zh, &Default::default())
            .expect("the page");
        // The legend names the matter (a long title wraps: its first words).
        let title: String = plan.consent.matter(matter).expect("matter").title_zh.chars().take(6).collect();
        assert!(svg.contains(&format!(">{title}")), "the legend names the matter: {title}");
        let tree = svg_tree(&svg).expect("a valid SVG");
        let scale = 2.0;
        let size = tree.size();
        let mut img = resvg::tiny_skia::Pixmap::new((size.width() * scale) as u32, (size.height() * scale) as u32)
            .expect("pixmap");
        resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(scale, scale), &mut img.as_mut());
        let b = page_map_boxes(&slide, Lang::Zh, false)[0];
        let cam = slide_camera(&slide, [b.w, b.h]);
        let want = feature_colors(&plan, ThemeMode::Consent, Some(matter), &Phase::After).expect("colours");
        // Where the page's labels are: the same scene, built for the box.
        let opts = renewal_planner::export::handout::slide_options(&plan, &slide, Phase::After, Lang::Zh);
        let scene = renewal_planner::render::Scene::build(&plan, doc.index(), &cache, &cam, &opts);
        let labels: Vec<[f32; 4]> = scene.labels.iter().map(|l| l.rect).collect();
        let (mut checked, mut muted) = (0, 0);
        for (id, f) in plan.iter().filter(|(_, f)| f.kind == Kind::Building) {
            let Some(got) = colour_inside(&img, scale, &b, &cam, &f.geometry, &labels) else { continue };
            let c = want[id.index()].unwrap_or(NO_ITEMS).0;
            let close = (0..3).all(|k| got[k].abs_diff(c[k]) <= 3);
            assert!(close, "{matter}: {:?} drawn {got:?}, the map says {c:?}", plan.key(id));
            checked += 1;
            muted += usize::from(want[id.index()].is_none());
        }
        let n_in_scope = want.iter().flatten().count();
        assert!(checked >= 40, "{matter}: sampled {checked} buildings");
        // A building almost wholly under its label (e.g. a short slab with a shrunk number) may not be sampled.
        assert!(
            checked - muted + 2 >= n_in_scope,
            "{matter}: {} of {n_in_scope} buildings in scope sampled",
            checked - muted
        );
        if matter == "m-bikeshed" {
            assert!(muted >= 15, "District 2's buildings are muted: {muted}");
        }
    }
}

#[test]
fn the_command_line_draws_the_consent_map_of_a_matter_and_refuses_an_unknown_one_in_one_line() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_renewal-planner"))
            .env("RENEWAL_PLANNER_HOME", dir.path())
            .args(args)
            .output()
            .expect("runs")
    };
    let svg = dir.path().join("m.svg");
    let svg_s = svg.to_str().expect("utf-8");
    let o = run(&[
        "export",
        "jinsong",
        "-o",
        svg_s,
        "--theme",
        "consent",
        "--matter",
        "m-elevator-202-3",
        "--size",
        "1200x800",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&svg).expect("the map");
    assert!(text.contains("202楼3单元加装电梯") && text.contains(">未通过：同意4户，参与4户，共12户"), "the legend");
    // Without --matter: the plan's first.
    let o = run(&["export", "jinsong", "-o", svg_s, "--theme", "consent", "--size", "1200x800"]);
    assert!(o.status.success());
    assert!(std::fs::read_to_string(&svg).expect("the map").contains(">通过：同意2880户"));
    std::fs::remove_file(&svg).expect("removed");
    for args in [
        &["export", "jinsong", "-o", svg_s, "--theme", "consent", "--matter", "m-nope"][..],
        &["export", "jinsong", "-o", svg_s, "--matter", "m-property"][..],
    ] {
        let o = run(args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        assert!(err.contains("--matter"), "{err}");
        assert!(!svg.exists(), "nothing written");
    }
    // A plan without matters has no consent map to draw.
    let mut plan = jinsong();
    plan.consent = Default::default();
    let bare = dir.path().join("bare.geojson");
    renewal_planner::io::save_geojson(&plan, &bare).expect("saved");
    let o = run(&["export", bare.to_str().expect("utf-8"), "-o", svg_s, "--theme", "consent"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("bare.geojson") && err.contains("no residents' matters"), "{err}");
    assert!(!svg.exists(), "nothing written");
}

#[test]
fn a_matter_not_passed_says_in_the_legend_what_it_still_needs() {
    let plan = jinsong();
    for m in &plan.consent.matters {
        let t = tally(&plan.consent, m);
        let zh = Lang::Zh.strings().legend_heading(&plan, ThemeMode::Consent, Some(&m.id));
        let en = Lang::En.strings().legend_heading(&plan, ThemeMode::Consent, Some(&m.id));
        if t.passed {
            assert_eq!((zh.len(), en.len()), (3, 3), "{}: nothing missing", m.id);
            continue;
        }
        assert!(!t.missing.is_empty(), "{}", m.id);
        for (k, short) in t.missing.iter().enumerate() {
            let (line_zh, line_en) = (&zh[3 + k], &en[3 + k]);
            if short.households > 0 {
                assert!(line_zh.contains(&format!("{} 户", short.households)), "{}: {line_zh}", m.id);
                assert!(line_en.contains(&format!("{} more household", short.households)), "{}: {line_en}", m.id);
            }
            if short.area_centi > 0 {
                // The area exactly as counted, as the consent window says it.
                let area = format!("{} m²", short.area_centi as f64 / 100.0);
                assert!(line_zh.contains(&area) && line_en.contains(&area), "{}: {line_zh} / {line_en}", m.id);
            }
        }
    }
    // 107-2: 7 of 12 took part, two thirds is 8: one more household must take part.
    let en = Lang::En.strings().legend_heading(&plan, ThemeMode::Consent, Some("m-elevator-107-2"));
    // Worded as the consent window words it (tests/ui_consent.rs), not "54.0 m²" beside its "54 m²".
    assert_eq!(en[3], "needs 1 more household and 54 m² more area taking part", "{en:?}");
    let zh = Lang::Zh.strings().legend_heading(&plan, ThemeMode::Consent, Some("m-elevator-107-2"));
    assert_eq!(zh[3], "还差 1 户、54 m² 参与表决", "{zh:?}");
}
