//! A contact's form and its row on the prospect's page, shared by the prospect pages
//! (which show them) and the contact handlers (which take them).

use serde::Deserialize;
use uuid::Uuid;

use super::store::{Contact, ContactInput};
use crate::mail::EmailAddress;
use crate::web::FormErrors;

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

/// A contact's edit form sent back with errors: shown open, with what was typed.
pub struct ContactEdit {
    pub id: Uuid,
    pub form: ContactForm,
    pub errors: FormErrors,
}
