//! The list's own pages read here: the archive (threads by their last published post,
//! keyset-paged on `list_threads_by_date`), search (the `search` tsvector and its GIN
//! index, `websearch_to_tsquery('simple', …)`), a thread's posts, the overview's counts
//! and "when the last post went out", the held queue and the moderation log. Writes to
//! posts go through `posts.rs`; this file writes only the moderation log and a member's
//! action or mute as moderation changes them.

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::coalition::model::{ListMemberId, MemberAction, PostId, PostState, ThreadId};
use crate::tenancy::{TenantId, TenantScope};

/// A thread as the archive lists it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ArchiveThread {
    pub id: ThreadId,
    pub subject: String,
    pub news_link: Option<String>,
    pub last_post_at: OffsetDateTime,
    pub published_posts: i32,
    /// The author of the thread's first post still in the archive.
    pub started_by: Option<String>,
    /// With a search: how many of its posts match.
    pub matches: i64,
}

/// Where the next page of the archive starts: after this thread in the archive's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArchiveCursor {
    pub last_post_at: OffsetDateTime,
    pub id: ThreadId,
}

const THREAD_COLUMNS: &str = "t.id, t.subject, t.news_link, t.last_post_at, t.published_posts,
    (SELECT p.author_name FROM list_posts p
      WHERE p.thread_id = t.id AND p.state IN ('published', 'removed')
      ORDER BY p.created_at, p.id LIMIT 1) AS started_by";

/// One page of threads, newest last post first (threads with no published post are not
/// in the archive), after `after` when given. Reads `limit + 1` rows so the caller knows
/// whether a next page exists.
pub async fn archive_page(
    db: &PgPool,
    tenant: impl TenantScope,
    after: Option<ArchiveCursor>,
    limit: i64,
) -> sqlx::Result<Vec<ArchiveThread>> {
    sqlx::query_as(&format!(
        "SELECT {THREAD_COLUMNS}, 0::bigint AS matches
         FROM list_threads t
         WHERE t.tenant_id = $1 AND t.last_post_at IS NOT NULL
           AND ($2::timestamptz IS NULL OR t.last_post_at < $2
                OR (t.last_post_at = $2 AND t.id > $3))
         ORDER BY t.last_post_at DESC, t.id
         LIMIT $4"
    ))
    .bind(tenant.uuid())
    .bind(after.map(|c| c.last_post_at))
    .bind(after.map(|c| c.id))
    .bind(limit + 1)
    .fetch_all(db)
    .await
}

/// Threads with a published post matching `words` (web-search syntax: words, "quoted
/// phrases", -excluded), newest last post first, at most `limit`.
pub async fn search_threads(
    db: &PgPool,
    tenant: impl TenantScope,
    words: &str,
    limit: i64,
) -> sqlx::Result<Vec<ArchiveThread>> {
    sqlx::query_as(&format!(
        "WITH hits AS (
             SELECT p.thread_id, count(*) AS matches FROM list_posts p
             WHERE p.tenant_id = $1 AND p.state = 'published'
               AND p.search @@ websearch_to_tsquery('simple', $2)
             GROUP BY p.thread_id)
         SELECT {THREAD_COLUMNS}, hits.matches
         FROM hits JOIN list_threads t ON t.tenant_id = $1 AND t.id = hits.thread_id
         WHERE t.last_post_at IS NOT NULL
         ORDER BY t.last_post_at DESC, t.id
         LIMIT $3"
    ))
    .bind(tenant.uuid())
    .bind(words)
    .bind(limit + 1)
    .fetch_all(db)
    .await
}

/// A thread as its page shows it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ThreadHead {
    pub id: ThreadId,
    pub subject: String,
    pub news_link: Option<String>,
    pub started_at: OffsetDateTime,
    pub last_post_at: Option<OffsetDateTime>,
    pub published_posts: i32,
}

/// The thread of this group, if it is in the archive (it has a published post).
pub async fn archive_thread(
    db: &PgPool,
    tenant: impl TenantScope,
    id: ThreadId,
) -> sqlx::Result<Option<ThreadHead>> {
    sqlx::query_as(
        "SELECT id, subject, news_link, started_at, last_post_at, published_posts
         FROM list_threads WHERE tenant_id = $1 AND id = $2 AND last_post_at IS NOT NULL",
    )
    .bind(tenant.uuid())
    .bind(id)
    .fetch_optional(db)
    .await
}

/// A post of the archive: published, or removed (its words are not read out).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ArchivePost {
    pub id: PostId,
    pub author_name: String,
    pub subject: String,
    /// Empty for a removed post.
    pub body: String,
    pub state: PostState,
    pub source: String,
    pub at: OffsetDateTime,
    pub by_organizer: bool,
}

/// The thread's posts in the order they went out; held, rejected and discarded posts are
/// never among them.
pub async fn thread_posts(
    db: &PgPool,
    tenant: impl TenantScope,
    thread: ThreadId,
) -> sqlx::Result<Vec<ArchivePost>> {
    sqlx::query_as(
        "SELECT id, author_name, subject,
                CASE WHEN state = 'published' THEN body ELSE '' END AS body,
                state, source, COALESCE(published_at, created_at) AS at,
                (author_user_id IS NOT NULL AND author_member_id IS NULL) AS by_organizer
         FROM list_posts
         WHERE tenant_id = $1 AND thread_id = $2 AND state IN ('published', 'removed')
         ORDER BY COALESCE(published_at, created_at), id",
    )
    .bind(tenant.uuid())
    .bind(thread)
    .fetch_all(db)
    .await
}

/// "Regularly" made visible: when the last post went out, and how many in 30 days.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LastPosts {
    pub last_at: Option<OffsetDateTime>,
    pub last_30_days: i64,
}

/// Posts of the last 30 days counted at most (more reads as "over 100"): the archive's
/// first page stays a few index reads however busy the list is.
pub const LAST_POSTS_COUNTED: i64 = 100;

pub async fn last_posts(
    db: &PgPool,
    tenant: impl TenantScope,
    now: OffsetDateTime,
) -> sqlx::Result<LastPosts> {
    sqlx::query_as(
        // Two range reads of `list_posts_published`, never a scan of the whole archive.
        "SELECT (SELECT max(published_at) FROM list_posts
                  WHERE tenant_id = $1 AND state = 'published') AS last_at,
                (SELECT count(*) FROM (SELECT 1 FROM list_posts
                  WHERE tenant_id = $1 AND state = 'published'
                    AND published_at > $2 - interval '30 days' LIMIT $3) s) AS last_30_days",
    )
    .bind(tenant.uuid())
    .bind(now)
    .bind(LAST_POSTS_COUNTED + 1)
    .fetch_one(db)
    .await
}

/// The overview's figures.
#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct ListCounts {
    pub members: i64,
    pub muted: i64,
    pub held: i64,
    pub threads: i64,
}

pub async fn list_counts(db: &PgPool, tenant: TenantId) -> sqlx::Result<ListCounts> {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM list_members WHERE tenant_id = $1) AS members,
                (SELECT count(*) FROM list_members WHERE tenant_id = $1 AND muted_at IS NOT NULL) AS muted,
                (SELECT count(*) FROM list_posts WHERE tenant_id = $1 AND state = 'held') AS held,
                (SELECT count(*) FROM list_threads WHERE tenant_id = $1 AND last_post_at IS NOT NULL) AS threads",
    )
    .bind(tenant.uuid())
    .fetch_one(db)
    .await
}

/// A held post as the moderation queue shows it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct HeldPost {
    pub id: PostId,
    pub thread_id: ThreadId,
    pub thread_subject: String,
    /// Whether it starts its thread (else it is a reply).
    pub starts_thread: bool,
    pub author_member_id: Option<ListMemberId>,
    pub author_name: String,
    pub author_email: Option<String>,
    pub author_organization: Option<String>,
    pub author_action: Option<MemberAction>,
    pub author_muted: bool,
    pub mute_note: Option<String>,
    pub subject: String,
    pub body: String,
    pub source: String,
    pub held_reason: String,
    pub created_at: OffsetDateTime,
}

/// The held posts, oldest first (at most `limit`).
pub async fn held_posts(db: &PgPool, tenant: TenantId, limit: i64) -> sqlx::Result<Vec<HeldPost>> {
    sqlx::query_as(
        "SELECT p.id, p.thread_id, t.subject AS thread_subject,
                NOT EXISTS (SELECT 1 FROM list_posts e WHERE e.thread_id = p.thread_id
                            AND (e.created_at, e.id) < (p.created_at, p.id)) AS starts_thread,
                p.author_member_id, COALESCE(m.name, p.author_name) AS author_name,
                m.email::text AS author_email,
                m.organization AS author_organization, m.moderation AS author_action,
                (m.muted_at IS NOT NULL) AS author_muted, m.mute_note,
                p.subject, p.body, p.source, p.held_reason, p.created_at
         FROM list_posts p
         JOIN list_threads t ON t.tenant_id = p.tenant_id AND t.id = p.thread_id
         LEFT JOIN list_members m ON m.tenant_id = p.tenant_id AND m.id = p.author_member_id
         WHERE p.tenant_id = $1 AND p.state = 'held'
         ORDER BY p.created_at, p.id
         LIMIT $2",
    )
    .bind(tenant.uuid())
    .bind(limit)
    .fetch_all(db)
    .await
}

/// A line of the moderation log.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LogEntry {
    pub id: i64,
    pub post_id: Option<PostId>,
    pub post_subject: Option<String>,
    pub thread_id: Option<ThreadId>,
    pub member_name: Option<String>,
    pub action: String,
    pub reason: String,
    pub by_name: String,
    pub at: OffsetDateTime,
}

const LOG_COLUMNS: &str = "l.id, l.post_id, p.subject AS post_subject, p.thread_id,
    COALESCE(m.name, p.author_name) AS member_name, l.action, l.reason, l.by_name, l.at";
const LOG_FROM: &str = "FROM list_moderation_log l
    LEFT JOIN list_posts p ON p.id = l.post_id AND p.tenant_id = l.tenant_id
    LEFT JOIN list_members m ON m.id = l.member_id AND m.tenant_id = l.tenant_id";

/// The log, newest first, before the entry `before` when given (`limit + 1` rows).
pub async fn moderation_log(
    db: &PgPool,
    tenant: TenantId,
    before: Option<i64>,
    limit: i64,
) -> sqlx::Result<Vec<LogEntry>> {
    sqlx::query_as(&format!(
        "SELECT {LOG_COLUMNS} {LOG_FROM}
         WHERE l.tenant_id = $1 AND ($2::bigint IS NULL OR l.id < $2)
         ORDER BY l.id DESC LIMIT $3"
    ))
    .bind(tenant.uuid())
    .bind(before)
    .bind(limit + 1)
    .fetch_all(db)
    .await
}

/// The last decision on a post: what another organizer did a moment before.
pub async fn last_decision(
    conn: &mut PgConnection,
    tenant: TenantId,
    post: PostId,
) -> sqlx::Result<Option<LogEntry>> {
    sqlx::query_as(&format!(
        "SELECT {LOG_COLUMNS} {LOG_FROM}
         WHERE l.tenant_id = $1 AND l.post_id = $2 ORDER BY l.id DESC LIMIT 1"
    ))
    .bind(tenant.uuid())
    .bind(post)
    .fetch_optional(conn)
    .await
}

/// One decision for the log.
pub struct Decided<'a> {
    pub post: Option<PostId>,
    pub member: Option<ListMemberId>,
    /// approve, approve_and_clear, reject, discard, remove, hold_everything_on, …
    pub action: &'a str,
    pub reason: &'a str,
    pub by_user_id: Uuid,
    pub by_name: &'a str,
}

pub async fn log_decision(
    conn: &mut PgConnection,
    tenant: TenantId,
    decided: &Decided<'_>,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO list_moderation_log (tenant_id, post_id, member_id, action, reason,
             by_user_id, by_name, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(tenant.uuid())
    .bind(decided.post)
    .bind(decided.member)
    .bind(decided.action)
    .bind(decided.reason)
    .bind(decided.by_user_id)
    .bind(decided.by_name)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// "Approve and clear": the member's own action becomes the list's default, so their
/// next post meets what everyone's does. Locks the member row as a post's decision does.
pub async fn clear_member_action(
    conn: &mut PgConnection,
    tenant: TenantId,
    member: ListMemberId,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE list_members SET moderation = 'default' WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.uuid())
    .bind(member)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Where a rejection is told: the member's address and name, if they are still a member.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MemberAddress {
    pub email: String,
    pub name: String,
}

pub async fn member_recipient(
    conn: &mut PgConnection,
    tenant: TenantId,
    member: ListMemberId,
) -> sqlx::Result<Option<MemberAddress>> {
    sqlx::query_as(
        "SELECT email::text AS email, name FROM list_members WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.uuid())
    .bind(member)
    .fetch_optional(conn)
    .await
}

/// The thread a post belongs to, for the page to go back to after a decision.
pub async fn thread_of_post(
    db: &PgPool,
    tenant: impl TenantScope,
    post: PostId,
) -> sqlx::Result<Option<ThreadId>> {
    sqlx::query_scalar("SELECT thread_id FROM list_posts WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.uuid())
        .bind(post)
        .fetch_optional(db)
        .await
}
