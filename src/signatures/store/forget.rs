//! What of signatures' own tables is about one signer, for their download and their
//! erasure (`crate::erasure` runs both, area by area, in one transaction). Everything is
//! found from one signature: every signature of the same address in the group (whoever
//! holds a link mailed to an address speaks for that address), their events, consent
//! trail, links and suggestions by those signatures' ids, and suggestions other signers
//! made with the address compared whole. Never by searching text the public typed.
//!
//! Read-only, for the download: the campaign's title and address and the revision's
//! number (`campaigns`, `tenants`, `letter_revisions`), as the signer reads them.

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{change_state, Actor};
use crate::signatures::lifecycle::{allowed, Action, SignatureState};
use crate::signatures::privacy::{redact, redact_all, Needle, ERASED_NAME};
use crate::tenancy::TenantScope;

/// The address of `signature_id` and every signature of it in the group, oldest first;
/// `lock` holds those signature rows until the transaction ends.
pub async fn same_address(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    signature_id: Uuid,
    lock: bool,
) -> sqlx::Result<Option<(String, Vec<Uuid>)>> {
    let email: Option<String> = sqlx::query_scalar(&format!(
        "SELECT email::text FROM signatures WHERE tenant_id = $1 AND id = $2 AND erased_at IS NULL{}",
        if lock { " FOR NO KEY UPDATE" } else { "" }
    ))
    .bind(tenant.uuid())
    .bind(signature_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(email) = email else {
        return Ok(None);
    };
    let ids: Vec<Uuid> = sqlx::query_scalar(&format!(
        "SELECT id FROM signatures WHERE tenant_id = $1 AND email = $2::citext AND erased_at IS NULL ORDER BY created_at, id{}",
        if lock { " FOR NO KEY UPDATE" } else { "" }
    ))
    .bind(tenant.uuid())
    .bind(&email)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some((email, ids)))
}

// ---------------------------------------------------------------------------------
// The download

/// One signature, every field, as its signer downloads it.
#[derive(Debug, sqlx::FromRow)]
pub struct OwnSignature {
    pub id: Uuid,
    pub title: String,
    pub tenant_slug: String,
    pub slug: String,
    pub kind: String,
    pub name: String,
    pub website: String,
    pub city: String,
    pub size: String,
    pub parent_organization: String,
    pub contact_name: String,
    pub contact_title: String,
    pub email: String,
    pub phone: String,
    pub show_contact: bool,
    pub affiliation: String,
    pub comment: String,
    pub source: String,
    pub state: String,
    pub created_at: OffsetDateTime,
    pub confirmed_at: Option<OffsetDateTime>,
    pub revision_number: Option<i32>,
}

pub async fn own_signatures(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    ids: &[Uuid],
) -> sqlx::Result<Vec<OwnSignature>> {
    sqlx::query_as(
        "SELECT s.id, c.title, t.slug AS tenant_slug, c.slug, s.kind, s.name, s.website, s.city, s.size,
                s.parent_organization, s.contact_name, s.contact_title, s.email::text AS email, s.phone,
                s.show_contact, s.affiliation, s.comment, s.source, s.state, s.created_at, s.confirmed_at,
                r.number AS revision_number
         FROM signatures s JOIN campaigns c ON c.id = s.campaign_id JOIN tenants t ON t.id = s.tenant_id
         LEFT JOIN letter_revisions r ON r.id = s.revision_id
         WHERE s.tenant_id = $1 AND s.id = ANY ($2) ORDER BY s.created_at, s.id",
    )
    .bind(tenant.uuid())
    .bind(ids)
    .fetch_all(conn)
    .await
}

/// One line of a signature's history.
#[derive(Debug, sqlx::FromRow)]
pub struct OwnEvent {
    pub from_state: Option<String>,
    pub to_state: String,
    pub actor: String,
    pub reason: String,
    pub at: OffsetDateTime,
}

pub async fn own_history(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    signature_id: Uuid,
) -> sqlx::Result<Vec<OwnEvent>> {
    sqlx::query_as(
        "SELECT from_state, to_state, actor, reason, at FROM signature_events
         WHERE tenant_id = $1 AND signature_id = $2 ORDER BY at, id",
    )
    .bind(tenant.uuid())
    .bind(signature_id)
    .fetch_all(conn)
    .await
}

/// One line of a signature's consent trail.
#[derive(Debug, sqlx::FromRow)]
pub struct OwnConsent {
    pub number: i32,
    pub how: String,
    pub at: OffsetDateTime,
}

pub async fn own_consents(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    signature_id: Uuid,
) -> sqlx::Result<Vec<OwnConsent>> {
    sqlx::query_as(
        "SELECT r.number, c.how, c.at FROM signature_consents c JOIN letter_revisions r ON r.id = c.revision_id
         WHERE c.tenant_id = $1 AND c.signature_id = $2 ORDER BY c.id",
    )
    .bind(tenant.uuid())
    .bind(signature_id)
    .fetch_all(conn)
    .await
}

/// One suggestion the signer made.
#[derive(Debug, sqlx::FromRow)]
pub struct OwnReferral {
    pub name: String,
    pub organization: String,
    pub email: String,
    pub created_at: OffsetDateTime,
}

pub async fn own_referrals(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    signature_id: Uuid,
) -> sqlx::Result<Vec<OwnReferral>> {
    sqlx::query_as(
        "SELECT name, organization, email, created_at FROM referrals
         WHERE tenant_id = $1 AND signature_id = $2 ORDER BY created_at, id",
    )
    .bind(tenant.uuid())
    .bind(signature_id)
    .fetch_all(conn)
    .await
}

// ---------------------------------------------------------------------------------
// The erasure

/// One signature an erasure removes, as the confirmation page names it.
#[derive(Debug, sqlx::FromRow)]
pub struct PlannedSignature {
    pub campaign: String,
    pub name: String,
    pub listed: bool,
}

/// The signatures an erasure removes, the link's own first.
pub async fn planned(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    ids: &[Uuid],
    signature_id: Uuid,
) -> sqlx::Result<Vec<PlannedSignature>> {
    sqlx::query_as(
        "SELECT c.title AS campaign, s.name, s.state = 'confirmed' AS listed FROM signatures s JOIN campaigns c ON c.id = s.campaign_id
         WHERE s.tenant_id = $1 AND s.id = ANY ($2) ORDER BY s.id = $3 DESC, s.created_at, s.id",
    )
    .bind(tenant.uuid())
    .bind(ids)
    .bind(signature_id)
    .fetch_all(conn)
    .await
}

/// How many suggestions the signatures made, and how many other signers made with the
/// address.
pub async fn referral_counts(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    ids: &[Uuid],
    email: &str,
) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM referrals WHERE tenant_id = $1 AND signature_id = ANY ($2)),
                (SELECT count(*) FROM referrals
                  WHERE tenant_id = $1 AND email <> '' AND lower(btrim(email)) = lower($3) AND NOT (signature_id = ANY ($2)))",
    )
    .bind(tenant.uuid())
    .bind(ids)
    .bind(email)
    .fetch_one(conn)
    .await
}

/// A signature being erased, as it stood: its campaign and the names it gave.
#[derive(Debug, sqlx::FromRow)]
pub struct Erasing {
    pub campaign_id: Uuid,
    pub name: String,
    pub contact_name: String,
}

/// Starts an erasure of the signatures of the address of `signature_id`: locks them,
/// defers the public version's move (it moves once, with the campaigns' count at the
/// end: `end_erasure`), and reads what they were. `None`: no such signature, or erased.
pub async fn begin_erasure(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    signature_id: Uuid,
) -> sqlx::Result<Option<(String, Vec<Uuid>, Vec<Erasing>)>> {
    let Some((email, ids)) = same_address(conn, tenant, signature_id, true).await? else {
        return Ok(None);
    };
    super::defer_public_version(conn).await?;
    let signatures: Vec<Erasing> = sqlx::query_as(
        "SELECT campaign_id, name, contact_name FROM signatures
         WHERE tenant_id = $1 AND id = ANY ($2) ORDER BY created_at, id",
    )
    .bind(tenant.uuid())
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some((email, ids, signatures)))
}

/// Their suggestions lose their contents; returns their ids (prospects may have been
/// made from them).
pub async fn forget_own_referrals(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    ids: &[Uuid],
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "UPDATE referrals SET name = '', organization = '', email = '', absorbed = true
         WHERE tenant_id = $1 AND signature_id = ANY ($2) RETURNING id",
    )
    .bind(tenant.uuid())
    .bind(ids)
    .fetch_all(conn)
    .await
}

/// The history keeps its shape; only words that name the signer go (an actor naming
/// them becomes "signer").
pub async fn forget_in_history(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    ids: &[Uuid],
    needles: &[Needle],
) -> sqlx::Result<()> {
    let events: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT id, actor, reason FROM signature_events WHERE tenant_id = $1 AND signature_id = ANY ($2) FOR UPDATE",
    )
    .bind(tenant.uuid())
    .bind(ids)
    .fetch_all(&mut *conn)
    .await?;
    for (id, actor, reason) in events {
        let actor_named = needles
            .iter()
            .any(|n| redact(&actor, &n.text, n.replacement).is_some());
        let new_reason = redact_all(&reason, needles);
        if actor_named || new_reason.is_some() {
            sqlx::query(
                "UPDATE signature_events SET actor = CASE WHEN $2 THEN 'signer' ELSE actor END, reason = $3 WHERE id = $1",
            )
            .bind(id)
            .bind(actor_named)
            .bind(new_reason.unwrap_or(reason))
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// What other signers wrote about them: a suggestion with their address is deleted;
/// returns the ids (prospects may have been made from them).
pub async fn forget_referrals_naming(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    email: &str,
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "DELETE FROM referrals WHERE tenant_id = $1 AND email <> '' AND lower(btrim(email)) = lower($2)
         RETURNING id",
    )
    .bind(tenant.uuid())
    .bind(email)
    .fetch_all(conn)
    .await
}

/// Last, the signatures themselves: each is withdrawn (so it leaves the public page at
/// once), then renamed "Erased signer", its address replaced by a unique
/// `erased+<uuid>@invalid`, every other detail blanked, its links deleted, and its state
/// frozen (`erased_at`).
pub async fn forget_signatures(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    ids: &[Uuid],
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    let t = tenant.uuid();
    let by = Actor::signer("the signer asked for their details to be erased");
    for &id in ids {
        let state: SignatureState =
            sqlx::query_scalar("SELECT state FROM signatures WHERE tenant_id = $1 AND id = $2")
                .bind(t)
                .bind(id)
                .fetch_one(&mut *conn)
                .await?;
        if allowed(state, Action::Withdraw) {
            change_state(conn, tenant, id, Action::Withdraw, &by, now).await?;
        }
    }

    sqlx::query(
        "UPDATE signatures SET name = $3, name_key = 'erased-' || id, sort_key = $3,
                email = 'erased+' || gen_random_uuid() || '@invalid',
                website = '', city = '', size = '', parent_organization = '', contact_name = '',
                contact_title = '', phone = '', show_contact = false, affiliation = '', comment = '',
                domain_matches = false, token_hash = NULL, token_expires_at = NULL,
                erased_at = $4, anonymized_at = coalesce(anonymized_at, $4)
         WHERE tenant_id = $1 AND id = ANY ($2)",
    )
    .bind(t)
    .bind(ids)
    .bind(ERASED_NAME)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM signature_links WHERE tenant_id = $1 AND signature_id = ANY ($2)")
        .bind(t)
        .bind(ids)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Ends the deferral `begin_erasure` started: later changes in the transaction move the
/// public version row by row again.
pub async fn end_erasure(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query("SELECT set_config('undersigned.defer_public_version', '', true)")
        .execute(conn)
        .await?;
    Ok(())
}
