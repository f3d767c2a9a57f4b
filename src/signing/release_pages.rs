//! What a release publishes besides the letter: the press release on its own page, and,
//! before the release, the organizers' preview of the public page.

use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};

use super::public_campaign;
use crate::campaigns::letter::render_markdown;
use crate::campaigns::lookup::campaign_of;
use crate::campaigns::store::{self as campaigns, Campaign, PublicCampaign};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::tenancy::Member;
use crate::web::{render, Layout, Path, Visitor};

#[derive(Template)]
#[template(path = "signing/press.html")]
struct PressPage {
    layout: Layout,
    campaign: Campaign,
    group_name: String,
    html: String,
    page_path: String,
    page_url: String,
    description: String,
}

/// `GET /{group}/{campaign}/press`: published with the campaign, never before.
pub async fn press(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((tenant_slug, campaign_slug)): Path<(String, String)>,
) -> AppResult<Html<String>> {
    let PublicCampaign {
        campaign,
        group_name,
        ..
    } = public_campaign(&state, &tenant_slug, &campaign_slug).await?;
    if campaign.release_pending() || campaign.press_release.trim().is_empty() {
        return Err(AppError::NotFound);
    }
    let page_path = format!("/{tenant_slug}/{}", campaign.slug);
    let mut layout = visitor
        .layout(format!("Press release: {}", campaign.title))
        .for_signers();
    layout.noindex = campaign.status == crate::campaigns::Status::Open;
    let description: String = campaign
        .press_release
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or("")
        .chars()
        .take(200)
        .collect();
    render(PressPage {
        layout,
        html: render_markdown(&campaign.press_release),
        page_url: state.config.link(&format!("{page_path}/press")),
        page_path,
        description,
        group_name,
        campaign,
    })
}

/// `GET /app/{group}/campaigns/{campaign}/preview`: the public page as it will read, for
/// members of the group only (404 to anyone else, like every organizer URL).
pub async fn preview(
    State(state): State<AppState>,
    member: Member,
    Path((_, campaign_slug)): Path<(String, String)>,
) -> AppResult<Response> {
    let campaign = campaign_of(&state, &member, &campaign_slug).await?;
    let found = campaigns::public_by_slugs(&state.db, &member.tenant.slug, &campaign.slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let html = super::public_page::preview(
        &state,
        found.campaign,
        found.tenant,
        found.group_name,
        &member.tenant.slug,
        member.layout(format!("Preview: {}", campaign.title)),
    )
    .await?;
    Ok((
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        ],
        html,
    )
        .into_response())
}
