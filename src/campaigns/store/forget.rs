//! What of campaigns' own tables is about one signer, for their erasure
//! (`crate::erasure` runs it, area by area, in one transaction): the member updates that
//! listed their signatures (found by the ids recorded when each update was queued, in
//! `member_update_names`) and each campaign's count of erased signers.
//!
//! Read-only: `signatures` (every recipient of an update is a signature of its campaign,
//! whose key names it), to find the update's messages.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::mail::forget::ListEntry;
use crate::signatures::privacy::ERASED_NAME;
use crate::tenancy::TenantScope;

/// The member updates' lines that listed these signatures are deleted; returns, for
/// each, the entry of the update's messages to replace with "Erased signer" (mail
/// replaces it: `mail::forget::replace_list_entry`). Every recipient of an update got the
/// same list: its messages are found by their keys
/// (`member-update:{update}:{recipient's signature}`), through the unique index.
pub async fn forget_member_update_names(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    signatures: &[Uuid],
) -> sqlx::Result<Vec<ListEntry>> {
    let updates: Vec<(i64, i32)> = sqlx::query_as(
        "DELETE FROM member_update_names WHERE signature_id = ANY ($1) RETURNING update_id, position",
    )
    .bind(signatures)
    .fetch_all(&mut *conn)
    .await?;
    let mut entries = Vec::with_capacity(updates.len());
    for (update_id, position) in updates {
        let keys: Vec<String> = sqlx::query_scalar(
            "SELECT 'member-update:' || u.id || ':' || s.id FROM member_updates u
             JOIN signatures s ON s.campaign_id = u.campaign_id
             WHERE u.id = $1 AND u.tenant_id = $2",
        )
        .bind(update_id)
        .bind(tenant.uuid())
        .fetch_all(&mut *conn)
        .await?;
        entries.push(ListEntry {
            keys,
            list: "signers".to_owned(),
            position,
            replacement: ERASED_NAME.to_owned(),
        });
    }
    Ok(entries)
}

/// Each campaign counts one more erased signer per signature erased in it (`campaigns`,
/// one entry per signature), and that is all it keeps. This moves the campaigns' public
/// version too (`campaigns_public_version`), so it comes last: the campaign rows are held
/// only from here to the commit.
pub async fn count_erased(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    campaigns: &[Uuid],
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE campaigns c SET erased_signers = c.erased_signers + n.signers
         FROM (SELECT campaign_id, count(*)::int AS signers FROM unnest($2::uuid[]) AS e(campaign_id) GROUP BY 1) n
         WHERE c.tenant_id = $1 AND c.id = n.campaign_id",
    )
    .bind(tenant.uuid())
    .bind(campaigns)
    .execute(conn)
    .await?;
    Ok(())
}
