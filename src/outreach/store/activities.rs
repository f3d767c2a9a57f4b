//! The activity log (`outreach_activities`): every line belongs to an organization of the
//! book, and to a campaign's prospect when it was written in one. Reads `letter_revisions` (campaigns') only to
//! name and link the revision that answered a requested change.

use super::*;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Activity {
    pub id: i64,
    pub kind: ActivityKind,
    pub contact_name: Option<String>,
    pub outcome: String,
    pub body: String,
    pub author_name: String,
    pub at: OffsetDateTime,
    pub answered_by_revision: Option<i32>,
}

/// One line for the activity log. `at` is always the app clock's time.
pub struct NewActivity<'a> {
    pub prospect_id: Uuid,
    pub contact_id: Option<Uuid>,
    pub kind: ActivityKind,
    pub outcome: &'a str,
    pub body: &'a str,
    pub author_id: Option<Uuid>,
    pub author_name: &'a str,
}

pub async fn record(
    conn: &mut PgConnection,
    tenant: Uuid,
    campaign_id: Uuid,
    activity: &NewActivity<'_>,
    at: OffsetDateTime,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO outreach_activities (tenant_id, campaign_id, prospect_id, organization_id, contact_id, kind, outcome,
                                          body, author_id, author_name, at)
         SELECT $1, $2, p.id, p.organization_id, $4, $5, $6, $7, $8, $9, $10
         FROM prospects p WHERE p.tenant_id = $1 AND p.campaign_id = $2 AND p.id = $3 RETURNING id",
    )
    .bind(tenant)
    .bind(campaign_id)
    .bind(activity.prospect_id)
    .bind(activity.contact_id)
    .bind(activity.kind)
    .bind(activity.outcome)
    .bind(activity.body)
    .bind(activity.author_id)
    .bind(activity.author_name)
    .bind(at)
    .fetch_one(conn)
    .await
}

/// A line an organizer's action leaves in the log; its author is the member.
pub struct MemberActivity<'a> {
    pub prospect_id: Uuid,
    pub contact_id: Option<Uuid>,
    pub kind: ActivityKind,
    pub outcome: &'a str,
    pub body: &'a str,
}

/// Records an activity by a member of the group: the author's id and name are theirs.
pub async fn record_by(
    conn: &mut PgConnection,
    member: &Member,
    campaign_id: Uuid,
    line: &MemberActivity<'_>,
    at: OffsetDateTime,
) -> sqlx::Result<i64> {
    record(
        conn,
        member.tenant_id.uuid(),
        campaign_id,
        &NewActivity {
            prospect_id: line.prospect_id,
            contact_id: line.contact_id,
            kind: line.kind,
            outcome: line.outcome,
            body: line.body,
            author_id: Some(member.user.user_id),
            author_name: &member.user.name,
        },
        at,
    )
    .await
}

/// The newest activities of a prospect (a long relationship shows its last 200 lines):
/// its campaign's, and the organization's notes and events that belong to no campaign
/// (a bounce, a note in the book).
pub async fn activities(
    db: &PgPool,
    tenant: TenantId,
    prospect_id: Uuid,
) -> sqlx::Result<Vec<Activity>> {
    sqlx::query_as(
        "SELECT a.id, a.kind, c.name AS contact_name, a.outcome, a.body, a.author_name, a.at, r.number AS answered_by_revision
         FROM prospects p
         JOIN outreach_activities a ON a.organization_id = p.organization_id
                                   AND (a.prospect_id = p.id OR a.campaign_id IS NULL)
         LEFT JOIN people c ON c.id = a.contact_id
         LEFT JOIN letter_revisions r ON r.id = a.answered_by_revision_id
         WHERE p.tenant_id = $1 AND p.id = $2 ORDER BY a.at DESC, a.id DESC LIMIT 200",
    )
    .bind(tenant.uuid())
    .bind(prospect_id)
    .fetch_all(db)
    .await
}

/// Links a requested change to the revision that answered it.
pub async fn answer_change(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    activity_id: i64,
    revision_id: Uuid,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "UPDATE outreach_activities a SET answered_by_revision_id = r.id
         FROM letter_revisions r
         WHERE a.tenant_id = $1 AND a.campaign_id = $2 AND a.id = $3 AND a.kind = 'change_request'
           AND r.tenant_id = $1 AND r.campaign_id = $2 AND r.id = $4
         RETURNING a.prospect_id",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(activity_id)
    .bind(revision_id)
    .fetch_optional(conn)
    .await
}

/// Records that a contact opened their personal link, once an hour at most (mail
/// scanners and reloads open it too).
pub async fn record_opened(
    db: &PgPool,
    tenant_id: Uuid,
    campaign_id: Uuid,
    (prospect_id, contact_id): (Uuid, Uuid),
    author_name: &str,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO outreach_activities (tenant_id, campaign_id, prospect_id, organization_id, contact_id, kind, body,
                                          author_name, at)
         SELECT $1, $2, p.id, p.organization_id, $4, 'opened', 'Opened the personal link', $5, $6
         FROM prospects p WHERE p.tenant_id = $1 AND p.campaign_id = $2 AND p.id = $3
           AND NOT EXISTS (SELECT 1 FROM outreach_activities WHERE contact_id = $4 AND kind = 'opened'
                           AND at > $6 - interval '1 hour')",
    )
    .bind(tenant_id)
    .bind(campaign_id)
    .bind(prospect_id)
    .bind(contact_id)
    .bind(author_name)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// One email of an ask that went: to whom, about which prospect, under which subject.
pub struct AskSent {
    pub contact_id: Uuid,
    pub prospect_id: Uuid,
    pub subject: String,
}

/// Logs each email of an ask (or follow-up) as one activity by its author.
pub async fn record_asks(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    kind: ActivityKind,
    author: (Uuid, &str),
    sent: &[AskSent],
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    let contacts: Vec<Uuid> = sent.iter().map(|s| s.contact_id).collect();
    let prospects: Vec<Uuid> = sent.iter().map(|s| s.prospect_id).collect();
    let subjects: Vec<&str> = sent.iter().map(|s| s.subject.as_str()).collect();
    sqlx::query(
        "INSERT INTO outreach_activities (tenant_id, campaign_id, prospect_id, organization_id, contact_id, kind, body,
                                          author_id, author_name, at)
         SELECT $1, $2, a.prospect_id, p.organization_id, a.contact_id, $3, 'Subject: ' || a.subject, $4, $5, $6
         FROM unnest($7::uuid[], $8::uuid[], $9::text[]) AS a(contact_id, prospect_id, subject)
         JOIN prospects p ON p.id = a.prospect_id AND p.campaign_id = $2",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(kind)
    .bind(author.0)
    .bind(author.1)
    .bind(now)
    .bind(&contacts)
    .bind(&prospects)
    .bind(&subjects)
    .execute(conn)
    .await?;
    Ok(())
}
