//! Extractors for who is asking: any visitor, or a logged-in person. They work in every
//! area's router, whatever its state, as long as that state holds the shared `AppState`.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts, Query};
use axum::http::request::Parts;

use super::{Layout, RequestContext, SessionUser};
use crate::error::AppError;
use crate::state::AppState;

#[derive(serde::Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

fn notice_of(parts: &Parts, state: &AppState) -> Option<&'static str> {
    Query::<NoticeQuery>::try_from_uri(&parts.uri)
        .ok()
        .and_then(|Query(q)| q.notice)
        .and_then(|key| state.notices.text(&key))
}

fn context_of(parts: &Parts) -> Result<RequestContext, AppError> {
    parts
        .extensions
        .get::<RequestContext>()
        .cloned()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("request context layer missing")))
}

/// Anyone, logged in or not.
pub struct Visitor {
    pub context: RequestContext,
    pub notice: Option<&'static str>,
    pub dev_mailbox: bool,
    /// When the request arrived, from the app's clock.
    pub now: time::OffsetDateTime,
}

impl Visitor {
    pub fn layout(&self, title: impl Into<String>) -> Layout {
        Layout {
            title: title.into(),
            user_name: self.context.user.as_ref().map(|u| u.name.clone()),
            tenant: None,
            tenants: Vec::new(),
            csrf_token: self.context.csrf_token(),
            notice: self.notice,
            dev_mailbox: self.dev_mailbox,
            // Only the home page and published campaign pages are for search engines.
            noindex: true,
            now: self.now,
            signer_facing: false,
        }
    }

    pub fn user(&self) -> Option<&SessionUser> {
        self.context.user.as_deref()
    }
}

impl<S> FromRequestParts<S> for Visitor
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        Ok(Visitor {
            context: context_of(parts)?,
            notice: notice_of(parts, &state),
            dev_mailbox: state.config.dev_mailbox,
            now: state.clock.now(),
        })
    }
}

/// A logged-in person; anyone else is sent to the login page and brought back after.
pub struct CurrentUser {
    pub user: Arc<SessionUser>,
    pub visitor: Visitor,
}

impl<S> FromRequestParts<S> for CurrentUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let visitor = Visitor::from_request_parts(parts, state).await?;
        match visitor.context.user.clone() {
            Some(user) => Ok(CurrentUser { user, visitor }),
            None => Err(AppError::LoginRequired {
                next: parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_else(|| "/app".into()),
            }),
        }
    }
}
