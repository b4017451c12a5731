//! Everything the plan is written out as for people and other programs:
//! print maps, the story handout, the site atlas, the item schedule, GIS data
//! of a phase and the plan file itself. Maps and pages are drawn from the same
//! [`crate::render::Scene`] as the screen.
//!
//! One [`Request`] says what to write and where; [`run`] writes it. The
//! command line (`export`) and the window's export dialog both build a
//! `Request` and call `run` (the window through [`run_with`], on a background
//! thread, watching its [`Progress`] and able to stop it), so the dispatch exists once.
//!
//! - [`map`] — print maps (PNG/SVG/PDF) with title block, legend and scale;
//! - [`handout`] — the story handout and the site atlas (PDF);
//! - [`tables`] — the item schedule (CSV/XLSX) and GIS GeoJSON of a phase;
//! - [`shapefile`] — a phase as ESRI Shapefiles (one set per geometry type, or a zip);
//! - [`underlay`] — the basemaps drawn under every map, page and atlas sheet;
//! - [`dxf`] — CAD drawings (DXF R2010) for design institutes;
//! - [`progress`] — how far an export has got, and stopping it.
//!
//! `export` stands above `render`, `io` and `basemap`: it may import them,
//! and none of them imports it.

pub mod dxf;
pub mod handout;
pub mod map;
pub mod notice;
pub mod operations;
pub mod progress;
pub mod register;
pub mod shapefile;
pub mod tables;
pub mod underlay;

use std::path::PathBuf;

pub use progress::{Progress, Stage, Watch};

use crate::error::ExportError;
use crate::io::crs::Crs;
use crate::model::{Kind, Lang, Phase, Plan};
use crate::render::theme::ThemeMode;
use progress::check;

/// The size of a map.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MapSize {
    /// A sheet of paper in points (see [`map::paper`]): drawn at a round scale
    /// true on that sheet, with a title block; rasters at print resolution.
    Paper([f32; 2]),
    /// An image of this many pixels (see [`map::pixel_size`]).
    Pixels([f32; 2]),
}

/// What to write.
#[derive(Clone, Debug, PartialEq)]
pub enum What {
    /// A map (PNG, SVG or PDF by the extension) of [`Request::phase`], or
    /// before and after side by side when that is `None`.
    Map {
        size: MapSize,
        /// The view to draw (lon/lat `[min_x, min_y, max_x, max_y]`), else the whole district.
        extent: Option<[f64; 4]>,
    },
    /// The item schedule: CSV for `.csv`, else XLSX.
    Schedule,
    /// GIS GeoJSON of [`Request::phase`] (`None`: after), in WGS 84 or another system
    /// (projected ones named in a legacy `crs` member).
    Gis { crs: Option<Crs> },
    /// Shapefiles of [`Request::phase`] (`None`: after) in `crs` (`None`: WGS 84), one set per
    /// geometry type; in one zip when the destination is `.zip`.
    Shapefile { crs: Option<Crs> },
    /// The site atlas (PDF): one page per site that carries items, only
    /// sites of these kinds when given.
    Atlas { kinds: Option<Vec<Kind>> },
    /// The handout (PDF) of the plan's story with this index.
    Handout { story: usize },
    /// The plan itself: a GeoPackage for `.gpkg`, else plan GeoJSON, which
    /// may be in another system (a Chinese web map's, or a projected one named in its `crs` member).
    Plan { crs: Option<Crs> },
    /// A CAD drawing (DXF R2010) of [`Request::phase`] (`None`: after) in a projected system.
    Dxf { crs: Crs },
    /// The residents' register (CSV for `.csv`, else XLSX): one row per household, a column per
    /// matter. `personal`: with owner names and phones — only the window asks, after a warning.
    Register { personal: bool },
    /// The public notice (公示, PDF) of the result of the matter with this id.
    Notice { matter: String },
    /// The operations ledger's yearly rows under a scenario (`.csv` or `.xlsx`).
    CashFlow { scenario: crate::model::operations::Scenario },
}

/// One export: what, which phase or date, theme, language, title-block date and destination.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub what: What,
    /// The phase drawn or written (a date is [`Phase::AsOf`]); maps: `None` compares before and after.
    pub phase: Option<Phase>,
    /// Maps: what the colours say.
    pub theme: ThemeMode,
    /// Maps coloured by [`ThemeMode::Consent`]: the matter (`None`, or one the plan
    /// lacks: the plan's first). A handout's slides keep their own.
    pub matter: Option<String>,
    /// The language of the words.
    pub lang: Lang,
    /// Maps: the date in the title block, YYYY-MM-DD.
    pub date: String,
    /// Where to write; the format follows its extension.
    pub out: PathBuf,
    /// Maps, handouts and the atlas: the basemaps drawn under them, bottom to
    /// top (those shown: visible, not transparent); `None`: the plan's own.
    pub basemaps: Option<Vec<crate::model::Basemap>>,
    /// The user's basemap settings (tile cache, keys, offline); the command
    /// line and the window read them from the app's data folder, tests make their own.
    pub settings: crate::basemap::Settings,
}

impl Request {
    /// `what` written to `out` as a request says by default: the maps comparing
    /// before and after, coloured by kind, in Chinese, dated today, over the
    /// plan's own basemaps with default basemap settings. Callers change what
    /// differs (`Request { lang, ..Request::new(what, out) }`).
    pub fn new(what: What, out: impl Into<PathBuf>) -> Self {
        Request {
            what,
            phase: None,
            theme: ThemeMode::Kind,
            matter: None,
            lang: Lang::Zh,
            date: crate::model::item::today(),
            out: out.into(),
            basemaps: None,
            settings: Default::default(),
        }
    }
}

/// What [`run`] wrote, for the message that says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    /// A map, an atlas or GIS data.
    File,
    /// A handout of this many pages.
    Pages(usize),
    /// A schedule of this many items.
    Items(usize),
    /// A plan file of this many features and items.
    Plan { features: usize, items: usize },
    /// Plan GeoJSON of this many features in another system than WGS 84 (a web map's, a projected one).
    Reprojected { features: usize, crs: Crs },
    /// Shapefiles: this many features in this many sets (one per geometry type).
    Shapefile { features: usize, sets: usize },
    /// A residents' register of this many households and matters.
    Register { households: usize, matters: usize },
    /// The operations ledger's yearly rows.
    Years(usize),
}

/// The lower-case extension of the destination, or empty.
pub fn extension(req: &Request) -> String {
    req.out.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default()
}

/// The basemaps a request draws, opened: its own, else the plan's.
fn underlay(plan: &Plan, req: &Request) -> Result<underlay::Underlay, ExportError> {
    underlay::Underlay::open(req.basemaps.as_deref().unwrap_or(&plan.basemaps), &req.settings)
}

/// GeoJSON text in `crs` with the legacy (2008) `crs` member naming it, so GDAL and QGIS place
/// it right; WGS 84 and the web maps' systems (no EPSG code) are left without one.
pub fn with_crs_member(text: String, crs: Crs) -> String {
    const HEAD: &str = "{\"type\":\"FeatureCollection\",";
    match crs.epsg().filter(|c| *c != 4326) {
        Some(code) if text.starts_with(HEAD) => format!(
            "{HEAD}\"crs\":{{\"type\":\"name\",\"properties\":{{\"name\":\"urn:ogc:def:crs:EPSG::{code}\"}}}},{}",
            &text[HEAD.len()..]
        ),
        _ => text,
    }
}

/// Writes `req` from `plan`, atomically.
pub fn run(plan: &Plan, req: &Request) -> Result<Written, ExportError> {
    run_with(plan, req, &progress::unwatched)
}

/// Writes `req` from `plan`, atomically, telling `watch` how far it has got:
/// page by page for handouts and atlases, every [`progress::EVERY`]th feature for GIS
/// data, Shapefiles and CAD drawings, stage by stage otherwise. When `watch`
/// returns `false` the export stops at its next check with [`ExportError::Cancelled`],
/// leaving no file (and no `.saving` file) and an older file at the path as it was.
pub fn run_with(plan: &Plan, req: &Request, watch: Watch) -> Result<Written, ExportError> {
    let ext = extension(req);
    let out = req.out.as_path();
    // Exports too quick to report more: the bytes are made, then written.
    let in_two_steps = |bytes: &dyn Fn() -> Result<Vec<u8>, ExportError>| {
        check(watch, 0, 2, Stage::Preparing)?;
        progress::save(out, &bytes()?, watch, 1, 2)
    };
    match &req.what {
        What::Map { size, extent } => {
            let (size, scale, on_paper) = match *size {
                MapSize::Paper(sheet) => (sheet, map::raster_scale(sheet), true),
                MapSize::Pixels(px) => (px, 1.0, false),
            };
            let spec = map::MapSpec {
                phase: req.phase.clone(),
                size,
                scale,
                lang: req.lang,
                extent: *extent,
                theme: req.theme,
                matter: req.matter.clone(),
                on_paper,
                date: req.date.clone(),
            };
            map::export(plan, &spec, underlay(plan, req)?, out, watch)?;
            Ok(Written::File)
        }
        What::Schedule if ext == "csv" => {
            in_two_steps(&|| Ok(tables::schedule_csv(plan, req.lang).into_bytes()))?;
            Ok(Written::Items(plan.items.len()))
        }
        What::Schedule => {
            in_two_steps(&|| tables::schedule_xlsx(plan, req.lang))?;
            Ok(Written::Items(plan.items.len()))
        }
        What::Gis { crs } => {
            let phase = req.phase.as_ref().unwrap_or(&Phase::After);
            // Every feature a step, and writing the last one.
            let total = plan.len() + 1;
            check(watch, 0, total, Stage::Preparing)?;
            let text = match crs {
                Some(c) => with_crs_member(
                    tables::phase_geojson(&crate::io::write::reproject(plan, *c), phase, watch, total)?,
                    *c,
                ),
                None => tables::phase_geojson(plan, phase, watch, total)?,
            };
            progress::save(out, text.as_bytes(), watch, total - 1, total)?;
            Ok(Written::File)
        }
        What::Shapefile { crs } => {
            let phase = req.phase.as_ref().unwrap_or(&Phase::After);
            let s = shapefile::write(plan, phase, *crs, out, &req.date, watch)?;
            Ok(Written::Shapefile { features: s.features, sets: s.sets })
        }
        What::Atlas { kinds } => {
            let (bytes, pages) = handout::atlas_pdf(plan, req.lang, kinds.as_deref(), &underlay(plan, req)?, watch)?;
            progress::save(out, &bytes, watch, pages, pages + 1)?;
            Ok(Written::File)
        }
        What::Handout { story } => {
            let story = plan.stories.get(*story).ok_or(ExportError::NoStory)?;
            let bytes = handout::story_pdf(plan, story, req.lang, &underlay(plan, req)?, watch)?;
            let pages = story.slides.len();
            progress::save(out, &bytes, watch, pages, pages + 1)?;
            Ok(Written::Pages(pages))
        }
        What::Plan { crs: Some(_) } if ext == "gpkg" => {
            Err(ExportError::Format { what: "a plan in web map coordinates", ext })
        }
        What::Plan { crs: Some(c) } => {
            check(watch, 0, 2, Stage::Preparing)?;
            let moved = crate::io::write::reproject(plan, *c);
            let text = with_crs_member(crate::io::write::to_geojson(&moved)?, *c);
            progress::save(out, text.as_bytes(), watch, 1, 2)?;
            Ok(Written::Reprojected { features: moved.len(), crs: *c })
        }
        What::Dxf { crs } => {
            let phase = req.phase.clone().unwrap_or(Phase::After);
            let total = plan.len() + 1;
            let (bytes, drawn) = dxf::to_dxf_with(plan, &phase, *crs, req.lang, watch, total)?;
            progress::save(out, &bytes, watch, total - 1, total)?;
            Ok(Written::Reprojected { features: drawn.features, crs: *crs })
        }
        // As `io::save_path` writes it: a GeoPackage for `.gpkg`, else plan GeoJSON.
        What::Plan { crs: None } if ext == "gpkg" => {
            check(watch, 1, 2, Stage::Writing)?;
            let tmp = crate::io::gpkg::write_temp(plan, out)?;
            progress::commit(tmp, out, watch, 1, 2)?;
            Ok(Written::Plan { features: plan.len(), items: plan.items.len() })
        }
        What::Plan { crs: None } => {
            in_two_steps(&|| Ok(crate::io::write::to_geojson(plan)?.into_bytes()))?;
            Ok(Written::Plan { features: plan.len(), items: plan.items.len() })
        }
        What::Register { personal } => {
            let consent = &plan.consent;
            if ext == "csv" {
                in_two_steps(&|| Ok(register::register_csv(consent, *personal).into_bytes()))?;
            } else {
                in_two_steps(&|| register::register_xlsx(consent, *personal))?;
            }
            Ok(Written::Register { households: consent.households.len(), matters: consent.matters.len() })
        }
        What::CashFlow { scenario } => {
            if plan.operations.is_empty() {
                return Err(ExportError::NoOperations);
            }
            let ledger = operations::ledger(plan, scenario);
            if ext == "csv" {
                in_two_steps(&|| Ok(operations::cashflow_csv(&ledger).into_bytes()))?;
            } else {
                in_two_steps(&|| operations::cashflow_xlsx(plan, &ledger, scenario, req.lang))?;
            }
            Ok(Written::Years(ledger.rows.len()))
        }
        What::Notice { matter } => {
            let date = if req.date.is_empty() { crate::model::item::today() } else { req.date.clone() };
            check(watch, 0, 2, Stage::Preparing)?;
            let (bytes, pages) = notice::notice_pdf(plan, matter, req.lang, &date)?;
            progress::save(out, &bytes, watch, 1, 2)?;
            Ok(Written::Pages(pages))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(what: What, out: PathBuf) -> Request {
        Request { date: "2026-01-02".into(), ..Request::new(what, out) }
    }

    #[test]
    fn a_request_draws_its_own_basemaps_else_the_plans_shown_ones_and_one_that_cannot_be_drawn_is_the_error() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let out = dir.path().join("m.svg");
        let mut plan = Plan::new(crate::model::PlanMeta::default());
        plan.basemaps = vec![crate::model::Basemap::new(dir.path().join("gone.mbtiles").to_string_lossy())];
        let extent = Some([116.454, 39.885, 116.46, 39.8896]);
        let mut req = request(What::Map { size: MapSize::Pixels([400.0, 300.0]), extent }, out.clone());
        let e = run(&plan, &req).expect_err("the plan's basemap is missing");
        assert!(matches!(e, ExportError::Basemap(crate::basemap::BasemapError::NotFound(_))), "{e}");
        assert!(e.to_string().contains("gone.mbtiles: no such file"), "{e}");
        assert!(!out.exists(), "nothing is written");
        // The request's own list (here: none) is drawn instead of the plan's.
        req.basemaps = Some(Vec::new());
        run(&plan, &req).expect("written without a basemap");
        assert!(!std::fs::read_to_string(&out).expect("the map").contains("<image"));
        // A hidden basemap is not opened at all.
        req.basemaps = None;
        plan.basemaps[0].visible = false;
        run(&plan, &req).expect("the hidden basemap is not drawn");
    }

    #[test]
    fn a_handout_of_a_plan_without_stories_is_refused_and_nothing_is_written() {
        let dir = std::env::temp_dir().join(format!("rp-export-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        let out = dir.join("handout.pdf");
        let plan = Plan::new(crate::model::PlanMeta::default());
        let e = run(&plan, &request(What::Handout { story: 0 }, out.clone())).expect_err("no story");
        assert!(matches!(e, ExportError::NoStory), "{e}");
        assert!(!out.exists());
        let e = run(&plan, &request(What::Plan { crs: Some(Crs::Gcj02) }, dir.join("p.gpkg"))).expect_err("gpkg");
        assert!(matches!(e, ExportError::Format { .. }), "{e}");
        assert!(!dir.join("p.gpkg").exists());
        let csv = dir.join("s.csv");
        assert_eq!(run(&plan, &request(What::Schedule, csv.clone())).expect("written"), Written::Items(0));
        assert!(std::fs::read(&csv).expect("the schedule").starts_with(b"\xef\xbb\xbf"), "CSV with a BOM");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
