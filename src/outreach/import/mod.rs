//! Prospects from a spreadsheet and back: CSV import and export.
//!
//! The import has four steps, and the file travels between them in the page itself (a
//! hidden field), so nothing is kept on the server until the last one:
//! 1. `POST …/import` with the file or pasted cells (multipart): the columns, each with a
//!    guessed target (`parse`, `mapping`);
//! 2. the chosen targets: owners and sizes the import cannot place by itself are asked
//!    once per distinct value (`values`);
//! 3. every row checked, with its errors and possible duplicates (`plan`);
//! 4. `POST …/import/confirm`: everything checked again, then the good rows (the bad ones
//!    kept aside on the import's record, to fix) or, if asked, all rows or none.
//!
//! Rows naming the same organization (by folded name) are one prospect with several
//! contacts: a spreadsheet with one row per decision-maker is the common case. An import
//! is recorded (`prospect_imports`) and can be undone while nothing was sent from it.

mod checks;
mod commit;
mod export;
mod mapping;
mod pages;
mod parse;
mod plan;
mod values;

pub use export::{book_export, export};
pub use pages::{AddForm, StepForm, UndoForm};

use axum::extract::{Request, State};
use axum::response::{Html, Response};
use uuid::Uuid;

use crate::campaigns::lookup::CampaignPage;
use crate::campaigns::store::Campaign;
use crate::error::{AppError, AppResult};
use crate::outreach::prospects::IdPath;
use crate::outreach::store;
use crate::state::AppState;
use crate::tenancy::Member;
use crate::web::format_count;
use crate::web::{Form, Path};

use checks::{Context, Existing};
use mapping::{check_mapping, chosen_or_guessed, Target};
use parse::{parse_table, Table, Unreadable};
use plan::Plan;
use values::{Organizer, ValueMap};

/// At most this many rows in one file.
pub const MAX_ROWS: usize = 5_000;
/// At most this many bytes in one file.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;

fn too_large() -> String {
    format!(
        "The file is larger than 2 MB. Import at most {} rows at a time: split the file and import each part.",
        format_count(MAX_ROWS)
    )
}

/// Runs CSV work off the async runtime: 5,000 rows are real work, and the threads that
/// answer everyone else must not wait for it.
async fn off_runtime<T: Send + 'static>(
    text: String,
    work: impl FnOnce(&str) -> T + Send + 'static,
) -> AppResult<(String, T)> {
    blocking(move || {
        let out = work(&text);
        (text, out)
    })
    .await
}

/// Runs work off the async runtime (see `off_runtime`).
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::Internal(e.into()))
}

/// Where an import writes: one campaign's prospects (their organizations and people in
/// the group's book), or the book alone.
pub struct Scope {
    pub campaign: Option<Campaign>,
    /// The page's eyebrow: the campaign's title, or "Address book".
    pub title: String,
    /// Organizer path of the campaign (of the group, for the book), for the campaign nav.
    pub base: String,
    /// Where the import's own URLs start: `…/campaigns/{slug}/outreach` or `…/book`.
    pub home: String,
    /// The list the import adds to.
    pub list: String,
    pub list_name: &'static str,
    pub one: &'static str,
    pub noun: &'static str,
    pub noun_title: &'static str,
    /// "this campaign's prospects", "the address book".
    pub whose: &'static str,
    /// The start of downloaded files' names.
    pub file_name: String,
}

impl Scope {
    pub fn campaign(member: &Member, campaign: Campaign) -> Scope {
        let base = member.path(&format!("/campaigns/{}", campaign.slug));
        Scope {
            title: campaign.title.clone(),
            home: format!("{base}/outreach"),
            list: format!("{base}/outreach/prospects"),
            base,
            list_name: "prospect list",
            one: "prospect",
            noun: "prospects",
            noun_title: "Prospects",
            whose: "this campaign's prospects",
            file_name: format!("{}-prospects", campaign.slug),
            campaign: Some(campaign),
        }
    }

    pub fn book(member: &Member) -> Scope {
        let home = member.path("/book");
        Scope {
            campaign: None,
            title: "Address book".into(),
            base: member.path(""),
            list: home.clone(),
            home,
            list_name: "address book",
            one: "organization",
            noun: "organizations",
            noun_title: "Organizations",
            whose: "the address book",
            file_name: "address-book".into(),
        }
    }

    pub fn is_book(&self) -> bool {
        self.campaign.is_none()
    }

    pub fn campaign_id(&self) -> Option<Uuid> {
        self.campaign.as_ref().map(|c| c.id)
    }
}

/// The book's organizations (which of them the campaign has) and the group's organizers,
/// for the checks.
async fn context(state: &AppState, member: &Member, scope: &Scope) -> AppResult<Context> {
    let existing = store::book_organizations(&state.db, member.tenant_id, scope.campaign_id())
        .await?
        .into_iter()
        .map(|e| Existing {
            id: e.id,
            name: e.name,
            name_key: e.name_key,
            domain: e.domain,
            in_campaign: e.in_campaign,
        })
        .collect();
    let organizers = store::organizers_with_email(&state.db, member.tenant_id)
        .await?
        .into_iter()
        .map(|o| Organizer {
            id: o.id,
            name: o.name,
            email: o.email,
        })
        .collect();
    Ok(Context {
        existing,
        organizers,
        into_campaign: scope.campaign.is_some(),
    })
}

/// What the page carries from step to step besides the file.
#[derive(Clone, Debug, Default)]
pub struct Carried {
    pub map: Vec<String>,
    /// "yes"/"no": whether the first line names the columns ("" as it looks).
    pub header: String,
    pub value_kind: Vec<String>,
    pub value_raw: Vec<String>,
    pub value_to: Vec<String>,
    pub from_import: String,
}

impl Carried {
    fn header(&self) -> Option<bool> {
        match self.header.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        }
    }

    /// The value choices as the page carries them: (kind, value, choice).
    pub fn value_fields(&self) -> Vec<(&str, &str, &str)> {
        self.value_kind
            .iter()
            .zip(&self.value_raw)
            .zip(&self.value_to)
            .map(|((k, r), t)| (k.as_str(), r.as_str(), t.as_str()))
            .collect()
    }

    fn values(&self) -> ValueMap {
        ValueMap::from_fields(&self.value_kind, &self.value_raw, &self.value_to)
    }
}

/// What the file and the chosen columns come to: the checked plan, or the page that says
/// what stops them.
enum Checked {
    Ready {
        table: Table,
        targets: Vec<Target>,
        plan: Plan,
        context: Context,
    },
    Unreadable(String),
    Mapping(Table, Vec<Target>, String),
}

async fn check(
    state: &AppState,
    member: &Member,
    scope: &Scope,
    csv: String,
    carried: &Carried,
) -> AppResult<(String, Checked)> {
    let context = context(state, member, scope).await?;
    let carried = carried.clone();
    off_runtime(csv, move |text| {
        let table = match parse_table(text, carried.header()) {
            Ok(table) => table,
            Err(Unreadable::File(problem)) => return Checked::Unreadable(problem),
            Err(Unreadable::Cells(cells)) => {
                return Checked::Unreadable(format!(
                    "Row {}: {}. Remove it in your spreadsheet and upload the file again.",
                    cells[0].row, cells[0].message
                ))
            }
        };
        match check_mapping(&table.headers, &carried.map) {
            Ok(targets) => {
                let plan = plan::plan(&table, &targets, &context, &carried.values());
                Checked::Ready {
                    table,
                    targets,
                    plan,
                    context,
                }
            }
            Err(problem) => {
                let chosen = chosen_or_guessed(&table.headers, &carried.map);
                Checked::Mapping(table, chosen, problem)
            }
        }
    })
    .await
}

// The campaign's import (`…/campaigns/{campaign}/outreach/import…`).

pub async fn page(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
) -> AppResult<Html<String>> {
    let scope = Scope::campaign(&member, campaign);
    pages::page(state, member, scope).await
}

pub async fn upload(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
    request: Request,
) -> AppResult<Response> {
    let scope = Scope::campaign(&member, campaign);
    pages::upload(state, member, scope, request).await
}

pub async fn confirm(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
    Form(form): Form<StepForm>,
) -> AppResult<Response> {
    let scope = Scope::campaign(&member, campaign);
    pages::confirm(state, member, scope, form).await
}

pub async fn record_page(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
    Path(IdPath { id }): Path<IdPath>,
) -> AppResult<Html<String>> {
    let scope = Scope::campaign(&member, campaign);
    pages::record_page(state, member, scope, id).await
}

pub async fn download_kept(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
    Path(IdPath { id }): Path<IdPath>,
) -> AppResult<Response> {
    let scope = Scope::campaign(&member, campaign);
    pages::download_kept(state, member, scope, id).await
}

pub async fn forget_kept(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
    Path(IdPath { id }): Path<IdPath>,
) -> AppResult<Response> {
    let scope = Scope::campaign(&member, campaign);
    pages::forget_kept(state, member, scope, id).await
}

pub async fn undo(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
    Path(IdPath { id }): Path<IdPath>,
    Form(form): Form<UndoForm>,
) -> AppResult<Response> {
    let scope = Scope::campaign(&member, campaign);
    pages::undo(state, member, scope, id, form).await
}

/// The import into the group's book (`…/book/import…`, `…/book/imports/{id}…`): the same
/// steps, with no campaign; its record page adds its organizations to a campaign.
pub mod book {
    use super::*;

    pub async fn page(State(state): State<AppState>, member: Member) -> AppResult<Html<String>> {
        let scope = Scope::book(&member);
        pages::page(state, member, scope).await
    }

    pub async fn upload(
        State(state): State<AppState>,
        member: Member,
        request: Request,
    ) -> AppResult<Response> {
        let scope = Scope::book(&member);
        pages::upload(state, member, scope, request).await
    }

    pub async fn confirm(
        State(state): State<AppState>,
        member: Member,
        Form(form): Form<StepForm>,
    ) -> AppResult<Response> {
        let scope = Scope::book(&member);
        pages::confirm(state, member, scope, form).await
    }

    pub async fn record_page(
        State(state): State<AppState>,
        member: Member,
        Path(IdPath { id }): Path<IdPath>,
    ) -> AppResult<Html<String>> {
        let scope = Scope::book(&member);
        pages::record_page(state, member, scope, id).await
    }

    pub async fn download_kept(
        State(state): State<AppState>,
        member: Member,
        Path(IdPath { id }): Path<IdPath>,
    ) -> AppResult<Response> {
        let scope = Scope::book(&member);
        pages::download_kept(state, member, scope, id).await
    }

    pub async fn forget_kept(
        State(state): State<AppState>,
        member: Member,
        Path(IdPath { id }): Path<IdPath>,
    ) -> AppResult<Response> {
        let scope = Scope::book(&member);
        pages::forget_kept(state, member, scope, id).await
    }

    pub async fn undo(
        State(state): State<AppState>,
        member: Member,
        Path(IdPath { id }): Path<IdPath>,
        Form(form): Form<UndoForm>,
    ) -> AppResult<Response> {
        let scope = Scope::book(&member);
        pages::undo(state, member, scope, id, form).await
    }

    pub async fn add_to_campaign(
        State(state): State<AppState>,
        member: Member,
        Path(IdPath { id }): Path<IdPath>,
        Form(form): Form<AddForm>,
    ) -> AppResult<Response> {
        pages::add_to_campaign(state, member, id, form).await
    }
}
