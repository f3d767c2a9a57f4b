//! SQL for `login_failures`, the login throttle's record (the rules are in
//! `auth::throttle`).

use std::net::IpAddr;

use sqlx::types::ipnetwork::IpNetwork;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

/// Records a login attempt as a failure, and returns its id.
pub async fn record_login_failure(
    db: &PgPool,
    email: &str,
    ip: IpAddr,
    now: OffsetDateTime,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO login_failures (email, client_ip, failed_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(email)
    .bind(IpNetwork::from(ip))
    .bind(now)
    .fetch_one(db)
    .await
}

/// Failures since `since`, as `(for this account, from this address)`.
pub async fn login_failures_since(
    db: &PgPool,
    email: &str,
    ip: IpAddr,
    since: OffsetDateTime,
) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT count(*) FILTER (WHERE email = $1::citext), count(*) FILTER (WHERE client_ip = $2)
         FROM login_failures WHERE failed_at > $3 AND (email = $1::citext OR client_ip = $2)",
    )
    .bind(email)
    .bind(IpNetwork::from(ip))
    .bind(since)
    .fetch_one(db)
    .await
}

pub async fn delete_login_failure(db: &PgPool, id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn delete_login_failures_before(db: &PgPool, before: OffsetDateTime) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE failed_at < $1")
        .bind(before)
        .execute(db)
        .await?;
    Ok(())
}

/// Forgets every failure of the account.
pub async fn clear_login_failures(conn: &mut PgConnection, email: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE email = $1::citext")
        .bind(email)
        .execute(conn)
        .await?;
    Ok(())
}
