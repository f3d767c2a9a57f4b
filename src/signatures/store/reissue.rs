//! SQL for the consent ledger of a reissue (`reissue_decisions`; the types and what each
//! decision means are in `signatures::reissue`).
//!
//! Read-only: `campaigns` (the consent floor a listed signer's consent covers) and
//! `mail_suppressions` (whether an original signer's address unsubscribed, read with the
//! same row lock as their signature).

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::signatures::reissue::{Decision, Line, Original};
use crate::tenancy::{TenantId, TenantScope};

/// Writes one line of the ledger.
#[allow(clippy::too_many_arguments)]
pub async fn record(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    campaign_id: Uuid,
    original: Option<Uuid>,
    signature: Option<Uuid>,
    decision: Decision,
    detail: &str,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    // A signer's own step names only the new signature: the original comes from it.
    sqlx::query(
        "INSERT INTO reissue_decisions (tenant_id, campaign_id, original_signature_id, signature_id, decision, detail, at)
         VALUES ($1, $2, coalesce($3, (SELECT reissued_from FROM signatures WHERE id = $4)), $4, $5, $6, $7)",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(original)
    .bind(signature)
    .bind(decision)
    .bind(detail)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// The signers listed on the original campaign now (the host organization aside: it
/// signs the reissue as its own organizer creates it), in the public order; those whose
/// contact details the retention setting removed cannot be asked. Locked until the
/// caller's transaction ends, so a withdrawal or an erasure waits for the reissue and
/// then reaches its copies too.
pub async fn originals(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
) -> sqlx::Result<Vec<Original>> {
    sqlx::query_as(
        "SELECT s.id, s.kind, s.name, s.email::text AS email, s.reissue_notice_at IS NOT NULL AS told_in_advance,
                EXISTS (SELECT 1 FROM mail_suppressions x
                        WHERE x.email = s.email AND (x.tenant_id IS NULL OR x.tenant_id = s.tenant_id)) AS unsubscribed
         FROM signatures s JOIN campaigns c ON c.id = s.campaign_id
         WHERE s.tenant_id = $1 AND s.campaign_id = $2 AND s.state = 'confirmed' AND s.erased_at IS NULL
           AND s.anonymized_at IS NULL
           AND s.confirmed_revision >= c.consent_from_revision AND s.source <> 'host'
         ORDER BY s.kind DESC, s.sort_key COLLATE signer_order, s.id
         FOR SHARE OF s",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_all(conn)
    .await
}

/// The reissue's ledger, grouped by signer (in the order they were considered), each
/// signer's decisions in order.
pub async fn ledger(db: &PgPool, tenant: TenantId, campaign_id: Uuid) -> sqlx::Result<Vec<Line>> {
    sqlx::query_as(
        "SELECT coalesce(CASE WHEN o.erased_at IS NULL THEN o.name END, '') AS name, d.decision, d.detail, d.at,
                s.state
         FROM reissue_decisions d
         LEFT JOIN signatures o ON o.id = d.original_signature_id
         LEFT JOIN signatures s ON s.id = d.signature_id
         WHERE d.tenant_id = $1 AND d.campaign_id = $2
         ORDER BY min(d.id) OVER (PARTITION BY coalesce(d.original_signature_id, d.signature_id)), d.id",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_all(db)
    .await
}
