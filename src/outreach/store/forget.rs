//! What of outreach's own tables is about one signer, for their download and their
//! erasure (`crate::erasure` runs both, area by area, in one transaction): people of the
//! group's book with their address compared whole, the log of those contacts, prospects made from
//! suggestions (found by the suggestions' ids), "Signed as …" lines about their
//! signatures, digest lines recorded with their ids, and rows an import kept aside with
//! the address in their email cell. Never by searching text the public typed.

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::mail::forget::ListEntry;
use crate::signatures::privacy::{redact_all, Needle, ERASED_ADDRESS, ERASED_CONTACT, ERASED_NAME};
use crate::tenancy::{TenantId, TenantScope};

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
        "SELECT o.name AS organization, c.name, c.role, c.email::text AS email, c.phone, c.created_at
         FROM people c JOIN organizations o ON o.id = c.organization_id
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
        "SELECT (SELECT count(*) FROM people WHERE tenant_id = $1 AND email = $2::citext),
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
                                  SELECT p.id FROM prospects p JOIN people c ON c.organization_id = p.organization_id
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
/// suggestions' ids given) are deleted with their log; their organizations leave the
/// book with their people when nothing else has them (no other campaign's prospect, no
/// other log line). Returns the prospects' ids.
pub async fn forget_suggested(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    referrals: &[Uuid],
) -> sqlx::Result<Vec<Uuid>> {
    let t = tenant.uuid();
    let gone: Vec<(Uuid, Uuid)> = sqlx::query_as(
        "SELECT id, organization_id FROM prospects WHERE tenant_id = $1 AND referral_id = ANY ($2) FOR UPDATE",
    )
    .bind(t)
    .bind(referrals)
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<Uuid> = gone.iter().map(|g| g.0).collect();
    let organizations: Vec<Uuid> = gone.iter().map(|g| g.1).collect();
    sqlx::query("DELETE FROM outreach_activities WHERE tenant_id = $1 AND prospect_id = ANY ($2)")
        .bind(t)
        .bind(&ids)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM prospects WHERE tenant_id = $1 AND id = ANY ($2)")
        .bind(t)
        .bind(&ids)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "DELETE FROM organizations o WHERE o.tenant_id = $1 AND o.id = ANY ($2)
           AND NOT EXISTS (SELECT 1 FROM prospects p WHERE p.organization_id = o.id)
           AND NOT EXISTS (SELECT 1 FROM outreach_activities a WHERE a.organization_id = o.id)",
    )
    .bind(t)
    .bind(&organizations)
    .execute(conn)
    .await?;
    Ok(ids)
}

/// People of the book with the address lose name, address and phone; their log entries
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
        "UPDATE people c SET name = $3, first_name = '', email = NULL, phone = '', bounce_reason = ''
         FROM (SELECT id, name FROM people WHERE tenant_id = $1 AND email = $2::citext FOR UPDATE) old
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
    forget_kept_rows_with(conn, t, email).await
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

/// A person of the book as the erasure's confirmation page shows them: who, and how much
/// of outreach is about them.
#[derive(Debug, sqlx::FromRow)]
pub struct PersonToErase {
    pub id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub organization_id: Uuid,
    pub organization: String,
    /// Emails, calls and meetings that touched them, in every campaign.
    pub touches: i64,
    /// Log lines about them, in every campaign and in the book.
    pub activities: i64,
    /// The campaigns whose log names them.
    pub campaigns: i64,
    /// Rows imports kept aside to fix with their address.
    pub kept_rows: i64,
}

pub async fn person_to_erase(
    db: &sqlx::PgPool,
    tenant: TenantId,
    id: Uuid,
) -> sqlx::Result<Option<PersonToErase>> {
    sqlx::query_as(
        "SELECT pe.id, pe.name, pe.email::text AS email, pe.organization_id, o.name AS organization,
                (SELECT count(*) FROM person_touches t WHERE t.person_id = pe.id) AS touches,
                (SELECT count(*) FROM outreach_activities a WHERE a.contact_id = pe.id) AS activities,
                (SELECT count(DISTINCT a.campaign_id) FROM outreach_activities a WHERE a.contact_id = pe.id) AS campaigns,
                CASE WHEN pe.email IS NULL THEN 0 ELSE
                    (SELECT count(*) FROM prospect_import_kept_rows k JOIN prospect_imports i ON i.id = k.import_id
                      WHERE i.tenant_id = pe.tenant_id AND k.emails @> ARRAY[pe.email]) END AS kept_rows
         FROM people pe JOIN organizations o ON o.id = pe.organization_id
         WHERE pe.tenant_id = $1 AND pe.id = $2",
    )
    .bind(tenant.uuid())
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Erases people from the book, everywhere outreach has them: their name and address
/// leave every log line of their organization in every campaign (and lines they caused
/// lose their name as author), the rows imports kept aside with their address go (the
/// import counts them), and the person goes with their touches and the scheduler's log
/// about them. Returns how many were erased.
/// The tenant is a member's group (`TenantId::uuid`) or, for retention, the group of
/// the settings row the scheduler read.
pub async fn erase_people(
    conn: &mut PgConnection,
    tenant: Uuid,
    ids: &[Uuid],
) -> sqlx::Result<u64> {
    let t = tenant;
    let people: Vec<(Uuid, Uuid, String, Option<String>)> = sqlx::query_as(
        "SELECT id, organization_id, name, email::text FROM people
         WHERE tenant_id = $1 AND id = ANY ($2) ORDER BY id FOR UPDATE",
    )
    .bind(t)
    .bind(ids)
    .fetch_all(&mut *conn)
    .await?;
    if people.is_empty() {
        return Ok(0);
    }
    for (id, organization, name, email) in &people {
        let name = name.trim().to_lowercase();
        let mut needles: Vec<Needle> = Vec::new();
        if name.chars().count() >= 2 {
            needles.push(Needle::name(&name, ERASED_CONTACT));
        }
        if let Some(email) = email {
            needles.push(Needle::address(email));
        }
        let log: Vec<(i64, String, String, String, bool)> = sqlx::query_as(
            "SELECT id, body, outcome, author_name, author_id IS NULL FROM outreach_activities
             WHERE tenant_id = $1 AND (contact_id = $2 OR organization_id = $3) ORDER BY id FOR UPDATE",
        )
        .bind(t)
        .bind(id)
        .bind(organization)
        .fetch_all(&mut *conn)
        .await?;
        for (line, body, outcome, author_name, by_nobody) in log {
            let new_body = redact_all(&body, &needles);
            let new_outcome = redact_all(&outcome, &needles);
            let author_is_them = by_nobody && author_name.trim().to_lowercase() == name;
            if new_body.is_some() || new_outcome.is_some() || author_is_them {
                sqlx::query(
                    "UPDATE outreach_activities SET body = $2, outcome = $3, author_name = $4 WHERE id = $1",
                )
                .bind(line)
                .bind(new_body.unwrap_or(body))
                .bind(new_outcome.unwrap_or(outcome))
                .bind(if author_is_them {
                    ERASED_CONTACT.to_owned()
                } else {
                    author_name
                })
                .execute(&mut *conn)
                .await?;
            }
        }
        if let Some(email) = email {
            forget_kept_rows_with(&mut *conn, t, email).await?;
        }
    }
    let ids: Vec<Uuid> = people.iter().map(|p| p.0).collect();
    let done = sqlx::query("DELETE FROM people WHERE tenant_id = $1 AND id = ANY ($2)")
        .bind(t)
        .bind(&ids)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// Rows imports kept aside with the address in their email cell go; each import counts
/// them, so its page can say why rows are missing.
async fn forget_kept_rows_with(
    conn: &mut PgConnection,
    tenant: Uuid,
    email: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "WITH gone AS (
             DELETE FROM prospect_import_kept_rows k USING prospect_imports i
              WHERE i.id = k.import_id AND i.tenant_id = $1 AND k.emails @> ARRAY[$2::citext]
             RETURNING k.import_id)
         UPDATE prospect_imports i SET kept_rows_erased = i.kept_rows_erased + g.rows
           FROM (SELECT import_id, count(*)::int AS rows FROM gone GROUP BY import_id) g
          WHERE i.id = g.import_id",
    )
    .bind(tenant)
    .bind(email)
    .execute(conn)
    .await?;
    Ok(())
}

/// Groups whose book keeps people a limited time (`book_settings.retention_months`).
pub async fn groups_with_book_retention(db: &sqlx::PgPool) -> sqlx::Result<Vec<(Uuid, i32)>> {
    sqlx::query_as(
        "SELECT tenant_id, retention_months FROM book_settings WHERE retention_months IS NOT NULL ORDER BY tenant_id",
    )
    .fetch_all(db)
    .await
}

/// People of the group with no activity for `months` before `now`: no touch, no log line
/// naming them, and added before then; never a current member of the group's list (they
/// chose to stay). At most 500 at a time.
pub async fn stale_people(
    db: &sqlx::PgPool,
    tenant: Uuid,
    months: i32,
    now: OffsetDateTime,
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "SELECT pe.id FROM people pe
         WHERE pe.tenant_id = $1 AND pe.created_at < $2 - make_interval(months => $3)
           AND NOT pe.on_coalition_list
           AND (pe.last_touch_at IS NULL OR pe.last_touch_at < $2 - make_interval(months => $3))
           AND NOT EXISTS (SELECT 1 FROM person_touches t WHERE t.person_id = pe.id
                            AND t.at >= $2 - make_interval(months => $3))
           AND NOT EXISTS (SELECT 1 FROM outreach_activities a WHERE a.contact_id = pe.id
                            AND a.at >= $2 - make_interval(months => $3))
         ORDER BY pe.id LIMIT 500",
    )
    .bind(tenant)
    .bind(now)
    .bind(months)
    .fetch_all(db)
    .await
}
