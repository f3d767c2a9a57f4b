//! Outreach's emails. Asks, deadline reminders and last calls go to prospects' contacts
//! (bulk mail: one-click unsubscribe, never to an unsubscribed address), carry the
//! contact's personal link and are personal emails: from an organizer (`mail::Sender`),
//! plain text, the link written out. Alerts and digests go to organizers.

use askama::Template;
use serde::{Deserialize, Serialize};

use crate::mail::{Email, Footer, RenderedMail, LINK_REMOVED};

#[derive(Template)]
#[template(path = "outreach/emails/message.txt")]
struct Text<'a> {
    paragraphs: &'a [String],
    items: &'a [String],
    link: Option<(&'a str, &'a str)>,
    signature: &'a str,
    footer: &'a Footer,
}

#[derive(Template)]
#[template(path = "outreach/emails/message.html")]
struct Html<'a> {
    paragraphs: &'a [String],
    items: &'a [String],
    link: Option<(&'a str, &'a str)>,
    signature: &'a str,
    footer: &'a Footer,
}

/// A personal email: the text as its organizer wrote it, and, for bulk mail, the one
/// line the law asks for. No HTML (so no button), no other footer.
#[derive(Template)]
#[template(path = "outreach/emails/personal.txt")]
struct PersonalText<'a> {
    text: &'a str,
    footer: &'a Footer,
}

fn render_personal(
    subject: String,
    text: &str,
    footer: &Footer,
) -> Result<RenderedMail, askama::Error> {
    Ok(RenderedMail {
        subject,
        text: PersonalText {
            text: text.trim(),
            footer,
        }
        .render()?,
        html: String::new(),
    })
}

/// The text with the personal link written out: where the template put `{link}`, else
/// on its own line at the end.
fn with_link(text: &str, link: &str) -> String {
    if text.contains(link) {
        text.to_owned()
    } else {
        format!("{}\n\n{link}", text.trim_end())
    }
}

fn render(
    subject: String,
    paragraphs: &[String],
    items: &[String],
    link: Option<(&str, &str)>,
    signature: &str,
    footer: &Footer,
) -> Result<RenderedMail, askama::Error> {
    Ok(RenderedMail {
        subject,
        text: Text {
            paragraphs,
            items,
            link,
            signature,
            footer,
        }
        .render()?,
        html: Html {
            paragraphs,
            items,
            link,
            signature,
            footer,
        }
        .render()?,
    })
}

/// An organizer's personal ask (or follow-up), written from the campaign's template. It
/// goes from the organizer (`mail::Sender`) and reads like a personal email: plain text,
/// the link written out.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Ask {
    pub subject: String,
    /// The merged template: paragraphs separated by blank lines, with the personal link
    /// where the template has `{link}` (messages queued before `{link}` existed, or a
    /// template without it, get the link at the end).
    pub body: String,
    pub group_name: String,
    pub link: String,
}

impl Email for Ask {
    const KIND: &'static str = "outreach_ask";
    const REASON: &'static str = "You receive this because organizers of this coalition wrote to you about their letter. You will not be written to more than a few times.";
    const CARRIES_SECRET_LINK: bool = true;

    fn render(&self, footer: &Footer) -> Result<RenderedMail, askama::Error> {
        render_personal(
            self.subject.clone(),
            &with_link(&self.body, &self.link),
            footer,
        )
    }

    fn forget_secrets(&mut self) {
        self.body = self.body.replace(&self.link, LINK_REMOVED);
        self.link = LINK_REMOVED.into();
    }
}

/// How an automated email to a contact is signed: by the organizer it goes out from,
/// else by the group.
fn signed_by<'a>(organizer_name: &'a str, group_name: &'a str) -> &'a str {
    if organizer_name.trim().is_empty() {
        group_name
    } else {
        organizer_name
    }
}

/// Before the soft deadline, to contacts who were asked and have not signed. Names the
/// soft deadline only: the hard one is kept for the last call.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct DeadlineReminder {
    pub campaign_title: String,
    pub group_name: String,
    pub contact_name: String,
    pub organization: String,
    pub soft_deadline: String,
    pub link: String,
    /// The organizer it goes out from (who asked the contact); empty in messages queued
    /// before reminders came from organizers: signed by the group then.
    #[serde(default)]
    pub organizer_name: String,
}

impl Email for DeadlineReminder {
    const KIND: &'static str = "outreach_reminder";
    const REASON: &'static str = "You receive this because organizers of this coalition asked your organization to sign their letter.";
    const CARRIES_SECRET_LINK: bool = true;

    fn render(&self, footer: &Footer) -> Result<RenderedMail, askama::Error> {
        let text = format!(
            "Dear {},\n\nA short reminder: we are gathering signatures for \"{}\" until {}. We would be glad to count {} among the signers.\n\nThis link opens the letter as it stands today, with the form filled in for you:\n{}\n\n{}",
            self.contact_name,
            self.campaign_title,
            self.soft_deadline,
            self.organization,
            self.link,
            signed_by(&self.organizer_name, &self.group_name)
        );
        render_personal(
            format!(
                "Reminder: {} — sign by {}",
                self.campaign_title, self.soft_deadline
            ),
            &text,
            footer,
        )
    }

    fn forget_secrets(&mut self) {
        self.link = LINK_REMOVED.into();
    }
}

/// After the soft deadline passed short of the target: the last chance, naming the hard
/// deadline.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct LastCall {
    pub campaign_title: String,
    pub group_name: String,
    pub contact_name: String,
    pub organization: String,
    pub hard_deadline: String,
    pub link: String,
    /// The organizer it goes out from; empty in messages queued before last calls came
    /// from organizers: signed by the group then.
    #[serde(default)]
    pub organizer_name: String,
}

impl Email for LastCall {
    const KIND: &'static str = "outreach_last_call";
    const REASON: &'static str = "You receive this because organizers of this coalition asked your organization to sign their letter.";
    const CARRIES_SECRET_LINK: bool = true;

    fn render(&self, footer: &Footer) -> Result<RenderedMail, askama::Error> {
        let text = format!(
            "Dear {},\n\nLast call: \"{}\" closes for good on {}. If {} wants to be on it, this is the moment.\n\nThis link opens the letter as it stands today, with the form filled in for you:\n{}\n\n{}",
            self.contact_name,
            self.campaign_title,
            self.hard_deadline,
            self.organization,
            self.link,
            signed_by(&self.organizer_name, &self.group_name)
        );
        render_personal(
            format!(
                "Last call: {} closes {}",
                self.campaign_title, self.hard_deadline
            ),
            &text,
            footer,
        )
    }

    fn forget_secrets(&mut self) {
        self.link = LINK_REMOVED.into();
    }
}

/// To the group's organizers: the soft deadline passed short of the target, or the hard
/// deadline's summary.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct OrganizerAlert {
    pub subject: String,
    pub paragraphs: Vec<String>,
    pub items: Vec<String>,
    pub link_label: String,
    pub link: String,
}

impl Email for OrganizerAlert {
    const KIND: &'static str = "outreach_organizer_alert";
    const REASON: &'static str =
        "You receive this because you organize this campaign in Undersigned.";

    fn render(&self, footer: &Footer) -> Result<RenderedMail, askama::Error> {
        render(
            self.subject.clone(),
            &self.paragraphs,
            &self.items,
            Some((&self.link_label, &self.link)),
            "Undersigned",
            footer,
        )
    }
}

/// Each organizer's daily summary, from eight in the morning of the group's zone:
/// follow-ups due, new signers (with what they wrote), failed or bounced mail.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct DailyDigest {
    pub group_name: String,
    pub day: String,
    pub follow_ups: Vec<String>,
    pub new_signers: Vec<String>,
    pub failed_mail: Vec<String>,
    pub link: String,
    /// What the button says, matching where `link` goes (digests queued before this
    /// field had one button to the group's home).
    #[serde(default = "group_home_label")]
    pub link_label: String,
    /// "Good morning." before noon in the group's zone, otherwise "Hello.".
    #[serde(default = "hello")]
    pub greeting: String,
    /// The zone the digest's day is counted in (shown, so "today" is not ambiguous).
    #[serde(default)]
    pub time_zone: String,
}

fn group_home_label() -> String {
    "Open your group".into()
}

fn hello() -> String {
    "Hello.".into()
}

impl Default for DailyDigest {
    fn default() -> Self {
        DailyDigest {
            group_name: String::new(),
            day: String::new(),
            follow_ups: Vec::new(),
            new_signers: Vec::new(),
            failed_mail: Vec::new(),
            link: String::new(),
            link_label: group_home_label(),
            greeting: hello(),
            time_zone: String::new(),
        }
    }
}

impl Email for DailyDigest {
    const KIND: &'static str = "outreach_digest";
    const REASON: &'static str =
        "You receive this daily summary because you organize campaigns of this group in Undersigned.";

    fn render(&self, footer: &Footer) -> Result<RenderedMail, askama::Error> {
        let mut items = Vec::new();
        let section = |title: &str, lines: &[String], items: &mut Vec<String>| {
            if !lines.is_empty() {
                items.push(format!("{title} ({}):", lines.len()));
                items.extend(lines.iter().map(|l| format!("    {l}")));
            }
        };
        section("Follow-ups due", &self.follow_ups, &mut items);
        section("New signers", &self.new_signers, &mut items);
        section("Failed or bounced emails", &self.failed_mail, &mut items);
        let zone = if self.time_zone.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.time_zone)
        };
        render(
            format!("{}: your day, {}", self.group_name, self.day),
            &[format!(
                "{} Here is where {} stands today, {}{zone}.",
                self.greeting, self.group_name, self.day
            )],
            &items,
            Some((&self.link_label, &self.link)),
            "Undersigned",
            footer,
        )
    }
}
