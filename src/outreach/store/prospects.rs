//! Prospects: one campaign's relationship with one organization of the group's address
//! book (`prospects` joined to `organizations o`): the list, one prospect, adding one
//! (finding or creating its organization in the book), saving the organization's fields
//! (the book's, shared by every campaign) and the campaign's own (status, owner of the ask,
//! hold, follow-up). Read-only exception: a prospect's row names its owner from `users`
//! (auth's) and whether its signature awaits reconfirmation from `signatures` and
//! `campaigns`; nothing else of theirs is touched.

use super::*;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Prospect {
    pub id: Uuid,
    /// The organization of the book this prospect is the campaign's relationship with.
    pub organization_id: Uuid,
    pub name: String,
    pub website: String,
    pub size: Option<Size>,
    pub region: String,
    /// The parent organization's prospect in this campaign, when it has one.
    pub parent_id: Option<Uuid>,
    /// The parent organization in the book.
    pub parent_organization_id: Option<Uuid>,
    pub parent_name: Option<String>,
    pub tags: Vec<String>,
    /// Who owns the ask in this campaign.
    pub owner_id: Option<Uuid>,
    pub owner_name: Option<String>,
    pub sensitivity: String,
    pub notes: String,
    /// The hold for this campaign.
    pub hold_reason: String,
    pub hold_until: Option<Date>,
    /// The organization's group-wide hold (every campaign).
    pub group_hold_reason: String,
    pub group_hold_until: Option<Date>,
    pub status: PipelineStatus,
    pub signed_signature_id: Option<Uuid>,
    pub matched_signature_id: Option<Uuid>,
    pub referred_by: String,
    pub referral_note: String,
    /// Made from a signer's suggestion, with the text they typed, and not yet edited by
    /// an organizer: shown as not yet checked, and asked nothing.
    pub unchecked_suggestion: bool,
    /// The possible duplicate's prospect in this campaign, when it has one.
    pub possible_duplicate_of: Option<Uuid>,
    /// The possible duplicate organization in the book.
    pub duplicate_organization_id: Option<Uuid>,
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
    /// Held for this campaign, or by the group's hold on the organization.
    pub fn held(&self, today: Date) -> bool {
        crate::outreach::hold_lasts(&self.hold_reason, self.hold_until, today)
            || self.group_held(today)
    }

    /// The group's hold on the organization lasts: no campaign asks it.
    pub fn group_held(&self, today: Date) -> bool {
        crate::outreach::hold_lasts(&self.group_hold_reason, self.group_hold_until, today)
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

/// A prospect's columns; `PROSPECT_JOINS` (or a FROM naming `p` and `o` the same way)
/// must follow.
pub(super) const PROSPECT_COLUMNS: &str = "p.id, p.organization_id, o.name, o.website, nullif(o.size, '') AS size, o.region,
    parent_p.id AS parent_id, o.parent_id AS parent_organization_id, parent.name AS parent_name, o.tags,
    p.owner_id, owner.name AS owner_name, o.sensitivity, o.notes, p.hold_reason, p.hold_until,
    o.hold_reason AS group_hold_reason, o.hold_until AS group_hold_until, p.status,
    p.signed_signature_id, p.matched_signature_id, p.referred_by, p.referral_note, p.unchecked_suggestion,
    dup_p.id AS possible_duplicate_of, o.possible_duplicate_of AS duplicate_organization_id,
    dup.name AS duplicate_name, p.next_follow_up, p.last_touch_at, p.created_at,
    (SELECT count(*) FROM people pc WHERE pc.organization_id = p.organization_id) AS contact_count,
    coalesce((SELECT s.confirmed_revision < c.consent_from_revision FROM signatures s JOIN campaigns c ON c.id = s.campaign_id
      WHERE s.id = p.signed_signature_id), false) AS awaiting_reconfirmation";

pub(super) const PROSPECT_JOINS: &str = "FROM prospects p
    JOIN organizations o ON o.id = p.organization_id
    LEFT JOIN organizations parent ON parent.id = o.parent_id
    LEFT JOIN prospects parent_p ON parent_p.campaign_id = p.campaign_id AND parent_p.organization_id = o.parent_id
    LEFT JOIN organizations dup ON dup.id = o.possible_duplicate_of
    LEFT JOIN prospects dup_p ON dup_p.campaign_id = p.campaign_id AND dup_p.organization_id = o.possible_duplicate_of
    LEFT JOIN users owner ON owner.id = p.owner_id";

/// SQL for "the prospect is held on `$3`", as `Prospect::held`: its hold for this
/// campaign or the group's hold on its organization lasts. Needs `p` (prospects) and
/// `o` (its organization) in the FROM.
pub(super) const HELD: &str =
    "((p.hold_reason <> '' AND (p.hold_until IS NULL OR p.hold_until > $3))
      OR (o.hold_reason <> '' AND (o.hold_until IS NULL OR o.hold_until > $3)))";

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
            Sort::Priority => "(o.size IN ('national', 'international') AND p.status = 'not_contacted' AND p.signed_signature_id IS NULL) DESC, o.sort_key COLLATE signer_order, p.id",
            Sort::Name => "o.sort_key COLLATE signer_order, p.id",
            Sort::LastTouch => "p.last_touch_at ASC NULLS FIRST, o.sort_key COLLATE signer_order, p.id",
            Sort::FollowUp => "p.next_follow_up ASC NULLS LAST, o.sort_key COLLATE signer_order, p.id",
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

/// SQL for "the prospect is in this stage" (`$3` is today); needs `p` and `o`.
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
        conditions.push("o.size = $4".into());
    }
    if !filter.tag.is_empty() {
        conditions.push("$5 = ANY (o.tags)".into());
    }
    match filter.owner {
        Some(Some(_)) => conditions.push("p.owner_id = $6".into()),
        Some(None) => conditions.push("p.owner_id IS NULL".into()),
        None => {}
    }
    if !filter.search.is_empty() {
        conditions.push(
            "(o.name ILIKE $7 OR o.website ILIKE $7 OR EXISTS (SELECT 1 FROM people sc
               WHERE sc.organization_id = p.organization_id AND (sc.name ILIKE $7 OR sc.email::text ILIKE $7)))"
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
    // The page's ids first (a hundred rows), then the total: never all of the campaign's
    // prospects joined to everything and sorted.
    let ids_sql = format!(
        "SELECT p.id FROM prospects p JOIN organizations o ON o.id = p.organization_id
         WHERE {conditions} ORDER BY {} LIMIT $8 OFFSET $9",
        filter.sort.order_by()
    );
    let count_sql = format!(
        "SELECT count(*) FROM prospects p JOIN organizations o ON o.id = p.organization_id
         WHERE {conditions} AND $8::bigint IS NOT NULL AND $9::bigint IS NOT NULL"
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

/// This campaign's prospect for an organization of the book, if the campaign has one.
pub async fn prospect_of_organization(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    organization_id: Uuid,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "SELECT id FROM prospects WHERE tenant_id = $1 AND campaign_id = $2 AND organization_id = $3",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(organization_id)
    .fetch_optional(conn)
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

/// The prospects of this campaign whose organizations are chapters of the organization
/// of the prospect `parent_id`.
pub async fn chapters(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    parent_id: Uuid,
) -> sqlx::Result<Vec<Relative>> {
    sqlx::query_as(
        "SELECT p.id, o.name, p.status, p.signed_signature_id IS NOT NULL AS signed
         FROM prospects parent_p
         JOIN organizations o ON o.tenant_id = parent_p.tenant_id AND o.parent_id = parent_p.organization_id
         JOIN prospects p ON p.campaign_id = parent_p.campaign_id AND p.organization_id = o.id
         WHERE parent_p.tenant_id = $1 AND parent_p.campaign_id = $2 AND parent_p.id = $3
         ORDER BY o.sort_key COLLATE signer_order, p.id",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(parent_id)
    .fetch_all(db)
    .await
}

/// The organization of the group's book with this name (case, accents, punctuation and a
/// leading "The" aside): how organizers name a parent organization. Prefers one this
/// campaign has as a prospect.
pub async fn id_by_name(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    name: &str,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "SELECT o.id FROM organizations o WHERE o.tenant_id = $1 AND o.name_key = $3
         ORDER BY EXISTS (SELECT 1 FROM prospects p WHERE p.campaign_id = $2 AND p.organization_id = o.id) DESC,
                  o.created_at, o.id LIMIT 1",
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
        "SELECT p.id, o.name FROM prospects p JOIN organizations o ON o.id = p.organization_id
         WHERE p.tenant_id = $1 AND p.campaign_id = $2
         ORDER BY o.sort_key COLLATE signer_order, p.id",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_all(db)
    .await
}

/// What organizers type about a prospect: the organization's fields (the book's, shared
/// by every campaign: name to notes) and the campaign's (owner of the ask, hold).
#[derive(Clone, Debug, Default)]
pub struct ProspectInput {
    pub name: String,
    pub website: String,
    pub size: Option<Size>,
    /// The parent organization: an organization of the book (a prospect's id is read as
    /// its organization, so callers holding prospect ids keep working).
    pub parent_id: Option<Uuid>,
    pub tags: Vec<String>,
    pub owner_id: Option<Uuid>,
    pub sensitivity: String,
    pub notes: String,
    pub hold_reason: String,
    pub hold_until: Option<Date>,
}

/// The website's host without `www.`: two organizations with one domain are one.
pub fn domain_of(website: &str) -> String {
    url::Url::parse(website)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| h.trim_start_matches("www.").to_lowercase())
        })
        .unwrap_or_default()
}

/// An organization of the book the duplicate rule matches, and its prospect in the
/// campaign being looked at, if it has one.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct BookMatch {
    pub organization_id: Uuid,
    pub name: String,
    pub website: String,
    pub prospect_id: Option<Uuid>,
}

/// An organization of the group's book with the same folded name or website domain (the
/// book's duplicate rule), other than `except`: one not yet in this campaign first, then
/// a name match, then the oldest.
pub async fn find_duplicate(
    conn: &mut PgConnection,
    tenant: Uuid,
    campaign_id: Uuid,
    name: &str,
    website: &str,
    except: Option<Uuid>,
) -> sqlx::Result<Option<BookMatch>> {
    let name_key = names::name_key(name);
    sqlx::query_as(
        "SELECT o.id AS organization_id, o.name, o.website, p.id AS prospect_id
         FROM organizations o LEFT JOIN prospects p ON p.campaign_id = $2 AND p.organization_id = o.id
         WHERE o.tenant_id = $1 AND (($3 <> '' AND o.name_key = $3) OR ($4 <> '' AND o.domain = $4))
           AND o.id IS DISTINCT FROM $5
         ORDER BY p.id IS NULL DESC, o.name_key = $3 DESC, o.created_at, o.id LIMIT 1",
    )
    .bind(tenant)
    .bind(campaign_id)
    .bind(name_key)
    .bind(domain_of(website))
    .bind(except)
    .fetch_optional(conn)
    .await
}

/// An organization of the book by id, and its prospect in this campaign if it has one:
/// what "add it from the address book" adds.
pub async fn book_organization(
    conn: &mut PgConnection,
    tenant: Uuid,
    campaign_id: Uuid,
    organization_id: Uuid,
) -> sqlx::Result<Option<BookMatch>> {
    sqlx::query_as(
        "SELECT o.id AS organization_id, o.name, o.website, p.id AS prospect_id
         FROM organizations o LEFT JOIN prospects p ON p.campaign_id = $2 AND p.organization_id = o.id
         WHERE o.tenant_id = $1 AND o.id = $3",
    )
    .bind(tenant)
    .bind(campaign_id)
    .bind(organization_id)
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

/// SQL for the organization `$n` names as a parent: an organization's id, or a prospect's
/// (read as its organization).
fn parent_sql(tenant: &str, id: &str) -> String {
    format!(
        "(SELECT x.id FROM (SELECT o.id, 0 AS k FROM organizations o WHERE o.tenant_id = {tenant} AND o.id = {id}
                           UNION ALL
                           SELECT q.organization_id, 1 FROM prospects q WHERE q.tenant_id = {tenant} AND q.id = {id}) x
          ORDER BY x.k LIMIT 1)"
    )
}

/// Creates an organization in the group's book from what organizers typed (its campaign
/// fields aside), flagged as a possible duplicate of another when one is given.
pub async fn create_organization(
    conn: &mut PgConnection,
    tenant: Uuid,
    input: &ProspectInput,
    possible_duplicate_of: Option<Uuid>,
    import_id: Option<Uuid>,
    now: OffsetDateTime,
) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    let sql = format!(
        "INSERT INTO organizations (id, tenant_id, name, name_key, sort_key, website, domain, size, parent_id, tags,
                                    owner_id, sensitivity, notes, possible_duplicate_of, import_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, {}, $10, $11, $12, $13,
                 (SELECT d.id FROM organizations d WHERE d.tenant_id = $2 AND d.id = $14), $15, $16)",
        parent_sql("$2", "$9")
    );
    sqlx::query(&sql)
        .bind(id)
        .bind(tenant)
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
        .bind(&input.notes)
        .bind(possible_duplicate_of)
        .bind(import_id)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(id)
}

/// Adds an organization of the book to a campaign as a prospect, with the campaign's
/// fields of `input` (owner of the ask, hold); `None` when the campaign already has it.
pub async fn add_to_campaign(
    conn: &mut PgConnection,
    tenant: Uuid,
    campaign_id: Uuid,
    organization_id: Uuid,
    input: &ProspectInput,
    origin: &Origin,
    now: OffsetDateTime,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "INSERT INTO prospects (id, tenant_id, campaign_id, organization_id, owner_id, hold_reason, hold_until,
                                referral_id, referred_by, referral_note, unchecked_suggestion, import_id, created_at)
         SELECT $1, o.tenant_id, $3, o.id, $5, $6, $7, $8, $9, $10, $11, $12, $13
         FROM organizations o WHERE o.tenant_id = $2 AND o.id = $4
         ON CONFLICT (campaign_id, organization_id) DO NOTHING RETURNING id",
    )
    .bind(Uuid::new_v4())
    .bind(tenant)
    .bind(campaign_id)
    .bind(organization_id)
    .bind(input.owner_id)
    .bind(&input.hold_reason)
    .bind(input.hold_until)
    .bind(origin.referral_id)
    .bind(&origin.referred_by)
    .bind(&origin.referral_note)
    // A signer's suggestion is their text until an organizer edits it.
    .bind(origin.referral_id.is_some())
    .bind(origin.import_id)
    .bind(now)
    .fetch_optional(conn)
    .await
}

/// What a new prospect's typed fields add to an organization already in the book: the
/// fields it left empty, and tags; nothing it has is overwritten.
async fn fill_organization(
    conn: &mut PgConnection,
    tenant: Uuid,
    organization_id: Uuid,
    input: &ProspectInput,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE organizations o
            SET website = CASE WHEN o.website = '' THEN $3 ELSE o.website END,
                domain = CASE WHEN o.domain = '' THEN $4 ELSE o.domain END,
                size = CASE WHEN o.size = '' THEN $5 ELSE o.size END,
                tags = ARRAY(SELECT DISTINCT unnest(o.tags || $6::text[]) ORDER BY 1)
          WHERE o.tenant_id = $1 AND o.id = $2",
    )
    .bind(tenant)
    .bind(organization_id)
    .bind(&input.website)
    .bind(domain_of(&input.website))
    .bind(input.size.map(Size::as_str).unwrap_or(""))
    .bind(&input.tags)
    .execute(conn)
    .await?;
    Ok(())
}

/// Adds a prospect: the organization of the book the duplicate rule finds (one not yet in
/// this campaign), else a new organization, flagged as a possible duplicate when the only
/// match is already in this campaign. Returns the prospect's id.
pub async fn insert(
    conn: &mut PgConnection,
    tenant: Uuid,
    campaign_id: Uuid,
    input: &ProspectInput,
    origin: &Origin,
    now: OffsetDateTime,
) -> sqlx::Result<Uuid> {
    let found =
        find_duplicate(conn, tenant, campaign_id, &input.name, &input.website, None).await?;
    let organization_id = match found {
        Some(found) if found.prospect_id.is_none() => {
            // A signer's suggestion leaves the book as organizers wrote it.
            if origin.referral_id.is_none() {
                fill_organization(conn, tenant, found.organization_id, input).await?;
            }
            found.organization_id
        }
        Some(found) => {
            create_organization(
                conn,
                tenant,
                input,
                Some(found.organization_id),
                origin.import_id,
                now,
            )
            .await?
        }
        None => create_organization(conn, tenant, input, None, origin.import_id, now).await?,
    };
    if let Some(id) = add_to_campaign(
        conn,
        tenant,
        campaign_id,
        organization_id,
        input,
        origin,
        now,
    )
    .await?
    {
        return Ok(id);
    }
    // Someone added the organization found to this campaign meanwhile: this one is a new
    // organization, flagged as its possible duplicate (as when the rule found it there).
    let organization_id = create_organization(
        conn,
        tenant,
        input,
        Some(organization_id),
        origin.import_id,
        now,
    )
    .await?;
    add_to_campaign(
        conn,
        tenant,
        campaign_id,
        organization_id,
        input,
        origin,
        now,
    )
    .await?
    .ok_or(sqlx::Error::RowNotFound)
}

/// The same as `insert`, named for what it does on the new model.
pub use insert as add_prospect;

/// Another organization of the group the duplicate rule says `organization_id` may be,
/// with the name and website it is being saved with: what its possible-duplicate flag
/// says after a save.
pub async fn duplicate_by_rule(
    conn: &mut PgConnection,
    tenant: TenantId,
    organization_id: Uuid,
    name: &str,
    website: &str,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "SELECT o.id FROM organizations o
         WHERE o.tenant_id = $1 AND o.id <> $2 AND (($3 <> '' AND o.name_key = $3) OR ($4 <> '' AND o.domain = $4))
         ORDER BY o.name_key = $3 DESC, o.created_at, o.id LIMIT 1",
    )
    .bind(tenant.uuid())
    .bind(organization_id)
    .bind(names::name_key(name))
    .bind(domain_of(website))
    .fetch_optional(conn)
    .await
}

/// Saves an organization's fields in the book (every campaign sees them). The flag of a
/// possible duplicate follows the rule again.
pub async fn update_organization(
    conn: &mut PgConnection,
    tenant: TenantId,
    organization_id: Uuid,
    input: &ProspectInput,
    region: &str,
) -> sqlx::Result<bool> {
    let duplicate =
        duplicate_by_rule(conn, tenant, organization_id, &input.name, &input.website).await?;
    let sql = format!(
        "UPDATE organizations SET name = $3, name_key = $4, sort_key = $5, website = $6, domain = $7, size = $8,
                parent_id = {}, tags = $10, sensitivity = $11, notes = $12, region = $13,
                possible_duplicate_of = $14
         WHERE tenant_id = $1 AND id = $2",
        parent_sql("$1", "$9")
    );
    let done = sqlx::query(&sql)
        .bind(tenant.uuid())
        .bind(organization_id)
        .bind(&input.name)
        .bind(names::name_key(&input.name))
        .bind(names::sort_key(&input.name))
        .bind(&input.website)
        .bind(domain_of(&input.website))
        .bind(input.size.map(Size::as_str).unwrap_or(""))
        .bind(input.parent_id)
        .bind(&input.tags)
        .bind(&input.sensitivity)
        .bind(&input.notes)
        .bind(region)
        .bind(duplicate)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Saves a prospect's campaign fields: who owns the ask, and the hold for this campaign.
/// An organizer's edit makes a signer's suggestion checked.
pub async fn update_campaign_fields(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    id: Uuid,
    input: &ProspectInput,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE prospects SET owner_id = $4, hold_reason = $5, hold_until = $6, unchecked_suggestion = false
         WHERE tenant_id = $1 AND campaign_id = $2 AND id = $3",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(id)
    .bind(input.owner_id)
    .bind(&input.hold_reason)
    .bind(input.hold_until)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An organizer saved the prospect: a signer's suggestion is checked.
pub async fn mark_checked(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    id: Uuid,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE prospects SET unchecked_suggestion = false
         WHERE tenant_id = $1 AND campaign_id = $2 AND id = $3 AND unchecked_suggestion",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets an organization's region (what the book files it under).
pub async fn set_region(
    conn: &mut PgConnection,
    tenant: TenantId,
    organization_id: Uuid,
    region: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE organizations SET region = $3 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.uuid())
        .bind(organization_id)
        .bind(region)
        .execute(conn)
        .await?;
    Ok(())
}

/// Saves both the organization's fields (in the book) and the prospect's campaign fields.
pub async fn update(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    id: Uuid,
    input: &ProspectInput,
) -> sqlx::Result<bool> {
    let organization_id: Option<Uuid> = sqlx::query_scalar(
        "SELECT organization_id FROM prospects WHERE tenant_id = $1 AND campaign_id = $2 AND id = $3",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(organization_id) = organization_id else {
        return Ok(false);
    };
    let region: String =
        sqlx::query_scalar("SELECT region FROM organizations WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.uuid())
            .bind(organization_id)
            .fetch_one(&mut *conn)
            .await?;
    update_organization(conn, tenant, organization_id, input, &region).await?;
    update_campaign_fields(conn, tenant, campaign_id, id, input).await
}

/// Would making `parent_id` (an organization) the parent of organization `id` make a loop
/// (a chapter of its own chapter)?
pub async fn would_loop(
    conn: &mut PgConnection,
    tenant: TenantId,
    id: Uuid,
    parent_id: Uuid,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "WITH RECURSIVE up(id, parent_id, depth) AS (
             SELECT id, parent_id, 0 FROM organizations WHERE tenant_id = $1 AND id = $3
             UNION ALL
             SELECT o.id, o.parent_id, up.depth + 1 FROM organizations o JOIN up ON o.id = up.parent_id WHERE up.depth < 100)
         SELECT EXISTS (SELECT 1 FROM up WHERE id = $2)",
    )
    .bind(tenant.uuid())
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
