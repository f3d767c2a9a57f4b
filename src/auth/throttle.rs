//! Throttling of failed logins, per account and per client address.
//!
//! The per-account limit cannot be used to lock the real person out: a browser that has
//! logged in to the account before carries a trusted-device cookie and is exempt from it
//! (only the per-address limit applies there), every limit is a sliding 15-minute window,
//! and a password reset clears the account's failures.

use std::net::IpAddr;

use sqlx::types::ipnetwork::IpNetwork;
use sqlx::{PgConnection, PgPool};
use time::{Duration, OffsetDateTime};

pub const WINDOW: Duration = Duration::minutes(15);
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;

pub enum Verdict {
    Allowed,
    Throttled(&'static str),
}

pub async fn check(
    db: &PgPool,
    email: &str,
    ip: IpAddr,
    trusted_device: bool,
    now: OffsetDateTime,
) -> sqlx::Result<Verdict> {
    let since = now - WINDOW;
    let (by_account, by_address): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE email = $1::citext), count(*) FILTER (WHERE client_ip = $2)
         FROM login_failures WHERE failed_at > $3 AND (email = $1::citext OR client_ip = $2)",
    )
    .bind(email)
    .bind(IpNetwork::from(ip))
    .bind(since)
    .fetch_one(db)
    .await?;
    if by_address >= MAX_FAILURES_PER_ADDRESS {
        return Ok(Verdict::Throttled(
            "Too many failed logins from your network. Wait 15 minutes, or reset your password by email.",
        ));
    }
    if by_account >= MAX_FAILURES_PER_ACCOUNT && !trusted_device {
        return Ok(Verdict::Throttled(
            "Too many failed logins for this account. Wait 15 minutes, or reset your password by email.",
        ));
    }
    Ok(Verdict::Allowed)
}

pub async fn record_failure(
    db: &PgPool,
    email: &str,
    ip: IpAddr,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO login_failures (email, client_ip, failed_at) VALUES ($1, $2, $3)")
        .bind(email)
        .bind(IpNetwork::from(ip))
        .bind(now)
        .execute(db)
        .await?;
    sqlx::query("DELETE FROM login_failures WHERE failed_at < $1")
        .bind(now - WINDOW)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn clear_account(conn: &mut PgConnection, email: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE email = $1::citext")
        .bind(email)
        .execute(conn)
        .await?;
    Ok(())
}
