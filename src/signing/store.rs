//! SQL for signatures, their state history and referrals.

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row};
use time::OffsetDateTime;
use uuid::Uuid;

/// Signature states. Only `confirmed` counts and is shown publicly.
pub const PENDING: &str = "pending";
pub const AWAITING_APPROVAL: &str = "awaiting_approval";
pub const CONFIRMED: &str = "confirmed";
pub const REJECTED: &str = "rejected";
pub const WITHDRAWN: &str = "withdrawn";

pub fn state_label(state: &str) -> &'static str {
    match state {
        PENDING => "Pending confirmation",
        AWAITING_APPROVAL => "Awaiting approval",
        CONFIRMED => "Confirmed",
        REJECTED => "Rejected",
        WITHDRAWN => "Withdrawn",
        _ => "Unknown",
    }
}

#[derive(Clone, Debug, Default)]
pub struct NewSignature {
    pub kind: &'static str,
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
    pub source: &'static str,
    pub state: &'static str,
    pub revision_id: Option<Uuid>,
    pub token_hash: Option<Vec<u8>>,
    pub token_expires_at: Option<OffsetDateTime>,
}

#[derive(Clone, Debug)]
pub struct Existing {
    pub id: Uuid,
    pub state: String,
    pub email: String,
}

pub enum Inserted {
    Created(Uuid),
    /// Same email, or the same organization after normalization, already signed.
    Duplicate(Existing),
}

pub async fn insert(
    conn: &mut PgConnection,
    tenant_uuid: Uuid,
    campaign_id: Uuid,
    new: &NewSignature,
    now: OffsetDateTime,
) -> sqlx::Result<Inserted> {
    let name_key = super::names::name_key(&new.name);
    let id = Uuid::new_v4();
    let created: Option<Uuid> = sqlx::query_scalar(
        "INSERT INTO signatures (id, tenant_id, campaign_id, kind, name, name_key, sort_key, website, city, size,
                                 parent_organization, contact_name, contact_title, email, phone, show_contact,
                                 affiliation, comment, domain_matches, source, state, revision_id, token_hash,
                                 token_expires_at, confirmations_sent, confirmed_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
                 $23, $24, CASE WHEN $23::bytea IS NULL THEN 0 ELSE 1 END,
                 CASE WHEN $21 = 'confirmed' THEN $25 END, $25)
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(id)
    .bind(tenant_uuid)
    .bind(campaign_id)
    .bind(new.kind)
    .bind(&new.name)
    .bind(&name_key)
    .bind(super::names::sort_key(&new.name))
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
    .bind(new.state)
    .bind(new.revision_id)
    .bind(&new.token_hash)
    .bind(new.token_expires_at)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = created {
        return Ok(Inserted::Created(id));
    }
    let row = sqlx::query(
        "SELECT id, state, email::text AS email FROM signatures
         WHERE campaign_id = $1 AND (email = $2::citext OR (kind = 'organization' AND $3 = 'organization' AND name_key = $4))
         ORDER BY (email = $2::citext) DESC LIMIT 1",
    )
    .bind(campaign_id)
    .bind(&new.email)
    .bind(new.kind)
    .bind(&name_key)
    .fetch_one(conn)
    .await?;
    Ok(Inserted::Duplicate(Existing {
        id: row.get("id"),
        state: row.get("state"),
        email: row.get("email"),
    }))
}

pub struct Event<'a> {
    pub from: Option<&'a str>,
    pub to: &'a str,
    pub actor: &'a str,
    pub actor_user_id: Option<Uuid>,
    pub reason: &'a str,
}

pub async fn record_event(
    conn: &mut PgConnection,
    tenant_uuid: Uuid,
    signature_id: Uuid,
    event: Event<'_>,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO signature_events (tenant_id, signature_id, from_state, to_state, actor, actor_user_id, reason, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(tenant_uuid)
    .bind(signature_id)
    .bind(event.from)
    .bind(event.to)
    .bind(event.actor)
    .bind(event.actor_user_id)
    .bind(event.reason)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// A requested change of state: allowed only from one of `from`.
pub struct Transition<'a> {
    pub from: &'a [&'a str],
    pub to: &'a str,
    pub actor: &'a str,
    pub actor_user_id: Option<Uuid>,
    pub reason: &'a str,
}

/// Moves a signature along `transition` and records who did it; returns the previous
/// state, or `None` when the signature was not in any of the allowed states.
pub async fn change_state(
    conn: &mut PgConnection,
    tenant_uuid: Uuid,
    signature_id: Uuid,
    transition: Transition<'_>,
    now: OffsetDateTime,
) -> sqlx::Result<Option<String>> {
    let previous: Option<String> = sqlx::query_scalar(
        "SELECT state FROM signatures WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
    )
    .bind(tenant_uuid)
    .bind(signature_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(previous) = previous.filter(|p| transition.from.contains(&p.as_str())) else {
        return Ok(None);
    };
    sqlx::query(
        "UPDATE signatures SET state = $3,
                confirmed_at = CASE WHEN $3 = 'confirmed' THEN coalesce(confirmed_at, $4) ELSE confirmed_at END
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_uuid)
    .bind(signature_id)
    .bind(transition.to)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let event = Event {
        from: Some(&previous),
        to: transition.to,
        actor: transition.actor,
        actor_user_id: transition.actor_user_id,
        reason: transition.reason,
    };
    record_event(conn, tenant_uuid, signature_id, event, now).await?;
    Ok(Some(previous))
}

/// A new confirmation link for an unconfirmed signature (a resend); returns how many
/// confirmation emails this makes.
pub async fn renew_token(
    conn: &mut PgConnection,
    signature_id: Uuid,
    token_hash: &[u8],
    expires_at: OffsetDateTime,
) -> sqlx::Result<i32> {
    sqlx::query_scalar(
        "UPDATE signatures SET token_hash = $2, token_expires_at = $3, confirmations_sent = confirmations_sent + 1
         WHERE id = $1 RETURNING confirmations_sent",
    )
    .bind(signature_id)
    .bind(token_hash)
    .bind(expires_at)
    .fetch_one(conn)
    .await
}

#[derive(Clone, Debug)]
pub struct Signature {
    pub id: Uuid,
    pub tenant_uuid: Uuid,
    pub campaign_id: Uuid,
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
    pub domain_matches: bool,
    pub source: String,
    pub state: String,
    pub revision_number: Option<i32>,
    pub token_expires_at: Option<OffsetDateTime>,
    pub confirmed_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

impl Signature {
    pub fn state_label(&self) -> &'static str {
        state_label(&self.state)
    }

    pub fn is_organization(&self) -> bool {
        self.kind == "organization"
    }
}

const COLUMNS: &str = "s.id, s.tenant_id, s.campaign_id, s.kind, s.name, s.website, s.city, s.size, s.parent_organization, \
     s.contact_name, s.contact_title, s.email::text AS email, s.phone, s.show_contact, s.affiliation, s.comment, \
     s.domain_matches, s.source, s.state, r.number AS revision_number, s.token_expires_at, s.confirmed_at, s.created_at";

fn signature(r: &PgRow) -> Signature {
    Signature {
        id: r.get("id"),
        tenant_uuid: r.get("tenant_id"),
        campaign_id: r.get("campaign_id"),
        kind: r.get("kind"),
        name: r.get("name"),
        website: r.get("website"),
        city: r.get("city"),
        size: r.get("size"),
        parent_organization: r.get("parent_organization"),
        contact_name: r.get("contact_name"),
        contact_title: r.get("contact_title"),
        email: r.get("email"),
        phone: r.get("phone"),
        show_contact: r.get("show_contact"),
        affiliation: r.get("affiliation"),
        comment: r.get("comment"),
        domain_matches: r.get("domain_matches"),
        source: r.get("source"),
        state: r.get("state"),
        revision_number: r.get("revision_number"),
        token_expires_at: r.get("token_expires_at"),
        confirmed_at: r.get("confirmed_at"),
        created_at: r.get("created_at"),
    }
}

pub async fn by_token(
    db: &PgPool,
    campaign_id: Uuid,
    token_hash: &[u8],
) -> sqlx::Result<Option<Signature>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM signatures s LEFT JOIN letter_revisions r ON r.id = s.revision_id
         WHERE s.campaign_id = $1 AND s.token_hash = $2"
    ))
    .bind(campaign_id)
    .bind(token_hash)
    .fetch_optional(db)
    .await?;
    Ok(row.as_ref().map(signature))
}

pub async fn by_id(
    db: &PgPool,
    tenant_uuid: Uuid,
    campaign_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<Signature>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM signatures s LEFT JOIN letter_revisions r ON r.id = s.revision_id
         WHERE s.tenant_id = $1 AND s.campaign_id = $2 AND s.id = $3"
    ))
    .bind(tenant_uuid)
    .bind(campaign_id)
    .bind(id)
    .fetch_optional(db)
    .await?;
    Ok(row.as_ref().map(signature))
}

/// Signatures for organizers, newest first; `state` narrows to one state.
pub async fn for_campaign(
    db: &PgPool,
    tenant_uuid: Uuid,
    campaign_id: Uuid,
    state: Option<&str>,
    limit: i64,
) -> sqlx::Result<Vec<Signature>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM signatures s LEFT JOIN letter_revisions r ON r.id = s.revision_id
         WHERE s.tenant_id = $1 AND s.campaign_id = $2 AND ($3::text IS NULL OR s.state = $3)
         ORDER BY s.created_at DESC, s.id LIMIT $4"
    ))
    .bind(tenant_uuid)
    .bind(campaign_id)
    .bind(state)
    .bind(limit)
    .fetch_all(db)
    .await?;
    Ok(rows.iter().map(signature).collect())
}

/// Every signature, in public order, for the CSV export.
pub async fn all_for_export(
    db: &PgPool,
    tenant_uuid: Uuid,
    campaign_id: Uuid,
) -> sqlx::Result<Vec<Signature>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM signatures s LEFT JOIN letter_revisions r ON r.id = s.revision_id
         WHERE s.tenant_id = $1 AND s.campaign_id = $2
         ORDER BY s.kind DESC, s.sort_key COLLATE signer_order, s.id"
    ))
    .bind(tenant_uuid)
    .bind(campaign_id)
    .fetch_all(db)
    .await?;
    Ok(rows.iter().map(signature).collect())
}

pub struct EventRow {
    pub from_state: Option<String>,
    pub to_state: String,
    pub actor: String,
    pub reason: String,
    pub at: OffsetDateTime,
}

pub async fn events(
    db: &PgPool,
    tenant_uuid: Uuid,
    signature_id: Uuid,
) -> sqlx::Result<Vec<EventRow>> {
    let rows = sqlx::query(
        "SELECT from_state, to_state, actor, reason, at FROM signature_events
         WHERE tenant_id = $1 AND signature_id = $2 ORDER BY at, id",
    )
    .bind(tenant_uuid)
    .bind(signature_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .iter()
        .map(|r| EventRow {
            from_state: r.get("from_state"),
            to_state: r.get("to_state"),
            actor: r.get("actor"),
            reason: r.get("reason"),
            at: r.get("at"),
        })
        .collect())
}

/// A confirmed signer as the public page lists them.
pub struct PublicSigner {
    pub name: String,
    pub city: String,
    pub contact: Option<String>,
    pub affiliation: String,
}

pub async fn public_list(
    db: &PgPool,
    campaign_id: Uuid,
    kind: &str,
) -> sqlx::Result<Vec<PublicSigner>> {
    let rows = sqlx::query(
        "SELECT name, city, contact_name, contact_title, show_contact, affiliation FROM signatures
         WHERE campaign_id = $1 AND kind = $2 AND state = 'confirmed'
         ORDER BY sort_key COLLATE signer_order, id",
    )
    .bind(campaign_id)
    .bind(kind)
    .fetch_all(db)
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let contact_name: String = r.get("contact_name");
            let contact_title: String = r.get("contact_title");
            let show: bool = r.get("show_contact");
            let contact = (show && !contact_name.is_empty()).then(|| {
                if contact_title.is_empty() {
                    contact_name.clone()
                } else {
                    format!("{contact_name}, {contact_title}")
                }
            });
            PublicSigner {
                name: r.get("name"),
                city: r.get("city"),
                contact,
                affiliation: r.get("affiliation"),
            }
        })
        .collect())
}

pub struct Referral {
    pub name: String,
    pub organization: String,
    pub email: String,
    pub referred_by: String,
    pub created_at: OffsetDateTime,
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
    tenant_uuid: Uuid,
    campaign_id: Uuid,
) -> sqlx::Result<Vec<Referral>> {
    let rows = sqlx::query(
        "SELECT f.name, f.organization, f.email, s.name AS referred_by, f.created_at
         FROM referrals f JOIN signatures s ON s.id = f.signature_id
         WHERE f.tenant_id = $1 AND f.campaign_id = $2 ORDER BY f.created_at DESC",
    )
    .bind(tenant_uuid)
    .bind(campaign_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Referral {
            name: r.get("name"),
            organization: r.get("organization"),
            email: r.get("email"),
            referred_by: r.get("referred_by"),
            created_at: r.get("created_at"),
        })
        .collect())
}
