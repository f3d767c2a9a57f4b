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
    /// Empty: the message goes as plain text only (a personal email).
    pub html: String,
}

/// What every email ends with: why the reader got it and, for bulk mail, how to stop it.
/// Area templates extend `mail/email_base.txt` and `mail/email_base.html`, which print it.
pub struct Footer {
    pub reason: &'static str,
    pub unsubscribe_link: Option<String>,
}

/// What a secret link reads as once the message has gone out (see `Email::forget_secrets`).
pub const LINK_REMOVED: &str = "(link removed after sending)";

pub trait Email: Serialize + DeserializeOwned {
    /// Stored with every message of this kind: never rename one that was ever used.
    const KIND: &'static str;
    /// Why the reader got this email: the footer's first line.
    const REASON: &'static str;
    /// Whether the message carries a link that is a secret of its recipient (confirm,
    /// reset, accept): such links are never shown to anyone else.
    const CARRIES_SECRET_LINK: bool = false;

    fn render(&self, footer: &Footer) -> Result<RenderedMail, askama::Error>;

    /// Drops the secret links from the copy kept in the outbox once the message is sent
    /// (tokens are otherwise stored only as hashes).
    fn forget_secrets(&mut self) {}
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
type RedactStored = fn(&serde_json::Value) -> Result<serde_json::Value, String>;

fn redact_stored<E: Email>(stored: &serde_json::Value) -> Result<serde_json::Value, String> {
    let mut message: E = serde_json::from_value(stored.clone())
        .map_err(|e| format!("unreadable {} message: {e}", E::KIND))?;
    message.forget_secrets();
    self::stored(&message).map_err(|e| e.to_string())
}

struct Kind {
    render: RenderStored,
    redact: RedactStored,
    carries_secret_link: bool,
}

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
pub struct MailKinds(HashMap<&'static str, Kind>);

impl MailKinds {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `E`; a kind registered twice is a programming error caught at start-up.
    pub fn with<E: Email>(mut self) -> Self {
        let kind = Kind {
            render: render_stored::<E>,
            redact: redact_stored::<E>,
            carries_secret_link: E::CARRIES_SECRET_LINK,
        };
        let previous = self.0.insert(E::KIND, kind);
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
        (self.kind_of(stored)?.render)(stored, unsubscribe_link)
    }

    /// The stored message without its secret links, to keep once it is sent.
    pub fn redact(&self, stored: &serde_json::Value) -> Result<serde_json::Value, String> {
        (self.kind_of(stored)?.redact)(stored)
    }

    /// Whether a stored message (of a known kind) carries a secret link; unknown kinds
    /// are treated as if they did.
    pub fn carries_secret_link(&self, stored: &serde_json::Value) -> bool {
        self.kind_of(stored).map_or(true, |k| k.carries_secret_link)
    }

    fn kind_of(&self, stored: &serde_json::Value) -> Result<&Kind, String> {
        let kind = stored
            .get("kind")
            .and_then(|k| k.as_str())
            .ok_or("outbox message without a kind")?;
        self.0
            .get(kind)
            .ok_or_else(|| format!("no email kind {kind:?} is registered"))
    }

    pub fn kinds(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.0.keys().copied()
    }
}
