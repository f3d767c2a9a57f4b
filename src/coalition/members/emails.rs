//! The members part's emails: the join page's confirmation, the welcome with the rules,
//! an organizer's invitation, and the magic sign-in link.

use askama::Template;
use serde::{Deserialize, Serialize};

use crate::mail::{Email, Footer, RenderedMail, LINK_REMOVED};

/// The join page's confirmation: the link opens a page with the rules and a button.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ListJoinConfirm {
    pub list_name: String,
    pub name: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "coalition/members/emails/join_confirm.txt")]
struct ListJoinConfirmText<'a> {
    m: &'a ListJoinConfirm,
    footer: &'a Footer,
}

#[derive(Template)]
#[template(path = "coalition/members/emails/join_confirm.html")]
struct ListJoinConfirmHtml<'a> {
    m: &'a ListJoinConfirm,
    footer: &'a Footer,
}

impl Email for ListJoinConfirm {
    const KIND: &'static str = "list_join_confirm";
    const REASON: &'static str = "Someone asked, with this address, to join the list. If it was not you, ignore this email: nobody joins without pressing the button.";
    const CARRIES_SECRET_LINK: bool = true;

    fn render(&self, footer: &Footer) -> Result<RenderedMail, askama::Error> {
        Ok(RenderedMail {
            subject: format!("Confirm: join {}", self.list_name),
            text: ListJoinConfirmText { m: self, footer }.render()?,
            html: ListJoinConfirmHtml { m: self, footer }.render()?,
        })
    }

    fn forget_secrets(&mut self) {
        self.link = LINK_REMOVED.into();
    }
}

/// The welcome: the rules, how to post (web and email), the member page, how to leave.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ListWelcome {
    pub list_name: String,
    pub name: String,
    /// Markdown, as organizers wrote them (the text part shows them as written).
    pub purpose: String,
    pub rules: String,
    pub post_address: String,
    pub post_link: String,
    pub member_page: String,
    pub signin_link: String,
    pub leave_link: String,
}

#[derive(Template)]
#[template(path = "coalition/members/emails/welcome.txt")]
struct ListWelcomeText<'a> {
    m: &'a ListWelcome,
    footer: &'a Footer,
}

#[derive(Template)]
#[template(path = "coalition/members/emails/welcome.html")]
struct ListWelcomeHtml<'a> {
    m: &'a ListWelcome,
    rules_html: String,
    purpose_html: String,
    footer: &'a Footer,
}

impl Email for ListWelcome {
    const KIND: &'static str = "list_welcome";
    const REASON: &'static str =
        "You joined this list yourself. Leave at any time with the link above.";

    fn render(&self, footer: &Footer) -> Result<RenderedMail, askama::Error> {
        Ok(RenderedMail {
            subject: format!("Welcome to {}", self.list_name),
            text: ListWelcomeText { m: self, footer }.render()?,
            html: ListWelcomeHtml {
                m: self,
                rules_html: crate::web::render_markdown(&self.rules),
                purpose_html: crate::web::render_markdown(&self.purpose),
                footer,
            }
            .render()?,
        })
    }
}

/// An organizer's invitation: it subscribes nobody; its link's button does.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ListInvitation {
    pub list_name: String,
    pub name: String,
    pub inviter: String,
    pub purpose: String,
    pub link: String,
    pub expires: String,
}

#[derive(Template)]
#[template(path = "coalition/members/emails/invitation.txt")]
struct ListInvitationText<'a> {
    m: &'a ListInvitation,
    footer: &'a Footer,
}

#[derive(Template)]
#[template(path = "coalition/members/emails/invitation.html")]
struct ListInvitationHtml<'a> {
    m: &'a ListInvitation,
    footer: &'a Footer,
}

impl Email for ListInvitation {
    const KIND: &'static str = "list_invitation";
    const REASON: &'static str = "An organizer of the coalition invited you. Nothing happens unless you press the button on the invitation's page.";
    const CARRIES_SECRET_LINK: bool = true;

    fn render(&self, footer: &Footer) -> Result<RenderedMail, askama::Error> {
        Ok(RenderedMail {
            subject: format!("{} invites you to {}", self.inviter, self.list_name),
            text: ListInvitationText { m: self, footer }.render()?,
            html: ListInvitationHtml { m: self, footer }.render()?,
        })
    }

    fn forget_secrets(&mut self) {
        self.link = LINK_REMOVED.into();
    }
}

/// The magic sign-in link (single use, 30 minutes).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ListSigninLink {
    pub list_name: String,
    pub name: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "coalition/members/emails/signin.txt")]
struct ListSigninText<'a> {
    m: &'a ListSigninLink,
    footer: &'a Footer,
}

#[derive(Template)]
#[template(path = "coalition/members/emails/signin.html")]
struct ListSigninHtml<'a> {
    m: &'a ListSigninLink,
    footer: &'a Footer,
}

impl Email for ListSigninLink {
    const KIND: &'static str = "list_signin";
    const REASON: &'static str = "Someone asked to sign in to the list with this address. If it was not you, ignore this email.";
    const CARRIES_SECRET_LINK: bool = true;

    fn render(&self, footer: &Footer) -> Result<RenderedMail, askama::Error> {
        Ok(RenderedMail {
            subject: format!("Sign in to {}", self.list_name),
            text: ListSigninText { m: self, footer }.render()?,
            html: ListSigninHtml { m: self, footer }.render()?,
        })
    }

    fn forget_secrets(&mut self) {
        self.link = LINK_REMOVED.into();
    }
}
