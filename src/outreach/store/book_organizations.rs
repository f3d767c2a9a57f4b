//! One organization of the book: its fields, the group-wide hold, its people, every
//! campaign that asked it with the outcome, its whole activity log, notes that belong to
//! no campaign, and deleting it. Read-only: `campaigns` (titles of the campaigns that
//! asked it), `signatures` and `letter_revisions` (which revision a signature confirmed),
//! `users` (owners and organizers by name).

use super::*;

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct Organization {
    pub id: Uuid,
    pub name: String,
    pub name_key: String,
    pub website: String,
    pub domain: String,
    pub size: String,
    pub region: String,
    pub parent_id: Option<Uuid>,
    pub parent_name: Option<String>,
    pub tags: Vec<String>,
    pub owner_id: Option<Uuid>,
    pub owner_name: Option<String>,
    pub notes: String,
    pub sensitivity: String,
    pub hold_reason: String,
    pub hold_until: Option<Date>,
    pub possible_duplicate_of: Option<Uuid>,
    pub duplicate_name: Option<String>,
    pub last_touch_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

impl Organization {
    pub fn size_label(&self) -> &'static str {
        Size::parse(&self.size).map(Size::label).unwrap_or("")
    }

    pub fn tags_text(&self) -> String {
        self.tags.join(", ")
    }

    pub fn held(&self, today: Date) -> bool {
        pipeline::hold_lasts(&self.hold_reason, self.hold_until, today)
    }
}

/// An organization of the group's book, or None (another group's, or gone).
pub async fn organization(
    db: &PgPool,
    tenant: TenantId,
    id: Uuid,
) -> sqlx::Result<Option<Organization>> {
    sqlx::query_as(
        "SELECT o.id, o.name, o.name_key, o.website, o.domain, o.size, o.region, o.parent_id, par.name AS parent_name,
                o.tags, o.owner_id, u.name AS owner_name, o.notes, o.sensitivity, o.hold_reason, o.hold_until,
                o.possible_duplicate_of, dup.name AS duplicate_name, o.last_touch_at, o.created_at
           FROM organizations o
           LEFT JOIN organizations par ON par.id = o.parent_id
           LEFT JOIN organizations dup ON dup.id = o.possible_duplicate_of
           LEFT JOIN users u ON u.id = o.owner_id
          WHERE o.tenant_id = $1 AND o.id = $2",
    )
    .bind(tenant.uuid())
    .bind(id)
    .fetch_optional(db)
    .await
}

/// What an organizer types for an organization.
#[derive(Clone, Debug, Default)]
pub struct OrganizationInput {
    pub name: String,
    pub website: String,
    pub size: Option<Size>,
    pub region: String,
    pub tags: Vec<String>,
    pub owner_id: Option<Uuid>,
    pub notes: String,
    pub sensitivity: String,
}

/// An organization of the book the duplicate rule says may be the same one.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct PossibleDuplicate {
    pub id: Uuid,
    pub name: String,
    pub website: String,
    /// "name" or "website".
    pub matched_by: String,
}

/// Organizations of the group with the same folded name (the rule signatures and
/// prospects use) or the same website domain, `except` one.
pub async fn possible_duplicates(
    db: &PgPool,
    tenant: TenantId,
    name: &str,
    website: &str,
    except: Option<Uuid>,
) -> sqlx::Result<Vec<PossibleDuplicate>> {
    sqlx::query_as(
        "SELECT o.id, o.name, o.website, CASE WHEN o.name_key = $2 THEN 'name' ELSE 'website' END AS matched_by
           FROM organizations o
          WHERE o.tenant_id = $1 AND (o.name_key = $2 OR ($3 <> '' AND o.domain = $3))
            AND o.id IS DISTINCT FROM $4
          ORDER BY o.name_key = $2 DESC, o.sort_key COLLATE signer_order, o.id LIMIT 20",
    )
    .bind(tenant.uuid())
    .bind(names::name_key(name))
    .bind(domain_of(website))
    .bind(except)
    .fetch_all(db)
    .await
}

/// Adds an organization to the book; `duplicate_of` flags it as possibly the same as
/// one already there (the organizer chose "Add anyway"). The book's form is the
/// prospect form's organization part with a region: one insert serves both.
pub async fn insert_organization(
    db: &PgPool,
    tenant: TenantId,
    input: &OrganizationInput,
    duplicate_of: Option<Uuid>,
    now: OffsetDateTime,
) -> sqlx::Result<Uuid> {
    let fields = ProspectInput {
        name: input.name.clone(),
        website: input.website.clone(),
        size: input.size,
        tags: input.tags.clone(),
        owner_id: input.owner_id,
        sensitivity: input.sensitivity.clone(),
        notes: input.notes.clone(),
        ..ProspectInput::default()
    };
    let mut tx = db.begin().await?;
    let id =
        prospects::create_organization(&mut tx, tenant.uuid(), &fields, duplicate_of, None, now)
            .await?;
    prospects::set_region(&mut tx, tenant, id, &input.region).await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves an organization's fields; false when it is not the group's. Its possible-
/// duplicate flag follows the rule again, as a prospect page's save does.
pub async fn update_organization(
    db: &PgPool,
    tenant: TenantId,
    id: Uuid,
    input: &OrganizationInput,
) -> sqlx::Result<bool> {
    let mut conn = db.acquire().await?;
    let duplicate =
        prospects::duplicate_by_rule(&mut conn, tenant, id, &input.name, &input.website).await?;
    let done = sqlx::query(
        "UPDATE organizations SET name = $3, name_key = $4, sort_key = $5, website = $6, domain = $7, size = $8,
                region = $9, tags = $10, owner_id = $11, notes = $12, sensitivity = $13,
                possible_duplicate_of = $14
          WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.uuid())
    .bind(id)
    .bind(&input.name)
    .bind(names::name_key(&input.name))
    .bind(names::sort_key(&input.name))
    .bind(&input.website)
    .bind(domain_of(&input.website))
    .bind(input.size.map(Size::as_str).unwrap_or(""))
    .bind(&input.region)
    .bind(&input.tags)
    .bind(input.owner_id)
    .bind(&input.notes)
    .bind(&input.sensitivity)
    .bind(duplicate)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets (or, with an empty reason, lifts) the group-wide hold.
pub async fn set_hold(
    db: &PgPool,
    tenant: TenantId,
    id: Uuid,
    reason: &str,
    until: Option<Date>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE organizations SET hold_reason = $3, hold_until = $4 WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.uuid())
    .bind(id)
    .bind(reason)
    .bind(until)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A person of the book.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct Person {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub first_name: String,
    pub role: String,
    pub email: Option<String>,
    pub phone: String,
    pub bounced_at: Option<OffsetDateTime>,
    pub bounce_reason: String,
    pub last_touch_at: Option<OffsetDateTime>,
    /// Touches in the last 30 days, across every campaign.
    pub recent_touches: i64,
}

/// The people of an organization, oldest first.
pub async fn people_of(
    db: &PgPool,
    tenant: TenantId,
    organization_id: Uuid,
    since: OffsetDateTime,
) -> sqlx::Result<Vec<Person>> {
    sqlx::query_as(
        "SELECT pe.id, pe.organization_id, pe.name, pe.first_name, pe.role, pe.email::text AS email, pe.phone,
                pe.bounced_at, pe.bounce_reason, pe.last_touch_at,
                (SELECT count(*) FROM person_touches t WHERE t.person_id = pe.id AND t.at >= $3) AS recent_touches
           FROM people pe WHERE pe.tenant_id = $1 AND pe.organization_id = $2
          ORDER BY pe.created_at, pe.id LIMIT 500",
    )
    .bind(tenant.uuid())
    .bind(organization_id)
    .bind(since)
    .fetch_all(db)
    .await
}

/// One person of the group's book (with touches counted since `since`).
pub async fn person(
    db: &PgPool,
    tenant: TenantId,
    id: Uuid,
    since: OffsetDateTime,
) -> sqlx::Result<Option<Person>> {
    sqlx::query_as(
        "SELECT pe.id, pe.organization_id, pe.name, pe.first_name, pe.role, pe.email::text AS email, pe.phone,
                pe.bounced_at, pe.bounce_reason, pe.last_touch_at,
                (SELECT count(*) FROM person_touches t WHERE t.person_id = pe.id AND t.at >= $3) AS recent_touches
           FROM people pe WHERE pe.tenant_id = $1 AND pe.id = $2",
    )
    .bind(tenant.uuid())
    .bind(id)
    .bind(since)
    .fetch_optional(db)
    .await
}

#[derive(Clone, Debug, Default)]
pub struct PersonInput {
    pub name: String,
    pub first_name: String,
    pub role: String,
    pub email: Option<String>,
    pub phone: String,
}

/// Another person of the same organization at this address, if any.
pub async fn person_with_email(
    db: &PgPool,
    tenant: TenantId,
    organization_id: Uuid,
    email: &str,
    except: Option<Uuid>,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT name FROM people WHERE tenant_id = $1 AND organization_id = $2 AND email = $3::citext
            AND id IS DISTINCT FROM $4 LIMIT 1",
    )
    .bind(tenant.uuid())
    .bind(organization_id)
    .bind(email)
    .bind(except)
    .fetch_optional(db)
    .await
}

pub async fn insert_person(
    db: &PgPool,
    tenant: TenantId,
    organization_id: Uuid,
    input: &PersonInput,
    now: OffsetDateTime,
) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO people (id, tenant_id, organization_id, name, first_name, role, email, phone, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(tenant.uuid())
    .bind(organization_id)
    .bind(&input.name)
    .bind(&input.first_name)
    .bind(&input.role)
    .bind(&input.email)
    .bind(&input.phone)
    .bind(now)
    .execute(db)
    .await?;
    Ok(id)
}

pub async fn update_person(
    db: &PgPool,
    tenant: TenantId,
    id: Uuid,
    input: &PersonInput,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE people SET name = $3, first_name = $4, role = $5, email = $6, phone = $7
          WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.uuid())
    .bind(id)
    .bind(&input.name)
    .bind(&input.first_name)
    .bind(&input.role)
    .bind(&input.email)
    .bind(&input.phone)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes a person from the book; the log keeps its lines (without naming them).
pub async fn remove_person(db: &PgPool, tenant: TenantId, id: Uuid) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM people WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.uuid())
        .bind(id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A campaign that has this organization as a prospect, and how it went.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct CampaignOutcome {
    pub campaign_id: Uuid,
    pub slug: String,
    pub title: String,
    pub prospect_id: Uuid,
    pub status: PipelineStatus,
    pub signed: bool,
    /// The letter revision the signature confirmed.
    pub signed_revision: Option<i32>,
    /// A signature that no longer counts (withdrawn) was theirs.
    pub withdrew: bool,
    pub owner_name: Option<String>,
    pub hold_reason: String,
    pub hold_until: Option<Date>,
    pub last_touch_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

impl CampaignOutcome {
    pub fn stage(&self, today: Date) -> Stage {
        Stage::of(
            self.status,
            self.signed,
            pipeline::hold_lasts(&self.hold_reason, self.hold_until, today),
        )
    }
}

/// Every campaign this organization is (or was) a prospect of, newest first.
pub async fn campaigns_of(
    db: &PgPool,
    tenant: TenantId,
    organization_id: Uuid,
) -> sqlx::Result<Vec<CampaignOutcome>> {
    sqlx::query_as(
        "SELECT c.id AS campaign_id, c.slug, c.title, p.id AS prospect_id, p.status,
                p.signed_signature_id IS NOT NULL AS signed, r.number AS signed_revision,
                (p.signed_signature_id IS NULL AND EXISTS (
                    SELECT 1 FROM outreach_activities a
                     WHERE a.prospect_id = p.id AND a.organization_id = p.organization_id AND a.kind = 'unsigned'
                       AND a.body = 'Signature withdrawn')) AS withdrew,
                u.name AS owner_name, p.hold_reason, p.hold_until, p.last_touch_at, p.created_at
           FROM prospects p
           JOIN campaigns c ON c.id = p.campaign_id
           LEFT JOIN signatures s ON s.tenant_id = p.tenant_id AND s.id = p.signed_signature_id
           LEFT JOIN letter_revisions r ON r.tenant_id = s.tenant_id AND r.id = s.revision_id
           LEFT JOIN users u ON u.id = p.owner_id
          WHERE p.tenant_id = $1 AND p.organization_id = $2
          ORDER BY c.created_at DESC, c.id",
    )
    .bind(tenant.uuid())
    .bind(organization_id)
    .fetch_all(db)
    .await
}

/// A line of an organization's log, with the campaign it belongs to (none for a note in
/// the book).
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct BookActivity {
    pub id: i64,
    pub kind: ActivityKind,
    pub campaign_title: Option<String>,
    pub campaign_slug: Option<String>,
    pub person_name: Option<String>,
    pub outcome: String,
    pub body: String,
    pub author_name: String,
    pub at: OffsetDateTime,
}

/// The newest lines of the organization's whole log, across campaigns (the last 300).
pub async fn activities_of(
    db: &PgPool,
    tenant: TenantId,
    organization_id: Uuid,
) -> sqlx::Result<Vec<BookActivity>> {
    sqlx::query_as(
        "SELECT a.id, a.kind, c.title AS campaign_title, c.slug AS campaign_slug, pe.name AS person_name,
                a.outcome, a.body, a.author_name, a.at
           FROM outreach_activities a
           LEFT JOIN campaigns c ON c.id = a.campaign_id
           LEFT JOIN people pe ON pe.id = a.contact_id
          WHERE a.organization_id = $2 AND a.tenant_id = $1
          ORDER BY a.at DESC, a.id DESC LIMIT 300",
    )
    .bind(tenant.uuid())
    .bind(organization_id)
    .fetch_all(db)
    .await
}

/// A note in the organization's log that belongs to no campaign.
pub async fn add_note(
    db: &PgPool,
    member: &Member,
    organization_id: Uuid,
    body: &str,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO outreach_activities (tenant_id, organization_id, kind, body, author_id, author_name, at)
         VALUES ($1, $2, 'note', $3, $4, $5, $6)",
    )
    .bind(member.tenant_id.uuid())
    .bind(organization_id)
    .bind(body)
    .bind(member.user.user_id)
    .bind(&member.user.name)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// What deleting an organization takes with it.
#[derive(sqlx::FromRow, Clone, Debug, Default)]
pub struct DeleteSummary {
    pub people: i64,
    pub activities: i64,
    pub campaigns: i64,
    pub signed: i64,
}

pub async fn delete_summary(
    db: &PgPool,
    tenant: TenantId,
    id: Uuid,
) -> sqlx::Result<DeleteSummary> {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM people WHERE tenant_id = $1 AND organization_id = $2) AS people,
                (SELECT count(*) FROM outreach_activities WHERE tenant_id = $1 AND organization_id = $2) AS activities,
                (SELECT count(*) FROM prospects WHERE tenant_id = $1 AND organization_id = $2) AS campaigns,
                (SELECT count(*) FROM prospects WHERE tenant_id = $1 AND organization_id = $2
                    AND signed_signature_id IS NOT NULL) AS signed",
    )
    .bind(tenant.uuid())
    .bind(id)
    .fetch_one(db)
    .await
}

/// Deletes an organization with its people, its log and its prospects in every campaign
/// (signatures are the signers' and stay as they are).
pub async fn delete_organization(db: &PgPool, tenant: TenantId, id: Uuid) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM organizations WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.uuid())
        .bind(id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Organizations to merge into: by name, except `except` (at most 20).
pub async fn merge_candidates(
    db: &PgPool,
    tenant: TenantId,
    except: Uuid,
    search: &str,
) -> sqlx::Result<Vec<PossibleDuplicate>> {
    let pattern = format!(
        "%{}%",
        search
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    sqlx::query_as(
        "SELECT o.id, o.name, o.website, '' AS matched_by FROM organizations o
          WHERE o.tenant_id = $1 AND o.id <> $2 AND ($3 = '%%' OR o.name ILIKE $3 OR o.website ILIKE $3)
          ORDER BY o.sort_key COLLATE signer_order, o.id LIMIT 20",
    )
    .bind(tenant.uuid())
    .bind(except)
    .bind(pattern)
    .fetch_all(db)
    .await
}
