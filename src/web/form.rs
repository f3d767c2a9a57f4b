//! Form and path extractors whose failures become friendly pages, never 500s.

use std::collections::BTreeMap;

use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// A urlencoded form (repeated fields become a `Vec`, as in `point=…&point=…`) with
/// rejections turned into our 400/413 pages. Form structs keep every field as text
/// (`#[serde(default)]`), so a missing or odd field becomes a message next to that field
/// instead of a failed request.
pub struct Form<T>(pub T);

impl<T, S> FromRequest<S> for Form<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum_extra::extract::Form::<T>::from_request(req, state).await {
            Ok(axum_extra::extract::Form(value)) => Ok(Form(value)),
            Err(e) => Err(AppError::BadRequest(format!(
                "The form could not be read ({}). Go back and send it again.",
                e.body_text()
            ))),
        }
    }
}

/// `axum::extract::Path` where anything that does not parse (a malformed id, a number
/// too large) simply names nothing: 404.
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // A control character (a NUL, say) names nothing we could have stored.
        if super::context::has_forbidden_controls(parts.uri.path().as_bytes()) {
            return Err(AppError::NotFound);
        }
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(PathRejection::FailedToDeserializePathParams(_)) => Err(AppError::NotFound),
            Err(e) => Err(AppError::Internal(anyhow::anyhow!(
                "path extraction: {}",
                e.body_text()
            ))),
        }
    }
}

/// `axum::extract::Query` whose failures (bad percent-encoding, odd values) become our
/// 400 page.
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        if super::context::has_forbidden_controls(query.as_bytes()) {
            return Err(AppError::BadRequest(
                super::context::CONTROL_CHARACTERS.into(),
            ));
        }
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|axum::extract::Query(value)| Query(value))
            .map_err(|_| {
                AppError::BadRequest(
                    "The address has a query string we could not read. Check the link.".into(),
                )
            })
    }
}

/// Messages to show beside form fields, keyed by field name.
#[derive(Debug, Default)]
pub struct FormErrors(BTreeMap<&'static str, String>);

impl FormErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.entry(field).or_insert_with(|| message.into());
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn count(&self) -> usize {
        self.0.len()
    }

    /// Every message, for forms too small to show each beside its field.
    pub fn messages(&self) -> impl Iterator<Item = &str> {
        self.0.values().map(String::as_str)
    }
}
