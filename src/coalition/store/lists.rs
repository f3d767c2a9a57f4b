//! `coalition_lists`: the group's one list and its settings.

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

use crate::coalition::model::{ListDefault, ListModeration};
use crate::tenancy::{TenantId, TenantScope};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ListSettings {
    pub name: String,
    /// Markdown.
    pub purpose: String,
    /// Markdown.
    pub rules: String,
    pub off_topic_ok: bool,
    pub archive_public: bool,
    pub default_action: ListDefault,
    pub hold_everything: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl ListSettings {
    pub fn moderation(&self) -> ListModeration {
        ListModeration {
            default_action: self.default_action,
            hold_everything: self.hold_everything,
        }
    }
}

const COLUMNS: &str = "name, purpose, rules, off_topic_ok, archive_public, default_action,
    hold_everything, created_at, updated_at";

/// The group's list, if organizers have set one up.
pub async fn list(db: &PgPool, tenant: impl TenantScope) -> sqlx::Result<Option<ListSettings>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM coalition_lists WHERE tenant_id = $1"
    ))
    .bind(tenant.uuid())
    .fetch_optional(db)
    .await
}

/// The list, locked for the rest of the transaction: a post's moderation decision reads
/// "hold everything" under the same lock the switch takes, so no post slips past it.
pub async fn list_for_share(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
) -> sqlx::Result<Option<ListSettings>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM coalition_lists WHERE tenant_id = $1 FOR SHARE"
    ))
    .bind(tenant.uuid())
    .fetch_optional(conn)
    .await
}

/// What organizers write on the settings page.
#[derive(Clone, Debug)]
pub struct ListInput {
    pub name: String,
    pub purpose: String,
    pub rules: String,
    pub off_topic_ok: bool,
    pub archive_public: bool,
    pub default_action: ListDefault,
}

/// Creates or updates the group's list (and opens it to joining).
pub async fn save_list(
    conn: &mut PgConnection,
    tenant: TenantId,
    input: &ListInput,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO coalition_lists (tenant_id, name, purpose, rules, off_topic_ok, archive_public,
             default_action, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
         ON CONFLICT (tenant_id) DO UPDATE SET name = $2, purpose = $3, rules = $4,
             off_topic_ok = $5, archive_public = $6, default_action = $7, updated_at = $8",
    )
    .bind(tenant.uuid())
    .bind(&input.name)
    .bind(&input.purpose)
    .bind(&input.rules)
    .bind(input.off_topic_ok)
    .bind(input.archive_public)
    .bind(input.default_action)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    crate::tenancy::store::set_coalition_list_open(conn, tenant, true).await
}

/// "Hold everything" on or off; true if it changed.
pub async fn set_hold_everything(
    conn: &mut PgConnection,
    tenant: TenantId,
    on: bool,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE coalition_lists SET hold_everything = $2, updated_at = $3
         WHERE tenant_id = $1 AND hold_everything <> $2",
    )
    .bind(tenant.uuid())
    .bind(on)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn list_name(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT name FROM coalition_lists WHERE tenant_id = $1")
        .bind(tenant.uuid())
        .fetch_optional(conn)
        .await
}
