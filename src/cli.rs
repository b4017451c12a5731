//! The command line: `renewal-planner [FILE]` and `renewal-planner info FILE [--json]`.
//! Every failure is one line naming the file and the place of the fault.

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};

use crate::io::{self, Loaded};
use crate::model::{Phase, Summary};

/// Renewal Planner — plan the renewal of old residential communities (老旧小区改造).
#[derive(Parser, Debug)]
#[command(name = "renewal-planner", version, about, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// A GeoJSON file to open (default: the embedded Jinsong plan).
    pub file: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print a summary of a plan: features by kind, area, extent, building totals.
    Info {
        /// A GeoJSON file, or the word `jinsong` for the embedded plan.
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
    },
}

/// Loads a file for the command line; `jinsong` means the embedded plan.
pub fn load_for_cli(file: &Path) -> Result<Loaded, String> {
    if file.as_os_str() == "jinsong" && !file.exists() {
        return Ok(io::load_jinsong());
    }
    io::load_path(file).map_err(|e| format!("{}: {e}", file.display()))
}

/// Runs `info`; returns what to print on stdout, or the one-line error.
pub fn info(file: &Path, json: bool, phase: Option<&str>, at: Option<&str>) -> Result<String, String> {
    let phase = match (phase, at) {
        (_, Some(d)) => Some(
            Phase::parse(d)
                .filter(|p| matches!(p, Phase::AsOf(_)))
                .ok_or_else(|| format!("--at {d}: not a date (YYYY-MM-DD)"))?,
        ),
        (Some(p), None) => Some(Phase::parse(p).ok_or_else(|| format!("--phase {p}: use before or after"))?),
        (None, None) => None,
    };
    let loaded = load_for_cli(file)?;
    let warnings: Vec<String> = loaded.warnings.iter().map(|w| w.to_string()).collect();
    let summary = Summary::of_phase(&loaded.plan, &warnings, phase.as_ref());
    if json {
        serde_json::to_string_pretty(&summary).map(|s| s + "\n").map_err(|e| format!("{}: {e}", file.display()))
    } else {
        let source = if file.as_os_str() == "jinsong" && !file.exists() {
            "jinsong (embedded)".to_string()
        } else {
            file.display().to_string()
        };
        Ok(summary.to_text(&source))
    }
}
