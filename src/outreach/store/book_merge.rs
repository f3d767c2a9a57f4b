//! Merging two organizations of the group's address book into one (`organizations`,
//! `people`, `prospects`, `outreach_activities`, `person_touches`, `outreach_send_log`,
//! `book_migration_merges`): what the book's merge page and a campaign's bulk merge of two
//! prospects both do.

use super::*;

/// What a merge of two organizations did, for the log line it leaves and the notice.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OrganizationsMerged {
    /// People of the merged-away organization who came over as they were.
    pub moved_people: u64,
    /// People of the merged-away organization with an address the kept one already had:
    /// one person now, their history (activities, touches, send log) theirs.
    pub folded_people: u64,
    /// Activity lines that now belong to the kept organization.
    pub moved_activities: u64,
    /// Campaigns that had both organizations as prospects: one prospect now.
    pub merged_prospects: u64,
}

/// What a merged-away prospect gave up (unique per prospect) for the kept one to take.
#[derive(sqlx::FromRow)]
struct Taken {
    id: Uuid,
    signed: Option<Uuid>,
    matched: Option<Uuid>,
    referral: Option<Uuid>,
}

/// Merges organization `gone` into organization `keep`, both of `tenant`'s book, in one
/// transaction (a savepoint when `conn` is already in one), and deletes `gone`:
///
/// - people: one with an address a person of `keep` already has becomes that person (their
///   activities, touches and send-log rows move to them, their empty fields filled); the
///   others move to `keep`;
/// - prospects: in a campaign that has both, `keep`'s prospect stays and takes the other's
///   activities, the more advanced status (`pipeline::Action::MergedWith`), any signed or
///   matched signature, referral, hold, owner and follow-up it lacks; the other goes. In a
///   campaign with only `gone`'s, that prospect now points at `keep`;
/// - the activity log moves whole; organizations whose parent or possible duplicate was
///   `gone` now name `keep`;
/// - `keep`'s fields win; its empty ones take `gone`'s; tags are unioned; notes and
///   sensitivity notes are both kept.
///
/// `None` (nothing changed) when either is not an organization of the tenant or they are
/// the same one. The caller logs what it wants to (a campaign's merge logs a line).
pub async fn merge_organizations(
    conn: &mut PgConnection,
    tenant: TenantId,
    keep: Uuid,
    gone: Uuid,
) -> sqlx::Result<Option<OrganizationsMerged>> {
    use sqlx::Connection;
    if keep == gone {
        return Ok(None);
    }
    let mut tx = conn.begin().await?;
    let locked: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM organizations WHERE tenant_id = $1 AND id IN ($2, $3) ORDER BY id FOR UPDATE",
    )
    .bind(tenant.uuid())
    .bind(keep)
    .bind(gone)
    .fetch_all(&mut *tx)
    .await?;
    if locked.len() != 2 {
        return Ok(None);
    }

    // People with an address a person of `keep` already has: one person.
    let pairs: Vec<(Uuid, Uuid)> = sqlx::query_as(
        "SELECT f.id, k.id FROM people f
         JOIN LATERAL (SELECT k.id FROM people k WHERE k.organization_id = $2 AND k.email = f.email
                       ORDER BY k.created_at, k.id LIMIT 1) k ON true
         WHERE f.tenant_id = $1 AND f.organization_id = $3 AND f.email IS NOT NULL
         ORDER BY f.id FOR UPDATE OF f",
    )
    .bind(tenant.uuid())
    .bind(keep)
    .bind(gone)
    .fetch_all(&mut *tx)
    .await?;
    let from: Vec<Uuid> = pairs.iter().map(|(f, _)| *f).collect();
    let into: Vec<Uuid> = pairs.iter().map(|(_, k)| *k).collect();
    if !pairs.is_empty() {
        const PAIRS: &str = "unnest($1::uuid[], $2::uuid[]) AS m(from_id, into_id)";
        sqlx::query(&format!(
            "UPDATE outreach_activities a SET contact_id = m.into_id FROM {PAIRS} WHERE a.contact_id = m.from_id"
        ))
        .bind(&from)
        .bind(&into)
        .execute(&mut *tx)
        .await?;
        sqlx::query(&format!(
            "INSERT INTO person_touches (person_id, tenant_id, campaign_id, activity_id, kind, at)
             SELECT m.into_id, t.tenant_id, t.campaign_id, t.activity_id, t.kind, t.at
             FROM person_touches t JOIN {PAIRS} ON t.person_id = m.from_id
             ON CONFLICT DO NOTHING"
        ))
        .bind(&from)
        .bind(&into)
        .execute(&mut *tx)
        .await?;
        sqlx::query(&format!(
            "INSERT INTO outreach_send_log (campaign_id, contact_id, stage, deadline, outcome, reason, at)
             SELECT s.campaign_id, m.into_id, s.stage, s.deadline, s.outcome, s.reason, s.at
             FROM outreach_send_log s JOIN {PAIRS} ON s.contact_id = m.from_id
             ON CONFLICT DO NOTHING"
        ))
        .bind(&from)
        .bind(&into)
        .execute(&mut *tx)
        .await?;
        sqlx::query(&format!(
            "UPDATE people k SET
                 first_name = CASE WHEN k.first_name = '' THEN f.first_name ELSE k.first_name END,
                 role = CASE WHEN k.role = '' THEN f.role ELSE k.role END,
                 phone = CASE WHEN k.phone = '' THEN f.phone ELSE k.phone END,
                 bounced_at = coalesce(k.bounced_at, f.bounced_at),
                 bounce_reason = CASE WHEN k.bounced_at IS NULL THEN f.bounce_reason ELSE k.bounce_reason END,
                 last_touch_at = greatest(k.last_touch_at, f.last_touch_at)
             FROM {PAIRS} JOIN people f ON f.id = m.from_id
             WHERE k.id = m.into_id"
        ))
        .bind(&from)
        .bind(&into)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE book_migration_merges g SET person_id = m.into_id FROM unnest($1::uuid[], $2::uuid[]) AS m(from_id, into_id) WHERE g.person_id = m.from_id")
            .bind(&from)
            .bind(&into)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM people WHERE id = ANY ($1)")
            .bind(&from)
            .execute(&mut *tx)
            .await?;
    }
    let moved_people = sqlx::query(
        "UPDATE people SET organization_id = $2 WHERE tenant_id = $1 AND organization_id = $3",
    )
    .bind(tenant.uuid())
    .bind(keep)
    .bind(gone)
    .execute(&mut *tx)
    .await?
    .rows_affected();

    // Campaigns with both: `keep`'s prospect stays, taking the other's history and what
    // it lacks. Unique columns are taken off the other first.
    let prospect_pairs: Vec<(Uuid, Uuid)> = sqlx::query_as(
        "SELECT g.id, k.id FROM prospects g JOIN prospects k ON k.campaign_id = g.campaign_id AND k.organization_id = $2
         WHERE g.tenant_id = $1 AND g.organization_id = $3 ORDER BY g.id FOR UPDATE OF g, k",
    )
    .bind(tenant.uuid())
    .bind(keep)
    .bind(gone)
    .fetch_all(&mut *tx)
    .await?;
    if !prospect_pairs.is_empty() {
        let from: Vec<Uuid> = prospect_pairs.iter().map(|(g, _)| *g).collect();
        let into: Vec<Uuid> = prospect_pairs.iter().map(|(_, k)| *k).collect();
        sqlx::query(
            "UPDATE outreach_activities a SET prospect_id = m.into_id
             FROM unnest($1::uuid[], $2::uuid[]) AS m(from_id, into_id) WHERE a.prospect_id = m.from_id",
        )
        .bind(&from)
        .bind(&into)
        .execute(&mut *tx)
        .await?;
        let taken: Vec<Taken> = sqlx::query_as(
            "WITH old AS (SELECT id, signed_signature_id, matched_signature_id, referral_id FROM prospects
                           WHERE id = ANY ($1))
             UPDATE prospects p SET signed_signature_id = NULL, matched_signature_id = NULL, referral_id = NULL
             FROM old WHERE p.id = old.id
             RETURNING old.id, old.signed_signature_id AS signed, old.matched_signature_id AS matched,
                       old.referral_id AS referral",
        )
        .bind(&from)
        .fetch_all(&mut *tx)
        .await?;
        let taken_ids: Vec<Uuid> = taken.iter().map(|t| t.id).collect();
        let signed: Vec<Option<Uuid>> = taken.iter().map(|t| t.signed).collect();
        let matched: Vec<Option<Uuid>> = taken.iter().map(|t| t.matched).collect();
        let referral: Vec<Option<Uuid>> = taken.iter().map(|t| t.referral).collect();
        sqlx::query(
            "UPDATE prospects k SET
                 signed_signature_id = coalesce(k.signed_signature_id, t.signed),
                 matched_signature_id = coalesce(k.matched_signature_id, t.matched),
                 referral_id = coalesce(k.referral_id, t.referral),
                 owner_id = coalesce(k.owner_id, f.owner_id),
                 hold_reason = CASE WHEN k.hold_reason = '' THEN f.hold_reason ELSE k.hold_reason END,
                 hold_until = CASE WHEN k.hold_reason = '' THEN f.hold_until ELSE k.hold_until END,
                 status = CASE WHEN k.status = ANY ($6) THEN f.status ELSE k.status END,
                 referred_by = CASE WHEN k.referred_by = '' THEN f.referred_by ELSE k.referred_by END,
                 referral_note = CASE WHEN k.referral_note = '' THEN f.referral_note ELSE k.referral_note END,
                 unchecked_suggestion = k.unchecked_suggestion AND f.unchecked_suggestion,
                 next_follow_up = CASE WHEN k.next_follow_up IS NULL THEN f.next_follow_up
                                       WHEN f.next_follow_up IS NULL THEN k.next_follow_up
                                       ELSE least(k.next_follow_up, f.next_follow_up) END,
                 last_touch_at = greatest(k.last_touch_at, f.last_touch_at)
             FROM unnest($1::uuid[], $2::uuid[]) AS m(from_id, into_id)
             JOIN prospects f ON f.id = m.from_id
             JOIN unnest($3::uuid[], $4::uuid[], $5::uuid[], $7::uuid[]) AS t(id, signed, matched, referral)
               ON t.id = m.from_id
             WHERE k.id = m.into_id",
        )
        .bind(&from)
        .bind(&into)
        .bind(&taken_ids)
        .bind(&signed)
        .bind(&matched)
        // The statuses a merge moves the kept prospect out of (`pipeline::TRANSITIONS`),
        // the same whatever the other's status is.
        .bind(pipeline::source_keys(pipeline::Action::MergedWith(
            PipelineStatus::NotContacted,
        )))
        .bind(&referral)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM prospects WHERE id = ANY ($1)")
            .bind(&from)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "UPDATE prospects SET organization_id = $2 WHERE tenant_id = $1 AND organization_id = $3",
    )
    .bind(tenant.uuid())
    .bind(keep)
    .bind(gone)
    .execute(&mut *tx)
    .await?;
    let moved_activities = sqlx::query(
        "UPDATE outreach_activities SET organization_id = $2 WHERE tenant_id = $1 AND organization_id = $3",
    )
    .bind(tenant.uuid())
    .bind(keep)
    .bind(gone)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    sqlx::query(
        "UPDATE book_migration_merges SET organization_id = $2 WHERE tenant_id = $1 AND organization_id = $3",
    )
    .bind(tenant.uuid())
    .bind(keep)
    .bind(gone)
    .execute(&mut *tx)
    .await?;

    // The kept organization's fields: its own win, its empty ones take the other's.
    sqlx::query(
        // `below`: both organizations and every chapter under either, which the kept one
        // may not take as its parent (a chapter of its own chapter).
        "WITH RECURSIVE below(id) AS (
             SELECT unnest(ARRAY[$2, $3]::uuid[])
             UNION
             SELECT o.id FROM organizations o JOIN below b ON o.parent_id = b.id WHERE o.tenant_id = $1)
         UPDATE organizations k SET
             website = CASE WHEN k.website = '' THEN f.website ELSE k.website END,
             domain = CASE WHEN k.website = '' THEN f.domain ELSE k.domain END,
             size = CASE WHEN k.size = '' THEN f.size ELSE k.size END,
             region = CASE WHEN k.region = '' THEN f.region ELSE k.region END,
             owner_id = coalesce(k.owner_id, f.owner_id),
             parent_id = CASE WHEN k.parent_id IS NOT NULL AND k.parent_id <> f.id THEN k.parent_id
                              WHEN f.parent_id IN (SELECT id FROM below) THEN NULL
                              ELSE f.parent_id END,
             tags = (SELECT coalesce(array_agg(t ORDER BY n), '{}') FROM (
                         SELECT DISTINCT ON (lower(t)) t, n FROM unnest(k.tags || f.tags) WITH ORDINALITY AS x(t, n)
                         ORDER BY lower(t), n) u),
             sensitivity = CASE WHEN f.sensitivity = '' OR position(f.sensitivity IN k.sensitivity) > 0 THEN k.sensitivity
                                WHEN k.sensitivity = '' THEN f.sensitivity
                                ELSE k.sensitivity || E'\\n\\n' || f.sensitivity END,
             notes = CASE WHEN f.notes = '' OR position(f.notes IN k.notes) > 0 THEN k.notes
                          WHEN k.notes = '' THEN f.notes
                          ELSE k.notes || E'\\n\\n' || f.notes END,
             hold_reason = CASE WHEN k.hold_reason = '' THEN f.hold_reason ELSE k.hold_reason END,
             hold_until = CASE WHEN k.hold_reason = '' THEN f.hold_until ELSE k.hold_until END,
             possible_duplicate_of = CASE WHEN k.possible_duplicate_of = f.id THEN nullif(f.possible_duplicate_of, k.id)
                                          ELSE k.possible_duplicate_of END,
             last_touch_at = greatest(k.last_touch_at, f.last_touch_at),
             import_id = coalesce(k.import_id, f.import_id)
         FROM organizations f WHERE k.tenant_id = $1 AND k.id = $2 AND f.id = $3",
    )
    .bind(tenant.uuid())
    .bind(keep)
    .bind(gone)
    .execute(&mut *tx)
    .await?;
    // The other's chapters become the kept one's, unless one is above it (it would be a
    // chapter of its own chapter): that one loses its parent.
    sqlx::query(
        "WITH RECURSIVE above(id) AS (
             SELECT parent_id FROM organizations WHERE id = $2 AND parent_id IS NOT NULL
             UNION
             SELECT o.parent_id FROM organizations o JOIN above a ON o.id = a.id WHERE o.parent_id IS NOT NULL)
         UPDATE organizations SET parent_id = CASE WHEN id IN (SELECT id FROM above) THEN NULL ELSE $2 END
         WHERE tenant_id = $1 AND parent_id = $3 AND id <> $2",
    )
    .bind(tenant.uuid())
    .bind(keep)
    .bind(gone)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE organizations SET possible_duplicate_of = $2
         WHERE tenant_id = $1 AND possible_duplicate_of = $3 AND id <> $2",
    )
    .bind(tenant.uuid())
    .bind(keep)
    .bind(gone)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM organizations WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.uuid())
        .bind(gone)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some(OrganizationsMerged {
        moved_people,
        folded_people: pairs.len() as u64,
        moved_activities,
        merged_prospects: prospect_pairs.len() as u64,
    }))
}
