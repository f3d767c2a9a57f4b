//! The architecture of Undersigned, checked.
//!
//! This file is the living description of the layering of the crate's top-level
//! modules. `LAYERS` lists them from the bottom of the stack to the top; a module may
//! use (`crate::x`, in Rust code or in its askama templates) only modules on a lower
//! layer. Modules on the same layer may not use each other, so the graph stays acyclic
//! and every area can be read, tested and changed knowing only what lies beneath it.
//!
//! When a test here fails, the fix is usually to move code down to where both users
//! can reach it (a shared type into `web` or `tenancy`, a query into the store of the
//! area that owns the table), or to invert the call (the upper module passes a value
//! or a callback down). Change the table with a design reason, not to silence it —
//! and keep the README's "A tour of the code" in the same order.
//!
//! The tests also keep a few privileged constructors where they belong: a `TenantId`
//! proves that the current user is a member of that tenant, so only the membership
//! check in `src/tenancy.rs` may make one (see `PRIVILEGED_CALLS`).
//!
//! Only the standard library is used, so this file also builds on its own:
//! `rustc --edition 2021 --test tests/architecture.rs -o /tmp/archtest && /tmp/archtest`
//! (run from the repository root).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The top-level modules, bottom layer first; the index is the rank.
const LAYERS: &[&[&str]] = &[
    &["clock", "tokens"],     // shared pieces with no dependencies
    &["config"],              // settings from the environment
    &["error", "db"],         // the error type; the database pool and migrations
    &["state"],               // AppState
    &["web"],                 // extractors, CSRF, sessions, layout, forms, error pages
    &["tenancy"],             // TenantId, Role, the membership extractor
    &["mail"],                // outbox, worker, transports; knows no product area
    &["auth"],                // accounts, login, password reset
    &["tenants"],             // groups, members, team invitations
    &["signatures"],          // signatures, their state machine and events, referrals, names, CSV
    &["campaigns"],           // campaigns, letters, the organizer's campaign pages
    &["statements"],          // statements in their own words from organizations that did not sign
    &["signing"],             // the public sign-on pages
    &["outreach"],            // prospects, asks, follow-ups, deadline emails (opens the sign form)
    &["erasure"],             // a signer's data download and erasure, over every area's `forget`
    &["app", "demo", "jobs"], // router assembly, the demo loader, the app-wide tick
];

/// Calls that only some files may write, with the files that may.
///
/// `TenantId(…)` is the proof that the user is a member of that tenant: every store
/// function trusts it to scope its queries, so only the membership check may make one.
/// `PublicTenantId::found_by_public_url` makes a tenant id from a public URL, which
/// proves nothing about the visitor; it is for reading what the public page shows.
const PRIVILEGED_CALLS: &[(&str, &[&str])] = &[
    ("TenantId(", &["src/tenancy.rs"]),
    (
        "TenantId::for_scheduled_job(",
        &["src/tenancy.rs", "src/campaigns/reissue.rs"],
    ),
    (
        "PublicTenantId::found_by_public_url(",
        &["src/tenancy.rs", "src/campaigns/store.rs"],
    ),
];

/// The files that belong to no module: the crate root (module declarations only) and
/// the binary (which sees the crate from outside, as `undersigned::…`).
const CRATE_ROOTS: &[&str] = &["lib", "main"];

#[test]
fn modules_use_only_lower_layers() {
    let root = repo_root();
    let mut violations = Vec::new();

    for file in files_under(&root.join("src")) {
        let path = relative(&root, &file);
        if !path.ends_with(".rs") {
            continue;
        }
        // A module missing from LAYERS is reported by `every_module_has_a_layer`.
        let Some(owner) = owner_of_source(&path) else {
            continue;
        };
        let code = mask_rust(&read(&file));
        check_references(&path, &owner, &crate_references(&code), &mut violations);
    }

    // Askama compiles a template into the module of its struct, so a template can
    // reach into other modules through `crate::` paths just like Rust code can.
    for file in files_under(&root.join("templates")) {
        let path = relative(&root, &file);
        let Some(owner) = owner_of_template(&path) else {
            continue;
        };
        let Ok(text) = fs::read_to_string(&file) else {
            continue;
        };
        let code = mask_template(&text);
        check_references(&path, &owner, &crate_references(&code), &mut violations);
    }

    if !violations.is_empty() {
        panic!(
            "\n{} layering violation(s); a module may use only modules on lower layers \
             (LAYERS in tests/architecture.rs):\n{}\n",
            violations.len(),
            violations.join("\n")
        );
    }
}

#[test]
fn every_module_has_a_layer() {
    let root = repo_root();
    let mut modules = BTreeMap::new();

    let lib = root.join("src/lib.rs");
    for name in declared_modules(&mask_rust(&read(&lib))) {
        modules.insert(name, "declared in src/lib.rs".to_string());
    }
    for entry in read_dir_sorted(&root.join("src")) {
        let name = entry.file_name().unwrap().to_string_lossy().into_owned();
        if entry.is_dir() {
            modules
                .entry(name.clone())
                .or_insert(format!("src/{name}/"));
        } else if let Some(stem) = name.strip_suffix(".rs") {
            if !CRATE_ROOTS.contains(&stem) {
                modules
                    .entry(stem.to_string())
                    .or_insert(format!("src/{name}"));
            }
        }
    }

    let missing: Vec<String> = modules
        .iter()
        .filter(|(name, _)| rank(name).is_none())
        .map(|(name, source)| {
            format!(
                "module `{name}` ({source}) has no layer: place it in LAYERS in \
                 tests/architecture.rs, and in the README's tour of the code"
            )
        })
        .collect();
    if !missing.is_empty() {
        panic!("\n{}\n", missing.join("\n"));
    }
}

#[test]
fn every_layered_module_exists() {
    let root = repo_root();
    let stale: Vec<&str> = all_modules()
        .filter(|name| {
            !root.join(format!("src/{name}.rs")).is_file()
                && !root.join(format!("src/{name}")).is_dir()
        })
        .collect();
    assert!(
        stale.is_empty(),
        "LAYERS in tests/architecture.rs names modules with no src/<name>.rs or \
         src/<name>/: {}",
        stale.join(", ")
    );
}

#[test]
fn the_readme_tour_follows_the_layers_from_the_top_down() {
    let root = repo_root();
    let readme = read(&root.join("README.md"));
    let tour = tour_of_the_code(&readme).unwrap_or_else(|problem| panic!("README.md: {problem}"));

    let mut problems = Vec::new();
    let mut previous: Option<(&TourStop, usize)> = None;
    let mut out_of_order_reported = false;
    for stop in &tour {
        let Some(stop_rank) = rank(&stop.module) else {
            problems.push(format!(
                "README.md:{}: `{}` names module `{}`, which has no layer in \
                 tests/architecture.rs",
                stop.line, stop.path, stop.module
            ));
            continue;
        };
        if let Some((before, before_rank)) = previous {
            if stop_rank > before_rank && !out_of_order_reported {
                problems.push(format!(
                    "README.md:{}: `{}` ({}, rank {}) comes after `{}` ({}, rank {}); the \
                     tour goes from the top of the stack down, so ranks may never increase",
                    stop.line,
                    stop.path,
                    stop.module,
                    stop_rank,
                    before.path,
                    before.module,
                    before_rank
                ));
                out_of_order_reported = true;
            }
        }
        previous = Some((stop, stop_rank));
    }

    let toured: BTreeSet<&str> = tour.iter().map(|stop| stop.module.as_str()).collect();
    let untoured: Vec<&str> = all_modules().filter(|m| !toured.contains(m)).collect();
    if !untoured.is_empty() {
        problems.push(format!(
            "README.md: the tour of the code does not mention: {}",
            untoured.join(", ")
        ));
    }

    if !problems.is_empty() {
        panic!("\n{}\n", problems.join("\n"));
    }
}

#[test]
fn privileged_calls_stay_where_they_belong() {
    let root = repo_root();
    let mut violations = Vec::new();
    for file in files_under(&root.join("src")) {
        let path = relative(&root, &file);
        if !path.ends_with(".rs") {
            continue;
        }
        let code = mask_rust(&read(&file));
        for &(pattern, allowed) in PRIVILEGED_CALLS {
            if allowed.contains(&path.as_str()) {
                continue;
            }
            for line in calls_of(&code, pattern) {
                violations.push(format!(
                    "{path}:{line}: `{pattern}…` may be written only in {}",
                    allowed.join(", ")
                ));
            }
        }
    }
    if !violations.is_empty() {
        panic!(
            "\n{}\n(see PRIVILEGED_CALLS in tests/architecture.rs for why)\n",
            violations.join("\n")
        );
    }
}

// ---------------------------------------------------------------------------------
// The layers

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

fn all_modules() -> impl Iterator<Item = &'static str> {
    LAYERS.iter().flat_map(|layer| layer.iter().copied())
}

fn check_references(path: &str, owner: &str, references: &[Reference], out: &mut Vec<String>) {
    let Some(owner_rank) = rank(owner) else {
        return;
    };
    let mut reported = BTreeSet::new();
    for reference in references {
        let target = reference.module.as_str();
        if target == owner || !reported.insert((reference.line, target)) {
            continue;
        }
        match rank(target) {
            Some(target_rank) if target_rank < owner_rank => {}
            Some(target_rank) => {
                let allowed: Vec<&str> = LAYERS[..owner_rank].concat();
                let allowed = if allowed.is_empty() {
                    format!("{owner} may import no other module")
                } else {
                    format!("{owner} may import only: {}", allowed.join(", "))
                };
                out.push(format!(
                    "{path}:{}: {owner} (rank {owner_rank}) imports crate::{target} \
                     (rank {target_rank}); {allowed}",
                    reference.line
                ));
            }
            // src/lib.rs only declares modules, so anything else reached through
            // `crate::` is either an unplaced module or a re-export that would let
            // code step around the layers.
            None => out.push(format!(
                "{path}:{}: {owner} imports crate::{target}, which is not a module in \
                 LAYERS (tests/architecture.rs)",
                reference.line
            )),
        }
    }
}

/// The module a file under src/ belongs to; `None` for the crate roots.
fn owner_of_source(path: &str) -> Option<String> {
    let rest = path.strip_prefix("src/")?;
    match rest.split_once('/') {
        Some((folder, _)) => Some(folder.to_string()),
        None => {
            let stem = rest.strip_suffix(".rs")?;
            (!CRATE_ROOTS.contains(&stem)).then(|| stem.to_string())
        }
    }
}

/// The module a template belongs to: its folder when that names a module, and the
/// shared web layer for the layout and the other top-level templates.
fn owner_of_template(path: &str) -> Option<String> {
    let rest = path.strip_prefix("templates/")?;
    match rest.split_once('/') {
        Some((folder, _)) => rank(folder).map(|_| folder.to_string()),
        None => Some("web".to_string()),
    }
}

// ---------------------------------------------------------------------------------
// Reading source text

#[derive(Debug, PartialEq)]
struct Reference {
    line: usize,
    module: String,
}

/// Blanks out comments, string literals and char literals, keeping every newline so
/// line numbers survive, so that later scans see only code.
fn mask_rust(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let blank = |out: &mut String, c: char| out.push(if c == '\n' { '\n' } else { ' ' });
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                blank(&mut out, chars[i]);
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            // Block comments nest in Rust.
            let mut depth = 0;
            while i < chars.len() {
                let pair = (chars[i], chars.get(i + 1).copied());
                if pair == ('/', Some('*')) {
                    depth += 1;
                } else if pair == ('*', Some('/')) {
                    depth -= 1;
                } else {
                    blank(&mut out, chars[i]);
                    i += 1;
                    continue;
                }
                out.push_str("  ");
                i += 2;
                if depth == 0 {
                    break;
                }
            }
        } else if c == '"' {
            let raw_hashes = raw_string_hashes(&chars, i);
            out.push('"');
            i += 1;
            while i < chars.len() {
                match (chars[i], raw_hashes) {
                    ('"', Some(n)) if (1..=n).all(|k| chars.get(i + k) == Some(&'#')) => break,
                    ('"', None) => break,
                    ('\\', None) => {
                        blank(&mut out, chars[i]);
                        i += 1;
                        if i < chars.len() {
                            blank(&mut out, chars[i]);
                            i += 1;
                        }
                        continue;
                    }
                    _ => {}
                }
                blank(&mut out, chars[i]);
                i += 1;
            }
            if i < chars.len() {
                out.push('"');
                i += 1;
            }
        } else if c == '\'' && next == Some('\\') {
            // An escaped char literal: '\n', '\'', '\u{2019}'.
            out.push_str("'  ");
            i += 3;
            while i < chars.len() && chars[i] != '\'' {
                blank(&mut out, chars[i]);
                i += 1;
            }
            if i < chars.len() {
                out.push('\'');
                i += 1;
            }
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            // A plain char literal like '"'; otherwise the quote starts a lifetime.
            out.push_str("' '");
            i += 3;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// For a `"` at `quote`, the number of `#`s if it opens a raw string (`r"`, `r#"`,
/// `br##"`…), or `None` for an ordinary string.
fn raw_string_hashes(chars: &[char], quote: usize) -> Option<usize> {
    let hashes = chars[..quote]
        .iter()
        .rev()
        .take_while(|&&c| c == '#')
        .count();
    let r = quote.checked_sub(hashes + 1)?;
    if chars[r] != 'r' {
        return None;
    }
    let starts_token = |at: usize| at == 0 || !is_ident_char(chars[at - 1]);
    (starts_token(r) || (r > 0 && chars[r - 1] == 'b' && starts_token(r - 1))).then_some(hashes)
}

/// Blanks out askama comments, `{# … #}`, keeping newlines.
fn mask_template(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{#") {
        out.push_str(&rest[..start]);
        let comment_end = rest[start..]
            .find("#}")
            .map_or(rest.len(), |end| start + end + 2);
        out.extend(
            rest[start..comment_end]
                .chars()
                .map(|c| if c == '\n' { '\n' } else { ' ' }),
        );
        rest = &rest[comment_end..];
    }
    out.push_str(rest);
    out
}

/// The top-level modules named by `crate::x` and `$crate::x` paths in masked code,
/// including each first-level name of a `crate::{a::X, b::{Y, Z}}` group.
fn crate_references(code: &str) -> Vec<Reference> {
    let chars: Vec<char> = code.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !is_word_at(&chars, i, "crate") {
            i += 1;
            continue;
        }
        i += "crate".len();
        let mut j = skip_whitespace(&chars, i);
        if !(chars.get(j) == Some(&':') && chars.get(j + 1) == Some(&':')) {
            continue;
        }
        j = skip_whitespace(&chars, j + 2);
        if chars.get(j) == Some(&'{') {
            j += 1;
            loop {
                j = skip_whitespace(&chars, j);
                if j >= chars.len() || chars[j] == '}' {
                    break;
                }
                if let Some((name, end)) = read_ident(&chars, j) {
                    // `crate::{self, …}` is the crate root itself.
                    if name != "self" {
                        found.push(Reference {
                            line: line_of(&chars, j),
                            module: name,
                        });
                    }
                    j = end;
                }
                j = skip_past_group_item(&chars, j);
            }
        } else if let Some((name, end)) = read_ident(&chars, j) {
            // `crate::name!` is a `#[macro_export]` macro, which lives at the root.
            if chars.get(skip_whitespace(&chars, end)) != Some(&'!') {
                found.push(Reference {
                    line: line_of(&chars, j),
                    module: name,
                });
            }
        }
    }
    found
}

/// From inside a `{…}` group, the index just past the current item's comma, or of
/// the group's closing brace.
fn skip_past_group_item(chars: &[char], mut j: usize) -> usize {
    let mut depth = 0;
    while j < chars.len() {
        match chars[j] {
            '{' => depth += 1,
            '}' if depth == 0 => return j,
            '}' => depth -= 1,
            ',' if depth == 0 => return j + 1,
            _ => {}
        }
        j += 1;
    }
    j
}

/// The modules a masked src/lib.rs declares with `mod x;` (any visibility).
fn declared_modules(code: &str) -> Vec<String> {
    let chars: Vec<char> = code.chars().collect();
    let mut names = Vec::new();
    for i in 0..chars.len() {
        if is_word_at(&chars, i, "mod") {
            let j = skip_whitespace(&chars, i + "mod".len());
            if let Some((name, _)) = read_ident(&chars, j) {
                names.push(name);
            }
        }
    }
    names
}

/// The line of each occurrence of `pattern` in masked code, skipping occurrences that
/// continue a longer identifier (`PublicTenantId(` is not `TenantId(`) and the
/// declarations themselves (`struct TenantId(`, `fn …(`).
fn calls_of(code: &str, pattern: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    for (at, _) in code.match_indices(pattern) {
        let before = &code[..at];
        if before.chars().next_back().is_some_and(is_ident_char) {
            continue;
        }
        let previous_word = before.trim_end().rsplit(|c: char| !is_ident_char(c)).next();
        if matches!(previous_word, Some("struct" | "fn")) {
            continue;
        }
        lines.push(before.matches('\n').count() + 1);
    }
    lines
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether `word` starts at `i` as a whole word (`$crate` counts; `my_crate` doesn't).
fn is_word_at(chars: &[char], i: usize, word: &str) -> bool {
    let len = word.chars().count();
    i + len <= chars.len()
        && chars[i..i + len].iter().copied().eq(word.chars())
        && (i == 0 || !is_ident_char(chars[i - 1]))
        && chars.get(i + len).is_none_or(|&c| !is_ident_char(c))
}

/// The identifier starting at `i` (a raw `r#name` gives `name`) and the index after it.
fn read_ident(chars: &[char], mut i: usize) -> Option<(String, usize)> {
    if chars.get(i) == Some(&'r') && chars.get(i + 1) == Some(&'#') {
        i += 2;
    }
    let first = *chars.get(i)?;
    if !(first.is_alphabetic() || first == '_') {
        return None;
    }
    let end = (i..chars.len())
        .find(|&k| !is_ident_char(chars[k]))
        .unwrap_or(chars.len());
    Some((chars[i..end].iter().collect(), end))
}

fn skip_whitespace(chars: &[char], mut i: usize) -> usize {
    while chars.get(i).is_some_and(|c| c.is_whitespace()) {
        i += 1;
    }
    i
}

fn line_of(chars: &[char], i: usize) -> usize {
    chars[..i].iter().filter(|&&c| c == '\n').count() + 1
}

// ---------------------------------------------------------------------------------
// The README

#[derive(Debug, PartialEq)]
struct TourStop {
    line: usize,
    path: String,
    module: String,
}

/// The modules named, in order, by the `src/…` lines of the code block under
/// "## A tour of the code"; the crate roots are left out.
fn tour_of_the_code(readme: &str) -> Result<Vec<TourStop>, String> {
    let mut lines = readme.lines().enumerate().map(|(n, text)| (n + 1, text));
    lines
        .by_ref()
        .find(|(_, text)| text.trim_end() == "## A tour of the code")
        .ok_or("no \"## A tour of the code\" section (the modules, top of the stack first)")?;
    lines
        .by_ref()
        .take_while(|(_, text)| !text.starts_with("## "))
        .find(|(_, text)| text.trim_start().starts_with("```"))
        .ok_or("the \"## A tour of the code\" section has no fenced code block")?;

    let mut tour = Vec::new();
    for (line, text) in lines.take_while(|(_, text)| !text.trim_start().starts_with("```")) {
        let Some(path) = text
            .split_whitespace()
            .next()
            .filter(|p| p.starts_with("src/"))
        else {
            continue;
        };
        let first = path["src/".len()..].split('/').next().unwrap_or_default();
        let module = first.strip_suffix(".rs").unwrap_or(first);
        if module.is_empty() || CRATE_ROOTS.contains(&module) {
            continue;
        }
        tour.push(TourStop {
            line,
            path: path.to_string(),
            module: module.to_string(),
        });
    }
    Ok(tour)
}

// ---------------------------------------------------------------------------------
// Files

fn repo_root() -> PathBuf {
    // Under cargo this is the crate; the standalone rustc build runs from the root.
    let root = PathBuf::from(option_env!("CARGO_MANIFEST_DIR").unwrap_or("."));
    assert!(
        root.join("src/lib.rs").is_file(),
        "can't find src/lib.rs under {}; run the standalone test from the repository root",
        root.display()
    );
    root
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn read_dir_sorted(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    paths
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in read_dir_sorted(dir) {
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// `path` relative to the repository, with `/` separators, as messages show it.
fn relative(root: &Path, path: &Path) -> String {
    let inner = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = inner
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

// ---------------------------------------------------------------------------------
// The checker's own checks

mod the_checker {
    use super::*;

    fn modules(code: &str) -> Vec<(usize, String)> {
        crate_references(&mask_rust(code))
            .into_iter()
            .map(|r| (r.line, r.module))
            .collect()
    }

    fn named(list: &[(usize, &str)]) -> Vec<(usize, String)> {
        list.iter()
            .map(|&(line, name)| (line, name.to_string()))
            .collect()
    }

    #[test]
    fn a_group_gives_its_first_level_names_on_their_own_lines() {
        let code = "use crate::{\n    a::X,\n    b::{Y, Z},\n    self,\n};\n";
        assert_eq!(modules(code), named(&[(2, "a"), (3, "b")]));
        let one_line = "use crate::{web::Layout, error::AppError};";
        assert_eq!(modules(one_line), named(&[(1, "web"), (1, "error")]));
    }

    #[test]
    fn inline_and_macro_paths_count() {
        assert_eq!(
            modules("let d = crate::web::format_date(x);"),
            named(&[(1, "web")])
        );
        assert_eq!(
            modules("macro_rules! m { () => { $crate::db::x() } }"),
            named(&[(1, "db")])
        );
        assert_eq!(
            modules("use crate :: r#auth :: Session;"),
            named(&[(1, "auth")])
        );
    }

    #[test]
    fn comments_strings_and_look_alikes_do_not_count() {
        let code = r##"
            // crate::auth
            /// crate::db::pool
            //! crate::app
            /* crate::web /* nested */ crate::mail */
            let s = "crate::auth \" crate::app";
            let r = r#"crate::auth "quoted" crate::app"#;
            let c = '"'; let e = '\''; let d = '\u{22}';
            pub(crate) fn f<'a>(x: &'a str) -> super::auth::X { my_crate::auth::y() }
            crate::exported_macro!();
            let after = crate::signing::X;
        "##;
        assert_eq!(modules(code), named(&[(11, "signing")]));
    }

    #[test]
    fn masking_keeps_line_numbers() {
        let code = "/* one\ntwo */ let s = \"three\nfour\";\nuse crate::web::X;";
        assert_eq!(mask_rust(code).lines().count(), 4);
        assert_eq!(modules(code), named(&[(4, "web")]));
    }

    #[test]
    fn templates_are_read_outside_their_comments() {
        let text = "{# crate::auth::X #}\n<p>{{ crate::web::format_date(x) }}</p>";
        let found = crate_references(&mask_template(text));
        assert_eq!(
            found,
            vec![Reference {
                line: 2,
                module: "web".to_string()
            }]
        );
    }

    #[test]
    fn files_belong_to_their_top_level_module() {
        assert_eq!(
            owner_of_source("src/web/context.rs").as_deref(),
            Some("web")
        );
        assert_eq!(
            owner_of_source("src/web/forms/field.rs").as_deref(),
            Some("web")
        );
        assert_eq!(owner_of_source("src/app.rs").as_deref(), Some("app"));
        assert_eq!(owner_of_source("src/lib.rs"), None);
        assert_eq!(owner_of_source("src/main.rs"), None);
        assert_eq!(
            owner_of_template("templates/base.html").as_deref(),
            Some("web")
        );
        assert_eq!(
            owner_of_template("templates/mail/invitation.txt").as_deref(),
            Some("mail")
        );
        assert_eq!(owner_of_template("templates/partials/x.html"), None);
    }

    #[test]
    fn a_reference_is_checked_against_the_ranks() {
        let refs = |names: &[&str]| -> Vec<Reference> {
            names
                .iter()
                .map(|n| Reference {
                    line: 17,
                    module: n.to_string(),
                })
                .collect()
        };
        let mut out = Vec::new();
        let context = refs(&["web", "state", "auth"]);
        check_references("src/web/context.rs", "web", &context, &mut out);
        assert_eq!(
            out,
            [
                "src/web/context.rs:17: web (rank 4) imports crate::auth (rank 7); web may \
              import only: clock, tokens, config, error, db, state"
            ]
        );
        out.clear();
        check_references("src/app.rs", "app", &refs(&["demo"]), &mut out);
        check_references("src/clock.rs", "clock", &refs(&["tokens"]), &mut out);
        assert_eq!(out.len(), 2, "the same layer may not be used: {out:?}");
        assert!(out[1].ends_with("clock may import no other module"));
    }

    #[test]
    fn lib_rs_declarations_are_found() {
        let lib = "pub mod app;\nmod db;\npub(crate) mod web;\n// mod old;\n#[cfg(test)]\nmod t;";
        assert_eq!(declared_modules(&mask_rust(lib)), ["app", "db", "web", "t"]);
    }

    #[test]
    fn tenant_ids_are_made_by_construction_not_by_name() {
        let code = mask_rust(
            "pub struct TenantId(Uuid);\nlet p = PublicTenantId(id);\n// TenantId(x)\n\
             Some(TenantId(id))\nlet t = tenancy::TenantId(id);",
        );
        assert_eq!(calls_of(&code, "TenantId("), [4, 5]);
        let code = mask_rust("fn found_by_public_url(\nPublicTenantId::found_by_public_url(db)");
        assert_eq!(calls_of(&code, "PublicTenantId::found_by_public_url("), [2]);
    }

    #[test]
    fn the_tour_is_read_from_its_code_block() {
        let readme = "# X\n## A tour of the code\n\n```\nsrc/main.rs   cli\nsrc/app.rs    router\n\
                      src/web/       shared\n              more\n```\nsrc/db.rs after\n";
        let tour = tour_of_the_code(readme).unwrap();
        let got: Vec<(usize, &str)> = tour.iter().map(|s| (s.line, s.module.as_str())).collect();
        assert_eq!(got, [(6, "app"), (7, "web")]);
        assert!(tour_of_the_code("# X\n## Other\n").is_err());
    }

    #[test]
    fn each_module_has_one_layer() {
        let mut seen = BTreeSet::new();
        for module in all_modules() {
            assert!(seen.insert(module), "{module} is in LAYERS twice");
        }
    }
}
