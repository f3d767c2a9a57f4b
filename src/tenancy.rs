//! Tenancy primitives: which group a request acts for and with what role.
//!
//! A `TenantId` proves membership: only the membership check (`Member`, behind every
//! `/app/{tenant}/…` URL) and the creation of a group make one, so an organizer-side
//! store function that takes a `TenantId` can trust that the caller may act for that
//! group. Public pages find their group through a campaign's public URL and get a
//! `PublicTenantId` instead, which opens only what the public may do (sign, confirm,
//! read the public list). Store functions that both sides use take `impl TenantScope`.
//!
//! Tenancy owns the `tenants` and `memberships` tables; their SQL is in `store`, which
//! hands back plain ids for this module to vouch for.

pub mod store;

use std::fmt;
use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::error::AppError;
use crate::state::AppState;
use crate::web::{CurrentUser, Layout, SessionUser, TenantLink, Visitor};

/// A group the current person is a member of (see the module comment).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TenantId(Uuid);

/// A group found through a public URL: no membership behind it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PublicTenantId(Uuid);

impl PublicTenantId {
    /// Only the public lookup of a campaign by its URL calls this.
    pub fn found_by_public_url(id: Uuid) -> Self {
        Self(id)
    }
}

impl PublicTenantId {
    /// A group found by the key of an inbound list address (`list+<key>@…`): the key
    /// names one member of one group and proves nothing else about the sender. Only the
    /// coalition's key lookup calls this.
    pub fn found_by_list_key(id: Uuid) -> Self {
        Self(id)
    }
}

/// A group found by the first segment of a public URL (`/{tenant}/list`): its id for
/// what the public may do there, its slug and its name.
pub struct PublicGroup {
    pub id: PublicTenantId,
    pub slug: String,
    pub name: String,
}

pub async fn public_group(db: &PgPool, slug: &str) -> sqlx::Result<Option<PublicGroup>> {
    Ok(store::tenant_by_slug(db, slug)
        .await?
        .map(|row| PublicGroup {
            id: PublicTenantId(row.id),
            slug: row.slug,
            name: row.name,
        }))
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::TenantId {}
    impl Sealed for super::PublicTenantId {}
}

/// Either kind of tenant id, for store functions that organizers and the public both use.
pub trait TenantScope: sealed::Sealed + Copy {
    fn uuid(self) -> Uuid;
}

impl TenantScope for TenantId {
    fn uuid(self) -> Uuid {
        self.0
    }
}

impl TenantScope for PublicTenantId {
    fn uuid(self) -> Uuid {
        self.0
    }
}

impl TenantId {
    pub fn uuid(self) -> Uuid {
        self.0
    }

    /// The scheduler acts for each group on the group's own standing instructions (a
    /// reissue's opt-out date), with no person behind the request: only its jobs call
    /// this (the architecture test keeps it so).
    pub fn for_scheduled_job(id: Uuid) -> Self {
        Self(id)
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

crate::db::text_enum! {
    /// What a member may do in a group.
    pub enum Role {
        Owner = "owner",
        Organizer = "organizer",
        Viewer = "viewer",
    }
}

impl Role {
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

/// One group a person belongs to, with their role there.
#[derive(Clone, Debug)]
pub struct Membership {
    pub tenant_id: TenantId,
    pub slug: String,
    pub name: String,
    pub role: Role,
}

impl Membership {
    pub fn link(&self) -> TenantLink {
        TenantLink {
            slug: self.slug.clone(),
            name: self.name.clone(),
        }
    }
}

pub async fn memberships_of(db: &PgPool, user_id: Uuid) -> sqlx::Result<Vec<Membership>> {
    let rows = store::memberships_of(db, user_id).await?;
    Ok(rows
        .into_iter()
        .map(|row| Membership {
            tenant_id: TenantId(row.id),
            slug: row.slug,
            name: row.name,
            role: row.role,
        })
        .collect())
}

#[derive(Debug, thiserror::Error)]
pub enum CreateTenantError {
    #[error("slug taken")]
    SlugTaken,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Creates a group at `now` (the app's clock: a group's age sets its outreach mail cap);
/// the caller makes its first owner in the same transaction.
pub async fn create_tenant(
    conn: &mut PgConnection,
    slug: &TenantSlug,
    name: &str,
    now: time::OffsetDateTime,
) -> Result<TenantId, CreateTenantError> {
    let id = Uuid::new_v4();
    if !store::insert_tenant(conn, id, slug.as_str(), name, now).await? {
        return Err(CreateTenantError::SlugTaken);
    }
    Ok(TenantId(id))
}

pub async fn slug_taken(db: &PgPool, slug: &str) -> sqlx::Result<bool> {
    store::slug_taken(db, slug).await
}

pub async fn add_member(
    conn: &mut PgConnection,
    tenant: TenantId,
    user_id: Uuid,
    role: Role,
) -> sqlx::Result<()> {
    store::add_member(conn, tenant.0, user_id, role).await
}

/// The membership check behind every organizer URL: `/app/{tenant}/…` answers only to
/// members of that tenant; everyone else gets 404, as if the tenant did not exist.
pub struct Member {
    pub tenant_id: TenantId,
    pub tenant: TenantLink,
    pub role: Role,
    pub user: Arc<SessionUser>,
    pub visitor: Visitor,
    memberships: Vec<TenantLink>,
}

impl Member {
    pub fn layout(&self, title: impl Into<String>) -> Layout {
        let mut layout = self.visitor.layout(title);
        layout.tenant = Some(self.tenant.clone());
        layout.tenants = self.memberships.clone();
        layout
    }

    /// Viewers may read but not change.
    pub fn require_editor(&self) -> Result<(), AppError> {
        if self.role.can_edit() {
            Ok(())
        } else {
            Err(AppError::Forbidden("Viewers can read this group's work but not change it. Ask an owner for the organizer role."))
        }
    }

    pub fn require_owner(&self) -> Result<(), AppError> {
        if self.role.is_owner() {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "Only the group's owners can manage members.",
            ))
        }
    }

    /// Path of a page inside this tenant's organizer area.
    pub fn path(&self, rest: &str) -> String {
        format!("/app/{}{}", self.tenant.slug, rest)
    }

    /// "organizer Dana", as signature histories name who acted.
    pub fn actor(&self) -> String {
        format!("organizer {}", self.user.name)
    }
}

impl<S> FromRequestParts<S> for Member
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let slug = path_param(parts, state, "tenant")
            .await
            .ok_or(AppError::NotFound)?;
        let CurrentUser { user, visitor } = CurrentUser::from_request_parts(parts, state).await?;
        let db = AppState::from_ref(state).db;
        let memberships = memberships_of(&db, user.user_id).await?;
        let links = memberships.iter().map(Membership::link).collect();
        let current = memberships
            .into_iter()
            .find(|m| m.slug == slug)
            .ok_or(AppError::NotFound)?;
        Ok(Member {
            tenant: current.link(),
            tenant_id: current.tenant_id,
            role: current.role,
            user,
            visitor,
            memberships: links,
        })
    }
}

/// A member who may change the group's work (owners and organizers): viewers get 403.
/// For write routes that name no campaign; a campaign's write routes take
/// `campaigns::lookup::CampaignEdit`.
pub struct Editor(pub Member);

impl<S> FromRequestParts<S> for Editor
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let member = Member::from_request_parts(parts, state).await?;
        member.require_editor()?;
        Ok(Editor(member))
    }
}

/// One named parameter of the URL (`{campaign}`, `{id}`), if the route has it.
pub(crate) async fn path_param<S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
    name: &str,
) -> Option<String> {
    RawPathParams::from_request_parts(parts, state)
        .await
        .ok()
        .and_then(|params| {
            params
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_owned())
        })
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

    #[test]
    fn roles_read_back_only_known_values() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(*role));
        }
        assert_eq!(Role::parse("admin"), None);
    }
}
