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

/// A validated tenant slug: 2 to 48 lowercase letters, digits and inner hyphens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantSlug(String);

impl TenantSlug {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let slug = raw.trim().to_ascii_lowercase();
        if slug.len() < 2 || slug.len() > 48 {
            return Err("Use 2 to 48 characters.");
        }
        if !slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err("Use only letters a–z, digits and hyphens.");
        }
        if slug.starts_with('-') || slug.ends_with('-') {
            return Err("Start and end with a letter or digit.");
        }
        if RESERVED_SLUGS.contains(&slug.as_str()) {
            return Err("This address is reserved by Undersigned; choose another.");
        }
        Ok(Self(slug))
    }

    /// A slug suggested from a group's name ("Friends of the Earth" → "friends-of-the-earth").
    pub fn suggest(name: &str) -> String {
        let mut slug = String::new();
        for c in name.chars().flat_map(fold_accent) {
            if c.is_ascii_alphanumeric() {
                slug.push(c.to_ascii_lowercase());
            } else if !slug.ends_with('-') && !slug.is_empty() {
                slug.push('-');
            }
        }
        slug.truncate(48);
        slug.trim_matches('-').to_owned()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn fold_accent(c: char) -> Vec<char> {
    let folded = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'a',
        'ç' | 'Ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
        'ñ' | 'Ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
        'ý' | 'ÿ' | 'Ý' => 'y',
        'ß' => return vec!['s', 's'],
        '&' => return vec!['a', 'n', 'd'],
        other => other,
    };
    vec![folded]
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
    fn slugs_refuse_app_paths_and_odd_characters() {
        assert!(TenantSlug::parse("static").is_err());
        assert!(TenantSlug::parse("Login").is_err());
        assert!(TenantSlug::parse("a").is_err());
        assert!(TenantSlug::parse("-abc").is_err());
        assert!(TenantSlug::parse("a b").is_err());
        assert_eq!(
            TenantSlug::parse(" Clean-Air-2030 ").unwrap().as_str(),
            "clean-air-2030"
        );
    }

    #[test]
    fn slug_suggestions_fold_accents_and_punctuation() {
        assert_eq!(
            TenantSlug::suggest("Friends of the Earth"),
            "friends-of-the-earth"
        );
        assert_eq!(TenantSlug::suggest("  Café & Co.!  "), "cafe-and-co");
    }
}
