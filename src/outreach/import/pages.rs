//! The import's pages: upload, column choices, value mapping, preview, confirmation, and
//! each import's record (rows kept aside, undo).

use askama::Template;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::commit;
use super::mapping::{chosen_or_guessed, guess, Target};
use super::parse::{
    kept_rows_of, kept_table, parse_table, table_as_csv, CellError, Table, Unreadable,
};
use super::plan::{self, Plan};
use super::values::{unplaced, Organizer, Unplaced};
use super::{blocking, check, context, off_runtime, too_large, Carried, Checked, MAX_BYTES};
use crate::campaigns::lookup::CampaignPage;
use crate::campaigns::store::Campaign;
use crate::error::{AppError, AppResult};
use crate::outreach::prospects::IdPath;
use crate::outreach::store::{self, ImportRecord, UndoOutcome};
use crate::outreach::Size;
use crate::state::AppState;
use crate::tenancy::Member;
use crate::web::{render, render_with, unprocessable, Form, Layout, Path};

/// Page title and organizer path of the campaign.
fn frame(member: &Member, campaign: &Campaign, title: &str) -> (Layout, String) {
    (
        member.layout(format!("{title} — {}", campaign.title)),
        member.path(&format!("/campaigns/{}", campaign.slug)),
    )
}

#[derive(Template)]
#[template(path = "outreach/import.html")]
struct UploadPage {
    layout: Layout,
    base: String,
    campaign: Campaign,
    can_edit: bool,
    problem: Option<String>,
    cell_errors: Vec<CellError>,
    pasted: String,
    imports: Vec<ImportRecord>,
}

async fn upload_page(
    state: &AppState,
    member: &Member,
    campaign: Campaign,
    problem: Option<String>,
    cell_errors: Vec<CellError>,
    pasted: String,
) -> AppResult<UploadPage> {
    let (layout, base) = frame(member, &campaign, "Import prospects");
    let imports = store::recent_imports(&state.db, member.tenant_id, campaign.id).await?;
    Ok(UploadPage {
        layout,
        base,
        can_edit: member.role.can_edit(),
        campaign,
        problem,
        cell_errors,
        pasted,
        imports,
    })
}

pub struct Column {
    pub header: String,
    pub samples: String,
    pub chosen: Target,
}

#[derive(Template)]
#[template(path = "outreach/import_mapping.html")]
struct MappingPage {
    layout: Layout,
    base: String,
    campaign: Campaign,
    columns: Vec<Column>,
    targets: [Target; 15],
    rows: usize,
    has_header: bool,
    delimiter: &'static str,
    csv: String,
    carried: Carried,
    problem: Option<String>,
}

fn delimiter_name(delimiter: u8) -> &'static str {
    match delimiter {
        b'\t' => "cells pasted from a spreadsheet (tabs)",
        b';' => "CSV separated by semicolons",
        _ => "CSV separated by commas",
    }
}

fn mapping_page(
    member: &Member,
    campaign: Campaign,
    table: &Table,
    chosen: &[Target],
    csv: String,
    carried: Carried,
    problem: Option<String>,
) -> MappingPage {
    let (layout, base) = frame(member, &campaign, "Import prospects: columns");
    let columns = table
        .headers
        .iter()
        .enumerate()
        .map(|(i, header)| {
            let samples: Vec<&str> = table
                .rows
                .iter()
                .filter_map(|(_, cells)| cells.get(i).map(String::as_str))
                .filter(|c| !c.is_empty())
                .take(3)
                .collect();
            let mut samples = samples.join(" · ");
            if samples.chars().count() > 120 {
                samples = samples.chars().take(119).collect::<String>() + "…";
            }
            Column {
                header: if header.is_empty() {
                    format!("(column {})", i + 1)
                } else {
                    header.clone()
                },
                samples,
                chosen: chosen.get(i).copied().unwrap_or(Target::Ignore),
            }
        })
        .collect();
    MappingPage {
        layout,
        base,
        campaign,
        columns,
        targets: Target::ALL,
        rows: table.rows.len(),
        has_header: table.has_header,
        delimiter: delimiter_name(table.delimiter),
        csv,
        carried: Carried {
            header: if table.has_header { "yes" } else { "no" }.into(),
            ..carried
        },
        problem,
    }
}

#[derive(Template)]
#[template(path = "outreach/import_values.html")]
struct ValuesPage {
    layout: Layout,
    base: String,
    campaign: Campaign,
    unplaced: Vec<Unplaced>,
    /// Values beyond the ones shown (a column with thousands of them is likely the wrong
    /// column).
    more: usize,
    organizers: Vec<Organizer>,
    sizes: &'static [Size],
    csv: String,
    carried: Carried,
}

/// At most this many values on the values step.
const MAX_VALUES_SHOWN: usize = 100;

fn values_page(
    member: &Member,
    campaign: Campaign,
    mut unplaced: Vec<Unplaced>,
    organizers: Vec<Organizer>,
    csv: String,
    carried: Carried,
) -> ValuesPage {
    let (layout, base) = frame(member, &campaign, "Import prospects: values");
    let more = unplaced.len().saturating_sub(MAX_VALUES_SHOWN);
    unplaced.truncate(MAX_VALUES_SHOWN);
    ValuesPage {
        layout,
        base,
        campaign,
        unplaced,
        more,
        organizers,
        sizes: Size::ALL,
        csv,
        // The page's own selects carry the values from here.
        carried: Carried {
            value_kind: Vec::new(),
            value_raw: Vec::new(),
            value_to: Vec::new(),
            ..carried
        },
    }
}

#[derive(Template)]
#[template(path = "outreach/import_preview.html")]
struct PreviewPage {
    layout: Layout,
    base: String,
    campaign: Campaign,
    plan: Plan,
    errors: Vec<(String, String)>,
    error_rows: usize,
    kept_rows: usize,
    csv: String,
    carried: Carried,
    /// Some values were placed by hand: the page offers to change them.
    has_values_step: bool,
    /// Shown after a confirmation that found errors: nothing was written.
    refused: bool,
}

fn preview_page(
    member: &Member,
    campaign: Campaign,
    plan: Plan,
    csv: String,
    carried: Carried,
    has_values_step: bool,
    refused: bool,
) -> PreviewPage {
    let (layout, base) = frame(member, &campaign, "Import prospects: preview");
    PreviewPage {
        layout,
        base,
        campaign,
        error_rows: plan.error_rows(),
        kept_rows: plan.kept_rows().len(),
        errors: plan.errors(),
        plan,
        csv,
        carried,
        has_values_step,
        refused,
    }
}

/// `GET …/outreach/import`: the upload form (viewers see what the import does, no form)
/// and the campaign's recent imports.
pub async fn page(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
) -> AppResult<Html<String>> {
    render(upload_page(&state, &member, campaign, None, Vec::new(), String::new()).await?)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StepForm {
    csv: String,
    map: Vec<String>,
    /// "mapping" goes back to the column choices, "preview" comes from them (the values
    /// step first, if any value needs a decision), "values" shows that step again;
    /// anything else previews.
    step: String,
    header: String,
    value_kind: Vec<String>,
    value_raw: Vec<String>,
    value_to: Vec<String>,
    /// "all": all rows or none; anything else imports the good rows.
    mode: String,
    /// Fixing the rows an earlier import kept aside: they are forgotten there once in.
    from_import: String,
}

impl StepForm {
    fn carried(&self) -> Carried {
        Carried {
            map: self.map.clone(),
            header: self.header.clone(),
            value_kind: self.value_kind.clone(),
            value_raw: self.value_raw.clone(),
            value_to: self.value_to.clone(),
            from_import: self.from_import.clone(),
        }
    }
}

/// `POST …/outreach/import`: the uploaded file or pasted cells (multipart) show their
/// columns; the later steps are forms.
pub async fn upload(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
    request: Request,
) -> AppResult<Response> {
    member.require_editor()?;
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if multipart {
        let multipart = Multipart::from_request(request, &state)
            .await
            .map_err(|e| AppError::BadRequest(format!("The upload could not be read ({e}).")))?;
        read_upload(&state, &member, campaign, multipart).await
    } else {
        let Form(form) = Form::<StepForm>::from_request(request, &state).await?;
        step(&state, &member, campaign, form).await
    }
}

async fn read_upload(
    state: &AppState,
    member: &Member,
    campaign: Campaign,
    mut multipart: Multipart,
) -> AppResult<Response> {
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
        Some(bytes) if bytes.len() > MAX_BYTES => Err(too_large()),
        Some(bytes) => String::from_utf8(bytes).map_err(|_| {
            "The file is not UTF-8 text. In your spreadsheet, save it as \"CSV UTF-8\" and upload it again.".to_owned()
        }),
        None if pasted.trim().is_empty() => Err("Choose a CSV file, or paste the cells.".into()),
        None => Ok(pasted),
    };
    let text = match text {
        Ok(text) => text,
        Err(problem) => {
            return unprocessable(
                upload_page(
                    state,
                    member,
                    campaign,
                    Some(problem),
                    Vec::new(),
                    String::new(),
                )
                .await?,
            )
        }
    };
    // What travels in the page: no byte order mark, no blank lines a textarea would eat.
    let text = text
        .trim_start_matches('\u{feff}')
        .trim_start_matches(['\r', '\n'])
        .to_owned();
    let (text, parsed) = off_runtime(text, |t| parse_table(t, None)).await?;
    match parsed {
        Ok(table) => {
            let chosen = guess(&table.headers);
            render_with(
                StatusCode::OK,
                mapping_page(
                    member,
                    campaign,
                    &table,
                    &chosen,
                    text,
                    Carried::default(),
                    None,
                ),
            )
        }
        Err(unreadable) => {
            let shown = if text.len() > MAX_BYTES {
                String::new()
            } else {
                text
            };
            let (problem, cells) = match unreadable {
                Unreadable::File(problem) => (problem, Vec::new()),
                Unreadable::Cells(cells) => (
                    "Some cells hold invisible control characters, which cannot be stored. Remove them in your spreadsheet (or below) and try again: nothing was imported.".to_owned(),
                    cells,
                ),
            };
            unprocessable(upload_page(state, member, campaign, Some(problem), cells, shown).await?)
        }
    }
}

async fn step(
    state: &AppState,
    member: &Member,
    campaign: Campaign,
    form: StepForm,
) -> AppResult<Response> {
    let carried = form.carried();
    if form.step == "mapping" {
        // Back to the column choices, as they were (or read again with or without a
        // first line of column names).
        let header = carried.header();
        let (csv, parsed) = off_runtime(form.csv, move |t| parse_table(t, header)).await?;
        return match parsed {
            Ok(table) => {
                let chosen = chosen_or_guessed(&table.headers, &carried.map);
                render_with(
                    StatusCode::OK,
                    mapping_page(member, campaign, &table, &chosen, csv, carried, None),
                )
            }
            Err(Unreadable::File(problem)) => unprocessable(
                upload_page(state, member, campaign, Some(problem), Vec::new(), csv).await?,
            ),
            Err(Unreadable::Cells(cells)) => {
                unprocessable(upload_page(state, member, campaign, None, cells, csv).await?)
            }
        };
    }
    let (csv, checked) = check(state, member, &campaign, form.csv, &carried).await?;
    match checked {
        Checked::Ready {
            table,
            targets,
            plan,
            context,
        } => {
            let values = carried.values();
            let unplaced = unplaced(&table, &targets, &context.organizers, &values);
            let first_time = form.step == "preview" && !unplaced.is_empty();
            if first_time || form.step == "values" {
                return render_with(
                    StatusCode::OK,
                    values_page(member, campaign, unplaced, context.organizers, csv, carried),
                );
            }
            let status = if plan.error_rows() > 0 {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            let has_values_step = !unplaced.is_empty();
            render_with(
                status,
                preview_page(member, campaign, plan, csv, carried, has_values_step, false),
            )
        }
        Checked::Unreadable(problem) => unprocessable(
            upload_page(state, member, campaign, Some(problem), Vec::new(), csv).await?,
        ),
        Checked::Mapping(table, chosen, problem) => unprocessable(mapping_page(
            member,
            campaign,
            &table,
            &chosen,
            csv,
            carried,
            Some(problem),
        )),
    }
}

/// `POST …/outreach/import/confirm`: checks everything again (the list may have changed
/// since the preview), then imports the good rows and keeps the others aside on the
/// import's record; with "all rows or none", any bad row refuses the whole file.
pub async fn confirm(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
    Form(form): Form<StepForm>,
) -> AppResult<Response> {
    member.require_editor()?;
    let carried = form.carried();
    let (csv, checked) = check(&state, &member, &campaign, form.csv, &carried).await?;
    let (table, targets, plan, context) = match checked {
        Checked::Ready {
            table,
            targets,
            plan,
            context,
        } => (table, targets, plan, context),
        Checked::Unreadable(problem) => {
            return unprocessable(
                upload_page(&state, &member, campaign, Some(problem), Vec::new(), csv).await?,
            )
        }
        Checked::Mapping(table, chosen, problem) => {
            return unprocessable(mapping_page(
                &member,
                campaign,
                &table,
                &chosen,
                csv,
                carried,
                Some(problem),
            ))
        }
    };
    let all_or_nothing = form.mode != "good";
    if (plan.error_rows() > 0 && all_or_nothing) || plan.importable_prospects() == 0 {
        let has_values_step =
            !unplaced(&table, &targets, &context.organizers, &carried.values()).is_empty();
        return unprocessable(preview_page(
            &member,
            campaign,
            plan,
            csv,
            carried,
            has_values_step,
            true,
        ));
    }
    let kept = kept_rows_of(&table, &plan.kept_rows(), &targets);
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let import_id = commit::commit(
        &mut tx, &member, &campaign, &table, &targets, &plan, &kept, now,
    )
    .await?;
    tx.commit().await?;
    if let Ok(earlier) = Uuid::parse_str(&carried.from_import) {
        store::forget_kept_rows(&state.db, member.tenant_id, campaign.id, earlier).await?;
    }
    let base = member.path(&format!("/campaigns/{}/outreach", campaign.slug));
    let to = if kept.is_empty() {
        format!("{base}/prospects?notice=prospects-imported&import={import_id}")
    } else {
        format!("{base}/imports/{import_id}?notice=prospects-imported-some")
    };
    Ok(Redirect::to(&to).into_response())
}

#[derive(Template)]
#[template(path = "outreach/import_record.html")]
struct RecordPage {
    layout: Layout,
    base: String,
    campaign: Campaign,
    record: ImportRecord,
    /// The kept rows as CSV, to correct on the page.
    kept_csv: String,
    /// The kept rows checked again as they stand now.
    kept: Option<Plan>,
    kept_errors: Vec<(String, String)>,
    carried: Carried,
    can_edit: bool,
    problem: Option<String>,
}

async fn record_of(
    state: &AppState,
    member: &Member,
    campaign: &Campaign,
    id: &str,
) -> AppResult<ImportRecord> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    store::import_by_id(&state.db, member.tenant_id, campaign.id, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn record_view(
    state: &AppState,
    member: &Member,
    campaign: Campaign,
    record: ImportRecord,
    problem: Option<String>,
) -> AppResult<RecordPage> {
    let carried = Carried {
        map: record.mapping.clone(),
        header: if record.kept_has_header { "yes" } else { "no" }.into(),
        from_import: record.id.to_string(),
        ..Carried::default()
    };
    let rows = store::kept_rows(&state.db, campaign.id, record.id).await?;
    let (kept_csv, kept) = if rows.is_empty() {
        (String::new(), None)
    } else {
        let context = context(state, member, &campaign).await?;
        let table = kept_table(&record.kept_headers, record.kept_has_header, &rows);
        let carried = carried.clone();
        blocking(move || {
            let csv = table_as_csv(&table);
            let plan = super::mapping::check_mapping(&table.headers, &carried.map)
                .ok()
                .map(|targets| plan::plan(&table, &targets, &context, &carried.values()));
            (csv, plan)
        })
        .await?
    };
    let (layout, base) = frame(member, &campaign, "Import of prospects");
    Ok(RecordPage {
        layout,
        base,
        kept_errors: kept.as_ref().map(Plan::errors).unwrap_or_default(),
        kept_csv,
        kept,
        campaign,
        record,
        carried,
        can_edit: member.role.can_edit(),
        problem,
    })
}

/// `GET …/outreach/imports/{id}`: what an import brought in, the rows it kept aside with
/// their problems (to fix here or download), and the undo.
pub async fn record_page(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
    Path(IdPath { id }): Path<IdPath>,
) -> AppResult<Html<String>> {
    let record = record_of(&state, &member, &campaign, &id).await?;
    render(record_view(&state, &member, campaign, record, None).await?)
}

/// `GET …/outreach/imports/{id}/kept-aside.csv`: the rows kept aside, to fix in a
/// spreadsheet and import again.
pub async fn download_kept(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
    Path(IdPath { id }): Path<IdPath>,
) -> AppResult<Response> {
    let record = record_of(&state, &member, &campaign, &id).await?;
    let rows = store::kept_rows(&state.db, campaign.id, record.id).await?;
    if rows.is_empty() {
        return Err(AppError::NotFound);
    }
    let table = kept_table(&record.kept_headers, record.kept_has_header, &rows);
    let csv = blocking(move || table_as_csv(&table)).await?;
    let disposition = format!(
        "attachment; filename=\"{}-prospects-to-fix.csv\"",
        campaign.slug
    );
    let mut body = "\u{feff}".as_bytes().to_vec();
    body.extend_from_slice(csv.as_bytes());
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

/// `POST …/outreach/imports/{id}/forget`: the kept rows are not wanted.
pub async fn forget_kept(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
    Path(IdPath { id }): Path<IdPath>,
) -> AppResult<Response> {
    member.require_editor()?;
    let record = record_of(&state, &member, &campaign, &id).await?;
    store::forget_kept_rows(&state.db, member.tenant_id, campaign.id, record.id).await?;
    Ok(Redirect::to(&member.path(&format!(
        "/campaigns/{}/outreach/imports/{}?notice=kept-rows-forgotten",
        campaign.slug, record.id
    )))
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UndoForm {
    confirm: String,
}

/// `POST …/outreach/imports/{id}/undo`: removes the import's prospects and their
/// contacts, once confirmed, while nothing was sent from it.
pub async fn undo(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
    Path(IdPath { id }): Path<IdPath>,
    Form(form): Form<UndoForm>,
) -> AppResult<Response> {
    member.require_editor()?;
    let record = record_of(&state, &member, &campaign, &id).await?;
    if form.confirm != "yes" {
        let problem = "Tick the box to confirm that the import's prospects and their contacts are to be removed.";
        return unprocessable(
            record_view(&state, &member, campaign, record, Some(problem.into())).await?,
        );
    }
    let mut tx = state.db.begin().await?;
    let outcome = store::undo_import(
        &mut tx,
        member.tenant_id,
        campaign.id,
        record.id,
        state.clock.now(),
    )
    .await?
    .ok_or(AppError::NotFound)?;
    let problem = match outcome {
        UndoOutcome::Undone(_) => {
            tx.commit().await?;
            return Ok(Redirect::to(&member.path(&format!(
                "/campaigns/{}/outreach/prospects?notice=import-undone",
                campaign.slug
            )))
            .into_response());
        }
        UndoOutcome::AlreadyUndone => "This import was already undone.".to_owned(),
        UndoOutcome::Touched(n) => format!(
            "This import can no longer be undone: {n} of its prospects {} been asked, called, noted or signed since. Select them on the prospect list to delete them instead.",
            if n == 1 { "has" } else { "have" }
        ),
    };
    drop(tx);
    unprocessable(record_view(&state, &member, campaign, record, Some(problem)).await?)
}
