//! The request context: who is asking (session), from where (client address), and the
//! CSRF check that every state-changing request passes before any handler runs.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use super::sessions::{self, SessionUser};
use crate::error::AppError;
use crate::state::AppState;
use crate::tokens;

pub const SESSION_COOKIE: &str = "us_session";
pub const DEVICE_COOKIE: &str = "us_device";
const ANON_CSRF_COOKIE: &str = "us_csrf";
pub const CSRF_FIELD: &str = "csrf_token";

/// Ordinary forms are small; only CSV uploads may be larger.
pub const FORM_BODY_LIMIT: usize = 1024 * 1024;
pub const UPLOAD_BODY_LIMIT: usize = 10 * 1024 * 1024;

/// A CSRF token for a visitor without a session, kept in a cookie. The cookie is only
/// set when a page actually rendered a form, so cached public pages stay cookie-free.
#[derive(Debug)]
struct AnonymousCsrf {
    token: String,
    fresh: bool,
    used: AtomicBool,
}

#[derive(Clone, Debug)]
pub struct RequestContext {
    pub user: Option<Arc<SessionUser>>,
    anonymous_csrf: Arc<AnonymousCsrf>,
    pub client_ip: IpAddr,
    pub secure_cookies: bool,
    /// A benchmark showed the configured bypass token: rate limits do not apply.
    pub rate_limit_exempt: bool,
}

impl RequestContext {
    /// The client as rate limits count it: an IPv6 client by its /64, since one host
    /// usually has a whole /64 to pick addresses from.
    pub fn rate_key(&self) -> IpAddr {
        rate_key(self.client_ip)
    }

    /// The token to put in a form's hidden `csrf_token` field.
    pub fn csrf_token(&self) -> String {
        match &self.user {
            Some(user) => user.csrf_token.clone(),
            None => {
                self.anonymous_csrf.used.store(true, Ordering::Relaxed);
                self.anonymous_csrf.token.clone()
            }
        }
    }

    pub fn cookie(&self, name: &'static str, value: String) -> Cookie<'static> {
        let mut cookie = Cookie::new(name, value);
        cookie.set_http_only(true);
        cookie.set_same_site(SameSite::Lax);
        cookie.set_path("/");
        cookie.set_secure(self.secure_cookies);
        cookie
    }
}

pub fn rate_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::V6(segments.into())
            }
        },
        v4 => v4,
    }
}

fn client_ip(state: &AppState, request: &Request) -> IpAddr {
    let socket_ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    match state.config.trusted_proxy {
        // Only the proxy's own entry (the last one) can be believed.
        Some(proxy) if proxy == socket_ip => forwarded_for(request.headers()).unwrap_or(socket_ip),
        _ => socket_ip,
    }
}

fn forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    let value = headers
        .get_all("x-forwarded-for")
        .iter()
        .next_back()?
        .to_str()
        .ok()?;
    value.rsplit(',').next()?.trim().parse().ok()
}

fn body_limit(path: &str) -> usize {
    if path.ends_with("/import") || path.ends_with("/import/confirm") {
        UPLOAD_BODY_LIMIT
    } else {
        FORM_BODY_LIMIT
    }
}

/// One-click unsubscribe (RFC 8058) is posted by mail programs that hold no CSRF token;
/// the secret token in its path authenticates it instead: the outbox's
/// `/mail/unsubscribe/<token>` and a coalition list's `/<group>/list/leave/<token>`.
fn csrf_exempt(path: &str) -> bool {
    path.starts_with("/mail/unsubscribe/") || is_list_leave(path)
}

fn is_list_leave(path: &str) -> bool {
    let mut segments = path.strip_prefix('/').unwrap_or("").split('/');
    matches!(
        (segments.next(), segments.next(), segments.next(), segments.next(), segments.next()),
        (Some(group), Some("list"), Some("leave"), Some(token), None)
            if !group.is_empty() && !token.is_empty()
    )
}

pub async fn context_layer(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    match run(state, request, next).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn run(state: AppState, request: Request, next: Next) -> Result<Response, AppError> {
    let jar = CookieJar::from_headers(request.headers());
    let now = state.clock.now();
    let mut drop_session_cookie = false;

    let user = match jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()) {
        Some(token) if tokens::looks_like_token(&token) => {
            let found = sessions::load(&state.db, &tokens::hash_token(&token), now).await?;
            drop_session_cookie = found.is_none();
            found.map(Arc::new)
        }
        Some(_) => {
            drop_session_cookie = true;
            None
        }
        None => None,
    };

    let anonymous_csrf = match jar.get(ANON_CSRF_COOKIE).map(|c| c.value()) {
        Some(token) if tokens::looks_like_token(token) => AnonymousCsrf {
            token: token.to_owned(),
            fresh: false,
            used: AtomicBool::new(false),
        },
        _ => AnonymousCsrf {
            token: tokens::new_token().token,
            fresh: true,
            used: AtomicBool::new(false),
        },
    };

    let rate_limit_exempt = match (
        &state.config.rate_limit_bypass_token,
        request.headers().get("x-rate-limit-bypass"),
    ) {
        (Some(expected), Some(given)) => {
            tokens::constant_time_eq(expected.as_bytes(), given.as_bytes())
        }
        _ => false,
    };

    let context = RequestContext {
        user,
        anonymous_csrf: Arc::new(anonymous_csrf),
        client_ip: client_ip(&state, &request),
        secure_cookies: state.config.is_https(),
        rate_limit_exempt,
    };

    let mut request = request;
    if is_state_changing(request.method()) {
        request = check_csrf(&context, request).await?;
    }
    request.extensions_mut().insert(context.clone());

    let mut response = next.run(request).await;

    let mut cookies = Vec::new();
    if drop_session_cookie {
        let mut gone = context.cookie(SESSION_COOKIE, String::new());
        gone.make_removal();
        cookies.push(gone);
    }
    if context.user.is_none()
        && context.anonymous_csrf.fresh
        && context.anonymous_csrf.used.load(Ordering::Relaxed)
    {
        cookies.push(context.cookie(ANON_CSRF_COOKIE, context.anonymous_csrf.token.clone()));
    }
    for cookie in cookies {
        if let Ok(value) = cookie.encoded().to_string().parse() {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}

pub const CONTROL_CHARACTERS: &str = "What you sent contains an invisible control character (such as a NUL byte, often pasted from another program) that cannot be stored. Go back: what you typed is still in the form; retype the field you pasted into and send it again.";

fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Reads the body (within its size limit), finds the submitted token and compares it with
/// the one this visitor was given; the handler then gets the body back untouched.
async fn check_csrf(context: &RequestContext, request: Request) -> Result<Request, AppError> {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, body_limit(parts.uri.path()))
        .await
        .map_err(|_| AppError::PayloadTooLarge)?;
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if is_form && !form_is_utf8(&bytes) {
        return Err(AppError::BadRequest(
            "The form contained characters that are not UTF-8. Go back, check what you typed and send it again.".into(),
        ));
    }
    // Every form passes here, so each new form is covered without doing anything.
    if is_form && has_forbidden_controls(&bytes) {
        return Err(AppError::BadRequest(CONTROL_CHARACTERS.into()));
    }
    if csrf_exempt(parts.uri.path()) {
        return Ok(Request::from_parts(parts, Body::from(bytes)));
    }

    let from_query = parts.uri.query().and_then(|q| find_field(q.as_bytes()));
    let from_body = if is_form { find_field(&bytes) } else { None };
    let submitted = from_body.or(from_query).ok_or(AppError::CsrfRejected)?;

    let expected = match &context.user {
        Some(user) => user.csrf_token.clone(),
        None if !context.anonymous_csrf.fresh => context.anonymous_csrf.token.clone(),
        None => return Err(AppError::CsrfRejected),
    };
    if !tokens::constant_time_eq(submitted.as_bytes(), expected.as_bytes()) {
        return Err(AppError::CsrfRejected);
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

fn find_field(encoded: &[u8]) -> Option<String> {
    url::form_urlencoded::parse(encoded)
        .find(|(key, _)| key == CSRF_FIELD)
        .map(|(_, value)| value.into_owned())
}

/// Each name and value of a urlencoded body, percent-decoded to bytes.
fn decoded_parts(encoded: &[u8]) -> impl Iterator<Item = Vec<u8>> + '_ {
    encoded.split(|b| *b == b'&' || *b == b'=').map(|part| {
        let mut decoded = Vec::with_capacity(part.len());
        let mut i = 0;
        while i < part.len() {
            match part[i] {
                b'%' if i + 2 < part.len() => {
                    let hex = std::str::from_utf8(&part[i + 1..i + 3])
                        .ok()
                        .and_then(|h| u8::from_str_radix(h, 16).ok());
                    match hex {
                        Some(byte) => {
                            decoded.push(byte);
                            i += 3;
                            continue;
                        }
                        None => decoded.push(b'%'),
                    }
                }
                b'+' => decoded.push(b' '),
                other => decoded.push(other),
            }
            i += 1;
        }
        decoded
    })
}

/// Whether every name and value of a urlencoded body decodes to UTF-8. The usual parsers
/// replace bad bytes silently; we would rather say so than store mangled text.
fn form_is_utf8(encoded: &[u8]) -> bool {
    decoded_parts(encoded).all(|part| std::str::from_utf8(&part).is_ok())
}

/// Characters no text field may hold: NUL (PostgreSQL refuses it in text) and the other
/// control characters, except tab and line breaks, which people type.
pub fn is_forbidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Whether any name or value of a urlencoded body holds a forbidden control character.
pub fn has_forbidden_controls(encoded: &[u8]) -> bool {
    decoded_parts(encoded).any(|part| {
        String::from_utf8_lossy(&part)
            .chars()
            .any(is_forbidden_control)
    })
}

#[cfg(test)]
mod tests {
    use super::{form_is_utf8, has_forbidden_controls};

    #[test]
    fn form_bodies_must_decode_to_utf8() {
        assert!(form_is_utf8(b"name=%C3%89mile&x=a+b&y=100%"));
        assert!(!form_is_utf8(b"name=%FF%FE"));
        assert!(!form_is_utf8(&[b'n', b'=', 0xff]));
    }

    #[test]
    fn ipv6_clients_count_by_their_64() {
        use super::rate_key;
        let a: std::net::IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: std::net::IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let other: std::net::IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(rate_key(a), rate_key(b));
        assert_ne!(rate_key(a), rate_key(other));
        let mapped: std::net::IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(
            rate_key(mapped),
            "192.0.2.7".parse::<std::net::IpAddr>().unwrap()
        );
        let v4: std::net::IpAddr = "192.0.2.7".parse().unwrap();
        assert_eq!(rate_key(v4), v4);
    }

    #[test]
    fn control_characters_are_found_wherever_they_hide() {
        assert!(has_forbidden_controls(b"body=a%00b"));
        assert!(has_forbidden_controls(b"na%1Bme=x"));
        assert!(has_forbidden_controls(&[b'a', b'=', 0x00]));
        assert!(!has_forbidden_controls(b"body=line%0D%0Anext%09tab&x=100%"));
    }
}
