//! The one email inbound mail sends: a short, plain answer to the sender of a message that
//! was held, rejected or refused. Personal (not bulk), sent only when it is safe (never to
//! an automatic message, at most once an hour to an address for a refusal).

use askama::Template;
use serde::{Deserialize, Serialize};

use crate::mail::{Email, Footer, RenderedMail};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct InboundAnswer {
    /// "Your message to River Coalition was not posted".
    pub headline: String,
    pub explanation: String,
    pub their_subject: String,
    pub list_name: String,
}

#[derive(Template)]
#[template(path = "coalition/inbound/emails/answer.txt")]
struct AnswerText<'a> {
    explanation: &'a str,
    their_subject: &'a str,
    list_name: &'a str,
    footer: &'a Footer,
}

impl Email for InboundAnswer {
    const KIND: &'static str = "list_inbound_answer";
    const REASON: &'static str =
        "A message was sent to a coalition list address of Undersigned from, or for, this address.";

    fn render(&self, footer: &Footer) -> Result<RenderedMail, askama::Error> {
        Ok(RenderedMail {
            subject: self.headline.clone(),
            text: AnswerText {
                explanation: &self.explanation,
                their_subject: &self.their_subject,
                list_name: &self.list_name,
                footer,
            }
            .render()?,
            html: String::new(),
        })
    }
}
