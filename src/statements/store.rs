//! SQL for statements. The public side inserts and reads the approved ones with a
//! `PublicTenantId`; organizers list and decide with a `TenantId`.

use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};
use time::OffsetDateTime;
use uuid::Uuid;

use super::StatementState;
use crate::tenancy::{PublicTenantId, TenantId};

/// A statement as the public form sends it, checked.
pub struct NewStatement {
    pub organization: String,
    pub contact_name: String,
    pub email: String,
    pub body: String,
    pub link: String,
}

/// A statement as organizers see it.
pub struct Statement {
    pub id: Uuid,
    pub organization: String,
    pub contact_name: String,
    pub email: String,
    pub body: String,
    pub link: String,
    pub state: StatementState,
    pub decided_by: String,
    pub decided_at: Option<OffsetDateTime>,
    pub reason: String,
    pub created_at: OffsetDateTime,
}

impl Statement {
    pub fn paragraphs(&self) -> Vec<&str> {
        super::paragraphs(&self.body)
    }
}

/// An approved statement as the public page shows it.
pub struct PublicStatement {
    pub organization: String,
    pub body: String,
    pub link: String,
}

impl PublicStatement {
    /// The text in paragraphs (split at blank lines), to show as plain text.
    pub fn paragraphs(&self) -> Vec<&str> {
        super::paragraphs(&self.body)
    }

    /// The link, only if it is http(s) (the form and a CHECK already make sure).
    pub fn safe_link(&self) -> Option<&str> {
        super::is_web_link(&self.link).then_some(self.link.as_str())
    }
}

pub async fn insert(
    conn: &mut sqlx::PgConnection,
    tenant: PublicTenantId,
    campaign_id: Uuid,
    new: &NewStatement,
    now: OffsetDateTime,
) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO statements (id, tenant_id, campaign_id, organization, contact_name, email, body, link, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(crate::tenancy::TenantScope::uuid(tenant))
    .bind(campaign_id)
    .bind(&new.organization)
    .bind(&new.contact_name)
    .bind(&new.email)
    .bind(&new.body)
    .bind(&new.link)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(id)
}

/// The approved statements of a campaign, by organization (`signer_order`), off the
/// partial index.
pub async fn approved(
    db: &PgPool,
    tenant: PublicTenantId,
    campaign_id: Uuid,
) -> sqlx::Result<Vec<PublicStatement>> {
    let rows = sqlx::query(
        "SELECT organization, body, link FROM statements
         WHERE campaign_id = $2 AND state = 'approved' AND tenant_id = $1
         ORDER BY organization COLLATE signer_order, id",
    )
    .bind(crate::tenancy::TenantScope::uuid(tenant))
    .bind(campaign_id)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PublicStatement {
                organization: r.try_get("organization")?,
                body: r.try_get("body")?,
                link: r.try_get("link")?,
            })
        })
        .collect()
}

const COLUMNS: &str = "id, organization, contact_name, email::text AS email, body, link, state, \
                       decided_by, decided_at, reason, created_at";

fn statement(r: &PgRow) -> sqlx::Result<Statement> {
    Ok(Statement {
        id: r.try_get("id")?,
        organization: r.try_get("organization")?,
        contact_name: r.try_get("contact_name")?,
        email: r.try_get("email")?,
        body: r.try_get("body")?,
        link: r.try_get("link")?,
        state: r.try_get("state")?,
        decided_by: r.try_get("decided_by")?,
        decided_at: r.try_get("decided_at")?,
        reason: r.try_get("reason")?,
        created_at: r.try_get("created_at")?,
    })
}

/// Every statement of a campaign, newest first.
pub async fn all(db: &PgPool, tenant: TenantId, campaign_id: Uuid) -> sqlx::Result<Vec<Statement>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM statements WHERE tenant_id = $1 AND campaign_id = $2
         ORDER BY created_at DESC, id"
    ))
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_all(db)
    .await?;
    rows.iter().map(statement).collect()
}

pub async fn by_id(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<Statement>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM statements WHERE tenant_id = $1 AND campaign_id = $2 AND id = $3"
    ))
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(id)
    .fetch_optional(db)
    .await?;
    row.as_ref().map(statement).transpose()
}

/// Who decided, and why.
pub struct Decision<'a> {
    pub to: StatementState,
    pub by: &'a str,
    pub user_id: Uuid,
    pub reason: &'a str,
    pub at: OffsetDateTime,
}

/// Moves the statement to `decision.to` if it is in one of `from` now; false (nothing
/// changed) otherwise, so two organizers deciding at once cannot skip a state.
pub async fn decide(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    id: Uuid,
    from: &[StatementState],
    decision: &Decision<'_>,
) -> sqlx::Result<bool> {
    let from: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
    let changed = sqlx::query(
        "UPDATE statements SET state = $4, decided_by = $5, decided_by_user_id = $6, reason = $7, decided_at = $8
         WHERE tenant_id = $1 AND campaign_id = $2 AND id = $3 AND state = ANY($9)",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(id)
    .bind(decision.to)
    .bind(decision.by)
    .bind(decision.user_id)
    .bind(decision.reason)
    .bind(decision.at)
    .bind(&from)
    .execute(db)
    .await?;
    Ok(changed.rows_affected() == 1)
}
