//! The top of the stack: the router assembled from every area, each given the state it
//! takes, with the middleware around it. Nothing imports this module but `main.rs`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use sqlx::PgPool;
use tokio::net::TcpListener;
use tower::Layer as _;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::clock::SharedClock;
use crate::config::{Config, SettingError};
use crate::error::{AppError, AppResult};
use crate::mail::{MailKinds, MailState, Transport};
use crate::signing::SigningState;
use crate::state::{AppState, Notices};
use crate::web::{self, error_page, Layout, Visitor};

/// The notices of every area, for `?notice=` keys after a redirect.
pub fn notices() -> Notices {
    let mut sets = vec![
        crate::auth::NOTICES,
        crate::tenants::NOTICES,
        crate::mail::NOTICES,
        crate::campaigns::NOTICES,
        crate::signing::NOTICES,
        crate::statements::NOTICES,
        crate::outreach::NOTICES,
    ];
    sets.extend_from_slice(crate::coalition::NOTICE_SETS);
    Notices::new(&sets)
}

/// Every kind of email the areas send, for the mail worker.
pub fn mail_kinds() -> MailKinds {
    let kinds = MailKinds::new()
        .with::<crate::auth::PasswordReset>()
        .with::<crate::tenants::Invitation>()
        .with::<crate::tenants::ConfirmSignup>()
        .with::<crate::tenants::SignupWithExistingAccount>()
        .with::<crate::signatures::ConfirmSignature>()
        .with::<crate::signatures::Bulletin>()
        .with::<crate::signatures::LetterChanged>()
        .with::<crate::signatures::NameNotCarriedOver>()
        .with::<crate::signatures::ReconfirmReminder>()
        .with::<crate::signatures::MemberUpdate>()
        .with::<crate::signatures::ReissueInvitation>()
        .with::<crate::signatures::ReissueNoticeVoided>()
        .with::<crate::statements::StatementWaiting>()
        .with::<crate::statements::ConfirmStatement>()
        .with::<crate::outreach::Ask>()
        .with::<crate::outreach::DeadlineReminder>()
        .with::<crate::outreach::LastCall>()
        .with::<crate::outreach::OrganizerAlert>()
        .with::<crate::outreach::DailyDigest>();
    crate::coalition::emails(kinds)
}

/// The shared state with every area's notices.
pub fn state(
    db: PgPool,
    config: Arc<Config>,
    clock: SharedClock,
) -> Result<AppState, SettingError> {
    AppState::new(db, config, clock, notices())
}

/// The stylesheet and scripts: `./static` when run from the repository, else the copy
/// the binary was built from.
fn static_dir() -> PathBuf {
    let here = PathBuf::from("static");
    if here.join("style.css").exists() {
        here
    } else {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("static")
    }
}

/// The whole application; `transport` lets the mail pages read written mail back.
pub fn router(state: AppState, transport: Transport) -> Router {
    let https = state.config.is_https();
    let mail = MailState {
        app: state.clone(),
        transport,
        kinds: Arc::new(mail_kinds()),
        group_zone: Arc::new(|db, tenant| {
            futures::FutureExt::boxed(async move {
                crate::campaigns::store::group_time_zone(&db, tenant).await
            })
        }),
    };
    let static_files = Router::new()
        .fallback_service(ServeDir::new(static_dir()))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("public, max-age=3600"),
        ));

    Router::new()
        .route("/", get(home))
        .route("/healthz", get(healthz))
        .merge(crate::auth::router())
        .merge(crate::tenants::router())
        .merge(crate::mail::router().with_state(mail))
        .merge(crate::campaigns::router())
        .merge(crate::signing::router().with_state(SigningState::new(state.clone()).with_list_join(crate::coalition::members::list_join(&state))))
        .merge(crate::erasure::router())
        .merge(crate::statements::router())
        .merge(crate::outreach::router())
        .merge(crate::coalition::router())
        .fallback(|| async { AppError::NotFound })
        .layer(from_fn_with_state(state.clone(), web::context_layer))
        .nest_service("/static", static_files)
        // Browsers ask for /favicon.ico whatever the page links to.
        .route_service(
            "/favicon.ico",
            SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("public, max-age=86400"),
            )
            .layer(ServeFile::new(static_dir().join("favicon.ico"))),
        )
        .layer(DefaultBodyLimit::max(web::UPLOAD_BODY_LIMIT))
        .layer(CatchPanicLayer::custom(|_| {
            error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side",
                "We have logged the problem. Please try again in a moment.".into(),
            )
        }))
        .layer(from_fn(move |request: Request, next| web::security_headers(https, request, next)))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
            let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %request.method(), path = %crate::tokens::redact(request.uri().path()), request_id = %id)
        }))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    logged_in: bool,
}

async fn home(visitor: Visitor) -> AppResult<Html<String>> {
    let logged_in = visitor.user().is_some();
    let mut layout = visitor.layout("Coalition sign-on letters, done well");
    layout.noindex = false;
    web::render(HomePage { layout, logged_in })
}

async fn healthz(State(state): State<AppState>) -> Response {
    let check = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        crate::db::ping(&state.db),
    )
    .await;
    match check {
        Ok(Ok(_)) => Json(serde_json::json!({"status": "ok"})).into_response(),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({"status": "unavailable", "database": "not answering"})),
        )
            .into_response(),
    }
}

/// A bound, ready-to-serve application. Binding happens here so tests can ask for port 0
/// and learn the port before serving.
pub struct Application {
    listener: TcpListener,
    router: Router,
}

impl Application {
    pub async fn build(
        state: AppState,
        transport: Transport,
        addr: SocketAddr,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        Ok(Self::with_listener(state, transport, listener))
    }

    /// For tests, which bind port 0 first so the configuration can name the real address.
    pub fn with_listener(state: AppState, transport: Transport, listener: TcpListener) -> Self {
        Self {
            listener,
            router: router(state, transport),
        }
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_notice_key_means_one_thing() {
        assert_eq!(super::notices().duplicate_keys(), Vec::<&str>::new());
    }

    #[test]
    fn every_email_kind_is_registered_once() {
        // 19 before the coalition's list; its 8: a post, the digest, the join
        // confirmation, the welcome, an invitation, a sign-in link, a rejection, and the
        // answer to refused inbound mail.
        assert_eq!(super::mail_kinds().kinds().count(), 27);
    }
}
