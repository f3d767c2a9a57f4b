//! The one error type of the web layer. Every failure becomes a friendly page with the
//! right status; internal errors are logged (inside the request's span, which carries the
//! request id) and never shown.

use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("the form's security token is missing or wrong")]
    CsrfRejected,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("too many requests: {0}")]
    TooManyRequests(String),
    #[error("login required")]
    LoginRequired { next: String },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Internal(e.into())
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(e.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: crate::web::Layout,
    status: u16,
    heading: &'static str,
    message: String,
}

impl AppError {
    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "Page not found",
                "There is nothing at this address. Check the link, or start again from the home page.".into(),
            ),
            AppError::Forbidden(why) => (StatusCode::FORBIDDEN, "Not allowed", (*why).into()),
            AppError::CsrfRejected => (
                StatusCode::FORBIDDEN,
                "This form has expired",
                "For your safety we could not accept this form. Go back, reload the page and send it again.".into(),
            ),
            AppError::BadRequest(why) => (StatusCode::BAD_REQUEST, "We could not read that request", why.clone()),
            AppError::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "That was too much at once",
                "What you sent is larger than we accept. Shorten it and try again.".into(),
            ),
            AppError::TooManyRequests(why) => (StatusCode::TOO_MANY_REQUESTS, "Please wait a moment", why.clone()),
            AppError::LoginRequired { .. } => (StatusCode::UNAUTHORIZED, "Please log in", String::new()),
            AppError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side",
                "We have logged the problem. Please try again in a moment; what you entered was not changed.".into(),
            ),
        }
    }
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
            AppError::Internal(e) => tracing::error!(error = ?e, "internal error"),
            _ => {}
        }
        let (status, heading, message) = self.parts();
        error_page(status, heading, message)
    }
}

/// Renders the error page; also used for rejections produced outside handlers.
pub fn error_page(status: StatusCode, heading: &'static str, message: String) -> Response {
    let page = ErrorPage {
        layout: crate::web::Layout::bare(heading),
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
    response
}
