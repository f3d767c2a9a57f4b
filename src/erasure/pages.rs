//! The signer's privacy, from their own link: download what the group holds about their
//! address (a JSON file), and erase it after a page that says what will happen. The
//! data work is the orchestration in `super` (each area's `forget`); these are its
//! pages. The link is found as the signer's own page finds it (`signing::find`).

use askama::Template;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use time::Duration;

use super::Plan;
use crate::campaigns::store::Campaign;
use crate::error::{AppError, AppResult};
use crate::mail::forget::forget_written_mail;
use crate::signing::{find, link_gone};
use crate::state::AppState;
use crate::web::{render, render_with, Layout, Path, RateLimit, Visitor};

/// Downloads and erasures per client address: a person needs a few; a script hammering
/// the export (or trying links) is held back.
pub const PRIVACY_LIMIT: RateLimit = RateLimit {
    scope: "signer-privacy",
    max: 10,
    window: Duration::minutes(10),
};

async fn within_limit(state: &AppState, visitor: &Visitor) -> AppResult<()> {
    if visitor.context.rate_limit_exempt
        || PRIVACY_LIMIT
            .allow(&state.db, visitor.context.rate_key(), state.clock.now())
            .await?
    {
        Ok(())
    } else {
        Err(AppError::TooManyRequests(
            "Several downloads or erasures came from your network in the last few minutes. Please wait ten minutes and try again.".into(),
        ))
    }
}

/// `…/signature/{token}/data`: the JSON file of what the group holds about the address.
pub async fn download(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((tenant_slug, campaign_slug, token)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let Some(found) = find(&state, &tenant_slug, &campaign_slug, &token).await? else {
        return link_gone(&visitor, None);
    };
    within_limit(&state, &visitor).await?;
    let Some(export) = super::export(
        &state.db,
        found.tenant,
        found.signature.id,
        state.clock.now(),
    )
    .await?
    else {
        return link_gone(&visitor, None);
    };
    let body = serde_json::to_vec_pretty(&export).map_err(|e| AppError::Internal(e.into()))?;
    let disposition = format!(
        "attachment; filename=\"{}-your-data.json\"",
        found.campaign.slug
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/json; charset=utf-8".to_owned(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "erasure/erase.html")]
struct ErasePage {
    layout: Layout,
    campaign: Campaign,
    own_path: String,
    plan: Plan,
}

/// `GET …/signature/{token}/erase`: what an erasure removes and keeps, and the button.
pub async fn erase_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((tenant_slug, campaign_slug, token)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let Some(found) = find(&state, &tenant_slug, &campaign_slug, &token).await? else {
        return link_gone(&visitor, None);
    };
    let Some(plan) = super::erasure_plan(&state.db, found.tenant, found.signature.id).await? else {
        return link_gone(&visitor, None);
    };
    let page = ErasePage {
        layout: visitor.layout("Erase your details").for_signers(),
        campaign: found.campaign,
        own_path: found.own_path,
        plan,
    };
    Ok(render(page)?.into_response())
}

#[derive(Template)]
#[template(path = "erasure/erased.html")]
struct ErasedPage {
    layout: Layout,
    page_path: String,
    signatures: usize,
}

/// `POST …/signature/{token}/erase`: erases at once; the link stops working.
pub async fn erase(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((tenant_slug, campaign_slug, token)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let Some(found) = find(&state, &tenant_slug, &campaign_slug, &token).await? else {
        return link_gone(&visitor, None);
    };
    within_limit(&state, &visitor).await?;
    let mut tx = state.db.begin().await?;
    let erased = super::erase(&mut tx, found.tenant, found.signature.id, state.clock.now()).await?;
    let Some(erased) = erased else {
        return link_gone(&visitor, None);
    };
    tx.commit().await?;
    forget_written_mail(&state.config, &erased.transport_ids);
    render_with(
        StatusCode::OK,
        ErasedPage {
            layout: visitor.layout("Your details are erased").for_signers(),
            page_path: found.page_path,
            signatures: erased.signatures,
        },
    )
}
