//! The public side of a campaign: its page with the alphabetized signer list, the
//! sign-on form, email confirmation, referrals and withdrawal.

mod form;
pub mod names;
mod public_page;
mod signer;
pub mod store;

use axum::routing::{get, post};
use axum::Router;
use time::Duration;

pub use public_page::PublicPageCache;

use crate::app::AppState;

/// The sign-on form's per-address limit: this many submissions per window.
pub const SIGNATURES_PER_ADDRESS: usize = 5;
pub const SIGNATURE_WINDOW: Duration = Duration::minutes(5);
/// A confirmation link works this long.
pub const CONFIRMATION_VALID_FOR: Duration = Duration::days(7);
/// Forms sent back faster than a person could fill them are asked to try again.
pub const MIN_FILL_TIME: Duration = Duration::seconds(3);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/{tenant}/{campaign}", get(public_page::page))
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
            "/{tenant}/{campaign}/signature/{token}/withdraw",
            get(signer::withdraw_page).post(signer::withdraw),
        )
}
