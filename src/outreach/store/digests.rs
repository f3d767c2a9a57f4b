//! Each organizer's daily digest: who gets one and when (`outreach_digests`), what it
//! lists, and the ids of what each line names (`outreach_digest_lines`), by which an
//! erasure finds the line. Read-only exception: `tenants`, `campaigns`, `memberships`
//! and `users` are read to find the organizers of groups with open campaigns and their
//! time zone, `signatures` for the new signers a digest names.

use super::*;

/// An organizer of a group with open campaigns, and the group's zone for the digest.
#[derive(sqlx::FromRow)]
pub struct DigestMember {
    pub tenant_id: Uuid,
    pub tenant_slug: String,
    pub group_name: String,
    pub user_id: Uuid,
    pub email: String,
    pub time_zone: String,
    pub last_day: Option<Date>,
}

/// Every owner and organizer of a group with open campaigns, with the group's time zone
/// (that of most of its open campaigns) and the last day they got a digest.
pub async fn digest_members(db: &PgPool) -> sqlx::Result<Vec<DigestMember>> {
    sqlx::query_as(
        "SELECT t.id AS tenant_id, t.slug AS tenant_slug, t.name AS group_name, u.id AS user_id,
                u.email::text AS email, z.time_zone,
                (SELECT max(d.day) FROM outreach_digests d WHERE d.tenant_id = t.id AND d.user_id = u.id) AS last_day
         FROM tenants t
         JOIN LATERAL (SELECT c.time_zone FROM campaigns c
                        WHERE c.tenant_id = t.id AND c.status IN ('open', 'published')
                        GROUP BY c.time_zone ORDER BY count(*) DESC, min(c.created_at) LIMIT 1) z ON true
         JOIN memberships m ON m.tenant_id = t.id AND m.role IN ('owner', 'organizer')
         JOIN users u ON u.id = m.user_id",
    )
    .fetch_all(db)
    .await
}

/// Claims an organizer's digest of `day`; true for the one instance that sends it.
pub async fn claim_digest(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    user_id: Uuid,
    day: Date,
) -> sqlx::Result<bool> {
    let claimed = sqlx::query(
        "INSERT INTO outreach_digests (tenant_id, user_id, day) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(tenant_id)
    .bind(user_id)
    .bind(day)
    .execute(conn)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

/// What a digest's lines are about, in the order of its lists: an erasure finds the
/// line that named a person by these ids, never by searching the digest's text.
pub struct DigestListed {
    pub follow_ups: Vec<Uuid>,
    pub new_signers: Vec<Uuid>,
    pub failed_mail: Vec<i64>,
}

pub async fn record_digest_lines(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    user_id: Uuid,
    day: Date,
    listed: &DigestListed,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO outreach_digest_lines (tenant_id, user_id, day, list, position, signature_id, prospect_id, outbox_id)
         SELECT $1, $2, $3, 'follow_ups', n.position - 1, NULL::uuid, n.id, NULL::bigint FROM unnest($4::uuid[]) WITH ORDINALITY AS n(id, position)
         UNION ALL
         SELECT $1, $2, $3, 'new_signers', n.position - 1, n.id, NULL::uuid, NULL::bigint FROM unnest($5::uuid[]) WITH ORDINALITY AS n(id, position)
         UNION ALL
         SELECT $1, $2, $3, 'failed_mail', n.position - 1, NULL::uuid, NULL::uuid, n.id FROM unnest($6::bigint[]) WITH ORDINALITY AS n(id, position)",
    )
    .bind(tenant_id)
    .bind(user_id)
    .bind(day)
    .bind(&listed.follow_ups)
    .bind(&listed.new_signers)
    .bind(&listed.failed_mail)
    .execute(conn)
    .await?;
    Ok(())
}

/// A follow-up due, as a digest lists it.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct DigestFollowUp {
    pub id: Uuid,
    pub name: String,
    pub title: String,
    pub due: Date,
    pub slug: String,
}

/// An organizer's follow-ups due by `day` in the group's open campaigns. Held prospects
/// come up too when an organizer set their follow-up (a reminder to reconsider the
/// hold), as in the follow-up queue.
pub async fn digest_follow_ups(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    user_id: Uuid,
    day: Date,
) -> sqlx::Result<Vec<DigestFollowUp>> {
    sqlx::query_as(
        "SELECT p.id, o.name, c.title, p.next_follow_up AS due, c.slug FROM prospects p JOIN campaigns c ON c.id = p.campaign_id
         JOIN organizations o ON o.id = p.organization_id
         WHERE p.tenant_id = $1 AND p.owner_id = $2 AND p.next_follow_up <= $3 AND c.status IN ('open', 'published')
           AND p.signed_signature_id IS NULL AND p.status NOT IN ('declined', 'own_statement')
         ORDER BY p.next_follow_up, o.sort_key LIMIT 50",
    )
    .bind(tenant_id)
    .bind(user_id)
    .bind(day)
    .fetch_all(conn)
    .await
}

/// A signer who confirmed in the last day, as a digest names them.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct DigestSigner {
    pub id: Uuid,
    pub name: String,
    pub title: String,
    pub comment: String,
    pub slug: String,
}

/// The group's signers confirmed in the day before `now`. The host organization is the
/// group itself, signed by its own organizers: never news.
pub async fn digest_new_signers(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    now: OffsetDateTime,
) -> sqlx::Result<Vec<DigestSigner>> {
    sqlx::query_as(
        "SELECT s.id, s.name, c.title, s.comment, c.slug FROM signatures s JOIN campaigns c ON c.id = s.campaign_id
         WHERE s.tenant_id = $1 AND s.state = 'confirmed' AND s.source <> 'host'
           AND s.confirmed_at > $2 - interval '1 day'
         ORDER BY s.confirmed_at LIMIT 50",
    )
    .bind(tenant_id)
    .bind(now)
    .fetch_all(conn)
    .await
}
