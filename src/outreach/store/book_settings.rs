//! The group's touch limits across every campaign and channel, and how long the book
//! keeps a person with no activity (`book_settings`); and what those limits count: each
//! person's touches in the group (`person_touches`, written by the activity trigger).
//! Read-only exception: `campaigns` (campaigns') names the campaign of a person's last
//! touch in the reason a touch is held back.

use super::*;

/// The group's limits. A group without a row has the defaults.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct BookSettings {
    /// At least this many days between two touches of one person, in any campaign.
    pub min_days_between: i32,
    /// At most this many touches of one person in 30 days, every campaign counted.
    pub max_touches_in_30_days: i32,
    /// People with no activity in this many months are removed; `None`: kept.
    pub retention_months: Option<i32>,
}

impl Default for BookSettings {
    fn default() -> Self {
        BookSettings {
            min_days_between: 3,
            max_touches_in_30_days: 6,
            retention_months: None,
        }
    }
}

/// The group's limits, or the defaults when organizers never changed them. `tenant` is
/// the member's group, or the group of a campaign the scheduler found.
pub async fn book_settings(conn: &mut PgConnection, tenant: Uuid) -> sqlx::Result<BookSettings> {
    let row: Option<BookSettings> = sqlx::query_as(
        "SELECT min_days_between, max_touches_in_30_days, retention_months FROM book_settings
         WHERE tenant_id = $1",
    )
    .bind(tenant)
    .fetch_optional(conn)
    .await?;
    Ok(row.unwrap_or_default())
}

pub async fn save_book_settings(
    db: &PgPool,
    tenant: TenantId,
    s: &BookSettings,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO book_settings (tenant_id, min_days_between, max_touches_in_30_days, retention_months)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id) DO UPDATE SET min_days_between = $2, max_touches_in_30_days = $3,
                retention_months = $4",
    )
    .bind(tenant.uuid())
    .bind(s.min_days_between)
    .bind(s.max_touches_in_30_days)
    .bind(s.retention_months)
    .execute(db)
    .await?;
    Ok(())
}

/// A person's touches across the group's campaigns, as the group's limits count them.
#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct GroupTouches {
    pub person_id: Uuid,
    /// Touches in the 30 days before the moment asked about, every campaign counted.
    pub in_30_days: i64,
    pub last_at: Option<OffsetDateTime>,
    /// The last touch's kind (`ask`, `reminder`, `call`, …); empty without one.
    pub last_kind: String,
    /// The title of the campaign the last touch was for, if it was for one.
    pub last_campaign: Option<String>,
}

/// The group's touches of each of these people (of this group only) at `now`.
pub async fn group_touches(
    conn: &mut PgConnection,
    tenant: Uuid,
    person_ids: &[Uuid],
    now: OffsetDateTime,
) -> sqlx::Result<Vec<GroupTouches>> {
    sqlx::query_as(
        "SELECT pe.id AS person_id,
                (SELECT count(*) FROM person_touches t
                  WHERE t.person_id = pe.id AND t.at > $3 - interval '30 days' AND t.at <= $3) AS in_30_days,
                last.at AS last_at, coalesce(last.kind, '') AS last_kind, last.title AS last_campaign
         FROM people pe
         LEFT JOIN LATERAL (
             SELECT t.at, t.kind, c.title FROM person_touches t
             LEFT JOIN campaigns c ON c.id = t.campaign_id
             WHERE t.person_id = pe.id AND t.at <= $3
             ORDER BY t.at DESC, t.activity_id DESC LIMIT 1) last ON true
         WHERE pe.tenant_id = $1 AND pe.id = ANY ($2)",
    )
    .bind(tenant)
    .bind(person_ids)
    .bind(now)
    .fetch_all(conn)
    .await
}
