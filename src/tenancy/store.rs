//! SQL for groups (`tenants`) and memberships, the tables tenancy owns: the membership
//! check reads them on every organizer request, creating a group writes them, and the
//! members page changes roles through here. Rows carry plain ids: only `crate::tenancy`
//! turns one into a `TenantId` (see its module doc); functions that act for a group take
//! the `TenantId` its caller holds.
//!
//! Triggers on these tables: `tenants_updated_at` keeps `updated_at` (an invariant of the
//! row itself).

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Role, TenantId};

/// One group a person belongs to, with their role there, as the database holds it.
#[derive(sqlx::FromRow)]
pub struct MembershipRow {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub role: Role,
}

pub async fn memberships_of(db: &PgPool, user_id: Uuid) -> sqlx::Result<Vec<MembershipRow>> {
    sqlx::query_as(
        "SELECT t.id, t.slug, t.name, m.role FROM memberships m JOIN tenants t ON t.id = m.tenant_id
         WHERE m.user_id = $1 ORDER BY lower(t.name), t.slug",
    )
    .bind(user_id)
    .fetch_all(db)
    .await
}

/// Inserts a group; false when its slug is taken.
pub async fn insert_tenant(
    conn: &mut PgConnection,
    id: Uuid,
    slug: &str,
    name: &str,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let inserted = sqlx::query(
        "INSERT INTO tenants (id, slug, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
         ON CONFLICT (slug) DO NOTHING",
    )
    .bind(id)
    .bind(slug)
    .bind(name)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

pub async fn slug_taken(db: &PgPool, slug: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM tenants WHERE slug = $1)")
        .bind(slug)
        .fetch_one(db)
        .await
}

/// Locks the group's row until the transaction ends: what a group does one at a time
/// (sending its invitations, counted against an hourly limit) waits here.
pub async fn lock_tenant(conn: &mut PgConnection, tenant: TenantId) -> sqlx::Result<()> {
    sqlx::query("SELECT 1 FROM tenants WHERE id = $1 FOR NO KEY UPDATE")
        .bind(tenant.uuid())
        .execute(conn)
        .await?;
    Ok(())
}

/// Makes `user_id` a member of the group with `role`; someone already in the group keeps
/// the role they have.
pub async fn add_member(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    user_id: Uuid,
    role: Role,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO memberships (tenant_id, user_id, role) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id, user_id) DO NOTHING",
    )
    .bind(tenant_id)
    .bind(user_id)
    .bind(role)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum MembershipChangeError {
    #[error("not a member")]
    NotMember,
    #[error("last owner")]
    LastOwner,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Locks the tenant's memberships so two owners demoting each other at once cannot leave
/// the group without an owner.
async fn lock_members(
    conn: &mut PgConnection,
    tenant: TenantId,
) -> sqlx::Result<Vec<(Uuid, Role)>> {
    sqlx::query_as("SELECT user_id, role FROM memberships WHERE tenant_id = $1 FOR UPDATE")
        .bind(tenant.uuid())
        .fetch_all(conn)
        .await
}

fn would_leave_no_owner(
    members: &[(Uuid, Role)],
    user_id: Uuid,
) -> Result<bool, MembershipChangeError> {
    let (_, current) = members
        .iter()
        .find(|(id, _)| *id == user_id)
        .ok_or(MembershipChangeError::NotMember)?;
    let owners = members.iter().filter(|(_, r)| r.is_owner()).count();
    Ok(current.is_owner() && owners == 1)
}

pub async fn change_role(
    conn: &mut PgConnection,
    tenant: TenantId,
    user_id: Uuid,
    role: Role,
) -> Result<(), MembershipChangeError> {
    let members = lock_members(conn, tenant).await?;
    if !role.is_owner() && would_leave_no_owner(&members, user_id)? {
        return Err(MembershipChangeError::LastOwner);
    }
    sqlx::query("UPDATE memberships SET role = $3 WHERE tenant_id = $1 AND user_id = $2")
        .bind(tenant.uuid())
        .bind(user_id)
        .bind(role)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn remove_member(
    conn: &mut PgConnection,
    tenant: TenantId,
    user_id: Uuid,
) -> Result<(), MembershipChangeError> {
    let members = lock_members(conn, tenant).await?;
    if would_leave_no_owner(&members, user_id)? {
        return Err(MembershipChangeError::LastOwner);
    }
    sqlx::query("DELETE FROM memberships WHERE tenant_id = $1 AND user_id = $2")
        .bind(tenant.uuid())
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether the group has a coalition list open to join. Kept here, beside the group,
/// because the areas that offer joining (the signer's confirmation page, campaigns'
/// member updates) sit below the coalition area that owns the list; the coalition area
/// sets it when organizers open or close the list.
pub async fn coalition_list_open(conn: &mut PgConnection, tenant: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT coalition_list_open FROM tenants WHERE id = $1")
        .bind(tenant)
        .fetch_optional(conn)
        .await
        .map(|open| open.unwrap_or(false))
}

pub async fn set_coalition_list_open(
    conn: &mut PgConnection,
    tenant: TenantId,
    open: bool,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE tenants SET coalition_list_open = $2 WHERE id = $1")
        .bind(tenant.uuid())
        .bind(open)
        .execute(conn)
        .await?;
    Ok(())
}

/// A group found by its public slug (the list's public pages): id and name.
#[derive(sqlx::FromRow)]
pub struct PublicTenantRow {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
}

pub async fn tenant_by_slug(db: &PgPool, slug: &str) -> sqlx::Result<Option<PublicTenantRow>> {
    sqlx::query_as("SELECT id, slug, name FROM tenants WHERE slug = $1")
        .bind(slug)
        .fetch_optional(db)
        .await
}

/// A group's slug and name by its id (list mail names the group and links to its pages).
pub async fn tenant_by_id(
    conn: &mut PgConnection,
    id: Uuid,
) -> sqlx::Result<Option<PublicTenantRow>> {
    sqlx::query_as("SELECT id, slug, name FROM tenants WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}
