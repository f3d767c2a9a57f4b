//! Prospect imports, the rows they keep aside, undoing one, and the CSV export
//! (`prospect_imports`, `prospect_import_kept_rows`). Read-only exception: the export
//! names each prospect's owner by their address in `users` (auth's).

use super::*;

/// A prospect already on the list, as the import compares rows with it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ExistingProspect {
    pub id: Uuid,
    pub name: String,
    pub name_key: String,
    pub domain: String,
}

pub async fn existing_prospects(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
) -> sqlx::Result<Vec<ExistingProspect>> {
    sqlx::query_as(
        "SELECT id, name, name_key, domain FROM prospects WHERE tenant_id = $1 AND campaign_id = $2
         ORDER BY created_at, id",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_all(db)
    .await
}

/// An import as its page shows it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ImportRecord {
    pub id: Uuid,
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
    /// Its prospects still on the list (merged or deleted ones are gone).
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

pub async fn record_import(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
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
    campaign_id: Uuid,
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
    campaign_id: Uuid,
    import_id: Uuid,
) -> sqlx::Result<Vec<KeptRow>> {
    sqlx::query_as(
        "SELECT cells, emails::text[] AS emails FROM prospect_import_kept_rows
         WHERE campaign_id = $1 AND import_id = $2 ORDER BY position",
    )
    .bind(campaign_id)
    .bind(import_id)
    .fetch_all(db)
    .await
}

const IMPORT_COLUMNS: &str = "i.id, i.imported_by_name, i.imported_at, i.prospects, i.contacts,
    (SELECT count(*) FROM prospect_import_kept_rows k WHERE k.import_id = i.id) AS kept_rows,
    i.kept_rows_erased, i.kept_headers, i.kept_has_header, i.mapping, i.undone_at,
    (SELECT count(*) FROM prospects p WHERE p.import_id = i.id) AS remaining";

pub async fn import_by_id(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<ImportRecord>> {
    sqlx::query_as(&format!(
        "SELECT {IMPORT_COLUMNS} FROM prospect_imports i WHERE i.tenant_id = $1 AND i.campaign_id = $2 AND i.id = $3"
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
    campaign_id: Uuid,
) -> sqlx::Result<Vec<ImportRecord>> {
    sqlx::query_as(&format!(
        "SELECT {IMPORT_COLUMNS} FROM prospect_imports i WHERE i.tenant_id = $1 AND i.campaign_id = $2
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
    campaign_id: Uuid,
    id: Uuid,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "DELETE FROM prospect_import_kept_rows k USING prospect_imports i
         WHERE i.id = k.import_id AND i.tenant_id = $1 AND i.campaign_id = $2 AND i.id = $3",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub enum UndoOutcome {
    Undone(u64),
    AlreadyUndone,
    /// This many of its prospects were asked, called, noted or changed by a signer since.
    Touched(i64),
}

/// Takes an import's prospects away (with their contacts), while none of them has an
/// activity beyond what the import itself wrote. The contacts are locked first, as a send
/// locks them, so an ask cannot slip between the check and the removal.
pub async fn undo_import(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    id: Uuid,
    now: OffsetDateTime,
) -> sqlx::Result<Option<UndoOutcome>> {
    let found: Option<(OffsetDateTime, Option<OffsetDateTime>)> = sqlx::query_as(
        "SELECT imported_at, undone_at FROM prospect_imports
         WHERE tenant_id = $1 AND campaign_id = $2 AND id = $3 FOR UPDATE",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((imported_at, undone_at)) = found else {
        return Ok(None);
    };
    if undone_at.is_some() {
        return Ok(Some(UndoOutcome::AlreadyUndone));
    }
    sqlx::query(
        "SELECT c.id FROM prospect_contacts c JOIN prospects p ON p.id = c.prospect_id
         WHERE p.tenant_id = $1 AND p.import_id = $2 ORDER BY c.id FOR UPDATE OF c",
    )
    .bind(tenant.uuid())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM prospects WHERE tenant_id = $1 AND import_id = $2 ORDER BY id FOR UPDATE",
    )
    .bind(tenant.uuid())
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let touched: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT prospect_id) FROM outreach_activities
         WHERE prospect_id = ANY ($1) AND NOT (kind = 'signed' AND at = $2)",
    )
    .bind(&ids)
    .bind(imported_at)
    .fetch_one(&mut *conn)
    .await?;
    if touched > 0 {
        return Ok(Some(UndoOutcome::Touched(touched)));
    }
    let removed = sqlx::query("DELETE FROM prospects WHERE tenant_id = $1 AND id = ANY ($2)")
        .bind(tenant.uuid())
        .bind(&ids)
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
    Ok(Some(UndoOutcome::Undone(removed)))
}

/// One row of the CSV export: a prospect with one of its contacts (or none).
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
    pub touches: Option<i32>,
}

/// Every prospect with its contacts (one row per contact), in one query.
pub async fn export_rows(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
) -> sqlx::Result<Vec<ExportRow>> {
    sqlx::query_as(
        "SELECT p.name, p.website, p.size, parent.name AS parent_name, p.tags, owner.email::text AS owner_email,
                p.sensitivity, p.notes, p.status, p.signed_signature_id IS NOT NULL AS signed, p.hold_reason,
                p.hold_until, p.next_follow_up, p.last_touch_at, p.referred_by,
                c.id AS contact_id, c.name AS contact_name, c.role, c.email::text AS email, c.phone,
                c.bounced_at, c.touches
         FROM prospects p
         LEFT JOIN prospects parent ON parent.id = p.parent_id
         LEFT JOIN users owner ON owner.id = p.owner_id
         LEFT JOIN prospect_contacts c ON c.prospect_id = p.id
         WHERE p.tenant_id = $1 AND p.campaign_id = $2
         ORDER BY p.sort_key COLLATE signer_order, p.id, c.created_at, c.id",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_all(db)
    .await
}
