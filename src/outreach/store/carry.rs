//! Carrying the signers of another campaign of the group over as prospects. Read-only
//! exception: `campaigns` (titles for the picker) and `signatures` (the confirmed
//! organizations of the other campaign) are read, never written.

use super::*;

/// The group's other campaigns (slug, title), newest first: names only, since counting
/// each campaign's signers would read every signature of the group.
pub async fn other_campaigns(
    db: &PgPool,
    tenant: TenantId,
    except: Uuid,
) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT slug, title FROM campaigns WHERE tenant_id = $1 AND id <> $2 ORDER BY created_at DESC LIMIT 50",
    )
    .bind(tenant.uuid())
    .bind(except)
    .fetch_all(db)
    .await
}

/// A confirmed organization of another campaign, as it signed.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct SignerToCarry {
    pub name: String,
    pub website: String,
    pub size: String,
    pub contact_name: String,
    pub contact_title: String,
    pub email: String,
    pub phone: String,
}

/// The confirmed organizations that signed `campaign_id` (the host aside), in signer order.
pub async fn signers_to_carry(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
) -> sqlx::Result<Vec<SignerToCarry>> {
    sqlx::query_as(
        "SELECT name, website, size, contact_name, contact_title, email::text AS email, phone FROM signatures
         WHERE tenant_id = $1 AND campaign_id = $2 AND state = 'confirmed' AND kind = 'organization' AND source <> 'host'
         ORDER BY sort_key COLLATE signer_order, id LIMIT 5000",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_all(db)
    .await
}

/// Each prospect's folded name with each of its contacts' addresses (or none).
pub async fn names_and_addresses(
    conn: &mut PgConnection,
    campaign_id: Uuid,
) -> sqlx::Result<Vec<(String, Option<String>)>> {
    sqlx::query_as(
        "SELECT p.name_key, c.email::text FROM prospects p LEFT JOIN prospect_contacts c ON c.prospect_id = p.id
         WHERE p.campaign_id = $1",
    )
    .bind(campaign_id)
    .fetch_all(conn)
    .await
}
