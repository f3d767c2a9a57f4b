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
pub mod lookup;
pub mod reissue;
pub mod release;
mod signature_pages;
pub mod store;
pub mod time_zones;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub const NOTICES: &[(&str, &str)] = &[
    (
        "campaign-created",
        "Campaign created. It is a draft: nothing is public until you open it.",
    ),
    ("campaign-saved", "Campaign settings saved."),
    (
        "release-saved",
        "Release and updates saved.",
    ),
    (
        "campaign-opened",
        "The campaign is open: the sign-on link works and the page is unlisted.",
    ),
    (
        "campaign-published",
        "Published: the public page lists everyone who signed.",
    ),
    (
        "campaign-closed",
        "Closed: the form takes no more signatures; the page stays.",
    ),
    (
        "campaign-reopened",
        "Reopened: the form takes signatures again.",
    ),
    (
        "campaign-kept-open",
        "The letter stays open to new signers after the hard deadline.",
    ),
    (
        "campaign-deadline-restored",
        "The form closes again at the hard deadline.",
    ),
    (
        "letter-saved",
        "Letter saved as a new revision. The public page and the form show it now.",
    ),
    (
        "letter-saved-minor",
        "Saved as a minor change: every listed signer was emailed the change and the new text, and stays listed unless they withdraw.",
    ),
    (
        "letter-saved-correction",
        "Saved as a correction: no word changed, so nobody was emailed. Everyone listed stays listed under the corrected text.",
    ),
    (
        "letter-saved-substantive",
        "Saved as a substantive change: signers are listed under the new text only once they confirm it; each was emailed a link to do so.",
    ),
    (
        "reissued",
        "Reissued as a new statement, open for signatures. Each previous signer was emailed the new text and their own link; nobody is listed until they decide (or, if they were told in advance, until the opt-out date passes).",
    ),
    (
        "reissue-notice-saved",
        "Saved. Signers who confirm from now on see the notice, and it is recorded with their signature.",
    ),
    (
        "letter-unchanged",
        "The letter was not changed, so no new revision was made.",
    ),
    (
        "signature-approved",
        "Signature approved: it counts and is listed publicly.",
    ),
    (
        "signature-restored",
        "Rejection undone: the signature is back where it was before.",
    ),
    (
        "signature-asked-to-confirm",
        "Done, but the name is not listed yet: the letter changed after this signer confirmed it, so they were emailed the text as it stands and appear once they confirm it.",
    ),
    (
        "signature-rejected",
        "Signature rejected. The reason is kept in its history.",
    ),
    ("imported", "Signatures imported. Each signer was emailed a link to confirm; their names appear once they do."),
];

crate::db::text_enum! {
    /// Where a campaign is in its life. Only `open` and `published` accept signatures.
    pub enum Status {
        /// Nothing public yet.
        Draft = "draft",
        /// The sign-on link works; the page is unlisted (`noindex`).
        Open = "open",
        /// The public page lists everyone and may be indexed.
        Published = "published",
        /// The form is closed; the page stays.
        Closed = "closed",
    }
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "Draft",
            Status::Open => "Open for signatures",
            Status::Published => "Published",
            Status::Closed => "Closed",
        }
    }

    pub fn is_public(self) -> bool {
        self != Status::Draft
    }
}

/// A campaign's URL slug: 2 to 64 lowercase letters, digits and inner hyphens, unique
/// within its tenant.
pub struct CampaignSlug(String);

impl CampaignSlug {
    pub const MAX_LEN: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, String> {
        crate::web::slug::parse(raw, Self::MAX_LEN, &reserved_slugs()).map(Self)
    }

    pub fn suggest(title: &str) -> String {
        crate::web::slug::suggest(title, Self::MAX_LEN)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub const MAX_POINTS: usize = 3;
pub const MAX_POINT_LENGTH: usize = 500;

/// One to three points of unity, never more.
pub fn parse_points(raw: &[String]) -> Result<Vec<String>, String> {
    let points: Vec<String> = raw
        .iter()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect();
    if points.is_empty() {
        return Err(
            "Write at least one point of unity: the principle every signer agrees to.".into(),
        );
    }
    if points.len() > MAX_POINTS {
        return Err(format!(
            "Keep it to at most three points of unity (you wrote {}). Fewer, broader principles attract larger coalitions.",
            points.len()
        ));
    }
    if points.iter().any(|p| p.chars().count() > MAX_POINT_LENGTH) {
        return Err("Keep each point under 500 characters.".into());
    }
    Ok(points)
}

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
                .collect()
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_to_three_points() {
        assert!(parse_points(&["".into()]).is_err());
        assert_eq!(
            parse_points(&[" Clean water ".into(), "".into()]).unwrap(),
            vec!["Clean water"]
        );
        let four: Vec<String> = (1..=4).map(|n| format!("point {n}")).collect();
        assert!(parse_points(&four).unwrap_err().contains("at most three"));
    }

    #[test]
    fn statuses_read_back_only_known_values() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Some(*status));
        }
        assert_eq!(Status::parse("archived"), None);
    }

    #[test]
    fn campaign_slugs() {
        assert_eq!(reserved_slugs(), ["new"], "taken from the routes");
        assert!(CampaignSlug::parse("new").is_err());
        assert!(CampaignSlug::parse("x").is_err());
        assert_eq!(
            CampaignSlug::parse("Clean-Water-2027").unwrap().as_str(),
            "clean-water-2027"
        );
    }
}
