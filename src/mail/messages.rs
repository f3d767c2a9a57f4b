//! What an email is to the outbox. Each area declares its own kinds of email (a struct
//! implementing `Email`, with subject, text and HTML from its own askama templates) and
//! the assembly registers them in `MailKinds`; the outbox stores a message as JSON tagged
//! with its kind, and the worker renders it through the registry. Mail itself knows no
//! product area.

use std::collections::HashMap;

use serde::de::DeserializeOwned;
use serde::Serialize;

pub struct RenderedMail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// What every email ends with: why the reader got it and, for bulk mail, how to stop it.
/// Area templates extend `mail/email_base.txt` and `mail/email_base.html`, which print it.
pub struct Footer {
    pub reason: &'static str,
    pub unsubscribe_link: Option<String>,
}

pub trait Email: Serialize + DeserializeOwned {
    /// Stored with every message of this kind: never rename one that was ever used.
    const KIND: &'static str;
    /// Why the reader got this email: the footer's first line.
    const REASON: &'static str;

    fn render(&self, footer: &Footer) -> Result<RenderedMail, askama::Error>;
}

/// The JSON stored in the outbox: the message's fields and its `kind`.
pub fn stored<E: Email>(message: &E) -> serde_json::Result<serde_json::Value> {
    let mut value = serde_json::to_value(message)?;
    if let serde_json::Value::Object(fields) = &mut value {
        fields.insert("kind".into(), E::KIND.into());
    }
    Ok(value)
}

type RenderStored = fn(&serde_json::Value, Option<String>) -> Result<RenderedMail, String>;

fn render_stored<E: Email>(
    stored: &serde_json::Value,
    unsubscribe_link: Option<String>,
) -> Result<RenderedMail, String> {
    let message: E = serde_json::from_value(stored.clone())
        .map_err(|e| format!("unreadable {} message: {e}", E::KIND))?;
    let footer = Footer {
        reason: E::REASON,
        unsubscribe_link,
    };
    message
        .render(&footer)
        .map_err(|e| format!("template of {}: {e}", E::KIND))
}

/// Every kind of email the worker can render, registered by the assembly.
#[derive(Default)]
pub struct MailKinds(HashMap<&'static str, RenderStored>);

impl MailKinds {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `E`; a kind registered twice is a programming error caught at start-up.
    pub fn with<E: Email>(mut self) -> Self {
        let previous = self.0.insert(E::KIND, render_stored::<E>);
        assert!(
            previous.is_none(),
            "email kind {:?} registered twice",
            E::KIND
        );
        self
    }

    pub fn render(
        &self,
        stored: &serde_json::Value,
        unsubscribe_link: Option<String>,
    ) -> Result<RenderedMail, String> {
        let kind = stored
            .get("kind")
            .and_then(|k| k.as_str())
            .ok_or("outbox message without a kind")?;
        let render = self
            .0
            .get(kind)
            .ok_or_else(|| format!("no email kind {kind:?} is registered"))?;
        render(stored, unsubscribe_link)
    }

    pub fn kinds(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.0.keys().copied()
    }
}
