//! Signers' referrals as outreach takes them in: the confirmed signers' referrals not yet
//! turned into prospects, and the mark that one was (in the caller's transaction, which
//! adds the prospect, so two instances never add it twice).

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// A referral to turn into a prospect, with its signer's name.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct ReferralToAbsorb {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub campaign_id: Uuid,
    pub name: String,
    pub organization: String,
    pub email: String,
    pub referrer: String,
}

/// Referrals of confirmed signers not yet absorbed, oldest first; `campaign` limits it.
pub async fn referrals_to_absorb(
    db: &PgPool,
    campaign: Option<Uuid>,
) -> sqlx::Result<Vec<ReferralToAbsorb>> {
    sqlx::query_as(
        "SELECT f.id, f.tenant_id, f.campaign_id, f.name, f.organization, f.email, s.name AS referrer
         FROM referrals f JOIN signatures s ON s.id = f.signature_id
         WHERE NOT f.absorbed AND ($1::uuid IS NULL OR f.campaign_id = $1) AND s.state = 'confirmed'
         ORDER BY f.created_at LIMIT 1000",
    )
    .bind(campaign)
    .fetch_all(db)
    .await
}

/// Marks a referral absorbed; false when another instance took it first.
pub async fn take_referral(conn: &mut PgConnection, referral_id: Uuid) -> sqlx::Result<bool> {
    let taken: Option<Uuid> = sqlx::query_scalar(
        "UPDATE referrals SET absorbed = true WHERE id = $1 AND NOT absorbed RETURNING id",
    )
    .bind(referral_id)
    .fetch_optional(conn)
    .await?;
    Ok(taken.is_some())
}
