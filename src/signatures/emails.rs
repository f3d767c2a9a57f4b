//! The emails signers receive: the confirmation link, and coalition updates.

use askama::Template;
use serde::{Deserialize, Serialize};

use crate::mail::{Email, Footer, RenderedMail};

/// Asks a signer to confirm their signature: it counts only after this.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ConfirmSignature {
    pub campaign_title: String,
    pub group_name: String,
    pub signer_name: String,
    pub link: String,
    pub expires: String,
}

#[derive(Template)]
#[template(path = "signatures/emails/confirm_signature.txt")]
struct ConfirmText<'a> {
    m: &'a ConfirmSignature,
    footer: &'a Footer,
}

#[derive(Template)]
#[template(path = "signatures/emails/confirm_signature.html")]
struct ConfirmHtml<'a> {
    m: &'a ConfirmSignature,
    footer: &'a Footer,
}

impl Email for ConfirmSignature {
    const KIND: &'static str = "confirm_signature";
    const REASON: &'static str = "This address was given on a sign-on form. If you did not sign, ignore this email: nothing is published without your confirmation.";

    const CARRIES_SECRET_LINK: bool = true;

    fn render(&self, footer: &Footer) -> Result<RenderedMail, askama::Error> {
        Ok(RenderedMail {
            subject: format!("Confirm your signature: {}", self.campaign_title),
            text: ConfirmText { m: self, footer }.render()?,
            html: ConfirmHtml { m: self, footer }.render()?,
        })
    }

    fn forget_secrets(&mut self) {
        self.link = crate::mail::LINK_REMOVED.into();
    }
}

/// A plain update from organizers to the coalition's members; always bulk mail.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Bulletin {
    pub sender: String,
    pub subject: String,
    pub body: String,
}

#[derive(Template)]
#[template(path = "signatures/emails/bulletin.txt")]
struct BulletinText<'a> {
    sender: &'a str,
    body: &'a str,
    footer: &'a Footer,
}

#[derive(Template)]
#[template(path = "signatures/emails/bulletin.html")]
struct BulletinHtml<'a> {
    sender: &'a str,
    paragraphs: Vec<&'a str>,
    footer: &'a Footer,
}

impl Email for Bulletin {
    const KIND: &'static str = "bulletin";
    const REASON: &'static str =
        "You receive updates from this coalition because your organization signed on.";

    fn render(&self, footer: &Footer) -> Result<RenderedMail, askama::Error> {
        Ok(RenderedMail {
            subject: self.subject.clone(),
            text: BulletinText {
                sender: &self.sender,
                body: &self.body,
                footer,
            }
            .render()?,
            html: BulletinHtml {
                sender: &self.sender,
                paragraphs: self.body.split("\n\n").collect(),
                footer,
            }
            .render()?,
        })
    }
}
