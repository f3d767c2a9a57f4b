//! The emails signers receive: the confirmation link, and coalition updates.

use askama::Template;
use serde::{Deserialize, Serialize};

use crate::mail::{Email, Footer, RenderedMail};

/// Asks a signer to confirm their signature: it counts only after this.
///
/// It carries nothing the public typed (not the name signed with): anyone can send the
/// form with any address, and mail from our address must not carry a stranger's words.
/// The campaign's title and the group's name are the organizers'. (Older queued rows may
/// still hold a `signer_name`; it is ignored.)
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ConfirmSignature {
    pub campaign_title: String,
    pub group_name: String,
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

/// The letter a signer confirmed was changed: the diff, the whole new text, and what it
/// means for their name (minor: stays listed unless they withdraw; substantive: listed
/// under the new text only once they confirm it).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct LetterChanged {
    pub campaign_title: String,
    pub group_name: String,
    pub signer_name: String,
    pub substantive: bool,
    pub revision: i32,
    pub note: String,
    /// "+ line" / "- line", or one summary line for a change too large to show.
    pub diff: Vec<String>,
    pub new_text: String,
    pub respond_by: String,
    pub link: String,
}

/// One line of the changes as the email shows it.
pub enum ChangedLine<'a> {
    Added(&'a str),
    Removed(&'a str),
    /// A change too large to show line by line, summed up.
    Summary(&'a str),
}

/// A changed line as the HTML part shows it: the line rendered as the letter shows it,
/// with the words taken out or put in marked when the line replaces another.
pub struct ShownChange {
    pub added: bool,
    pub html: String,
}

/// How long the word comparison of one pair of lines may take.
const WORD_DIFF_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(50);

/// `text` with the words that differ from `other` wrapped in `tag` (`ins` in a line put
/// in, `del` in a line taken out), as Markdown with inline HTML.
fn marked_words(removed: &str, added: &str, tag: &str) -> String {
    let diff = similar::TextDiff::configure()
        .timeout(WORD_DIFF_TIMEOUT)
        .diff_words(removed, added);
    let mine = if tag == "ins" {
        similar::ChangeTag::Insert
    } else {
        similar::ChangeTag::Delete
    };
    let mut out = String::new();
    let mut open = false;
    // Spaces after a mark wait for the next word: inside the mark if it is marked too,
    // outside otherwise, so a mark never ends in a space.
    let mut spaces = String::new();
    for change in diff.iter_all_changes() {
        let tag_of_change = change.tag();
        if tag_of_change != similar::ChangeTag::Equal && tag_of_change != mine {
            continue;
        }
        let value = change.value();
        if value.trim().is_empty() {
            spaces.push_str(value);
            continue;
        }
        let marked = tag_of_change == mine;
        if marked && !open {
            out.push_str(&spaces);
            out.push_str(&format!("<{tag}>"));
            open = true;
        } else if !marked && open {
            out.push_str(&format!("</{tag}>"));
            out.push_str(&spaces);
            open = false;
        } else {
            out.push_str(&spaces);
        }
        spaces.clear();
        out.push_str(value);
    }
    if open {
        out.push_str(&format!("</{tag}>"));
    }
    out.push_str(&spaces);
    out
}

/// Markdown with `<ins>`/`<del>` marks, rendered and sanitized like the letter (ammonia
/// keeps both tags and drops any style), then the marks coloured for mail programs,
/// which ignore style sheets.
fn render_marked(markdown: &str) -> String {
    crate::web::render_markdown(markdown)
        .replace(
            "<ins>",
            "<ins style=\"background:#a7dcb9;color:#0b3d20;text-decoration:none;font-weight:bold;\">",
        )
        .replace(
            "<del>",
            "<del style=\"background:#f4b4b4;color:#5c1010;\">",
        )
}

impl LetterChanged {
    /// The new text as the public page shows it: Markdown rendered and sanitized.
    pub fn new_text_html(&self) -> String {
        crate::web::render_markdown(&self.new_text)
    }

    /// The changes as the HTML part shows them. Where as many lines are put in as were
    /// just taken out, each pair is compared word by word and the differing words are
    /// marked, so a reader sees what changed within the line; a line without a
    /// counterpart is marked whole.
    pub fn shown_changes(&self) -> Vec<ShownChange> {
        let lines = self.changed_lines();
        let mut shown = Vec::new();
        let mut i = 0;
        while i < lines.len() {
            let removed: Vec<&str> = lines[i..]
                .iter()
                .map_while(|l| match l {
                    ChangedLine::Removed(text) => Some(*text),
                    _ => None,
                })
                .collect();
            let added: Vec<&str> = lines[i + removed.len()..]
                .iter()
                .map_while(|l| match l {
                    ChangedLine::Added(text) => Some(*text),
                    _ => None,
                })
                .collect();
            if !removed.is_empty() && removed.len() == added.len() {
                for (old, new) in removed.iter().zip(&added) {
                    shown.push(ShownChange {
                        added: false,
                        html: render_marked(&marked_words(old, new, "del")),
                    });
                }
                for (old, new) in removed.iter().zip(&added) {
                    shown.push(ShownChange {
                        added: true,
                        html: render_marked(&marked_words(old, new, "ins")),
                    });
                }
                i += removed.len() * 2;
                continue;
            }
            match &lines[i] {
                ChangedLine::Removed(text) => shown.push(ShownChange {
                    added: false,
                    html: render_marked(&format!("<del>{text}</del>")),
                }),
                ChangedLine::Added(text) => shown.push(ShownChange {
                    added: true,
                    html: render_marked(&format!("<ins>{text}</ins>")),
                }),
                ChangedLine::Summary(_) => {}
            }
            i += 1;
        }
        shown
    }

    /// A change too large to compare line by line, summed up.
    pub fn summary(&self) -> Option<&str> {
        self.changed_lines().into_iter().find_map(|l| match l {
            ChangedLine::Summary(text) => Some(text),
            _ => None,
        })
    }

    /// The changes, each line marked added or removed (blank lines left out: they change
    /// nothing a reader sees).
    pub fn changed_lines(&self) -> Vec<ChangedLine<'_>> {
        self.diff
            .iter()
            .filter_map(|line| {
                if let Some(text) = line.strip_prefix("+ ").or(line.strip_prefix('+')) {
                    (!text.trim().is_empty()).then_some(ChangedLine::Added(text))
                } else if let Some(text) = line.strip_prefix("- ").or(line.strip_prefix('-')) {
                    (!text.trim().is_empty()).then_some(ChangedLine::Removed(text))
                } else {
                    Some(ChangedLine::Summary(line))
                }
            })
            .collect()
    }
}

#[derive(Template)]
#[template(path = "signatures/emails/letter_changed.txt")]
struct LetterChangedText<'a> {
    m: &'a LetterChanged,
    footer: &'a Footer,
}

#[derive(Template)]
#[template(path = "signatures/emails/letter_changed.html")]
struct LetterChangedHtml<'a> {
    m: &'a LetterChanged,
    footer: &'a Footer,
}

impl Email for LetterChanged {
    const KIND: &'static str = "letter_changed";
    const REASON: &'static str =
        "You receive this because you signed this letter: it concerns what your name stands under.";
    const CARRIES_SECRET_LINK: bool = true;

    fn render(&self, footer: &Footer) -> Result<RenderedMail, askama::Error> {
        Ok(RenderedMail {
            subject: if self.substantive {
                format!("Please confirm the changed letter: {}", self.campaign_title)
            } else {
                format!(
                    "A small change to the letter you signed: {}",
                    self.campaign_title
                )
            },
            text: LetterChangedText { m: self, footer }.render()?,
            html: LetterChangedHtml { m: self, footer }.render()?,
        })
    }

    fn forget_secrets(&mut self) {
        self.link = crate::mail::LINK_REMOVED.into();
    }
}

/// The date to confirm a substantive change passed without the signer's confirmation.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct NameNotCarriedOver {
    pub campaign_title: String,
    pub group_name: String,
    pub signer_name: String,
    pub revision: i32,
    pub link: String,
}

#[derive(Template)]
#[template(path = "signatures/emails/not_carried_over.txt")]
struct NotCarriedText<'a> {
    m: &'a NameNotCarriedOver,
    footer: &'a Footer,
}

#[derive(Template)]
#[template(path = "signatures/emails/not_carried_over.html")]
struct NotCarriedHtml<'a> {
    m: &'a NameNotCarriedOver,
    footer: &'a Footer,
}

impl Email for NameNotCarriedOver {
    const KIND: &'static str = "name_not_carried_over";
    const REASON: &'static str =
        "You receive this because you signed an earlier version of this letter.";
    const CARRIES_SECRET_LINK: bool = true;

    fn render(&self, footer: &Footer) -> Result<RenderedMail, askama::Error> {
        Ok(RenderedMail {
            subject: format!("Your name was not carried over: {}", self.campaign_title),
            text: NotCarriedText { m: self, footer }.render()?,
            html: NotCarriedHtml { m: self, footer }.render()?,
        })
    }

    fn forget_secrets(&mut self) {
        self.link = crate::mail::LINK_REMOVED.into();
    }
}

/// The letter and who signed it, to every listed signer: on release (the announcement)
/// and every N days while it is open. Bulk mail: one click stops it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct MemberUpdate {
    pub campaign_title: String,
    pub group_name: String,
    pub signer_name: String,
    /// The announcement of the release, rather than a periodic update.
    pub released: bool,
    pub points: Vec<String>,
    pub letter: String,
    /// The first names of the list, in the page's order.
    pub signers: Vec<String>,
    /// Names beyond those listed here.
    pub more: usize,
    pub total: usize,
    /// The letter still takes signatures.
    pub open: bool,
    pub link: String,
    /// The signer's own link to join the group's coalition list, while the list is open
    /// (`signatures::list_join`). Absent from messages stored before the list existed.
    #[serde(default)]
    pub join_link: Option<String>,
}

#[derive(Template)]
#[template(path = "signatures/emails/member_update.txt")]
struct MemberUpdateText<'a> {
    m: &'a MemberUpdate,
    footer: &'a Footer,
}

#[derive(Template)]
#[template(path = "signatures/emails/member_update.html")]
struct MemberUpdateHtml<'a> {
    m: &'a MemberUpdate,
    footer: &'a Footer,
}

impl Email for MemberUpdate {
    const KIND: &'static str = "member_update";
    const REASON: &'static str = "You receive updates on this letter because you signed it.";

    fn render(&self, footer: &Footer) -> Result<RenderedMail, askama::Error> {
        Ok(RenderedMail {
            subject: if self.released {
                format!(
                    "Published: {} — {} signers",
                    self.campaign_title, self.total
                )
            } else {
                format!(
                    "Update: {} — {} signers so far",
                    self.campaign_title, self.total
                )
            },
            text: MemberUpdateText { m: self, footer }.render()?,
            html: MemberUpdateHtml { m: self, footer }.render()?,
        })
    }

    /// The join link is the signer's own: the kept copy loses it once sent.
    fn forget_secrets(&mut self) {
        if self.join_link.is_some() {
            self.join_link = Some(crate::mail::LINK_REMOVED.into());
        }
    }
}

/// A finished campaign is reissued as a new statement: its signer gets the new text and
/// decides. Invited: listed only if they opt in. Told in advance (they confirmed the
/// original with the reissue notice shown): listed at the date unless they opt out.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ReissueInvitation {
    pub group_name: String,
    pub original_title: String,
    pub campaign_title: String,
    pub signer_name: String,
    pub listed_unless_opt_out: bool,
    pub opt_out_by: String,
    pub points: Vec<String>,
    pub letter: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "signatures/emails/reissue_invitation.txt")]
struct ReissueText<'a> {
    m: &'a ReissueInvitation,
    footer: &'a Footer,
}

#[derive(Template)]
#[template(path = "signatures/emails/reissue_invitation.html")]
struct ReissueHtml<'a> {
    m: &'a ReissueInvitation,
    footer: &'a Footer,
}

impl Email for ReissueInvitation {
    const KIND: &'static str = "reissue_invitation";
    const REASON: &'static str =
        "You receive this because you signed an earlier letter of this coalition: it asks what your name stands under.";
    const CARRIES_SECRET_LINK: bool = true;

    fn render(&self, footer: &Footer) -> Result<RenderedMail, askama::Error> {
        Ok(RenderedMail {
            subject: if self.listed_unless_opt_out {
                format!(
                    "{} is reissued: your name will be listed unless you opt out by {}",
                    self.original_title, self.opt_out_by
                )
            } else {
                format!("Will you sign again? {}", self.campaign_title)
            },
            text: ReissueText { m: self, footer }.render()?,
            html: ReissueHtml { m: self, footer }.render()?,
        })
    }

    fn forget_secrets(&mut self) {
        self.link = crate::mail::LINK_REMOVED.into();
    }
}

/// A reissue's advance notice no longer stands for the signer's consent (the text, title
/// or points changed after they were told): their name is not carried over unless they
/// opt in, and they are told so.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ReissueNoticeVoided {
    pub group_name: String,
    pub campaign_title: String,
    pub signer_name: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "signatures/emails/reissue_notice_voided.txt")]
struct NoticeVoidedText<'a> {
    m: &'a ReissueNoticeVoided,
    footer: &'a Footer,
}

#[derive(Template)]
#[template(path = "signatures/emails/reissue_notice_voided.html")]
struct NoticeVoidedHtml<'a> {
    m: &'a ReissueNoticeVoided,
    footer: &'a Footer,
}

impl Email for ReissueNoticeVoided {
    const KIND: &'static str = "reissue_notice_voided";
    const REASON: &'static str =
        "You receive this because you were told your name would be carried over to this reissued statement.";
    const CARRIES_SECRET_LINK: bool = true;

    fn render(&self, footer: &Footer) -> Result<RenderedMail, askama::Error> {
        Ok(RenderedMail {
            subject: format!(
                "Your name was not carried over after all: {}",
                self.campaign_title
            ),
            text: NoticeVoidedText { m: self, footer }.render()?,
            html: NoticeVoidedHtml { m: self, footer }.render()?,
        })
    }

    fn forget_secrets(&mut self) {
        self.link = crate::mail::LINK_REMOVED.into();
    }
}

/// An organizer's reminder to a signer who confirmed an earlier text: the letter changed
/// substantively, and their name is listed under it only once they confirm it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ReconfirmReminder {
    pub campaign_title: String,
    pub group_name: String,
    pub signer_name: String,
    pub revision: i32,
    /// "by 18 December 2026, 17:00 CET", or empty when no date was set.
    pub respond_by: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "signatures/emails/reconfirm_reminder.txt")]
struct ReconfirmText<'a> {
    m: &'a ReconfirmReminder,
    footer: &'a Footer,
}

#[derive(Template)]
#[template(path = "signatures/emails/reconfirm_reminder.html")]
struct ReconfirmHtml<'a> {
    m: &'a ReconfirmReminder,
    footer: &'a Footer,
}

impl Email for ReconfirmReminder {
    const KIND: &'static str = "reconfirm_reminder";
    const REASON: &'static str =
        "You receive this because you signed an earlier version of this letter.";
    const CARRIES_SECRET_LINK: bool = true;

    fn render(&self, footer: &Footer) -> Result<RenderedMail, askama::Error> {
        Ok(RenderedMail {
            subject: format!(
                "Reminder: please confirm the changed letter: {}",
                self.campaign_title
            ),
            text: ReconfirmText { m: self, footer }.render()?,
            html: ReconfirmHtml { m: self, footer }.render()?,
        })
    }

    fn forget_secrets(&mut self) {
        self.link = crate::mail::LINK_REMOVED.into();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(diff: &[&str]) -> LetterChanged {
        LetterChanged {
            campaign_title: "Clean rivers".into(),
            group_name: "River group".into(),
            signer_name: "Alder Network".into(),
            substantive: true,
            revision: 2,
            note: String::new(),
            diff: diff.iter().map(|l| (*l).to_owned()).collect(),
            new_text: String::new(),
            respond_by: String::new(),
            link: String::new(),
        }
    }

    #[test]
    fn a_replaced_line_marks_the_words_that_changed() {
        let shown = change(&[
            "- - fine polluters what the clean-up costs;",
            "+ - fine polluters **twice** what the repair costs;",
        ])
        .shown_changes();
        assert_eq!(shown.len(), 2);
        assert!(!shown[0].added && shown[1].added);
        assert!(
            shown[0].html.contains("<li>fine polluters what the <del"),
            "{}",
            shown[0].html
        );
        assert!(
            shown[0].html.contains(">clean-up</del> costs;"),
            "{}",
            shown[0].html
        );
        assert!(
            shown[1]
                .html
                .contains("><strong>twice</strong></ins> what the <ins"),
            "{}",
            shown[1].html
        );
        assert!(
            shown[1].html.contains(">repair</ins> costs;"),
            "{}",
            shown[1].html
        );
    }

    #[test]
    fn a_line_without_a_counterpart_is_marked_whole_and_script_never_passes() {
        let shown = change(&["+ A new paragraph <script>alert(1)</script>", "+ "]).shown_changes();
        assert_eq!(
            shown.len(),
            1,
            "the blank line changes nothing a reader sees"
        );
        assert!(shown[0].added);
        assert!(shown[0].html.contains("<ins style="), "{}", shown[0].html);
        assert!(!shown[0].html.contains("<script"), "{}", shown[0].html);
        let summary = change(&["These revisions differ too much to compare line by line quickly."]);
        assert!(summary.shown_changes().is_empty());
        assert!(summary.summary().unwrap().starts_with("These revisions"));
    }
}
