//! What a signer's download and erasure (`crate::erasure`) ask of the group: its name,
//! and whether the address being erased is also a member's (their mail as an organizer,
//! and their own name, then stay). Nothing of the group's tables is erased.
//!
//! Read-only: `users` (a member's address is their account's).

use sqlx::PgConnection;

use crate::tenancy::TenantScope;

/// Whether one of the group's members has this address (compared whole, case folded).
pub async fn is_member_address(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    email: &str,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
                        WHERE m.tenant_id = $1 AND u.email = $2::citext)",
    )
    .bind(tenant.uuid())
    .bind(email)
    .fetch_one(conn)
    .await
}

/// The group's name, as the signer's download says who holds their data.
pub async fn group_name(conn: &mut PgConnection, tenant: impl TenantScope) -> sqlx::Result<String> {
    sqlx::query_scalar("SELECT name FROM tenants WHERE id = $1")
        .bind(tenant.uuid())
        .fetch_one(conn)
        .await
}
