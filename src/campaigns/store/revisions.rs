//! The letter's revisions: immutable once saved (the `letter_revisions_immutable`
//! trigger refuses an UPDATE), numbered one after the other under the campaign's row lock,
//! each moving the campaign's consent floor to itself.

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::signatures::consent;
use crate::tenancy::{TenantId, TenantScope};

crate::db::text_enum! {
    /// What a revision is to the people who already signed.
    pub enum ChangeKind {
        /// Written before anyone signed.
        Initial = "initial",
        /// Signers are told and may withdraw; they stay listed (consent carried over).
        Minor = "minor",
        /// Signers must confirm the new text to be listed under it.
        Substantive = "substantive",
        /// No word changed (`campaigns::correction`): nobody is told, and the consent of
        /// those whose consent covered the text before is carried over, as for a minor
        /// change.
        Correction = "correction",
    }
}

impl ChangeKind {
    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::Initial => "Before signatures",
            ChangeKind::Minor => "Minor change",
            ChangeKind::Substantive => "Substantive change",
            ChangeKind::Correction => "Correction (no word changed)",
        }
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Revision {
    pub id: Uuid,
    pub number: i32,
    pub body: String,
    pub author_name: String,
    pub created_at: OffsetDateTime,
    pub change_kind: ChangeKind,
    pub change_note: String,
    /// Minor: signers may withdraw until then; substantive: may re-confirm until then.
    pub respond_by: Option<OffsetDateTime>,
}

const REVISION_COLUMNS: &str =
    "id, number, body, author_name, created_at, change_kind, change_note, respond_by";

/// Saves the letter as a new, immutable revision; returns its id and number.
pub async fn add_revision(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    body: &str,
    author: (Uuid, &str),
    now: OffsetDateTime,
) -> sqlx::Result<(Uuid, i32)> {
    add_changed_revision(
        conn,
        tenant,
        campaign_id,
        body,
        author,
        now,
        ChangeKind::Initial,
        "",
        None,
    )
    .await
}

/// Saves a revision of a letter people may have signed, saying what it is to them, under
/// the consent lock taken exclusively (`signatures::consent`). Every revision moves the
/// campaign's consent floor to itself: from this moment only signers whose consent covers
/// this text (they confirm it, or a minor change carries their consent over as they are
/// told) are listed.
#[allow(clippy::too_many_arguments)]
pub async fn add_changed_revision(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    body: &str,
    author: (Uuid, &str),
    now: OffsetDateTime,
    kind: ChangeKind,
    note: &str,
    respond_by: Option<OffsetDateTime>,
) -> sqlx::Result<(Uuid, i32)> {
    consent::lock_exclusive(conn, campaign_id).await?;
    crate::signatures::store::lock_host(conn, tenant, campaign_id).await?;
    // Locking the campaign row numbers concurrent saves one after the other.
    sqlx::query("SELECT 1 FROM campaigns WHERE tenant_id = $1 AND id = $2 FOR NO KEY UPDATE")
        .bind(tenant.uuid())
        .bind(campaign_id)
        .execute(&mut *conn)
        .await?;
    let id = Uuid::new_v4();
    let number: i32 = sqlx::query_scalar(
        "INSERT INTO letter_revisions (id, tenant_id, campaign_id, number, body, author_id, author_name, created_at,
                                       change_kind, change_note, respond_by)
         VALUES ($1, $2, $3, (SELECT coalesce(max(number), 0) + 1 FROM letter_revisions WHERE campaign_id = $3),
                 $4, $5, $6, $7, $8, $9, $10)
         RETURNING number",
    )
    .bind(id)
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(body)
    .bind(author.0)
    .bind(author.1)
    .bind(now)
    .bind(kind)
    .bind(note)
    .bind(respond_by)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("UPDATE campaigns SET consent_from_revision = $3 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.uuid())
        .bind(campaign_id)
        .bind(number)
        .execute(&mut *conn)
        .await?;
    Ok((id, number))
}

/// The newest revision: the one the public page and the form show.
pub async fn current_revision(
    db: &PgPool,
    tenant: impl TenantScope,
    campaign_id: Uuid,
) -> sqlx::Result<Option<Revision>> {
    sqlx::query_as(&format!(
        "SELECT {REVISION_COLUMNS} FROM letter_revisions
         WHERE tenant_id = $1 AND campaign_id = $2 ORDER BY number DESC LIMIT 1"
    ))
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_optional(db)
    .await
}

/// The consent floor and, when there is one, the newest revision's columns (a LEFT JOIN,
/// so each may be NULL).
#[derive(sqlx::FromRow)]
struct PublicTextRow {
    consent_from_revision: i32,
    id: Option<Uuid>,
    number: Option<i32>,
    body: Option<String>,
    author_name: Option<String>,
    created_at: Option<OffsetDateTime>,
    change_kind: Option<ChangeKind>,
    change_note: Option<String>,
    respond_by: Option<OffsetDateTime>,
}

/// The text the public page shows and the consent floor its lists use, read in one
/// statement (a save moves both at once).
pub async fn public_text(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    campaign_id: Uuid,
) -> sqlx::Result<(Option<Revision>, i32)> {
    let row: Option<PublicTextRow> = sqlx::query_as(
        "SELECT c.consent_from_revision, r.id, r.number, r.body, r.author_name, r.created_at, r.change_kind,
                r.change_note, r.respond_by
         FROM campaigns c
         LEFT JOIN LATERAL (SELECT * FROM letter_revisions
                             WHERE campaign_id = c.id ORDER BY number DESC LIMIT 1) r ON true
         WHERE c.tenant_id = $1 AND c.id = $2",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else {
        return Ok((None, 1));
    };
    let missing = |column: &str| sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: "NULL in a revision that exists".into(),
    };
    let revision = match row.id {
        Some(id) => Some(Revision {
            id,
            number: row.number.ok_or_else(|| missing("number"))?,
            body: row.body.ok_or_else(|| missing("body"))?,
            author_name: row.author_name.ok_or_else(|| missing("author_name"))?,
            created_at: row.created_at.ok_or_else(|| missing("created_at"))?,
            change_kind: row.change_kind.ok_or_else(|| missing("change_kind"))?,
            change_note: row.change_note.ok_or_else(|| missing("change_note"))?,
            respond_by: row.respond_by,
        }),
        None => None,
    };
    Ok((revision, row.consent_from_revision))
}

pub async fn revisions(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
) -> sqlx::Result<Vec<Revision>> {
    sqlx::query_as(&format!(
        "SELECT {REVISION_COLUMNS} FROM letter_revisions
         WHERE tenant_id = $1 AND campaign_id = $2 ORDER BY number DESC"
    ))
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_all(db)
    .await
}

pub async fn revision_by_number(
    db: &PgPool,
    tenant: impl TenantScope,
    campaign_id: Uuid,
    number: i32,
) -> sqlx::Result<Option<Revision>> {
    sqlx::query_as(&format!(
        "SELECT {REVISION_COLUMNS} FROM letter_revisions
         WHERE tenant_id = $1 AND campaign_id = $2 AND number = $3"
    ))
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(number)
    .fetch_optional(db)
    .await
}

/// Until when signers whose consent covers revision `after` may confirm the text as it
/// stands: the date set with the latest substantive change after it (none: no such
/// change; they were approved or restored after a change they were not told of).
pub async fn substantive_respond_by(
    db: &PgPool,
    tenant: impl TenantScope,
    campaign_id: Uuid,
    after: i32,
) -> sqlx::Result<Option<OffsetDateTime>> {
    let by: Option<Option<OffsetDateTime>> = sqlx::query_scalar(
        "SELECT respond_by FROM letter_revisions
         WHERE tenant_id = $1 AND campaign_id = $2 AND number > $3 AND change_kind = 'substantive'
         ORDER BY number DESC LIMIT 1",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(after)
    .fetch_optional(db)
    .await?;
    Ok(by.flatten())
}

/// Whether `revision_id` is a revision of this campaign (for the form's hidden field).
pub async fn revision_number_of(
    db: &PgPool,
    tenant: impl TenantScope,
    campaign_id: Uuid,
    revision_id: Uuid,
) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar(
        "SELECT number FROM letter_revisions WHERE tenant_id = $1 AND campaign_id = $2 AND id = $3",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(revision_id)
    .fetch_optional(db)
    .await
}

pub fn wording_digest(title: &str, points: &[String]) -> String {
    let mut text = title.to_owned();
    for point in points {
        text.push('\n');
        text.push_str(point);
    }
    crate::tokens::hex(&crate::tokens::hash_token(&text))
}

/// What a signer's consent must cover now, read in one statement: the current revision,
/// the consent floor, the title and the points of unity. Read it after taking the consent
/// lock (`signatures::consent`), in the transaction that acts on it.
#[derive(sqlx::FromRow)]
pub struct ConsentText {
    pub revision_id: Option<Uuid>,
    /// 0 before the first revision.
    pub revision_number: i32,
    pub consent_from_revision: i32,
    pub title: String,
    pub points: Vec<String>,
}

impl ConsentText {
    pub fn wording(&self) -> String {
        wording_digest(&self.title, &self.points)
    }
}

pub async fn consent_text(
    conn: &mut PgConnection,
    campaign_id: Uuid,
) -> sqlx::Result<Option<ConsentText>> {
    sqlx::query_as(
        "SELECT r.id AS revision_id, coalesce(r.number, 0) AS revision_number, c.consent_from_revision,
                c.title, c.points
         FROM campaigns c
         LEFT JOIN LATERAL (SELECT id, number FROM letter_revisions
                             WHERE campaign_id = c.id ORDER BY number DESC LIMIT 1) r ON true
         WHERE c.id = $1",
    )
    .bind(campaign_id)
    .fetch_optional(conn)
    .await
}

/// The current revision's number (0: none yet), in the caller's transaction.
pub async fn current_number_in(conn: &mut PgConnection, campaign_id: Uuid) -> sqlx::Result<i32> {
    sqlx::query_scalar(
        "SELECT coalesce(max(number), 0) FROM letter_revisions WHERE campaign_id = $1",
    )
    .bind(campaign_id)
    .fetch_one(conn)
    .await
}

/// The newest revision's text, in the caller's transaction (empty before the first).
pub async fn latest_body(conn: &mut PgConnection, campaign_id: Uuid) -> sqlx::Result<String> {
    let body: Option<String> = sqlx::query_scalar(
        "SELECT body FROM letter_revisions WHERE campaign_id = $1 ORDER BY number DESC LIMIT 1",
    )
    .bind(campaign_id)
    .fetch_optional(conn)
    .await?;
    Ok(body.unwrap_or_default())
}

/// A substantive change whose date to respond has passed.
#[derive(sqlx::FromRow)]
pub struct DueChange {
    pub campaign_id: Uuid,
    pub tenant_id: Uuid,
    pub revision_id: Uuid,
    pub number: i32,
    pub title: String,
    pub slug: String,
    pub tenant_slug: String,
    pub group_name: String,
}

/// The latest substantive revision of each campaign whose date to respond has passed
/// (within the last 60 days), for the scheduler.
pub async fn due_substantive_changes(
    db: &PgPool,
    now: OffsetDateTime,
) -> sqlx::Result<Vec<DueChange>> {
    sqlx::query_as(
        "SELECT c.id AS campaign_id, c.tenant_id, r.id AS revision_id, r.number, c.title, c.slug,
                t.slug AS tenant_slug, t.name AS group_name
         FROM campaigns c JOIN tenants t ON t.id = c.tenant_id
         JOIN letter_revisions r ON r.campaign_id = c.id
          AND r.number = (SELECT max(l.number) FROM letter_revisions l
                           WHERE l.campaign_id = c.id AND l.change_kind = 'substantive')
         WHERE r.respond_by <= $1 AND r.respond_by > $1 - interval '60 days'",
    )
    .bind(now)
    .fetch_all(db)
    .await
}
