//! The layers hold: the model and the strings know nothing above them.
//!
//! `model` (the plan) and `i18n` (the words) are the floor every other module
//! stands on, so they may not name `io`, `render`, `document`, `ui` or `cli` —
//! not in code, not in their unit tests; and `i18n` stands on `model`, so the
//! model may not name `i18n` (nor `export`). The check reads the source text, so it
//! holds for the `gui` build and the `--no-default-features` build alike.
//! Comments and string literals are not code and are not checked.
//!
//! `basemap` (reading basemap tiles and images) stands on the model and `io`.
//!
//! Above the floor, `io` (reading and writing plans and data) stands on the
//! model alone: it may not name `render`, `i18n`, `export`, `ui`, `document`
//! or `cli`. `render` (the scene the screen and exports draw) may not name
//! `io`, `export`, `ui`, `cli` or `document`: opening a document is
//! `document`'s, and exports draw from the scene in `export`.

use std::path::{Path, PathBuf};

/// The modules the floor may not import.
const ABOVE: [&str; 6] = ["io", "basemap", "render", "document", "ui", "cli"];

/// One path into a forbidden module: the line (1-based) and what it names.
#[derive(Debug, PartialEq)]
struct Offence {
    line: usize,
    module: String,
}

/// The source with comments and string and char literals blanked out
/// (newlines kept, so line numbers stay true).
fn code_only(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let blank = |out: &mut String, ch: char| out.push(if ch == '\n' { '\n' } else { ' ' });
    let mut i = 0;
    while i < c.len() {
        let next = c.get(i + 1).copied();
        if c[i] == '/' && next == Some('/') {
            while i < c.len() && c[i] != '\n' {
                blank(&mut out, c[i]);
                i += 1;
            }
        } else if c[i] == '/' && next == Some('*') {
            let mut depth = 0usize;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, c[i]);
                    i += 1;
                }
            }
        } else if c[i] == 'r'
            && (next == Some('"') || next == Some('#'))
            && (i == 0 || !(c[i - 1].is_alphanumeric() || c[i - 1] == '_'))
        {
            // A raw string r"…", r#"…"#: ends at a quote followed by as many hashes.
            let mut j = i + 1;
            while c.get(j) == Some(&'#') {
                j += 1;
            }
            if c.get(j) != Some(&'"') {
                out.push(c[i]);
                i += 1;
                continue;
            }
            let hashes = j - i - 1;
            let mut k = j + 1;
            while k < c.len() && !(c[k] == '"' && (1..=hashes).all(|h| c.get(k + h) == Some(&'#'))) {
                k += 1;
            }
            let end = (k + 1 + hashes).min(c.len());
            for ch in &c[i..end] {
                blank(&mut out, *ch);
            }
            i = end;
        } else if c[i] == '"' {
            blank(&mut out, c[i]);
            i += 1;
            while i < c.len() && c[i] != '"' {
                let skip = if c[i] == '\\' { 2 } else { 1 };
                for ch in &c[i..(i + skip).min(c.len())] {
                    blank(&mut out, *ch);
                }
                i += skip;
            }
            if i < c.len() {
                blank(&mut out, c[i]);
                i += 1;
            }
        } else if c[i] == '\'' && (next == Some('\\') || c.get(i + 2) == Some(&'\'')) {
            // A char literal ('a', '\n', '\''); a lifetime ('a) has no closing quote.
            let mut k = i + if next == Some('\\') { 3 } else { 2 };
            while k < c.len() && c[k] != '\'' {
                k += 1;
            }
            let end = (k + 1).min(c.len());
            for ch in &c[i..end] {
                blank(&mut out, *ch);
            }
            i = end;
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

#[derive(Debug, PartialEq)]
enum Token {
    Ident(String),
    PathSep,
    Open,
    Close,
    Comma,
    Other,
}

/// Identifiers and the punctuation of paths, each with its line.
fn tokens(code: &str) -> Vec<(usize, Token)> {
    let c: Vec<char> = code.chars().collect();
    let (mut out, mut line, mut i) = (Vec::new(), 1, 0);
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch.is_alphabetic() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            out.push((line, Token::Ident(c[start..i].iter().collect())));
        } else if ch == ':' && c.get(i + 1) == Some(&':') {
            out.push((line, Token::PathSep));
            i += 2;
        } else {
            out.push((
                line,
                match ch {
                    '{' => Token::Open,
                    '}' => Token::Close,
                    ',' => Token::Comma,
                    _ => Token::Other,
                },
            ));
            i += 1;
        }
    }
    out
}

fn ident(t: Option<&(usize, Token)>, name: &str) -> bool {
    matches!(t, Some((_, Token::Ident(s))) if s == name)
}

/// Every path in `code` that starts at the crate root (`crate::`, or one or
/// more `super::` — from the model there is no other module of these names to
/// reach) and names a module above the floor, directly or inside a
/// `{…}` group (`crate::{model::Kind, io::Loaded}`).
fn offences(code: &str) -> Vec<Offence> {
    offences_of(code, &ABOVE)
}

/// Every path in `code` from the crate root into one of the modules `above`.
fn offences_of(code: &str, above: &[&str]) -> Vec<Offence> {
    let t = tokens(code);
    let mut found = Vec::new();
    let mut i = 0;
    while i < t.len() {
        let after_sep = i > 0 && t[i - 1].1 == Token::PathSep;
        let rooted = !after_sep && (ident(t.get(i), "crate") || ident(t.get(i), "super"));
        if !rooted {
            i += 1;
            continue;
        }
        // Past the root: crate:: or super::super::…
        let mut j = i + 1;
        while t.get(j).map(|x| &x.1) == Some(&Token::PathSep) && ident(t.get(j + 1), "super") {
            j += 2;
        }
        if t.get(j).map(|x| &x.1) != Some(&Token::PathSep) {
            i = j;
            continue;
        }
        j += 1;
        let mut check = |k: usize| {
            if let Some((line, Token::Ident(name))) = t.get(k)
                && above.contains(&name.as_str())
            {
                found.push(Offence { line: *line, module: name.clone() });
            }
        };
        match t.get(j).map(|x| &x.1) {
            Some(Token::Open) => {
                // The first segment of each element at the group's top level.
                let mut depth = 0usize;
                let mut first = true;
                let mut k = j;
                while k < t.len() {
                    match &t[k].1 {
                        Token::Open => {
                            depth += 1;
                            if depth == 1 {
                                first = true;
                            }
                        }
                        Token::Close => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        Token::Comma if depth == 1 => first = true,
                        Token::Ident(_) if depth == 1 && first => {
                            check(k);
                            first = false;
                        }
                        _ => {}
                    }
                    k += 1;
                }
                i = k;
            }
            _ => {
                check(j);
                i = j;
            }
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir).expect("the source folder is readable").map(|e| e.expect("an entry").path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The lines of `files` that name one of the modules `above`, as `file:line: uses `m`: text`.
fn report(files: &[PathBuf], above: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut report = Vec::new();
    for f in files {
        let src = std::fs::read_to_string(f).expect("a source file is readable");
        let lines: Vec<&str> = src.lines().collect();
        for o in offences_of(&code_only(&src), above) {
            let rel = f.strip_prefix(root).unwrap_or(f).display();
            report.push(format!("{rel}:{}: uses `{}`: {}", o.line, o.module, lines[o.line - 1].trim()));
        }
    }
    report
}

/// The `.rs` files under `src/<dir>`.
fn files_under(dir: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(dir), &mut files);
    files
}

#[test]
fn io_reads_and_writes_on_the_model_alone() {
    const FORBIDDEN: [&str; 7] = ["basemap", "render", "i18n", "export", "ui", "document", "cli"];
    let files = files_under("io");
    assert!(files.len() > 5 && files.iter().any(|f| f.ends_with("io/gpkg.rs")), "the io files are found: {files:?}");
    let report = report(&files, &FORBIDDEN);
    assert!(report.is_empty(), "io must not import {}:\n{}", FORBIDDEN.join(", "), report.join("\n"));
}

#[test]
fn basemaps_are_read_on_the_model_and_io_alone() {
    const FORBIDDEN: [&str; 6] = ["render", "i18n", "export", "ui", "document", "cli"];
    let files = files_under("basemap");
    assert!(files.iter().any(|f| f.ends_with("basemap/pyramid.rs")), "the basemap files are found: {files:?}");
    let report = report(&files, &FORBIDDEN);
    assert!(report.is_empty(), "basemap must not import {}:\n{}", FORBIDDEN.join(", "), report.join("\n"));
}

#[test]
fn render_draws_without_io_documents_exports_or_the_window() {
    const FORBIDDEN: [&str; 5] = ["io", "export", "ui", "cli", "document"];
    let files = files_under("render");
    assert!(
        files.len() > 5 && files.iter().any(|f| f.ends_with("render/scene.rs")),
        "the render files are found: {files:?}"
    );
    let report = report(&files, &FORBIDDEN);
    assert!(report.is_empty(), "render must not import {}:\n{}", FORBIDDEN.join(", "), report.join("\n"));
}

#[test]
fn a_rule_above_the_floor_catches_what_it_forbids_and_lets_the_rest_pass() {
    let src = "use crate::model::Plan;\nuse super::wkb;\nuse crate::render::style::kind_style;\nfn f() { crate::i18n::ZH; }\nuse crate::{error::SaveError, export::map};\n";
    let io: Vec<(usize, String)> = offences_of(&code_only(src), &["render", "i18n", "export", "ui", "document", "cli"])
        .into_iter()
        .map(|o| (o.line, o.module))
        .collect();
    assert_eq!(io, [(3, "render".to_string()), (4, "i18n".into()), (5, "export".into())]);
    let render: Vec<String> = offences_of(&code_only(src), &["io", "export", "ui", "cli", "document"])
        .into_iter()
        .map(|o| o.module)
        .collect();
    assert_eq!(render, ["export"]);
}

#[test]
fn the_model_and_the_strings_import_nothing_from_the_layers_above() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src/model"), &mut files);
    files.push(root.join("src/i18n.rs"));
    assert!(files.len() > 10, "the model's files are found: {files:?}");
    let mut report = Vec::new();
    for f in &files {
        let src = std::fs::read_to_string(f).expect("a source file is readable");
        let lines: Vec<&str> = src.lines().collect();
        for o in offences(&code_only(&src)) {
            let rel = f.strip_prefix(root).unwrap_or(f).display();
            report.push(format!("{rel}:{}: uses `{}`: {}", o.line, o.module, lines[o.line - 1].trim()));
        }
    }
    assert!(
        report.is_empty(),
        "model and i18n must not import io, render, document, ui or cli:\n{}",
        report.join("\n")
    );
}

/// The model names no interface strings either: wording in the interface
/// language belongs to `i18n`, which stands on the model (a model that used
/// `i18n` would close a circle, and `io` would reach the strings through it).
#[test]
fn the_model_does_not_word_itself_through_the_strings() {
    const FORBIDDEN: [&str; 2] = ["i18n", "export"];
    let files = files_under("model");
    assert!(files.len() > 10, "the model's files are found: {files:?}");
    let report = report(&files, &FORBIDDEN);
    assert!(report.is_empty(), "model must not import {}:\n{}", FORBIDDEN.join(", "), report.join("\n"));
}

#[test]
fn every_way_of_naming_a_module_above_is_caught() {
    let src = r##"use crate::io::stream::value_extent;
use crate::model::Kind;
use super::super::render::theme::ThemeMode;
use super::Plan;
use crate::{
    model::Feature,
    document::{Document, Source},
};
fn f() -> crate::ui::Action { super::super::super::cli::run() }
let s = "crate::io is only text";
// use crate::render::Scene; is a comment
/* and crate::cli in a block */
let c = '"'; let life: &'static str = "x"; use crate::document::Document;
let r = r#"crate::ui"#;
use crate::edit::EditLabel; use crate::model::iota;
"##;
    let found: Vec<(usize, String)> = offences(&code_only(src)).into_iter().map(|o| (o.line, o.module)).collect();
    assert_eq!(
        found,
        [
            (1, "io".to_string()),
            (3, "render".into()),
            (7, "document".into()),
            (9, "ui".into()),
            (9, "cli".into()),
            (13, "document".into()),
        ]
    );
}
