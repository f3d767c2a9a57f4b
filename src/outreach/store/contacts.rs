//! A prospect's contacts (`prospect_contacts`).

use super::*;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Contact {
    pub id: Uuid,
    pub prospect_id: Uuid,
    pub name: String,
    /// What `{first_name}` greets them by, when organizers set it (else the first word
    /// of `name`).
    pub first_name: String,
    pub role: String,
    pub email: Option<String>,
    pub phone: String,
    pub bounced_at: Option<OffsetDateTime>,
    pub bounce_reason: String,
    pub touches: i32,
    pub last_touch_at: Option<OffsetDateTime>,
}

pub(super) const CONTACT_COLUMNS: &str =
    "c.id, c.prospect_id, c.name, c.first_name, c.role, c.email::text AS email, c.phone, c.bounced_at,
    c.bounce_reason, c.touches, c.last_touch_at";

pub async fn contacts_of(
    db: &PgPool,
    tenant: TenantId,
    prospect_id: Uuid,
) -> sqlx::Result<Vec<Contact>> {
    let sql = format!(
        "SELECT {CONTACT_COLUMNS} FROM prospect_contacts c WHERE c.tenant_id = $1 AND c.prospect_id = $2
         ORDER BY c.created_at, c.id"
    );
    sqlx::query_as(&sql)
        .bind(tenant.uuid())
        .bind(prospect_id)
        .fetch_all(db)
        .await
}

#[derive(Clone, Debug, Default)]
pub struct ContactInput {
    pub name: String,
    /// Empty: `{first_name}` is the first word of `name`.
    pub first_name: String,
    pub role: String,
    pub email: Option<String>,
    pub phone: String,
}

pub async fn add_contact(
    conn: &mut PgConnection,
    tenant: Uuid,
    campaign_id: Uuid,
    prospect_id: Uuid,
    input: &ContactInput,
    now: OffsetDateTime,
) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO prospect_contacts (id, tenant_id, campaign_id, prospect_id, name, role, email, phone, created_at,
                                        first_name)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id)
    .bind(tenant)
    .bind(campaign_id)
    .bind(prospect_id)
    .bind(&input.name)
    .bind(&input.role)
    .bind(&input.email)
    .bind(&input.phone)
    .bind(now)
    .bind(&input.first_name)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// Saves a contact; a new address starts without the old one's bounce.
pub async fn update_contact(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    id: Uuid,
    input: &ContactInput,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "UPDATE prospect_contacts SET name = $4, role = $5, phone = $7, first_name = $8,
                bounced_at = CASE WHEN email IS DISTINCT FROM $6::citext THEN NULL ELSE bounced_at END,
                bounce_reason = CASE WHEN email IS DISTINCT FROM $6::citext THEN '' ELSE bounce_reason END,
                email = $6
         WHERE tenant_id = $1 AND campaign_id = $2 AND id = $3 RETURNING prospect_id",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(id)
    .bind(&input.name)
    .bind(&input.role)
    .bind(&input.email)
    .bind(&input.phone)
    .bind(&input.first_name)
    .fetch_optional(conn)
    .await
}

pub async fn remove_contact(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "DELETE FROM prospect_contacts WHERE tenant_id = $1 AND campaign_id = $2 AND id = $3 RETURNING prospect_id",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn clear_bounce(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "UPDATE prospect_contacts SET bounced_at = NULL, bounce_reason = ''
         WHERE tenant_id = $1 AND campaign_id = $2 AND id = $3 RETURNING prospect_id",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// A contact of this campaign's prospects with a signer's address: its touches count
/// toward the touch limits of anything else written to that address.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct ContactByEmail {
    pub email: String,
    pub contact_id: Uuid,
    pub prospect_id: Uuid,
    pub touches: i32,
    pub last_touch_at: Option<OffsetDateTime>,
}

/// The most-touched contact of this campaign for each of these addresses (compared whole,
/// case folded).
pub async fn contacts_by_email(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    emails: &[String],
) -> sqlx::Result<Vec<ContactByEmail>> {
    sqlx::query_as(
        "SELECT DISTINCT ON (lower(c.email::text)) lower(c.email::text) AS email, c.id AS contact_id,
                c.prospect_id, c.touches, c.last_touch_at
         FROM prospect_contacts c
         WHERE c.tenant_id = $1 AND c.campaign_id = $2 AND lower(c.email::text) = ANY ($3)
         ORDER BY lower(c.email::text), c.touches DESC, c.last_touch_at DESC NULLS LAST, c.id",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(emails.iter().map(|e| e.to_lowercase()).collect::<Vec<_>>())
    .fetch_all(conn)
    .await
}

/// The prospect a contact of this campaign belongs to.
pub async fn prospect_of_contact(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    contact_id: Uuid,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "SELECT prospect_id FROM prospect_contacts WHERE tenant_id = $1 AND campaign_id = $2 AND id = $3",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(contact_id)
    .fetch_optional(db)
    .await
}

/// A contact as its personal link's form is filled in with it, and its organization.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct LinkContact {
    pub prospect_id: Uuid,
    pub organization: String,
    pub website: String,
    pub size: String,
    pub parent: String,
    pub email: Option<String>,
    pub name: String,
    pub role: String,
}

pub async fn link_contact(
    db: &PgPool,
    tenant_id: Uuid,
    campaign_id: Uuid,
    contact_id: Uuid,
) -> sqlx::Result<Option<LinkContact>> {
    sqlx::query_as(
        "SELECT p.id AS prospect_id, p.name AS organization, p.website, p.size, coalesce(parent.name, '') AS parent,
                c.email::text AS email, c.name, c.role
         FROM prospect_contacts c JOIN prospects p ON p.id = c.prospect_id
         LEFT JOIN prospects parent ON parent.id = p.parent_id
         WHERE c.id = $1 AND c.campaign_id = $2 AND c.tenant_id = $3",
    )
    .bind(contact_id)
    .bind(campaign_id)
    .bind(tenant_id)
    .fetch_optional(db)
    .await
}
