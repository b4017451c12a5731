//! The command line: `renewal-planner [FILE]`, `renewal-planner info FILE [--json]` and
//! `renewal-planner export FILE -o OUT [--basemap SOURCE …]`.
//! Every failure is one line naming the file and the place of the fault.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Parser, Subcommand};

use crate::io::crs::Crs;
use crate::io::{self, Loaded};
use crate::model::{Lang, Phase, Summary};

/// Renewal Planner — plan the renewal of old residential communities (老旧小区改造).
#[derive(Parser, Debug)]
#[command(name = "renewal-planner", version, about, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// A file to open: GeoJSON, a plan file or any GeoPackage, Shapefile (`.shp`, `.zip`), DXF, KML/KMZ,
    /// CSV/Excel points (default: the embedded Jinsong plan).
    pub file: Option<PathBuf>,
    /// The coordinate system of the input when the file does not say: an EPSG
    /// code (EPSG:3857, EPSG:4490, EPSG:4513–4554 CGCS2000 Gauss-Krüger,
    /// EPSG:326xx/327xx UTM), or gcj02 / bd09 for coordinates taken from
    /// Amap/Tencent or Baidu maps.
    #[arg(long, global = true, value_parser = parse_crs)]
    pub crs: Option<Crs>,
}

fn parse_crs(s: &str) -> Result<Crs, String> {
    Crs::parse(s).ok_or_else(|| format!("not a supported coordinate system; supported: {}", crate::io::crs::SUPPORTED))
}

/// `--columns X,Y`: the two column names of a table of points.
fn parse_columns(s: &str) -> Result<(String, String), String> {
    match s.split_once(',') {
        Some((x, y)) if !x.trim().is_empty() && !y.trim().is_empty() && !y.contains(',') => {
            Ok((x.trim().to_string(), y.trim().to_string()))
        }
        _ => {
            Err("name the x (longitude) and y (latitude) columns, e.g. --columns 经度,纬度 (or number them: 3,4)"
                .into())
        }
    }
}

// Parsed once per run: boxing the export's many options would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print a summary of a plan: features by kind, area, extent, building totals.
    Info {
        /// Any file the app opens (GeoJSON, GeoPackage, Shapefile, DXF, KML/KMZ, CSV/Excel points), or the
        /// word `jinsong` for the embedded plan.
        file: PathBuf,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
        /// Count the features that exist before or after the renewal.
        #[arg(long, value_parser = ["before", "after"], conflicts_with = "at")]
        phase: Option<String>,
        /// Count the features that exist on a date (YYYY-MM-DD): changes whose items were completed by then.
        #[arg(long)]
        at: Option<String>,
        /// A table of points (CSV, Excel): the columns holding x (longitude) and y (latitude),
        /// when the header does not name them 经度/纬度, lon/lat or x/y.
        #[arg(long, value_name = "X,Y", value_parser = parse_columns)]
        columns: Option<(String, String)>,
    },
    /// Write a plan in another format, chosen by OUT's extension: `.gpkg` (the
    /// plan file, a GeoPackage), `.geojson` (the plan's text form), `.png`,
    /// `.svg` or `.pdf` (a print map, over the plan's basemaps and any
    /// `--basemap`), or `.pdf` with `--story` (the story handout: one page per
    /// slide) or `--atlas`, `.xlsx` or `.csv` (the item schedule), `.geojson` with `--phase`/`--at`
    /// (GIS data of a phase), `.shp` or `.zip` (Shapefiles of a phase), or `.dxf` (a CAD drawing in a
    /// Gauss-Krüger zone, `--to-crs`).
    Export {
        /// Any file the app opens (GeoJSON, GeoPackage, Shapefile, DXF, KML/KMZ, CSV/Excel points), or `jinsong`.
        file: PathBuf,
        /// Where to write.
        #[arg(short, long)]
        out: PathBuf,
        /// Write the handout of a story (by id or name; alone: the plan's first story).
        #[arg(long, num_args = 0..=1, default_missing_value = "")]
        story: Option<String>,
        /// Language of the handout or map: zh or en.
        #[arg(long, default_value = "zh", value_parser = ["zh", "en"])]
        lang: String,
        /// Maps: the phase to draw, or before and after side by side (compare). GIS data, Shapefiles and
        /// drawings: the phase written, before or after (default after).
        #[arg(long, value_parser = ["before", "after", "compare"], conflicts_with = "at")]
        phase: Option<String>,
        /// Maps, GIS data, Shapefiles and drawings: the plan as of a date (YYYY-MM-DD).
        #[arg(long)]
        at: Option<String>,
        /// Maps: the image size in pixels, e.g. 1920x1080.
        #[arg(long, conflicts_with = "paper")]
        size: Option<String>,
        /// Maps: the paper, A4 to A0 (default A4, landscape); the map is drawn
        /// at a round scale (1:N) true on that sheet, with a title block.
        /// `A3-landscape` / `A3-portrait` also work.
        #[arg(long)]
        paper: Option<String>,
        /// Maps: lay the paper landscape (the default).
        #[arg(long, conflicts_with_all = ["portrait", "size"])]
        landscape: bool,
        /// Maps: lay the paper portrait.
        #[arg(long, conflicts_with = "size")]
        portrait: bool,
        /// Maps: the date in the title block, YYYY-MM-DD (default today).
        #[arg(long)]
        date: Option<String>,
        /// Maps: colour by kind, or by item status, category or funding source, or buildings by the
        /// residents' agreement to a matter (consent, see --matter), or the operating spaces by use
        /// (space_use) or by years of operating right left (term_left).
        #[arg(long, default_value = "kind", value_parser = ["kind", "status", "category", "funding", "consent", "space_use", "term_left"])]
        theme: String,
        /// Maps with --theme consent: the matter shown, by id (default: the plan's first).
        #[arg(long, value_name = "ID")]
        matter: Option<String>,
        /// Write the atlas (`.pdf`): one page per site that carries items.
        #[arg(long, conflicts_with = "story")]
        atlas: bool,
        /// Atlas: only sites of these kinds, e.g. `building,node`.
        #[arg(long, requires = "atlas", value_delimiter = ',')]
        sites: Vec<String>,
        /// GeoJSON, Shapefile and DXF: write the coordinates in this system: an EPSG code (EPSG:4527
        /// CGCS2000 Gauss-Krüger, EPSG:32650 UTM, EPSG:4490, EPSG:3857), or gcj02 (Amap, Tencent) /
        /// bd09 (Baidu) for Chinese web maps. A `.dxf` needs a projected system; its default is the
        /// CGCS2000 Gauss-Krüger zone of the plan's centre.
        #[arg(long, value_parser = parse_crs)]
        to_crs: Option<Crs>,
        /// Maps, handouts, the atlas: draw this basemap over the plan's own
        /// (repeatable, bottom to top): an MBTiles file or a tile URL template
        /// (`https://…/{z}/{x}/{y}.png`). With a `.gpkg` or plan `.geojson`
        /// out, the plan file keeps it and later maps draw it.
        #[arg(long = "basemap", value_name = "SOURCE")]
        basemap: Vec<String>,
        /// The coordinate system (EPSG code, e.g. 4527) of the --basemap just before it, for an image whose file does not say.
        #[arg(long, value_name = "N", requires = "basemap")]
        basemap_epsg: Vec<String>,
        /// The shift of the --basemap just before it: gcj02 (Amap, Tencent tiles) or bd09 (Baidu).
        #[arg(long, value_name = "SHIFT", value_parser = ["gcj02", "bd09"], requires = "basemap")]
        basemap_shift: Vec<String>,
        /// A table of points (CSV, Excel): the columns holding x (longitude) and y (latitude),
        /// when the header does not name them 经度/纬度, lon/lat or x/y.
        #[arg(long, value_name = "X,Y", value_parser = parse_columns)]
        columns: Option<(String, String)>,
        /// Write the residents' register (`.csv` or `.xlsx`): one row per household, a column per
        /// matter (agree, disagree, abstain, none; empty outside its scope). Never personal data.
        #[arg(long, conflicts_with_all = ["story", "atlas", "notice"])]
        consent: bool,
        /// Write the public notice (公示, `.pdf`) of the result of this matter (its id, e.g. m-property).
        #[arg(long, value_name = "MATTER_ID", conflicts_with_all = ["story", "atlas"])]
        notice: Option<String>,
        /// Write the operations ledger's yearly cash flows (`.csv` or `.xlsx`): investment, revenue,
        /// cost, subsidy, net and cumulative a year, with payback, NPV and IRR in the workbook.
        #[arg(long, conflicts_with_all = ["story", "atlas", "notice", "consent"])]
        operations: bool,
        /// With --operations: revenue scaled by F (0 to 10; 0.8 = 80 %).
        #[arg(long, value_name = "F", allow_hyphen_values = true)]
        revenue_scale: Option<String>,
        /// With --operations: subsidies (government purchase of services) scaled by F (0 to 10).
        #[arg(long, value_name = "F", allow_hyphen_values = true)]
        subsidy_scale: Option<String>,
        /// Publishing to a database (`-o postgresql://…?plan=NAME`): replace the plan of that name.
        #[arg(long)]
        replace: bool,
    },
    /// The residents' register: read one back into a plan file.
    Consent {
        #[command(subcommand)]
        command: ConsentCommand,
    },
    /// Keep an area's basemap tiles offline: estimate the tiles of SOURCE
    /// covering the area at the zooms, refuse above the limit, else fetch
    /// them into the tile cache (tiles already cached are not fetched again).
    Tiles {
        /// A tile URL template (`https://…/{z}/{x}/{y}.png`) or a preset: osm, tianditu-vec, tianditu-img.
        source: String,
        /// The area: west,south,east,north in degrees (WGS 84).
        #[arg(long, allow_hyphen_values = true)]
        bbox: String,
        /// The zoom levels, e.g. 15-18 (or one level, 17).
        #[arg(long)]
        zoom: String,
        /// The most tiles to fetch; a bigger estimate is refused.
        #[arg(long, default_value_t = crate::basemap::xyz::PREFETCH_LIMIT)]
        limit: usize,
    },
}

/// `consent …`: the residents' register.
#[derive(Subcommand, Debug)]
pub enum ConsentCommand {
    /// Read a residents' register (CSV or Excel, as `export --consent` writes it and Excel saves it)
    /// into a plan file (`.gpkg` or plan `.geojson`), atomically. The file is the whole register:
    /// its households are updated or added, households not in it are removed with their votes, and
    /// each matter column sets the votes. Any bad row: one line naming it, and the plan is untouched.
    Import {
        /// The plan file to update (`.gpkg` or plan `.geojson`).
        plan: PathBuf,
        /// The register (`.csv` or `.xlsx`).
        register: PathBuf,
    },
}

/// The `--basemap` options of an `export`, in the order given: each
/// `--basemap-epsg` and `--basemap-shift` applies to the `--basemap` just
/// before it. File paths are made absolute, so a plan file that keeps them
/// still finds them from another folder.
pub fn basemap_args(export: &clap::ArgMatches) -> Result<Vec<crate::model::Basemap>, String> {
    let with_index = |id: &str| -> Vec<(usize, String)> {
        match (export.indices_of(id), export.get_many::<String>(id)) {
            (Some(i), Some(v)) => i.zip(v.cloned()).collect(),
            _ => Vec::new(),
        }
    };
    pair_basemaps(&with_index("basemap"), &with_index("basemap_epsg"), &with_index("basemap_shift"))
}

/// Pairs `--basemap` sources with the `--basemap-epsg`/`--basemap-shift`
/// that follow them, by their places on the command line.
pub fn pair_basemaps(
    sources: &[(usize, String)],
    epsg: &[(usize, String)],
    shift: &[(usize, String)],
) -> Result<Vec<crate::model::Basemap>, String> {
    use crate::model::{Basemap, Shift, basemaps::SourceKind};
    let mut out: Vec<(usize, Basemap, bool, bool)> = sources
        .iter()
        .map(|(i, s)| {
            let mut b = Basemap::new(s.as_str());
            if b.kind() != SourceKind::Xyz {
                let absolute = std::path::absolute(&b.source).map_err(|e| format!("--basemap {s}: {e}"))?;
                b.source = absolute.to_string_lossy().into_owned();
            }
            Ok((*i, b, false, false))
        })
        .collect::<Result<_, String>>()?;
    let owner = |out: &mut Vec<(usize, Basemap, bool, bool)>, at: usize, opt: &str, value: &str| {
        let pos = out.iter().rposition(|(i, ..)| *i < at);
        pos.ok_or_else(|| format!("--{opt} {value}: give it after the --basemap it is for"))
    };
    for (at, value) in epsg {
        let code = value.trim().to_ascii_uppercase();
        let code = code.strip_prefix("EPSG:").unwrap_or(&code);
        let crs = code.parse::<u32>().ok().and_then(crate::io::crs::Crs::from_epsg).ok_or_else(|| {
            format!(
                "--basemap-epsg {value}: not a supported coordinate system; supported: {}",
                crate::io::crs::SUPPORTED
            )
        })?;
        let k = owner(&mut out, *at, "basemap-epsg", value)?;
        if std::mem::replace(&mut out[k].2, true) {
            return Err(format!("--basemap-epsg {value}: {} already has one", out[k].1.source));
        }
        out[k].1.epsg = crs.epsg();
    }
    for (at, value) in shift {
        let k = owner(&mut out, *at, "basemap-shift", value)?;
        if std::mem::replace(&mut out[k].3, true) {
            return Err(format!("--basemap-shift {value}: {} already has one", out[k].1.source));
        }
        out[k].1.shift = match value.as_str() {
            "gcj02" => Shift::Gcj02,
            "bd09" => Shift::Bd09,
            other => return Err(format!("--basemap-shift {other}: use gcj02 or bd09")),
        };
    }
    Ok(out.into_iter().map(|(_, b, ..)| b).collect())
}

/// How a map export is asked for on the command line.
#[derive(Debug, Default)]
pub struct MapArgs<'a> {
    pub phase: Option<&'a str>,
    pub at: Option<&'a str>,
    pub size: Option<&'a str>,
    pub paper: Option<&'a str>,
    /// `Some(true)` landscape, `Some(false)` portrait, `None` as the paper name says.
    pub landscape: Option<bool>,
    /// The title block's date (`--date`).
    pub date: Option<&'a str>,
    pub atlas: bool,
    pub theme: &'a str,
    /// The consent map's matter (`--matter`).
    pub matter: Option<&'a str>,
    pub sites: &'a [String],
    /// The coordinate system of the input (`--crs`).
    pub crs: Option<Crs>,
    /// A table of points: its x and y columns (`--columns`).
    pub columns: Option<(&'a str, &'a str)>,
    /// GeoJSON or Shapefile output in another system than WGS 84 (`--to-crs`).
    pub to_crs: Option<Crs>,
    /// Basemaps to draw over the plan's, or for a plan file to keep (`--basemap`, see [`basemap_args`]).
    pub basemaps: Vec<crate::model::Basemap>,
    /// The residents' register (`--consent`), without personal data.
    pub consent: bool,
    /// The public notice of this matter's result (`--notice`).
    pub notice: Option<&'a str>,
    /// The operations ledger's cash flows (`--operations`), revenue and subsidy scaled by these.
    pub operations: bool,
    pub revenue_scale: Option<&'a str>,
    pub subsidy_scale: Option<&'a str>,
    /// Publishing to a database: over the plan of the same name (`--replace`).
    pub replace: bool,
}

/// A scale of `--revenue-scale`/`--subsidy-scale`: a finite number from 0 to 10.
fn parse_scale(flag: &str, value: Option<&str>) -> Result<f64, String> {
    let Some(text) = value else { return Ok(1.0) };
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && (0.0..=10.0).contains(v))
        .ok_or_else(|| format!("--{flag} {text}: give a number from 0 to 10 (1 = as planned, 0.8 = 80 %)"))
}

/// Runs `export`: builds one [`crate::export::Request`] and writes it with
/// [`crate::export::run`]; returns the line to print, or the one-line error.
pub fn export(file: &Path, out: &Path, story: Option<&str>, lang: &str, map: MapArgs) -> Result<String, String> {
    use crate::export::{MapSize, Request, What, Written};
    if io::postgis::is_uri(out) {
        return publish(file, out, story, map);
    }
    if map.replace {
        return Err(format!(
            "--replace: is for publishing to a database (-o postgresql://…?plan=NAME), not {}",
            out.display()
        ));
    }
    let ext = out.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let mut req = Request {
        what: What::Plan { crs: None },
        phase: None,
        theme: crate::render::theme::ThemeMode::Kind,
        matter: None,
        lang: if lang == "zh" { Lang::Zh } else { Lang::En },
        date: String::new(),
        out: out.to_path_buf(),
        basemaps: None,
        settings: crate::basemap::Settings::load(&crate::session::data_dir()),
    };
    if let Some(c) = map.to_crs
        && !matches!(ext.as_str(), "geojson" | "json" | "shp" | "zip" | "dxf" | "gpkg")
    {
        return Err(format!("--to-crs {}: is for GeoJSON, Shapefile and DXF output, not .{ext}", c.code()));
    }
    // A drawing is in metres: refused before the file is read.
    if let Some(c) = map.to_crs
        && ext == "dxf"
        && c.is_geographic()
    {
        return Err(format!(
            "--to-crs {}: CAD drawings need a projected system in metres, e.g. --to-crs EPSG:4527 for Beijing",
            c.code()
        ));
    }
    if let Some(id) = map.matter
        && map.theme != "consent"
    {
        return Err(format!("--matter {id}: is for maps with --theme consent"));
    }
    // Said after the line that names the file, when the drawing's system was chosen for the planner.
    let mut default_note = String::new();
    // What to write, checked before the file is read; the plan itself when nothing else is asked.
    if !map.operations {
        for (flag, v) in [("revenue-scale", map.revenue_scale), ("subsidy-scale", map.subsidy_scale)] {
            if let Some(v) = v {
                return Err(format!("--{flag} {v}: is for the cash-flow table, with --operations"));
            }
        }
    }
    let loaded = if map.operations {
        if !matches!(ext.as_str(), "csv" | "xlsx") {
            return Err(format!("{}: the cash-flow table is written as .csv or .xlsx", out.display()));
        }
        let scenario = crate::model::operations::Scenario {
            revenue_scale: parse_scale("revenue-scale", map.revenue_scale)?,
            subsidy_scale: parse_scale("subsidy-scale", map.subsidy_scale)?,
            subsidy_until: None,
        };
        let loaded = load_for_cli(file, map.crs, map.columns)?;
        if loaded.plan.operations.is_empty() {
            return Err(format!(
                "{}: --operations: the plan has no operations ledger (operating spaces and cash flows)",
                shown(file)
            ));
        }
        req.what = What::CashFlow { scenario };
        loaded
    } else if map.consent {
        if !matches!(ext.as_str(), "csv" | "xlsx") {
            return Err(format!("{}: the residents' register is written as .csv or .xlsx", out.display()));
        }
        req.what = What::Register { personal: false };
        load_for_cli(file, map.crs, map.columns)?
    } else if let Some(id) = map.notice {
        if ext != "pdf" {
            return Err(format!("{}: a public notice is written as .pdf", out.display()));
        }
        let loaded = load_for_cli(file, map.crs, map.columns)?;
        let consent = &loaded.plan.consent;
        if consent.matter(id).is_none() {
            let ids: Vec<&str> = consent.matters.iter().map(|m| m.id.as_str()).collect();
            return Err(format!(
                "{}: no matter \"{id}\"; the plan's matters are: {}",
                shown(file),
                if ids.is_empty() { "none".to_string() } else { ids.join(", ") }
            ));
        }
        req.date = crate::model::item::today();
        req.what = What::Notice { matter: id.to_string() };
        loaded
    } else if map.atlas {
        if ext != "pdf" {
            return Err(format!("{}: the atlas is written as .pdf", out.display()));
        }
        let loaded = load_for_cli(file, map.crs, map.columns)?;
        let kinds: Vec<crate::model::Kind> = map
            .sites
            .iter()
            .map(|k| crate::model::Kind::parse(k).ok_or_else(|| format!("--sites {k}: not a kind of feature")))
            .collect::<Result<_, _>>()?;
        req.what = What::Atlas { kinds: (!kinds.is_empty()).then_some(kinds) };
        loaded
    } else if story.is_none() && matches!(ext.as_str(), "png" | "svg" | "pdf") {
        req.phase = match (map.phase, map.at) {
            (_, Some(d)) => Some(
                Phase::parse(d)
                    .filter(|p| matches!(p, Phase::AsOf(_)))
                    .ok_or_else(|| format!("--at {d}: not a date (YYYY-MM-DD)"))?,
            ),
            (Some("compare"), None) => None,
            (Some(p), None) => {
                Some(Phase::parse(p).ok_or_else(|| format!("--phase {p}: use before, after or compare"))?)
            }
            (None, None) => Some(Phase::After),
        };
        let size = match (map.size, map.paper) {
            (Some(s), _) => MapSize::Pixels(
                crate::export::map::pixel_size(s).ok_or_else(|| format!("--size {s}: use WIDTHxHEIGHT pixels"))?,
            ),
            (None, p) => {
                let name = p.unwrap_or("A4");
                let mut sheet = crate::export::map::paper(name)
                    .ok_or_else(|| format!("--paper {name}: use A4, A3, A2, A1 or A0 (-portrait or -landscape)"))?;
                // Landscape unless asked otherwise; a name ending in -portrait or -landscape decides on its own.
                let named = name.contains('-');
                let landscape = map.landscape.unwrap_or(!named || sheet[0] > sheet[1]);
                if landscape != (sheet[0] > sheet[1]) {
                    sheet = [sheet[1], sheet[0]];
                }
                MapSize::Paper(sheet)
            }
        };
        req.date = match map.date {
            Some(d) if crate::model::item::is_date(d) => d.to_string(),
            Some(d) => return Err(format!("--date {d}: not a date (YYYY-MM-DD)")),
            None => crate::model::item::today(),
        };
        let loaded = load_for_cli(file, map.crs, map.columns)?;
        use crate::render::theme::ThemeMode;
        req.theme = match map.theme {
            "status" => ThemeMode::Status,
            "category" => ThemeMode::Category,
            "funding" => ThemeMode::Funding,
            "consent" => ThemeMode::Consent,
            "space_use" => ThemeMode::SpaceUse,
            "term_left" => ThemeMode::TermLeft,
            _ => ThemeMode::Kind,
        };
        if req.theme == ThemeMode::Consent {
            let consent = &loaded.plan.consent;
            if consent.matters.is_empty() {
                return Err(format!("{}: --theme consent: the plan has no residents' matters", shown(file)));
            }
            if let Some(id) = map.matter
                && consent.matter(id).is_none()
            {
                let ids: Vec<&str> = consent.matters.iter().map(|m| m.id.as_str()).collect();
                return Err(format!("--matter {id}: the plan has no such matter (it has {})", ids.join(", ")));
            }
            req.matter = map.matter.map(str::to_string);
        }
        req.what = What::Map { size, extent: None };
        loaded
    } else if let Some(name) = story {
        if ext != "pdf" {
            return Err(format!("{}: a story handout is written as .pdf", out.display()));
        }
        let loaded = load_for_cli(file, map.crs, map.columns)?;
        let stories = &loaded.plan.stories;
        let found = if name.is_empty() {
            (!stories.is_empty()).then_some(0)
        } else {
            stories.iter().position(|s| s.id == name || s.name_zh == name || s.name_en == name)
        };
        let story = found.ok_or_else(|| match name {
            "" => format!("{}: the plan has no story", shown(file)),
            n => format!("{}: no story named \"{n}\"", shown(file)),
        })?;
        req.what = What::Handout { story };
        loaded
    } else if ext == "xlsx" || ext == "csv" {
        req.what = What::Schedule;
        load_for_cli(file, map.crs, map.columns)?
    } else if ext == "dxf"
        || (matches!(ext.as_str(), "geojson" | "json" | "shp" | "zip")
            && (map.phase.is_some() || map.at.is_some() || matches!(ext.as_str(), "shp" | "zip")))
    {
        // GIS data, a Shapefile or a drawing: one phase, as of a date or before/after.
        let what = if ext == "dxf" { "a drawing" } else { "GIS data" };
        req.phase = Some(match (map.phase, map.at) {
            (_, Some(d)) => Phase::parse(d)
                .filter(|p| matches!(p, Phase::AsOf(_)))
                .ok_or_else(|| format!("--at {d}: not a date (YYYY-MM-DD)"))?,
            (Some(p), None) => {
                Phase::parse(p).ok_or_else(|| format!("--phase {p}: {what} is of one phase, before or after"))?
            }
            (None, None) => Phase::After,
        });
        let loaded = load_for_cli(file, map.crs, map.columns)?;
        req.what = match ext.as_str() {
            "shp" | "zip" => What::Shapefile { crs: map.to_crs },
            "dxf" => What::Dxf {
                crs: match map.to_crs {
                    Some(c) => c,
                    None => {
                        let zone = crate::export::dxf::zone_of(&loaded.plan).ok_or_else(|| {
                            format!(
                                "{}: the plan is outside China's Gauss-Krüger zones; give --to-crs EPSG:N",
                                shown(file)
                            )
                        })?;
                        default_note = format!(
                            " (the Gauss-Krüger zone of the plan's centre, {}; another with --to-crs EPSG:N)",
                            zone.label()
                        );
                        zone
                    }
                },
            },
            _ => What::Gis { crs: map.to_crs },
        };
        loaded
    } else if !matches!(ext.as_str(), "gpkg" | "geojson" | "json") {
        return Err(format!(
            "{}: cannot export to .{ext}; this version writes .gpkg, .geojson, .shp, .zip (zipped shapefiles), \
             .dxf, .csv, .xlsx, .png, .svg and .pdf",
            out.display()
        ));
    } else {
        let loaded = load_for_cli(file, map.crs, map.columns)?;
        if map.to_crs.is_some() && ext == "gpkg" {
            return Err(format!("{}: --to-crs is for GeoJSON; a plan file is always WGS 84", out.display()));
        }
        req.what = What::Plan { crs: map.to_crs };
        loaded
    };
    let mut plan = loaded.plan;
    // The command line never writes personal data: whatever it writes is made from a plan without it.
    let personal = plan.consent.households.values().filter(|h| h.has_personal()).count();
    if personal > 0 {
        for h in plan.consent.households.values_mut() {
            *h = h.without_personal();
        }
    }
    let left_out = if personal > 0 && matches!(req.what, What::Plan { .. }) {
        format!("; personal data (owner names, phones) of {personal} households left out")
    } else {
        String::new()
    };
    if !map.basemaps.is_empty() {
        if matches!(
            req.what,
            What::Schedule
                | What::Gis { .. }
                | What::Shapefile { .. }
                | What::Register { .. }
                | What::Notice { .. }
                | What::CashFlow { .. }
        ) {
            return Err(format!(
                "{}: --basemap is for maps, handouts, the atlas and plan files, not .{ext} data",
                out.display()
            ));
        }
        // Over the plan's own; a plan file written now keeps them all.
        let basemaps = plan.basemaps.iter().cloned().chain(map.basemaps).collect();
        crate::edit::Edit::SetBasemaps { basemaps }.apply(&mut plan).map_err(|e| format!("{}: {e}", shown(file)))?;
    }
    let written = crate::export::run(&plan, &req).map_err(|e| format!("{}: {e}", out.display()))?;
    dispose(plan);
    Ok(match written {
        Written::File => format!("wrote {}\n", out.display()),
        Written::Pages(n) => format!("wrote {} ({n} page{})\n", out.display(), if n == 1 { "" } else { "s" }),
        Written::Items(n) => format!("wrote {} ({n} items)\n", out.display()),
        Written::Years(n) => format!("wrote {} ({n} years)\n", out.display()),
        Written::Plan { features, items } => {
            format!("wrote {} ({features} features, {items} items{left_out})\n", out.display())
        }
        Written::Reprojected { features, crs } => {
            format!("wrote {} ({features} features in {}{left_out}){default_note}\n", out.display(), crs.code())
        }
        Written::Register { households, matters } => {
            format!("wrote {} ({households} households, {matters} matters; no personal data)\n", out.display())
        }
        Written::Shapefile { features, sets } => format!(
            "wrote {} ({features} features in {sets} shapefile{}, {})\n",
            out.display(),
            if sets == 1 { "" } else { "s" },
            map.to_crs.unwrap_or(Crs::Wgs84).code()
        ),
    })
}

/// Runs `consent import PLAN REGISTER`: the register read into the plan file, saved atomically
/// only when every row is good; returns the line to print, or the one-line error.
pub fn consent_import(plan_path: &Path, register: &Path) -> Result<String, String> {
    let ext = plan_path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let at = |e: &dyn std::fmt::Display| format!("{}: {e}", plan_path.display());
    let gpkg = match ext.as_str() {
        "gpkg" => true,
        "geojson" | "json" => false,
        _ => return Err(at(&"consent import writes into a plan file: .gpkg or plan .geojson")),
    };
    if gpkg && !io::gpkg::is_plan(plan_path).map_err(|e| at(&e))? {
        return Err(at(&"not a Renewal Planner plan file (a GeoPackage without the plan's rp_* tables); \
                        open it in the window and save it as a plan first"));
    }
    let bytes = std::fs::read(register).map_err(|e| format!("{}: cannot read the file: {e}", register.display()))?;
    let rows = io::register::read(&bytes).map_err(|e| format!("{}: {e}", register.display()))?;
    let loaded = io::load_path(plan_path).map_err(|e| at(&e))?;
    if !gpkg {
        let gzip = std::fs::read(plan_path).map(|b| b.starts_with(&[0x1f, 0x8b])).unwrap_or(false);
        if gzip {
            return Err(at(&"a compressed plan cannot be written back; give the plan file (.gpkg or .geojson)"));
        }
        if let Some(c) = loaded.crs.filter(|c| *c != Crs::Wgs84) {
            return Err(at(&format!(
                "its coordinates are in {}; writing it back would change them to WGS 84, so it is left alone; save it \
                 as a plan (.gpkg) first",
                c.code()
            )));
        }
    }
    // A row or feature read with a warning is not in the plan as loaded: writing it back would lose it.
    if let Some(w) = loaded.warnings.first() {
        return Err(at(&format!(
            "reading it gave {} warning(s) (first: {w}); writing it back would not keep it as it is, so it is left \
             alone; {}",
            loaded.warnings.len(),
            if gpkg {
                "open it in the window, see what the warnings name and save it there first"
            } else {
                "save it as a plan (.gpkg) in the window first"
            }
        )));
    }
    let mut plan = loaded.plan;
    let today = crate::model::item::today();
    let (consent, done) = io::register::import(&plan.consent, &rows, |b| plan.by_key(b).is_some(), &today)
        .map_err(|e| format!("{}: {e}", register.display()))?;
    let counts = format!("{} households, {} matter columns", done.households, done.matters);
    if done.is_nothing() {
        return Ok(format!("{}: nothing changed ({counts}); the plan file is left as it was\n", plan_path.display()));
    }
    let edit =
        crate::edit::Edit::SetConsent { consent: Box::new(consent), label: crate::edit::EditLabel::ImportRegister };
    edit.apply(&mut plan).map_err(|e| at(&e))?;
    io::save_path(&plan, plan_path).map_err(|e| at(&e))?;
    Ok(format!(
        "{}: {} households added, {} changed, {} removed; {} votes set ({counts})\n",
        plan_path.display(),
        done.added,
        done.changed,
        done.removed,
        done.votes_set
    ))
}

/// A file or database location as messages show it: a database's without its password.
pub fn shown(file: &Path) -> String {
    if io::postgis::is_uri(file) { io::postgis::redact(&file.to_string_lossy()) } else { file.display().to_string() }
}

/// Runs a database operation, asking for the password on the terminal when
/// the server wants one that neither the URI nor ~/.pgpass gives.
fn with_password<T>(
    at: &io::postgis::Location,
    mut work: impl FnMut(Option<&str>) -> Result<T, io::LoadError>,
) -> Result<T, io::LoadError> {
    match work(None) {
        Err(io::LoadError::Database(io::postgis::DbError::NeedsPassword { .. }))
            if std::io::IsTerminal::is_terminal(&std::io::stdin()) =>
        {
            let password = crate::cli::password::ask(&format!("Password for {} on {}: ", at.user(), at.server()))
                .map_err(io::LoadError::Io)?;
            work(Some(&password))
        }
        r => r,
    }
}

/// `export FILE -o postgresql://…?plan=NAME [--replace]`: the whole plan published in one transaction.
fn publish(file: &Path, out: &Path, story: Option<&str>, map: MapArgs) -> Result<String, String> {
    let at = io::postgis::Location::parse(&out.to_string_lossy()).map_err(|e| e.to_string())?;
    let what_only = [
        ("--story", story.is_some()),
        ("--atlas", map.atlas),
        ("--consent", map.consent),
        ("--notice", map.notice.is_some()),
        ("--operations", map.operations),
        ("--phase", map.phase.is_some()),
        ("--at", map.at.is_some()),
        ("--size", map.size.is_some()),
        ("--paper", map.paper.is_some()),
        ("--to-crs", map.to_crs.is_some()),
    ];
    if let Some((flag, _)) = what_only.iter().find(|(_, given)| *given) {
        return Err(format!("{flag}: a database plan is the whole plan, as a plan file is; {at} takes no {flag}"));
    }
    let mut plan = load_for_cli(file, map.crs, map.columns)?.plan;
    if !map.basemaps.is_empty() {
        let basemaps = plan.basemaps.iter().cloned().chain(map.basemaps).collect();
        crate::edit::Edit::SetBasemaps { basemaps }.apply(&mut plan).map_err(|e| format!("{}: {e}", shown(file)))?;
    }
    let replace = map.replace;
    let done = with_password(&at, |password| {
        let how = io::postgis::Publish { replace, password, ..Default::default() };
        io::postgis::publish(&plan, &at, &how).map_err(Into::into)
    })
    .map_err(|e| format!("{at}: {e}"))?;
    let mut line = format!(
        "published {} to {at} ({} features, {} items, {} rows{})",
        shown(file),
        plan.iter().count(),
        plan.items.len(),
        done.rows,
        if done.replaced { "; the plan that was there is replaced" } else { "" }
    );
    for note in &done.notes {
        line.push_str("; ");
        line.push_str(note);
    }
    line.push('\n');
    Ok(line)
}

/// Reading a password on the terminal without showing it.
pub mod password {
    /// Asks on stderr and reads one line from the terminal with echo off.
    pub fn ask(prompt: &str) -> std::io::Result<String> {
        use std::io::{BufRead, Write};
        // Echo off before the prompt shows: a password typed (or pasted) at once is never echoed.
        let _echo = EchoOff::new();
        eprint!("{prompt}");
        std::io::stderr().flush()?;
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        eprintln!();
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }

    /// The terminal's echo turned off until dropped.
    struct EchoOff(Option<libc::termios>);

    impl EchoOff {
        fn new() -> EchoOff {
            // SAFETY: tcgetattr/tcsetattr on stdin with a termios value the call fills in.
            unsafe {
                let mut t: libc::termios = std::mem::zeroed();
                if libc::tcgetattr(libc::STDIN_FILENO, &mut t) != 0 {
                    return EchoOff(None);
                }
                let old = t;
                t.c_lflag &= !libc::ECHO;
                t.c_lflag |= libc::ECHONL;
                if libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &t) != 0 {
                    return EchoOff(None);
                }
                EchoOff(Some(old))
            }
        }
    }

    impl Drop for EchoOff {
        fn drop(&mut self) {
            if let Some(old) = self.0 {
                // SAFETY: restores the settings tcgetattr gave.
                unsafe {
                    libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &old);
                }
            }
        }
    }
}

/// Loads a file for the command line; `jinsong` means the embedded plan.
/// `columns`: a table of points' x and y columns (`--columns`).
pub fn load_for_cli(file: &Path, crs: Option<Crs>, columns: Option<(&str, &str)>) -> Result<Loaded, String> {
    if file.as_os_str() == "jinsong" && !file.exists() {
        return Ok(io::load_jinsong());
    }
    if io::postgis::is_uri(file) {
        let at = io::postgis::Location::parse(&file.to_string_lossy()).map_err(|e| e.to_string())?;
        return with_password(&at, |password| Ok(io::postgis::load(&at, password)?.loaded))
            .map_err(|e| format!("{at}: {e}"));
    }
    let columns = columns.map(|(x, y)| io::table::Columns::Named(x, y));
    io::load_path_with(file, &io::ReadOptions { crs, columns, ..Default::default() })
        .map_err(|e| format!("{}: {e}", shown(file)))
}

/// Set by the command-line binary before it runs its one command.
static EXITS_AFTER: AtomicBool = AtomicBool::new(false);

/// Tells the commands that the process ends when the command does, so the
/// plan a command read is left for the operating system to take back with
/// the process, not freed a feature at a time (a million features took
/// 0.1–0.3 s to free). Only `main` says so; tests and the window free as usual.
pub fn exit_after_command() {
    EXITS_AFTER.store(true, Ordering::Relaxed);
}

/// Frees `value` now, unless the process is about to end ([`exit_after_command`]).
fn dispose<T>(value: T) {
    if EXITS_AFTER.load(Ordering::Relaxed) {
        std::mem::forget(value);
    }
}

/// Runs `info`; returns what to print on stdout, or the one-line error.
pub fn info(
    file: &Path,
    json: bool,
    phase: Option<&str>,
    at: Option<&str>,
    crs: Option<Crs>,
    columns: Option<(&str, &str)>,
) -> Result<String, String> {
    let phase = match (phase, at) {
        (_, Some(d)) => Some(
            Phase::parse(d)
                .filter(|p| matches!(p, Phase::AsOf(_)))
                .ok_or_else(|| format!("--at {d}: not a date (YYYY-MM-DD)"))?,
        ),
        (Some(p), None) => Some(Phase::parse(p).ok_or_else(|| format!("--phase {p}: use before or after"))?),
        (None, None) => None,
    };
    let loaded = load_for_cli(file, crs, columns)?;
    let warnings: Vec<String> = loaded.warnings.iter().map(|w| w.to_string()).collect();
    let mut summary = Summary::of_phase(&loaded.plan, &warnings, phase.as_ref());
    summary.source_crs = loaded.crs.map(|c| c.label());
    dispose(loaded);
    if json {
        serde_json::to_string_pretty(&summary).map(|s| s + "\n").map_err(|e| format!("{}: {e}", shown(file)))
    } else {
        let source = if file.as_os_str() == "jinsong" && !file.exists() {
            "jinsong (embedded)".to_string()
        } else {
            shown(file).to_string()
        };
        Ok(summary.to_text(&source))
    }
}

/// Runs `tiles`: fetches the tiles of `source` (a URL template or a preset)
/// covering `bbox` at `zoom` into the cache kept in `home`. Prints the
/// estimate and progress to `out`; returns the last line, or the one-line error.
pub fn tiles(
    source: &str,
    bbox: &str,
    zoom: &str,
    limit: usize,
    home: &Path,
    out: &mut dyn std::io::Write,
) -> Result<String, String> {
    use crate::basemap::{Settings, presets, xyz};
    use crate::model::basemaps::{Basemap, SourceKind};
    let nums: Vec<f64> = bbox.split(',').map(|v| v.trim().parse::<f64>()).collect::<Result<_, _>>().map_err(|_| {
        format!("--bbox {bbox}: give west,south,east,north in degrees, e.g. 116.455,39.884,116.466,39.891")
    })?;
    let [w, s, e, n] = nums[..] else {
        return Err(format!("--bbox {bbox}: give four numbers, west,south,east,north"));
    };
    let (a, b) = zoom.split_once('-').unwrap_or((zoom, zoom));
    let zooms = match (a.trim().parse::<u8>(), b.trim().parse::<u8>()) {
        (Ok(a), Ok(b)) if a <= b => a..=b,
        _ => return Err(format!("--zoom {zoom}: give a zoom range such as 15-18")),
    };
    let basemaps = match presets::preset(source) {
        Some(p) => p.basemaps,
        None if crate::model::basemaps::source_kind(source) == SourceKind::Xyz => vec![Basemap::new(source)],
        None => {
            let ids: Vec<&str> = presets::presets().iter().map(|p| p.id).collect();
            return Err(format!(
                "{source}: not a tile URL (https://…/{{z}}/{{x}}/{{y}}.png) nor a preset ({})",
                ids.join(", ")
            ));
        }
    };
    let settings = Settings::load(home);
    let mut total = xyz::Prefetched::default();
    for b in &basemaps {
        let estimate = xyz::estimate([w, s, e, n], zooms.clone()).map_err(|e| format!("{source}: {e}"))?;
        let _ = writeln!(out, "{}: {estimate} tiles at zoom {}-{}", b.name, zooms.start(), zooms.end());
        let mut shown = 0;
        let mut progress = |done: usize, of: usize| {
            // About every tenth, and the end: a line a step, not a line a tile.
            let step = (done * 10).checked_div(of).unwrap_or(10);
            if step > shown || done == of {
                shown = step.max(shown + 1);
                let _ = writeln!(out, "  {done}/{of}");
            }
        };
        let done =
            xyz::prefetch(b, &settings, [w, s, e, n], zooms.clone(), limit, &mut progress).map_err(|e| match e {
                xyz::PrefetchError::Source(crate::basemap::BasemapError::NeedsKey(service)) => format!(
                    "{}: needs a key for {service}; put it in {} as {{\"keys\": {{\"{service}\": \"…\"}}}}",
                    b.name,
                    home.join("basemaps.json").display()
                ),
                e => format!("{}: {e}", b.name),
            })?;
        total.estimate += done.estimate;
        total.fetched += done.fetched;
        total.cached += done.cached;
        total.missing += done.missing;
    }
    Ok(format!(
        "kept {} tiles offline in {} ({} fetched, {} already cached, {} not on the server)\n",
        total.estimate,
        settings.tile_cache().display(),
        total.fetched,
        total.cached,
        total.missing
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn export_to(out: &str, map: MapArgs) -> Result<String, String> {
        // A file that is not there: a refusal that comes before reading it says so, not "not found".
        let dir = tempfile::tempdir().expect("a folder");
        export(&dir.path().join("无此文件.geojson"), &dir.path().join(out), None, "zh", map)
    }

    #[test]
    fn a_drawing_in_degrees_is_refused_before_the_file_is_read_with_the_flag_to_use() {
        let e = export_to("d.dxf", MapArgs { to_crs: Some(Crs::Wgs84), ..Default::default() }).expect_err("refused");
        assert!(e.starts_with("--to-crs OGC:CRS84: CAD drawings need a projected system in metres"), "{e}");
        assert!(e.contains("--to-crs EPSG:4527") && !e.contains("无此文件"), "{e}");
    }

    #[test]
    fn gis_data_shapefiles_and_drawings_take_one_phase_parsed_alike() {
        for (out, what) in
            [("a.geojson", "GIS data"), ("a.shp", "GIS data"), ("a.zip", "GIS data"), ("a.dxf", "a drawing")]
        {
            let e = export_to(out, MapArgs { phase: Some("compare"), ..Default::default() }).expect_err("refused");
            assert_eq!(e, format!("--phase compare: {what} is of one phase, before or after"), "{out}");
            let e = export_to(out, MapArgs { at: Some("2020-13-45"), ..Default::default() }).expect_err("refused");
            assert_eq!(e, "--at 2020-13-45: not a date (YYYY-MM-DD)", "{out}");
            // A good phase goes on to read the file.
            let e = export_to(out, MapArgs { phase: Some("before"), ..Default::default() }).expect_err("no file");
            assert!(e.contains("无此文件.geojson"), "{out}: {e}");
        }
    }
}
