//! What a release publishes besides the letter: the press release on its own page, and,
//! before the release, the organizers' preview of the public page.

use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::not_yet::{not_yet, Unreleased};
use super::public_campaign;
use crate::campaigns::letter::render_markdown;
use crate::campaigns::lookup::CampaignPage;
use crate::campaigns::store::{self as campaigns, Campaign, PublicCampaign};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
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
    /// For the organizers' preview before the release.
    banner: Option<String>,
}

fn press_description(campaign: &Campaign) -> String {
    campaign
        .press_release
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or("")
        .chars()
        .take(200)
        .collect()
}

/// `GET /{group}/{campaign}/press`: published with the campaign, never before (until
/// then it says when it will be).
pub async fn press(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((tenant_slug, campaign_slug)): Path<(String, String)>,
) -> AppResult<Response> {
    let PublicCampaign {
        campaign,
        group_name,
        ..
    } = public_campaign(&state, &tenant_slug, &campaign_slug).await?;
    if campaign.press_release.trim().is_empty() {
        return Err(AppError::NotFound);
    }
    if campaign.release_pending() {
        return not_yet(
            &state,
            &visitor,
            &campaign,
            &group_name,
            &tenant_slug,
            Unreleased::Press,
        )
        .await;
    }
    let page_path = format!("/{tenant_slug}/{}", campaign.slug);
    let mut layout = visitor
        .layout(format!("Press release: {}", campaign.title))
        .for_signers();
    layout.noindex = campaign.status == crate::campaigns::Status::Open;
    Ok(render(PressPage {
        layout,
        html: render_markdown(&campaign.press_release),
        page_url: state.config.link(&format!("{page_path}/press")),
        page_path,
        description: press_description(&campaign),
        group_name,
        banner: None,
        campaign,
    })?
    .into_response())
}

/// `GET /app/{group}/campaigns/{campaign}/preview/press`: the press release as it will
/// read, for members of the group only (any role), before and after the release.
pub async fn press_preview(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
) -> AppResult<Response> {
    let found = campaigns::public_by_slugs(&state.db, &member.tenant.slug, &campaign.slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let campaign = found.campaign;
    let page_path = format!("/{}/{}", member.tenant.slug, campaign.slug);
    let now = state.clock.now();
    let banner = if campaign.press_release.trim().is_empty() {
        "Preview for the organizers: no press release is written yet (write it on the Release page).".to_owned()
    } else {
        match super::deadline::release_when(&campaign, now) {
            Some(at) => format!(
                "Preview for the organizers: the public cannot see this press release until its release, {at}."
            ),
            None => "Preview for the organizers: the press release as it reads now.".to_owned(),
        }
    };
    let html = PressPage {
        layout: member.layout(format!("Press release: {}", campaign.title)),
        html: render_markdown(&campaign.press_release),
        page_url: state.config.link(&format!("{page_path}/press")),
        page_path,
        description: press_description(&campaign),
        group_name: found.group_name,
        banner: Some(banner),
        campaign,
    }
    .render()?;
    Ok((
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        ],
        html,
    )
        .into_response())
}

/// `GET /app/{group}/campaigns/{campaign}/preview`: the public page as it will read, for
/// members of the group only (404 to anyone else, like every organizer URL).
pub async fn preview(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
) -> AppResult<Response> {
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
