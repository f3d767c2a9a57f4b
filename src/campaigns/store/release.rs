//! A campaign's release (the date it publishes itself, its press release) and the member
//! updates sent to listed signers (`member_updates`, and `member_update_names`: which
//! signature each listed name was, so an erasure finds its entry by id).

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::campaigns::lifecycle::{self, Action};
use crate::campaigns::Status;
use crate::tenancy::TenantId;

/// One member update as the release page lists it.
#[derive(sqlx::FromRow)]
pub struct SentUpdate {
    pub at: OffsetDateTime,
    pub reason: String,
    pub recipients: i32,
}

/// The newest 100 member updates of a campaign.
pub async fn member_updates(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
) -> sqlx::Result<Vec<SentUpdate>> {
    sqlx::query_as(
        "SELECT at, reason, recipients FROM member_updates WHERE tenant_id = $1 AND campaign_id = $2
         ORDER BY at DESC LIMIT 100",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_all(db)
    .await
}

/// Saves the release settings. A released campaign keeps its release time: it happened.
/// Changing how often updates go counts the period again from `now`.
pub async fn save_release(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    release_at: Option<OffsetDateTime>,
    press_release: &str,
    update_every_days: i32,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE campaigns SET release_at = CASE WHEN released_at IS NULL THEN $3 ELSE release_at END,
                press_release = $4,
                updates_from = CASE WHEN update_every_days = $5 THEN updates_from ELSE $6 END,
                update_every_days = $5
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(release_at)
    .bind(press_release)
    .bind(update_every_days)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Claims the next campaign whose release time has come (under its row lock, skipping
/// those another instance holds): marks it released and moves its status as the
/// lifecycle table says a release does. `None` when none is due.
pub async fn claim_next_release(
    conn: &mut PgConnection,
    now: OffsetDateTime,
) -> sqlx::Result<Option<Uuid>> {
    let moves = lifecycle::moves(Action::Release);
    let from: Vec<&str> = moves.iter().map(|(from, _)| from.as_str()).collect();
    let case: String = moves
        .iter()
        .map(|(from, to)| format!(" WHEN '{}' THEN '{}'", from.as_str(), to.as_str()))
        .collect();
    sqlx::query_scalar(&format!(
        "UPDATE campaigns SET released_at = $1,
                status = CASE status{case} END,
                published_at = coalesce(published_at, $1)
         WHERE id = (SELECT id FROM campaigns WHERE release_at <= $1 AND released_at IS NULL AND status = ANY($2)
                     ORDER BY release_at LIMIT 1 FOR UPDATE SKIP LOCKED)
         RETURNING id"
    ))
    .bind(now)
    .bind(&from)
    .fetch_optional(conn)
    .await
}

/// Open campaigns whose last update (or its opening) is `update_every_days` old.
pub async fn updates_due(db: &PgPool, now: OffsetDateTime) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "SELECT c.id FROM campaigns c
         WHERE c.update_every_days > 0 AND c.status IN ('open', 'published')
           AND (c.release_at IS NULL OR c.released_at IS NOT NULL)
           AND (c.hard_deadline > $1 OR c.open_after_deadline)
           AND coalesce((SELECT max(u.at) FROM member_updates u WHERE u.campaign_id = c.id), c.updates_from)
               <= $1 - make_interval(days => c.update_every_days)",
    )
    .bind(now)
    .fetch_all(db)
    .await
}

/// Claims a campaign's periodic update under its row lock, checked again: false when
/// another instance holds it or has sent it.
pub async fn claim_update(
    conn: &mut PgConnection,
    campaign_id: Uuid,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let still_due: Option<Uuid> = sqlx::query_scalar(
        "SELECT c.id FROM campaigns c WHERE c.id = $1
           AND coalesce((SELECT max(u.at) FROM member_updates u WHERE u.campaign_id = c.id), c.updates_from)
               <= $2 - make_interval(days => c.update_every_days)
         FOR NO KEY UPDATE SKIP LOCKED",
    )
    .bind(campaign_id)
    .bind(now)
    .fetch_optional(conn)
    .await?;
    Ok(still_due.is_some())
}

/// A campaign as the scheduler reads it to write to its signers: with its group's slug
/// and name, for links and the sender line.
#[derive(sqlx::FromRow)]
pub struct CampaignToMail {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub tenant_slug: String,
    pub group_name: String,
    pub slug: String,
    pub title: String,
    pub points: Vec<String>,
    pub consent_from_revision: i32,
    pub status: Status,
    pub hard_deadline: OffsetDateTime,
    pub open_after_deadline: bool,
}

impl CampaignToMail {
    /// Whether the form takes signatures at `now` (as `Campaign::accepting_signatures`).
    pub fn accepting(&self, now: OffsetDateTime) -> bool {
        matches!(self.status, Status::Open | Status::Published)
            && (now < self.hard_deadline || self.open_after_deadline)
    }
}

pub async fn campaign_to_mail(
    conn: &mut PgConnection,
    campaign_id: Uuid,
) -> sqlx::Result<Option<CampaignToMail>> {
    sqlx::query_as(
        "SELECT c.id, c.tenant_id, t.slug AS tenant_slug, t.name AS group_name, c.slug, c.title, c.points,
                c.consent_from_revision, c.status, c.hard_deadline, c.open_after_deadline
         FROM campaigns c JOIN tenants t ON t.id = c.tenant_id WHERE c.id = $1",
    )
    .bind(campaign_id)
    .fetch_optional(conn)
    .await
}

/// Records a member update (`reason`: "release" or "periodic") sent to `recipients`
/// signers, and which signature each listed name is; returns its id.
pub async fn record_member_update(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    campaign_id: Uuid,
    reason: &str,
    now: OffsetDateTime,
    recipients: i32,
    listed_ids: &[Uuid],
) -> sqlx::Result<i64> {
    let update_id: i64 = sqlx::query_scalar(
        "INSERT INTO member_updates (tenant_id, campaign_id, reason, at, recipients) VALUES ($1, $2, $3, $4, $5)
         RETURNING id",
    )
    .bind(tenant_id)
    .bind(campaign_id)
    .bind(reason)
    .bind(now)
    .bind(recipients)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO member_update_names (update_id, position, signature_id)
         SELECT $1, n.position - 1, n.id FROM unnest($2::uuid[]) WITH ORDINALITY AS n(id, position)",
    )
    .bind(update_id)
    .bind(listed_ids)
    .execute(&mut *conn)
    .await?;
    Ok(update_id)
}
