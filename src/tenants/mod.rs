//! Groups (tenants) as their organizers run them: starting one, its members and roles,
//! and invitations to join its team. The tenancy primitives (`TenantId`, `Role`, the
//! membership check) live in `crate::tenancy`.

mod emails;
mod handlers;
mod invitations;
mod signup;
pub mod store;

use axum::routing::{get, post};
use axum::Router;

pub use emails::{ConfirmSignup, Invitation, SignupWithExistingAccount};

use crate::state::AppState;

pub const NOTICES: &[(&str, &str)] = &[
    ("invite-sent", "Invitation sent. It stays valid for 7 days."),
    ("invite-recently-sent", "That address was invited less than an hour ago, so no second email went out; the invitation now offers the role you chose. It can be sent again after an hour."),
    ("invite-revoked", "Invitation withdrawn."),
    ("role-changed", "Role changed."),
    ("member-removed", "Member removed."),
    ("joined", "Welcome! You have joined this group."),
    ("welcome", "Your organizing group is ready."),
    ("left", "You have left that group."),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/signup", get(signup::signup_page).post(signup::signup))
        .route("/signup/sent", get(signup::sent))
        .route(
            "/signup/confirm/{token}",
            get(signup::confirm_page).post(signup::confirm),
        )
        .route("/app", get(handlers::choose_tenant))
        .route("/app/{tenant}/members", get(handlers::members))
        .route("/app/{tenant}/members/invite", post(handlers::invite))
        .route(
            "/app/{tenant}/members/{user_id}",
            get(handlers::member_page),
        )
        .route(
            "/app/{tenant}/members/{user_id}/role",
            post(handlers::change_role),
        )
        .route(
            "/app/{tenant}/members/{user_id}/remove",
            get(handlers::confirm_remove).post(handlers::remove_member),
        )
        .route(
            "/app/{tenant}/invitations/{id}/revoke",
            post(handlers::revoke_invitation),
        )
        .route(
            "/invite/{token}",
            get(invitations::show).post(invitations::accept),
        )
        .route(
            "/invite/{token}/signup",
            post(invitations::accept_with_new_account),
        )
}
