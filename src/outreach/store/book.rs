//! The address book's list and the filter a campaign starts from: organizations of the
//! group with what the list shows about each, and the one statement that adds every
//! organization a filter matches to a campaign as a prospect. Read-only: `campaigns`
//! (the "signed" filter names a campaign by its slug, the picker shows titles) and
//! `users` (the owner's name).

use super::*;

/// What the book's list and "start from the book" filter on; empty means "any".
#[derive(Clone, Debug, Default)]
pub struct BookFilter {
    /// Name, website, or a person's name or address.
    pub search: String,
    pub tag: String,
    pub size: Option<Size>,
    pub region: String,
    /// Only organizations that signed this campaign (a prospect of it with a signature).
    pub signed_in: Option<Uuid>,
    /// Only organizations never asked: no prospect past "not contacted" in any campaign,
    /// and no email, call or meeting ever.
    pub never_asked: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BookSort {
    #[default]
    Name,
    LastTouch,
    Newest,
}

impl BookSort {
    pub const ALL: [BookSort; 3] = [BookSort::Name, BookSort::LastTouch, BookSort::Newest];

    pub fn parse(raw: &str) -> BookSort {
        match raw {
            "last_touch" => BookSort::LastTouch,
            "newest" => BookSort::Newest,
            _ => BookSort::Name,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            BookSort::Name => "name",
            BookSort::LastTouch => "last_touch",
            BookSort::Newest => "newest",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            BookSort::Name => "Name",
            BookSort::LastTouch => "Last touch, newest first",
            BookSort::Newest => "Newest in the book",
        }
    }

    fn order_by(self) -> &'static str {
        match self {
            BookSort::Name => "o.sort_key COLLATE signer_order, o.id",
            BookSort::LastTouch => "o.last_touch_at DESC NULLS LAST, o.id",
            BookSort::Newest => "o.created_at DESC, o.id",
        }
    }
}

/// The filter's conditions on `organizations o`, over the parameters every statement
/// here binds first and in this order: $1 tenant, $2 search pattern, $3 tag, $4 size,
/// $5 region, $6 the "signed" campaign. Only the conditions in use are written, so each
/// statement is planned for what it asks.
fn conditions(filter: &BookFilter) -> String {
    let mut c = vec!["o.tenant_id = $1".to_owned()];
    if !filter.search.is_empty() {
        c.push(
            // Each side on its own trigram indexes (migration 073), then joined by id.
            "o.id IN (SELECT so.id FROM organizations so
                       WHERE so.tenant_id = $1 AND (so.name ILIKE $2 OR so.website ILIKE $2)
                      UNION
                      SELECT sp.organization_id FROM people sp
                       WHERE sp.tenant_id = $1 AND (sp.name ILIKE $2 OR sp.email::text ILIKE $2))"
                .into(),
        );
    }
    if !filter.tag.is_empty() {
        c.push("o.tags @> ARRAY[$3::text]".into());
    }
    if filter.size.is_some() {
        c.push("o.size = $4".into());
    }
    if !filter.region.is_empty() {
        c.push("o.region ILIKE $5".into());
    }
    if filter.signed_in.is_some() {
        c.push(
            "o.id IN (SELECT sp.organization_id FROM prospects sp
                      WHERE sp.campaign_id = $6 AND sp.tenant_id = $1 AND sp.signed_signature_id IS NOT NULL)"
                .into(),
        );
    }
    if filter.never_asked {
        c.push(
            "o.last_touch_at IS NULL AND NOT EXISTS (SELECT 1 FROM prospects np
               WHERE np.organization_id = o.id AND (np.status <> 'not_contacted' OR np.signed_signature_id IS NOT NULL))"
                .into(),
        );
    }
    // Every parameter is named, used or not, so each statement binds the same list.
    c.push(
        "($2::text, $3::text, $4::text, $5::text) IS NOT NULL AND ($6::uuid IS NULL OR true)"
            .into(),
    );
    c.join(" AND ")
}

fn like_pattern(text: &str) -> String {
    format!(
        "%{}%",
        text.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

macro_rules! bind_filter {
    ($query:expr, $tenant:expr, $filter:expr) => {
        $query
            .bind($tenant.uuid())
            .bind(like_pattern(&$filter.search))
            .bind(&$filter.tag)
            .bind($filter.size.map(Size::as_str).unwrap_or(""))
            .bind(&$filter.region)
            .bind($filter.signed_in)
    };
}

/// One organization as the book's list shows it.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct BookRow {
    pub id: Uuid,
    pub name: String,
    pub website: String,
    pub size: String,
    pub region: String,
    pub tags: Vec<String>,
    pub owner_name: Option<String>,
    pub last_touch_at: Option<OffsetDateTime>,
    pub hold_reason: String,
    pub hold_until: Option<Date>,
    pub possible_duplicate_of: Option<Uuid>,
    pub people: i64,
    pub asked: i64,
    pub signed: i64,
}

impl BookRow {
    pub fn size_label(&self) -> &'static str {
        Size::parse(&self.size).map(Size::label).unwrap_or("")
    }

    pub fn tags_text(&self) -> String {
        self.tags.join(", ")
    }

    pub fn held(&self, today: Date) -> bool {
        pipeline::hold_lasts(&self.hold_reason, self.hold_until, today)
    }
}

/// One page of the book, filtered and sorted, and how many organizations the filter
/// shows in all. The page's ids come first off the index (a page of rows), then each
/// row's counts for those rows only.
pub async fn page(
    db: &PgPool,
    tenant: TenantId,
    filter: &BookFilter,
    sort: BookSort,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<BookRow>, i64)> {
    let conditions = conditions(filter);
    let rows_sql = format!(
        "WITH page AS (
             SELECT o.id FROM organizations o WHERE {conditions}
             ORDER BY {order} LIMIT $7 OFFSET $8)
         SELECT o.id, o.name, o.website, o.size, o.region, o.tags, u.name AS owner_name, o.last_touch_at,
                o.hold_reason, o.hold_until, o.possible_duplicate_of,
                (SELECT count(*) FROM people pe WHERE pe.organization_id = o.id) AS people,
                coalesce(pc.asked, 0) AS asked, coalesce(pc.signed, 0) AS signed
           FROM page JOIN organizations o ON o.id = page.id
           LEFT JOIN users u ON u.id = o.owner_id
           LEFT JOIN LATERAL (
               SELECT count(*) FILTER (WHERE p.status <> 'not_contacted' OR p.signed_signature_id IS NOT NULL) AS asked,
                      count(*) FILTER (WHERE p.signed_signature_id IS NOT NULL) AS signed
                 FROM prospects p WHERE p.organization_id = o.id) pc ON true
          ORDER BY {order}",
        order = sort.order_by()
    );
    let rows = bind_filter!(sqlx::query_as::<_, BookRow>(&rows_sql), tenant, filter)
        .bind(limit)
        .bind(offset)
        .fetch_all(db)
        .await?;
    let total = count(db, tenant, filter).await?;
    Ok((rows, total))
}

/// How many organizations of the book the filter matches.
pub async fn count(db: &PgPool, tenant: TenantId, filter: &BookFilter) -> sqlx::Result<i64> {
    let sql = format!(
        "SELECT count(*) FROM organizations o WHERE {}",
        conditions(filter)
    );
    bind_filter!(sqlx::query_scalar::<_, i64>(&sql), tenant, filter)
        .fetch_one(db)
        .await
}

/// How many organizations the filter matches, and how many of those `campaign_id`
/// already has as prospects.
pub async fn count_for_campaign(
    db: &PgPool,
    tenant: TenantId,
    filter: &BookFilter,
    campaign_id: Uuid,
) -> sqlx::Result<(i64, i64)> {
    let sql = format!(
        "SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM prospects cp
                                                          WHERE cp.campaign_id = $7 AND cp.organization_id = o.id))
           FROM organizations o WHERE {}",
        conditions(filter)
    );
    bind_filter!(sqlx::query_as::<_, (i64, i64)>(&sql), tenant, filter)
        .bind(campaign_id)
        .fetch_one(db)
        .await
}

/// Adds every organization the filter matches to `campaign_id` as a prospect not yet
/// contacted, in one statement (those it already has are left as they are), with a line
/// in each one's log saying where it came from. Returns how many were added.
pub async fn add_matching_to_campaign(
    conn: &mut PgConnection,
    member: &Member,
    filter: &BookFilter,
    campaign_id: Uuid,
    note: &str,
    now: OffsetDateTime,
) -> sqlx::Result<i64> {
    let sql = format!(
        "WITH added AS (
             INSERT INTO prospects (id, tenant_id, campaign_id, organization_id, created_at)
             SELECT gen_random_uuid(), $1, $7, o.id, $8 FROM organizations o WHERE {}
             ON CONFLICT (campaign_id, organization_id) DO NOTHING
             RETURNING id, organization_id),
         logged AS (
             INSERT INTO outreach_activities (tenant_id, campaign_id, prospect_id, organization_id, kind, body,
                                              author_id, author_name, at)
             SELECT $1, $7, added.id, added.organization_id, 'note', $9, $10, $11, $8 FROM added
             RETURNING 1)
         SELECT count(*) FROM logged",
        conditions(filter)
    );
    bind_filter!(sqlx::query_scalar::<_, i64>(&sql), member.tenant_id, filter)
        .bind(campaign_id)
        .bind(now)
        .bind(note)
        .bind(member.user.user_id)
        .bind(&member.user.name)
        .fetch_one(conn)
        .await
}

/// A campaign of the group, for the "signed" filter's picker.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct CampaignChoice {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
}

/// The group's campaigns, newest first.
pub async fn campaign_choices(db: &PgPool, tenant: TenantId) -> sqlx::Result<Vec<CampaignChoice>> {
    sqlx::query_as(
        "SELECT id, slug, title FROM campaigns WHERE tenant_id = $1 ORDER BY created_at DESC, id LIMIT 200",
    )
    .bind(tenant.uuid())
    .fetch_all(db)
    .await
}
