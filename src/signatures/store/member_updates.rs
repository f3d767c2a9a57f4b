//! The listed signers a member update goes to (`campaigns::release`).

use sqlx::PgConnection;
use uuid::Uuid;

/// A listed signer, as a member update names and emails them.
#[derive(sqlx::FromRow)]
pub struct UpdateRecipient {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    /// "organization" or "individual".
    pub kind: String,
}

/// The signers listed under a campaign whose consent floor is `consent_from`, in the
/// public page's order (organizations, then individuals).
pub async fn listed_for_update(
    conn: &mut PgConnection,
    campaign_id: Uuid,
    consent_from: i32,
) -> sqlx::Result<Vec<UpdateRecipient>> {
    sqlx::query_as(
        "SELECT id, name, email::text AS email, kind FROM signatures
         WHERE campaign_id = $1 AND state = 'confirmed' AND confirmed_revision >= $2
         ORDER BY kind = 'individual', sort_key COLLATE signer_order, id",
    )
    .bind(campaign_id)
    .bind(consent_from)
    .fetch_all(conn)
    .await
}
