//! Who is reading or posting on a group's public list pages. A member signed in for this
//! group (the cookie is scoped to `/{tenant}/list`, and its session row to the group)
//! comes first; then a logged-in organizer whose memberships include THIS group (an
//! organizer of another group is nobody here); then, for reading only, anyone when the
//! organizers made the archive public.

use axum_extra::extract::cookie::CookieJar;
use uuid::Uuid;

use crate::coalition::member_auth;
use crate::coalition::store::{self, ListMember, ListSettings};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::tenancy::{self, PublicGroup, Role, TenantId};
use crate::web::Visitor;

pub enum Reader {
    Member(Box<ListMember>),
    Organizer {
        tenant: TenantId,
        user_id: Uuid,
        name: String,
        role: Role,
    },
    /// Anyone, because the archive is public.
    Public,
}

impl Reader {
    pub fn is_member(&self) -> bool {
        matches!(self, Reader::Member(_))
    }

    /// An organizer who may moderate (remove a post from the thread page).
    pub fn editor_tenant(&self) -> Option<TenantId> {
        match self {
            Reader::Organizer { tenant, role, .. } if role.can_edit() => Some(*tenant),
            _ => None,
        }
    }
}

/// The group of the URL and its list: 404 when either is missing.
pub struct ListOf {
    pub group: PublicGroup,
    pub settings: ListSettings,
}

pub async fn list_of(state: &AppState, slug: &str) -> AppResult<ListOf> {
    let group = tenancy::public_group(&state.db, slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let settings = store::list(&state.db, group.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(ListOf { group, settings })
}

/// Who this visitor is to the group's list, if anyone: a signed-in member, or one of the
/// group's organizers (any role).
pub async fn who(
    state: &AppState,
    jar: &CookieJar,
    visitor: &Visitor,
    group: &PublicGroup,
) -> AppResult<Option<Reader>> {
    if let Some(member) = member_auth::signed_in(state, jar, group.id, visitor.now).await? {
        return Ok(Some(Reader::Member(Box::new(member))));
    }
    if let Some(user) = visitor.user() {
        let memberships = tenancy::memberships_of(&state.db, user.user_id).await?;
        if let Some(m) = memberships.into_iter().find(|m| m.slug == group.slug) {
            return Ok(Some(Reader::Organizer {
                tenant: m.tenant_id,
                user_id: user.user_id,
                name: user.name.clone(),
                role: m.role,
            }));
        }
    }
    Ok(None)
}

/// Who may read the archive: someone of the group, or anyone when it is public.
pub async fn reader(
    state: &AppState,
    jar: &CookieJar,
    visitor: &Visitor,
    list: &ListOf,
) -> AppResult<Option<Reader>> {
    match who(state, jar, visitor, &list.group).await? {
        Some(reader) => Ok(Some(reader)),
        None if list.settings.archive_public => Ok(Some(Reader::Public)),
        None => Ok(None),
    }
}
