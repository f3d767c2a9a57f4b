//! The group's outreach mail volume, for the daily cap (`outreach_mail_volume`). Reads
//! (and with `lock`, row-locks) the group's `tenants` row only for its creation date.

use super::*;

/// When the group was created, and how many outreach recipients it wrote to since
/// `since` (see `daily_cap`). With `lock`, the group's row is locked first and stays so
/// until the transaction ends, so concurrent sends are counted in turn (as the signature
/// import counts its rows).
pub async fn mail_volume_since(
    conn: &mut PgConnection,
    tenant: TenantId,
    since: OffsetDateTime,
    lock: bool,
) -> sqlx::Result<(OffsetDateTime, i64)> {
    let sql = if lock {
        "SELECT created_at FROM tenants WHERE id = $1 FOR NO KEY UPDATE"
    } else {
        "SELECT created_at FROM tenants WHERE id = $1"
    };
    let created_at: OffsetDateTime = sqlx::query_scalar(sql)
        .bind(tenant.uuid())
        .fetch_one(&mut *conn)
        .await?;
    let used: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(recipients), 0)::bigint FROM outreach_mail_volume WHERE tenant_id = $1 AND sent_at > $2",
    )
    .bind(tenant.uuid())
    .bind(since)
    .fetch_one(conn)
    .await?;
    Ok((created_at, used))
}

/// Counts `recipients` written to at `at`; the group's rows older than `forget_before`
/// go (they no longer count).
pub async fn record_mail_volume(
    conn: &mut PgConnection,
    tenant: TenantId,
    at: OffsetDateTime,
    recipients: i64,
    forget_before: OffsetDateTime,
) -> sqlx::Result<()> {
    if recipients > 0 {
        sqlx::query(
            "INSERT INTO outreach_mail_volume (tenant_id, sent_at, recipients) VALUES ($1, $2, $3)",
        )
        .bind(tenant.uuid())
        .bind(at)
        .bind(i32::try_from(recipients).unwrap_or(i32::MAX))
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("DELETE FROM outreach_mail_volume WHERE tenant_id = $1 AND sent_at <= $2")
        .bind(tenant.uuid())
        .bind(forget_before)
        .execute(conn)
        .await?;
    Ok(())
}
