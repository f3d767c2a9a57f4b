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
mod statement_state;
pub mod store;
mod text;

use axum::routing::{get, post};
use axum::Router;
use time::Duration;

pub use emails::{ConfirmStatement, StatementWaiting};
pub use statement_state::StatementState;
pub use store::PublicStatement;
pub use text::{is_web_link, paragraphs};

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
