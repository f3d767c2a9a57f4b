//! The public side of a campaign: its page with the alphabetized signer list, the
//! sign-on form, email confirmation, referrals and withdrawal. The signatures themselves
//! (states, store, names) belong to `crate::signatures`.

mod deadline;
mod form;
mod individuals;
mod letter_pdf;
mod not_yet;
pub mod page_cache;
pub mod personal_ask;
mod public_campaign;
mod public_page;
mod release_pages;
mod signer;
mod signing_state;

use axum::routing::{get, post};
use axum::Router;
use time::Duration;

pub use form::{prefilled as prefilled_form, SignForm};
pub use page_cache::PageCache;
pub use public_campaign::public_campaign;
/// The signer's link, for the privacy pages at the top (`crate::erasure`).
pub use signer::{find, link_gone, Found};
pub use signing_state::{ListJoin, NoList, SignerForList, SigningState};

use crate::web::RateLimit;

/// New signatures from one client address (each emails a confirmation link to an address
/// nobody has proven yet), shared by every instance on the database. A room of people
/// signing together (a meeting, an office behind one address) fits in one sitting; over
/// an hour it is the rate the earlier limit of 5 in 5 minutes allowed. See
/// docs/signatures.md ("Many signers behind one address").
pub const SIGN_LIMIT: RateLimit = RateLimit {
    scope: "sign",
    max: 60,
    window: Duration::hours(1),
};
/// Submissions from one client address that stored nothing new: refused (a field to
/// fix, too fast, a stale form, the honeypot) or a signature that already exists. A person
/// corrects a form once or twice; a script trying its luck runs out of these quickly.
pub const SIGN_RETRY_LIMIT: RateLimit = RateLimit {
    scope: "sign-retry",
    max: 30,
    window: Duration::minutes(10),
};
/// A confirmation link works this long.
pub const CONFIRMATION_VALID_FOR: Duration = Duration::days(7);
/// Forms sent back faster than a person could fill them are asked to try again.
pub const MIN_FILL_TIME: Duration = Duration::seconds(3);

pub const NOTICES: &[(&str, &str)] = &[
    ("confirmed", "Thank you: your signature is confirmed."),
    (
        "reconfirmed",
        "Thank you: your name is listed under the letter as it stands now.",
    ),
    (
        "withdrawn",
        "Your signature has been withdrawn. It no longer appears anywhere public.",
    ),
    (
        "declined",
        "Done: your name is not listed under this statement, and you will not be asked again about it.",
    ),
    (
        "referrals-thanks",
        "Thank you for the suggestions: the organizers will reach out.",
    ),
];

pub fn router() -> Router<SigningState> {
    Router::new()
        .route("/{tenant}/{campaign}", get(public_page::page))
        .route("/{tenant}/{campaign}/individuals", get(individuals::page))
        .route("/{tenant}/{campaign}/letter.pdf", get(letter_pdf::download))
        .route("/{tenant}/{campaign}/press", get(release_pages::press))
        .route(
            "/app/{tenant}/campaigns/{campaign}/preview",
            get(release_pages::preview),
        )
        .route(
            "/app/{tenant}/campaigns/{campaign}/preview/press",
            get(release_pages::press_preview),
        )
        .route(
            "/{tenant}/{campaign}/revisions/{number}",
            get(public_page::old_revision),
        )
        .route(
            "/{tenant}/{campaign}/sign",
            get(form::page).post(form::submit),
        )
        .route("/{tenant}/{campaign}/sign/sent", get(form::sent))
        .route("/{tenant}/{campaign}/signature/{token}", get(signer::page))
        .route(
            "/{tenant}/{campaign}/signature/{token}/confirm",
            post(signer::confirm),
        )
        .route(
            "/{tenant}/{campaign}/signature/{token}/referrals",
            post(signer::referrals),
        )
        .route(
            "/{tenant}/{campaign}/signature/{token}/sign-again",
            post(signer::sign_again),
        )
        .route(
            "/{tenant}/{campaign}/signature/{token}/withdraw",
            get(signer::withdraw_page).post(signer::withdraw),
        )
}
