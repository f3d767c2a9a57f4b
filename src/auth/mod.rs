//! Accounts, sign-up, login and logout, password reset, and the login throttle.

mod handlers;
pub mod passwords;
pub mod sessions;
pub mod store;
pub mod throttle;

use axum::routing::{get, post};
use axum::Router;

pub use handlers::{start_session, LinkExpiredPage};

use crate::app::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/signup", get(handlers::signup_page).post(handlers::signup))
        .route("/login", get(handlers::login_page).post(handlers::login))
        .route("/logout", post(handlers::logout))
        .route(
            "/password/forgot",
            get(handlers::forgot_page).post(handlers::forgot),
        )
        .route(
            "/password/reset/{token}",
            get(handlers::reset_page).post(handlers::reset),
        )
}
