//! Per-client rate limits kept in PostgreSQL, so every app instance on one database
//! counts together (the sign-on form's per-address limit; the login throttle has its
//! own table). A sliding window: a hit counts if fewer than `max` hits of the same
//! client and scope were allowed in the last `window`.

use std::net::IpAddr;

use sqlx::types::ipnetwork::IpNetwork;
use sqlx::{PgConnection, PgPool};
use time::{Duration, OffsetDateTime};

pub struct RateLimit {
    pub scope: &'static str,
    pub max: i64,
    pub window: Duration,
}

impl RateLimit {
    /// Counts one attempt from `client` at `now`; false when it is over the limit (and then
    /// it is not counted). Attempts of one client are counted one after the other (a
    /// transaction-scoped advisory lock), so simultaneous ones cannot slip past together.
    pub async fn allow(
        &self,
        db: &PgPool,
        client: IpAddr,
        now: OffsetDateTime,
    ) -> sqlx::Result<bool> {
        let client = IpNetwork::from(client);
        let mut tx = db.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1 || '/' || $2::text, 0))")
            .bind(self.scope)
            .bind(client)
            .execute(&mut *tx)
            .await?;
        let recent: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM rate_limit_hits WHERE scope = $1 AND client = $2 AND at > $3",
        )
        .bind(self.scope)
        .bind(client)
        .bind(now - self.window)
        .fetch_one(&mut *tx)
        .await?;
        if recent >= self.max {
            return Ok(false);
        }
        sqlx::query("INSERT INTO rate_limit_hits (scope, client, at) VALUES ($1, $2, $3)")
            .bind(self.scope)
            .bind(client)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        // Old hits of this client go as new ones come; nobody else's are touched.
        sqlx::query("DELETE FROM rate_limit_hits WHERE scope = $1 AND client = $2 AND at <= $3")
            .bind(self.scope)
            .bind(client)
            .bind(now - self.window)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// When `client` may try again, if its budget in this scope is spent at `now` (the
    /// oldest of its last `max` hits leaves the window then); `None` while it has room.
    /// Reads only: the caller counts the attempt afterwards (`record`, `take`).
    pub async fn spent(
        &self,
        conn: &mut PgConnection,
        client: IpAddr,
        now: OffsetDateTime,
    ) -> sqlx::Result<Option<OffsetDateTime>> {
        let oldest_of_last: Option<OffsetDateTime> = sqlx::query_scalar(
            "SELECT at FROM rate_limit_hits WHERE scope = $1 AND client = $2 AND at > $3
             ORDER BY at DESC OFFSET $4 LIMIT 1",
        )
        .bind(self.scope)
        .bind(IpNetwork::from(client))
        .bind(now - self.window)
        .bind(self.max - 1)
        .fetch_optional(&mut *conn)
        .await?;
        Ok(oldest_of_last.map(|at| at + self.window))
    }

    /// Counts one hit of `client` at `now`, without checking the budget (an attempt whose
    /// outcome is known only after it ran, checked with `spent` before).
    pub async fn record(
        &self,
        conn: &mut PgConnection,
        client: IpAddr,
        now: OffsetDateTime,
    ) -> sqlx::Result<()> {
        sqlx::query("INSERT INTO rate_limit_hits (scope, client, at) VALUES ($1, $2, $3)")
            .bind(self.scope)
            .bind(IpNetwork::from(client))
            .bind(now)
            .execute(&mut *conn)
            .await?;
        // Old hits of this client go as new ones come; nobody else's are touched.
        sqlx::query("DELETE FROM rate_limit_hits WHERE scope = $1 AND client = $2 AND at <= $3")
            .bind(self.scope)
            .bind(IpNetwork::from(client))
            .bind(now - self.window)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// In the caller's transaction: counts one hit unless the budget is spent, and then
    /// says when `client` may try again. Hits of one client and scope are counted one
    /// after the other (a transaction-scoped advisory lock, held to the caller's commit),
    /// so simultaneous attempts cannot slip past together. Take it after the transaction's
    /// other locks: it is held only for the rest of the transaction's short work.
    pub async fn take(
        &self,
        tx: &mut PgConnection,
        client: IpAddr,
        now: OffsetDateTime,
    ) -> sqlx::Result<Option<OffsetDateTime>> {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1 || '/' || $2::text, 0))")
            .bind(self.scope)
            .bind(IpNetwork::from(client))
            .execute(&mut *tx)
            .await?;
        if let Some(retry_at) = self.spent(tx, client, now).await? {
            return Ok(Some(retry_at));
        }
        self.record(tx, client, now).await?;
        Ok(None)
    }
}
