//! The export dialog: maps (PNG/SVG/PDF of the whole district or the current
//! view, in a phase or compared, on paper or at a pixel size), the item
//! schedule (XLSX/CSV), GIS data (GeoJSON or Shapefile of a phase), a CAD drawing (DXF in
//! a Gauss-Krüger zone), the site atlas and the story handout. The dialog builds one [`crate::export::Request`] and
//! [`crate::export::run_with`] writes it, atomically, as for the command line — on a background thread, from a
//! snapshot of the plan, with a progress panel and Cancel (`app::file_area`).

use eframe::egui::{self, RichText};

use super::action::Action;
use super::view::View;
use crate::document::Document;
use crate::error::ExportError;
use crate::io::crs::Crs;
use crate::model::Phase;

/// What to export.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExportKind {
    #[default]
    Map,
    Schedule,
    Gis,
    Shapefile,
    Atlas,
    Handout,
    /// A CAD drawing (DXF R2010) for design institutes.
    Dxf,
    /// The residents' register (XLSX/CSV), personal data only when ticked.
    Register,
    /// The operations ledger's yearly cash flows (XLSX/CSV), under the scales chosen.
    CashFlow,
}

/// The dialog's choices, kept while it is closed.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportState {
    pub kind: ExportKind,
    /// Map: None = before and after compared, else the phase.
    pub phase: Option<Phase>,
    pub current_view: bool,
    /// The paper: `A4` … `A0`.
    pub paper: String,
    pub landscape: bool,
    /// The title block being typed (the plan's, between edits).
    pub title_block: crate::model::TitleBlock,
    /// True while a title-block field has the keyboard.
    pub title_block_editing: bool,
    /// A pixel size instead of paper (PNG).
    pub pixels: String,
    pub use_pixels: bool,
    /// GIS data: coordinates for a Chinese web map (GCJ-02, BD-09), else WGS 84.
    pub web_map: Option<crate::io::crs::Crs>,
    /// Shapefile: the system written, else WGS 84.
    pub shp_crs: Option<Crs>,
    /// CAD drawing: its projected system; `None`: the Gauss-Krüger zone of the plan's centre.
    pub cad_crs: Option<Crs>,
    /// The document (`Document::stamp().0`) `shp_crs` and `cad_crs` were chosen for: a zone
    /// chosen for one district is wrong for the next plan opened.
    pub crs_for: Option<u64>,
    /// Residents' register: with owner names and phones (personal data). Off unless ticked.
    pub personal: bool,
    /// Cash flow: revenue and subsidies scaled (1 = as planned).
    pub revenue_scale: f64,
    pub subsidy_scale: f64,
}

impl Default for ExportState {
    fn default() -> Self {
        ExportState {
            kind: ExportKind::Map,
            phase: Some(Phase::After),
            current_view: false,
            paper: "A4".into(),
            landscape: true,
            title_block: Default::default(),
            title_block_editing: false,
            pixels: "1920x1080".into(),
            use_pixels: false,
            web_map: None,
            shp_crs: None,
            cad_crs: None,
            crs_for: None,
            personal: false,
            revenue_scale: 1.0,
            subsidy_scale: 1.0,
        }
    }
}

impl ExportState {
    /// The Shapefile's system for `doc`: the one chosen, if chosen for this
    /// document and still offered for its centre; else WGS 84 (`None`).
    pub fn shp_system(&self, doc: &Document) -> Option<Crs> {
        let (gk, utm) = plan_zones(doc);
        self.shp_crs.filter(|c| self.crs_for == Some(doc.stamp().0) && (Some(*c) == gk || Some(*c) == utm))
    }

    /// The drawing's system for `doc`: the one chosen for this document, else
    /// `None` (the Gauss-Krüger zone of its centre).
    pub fn cad_system(&self, doc: &Document) -> Option<Crs> {
        self.cad_crs.filter(|_| self.crs_for == Some(doc.stamp().0))
    }

    /// Keeps the systems chosen only while they fit `doc`: another plan opened
    /// (or the plan's centre moved out of the zone chosen) puts them back to the defaults.
    pub fn follow(&mut self, doc: &Document) {
        self.shp_crs = self.shp_system(doc);
        self.cad_crs = self.cad_system(doc);
        self.crs_for = Some(doc.stamp().0);
    }
}

/// The request for the chosen export to `path`, as the dialog's choices and the window say.
pub fn request(st: &ExportState, v: &View, path: &std::path::Path) -> Result<crate::export::Request, ExportError> {
    use crate::export::{MapSize, Request, What};
    let plan = v.doc.plan();
    let what = match st.kind {
        ExportKind::Map => {
            let size = if st.use_pixels {
                MapSize::Pixels(
                    crate::export::map::pixel_size(&st.pixels).ok_or_else(|| ExportError::Size(st.pixels.clone()))?,
                )
            } else {
                let orientation = if st.landscape { "landscape" } else { "portrait" };
                let name = format!("{}-{orientation}", st.paper);
                MapSize::Paper(crate::export::map::paper(&name).ok_or(ExportError::Paper(name))?)
            };
            let extent = if st.current_view { v.camera.map(|c| c.view_lonlat()) } else { None };
            What::Map { size, extent }
        }
        ExportKind::Schedule => What::Schedule,
        ExportKind::Gis => What::Gis { crs: st.web_map },
        ExportKind::Shapefile => What::Shapefile { crs: st.shp_system(v.doc) },
        ExportKind::Atlas => {
            // The sites of the kinds shown in the layer list.
            let kinds: Vec<crate::model::Kind> = crate::model::Kind::ALL
                .iter()
                .copied()
                .filter(|k| v.opts.visible[crate::render::kind_slot(*k)])
                .collect();
            What::Atlas { kinds: Some(kinds) }
        }
        ExportKind::Handout => What::Handout { story: v.story.0.min(plan.stories.len().saturating_sub(1)) },
        ExportKind::Register => What::Register { personal: st.personal },
        ExportKind::CashFlow => What::CashFlow {
            scenario: crate::model::operations::Scenario {
                revenue_scale: st.revenue_scale,
                subsidy_scale: st.subsidy_scale,
                subsidy_until: None,
            },
        },
        ExportKind::Dxf => What::Dxf {
            crs: st.cad_system(v.doc).or_else(|| plan_zones(v.doc).0).ok_or_else(|| {
                ExportError::Drawing("the plan is outside China's Gauss-Krüger zones; choose a system".into())
            })?,
        },
    };
    Ok(Request {
        what,
        phase: st.phase.clone(),
        // The map is coloured as the screen is, and its legend says so.
        theme: v.theme_mode,
        matter: v.consent_matter.map(str::to_string),
        lang: v.lang,
        date: crate::model::item::today(),
        out: path.to_path_buf(),
        // The plan's basemaps, with the user's tile cache and keys.
        basemaps: None,
        settings: crate::basemap::Settings::load(&crate::session::data_dir()),
    })
}

/// Writes the chosen export to `path` through [`crate::export::run`], as the command line does, on this
/// thread (for tests; the window hands the [`request`] to a background thread instead).
pub fn write(st: &ExportState, v: &View, path: &std::path::Path) -> Result<(), ExportError> {
    crate::export::run(v.doc.plan(), &request(st, v, path)?).map(|_| ())
}

/// The file types offered for a kind of export.
pub fn extensions(kind: ExportKind) -> (&'static str, &'static [&'static str], &'static str) {
    match kind {
        ExportKind::Map => ("PNG / SVG / PDF", &["png", "svg", "pdf"], "map.png"),
        ExportKind::Schedule => ("Excel / CSV", &["xlsx", "csv"], "schedule.xlsx"),
        ExportKind::Gis => ("GeoJSON", &["geojson"], "plan.geojson"),
        ExportKind::Shapefile => ("Shapefile", &["shp", "zip"], "plan.shp"),
        ExportKind::Atlas => ("PDF", &["pdf"], "atlas.pdf"),
        ExportKind::Handout => ("PDF", &["pdf"], "handout.pdf"),
        ExportKind::Dxf => ("DXF (CAD)", &["dxf"], "plan.dxf"),
        ExportKind::Register => ("Excel / CSV", &["xlsx", "csv"], "register.xlsx"),
        ExportKind::CashFlow => ("Excel / CSV", &["xlsx", "csv"], "cashflow.xlsx"),
    }
}

/// The CGCS2000 3-degree Gauss-Krüger zone (with its zone prefix) and the UTM zone of the
/// plan's centre — the centre of its index's extent, which the index keeps, so the dialog
/// asks every frame without walking the features; `None` outside China's zones or with no features.
pub fn plan_zones(doc: &Document) -> (Option<Crs>, Option<Crs>) {
    let Some([x0, y0, x1, y1]) = doc.index().extent() else { return (None, None) };
    let (lon, lat) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    (Crs::gauss_kruger_at(lon), Crs::utm_at(lon, lat))
}

/// The export dialog.
pub fn window(ctx: &egui::Context, st: &mut ExportState, v: &View) -> Vec<Action> {
    let mut out = Vec::new();
    let s = v.lang.strings();
    let has_stories = !v.doc.plan().stories.is_empty();
    let has_register = !v.doc.plan().consent.households.is_empty();
    let has_ledger = !v.doc.plan().operations.is_empty();
    // A plan opened (or a ledger emptied) since Cash flow was chosen: back to the map.
    if st.kind == ExportKind::CashFlow && !has_ledger {
        st.kind = ExportKind::Map;
    }
    let cw = s.consent_words();
    let plan_block = v.doc.plan().meta.title_block.clone();
    if !st.title_block_editing {
        st.title_block = plan_block.clone();
    }
    st.follow(v.doc);
    let mut open = true;
    egui::Window::new(s.export).open(&mut open).default_pos([300.0, 100.0]).show(ctx, |ui| {
        ui.horizontal_wrapped(|ui| {
            for (k, name) in [
                (ExportKind::Map, s.export_map),
                (ExportKind::Schedule, s.items_table),
                (ExportKind::Gis, s.export_gis),
                (ExportKind::Shapefile, s.export_shapefile),
                (ExportKind::Atlas, s.export_atlas),
                (ExportKind::Dxf, s.export_dxf),
                (ExportKind::Handout, s.stories),
                (ExportKind::Register, cw.export_register),
                (ExportKind::CashFlow, s.export_cashflow),
            ] {
                if (k == ExportKind::Handout && !has_stories)
                    || (k == ExportKind::Register && !has_register)
                    || (k == ExportKind::CashFlow && !has_ledger)
                {
                    continue;
                }
                ui.selectable_value(&mut st.kind, k, name);
            }
        });
        ui.separator();
        if matches!(st.kind, ExportKind::Map | ExportKind::Gis | ExportKind::Shapefile | ExportKind::Dxf) {
            ui.horizontal(|ui| {
                ui.label(RichText::new(s.phase).strong());
                ui.selectable_value(&mut st.phase, Some(Phase::Before), s.phase_before);
                ui.selectable_value(&mut st.phase, Some(Phase::After), s.phase_after);
                if st.kind == ExportKind::Map {
                    ui.selectable_value(&mut st.phase, None, s.compare_side);
                } else if st.phase.is_none() {
                    st.phase = Some(Phase::After);
                }
            });
        }
        if st.kind == ExportKind::Gis {
            ui.horizontal(|ui| {
                use crate::io::crs::Crs;
                ui.label(RichText::new(s.coordinates).strong());
                ui.selectable_value(&mut st.web_map, None, "WGS 84");
                ui.selectable_value(&mut st.web_map, Some(Crs::Gcj02), s.gcj02_web);
                ui.selectable_value(&mut st.web_map, Some(Crs::Bd09), s.bd09_web);
            });
        }
        if st.kind == ExportKind::Shapefile {
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(s.coordinates).strong());
                ui.selectable_value(&mut st.shp_crs, None, "WGS 84");
                let (gk, utm) = plan_zones(v.doc);
                for (c, name) in [(gk, s.gauss_kruger_zone), (utm, s.utm_zone)] {
                    if let Some(c) = c {
                        ui.selectable_value(&mut st.shp_crs, Some(c), format!("{name} {}", c.code()));
                    }
                }
            });
        }
        if st.kind == ExportKind::Dxf {
            let zone = plan_zones(v.doc).0;
            let plan_zone = format!("{} ({})", s.cad_plan_zone, zone.map(|z| z.code()).unwrap_or_else(|| "—".into()));
            let zone_name = |c: Crs| {
                let zone = c.gauss_kruger_zone().unwrap_or(0);
                format!("{} · {} {zone} ({}°E)", c.code(), s.cad_zone, zone * 3)
            };
            let shown = |c: Option<Crs>| c.map_or_else(|| plan_zone.clone(), zone_name);
            ui.horizontal(|ui| {
                ui.label(RichText::new(s.cad_system).strong());
                egui::ComboBox::from_id_salt("cad-crs")
                    .width(280.0)
                    .height(600.0)
                    .selected_text(shown(st.cad_crs))
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut st.cad_crs, None, shown(None));
                        // CGCS2000 3-degree Gauss-Krüger zones 25–45 (75°E–135°E), with zone prefix.
                        for c in (25..=45).filter_map(|zone| Crs::gauss_kruger_at(f64::from(zone) * 3.0)) {
                            ui.selectable_value(&mut st.cad_crs, Some(c), zone_name(c));
                        }
                    });
            });
        }
        if st.kind == ExportKind::CashFlow {
            let (revenue, subsidy) = match v.lang {
                crate::model::Lang::Zh => ("收入比例", "补贴比例"),
                crate::model::Lang::En => ("Revenue scale", "Subsidy scale"),
            };
            for (name, value) in [(revenue, &mut st.revenue_scale), (subsidy, &mut st.subsidy_scale)] {
                ui.horizontal(|ui| {
                    let l = ui.label(name);
                    ui.add(
                        egui::Slider::new(value, 0.0..=2.0)
                            .step_by(0.05)
                            .custom_formatter(|x, _| format!("{:.0}%", x * 100.0)),
                    )
                    .labelled_by(l.id);
                });
            }
        }
        if st.kind == ExportKind::Register {
            ui.checkbox(&mut st.personal, cw.register_personal);
            if st.personal {
                ui.label(RichText::new(cw.register_personal_warning).color(super::theme::ERROR));
            }
        }
        if st.kind == ExportKind::Map {
            ui.horizontal(|ui| {
                ui.selectable_value(&mut st.current_view, false, s.whole_district);
                ui.selectable_value(&mut st.current_view, true, s.current_view);
            });
            ui.horizontal(|ui| {
                ui.radio_value(&mut st.use_pixels, false, s.paper);
                egui::ComboBox::from_id_salt("paper").selected_text(st.paper.clone()).show_ui(ui, |ui| {
                    for p in crate::export::map::PAPERS {
                        ui.selectable_value(&mut st.paper, p.to_string(), p);
                    }
                });
                ui.selectable_value(&mut st.landscape, true, s.landscape);
                ui.selectable_value(&mut st.landscape, false, s.portrait);
            });
            ui.horizontal(|ui| {
                ui.radio_value(&mut st.use_pixels, true, s.pixels);
                let l = ui.label("");
                ui.add(egui::TextEdit::singleline(&mut st.pixels).desired_width(90.0)).labelled_by(l.id);
            });
            // The title block's own facts, kept in the plan (undoable, saved with it).
            ui.label(RichText::new(s.title_block).strong());
            let mut editing = false;
            let mut done = false;
            egui::Grid::new("title_block").num_columns(2).show(ui, |ui| {
                for (name, value) in [
                    (s.tb_sheet_number, &mut st.title_block.sheet_number),
                    (s.tb_drawn_by, &mut st.title_block.drawn_by),
                    (s.tb_checked_by, &mut st.title_block.checked_by),
                ] {
                    let l = ui.label(name);
                    let r = ui.add(egui::TextEdit::singleline(value).desired_width(160.0)).labelled_by(l.id);
                    editing |= r.has_focus();
                    done |= r.lost_focus();
                    ui.end_row();
                }
            });
            st.title_block_editing = editing;
            if done && st.title_block != plan_block {
                out.push(Action::Edit(crate::edit::Edit::SetTitleBlock { block: st.title_block.clone() }));
            }
        }
        ui.separator();
        if ui.button(s.export_to).clicked() {
            out.push(Action::ExportDialog);
        }
    });
    if !open {
        out.push(Action::ShowExport(false));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plan of one building at `lon`, 39.9°N.
    fn plan_at(lon: f64) -> Document {
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"kind":"building"}},"geometry":{{"type":"Polygon","coordinates":[[[{lon},39.9],[{},39.9],[{},39.901],[{lon},39.901],[{lon},39.9]]]}}}}]}}"#,
            lon + 0.001,
            lon + 0.001
        );
        let loaded = crate::io::geojson::read(text.as_bytes(), &Default::default()).expect("reads");
        Document::new(loaded, crate::document::Source::Jinsong)
    }

    #[test]
    fn the_shapefile_choices_are_the_zones_of_the_plans_centre() {
        let jinsong = Document::jinsong();
        assert_eq!(
            plan_zones(&jinsong),
            (Some(Crs::GaussKruger { epsg: 4527 }), Some(Crs::Utm { zone: 50, north: true }))
        );
        assert_eq!(plan_zones(&plan_at(120.5)), (Crs::gauss_kruger_at(120.5), Crs::utm_at(120.5, 39.9)));
        let empty = Document::new(
            crate::io::Loaded { plan: crate::model::Plan::default(), ..crate::io::load_jinsong() },
            crate::document::Source::Jinsong,
        );
        assert_eq!(plan_zones(&empty), (None, None));
        assert_eq!(extensions(ExportKind::Shapefile).1, &["shp", "zip"]);
    }

    /// Writes the dialog's choice `st` for `app`'s window to `out`, as the dialog's Export does.
    fn export(st: &ExportState, app: &mut crate::ui::PlannerApp, out: &std::path::Path) {
        let (v, _) = app.parts();
        write(st, &v, out).expect("written");
    }

    #[test]
    fn every_shapefile_extension_the_dialog_offers_writes_what_it_names() {
        let mut app = crate::ui::PlannerApp::new();
        let st = ExportState { kind: ExportKind::Shapefile, ..ExportState::default() };
        let dir = tempfile::tempdir().expect("a temporary folder");
        let (_, offered, _) = extensions(ExportKind::Shapefile);
        for ext in offered {
            let folder = dir.path().join(ext);
            std::fs::create_dir(&folder).expect("a folder");
            let out = folder.join(format!("plan.{ext}"));
            export(&st, &mut app, &out);
            match *ext {
                // One zip, nothing beside it.
                "zip" => {
                    assert!(std::fs::read(&out).expect("the zip").starts_with(b"PK"));
                    assert!(!folder.join("plan_polygons.shp").exists());
                }
                // A set per geometry type.
                "shp" => assert!(folder.join("plan_polygons.shp").exists()),
                other => panic!("the dialog offers .{other}, which the Shapefile export does not write"),
            }
        }
    }

    #[test]
    fn the_register_holds_personal_data_only_when_the_box_is_ticked() {
        use crate::model::consent::OwnerType;
        let mut app = crate::ui::PlannerApp::new();
        let mut consent = app.doc.plan().consent.clone();
        for h in consent.households.values_mut().take(3) {
            h.owner_name = Some("张三丰".into());
            h.phone = Some("13800138000".into());
            h.owner_type = OwnerType::Private;
        }
        let label = crate::edit::EditLabel::ImportRegister;
        app.apply(super::super::Action::Edit(crate::edit::Edit::SetConsent { consent: Box::new(consent), label }));
        let dir = tempfile::tempdir().expect("a temporary folder");
        let mut st = ExportState { kind: ExportKind::Register, ..ExportState::default() };
        assert!(!st.personal, "off by default");
        for (personal, ext) in [(false, "csv"), (true, "csv"), (false, "xlsx"), (true, "xlsx")] {
            st.personal = personal;
            let out = dir.path().join(format!("r-{personal}.{ext}"));
            export(&st, &mut app, &out);
            let bytes = std::fs::read(&out).expect("the register");
            let text = if ext == "xlsx" {
                use std::io::Read;
                let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).expect("a workbook");
                let mut all = String::new();
                for i in 0..zip.len() {
                    let _ = zip.by_index(i).expect("a member").read_to_string(&mut all);
                }
                all
            } else {
                String::from_utf8(bytes).expect("UTF-8")
            };
            assert_eq!(text.contains("张三丰"), personal, "{ext}: names only when ticked");
            assert_eq!(text.contains("13800138000"), personal, "{ext}: phones only when ticked");
        }
        assert_eq!(extensions(ExportKind::Register).1, &["xlsx", "csv"]);
    }

    #[test]
    fn systems_chosen_for_one_plan_fall_back_to_the_defaults_for_another() {
        let jinsong = Document::jinsong();
        let mut st = ExportState::default();
        st.follow(&jinsong);
        let (gk, _) = plan_zones(&jinsong);
        st.shp_crs = gk;
        st.cad_crs = Crs::gauss_kruger_at(120.0);
        st.follow(&jinsong);
        assert_eq!((st.shp_system(&jinsong), st.cad_system(&jinsong)), (gk, Crs::gauss_kruger_at(120.0)), "kept");
        // Another plan, in the next zone east: Jinsong's zones are not its own.
        let other = plan_at(120.5);
        assert_ne!(plan_zones(&other).0, gk);
        assert_eq!((st.shp_system(&other), st.cad_system(&other)), (None, None), "the request falls back");
        st.follow(&other);
        assert_eq!((st.shp_crs, st.cad_crs), (None, None), "the dialog shows the defaults");
        // A zone not offered for the plan's centre is not written, even for the plan it was chosen for.
        st.shp_crs = Crs::gauss_kruger_at(90.0);
        assert_eq!(st.shp_system(&other), None);
        st.shp_crs = plan_zones(&other).1;
        assert_eq!(st.shp_system(&other), plan_zones(&other).1);
    }
}
