//! The campaign a public URL names.

use crate::state::AppState;

/// The campaign behind a public URL; drafts do not exist publicly.
pub async fn public_campaign(
    state: &AppState,
    tenant_slug: &str,
    campaign_slug: &str,
) -> crate::error::AppResult<crate::campaigns::store::PublicCampaign> {
    let found = crate::campaigns::store::public_by_slugs(&state.db, tenant_slug, campaign_slug)
        .await?
        .ok_or(crate::error::AppError::NotFound)?;
    if !found.campaign.status.is_public() {
        return Err(crate::error::AppError::NotFound);
    }
    Ok(found)
}
