//! SQL for statements. The public side submits, confirms from the emailed link and reads
//! the approved ones with a `PublicTenantId`; organizers list and decide with a
//! `TenantId`. The schema refuses an approved statement its sender did not confirm
//! (`statements_approved_only_when_confirmed`, 20261206000024), except those approved
//! before confirmation existed.

pub mod forget;

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{StatementState, CONFIRMATION_GAP};
use crate::tenancy::{PublicTenantId, TenantId, TenantScope};

/// A statement as the public form sends it, checked.
pub struct NewStatement {
    pub organization: String,
    pub contact_name: String,
    pub email: String,
    pub body: String,
    pub link: String,
}

/// A statement as organizers see it.
#[derive(sqlx::FromRow)]
pub struct Statement {
    pub id: Uuid,
    pub campaign_id: Uuid,
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
    /// When its sender confirmed it from the emailed link.
    pub confirmed_at: Option<OffsetDateTime>,
    /// Until when the last emailed link works (while unconfirmed).
    pub token_expires_at: Option<OffsetDateTime>,
    pub approved_before_confirmation: bool,
}

impl Statement {
    pub fn paragraphs(&self) -> Vec<&str> {
        super::paragraphs(&self.body)
    }

    pub fn is_confirmed(&self) -> bool {
        self.confirmed_at.is_some()
    }

    /// The check signatures get: is the address at the site the statement links to?
    /// (The form asks no website; the link is the organization's own page if anything.)
    pub fn domain_matches(&self) -> bool {
        self.address_matches(&self.link)
    }

    /// Whether the address is at `website`'s domain (free mail never is).
    pub fn address_matches(&self, website: &str) -> bool {
        crate::signatures::names::domain_matches(&self.email, website)
    }
}

/// An approved statement as the public page shows it.
#[derive(sqlx::FromRow)]
pub struct PublicStatement {
    pub organization: String,
    pub body: String,
    pub link: String,
    /// False only for one approved before senders confirmed statements (kept published,
    /// marked so to readers).
    pub confirmed_by_sender: bool,
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

/// What a submission did: the statement it is, and whether a confirmation email goes
/// with the new link now.
pub struct Submitted {
    pub id: Uuid,
    pub email_now: bool,
}

/// Stores a statement unconfirmed with the link `token_hash`, or, when the same address
/// already has one unconfirmed in this campaign, replaces that one's text. A replaced
/// statement takes the new link (and an email goes) only when its last email went
/// `CONFIRMATION_GAP` ago or more; otherwise its earlier link stays and shows the new text.
pub async fn submit(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    campaign_id: Uuid,
    new: &NewStatement,
    token_hash: &[u8],
    expires_at: OffsetDateTime,
    now: OffsetDateTime,
) -> sqlx::Result<Submitted> {
    // Two rounds at most: an insert that loses to a concurrent one from the same address
    // finds that one to replace.
    for _ in 0..2 {
        let waiting: Option<(Uuid, Option<OffsetDateTime>)> = sqlx::query_as(
            "SELECT id, confirmation_sent_at FROM statements
             WHERE tenant_id = $1 AND campaign_id = $2 AND email = $3::citext
               AND confirmed_at IS NULL AND token_hash IS NOT NULL AND state = 'pending'
             FOR UPDATE",
        )
        .bind(tenant.uuid())
        .bind(campaign_id)
        .bind(&new.email)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((id, last_sent)) = waiting {
            let email_now = last_sent.is_none_or(|at| now - at >= CONFIRMATION_GAP);
            sqlx::query(
                "UPDATE statements SET organization = $3, contact_name = $4, body = $5, link = $6,
                        created_at = $7, wording = wording + 1,
                        token_hash = CASE WHEN $8 THEN $9 ELSE token_hash END,
                        token_expires_at = CASE WHEN $8 THEN $10 ELSE token_expires_at END,
                        confirmation_sent_at = CASE WHEN $8 THEN $7 ELSE confirmation_sent_at END
                 WHERE tenant_id = $1 AND id = $2",
            )
            .bind(tenant.uuid())
            .bind(id)
            .bind(&new.organization)
            .bind(&new.contact_name)
            .bind(&new.body)
            .bind(&new.link)
            .bind(now)
            .bind(email_now)
            .bind(token_hash)
            .bind(expires_at)
            .execute(&mut *conn)
            .await?;
            return Ok(Submitted { id, email_now });
        }
        let inserted: Option<Uuid> = sqlx::query_scalar(
            "INSERT INTO statements (id, tenant_id, campaign_id, organization, contact_name, email, body, link,
                                     created_at, token_hash, token_expires_at, confirmation_sent_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $9)
             ON CONFLICT (tenant_id, campaign_id, email)
                 WHERE confirmed_at IS NULL AND token_hash IS NOT NULL AND state = 'pending'
                 DO NOTHING
             RETURNING id",
        )
        .bind(Uuid::new_v4())
        .bind(tenant.uuid())
        .bind(campaign_id)
        .bind(&new.organization)
        .bind(&new.contact_name)
        .bind(&new.email)
        .bind(&new.body)
        .bind(&new.link)
        .bind(now)
        .bind(token_hash)
        .bind(expires_at)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(id) = inserted {
            return Ok(Submitted {
                id,
                email_now: true,
            });
        }
    }
    Err(sqlx::Error::RowNotFound)
}

/// A statement as its confirmation page shows it: what will be published.
#[derive(sqlx::FromRow)]
pub struct Unconfirmed {
    pub id: Uuid,
    pub organization: String,
    pub body: String,
    pub link: String,
    pub wording: i32,
    pub expires_at: OffsetDateTime,
}

impl Unconfirmed {
    pub fn paragraphs(&self) -> Vec<&str> {
        super::paragraphs(&self.body)
    }
}

/// The unconfirmed statement `id` whose live link is `token_hash` (expired or not); a
/// link of another statement finds nothing.
pub async fn by_link(
    db: &PgPool,
    tenant: PublicTenantId,
    campaign_id: Uuid,
    id: Uuid,
    token_hash: &[u8],
) -> sqlx::Result<Option<Unconfirmed>> {
    sqlx::query_as(
        "SELECT id, organization, body, link, wording, token_expires_at AS expires_at FROM statements
         WHERE tenant_id = $1 AND campaign_id = $2 AND id = $3 AND token_hash = $4
           AND confirmed_at IS NULL AND state = 'pending'",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(id)
    .bind(token_hash)
    .fetch_optional(db)
    .await
}

/// The sender confirms the text their page showed (`wording`): true if this did it. The
/// link is used up; a changed text, a used or expired link change nothing.
pub async fn confirm(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    campaign_id: Uuid,
    id: Uuid,
    token_hash: &[u8],
    wording: i32,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE statements SET confirmed_at = $6, token_hash = NULL, token_expires_at = NULL
         WHERE tenant_id = $1 AND campaign_id = $2 AND id = $3 AND token_hash = $4 AND wording = $5
           AND confirmed_at IS NULL AND state = 'pending' AND token_expires_at > $6",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(id)
    .bind(token_hash)
    .bind(wording)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The approved statements of a campaign, by organization (`signer_order`), off the
/// partial index.
pub async fn approved(
    db: &PgPool,
    tenant: PublicTenantId,
    campaign_id: Uuid,
) -> sqlx::Result<Vec<PublicStatement>> {
    sqlx::query_as(
        "SELECT organization, body, link, confirmed_at IS NOT NULL AS confirmed_by_sender FROM statements
         WHERE campaign_id = $2 AND state = 'approved' AND tenant_id = $1
           AND (confirmed_at IS NOT NULL OR approved_before_confirmation)
         ORDER BY organization COLLATE signer_order, id",
    )
    .bind(crate::tenancy::TenantScope::uuid(tenant))
    .bind(campaign_id)
    .fetch_all(db)
    .await
}

const COLUMNS: &str =
    "id, campaign_id, organization, contact_name, email::text AS email, body, link, state, \
                       decided_by, decided_at, reason, created_at, confirmed_at, token_expires_at, \
                       approved_before_confirmation";

/// Every statement of a campaign, newest first.
pub async fn all(db: &PgPool, tenant: TenantId, campaign_id: Uuid) -> sqlx::Result<Vec<Statement>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM statements WHERE tenant_id = $1 AND campaign_id = $2
         ORDER BY created_at DESC, id"
    ))
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_all(db)
    .await
}

/// Every statement of these campaigns of the group, newest first: one query for a page
/// that shows an organization's statements across the campaigns that asked it.
pub async fn all_of_campaigns(
    db: &PgPool,
    tenant: TenantId,
    campaign_ids: &[Uuid],
) -> sqlx::Result<Vec<Statement>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM statements WHERE tenant_id = $1 AND campaign_id = ANY ($2)
         ORDER BY created_at DESC, id"
    ))
    .bind(tenant.uuid())
    .bind(campaign_ids)
    .fetch_all(db)
    .await
}

pub async fn by_id(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<Statement>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM statements WHERE tenant_id = $1 AND campaign_id = $2 AND id = $3"
    ))
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Who decided, and why.
pub struct Decision<'a> {
    pub to: StatementState,
    pub by: &'a str,
    pub user_id: Uuid,
    pub reason: &'a str,
    pub at: OffsetDateTime,
}

/// Moves the statement to `decision.to` if it is in one of `from` now (and, to approve,
/// its sender confirmed it); false (nothing changed) otherwise, so two organizers deciding
/// at once cannot skip a state. A statement approved before confirmation existed loses
/// that standing once it leaves `approved`.
pub async fn decide(
    db: impl sqlx::PgExecutor<'_>,
    tenant: TenantId,
    campaign_id: Uuid,
    id: Uuid,
    from: &[StatementState],
    decision: &Decision<'_>,
) -> sqlx::Result<bool> {
    let from: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
    let changed = sqlx::query(
        "UPDATE statements SET state = $4, decided_by = $5, decided_by_user_id = $6, reason = $7, decided_at = $8,
                approved_before_confirmation = approved_before_confirmation AND $4 = 'approved'
         WHERE tenant_id = $1 AND campaign_id = $2 AND id = $3 AND state = ANY($9)
           AND ($4 <> 'approved' OR confirmed_at IS NOT NULL)",
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
