//! The email outbox: one mechanism for every email the product sends. Areas declare their
//! kinds of email (`Email`) and enqueue them in their own transactions (`enqueue`), the
//! worker sends them, and organizers see what happened to their group's mail. Knows no
//! product area.

pub mod address;
pub mod forget;
mod handlers;
pub mod messages;
pub mod outbox;
pub mod transport;
pub mod worker;

use axum::extract::FromRef;
use axum::routing::{get, post};
use axum::Router;

pub use address::EmailAddress;
pub use messages::{Email, Footer, MailKinds, RenderedMail, LINK_REMOVED};
pub use outbox::{enqueue, enqueue_from, Outgoing, Sender};
pub use transport::Transport;
pub use worker::Worker;

use crate::state::AppState;

pub const NOTICES: &[(&str, &str)] = &[
    (
        "unsubscribed",
        "Done: no more bulk email will go to that address.",
    ),
    ("retried", "The email will be tried again within a minute."),
];

/// The mail pages need the shared state and, to read back written mail, the transport.
#[derive(Clone)]
pub struct MailState {
    pub app: AppState,
    pub transport: Transport,
    /// To know which messages carry a recipient's secret link.
    pub kinds: std::sync::Arc<MailKinds>,
    /// The time zone a group's Email page shows times in (its campaigns', which this
    /// area knows nothing of: the app passes the lookup down).
    pub group_zone: GroupZone,
}

/// Finds the time zone a group works in: the one most of its campaigns use ("UTC" when
/// it has none).
pub type GroupZone = std::sync::Arc<
    dyn Fn(
            sqlx::PgPool,
            crate::tenancy::TenantId,
        ) -> futures::future::BoxFuture<'static, sqlx::Result<String>>
        + Send
        + Sync,
>;

impl FromRef<MailState> for AppState {
    fn from_ref(state: &MailState) -> Self {
        state.app.clone()
    }
}

impl MailState {
    /// Whether sent mail can be read back in the browser (file transport).
    pub fn files_readable(&self) -> bool {
        matches!(self.transport, Transport::Files { .. })
    }
}

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

/// A message as written to a file, read back for the browser (and for tests).
pub struct ReadMessage {
    pub subject: String,
    pub from: String,
    /// The From display name ("Maya Okafor (Ohio Valley Clean Water Alliance)").
    pub from_name: String,
    /// Where replies go, when the message names someone (a personal email).
    pub reply_to: Option<String>,
    pub to: String,
    pub text: String,
    pub html: String,
    pub list_unsubscribe: Option<String>,
}

pub fn read_eml(raw: &[u8]) -> Option<ReadMessage> {
    let parsed = mail_parser::MessageParser::default().parse(raw)?;
    let address = |a: Option<&mail_parser::Address>| {
        a.and_then(|a| a.first())
            .and_then(|a| a.address())
            .unwrap_or_default()
            .to_owned()
    };
    Some(ReadMessage {
        subject: parsed.subject().unwrap_or_default().to_owned(),
        from: address(parsed.from()),
        from_name: parsed
            .from()
            .and_then(|a| a.first())
            .and_then(|a| a.name())
            .unwrap_or_default()
            .to_owned(),
        reply_to: parsed
            .reply_to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .map(str::to_owned),
        to: address(parsed.to()),
        text: parsed
            .body_text(0)
            .map(|t| t.into_owned())
            .unwrap_or_default(),
        html: parsed
            .body_html(0)
            .map(|t| t.into_owned())
            .unwrap_or_default(),
        list_unsubscribe: parsed
            .header_raw("List-Unsubscribe")
            .map(|v| v.trim().to_owned()),
    })
}
