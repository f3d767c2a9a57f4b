//! A published post to the members: one email each through the outbox, as list mail.
//! Each carries a `Reply-To` of the member's own key for the thread
//! (`list+<key>@MAIL_DOMAIN`, as Discourse does), so a reply is traced to the member
//! who holds the key and never to its `From` header; `List-Unsubscribe` is the member's
//! one-click leave link. Called in the transaction that publishes the post (a new post,
//! or an organizer's approval), so the mail exists exactly when the post does.

use askama::Template;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use time::OffsetDateTime;

use crate::coalition::links;
use crate::coalition::model::PostId;
use crate::coalition::store;
use crate::mail::{self, Email, Footer, ListHeaders, MailKinds, RenderedMail};
use crate::state::AppState;
use crate::tenancy::TenantScope;

pub fn emails(kinds: MailKinds) -> MailKinds {
    kinds.with::<ListPost>()
}

/// The `List-Id` of a group's list (RFC 2919): its name over a dot-atom made of the
/// group's slug and the mail domain.
pub fn list_id(list_name: &str, tenant_slug: &str, mail_domain: &str) -> String {
    let phrase: String = list_name
        .chars()
        .filter(|c| !matches!(c, '"' | '\\' | '<' | '>' | '\r' | '\n'))
        .collect();
    format!("\"{}\" <{tenant_slug}.list.{mail_domain}>", phrase.trim())
}

/// The message id every copy of a post carries (without angle brackets).
pub fn post_message_id(post: PostId, mail_domain: &str) -> String {
    format!("post-{}@{mail_domain}", post.0)
}

/// Sends a published post to every member who takes each message (not the author, not
/// a member whose mail bounced). Returns how many emails were enqueued.
pub async fn deliver_post(
    conn: &mut PgConnection,
    state: &AppState,
    scope: impl TenantScope,
    post_id: PostId,
    now: OffsetDateTime,
) -> anyhow::Result<usize> {
    let tenant = scope.uuid();
    let post = store::post_for_update(&mut *conn, scope, post_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("post {post_id} to deliver is not in its group"))?;
    let thread = store::thread(&mut *conn, scope, post.thread_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("thread of post {post_id} is gone"))?;
    let group = crate::tenancy::store::tenant_by_id(&mut *conn, tenant)
        .await?
        .ok_or_else(|| anyhow::anyhow!("group {tenant} is gone"))?;
    let list_name = store::list_name(&mut *conn, scope)
        .await?
        .unwrap_or_else(|| group.name.clone());
    let domain = &state.config.mail_domain;
    let references: Vec<String> = store::earlier_published(&mut *conn, thread.id, post.id)
        .await?
        .into_iter()
        .map(|id| post_message_id(id, domain))
        .collect();
    let recipients =
        store::recipients_with_keys(&mut *conn, scope, thread.id, post.author_member_id, now)
            .await?;
    let thread_url = state
        .config
        .link(&format!("/{}/list/archive/{}", group.slug, thread.id));
    let list_id = list_id(&list_name, &group.slug, domain);
    let archive_url = state.config.link(&format!("/{}/list/archive", group.slug));
    let message = ListPost {
        list_name: list_name.clone(),
        group_name: group.name.clone(),
        subject: post.subject.clone(),
        author_name: post.author_name.clone(),
        body: post.body.clone(),
        // Only a thread's first post carries the news link.
        news_link: if references.is_empty() {
            thread.news_link.clone()
        } else {
            None
        },
        thread_url: thread_url.clone(),
        rules_url: state.config.link(&format!("/{}/list", group.slug)),
    };
    let mut messages = Vec::with_capacity(recipients.len());
    for recipient in recipients {
        let headers = ListHeaders {
            list_id: list_id.clone(),
            // RFC 2369: the list's archive (the thread's page is in the body).
            archive_url: archive_url.clone(),
            unsubscribe_url: state.config.link(&links::leave_path(
                &group.slug,
                &state.secret,
                recipient.member_id,
            )),
            reply_to: format!("list+{}@{domain}", recipient.reply_key),
            message_id: post_message_id(post.id, domain),
            references: references.clone(),
            from_name: format!("{} via {list_name}", post.author_name),
        };
        messages.push((
            format!("list-post:{}:{}", post.id, recipient.member_id),
            recipient.email,
            message.clone(),
            headers,
        ));
    }
    let mut sent = 0;
    // Chunks keep each statement's arrays bounded on a list of thousands.
    while !messages.is_empty() {
        let rest = messages.split_off(messages.len().min(1000));
        let chunk = std::mem::replace(&mut messages, rest);
        sent += mail::enqueue_many_list(&mut *conn, Some(tenant), chunk, now)
            .await?
            .len();
    }
    Ok(sent)
}

/// One post of the list, to one member.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ListPost {
    pub list_name: String,
    pub group_name: String,
    pub subject: String,
    pub author_name: String,
    /// Markdown, rendered and sanitized like the letter in the HTML part.
    pub body: String,
    pub news_link: Option<String>,
    pub thread_url: String,
    pub rules_url: String,
}

#[derive(Template)]
#[template(path = "coalition/emails/list_post.txt")]
struct ListPostText<'a> {
    m: &'a ListPost,
    footer: &'a Footer,
}

#[derive(Template)]
#[template(path = "coalition/emails/list_post.html")]
struct ListPostHtml<'a> {
    m: &'a ListPost,
    body_html: String,
    footer: &'a Footer,
}

impl Email for ListPost {
    const KIND: &'static str = "list_post";
    const REASON: &'static str =
        "You receive this because you joined this coalition's list. Reply to this email to answer on the list.";

    fn render(&self, footer: &Footer) -> Result<RenderedMail, askama::Error> {
        Ok(RenderedMail {
            subject: format!("[{}] {}", self.list_name, self.subject),
            text: ListPostText { m: self, footer }.render()?,
            html: ListPostHtml {
                m: self,
                body_html: crate::web::render_post_markdown(&self.body),
                footer,
            }
            .render()?,
        })
    }
}
