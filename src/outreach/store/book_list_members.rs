//! The address book's side of the coalition's list (issue 20): a person who joins the
//! list by their own click is found in the group's book (or added to it) with the book's
//! own duplicate rules, organizers pick whom to invite from the book, and members'
//! organizations can be carried into a campaign's outreach as prospects (never signers).
//! The list (`coalition`, above) holds only the person's id; it never writes `people`
//! or `organizations` itself.

use super::*;
use crate::tenancy::TenantScope;

/// The person a joining member is in the group's book: the oldest person with the
/// address; else a new person of the organization with the same folded name (the rule
/// signatures, prospects and carry-over use), or of a new organization. Someone who
/// joins as an individual (no organization) is filed under an organization of their own
/// name, as the book has no person without one.
pub async fn person_for_list_member(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    name: &str,
    email: &str,
    organization: &str,
    now: OffsetDateTime,
) -> sqlx::Result<Uuid> {
    let known: Option<Uuid> = sqlx::query_scalar(
        "SELECT id FROM people WHERE tenant_id = $1 AND email = $2::citext
          ORDER BY created_at, id LIMIT 1",
    )
    .bind(tenant.uuid())
    .bind(email)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = known {
        return Ok(id);
    }
    let organization = if organization.trim().is_empty() {
        name.trim()
    } else {
        organization.trim()
    };
    let existing: Option<Uuid> = sqlx::query_scalar(
        "SELECT id FROM organizations WHERE tenant_id = $1 AND name_key = $2
          ORDER BY created_at, id LIMIT 1",
    )
    .bind(tenant.uuid())
    .bind(names::name_key(organization))
    .fetch_optional(&mut *conn)
    .await?;
    let organization_id = match existing {
        Some(id) => id,
        None => {
            let input = ProspectInput {
                name: organization.to_owned(),
                ..ProspectInput::default()
            };
            create_organization(conn, tenant.uuid(), &input, None, None, now).await?
        }
    };
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO people (id, tenant_id, organization_id, name, email, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(tenant.uuid())
    .bind(organization_id)
    .bind(name.trim())
    .bind(email)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// A person of the book as an invitation or a member's page needs them.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct BookPersonForList {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub organization: String,
}

/// One person of the group's book with an address.
pub async fn book_person_for_list(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    person_id: Uuid,
) -> sqlx::Result<Option<BookPersonForList>> {
    Ok(book_people_for_list(conn, tenant, &[person_id])
        .await?
        .pop())
}

/// The people of `ids` in the group's book who have an address (one statement for an
/// invitation to a hundred).
pub async fn book_people_for_list(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    ids: &[Uuid],
) -> sqlx::Result<Vec<BookPersonForList>> {
    sqlx::query_as(
        "SELECT pe.id, pe.name, pe.email::text AS email, o.name AS organization
           FROM people pe JOIN organizations o ON o.id = pe.organization_id
          WHERE pe.tenant_id = $1 AND pe.id = ANY($2) AND pe.email IS NOT NULL",
    )
    .bind(tenant.uuid())
    .bind(ids)
    .fetch_all(conn)
    .await
}

/// People of the book with an address whose name, organization or address contains
/// `query` (all of them, by organization, when it is empty), for the invitation picker.
pub async fn book_people_to_invite(
    db: &PgPool,
    tenant: TenantId,
    query: &str,
    limit: i64,
) -> sqlx::Result<Vec<BookPersonForList>> {
    sqlx::query_as(
        "SELECT pe.id, pe.name, pe.email::text AS email, o.name AS organization
           FROM people pe JOIN organizations o ON o.id = pe.organization_id
          WHERE pe.tenant_id = $1 AND pe.email IS NOT NULL AND pe.bounced_at IS NULL
            AND ($2 = '' OR pe.name ILIKE '%' || $2 || '%' OR o.name ILIKE '%' || $2 || '%'
                 OR pe.email::text ILIKE '%' || $2 || '%')
          ORDER BY o.sort_key COLLATE signer_order, pe.name, pe.id LIMIT $3",
    )
    .bind(tenant.uuid())
    .bind(query.trim().replace(['%', '_', '\\'], ""))
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The organizations of `people` (list members) become prospects of `campaign_id`, not
/// contacted, with a line in each one's log; those the campaign already has stay as they
/// are. Nobody is made a signer. Returns how many were added.
pub async fn carry_people_to_campaign(
    conn: &mut PgConnection,
    member: &Member,
    people: &[Uuid],
    campaign_id: Uuid,
    note: &str,
    now: OffsetDateTime,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "WITH chosen AS (
             SELECT DISTINCT pe.organization_id FROM people pe
              WHERE pe.tenant_id = $1 AND pe.id = ANY($2)),
         added AS (
             INSERT INTO prospects (id, tenant_id, campaign_id, organization_id, created_at)
             SELECT gen_random_uuid(), $1, c.id, chosen.organization_id, $4
               FROM chosen JOIN campaigns c ON c.tenant_id = $1 AND c.id = $3
             ON CONFLICT (campaign_id, organization_id) DO NOTHING
             RETURNING id, organization_id),
         logged AS (
             INSERT INTO outreach_activities (tenant_id, campaign_id, prospect_id, organization_id, kind, body,
                                              author_id, author_name, at)
             SELECT $1, $3, added.id, added.organization_id, 'note', $5, $6, $7, $4 FROM added
             RETURNING 1)
         SELECT count(*) FROM logged",
    )
    .bind(member.tenant_id.uuid())
    .bind(people)
    .bind(campaign_id)
    .bind(now)
    .bind(note)
    .bind(member.user.user_id)
    .bind(&member.user.name)
    .fetch_one(conn)
    .await
}

/// Marks whether the person is a current member of the group's list: the book's
/// retention (`stale_people`) keeps a member, who chose to stay.
pub async fn set_on_coalition_list(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    person_id: Uuid,
    on: bool,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE people SET on_coalition_list = $3 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.uuid())
        .bind(person_id)
        .bind(on)
        .execute(conn)
        .await?;
    Ok(())
}
