//! Organizers' view of signatures: detail with history, approve or reject under
//! moderation, referrals, and the CSV export.

use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::letter_changes;
use super::lookup::CampaignPage;
use super::store::Campaign;
use crate::error::{AppError, AppResult};
use crate::signatures::consent;
use crate::signatures::csv::export_csv;
use crate::signatures::store::{self as signatures, Actor, EventRow, Referral, Signature};
use crate::signatures::{Action, SignatureState};
use crate::state::AppState;
use crate::tenancy::Member;
use crate::web::{render, unprocessable, Form, Layout, Path};

#[derive(Template)]
#[template(path = "campaigns/signature.html")]
struct DetailPage {
    layout: Layout,
    campaign: Campaign,
    base: String,
    signature: Signature,
    events: Vec<EventRow>,
    consents: Vec<signatures::ConsentLine>,
    can_decide: bool,
    error: Option<&'static str>,
}

async fn detail_page(
    state: &AppState,
    member: &Member,
    campaign: Campaign,
    signature: Signature,
    error: Option<&'static str>,
) -> AppResult<DetailPage> {
    let events = signatures::events(&state.db, member.tenant_id, signature.id).await?;
    let consents = signatures::consent_trail(&state.db, member.tenant_id, signature.id).await?;
    Ok(DetailPage {
        consents,
        layout: member.layout(signature.name.clone()),
        base: member.path(&format!("/campaigns/{}", campaign.slug)),
        can_decide: member.role.can_edit(),
        campaign,
        signature,
        events,
        error,
    })
}

/// The `{id}` of a signature in an organizer URL.
#[derive(Deserialize)]
pub struct SignatureInUrl {
    id: Uuid,
}

async fn load(
    state: &AppState,
    member: &Member,
    campaign: &Campaign,
    id: Uuid,
) -> AppResult<Signature> {
    signatures::by_id(&state.db, member.tenant_id, campaign.id, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn detail(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
    Path(SignatureInUrl { id }): Path<SignatureInUrl>,
) -> AppResult<Html<String>> {
    let signature = load(&state, &member, &campaign, id).await?;
    render(detail_page(&state, &member, campaign, signature, None).await?)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    decision: String,
    reason: String,
}

/// Approve, reject, or undo a rejection, as far as the signature's lifecycle allows:
/// organizers approve only what its signer confirmed, and undoing a rejection returns
/// the signature to the state it had.
pub async fn decide(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
    Path(SignatureInUrl { id }): Path<SignatureInUrl>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    let signature = load(&state, &member, &campaign, id).await?;
    member.require_editor()?;
    let reason = form.reason.trim();
    const NOT_THAT_WAY: &str = "This signature cannot change that way from its current state.";
    let problem = match form.decision.as_str() {
        _ if reason.chars().count() > 1000 => Some("Keep the reason under 1,000 characters."),
        "reject" if reason.is_empty() => {
            Some("Say why you reject this signature; the note stays in its history.")
        }
        "approve" | "reject" | "restore" => None,
        _ => Some(NOT_THAT_WAY),
    };
    if let Some(problem) = problem {
        return unprocessable(
            detail_page(&state, &member, campaign, signature, Some(problem)).await?,
        );
    }
    let action = match form.decision.as_str() {
        "approve" => Action::Approve,
        "restore" => Action::Restore,
        _ => Action::Reject,
    };
    let actor = member.actor();
    let by = Actor {
        name: &actor,
        user_id: Some(member.user.user_id),
        reason,
    };
    let mut tx = state.db.begin().await?;
    // Approving or restoring may list a name: decided under the consent lock, taken
    // shared, against the text as it stands (a save of the letter waits, or came first).
    if action != Action::Reject {
        consent::lock_shared(&mut tx, campaign.id).await?;
    }
    let changed = signatures::change_state(
        &mut tx,
        member.tenant_id,
        signature.id,
        action,
        &by,
        state.clock.now(),
    )
    .await?;
    let Some(changed) = changed else {
        drop(tx);
        return unprocessable(
            detail_page(&state, &member, campaign, signature, Some(NOT_THAT_WAY)).await?,
        );
    };
    // Consent that does not cover the current text lists nobody: the signer is asked.
    let asked = changed.to == SignatureState::Confirmed
        && letter_changes::ask_to_confirm_current(
            &state,
            &mut tx,
            &member,
            &campaign,
            signature.id,
        )
        .await?;
    tx.commit().await?;
    let notice = match action {
        Action::Approve | Action::Restore if asked => "signature-asked-to-confirm",
        Action::Approve => "signature-approved",
        Action::Restore => "signature-restored",
        _ => "signature-rejected",
    };
    Ok(Redirect::to(&member.path(&format!(
        "/campaigns/{}/signatures/{}?notice={notice}",
        campaign.slug, signature.id
    )))
    .into_response())
}

#[derive(Template)]
#[template(path = "campaigns/referrals.html")]
struct ReferralsPage {
    layout: Layout,
    campaign: Campaign,
    base: String,
    referrals: Vec<Referral>,
}

pub async fn referrals(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
) -> AppResult<Html<String>> {
    let referrals = signatures::referrals(&state.db, member.tenant_id, campaign.id).await?;
    render(ReferralsPage {
        layout: member.layout(format!("Referrals — {}", campaign.title)),
        base: member.path(&format!("/campaigns/{}", campaign.slug)),
        campaign,
        referrals,
    })
}

pub async fn export(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
) -> AppResult<Response> {
    let list = signatures::all_for_export(&state.db, member.tenant_id, campaign.id).await?;
    let body = export_csv(&list)?;
    let disposition = format!("attachment; filename=\"{}-signers.csv\"", campaign.slug);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}
