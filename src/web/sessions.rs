//! Server-side sessions in PostgreSQL, so several app instances share them. The cookie
//! holds a random token; the table holds only its hash. The request context loads them;
//! accounts start and end them. Web owns the `sessions` table and has no store: this
//! module is its only door (a storage module in tests/architecture.rs).

use sqlx::{PgConnection, PgPool};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::tokens;

/// The logged-in person behind a valid session.
#[derive(Clone, Debug)]
pub struct SessionUser {
    pub session_hash: Vec<u8>,
    pub user_id: uuid::Uuid,
    pub email: String,
    pub name: String,
    pub csrf_token: String,
}

/// A session ends after this long without a request…
pub const IDLE_TIMEOUT: Duration = Duration::hours(12);
/// …and in any case this long after login.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::days(7);
/// `last_seen_at` is written at most this often, not on every request.
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// A session with its person, as the database holds them.
#[derive(sqlx::FromRow)]
struct SessionRow {
    user_id: Uuid,
    csrf_token: String,
    created_at: OffsetDateTime,
    last_seen_at: OffsetDateTime,
    email: String,
    name: String,
}

pub async fn load(
    db: &PgPool,
    id_hash: &[u8],
    now: OffsetDateTime,
) -> sqlx::Result<Option<SessionUser>> {
    let Some(row) = sqlx::query_as::<_, SessionRow>(
        "SELECT s.user_id, s.csrf_token, s.created_at, s.last_seen_at, u.email::text AS email, u.name
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1",
    )
    .bind(id_hash)
    .fetch_optional(db)
    .await?
    else {
        return Ok(None);
    };
    let (created_at, last_seen_at) = (row.created_at, row.last_seen_at);
    if now - last_seen_at > IDLE_TIMEOUT || now - created_at > ABSOLUTE_TIMEOUT {
        delete(db, id_hash).await?;
        return Ok(None);
    }
    if now - last_seen_at > TOUCH_EVERY {
        sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1")
            .bind(id_hash)
            .bind(now)
            .execute(db)
            .await?;
    }
    Ok(Some(SessionUser {
        session_hash: id_hash.to_vec(),
        user_id: row.user_id,
        email: row.email,
        name: row.name,
        csrf_token: row.csrf_token,
    }))
}

/// Starts a new session and returns the token for the cookie. Always a fresh id, so a
/// token planted before login is worth nothing after it.
pub async fn create(
    conn: &mut PgConnection,
    user_id: Uuid,
    now: OffsetDateTime,
) -> sqlx::Result<String> {
    let session = tokens::new_token();
    let csrf = tokens::new_token();
    sqlx::query("INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)")
        .bind(&session.hash)
        .bind(user_id)
        .bind(&csrf.token)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    // Old expired sessions of this person are of no use to anyone.
    sqlx::query(
        "DELETE FROM sessions WHERE user_id = $1 AND (last_seen_at < $2 OR created_at < $3)",
    )
    .bind(user_id)
    .bind(now - IDLE_TIMEOUT)
    .bind(now - ABSOLUTE_TIMEOUT)
    .execute(conn)
    .await?;
    Ok(session.token)
}

pub async fn delete<'c>(db: impl sqlx::PgExecutor<'c>, id_hash: &[u8]) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn delete_all_for_user(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}
