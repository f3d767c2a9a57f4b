//! Signatures of a reissue on the signatures' side: whether the host signed the original,
//! whether an original signature still stands, the notified signatures whose opt-out date
//! passed, and the advance notice recorded as a signer confirms. Two queries join
//! `campaigns` read-only, for a column of the campaign the signature belongs to
//! (`opt_out_by`, `reissue_notice`), read in the same statement as the signatures they
//! decide about.

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::tenancy::TenantId;

/// Whether the host organization's signature of the campaign is confirmed.
pub async fn host_signed(conn: &mut PgConnection, campaign_id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM signatures WHERE campaign_id = $1 AND source = 'host' AND state = 'confirmed')",
    )
    .bind(campaign_id)
    .fetch_one(conn)
    .await
}

/// A reissued signature and whether the signature it was copied from still stands
/// (confirmed, neither erased nor anonymized; `None` without one).
#[derive(sqlx::FromRow)]
pub struct OriginalStanding {
    pub original_stands: Option<bool>,
    pub campaign_id: Uuid,
    pub reissued_from: Option<Uuid>,
}

pub async fn original_standing(
    conn: &mut PgConnection,
    signature_id: Uuid,
) -> sqlx::Result<OriginalStanding> {
    sqlx::query_as(
        "SELECT (SELECT o.state = 'confirmed' AND o.erased_at IS NULL AND o.anonymized_at IS NULL
                   FROM signatures o WHERE o.id = s.reissued_from) AS original_stands,
                s.campaign_id, s.reissued_from
         FROM signatures s WHERE s.id = $1",
    )
    .bind(signature_id)
    .fetch_one(conn)
    .await
}

/// A notified signature whose campaign's opt-out date has passed.
#[derive(sqlx::FromRow)]
pub struct NotifiedDue {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub campaign_id: Uuid,
}

/// Up to 1,000 notified signatures whose campaign's opt-out date (`campaigns.opt_out_by`,
/// read-only) has passed, for the scheduler.
pub async fn notified_due(db: &PgPool, now: OffsetDateTime) -> sqlx::Result<Vec<NotifiedDue>> {
    sqlx::query_as(
        "SELECT s.id, s.tenant_id, s.campaign_id
         FROM signatures s JOIN campaigns c ON c.id = s.campaign_id
         WHERE s.state = 'notified' AND c.opt_out_by <= $1
         ORDER BY s.id LIMIT 1000",
    )
    .bind(now)
    .fetch_all(db)
    .await
}

/// The revision a signature was told of (the new text, for a reissue).
pub async fn told_revision(
    conn: &mut PgConnection,
    signature_id: Uuid,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar("SELECT revision_id FROM signatures WHERE id = $1")
        .bind(signature_id)
        .fetch_one(conn)
        .await
}

/// A signer's address and name, and the campaign they signed, unless erased.
#[derive(sqlx::FromRow)]
pub struct SignerContact {
    pub email: String,
    pub name: String,
    pub campaign_id: Uuid,
}

pub async fn contact_of(
    conn: &mut PgConnection,
    tenant: TenantId,
    signature_id: Uuid,
) -> sqlx::Result<Option<SignerContact>> {
    sqlx::query_as(
        "SELECT s.email::text AS email, s.name, s.campaign_id FROM signatures s
         WHERE s.tenant_id = $1 AND s.id = $2 AND s.erased_at IS NULL",
    )
    .bind(tenant.uuid())
    .bind(signature_id)
    .fetch_optional(conn)
    .await
}

/// Records, as a signer confirms, whether the reissue notice was shown to them
/// (`shown`), counting only while the campaign gives it (`campaigns.reissue_notice`,
/// read-only, at this moment); a notice recorded earlier is cleared when not shown now.
pub async fn record_reissue_notice(
    conn: &mut PgConnection,
    signature_id: Uuid,
    now: OffsetDateTime,
    shown: bool,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE signatures s SET reissue_notice_at = CASE WHEN $3 AND c.reissue_notice THEN $2 END
         FROM campaigns c WHERE s.id = $1 AND c.id = s.campaign_id
           AND (s.reissue_notice_at IS NOT NULL OR ($3 AND c.reissue_notice))",
    )
    .bind(signature_id)
    .bind(now)
    .bind(shown)
    .execute(conn)
    .await?;
    Ok(())
}
