//! `/app/{tenant}/list/inbound`: what became of every message sent to this group's list
//! addresses, newest first, for organizers (viewers read too).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use serde::Deserialize;

use super::receive::Outcome;
use crate::coalition::store::{self, InboundLogRow};
use crate::error::AppResult;
use crate::state::AppState;
use crate::tenancy::Member;
use crate::web::{self, Layout};

const PER_PAGE: i64 = 50;

#[derive(Deserialize)]
pub struct Paging {
    before: Option<String>,
}

#[derive(Template)]
#[template(path = "coalition/inbound/log.html")]
struct InboundPage {
    layout: Layout,
    rows: Vec<InboundLogRow>,
    zone: String,
    next: Option<String>,
    first: String,
    paged: bool,
    mail_domain: String,
}

impl InboundPage {
    fn label(&self, outcome: &str) -> &'static str {
        Outcome::label(outcome)
    }

    fn refused(&self, outcome: &str) -> bool {
        !matches!(outcome, "posted" | "held" | "duplicate")
    }
}

pub async fn inbound_log(
    State(state): State<AppState>,
    member: Member,
    Query(paging): Query<Paging>,
) -> AppResult<Html<String>> {
    // A page link someone mangled shows the first page rather than an error.
    let before = paging.before.as_deref().and_then(|b| b.parse::<i64>().ok());
    let mut rows = store::inbound_log(&state.db, member.tenant_id, before, PER_PAGE).await?;
    let base = member.path("/list/inbound");
    let next = if rows.len() as i64 > PER_PAGE {
        rows.truncate(PER_PAGE as usize);
        rows.last().map(|r| format!("{base}?before={}", r.id))
    } else {
        None
    };
    let zone = crate::campaigns::store::group_time_zone(&state.db, member.tenant_id).await?;
    web::render(InboundPage {
        layout: member.layout("Mail into the list"),
        rows,
        zone,
        next,
        first: base,
        paged: before.is_some(),
        mail_domain: state.config.mail_domain.clone(),
    })
}
