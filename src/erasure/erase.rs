//! The erasure: one transaction over each area's `forget`, what one area finds handed to
//! the next (see the module doc of `crate::erasure`).

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::signatures::privacy::{signer_mail_kinds, Needle, ERASED_NAME};
use crate::tenancy::TenantScope;
use crate::{campaigns, coalition, mail, outreach, signatures, statements, tenants};

pub use signatures::store::forget::PlannedSignature;

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
    use signatures::store::forget as own;
    let mut conn = db.acquire().await?;
    let conn: &mut PgConnection = &mut conn;
    let Some((email, ids)) = own::same_address(conn, tenant, signature_id, false).await? else {
        return Ok(None);
    };
    let signatures = own::planned(conn, tenant, &ids, signature_id).await?;
    let (referrals, named_by_others) = own::referral_counts(conn, tenant, &ids, &email).await?;
    let emails = mail::forget::count_to(conn, tenant, &email).await?;
    let (outreach_contacts, kept_rows) =
        outreach::store::forget::counts(conn, tenant, &email).await?;
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
    /// once the transaction commits (`mail::forget::forget_written_mail`).
    pub transport_ids: Vec<String>,
}

/// Erases, inside the caller's transaction, the name and contact details of every
/// signature of the address of `signature_id` in the group. Each area reaches only rows
/// that are provably about this person, found by id or by the exact address, never by
/// searching text the public typed (see docs/signatures.md, "Erasure"):
///
/// - signatures: each is withdrawn (so it leaves the public page at once), then renamed
///   "Erased signer", its address replaced by a unique `erased+<uuid>@invalid`, every
///   other detail blanked, its links deleted, and its state frozen (`erased_at`); its
///   history stays (events keep their states and times; an actor or reason naming the
///   signer is rewritten), as does its consent trail (revisions and times only); its
///   suggestions lose their contents, and a suggestion another signer made with the
///   address is deleted;
/// - outreach: prospects made from their suggestions lose "referred by" and the note
///   naming the signer; the prospect made from another signer's suggestion of them is
///   deleted (with its contacts and log); contacts with the address lose name, address
///   and phone, and their log entries the address and names; "Signed as …" lines about
///   the signatures go; rows an import kept aside to fix with the address in their email
///   cell are deleted (the import counts them); digest lines listing them are deleted;
/// - mail: the group's mail to the address is deleted (not yet sent) or kept without
///   recipient or contents (sent); member updates and organizers' digests that listed a
///   signature (or a failed email to the address) have that one entry replaced, found
///   by the ids recorded when they were queued (campaigns' `member_update_names`,
///   outreach's `outreach_digest_lines`): no other text of anyone's mail changes; the
///   address's unsubscription from the group goes (no address is left to hold it);
/// - statements sent from the address lose the sender's details (an approved one leaves
///   the page);
/// - the coalition's list: the address's membership goes (sessions, sign-in links and
///   reply keys with it) and its posts say "A former member"; invitations to it go;
/// - campaigns: each counts one more erased signer, and that is all it keeps.
///
/// Locks: the signer's own rows, the few rows found by id, and the campaign rows only
/// for the last statement (the count, which also moves the public page's version), so
/// nobody waits on an erasure for more than a moment. The order below keeps that, and
/// hands each area what the areas before it found.
///
/// Mail the group sent to the address while it is also the address of one of the
/// group's members keeps everything but the signer's own mail (they remain a member).
pub async fn erase(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    signature_id: Uuid,
    now: OffsetDateTime,
) -> sqlx::Result<Option<Erased>> {
    use signatures::store::forget as own;
    // The campaigns' versions move once, with the count at the end, rather than when
    // each withdrawal happens: the campaign rows are held only for that last moment.
    let Some((email, ids, signatures)) = own::begin_erasure(conn, tenant, signature_id).await?
    else {
        return Ok(None);
    };
    let is_member = tenants::store::is_member_email(&mut *conn, tenant, &email).await?;
    let campaign_ids: Vec<Uuid> = signatures.iter().map(|s| s.campaign_id).collect();
    let names: Vec<String> = signatures.iter().map(|s| s.name.clone()).collect();
    // What may be rewritten inside the signer's own rows (their history, their contacts'
    // log): never searched for anywhere else.
    let mut needles = vec![Needle::address(&email)];
    for s in &signatures {
        needles.push(Needle::name(&s.name, ERASED_NAME));
        // A member's own name is theirs as an organizer too: left alone.
        if !is_member {
            needles.push(Needle::name(&s.contact_name, ERASED_NAME));
        }
    }
    needles.retain(|n| n.text.trim().chars().count() >= 2);
    let mut erased = Erased::default();

    // "Signed as …" lines about these signatures, read before the withdrawal unlinks
    // them from their prospects.
    outreach::store::forget::forget_signed_lines(conn, tenant, &ids, &campaign_ids, &email, &names)
        .await?;

    // Their suggestions, and the prospects made from them.
    let own_referrals = own::forget_own_referrals(conn, tenant, &ids).await?;
    outreach::store::forget::forget_referred(conn, tenant, &own_referrals).await?;

    own::forget_in_history(conn, tenant, &ids, &needles).await?;

    // What other signers wrote about them: a suggestion with their address, and the
    // prospect made from it.
    let named_by_others = own::forget_referrals_naming(conn, tenant, &email).await?;
    let suggested_prospects =
        outreach::store::forget::forget_suggested(conn, tenant, &named_by_others).await?;

    // Outreach contacts with the address, their log, and the rows imports kept aside.
    outreach::store::forget::forget_contacts(conn, tenant, &email, &needles).await?;
    mail::forget::forget_suppression(conn, tenant, &email).await?;

    // Mail. Lists in other people's mail first (a failed email to the address is found
    // by its id, so before that email is forgotten), then the mail to the address.
    let kinds = (is_member).then(signer_mail_kinds);
    let mail_to_them = mail::forget::ids_to(conn, tenant, &email, kinds.as_deref()).await?;
    for entry in campaigns::store::forget::forget_member_update_names(conn, tenant, &ids).await? {
        let copies = mail::forget::replace_list_entry(conn, tenant, &entry).await?;
        erased.transport_ids.extend(copies);
    }
    let digest_entries = outreach::store::forget::forget_digest_lines(
        conn,
        tenant,
        &ids,
        &mail_to_them,
        &suggested_prospects,
    )
    .await?;
    for entry in digest_entries {
        let copies = mail::forget::replace_list_entry(conn, tenant, &entry).await?;
        erased.transport_ids.extend(copies);
    }
    erased
        .transport_ids
        .extend(mail::forget::forget_mail_to(conn, tenant.uuid(), &email, kinds.as_deref()).await?);

    // Late, because a statement leaving the page moves its campaign's version.
    statements::store::forget::forget_sender(conn, tenant, &email).await?;

    // The coalition's list: the membership of the address goes, and its posts' author
    // becomes "A former member".
    coalition::members::forget(conn, tenant, &email).await?;

    // Last, the signatures themselves and the count. A listed signature leaving the page
    // moves its campaign's counters (the removal at once, the version with the count), so
    // the campaign rows are held only from here to the commit.
    own::forget_signatures(conn, tenant, &ids, now).await?;
    campaigns::store::forget::count_erased(conn, tenant, &campaign_ids).await?;
    own::end_erasure(conn).await?;
    erased.signatures = ids.len();
    Ok(Some(erased))
}
