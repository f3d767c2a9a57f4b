//! Importing signatures gathered by phone or email from a CSV file: a preview with
//! per-row errors first, then all rows or none.

use std::collections::HashSet;

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::handlers::campaign_of;
use super::store::Campaign;
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::mail::EmailAddress;
use crate::signing::names::{domain_matches, name_key, normalize_website};
use crate::signing::store::{self as signatures, Inserted, NewSignature};
use crate::tenants::Member;
use crate::web::{render, Form, Layout, Path};

pub const MAX_ROWS: usize = 20_000;

pub struct ImportRow {
    pub line: usize,
    pub signature: NewSignature,
    pub errors: Vec<String>,
}

/// Reads and checks every row; nothing is written here.
pub fn parse(
    text: &str,
    campaign: &Campaign,
    existing: &HashSet<String>,
) -> Result<Vec<ImportRow>, String> {
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err("The file is empty.".into());
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("The first line could not be read as CSV column names ({e})."))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(name_at), Some(email_at)) =
        (column("name").or(column("organization")), column("email"))
    else {
        return Err("The first line must name the columns, with at least \"name\" and \"email\" (as in the export).".into());
    };

    let mut rows = Vec::new();
    let mut seen_emails = HashSet::new();
    let mut seen_names = HashSet::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        if rows.len() >= MAX_ROWS {
            return Err(format!("Import at most {MAX_ROWS} rows at a time."));
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => return Err(format!("Line {line} is not valid CSV ({e}).")),
        };
        if record.iter().all(|f| f.is_empty()) {
            continue;
        }
        let get = |at: Option<usize>| at.and_then(|i| record.get(i)).unwrap_or("").to_owned();
        let mut errors = Vec::new();
        let kind = match get(column("type")).to_ascii_lowercase().as_str() {
            "" | "organization" | "organisation" | "org" => "organization",
            "individual" | "person" => {
                if !campaign.allow_individuals {
                    errors.push("this campaign accepts organizations only".into());
                }
                "individual"
            }
            other => {
                errors.push(format!(
                    "type {other:?} is neither organization nor individual"
                ));
                "organization"
            }
        };
        let name = get(Some(name_at));
        if name.is_empty() {
            errors.push("the name is missing".into());
        } else if name.chars().count() > 200 {
            errors.push("the name is longer than 200 characters".into());
        }
        let email = match EmailAddress::parse(&get(Some(email_at))) {
            Ok(e) => e.as_str().to_owned(),
            Err(_) => {
                errors.push(format!("{:?} is not an email address", get(Some(email_at))));
                String::new()
            }
        };
        let website = normalize_website(&get(column("website"))).unwrap_or_else(|_| {
            errors.push(format!(
                "{:?} is not a website address",
                get(column("website"))
            ));
            String::new()
        });
        let size = get(column("size")).to_ascii_lowercase();
        if !["", "local", "regional", "national", "international"].contains(&size.as_str()) {
            errors.push(format!(
                "size {size:?} is not local, regional, national or international"
            ));
        }
        let show_contact = match get(column("show_contact")).to_ascii_lowercase().as_str() {
            "yes" | "true" | "1" | "y" => true,
            "" | "no" | "false" | "0" | "n" => false,
            other => {
                errors.push(format!("show_contact {other:?} is not yes or no"));
                false
            }
        };
        let lower_email = email.to_lowercase();
        if !email.is_empty() {
            if existing.contains(&format!("email:{lower_email}")) {
                errors.push(format!("{email} has already signed"));
            } else if !seen_emails.insert(lower_email) {
                errors.push(format!("{email} appears twice in the file"));
            }
        }
        if kind == "organization" && !name.is_empty() {
            let key = name_key(&name);
            if existing.contains(&format!("name:{key}")) {
                errors.push(format!("{name} has already signed"));
            } else if !seen_names.insert(key) {
                errors.push(format!("{name} appears twice in the file"));
            }
        }
        let long = [
            ("city", 200),
            ("contact_name", 200),
            ("contact_title", 200),
            ("parent_organization", 200),
            ("phone", 40),
            ("affiliation", 200),
            ("comment", 2000),
        ];
        for (field, max) in long {
            if get(column(field)).chars().count() > max {
                errors.push(format!("{field} is longer than {max} characters"));
            }
        }
        let signature = NewSignature {
            kind,
            domain_matches: kind == "organization" && domain_matches(&email, &website),
            name,
            website,
            city: get(column("city")),
            size,
            parent_organization: get(column("parent_organization")),
            contact_name: get(column("contact_name")),
            contact_title: get(column("contact_title")),
            email,
            phone: get(column("phone")),
            show_contact,
            affiliation: get(column("affiliation")),
            comment: get(column("comment")),
            source: "import",
            state: signatures::CONFIRMED,
            ..NewSignature::default()
        };
        rows.push(ImportRow {
            line,
            signature,
            errors,
        });
    }
    if rows.is_empty() {
        return Err("The file has column names but no rows.".into());
    }
    Ok(rows)
}

async fn existing_keys(
    state: &AppState,
    member: &Member,
    campaign: &Campaign,
) -> AppResult<HashSet<String>> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT kind, lower(email::text), name_key FROM signatures WHERE tenant_id = $1 AND campaign_id = $2",
    )
    .bind(member.tenant_id.uuid())
    .bind(campaign.id)
    .fetch_all(&state.db)
    .await?;
    let mut keys = HashSet::new();
    for (kind, email, name) in rows {
        keys.insert(format!("email:{email}"));
        if kind == "organization" {
            keys.insert(format!("name:{name}"));
        }
    }
    Ok(keys)
}

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

pub async fn page(
    State(state): State<AppState>,
    member: Member,
    Path((_, slug)): Path<(String, String)>,
) -> AppResult<Html<String>> {
    let campaign = campaign_of(&state, &member, &slug).await?;
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
    member: Member,
    Path((_, slug)): Path<(String, String)>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let campaign = campaign_of(&state, &member, &slug).await?;
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
                let page = import_page(&member, campaign, Some("The file is not UTF-8 text. In your spreadsheet, save it as \"CSV UTF-8\" and try again.".into()), Vec::new(), String::new());
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response());
            }
        },
        None => pasted,
    };
    preview(&state, &member, campaign, text).await
}

async fn preview(
    state: &AppState,
    member: &Member,
    campaign: Campaign,
    text: String,
) -> AppResult<Response> {
    let existing = existing_keys(state, member, &campaign).await?;
    match parse(&text, &campaign, &existing) {
        Ok(rows) => {
            let status = if rows.iter().any(|r| !r.errors.is_empty()) {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            Ok((
                status,
                render(import_page(member, campaign, None, rows, text))?,
            )
                .into_response())
        }
        Err(problem) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            render(import_page(
                member,
                campaign,
                Some(problem),
                Vec::new(),
                text,
            ))?,
        )
            .into_response()),
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
    member: Member,
    Path((_, slug)): Path<(String, String)>,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Response> {
    let campaign = campaign_of(&state, &member, &slug).await?;
    member.require_editor()?;
    let existing = existing_keys(&state, &member, &campaign).await?;
    let rows = match parse(&form.csv, &campaign, &existing) {
        Ok(rows) if rows.iter().all(|r| r.errors.is_empty()) => rows,
        _ => return preview(&state, &member, campaign, form.csv).await,
    };
    let now = state.clock.now();
    let actor = format!("organizer {}", member.user.name);
    let tenant = member.tenant_id.uuid();
    let mut tx = state.db.begin().await?;
    for row in &rows {
        match signatures::insert(&mut tx, tenant, campaign.id, &row.signature, now).await? {
            Inserted::Created(id) => {
                let event = signatures::Event {
                    from: None,
                    to: signatures::CONFIRMED,
                    actor: &actor,
                    actor_user_id: Some(member.user.user_id),
                    reason: "imported from CSV: signature gathered by phone or email",
                };
                signatures::record_event(&mut tx, tenant, id, event, now).await?;
            }
            // Someone signed while the preview was open: import nothing, show why.
            Inserted::Duplicate(_) => {
                drop(tx);
                return preview(&state, &member, campaign, form.csv).await;
            }
        }
    }
    tx.commit().await?;
    Ok(
        Redirect::to(&member.path(&format!("/campaigns/{}?notice=imported", campaign.slug)))
            .into_response(),
    )
}
