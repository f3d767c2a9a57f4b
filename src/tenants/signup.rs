//! Starting an organizing group. Someone logged in starts one at once. Anyone else asks
//! for it and gets an email: the group and its owner's account are created only from the
//! link in that email, so an address is proven before the group can email anyone else.
//! The answer is the same whether or not the address already has an account (that
//! account's owner is told instead), and sign-ups are limited per client address and
//! per email address.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::Duration;

use super::emails::{ConfirmSignup, SignupWithExistingAccount};
use super::store::{self, NewSignupRequest, SignupRequest};
use crate::auth::{passwords, start_session, store as auth_store, LinkExpiredPage};
use crate::error::{AppError, AppResult};
use crate::mail::{self, EmailAddress, Outgoing};
use crate::state::AppState;
use crate::tenancy::{self, CreateTenantError, Role, TenantSlug};
use crate::tokens;
use crate::web::{render, render_with, unprocessable, Form, FormErrors, Layout, Path, Visitor};

/// The emailed link works this long.
pub const SIGNUP_LINK_VALID_FOR: Duration = Duration::hours(24);
/// Sign-ups one client address may ask for in `SIGNUP_WINDOW`.
pub const SIGNUPS_PER_ADDRESS: i64 = 10;
pub const SIGNUP_WINDOW: Duration = Duration::minutes(15);
/// Sign-up emails one email address receives in an hour, however often it is typed.
pub const SIGNUP_EMAILS_PER_HOUR: i64 = 3;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignupForm {
    pub group_name: String,
    pub slug: String,
    pub name: String,
    pub email: String,
}

#[derive(Template)]
#[template(path = "tenants/signup.html")]
struct SignupPage {
    layout: Layout,
    form: SignupForm,
    errors: FormErrors,
    logged_in: bool,
    problem: Option<&'static str>,
}

pub async fn signup_page(visitor: Visitor) -> AppResult<Html<String>> {
    let logged_in = visitor.user().is_some();
    let title = if logged_in {
        "Start another organizing group"
    } else {
        "Start your organizing group"
    };
    render(SignupPage {
        layout: visitor.layout(title),
        form: SignupForm::default(),
        errors: FormErrors::new(),
        logged_in,
        problem: None,
    })
}

const SLUG_TAKEN: &str = "Another group already uses this address; choose another.";

pub async fn signup(
    State(state): State<AppState>,
    visitor: Visitor,
    Form(mut form): Form<SignupForm>,
) -> AppResult<Response> {
    let user = visitor.user().cloned();
    let mut errors = FormErrors::new();

    let group_name = single_line(&form.group_name);
    if group_name.is_empty() {
        errors.add("group_name", "Enter your group's name.");
    } else if group_name.chars().count() > 120 {
        errors.add("group_name", "Use at most 120 characters.");
    }
    if form.slug.trim().is_empty() {
        form.slug = TenantSlug::suggest(&group_name);
    }
    let slug = match TenantSlug::parse(&form.slug) {
        Ok(slug) => Some(slug),
        Err(message) => {
            errors.add("slug", message);
            None
        }
    };
    if let Some(slug) = &slug {
        if tenancy::slug_taken(&state.db, slug.as_str()).await? {
            errors.add("slug", SLUG_TAKEN);
        }
    }

    let mut email = None;
    if user.is_none() {
        let name = single_line(&form.name);
        if name.is_empty() {
            errors.add("name", "Enter your name.");
        } else if name.chars().count() > 120 {
            errors.add("name", "Use at most 120 characters.");
        }
        match EmailAddress::parse(&form.email) {
            Ok(parsed) => email = Some(parsed),
            Err(message) => errors.add("email", message),
        }
    }

    let rerender = |status: StatusCode,
                    form: SignupForm,
                    errors: FormErrors,
                    problem: Option<&'static str>|
     -> AppResult<Response> {
        render_with(
            status,
            SignupPage {
                layout: visitor.layout("Start your organizing group"),
                form,
                errors,
                logged_in: user.is_some(),
                problem,
            },
        )
    };
    let Some(slug) = slug.filter(|_| errors.is_empty()) else {
        return rerender(StatusCode::UNPROCESSABLE_ENTITY, form, errors, None);
    };

    let Some(user) = &user else {
        let Some(email) = email else {
            return Err(AppError::Internal(anyhow::anyhow!("sign-up without email")));
        };
        return request(&state, &visitor, form, group_name, slug, email, rerender).await;
    };

    // Logged in: the account's address was proven when it was made.
    let mut tx = state.db.begin().await?;
    let tenant = match tenancy::create_tenant(&mut tx, &slug, &group_name, state.clock.now()).await
    {
        Ok(tenant) => tenant,
        Err(CreateTenantError::SlugTaken) => {
            errors.add("slug", SLUG_TAKEN);
            return rerender(StatusCode::UNPROCESSABLE_ENTITY, form, errors, None);
        }
        Err(CreateTenantError::Database(e)) => return Err(e.into()),
    };
    tenancy::add_member(&mut tx, tenant, user.user_id, Role::Owner).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/app/{}?notice=welcome", slug.as_str())).into_response())
}

/// Someone not logged in asks for a group: record the request and email the address,
/// with the same answer whatever happens next.
async fn request(
    state: &AppState,
    visitor: &Visitor,
    form: SignupForm,
    group_name: String,
    slug: TenantSlug,
    email: EmailAddress,
    rerender: impl Fn(StatusCode, SignupForm, FormErrors, Option<&'static str>) -> AppResult<Response>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let from_address =
        store::signups_from(&state.db, visitor.context.rate_key(), now - SIGNUP_WINDOW).await?;
    if from_address >= SIGNUPS_PER_ADDRESS && !visitor.context.rate_limit_exempt {
        let problem = "Many sign-ups came from your network in the last minutes. Please wait 15 minutes and send the form again: what you typed is kept.";
        return rerender(
            StatusCode::TOO_MANY_REQUESTS,
            form,
            FormErrors::new(),
            Some(problem),
        );
    }

    let token = tokens::new_token();
    let name = single_line(&form.name);
    let mut tx = state.db.begin().await?;
    // Only emails that went out count, so requests that were not emailed cannot use up
    // an address's hourly bound. Two requests for one address at once may both send.
    let to_this_email =
        store::signup_emails_to(&mut tx, email.as_str(), now - Duration::hours(1)).await?;
    let request = NewSignupRequest {
        token_hash: &token.hash,
        email: email.as_str(),
        name: &name,
        group_name: &group_name,
        slug: slug.as_str(),
        client: visitor.context.rate_key(),
        now,
        expires_at: now + SIGNUP_LINK_VALID_FOR,
        emailed: to_this_email < SIGNUP_EMAILS_PER_HOUR,
    };
    store::record_signup_request(&mut tx, &request).await?;
    if to_this_email < SIGNUP_EMAILS_PER_HOUR {
        let key = format!("signup:{}", tokens::hex(&token.hash));
        if auth_store::email_taken(&state.db, email.as_str()).await? {
            let message = SignupWithExistingAccount {
                login_link: state.config.link("/login"),
                reset_link: state.config.link("/password/forgot"),
            };
            enqueue(&mut tx, key, &email, message, now).await?;
        } else {
            let message = ConfirmSignup {
                link: state
                    .config
                    .link(&format!("/signup/confirm/{}", token.token)),
            };
            enqueue(&mut tx, key, &email, message, now).await?;
        }
    }
    tx.commit().await?;
    Ok(Redirect::to("/signup/sent").into_response())
}

async fn enqueue<E: mail::Email>(
    conn: &mut sqlx::PgConnection,
    idempotency_key: String,
    email: &EmailAddress,
    message: E,
    now: time::OffsetDateTime,
) -> AppResult<()> {
    mail::enqueue(
        conn,
        Outgoing {
            tenant: None,
            idempotency_key,
            recipient: email.as_str(),
            message,
            send_at: now,
            bulk: false,
        },
    )
    .await?;
    Ok(())
}

#[derive(Template)]
#[template(path = "tenants/signup_sent.html")]
struct SentPage {
    layout: Layout,
}

/// The same page for every sign-up request, whoever owns the address.
pub async fn sent(visitor: Visitor) -> AppResult<Html<String>> {
    render(SentPage {
        layout: visitor.layout("Check your email"),
    })
}

/// Text for a one-line field: line breaks and other control characters become spaces.
fn single_line(raw: &str) -> String {
    raw.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// The sign-up request behind an emailed link, if it is still usable; with `take`, it is
/// used up.
async fn pending(
    conn: impl sqlx::PgExecutor<'_>,
    token: &str,
    now: time::OffsetDateTime,
    take: bool,
) -> AppResult<Option<SignupRequest>> {
    if !tokens::looks_like_token(token) {
        return Ok(None);
    }
    Ok(store::pending_signup(conn, &tokens::hash_token(token), now, take).await?)
}

fn link_gone(visitor: &Visitor, what: &'static str) -> AppResult<Response> {
    render_with(
        StatusCode::GONE,
        LinkExpiredPage {
            layout: visitor.layout("This link no longer works"),
            what,
            next_step: "Start again",
            next_link: "/signup",
        },
    )
}

const EXPIRED: &str =
    "This sign-up link has expired or was already used. Links work once, for 24 hours.";

#[derive(Template)]
#[template(path = "tenants/signup_confirm.html")]
struct ConfirmPage {
    layout: Layout,
    token: String,
    email: String,
    name: String,
    group_name: String,
    slug: String,
    errors: FormErrors,
}

fn confirm_page_for(
    visitor: &Visitor,
    token: String,
    pending: SignupRequest,
    errors: FormErrors,
) -> ConfirmPage {
    ConfirmPage {
        layout: visitor.layout(format!("Create {}", pending.group_name)),
        token,
        email: pending.email,
        name: pending.name,
        group_name: pending.group_name,
        slug: pending.slug,
        errors,
    }
}

/// The emailed link: the address is proven; the person chooses their password here (a
/// link alone creates nothing, so mail scanners that open links do not).
pub async fn confirm_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let Some(pending) = pending(&state.db, &token, state.clock.now(), false).await? else {
        return link_gone(&visitor, EXPIRED);
    };
    Ok(render(confirm_page_for(
        &visitor,
        token,
        pending,
        FormErrors::new(),
    ))?
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmForm {
    pub password: String,
}

pub async fn confirm(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let Some(peek) = pending(&state.db, &token, now, false).await? else {
        return link_gone(&visitor, EXPIRED);
    };
    if let Err(message) = passwords::check_new(&form.password, &peek.email) {
        let mut errors = FormErrors::new();
        errors.add("password", message);
        return unprocessable(confirm_page_for(&visitor, token, peek, errors));
    }
    let password_hash = passwords::hash(form.password).await?;
    let mut tx = state.db.begin().await?;
    let Some(pending) = pending(&mut *tx, &token, now, true).await? else {
        return link_gone(&visitor, EXPIRED);
    };
    let user_id = match auth_store::create_user(&mut tx, &pending.email, &pending.name, &password_hash)
        .await
    {
        Ok(id) => id,
        Err(auth_store::CreateUserError::EmailTaken) => {
            return link_gone(
                &visitor,
                "An account with this address exists now: log in, then start the group from your account.",
            )
        }
        Err(auth_store::CreateUserError::Database(e)) => return Err(e.into()),
    };
    let slug =
        TenantSlug::parse(&pending.slug).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    let tenant = match tenancy::create_tenant(&mut tx, &slug, &pending.group_name, now).await {
        Ok(tenant) => tenant,
        Err(CreateTenantError::SlugTaken) => return unprocessable(LinkExpiredPage {
            layout: visitor.layout("Choose another web address"),
            what:
                "Another group took this web address after you asked for it. Nothing was created.",
            next_step: "Start again with another address",
            next_link: "/signup",
        }),
        Err(CreateTenantError::Database(e)) => return Err(e.into()),
    };
    tenancy::add_member(&mut tx, tenant, user_id, Role::Owner).await?;
    let cookies = start_session(&mut tx, &visitor.context, user_id, now).await?;
    tx.commit().await?;
    Ok((
        cookies,
        Redirect::to(&format!("/app/{}?notice=welcome", slug.as_str())),
    )
        .into_response())
}
