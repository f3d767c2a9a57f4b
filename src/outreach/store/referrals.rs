//! Referrals left by signers, turned into prospects. The referrals themselves are
//! signatures' (`signatures::store::referrals_to_absorb`, `take_referral`, called in the
//! transaction that adds the prospect, so two instances never add it twice).

use super::*;

/// Whether a prospect was already made from this referral.
pub async fn referral_has_prospect(
    conn: &mut PgConnection,
    referral_id: Uuid,
) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM prospects WHERE referral_id = $1)")
        .bind(referral_id)
        .fetch_one(conn)
        .await
}
