//! SQL for prospects, contacts, activities and outreach settings. Organizer-side
//! reads take a `TenantId`; writes the scheduler shares take the tenant of a campaign
//! already found for it (the composite foreign keys keep tenant and campaign together).

pub mod forget;

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::{ActivityKind, PipelineStatus, Size, Stage};
use crate::signatures::names;
use crate::tenancy::TenantId;

/// A campaign's outreach rules.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub min_days_between: i32,
    pub max_touches: i32,
    /// Days before the soft deadline when asked contacts are reminded, largest first.
    pub reminder_lead_days: Vec<i32>,
    pub auto_last_call: bool,
    pub ask_subject: String,
    pub ask_body: String,
    /// A follow-up's own template: it is not the first ask again, word for word.
    pub follow_up_subject: String,
    pub follow_up_body: String,
}

pub const DEFAULT_ASK_SUBJECT: &str = "Will {organization} sign on? {campaign}";
pub const DEFAULT_ASK_BODY: &str = "Dear {first_name},

{referral}I am writing to ask whether {organization} would sign on to \"{campaign}\", a short letter we are gathering organizations to sign. It stands on these points:

{points}

This link opens the letter as it stands today, with a form already filled in for you (signing takes two minutes):
{link}

We hope to hear from you by {soft_deadline}. If you have a question, just reply to this email.

With thanks,
{organizer_name}";

pub const DEFAULT_FOLLOW_UP_SUBJECT: &str = "Following up: will {organization} sign on? {campaign}";
pub const DEFAULT_FOLLOW_UP_BODY: &str = "Dear {first_name},

I am following up on my note about \"{campaign}\". We would still be glad to count {organization} among the signers, and there is time until {soft_deadline}.

Your personal link opens the letter as it stands today, with the form filled in for you:
{link}

If something in the letter stands in the way, or you would like to talk it over, just reply: I read every answer.

Best,
{organizer_first_name}";

impl Default for Settings {
    fn default() -> Self {
        Settings {
            min_days_between: 3,
            max_touches: 4,
            reminder_lead_days: vec![3, 1],
            auto_last_call: false,
            ask_subject: DEFAULT_ASK_SUBJECT.into(),
            ask_body: DEFAULT_ASK_BODY.into(),
            follow_up_subject: DEFAULT_FOLLOW_UP_SUBJECT.into(),
            follow_up_body: DEFAULT_FOLLOW_UP_BODY.into(),
        }
    }
}

pub(super) fn settings_row(r: &PgRow) -> sqlx::Result<Settings> {
    let or_default = |column: &str, default: &str| -> sqlx::Result<String> {
        let value: String = r.try_get(column)?;
        Ok(if value.is_empty() {
            default.to_owned()
        } else {
            value
        })
    };
    let mut lead: Vec<i32> = r.try_get("reminder_lead_days")?;
    lead.sort_unstable_by(|a, b| b.cmp(a));
    Ok(Settings {
        min_days_between: r.try_get("min_days_between")?,
        max_touches: r.try_get("max_touches")?,
        reminder_lead_days: lead,
        auto_last_call: r.try_get("auto_last_call")?,
        ask_subject: or_default("ask_subject", DEFAULT_ASK_SUBJECT)?,
        ask_body: or_default("ask_body", DEFAULT_ASK_BODY)?,
        follow_up_subject: or_default("follow_up_subject", DEFAULT_FOLLOW_UP_SUBJECT)?,
        follow_up_body: or_default("follow_up_body", DEFAULT_FOLLOW_UP_BODY)?,
    })
}

/// The campaign's rules, or the defaults when organizers never changed them.
pub async fn settings(db: &PgPool, campaign_id: Uuid) -> sqlx::Result<Settings> {
    let row = sqlx::query("SELECT * FROM outreach_settings WHERE campaign_id = $1")
        .bind(campaign_id)
        .fetch_optional(db)
        .await?;
    match row {
        Some(r) => settings_row(&r),
        None => Ok(Settings::default()),
    }
}

pub async fn save_settings(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    s: &Settings,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO outreach_settings (campaign_id, tenant_id, min_days_between, max_touches, reminder_lead_days,
                                        auto_last_call, ask_subject, ask_body, follow_up_subject, follow_up_body)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (campaign_id) DO UPDATE SET min_days_between = $3, max_touches = $4, reminder_lead_days = $5,
                auto_last_call = $6, ask_subject = $7, ask_body = $8, follow_up_subject = $9, follow_up_body = $10",
    )
    .bind(campaign_id)
    .bind(tenant.uuid())
    .bind(s.min_days_between)
    .bind(s.max_touches)
    .bind(&s.reminder_lead_days)
    .bind(s.auto_last_call)
    .bind(&s.ask_subject)
    .bind(&s.ask_body)
    .bind(&s.follow_up_subject)
    .bind(&s.follow_up_body)
    .execute(db)
    .await?;
    Ok(())
}

#[derive(Clone, Debug)]
pub struct Prospect {
    pub id: Uuid,
    pub name: String,
    pub website: String,
    pub size: Option<Size>,
    pub parent_id: Option<Uuid>,
    pub parent_name: Option<String>,
    pub tags: Vec<String>,
    pub owner_id: Option<Uuid>,
    pub owner_name: Option<String>,
    pub sensitivity: String,
    pub notes: String,
    pub hold_reason: String,
    pub hold_until: Option<Date>,
    pub status: PipelineStatus,
    pub signed_signature_id: Option<Uuid>,
    pub matched_signature_id: Option<Uuid>,
    pub referred_by: String,
    pub referral_note: String,
    /// Made from a signer's suggestion, with the text they typed, and not yet edited by
    /// an organizer: shown as not yet checked, and asked nothing.
    pub unchecked_suggestion: bool,
    pub possible_duplicate_of: Option<Uuid>,
    pub duplicate_name: Option<String>,
    pub next_follow_up: Option<Date>,
    pub last_touch_at: Option<OffsetDateTime>,
    pub contact_count: i64,
    pub created_at: OffsetDateTime,
    /// Signed an earlier text: a substantive change since waits for their confirmation,
    /// so they are not listed under the current one.
    pub awaiting_reconfirmation: bool,
}

impl Prospect {
    pub fn held(&self, today: Date) -> bool {
        super::hold_lasts(&self.hold_reason, self.hold_until, today)
    }

    pub fn stage(&self, today: Date) -> Stage {
        Stage::of(
            self.status,
            self.signed_signature_id.is_some(),
            self.held(today),
        )
    }

    /// National and international organizations not yet contacted come first.
    pub fn approach_early(&self) -> bool {
        self.size.is_some_and(Size::approach_early)
            && self.status == PipelineStatus::NotContacted
            && self.signed_signature_id.is_none()
    }

    pub fn size_label(&self) -> &'static str {
        self.size.map_or("", Size::label)
    }

    pub fn tags_text(&self) -> String {
        self.tags.join(", ")
    }
}

const PROSPECT_COLUMNS: &str = "p.id, p.name, p.website, p.size, p.parent_id, parent.name AS parent_name, p.tags,
    p.owner_id, owner.name AS owner_name, p.sensitivity, p.notes, p.hold_reason, p.hold_until, p.status,
    p.signed_signature_id, p.matched_signature_id, p.referred_by, p.referral_note, p.unchecked_suggestion, p.possible_duplicate_of,
    dup.name AS duplicate_name, p.next_follow_up, p.last_touch_at, p.created_at,
    (SELECT count(*) FROM prospect_contacts pc WHERE pc.prospect_id = p.id) AS contact_count,
    (SELECT s.confirmed_revision < c.consent_from_revision FROM signatures s JOIN campaigns c ON c.id = s.campaign_id
      WHERE s.id = p.signed_signature_id) AS awaiting_reconfirmation";

const PROSPECT_JOINS: &str = "FROM prospects p
    LEFT JOIN prospects parent ON parent.id = p.parent_id
    LEFT JOIN prospects dup ON dup.id = p.possible_duplicate_of
    LEFT JOIN users owner ON owner.id = p.owner_id";

fn prospect(r: &PgRow) -> sqlx::Result<Prospect> {
    let size: String = r.try_get("size")?;
    Ok(Prospect {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        website: r.try_get("website")?,
        size: Size::parse(&size),
        parent_id: r.try_get("parent_id")?,
        parent_name: r.try_get("parent_name")?,
        tags: r.try_get("tags")?,
        owner_id: r.try_get("owner_id")?,
        owner_name: r.try_get("owner_name")?,
        sensitivity: r.try_get("sensitivity")?,
        notes: r.try_get("notes")?,
        hold_reason: r.try_get("hold_reason")?,
        hold_until: r.try_get("hold_until")?,
        status: r.try_get("status")?,
        signed_signature_id: r.try_get("signed_signature_id")?,
        matched_signature_id: r.try_get("matched_signature_id")?,
        referred_by: r.try_get("referred_by")?,
        referral_note: r.try_get("referral_note")?,
        unchecked_suggestion: r.try_get("unchecked_suggestion")?,
        possible_duplicate_of: r.try_get("possible_duplicate_of")?,
        duplicate_name: r.try_get("duplicate_name")?,
        next_follow_up: r.try_get("next_follow_up")?,
        last_touch_at: r.try_get("last_touch_at")?,
        awaiting_reconfirmation: r
            .try_get::<Option<bool>, _>("awaiting_reconfirmation")?
            .unwrap_or(false),
        contact_count: r.try_get("contact_count")?,
        created_at: r.try_get("created_at")?,
    })
}

/// SQL for "the prospect's hold lasts on `$3`", as `outreach::hold_lasts`.
const HELD: &str = "(p.hold_reason <> '' AND (p.hold_until IS NULL OR p.hold_until > $3))";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Sort {
    /// Approach-early organizations not yet contacted first, then by name.
    #[default]
    Priority,
    Name,
    LastTouch,
    FollowUp,
}

impl Sort {
    pub const ALL: [(Sort, &'static str, &'static str); 4] = [
        (Sort::Priority, "priority", "Large organizations first"),
        (Sort::Name, "name", "Name"),
        (Sort::LastTouch, "last_touch", "Oldest touch first"),
        (Sort::FollowUp, "follow_up", "Next follow-up"),
    ];

    pub fn parse(raw: &str) -> Self {
        Self::ALL
            .iter()
            .find(|(_, key, _)| *key == raw)
            .map_or(Sort::Priority, |(sort, _, _)| *sort)
    }

    fn order_by(self) -> &'static str {
        match self {
            Sort::Priority => "(p.size IN ('national', 'international') AND p.status = 'not_contacted' AND p.signed_signature_id IS NULL) DESC, p.sort_key COLLATE signer_order, p.id",
            Sort::Name => "p.sort_key COLLATE signer_order, p.id",
            Sort::LastTouch => "p.last_touch_at ASC NULLS FIRST, p.sort_key COLLATE signer_order, p.id",
            Sort::FollowUp => "p.next_follow_up ASC NULLS LAST, p.sort_key COLLATE signer_order, p.id",
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub search: String,
    pub stage: Option<Stage>,
    pub size: Option<Size>,
    pub tag: String,
    /// `Some(None)`: prospects nobody owns.
    pub owner: Option<Option<Uuid>>,
    pub sort: Sort,
    pub offset: i64,
    pub limit: i64,
}

pub struct Page {
    pub prospects: Vec<Prospect>,
    pub total: i64,
}

fn stage_condition(stage: Stage) -> String {
    let not_signed_nor_held = format!("p.signed_signature_id IS NULL AND NOT {HELD}");
    match stage {
        Stage::Signed => "p.signed_signature_id IS NOT NULL".into(),
        Stage::OnHold => format!("p.signed_signature_id IS NULL AND {HELD}"),
        other => format!("{not_signed_nor_held} AND p.status = '{}'", other.key()),
    }
}

/// The ids of one page of a campaign's prospects, filtered and sorted, and how many the
/// filter shows in all.
async fn page_ids(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    filter: &Filter,
    today: Date,
) -> sqlx::Result<(Vec<Uuid>, i64)> {
    let mut conditions = vec![
        "p.tenant_id = $1".to_owned(),
        "p.campaign_id = $2".to_owned(),
    ];
    if let Some(stage) = filter.stage {
        conditions.push(stage_condition(stage));
    }
    if filter.size.is_some() {
        conditions.push("p.size = $4".into());
    }
    if !filter.tag.is_empty() {
        conditions.push("$5 = ANY (p.tags)".into());
    }
    match filter.owner {
        Some(Some(_)) => conditions.push("p.owner_id = $6".into()),
        Some(None) => conditions.push("p.owner_id IS NULL".into()),
        None => {}
    }
    if !filter.search.is_empty() {
        conditions.push(
            "(p.name ILIKE $7 OR p.website ILIKE $7 OR EXISTS (SELECT 1 FROM prospect_contacts sc
               WHERE sc.prospect_id = p.id AND (sc.name ILIKE $7 OR sc.email::text ILIKE $7)))"
                .into(),
        );
    }
    let conditions = conditions.join(" AND ");
    let pattern = format!(
        "%{}%",
        filter
            .search
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    // The page's ids first (read in order off an index, a hundred rows), then the total:
    // never all of the campaign's prospects joined and sorted.
    let ids_sql = format!(
        "SELECT p.id FROM prospects p WHERE {conditions} ORDER BY {} LIMIT $8 OFFSET $9",
        filter.sort.order_by()
    );
    let count_sql = format!(
        "SELECT count(*) FROM prospects p WHERE {conditions} AND $8::bigint IS NOT NULL AND $9::bigint IS NOT NULL"
    );
    macro_rules! bound {
        ($sql:expr) => {
            sqlx::query($sql)
                .bind(tenant.uuid())
                .bind(campaign_id)
                .bind(today)
                .bind(filter.size.map(Size::as_str).unwrap_or(""))
                .bind(&filter.tag)
                .bind(filter.owner.flatten())
                .bind(&pattern)
                .bind(filter.limit)
                .bind(filter.offset)
        };
    }
    let ids: Vec<Uuid> = bound!(&ids_sql)
        .fetch_all(db)
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<sqlx::Result<_>>()?;
    let total: i64 = bound!(&count_sql).fetch_one(db).await?.try_get(0)?;
    Ok((ids, total))
}

/// One page of a campaign's prospects, filtered and sorted: its ids, then their details.
pub async fn list(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    filter: &Filter,
    today: Date,
) -> sqlx::Result<Page> {
    let (ids, total) = page_ids(db, tenant, campaign_id, filter, today).await?;
    let details_sql = format!(
        "SELECT {PROSPECT_COLUMNS} {PROSPECT_JOINS} WHERE p.id = ANY ($1) ORDER BY array_position($1, p.id)"
    );
    let rows = sqlx::query(&details_sql).bind(&ids).fetch_all(db).await?;
    Ok(Page {
        prospects: rows.iter().map(prospect).collect::<sqlx::Result<_>>()?,
        total,
    })
}

pub async fn by_id(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<Prospect>> {
    let sql = format!(
        "SELECT {PROSPECT_COLUMNS} {PROSPECT_JOINS} WHERE p.tenant_id = $1 AND p.campaign_id = $2 AND p.id = $3"
    );
    let row = sqlx::query(&sql)
        .bind(tenant.uuid())
        .bind(campaign_id)
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.as_ref().map(prospect).transpose()
}

/// Name and stage of each chapter of a prospect (and of its parent, if any) for the
/// "shown both ways" links and the chapter warnings.
#[derive(Clone, Debug)]
pub struct Relative {
    pub id: Uuid,
    pub name: String,
    pub status: PipelineStatus,
    pub signed: bool,
}

impl Relative {
    pub fn being_asked(&self) -> bool {
        !self.signed
            && matches!(
                self.status,
                PipelineStatus::Asked | PipelineStatus::InConversation
            )
    }

    pub fn stage_label(&self) -> &'static str {
        if self.signed {
            Stage::Signed.label()
        } else {
            self.status.label()
        }
    }
}

pub async fn chapters(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    parent_id: Uuid,
) -> sqlx::Result<Vec<Relative>> {
    let rows = sqlx::query(
        "SELECT id, name, status, signed_signature_id IS NOT NULL AS signed FROM prospects p
         WHERE tenant_id = $1 AND campaign_id = $2 AND parent_id = $3 ORDER BY sort_key COLLATE signer_order",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(parent_id)
    .fetch_all(db)
    .await?;
    rows.iter().map(relative).collect()
}

fn relative(r: &PgRow) -> sqlx::Result<Relative> {
    Ok(Relative {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        status: r.try_get("status")?,
        signed: r.try_get("signed")?,
    })
}

/// The prospect of this campaign with this name (case, accents, punctuation and a
/// leading "The" aside): how organizers name a parent organization.
pub async fn id_by_name(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    name: &str,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "SELECT id FROM prospects WHERE tenant_id = $1 AND campaign_id = $2 AND name_key = $3
         ORDER BY created_at, id LIMIT 1",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(names::name_key(name))
    .fetch_optional(db)
    .await
}

/// Every prospect's id and name.
pub async fn names(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT id, name FROM prospects WHERE tenant_id = $1 AND campaign_id = $2
         ORDER BY sort_key COLLATE signer_order, id",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_all(db)
    .await
}

/// What organizers type about a prospect.
#[derive(Clone, Debug, Default)]
pub struct ProspectInput {
    pub name: String,
    pub website: String,
    pub size: Option<Size>,
    pub parent_id: Option<Uuid>,
    pub tags: Vec<String>,
    pub owner_id: Option<Uuid>,
    pub sensitivity: String,
    pub notes: String,
    pub hold_reason: String,
    pub hold_until: Option<Date>,
}

/// The website's host without `www.`: two prospects with one domain are one organization.
pub fn domain_of(website: &str) -> String {
    url::Url::parse(website)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| h.trim_start_matches("www.").to_lowercase())
        })
        .unwrap_or_default()
}

/// An existing prospect with the same folded name or website domain.
pub async fn find_duplicate(
    conn: &mut PgConnection,
    campaign_id: Uuid,
    name: &str,
    website: &str,
    except: Option<Uuid>,
) -> sqlx::Result<Option<(Uuid, String)>> {
    let domain = domain_of(website);
    sqlx::query_as(
        "SELECT id, name FROM prospects
         WHERE campaign_id = $1 AND (($2 <> '' AND name_key = $2) OR ($3 <> '' AND domain = $3)) AND id IS DISTINCT FROM $4
         ORDER BY created_at, id LIMIT 1",
    )
    .bind(campaign_id)
    .bind(names::name_key(name))
    .bind(domain)
    .bind(except)
    .fetch_optional(conn)
    .await
}

/// Where a new prospect came from, beyond what organizers typed.
#[derive(Clone, Debug, Default)]
pub struct Origin {
    pub referral_id: Option<Uuid>,
    pub referred_by: String,
    pub referral_note: String,
    /// The import that brings it in (undone, it takes its prospects away again).
    pub import_id: Option<Uuid>,
}

/// Adds a prospect, flagged when it looks like one already on the list.
pub async fn insert(
    conn: &mut PgConnection,
    tenant: Uuid,
    campaign_id: Uuid,
    input: &ProspectInput,
    origin: &Origin,
    now: OffsetDateTime,
) -> sqlx::Result<Uuid> {
    let duplicate = find_duplicate(conn, campaign_id, &input.name, &input.website, None).await?;
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO prospects (id, tenant_id, campaign_id, name, name_key, sort_key, website, domain, size, parent_id,
                                tags, owner_id, sensitivity, hold_reason, hold_until, referral_id, referred_by,
                                referral_note, possible_duplicate_of, created_at, unchecked_suggestion, notes, import_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)",
    )
    .bind(id)
    .bind(tenant)
    .bind(campaign_id)
    .bind(&input.name)
    .bind(names::name_key(&input.name))
    .bind(names::sort_key(&input.name))
    .bind(&input.website)
    .bind(domain_of(&input.website))
    .bind(input.size.map(Size::as_str).unwrap_or(""))
    .bind(input.parent_id)
    .bind(&input.tags)
    .bind(input.owner_id)
    .bind(&input.sensitivity)
    .bind(&input.hold_reason)
    .bind(input.hold_until)
    .bind(origin.referral_id)
    .bind(&origin.referred_by)
    .bind(&origin.referral_note)
    .bind(duplicate.map(|(id, _)| id))
    .bind(now)
    // A signer's suggestion is their text until an organizer edits it.
    .bind(origin.referral_id.is_some())
    .bind(&input.notes)
    .bind(origin.import_id)
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn update(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    id: Uuid,
    input: &ProspectInput,
) -> sqlx::Result<bool> {
    let duplicate =
        find_duplicate(conn, campaign_id, &input.name, &input.website, Some(id)).await?;
    let done = sqlx::query(
        "UPDATE prospects SET name = $4, name_key = $5, sort_key = $6, website = $7, domain = $8, size = $9,
                parent_id = $10, tags = $11, owner_id = $12, sensitivity = $13, hold_reason = $14, hold_until = $15,
                possible_duplicate_of = $16, unchecked_suggestion = false, notes = $17
         WHERE tenant_id = $1 AND campaign_id = $2 AND id = $3",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(id)
    .bind(&input.name)
    .bind(names::name_key(&input.name))
    .bind(names::sort_key(&input.name))
    .bind(&input.website)
    .bind(domain_of(&input.website))
    .bind(input.size.map(Size::as_str).unwrap_or(""))
    .bind(input.parent_id)
    .bind(&input.tags)
    .bind(input.owner_id)
    .bind(&input.sensitivity)
    .bind(&input.hold_reason)
    .bind(input.hold_until)
    .bind(duplicate.map(|(id, _)| id))
    .bind(&input.notes)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Would making `parent_id` the parent of `id` make a loop (a chapter of its own chapter)?
pub async fn would_loop(
    conn: &mut PgConnection,
    campaign_id: Uuid,
    id: Uuid,
    parent_id: Uuid,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "WITH RECURSIVE up(id, parent_id, depth) AS (
             SELECT id, parent_id, 0 FROM prospects WHERE campaign_id = $1 AND id = $3
             UNION ALL
             SELECT p.id, p.parent_id, up.depth + 1 FROM prospects p JOIN up ON p.id = up.parent_id WHERE up.depth < 100)
         SELECT EXISTS (SELECT 1 FROM up WHERE id = $2)",
    )
    .bind(campaign_id)
    .bind(id)
    .bind(parent_id)
    .fetch_one(conn)
    .await
}

/// Moves a prospect from the status `from` (what the organizer's page showed) to
/// `status`; `None` when the prospect is not in `from` any more (someone else changed it).
pub async fn set_status(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    id: Uuid,
    from: PipelineStatus,
    status: PipelineStatus,
) -> sqlx::Result<Option<PipelineStatus>> {
    sqlx::query_scalar(
        "UPDATE prospects p SET status = $5
         WHERE p.tenant_id = $1 AND p.campaign_id = $2 AND p.id = $3 AND p.status = $4
         RETURNING $4::text",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(id)
    .bind(from)
    .bind(status)
    .fetch_optional(conn)
    .await
}

pub async fn set_follow_up(
    conn: &mut PgConnection,
    tenant: TenantId,
    id: Uuid,
    on: Option<Date>,
) -> sqlx::Result<bool> {
    let done =
        sqlx::query("UPDATE prospects SET next_follow_up = $3 WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.uuid())
            .bind(id)
            .bind(on)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Clone, Debug)]
pub struct Contact {
    pub id: Uuid,
    pub prospect_id: Uuid,
    pub name: String,
    /// What `{first_name}` greets them by, when organizers set it (else the first word
    /// of `name`).
    pub first_name: String,
    pub role: String,
    pub email: Option<String>,
    pub phone: String,
    pub bounced_at: Option<OffsetDateTime>,
    pub bounce_reason: String,
    pub touches: i32,
    pub last_touch_at: Option<OffsetDateTime>,
}

fn contact(r: &PgRow) -> sqlx::Result<Contact> {
    Ok(Contact {
        id: r.try_get("id")?,
        prospect_id: r.try_get("prospect_id")?,
        name: r.try_get("name")?,
        first_name: r.try_get("first_name")?,
        role: r.try_get("role")?,
        email: r.try_get("email")?,
        phone: r.try_get("phone")?,
        bounced_at: r.try_get("bounced_at")?,
        bounce_reason: r.try_get("bounce_reason")?,
        touches: r.try_get("touches")?,
        last_touch_at: r.try_get("last_touch_at")?,
    })
}

const CONTACT_COLUMNS: &str =
    "c.id, c.prospect_id, c.name, c.first_name, c.role, c.email::text AS email, c.phone, c.bounced_at,
    c.bounce_reason, c.touches, c.last_touch_at";

pub async fn contacts_of(
    db: &PgPool,
    tenant: TenantId,
    prospect_id: Uuid,
) -> sqlx::Result<Vec<Contact>> {
    let sql = format!(
        "SELECT {CONTACT_COLUMNS} FROM prospect_contacts c WHERE c.tenant_id = $1 AND c.prospect_id = $2
         ORDER BY c.created_at, c.id"
    );
    let rows = sqlx::query(&sql)
        .bind(tenant.uuid())
        .bind(prospect_id)
        .fetch_all(db)
        .await?;
    rows.iter().map(contact).collect()
}

#[derive(Clone, Debug, Default)]
pub struct ContactInput {
    pub name: String,
    /// Empty: `{first_name}` is the first word of `name`.
    pub first_name: String,
    pub role: String,
    pub email: Option<String>,
    pub phone: String,
}

pub async fn add_contact(
    conn: &mut PgConnection,
    tenant: Uuid,
    campaign_id: Uuid,
    prospect_id: Uuid,
    input: &ContactInput,
    now: OffsetDateTime,
) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO prospect_contacts (id, tenant_id, campaign_id, prospect_id, name, role, email, phone, created_at,
                                        first_name)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id)
    .bind(tenant)
    .bind(campaign_id)
    .bind(prospect_id)
    .bind(&input.name)
    .bind(&input.role)
    .bind(&input.email)
    .bind(&input.phone)
    .bind(now)
    .bind(&input.first_name)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// Saves a contact; a new address starts without the old one's bounce.
pub async fn update_contact(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    id: Uuid,
    input: &ContactInput,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "UPDATE prospect_contacts SET name = $4, role = $5, phone = $7, first_name = $8,
                bounced_at = CASE WHEN email IS DISTINCT FROM $6::citext THEN NULL ELSE bounced_at END,
                bounce_reason = CASE WHEN email IS DISTINCT FROM $6::citext THEN '' ELSE bounce_reason END,
                email = $6
         WHERE tenant_id = $1 AND campaign_id = $2 AND id = $3 RETURNING prospect_id",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(id)
    .bind(&input.name)
    .bind(&input.role)
    .bind(&input.email)
    .bind(&input.phone)
    .bind(&input.first_name)
    .fetch_optional(conn)
    .await
}

pub async fn remove_contact(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "DELETE FROM prospect_contacts WHERE tenant_id = $1 AND campaign_id = $2 AND id = $3 RETURNING prospect_id",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn clear_bounce(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "UPDATE prospect_contacts SET bounced_at = NULL, bounce_reason = ''
         WHERE tenant_id = $1 AND campaign_id = $2 AND id = $3 RETURNING prospect_id",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// A prospect already on the list, as the import compares rows with it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ExistingProspect {
    pub id: Uuid,
    pub name: String,
    pub name_key: String,
    pub domain: String,
}

pub async fn existing_prospects(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
) -> sqlx::Result<Vec<ExistingProspect>> {
    sqlx::query_as(
        "SELECT id, name, name_key, domain FROM prospects WHERE tenant_id = $1 AND campaign_id = $2
         ORDER BY created_at, id",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_all(db)
    .await
}

/// An owner or organizer of the group with the name and address an import may use.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OrganizerRow {
    pub id: Uuid,
    pub name: String,
    pub email: String,
}

pub async fn organizers_with_email(
    db: &PgPool,
    tenant: TenantId,
) -> sqlx::Result<Vec<OrganizerRow>> {
    sqlx::query_as(
        "SELECT u.id, u.name, lower(u.email::text) AS email FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.tenant_id = $1 AND m.role IN ('owner', 'organizer') ORDER BY u.name, u.id",
    )
    .bind(tenant.uuid())
    .fetch_all(db)
    .await
}

/// An import as its page shows it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ImportRecord {
    pub id: Uuid,
    pub imported_by_name: String,
    pub imported_at: OffsetDateTime,
    pub prospects: i32,
    pub contacts: i32,
    /// How many rows wait aside to fix (`kept_rows`).
    pub kept_rows: i64,
    /// How many kept rows signers' erasures removed.
    pub kept_rows_erased: i32,
    pub kept_headers: Vec<String>,
    pub kept_has_header: bool,
    pub mapping: Vec<String>,
    pub undone_at: Option<OffsetDateTime>,
    /// Its prospects still on the list (merged or deleted ones are gone).
    pub remaining: i64,
}

pub struct NewImport<'a> {
    pub by: Uuid,
    pub by_name: &'a str,
    pub at: OffsetDateTime,
    pub prospects: i32,
    pub contacts: i32,
    pub kept_headers: &'a [String],
    pub kept_has_header: bool,
    pub mapping: &'a [&'a str],
    pub kept: &'a [KeptRow],
}

/// A row kept aside to fix: its cells as the file had them, and the addresses among them
/// (the cells of the column mapped to the contact's email), by which an erasure finds it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct KeptRow {
    pub cells: Vec<String>,
    pub emails: Vec<String>,
}

pub async fn record_import(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    new: &NewImport<'_>,
) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO prospect_imports (id, tenant_id, campaign_id, imported_by, imported_by_name, imported_at,
                                       prospects, contacts, kept_headers, kept_has_header, mapping)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id)
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(new.by)
    .bind(new.by_name)
    .bind(new.at)
    .bind(new.prospects)
    .bind(new.contacts)
    .bind(new.kept_headers)
    .bind(new.kept_has_header)
    .bind(new.mapping)
    .execute(&mut *conn)
    .await?;
    insert_kept_rows(conn, campaign_id, id, new.kept).await?;
    Ok(id)
}

async fn insert_kept_rows(
    conn: &mut PgConnection,
    campaign_id: Uuid,
    import_id: Uuid,
    rows: &[KeptRow],
) -> sqlx::Result<()> {
    for (index, row) in rows.iter().enumerate() {
        sqlx::query(
            "INSERT INTO prospect_import_kept_rows (campaign_id, import_id, position, cells, emails)
             VALUES ($1, $2, $3, $4, $5::citext[])",
        )
        .bind(campaign_id)
        .bind(import_id)
        .bind(i32::try_from(index + 1).unwrap_or(i32::MAX))
        .bind(&row.cells)
        .bind(&row.emails)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The rows an import keeps aside, in the file's order (none once forgotten or erased).
pub async fn kept_rows(
    db: &PgPool,
    campaign_id: Uuid,
    import_id: Uuid,
) -> sqlx::Result<Vec<KeptRow>> {
    sqlx::query_as(
        "SELECT cells, emails::text[] AS emails FROM prospect_import_kept_rows
         WHERE campaign_id = $1 AND import_id = $2 ORDER BY position",
    )
    .bind(campaign_id)
    .bind(import_id)
    .fetch_all(db)
    .await
}

const IMPORT_COLUMNS: &str = "i.id, i.imported_by_name, i.imported_at, i.prospects, i.contacts,
    (SELECT count(*) FROM prospect_import_kept_rows k WHERE k.import_id = i.id) AS kept_rows,
    i.kept_rows_erased, i.kept_headers, i.kept_has_header, i.mapping, i.undone_at,
    (SELECT count(*) FROM prospects p WHERE p.import_id = i.id) AS remaining";

pub async fn import_by_id(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<ImportRecord>> {
    sqlx::query_as(&format!(
        "SELECT {IMPORT_COLUMNS} FROM prospect_imports i WHERE i.tenant_id = $1 AND i.campaign_id = $2 AND i.id = $3"
    ))
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(id)
    .fetch_optional(db)
    .await
}

pub async fn recent_imports(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
) -> sqlx::Result<Vec<ImportRecord>> {
    sqlx::query_as(&format!(
        "SELECT {IMPORT_COLUMNS} FROM prospect_imports i WHERE i.tenant_id = $1 AND i.campaign_id = $2
         ORDER BY i.imported_at DESC, i.id LIMIT 20"
    ))
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_all(db)
    .await
}

/// The rows kept aside are done with (imported again, or not wanted).
pub async fn forget_kept_rows(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    id: Uuid,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "DELETE FROM prospect_import_kept_rows k USING prospect_imports i
         WHERE i.id = k.import_id AND i.tenant_id = $1 AND i.campaign_id = $2 AND i.id = $3",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub enum UndoOutcome {
    Undone(u64),
    AlreadyUndone,
    /// This many of its prospects were asked, called, noted or changed by a signer since.
    Touched(i64),
}

/// Takes an import's prospects away (with their contacts), while none of them has an
/// activity beyond what the import itself wrote. The contacts are locked first, as a send
/// locks them, so an ask cannot slip between the check and the removal.
pub async fn undo_import(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    id: Uuid,
    now: OffsetDateTime,
) -> sqlx::Result<Option<UndoOutcome>> {
    let found: Option<(OffsetDateTime, Option<OffsetDateTime>)> = sqlx::query_as(
        "SELECT imported_at, undone_at FROM prospect_imports
         WHERE tenant_id = $1 AND campaign_id = $2 AND id = $3 FOR UPDATE",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((imported_at, undone_at)) = found else {
        return Ok(None);
    };
    if undone_at.is_some() {
        return Ok(Some(UndoOutcome::AlreadyUndone));
    }
    sqlx::query(
        "SELECT c.id FROM prospect_contacts c JOIN prospects p ON p.id = c.prospect_id
         WHERE p.tenant_id = $1 AND p.import_id = $2 ORDER BY c.id FOR UPDATE OF c",
    )
    .bind(tenant.uuid())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM prospects WHERE tenant_id = $1 AND import_id = $2 ORDER BY id FOR UPDATE",
    )
    .bind(tenant.uuid())
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let touched: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT prospect_id) FROM outreach_activities
         WHERE prospect_id = ANY ($1) AND NOT (kind = 'signed' AND at = $2)",
    )
    .bind(&ids)
    .bind(imported_at)
    .fetch_one(&mut *conn)
    .await?;
    if touched > 0 {
        return Ok(Some(UndoOutcome::Touched(touched)));
    }
    let removed = sqlx::query("DELETE FROM prospects WHERE tenant_id = $1 AND id = ANY ($2)")
        .bind(tenant.uuid())
        .bind(&ids)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    sqlx::query("UPDATE prospect_imports SET undone_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM prospect_import_kept_rows WHERE import_id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(Some(UndoOutcome::Undone(removed)))
}

/// One row of the CSV export: a prospect with one of its contacts (or none).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ExportRow {
    pub name: String,
    pub website: String,
    pub size: String,
    pub parent_name: Option<String>,
    pub tags: Vec<String>,
    pub owner_email: Option<String>,
    pub sensitivity: String,
    pub notes: String,
    pub status: PipelineStatus,
    pub signed: bool,
    pub hold_reason: String,
    pub hold_until: Option<Date>,
    pub next_follow_up: Option<Date>,
    pub last_touch_at: Option<OffsetDateTime>,
    pub referred_by: String,
    pub contact_id: Option<Uuid>,
    pub contact_name: Option<String>,
    pub role: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub bounced_at: Option<OffsetDateTime>,
    pub touches: Option<i32>,
}

/// Every prospect with its contacts (one row per contact), in one query.
pub async fn export_rows(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
) -> sqlx::Result<Vec<ExportRow>> {
    sqlx::query_as(
        "SELECT p.name, p.website, p.size, parent.name AS parent_name, p.tags, owner.email::text AS owner_email,
                p.sensitivity, p.notes, p.status, p.signed_signature_id IS NOT NULL AS signed, p.hold_reason,
                p.hold_until, p.next_follow_up, p.last_touch_at, p.referred_by,
                c.id AS contact_id, c.name AS contact_name, c.role, c.email::text AS email, c.phone,
                c.bounced_at, c.touches
         FROM prospects p
         LEFT JOIN prospects parent ON parent.id = p.parent_id
         LEFT JOIN users owner ON owner.id = p.owner_id
         LEFT JOIN prospect_contacts c ON c.prospect_id = p.id
         WHERE p.tenant_id = $1 AND p.campaign_id = $2
         ORDER BY p.sort_key COLLATE signer_order, p.id, c.created_at, c.id",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_all(db)
    .await
}

/// The ids among `ids` that are prospects of this campaign (anything else is ignored).
pub async fn own_ids(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    ids: &[Uuid],
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "SELECT id FROM prospects WHERE tenant_id = $1 AND campaign_id = $2 AND id = ANY ($3)
         ORDER BY sort_key COLLATE signer_order, id",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(ids)
    .fetch_all(db)
    .await
}

/// Every prospect the list's filter shows (all its pages, at most 5,000).
pub async fn matching_ids(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    filter: &Filter,
    today: Date,
) -> sqlx::Result<Vec<Uuid>> {
    let all = Filter {
        offset: 0,
        limit: 5_000,
        ..filter.clone()
    };
    let (ids, _) = page_ids(db, tenant, campaign_id, &all, today).await?;
    Ok(ids)
}

/// Name, contacts and whether signed, for the confirmation of a delete or a merge.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Chosen {
    pub id: Uuid,
    pub name: String,
    pub contacts: i64,
    pub activities: i64,
    pub signed: bool,
}

pub async fn chosen(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    ids: &[Uuid],
) -> sqlx::Result<Vec<Chosen>> {
    sqlx::query_as(
        "SELECT p.id, p.name, (SELECT count(*) FROM prospect_contacts c WHERE c.prospect_id = p.id) AS contacts,
                (SELECT count(*) FROM outreach_activities a WHERE a.prospect_id = p.id) AS activities,
                p.signed_signature_id IS NOT NULL AS signed
         FROM prospects p WHERE p.tenant_id = $1 AND p.campaign_id = $2 AND p.id = ANY ($3)
         ORDER BY p.sort_key COLLATE signer_order, p.id",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(ids)
    .fetch_all(db)
    .await
}

pub async fn bulk_set_owner(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    ids: &[Uuid],
    owner: Option<Uuid>,
) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "UPDATE prospects SET owner_id = $4 WHERE tenant_id = $1 AND campaign_id = $2 AND id = ANY ($3)",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(ids)
    .bind(owner)
    .execute(conn)
    .await?
    .rows_affected())
}

/// Adds a tag to the prospects that do not have it yet (case aside) and have room for it.
pub async fn bulk_add_tag(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    ids: &[Uuid],
    tag: &str,
) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "UPDATE prospects SET tags = tags || $4::text
         WHERE tenant_id = $1 AND campaign_id = $2 AND id = ANY ($3) AND cardinality(tags) < 20
           AND NOT EXISTS (SELECT 1 FROM unnest(tags) t WHERE lower(t) = lower($4))",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(ids)
    .bind(tag)
    .execute(conn)
    .await?
    .rows_affected())
}

pub async fn bulk_remove_tag(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    ids: &[Uuid],
    tag: &str,
) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "UPDATE prospects SET tags = ARRAY(SELECT t FROM unnest(tags) t WHERE lower(t) <> lower($4))
         WHERE tenant_id = $1 AND campaign_id = $2 AND id = ANY ($3)
           AND EXISTS (SELECT 1 FROM unnest(tags) t WHERE lower(t) = lower($4))",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(ids)
    .bind(tag)
    .execute(conn)
    .await?
    .rows_affected())
}

/// Puts prospects on hold (a reason, until a date or open-ended), or ends their hold
/// (an empty reason).
pub async fn bulk_set_hold(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    ids: &[Uuid],
    reason: &str,
    until: Option<Date>,
) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "UPDATE prospects SET hold_reason = $4, hold_until = $5
         WHERE tenant_id = $1 AND campaign_id = $2 AND id = ANY ($3)",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(ids)
    .bind(reason)
    .bind(until)
    .execute(conn)
    .await?
    .rows_affected())
}

/// Moves prospects to `status`, each change logged as the prospect's page logs one.
pub async fn bulk_set_status(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    ids: &[Uuid],
    status: PipelineStatus,
    author: (Uuid, &str),
    now: OffsetDateTime,
) -> sqlx::Result<u64> {
    let changed: Vec<(Uuid, PipelineStatus)> = sqlx::query_as(
        "SELECT id, status FROM prospects WHERE tenant_id = $1 AND campaign_id = $2 AND id = ANY ($3)
           AND status <> $4 ORDER BY id FOR NO KEY UPDATE",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(ids)
    .bind(status)
    .fetch_all(&mut *conn)
    .await?;
    let changed_ids: Vec<Uuid> = changed.iter().map(|(id, _)| *id).collect();
    sqlx::query("UPDATE prospects SET status = $3 WHERE tenant_id = $1 AND id = ANY ($2)")
        .bind(tenant.uuid())
        .bind(&changed_ids)
        .bind(status)
        .execute(&mut *conn)
        .await?;
    for (id, from) in &changed {
        record(
            conn,
            tenant.uuid(),
            campaign_id,
            &NewActivity {
                prospect_id: *id,
                contact_id: None,
                kind: ActivityKind::Status,
                outcome: status.label(),
                body: &format!("{} → {}", from.label(), status.label()),
                author_id: Some(author.0),
                author_name: author.1,
            },
            now,
        )
        .await?;
    }
    Ok(changed.len() as u64)
}

/// Deletes prospects with their contacts and activity log. Signatures are the signers'
/// and stay as they are (a prospect only points at one); chapters lose their parent.
pub async fn delete_prospects(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    ids: &[Uuid],
) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "DELETE FROM prospects WHERE tenant_id = $1 AND campaign_id = $2 AND id = ANY ($3)",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(ids)
    .execute(conn)
    .await?
    .rows_affected())
}

/// What a merge did, for the log line it leaves.
pub struct Merged {
    pub moved_contacts: u64,
    pub folded_contacts: u64,
    pub moved_activities: u64,
}

/// Folds `fold` into `keep`: its contacts (one with an address `keep` already has becomes
/// that contact, its log and touches added), its activity log, chapters and signature come
/// over; `keep`'s fields win and its empty ones take `fold`'s; then `fold` goes.
pub async fn merge_prospects(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    keep: Uuid,
    fold: Uuid,
) -> sqlx::Result<Option<Merged>> {
    let locked: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM prospects WHERE tenant_id = $1 AND campaign_id = $2 AND id IN ($3, $4)
         ORDER BY id FOR UPDATE",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(keep)
    .bind(fold)
    .fetch_all(&mut *conn)
    .await?;
    if locked.len() != 2 {
        return Ok(None);
    }
    // Contacts with an address the kept prospect already has: one person, one contact.
    let pairs: Vec<(Uuid, Uuid)> = sqlx::query_as(
        "SELECT f.id, (SELECT k.id FROM prospect_contacts k WHERE k.prospect_id = $2 AND k.email = f.email
                       ORDER BY k.created_at, k.id LIMIT 1)
         FROM prospect_contacts f WHERE f.prospect_id = $1 AND f.email IS NOT NULL ORDER BY f.id FOR UPDATE",
    )
    .bind(fold)
    .bind(keep)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .filter_map(|(f, k): (Uuid, Option<Uuid>)| k.map(|k| (f, k)))
    .collect();
    for (from, into) in &pairs {
        sqlx::query("UPDATE outreach_activities SET contact_id = $2 WHERE contact_id = $1")
            .bind(from)
            .bind(into)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "INSERT INTO outreach_send_log (campaign_id, contact_id, stage, deadline, outcome, reason, at)
             SELECT campaign_id, $2, stage, deadline, outcome, reason, at FROM outreach_send_log WHERE contact_id = $1
             ON CONFLICT DO NOTHING",
        )
        .bind(from)
        .bind(into)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "UPDATE prospect_contacts k SET touches = k.touches + f.touches,
                    last_touch_at = greatest(k.last_touch_at, f.last_touch_at),
                    name = CASE WHEN k.name = '' THEN f.name ELSE k.name END,
                    role = CASE WHEN k.role = '' THEN f.role ELSE k.role END,
                    phone = CASE WHEN k.phone = '' THEN f.phone ELSE k.phone END,
                    bounced_at = coalesce(k.bounced_at, f.bounced_at),
                    bounce_reason = CASE WHEN k.bounced_at IS NULL THEN f.bounce_reason ELSE k.bounce_reason END
             FROM prospect_contacts f WHERE k.id = $2 AND f.id = $1",
        )
        .bind(from)
        .bind(into)
        .execute(&mut *conn)
        .await?;
        sqlx::query("DELETE FROM prospect_contacts WHERE id = $1")
            .bind(from)
            .execute(&mut *conn)
            .await?;
    }
    let moved_contacts =
        sqlx::query("UPDATE prospect_contacts SET prospect_id = $2 WHERE prospect_id = $1")
            .bind(fold)
            .bind(keep)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    let moved_activities =
        sqlx::query("UPDATE outreach_activities SET prospect_id = $2 WHERE prospect_id = $1")
            .bind(fold)
            .bind(keep)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    // The signature, the referral and the match are unique per prospect: taken off the
    // folded one first, then given to the kept one if it has none.
    let taken: (Option<Uuid>, Option<Uuid>, Option<Uuid>) = sqlx::query_as(
        "WITH old AS (SELECT signed_signature_id, matched_signature_id, referral_id FROM prospects WHERE id = $1)
         UPDATE prospects p SET signed_signature_id = NULL, matched_signature_id = NULL, referral_id = NULL
         FROM old WHERE p.id = $1
         RETURNING old.signed_signature_id, old.matched_signature_id, old.referral_id",
    )
    .bind(fold)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE prospects k SET
            signed_signature_id = coalesce(k.signed_signature_id, $3),
            matched_signature_id = coalesce(k.matched_signature_id, $4),
            referral_id = coalesce(k.referral_id, $5),
            website = CASE WHEN k.website = '' THEN f.website ELSE k.website END,
            domain = CASE WHEN k.website = '' THEN f.domain ELSE k.domain END,
            size = CASE WHEN k.size = '' THEN f.size ELSE k.size END,
            owner_id = coalesce(k.owner_id, f.owner_id),
            parent_id = CASE WHEN k.parent_id = $1 THEN nullif(f.parent_id, $2)
                             ELSE coalesce(k.parent_id, nullif(f.parent_id, $2)) END,
            tags = (SELECT coalesce(array_agg(t ORDER BY n), '{}') FROM (
                        SELECT DISTINCT ON (lower(t)) t, n FROM unnest(k.tags || f.tags) WITH ORDINALITY AS x(t, n)
                        ORDER BY lower(t), n) u),
            sensitivity = CASE WHEN f.sensitivity = '' OR f.sensitivity = k.sensitivity THEN k.sensitivity
                               WHEN k.sensitivity = '' THEN f.sensitivity
                               ELSE k.sensitivity || E'\\n\\n' || f.sensitivity END,
            notes = CASE WHEN f.notes = '' OR f.notes = k.notes THEN k.notes
                         WHEN k.notes = '' THEN f.notes
                         ELSE k.notes || E'\\n\\n' || f.notes END,
            hold_reason = CASE WHEN k.hold_reason = '' THEN f.hold_reason ELSE k.hold_reason END,
            hold_until = CASE WHEN k.hold_reason = '' THEN f.hold_until ELSE k.hold_until END,
            status = CASE WHEN k.status = 'not_contacted' THEN f.status ELSE k.status END,
            referred_by = CASE WHEN k.referred_by = '' THEN f.referred_by ELSE k.referred_by END,
            referral_note = CASE WHEN k.referral_note = '' THEN f.referral_note ELSE k.referral_note END,
            next_follow_up = CASE WHEN k.next_follow_up IS NULL THEN f.next_follow_up
                                  WHEN f.next_follow_up IS NULL THEN k.next_follow_up
                                  ELSE least(k.next_follow_up, f.next_follow_up) END,
            last_touch_at = greatest(k.last_touch_at, f.last_touch_at),
            possible_duplicate_of = nullif(k.possible_duplicate_of, $1)
         FROM prospects f WHERE k.id = $2 AND f.id = $1",
    )
    .bind(fold)
    .bind(keep)
    .bind(taken.0)
    .bind(taken.1)
    .bind(taken.2)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE prospects SET parent_id = $2 WHERE parent_id = $1 AND id <> $2")
        .bind(fold)
        .bind(keep)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE prospects SET possible_duplicate_of = $2 WHERE possible_duplicate_of = $1 AND id <> $2",
    )
    .bind(fold)
    .bind(keep)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM prospects WHERE id = $1")
        .bind(fold)
        .execute(&mut *conn)
        .await?;
    Ok(Some(Merged {
        moved_contacts,
        folded_contacts: pairs.len() as u64,
        moved_activities,
    }))
}

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
         JOIN prospect_contacts c ON c.campaign_id = s.campaign_id AND c.email = s.email
         JOIN prospects p ON p.id = c.prospect_id
         WHERE s.campaign_id = $1 AND s.kind = 'organization' AND s.state = 'confirmed'
           AND p.signed_signature_id IS NULL AND ($2::uuid IS NULL OR p.id = $2)
           AND NOT EXISTS (SELECT 1 FROM prospects o WHERE o.signed_signature_id = s.id)
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
             SELECT DISTINCT ON (p.id) p.id, p.tenant_id, s.id AS signature_id, s.name
             FROM prospects p
             JOIN prospect_contacts c ON c.prospect_id = p.id
             JOIN signatures s ON s.id = ANY ($3) AND s.email = c.email AND s.state = 'confirmed'
             WHERE p.campaign_id = $1 AND p.signed_signature_id IS NULL
             ORDER BY p.id, s.confirmed_at, s.id),
         found AS (
             SELECT DISTINCT ON (signature_id) * FROM per_prospect ORDER BY signature_id, id),
         signed AS (
             UPDATE prospects p SET signed_signature_id = found.signature_id FROM found
             WHERE p.id = found.id RETURNING p.id, p.tenant_id, found.name)
         INSERT INTO outreach_activities (tenant_id, campaign_id, prospect_id, kind, body, author_name, at)
         SELECT tenant_id, $1, id, 'signed', 'Had already signed as ' || name, 'The signer', $2 FROM signed",
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
#[derive(Clone, Debug)]
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
        "SELECT s.id, s.name, s.contact_name,
                CASE WHEN s.name_key = p.name_key THEN 'name'
                     WHEN p.domain <> '' AND s.website ILIKE '%' || p.domain || '%' THEN 'website'
                     ELSE 'contact' END AS reason
         FROM prospects p JOIN signatures s ON {MATCHES_PROSPECT}
         WHERE p.tenant_id = $1 AND p.campaign_id = $2 AND p.id = $3 AND p.signed_signature_id IS NULL
         ORDER BY s.name_key = p.name_key DESC, s.confirmed_at LIMIT 1"
    );
    let row = sqlx::query(&sql)
        .bind(tenant.uuid())
        .bind(campaign_id)
        .bind(prospect_id)
        .fetch_optional(db)
        .await?;
    row.map(|r| {
        Ok(SuggestedMatch {
            signature_id: r.try_get("id")?,
            name: r.try_get("name")?,
            contact_name: r.try_get("contact_name")?,
            reason: r.try_get("reason")?,
        })
    })
    .transpose()
}

/// The conditions of a suggested match, shared by the suggestion and its confirmation:
/// a confirmed organization signature that no prospect counts as its signature yet, with
/// the prospect's folded name or website domain, or signed by a person whose name (first
/// and last, case, spacing and punctuation aside) is that of one of the prospect's
/// contacts: a chapter signing from a personal address under a name of its own ("Sierra
/// Club - West Virginia") is still found by the person who signed. Only a suggestion:
/// an organizer confirms it before the prospect counts as signed.
const MATCHES_PROSPECT: &str =
    "s.campaign_id = p.campaign_id AND s.kind = 'organization' AND s.state = 'confirmed'
    AND (s.name_key = p.name_key OR (p.domain <> '' AND s.website ILIKE '%' || p.domain || '%')
         OR (position(' ' IN btrim(s.contact_name)) > 0 AND EXISTS (
               SELECT 1 FROM prospect_contacts pc WHERE pc.prospect_id = p.id
                  AND lower(regexp_replace(btrim(pc.name), '[[:space:][:punct:]]+', ' ', 'g'))
                    = lower(regexp_replace(btrim(s.contact_name), '[[:space:][:punct:]]+', ' ', 'g')))))
    AND NOT EXISTS (SELECT 1 FROM prospects o WHERE o.signed_signature_id = s.id)";

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
             SELECT s.id FROM prospects p JOIN signatures s ON {MATCHES_PROSPECT}
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

#[derive(Clone, Debug)]
pub struct Activity {
    pub id: i64,
    pub kind: ActivityKind,
    pub contact_name: Option<String>,
    pub outcome: String,
    pub body: String,
    pub author_name: String,
    pub at: OffsetDateTime,
    pub answered_by_revision: Option<i32>,
}

/// One line for the activity log. `at` is always the app clock's time.
pub struct NewActivity<'a> {
    pub prospect_id: Uuid,
    pub contact_id: Option<Uuid>,
    pub kind: ActivityKind,
    pub outcome: &'a str,
    pub body: &'a str,
    pub author_id: Option<Uuid>,
    pub author_name: &'a str,
}

pub async fn record(
    conn: &mut PgConnection,
    tenant: Uuid,
    campaign_id: Uuid,
    activity: &NewActivity<'_>,
    at: OffsetDateTime,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO outreach_activities (tenant_id, campaign_id, prospect_id, contact_id, kind, outcome, body,
                                          author_id, author_name, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(tenant)
    .bind(campaign_id)
    .bind(activity.prospect_id)
    .bind(activity.contact_id)
    .bind(activity.kind)
    .bind(activity.outcome)
    .bind(activity.body)
    .bind(activity.author_id)
    .bind(activity.author_name)
    .bind(at)
    .fetch_one(conn)
    .await
}

/// The newest activities of a prospect (a long relationship shows its last 200 lines).
pub async fn activities(
    db: &PgPool,
    tenant: TenantId,
    prospect_id: Uuid,
) -> sqlx::Result<Vec<Activity>> {
    let rows = sqlx::query(
        "SELECT a.id, a.kind, c.name AS contact_name, a.outcome, a.body, a.author_name, a.at, r.number AS revision_number
         FROM outreach_activities a
         LEFT JOIN prospect_contacts c ON c.id = a.contact_id
         LEFT JOIN letter_revisions r ON r.id = a.answered_by_revision_id
         WHERE a.tenant_id = $1 AND a.prospect_id = $2 ORDER BY a.at DESC, a.id DESC LIMIT 200",
    )
    .bind(tenant.uuid())
    .bind(prospect_id)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Activity {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                contact_name: r.try_get("contact_name")?,
                outcome: r.try_get("outcome")?,
                body: r.try_get("body")?,
                author_name: r.try_get("author_name")?,
                at: r.try_get("at")?,
                answered_by_revision: r.try_get("revision_number")?,
            })
        })
        .collect()
}

/// Links a requested change to the revision that answered it.
pub async fn answer_change(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    activity_id: i64,
    revision_id: Uuid,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "UPDATE outreach_activities a SET answered_by_revision_id = r.id
         FROM letter_revisions r
         WHERE a.tenant_id = $1 AND a.campaign_id = $2 AND a.id = $3 AND a.kind = 'change_request'
           AND r.tenant_id = $1 AND r.campaign_id = $2 AND r.id = $4
         RETURNING a.prospect_id",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(activity_id)
    .bind(revision_id)
    .fetch_optional(conn)
    .await
}

/// Members who may own relationships (owners and organizers), for the owner picker.
pub async fn organizers(db: &PgPool, tenant: TenantId) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT u.id, u.name FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.tenant_id = $1 AND m.role IN ('owner', 'organizer') ORDER BY u.name, u.id",
    )
    .bind(tenant.uuid())
    .fetch_all(db)
    .await
}

/// Contacts chosen for an ask, with what decides whether each may be written to.
#[derive(Clone, Debug)]
pub struct Recipient {
    pub contact: Contact,
    pub prospect_id: Uuid,
    pub organization: String,
    pub status: PipelineStatus,
    pub signed: bool,
    pub held: bool,
    pub unsubscribed: bool,
    /// A signature by this address exists in the campaign (confirming, signed, withdrawn
    /// or declined): they know the letter and are not asked again.
    pub has_signature: bool,
    /// The referrer's name while their signature stands: the ask may introduce them.
    pub referred_by: String,
    /// The prospect is a signer's suggestion no organizer has edited yet.
    pub unchecked_suggestion: bool,
    pub parent_id: Option<Uuid>,
}

/// The contacts named, plus every contact of the prospects named, in this campaign only.
/// `lock` holds the contacts until the transaction ends, so two sends at once cannot both
/// pass the touch limits.
pub async fn recipients(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    contact_ids: &[Uuid],
    prospect_ids: &[Uuid],
    today: Date,
    lock: bool,
) -> sqlx::Result<Vec<Recipient>> {
    let sql = format!(
        "SELECT {CONTACT_COLUMNS}, p.name AS organization, p.status, p.signed_signature_id IS NOT NULL AS signed,
                {HELD} AS held, p.parent_id, p.unchecked_suggestion,
                coalesce((SELECT s.name FROM referrals f JOIN signatures s ON s.id = f.signature_id
                          WHERE f.id = p.referral_id AND s.state = 'confirmed'), '') AS referred_by,
                EXISTS (SELECT 1 FROM signatures s WHERE s.campaign_id = c.campaign_id AND s.email = c.email) AS has_signature,
                EXISTS (SELECT 1 FROM mail_suppressions m WHERE m.email = c.email
                        AND (m.tenant_id IS NULL OR m.tenant_id = c.tenant_id)) AS unsubscribed
         FROM prospect_contacts c JOIN prospects p ON p.id = c.prospect_id
         WHERE c.tenant_id = $1 AND c.campaign_id = $2 AND (c.id = ANY ($4) OR c.prospect_id = ANY ($5))
         ORDER BY p.sort_key COLLATE signer_order, p.id, c.created_at, c.id
         LIMIT 5001 {}",
        if lock { "FOR UPDATE OF c" } else { "" }
    );
    let rows = sqlx::query(&sql)
        .bind(tenant.uuid())
        .bind(campaign_id)
        .bind(today)
        .bind(contact_ids)
        .bind(prospect_ids)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Recipient {
                contact: contact(r)?,
                prospect_id: r.try_get("prospect_id")?,
                organization: r.try_get("organization")?,
                status: r.try_get("status")?,
                signed: r.try_get("signed")?,
                held: r.try_get("held")?,
                unsubscribed: r.try_get("unsubscribed")?,
                has_signature: r.try_get("has_signature")?,
                referred_by: r.try_get("referred_by")?,
                unchecked_suggestion: r.try_get("unchecked_suggestion")?,
                parent_id: r.try_get("parent_id")?,
            })
        })
        .collect()
}

/// A parent organization and its chapter, both in an ask or one in it while the other is
/// being asked: "chapters often need their parent's decision".
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ChapterPair {
    pub parent_id: Uuid,
    pub parent: String,
    pub chapter_id: Uuid,
    pub chapter: String,
    /// The chapter is one of the prospects asked, so the send can leave it out.
    pub chapter_in_send: bool,
}

/// Each parent-and-chapter pair among the given prospects and those being asked, once.
pub async fn chapter_pairs_being_asked(
    conn: &mut PgConnection,
    campaign_id: Uuid,
    prospect_ids: &[Uuid],
) -> sqlx::Result<Vec<ChapterPair>> {
    sqlx::query_as(
        "SELECT parent.id AS parent_id, parent.name AS parent, chapter.id AS chapter_id, chapter.name AS chapter,
                chapter.id = ANY ($2) AS chapter_in_send
         FROM prospects chapter
         JOIN prospects parent ON parent.campaign_id = chapter.campaign_id AND parent.id = chapter.parent_id
         WHERE chapter.campaign_id = $1 AND (chapter.id = ANY ($2) OR parent.id = ANY ($2))
           AND (chapter.id = ANY ($2)
                OR (chapter.status IN ('asked', 'in_conversation') AND chapter.signed_signature_id IS NULL))
           AND (parent.id = ANY ($2)
                OR (parent.status IN ('asked', 'in_conversation') AND parent.signed_signature_id IS NULL))
         ORDER BY parent.sort_key COLLATE signer_order, chapter.sort_key COLLATE signer_order, chapter.id",
    )
    .bind(campaign_id)
    .bind(prospect_ids)
    .fetch_all(conn)
    .await
}

/// The organizer of the group who last wrote to a contact in person (an ask, a follow-up,
/// a last call they sent), else the prospect's owner: whom the contact's automated emails come from,
/// and whose ask a signature from the contact's link answers.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ContactAsker {
    pub contact_id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
}

pub async fn askers(
    conn: &mut PgConnection,
    contact_ids: &[Uuid],
) -> sqlx::Result<Vec<ContactAsker>> {
    sqlx::query_as(
        "SELECT c.id AS contact_id, u.id AS user_id, u.name, u.email::text AS email
         FROM prospect_contacts c JOIN prospects p ON p.id = c.prospect_id
         LEFT JOIN LATERAL (
             SELECT a.author_id FROM outreach_activities a
             JOIN memberships m ON m.user_id = a.author_id AND m.tenant_id = c.tenant_id
             WHERE a.contact_id = c.id AND a.kind IN ('ask', 'follow_up', 'last_call')
             ORDER BY a.at DESC, a.id DESC LIMIT 1) last ON true
         LEFT JOIN memberships owner ON owner.user_id = p.owner_id AND owner.tenant_id = c.tenant_id
         JOIN users u ON u.id = coalesce(last.author_id, owner.user_id)
         WHERE c.id = ANY ($1)",
    )
    .bind(contact_ids)
    .fetch_all(conn)
    .await
}

/// Counts of prospects by stage, for the funnel.
pub async fn stage_counts(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    today: Date,
) -> sqlx::Result<Vec<(Stage, i64)>> {
    let sql = format!(
        "SELECT CASE WHEN p.signed_signature_id IS NOT NULL THEN 'signed'
                     WHEN {HELD} THEN 'on_hold' ELSE p.status END AS stage, count(*)
         FROM prospects p WHERE p.tenant_id = $1 AND p.campaign_id = $2 GROUP BY 1"
    );
    let rows: Vec<(String, i64)> = sqlx::query_as(&sql)
        .bind(tenant.uuid())
        .bind(campaign_id)
        .bind(today)
        .fetch_all(db)
        .await?;
    Ok(Stage::ALL
        .into_iter()
        .map(|stage| {
            let count = rows
                .iter()
                .find(|(key, _)| key == stage.key())
                .map_or(0, |(_, n)| *n);
            (stage, count)
        })
        .collect())
}

/// The follow-up queue: an organizer's prospects due by `due_by` (today, or the end of
/// the week), overdue included, large organizations first, then the ones touched longest
/// ago. A held prospect is in it too when an organizer set its follow-up (a reminder to
/// reconsider the hold); nothing is sent to it while the hold lasts.
pub async fn follow_ups(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    owner_id: Option<Uuid>,
    due_by: Date,
    limit: i64,
) -> sqlx::Result<Vec<Prospect>> {
    let sql = format!(
        "SELECT {PROSPECT_COLUMNS} {PROSPECT_JOINS}
         WHERE p.tenant_id = $1 AND p.campaign_id = $2 AND p.next_follow_up <= $3
           AND ($4::uuid IS NULL OR p.owner_id = $4)
           AND p.signed_signature_id IS NULL AND p.status NOT IN ('declined', 'own_statement')
         ORDER BY CASE p.size WHEN 'international' THEN 0 WHEN 'national' THEN 1 WHEN 'regional' THEN 2 ELSE 3 END,
                  p.last_touch_at ASC NULLS FIRST, p.next_follow_up, p.id
         LIMIT $5"
    );
    let rows = sqlx::query(&sql)
        .bind(tenant.uuid())
        .bind(campaign_id)
        .bind(due_by)
        .bind(owner_id)
        .bind(limit)
        .fetch_all(db)
        .await?;
    rows.iter().map(prospect).collect()
}

/// What the follow-up queue shows beside a prospect: the person to call (a contact with
/// a phone first, then the first added) and the latest outcome logged.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct QueueDetail {
    pub prospect_id: Uuid,
    pub contact_name: Option<String>,
    pub contact_role: Option<String>,
    pub contact_phone: Option<String>,
    pub last_kind: Option<ActivityKind>,
    pub last_outcome: Option<String>,
    pub last_at: Option<OffsetDateTime>,
}

pub async fn queue_details(
    db: &PgPool,
    tenant: TenantId,
    prospect_ids: &[Uuid],
) -> sqlx::Result<Vec<QueueDetail>> {
    sqlx::query_as(
        "SELECT p.id AS prospect_id, c.name AS contact_name, c.role AS contact_role, c.phone AS contact_phone,
                a.kind AS last_kind, a.outcome AS last_outcome, a.at AS last_at
         FROM prospects p
         LEFT JOIN LATERAL (SELECT name, role, phone FROM prospect_contacts
                             WHERE prospect_id = p.id
                             ORDER BY (phone <> '') DESC, created_at, id LIMIT 1) c ON true
         LEFT JOIN LATERAL (SELECT kind, outcome, at FROM outreach_activities
                             WHERE prospect_id = p.id AND outcome <> '' AND kind <> 'status'
                             ORDER BY at DESC, id DESC LIMIT 1) a ON true
         WHERE p.tenant_id = $1 AND p.id = ANY ($2)",
    )
    .bind(tenant.uuid())
    .bind(prospect_ids)
    .fetch_all(db)
    .await
}

/// When the group was created, and how many outreach recipients it wrote to since
/// `since` (see `daily_cap`). With `lock`, the group's row is locked first and stays so
/// until the transaction ends, so concurrent sends are counted in turn (as the signature
/// import counts its rows).
pub async fn mail_volume_since(
    conn: &mut PgConnection,
    tenant: TenantId,
    since: OffsetDateTime,
    lock: bool,
) -> sqlx::Result<(OffsetDateTime, i64)> {
    let sql = if lock {
        "SELECT created_at FROM tenants WHERE id = $1 FOR NO KEY UPDATE"
    } else {
        "SELECT created_at FROM tenants WHERE id = $1"
    };
    let created_at: OffsetDateTime = sqlx::query_scalar(sql)
        .bind(tenant.uuid())
        .fetch_one(&mut *conn)
        .await?;
    let used: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(recipients), 0)::bigint FROM outreach_mail_volume WHERE tenant_id = $1 AND sent_at > $2",
    )
    .bind(tenant.uuid())
    .bind(since)
    .fetch_one(conn)
    .await?;
    Ok((created_at, used))
}

/// Counts `recipients` written to at `at`; the group's rows older than `forget_before`
/// go (they no longer count).
pub async fn record_mail_volume(
    conn: &mut PgConnection,
    tenant: TenantId,
    at: OffsetDateTime,
    recipients: i64,
    forget_before: OffsetDateTime,
) -> sqlx::Result<()> {
    if recipients > 0 {
        sqlx::query(
            "INSERT INTO outreach_mail_volume (tenant_id, sent_at, recipients) VALUES ($1, $2, $3)",
        )
        .bind(tenant.uuid())
        .bind(at)
        .bind(i32::try_from(recipients).unwrap_or(i32::MAX))
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("DELETE FROM outreach_mail_volume WHERE tenant_id = $1 AND sent_at <= $2")
        .bind(tenant.uuid())
        .bind(forget_before)
        .execute(conn)
        .await?;
    Ok(())
}

/// A contact of this campaign's prospects with a signer's address: its touches count
/// toward the touch limits of anything else written to that address.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct ContactByEmail {
    pub email: String,
    pub contact_id: Uuid,
    pub prospect_id: Uuid,
    pub touches: i32,
    pub last_touch_at: Option<OffsetDateTime>,
}

/// The most-touched contact of this campaign for each of these addresses (compared whole,
/// case folded).
pub async fn contacts_by_email(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    emails: &[String],
) -> sqlx::Result<Vec<ContactByEmail>> {
    sqlx::query_as(
        "SELECT DISTINCT ON (lower(c.email::text)) lower(c.email::text) AS email, c.id AS contact_id,
                c.prospect_id, c.touches, c.last_touch_at
         FROM prospect_contacts c
         WHERE c.tenant_id = $1 AND c.campaign_id = $2 AND lower(c.email::text) = ANY ($3)
         ORDER BY lower(c.email::text), c.touches DESC, c.last_touch_at DESC NULLS LAST, c.id",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(emails.iter().map(|e| e.to_lowercase()).collect::<Vec<_>>())
    .fetch_all(conn)
    .await
}

/// Prospects counted signed, split by whether their signature is listed under the
/// current text (`signatures::store::listed_sql`) or awaits its signer's reconfirmation.
#[derive(sqlx::FromRow, Clone, Copy, Debug, Default)]
pub struct SignedSplit {
    pub listed: i64,
    pub awaiting_reconfirmation: i64,
}

pub async fn signed_split(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
) -> sqlx::Result<SignedSplit> {
    use crate::signatures::store::{awaiting_reconfirmation_sql, listed_sql};
    sqlx::query_as(&format!(
        "SELECT count(*) FILTER (WHERE {}) AS listed, count(*) FILTER (WHERE {}) AS awaiting_reconfirmation
         FROM prospects p JOIN signatures s ON s.id = p.signed_signature_id
         JOIN campaigns c ON c.id = p.campaign_id
         WHERE p.tenant_id = $1 AND p.campaign_id = $2",
        listed_sql("s.", "c.consent_from_revision"),
        awaiting_reconfirmation_sql("s.", "c.consent_from_revision"),
    ))
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_one(db)
    .await
}

/// One day of signers listed under the current text, by the day they confirmed.
#[derive(sqlx::FromRow)]
pub struct ListedOnDay {
    pub day: Date,
    pub count: i64,
}

pub async fn listed_per_day(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    zone: &str,
) -> sqlx::Result<Vec<ListedOnDay>> {
    use crate::signatures::store::listed_sql;
    sqlx::query_as(&format!(
        "SELECT (s.confirmed_at AT TIME ZONE $3)::date AS day, count(*) AS count
         FROM signatures s JOIN campaigns c ON c.id = s.campaign_id
         WHERE s.tenant_id = $1 AND s.campaign_id = $2 AND s.confirmed_at IS NOT NULL AND {}
         GROUP BY 1 ORDER BY 1",
        listed_sql("s.", "c.consent_from_revision"),
    ))
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(zone)
    .fetch_all(db)
    .await
}

/// National and international prospects nobody has touched by any channel (no email
/// sent, no call or meeting logged: `last_touch_at` is kept by the touch trigger), that
/// have not signed, declined or said they issue their own statement, and are not held.
pub async fn large_untouched(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    today: Date,
    limit: i64,
) -> sqlx::Result<Vec<Prospect>> {
    let sql = format!(
        "SELECT {PROSPECT_COLUMNS} {PROSPECT_JOINS}
         WHERE p.tenant_id = $1 AND p.campaign_id = $2 AND p.size IN ('national', 'international')
           AND p.last_touch_at IS NULL AND p.signed_signature_id IS NULL
           AND p.status NOT IN ('declined', 'own_statement') AND NOT {HELD}
         ORDER BY p.size = 'international' DESC, p.sort_key COLLATE signer_order, p.id LIMIT $4"
    );
    let rows = sqlx::query(&sql)
        .bind(tenant.uuid())
        .bind(campaign_id)
        .bind(today)
        .bind(limit)
        .fetch_all(db)
        .await?;
    rows.iter().map(prospect).collect()
}

/// What a signer wrote to the organizers when signing ("Comment for the organizers"),
/// with the prospect it belongs to when one does (matched, or a contact's address).
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct SignerComment {
    pub signature_id: Uuid,
    pub name: String,
    pub contact_name: String,
    pub comment: String,
    pub at: OffsetDateTime,
    pub prospect_id: Option<Uuid>,
}

const SIGNER_COMMENT_COLUMNS: &str = "s.id AS signature_id, s.name, s.contact_name, s.comment,
    coalesce(s.confirmed_at, s.created_at) AS at,
    (SELECT p.id FROM prospects p WHERE p.campaign_id = s.campaign_id
       AND (p.signed_signature_id = s.id OR EXISTS (SELECT 1 FROM prospect_contacts pc
              WHERE pc.prospect_id = p.id AND pc.email = s.email))
     ORDER BY (p.signed_signature_id = s.id) DESC, p.created_at LIMIT 1) AS prospect_id";

/// The newest comments of signers who confirmed (listed, awaiting approval or
/// reconfirmation): an unconfirmed form carries a stranger's words, not a signer's.
pub async fn signer_comments(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    limit: i64,
) -> sqlx::Result<Vec<SignerComment>> {
    sqlx::query_as(&format!(
        "SELECT {SIGNER_COMMENT_COLUMNS} FROM signatures s
         WHERE s.tenant_id = $1 AND s.campaign_id = $2 AND s.comment <> ''
           AND s.state IN ('confirmed', 'awaiting_approval')
         ORDER BY coalesce(s.confirmed_at, s.created_at) DESC, s.id LIMIT $3"
    ))
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The comments of the confirmed signatures that are this prospect's: the one that
/// makes it signed, and any from its contacts' addresses.
pub async fn prospect_signer_comments(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    prospect_id: Uuid,
) -> sqlx::Result<Vec<SignerComment>> {
    sqlx::query_as(&format!(
        "SELECT {SIGNER_COMMENT_COLUMNS} FROM signatures s
         JOIN prospects p ON p.id = $3 AND p.campaign_id = s.campaign_id
         WHERE s.tenant_id = $1 AND s.campaign_id = $2 AND s.comment <> ''
           AND s.state IN ('confirmed', 'awaiting_approval')
           AND (p.signed_signature_id = s.id OR EXISTS (SELECT 1 FROM prospect_contacts pc
                  WHERE pc.prospect_id = p.id AND pc.email = s.email))
         ORDER BY coalesce(s.confirmed_at, s.created_at) DESC, s.id LIMIT 20"
    ))
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(prospect_id)
    .fetch_all(db)
    .await
}

/// A change to the letter a prospect asked for that no revision has answered yet.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct OpenChangeRequest {
    pub prospect_id: Uuid,
    pub organization: String,
    pub body: String,
    pub at: OffsetDateTime,
}

pub async fn open_change_requests(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    limit: i64,
) -> sqlx::Result<Vec<OpenChangeRequest>> {
    sqlx::query_as(
        "SELECT a.prospect_id, p.name AS organization, a.body, a.at FROM outreach_activities a
         JOIN prospects p ON p.id = a.prospect_id
         WHERE a.tenant_id = $1 AND a.campaign_id = $2 AND a.kind = 'change_request'
           AND a.answered_by_revision_id IS NULL
         ORDER BY a.at DESC, a.id DESC LIMIT $3",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(limit)
    .fetch_all(db)
    .await
}
