//! Every kind of email the product sends, stored in the outbox as JSON and rendered by
//! the worker into subject, text and HTML from askama templates in `templates/mail/`.

use askama::Template;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MailMessage {
    Invitation {
        tenant_name: String,
        inviter_name: String,
        role: String,
        link: String,
        expires: String,
    },
    PasswordReset {
        name: String,
        link: String,
    },
    /// Asks a signer to confirm their signature: it counts only after this.
    ConfirmSignature {
        campaign_title: String,
        group_name: String,
        signer_name: String,
        link: String,
        expires: String,
    },
    /// A plain update from organizers to many people (coalition news); always bulk mail.
    Bulletin {
        sender: String,
        subject: String,
        body: String,
    },
}

pub struct RenderedMail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// What every email ends with: why the reader got it and, for bulk mail, how to stop it.
pub struct Footer {
    pub reason: &'static str,
    pub unsubscribe_link: Option<String>,
}

#[derive(Template)]
#[template(path = "mail/invitation.txt")]
struct InvitationText<'a> {
    tenant_name: &'a str,
    inviter_name: &'a str,
    role: &'a str,
    link: &'a str,
    expires: &'a str,
    footer: &'a Footer,
}

#[derive(Template)]
#[template(path = "mail/invitation.html")]
struct InvitationHtml<'a> {
    tenant_name: &'a str,
    inviter_name: &'a str,
    role: &'a str,
    link: &'a str,
    expires: &'a str,
    footer: &'a Footer,
}

#[derive(Template)]
#[template(path = "mail/password_reset.txt")]
struct PasswordResetText<'a> {
    name: &'a str,
    link: &'a str,
    footer: &'a Footer,
}

#[derive(Template)]
#[template(path = "mail/password_reset.html")]
struct PasswordResetHtml<'a> {
    name: &'a str,
    link: &'a str,
    footer: &'a Footer,
}

#[derive(Template)]
#[template(path = "mail/confirm_signature.txt")]
struct ConfirmText<'a> {
    campaign_title: &'a str,
    group_name: &'a str,
    signer_name: &'a str,
    link: &'a str,
    expires: &'a str,
    footer: &'a Footer,
}

#[derive(Template)]
#[template(path = "mail/confirm_signature.html")]
struct ConfirmHtml<'a> {
    campaign_title: &'a str,
    group_name: &'a str,
    signer_name: &'a str,
    link: &'a str,
    expires: &'a str,
    footer: &'a Footer,
}

#[derive(Template)]
#[template(path = "mail/bulletin.txt")]
struct BulletinText<'a> {
    sender: &'a str,
    body: &'a str,
    footer: &'a Footer,
}

#[derive(Template)]
#[template(path = "mail/bulletin.html")]
struct BulletinHtml<'a> {
    sender: &'a str,
    paragraphs: Vec<&'a str>,
    footer: &'a Footer,
}

impl MailMessage {
    pub fn render(&self, unsubscribe_link: Option<String>) -> Result<RenderedMail, askama::Error> {
        Ok(match self {
            MailMessage::Invitation {
                tenant_name,
                inviter_name,
                role,
                link,
                expires,
            } => {
                let footer = Footer { reason: "Someone you may know invited this address to an organizing group on Undersigned.", unsubscribe_link };
                RenderedMail {
                    subject: format!("{inviter_name} invited you to {tenant_name} on Undersigned"),
                    text: InvitationText {
                        tenant_name,
                        inviter_name,
                        role,
                        link,
                        expires,
                        footer: &footer,
                    }
                    .render()?,
                    html: InvitationHtml {
                        tenant_name,
                        inviter_name,
                        role,
                        link,
                        expires,
                        footer: &footer,
                    }
                    .render()?,
                }
            }
            MailMessage::PasswordReset { name, link } => {
                let footer = Footer { reason: "Someone asked to reset the password of your Undersigned account. If it was not you, ignore this email: nothing changes.", unsubscribe_link };
                RenderedMail {
                    subject: "Choose a new password for Undersigned".into(),
                    text: PasswordResetText {
                        name,
                        link,
                        footer: &footer,
                    }
                    .render()?,
                    html: PasswordResetHtml {
                        name,
                        link,
                        footer: &footer,
                    }
                    .render()?,
                }
            }
            MailMessage::ConfirmSignature {
                campaign_title,
                group_name,
                signer_name,
                link,
                expires,
            } => {
                let footer = Footer { reason: "This address was given on a sign-on form. If you did not sign, ignore this email: nothing is published without your confirmation.", unsubscribe_link };
                RenderedMail {
                    subject: format!("Confirm your signature: {campaign_title}"),
                    text: ConfirmText {
                        campaign_title,
                        group_name,
                        signer_name,
                        link,
                        expires,
                        footer: &footer,
                    }
                    .render()?,
                    html: ConfirmHtml {
                        campaign_title,
                        group_name,
                        signer_name,
                        link,
                        expires,
                        footer: &footer,
                    }
                    .render()?,
                }
            }
            MailMessage::Bulletin {
                sender,
                subject,
                body,
            } => {
                let footer = Footer { reason: "You receive updates from this coalition because your organization signed on.", unsubscribe_link };
                RenderedMail {
                    subject: subject.clone(),
                    text: BulletinText {
                        sender,
                        body,
                        footer: &footer,
                    }
                    .render()?,
                    html: BulletinHtml {
                        sender,
                        paragraphs: body.split("\n\n").collect(),
                        footer: &footer,
                    }
                    .render()?,
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_parts_escape_what_people_typed() {
        let message = MailMessage::Invitation {
            tenant_name: "<script>alert(1)</script>".into(),
            inviter_name: "Ann".into(),
            role: "organizer".into(),
            link: "http://x/invite/abc".into(),
            expires: "2 December 2026".into(),
        };
        let rendered = message.render(None).unwrap();
        assert!(!rendered.html.contains("<script>"));
        assert!(
            rendered.text.contains("<script>alert(1)</script>"),
            "plain text stays verbatim"
        );
        assert!(rendered.text.contains("http://x/invite/abc"));
    }
}
