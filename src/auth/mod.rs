//! Accounts: login and logout, password reset, and the login throttle. Sessions
//! themselves live in `web` (every request loads one); starting one is here.

mod emails;
mod handlers;
pub mod passwords;
pub mod store;
pub mod throttle;

use axum::routing::{get, post};
use axum::Router;

pub use emails::PasswordReset;
pub use handlers::{start_session, LinkExpiredPage};

use crate::state::AppState;

pub const NOTICES: &[(&str, &str)] = &[
    ("logged-out", "You are logged out."),
    ("password-changed", "Your password was changed. Log in with the new one."),
    ("reset-sent", "If an account exists for that address, we have sent it a link to choose a new password. The link works for one hour."),
];

pub fn router() -> Router<AppState> {
    Router::new()
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
