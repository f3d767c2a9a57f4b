//! The background worker: claims due outbox rows, renders and sends them, and records
//! the result. Failures are retried with exponential backoff, then marked failed.
//!
//! Delivery guarantee: at least once, and in practice exactly once. A row is claimed with
//! a lease before sending and marked sent right after the transport accepts it. The one
//! window for a repeat is a crash after the SMTP server accepted the message but before
//! the `sent` mark committed: when the lease runs out another worker sends it again.
//! Every message carries a stable `Message-ID` (the list's own for list mail,
//! `<outbox-<row id>@MAIL_DOMAIN>` otherwise), so such a repeat is the same message to the
//! receiving side, which may drop it as a duplicate.
//!
//! List mail (a row with `list_headers`, see `ListHeaders`) goes out with the list's
//! headers: `List-Id`, `List-Archive`, `List-Post`, `List-Unsubscribe` with
//! `List-Unsubscribe-Post` (the list's own leave link, also the footer's), `Precedence:
//! list`, the member's `Reply-To`, and the thread's `In-Reply-To`/`References`.
//!
//! Bounces: a permanent refusal calls the refusal hook (`with_refusal_hook`) after the row
//! is marked. Mail knows no product area, so the area that keeps addresses (the coalition
//! list's members) passes the hook down from the assembly. Not a trigger as
//! `outbox_outreach_bounce` is: the list decides from the email's kind in Rust, with its
//! own store and clock, and the hook keeps that rule beside the list's other rules
//! (tested there) instead of in SQL that names the list's tables from mail's.

use std::sync::Arc;

use futures::future::BoxFuture;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::Message;
use sqlx::PgPool;
use time::Duration;
use tokio::sync::watch;

use super::messages::MailKinds;
use super::outbox::{self, Claimed, ListHeaders};
use super::transport::{SendError, Transport};
use crate::clock::SharedClock;
use crate::config::Config;
use crate::tokens;

pub const MAX_ATTEMPTS: i32 = 8;
/// Rows claimed at a time; each one's lease is renewed when its own send starts.
const BATCH: i64 = 64;

/// Wait before attempt `attempts + 1`: 30 s, 1 min, 2 min, … up to 6 hours.
pub fn backoff(attempts: i32) -> Duration {
    let exponent = attempts.clamp(1, 20) as u32 - 1;
    let seconds = 30i64.saturating_mul(1i64 << exponent.min(20));
    Duration::seconds(seconds.min(6 * 3600))
}

/// A message the receiving server refused for good (SMTP 5xx), as the refusal hook gets
/// it: after the row was marked failed and bounced.
#[derive(Clone, Debug)]
pub struct RefusedMail {
    pub tenant: Option<uuid::Uuid>,
    pub recipient: String,
    /// The email's kind (`Email::KIND`), so the hook acts only on its own area's mail.
    pub kind: String,
    /// The server's answer.
    pub error: String,
    /// When the refusal was recorded (the worker's clock).
    pub at: time::OffsetDateTime,
}

/// Called after a permanent refusal is recorded; errors are the hook's to log.
pub type RefusalHook = Arc<dyn Fn(PgPool, RefusedMail) -> BoxFuture<'static, ()> + Send + Sync>;

#[derive(Clone)]
pub struct Worker {
    db: PgPool,
    transport: Transport,
    clock: SharedClock,
    config: Arc<Config>,
    kinds: Arc<MailKinds>,
    /// How long a claim lasts without renewal (clock time), and how often a send in
    /// progress renews it (real time).
    lease: Duration,
    renew_every: std::time::Duration,
    on_refusal: Option<RefusalHook>,
}

#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_owned()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

#[derive(Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

/// One header of list mail, its value as given (lettre encodes what is not plain ASCII,
/// CR and LF included, so a value cannot add a header).
fn raw(name: &'static str, value: String) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), value)
}

/// `<id>` for a message id given with or without its angle brackets.
fn angle(id: &str) -> String {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>');
    format!("<{id}>")
}

/// The list's headers (RFC 2369, 2919): who the list is, where its archive is, where a
/// reply goes, and the thread this message belongs to. `List-Unsubscribe` is written with
/// the footer's link by the caller.
fn list_headers(
    mut builder: lettre::message::MessageBuilder,
    list: &ListHeaders,
    archive_url: Option<&str>,
    mail_domain: &str,
) -> lettre::message::MessageBuilder {
    builder = builder.raw_header(raw("Precedence", "list".to_owned()));
    // Our loop marker: a copy of list mail that comes back (an auto-forward to the list's
    // own address) is recognised and dropped by the inbound side.
    builder = builder.raw_header(raw("X-Loop", format!("list@{mail_domain}")));
    if !list.list_id.trim().is_empty() {
        builder = builder.raw_header(raw("List-Id", list.list_id.clone()));
    }
    if let Some(archive_url) = archive_url {
        builder = builder.raw_header(raw("List-Archive", format!("<{archive_url}>")));
    }
    if let Ok(reply_to) = list.reply_to.parse::<Mailbox>() {
        builder = builder
            .raw_header(raw("List-Post", format!("<mailto:{}>", reply_to.email)))
            .reply_to(reply_to);
    }
    let references: Vec<String> = list
        .references
        .iter()
        .filter(|id| !id.trim().is_empty())
        .map(|id| angle(id))
        .collect();
    if let Some(last) = references.last() {
        builder = builder
            .in_reply_to(last.clone())
            .references(references.join(" "));
    }
    builder
}

enum Outcome {
    Sent {
        subject: String,
        transport_id: String,
    },
    Suppressed,
    /// The address was refused for good (SMTP 5xx, or not an address at all).
    Permanent(String),
    /// The message could not be made (an unreadable stored message): not the address's fault.
    Unsendable(String),
    Temporary(String),
}

impl Worker {
    pub fn new(
        db: PgPool,
        transport: Transport,
        clock: SharedClock,
        config: Arc<Config>,
        kinds: Arc<MailKinds>,
    ) -> Self {
        Self {
            db,
            transport,
            clock,
            config,
            kinds,
            lease: outbox::LEASE,
            renew_every: std::time::Duration::from_secs(30),
            on_refusal: None,
        }
    }

    /// Calls `hook` after each permanent refusal (SMTP 5xx) is recorded: how an area above
    /// mail (the coalition list) stops writing to an address that bounces.
    pub fn with_refusal_hook(mut self, hook: RefusalHook) -> Self {
        self.on_refusal = Some(hook);
        self
    }

    /// A shorter lease, for tests of what happens when leases run out.
    pub fn with_lease(mut self, lease: Duration, renew_every: std::time::Duration) -> Self {
        self.lease = lease;
        self.renew_every = renew_every;
        self
    }

    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// Sends everything due now, batch after batch; returns how many rows it handled.
    pub async fn process_due(&self) -> anyhow::Result<usize> {
        let mut handled = 0;
        loop {
            let token = uuid::Uuid::new_v4();
            let claimed =
                outbox::claim_due(&self.db, self.clock.now(), BATCH, self.lease, token).await?;
            if claimed.is_empty() {
                return Ok(handled);
            }
            // Up to `mail_concurrency` sends at once, each over its own pooled connection.
            use futures::stream::{self, StreamExt, TryStreamExt};
            let sent: Vec<bool> = stream::iter(claimed)
                .map(|row| self.deliver(row))
                .buffer_unordered(self.config.mail_concurrency)
                .try_collect()
                .await?;
            handled += sent.into_iter().filter(|s| *s).count();
        }
    }

    /// Sends one claimed row if this worker still holds it; true if it did.
    async fn deliver(&self, mut row: Claimed) -> anyhow::Result<bool> {
        // The claim covered the whole batch; this renewal makes the lease cover this
        // row's send. Lost: another worker took the row when the batch ran long.
        let Some(attempts) =
            outbox::renew_lease(&self.db, &row, self.clock.now(), self.lease, true).await?
        else {
            return Ok(false);
        };
        row.attempts = attempts;
        let outcome = {
            let send = self.attempt(&row);
            tokio::pin!(send);
            let mut renew = tokio::time::interval(self.renew_every);
            renew.tick().await;
            loop {
                tokio::select! {
                    outcome = &mut send => break outcome,
                    _ = renew.tick() => {
                        let _ = outbox::renew_lease(&self.db, &row, self.clock.now(), self.lease, false).await;
                    }
                }
            }
        };
        let held = match outcome {
            Outcome::Sent {
                subject,
                transport_id,
            } => {
                // The kept copy loses its secret links: from now on only the recipient
                // has them. A kind that cannot be read back keeps the row as it was.
                let kept = self
                    .kinds
                    .redact(&row.message)
                    .unwrap_or_else(|_| row.message.clone());
                outbox::mark_sent(
                    &self.db,
                    &row,
                    self.clock.now(),
                    &subject,
                    &transport_id,
                    &kept,
                )
                .await?
            }
            Outcome::Suppressed => outbox::mark_suppressed(&self.db, &row).await?,
            Outcome::Permanent(error) => {
                tracing::warn!(outbox_id = row.id, %error, "email refused for good");
                let held = outbox::mark_failed_attempt(&self.db, &row, &error, None, true).await?;
                if let (true, Some(hook)) = (held, &self.on_refusal) {
                    let refused = RefusedMail {
                        tenant: row.tenant,
                        recipient: row.recipient.clone(),
                        kind: row
                            .message
                            .get("kind")
                            .and_then(|k| k.as_str())
                            .unwrap_or_default()
                            .to_owned(),
                        error,
                        at: self.clock.now(),
                    };
                    hook(self.db.clone(), refused).await;
                }
                held
            }
            Outcome::Unsendable(error) => {
                tracing::error!(outbox_id = row.id, %error, "email could not be built");
                outbox::mark_failed_attempt(&self.db, &row, &error, None, false).await?
            }
            Outcome::Temporary(error) => {
                tracing::warn!(outbox_id = row.id, attempts = row.attempts, %error, "email not sent");
                let retry_at =
                    (row.attempts < MAX_ATTEMPTS).then(|| self.clock.now() + backoff(row.attempts));
                outbox::mark_failed_attempt(&self.db, &row, &error, retry_at, false).await?
            }
        };
        if !held {
            tracing::warn!(
                outbox_id = row.id,
                "lease lost while sending: another worker has the row"
            );
        }
        Ok(true)
    }

    async fn attempt(&self, row: &Claimed) -> Outcome {
        let to: Mailbox = match row.recipient.parse() {
            Ok(to) => to,
            Err(_) => {
                return Outcome::Permanent(format!("{:?} is not an email address", row.recipient))
            }
        };
        let list = match &row.list_headers {
            None => None,
            Some(value) => match serde_json::from_value::<ListHeaders>(value.clone()) {
                Ok(headers) => Some(headers),
                Err(e) => return Outcome::Unsendable(format!("unreadable list headers: {e}")),
            },
        };
        let unsubscribe_link = if row.bulk {
            match outbox::is_suppressed(&self.db, row.tenant, &row.recipient).await {
                Ok(true) => return Outcome::Suppressed,
                Ok(false) => {}
                Err(e) => return Outcome::Temporary(format!("database: {e}")),
            }
            match &list {
                // List mail: the list's own leave link, not mail's generic token.
                Some(list) if !list.unsubscribe_url.trim().is_empty() => {
                    Some(self.absolute(&list.unsubscribe_url))
                }
                _ => {
                    let token = tokens::new_token();
                    if let Err(e) =
                        outbox::set_unsubscribe_hash(&self.db, row.id, &token.hash).await
                    {
                        return Outcome::Temporary(format!("database: {e}"));
                    }
                    Some(
                        self.config
                            .link(&format!("/mail/unsubscribe/{}", token.token)),
                    )
                }
            }
        } else {
            None
        };
        let rendered = match self.kinds.render(&row.message, unsubscribe_link.clone()) {
            Ok(r) => r,
            Err(e) => return Outcome::Unsendable(e),
        };
        // A personal email shows its organizer's name over the configured address and
        // takes replies to them; everything else comes from the configured sender.
        let from = match &row.sender {
            Some(sender) => Mailbox::new(
                Some(sender.display_name.clone()),
                self.config.mail_from.email.clone(),
            ),
            None => self.config.mail_from.clone(),
        };
        // Stable: a resend after a crash is the same message to the receiving side.
        let message_id = match &list {
            Some(list) if !list.message_id.trim().is_empty() => angle(&list.message_id),
            _ => format!("<outbox-{}@{}>", row.id, self.config.mail_domain),
        };
        let mut builder = Message::builder()
            .from(from)
            .to(to)
            .subject(rendered.subject.clone())
            .date(std::time::SystemTime::from(self.clock.now()))
            .message_id(Some(message_id));
        if let Some(reply_to) = row
            .sender
            .as_ref()
            .and_then(|s| s.reply_to.parse::<Mailbox>().ok())
        {
            builder = builder.reply_to(reply_to);
        }
        if let Some(list) = &list {
            let archive =
                (!list.archive_url.trim().is_empty()).then(|| self.absolute(&list.archive_url));
            builder = list_headers(builder, list, archive.as_deref(), &self.config.mail_domain);
        }
        if let Some(link) = unsubscribe_link {
            builder = builder
                .header(ListUnsubscribe(format!("<{link}>")))
                .header(ListUnsubscribePost);
        }
        // No HTML: a plain-text message, as a person writes one.
        let built = if rendered.html.is_empty() {
            builder.singlepart(SinglePart::plain(rendered.text))
        } else {
            builder.multipart(MultiPart::alternative_plain_html(
                rendered.text,
                rendered.html,
            ))
        };
        let email = match built {
            Ok(email) => email,
            Err(e) => return Outcome::Unsendable(format!("building the message: {e}")),
        };
        match self.transport.send(email).await {
            Ok(transport_id) => Outcome::Sent {
                subject: rendered.subject,
                transport_id,
            },
            Err(SendError::Permanent(e)) => Outcome::Permanent(e),
            Err(SendError::Temporary(e)) => Outcome::Temporary(e),
        }
    }

    /// A link as stored with list mail: a path is made absolute with the app's base URL.
    fn absolute(&self, link: &str) -> String {
        if link.starts_with('/') {
            self.config.link(link)
        } else {
            link.to_owned()
        }
    }

    /// Runs until `shutdown` turns true, polling for due mail every second when idle.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        tracing::info!("mail worker started");
        loop {
            let pause = match self.process_due().await {
                Ok(0) => std::time::Duration::from_secs(1),
                Ok(_) => std::time::Duration::ZERO,
                Err(e) => {
                    tracing::error!(error = ?e, "mail worker: will try again");
                    std::time::Duration::from_secs(5)
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = shutdown.changed() => break,
            }
            if *shutdown.borrow() {
                break;
            }
        }
        tracing::info!("mail worker stopped");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::minutes(1));
        assert_eq!(backoff(3), Duration::minutes(2));
        assert_eq!(backoff(40), Duration::hours(6));
    }
}
