//! A prospect's contacts: adding, editing and removing one, and clearing a bounce.

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::store::{self, Contact, ContactInput};
use crate::campaigns::lookup::CampaignEdit;
use crate::error::{AppError, AppResult};
use crate::mail::EmailAddress;
use crate::state::AppState;
use crate::web::{unprocessable, Form, FormErrors, Path};

use super::prospects::{
    back_to, detail_page, parse_id, prospect_of, ContactEdit, DetailInput, IdPath,
};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ContactForm {
    pub name: String,
    /// What an ask greets them by, when not the first word of their name.
    pub first_name: String,
    pub role: String,
    pub email: String,
    pub phone: String,
}

impl ContactForm {
    pub(super) fn is_empty(&self) -> bool {
        [
            &self.name,
            &self.first_name,
            &self.role,
            &self.email,
            &self.phone,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
    }

    /// `prefix` names the fields on forms that hold more than a contact.
    pub fn validate(&self, errors: &mut FormErrors, prefix: &'static str) -> ContactInput {
        let field = |name: &'static str| -> &'static str {
            match (prefix, name) {
                ("contact_", "name") => "contact_name",
                ("contact_", "first_name") => "contact_first_name",
                ("contact_", "role") => "contact_role",
                ("contact_", "email") => "contact_email",
                ("contact_", "phone") => "contact_phone",
                (_, name) => name,
            }
        };
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            errors.add(field("name"), "Enter the contact's name.");
        }
        if name.chars().count() > 200 || self.role.trim().chars().count() > 200 {
            errors.add(field("name"), "Keep names and roles under 200 characters.");
        }
        let first_name = self.first_name.trim().to_owned();
        if first_name.chars().count() > 100 {
            errors.add(
                field("first_name"),
                "Keep the first name under 100 characters.",
            );
        }
        let email = if self.email.trim().is_empty() {
            None
        } else {
            match EmailAddress::parse(&self.email) {
                Ok(email) => Some(email.as_str().to_owned()),
                Err(message) => {
                    errors.add(field("email"), message);
                    None
                }
            }
        };
        let phone = self.phone.trim().to_owned();
        if phone.chars().count() > 40
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +-()./".contains(c))
        {
            errors.add(field("phone"), "Use digits, spaces and + - ( ) only.");
        }
        ContactInput {
            name,
            first_name,
            role: self.role.trim().to_owned(),
            email,
            phone,
        }
    }
}

pub struct ContactRow {
    pub contact: Contact,
    pub warning: Option<String>,
}

impl ContactRow {
    /// The contact's edit form: as sent back with errors, else as stored.
    pub fn edit_form(&self, edit: &Option<ContactEdit>) -> (ContactForm, bool) {
        match edit {
            Some(e) if e.id == self.contact.id => (
                ContactForm {
                    name: e.form.name.clone(),
                    first_name: e.form.first_name.clone(),
                    role: e.form.role.clone(),
                    email: e.form.email.clone(),
                    phone: e.form.phone.clone(),
                },
                true,
            ),
            _ => (
                ContactForm {
                    name: self.contact.name.clone(),
                    first_name: self.contact.first_name.clone(),
                    role: self.contact.role.clone(),
                    email: self.contact.email.clone().unwrap_or_default(),
                    phone: self.contact.phone.clone(),
                },
                false,
            ),
        }
    }
}

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
