//! Campaigns as organizers run them: the group's overview, points of unity, versioned
//! letter drafts, deadlines and status, and the campaign dashboard with moderation,
//! referrals, and signer export and import (the signatures themselves belong to
//! `crate::signatures`).

pub mod correction;
mod diff;
pub mod document;
mod handlers;
mod import;
pub mod letter;
pub mod letter_changes;
pub mod lifecycle;
pub mod lookup;
mod notices;
mod points;
pub mod reissue;
pub mod release;
mod signature_pages;
mod slug;
pub mod store;
pub mod time_zones;

use axum::routing::{get, post};
use axum::Router;

pub use lifecycle::Status;
pub use notices::NOTICES;
pub use points::{parse_points, MAX_POINTS, MAX_POINT_LENGTH};
pub use slug::CampaignSlug;

use crate::state::AppState;

/// The area's routes, kept with their paths so the words the router uses where a
/// campaign's slug goes are reserved from the routes themselves.
struct Routes {
    router: Router<AppState>,
    paths: Vec<String>,
}

impl Routes {
    fn route(mut self, path: &str, handler: axum::routing::MethodRouter<AppState>) -> Self {
        self.paths.push(path.to_owned());
        self.router = self.router.route(path, handler);
        self
    }
}

const CAMPAIGNS: &str = "/app/{tenant}/campaigns";

fn routes() -> Routes {
    let c = &format!("{CAMPAIGNS}/{{campaign}}");
    Routes {
        router: Router::new(),
        paths: Vec::new(),
    }
    .route("/app/{tenant}", get(handlers::overview))
    .route(CAMPAIGNS, get(handlers::list))
    .route(
        &format!("{CAMPAIGNS}/new"),
        get(handlers::new_page).post(handlers::create),
    )
    .route(c, get(handlers::dashboard))
    .route(
        &format!("{c}/settings"),
        get(handlers::settings_page).post(handlers::update_settings),
    )
    .route(&format!("{c}/status"), post(handlers::change_status))
    .route(
        &format!("{c}/letter"),
        get(letter::edit_page).post(letter::save),
    )
    .route(
        &format!("{c}/release"),
        get(release::page).post(release::save),
    )
    .route(
        &format!("{c}/reissue"),
        get(reissue::page).post(reissue::reissue),
    )
    .route(&format!("{c}/reissue/notice"), post(reissue::set_notice))
    .route(&format!("{c}/revisions"), get(letter::history))
    .route(
        &format!("{c}/revisions/{{number}}"),
        get(letter::show_revision),
    )
    .route(&format!("{c}/diff"), get(letter::diff))
    .route(
        &format!("{c}/signatures/{{id}}"),
        get(signature_pages::detail),
    )
    .route(
        &format!("{c}/signatures/{{id}}/decide"),
        post(signature_pages::decide),
    )
    .route(&format!("{c}/referrals"), get(signature_pages::referrals))
    .route(&format!("{c}/export.csv"), get(signature_pages::export))
    .route(&format!("{c}/letter.pdf"), get(document::download))
    .route(
        &format!("{c}/import"),
        get(import::page).post(import::upload),
    )
    .route(&format!("{c}/import/confirm"), post(import::confirm))
}

pub fn router() -> Router<AppState> {
    routes().router
}

/// The fixed words of this area's routes right where a campaign's slug goes
/// (`/app/{tenant}/campaigns/new`): a campaign named so would be shadowed.
/// The first path segments after a group's slug that are not campaigns.
pub const GROUP_PAGES: &[&str] = &["list"];

fn reserved_slugs() -> Vec<String> {
    static RESERVED: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    RESERVED
        .get_or_init(|| {
            routes()
                .paths
                .iter()
                .filter_map(|path| path.strip_prefix(CAMPAIGNS)?.strip_prefix('/'))
                .filter_map(|rest| rest.split('/').next())
                .filter(|word| !word.starts_with('{'))
                .map(str::to_owned)
                // The group's own public pages beside its campaigns' (`/{tenant}/list`:
                // the coalition's list).
                .chain(GROUP_PAGES.iter().map(|page| (*page).to_owned()))
                .collect()
        })
        .clone()
}
