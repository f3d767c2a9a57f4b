//! What an organizer types for a person of the book, and its checks: shared by the
//! organization page (which shows the form) and the people's handlers (which take it).

use serde::Deserialize;

use crate::mail::EmailAddress;
use crate::outreach::store::book_organizations::PersonInput;
use crate::web::FormErrors;

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
    pub fn validate(&self) -> (PersonInput, FormErrors) {
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
