//! The group's address book: organizations and people kept across campaigns.

pub mod erase;
pub mod export;
pub mod import;
pub mod settings;

use axum::routing::get;
use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/app/{tenant}/book/settings",
            get(settings::page).post(settings::save),
        )
        .merge(import::routes())
        .merge(export::routes())
        .merge(erase::routes())
}
