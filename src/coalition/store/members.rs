//! `list_members`: who joined the list, how, what mail they take and what their posts
//! meet. A member row is made only by `join`, which every own-click path calls.

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::coalition::model::{AuthorModeration, Delivery, JoinedHow, ListMemberId, MemberAction};
use crate::tenancy::TenantScope;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ListMember {
    pub id: ListMemberId,
    pub tenant_id: Uuid,
    pub person_id: Uuid,
    pub email: String,
    pub name: String,
    pub organization: String,
    pub joined_at: OffsetDateTime,
    pub joined_how: JoinedHow,
    pub joined_campaign_id: Option<Uuid>,
    pub delivery: Delivery,
    pub moderation: MemberAction,
    pub muted_at: Option<OffsetDateTime>,
    pub mute_note: String,
    pub bouncing_since: Option<OffsetDateTime>,
    pub bounce_reason: String,
    pub post_key: String,
    pub last_digest_at: Option<OffsetDateTime>,
}

impl ListMember {
    pub fn author_moderation(&self) -> AuthorModeration {
        AuthorModeration {
            action: self.moderation,
            muted: self.muted_at.is_some(),
        }
    }
}

pub(crate) const MEMBER_COLUMNS: &str = "id, tenant_id, person_id, email::text AS email, name,
    organization, joined_at, joined_how, joined_campaign_id, delivery, moderation, muted_at,
    mute_note, bouncing_since, bounce_reason, post_key, last_digest_at";

pub async fn member(
    db: &PgPool,
    tenant: impl TenantScope,
    id: ListMemberId,
) -> sqlx::Result<Option<ListMember>> {
    sqlx::query_as(&format!(
        "SELECT {MEMBER_COLUMNS} FROM list_members WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(tenant.uuid())
    .bind(id)
    .fetch_optional(db)
    .await
}

/// The member, locked for a post's moderation decision (a mute or "approve and clear"
/// at the same moment waits, and the post meets the action as it then stands).
pub async fn member_for_update(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    id: ListMemberId,
) -> sqlx::Result<Option<ListMember>> {
    sqlx::query_as(&format!(
        "SELECT {MEMBER_COLUMNS} FROM list_members WHERE tenant_id = $1 AND id = $2 FOR UPDATE"
    ))
    .bind(tenant.uuid())
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn member_by_email(
    db: &PgPool,
    tenant: impl TenantScope,
    email: &str,
) -> sqlx::Result<Option<ListMember>> {
    sqlx::query_as(&format!(
        "SELECT {MEMBER_COLUMNS} FROM list_members WHERE tenant_id = $1 AND email = $2::citext"
    ))
    .bind(tenant.uuid())
    .bind(email)
    .fetch_optional(db)
    .await
}

/// A member found by the key of their own posting address (`list+<key>@…`), in any group:
/// the key says which group.
pub async fn member_by_post_key(db: &PgPool, key: &str) -> sqlx::Result<Option<ListMember>> {
    sqlx::query_as(&format!(
        "SELECT {MEMBER_COLUMNS} FROM list_members WHERE post_key = $1"
    ))
    .bind(key)
    .fetch_optional(db)
    .await
}

/// Who joins, as the own-click path that calls `join` found them.
pub struct Joining<'a> {
    pub person_id: Uuid,
    pub email: &'a str,
    pub name: &'a str,
    pub organization: &'a str,
    pub how: JoinedHow,
    pub campaign_id: Option<Uuid>,
}

pub enum Joined {
    New(ListMemberId),
    /// Already a member: nothing changed.
    Already(ListMemberId),
}

impl Joined {
    pub fn id(&self) -> ListMemberId {
        match self {
            Joined::New(id) | Joined::Already(id) => *id,
        }
    }
}

/// Makes the person a member. Only a member's own click calls this (the confirmation
/// box, a join link's button, an invitation's button, a confirmed join page): an
/// organizer's action never does.
pub async fn join(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    joining: &Joining<'_>,
    now: OffsetDateTime,
) -> sqlx::Result<Joined> {
    let id = ListMemberId(Uuid::new_v4());
    let inserted: Option<ListMemberId> = sqlx::query_scalar(
        "INSERT INTO list_members (id, tenant_id, person_id, email, name, organization, joined_at,
             joined_how, joined_campaign_id, post_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, replace(gen_random_uuid()::text, '-', ''))
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(id)
    .bind(tenant.uuid())
    .bind(joining.person_id)
    .bind(joining.email)
    .bind(joining.name)
    .bind(joining.organization)
    .bind(now)
    .bind(joining.how)
    .bind(joining.campaign_id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = inserted {
        return Ok(Joined::New(id));
    }
    let existing: ListMemberId = sqlx::query_scalar(
        "SELECT id FROM list_members WHERE tenant_id = $1 AND (person_id = $2 OR email = $3::citext)
         LIMIT 1",
    )
    .bind(tenant.uuid())
    .bind(joining.person_id)
    .bind(joining.email)
    .fetch_one(conn)
    .await?;
    Ok(Joined::Already(existing))
}
