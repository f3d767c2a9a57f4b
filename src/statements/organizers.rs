//! Organizers' view of a campaign's statements: awaiting their sender's confirmation,
//! awaiting a decision, approved and rejected, with approve (confirmed ones only), reject
//! (with a reason) and withdraw approval for editors.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::store::{self, Decision, Statement};
use super::StatementState;
use crate::campaigns::lookup::CampaignPage;
use crate::campaigns::store::Campaign;
use crate::error::{AppError, AppResult};
use crate::signatures::names::name_key;
use crate::signatures::store::listed_websites_by_name;
use crate::state::AppState;
use crate::tenancy::Member;
use crate::web::{render, unprocessable, Form, Layout, Path};

#[derive(Template)]
#[template(path = "statements/list.html")]
struct ListPage {
    layout: Layout,
    campaign: Campaign,
    base: String,
    public_form: String,
    unconfirmed: Vec<Statement>,
    pending: Vec<Statement>,
    approved: Vec<Statement>,
    rejected: Vec<Statement>,
    can_decide: bool,
    /// Websites of listed organizations named like a statement's organization, by folded
    /// name: a statement in a signer's name is checked against the signer's own site.
    signer_websites: HashMap<String, String>,
    /// A refused decision: the statement it was about, and why.
    error: Option<(Uuid, &'static str)>,
}

impl ListPage {
    /// The website of the listed organization this statement names, if one signed.
    fn signer_website(&self, statement: &Statement) -> Option<&str> {
        self.signer_websites
            .get(&name_key(&statement.organization))
            .map(String::as_str)
    }

    fn error_for(&self, id: &Uuid) -> Option<&'static str> {
        self.error
            .filter(|(about, _)| about == id)
            .map(|(_, why)| why)
    }

    /// (key, heading, statements) in the order the page shows them.
    fn sections(&self) -> [(&'static str, &'static str, &[Statement]); 4] {
        [
            ("pending", "Awaiting a decision", &self.pending),
            (
                "unconfirmed",
                "Awaiting the sender's confirmation: cannot be approved yet",
                &self.unconfirmed,
            ),
            (
                "approved",
                "Approved: shown on the public page",
                &self.approved,
            ),
            ("rejected", "Rejected", &self.rejected),
        ]
    }
}

async fn list_page(
    state: &AppState,
    member: &Member,
    campaign: Campaign,
    error: Option<(Uuid, &'static str)>,
) -> AppResult<ListPage> {
    let all = store::all(&state.db, member.tenant_id, campaign.id).await?;
    let names: Vec<&str> = all.iter().map(|s| s.organization.as_str()).collect();
    let signer_websites =
        listed_websites_by_name(&state.db, member.tenant_id, campaign.id, &names).await?;
    let (mut unconfirmed, mut pending) = (Vec::new(), Vec::new());
    let (mut approved, mut rejected) = (Vec::new(), Vec::new());
    for statement in all {
        match statement.state {
            StatementState::Pending if !statement.is_confirmed() => unconfirmed.push(statement),
            StatementState::Pending => pending.push(statement),
            StatementState::Approved => approved.push(statement),
            StatementState::Rejected => rejected.push(statement),
        }
    }
    Ok(ListPage {
        layout: member.layout(format!("Statements — {}", campaign.title)),
        base: member.path(&format!("/campaigns/{}", campaign.slug)),
        public_form: format!("/{}/{}/statement", member.tenant.slug, campaign.slug),
        can_decide: member.role.can_edit(),
        signer_websites,
        campaign,
        unconfirmed,
        pending,
        approved,
        rejected,
        error,
    })
}

pub async fn list(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
) -> AppResult<Html<String>> {
    render(list_page(&state, &member, campaign, None).await?)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    decision: String,
    reason: String,
}

/// The `{id}` of a statement in an organizer URL.
#[derive(Deserialize)]
pub struct StatementInUrl {
    id: Uuid,
}

/// Approve (pending or rejected, once its sender confirmed it), reject with a reason
/// (pending or approved), or withdraw an approval (back to pending). Only an approved
/// statement is public.
pub async fn decide(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
    Path(StatementInUrl { id }): Path<StatementInUrl>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    let statement = store::by_id(&state.db, member.tenant_id, campaign.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    member.require_editor()?;
    let reason = form.reason.trim();
    const NOT_THAT_WAY: &str = "This statement cannot change that way from its current state.";
    const NOT_CONFIRMED: &str = "Its sender has not confirmed this statement from the link emailed to them: it cannot be approved until they do.";
    use StatementState::*;
    let (to, from, notice): (StatementState, &[StatementState], &str) = match form.decision.as_str()
    {
        "approve" => (Approved, &[Pending, Rejected], "statement-approved"),
        "reject" => (Rejected, &[Pending, Approved], "statement-rejected"),
        "withdraw" => (Pending, &[Approved], "statement-approval-withdrawn"),
        _ => {
            return unprocessable(
                list_page(&state, &member, campaign, Some((id, NOT_THAT_WAY))).await?,
            )
        }
    };
    let problem = if reason.chars().count() > 1000 {
        Some("Keep the reason under 1,000 characters.")
    } else if to == Rejected && reason.is_empty() {
        Some("Say why you reject this statement; the reason is kept with it.")
    } else if !from.contains(&statement.state) {
        Some(NOT_THAT_WAY)
    } else if to == Approved && !statement.is_confirmed() {
        Some(NOT_CONFIRMED)
    } else {
        None
    };
    if let Some(problem) = problem {
        return unprocessable(list_page(&state, &member, campaign, Some((id, problem))).await?);
    }
    let actor = member.actor();
    let decision = Decision {
        to,
        by: &actor,
        user_id: member.user.user_id,
        reason,
        at: state.clock.now(),
    };
    if !store::decide(
        &state.db,
        member.tenant_id,
        campaign.id,
        id,
        from,
        &decision,
    )
    .await?
    {
        // Someone else decided meanwhile.
        return unprocessable(
            list_page(&state, &member, campaign, Some((id, NOT_THAT_WAY))).await?,
        );
    }
    Ok(Redirect::to(&member.path(&format!(
        "/campaigns/{}/statements?notice={notice}#statement-{id}",
        campaign.slug
    )))
    .into_response())
}
