//! Changes to many prospects at once: owner, tags, hold, status, delete, merge.

use super::*;

/// The ids among `ids` that are prospects of this campaign (anything else is ignored).
pub async fn own_ids(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    ids: &[Uuid],
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "SELECT p.id FROM prospects p JOIN organizations o ON o.id = p.organization_id
         WHERE p.tenant_id = $1 AND p.campaign_id = $2 AND p.id = ANY ($3)
         ORDER BY o.sort_key COLLATE signer_order, p.id",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(ids)
    .fetch_all(db)
    .await
}

/// Every prospect the list's filter shows (all its pages, at most 5,000).
pub async fn matching_ids(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    filter: &Filter,
    today: Date,
) -> sqlx::Result<Vec<Uuid>> {
    let all = Filter {
        offset: 0,
        limit: 5_000,
        ..filter.clone()
    };
    let (ids, _) = page_ids(db, tenant, campaign_id, &all, today).await?;
    Ok(ids)
}

/// Name, contacts and whether signed, for the confirmation of a delete or a merge.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Chosen {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    /// The organization's people in the book.
    pub contacts: i64,
    /// This campaign's activities.
    pub activities: i64,
    pub signed: bool,
    /// How many other campaigns have the organization as a prospect.
    pub other_campaigns: i64,
}

pub async fn chosen(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    ids: &[Uuid],
) -> sqlx::Result<Vec<Chosen>> {
    sqlx::query_as(
        "SELECT p.id, p.organization_id, o.name,
                (SELECT count(*) FROM people c WHERE c.organization_id = p.organization_id) AS contacts,
                (SELECT count(*) FROM outreach_activities a WHERE a.prospect_id = p.id) AS activities,
                p.signed_signature_id IS NOT NULL AS signed,
                (SELECT count(*) FROM prospects q WHERE q.organization_id = p.organization_id AND q.id <> p.id) AS other_campaigns
         FROM prospects p JOIN organizations o ON o.id = p.organization_id
         WHERE p.tenant_id = $1 AND p.campaign_id = $2 AND p.id = ANY ($3)
         ORDER BY o.sort_key COLLATE signer_order, p.id",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(ids)
    .fetch_all(db)
    .await
}

pub async fn bulk_set_owner(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    ids: &[Uuid],
    owner: Option<Uuid>,
) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "UPDATE prospects SET owner_id = $4 WHERE tenant_id = $1 AND campaign_id = $2 AND id = ANY ($3)",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(ids)
    .bind(owner)
    .execute(conn)
    .await?
    .rows_affected())
}

/// The organizations of these prospects of the campaign (tags are the book's).
const ORGANIZATIONS_OF: &str =
    "id IN (SELECT organization_id FROM prospects WHERE tenant_id = $1 AND campaign_id = $2 AND id = ANY ($3))";

/// Adds a tag to the prospects' organizations in the book that do not have it yet (case
/// aside) and have room for it.
pub async fn bulk_add_tag(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    ids: &[Uuid],
    tag: &str,
) -> sqlx::Result<u64> {
    Ok(sqlx::query(&format!(
        "UPDATE organizations SET tags = tags || $4::text
         WHERE tenant_id = $1 AND {ORGANIZATIONS_OF} AND cardinality(tags) < 20
           AND NOT EXISTS (SELECT 1 FROM unnest(tags) t WHERE lower(t) = lower($4))"
    ))
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(ids)
    .bind(tag)
    .execute(conn)
    .await?
    .rows_affected())
}

pub async fn bulk_remove_tag(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    ids: &[Uuid],
    tag: &str,
) -> sqlx::Result<u64> {
    Ok(sqlx::query(&format!(
        "UPDATE organizations SET tags = ARRAY(SELECT t FROM unnest(tags) t WHERE lower(t) <> lower($4))
         WHERE tenant_id = $1 AND {ORGANIZATIONS_OF}
           AND EXISTS (SELECT 1 FROM unnest(tags) t WHERE lower(t) = lower($4))"
    ))
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(ids)
    .bind(tag)
    .execute(conn)
    .await?
    .rows_affected())
}

/// Puts prospects on hold (a reason, until a date or open-ended), or ends their hold
/// (an empty reason).
pub async fn bulk_set_hold(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    ids: &[Uuid],
    reason: &str,
    until: Option<Date>,
) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "UPDATE prospects SET hold_reason = $4, hold_until = $5
         WHERE tenant_id = $1 AND campaign_id = $2 AND id = ANY ($3)",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(ids)
    .bind(reason)
    .bind(until)
    .execute(conn)
    .await?
    .rows_affected())
}

/// Moves prospects to `status`, each change logged as the prospect's page logs one.
pub async fn bulk_set_status(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    ids: &[Uuid],
    status: PipelineStatus,
    author: &Member,
    now: OffsetDateTime,
) -> sqlx::Result<u64> {
    let changed: Vec<(Uuid, PipelineStatus)> = sqlx::query_as(
        "SELECT id, status FROM prospects WHERE tenant_id = $1 AND campaign_id = $2 AND id = ANY ($3)
           AND status <> $4 ORDER BY id FOR NO KEY UPDATE",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(ids)
    .bind(status)
    .fetch_all(&mut *conn)
    .await?;
    // The pipeline's table lets organizers choose any status: nothing is left out here.
    let changed: Vec<(Uuid, PipelineStatus)> = changed
        .into_iter()
        .filter(|(_, from)| pipeline::allowed(*from, pipeline::Action::Choose(status)))
        .collect();
    let changed_ids: Vec<Uuid> = changed.iter().map(|(id, _)| *id).collect();
    sqlx::query("UPDATE prospects SET status = $3 WHERE tenant_id = $1 AND id = ANY ($2)")
        .bind(tenant.uuid())
        .bind(&changed_ids)
        .bind(status)
        .execute(&mut *conn)
        .await?;
    for (id, from) in &changed {
        record_by(
            conn,
            author,
            campaign_id,
            &MemberActivity {
                prospect_id: *id,
                contact_id: None,
                kind: ActivityKind::Status,
                outcome: status.label(),
                body: &format!("{} → {}", from.label(), status.label()),
            },
            now,
        )
        .await?;
    }
    Ok(changed.len() as u64)
}

/// Takes prospects off the campaign. Their organizations stay in the book with their
/// people and whole history (the activity log keeps its lines, no longer tied to a
/// prospect); signatures are the signers' and stay as they are.
pub async fn delete_prospects(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    ids: &[Uuid],
) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "DELETE FROM prospects WHERE tenant_id = $1 AND campaign_id = $2 AND id = ANY ($3)",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(ids)
    .execute(conn)
    .await?
    .rows_affected())
}

/// What a merge did, for the log line it leaves.
pub struct Merged {
    pub moved_contacts: u64,
    pub folded_contacts: u64,
    pub moved_activities: u64,
}

/// Folds prospect `fold` into prospect `keep` of one campaign: merges their two
/// organizations in the book (`merge_organizations`: people, history, every campaign's
/// prospects, fields), the kept prospect taking the other's activities and what it lacks.
pub async fn merge_prospects(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    keep: Uuid,
    fold: Uuid,
) -> sqlx::Result<Option<Merged>> {
    let orgs: Vec<(Uuid, Uuid)> = sqlx::query_as(
        "SELECT id, organization_id FROM prospects WHERE tenant_id = $1 AND campaign_id = $2 AND id IN ($3, $4)",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(keep)
    .bind(fold)
    .fetch_all(&mut *conn)
    .await?;
    let org_of = |id: Uuid| orgs.iter().find(|(p, _)| *p == id).map(|(_, o)| *o);
    let (Some(keep_org), Some(fold_org)) = (org_of(keep), org_of(fold)) else {
        return Ok(None);
    };
    let merged = merge_organizations(conn, tenant, keep_org, fold_org).await?;
    Ok(merged.map(|m| Merged {
        moved_contacts: m.moved_people,
        folded_contacts: m.folded_people,
        moved_activities: m.moved_activities,
    }))
}
