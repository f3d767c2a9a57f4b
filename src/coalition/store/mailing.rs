//! The list's own mail beyond each post: the daily digest (who is due one, the posts it
//! carries, `last_digest_at`) and bounces (`bouncing_since`, `bounce_reason`). The
//! scheduler and the mail worker's refusal hook have a group's id, not an organizer's, so
//! these functions take the raw id, as outbox's scheduled reads do.

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::members::{ListMember, MEMBER_COLUMNS};
use crate::coalition::model::{Delivery, ListMemberId, ThreadId};
use crate::tenancy::TenantScope;

/// A member with delivery `digest`, not bouncing, no digest yet today (`day_start`), in a
/// group with a list, with at least one post published since their last digest (or since
/// they joined) that is not their own: (group, member), oldest digest first.
pub async fn digest_candidates(
    db: &PgPool,
    now: OffsetDateTime,
    day_start: OffsetDateTime,
    limit: i64,
) -> sqlx::Result<Vec<(Uuid, ListMemberId)>> {
    sqlx::query_as(
        "SELECT m.tenant_id, m.id FROM list_members m
         JOIN coalition_lists l ON l.tenant_id = m.tenant_id
         WHERE m.delivery = 'digest' AND m.bouncing_since IS NULL
           AND (m.last_digest_at IS NULL OR m.last_digest_at < $2)
           AND EXISTS (
               SELECT 1 FROM list_posts p
               WHERE p.tenant_id = m.tenant_id AND p.state = 'published'
                 AND p.published_at > coalesce(m.last_digest_at, m.joined_at)
                 AND p.published_at <= $1
                 AND p.author_member_id IS DISTINCT FROM m.id)
         ORDER BY m.last_digest_at NULLS FIRST, m.id
         LIMIT $3",
    )
    .bind(now)
    .bind(day_start)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The member, locked for their digest if it is still due (another process sending it
/// holds the lock: this one skips the member).
pub async fn digest_member_for_update(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    member: ListMemberId,
    day_start: OffsetDateTime,
) -> sqlx::Result<Option<ListMember>> {
    sqlx::query_as(&format!(
        "SELECT {MEMBER_COLUMNS} FROM list_members
         WHERE tenant_id = $1 AND id = $2 AND delivery = 'digest' AND bouncing_since IS NULL
           AND (last_digest_at IS NULL OR last_digest_at < $3)
         FOR UPDATE SKIP LOCKED"
    ))
    .bind(tenant_id)
    .bind(member)
    .bind(day_start)
    .fetch_optional(conn)
    .await
}

/// One post as a digest shows it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DigestPost {
    pub thread_id: ThreadId,
    pub thread_subject: String,
    pub author_name: String,
    pub subject: String,
    /// Markdown.
    pub body: String,
    pub published_at: OffsetDateTime,
}

/// The published posts of the group in `(since, until]` that `member` did not write,
/// thread by thread (threads in the order of their first such post), oldest first within
/// each. Held, rejected, discarded and removed posts are never here.
pub async fn digest_posts(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    member: ListMemberId,
    since: OffsetDateTime,
    until: OffsetDateTime,
    limit: i64,
) -> sqlx::Result<Vec<DigestPost>> {
    sqlx::query_as(
        "SELECT p.thread_id, t.subject AS thread_subject, p.author_name, p.subject, p.body,
                p.published_at
         FROM list_posts p
         JOIN list_threads t ON t.tenant_id = p.tenant_id AND t.id = p.thread_id
         WHERE p.tenant_id = $1 AND p.state = 'published'
           AND p.published_at > $3 AND p.published_at <= $4
           AND p.author_member_id IS DISTINCT FROM $2
         ORDER BY min(p.published_at) OVER (PARTITION BY p.thread_id), p.thread_id,
                  p.published_at, p.id
         LIMIT $5",
    )
    .bind(tenant_id)
    .bind(member)
    .bind(since)
    .bind(until)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Records that the member's digest went out at `now` (in the enqueue's transaction).
pub async fn set_last_digest(
    conn: &mut PgConnection,
    member: ListMemberId,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE list_members SET last_digest_at = $2 WHERE id = $1")
        .bind(member)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// The list's name (for the digest's subject and `List-Id`), if the group has a list: by
/// the group's raw id, as the scheduler has it.
pub async fn digest_list_name(
    conn: &mut PgConnection,
    tenant_id: Uuid,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT name FROM coalition_lists WHERE tenant_id = $1")
        .bind(tenant_id)
        .fetch_optional(conn)
        .await
}

/// A permanent SMTP refusal of list mail to `email`: the group's member with that
/// address gets no list mail until they act (the first refusal's time is kept; the
/// reason is the latest). Returns how many members were marked (0 or 1).
pub async fn mark_bouncing(
    db: &PgPool,
    tenant_id: Uuid,
    email: &str,
    reason: &str,
    now: OffsetDateTime,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "UPDATE list_members SET bouncing_since = coalesce(bouncing_since, $4), bounce_reason = $3
         WHERE tenant_id = $1 AND email = $2::citext",
    )
    .bind(tenant_id)
    .bind(email)
    .bind(reason)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// A member's delivery choice, with the digest's starting point kept right: a member who
/// switches to the digest gets, in their first one, what is published from now on (they
/// had each post, or chose the archive), not everything since they joined. For the
/// member's page; changes nothing else. Returns false when the member is not the group's.
pub async fn choose_delivery(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    member: ListMemberId,
    delivery: Delivery,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE list_members SET
             last_digest_at = CASE WHEN $3 = 'digest' AND delivery <> 'digest' THEN $4
                                   ELSE last_digest_at END,
             delivery = $3
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.uuid())
    .bind(member)
    .bind(delivery)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
