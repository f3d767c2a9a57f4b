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
//! Every table has one owning area (`TABLES`), and SQL has one place: an area's SQL runs
//! in its store (`src/<area>/store.rs`, `src/<area>/store/*.rs`, or a storage module
//! named in `STORAGE_MODULES` with its reason) and names only its own tables, apart from
//! the reads in `READ_ONLY` and the writes in `FOREIGN_WRITES`, each with its reason.
//! Triggers that write another area's table are named in `CROSS_AREA_TRIGGERS`.
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
    &["coalition"],           // the coalition's list: members by their own click, posts, archive
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
        "PublicTenantId::found_by_list_key(",
        &["src/tenancy.rs", "src/coalition/store/keys.rs"],
    ),
    (
        "PublicTenantId::found_by_public_url(",
        &["src/tenancy.rs", "src/campaigns/store.rs"],
    ),
];

/// Which area owns each table: every table the migrations leave behind (a table created
/// and later dropped or renamed counts by its final state), under exactly one area.
///
/// An area's SQL names only its own tables. To use another area's data, call that
/// area's store (it is on a lower layer) or have the caller above pass the data down;
/// the exceptions are `READ_ONLY` (reads with a reason) and `FOREIGN_WRITES`. A trigger
/// that writes another area's table is named in `CROSS_AREA_TRIGGERS`.
const TABLES: &[(&str, &[&str])] = &[
    ("web", &["sessions", "rate_limit_hits"]),
    ("tenancy", &["tenants", "memberships"]),
    ("mail", &["outbox", "mail_suppressions"]),
    (
        "auth",
        &[
            "users",
            "password_resets",
            "trusted_devices",
            "login_failures",
        ],
    ),
    ("tenants", &["invitations", "signup_requests"]),
    (
        "signatures",
        &[
            "signatures",
            "signature_events",
            "signature_links",
            "signature_consents",
            "consent_notices",
            "referrals",
            "reissue_decisions",
            "retention_runs",
        ],
    ),
    (
        "campaigns",
        &[
            "campaigns",
            "letter_revisions",
            "campaign_previous_slugs",
            "member_updates",
            "member_update_names",
        ],
    ),
    ("statements", &["statements"]),
    (
        "outreach",
        &[
            "outreach_settings",
            "prospects",
            "organizations",
            "people",
            "person_touches",
            "book_settings",
            "book_migration_counts",
            "book_migration_merges",
            "outreach_activities",
            "outreach_send_log",
            "outreach_campaign_log",
            "outreach_digests",
            "outreach_digest_lines",
            "outreach_mail_volume",
            "prospect_imports",
            "prospect_import_kept_rows",
        ],
    ),
    (
        "coalition",
        &[
            "coalition_lists",
            "list_members",
            "list_threads",
            "list_posts",
            "list_moderation_log",
            "list_reply_keys",
            "list_invitations",
            "list_signin_links",
            "list_member_sessions",
            "list_inbound_log",
            "list_inbound_replies",
        ],
    ),
];

/// Files outside `src/<area>/store.rs` and `src/<area>/store/` that may run SQL, and why.
/// Everywhere else a handler, page or job calls its area's store.
const STORAGE_MODULES: &[(&str, &str)] = &[
    (
        "src/db.rs",
        "the database itself: creating it, the snapshot transaction, the health check",
    ),
    (
        "src/mail/outbox.rs",
        "mail's store, named for what it holds: the outbox queue and the suppression list",
    ),
    (
        "src/web/sessions.rs",
        "web has no store: the only door of `sessions`, which every request reads",
    ),
    (
        "src/web/rate_limit.rs",
        "web has no store: the only door of `rate_limit_hits`, with its advisory locks",
    ),
    (
        "src/mail/forget.rs",
        "mail's store for an erasure and retention: what the outbox and the suppression \
         list hold about one address",
    ),
    (
        "src/demo.rs",
        "the demo loader (top layer) writes through SQL only the history no store \
         function offers (see FOREIGN_WRITES); everything else goes through the stores",
    ),
];

/// Tables an area (or one file) may read, not write, although another area owns them.
const READ_ONLY: &[(&str, &str, &str)] = &[
    (
        "src/web/sessions.rs",
        "users",
        "a session loads its person's name and address with it, in one query per request",
    ),
    (
        "mail",
        "tenants",
        "the mail log names the group a message was sent for",
    ),
    (
        "tenants",
        "tenants",
        "an invitation's page names the group it joins",
    ),
    (
        "tenants",
        "memberships",
        "the members page lists the group's members with their roles",
    ),
    (
        "tenants",
        "users",
        "members and inviters are shown by name and address",
    ),
    (
        "campaigns",
        "tenants",
        "a campaign's public pages and emails name its group",
    ),
    (
        "outreach",
        "tenants",
        "digests go out per group, and a group's age sets its mail cap",
    ),
    (
        "outreach",
        "memberships",
        "follow-ups and digests go to the group's owners and organizers",
    ),
    (
        "outreach",
        "users",
        "prospect owners and the authors of asks by name; digests to their address",
    ),
    (
        "signatures",
        "users",
        "a personally asked signature names the organizer who asked",
    ),
    (
        "campaigns",
        "signatures",
        "counts and member-update message keys read signatures with that area's own \
         conditions (`signatures::listed_sql`), one count per campaign in the list's query",
    ),
    (
        "outreach",
        "signatures",
        "the pipeline follows confirmed signatures: matching a prospect to its signature \
         (under a share lock), the dashboard's split and chart, digests' new signers, the \
         scheduler leaving out who signed, in the statement that reads outreach's rows",
    ),
    (
        "outreach",
        "campaigns",
        "the scheduler and digests pick the campaigns due (deadlines, time zone); the \
         dashboard and carry read titles and status, joined where outreach's rows are read",
    ),
    (
        "outreach",
        "letter_revisions",
        "an answered change request names the revision that answered it, checked to \
         belong to the campaign",
    ),
    (
        "outreach",
        "referrals",
        "an ask says who referred the contact",
    ),
    (
        "outreach",
        "mail_suppressions",
        "asks and the scheduler leave out unsubscribed addresses in the query that picks \
         recipients",
    ),
    (
        "signatures",
        "letter_revisions",
        "a signature names the revision it confirmed (`revision_id` references it); its \
         number is read with the row",
    ),
    (
        "signatures",
        "campaigns",
        "upward, read only: retention, reissue notices and the download read a campaign's \
         dates and settings in the statement that locks the signatures they govern (one \
         statement under the lock protocol, docs/signatures.md)",
    ),
    (
        "signatures",
        "tenants",
        "the signer's download names the group that holds the data",
    ),
    (
        "signatures",
        "people",
        "upward, read only: a personally asked signature names the person of the address \
         book it was asked of (\"from Maya's ask to Keisha Grant\")",
    ),
    (
        "signatures",
        "mail_suppressions",
        "a reissue invitation skips unsubscribed addresses in the query that takes the \
         originals under their row lock",
    ),
];

/// Tables a file may write although another area owns them, and why.
const FOREIGN_WRITES: &[(&str, &str, &str)] = &[
    (
        "src/demo.rs",
        "campaigns",
        "backdated statuses and dates: the stores record the present, the demo a past",
    ),
    (
        "src/demo.rs",
        "people",
        "a bounce from two weeks ago, which the mail worker's trigger would mark today",
    ),
    (
        "src/demo.rs",
        "referrals",
        "signers' suggestions with the ids the demo's prospects point to",
    ),
    (
        "src/demo.rs",
        "consent_notices",
        "notices the scheduler would have claimed in the past, so it sends none now",
    ),
    (
        "src/demo.rs",
        "member_updates",
        "a release announcement recorded as history, with no mail queued",
    ),
];

/// Triggers whose function writes a table of another area than the trigger's own table,
/// with the reason each stays in the database (see the owning stores' module docs).
/// All stay (issue 18, item 4): each carries a fact from a lower area to a higher one
/// that the lower area's Rust cannot call, on every path that changes the row.
const CROSS_AREA_TRIGGERS: &[(&str, &str)] = &[
    (
        "signatures_public_insert",
        "a new listed signature moves its campaign's public page version, whoever wrote it",
    ),
    (
        "signatures_public_update",
        "a listed signature's change moves its campaign's public page version",
    ),
    (
        "signatures_public_reconfirm",
        "a re-confirmation brings a name back: the public page version moves",
    ),
    (
        "signatures_public_removal",
        "a name leaving the list counts as a removal, which the page cache never outlives",
    ),
    (
        "statements_public",
        "a statement's public change moves its campaign's public page version",
    ),
    (
        "outbox_outreach_bounce",
        "a bounce marks the outreach contact of that address (mail knows no product area)",
    ),
    (
        "signatures_outreach",
        "a confirmed signature makes the prospect whose contact signed a signed prospect",
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

#[test]
fn every_table_has_one_owning_area() {
    let live = tables_of_migrations(&migrations(&repo_root()));
    let mut problems = Vec::new();
    let mut owned = BTreeMap::new();
    for &(area, tables) in TABLES {
        if rank(area).is_none() {
            problems.push(format!(
                "TABLES names `{area}`, which has no layer in LAYERS"
            ));
        }
        for &table in tables {
            if let Some(first) = owned.insert(table, area) {
                problems.push(format!(
                    "table `{table}` has two owners in TABLES: {first} and {area}"
                ));
            }
            if !live.contains(table) {
                problems.push(format!(
                    "TABLES names `{table}` ({area}), which no migration leaves in the database"
                ));
            }
        }
    }
    for table in &live {
        if !owned.contains_key(table.as_str()) {
            problems.push(format!(
                "table `{table}` (migrations/) has no owner: add it to TABLES in \
                 tests/architecture.rs under the area whose store writes it"
            ));
        }
    }
    if !problems.is_empty() {
        panic!("\n{}\n", problems.join("\n"));
    }
}

#[test]
fn sql_runs_only_in_stores() {
    let root = repo_root();
    let mut violations = Vec::new();
    for file in files_under(&root.join("src")) {
        let path = relative(&root, &file);
        if !path.ends_with(".rs") || may_run_sql(&path) {
            continue;
        }
        for call in sql_calls(&mask_rust(&read(&file))) {
            violations.push(format!(
                "{path}:{}: `{}` outside a store",
                call.line, call.call
            ));
        }
    }
    for &(path, _) in STORAGE_MODULES {
        if !root.join(path).is_file() {
            violations.push(format!(
                "STORAGE_MODULES names {path}, which does not exist"
            ));
        } else if is_store(path) {
            violations.push(format!(
                "STORAGE_MODULES names {path}, which is a store anyway"
            ));
        }
    }
    if !violations.is_empty() {
        panic!(
            "\n{}\n(move each query into its area's store, src/<area>/store.rs or \
             src/<area>/store/<topic>.rs, or name a storage module with its reason in \
             STORAGE_MODULES in tests/architecture.rs)\n",
            violations.join("\n")
        );
    }
}

#[test]
fn an_area_names_only_its_own_tables() {
    let report = table_report(&repo_root());
    let mut violations: Vec<String> = report
        .foreign
        .iter()
        .map(|(_, message)| message.clone())
        .collect();
    for &(who, table, _) in READ_ONLY {
        if !report.excepted.contains(&(who, table)) {
            violations.push(format!(
                "READ_ONLY lets {who} read `{table}`, which it no longer does: remove the entry"
            ));
        }
    }
    for &(who, table, _) in FOREIGN_WRITES {
        if !report.excepted.contains(&(who, table)) {
            violations.push(format!(
                "FOREIGN_WRITES lets {who} write `{table}`, which it no longer does: remove \
                 the entry"
            ));
        }
    }
    if !violations.is_empty() {
        panic!(
            "\n{}\n(an area's SQL names only its own tables: TABLES, READ_ONLY and \
             FOREIGN_WRITES in tests/architecture.rs)\n",
            violations.join("\n")
        );
    }
}

#[test]
fn triggers_that_cross_areas_are_named() {
    let mut problems = Vec::new();
    let mut crossing = BTreeSet::new();
    for trigger in triggers_of_migrations(&migrations(&repo_root())) {
        let Some(from) = owner_of_table(&trigger.table) else {
            continue;
        };
        for named in tables_named(&trigger.body) {
            let Some(to) = owner_of_table(&named.table) else {
                continue;
            };
            if !named.writes || to == from || !crossing.insert(trigger.name.clone()) {
                continue;
            }
            if !CROSS_AREA_TRIGGERS
                .iter()
                .any(|&(name, _)| name == trigger.name)
            {
                problems.push(format!(
                    "trigger `{}` on `{}` ({from}) writes `{}` ({to}) in {}(): move the effect \
                     into Rust where the event happens, or name the trigger in \
                     CROSS_AREA_TRIGGERS with the reason it stays (and in both stores' docs)",
                    trigger.name, trigger.table, named.table, trigger.function
                ));
            }
        }
    }
    for &(name, _) in CROSS_AREA_TRIGGERS {
        if !crossing.contains(name) {
            problems.push(format!(
                "CROSS_AREA_TRIGGERS names `{name}`, which is no live trigger writing another \
                 area's table: remove it"
            ));
        }
    }
    if !problems.is_empty() {
        panic!("\n{}\n", problems.join("\n"));
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
// The tables

fn owner_of_table(table: &str) -> Option<&'static str> {
    TABLES
        .iter()
        .find(|(_, tables)| tables.contains(&table))
        .map(|&(area, _)| area)
}

/// Whether `path` is an area's store: `src/<area>/store.rs` or a file under
/// `src/<area>/store/`.
fn is_store(path: &str) -> bool {
    let Some((_area, inside)) = path.strip_prefix("src/").and_then(|p| p.split_once('/')) else {
        return false;
    };
    inside == "store.rs" || inside.starts_with("store/")
}

fn may_run_sql(path: &str) -> bool {
    is_store(path) || STORAGE_MODULES.iter().any(|&(p, _)| p == path)
}

/// The sqlx functions that run SQL text.
const SQL_FUNCTIONS: &[&str] = &[
    "query",
    "query_as",
    "query_scalar",
    "query_with",
    "query_as_with",
    "query_scalar_with",
    "raw_sql",
];

/// sqlx's executor methods, which also run SQL text given to them directly.
const EXECUTOR_METHODS: &[&str] = &[
    "execute",
    "execute_many",
    "fetch",
    "fetch_all",
    "fetch_many",
    "fetch_one",
    "fetch_optional",
];

#[derive(Debug, PartialEq)]
struct SqlCall {
    line: usize,
    call: String,
}

/// Where masked code runs SQL:
/// - sqlx's query functions (`SQL_FUNCTIONS`) reached by path, `sqlx::query(…)`,
///   `sqlx::query_as::<_, T>(…)`, their macros (`sqlx::query!`), and imports of them
///   (`use sqlx::{query, …}`), so that no bare `query(…)` slips by;
/// - an executor method given the SQL text itself: `conn.execute("…")`,
///   `.fetch_all(&format!(…))`.
///
/// Not seen: SQL text kept in a variable and handed to an executor method, and a glob
/// import `use sqlx::*` (the code base has neither).
fn sql_calls(code: &str) -> Vec<SqlCall> {
    let mut calls: Vec<SqlCall> = paths_from(code, "sqlx")
        .into_iter()
        .filter(|path| SQL_FUNCTIONS.contains(&path.name.as_str()))
        .map(|path| SqlCall {
            line: path.line,
            call: format!(
                "sqlx::{}{}",
                path.name,
                if path.is_macro { "!" } else { "" }
            ),
        })
        .collect();
    let chars: Vec<char> = code.chars().collect();
    for dot in (0..chars.len()).filter(|&i| chars[i] == '.') {
        let at = skip_whitespace(&chars, dot + 1);
        let Some((method, end)) = read_ident(&chars, at) else {
            continue;
        };
        let open = skip_whitespace(&chars, end);
        if !EXECUTOR_METHODS.contains(&method.as_str()) || chars.get(open) != Some(&'(') {
            continue;
        }
        let mut arg = skip_whitespace(&chars, open + 1);
        while matches!(chars.get(arg), Some('&' | '*')) {
            arg = skip_whitespace(&chars, arg + 1);
        }
        if starts_sql_text(&chars, arg) {
            calls.push(SqlCall {
                line: line_of(&chars, at),
                call: format!(".{method}(\"…\")"),
            });
        }
    }
    calls.sort_by_key(|call| call.line);
    calls
}

/// Whether a string literal (`"…"`, `r#"…"#`) or a `format!(…)` starts at `i`.
fn starts_sql_text(chars: &[char], mut i: usize) -> bool {
    if let Some((name, end)) = read_ident(chars, i) {
        if chars.get(skip_whitespace(chars, end)) == Some(&'!') {
            return name == "format";
        }
    }
    if chars.get(i) == Some(&'r') {
        i += 1;
        while chars.get(i) == Some(&'#') {
            i += 1;
        }
    }
    chars.get(i) == Some(&'"')
}

/// A string literal of Rust source: the line it starts on and its text as written.
#[derive(Debug, PartialEq)]
struct Literal {
    line: usize,
    text: String,
}

/// The string literals of Rust source, outside comments. `mask_rust` keeps every
/// character in place and blanks comments and char literals, so the quotes it leaves
/// are exactly the delimiters of string literals.
fn string_literals(source: &str) -> Vec<Literal> {
    let original: Vec<char> = source.chars().collect();
    let masked: Vec<char> = mask_rust(source).chars().collect();
    assert_eq!(original.len(), masked.len(), "mask_rust moved characters");
    let mut found = Vec::new();
    let mut open: Option<(usize, usize)> = None;
    let mut line = 1;
    for (i, &c) in masked.iter().enumerate() {
        if c == '"' {
            match open.take() {
                None => open = Some((i, line)),
                Some((start, start_line)) => found.push(Literal {
                    line: start_line,
                    text: original[start + 1..i].iter().collect(),
                }),
            }
        } else if c == '\n' {
            line += 1;
        }
    }
    found
}

/// A table named in SQL text, on a line of that text (the first is 1).
#[derive(Debug, PartialEq)]
struct TableUse {
    line: usize,
    table: String,
    writes: bool,
}

/// The tables of `TABLES` that SQL text names, and whether it writes them: a name right
/// after `INSERT INTO`, `UPDATE`, `DELETE FROM` or `TRUNCATE` is written; after `FROM`,
/// `JOIN`, `USING` or `REFERENCES` it is read (a row lock, `SELECT … FOR UPDATE`, counts
/// as a read). Keywords count in upper case only, as the code base writes its SQL, so
/// prose ("taken from prospects") is not SQL; other names (aliases, CTEs, functions) are
/// not tables. Not seen: the second table of a comma join (`FROM a, b`; none here).
fn tables_named(sql: &str) -> Vec<TableUse> {
    let mut words: Vec<(usize, String)> = Vec::new();
    let mut line = 1;
    let mut current = String::new();
    for c in sql.chars().chain(std::iter::once(' ')) {
        if is_ident_char(c) {
            current.push(c);
            continue;
        }
        if !current.is_empty() {
            words.push((line, std::mem::take(&mut current)));
        }
        if c == '\n' {
            line += 1;
        }
    }
    let mut found = Vec::new();
    for (k, (line, word)) in words.iter().enumerate() {
        if owner_of_table(word).is_none() {
            continue;
        }
        let before = |back: usize| k.checked_sub(back).map_or("", |i| words[i].1.as_str());
        let writes = match (before(2), before(1)) {
            (_, "INTO" | "UPDATE" | "TRUNCATE") | ("TRUNCATE", "TABLE") | ("DELETE", "FROM") => {
                true
            }
            (_, "FROM" | "JOIN" | "USING" | "REFERENCES") => false,
            _ => continue,
        };
        found.push(TableUse {
            line: *line,
            table: word.clone(),
            writes,
        });
    }
    found
}

/// How the table check sees one table named in one file.
#[derive(Debug, PartialEq)]
enum Verdict {
    Own,
    /// Allowed by the `READ_ONLY` or `FOREIGN_WRITES` entry `(who, table)`.
    Excepted((&'static str, &'static str)),
    Foreign(String),
}

fn table_verdict(path: &str, area: &str, named: &TableUse) -> Verdict {
    let table = named.table.as_str();
    let Some(owner) = owner_of_table(table) else {
        return Verdict::Own;
    };
    if owner == area {
        return Verdict::Own;
    }
    let write_entry = FOREIGN_WRITES
        .iter()
        .find(|&&(who, t, _)| who == path && t == table);
    let read_entry = READ_ONLY
        .iter()
        .find(|&&(who, t, _)| (who == path || who == area) && t == table)
        .filter(|_| !named.writes);
    if let Some(&(who, t, _)) = write_entry.or(read_entry) {
        return Verdict::Excepted((who, t));
    }
    let way = match (rank(owner), rank(area)) {
        (Some(below), Some(here)) if below < here => {
            format!("ask the {owner} store for it")
        }
        _ => format!("{owner} is not below {area}: have the caller pass the data down"),
    };
    let (verb, or_else) = if named.writes {
        ("writes", "")
    } else {
        ("reads", ", or add a READ_ONLY entry with the reason")
    };
    Verdict::Foreign(format!(
        "{area} {verb} `{table}`, which {owner} owns: {way}{or_else}"
    ))
}

struct TableReport {
    /// `(file, "file:line: message")` for each table named outside its area.
    foreign: Vec<(String, String)>,
    /// The `READ_ONLY` and `FOREIGN_WRITES` entries that allowed something.
    excepted: BTreeSet<(&'static str, &'static str)>,
}

/// Every table named in the SQL text of src/, checked against its owner.
fn table_report(root: &Path) -> TableReport {
    let mut report = TableReport {
        foreign: Vec::new(),
        excepted: BTreeSet::new(),
    };
    for file in files_under(&root.join("src")) {
        let path = relative(root, &file);
        let Some(area) = path.strip_suffix(".rs").and(owner_of_source(&path)) else {
            continue;
        };
        for literal in string_literals(&read(&file)) {
            for named in tables_named(&literal.text) {
                match table_verdict(&path, &area, &named) {
                    Verdict::Own => {}
                    Verdict::Excepted(entry) => {
                        report.excepted.insert(entry);
                    }
                    Verdict::Foreign(message) => {
                        let line = literal.line + named.line - 1;
                        report
                            .foreign
                            .push((path.clone(), format!("{path}:{line}: {message}")));
                    }
                }
            }
        }
    }
    report
}

// ---------------------------------------------------------------------------------
// The migrations

/// The text of every migration, in the order they run.
fn migrations(root: &Path) -> Vec<String> {
    read_dir_sorted(&root.join("migrations"))
        .iter()
        .filter(|path| path.extension().is_some_and(|e| e == "sql"))
        .map(|path| read(path))
        .collect()
}

/// SQL as words, `$$…$$` bodies and punctuation, without comments and string literals.
#[derive(Debug, PartialEq)]
enum SqlToken {
    Word(String),
    Body(String),
    Other(char),
}

fn sql_tokens(sql: &str) -> Vec<SqlToken> {
    let chars: Vec<char> = sql.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '$' && chars.get(i + 1) == Some(&'$') {
            let start = i + 2;
            let end = (start..chars.len())
                .find(|&k| chars[k] == '$' && chars.get(k + 1) == Some(&'$'))
                .unwrap_or(chars.len());
            tokens.push(SqlToken::Body(chars[start..end].iter().collect()));
            i = end + 2;
        } else if c == '\'' {
            // A string literal; '' inside it is a quote.
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' && chars.get(i + 1) == Some(&'\'') {
                    i += 2;
                } else if chars[i] == '\'' {
                    break;
                } else {
                    i += 1;
                }
            }
            tokens.push(SqlToken::Other('\''));
            i += 1;
        } else if is_ident_char(c) {
            let end = (i..chars.len())
                .find(|&k| !is_ident_char(chars[k]))
                .unwrap_or(chars.len());
            tokens.push(SqlToken::Word(chars[i..end].iter().collect()));
            i = end;
        } else {
            if !c.is_whitespace() {
                tokens.push(SqlToken::Other(c));
            }
            i += 1;
        }
    }
    tokens
}

/// Reads SQL tokens one keyword at a time (keywords in any case).
struct SqlReader<'a> {
    tokens: &'a [SqlToken],
    at: usize,
}

impl SqlReader<'_> {
    fn word(&self, offset: usize) -> Option<&str> {
        match self.tokens.get(self.at + offset) {
            Some(SqlToken::Word(w)) => Some(w),
            _ => None,
        }
    }

    fn is(&self, offset: usize, keyword: &str) -> bool {
        self.word(offset)
            .is_some_and(|w| w.eq_ignore_ascii_case(keyword))
    }

    /// Moves past `keywords` if they come next, in order.
    fn eat(&mut self, keywords: &[&str]) -> bool {
        let all = keywords.iter().enumerate().all(|(k, w)| self.is(k, w));
        if all {
            self.at += keywords.len();
        }
        all
    }

    fn name(&mut self) -> Option<String> {
        let name = self.word(0)?.to_ascii_lowercase();
        self.at += 1;
        Some(name)
    }

    /// Moves past the next `keyword` before the end of the statement.
    fn find(&mut self, keyword: &str) -> bool {
        while let Some(token) = self.tokens.get(self.at) {
            if *token == SqlToken::Other(';') {
                return false;
            }
            self.at += 1;
            if matches!(token, SqlToken::Word(w) if w.eq_ignore_ascii_case(keyword)) {
                return true;
            }
        }
        false
    }

    fn body(&mut self) -> Option<String> {
        while let Some(token) = self.tokens.get(self.at) {
            match token {
                SqlToken::Other(';') => return None,
                SqlToken::Body(body) => return Some(body.clone()),
                _ => self.at += 1,
            }
        }
        None
    }
}

/// The tables the migrations leave, in order: created, dropped, renamed.
fn tables_of_migrations(migrations: &[String]) -> BTreeSet<String> {
    let mut tables = BTreeSet::new();
    for sql in migrations {
        let tokens = sql_tokens(sql);
        for at in 0..tokens.len() {
            let mut r = SqlReader {
                tokens: &tokens,
                at,
            };
            if r.eat(&["CREATE"]) {
                // A temporary table is gone when its migration commits.
                let temporary = r.eat(&["TEMP"]) || r.eat(&["TEMPORARY"]);
                r.eat(&["UNLOGGED"]);
                if r.eat(&["TABLE"]) {
                    r.eat(&["IF", "NOT", "EXISTS"]);
                    if !temporary {
                        tables.extend(r.name());
                    }
                }
            } else if r.eat(&["DROP", "TABLE"]) {
                r.eat(&["IF", "EXISTS"]);
                while let Some(name) = r.name() {
                    tables.remove(&name);
                    if r.tokens.get(r.at) != Some(&SqlToken::Other(',')) {
                        break;
                    }
                    r.at += 1;
                }
            } else if r.eat(&["ALTER", "TABLE"]) {
                r.eat(&["IF", "EXISTS"]);
                r.eat(&["ONLY"]);
                if let Some(old) = r.name() {
                    if r.eat(&["RENAME", "TO"]) && tables.remove(&old) {
                        tables.extend(r.name());
                    }
                }
            }
        }
    }
    tables
}

#[derive(Debug, PartialEq)]
struct Trigger {
    name: String,
    table: String,
    function: String,
    /// The function's body as the migrations leave it.
    body: String,
}

/// The triggers the migrations leave, each with its function's latest body.
fn triggers_of_migrations(migrations: &[String]) -> Vec<Trigger> {
    let mut functions = BTreeMap::new();
    let mut triggers = BTreeMap::new();
    for sql in migrations {
        let tokens = sql_tokens(sql);
        for at in 0..tokens.len() {
            let mut r = SqlReader {
                tokens: &tokens,
                at,
            };
            if r.eat(&["CREATE"]) {
                r.eat(&["OR", "REPLACE"]);
                r.eat(&["CONSTRAINT"]);
                if r.eat(&["FUNCTION"]) {
                    if let Some(name) = r.name() {
                        if let Some(body) = r.body() {
                            functions.insert(name, body);
                        }
                    }
                } else if r.eat(&["TRIGGER"]) {
                    let Some(name) = r.name() else { continue };
                    if !r.find("ON") {
                        continue;
                    }
                    let Some(table) = r.name() else { continue };
                    if r.find("EXECUTE") && (r.eat(&["FUNCTION"]) || r.eat(&["PROCEDURE"])) {
                        if let Some(function) = r.name() {
                            triggers.insert((table, name), function);
                        }
                    }
                }
            } else if r.eat(&["DROP", "FUNCTION"]) {
                r.eat(&["IF", "EXISTS"]);
                if let Some(name) = r.name() {
                    functions.remove(&name);
                }
            } else if r.eat(&["DROP", "TRIGGER"]) {
                r.eat(&["IF", "EXISTS"]);
                if let Some(name) = r.name() {
                    if r.eat(&["ON"]) {
                        if let Some(table) = r.name() {
                            triggers.remove(&(table, name));
                        }
                    }
                }
            }
        }
    }
    triggers
        .into_iter()
        .map(|((table, name), function)| Trigger {
            body: functions.get(&function).cloned().unwrap_or_default(),
            name,
            table,
            function,
        })
        .collect()
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
    paths_from(code, "crate")
        .into_iter()
        // `crate::name!` is a `#[macro_export]` macro, which lives at the root.
        .filter(|path| !path.is_macro)
        .map(|path| Reference {
            line: path.line,
            module: path.name,
        })
        .collect()
}

/// A first-level name reached through a path root: `web` in `crate::web::Layout`,
/// `query` and `Row` in `sqlx::{query, Row}`; `is_macro` for `root::name!`.
#[derive(Debug, PartialEq)]
struct PathName {
    line: usize,
    name: String,
    is_macro: bool,
}

/// Every first-level name after `root::` in masked code (`::root::` and `$root::` too,
/// not `my_root::`), including each first-level name of a `root::{…}` group.
fn paths_from(code: &str, root: &str) -> Vec<PathName> {
    let chars: Vec<char> = code.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !is_word_at(&chars, i, root) {
            i += 1;
            continue;
        }
        i += root.chars().count();
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
                    // `crate::{self, …}` is the root itself.
                    if name != "self" {
                        found.push(PathName {
                            line: line_of(&chars, j),
                            name,
                            is_macro: false,
                        });
                    }
                    j = end;
                }
                j = skip_past_group_item(&chars, j);
            }
        } else if let Some((name, end)) = read_ident(&chars, j) {
            found.push(PathName {
                line: line_of(&chars, j),
                name,
                is_macro: chars.get(skip_whitespace(&chars, end)) == Some(&'!'),
            });
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

    #[test]
    fn sql_calls_are_found_by_path_import_macro_and_raw_text() {
        let code = mask_rust(
            "use sqlx::{PgPool, query_as, Row};\n\
             let n: i64 = sqlx::query_scalar(\"SELECT 1\").fetch_one(&mut *conn).await?;\n\
             sqlx::query_as::<_, (i64,)>(sql).fetch_all(db);\n\
             let r = sqlx::query!(\"SELECT 1\");\n\
             conn.execute(\"SET x = 1\").await?;\n\
             db.fetch_all(&format!(\"SELECT {c}\"));\n\
             tx.execute(r#\"DELETE FROM t\"#);\n\
             sqlx::query(\"x\").execute(&mut *tx).await?; let u = url.query();\n",
        );
        let calls = sql_calls(&code);
        let found: Vec<(usize, &str)> = calls.iter().map(|c| (c.line, c.call.as_str())).collect();
        assert_eq!(
            found,
            [
                (1, "sqlx::query_as"),
                (2, "sqlx::query_scalar"),
                (3, "sqlx::query_as"),
                (4, "sqlx::query!"),
                (5, ".execute(\"…\")"),
                (6, ".fetch_all(\"…\")"),
                (7, ".execute(\"…\")"),
                (8, "sqlx::query"),
            ]
        );
    }

    #[test]
    fn sql_in_comments_strings_and_other_paths_is_no_call() {
        let code = mask_rust(
            "// sqlx::query(\"SELECT 1\")\nlet s = \"sqlx::query(x)\";\n\
             fn f(db: &sqlx::PgPool) -> sqlx::Result<()> { my_sqlx::query(1); q.execute(db) }",
        );
        assert_eq!(sql_calls(&code), []);
    }

    #[test]
    fn stores_are_store_rs_and_the_files_under_store() {
        assert!(is_store("src/outreach/store.rs"));
        assert!(is_store("src/outreach/store/imports.rs"));
        assert!(is_store("src/tenancy/store.rs"));
        assert!(!is_store("src/outreach/scheduler.rs"));
        assert!(!is_store("src/outreach/import/store.rs"));
        assert!(!is_store("src/store.rs"));
        assert!(!is_store("tests/store.rs"));
    }

    #[test]
    fn string_literals_keep_their_lines_and_skip_comments() {
        let source = "// \"not this\"\nlet a = \"SELECT\n x\";\nlet c = '\"';\n\
                      let b = r#\"FROM \"quoted\" t\"#; /* \"no\" */ let d = \"\\\"e\\\"\";";
        let found: Vec<(usize, String)> = string_literals(source)
            .into_iter()
            .map(|l| (l.line, l.text))
            .collect();
        assert_eq!(
            found,
            [
                (2, "SELECT\n x".to_string()),
                (5, "FROM \"quoted\" t".to_string()),
                (5, "\\\"e\\\"".to_string()),
            ]
        );
    }

    /// `(line, table, writes)` for each table the SQL names; every one is in TABLES.
    fn uses(sql: &str) -> Vec<(usize, &'static str, bool)> {
        tables_named(sql)
            .into_iter()
            .map(|u| {
                let known = TABLES.iter().flat_map(|(_, tables)| tables.iter());
                let table = known.copied().find(|&t| t == u.table).unwrap();
                (u.line, table, u.writes)
            })
            .collect()
    }

    #[test]
    fn tables_are_read_after_from_and_join_and_written_after_into_update_delete() {
        assert_eq!(
            uses(
                "INSERT INTO referrals (id) SELECT s.id FROM signatures s\n\
                 JOIN campaigns c ON c.id = s.campaign_id"
            ),
            [
                (1, "referrals", true),
                (1, "signatures", false),
                (2, "campaigns", false)
            ]
        );
        assert_eq!(
            uses("UPDATE prospects p SET x = 1 FROM people c WHERE c.id = p.id"),
            [(1, "prospects", true), (1, "people", false)]
        );
        assert_eq!(
            uses("DELETE FROM sessions USING users u WHERE u.id = sessions.user_id"),
            [(1, "sessions", true), (1, "users", false)]
        );
        assert_eq!(
            uses("SELECT 1 FROM tenants WHERE id = $1 FOR NO KEY UPDATE"),
            [(1, "tenants", false)]
        );
    }

    #[test]
    fn prose_columns_aliases_and_unknown_names_are_no_tables() {
        assert_eq!(uses("Imported from prospects, sent to users"), []);
        assert_eq!(uses("SELECT signatures, campaigns FROM stats"), []);
        assert_eq!(
            uses("WITH s AS (SELECT 1) SELECT * FROM s JOIN unnest($1) u ON true"),
            []
        );
        assert_eq!(uses("ON CONFLICT (id) DO UPDATE SET users = 1"), []);
    }

    #[test]
    fn a_table_of_another_area_needs_an_exception() {
        let read = |table: &str| TableUse {
            line: 1,
            table: table.to_string(),
            writes: false,
        };
        let write = |table: &str| TableUse {
            writes: true,
            ..read(table)
        };
        let path = "src/tenants/store.rs";
        assert_eq!(
            table_verdict(path, "tenants", &write("invitations")),
            Verdict::Own
        );
        assert_eq!(
            table_verdict(path, "tenants", &read("users")),
            Verdict::Excepted(("tenants", "users"))
        );
        let Verdict::Foreign(message) = table_verdict(path, "tenants", &write("users")) else {
            panic!("a read-only exception lets no one write");
        };
        assert_eq!(
            message,
            "tenants writes `users`, which auth owns: ask the auth store for it"
        );
        let Verdict::Foreign(message) =
            table_verdict("src/signatures/x.rs", "signatures", &read("prospects"))
        else {
            panic!("signatures may not read outreach's tables");
        };
        assert!(
            message.contains("outreach is not below signatures"),
            "{message}"
        );
        assert_eq!(
            table_verdict("src/demo.rs", "demo", &write("referrals")),
            Verdict::Excepted(("src/demo.rs", "referrals"))
        );
    }

    #[test]
    fn migrations_leave_their_final_tables() {
        let sql = [
            "CREATE TABLE a (id int REFERENCES b (id)); -- CREATE TABLE not_this\n\
             CREATE UNLOGGED TABLE IF NOT EXISTS b (note text DEFAULT 'CREATE TABLE x');"
                .to_string(),
            "create table c (); DROP TABLE IF EXISTS a, c; ALTER TABLE b RENAME TO d;\n\
             ALTER TABLE d RENAME note TO body;"
                .to_string(),
        ];
        let tables: Vec<String> = tables_of_migrations(&sql).into_iter().collect();
        assert_eq!(tables, ["d"]);
    }

    #[test]
    fn triggers_run_the_latest_version_of_their_function() {
        let sql = [
            "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE a SET x = 1; END $$;\n\
             CREATE TRIGGER t AFTER INSERT OR UPDATE OF state ON signatures\n\
                 FOR EACH ROW EXECUTE FUNCTION f();\n\
             CREATE TRIGGER gone AFTER INSERT ON outbox FOR EACH ROW EXECUTE PROCEDURE f();"
                .to_string(),
            "CREATE OR REPLACE FUNCTION f() RETURNS trigger AS $$ UPDATE campaigns SET v = v + 1 $$;\n\
             DROP TRIGGER gone ON outbox;"
                .to_string(),
        ];
        let triggers = triggers_of_migrations(&sql);
        assert_eq!(
            triggers,
            [Trigger {
                name: "t".into(),
                table: "signatures".into(),
                function: "f".into(),
                body: " UPDATE campaigns SET v = v + 1 ".into(),
            }]
        );
        assert_eq!(uses(&triggers[0].body), [(1, "campaigns", true)]);
    }

    #[test]
    fn each_table_has_one_owner_in_the_list() {
        let mut seen = BTreeSet::new();
        for (_, tables) in TABLES {
            for table in *tables {
                assert!(seen.insert(table), "{table} is in TABLES twice");
            }
        }
    }
}
