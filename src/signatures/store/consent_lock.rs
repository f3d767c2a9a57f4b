//! The transaction-scoped advisory locks behind the consent lock. The protocol (who takes
//! it, how, and in which order) is written once, in `signatures::consent`; call it from
//! there.

use sqlx::PgConnection;

/// Takes the advisory lock `key` shared until the transaction ends, waiting at most
/// `lock_timeout` 4 s (then the statement fails with a lock timeout).
pub async fn advisory_lock_shared(conn: &mut PgConnection, key: i64) -> sqlx::Result<()> {
    sqlx::query(
        "SELECT pg_advisory_xact_lock_shared($1)
         FROM (SELECT set_config('lock_timeout', '4s', true)) AS waiting_at_most",
    )
    .bind(key)
    .execute(conn)
    .await?;
    Ok(())
}

/// Takes the advisory lock `key` exclusively until the transaction ends.
pub async fn advisory_lock_exclusive(conn: &mut PgConnection, key: i64) -> sqlx::Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}
