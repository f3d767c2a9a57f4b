//! What a release publishes besides the letter: the press release on its own page, and,
//! before the release, the organizers' preview of the public page.

use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

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
    /// For the organizers' preview before the release.
    banner: Option<String>,
}

/// What a page that is not published yet will show once it is.
#[derive(Clone, Copy)]
pub enum Unreleased {
    /// The public page: the letter and its list of signers.
    Letter,
    Press,
}

#[derive(Template)]
#[template(path = "signing/not_yet.html")]
struct NotYetPage<'a> {
    layout: Layout,
    campaign: &'a Campaign,
    group_name: &'a str,
    what: &'static str,
    release: String,
    /// The form, while it takes signatures.
    sign_path: Option<String>,
    sign_by: Option<String>,
    /// For a member of the group: the organizers' preview.
    preview_path: Option<String>,
}

/// Before its release, a public address of the campaign (its page, individuals, press
/// release) says when it will be published and where to sign meanwhile: signers are sent
/// there by every page and email, and a dead end would look like a broken link. It shows
/// nothing the form does not already show (title and group), and no name.
pub async fn not_yet(
    state: &AppState,
    visitor: &Visitor,
    campaign: &Campaign,
    group_name: &str,
    tenant_slug: &str,
    what: Unreleased,
) -> AppResult<Response> {
    let now = state.clock.now();
    let page_path = format!("/{tenant_slug}/{}", campaign.slug);
    let organizer = match visitor.user() {
        Some(user) => crate::tenancy::memberships_of(&state.db, user.user_id)
            .await?
            .iter()
            .any(|m| m.slug == tenant_slug),
        None => false,
    };
    let preview = format!("/app/{tenant_slug}/campaigns/{}/preview", campaign.slug);
    let (what, preview_path) = match what {
        Unreleased::Letter => ("The letter and everyone who signed it", preview),
        Unreleased::Press => ("The press release", format!("{preview}/press")),
    };
    let html = NotYetPage {
        layout: visitor
            .layout(format!("Published {}", campaign.title))
            .for_signers(),
        campaign,
        group_name,
        what,
        release: super::deadline::release_when(campaign, now).unwrap_or_default(),
        sign_path: campaign
            .accepting_signatures(now)
            .then(|| format!("{page_path}/sign")),
        sign_by: super::deadline::sign_by(campaign, now).map(|s| s.text),
        preview_path: organizer.then_some(preview_path),
    }
    .render()?;
    Ok((
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::HeaderName::from_static("x-robots-tag"), "noindex"),
        ],
        html,
    )
        .into_response())
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
    member: Member,
    Path((_, campaign_slug)): Path<(String, String)>,
) -> AppResult<Response> {
    let campaign = campaign_of(&state, &member, &campaign_slug).await?;
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
