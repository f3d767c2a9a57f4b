//! The PDF of the letter and its signers for anyone, when the campaign's organizers turned
//! its public link on (`public_pdf`) and the campaign is public: the same document
//! organizers download (`crate::campaigns::document`), listing what the public page lists.

use axum::extract::State;
use axum::response::Response;

use super::public_campaign;
use crate::campaigns::document::{self, Disposition};
use crate::campaigns::store::PublicCampaign;
use crate::campaigns::Status;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::Path;

/// `GET /{tenant}/{campaign}/letter.pdf`: 404 unless the option is on and the campaign
/// is public (not a draft, not waiting for its release).
pub async fn download(
    State(state): State<AppState>,
    Path((tenant_slug, campaign_slug)): Path<(String, String)>,
) -> AppResult<Response> {
    let PublicCampaign {
        campaign,
        tenant,
        group_name,
    } = public_campaign(&state, &tenant_slug, &campaign_slug).await?;
    if !campaign.public_pdf || campaign.release_pending() {
        return Err(AppError::NotFound);
    }
    let contents =
        document::contents(&state.db, tenant, &campaign, &group_name, state.clock.now()).await?;
    let pdf = document::pdf(contents).await?;
    let unlisted = campaign.status == Status::Open;
    Ok(document::response(
        pdf,
        &campaign.slug,
        Disposition::Inline,
        unlisted,
    ))
}
