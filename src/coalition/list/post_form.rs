//! Posting from the web. Organizers write a post or "news" (a link and a short summary in
//! their own words) at `/app/{tenant}/list/posts/new`; members (and the group's organizers)
//! start a thread at `/{tenant}/list/post` and reply from a thread's page. Every post
//! goes through `coalition::posting::submit`, which decides, under the list's and the
//! member's locks, whether it is published, held or refused; the page then says which,
//! and a refused or mistyped post comes back with what was typed.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use super::access::{self, ListOf, Reader};
use super::archive::{self, posting_as, ReplyForm, ThreadPath};
use crate::coalition::model::ThreadId;
use crate::coalition::posting::{self, Author, NewPost, PostSource, Posted};
use crate::coalition::store;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::tenancy::{Editor, Member};
use crate::web::{
    is_forbidden_control, render, render_with, unprocessable, Form, FormErrors, Layout, Path,
    Visitor,
};

pub const SUBJECT_MAX: usize = 200;
pub const BODY_MAX: usize = 50_000;
pub const LINK_MAX: usize = 2_000;

/// What the post forms hold, every field as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PostForm {
    pub subject: String,
    pub body: String,
    /// "post" or "news" (organizers only).
    pub kind: String,
    pub news_link: String,
}

impl PostForm {
    pub fn is_news(&self) -> bool {
        self.kind == "news"
    }
}

/// A checked post: trimmed subject and body, the news link if any.
#[derive(Debug)]
pub struct Checked {
    pub subject: String,
    pub body: String,
    pub news_link: Option<String>,
}

fn check_text(errors: &mut FormErrors, field: &'static str, text: &str) {
    if text.chars().any(is_forbidden_control) {
        errors.add(
            field,
            "This holds an invisible control character (a NUL byte, say) that cannot be stored: retype what you pasted.",
        );
    }
}

/// Checks a post: `subject_required` for a new thread (a reply may leave it empty),
/// `news_allowed` for organizers.
pub fn check(
    subject: &str,
    body: &str,
    news: Option<&str>,
    subject_required: bool,
) -> Result<Checked, FormErrors> {
    let mut errors = FormErrors::new();
    let subject = subject.trim();
    let body = body.trim();
    check_text(&mut errors, "subject", subject);
    check_text(&mut errors, "body", body);
    if subject.is_empty() && subject_required {
        errors.add(
            "subject",
            "Write a subject: it names the thread in the archive and in members' mail.",
        );
    } else if subject.chars().count() > SUBJECT_MAX {
        errors.add(
            "subject",
            format!("Keep the subject under {SUBJECT_MAX} characters."),
        );
    } else if subject.contains(['\r', '\n']) {
        errors.add("subject", "A subject is one line.");
    }
    if body.is_empty() {
        errors.add("body", "Write the post: it cannot be empty.");
    } else if body.chars().count() > BODY_MAX {
        errors.add(
            "body",
            format!("Keep the post under {BODY_MAX} characters (link to a longer text instead)."),
        );
    }
    let news_link = match news {
        None => None,
        Some(raw) => {
            let raw = raw.trim();
            let ok = raw.chars().count() <= LINK_MAX
                && url::Url::parse(raw)
                    .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
            if raw.is_empty() {
                errors.add(
                    "news_link",
                    "News carries a link: paste the address of the article or page.",
                );
            } else if !ok {
                errors.add(
                    "news_link",
                    "Paste a full web address starting with https:// (or http://).",
                );
            }
            Some(raw.to_owned())
        }
    };
    if errors.is_empty() {
        Ok(Checked {
            subject: subject.to_owned(),
            body: body.to_owned(),
            news_link,
        })
    } else {
        Err(errors)
    }
}

#[derive(Template)]
#[template(path = "coalition/list/post_form.html")]
struct PostPage {
    layout: Layout,
    list_name: String,
    /// Where the form posts.
    action: String,
    /// Where "back" goes.
    back: String,
    back_label: &'static str,
    organizer: bool,
    can_post: bool,
    posting_as: String,
    form: PostForm,
    errors: FormErrors,
    refused: Option<String>,
}

/// What became of a post that was not published at once.
#[derive(Template)]
#[template(path = "coalition/list/outcome.html")]
struct OutcomePage {
    layout: Layout,
    slug: String,
    list_name: String,
    held: bool,
    reason: String,
    subject: String,
    body: String,
    back: String,
}

/// The answer to a post once `submit` decided: published → the thread; held → a page
/// saying so and why; refused → `refuse(reason)`, the form again with what was typed.
fn answer(
    visitor: &Visitor,
    (slug, list_name): (&str, &str),
    posted: Posted,
    checked: &Checked,
    back: String,
    refuse: impl FnOnce(String) -> AppResult<Response>,
) -> AppResult<Response> {
    match posted {
        Posted::Published { thread, post } => Ok(Redirect::to(&format!(
            "/{slug}/list/archive/{thread}?notice=list-published#post-{post}"
        ))
        .into_response()),
        Posted::Duplicate { post } => {
            Ok(Redirect::to(&format!("/{slug}/list/archive#post-{post}")).into_response())
        }
        Posted::Held { reason, .. } => render_with(
            StatusCode::OK,
            OutcomePage {
                layout: visitor
                    .layout("Your post is held for moderation")
                    .for_signers(),
                slug: slug.to_owned(),
                list_name: list_name.to_owned(),
                held: true,
                reason: reason.to_owned(),
                subject: checked.subject.clone(),
                body: checked.body.clone(),
                back,
            },
        ),
        Posted::Discarded => render_with(
            StatusCode::OK,
            OutcomePage {
                layout: visitor.layout("Your post was not published").for_signers(),
                slug: slug.to_owned(),
                list_name: list_name.to_owned(),
                held: false,
                reason: "The organizers have set this list not to publish your posts.".into(),
                subject: checked.subject.clone(),
                body: checked.body.clone(),
                back,
            },
        ),
        Posted::Rejected { reason } | Posted::Refused(reason) => refuse(reason.to_owned()),
        Posted::NotAMember => refuse(
            "You are no longer a member of this list: join it again from its page to post.".into(),
        ),
        Posted::NoSuchThread | Posted::NoList => Err(AppError::NotFound),
    }
}

/// Who posts on the public pages: a signed-in member, else an organizer of the group who
/// may edit; a viewer gets 403; anyone else a page asking to sign in.
enum Poster {
    Ready(Reader, Author),
    Answer(Response),
}

async fn poster(
    state: &AppState,
    jar: &CookieJar,
    visitor: &Visitor,
    list: &ListOf,
) -> AppResult<Poster> {
    match access::who(state, jar, visitor, &list.group).await? {
        Some(Reader::Member(m)) => {
            let id = m.id;
            Ok(Poster::Ready(Reader::Member(m), Author::Member(id)))
        }
        Some(Reader::Organizer {
            tenant,
            user_id,
            name,
            role,
        }) => {
            if !role.can_edit() {
                return Err(AppError::Forbidden(
                    "Viewers can read the list but not post to it. Ask an owner for the organizer role.",
                ));
            }
            let author = Author::Organizer {
                user_id,
                name: name.clone(),
            };
            Ok(Poster::Ready(
                Reader::Organizer {
                    tenant,
                    user_id,
                    name,
                    role,
                },
                author,
            ))
        }
        Some(Reader::Public) | None => Ok(Poster::Answer(sign_in_to_post(visitor, list)?)),
    }
}

#[derive(Template)]
#[template(path = "coalition/list/sign_in_to_post.html")]
struct SignInToPost {
    layout: Layout,
    slug: String,
    list_name: String,
}

fn sign_in_to_post(visitor: &Visitor, list: &ListOf) -> AppResult<Response> {
    render_with(
        StatusCode::FORBIDDEN,
        SignInToPost {
            layout: visitor
                .layout(format!("Post to {}", list.settings.name))
                .for_signers(),
            slug: list.group.slug.clone(),
            list_name: list.settings.name.clone(),
        },
    )
}

fn member_form_page(
    visitor: &Visitor,
    list: &ListOf,
    reader: &Reader,
    form: PostForm,
    errors: FormErrors,
    refused: Option<String>,
) -> PostPage {
    let slug = &list.group.slug;
    PostPage {
        layout: visitor
            .layout(format!("New thread — {}", list.settings.name))
            .for_signers(),
        list_name: list.settings.name.clone(),
        action: format!("/{slug}/list/post"),
        back: format!("/{slug}/list/archive"),
        back_label: "Archive",
        organizer: false,
        can_post: true,
        posting_as: posting_as(reader),
        form,
        errors,
        refused,
    }
}

/// `GET /{tenant}/list/post`: the new-thread form.
pub async fn member_page(
    State(state): State<AppState>,
    visitor: Visitor,
    jar: CookieJar,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let list = access::list_of(&state, &slug).await?;
    match poster(&state, &jar, &visitor, &list).await? {
        Poster::Answer(response) => Ok(response),
        Poster::Ready(reader, _) => Ok(render(member_form_page(
            &visitor,
            &list,
            &reader,
            PostForm::default(),
            FormErrors::new(),
            None,
        ))?
        .into_response()),
    }
}

/// `POST /{tenant}/list/post`: a new thread.
pub async fn member_post(
    State(state): State<AppState>,
    visitor: Visitor,
    jar: CookieJar,
    Path(slug): Path<String>,
    Form(form): Form<PostForm>,
) -> AppResult<Response> {
    let list = access::list_of(&state, &slug).await?;
    let (reader, author) = match poster(&state, &jar, &visitor, &list).await? {
        Poster::Answer(response) => return Ok(response),
        Poster::Ready(reader, author) => (reader, author),
    };
    let checked = match check(&form.subject, &form.body, None, true) {
        Ok(checked) => checked,
        Err(errors) => {
            return unprocessable(member_form_page(
                &visitor, &list, &reader, form, errors, None,
            ))
        }
    };
    let posted = posting::submit(
        &state,
        list.group.id,
        author,
        NewPost {
            thread: None,
            subject: &checked.subject,
            body: &checked.body,
            news_link: None,
            source: PostSource::Web,
        },
    )
    .await?;
    let back = format!("/{slug}/list/archive");
    answer(
        &visitor,
        (&list.group.slug, &list.settings.name),
        posted,
        &checked,
        back,
        |reason| {
            unprocessable(member_form_page(
                &visitor,
                &list,
                &reader,
                form,
                FormErrors::new(),
                Some(reason),
            ))
        },
    )
}

/// `POST /{tenant}/list/archive/{thread}/reply`
pub async fn reply(
    State(state): State<AppState>,
    visitor: Visitor,
    jar: CookieJar,
    Path(path): Path<ThreadPath>,
    Form(form): Form<ReplyForm>,
) -> AppResult<Response> {
    let list = access::list_of(&state, &path.tenant).await?;
    let (reader, author) = match poster(&state, &jar, &visitor, &list).await? {
        Poster::Answer(response) => return Ok(response),
        Poster::Ready(reader, author) => (reader, author),
    };
    let head = archive::archived_thread(&state, &list, &path.thread).await?;
    let thread_id: ThreadId = head.id;
    let checked = match check(&form.subject, &form.body, None, false) {
        Ok(checked) => checked,
        Err(errors) => {
            let page =
                archive::thread_page(&state, &visitor, &list, &reader, head, (form, errors, None))
                    .await?;
            return unprocessable(page);
        }
    };
    let posted = posting::submit(
        &state,
        list.group.id,
        author,
        NewPost {
            thread: Some(thread_id),
            subject: &checked.subject,
            body: &checked.body,
            news_link: None,
            source: PostSource::Web,
        },
    )
    .await?;
    let back = format!("/{}/list/archive/{thread_id}", list.group.slug);
    if let Posted::Rejected { reason } | Posted::Refused(reason) = posted {
        let page = archive::thread_page(
            &state,
            &visitor,
            &list,
            &reader,
            head,
            (form, FormErrors::new(), Some(reason.to_owned())),
        )
        .await?;
        return unprocessable(page);
    }
    answer(
        &visitor,
        (&list.group.slug, &list.settings.name),
        posted,
        &checked,
        back,
        |reason| Err(AppError::BadRequest(reason)),
    )
}

fn organizer_form_page(
    member: &Member,
    list_name: &str,
    form: PostForm,
    errors: FormErrors,
    refused: Option<String>,
) -> PostPage {
    PostPage {
        layout: member.layout(format!("Write a post — {list_name}")),
        list_name: list_name.to_owned(),
        action: member.path("/list/posts/new"),
        back: member.path("/list"),
        back_label: "Coalition list",
        organizer: true,
        can_post: member.role.can_edit(),
        posting_as: format!("{} (organizer)", member.user.name),
        form,
        errors,
        refused,
    }
}

/// `GET /app/{tenant}/list/posts/new`: a post or news, from an organizer.
pub async fn organizer_page(State(state): State<AppState>, member: Member) -> AppResult<Response> {
    let Some(settings) = store::list(&state.db, member.tenant_id).await? else {
        return Ok(Redirect::to(&member.path("/list")).into_response());
    };
    Ok(render(organizer_form_page(
        &member,
        &settings.name,
        PostForm::default(),
        FormErrors::new(),
        None,
    ))?
    .into_response())
}

/// `POST /app/{tenant}/list/posts/new`
pub async fn organizer_post(
    State(state): State<AppState>,
    Editor(member): Editor,
    Form(form): Form<PostForm>,
) -> AppResult<Response> {
    let Some(settings) = store::list(&state.db, member.tenant_id).await? else {
        return Ok(Redirect::to(&member.path("/list")).into_response());
    };
    let news = form.is_news().then_some(form.news_link.as_str());
    let checked = match check(&form.subject, &form.body, news, true) {
        Ok(checked) => checked,
        Err(errors) => {
            return unprocessable(organizer_form_page(
                &member,
                &settings.name,
                form,
                errors,
                None,
            ))
        }
    };
    let posted = posting::submit(
        &state,
        member.tenant_id,
        Author::Organizer {
            user_id: member.user.user_id,
            name: member.user.name.clone(),
        },
        NewPost {
            thread: None,
            subject: &checked.subject,
            body: &checked.body,
            news_link: checked.news_link.as_deref(),
            source: PostSource::Web,
        },
    )
    .await?;
    let back = member.path("/list");
    let names = (member.tenant.slug.as_str(), settings.name.as_str());
    answer(&member.visitor, names, posted, &checked, back, |reason| {
        unprocessable(organizer_form_page(
            &member,
            &settings.name,
            form,
            FormErrors::new(),
            Some(reason),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_post_needs_its_words_and_news_its_link() {
        assert!(check("Hello", "Body", None, true).is_ok());
        assert_eq!(check("", "", None, true).unwrap_err().count(), 2);
        assert!(check("", "A reply", None, false).is_ok());
        assert!(check("S", "a\u{0}b", None, true).unwrap_err().has("body"));
        assert!(check(&"s".repeat(201), "b", None, true)
            .unwrap_err()
            .has("subject"));
        assert!(check("S", "B", Some(""), true)
            .unwrap_err()
            .has("news_link"));
        assert!(check("S", "B", Some("javascript:alert(1)"), true)
            .unwrap_err()
            .has("news_link"));
        assert_eq!(
            check("S", "B", Some(" https://example.org/a "), true)
                .unwrap()
                .news_link
                .as_deref(),
            Some("https://example.org/a")
        );
    }
}
