//! Mail into the list (docs/coalition.md, "Posting by email"). Each list email goes out
//! with `Reply-To: list+<reply key>@MAIL_DOMAIN`; a member also has a posting key for
//! starting a thread. An inbound message is traced to a member by that key, never by its
//! From header, and enters the list only through `posting::submit`.
//!
//! - `parse`: one raw message into the facts the list decides on (pure);
//!   `trim`: quoted text and signatures off, HTML to sanitized text (pure).
//! - `receive`: the decision, logged in `list_inbound_log`, answered when safe.
//! - the two doors: `undersigned receive-mail` (src/main.rs, a pipe transport) and
//!   `POST /inbound/email` (`http`, shared secret); the organizers' log (`page`).

mod emails;
pub mod http;
mod page;
pub mod parse;
pub mod receive;
pub mod trim;

use axum::routing::{get, post};
use axum::Router;

pub use emails::InboundAnswer;
pub use parse::MAX_MESSAGE_BYTES;
pub use receive::{receive, Outcome};

use crate::mail::MailKinds;
use crate::state::AppState;

pub const NOTICES: &[(&str, &str)] = &[];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/inbound/email", post(http::inbound_email))
        .route("/app/{tenant}/list/inbound", get(page::inbound_log))
}

pub fn emails(kinds: MailKinds) -> MailKinds {
    kinds.with::<InboundAnswer>()
}
