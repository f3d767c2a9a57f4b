//! Per-client rate limits kept in PostgreSQL, so every app instance on one database
//! counts together (the sign-on form's per-address limit; the login throttle has its
//! own table). A sliding window: a hit counts if fewer than `max` hits of the same
//! client and scope were allowed in the last `window`.

use std::net::IpAddr;

use sqlx::types::ipnetwork::IpNetwork;
use sqlx::PgPool;
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
}
