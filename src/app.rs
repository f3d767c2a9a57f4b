//! Application state, router assembly and middleware.

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
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::clock::SharedClock;
use crate::config::Config;
use crate::error::{error_page, AppError, AppResult};
use crate::mail::Transport;
use crate::web::{self, Layout, Visitor};

#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    pub config: Arc<Config>,
    pub clock: SharedClock,
    pub transport: Transport,
    /// Signs values the app hands out and must recognise later (the sign-on form's start time).
    pub secret: Arc<Vec<u8>>,
    pub public_pages: Arc<crate::signing::PublicPageCache>,
    pub sign_limiter: Arc<web::RateLimiter>,
}

impl AppState {
    pub fn new(
        db: PgPool,
        config: Arc<Config>,
        clock: SharedClock,
        transport: Transport,
    ) -> Result<Self, crate::config::SettingError> {
        let secret = crate::config::load_secret(&config)?;
        Ok(Self {
            db,
            config,
            clock,
            transport,
            secret: Arc::new(secret),
            public_pages: Arc::new(crate::signing::PublicPageCache::default()),
            sign_limiter: Arc::new(web::RateLimiter::new(
                crate::signing::SIGNATURES_PER_ADDRESS,
                crate::signing::SIGNATURE_WINDOW,
            )),
        })
    }

    /// Whether sent mail can be read back in the browser (file transport).
    pub fn mail_files_readable(&self) -> bool {
        matches!(self.transport, Transport::Files { .. })
    }
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

pub fn router(state: AppState) -> Router {
    let https = state.config.is_https();
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
        .merge(crate::mail::router())
        .merge(crate::campaigns::router())
        .merge(crate::signing::router())
        .fallback(|| async { AppError::NotFound })
        .layer(from_fn_with_state(state.clone(), web::context_layer))
        .nest_service("/static", static_files)
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
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
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
        sqlx::query("SELECT 1").execute(&state.db),
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
    pub async fn build(state: AppState, addr: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        Ok(Self::with_listener(state, listener))
    }

    /// For tests, which bind port 0 first so the configuration can name the real address.
    pub fn with_listener(state: AppState, listener: TcpListener) -> Self {
        Self {
            listener,
            router: router(state),
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
