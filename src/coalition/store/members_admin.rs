//! The members part's SQL (issue 20): invitations, magic sign-in links, the member's own
//! choices (delivery, resuming after a bounce), leaving, the organizers' members pages
//! and their moderation of a member (each change logged), and erasure. Member rows are
//! still made only by `join` (`members.rs`); nothing here makes one.

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::members::{ListMember, MEMBER_COLUMNS};
use crate::coalition::model::{ListMemberId, MemberAction};
use crate::tenancy::{TenantId, TenantScope};

/// The member, read in the caller's transaction.
pub async fn member_in(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    id: ListMemberId,
) -> sqlx::Result<Option<ListMember>> {
    sqlx::query_as(&format!(
        "SELECT {MEMBER_COLUMNS} FROM list_members WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(tenant.uuid())
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// The member with this address, locked (a sign-in request counts its links under it).
pub async fn member_by_email_for_update(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    email: &str,
) -> sqlx::Result<Option<ListMember>> {
    sqlx::query_as(&format!(
        "SELECT {MEMBER_COLUMNS} FROM list_members WHERE tenant_id = $1 AND email = $2::citext
         FOR UPDATE"
    ))
    .bind(tenant.uuid())
    .bind(email)
    .fetch_optional(conn)
    .await
}

// ---- Magic sign-in links ----------------------------------------------------------

/// Sign-in links made for the member since `since` (the caller holds the member's row).
pub async fn signin_links_since(
    conn: &mut PgConnection,
    member: ListMemberId,
    since: OffsetDateTime,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM list_signin_links WHERE member_id = $1 AND created_at > $2",
    )
    .bind(member)
    .bind(since)
    .fetch_one(conn)
    .await
}

pub async fn create_signin_link(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    member: ListMemberId,
    token_hash: &[u8],
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO list_signin_links (token_hash, tenant_id, member_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(tenant.uuid())
    .bind(member)
    .bind(now)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether a sign-in link of this group is unspent and unexpired (its page shows the
/// button; the GET spends nothing).
pub async fn signin_link_usable(
    db: &PgPool,
    tenant: impl TenantScope,
    token_hash: &[u8],
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let found: Option<i32> = sqlx::query_scalar(
        "SELECT 1 FROM list_signin_links WHERE token_hash = $1 AND tenant_id = $2
            AND used_at IS NULL AND expires_at > $3",
    )
    .bind(token_hash)
    .bind(tenant.uuid())
    .bind(now)
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}

/// Spends a sign-in link of this group: the member it opens, once.
pub async fn spend_signin_link(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    token_hash: &[u8],
    now: OffsetDateTime,
) -> sqlx::Result<Option<ListMemberId>> {
    sqlx::query_scalar(
        "UPDATE list_signin_links SET used_at = $3
          WHERE token_hash = $1 AND tenant_id = $2 AND used_at IS NULL AND expires_at > $3
         RETURNING member_id",
    )
    .bind(token_hash)
    .bind(tenant.uuid())
    .bind(now)
    .fetch_optional(conn)
    .await
}

// ---- The member's own choices -------------------------------------------------------

/// The member acted (resumed delivery, or proved the address by a magic link): list mail
/// goes to them again.
pub async fn clear_bounce(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    member: ListMemberId,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE list_members SET bouncing_since = NULL, bounce_reason = ''
          WHERE tenant_id = $1 AND id = $2 AND bouncing_since IS NOT NULL",
    )
    .bind(tenant.uuid())
    .bind(member)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Leaving (or an organizer's removal): the row goes, and with it the member's sessions,
/// sign-in links and reply keys (cascade); their posts stay under the name they wrote
/// with. Returns the person of the book they were, if they were a member.
pub async fn leave(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    member: ListMemberId,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "DELETE FROM list_members WHERE tenant_id = $1 AND id = $2 RETURNING person_id",
    )
    .bind(tenant.uuid())
    .bind(member)
    .fetch_optional(conn)
    .await
}

// ---- Invitations --------------------------------------------------------------------

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct InvitationRow {
    pub id: Uuid,
    pub person_id: Uuid,
    pub email: String,
    pub expires_at: OffsetDateTime,
    pub accepted_at: Option<OffsetDateTime>,
}

/// Of the people picked for an invitation (id and address), those not to invite: members
/// already (by person or by address), or invited since `since`. One statement whatever
/// the number picked.
pub async fn not_to_invite(
    conn: &mut PgConnection,
    tenant: TenantId,
    people: &[Uuid],
    emails: &[String],
    since: OffsetDateTime,
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "SELECT p.id FROM unnest($2::uuid[], $3::text[]) AS p (id, email)
          WHERE EXISTS (SELECT 1 FROM list_members m WHERE m.tenant_id = $1
                          AND (m.person_id = p.id OR m.email = p.email::citext))
             OR EXISTS (SELECT 1 FROM list_invitations i WHERE i.tenant_id = $1
                          AND i.person_id = p.id AND i.invited_at > $4)",
    )
    .bind(tenant.uuid())
    .bind(people)
    .bind(emails)
    .bind(since)
    .fetch_all(conn)
    .await
}

/// Of `people`, those who are members already.
pub async fn members_among(
    db: &PgPool,
    tenant: TenantId,
    people: &[Uuid],
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "SELECT person_id FROM list_members WHERE tenant_id = $1 AND person_id = ANY($2)",
    )
    .bind(tenant.uuid())
    .bind(people)
    .fetch_all(db)
    .await
}

#[allow(clippy::too_many_arguments)]
pub async fn create_invitation(
    conn: &mut PgConnection,
    tenant: TenantId,
    person_id: Uuid,
    email: &str,
    token_hash: &[u8],
    invited_by: Uuid,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO list_invitations (id, tenant_id, person_id, email, token_hash, invited_by,
             invited_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(tenant.uuid())
    .bind(person_id)
    .bind(email)
    .bind(token_hash)
    .bind(invited_by)
    .bind(now)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(id)
}

/// The invitation a link names, in the group of the URL.
pub async fn invitation_by_token(
    db: &PgPool,
    tenant: impl TenantScope,
    token_hash: &[u8],
) -> sqlx::Result<Option<InvitationRow>> {
    sqlx::query_as(
        "SELECT id, person_id, email::text AS email, expires_at, accepted_at
           FROM list_invitations WHERE tenant_id = $1 AND token_hash = $2",
    )
    .bind(tenant.uuid())
    .bind(token_hash)
    .fetch_optional(db)
    .await
}

pub async fn accept_invitation(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    id: Uuid,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE list_invitations SET accepted_at = $3
          WHERE tenant_id = $1 AND id = $2 AND accepted_at IS NULL",
    )
    .bind(tenant.uuid())
    .bind(id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

// ---- Organizers' pages ----------------------------------------------------------------

pub async fn count_members(db: &PgPool, tenant: TenantId) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM list_members WHERE tenant_id = $1")
        .bind(tenant.uuid())
        .fetch_one(db)
        .await
}

/// One page of the members, newest first.
pub async fn members_page(
    db: &PgPool,
    tenant: TenantId,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<ListMember>> {
    sqlx::query_as(&format!(
        "SELECT {MEMBER_COLUMNS} FROM list_members WHERE tenant_id = $1
          ORDER BY joined_at DESC, id LIMIT $2 OFFSET $3"
    ))
    .bind(tenant.uuid())
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await
}

/// Every member's person of the book (for carrying them into a campaign's outreach).
pub async fn member_people(db: &PgPool, tenant: TenantId) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar("SELECT person_id FROM list_members WHERE tenant_id = $1")
        .bind(tenant.uuid())
        .fetch_all(db)
        .await
}

pub async fn set_action(
    conn: &mut PgConnection,
    tenant: TenantId,
    member: ListMemberId,
    action: MemberAction,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE list_members SET moderation = $3 WHERE tenant_id = $1 AND id = $2 AND moderation <> $3",
    )
    .bind(tenant.uuid())
    .bind(member)
    .bind(action)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Mutes (with the organizers' private note) or unmutes; true if it changed.
pub async fn set_muted(
    conn: &mut PgConnection,
    tenant: TenantId,
    member: ListMemberId,
    muted: bool,
    note: &str,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let done = if muted {
        sqlx::query(
            "UPDATE list_members SET muted_at = $3, mute_note = $4
              WHERE tenant_id = $1 AND id = $2 AND muted_at IS NULL",
        )
        .bind(tenant.uuid())
        .bind(member)
        .bind(now)
        .bind(note)
        .execute(conn)
        .await?
    } else {
        sqlx::query(
            "UPDATE list_members SET muted_at = NULL, mute_note = ''
              WHERE tenant_id = $1 AND id = $2 AND muted_at IS NOT NULL",
        )
        .bind(tenant.uuid())
        .bind(member)
        .execute(conn)
        .await?
    };
    Ok(done.rows_affected() == 1)
}

/// A line of the moderation log about a member (set_action, mute, unmute, remove).
#[allow(clippy::too_many_arguments)]
pub async fn log_member_moderation(
    conn: &mut PgConnection,
    tenant: TenantId,
    member: Option<ListMemberId>,
    action: &str,
    reason: &str,
    by_user: Uuid,
    by_name: &str,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO list_moderation_log (tenant_id, member_id, action, reason, by_user_id, by_name, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(tenant.uuid())
    .bind(member)
    .bind(action)
    .bind(reason)
    .bind(by_user)
    .bind(by_name)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct MemberLogLine {
    pub action: String,
    pub reason: String,
    pub by_name: String,
    pub at: OffsetDateTime,
}

/// The moderation log's lines about one member, newest first.
pub async fn member_log(
    db: &PgPool,
    tenant: TenantId,
    member: ListMemberId,
) -> sqlx::Result<Vec<MemberLogLine>> {
    sqlx::query_as(
        "SELECT action, reason, by_name, at FROM list_moderation_log
          WHERE tenant_id = $1 AND member_id = $2 ORDER BY at DESC, id DESC LIMIT 100",
    )
    .bind(tenant.uuid())
    .bind(member)
    .fetch_all(db)
    .await
}

// ---- Erasure ---------------------------------------------------------------------------

/// What an erasure shows as the author of a former member's posts.
pub const FORMER_MEMBER: &str = "A former member";

/// Erasure of a signer (their address in the group): their posts lose their author (the
/// name becomes "A former member"), then their membership goes (sessions, links and
/// reply keys by cascade), with the invitations to the address. Returns the person of
/// the book the member was, if any.
pub async fn forget_member(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    email: &str,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query(
        "UPDATE list_posts SET author_member_id = NULL, author_name = $3
          WHERE tenant_id = $1 AND author_member_id IN
                (SELECT id FROM list_members WHERE tenant_id = $1 AND email = $2::citext)",
    )
    .bind(tenant.uuid())
    .bind(email)
    .bind(FORMER_MEMBER)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM list_invitations WHERE tenant_id = $1 AND email = $2::citext")
        .bind(tenant.uuid())
        .bind(email)
        .execute(&mut *conn)
        .await?;
    sqlx::query_scalar(
        "DELETE FROM list_members WHERE tenant_id = $1 AND email = $2::citext RETURNING person_id",
    )
    .bind(tenant.uuid())
    .bind(email)
    .fetch_optional(conn)
    .await
}
