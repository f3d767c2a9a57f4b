//! The daily digest: a member who chose `digest` gets at most one email a day (UTC) with
//! the posts published since their last digest (or since they joined), thread by thread,
//! each with a link to the thread in the archive; nothing when nothing is new. Bouncing
//! and archive-only members get nothing, and a member's own posts are left out (as with
//! each-message delivery). It goes out as list mail (`enqueue_many_list`): bulk, with the
//! list's headers, the member's own leave link, and a `Reply-To` of their posting address
//! (`list+<post_key>@MAIL_DOMAIN`), so a reply to a digest starts a new thread.
//!
//! Run by the app-wide tick (`jobs`). Each member's digest is one transaction: the member
//! locked (`SKIP LOCKED`: two processes ticking at once send it once), the posts read, the
//! email enqueued under `list-digest:<member>:<date>` and `last_digest_at` set.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use askama::Template;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::coalition::{delivery, links, store};
use crate::mail::{self, Email, Footer, ListHeaders, RenderedMail};
use crate::state::AppState;
use crate::tenancy;
use crate::web::{format_datetime, format_day, render_post_markdown};

/// Members looked at per tick; the rest wait for the next tick (30 s later).
const BATCH: i64 = 500;
/// Posts one digest carries at most; the rest are in the archive it links to.
const MAX_POSTS: i64 = 200;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct DigestPostMail {
    pub author: String,
    /// "7 December 2026, 14:05 UTC".
    pub when: String,
    pub subject: String,
    /// Markdown, as posted.
    pub body: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct DigestThreadMail {
    pub subject: String,
    /// The thread's archive page.
    pub url: String,
    pub posts: Vec<DigestPostMail>,
}

/// The `list_digest` email.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ListDigest {
    pub list_name: String,
    /// "7 December 2026".
    pub day: String,
    pub threads: Vec<DigestThreadMail>,
    pub archive_url: String,
    /// The member's page (delivery choice, leaving).
    pub me_url: String,
    /// `list+<post_key>@MAIL_DOMAIN`: where a new thread is started by email.
    pub post_address: String,
}

impl ListDigest {
    fn post_count(&self) -> usize {
        self.threads.iter().map(|t| t.posts.len()).sum()
    }
}

struct ShownPost<'a> {
    author: &'a str,
    when: &'a str,
    subject: &'a str,
    body: &'a str,
    html: String,
}

struct ShownThread<'a> {
    subject: &'a str,
    url: &'a str,
    posts: Vec<ShownPost<'a>>,
}

#[derive(Template)]
#[template(path = "coalition/mailing/emails/list_digest.txt")]
struct DigestText<'a> {
    list_name: &'a str,
    post_count: usize,
    threads: Vec<ShownThread<'a>>,
    archive_url: &'a str,
    me_url: &'a str,
    post_address: &'a str,
    footer: &'a Footer,
}

#[derive(Template)]
#[template(path = "coalition/mailing/emails/list_digest.html")]
struct DigestHtml<'a> {
    list_name: &'a str,
    post_count: usize,
    threads: Vec<ShownThread<'a>>,
    archive_url: &'a str,
    me_url: &'a str,
    post_address: &'a str,
    footer: &'a Footer,
}

impl Email for ListDigest {
    const KIND: &'static str = "list_digest";
    const REASON: &'static str =
        "You get this daily digest because you joined this coalition's list and chose a digest.";

    fn render(&self, footer: &Footer) -> Result<RenderedMail, askama::Error> {
        let shown = || -> Vec<ShownThread<'_>> {
            self.threads
                .iter()
                .map(|t| ShownThread {
                    subject: &t.subject,
                    url: &t.url,
                    posts: t
                        .posts
                        .iter()
                        .map(|p| ShownPost {
                            author: &p.author,
                            when: &p.when,
                            subject: &p.subject,
                            body: &p.body,
                            html: render_post_markdown(&p.body),
                        })
                        .collect(),
                })
                .collect()
        };
        let count = self.post_count();
        Ok(RenderedMail {
            subject: format!(
                "[{}] Digest, {}: {} new {}",
                self.list_name,
                self.day,
                count,
                if count == 1 { "post" } else { "posts" }
            ),
            text: DigestText {
                list_name: &self.list_name,
                post_count: count,
                threads: shown(),
                archive_url: &self.archive_url,
                me_url: &self.me_url,
                post_address: &self.post_address,
                footer,
            }
            .render()?,
            html: DigestHtml {
                list_name: &self.list_name,
                post_count: count,
                threads: shown(),
                archive_url: &self.archive_url,
                me_url: &self.me_url,
                post_address: &self.post_address,
                footer,
            }
            .render()?,
        })
    }
}

/// Sends every digest due now; returns how many went into the outbox.
pub async fn send_due(state: &AppState) -> anyhow::Result<usize> {
    let now = state.clock.now().to_offset(time::UtcOffset::UTC);
    let day_start = now.replace_time(time::Time::MIDNIGHT);
    let due = store::digest_candidates(&state.db, now, day_start, BATCH).await?;
    let mut groups: HashMap<Uuid, Option<tenancy::store::PublicTenantRow>> = HashMap::new();
    let mut sent = 0;
    for (tenant_id, member) in due {
        if let Entry::Vacant(entry) = groups.entry(tenant_id) {
            let mut conn = state.db.acquire().await?;
            entry.insert(tenancy::store::tenant_by_id(&mut conn, tenant_id).await?);
        }
        let Some(Some(group)) = groups.get(&tenant_id) else {
            continue;
        };
        if send_one(state, group, member, now, day_start).await? {
            sent += 1;
        }
    }
    Ok(sent)
}

/// One member's digest, in one transaction; false when it was not (or no longer) due.
async fn send_one(
    state: &AppState,
    group: &tenancy::store::PublicTenantRow,
    member: crate::coalition::model::ListMemberId,
    now: OffsetDateTime,
    day_start: OffsetDateTime,
) -> anyhow::Result<bool> {
    let mut tx = state.db.begin().await?;
    let Some(member) =
        store::digest_member_for_update(&mut tx, group.id, member, day_start).await?
    else {
        return Ok(false);
    };
    let Some(list_name) = store::digest_list_name(&mut tx, group.id).await? else {
        return Ok(false);
    };
    let since = member.last_digest_at.unwrap_or(member.joined_at);
    let posts = store::digest_posts(&mut tx, group.id, member.id, since, now, MAX_POSTS).await?;
    if posts.is_empty() {
        return Ok(false);
    }
    let config = &state.config;
    let mut threads: Vec<DigestThreadMail> = Vec::new();
    let mut last_thread = None;
    for post in posts {
        if last_thread != Some(post.thread_id) {
            last_thread = Some(post.thread_id);
            threads.push(DigestThreadMail {
                subject: post.thread_subject.clone(),
                url: config.link(&format!("/{}/list/archive/{}", group.slug, post.thread_id)),
                posts: Vec::new(),
            });
        }
        if let Some(thread) = threads.last_mut() {
            thread.posts.push(DigestPostMail {
                author: post.author_name,
                when: format_datetime(&post.published_at),
                subject: post.subject,
                body: post.body,
            });
        }
    }
    let date = now.date();
    let post_address = format!("list+{}@{}", member.post_key, config.mail_domain);
    let archive_url = config.link(&format!("/{}/list/archive", group.slug));
    let email = ListDigest {
        list_name: list_name.clone(),
        day: format_day(&date),
        threads,
        archive_url: archive_url.clone(),
        me_url: config.link(&format!("/{}/list/me", group.slug)),
        post_address: post_address.clone(),
    };
    let headers = ListHeaders {
        list_id: delivery::list_id(&list_name, &group.slug, &config.mail_domain),
        archive_url,
        unsubscribe_url: config.link(&links::leave_path(&group.slug, &state.secret, member.id)),
        reply_to: post_address,
        message_id: format!(
            "list-digest-{}-{date}@{}",
            member.id.0.simple(),
            config.mail_domain
        ),
        references: Vec::new(),
        from_name: list_name.clone(),
    };
    let key = format!("list-digest:{}:{date}", member.id);
    let new = mail::enqueue_many_list(
        &mut tx,
        Some(group.id),
        vec![(key, member.email.clone(), email, headers)],
        now,
    )
    .await?;
    store::set_last_digest(&mut tx, member.id, now).await?;
    tx.commit().await?;
    Ok(!new.is_empty())
}
