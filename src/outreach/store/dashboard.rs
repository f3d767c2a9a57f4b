//! What the outreach dashboard counts and lists. Read-only exception: `signatures` and
//! `campaigns` are read for the signed split, the listed-per-day chart and signers' comments.

use super::*;

/// Counts of prospects by stage, for the funnel.
pub async fn stage_counts(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    today: Date,
) -> sqlx::Result<Vec<(Stage, i64)>> {
    let sql = format!(
        "SELECT CASE WHEN p.signed_signature_id IS NOT NULL THEN 'signed'
                     WHEN {HELD} THEN 'on_hold' ELSE p.status END AS stage, count(*)
         FROM prospects p JOIN organizations o ON o.id = p.organization_id
         WHERE p.tenant_id = $1 AND p.campaign_id = $2 GROUP BY 1"
    );
    let rows: Vec<(String, i64)> = sqlx::query_as(&sql)
        .bind(tenant.uuid())
        .bind(campaign_id)
        .bind(today)
        .fetch_all(db)
        .await?;
    Ok(Stage::ALL
        .into_iter()
        .map(|stage| {
            let count = rows
                .iter()
                .find(|(key, _)| key == stage.key())
                .map_or(0, |(_, n)| *n);
            (stage, count)
        })
        .collect())
}

/// Prospects counted signed, split by whether their signature is listed under the
/// current text (`signatures::store::listed_sql`) or awaits its signer's reconfirmation.
#[derive(sqlx::FromRow, Clone, Copy, Debug, Default)]
pub struct SignedSplit {
    pub listed: i64,
    pub awaiting_reconfirmation: i64,
}

pub async fn signed_split(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
) -> sqlx::Result<SignedSplit> {
    use crate::signatures::store::{awaiting_reconfirmation_sql, listed_sql};
    sqlx::query_as(&format!(
        "SELECT count(*) FILTER (WHERE {}) AS listed, count(*) FILTER (WHERE {}) AS awaiting_reconfirmation
         FROM prospects p JOIN signatures s ON s.id = p.signed_signature_id
         JOIN campaigns c ON c.id = p.campaign_id
         WHERE p.tenant_id = $1 AND p.campaign_id = $2",
        listed_sql("s.", "c.consent_from_revision"),
        awaiting_reconfirmation_sql("s.", "c.consent_from_revision"),
    ))
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_one(db)
    .await
}

/// One day of signers listed under the current text, by the day they confirmed.
#[derive(sqlx::FromRow)]
pub struct ListedOnDay {
    pub day: Date,
    pub count: i64,
}

pub async fn listed_per_day(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    zone: &str,
) -> sqlx::Result<Vec<ListedOnDay>> {
    use crate::signatures::store::listed_sql;
    sqlx::query_as(&format!(
        "SELECT (s.confirmed_at AT TIME ZONE $3)::date AS day, count(*) AS count
         FROM signatures s JOIN campaigns c ON c.id = s.campaign_id
         WHERE s.tenant_id = $1 AND s.campaign_id = $2 AND s.confirmed_at IS NOT NULL AND {}
         GROUP BY 1 ORDER BY 1",
        listed_sql("s.", "c.consent_from_revision"),
    ))
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(zone)
    .fetch_all(db)
    .await
}

/// National and international prospects nobody has touched by any channel (no email
/// sent, no call or meeting logged: `last_touch_at` is kept by the touch trigger), that
/// have not signed, declined or said they issue their own statement, and are not held.
pub async fn large_untouched(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    today: Date,
    limit: i64,
) -> sqlx::Result<Vec<Prospect>> {
    let sql = format!(
        "SELECT {PROSPECT_COLUMNS} {PROSPECT_JOINS}
         WHERE p.tenant_id = $1 AND p.campaign_id = $2 AND o.size IN ('national', 'international')
           AND p.last_touch_at IS NULL AND p.signed_signature_id IS NULL
           AND p.status NOT IN ('declined', 'own_statement') AND NOT {HELD}
         ORDER BY o.size = 'international' DESC, o.sort_key COLLATE signer_order, p.id LIMIT $4"
    );
    sqlx::query_as(&sql)
        .bind(tenant.uuid())
        .bind(campaign_id)
        .bind(today)
        .bind(limit)
        .fetch_all(db)
        .await
}

/// What a signer wrote to the organizers when signing ("Comment for the organizers"),
/// with the prospect it belongs to when one does (matched, or a contact's address).
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct SignerComment {
    pub signature_id: Uuid,
    pub name: String,
    pub contact_name: String,
    pub comment: String,
    pub at: OffsetDateTime,
    pub prospect_id: Option<Uuid>,
}

const SIGNER_COMMENT_COLUMNS: &str = "s.id AS signature_id, s.name, s.contact_name, s.comment,
    coalesce(s.confirmed_at, s.created_at) AS at,
    (SELECT p.id FROM prospects p WHERE p.campaign_id = s.campaign_id
       AND (p.signed_signature_id = s.id OR EXISTS (SELECT 1 FROM people pc
              WHERE pc.organization_id = p.organization_id AND pc.email = s.email))
     ORDER BY (p.signed_signature_id = s.id) DESC, p.created_at LIMIT 1) AS prospect_id";

/// The newest comments of signers who confirmed (listed, awaiting approval or
/// reconfirmation): an unconfirmed form carries a stranger's words, not a signer's.
pub async fn signer_comments(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    limit: i64,
) -> sqlx::Result<Vec<SignerComment>> {
    sqlx::query_as(&format!(
        "SELECT {SIGNER_COMMENT_COLUMNS} FROM signatures s
         WHERE s.tenant_id = $1 AND s.campaign_id = $2 AND s.comment <> ''
           AND s.state IN ('confirmed', 'awaiting_approval')
         ORDER BY coalesce(s.confirmed_at, s.created_at) DESC, s.id LIMIT $3"
    ))
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The comments of the confirmed signatures that are this prospect's: the one that
/// makes it signed, and any from its contacts' addresses.
pub async fn prospect_signer_comments(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    prospect_id: Uuid,
) -> sqlx::Result<Vec<SignerComment>> {
    sqlx::query_as(&format!(
        "SELECT {SIGNER_COMMENT_COLUMNS} FROM signatures s
         JOIN prospects p ON p.id = $3 AND p.campaign_id = s.campaign_id
         WHERE s.tenant_id = $1 AND s.campaign_id = $2 AND s.comment <> ''
           AND s.state IN ('confirmed', 'awaiting_approval')
           AND (p.signed_signature_id = s.id OR EXISTS (SELECT 1 FROM people pc
                  WHERE pc.organization_id = p.organization_id AND pc.email = s.email))
         ORDER BY coalesce(s.confirmed_at, s.created_at) DESC, s.id LIMIT 20"
    ))
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(prospect_id)
    .fetch_all(db)
    .await
}

/// A change to the letter a prospect asked for that no revision has answered yet.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct OpenChangeRequest {
    pub prospect_id: Uuid,
    pub organization: String,
    pub body: String,
    pub at: OffsetDateTime,
}

pub async fn open_change_requests(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    limit: i64,
) -> sqlx::Result<Vec<OpenChangeRequest>> {
    sqlx::query_as(
        "SELECT a.prospect_id, o.name AS organization, a.body, a.at FROM outreach_activities a
         JOIN prospects p ON p.id = a.prospect_id JOIN organizations o ON o.id = p.organization_id
         WHERE a.tenant_id = $1 AND a.campaign_id = $2 AND a.kind = 'change_request'
           AND a.answered_by_revision_id IS NULL
         ORDER BY a.at DESC, a.id DESC LIMIT $3",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// A contact whose address bounced, for the dashboard's list.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct BouncedContact {
    pub prospect_id: Uuid,
    pub organization: String,
    pub contact: String,
    pub email: Option<String>,
    pub bounce_reason: String,
}

/// The contacts whose address bounced, newest first.
pub async fn bounced_contacts(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    limit: i64,
) -> sqlx::Result<Vec<BouncedContact>> {
    sqlx::query_as(
        "SELECT p.id AS prospect_id, o.name AS organization, c.name AS contact, c.email::text AS email, c.bounce_reason
         FROM people c
         JOIN prospects p ON p.organization_id = c.organization_id AND p.campaign_id = $2
         JOIN organizations o ON o.id = c.organization_id
         WHERE c.tenant_id = $1 AND c.bounced_at IS NOT NULL
         ORDER BY c.bounced_at DESC LIMIT $3",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// A prospect a signer suggested, with what decides its stage.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct ReferredProspect {
    pub id: Uuid,
    pub name: String,
    pub referred_by: String,
    pub signed: bool,
    pub hold_reason: String,
    pub hold_until: Option<Date>,
    /// The group's hold on the organization (every campaign).
    pub group_hold_reason: String,
    pub group_hold_until: Option<Date>,
    pub status: PipelineStatus,
}

/// The prospects signers suggested, by whom suggested them.
pub async fn referred_prospects(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    limit: i64,
) -> sqlx::Result<Vec<ReferredProspect>> {
    sqlx::query_as(
        "SELECT p.id, o.name, p.referred_by, p.signed_signature_id IS NOT NULL AS signed, p.hold_reason, p.hold_until,
                o.hold_reason AS group_hold_reason, o.hold_until AS group_hold_until, p.status
         FROM prospects p JOIN organizations o ON o.id = p.organization_id
         WHERE p.tenant_id = $1 AND p.campaign_id = $2 AND p.referred_by <> ''
         ORDER BY p.referred_by, o.sort_key COLLATE signer_order LIMIT $3",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(limit)
    .fetch_all(db)
    .await
}
