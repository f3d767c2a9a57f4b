//! `list_threads`, `list_posts` and `list_reply_keys`: the one door for writing a post or
//! moving it between states (`move_post` applies `model::next_state` to the locked row),
//! and the recipients of a published post with their reply keys.

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::coalition::model::{ListMemberId, PostEvent, PostId, PostState, ThreadId};
use crate::tenancy::TenantScope;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ThreadRow {
    pub id: ThreadId,
    pub tenant_id: Uuid,
    pub subject: String,
    pub news_link: Option<String>,
    pub started_at: OffsetDateTime,
    pub last_post_at: Option<OffsetDateTime>,
    pub published_posts: i32,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PostRow {
    pub id: PostId,
    pub tenant_id: Uuid,
    pub thread_id: ThreadId,
    pub author_member_id: Option<ListMemberId>,
    pub author_user_id: Option<Uuid>,
    pub author_name: String,
    pub subject: String,
    pub body: String,
    pub source: String,
    pub message_id: Option<String>,
    pub state: PostState,
    pub held_reason: String,
    pub created_at: OffsetDateTime,
    pub published_at: Option<OffsetDateTime>,
}

const THREAD_COLUMNS: &str =
    "id, tenant_id, subject, news_link, started_at, last_post_at, published_posts";
const POST_COLUMNS: &str = "id, tenant_id, thread_id, author_member_id, author_user_id,
    author_name, subject, body, source, message_id, state, held_reason, created_at, published_at";

pub async fn thread(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    id: ThreadId,
) -> sqlx::Result<Option<ThreadRow>> {
    sqlx::query_as(&format!(
        "SELECT {THREAD_COLUMNS} FROM list_threads WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(tenant.uuid())
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn insert_thread(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    subject: &str,
    news_link: Option<&str>,
    now: OffsetDateTime,
) -> sqlx::Result<ThreadId> {
    let id = ThreadId(Uuid::new_v4());
    sqlx::query(
        "INSERT INTO list_threads (id, tenant_id, subject, news_link, started_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(tenant.uuid())
    .bind(subject)
    .bind(news_link)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(id)
}

/// The post an emailed message already became, if it did (`Message-ID` per group).
pub async fn post_by_message_id(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    message_id: &str,
) -> sqlx::Result<Option<PostId>> {
    sqlx::query_scalar("SELECT id FROM list_posts WHERE tenant_id = $1 AND message_id = $2")
        .bind(tenant.uuid())
        .bind(message_id)
        .fetch_optional(conn)
        .await
}

pub struct PostInsert<'a> {
    pub thread: ThreadId,
    pub author_member: Option<ListMemberId>,
    pub author_user: Option<Uuid>,
    pub author_name: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    /// "web" or "email".
    pub source: &'a str,
    pub message_id: Option<&'a str>,
    pub state: PostState,
    pub held_reason: &'a str,
}

/// Writes a post in the state its moderation decided; `None` when its `Message-ID` is
/// already a post of the group (the same message arriving twice). A published post
/// counts in its thread at once.
pub async fn insert_post(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    post: &PostInsert<'_>,
    now: OffsetDateTime,
) -> sqlx::Result<Option<PostId>> {
    let id = PostId(Uuid::new_v4());
    let published = post.state == PostState::Published;
    let inserted: Option<PostId> = sqlx::query_scalar(
        "INSERT INTO list_posts (id, tenant_id, thread_id, author_member_id, author_user_id,
             author_name, subject, body, source, message_id, state, held_reason, created_at,
             published_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
             CASE WHEN $14 THEN $13 END)
         ON CONFLICT (tenant_id, message_id) DO NOTHING RETURNING id",
    )
    .bind(id)
    .bind(tenant.uuid())
    .bind(post.thread)
    .bind(post.author_member)
    .bind(post.author_user)
    .bind(post.author_name)
    .bind(post.subject)
    .bind(post.body)
    .bind(post.source)
    .bind(post.message_id)
    .bind(post.state)
    .bind(post.held_reason)
    .bind(now)
    .bind(published)
    .fetch_optional(&mut *conn)
    .await?;
    if inserted.is_some() && published {
        count_published(conn, post.thread, now, 1).await?;
    }
    Ok(inserted)
}

async fn count_published(
    conn: &mut PgConnection,
    thread: ThreadId,
    now: OffsetDateTime,
    change: i32,
) -> sqlx::Result<()> {
    let touch = change > 0;
    sqlx::query(
        "UPDATE list_threads SET published_posts = published_posts + $2,
             last_post_at = CASE WHEN $3 THEN greatest(coalesce(last_post_at, $4), $4)
                                 ELSE last_post_at END
         WHERE id = $1",
    )
    .bind(thread)
    .bind(change)
    .bind(touch)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// The post, locked: a moderation decision reads its state under this lock.
pub async fn post_for_update(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    id: PostId,
) -> sqlx::Result<Option<PostRow>> {
    sqlx::query_as(&format!(
        "SELECT {POST_COLUMNS} FROM list_posts WHERE tenant_id = $1 AND id = $2 FOR UPDATE"
    ))
    .bind(tenant.uuid())
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn post(
    db: &PgPool,
    tenant: impl TenantScope,
    id: PostId,
) -> sqlx::Result<Option<PostRow>> {
    sqlx::query_as(&format!(
        "SELECT {POST_COLUMNS} FROM list_posts WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(tenant.uuid())
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Moves a post by `event` if the one table of transitions allows it from the state it
/// is in now (read under the row lock); the new state, or `None` when it does not apply
/// (another organizer decided first, or the post is gone). Publishing counts it in its
/// thread; removing takes it out of the count.
pub async fn move_post(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    id: PostId,
    event: PostEvent,
    now: OffsetDateTime,
) -> sqlx::Result<Option<PostState>> {
    let Some(post) = post_for_update(&mut *conn, tenant, id).await? else {
        return Ok(None);
    };
    let Some(to) = crate::coalition::model::next_state(post.state, event) else {
        return Ok(None);
    };
    sqlx::query(
        "UPDATE list_posts SET state = $3,
             published_at = CASE WHEN $3 = 'published' THEN $4 ELSE published_at END
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.uuid())
    .bind(id)
    .bind(to)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    match to {
        PostState::Published => count_published(conn, post.thread_id, now, 1).await?,
        PostState::Removed => count_published(conn, post.thread_id, now, -1).await?,
        _ => {}
    }
    Ok(Some(to))
}

/// The published posts of a thread before `post`, oldest first: `References`.
pub async fn earlier_published(
    conn: &mut PgConnection,
    thread: ThreadId,
    post: PostId,
) -> sqlx::Result<Vec<PostId>> {
    sqlx::query_scalar(
        "SELECT id FROM list_posts
         WHERE thread_id = $1 AND id <> $2 AND state IN ('published', 'removed')
             AND published_at IS NOT NULL
         ORDER BY published_at, id",
    )
    .bind(thread)
    .bind(post)
    .fetch_all(conn)
    .await
}

/// One member a published post goes to, with their reply key for its thread.
#[derive(Debug, sqlx::FromRow)]
pub struct Recipient {
    pub member_id: ListMemberId,
    pub email: String,
    pub reply_key: String,
}

/// Everyone who takes each message, is not bouncing and is not the author: their reply
/// keys for the thread are made (once per member and thread) and returned with them.
pub async fn recipients_with_keys(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    thread: ThreadId,
    author: Option<ListMemberId>,
    now: OffsetDateTime,
) -> sqlx::Result<Vec<Recipient>> {
    sqlx::query(
        "INSERT INTO list_reply_keys (key, tenant_id, member_id, thread_id, created_at)
         SELECT replace(gen_random_uuid()::text, '-', ''), $1, m.id, $2, $4
         FROM list_members m
         WHERE m.tenant_id = $1 AND m.delivery = 'each' AND m.bouncing_since IS NULL
             AND m.id IS DISTINCT FROM $3
         ON CONFLICT (member_id, thread_id) DO NOTHING",
    )
    .bind(tenant.uuid())
    .bind(thread)
    .bind(author)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query_as(
        "SELECT m.id AS member_id, m.email::text AS email, k.key AS reply_key
         FROM list_members m
         JOIN list_reply_keys k ON k.member_id = m.id AND k.thread_id = $2
         WHERE m.tenant_id = $1 AND m.delivery = 'each' AND m.bouncing_since IS NULL
             AND m.id IS DISTINCT FROM $3
         ORDER BY m.id",
    )
    .bind(tenant.uuid())
    .bind(thread)
    .bind(author)
    .fetch_all(conn)
    .await
}

/// Whether the member ever had a post published (a held first post makes a newcomer).
pub async fn has_published(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    member: ListMemberId,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM list_posts
          WHERE tenant_id = $1 AND author_member_id = $2 AND published_at IS NOT NULL)",
    )
    .bind(tenant.uuid())
    .bind(member)
    .fetch_one(conn)
    .await
}
