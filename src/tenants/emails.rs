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
