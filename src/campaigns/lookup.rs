//! The campaign an organizer URL names, and the extractors that load it.
//!
//! Every organizer page of a campaign starts the same way: the member (404 outside their
//! groups), for a change the editor check (403 for viewers, before anything is looked up),
//! then the campaign named by the URL's `{campaign}` within the member's group (404
//! otherwise). `CampaignPage` and `CampaignEdit` do that once, the way crates.io's path
//! extractors load a crate, so a handler starts from what it works on.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use serde::Deserialize;

use super::store::{self, Campaign};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::tenancy::Member;
use crate::web::Path;

/// The campaign named in the URL, within the member's tenant; 404 otherwise.
pub async fn campaign_of(state: &AppState, member: &Member, slug: &str) -> AppResult<Campaign> {
    store::by_slug(&state.db, member.tenant_id, slug)
        .await?
        .ok_or(AppError::NotFound)
}

/// A campaign's organizer page, to read: any member of the group.
pub struct CampaignPage {
    pub member: Member,
    pub campaign: Campaign,
}

/// A change to a campaign: owners and organizers; viewers get 403.
pub struct CampaignEdit {
    pub member: Member,
    pub campaign: Campaign,
}

/// The `{campaign}` of the URL (the other parameters are ignored).
#[derive(Deserialize)]
struct CampaignInUrl {
    campaign: String,
}

/// Read through `web::Path`, as the handlers' tuple paths were: a path that names
/// nothing we could have stored (a control character) or has no `{campaign}` is 404.
async fn campaign_in_url<S>(parts: &mut Parts, state: &S, member: &Member) -> AppResult<Campaign>
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    let Path(CampaignInUrl { campaign }) = Path::from_request_parts(parts, state).await?;
    campaign_of(&AppState::from_ref(state), member, &campaign).await
}

impl<S> FromRequestParts<S> for CampaignPage
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let member = Member::from_request_parts(parts, state).await?;
        let campaign = campaign_in_url(parts, state, &member).await?;
        Ok(CampaignPage { member, campaign })
    }
}

impl<S> FromRequestParts<S> for CampaignEdit
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let member = Member::from_request_parts(parts, state).await?;
        member.require_editor()?;
        let campaign = campaign_in_url(parts, state, &member).await?;
        Ok(CampaignEdit { member, campaign })
    }
}
