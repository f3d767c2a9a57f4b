//! The membership check behind every organizer URL: `/app/{tenant}/…` answers only to
//! members of that tenant; everyone else gets 404, as if the tenant did not exist.

use std::sync::Arc;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;

use super::{store, Role, TenantId};
use crate::app::AppState;
use crate::error::AppError;
use crate::web::{CurrentUser, Layout, SessionUser, TenantNav, Visitor};

pub struct Member {
    pub tenant_id: TenantId,
    pub tenant: TenantNav,
    pub role: Role,
    pub user: Arc<SessionUser>,
    pub visitor: Visitor,
    memberships: Vec<TenantNav>,
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
}

impl FromRequestParts<AppState> for Member {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let slug = RawPathParams::from_request_parts(parts, state)
            .await
            .ok()
            .and_then(|params| {
                params
                    .iter()
                    .find(|(k, _)| *k == "tenant")
                    .map(|(_, v)| v.to_owned())
            })
            .ok_or(AppError::NotFound)?;
        let CurrentUser { user, visitor } = CurrentUser::from_request_parts(parts, state).await?;
        let rows = store::memberships_of(&state.db, user.user_id).await?;
        let memberships: Vec<TenantNav> = rows
            .iter()
            .map(|m| TenantNav {
                slug: m.slug.clone(),
                name: m.name.clone(),
                role: m.role,
            })
            .collect();
        let current = rows
            .into_iter()
            .find(|m| m.slug == slug)
            .ok_or(AppError::NotFound)?;
        Ok(Member {
            tenant_id: TenantId(current.tenant_id),
            tenant: TenantNav {
                slug: current.slug,
                name: current.name,
                role: current.role,
            },
            role: current.role,
            user,
            visitor,
            memberships,
        })
    }
}
