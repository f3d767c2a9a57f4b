//! `POST /inbound/email`: a relay or a hosted inbound service posts one raw message (any
//! content type, `message/rfc822` by convention) with the shared secret `INBOUND_SECRET`
//! as `Authorization: Bearer …`. 404 when no secret is configured (the door does not
//! exist), 401 on a wrong one, 413 over the size limit, 202 with `{"outcome": …}` once the
//! message is decided (refusals too: the relay must not retry them), 503 when the database
//! does not answer (the relay retries). The web layer neither checks CSRF on it nor reads
//! its body (`web::context`): the secret authenticates it, and it reads its own, larger,
//! body here.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::parse::MAX_MESSAGE_BYTES;
use super::receive::receive;
use crate::coalition::store::{self, InboundEntry};
use crate::error::AppError;
use crate::state::AppState;

pub async fn inbound_email(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(secret) = state.config.inbound_secret.as_deref() else {
        return AppError::NotFound.into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or("");
    if !crate::tokens::constant_time_eq(given.as_bytes(), secret.as_bytes()) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            Json(json!({"error": "the shared secret is missing or wrong"})),
        )
            .into_response();
    }

    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let bytes = match declared {
        Some(len) if len > MAX_MESSAGE_BYTES => None,
        _ => axum::body::to_bytes(body, MAX_MESSAGE_BYTES).await.ok(),
    };
    let Some(bytes) = bytes else {
        let entry = InboundEntry {
            tenant: None,
            message_id: "",
            from: "",
            outcome: "too_large",
            detail: "over the size limit (refused by POST /inbound/email before reading)",
            size: declared.unwrap_or(MAX_MESSAGE_BYTES + 1),
        };
        let _ = store::log_inbound(&state.db, &entry, state.clock.now()).await;
        tracing::info!(size = ?declared, "inbound mail over the size limit refused");
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            Json(json!({"outcome": "too_large", "limit_bytes": MAX_MESSAGE_BYTES})),
        )
            .into_response();
    };

    // The relay may name the envelope recipient (`?recipient=list+key@…`).
    let recipient = uri.query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "recipient")
            .map(|(_, v)| v.into_owned())
    });
    match receive(&state, &bytes, recipient.as_deref()).await {
        Ok(outcome) => (
            StatusCode::ACCEPTED,
            Json(json!({"outcome": outcome.as_str()})),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "inbound mail not decided: try again");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "60")],
                Json(json!({"error": "temporarily unavailable; send it again later"})),
            )
                .into_response()
        }
    }
}
