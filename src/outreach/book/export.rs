//! `GET /app/{tenant}/book/export.csv`: the book's organizations with their people, one
//! row per person (`crate::outreach::import::book_export`).

use axum::routing::get;
use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/app/{tenant}/book/export.csv",
        get(crate::outreach::import::book_export),
    )
}
