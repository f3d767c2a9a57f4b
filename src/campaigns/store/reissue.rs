//! What a reissue keeps on the campaign row: which campaign it reissues, the opt-out date
//! and the digest of what signers told in advance were sent (`told_digest`), and the
//! original's advance-notice setting (`reissue_notice`).

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::campaigns::Status;
use crate::tenancy::{TenantId, TenantScope};

/// A campaign's title and address, to link it.
#[derive(sqlx::FromRow)]
pub struct TitleAndSlug {
    pub title: String,
    pub slug: String,
}

/// The title and address of campaign `id` of this group.
pub async fn title_and_slug(
    db: &PgPool,
    tenant: TenantId,
    id: Uuid,
) -> sqlx::Result<Option<TitleAndSlug>> {
    sqlx::query_as("SELECT title, slug FROM campaigns WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.uuid())
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The title of campaign `id` of this group, if there is one (`None` finds nothing).
pub async fn title_of(
    db: &PgPool,
    tenant: impl TenantScope,
    id: Option<Uuid>,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT c.title FROM campaigns c WHERE c.tenant_id = $1 AND c.id = $2")
        .bind(tenant.uuid())
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The reissues of campaign `id`, oldest first.
pub async fn reissues_of(
    db: &PgPool,
    tenant: TenantId,
    id: Uuid,
) -> sqlx::Result<Vec<TitleAndSlug>> {
    sqlx::query_as(
        "SELECT title, slug FROM campaigns WHERE tenant_id = $1 AND reissued_from = $2 ORDER BY created_at",
    )
    .bind(tenant.uuid())
    .bind(id)
    .fetch_all(db)
    .await
}

/// Turns the advance notice of a reissue on or off.
pub async fn set_reissue_notice(
    db: &PgPool,
    tenant: TenantId,
    id: Uuid,
    on: bool,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE campaigns SET reissue_notice = $3 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.uuid())
        .bind(id)
        .bind(on)
        .execute(db)
        .await?;
    Ok(())
}

/// Locks campaign `id`'s row for its reissue (one reissue of a letter at a time) and
/// returns the title of a reissue it already has, if any.
///
/// Two statements, not one: a statement that waited for the lock still reads other rows
/// as they were when it began, so a check in the locking statement never saw the reissue
/// that the lock's holder had just committed, and three sends at once made three.
pub async fn lock_for_reissue(
    conn: &mut PgConnection,
    tenant: TenantId,
    id: Uuid,
) -> sqlx::Result<Option<String>> {
    sqlx::query("SELECT 1 FROM campaigns WHERE tenant_id = $1 AND id = $2 FOR UPDATE")
        .bind(tenant.uuid())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query_scalar(
        "SELECT title FROM campaigns WHERE tenant_id = $1 AND reissued_from = $2 LIMIT 1",
    )
    .bind(tenant.uuid())
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Makes the new campaign `new_id` the reissue of `original`: the opt-out date, the digest
/// of what signers told in advance were sent, the original's retention setting, and its
/// status (`status`, as the lifecycle table opens a draft).
pub async fn mark_reissue(
    conn: &mut PgConnection,
    tenant: TenantId,
    new_id: Uuid,
    original: Uuid,
    opt_out_by: Option<OffsetDateTime>,
    told_digest: &[u8],
    status: Status,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE campaigns SET reissued_from = $3, opt_out_by = $4, told_digest = $5, status = $6,
                retention_months = (SELECT retention_months FROM campaigns WHERE id = $3)
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.uuid())
    .bind(new_id)
    .bind(original)
    .bind(opt_out_by)
    .bind(told_digest)
    .bind(status)
    .execute(conn)
    .await?;
    Ok(())
}

/// The digest of what signers told in advance were sent (see `reissue::told_digest`):
/// `None` when the campaign is gone, `Some(None)` when it has none.
pub async fn told_digest_of(
    conn: &mut PgConnection,
    campaign_id: Uuid,
) -> sqlx::Result<Option<Option<Vec<u8>>>> {
    sqlx::query_scalar("SELECT told_digest FROM campaigns WHERE id = $1")
        .bind(campaign_id)
        .fetch_optional(conn)
        .await
}
