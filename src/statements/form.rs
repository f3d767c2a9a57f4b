//! The public statement form. Protected like the sign-on form: the CSRF token (checked
//! for every form by `web`), a honeypot field, a signed start time with a minimum fill
//! time, and a per-address rate limit of its own (`STATEMENT_LIMIT`). A statement sent is
//! stored unconfirmed and its sender is emailed a link to confirm it (`confirm`).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::OffsetDateTime;

use super::store::{self, NewStatement};
use super::{
    is_web_link, ConfirmStatement, CONFIRMATION_VALID_FOR, FORM_VALID_FOR, MAX_BODY, MIN_FILL_TIME,
    STATEMENT_LIMIT,
};
use crate::campaigns::store::{public_by_slugs, Campaign, PublicCampaign};
use crate::error::{AppError, AppResult};
use crate::mail::EmailAddress;
use crate::state::AppState;
use crate::web::started::{started_at, started_token};
use crate::web::{render, render_with, Form, FormErrors, Layout, Path, Visitor};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatementForm {
    pub organization: String,
    pub contact_name: String,
    pub email: String,
    pub body: String,
    pub link: String,
    pub started: String,
    /// The honeypot: hidden from people, filled by bots.
    pub nickname: String,
}

/// The campaign behind a public URL; drafts do not exist publicly.
pub(super) async fn public_campaign(
    state: &AppState,
    tenant_slug: &str,
    campaign_slug: &str,
) -> AppResult<PublicCampaign> {
    let found = public_by_slugs(&state.db, tenant_slug, campaign_slug)
        .await?
        .ok_or(AppError::NotFound)?;
    if !found.campaign.status.is_public() {
        return Err(AppError::NotFound);
    }
    Ok(found)
}

// The signed start time: a small copy of the sign-on form's, with its own purpose in the
// MAC so a start time of one form is no good for the other.

fn fill_time_problem(started: Option<OffsetDateTime>, now: OffsetDateTime) -> Option<&'static str> {
    match started {
        Some(at) if now - at < MIN_FILL_TIME => Some("Please check your statement and send the form again: it came back faster than we expected a person to fill it."),
        Some(at) if now - at > FORM_VALID_FOR => Some("This form was opened more than a day ago. Please check your statement and send it again: what you typed is kept below."),
        Some(_) => None,
        None => Some("Please check your statement and send the form again: we could not read when it was opened."),
    }
}

#[derive(Template)]
#[template(path = "statements/form.html")]
struct FormPage<'a> {
    layout: Layout,
    campaign: &'a Campaign,
    group_name: &'a str,
    page_path: String,
    form: StatementForm,
    errors: FormErrors,
    problem: Option<&'static str>,
    max_body: usize,
}

struct FormContext<'a> {
    state: &'a AppState,
    visitor: &'a Visitor,
    campaign: &'a Campaign,
    group_name: &'a str,
    page_path: String,
}

impl FormContext<'_> {
    fn render(
        &self,
        status: StatusCode,
        mut form: StatementForm,
        errors: FormErrors,
        problem: Option<&'static str>,
    ) -> AppResult<Response> {
        form.started = started_token(
            &self.state.secret,
            "statement-form-started",
            self.campaign.id,
            self.state.clock.now(),
        );
        form.nickname = String::new();
        let layout = self
            .visitor
            .layout(format!("A statement on: {}", self.campaign.title))
            .for_signers();
        render_with(
            status,
            FormPage {
                layout,
                campaign: self.campaign,
                group_name: self.group_name,
                page_path: self.page_path.clone(),
                form,
                errors,
                problem,
                max_body: MAX_BODY,
            },
        )
    }
}

pub async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((tenant_slug, campaign_slug)): Path<(String, String)>,
) -> AppResult<Response> {
    let PublicCampaign {
        campaign,
        group_name,
        ..
    } = public_campaign(&state, &tenant_slug, &campaign_slug).await?;
    let context = FormContext {
        state: &state,
        visitor: &visitor,
        campaign: &campaign,
        group_name: &group_name,
        page_path: format!("/{tenant_slug}/{}", campaign.slug),
    };
    context.render(
        StatusCode::OK,
        StatementForm::default(),
        FormErrors::new(),
        None,
    )
}

fn text(
    value: &str,
    max: usize,
    field: &'static str,
    missing: &'static str,
    errors: &mut FormErrors,
) -> String {
    let value = value.trim();
    if value.is_empty() && !missing.is_empty() {
        errors.add(field, missing);
    } else if value.chars().count() > max {
        errors.add(field, format!("Keep this under {max} characters."));
    }
    value.to_owned()
}

/// Checks the form and makes the statement to store, or says what to fix beside each field.
fn validate(form: &StatementForm) -> Result<NewStatement, FormErrors> {
    let mut errors = FormErrors::new();
    let organization = text(
        &form.organization,
        200,
        "organization",
        "Enter the organization's name.",
        &mut errors,
    );
    let contact_name = text(
        &form.contact_name,
        200,
        "contact_name",
        "Enter your name.",
        &mut errors,
    );
    let email = match EmailAddress::parse(&form.email) {
        Ok(email) => email.as_str().to_owned(),
        Err(message) => {
            errors.add("email", message);
            String::new()
        }
    };
    let body = form.body.trim();
    if body.is_empty() {
        errors.add("body", "Write the statement you would like shown.");
    } else if body.chars().count() > MAX_BODY {
        errors.add(
            "body",
            format!(
                "Keep the statement to 5,000 characters (it has {}).",
                body.chars().count()
            ),
        );
    }
    let link = form.link.trim();
    if !link.is_empty() {
        if link.chars().count() > 2000 {
            errors.add("link", "Keep the link under 2,000 characters.");
        } else if !is_web_link(link) {
            errors.add(
                "link",
                "Give a web address starting with https:// or http://, or leave this empty.",
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(NewStatement {
        organization,
        contact_name,
        email,
        body: body.to_owned(),
        link: link.to_owned(),
    })
}

pub async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((tenant_slug, campaign_slug)): Path<(String, String)>,
    Form(form): Form<StatementForm>,
) -> AppResult<Response> {
    let PublicCampaign {
        campaign,
        tenant,
        group_name,
    } = public_campaign(&state, &tenant_slug, &campaign_slug).await?;
    let page_path = format!("/{tenant_slug}/{}", campaign.slug);
    let sent = format!("{page_path}/statement/sent");
    let now = state.clock.now();
    let context = FormContext {
        state: &state,
        visitor: &visitor,
        campaign: &campaign,
        group_name: &group_name,
        page_path,
    };

    if !STATEMENT_LIMIT
        .allow(&state.db, visitor.context.rate_key(), now)
        .await?
    {
        let problem = "Several statements were sent from your network in the last few minutes. Please wait five minutes, then send this form again: what you typed is kept below.";
        return context.render(
            StatusCode::TOO_MANY_REQUESTS,
            form,
            FormErrors::new(),
            Some(problem),
        );
    }
    // Bots fill every field; people never see this one. They get the answer a person
    // would, and nothing is stored.
    if !form.nickname.is_empty() {
        return Ok(Redirect::to(&sent).into_response());
    }
    let started = started_at(
        &state.secret,
        "statement-form-started",
        campaign.id,
        &form.started,
    );
    if let Some(problem) = fill_time_problem(started, now) {
        return context.render(
            StatusCode::UNPROCESSABLE_ENTITY,
            form,
            FormErrors::new(),
            Some(problem),
        );
    }
    let statement = match validate(&form) {
        Ok(statement) => statement,
        Err(errors) => {
            return context.render(StatusCode::UNPROCESSABLE_ENTITY, form, errors, None);
        }
    };
    // Whoever sent this may not own the address: the answer is the same whether an email
    // goes now, went less than an hour ago (the earlier link then shows this text), or the
    // address is new.
    let token = crate::tokens::new_token();
    let expires = now + CONFIRMATION_VALID_FOR;
    let mut tx = state.db.begin().await?;
    let submitted = store::submit(
        &mut tx,
        tenant,
        campaign.id,
        &statement,
        &token.hash,
        expires,
        now,
    )
    .await?;
    if submitted.email_now {
        let id = submitted.id;
        crate::mail::enqueue(
            &mut tx,
            crate::mail::Outgoing {
                tenant: Some(crate::tenancy::TenantScope::uuid(tenant)),
                // At most one an hour per statement, so the time names it.
                idempotency_key: format!("confirm-statement:{id}:{}", now.unix_timestamp()),
                recipient: &statement.email,
                message: ConfirmStatement {
                    campaign_title: campaign.title.clone(),
                    group_name: group_name.clone(),
                    link: state.config.link(&format!(
                        "{}/statement/{id}/{}",
                        context.page_path, token.token
                    )),
                    expires: crate::campaigns::time_zones::display(expires, &campaign.time_zone),
                },
                send_at: now,
                bulk: false,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Redirect::to(&sent).into_response())
}

#[derive(Template)]
#[template(path = "statements/sent.html")]
struct SentPage<'a> {
    layout: Layout,
    campaign: &'a Campaign,
    page_path: String,
}

pub async fn sent(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((tenant_slug, campaign_slug)): Path<(String, String)>,
) -> AppResult<Html<String>> {
    let PublicCampaign { campaign, .. } =
        public_campaign(&state, &tenant_slug, &campaign_slug).await?;
    render(SentPage {
        layout: visitor.layout("Check your email").for_signers(),
        page_path: format!("/{tenant_slug}/{}", campaign.slug),
        campaign: &campaign,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;
    use uuid::Uuid;

    #[test]
    fn start_times_are_signed_for_this_form_and_campaign() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let (water, air) = (Uuid::new_v4(), Uuid::new_v4());
        let now = datetime!(2026-11-25 12:00 UTC);
        let token = started_token(secret, "statement-form-started", water, now);
        assert_eq!(
            started_at(secret, "statement-form-started", water, &token),
            Some(now)
        );
        assert_eq!(
            started_at(secret, "statement-form-started", air, &token),
            None
        );
        assert_eq!(
            started_at(secret, "statement-form-started", water, "garbage"),
            None
        );
        assert!(fill_time_problem(Some(now), now + time::Duration::seconds(5)).is_none());
        assert!(fill_time_problem(Some(now), now + time::Duration::seconds(1)).is_some());
        assert!(fill_time_problem(None, now).is_some());
    }

    #[test]
    fn the_link_must_be_http() {
        let form = |link: &str| StatementForm {
            organization: "Lake Friends".into(),
            contact_name: "Lee".into(),
            email: "lee@lake.example".into(),
            body: "We cannot sign, but we agree.".into(),
            link: link.into(),
            ..StatementForm::default()
        };
        assert!(validate(&form("")).is_ok());
        assert!(validate(&form("https://lake.example/why")).is_ok());
        let refused = validate(&form("javascript:alert(1)")).err().unwrap();
        assert!(refused.has("link"));
        let long = StatementForm {
            body: "x".repeat(MAX_BODY + 1),
            ..form("")
        };
        assert!(validate(&long).err().unwrap().has("body"));
    }
}
