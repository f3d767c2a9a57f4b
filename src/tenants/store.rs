//! SQL for members and invitations, and sign-up requests (`store/signup.rs`). The tenants
//! area owns `invitations` and `signup_requests`; groups and memberships are tenancy's
//! (`crate::tenancy::store` writes them), read here for the members page. Everything
//! tenant-owned is read and written through a `TenantId`; an invitation found by its
//! emailed token names its group itself.

pub mod forget;

mod signup;

pub use signup::*;

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::tenancy::{self, Role, TenantId, TenantScope};

#[derive(sqlx::FromRow)]
pub struct MemberRow {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub joined: OffsetDateTime,
}

const MEMBER_COLUMNS: &str =
    "u.id AS user_id, u.name, u.email::text AS email, m.role, m.created_at AS joined";

pub async fn members(db: &PgPool, tenant: TenantId) -> sqlx::Result<Vec<MemberRow>> {
    sqlx::query_as(&format!(
        "SELECT {MEMBER_COLUMNS} FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.tenant_id = $1 ORDER BY lower(u.name), u.email"
    ))
    .bind(tenant.uuid())
    .fetch_all(db)
    .await
}

/// The group's owners and organizers, who decide, as `(user id, address)`: the people
/// told when something waits for a decision.
pub async fn deciders(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT u.id, u.email::text FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.tenant_id = $1 AND m.role IN ('owner', 'organizer') ORDER BY u.id",
    )
    .bind(tenant.uuid())
    .fetch_all(conn)
    .await
}

pub async fn member(
    db: &PgPool,
    tenant: TenantId,
    user_id: Uuid,
) -> sqlx::Result<Option<MemberRow>> {
    sqlx::query_as(&format!(
        "SELECT {MEMBER_COLUMNS} FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.tenant_id = $1 AND m.user_id = $2"
    ))
    .bind(tenant.uuid())
    .bind(user_id)
    .fetch_optional(db)
    .await
}

pub async fn is_member_email(
    db: impl sqlx::PgExecutor<'_>,
    tenant: impl crate::tenancy::TenantScope,
    email: &str,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
                        WHERE m.tenant_id = $1 AND u.email = $2::citext)",
    )
    .bind(tenant.uuid())
    .bind(email)
    .fetch_one(db)
    .await
}

#[derive(sqlx::FromRow)]
pub struct InvitationRow {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub invited_by: Option<String>,
    pub expires_at: OffsetDateTime,
}

pub async fn pending_invitations(
    db: &PgPool,
    tenant: TenantId,
    now: OffsetDateTime,
) -> sqlx::Result<Vec<InvitationRow>> {
    sqlx::query_as(
        "SELECT i.id, i.email::text AS email, i.role, u.name AS invited_by, i.expires_at
         FROM invitations i LEFT JOIN users u ON u.id = i.invited_by
         WHERE i.tenant_id = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $2
         ORDER BY i.created_at DESC",
    )
    .bind(tenant.uuid())
    .bind(now)
    .fetch_all(db)
    .await
}

pub struct NewInvitation<'a> {
    pub email: &'a str,
    pub role: Role,
    pub invited_by: Uuid,
    pub token_hash: &'a [u8],
    pub now: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// A group may send this many invitation emails an hour.
pub const INVITATIONS_PER_HOUR: i64 = 20;
/// An invitation is emailed again at most this often.
pub const RESEND_GAP: time::Duration = time::Duration::hours(1);

pub enum Invited {
    /// Sent (new, or the live one sent again with a fresh link): email it.
    Send { id: Uuid, sequence: i64 },
    /// The live invitation was sent less than an hour ago: its role is updated, no email.
    RecentlySent,
    /// The group sent `INVITATIONS_PER_HOUR` in the last hour.
    HourlyLimit,
}

/// Invites `email`: creates the one live invitation for it, or updates the live one (the
/// newest role wins) and sends it again with a fresh link once its last email is an hour
/// old. The group row is locked, so concurrent owners are counted one after the other;
/// the partial unique index `invitations_one_live` backs this up.
pub async fn invite(
    conn: &mut PgConnection,
    tenant: TenantId,
    new: NewInvitation<'_>,
) -> sqlx::Result<Invited> {
    tenancy::store::lock_tenant(conn, tenant).await?;
    let live: Option<(Uuid, OffsetDateTime, OffsetDateTime)> = sqlx::query_as(
        "SELECT id, last_sent_at, expires_at FROM invitations
         WHERE tenant_id = $1 AND email = $2::citext AND accepted_at IS NULL AND revoked_at IS NULL",
    )
    .bind(tenant.uuid())
    .bind(new.email)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((id, last_sent, expires)) = live {
        if new.now - last_sent < RESEND_GAP && expires > new.now {
            sqlx::query("UPDATE invitations SET role = $2, invited_by = $3 WHERE id = $1")
                .bind(id)
                .bind(new.role)
                .bind(new.invited_by)
                .execute(&mut *conn)
                .await?;
            return Ok(Invited::RecentlySent);
        }
    }
    let sent_last_hour: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM invitations WHERE tenant_id = $1 AND last_sent_at > $2",
    )
    .bind(tenant.uuid())
    .bind(new.now - RESEND_GAP)
    .fetch_one(&mut *conn)
    .await?;
    if sent_last_hour >= INVITATIONS_PER_HOUR {
        return Ok(Invited::HourlyLimit);
    }
    let id = match live {
        Some((id, _, _)) => {
            sqlx::query(
                "UPDATE invitations SET role = $2, invited_by = $3, token_hash = $4, expires_at = $5, last_sent_at = $6
                 WHERE id = $1",
            )
            .bind(id)
            .bind(new.role)
            .bind(new.invited_by)
            .bind(new.token_hash)
            .bind(new.expires_at)
            .bind(new.now)
            .execute(&mut *conn)
            .await?;
            id
        }
        None => {
            let id = Uuid::new_v4();
            sqlx::query(
                "INSERT INTO invitations (id, tenant_id, email, role, token_hash, invited_by, created_at, expires_at, last_sent_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7)",
            )
            .bind(id)
            .bind(tenant.uuid())
            .bind(new.email)
            .bind(new.role)
            .bind(new.token_hash)
            .bind(new.invited_by)
            .bind(new.now)
            .bind(new.expires_at)
            .execute(&mut *conn)
            .await?;
            id
        }
    };
    Ok(Invited::Send {
        id,
        sequence: new.now.unix_timestamp(),
    })
}

pub async fn revoke_invitation(
    db: &PgPool,
    tenant: TenantId,
    id: Uuid,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE invitations SET revoked_at = $3
         WHERE tenant_id = $1 AND id = $2 AND accepted_at IS NULL AND revoked_at IS NULL",
    )
    .bind(tenant.uuid())
    .bind(id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An invitation as its emailed link finds it, before we know who is accepting.
#[derive(sqlx::FromRow)]
pub struct InvitationByToken {
    pub id: Uuid,
    tenant_uuid: Uuid,
    pub tenant_slug: String,
    pub tenant_name: String,
    pub email: String,
    pub role: Role,
    pub usable: bool,
}

pub async fn invitation_by_token(
    db: &PgPool,
    token_hash: &[u8],
    now: OffsetDateTime,
) -> sqlx::Result<Option<InvitationByToken>> {
    sqlx::query_as(
        "SELECT i.id, i.tenant_id AS tenant_uuid, t.slug AS tenant_slug, t.name AS tenant_name,
                i.email::text AS email, i.role,
                (i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $2) AS usable
         FROM invitations i JOIN tenants t ON t.id = i.tenant_id WHERE i.token_hash = $1",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(db)
    .await
}

/// Uses the invitation up (once) and makes `user_id` a member; false when it was already
/// used, withdrawn or expired.
pub async fn accept_invitation(
    conn: &mut PgConnection,
    invitation: &InvitationByToken,
    user_id: Uuid,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let taken = sqlx::query(
        "UPDATE invitations SET accepted_at = $2, accepted_by = $3
         WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2",
    )
    .bind(invitation.id)
    .bind(now)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    if taken.rows_affected() == 0 {
        return Ok(false);
    }
    // Someone already in the group keeps the role they have: roles change only on the
    // members page, by an owner.
    tenancy::store::add_member(conn, invitation.tenant_uuid, user_id, invitation.role).await?;
    Ok(true)
}

pub async fn count_members(db: &PgPool, tenant: TenantId) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM memberships WHERE tenant_id = $1")
        .bind(tenant.uuid())
        .fetch_one(db)
        .await
}
