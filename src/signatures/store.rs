//! SQL for signatures, their state history and referrals. Organizer-side functions take a
//! `TenantId`; what the public side uses takes a `PublicTenantId`; both kinds work where
//! both sides write (`impl TenantScope`).
//!
//! Triggers on signatures' tables (migrations name the functions):
//! - `signatures_confirmed_revision` (signatures, before insert/update): keeps
//!   `confirmed_revision` from `revision_id` whenever a signature is confirmed, so no path
//!   can forget it (reads campaigns' `letter_revisions`, read-only).
//! - Events carried to `campaigns` (kept: signatures sit below campaigns, and every path
//!   that changes a signature must move the public page's cache keys):
//!   `signatures_public_insert`, `signatures_public_update` and
//!   `signatures_public_reconfirm` move `campaigns.public_version` (deferred within one
//!   transaction by `defer_public_version`); `signatures_public_removal` moves
//!   `campaigns.public_removals` when a listed signature leaves.
//! - An event carried to `outreach` (kept: outreach sits above, and every path that
//!   confirms or withdraws a signature must move the prospect): `signatures_outreach`
//!   marks the matching prospect signed or unsigned and logs it in
//!   `outreach_activities`.

pub mod consent_lock;
pub mod forget;
pub mod list_join;
pub mod reissue;
pub mod retention;

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::lifecycle::{
    allowed, initial_state, target, Action, SignatureKind, SignatureSource, SignatureState, Target,
};
use super::names;
use crate::tenancy::{PublicTenantId, TenantId, TenantScope};

/// Who did something to a signature, and why: every change is recorded with it.
pub struct Actor<'a> {
    /// "signer", "organizer Dana", "demo data".
    pub name: &'a str,
    pub user_id: Option<Uuid>,
    pub reason: &'a str,
}

impl<'a> Actor<'a> {
    pub fn signer(reason: &'a str) -> Self {
        Actor {
            name: "signer",
            user_id: None,
            reason,
        }
    }
}

#[derive(Clone, Debug)]
pub struct NewSignature {
    pub kind: SignatureKind,
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
    pub domain_matches: bool,
    pub source: SignatureSource,
    pub revision_id: Option<Uuid>,
    pub token_hash: Option<Vec<u8>>,
    pub token_expires_at: Option<OffsetDateTime>,
    /// A reissue: the signature of the earlier campaign this one was made from.
    pub reissued_from: Option<Uuid>,
    /// Made from a contact's personal link, at the address the ask went to.
    pub personal_ask: Option<PersonalAsk>,
}

/// The ask a signature answers: the person of the address book written to (`people`) and the
/// organizer who wrote, when known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PersonalAsk {
    pub contact_id: Uuid,
    pub asked_by: Option<Uuid>,
}

impl NewSignature {
    pub fn new(kind: SignatureKind, source: SignatureSource) -> Self {
        NewSignature {
            kind,
            name: String::new(),
            website: String::new(),
            city: String::new(),
            size: String::new(),
            parent_organization: String::new(),
            contact_name: String::new(),
            contact_title: String::new(),
            email: String::new(),
            phone: String::new(),
            show_contact: false,
            affiliation: String::new(),
            comment: String::new(),
            domain_matches: false,
            source,
            revision_id: None,
            token_hash: None,
            token_expires_at: None,
            reissued_from: None,
            personal_ask: None,
        }
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Existing {
    pub id: Uuid,
    pub state: SignatureState,
    pub email: String,
}

pub enum Inserted {
    Created(Uuid),
    /// Same email, or the same organization after normalization, already signed.
    Duplicate(Existing),
}

/// Stores a new signature in the state its source starts in and records who added it.
pub async fn insert(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    campaign_id: Uuid,
    new: &NewSignature,
    by: &Actor<'_>,
    now: OffsetDateTime,
) -> sqlx::Result<Inserted> {
    let name_key = names::name_key(&new.name);
    let state = initial_state(new.source);
    let id = Uuid::new_v4();
    let created: Option<Uuid> = sqlx::query_scalar(
        "INSERT INTO signatures (id, tenant_id, campaign_id, kind, name, name_key, sort_key, website, city, size,
                                 parent_organization, contact_name, contact_title, email, phone, show_contact,
                                 affiliation, comment, domain_matches, source, state, revision_id, token_hash,
                                 token_expires_at, confirmations_sent, confirmed_at, created_at, reissued_from,
                                 personal_ask_contact_id, personal_ask_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
                 $23, $24, CASE WHEN $23::bytea IS NULL THEN 0 ELSE 1 END,
                 CASE WHEN $21 = 'confirmed' THEN $25 END, $25, $26, $27, $28)
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(id)
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(new.kind)
    .bind(&new.name)
    .bind(&name_key)
    .bind(names::sort_key(&new.name))
    .bind(&new.website)
    .bind(&new.city)
    .bind(&new.size)
    .bind(&new.parent_organization)
    .bind(&new.contact_name)
    .bind(&new.contact_title)
    .bind(&new.email)
    .bind(&new.phone)
    .bind(new.show_contact)
    .bind(&new.affiliation)
    .bind(&new.comment)
    .bind(new.domain_matches)
    .bind(new.source)
    .bind(state)
    .bind(new.revision_id)
    .bind(&new.token_hash)
    .bind(new.token_expires_at)
    .bind(now)
    .bind(new.reissued_from)
    .bind(new.personal_ask.map(|a| a.contact_id))
    .bind(new.personal_ask.and_then(|a| a.asked_by))
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = created {
        record_event(conn, tenant, id, None, state, by, now).await?;
        if let (SignatureState::Confirmed, Some(revision_id)) = (state, new.revision_id) {
            sqlx::query(
                "INSERT INTO signature_consents (tenant_id, signature_id, revision_id, how, at) VALUES ($1, $2, $3, 'confirmed', $4)",
            )
            .bind(tenant.uuid())
            .bind(id)
            .bind(revision_id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
        return Ok(Inserted::Created(id));
    }
    // Two index lookups (the same email first, then the same organization), never a scan
    // of the campaign's signatures: a stranger re-submitting the form must stay cheap.
    let existing: Existing = sqlx::query_as(
        "(SELECT id, state, email::text AS email FROM signatures
           WHERE tenant_id = $1 AND campaign_id = $2 AND email = $3::citext)
         UNION ALL
         (SELECT id, state, email::text AS email FROM signatures
           WHERE tenant_id = $1 AND campaign_id = $2 AND kind = 'organization' AND $4 = 'organization'
             AND name_key = $5)
         LIMIT 1",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(&new.email)
    .bind(new.kind)
    .bind(&name_key)
    .fetch_one(conn)
    .await?;
    Ok(Inserted::Duplicate(existing))
}

/// How many signatures the group imported since `since`, with the group locked until the
/// transaction ends (so concurrent imports are counted in turn).
pub async fn imported_since(
    conn: &mut PgConnection,
    tenant: TenantId,
    since: OffsetDateTime,
) -> sqlx::Result<i64> {
    crate::tenancy::store::lock_tenant(&mut *conn, tenant).await?;
    sqlx::query_scalar(
        "SELECT count(*) FROM signatures WHERE tenant_id = $1 AND source = 'import' AND created_at > $2",
    )
    .bind(tenant.uuid())
    .bind(since)
    .fetch_one(conn)
    .await
}

/// For many inserts in one transaction (a CSV import): the public page's version is not
/// moved per row; call `campaigns::store::move_public_version` once before committing.
pub async fn defer_public_version(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query("SELECT set_config('undersigned.defer_public_version', 'on', true)")
        .execute(conn)
        .await?;
    Ok(())
}

async fn record_event(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    signature_id: Uuid,
    from: Option<SignatureState>,
    to: SignatureState,
    by: &Actor<'_>,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO signature_events (tenant_id, signature_id, from_state, to_state, actor, actor_user_id, reason, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(tenant.uuid())
    .bind(signature_id)
    .bind(from)
    .bind(to)
    .bind(by.name)
    .bind(by.user_id)
    .bind(by.reason)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// A signature's state, read under its row lock in the caller's transaction (`None`: no
/// such signature, or erased).
pub async fn state_for_update(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    signature_id: Uuid,
) -> sqlx::Result<Option<SignatureState>> {
    sqlx::query_scalar(
        "SELECT state FROM signatures WHERE tenant_id = $1 AND id = $2 AND erased_at IS NULL
         FOR NO KEY UPDATE",
    )
    .bind(tenant.uuid())
    .bind(signature_id)
    .fetch_optional(conn)
    .await
}

/// A state change that happened: from where to where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Changed {
    pub from: SignatureState,
    pub to: SignatureState,
}

/// Applies `action` to a signature if the lifecycle allows it from the state it is in
/// now (read under a row lock), and records who did it. `None`: not allowed from that
/// state, or no such signature in this tenant, or its signer erased it (an erased
/// signature's state never changes again: see `crate::erasure::erase`).
pub async fn change_state(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    signature_id: Uuid,
    action: Action,
    by: &Actor<'_>,
    now: OffsetDateTime,
) -> sqlx::Result<Option<Changed>> {
    let current: Option<(SignatureState, SignatureSource, Uuid)> = sqlx::query_as(
        "SELECT state, source, campaign_id FROM signatures
         WHERE tenant_id = $1 AND id = $2 AND erased_at IS NULL FOR NO KEY UPDATE",
    )
    .bind(tenant.uuid())
    .bind(signature_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((from, source, campaign_id)) = current else {
        return Ok(None);
    };
    let to = match target(from, action) {
        None => return Ok(None),
        Some(Target::To(to)) => to,
        Some(Target::StateBeforeRejection) => {
            // The latest rejection by insertion order (clocks of instances may disagree).
            let before: Option<Option<SignatureState>> = sqlx::query_scalar(
                "SELECT from_state FROM signature_events
                 WHERE tenant_id = $1 AND signature_id = $2 AND to_state = 'rejected'
                 ORDER BY id DESC LIMIT 1",
            )
            .bind(tenant.uuid())
            .bind(signature_id)
            .fetch_optional(&mut *conn)
            .await?;
            match before.flatten() {
                Some(before) => before,
                // No recorded rejection (imported data, say): nothing to go back to.
                None => return Ok(None),
            }
        }
    };
    // `confirmed_at` is when the signer confirmed, never when organizers acted.
    sqlx::query(
        "UPDATE signatures SET state = $3,
                confirmed_at = CASE WHEN $5 THEN coalesce(confirmed_at, $4) ELSE confirmed_at END
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.uuid())
    .bind(signature_id)
    .bind(to)
    .bind(now)
    .bind(action.gives_signer_consent())
    .execute(&mut *conn)
    .await?;
    record_event(&mut *conn, tenant, signature_id, Some(from), to, by, now).await?;
    if source.is_reissue() {
        if let Some(decision) = super::reissue::Decision::of(from, action) {
            // The scheduler's reasons say why; a signer's step speaks for itself.
            let detail = if action == Action::NoticeVoided {
                by.reason
            } else {
                ""
            };
            super::reissue::record(
                conn,
                tenant,
                campaign_id,
                None,
                Some(signature_id),
                decision,
                detail,
                now,
            )
            .await?;
        }
    }
    Ok(Some(Changed { from, to }))
}

crate::db::text_enum! {
    /// A line of a signature's consent trail.
    pub enum Consent {
        /// The signer confirmed this revision.
        Confirmed = "confirmed",
        /// The signer confirmed this revision after a substantive change.
        Reconfirmed = "reconfirmed",
        /// A minor change: the signer's consent to the earlier text carries over.
        CarriedOver = "carried_over",
        /// A substantive change the signer did not confirm in time: not listed under it.
        NotCarriedOver = "not_carried_over",
        /// A reissue's opt-out date passed: listed by the consent the signer gave in
        /// advance (they confirmed the original with the reissue notice shown, were sent
        /// this text and did not opt out).
        ListedAfterNotice = "listed_after_notice",
    }
}

impl Consent {
    pub fn label(self) -> &'static str {
        match self {
            Consent::Confirmed => "confirmed this text",
            Consent::Reconfirmed => "confirmed this changed text",
            Consent::CarriedOver => "consent carried over (minor change)",
            Consent::NotCarriedOver => {
                "did not confirm this changed text in time: not listed under it"
            }
            Consent::ListedAfterNotice => {
                "listed: was sent this reissued text and did not opt out by the date announced in advance"
            }
        }
    }
}

/// Records the revision of the letter the signer confirmed (shown to them on their
/// page), in the signature and in its consent trail.
pub async fn set_confirmed_revision(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    signature_id: Uuid,
    revision_id: Option<Uuid>,
    how: Consent,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE signatures SET revision_id = $3 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.uuid())
        .bind(signature_id)
        .bind(revision_id)
        .execute(&mut *conn)
        .await?;
    if let Some(revision_id) = revision_id {
        sqlx::query(
            "INSERT INTO signature_consents (tenant_id, signature_id, revision_id, how, at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(tenant.uuid())
        .bind(signature_id)
        .bind(revision_id)
        .bind(how)
        .bind(now)
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// What "listed" means, written once: a signature stands under the letter (on the public
/// page, in its counts, the individuals pages, the PDF, member updates, and every count
/// organizers read) while it is confirmed and its signer's consent covers the consent
/// floor (`campaigns.consent_from_revision`, the current revision). `s` is the
/// signatures table's alias with its dot ("s." or ""), `floor` the SQL giving the floor
/// (a parameter, or `c.consent_from_revision`).
pub fn listed_sql(s: &str, floor: &str) -> String {
    format!("{s}state = 'confirmed' AND {s}confirmed_revision >= {floor}")
}

/// Confirmed but not listed: the signer confirmed an earlier text and has not yet
/// confirmed the current one (the negation of `listed_sql` among confirmed signatures).
/// The host organization follows its own group's revisions, so it never waits.
pub fn awaiting_reconfirmation_sql(s: &str, floor: &str) -> String {
    format!(
        "{s}state = 'confirmed' AND {s}source <> 'host' AND NOT coalesce({}, false)",
        listed_sql(s, floor)
    )
}

/// A signer listed under the text as it stood before a change, to be told of it.
pub struct Listed {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    /// The host organization's own signature.
    pub host: bool,
}

/// Signers listed now (confirmed, consent covering revision `consent_from` or later).
pub async fn listed(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    consent_from: i32,
) -> sqlx::Result<Vec<Listed>> {
    let rows: Vec<(Uuid, String, String, bool)> = sqlx::query_as(&format!(
        "SELECT id, name, email::text, source = 'host' FROM signatures
         WHERE tenant_id = $1 AND campaign_id = $2 AND {}
         ORDER BY id",
        listed_sql("", "$3")
    ))
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(consent_from)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, email, host)| Listed {
            id,
            name,
            email,
            host,
        })
        .collect())
}

/// Signers whose consent covers the text as it stands (revision `floor`): those listed,
/// and those confirmed and awaiting approval, whose address can still be written to (not
/// anonymized by the retention setting). A change to the text concerns them: they are
/// told, and a minor change carries their consent over (nobody else's). Their rows are locked, in
/// order, so a withdrawal at the same moment is either seen or waits.
pub async fn holding_consent(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    floor: i32,
) -> sqlx::Result<Vec<Listed>> {
    let rows: Vec<(Uuid, String, String, bool)> = sqlx::query_as(
        "SELECT id, name, email::text, source = 'host' FROM signatures
         WHERE tenant_id = $1 AND campaign_id = $2 AND state IN ('confirmed', 'awaiting_approval')
           AND confirmed_revision >= $3 AND anonymized_at IS NULL AND erased_at IS NULL
         ORDER BY id FOR NO KEY UPDATE",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(floor)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, email, host)| Listed {
            id,
            name,
            email,
            host,
        })
        .collect())
}

/// How many signers (besides the host organization) have confirmed some text of this
/// campaign and could be listed by it: listed, listed once they confirm a changed text,
/// awaiting approval, or rejected (organizers may undo a rejection). A change to the text
/// once any of them exists needs the minor/substantive step. Count it under the consent
/// lock, taken exclusively (`consent::lock_exclusive`).
pub async fn ever_confirmed_count(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM signatures
         WHERE tenant_id = $1 AND campaign_id = $2 AND source <> 'host'
           AND state IN ('confirmed', 'awaiting_approval', 'rejected') AND confirmed_revision IS NOT NULL",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_one(conn)
    .await
}

/// How many signers (besides the host organization) hold consent to the text as it
/// stands (revision `floor`), listed now or once organizers approve or restore them: the
/// title and points of unity they confirmed may not change under them.
pub async fn holding_consent_count(
    db: impl sqlx::PgExecutor<'_>,
    tenant: TenantId,
    campaign_id: Uuid,
    floor: i32,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM signatures
         WHERE tenant_id = $1 AND campaign_id = $2 AND source <> 'host'
           AND state IN ('confirmed', 'awaiting_approval', 'rejected') AND confirmed_revision >= $3",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(floor)
    .fetch_one(db)
    .await
}

/// How many signers (besides the host organization) a change to the text would tell:
/// listed, or confirmed and awaiting approval, with consent covering revision `floor`
/// (as `holding_consent`, without locking).
pub async fn to_tell_count(
    db: impl sqlx::PgExecutor<'_>,
    tenant: TenantId,
    campaign_id: Uuid,
    floor: i32,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM signatures
         WHERE tenant_id = $1 AND campaign_id = $2 AND source <> 'host'
           AND state IN ('confirmed', 'awaiting_approval') AND confirmed_revision >= $3
           AND anonymized_at IS NULL AND erased_at IS NULL",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(floor)
    .fetch_one(db)
    .await
}

/// A minor change: the consent of these signers, told of it, now covers revision
/// `number` (in the signature, which the public list reads, and in the trail).
pub async fn carry_over(
    conn: &mut PgConnection,
    tenant: TenantId,
    signature_ids: &[Uuid],
    (revision_id, number): (Uuid, i32),
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE signatures SET confirmed_revision = $3
         WHERE tenant_id = $1 AND id = ANY($2) AND state IN ('confirmed', 'awaiting_approval')",
    )
    .bind(tenant.uuid())
    .bind(signature_ids)
    .bind(number)
    .execute(&mut *conn)
    .await?;
    record_consents(
        conn,
        tenant,
        signature_ids,
        revision_id,
        Consent::CarriedOver,
        now,
    )
    .await
}

/// Locks the host organization's signature of a campaign, which every revision moves
/// (`campaigns::letter_changes::host_follows`): taken before the campaign's row, the
/// order in which a change of the host's state takes them.
pub async fn lock_host(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
) -> sqlx::Result<()> {
    sqlx::query(
        "SELECT 1 FROM signatures WHERE tenant_id = $1 AND campaign_id = $2 AND source = 'host'
         ORDER BY id FOR NO KEY UPDATE",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes one line of the same kind into the trail of many signatures at once.
pub async fn record_consents(
    conn: &mut PgConnection,
    tenant: TenantId,
    signature_ids: &[Uuid],
    revision_id: Uuid,
    how: Consent,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO signature_consents (tenant_id, signature_id, revision_id, how, at)
         SELECT $1, id, $3, $4, $5 FROM unnest($2::uuid[]) AS id",
    )
    .bind(tenant.uuid())
    .bind(signature_ids)
    .bind(revision_id)
    .bind(how)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Further links for many signatures at once (a letter change tells every signer, each
/// with their own link), without the one-an-hour limit of re-submissions.
pub async fn add_links(
    conn: &mut PgConnection,
    tenant: TenantId,
    links: &[(Uuid, Vec<u8>)],
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> sqlx::Result<()> {
    let ids: Vec<Uuid> = links.iter().map(|(id, _)| *id).collect();
    let hashes: Vec<Vec<u8>> = links.iter().map(|(_, hash)| hash.clone()).collect();
    sqlx::query(
        "INSERT INTO signature_links (token_hash, tenant_id, signature_id, created_at, expires_at)
         SELECT hash, $1, id, $4, $5 FROM unnest($2::uuid[], $3::bytea[]) AS l(id, hash)",
    )
    .bind(tenant.uuid())
    .bind(&ids)
    .bind(&hashes)
    .bind(now)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// One line of a signature's consent trail, for the organizers' signature page.
#[derive(sqlx::FromRow)]
pub struct ConsentLine {
    pub revision_number: i32,
    pub how: Consent,
    pub at: OffsetDateTime,
}

pub async fn consent_trail(
    db: &PgPool,
    tenant: TenantId,
    signature_id: Uuid,
) -> sqlx::Result<Vec<ConsentLine>> {
    sqlx::query_as(
        "SELECT r.number AS revision_number, c.how, c.at FROM signature_consents c JOIN letter_revisions r ON r.id = c.revision_id
         WHERE c.tenant_id = $1 AND c.signature_id = $2 ORDER BY c.id",
    )
    .bind(tenant.uuid())
    .bind(signature_id)
    .fetch_all(db)
    .await
}

/// One confirmation email per this long, however often the form is re-submitted.
pub const REMINDER_GAP: time::Duration = time::Duration::hours(1);

/// Adds a further confirmation link to an unconfirmed signature (the earlier ones keep
/// working) unless one was sent less than `REMINDER_GAP` ago; returns the number of this
/// confirmation email, or `None` when it is too soon.
pub async fn add_link(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    signature_id: Uuid,
    token_hash: &[u8],
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> sqlx::Result<Option<i32>> {
    // The row lock makes two re-submissions at once send one email, not two.
    let last_sent: Option<OffsetDateTime> = sqlx::query_scalar(
        "SELECT greatest(s.created_at,
                         (SELECT max(l.created_at) FROM signature_links l WHERE l.signature_id = s.id))
         FROM signatures s WHERE s.tenant_id = $1 AND s.id = $2 FOR NO KEY UPDATE",
    )
    .bind(tenant.uuid())
    .bind(signature_id)
    .fetch_optional(&mut *conn)
    .await?;
    match last_sent {
        Some(at) if now - at >= REMINDER_GAP => {}
        _ => return Ok(None),
    }
    sqlx::query(
        "INSERT INTO signature_links (token_hash, tenant_id, signature_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(tenant.uuid())
    .bind(signature_id)
    .bind(now)
    .bind(expires_at)
    .execute(&mut *conn)
    .await?;
    sqlx::query_scalar(
        "UPDATE signatures SET confirmations_sent = confirmations_sent + 1
         WHERE tenant_id = $1 AND id = $2 RETURNING confirmations_sent",
    )
    .bind(tenant.uuid())
    .bind(signature_id)
    .fetch_one(conn)
    .await
    .map(Some)
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Signature {
    pub id: Uuid,
    #[sqlx(rename = "tenant_id")]
    tenant_uuid: Uuid,
    pub campaign_id: Uuid,
    pub kind: SignatureKind,
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
    pub domain_matches: bool,
    pub source: SignatureSource,
    pub state: SignatureState,
    /// The revision the signer confirmed themselves.
    pub revision_number: Option<i32>,
    /// The latest revision their consent covers: the one they confirmed, or a later one
    /// a minor change carried it to. Listed only while it is the current text's.
    #[sqlx(rename = "confirmed_revision")]
    pub consent_revision: Option<i32>,
    pub token_expires_at: Option<OffsetDateTime>,
    pub confirmed_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    /// Signed from a contact's personal link, at the address the ask went to.
    pub from_personal_ask: bool,
    /// The organizer who had asked, and the contact asked, while both are there to name.
    pub asked_by_name: Option<String>,
    pub asked_contact_name: Option<String>,
}

impl Signature {
    /// Where a signature made from a personal link came from: "from Maya's ask to Keisha
    /// Grant".
    pub fn personal_ask_line(&self) -> Option<String> {
        if !self.from_personal_ask {
            return None;
        }
        let ask = match self
            .asked_by_name
            .as_deref()
            .map(|name| name.split_whitespace().next().unwrap_or(""))
            .filter(|first| !first.is_empty())
        {
            Some(first) => format!("from {first}'s ask"),
            None => "from a personal ask".to_owned(),
        };
        Some(
            match self.asked_contact_name.as_deref().filter(|n| !n.is_empty()) {
                Some(contact) => format!("{ask} to {contact}"),
                None => ask,
            },
        )
    }

    /// An organization's signature from the public form whose address is not on its
    /// website's domain, unless organizers sent the ask to that very address.
    pub fn needs_closer_look(&self) -> bool {
        self.is_organization()
            && !self.domain_matches
            && self.from_form()
            && !self.from_personal_ask
    }

    pub fn state_label(&self) -> &'static str {
        self.state.label()
    }

    pub fn is_organization(&self) -> bool {
        self.kind == SignatureKind::Organization
    }

    /// Whether the lifecycle lets `action` happen to this signature now.
    pub fn allows(&self, action: Action) -> bool {
        allowed(self.state, action)
    }

    /// Came in through the public form (so its domain check means something).
    pub fn from_form(&self) -> bool {
        self.source == SignatureSource::Form
    }
}

const COLUMNS: &str = "s.id, s.tenant_id, s.campaign_id, s.kind, s.name, s.website, s.city, s.size, s.parent_organization, \
     s.contact_name, s.contact_title, s.email::text AS email, s.phone, s.show_contact, s.affiliation, s.comment, \
     s.domain_matches, s.source, s.state, r.number AS revision_number, s.confirmed_revision, s.token_expires_at, s.confirmed_at, s.created_at, \
     s.personal_ask_contact_id IS NOT NULL AS from_personal_ask, \
     (SELECT u.name FROM users u WHERE u.id = s.personal_ask_by) AS asked_by_name, \
     (SELECT pc.name FROM people pc WHERE pc.id = s.personal_ask_contact_id AND pc.tenant_id = s.tenant_id) AS asked_contact_name";

/// The signature an emailed link names: the first link, or one sent again later (then
/// with that link's own expiry).
pub async fn by_token(
    db: &PgPool,
    tenant: PublicTenantId,
    campaign_id: Uuid,
    token_hash: &[u8],
) -> sqlx::Result<Option<Signature>> {
    // Two index lookups (the first link on the signature, later ones in signature_links),
    // never a scan of the campaign's signatures.
    let columns = COLUMNS.replace(
        "s.token_expires_at",
        "coalesce((SELECT l.expires_at FROM signature_links l WHERE l.token_hash = $3 AND l.signature_id = s.id),
                  s.token_expires_at) AS token_expires_at",
    );
    sqlx::query_as(&format!(
        "SELECT {columns} FROM signatures s LEFT JOIN letter_revisions r ON r.id = s.revision_id
         WHERE s.tenant_id = $1 AND s.campaign_id = $2
           AND s.id = (SELECT id FROM signatures WHERE token_hash = $3
                       UNION ALL
                       SELECT signature_id FROM signature_links WHERE token_hash = $3
                       LIMIT 1)"
    ))
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(token_hash)
    .fetch_optional(db)
    .await
}

pub async fn by_id(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<Signature>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM signatures s LEFT JOIN letter_revisions r ON r.id = s.revision_id
         WHERE s.tenant_id = $1 AND s.campaign_id = $2 AND s.id = $3"
    ))
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// A signature of any campaign of the tenant, read in the caller's transaction.
pub async fn by_id_in(
    conn: &mut PgConnection,
    tenant: TenantId,
    id: Uuid,
) -> sqlx::Result<Option<Signature>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM signatures s LEFT JOIN letter_revisions r ON r.id = s.revision_id
         WHERE s.tenant_id = $1 AND s.id = $2"
    ))
    .bind(tenant.uuid())
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Signatures for organizers, newest first; `state` narrows to one state.
pub async fn for_campaign(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    state: Option<SignatureState>,
    limit: i64,
) -> sqlx::Result<Vec<Signature>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM signatures s LEFT JOIN letter_revisions r ON r.id = s.revision_id
         WHERE s.tenant_id = $1 AND s.campaign_id = $2 AND ($3::text IS NULL OR s.state = $3)
         ORDER BY s.created_at DESC, s.id LIMIT $4"
    ))
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(state)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Every signature, in public order, for the CSV export.
pub async fn all_for_export(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
) -> sqlx::Result<Vec<Signature>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM signatures s LEFT JOIN letter_revisions r ON r.id = s.revision_id
         WHERE s.tenant_id = $1 AND s.campaign_id = $2
         ORDER BY s.kind DESC, s.sort_key COLLATE signer_order, s.id"
    ))
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_all(db)
    .await
}

#[derive(Default, Debug)]
pub struct StateCounts {
    pub pending: i64,
    pub notified: i64,
    pub awaiting_approval: i64,
    pub confirmed: i64,
    pub rejected: i64,
    pub withdrawn: i64,
    /// Confirmed and listed under the current text (`listed_sql`): what the public page
    /// counts, and what counts against the target.
    pub listed: i64,
    /// Confirmed an earlier text, not listed until they confirm the current one.
    pub awaiting_reconfirmation: i64,
}

pub async fn counts_by_state(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
) -> sqlx::Result<StateCounts> {
    let rows: Vec<(SignatureState, i64, i64, i64)> = sqlx::query_as(&format!(
        "SELECT s.state, count(*), count(*) FILTER (WHERE {}), count(*) FILTER (WHERE {})
         FROM signatures s JOIN campaigns c ON c.id = s.campaign_id
         WHERE s.tenant_id = $1 AND s.campaign_id = $2 GROUP BY s.state",
        listed_sql("s.", "c.consent_from_revision"),
        awaiting_reconfirmation_sql("s.", "c.consent_from_revision"),
    ))
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_all(db)
    .await?;
    let mut counts = StateCounts::default();
    for (state, n, listed, awaiting) in rows {
        counts.listed += listed;
        counts.awaiting_reconfirmation += awaiting;
        *match state {
            SignatureState::Pending => &mut counts.pending,
            SignatureState::Notified => &mut counts.notified,
            SignatureState::AwaitingApproval => &mut counts.awaiting_approval,
            SignatureState::Confirmed => &mut counts.confirmed,
            SignatureState::Rejected => &mut counts.rejected,
            SignatureState::Withdrawn => &mut counts.withdrawn,
        } = n;
    }
    Ok(counts)
}

/// A signer who confirmed an earlier text and is not listed under the current one until
/// they confirm it, with the date the organizers set for that and the reminders sent.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct AwaitingReconfirmation {
    pub id: Uuid,
    pub name: String,
    pub contact_name: String,
    pub email: String,
    /// The revision their consent covers.
    pub consent_revision: i32,
    /// Until when they may confirm: the date set with the latest substantive change after
    /// the text they confirmed (none: approved or restored after a change, then asked).
    pub respond_by: Option<OffsetDateTime>,
    /// Reminders to confirm the current text sent to them so far, and the last one's time.
    pub reminders: i64,
    pub last_reminded_at: Option<OffsetDateTime>,
    /// Anonymized or erased: no address is left to remind.
    pub unreachable: bool,
}

/// Who awaits reconfirmation in this campaign (`awaiting_reconfirmation_sql`), in name
/// order.
pub async fn awaiting_reconfirmation(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
) -> sqlx::Result<Vec<AwaitingReconfirmation>> {
    let condition = awaiting_reconfirmation_sql("s.", "c.consent_from_revision");
    sqlx::query_as(&format!(
        "SELECT s.id, s.name, s.contact_name, s.email::text AS email,
                coalesce(s.confirmed_revision, 0) AS consent_revision,
                (SELECT r.respond_by FROM letter_revisions r
                  WHERE r.campaign_id = s.campaign_id AND r.number > coalesce(s.confirmed_revision, 0)
                    AND r.change_kind = 'substantive'
                  ORDER BY r.number DESC LIMIT 1) AS respond_by,
                (SELECT count(*) FROM consent_notices n
                  WHERE n.signature_id = s.id AND n.revision_id = cur.id AND n.stage LIKE 'reminder:%') AS reminders,
                (SELECT max(n.at) FROM consent_notices n
                  WHERE n.signature_id = s.id AND n.revision_id = cur.id AND n.stage LIKE 'reminder:%') AS last_reminded_at,
                (s.anonymized_at IS NOT NULL OR s.erased_at IS NOT NULL) AS unreachable
         FROM signatures s JOIN campaigns c ON c.id = s.campaign_id
         LEFT JOIN LATERAL (SELECT id FROM letter_revisions
                             WHERE campaign_id = c.id ORDER BY number DESC LIMIT 1) cur ON true
         WHERE s.tenant_id = $1 AND s.campaign_id = $2 AND {condition}
         ORDER BY s.sort_key COLLATE signer_order, s.id LIMIT 1000"
    ))
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_all(conn)
    .await
}

/// Records a reminder to confirm the current text (`revision_id`), the `nth` to this
/// signer for it; false when that reminder was recorded already (a second click: the
/// insert waits for the first click's transaction and then finds its row).
pub async fn record_reconfirm_reminder(
    conn: &mut PgConnection,
    signature_id: Uuid,
    revision_id: Uuid,
    nth: i64,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO consent_notices (signature_id, revision_id, stage, at) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING",
    )
    .bind(signature_id)
    .bind(revision_id)
    .bind(format!("reminder:{nth}"))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What a new row must not repeat: `email:<lowercased>` for every signature and
/// `name:<folded>` for every organization (the keys of the CSV import's duplicate check).
pub async fn existing_keys(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
) -> sqlx::Result<std::collections::HashSet<String>> {
    let rows: Vec<(SignatureKind, String, String)> = sqlx::query_as(
        "SELECT kind, lower(email::text), name_key FROM signatures WHERE tenant_id = $1 AND campaign_id = $2",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_all(db)
    .await?;
    let mut keys = std::collections::HashSet::new();
    for (kind, email, name) in rows {
        keys.insert(format!("email:{email}"));
        if kind == SignatureKind::Organization {
            keys.insert(format!("name:{name}"));
        }
    }
    Ok(keys)
}

/// The websites of this campaign's listed organizations named like `organizations`
/// (folded), by folded name: the statements page checks a statement's address against
/// the signer it names.
pub async fn listed_websites_by_name(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    organizations: &[&str],
) -> sqlx::Result<std::collections::HashMap<String, String>> {
    let keys: Vec<String> = organizations.iter().map(|n| names::name_key(n)).collect();
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT name_key, website FROM signatures
         WHERE tenant_id = $1 AND campaign_id = $2 AND kind = 'organization' AND state = 'confirmed'
           AND name_key = ANY ($3)",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(&keys)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().collect())
}

#[derive(sqlx::FromRow)]
pub struct EventRow {
    pub from_state: Option<SignatureState>,
    pub to_state: SignatureState,
    pub actor: String,
    pub reason: String,
    pub at: OffsetDateTime,
}

pub async fn events(
    db: &PgPool,
    tenant: TenantId,
    signature_id: Uuid,
) -> sqlx::Result<Vec<EventRow>> {
    sqlx::query_as(
        "SELECT from_state, to_state, actor, reason, at FROM signature_events
         WHERE tenant_id = $1 AND signature_id = $2 ORDER BY at, id",
    )
    .bind(tenant.uuid())
    .bind(signature_id)
    .fetch_all(db)
    .await
}

/// A confirmed signer as the public page lists them.
pub struct PublicSigner {
    pub name: String,
    pub city: String,
    pub contact: Option<String>,
    pub affiliation: String,
}

/// A listed signer's row, before the contact is put together.
#[derive(sqlx::FromRow)]
struct PublicSignerRow {
    name: String,
    city: String,
    contact_name: String,
    contact_title: String,
    show_contact: bool,
    affiliation: String,
}

/// Confirmed signers of one kind in `signer_order`, straight off the partial index:
/// `limit` of them from `offset` (all of them with `i64::MAX`).
/// Only signers whose consent covers the text shown are listed: they confirmed revision
/// `consent_from` (the latest substantive change) or a later one. Organizers read the
/// same list for the PDF of the letter (`campaigns::document`).
pub async fn public_list(
    db: impl sqlx::PgExecutor<'_>,
    tenant: impl TenantScope,
    campaign_id: Uuid,
    consent_from: i32,
    kind: SignatureKind,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<PublicSigner>> {
    let rows: Vec<PublicSignerRow> = sqlx::query_as(&format!(
        "SELECT name, city, contact_name, contact_title, show_contact, affiliation FROM signatures
         WHERE campaign_id = $2 AND kind = $3 AND tenant_id = $1 AND {}
         ORDER BY sort_key COLLATE signer_order, id OFFSET $4 LIMIT $5",
        listed_sql("", "$6")
    ))
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(kind)
    .bind(offset)
    .bind(limit)
    .bind(consent_from)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let contact = (r.show_contact && !r.contact_name.is_empty()).then(|| {
                if r.contact_title.is_empty() {
                    r.contact_name.clone()
                } else {
                    format!("{}, {}", r.contact_name, r.contact_title)
                }
            });
            PublicSigner {
                name: r.name,
                city: r.city,
                contact,
                affiliation: r.affiliation,
            }
        })
        .collect())
}

/// How many signers of one kind are listed (as `public_list`).
pub async fn public_count(
    db: impl sqlx::PgExecutor<'_>,
    tenant: PublicTenantId,
    campaign_id: Uuid,
    consent_from: i32,
    kind: SignatureKind,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(&format!(
        "SELECT count(*) FROM signatures
         WHERE campaign_id = $2 AND kind = $3 AND tenant_id = $1 AND {}",
        listed_sql("", "$4")
    ))
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(kind)
    .bind(consent_from)
    .fetch_one(db)
    .await
}

#[derive(sqlx::FromRow)]
pub struct Referral {
    pub name: String,
    pub organization: String,
    pub email: String,
    pub referred_by: String,
    pub created_at: OffsetDateTime,
}

/// A signer's suggestion of whom else to ask; kept with the signature that made it.
/// How many suggestions the signature has made, with the signature locked until the
/// transaction ends (so suggestions sent at once are counted in turn).
pub async fn referrals_made(conn: &mut PgConnection, signature: &Signature) -> sqlx::Result<i64> {
    sqlx::query("SELECT 1 FROM signatures WHERE id = $1 FOR NO KEY UPDATE")
        .bind(signature.id)
        .execute(&mut *conn)
        .await?;
    sqlx::query_scalar("SELECT count(*) FROM referrals WHERE signature_id = $1")
        .bind(signature.id)
        .fetch_one(conn)
        .await
}

pub async fn add_referral(
    conn: &mut PgConnection,
    signature: &Signature,
    (name, organization, email): (&str, &str, &str),
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO referrals (id, tenant_id, campaign_id, signature_id, name, organization, email, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(Uuid::new_v4())
    .bind(signature.tenant_uuid)
    .bind(signature.campaign_id)
    .bind(signature.id)
    .bind(name)
    .bind(organization)
    .bind(email)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn referrals(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
) -> sqlx::Result<Vec<Referral>> {
    sqlx::query_as(
        "SELECT f.name, f.organization, f.email, s.name AS referred_by, f.created_at
         FROM referrals f JOIN signatures s ON s.id = f.signature_id
         WHERE f.tenant_id = $1 AND f.campaign_id = $2 ORDER BY f.created_at DESC",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_all(db)
    .await
}

// What the campaigns and signing areas ask of signatures' tables, by topic (issue 18):
// each file reads or writes only this area's tables, except where its doc names a
// read-only join.
mod absorbed_referrals;
mod letter_changes;
mod member_updates;
mod reissued;

pub use absorbed_referrals::*;
pub use letter_changes::*;
pub use member_updates::*;
pub use reissued::*;
