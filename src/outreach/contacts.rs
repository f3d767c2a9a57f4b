//! A prospect's contacts: adding, editing and removing one, and clearing a bounce.

use axum::extract::State;
use axum::response::Response;

use super::store;
use crate::campaigns::lookup::CampaignEdit;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{unprocessable, Form, FormErrors, Path};

use super::contact_form::{ContactEdit, ContactForm};
use super::prospects::{back_to, detail_page, parse_id, prospect_of, DetailInput, IdPath};

pub async fn add_contact(
    State(state): State<AppState>,
    CampaignEdit { member, campaign }: CampaignEdit,
    Path(IdPath { id }): Path<IdPath>,
    Form(form): Form<ContactForm>,
) -> AppResult<Response> {
    let prospect = prospect_of(&state, &member, &campaign, &id).await?;
    let mut errors = FormErrors::new();
    let input = form.validate(&mut errors, "");
    if !errors.is_empty() {
        let page = detail_page(
            &state,
            &member,
            campaign,
            prospect,
            DetailInput {
                form: None,
                errors: FormErrors::new(),
                contact_form: form,
                contact_errors: errors,
                contact_edit: None,
            },
        )
        .await?;
        return unprocessable(page);
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    store::add_contact(
        &mut tx,
        member.tenant_id.uuid(),
        campaign.id,
        prospect.id,
        &input,
        now,
    )
    .await?;
    store::match_confirmed_signatures(&mut tx, campaign.id, Some(prospect.id), now).await?;
    tx.commit().await?;
    Ok(back_to(&member, &campaign, prospect.id, "contact-added"))
}

pub async fn edit_contact(
    State(state): State<AppState>,
    CampaignEdit { member, campaign }: CampaignEdit,
    Path(IdPath { id }): Path<IdPath>,
    Form(form): Form<ContactForm>,
) -> AppResult<Response> {
    let contact_id = parse_id(&id)?;
    let mut errors = FormErrors::new();
    let input = form.validate(&mut errors, "");
    if !errors.is_empty() {
        let prospect_id =
            store::prospect_of_contact(&state.db, member.tenant_id, campaign.id, contact_id)
                .await?
                .ok_or(AppError::NotFound)?;
        let prospect = prospect_of(&state, &member, &campaign, &prospect_id.to_string()).await?;
        let page = detail_page(
            &state,
            &member,
            campaign,
            prospect,
            DetailInput {
                form: None,
                errors: FormErrors::new(),
                contact_form: ContactForm::default(),
                contact_errors: FormErrors::new(),
                contact_edit: Some(ContactEdit {
                    id: contact_id,
                    form,
                    errors,
                }),
            },
        )
        .await?;
        return unprocessable(page);
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let prospect_id =
        store::update_contact(&mut tx, member.tenant_id, campaign.id, contact_id, &input)
            .await?
            .ok_or(AppError::NotFound)?;
    store::match_confirmed_signatures(&mut tx, campaign.id, Some(prospect_id), now).await?;
    tx.commit().await?;
    Ok(back_to(&member, &campaign, prospect_id, "contact-saved"))
}

pub async fn remove_contact(
    State(state): State<AppState>,
    CampaignEdit { member, campaign }: CampaignEdit,
    Path(IdPath { id }): Path<IdPath>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let prospect_id =
        store::remove_contact(&mut conn, member.tenant_id, campaign.id, parse_id(&id)?)
            .await?
            .ok_or(AppError::NotFound)?;
    Ok(back_to(&member, &campaign, prospect_id, "contact-removed"))
}

pub async fn clear_bounce(
    State(state): State<AppState>,
    CampaignEdit { member, campaign }: CampaignEdit,
    Path(IdPath { id }): Path<IdPath>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let prospect_id = store::clear_bounce(&mut conn, member.tenant_id, campaign.id, parse_id(&id)?)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(back_to(&member, &campaign, prospect_id, "bounce-cleared"))
}
