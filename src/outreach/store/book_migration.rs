//! The report of the move into the address book (migration 20261207000070): the counts
//! before and after, and each merge, with names read live (a person erased since takes
//! their lines with them). Read-only: `campaigns` (titles).

use super::*;

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct MigrationCounts {
    pub prospects_before: i64,
    pub prospects_after: i64,
    pub contacts_before: i64,
    pub people_after: i64,
    pub contacts_merged: i64,
    pub activities_before: i64,
    pub activities_after: i64,
    pub organizations_created: i64,
    pub prospects_merged: i64,
    pub at: OffsetDateTime,
    /// How many campaigns had prospects when the book was made.
    pub campaigns: i64,
}

pub async fn migration_counts(
    db: &PgPool,
    tenant: TenantId,
) -> sqlx::Result<Option<MigrationCounts>> {
    sqlx::query_as(
        "SELECT m.prospects_before::bigint AS prospects_before, m.prospects_after::bigint AS prospects_after, m.contacts_before::bigint AS contacts_before, m.people_after::bigint AS people_after, m.contacts_merged::bigint AS contacts_merged,
                m.activities_before::bigint AS activities_before, m.activities_after::bigint AS activities_after, m.organizations_created::bigint AS organizations_created, m.prospects_merged::bigint AS prospects_merged, m.at,
                (SELECT count(DISTINCT p.campaign_id) FROM prospects p
                  WHERE p.tenant_id = $1 AND p.created_at <= m.at) AS campaigns
           FROM book_migration_counts m WHERE m.tenant_id = $1",
    )
    .bind(tenant.uuid())
    .fetch_optional(db)
    .await
}

/// One merge the move made: a prospect that joined an organization made from another
/// campaign's, or a contact that joined a person.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct MigrationMerge {
    pub kind: String,
    pub matched_by: String,
    pub campaign_title: Option<String>,
    pub organization_id: Option<Uuid>,
    pub organization_name: Option<String>,
    pub person_name: Option<String>,
    /// The other campaigns the organization is in (for an organization merge).
    pub other_campaigns: Vec<String>,
}

pub async fn migration_merges(db: &PgPool, tenant: TenantId) -> sqlx::Result<Vec<MigrationMerge>> {
    sqlx::query_as(
        "SELECT g.kind, g.matched_by, c.title AS campaign_title, g.organization_id, o.name AS organization_name,
                pe.name AS person_name,
                coalesce(ARRAY(SELECT oc.title FROM prospects op JOIN campaigns oc ON oc.id = op.campaign_id
                                WHERE op.organization_id = g.organization_id AND op.campaign_id IS DISTINCT FROM g.campaign_id
                                ORDER BY oc.created_at, oc.id), '{}') AS other_campaigns
           FROM book_migration_merges g
           LEFT JOIN campaigns c ON c.id = g.campaign_id
           LEFT JOIN organizations o ON o.id = g.organization_id
           LEFT JOIN people pe ON pe.id = g.person_id
          WHERE g.tenant_id = $1
          ORDER BY g.kind, o.sort_key COLLATE signer_order NULLS LAST, g.id LIMIT 2000",
    )
    .bind(tenant.uuid())
    .fetch_all(db)
    .await
}
