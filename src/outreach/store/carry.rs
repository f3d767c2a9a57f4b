//! Starting a campaign from another one's signers: the confirmed organizations of the
//! other campaign, found in the group's address book (or added to it, with the person
//! who signed), become prospects to ask here, in one statement. Read-only exception:
//! `campaigns` (titles for the picker) and `signatures` (the confirmed organizations of
//! the other campaign) are read, never written.

use super::*;

/// The group's other campaigns (slug, title), newest first: names only, since counting
/// each campaign's signers would read every signature of the group.
pub async fn other_campaigns(
    db: &PgPool,
    tenant: TenantId,
    except: Uuid,
) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT slug, title FROM campaigns WHERE tenant_id = $1 AND id <> $2 ORDER BY created_at DESC LIMIT 50",
    )
    .bind(tenant.uuid())
    .bind(except)
    .fetch_all(db)
    .await
}

/// Every confirmed organization that signed `source` (the host aside) becomes a prospect
/// of `target`, not contacted, with a line in its log: the book's organization with a
/// person at the signer's address, else the one with its folded name, else a new one
/// added to the book with the signer as its person. Those `target` already has stay as
/// they are. Returns how many were added. Nobody is made a signer.
pub async fn carry_signers(
    conn: &mut PgConnection,
    member: &Member,
    source: Uuid,
    target: Uuid,
    note: &str,
    now: OffsetDateTime,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "WITH signers AS (
             SELECT s.id, s.name, s.name_key, s.sort_key, s.website, s.size, s.contact_name, s.contact_title,
                    s.email, s.phone,
                    coalesce((SELECT pe.organization_id FROM people pe
                               WHERE pe.tenant_id = $1 AND pe.email = s.email
                               ORDER BY pe.created_at, pe.id LIMIT 1),
                             (SELECT o.id FROM organizations o WHERE o.tenant_id = $1 AND o.name_key = s.name_key
                               ORDER BY o.created_at, o.id LIMIT 1)) AS known
               FROM signatures s
              WHERE s.tenant_id = $1 AND s.campaign_id = $2 AND s.state = 'confirmed'
                AND s.kind = 'organization' AND s.source <> 'host'
              LIMIT 5000),
         missing AS (
             SELECT DISTINCT ON (name_key) *, gen_random_uuid() AS new_id FROM signers WHERE known IS NULL
              ORDER BY name_key, id),
         new_organizations AS (
             INSERT INTO organizations (id, tenant_id, name, name_key, sort_key, website, domain, size, created_at)
             SELECT new_id, $1, name, name_key, sort_key, website,
                    lower(coalesce(substring(website FROM '^[a-zA-Z]+://(?:www\\.)?([^/:?#]+)'), '')), size, $4
               FROM missing
             RETURNING id),
         new_people AS (
             INSERT INTO people (id, tenant_id, organization_id, name, role, email, phone, created_at)
             SELECT gen_random_uuid(), $1, new_id, contact_name, contact_title, email, phone, $4
               FROM missing WHERE contact_name <> ''
             RETURNING id),
         chosen AS (
             SELECT DISTINCT coalesce(sg.known, m.new_id) AS organization_id
               FROM signers sg LEFT JOIN missing m ON m.name_key = sg.name_key AND sg.known IS NULL),
         added AS (
             INSERT INTO prospects (id, tenant_id, campaign_id, organization_id, created_at)
             SELECT gen_random_uuid(), $1, $3, organization_id, $4 FROM chosen
             ON CONFLICT (campaign_id, organization_id) DO NOTHING
             RETURNING id, organization_id),
         logged AS (
             INSERT INTO outreach_activities (tenant_id, campaign_id, prospect_id, organization_id, kind, body,
                                              author_id, author_name, at)
             SELECT $1, $3, added.id, added.organization_id, 'note', $5, $6, $7, $4 FROM added
             RETURNING 1)
         SELECT (SELECT count(*) FROM logged) + 0 * ((SELECT count(*) FROM new_organizations) + (SELECT count(*) FROM new_people))",
    )
    .bind(member.tenant_id.uuid())
    .bind(source)
    .bind(target)
    .bind(now)
    .bind(note)
    .bind(member.user.user_id)
    .bind(&member.user.name)
    .fetch_one(conn)
    .await
}
