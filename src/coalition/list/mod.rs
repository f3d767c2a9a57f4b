//! (placeholder: filled by its part of issue 20)

use axum::Router;

use crate::mail::MailKinds;
use crate::state::AppState;

pub const NOTICES: &[(&str, &str)] = &[];

pub fn routes() -> Router<AppState> {
    Router::new()
}

pub fn emails(kinds: MailKinds) -> MailKinds {
    kinds
}
