//! Forgetting the mail a group sent to one address: what a signer's erasure
//! (`crate::erasure`) and the retention setting (`signatures::retention`) need of the
//! outbox. Messages are found by their recipient compared whole (index
//! `outbox_recipient`) or by their key (`idempotency_key`), never by searching their
//! text; what to look for (kinds, keys, the list entry to replace) is the caller's.

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::tenancy::TenantScope;

/// One message to the address, as the signer's download lists it.
#[derive(Debug, sqlx::FromRow)]
pub struct MailTo {
    pub kind: String,
    pub subject: Option<String>,
    pub status: String,
    pub created_at: OffsetDateTime,
    pub sent_at: Option<OffsetDateTime>,
}

/// The group's mail to `email` (sent, pending or failed), oldest first.
pub async fn mail_to(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    email: &str,
) -> sqlx::Result<Vec<MailTo>> {
    sqlx::query_as(
        "SELECT coalesce(message->>'kind', '') AS kind, subject, status, created_at, sent_at FROM outbox
         WHERE tenant_id = $1 AND lower(recipient) = lower($2) ORDER BY id",
    )
    .bind(tenant.uuid())
    .bind(email)
    .fetch_all(conn)
    .await
}

/// How many messages the group sent (or is about to send) to `email`.
pub async fn count_to(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    email: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM outbox WHERE tenant_id = $1 AND lower(recipient) = lower($2)",
    )
    .bind(tenant.uuid())
    .bind(email)
    .fetch_one(conn)
    .await
}

/// The address's unsubscription from the group goes (no address is left to hold it).
pub async fn forget_suppression(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    email: &str,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM mail_suppressions WHERE tenant_id = $1 AND email = $2::citext")
        .bind(tenant.uuid())
        .bind(email)
        .execute(conn)
        .await?;
    Ok(())
}

/// The group's mail to `email` (of the given kinds only, when some are given), by index.
pub async fn ids_to(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    email: &str,
    kinds: Option<&[&str]>,
) -> sqlx::Result<Vec<i64>> {
    let kinds: Option<Vec<String>> = kinds.map(|k| k.iter().map(|s| s.to_string()).collect());
    sqlx::query_scalar(
        "SELECT id FROM outbox WHERE tenant_id = $1 AND lower(recipient) = lower($2)
           AND ($3::text[] IS NULL OR message->>'kind' = ANY ($3))",
    )
    .bind(tenant.uuid())
    .bind(email)
    .bind(&kinds)
    .fetch_all(conn)
    .await
}

/// One entry of a list inside queued or sent messages to replace: in the messages with
/// these keys, the string at `message->list->position` becomes `replacement`.
#[derive(Clone, Debug)]
pub struct ListEntry {
    pub keys: Vec<String>,
    pub list: String,
    pub position: i32,
    pub replacement: String,
}

/// Replaces, in the messages with the entry's keys, that one list entry (where it is a
/// string); nothing else of those messages changes (kind, subject, links, other entries).
/// A sent one's written copy, which still names the old entry, is to be forgotten:
/// returns the transport ids of those copies.
pub async fn replace_list_entry(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    entry: &ListEntry,
) -> sqlx::Result<Vec<String>> {
    let copies: Vec<Option<String>> = sqlx::query_scalar(
        "WITH old AS (
             SELECT id, transport_id FROM outbox
             WHERE idempotency_key = ANY ($1) AND tenant_id = $2 AND jsonb_typeof(message->$3->$4) = 'string'
             FOR UPDATE)
         UPDATE outbox o SET message = jsonb_set(o.message, ARRAY[$3, $4::text], to_jsonb($5::text)),
                transport_id = CASE WHEN o.status = 'sent' THEN NULL ELSE o.transport_id END
         FROM old WHERE o.id = old.id
         RETURNING CASE WHEN o.status = 'sent' THEN old.transport_id END",
    )
    .bind(&entry.keys)
    .bind(tenant.uuid())
    .bind(&entry.list)
    .bind(entry.position)
    .bind(&entry.replacement)
    .fetch_all(conn)
    .await?;
    Ok(copies.into_iter().flatten().collect())
}

/// The group's mail to `email` (of the given kinds only, when some are given): what has
/// not gone out is deleted, what has is kept as a line on the Email page (kind, subject,
/// date, status) without its recipient, contents or written copy. Returns the transport
/// ids of the written copies to delete.
pub async fn forget_mail_to(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    email: &str,
    kinds: Option<&[&str]>,
) -> sqlx::Result<Vec<String>> {
    let kinds: Option<Vec<String>> = kinds.map(|k| k.iter().map(|s| s.to_string()).collect());
    let mut files: Vec<String> = sqlx::query_scalar::<_, Option<String>>(
        "DELETE FROM outbox
         WHERE tenant_id = $1 AND lower(recipient) = lower($2) AND status <> 'sent'
           AND ($3::text[] IS NULL OR message->>'kind' = ANY ($3))
         RETURNING transport_id",
    )
    .bind(tenant_id)
    .bind(email)
    .bind(&kinds)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .flatten()
    .collect::<Vec<String>>();
    let scrubbed: Vec<Option<String>> = sqlx::query_scalar(
        "WITH old AS (
             SELECT id, transport_id FROM outbox
             WHERE tenant_id = $1 AND lower(recipient) = lower($2) AND status = 'sent'
               AND ($3::text[] IS NULL OR message->>'kind' = ANY ($3))
             FOR UPDATE)
         UPDATE outbox o SET recipient = 'erased+' || gen_random_uuid() || '@invalid',
                message = jsonb_build_object('kind', o.message->'kind', 'erased', true),
                transport_id = NULL, unsubscribe_hash = NULL, last_error = NULL
         FROM old WHERE o.id = old.id
         RETURNING old.transport_id",
    )
    .bind(tenant_id)
    .bind(email)
    .bind(&kinds)
    .fetch_all(&mut *conn)
    .await?;
    files.extend(scrubbed.into_iter().flatten());
    Ok(files)
}

/// Deletes the written copies (`.eml` files) of forgotten messages, when mail is written
/// to files; with SMTP there are none. Call after the transaction commits.
pub fn forget_written_mail(config: &crate::config::Config, transport_ids: &[String]) {
    if config.smtp_url.is_some() || transport_ids.is_empty() {
        return;
    }
    let Ok(files) = super::Transport::files(&config.mail_dir()) else {
        return;
    };
    for id in transport_ids {
        if let Some(path) = files.file_of(id) {
            if let Err(e) = std::fs::remove_file(&path) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!(error = %e, file = %path.display(), "could not delete a forgotten message's file");
                }
            }
        }
    }
}
