//! SQL for campaigns and letter revisions. Organizer-side functions take a `TenantId`;
//! the public lookup by URL gives a `PublicTenantId`.
//!
//! The campaign row and its lookups are here; the letter's revisions, the release and
//! member updates, and reissues each have a file under `store/`. Read-only reads of
//! lower areas' tables: queries that join `tenants` read a group's slug and name for
//! links and emails; `list` counts a campaign's signatures (`signatures`, with that
//! area's own conditions, `signatures::listed_sql`).

pub mod forget;
mod reissue;
mod release;
mod revisions;

pub use reissue::*;
pub use release::*;
pub use revisions::*;

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::Status;
use crate::signatures::store as signatures;
use crate::tenancy::{PublicTenantId, TenantId};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Campaign {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub points: Vec<String>,
    pub target: i32,
    pub allow_individuals: bool,
    pub moderation: bool,
    pub time_zone: String,
    pub soft_deadline: OffsetDateTime,
    pub hard_deadline: OffsetDateTime,
    pub status: Status,
    pub open_after_deadline: bool,
    pub published_at: Option<OffsetDateTime>,
    pub public_version: i64,
    /// Moves on whenever a listed name leaves the list (withdrawn, rejected).
    pub public_removals: i64,
    /// The newest revision of the letter: what the public page and the form show.
    pub current_revision_id: Option<Uuid>,
    /// The revision every listed signer's consent must cover: the current one (each new
    /// revision moves it). Signers whose consent covers only an older text are not listed
    /// until they confirm this one (a minor change carries the consent of those told).
    pub consent_from_revision: i32,
    /// Anyone may download the PDF of the letter and its signers while the campaign is public.
    pub public_pdf: bool,
    /// When the campaign publishes itself; its public page is hidden until then.
    pub release_at: Option<OffsetDateTime>,
    pub released_at: Option<OffsetDateTime>,
    /// Markdown, published with the campaign on its own page.
    pub press_release: String,
    /// Listed signers get the letter and the list this often while it is open (0: never).
    pub update_every_days: i32,
    /// Signers are told, when they sign, that a reissue would carry their name over
    /// unless they opt out (see `reissue`).
    pub reissue_notice: bool,
    /// The finished campaign this one reissues.
    pub reissued_from: Option<Uuid>,
    /// A reissue: those told in advance are listed at this time unless they opted out.
    pub opt_out_by: Option<OffsetDateTime>,
}

impl Campaign {
    /// Whether the sign-on form takes signatures at `now`: open or published, and before
    /// the hard deadline unless organizers kept it open.
    pub fn accepting_signatures(&self, now: OffsetDateTime) -> bool {
        matches!(self.status, Status::Open | Status::Published)
            && (now < self.hard_deadline || self.open_after_deadline)
    }

    /// A release date is set and the scheduler has not published the campaign yet: the
    /// public page, individuals and press release are hidden (the form still works).
    pub fn release_pending(&self) -> bool {
        self.release_at.is_some() && self.released_at.is_none()
    }

    /// Over: closed, or past its hard deadline with the form closed. Only a finished
    /// campaign can be reissued.
    pub fn finished(&self, now: OffsetDateTime) -> bool {
        self.status == super::Status::Closed || self.closed_by_deadline(now)
    }

    pub fn closed_by_deadline(&self, now: OffsetDateTime) -> bool {
        matches!(self.status, Status::Open | Status::Published)
            && now >= self.hard_deadline
            && !self.open_after_deadline
    }

    /// A digest of the title and points of unity, which signers confirm with the letter
    /// but which are not part of its revisions: a confirmation page carries the one it
    /// showed, and the confirmation counts only if it still holds.
    pub fn wording(&self) -> String {
        wording_digest(&self.title, &self.points)
    }

    pub fn soft_deadline_display(&self) -> String {
        super::time_zones::display(self.soft_deadline, &self.time_zone)
    }

    pub fn hard_deadline_display(&self) -> String {
        super::time_zones::display(self.hard_deadline, &self.time_zone)
    }
}

const COLUMNS: &str = "c.id, c.tenant_id, c.slug, c.title, c.points, c.target, c.allow_individuals, c.moderation, \
     c.time_zone, c.soft_deadline, c.hard_deadline, c.status, c.open_after_deadline, c.published_at, c.public_version, c.public_removals, c.consent_from_revision, c.public_pdf, \
     c.release_at, c.released_at, c.press_release, c.update_every_days, c.reissue_notice, c.reissued_from, c.opt_out_by, \
     (SELECT r.id FROM letter_revisions r WHERE r.campaign_id = c.id ORDER BY r.number DESC LIMIT 1) AS current_revision_id";

#[derive(sqlx::FromRow)]
pub struct CampaignSummary {
    #[sqlx(flatten)]
    pub campaign: Campaign,
    /// Listed under the current text, as the public page counts them.
    pub listed: i64,
    /// Confirmed an earlier text; listed again once they confirm the current one.
    pub awaiting_reconfirmation: i64,
    pub pending: i64,
}

pub async fn list(db: &PgPool, tenant: TenantId) -> sqlx::Result<Vec<CampaignSummary>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS},
                (SELECT count(*) FROM signatures s WHERE s.campaign_id = c.id AND {}) AS listed,
                (SELECT count(*) FROM signatures s WHERE s.campaign_id = c.id AND {}) AS awaiting_reconfirmation,
                (SELECT count(*) FROM signatures s WHERE s.campaign_id = c.id AND s.state IN ('pending', 'notified', 'awaiting_approval')) AS pending
         FROM campaigns c WHERE c.tenant_id = $1 ORDER BY c.created_at DESC",
        signatures::listed_sql("s.", "c.consent_from_revision"),
        signatures::awaiting_reconfirmation_sql("s.", "c.consent_from_revision"),
    ))
    .bind(tenant.uuid())
    .fetch_all(db)
    .await
}

pub async fn by_slug(db: &PgPool, tenant: TenantId, slug: &str) -> sqlx::Result<Option<Campaign>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM campaigns c WHERE c.tenant_id = $1 AND c.slug = $2"
    ))
    .bind(tenant.uuid())
    .bind(slug)
    .fetch_optional(db)
    .await
}

/// A campaign as the public finds it through its URL, with its group.
pub struct PublicCampaign {
    pub campaign: Campaign,
    pub tenant: PublicTenantId,
    pub group_name: String,
}

#[derive(sqlx::FromRow)]
struct PublicCampaignRow {
    #[sqlx(flatten)]
    campaign: Campaign,
    tenant_id: Uuid,
    tenant_name: String,
}

/// The public lookup: the only maker of a `PublicTenantId`, which opens to the public
/// side what the public may do with this group's campaign. A campaign's earlier address
/// finds it too (emailed links name the address they were sent with), unless another
/// campaign has that address now; `campaign.slug` is always the current one.
pub async fn public_by_slugs(
    db: &PgPool,
    tenant_slug: &str,
    campaign_slug: &str,
) -> sqlx::Result<Option<PublicCampaign>> {
    // The current address first, in one probe: the public page's every request comes
    // here, and a campaign taking confirmations has a row that changes many times a second.
    let mut row: Option<PublicCampaignRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS}, t.name AS tenant_name FROM campaigns c JOIN tenants t ON t.id = c.tenant_id
         WHERE t.slug = $1 AND c.slug = $2"
    ))
    .bind(tenant_slug)
    .bind(campaign_slug)
    .fetch_optional(db)
    .await?;
    if row.is_none() {
        row = sqlx::query_as(&format!(
            "SELECT {COLUMNS}, t.name AS tenant_name
             FROM campaign_previous_slugs p JOIN tenants t ON t.id = p.tenant_id
             JOIN campaigns c ON c.tenant_id = p.tenant_id AND c.id = p.campaign_id
             WHERE t.slug = $1 AND p.slug = $2"
        ))
        .bind(tenant_slug)
        .bind(campaign_slug)
        .fetch_optional(db)
        .await?;
    }
    Ok(row.map(|r| PublicCampaign {
        campaign: r.campaign,
        tenant: PublicTenantId::found_by_public_url(r.tenant_id),
        group_name: r.tenant_name,
    }))
}

pub struct CampaignInput {
    pub slug: String,
    pub title: String,
    pub points: Vec<String>,
    pub target: i32,
    pub allow_individuals: bool,
    pub moderation: bool,
    pub time_zone: String,
    pub soft_deadline: OffsetDateTime,
    pub hard_deadline: OffsetDateTime,
}

#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("slug taken")]
    SlugTaken,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

fn slug_conflict(e: sqlx::Error) -> SaveError {
    match &e {
        sqlx::Error::Database(d) if d.constraint() == Some("campaigns_tenant_slug_key") => {
            SaveError::SlugTaken
        }
        _ => SaveError::Database(e),
    }
}

type PgQuery<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

/// Binds the campaign's fields as parameters $3 to $11 (after the two ids).
fn bind_input<'q>(query: PgQuery<'q>, input: &'q CampaignInput) -> PgQuery<'q> {
    query
        .bind(&input.slug)
        .bind(&input.title)
        .bind(&input.points)
        .bind(input.target)
        .bind(input.allow_individuals)
        .bind(input.moderation)
        .bind(&input.time_zone)
        .bind(input.soft_deadline)
        .bind(input.hard_deadline)
}

pub async fn create(
    conn: &mut PgConnection,
    tenant: TenantId,
    input: &CampaignInput,
) -> Result<Uuid, SaveError> {
    let id = Uuid::new_v4();
    bind_input(
    sqlx::query(
        "INSERT INTO campaigns (id, tenant_id, slug, title, points, target, allow_individuals, moderation, time_zone,
                                soft_deadline, hard_deadline)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id)
    .bind(tenant.uuid()),
    input,
    )
    .execute(conn)
    .await
    .map_err(slug_conflict)?;
    Ok(id)
}

pub async fn update(
    conn: &mut PgConnection,
    tenant: TenantId,
    id: Uuid,
    input: &CampaignInput,
) -> Result<(), SaveError> {
    bind_input(
    sqlx::query(
        "UPDATE campaigns SET slug = $3, title = $4, points = $5, target = $6, allow_individuals = $7, moderation = $8,
                time_zone = $9, soft_deadline = $10, hard_deadline = $11
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.uuid())
    .bind(id),
    input,
    )
    .execute(conn)
    .await
    .map_err(slug_conflict)?;
    Ok(())
}

/// Turns the public link to the PDF of the letter and its signers on or off.
pub async fn set_public_pdf(
    conn: &mut PgConnection,
    tenant: TenantId,
    id: Uuid,
    on: bool,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE campaigns SET public_pdf = $3 WHERE tenant_id = $1 AND id = $2 AND public_pdf <> $3")
        .bind(tenant.uuid())
        .bind(id)
        .bind(on)
        .execute(conn)
        .await?;
    Ok(())
}

/// How many months after closing signers' contact details are kept (0: kept for good;
/// see `signatures::retention`).
pub async fn retention_months(db: &PgPool, tenant: TenantId, id: Uuid) -> sqlx::Result<i32> {
    sqlx::query_scalar("SELECT retention_months FROM campaigns WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.uuid())
        .bind(id)
        .fetch_one(db)
        .await
}

pub async fn set_retention_months(
    conn: &mut PgConnection,
    tenant: TenantId,
    id: Uuid,
    months: i32,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE campaigns SET retention_months = $3 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.uuid())
        .bind(id)
        .bind(months)
        .execute(conn)
        .await?;
    Ok(())
}

/// Moves a campaign from the status (and keep-open setting) the organizer saw to a new
/// one; false when it changed in between (another organizer acted first), so a stale
/// page cannot bring back a setting someone else just changed.
/// Closing records when (`closed_at`, from which the retention setting counts); reopening
/// clears it.
pub async fn set_status(
    db: &PgPool,
    tenant: TenantId,
    campaign: &Campaign,
    status: Status,
    open_after_deadline: bool,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE campaigns SET status = $3, open_after_deadline = $4,
                published_at = CASE WHEN $3 = 'published' THEN coalesce(published_at, $5) ELSE published_at END,
                closed_at = CASE WHEN $3 = 'closed' THEN coalesce(closed_at, $5) END
         WHERE tenant_id = $1 AND id = $2 AND status = $6 AND open_after_deadline = $7",
    )
    .bind(tenant.uuid())
    .bind(campaign.id)
    .bind(status)
    .bind(open_after_deadline)
    .bind(now)
    .bind(campaign.status)
    .bind(campaign.open_after_deadline)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The time zone a group works in, for pages about the whole group (its Email page): the
/// one most of its campaigns use, the newest campaign's on a tie; "UTC" without campaigns.
pub async fn group_time_zone(db: &PgPool, tenant: TenantId) -> sqlx::Result<String> {
    let zone: Option<String> = sqlx::query_scalar(
        "SELECT time_zone FROM campaigns WHERE tenant_id = $1
         GROUP BY time_zone ORDER BY count(*) DESC, max(created_at) DESC LIMIT 1",
    )
    .bind(tenant.uuid())
    .fetch_optional(db)
    .await?;
    Ok(zone.unwrap_or_else(|| "UTC".to_owned()))
}

/// Moves the campaign's public version on once (see `defer_public_version`).
pub async fn move_public_version(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE campaigns SET public_version = public_version + 1 WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .execute(conn)
    .await?;
    Ok(())
}
