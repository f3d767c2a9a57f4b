//! Carrying a finished campaign's signers into a related campaign as prospects to ask:
//! they signed another text, so they are asked again, never listed on this one.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::store::{self, ContactInput, Origin, ProspectInput};
use super::{ActivityKind, Size};
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
/// group becomes a prospect here (with its contact), flagged where it looks like one
/// already on the list; nobody is made a signer.
pub async fn carry(
    State(state): State<AppState>,
    CampaignEdit { member, campaign }: CampaignEdit,
    Form(form): Form<CarryForm>,
) -> AppResult<Response> {
    let source = campaigns::by_slug(&state.db, member.tenant_id, form.from.trim())
        .await?
        .filter(|c| c.id != campaign.id)
        .ok_or_else(|| AppError::BadRequest("Choose another campaign of this group.".into()))?;
    let signers = store::signers_to_carry(&state.db, member.tenant_id, source.id).await?;
    let now = state.clock.now();
    let note = format!("Signed \"{}\"", source.title);
    let mut tx = state.db.begin().await?;
    // Already carried (same organization and contact address): not added twice.
    let existing = store::names_and_addresses(&mut tx, campaign.id).await?;
    let mut added = 0;
    for store::SignerToCarry {
        name,
        website,
        size,
        contact_name,
        contact_title,
        email,
        phone,
    } in signers
    {
        let key = crate::signatures::names::name_key(&name);
        if existing
            .iter()
            .any(|(k, e)| *k == key && e.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(&email)))
        {
            continue;
        }
        let id = store::insert(
            &mut tx,
            member.tenant_id.uuid(),
            campaign.id,
            &ProspectInput {
                name,
                website,
                size: Size::parse(&size),
                ..ProspectInput::default()
            },
            &Origin {
                referral_note: note.clone(),
                ..Origin::default()
            },
            now,
        )
        .await?;
        store::add_contact(
            &mut tx,
            member.tenant_id.uuid(),
            campaign.id,
            id,
            &ContactInput {
                name: contact_name,
                role: contact_title,
                email: Some(email),
                phone,
                ..ContactInput::default()
            },
            now,
        )
        .await?;
        store::record_by(
            &mut tx,
            &member,
            campaign.id,
            &store::MemberActivity {
                prospect_id: id,
                contact_id: None,
                kind: ActivityKind::Note,
                outcome: "",
                body: &format!("{note}: carried over as a prospect to ask, not as a signer."),
            },
            now,
        )
        .await?;
        added += 1;
    }
    tx.commit().await?;
    Ok(Redirect::to(&member.path(&format!(
        "/campaigns/{}/outreach/prospects?carried={added}",
        campaign.slug
    )))
    .into_response())
}
