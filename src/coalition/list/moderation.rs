//! Moderation as Mailman 3 does it: `GET /app/{tenant}/list/moderation` lists the held
//! posts (sender, why held, the post) with the decisions — approve, approve and clear the
//! sender (one action: published, and the member's action set to the list's default so
//! their next post goes straight through), reject with a reason the sender is told by
//! email, discard — and the "hold everything" switch; `POST …/posts/{post}/remove` takes
//! a published post out of the archive; `GET …/moderation/log` shows every decision.
//!
//! Each decision is one transaction: the post row locked (`post_for_update`), moved by the
//! one table of transitions (`move_post` applying `model::next_state`), published mail
//! written by `delivery::deliver_post`, the log line written, all or nothing. Two
//! organizers deciding at once: the second waits for the lock, finds the post no longer
//! held, and is told what the first did; nothing is sent twice.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::emails::PostRejected;
use crate::coalition::delivery;
use crate::coalition::model::{PostEvent, PostId, PostState};
use crate::coalition::store::{self, Decided, HeldPost, LogEntry};
use crate::error::{AppError, AppResult};
use crate::mail::{self, Outgoing};
use crate::state::AppState;
use crate::tenancy::{Editor, Member};
use crate::web::{
    format_datetime, render, render_post_markdown, render_with, Form, Layout, Path, Query,
};

/// Held posts shown at once (oldest first).
pub const QUEUE_LIMIT: i64 = 100;
pub const LOG_PAGE: i64 = 100;
pub const REASON_MAX: usize = 2_000;

pub fn action_label(action: &str) -> &'static str {
    match action {
        "approve" => "approved",
        "approve_and_clear" => "approved and cleared the sender of",
        "reject" => "rejected",
        "discard" => "discarded",
        "remove" => "removed from the archive",
        "mute" => "muted",
        "unmute" => "unmuted",
        "set_action" => "changed the moderation action of",
        "hold_everything_on" => "turned hold everything on",
        "hold_everything_off" => "turned hold everything off",
        _ => "acted on",
    }
}

pub struct HeldView {
    pub post: HeldPost,
    pub html: String,
    pub when: String,
    pub reason: String,
    pub error: Option<String>,
}

impl HeldView {
    pub fn action_label(&self) -> &'static str {
        self.post.author_action.map(|a| a.label()).unwrap_or("—")
    }
}

#[derive(Template)]
#[template(path = "coalition/list/moderation.html")]
struct ModerationPage {
    layout: Layout,
    base: String,
    tenant_slug: String,
    can_edit: bool,
    exists: bool,
    hold_everything: bool,
    held: Vec<HeldView>,
    /// What another organizer did a moment before (a decision that found the post decided).
    conflict: Option<String>,
}

async fn moderation_page(
    state: &AppState,
    member: &Member,
    failed: Option<(PostId, String, String)>,
    conflict: Option<String>,
) -> AppResult<ModerationPage> {
    let settings = store::list(&state.db, member.tenant_id).await?;
    let held = store::held_posts(&state.db, member.tenant_id, QUEUE_LIMIT)
        .await?
        .into_iter()
        .map(|post| {
            let (reason, error) = match &failed {
                Some((id, reason, error)) if *id == post.id => {
                    (reason.clone(), Some(error.clone()))
                }
                _ => (String::new(), None),
            };
            HeldView {
                html: render_post_markdown(&post.body),
                when: format_datetime(&post.created_at),
                reason,
                error,
                post,
            }
        })
        .collect();
    Ok(ModerationPage {
        layout: member.layout("Moderation — Coalition list"),
        base: member.path("/list"),
        tenant_slug: member.tenant.slug.clone(),
        can_edit: member.role.can_edit(),
        exists: settings.is_some(),
        hold_everything: settings.is_some_and(|s| s.hold_everything),
        held,
        conflict,
    })
}

/// `GET /app/{tenant}/list/moderation`
pub async fn page(State(state): State<AppState>, member: Member) -> AppResult<Html<String>> {
    render(moderation_page(&state, &member, None, None).await?)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HoldForm {
    /// "on" or "off".
    pub hold: String,
}

/// `POST /app/{tenant}/list/moderation/hold-everything`
pub async fn hold_everything(
    State(state): State<AppState>,
    Editor(member): Editor,
    Form(form): Form<HoldForm>,
) -> AppResult<Response> {
    let on = match form.hold.as_str() {
        "on" => true,
        "off" => false,
        _ => {
            return Err(AppError::BadRequest(
                "Choose whether to hold everything (on or off).".into(),
            ))
        }
    };
    let now = member.visitor.now;
    if store::list(&state.db, member.tenant_id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    // The switch updates the list's row, which every post being decided holds FOR SHARE:
    // it waits for those, and the posts after it meet the new setting.
    let mut tx = state.db.begin().await?;
    if store::set_hold_everything(&mut tx, member.tenant_id, on, now).await? {
        store::log_decision(
            &mut tx,
            member.tenant_id,
            &Decided {
                post: None,
                member: None,
                action: if on {
                    "hold_everything_on"
                } else {
                    "hold_everything_off"
                },
                reason: "",
                by_user_id: member.user.user_id,
                by_name: &member.user.name,
            },
            now,
        )
        .await?;
    }
    tx.commit().await?;
    let notice = if on { "list-hold-on" } else { "list-hold-off" };
    Ok(Redirect::to(&member.path(&format!("/list/moderation?notice={notice}"))).into_response())
}

#[derive(Debug, Deserialize)]
pub struct PostPath {
    #[allow(dead_code)]
    pub tenant: String,
    pub post: String,
}

fn post_id(raw: &str) -> AppResult<PostId> {
    Uuid::parse_str(raw)
        .map(PostId)
        .map_err(|_| AppError::NotFound)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    /// approve, approve_and_clear, reject, discard
    pub action: String,
    pub reason: String,
}

/// "Another organizer decided first": who, what and when, from the log.
fn conflict_text(last: Option<LogEntry>, now_state: PostState) -> String {
    match last {
        Some(entry) => format!(
            "Another organizer decided first: {} {} this post at {}. Nothing more was done.",
            entry.by_name,
            action_label(&entry.action),
            format_datetime(&entry.at)
        ),
        None => format!(
            "This post is no longer held (it is now: {}). Nothing was done.",
            now_state.label().to_lowercase()
        ),
    }
}

/// `POST /app/{tenant}/list/moderation/{post}`: one decision on a held post.
pub async fn decide(
    State(state): State<AppState>,
    Editor(member): Editor,
    Path(path): Path<PostPath>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    let id = post_id(&path.post)?;
    let (event, action, notice) = match form.action.as_str() {
        "approve" => (PostEvent::Approve, "approve", "list-approved"),
        "approve_and_clear" => (
            PostEvent::Approve,
            "approve_and_clear",
            "list-approved-cleared",
        ),
        "reject" => (PostEvent::Reject, "reject", "list-rejected"),
        "discard" => (PostEvent::Discard, "discard", "list-discarded"),
        _ => {
            return Err(AppError::BadRequest(
                "Choose a decision: approve, approve and clear, reject or discard.".into(),
            ))
        }
    };
    let reason = form.reason.trim();
    if event == PostEvent::Reject {
        let problem = if reason.is_empty() {
            Some("Write the reason: the sender is told it by email.".to_owned())
        } else if reason.chars().count() > REASON_MAX {
            Some(format!("Keep the reason under {REASON_MAX} characters."))
        } else {
            None
        };
        if let Some(problem) = problem {
            let page = moderation_page(
                &state,
                &member,
                Some((id, form.reason.clone(), problem)),
                None,
            )
            .await?;
            return render_with(StatusCode::UNPROCESSABLE_ENTITY, page);
        }
    }

    let now = member.visitor.now;
    let tenant = member.tenant_id;
    let mut tx = state.db.begin().await?;
    let Some(post) = store::post_for_update(&mut tx, tenant, id).await? else {
        return Err(AppError::NotFound);
    };
    let Some(_moved) = store::move_post(&mut tx, tenant, id, event, now).await? else {
        let last = store::last_decision(&mut tx, tenant, id).await?;
        tx.rollback().await?;
        let page =
            moderation_page(&state, &member, None, Some(conflict_text(last, post.state))).await?;
        return render_with(StatusCode::CONFLICT, page);
    };
    match action {
        "approve" | "approve_and_clear" => {
            if action == "approve_and_clear" {
                if let Some(author) = post.author_member_id {
                    store::clear_member_action(&mut tx, tenant, author).await?;
                }
            }
            delivery::deliver_post(&mut tx, &state, tenant, id, now).await?;
        }
        "reject" => {
            if let Some(author) = post.author_member_id {
                if let Some(to) = store::member_recipient(&mut tx, tenant, author).await? {
                    let list_name = store::list(&state.db, tenant)
                        .await?
                        .map(|s| s.name)
                        .unwrap_or_else(|| member.tenant.name.clone());
                    let base = state.config.base_url.as_str().trim_end_matches('/');
                    mail::enqueue(
                        &mut tx,
                        Outgoing {
                            tenant: Some(tenant.uuid()),
                            idempotency_key: format!("list_post_rejected:{id}"),
                            recipient: &to.email,
                            message: PostRejected {
                                name: to.name,
                                list_name,
                                subject: post.subject.clone(),
                                reason: reason.to_owned(),
                                body: post.body.clone(),
                                list_link: format!("{base}/{}/list", member.tenant.slug),
                            },
                            send_at: now,
                            bulk: false,
                        },
                    )
                    .await?;
                }
            }
        }
        _ => {}
    }
    store::log_decision(
        &mut tx,
        tenant,
        &Decided {
            post: Some(id),
            member: post.author_member_id,
            action,
            reason: if event == PostEvent::Reject {
                reason
            } else {
                ""
            },
            by_user_id: member.user.user_id,
            by_name: &member.user.name,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&member.path(&format!("/list/moderation?notice={notice}"))).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RemoveForm {
    pub reason: String,
}

/// `POST /app/{tenant}/list/posts/{post}/remove`: a published post out of the archive;
/// its place in the thread says it was removed.
pub async fn remove(
    State(state): State<AppState>,
    Editor(member): Editor,
    Path(path): Path<PostPath>,
    Form(form): Form<RemoveForm>,
) -> AppResult<Response> {
    let id = post_id(&path.post)?;
    let reason: String = form.reason.trim().chars().take(REASON_MAX).collect();
    let now = member.visitor.now;
    let tenant = member.tenant_id;
    let mut tx = state.db.begin().await?;
    let Some(post) = store::post_for_update(&mut tx, tenant, id).await? else {
        return Err(AppError::NotFound);
    };
    let thread_page = format!("/{}/list/archive/{}", member.tenant.slug, post.thread_id);
    if store::move_post(&mut tx, tenant, id, PostEvent::Remove, now)
        .await?
        .is_none()
    {
        tx.rollback().await?;
        if post.state == PostState::Removed {
            return Ok(Redirect::to(&format!("{thread_page}?notice=list-removed")).into_response());
        }
        return Err(AppError::BadRequest(
            "Only a published post can be removed from the archive.".into(),
        ));
    }
    store::log_decision(
        &mut tx,
        tenant,
        &Decided {
            post: Some(id),
            member: post.author_member_id,
            action: "remove",
            reason: &reason,
            by_user_id: member.user.user_id,
            by_name: &member.user.name,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("{thread_page}?notice=list-removed")).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LogQuery {
    pub before: String,
}

pub struct LogLine {
    pub entry: LogEntry,
    pub what: &'static str,
    pub when: String,
}

#[derive(Template)]
#[template(path = "coalition/list/log.html")]
struct LogPage {
    layout: Layout,
    base: String,
    tenant_slug: String,
    can_edit: bool,
    lines: Vec<LogLine>,
    next: Option<i64>,
    paged: bool,
}

/// `GET /app/{tenant}/list/moderation/log`
pub async fn log(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<LogQuery>,
) -> AppResult<Html<String>> {
    let before = query.before.trim().parse::<i64>().ok();
    let mut entries = store::moderation_log(&state.db, member.tenant_id, before, LOG_PAGE).await?;
    let next = if entries.len() as i64 > LOG_PAGE {
        entries.truncate(LOG_PAGE as usize);
        entries.last().map(|e| e.id)
    } else {
        None
    };
    let lines = entries
        .into_iter()
        .map(|entry| LogLine {
            what: action_label(&entry.action),
            when: format_datetime(&entry.at),
            entry,
        })
        .collect();
    render(LogPage {
        layout: member.layout("Moderation log — Coalition list"),
        base: member.path("/list"),
        tenant_slug: member.tenant.slug.clone(),
        can_edit: member.role.can_edit(),
        lines,
        next,
        paged: before.is_some(),
    })
}
