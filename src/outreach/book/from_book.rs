//! A campaign starts from the book: a filter over the group's organizations (signed an
//! earlier campaign, tags, size, region, never asked), how many it matches, and one
//! statement that adds them all as prospects not yet contacted. Nobody is listed or
//! subscribed by this: each is asked, and listed only by their own signature.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::list::BookQuery;
use crate::campaigns::lookup::{CampaignEdit, CampaignPage};
use crate::campaigns::store::Campaign;
use crate::error::{AppError, AppResult};
use crate::outreach::store::book::{self, CampaignChoice};
use crate::outreach::Size;
use crate::state::AppState;
use crate::web::{render, Form, Layout, Query};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FromBookQuery {
    #[serde(flatten)]
    pub filters: BookQuery,
    /// Just added: how many.
    pub added: String,
}

#[derive(Template)]
#[template(path = "outreach/book/from_book.html")]
struct FromBookPage {
    layout: Layout,
    base: String,
    book: String,
    campaign: Campaign,
    query: BookQuery,
    sizes: [Size; 4],
    campaigns: Vec<CampaignChoice>,
    problem: Option<String>,
    /// (matching, already in this campaign).
    counts: Option<(i64, i64)>,
    added: Option<i64>,
    can_edit: bool,
}

/// `GET …/outreach/from-book`: the filter and, once one is chosen, the count.
pub async fn page(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
    Query(FromBookQuery { filters, added }): Query<FromBookQuery>,
) -> AppResult<Html<String>> {
    let (filter, problem) = filters.filter(&state, &member).await?;
    // The whole book until a filter narrows it.
    let counts =
        Some(book::count_for_campaign(&state.db, member.tenant_id, &filter, campaign.id).await?);
    let campaigns = book::campaign_choices(&state.db, member.tenant_id)
        .await?
        .into_iter()
        .filter(|c| c.id != campaign.id)
        .collect();
    render(FromBookPage {
        layout: member.layout(format!("Start from the address book · {}", campaign.title)),
        base: member.path(&format!("/campaigns/{}", campaign.slug)),
        book: member.path("/book"),
        query: filters,
        sizes: [
            Size::Local,
            Size::Regional,
            Size::National,
            Size::International,
        ],
        campaigns,
        problem,
        counts,
        added: added.parse().ok(),
        can_edit: member.role.can_edit(),
        campaign,
    })
}

/// `POST …/outreach/from-book`: every organization the filter matches becomes a prospect
/// of this campaign (those already in it stay as they are), in one statement.
pub async fn add(
    State(state): State<AppState>,
    CampaignEdit { member, campaign }: CampaignEdit,
    Form(filters): Form<BookQuery>,
) -> AppResult<Response> {
    let (filter, problem) = filters.filter(&state, &member).await?;
    if let Some(problem) = problem {
        return Err(AppError::BadRequest(problem));
    }
    let mut note = "Added from the address book".to_owned();
    if let Some(id) = filter.signed_in {
        if let Some(c) = book::campaign_choices(&state.db, member.tenant_id)
            .await?
            .into_iter()
            .find(|c| c.id == id)
        {
            note.push_str(&format!(" (signed \"{}\")", c.title));
        }
    }
    note.push_str(": a prospect to ask, not a signer.");
    let mut tx = state.db.begin().await?;
    let added = book::add_matching_to_campaign(
        &mut tx,
        &member,
        &filter,
        campaign.id,
        &note,
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&member.path(&format!(
        "/campaigns/{}/outreach/from-book?added={added}",
        campaign.slug
    )))
    .into_response())
}
