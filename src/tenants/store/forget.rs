//! What a signer's download and erasure (`crate::erasure`) ask of the group: its name,
//! and whether the address being erased is also a member's (their mail as an organizer,
//! and their own name, then stay). Nothing of the group's tables is erased.
//!
//! Read-only: `users` (a member's address is their account's).

use sqlx::PgConnection;

use crate::tenancy::TenantScope;

/// The group's name, as the signer's download says who holds their data.
pub async fn group_name(conn: &mut PgConnection, tenant: impl TenantScope) -> sqlx::Result<String> {
    sqlx::query_scalar("SELECT name FROM tenants WHERE id = $1")
        .bind(tenant.uuid())
        .fetch_one(conn)
        .await
}
