//! The emails of accounts.

use askama::Template;
use serde::{Deserialize, Serialize};

use crate::mail::{Email, Footer, RenderedMail};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct PasswordReset {
    pub name: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "auth/emails/password_reset.txt")]
struct PasswordResetText<'a> {
    name: &'a str,
    link: &'a str,
    footer: &'a Footer,
}

#[derive(Template)]
#[template(path = "auth/emails/password_reset.html")]
struct PasswordResetHtml<'a> {
    name: &'a str,
    link: &'a str,
    footer: &'a Footer,
}

impl Email for PasswordReset {
    const KIND: &'static str = "password_reset";
    const REASON: &'static str = "Someone asked to reset the password of your Undersigned account. If it was not you, ignore this email: nothing changes.";

    const CARRIES_SECRET_LINK: bool = true;

    fn render(&self, footer: &Footer) -> Result<RenderedMail, askama::Error> {
        let (name, link) = (self.name.as_str(), self.link.as_str());
        Ok(RenderedMail {
            subject: "Choose a new password for Undersigned".into(),
            text: PasswordResetText { name, link, footer }.render()?,
            html: PasswordResetHtml { name, link, footer }.render()?,
        })
    }

    fn forget_secrets(&mut self) {
        self.link = crate::mail::LINK_REMOVED.into();
    }
}
