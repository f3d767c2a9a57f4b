//! Deleting an organization from the book, after a page that says what goes with it.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::organization::organization_of;
use super::{urlencode, IdPath};
use crate::error::{AppError, AppResult};
use crate::outreach::store::book_organizations::{self as orgs, DeleteSummary, Organization};
use crate::state::AppState;
use crate::tenancy::Editor;
use crate::web::{render, Form, Layout, Path};

#[derive(Template)]
#[template(path = "outreach/book/delete.html")]
struct DeletePage {
    layout: Layout,
    book: String,
    organization: Organization,
    summary: DeleteSummary,
    campaigns: Vec<String>,
}

/// `GET …/organizations/{id}/delete`: what deleting it takes away, and the button.
pub async fn page(
    State(state): State<AppState>,
    Editor(member): Editor,
    Path(IdPath { id }): Path<IdPath>,
) -> AppResult<Html<String>> {
    let organization = organization_of(&state, &member, &id).await?;
    let summary = orgs::delete_summary(&state.db, member.tenant_id, organization.id).await?;
    let campaigns = orgs::campaigns_of(&state.db, member.tenant_id, organization.id)
        .await?
        .into_iter()
        .map(|c| c.title)
        .collect();
    render(DeletePage {
        layout: member.layout(format!("Delete {}", organization.name)),
        book: member.path("/book"),
        organization,
        summary,
        campaigns,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteForm {
    /// "yes" from the confirmation page's button.
    pub confirm: String,
}

/// `POST …/organizations/{id}/delete` with `confirm=yes`.
pub async fn delete(
    State(state): State<AppState>,
    Editor(member): Editor,
    Path(IdPath { id }): Path<IdPath>,
    Form(form): Form<DeleteForm>,
) -> AppResult<Response> {
    let organization = organization_of(&state, &member, &id).await?;
    if form.confirm != "yes" {
        return Ok(Redirect::to(
            &member.path(&format!("/book/organizations/{}/delete", organization.id)),
        )
        .into_response());
    }
    if !orgs::delete_organization(&state.db, member.tenant_id, organization.id).await? {
        return Err(AppError::NotFound);
    }
    Ok(
        Redirect::to(&member.path(&format!("/book?deleted={}", urlencode(&organization.name))))
            .into_response(),
    )
}
