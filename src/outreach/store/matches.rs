//! Prospects matched with confirmed signatures. Read-only exception: `signatures`
//! belongs to signatures; outreach reads (and share-locks) a signature to link a prospect
//! to it, and never writes it.

use super::*;

/// Prospects whose contact's email already confirmed an organization's signature become
/// signed (a prospect added after its organization signed); `prospect` limits it to one.
/// The trigger on signatures covers later confirmations. The signatures are locked first,
/// so a withdrawal cannot slip between reading one and linking it.
pub async fn match_confirmed_signatures(
    conn: &mut PgConnection,
    campaign_id: Uuid,
    prospect: Option<Uuid>,
    now: OffsetDateTime,
) -> sqlx::Result<u64> {
    let locked: Vec<Uuid> = sqlx::query_scalar(
        "SELECT s.id FROM signatures s
         JOIN prospects p ON p.campaign_id = s.campaign_id
         JOIN people c ON c.organization_id = p.organization_id AND c.email = s.email
         WHERE s.campaign_id = $1 AND s.kind = 'organization' AND s.state = 'confirmed'
           AND p.signed_signature_id IS NULL AND ($2::uuid IS NULL OR p.id = $2)
           AND NOT EXISTS (SELECT 1 FROM prospects taken WHERE taken.signed_signature_id = s.id)
         FOR SHARE OF s",
    )
    .bind(campaign_id)
    .bind(prospect)
    .fetch_all(&mut *conn)
    .await?;
    if locked.is_empty() {
        return Ok(0);
    }
    let done = sqlx::query(
        "WITH per_prospect AS (
             SELECT DISTINCT ON (p.id) p.id, p.tenant_id, p.organization_id, s.id AS signature_id, s.name
             FROM prospects p
             JOIN people c ON c.organization_id = p.organization_id
             JOIN signatures s ON s.id = ANY ($3) AND s.email = c.email AND s.state = 'confirmed'
             WHERE p.campaign_id = $1 AND p.signed_signature_id IS NULL
             ORDER BY p.id, s.confirmed_at, s.id),
         found AS (
             SELECT DISTINCT ON (signature_id) * FROM per_prospect ORDER BY signature_id, id),
         signed AS (
             UPDATE prospects p SET signed_signature_id = found.signature_id FROM found
             WHERE p.id = found.id RETURNING p.id, p.tenant_id, p.organization_id, found.name)
         INSERT INTO outreach_activities (tenant_id, campaign_id, prospect_id, organization_id, kind, body, author_name, at)
         SELECT tenant_id, $1, id, organization_id, 'signed', 'Had already signed as ' || name, 'The signer', $2 FROM signed",
    )
    .bind(campaign_id)
    .bind(now)
    .bind(&locked)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// A confirmed organization signature with the prospect's folded name that is not yet
/// anyone's match: organizers confirm it before it counts.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SuggestedMatch {
    pub signature_id: Uuid,
    pub name: String,
    pub contact_name: String,
    /// Why it is suggested: "name", "website" or "contact" (signed by a person named
    /// like one of the prospect's contacts).
    pub reason: String,
}

pub async fn suggested_match(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    prospect_id: Uuid,
) -> sqlx::Result<Option<SuggestedMatch>> {
    let sql = format!(
        "SELECT s.id AS signature_id, s.name, s.contact_name,
                CASE WHEN s.name_key = po.name_key THEN 'name'
                     WHEN po.domain <> '' AND s.website ILIKE '%' || po.domain || '%' THEN 'website'
                     ELSE 'contact' END AS reason
         FROM prospects p JOIN organizations po ON po.id = p.organization_id JOIN signatures s ON {MATCHES_PROSPECT}
         WHERE p.tenant_id = $1 AND p.campaign_id = $2 AND p.id = $3 AND p.signed_signature_id IS NULL
         ORDER BY s.name_key = po.name_key DESC, s.confirmed_at LIMIT 1"
    );
    sqlx::query_as(&sql)
        .bind(tenant.uuid())
        .bind(campaign_id)
        .bind(prospect_id)
        .fetch_optional(db)
        .await
}

/// The conditions of a suggested match, shared by the suggestion and its confirmation:
/// a confirmed organization signature that no prospect counts as its signature yet, with
/// the prospect's folded name or website domain, or signed by a person whose name (first
/// and last, case, spacing and punctuation aside) is that of one of the prospect's
/// contacts: a chapter signing from a personal address under a name of its own ("Sierra
/// Club - West Virginia") is still found by the person who signed. Only a suggestion:
/// an organizer confirms it before the prospect counts as signed. Needs `p` (the
/// prospect) and `po` (its organization in the book).
const MATCHES_PROSPECT: &str =
    "s.campaign_id = p.campaign_id AND s.kind = 'organization' AND s.state = 'confirmed'
    AND (s.name_key = po.name_key OR (po.domain <> '' AND s.website ILIKE '%' || po.domain || '%')
         OR (position(' ' IN btrim(s.contact_name)) > 0 AND EXISTS (
               SELECT 1 FROM people pc WHERE pc.organization_id = p.organization_id
                  AND lower(regexp_replace(btrim(pc.name), '[[:space:][:punct:]]+', ' ', 'g'))
                    = lower(regexp_replace(btrim(s.contact_name), '[[:space:][:punct:]]+', ' ', 'g')))))
    AND NOT EXISTS (SELECT 1 FROM prospects taken WHERE taken.signed_signature_id = s.id)";

/// Records the organizers' word that `signature_id` is this prospect's, for a signature
/// the page suggested (never any other); the prospect is signed while it stays confirmed.
pub async fn confirm_match(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    prospect_id: Uuid,
    signature_id: Uuid,
) -> sqlx::Result<bool> {
    let sql = format!(
        "WITH candidate AS (
             SELECT s.id FROM prospects p JOIN organizations po ON po.id = p.organization_id
             JOIN signatures s ON {MATCHES_PROSPECT}
             WHERE p.tenant_id = $1 AND p.campaign_id = $2 AND p.id = $3 AND p.signed_signature_id IS NULL
               AND s.tenant_id = $1 AND s.id = $4
             FOR SHARE OF s)
         UPDATE prospects p SET matched_signature_id = candidate.id, signed_signature_id = candidate.id
         FROM candidate WHERE p.tenant_id = $1 AND p.campaign_id = $2 AND p.id = $3"
    );
    let done = sqlx::query(&sql)
        .bind(tenant.uuid())
        .bind(campaign_id)
        .bind(prospect_id)
        .bind(signature_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
