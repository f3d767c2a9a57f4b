//! Security headers on every response.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use crate::tokens;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

pub async fn security_headers(https: bool, request: Request, next: Next) -> Response {
    // A page whose address carries a secret (a signer's, reset, invitation, sign-up,
    // unsubscribe or personal link, or a login page keeping one in `next=`) names no
    // referrer at all: not even our own stylesheet's request, which a proxy logs.
    let uri = request.uri();
    let referrer_policy =
        if tokens::holds_secret(uri.path()) || uri.query().is_some_and(tokens::holds_secret) {
            "no-referrer"
        } else {
            "same-origin"
        };
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let mut set = |name: header::HeaderName, value: &'static str| {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    };
    set(header::CONTENT_SECURITY_POLICY, CSP);
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    // Emailed links carry secrets in their paths: never pass them on to other sites.
    set(header::REFERRER_POLICY, referrer_policy);
    set(
        header::HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    if https {
        set(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    response
}
