//! Individual signers, browsed alphabetically page by page when there are too many to
//! list on the campaign's page (they can number in the hundreds of thousands).

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use serde::Deserialize;

use super::public_campaign;
use crate::campaigns::store::{self as campaigns, Campaign, PublicCampaign};
use crate::error::{AppError, AppResult};
use crate::signatures::store::{self as store, PublicSigner};
use crate::signatures::SignatureKind;
use crate::state::AppState;
use crate::web::{render, Path, Query, Visitor};

pub const PER_PAGE: i64 = 500;

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "signing/individuals.html")]
struct IndividualsPage {
    layout: crate::web::Layout,
    campaign: Campaign,
    group_name: String,
    page_path: String,
    signers: Vec<PublicSigner>,
    count: i64,
    page: i64,
    pages: i64,
    first_number: i64,
}

pub async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((tenant_slug, campaign_slug)): Path<(String, String)>,
    Query(query): Query<PageQuery>,
) -> AppResult<Html<String>> {
    let PublicCampaign {
        campaign,
        tenant,
        group_name,
    } = public_campaign(&state, &tenant_slug, &campaign_slug).await?;
    if !campaign.allow_individuals || campaign.release_pending() {
        return Err(AppError::NotFound);
    }
    // One snapshot: the consent floor and the names under it (a save moves the floor).
    let mut tx = crate::db::begin_snapshot(&state.db).await?;
    let floor = campaigns::consent_text(&mut tx, campaign.id)
        .await?
        .ok_or(AppError::NotFound)?
        .consent_from_revision;
    let count = store::public_count(
        &mut *tx,
        tenant,
        campaign.id,
        floor,
        SignatureKind::Individual,
    )
    .await?;
    let pages = ((count + PER_PAGE - 1) / PER_PAGE).max(1);
    let page = match query.page.as_deref().map(str::trim) {
        None | Some("") => 1,
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|p| (1..=pages).contains(p))
            .ok_or(AppError::NotFound)?,
    };
    let signers = store::public_list(
        &mut *tx,
        tenant,
        campaign.id,
        floor,
        SignatureKind::Individual,
        (page - 1) * PER_PAGE,
        PER_PAGE,
    )
    .await?;
    tx.commit().await?;
    let mut layout = visitor
        .layout(format!("Individual signers — {}", campaign.title))
        .for_signers();
    layout.noindex = true;
    render(IndividualsPage {
        layout,
        page_path: format!("/{tenant_slug}/{}", campaign.slug),
        campaign,
        group_name,
        signers,
        count,
        page,
        pages,
        first_number: (page - 1) * PER_PAGE + 1,
    })
}
