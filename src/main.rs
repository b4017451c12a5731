//! `renewal-planner`: the desktop app, and the command line for scripts.

use std::process::ExitCode;

/// Loading a big district allocates millions of small values on several
/// threads; mimalloc does that far faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{CommandFactory, FromArgMatches};
use renewal_planner::cli::{self, Cli, Command};

fn main() -> ExitCode {
    // A panic is a bug; if one happens anyway, say so in one line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let place = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        eprintln!("renewal-planner: internal error (a bug, please report it): {msg}{place}");
    }));

    // Parsed through the matches, which also know where each `--basemap` option stands.
    let matches = Cli::command().get_matches();
    let args = match Cli::from_arg_matches(&matches) {
        Ok(a) => a,
        Err(e) => e.exit(),
    };
    if args.command.is_some() {
        cli::exit_after_command();
    }
    match args.command {
        Some(Command::Info { file, json, phase, at, columns }) => {
            let columns = columns.as_ref().map(|(x, y)| (x.as_str(), y.as_str()));
            finish(cli::info(&file, json, phase.as_deref(), at.as_deref(), args.crs, columns))
        }
        Some(Command::Export {
            file,
            out,
            story,
            lang,
            phase,
            at,
            size,
            paper,
            landscape,
            portrait,
            date,
            theme,
            matter,
            atlas,
            sites,
            to_crs,
            columns,
            consent,
            notice,
            operations,
            revenue_scale,
            subsidy_scale,
            replace,
            ..
        }) => {
            let basemaps = match matches.subcommand_matches("export").map(cli::basemap_args).transpose() {
                Ok(b) => b.unwrap_or_default(),
                Err(e) => {
                    eprintln!("renewal-planner: {e}");
                    return ExitCode::FAILURE;
                }
            };
            finish(cli::export(
                &file,
                &out,
                story.as_deref(),
                &lang,
                cli::MapArgs {
                    phase: phase.as_deref(),
                    at: at.as_deref(),
                    size: size.as_deref(),
                    paper: paper.as_deref(),
                    landscape: if landscape {
                        Some(true)
                    } else if portrait {
                        Some(false)
                    } else {
                        None
                    },
                    date: date.as_deref(),
                    atlas,
                    theme: &theme,
                    matter: matter.as_deref(),
                    sites: &sites,
                    crs: args.crs,
                    columns: columns.as_ref().map(|(x, y)| (x.as_str(), y.as_str())),
                    to_crs,
                    basemaps,
                    consent,
                    notice: notice.as_deref(),
                    operations,
                    revenue_scale: revenue_scale.as_deref(),
                    subsidy_scale: subsidy_scale.as_deref(),
                    replace,
                },
            ))
        }
        Some(Command::Consent { command: cli::ConsentCommand::Import { plan, register } }) => {
            finish(cli::consent_import(&plan, &register))
        }
        Some(Command::Tiles { source, bbox, zoom, limit }) => {
            let home = renewal_planner::session::data_dir();
            finish(cli::tiles(&source, &bbox, &zoom, limit, &home, &mut std::io::stdout()))
        }
        None => run_app(args.file, args.crs),
    }
}

#[cfg(feature = "gui")]
fn run_app(file: Option<std::path::PathBuf>, crs: Option<renewal_planner::io::crs::Crs>) -> ExitCode {
    match renewal_planner::ui::run(file, crs) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("renewal-planner: cannot open the window: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(not(feature = "gui"))]
fn run_app(_file: Option<std::path::PathBuf>, _crs: Option<renewal_planner::io::crs::Crs>) -> ExitCode {
    eprintln!("renewal-planner: built without the window (feature `gui`); use `renewal-planner info FILE`");
    ExitCode::FAILURE
}

/// What a command printed, or its one-line failure on stderr and exit code 1.
fn finish(result: Result<String, String>) -> ExitCode {
    match result {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("renewal-planner: {e}");
            ExitCode::FAILURE
        }
    }
}
