//! The archive: `GET /{tenant}/list/archive` (the purpose and rules on top, threads by
//! their last post, newest first, keyset-paged; `?q=` searches the words of published
//! posts) and `GET /{tenant}/list/archive/{thread}` (its posts in the order they went
//! out, Markdown rendered and sanitized; a removed post says so in its place; a reply
//! form for members and organizers). Held, rejected and discarded posts never show here.
//!
//! Readers: a member signed in for this group, an organizer of this group, or anyone when
//! the archive is public. Anyone else gets a 403 page that explains, links to signing in
//! and joining, and names no thread.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::access::{self, ListOf, Reader};
use super::overview::last_post_line;
use crate::coalition::model::{PostState, ThreadId};
use crate::coalition::store::{self, ArchiveCursor, ArchivePost, ArchiveThread, ThreadHead};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{
    format_datetime, render, render_markdown, render_post_markdown, render_with, FormErrors,
    Layout, Path, Query, Visitor,
};

/// Threads on one page of the archive.
pub const PAGE_SIZE: i64 = 25;
/// Search results shown (the newest matching threads).
pub const SEARCH_LIMIT: i64 = 50;
pub const QUERY_MAX: usize = 200;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ArchiveQuery {
    pub q: String,
    pub after: String,
}

fn cursor_text(thread: &ArchiveThread) -> String {
    format!(
        "{}.{}",
        thread.last_post_at.unix_timestamp_nanos() / 1000,
        thread.id
    )
}

fn parse_cursor(raw: &str) -> Option<ArchiveCursor> {
    let (micros, id) = raw.split_once('.')?;
    let micros: i128 = micros.parse().ok()?;
    let last_post_at = OffsetDateTime::from_unix_timestamp_nanos(micros.checked_mul(1000)?).ok()?;
    // PostgreSQL's timestamps end where `time`'s do not (4713 BC): a cursor no page made
    // is refused here, not by the database.
    if !(1970..=9999).contains(&last_post_at.year()) {
        return None;
    }
    Some(ArchiveCursor {
        last_post_at,
        id: ThreadId(Uuid::parse_str(id).ok()?),
    })
}

/// A thread as the archive's list shows it.
pub struct ThreadLine {
    pub thread: ArchiveThread,
    pub when: String,
}

#[derive(Template)]
#[template(path = "coalition/list/archive.html")]
struct ArchivePage {
    layout: Layout,
    slug: String,
    list_name: String,
    purpose_html: String,
    rules_html: String,
    last_line: String,
    threads: Vec<ThreadLine>,
    q: String,
    next: Option<String>,
    paged: bool,
    can_post: bool,
    is_member: bool,
    organizer_base: Option<String>,
    problem: Option<String>,
}

#[derive(Template)]
#[template(path = "coalition/list/members_only.html")]
struct MembersOnly {
    layout: Layout,
    slug: String,
    list_name: String,
}

/// The page for someone who may not read: explains, and names nothing of the archive.
pub fn members_only(visitor: &Visitor, list: &ListOf) -> AppResult<Response> {
    render_with(
        StatusCode::FORBIDDEN,
        MembersOnly {
            layout: visitor
                .layout(format!("{} — archive", list.settings.name))
                .for_signers(),
            slug: list.group.slug.clone(),
            list_name: list.settings.name.clone(),
        },
    )
}

fn can_post(reader: &Reader) -> bool {
    match reader {
        Reader::Member(_) => true,
        Reader::Organizer { role, .. } => role.can_edit(),
        Reader::Public => false,
    }
}

/// `GET /{tenant}/list/archive`
pub async fn index(
    State(state): State<AppState>,
    visitor: Visitor,
    jar: CookieJar,
    Path(slug): Path<String>,
    Query(query): Query<ArchiveQuery>,
) -> AppResult<Response> {
    let list = access::list_of(&state, &slug).await?;
    let Some(reader) = access::reader(&state, &jar, &visitor, &list).await? else {
        return members_only(&visitor, &list);
    };
    let q = query.q.trim().to_owned();
    let mut problem = None;
    let (rows, next, paged) = if !q.is_empty() {
        if q.chars().count() > QUERY_MAX {
            problem = Some(format!(
                "Search with fewer words: at most {QUERY_MAX} characters."
            ));
            (Vec::new(), None, false)
        } else {
            let mut rows =
                store::search_threads(&state.db, list.group.id, &q, SEARCH_LIMIT).await?;
            rows.truncate(SEARCH_LIMIT as usize);
            (rows, None, false)
        }
    } else {
        let after = parse_cursor(&query.after);
        let mut rows = store::archive_page(&state.db, list.group.id, after, PAGE_SIZE).await?;
        let next = if rows.len() as i64 > PAGE_SIZE {
            rows.truncate(PAGE_SIZE as usize);
            rows.last().map(cursor_text)
        } else {
            None
        };
        (rows, next, after.is_some())
    };
    let last = store::last_posts(&state.db, list.group.id, visitor.now).await?;
    let threads = rows
        .into_iter()
        .map(|thread| ThreadLine {
            when: crate::web::format_date(&thread.last_post_at),
            thread,
        })
        .collect();
    let page = ArchivePage {
        layout: visitor
            .layout(format!("{} — archive", list.settings.name))
            .for_signers(),
        slug: list.group.slug.clone(),
        list_name: list.settings.name.clone(),
        purpose_html: render_markdown(&list.settings.purpose),
        rules_html: render_markdown(&list.settings.rules),
        last_line: last_post_line(&last, visitor.now),
        threads,
        q,
        next,
        paged,
        can_post: can_post(&reader),
        is_member: reader.is_member(),
        organizer_base: match &reader {
            Reader::Organizer { .. } => Some(format!("/app/{}/list", list.group.slug)),
            _ => None,
        },
        problem,
    };
    Ok(render(page)?.into_response())
}

/// A post as the thread page shows it.
pub struct PostView {
    pub post: ArchivePost,
    pub html: String,
    pub when: String,
    pub removed: bool,
}

/// What was typed in the reply form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReplyForm {
    pub subject: String,
    pub body: String,
}

#[derive(Template)]
#[template(path = "coalition/list/thread.html")]
pub struct ThreadPage {
    pub layout: Layout,
    pub slug: String,
    pub list_name: String,
    pub thread: ThreadHead,
    pub posts: Vec<PostView>,
    pub can_post: bool,
    pub posting_as: String,
    /// An organizer who may remove posts: their organizer path of the list.
    pub remove_base: Option<String>,
    pub form: ReplyForm,
    pub errors: FormErrors,
    /// A refusal of the whole post (the list's answer, not a field's).
    pub refused: Option<String>,
}

impl ThreadPage {
    /// A reply's own subject, when it says more than "Re: <the thread's subject>".
    pub fn own_subject<'a>(&self, post: &'a PostView) -> Option<&'a str> {
        let subject = post.post.subject.trim();
        let thread = self.thread.subject.trim();
        let bare = subject
            .strip_prefix("Re:")
            .or_else(|| subject.strip_prefix("RE:"))
            .or_else(|| subject.strip_prefix("re:"))
            .map(str::trim)
            .unwrap_or(subject);
        (bare != thread && !subject.is_empty()).then_some(subject)
    }

    pub fn reply_hint(&self) -> String {
        format!("Empty: “Re: {}”.", self.thread.subject)
    }
}

pub fn posting_as(reader: &Reader) -> String {
    match reader {
        Reader::Member(m) => {
            if m.organization.is_empty() {
                m.name.clone()
            } else {
                format!("{} ({})", m.name, m.organization)
            }
        }
        Reader::Organizer { name, .. } => format!("{name} (organizer)"),
        Reader::Public => String::new(),
    }
}

/// The thread page for `reader`, with what was typed in its reply form.
pub async fn thread_page(
    state: &AppState,
    visitor: &Visitor,
    list: &ListOf,
    reader: &Reader,
    thread: ThreadHead,
    (form, errors, refused): (ReplyForm, FormErrors, Option<String>),
) -> AppResult<ThreadPage> {
    let posts = store::thread_posts(&state.db, list.group.id, thread.id)
        .await?
        .into_iter()
        .map(|post| {
            let removed = post.state == PostState::Removed;
            PostView {
                html: if removed {
                    String::new()
                } else {
                    render_post_markdown(&post.body)
                },
                when: format_datetime(&post.at),
                removed,
                post,
            }
        })
        .collect();
    Ok(ThreadPage {
        layout: visitor
            .layout(format!("{} — {}", thread.subject, list.settings.name))
            .for_signers(),
        slug: list.group.slug.clone(),
        list_name: list.settings.name.clone(),
        thread,
        posts,
        can_post: can_post(reader),
        posting_as: posting_as(reader),
        remove_base: reader
            .editor_tenant()
            .map(|_| format!("/app/{}/list", list.group.slug)),
        form,
        errors,
        refused,
    })
}

#[derive(Debug, Deserialize)]
pub struct ThreadPath {
    pub tenant: String,
    pub thread: String,
}

/// The group's thread named by the URL, if it is in the archive: another group's thread
/// id, a held-only thread or a malformed id all name nothing (404).
pub async fn archived_thread(state: &AppState, list: &ListOf, raw: &str) -> AppResult<ThreadHead> {
    let id = Uuid::parse_str(raw).map_err(|_| AppError::NotFound)?;
    store::archive_thread(&state.db, list.group.id, ThreadId(id))
        .await?
        .ok_or(AppError::NotFound)
}

/// `GET /{tenant}/list/archive/{thread}`
pub async fn thread(
    State(state): State<AppState>,
    visitor: Visitor,
    jar: CookieJar,
    Path(path): Path<ThreadPath>,
) -> AppResult<Response> {
    let list = access::list_of(&state, &path.tenant).await?;
    let Some(reader) = access::reader(&state, &jar, &visitor, &list).await? else {
        return members_only(&visitor, &list);
    };
    let head = archived_thread(&state, &list, &path.thread).await?;
    let page = thread_page(
        &state,
        &visitor,
        &list,
        &reader,
        head,
        (ReplyForm::default(), FormErrors::new(), None),
    )
    .await?;
    Ok(render(page)?.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_what_it_wrote() {
        let thread = ArchiveThread {
            id: ThreadId(Uuid::new_v4()),
            subject: String::new(),
            news_link: None,
            last_post_at: time::macros::datetime!(2026-12-07 12:00:01.123456 UTC),
            published_posts: 1,
            started_by: None,
            matches: 0,
        };
        let cursor = parse_cursor(&cursor_text(&thread)).unwrap();
        assert_eq!(cursor.last_post_at, thread.last_post_at);
        assert_eq!(cursor.id, thread.id);
        assert_eq!(parse_cursor("nonsense"), None);
        assert_eq!(parse_cursor("99999999999999999999999999.x"), None);
        assert_eq!(
            parse_cursor("-300000000000000000.00000000-0000-0000-0000-000000000000"),
            None,
            "before PostgreSQL's first timestamp"
        );
    }
}
