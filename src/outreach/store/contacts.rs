//! A prospect's contacts: the people of its organization in the group's address book
//! (`people`), with this campaign's touches of each (`person_touches`). A person is the
//! book's: adding, editing or removing one here changes them for every campaign.

use super::*;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Contact {
    /// The person's id in the book.
    pub id: Uuid,
    /// The prospect of the campaign being shown.
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
    /// This campaign's touches of the person.
    pub touches: i32,
    pub last_touch_at: Option<OffsetDateTime>,
}

/// A contact's columns: `c` is the person (`people`), `p` the prospect of the campaign
/// (`prospects`, on `p.organization_id = c.organization_id`); touches are the campaign's.
pub(super) const CONTACT_COLUMNS: &str =
    "c.id, p.id AS prospect_id, c.name, c.first_name, c.role, c.email::text AS email, c.phone, c.bounced_at,
    c.bounce_reason,
    (SELECT count(*) FROM person_touches t WHERE t.person_id = c.id AND t.campaign_id = p.campaign_id)::int AS touches,
    (SELECT max(t.at) FROM person_touches t WHERE t.person_id = c.id AND t.campaign_id = p.campaign_id) AS last_touch_at";

pub async fn contacts_of(
    db: &PgPool,
    tenant: TenantId,
    prospect_id: Uuid,
) -> sqlx::Result<Vec<Contact>> {
    let sql = format!(
        "SELECT {CONTACT_COLUMNS} FROM prospects p JOIN people c ON c.organization_id = p.organization_id
         WHERE p.tenant_id = $1 AND p.id = $2
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

/// Adds a person to the organization of a campaign's prospect, in the book; a person of
/// that organization with the same address is that person (their id is returned, and
/// what they lack is filled in).
pub async fn add_contact(
    conn: &mut PgConnection,
    tenant: Uuid,
    campaign_id: Uuid,
    prospect_id: Uuid,
    input: &ContactInput,
    now: OffsetDateTime,
) -> sqlx::Result<Uuid> {
    if input.email.is_some() {
        let same: Option<Uuid> = sqlx::query_scalar(
            "UPDATE people c SET role = CASE WHEN c.role = '' THEN $5 ELSE c.role END,
                    phone = CASE WHEN c.phone = '' THEN $6 ELSE c.phone END,
                    first_name = CASE WHEN c.first_name = '' THEN $7 ELSE c.first_name END
             WHERE c.id = (SELECT pe.id FROM prospects p JOIN people pe ON pe.organization_id = p.organization_id
                            WHERE p.tenant_id = $1 AND p.campaign_id = $2 AND p.id = $3 AND pe.email = $4::citext
                            ORDER BY pe.created_at, pe.id LIMIT 1)
             RETURNING c.id",
        )
        .bind(tenant)
        .bind(campaign_id)
        .bind(prospect_id)
        .bind(&input.email)
        .bind(&input.role)
        .bind(&input.phone)
        .bind(&input.first_name)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(id) = same {
            return Ok(id);
        }
    }
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO people (id, tenant_id, organization_id, name, role, email, phone, created_at, first_name)
         SELECT $1, p.tenant_id, p.organization_id, $5, $6, $7, $8, $9, $10
         FROM prospects p WHERE p.tenant_id = $2 AND p.campaign_id = $3 AND p.id = $4",
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

/// Adds a person to an organization of the book.
pub async fn add_person(
    conn: &mut PgConnection,
    tenant: TenantId,
    organization_id: Uuid,
    input: &ContactInput,
    now: OffsetDateTime,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "INSERT INTO people (id, tenant_id, organization_id, name, role, email, phone, created_at, first_name)
         SELECT $1, o.tenant_id, o.id, $4, $5, $6, $7, $8, $9
         FROM organizations o WHERE o.tenant_id = $2 AND o.id = $3 RETURNING id",
    )
    .bind(Uuid::new_v4())
    .bind(tenant.uuid())
    .bind(organization_id)
    .bind(&input.name)
    .bind(&input.role)
    .bind(&input.email)
    .bind(&input.phone)
    .bind(now)
    .bind(&input.first_name)
    .fetch_optional(conn)
    .await
}

/// The condition "person `$3` is one of the people of a prospect of campaign `$2`".
const OF_CAMPAIGN: &str = "EXISTS (SELECT 1 FROM prospects q WHERE q.campaign_id = $2 AND q.organization_id = c.organization_id)";

/// Saves a person (for every campaign); a new address starts without the old one's
/// bounce. Returns the prospect of this campaign the person belongs to.
pub async fn update_contact(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    id: Uuid,
    input: &ContactInput,
) -> sqlx::Result<Option<Uuid>> {
    let sql = format!(
        "UPDATE people c SET name = $4, role = $5, phone = $7, first_name = $8,
                bounced_at = CASE WHEN c.email IS DISTINCT FROM $6::citext THEN NULL ELSE c.bounced_at END,
                bounce_reason = CASE WHEN c.email IS DISTINCT FROM $6::citext THEN '' ELSE c.bounce_reason END,
                email = $6
         WHERE c.tenant_id = $1 AND c.id = $3 AND {OF_CAMPAIGN}
         RETURNING (SELECT q.id FROM prospects q WHERE q.campaign_id = $2 AND q.organization_id = c.organization_id)"
    );
    sqlx::query_scalar(&sql)
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

/// Removes a person from the book (every campaign); their activities stay with the
/// organization. Returns the prospect of this campaign they belonged to.
pub async fn remove_contact(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<Uuid>> {
    let sql = format!(
        "DELETE FROM people c WHERE c.tenant_id = $1 AND c.id = $3 AND {OF_CAMPAIGN}
         RETURNING (SELECT q.id FROM prospects q WHERE q.campaign_id = $2 AND q.organization_id = c.organization_id)"
    );
    sqlx::query_scalar(&sql)
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
    let sql = format!(
        "UPDATE people c SET bounced_at = NULL, bounce_reason = ''
         WHERE c.tenant_id = $1 AND c.id = $3 AND {OF_CAMPAIGN}
         RETURNING (SELECT q.id FROM prospects q WHERE q.campaign_id = $2 AND q.organization_id = c.organization_id)"
    );
    sqlx::query_scalar(&sql)
        .bind(tenant.uuid())
        .bind(campaign_id)
        .bind(id)
        .fetch_optional(conn)
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
        "SELECT p.id FROM people c JOIN prospects p ON p.organization_id = c.organization_id AND p.campaign_id = $2
         WHERE c.tenant_id = $1 AND c.id = $3",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(contact_id)
    .fetch_optional(db)
    .await
}
