//! What a group holds about one signer, given to them as a file, and erased at their
//! request. Both start from one signature (the signer's own link names it) and reach
//! every signature of the same address in that group, since whoever holds a link mailed
//! to an address speaks for that address.
//!
//! An erasure touches only rows provably about this person: found by their signatures'
//! ids, by ids recorded when a message listed them (`member_update_names`,
//! `outreach_digest_lines`), or by their address compared whole; never by searching
//! text the public typed, which once let a contact named "Clean" rewrite everybody's
//! mail. The rule in full, table by table, is in docs/signatures.md ("Erasure").
//!
//! Why the SQL here reaches into other areas' tables (outbox, outreach contacts,
//! activities, prospects and digest lines, imports' kept rows, member update names,
//! suppressions, statements): an erasure must leave nothing behind in any of them, in one
//! transaction, and this module sits below `campaigns`, `signing` and `outreach` in the
//! layers, so it cannot call their stores (they call it). Every statement that touches
//! a signer's data outside `signatures` is therefore written here, in this one file, and
//! `tests/privacy.rs` scans every column of every table after an erasure (a new table
//! that can hold a signer's address or name fails that test until it is handled here)
//! and compares every other row before and after.

use serde::Serialize;
use sqlx::{PgConnection, PgPool, Row};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

use super::emails::{
    Bulletin, ConfirmSignature, LetterChanged, MemberUpdate, NameNotCarriedOver, ReconfirmReminder,
    ReissueInvitation, ReissueNoticeVoided,
};
use super::lifecycle::{allowed, Action, SignatureState};
use super::store::{change_state, Actor};
use crate::mail::Email;
use crate::tenancy::TenantScope;

/// What an erased signature is called wherever its name was.
pub const ERASED_NAME: &str = "Erased signer";
/// What an erased address reads as inside text that named it.
pub const ERASED_ADDRESS: &str = "(erased address)";
/// What an outreach contact with the erased address is called.
pub const ERASED_CONTACT: &str = "Erased contact";

/// The emails a signer gets as a signer (as opposed to mail they get as an organizer
/// or as an outreach contact).
pub fn signer_mail_kinds() -> Vec<&'static str> {
    vec![
        ConfirmSignature::KIND,
        Bulletin::KIND,
        LetterChanged::KIND,
        NameNotCarriedOver::KIND,
        ReconfirmReminder::KIND,
        MemberUpdate::KIND,
        ReissueInvitation::KIND,
        ReissueNoticeVoided::KIND,
    ]
}

fn stamp(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_else(|_| at.to_string())
}

// ---------------------------------------------------------------------------------
// The download

/// Everything the group holds about the address, as the signer downloads it.
#[derive(Debug, Serialize)]
pub struct Export {
    pub about: &'static str,
    pub group: String,
    pub email: String,
    pub exported_at: String,
    pub signatures: Vec<ExportedSignature>,
    /// Mail this group sent (or is about to send) to the address.
    pub emails: Vec<ExportedEmail>,
    /// The address as organizers recorded it among the people they ask to sign.
    pub outreach_contacts: Vec<ExportedContact>,
}

#[derive(Debug, Serialize)]
pub struct ExportedSignature {
    pub campaign: String,
    pub campaign_address: String,
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
    pub contact_shown_publicly: bool,
    pub affiliation: String,
    pub comment: String,
    pub source: String,
    pub state: String,
    pub signed_at: String,
    pub confirmed_at: Option<String>,
    pub revision_confirmed: Option<i32>,
    pub history: Vec<ExportedEvent>,
    pub consent_trail: Vec<ExportedConsent>,
    pub referrals: Vec<ExportedReferral>,
}

#[derive(Debug, Serialize)]
pub struct ExportedEvent {
    pub at: String,
    pub from: Option<String>,
    pub to: String,
    pub by: String,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct ExportedConsent {
    pub at: String,
    pub revision: i32,
    pub how: String,
}

#[derive(Debug, Serialize)]
pub struct ExportedReferral {
    pub at: String,
    pub name: String,
    pub organization: String,
    pub email: String,
}

#[derive(Debug, Serialize)]
pub struct ExportedEmail {
    pub kind: String,
    pub subject: Option<String>,
    pub status: String,
    pub queued_at: String,
    pub sent_at: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ExportedContact {
    pub organization: String,
    pub name: String,
    pub role: String,
    pub email: String,
    pub phone: String,
    pub added_at: String,
}

/// Who did something, as the signer reads it: organizers are not named to them.
fn actor_for_signer(actor: &str) -> String {
    if actor == "signer" {
        "you".into()
    } else if actor.starts_with("organizer") {
        "the organizers".into()
    } else {
        actor.into()
    }
}

/// The address of `signature_id` and every signature of it in the group.
async fn same_address(
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

/// What the group holds about the address of `signature_id`: its signatures (every field,
/// the history, the consent trail, the suggestions made), the mail sent to it and the
/// outreach contacts with it. Never a token, and nothing of anybody else.
pub async fn export(
    db: &PgPool,
    tenant: impl TenantScope,
    signature_id: Uuid,
    now: OffsetDateTime,
) -> sqlx::Result<Option<Export>> {
    let mut conn = db.acquire().await?;
    let Some((email, ids)) = same_address(&mut conn, tenant, signature_id, false).await? else {
        return Ok(None);
    };
    let group: String = sqlx::query_scalar("SELECT name FROM tenants WHERE id = $1")
        .bind(tenant.uuid())
        .fetch_one(&mut *conn)
        .await?;
    let rows = sqlx::query(
        "SELECT s.id, c.title, t.slug AS tenant_slug, c.slug, s.kind, s.name, s.website, s.city, s.size,
                s.parent_organization, s.contact_name, s.contact_title, s.email::text AS email, s.phone,
                s.show_contact, s.affiliation, s.comment, s.source, s.state, s.created_at, s.confirmed_at,
                r.number AS revision_number
         FROM signatures s JOIN campaigns c ON c.id = s.campaign_id JOIN tenants t ON t.id = s.tenant_id
         LEFT JOIN letter_revisions r ON r.id = s.revision_id
         WHERE s.tenant_id = $1 AND s.id = ANY ($2) ORDER BY s.created_at, s.id",
    )
    .bind(tenant.uuid())
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    let mut signatures = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: Uuid = r.try_get("id")?;
        let history = sqlx::query(
            "SELECT from_state, to_state, actor, reason, at FROM signature_events
             WHERE tenant_id = $1 AND signature_id = $2 ORDER BY at, id",
        )
        .bind(tenant.uuid())
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|e| {
            Ok(ExportedEvent {
                at: stamp(e.try_get("at")?),
                from: e.try_get("from_state")?,
                to: e.try_get("to_state")?,
                by: actor_for_signer(&e.try_get::<String, _>("actor")?),
                reason: e.try_get("reason")?,
            })
        })
        .collect::<sqlx::Result<Vec<_>>>()?;
        let consent_trail = sqlx::query(
            "SELECT r.number, c.how, c.at FROM signature_consents c JOIN letter_revisions r ON r.id = c.revision_id
             WHERE c.tenant_id = $1 AND c.signature_id = $2 ORDER BY c.id",
        )
        .bind(tenant.uuid())
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|c| {
            Ok(ExportedConsent {
                at: stamp(c.try_get("at")?),
                revision: c.try_get("number")?,
                how: c.try_get("how")?,
            })
        })
        .collect::<sqlx::Result<Vec<_>>>()?;
        let referrals = sqlx::query(
            "SELECT name, organization, email, created_at FROM referrals
             WHERE tenant_id = $1 AND signature_id = $2 ORDER BY created_at, id",
        )
        .bind(tenant.uuid())
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|f| {
            Ok(ExportedReferral {
                at: stamp(f.try_get("created_at")?),
                name: f.try_get("name")?,
                organization: f.try_get("organization")?,
                email: f.try_get("email")?,
            })
        })
        .collect::<sqlx::Result<Vec<_>>>()?;
        let confirmed_at: Option<OffsetDateTime> = r.try_get("confirmed_at")?;
        signatures.push(ExportedSignature {
            campaign: r.try_get("title")?,
            campaign_address: format!(
                "/{}/{}",
                r.try_get::<String, _>("tenant_slug")?,
                r.try_get::<String, _>("slug")?
            ),
            kind: r.try_get("kind")?,
            name: r.try_get("name")?,
            website: r.try_get("website")?,
            city: r.try_get("city")?,
            size: r.try_get("size")?,
            parent_organization: r.try_get("parent_organization")?,
            contact_name: r.try_get("contact_name")?,
            contact_title: r.try_get("contact_title")?,
            email: r.try_get("email")?,
            phone: r.try_get("phone")?,
            contact_shown_publicly: r.try_get("show_contact")?,
            affiliation: r.try_get("affiliation")?,
            comment: r.try_get("comment")?,
            source: r.try_get("source")?,
            state: r.try_get("state")?,
            signed_at: stamp(r.try_get("created_at")?),
            confirmed_at: confirmed_at.map(stamp),
            revision_confirmed: r.try_get("revision_number")?,
            history,
            consent_trail,
            referrals,
        });
    }
    let emails = sqlx::query(
        "SELECT coalesce(message->>'kind', '') AS kind, subject, status, created_at, sent_at FROM outbox
         WHERE tenant_id = $1 AND lower(recipient) = lower($2) ORDER BY id",
    )
    .bind(tenant.uuid())
    .bind(&email)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|m| {
        let sent_at: Option<OffsetDateTime> = m.try_get("sent_at")?;
        Ok(ExportedEmail {
            kind: m.try_get("kind")?,
            subject: m.try_get("subject")?,
            status: m.try_get("status")?,
            queued_at: stamp(m.try_get("created_at")?),
            sent_at: sent_at.map(stamp),
        })
    })
    .collect::<sqlx::Result<Vec<_>>>()?;
    let outreach_contacts = sqlx::query(
        "SELECT p.name AS organization, c.name, c.role, c.email::text AS email, c.phone, c.created_at
         FROM prospect_contacts c JOIN prospects p ON p.id = c.prospect_id
         WHERE c.tenant_id = $1 AND c.email = $2::citext ORDER BY c.created_at, c.id",
    )
    .bind(tenant.uuid())
    .bind(&email)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|c| {
        Ok(ExportedContact {
            organization: c.try_get("organization")?,
            name: c.try_get("name")?,
            role: c.try_get("role")?,
            email: c.try_get("email")?,
            phone: c.try_get("phone")?,
            added_at: stamp(c.try_get("created_at")?),
        })
    })
    .collect::<sqlx::Result<Vec<_>>>()?;
    Ok(Some(Export {
        about: "What this group holds about your email address: your signatures with their history, \
                the suggestions you made, the emails it sent you, and the address as its organizers \
                recorded it for outreach.",
        group,
        email,
        exported_at: stamp(now),
        signatures,
        emails,
        outreach_contacts,
    }))
}

// ---------------------------------------------------------------------------------
// Erasure

/// One signature an erasure removes, as the confirmation page names it.
pub struct PlannedSignature {
    pub campaign: String,
    pub name: String,
    pub listed: bool,
}

/// What an erasure will remove, for the page that asks the signer to confirm it.
pub struct Plan {
    pub signatures: Vec<PlannedSignature>,
    pub referrals: i64,
    /// Suggestions other signers made with the address.
    pub named_by_others: i64,
    pub emails: i64,
    pub outreach_contacts: i64,
    /// Rows an import kept aside to fix with the address in their email cell.
    pub kept_rows: i64,
}

pub async fn erasure_plan(
    db: &PgPool,
    tenant: impl TenantScope,
    signature_id: Uuid,
) -> sqlx::Result<Option<Plan>> {
    let mut conn = db.acquire().await?;
    let Some((email, ids)) = same_address(&mut conn, tenant, signature_id, false).await? else {
        return Ok(None);
    };
    let signatures = sqlx::query(
        "SELECT c.title, s.name, s.state = 'confirmed' AS listed FROM signatures s JOIN campaigns c ON c.id = s.campaign_id
         WHERE s.tenant_id = $1 AND s.id = ANY ($2) ORDER BY s.id = $3 DESC, s.created_at, s.id",
    )
    .bind(tenant.uuid())
    .bind(&ids)
    .bind(signature_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(PlannedSignature {
            campaign: r.try_get("title")?,
            name: r.try_get("name")?,
            listed: r.try_get("listed")?,
        })
    })
    .collect::<sqlx::Result<Vec<_>>>()?;
    let (referrals, named_by_others, emails, outreach_contacts, kept_rows): (i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM referrals WHERE tenant_id = $1 AND signature_id = ANY ($2)),
                (SELECT count(*) FROM referrals
                  WHERE tenant_id = $1 AND email <> '' AND lower(btrim(email)) = lower($3) AND NOT (signature_id = ANY ($2))),
                (SELECT count(*) FROM outbox WHERE tenant_id = $1 AND lower(recipient) = lower($3)),
                (SELECT count(*) FROM prospect_contacts WHERE tenant_id = $1 AND email = $3::citext),
                (SELECT count(*) FROM prospect_import_kept_rows k JOIN prospect_imports i ON i.id = k.import_id
                  WHERE i.tenant_id = $1 AND k.emails @> ARRAY[$3::citext])",
    )
    .bind(tenant.uuid())
    .bind(&ids)
    .bind(&email)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Some(Plan {
        signatures,
        referrals,
        named_by_others,
        emails,
        outreach_contacts,
        kept_rows,
    }))
}

/// What an erasure did.
#[derive(Debug, Default)]
pub struct Erased {
    pub signatures: usize,
    /// Sent messages whose written copies (file transport) named the signer: to delete
    /// once the transaction commits (`forget_written_mail`).
    pub transport_ids: Vec<String>,
}

/// A text to find in a row about the signer, and what to put in its place.
#[derive(Clone)]
struct Needle {
    text: String,
    replacement: &'static str,
    /// An address goes wherever it is; a name is left inside a link, where it may be
    /// part of someone else's address (`https://clean.example`).
    in_links: bool,
}

impl Needle {
    fn address(text: &str) -> Needle {
        Needle {
            text: text.to_owned(),
            replacement: ERASED_ADDRESS,
            in_links: true,
        }
    }

    fn name(text: &str, replacement: &'static str) -> Needle {
        Needle {
            text: text.to_owned(),
            replacement,
            in_links: false,
        }
    }
}

/// Erases, inside the caller's transaction, the name and contact details of every
/// signature of the address of `signature_id` in the group. It reaches only rows that
/// are provably about this person, found by id or by the exact address, never by
/// searching text the public typed (see docs/signatures.md, "Erasure"):
///
/// - each signature is withdrawn (so it leaves the public page at once), then renamed
///   "Erased signer", its address replaced by a unique `erased+<uuid>@invalid`, every
///   other detail blanked, its links deleted, and its state frozen (`erased_at`);
/// - its history stays (events keep their states and times; an actor or reason naming
///   the signer is rewritten), as does its consent trail (revisions and times only);
/// - its suggestions lose their contents; prospects made from them lose "referred by"
///   and the note naming the signer; a suggestion another signer made with the address,
///   and the prospect made from it (with its contacts and log), are deleted;
/// - outreach contacts with the address lose name, address and phone, and their log
///   entries the address and names; "Signed as …" lines about the signatures go; rows an
///   import kept aside to fix with the address in their email cell are deleted (the
///   import counts them);
/// - the group's mail to the address is deleted (not yet sent) or kept without
///   recipient or contents (sent); member updates and organizers' digests that listed a
///   signature (or a failed email to the address) have that one entry replaced, found
///   by the ids recorded when they were queued: no other text of anyone's mail changes;
/// - the address's unsubscription from the group goes (no address is left to hold it);
/// - each campaign counts one more erased signer, and that is all it keeps.
///
/// Locks: the signer's own rows, the few rows found by id, and the campaign rows only
/// for the last statement (the count, which also moves the public page's version), so
/// nobody waits on an erasure for more than a moment.
///
/// Mail the group sent to the address while it is also the address of one of the
/// group's members keeps everything but the signer's own mail (they remain a member).
pub async fn erase(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    signature_id: Uuid,
    now: OffsetDateTime,
) -> sqlx::Result<Option<Erased>> {
    let Some((email, ids)) = same_address(conn, tenant, signature_id, true).await? else {
        return Ok(None);
    };
    let t = tenant.uuid();
    // The campaigns' versions move once, with the count at the end, rather than when
    // each withdrawal happens: the campaign rows are held only for that last moment.
    super::store::defer_public_version(conn).await?;
    let is_member: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
                        WHERE m.tenant_id = $1 AND u.email = $2::citext)",
    )
    .bind(t)
    .bind(&email)
    .fetch_one(&mut *conn)
    .await?;
    let signatures: Vec<(Uuid, String, String)> = sqlx::query_as(
        "SELECT campaign_id, name, contact_name FROM signatures
         WHERE tenant_id = $1 AND id = ANY ($2) ORDER BY created_at, id",
    )
    .bind(t)
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    let campaigns: Vec<Uuid> = signatures.iter().map(|(c, ..)| *c).collect();
    let names: Vec<String> = signatures.iter().map(|(_, n, _)| n.clone()).collect();
    // What may be rewritten inside the signer's own rows (their history, their contacts'
    // log): never searched for anywhere else.
    let mut needles = vec![Needle::address(&email)];
    for (_, name, contact_name) in &signatures {
        needles.push(Needle::name(name, ERASED_NAME));
        // A member's own name is theirs as an organizer too: left alone.
        if !is_member {
            needles.push(Needle::name(contact_name, ERASED_NAME));
        }
    }
    needles.retain(|n| n.text.trim().chars().count() >= 2);
    let mut erased = Erased::default();

    // "Signed as …" lines the outreach log wrote about these signatures, on the
    // prospects they signed or were matched to (read before the withdrawal unlinks
    // them) or that have the address as a contact, in the signatures' own campaigns.
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
    .bind(t)
    .bind(&ids)
    .bind(&campaigns)
    .bind(&email)
    .bind(ERASED_NAME)
    .bind(&names)
    .execute(&mut *conn)
    .await?;

    // Their suggestions, and the prospects made from them: "referred by" and the note
    // that named the signer go; the suggested organization stays (it is not theirs).
    let own_referrals: Vec<Uuid> = sqlx::query_scalar(
        "UPDATE referrals SET name = '', organization = '', email = '', absorbed = true
         WHERE tenant_id = $1 AND signature_id = ANY ($2) RETURNING id",
    )
    .bind(t)
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    let referred: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM prospects WHERE tenant_id = $1 AND referral_id = ANY ($2)",
    )
    .bind(t)
    .bind(&own_referrals)
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

    // The history keeps its shape; only words that name the signer go.
    let events: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT id, actor, reason FROM signature_events WHERE tenant_id = $1 AND signature_id = ANY ($2) FOR UPDATE",
    )
    .bind(t)
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    for (id, actor, reason) in events {
        let actor_named = needles
            .iter()
            .any(|n| redact(&actor, &n.text, n.replacement).is_some());
        let new_reason = redact_all(&reason, &needles);
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

    // What other signers wrote about them: a suggestion with their address, and the
    // prospect made from it (its contacts and log go with it).
    let named_by_others: Vec<Uuid> = sqlx::query_scalar(
        "DELETE FROM referrals WHERE tenant_id = $1 AND email <> '' AND lower(btrim(email)) = lower($2)
         RETURNING id",
    )
    .bind(t)
    .bind(&email)
    .fetch_all(&mut *conn)
    .await?;
    let suggested_prospects: Vec<Uuid> = sqlx::query_scalar(
        "DELETE FROM prospects WHERE tenant_id = $1 AND referral_id = ANY ($2) RETURNING id",
    )
    .bind(t)
    .bind(&named_by_others)
    .fetch_all(&mut *conn)
    .await?;

    // Outreach contacts with the address, and their log.
    let contacts: Vec<(Uuid, String)> = sqlx::query_as(
        "UPDATE prospect_contacts c SET name = $3, email = NULL, phone = '', bounce_reason = ''
         FROM (SELECT id, name FROM prospect_contacts WHERE tenant_id = $1 AND email = $2::citext FOR UPDATE) old
         WHERE c.id = old.id RETURNING c.id, old.name",
    )
    .bind(t)
    .bind(&email)
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
    // Rows an import kept aside to fix whose email cell is the address: the whole row
    // goes (it is about the contact), found by the address compared whole, never by
    // searching the other cells. The import counts them, so its page can say why rows
    // are missing.
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
    .bind(&email)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM mail_suppressions WHERE tenant_id = $1 AND email = $2::citext")
        .bind(t)
        .bind(&email)
        .execute(&mut *conn)
        .await?;

    // Mail. Lists in other people's mail first (a failed email to the address is found
    // by its id, so before that email is forgotten), then the mail to the address.
    let kinds = (is_member).then(signer_mail_kinds);
    let mail_to_them = mail_ids_to(conn, t, &email, kinds.as_deref()).await?;
    erased
        .transport_ids
        .extend(erase_listings(conn, t, &ids, &mail_to_them, &suggested_prospects).await?);
    erased
        .transport_ids
        .extend(forget_mail_to(conn, t, &email, kinds.as_deref()).await?);

    // Statements sent from the address (their own words, published only if approved):
    // the person's details go; an approved statement leaves the page with them. Late,
    // because a statement leaving the page moves its campaign's version.
    sqlx::query(
        "UPDATE statements SET contact_name = $3, email = $4,
                state = CASE WHEN state = 'approved' THEN 'rejected' ELSE state END,
                reason = CASE WHEN state = 'approved' THEN 'erased at the sender''s request' ELSE reason END
         WHERE tenant_id = $1 AND email = $2::citext",
    )
    .bind(t)
    .bind(&email)
    .bind(ERASED_CONTACT)
    .bind(format!("erased+{}@invalid", Uuid::new_v4().simple()))
    .execute(&mut *conn)
    .await?;

    // Last, the signatures themselves and the count. A listed signature leaving the page
    // moves its campaign's counters (the removal at once, the version with the count), so
    // the campaign rows are held only from here to the commit.
    let by = Actor::signer("the signer asked for their details to be erased");
    for &id in &ids {
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
    .bind(&ids)
    .bind(ERASED_NAME)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM signature_links WHERE tenant_id = $1 AND signature_id = ANY ($2)")
        .bind(t)
        .bind(&ids)
        .execute(&mut *conn)
        .await?;

    sqlx::query(
        "UPDATE campaigns c SET erased_signers = c.erased_signers + n.signers
         FROM (SELECT campaign_id, count(*)::int AS signers FROM unnest($2::uuid[]) AS e(campaign_id) GROUP BY 1) n
         WHERE c.tenant_id = $1 AND c.id = n.campaign_id",
    )
    .bind(t)
    .bind(&campaigns)
    .execute(&mut *conn)
    .await?;
    sqlx::query("SELECT set_config('undersigned.defer_public_version', '', true)")
        .execute(&mut *conn)
        .await?;
    erased.signatures = ids.len();
    Ok(Some(erased))
}

/// The group's mail to `email` (of the given kinds only, when some are given), by index.
async fn mail_ids_to(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    email: &str,
    kinds: Option<&[&str]>,
) -> sqlx::Result<Vec<i64>> {
    let kinds: Option<Vec<String>> = kinds.map(|k| k.iter().map(|s| s.to_string()).collect());
    sqlx::query_scalar(
        "SELECT id FROM outbox WHERE tenant_id = $1 AND lower(recipient) = lower($2)
           AND ($3::text[] IS NULL OR message->>'kind' = ANY ($3))",
    )
    .bind(tenant_id)
    .bind(email)
    .bind(&kinds)
    .fetch_all(conn)
    .await
}

/// Replaces, in the member updates and organizers' digests that listed them, the one
/// entry that is about the erased person: a signature (found by the update's and the
/// digest's recorded ids), a failed email to the address, a prospect made from a
/// suggestion naming them. Nothing else of those messages changes (kind, subject,
/// links, other entries); a sent one's written copy, which still names them, is
/// forgotten. Returns the transport ids of those copies.
async fn erase_listings(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    signatures: &[Uuid],
    mail_to_them: &[i64],
    prospects: &[Uuid],
) -> sqlx::Result<Vec<String>> {
    let mut files = Vec::new();
    // Every recipient of an update got the same list: its messages are found by their
    // keys (`member-update:{update}:{recipient's signature}`), through the unique index.
    let updates: Vec<(i64, i32)> = sqlx::query_as(
        "DELETE FROM member_update_names WHERE signature_id = ANY ($1) RETURNING update_id, position",
    )
    .bind(signatures)
    .fetch_all(&mut *conn)
    .await?;
    for (update_id, position) in updates {
        let copies: Vec<Option<String>> = sqlx::query_scalar(
            "WITH old AS (
                 SELECT o.id, o.transport_id FROM member_updates u
                 JOIN signatures s ON s.campaign_id = u.campaign_id
                 JOIN outbox o ON o.idempotency_key = 'member-update:' || u.id || ':' || s.id
                 WHERE u.id = $1 AND u.tenant_id = $2 AND o.tenant_id = $2
                   AND jsonb_typeof(o.message->'signers'->$3) = 'string'
                 FOR UPDATE OF o)
             UPDATE outbox o SET message = jsonb_set(o.message, ARRAY['signers', $3::text], to_jsonb($4::text)),
                    transport_id = CASE WHEN o.status = 'sent' THEN NULL ELSE o.transport_id END
             FROM old WHERE o.id = old.id
             RETURNING CASE WHEN o.status = 'sent' THEN old.transport_id END",
        )
        .bind(update_id)
        .bind(tenant_id)
        .bind(position)
        .bind(ERASED_NAME)
        .fetch_all(&mut *conn)
        .await?;
        files.extend(copies.into_iter().flatten());
    }
    let lines: Vec<(String, String, i32, String)> = sqlx::query_as(
        "DELETE FROM outreach_digest_lines
         WHERE tenant_id = $1 AND (signature_id = ANY ($2) OR outbox_id = ANY ($3) OR prospect_id = ANY ($4))
         RETURNING 'outreach:digest:' || tenant_id || ':' || user_id || ':' || to_char(day, 'YYYY-MM-DD'), list, position,
                   CASE WHEN signature_id IS NOT NULL THEN $5
                        WHEN outbox_id IS NOT NULL THEN 'to ' || $6
                        ELSE $7 END",
    )
    .bind(tenant_id)
    .bind(signatures)
    .bind(mail_to_them)
    .bind(prospects)
    .bind(ERASED_NAME)
    .bind(ERASED_ADDRESS)
    .bind(ERASED_CONTACT)
    .fetch_all(&mut *conn)
    .await?;
    for (key, list, position, replacement) in lines {
        let copy: Option<Option<String>> = sqlx::query_scalar(
            "WITH old AS (
                 SELECT id, transport_id FROM outbox
                 WHERE idempotency_key = $1 AND tenant_id = $2 AND jsonb_typeof(message->$3->$4) = 'string'
                 FOR UPDATE)
             UPDATE outbox o SET message = jsonb_set(o.message, ARRAY[$3, $4::text], to_jsonb($5::text)),
                    transport_id = CASE WHEN o.status = 'sent' THEN NULL ELSE o.transport_id END
             FROM old WHERE o.id = old.id
             RETURNING CASE WHEN o.status = 'sent' THEN old.transport_id END",
        )
        .bind(&key)
        .bind(tenant_id)
        .bind(&list)
        .bind(position)
        .bind(&replacement)
        .fetch_optional(&mut *conn)
        .await?;
        files.extend(copy.flatten());
    }
    Ok(files)
}

/// The group's mail to `email` (of the given kinds only, when some are given): what has
/// not gone out is deleted, what has is kept as a line on the Email page (kind, subject,
/// date, status) without its recipient, contents or written copy. Returns the transport
/// ids of the written copies to delete.
pub async fn forget_mail_to(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    email: &str,
    kinds: Option<&[&str]>,
) -> sqlx::Result<Vec<String>> {
    let kinds: Option<Vec<String>> = kinds.map(|k| k.iter().map(|s| s.to_string()).collect());
    let mut files: Vec<String> = sqlx::query_scalar::<_, Option<String>>(
        "DELETE FROM outbox
         WHERE tenant_id = $1 AND lower(recipient) = lower($2) AND status <> 'sent'
           AND ($3::text[] IS NULL OR message->>'kind' = ANY ($3))
         RETURNING transport_id",
    )
    .bind(tenant_id)
    .bind(email)
    .bind(&kinds)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .flatten()
    .collect::<Vec<String>>();
    let scrubbed: Vec<Option<String>> = sqlx::query_scalar(
        "WITH old AS (
             SELECT id, transport_id FROM outbox
             WHERE tenant_id = $1 AND lower(recipient) = lower($2) AND status = 'sent'
               AND ($3::text[] IS NULL OR message->>'kind' = ANY ($3))
             FOR UPDATE)
         UPDATE outbox o SET recipient = 'erased+' || gen_random_uuid() || '@invalid',
                message = jsonb_build_object('kind', o.message->'kind', 'erased', true),
                transport_id = NULL, unsubscribe_hash = NULL, last_error = NULL
         FROM old WHERE o.id = old.id
         RETURNING old.transport_id",
    )
    .bind(tenant_id)
    .bind(email)
    .bind(&kinds)
    .fetch_all(&mut *conn)
    .await?;
    files.extend(scrubbed.into_iter().flatten());
    Ok(files)
}

/// Deletes the written copies (`.eml` files) of forgotten messages, when mail is written
/// to files; with SMTP there are none. Call after the transaction commits.
pub fn forget_written_mail(config: &crate::config::Config, transport_ids: &[String]) {
    if config.smtp_url.is_some() || transport_ids.is_empty() {
        return;
    }
    let Ok(files) = crate::mail::Transport::files(&config.mail_dir()) else {
        return;
    };
    for id in transport_ids {
        if let Some(path) = files.file_of(id) {
            if let Err(e) = std::fs::remove_file(&path) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!(error = %e, file = %path.display(), "could not delete a forgotten message's file");
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// Finding a name or an address in the text of a row about the signer

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn same_letter(a: char, b: char) -> bool {
    a == b || a.to_lowercase().eq(b.to_lowercase())
}

/// The byte ranges of web and mail links in `text` (up to the next space or bracket).
fn links(text: &str) -> Vec<std::ops::Range<usize>> {
    let lower = text.to_ascii_lowercase();
    let mut found = Vec::new();
    for scheme in ["http://", "https://", "mailto:", "www."] {
        for (start, _) in lower.match_indices(scheme) {
            let end = text[start..]
                .find(|c: char| c.is_whitespace() || "<>\"'()[]".contains(c))
                .map_or(text.len(), |n| start + n);
            found.push(start..end);
        }
    }
    found
}

/// `text` with every occurrence of `needle` (case folded) replaced, where it is not part
/// of a longer word; `None` when there is none.
pub fn redact(text: &str, needle: &str, replacement: &str) -> Option<String> {
    redact_where(text, needle, replacement, true)
}

fn redact_where(text: &str, needle: &str, replacement: &str, in_links: bool) -> Option<String> {
    let needle: Vec<char> = needle.trim().chars().collect();
    let (Some(&first), Some(&last)) = (needle.first(), needle.last()) else {
        return None;
    };
    let skipped = if in_links { Vec::new() } else { links(text) };
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = String::with_capacity(text.len());
    let mut copied_to = 0;
    let mut i = 0;
    let mut found = false;
    while i + needle.len() <= chars.len() {
        let before_ok = !is_word(first) || i == 0 || !is_word(chars[i - 1].1);
        let matches = before_ok
            && !skipped.iter().any(|link| link.contains(&chars[i].0))
            && needle
                .iter()
                .zip(&chars[i..i + needle.len()])
                .all(|(n, (_, c))| same_letter(*n, *c));
        let end = i + needle.len();
        if matches && (!is_word(last) || end == chars.len() || !is_word(chars[end].1)) {
            let start_byte = chars[i].0;
            let end_byte = chars.get(end).map_or(text.len(), |(b, _)| *b);
            out.push_str(&text[copied_to..start_byte]);
            out.push_str(replacement);
            copied_to = end_byte;
            i = end;
            found = true;
        } else {
            i += 1;
        }
    }
    if !found {
        return None;
    }
    out.push_str(&text[copied_to..]);
    Some(out)
}

fn redact_all(text: &str, needles: &[Needle]) -> Option<String> {
    let mut current: Option<String> = None;
    for n in needles {
        let now = current.as_deref().unwrap_or(text);
        if let Some(new) = redact_where(now, &n.text, n.replacement, n.in_links) {
            current = Some(new);
        }
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_found_whatever_its_case_but_never_inside_a_longer_word() {
        assert_eq!(
            redact("Ann signed. ANN again; Annual report", "ann", "X").as_deref(),
            Some("X signed. X again; Annual report")
        );
        assert_eq!(redact("Annual", "Ann", "X"), None);
        assert_eq!(
            redact("to pat@x.example: 550", "Pat@X.example", "(gone)").as_deref(),
            Some("to (gone): 550")
        );
        assert_eq!(
            redact("Signed as Café (UK)!", "café (uk)", "X").as_deref(),
            Some("Signed as X!")
        );
        assert_eq!(redact("anything", "  ", "X"), None);
    }

    #[test]
    fn a_name_inside_a_link_stays_and_an_address_goes_everywhere() {
        let needles = [
            Needle::name("Clean", ERASED_NAME),
            Needle::address("pat@clean.example"),
        ];
        assert_eq!(
            redact_all(
                "Clean called; see https://clean.example/Clean and mailto:pat@clean.example",
                &needles
            )
            .as_deref(),
            Some(
                "Erased signer called; see https://clean.example/Clean and mailto:(erased address)"
            )
        );
        assert_eq!(redact_all("www.clean.example", &needles), None);
    }
}
