//! `GET /app/{tenant}/list`: the organizers' overview of the list (members, held posts,
//! when the last post went out) with its settings form; before a list exists, the form
//! that starts it. `POST /app/{tenant}/list/settings` saves (owners and organizers).

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::coalition::model::ListDefault;
use crate::coalition::store::{self, LastPosts, ListCounts, ListInput, ListSettings};
use crate::error::AppResult;
use crate::state::AppState;
use crate::tenancy::{Editor, Member};
use crate::web::{render, render_markdown, unprocessable, Form, FormErrors, Layout};

pub const NAME_MAX: usize = 120;
pub const TEXT_MAX: usize = 20_000;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    pub name: String,
    pub purpose: String,
    pub rules: String,
    pub off_topic_ok: Option<String>,
    pub archive_public: Option<String>,
    pub default_action: String,
}

impl SettingsForm {
    fn from_settings(s: &ListSettings) -> Self {
        SettingsForm {
            name: s.name.clone(),
            purpose: s.purpose.clone(),
            rules: s.rules.clone(),
            off_topic_ok: s.off_topic_ok.then(|| "on".into()),
            archive_public: s.archive_public.then(|| "on".into()),
            default_action: s.default_action.as_str().into(),
        }
    }

    fn starting(group_name: &str) -> Self {
        SettingsForm {
            name: format!("{group_name} coalition"),
            default_action: ListDefault::Accept.as_str().into(),
            ..SettingsForm::default()
        }
    }

    pub fn off_topic_ok(&self) -> bool {
        self.off_topic_ok.is_some()
    }

    pub fn archive_public(&self) -> bool {
        self.archive_public.is_some()
    }

    fn validate(&self) -> Result<ListInput, FormErrors> {
        let mut errors = FormErrors::new();
        let name = self.name.trim();
        if name.is_empty() {
            errors.add("name", "Give the list a name members will recognise.");
        } else if name.chars().count() > NAME_MAX {
            errors.add(
                "name",
                format!("Keep the name under {NAME_MAX} characters."),
            );
        }
        for (field, text) in [("purpose", &self.purpose), ("rules", &self.rules)] {
            if text.chars().count() > TEXT_MAX {
                errors.add(
                    field,
                    format!("Keep this under {TEXT_MAX} characters (it is shown to everyone who joins)."),
                );
            }
        }
        let default_action = ListDefault::parse(&self.default_action).unwrap_or_else(|| {
            errors.add("default_action", "Choose what members' posts meet.");
            ListDefault::Accept
        });
        if errors.is_empty() {
            Ok(ListInput {
                name: name.to_owned(),
                purpose: self.purpose.trim().to_owned(),
                rules: self.rules.trim().to_owned(),
                off_topic_ok: self.off_topic_ok(),
                archive_public: self.archive_public(),
                default_action,
            })
        } else {
            Err(errors)
        }
    }
}

#[derive(Template)]
#[template(path = "coalition/list/overview.html")]
struct OverviewPage {
    layout: Layout,
    base: String,
    tenant_slug: String,
    exists: bool,
    can_edit: bool,
    form: SettingsForm,
    errors: FormErrors,
    purpose_html: String,
    rules_html: String,
    counts: ListCounts,
    last: LastPosts,
    hold_everything: bool,
    now: OffsetDateTime,
}

impl OverviewPage {
    pub fn last_post_line(&self) -> String {
        last_post_line(&self.last, self.now)
    }

    pub fn default_actions(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            (
                "accept",
                "Published at once (a new member's first post is still held)",
            ),
            ("hold", "Held for an organizer, every time"),
        ]
    }
}

/// "Last post: 3 days ago — 12 posts in the last 30 days", or that none has gone out.
pub fn last_post_line(last: &LastPosts, now: OffsetDateTime) -> String {
    let Some(at) = last.last_at else {
        return "No post has gone out yet.".into();
    };
    let posts = match last.last_30_days {
        1 => "1 post".to_owned(),
        n if n > store::LAST_POSTS_COUNTED => {
            format!("over {} posts", store::LAST_POSTS_COUNTED)
        }
        n => format!("{n} posts"),
    };
    format!("Last post: {} — {posts} in the last 30 days", ago(at, now))
}

/// "today", "yesterday", "3 days ago", "5 weeks ago", "on 2 March 2026".
pub fn ago(at: OffsetDateTime, now: OffsetDateTime) -> String {
    let days = (now - at).whole_days();
    match days {
        i64::MIN..=0 => "today".into(),
        1 => "yesterday".into(),
        2..=13 => format!("{days} days ago"),
        14..=62 => format!("{} weeks ago", days / 7),
        _ => format!("on {}", crate::web::format_date(&at)),
    }
}

async fn overview(
    state: &AppState,
    member: &Member,
    settings: Option<ListSettings>,
    form: Option<SettingsForm>,
    errors: FormErrors,
) -> AppResult<OverviewPage> {
    let now = member.visitor.now;
    let counts = store::list_counts(&state.db, member.tenant_id).await?;
    let last = store::last_posts(&state.db, member.tenant_id, now).await?;
    let exists = settings.is_some();
    let hold_everything = settings.as_ref().is_some_and(|s| s.hold_everything);
    let form = form.unwrap_or_else(|| match &settings {
        Some(s) => SettingsForm::from_settings(s),
        None => SettingsForm::starting(&member.tenant.name),
    });
    let (purpose_html, rules_html) = match &settings {
        Some(s) => (render_markdown(&s.purpose), render_markdown(&s.rules)),
        None => (String::new(), String::new()),
    };
    Ok(OverviewPage {
        layout: member.layout(if exists {
            "Coalition list"
        } else {
            "Start the coalition list"
        }),
        base: member.path("/list"),
        tenant_slug: member.tenant.slug.clone(),
        exists,
        can_edit: member.role.can_edit(),
        form,
        errors,
        purpose_html,
        rules_html,
        counts,
        last,
        hold_everything,
        now,
    })
}

/// `GET /app/{tenant}/list`
pub async fn page(State(state): State<AppState>, member: Member) -> AppResult<Html<String>> {
    let settings = store::list(&state.db, member.tenant_id).await?;
    render(overview(&state, &member, settings, None, FormErrors::new()).await?)
}

/// `POST /app/{tenant}/list/settings`: starts the list or saves its settings; a bad value
/// keeps what was typed and says what fits.
pub async fn save(
    State(state): State<AppState>,
    Editor(member): Editor,
    Form(form): Form<SettingsForm>,
) -> AppResult<Response> {
    let existing = store::list(&state.db, member.tenant_id).await?;
    match form.validate() {
        Ok(input) => {
            let mut tx = state.db.begin().await?;
            store::save_list(&mut tx, member.tenant_id, &input, member.visitor.now).await?;
            tx.commit().await?;
            let notice = if existing.is_some() {
                "list-saved"
            } else {
                "list-started"
            };
            Ok(Redirect::to(&member.path(&format!("/list?notice={notice}"))).into_response())
        }
        Err(errors) => {
            unprocessable(overview(&state, &member, existing, Some(form), errors).await?)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_last_post_reads_as_people_say_it() {
        let now = datetime!(2026-12-07 12:00 UTC);
        let last = |at: Option<OffsetDateTime>, n| LastPosts {
            last_at: at,
            last_30_days: n,
        };
        assert_eq!(
            last_post_line(&last(None, 0), now),
            "No post has gone out yet."
        );
        assert_eq!(
            last_post_line(&last(Some(datetime!(2026-12-04 09:00 UTC)), 12), now),
            "Last post: 3 days ago — 12 posts in the last 30 days"
        );
        assert_eq!(
            last_post_line(&last(Some(datetime!(2026-12-07 01:00 UTC)), 1), now),
            "Last post: today — 1 post in the last 30 days"
        );
        assert_eq!(
            last_post_line(&last(Some(datetime!(2026-12-06 09:00 UTC)), 101), now),
            "Last post: yesterday — over 100 posts in the last 30 days"
        );
        assert_eq!(
            ago(datetime!(2026-10-01 12:00 UTC), now),
            "on 1 October 2026"
        );
        assert_eq!(ago(datetime!(2026-11-16 12:00 UTC), now), "3 weeks ago");
    }

    #[test]
    fn settings_need_a_name_and_a_known_action() {
        let mut form = SettingsForm::starting("River");
        assert!(form.validate().is_ok());
        form.name = "  ".into();
        form.default_action = "reject".into();
        assert_eq!(form.validate().unwrap_err().count(), 2);
    }
}
