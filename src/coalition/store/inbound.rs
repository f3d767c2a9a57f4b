//! Mail into the list: a member's reply key for a thread (`list_reply_keys`; `keys.rs`
//! finds a key's owner), the log of every inbound message (`list_inbound_log`), and the
//! once-an-hour rule for explanations (`list_inbound_replies`).

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::coalition::model::{ListMemberId, ThreadId};
use crate::tenancy::{TenantId, TenantScope};

/// The member's reply key for a thread, made on first use (what delivery puts in
/// `Reply-To`; also how tests and the demo get one).
pub async fn reply_key(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    member: ListMemberId,
    thread: ThreadId,
    now: OffsetDateTime,
) -> sqlx::Result<String> {
    sqlx::query_scalar(
        "INSERT INTO list_reply_keys (key, tenant_id, member_id, thread_id, created_at)
         SELECT replace(gen_random_uuid()::text, '-', ''), m.tenant_id, m.id, t.id, $4
         FROM list_members m JOIN list_threads t ON t.tenant_id = m.tenant_id AND t.id = $3
         WHERE m.tenant_id = $1 AND m.id = $2
         ON CONFLICT (member_id, thread_id) DO UPDATE SET key = list_reply_keys.key
         RETURNING key",
    )
    .bind(tenant.uuid())
    .bind(member)
    .bind(thread)
    .bind(now)
    .fetch_one(conn)
    .await
}

/// One line of the inbound log.
pub struct InboundEntry<'a> {
    pub tenant: Option<Uuid>,
    pub message_id: &'a str,
    pub from: &'a str,
    pub outcome: &'a str,
    pub detail: &'a str,
    pub size: usize,
}

pub async fn log_inbound(
    db: &PgPool,
    entry: &InboundEntry<'_>,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO list_inbound_log (tenant_id, received_at, message_id, from_address, outcome,
             detail, size_bytes)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(entry.tenant)
    .bind(now)
    .bind(entry.message_id)
    .bind(entry.from.chars().take(320).collect::<String>())
    .bind(entry.outcome)
    .bind(entry.detail.chars().take(500).collect::<String>())
    .bind(i32::try_from(entry.size).unwrap_or(i32::MAX))
    .execute(db)
    .await?;
    Ok(())
}

/// Whether a message with this id was already received and decided for the same group
/// (the key's; none for an unknown key): a refused message arriving twice is answered
/// once, a posted one is one post. Per group, so the same message to one person's keys
/// in two groups posts in both, and a sender cannot spoil another group's Message-ID.
pub async fn already_received(
    db: &PgPool,
    tenant: Option<Uuid>,
    message_id: &str,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM list_inbound_log WHERE message_id = $1
                        AND tenant_id IS NOT DISTINCT FROM $2 AND outcome <> 'duplicate')",
    )
    .bind(message_id)
    .bind(tenant)
    .fetch_one(db)
    .await
}

/// Claims the one explanation an address may get per hour: true if it may be sent now
/// (and records it), false if one went out within the hour.
pub async fn claim_answer(db: &PgPool, address: &str, now: OffsetDateTime) -> sqlx::Result<bool> {
    let claimed: Option<bool> = sqlx::query_scalar(
        "INSERT INTO list_inbound_replies (address, last_sent_at) VALUES ($1, $2)
         ON CONFLICT (address) DO UPDATE SET last_sent_at = $2
         WHERE list_inbound_replies.last_sent_at <= $2 - interval '1 hour'
         RETURNING true",
    )
    .bind(address)
    .bind(now)
    .fetch_optional(db)
    .await?;
    Ok(claimed.unwrap_or(false))
}

#[derive(Debug, sqlx::FromRow)]
pub struct InboundLogRow {
    pub id: i64,
    pub received_at: OffsetDateTime,
    pub message_id: String,
    pub from_address: String,
    pub outcome: String,
    pub detail: String,
    pub size_bytes: i32,
}

/// A page of the group's inbound log, newest first: the rows before `before` (an id),
/// one more than `limit` to tell whether there is a next page.
pub async fn inbound_log(
    db: &PgPool,
    tenant: TenantId,
    before: Option<i64>,
    limit: i64,
) -> sqlx::Result<Vec<InboundLogRow>> {
    sqlx::query_as(
        "SELECT id, received_at, message_id, from_address, outcome, detail, size_bytes
         FROM list_inbound_log
         WHERE tenant_id = $1 AND ($2::bigint IS NULL OR id < $2)
         ORDER BY id DESC LIMIT $3",
    )
    .bind(tenant.uuid())
    .bind(before)
    .bind(limit + 1)
    .fetch_all(db)
    .await
}
