//! `list_member_sessions`: a member signed in from a magic link (no password).

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

use crate::coalition::model::ListMemberId;
use crate::tenancy::TenantScope;

pub async fn create_member_session(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    member: ListMemberId,
    token_hash: &[u8],
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO list_member_sessions (token_hash, tenant_id, member_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(tenant.uuid())
    .bind(member)
    .bind(now)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The member a session cookie opens, in the group of the URL only.
pub async fn session_member(
    db: &PgPool,
    tenant: impl TenantScope,
    token_hash: &[u8],
    now: OffsetDateTime,
) -> sqlx::Result<Option<ListMemberId>> {
    sqlx::query_scalar(
        "SELECT member_id FROM list_member_sessions
         WHERE token_hash = $1 AND tenant_id = $2 AND expires_at > $3",
    )
    .bind(token_hash)
    .bind(tenant.uuid())
    .bind(now)
    .fetch_optional(db)
    .await
}

pub async fn end_member_session(db: &PgPool, token_hash: &[u8]) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM list_member_sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(db)
        .await?;
    Ok(())
}
