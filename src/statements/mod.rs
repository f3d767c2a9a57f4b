//! Statements in their own words: an organization that cannot sign sends a statement
//! (organization, contact, text, optional link) through a public form. It speaks for an
//! organization as a signature does, so it waits for its sender to confirm it from a
//! single-use link emailed to the address they typed (`confirm`); only then are organizers
//! told, and only a confirmed statement can be approved. The public page shows approved
//! ones in a section apart from the signers (`signing`'s public page reads
//! `store::approved`). See docs/statements.md.

mod confirm;
mod emails;
mod form;
mod organizers;
pub mod store;

use axum::routing::{get, post};
use axum::Router;
use time::Duration;

pub use emails::{ConfirmStatement, StatementWaiting};
pub use store::PublicStatement;

use crate::state::AppState;
use crate::web::RateLimit;

/// The statement form's per-address limit, shared by every instance on the database.
pub const STATEMENT_LIMIT: RateLimit = RateLimit {
    scope: "statement",
    max: 5,
    window: Duration::minutes(5),
};
/// Forms sent back faster than a person could fill them are asked to try again.
pub const MIN_FILL_TIME: Duration = Duration::seconds(3);
/// How long a fetched form may be sent back.
pub const FORM_VALID_FOR: Duration = Duration::days(1);
pub const MAX_BODY: usize = 5000;
/// A confirmation link works this long.
pub const CONFIRMATION_VALID_FOR: Duration = Duration::days(7);
/// One confirmation email per address and campaign per this long, however often the form
/// is sent again (as signatures' `REMINDER_GAP`).
pub const CONFIRMATION_GAP: Duration = Duration::hours(1);

pub const NOTICES: &[(&str, &str)] = &[
    (
        "statement-approved",
        "Statement approved: it appears on the public page, apart from the signers.",
    ),
    (
        "statement-rejected",
        "Statement rejected. It is not shown publicly; the reason is kept.",
    ),
    (
        "statement-approval-withdrawn",
        "Approval withdrawn: the statement is off the public page and waits for a decision again.",
    ),
];

crate::db::text_enum! {
    /// Where a statement stands. Only `approved` ones are public.
    pub enum StatementState {
        Pending = "pending",
        Approved = "approved",
        Rejected = "rejected",
    }
}

impl StatementState {
    pub fn label(self) -> &'static str {
        match self {
            StatementState::Pending => "Awaiting a decision",
            StatementState::Approved => "Approved (public)",
            StatementState::Rejected => "Rejected",
        }
    }
}

/// Plain text in paragraphs: split at blank lines, each trimmed, empty ones dropped.
pub fn paragraphs(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut end = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim().is_empty() {
            if let Some(s) = start.take() {
                out.push(text[s..end].trim());
            }
        } else {
            start.get_or_insert(offset);
            end = offset + line.len();
        }
        offset += line.len();
    }
    if let Some(s) = start {
        out.push(text[s..end].trim());
    }
    out
}

/// An absolute http(s) address with a host.
pub fn is_web_link(link: &str) -> bool {
    url::Url::parse(link).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
    })
}

pub fn router() -> Router<AppState> {
    let c = "/app/{tenant}/campaigns/{campaign}";
    Router::new()
        .route(
            "/{tenant}/{campaign}/statement",
            get(form::page).post(form::submit),
        )
        .route("/{tenant}/{campaign}/statement/sent", get(form::sent))
        .route(
            "/{tenant}/{campaign}/statement/confirmed",
            get(confirm::confirmed),
        )
        .route(
            "/{tenant}/{campaign}/statement/{id}/{token}",
            get(confirm::page).post(confirm::confirm),
        )
        .route(&format!("{c}/statements"), get(organizers::list))
        .route(
            &format!("{c}/statements/{{id}}/decide"),
            post(organizers::decide),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_split_at_blank_lines() {
        assert_eq!(
            paragraphs("One line\nand more.\n\n  \r\nSecond.\n\n\n"),
            ["One line\nand more.", "Second."]
        );
        assert!(paragraphs(" \n\n").is_empty());
    }

    #[test]
    fn only_web_links() {
        assert!(is_web_link("https://lake.example/statement?x=1"));
        assert!(is_web_link("http://lake.example"));
        for bad in [
            "javascript:alert(1)",
            "JAVASCRIPT://x%0aalert(1)",
            "data:text/html,x",
            "lake.example",
            "ftp://x.example",
            "https://",
        ] {
            assert!(!is_web_link(bad), "{bad}");
        }
    }

    #[test]
    fn states_read_back_only_known_values() {
        for state in StatementState::ALL {
            assert_eq!(StatementState::parse(state.as_str()), Some(*state));
        }
        assert_eq!(StatementState::parse("withdrawn"), None);
    }
}
