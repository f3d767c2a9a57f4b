//! The group's organizers, as outreach pages and emails name them. Read-only exception:
//! `memberships` and `users` belong to tenancy and auth; outreach reads who may own a
//! relationship and whom its emails come from, and never writes them.

use super::*;

/// Members who may own relationships (owners and organizers), for the owner picker.
pub async fn organizers(db: &PgPool, tenant: TenantId) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT u.id, u.name FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.tenant_id = $1 AND m.role IN ('owner', 'organizer') ORDER BY u.name, u.id",
    )
    .bind(tenant.uuid())
    .fetch_all(db)
    .await
}

/// An owner or organizer of the group with the name and address an import may use.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OrganizerRow {
    pub id: Uuid,
    pub name: String,
    pub email: String,
}

pub async fn organizers_with_email(
    db: &PgPool,
    tenant: TenantId,
) -> sqlx::Result<Vec<OrganizerRow>> {
    sqlx::query_as(
        "SELECT u.id, u.name, lower(u.email::text) AS email FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.tenant_id = $1 AND m.role IN ('owner', 'organizer') ORDER BY u.name, u.id",
    )
    .bind(tenant.uuid())
    .fetch_all(db)
    .await
}

/// The owners' and organizers' ids and addresses, whom the scheduler's alerts go to.
pub async fn organizer_emails(
    conn: &mut PgConnection,
    tenant_id: Uuid,
) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT u.id, u.email::text FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.tenant_id = $1 AND m.role IN ('owner', 'organizer')",
    )
    .bind(tenant_id)
    .fetch_all(conn)
    .await
}
