//! The one error type of the web layer and what each failure tells the visitor. `web`
//! renders it as a friendly page with the right status; internal errors are logged
//! (inside the request's span, which carries the request id) and never shown.

use axum::http::StatusCode;

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
    /// The database cannot be reached (restarting, failing over): try again shortly.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

/// Whether an error means the database is away (not that a query was wrong): the pool
/// could not get a connection, a connection broke, or the server is shutting down,
/// starting up or refusing connections.
pub fn database_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            code.starts_with("08")
                || code.starts_with("57P")
                || code == "53300"
                || code == "55000"
                // lock_not_available: a lock waited for longer than its timeout
                || code == "55P03"
        }),
        _ => false,
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        if database_unavailable(&e) {
            AppError::Unavailable(e.to_string())
        } else {
            AppError::Internal(e.into())
        }
    }
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        match e.downcast_ref::<sqlx::Error>() {
            Some(db) if database_unavailable(db) => AppError::Unavailable(db.to_string()),
            _ => AppError::Internal(e),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(e.into())
    }
}

impl AppError {
    /// Status, heading and message of the page that tells the visitor what went wrong.
    pub fn parts(&self) -> (StatusCode, &'static str, String) {
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
            AppError::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Back in a moment",
                "We cannot reach our database right now, so nothing was saved or changed. Please try again in a few seconds; if you were sending a form, go back: what you typed is still there.".into(),
            ),
            AppError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side",
                "We have logged the problem. Please try again in a moment; what you entered was not changed.".into(),
            ),
        }
    }
}
