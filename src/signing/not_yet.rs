//! Before its release, a campaign's public addresses say when it will be published
//! instead of answering 404: the page signers are sent to from every form and email.

use askama::Template;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::campaigns::store::Campaign;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::{Layout, Visitor};

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
