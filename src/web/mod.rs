//! What every area shares: the page layout, request context (session, CSRF, client
//! address), extractors, form handling, sessions and the error page. Knows no product area.

mod context;
mod error_page;
mod extract;
mod form;
mod headers;
mod layout;
mod markdown;
mod rate_limit;
pub mod sessions;
pub mod slug;
pub mod started;

pub use context::{
    context_layer, is_forbidden_control, RequestContext, CSRF_FIELD, DEVICE_COOKIE,
    FORM_BODY_LIMIT, SESSION_COOKIE, UPLOAD_BODY_LIMIT,
};
pub use error_page::error_page;
pub use extract::{CurrentUser, Visitor};
pub use form::{Form, FormErrors, Path, Query};
pub use headers::security_headers;
pub use layout::{
    format_count, format_date, format_date_in, format_datetime, format_datetime_in, format_day,
    iso8601, Layout, TenantLink,
};
pub use markdown::{render_markdown, render_post_markdown};
pub use rate_limit::RateLimit;
pub use sessions::SessionUser;

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

/// Where to go after logging in: a path on this site, never another host. `next` is read
/// as a URL relative to `base` and must keep its origin; control characters (a tab that
/// browsers drop to make `//host`, a CR or LF that would break the header) are refused
/// outright. Anything else sends the person to their groups.
pub fn safe_next(base: &url::Url, next: Option<&str>) -> String {
    const HOME: &str = "/app";
    let Some(next) = next else {
        return HOME.into();
    };
    if next.len() > 2000 || !next.starts_with('/') || next.chars().any(char::is_control) {
        return HOME.into();
    }
    match base.join(next) {
        // Checked on the result too: dot-segments can turn /..//host into //host.
        Ok(url)
            if url.origin() == base.origin()
                && !next.starts_with("//")
                && !next.contains('\\')
                && !url.path().starts_with("//") =>
        {
            match url.query() {
                Some(query) => format!("{}?{query}", url.path()),
                None => url.path().to_owned(),
            }
        }
        _ => HOME.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        let base = url::Url::parse("http://127.0.0.1:3000/").unwrap();
        let next = |n: &str| safe_next(&base, Some(n));
        assert_eq!(
            next("/app/river/campaigns?state=pending"),
            "/app/river/campaigns?state=pending"
        );
        assert_eq!(next("/invite/abc"), "/invite/abc");
        for bad in [
            "//evil.example/x",
            "/\t/evil.example/x",
            "/\\evil.example",
            "/..//evil.example/x",
            "/.//evil.example",
            "/%2e%2e//evil.example",
            "https://evil.example/",
            "/x\r\nSet-Cookie: a=b",
            "evil.example",
            "",
        ] {
            assert_eq!(next(bad), "/app", "{bad:?}");
        }
        assert_eq!(safe_next(&base, None), "/app");
    }
}
