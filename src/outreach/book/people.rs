//! The people of an organization in the book: adding, editing and removing one.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::Duration;

use super::organization::{organization_of, render_page, Shown};
use super::{parse_id, IdPath};
use crate::error::{AppError, AppResult};
use crate::mail::EmailAddress;
use crate::outreach::store::book_organizations::{self as orgs, Person, PersonInput};
use crate::state::AppState;
use crate::tenancy::{Editor, Member};
use crate::web::{Form, FormErrors, Path};

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct PersonForm {
    pub name: String,
    pub first_name: String,
    pub role: String,
    pub email: String,
    pub phone: String,
}

impl PersonForm {
    fn validate(&self) -> (PersonInput, FormErrors) {
        let mut errors = FormErrors::new();
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            errors.add("person_name", "Enter the person's name.");
        } else if name.chars().count() > 200 || self.role.trim().chars().count() > 200 {
            errors.add("person_name", "Keep names and roles under 200 characters.");
        }
        let first_name = self.first_name.trim().to_owned();
        if first_name.chars().count() > 100 {
            errors.add(
                "person_first_name",
                "Keep the first name under 100 characters.",
            );
        }
        let email = match self.email.trim() {
            "" => None,
            raw => match EmailAddress::parse(raw) {
                Ok(email) => Some(email.as_str().to_owned()),
                Err(message) => {
                    errors.add("person_email", message);
                    None
                }
            },
        };
        let phone = self.phone.trim().to_owned();
        if phone.chars().count() > 40
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +-()./".contains(c))
        {
            errors.add("person_phone", "Use digits, spaces and + - ( ) only.");
        }
        (
            PersonInput {
                name,
                first_name,
                role: self.role.trim().to_owned(),
                email,
                phone,
            },
            errors,
        )
    }
}

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
