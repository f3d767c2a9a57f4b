//! The sender's confirmation, from the link emailed to the address they typed: the page
//! shows the statement as it would be published and a "Confirm" button. Only the POST
//! confirms (mail scanners follow links with GET), and only the text the page showed.
//! Confirming uses the link up and tells the organizers that a statement waits.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::form::public_campaign;
use super::store::{self, Unconfirmed};
use crate::campaigns::store::{Campaign, PublicCampaign};
use crate::error::AppResult;
use crate::state::AppState;
use crate::tokens;
use crate::web::{render, render_with, Form, Layout, Path, Visitor};

#[derive(Template)]
#[template(path = "statements/confirm.html")]
struct ConfirmPage<'a> {
    layout: Layout,
    campaign: &'a Campaign,
    statement: Unconfirmed,
    own_path: String,
    expires: String,
    /// The text changed (sent again) since the page the sender confirmed from.
    changed: bool,
}

impl ConfirmPage<'_> {
    fn safe_link(&self) -> Option<&str> {
        super::is_web_link(&self.statement.link).then_some(self.statement.link.as_str())
    }
}

#[derive(Template)]
#[template(path = "statements/link_gone.html")]
struct LinkGonePage {
    layout: Layout,
    form_path: String,
}

#[derive(Template)]
#[template(path = "statements/confirmed.html")]
struct ConfirmedPage<'a> {
    layout: Layout,
    campaign: &'a Campaign,
    page_path: String,
}

/// A link that finds nothing (garbled, another statement's, used, replaced or expired):
/// one clear page, 410, saying how to get a new one.
fn link_gone(visitor: &Visitor, page_path: &str) -> AppResult<Response> {
    render_with(
        StatusCode::GONE,
        LinkGonePage {
            layout: visitor.layout("This link no longer works").for_signers(),
            form_path: format!("{page_path}/statement"),
        },
    )
}

struct Found {
    campaign: PublicCampaign,
    statement: Option<Unconfirmed>,
    page_path: String,
    token_hash: Vec<u8>,
}

async fn find(
    state: &AppState,
    tenant_slug: &str,
    campaign_slug: &str,
    id: Uuid,
    token: &str,
) -> AppResult<Found> {
    let campaign = public_campaign(state, tenant_slug, campaign_slug).await?;
    let page_path = format!("/{tenant_slug}/{}", campaign.campaign.slug);
    let token_hash = tokens::hash_token(token);
    let statement = if tokens::looks_like_token(token) {
        store::by_link(
            &state.db,
            campaign.tenant,
            campaign.campaign.id,
            id,
            &token_hash,
        )
        .await?
        .filter(|s| s.expires_at > state.clock.now())
    } else {
        None
    };
    Ok(Found {
        campaign,
        statement,
        page_path,
        token_hash,
    })
}

fn confirm_page(
    visitor: &Visitor,
    campaign: &Campaign,
    statement: Unconfirmed,
    own_path: String,
    changed: bool,
) -> AppResult<Response> {
    let status = if changed {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    let expires = crate::campaigns::time_zones::display(statement.expires_at, &campaign.time_zone);
    render_with(
        status,
        ConfirmPage {
            layout: visitor
                .layout(format!("Confirm your statement on: {}", campaign.title))
                .for_signers(),
            campaign,
            statement,
            own_path,
            expires,
            changed,
        },
    )
}

/// Shows the statement as it would be published; changes nothing.
pub async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((tenant_slug, campaign_slug, id, token)): Path<(String, String, Uuid, String)>,
) -> AppResult<Response> {
    let found = find(&state, &tenant_slug, &campaign_slug, id, &token).await?;
    let Some(statement) = found.statement else {
        return link_gone(&visitor, &found.page_path);
    };
    let own_path = format!("{}/statement/{id}/{token}", found.page_path);
    confirm_page(
        &visitor,
        &found.campaign.campaign,
        statement,
        own_path,
        false,
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmForm {
    /// The `wording` the page showed.
    wording: String,
}

pub async fn confirm(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((tenant_slug, campaign_slug, id, token)): Path<(String, String, Uuid, String)>,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Response> {
    let found = find(&state, &tenant_slug, &campaign_slug, id, &token).await?;
    let Some(statement) = found.statement else {
        return link_gone(&visitor, &found.page_path);
    };
    let PublicCampaign {
        campaign, tenant, ..
    } = &found.campaign;
    let own_path = format!("{}/statement/{id}/{token}", found.page_path);
    // A re-submission replaced the text after the page was shown: show the new one.
    if form.wording.trim().parse::<i32>().ok() != Some(statement.wording) {
        return confirm_page(&visitor, campaign, statement, own_path, true);
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let confirmed = store::confirm(
        &mut tx,
        *tenant,
        campaign.id,
        id,
        &found.token_hash,
        statement.wording,
        now,
    )
    .await?;
    if !confirmed {
        // Used, replaced or expired between the read and now.
        tx.rollback().await?;
        return link_gone(&visitor, &found.page_path);
    }
    super::emails::tell_deciders(&mut tx, &state, *tenant, &tenant_slug, campaign, now).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("{}/statement/confirmed", found.page_path)).into_response())
}

pub async fn confirmed(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((tenant_slug, campaign_slug)): Path<(String, String)>,
) -> AppResult<Html<String>> {
    let PublicCampaign { campaign, .. } =
        public_campaign(&state, &tenant_slug, &campaign_slug).await?;
    render(ConfirmedPage {
        layout: visitor.layout("Statement confirmed").for_signers(),
        page_path: format!("/{tenant_slug}/{}", campaign.slug),
        campaign: &campaign,
    })
}
