//! The group's address book: organizations and people kept across campaigns, each
//! organization's whole history, merging and deleting, the migration's report, and a
//! campaign started from a filter over the book. Viewers read; organizers write.

mod delete;
pub mod erase;
pub mod export;
mod from_book;
pub mod import;
mod list;
mod merge;
mod migration_report;
mod organization;
mod people;
mod person_form;
pub mod settings;

use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::state::AppState;

const BOOK: &str = "/app/{tenant}/book";

pub fn router() -> Router<AppState> {
    let b = BOOK;
    Router::new()
        .route(b, get(list::page))
        .route(
            &format!("{b}/new"),
            get(organization::new_page).post(organization::create),
        )
        .route(&format!("{b}/migration"), get(migration_report::page))
        .route(
            &format!("{b}/settings"),
            get(settings::page).post(settings::save),
        )
        .route(
            &format!("{b}/organizations/{{id}}"),
            get(organization::page).post(organization::save),
        )
        .route(
            &format!("{b}/organizations/{{id}}/hold"),
            post(organization::hold),
        )
        .route(
            &format!("{b}/organizations/{{id}}/notes"),
            post(organization::add_note),
        )
        .route(
            &format!("{b}/organizations/{{id}}/people"),
            post(people::add),
        )
        .route(
            &format!("{b}/organizations/{{id}}/merge"),
            get(merge::page).post(merge::merge),
        )
        .route(
            &format!("{b}/organizations/{{id}}/delete"),
            get(delete::page).post(delete::delete),
        )
        .route(&format!("{b}/people/{{id}}"), post(people::save))
        .route(&format!("{b}/people/{{id}}/remove"), post(people::remove))
        .route(
            "/app/{tenant}/campaigns/{campaign}/outreach/from-book",
            get(from_book::page).post(from_book::add),
        )
        .merge(import::routes())
        .merge(export::routes())
        .merge(erase::routes())
}

/// The `{id}` of an organization's or person's URL.
#[derive(Debug, Deserialize)]
struct IdPath {
    id: String,
}

fn parse_id(raw: &str) -> AppResult<Uuid> {
    Uuid::parse_str(raw).map_err(|_| AppError::NotFound)
}

fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
