//! `AppError` as the visitor sees it: one friendly page with the right status.

use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::Layout;
use crate::error::AppError;
use crate::tokens;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    status: u16,
    heading: &'static str,
    message: String,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            AppError::LoginRequired { next } => {
                let target = format!(
                    "/login?next={}",
                    url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                );
                return Redirect::to(&target).into_response();
            }
            // Errors may quote what they failed on, a link's token too.
            AppError::Internal(e) => {
                tracing::error!(error = %tokens::redact(&format!("{e:?}")), "internal error")
            }
            AppError::Unavailable(e) => {
                tracing::warn!(error = %tokens::redact(e), "database unavailable")
            }
            _ => {}
        }
        let (status, heading, message) = self.parts();
        error_page(status, heading, message)
    }
}

/// Renders the error page; also used for rejections produced outside handlers.
pub fn error_page(status: StatusCode, heading: &'static str, message: String) -> Response {
    let page = ErrorPage {
        layout: Layout::bare(heading),
        status: status.as_u16(),
        heading,
        message,
    };
    let mut response = match page.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = ?e, "error page failed to render");
            (status, heading).into_response()
        }
    };
    if status == StatusCode::TOO_MANY_REQUESTS {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("900"));
    }
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    response
}
