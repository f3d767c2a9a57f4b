//! Accepting an emailed invitation: with the account you are logged in to, or by creating
//! one for the invited address.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::store::{self, InvitationByToken};
use crate::auth::{passwords, start_session, store as auth_store, LinkExpiredPage};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::tokens;
use crate::web::{
    render, render_with, unprocessable, CurrentUser, Form, FormErrors, Layout, Path, Visitor,
};

#[derive(Template)]
#[template(path = "tenants/invitation.html")]
struct InvitationPage {
    layout: Layout,
    invitation: InvitationByToken,
    token: String,
    logged_in_as: Option<String>,
    /// Logged in under another address than the one invited: nothing can be accepted.
    wrong_account: bool,
    account_exists: bool,
    form: NewAccountForm,
    errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewAccountForm {
    pub name: String,
    pub password: String,
}

fn expired(visitor: &Visitor) -> AppResult<Response> {
    let page = LinkExpiredPage {
        layout: visitor.layout("This invitation no longer works"),
        what: "This invitation has expired, was withdrawn or was already used. Invitations work once, for 7 days.",
        next_step: "Ask the person who invited you to send a new invitation, or go to the home page",
        next_link: "/",
    };
    render_with(StatusCode::GONE, page)
}

async fn find(state: &AppState, token: &str) -> AppResult<Option<InvitationByToken>> {
    if !tokens::looks_like_token(token) {
        return Ok(None);
    }
    Ok(
        store::invitation_by_token(&state.db, &tokens::hash_token(token), state.clock.now())
            .await?
            .filter(|i| i.usable),
    )
}

async fn page(
    state: &AppState,
    visitor: &Visitor,
    invitation: InvitationByToken,
    token: String,
    form: NewAccountForm,
    errors: FormErrors,
) -> AppResult<InvitationPage> {
    let account_exists = auth_store::email_taken(&state.db, &invitation.email).await?;
    let layout = visitor.layout(format!("Join {}", invitation.tenant_name));
    Ok(InvitationPage {
        layout,
        logged_in_as: visitor.user().map(|u| format!("{} ({})", u.name, u.email)),
        wrong_account: visitor
            .user()
            .is_some_and(|u| !is_invited(&invitation, &u.email)),
        invitation,
        token,
        account_exists,
        form,
        errors,
    })
}

/// An invitation is for the address it was sent to, and only that address's account.
fn is_invited(invitation: &InvitationByToken, email: &str) -> bool {
    invitation.email.to_lowercase() == email.trim().to_lowercase()
}

pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let Some(invitation) = find(&state, &token).await? else {
        return expired(&visitor);
    };
    let page = page(
        &state,
        &visitor,
        invitation,
        token,
        NewAccountForm::default(),
        FormErrors::new(),
    )
    .await?;
    Ok(render(page)?.into_response())
}

/// Accepts with the account the visitor is logged in to.
pub async fn accept(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let Some(invitation) = find(&state, &token).await? else {
        return expired(&current.visitor);
    };
    if !is_invited(&invitation, &current.user.email) {
        let page = page(
            &state,
            &current.visitor,
            invitation,
            token,
            NewAccountForm::default(),
            FormErrors::new(),
        )
        .await?;
        return render_with(StatusCode::FORBIDDEN, page);
    }
    let mut tx = state.db.begin().await?;
    if !store::accept_invitation(
        &mut tx,
        &invitation,
        current.user.user_id,
        state.clock.now(),
    )
    .await?
    {
        return expired(&current.visitor);
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/app/{}?notice=joined", invitation.tenant_slug)).into_response())
}

/// Creates an account for the invited address, accepts, and logs the new member in.
pub async fn accept_with_new_account(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
    Form(form): Form<NewAccountForm>,
) -> AppResult<Response> {
    let Some(invitation) = find(&state, &token).await? else {
        return expired(&visitor);
    };
    let mut errors = FormErrors::new();
    let name = form.name.trim().to_owned();
    if name.is_empty() {
        errors.add("name", "Enter your name.");
    } else if name.chars().count() > 120 {
        errors.add("name", "Use at most 120 characters.");
    }
    if let Err(message) = passwords::check_new(&form.password, &invitation.email) {
        errors.add("password", message);
    }
    if auth_store::email_taken(&state.db, &invitation.email).await? {
        errors.add(
            "name",
            "An account with this email already exists: log in to accept instead.",
        );
    }
    if !errors.is_empty() {
        let form = NewAccountForm {
            password: String::new(),
            ..form
        };
        let page = page(&state, &visitor, invitation, token, form, errors).await?;
        return unprocessable(page);
    }

    let now = state.clock.now();
    let password_hash = passwords::hash(form.password).await?;
    let mut tx = state.db.begin().await?;
    let user_id =
        match auth_store::create_user(&mut tx, &invitation.email, &name, &password_hash).await {
            Ok(id) => id,
            Err(auth_store::CreateUserError::EmailTaken) => {
                return Err(AppError::BadRequest(
                    "An account with this email already exists: log in to accept the invitation."
                        .into(),
                ))
            }
            Err(auth_store::CreateUserError::Database(e)) => return Err(e.into()),
        };
    if !store::accept_invitation(&mut tx, &invitation, user_id, now).await? {
        return expired(&visitor);
    }
    let cookies = start_session(&mut tx, &visitor.context, user_id, now).await?;
    tx.commit().await?;
    Ok((
        cookies,
        Redirect::to(&format!("/app/{}?notice=joined", invitation.tenant_slug)),
    )
        .into_response())
}
