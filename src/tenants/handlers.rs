use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::Duration;
use uuid::Uuid;

use super::emails::Invitation;
use super::store::{self, InvitationRow, Invited, MemberRow, NewInvitation};
use crate::error::{AppError, AppResult};
use crate::mail::{self, EmailAddress, Outgoing};
use crate::state::AppState;
use crate::tenancy::store::MembershipChangeError;
use crate::tenancy::{self, Member, Membership, Role};
use crate::tokens;
use crate::web::{render, render_with, unprocessable, CurrentUser, Form, FormErrors, Layout, Path};
use axum::http::StatusCode;

pub const INVITATION_VALID_FOR: Duration = Duration::days(7);

/// The member a URL names (`/app/{tenant}/members/{user_id}…`).
#[derive(Deserialize)]
pub struct MemberPath {
    user_id: Uuid,
}

/// The invitation a URL names (`/app/{tenant}/invitations/{id}…`).
#[derive(Deserialize)]
pub struct InvitationPath {
    id: Uuid,
}

#[derive(Template)]
#[template(path = "tenants/choose.html")]
struct ChoosePage {
    layout: Layout,
    tenants: Vec<Membership>,
}

/// `/app`: straight to the only group, or a list to choose from.
pub async fn choose_tenant(
    State(state): State<AppState>,
    current: CurrentUser,
) -> AppResult<Response> {
    let tenants = tenancy::memberships_of(&state.db, current.user.user_id).await?;
    if tenants.len() == 1 {
        return Ok(Redirect::to(&format!("/app/{}", tenants[0].slug)).into_response());
    }
    let mut layout = current.visitor.layout("Your groups");
    layout.tenants = tenants.iter().map(Membership::link).collect();
    Ok(render(ChoosePage { layout, tenants })?.into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteForm {
    pub email: String,
    pub role: String,
}

#[derive(Template)]
#[template(path = "tenants/members.html")]
struct MembersPage {
    layout: Layout,
    members: Vec<MemberRow>,
    invitations: Vec<InvitationRow>,
    is_owner: bool,
    me: Uuid,
    base: String,
    form: InviteForm,
    errors: FormErrors,
    roles: &'static [Role],
}

async fn members_page(
    state: &AppState,
    member: &Member,
    form: InviteForm,
    errors: FormErrors,
) -> AppResult<MembersPage> {
    let members = store::members(&state.db, member.tenant_id).await?;
    let invitations =
        store::pending_invitations(&state.db, member.tenant_id, state.clock.now()).await?;
    Ok(MembersPage {
        layout: member.layout(format!("Members of {}", member.tenant.name)),
        members,
        invitations,
        is_owner: member.role.is_owner(),
        me: member.user.user_id,
        base: member.path(""),
        form,
        errors,
        roles: Role::ALL,
    })
}

pub async fn members(State(state): State<AppState>, member: Member) -> AppResult<Html<String>> {
    let form = InviteForm {
        role: Role::Organizer.as_str().into(),
        ..InviteForm::default()
    };
    render(members_page(&state, &member, form, FormErrors::new()).await?)
}

pub async fn invite(
    State(state): State<AppState>,
    member: Member,
    Form(form): Form<InviteForm>,
) -> AppResult<Response> {
    member.require_owner()?;
    let mut errors = FormErrors::new();
    let email = match EmailAddress::parse(&form.email) {
        Ok(email) => Some(email),
        Err(message) => {
            errors.add("email", message);
            None
        }
    };
    let role = Role::parse(&form.role);
    if role.is_none() {
        errors.add("role", "Choose a role.");
    }
    if let Some(email) = &email {
        if store::is_member_email(&state.db, member.tenant_id, email.as_str()).await? {
            errors.add("email", "This person is already a member.");
        }
    }
    let (Some(email), Some(role), true) = (email, role, errors.is_empty()) else {
        return unprocessable(members_page(&state, &member, form, errors).await?);
    };

    let now = state.clock.now();
    let expires_at = now + INVITATION_VALID_FOR;
    let token = tokens::new_token();
    let mut tx = state.db.begin().await?;
    let invited = store::invite(
        &mut tx,
        member.tenant_id,
        NewInvitation {
            email: email.as_str(),
            role,
            invited_by: member.user.user_id,
            token_hash: &token.hash,
            now,
            expires_at,
        },
    )
    .await?;
    let (invitation_id, sequence) = match invited {
        Invited::Send { id, sequence } => (id, sequence),
        Invited::RecentlySent => {
            tx.commit().await?;
            return Ok(
                Redirect::to(&member.path("/members?notice=invite-recently-sent")).into_response(),
            );
        }
        Invited::HourlyLimit => {
            drop(tx);
            let mut errors = FormErrors::new();
            errors.add(
                "email",
                format!(
                    "This group has sent {} invitations in the last hour; wait a while before sending more.",
                    store::INVITATIONS_PER_HOUR
                ),
            );
            return render_with(
                StatusCode::TOO_MANY_REQUESTS,
                members_page(&state, &member, form, errors).await?,
            );
        }
    };
    mail::enqueue(
        &mut tx,
        Outgoing {
            tenant: Some(member.tenant_id.uuid()),
            idempotency_key: format!("invitation:{invitation_id}:{sequence}"),
            recipient: email.as_str(),
            message: Invitation {
                tenant_name: member.tenant.name.clone(),
                inviter_name: member.user.name.clone(),
                role: role.as_str().into(),
                link: state.config.link(&format!("/invite/{}", token.token)),
                expires: crate::web::format_date(&expires_at),
            },
            send_at: now,
            bulk: false,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&member.path("/members?notice=invite-sent")).into_response())
}

pub async fn revoke_invitation(
    State(state): State<AppState>,
    member: Member,
    Path(InvitationPath { id }): Path<InvitationPath>,
) -> AppResult<Response> {
    member.require_owner()?;
    if !store::revoke_invitation(&state.db, member.tenant_id, id, state.clock.now()).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&member.path("/members?notice=invite-revoked")).into_response())
}

#[derive(Template)]
#[template(path = "tenants/member.html")]
struct MemberPage {
    layout: Layout,
    person: MemberRow,
    is_owner: bool,
    is_me: bool,
    base: String,
    roles: &'static [Role],
    error: Option<&'static str>,
}

async fn load_member(state: &AppState, member: &Member, user_id: Uuid) -> AppResult<MemberRow> {
    store::member(&state.db, member.tenant_id, user_id)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn member_page(
    State(state): State<AppState>,
    member: Member,
    Path(MemberPath { user_id }): Path<MemberPath>,
) -> AppResult<Html<String>> {
    let person = load_member(&state, &member, user_id).await?;
    render(MemberPage {
        layout: member.layout(person.name.clone()),
        is_me: person.user_id == member.user.user_id,
        person,
        is_owner: member.role.is_owner(),
        base: member.path(""),
        roles: Role::ALL,
        error: None,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RoleForm {
    pub role: String,
}

const LAST_OWNER: &str = "A group needs at least one owner. Make someone else an owner first.";

pub async fn change_role(
    State(state): State<AppState>,
    member: Member,
    Path(MemberPath { user_id }): Path<MemberPath>,
    Form(form): Form<RoleForm>,
) -> AppResult<Response> {
    let person = load_member(&state, &member, user_id).await?;
    member.require_owner()?;
    let Some(role) = Role::parse(&form.role) else {
        return Err(AppError::BadRequest(
            "Choose one of the roles listed.".into(),
        ));
    };
    let mut tx = state.db.begin().await?;
    match tenancy::store::change_role(&mut tx, member.tenant_id, user_id, role).await {
        Ok(()) => {}
        Err(MembershipChangeError::LastOwner) => {
            return unprocessable(MemberPage {
                layout: member.layout(person.name.clone()),
                is_me: person.user_id == member.user.user_id,
                person,
                is_owner: true,
                base: member.path(""),
                roles: Role::ALL,
                error: Some(LAST_OWNER),
            });
        }
        Err(MembershipChangeError::NotMember) => return Err(AppError::NotFound),
        Err(MembershipChangeError::Database(e)) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(Redirect::to(&member.path("/members?notice=role-changed")).into_response())
}

#[derive(Template)]
#[template(path = "tenants/confirm_remove.html")]
struct ConfirmRemovePage {
    layout: Layout,
    person: MemberRow,
    is_me: bool,
    base: String,
    error: Option<&'static str>,
}

/// Owners remove members; anyone may remove themselves (leave the group).
fn may_remove(member: &Member, user_id: Uuid) -> AppResult<()> {
    if member.user.user_id == user_id {
        Ok(())
    } else {
        member.require_owner()
    }
}

pub async fn confirm_remove(
    State(state): State<AppState>,
    member: Member,
    Path(MemberPath { user_id }): Path<MemberPath>,
) -> AppResult<Html<String>> {
    let person = load_member(&state, &member, user_id).await?;
    may_remove(&member, user_id)?;
    render(ConfirmRemovePage {
        layout: member.layout("Remove a member"),
        is_me: person.user_id == member.user.user_id,
        person,
        base: member.path(""),
        error: None,
    })
}

pub async fn remove_member(
    State(state): State<AppState>,
    member: Member,
    Path(MemberPath { user_id }): Path<MemberPath>,
) -> AppResult<Response> {
    let person = load_member(&state, &member, user_id).await?;
    may_remove(&member, user_id)?;
    let mut tx = state.db.begin().await?;
    match tenancy::store::remove_member(&mut tx, member.tenant_id, user_id).await {
        Ok(()) => {}
        Err(MembershipChangeError::LastOwner) => {
            return unprocessable(ConfirmRemovePage {
                layout: member.layout("Remove a member"),
                is_me: person.user_id == member.user.user_id,
                person,
                base: member.path(""),
                error: Some(LAST_OWNER),
            });
        }
        Err(MembershipChangeError::NotMember) => return Err(AppError::NotFound),
        Err(MembershipChangeError::Database(e)) => return Err(e.into()),
    }
    tx.commit().await?;
    if user_id == member.user.user_id {
        return Ok(Redirect::to("/app?notice=left").into_response());
    }
    Ok(Redirect::to(&member.path("/members?notice=member-removed")).into_response())
}
