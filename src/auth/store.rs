//! SQL for accounts, password resets and trusted devices, and the login throttle's
//! failures (`store/login_failures.rs`): the tables auth owns.
//!
//! Trigger: `users_updated_at` (users, before update) keeps `updated_at`.

mod login_failures;

pub use login_failures::*;

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub password_hash: String,
}

pub async fn user_by_email(
    db: impl sqlx::PgExecutor<'_>,
    email: &str,
) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as(
        "SELECT id, email::text AS email, name, password_hash FROM users WHERE email = $1::citext",
    )
    .bind(email)
    .fetch_optional(db)
    .await
}

pub async fn email_taken(db: &PgPool, email: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email = $1::citext)")
        .bind(email)
        .fetch_one(db)
        .await
}

#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("email taken")]
    EmailTaken,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

pub async fn create_user(
    conn: &mut PgConnection,
    email: &str,
    name: &str,
    password_hash: &str,
) -> Result<Uuid, CreateUserError> {
    let id = Uuid::new_v4();
    let inserted = sqlx::query(
        "INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, $3, $4) ON CONFLICT (email) DO NOTHING",
    )
    .bind(id)
    .bind(email)
    .bind(name)
    .bind(password_hash)
    .execute(conn)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(CreateUserError::EmailTaken);
    }
    Ok(id)
}

pub async fn set_password(
    conn: &mut PgConnection,
    user_id: Uuid,
    password_hash: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(user_id)
        .bind(password_hash)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn create_reset(
    conn: &mut PgConnection,
    user_id: Uuid,
    token_hash: &[u8],
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .bind(expires_at)
        .execute(conn)
        .await?;
    Ok(())
}

/// How many resets the account asked for since `since`, with the account locked until
/// the transaction ends (so the count stays true until the new request is recorded).
pub async fn recent_resets_locked(
    conn: &mut PgConnection,
    user_id: Uuid,
    since: OffsetDateTime,
) -> sqlx::Result<i64> {
    sqlx::query("SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query_scalar(
        "SELECT count(*) FROM password_resets WHERE user_id = $1 AND created_at > $2",
    )
    .bind(user_id)
    .bind(since)
    .fetch_one(conn)
    .await
}

/// The account a reset link may still be used for.
pub async fn usable_reset(
    db: &PgPool,
    token_hash: &[u8],
    now: OffsetDateTime,
) -> sqlx::Result<Option<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT u.id, u.email::text AS email FROM password_resets r JOIN users u ON u.id = r.user_id
         WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(db)
    .await
}

/// Uses the link up; false when someone used it first.
pub async fn use_reset(
    conn: &mut PgConnection,
    token_hash: &[u8],
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE password_resets SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2")
        .bind(token_hash)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 1 {
        // One new password makes every other outstanding link pointless.
        sqlx::query(
            "UPDATE password_resets SET used_at = $2
             WHERE used_at IS NULL AND user_id = (SELECT user_id FROM password_resets WHERE token_hash = $1)",
        )
        .bind(token_hash)
        .bind(now)
        .execute(conn)
        .await?;
    }
    Ok(done.rows_affected() == 1)
}

pub async fn trust_device(
    conn: &mut PgConnection,
    user_id: Uuid,
    token_hash: &[u8],
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO trusted_devices (token_hash, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn device_is_trusted_for(
    db: &PgPool,
    token_hash: &[u8],
    email: &str,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM trusted_devices d JOIN users u ON u.id = d.user_id
                        WHERE d.token_hash = $1 AND u.email = $2::citext)",
    )
    .bind(token_hash)
    .bind(email)
    .fetch_one(db)
    .await
}
