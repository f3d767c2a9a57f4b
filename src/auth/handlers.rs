use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use sqlx::PgConnection;
use time::Duration;
use uuid::Uuid;

use super::emails::PasswordReset;
use super::throttle::{self, Verdict};
use super::{passwords, store};
use crate::error::AppResult;
use crate::mail::{self, EmailAddress, Outgoing};
use crate::state::AppState;
use crate::tokens;
use crate::web::{
    render, render_with, safe_next, sessions, unprocessable, Form, FormErrors, Layout, Path, Query,
    RequestContext, Visitor, DEVICE_COOKIE, SESSION_COOKIE,
};

const RESET_VALID_FOR: Duration = Duration::hours(1);
const MAX_RESETS_PER_HOUR: i64 = 3;

/// Logs `user_id` in: ends the session the browser had (if any), starts a new one and
/// marks this browser as trusted for the account. Returns the cookies to set.
pub async fn start_session(
    conn: &mut PgConnection,
    context: &RequestContext,
    user_id: Uuid,
    now: time::OffsetDateTime,
) -> sqlx::Result<CookieJar> {
    if let Some(previous) = &context.user {
        sessions::delete(&mut *conn, &previous.session_hash).await?;
    }
    let token = sessions::create(conn, user_id, now).await?;
    let device = tokens::new_token();
    store::trust_device(conn, user_id, &device.hash, now).await?;

    let mut session_cookie = context.cookie(SESSION_COOKIE, token);
    session_cookie.set_max_age(time::Duration::seconds(
        sessions::ABSOLUTE_TIMEOUT.whole_seconds(),
    ));
    let mut device_cookie = context.cookie(DEVICE_COOKIE, device.token);
    device_cookie.set_max_age(time::Duration::days(365));
    Ok(CookieJar::new().add(session_cookie).add(device_cookie))
}

// ---------------------------------------------------------------- login and logout

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    pub email: String,
    pub password: String,
    pub next: String,
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    layout: Layout,
    form: LoginForm,
    errors: FormErrors,
    problem: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<NextQuery>,
) -> AppResult<Response> {
    if visitor.user().is_some() {
        return Ok(
            Redirect::to(&safe_next(&state.config.base_url, query.next.as_deref())).into_response(),
        );
    }
    let form = LoginForm {
        next: safe_next(&state.config.base_url, query.next.as_deref()),
        ..LoginForm::default()
    };
    Ok(render(LoginPage {
        layout: visitor.layout("Log in"),
        form,
        errors: FormErrors::new(),
        problem: None,
    })?
    .into_response())
}

pub async fn login(
    State(state): State<AppState>,
    visitor: Visitor,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let reply = |status: StatusCode,
                 form: LoginForm,
                 errors: FormErrors,
                 problem: Option<String>|
     -> AppResult<Response> {
        let form = LoginForm {
            password: String::new(),
            ..form
        };
        render_with(
            status,
            LoginPage {
                layout: visitor.layout("Log in"),
                form,
                errors,
                problem,
            },
        )
    };

    let mut errors = FormErrors::new();
    let email = form.email.trim().to_owned();
    if email.is_empty() {
        errors.add("email", "Enter your email address.");
    }
    if form.password.is_empty() {
        errors.add("password", "Enter your password.");
    }
    if !errors.is_empty() || email.len() > 254 || form.password.len() > passwords::MAX_LENGTH * 4 {
        if errors.is_empty() {
            errors.add("email", "Email or password is wrong.");
        }
        return reply(StatusCode::UNPROCESSABLE_ENTITY, form, errors, None);
    }

    let now = state.clock.now();
    let ip = visitor.context.rate_key();
    let trusted_device = match jar.get(DEVICE_COOKIE).map(|c| c.value().to_owned()) {
        Some(token) if tokens::looks_like_token(&token) => {
            store::device_is_trusted_for(&state.db, &tokens::hash_token(&token), &email).await?
        }
        _ => false,
    };
    let attempt = match throttle::attempt(&state.db, &email, ip, trusted_device, now).await? {
        Verdict::Allowed(attempt) => attempt,
        Verdict::Throttled(message) => {
            return reply(
                StatusCode::TOO_MANY_REQUESTS,
                form,
                FormErrors::new(),
                Some(message.to_owned()),
            );
        }
    };

    let user = store::user_by_email(&state.db, &email).await?;
    let valid = passwords::verify(
        form.password.clone(),
        user.as_ref().map(|u| u.password_hash.clone()),
    )
    .await?;
    let Some(user) = user.filter(|_| valid) else {
        throttle::forget_old(&state.db, now).await?;
        return reply(
            StatusCode::UNPROCESSABLE_ENTITY,
            form,
            FormErrors::new(),
            Some("Email or password is wrong.".into()),
        );
    };
    throttle::succeeded(&state.db, attempt).await?;

    let mut tx = state.db.begin().await?;
    let cookies = start_session(&mut tx, &visitor.context, user.id, now).await?;
    tx.commit().await?;
    Ok((
        cookies,
        Redirect::to(&safe_next(&state.config.base_url, Some(&form.next))),
    )
        .into_response())
}

pub async fn logout(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    if let Some(user) = visitor.user() {
        sessions::delete(&state.db, &user.session_hash).await?;
    }
    let mut gone = visitor.context.cookie(SESSION_COOKIE, String::new());
    gone.make_removal();
    Ok((
        CookieJar::new().add(gone),
        Redirect::to("/login?notice=logged-out"),
    )
        .into_response())
}

// ---------------------------------------------------------------- password reset

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ForgotForm {
    pub email: String,
}

#[derive(Template)]
#[template(path = "auth/forgot.html")]
struct ForgotPage {
    layout: Layout,
    form: ForgotForm,
    errors: FormErrors,
}

pub async fn forgot_page(visitor: Visitor) -> AppResult<Html<String>> {
    let email = visitor.user().map(|u| u.email.clone()).unwrap_or_default();
    render(ForgotPage {
        layout: visitor.layout("Reset your password"),
        form: ForgotForm { email },
        errors: FormErrors::new(),
    })
}

pub async fn forgot(
    State(state): State<AppState>,
    visitor: Visitor,
    Form(form): Form<ForgotForm>,
) -> AppResult<Response> {
    let email = match EmailAddress::parse(&form.email) {
        Ok(email) => email,
        Err(message) => {
            let mut errors = FormErrors::new();
            errors.add("email", message);
            return unprocessable(ForgotPage {
                layout: visitor.layout("Reset your password"),
                form,
                errors,
            });
        }
    };
    let now = state.clock.now();
    // The answer is the same whether or not the account exists.
    if let Some(user) = store::user_by_email(&state.db, email.as_str()).await? {
        // The limit is checked in the transaction that records the request, under a lock
        // on the account, so requests sent at once cannot all pass it.
        let mut tx = state.db.begin().await?;
        let recent =
            store::recent_resets_locked(&mut tx, user.id, now - Duration::hours(1)).await?;
        if recent < MAX_RESETS_PER_HOUR {
            let token = tokens::new_token();
            store::create_reset(&mut tx, user.id, &token.hash, now, now + RESET_VALID_FOR).await?;
            mail::enqueue(
                &mut tx,
                Outgoing {
                    tenant: None,
                    idempotency_key: format!("password-reset:{}", tokens::hex(&token.hash)),
                    recipient: &user.email,
                    message: PasswordReset {
                        name: user.name.clone(),
                        link: state
                            .config
                            .link(&format!("/password/reset/{}", token.token)),
                    },
                    send_at: now,
                    bulk: false,
                },
            )
            .await?;
            tx.commit().await?;
        }
    }
    Ok(Redirect::to("/login?notice=reset-sent").into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResetForm {
    pub password: String,
}

#[derive(Template)]
#[template(path = "auth/reset.html")]
struct ResetPage {
    layout: Layout,
    email: String,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "auth/link_expired.html")]
pub struct LinkExpiredPage {
    pub layout: Layout,
    pub what: &'static str,
    pub next_step: &'static str,
    pub next_link: &'static str,
}

fn reset_link_expired(visitor: &Visitor) -> AppResult<Response> {
    let page = LinkExpiredPage {
        layout: visitor.layout("This link no longer works"),
        what: "This password reset link has expired or was already used. Links work once, for one hour.",
        next_step: "Ask for a new link",
        next_link: "/password/forgot",
    };
    render_with(StatusCode::GONE, page)
}

pub async fn reset_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let found = if tokens::looks_like_token(&token) {
        store::usable_reset(&state.db, &tokens::hash_token(&token), state.clock.now()).await?
    } else {
        None
    };
    let Some((_, email)) = found else {
        return reset_link_expired(&visitor);
    };
    Ok(render(ResetPage {
        layout: visitor.layout("Choose a new password"),
        email,
        errors: FormErrors::new(),
    })?
    .into_response())
}

pub async fn reset(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
    Form(form): Form<ResetForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let hash = tokens::hash_token(&token);
    let found = if tokens::looks_like_token(&token) {
        store::usable_reset(&state.db, &hash, now).await?
    } else {
        None
    };
    let Some((user_id, email)) = found else {
        return reset_link_expired(&visitor);
    };
    if let Err(message) = passwords::check_new(&form.password, &email) {
        let mut errors = FormErrors::new();
        errors.add("password", message);
        return unprocessable(ResetPage {
            layout: visitor.layout("Choose a new password"),
            email,
            errors,
        });
    }
    let password_hash = passwords::hash(form.password).await?;
    let mut tx = state.db.begin().await?;
    if !store::use_reset(&mut tx, &hash, now).await? {
        return reset_link_expired(&visitor);
    }
    store::set_password(&mut tx, user_id, &password_hash).await?;
    // Whoever knew the old password is logged out everywhere.
    sessions::delete_all_for_user(&mut tx, user_id).await?;
    throttle::clear_account(&mut tx, &email).await?;
    tx.commit().await?;
    Ok(Redirect::to("/login?notice=password-changed").into_response())
}
