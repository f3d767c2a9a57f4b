//! The campaign an organizer URL names.

use super::store::{self, Campaign};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::tenancy::Member;

/// The campaign named in the URL, within the member's tenant; 404 otherwise.
pub async fn campaign_of(state: &AppState, member: &Member, slug: &str) -> AppResult<Campaign> {
    store::by_slug(&state.db, member.tenant_id, slug)
        .await?
        .ok_or(AppError::NotFound)
}
