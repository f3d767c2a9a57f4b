//! The import's pages: upload, column choices, value mapping, preview, confirmation, and
//! each import's record (rows kept aside, undo).

use askama::Template;
use axum::extract::{FromRequest, Multipart, Request};
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
use super::{blocking, check, context, off_runtime, too_large, Carried, Checked, Scope, MAX_BYTES};
use crate::error::{AppError, AppResult};
use crate::outreach::store::{self, ImportRecord, UndoOutcome};
use crate::outreach::Size;
use crate::state::AppState;
use crate::tenancy::Member;
use crate::web::{render, render_with, unprocessable, Form, Layout};

/// Page title and organizer path of the campaign (of the group, for the book).
fn frame(member: &Member, scope: &Scope, title: &str) -> (Layout, String) {
    (
        member.layout(format!("{title} — {}", scope.title)),
        scope.base.clone(),
    )
}

#[derive(Template)]
#[template(path = "outreach/import.html")]
struct UploadPage {
    layout: Layout,
    base: String,
    scope: Scope,
    can_edit: bool,
    problem: Option<String>,
    cell_errors: Vec<CellError>,
    pasted: String,
    imports: Vec<ImportRecord>,
}

async fn upload_page(
    state: &AppState,
    member: &Member,
    scope: Scope,
    problem: Option<String>,
    cell_errors: Vec<CellError>,
    pasted: String,
) -> AppResult<UploadPage> {
    let (layout, base) = frame(member, &scope, "Import");
    let imports = store::recent_imports(&state.db, member.tenant_id, scope.campaign_id()).await?;
    Ok(UploadPage {
        layout,
        base,
        can_edit: member.role.can_edit(),
        scope,
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
    scope: Scope,
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
    scope: Scope,
    table: &Table,
    chosen: &[Target],
    csv: String,
    carried: Carried,
    problem: Option<String>,
) -> MappingPage {
    let (layout, base) = frame(member, &scope, "Import: columns");
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
        scope,
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
    scope: Scope,
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
    scope: Scope,
    mut unplaced: Vec<Unplaced>,
    organizers: Vec<Organizer>,
    csv: String,
    carried: Carried,
) -> ValuesPage {
    let (layout, base) = frame(member, &scope, "Import: values");
    let more = unplaced.len().saturating_sub(MAX_VALUES_SHOWN);
    unplaced.truncate(MAX_VALUES_SHOWN);
    ValuesPage {
        layout,
        base,
        scope,
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
    scope: Scope,
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
    scope: Scope,
    plan: Plan,
    csv: String,
    carried: Carried,
    has_values_step: bool,
    refused: bool,
) -> PreviewPage {
    let (layout, base) = frame(member, &scope, "Import: preview");
    PreviewPage {
        layout,
        base,
        scope,
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
pub(super) async fn page(state: AppState, member: Member, scope: Scope) -> AppResult<Html<String>> {
    render(upload_page(&state, &member, scope, None, Vec::new(), String::new()).await?)
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
pub(super) async fn upload(
    state: AppState,
    member: Member,
    scope: Scope,
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
        read_upload(&state, &member, scope, multipart).await
    } else {
        let Form(form) = Form::<StepForm>::from_request(request, &state).await?;
        step(&state, &member, scope, form).await
    }
}

async fn read_upload(
    state: &AppState,
    member: &Member,
    scope: Scope,
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
                    scope,
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
                    scope,
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
            unprocessable(upload_page(state, member, scope, Some(problem), cells, shown).await?)
        }
    }
}

async fn step(
    state: &AppState,
    member: &Member,
    scope: Scope,
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
                    mapping_page(member, scope, &table, &chosen, csv, carried, None),
                )
            }
            Err(Unreadable::File(problem)) => unprocessable(
                upload_page(state, member, scope, Some(problem), Vec::new(), csv).await?,
            ),
            Err(Unreadable::Cells(cells)) => {
                unprocessable(upload_page(state, member, scope, None, cells, csv).await?)
            }
        };
    }
    let (csv, checked) = check(state, member, &scope, form.csv, &carried).await?;
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
                    values_page(member, scope, unplaced, context.organizers, csv, carried),
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
                preview_page(member, scope, plan, csv, carried, has_values_step, false),
            )
        }
        Checked::Unreadable(problem) => {
            unprocessable(upload_page(state, member, scope, Some(problem), Vec::new(), csv).await?)
        }
        Checked::Mapping(table, chosen, problem) => unprocessable(mapping_page(
            member,
            scope,
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
pub(super) async fn confirm(
    state: AppState,
    member: Member,
    scope: Scope,
    form: StepForm,
) -> AppResult<Response> {
    member.require_editor()?;
    let carried = form.carried();
    let (csv, checked) = check(&state, &member, &scope, form.csv, &carried).await?;
    let (table, targets, plan, context) = match checked {
        Checked::Ready {
            table,
            targets,
            plan,
            context,
        } => (table, targets, plan, context),
        Checked::Unreadable(problem) => {
            return unprocessable(
                upload_page(&state, &member, scope, Some(problem), Vec::new(), csv).await?,
            )
        }
        Checked::Mapping(table, chosen, problem) => {
            return unprocessable(mapping_page(
                &member,
                scope,
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
            scope,
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
        &mut tx, &member, &scope, &table, &targets, &plan, &kept, now,
    )
    .await?;
    tx.commit().await?;
    if let Ok(earlier) = Uuid::parse_str(&carried.from_import) {
        store::forget_kept_rows(&state.db, member.tenant_id, scope.campaign_id(), earlier).await?;
    }
    let to = if scope.is_book() {
        let notice = if kept.is_empty() {
            "organizations-imported"
        } else {
            "organizations-imported-some"
        };
        format!("{}/imports/{import_id}?notice={notice}", scope.home)
    } else if kept.is_empty() {
        format!(
            "{}?notice=prospects-imported&import={import_id}",
            scope.list
        )
    } else {
        format!(
            "{}/imports/{import_id}?notice=prospects-imported-some",
            scope.home
        )
    };
    Ok(Redirect::to(&to).into_response())
}

#[derive(Template)]
#[template(path = "outreach/import_record.html")]
struct RecordPage {
    layout: Layout,
    base: String,
    scope: Scope,
    record: ImportRecord,
    /// The kept rows as CSV, to correct on the page.
    kept_csv: String,
    /// The kept rows checked again as they stand now.
    kept: Option<Plan>,
    kept_errors: Vec<(String, String)>,
    carried: Carried,
    can_edit: bool,
    problem: Option<String>,
    /// An import into the book: the group's campaigns (slug, title), to add its
    /// organizations to one.
    campaigns: Vec<(String, String)>,
}

async fn record_of(
    state: &AppState,
    member: &Member,
    scope: &Scope,
    id: &str,
) -> AppResult<ImportRecord> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    store::import_by_id(&state.db, member.tenant_id, scope.campaign_id(), id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn record_view(
    state: &AppState,
    member: &Member,
    scope: Scope,
    record: ImportRecord,
    problem: Option<String>,
) -> AppResult<RecordPage> {
    let carried = Carried {
        map: record.mapping.clone(),
        header: if record.kept_has_header { "yes" } else { "no" }.into(),
        from_import: record.id.to_string(),
        ..Carried::default()
    };
    let rows = store::kept_rows(&state.db, member.tenant_id, record.id).await?;
    let (kept_csv, kept) = if rows.is_empty() {
        (String::new(), None)
    } else {
        let context = context(state, member, &scope).await?;
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
    let (layout, base) = frame(member, &scope, "Import");
    let campaigns = if scope.is_book() {
        crate::campaigns::store::list(&state.db, member.tenant_id)
            .await?
            .into_iter()
            .map(|c| (c.campaign.slug, c.campaign.title))
            .collect()
    } else {
        Vec::new()
    };
    Ok(RecordPage {
        campaigns,
        layout,
        base,
        kept_errors: kept.as_ref().map(Plan::errors).unwrap_or_default(),
        kept_csv,
        kept,
        scope,
        record,
        carried,
        can_edit: member.role.can_edit(),
        problem,
    })
}

/// `GET …/outreach/imports/{id}`: what an import brought in, the rows it kept aside with
/// their problems (to fix here or download), and the undo.
pub(super) async fn record_page(
    state: AppState,
    member: Member,
    scope: Scope,
    id: String,
) -> AppResult<Html<String>> {
    let record = record_of(&state, &member, &scope, &id).await?;
    render(record_view(&state, &member, scope, record, None).await?)
}

/// `GET …/outreach/imports/{id}/kept-aside.csv`: the rows kept aside, to fix in a
/// spreadsheet and import again.
pub(super) async fn download_kept(
    state: AppState,
    member: Member,
    scope: Scope,
    id: String,
) -> AppResult<Response> {
    let record = record_of(&state, &member, &scope, &id).await?;
    let rows = store::kept_rows(&state.db, member.tenant_id, record.id).await?;
    if rows.is_empty() {
        return Err(AppError::NotFound);
    }
    let table = kept_table(&record.kept_headers, record.kept_has_header, &rows);
    let csv = blocking(move || table_as_csv(&table)).await?;
    let disposition = format!("attachment; filename=\"{}-to-fix.csv\"", scope.file_name);
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
pub(super) async fn forget_kept(
    state: AppState,
    member: Member,
    scope: Scope,
    id: String,
) -> AppResult<Response> {
    member.require_editor()?;
    let record = record_of(&state, &member, &scope, &id).await?;
    store::forget_kept_rows(&state.db, member.tenant_id, scope.campaign_id(), record.id).await?;
    Ok(Redirect::to(&format!(
        "{}/imports/{}?notice=kept-rows-forgotten",
        scope.home, record.id
    ))
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UndoForm {
    confirm: String,
}

/// `POST …/outreach/imports/{id}/undo`: removes the import's prospects and their
/// contacts, once confirmed, while nothing was sent from it.
pub(super) async fn undo(
    state: AppState,
    member: Member,
    scope: Scope,
    id: String,
    form: UndoForm,
) -> AppResult<Response> {
    member.require_editor()?;
    let record = record_of(&state, &member, &scope, &id).await?;
    if form.confirm != "yes" {
        let problem = "Tick the box to confirm that the import's prospects and their contacts are to be removed.";
        return unprocessable(
            record_view(&state, &member, scope, record, Some(problem.into())).await?,
        );
    }
    let mut tx = state.db.begin().await?;
    let outcome = store::undo_import(
        &mut tx,
        member.tenant_id,
        scope.campaign_id(),
        record.id,
        state.clock.now(),
    )
    .await?
    .ok_or(AppError::NotFound)?;
    let problem = match outcome {
        UndoOutcome::Undone(_) => {
            tx.commit().await?;
            return Ok(Redirect::to(&format!("{}?notice=import-undone", scope.list))
                .into_response());
        }
        UndoOutcome::AlreadyUndone => "This import was already undone.".to_owned(),
        UndoOutcome::Touched(n) if scope.is_book() => format!(
            "This import can no longer be undone: {n} of its organizations {} been asked, called, noted or signed since, in a campaign or in the address book. Delete them from the address book instead.",
            if n == 1 { "has" } else { "have" }
        ),
        UndoOutcome::Touched(n) => format!(
            "This import can no longer be undone: {n} of its prospects {} been asked, called, noted or signed since. Select them on the prospect list to delete them instead.",
            if n == 1 { "has" } else { "have" }
        ),
    };
    drop(tx);
    unprocessable(record_view(&state, &member, scope, record, Some(problem)).await?)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AddForm {
    campaign: String,
}

/// `POST …/book/imports/{id}/add-to-campaign`: the import's organizations become
/// prospects of the chosen campaign in one statement; those it has already stay as they
/// are.
pub(super) async fn add_to_campaign(
    state: AppState,
    member: Member,
    id: String,
    form: AddForm,
) -> AppResult<Response> {
    member.require_editor()?;
    let scope = Scope::book(&member);
    let record = record_of(&state, &member, &scope, &id).await?;
    let campaign =
        crate::campaigns::store::by_slug(&state.db, member.tenant_id, &form.campaign).await?;
    let problem = match (&campaign, record.undone_at) {
        (_, Some(_)) => Some("This import was undone: there is nothing to add.".to_owned()),
        (None, _) => Some("Choose the campaign to add the organizations to.".to_owned()),
        _ => None,
    };
    let Some(campaign) = campaign.filter(|_| problem.is_none()) else {
        return unprocessable(record_view(&state, &member, scope, record, problem).await?);
    };
    let mut tx = state.db.begin().await?;
    let added = store::add_import_to_campaign(
        &mut tx,
        member.tenant_id,
        record.id,
        campaign.id,
        state.clock.now(),
    )
    .await?;
    store::match_confirmed_signatures(&mut tx, campaign.id, None, state.clock.now()).await?;
    tx.commit().await?;
    Ok(Redirect::to(&member.path(&format!(
        "/campaigns/{}/outreach/prospects?notice=book-organizations-added&added={added}",
        campaign.slug
    )))
    .into_response())
}
