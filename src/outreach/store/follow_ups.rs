//! The follow-up queue.

use super::*;

/// The follow-up queue: an organizer's prospects due by `due_by` (today, or the end of
/// the week), overdue included, large organizations first, then the ones touched longest
/// ago. A held prospect is in it too when an organizer set its follow-up (a reminder to
/// reconsider the hold); nothing is sent to it while the hold lasts.
pub async fn follow_ups(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    owner_id: Option<Uuid>,
    due_by: Date,
    limit: i64,
) -> sqlx::Result<Vec<Prospect>> {
    let sql = format!(
        "SELECT {PROSPECT_COLUMNS} {PROSPECT_JOINS}
         WHERE p.tenant_id = $1 AND p.campaign_id = $2 AND p.next_follow_up <= $3
           AND ($4::uuid IS NULL OR p.owner_id = $4)
           AND p.signed_signature_id IS NULL AND p.status NOT IN ('declined', 'own_statement')
         ORDER BY CASE o.size WHEN 'international' THEN 0 WHEN 'national' THEN 1 WHEN 'regional' THEN 2 ELSE 3 END,
                  p.last_touch_at ASC NULLS FIRST, p.next_follow_up, p.id
         LIMIT $5"
    );
    sqlx::query_as(&sql)
        .bind(tenant.uuid())
        .bind(campaign_id)
        .bind(due_by)
        .bind(owner_id)
        .bind(limit)
        .fetch_all(db)
        .await
}

/// What the follow-up queue shows beside a prospect: the person to call (a contact with
/// a phone first, then the first added) and the latest outcome logged.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct QueueDetail {
    pub prospect_id: Uuid,
    pub contact_name: Option<String>,
    pub contact_role: Option<String>,
    pub contact_phone: Option<String>,
    pub last_kind: Option<ActivityKind>,
    pub last_outcome: Option<String>,
    pub last_at: Option<OffsetDateTime>,
}

pub async fn queue_details(
    db: &PgPool,
    tenant: TenantId,
    prospect_ids: &[Uuid],
) -> sqlx::Result<Vec<QueueDetail>> {
    sqlx::query_as(
        "SELECT p.id AS prospect_id, c.name AS contact_name, c.role AS contact_role, c.phone AS contact_phone,
                a.kind AS last_kind, a.outcome AS last_outcome, a.at AS last_at
         FROM prospects p
         LEFT JOIN LATERAL (SELECT name, role, phone FROM people
                             WHERE organization_id = p.organization_id
                             ORDER BY (phone <> '') DESC, created_at, id LIMIT 1) c ON true
         LEFT JOIN LATERAL (SELECT kind, outcome, at FROM outreach_activities
                             WHERE prospect_id = p.id AND outcome <> '' AND kind <> 'status'
                             ORDER BY at DESC, id DESC LIMIT 1) a ON true
         WHERE p.tenant_id = $1 AND p.id = ANY ($2)",
    )
    .bind(tenant.uuid())
    .bind(prospect_ids)
    .fetch_all(db)
    .await
}
