//! The book's list: every organization of the group, filtered, sorted and paged.

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use serde::Deserialize;
use time::Date;
use uuid::Uuid;

use super::urlencode;
use crate::campaigns::store as campaigns;
use crate::error::AppResult;
use crate::outreach::store::book::{self, BookFilter, BookRow, BookSort, CampaignChoice};
use crate::outreach::Size;
use crate::state::AppState;
use crate::tenancy::Member;
use crate::web::{render, Layout, Query};

pub const PAGE_SIZE: i64 = 50;

/// The filters of the list and of "start from the book", as the query string or the form
/// names them.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct BookQuery {
    pub q: String,
    pub tag: String,
    pub size: String,
    pub region: String,
    /// A campaign's slug: only the organizations that signed it.
    pub signed: String,
    /// "1": only organizations never asked.
    pub never_asked: String,
    pub sort: String,
    pub page: String,
    /// After "Add anyway" or a deletion, what happened.
    pub deleted: String,
}

impl BookQuery {
    /// The store's filter; `Err` names a "signed" campaign the group does not have.
    pub async fn filter(
        &self,
        state: &AppState,
        member: &Member,
    ) -> AppResult<(BookFilter, Option<String>)> {
        let mut problem = None;
        let signed_in = match self.signed.trim() {
            "" => None,
            slug => match campaigns::by_slug(&state.db, member.tenant_id, slug).await? {
                Some(c) => Some(c.id),
                None => {
                    problem = Some(format!(
                        "This group has no campaign \"{slug}\": nothing matches."
                    ));
                    Some(Uuid::nil())
                }
            },
        };
        Ok((
            BookFilter {
                search: self.q.trim().chars().take(200).collect(),
                tag: self.tag.trim().chars().take(100).collect(),
                size: Size::parse(self.size.trim()),
                region: self.region.trim().chars().take(100).collect(),
                signed_in,
                never_asked: self.never_asked == "1" || self.never_asked == "on",
            },
            problem,
        ))
    }

    pub fn page_number(&self) -> i64 {
        self.page.parse().unwrap_or(1).clamp(1, 10_000)
    }

    /// The filters as a query string (no page, no sort), ending in `&` when not empty.
    pub fn filters_query(&self) -> String {
        let pairs = [
            ("q", &self.q),
            ("tag", &self.tag),
            ("size", &self.size),
            ("region", &self.region),
            ("signed", &self.signed),
            ("never_asked", &self.never_asked),
        ];
        pairs
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| format!("{k}={}&", urlencode(v.trim())))
            .collect()
    }

    /// The query string without the page, for the pager's links.
    pub fn without_page(&self) -> String {
        let mut s = self.filters_query();
        if !self.sort.is_empty() {
            s.push_str(&format!("sort={}&", urlencode(&self.sort)));
        }
        s
    }

    pub fn never_asked_on(&self) -> bool {
        self.never_asked == "1" || self.never_asked == "on"
    }
}

#[derive(Template)]
#[template(path = "outreach/book/list.html")]
struct ListPage {
    layout: Layout,
    book: String,
    rows: Vec<BookRow>,
    total: i64,
    query: BookQuery,
    page: i64,
    pages: i64,
    sizes: [Size; 4],
    sorts: [BookSort; 3],
    campaigns: Vec<CampaignChoice>,
    problem: Option<String>,
    can_edit: bool,
    today: Date,
    deleted: Option<String>,
}

/// `GET /app/{tenant}/book`
pub async fn page(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<BookQuery>,
) -> AppResult<Html<String>> {
    let (filter, problem) = query.filter(&state, &member).await?;
    let page = query.page_number();
    let sort = BookSort::parse(&query.sort);
    let (rows, total) = book::page(
        &state.db,
        member.tenant_id,
        &filter,
        sort,
        PAGE_SIZE,
        (page - 1) * PAGE_SIZE,
    )
    .await?;
    let campaigns = book::campaign_choices(&state.db, member.tenant_id).await?;
    let deleted = (!query.deleted.is_empty()).then(|| query.deleted.chars().take(200).collect());
    render(ListPage {
        layout: member.layout("Address book"),
        book: member.path("/book"),
        rows,
        total,
        pages: ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1),
        page,
        query,
        sizes: [
            Size::Local,
            Size::Regional,
            Size::National,
            Size::International,
        ],
        sorts: BookSort::ALL,
        campaigns,
        problem,
        can_edit: member.role.can_edit(),
        today: state.clock.now().date(),
        deleted,
    })
}
