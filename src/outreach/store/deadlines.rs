//! What the scheduler's deadline stages read and claim: campaigns with their rules, the
//! people a reminder or last call may go to (`outreach_send_log`), and campaign-wide
//! moments claimed once (`outreach_campaign_log`). Read-only exception: `campaigns`,
//! `tenants` and `signatures` are read (never written) to find the campaigns due, their
//! group and how many signers they list.

use super::*;

/// A campaign as the scheduler needs it.
#[derive(Clone, Debug)]
pub struct DueCampaign {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub tenant_slug: String,
    pub group_name: String,
    pub slug: String,
    pub title: String,
    pub time_zone: String,
    pub soft_deadline: OffsetDateTime,
    pub hard_deadline: OffsetDateTime,
    pub open_after_deadline: bool,
    pub target: i32,
    pub confirmed: i64,
    pub settings: Settings,
}

#[derive(sqlx::FromRow)]
struct DueCampaignRow {
    id: Uuid,
    tenant_id: Uuid,
    tenant_slug: String,
    group_name: String,
    slug: String,
    title: String,
    time_zone: String,
    soft_deadline: OffsetDateTime,
    hard_deadline: OffsetDateTime,
    open_after_deadline: bool,
    target: i32,
    confirmed: i64,
    has_settings: bool,
    #[sqlx(flatten)]
    settings: SettingsRow,
}

impl From<DueCampaignRow> for DueCampaign {
    fn from(r: DueCampaignRow) -> Self {
        DueCampaign {
            id: r.id,
            tenant_id: r.tenant_id,
            tenant_slug: r.tenant_slug,
            group_name: r.group_name,
            slug: r.slug,
            title: r.title,
            time_zone: r.time_zone,
            soft_deadline: r.soft_deadline,
            hard_deadline: r.hard_deadline,
            open_after_deadline: r.open_after_deadline,
            target: r.target,
            confirmed: r.confirmed,
            settings: if r.has_settings {
                r.settings.into()
            } else {
                Settings::default()
            },
        }
    }
}

/// Campaigns with what the scheduler decides by; `confirmed` counts the signers listed
/// under the current text (as the public page does), the ones that reach the target.
fn due_campaigns_sql() -> String {
    format!(
        "SELECT c.id, c.tenant_id, t.slug AS tenant_slug, t.name AS group_name, c.slug, c.title,
        c.time_zone, c.soft_deadline, c.hard_deadline, c.open_after_deadline, c.target,
        (SELECT count(*) FROM signatures s WHERE s.campaign_id = c.id AND {}) AS confirmed,
        o.campaign_id IS NOT NULL AS has_settings, o.min_days_between, o.max_touches, o.reminder_lead_days,
        o.auto_last_call, o.ask_subject, o.ask_body, o.follow_up_subject, o.follow_up_body
    FROM campaigns c JOIN tenants t ON t.id = c.tenant_id
    LEFT JOIN outreach_settings o ON o.campaign_id = c.id",
        crate::signatures::store::listed_sql("s.", "c.consent_from_revision")
    )
}

/// One campaign by id, for the organizers' "send the last call" button.
pub async fn due_campaign_by_id(
    db: &PgPool,
    campaign_id: Uuid,
) -> sqlx::Result<Option<DueCampaign>> {
    let sql = format!("{} WHERE c.id = $1", due_campaigns_sql());
    let row: Option<DueCampaignRow> = sqlx::query_as(&sql)
        .bind(campaign_id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(DueCampaign::from))
}

/// The open campaigns whose hard deadline is at most a week past at `now`.
pub async fn due_campaigns(db: &PgPool, now: OffsetDateTime) -> sqlx::Result<Vec<DueCampaign>> {
    let sql = format!(
        "{} WHERE c.status IN ('open', 'published') AND c.hard_deadline > $1 - interval '7 days'",
        due_campaigns_sql()
    );
    let rows: Vec<DueCampaignRow> = sqlx::query_as(&sql).bind(now).fetch_all(db).await?;
    Ok(rows.into_iter().map(DueCampaign::from).collect())
}

/// The people an automated email may go to, locked (in one order) until the transaction
/// ends: of the campaign's prospects' organizations, asked in this campaign (by an ask or
/// follow-up), not signed (nor waiting to confirm), not held for this campaign nor for
/// every campaign, not declined or issuing their own statement, not bounced, not
/// unsubscribed, and without a send-log row for this stage and deadline yet. Their
/// touches are read after the lock (`stage_touches`), so a send in another campaign that
/// held them first is counted.
const DUE_CONTACTS: &str = "SELECT c.id
    FROM prospects p JOIN organizations o ON o.id = p.organization_id
    JOIN people c ON c.organization_id = p.organization_id
    WHERE p.campaign_id = $1 AND c.email IS NOT NULL AND c.bounced_at IS NULL
      AND p.signed_signature_id IS NULL AND p.status IN ('asked', 'in_conversation') AND NOT p.unchecked_suggestion
      AND NOT (p.hold_reason <> '' AND (p.hold_until IS NULL OR p.hold_until > $4))
      AND NOT (o.hold_reason <> '' AND (o.hold_until IS NULL OR o.hold_until > $4))
      AND NOT EXISTS (SELECT 1 FROM outreach_send_log l
                      WHERE l.campaign_id = $1 AND l.contact_id = c.id AND l.stage = $2 AND l.deadline = $3)
      AND EXISTS (SELECT 1 FROM outreach_activities a
                  WHERE a.contact_id = c.id AND a.campaign_id = $1 AND a.kind IN ('ask', 'follow_up'))
      AND NOT EXISTS (SELECT 1 FROM signatures s WHERE s.campaign_id = p.campaign_id AND s.email = c.email)
      AND NOT EXISTS (SELECT 1 FROM mail_suppressions m WHERE m.email = c.email
                      AND (m.tenant_id IS NULL OR m.tenant_id = c.tenant_id))
    ORDER BY c.id
    FOR UPDATE OF c";

/// What a contact stage needs to know about the campaign and the moment.
pub struct ContactClaim<'a> {
    pub campaign: &'a DueCampaign,
    pub stage: &'a str,
    pub deadline: OffsetDateTime,
    pub now: OffsetDateTime,
    pub today: Date,
}

/// The people a contact stage may write to (see `DUE_CONTACTS`), locked until the
/// transaction ends. Reads `signatures` and `mail_suppressions` (read-only) to leave out
/// whoever signed or unsubscribed.
pub async fn due_contacts(
    conn: &mut PgConnection,
    claim: &ContactClaim<'_>,
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(DUE_CONTACTS)
        .bind(claim.campaign.id)
        .bind(claim.stage)
        .bind(claim.deadline)
        .bind(claim.today)
        .fetch_all(conn)
        .await
}

/// A person's touches in one campaign (what the campaign's limits count).
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct CampaignTouches {
    pub person_id: Uuid,
    pub touches: i32,
    pub last_touch_at: Option<OffsetDateTime>,
}

pub async fn campaign_touches(
    conn: &mut PgConnection,
    campaign_id: Uuid,
    person_ids: &[Uuid],
) -> sqlx::Result<Vec<CampaignTouches>> {
    sqlx::query_as(
        "SELECT ids.id AS person_id, count(t.activity_id)::int AS touches, max(t.at) AS last_touch_at
         FROM unnest($2::uuid[]) AS ids(id)
         LEFT JOIN person_touches t ON t.person_id = ids.id AND t.campaign_id = $1
         GROUP BY ids.id",
    )
    .bind(campaign_id)
    .bind(person_ids)
    .fetch_all(conn)
    .await
}

/// A contact's send-log row, just written: "sent", or "skipped" with the reason.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct ClaimedContact {
    pub contact_id: Uuid,
    pub outcome: String,
    pub reason: String,
}

/// Writes the send-log rows of a contact stage, one per person: the outcome ("sent" or
/// "skipped") and the reason the touch limits gave. Returns the rows written (a row
/// another instance wrote first is not returned: that one acts on it).
pub async fn log_contact_stage(
    conn: &mut PgConnection,
    claim: &ContactClaim<'_>,
    rows: &[ClaimedContact],
) -> sqlx::Result<Vec<ClaimedContact>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.contact_id).collect();
    let outcomes: Vec<&str> = rows.iter().map(|r| r.outcome.as_str()).collect();
    let reasons: Vec<&str> = rows.iter().map(|r| r.reason.as_str()).collect();
    sqlx::query_as(
        "INSERT INTO outreach_send_log (campaign_id, contact_id, stage, deadline, outcome, reason, at)
         SELECT $1, r.id, $2, $3, r.outcome, r.reason, $4
         FROM unnest($5::uuid[], $6::text[], $7::text[]) AS r(id, outcome, reason)
         ON CONFLICT DO NOTHING
         RETURNING contact_id, outcome, reason",
    )
    .bind(claim.campaign.id)
    .bind(claim.stage)
    .bind(claim.deadline)
    .bind(claim.now)
    .bind(&ids)
    .bind(&outcomes)
    .bind(&reasons)
    .fetch_all(conn)
    .await
}

/// A claimed person's address, name, organization and the campaign's prospect of it,
/// for the email.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct ContactDetail {
    pub id: Uuid,
    pub prospect_id: Uuid,
    pub name: String,
    pub email: String,
    pub organization: String,
}

pub async fn contact_details(
    conn: &mut PgConnection,
    campaign_id: Uuid,
    ids: &[Uuid],
) -> sqlx::Result<Vec<ContactDetail>> {
    sqlx::query_as(
        "SELECT c.id, p.id AS prospect_id, c.name, c.email::text AS email,
                o.name AS organization
         FROM people c JOIN organizations o ON o.id = c.organization_id
         JOIN prospects p ON p.organization_id = o.id AND p.campaign_id = $1
         WHERE c.id = ANY ($2)",
    )
    .bind(campaign_id)
    .bind(ids)
    .fetch_all(conn)
    .await
}

/// Marks that the last call for this hard deadline went (in the stage's transaction: a
/// refused last call leaves no mark).
pub async fn log_last_call(
    conn: &mut PgConnection,
    campaign_id: Uuid,
    hard_deadline: OffsetDateTime,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO outreach_campaign_log (campaign_id, stage, deadline, at) VALUES ($1, 'last_call', $2, $3)
         ON CONFLICT DO NOTHING",
    )
    .bind(campaign_id)
    .bind(hard_deadline)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Claims a campaign-wide moment; true for the one instance that should act on it.
pub async fn claim_campaign_stage(
    conn: &mut PgConnection,
    campaign_id: Uuid,
    stage: &str,
    deadline: OffsetDateTime,
    now: OffsetDateTime,
    detail: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO outreach_campaign_log (campaign_id, stage, deadline, at, detail) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING",
    )
    .bind(campaign_id)
    .bind(stage)
    .bind(deadline)
    .bind(now)
    .bind(detail)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Every campaign-wide moment logged for a campaign: (stage, deadline).
pub async fn campaign_log(
    db: &PgPool,
    campaign_id: Uuid,
) -> sqlx::Result<Vec<(String, OffsetDateTime)>> {
    sqlx::query_as("SELECT stage, deadline FROM outreach_campaign_log WHERE campaign_id = $1")
        .bind(campaign_id)
        .fetch_all(db)
        .await
}

/// Prospects asked at some point, and how many of those signed.
pub async fn asked_and_signed(
    conn: &mut PgConnection,
    campaign_id: Uuid,
) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status <> 'not_contacted' OR signed_signature_id IS NOT NULL),
                count(*) FILTER (WHERE signed_signature_id IS NOT NULL)
         FROM prospects WHERE campaign_id = $1",
    )
    .bind(campaign_id)
    .fetch_one(conn)
    .await
}

/// The campaign's deadlines and status, its row share-locked until the transaction ends
/// (a deadline change waits for the stage to finish). Read-only: `campaigns` is campaigns'.
pub async fn deadlines_for_share(
    conn: &mut PgConnection,
    campaign_id: Uuid,
) -> sqlx::Result<Option<(OffsetDateTime, OffsetDateTime, String)>> {
    sqlx::query_as(
        "SELECT soft_deadline, hard_deadline, status FROM campaigns WHERE id = $1 FOR SHARE",
    )
    .bind(campaign_id)
    .fetch_optional(conn)
    .await
}

/// Signatures still awaiting their signer's confirmation or the organizers' approval.
/// Read-only: `signatures` is signatures'.
pub async fn unconfirmed_signatures(
    conn: &mut PgConnection,
    campaign_id: Uuid,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM signatures WHERE campaign_id = $1 AND state IN ('pending', 'notified', 'awaiting_approval')",
    )
    .bind(campaign_id)
    .fetch_one(conn)
    .await
}
