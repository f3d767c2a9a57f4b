//! Import into the book: `GET/POST /app/{tenant}/book/import`, `POST …/import/confirm`,
//! and each import's record (`…/book/imports/{id}`: kept rows, undo, "add these
//! organizations to a campaign"). The steps are the campaign import's
//! (`crate::outreach::import`), with no campaign.

use axum::routing::{get, post};
use axum::Router;

use crate::outreach::import::book;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    let b = "/app/{tenant}/book";
    Router::new()
        .route(&format!("{b}/import"), get(book::page).post(book::upload))
        .route(&format!("{b}/import/confirm"), post(book::confirm))
        .route(&format!("{b}/imports/{{id}}"), get(book::record_page))
        .route(
            &format!("{b}/imports/{{id}}/kept-aside.csv"),
            get(book::download_kept),
        )
        .route(
            &format!("{b}/imports/{{id}}/forget"),
            post(book::forget_kept),
        )
        .route(&format!("{b}/imports/{{id}}/undo"), post(book::undo))
        .route(
            &format!("{b}/imports/{{id}}/add-to-campaign"),
            post(book::add_to_campaign),
        )
}
