//! The import page: signatures gathered by phone or email, from a CSV file. A preview
//! with per-row errors first, then all rows or none. Imported signatures wait, like the
//! form's, for each signer's own confirmation from an emailed link.

/// An imported signer's confirmation link works as long as the form's.
const CONFIRMATION_VALID_FOR: time::Duration = time::Duration::days(7);
/// Each imported signer is emailed, so imports are bounded like invitations: a group may
/// import this many signers in 24 hours.
pub const IMPORTS_PER_DAY: i64 = 2_000;

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::lookup::CampaignPage;
use super::store::Campaign;
use super::time_zones;
use crate::error::{AppError, AppResult};
use crate::mail::{self, Outgoing};
use crate::signatures::csv::{parse, ImportRow};
use crate::signatures::store::{self as signatures, Actor, Inserted, NewSignature};
use crate::signatures::ConfirmSignature;
use crate::state::AppState;
use crate::tenancy::Member;
use crate::tokens;
use crate::web::{render, render_with, unprocessable, Form, Layout};

#[derive(Template)]
#[template(path = "campaigns/import.html")]
struct ImportPage {
    layout: Layout,
    campaign: Campaign,
    base: String,
    problem: Option<String>,
    rows: Vec<ImportRow>,
    csv: String,
    error_rows: usize,
}

fn import_page(
    member: &Member,
    campaign: Campaign,
    problem: Option<String>,
    rows: Vec<ImportRow>,
    csv: String,
) -> ImportPage {
    let error_rows = rows.iter().filter(|r| !r.errors.is_empty()).count();
    ImportPage {
        layout: member.layout(format!("Import signatures — {}", campaign.title)),
        base: member.path(&format!("/campaigns/{}", campaign.slug)),
        campaign,
        problem,
        rows,
        csv,
        error_rows,
    }
}

pub async fn page(CampaignPage { member, campaign }: CampaignPage) -> AppResult<Html<String>> {
    member.require_editor()?;
    render(import_page(
        &member,
        campaign,
        None,
        Vec::new(),
        String::new(),
    ))
}

/// Reads the uploaded file (or pasted text) and shows the preview.
pub async fn upload(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
    mut multipart: Multipart,
) -> AppResult<Response> {
    member.require_editor()?;
    let mut file: Option<Vec<u8>> = None;
    let mut pasted = String::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(format!("The upload could not be read ({e}).")))?
    {
        match field.name() {
            Some("file") => {
                let bytes = field.bytes().await.map_err(|_| AppError::PayloadTooLarge)?;
                if !bytes.is_empty() {
                    file = Some(bytes.to_vec());
                }
            }
            Some("pasted") => {
                pasted = field.text().await.map_err(|e| {
                    AppError::BadRequest(format!("The pasted text could not be read ({e})."))
                })?
            }
            _ => {}
        }
    }
    let text = match file {
        Some(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => {
                let problem = "The file is not UTF-8 text. In your spreadsheet, save it as \"CSV UTF-8\" and try again.";
                return unprocessable(import_page(
                    &member,
                    campaign,
                    Some(problem.into()),
                    Vec::new(),
                    String::new(),
                ));
            }
        },
        None => pasted,
    };
    preview(&state, &member, campaign, text).await
}

/// Reads and checks a file off the async runtime: 20,000 rows are real work, and the
/// threads that answer everyone else must not wait for it.
async fn parse_off_runtime(
    text: String,
    allow_individuals: bool,
    existing: std::collections::HashSet<String>,
) -> AppResult<(String, Result<Vec<ImportRow>, String>)> {
    tokio::task::spawn_blocking(move || {
        let parsed = parse(&text, allow_individuals, &existing);
        (text, parsed)
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))
}

async fn preview(
    state: &AppState,
    member: &Member,
    campaign: Campaign,
    text: String,
) -> AppResult<Response> {
    let existing = signatures::existing_keys(&state.db, member.tenant_id, campaign.id).await?;
    let (text, parsed) = parse_off_runtime(text, campaign.allow_individuals, existing).await?;
    match parsed {
        Ok(rows) => {
            let status = if rows.iter().any(|r| !r.errors.is_empty()) {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            render_with(status, import_page(member, campaign, None, rows, text))
        }
        Err(problem) => unprocessable(import_page(
            member,
            campaign,
            Some(problem),
            Vec::new(),
            text,
        )),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmForm {
    csv: String,
}

/// Imports every previewed row in one transaction, or none.
pub async fn confirm(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Response> {
    member.require_editor()?;
    let existing = signatures::existing_keys(&state.db, member.tenant_id, campaign.id).await?;
    let (csv, parsed) = parse_off_runtime(form.csv, campaign.allow_individuals, existing).await?;
    let rows = match parsed {
        Ok(rows) if rows.iter().all(|r| r.errors.is_empty()) => rows,
        _ => return preview(&state, &member, campaign, csv).await,
    };
    let now = state.clock.now();
    let actor = member.actor();
    let by = Actor {
        name: &actor,
        user_id: Some(member.user.user_id),
        reason:
            "imported from CSV: gathered by phone or email, waits for the signer's confirmation",
    };
    let page_path = format!("/{}/{}", member.tenant.slug, campaign.slug);
    let expires_at = now + CONFIRMATION_VALID_FOR;
    let mut tx = state.db.begin().await?;
    let recent =
        signatures::imported_since(&mut tx, member.tenant_id, now - time::Duration::days(1))
            .await?;
    if recent + rows.len() as i64 > IMPORTS_PER_DAY {
        drop(tx);
        let problem = format!(
            "Each imported signer gets an email, so a group imports at most {IMPORTS_PER_DAY} signers a day. This group imported {recent} in the last 24 hours; import at most {} now, or the rest tomorrow. Nothing was imported.",
            (IMPORTS_PER_DAY - recent).max(0)
        );
        return unprocessable(import_page(
            &member,
            campaign,
            Some(problem),
            Vec::new(),
            csv,
        ));
    }
    signatures::defer_public_version(&mut tx).await?;
    for row in rows {
        // Each signer confirms the text from a link of their own, as on the form.
        let token = tokens::new_token();
        let signature = NewSignature {
            token_hash: Some(token.hash.clone()),
            token_expires_at: Some(expires_at),
            revision_id: campaign.current_revision_id,
            ..row.signature
        };
        match signatures::insert(&mut tx, member.tenant_id, campaign.id, &signature, &by, now)
            .await?
        {
            Inserted::Created(id) => {
                mail::enqueue(
                    &mut tx,
                    Outgoing {
                        tenant: Some(member.tenant_id.uuid()),
                        idempotency_key: format!("confirm-signature:{id}:1"),
                        recipient: &signature.email,
                        message: ConfirmSignature {
                            campaign_title: campaign.title.clone(),
                            group_name: member.tenant.name.clone(),
                            link: state
                                .config
                                .link(&format!("{page_path}/signature/{}", token.token)),
                            expires: time_zones::display(expires_at, &campaign.time_zone),
                        },
                        send_at: now,
                        bulk: false,
                    },
                )
                .await?;
            }
            // Someone signed while the preview was open: import nothing, show why.
            Inserted::Duplicate(_) => {
                drop(tx);
                return preview(&state, &member, campaign, csv).await;
            }
        }
    }
    super::store::move_public_version(&mut tx, member.tenant_id, campaign.id).await?;
    tx.commit().await?;
    Ok(
        Redirect::to(&member.path(&format!("/campaigns/{}?notice=imported", campaign.slug)))
            .into_response(),
    )
}
