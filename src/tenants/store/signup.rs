//! SQL for sign-up requests: a group asked for by someone not logged in, waiting for
//! the link emailed to them.

use std::net::IpAddr;

use sqlx::types::ipnetwork::IpNetwork;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

/// A sign-up request as its emailed link finds it.
#[derive(sqlx::FromRow)]
pub struct SignupRequest {
    pub email: String,
    pub name: String,
    pub group_name: String,
    pub slug: String,
}

/// A sign-up request to record.
pub struct NewSignupRequest<'a> {
    pub token_hash: &'a [u8],
    pub email: &'a str,
    pub name: &'a str,
    pub group_name: &'a str,
    pub slug: &'a str,
    pub client: IpAddr,
    pub now: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    /// Whether its email goes out (only those count against the address's hourly bound).
    pub emailed: bool,
}

/// Sign-ups asked for from `client` since `since`.
pub async fn signups_from(db: &PgPool, client: IpAddr, since: OffsetDateTime) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM signup_requests WHERE client_ip = $1 AND created_at > $2",
    )
    .bind(IpNetwork::from(client))
    .bind(since)
    .fetch_one(db)
    .await
}

/// Sign-up emails that went to `email` since `since`.
pub async fn signup_emails_to(
    conn: &mut PgConnection,
    email: &str,
    since: OffsetDateTime,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM signup_requests WHERE email = $1::citext AND created_at > $2 AND emailed",
    )
    .bind(email)
    .bind(since)
    .fetch_one(conn)
    .await
}

pub async fn record_signup_request(
    conn: &mut PgConnection,
    new: &NewSignupRequest<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO signup_requests (token_hash, email, name, group_name, slug, client_ip, created_at, expires_at, emailed)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(new.token_hash)
    .bind(new.email)
    .bind(new.name)
    .bind(new.group_name)
    .bind(new.slug)
    .bind(IpNetwork::from(new.client))
    .bind(new.now)
    .bind(new.expires_at)
    .bind(new.emailed)
    .execute(conn)
    .await?;
    Ok(())
}

/// The usable request behind a link's token hash; with `take`, it is used up (once).
pub async fn pending_signup(
    conn: impl sqlx::PgExecutor<'_>,
    token_hash: &[u8],
    now: OffsetDateTime,
    take: bool,
) -> sqlx::Result<Option<SignupRequest>> {
    let sql = if take {
        "UPDATE signup_requests SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
         RETURNING email::text AS email, name, group_name, slug"
    } else {
        "SELECT email::text AS email, name, group_name, slug FROM signup_requests
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2"
    };
    sqlx::query_as(sql)
        .bind(token_hash)
        .bind(now)
        .fetch_optional(conn)
        .await
}
