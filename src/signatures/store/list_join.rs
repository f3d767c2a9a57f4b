//! The signer a member update's join link names (`signatures::list_join`): what joining
//! the group's list needs of them, read when they press the link's button.

use sqlx::PgPool;
use uuid::Uuid;

use crate::tenancy::TenantScope;

/// Who joins the group's list from a join link: the person, their organization, their
/// address, and the campaign they signed.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct SignerForJoin {
    pub name: String,
    pub organization: String,
    pub email: String,
    pub campaign_id: Uuid,
}

/// The signature `id` of the group, unless erased or anonymized: an organization's
/// signature joins as its contact person, an individual's as themselves.
pub async fn signer_for_join(
    db: &PgPool,
    tenant: impl TenantScope,
    id: Uuid,
) -> sqlx::Result<Option<SignerForJoin>> {
    sqlx::query_as(
        "SELECT CASE WHEN kind = 'organization' THEN contact_name ELSE name END AS name,
                CASE WHEN kind = 'organization' THEN name ELSE affiliation END AS organization,
                email::text AS email, campaign_id
           FROM signatures
          WHERE tenant_id = $1 AND id = $2 AND erased_at IS NULL AND anonymized_at IS NULL
            AND email <> ''",
    )
    .bind(tenant.uuid())
    .bind(id)
    .fetch_optional(db)
    .await
}
