//! What every area shares: the page layout, request context (session, CSRF, client
//! address), extractors, form handling, sessions and the error page. Knows no product area.

mod context;
mod error_page;
mod extract;
mod form;
mod headers;
mod layout;
mod rate_limit;
pub mod sessions;
pub mod slug;

pub use context::{
    context_layer, RequestContext, SessionUser, CSRF_FIELD, DEVICE_COOKIE, FORM_BODY_LIMIT,
    SESSION_COOKIE, UPLOAD_BODY_LIMIT,
};
pub use error_page::error_page;
pub use extract::{CurrentUser, Visitor};
pub use form::{Form, FormErrors, Path, Query};
pub use headers::security_headers;
pub use layout::{format_date, format_datetime, Layout, TenantLink};
pub use rate_limit::RateLimiter;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::error::AppResult;

pub fn render(template: impl Template) -> AppResult<Html<String>> {
    Ok(Html(template.render()?))
}

/// The page again with what was typed and what to fix: 422, so the browser and tests can
/// tell a refused form from an accepted one.
pub fn unprocessable(template: impl Template) -> AppResult<Response> {
    render_with(StatusCode::UNPROCESSABLE_ENTITY, template)
}

/// A page with a status other than 200 (422 for a refused form, 410 for a spent link…).
pub fn render_with(status: StatusCode, template: impl Template) -> AppResult<Response> {
    Ok((status, render(template)?).into_response())
}

/// Where to go after logging in: only paths on this site, never another host.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && n.len() < 2000 =>
        {
            n.to_owned()
        }
        _ => "/app".to_owned(),
    }
}
