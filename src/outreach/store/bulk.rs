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

/// Folds `fold` into `keep`: its contacts (one with an address `keep` already has becomes
/// that contact, its log and touches added), its activity log, chapters and signature come
/// over; `keep`'s fields win and its empty ones take `fold`'s; then `fold` goes.
pub async fn merge_prospects(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    keep: Uuid,
    fold: Uuid,
) -> sqlx::Result<Option<Merged>> {
    let locked: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM prospects WHERE tenant_id = $1 AND campaign_id = $2 AND id IN ($3, $4)
         ORDER BY id FOR UPDATE",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(keep)
    .bind(fold)
    .fetch_all(&mut *conn)
    .await?;
    if locked.len() != 2 {
        return Ok(None);
    }
    // Contacts with an address the kept prospect already has: one person, one contact.
    let pairs: Vec<(Uuid, Uuid)> = sqlx::query_as(
        "SELECT f.id, (SELECT k.id FROM prospect_contacts k WHERE k.prospect_id = $2 AND k.email = f.email
                       ORDER BY k.created_at, k.id LIMIT 1)
         FROM prospect_contacts f WHERE f.prospect_id = $1 AND f.email IS NOT NULL ORDER BY f.id FOR UPDATE",
    )
    .bind(fold)
    .bind(keep)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .filter_map(|(f, k): (Uuid, Option<Uuid>)| k.map(|k| (f, k)))
    .collect();
    for (from, into) in &pairs {
        sqlx::query("UPDATE outreach_activities SET contact_id = $2 WHERE contact_id = $1")
            .bind(from)
            .bind(into)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "INSERT INTO outreach_send_log (campaign_id, contact_id, stage, deadline, outcome, reason, at)
             SELECT campaign_id, $2, stage, deadline, outcome, reason, at FROM outreach_send_log WHERE contact_id = $1
             ON CONFLICT DO NOTHING",
        )
        .bind(from)
        .bind(into)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "UPDATE prospect_contacts k SET touches = k.touches + f.touches,
                    last_touch_at = greatest(k.last_touch_at, f.last_touch_at),
                    name = CASE WHEN k.name = '' THEN f.name ELSE k.name END,
                    role = CASE WHEN k.role = '' THEN f.role ELSE k.role END,
                    phone = CASE WHEN k.phone = '' THEN f.phone ELSE k.phone END,
                    bounced_at = coalesce(k.bounced_at, f.bounced_at),
                    bounce_reason = CASE WHEN k.bounced_at IS NULL THEN f.bounce_reason ELSE k.bounce_reason END
             FROM prospect_contacts f WHERE k.id = $2 AND f.id = $1",
        )
        .bind(from)
        .bind(into)
        .execute(&mut *conn)
        .await?;
        sqlx::query("DELETE FROM prospect_contacts WHERE id = $1")
            .bind(from)
            .execute(&mut *conn)
            .await?;
    }
    let moved_contacts =
        sqlx::query("UPDATE prospect_contacts SET prospect_id = $2 WHERE prospect_id = $1")
            .bind(fold)
            .bind(keep)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    let moved_activities =
        sqlx::query("UPDATE outreach_activities SET prospect_id = $2 WHERE prospect_id = $1")
            .bind(fold)
            .bind(keep)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    // The signature, the referral and the match are unique per prospect: taken off the
    // folded one first, then given to the kept one if it has none.
    let taken: (Option<Uuid>, Option<Uuid>, Option<Uuid>) = sqlx::query_as(
        "WITH old AS (SELECT signed_signature_id, matched_signature_id, referral_id FROM prospects WHERE id = $1)
         UPDATE prospects p SET signed_signature_id = NULL, matched_signature_id = NULL, referral_id = NULL
         FROM old WHERE p.id = $1
         RETURNING old.signed_signature_id, old.matched_signature_id, old.referral_id",
    )
    .bind(fold)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE prospects k SET
            signed_signature_id = coalesce(k.signed_signature_id, $3),
            matched_signature_id = coalesce(k.matched_signature_id, $4),
            referral_id = coalesce(k.referral_id, $5),
            website = CASE WHEN k.website = '' THEN f.website ELSE k.website END,
            domain = CASE WHEN k.website = '' THEN f.domain ELSE k.domain END,
            size = CASE WHEN k.size = '' THEN f.size ELSE k.size END,
            owner_id = coalesce(k.owner_id, f.owner_id),
            parent_id = CASE WHEN k.parent_id = $1 THEN nullif(f.parent_id, $2)
                             ELSE coalesce(k.parent_id, nullif(f.parent_id, $2)) END,
            tags = (SELECT coalesce(array_agg(t ORDER BY n), '{}') FROM (
                        SELECT DISTINCT ON (lower(t)) t, n FROM unnest(k.tags || f.tags) WITH ORDINALITY AS x(t, n)
                        ORDER BY lower(t), n) u),
            sensitivity = CASE WHEN f.sensitivity = '' OR f.sensitivity = k.sensitivity THEN k.sensitivity
                               WHEN k.sensitivity = '' THEN f.sensitivity
                               ELSE k.sensitivity || E'\\n\\n' || f.sensitivity END,
            notes = CASE WHEN f.notes = '' OR f.notes = k.notes THEN k.notes
                         WHEN k.notes = '' THEN f.notes
                         ELSE k.notes || E'\\n\\n' || f.notes END,
            hold_reason = CASE WHEN k.hold_reason = '' THEN f.hold_reason ELSE k.hold_reason END,
            hold_until = CASE WHEN k.hold_reason = '' THEN f.hold_until ELSE k.hold_until END,
            status = CASE WHEN k.status = ANY ($6) THEN f.status ELSE k.status END,
            referred_by = CASE WHEN k.referred_by = '' THEN f.referred_by ELSE k.referred_by END,
            referral_note = CASE WHEN k.referral_note = '' THEN f.referral_note ELSE k.referral_note END,
            next_follow_up = CASE WHEN k.next_follow_up IS NULL THEN f.next_follow_up
                                  WHEN f.next_follow_up IS NULL THEN k.next_follow_up
                                  ELSE least(k.next_follow_up, f.next_follow_up) END,
            last_touch_at = greatest(k.last_touch_at, f.last_touch_at),
            possible_duplicate_of = nullif(k.possible_duplicate_of, $1)
         FROM prospects f WHERE k.id = $2 AND f.id = $1",
    )
    .bind(fold)
    .bind(keep)
    .bind(taken.0)
    .bind(taken.1)
    .bind(taken.2)
    // The statuses a merge may move the kept prospect out of (`pipeline::TRANSITIONS`):
    // the same for whatever status the folded one has.
    .bind(pipeline::source_keys(pipeline::Action::MergedWith(
        PipelineStatus::NotContacted,
    )))
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE prospects SET parent_id = $2 WHERE parent_id = $1 AND id <> $2")
        .bind(fold)
        .bind(keep)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE prospects SET possible_duplicate_of = $2 WHERE possible_duplicate_of = $1 AND id <> $2",
    )
    .bind(fold)
    .bind(keep)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM prospects WHERE id = $1")
        .bind(fold)
        .execute(&mut *conn)
        .await?;
    Ok(Some(Merged {
        moved_contacts,
        folded_contacts: pairs.len() as u64,
        moved_activities,
    }))
}
