//! The email outbox: one mechanism for every email the product sends. Areas declare their
//! kinds of email (`Email`) and enqueue them in their own transactions (`enqueue`), the
//! worker sends them, and organizers see what happened to their group's mail. Knows no
//! product area.

pub mod address;
pub mod forget;
mod handlers;
pub mod messages;
pub mod outbox;
mod read;
mod state;
pub mod transport;
pub mod worker;

use axum::routing::{get, post};
use axum::Router;

pub use address::EmailAddress;
pub use messages::{Email, Footer, MailKinds, RenderedMail, LINK_REMOVED};
pub use outbox::{enqueue, enqueue_from, enqueue_many_list, ListHeaders, Outgoing, Sender};
pub use read::{read_eml, ReadMessage};
pub use state::{GroupZone, MailState};
pub use transport::Transport;
pub use worker::Worker;

pub const NOTICES: &[(&str, &str)] = &[
    (
        "unsubscribed",
        "Done: no more bulk email will go to that address.",
    ),
    ("retried", "The email will be tried again within a minute."),
];

pub fn router() -> Router<MailState> {
    Router::new()
        .route("/app/{tenant}/mail", get(handlers::tenant_outbox))
        .route("/app/{tenant}/mail/{id}", get(handlers::tenant_message))
        .route("/app/{tenant}/mail/{id}/retry", post(handlers::retry))
        .route("/dev/mail", get(handlers::dev_mailbox))
        .route("/dev/mail/{id}", get(handlers::dev_message))
        .route(
            "/mail/unsubscribe/{token}",
            get(handlers::unsubscribe_page).post(handlers::unsubscribe),
        )
}
