//! Erasing a person from the book: `GET/POST /app/{tenant}/book/people/{id}/erase`. The
//! confirmation page says what goes; once confirmed, the person, their touches, their
//! name and address in every campaign's log lines about their organization, and the rows
//! imports kept aside with their address are gone, everywhere (`store::erase_people`).

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::outreach::prospects::IdPath;
use crate::outreach::store::forget::{self, PersonToErase};
use crate::state::AppState;
use crate::tenancy::Member;
use crate::web::{render, unprocessable, Form, Layout, Path};

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/app/{tenant}/book/people/{id}/erase",
        get(page).post(erase),
    )
}

#[derive(Template)]
#[template(path = "outreach/book/erase.html")]
struct ErasePage {
    layout: Layout,
    book: String,
    person: PersonToErase,
    can_edit: bool,
    problem: Option<String>,
}

async fn person_of(state: &AppState, member: &Member, id: &str) -> AppResult<PersonToErase> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    forget::person_to_erase(&state.db, member.tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

fn view(member: &Member, person: PersonToErase, problem: Option<String>) -> ErasePage {
    ErasePage {
        layout: member.layout(format!("Erase {} — Address book", person.name)),
        book: member.path("/book"),
        person,
        can_edit: member.role.can_edit(),
        problem,
    }
}

/// The confirmation page: what erasing the person removes.
async fn page(
    State(state): State<AppState>,
    member: Member,
    Path(IdPath { id }): Path<IdPath>,
) -> AppResult<Html<String>> {
    let person = person_of(&state, &member, &id).await?;
    render(view(&member, person, None))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct EraseForm {
    confirm: String,
}

async fn erase(
    State(state): State<AppState>,
    member: Member,
    Path(IdPath { id }): Path<IdPath>,
    Form(form): Form<EraseForm>,
) -> AppResult<Response> {
    member.require_editor()?;
    let person = person_of(&state, &member, &id).await?;
    if form.confirm != "yes" {
        let problem = "Tick the box to confirm that this person is to be erased everywhere.";
        return unprocessable(view(&member, person, Some(problem.into())));
    }
    let mut tx = state.db.begin().await?;
    forget::erase_people(&mut tx, member.tenant_id.uuid(), &[person.id]).await?;
    tx.commit().await?;
    Ok(Redirect::to(&member.path(&format!(
        "/book/organizations/{}?notice=person-erased",
        person.organization_id
    )))
    .into_response())
}

/// The book's retention (`book_settings.retention_months`, a group setting): people with
/// no activity for that many months (no touch, no log line naming them, added before
/// then) are erased as an organizer's erasure would, group by group. Returns how many.
pub async fn retention_due(state: &AppState, now: time::OffsetDateTime) -> anyhow::Result<usize> {
    let mut erased = 0;
    for (tenant, months) in forget::groups_with_book_retention(&state.db).await? {
        loop {
            let stale = forget::stale_people(&state.db, tenant, months, now).await?;
            if stale.is_empty() {
                break;
            }
            let mut tx = state.db.begin().await?;
            let done = forget::erase_people(&mut tx, tenant, &stale).await?;
            tx.commit().await?;
            erased += usize::try_from(done).unwrap_or(usize::MAX);
            if stale.len() < 500 || done == 0 {
                break;
            }
        }
    }
    Ok(erased)
}
