//! Writing to and reading from the outbox: mail's store, for the two tables mail owns,
//! `outbox` and `mail_suppressions`. A message is enqueued inside the caller's
//! transaction, so it exists exactly when the change that caused it does.
//!
//! Trigger: `outbox_outreach_bounce` (outbox, after update of `bounced`) carries a
//! permanent refusal of an outreach email to `outreach`: every contact of the group with
//! that address is marked bounced and the log says so. Kept in the database: mail knows
//! no product area and sits below outreach (the worker's `mark_failed_attempt` cannot
//! call outreach's store), and outreach reads the mark where it sends. Named in
//! `CROSS_AREA_TRIGGERS` of tests/architecture.rs.

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

use super::messages::{stored, Email};
use crate::tenancy::TenantId;

pub struct Outgoing<'a, E: Email> {
    /// The tenant whose organizers see this email (and its failures) on their Email page.
    pub tenant: Option<uuid::Uuid>,
    /// Names the logical email ("invite:<id>"): enqueueing the same key again does nothing.
    pub idempotency_key: String,
    pub recipient: &'a str,
    pub message: E,
    /// When to send: now, or later for reminders and deadlines (the scheduler).
    pub send_at: OffsetDateTime,
    /// Bulk mail carries `List-Unsubscribe` and is never sent to suppressed addresses.
    pub bulk: bool,
}

/// Who a personal email is from: the organizer's name (with their group's) shown over the
/// configured sender address, which is never replaced (mail claiming the organizer's own
/// domain would be refused or marked as forged), and the organizer's address for replies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sender {
    /// "Maya Okafor (Ohio Valley Clean Water Alliance)".
    pub display_name: String,
    /// "Maya Okafor <maya@ohiovalley.org>": where a reply goes.
    pub reply_to: String,
}

impl Sender {
    /// An organizer of a group writing personally.
    pub fn organizer(name: &str, email: &str, group_name: &str) -> Self {
        let name = name.trim();
        let display_name = if name.is_empty() {
            group_name.to_owned()
        } else {
            format!("{name} ({group_name})")
        };
        let reply_to = lettre::message::Mailbox::new(
            (!name.is_empty()).then(|| name.to_owned()),
            match email.parse() {
                Ok(address) => address,
                // Accounts' addresses are checked when they are made; a row that cannot
                // be read back still goes out, with replies to the configured sender.
                Err(_) => {
                    return Sender {
                        display_name,
                        reply_to: String::new(),
                    }
                }
            },
        );
        Sender {
            display_name,
            reply_to: reply_to.to_string(),
        }
    }
}

/// Returns false when an email with the same idempotency key was already enqueued.
pub async fn enqueue<E: Email>(
    conn: &mut PgConnection,
    outgoing: Outgoing<'_, E>,
) -> anyhow::Result<bool> {
    enqueue_from(conn, outgoing, None).await
}

/// `enqueue`, for a personal email: from `sender` (see `Sender`) when there is one.
pub async fn enqueue_from<E: Email>(
    conn: &mut PgConnection,
    outgoing: Outgoing<'_, E>,
    sender: Option<&Sender>,
) -> anyhow::Result<bool> {
    let message = stored(&outgoing.message)?;
    let inserted = sqlx::query(
        "INSERT INTO outbox (tenant_id, idempotency_key, recipient, message, bulk, send_at, from_name, reply_to)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(outgoing.tenant)
    .bind(&outgoing.idempotency_key)
    .bind(outgoing.recipient)
    .bind(message)
    .bind(outgoing.bulk)
    .bind(outgoing.send_at)
    .bind(sender.map(|s| s.display_name.as_str()))
    .bind(sender.map(|s| s.reply_to.as_str()).filter(|r| !r.is_empty()))
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Enqueues many emails of one tenant in one statement (an organizer's ask to a
/// thousand contacts returns at once). Returns the idempotency keys that were new.
pub async fn enqueue_many<E: Email>(
    conn: &mut PgConnection,
    tenant: Option<uuid::Uuid>,
    messages: Vec<(String, String, E)>,
    send_at: OffsetDateTime,
    bulk: bool,
) -> anyhow::Result<Vec<String>> {
    enqueue_many_from(conn, tenant, messages, send_at, bulk, None).await
}

/// `enqueue_many`, every message from `sender` when there is one (an organizer's ask).
pub async fn enqueue_many_from<E: Email>(
    conn: &mut PgConnection,
    tenant: Option<uuid::Uuid>,
    messages: Vec<(String, String, E)>,
    send_at: OffsetDateTime,
    bulk: bool,
    sender: Option<&Sender>,
) -> anyhow::Result<Vec<String>> {
    let mut keys = Vec::with_capacity(messages.len());
    let mut recipients = Vec::with_capacity(messages.len());
    let mut bodies = Vec::with_capacity(messages.len());
    for (key, recipient, message) in messages {
        keys.push(key);
        recipients.push(recipient);
        bodies.push(stored(&message)?);
    }
    let inserted = sqlx::query_scalar(
        "INSERT INTO outbox (tenant_id, idempotency_key, recipient, message, bulk, send_at, from_name, reply_to)
         SELECT $1, key, recipient, message, $5, $6, $7, $8
         FROM unnest($2::text[], $3::text[], $4::jsonb[]) AS m(key, recipient, message)
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key",
    )
    .bind(tenant)
    .bind(&keys)
    .bind(&recipients)
    .bind(&bodies)
    .bind(bulk)
    .bind(send_at)
    .bind(sender.map(|s| s.display_name.as_str()))
    .bind(sender.map(|s| s.reply_to.as_str()).filter(|r| !r.is_empty()))
    .fetch_all(conn)
    .await?;
    Ok(inserted)
}

/// The headers a mailing list's email carries (RFC 2369, 2919, 8058), stored with the row
/// and written by the worker: `List-Id`, `List-Archive`, `List-Post`, `List-Unsubscribe`
/// (the list's own one-click leave link, with `List-Unsubscribe-Post`), `Precedence:
/// list`, a `Reply-To` that traces a reply to its member, and the message's threading.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ListHeaders {
    /// "Clean Water Coalition <list.ohio-valley.undersigned.example>" (RFC 2919).
    pub list_id: String,
    pub archive_url: String,
    /// The member's one-click leave link: `List-Unsubscribe` and the footer's link.
    pub unsubscribe_url: String,
    /// "list+<key>@MAIL_DOMAIN": the member's reply address for this thread.
    pub reply_to: String,
    /// Without angle brackets: "post-<id>@MAIL_DOMAIN".
    pub message_id: String,
    /// The thread's earlier message ids, oldest first (`In-Reply-To` is the last).
    #[serde(default)]
    pub references: Vec<String>,
    /// The name shown over the configured sender address ("Ana Ruiz via Clean Water
    /// Coalition"), kept in the row's `from_name` like a personal email's; empty: the
    /// configured sender's own.
    #[serde(default)]
    pub from_name: String,
}

/// Enqueues list mail: like `enqueue_many` (bulk, never to a suppressed address), each
/// message with its list headers. Returns the idempotency keys that were new.
pub async fn enqueue_many_list<E: Email>(
    conn: &mut PgConnection,
    tenant: Option<uuid::Uuid>,
    messages: Vec<(String, String, E, ListHeaders)>,
    send_at: OffsetDateTime,
) -> anyhow::Result<Vec<String>> {
    let mut keys = Vec::with_capacity(messages.len());
    let mut recipients = Vec::with_capacity(messages.len());
    let mut bodies = Vec::with_capacity(messages.len());
    let mut headers = Vec::with_capacity(messages.len());
    let mut from_names = Vec::with_capacity(messages.len());
    for (key, recipient, message, list_headers) in messages {
        keys.push(key);
        recipients.push(recipient);
        bodies.push(stored(&message)?);
        from_names.push(list_headers.from_name.clone());
        headers.push(serde_json::to_value(list_headers)?);
    }
    let inserted = sqlx::query_scalar(
        "INSERT INTO outbox (tenant_id, idempotency_key, recipient, message, bulk, send_at, list_headers, from_name)
         SELECT $1, key, recipient, message, true, $5, headers, nullif(from_name, '')
         FROM unnest($2::text[], $3::text[], $4::jsonb[], $6::jsonb[], $7::text[])
             AS m(key, recipient, message, headers, from_name)
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key",
    )
    .bind(tenant)
    .bind(&keys)
    .bind(&recipients)
    .bind(&bodies)
    .bind(send_at)
    .bind(&headers)
    .bind(&from_names)
    .fetch_all(conn)
    .await?;
    Ok(inserted)
}

/// Withdraws a scheduled email that has not gone out yet; true if there was one.
pub async fn cancel(conn: &mut PgConnection, idempotency_key: &str) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM outbox WHERE idempotency_key = $1 AND status = 'pending' AND lease_until IS NULL")
        .bind(idempotency_key)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OutboxEntry {
    pub id: i64,
    pub recipient: String,
    pub subject: Option<String>,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub send_at: OffsetDateTime,
    pub sent_at: Option<OffsetDateTime>,
    pub transport_id: Option<String>,
    pub message: serde_json::Value,
}

impl OutboxEntry {
    pub fn kind(&self) -> &str {
        self.message
            .get("kind")
            .and_then(|k| k.as_str())
            .unwrap_or("email")
    }

    pub fn status_label(&self) -> &'static str {
        match self.status.as_str() {
            "sent" => "Sent",
            "failed" => "Failed",
            "suppressed" => "Not sent (unsubscribed)",
            _ if self.attempts > 0 => "Retrying",
            _ => "Waiting",
        }
    }
}

const ENTRY_COLUMNS: &str =
    "id, recipient, subject, status, attempts, last_error, send_at, sent_at, transport_id, message";

pub async fn for_tenant(
    db: &PgPool,
    tenant: TenantId,
    limit: i64,
) -> sqlx::Result<Vec<OutboxEntry>> {
    sqlx::query_as(&format!(
        "SELECT {ENTRY_COLUMNS} FROM outbox WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
    ))
    .bind(tenant.uuid())
    .bind(limit)
    .fetch_all(db)
    .await
}

/// A message the worker gave up on: what the Email page, the outreach dashboard and the
/// digest show of it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct FailedMessage {
    pub id: i64,
    pub recipient: String,
    /// The last error the transport gave (empty when it gave none).
    pub error: String,
}

/// A group's failed messages whose kind starts with `kind_prefix` (`"outreach_"`), newest
/// first.
pub async fn failed_of_kind(
    db: &PgPool,
    tenant: TenantId,
    kind_prefix: &str,
    limit: i64,
) -> sqlx::Result<Vec<FailedMessage>> {
    sqlx::query_as(
        "SELECT id, recipient, coalesce(last_error, '') AS error FROM outbox
         WHERE tenant_id = $1 AND status = 'failed' AND starts_with(message ->> 'kind', $2)
         ORDER BY id DESC LIMIT $3",
    )
    .bind(tenant.uuid())
    .bind(kind_prefix)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// A group's messages that failed after being queued since `since`, oldest first (the
/// scheduler's digest: it has the group's id, not a member's).
pub async fn failed_since(
    conn: &mut PgConnection,
    tenant_id: uuid::Uuid,
    since: OffsetDateTime,
    limit: i64,
) -> sqlx::Result<Vec<FailedMessage>> {
    sqlx::query_as(
        "SELECT id, recipient, coalesce(last_error, '') AS error FROM outbox
         WHERE tenant_id = $1 AND status = 'failed' AND created_at > $2
         ORDER BY id LIMIT $3",
    )
    .bind(tenant_id)
    .bind(since)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// The status of the message queued under `idempotency_key` ("pending", "sent",
/// "failed"…), if one was.
pub async fn status_by_key(
    conn: &mut PgConnection,
    idempotency_key: &str,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT status FROM outbox WHERE idempotency_key = $1")
        .bind(idempotency_key)
        .fetch_optional(conn)
        .await
}

pub async fn failed_count(db: &PgPool, tenant: TenantId) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM outbox WHERE tenant_id = $1 AND status = 'failed'")
        .bind(tenant.uuid())
        .fetch_one(db)
        .await
}

pub async fn one_for_tenant(
    db: &PgPool,
    tenant: TenantId,
    id: i64,
) -> sqlx::Result<Option<OutboxEntry>> {
    sqlx::query_as(&format!(
        "SELECT {ENTRY_COLUMNS} FROM outbox WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(tenant.uuid())
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Every email (development mailbox only).
pub async fn all_recent(db: &PgPool, limit: i64) -> sqlx::Result<Vec<OutboxEntry>> {
    sqlx::query_as(&format!(
        "SELECT {ENTRY_COLUMNS} FROM outbox ORDER BY created_at DESC, id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(db)
    .await
}

pub async fn one(db: &PgPool, id: i64) -> sqlx::Result<Option<OutboxEntry>> {
    sqlx::query_as(&format!("SELECT {ENTRY_COLUMNS} FROM outbox WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Puts a failed email back in the queue for a fresh round of attempts.
pub async fn retry(
    db: &PgPool,
    tenant: TenantId,
    id: i64,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE outbox SET status = 'pending', attempts = 0, send_at = $3, lease_until = NULL
         WHERE tenant_id = $1 AND id = $2 AND status = 'failed'",
    )
    .bind(tenant.uuid())
    .bind(id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whom a bulk email's unsubscribe link stops mail to, and for which group.
#[derive(sqlx::FromRow)]
pub struct UnsubscribeTarget {
    pub email: String,
    pub tenant: Option<uuid::Uuid>,
    pub group_name: Option<String>,
}

pub async fn unsubscribe_target(
    db: &PgPool,
    token_hash: &[u8],
) -> sqlx::Result<Option<UnsubscribeTarget>> {
    sqlx::query_as(
        "SELECT o.recipient AS email, o.tenant_id AS tenant, t.name AS group_name
         FROM outbox o LEFT JOIN tenants t ON t.id = o.tenant_id
         WHERE o.unsubscribe_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await
}

/// No more bulk mail from `tenant` (or from anyone, for mail no group sent) to `email`.
pub async fn suppress(
    db: &PgPool,
    tenant: Option<uuid::Uuid>,
    email: &str,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO mail_suppressions (tenant_id, email, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(tenant)
    .bind(email)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Delivery of one claimed row, as the worker knows it.
pub struct Claimed {
    pub id: i64,
    /// This worker's claim: marks apply only while the row still carries it.
    pub token: uuid::Uuid,
    pub tenant: Option<uuid::Uuid>,
    pub recipient: String,
    pub message: serde_json::Value,
    pub bulk: bool,
    pub attempts: i32,
    /// A personal email's sender, as enqueued (`Sender`); `None` for the configured one.
    pub sender: Option<Sender>,
    /// List mail's headers (`enqueue_many_list`), as stored; `None` for every other email.
    /// Read by the worker, which refuses to send a row whose headers it cannot read.
    pub list_headers: Option<serde_json::Value>,
}

/// A claimed row as the claim returns it.
#[derive(sqlx::FromRow)]
struct ClaimedRow {
    id: i64,
    tenant_id: Option<uuid::Uuid>,
    recipient: String,
    message: serde_json::Value,
    bulk: bool,
    attempts: i32,
    from_name: Option<String>,
    reply_to: Option<String>,
    list_headers: Option<serde_json::Value>,
}

/// How long a claimed row stays with the worker that claimed it without being renewed.
/// A worker renews a row's lease right before and while sending it; one that dies holds
/// its rows only this long, then another worker sends them.
pub const LEASE: time::Duration = time::Duration::minutes(2);

/// Claims up to `limit` due rows for this worker under `token`. `SKIP LOCKED` lets workers
/// claim side by side; the lease written in the same statement keeps a row from being
/// claimed twice while it lasts.
pub async fn claim_due(
    db: &PgPool,
    now: OffsetDateTime,
    limit: i64,
    lease: time::Duration,
    token: uuid::Uuid,
) -> sqlx::Result<Vec<Claimed>> {
    let rows: Vec<ClaimedRow> = sqlx::query_as(
        "UPDATE outbox SET lease_until = $1 + $3, lease_token = $4
         WHERE id IN (
             SELECT id FROM outbox
             WHERE status = 'pending' AND send_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
             ORDER BY send_at, id LIMIT $2
             FOR UPDATE SKIP LOCKED)
         RETURNING id, tenant_id, recipient, message, bulk, attempts, from_name, reply_to, list_headers",
    )
    .bind(now)
    .bind(limit)
    .bind(lease)
    .bind(token)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Claimed {
            id: r.id,
            tenant: r.tenant_id,
            recipient: r.recipient,
            message: r.message,
            bulk: r.bulk,
            attempts: r.attempts,
            sender: r.from_name.map(|display_name| Sender {
                display_name,
                reply_to: r.reply_to.unwrap_or_default(),
            }),
            list_headers: r.list_headers,
            token,
        })
        .collect())
}

/// Extends the lease of a row this worker still holds, counting the attempt the first
/// time (`starting`); false when another worker has it now (or it is no longer pending).
pub async fn renew_lease(
    db: &PgPool,
    row: &Claimed,
    now: OffsetDateTime,
    lease: time::Duration,
    starting: bool,
) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar(
        "UPDATE outbox SET lease_until = $3 + $4, attempts = attempts + CASE WHEN $5 THEN 1 ELSE 0 END
         WHERE id = $1 AND lease_token = $2 AND status = 'pending'
         RETURNING attempts",
    )
    .bind(row.id)
    .bind(row.token)
    .bind(now)
    .bind(lease)
    .bind(starting)
    .fetch_optional(db)
    .await
}

/// Whether `email` unsubscribed from this group's bulk mail (or from all bulk mail).
pub async fn is_suppressed(
    db: &PgPool,
    tenant: Option<uuid::Uuid>,
    email: &str,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM mail_suppressions
                        WHERE email = $2::citext AND (tenant_id IS NULL OR tenant_id = $1))",
    )
    .bind(tenant)
    .bind(email)
    .fetch_one(db)
    .await
}

pub async fn set_unsubscribe_hash(db: &PgPool, id: i64, hash: &[u8]) -> sqlx::Result<()> {
    sqlx::query("UPDATE outbox SET unsubscribe_hash = $2 WHERE id = $1")
        .bind(id)
        .bind(hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Marks a row sent; false when this worker no longer held it.
pub async fn mark_sent(
    db: &PgPool,
    row: &Claimed,
    now: OffsetDateTime,
    subject: &str,
    transport_id: &str,
    kept_message: &serde_json::Value,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE outbox SET status = 'sent', sent_at = $2, subject = $3, transport_id = $4, lease_until = NULL, last_error = NULL,
                message = $5
         WHERE id = $1 AND lease_token = $6",
    )
    .bind(row.id)
    .bind(now)
    .bind(subject)
    .bind(transport_id)
    .bind(kept_message)
    .bind(row.token)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn mark_suppressed(db: &PgPool, row: &Claimed) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE outbox SET status = 'suppressed', lease_until = NULL WHERE id = $1 AND lease_token = $2",
    )
    .bind(row.id)
    .bind(row.token)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a failed attempt: tried again at `retry_at`, or given up on when `None`;
/// `bounced` when the server refused the address for good (areas that keep addresses,
/// such as outreach contacts, stop writing to it).
pub async fn mark_failed_attempt(
    db: &PgPool,
    row: &Claimed,
    error: &str,
    retry_at: Option<OffsetDateTime>,
    bounced: bool,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE outbox SET last_error = $2, lease_until = NULL,
                status = CASE WHEN $3::timestamptz IS NULL THEN 'failed' ELSE status END,
                send_at = coalesce($3, send_at), bounced = $5
         WHERE id = $1 AND lease_token = $4",
    )
    .bind(row.id)
    .bind(error)
    .bind(retry_at)
    .bind(row.token)
    .bind(bounced)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}
