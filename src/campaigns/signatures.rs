//! Organizers' view of signatures: detail with history, approve or reject under
//! moderation, referrals, and the CSV export.

use askama::Template;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::handlers::campaign_of;
use super::store::Campaign;
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::signing::store::{self as signatures, EventRow, Referral, Signature};
use crate::tenants::Member;
use crate::web::{render, Form, Layout, Path};

#[derive(Template)]
#[template(path = "campaigns/signature.html")]
struct DetailPage {
    layout: Layout,
    campaign: Campaign,
    base: String,
    signature: Signature,
    events: Vec<EventRow>,
    can_decide: bool,
    error: Option<&'static str>,
}

async fn detail_page(
    state: &AppState,
    member: &Member,
    campaign: Campaign,
    signature: Signature,
    error: Option<&'static str>,
) -> AppResult<Html<String>> {
    let events = signatures::events(&state.db, member.tenant_id.uuid(), signature.id).await?;
    render(DetailPage {
        layout: member.layout(signature.name.clone()),
        base: member.path(&format!("/campaigns/{}", campaign.slug)),
        can_decide: member.role.can_edit(),
        campaign,
        signature,
        events,
        error,
    })
}

async fn load(
    state: &AppState,
    member: &Member,
    slug: &str,
    id: Uuid,
) -> AppResult<(Campaign, Signature)> {
    let campaign = campaign_of(state, member, slug).await?;
    let signature = signatures::by_id(&state.db, member.tenant_id.uuid(), campaign.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((campaign, signature))
}

pub async fn detail(
    State(state): State<AppState>,
    member: Member,
    Path((_, slug, id)): Path<(String, String, Uuid)>,
) -> AppResult<Html<String>> {
    let (campaign, signature) = load(&state, &member, &slug, id).await?;
    detail_page(&state, &member, campaign, signature, None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    decision: String,
    reason: String,
}

/// Approve or reject. Organizers may approve what awaits approval, reject anything not
/// yet rejected or withdrawn, and restore a rejected signature.
pub async fn decide(
    State(state): State<AppState>,
    member: Member,
    Path((_, slug, id)): Path<(String, String, Uuid)>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    let (campaign, signature) = load(&state, &member, &slug, id).await?;
    member.require_editor()?;
    let reason = form.reason.trim();
    if reason.chars().count() > 1000 {
        let page = detail_page(
            &state,
            &member,
            campaign,
            signature,
            Some("Keep the reason under 1,000 characters."),
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let (from, to): (&[&str], &str) = match form.decision.as_str() {
        "approve" => (
            &[signatures::AWAITING_APPROVAL, signatures::REJECTED],
            signatures::CONFIRMED,
        ),
        "reject" => (
            &[
                signatures::AWAITING_APPROVAL,
                signatures::CONFIRMED,
                signatures::PENDING,
            ],
            signatures::REJECTED,
        ),
        _ => (&[], ""),
    };
    if form.decision == "reject" && reason.is_empty() {
        let page = detail_page(
            &state,
            &member,
            campaign,
            signature,
            Some("Say why you reject this signature; the note stays in its history."),
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let actor = format!("organizer {}", member.user.name);
    let mut tx = state.db.begin().await?;
    let changed = if to.is_empty() {
        None
    } else {
        signatures::change_state(
            &mut tx,
            member.tenant_id.uuid(),
            signature.id,
            signatures::Transition {
                from,
                to,
                actor: &actor,
                actor_user_id: Some(member.user.user_id),
                reason,
            },
            state.clock.now(),
        )
        .await?
    };
    if changed.is_none() {
        drop(tx);
        let page = detail_page(
            &state,
            &member,
            campaign,
            signature,
            Some("This signature cannot change that way from its current state."),
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    tx.commit().await?;
    let notice = if to == signatures::CONFIRMED {
        "signature-approved"
    } else {
        "signature-rejected"
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
    member: Member,
    Path((_, slug)): Path<(String, String)>,
) -> AppResult<Html<String>> {
    let campaign = campaign_of(&state, &member, &slug).await?;
    let referrals = signatures::referrals(&state.db, member.tenant_id.uuid(), campaign.id).await?;
    render(ReferralsPage {
        layout: member.layout(format!("Referrals — {}", campaign.title)),
        base: member.path(&format!("/campaigns/{}", campaign.slug)),
        campaign,
        referrals,
    })
}

/// The columns of the export, which the import reads back.
pub const CSV_COLUMNS: &[&str] = &[
    "type",
    "name",
    "website",
    "city",
    "size",
    "parent_organization",
    "contact_name",
    "contact_title",
    "email",
    "phone",
    "show_contact",
    "affiliation",
    "comment",
    "state",
    "revision",
    "domain_matches",
    "signed_at",
];

/// Spreadsheets run cells that start with these as formulas; a leading apostrophe keeps
/// them text.
pub fn neutralize(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

pub fn export_csv(list: &[Signature]) -> anyhow::Result<Vec<u8>> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        writer.write_record(CSV_COLUMNS)?;
        for s in list {
            let revision = s.revision_number.map(|n| n.to_string()).unwrap_or_default();
            let signed_at = crate::web::format_datetime(&s.created_at);
            let fields = [
                s.kind.as_str(),
                &s.name,
                &s.website,
                &s.city,
                &s.size,
                &s.parent_organization,
                &s.contact_name,
                &s.contact_title,
                &s.email,
                &s.phone,
                if s.show_contact { "yes" } else { "no" },
                &s.affiliation,
                &s.comment,
                &s.state,
                &revision,
                if s.domain_matches { "yes" } else { "no" },
                &signed_at,
            ];
            writer.write_record(fields.iter().map(|f| neutralize(f)))?;
        }
        writer.flush()?;
    }
    Ok(out)
}

pub async fn export(
    State(state): State<AppState>,
    member: Member,
    Path((_, slug)): Path<(String, String)>,
) -> AppResult<Response> {
    let campaign = campaign_of(&state, &member, &slug).await?;
    let list = signatures::all_for_export(&state.db, member.tenant_id.uuid(), campaign.id).await?;
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

#[cfg(test)]
mod tests {
    use super::neutralize;

    #[test]
    fn formula_cells_are_neutralized() {
        assert_eq!(neutralize("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralize("+1"), "'+1");
        assert_eq!(neutralize("-2"), "'-2");
        assert_eq!(neutralize("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralize("River Keepers"), "River Keepers");
    }
}
