//! What of outreach's own tables is about one signer, for their download and their
//! erasure (`crate::erasure` runs both, area by area, in one transaction): contacts
//! with their address compared whole, the log of those contacts, prospects made from
//! suggestions (found by the suggestions' ids), "Signed as …" lines about their
//! signatures, digest lines recorded with their ids, and rows an import kept aside with
//! the address in their email cell. Never by searching text the public typed.

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::mail::forget::ListEntry;
use crate::signatures::privacy::{redact_all, Needle, ERASED_ADDRESS, ERASED_CONTACT, ERASED_NAME};
use crate::tenancy::TenantScope;

/// An outreach contact with the address, as the signer's download lists it.
#[derive(Debug, sqlx::FromRow)]
pub struct ContactWith {
    pub organization: String,
    pub name: String,
    pub role: String,
    pub email: String,
    pub phone: String,
    pub created_at: OffsetDateTime,
}

pub async fn contacts_with(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    email: &str,
) -> sqlx::Result<Vec<ContactWith>> {
    sqlx::query_as(
        "SELECT p.name AS organization, c.name, c.role, c.email::text AS email, c.phone, c.created_at
         FROM prospect_contacts c JOIN prospects p ON p.id = c.prospect_id
         WHERE c.tenant_id = $1 AND c.email = $2::citext ORDER BY c.created_at, c.id",
    )
    .bind(tenant.uuid())
    .bind(email)
    .fetch_all(conn)
    .await
}

/// How many contacts have the address, and how many rows imports kept aside with it.
pub async fn counts(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    email: &str,
) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM prospect_contacts WHERE tenant_id = $1 AND email = $2::citext),
                (SELECT count(*) FROM prospect_import_kept_rows k JOIN prospect_imports i ON i.id = k.import_id
                  WHERE i.tenant_id = $1 AND k.emails @> ARRAY[$2::citext])",
    )
    .bind(tenant.uuid())
    .bind(email)
    .fetch_one(conn)
    .await
}

/// "Signed as …" lines the outreach log wrote about these signatures, on the prospects
/// they signed or were matched to (read before the withdrawal unlinks them) or that have
/// the address as a contact, in the signatures' own campaigns: they say "Signed as
/// Erased signer".
pub async fn forget_signed_lines(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    signatures: &[Uuid],
    campaigns: &[Uuid],
    email: &str,
    names: &[String],
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE outreach_activities a
            SET body = CASE WHEN a.body LIKE 'Had already signed as %' THEN 'Had already signed as ' ELSE 'Signed as ' END || $5
          WHERE a.tenant_id = $1 AND a.campaign_id = ANY ($3) AND a.kind = 'signed' AND a.author_id IS NULL
            AND a.prospect_id IN (SELECT p.id FROM prospects p
                                   WHERE p.tenant_id = $1 AND (p.signed_signature_id = ANY ($2) OR p.matched_signature_id = ANY ($2))
                                  UNION
                                  SELECT c.prospect_id FROM prospect_contacts c
                                   WHERE c.tenant_id = $1 AND c.email = $4::citext)
            AND a.body IN (SELECT prefix || n FROM unnest($6::text[]) AS n,
                                  unnest(ARRAY['Signed as ', 'Had already signed as ']) AS prefix)",
    )
    .bind(tenant.uuid())
    .bind(signatures)
    .bind(campaigns)
    .bind(email)
    .bind(ERASED_NAME)
    .bind(names)
    .execute(conn)
    .await?;
    Ok(())
}

/// Prospects made from the signer's own suggestions (`referrals`, ids given): "referred
/// by" and the note that named the signer go; the suggested organization stays (it is
/// not theirs).
pub async fn forget_referred(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    referrals: &[Uuid],
) -> sqlx::Result<()> {
    let t = tenant.uuid();
    let referred: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM prospects WHERE tenant_id = $1 AND referral_id = ANY ($2)",
    )
    .bind(t)
    .bind(referrals)
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE prospects SET referred_by = '' WHERE tenant_id = $1 AND id = ANY ($2) AND referred_by <> ''",
    )
    .bind(t)
    .bind(&referred)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE outreach_activities SET body = $3
         WHERE tenant_id = $1 AND prospect_id = ANY ($2) AND kind = 'note' AND author_id IS NULL
           AND author_name = 'Referral' AND body <> $3",
    )
    .bind(t)
    .bind(&referred)
    .bind(format!("Suggested by {ERASED_NAME}, who signed."))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The prospects made from suggestions other signers made with the address (the
/// suggestions' ids given) are deleted, their contacts and log with them; returns their
/// ids.
pub async fn forget_suggested(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    referrals: &[Uuid],
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "DELETE FROM prospects WHERE tenant_id = $1 AND referral_id = ANY ($2) RETURNING id",
    )
    .bind(tenant.uuid())
    .bind(referrals)
    .fetch_all(conn)
    .await
}

/// Outreach contacts with the address lose name, address and phone; their log entries
/// lose the address and the names (`needles`, and the contacts' own names), and lines
/// the contact caused ("opened the link") their name. Then rows an import kept aside to
/// fix whose email cell is the address: the whole row goes (it is about the contact),
/// found by the address compared whole, never by searching the other cells. The import
/// counts them, so its page can say why rows are missing.
pub async fn forget_contacts(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    email: &str,
    needles: &[Needle],
) -> sqlx::Result<()> {
    let t = tenant.uuid();
    let contacts: Vec<(Uuid, String)> = sqlx::query_as(
        "UPDATE prospect_contacts c SET name = $3, email = NULL, phone = '', bounce_reason = ''
         FROM (SELECT id, name FROM prospect_contacts WHERE tenant_id = $1 AND email = $2::citext FOR UPDATE) old
         WHERE c.id = old.id RETURNING c.id, old.name",
    )
    .bind(t)
    .bind(email)
    .bind(ERASED_CONTACT)
    .fetch_all(&mut *conn)
    .await?;
    let contact_ids: Vec<Uuid> = contacts.iter().map(|(id, _)| *id).collect();
    let contact_names: Vec<String> = contacts
        .iter()
        .map(|(_, name)| name.trim().to_lowercase())
        .filter(|name| name.chars().count() >= 2)
        .collect();
    let mut contact_needles: Vec<Needle> = contact_names
        .iter()
        .map(|name| Needle::name(name, ERASED_CONTACT))
        .collect();
    contact_needles.extend(needles.iter().cloned());
    let log: Vec<(i64, String, String, String, bool)> = sqlx::query_as(
        "SELECT id, body, outcome, author_name, author_id IS NULL FROM outreach_activities
         WHERE tenant_id = $1 AND contact_id = ANY ($2) FOR UPDATE",
    )
    .bind(t)
    .bind(&contact_ids)
    .fetch_all(&mut *conn)
    .await?;
    for (id, body, outcome, author_name, by_nobody) in log {
        let new_body = redact_all(&body, &contact_needles);
        let new_outcome = redact_all(&outcome, &contact_needles);
        // Only a line the contact caused is signed with their name ("opened the link").
        let author_is_contact =
            by_nobody && contact_names.contains(&author_name.trim().to_lowercase());
        if new_body.is_some() || new_outcome.is_some() || author_is_contact {
            sqlx::query(
                "UPDATE outreach_activities SET body = $2, outcome = $3, author_name = $4 WHERE id = $1",
            )
            .bind(id)
            .bind(new_body.unwrap_or(body))
            .bind(new_outcome.unwrap_or(outcome))
            .bind(if author_is_contact {
                ERASED_CONTACT.to_owned()
            } else {
                author_name
            })
            .execute(&mut *conn)
            .await?;
        }
    }
    sqlx::query(
        "WITH gone AS (
             DELETE FROM prospect_import_kept_rows k USING prospect_imports i
              WHERE i.id = k.import_id AND i.tenant_id = $1 AND k.emails @> ARRAY[$2::citext]
             RETURNING k.import_id)
         UPDATE prospect_imports i SET kept_rows_erased = i.kept_rows_erased + g.rows
           FROM (SELECT import_id, count(*)::int AS rows FROM gone GROUP BY import_id) g
          WHERE i.id = g.import_id",
    )
    .bind(t)
    .bind(email)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The organizers' digest lines about the person, recorded with the ids of what they
/// were about (a signature, a failed email to the address, a prospect made from a
/// suggestion naming them), are deleted; returns, for each, the entry of the digest
/// message to replace (mail replaces it: `mail::forget::replace_list_entry`).
pub async fn forget_digest_lines(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    signatures: &[Uuid],
    mail_to_them: &[i64],
    prospects: &[Uuid],
) -> sqlx::Result<Vec<ListEntry>> {
    let lines: Vec<(String, String, i32, String)> = sqlx::query_as(
        "DELETE FROM outreach_digest_lines
         WHERE tenant_id = $1 AND (signature_id = ANY ($2) OR outbox_id = ANY ($3) OR prospect_id = ANY ($4))
         RETURNING 'outreach:digest:' || tenant_id || ':' || user_id || ':' || to_char(day, 'YYYY-MM-DD'), list, position,
                   CASE WHEN signature_id IS NOT NULL THEN $5
                        WHEN outbox_id IS NOT NULL THEN 'to ' || $6
                        ELSE $7 END",
    )
    .bind(tenant.uuid())
    .bind(signatures)
    .bind(mail_to_them)
    .bind(prospects)
    .bind(ERASED_NAME)
    .bind(ERASED_ADDRESS)
    .bind(ERASED_CONTACT)
    .fetch_all(conn)
    .await?;
    Ok(lines
        .into_iter()
        .map(|(key, list, position, replacement)| ListEntry {
            keys: vec![key],
            list,
            position,
            replacement,
        })
        .collect())
}
