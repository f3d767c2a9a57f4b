//! Tenants (organizing groups), their members and roles, and invitations to join.

mod handlers;
mod invitations;
mod member;
pub mod store;

use std::fmt;

use axum::routing::{get, post};
use axum::Router;
use uuid::Uuid;

pub use member::Member;

use crate::app::AppState;

/// A tenant's id. Only the membership check (`Member`) and the tenant store make one, so
/// a store function that takes a `TenantId` can trust that the caller may act for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TenantId(Uuid);

impl TenantId {
    pub fn uuid(self) -> Uuid {
        self.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Owner,
    Organizer,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Owner, Role::Organizer, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Organizer => "organizer",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(raw: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::Organizer => "Organizer",
            Role::Viewer => "Viewer",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Role::Owner => "everything, including members and roles",
            Role::Organizer => "runs campaigns and outreach",
            Role::Viewer => "can read everything, change nothing",
        }
    }

    pub fn can_edit(self) -> bool {
        matches!(self, Role::Owner | Role::Organizer)
    }

    pub fn is_owner(self) -> bool {
        self == Role::Owner
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Tenant slugs become the first segment of public URLs, so the app's own paths are refused.
pub const RESERVED_SLUGS: &[&str] = &[
    "about",
    "account",
    "admin",
    "api",
    "app",
    "assets",
    "auth",
    "dev",
    "favicon.ico",
    "health",
    "healthz",
    "help",
    "invite",
    "invites",
    "login",
    "logout",
    "mail",
    "new",
    "password",
    "privacy",
    "robots.txt",
    "settings",
    "signup",
    "static",
    "terms",
    "unsubscribe",
    "www",
];

/// A validated tenant slug: 2 to 48 lowercase letters, digits and inner hyphens, never
/// one of the app's own paths.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantSlug(String);

impl TenantSlug {
    pub const MAX_LEN: usize = 48;

    pub fn parse(raw: &str) -> Result<Self, String> {
        crate::web::slug::parse(raw, Self::MAX_LEN, RESERVED_SLUGS).map(Self)
    }

    /// A slug suggested from a group's name ("Friends of the Earth" → "friends-of-the-earth").
    pub fn suggest(name: &str) -> String {
        crate::web::slug::suggest(name, Self::MAX_LEN)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/app", get(handlers::choose_tenant))
        .route("/app/{tenant}", get(handlers::dashboard))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_slugs_refuse_the_apps_own_paths() {
        for path in ["static", "Login", "app", "healthz"] {
            assert!(TenantSlug::parse(path).is_err(), "{path}");
        }
        assert_eq!(
            TenantSlug::parse("clean-air").unwrap().as_str(),
            "clean-air"
        );
    }
}
