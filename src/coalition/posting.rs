//! The one way a post enters the list, from the web and by email alike.
//!
//! The lock protocol of moderation (docs/coalition.md): a new post reads the list's row
//! `FOR SHARE` and its author's member row `FOR UPDATE` inside its transaction, and
//! decides (`model::decide`) on what it read there. "Hold everything" updates the list's
//! row, and a mute, an action change or "approve and clear" update the member's row, so
//! each waits for a post being decided or makes it wait: no post is decided on a setting
//! that changed under it. A published post is handed to the outbox in the same
//! transaction (`delivery::deliver_post`).

use anyhow::Context;
use uuid::Uuid;

use crate::coalition::delivery;
use crate::coalition::model::{
    decide, Decision, ListMemberId, PostId, PostState, ThreadId, HELD_BY_ACTION, HELD_FIRST_POST,
};
use crate::coalition::store::{self, PostInsert};
use crate::state::AppState;
use crate::tenancy::TenantScope;

/// The longest subject and body a post may have (characters).
pub const MAX_SUBJECT: usize = 200;
pub const MAX_BODY: usize = 50_000;

pub enum Author {
    Member(ListMemberId),
    /// An organizer of the group, who moderates: their posts are published.
    Organizer {
        user_id: Uuid,
        name: String,
    },
}

pub enum PostSource<'a> {
    Web,
    Email { message_id: &'a str },
}

pub struct NewPost<'a> {
    /// `None` starts a thread.
    pub thread: Option<ThreadId>,
    /// A reply may leave it empty: "Re: <the thread's subject>".
    pub subject: &'a str,
    /// Markdown (an emailed post already trimmed of quotes and signature).
    pub body: &'a str,
    /// Organizers' news: a link and a short summary in their own words (new thread only).
    pub news_link: Option<&'a str>,
    pub source: PostSource<'a>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Posted {
    Published {
        thread: ThreadId,
        post: PostId,
    },
    Held {
        thread: ThreadId,
        post: PostId,
        reason: &'static str,
    },
    /// The member's action refuses their posts (kept as rejected, never shown).
    Rejected {
        reason: &'static str,
    },
    Discarded,
    /// The same `Message-ID` already became this post.
    Duplicate {
        post: PostId,
    },
    NoSuchThread,
    NotAMember,
    NoList,
    /// The post itself cannot be taken (empty, too long, control characters): why.
    Refused(&'static str),
}

/// What is wrong with a post's subject and body, if anything.
pub fn problem(subject: &str, body: &str, reply: bool) -> Option<&'static str> {
    let has_controls = |text: &str| {
        text.chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    };
    if has_controls(subject) || has_controls(body) {
        return Some("The post contains an invisible control character (such as a NUL byte) that cannot be stored; retype the part you pasted.");
    }
    if !reply && subject.trim().is_empty() {
        return Some("Give the post a subject.");
    }
    if subject.chars().count() > MAX_SUBJECT {
        return Some("The subject is too long: keep it under 200 characters.");
    }
    if body.trim().is_empty() {
        return Some("The post is empty: write something to send.");
    }
    if body.chars().count() > MAX_BODY {
        return Some(
            "The post is too long: keep it under 50,000 characters, or link to a document.",
        );
    }
    None
}

fn reply_subject(thread_subject: &str) -> String {
    let bare = thread_subject.trim();
    // `get`: a subject that starts with a multibyte letter has no char boundary at 3.
    if bare
        .get(..3)
        .is_some_and(|start| start.eq_ignore_ascii_case("re:"))
    {
        bare.to_owned()
    } else {
        format!("Re: {bare}")
    }
}

/// Takes a post into the list (see the module doc for the locks it takes).
pub async fn submit(
    state: &AppState,
    tenant: impl TenantScope,
    author: Author,
    post: NewPost<'_>,
) -> anyhow::Result<Posted> {
    if let Some(why) = problem(post.subject, post.body, post.thread.is_some()) {
        return Ok(Posted::Refused(why));
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let Some(list) = store::list_for_share(&mut tx, tenant).await? else {
        return Ok(Posted::NoList);
    };
    let message_id = match post.source {
        PostSource::Email { message_id } => Some(message_id),
        PostSource::Web => None,
    };
    if let Some(message_id) = message_id {
        if let Some(existing) = store::post_by_message_id(&mut tx, tenant, message_id).await? {
            return Ok(Posted::Duplicate { post: existing });
        }
    }
    let (author_member, author_user, author_name, moderation) = match &author {
        Author::Member(id) => {
            let Some(member) = store::member_for_update(&mut tx, tenant, *id).await? else {
                return Ok(Posted::NotAMember);
            };
            let shown = if member.organization.trim().is_empty() {
                member.name.clone()
            } else {
                format!("{} ({})", member.name, member.organization)
            };
            (
                Some(member.id),
                None,
                shown,
                Some(member.author_moderation()),
            )
        }
        Author::Organizer { user_id, name } => (None, Some(*user_id), name.clone(), None),
    };
    let mut decision = decide(list.moderation(), moderation);
    // A member held by their action who never had a post published is a newcomer: the
    // sender and the queue are told it is their first post, not a judgement of them.
    if let (Decision::Hold(HELD_BY_ACTION), Some(member)) = (&decision, author_member) {
        if !store::has_published(&mut tx, tenant, member).await? {
            decision = Decision::Hold(HELD_FIRST_POST);
        }
    }
    let Some(state_to_store) = decision.state() else {
        return Ok(Posted::Discarded);
    };
    let (thread, subject) = match post.thread {
        Some(thread_id) => {
            let Some(thread) = store::thread(&mut tx, tenant, thread_id).await? else {
                return Ok(Posted::NoSuchThread);
            };
            let subject = if post.subject.trim().is_empty() {
                reply_subject(&thread.subject)
            } else {
                post.subject.trim().to_owned()
            };
            (thread.id, subject)
        }
        None => {
            let subject = post.subject.trim().to_owned();
            let news_link = post.news_link.map(str::trim).filter(|l| !l.is_empty());
            let news_link = if matches!(author, Author::Organizer { .. }) {
                news_link
            } else {
                None
            };
            let thread = store::insert_thread(&mut tx, tenant, &subject, news_link, now).await?;
            (thread, subject)
        }
    };
    let held_reason = match &decision {
        Decision::Hold(reason) => *reason,
        Decision::Reject(reason) => *reason,
        _ => "",
    };
    let inserted = store::insert_post(
        &mut tx,
        tenant,
        &PostInsert {
            thread,
            author_member,
            author_user,
            author_name: &author_name,
            subject: &subject,
            body: post.body.trim_end(),
            source: if message_id.is_some() { "email" } else { "web" },
            message_id,
            state: state_to_store,
            held_reason,
        },
        now,
    )
    .await?;
    let Some(post_id) = inserted else {
        // The same message arrived twice at once: the other delivery made the post.
        tx.rollback().await?;
        let existing = store::post_by_message_id(
            &mut *state.db.acquire().await?,
            tenant,
            message_id.unwrap_or_default(),
        )
        .await?
        .context("a duplicate message without its post")?;
        return Ok(Posted::Duplicate { post: existing });
    };
    let posted = match decision {
        Decision::Publish => {
            delivery::deliver_post(&mut tx, state, tenant, post_id, now).await?;
            Posted::Published {
                thread,
                post: post_id,
            }
        }
        Decision::Hold(reason) => Posted::Held {
            thread,
            post: post_id,
            reason,
        },
        Decision::Reject(reason) => Posted::Rejected { reason },
        Decision::Discard => Posted::Discarded,
    };
    debug_assert!(state_to_store != PostState::Removed);
    tx.commit().await?;
    Ok(posted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_is_re_once() {
        assert_eq!(reply_subject("Next call"), "Re: Next call");
        assert_eq!(reply_subject("RE: Next call"), "RE: Next call");
        assert_eq!(reply_subject("Ελληνικά"), "Re: Ελληνικά");
    }

    #[test]
    fn what_a_post_may_not_be() {
        assert!(problem("", "body", false).is_some());
        assert!(problem("", "body", true).is_none());
        assert!(problem("Hi", "  ", false).is_some());
        assert!(problem("Hi", "a\u{0}b", false).is_some());
        assert!(problem(&"x".repeat(201), "b", false).is_some());
        assert!(problem("Hi", &"x".repeat(50_001), false).is_some());
        assert!(problem("Hi", "Line one\nLine two", false).is_none());
    }
}
