//! A changed letter, on the signatures' side: the host organization follows its group's
//! own revisions, and after a substantive change's date the signers who did not confirm
//! it are told, once, that their name was not carried over.

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::tenancy::TenantId;

/// Moves the host organization's confirmed signature to `revision_id`; returns its id (or
/// none) for the consent trail.
pub async fn host_follows_revision(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    revision_id: Uuid,
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "UPDATE signatures SET revision_id = $3
         WHERE tenant_id = $1 AND campaign_id = $2 AND source = 'host' AND state = 'confirmed' RETURNING id",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(revision_id)
    .fetch_all(conn)
    .await
}

/// A signer to tell that their name was not carried over.
#[derive(sqlx::FromRow)]
pub struct NotCarriedOver {
    pub id: Uuid,
    pub name: String,
    pub email: String,
}

/// Claims, once per signature and revision (`consent_notices`), the confirmed signers of
/// the campaign whose consent covers only a text before revision `number`.
pub async fn claim_not_carried_over(
    conn: &mut PgConnection,
    campaign_id: Uuid,
    revision_id: Uuid,
    number: i32,
    now: OffsetDateTime,
) -> sqlx::Result<Vec<NotCarriedOver>> {
    sqlx::query_as(
        "WITH claimed AS (
             INSERT INTO consent_notices (signature_id, revision_id, stage, at)
             SELECT s.id, $2, 'not_carried_over', $3 FROM signatures s
              WHERE s.campaign_id = $1 AND s.state = 'confirmed' AND s.confirmed_revision < $4
             ON CONFLICT DO NOTHING RETURNING signature_id)
         SELECT s.id, s.name, s.email::text AS email FROM signatures s JOIN claimed ON claimed.signature_id = s.id",
    )
    .bind(campaign_id)
    .bind(revision_id)
    .bind(now)
    .bind(number)
    .fetch_all(conn)
    .await
}

/// Writes "not carried over" into each signer's consent trail and gives each a link that
/// works for 30 days, for the scheduler (which acts for every group: `tenant_id` is the
/// campaign's, as read with it).
pub async fn record_not_carried_over(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    revision_id: Uuid,
    links: &[(Uuid, Vec<u8>)],
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    let ids: Vec<Uuid> = links.iter().map(|(id, _)| *id).collect();
    sqlx::query(
        "INSERT INTO signature_consents (tenant_id, signature_id, revision_id, how, at)
         SELECT $1, id, $3, 'not_carried_over', $4 FROM unnest($2::uuid[]) AS id",
    )
    .bind(tenant_id)
    .bind(&ids)
    .bind(revision_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO signature_links (token_hash, tenant_id, signature_id, created_at, expires_at)
         SELECT hash, $1, id, $4, $4 + interval '30 days' FROM unnest($2::uuid[], $3::bytea[]) AS l(id, hash)",
    )
    .bind(tenant_id)
    .bind(&ids)
    .bind(links.iter().map(|(_, h)| h.clone()).collect::<Vec<_>>())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
