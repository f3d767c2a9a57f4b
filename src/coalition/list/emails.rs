//! The list's email of this part: a held post an organizer rejected, with the reason the
//! organizer wrote, to its sender (Mailman's "rejected" notice).

use askama::Template;
use serde::{Deserialize, Serialize};

use crate::mail::{Email, Footer, RenderedMail};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct PostRejected {
    pub name: String,
    pub list_name: String,
    pub subject: String,
    /// The organizer's reason, in their words.
    pub reason: String,
    /// What the member wrote, so it is not lost.
    pub body: String,
    /// The list's rules page (the list's public page).
    pub list_link: String,
}

#[derive(Template)]
#[template(path = "coalition/list/emails/post_rejected.txt")]
struct Text<'a> {
    m: &'a PostRejected,
    footer: &'a Footer,
}

#[derive(Template)]
#[template(path = "coalition/list/emails/post_rejected.html")]
struct HtmlPart<'a> {
    m: &'a PostRejected,
    footer: &'a Footer,
}

impl Email for PostRejected {
    const KIND: &'static str = "list_post_rejected";
    const REASON: &'static str =
        "You posted to a coalition list you are a member of, and its organizers did not publish your post.";

    fn render(&self, footer: &Footer) -> Result<RenderedMail, askama::Error> {
        Ok(RenderedMail {
            subject: format!(
                "[{}] Your post was not published: {}",
                self.list_name, self.subject
            ),
            text: Text { m: self, footer }.render()?,
            html: HtmlPart { m: self, footer }.render()?,
        })
    }
}
