//! The residents' consent panel driven through the real interface on Jinsong:
//! votes entered on the vote grid (clicks and keys) until a matter passes,
//! the panel's numbers against the model's tally, undo, the item guard past
//! 公示 and its recorded override, generating a register for a building.

use eframe::egui::{self, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use renewal_planner::edit::{Edit, EditLabel};
use renewal_planner::model::Status;
use renewal_planner::model::consent::{Base, Choice, Stage, Tally, tally};
use renewal_planner::ui::{Action, PlannerApp};

mod common;
use common::{click_label as click, retype};

const MATTER: &str = "m-elevator-107-2";

fn harness(app: PlannerApp) -> Harness<'static, PlannerApp> {
    common::harness(app, [1500.0, 1000.0])
}

/// Jinsong with building 107 selected, matter 107-2 in focus and the consent panel opened by its shortcut.
fn at_107_unit_2() -> Harness<'static, PlannerApp> {
    let mut app = PlannerApp::new();
    let b107 = app.doc.plan().by_key("b107").expect("building 107");
    app.apply(Action::Select(Some(b107)));
    app.apply(Action::FocusMatter(Some(MATTER.into())));
    let mut h = harness(app);
    h.run_steps(2);
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, egui::Key::C);
    // A new window is measured invisibly in its first frame, then fades in.
    h.run_steps(12);
    h
}

fn the_tally(h: &Harness<'static, PlannerApp>) -> Tally {
    let c = &h.state().doc.plan().consent;
    tally(c, c.matter(MATTER).expect("the matter"))
}

fn area(centi: i64) -> String {
    format!("{}", centi as f64 / 100.0)
}

/// What the panel must say about the tally, worded here independently of the panel's code.
fn assert_panel_says(h: &Harness<'static, PlannerApp>, t: &Tally) {
    for (what, c) in
        [("范围内", t.scope), ("参与表决", t.voted), ("同意", t.agree), ("不同意", t.disagree), ("弃权", t.abstain)]
    {
        let text = format!("{} 户 · {} m²", c.households, area(c.area_centi));
        assert!(h.query_by_label(&text).is_some(), "the panel shows {what} as {text}");
    }
    let verdict = if t.passed { "表决结果：已通过" } else { "表决结果：未通过" };
    assert!(h.query_by_label(verdict).is_some(), "the panel says {verdict}");
    // civil_code_major: agreement is counted among those taking part.
    for sf in &t.missing {
        let amount = match (sf.households, sf.area_centi) {
            (0, a) => format!("{} m²", area(a)),
            (n, 0) => format!("{n} 户"),
            (n, a) => format!("{n} 户、{} m²", area(a)),
        };
        let text = match sf.stage {
            Stage::Participation => format!("还差 {amount} 参与表决"),
            Stage::Agreement => format!("还需 {amount} 表示同意"),
        };
        assert!(h.query_all_by_label(&text).next().is_some(), "the panel says what is missing: {text}");
    }
}

#[test]
fn clicking_the_grid_until_107_unit_2_passes_matches_the_tally_and_undoes() {
    let mut h = at_107_unit_2();
    let consent0 = h.state().doc.plan().consent.clone();
    let rule = consent0.rule("civil_code_major").expect("rule");
    assert_eq!(rule.agree_of, Base::Participants);
    let t0 = the_tally(&h);
    assert!(!t0.passed, "107-2 ships not passed");
    assert!(!t0.missing.is_empty());
    assert_panel_says(&h, &t0);

    // Households of 107 unit 2 with no vote, in register order: click each once (none → agree) until it passes.
    let waiting: Vec<(String, String)> = consent0
        .of_building("b107")
        .into_iter()
        .filter(|x| x.unit == "2" && consent0.vote(MATTER, &x.id).is_none())
        .map(|x| (x.id.clone(), x.room.clone()))
        .collect();
    let mut clicks = 0;
    for (id, room) in &waiting {
        if the_tally(&h).passed {
            break;
        }
        click(&mut h, &format!("2单元{room}"));
        clicks += 1;
        let c = &h.state().doc.plan().consent;
        let v = c.vote(MATTER, id).expect("a vote was entered");
        assert_eq!(v.vote, Choice::Agree);
        assert!(v.date.is_some() && v.method.is_some(), "dated, with a method");
        assert_eq!(h.state().doc.undo_label(), Some(EditLabel::SetVotes));
        assert_panel_says(&h, &the_tally(&h));
    }
    let t = the_tally(&h);
    assert!(t.passed, "enough agreed after {clicks} clicks: {t:?}");
    assert!(t.missing.is_empty());
    assert!(clicks >= 1);
    assert!(h.query_by_label("表决结果：已通过").is_some());

    // One click is one undo step: undoing them all restores the votes exactly.
    for _ in 0..clicks {
        h.key_press_modifiers(Modifiers::COMMAND, egui::Key::Z);
        h.run_steps(2);
    }
    assert_eq!(h.state().doc.plan().consent, consent0);
    assert_panel_says(&h, &the_tally(&h));
    assert!(h.query_by_label("表决结果：未通过").is_some());
}

#[test]
fn the_keyboard_sets_votes_one_undo_step_each_and_delete_keeps_the_building() {
    let mut h = at_107_unit_2();
    let consent0 = h.state().doc.plan().consent.clone();
    let unit2: Vec<(String, String)> = consent0
        .of_building("b107")
        .into_iter()
        .filter(|x| x.unit == "2" && consent0.vote(MATTER, &x.id).is_none())
        .map(|x| (x.id.clone(), x.room.clone()))
        .collect();
    let (id, room) = unit2[0].clone();
    let vote =
        |h: &Harness<'static, PlannerApp>, id: &str| h.state().doc.plan().consent.vote(MATTER, id).map(|v| v.vote);
    // A click gives the grid the keyboard (and cycles none → agree).
    click(&mut h, &format!("2单元{room}"));
    assert_eq!(vote(&h, &id), Some(Choice::Agree));
    let mut steps = 1;
    for (key, want) in [
        (egui::Key::D, Some(Choice::Disagree)),
        (egui::Key::X, Some(Choice::Abstain)),
        (egui::Key::Delete, None),
        (egui::Key::Space, Some(Choice::Agree)),
        (egui::Key::Num0, None),
        (egui::Key::A, Some(Choice::Agree)),
    ] {
        h.key_press(key);
        h.run_steps(2);
        steps += 1;
        assert_eq!(vote(&h, &id), want, "{key:?}");
        assert_eq!(h.state().doc.undo_label(), Some(EditLabel::SetVotes));
    }
    assert!(h.state().doc.plan().by_key("b107").is_some(), "Delete cleared a vote, not the building");
    assert_eq!(h.state().selected().len(), 1);
    // The arrows move the cursor: the next room to the right on the same floor, or the floor above.
    let c = &h.state().doc.plan().consent;
    let me = c.households[&id].clone();
    let right = c
        .of_building("b107")
        .into_iter()
        .find(|x| x.unit == me.unit && x.floor == me.floor && x.id != me.id && x.room > me.room)
        .map(|x| x.id.clone());
    let before_right = right.as_ref().map(|r| vote(&h, r));
    h.key_press(egui::Key::ArrowRight);
    h.run_steps(1);
    h.key_press(egui::Key::X);
    h.run_steps(2);
    steps += 1;
    if let Some(r) = &right {
        assert_eq!(vote(&h, r), Some(Choice::Abstain), "the cell to the right");
        assert_ne!(before_right, Some(Some(Choice::Abstain)));
    }
    // Every key was one step: undoing them all restores the register's votes.
    for _ in 0..steps {
        h.key_press_modifiers(Modifiers::COMMAND, egui::Key::Z);
        h.run_steps(1);
    }
    assert_eq!(h.state().doc.plan().consent, consent0);
    // Esc leaves the grid: A no longer votes.
    h.key_press(egui::Key::Escape);
    h.run_steps(1);
    h.key_press(egui::Key::A);
    h.run_steps(1);
    assert_eq!(h.state().doc.plan().consent, consent0);
}

#[test]
fn filling_a_unit_with_agree_is_one_step() {
    let mut h = at_107_unit_2();
    let consent0 = h.state().doc.plan().consent.clone();
    let buttons = h.query_all_by_label("全部同意").count();
    assert!(buttons >= 2, "one a 单元");
    // 107 has two 单元s; the second's fill.
    h.query_all_by_label("全部同意").nth(1).expect("unit 2").scroll_to_me();
    h.run_steps(15);
    h.query_all_by_label("全部同意").nth(1).expect("unit 2").click();
    h.run_steps(3);
    let c = &h.state().doc.plan().consent;
    let m = c.matter(MATTER).expect("matter");
    for x in c.of_building("b107").into_iter().filter(|x| x.unit == "2") {
        assert_eq!(c.vote(MATTER, &x.id).map(|v| v.vote), Some(Choice::Agree), "{}", x.id);
    }
    // Unit 1 is outside 107-2's scope: untouched.
    for x in c.of_building("b107").into_iter().filter(|x| x.unit == "1") {
        assert!(!m.scope.contains(x));
        assert_eq!(c.vote(MATTER, &x.id), consent0.vote(MATTER, &x.id));
    }
    assert!(the_tally(&h).passed);
    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().doc.plan().consent, consent0, "one undo step");
}

#[test]
fn the_item_form_refuses_construction_until_107_2_passes_unless_overridden_with_a_reason() {
    let app = PlannerApp::new();
    let item = app.doc.plan().items["it-elevator-107"].clone();
    assert_eq!(item.status, Status::Publicised);
    let holding: Vec<String> = renewal_planner::model::consent::holding_up(&app.doc.plan().consent, &item.id)
        .iter()
        .map(|m| m.id.clone())
        .collect();
    assert_eq!(holding, [MATTER]);
    let title = format!("编辑 — {}", item.display_name(app.doc.plan(), renewal_planner::model::Lang::Zh));
    let mut h = harness(app);
    h.run_steps(2);
    h.state_mut().apply(Action::EditItem(item.id.clone()));
    h.run_steps(12);
    let form = || egui::accesskit::Role::Window;
    h.get_by_role_and_label(form(), &title).get_by_label("施工").click();
    h.run_steps(3);
    assert_eq!(h.state().doc.plan().items[&item.id].status, Status::Publicised, "refused");
    assert_eq!(h.state().doc.undo_label(), None);
    let refusal = h.get_by_label_contains("不能推进到「施工」");
    let node = refusal.accesskit_node();
    let text = node.label().or_else(|| node.value()).unwrap_or_default();
    assert!(text.contains("107楼2单元加装电梯"), "names the matter: {text}");
    assert!(text.contains("还差") || text.contains("还需"), "says what it misses: {text}");

    // Ticking the override without a reason is still refused.
    h.get_by_label("仍要推进（须填写理由，记入历史）").click();
    h.run_steps(3);
    h.get_by_role_and_label(form(), &title).get_by_label("施工").click();
    h.run_steps(3);
    assert_eq!(h.state().doc.plan().items[&item.id].status, Status::Publicised, "no reason, no move");
    h.get_by_label("理由").click();
    h.run_steps(1);
    h.get_by_label("理由").type_text("区政府协调会决定先行施工");
    h.run_steps(2);
    h.get_by_role_and_label(form(), &title).get_by_label("施工").click();
    h.run_steps(3);
    let it = &h.state().doc.plan().items[&item.id];
    assert_eq!(it.status, Status::UnderConstruction);
    let last = it.history.last().expect("a history entry");
    assert_eq!(last.status, Status::UnderConstruction);
    assert_eq!(last.override_note.as_deref(), Some("区政府协调会决定先行施工"));
    assert_eq!(h.state().doc.undo_label(), Some(EditLabel::SetStatus));
    // The history list shows it.
    click(&mut h, "状态记录");
    h.run_steps(10);
    assert!(h.query_by_label_contains("区政府协调会决定先行施工").is_some());
    // One undo step.
    h.state_mut().apply(Action::Undo);
    h.run_steps(2);
    assert_eq!(h.state().doc.plan().items[&item.id], item);
}

#[test]
fn the_guard_lets_construction_through_once_the_matter_passes() {
    let mut app = PlannerApp::new();
    // Everyone in 107 unit 2 agrees.
    let c = app.doc.plan().consent.clone();
    let votes = c
        .of_building("b107")
        .into_iter()
        .filter(|x| x.unit == "2")
        .map(|x| {
            (
                x.id.clone(),
                Some(renewal_planner::model::consent::Vote { vote: Choice::Agree, date: None, method: None }),
            )
        })
        .collect();
    app.apply(Action::Edit(Edit::SetVotes { matter: MATTER.into(), votes }));
    let item = app.doc.plan().items["it-elevator-107"].clone();
    let title = format!("编辑 — {}", item.display_name(app.doc.plan(), renewal_planner::model::Lang::Zh));
    let mut h = harness(app);
    h.run_steps(2);
    h.state_mut().apply(Action::EditItem(item.id.clone()));
    h.run_steps(12);
    h.get_by_role_and_label(egui::accesskit::Role::Window, &title).get_by_label("施工").click();
    h.run_steps(3);
    let it = &h.state().doc.plan().items[&item.id];
    assert_eq!(it.status, Status::UnderConstruction);
    assert_eq!(it.history.last().and_then(|c| c.override_note.clone()), None);
}

#[test]
fn generating_households_fills_only_buildings_without_any() {
    let mut app = PlannerApp::new();
    let full = app.doc.plan().consent.clone();
    let b107: Vec<_> = full.of_building("b107").into_iter().cloned().collect();
    assert_eq!(b107.len(), 108, "as its households property says");
    // Building 107 loses its register (and its votes).
    let mut without = full.clone();
    without.households.retain(|_, x| x.building != "b107");
    for on in without.votes.values_mut() {
        on.retain(|hid, _| !hid.starts_with("b107-"));
    }
    app.apply(Action::Edit(Edit::SetConsent { consent: Box::new(without.clone()), label: EditLabel::ImportRegister }));
    let id = app.doc.plan().by_key("b107").expect("b107");
    app.apply(Action::Select(Some(id)));
    let mut h = harness(app);
    h.run_steps(2);
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, egui::Key::C);
    h.run_steps(12);
    click(&mut h, "住户登记");
    // The section opens with an animation.
    h.run_steps(12);
    click(&mut h, "按楼栋属性生成住户");
    let c = &h.state().doc.plan().consent;
    assert_eq!(c.households.len(), full.households.len());
    let made: Vec<_> = c.of_building("b107").into_iter().cloned().collect();
    assert_eq!(made, b107, "the same generator made Jinsong's register");
    assert_eq!(h.state().doc.undo_label(), Some(EditLabel::GenerateRegister));
    assert!(h.query_by_label("已为 1 栋楼生成 108 户（示意，请核对）。").is_some());
    // Nothing is overwritten: a second press makes nothing.
    click(&mut h, "按楼栋属性生成住户");
    assert_eq!(h.state().doc.undo_label(), Some(EditLabel::GenerateRegister));
    assert_eq!(h.state().doc.plan().consent.households.len(), full.households.len());
    assert!(h.query_by_label("没有需要生成的：每栋有户数的楼都已有住户登记。").is_some());
    h.state_mut().apply(Action::Undo);
    h.run_steps(1);
    assert_eq!(h.state().doc.plan().consent, without);
}

#[test]
fn a_matter_is_added_through_its_form_with_its_dates_checked_and_a_rule_of_the_plans_own() {
    let mut h = at_107_unit_2();
    let n = h.state().doc.plan().consent.matters.len();
    click(&mut h, "新建事项…");
    h.run_steps(4);
    retype(&mut h, "标题（中文）", "107楼外墙保温");
    retype(&mut h, "截止日期", "2026-13-01");
    h.run_steps(2);
    click(&mut h, "保存事项");
    assert_eq!(h.state().doc.plan().consent.matters.len(), n, "a bad date is refused");
    assert!(h.query_by_label_contains("不是 YYYY-MM-DD 日期").is_some());
    retype(&mut h, "截止日期", "2026-12-31");
    h.run_steps(2);
    click(&mut h, "保存事项");
    let c = &h.state().doc.plan().consent;
    assert_eq!(c.matters.len(), n + 1);
    let m = c.matters.last().expect("the new matter").clone();
    assert_eq!(m.title_zh, "107楼外墙保温");
    assert_eq!(m.closes.as_deref(), Some("2026-12-31"));
    assert_eq!(m.scope, renewal_planner::model::consent::Scope::Buildings { buildings: vec!["b107".into()] });
    assert_eq!(h.state().doc.undo_label(), Some(EditLabel::AddMatter));
    assert_eq!(h.state().focused_matter(), Some(m.id.as_str()), "the new matter is in focus");
    // Nobody has voted: it has not passed, and says what is missing.
    assert!(h.query_by_label("表决结果：未通过").is_some());
    h.state_mut().apply(Action::Undo);
    h.run_steps(2);
    assert_eq!(h.state().doc.plan().consent.matters.len(), n);

    // A rule of the plan's own, from the built-in Civil Code major-matter rule.
    click(&mut h, "表决规则");
    h.run_steps(12);
    h.query_all_by_label("以此为模板新建").nth(2).expect("civil_code_major's").scroll_to_me();
    h.run_steps(15);
    h.query_all_by_label("以此为模板新建").nth(2).expect("civil_code_major's").click();
    h.run_steps(4);
    retype(&mut h, "名称（中文）", "本区电梯规则");
    h.run_steps(2);
    click(&mut h, "保存规则");
    let c = &h.state().doc.plan().consent;
    assert_eq!(c.rules.len(), 1);
    assert_eq!(c.rules[0].id, "civil_code_major_local");
    assert_eq!(c.rules[0].name_zh, "本区电梯规则");
    assert_eq!(c.rules[0].agree, c.rule("civil_code_major").expect("built in").agree);
    assert_eq!(h.state().doc.undo_label(), Some(EditLabel::EditRule));
}

#[test]
fn in_english_the_panel_words_the_result_and_the_register_hides_personal_data_until_asked() {
    let mut app = PlannerApp::new();
    // Plant a name and phone on a household of 107.
    let mut hh = app.doc.plan().consent.of_building("b107")[0].clone();
    hh.owner_name = Some("Zhang Wei".into());
    hh.phone = Some("13800000000".into());
    app.apply(Action::Edit(Edit::PutHousehold {
        id: hh.id.clone(),
        household: Some(Box::new(hh)),
        label: EditLabel::EditHousehold,
    }));
    let b107 = app.doc.plan().by_key("b107").expect("b107");
    app.apply(Action::Select(Some(b107)));
    app.apply(Action::FocusMatter(Some(MATTER.into())));
    app.apply(Action::SetLang(renewal_planner::model::Lang::En));
    let mut h = harness(app);
    h.run_steps(2);
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, egui::Key::C);
    h.run_steps(12);
    assert!(h.query_by_label("Result: Not passed").is_some());
    // The rule in the words of the public notice (one wording of the thresholds).
    let rule = h.state().doc.plan().consent.rule("civil_code_major").expect("built in").clone();
    let terms = renewal_planner::model::Lang::En.consent_words().rule_terms(&rule);
    assert!(h.query_by_label(&terms).is_some(), "the panel says {terms}");
    // Longer English words wrap inside the window rather than widening it over the map.
    let window = h.get_by_role_and_label(egui::accesskit::Role::Window, "Residents' consent").rect();
    assert!(window.width() <= 500.0, "the window keeps its width in English: {window:?}");
    let t = the_tally(&h);
    assert_eq!((t.missing[0].households, t.missing[0].area_centi), (1, 5400));
    assert!(h.query_all_by_label("needs 1 more household and 54 m² more area taking part").next().is_some());
    click(&mut h, "Register");
    h.run_steps(12);
    assert!(h.query_by_label("Zhang Wei").is_none(), "hidden until asked");
    click(&mut h, "Show personal data (names, phones)");
    h.run_steps(4);
    assert!(h.query_by_label("Zhang Wei").is_some());
    assert!(h.query_by_label("13800000000").is_some());
    assert!(h.query_by_label_contains("never exported").is_some());
}

#[test]
fn the_dashboard_counts_the_register_and_the_matters_as_info_does() {
    let mut app = PlannerApp::new();
    app.apply(Action::ShowDashboard(true));
    let mut h = harness(app);
    h.run_steps(12);
    // `renewal-planner info maps/jinsong.geojson --json`: 4285 households, 246846 m², 10 of 13 matters passed.
    let c = &h.state().doc.plan().consent;
    let passed = c.matters.iter().filter(|m| tally(c, m).passed).count();
    assert_eq!((c.households.len(), c.matters.len(), passed), (4285, 13, 10));
    assert!(h.query_by_label("登记 4285 户 · 246846 m²；事项 13 项：通过 10，未通过 3").is_some());
    // The unpassed matters and what they miss.
    assert!(h.query_by_label("107楼2单元加装电梯：还差 1 户、54 m² 参与表决").is_some());
}

#[test]
fn clicking_a_building_on_the_map_shows_its_grid_and_adding_a_household_is_checked() {
    use geo::InteriorPoint;
    let mut app = PlannerApp::new();
    app.apply(Action::FocusMatter(Some("m-property".into())));
    let mut h = harness(app);
    h.run_steps(3);
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, egui::Key::C);
    h.run_steps(12);
    assert!(h.query_by_label_contains("点击地图上的一栋楼").is_some(), "no building yet: the grid says how to get one");
    let window = h.get_by_role_and_label(egui::accesskit::Role::Window, "居民表决").rect();
    // A building with households whose middle is on the map, not under the window.
    let (id, key, pos) = {
        let app = h.state();
        let (cam, map) = (app.camera.expect("camera"), app.map_rect.expect("map"));
        let c = &app.doc.plan().consent;
        app.doc
            .plan()
            .iter()
            .filter(|(_, f)| f.kind == renewal_planner::model::Kind::Building)
            .filter_map(|(id, f)| {
                let key = app.doc.plan().key(id)?;
                let p = f.geometry.interior_point()?;
                let s = cam.lonlat_to_screen(p.x(), p.y());
                let pos = egui::Pos2::new(map.left() + s[0], map.top() + s[1]);
                let free = map.shrink(20.0).contains(pos) && !window.expand(10.0).contains(pos);
                (free && !c.of_building(&key).is_empty()).then_some((id, key, pos))
            })
            .next()
            .expect("a building in view beside the window")
    };
    common::click(&mut h, pos);
    h.run_steps(3);
    assert_eq!(h.state().selected(), vec![id]);
    let first = h.state().doc.plan().consent.of_building(&key)[0].clone();
    assert!(h.query_by_label(&format!("{}单元{}", first.unit, first.room)).is_some(), "its grid is shown");

    // Its register: a household added through the form, a bad area refused first.
    click(&mut h, "住户登记");
    h.run_steps(12);
    click(&mut h, "添加住户…");
    h.run_steps(4);
    retype(&mut h, "室号", "999");
    retype(&mut h, "专有面积 m²", "abc");
    h.run_steps(2);
    let n = h.state().doc.plan().consent.households.len();
    click(&mut h, "保存住户");
    assert_eq!(h.state().doc.plan().consent.households.len(), n, "refused");
    assert!(h.query_by_label_contains("不是以 m² 计的面积").is_some());
    retype(&mut h, "专有面积 m²", "55.5");
    h.run_steps(2);
    click(&mut h, "保存住户");
    let c = &h.state().doc.plan().consent;
    assert_eq!(c.households.len(), n + 1);
    let added = c.of_building(&key).into_iter().find(|x| x.room == "999").expect("added").clone();
    assert_eq!(added.area_m2, 55.5);
    assert_eq!(added.building, key);
    assert_eq!(h.state().doc.undo_label(), Some(EditLabel::AddHousehold));
    h.state_mut().apply(Action::Undo);
    h.run_steps(2);
    assert_eq!(h.state().doc.plan().consent.households.len(), n);
}

#[test]
fn the_focused_matters_public_notice_is_written_where_the_prompt_says() {
    let mut h = at_107_unit_2();
    click(&mut h, "导出公示 PDF…");
    const PROMPT: &str = "导出表决结果公示 PDF 路径：";
    assert!(
        h.get_by_label(PROMPT).value().unwrap_or_default().ends_with(&format!("notice-{MATTER}.pdf")),
        "the prompt offers a name for the matter"
    );
    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = dir.path().join("公示.pdf");
    retype(&mut h, PROMPT, &out.to_string_lossy());
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    h.run_steps(3);
    h.state_mut().wait_for_export();
    let bytes = std::fs::read(&out).expect("the notice is written");
    assert!(bytes.starts_with(b"%PDF-"), "a PDF");
    // The same notice as the export the command line runs for this matter.
    let cli = dir.path().join("cli.pdf");
    let req = renewal_planner::export::Request {
        what: renewal_planner::export::What::Notice { matter: MATTER.into() },
        phase: None,
        theme: renewal_planner::model::ThemeMode::Kind,
        matter: None,
        lang: renewal_planner::model::Lang::Zh,
        date: renewal_planner::model::item::today(),
        out: cli.clone(),
        basemaps: None,
        settings: Default::default(),
    };
    renewal_planner::export::run(h.state().doc.plan(), &req).expect("the command line's notice");
    assert!(bytes == std::fs::read(&cli).expect("written"), "the window's notice is the command line's");
}

#[test]
fn with_the_grid_holding_the_keys_but_no_household_of_the_matter_shown_delete_and_arrows_do_nothing() {
    let mut h = at_107_unit_2();
    // A click on 107 unit 2 gives the grid the keyboard.
    let room = "201";
    click(&mut h, &format!("2单元{room}"));
    // Another matter whose scope is not building 107: the grid shows nothing of it.
    h.state_mut().apply(Action::FocusMatter(Some("m-elevator-202-3".into())));
    h.run_steps(3);
    // Edit mode on: Delete would delete the selected building if it leaked to the window.
    h.state_mut().editing = true;
    let b107 = h.state().doc.plan().by_key("b107").expect("building 107");
    let camera = h.state().camera.expect("a camera").center;
    let votes = h.state().doc.plan().consent.clone();
    for key in [egui::Key::Delete, egui::Key::ArrowLeft, egui::Key::ArrowUp, egui::Key::A] {
        h.key_press(key);
        h.run_steps(2);
    }
    assert!(h.state().doc.plan().get(b107).is_some(), "Delete did not delete the building");
    assert_eq!(h.state().camera.expect("a camera").center, camera, "the arrows did not pan the map");
    assert_eq!(h.state().doc.plan().consent, votes, "no vote was set");
}

#[test]
fn in_english_the_guard_and_the_dashboard_speak_english_and_one_button_moves_with_the_reason() {
    use renewal_planner::model::Lang;
    let mut app = PlannerApp::new();
    app.apply(Action::SetLang(Lang::En));
    app.apply(Action::ShowDashboard(true));
    let item = app.doc.plan().items["it-elevator-107"].clone();
    let matter = app.doc.plan().consent.matter(MATTER).expect("the matter").title_en.clone();
    let title = format!("Edit — {}", item.display_name(app.doc.plan(), Lang::En));
    let mut h = harness(app);
    h.run_steps(2);
    // The dashboard's consent strip: English words, English punctuation.
    let missing = "needs 1 more household and 54 m² more area taking part";
    assert!(h.query_by_label(&format!("{matter}: {missing}")).is_some(), "the dashboard says what {matter} misses");
    h.state_mut().apply(Action::ShowDashboard(false));
    h.state_mut().apply(Action::EditItem(item.id.clone()));
    h.run_steps(12);
    let building = Lang::En.strings().status(Status::UnderConstruction);
    h.get_by_role_and_label(egui::accesskit::Role::Window, &title).get_by_label(building).click();
    h.run_steps(3);
    assert_eq!(h.state().doc.plan().items[&item.id].status, Status::Publicised, "refused");
    let refusal = h.get_by_label_contains("Cannot move to");
    let node = refusal.accesskit_node();
    let text = node.label().or_else(|| node.value()).unwrap_or_default();
    assert!(text.contains(&format!("{matter} ({missing})")), "names the matter and what it misses: {text}");
    assert!(!text.contains(['（', '）', '；', '：', '、']), "no Chinese punctuation in English: {text}");

    // Ticked, the override offers the move asked for, once a reason is given.
    h.get_by_label("Go ahead anyway (give a reason; it is recorded in the history)").click();
    h.run_steps(3);
    let go = format!("Move to \"{building}\" with this reason");
    h.get_by_label(&go).click();
    h.run_steps(3);
    assert_eq!(h.state().doc.plan().items[&item.id].status, Status::Publicised, "no reason, no move");
    h.get_by_label("Reason").click();
    h.run_steps(1);
    h.get_by_label("Reason").type_text("District meeting decided to start");
    h.run_steps(2);
    h.get_by_label(&go).click();
    h.run_steps(3);
    let it = &h.state().doc.plan().items[&item.id];
    assert_eq!(it.status, Status::UnderConstruction);
    let last = it.history.last().expect("a history entry");
    assert_eq!(last.override_note.as_deref(), Some("District meeting decided to start"));
    assert_eq!(h.state().doc.undo_label(), Some(EditLabel::SetStatus));
}

#[test]
fn the_consent_window_opens_from_the_view_menu_the_one_toggle_for_it() {
    let mut h = harness(PlannerApp::new());
    h.run_steps(3);
    // No second toggle in the tool bar (in English it ran under the search box).
    assert_eq!(h.query_all_by_label("居民表决").count(), 0, "closed, nothing is called 居民表决");
    h.get_by_label("视图").click();
    h.run_steps(3);
    assert_eq!(h.query_all_by_label_contains("居民表决").count(), 1, "the View menu's entry");
    h.get_by_label_contains("居民表决").click();
    h.run_steps(12);
    let window = h.get_by_role_and_label(egui::accesskit::Role::Window, "居民表决").rect();
    // At the right, over the inspector: most of the map, where its buildings are clicked, stays free.
    let map = h.state().map_rect.expect("the map");
    assert!(window.left() > map.center().x + map.width() / 4.0, "window {window:?} over the map {map:?}");
}
