//! Prospects from a spreadsheet and back: CSV import (column mapping, preview, per-row
//! errors, all rows or none) and export.

use axum::extract::State;
use axum::response::{Html, Response};

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::tenancy::Member;
use crate::web::Path;

pub async fn page(
    State(_state): State<AppState>,
    _member: Member,
    Path((_, _campaign_slug)): Path<(String, String)>,
) -> AppResult<Html<String>> {
    Err(AppError::NotFound)
}

pub async fn upload(
    State(_state): State<AppState>,
    _member: Member,
    Path((_, _campaign_slug)): Path<(String, String)>,
) -> AppResult<Response> {
    Err(AppError::NotFound)
}

pub async fn confirm(
    State(_state): State<AppState>,
    _member: Member,
    Path((_, _campaign_slug)): Path<(String, String)>,
) -> AppResult<Response> {
    Err(AppError::NotFound)
}

pub async fn export(
    State(_state): State<AppState>,
    _member: Member,
    Path((_, _campaign_slug)): Path<(String, String)>,
) -> AppResult<Response> {
    Err(AppError::NotFound)
}
