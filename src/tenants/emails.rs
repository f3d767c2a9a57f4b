//! The emails of groups: invitations to join a group's team.

use askama::Template;
use serde::{Deserialize, Serialize};

use crate::mail::{Email, Footer, RenderedMail};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Invitation {
    pub tenant_name: String,
    pub inviter_name: String,
    pub role: String,
    pub link: String,
    pub expires: String,
}

#[derive(Template)]
#[template(path = "tenants/emails/invitation.txt")]
struct InvitationText<'a> {
    m: &'a Invitation,
    footer: &'a Footer,
}

#[derive(Template)]
#[template(path = "tenants/emails/invitation.html")]
struct InvitationHtml<'a> {
    m: &'a Invitation,
    footer: &'a Footer,
}

impl Email for Invitation {
    const KIND: &'static str = "invitation";
    const REASON: &'static str =
        "Someone you may know invited this address to an organizing group on Undersigned.";

    const CARRIES_SECRET_LINK: bool = true;

    fn render(&self, footer: &Footer) -> Result<RenderedMail, askama::Error> {
        Ok(RenderedMail {
            subject: format!(
                "{} invited you to {} on Undersigned",
                self.inviter_name, self.tenant_name
            ),
            text: InvitationText { m: self, footer }.render()?,
            html: InvitationHtml { m: self, footer }.render()?,
        })
    }

    fn forget_secrets(&mut self) {
        self.link = crate::mail::LINK_REMOVED.into();
    }
}

/// The link that creates the group and its owner's account: it proves the address.
///
/// It carries nothing the asker typed (neither their name nor the group's): anyone can
/// ask with any address, and mail from our address must not carry a stranger's words.
/// The page the link opens shows them. (Older queued rows may still hold `name` and
/// `group_name`; they are ignored.)
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ConfirmSignup {
    pub link: String,
}

#[derive(Template)]
#[template(path = "tenants/emails/confirm_signup.txt")]
struct ConfirmSignupText<'a> {
    m: &'a ConfirmSignup,
    footer: &'a Footer,
}

#[derive(Template)]
#[template(path = "tenants/emails/confirm_signup.html")]
struct ConfirmSignupHtml<'a> {
    m: &'a ConfirmSignup,
    footer: &'a Footer,
}

impl Email for ConfirmSignup {
    const KIND: &'static str = "confirm_signup";
    const REASON: &'static str = "This address was given to start an organizing group on Undersigned. If it was not you, ignore this email: nothing is created without this link.";
    const CARRIES_SECRET_LINK: bool = true;

    fn render(&self, footer: &Footer) -> Result<RenderedMail, askama::Error> {
        Ok(RenderedMail {
            subject: "Confirm your address to start a group on Undersigned".into(),
            text: ConfirmSignupText { m: self, footer }.render()?,
            html: ConfirmSignupHtml { m: self, footer }.render()?,
        })
    }

    fn forget_secrets(&mut self) {
        self.link = crate::mail::LINK_REMOVED.into();
    }
}

/// Someone asked to start a group with an address that already has an account: its
/// owner hears about it (the form told the asker nothing).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SignupWithExistingAccount {
    pub login_link: String,
    pub reset_link: String,
}

#[derive(Template)]
#[template(path = "tenants/emails/signup_existing.txt")]
struct SignupExistingText<'a> {
    m: &'a SignupWithExistingAccount,
    footer: &'a Footer,
}

#[derive(Template)]
#[template(path = "tenants/emails/signup_existing.html")]
struct SignupExistingHtml<'a> {
    m: &'a SignupWithExistingAccount,
    footer: &'a Footer,
}

impl Email for SignupWithExistingAccount {
    const KIND: &'static str = "signup_existing_account";
    const REASON: &'static str = "This address was given to start an organizing group on Undersigned, and it already has an account.";

    fn render(&self, footer: &Footer) -> Result<RenderedMail, askama::Error> {
        Ok(RenderedMail {
            subject: "You already have an Undersigned account".into(),
            text: SignupExistingText { m: self, footer }.render()?,
            html: SignupExistingHtml { m: self, footer }.render()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_parts_escape_what_people_typed() {
        let message = Invitation {
            tenant_name: "<script>alert(1)</script>".into(),
            inviter_name: "Ann".into(),
            role: "organizer".into(),
            link: "http://x/invite/abc".into(),
            expires: "2 December 2026".into(),
        };
        let footer = Footer {
            reason: Invitation::REASON,
            unsubscribe_link: None,
        };
        let rendered = message.render(&footer).unwrap();
        assert!(!rendered.html.contains("<script>"));
        assert!(
            rendered.text.contains("<script>alert(1)</script>"),
            "plain text stays verbatim"
        );
        assert!(rendered.text.contains("http://x/invite/abc"));
    }
}
