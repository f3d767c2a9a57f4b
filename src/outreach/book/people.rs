//! The people of an organization in the book: adding, editing and removing one.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::Duration;

use super::organization::{organization_of, render_page, Shown};
use super::person_form::PersonForm;
use super::{parse_id, IdPath};
use crate::error::{AppError, AppResult};
use crate::outreach::store::book_organizations::{self as orgs, Person, PersonInput};
use crate::state::AppState;
use crate::tenancy::{Editor, Member};
use crate::web::{Form, FormErrors, Path};

/// Checks the form and that no other person of the organization has the address.
async fn checked(
    state: &AppState,
    member: &Member,
    organization_id: uuid::Uuid,
    form: &PersonForm,
    except: Option<uuid::Uuid>,
) -> AppResult<(PersonInput, FormErrors)> {
    let (input, mut errors) = form.validate();
    if let Some(email) = &input.email {
        if let Some(other) =
            orgs::person_with_email(&state.db, member.tenant_id, organization_id, email, except)
                .await?
        {
            errors.add(
                "person_email",
                format!("{other} already has this address here: edit them instead."),
            );
        }
    }
    Ok((input, errors))
}

/// `POST /app/{tenant}/book/organizations/{id}/people`
pub async fn add(
    State(state): State<AppState>,
    Editor(member): Editor,
    Path(IdPath { id }): Path<IdPath>,
    Form(form): Form<PersonForm>,
) -> AppResult<Response> {
    let organization = organization_of(&state, &member, &id).await?;
    let (input, errors) = checked(&state, &member, organization.id, &form, None).await?;
    if !errors.is_empty() {
        return render_page(
            &state,
            &member,
            organization,
            Shown {
                form: None,
                person: Some((form, errors)),
                hold_error: None,
                notice: None,
                editing: None,
            },
        )
        .await?
        .respond();
    }
    orgs::insert_person(
        &state.db,
        member.tenant_id,
        organization.id,
        &input,
        state.clock.now(),
    )
    .await?;
    Ok(
        Redirect::to(&member.path(&format!("/book/organizations/{}#people", organization.id)))
            .into_response(),
    )
}

async fn person_of(state: &AppState, member: &Member, raw: &str) -> AppResult<Person> {
    orgs::person(
        &state.db,
        member.tenant_id,
        parse_id(raw)?,
        state.clock.now() - Duration::days(30),
    )
    .await?
    .ok_or(AppError::NotFound)
}

/// `POST /app/{tenant}/book/people/{id}`: saves a person.
pub async fn save(
    State(state): State<AppState>,
    Editor(member): Editor,
    Path(IdPath { id }): Path<IdPath>,
    Form(form): Form<PersonForm>,
) -> AppResult<Response> {
    let person = person_of(&state, &member, &id).await?;
    let (input, errors) = checked(
        &state,
        &member,
        person.organization_id,
        &form,
        Some(person.id),
    )
    .await?;
    if !errors.is_empty() {
        let organization =
            organization_of(&state, &member, &person.organization_id.to_string()).await?;
        return render_page(
            &state,
            &member,
            organization,
            Shown {
                form: None,
                person: None,
                hold_error: None,
                notice: None,
                editing: Some((person.id, form, errors)),
            },
        )
        .await?
        .respond();
    }
    orgs::update_person(&state.db, member.tenant_id, person.id, &input).await?;
    Ok(Redirect::to(&member.path(&format!(
        "/book/organizations/{}?saved=1#people",
        person.organization_id
    )))
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RemoveForm {
    /// "yes" from the confirmation.
    pub confirm: String,
}

/// `POST /app/{tenant}/book/people/{id}/remove` (with `confirm=yes` from the page's
/// confirmation): removes the person from the book; the log keeps its lines.
pub async fn remove(
    State(state): State<AppState>,
    Editor(member): Editor,
    Path(IdPath { id }): Path<IdPath>,
    Form(form): Form<RemoveForm>,
) -> AppResult<Response> {
    let person = person_of(&state, &member, &id).await?;
    if form.confirm != "yes" {
        return Err(AppError::BadRequest(
            "Confirm the removal with the button under “Remove”.".into(),
        ));
    }
    orgs::remove_person(&state.db, member.tenant_id, person.id).await?;
    Ok(Redirect::to(&member.path(&format!(
        "/book/organizations/{}?saved=1#people",
        person.organization_id
    )))
    .into_response())
}
