//! SQL for the retention setting (`signatures::retention` says what it keeps and when):
//! the runs (`retention_runs`) and the anonymizing of a campaign's signatures and their
//! suggestions.
//!
//! Read-only: `campaigns` (when each closed, its retention setting and its count of
//! erased signers), because signatures sit below campaigns and the job is driven from
//! the campaign's closing; `still_due` also holds the campaign row (`FOR SHARE`) so an
//! organizer reopening it or changing the setting waits for the run.

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::tenancy::TenantId;

/// One run, as organizers read it.
#[derive(sqlx::FromRow)]
pub struct Run {
    pub at: OffsetDateTime,
    pub anonymized: i32,
}

/// When each campaign counts as closed: its `closed_at`, or the hard deadline that closed
/// its form (unless organizers keep it open).
const CLOSING: &str = "CASE WHEN c.status = 'closed' THEN c.closed_at
                            WHEN c.status IN ('open', 'published') AND NOT c.open_after_deadline THEN c.hard_deadline
                       END";

/// The campaigns whose retention period after closing has passed at `now` and whose
/// closing no run has handled, with that closing.
pub async fn due_for_retention(
    db: &PgPool,
    now: OffsetDateTime,
) -> sqlx::Result<Vec<(Uuid, OffsetDateTime)>> {
    sqlx::query_as(&format!(
        "SELECT c.id, {CLOSING} AS closing FROM campaigns c
         WHERE c.retention_months > 0
           AND {CLOSING} + make_interval(months => c.retention_months) <= $1
           AND NOT EXISTS (SELECT 1 FROM retention_runs r WHERE r.campaign_id = c.id AND r.closed_at = {CLOSING})"
    ))
    .bind(now)
    .fetch_all(db)
    .await
}

/// The campaign's tenant if it is still closed since `closing`, with retention on and
/// due at `now` (an organizer may have reopened it or changed the setting since the tick
/// read it); the campaign row is held until the transaction ends.
pub async fn still_due(
    conn: &mut PgConnection,
    campaign_id: Uuid,
    closing: OffsetDateTime,
    now: OffsetDateTime,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(&format!(
        "SELECT c.tenant_id FROM campaigns c
         WHERE c.id = $1 AND c.retention_months > 0 AND {CLOSING} = $2
           AND {CLOSING} + make_interval(months => c.retention_months) <= $3
         FOR SHARE"
    ))
    .bind(campaign_id)
    .bind(closing)
    .bind(now)
    .fetch_optional(conn)
    .await
}

/// Claims the run of this closing (once, however many schedulers run): its id, or
/// `None` when another claimed it.
pub async fn claim_run(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    campaign_id: Uuid,
    closing: OffsetDateTime,
    now: OffsetDateTime,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "INSERT INTO retention_runs (tenant_id, campaign_id, closed_at, at, anonymized) VALUES ($1, $2, $3, $4, 0)
         ON CONFLICT (campaign_id, closed_at) DO NOTHING RETURNING id",
    )
    .bind(tenant_id)
    .bind(campaign_id)
    .bind(closing)
    .bind(now)
    .fetch_optional(conn)
    .await
}

/// Anonymizes the campaign's signatures not yet anonymized (see
/// `retention::anonymize_due` for what goes) and their suggestions; returns each one's
/// id and former address, in id order.
pub async fn anonymize_campaign(
    conn: &mut PgConnection,
    campaign_id: Uuid,
    now: OffsetDateTime,
    anonymized_name: &str,
) -> sqlx::Result<Vec<(Uuid, String)>> {
    let old: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT id, email::text FROM signatures
         WHERE campaign_id = $1 AND anonymized_at IS NULL ORDER BY id FOR NO KEY UPDATE",
    )
    .bind(campaign_id)
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<Uuid> = old.iter().map(|(id, _)| *id).collect();
    sqlx::query(
        "UPDATE signatures SET
            email = 'anonymized+' || gen_random_uuid() || '@invalid',
            phone = '',
            comment = '',
            contact_name = CASE WHEN state = 'confirmed' AND show_contact THEN contact_name ELSE '' END,
            contact_title = CASE WHEN state = 'confirmed' AND show_contact THEN contact_title ELSE '' END,
            website = CASE WHEN kind = 'individual' THEN '' ELSE website END,
            name = CASE WHEN state = 'confirmed' THEN name ELSE $3 END,
            name_key = CASE WHEN state = 'confirmed' THEN name_key ELSE 'anonymized-' || id END,
            sort_key = CASE WHEN state = 'confirmed' THEN sort_key ELSE $3 END,
            city = CASE WHEN state = 'confirmed' THEN city ELSE '' END,
            affiliation = CASE WHEN state = 'confirmed' THEN affiliation ELSE '' END,
            parent_organization = CASE WHEN state = 'confirmed' THEN parent_organization ELSE '' END,
            anonymized_at = $2
         WHERE id = ANY ($1)",
    )
    .bind(&ids)
    .bind(now)
    .bind(anonymized_name)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE referrals SET name = '', email = '', absorbed = true WHERE signature_id = ANY ($1)",
    )
    .bind(&ids)
    .execute(&mut *conn)
    .await?;
    Ok(old)
}

/// Whether a signature of the group still stands on the address.
pub async fn address_in_use(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    email: &str,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM signatures WHERE tenant_id = $1 AND email = $2::citext)",
    )
    .bind(tenant_id)
    .bind(email)
    .fetch_one(conn)
    .await
}

/// Records how many signatures the run anonymized.
pub async fn finish_run(conn: &mut PgConnection, run: i64, anonymized: i32) -> sqlx::Result<()> {
    sqlx::query("UPDATE retention_runs SET anonymized = $2 WHERE id = $1")
        .bind(run)
        .bind(anonymized)
        .execute(conn)
        .await?;
    Ok(())
}

/// A campaign's runs, newest first: when, and how many signatures each anonymized.
pub async fn runs(db: &PgPool, tenant: TenantId, campaign_id: Uuid) -> sqlx::Result<Vec<Run>> {
    sqlx::query_as(
        "SELECT at, anonymized FROM retention_runs WHERE tenant_id = $1 AND campaign_id = $2 ORDER BY at DESC, id DESC",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_all(db)
    .await
}

/// How many signers of the campaign erased themselves.
pub async fn erased_signers(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar("SELECT erased_signers FROM campaigns WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.uuid())
        .bind(campaign_id)
        .fetch_optional(db)
        .await
}
