//! Merging two organizations of the book: choose the other one, see what happens,
//! confirm. The organization whose page it is stays; the other's people, history and
//! place in every campaign move to it.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::organization::organization_of;
use super::IdPath;
use crate::error::{AppError, AppResult};
use crate::outreach::store::book_organizations::{
    self as orgs, CampaignOutcome, DeleteSummary, Organization, PossibleDuplicate,
};
use crate::outreach::store::merge_organizations;
use crate::state::AppState;
use crate::tenancy::{Editor, Member};
use crate::web::{render, Form, Layout, Path, Query};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MergeQuery {
    pub q: String,
    /// The organization chosen to merge into this one.
    pub other: String,
}

/// What merging `other` into the page's organization would do.
pub struct Preview {
    pub other: Organization,
    pub moved: DeleteSummary,
    pub other_campaigns: Vec<CampaignOutcome>,
    /// Campaigns that have both: their two prospects become one.
    pub shared: Vec<String>,
}

#[derive(Template)]
#[template(path = "outreach/book/merge.html")]
struct MergePage {
    layout: Layout,
    book: String,
    organization: Organization,
    query: MergeQuery,
    candidates: Vec<PossibleDuplicate>,
    preview: Option<Preview>,
}

async fn preview(
    state: &AppState,
    member: &Member,
    organization: &Organization,
    other_id: &str,
) -> AppResult<Preview> {
    let other = organization_of(state, member, other_id).await?;
    if other.id == organization.id {
        return Err(AppError::BadRequest(
            "Choose another organization to merge into this one.".into(),
        ));
    }
    let moved = orgs::delete_summary(&state.db, member.tenant_id, other.id).await?;
    let mine = orgs::campaigns_of(&state.db, member.tenant_id, organization.id).await?;
    let other_campaigns = orgs::campaigns_of(&state.db, member.tenant_id, other.id).await?;
    let shared = other_campaigns
        .iter()
        .filter(|c| mine.iter().any(|m| m.campaign_id == c.campaign_id))
        .map(|c| c.title.clone())
        .collect();
    Ok(Preview {
        other,
        moved,
        other_campaigns,
        shared,
    })
}

/// `GET …/organizations/{id}/merge`: pick the other organization (by name), then the
/// preview with the button that merges.
pub async fn page(
    State(state): State<AppState>,
    Editor(member): Editor,
    Path(IdPath { id }): Path<IdPath>,
    Query(query): Query<MergeQuery>,
) -> AppResult<Html<String>> {
    let organization = organization_of(&state, &member, &id).await?;
    let preview = match query.other.trim() {
        "" => None,
        other => Some(preview(&state, &member, &organization, other).await?),
    };
    let candidates = if preview.is_none() {
        let mut found = orgs::possible_duplicates(
            &state.db,
            member.tenant_id,
            &organization.name,
            &organization.website,
            Some(organization.id),
        )
        .await?;
        if !query.q.trim().is_empty() || found.is_empty() {
            let by_name = orgs::merge_candidates(
                &state.db,
                member.tenant_id,
                organization.id,
                query.q.trim(),
            )
            .await?;
            found.extend(
                by_name
                    .into_iter()
                    .filter(|c| !found.iter().any(|f| f.id == c.id))
                    .collect::<Vec<_>>(),
            );
        }
        found
    } else {
        Vec::new()
    };
    render(MergePage {
        layout: member.layout(format!("Merge into {}", organization.name)),
        book: member.path("/book"),
        organization,
        query,
        candidates,
        preview,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MergeForm {
    pub other: String,
    /// "yes" from the preview's button.
    pub confirm: String,
}

/// `POST …/organizations/{id}/merge`: merges the other organization into this one.
pub async fn merge(
    State(state): State<AppState>,
    Editor(member): Editor,
    Path(IdPath { id }): Path<IdPath>,
    Form(form): Form<MergeForm>,
) -> AppResult<Response> {
    let organization = organization_of(&state, &member, &id).await?;
    let other = organization_of(&state, &member, form.other.trim()).await?;
    if other.id == organization.id {
        return Err(AppError::BadRequest(
            "Choose another organization to merge into this one.".into(),
        ));
    }
    if form.confirm != "yes" {
        return Ok(Redirect::to(&member.path(&format!(
            "/book/organizations/{}/merge?other={}",
            organization.id, other.id
        )))
        .into_response());
    }
    let mut tx = state.db.begin().await?;
    if merge_organizations(&mut tx, member.tenant_id, organization.id, other.id)
        .await?
        .is_none()
    {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(
        Redirect::to(&member.path(&format!("/book/organizations/{}?merged=1", organization.id)))
            .into_response(),
    )
}
