//! The report of the move into the address book, in plain words.

use askama::Template;
use axum::extract::State;
use axum::response::Html;

use crate::error::AppResult;
use crate::outreach::store::book_migration::{self, MigrationCounts, MigrationMerge};
use crate::state::AppState;
use crate::tenancy::Member;
use crate::web::{render, Layout};

#[derive(Template)]
#[template(path = "outreach/book/migration.html")]
struct MigrationPage {
    layout: Layout,
    book: String,
    counts: Option<MigrationCounts>,
    organizations: Vec<MigrationMerge>,
    people: Vec<MigrationMerge>,
    can_edit: bool,
}

/// `GET /app/{tenant}/book/migration`
pub async fn page(State(state): State<AppState>, member: Member) -> AppResult<Html<String>> {
    let counts = book_migration::migration_counts(&state.db, member.tenant_id).await?;
    let (organizations, people) = book_migration::migration_merges(&state.db, member.tenant_id)
        .await?
        .into_iter()
        .partition(|m| m.kind == "organization");
    render(MigrationPage {
        layout: member.layout("How the address book was made"),
        book: member.path("/book"),
        counts,
        organizations,
        people,
        can_edit: member.role.can_edit(),
    })
}

impl MigrationPage {
    /// "1 prospect" / "2 prospects".
    fn plural(&self, n: &i64, one: &str, many: &str) -> String {
        let n = *n;
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    }
}

impl MigrationMerge {
    pub fn matched_by_words(&self) -> &'static str {
        match self.matched_by.as_str() {
            "name" => "the same name",
            "domain" => "the same website",
            "email" => "the same email address",
            "name without email" => "the same name, with no address",
            _ => "the duplicate rule",
        }
    }
}
