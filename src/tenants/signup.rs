//! Starting an organizing group: a new group with its first owner, and a new account for
//! that owner unless they are logged in already.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use crate::auth::{passwords, start_session, store as auth_store};
use crate::error::{AppError, AppResult};
use crate::mail::EmailAddress;
use crate::state::AppState;
use crate::tenancy::{self, CreateTenantError, Role, TenantSlug};
use crate::web::{render, unprocessable, Form, FormErrors, Layout, Visitor};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignupForm {
    pub group_name: String,
    pub slug: String,
    pub name: String,
    pub email: String,
    pub password: String,
}

#[derive(Template)]
#[template(path = "tenants/signup.html")]
struct SignupPage {
    layout: Layout,
    form: SignupForm,
    errors: FormErrors,
    logged_in: bool,
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
    })
}

pub async fn signup(
    State(state): State<AppState>,
    visitor: Visitor,
    Form(mut form): Form<SignupForm>,
) -> AppResult<Response> {
    let user = visitor.user().cloned();
    let mut errors = FormErrors::new();

    let group_name = form.group_name.trim().to_owned();
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
            errors.add(
                "slug",
                "Another group already uses this address; choose another.",
            );
        }
    }

    let mut email = None;
    if user.is_none() {
        if form.name.trim().is_empty() {
            errors.add("name", "Enter your name.");
        } else if form.name.trim().chars().count() > 120 {
            errors.add("name", "Use at most 120 characters.");
        }
        match EmailAddress::parse(&form.email) {
            Ok(parsed) => {
                if auth_store::email_taken(&state.db, parsed.as_str()).await? {
                    errors.add("email", "An account with this email already exists. Log in, or reset your password.");
                }
                email = Some(parsed);
            }
            Err(message) => errors.add("email", message),
        }
        if let Err(message) = passwords::check_new(&form.password, &form.email) {
            errors.add("password", message);
        }
    }

    let rerender = |form: SignupForm, errors: FormErrors| -> AppResult<Response> {
        unprocessable(SignupPage {
            layout: visitor.layout("Start your organizing group"),
            form: SignupForm {
                password: String::new(),
                ..form
            },
            errors,
            logged_in: user.is_some(),
        })
    };
    let Some(slug) = slug.filter(|_| errors.is_empty()) else {
        return rerender(form, errors);
    };

    let now = state.clock.now();
    let password_hash = match &user {
        None => Some(passwords::hash(form.password.clone()).await?),
        Some(_) => None,
    };
    let mut tx = state.db.begin().await?;
    let (user_id, cookies) = match (&user, email, password_hash) {
        (Some(user), _, _) => (user.user_id, CookieJar::new()),
        (None, Some(email), Some(hash)) => {
            let user_id = match auth_store::create_user(
                &mut tx,
                email.as_str(),
                form.name.trim(),
                &hash,
            )
            .await
            {
                Ok(id) => id,
                Err(auth_store::CreateUserError::EmailTaken) => {
                    errors.add("email", "An account with this email already exists. Log in, or reset your password.");
                    return rerender(form, errors);
                }
                Err(auth_store::CreateUserError::Database(e)) => return Err(e.into()),
            };
            let cookies = start_session(&mut tx, &visitor.context, user_id, now).await?;
            (user_id, cookies)
        }
        _ => return Err(AppError::Internal(anyhow::anyhow!("sign-up without email"))),
    };
    let tenant = match tenancy::create_tenant(&mut tx, &slug, &group_name).await {
        Ok(tenant) => tenant,
        Err(CreateTenantError::SlugTaken) => {
            errors.add(
                "slug",
                "Another group already uses this address; choose another.",
            );
            return rerender(form, errors);
        }
        Err(CreateTenantError::Database(e)) => return Err(e.into()),
    };
    tenancy::add_member(&mut tx, tenant, user_id, Role::Owner).await?;
    tx.commit().await?;
    Ok((
        cookies,
        Redirect::to(&format!("/app/{}?notice=welcome", slug.as_str())),
    )
        .into_response())
}
