//! Starting from another campaign's signers: they signed another text, so they are asked
//! again here, never listed on this one. The group's address book keeps them: those not
//! in it yet are added with the person who signed, and "start from the address book"
//! (`book::from_book`) offers the same with more filters.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::store;
use crate::campaigns::lookup::CampaignEdit;
use crate::campaigns::store as campaigns;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::Form;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CarryForm {
    /// The slug of the campaign whose signers become prospects here.
    pub from: String,
}

/// `POST …/outreach/carry`: every confirmed signer of the chosen campaign of the same
/// group becomes a prospect here, through the address book, in one statement; nobody is
/// made a signer.
pub async fn carry(
    State(state): State<AppState>,
    CampaignEdit { member, campaign }: CampaignEdit,
    Form(form): Form<CarryForm>,
) -> AppResult<Response> {
    let source = campaigns::by_slug(&state.db, member.tenant_id, form.from.trim())
        .await?
        .filter(|c| c.id != campaign.id)
        .ok_or_else(|| AppError::BadRequest("Choose another campaign of this group.".into()))?;
    let note = format!(
        "Signed \"{}\": added from the address book as a prospect to ask, not as a signer.",
        source.title
    );
    let mut tx = state.db.begin().await?;
    let added = store::carry_signers(
        &mut tx,
        &member,
        source.id,
        campaign.id,
        &note,
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&member.path(&format!(
        "/campaigns/{}/outreach/prospects?carried={added}",
        campaign.slug
    )))
    .into_response())
}
