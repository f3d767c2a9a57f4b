//! Imports into a campaign or into the group's book, the rows they keep aside, undoing
//! one, and the CSV exports (`prospect_imports`, `prospect_import_kept_rows`, with the
//! book's `organizations` and `people` an import adds). Read-only exception: the exports
//! name each owner by their address in `users` (auth's).

use super::*;

/// An organization of the group's book, as the import compares rows with it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct BookOrganization {
    pub id: Uuid,
    pub name: String,
    pub name_key: String,
    pub domain: String,
    /// Whether the campaign imported into already has it as a prospect.
    pub in_campaign: bool,
}

/// Every organization of the book, oldest first (the first match is the one used).
pub async fn book_organizations(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Option<Uuid>,
) -> sqlx::Result<Vec<BookOrganization>> {
    sqlx::query_as(
        "SELECT o.id, o.name, o.name_key, o.domain,
                EXISTS (SELECT 1 FROM prospects p WHERE p.organization_id = o.id AND p.campaign_id = $2) AS in_campaign
         FROM organizations o WHERE o.tenant_id = $1
         ORDER BY o.created_at, o.id",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_all(db)
    .await
}

/// An organization an import adds to the book.
pub struct NewOrganization<'a> {
    pub name: &'a str,
    pub website: &'a str,
    pub size: Option<Size>,
    pub parent_id: Option<Uuid>,
    pub tags: &'a [String],
    pub owner_id: Option<Uuid>,
    pub sensitivity: &'a str,
    pub notes: &'a str,
    /// A group-wide hold (an import into the book; a campaign's import holds its prospect).
    pub hold_reason: &'a str,
    pub hold_until: Option<Date>,
    pub possible_duplicate_of: Option<Uuid>,
}

pub async fn import_organization(
    conn: &mut PgConnection,
    tenant: TenantId,
    import_id: Uuid,
    new: &NewOrganization<'_>,
    now: OffsetDateTime,
) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO organizations (id, tenant_id, name, name_key, sort_key, website, domain, size, parent_id, tags,
                                    owner_id, sensitivity, notes, hold_reason, hold_until, possible_duplicate_of,
                                    import_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
    )
    .bind(id)
    .bind(tenant.uuid())
    .bind(new.name)
    .bind(names::name_key(new.name))
    .bind(names::sort_key(new.name))
    .bind(new.website)
    .bind(domain_of(new.website))
    .bind(new.size.map(Size::as_str).unwrap_or(""))
    .bind(new.parent_id)
    .bind(new.tags)
    .bind(new.owner_id)
    .bind(new.sensitivity)
    .bind(new.notes)
    .bind(new.hold_reason)
    .bind(new.hold_until)
    .bind(new.possible_duplicate_of)
    .bind(import_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(id)
}

/// The campaign's prospect for an organization of the book, added by an import (none if
/// the campaign has it already).
#[allow(clippy::too_many_arguments)]
pub async fn import_prospect(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    organization_id: Uuid,
    import_id: Uuid,
    owner_id: Option<Uuid>,
    hold: (&str, Option<Date>),
    now: OffsetDateTime,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "INSERT INTO prospects (id, tenant_id, campaign_id, organization_id, owner_id, hold_reason, hold_until,
                                import_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (campaign_id, organization_id) DO NOTHING RETURNING id",
    )
    .bind(Uuid::new_v4())
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(organization_id)
    .bind(owner_id)
    .bind(hold.0)
    .bind(hold.1)
    .bind(import_id)
    .bind(now)
    .fetch_optional(conn)
    .await
}

/// A person of the organization from an import row: the one with the same address (or,
/// without one, the same name and no address) if the book has them, else a new person.
/// Returns whether one was added.
pub async fn import_person(
    conn: &mut PgConnection,
    tenant: TenantId,
    organization_id: Uuid,
    import_id: Uuid,
    input: &ContactInput,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let existing: Option<Uuid> = sqlx::query_scalar(
        "SELECT id FROM people WHERE tenant_id = $1 AND organization_id = $2
           AND CASE WHEN $3::citext IS NULL THEN email IS NULL AND lower(name) = lower($4) ELSE email = $3::citext END
         ORDER BY created_at, id LIMIT 1",
    )
    .bind(tenant.uuid())
    .bind(organization_id)
    .bind(&input.email)
    .bind(&input.name)
    .fetch_optional(&mut *conn)
    .await?;
    if existing.is_some() {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO people (id, tenant_id, organization_id, name, first_name, role, email, phone, import_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(Uuid::new_v4())
    .bind(tenant.uuid())
    .bind(organization_id)
    .bind(&input.name)
    .bind(&input.first_name)
    .bind(&input.role)
    .bind(&input.email)
    .bind(&input.phone)
    .bind(import_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(true)
}

/// An import as its page shows it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ImportRecord {
    pub id: Uuid,
    /// None: an import into the book.
    pub campaign_id: Option<Uuid>,
    pub imported_by_name: String,
    pub imported_at: OffsetDateTime,
    pub prospects: i32,
    pub contacts: i32,
    /// How many rows wait aside to fix (`kept_rows`).
    pub kept_rows: i64,
    /// How many kept rows signers' erasures removed.
    pub kept_rows_erased: i32,
    pub kept_headers: Vec<String>,
    pub kept_has_header: bool,
    pub mapping: Vec<String>,
    pub undone_at: Option<OffsetDateTime>,
    /// Its prospects still on the list (an import into the book: its organizations
    /// still in the book).
    pub remaining: i64,
}

pub struct NewImport<'a> {
    pub by: Uuid,
    pub by_name: &'a str,
    pub at: OffsetDateTime,
    pub prospects: i32,
    pub contacts: i32,
    pub kept_headers: &'a [String],
    pub kept_has_header: bool,
    pub mapping: &'a [&'a str],
    pub kept: &'a [KeptRow],
}

/// A row kept aside to fix: its cells as the file had them, and the addresses among them
/// (the cells of the column mapped to the contact's email), by which an erasure finds it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct KeptRow {
    pub cells: Vec<String>,
    pub emails: Vec<String>,
}

/// Records an import into a campaign (or, `campaign_id` None, into the book).
pub async fn record_import(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Option<Uuid>,
    new: &NewImport<'_>,
) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO prospect_imports (id, tenant_id, campaign_id, imported_by, imported_by_name, imported_at,
                                       prospects, contacts, kept_headers, kept_has_header, mapping)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id)
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(new.by)
    .bind(new.by_name)
    .bind(new.at)
    .bind(new.prospects)
    .bind(new.contacts)
    .bind(new.kept_headers)
    .bind(new.kept_has_header)
    .bind(new.mapping)
    .execute(&mut *conn)
    .await?;
    insert_kept_rows(conn, campaign_id, id, new.kept).await?;
    Ok(id)
}

async fn insert_kept_rows(
    conn: &mut PgConnection,
    campaign_id: Option<Uuid>,
    import_id: Uuid,
    rows: &[KeptRow],
) -> sqlx::Result<()> {
    for (index, row) in rows.iter().enumerate() {
        sqlx::query(
            "INSERT INTO prospect_import_kept_rows (campaign_id, import_id, position, cells, emails)
             VALUES ($1, $2, $3, $4, $5::citext[])",
        )
        .bind(campaign_id)
        .bind(import_id)
        .bind(i32::try_from(index + 1).unwrap_or(i32::MAX))
        .bind(&row.cells)
        .bind(&row.emails)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The rows an import keeps aside, in the file's order (none once forgotten or erased).
pub async fn kept_rows(
    db: &PgPool,
    tenant: TenantId,
    import_id: Uuid,
) -> sqlx::Result<Vec<KeptRow>> {
    sqlx::query_as(
        "SELECT k.cells, k.emails::text[] AS emails FROM prospect_import_kept_rows k
         JOIN prospect_imports i ON i.id = k.import_id
         WHERE i.tenant_id = $1 AND k.import_id = $2 ORDER BY k.position",
    )
    .bind(tenant.uuid())
    .bind(import_id)
    .fetch_all(db)
    .await
}

const IMPORT_COLUMNS: &str = "i.id, i.campaign_id, i.imported_by_name, i.imported_at, i.prospects, i.contacts,
    (SELECT count(*) FROM prospect_import_kept_rows k WHERE k.import_id = i.id) AS kept_rows,
    i.kept_rows_erased, i.kept_headers, i.kept_has_header, i.mapping, i.undone_at,
    CASE WHEN i.campaign_id IS NULL THEN (SELECT count(*) FROM organizations o WHERE o.tenant_id = i.tenant_id AND o.id = ANY (i.organization_ids))
         ELSE (SELECT count(*) FROM prospects p WHERE p.import_id = i.id) END AS remaining";

/// An import of the campaign (`campaign_id` None: an import into the book).
pub async fn import_by_id(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Option<Uuid>,
    id: Uuid,
) -> sqlx::Result<Option<ImportRecord>> {
    sqlx::query_as(&format!(
        "SELECT {IMPORT_COLUMNS} FROM prospect_imports i
         WHERE i.tenant_id = $1 AND i.campaign_id IS NOT DISTINCT FROM $2 AND i.id = $3"
    ))
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(id)
    .fetch_optional(db)
    .await
}

pub async fn recent_imports(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Option<Uuid>,
) -> sqlx::Result<Vec<ImportRecord>> {
    sqlx::query_as(&format!(
        "SELECT {IMPORT_COLUMNS} FROM prospect_imports i
         WHERE i.tenant_id = $1 AND i.campaign_id IS NOT DISTINCT FROM $2
         ORDER BY i.imported_at DESC, i.id LIMIT 20"
    ))
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_all(db)
    .await
}

/// The rows kept aside are done with (imported again, or not wanted).
pub async fn forget_kept_rows(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Option<Uuid>,
    id: Uuid,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "DELETE FROM prospect_import_kept_rows k USING prospect_imports i
         WHERE i.id = k.import_id AND i.tenant_id = $1 AND i.campaign_id IS NOT DISTINCT FROM $2 AND i.id = $3",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// A campaign of the group, to add a book import's organizations to.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ImportCampaign {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
}

/// Every organization the import wrote rows for (created, or already in the book).
pub async fn set_import_organizations(
    conn: &mut PgConnection,
    import_id: Uuid,
    organizations: &[Uuid],
) -> sqlx::Result<()> {
    sqlx::query("UPDATE prospect_imports SET organization_ids = $2 WHERE id = $1")
        .bind(import_id)
        .bind(organizations)
        .execute(conn)
        .await?;
    Ok(())
}

/// "Add these organizations to a campaign": the import's organizations still in the book
/// become prospects of the campaign, in one statement (those it has already stay as they
/// are). Returns how many were added.
pub async fn add_import_to_campaign(
    conn: &mut PgConnection,
    tenant: TenantId,
    import_id: Uuid,
    campaign_id: Uuid,
    now: OffsetDateTime,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "INSERT INTO prospects (id, tenant_id, campaign_id, organization_id, created_at)
         SELECT gen_random_uuid(), o.tenant_id, $3, o.id, $4
           FROM prospect_imports i JOIN organizations o ON o.tenant_id = i.tenant_id AND o.id = ANY (i.organization_ids)
          WHERE i.tenant_id = $1 AND i.id = $2 AND i.campaign_id IS NULL AND i.undone_at IS NULL
         ON CONFLICT (campaign_id, organization_id) DO NOTHING",
    )
    .bind(tenant.uuid())
    .bind(import_id)
    .bind(campaign_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

pub enum UndoOutcome {
    Undone(u64),
    AlreadyUndone,
    /// This many of its prospects (or organizations) were asked, called, noted or changed
    /// by a signer since.
    Touched(i64),
}

/// Undoes an import while none of what it added has an activity beyond what the import
/// itself wrote: a campaign's import takes its prospects away; then (either kind) the
/// people it added and the organizations it created that nothing uses now (no campaign's
/// prospect, no activity, no person left) leave the book. The people are locked first,
/// as a send locks them, so an ask cannot slip between the check and the removal.
pub async fn undo_import(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Option<Uuid>,
    id: Uuid,
    now: OffsetDateTime,
) -> sqlx::Result<Option<UndoOutcome>> {
    let t = tenant.uuid();
    let found: Option<(OffsetDateTime, Option<OffsetDateTime>, Vec<Uuid>)> = sqlx::query_as(
        "SELECT imported_at, undone_at, organization_ids FROM prospect_imports
         WHERE tenant_id = $1 AND campaign_id IS NOT DISTINCT FROM $2 AND id = $3 FOR UPDATE",
    )
    .bind(t)
    .bind(campaign_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((imported_at, undone_at, organizations)) = found else {
        return Ok(None);
    };
    if undone_at.is_some() {
        return Ok(Some(UndoOutcome::AlreadyUndone));
    }
    sqlx::query(
        "SELECT pe.id FROM people pe
         WHERE pe.tenant_id = $1 AND (pe.organization_id = ANY ($2) OR pe.import_id = $3)
         ORDER BY pe.id FOR UPDATE",
    )
    .bind(t)
    .bind(&organizations)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    let prospects: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM prospects WHERE tenant_id = $1 AND import_id = $2 ORDER BY id FOR UPDATE",
    )
    .bind(t)
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let touched: i64 = if campaign_id.is_some() {
        sqlx::query_scalar(
            "SELECT count(DISTINCT prospect_id) FROM outreach_activities
             WHERE tenant_id = $1 AND prospect_id = ANY ($2) AND NOT (kind = 'signed' AND at = $3)",
        )
        .bind(t)
        .bind(&prospects)
        .bind(imported_at)
        .fetch_one(&mut *conn)
        .await?
    } else {
        sqlx::query_scalar(
            "SELECT count(DISTINCT a.organization_id) FROM outreach_activities a
             JOIN organizations o ON o.id = a.organization_id
             WHERE o.tenant_id = $1 AND o.import_id = $2",
        )
        .bind(t)
        .bind(id)
        .fetch_one(&mut *conn)
        .await?
    };
    if touched > 0 {
        return Ok(Some(UndoOutcome::Touched(touched)));
    }
    let removed_prospects =
        sqlx::query("DELETE FROM prospects WHERE tenant_id = $1 AND id = ANY ($2)")
            .bind(t)
            .bind(&prospects)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    sqlx::query(
        "DELETE FROM people pe WHERE pe.tenant_id = $1 AND pe.import_id = $2
           AND NOT EXISTS (SELECT 1 FROM outreach_activities a WHERE a.contact_id = pe.id)
           AND NOT EXISTS (SELECT 1 FROM person_touches t WHERE t.person_id = pe.id)
           AND NOT EXISTS (SELECT 1 FROM outreach_send_log s WHERE s.contact_id = pe.id)",
    )
    .bind(t)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    let removed_organizations = sqlx::query(
        "DELETE FROM organizations o WHERE o.tenant_id = $1 AND o.import_id = $2
           AND NOT EXISTS (SELECT 1 FROM prospects p WHERE p.organization_id = o.id)
           AND NOT EXISTS (SELECT 1 FROM outreach_activities a WHERE a.organization_id = o.id)
           AND NOT EXISTS (SELECT 1 FROM people pe WHERE pe.organization_id = o.id)",
    )
    .bind(t)
    .bind(id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    sqlx::query("UPDATE prospect_imports SET undone_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM prospect_import_kept_rows WHERE import_id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(Some(UndoOutcome::Undone(if campaign_id.is_some() {
        removed_prospects
    } else {
        removed_organizations
    })))
}

/// One row of the campaign's CSV export: a prospect with one of its organization's
/// people (or none).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ExportRow {
    pub name: String,
    pub website: String,
    pub size: String,
    pub parent_name: Option<String>,
    pub tags: Vec<String>,
    pub owner_email: Option<String>,
    pub sensitivity: String,
    pub notes: String,
    pub status: PipelineStatus,
    pub signed: bool,
    pub hold_reason: String,
    pub hold_until: Option<Date>,
    pub next_follow_up: Option<Date>,
    pub last_touch_at: Option<OffsetDateTime>,
    pub referred_by: String,
    pub contact_id: Option<Uuid>,
    pub contact_name: Option<String>,
    pub role: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub bounced_at: Option<OffsetDateTime>,
    pub touches: Option<i64>,
}

/// Every prospect with its organization's people (one row per person), in one query;
/// touches are this campaign's.
pub async fn export_rows(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
) -> sqlx::Result<Vec<ExportRow>> {
    sqlx::query_as(
        "SELECT o.name, o.website, o.size, parent.name AS parent_name, o.tags, owner.email::text AS owner_email,
                o.sensitivity, o.notes, p.status, p.signed_signature_id IS NOT NULL AS signed, p.hold_reason,
                p.hold_until, p.next_follow_up, p.last_touch_at, p.referred_by,
                c.id AS contact_id, c.name AS contact_name, c.role, c.email::text AS email, c.phone,
                c.bounced_at,
                CASE WHEN c.id IS NULL THEN NULL ELSE
                    (SELECT count(*) FROM person_touches t WHERE t.person_id = c.id AND t.campaign_id = p.campaign_id) END AS touches
         FROM prospects p
         JOIN organizations o ON o.id = p.organization_id
         LEFT JOIN organizations parent ON parent.id = o.parent_id
         LEFT JOIN users owner ON owner.id = coalesce(p.owner_id, o.owner_id)
         LEFT JOIN people c ON c.organization_id = o.id
         WHERE p.tenant_id = $1 AND p.campaign_id = $2
         ORDER BY o.sort_key COLLATE signer_order, p.id, c.created_at, c.id",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_all(db)
    .await
}

/// One row of the book's CSV export: an organization with one of its people (or none).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct BookExportRow {
    pub name: String,
    pub website: String,
    pub size: String,
    pub region: String,
    pub parent_name: Option<String>,
    pub tags: Vec<String>,
    pub owner_email: Option<String>,
    pub sensitivity: String,
    pub notes: String,
    pub hold_reason: String,
    pub hold_until: Option<Date>,
    pub last_touch_at: Option<OffsetDateTime>,
    /// The campaigns that have it as a prospect, by title.
    pub campaigns: Vec<String>,
    pub contact_id: Option<Uuid>,
    pub contact_name: Option<String>,
    pub role: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub bounced_at: Option<OffsetDateTime>,
    pub touches: Option<i64>,
}

/// Every organization of the book with its people (one row per person), in one query;
/// touches count every campaign. Read-only exception: campaign titles (`campaigns`).
pub async fn book_export_rows(db: &PgPool, tenant: TenantId) -> sqlx::Result<Vec<BookExportRow>> {
    sqlx::query_as(
        "SELECT o.name, o.website, o.size, o.region, parent.name AS parent_name, o.tags,
                owner.email::text AS owner_email, o.sensitivity, o.notes, o.hold_reason, o.hold_until,
                o.last_touch_at,
                ARRAY(SELECT k.title FROM prospects p JOIN campaigns k ON k.id = p.campaign_id
                       WHERE p.organization_id = o.id ORDER BY k.created_at, k.id) AS campaigns,
                c.id AS contact_id, c.name AS contact_name, c.role, c.email::text AS email, c.phone,
                c.bounced_at,
                CASE WHEN c.id IS NULL THEN NULL ELSE
                    (SELECT count(*) FROM person_touches t WHERE t.person_id = c.id) END AS touches
         FROM organizations o
         LEFT JOIN organizations parent ON parent.id = o.parent_id
         LEFT JOIN users owner ON owner.id = o.owner_id
         LEFT JOIN people c ON c.organization_id = o.id
         WHERE o.tenant_id = $1
         ORDER BY o.sort_key COLLATE signer_order, o.id, c.created_at, c.id",
    )
    .bind(tenant.uuid())
    .fetch_all(db)
    .await
}
