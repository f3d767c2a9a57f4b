//! Prospects: the list, one prospect, adding and saving one, its status and follow-up
//! date (`prospects`). Read-only exception: a prospect's row names its owner from `users`
//! (auth's) and whether its signature awaits reconfirmation from `signatures` and
//! `campaigns`; nothing else of theirs is touched.

use super::*;

#[derive(Clone, Debug, sqlx::FromRow)]
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
        crate::outreach::hold_lasts(&self.hold_reason, self.hold_until, today)
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

pub(super) const PROSPECT_COLUMNS: &str = "p.id, p.name, p.website, nullif(p.size, '') AS size, p.parent_id, parent.name AS parent_name, p.tags,
    p.owner_id, owner.name AS owner_name, p.sensitivity, p.notes, p.hold_reason, p.hold_until, p.status,
    p.signed_signature_id, p.matched_signature_id, p.referred_by, p.referral_note, p.unchecked_suggestion, p.possible_duplicate_of,
    dup.name AS duplicate_name, p.next_follow_up, p.last_touch_at, p.created_at,
    (SELECT count(*) FROM prospect_contacts pc WHERE pc.prospect_id = p.id) AS contact_count,
    coalesce((SELECT s.confirmed_revision < c.consent_from_revision FROM signatures s JOIN campaigns c ON c.id = s.campaign_id
      WHERE s.id = p.signed_signature_id), false) AS awaiting_reconfirmation";

pub(super) const PROSPECT_JOINS: &str = "FROM prospects p
    LEFT JOIN prospects parent ON parent.id = p.parent_id
    LEFT JOIN prospects dup ON dup.id = p.possible_duplicate_of
    LEFT JOIN users owner ON owner.id = p.owner_id";

/// SQL for "the prospect's hold lasts on `$3`", as `outreach::hold_lasts`.
pub(super) const HELD: &str =
    "(p.hold_reason <> '' AND (p.hold_until IS NULL OR p.hold_until > $3))";

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

pub(super) fn stage_condition(stage: Stage) -> String {
    let not_signed_nor_held = format!("p.signed_signature_id IS NULL AND NOT {HELD}");
    match stage {
        Stage::Signed => "p.signed_signature_id IS NOT NULL".into(),
        Stage::OnHold => format!("p.signed_signature_id IS NULL AND {HELD}"),
        other => format!("{not_signed_nor_held} AND p.status = '{}'", other.key()),
    }
}

/// The ids of one page of a campaign's prospects, filtered and sorted, and how many the
/// filter shows in all.
pub(super) async fn page_ids(
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
        ($sql:expr, $t:ty) => {
            sqlx::query_scalar::<_, $t>($sql)
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
    let ids = bound!(&ids_sql, Uuid).fetch_all(db).await?;
    let total = bound!(&count_sql, i64).fetch_one(db).await?;
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
    let prospects = sqlx::query_as(&details_sql)
        .bind(&ids)
        .fetch_all(db)
        .await?;
    Ok(Page { prospects, total })
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
    sqlx::query_as(&sql)
        .bind(tenant.uuid())
        .bind(campaign_id)
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Name and stage of each chapter of a prospect (and of its parent, if any) for the
/// "shown both ways" links and the chapter warnings.
#[derive(Clone, Debug, sqlx::FromRow)]
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
    sqlx::query_as(
        "SELECT id, name, status, signed_signature_id IS NOT NULL AS signed FROM prospects p
         WHERE tenant_id = $1 AND campaign_id = $2 AND parent_id = $3 ORDER BY sort_key COLLATE signer_order",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(parent_id)
    .fetch_all(db)
    .await
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

/// The prospects among `ids` that an ask moves on (`pipeline::Action::AskSent`: those
/// nobody had contacted) become asked.
pub async fn mark_asked(
    conn: &mut PgConnection,
    campaign_id: Uuid,
    ids: &[Uuid],
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "UPDATE prospects SET status = $3 WHERE campaign_id = $1 AND id = ANY ($2) AND status = ANY ($4)",
    )
    .bind(campaign_id)
    .bind(ids)
    .bind(PipelineStatus::Asked)
    .bind(pipeline::source_keys(pipeline::Action::AskSent))
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
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
