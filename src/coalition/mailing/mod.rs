//! The list's mail beyond each post: the daily digest (`digest`) and bounces (`bounces`,
//! the mail worker's refusal hook). The headers every list email carries are written by
//! the mail worker from `mail::ListHeaders`.

pub mod bounces;
pub mod digest;

use axum::Router;

use crate::mail::MailKinds;
use crate::state::AppState;

pub use bounces::refusal_hook;
pub use digest::ListDigest;

pub const NOTICES: &[(&str, &str)] = &[];

pub fn routes() -> Router<AppState> {
    Router::new()
}

pub fn emails(kinds: MailKinds) -> MailKinds {
    kinds.with::<ListDigest>()
}
