use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::outbox::{self, OutboxEntry, UnsubscribeTarget};
use super::{read_eml, MailState, ReadMessage};
use crate::error::{AppError, AppResult};
use crate::tenancy::{Editor, Member};
use crate::tokens;
use crate::web::{render, Layout, Path, Visitor};

/// A line of an email's text, with links made clickable.
pub struct TextLine {
    pub text: String,
    pub is_link: bool,
}

fn lines_of(text: &str) -> Vec<TextLine> {
    text.lines()
        .map(|line| TextLine {
            is_link: (line.starts_with("http://") || line.starts_with("https://"))
                && !line.contains(' '),
            text: line.to_owned(),
        })
        .collect()
}

const HIDDEN_LINK: &str = "(the recipient's own link, not shown)";

/// A sent message as organizers may see it: in a message that carries its recipient's
/// secret link, every link is hidden (whatever the site's address was when it went out,
/// and however the link is wrapped); in any message, unsubscribe links are hidden.
fn redacted(mut read: ReadMessage, carries_secret: bool) -> ReadMessage {
    let hide = |word: &str| {
        let is_link = word.contains("http://") || word.contains("https://");
        // A secret-shaped token (a list's leave or join link, say) is hidden whatever
        // the kind: such links are only ever their recipient's.
        is_link
            && (carries_secret
                || word.contains("/mail/unsubscribe/")
                || crate::tokens::holds_secret(word))
    };
    read.text = read
        .text
        .lines()
        .map(|line| {
            line.split(' ')
                .map(|word| if hide(word) { HIDDEN_LINK } else { word })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n");
    read.html = String::new();
    if read.list_unsubscribe.is_some() {
        read.list_unsubscribe = Some(HIDDEN_LINK.into());
    }
    read
}

#[derive(Template)]
#[template(path = "mail/outbox.html")]
struct OutboxPage {
    layout: Layout,
    entries: Vec<OutboxEntry>,
    /// The group's time zone, for every time on the page.
    zone: String,
    base: String,
    can_edit: bool,
    readable: bool,
}

pub async fn tenant_outbox(
    State(state): State<MailState>,
    member: Member,
) -> AppResult<Html<String>> {
    let entries = outbox::for_tenant(&state.app.db, member.tenant_id, 200).await?;
    let zone = (state.group_zone)(state.app.db.clone(), member.tenant_id).await?;
    render(OutboxPage {
        layout: member.layout("Email"),
        zone,
        base: member.path("/mail"),
        can_edit: member.role.can_edit(),
        // Bodies are for owners only: they are what a signer or teammate received.
        readable: state.files_readable() && member.role.is_owner(),
        entries,
    })
}

#[derive(Template)]
#[template(path = "mail/message.html")]
struct MessagePage {
    layout: Layout,
    entry: OutboxEntry,
    zone: String,
    read: Option<ReadMessage>,
    lines: Vec<TextLine>,
    back: String,
}

async fn read_file(state: &MailState, entry: &OutboxEntry) -> Option<ReadMessage> {
    let path = state.transport.file_of(entry.transport_id.as_deref()?)?;
    let raw = tokio::fs::read(path).await.ok()?;
    read_eml(&raw)
}

/// The message a URL names (`/app/{tenant}/mail/{id}`).
#[derive(Deserialize)]
pub struct MessagePath {
    id: i64,
}

pub async fn tenant_message(
    State(state): State<MailState>,
    member: Member,
    Path(MessagePath { id }): Path<MessagePath>,
) -> AppResult<Html<String>> {
    let entry = outbox::one_for_tenant(&state.app.db, member.tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !member.role.is_owner() {
        return Err(AppError::Forbidden(
            "Only the group's owners can read the emails it sent; the list shows what went to whom and when.",
        ));
    }
    let carries_secret = state.kinds.carries_secret_link(&entry.message);
    let read = read_file(&state, &entry)
        .await
        .map(|r| redacted(r, carries_secret));
    let lines = read.as_ref().map(|r| lines_of(&r.text)).unwrap_or_default();
    let zone = (state.group_zone)(state.app.db.clone(), member.tenant_id).await?;
    render(MessagePage {
        layout: member.layout("Email"),
        zone,
        back: member.path("/mail"),
        entry,
        read,
        lines,
    })
}

pub async fn retry(
    State(state): State<MailState>,
    Editor(member): Editor,
    Path(MessagePath { id }): Path<MessagePath>,
) -> AppResult<Response> {
    if !outbox::retry(&state.app.db, member.tenant_id, id, state.app.clock.now()).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&member.path("/mail?notice=retried")).into_response())
}

#[derive(Template)]
#[template(path = "mail/dev_mailbox.html")]
struct DevMailbox {
    layout: Layout,
    entries: Vec<OutboxEntry>,
}

pub async fn dev_mailbox(
    State(state): State<MailState>,
    visitor: Visitor,
) -> AppResult<Html<String>> {
    if !state.app.config.dev_mailbox {
        return Err(AppError::NotFound);
    }
    let entries = outbox::all_recent(&state.app.db, 200).await?;
    let layout = visitor.layout("Development mailbox");
    render(DevMailbox { layout, entries })
}

pub async fn dev_message(
    State(state): State<MailState>,
    visitor: Visitor,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    if !state.app.config.dev_mailbox {
        return Err(AppError::NotFound);
    }
    let entry = outbox::one(&state.app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let read = read_file(&state, &entry).await;
    let lines = read.as_ref().map(|r| lines_of(&r.text)).unwrap_or_default();
    let layout = visitor.layout("Development mailbox");
    render(MessagePage {
        layout,
        // Development mail of every group: in UTC, as the page says.
        zone: "UTC".into(),
        back: "/dev/mail".into(),
        entry,
        read,
        lines,
    })
}

#[derive(Template)]
#[template(path = "mail/unsubscribe.html")]
struct UnsubscribePage {
    layout: Layout,
    target: UnsubscribeTarget,
    token: String,
}

async fn unsubscribe_target(state: &MailState, token: &str) -> AppResult<UnsubscribeTarget> {
    if !tokens::looks_like_token(token) {
        return Err(AppError::NotFound);
    }
    outbox::unsubscribe_target(&state.app.db, &tokens::hash_token(token))
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn unsubscribe_page(
    State(state): State<MailState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> AppResult<Html<String>> {
    let target = unsubscribe_target(&state, &token).await?;
    let layout = visitor.layout("Stop these emails").for_signers();
    render(UnsubscribePage {
        layout,
        target,
        token,
    })
}

/// Both the button on our page and mail programs' one-click unsubscribe post here.
pub async fn unsubscribe(
    State(state): State<MailState>,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let target = unsubscribe_target(&state, &token).await?;
    outbox::suppress(
        &state.app.db,
        target.tenant,
        &target.email,
        state.app.clock.now(),
    )
    .await?;
    Ok(Redirect::to("/?notice=unsubscribed").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str) -> ReadMessage {
        ReadMessage {
            subject: String::new(),
            from: String::new(),
            from_name: String::new(),
            reply_to: None,
            to: String::new(),
            text: text.into(),
            html: "<a href=\"x\">x</a>".into(),
            list_unsubscribe: Some("<https://any.example/mail/unsubscribe/t>".into()),
        }
    }

    #[test]
    fn secret_links_are_hidden_wherever_they_point_and_however_wrapped() {
        let text = "Confirm: https://old-host.example/r/w/signature/TOKEN\n(http://localhost:3000/invite/T2), or read https://example.org/about";
        let shown = redacted(message(text), true);
        assert!(!shown.text.contains("TOKEN") && !shown.text.contains("T2"));
        assert!(!shown.text.contains("http"), "{}", shown.text);
        assert!(shown.html.is_empty());
        assert_eq!(shown.list_unsubscribe.as_deref(), Some(HIDDEN_LINK));
        let bulletin = redacted(
            message("Read https://example.org/news\nStop: https://h.example/mail/unsubscribe/U"),
            false,
        );
        assert!(bulletin.text.contains("https://example.org/news"));
        assert!(!bulletin.text.contains("/mail/unsubscribe/U"));
    }
}
